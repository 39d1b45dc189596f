"""Source 003 (a two-layer network a⁰ → a¹ → a² with C = ½ Σ_j (y_j − a²_j)², written with `*`, `.` and ⊗).

The source mixes three products without saying which is which: `*` (NumPy's elementwise product with
broadcasting, or a matrix product), `.` ("the vector dot product w.a when applied on matrices becomes the
elementwise multiplication"), and ⊗ ("also called Hadamard product"), and it writes a derivative of a vector by a
matrix as one matrix (a slice of the three-index Jacobian). Every such line is checked under each reading on the
two-layer network 3-4-2, and the ledger reports which readings hold.
"""

from __future__ import annotations

import sympy as sp

from ..check import check
from ..ops import bcast_mul, hadamard
from .entry import Reading, matrix_chain, sigma_prime_at, two_layer_net

__all__ = [
    "SOURCE",
    "T",
    "DW1",
    "DW2",
    "entries",
    "V",
    "b3_row",
    "chain_readings",
    "check_42",
    "check_update",
    "eq5_fixed",
    "eq5_readings",
    "flat_jacobian",
    "grad_readings",
    "jacobian_of_sigma",
    "jacobian_slice",
    "matmul",
    "one_equation",
    "slice_readings",
    "v_of",
    "whole_layer_sum",
]

SOURCE = "003_5344939a6d75f4d9.txt"
T = two_layer_net
V = sp.Symbol("v", real=True)
DW2 = r"\frac{\partial C}{\partial w^{2}}"
DW1 = r"\frac{\partial C}{\partial w^{1}}"


def one_equation(name, truth, side, layer=2):
    """One '=' in matrix form on the two-layer network: truth(n) against side(n)."""
    return matrix_chain(name, lambda n, l: truth(n), lambda n, l: side(n), net=T, layers=[layer])


def matmul(A, B):
    return A * B


def flat_jacobian(n, kind, l):
    """A three-index Jacobian ∂q_i/∂w_jk as an (n_l, n_l·n_{l−1}) matrix: row i, column (j, k)."""
    shape, d = n.jacobian(kind, l)
    return sp.Matrix(shape[0], shape[1] * shape[2], lambda i, c: d[(i, *divmod(c, shape[2]))])


def jacobian_slice(n, kind, l):
    """The nonzero slice of ∂q_i/∂w_jk (j = i): the (n_l, n_{l−1}) matrix the source writes for it."""
    shape, d = n.jacobian(kind, l)
    return sp.Matrix(shape[0], shape[2], lambda i, k: d[(i, i, k)])


def v_of(n):
    return n.y - n.a[2]


def grad_readings(expr):
    """Eq (3)'s two printed forms under each reading of `*`: expr(mul) builds the right-hand side."""
    return (
        Reading(
            "* as NumPy's elementwise product with broadcasting",
            one_equation(DW2, lambda n: n.dC_dW(2), lambda n: expr(n, bcast_mul)),
        ),
        Reading("* as the matrix product", one_equation(DW2, lambda n: n.dC_dW(2), lambda n: expr(n, matmul))),
        Reading(
            "* as the Hadamard product of equal shapes (the source's name for ⊗)",
            one_equation(DW2, lambda n: n.dC_dW(2), lambda n: expr(n, hadamard)),
        ),
    )


def eq5_readings(expr):
    """Eq (5)'s two printed forms under each reading of `*` and `.`; expr(star, dot) builds the right-hand side."""
    return (
        Reading(
            "* and . as NumPy's elementwise product with broadcasting",
            one_equation(DW1, lambda n: n.dC_dW(1), lambda n: expr(n, bcast_mul, bcast_mul), layer=1),
        ),
        Reading(
            "* elementwise with broadcasting, . the matrix product",
            one_equation(DW1, lambda n: n.dC_dW(1), lambda n: expr(n, bcast_mul, matmul), layer=1),
        ),
        Reading(
            "* and . as matrix products",
            one_equation(DW1, lambda n: n.dC_dW(1), lambda n: expr(n, matmul, matmul), layer=1),
        ),
    )


def eq5_fixed(n):
    """((w²)ᵀ (δ² * σ′(z²))) * σ′(z¹) (a⁰)ᵀ with δ² = a² − y: the inner-layer gradient."""
    return bcast_mul(n.W[2].T * bcast_mul(n.a[2] - n.y, sigma_prime_at(n, 2)), sigma_prime_at(n, 1)) * n.a[0].T


def slice_readings(l):
    """B.4 and (4.1): ∂a^l/∂w^l printed as the (n_l, n_{l−1}) matrix σ′(z^l) * (a^{l−1})ᵀ."""
    name = rf"\frac{{\partial a^{l}}}{{\partial w^{l}}}"
    side = lambda n: bcast_mul(sigma_prime_at(n, l), n.a[l - 1].T)  # noqa: E731
    return (
        Reading(
            f"row i is ∂a^{l}_i/∂w^{l}_(i,·), the slice where the weight feeds neuron i",
            one_equation(name, lambda n: jacobian_slice(n, "dadW", l), side, layer=l),
        ),
        Reading(
            f"the whole Jacobian ∂a^{l}_i/∂w^{l}_jk, one entry per i, j, k",
            one_equation(name, lambda n: flat_jacobian(n, "dadW", l), side, layer=l),
        ),
    )


def jacobian_of_sigma(n):
    """∂σ(w² a¹ + b²)/∂a¹ by differentiating with fresh symbols in place of a¹, then putting a¹ back."""
    A = sp.Matrix(n.sizes[1], 1, lambda k, _: sp.Dummy(f"a{k}"))
    outer = n.sigma_of(n.W[2] * A + n.b[2])
    back = dict(zip(A, n.a[1]))
    return sp.Matrix(n.sizes[2], n.sizes[1], lambda i, k: sp.diff(outer[i], A[k]).xreplace(back))


def b3_row(n, j):
    return sp.Matrix([[sp.diff(n.z[2][j], n.W[2][j, k]) for k in range(n.sizes[1])]])


def whole_layer_sum(n):
    """NumPy's sum(w² * a¹ᵀ) with no axis: Σ_j Σ_k w²_jk a¹_k, one number."""
    return sp.Matrix([[sum(n.W[2][j, k] * n.a[1][k] for j in range(n.sizes[2]) for k in range(n.sizes[1]))]])


def chain_readings(name, truth, sides, texts, layer):
    """A chain whose products may be elementwise (NumPy) or matrix products: sides(star) gives its sides."""
    return tuple(
        Reading(
            words,
            matrix_chain(
                name,
                lambda n, l: truth(n),
                *[(lambda n, l, s=s: s(n)) for s in sides(star)],
                net=T,
                layers=[layer],
                texts=texts,
            ),
        )
        for words, star in (
            ("* and juxtaposition as NumPy's elementwise product with broadcasting", bcast_mul),
            ("* and juxtaposition as matrix products", matmul),
        )
    )


def check_update(n):
    """W_new = W_old − η ∂C/∂w is a descent step: d/dη C(w − η ∂C/∂w) at η = 0 equals −‖∂C/∂w‖²."""
    eta = sp.Symbol("eta", positive=True)
    G = n.dC_dW(1)
    moved = n.C.xreplace({n.W[1][i]: n.W[1][i] - eta * G[i] for i in range(len(G))})
    slope = sp.diff(moved, eta).subs(eta, 0)
    return [
        check(-sum(g**2 for g in G), slope, name=r"\left.\frac{d}{d\eta} C(w - \eta \nabla_w C)\right|_{\eta=0}", net=n)
    ]


def check_42(n):
    """(4.2): ∂(½‖y − a²‖²)/∂a² by differentiating with fresh symbols for a², then each printed side."""
    A = sp.Matrix(n.sizes[2], 1, lambda j, _: sp.Dummy(f"a{j}"))
    half_norm = sp.Rational(1, 2) * sum((n.y[j] - A[j]) ** 2 for j in range(n.sizes[2]))
    side1 = sp.Matrix([sp.diff(half_norm, A[j]) for j in range(n.sizes[2])]).xreplace(dict(zip(A, n.a[2])))
    truth = n.omega(2)
    name = r"\frac{\partial C}{\partial a^{2}}"
    return [
        check(side1, truth, name=name, net=n),
        check(sp.Rational(1, 2) * 2 * (n.a[2] - n.y), truth, name=name, net=n),
        check(n.a[2] - n.y, truth, name=name, net=n),
    ]


def entries():
    """Every displayed equation of source 003: the output layer's (Eq A, B, B.1-B.4) then the inner layer's."""
    from . import source003_inner, source003_outer

    return source003_outer.entries() + source003_inner.entries()
