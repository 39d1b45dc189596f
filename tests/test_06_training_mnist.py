"""Tests mirroring notebooks/06_training_mnist.ipynb.

(1) What the notebook derives and claims, checked with the package and the proof engine: the 1/m of the
mini-batch update (6.1), an inline epoch equal to `sgd`, the accuracy figures (92% / 93%, seeded: the notebook
states them, these tests assert them), the sigma' factor that slows the quadratic cost, and the label-smoothing
output error (6.4).
(2) The exercise checks of backprop_lib/course/exercises/ch06.py: the instructor's solutions pass every case
(hidden ones too) through run + judge_record, a blank answer is "not answered yet", and each typical slip is named
in the first line of a failure of at most five lines; the judge decides from the recorded value only.
(3) The quizzes of the notebook, and the notebook's form: one-line check and quiz cells, no asserted accuracy,
one sigmoid, captioned figures, an accuracy axis zoomed to the data.
"""

import json
import re

import nbformat
import nbtools
import numpy as np
import pytest
import sympy as sp

from backprop_lib import MLP, compare, sgd
from backprop_lib.course import encode as enc
from backprop_lib.course.exercises import _run_case, get, judge_record
from backprop_lib.custom_cost import cost_from_sympy, prove_output_error
from backprop_lib.data import load_mnist
from backprop_lib.symbolic import SymbolicNetwork, hadamard
from backprop_lib.symbolic import check as symbolic_check

NOTEBOOK = nbtools.NOTEBOOKS / "06_training_mnist.ipynb"


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(str(NOTEBOOK), as_version=4)


# ------------------------------------------------------------------------------------------------ (6.1)
def _deltas(net):
    """Delta^l of a SymbolicNetwork with samples as columns, by (2.4) and (4.2) one sample per column."""
    L = net.L
    Delta = [None] * (L + 1)
    Delta[L] = hadamard(net.grad_a_C(), net.sigma_prime_of(net.z[L]))
    for l in range(L - 1, 0, -1):
        Delta[l] = hadamard(net.W[l + 1].T * Delta[l + 1], net.sigma_prime_of(net.z[l]))
    return Delta


@pytest.mark.parametrize("sizes, m", [([2, 3, 2], 3), ([2, 2, 3, 2], 2)])
def test_minibatch_update_with_one_over_m_is_the_delta_rule_for_the_mean_cost(sizes, m):
    net = SymbolicNetwork(sizes, m=m)
    eta = sp.Symbol("eta", positive=True)
    Delta = _deltas(net)
    for l in range(1, net.L + 1):
        assert symbolic_check(eta / m * Delta[l] * net.a[l - 1].T, eta * net.dC_dW(l), net=net).ok
        assert symbolic_check(eta / m * Delta[l] * sp.ones(m, 1), eta * net.dC_db(l), net=net).ok


def test_minibatch_update_without_one_over_m_is_rejected_with_the_diagnosis():
    m = 3
    net = SymbolicNetwork([2, 3, 2], m=m)
    eta = sp.Symbol("eta", positive=True)
    Delta = _deltas(net)
    lost = symbolic_check(eta * Delta[1] * net.a[0].T, eta * net.dC_dW(1), net=net)
    assert not lost.ok and "1/m" in lost.message
    lost_b = symbolic_check(eta * Delta[2] * sp.ones(m, 1), eta * net.dC_db(2), net=net)
    assert not lost_b.ok and "1/m" in lost_b.message


def _one_epoch(W, b, X, Y, batch_size, eta, rng):
    # the notebook's inline epoch (sigmoid neurons, quadratic cost)
    L = len(W) - 1
    order = rng.permutation(X.shape[1])
    for first in range(0, X.shape[1], batch_size):
        cols = order[first : first + batch_size]
        m = len(cols)
        A, Z = [X[:, cols]], [None]
        for l in range(1, L + 1):
            Z.append(W[l] @ A[l - 1] + b[l])
            A.append(1.0 / (1.0 + np.exp(-Z[l])))
        Delta = [None] * (L + 1)
        Delta[L] = (A[L] - Y[:, cols]) * (A[L] * (1.0 - A[L]))
        for l in range(L - 1, 0, -1):
            Delta[l] = (W[l + 1].T @ Delta[l + 1]) * (A[l] * (1.0 - A[l]))
        for l in range(1, L + 1):
            W[l] -= eta * ((Delta[l] @ A[l - 1].T) * (1.0 / m))
            b[l] -= eta * (Delta[l].sum(axis=1, keepdims=True) * (1.0 / m))


def test_inline_epoch_reproduces_sgd_weight_for_weight_and_a_lost_one_over_m_does_not():
    rng = np.random.default_rng(5)
    X, Y = rng.random((20, 47)), np.eye(4)[:, rng.integers(0, 4, 47)]  # 47: the last batch is smaller
    net = MLP([20, 6, 5, 4], seed=2)
    twin = net.copy()
    W = [None] + [w.copy() for w in net.W[1:]]
    b = [None] + [v.copy() for v in net.b[1:]]
    _one_epoch(W, b, X, Y, batch_size=10, eta=3.0, rng=np.random.default_rng(0))
    sgd(twin, X, Y, epochs=1, batch_size=10, eta=3.0, seed=0, progress=False)
    for l in range(1, 4):
        assert np.array_equal(W[l], twin.W[l]) and np.array_equal(b[l], twin.b[l])
    # a step with the 1/m lost lands elsewhere
    sloppy = net.copy()
    sloppy.update(net.gradients(X[:, :10], Y[:, :10]), eta=3.0 * 10)
    reference = net.copy()
    reference.update(net.gradients(X[:, :10], Y[:, :10]), eta=3.0)
    assert not np.allclose(sloppy.W[1], reference.W[1])


# ------------------------------------------------------------------------------------------------ MNIST
@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


@pytest.mark.slow
@pytest.mark.parametrize("hidden, target", [(30, 0.92), (100, 0.93)])
def test_accuracy_targets_on_the_held_out_digits(mnist, hidden, target):
    """The figures the notebook states (and no longer asserts in its teaching cells) hold for its seed."""
    net = MLP([784, hidden, 10], seed=0)
    history = nbtools.sgd_on_mnist(net, mnist, epochs=10, eta=3.0)
    assert mnist.X_train.shape == (784, 4000) and mnist.X_test.shape == (784, 1000)
    assert history.test_accuracy[-1] >= target
    assert history.test_accuracy[-1] == net.accuracy(mnist.X_test, mnist.y_test)


@pytest.mark.slow
def test_far_too_large_learning_rate_gets_stuck_at_chance(mnist):
    history = nbtools.sgd_on_mnist(MLP([784, 30, 10], seed=0), mnist, epochs=2, eta=30.0)
    assert history.test_accuracy[-1] <= 0.15


@pytest.mark.slow
def test_cross_entropy_escapes_saturated_outputs_faster_than_quadratic(mnist):
    accuracy = {}
    for cost, eta in (("quadratic", 3.0), ("cross_entropy", 0.5)):
        net = MLP([784, 30, 10], cost=cost, seed=0)
        net.b[2] -= 6.0
        sgd(
            net,
            mnist.X_train[:, :1000],
            mnist.Y_train[:, :1000],
            epochs=1,
            batch_size=10,
            eta=eta,
            seed=0,
            progress=False,
        )
        accuracy[cost] = net.accuracy(mnist.X_test, mnist.y_test)
    assert accuracy["cross_entropy"] > accuracy["quadratic"] + 0.3


# ------------------------------------------------------------------------------------------------ costs
def test_quadratic_and_cross_entropy_output_errors_and_the_sigma_prime_factor():
    quad = SymbolicNetwork([2, 3, 2], activation="sigmoid", cost="quadratic")
    ce = SymbolicNetwork([2, 3, 2], activation="sigmoid", cost="cross_entropy")
    assert symbolic_check(hadamard(quad.a[2] - quad.y, quad.sigma_prime_of(quad.z[2])), quad.delta(2), net=quad).ok
    assert symbolic_check(ce.a[2] - ce.y, ce.delta(2), net=ce).ok
    assert not symbolic_check(hadamard(ce.a[2] - ce.y, ce.sigma_prime_of(ce.z[2])), ce.delta(2), net=ce).ok
    assert not symbolic_check(quad.a[2] - quad.y, quad.delta(2), net=quad).ok
    # the saturated wrong neuron of the notebook: z = -6, y = 1
    s = 1.0 / (1.0 + np.exp(6.0))
    assert abs((s - 1.0) * s * (1 - s)) < 0.003 and abs(s - 1.0) > 0.99


def test_label_smoothing_output_error_and_the_slip():
    a, y = sp.symbols("a y", real=True)
    eps = sp.Rational(1, 10)
    y_smooth = (1 - eps) * y + eps / 2
    cost = cost_from_sympy(-(y_smooth * sp.log(a) + (1 - y_smooth) * sp.log(1 - a)), a, y, name="smoothed", clip=1e-15)
    assert prove_output_error(cost).ok
    assert prove_output_error(cost, grad=(a - y_smooth) / (a * (1 - a))).ok
    assert not prove_output_error(cost, grad=(a - y) / (a * (1 - a))).ok


def test_pseudo_huber_reference_of_exercise_6_2():
    a, y = sp.symbols("a y", real=True)
    h = sp.Rational(1, 2)
    cost = cost_from_sympy(h**2 * (sp.sqrt(1 + ((a - y) / h) ** 2) - 1), a, y, name="pseudo_huber")
    d = np.linspace(-1, 1, 9).reshape(3, 3)
    zero = np.zeros_like(d)
    assert compare("dc/da", cost.grad_a(d, zero), d / np.sqrt(1 + 4 * d**2), quiet=True).ok
    assert prove_output_error(cost).ok


# ------------------------------------------------------------------------------------------- exercises
EXERCISES = {"6.1": 10, "6.2": 10}


def test_notebook_has_the_exercises_as_one_line_checks_with_their_points():
    nbtools.assert_exercises(NOTEBOOK, EXERCISES)


SGD_TEMPLATE = """
import numpy as np
def sgd_update(W, b, A, Delta, eta):
    m = A[0].shape[1]
    W_new, b_new = [None], [None]
    for l in range(1, len(W)):
        W_new.append({W})
        b_new.append({b})
    return W_new, b_new
"""
RIGHT_W = "W[l] - (eta / m) * (Delta[l] @ A[l - 1].T)"
RIGHT_B = "b[l] - (eta / m) * Delta[l].sum(axis=1, keepdims=True)"
IN_PLACE = """
def sgd_update(W, b, A, Delta, eta):
    m = A[0].shape[1]
    for l in range(1, len(W)):
        W[l] -= (eta / m) * (Delta[l] @ A[l - 1].T)
        b[l] -= (eta / m) * Delta[l].sum(axis=1, keepdims=True)
    return W, b
"""
CHANGES_DELTA = """
def sgd_update(W, b, A, Delta, eta):
    m = A[0].shape[1]
    for l in range(1, len(W)):
        Delta[l] *= eta / m
    return ([None] + [W[l] - Delta[l] @ A[l - 1].T for l in range(1, len(W))],
            [None] + [b[l] - Delta[l].sum(axis=1, keepdims=True) for l in range(1, len(W))])
"""


@pytest.mark.parametrize(
    "source, slip",
    [
        (SGD_TEMPLATE.format(W="W[l] - eta * (Delta[l] @ A[l - 1].T)", b=RIGHT_B), "the 1/m is missing"),
        (SGD_TEMPLATE.format(W=RIGHT_W, b="b[l] - eta * Delta[l].sum(axis=1, keepdims=True)"), "the 1/m is missing"),
        (SGD_TEMPLATE.format(W="W[l] + (eta / m) * (Delta[l] @ A[l - 1].T)", b=RIGHT_B), "sign error"),
        (SGD_TEMPLATE.format(W="W[l] - (eta / A[0].shape[0]) * (Delta[l] @ A[l - 1].T)", b=RIGHT_B), "instead of by m"),
        (SGD_TEMPLATE.format(W="W[l] - (eta / m) * (Delta[l] @ A[l].T)", b=RIGHT_B), "A[l-1], not A[l]"),
        (SGD_TEMPLATE.format(W=RIGHT_W, b="b[l] - (eta / m) * Delta[l].sum(axis=1)"), "keepdims=True"),
        (SGD_TEMPLATE.format(W=RIGHT_W, b="b[l] - (eta / m) * Delta[l][:, :1]"), "first sample's delta only"),
        (IN_PLACE, "changed its input W[1], W[2], b[1], b[2] in place"),
        (CHANGES_DELTA, "changed its input Delta[1], Delta[2] in place"),
        (
            SGD_TEMPLATE.format(W=RIGHT_W, b=RIGHT_B).replace("return W_new, b_new", "W_new"),
            "returned None: is the `return` missing?",
        ),
    ],
)
def test_sgd_update_slips_are_named_first_in_at_most_five_lines(source, slip):
    nbtools.assert_slip_named("6.1", source, slip, prelude="")


def test_sgd_update_is_judged_from_the_recorded_value_only():
    """The judge recomputes the reference from the case; a forged record (the right arrays, but the flag that the
    inputs changed, or the reference's own W and b unchanged) is judged on what it says."""
    ex = get("6.1")
    right = nbtools.answer_namespace(SGD_TEMPLATE.format(W=RIGHT_W, b=RIGHT_B), prelude="")["sgd_update"]
    values = [_run_case(ex, case, [right]) for case in ex.cases()]
    flagged = json.loads(enc.dumps(values))
    for value in flagged:
        value["items"][1] = enc.encode("W[1]")
    verdict = judge_record("6.1", {"exercise": "6.1", "values": flagged})
    assert verdict.status == "failed" and "changed its input W[1] in place" in verdict.message
    # no step at all: the answer returned W and b themselves
    lazy = nbtools.answer_namespace("def sgd_update(W, b, A, Delta, eta):\n    return list(W), list(b)\n", prelude="")
    lazy_values = [_run_case(ex, case, [lazy["sgd_update"]]) for case in ex.cases()]
    verdict = judge_record("6.1", {"exercise": "6.1", "values": json.loads(enc.dumps(lazy_values))})
    assert verdict.status == "failed" and "step W[1]" in verdict.message


HUBER_HEADER = """
import sympy as sp
a, y = sp.symbols("a y", real=True)
h = sp.Rational(1, 2)
"""


@pytest.mark.parametrize(
    "c_huber, slip",
    [
        ("sp.sqrt(1 + ((a - y) / h) ** 2) - 1", "the factor h^2 in front is missing"),
        ("h * (sp.sqrt(1 + ((a - y) / h) ** 2) - 1)", "h where h^2 belongs"),
        ("h ** 2 * (sp.sqrt(1 + (a - y) ** 2 / h) - 1)", "(a - y)^2 / h where ((a - y)/h)^2 belongs"),
        ("h ** 2 * sp.sqrt(1 + ((a - y) / h) ** 2)", "the - 1 inside the bracket is missing"),
        ("(a - y) ** 2 / 2", "that is the quadratic cost"),
        ("sp.Symbol('h') ** 2 * (sp.sqrt(1 + ((a - y) / sp.Symbol('h')) ** 2) - 1)", "only the symbols a and y"),
        ("h ** 2 * (sp.sqrt(1 + (a - y) / h) - 1)", "not a finite real number"),
        ("y ** 2", "does not depend on a"),
        ("h ** 2 * (sp.sqrt(1 + ((a + y) / h) ** 2) - 1)", "C of your cost against (6.5)"),
        ("sp.Matrix([a, y])", "ONE SymPy expression"),
    ],
)
def test_pseudo_huber_slips_are_named_first_in_at_most_five_lines(c_huber, slip):
    nbtools.assert_slip_named("6.2", f"c_huber = {c_huber}\n", slip, prelude=HUBER_HEADER)


def test_pseudo_huber_is_judged_from_the_decoded_expression():
    """Only the expression crosses; the judge builds the cost itself, so a record holding another expression
    fails and one holding (6.5) in any equivalent form passes every case, the gradient check included."""
    a, y = sp.symbols("a y", real=True)
    ex = get("6.2")
    for expr, status in (
        ((sp.sqrt(4 * (a - y) ** 2 + 1) - 1) / 4, "passed"),
        ((sp.sqrt(4 * (a - y) ** 2 + 1) - 1) / 2, "failed"),
    ):
        record = {"exercise": "6.2", "values": [enc.encode(expr) for _ in ex.cases()]}
        assert judge_record("6.2", json.loads(enc.dumps(record))).status == status


# --------------------------------------------------------------------------------------------- quizzes
QUIZZES = {"6.1": [0, 2, 3], "6.2": [0, 1], "6.3": [0]}


def test_quiz_cells_are_one_line_and_answered_in_the_next_code_cell():
    nbtools.assert_quizzes(NOTEBOOK, QUIZZES)


# -------------------------------------------------------------------------------------- the notebook's form
def test_teaching_cells_assert_no_accuracy_and_define_the_sigmoid_once(nb):
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"assert .*accuracy", code)
    assert len(re.findall(r"^def (sigma|sig|sigmoid)\(", code, re.M)) == 1


def test_every_figure_has_a_numbered_caption_right_after_it(nb):
    number = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            number += 1
            assert nb.cells[i + 1].cell_type == "markdown"
            assert nb.cells[i + 1].source.startswith(f"*Figure 6.{number}:* ")
    assert number >= 9


def test_the_accuracy_axis_is_zoomed_to_the_data(nb):
    """The notebook's zoom_accuracy, run on plot_history's figure: the training/test gap fills the axis."""
    from backprop_lib.plotting import plot_history
    from backprop_lib.training import History

    source = next(c.source for c in nb.cells if "def zoom_accuracy" in c.source)
    ns = {"np": np}
    exec(source.split("\n\n\n")[0], ns)
    history = History(
        epoch=[1, 2, 3], cost=[0.09, 0.05, 0.03], train_accuracy=[0.91, 0.95, 0.98], test_accuracy=[0.89, 0.91, 0.92]
    )
    fig = ns["zoom_accuracy"](plot_history(history), history)
    low, high = fig.axes[1].get_ylim()
    assert low <= 0.89 and high >= 0.98
    assert high - low < 0.15  # the gap of 0.06 fills a good part of the axis, not 6% of 0..1


def test_no_raw_latex_in_text_output(nb):
    """Proof cells show one plain line each (their Markdown form renders the math); quiz cells are the quiz module's."""
    for cell in nb.cells:
        if cell.cell_type != "code" or re.match(r"(quiz|answer)\(", cell.source) or "answer(" in cell.source:
            continue
        for o in cell.get("outputs", []):
            text = o.get("text", "") or o.get("data", {}).get("text/plain", "")
            assert not re.search(r"\\(frac|sigma|delta|partial|left|right)|\^\{|_\{|\$", text), cell.source[:60]
