"""Mini-batch stochastic gradient descent: the delta rule (4.8) applied to shuffled mini-batches, (6.1).

    W[l] <- W[l] - eta * (1/m) Delta[l] @ A[l-1].T,    b[l] <- b[l] - eta * (1/m) Delta[l] @ 1

Taught in notebooks/06_training_mnist.ipynb.
"""
import time
from dataclasses import dataclass, field
from typing import List

import numpy as np

from .validation import check_positive_int


@dataclass
class History:
    """Per-epoch record of training: cost and accuracy on the training set (and the test set if given)."""
    epoch: List[int] = field(default_factory=list)
    cost: List[float] = field(default_factory=list)
    train_accuracy: List[float] = field(default_factory=list)
    test_accuracy: List[float] = field(default_factory=list)
    seconds: float = 0.0

    def __repr__(self):
        if not self.epoch:
            return "History(no epochs)"
        last = f"cost {self.cost[-1]:.4f}, train accuracy {100 * self.train_accuracy[-1]:.1f}%"
        if self.test_accuracy:
            last += f", test accuracy {100 * self.test_accuracy[-1]:.1f}%"
        return f"History({len(self.epoch)} epochs; last: {last})"


def _progress(iterable, total, enabled):
    # tqdm.auto draws a widget in Jupyter and a text bar in a terminal; disable=None silences it when the
    # output is not interactive (scripts, tests, CI logs).
    if enabled is False:
        return iterable
    from tqdm.auto import tqdm
    # leave=True keeps the finished bar (10/10 epochs, and how long they took) on the page for the reader
    return tqdm(iterable, total=total, desc="epochs", disable=None if enabled is None else not enabled,
                leave=True)


def sgd(net, X, Y, epochs, batch_size, eta, seed=0, X_test=None, y_test=None, progress=None):
    """Train `net` in place by mini-batch SGD, equation (6.1); return a History.

    X (n_0, N) and Y (n_L, N) hold the N training samples as columns. Each epoch shuffles the columns with a
    generator seeded by `seed`, cuts them into mini-batches of `batch_size` (the last may be smaller), and for
    each batch does batched backprop (5.1)-(5.5) and the delta rule (4.8). After each epoch it records the
    cost and accuracy on the training set and, if given, on (X_test, y_test). `progress`: None shows a bar
    only where output is interactive, True always, False never.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    if not np.isfinite(eta) or eta <= 0:
        raise ValueError(f"the learning rate eta must be a positive number, got {eta!r}")
    net.check_parameters()
    X, Y = net.check_batch(X, Y)
    y_train = np.argmax(Y, axis=0)
    if X_test is not None:
        X_test = net.check_batch(X_test)
        net.accuracy(X_test, y_test)  # validates the test labels before any time is spent training
    rng = np.random.default_rng(seed)
    N = X.shape[1]
    history = History()
    start = time.perf_counter()
    for epoch in _progress(range(1, epochs + 1), epochs, progress):
        order = rng.permutation(N)
        for first in range(0, N, batch_size):
            cols = order[first:first + batch_size]
            net._train_batch(X[:, cols], Y[:, cols], eta)
        net.check_parameters()  # a diverging run stops here, naming the layer, instead of producing NaNs
        A_L = net._forward(X).a[net.L]
        history.epoch.append(epoch)
        history.cost.append(float(net.cost.value(A_L, Y)))
        history.train_accuracy.append(float(np.mean(np.argmax(A_L, axis=0) == y_train)))
        if X_test is not None:
            history.test_accuracy.append(net.accuracy(X_test, y_test))
    history.seconds = time.perf_counter() - start
    return history
