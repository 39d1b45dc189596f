"""Tests mirroring notebooks/05_batching.ipynb: the batched equations (5.1)-(5.5) and the exercise checks.

Part 1 checks what the notebook derives, directly with the package and the symbolic engine: the batch's columns
are the per-sample quantities, the sum of the per-sample gradient tensor is Delta (A)^T, the 1/m belongs there,
and the wrong forms (no 1^T, no 1/m, a missing transpose, sigma for sigma') are rejected with the right diagnosis.
Part 2 runs the notebook with typical wrong answers to its exercises and checks that every check rejects them.
"""
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from backprop_lib.activations import get_activation
from backprop_lib.benchmark import time_step
from backprop_lib.costs import get_cost
from backprop_lib.feedback import compare
from backprop_lib.gradcheck import gradient_check
from backprop_lib.network import MLP
from backprop_lib.plotting import draw_matrix_shapes
from backprop_lib.symbolic import SymbolicNetwork, cached_network, check, hadamard

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbtools import run_with_answers  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_batching.ipynb"


# ---------------------------------------------------------------------------------------- symbolic helpers
def batch_and_one(sizes, n, **kw):
    """A samples=n symbolic network and the one-sample network with the same weight symbols."""
    return cached_network(tuple(sizes), samples=n, **kw), cached_network(tuple(sizes), **kw)


def by_samples(B, one, expr):
    """The one-sample expression evaluated at each sample of the batch, side by side as columns."""
    cols = []
    for s in range(B.samples):
        swap = {one.x[k]: B.X[k, s] for k in range(B.sizes[0])}
        swap.update({one.y[j]: B.Y[j, s] for j in range(B.sizes[-1])})
        cols.append(expr.xreplace(swap))
    return sp.Matrix.hstack(*cols)


def batched_recursion(B):
    """Delta^l for every layer by (5.2) and (5.3), symbolically."""
    D = [None] * (B.L + 1)
    D[B.L] = hadamard(B.grad_a_C(), B.sigma_prime_of(B.Z[B.L]))
    for l in range(B.L - 1, 0, -1):
        D[l] = hadamard(B.W[l + 1].T * D[l + 1], B.sigma_prime_of(B.Z[l]))
    return D


# ---------------------------------------------------------------------------------------- (5.1)
@pytest.mark.parametrize("sizes,n", [((2, 3, 4, 2), 3), ((3, 2, 2), 2)])
def test_batched_forward_pass_columns_are_the_samples(sizes, n):
    B, one = batch_and_one(sizes, n)
    for l in range(1, B.L + 1):
        check(B.W[l] * B.A[l - 1] + B.b[l] * sp.ones(1, n), by_samples(B, one, one.z[l]), net=B).require()
        check(B.A[l], by_samples(B, one, one.a[l]), net=B).require()


def test_bias_without_one_transpose_is_refused_and_wrong_sample_order_is_caught():
    B, one = batch_and_one((2, 3, 4, 2), 3)
    r = check(lambda N: N.W[1] * N.A[0] + N.b[1], by_samples(B, one, one.z[1]), net=B)
    assert not r.ok and "shape mismatch" in r.message
    # b^T copied into every row instead of b into every column (here n = n_1 = 3, so the shapes fit): wrong
    r = check(lambda N: N.W[1] * N.A[0] + sp.ones(3, 1) * N.b[1].T, by_samples(B, one, one.z[1]), net=B)
    assert not r.ok
    # the truth really depends on which sample is which column: swapping two columns is rejected
    Z = B.W[1] * B.A[0] + B.b[1] * sp.ones(1, 3)
    swapped = Z[:, [1, 0, 2]]
    assert not check(swapped, by_samples(B, one, one.z[1]), net=B).ok


def test_numpy_broadcasting_is_b_times_one_transpose():
    net = MLP([4, 5, 3, 2], seed=5)
    X = np.random.default_rng(5).standard_normal((4, 6))
    assert compare("b 1^T", net.W[1] @ X + net.b[1] @ np.ones((1, 6)), net.W[1] @ X + net.b[1], quiet=True).ok
    fw = net.forward(X)
    for l in range(1, net.L + 1):
        cols = np.hstack([net.forward(X[:, [x]]).a[l] for x in range(6)])
        assert compare("A", fw.a[l], cols, quiet=True).ok
    # a flat bias broadcasts along the wrong axis: the package refuses it instead
    bad = net.copy()
    bad.b[1] = bad.b[1].ravel()
    with pytest.raises(ValueError, match="b\\[1\\]"):
        bad.forward(X)


def test_batch_cost_is_the_mean_of_the_per_sample_costs():
    """Source 000's C = (1/n) sum_x f and source 001's / (2.1)'s C = 1/(2n) sum ||a - y||^2; a lost 1/n is named."""
    B, one = batch_and_one((2, 3, 4, 2), 3)
    per_sample = [by_samples(B, one, sp.Matrix([[one.C]]))[0, s] for s in range(3)]
    check(sum(per_sample) / 3, B.C, net=B).require()
    r = check(sum(per_sample), B.C, net=B)
    assert not r.ok and "the 1/n of the averaged cost is missing" in r.message
    qB = cached_network((2, 3, 2), cost="quadratic", samples=3)
    res = [qB.A[2][:, s] - qB.Y[:, s] for s in range(3)]
    check(sp.Rational(1, 6) * sum((v.T * v)[0, 0] for v in res), qB.C, net=qB).require()
    r = check(sp.Rational(1, 3) * sum((v.T * v)[0, 0] for v in res), qB.C, net=qB)
    assert not r.ok and "twice the truth" in r.message


# ---------------------------------------------------------------------------------------- (5.2), (5.3)
@pytest.mark.parametrize("sizes,n", [((2, 3, 4, 2), 3)])
def test_batched_recursion_columns_are_per_sample_deltas(sizes, n):
    B, one = batch_and_one(sizes, n)
    D = batched_recursion(B)
    for l in range(1, B.L + 1):
        check(D[l], by_samples(B, one, one.delta(l)), net=B).require()
        check(D[l], B.Delta(l), net=B).require()                       # = n dC/dZ^l of the mean cost


def test_batched_recursion_slips_are_diagnosed():
    B = cached_network((2, 3, 4, 2), samples=3)
    r = check(hadamard(B.W[3].T * B.Delta(3), B.sigma_of(B.Z[2])), B.Delta(2), net=B)
    assert not r.ok and "σ where σ′ belongs at layer 2" in r.message
    r = check(lambda N: hadamard(N.W[3] * N.Delta(3), N.sigma_prime_of(N.Z[2])), B.Delta(2), net=B)
    assert not r.ok and "shape mismatch" in r.message
    r = check(B.W[3].T * B.Delta(3), B.Delta(2), net=B)
    assert not r.ok and "misses σ′" in r.message
    # dC/dZ itself (with the 1/n inside) is not Delta: the factor n is named
    r = check(B.dC_dz(2), B.Delta(2), net=B)
    assert not r.ok and "1/n = 1/3 of the truth" in r.message


# ---------------------------------------------------------------------------------------- (5.4), (5.5)
def test_sum_of_per_sample_outer_products_is_the_gradient_of_the_mean_cost():
    B = cached_network((2, 3, 4, 2), samples=3)
    n = B.samples
    D = batched_recursion(B)
    for l in range(1, B.L + 1):
        outer_sum = sum((D[l][:, s] * B.A[l - 1][:, s].T for s in range(n)), sp.zeros(*B.W[l].shape))
        check(outer_sum / n, B.dC_dW(l), net=B).require()
        check(D[l] * B.A[l - 1].T / n, B.dC_dW(l), net=B).require()               # (5.4)
        check(D[l] * sp.ones(n, 1) / n, B.dC_db(l), net=B).require()               # (5.5)


def test_quadratic_sigmoid_batch_too():
    B = SymbolicNetwork([2, 3, 2], activation="sigmoid", cost="quadratic", samples=2)
    D = batched_recursion(B)
    for l in range(1, B.L + 1):
        check(D[l] * B.A[l - 1].T / 2, B.dC_dW(l), net=B).require()
        check(D[l] * sp.ones(2, 1) / 2, B.dC_db(l), net=B).require()


def test_lost_one_over_n_and_transpose_are_diagnosed_symbolically():
    B = cached_network((2, 3, 4, 2), samples=3)
    r = check(B.Delta(2) * B.A[1].T, B.dC_dW(2), net=B)
    assert not r.ok and "the 1/n of the averaged cost is missing" in r.message
    r = check(B.Delta(2) * sp.ones(3, 1), B.dC_db(2), net=B)
    assert not r.ok and "the 1/n of the averaged cost is missing" in r.message
    r = check(B.A[1] * B.Delta(2).T / 3, B.dC_dW(2), net=B)
    assert not r.ok and "transposed" in r.message
    # summing over the wrong index: Delta^T A is (n x n), samples against samples
    r = check(lambda N: N.Delta(2).T * N.A[1], B.dC_dW(2), net=B)
    assert not r.ok and "shape mismatch" in r.message


def _problem(m=6, seed=5):
    net = MLP([4, 5, 3, 2], activation="sigmoid", cost="quadratic", seed=seed)
    rng = np.random.default_rng(seed)
    return net, rng.standard_normal((4, m)), rng.uniform(size=(2, m))


def test_per_sample_tensor_by_einsum_and_its_sum():
    net, X, Y = _problem()
    m = X.shape[1]
    g, fw = net.gradients(X, Y), net.forward(X)
    for l in range(1, net.L + 1):
        G = np.einsum("jx,kx->xjk", g.delta[l], fw.a[l - 1])
        assert G.shape == (m, net.sizes[l], net.sizes[l - 1])
        each = np.stack([net.gradients(X[:, [x]], Y[:, [x]], method="per_sample").dW[l] for x in range(m)])
        assert compare("G", G, each, quiet=True).ok
        for dW in (G.sum(axis=0) / m, np.einsum("jx,kx->jk", g.delta[l], fw.a[l - 1]) / m,
                   g.delta[l] @ fw.a[l - 1].T / m):
            assert compare("dW", dW, g.dW[l], quiet=True).ok
        assert compare("db", g.delta[l] @ np.ones((m, 1)) / m, g.db[l], quiet=True).ok
    # the other layout of the tensor is not it
    wrong = np.einsum("jx,kx->xkj", g.delta[2], fw.a[1])
    assert not compare("G", wrong, np.stack([np.outer(g.delta[2][:, x], fw.a[1][:, x]) for x in range(m)]),
                       quiet=True).ok


def test_compare_names_the_lost_one_over_m_and_the_sum_grows_with_m():
    net, X, Y = _problem()
    g, fw = net.gradients(X, Y), net.forward(X)
    v = compare("no 1/m", g.delta[2] @ fw.a[1].T, g.dW[2], m=6, quiet=True)
    assert not v.ok and "the 1/m is missing" in v.message
    v = compare("dW^T", fw.a[1] @ g.delta[2].T / 6, g.dW[2], m=6, quiet=True)
    assert not v.ok and "transposed" in v.message
    rng = np.random.default_rng(7)
    sums, means = [], []
    for size in (10, 1000):
        Xm, Ym = rng.uniform(size=(4, size)), np.ones((2, size))
        raw = net.gradients(Xm, Ym).delta[1] @ Xm.T
        sums.append(np.linalg.norm(raw))
        means.append(np.linalg.norm(raw / size))
    assert sums[1] / sums[0] > 50                      # grows roughly like m (x100 here)
    assert 0.5 < means[1] / means[0] < 2               # the mean does not


# ---------------------------------------------------------------------------------------- inline backprop
def _inline(net, X, Y, prime=None, scale=None):
    act, cost = get_activation("sigmoid"), get_cost("quadratic")
    prime = prime or act.prime
    L, m = net.L, X.shape[1]
    scale = 1.0 / m if scale is None else scale
    Z, A = [None], [X]
    for l in range(1, L + 1):
        Z.append(net.W[l] @ A[l - 1] + net.b[l])
        A.append(act.f(Z[l]))
    D = [None] * (L + 1)
    D[L] = cost.grad_a(A[L], Y) * act.prime(Z[L])
    for l in range(L - 1, 0, -1):
        D[l] = (net.W[l + 1].T @ D[l + 1]) * prime(Z[l])
    dW = [None] + [D[l] @ A[l - 1].T * scale for l in range(1, L + 1)]
    db = [None] + [D[l].sum(axis=1, keepdims=True) * scale for l in range(1, L + 1)]
    return dW, db


def test_inline_batched_backprop_matches_package_mean_and_gradient_check():
    net, X, Y = _problem()
    dW, db = _inline(net, X, Y)
    g = net.gradients(X, Y)
    for l in range(1, net.L + 1):
        assert compare("dW", dW[l], g.dW[l], quiet=True).ok
        assert compare("db", db[l], g.db[l], quiet=True).ok
        each = [net.gradients(X[:, [x]], Y[:, [x]], method="per_sample") for x in range(6)]
        assert compare("mean", dW[l], np.mean([e.dW[l] for e in each], axis=0), quiet=True).ok
    assert gradient_check(net, X, Y, grads=(dW, db)).ok
    # deliberately wrong versions fail the gradient check
    act = get_activation("sigmoid")
    assert not gradient_check(net, X, Y, grads=_inline(net, X, Y, prime=act.f)).ok
    assert not gradient_check(net, X, Y, grads=_inline(net, X, Y, scale=1.0)).ok


def test_shape_pictures_accept_the_batch_products_and_refuse_a_wrong_one():
    draw_matrix_shapes([("Z", (3, 6)), ("=", None), ("W", (3, 5)), ("A", (5, 6)), ("+", None), ("b", (3, 1)),
                        ("1^T", (1, 6))])
    draw_matrix_shapes([("dW", (3, 5)), ("=", None), ("D", (3, 6)), ("A^T", (6, 5))])
    with pytest.raises(ValueError, match="inner dimensions"):
        draw_matrix_shapes([("dW", (3, 5)), ("=", None), ("D", (3, 6)), ("A", (5, 6))])


def test_time_step_returns_the_three_methods():
    t = time_step([20, 5, 3], 8, min_seconds=0.001, repeats=1)
    assert set(t) == {"per_sample", "batched", "floor"}
    assert all(v > 0 for v in t.values())


# ---------------------------------------------------------------------------------------- the exercise checks
WRONG_A = {
    # 5.1: sigma where sigma' belongs
    "ex5_1": "from backprop_lib.symbolic import hadamard\n"
             "def Delta_hidden(net, l):\n"
             "    return hadamard(net.W[l + 1].T * net.Delta(l + 1), net.sigma_of(net.Z[l]))\n",
    # 5.2: the tensor with its last two axes swapped
    "ex5_2": "per_sample_subscripts = 'jx,kx->xkj'\n",
    # 5.3: the lost 1/m
    "ex5_3": "def batched_dW(Delta, A_prev):\n    return Delta @ A_prev.T\n",
}
WRONG_B = {
    # 5.1: the missing transpose
    "ex5_1": "from backprop_lib.symbolic import hadamard\n"
             "def Delta_hidden(net, l):\n"
             "    return hadamard(net.W[l + 1] * net.Delta(l + 1), net.sigma_prime_of(net.Z[l]))\n",
    # 5.2: the sum over the samples already done (that is m dW, not the per-sample tensor)
    "ex5_2": "per_sample_subscripts = 'jx,kx->jk'\n",
    # 5.3: the transposed product
    "ex5_3": "def batched_dW(Delta, A_prev):\n    return A_prev @ Delta.T / Delta.shape[1]\n",
}


@pytest.mark.slow
def test_exercise_checks_reject_typical_slips_a():
    v = run_with_answers(NOTEBOOK, WRONG_A)
    assert set(v) == {"ex5_1", "ex5_2", "ex5_3"}
    ok, msg = v["ex5_1"]
    assert not ok and "σ where σ′ belongs at layer 2" in msg
    ok, msg = v["ex5_2"]
    assert not ok and "WRONG shape" in msg and "(6, 5, 3)" in msg
    ok, msg = v["ex5_3"]
    assert not ok and "the 1/m is missing" in msg


@pytest.mark.slow
def test_exercise_checks_reject_typical_slips_b():
    v = run_with_answers(NOTEBOOK, WRONG_B)
    ok, msg = v["ex5_1"]
    assert not ok and "shape mismatch" in msg
    ok, msg = v["ex5_2"]
    assert not ok and "WRONG shape" in msg and "(3, 5)" in msg
    ok, msg = v["ex5_3"]
    assert not ok and "transposed" in msg
