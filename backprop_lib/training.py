"""Mini-batch stochastic gradient descent: the delta rule (4.8) applied to shuffled mini-batches, (6.1).

    W[l] <- W[l] - eta * (1/m) Delta[l] @ A[l-1].T,    b[l] <- b[l] - eta * (1/m) Delta[l] @ 1

Taught in notebooks/06_training_mnist.ipynb.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from .validation import check_eta, check_int, check_labels, check_seed


@dataclass
class History:
    """Per-epoch record of training: cost and accuracy on the training set (and the test set if given)."""

    epoch: list[int] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def __repr__(self):
        if not self.epoch:
            return "History(no epochs)"
        last = f"cost {self.cost[-1]:.4f}, train accuracy {100 * self.train_accuracy[-1]:.1f}%"
        if self.test_accuracy:
            last += f", test accuracy {100 * self.test_accuracy[-1]:.1f}%"
        return f"History({len(self.epoch)} epochs; last: {last})"


def _progress(iterable, enabled):
    # tqdm.auto draws a widget in Jupyter and a text bar in a terminal; disable=None silences it when the
    # output is not interactive (scripts, tests, CI logs).
    if enabled is False:
        return iterable
    from tqdm.auto import tqdm

    # tqdm keeps the finished bar (10/10 epochs, and how long they took) on the page for the reader
    return tqdm(iterable, desc="epochs", disable=None if enabled is None else not enabled)


def batches(N, batch_size, rng):
    """The column indices of one epoch's mini-batches: a permutation of 0..N-1 drawn from rng, cut into
    consecutive pieces of batch_size; the last piece is smaller when batch_size does not divide N."""
    order = rng.permutation(N)
    return [order[first : first + batch_size] for first in range(0, N, batch_size)]


def sgd(net, X, Y, epochs, batch_size, eta, seed=0, X_test=None, y_test=None, progress=None):
    """Train `net` in place by mini-batch SGD, equation (6.1); return a History.

    X (n_0, N) and Y (n_L, N) hold the N training samples as columns. Each epoch shuffles the columns with a
    generator seeded by `seed` (one generator for the whole run), cuts them into mini-batches of `batch_size`
    (the last may be smaller), and for each batch does batched backprop (5.1)-(5.5) and the delta rule (4.8).
    After each epoch it records the cost and accuracy on the whole training set and, if given, on
    (X_test, y_test); a diverging run stops there with a ValueError naming the broken layer or the infinite
    cost. `progress`: None shows a bar only where output is interactive, True always, False never. Every
    argument is checked before training.
    """
    epochs = check_int("epochs", epochs, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    eta = check_eta(eta)
    seed = check_seed("seed", seed)
    if progress not in (None, True, False):
        raise ValueError(f"progress must be None, True or False, got {progress!r}")
    net.check_parameters()
    X, Y = net.check_batch(X, Y)
    y_train = np.argmax(Y, axis=0)
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test go together: pass both (test inputs and their labels) or neither")
    if X_test is not None:
        X_test = net.check_batch(X_test)
        y_test = check_labels("y_test", y_test, n_classes=net.sizes[-1], m=X_test.shape[1])
    rng = np.random.default_rng(seed)
    history = History()
    start = time.perf_counter()
    for epoch in _progress(range(1, epochs + 1), progress):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported below, by layer
            for cols in batches(X.shape[1], batch_size, rng):
                net.train_step(X[:, cols], Y[:, cols], eta, check=False)
            A_L = net.forward(X, check=False).a[net.L]
            cost = net.cost.value(A_L, Y)
        try:
            net.check_parameters()
            if not np.isfinite(cost):
                raise ValueError(f"the cost is {cost}")
        except ValueError as exc:
            raise ValueError(f"training diverged in epoch {epoch} (eta = {eta:g}): {exc}") from None
        history.epoch.append(epoch)
        history.cost.append(cost)
        history.train_accuracy.append(float(np.mean(np.argmax(A_L, axis=0) == y_train)))
        if X_test is not None:
            history.test_accuracy.append(net.accuracy(X_test, y_test))
    history.seconds = time.perf_counter() - start
    return history
