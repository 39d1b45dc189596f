"""Source 001 (ρ for z, φ for a, B for b, ω = ∂C/∂φ, λ; its "L" is any layer and its "l" the output layer).

Every displayed chain is checked '=' by '=' on 2-3-4-5 at every layer where its quantities exist: L = 1..3 for
the gradients, and L = 0..2 (a layer L+1 after it) for the ω recursion.
"""

from __future__ import annotations

import sympy as sp

from ..check import check
from ..index import check_index
from ..network import cached_network
from ..ops import hadamard
from .entry import Entry, any_layer_net, directional, every_layer, index_chain, matrix_chain, sigma_prime_at

SOURCE = "001_db6bb26b3d53b6c4.txt"


def _before_last(net):
    """L = 0..L_out - 1: the layers with a layer L+1 after them (ω^0 is ∂C/∂x)."""
    return range(0, net.L)


def _lam(n, l):
    """λ^l from source 001's definition ω^l ∘ σ′_v(ρ^l)."""
    return hadamard(n.omega(l), sigma_prime_at(n, l))


def _omega_lines_in_matrix_form():
    """The last three lines of the ω derivation: (ω∘σ′)_a W_aj summed, W_{*,j} as a column, and its transpose."""

    def entrywise(n, l):
        lam = _lam(n, l + 1)
        return sp.Matrix([sum(lam[a] * n.W[l + 1][a, j] for a in range(lam.shape[0])) for j in range(n.sizes[l])])

    def column(n, l):
        lam = _lam(n, l + 1)
        return sp.Matrix([sum(n.W[l + 1][:, j][a] * lam[a] for a in range(lam.shape[0])) for j in range(n.sizes[l])])

    def transposed(n, l):
        return sp.Matrix([(n.W[l + 1][:, j].T * _lam(n, l + 1))[0, 0] for j in range(n.sizes[l])])

    return matrix_chain(
        r"\omega^{{l}}",
        lambda n, l: n.omega(l),
        entrywise,
        column,
        transposed,
        layers=_before_last,
        texts=["ω^L_j", "Σ_a (ω^{L+1} ∘ σ′(ρ^{L+1}))_a W_aj", "Σ_a (W_{*,j})_a (ω ∘ σ′)_a", "(W_{*,j})ᵀ (ω ∘ σ′)"],
    )


def _check_cost():
    """C = 1/(2n) Σ_i (φ^l(x_i) − y_i)^2 on 2-3-2 with three samples, the square of a vector read as its squared
    norm (the source's n is the batch size m; its l the output layer)."""
    n = cached_network((2, 3, 2), None, "quadratic", 3)
    m = n.m
    printed = sp.Rational(1, 2 * m) * sum(
        sum((n.a[n.L][j, s] - n.y[j, s]) ** 2 for j in range(n.sizes[-1])) for s in range(m)
    )
    return [check(printed, n.C, name="C", net=n)]


def entries():
    E = []
    add = E.append
    add(
        Entry(
            "001-forward",
            SOURCE,
            "forward pass (unnumbered)",
            r"\rho^L_j = \sum_k W^L_{jk}\phi^{L-1}_k + B^L_j,\ \rho^L = W^L\phi^{L-1} + B^L,\ "
            r"\phi^L_j = \sigma(\sum_k W^L_{jk}\phi^{L-1}_k + B^L_j),\ \phi^L = \sigma_v(\rho^L)",
            lambda: (
                index_chain("z[l]_j", "Sum(W[l]_jk a[l-1]_k, k) + b[l]_j", layers=every_layer)()
                + matrix_chain(
                    r"\rho^{{l}}", lambda n, l: n.z[l], lambda n, l: n.W[l] * n.a[l - 1] + n.b[l], layers=every_layer
                )()
                + index_chain("a[l]_j", "sigma(Sum(W[l]_jk a[l-1]_k, k) + b[l]_j)", layers=every_layer)()
                + matrix_chain(
                    r"\phi^{{l}}", lambda n, l: n.a[l], lambda n, l: n.sigma_of(n.z[l]), layers=every_layer
                )()
            ),
            "01_forward_pass",
            "The four forms of the forward pass agree with the network at every layer.",
        )
    )
    add(
        Entry(
            "001-cost",
            SOURCE,
            "squared error (unnumbered)",
            r"C = \frac{1}{2n}\sum_i\left(\phi^l(x_i)-y_i\right)^2",
            _check_cost,
            "05_batching",
            "The quadratic cost with its 1/(2n) equals the network's C (φ^l is the output layer in this source, "
            "n the batch size, and the square of the vector φ^l − y_i its squared norm).",
        )
    )
    add(
        Entry(
            "001-dW-chain",
            SOURCE,
            "chain rule for dC/dW (unnumbered)",
            r"\frac{\partial C}{\partial W_{jk}^L} = \frac{\partial C}{\partial \phi^L_j} \frac{\partial \phi^L_j}"
            r"{W_{jk}^{L}} = \sum_{a,b,\ldots,f} \frac{\partial C}{\partial \phi^l_a}\frac{\partial \phi^{l}_a}"
            r"{\partial \phi^{l-1}_b}\ldots\frac{\partial \phi^{L+1}_f}{\partial \phi^{L}_j} \frac{\partial "
            r"\phi^L_j}{W_{jk}^{L}}",
            lambda: (
                index_chain("dC_dW[l]_jk", "omega[l]_j dadW[l]_{j,j,k}", layers=every_layer)()
                + [
                    check_index(
                        "dC_dW[1]_jk = dC_da[3]_a dada[3]_{a,b} dada[2]_{b,j} dadW[1]_{j,j,k}", any_layer_net(), l=1
                    ),
                    check_index("dC_dW[2]_jk = dC_da[3]_a dada[3]_{a,j} dadW[2]_{j,j,k}", any_layer_net(), l=2),
                ]
            ),
            "03_recursion",
            "The one-layer chain rule at every layer, and the long chain through every later layer (for W^1 and "
            "W^2 of 2-3-4-5, where '…' has one and no factor), hold; the printed ∂φ^L_j/W^L_jk lacks its ∂.",
        )
    )
    add(
        Entry(
            "001-omega-def",
            SOURCE,
            "ω definition (unnumbered)",
            r"\omega^L_j = \frac{\partial C}{\partial \phi^L_j}",
            lambda: [
                check(
                    directional(any_layer_net(), "a", l),
                    any_layer_net().omega(l),
                    name=rf"\omega^{{{l}}}",
                    net=any_layer_net(),
                )
                for l in range(0, 4)
            ],
            "02_error_signal",
            "Definition: ω^l computed with fresh symbols for a^l equals the directional derivative "
            "d/dt C(a^l + t e_j) at every layer, the input included.",
        )
    )
    add(
        Entry(
            "001-omega-steps",
            SOURCE,
            "ω recursion steps (unnumbered)",
            r"\frac{\partial C}{\partial \phi^L_j} = \sum_a \frac{\partial C}{\partial \rho^{L+1}_a}\frac{\partial "
            r"\rho^{L+1}_a}{\partial \phi^L_j},\ \omega_j^L = \sum_a \frac{\partial C}{\partial \rho^{L+1}_a} "
            r"W_{aj}^{L+1} = \sum_a \frac{\partial C}{\partial \phi^{L+1}_a} \frac{\partial \phi_{a}^{L+1}}"
            r"{\partial \rho^{L+1}_a} W_{aj}^{L+1} = \sum_a \frac{\partial C}{\partial \phi^{L+1}_a} \sigma'"
            r"( \rho^{L+1}_a) W_{aj}^{L+1} = \sum_a \omega^{L+1}_a \sigma'( \rho^{L+1}_a) W_{aj}^{L+1} = \sum_a "
            r"(\omega^{L+1} \circ \sigma_v'( \rho^{L+1}))_{a}W_{aj}^{L+1} = \sum_a (W_{*,j}^{L+1})_a (\omega^{L+1}"
            r" \circ \sigma_v'( \rho^{L+1}))_{a} = (W_{*,j}^{L+1})^T (\omega^{L+1} \circ \sigma_v'( \rho^{L+1}))",
            lambda: (
                index_chain(
                    "omega[l]_j",
                    "Sum(dC_dz[l+1]_a dzda[l+1]_aj, a)",
                    "Sum(dC_dz[l+1]_a W[l+1]_aj, a)",
                    "Sum(dC_da[l+1]_a dadz[l+1]_aa W[l+1]_aj, a)",
                    "Sum(dC_da[l+1]_a sigma_prime(z[l+1]_a) W[l+1]_aj, a)",
                    "Sum(omega[l+1]_a sigma_prime(z[l+1]_a) W[l+1]_aj, a)",
                    layers=_before_last,
                )()
                + _omega_lines_in_matrix_form()()
            ),
            "03_recursion",
            "Every line of the derivation of ω^L from ω^{L+1} holds, at L = 0, 1, 2.",
        )
    )
    add(
        Entry(
            "001-A1",
            SOURCE,
            "(A1)",
            r"\frac{\partial C}{\partial \phi^L} = \left(W^{L+1}\right)^T \left(\omega^{L+1} \circ \sigma_v'\left("
            r" \rho^{L+1} \right) \right)",
            matrix_chain(
                r"\frac{\partial C}{\partial a^{{l}}}",
                lambda n, l: n.omega(l),
                lambda n, l: n.W[l + 1].T * _lam(n, l + 1),
                layers=_before_last,
            ),
            "04_matrix_form",
            "The matrix form of the ω recursion holds (shapes (n_L, n_{L+1})(n_{L+1}, 1)).",
        )
    )
    add(
        Entry(
            "001-dB",
            SOURCE,
            "dC/dB_j (unnumbered)",
            r"\frac{\partial C}{\partial B^L_j} = \frac{\partial C}{\partial \phi_j^L}\frac{\partial \phi_j^L}"
            r"{\partial B_j^L} = \omega_j^L\sigma'\left( \rho_j^L \right)(1) = "
            r"\omega_j^L\sigma'\left( \rho_j^L \right)",
            index_chain(
                "dC_db[l]_j",
                "omega[l]_j dadb[l]_jj",
                "omega[l]_j sigma_prime(z[l]_j) * 1",
                "omega[l]_j sigma_prime(z[l]_j)",
                layers=every_layer,
            ),
            "03_recursion",
            "The bias gradient in ω form holds at every layer, each step.",
        )
    )
    add(
        Entry(
            "001-A2",
            SOURCE,
            "(A2)",
            r"\frac{\partial C}{\partial B^L} = \omega^L \circ \sigma_v'\left(\rho^L\right)",
            matrix_chain(r"\frac{\partial C}{\partial b^{{l}}}", lambda n, l: n.dC_db(l), _lam, layers=every_layer),
            "04_matrix_form",
            "The bias gradient in matrix form holds.",
        )
    )
    add(
        Entry(
            "001-dW",
            SOURCE,
            "dC/dW_jk (unnumbered)",
            r"\frac{\partial C}{\partial W^L_{jk}} = \frac{\partial C}{\partial \phi_j^L}\frac{\partial \phi_j^L}"
            r"{\partial W_{jk}^L} = \omega_j^L\sigma'\left( \rho_j^L \right)\left(\phi_k^{L-1}\right)",
            index_chain(
                "dC_dW[l]_jk",
                "omega[l]_j dadW[l]_{j,j,k}",
                "omega[l]_j sigma_prime(z[l]_j) a[l-1]_k",
                layers=every_layer,
            ),
            "03_recursion",
            "The weight gradient in ω form holds, each step.",
        )
    )
    add(
        Entry(
            "001-A3",
            SOURCE,
            "(A3)",
            r"\frac{\partial C}{\partial W^L} = \left (\omega^L \circ \sigma_v'\left( \rho^L \right) \right)"
            r"\left(\phi^{L-1}\right)^T",
            matrix_chain(
                r"\frac{\partial C}{\partial W^{{l}}}",
                lambda n, l: n.dC_dW(l),
                lambda n, l: _lam(n, l) * n.a[l - 1].T,
                layers=every_layer,
            ),
            "04_matrix_form",
            "The weight gradient in matrix form holds (an outer product).",
        )
    )
    add(
        Entry(
            "001-lambda",
            SOURCE,
            "λ definition (unnumbered)",
            r"\lambda^L = \omega^L \circ \sigma_v'\left(\rho^L\right)",
            matrix_chain(r"\lambda^{{l}}", lambda n, l: n.delta(l), _lam, layers=every_layer),
            "02_error_signal",
            "λ^l = ω^l ∘ σ′(ρ^l) is exactly δ^l = ∂C/∂z^l at every layer.",
        )
    )
    add(
        Entry(
            "001-B1",
            SOURCE,
            "(B1)",
            r"\omega^L = \left( W^{L+1}\right)^T \lambda^{L+1},\ \omega^L \circ \sigma_v' \left(\rho^L\right) = "
            r"\left(\left(W^{L+1}\right)^T \lambda^{L+1} \right)\circ \sigma_v' \left(\rho^L\right),\ \lambda^L = "
            r"\left(\left(W^{L+1}\right)^T \lambda^{L+1} \right)\circ \sigma_v' \left(\rho^L\right)",
            lambda: (
                matrix_chain(
                    r"\omega^{{l}}",
                    lambda n, l: n.omega(l),
                    lambda n, l: n.W[l + 1].T * _lam(n, l + 1),
                    layers=_before_last,
                )()
                + matrix_chain(
                    r"\lambda^{{l}}",
                    lambda n, l: _lam(n, l),
                    lambda n, l: hadamard(n.W[l + 1].T * _lam(n, l + 1), sigma_prime_at(n, l)),
                    layers=lambda n: range(1, n.L),
                )()
            ),
            "04_matrix_form",
            "Both recursions in λ form hold, with λ built from its definition ω ∘ σ′(ρ).",
        )
    )
    add(
        Entry(
            "001-B2",
            SOURCE,
            "(B2)",
            r"\frac{\partial C}{\partial B^L} = \omega^L \circ \sigma_v'\left(\rho^L\right),\ "
            r"\frac{\partial C}{\partial B^L} = \lambda^L",
            matrix_chain(
                r"\frac{\partial C}{\partial b^{{l}}}", lambda n, l: n.dC_db(l), _lam, _lam, layers=every_layer
            ),
            "04_matrix_form",
            "The bias gradient is λ^L at every layer.",
        )
    )
    add(
        Entry(
            "001-B3",
            SOURCE,
            "(B3)",
            r"\frac{\partial C}{\partial W^L} = \left (\omega^L \circ \sigma_v'\left( \rho^L \right) \right)"
            r"\left(\phi^{L-1}\right)^T,\ \frac{\partial C}{\partial W^L} = \lambda^L\left(\phi^{L-1}\right)^T",
            matrix_chain(
                r"\frac{\partial C}{\partial W^{{l}}}",
                lambda n, l: n.dC_dW(l),
                lambda n, l: hadamard(n.omega(l), sigma_prime_at(n, l)) * n.a[l - 1].T,
                lambda n, l: _lam(n, l) * n.a[l - 1].T,
                layers=every_layer,
            ),
            "04_matrix_form",
            "The weight gradient is λ^L (φ^{L-1})^T at every layer.",
        )
    )
    return E
