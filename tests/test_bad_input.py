"""Every bad input to the numeric core gets a clear ValueError naming the argument, what was expected and what
came; nothing is half-applied. One row per case (issue #13), each case one that once passed silently or
raised a raw numpy/Python error."""

import re

import numpy as np
import pytest

from backprop_lib import MLP, compare, gradient_check, numerical_gradients, sgd
from backprop_lib.activations import get_activation
from backprop_lib.costs import get_cost
from backprop_lib.data import load_mnist, one_hot, two_moons
from backprop_lib.plotting import draw_layer, draw_network, show_digits


def problem(cost="quadratic"):
    net = MLP([3, 4, 2], cost=cost, seed=0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 5))
    Y = np.eye(2)[:, [0, 1, 0, 1, 1]]
    return net, X, Y


def with_nan_b(net):
    net.b[1][0, 0] = np.nan
    return net


def transposed_W2(net):
    net.W[2] = net.W[2].T.copy()
    return net


def flat_b1(net):
    net.b[1] = net.b[1].ravel()
    return net


def grads_with(net, X, Y, **entries):
    g = net.gradients(X, Y)
    for key, value in entries.items():
        kind, l = key[:2], int(key[2:])
        getattr(g, kind)[l] = value
    return g


CASES = {  # case: (the call, the exact message)
    # ------------------------------------------------------------------ MLP(...)
    "sizes as a set": (
        lambda n, X, Y: MLP({3, 1, 2}),
        "sizes must be a sequence of layer widths [n_0, ..., n_L] (a list or tuple), got {1, 2, 3} (set)",
    ),
    "sizes as a string": (
        lambda n, X, Y: MLP("34"),
        "sizes must be a sequence of layer widths [n_0, ..., n_L] (a list or tuple), got '34' (str)",
    ),
    "one layer only": (
        lambda n, X, Y: MLP([3]),
        "sizes must list at least two layer widths [n_0, ..., n_L]: at least an input and an output layer, got [3]",
    ),
    "True as a layer size": (lambda n, X, Y: MLP([3, True, 2]), "sizes[1] (n_1) must be an integer, got True (bool)"),
    "a float layer size": (lambda n, X, Y: MLP([3, 4.0, 2]), "sizes[1] (n_1) must be an integer, got 4.0 (float)"),
    "a zero layer size": (lambda n, X, Y: MLP([3, 0, 2]), "sizes[1] (n_1) must be at least 1, got 0"),
    "activation=[]": (
        lambda n, X, Y: MLP([3, 2], activation=[]),
        "unknown activation []; known: identity, relu, sigmoid, softmax, tanh",
    ),
    "activation misspelt": (
        lambda n, X, Y: MLP([3, 2], activation="sigmod"),
        "unknown activation 'sigmod'; known: identity, relu, sigmoid, softmax, tanh",
    ),
    "cost=[]": (
        lambda n, X, Y: MLP([3, 2], cost=[]),
        "unknown cost []; known: cross_entropy, log_likelihood, quadratic",
    ),
    "output_activation=[]": (
        lambda n, X, Y: MLP([3, 2], output_activation=[]),
        "unknown activation []; known: identity, relu, sigmoid, softmax, tanh",
    ),
    "softmax as hidden activation": (
        lambda n, X, Y: MLP([3, 2], activation="softmax"),
        "activation 'softmax' is not elementwise; use it as output_activation, with an elementwise activation for the "
        "hidden layers",
    ),
    "cross-entropy with identity output": (
        lambda n, X, Y: MLP([3, 2], cost="cross_entropy", output_activation="identity"),
        "the cross_entropy cost takes logarithms of the outputs, which must lie in (0, 1): use output_activation "
        "'sigmoid' or 'softmax', not 'identity'",
    ),
    "a string seed": (lambda n, X, Y: MLP([3, 2], seed="a"), "seed must be an integer, got 'a' (str)"),
    "a negative seed": (lambda n, X, Y: MLP([3, 2], seed=-1), "seed must be at least 0, got -1"),
    # ------------------------------------------------------------------ the batch X, Y
    "X=None": (lambda n, X, Y: n.forward(None), "X must be a numeric array, got None"),
    "complex X": (lambda n, X, Y: n.forward(X + 1j), "X must hold real numbers, got complex values (dtype complex128)"),
    "3-D X": (
        lambda n, X, Y: n.forward(np.ones((3, 2, 2))),
        "X: expected a 2-D array of shape (3, m), got 3-D shape (3, 2, 2)",
    ),
    "3-D Y": (
        lambda n, X, Y: n.gradients(X, np.ones((2, 5, 1))),
        "Y: expected a 2-D array of shape (2, m), got 3-D shape (2, 5, 1)",
    ),
    "X of strings": (
        lambda n, X, Y: n.forward(np.full((3, 2), "a")),
        "X must be a numeric array, got ndarray: could not convert string to float: np.str_('a')",
    ),
    "NaN in X": (lambda n, X, Y: n.forward(np.full((3, 2), np.nan)), "X contains 6 NaN or infinite value(s)"),
    "row-major X": (
        lambda n, X, Y: n.forward(X.T),
        "X: expected shape (3, m) with samples as columns, got (5, 3); it looks row-major (samples as rows): pass X.T",
    ),
    "empty X": (
        lambda n, X, Y: n.forward(np.ones((3, 0))),
        "X: the batch is empty (shape (3, 0)); pass at least one sample (column)",
    ),
    "Y wider than X": (lambda n, X, Y: n.gradients(X[:, :1], Y[:, :3]), "X has 1 samples (columns) but Y has 3"),
    "labels as Y": (
        lambda n, X, Y: n.gradients(X, np.array([0, 1, 0, 1, 1])),
        "Y: expected one sample of 2 outputs or a (2, m) batch, got a vector of length 5; if these are class labels, "
        "pass one-hot targets: one_hot(labels)",
    ),
    "negative targets, cross-entropy": (
        lambda n, X, Y: problem("cross_entropy")[0].gradients(X, -Y),
        "the cross_entropy cost needs targets in [0, 1]; Y spans [-1, 0] (pass one-hot targets, not labels)",
    ),
    "targets above 1, log-likelihood": (
        lambda n, X, Y: MLP([3, 2], cost="log_likelihood").cost_value(X, 2 * Y),
        "the log_likelihood cost needs targets in [0, 1]; Y spans [0, 2] (pass one-hot targets, not labels)",
    ),
    "NaN in b": (
        lambda n, X, Y: with_nan_b(n).forward(X),
        "W[1] or b[1] (layer 1) holds NaN or inf: the learning rate may be too large",
    ),
    "method=None": (
        lambda n, X, Y: n.gradients(X, Y, method=None),
        "unknown method None; known: batched, omega, per_sample",
    ),
    "a label of -1": (
        lambda n, X, Y: n.accuracy(X, [0, 1, -1, 0, 1]),
        "labels must be integers in [0, 2) (0..1), but labels[2] = -1",
    ),
    "a label too large": (
        lambda n, X, Y: n.accuracy(X, [0, 1, 2, 0, 1]),
        "labels must be integers in [0, 2) (0..1), but labels[2] = 2",
    ),
    "a fractional label": (
        lambda n, X, Y: n.accuracy(X, [0, 1, 0.5, 0, 1]),
        "labels must be integers (integer labels), but labels[2] = 0.5",
    ),
    "too few labels": (lambda n, X, Y: n.accuracy(X, [0, 1]), "labels must have 5 labels (one per sample), got 2"),
    # ------------------------------------------------------------------ update(), train_step()
    "eta as a string": (
        lambda n, X, Y: n.update(n.gradients(X, Y), "0.1"),
        "the learning rate eta must be a positive number, got '0.1' (str)",
    ),
    "eta=None": (
        lambda n, X, Y: n.update(n.gradients(X, Y), None),
        "the learning rate eta must be a positive number, got None (NoneType)",
    ),
    "eta as an array": (
        lambda n, X, Y: n.update(n.gradients(X, Y), np.array([0.1, 0.2])),
        "the learning rate eta must be a positive number, got an array of shape (2,) (float64)",
    ),
    "eta=True": (
        lambda n, X, Y: n.update(n.gradients(X, Y), True),
        "the learning rate eta must be a positive number, got True (bool)",
    ),
    "eta=0": (
        lambda n, X, Y: n.update(n.gradients(X, Y), 0),
        "the learning rate eta must be a positive number, got 0 (int)",
    ),
    "eta=inf": (
        lambda n, X, Y: n.update(n.gradients(X, Y), np.inf),
        "the learning rate eta must be a positive number, got inf (float)",
    ),
    "update given one list": (
        lambda n, X, Y: n.update([None, np.zeros((4, 3)), np.zeros((2, 4))], 0.1),
        "grads must be a Gradients (from net.gradients) or a (dW, db) pair of padded lists, got [None, array([[0., "
        "0., 0.], [0., 0., 0.], [0., 0., 0.], [... (list)",
    ),
    "update given short lists": (
        lambda n, X, Y: n.update(([None, np.zeros((4, 3))], [None, np.zeros((4, 1))]), 0.1),
        "dW must be a padded list of 3 entries (dW[0] unused, then layers 1..2), got [None, array([[0., 0., 0.], [0., "
        "0., 0.], [0., 0., 0.], [... (list)",
    ),
    "NaN in dW": (
        lambda n, X, Y: n.update(grads_with(n, X, Y, dW1=np.full((4, 3), np.nan)), 0.1),
        "dW[1] (layer 1) holds NaN or inf",
    ),
    "a list as db": (
        lambda n, X, Y: n.update(grads_with(n, X, Y, db2=[[0.0], [0.0]]), 0.1),
        "db[2] (layer 2): expected an array of shape (2, 1), got [[0.0], [0.0]] (list)",
    ),
    "train_step with eta=-1": (
        lambda n, X, Y: n.train_step(X, Y, -1),
        "the learning rate eta must be a positive number, got -1 (int)",
    ),
    "train_step with eta unchecked": (
        lambda n, X, Y: n.train_step(X, Y, "1", check=False),
        "the learning rate eta must be a positive number, got '1' (str)",
    ),
    # ------------------------------------------------------------------ sgd()
    "sgd eta=True": (
        lambda n, X, Y: sgd(n, X, Y, 1, 2, True, progress=False),
        "the learning rate eta must be a positive number, got True (bool)",
    ),
    "sgd eta as a string": (
        lambda n, X, Y: sgd(n, X, Y, 1, 2, "0.1", progress=False),
        "the learning rate eta must be a positive number, got '0.1' (str)",
    ),
    "sgd eta=None": (
        lambda n, X, Y: sgd(n, X, Y, 1, 2, None, progress=False),
        "the learning rate eta must be a positive number, got None (NoneType)",
    ),
    "sgd eta as an array": (
        lambda n, X, Y: sgd(n, X, Y, 1, 2, np.array([0.1]), progress=False),
        "the learning rate eta must be a positive number, got an array of shape (1,) (float64)",
    ),
    "sgd epochs=True": (
        lambda n, X, Y: sgd(n, X, Y, True, 2, 0.1, progress=False),
        "epochs must be an integer, got True (bool)",
    ),
    "sgd batch_size=0": (
        lambda n, X, Y: sgd(n, X, Y, 1, 0, 0.1, progress=False),
        "batch_size must be at least 1, got 0",
    ),
    "sgd a string seed": (
        lambda n, X, Y: sgd(n, X, Y, 1, 2, 0.1, seed="a", progress=False),
        "seed must be an integer, got 'a' (str)",
    ),
    "sgd progress='yes'": (
        lambda n, X, Y: sgd(n, X, Y, 1, 2, 0.1, progress="yes"),
        "progress must be None, True or False, got 'yes'",
    ),
    "sgd X_test without y_test": (
        lambda n, X, Y: sgd(n, X, Y, 1, 2, 0.1, X_test=X, progress=False),
        "X_test and y_test go together: pass both (test inputs and their labels) or neither",
    ),
    "sgd a test label of -1": (
        lambda n, X, Y: sgd(n, X, Y, 1, 2, 0.1, X_test=X, y_test=[0, 1, -1, 0, 1], progress=False),
        "y_test must be integers in [0, 2) (0..1), but y_test[2] = -1",
    ),
    "sgd Y wider than X": (
        lambda n, X, Y: sgd(n, X[:, :2], Y, 1, 2, 0.1, progress=False),
        "X has 2 samples (columns) but Y has 5",
    ),
    # ------------------------------------------------------------------ gradient_check(), numerical_gradients()
    "gradient_check eps=0": (lambda n, X, Y: gradient_check(n, X, Y, eps=0), "eps must be a positive number, got 0"),
    "gradient_check eps='a'": (
        lambda n, X, Y: gradient_check(n, X, Y, eps="a"),
        "eps must be a real number, got 'a' (str)",
    ),
    "gradient_check tolerance=0": (
        lambda n, X, Y: gradient_check(n, X, Y, tolerance=0),
        "tolerance must be a positive number, got 0",
    ),
    "gradient_check method='fast'": (
        lambda n, X, Y: gradient_check(n, X, Y, method="fast"),
        "unknown method 'fast'; known: batched, omega, per_sample",
    ),
    "gradient_check grads an array": (
        lambda n, X, Y: gradient_check(n, X, Y, grads=np.zeros(3)),
        "grads must be a Gradients (from net.gradients) or a (dW, db) pair of padded lists, got an array of shape "
        "(3,) (float64)",
    ),
    "gradient_check grads too short": (
        lambda n, X, Y: gradient_check(n, X, Y, grads=([None], [None])),
        "dW must be a padded list of 3 entries (dW[0] unused, then layers 1..2), got [None] (list)",
    ),
    "gradient_check grads None entry": (
        lambda n, X, Y: gradient_check(n, X, Y, grads=grads_with(n, X, Y, dW2=None)),
        "dW[2] (layer 2): expected an array of shape (2, 4), got None (a missing return?)",
    ),
    "gradient_check grads transposed": (
        lambda n, X, Y: gradient_check(n, X, Y, grads=grads_with(n, X, Y, dW2=np.zeros((4, 2)))),
        "dW[2] (layer 2): expected shape (2, 4), got (4, 2)",
    ),
    "gradient_check complex grads": (
        lambda n, X, Y: gradient_check(n, X, Y, grads=grads_with(n, X, Y, db1=np.zeros((4, 1)) + 1j)),
        "db[1] (layer 1): expected real numbers, got complex values",
    ),
    "numerical_gradients eps=0": (
        lambda n, X, Y: numerical_gradients(n, X, Y, eps=0),
        "eps must be a positive number, got 0",
    ),
    # ------------------------------------------------------------------ compare()
    "compare(None, ...)": (
        lambda n, X, Y: compare(None, X, X, quiet=True),
        "name must be a string (what is compared, e.g. 'dW[1]'), got None",
    ),
    "compare NaN in the reference": (
        lambda n, X, Y: compare("x", [1.0, 2.0], [np.nan, 2.0], quiet=True),
        "reference contains 1 NaN or infinite value(s)",
    ),
    "compare reference None": (
        lambda n, X, Y: compare("x", [1.0], None, quiet=True),
        "reference must be a numeric array, got None",
    ),
    "compare complex reference": (
        lambda n, X, Y: compare("x", [1.0], [1j], quiet=True),
        "reference must hold real numbers, got complex values (dtype complex128)",
    ),
    "compare rtol=-1": (
        lambda n, X, Y: compare("x", [1.0], [1.0], rtol=-1, quiet=True),
        "rtol must be at least 0, got -1",
    ),
    "compare atol=nan": (
        lambda n, X, Y: compare("x", [1.0], [1.0], atol=np.nan, quiet=True),
        "atol must be a finite number, got nan",
    ),
    "compare m=0": (lambda n, X, Y: compare("x", [1.0], [1.0], m=0, quiet=True), "m must be at least 1, got 0"),
    # ------------------------------------------------------------------ costs and activations called directly
    "cost value, negative targets": (
        lambda n, X, Y: get_cost("cross_entropy").value(np.full((2, 2), 0.5), -np.eye(2)),
        "the cross_entropy cost needs targets in [0, 1]; Y spans [-1, 0] (pass one-hot targets, not labels)",
    ),
    "cost value, shapes differ": (
        lambda n, X, Y: get_cost("quadratic").value(np.zeros((2, 3)), np.zeros((3, 2))),
        "quadratic cost: A and Y must be (n_L, m) batches of the same shape with m >= 1, got (2, 3) and (3, 2)",
    ),
    "cost grad_a, 1-D": (
        lambda n, X, Y: get_cost("quadratic").grad_a(np.zeros(2), np.zeros(2)),
        "quadratic cost: A and Y must be (n_L, m) batches of the same shape with m >= 1, got (2,) and (2,)",
    ),
    "get_activation([])": (
        lambda n, X, Y: get_activation([]),
        "unknown activation []; known: identity, relu, sigmoid, softmax, tanh",
    ),
    # ------------------------------------------------------------------ data and plotting
    "load_mnist path=5": (
        lambda n, X, Y: load_mnist(path=5),
        "path must be None (the shipped file) or a file path, got 5 (int)",
    ),
    "one_hot label -1": (
        lambda n, X, Y: one_hot([-1, 0], 2),
        "labels must be integers in [0, 2) (0..1), but labels[0] = -1",
    ),
    "two_moons noise='a'": (lambda n, X, Y: two_moons(noise="a"), "noise must be a real number, got 'a' (str)"),
    "draw_network sizes as a set": (
        lambda n, X, Y: draw_network({2, 3}),
        "sizes must be a sequence of layer widths [n_0, ..., n_L] (a list or tuple), got {2, 3} (set)",
    ),
    "show_digits label -1": (
        lambda n, X, Y: show_digits(np.zeros((784, 2)), [0, -1]),
        "labels must be integers >= 0, but labels[1] = -1",
    ),
    # ------------------------------------------------------------------ more messages, word for word
    "sgd epochs=0": (lambda n, X, Y: sgd(n, X, Y, 0, 2, 0.1, progress=False), "epochs must be at least 1, got 0"),
    "a long list as sizes": (
        lambda n, X, Y: MLP(list(range(1, 40)) + [0.5]),
        "sizes[39] (n_39) must be an integer, got 0.5 (float)",
    ),
    "a long set as sizes": (
        lambda n, X, Y: MLP(set(range(30))),
        "sizes must be a sequence of layer widths [n_0, ..., n_L] (a list or tuple), got {0, 1, 2, 3, 4, 5, 6, 7, 8, "
        "9, 10, 11, 12, 13, 14, 15, 16... (set)",
    ),
    "labels 2-D": (
        lambda n, X, Y: n.accuracy(X, [[0, 1, 0, 1, 1]]),
        "labels must be a 1-D array of m integer labels, got shape (1, 5)",
    ),
    "labels of bools": (
        lambda n, X, Y: n.accuracy(X, [True, False, True, False, True]),
        "labels must hold integer labels, got dtype bool",
    ),
    "labels of strings": (
        lambda n, X, Y: n.accuracy(X, list("01011")),
        "labels must hold integer labels, got dtype <U1",
    ),
    "NaN label": (
        lambda n, X, Y: n.accuracy(X, [0, 1, np.nan, 0, 1]),
        "labels must be integers (integer labels), but labels[2] = nan",
    ),
    "W transposed": (
        lambda n, X, Y: transposed_W2(n).forward(X),
        "W[2] (layer 2): expected shape (2, 4), got (4, 2) (it is the transpose of the expected shape)",
    ),
    "b of the wrong shape": (lambda n, X, Y: flat_b1(n).forward(X), "b[1] (layer 1): expected shape (4, 1), got (4,)"),
    "1-D X of the wrong length": (
        lambda n, X, Y: n.forward(np.ones(4)),
        "X: expected one sample of 3 inputs or a (3, m) batch, got a vector of length 4",
    ),
    "a cost that overflows": (
        lambda n, X, Y: numerical_gradients(MLP([1, 1], activation="identity"), [[1e200]], [[0.0]]),
        "the numerical gradient of W[1] (layer 1) is not finite: the cost overflows near these parameters",
    ),
    "targets from -0 to 2": (
        lambda n, X, Y: get_cost("cross_entropy").value(np.full((1, 2), 0.5), np.array([[-0.0, 2.0]])),
        "the cross_entropy cost needs targets in [0, 1]; Y spans [0, 2] (pass one-hot targets, not labels)",
    ),
    "compare atol=-1": (
        lambda n, X, Y: compare("x", [1.0], [1.0], atol=-1, quiet=True),
        "atol must be at least 0, got -1",
    ),
    "sgd y_test of the wrong length": (
        lambda n, X, Y: sgd(n, X, Y, 1, 2, 0.1, X_test=X, y_test=[0, 1], progress=False),
        "y_test must have 5 labels (one per sample), got 2",
    ),
    "draw_layer j too large": (lambda n, X, Y: draw_layer(3, 2, j=2), "j must be at most 1, got 2"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_is_refused_with_a_clear_error(case):
    call, message = CASES[case]
    net, X, Y = problem()
    before = [p.copy() for p in net.W[1:] + net.b[1:]]
    with pytest.raises(ValueError) as caught:
        call(net, X, Y)
    assert str(caught.value) == message
    if case not in ("NaN in b", "W transposed", "b of the wrong shape"):  # these broke the network before the call
        assert all(np.array_equal(p, q) for p, q in zip(before, net.W[1:] + net.b[1:])), "changed by a refused call"


def test_update_validates_every_layer_before_changing_any():
    net, X, Y = problem()
    before = net.copy()
    g = net.gradients(X, Y)
    g.dW[2] = np.ones((3, 3))  # layer 1 is fine, layer 2 is not: nothing may change
    with pytest.raises(ValueError, match=r"dW\[2\] \(layer 2\): expected shape \(2, 4\), got \(3, 3\)"):
        net.update(g, 0.1)
    for l in (1, 2):
        assert np.array_equal(net.W[l], before.W[l]) and np.array_equal(net.b[l], before.b[l])


def test_update_takes_a_dW_db_pair_and_leaves_the_gradients_alone():
    net, X, Y = problem()
    twin = net.copy()
    g = net.gradients(X, Y)
    kept = [d.copy() for d in g.dW[1:]]
    net.update((g.dW, g.db), 0.5)
    twin.update(g, 0.5)
    assert all(np.array_equal(net.W[l], twin.W[l]) for l in (1, 2))
    assert all(np.array_equal(a, b) for a, b in zip(kept, g.dW[1:]))


def test_compare_judges_what_ours_holds_instead_of_raising():
    ref = np.array([1.0, 2.0])
    complex_result = compare("x", ref + 1j, ref, quiet=True)
    assert not complex_result.ok and "complex values" in complex_result.message
    assert "exact: True" not in complex_result.message
    missing = compare("x", None, ref, quiet=True)
    assert not missing.ok and "got None (a missing return?)" in missing.message
    text = compare("x", "abc", ref, quiet=True)
    assert not text.ok and "is not numeric" in text.message
    nan = compare("x", [np.nan, 2.0], ref, quiet=True)
    assert not nan.ok and "contains NaN or inf" in nan.message


@pytest.mark.parametrize("layer", [1, 2])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_gradient_check_fails_a_gradient_holding_nan_or_inf_in_any_layer(layer, bad):
    net, X, Y = problem()
    g = net.gradients(X, Y)
    g.dW[layer] = g.dW[layer].copy()
    g.dW[layer][0, 0] = bad
    report = gradient_check(net, X, Y, grads=g)
    assert not report.ok and report.max_error == np.inf
    assert f"dW[{layer}] holds NaN or inf" in report.message
    assert re.search(rf"^dW\[{layer}\] +\(\d, \d\) +inf  WRONG$", str(report), re.M), str(report)


def test_an_unreadable_data_file_is_named(monkeypatch, tmp_path):
    import backprop_lib.data as data

    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(data, "_sha256_file", refuse)
    with pytest.raises(
        PermissionError,
        match=r"path: the MNIST file .*mnist_5k\.npz exists but cannot be read "
        r"\(Permission denied\).*chmod",
    ):
        load_mnist()
