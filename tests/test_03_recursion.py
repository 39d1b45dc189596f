"""Tests mirroring notebooks/03_recursion.ipynb: the chain rule (3.1)-(3.2), the Kronecker-delta steps (3.3) for
arbitrary widths, the recursion (3.4), the gradients (3.5)-(3.6) and the gradient check (3.7); typical slips are
rejected with the right diagnosis. The exercises (backprop_lib/course/exercises/ch03.py): the instructor's solution
passes every case through the grader's path, a blank answer is "not answered yet", every typical slip is named in
the first line of a failure of at most 5 lines, with no TeX braces. The quizzes and the notebook's one-line cells.
"""

import nbtools
import numpy as np
import pytest
import sympy as sp

from backprop_lib import MLP, compare, gradient_check
from backprop_lib.symbolic import SymbolicNetwork, cached_network, check, sigma, sigma_prime
from backprop_lib.symbolic.index import check_index, prove_index, to_einsum
from backprop_lib.symbolic.text import plain

NOTEBOOK = nbtools.NOTEBOOKS / "03_recursion.ipynb"
RECURSION = "delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_k)"


@pytest.fixture(scope="module")
def sym():
    """The notebook's network: widths 2-3-4-5, undefined sigma, generic cost."""
    return cached_network((2, 3, 4, 5))


@pytest.fixture(scope="module")
def sym4553():
    """A second non-square network, 4-5-5-3 (two adjacent layers of equal width)."""
    return cached_network((4, 5, 5, 3))


def _recursion_entrywise(net, l):
    n_l, n_next = net.sizes[l], net.sizes[l + 1]
    return sp.Matrix(
        n_l,
        1,
        lambda k, _: (
            sum(net.W[l + 1][m, k] * net.delta(l + 1)[m] for m in range(n_next)) * net.sigma_prime_f(net.z[l][k])
        ),
    )


# ---------------------------------------------------------------------------------------------- (3.1), (3.2)
@pytest.mark.parametrize("l", [1, 2, 3])
def test_chain_rule_through_one_weight(sym, l):
    n_l, n_prev = sym.sizes[l], sym.sizes[l - 1]
    three = sp.Matrix(n_l, n_prev, lambda k, j: sym.omega(l)[k] * sym.sigma_prime_f(sym.z[l][k]) * sym.a[l - 1][j])
    assert check(three, sym.dC_dW(l), net=sym).ok


def test_chain_rule_without_sigma_prime_is_rejected(sym):
    l = 2
    bad = sp.Matrix(sym.sizes[l], sym.sizes[l - 1], lambda k, j: sym.omega(l)[k] * sym.a[l - 1][j])
    result = check(bad, sym.dC_dW(l), net=sym)
    assert not result.ok
    assert "misses σ′ at layer 2" in result.message


@pytest.mark.parametrize("l", [0, 1, 2])
def test_dC_da_is_a_sum_over_the_next_layer(sym, l):
    assert check_index("dC_da[l]_k = delta[l+1]_m * W[l+1]_mk", net=sym, l=l).ok


def test_one_path_only_is_rejected(sym):
    l = 1
    one_path = sp.Matrix(sym.sizes[l], 1, lambda k, _: sym.delta(l + 1)[0] * sym.W[l + 1][0, k])
    result = check(one_path, sym.omega(l), net=sym)
    assert not result.ok and result.mismatches


def test_source_002_bias_slip_is_rejected(sym):
    result = check(lambda net: net.W[2] * net.a[1] + net.b[1], sym.z[2], net=sym)
    assert not result.ok and "shape mismatch" in result.message


# ---------------------------------------------------------------------------------------------- (3.3)
def _widths():
    return sp.symbols("n_{l-1} n_l n_{l+1}", integer=True, positive=True)


def test_kronecker_steps_hold_for_every_width():
    n_prev, n_l, _ = _widths()
    i, j = sp.Idx("i", n_l), sp.Idx("j", n_l)
    k, p = sp.Idx("k", n_prev), sp.Idx("p", n_prev)
    W, b, a, x, err = (sp.IndexedBase(s) for s in ("W", "b", "a", "x", "delta"))
    z_i = sp.Sum(W[i, p] * a[p], (p, 0, n_prev - 1)) + b[i]
    dz = sp.diff(z_i, W[j, k])
    assert prove_index(dz, sp.KroneckerDelta(i, j) * a[k]).ok  # (3.3)
    assert prove_index(sp.Sum(sp.KroneckerDelta(i, j) * x[j], (j, 0, n_l - 1)), x[i]).ok  # sifting
    assert prove_index(sp.diff(z_i, b[j]), sp.KroneckerDelta(i, j)).ok
    assert prove_index(sp.Sum(err[i] * sp.KroneckerDelta(i, j) * a[k], (i, 0, n_l - 1)), err[j] * a[k]).ok
    # falsifiable: swapped indices, an unsifted sum
    assert not prove_index(dz, sp.KroneckerDelta(i, k) * a[j]).ok
    assert not prove_index(sp.Sum(err[i] * sp.KroneckerDelta(i, j) * a[k], (i, 0, n_l - 1)), err[i] * a[k]).ok


def test_recursion_step_holds_for_every_width():
    _, n_l, n_next = _widths()
    k, q, m = sp.Idx("k", n_l), sp.Idx("q", n_l), sp.Idx("m", n_next)
    W1, b1, z, d1 = (sp.IndexedBase(s) for s in ("W1", "b1", "z", "d1"))
    z_next = sp.Sum(W1[m, q] * sigma(z[q]), (q, 0, n_l - 1)) + b1[m]
    chain = sp.Sum(d1[m] * sp.diff(z_next, z[k]), (m, 0, n_next - 1))
    summed = sp.Sum(d1[m] * W1[m, k], (m, 0, n_next - 1))
    assert prove_index(chain, summed * sigma_prime(z[k])).ok
    assert not prove_index(chain, summed * sigma(z[k])).ok


@pytest.mark.parametrize("l", [1, 2, 3])
def test_kronecker_jacobian_on_a_concrete_network(sym, l):
    assert check_index("dzdW[l]_ijk = KroneckerDelta(i, j) * a[l-1]_k", net=sym, l=l).ok
    assert check_index("dC_dW[l]_jk = delta[l]_i * dzdW[l]_ijk", net=sym, l=l).ok
    assert not check_index("dzdW[l]_ijk = KroneckerDelta(i, k) * a[l-1]_j", net=sym, l=l).ok


# ---------------------------------------------------------------------------------------------- (3.4)
@pytest.mark.parametrize("l", [1, 2])
def test_recursion_holds_on_4553(sym4553, l):
    assert check(_recursion_entrywise(sym4553, l), sym4553.delta(l), net=sym4553).ok
    assert check_index(RECURSION, net=sym4553, l=l).ok


def test_recursion_holds_for_sigmoid_and_quadratic_cost():
    net = SymbolicNetwork([2, 3, 2], activation="sigmoid", cost="quadratic")
    assert check(_recursion_entrywise(net, 1), net.delta(1), net=net).ok


def test_recursion_with_sigma_for_sigma_prime_is_rejected(sym4553):
    l = 2
    bad = sp.Matrix(
        sym4553.sizes[l],
        1,
        lambda k, _: (
            sum(sym4553.W[l + 1][m, k] * sym4553.delta(l + 1)[m] for m in range(sym4553.sizes[l + 1]))
            * sym4553.sigma_f(sym4553.z[l][k])
        ),
    )
    result = check(bad, sym4553.delta(l), net=sym4553)
    assert not result.ok and "σ where σ′ belongs at layer 2" in result.message


@pytest.mark.parametrize(
    "wrong, expected",
    [
        ("delta[l]_k = delta[l+1]_m * W[l]_mk * sigma_prime(z[l]_k)", "W^{l} where W^{l + 1} belongs"),
        ("delta[l]_k = delta[l+1]_m * W[l+1]_km * sigma_prime(z[l]_k)", "W^{l + 1}_{mk}"),
        ("delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma(z[l]_k)", "σ where σ′ belongs"),
    ],
)
def test_recursion_slips_are_named(sym, wrong, expected):
    result = check_index(wrong, net=sym, l=1)
    assert not result.ok
    assert plain(expected) in plain(result.message)  # TeX or Unicode, the same words


def test_source_000_printed_recursion_names_three_slips(sym):
    result = check_index("delta[L]_i = delta[l+1]_k * W[l]_ki * sigma(z[l]_i)", net=sym, l=2)
    assert not result.ok
    message = plain(result.message)
    assert "left-hand side" in message and "where W" in message and "σ where σ′ belongs" in message
    corrected = "delta[l]_i = delta[l+1]_k * W[l+1]_ki * sigma_prime(z[l]_i)"
    assert all(check_index(corrected, net=sym, l=l).ok for l in (1, 2))


def test_einsum_twin_of_the_recursion_matches_the_package():
    net = MLP([4, 5, 5, 3], activation="sigmoid", cost="quadratic", seed=5)
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((4, 1)), rng.uniform(size=(3, 1))
    z = net.forward(x).z
    ref = net.gradients(x, y, method="per_sample").delta
    twin = to_einsum(RECURSION)
    for l in (1, 2):
        ours = twin.evaluate({"W": net.W, "delta": ref, "z": z, "sigma_prime": net.activation.sigma_prime, "l": l})
        assert compare(f"delta[{l}]", ours, ref[l], quiet=True).ok


# ---------------------------------------------------------------------------------------------- (3.5), (3.6)
@pytest.mark.parametrize("l", [1, 2, 3])
def test_bias_and_weight_gradients(sym, l):
    n_l, n_prev = sym.sizes[l], sym.sizes[l - 1]
    assert check(sym.delta(l), sym.dC_db(l), net=sym).ok
    assert check(sp.Matrix(n_l, n_prev, lambda j, k: sym.delta(l)[j] * sym.a[l - 1][k]), sym.dC_dW(l), net=sym).ok


@pytest.mark.parametrize("l", [2, 3])
def test_weight_gradient_on_4553(sym4553, l):
    assert check_index("dC_dW[l]_jk = delta[l]_j * a[l-1]_k", net=sym4553, l=l).ok


@pytest.mark.parametrize(
    "wrong, expected",
    [
        ("dC_dW[l]_jk = delta[l]_j * a[l]_k", "a^{l} where a^{l - 1} belongs"),
        ("dC_dW[l]_jk = delta[l]_k * a[l-1]_j", "should be j"),
    ],
)
def test_weight_gradient_slips_are_named(sym, wrong, expected):
    result = check_index(wrong, net=sym, l=2)
    assert not result.ok and plain(expected) in plain(result.message)


def test_weight_gradient_transposed_is_diagnosed(sym):
    l = 2
    result = check(sym.a[l - 1] * sym.delta(l).T, sym.dC_dW(l), net=sym)
    assert not result.ok and "transposed" in result.message


# ---------------------------------------------------------------------------------------------- numeric, (3.7)
def _backprop_one(net, x, y, slip=False):
    L = net.L
    fw = net.forward(x)
    z, a = fw.z, fw.a
    delta = [None] * (L + 1)
    delta[L] = net.cost.grad_a(a[L], y) * net.activation.sigma_prime(z[L])
    for l in range(L - 1, 0, -1):
        factor = net.activation.sigma(z[l]) if slip else net.activation.sigma_prime(z[l])
        delta[l] = (net.W[l + 1].T @ delta[l + 1]) * factor
    return [None] + [delta[l] @ a[l - 1].T for l in range(1, L + 1)], [None] + delta[1:]


def _mean_gradients(net, X, Y, slip=False):
    m = X.shape[1]
    dW = [None] + [np.zeros_like(W) for W in net.W[1:]]
    db = [None] + [np.zeros_like(b) for b in net.b[1:]]
    for s in range(m):
        gW, gb = _backprop_one(net, X[:, [s]], Y[:, [s]], slip)
        for l in range(1, net.L + 1):
            dW[l] += gW[l] / m
            db[l] += gb[l] / m
    return dW, db


def test_inline_per_sample_backprop_matches_package_and_gradient_check():
    net = MLP([4, 5, 5, 3], activation="sigmoid", cost="quadratic", seed=1)
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((4, 6)), rng.uniform(size=(3, 6))
    dW, db = _mean_gradients(net, X, Y)
    ref = net.gradients(X, Y, method="per_sample")
    for l in range(1, net.L + 1):
        assert compare(f"dW[{l}]", dW[l], ref.dW[l], quiet=True).ok
        assert compare(f"db[{l}]", db[l], ref.db[l], quiet=True).ok
    assert gradient_check(net, X, Y, grads=(dW, db)).ok


def test_gradient_check_flags_the_layers_the_recursion_touches():
    net = MLP([4, 5, 5, 3], activation="sigmoid", cost="quadratic", seed=1)
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((4, 6)), rng.uniform(size=(3, 6))
    report = gradient_check(net, X, Y, grads=_mean_gradients(net, X, Y, slip=True))
    assert not report.ok
    errors = {name: err for name, _, err in report.rows}
    assert errors["dW[3]"] < 1e-7 and errors["db[3]"] < 1e-7
    assert all(errors[n] > 1e-4 for n in ("dW[1]", "db[1]", "dW[2]", "db[2]"))


def test_central_difference_error_is_second_order():
    f = sp.Function("f")
    theta, eps = sp.symbols("theta epsilon")
    central = sp.series((f(theta + eps) - f(theta - eps)) / (2 * eps), eps, 0, 4).removeO().doit()
    one_sided = sp.series((f(theta + eps) - f(theta)) / eps, eps, 0, 2).removeO().doit()
    assert sp.simplify(central - f(theta).diff(theta) - eps**2 / 6 * f(theta).diff(theta, 3)) == 0
    assert sp.simplify(one_sided - f(theta).diff(theta) - eps / 2 * f(theta).diff(theta, 2)) == 0


# ---------------------------------------------------------------------------------------------- exercises
EXERCISES = {"3.1": 3, "3.2": 2, "3.3": 2}


def test_notebook_has_the_exercises():
    nbtools.assert_exercises(NOTEBOOK, EXERCISES)


STEP = "def delta_step(W, delta, z, sigma_prime, l):\n    return {}\n"
GRADIENT = "def weight_gradient(delta, a, l):\n    return {}\n"
INDEX = 'recursion_index = "{}"\n'

SLIPS = [
    ("3.1", STEP.format("(W[l + 1] @ delta[l + 1]) * sigma_prime(z[l])"), "a transpose is missing"),
    ("3.1", STEP.format("(W[l].T @ delta[l + 1]) * sigma_prime(z[l])"), "W[l] where W[l+1] belongs"),
    ("3.1", STEP.format("(W[l] @ delta[l + 1]) * sigma_prime(z[l])"), "W[l] where W[l+1] belongs"),
    ("3.1", STEP.format("(W[l + 1].T @ delta[l + 1]) * sigma_prime(z[l + 1])"), "σ′ at the wrong layer"),
    ("3.1", STEP.format("W[l + 1].T @ delta[l + 1]"), "misses σ′"),
    ("3.1", STEP.format("(W[l + 1].T @ delta[l + 1]) * np.tanh(z[l])"), "not NumPy's"),
    ("3.1", STEP.format("(W[l + 1].T @ delta[l]) * sigma_prime(z[l])"), "only delta[l+1] is filled in"),
    ("3.1", STEP.format("(W[l + 1].T @ delta[l + 1]) * sigma_prime(z[l]) / 2"), "1/2"),
    ("3.2", GRADIENT.format("a[l - 1] @ delta[l].T"), "transposed"),
    ("3.2", GRADIENT.format("delta[l] @ a[l].T"), "a[l] where a[l-1] belongs"),
    ("3.2", GRADIENT.format("delta[l] @ a[l - 1]"), "outer product delta[l] @ a[l-1].T"),
    ("3.2", GRADIENT.format("delta[l]"), "shape"),
    ("3.3", INDEX.format("delta[l]_k = delta[l+1]_m * W[l+1]_km * sigma_prime(z[l]_k)"), "transposed"),
    ("3.3", INDEX.format("delta[l]_k = delta[l+1]_m * W[l]_mk * sigma_prime(z[l]_k)"), "where W"),
    ("3.3", INDEX.format("delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma(z[l]_k)"), "σ where σ′ belongs"),
    ("3.3", INDEX.format("delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l+1]_k)"), "where z"),
    ("3.3", INDEX.format("delta[l]_k = delta[l+1]_m * W[l+1]_mk"), "misses σ′"),
    ("3.3", INDEX.format("delta[l]_k = delta[l]_m * W[l+1]_mk * sigma_prime(z[l]_k)"), "where delta"),
    ("3.3", INDEX.format("delta[l]_k = delta[l+1]_k * W[l+1]_mk * sigma_prime(z[l]_k)"), "index m"),
    ("3.3", INDEX.format("a[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_k)"), "left-hand side"),
    ("3.3", INDEX.format("().__class__"), "cannot be read"),
]


@pytest.mark.parametrize("exercise_id, source, slip", SLIPS, ids=[f"{e}-{s[:30]}" for e, _, s in SLIPS])
def test_typical_slips_are_named_first_in_at_most_five_lines(exercise_id, source, slip):
    lines = nbtools.assert_slip_named(exercise_id, source, slip)
    assert "corrected" not in "\n".join(lines)  # the answer is not given away


def test_numeric_case_names_sigma_for_sigma_prime():
    """On numbers alone (the symbolic cases passed), σ for σ′ in the recursion is still named."""

    def delta_step(W, delta, z, sigma_prime, l):
        return (W[l + 1].T @ delta[l + 1]) * (1 / (1 + np.exp(-z[l])))

    outcome = nbtools.judged_case("3.1", lambda c: c.params.get("numeric") and not c.hidden, delta_step)
    assert not outcome.ok and outcome.message.startswith("delta[1]: σ where σ′ belongs")


# ---------------------------------------------------------------------------------------------- quizzes, cells
RIGHT = {"3.1": [1, 3], "3.2": [0, 1], "3.3": [1]}


def test_one_line_checks_and_quizzes():
    nbtools.assert_quizzes(NOTEBOOK, RIGHT)  # the one-line check cells: test_notebook_has_the_exercises
    text = "\n".join(c.source for c in nbtools.cells(NOTEBOOK))
    assert "delta_step(W, delta, z, sigma_prime, l)" in text


def test_figures_have_captions():
    nbtools.assert_figures_captioned(NOTEBOOK, lambda source: "draw_three_layers(" in source or "Figure(" in source, 2)
