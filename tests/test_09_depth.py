"""Tests mirroring notebooks/09_depth.ipynb: one step back as D^l (W^(l+1))^T (9.1)-(9.2), the bound (9.3)-(9.4) and
its equality case, the random-weight identities (9.6)-(9.7) for every width, the measurement module
backprop_lib/depth.py, the softmax Jacobian (9.10) and the cancellations (9.11)-(9.12) for concrete and symbolic
widths, the quadratic cost with softmax (9.13), ReLU's kink (9.14) in a gradient check. The exercises
(backprop_lib/course/exercises/ch09.py): the instructor's solution passes every case through the grader's path, a
blank answer is "not answered yet", every typical slip is named in the first line of a failure of at most 5 lines.
The quizzes and the notebook's cells.
"""

import re

import nbtools
import numpy as np
import pytest
import sympy as sp

from backprop_lib import MLP, gradient_check
from backprop_lib.activations import relu_prime, softmax, softmax_jacobian
from backprop_lib.costs import get_cost
from backprop_lib.depth import DepthProfile, depth_profile, rms_norms
from backprop_lib.symbolic import cached_network, check, prove_index
from backprop_lib.verdict import CheckFailed

NOTEBOOK = nbtools.NOTEBOOKS / "09_depth.ipynb"


# ---------------------------------------------------------------------------------------------- (9.1), (9.2)
def _D(net, l):
    return sp.diag(*[net.sigma_prime_f(t) for t in net.z[l]])


@pytest.mark.parametrize("sizes", [(2, 3, 4, 5), (4, 5, 5, 3)])
def test_one_step_back_is_a_diagonal_times_a_transpose(sizes):
    net = cached_network(sizes)
    for l in (1, 2):
        assert check(_D(net, l) * net.W[l + 1].T * net.delta(l + 1), net.delta(l), net=net).ok  # (9.1)
    chained = _D(net, 1) * net.W[2].T * _D(net, 2) * net.W[3].T * net.delta(3)
    assert check(chained, net.delta(1), net=net).ok  # (9.2)


def test_the_diagonal_of_the_wrong_layer_is_rejected():
    net = cached_network((2, 3, 4, 5))
    assert not check(net.W[2].T * _D(net, 2) * net.delta(2), net.delta(1), net=net).ok


def test_forward_jacobian_is_W_times_D():
    net = cached_network((2, 3, 4, 5))
    l = 1
    t = sp.Matrix(sp.symbols(f"t_0:{net.sizes[l]}", real=True))
    by_diff = (net.W[l + 1] * t.applyfunc(net.sigma_f) + net.b[l + 1]).jacobian(t).xreplace(dict(zip(t, net.z[l])))
    assert check(net.W[l + 1] * _D(net, l), by_diff, net=net).ok
    assert not check(_D(net, l + 1) * net.W[l + 1], by_diff, net=net).ok


# ---------------------------------------------------------------------------------------------- (9.3)-(9.5)
def _layer_bound(W_next, z, delta_next, sigma_prime):
    return np.linalg.norm(W_next, 2) * np.max(np.abs(sigma_prime(z))) * np.linalg.norm(delta_next)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_bound_holds_on_random_layers(activation):
    act = MLP([2, 2], activation=activation).activation
    rng = np.random.default_rng(3)
    for _ in range(300):
        n_l, n_next = rng.integers(2, 7, size=2)
        W_next = rng.normal(scale=rng.uniform(0.1, 6), size=(n_next, n_l))
        z, d = rng.normal(scale=3, size=(n_l, 1)), rng.normal(size=(n_next, 1))
        delta = (W_next.T @ d) * act.sigma_prime(z)
        assert np.linalg.norm(delta) <= _layer_bound(W_next, z, d, act.sigma_prime) * (1 + 1e-12)


def test_bound_is_reached_and_a_sigmoid_layer_can_grow_delta():
    rng = np.random.default_rng(0)
    W_next = rng.normal(size=(4, 3))
    U, s, _ = np.linalg.svd(W_next)
    W_next *= 6 / s[0]
    d = U[:, [0]]
    act = MLP([2, 2], activation="sigmoid").activation
    delta = (W_next.T @ d) * act.sigma_prime(np.zeros((3, 1)))
    assert np.isclose(np.linalg.norm(delta), _layer_bound(W_next, np.zeros((3, 1)), d, act.sigma_prime))
    assert np.isclose(np.linalg.norm(delta), 1.5)  # grows: the old "factor 4" claim is wrong


def test_tanh_derivative_and_its_maximum():
    z, u = sp.Symbol("z", real=True), sp.Symbol("u", positive=True)
    tanh_exp = (sp.exp(z) - sp.exp(-z)) / (sp.exp(z) + sp.exp(-z))
    d = sp.diff(tanh_exp, z)
    assert check((1 - tanh_exp**2).subs(sp.exp(z), u), d.subs(sp.exp(z), u)).ok
    assert not check(tanh_exp.subs(sp.exp(z), u), d.subs(sp.exp(z), u)).ok
    assert sp.solve(sp.diff(d, z), z) == [0] and d.subs(z, 0) == 1


# ---------------------------------------------------------------------------------------------- (9.6), (9.7)
def _stretch(variance, n_l, n_next):
    k, m, q = sp.Idx("k", n_l), sp.Idx("m", n_next), sp.Idx("q", n_next)
    u = sp.IndexedBase("u")
    lhs = sp.Sum(
        u[m] * u[q] * sp.Sum(variance * sp.KroneckerDelta(m, q), (k, 0, n_l - 1)),
        (q, 0, n_next - 1),
        (m, 0, n_next - 1),
    )
    return lhs, sp.Sum(u[m] ** 2, (m, 0, n_next - 1))


def test_random_weights_stretch_by_s_whatever_the_widths():
    n_l, n_next = sp.symbols("n_l n_next", integer=True, positive=True)
    s = sp.Symbol("s", positive=True)
    lhs, length = _stretch(s**2 / n_l, n_l, n_next)
    assert prove_index(lhs, s**2 * length).ok  # (9.6)
    for wrong in (s**2 / n_next, s**2 / n_l**2, s / n_l):
        lhs, length = _stretch(wrong, n_l, n_next)
        assert not prove_index(lhs, s**2 * length).ok


def test_forward_size_is_the_mean_square_of_the_inputs():
    n_prev = sp.Symbol("n_prev", integer=True, positive=True)
    s = sp.Symbol("s", positive=True)
    k, p = sp.Idx("k", n_prev), sp.Idx("p", n_prev)
    a = sp.IndexedBase("a")
    lhs = sp.Sum(a[k] * a[p] * s**2 / n_prev * sp.KroneckerDelta(k, p), (p, 0, n_prev - 1), (k, 0, n_prev - 1))
    assert prove_index(lhs, s**2 * sp.Sum(a[k] ** 2, (k, 0, n_prev - 1)) / n_prev).ok  # (9.7)
    assert not prove_index(lhs, s**2 * sp.Sum(a[k] ** 2, (k, 0, n_prev - 1))).ok


def test_monte_carlo_stretch_is_one_at_the_packages_scale():
    rng = np.random.default_rng(1)
    u = rng.normal(size=(10, 1))
    draws = [np.linalg.norm(MLP([32, 10], seed=int(seed)).W[1].T @ u) ** 2 for seed in rng.integers(0, 10**6, 800)]
    assert abs(np.mean(draws) / np.linalg.norm(u) ** 2 - 1) < 0.1


# ---------------------------------------------------------------------------------------------- depth.py
def _batch(sizes, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(sizes[0], m))
    Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)]
    return X, Y


def test_rms_norms_is_frobenius_over_root_m():
    rng = np.random.default_rng(2)
    Delta = [None, rng.normal(size=(3, 5)), rng.normal(size=(2, 5))]
    found = rms_norms(Delta)
    assert np.isnan(found[0])
    for l in (1, 2):
        per_sample = np.linalg.norm(Delta[l], axis=0)
        assert np.isclose(found[l], np.sqrt(np.mean(per_sample**2)))


@pytest.mark.parametrize("bad", [[np.ones((3, 2))], None, [None, np.ones(3)], "delta"])
def test_rms_norms_refuses_what_is_not_a_padded_list(bad):
    with pytest.raises(ValueError, match="Delta"):
        rms_norms(bad)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_depth_profile_measures_bounds_and_estimates(activation):
    sizes = [12, 8, 8, 8, 4]
    net = MLP(sizes, activation=activation, cost="log_likelihood", seed=5)
    X, Y = _batch(sizes, 30, 5)
    before = [w.copy() for w in net.W[1:]]
    p = depth_profile(net, X, Y)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.W[1:])), "the network must not change"
    assert isinstance(p, DepthProfile) and p.L == 4 and p.m == 30
    g, Z = net.gradients(X, Y), net.forward(X).z
    assert np.allclose(p.rms[1:], [np.linalg.norm(g.delta[l]) / np.sqrt(30) for l in range(1, 5)])
    for l in range(1, 4):
        sp_l = np.abs(net.sigma_prime(l, Z[l]))
        assert np.isclose(p.gain[l], np.linalg.norm(net.W[l + 1], 2) * sp_l.max())
        assert np.isclose(
            p.typical_gain[l], np.linalg.norm(net.W[l + 1]) / np.sqrt(sizes[l + 1]) * np.sqrt(np.mean(sp_l**2))
        )
        assert np.isclose(p.bound[l], p.gain[l] * p.bound[l + 1])
        assert p.rms[l] <= p.bound[l] * (1 + 1e-9)  # (9.4)
    assert p.bound[4] == p.rms[4] == p.typical[4]
    assert p.bound_holds().ok and np.nanmax(p.worst) <= 1 + 1e-9
    assert np.isclose(p.ratio, p.rms[1] / p.rms[4])
    assert "bound (9.4)" in str(p) and "estimate (9.8)" in str(p)


def test_bound_holds_can_fail_and_names_the_layer():
    sizes = [6, 5, 5, 3]
    net = MLP(sizes, activation="sigmoid", cost="log_likelihood", seed=1)
    p = depth_profile(net, *_batch(sizes, 8, 1))
    p.worst[2] = 1.5
    verdict = p.bound_holds()
    assert not verdict.ok and "layer 2" in verdict.message
    with pytest.raises(CheckFailed):
        verdict.require()


def test_deep_sigmoid_error_signal_vanishes_and_the_estimate_follows():
    sizes = [30] + [16] * 6 + [5]
    net = MLP(sizes, activation="sigmoid", cost="log_likelihood", seed=0)
    p = depth_profile(net, *_batch(sizes, 40, 0))
    assert p.ratio < 1e-3  # six sigmoid layers: each about 0.2
    assert np.all(p.gain[1 : p.L] < 1)  # here the bound guarantees the shrinking
    assert np.all(np.abs(np.log(p.typical[1:] / p.rms[1:])) < np.log(3))


def test_depth_profile_refuses_bad_input():
    net = MLP([4, 3, 2], seed=0)
    with pytest.raises(TypeError, match="MLP"):
        depth_profile("net", np.ones((4, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError):
        depth_profile(net, np.ones((5, 2)), np.ones((2, 2)))


# ---------------------------------------------------------------------------------------------- (9.9)-(9.13)
def _softmax(n):
    z = sp.symbols(f"z_0:{n}", real=True)
    E = sp.symbols(f"E_0:{n}", positive=True)
    total = sum(sp.exp(t) for t in z)
    a = sp.Matrix([sp.exp(t) / total for t in z])

    def in_E(expr):
        def powers(arg):
            return sp.Mul(*[e ** arg.coeff(t) for e, t in zip(E, z)])

        return expr.replace(lambda e: isinstance(e, sp.exp), lambda e: powers(e.args[0]))

    return sp.Matrix(z), a, in_E


@pytest.mark.parametrize("n", [2, 3, 4])
def test_softmax_jacobian_and_log_likelihood_for_concrete_widths(n):
    z, a, in_E = _softmax(n)
    J = in_E(a.jacobian(z))
    assert check(in_E(sp.diag(*a) - a * a.T), J).ok  # (9.10)
    assert not check(in_E(sp.diag(*a)), J).ok
    y = sp.Matrix(sp.symbols(f"y_0:{n}", real=True))
    C = sp.expand_log(-sum(y[j] * sp.log(a[j]) for j in range(n)), force=True)
    grad = sp.Matrix([sp.diff(C, t) for t in z])
    one_hot = {y[n - 1]: 1 - sum(y[: n - 1])}
    assert check(in_E((a - y).xreplace(one_hot)), in_E(grad.xreplace(one_hot))).ok  # (9.11)
    assert not check(in_E(a - y), in_E(grad)).ok  # needs sum y = 1


def test_softmax_identities_for_a_symbolic_number_of_outputs():
    n = sp.Symbol("n", integer=True, positive=True)
    i, j, k, c = (sp.Idx(s, n) for s in "ijkc")
    z, y = sp.IndexedBase("z"), sp.IndexedBase("y")
    total = sp.Sum(sp.exp(z[k]), (k, 0, n - 1))

    def a(q):
        return sp.exp(z[q]) / total

    J = sp.diff(a(j), z[i])
    assert prove_index(J, a(j) * (sp.KroneckerDelta(i, j) - a(i))).ok  # (9.10)
    assert not prove_index(J, a(j) * sp.KroneckerDelta(i, j)).ok
    assert prove_index(sp.diff(-sp.log(a(c)), z[i]), a(i) - sp.KroneckerDelta(i, c)).ok  # (9.11), class c
    C = -sp.Sum(y[j] * sp.log(a(j)), (j, 0, n - 1))
    assert prove_index(sp.diff(C, z[i]), a(i) * sp.Sum(y[j], (j, 0, n - 1)) - y[i]).ok
    assert not prove_index(sp.diff(C, z[i]), a(i) - y[i]).ok

    def sig(q):
        return 1 / (1 + sp.exp(-z[q]))

    C_ce = -sp.Sum(y[j] * sp.log(sig(j)) + (1 - y[j]) * sp.log(1 - sig(j)), (j, 0, n - 1))
    assert prove_index(sp.diff(C_ce, z[i]), sig(i) - y[i]).ok  # (9.12)
    assert not prove_index(sp.diff(C_ce, z[i]), (sig(i) - y[i]) * sig(i) * (1 - sig(i))).ok


def test_quadratic_cost_with_softmax_keeps_the_jacobian():
    z, a, in_E = _softmax(3)
    y = sp.Matrix(sp.symbols("y_0:3", real=True))
    truth = in_E(sp.Matrix([sp.diff(sum((a[q] - y[q]) ** 2 for q in range(3)) / 2, t) for t in z]))
    r = a - y
    assert check(in_E(a.multiply_elementwise(r - (a.T * r)[0, 0] * sp.ones(3, 1))), truth).ok  # (9.13)
    assert not check(in_E(r), truth).ok
    z_wrong, y_right = np.array([[8.0], [0.0], [0.0]]), np.array([[0.0], [1.0], [0.0]])
    a_wrong = softmax(z_wrong)
    quadratic = get_cost("quadratic").delta_L(z_wrong, a_wrong, y_right, "softmax")
    log_likelihood = get_cost("log_likelihood").delta_L(z_wrong, a_wrong, y_right, "softmax")
    assert np.allclose(quadratic, softmax_jacobian(z_wrong) @ (a_wrong - y_right))
    assert np.linalg.norm(quadratic) < 1e-2 < 1 < np.linalg.norm(log_likelihood)


# ---------------------------------------------------------------------------------------------- (9.14)
def test_relu_kink_convention_and_the_gradient_check():
    assert relu_prime(0.0) == 0 and sp.Heaviside(0) == sp.Rational(1, 2)
    net = MLP([4, 5, 3], activation="relu", cost="log_likelihood", seed=4)
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(4, 1)), np.eye(3)[:, [1]]
    net.b[1][2, 0] = -(net.W[1] @ x)[2, 0]
    assert net.forward(x).z[1][2, 0] == 0.0
    report = gradient_check(net, x, y)
    assert not report.ok and {n for n, _, e in report.rows if e > report.tolerance} == {"dW[1]", "db[1]"}
    assert net.gradients(x, y).db[1][2, 0] == 0.0
    net.b[1][2, 0] += 1e-3
    assert gradient_check(net, x, y).ok


# ---------------------------------------------------------------------------------------------- exercises
EXERCISES = {"9.1": 3, "9.2": 2, "9.3": 2}


def test_notebook_has_the_exercises():
    nbtools.assert_exercises(NOTEBOOK, EXERCISES)


JACOBIAN = "def jacobian_of_softmax(a):\n    return {}\n"
BOUND = "def delta_bound(W, delta, z, sigma_prime, l):\n    return {}\n"
INIT = "def init_weights(sizes, rng):\n    return [None] + [{} for n_prev, n in zip(sizes[:-1], sizes[1:])]\n"
GOOD_BOUND = "np.linalg.norm(W[l + 1], 2) * np.max(np.abs(sigma_prime(z[l]))) * np.linalg.norm(delta[l + 1])"


@pytest.mark.parametrize(
    "exercise_id, source",
    [
        ("9.1", JACOBIAN.format("np.diag(a.ravel()) - np.outer(a, a)")),
        ("9.1", JACOBIAN.format("np.diagflat(a) - a * a.T")),
        ("9.3", INIT.format("rng.normal(0.0, 1 / np.sqrt(n_prev), size=(n, n_prev))")),
        ("9.3", INIT.format("np.sqrt(3 / n_prev) * rng.uniform(-1, 1, size=(n, n_prev))")),  # same variance, uniform
    ],
)
def test_other_right_answers_pass(exercise_id, source):
    assert nbtools.exercise_graded(exercise_id, source).status == "passed"


SLIPS = [
    ("9.1", JACOBIAN.format("np.diagflat(a) - a.T @ a"), "aᵀa where the outer product a aᵀ belongs"),
    ("9.1", JACOBIAN.format("np.diag(a) - a @ a.T"), "np.diag of an (n, 1) column"),
    ("9.1", JACOBIAN.format("np.diagflat(a)"), "the outer product is missing"),
    ("9.1", JACOBIAN.format("-a @ a.T"), "diag(a) is missing"),
    ("9.1", JACOBIAN.format("a @ a.T - np.diagflat(a)"), "the sign"),
    ("9.1", JACOBIAN.format("np.diagflat(a * (1 - a))"), "elementwise sigmoid"),
    ("9.1", JACOBIAN.format("np.diagflat(a) - a * a"), "a * a is elementwise"),
    ("9.1", JACOBIAN.format("np.diagflat(a) - a @ a"), "the factors do not fit"),
    ("9.1", JACOBIAN.format("np.zeros((len(a), len(a)))"), "numbers where the check passed symbols"),
    ("9.1", JACOBIAN.format("np.eye(len(a)) - a @ a.T"), "the identity where diag(a) belongs"),
    ("9.1", JACOBIAN.format("np.diagflat(a) - 2 * a @ a.T"), "no single typical slip"),
    ("9.2", BOUND.format(GOOD_BOUND.replace("norm(W[l + 1], 2)", "norm(W[l + 1])")), "Frobenius norm"),
    ("9.2", BOUND.format(GOOD_BOUND.replace("W[l + 1]", "W[l]")), "W[l] where W[l+1] belongs"),
    ("9.2", BOUND.format(GOOD_BOUND.replace("np.max", "np.mean")), "the mean of |σ′(z^l)| is not a bound"),
    ("9.2", BOUND.format(GOOD_BOUND.replace("z[l]", "z[l + 1]")), "σ′ at the wrong layer"),
    ("9.2", BOUND.format("np.linalg.norm(W[l + 1], 2) * 0.25 * np.linalg.norm(delta[l + 1])"), "1/4 is the sigmoid"),
    ("9.2", BOUND.format("np.linalg.norm(W[l + 1], 2) * np.linalg.norm(delta[l + 1])"), "max |σ′(z^l)| is missing"),
    ("9.2", BOUND.format("np.linalg.norm((W[l + 1].T @ delta[l + 1]) * sigma_prime(z[l]))"), "||δ^l|| itself"),
    (
        "9.2",
        BOUND.format("np.linalg.norm(W[l + 1].T @ delta[l + 1]) * np.max(np.abs(sigma_prime(z[l])))"),
        "bounds this one δ only",
    ),
    (
        "9.2",
        BOUND.format("np.abs(W[l + 1]).max() * np.max(np.abs(sigma_prime(z[l]))) * np.linalg.norm(delta[l + 1])"),
        "the largest entry",
    ),
    (
        "9.2",
        BOUND.format(GOOD_BOUND.replace("np.linalg.norm(delta[l + 1])", "np.abs(delta[l + 1]).sum()")),
        "Euclidean length",
    ),
    ("9.2", BOUND.format(f"({GOOD_BOUND}) ** 2"), "squared"),
    ("9.2", BOUND.format(GOOD_BOUND.replace("delta[l + 1]", "delta[l]")), "only delta[l+1] is filled in"),
    (
        "9.2",
        BOUND.format(GOOD_BOUND.replace("np.max(np.abs(sigma_prime(z[l])))", "np.abs(sigma_prime(z[l]))")),
        "must return one number",
    ),
    ("9.3", INIT.format("rng.standard_normal((n, n_prev)) / n_prev"), "is the variance, not the standard deviation"),
    ("9.3", INIT.format("rng.standard_normal((n, n_prev)) / np.sqrt(n)"), "width of layer l itself"),
    ("9.3", INIT.format("rng.standard_normal((n, n_prev))"), "standard deviation 1"),
    ("9.3", INIT.format("rng.standard_normal((n, n_prev)) * np.sqrt(2 / n_prev)"), "He's scale"),
    ("9.3", INIT.format("rng.standard_normal((n, n_prev)) * np.sqrt(2 / (n + n_prev))"), "Glorot's scale"),
    ("9.3", INIT.format("rng.uniform(-1, 1, size=(n, n_prev)) / np.sqrt(n_prev)"), "uniform draw"),
    ("9.3", INIT.format("rng.standard_normal((n_prev, n)) / np.sqrt(n_prev)"), "the shape of W[1].T"),
    ("9.3", INIT.format("np.zeros((n, n_prev))"), "the same number"),
    ("9.3", INIT.format("rng.uniform(0, 1, size=(n, n_prev)) / np.sqrt(n_prev)"), "draw them around 0"),
    ("9.3", INIT.format("rng.standard_normal((n, n_prev)) / np.sqrt(n_prev) / 3"), "times too small"),
    (
        "9.3",
        "def init_weights(sizes, rng):\n    return [rng.standard_normal((n, p)) / np.sqrt(p) "
        "for p, n in zip(sizes[:-1], sizes[1:])]\n",
        "padded list",
    ),
]


@pytest.mark.parametrize("exercise_id, source, slip", SLIPS, ids=[f"{e}-{s[:30]}" for e, _, s in SLIPS])
def test_typical_slips_are_named_first_in_at_most_five_lines(exercise_id, source, slip):
    nbtools.assert_slip_named(exercise_id, source, slip)


def test_a_hidden_case_catches_what_the_visible_ones_miss():
    """An answer right for the sigmoid and tanh networks but not for relu passes check() and fails grading."""
    source = BOUND.format(f"0.0 if sigma_prime(np.array([-1.0]))[0] == 0 else {GOOD_BOUND}")
    assert nbtools.exercise_verdict("9.2", source)[0]
    judged = nbtools.exercise_graded("9.2", source)
    assert judged.status == "failed" and "relu" in judged.message


# ---------------------------------------------------------------------------------------------- quizzes, cells
RIGHT = {"9.1": [0, 2], "9.2": [0, 1], "9.3": [0, 2], "9.4": [0, 2]}


def test_one_line_checks_and_quizzes():
    nbtools.assert_quizzes(NOTEBOOK, RIGHT)


def test_equations_are_numbered_in_order_and_figures_captioned():
    md = "\n".join(c.source for c in nbtools.cells(NOTEBOOK) if c.cell_type == "markdown")
    tags = [int(t) for t in re.findall(r"\\tag\{9\.(\d+)\}", md)]
    assert tags == list(range(1, 15))
    nbtools.assert_figures_captioned(NOTEBOOK, lambda source: "new_figure(" in source, 3)


def test_the_bound_is_stated_as_a_ceiling_not_a_factor_four():
    md = "\n".join(c.source for c in nbtools.cells(NOTEBOOK) if c.cell_type == "markdown")
    assert "shrink the error signal only while $\\lVert W^{l+1}\\rVert_2 < 4$" in md
    assert "It does not say that a sigmoid layer divides" in md


def test_last_cell_links_back_and_to_the_contents():
    last = nbtools.cells(NOTEBOOK)[-1].source
    assert "(08_autodiff.ipynb)" in last and "(00_index.ipynb)" in last and "next" not in last


def test_depth_profile_of_a_network_without_hidden_layers():
    p = depth_profile(MLP([3, 2], cost="log_likelihood", seed=0), np.ones((3, 4)), np.eye(2)[:, [0, 1, 0, 1]])
    assert p.L == 1 and p.ratio == 1.0 and p.bound_holds().ok and "no hidden layer" in p.bound_holds().message
