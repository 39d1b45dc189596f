"""The MLP: layer indexing, forward pass, the three backward forms, compare, gradient check, bad input."""

import numpy as np
import pytest

from backprop_lib import MLP, compare, gradient_check, relative_error

RNG = np.random.default_rng(1)


def batch(net, m=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((net.sizes[0], m))
    Y = np.eye(net.sizes[-1])[:, rng.integers(0, net.sizes[-1], m)]
    return X, Y


def test_layers_are_indexed_like_the_math():
    net = MLP([2, 3, 4, 5])
    assert net.L == 3 and net.W[0] is None and net.b[0] is None
    assert [net.W[l].shape for l in range(1, 4)] == [(3, 2), (4, 3), (5, 4)]
    assert [net.b[l].shape for l in range(1, 4)] == [(3, 1), (4, 1), (5, 1)]


def test_forward_matches_the_layer_equations_and_keeps_a0():
    net = MLP([2, 3, 4], seed=3)
    x = np.array([[0.5], [-1.0]])
    fw = net.forward(x)
    assert fw.a[0] is not None and np.array_equal(fw.a[0], x) and fw.z[0] is None
    z1 = net.W[1] @ x + net.b[1]
    a1 = 1 / (1 + np.exp(-z1))
    z2 = net.W[2] @ a1 + net.b[2]
    assert np.allclose(fw.z[1], z1) and np.allclose(fw.a[1], a1) and np.allclose(fw.z[2], z2)
    # one sample given as a flat vector is a column
    assert net.forward(x.ravel()).a[2].shape == (4, 1)


def test_seed_makes_the_network_reproducible():
    a, b, c = MLP([3, 4, 2], seed=7), MLP([3, 4, 2], seed=7), MLP([3, 4, 2], seed=8)
    assert np.array_equal(a.W[1], b.W[1]) and not np.array_equal(a.W[1], c.W[1])


@pytest.mark.parametrize(
    "sizes, act, cost",
    [
        ([2, 3, 4, 5], "sigmoid", "quadratic"),
        ([4, 5, 3], "tanh", "log_likelihood"),
        ([3, 6, 6, 2], "sigmoid", "cross_entropy"),
    ],
)
def test_three_backward_forms_agree_and_pass_the_gradient_check(sizes, act, cost):
    net = MLP(sizes, activation=act, cost=cost, seed=2)
    X, Y = batch(net)
    g = {m: net.gradients(X, Y, method=m) for m in ("batched", "per_sample", "omega")}
    for l in range(1, net.L + 1):
        for m in ("per_sample", "omega"):
            assert np.allclose(g[m].dW[l], g["batched"].dW[l], rtol=0, atol=1e-12)
            assert np.allclose(g[m].db[l], g["batched"].db[l], rtol=0, atol=1e-12)
            assert np.allclose(g[m].delta[l], g["batched"].delta[l], rtol=0, atol=1e-12)
    assert gradient_check(net, X, Y).ok


def test_batched_gradient_is_the_mean_of_per_sample_gradients():
    net = MLP([3, 4, 2], seed=5)
    X, Y = batch(net, m=5)
    full = net.gradients(X, Y)
    singles = [net.gradients(X[:, i], Y[:, i]) for i in range(5)]
    for l in (1, 2):
        assert np.allclose(full.dW[l], np.mean([s.dW[l] for s in singles], axis=0), atol=1e-14)
        assert np.allclose(full.db[l], np.mean([s.db[l] for s in singles], axis=0), atol=1e-14)


def test_update_is_the_delta_rule_and_keeps_the_gradients():
    net = MLP([3, 4, 2], seed=5)
    X, Y = batch(net)
    before = net.copy()
    g = net.gradients(X, Y)
    dW1 = g.dW[1].copy()
    net.update(g, eta=0.5)
    assert np.allclose(net.W[1], before.W[1] - 0.5 * dW1) and np.array_equal(g.dW[1], dW1)
    assert net.cost_value(X, Y) < before.cost_value(X, Y)


def test_relative_error_is_the_cs231n_formula():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0, 0.0], [3.0, 0.0]) == pytest.approx(2 / 4)
    assert relative_error([0.0], [0.0]) == 0.0  # the 1e-8 floor avoids 0/0


# ------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda n, X, Y: n.forward(X.T), r"row-major.*pass X\.T"),
        (lambda n, X, Y: n.forward(np.ones((5, 2))), r"expected shape \(3, m\)"),
        (lambda n, X, Y: n.gradients(X, Y[:, :2]), "X has 6 samples .* Y has 2"),
        (lambda n, X, Y: n.gradients(X, np.ones((3, 6))), r"Y: expected shape \(2, m\)"),
        (lambda n, X, Y: n.forward(np.full((3, 2), np.nan)), "NaN or infinite"),
        (lambda n, X, Y: n.forward(np.ones((3, 0))), "empty"),
        (lambda n, X, Y: n.gradients(X, Y, method="fast"), "unknown method 'fast'; known: batched, omega, per_sample"),
        (lambda n, X, Y: n.accuracy(X, np.array([0, 1, 2, 0, 1, 0])), r"labels must be integers in \[0, 2\)"),
        (lambda n, X, Y: n.update(n.gradients(X, Y), eta=-1), "positive"),
    ],
)
def test_bad_input_gets_a_clear_error(call, match):
    net = MLP([3, 4, 2], seed=0)
    X, Y = batch(net)
    with pytest.raises(ValueError, match=match):
        call(net, X, Y)


def test_a_wrongly_shaped_parameter_names_its_layer():
    net = MLP([3, 4, 2])
    net.W[2] = net.W[2].T
    with pytest.raises(
        ValueError, match=r"W\[2\] \(layer 2\): expected shape \(2, 4\), got \(4, 2\) \(it is the transpose"
    ):
        net.forward(np.ones(3))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(sizes=[3]), "at least two"),
        (dict(sizes=[3, 0, 2]), r"sizes\[1\] \(n_1\) must be at least 1"),
        (dict(sizes=[3, 2], activation="softmax"), "not elementwise"),
        (dict(sizes=[3, 2], cost="cross_entropy", output_activation="identity"), r"must lie in \(0, 1\)"),
    ],
)
def test_bad_construction_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLP(**kwargs)


def test_compare_reports_exact_close_and_wrong():
    ref = RNG.standard_normal((4, 3))
    assert compare("x", ref, ref, quiet=True).message.endswith("max diff: 0")
    assert compare("x", ref + 1e-12, ref, quiet=True).ok
    wrong = compare("x", ref + 0.1, ref, quiet=True)
    assert not wrong.ok and "12 of 12 entries differ" in wrong.message
    with pytest.raises(AssertionError, match="entries differ"):
        wrong.require()


def test_the_training_step_equals_backprop_and_the_delta_rule():
    # train_step scales its own fresh gradients in place: the same arithmetic as gradients() + update(),
    # for every batch size in turn
    for act in ("sigmoid", "tanh", "relu"):
        net = MLP([3, 5, 4, 2], activation=act, seed=6)
        X, Y = batch(net, m=7)
        twin = net.copy()
        twin.update(twin.gradients(X, Y), eta=0.3)
        net.train_step(X, Y, eta=0.3)
        net.train_step(X[:, :3], Y[:, :3], eta=0.3)  # a second batch size, then the first again
        twin.update(twin.gradients(X[:, :3], Y[:, :3]), eta=0.3)
        net.train_step(X, Y, eta=0.3)
        twin.update(twin.gradients(X, Y), eta=0.3)
        for l in (1, 2, 3):
            assert np.allclose(net.W[l], twin.W[l], rtol=0, atol=1e-14)
            assert np.allclose(net.b[l], twin.b[l], rtol=0, atol=1e-14)
