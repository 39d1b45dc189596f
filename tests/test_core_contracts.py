"""The promises of the public API that the numbers alone do not show: which activation each layer uses, that
sigma' is taken from the stored a^l, what a Gradients records, defaults, checks done once at the door, the
progress bar and the printed reports."""

import io
import re
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from backprop_lib import MLP, gradient_check, numerical_gradients, relative_error, sgd
from backprop_lib.activations import Sigmoid, Tanh, get_activation
from backprop_lib.gradcheck import GradCheckReport
from backprop_lib.training import History
from backprop_lib.validation import check_int, check_labels, check_real, check_sizes


class _Records:
    """Records what each sigma_prime and backward call was given (mixed into an activation below)."""

    def __init__(self):
        self.calls = []

    def sigma_prime(self, z, a=None):
        self.calls.append(("sigma_prime", z is not None, a is not None))
        return super().sigma_prime(z, a)

    def backward(self, z, a, grad_a):
        self.calls.append(("backward", z is not None, a is not None))
        return super().backward(z, a, grad_a)


class Recording(_Records, Sigmoid):
    """A sigmoid that records its sigma_prime and backward calls."""


class RecordingTanh(_Records, Tanh):
    """A tanh that records its sigma_prime and backward calls."""


def problem(m=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((3, m)), rng.uniform(0, 1, (2, m))


# ------------------------------------------------------------------------- which sigma, and from what
@pytest.mark.parametrize("method", ["batched", "per_sample", "omega"])
def test_every_backward_form_takes_sigma_prime_of_z_and_the_stored_a(method):
    hidden, output = RecordingTanh(), Recording()
    net = MLP([3, 4, 5, 2], activation=hidden, output_activation=output, cost="quadratic", seed=1)
    X, Y = problem()
    plain = MLP([3, 4, 5, 2], activation="tanh", output_activation="sigmoid", cost="quadratic", seed=1)
    g, ref = net.gradients(X, Y, method=method), plain.gradients(X, Y, method=method)
    assert all(np.array_equal(g.dW[l], ref.dW[l]) for l in (1, 2, 3))
    assert hidden.calls and all(call == ("sigma_prime", True, True) for call in hidden.calls)  # layers 1, 2
    # layer L: backward (which takes sigma' itself), with both z^L and a^L
    assert set(output.calls) == {("backward", True, True), ("sigma_prime", True, True)}
    per_pass = 1 if method != "per_sample" else 4
    assert len(hidden.calls) == 2 * per_pass and output.calls.count(("backward", True, True)) == per_pass


def test_the_output_layer_has_its_own_activation():
    net = MLP([2, 3, 2], activation="tanh", cost="log_likelihood", seed=0)
    L = net.L
    assert net.activation_of(1).name == "tanh" and net.activation_of(L).name == "softmax"
    assert net.activation_of(L) is net.output_activation and net.activation_of(1) is net.activation
    z = np.array([[1.0], [2.0]])
    assert np.allclose(net.sigma(L, z), np.exp(z) / np.exp(z).sum())
    assert np.allclose(net.sigma(1, z), np.tanh(z))
    assert np.allclose(net.sigma_prime(1, z), 1 - np.tanh(z) ** 2)
    assert net.sigma_prime(1, z, a=np.array([[0.5], [0.5]])).tolist() == [[0.75], [0.75]]
    sig = MLP([2, 2], activation="identity", output_activation="sigmoid")
    assert sig.sigma_prime(1, np.zeros((1, 1)))[0, 0] == 0.25
    x = np.array([[0.5, -1.0], [2.0, 0.0], [1.0, 1.0]])
    fw = MLP([3, 2, 2], activation="relu", output_activation="identity", seed=2).forward(x)
    assert np.array_equal(fw.a[1], np.maximum(fw.z[1], 0)) and np.array_equal(fw.a[2], fw.z[2])


@pytest.mark.parametrize(
    "cost, output",
    [
        ("quadratic", "sigmoid"),
        ("cross_entropy", "sigmoid"),
        ("log_likelihood", "softmax"),
        ("quadratic", "quadratic-default"),
    ],
)
def test_the_default_output_activation_follows_the_cost(cost, output):
    net = MLP([2, 3, 2], activation="tanh", cost=cost)
    expected = "tanh" if output == "quadratic-default" else output
    if cost == "quadratic" and output == "sigmoid":
        net = MLP([2, 3, 2], cost=cost)
    assert net.output_activation.name == expected


def test_defaults_seed_0_sigmoid_quadratic():
    a, b = MLP([3, 4, 2]), MLP([3, 4, 2], activation="sigmoid", cost="quadratic", seed=0)
    assert all(np.array_equal(a.W[l], b.W[l]) and np.array_equal(a.b[l], b.b[l]) for l in (1, 2))
    assert repr(a) == "MLP([3, 4, 2], activation='sigmoid', cost='quadratic', output_activation='sigmoid')"
    assert MLP(np.array([3, 4, 2])).sizes == [3, 4, 2] and MLP((3, 2)).sizes == [3, 2]
    assert get_activation(a.activation) is a.activation


# ------------------------------------------------------------------------------ what Gradients records
@pytest.mark.parametrize("method", ["batched", "per_sample", "omega"])
def test_gradients_record_their_method_and_one_entry_per_layer(method):
    net = MLP([3, 4, 2], seed=0)
    X, Y = problem()
    g = net.gradients(X, Y, method=method)
    assert g.method == method
    assert len(g.dW) == len(g.db) == len(g.delta) == 3 and g.dW[0] is None and g.delta[0] is None
    assert [d.shape for d in g.delta[1:]] == [(4, 4), (2, 4)]
    if method == "omega":
        assert len(g.omega) == 3 and g.omega[0] is None
        assert np.allclose(g.omega[2], net.forward(X).a[2] - Y)  # omega^L = nabla_a C
    else:
        assert g.omega == []


def test_per_sample_deltas_are_the_columns_of_the_batched_delta():
    net = MLP([3, 4, 2], seed=0)
    X, Y = problem(m=3)
    batched, per_sample = net.gradients(X, Y), net.gradients(X, Y, method="per_sample")
    for l in (1, 2):
        assert np.allclose(per_sample.delta[l], batched.delta[l], rtol=0, atol=1e-15)
    one = net.gradients(X[:, 2], Y[:, 2], method="per_sample")
    assert np.allclose(one.delta[1][:, 0], per_sample.delta[1][:, 2], rtol=0, atol=1e-15)


def test_predict_and_accuracy_read_columns():
    net = MLP([2, 3], activation="identity", seed=0)
    net.W[1][:] = [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]
    net.b[1][:] = 0.0
    X = np.array([[2.0, 0.0, -1.0, 5.0, -3.0], [1.0, 3.0, -1.0, 0.0, -3.0]])
    assert net.predict(X).tolist() == [0, 1, 2, 0, 2]
    assert net.accuracy(X, [0, 1, 2, 1, 2]) == 0.8
    assert net.accuracy(X, np.array([0.0, 1.0, 2.0, 0.0, 2.0])) == 1.0  # whole floats are labels too
    assert net.cost_value(X, np.zeros((3, 5))) == pytest.approx(0.5 * np.sum((net.W[1] @ X) ** 2) / 5)


# ---------------------------------------------------------------------------- checked once at the door
def count_checks(net, monkeypatch):
    counts = {"check_parameters": 0, "check_batch": 0}
    for name in counts:
        original = getattr(net, name)

        def counting(*args, _name=name, _original=original, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(net, name, counting)
    return counts


def test_sgd_checks_the_data_once_not_per_batch(monkeypatch):
    net = MLP([3, 4, 2], seed=0)
    X, Y = problem(m=8)
    counts = count_checks(net, monkeypatch)
    sgd(net, X, Y, epochs=2, batch_size=2, eta=0.1, progress=False)
    assert counts["check_batch"] == 1 and counts["check_parameters"] == 1 + 2  # once, then after each epoch


def test_gradient_check_checks_once_not_per_perturbation(monkeypatch):
    net = MLP([3, 4, 2], seed=0)
    X, Y = problem()
    counts = count_checks(net, monkeypatch)
    gradient_check(net, X, Y)
    assert counts == {"check_parameters": 2, "check_batch": 2}  # gradient_check, then numerical_gradients


def test_public_methods_check_their_input_by_default():
    net = MLP([3, 2], seed=0)
    X, Y = problem()
    for call in (
        lambda: net.forward(X.T),
        lambda: net.cost_value(X.T, Y),
        lambda: net.gradients(X.T, Y),
        lambda: net.train_step(X.T, Y, 0.1),
    ):
        with pytest.raises(ValueError, match="row-major"):
            call()
    assert net.forward(X, check=False).a[1].shape == (2, 4)


# --------------------------------------------------------------------------- training's other outputs
def test_sgd_uses_seed_0_by_default():
    X, Y = problem(m=9)
    a, b = MLP([3, 4, 2], seed=1), MLP([3, 4, 2], seed=1)
    sgd(a, X, Y, epochs=1, batch_size=2, eta=0.5, progress=False)
    sgd(b, X, Y, epochs=1, batch_size=2, eta=0.5, seed=0, progress=False)
    assert all(np.array_equal(a.W[l], b.W[l]) for l in (1, 2))


def test_the_progress_bar_is_shown_when_asked_and_kept(capsys):
    X, Y = problem()
    sgd(MLP([3, 2]), X, Y, epochs=3, batch_size=2, eta=0.1, progress=True)
    err = capsys.readouterr().err
    assert re.search(r"epochs: 100%\|.*\| 3/3 ", err) and err.endswith("\n")  # leave=True: the bar stays
    for quiet in (False, None):  # None: only where output is interactive, which a captured test is not
        sgd(MLP([3, 2]), X, Y, epochs=3, batch_size=2, eta=0.1, progress=quiet)
        assert capsys.readouterr().err == ""


def test_the_progress_bar_shows_by_default_where_output_is_interactive(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    X, Y = problem()
    for progress, shown in ((None, True), (False, False)):
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        sgd(MLP([3, 2]), X, Y, epochs=2, batch_size=2, eta=0.1, progress=progress)
        assert ("epochs: 100%" in terminal.getvalue()) is shown


def test_history_records_the_time_it_took_and_reads_in_one_line():
    X, Y = problem()
    history = sgd(MLP([3, 2]), X, Y, epochs=2, batch_size=2, eta=0.1, progress=False)
    # the duration is recorded (its size is the benchmarks' business, never a test's)
    assert isinstance(history.seconds, float) and history.seconds >= 0
    assert repr(History()) == "History(no epochs)"
    h = History(
        epoch=[1, 2, 3], cost=[0.5, 0.3, 0.12345], train_accuracy=[0.5, 0.6, 0.75], test_accuracy=[0.25, 0.5, 0.875]
    )
    assert repr(h) == "History(3 epochs; last: cost 0.1235, train accuracy 75.0%, test accuracy 87.5%)"
    h.test_accuracy = []
    assert repr(h) == "History(3 epochs; last: cost 0.1235, train accuracy 75.0%)"


# --------------------------------------------------------------------------------- the gradient check
def test_the_report_prints_a_table(capsys):
    net = MLP([3, 4, 2], seed=0)
    X, Y = problem()
    report = gradient_check(net, X, Y)
    lines = str(report).splitlines()
    assert lines[0] == "parameter  shape        rel. error  verdict"
    assert [line.split()[0] for line in lines[1:5]] == ["dW[1]", "db[1]", "dW[2]", "db[2]"]
    assert all(re.fullmatch(r"d[Wb]\[\d\] +\(\d, \d\) +\d\.\de-\d\d  ok", line) for line in lines[1:5])
    assert lines[5] == report.message and repr(report) == str(report)
    report._ipython_display_()
    assert capsys.readouterr().out == str(report) + "\n"


def test_the_report_verdicts_at_their_boundaries():
    rows = [("dW[1]", (2, 2), 1e-7), ("db[1]", (2, 1), 1e-4), ("dW[2]", (1, 2), 9.9e-8)]
    lines = str(GradCheckReport(False, "m", rows=rows, tolerance=1e-7)).splitlines()
    assert [line.split()[-1] for line in lines[1:4]] == ["suspicious", "WRONG", "ok"]


def test_an_error_equal_to_the_tolerance_fails_and_is_named_first():
    net = MLP([3, 4, 2], seed=0)
    X, Y = problem()
    g = net.gradients(X, Y)
    g.dW[1] = g.dW[1] * (1 + 2e-6)
    first = gradient_check(net, X, Y, grads=g).rows[0][2]
    g.db[2] = g.db[2] * 1.5
    report = gradient_check(net, X, Y, grads=g, tolerance=first)
    assert not report.ok and report.message.endswith("; first failing: dW[1]") and report.tolerance == first
    assert gradient_check(net, X, Y, tolerance=first).ok
    worst = report.max_error
    assert not gradient_check(net, X, Y, grads=g, tolerance=worst).ok  # max error == tolerance fails
    assert gradient_check(net, X, Y, grads=g, tolerance=worst * (1 + 1e-12)).ok


def test_gradient_check_uses_the_given_eps_and_tolerance():
    net = MLP([3, 4, 2], seed=0)
    X, Y = problem()
    fine, coarse = gradient_check(net, X, Y), gradient_check(net, X, Y, eps=1e-1)
    assert coarse.max_error > 100 * fine.max_error
    loose = gradient_check(net, X, Y, eps=1e-1, tolerance=1e-1)
    assert loose.ok and loose.tolerance == 0.1 and str(loose).splitlines()[1].endswith("  ok")
    assert loose.message == f"gradient check passed: max relative error {loose.max_error:.1e} < 1e-01"


def test_gradient_check_checks_the_method_it_is_given(monkeypatch):
    net = MLP([3, 4, 2], activation="tanh", seed=0)
    X, Y = problem()
    asked = []
    gradients = net.gradients
    monkeypatch.setattr(
        net,
        "gradients",
        lambda *args, method="batched", **kw: asked.append(method) or gradients(*args, method=method, **kw),
    )
    for method in ("per_sample", "omega", "batched"):
        assert gradient_check(net, X, Y, method=method).ok
    assert asked == ["per_sample", "omega", "batched"]


def test_gradient_check_names_every_broken_array():
    net = MLP([3, 4, 2], seed=0)
    X, Y = problem()
    g = net.gradients(X, Y)
    g.dW[1] = np.full_like(g.dW[1], np.nan)
    g.db[2] = np.full_like(g.db[2], np.inf)
    report = gradient_check(net, X, Y, grads=g)
    assert (
        report.message == "gradient check FAILED: dW[1], db[2] holds NaN or inf; the first wrong layer is where to look"
    )


def test_gradient_check_reads_a_pair_and_any_object_with_dW_and_db():
    net = MLP([3, 4, 2], seed=0)
    X, Y = problem()
    g = net.gradients(X, Y)
    assert gradient_check(net, X, Y, grads=(g.dW, g.db)).ok
    assert gradient_check(net, X, Y, grads=SimpleNamespace(dW=g.dW, db=g.db)).ok
    with pytest.raises(ValueError, match=r"^grads must be a Gradients .*got namespace\(dW=.*\(SimpleNamespace\)$"):
        gradient_check(net, X, Y, grads=SimpleNamespace(dW=g.dW))
    with pytest.raises(
        ValueError,
        match=r"^db must be a padded list of 3 entries \(db\[0\] unused, then layers 1\.\.2\), "
        r"got \[None\] \(list\)$",
    ):
        net.update((g.dW, [None]), 0.1)
    with pytest.raises(ValueError, match=r"^dW\[1\] \(layer 1\): expected an array of shape \(4, 3\), got str$"):
        gradient_check(net, X, Y, grads=([None, "ab", g.dW[2]], g.db))


def test_relative_error_of_nothing_is_0_and_shapes_must_agree():
    assert relative_error([], []) == 0.0
    assert relative_error(np.array([2, 0]), np.array([1, 0])) == pytest.approx(1 / 3)
    # computed in float64 whatever comes in: |int8(-128)| is 128, not -128
    assert relative_error(np.array([-128], dtype=np.int8), [0.0]) == 1.0
    assert relative_error([0.0], np.array([-128], dtype=np.int8)) == 1.0
    with pytest.raises(ValueError, match=r"^relative_error: shapes differ, \(2,\) vs \(2, 1\)$"):
        relative_error([1.0, 2.0], [[1.0], [2.0]])


def test_numerical_gradients_of_a_quadratic_are_exact_for_any_eps():
    # C(w, b) = (w x + b - y)^2 / 2 is quadratic: central differences are exact up to round-off
    net = MLP([1, 1], activation="identity", seed=0)
    net.W[1][:], net.b[1][:] = 2.0, 0.5
    dW, db = numerical_gradients(net, [[3.0]], [[1.0]], eps=0.25)
    assert dW[1][0, 0] == pytest.approx((2.0 * 3 + 0.5 - 1) * 3, rel=1e-12)
    assert db[1][0, 0] == pytest.approx(2.0 * 3 + 0.5 - 1, rel=1e-12)


# ------------------------------------------------------------------------------- the validation module
def test_integer_checks_at_their_bounds():
    assert check_int("j", 1, minimum=0, maximum=1) == 1 and check_int("j", 0, minimum=0, maximum=1) == 0
    assert type(check_int("n", np.int64(3))) is int
    with pytest.raises(ValueError, match=r"^j must be at most 1, got 2$"):
        check_int("j", 2, maximum=1)
    with pytest.raises(ValueError, match=r"^n must be an integer, got np\.True_ \(bool\)$"):
        check_int("n", np.True_)


def test_real_checks():
    assert check_real("eps", 1e-5, positive=True) == 1e-5 and check_real("x", 0, minimum=0.0) == 0.0
    assert type(check_real("x", np.float32(0.5))) is float
    with pytest.raises(ValueError, match=r"^x must be at least 0\.5, got 0\.25$"):
        check_real("x", 0.25, minimum=0.5)
    with pytest.raises(ValueError, match=r"^x must be a real number, got \(1\+0j\) \(complex\)$"):
        check_real("x", 1 + 0j)


def test_values_are_described_on_one_short_line():
    with pytest.raises(ValueError) as caught:
        check_int("n", "x" * 58)  # a repr of 60 characters is kept whole
    assert str(caught.value) == f"n must be an integer, got '{'x' * 58}' (str)"
    with pytest.raises(ValueError) as caught:
        check_int("n", "x" * 59)  # 61 characters: cut to 57 and "..."
    assert str(caught.value) == f"n must be an integer, got '{'x' * 56}... (str)"


def test_label_and_size_checks_return_clean_values():
    labels = check_labels("y", [1.0, 0.0, 2.0], n_classes=3, m=3)
    assert labels.dtype == np.int64 and labels.tolist() == [1, 0, 2]
    assert check_labels("y", np.array([], dtype=np.int64)).size == 0
    assert check_labels("y", np.array([2.0, 0.0], dtype=np.float32), n_classes=3).tolist() == [2, 0]
    assert check_sizes(np.array([784, 30, 10])) == [784, 30, 10]
    with pytest.raises(ValueError, match="sequence of layer widths"):
        check_sizes(np.array([[3, 2]]))
