"""Activations and costs: values, derivatives against central differences, stability, bad names."""

import warnings

import numpy as np
import pytest

from backprop_lib.activations import ACTIVATIONS, get_activation, sigmoid, sigmoid_prime, softmax, softmax_jacobian
from backprop_lib.costs import COSTS, get_cost

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_elementwise_derivative_matches_central_difference(name):
    act = get_activation(name)
    z = RNG.uniform(-3, 3, size=(5, 4))
    z[np.abs(z) < 1e-3] = 0.5  # keep away from relu's kink
    h = 1e-6
    numeric = (act.sigma(z + h) - act.sigma(z - h)) / (2 * h)
    assert np.allclose(act.sigma_prime(z), numeric, rtol=1e-6, atol=1e-8)
    # sigma' from the stored activations equals sigma'(z)
    assert np.allclose(act.sigma_prime(z, act.sigma(z)), act.sigma_prime(z), rtol=1e-12, atol=1e-15)


def test_sigma_is_not_its_own_derivative():
    # the classic mistake of using sigma for sigma' must be distinguishable
    z = np.linspace(-2, 2, 9)
    assert not np.allclose(sigmoid(z), sigmoid_prime(z))


def test_sigmoid_is_stable_for_huge_inputs():
    z = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(z)
        sp = sigmoid_prime(z)
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(sp))
    assert s[0] >= 0 and s[-1] == 1.0 and s[3] == 0.5
    # accurate in the far tail (relative, not just absolute): sigma(-40) = 1 / (1 + e^40), not rounded to 0
    assert s[2] == pytest.approx(1 / (1 + np.exp(40.0)), rel=1e-14)


def test_softmax_columns_sum_to_one_and_jacobian_matches_backward():
    z = RNG.standard_normal((4, 3)) * 50
    a = softmax(z)
    assert np.allclose(a.sum(axis=0), 1.0)
    g = RNG.standard_normal((4, 1))
    J = softmax_jacobian(z[:, 0])
    assert np.allclose(ACTIVATIONS["softmax"].backward(z[:, :1], a[:, :1], g), J.T @ g)
    with pytest.raises(ValueError, match="not elementwise"):
        ACTIVATIONS["softmax"].sigma_prime(z)


@pytest.mark.parametrize("name", sorted(COSTS))
def test_cost_gradient_matches_central_difference(name):
    cost = get_cost(name)
    m = 3
    A = RNG.uniform(0.1, 0.9, size=(4, m))
    A = A / A.sum(axis=0) if name == "log_likelihood" else A
    Y = np.eye(4)[:, [0, 2, 3]]
    h = 1e-7
    numeric = np.zeros_like(A)
    for idx in np.ndindex(A.shape):
        Ap, Am = A.copy(), A.copy()
        Ap[idx] += h
        Am[idx] -= h
        numeric[idx] = (cost.value(Ap, Y) - cost.value(Am, Y)) / (2 * h)
    # grad_a is per sample; the mean over m columns brings the 1/m
    assert np.allclose(cost.grad_a(A, Y) / m, numeric, rtol=1e-5, atol=1e-8)


def test_quadratic_cost_has_its_half_and_its_mean():
    A = np.array([[1.0, 3.0]])
    Y = np.array([[0.0, 0.0]])
    assert get_cost("quadratic").value(A, Y) == pytest.approx((1 + 9) / (2 * 2))


@pytest.mark.parametrize(
    "cost, act", [("cross_entropy", "sigmoid"), ("log_likelihood", "softmax"), ("quadratic", "identity")]
)
def test_matched_pairs_simplify_to_a_minus_y(cost, act):
    c, a_fn = get_cost(cost), get_activation(act)
    Z = RNG.standard_normal((3, 5))
    A = a_fn.sigma(Z)
    Y = np.eye(3)[:, [0, 1, 2, 1, 0]]
    general = a_fn.backward(Z, A, c.grad_a(A, Y))
    assert np.allclose(c.delta_L(Z, A, Y, a_fn), A - Y)
    assert np.allclose(general, A - Y, atol=1e-12)


def test_unknown_names_list_the_known_ones():
    with pytest.raises(ValueError, match="known: identity, relu, sigmoid, softmax, tanh"):
        get_activation("sigmod")
    with pytest.raises(ValueError, match="known: cross_entropy, log_likelihood, quadratic"):
        get_cost("mse")


def test_sigmoid_takes_plain_numbers():
    assert sigmoid(0.0) == 0.5 and sigmoid_prime(0.0) == 0.25
    assert np.ndim(sigmoid(2.0)) == 0
