"""Source 000 (Einstein notation, Δ = ∂C/∂z, "For l ≤ L"): every displayed equation, every '=' as printed.

The source sums repeated indices (except the layer label l) and writes Δ^l_i = ∂C/∂z^l_i. Its inline Kronecker
rules are proved for a symbolic width n; the layer equations are checked on 2-3-4-5 at every layer of the range
the source states (Eq (2): l ≤ L) or, where it states none, at every layer where the quantities exist.
"""

from __future__ import annotations

import sympy as sp

from ..check import check
from ..index import prove_index
from ..network import cached_network, cost_fn, cost_grad
from .entry import Entry, any_layer_net, directional, every_layer, hidden_layers, index_chain

SOURCE = "000_2fe1dceeec724cd8.txt"

# the inline Kronecker-delta rules, for a symbolic width n: x_i with i, j in 0..n-1
_N = sp.Symbol("n", integer=True, positive=True)
_I, _J = sp.Idx("i", _N), sp.Idx("j", _N)
_X = sp.IndexedBase("x")


def _check_cost():
    """C = (1/n) Σ_x f(y, a^L(x)) on 2-3-2 with three samples (the source's n is the batch size m), and the 1/m
    reaching the gradient: ∂C/∂a^L_{j,s} = (1/m) ∂f/∂a_j at sample s."""
    net = cached_network((2, 3, 2), None, "generic", 3)
    m = net.m
    printed = sp.Rational(1, m) * sum(cost_fn(*net.a[net.L][:, s], *net.y[:, s]) for s in range(m))
    grad = sp.Matrix(net.sizes[-1], m, lambda j, s: cost_grad(j + 1, *net.a[net.L][:, s], *net.y[:, s]) / m)
    return [
        check(printed, net.C, name="C", net=net),
        check(grad, net.omega(net.L), name=r"\frac{\partial C}{\partial A^{L}}", net=net),
    ]


def entries():
    E = []
    add = E.append
    add(
        Entry(
            "000-kd-derivative",
            SOURCE,
            "Kronecker delta, derivative (inline)",
            r"\frac{\partial x_j}{\partial x_i} = \delta_{ij}= \delta_{ij}",
            lambda: [
                prove_index(sp.diff(_X[_J], _X[_I]), sp.KroneckerDelta(_I, _J)),
                prove_index(sp.KroneckerDelta(_I, _J), sp.KroneckerDelta(_I, _J)),
            ],
            "03_recursion",
            "The derivative of one coordinate by another is the Kronecker delta, for any width n (the printed "
            "'= δ_ij' twice is a harmless repetition).",
        )
    )
    add(
        Entry(
            "000-kd-sifting",
            SOURCE,
            "Kronecker delta, sifting (inline)",
            r"\delta_{ij}x_j = \delta_i",
            lambda: [
                prove_index(sp.Sum(sp.KroneckerDelta(_I, _J) * _X[_J], (_J, 0, _N - 1)), sp.IndexedBase(r"\delta")[_I])
            ],
            "03_recursion",
            "Summing δ_ij x_j over j picks out x_i, not a δ_i: the printed right-hand side names the delta "
            "instead of the vector it sifts.",
            corrected=r"\delta_{ij} x_j = x_i",
            corrected_check=lambda: [prove_index(sp.Sum(sp.KroneckerDelta(_I, _J) * _X[_J], (_J, 0, _N - 1)), _X[_I])],
            why='The rule is usually recited as "the delta eats the sum", and the letter left standing is the '
            "one that was just written, δ, rather than the one that survives, x.",
        )
    )
    add(
        Entry(
            "000-b0",
            SOURCE,
            "(b0)",
            r"a^l_i = \sigma(W^l_{ij} a^{l-1}_j + b^l_i)",
            index_chain("a[l]_i", "sigma(W[l]_ij a[l-1]_j + b[l]_i)", layers=every_layer),
            "01_forward_pass",
            "The forward pass in index notation (j summed) gives the network's a^l at every layer.",
        )
    )
    add(
        Entry(
            "000-b1",
            SOURCE,
            "(b1)",
            r"a^l_i = \sigma(z^l_i),\quad z^l_i = W^l_{ij} a^{l-1}_j + b^l_i",
            lambda: (
                index_chain("a[l]_i", "sigma(z[l]_i)", layers=every_layer)()
                + index_chain("z[l]_i", "W[l]_ij a[l-1]_j + b[l]_i", layers=every_layer)()
            ),
            "01_forward_pass",
            "The split into weighted input and activation agrees with the forward pass at every layer.",
        )
    )
    add(
        Entry(
            "000-b2",
            SOURCE,
            "(b2)",
            r"\Delta^l_i = \frac{\partial C}{\partial z^l_i}",
            lambda: [
                check(
                    directional(any_layer_net(), "z", l),
                    any_layer_net().delta(l),
                    name=rf"\Delta^{{{l}}}",
                    net=any_layer_net(),
                )
                for l in every_layer(any_layer_net())
            ],
            "02_error_signal",
            "Definition: Δ^l computed with fresh symbols for z^l equals the directional derivative "
            "d/dt C(z^l + t e_i) at every layer.",
        )
    )
    add(
        Entry(
            "000-cost",
            SOURCE,
            "cost (unnumbered)",
            r"C = \frac{1}{n}\sum_{x} f(y_i, a^L_i(x))",
            _check_cost,
            "05_batching",
            "The averaged cost: 1/n times the per-sample f summed over the n samples (the series' m) equals the "
            "network's C, with f read as a function of the whole vectors y and a^L (the source: 'the indices in "
            "function make no sense in Einstein summation').",
        )
    )
    add(
        Entry(
            "000-1",
            SOURCE,
            "(1)",
            r"\Delta^L_i = \frac{\partial C}{\partial z^L_i} = \frac{\partial C}{\partial a^L_j} "
            r"\frac{\partial a^L_j}"
            r"{\partial a^L_i} = \frac{\partial C}{\partial a^L_j} \delta_{ji}\sigma(z^L_j) = \frac{\partial C}"
            r"{\partial a^L_i}\sigma(z^L_i)",
            index_chain(
                "Delta[L]_i",
                "dC_dz[L]_i",
                "dC_da[L]_j daa[L]_ji",
                "dC_da[L]_j KroneckerDelta(j, i) sigma(z[L]_j)",
                "dC_da[L]_i sigma(z[L]_i)",
                layers=lambda n: [n.L],
            ),
            "02_error_signal",
            "The middle step differentiates a^L_j by a^L_i (the identity δ_ji), where ∂a^L_j/∂z^L_i belongs, so "
            "σ′ is lost; the next step then writes σ where σ′ belongs: ∂a^L_j/∂z^L_i = δ_ji σ′(z^L_j).",
            corrected=r"\Delta^L_i = \frac{\partial C}{\partial z^L_i} = \frac{\partial C}{\partial a^L_j} "
            r"\frac{\partial a^L_j}{\partial z^L_i} = \frac{\partial C}{\partial a^L_j} \delta_{ji}"
            r"\sigma'(z^L_j) = \frac{\partial C}{\partial a^L_i}\sigma'(z^L_i)",
            corrected_check=index_chain(
                "Delta[L]_i",
                "dC_dz[L]_i",
                "dC_da[L]_j dadz[L]_ji",
                "dC_da[L]_j KroneckerDelta(j, i) sigma_prime(z[L]_j)",
                "dC_da[L]_i sigma_prime(z[L]_i)",
                layers=lambda n: [n.L],
            ),
            why="σ′ and σ differ by one small stroke, and the denominator a^L is copied from the numerator.",
        )
    )
    add(
        Entry(
            "000-2",
            SOURCE,
            "(2)",
            r"\text{for } l \leq L:\ \Delta^L_i = \frac{\partial C}{\partial z^l_i} = \frac{\partial C}{\partial "
            r"z^{l+1}_k}\frac{\partial z^{l+1}_k}{\partial a^l_j} \frac{\partial a^l_j}{\partial z^l_i} = "
            r"\Delta^{l+1}_k W^l_{kj} \delta_{ji} \sigma(z^l_j) = \Delta^{l+1}_k W^l_{ki} \sigma(z^l_i)",
            index_chain(
                "Delta[L]_i",
                "dC_dz[l]_i",
                "dC_dz[l+1]_k dzda[l+1]_kj dadz[l]_ji",
                "Delta[l+1]_k W[l]_kj KroneckerDelta(j, i) sigma(z[l]_j)",
                "Delta[l+1]_k W[l]_ki sigma(z[l]_i)",
                layers=every_layer,
            ),
            "03_recursion",
            "Three slips and a range: the left side is Δ^l (not Δ^L); z^{l+1} = W^{l+1} a^l + b^{l+1} brings "
            "W^{l+1} (not W^l); σ is written where σ′ belongs; and at l = L the layer L+1 does not exist, so the "
            "stated range l ≤ L must be l < L.",
            corrected=r"\text{for } l < L:\ \Delta^l_i = \frac{\partial C}{\partial z^l_i} = \frac{\partial C}"
            r"{\partial z^{l+1}_k}\frac{\partial z^{l+1}_k}{\partial a^l_j} \frac{\partial a^l_j}"
            r"{\partial z^l_i} = \Delta^{l+1}_k W^{l+1}_{kj} \delta_{ji} \sigma'(z^l_j) = "
            r"\Delta^{l+1}_k W^{l+1}_{ki} \sigma'(z^l_i)",
            corrected_check=index_chain(
                "Delta[l]_i",
                "dC_dz[l]_i",
                "dC_dz[l+1]_k dzda[l+1]_kj dadz[l]_ji",
                "Delta[l+1]_k W[l+1]_kj KroneckerDelta(j, i) sigma_prime(z[l]_j)",
                "Delta[l+1]_k W[l+1]_ki sigma_prime(z[l]_i)",
                layers=hidden_layers,
            ),
            why="The layer superscripts are easy to copy from the previous line, the weight that links layer l "
            "to l+1 is stored with layer l+1, and the output layer, where the recursion starts, is not one "
            "of its steps.",
        )
    )
    add(
        Entry(
            "000-3W",
            SOURCE,
            "(3), weights",
            r"\frac{\partial C}{\partial W^l_{ij}} = \frac{\partial C}{\partial z^l_k} \frac{\partial z^l_k}"
            r"{\partial W^l_{ij}} = \Delta^l_k \delta_{ki} a^{l-1}_j = \Delta^l_i a^{l-1}_j",
            index_chain(
                "dC_dW[l]_ij",
                "dC_dz[l]_k dzdW[l]_{k,i,j}",
                "Delta[l]_k KroneckerDelta(k, i) a[l-1]_j",
                "Delta[l]_i a[l-1]_j",
                layers=every_layer,
            ),
            "03_recursion",
            "Each step of the weight gradient holds at every layer, the Kronecker delta collapsing the sum over k.",
        )
    )
    add(
        Entry(
            "000-3b",
            SOURCE,
            "(3), biases",
            r"\frac{\partial C}{\partial b^l_i} = \frac{\partial C}{\partial z^l_j} \frac{\partial z^l_j}"
            r"{\partial b^l_i} = \Delta^l_j \delta_{ji} = \Delta^l_i",
            index_chain(
                "dC_db[l]_i",
                "dC_dz[l]_j dzdb[l]_ji",
                "Delta[l]_j KroneckerDelta(j, i)",
                "Delta[l]_i",
                layers=every_layer,
            ),
            "03_recursion",
            "Each step of the bias gradient holds at every layer.",
        )
    )
    return E
