"""Tests mirroring notebooks/06_training_mnist.ipynb.

(1) What the notebook derives and claims, checked with the package and the proof engine: the 1/m of the
mini-batch update (6.1), an inline epoch equal to `sgd`, the accuracy targets (92% / 93%, seeded), the sigma'
factor that slows the quadratic cost, and the label-smoothing output error (6.4).
(2) That the notebook's exercise checks reject typical wrong answers with the right diagnosis (tests/nbtools.py).
"""

import numpy as np
import pytest
import sympy as sp

from backprop_lib import MLP, compare, sgd
from backprop_lib.custom_cost import cost_from_sympy, prove_output_error
from backprop_lib.data import load_mnist
from backprop_lib.symbolic import SymbolicNetwork, check, hadamard

from nbtools import NOTEBOOKS, exercise_ids, run_with_answers

NOTEBOOK = NOTEBOOKS / "06_training_mnist.ipynb"


# ------------------------------------------------------------------------------------------------ (6.1)
def _deltas(net):
    """Delta^l of a SymbolicNetwork with samples as columns, by (2.4) and (4.2) one sample per column."""
    L = net.L
    Delta = [None] * (L + 1)
    Delta[L] = hadamard(net.grad_a_C(), net.sigma_prime_of(net.z[L]))
    for l in range(L - 1, 0, -1):
        Delta[l] = hadamard(net.W[l + 1].T * Delta[l + 1], net.sigma_prime_of(net.z[l]))
    return Delta


@pytest.mark.parametrize("sizes, m", [([2, 3, 2], 3), ([2, 2, 3, 2], 2)])
def test_minibatch_update_with_one_over_m_is_the_delta_rule_for_the_mean_cost(sizes, m):
    net = SymbolicNetwork(sizes, samples=m)
    eta = sp.Symbol("eta", positive=True)
    Delta = _deltas(net)
    for l in range(1, net.L + 1):
        assert check(eta / m * Delta[l] * net.a[l - 1].T, eta * net.dC_dW(l), net=net).ok
        assert check(eta / m * Delta[l] * sp.ones(m, 1), eta * net.dC_db(l), net=net).ok


def test_minibatch_update_without_one_over_m_is_rejected_with_the_diagnosis():
    m = 3
    net = SymbolicNetwork([2, 3, 2], samples=m)
    eta = sp.Symbol("eta", positive=True)
    Delta = _deltas(net)
    lost = check(eta * Delta[1] * net.a[0].T, eta * net.dC_dW(1), net=net)
    assert not lost.ok and "the 1/n of the averaged cost is missing" in lost.message
    lost_b = check(eta * Delta[2] * sp.ones(m, 1), eta * net.dC_db(2), net=net)
    assert not lost_b.ok and "1/n" in lost_b.message


def _one_epoch(W, b, X, Y, batch_size, eta, rng):
    # the notebook's inline epoch (sigmoid neurons, quadratic cost)
    L = len(W) - 1
    order = rng.permutation(X.shape[1])
    for first in range(0, X.shape[1], batch_size):
        cols = order[first:first + batch_size]
        m = len(cols)
        A, Z = [X[:, cols]], [None]
        for l in range(1, L + 1):
            Z.append(W[l] @ A[l - 1] + b[l])
            A.append(1.0 / (1.0 + np.exp(-Z[l])))
        Delta = [None] * (L + 1)
        Delta[L] = (A[L] - Y[:, cols]) * (A[L] * (1.0 - A[L]))
        for l in range(L - 1, 0, -1):
            Delta[l] = (W[l + 1].T @ Delta[l + 1]) * (A[l] * (1.0 - A[l]))
        for l in range(1, L + 1):
            W[l] -= eta * ((Delta[l] @ A[l - 1].T) * (1.0 / m))
            b[l] -= eta * (Delta[l].sum(axis=1, keepdims=True) * (1.0 / m))


def test_inline_epoch_reproduces_sgd_weight_for_weight_and_a_lost_one_over_m_does_not():
    rng = np.random.default_rng(5)
    X, Y = rng.random((20, 47)), np.eye(4)[:, rng.integers(0, 4, 47)]   # 47: the last batch is smaller
    net = MLP([20, 6, 5, 4], seed=2)
    twin = net.copy()
    W = [None] + [w.copy() for w in net.W[1:]]
    b = [None] + [v.copy() for v in net.b[1:]]
    _one_epoch(W, b, X, Y, batch_size=10, eta=3.0, rng=np.random.default_rng(0))
    sgd(twin, X, Y, epochs=1, batch_size=10, eta=3.0, seed=0, progress=False)
    for l in range(1, 4):
        assert np.array_equal(W[l], twin.W[l]) and np.array_equal(b[l], twin.b[l])
    # a step with the 1/m lost lands elsewhere
    sloppy = net.copy()
    sloppy.update(net.gradients(X[:, :10], Y[:, :10]), eta=3.0 * 10)
    reference = net.copy()
    reference.update(net.gradients(X[:, :10], Y[:, :10]), eta=3.0)
    assert not np.allclose(sloppy.W[1], reference.W[1])


# ------------------------------------------------------------------------------------------------ MNIST
@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


@pytest.mark.slow
@pytest.mark.parametrize("hidden, target", [(30, 0.92), (100, 0.93)])
def test_accuracy_targets_on_the_held_out_digits(mnist, hidden, target):
    net = MLP([784, hidden, 10], seed=0)
    history = sgd(net, mnist.X_train, mnist.Y_train, epochs=10, batch_size=10, eta=3.0, seed=0,
                  X_test=mnist.X_test, y_test=mnist.y_test, progress=False)
    assert mnist.X_train.shape == (784, 4000) and mnist.X_test.shape == (784, 1000)
    assert history.test_accuracy[-1] >= target
    assert history.test_accuracy[-1] == net.accuracy(mnist.X_test, mnist.y_test)


@pytest.mark.slow
def test_far_too_large_learning_rate_gets_stuck_at_chance(mnist):
    history = sgd(MLP([784, 30, 10], seed=0), mnist.X_train, mnist.Y_train, epochs=2, batch_size=10, eta=30.0,
                  seed=0, X_test=mnist.X_test, y_test=mnist.y_test, progress=False)
    assert history.test_accuracy[-1] <= 0.15


@pytest.mark.slow
def test_cross_entropy_escapes_saturated_outputs_faster_than_quadratic(mnist):
    accuracy = {}
    for cost, eta in (("quadratic", 3.0), ("cross_entropy", 0.5)):
        net = MLP([784, 30, 10], cost=cost, seed=0)
        net.b[2] -= 6.0
        sgd(net, mnist.X_train[:, :1000], mnist.Y_train[:, :1000], epochs=1, batch_size=10, eta=eta, seed=0,
            progress=False)
        accuracy[cost] = net.accuracy(mnist.X_test, mnist.y_test)
    assert accuracy["cross_entropy"] > accuracy["quadratic"] + 0.3


# ------------------------------------------------------------------------------------------------ costs
def test_quadratic_and_cross_entropy_output_errors_and_the_sigma_prime_factor():
    quad = SymbolicNetwork([2, 3, 2], activation="sigmoid", cost="quadratic")
    ce = SymbolicNetwork([2, 3, 2], activation="sigmoid", cost="cross_entropy")
    assert check(hadamard(quad.a[2] - quad.y, quad.sigma_prime_of(quad.z[2])), quad.delta(2), net=quad).ok
    assert check(ce.a[2] - ce.y, ce.delta(2), net=ce).ok
    assert not check(hadamard(ce.a[2] - ce.y, ce.sigma_prime_of(ce.z[2])), ce.delta(2), net=ce).ok
    assert not check(quad.a[2] - quad.y, quad.delta(2), net=quad).ok
    # the saturated wrong neuron of the notebook: z = -6, y = 1
    s = 1.0 / (1.0 + np.exp(6.0))
    assert abs((s - 1.0) * s * (1 - s)) < 0.003 and abs(s - 1.0) > 0.99


def test_label_smoothing_output_error_and_the_slip():
    a, y = sp.symbols("a y", real=True)
    eps = sp.Rational(1, 10)
    y_smooth = (1 - eps) * y + eps / 2
    cost = cost_from_sympy(-(y_smooth * sp.log(a) + (1 - y_smooth) * sp.log(1 - a)), a, y, name="smoothed",
                           clip=1e-15)
    assert prove_output_error(cost).ok
    assert prove_output_error(cost, grad=(a - y_smooth) / (a * (1 - a))).ok
    assert not prove_output_error(cost, grad=(a - y) / (a * (1 - a))).ok


def test_pseudo_huber_reference_of_exercise_6_2():
    a, y = sp.symbols("a y", real=True)
    h = sp.Rational(1, 2)
    cost = cost_from_sympy(h ** 2 * (sp.sqrt(1 + ((a - y) / h) ** 2) - 1), a, y, name="pseudo_huber")
    d = np.linspace(-1, 1, 9).reshape(3, 3)
    zero = np.zeros_like(d)
    assert compare("dc/da", cost.grad_a(d, zero), d / np.sqrt(1 + 4 * d ** 2), quiet=True).ok
    assert prove_output_error(cost).ok


# ------------------------------------------------------------------------------------------- exercises
def test_notebook_has_the_exercises():
    assert exercise_ids(NOTEBOOK) == ["ex6_1", "ex6_2"]


LOST_ONE_OVER_M = '''
def sgd_update(W, b, A, Delta, eta):
    W_new, b_new = [None], [None]
    for l in range(1, len(W)):
        W_new.append(W[l] - eta * (Delta[l] @ A[l - 1].T))
        b_new.append(b[l] - eta * Delta[l].sum(axis=1, keepdims=True))
    return W_new, b_new
'''

SIGN_ERROR = '''
def sgd_update(W, b, A, Delta, eta):
    m = A[0].shape[1]
    W_new, b_new = [None], [None]
    for l in range(1, len(W)):
        W_new.append(W[l] + (eta / m) * (Delta[l] @ A[l - 1].T))
        b_new.append(b[l] + (eta / m) * Delta[l].sum(axis=1, keepdims=True))
    return W_new, b_new
'''

IN_PLACE = '''
def sgd_update(W, b, A, Delta, eta):
    m = A[0].shape[1]
    for l in range(1, len(W)):
        W[l] -= (eta / m) * (Delta[l] @ A[l - 1].T)
        b[l] -= (eta / m) * Delta[l].sum(axis=1, keepdims=True)
    return W, b
'''

HUBER_HEADER = '''
import sympy as sp
a, y = sp.symbols("a y", real=True)
h = sp.Rational(1, 2)
'''


@pytest.mark.slow
def test_exercise_checks_reject_a_lost_one_over_m_and_a_lost_h_squared():
    verdicts = run_with_answers(NOTEBOOK, {
        "ex6_1": LOST_ONE_OVER_M,
        "ex6_2": HUBER_HEADER + "c_huber = sp.sqrt(1 + ((a - y) / h) ** 2) - 1\n",
    })
    ok, message = verdicts["ex6_1"]
    assert not ok and "the 1/m is missing" in message
    ok, message = verdicts["ex6_2"]
    assert not ok and "4 times the reference" in message


@pytest.mark.slow
def test_exercise_checks_reject_a_sign_error_an_in_place_update_and_a_wrong_formula():
    verdicts = run_with_answers(NOTEBOOK, {
        "ex6_1": SIGN_ERROR,
        "ex6_2": HUBER_HEADER + "c_huber = h ** 2 * (sp.sqrt(1 + (a - y) ** 2 / h) - 1)\n",
    })
    ok, message = verdicts["ex6_1"]
    assert not ok and "sign error" in message
    ok, message = verdicts["ex6_2"]
    assert not ok and "WRONG" in message
    verdicts = run_with_answers(NOTEBOOK, {"ex6_1": IN_PLACE})
    ok, message = verdicts["ex6_1"]
    assert not ok and "in place" in message
    assert verdicts["ex6_2"][0]  # the untouched solution of 6.2 still passes
