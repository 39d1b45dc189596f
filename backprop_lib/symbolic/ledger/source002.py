"""Source 002 (w_kj with k in layer l and j in layer l−1; explicit sums; one sample).

Every displayed chain '=' by '=' on 2-3-4-5, at every layer where its quantities exist (l = 1..L, or l = 1..L−1
where a layer l+1 appears). Two printed forms can be read more than one way and are reported with every
reading: the forward pass with a bare b, and the summary recursion without parentheses.
"""

from __future__ import annotations

import sympy as sp

from ..check import CheckResult, check
from ..index import check_index
from ..ops import hadamard
from .entry import (
    Entry,
    Reading,
    any_layer_net,
    directional,
    every_layer,
    hidden_layers,
    index_chain,
    matrix_chain,
    sigma_prime_at,
)

SOURCE = "002_27ea97ae1810cd6e.txt"


def _sums(n, l):
    """The printed column [Σ_m δ^{l+1}_m w^{l+1}_mk]_k, entry by entry."""
    d, W = n.delta(l + 1), n.W[l + 1]
    return sp.Matrix([sum(d[m] * W[m, k] for m in range(W.shape[0])) for k in range(W.shape[1])])


def _printed_matrix(n, l):
    """The printed matrix whose row k is (w_1k ... w_Mk): entry (k, m) = w^{l+1}_mk."""
    W = n.W[l + 1]
    return sp.Matrix(W.shape[1], W.shape[0], lambda k, m: W[m, k])


def _lacks_sigma_prime():
    """'(W^{l+1})^T δ^{l+1} ∼ δ^l, lacking the multiplication by the derivative': the engine must find exactly
    that: the column is δ^l without its factor σ′(z^l)."""
    n = any_layer_net()
    out = []
    for l in hidden_layers(n):
        res = check(n.W[l + 1].T * n.delta(l + 1), n.delta(l), net=n)
        ok = not res.ok and res.message.startswith(f"misses σ′ at layer {l}")
        verdict = CheckResult(
            ok,
            f"'∼ δ^{l}' as the source says: {res.message}"
            if ok
            else f"the source says σ′(z^{l}) is lacking, the engine says: {res.message}",
        )
        verdict.step, verdict.layer = "'∼ δ^l' (a factor lacking)", l
        out.append(verdict)
    return out


def _forward(bias):
    return matrix_chain(
        r"a^{{l}}", lambda n, l: n.a[l], lambda n, l: n.sigma_of(n.W[l] * n.a[l - 1] + bias(n, l)), layers=every_layer
    )


def entries():
    E = []
    add = E.append
    add(
        Entry(
            "002-forward",
            SOURCE,
            "forward pass (unnumbered)",
            r"\bold{a}^l = \sigma \left( \bold{W}^l\bold{a}^{l-1} + \bold{b} \right)",
            None,
            "01_forward_pass",
            "The bare b must be the layer's own bias b^l (as the source's z^l_k = Σ_j w^l_kj a^{l−1}_j + b^l_k "
            "says): read as one bias shared by every layer, the shapes do not fit from layer 2 on.",
            readings=(
                Reading("b is b^l, the bias of layer l", _forward(lambda n, l: n.b[l])),
                Reading("b is one bias vector shared by every layer (b^1)", _forward(lambda n, l: n.b[1])),
            ),
        )
    )
    add(
        Entry(
            "002-nested",
            SOURCE,
            "a^L_n written out (unnumbered)",
            r"a_n^L = \sigma(\sum_m w_{nm}^L [\cdots\sigma(\sum_j w_{kj}^2 [\sigma(\sum_i w_{ji}^1x_i +b_j^1)] + "
            r"b_k^2)\cdots]_m + b_n^L)",
            lambda: [
                check_index(
                    "a[3]_n = sigma(Sum(W[3]_nm * sigma(Sum(W[2]_mj * sigma(Sum(W[1]_ji * x_i, i) "
                    "+ b[1]_j), j) + b[2]_m), m) + b[3]_n)",
                    any_layer_net(),
                    l=3,
                )
            ],
            "01_forward_pass",
            "The network as one nested expression (for L = 3, where '⋯' is empty and k is the m of layer 2) "
            "equals the layer-by-layer forward pass.",
        )
    )
    add(
        Entry(
            "002-z",
            SOURCE,
            "input sum (unnumbered)",
            r"z_k^l = \sum_j w_{kj}^l a^{l-1}_j + b_k^l",
            index_chain("z[l]_k", "Sum(W[l]_kj a[l-1]_j, j) + b[l]_k", layers=every_layer),
            "01_forward_pass",
            "The input sum holds at every layer.",
        )
    )
    add(
        Entry(
            "002-a",
            SOURCE,
            "activation (unnumbered)",
            r"a_k^l = \sigma(z_k^l)",
            index_chain("a[l]_k", "sigma(z[l]_k)", layers=every_layer),
            "01_forward_pass",
            "The activation holds at every layer.",
        )
    )
    add(
        Entry(
            "002-z-next",
            SOURCE,
            "input sum of layer l+1 (unnumbered)",
            r"z_m^{l+1} = \sum_{k} w_{mk}^{l+1} a^l_k + b_m^l",
            index_chain("z[l+1]_m", "Sum(W[l+1]_mk a[l]_k, k) + b[l]_m", layers=hidden_layers),
            "01_forward_pass",
            "The bias of layer l+1 is b^{l+1}, not b^l.",
            corrected=r"z_m^{l+1} = \sum_{k} w_{mk}^{l+1} a^l_k + b_m^{l+1}",
            corrected_check=index_chain("z[l+1]_m", "Sum(W[l+1]_mk a[l]_k, k) + b[l+1]_m", layers=hidden_layers),
            why="The line is copied from z^l_k and only some superscripts are bumped to l+1.",
        )
    )
    add(
        Entry(
            "002-dW-chain",
            SOURCE,
            "dC/dw_kj derivation (unnumbered)",
            r"\frac{\partial C }{\partial w_{kj}^l} = \frac{\partial C }{\partial z_k^l} \frac{\partial z_k^l }"
            r"{\partial w_{kj}^l} = \frac{\partial C }{\partial a_k^l} \frac{\partial a_k^l }{\partial z_k^l} "
            r"\frac{\partial z_k^l }{\partial w_{kj}^l} = \left( \sum_m \frac{\partial C }{\partial z_m^{l+1}} "
            r"\frac{\partial z_m^{l+1}}{\partial a_k^{l}} \right ) \frac{\partial a_k^l } {\partial z_k^l} "
            r"\frac{\partial z_k^l }{\partial w_{kj}^l} = \left( \sum_m \frac{\partial C }{\partial z_m^{l+1}} "
            r"w_{mk}^{l+1} \right ) \sigma'(z_k^l) a_j^{l-1}",
            index_chain(
                "dC_dW[l]_kj",
                "dC_dz[l]_k dzdW[l]_{k,k,j}",
                "dC_da[l]_k dadz[l]_kk dzdW[l]_{k,k,j}",
                "Sum(dC_dz[l+1]_m dzda[l+1]_mk, m) dadz[l]_kk dzdW[l]_{k,k,j}",
                "Sum(dC_dz[l+1]_m W[l+1]_mk, m) sigma_prime(z[l]_k) a[l-1]_j",
                layers=hidden_layers,
            ),
            "03_recursion",
            "Each of the four forms of the weight gradient holds (k and j fixed, m summed).",
        )
    )
    add(
        Entry(
            "002-quiz-dCda",
            SOURCE,
            "∂C/∂a^l_k in the quiz (unnumbered)",
            r"\frac{\partial C }{\partial a_k^l} = \left( \sum_m \frac{\partial C }{\partial z_m^{l+1}} "
            r"\frac{\partial z_m^{l+1}}{\partial a_k^{l}} \right )",
            index_chain("dC_da[l]_k", "Sum(dC_dz[l+1]_m dzda[l+1]_mk, m)", layers=hidden_layers),
            "03_recursion",
            "The chain rule through every neuron m of layer l+1 holds.",
        )
    )
    add(
        Entry(
            "002-delta-def",
            SOURCE,
            "error signal definition (unnumbered)",
            r"\delta_k^l \equiv \frac{\partial C }{\partial z_k^l}",
            lambda: [
                check(
                    directional(any_layer_net(), "z", l),
                    any_layer_net().delta(l),
                    name=rf"\delta^{{{l}}}",
                    net=any_layer_net(),
                )
                for l in every_layer(any_layer_net())
            ],
            "02_error_signal",
            "Definition: δ^l computed with fresh symbols for z^l equals the directional derivative "
            "d/dt C(z^l + t e_k) at every layer.",
        )
    )
    add(
        Entry(
            "002-dCdz",
            SOURCE,
            "dC/dz^l_k expanded (unnumbered)",
            r"\frac{\partial C }{\partial z_k^l}= \left( \sum_m \frac{\partial C }{\partial z_m^{l+1}} w_{mk}^{l+1}"
            r" \right ) \sigma'(z_k^l)",
            index_chain("dC_dz[l]_k", "Sum(dC_dz[l+1]_m W[l+1]_mk, m) sigma_prime(z[l]_k)", layers=hidden_layers),
            "03_recursion",
            "The chain rule through layer l+1 holds.",
        )
    )
    add(
        Entry(
            "002-recursion",
            SOURCE,
            "recursive formula (unnumbered)",
            r"\delta_k^l = \left( \sum_m \delta_m^{l+1} w_{mk}^{l+1} \right ) \sigma'(z_k^l)",
            index_chain("delta[l]_k", "Sum(delta[l+1]_m W[l+1]_mk, m) sigma_prime(z[l]_k)", layers=hidden_layers),
            "03_recursion",
            "The recursion holds at every hidden layer.",
        )
    )
    add(
        Entry(
            "002-db",
            SOURCE,
            "bias gradient (unnumbered)",
            r"\frac{\partial C }{\partial b_k^l} = \frac{\partial C }{\partial z_k^l} \underbrace{ \frac{\partial "
            r"z_k^l }{\partial b_k^l}}_1 = \delta_k^l",
            index_chain("dC_db[l]_k", "dC_dz[l]_k dzdb[l]_kk", "dC_dz[l]_k * 1", "delta[l]_k", layers=every_layer),
            "03_recursion",
            "The bias gradient is the error signal; the underbraced factor is 1.",
        )
    )
    add(
        Entry(
            "002-deltaL",
            SOURCE,
            "output error (unnumbered)",
            r"\delta_j^L = \frac{\partial C }{\partial z_j^L} = \frac{\partial C }{\partial a_j^L} \frac{\partial "
            r"a_j^L }{\partial z_j^L} = \frac{\partial C }{\partial a_j^L} \sigma'(z_j^L)",
            index_chain(
                "delta[L]_j",
                "dC_dz[L]_j",
                "dC_da[L]_j dadz[L]_jj",
                "dC_da[L]_j sigma_prime(z[L]_j)",
                layers=lambda n: [n.L],
            ),
            "02_error_signal",
            "The output error holds for every σ and every cost.",
        )
    )
    add(
        Entry(
            "002-WTdelta",
            SOURCE,
            "(W^{l+1})^T δ^{l+1} written out (unnumbered)",
            r"(W^{l+1} )^T \delta^{l+1} = \begin{bmatrix} w_{11}^{l+1} & \dots & w_{M1}^{l+1} \\ \vdots & & \vdots "
            r"\\ w_{1K}^{l+1} & \dots & w_{MK}^{l+1} \end{bmatrix} \begin{bmatrix} \delta^{l+1}_1 \\ \vdots \\ "
            r"\delta^{l+1}_M \end{bmatrix} = \begin{bmatrix} \sum_{m=1}^{M} \delta^{l+1}_m w_{m1}^{l+1} \\ \vdots "
            r"\\ \sum_{m=1}^{M} \delta^{l+1}_m w_{mK}^{l+1} \end{bmatrix} \backsim \delta^l",
            lambda: (
                matrix_chain(
                    r"(W^{{l+1}})^T\delta^{{l+1}}",
                    lambda n, l: n.W[l + 1].T * n.delta(l + 1),
                    lambda n, l: _printed_matrix(n, l) * n.delta(l + 1),
                    _sums,
                    layers=hidden_layers,
                )()
                + _lacks_sigma_prime()
            ),
            "04_matrix_form",
            "The transposed product is the printed matrix times δ^{l+1}, which is the column of sums; and '∼ δ^l' "
            "is what the engine finds: the column is δ^l without its factor σ′(z^l).",
        )
    )
    add(
        Entry(
            "002-summary-deltaL",
            SOURCE,
            "summary: output error",
            r"\delta^L = \nabla_{a^L}C \odot \sigma'(z^L)",
            matrix_chain(
                r"\delta^{{l}}",
                lambda n, l: n.delta(l),
                lambda n, l: hadamard(n.grad_a_C(), sigma_prime_at(n, l)),
                layers=lambda n: [n.L],
            ),
            "04_matrix_form",
            "The output error in matrix form holds.",
        )
    )
    add(
        Entry(
            "002-summary-recursion",
            SOURCE,
            "summary: recursion",
            r"\delta^l = (w^{l+1})^T \delta^{l+1} \odot \sigma'(z^l)",
            None,
            "04_matrix_form",
            "Without parentheses the line must be read with the product first: ⊙ first does not fit the shapes.",
            readings=(
                Reading(
                    "((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l): the product first",
                    matrix_chain(
                        r"\delta^{{l}}",
                        lambda n, l: n.delta(l),
                        lambda n, l: hadamard(n.W[l + 1].T * n.delta(l + 1), sigma_prime_at(n, l)),
                        layers=hidden_layers,
                    ),
                ),
                Reading(
                    "(w^{l+1})ᵀ (δ^{l+1} ⊙ σ′(z^l)): ⊙ first",
                    matrix_chain(
                        r"\delta^{{l}}",
                        lambda n, l: n.delta(l),
                        lambda n, l: n.W[l + 1].T * hadamard(n.delta(l + 1), sigma_prime_at(n, l)),
                        layers=hidden_layers,
                    ),
                ),
            ),
        )
    )
    add(
        Entry(
            "002-summary-db",
            SOURCE,
            "summary: bias gradient",
            r"\frac{\partial C }{\partial b_j^l} = \delta^l_j",
            index_chain("dC_db[l]_j", "delta[l]_j", layers=every_layer),
            "03_recursion",
            "The bias gradient holds at every layer.",
        )
    )
    add(
        Entry(
            "002-summary-dW",
            SOURCE,
            "summary: weight gradient",
            r"\frac{\partial C }{\partial w_{kj}^l} = \delta_k^l a_j^{l-1}",
            index_chain("dC_dW[l]_kj", "delta[l]_k a[l-1]_j", layers=every_layer),
            "03_recursion",
            "The weight gradient holds at every layer.",
        )
    )
    return E
