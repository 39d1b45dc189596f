"""Source 003, the inner layer: Eq (3)'s derivation, (4.0)-(4.3), Eq (5) and the update, under each reading."""

from __future__ import annotations

import sympy as sp

from ..ops import bcast_mul
from .entry import Entry, Reading, index_chain, jacobian_matrix, matrix_chain, sigma_prime_at
from .source003 import (
    DW1,
    DW2,
    SOURCE,
    T,
    chain_readings,
    check_42,
    check_update,
    eq5_fixed,
    eq5_readings,
    grad_readings,
    jacobian_of_sigma,
    matmul,
    one_equation,
    slice_readings,
    v_of,
)


def entries():
    E = []
    add = E.append
    add(
        Entry(
            "003-Eq3-steps",
            SOURCE,
            "Eq (3) derivation (unnumbered)",
            r"\frac {\partial C}{\partial w^2} = \frac {1}{2}*2v(0-\frac{\partial a^2}{\partial w^2}) = "
            r"v(0- \sigma^{'}(z^2) * (a^{1})^T) = v*-1*\sigma^{'}(z^2) * (a^{1})^T = (y-a^2)*-1*\sigma^{'}(z^2) * "
            r"(a^{1})^T",
            None,
            "04_matrix_form",
            "Every step holds with NumPy's broadcasting *; with matrix products v(…) does not fit: (n_2, 1) "
            "times (n_2, n_1).",
            readings=chain_readings(
                DW2,
                lambda n: n.dC_dW(2),
                lambda star: (
                    lambda n: star(v_of(n), sp.zeros(2, 4) - bcast_mul(sigma_prime_at(n, 2), n.a[1].T)),
                    lambda n: star(star(star(v_of(n), -sp.ones(2, 1)), sigma_prime_at(n, 2)), n.a[1].T),
                    lambda n: star(star(star(n.y - n.a[2], -sp.ones(2, 1)), sigma_prime_at(n, 2)), n.a[1].T),
                ),
                ["∂C/∂w²", "v(0 − σ′(z²) * (a¹)ᵀ)", "v * −1 * σ′(z²) * (a¹)ᵀ", "(y − a²) * −1 * σ′(z²) * (a¹)ᵀ"],
                2,
            ),
        )
    )
    add(
        Entry(
            "003-Eq3",
            SOURCE,
            "Eq (3)",
            r"\frac {\partial C}{\partial w^2}= (a^2-y)*\sigma^{'}(z^2) * (a^{1})^T",
            None,
            "04_matrix_form",
            "Holds with NumPy's broadcasting *, a column times a row being the outer product; with * as the "
            "matrix product or as the Hadamard product of equal shapes the shapes do not fit.",
            readings=grad_readings(lambda n, star: star(star(n.a[2] - n.y, sigma_prime_at(n, 2)), n.a[1].T)),
        )
    )
    add(
        Entry(
            "003-4.0",
            SOURCE,
            "(4.0)",
            r"\frac {\partial C}{\partial w^1} = \frac {\partial a^1}{\partial w^1} . "
            r"\frac {\partial C}{\partial a^1}",
            None,
            "03_recursion",
            "Holds as a contraction over the neurons of layer 1; as a matrix product of (4.1)'s (n_1, n_0) matrix "
            "and the column ∂C/∂a¹ the shapes do not fit.",
            readings=(
                Reading(
                    "'.' as the contraction over the neurons i of layer 1",
                    index_chain("dC_dW[1]_jk", "dadW[1]_ijk dC_da[1]_i", net=T, layers=[1]),
                ),
                Reading(
                    "'.' as the matrix product, ∂a¹/∂w¹ as σ′(z¹) * (a⁰)ᵀ",
                    one_equation(
                        DW1,
                        lambda n: n.dC_dW(1),
                        lambda n: bcast_mul(sigma_prime_at(n, 1), n.a[0].T) * n.omega(1),
                        layer=1,
                    ),
                ),
            ),
        )
    )
    add(
        Entry(
            "003-4.1",
            SOURCE,
            "(4.1)",
            r"\frac {\partial a^1}{\partial w^1}  = \sigma'(z^1) * (a^{0})^T",
            None,
            "03_recursion",
            "The broadcast product is the nonzero slice of ∂a¹/∂w¹; as the whole Jacobian a matrix does not fit "
            "its three indices.",
            readings=slice_readings(1),
        )
    )
    add(
        Entry(
            "003-dCda1",
            SOURCE,
            "dC/da¹ chain rule (unnumbered)",
            r"\frac{\partial C}{\partial(a^1)} =  \frac{\partial C}{\partial(a^2)}."
            r"\frac{\partial(a^2)}{\partial(a^1)}",
            None,
            "03_recursion",
            "Holds as a contraction over the neurons i of layer 2; as a matrix product (n_2, 1)·(n_2, n_1) the "
            "shapes do not fit (the column must be transposed first).",
            readings=(
                Reading(
                    "'.' as the contraction over the neurons i of layer 2",
                    index_chain("dC_da[1]_k", "dC_da[2]_i dada[2]_ik", net=T, layers=[1]),
                ),
                Reading(
                    "'.' as the matrix product",
                    one_equation(
                        r"\frac{\partial C}{\partial a^1}",
                        lambda n: n.omega(1),
                        lambda n: n.omega(2) * jacobian_matrix(n, "dada", 2),
                        layer=1,
                    ),
                ),
            ),
        )
    )
    add(
        Entry(
            "003-4.2",
            SOURCE,
            "(4.2)",
            r"\frac{\partial C}{\partial(a^2)} = \frac {\partial({\frac{1}{2} \|y-a^2\|^2)}}{\partial(a^2)} = "
            r"\frac{1}{2}*2*(a^2-y) =(a^2-y) = \delta^{2}",
            lambda: check_42(T()),
            "02_error_signal",
            "Every side holds; this source names ∂C/∂a² = a² − y δ², which the series reserves for ∂C/∂z².",
        )
    )
    add(
        Entry(
            "003-4.3",
            SOURCE,
            "(4.3)",
            r"\frac{\partial(a^2)}{\partial(a^1)} = \frac{\partial(\sigma(w^2 a^{1}+b^2))}{\partial(a^1)} =  "
            r"w^2.\sigma'(w^2 a^{1}+b^2) = w^2.\sigma'(z^2)",
            None,
            "04_matrix_form",
            "The Jacobian is diag(σ′(z²)) w² (row i scaled by σ′(z²_i)): w².σ′(z²) gives it only read elementwise "
            "with broadcasting, as the source says '.' becomes on matrices; as the matrix product (n_2, n_1)·"
            "(n_2, 1) the shapes do not fit.",
            readings=tuple(
                Reading(
                    words,
                    matrix_chain(
                        r"\frac{\partial a^2}{\partial a^1}",
                        lambda n, l: jacobian_matrix(n, "dada", 2),
                        lambda n, l: jacobian_of_sigma(n),
                        lambda n, l, dot=dot: dot(n.W[2], n.sigma_prime_of(n.W[2] * n.a[1] + n.b[2])),
                        lambda n, l, dot=dot: dot(n.W[2], sigma_prime_at(n, 2)),
                        net=T,
                        layers=[2],
                        texts=["∂a²/∂a¹", "∂σ(w²a¹ + b²)/∂a¹", "w².σ′(w²a¹ + b²)", "w².σ′(z²)"],
                    ),
                )
                for words, dot in (
                    ("'.' as the matrix product", matmul),
                    ("'.' as NumPy's elementwise product with broadcasting", bcast_mul),
                )
            ),
        )
    )
    add(
        Entry(
            "003-Eq5a",
            SOURCE,
            "Eq (5) (first form)",
            r"\frac {\partial C}{\partial w^1} = \sigma'(z^1) * (a^{0})^T*\delta^{2}*w^2.\sigma'(z^2)",
            None,
            "04_matrix_form",
            "Under every reading of * and . the shapes do not fit; the gradient is "
            "((w²)ᵀ (δ² * σ′(z²)) * σ′(z¹)) (a⁰)ᵀ.",
            corrected=r"\frac {\partial C}{\partial w^1} = \left(\left((w^2)^T (\delta^2 * \sigma'(z^2))\right) * "
            r"\sigma'(z^1)\right) (a^0)^T",
            corrected_check=one_equation(DW1, lambda n: n.dC_dW(1), eq5_fixed, layer=1),
            why="Writing the chain rule left to right as in one dimension ignores that matrices must be ordered "
            "and transposed to fit.",
            readings=eq5_readings(
                lambda n, star, dot: dot(
                    star(star(star(sigma_prime_at(n, 1), n.a[0].T), n.a[2] - n.y), n.W[2]), sigma_prime_at(n, 2)
                )
            ),
        )
    )
    add(
        Entry(
            "003-delta2",
            SOURCE,
            "δ² (unnumbered)",
            r"\delta^2 = (a^2-y)",
            one_equation(r"\frac{\partial C}{\partial a^{2}}", lambda n: n.omega(2), lambda n: n.a[2] - n.y),
            "02_error_signal",
            "In this source's convention δ² = ∂C/∂a² = a² − y, which holds (the series' δ² is ∂C/∂z²).",
        )
    )
    add(
        Entry(
            "003-Eq3b",
            SOURCE,
            "Eq (3) (final form)",
            r"\frac {\partial C}{\partial w^2}= \delta^{2}*\sigma^{'}(z^2) * (a^{1})^T",
            None,
            "04_matrix_form",
            "With δ² = a² − y: holds with NumPy's broadcasting *; with * as the matrix product or the Hadamard "
            "product the shapes do not fit.",
            readings=grad_readings(lambda n, star: star(star(n.a[2] - n.y, sigma_prime_at(n, 2)), n.a[1].T)),
        )
    )
    add(
        Entry(
            "003-Eq5b",
            SOURCE,
            "Eq (5) (final form)",
            r"\frac {\partial C}{\partial w^1} = \delta^{2}*\sigma'(z^2)*(a^{0})^T*w^2.\sigma'(z^1)",
            None,
            "04_matrix_form",
            "Under every reading of * and . the shapes do not fit (and σ′(z¹) and σ′(z²) trade places); the "
            "gradient is ((w²)ᵀ (δ² * σ′(z²)) * σ′(z¹)) (a⁰)ᵀ.",
            corrected=r"\frac {\partial C}{\partial w^1} = \left(\left((w^2)^T (\delta^2 * \sigma'(z^2))\right) * "
            r"\sigma'(z^1)\right) (a^0)^T",
            corrected_check=one_equation(DW1, lambda n: n.dC_dW(1), eq5_fixed, layer=1),
            why="Rewriting an already wrong line by rearranging its factors keeps the shape error and adds a new one.",
            readings=eq5_readings(
                lambda n, star, dot: dot(
                    star(star(star(n.a[2] - n.y, sigma_prime_at(n, 2)), n.a[0].T), n.W[2]), sigma_prime_at(n, 1)
                )
            ),
        )
    )
    add(
        Entry(
            "003-update",
            SOURCE,
            "gradient descent update (unnumbered)",
            r"W^{l-1}_{new} = W^{l-1}_{old} - learningRate* \delta C_0/ \delta w^{l-1}",
            lambda: check_update(T()),
            "06_training_mnist",
            "The step −η ∂C/∂w is a descent direction: d/dη C(w − η ∂C/∂w) at η = 0 equals −‖∂C/∂w‖².",
        )
    )
    return E
