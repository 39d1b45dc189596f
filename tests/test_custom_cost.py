"""Tests of backprop_lib.custom_cost: a cost written in SymPy, differentiated by SymPy, proved and trained with.

Covers the conventions of backprop_lib.costs (value averaged over m columns, grad_a per sample), a cost whose
derivative a student gets wrong by hand (label smoothing, log-cosh) being rejected by the proof, by compare and by
the gradient check, bad input, and that the SymPy-made quadratic cost trains to the very weights of the built-in.
"""

import numpy as np
import pytest
import sympy as sp

from backprop_lib import MLP, compare, gradient_check, sgd
from backprop_lib.costs import Cost, get_cost
from backprop_lib.custom_cost import SympyCost, cost_from_sympy, output_error_expr, prove_output_error

a, y = sp.symbols("a y", real=True)
EPS = sp.Rational(1, 10)
Y_SMOOTH = (1 - EPS) * y + EPS / 2


def smoothed_ce():
    return cost_from_sympy(
        -(Y_SMOOTH * sp.log(a) + (1 - Y_SMOOTH) * sp.log(1 - a)), a, y, name="smoothed_ce", clip=1e-15
    )


def batch(n=4, m=7, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.02, 0.98, (n, m)), np.eye(n)[:, rng.integers(0, n, m)]


# ------------------------------------------------------------------------------------------- conventions
def test_quadratic_from_sympy_matches_builtin_value_and_gradient():
    cost = cost_from_sympy((a - y) ** 2 / 2, a, y, name="quad_sympy")
    builtin = get_cost("quadratic")
    A, Y = batch()
    assert isinstance(cost, Cost) and isinstance(cost, SympyCost)
    assert cost.grad_expr == a - y
    assert compare("value", cost.value(A, Y), builtin.value(A, Y), quiet=True).ok
    assert np.array_equal(cost.grad_a(A, Y), builtin.grad_a(A, Y))


def test_value_is_the_mean_over_columns_and_grad_is_per_sample():
    cost = cost_from_sympy(sp.log(sp.cosh(a - y)), a, y, name="log_cosh")
    A, Y = batch(m=9)
    per_sample = np.log(np.cosh(A - Y)).sum(axis=0)
    assert np.isclose(cost.value(A, Y), per_sample.mean())
    # doubling the batch with the same columns leaves the mean and the per-sample gradient unchanged
    AA, YY = np.hstack([A, A]), np.hstack([Y, Y])
    assert np.isclose(cost.value(AA, YY), cost.value(A, Y))
    assert np.allclose(cost.grad_a(AA, YY)[:, :9], np.tanh(A - Y), rtol=1e-12, atol=1e-15)


def test_constant_derivative_is_broadcast_to_the_batch_shape():
    cost = cost_from_sympy(3 * a - y, a, y, name="linear")
    A, Y = batch(n=3, m=5)
    g = cost.grad_a(A, Y)
    assert g.shape == (3, 5) and np.all(g == 3.0)
    g[0, 0] = 99.0  # a fresh, writable array: the caller may scale it in place
    assert np.all(cost.grad_a(A, Y) == 3.0)


def test_clip_keeps_logarithmic_costs_finite_at_exactly_0_and_1():
    cost = smoothed_ce()
    A = np.array([[0.0, 1.0], [1.0, 0.0]])
    Y = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert np.isfinite(cost.value(A, Y)) and np.all(np.isfinite(cost.grad_a(A, Y)))


def test_symbols_without_real_assumption_are_accepted():
    p, q = sp.symbols("p q")  # no assumptions: the package differentiates with real versions of them
    cost = cost_from_sympy(sp.Abs(p - q) ** 3, p, q, name="abs_cubed")
    A, Y = batch()
    assert np.allclose(cost.grad_a(A, Y), 3 * np.abs(A - Y) * (A - Y))


# --------------------------------------------------------------------------- the proof of delta^L (2.4), (6.2)
@pytest.mark.parametrize(
    "expr", [(a - y) ** 2 / 2, sp.log(sp.cosh(a - y)), -(Y_SMOOTH * sp.log(a) + (1 - Y_SMOOTH) * sp.log(1 - a))]
)
def test_prove_output_error_accepts_sympys_derivative(expr):
    cost = cost_from_sympy(expr, a, y, name="c", clip=1e-15)
    assert prove_output_error(cost).ok


def test_prove_output_error_holds_for_an_undefined_activation_and_tanh():
    cost = cost_from_sympy((a - y) ** 2 / 2, a, y, name="quad_sympy")
    assert prove_output_error(cost, activation=None).ok
    assert prove_output_error(cost, sizes=(3, 2), activation="tanh").ok


def test_label_smoothing_hand_slip_is_rejected_and_the_right_hand_form_accepted():
    cost = smoothed_ce()
    assert prove_output_error(cost, grad=(a - Y_SMOOTH) / (a * (1 - a))).ok  # (6.4): delta^L = a - y~
    slip = prove_output_error(cost, grad=(a - y) / (a * (1 - a)))  # the (2.8) reflex
    assert not slip.ok
    assert "entries differ" in " ".join(slip.diagnosis)


def test_log_cosh_hand_slips_are_rejected():
    cost = cost_from_sympy(sp.log(sp.cosh(a - y)), a, y, name="log_cosh")
    assert prove_output_error(cost, grad=sp.tanh(a - y)).ok  # the right hand derivative
    assert not prove_output_error(cost, grad=sp.sinh(a - y)).ok  # derivative of cosh, not of ln cosh
    assert not prove_output_error(cost, grad=-sp.tanh(a - y)).ok  # d/da of ln cosh(y - a) sign slip


def test_a_lost_factor_is_named_by_the_diagnosis():
    cost = cost_from_sympy((a - y) ** 2 / 2, a, y, name="quad_sympy")
    r = prove_output_error(cost, grad=2 * (a - y))
    assert not r.ok and "twice the truth" in r.message


def test_output_error_expr_is_the_derivative_times_sigma_prime():
    cost = cost_from_sympy(sp.log(sp.cosh(a - y)), a, y, name="log_cosh")
    z, t = sp.symbols("z t", real=True)
    got = output_error_expr(cost, z, t, activation="tanh")
    want = sp.diff(sp.log(sp.cosh(sp.tanh(z) - t)), z)
    assert sp.simplify((got - want).rewrite(sp.exp)) == 0


def test_numeric_delta_L_of_label_smoothing_is_a_minus_smoothed_target():
    cost = smoothed_ce()
    net = MLP([5, 4, 3], cost=cost, seed=3)
    rng = np.random.default_rng(3)
    X, Y = rng.random((5, 6)), np.eye(3)[:, rng.integers(0, 3, 6)]
    A_L = net.forward(X).a[2]
    Delta_L = net.gradients(X, Y).delta[2]
    assert compare("Delta^L", Delta_L, A_L - (0.9 * Y + 0.05), rtol=1e-9, quiet=True).ok
    assert not compare("Delta^L", Delta_L, A_L - Y, rtol=1e-9, quiet=True).ok


def test_wrong_hand_gradient_fails_the_gradient_check_and_sympys_passes():
    cost = smoothed_ce()

    def hand_grad(A, Y):
        A = np.clip(A, 1e-15, 1 - 1e-15)
        return (A - Y) / (A * (1 - A))

    hand = Cost("smoothed_by_hand", cost.value, hand_grad)
    rng = np.random.default_rng(6)
    X, Y = rng.random((6, 8)), np.eye(4)[:, rng.integers(0, 4, 8)]
    assert not gradient_check(MLP([6, 5, 4], cost=hand, seed=0), X, Y).ok
    assert gradient_check(MLP([6, 5, 4], cost=cost, seed=0), X, Y).ok
    A = MLP([6, 5, 4], seed=0).forward(X).a[2]
    assert not compare("grad_a", hand_grad(A, Y), cost.grad_a(A, Y), quiet=True).ok


# ------------------------------------------------------------------------------------------------ training
def test_training_with_sympy_quadratic_gives_the_builtin_weights():
    rng = np.random.default_rng(0)
    X, Y = rng.random((12, 60)), np.eye(4)[:, rng.integers(0, 4, 60)]
    builtin = MLP([12, 7, 4], cost="quadratic", seed=1)
    mine = MLP([12, 7, 4], cost=cost_from_sympy((a - y) ** 2 / 2, a, y, name="quad_sympy"), seed=1)
    for net in (builtin, mine):
        sgd(net, X, Y, epochs=3, batch_size=8, eta=2.0, seed=4, progress=False)
    for l in (1, 2):
        assert np.array_equal(mine.W[l], builtin.W[l]) and np.array_equal(mine.b[l], builtin.b[l])


def test_training_with_a_custom_cost_lowers_it():
    rng = np.random.default_rng(1)
    X = rng.random((8, 80))
    Y = np.eye(2)[:, (X[0] > X[1]).astype(int)]
    net = MLP([8, 6, 2], cost=cost_from_sympy(sp.log(sp.cosh(a - y)), a, y, name="log_cosh"), seed=0)
    history = sgd(net, X, Y, epochs=30, batch_size=10, eta=3.0, seed=0, progress=False)
    assert history.cost[-1] < 0.7 * history.cost[0]


# ---------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "expr, words",
    [
        (y**2, "does not depend on a"),
        (sp.Integer(3), "does not depend on a"),
        ((a - y) ** 2 * sp.Symbol("k"), "also has k"),
        (sp.Matrix([a - y]), "ONE scalar"),
        ([a, y], "ONE scalar"),
        (sp.Function("f")(a), "undefined functions"),
        (sp.log(a - 2), "not a finite real number"),
        (sp.sqrt(-1 - a**2), "not a finite real number"),
        (sp.Eq(a, y), "expression"),
        ("not a cost", "SymPy expression"),
    ],
)
def test_bad_expressions_raise_clear_value_errors(expr, words):
    with pytest.raises(ValueError, match=words):
        cost_from_sympy(expr, a, y, name="bad")


def test_bad_symbols_names_and_clip_raise():
    with pytest.raises(ValueError, match="must be a SymPy Symbol"):
        cost_from_sympy(a**2, "a", y)
    with pytest.raises(ValueError, match="two different symbols"):
        cost_from_sympy(a**2, a, a)
    with pytest.raises(ValueError, match="built-in cost"):
        cost_from_sympy(a**2, a, y, name="quadratic")
    with pytest.raises(ValueError, match="non-empty string"):
        cost_from_sympy(a**2, a, y, name="")
    with pytest.raises(ValueError, match="clip"):
        cost_from_sympy(a**2, a, y, clip=0.7)


def test_batches_of_the_wrong_shape_and_foreign_costs_raise():
    cost = cost_from_sympy((a - y) ** 2, a, y, name="sq")
    with pytest.raises(ValueError, match="same shape"):
        cost.value(np.zeros((3, 4)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="SympyCost"):
        prove_output_error(get_cost("quadratic"))
    with pytest.raises(ValueError, match="also has k"):
        prove_output_error(cost, grad=sp.Symbol("k") * (a - y))
