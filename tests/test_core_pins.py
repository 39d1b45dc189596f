"""Behaviour pinned by small cases worked out by hand: how strict the checks are at their defaults, saturated
outputs, relu at its kink, the scale of the initial weights, and the three backward forms on one known case."""

import numpy as np
import pytest

from backprop_lib import MLP, compare, gradient_check, numerical_gradients, relative_error
from backprop_lib.activations import ACTIVATIONS, relu_prime, sigmoid, softmax, softmax_jacobian
from backprop_lib.costs import EPS, get_cost
from backprop_lib.gradcheck import OK, SUSPICIOUS


def small_problem(seed=3):
    net = MLP([3, 4, 2], activation="sigmoid", cost="quadratic", seed=seed)
    rng = np.random.default_rng(seed)
    return net, rng.standard_normal((3, 5)), rng.uniform(0, 1, (2, 5))


# ------------------------------------------------------------------------------------------ strictness
def test_a_1e_minus_4_relative_error_fails_the_gradient_check_at_its_defaults():
    net, X, Y = small_problem()
    g = net.gradients(X, Y)
    g.dW[2] = g.dW[2] * (1 + 2e-4)  # rel(x (1 + d), x) = d / (2 + d): just under 1e-4
    report = gradient_check(net, X, Y, grads=g)
    assert report.max_error == pytest.approx(1e-4, rel=1e-3)
    assert not report.ok and report.tolerance == OK == 1e-7 and "dW[2] has relative error 1.0e-04" in report.message
    assert "suspicious" in str(report) or "WRONG" in str(report)


def test_a_round_off_sized_error_passes_the_gradient_check():
    net, X, Y = small_problem()
    g = net.gradients(X, Y)
    g.dW[1] = g.dW[1] * (1 + 2e-9)
    report = gradient_check(net, X, Y, grads=g)
    assert report.ok and report.max_error < 1e-8 and report.message.startswith("gradient check passed")


def test_report_verdicts_follow_the_two_thresholds():
    net, X, Y = small_problem()
    rows = []
    for d in (2e-9, 2e-6, 2e-3):  # relative errors 1e-9 (ok), 1e-6 (suspicious), 1e-3 (WRONG)
        g = net.gradients(X, Y)
        g.db[1] = g.db[1] * (1 + d)
        rows.append(str(gradient_check(net, X, Y, grads=g)).splitlines()[2])
    assert rows[0].endswith("  ok") and rows[1].endswith("  suspicious") and rows[2].endswith("  WRONG")
    assert SUSPICIOUS == 1e-4


def test_the_first_failing_layer_is_named_when_it_is_not_the_worst():
    net, X, Y = small_problem()
    g = net.gradients(X, Y)
    g.dW[1] = g.dW[1] * (1 + 2e-5)
    g.db[2] = g.db[2] * 1.5
    message = gradient_check(net, X, Y, grads=g).message
    assert message.startswith("gradient check FAILED: db[2] has relative error") and "first failing: dW[1]" in message


def test_the_relative_error_floor_is_1e_minus_8():
    assert relative_error([1e-7], [2e-7]) == pytest.approx(1 / 3, rel=1e-12)  # above the floor: the plain ratio
    assert relative_error([0.0], [1e-9]) == pytest.approx(0.1, rel=1e-12)  # below: 1e-9 / 1e-8
    assert relative_error([3.0, -1.0], [1.0, -1.0]) == pytest.approx(2 / 4)  # max|x - y| / (max|x| + max|y|)


def test_central_differences_use_a_small_eps():
    # with eps = 1e-5 the central difference of a smooth cost is good to about 1e-10 relative; eps = 1e-2 is not
    net, X, Y = small_problem()
    dW, db = numerical_gradients(net, X, Y)
    g = net.gradients(X, Y)
    assert all(relative_error(dW[l], g.dW[l]) < 1e-8 and relative_error(db[l], g.db[l]) < 1e-8 for l in (1, 2))
    coarse, _ = numerical_gradients(net, X, Y, eps=1e-2)
    assert max(relative_error(coarse[l], g.dW[l]) for l in (1, 2)) > 1e-7


def test_numerical_gradients_leave_the_parameters_exactly_as_they_were():
    net, X, Y = small_problem()
    before = net.copy()
    numerical_gradients(net, X, Y)
    assert all(np.array_equal(net.W[l], before.W[l]) and np.array_equal(net.b[l], before.b[l]) for l in (1, 2))


def test_a_1e_minus_4_relative_error_fails_compare_at_its_defaults():
    ref = np.array([[0.5, -2.0], [3.0, 1e-3]])
    wrong = compare("x", ref * (1 + 1e-4), ref, quiet=True)
    assert not wrong.ok and "close: False" in wrong.message
    assert compare("x", ref * (1 + 1e-9), ref, quiet=True).ok  # round-off is close
    assert compare("x", ref + 5e-11, ref, quiet=True).ok  # atol 1e-10 for entries near 0
    assert not compare("x", ref + 5e-10, np.zeros((2, 2)) + ref, rtol=0, quiet=True).ok


def test_compare_counts_the_entries_that_differ():
    ref = np.array([1.0, 2.0, 3.0, 4.0])
    assert "WRONG: 2 of 4 entries differ" in compare("x", ref + [0, 1e-3, 0, 2e-3], ref, quiet=True).message
    assert compare("x", ref, ref, quiet=True).message == "x          | exact: True  | close: True  | max diff: 0"


# ------------------------------------------------------------------------------------------ saturation
def test_cross_entropy_with_saturated_sigmoids_gives_delta_a_minus_y():
    # z^L = (40, -40): a^L = (1 - 4e-18, 4e-18) rounds to (1, 4.2e-18); both targets are the opposite.
    # delta^L = a - y = (1, -1) exactly as (2.8) says; the general rule nabla_a C * sigma'(z) would give 0 * inf.
    net = MLP([1, 2], cost="cross_entropy", seed=0)
    net.W[1][:] = 0.0
    net.b[1][:] = [[40.0], [-40.0]]
    x, y = np.zeros((1, 1)), np.array([[0.0], [1.0]])
    for method in ("batched", "per_sample", "omega"):
        delta = net.gradients(x, y, method=method).delta[1]
        assert np.all(np.isfinite(delta))
        if method != "omega":  # the omega form takes the general route on purpose: (4.5)-(4.6) as written
            assert np.allclose(delta, [[1.0], [-1.0]], rtol=0, atol=1e-15)
    assert np.isfinite(net.cost_value(x, y))


def test_logarithmic_costs_are_clipped_at_exactly_0_and_1():
    ce, ll = get_cost("cross_entropy"), get_cost("log_likelihood")
    A, Y = np.array([[1.0], [0.0]]), np.array([[0.0], [1.0]])
    assert ce.value(A, Y) == pytest.approx(-2 * np.log(EPS), rel=1e-4)  # two terms of about -ln(1e-15) = 34.5
    assert np.all(np.isfinite(ce.grad_a(A, Y)))
    assert ll.value(A, Y) == pytest.approx(-np.log(EPS), rel=1e-12)
    assert ll.grad_a(A, Y)[1, 0] == pytest.approx(-1 / EPS, rel=1e-12)


def test_softmax_of_a_column_far_below_the_others_is_finite_and_correct():
    # both columns are (0, 1, 2) up to a shift: the per-column max keeps the low column finite
    W = np.ones((3, 1))
    b = np.array([[0.0], [1.0], [2.0]])
    net = MLP([1, 3], cost="log_likelihood", seed=0)
    net.W[1][:], net.b[1][:] = W, b
    X = np.array([[0.0, -1000.0]])
    Y = np.eye(3)[:, [2, 0]]
    expected = np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()
    A = net.forward(X).a[1]
    assert np.allclose(A, np.column_stack([expected, expected]), rtol=1e-12, atol=0)
    delta = net.gradients(X, Y).delta[1]
    assert np.allclose(delta, A - Y, rtol=0, atol=1e-15) and np.all(np.isfinite(delta))
    assert np.allclose(softmax(np.array([[-1000.0], [-1001.0]])).ravel(), [1 / (1 + np.exp(-1)), 1 / (1 + np.e)])


def test_sigmoid_saturates_without_overflow_in_a_whole_network():
    net = MLP([2, 3, 1], seed=1)
    X = np.array([[1e4, -1e4], [-1e4, 1e4]])
    assert np.all(np.isfinite(net.forward(X).a[2]))
    assert sigmoid(1e4) == 1.0 and sigmoid(-1e4) > 0


# ------------------------------------------------------------------------------- kinks and initial scale
def test_relu_derivative_at_its_kink_is_0():
    relu = ACTIVATIONS["relu"]
    z = np.array([-1.0, 0.0, 2.0])
    assert relu_prime(z).tolist() == [0.0, 0.0, 1.0]
    assert relu.sigma_prime(z).tolist() == [0.0, 0.0, 1.0]
    assert relu.sigma_prime(z, a=relu.sigma(z)).tolist() == [0.0, 0.0, 1.0]


def test_stored_activations_give_the_same_derivatives():
    z = np.linspace(-3, 3, 13)
    for name in ("sigmoid", "tanh", "relu", "identity"):
        act = ACTIVATIONS[name]
        assert np.allclose(act.sigma_prime(z, a=act.sigma(z)), act.sigma_prime(z), rtol=1e-12, atol=1e-15)
    assert ACTIVATIONS["tanh"].sigma_prime(np.array([0.5]), a=np.array([0.5]))[0] == 0.75  # 1 - a^2


def test_initial_weights_have_variance_one_over_the_input_width():
    net = MLP([1000, 50, 3], seed=0)
    assert net.W[1].std() == pytest.approx(1 / np.sqrt(1000), rel=0.05)  # 50,000 draws
    assert net.W[2].std() == pytest.approx(1 / np.sqrt(50), rel=0.25)  # 150 draws
    assert abs(net.W[1].mean()) < 0.01 / np.sqrt(1000) * 10
    assert np.concatenate([net.b[1], net.b[2]]).std() == pytest.approx(1.0, rel=0.3)


# ----------------------------------------------------------------------------- one case worked by hand
def test_three_backward_forms_on_a_one_neuron_chain_worked_by_hand():
    # 1-1-1 sigmoid network, quadratic cost, one sample: every number follows from (4.1)-(4.4)
    net = MLP([1, 1, 1], seed=0)
    net.W[1][:], net.b[1][:], net.W[2][:], net.b[2][:] = 2.0, -1.0, -3.0, 0.5
    x, y = 1.5, 0.25
    z1 = 2.0 * x - 1.0
    a1 = 1 / (1 + np.exp(-z1))
    z2 = -3.0 * a1 + 0.5
    a2 = 1 / (1 + np.exp(-z2))
    d2 = (a2 - y) * a2 * (1 - a2)  # (4.1)
    d1 = -3.0 * d2 * a1 * (1 - a1)  # (4.2)
    for method in ("batched", "per_sample", "omega"):
        g = net.gradients([[x]], [[y]], method=method)
        assert g.dW[2][0, 0] == pytest.approx(d2 * a1, rel=1e-13) and g.db[2][0, 0] == pytest.approx(d2, rel=1e-13)
        assert g.dW[1][0, 0] == pytest.approx(d1 * x, rel=1e-13) and g.db[1][0, 0] == pytest.approx(d1, rel=1e-13)
    assert net.cost_value([[x]], [[y]]) == pytest.approx(0.5 * (a2 - y) ** 2, rel=1e-14)


def test_a_training_step_is_the_delta_rule_with_the_mean_gradient():
    net, X, Y = small_problem()
    twin = net.copy()
    g = twin.gradients(X, Y)
    net.train_step(X, Y, 0.3)
    for l in (1, 2):
        assert np.array_equal(net.W[l], twin.W[l] - 0.3 * g.dW[l]) and np.array_equal(
            net.b[l], twin.b[l] - 0.3 * g.db[l]
        )


# ---------------------------------------------------------------------------------- activations in detail
def test_sigmoid_guards_exp_at_minus_500_and_returns_numbers_for_numbers():
    assert sigmoid(-1e4) == 1 / (1 + np.exp(500.0))  # the guard: exp(-z) for z >= -500 only
    assert sigmoid(-500.0) == sigmoid(-1e4) and sigmoid(-499.0) > sigmoid(-500.0)
    assert isinstance(sigmoid(2.0), float) and sigmoid(2.0) == 1 / (1 + np.exp(-2.0))
    assert sigmoid([0, 1]).tolist() == [0.5, 1 / (1 + np.exp(-1.0))]


def test_identity_returns_a_new_float_array():
    identity = ACTIVATIONS["identity"]
    z = np.array([[1, -2], [3, 4]])
    a = identity.sigma(z)
    assert a.dtype == np.float64 and np.array_equal(a, z)
    zf = np.array([1.0, 2.0])
    af = identity.sigma(zf)
    af[0] = 99.0
    assert zf[0] == 1.0  # a^L and z^L never share memory
    assert identity.sigma_prime(np.zeros((2, 3))).shape == (2, 3)
    assert np.array_equal(identity.backward(z, a, np.full((2, 2), 3.0)), np.full((2, 2), 3.0))


@pytest.mark.parametrize(
    "name, expected", [("sigmoid", 0.3 * 0.7), ("tanh", 1 - 0.3**2), ("relu", 1.0), ("identity", 1.0)]
)
def test_sigma_prime_is_taken_from_the_stored_activations_when_given(name, expected):
    # a = 0.3 does not belong to z = -1 (on purpose): the result shows which of the two was used
    act = ACTIVATIONS[name]
    z, a = np.array([[-1.0]]), np.array([[0.3]])
    assert act.sigma_prime(z, a=a)[0, 0] == pytest.approx(expected, rel=1e-15)
    assert act.backward(z, a, np.array([[2.0]]))[0, 0] == pytest.approx(2 * expected, rel=1e-15)


def test_softmax_refuses_sigma_prime_and_backward_is_the_jacobian_product():
    softmax_act = ACTIVATIONS["softmax"]
    with pytest.raises(
        ValueError, match=r"^softmax is not elementwise: use backward\(z, a, grad_a\), not sigma_prime$"
    ):
        softmax_act.sigma_prime(np.zeros((2, 1)))
    z = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -2.0], [-0.5, 3.0, 0.0]])
    a, g = softmax(z), np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 1.0], [2.0, 0.5, -1.0]])
    expected = np.column_stack([softmax_jacobian(z[:, x]).T @ g[:, x] for x in range(3)])
    assert np.allclose(softmax_act.backward(z, a, g), expected, rtol=1e-13, atol=1e-15)
    assert np.allclose(softmax_jacobian(np.array([[0.0], [0.0]])), [[0.25, -0.25], [-0.25, 0.25]])
