"""Pins of the index-notation engine (issue #13): the einsum twin's exact code and values, prove_index's verdicts
and renderings for symbolic widths, and the exact words of check_index's search for the slip."""

import numpy as np
import pytest
import sympy as sp

from backprop_lib.symbolic import (
    IndexProof,
    SymbolicNetwork,
    check_index,
    parse_index,
    prove_index,
    sigma,
    sigma_prime,
    to_einsum,
)
from backprop_lib.symbolic.einsum import EinsumForm
from backprop_lib.symbolic.index_diagnose import diagnose_index
from backprop_lib.verdict import CheckFailed

RECURSION = "delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_k)"


# ---------------------------------------------------------------------------------------------------------------
# to_einsum: the code a reader sees, and what it computes on the numeric core's arrays
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ns():
    """Random arrays of a 2-3-4-5 network in the numeric core's layout: W[k] is (n_k, n_{k-1}), vectors (n, 1)."""
    rng = np.random.default_rng(1)
    sizes = [2, 3, 4, 5]
    col = [rng.normal(size=(n, 1)) for n in sizes]
    space = {
        "W": [None] + [rng.normal(size=(sizes[k], sizes[k - 1])) for k in range(1, 4)],
        "b": [None] + [rng.normal(size=(n, 1)) for n in sizes[1:]],
        "z": [None] + [rng.normal(size=(n, 1)) for n in sizes[1:]],
        "a": col,
        "delta": [None] + [rng.normal(size=(n, 1)) for n in sizes[1:]],
        "Delta": [None] + [rng.normal(size=(n, 3)) for n in sizes[1:]],
        "x": col[0],
        "sigma": np.tanh,
        "sigma_prime": lambda t: 1 - np.tanh(t) ** 2,
        "exp": np.exp,
        "dadz": [None, None, None],
        "l": 2,
        "L": 3,
    }
    # the Jacobian ∂a²/∂z² = diag(σ′(z²))
    space["dadz"][2] = np.diag(space["sigma_prime"](space["z"][2])[:, 0])
    return space


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            RECURSION,
            'delta[l] = (np.einsum("k,mk,m->k", sigma_prime(z[l][:, 0]), W[l + 1], delta[l + 1][:, 0]))[:, None]',
        ),
        # an explicit Sum gives the same code as the Einstein convention
        (
            "delta[l]_k = Sum(delta[l+1]_m * W[l+1]_mk, m) * sigma_prime(z[l]_k)",
            'delta[l] = (np.einsum("k,mk,m->k", sigma_prime(z[l][:, 0]), W[l + 1], delta[l + 1][:, 0]))[:, None]',
        ),
        # a matrix on the left: no column made of the result
        ("dC_dW[l]_jk = delta[l]_j a[l-1]_k", 'dW[l] = np.einsum("k,j->jk", a[l - 1][:, 0], delta[l][:, 0])'),
        # a sum of terms in parentheses; a single operand with the output's axes is written as itself
        (
            "z[l]_j = W[l]_jk a[l-1]_k + b[l]_j",
            'z[l] = ((b[l][:, 0] + np.einsum("jk,k->j", W[l], a[l - 1][:, 0])))[:, None]',
        ),
        ("dC_db[l]_i = delta[l]_i", "db[l] = (delta[l][:, 0])[:, None]"),
        ("dC_db[l]_i = 2 * delta[l]_i", "db[l] = (2 * delta[l][:, 0])[:, None]"),
        # a batched (two-index) vector is used whole and the result is not made a column
        (
            "dC_dW[l]_jk = Rational(1, 3) * Delta[l]_js a[l-1]_ks",
            'dW[l] = 1/3 * np.einsum("ks,js->jk", a[l - 1], Delta[l])',
        ),
        ("Delta[l]_js = 2 * Delta[l]_js", "Delta[l] = 2 * Delta[l]"),
        # the layerless quantities: no [layer]
        ("dC_dW[l]_jk = delta[l]_j x_k", 'dW[l] = np.einsum("k,j->jk", x[:, 0], delta[l][:, 0])'),
        ("y_j = a[L]_j", "y = (a[L][:, 0])[:, None]"),
        (
            "delta[L]_j = gradC_j * sigma_prime(z[L]_j)",
            'delta[L] = (np.einsum("j,j->j", sigma_prime(z[L][:, 0]), grad_C[:, 0]))[:, None]',
        ),
        # the numeric core's names of dC/dz, dC/da; a Jacobian keeps its own name and is no vector
        ("dC_dz[l]_j = delta[l]_j", "delta[l] = (delta[l][:, 0])[:, None]"),
        ("dC_da[l]_j = omega[l]_j", "omega[l] = (omega[l][:, 0])[:, None]"),
        ("lam[l]_j = delta[l]_j", "lam[l] = (delta[l][:, 0])[:, None]"),
        ("dzda[l]_jk = W[l]_jk", "dzda[l] = W[l]"),
        # a transpose needs an einsum even with one operand
        ("dC_dW[l]_jk = W[l]_kj", 'dW[l] = np.einsum("kj->jk", W[l])'),
        # a constant term: 1, or its coefficient times 1
        ("a[l]_j = z[l]_j + 1", "a[l] = ((1 + z[l][:, 0]))[:, None]"),
        ("a[l]_j = z[l]_j + 2", "a[l] = ((2 * 1 + z[l][:, 0]))[:, None]"),
        # σ of a sum: its argument is generated on the sum's own open indices
        ("b[l]_j = sigma(z[l]_j + b[l]_j)", "b[l] = (sigma((b[l][:, 0] + z[l][:, 0])))[:, None]"),
        # numbers inside and outside a Sum multiply into one coefficient
        (
            "z[l]_j = 2 * Sum(3 * W[l]_jk a[l-1]_k, k)",
            'z[l] = (6 * np.einsum("jk,k->j", W[l], a[l - 1][:, 0]))[:, None]',
        ),
        # σ of a matrix keeps both axes
        ("dC_dW[l]_jk = sigma(W[l]_jk)", "dW[l] = sigma(W[l])"),
        # δ_jk (∂a/∂z)_kk: the diagonal of the Jacobian; np.eye's length from the first axis of k
        (
            "dC_dz[l]_j = KroneckerDelta(j, k) dadz[l]_kk",
            'delta[l] = (np.einsum("jk,kk->j", np.eye(dadz[l].shape[0]), dadz[l]))[:, None]',
        ),
        # the square of σ of a matrix, and of a transposed matrix: the base keeps its own axes
        ("dC_dW[l]_jk = sigma(W[l]_jk)**2", 'dW[l] = np.einsum("jk,jk->jk", sigma(W[l]), sigma(W[l]))'),
        ("dC_dW[l]_jk = W[l]_kj**2", 'dW[l] = np.einsum("kj,kj->jk", W[l], W[l])'),
        # a square is the operand twice, for a quantity and for σ′(...) alike
        ("z[l]_j = b[l]_j**2", 'z[l] = (np.einsum("j,j->j", b[l][:, 0], b[l][:, 0]))[:, None]'),
        (
            "delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_k)**2",
            'delta[l] = (np.einsum("mk,m,k,k->k", W[l + 1], delta[l + 1][:, 0], sigma_prime(z[l][:, 0]), '
            "sigma_prime(z[l][:, 0])))[:, None]",
        ),
    ],
)
def test_einsum_code_is_pinned(text, expected):
    form = to_einsum(text)
    assert repr(form) == expected
    assert f"{form.lhs} = {form.code}" == expected


def test_to_einsum_takes_a_parsed_equation():
    assert repr(to_einsum(parse_index(RECURSION))) == repr(to_einsum(RECURSION))


@pytest.mark.parametrize(
    "text, truth",
    [
        (RECURSION, lambda s: (s["W"][3].T @ s["delta"][3]) * s["sigma_prime"](s["z"][2])),
        (
            "delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_k)**2",
            lambda s: (s["W"][3].T @ s["delta"][3]) * s["sigma_prime"](s["z"][2]) ** 2,
        ),
        ("dC_dW[l]_jk = delta[l]_j a[l-1]_k", lambda s: s["delta"][2] @ s["a"][1].T),
        ("z[l]_j = W[l]_jk a[l-1]_k + b[l]_j", lambda s: s["W"][2] @ s["a"][1] + s["b"][2]),
        ("dC_dW[l]_jk = Rational(1, 3) * Delta[l]_js a[l-1]_ks", None),
        ("dC_dW[l]_jk = W[l]_kj", lambda s: s["W"][2].T),
        ("a[l]_j = z[l]_j + 2", lambda s: s["z"][2] + 2),
        ("b[l]_j = sigma(z[l]_j + b[l]_j)", lambda s: np.tanh(s["z"][2] + s["b"][2])),
        ("z[l]_j = b[l]_j**3", lambda s: s["b"][2] ** 3),
        ("z[l]_j = 2 * Sum(3 * W[l]_jk a[l-1]_k, k)", lambda s: 6 * s["W"][2] @ s["a"][1]),
        ("dC_dW[l]_jk = sigma(W[l]_jk)", lambda s: np.tanh(s["W"][2])),
        ("dC_dz[l]_j = KroneckerDelta(j, k) dadz[l]_kk", lambda s: s["sigma_prime"](s["z"][2])),
        # δ_ji W_ik = W_jk and W_ji δ_ik = W_jk: np.eye takes the length of the axis δ's index pairs with
        ("dC_dW[l]_jk = KroneckerDelta(j, i) W[l]_ik", lambda s: s["W"][2]),
        ("dC_dW[l]_jk = W[l]_ji KroneckerDelta(i, k)", lambda s: s["W"][2]),
        ("dC_dW[l]_ij = delta[l]_k KroneckerDelta(k, i) a[l-1]_j", lambda s: s["delta"][2] @ s["a"][1].T),
        ("dC_db[l]_j = KroneckerDelta(j, k) delta[l]_k b[l]_j", lambda s: s["delta"][2] * s["b"][2]),
        # index names that cannot name an einsum axis get a fresh letter, without clashing with a real i
        ("dC_dW[l]_{mu,i} = delta[l]_{mu} a[l-1]_{i}", lambda s: s["delta"][2] @ s["a"][1].T),
        ("dC_dW[l]_{μ,k} = delta[l]_{μ} a[l-1]_{k}", lambda s: s["delta"][2] @ s["a"][1].T),
    ],
)
def test_einsum_twin_computes_the_equation(ns, text, truth):
    out = to_einsum(text).evaluate(ns)
    if truth is None:  # the batched average (1/m) Δ a^T with m = 3 samples
        a_batch = np.ones((3, 3))
        out = to_einsum(text).evaluate({**ns, "a": [None, a_batch]})
        expected = ns["Delta"][2] @ a_batch.T / 3
    else:
        expected = truth(ns)
    assert out.shape == expected.shape
    assert np.allclose(out, expected)


def test_einsum_axis_letters_for_foreign_index_names():
    # mu takes the first letter of the pool (i); the index really named i then takes the next free one (j)
    assert to_einsum("dC_dW[l]_{mu,i} = delta[l]_{mu} a[l-1]_{i}").code == (
        'np.einsum("j,i->ij", a[l - 1][:, 0], delta[l][:, 0])'
    )
    # a non-ASCII letter cannot name an einsum axis
    assert to_einsum("dC_dW[l]_{μ,k} = delta[l]_{μ} a[l-1]_{k}").code == (
        'np.einsum("k,i->ik", a[l - 1][:, 0], delta[l][:, 0])'
    )


def test_einsum_kronecker_delta_takes_its_length_from_the_paired_axis():
    assert to_einsum("dC_dW[l]_jk = KroneckerDelta(j, i) W[l]_ik").code == (
        'np.einsum("ij,ik->jk", np.eye(W[l].shape[0]), W[l])'
    )
    assert to_einsum("dC_dW[l]_jk = W[l]_ji KroneckerDelta(i, k)").code == (
        'np.einsum("ik,ji->jk", np.eye(W[l].shape[1]), W[l])'
    )
    # two factors pair with δ: the first one found gives the length
    assert to_einsum("dC_db[l]_j = KroneckerDelta(j, k) delta[l]_k b[l]_j").code == (
        '(np.einsum("jk,j,k->j", np.eye(b[l][:, 0].shape[0]), b[l][:, 0], delta[l][:, 0]))[:, None]'
    )
    assert to_einsum("dC_dW[l]_ij = delta[l]_k KroneckerDelta(k, i) a[l-1]_j").code == (
        'np.einsum("ik,j,k->ij", np.eye(delta[l][:, 0].shape[0]), a[l - 1][:, 0], delta[l][:, 0])'
    )


def test_einsum_of_another_one_argument_function():
    # a function other than σ, σ′ keeps its SymPy name and comes from the namespace
    eq = parse_index("a[l]_j = z[l]_j")
    form = to_einsum(eq.with_changes(rhs_raw=sp.exp(eq.rhs_raw)))
    assert form.code == "(exp(z[l][:, 0]))[:, None]"


@pytest.mark.parametrize(
    "text, message",
    [
        ("dC_dW[l]_jk = KroneckerDelta(j, k)", "^KroneckerDelta needs an indexed factor sharing one of its indices$"),
        # a power below 1 is no product of operands: refused, not dropped
        ("a[l]_j = 1/z[l]_j", r"^cannot write 1/z\^\{l\}\[j\] as an einsum operand$"),
        ("a[l]_j = l * z[l]_j", "^cannot write l as an einsum operand$"),
    ],
)
def test_einsum_refuses_what_it_cannot_write(text, message):
    with pytest.raises(ValueError, match=message):
        to_einsum(text)


def test_einsum_evaluate_runs_without_builtins_and_leaves_the_namespace_alone():
    form = EinsumForm("v", "np.sum(x)")
    assert form.evaluate({"x": np.ones(3)}) == 3.0
    with pytest.raises(NameError):
        EinsumForm("v", "len(x)").evaluate({"x": np.ones(3)})
    space = {"x": 1}
    assert EinsumForm("v", "(t := x + 1)").evaluate(space) == 2
    assert space == {"x": 1}


# ---------------------------------------------------------------------------------------------------------------
# prove_index: verdicts for symbolic widths and their renderings
# ---------------------------------------------------------------------------------------------------------------
N, M = sp.symbols("n m", integer=True, positive=True)
I, J, K = sp.Idx("i", N), sp.Idx("j", N), sp.Idx("k", M)
A, B = sp.IndexedBase("a"), sp.IndexedBase("b")


def _sum_i(f):
    return sp.Sum(f, (I, 0, N - 1))


def test_index_proof_renderings_when_proved():
    p = prove_index(A[I] + B[I], B[I] + A[I])
    assert p.ok is True and bool(p) is True
    assert p.message == "proved for every width: the difference is zero"
    assert repr(p) == "IndexProof(ok=True, message='proved for every width: the difference is zero')"
    # an Idx prints as its bare letter, not with its range
    assert p._repr_latex_() == r"$${a}_{i} + {b}_{i} = {a}_{i} + {b}_{i}\quad\checkmark\ \text{proved for all widths}$$"
    assert p._repr_markdown_() == (
        "**✔ proved for all widths**: proved for every width: the difference is zero\n\n" + p._repr_latex_() + "\n"
    )
    assert p.require() is p


def test_index_proof_renderings_when_not_proved():
    p = prove_index(A[I], B[I], name="c_i")
    assert p.ok is False and bool(p) is False
    assert p.message == "not equal: the difference is ${a}_{i} - {b}_{i}$"
    assert p.name == "c_i" and p.lhs == A[I] and p.rhs == B[I]
    assert p._repr_latex_() == r"$$c_i = {b}_{i}\quad\times\ \text{not equal}$$"
    assert p._repr_markdown_() == (
        "**✘ not proved**: not equal: the difference is ${a}_{i} - {b}_{i}$\n\n$$c_i = {b}_{i}\\quad\\times\\ "
        "\\text{not equal}$$\n"
    )
    with pytest.raises(CheckFailed, match=r"^✘ not equal: the difference is \$\{a\}_\{i\} - \{b\}_\{i\}\$$"):
        p.require()


def test_index_proof_ok_is_a_bool():
    assert IndexProof(1, "m", A[I], A[I]).ok is True
    assert IndexProof([], "m", A[I], A[I]).ok is False
    # without a name the left side is printed
    assert IndexProof(True, "m", A[I], A[I])._repr_latex_().startswith("$${a}_{i} = {a}_{i}")


def test_a_kronecker_delta_summed_over_its_own_range_sifts():
    # sum_{i<n} δ_ij a_i = a_j for j in 0..n-1: n >= j + 1 holds at both ends of the range of j
    assert prove_index(_sum_i(sp.KroneckerDelta(I, J) * A[I]), A[J]).ok
    assert prove_index(_sum_i(sp.KroneckerDelta(I, sp.Idx("j", (0, N - 2))) * A[I]), A[sp.Idx("j", (0, N - 2))]).ok


@pytest.mark.parametrize(
    "j",
    [
        sp.Idx("k", M),  # k runs over 0..m-1: a_k only where k < n
        sp.Idx("j", (0, N)),  # j = n lies outside the sum: the condition fails at the upper end of j's range
        sp.Symbol("j", integer=True),  # a plain symbol has no range: nothing is known
        sp.Idx("j"),  # nor of an Idx without a range
    ],
)
def test_a_kronecker_delta_summed_over_another_range_is_not_sifted(j):
    s = _sum_i(sp.KroneckerDelta(I, j) * A[I])
    assert not prove_index(s, A[j]).ok
    # nor is it 0: for k < n it is a_k (the default branch of the Piecewise holds only outside the range)
    assert not prove_index(s, 0).ok


def test_a_kronecker_delta_factor_is_contracted():
    # δ_ij a_j = δ_ij a_i for every i, j; without the δ the two differ
    assert prove_index(sp.KroneckerDelta(I, J) * A[J] * B[I], sp.KroneckerDelta(I, J) * A[I] * B[J]).ok
    assert prove_index(sp.KroneckerDelta(I, J) * A[J], sp.KroneckerDelta(J, I) * A[I]).ok
    assert prove_index(sp.KroneckerDelta(I, 0) * A[I], sp.KroneckerDelta(I, 0) * A[0]).ok
    # δ_ij a_j + δ_ij a_i = 2 δ_ij a_i: each term is contracted to δ_ij a_i before the terms are compared
    assert prove_index(
        sp.KroneckerDelta(I, J) * A[J] + sp.KroneckerDelta(I, J) * A[I], 2 * sp.KroneckerDelta(I, J) * A[I]
    ).ok
    # two deltas in one term: δ_ij δ_jk a_k = δ_ij δ_jk a_i
    k = sp.Idx("k", N)
    deltas = sp.KroneckerDelta(I, J) * sp.KroneckerDelta(J, k)
    assert prove_index(deltas * A[k], deltas * A[I]).ok
    p = prove_index(sp.KroneckerDelta(I, J) * A[J], A[I])
    assert not p.ok
    assert p.message == r"not equal: the difference is $\left(\delta_{i j} - 1\right) {a}_{i}$"


def test_sums_with_equal_limits_are_merged():
    # 2 Σ a - Σ a leaves Σ a, named in the message; merging must not drop it
    p = prove_index(2 * _sum_i(A[I]), _sum_i(A[I]))
    assert not p.ok
    assert p.message == r"not equal: the difference is $\sum_{i=0}^{n - 1} {a}_{i}$"
    # x Σ a = Σ x a with so many terms (over 300 operations) that simplify is skipped: merging alone proves it
    xs = sp.symbols("x0:30")
    bases = [sp.IndexedBase(f"a{t}") for t in range(30)]
    lhs = sp.Add(*[x * _sum_i(a[I]) for x, a in zip(xs, bases)])
    rhs = sp.Add(*[_sum_i(x * a[I]) for x, a in zip(xs, bases)])
    assert prove_index(lhs, rhs).ok
    assert not prove_index(lhs, rhs - _sum_i(xs[0] * bases[0][I]) + _sum_i(xs[0] * bases[1][I])).ok


def test_merging_keeps_the_other_terms_and_never_captures_a_free_index():
    # 2 Σ a + x - Σ a = x + Σ a: the term without a sum stays
    p = prove_index(2 * _sum_i(A[I]) + sp.Symbol("x"), _sum_i(A[I]))
    assert p.message == r"not equal: the difference is $x + \sum_{i=0}^{n - 1} {a}_{i}$"
    # a_i Σ_i b_i is not Σ_i a_i b_i: a coefficient holding the summed index is not pulled into the sum
    assert not prove_index(A[I] * _sum_i(B[I]), _sum_i(A[I] * B[I])).ok
    assert prove_index(sp.Symbol("x") * _sum_i(B[I]), _sum_i(sp.Symbol("x") * B[I])).ok


def test_products_of_sums_are_left_to_simplify():
    # a term with two sums is not merged; simplify still sees Σa Σb - Σb Σa = 0
    assert prove_index(_sum_i(A[I]) * _sum_i(B[I]), _sum_i(B[I]) * _sum_i(A[I])).ok
    assert not prove_index(_sum_i(A[I]) * _sum_i(B[I]), _sum_i(A[I]) * _sum_i(A[I])).ok


def test_simplify_is_skipped_from_300_operations_on():
    # sin² + cos² = 1 needs simplify; 50 such pairs are 300 operations, the cap where simplify is not tried
    xs = sp.symbols("x0:50")
    assert prove_index(sp.sin(xs[0]) ** 2 + sp.cos(xs[0]) ** 2, 1).ok
    big = sp.Add(*[sp.sin(x) ** 2 + sp.cos(x) ** 2 for x in xs])
    assert sp.count_ops(big - 50) == 300
    assert not prove_index(big, 50).ok


def test_nested_sums_are_evaluated_until_nothing_changes():
    # Σ_i d_i ∂z_i/∂W_jk needs the outer sum evaluated before the inner delta can be sifted
    p_idx = sp.Idx("p", M)
    W, d = sp.IndexedBase("W"), sp.IndexedBase("d")
    kk = sp.Idx("k", M)
    z_i = sp.Sum(W[I, p_idx] * A[p_idx], (p_idx, 0, M - 1))
    lhs = _sum_i(d[I] * sp.diff(z_i, W[J, kk]))
    assert prove_index(lhs, d[J] * A[kk]).ok
    assert not prove_index(lhs, d[kk] * A[J]).ok


def test_the_recursion_step_needs_sigma_prime():
    n_l, n_next = sp.symbols("n_l n_next", integer=True, positive=True)
    i, q, m = sp.Idx("i", n_l), sp.Idx("q", n_l), sp.Idx("m", n_next)
    z, W = sp.IndexedBase("z"), sp.IndexedBase("W")
    z1_m = sp.Sum(W[m, q] * sigma(z[q]), (q, 0, n_l - 1))
    assert prove_index(sp.diff(z1_m, z[i]), W[m, i] * sigma_prime(z[i])).ok
    assert not prove_index(sp.diff(z1_m, z[i]), W[m, i] * sigma(z[i])).ok


# ---------------------------------------------------------------------------------------------------------------
# check_index's diagnosis: the exact words of each slip, and the search's limits
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def net():
    return SymbolicNetwork([2, 3, 4, 5])


@pytest.mark.parametrize(
    "text, first",
    [
        # the left-hand side: the output layer L is tried before l + 1 (both are 3 here)
        ("delta[l]_j = gradC_j * sigma_prime(z[L]_j)", "the left-hand side should be delta^{L}, not delta^{l}"),
        (
            "delta[l+1]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_k)",
            "the left-hand side should be delta^{l}, not delta^{l + 1}",
        ),
        (
            "dC_dW[l+1]_jk = delta[l]_j a[l-1]_k",
            "the left-hand side should be ∂C/∂W^{l}, not ∂C/∂W^{l + 1}",
        ),
        ("dC_db[l+1]_j = delta[l]_j", "the left-hand side should be ∂C/∂b^{l}, not ∂C/∂b^{l + 1}"),
        # on the right, l + 1 is tried before L
        ("delta[l]_k = delta[l]_m * W[l+1]_mk * sigma_prime(z[l]_k)", "uses delta^{l} where delta^{l + 1} belongs"),
        ("delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l+1]_k)", "uses z^{l + 1} where z^{l} belongs"),
        ("dC_dW[l]_jk = dC_dz[l+1]_j a[l-1]_k", "uses ∂C/∂z^{l + 1} where ∂C/∂z^{l} belongs"),
        ("dC_db[l]_j = dC_da[l+1]_j sigma_prime(z[l]_j)", "uses ∂C/∂a^{l + 1} where ∂C/∂a^{l} belongs"),
        ("delta[l]_k = delta[l+1]_m dzda[l]_mk sigma_prime(z[l]_k)", "uses dzda^{l} where dzda^{l + 1} belongs"),
        ("dC_dW[l]_jk = lam[l-1]_j a[l-1]_k", "uses lambda^{l - 1} where lambda^{l} belongs"),
        (
            "delta[l]_k = delta[l+1]_m * W[l+1]_km * sigma_prime(z[l]_k)",
            "W^{l + 1}_{km} should be W^{l + 1}_{mk} (transposed: the sum runs over the wrong index of W)",
        ),
        (
            "delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_m)",
            "index m of z^{l} should be k (it sums or pairs over the wrong index)",
        ),
        ("a[l]_j = sigma_prime(z[l]_j)", "σ′ where σ belongs"),
        ("omega[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_k)", "an extra factor σ′"),
        # two slips at once, joined in the order they were searched
        (
            "delta[l]_k = delta[l+1]_m * W[l]_mk * sigma(z[l]_k)",
            "uses W^{l} where W^{l + 1} belongs and σ where σ′ belongs",
        ),
    ],
)
def test_diagnosis_words(net, text, first):
    res = check_index(text, net, l=2)
    assert not res.ok
    assert res.message == first
    assert res.diagnosis[0] == first


def test_each_other_layer_is_tried(net):
    # at l = 1 the output layer L = 3 is neither l + 1 nor l - 1: each of the three candidates is needed
    assert check_index("dC_dW[l]_jk = delta[l+1]_j a[l]_k", net, l=1).message == (
        "the left-hand side should be ∂C/∂W^{l + 1}, not ∂C/∂W^{l}"
    )
    assert check_index("delta[L]_j = gradC_j * sigma_prime(z[l]_j)", net, l=1).message == (
        "uses z^{l} where z^{L} belongs"
    )


def test_a_layerless_quantity_is_named_by_itself(net):
    res = check_index("dC_dW[l]_jk = delta[l]_j x_j", net, l=1)
    assert res.message == "index j of x should be k (it sums or pairs over the wrong index)"
    # a layerless factor (gradC, sorted first) has no other layer to try; the search goes on to z
    res = check_index("delta[L]_j = gradC_j * sigma_prime(z[l]_j)", net, l=2)
    assert res.message == "uses z^{l} where z^{l + 1} belongs"


def test_diagnosis_gives_the_corrected_equation(net):
    fixes, fixed = diagnose_index(parse_index("dC_dW[l]_jk = delta[l]_j a[l]_k"), net, 2, 0)
    assert fixes == ["uses a^{l} where a^{l - 1} belongs"]
    assert fixed.latex() == parse_index("dC_dW[l]_jk = delta[l]_j a[l-1]_k").latex()
    assert check_index(fixed, net, l=2).ok


def test_diagnosis_search_respects_its_budget_and_depth(net):
    eq = parse_index("delta[l]_k = delta[l+1]_m * W[l]_mk * sigma(z[l]_k)")
    fixes, fixed = diagnose_index(eq, net, 2, 0)
    assert fixes == ["uses W^{l} where W^{l + 1} belongs", "σ where σ′ belongs"]
    assert check_index(fixed, net, l=2).ok
    # two slips need two edits: one level of search, or a budget of one try, finds nothing
    assert diagnose_index(eq, net, 2, 0, max_depth=1) == (None, None)
    # only edits whose shapes fit count against the budget: this fix is the third such try
    assert diagnose_index(eq, net, 2, 0, budget=2) == (None, None)
    assert diagnose_index(eq, net, 2, 0, budget=3)[0] == fixes
    # a single slip is found on the first level
    one = parse_index("delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma(z[l]_k)")
    assert diagnose_index(one, net, 2, 0, max_depth=1)[0] == ["σ where σ′ belongs"]


def test_an_equation_with_two_different_sigma_atoms_is_diagnosed():
    # the slip search sorts the σ(...) and σ′(...) atoms by their text: SymPy cannot order two of them itself
    both = check_index("delta[l]_k = delta[l+1]_m W[l+1]_mk sigma(z[l]_k) sigma(z[l+1]_m)")
    assert not both.ok and both.message.startswith("no single typical slip explains it")
    primes = check_index("delta[l]_k = delta[l+1]_m W[l+1]_mk sigma_prime(z[l]_k) sigma_prime(z[l+1]_m)")
    assert not primes.ok and primes.message == "an extra factor σ′"
