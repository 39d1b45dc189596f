"""The checks can fail: deliberately wrong backward passes are rejected by the gradient check and by compare.

Each wrong pass is a typical student mistake: the transpose dropped, sigma used for sigma', W^l used for
W^{l+1}, the 1/m lost, the bias gradient lost. All layers are square ([4, 4, 4, 4]), so the wrong formulas
run without a shape error and only the numbers can catch them.
"""

import numpy as np
import pytest

from backprop_lib import MLP, compare, gradient_check
from backprop_lib.activations import sigmoid, sigmoid_prime
from backprop_lib.network import Gradients


def backprop(net, X, Y, mistake=None):
    """Batched backprop (5.1)-(5.5) for a sigmoid/quadratic net, with one optional mistake."""
    L, m = net.L, X.shape[1]
    fw = net.forward(X)
    Z, A = fw.z, fw.a
    sp = (lambda z: sigmoid(z)) if mistake == "sigma_for_sigma_prime" else sigmoid_prime
    Delta = [None] * (L + 1)
    Delta[L] = (A[L] - Y) * sp(Z[L])
    for l in range(L - 1, 0, -1):
        W_next = net.W[l] if mistake == "wrong_layer" else net.W[l + 1]
        W_next = W_next if mistake == "transpose_dropped" else W_next.T
        Delta[l] = (W_next @ Delta[l + 1]) * sp(Z[l])
    scale = 1.0 if mistake == "lost_1_over_m" else 1.0 / m
    dW = [None] + [scale * Delta[l] @ A[l - 1].T for l in range(1, L + 1)]
    db = [None] + [
        (0 * Delta[l] if mistake == "lost_bias" else scale * Delta[l]).sum(axis=1, keepdims=True)
        for l in range(1, L + 1)
    ]
    return Gradients(dW, db, Delta)


@pytest.fixture
def problem():
    net = MLP([4, 4, 4, 4], activation="sigmoid", cost="quadratic", seed=4)
    rng = np.random.default_rng(0)
    return net, rng.standard_normal((4, 5)), rng.uniform(0, 1, (4, 5))


def test_the_correct_pass_is_accepted(problem):
    net, X, Y = problem
    ours = backprop(net, X, Y)
    assert gradient_check(net, X, Y, grads=ours).ok
    ref = net.gradients(X, Y)
    assert all(compare(f"dW[{l}]", ours.dW[l], ref.dW[l], quiet=True).ok for l in range(1, 4))


@pytest.mark.parametrize(
    "mistake", ["transpose_dropped", "sigma_for_sigma_prime", "wrong_layer", "lost_1_over_m", "lost_bias"]
)
def test_a_wrong_pass_is_rejected_by_the_gradient_check(problem, mistake):
    net, X, Y = problem
    report = gradient_check(net, X, Y, grads=backprop(net, X, Y, mistake))
    assert not report.ok and "FAILED" in report.message
    with pytest.raises(AssertionError):
        report.require()


@pytest.mark.parametrize(
    "mistake", ["transpose_dropped", "sigma_for_sigma_prime", "wrong_layer", "lost_1_over_m", "lost_bias"]
)
def test_a_wrong_pass_is_rejected_by_compare(problem, mistake):
    net, X, Y = problem
    ours, ref = backprop(net, X, Y, mistake), net.gradients(X, Y)
    verdicts = [
        compare(f"{k}[{l}]", getattr(ours, k)[l], getattr(ref, k)[l], m=X.shape[1], quiet=True)
        for l in range(1, 4)
        for k in ("dW", "db")
    ]
    assert not all(v.ok for v in verdicts)


def test_compare_names_the_typical_mistakes(problem):
    net, X, Y = problem
    m = X.shape[1]
    ref = net.gradients(X, Y)
    assert "the 1/m is missing" in compare("dW[2]", m * ref.dW[2], ref.dW[2], m=m, quiet=True).message
    assert "reference transposed" in compare("dW[1]", ref.dW[1].T, ref.dW[1], quiet=True).message
    assert "reference transposed" in compare("dW[2]", ref.dW[2].T, ref.dW[2], quiet=True).message  # square
    assert "lost 1/2" in compare("dC/da", 2 * ref.delta[3], ref.delta[3], quiet=True).message
    assert "sign error" in compare("delta", -ref.delta[3], ref.delta[3], quiet=True).message
    assert "WRONG shape: (4,), expected (4, 1)" in compare("db[1]", ref.db[1].ravel(), ref.db[1], quiet=True).message
