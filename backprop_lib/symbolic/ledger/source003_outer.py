"""Source 003, the output layer: the forward pass, Eq A, Eq B and B.1-B.4, read under each of their readings."""

from __future__ import annotations

import sympy as sp

from ..check import check
from ..index import check_index
from ..ops import bcast_mul, hadamard
from .entry import Entry, Reading, index_chain, matrix_chain, row_sums, sigma_prime_at
from .source003 import (
    DW2,
    SOURCE,
    T,
    V,
    b3_row,
    flat_jacobian,
    jacobian_slice,
    one_equation,
    slice_readings,
    v_of,
    whole_layer_sum,
)


def entries():
    E = []
    add = E.append
    add(
        Entry(
            "003-forward",
            SOURCE,
            "forward pass (unnumbered)",
            r"a^{l} = \sigma(w^l a^{l-1}+b^l),\quad a^{l} = \sigma(z^l),\ z^l =w^l a^{l-1} +b^l",
            lambda: (
                matrix_chain(
                    r"a^{{l}}",
                    lambda n, l: n.a[l],
                    lambda n, l: n.sigma_of(n.W[l] * n.a[l - 1] + n.b[l]),
                    lambda n, l: n.sigma_of(n.z[l]),
                    net=T,
                    layers=[1, 2],
                )()
                + matrix_chain(
                    r"z^{{l}}", lambda n, l: n.z[l], lambda n, l: n.W[l] * n.a[l - 1] + n.b[l], net=T, layers=[1, 2]
                )()
            ),
            "01_forward_pass",
            "The forward pass of the two-layer network holds at both layers.",
        )
    )
    add(
        Entry(
            "003-basis",
            SOURCE,
            "chain rule basis (unnumbered)",
            r"\frac {\partial C}{\partial w^l} = \frac {\partial a^l}{\partial w^l} . "
            r"\frac {\partial C}{\partial a^l}",
            None,
            "03_recursion",
            "Read as a contraction over the neurons i of layer l the chain rule holds at both layers; read as a "
            "matrix product of the source's (n_l, n_{l−1}) matrix for ∂a^l/∂w^l and the column ∂C/∂a^l, the "
            "shapes do not fit.",
            readings=(
                Reading(
                    "'.' as the contraction over the neurons i of layer l",
                    index_chain("dC_dW[l]_jk", "dadW[l]_ijk dC_da[l]_i", net=T, layers=[1, 2]),
                ),
                Reading(
                    "'.' as the matrix product, ∂a^l/∂w^l as σ′(z^l) * (a^{l−1})ᵀ",
                    matrix_chain(
                        r"\frac{\partial C}{\partial w^{{l}}}",
                        lambda n, l: n.dC_dW(l),
                        lambda n, l: bcast_mul(sigma_prime_at(n, l), n.a[l - 1].T) * n.omega(l),
                        net=T,
                        layers=[1, 2],
                    ),
                ),
            ),
        )
    )
    add(
        Entry(
            "003-cost",
            SOURCE,
            "quadratic loss (unnumbered)",
            r"C = \frac{1}{2} \sum_j (y_j-a^L_j)^2,\quad C = \frac{1}{2} \sum_j (y_j-a^2_j)^2",
            lambda: [
                check(
                    sp.Rational(1, 2) * sum((T().y[j] - T().a[2][j]) ** 2 for j in range(2)), T().C, name="C", net=T()
                )
            ],
            "02_error_signal",
            "The quadratic loss (with its 1/2) is the network's cost (L = 2).",
        )
    )
    add(
        Entry(
            "003-a2",
            SOURCE,
            "a² (unnumbered)",
            r"a^2 = \sigma(w^2.a^1)",
            None,
            "01_forward_pass",
            "The bias b² is missing: a² = σ(w² a¹ + b²) by the source's own definition; read elementwise, as the "
            "source says '.' becomes on matrices, the shapes do not fit either.",
            corrected=r"a^2 = \sigma(w^2 a^1 + b^2)",
            corrected_check=one_equation(r"a^{2}", lambda n: n.a[2], lambda n: n.sigma_of(n.W[2] * n.a[1] + n.b[2])),
            why="The bias does not affect ∂/∂w², so it is dropped as 'irrelevant' and then the equation is simply "
            "false.",
            readings=(
                Reading(
                    "'.' as the matrix product",
                    one_equation(r"a^{2}", lambda n: n.a[2], lambda n: n.sigma_of(n.W[2] * n.a[1])),
                ),
                Reading(
                    "'.' as NumPy's elementwise product with broadcasting",
                    one_equation(r"a^{2}", lambda n: n.a[2], lambda n: n.sigma_of(bcast_mul(n.W[2], n.a[1]))),
                ),
            ),
        )
    )
    add(
        Entry(
            "003-EqA",
            SOURCE,
            "Eq A",
            r"C = \frac{1}{2} \sum_j v^2,\quad v = y - a^2",
            None,
            "02_error_signal",
            "The sum over j needs the entry v_j: with the whole vector's vᵀv under Σ_j the sum counts it n_2 times.",
            readings=(
                Reading(
                    "v² as v_j², the square of entry j",
                    lambda: [check(sp.Rational(1, 2) * sum(v**2 for v in v_of(T())), T().C, name="C", net=T())],
                ),
                Reading(
                    "v² as vᵀv, the squared length of v, under Σ_j",
                    lambda: [
                        check(
                            sp.Rational(1, 2) * sum((v_of(T()).T * v_of(T()))[0, 0] for _ in range(2)),
                            T().C,
                            name="C",
                            net=T(),
                        )
                    ],
                ),
            ),
        )
    )
    add(
        Entry(
            "003-EqB",
            SOURCE,
            "Eq B (first form)",
            r"\frac {\partial C}{\partial w^2} = \frac{\partial v^2}{\partial v} * \frac{\partial v}{\partial w^2}",
            None,
            "02_error_signal",
            "The 1/2 of C = ½ Σ v² is lost (the product is twice the gradient), and so is the sum over the output "
            "neurons: as printed the product has one slice per output neuron and does not fit the shape of w².",
            corrected=r"\frac {\partial C}{\partial w^2} = \frac{1}{2}\frac{\partial v^2}{\partial v} * "
            r"\frac{\partial v}{\partial w^2}",
            corrected_check=one_equation(
                DW2, lambda n: n.dC_dW(2), lambda n: bcast_mul(v_of(n), -jacobian_slice(n, "dadW", 2))
            ),
            why="The ½ is meant to cancel the 2 of the square, so it is easy to drop it one line too early.",
            readings=(
                Reading(
                    "∂v/∂w² as the whole Jacobian ∂v_i/∂w²_jk, no sum (as printed)",
                    one_equation(
                        DW2, lambda n: n.dC_dW(2), lambda n: bcast_mul(2 * v_of(n), -flat_jacobian(n, "dadW", 2))
                    ),
                ),
                Reading(
                    "∂v/∂w² as B.4's slice −σ′(z²) * (a¹)ᵀ, * elementwise",
                    one_equation(
                        DW2, lambda n: n.dC_dW(2), lambda n: bcast_mul(2 * v_of(n), -jacobian_slice(n, "dadW", 2))
                    ),
                ),
                Reading(
                    "with the sum over the output neurons i that the line does not print",
                    one_equation(
                        DW2,
                        lambda n: n.dC_dW(2),
                        lambda n: n.W[2].applyfunc(lambda w: sum(2 * v * sp.diff(v, w) for v in v_of(n))),
                    ),
                ),
            ),
        )
    )
    add(
        Entry(
            "003-B1",
            SOURCE,
            "Eq B.1",
            r"\frac{\partial v^2}{\partial v} =2v",
            lambda: [check(2 * V, sp.diff(V**2, V), name=r"\frac{\partial v^2}{\partial v}")],
            "02_error_signal",
            "The derivative of a square holds.",
        )
    )
    add(
        Entry(
            "003-B2",
            SOURCE,
            "Eq B.2",
            r"\frac{\partial v}{\partial w^2}= \frac{\partial (y-a^2)}{\partial w^2} = "
            r"0-\frac{\partial a^2}{\partial w^2}",
            matrix_chain(
                r"\frac{\partial v}{\partial w^2}",
                lambda n, l: sp.Matrix(2, 8, lambda i, c: sp.diff(v_of(n)[i], n.W[2][divmod(int(c), 4)])),
                lambda n, l: sp.Matrix(2, 8, lambda i, c: sp.diff(n.y[i] - n.a[2][i], n.W[2][divmod(int(c), 4)])),
                lambda n, l: sp.zeros(2, 8) - flat_jacobian(n, "dadW", 2),
                net=T,
                layers=[2],
            ),
            "02_error_signal",
            "y does not depend on w², so ∂v/∂w² = −∂a²/∂w² (every entry i, j, k).",
        )
    )
    add(
        Entry(
            "003-EqB-2",
            SOURCE,
            "Eq B (second form)",
            r"\frac {\partial C}{\partial w^2} = \frac{1}{2} *2v(0-\frac{\partial a^2}{\partial w^2})",
            None,
            "02_error_signal",
            "With the ½ restored the chain rule holds, read either way.",
            expect="verified",
            readings=(
                Reading(
                    "* and juxtaposition elementwise, ∂a²/∂w² as B.4's slice σ′(z²) * (a¹)ᵀ",
                    one_equation(
                        DW2,
                        lambda n: n.dC_dW(2),
                        lambda n: bcast_mul(
                            sp.Rational(1, 2) * 2 * v_of(n), sp.zeros(2, 4) - jacobian_slice(n, "dadW", 2)
                        ),
                    ),
                ),
                Reading(
                    "∂a²/∂w² as the whole Jacobian, contracted with v over the output neurons i",
                    lambda: [
                        check_index("dC_dW[2]_jk = Rational(1, 2) * 2 * (y_i - a[2]_i) * (0 - dadW[2]_ijk)", T(), l=2)
                    ],
                ),
            ),
        )
    )
    add(
        Entry(
            "003-z2-sum",
            SOURCE,
            "a² and z² via sum(w² ⊗ a¹) (unnumbered)",
            r"a^2= \sigma(sum(w^2 \otimes a^1 )) = \sigma(z^2),\quad z^2 = sum(w^2 \otimes a^1 ),\quad "
            r"z^2 = sum(k^2),\ k^2=w^2 \otimes a^1",
            None,
            "01_forward_pass",
            "As NumPy reads it, sum(w² ⊗ a¹) adds every entry: one number for the whole layer, not one per "
            "neuron; read as row sums it is w² a¹; either way the bias b² is missing; and as the Hadamard product "
            "the source names, w² ⊗ a¹ does not fit the shapes.",
            corrected=r"z^2 = \operatorname{rowsum}(w^2 \odot (a^1)^T) + b^2 = w^2 a^1 + b^2",
            corrected_check=one_equation(
                r"z^{2}", lambda n: n.z[2], lambda n: row_sums(bcast_mul(n.W[2], n.a[1].T)) + n.b[2]
            ),
            why="Only ∂z²/∂w² is wanted next, the bias contributes nothing to it, and np.sum without an axis "
            "looks like the Σ_k of one neuron.",
            readings=(
                Reading(
                    "sum of every entry of w² ⊙ (a¹)ᵀ (NumPy's sum, no axis)",
                    lambda: (
                        one_equation(r"z^{2}", lambda n: n.z[2], whole_layer_sum)()
                        + one_equation(r"a^{2}", lambda n: n.a[2], lambda n: n.sigma_of(whole_layer_sum(n)))()
                    ),
                ),
                Reading(
                    "the row sums of w² ⊙ (a¹)ᵀ (sum over k only)",
                    one_equation(r"z^{2}", lambda n: n.z[2], lambda n: row_sums(bcast_mul(n.W[2], n.a[1].T))),
                ),
                Reading(
                    "⊗ as the Hadamard product, a¹ as the column it is",
                    one_equation(r"z^{2}", lambda n: n.z[2], lambda n: row_sums(hadamard(n.W[2], n.a[1]))),
                ),
            ),
        )
    )
    add(
        Entry(
            "003-B3",
            SOURCE,
            "Eq B.3",
            r"\frac{\partial z^2}{\partial w^2} = (1^{\rightarrow})^T* diag(a^1) =(a^{1})^T",
            None,
            "03_recursion",
            "Holds only as one neuron's row: ∂z²_j/∂w²_(j,·) = (1→)ᵀ diag(a¹) = (a¹)ᵀ; the whole Jacobian "
            "∂z²_i/∂w²_jk, or the derivative of the whole-layer sum(w² ⊗ a¹) above, does not fit the shape of (a¹)ᵀ.",
            readings=(
                Reading(
                    "row j: ∂z²_j/∂w²_(j,·), the weights into neuron j",
                    lambda: [
                        r
                        for j in range(2)
                        for r in matrix_chain(
                            rf"\frac{{\partial z^2_{j}}}{{\partial w^2_{{{j}\cdot}}}}",
                            lambda n, l, j=j: b3_row(n, j),
                            lambda n, l: sp.ones(1, 4) * sp.diag(*n.a[1]),
                            lambda n, l: n.a[1].T,
                            net=T,
                            layers=[2],
                        )()
                    ],
                ),
                Reading(
                    "the whole Jacobian ∂z²_i/∂w²_jk",
                    one_equation(
                        r"\frac{\partial z^2}{\partial w^2}", lambda n: flat_jacobian(n, "dzdW", 2), lambda n: n.a[1].T
                    ),
                ),
                Reading(
                    "z² as the one number sum(w² ⊗ a¹) of the lines above",
                    one_equation(
                        r"\frac{\partial z^2}{\partial w^2}",
                        lambda n: n.W[2].applyfunc(lambda w: sp.diff(whole_layer_sum(n)[0, 0], w)),
                        lambda n: n.a[1].T,
                    ),
                ),
            ),
        )
    )
    add(
        Entry(
            "003-B4",
            SOURCE,
            "Eq B.4",
            r"\frac {\partial a^2}{\partial w^2} = \frac{\partial a^2}{\partial z^2} * \frac{\partial z^2}{\partial "
            r"w^2} = \frac{\partial a^2}{\partial z^2} * (a^{1})^T = \frac{\partial \sigma(z^2)}{\partial z^2} * "
            r"(a^{1})^T = \sigma^{'}(z^2) * (a^{1})^T",
            None,
            "03_recursion",
            "The broadcast product σ′(z²) * (a¹)ᵀ is the nonzero slice of ∂a²_i/∂w²_jk = δ_ij σ′(z²_i) a¹_k; as "
            "the whole Jacobian, a matrix does not fit its three indices.",
            readings=slice_readings(2),
        )
    )
    return E
