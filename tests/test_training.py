"""Training on the shipped MNIST digits: the whole pipeline is real (data, forward, backprop, SGD)."""

import nbtools
import numpy as np
import pytest

from backprop_lib import MLP, sgd
from backprop_lib.data import load_mnist


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


@pytest.fixture(scope="module")
def trained(mnist):
    net = MLP([784, 30, 10], activation="sigmoid", cost="quadratic", seed=0)
    return net, nbtools.sgd_on_mnist(net, mnist, epochs=10, eta=3.0)


def test_mlp_784_30_10_reaches_85_percent_on_held_out_digits_within_10_epochs(mnist, trained):
    net, history = trained
    assert len(history.test_accuracy) == 10
    assert history.test_accuracy[-1] >= 0.85, history
    assert net.accuracy(mnist.X_test, mnist.y_test) == history.test_accuracy[-1]
    assert history.cost[-1] < history.cost[0]  # it learned, not just started lucky


def test_training_is_deterministic(mnist):
    runs = []
    for _ in range(2):
        net = MLP([784, 10, 10], seed=3)
        h = sgd(
            net,
            mnist.X_train[:, :500],
            mnist.Y_train[:, :500],
            epochs=2,
            batch_size=20,
            eta=1.0,
            seed=5,
            progress=False,
        )
        runs.append((h.cost, net.W[1].copy()))
    assert runs[0][0] == runs[1][0] and np.array_equal(runs[0][1], runs[1][1])


def test_an_untrained_network_is_at_chance(mnist):
    # the accuracy above is earned: a fresh network scores about 10%
    assert MLP([784, 30, 10], seed=0).accuracy(mnist.X_test, mnist.y_test) < 0.3


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(epochs=0), "epochs must be at least 1"),
        (dict(batch_size=2.5), "batch_size"),
        (dict(eta=float("nan")), "learning rate"),
        (dict(y_test=np.arange(1000) % 11), r"y_test must be integers in \[0, 10\)"),
    ],
)
def test_bad_arguments_are_refused_before_training(mnist, kwargs, match):
    args = dict(epochs=1, batch_size=10, eta=1.0, X_test=mnist.X_test, y_test=mnist.y_test, progress=False)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        sgd(MLP([784, 5, 10]), mnist.X_train[:, :50], mnist.Y_train[:, :50], **args)


def test_labels_instead_of_one_hot_targets_are_refused(mnist):
    with pytest.raises(
        ValueError,
        match=r"Y: expected one sample of 10 outputs or a \(10, m\) batch, got a vector of length 50; .*one_hot",
    ):
        sgd(MLP([784, 5, 10]), mnist.X_train[:, :50], mnist.y_train[:50], epochs=1, batch_size=10, eta=1.0)
