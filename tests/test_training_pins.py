"""sgd pinned against small cases computed by hand: the shuffle and its seed, each batch's contents (the last one
partial), eta applied exactly, the recorded cost and accuracies, and a diverging run stopped with a clear error."""

import numpy as np
import pytest

from backprop_lib import MLP, sgd
from backprop_lib.training import batches


def spy_on_steps(net):
    """Record every (X, Y, eta) that sgd hands to net.train_step, then take the step."""
    seen = []
    step = net.train_step

    def recording_step(X, Y, eta, check=True):
        seen.append((X.copy(), Y.copy(), eta))
        step(X, Y, eta, check=check)

    net.train_step = recording_step
    return seen


def columns_of(X, batch):
    # which columns of X (by value: column i holds i in every row) a batch holds
    return batch[0, :].astype(int).tolist()


def numbered_problem(N=5):
    # column i of X is (i, i) and of Y the one-hot of i % 2: a batch's columns tell which samples it holds
    X = np.vstack([np.arange(N), np.arange(N)]).astype(float)
    Y = np.eye(2)[:, np.arange(N) % 2]
    return MLP([2, 2], activation="sigmoid", seed=0), X, Y


def test_each_epoch_reshuffles_and_cuts_batches_in_order_with_a_smaller_last_one():
    net, X, Y = numbered_problem(N=5)
    seen = spy_on_steps(net)
    sgd(net, X, Y, epochs=2, batch_size=2, eta=0.25, seed=7, progress=False)
    assert [b[0].shape[1] for b in seen] == [2, 2, 1, 2, 2, 1]  # the last partial batch is kept, not dropped
    rng = np.random.default_rng(7)  # one generator for the run, seeded by `seed`
    expected = [rng.permutation(5), rng.permutation(5)]
    for epoch in range(2):
        got = [columns_of(X, b[0]) for b in seen[3 * epoch : 3 * epoch + 3]]
        assert got == [expected[epoch][:2].tolist(), expected[epoch][2:4].tolist(), expected[epoch][4:].tolist()]
        assert sorted(sum(got, [])) == [0, 1, 2, 3, 4]  # every sample exactly once per epoch
    assert [columns_of(X, b[0]) for b in seen[:3]] != [[0, 1], [2, 3], [4]]  # shuffled, not in order
    assert [columns_of(X, b[0]) for b in seen[:3]] != [columns_of(X, b[0]) for b in seen[3:]]  # a new order
    for Xb, Yb, eta in seen:  # each batch's targets travel with its inputs
        assert np.array_equal(Yb, np.eye(2)[:, Xb[0].astype(int) % 2]) and eta == 0.25


def test_the_seed_decides_the_order():
    orders = {}
    for seed in (0, 1, 1):
        net, X, Y = numbered_problem(N=8)
        seen = spy_on_steps(net)
        sgd(net, X, Y, epochs=1, batch_size=8, eta=0.1, seed=seed, progress=False)
        orders.setdefault(seed, []).append(columns_of(X, seen[0][0]))
    assert orders[1][0] == orders[1][1] and orders[0][0] != orders[1][0]
    assert orders[0][0] == np.random.default_rng(0).permutation(8).tolist()


def test_batches_helper_is_the_documented_rule():
    rng = np.random.default_rng(3)
    pieces = batches(7, 3, rng)
    order = np.random.default_rng(3).permutation(7)
    assert [p.tolist() for p in pieces] == [order[:3].tolist(), order[3:6].tolist(), order[6:].tolist()]


def linear_problem():
    """A 1-1 identity network, quadratic cost: z = w x + b, delta = z - y. All numbers below are exact in binary."""
    net = MLP([1, 1], activation="identity", cost="quadratic", seed=0)
    net.W[1][:] = 0.5
    net.b[1][:] = 0.25
    X = np.array([[1.0, 2.0, 3.0, 4.0]])
    Y = np.array([[1.0, 1.0, 1.0, 2.0]])
    return net, X, Y


def test_one_full_batch_epoch_is_the_delta_rule_computed_by_hand():
    # z = 0.5 x + 0.25 = [0.75, 1.25, 1.75, 2.25]; delta = z - y = [-0.25, 0.25, 0.75, 0.25]
    # dW = mean(delta * x) = (-0.25 + 0.5 + 2.25 + 1) / 4 = 0.875;  db = mean(delta) = 1 / 4 = 0.25
    # eta = 0.5: w = 0.5 - 0.5 * 0.875 = 0.0625;  b = 0.25 - 0.5 * 0.25 = 0.125
    net, X, Y = linear_problem()
    history = sgd(net, X, Y, epochs=1, batch_size=4, eta=0.5, progress=False)
    assert net.W[1][0, 0] == 0.0625 and net.b[1][0, 0] == 0.125
    # recorded cost after the epoch, on all 4 samples: z = [0.1875, 0.25, 0.3125, 0.375],
    # C = (0.8125^2 + 0.75^2 + 0.6875^2 + 1.625^2) / (2 * 4) = 4.3359375 / 8
    assert history.cost == [4.3359375 / 8] and history.epoch == [1]


def test_mini_batches_of_one_apply_eta_to_each_sample_in_the_shuffled_order():
    net, X, Y = linear_problem()
    sgd(net, X, Y, epochs=1, batch_size=1, eta=0.125, seed=5, progress=False)
    w, b = 0.5, 0.25
    for i in np.random.default_rng(5).permutation(4):  # the same steps, by hand, one sample at a time
        delta = w * X[0, i] + b - Y[0, i]
        w, b = w - 0.125 * delta * X[0, i], b - 0.125 * delta
    assert net.W[1][0, 0] == pytest.approx(w, rel=1e-15) and net.b[1][0, 0] == pytest.approx(b, rel=1e-15)


def test_recorded_accuracies_are_argmax_on_the_whole_set():
    # identity output, W = I, b = 0: the outputs are the inputs, so the predicted class of a column is the index of
    # its larger entry: [0, 1, 0, 1]; the labels are [0, 1, 1, 1], so 3 of 4 are right (argmin would get 1 of 4)
    net = MLP([2, 2], activation="identity", seed=0)
    net.W[1][:] = np.eye(2)
    net.b[1][:] = 0.0
    X = np.array([[3.0, 1.0, 2.0, 0.0], [1.0, 3.0, 0.0, 1.0]])
    y = np.array([0, 1, 1, 1])
    history = sgd(
        net, X, np.eye(2)[:, y], epochs=2, batch_size=4, eta=1e-9, X_test=X[:, :2], y_test=y[:2], progress=False
    )
    assert history.train_accuracy == [0.75, 0.75] and history.test_accuracy == [1.0, 1.0]
    assert history.cost[-1] == pytest.approx(net.cost_value(X, np.eye(2)[:, y]), rel=1e-15)


def test_a_diverging_run_stops_with_a_clear_error():
    # eta x^2 = 100 > 2: each step multiplies the error by about -99 (|1 - 100|), so 308 / log10(99) / 2 = 77
    # steps of 2 samples, about 39 epochs, take the cost (the squared error) past the largest float
    net = MLP([1, 1], activation="identity", seed=0)
    X, Y = np.array([[10.0, -10.0]]), np.array([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"^training diverged in epoch (3[5-9]|4[0-3]) \(eta = 1\): the cost is inf$"):
        sgd(net, X, Y, epochs=200, batch_size=1, eta=1.0, progress=False)


def test_a_network_broken_by_training_names_its_layer():
    # eta = 1e300: the first step already takes W[1] past the largest float
    net = MLP([1, 1], activation="identity", seed=0)
    X, Y = np.array([[10.0, -10.0]]), np.array([[1.0, 2.0]])
    with pytest.raises(
        ValueError,
        match=r"^training diverged in epoch 1 \(eta = 1e\+300\): W\[1\] or b\[1\] "
        r"\(layer 1\) holds NaN or inf",
    ):
        sgd(net, X, Y, epochs=3, batch_size=1, eta=1e300, progress=False)


def test_a_stable_run_of_the_same_problem_converges():
    # the same problem with eta x^2 < 2 learns, so the error above is the learning rate's, not the data's
    net = MLP([1, 1], activation="identity", seed=0)
    X, Y = np.array([[10.0, -10.0]]), np.array([[1.0, 2.0]])
    history = sgd(net, X, Y, epochs=200, batch_size=2, eta=0.01, progress=False)
    assert history.cost[-1] < 1e-3 * history.cost[0] + 0.2
