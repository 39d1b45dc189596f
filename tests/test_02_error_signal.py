"""Tests mirroring notebooks/02_error_signal.ipynb: the error signal, the output error and the sigmoid's derivative.

(1) What the notebook derives, checked directly with the package and the symbolic engine, including that the
    typical wrong formulas are rejected with the right diagnosis.
(2) The notebook's exercise checks reject typical wrong answers (slow: they execute the notebook).
"""
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import sympy as sp

from backprop_lib.activations import get_activation, sigmoid, sigmoid_prime
from backprop_lib.costs import get_cost
from backprop_lib.feedback import compare
from backprop_lib.network import MLP
from backprop_lib.quiz import Quiz
from backprop_lib.symbolic import SymbolicNetwork, check, hadamard
from backprop_lib.symbolic import sigmoid as sigmoid_atom

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbtools import NOTEBOOKS, run_with_answers  # noqa: E402

NB = NOTEBOOKS / "02_error_signal.ipynb"


def _sp_L(net):
    return net.sigma_prime_of(net.z[net.L])


# ----------------------------------------------------------------------------------------------------------------
# (2.1), (2.2): the quadratic cost and its gradient
# ----------------------------------------------------------------------------------------------------------------
def test_quadratic_gradient_and_its_slips():
    net = SymbolicNetwork([3, 2, 2], cost="quadratic")
    L = net.L
    assert check(net.a[L] - net.y, net.grad_a_C(), net=net).ok
    lost_half = check(2 * (net.a[L] - net.y), net.grad_a_C(), net=net)
    assert not lost_half.ok and "1/2" in lost_half.message
    flipped = check(net.y - net.a[L], net.grad_a_C(), net=net)
    assert not flipped.ok and "sign" in flipped.message


def test_mean_over_samples_carries_one_over_m():
    net = SymbolicNetwork([2, 2, 2], cost="quadratic", samples=3)
    L = net.L
    assert check((net.a[L] - net.Y) / 3, net.dC_da(L), net=net).ok
    lost = check(net.a[L] - net.Y, net.dC_da(L), net=net)
    assert not lost.ok and "1/n" in lost.message


def test_source_001_cost_means_output_layer():
    net = SymbolicNetwork([2, 2, 2], cost="quadratic", samples=2)

    def cost_of(layer):
        A = net.a[layer]
        return sp.Rational(1, 4) * sum((A[j, i] - net.Y[j, i]) ** 2 for i in range(2) for j in range(2))

    assert check(cost_of(net.L), net.C, net=net).ok
    assert not check(cost_of(1), net.C, net=net, prove=False).ok


def test_source_003_chain_sign():
    net = SymbolicNetwork([2, 3, 2], cost="quadratic")
    v = net.y - net.a[net.L]
    assert check(sp.Rational(1, 2) * 2 * v * (-1), net.grad_a_C(), net=net).ok
    no_minus = check(sp.Rational(1, 2) * 2 * v, net.grad_a_C(), net=net)
    assert not no_minus.ok and "sign" in no_minus.message
    # source 003's "delta^2 = a^2 - y" is our omega^2, not our delta^2
    assert check(net.a[net.L] - net.y, net.omega(net.L), net=net).ok
    as_delta = check(net.a[net.L] - net.y, net.delta(net.L), net=net)
    assert not as_delta.ok and "misses σ′" in as_delta.message


# ----------------------------------------------------------------------------------------------------------------
# (2.3), (2.4), (2.6): the error signal
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[2, 3, 2], [3, 2, 2, 3]])
def test_delta_is_bias_gradient_every_layer(sizes):
    net = SymbolicNetwork(sizes)
    for l in range(1, net.L + 1):
        assert check(net.delta(l), net.dC_db(l), net=net).ok, l


@pytest.mark.parametrize("cost", ["generic", "quadratic", "cross_entropy"])
def test_output_error_for_each_cost(cost):
    net = SymbolicNetwork([2, 3, 2], cost=cost)
    assert check(hadamard(net.grad_a_C(), _sp_L(net)), net.delta(net.L), net=net).ok


def test_output_error_batched_columns():
    net = SymbolicNetwork([2, 3, 2], samples=3)
    assert check(hadamard(net.grad_a_C(), _sp_L(net)), net.Delta(net.L), net=net).ok


def test_source_000_printed_form_rejected_sigma_for_sigma_prime():
    net = SymbolicNetwork([2, 3, 2])
    printed = check(hadamard(net.grad_a_C(), net.sigma_of(net.z[net.L])), net.delta(net.L), net=net)
    assert not printed.ok
    assert "σ where σ′ belongs at layer 2" in printed.message


def test_omega_form_every_layer_and_its_slip():
    net = SymbolicNetwork([2, 3, 3, 2])
    for l in range(1, net.L + 1):
        assert check(hadamard(net.omega(l), net.sigma_prime_of(net.z[l])), net.delta(l), net=net).ok
    missing = check(net.omega(2), net.delta(2), net=net)
    assert not missing.ok and "misses σ′ at layer 2" in missing.message


# ----------------------------------------------------------------------------------------------------------------
# (2.5): the sigmoid's derivative
# ----------------------------------------------------------------------------------------------------------------
def test_sigmoid_derivative_symbolic():
    z, u = sp.symbols("z u", real=True)
    logistic = 1 / (1 + sp.exp(-z))
    d = sp.diff(logistic, z).subs(sp.exp(-z), u)
    to_u = lambda e: e.subs(sp.exp(-z), u)  # noqa: E731
    assert check(to_u(logistic * (1 - logistic)), d).ok
    assert not check(to_u(logistic), d).ok
    assert not check(to_u(logistic * (1 + logistic)), d).ok
    assert check(to_u(sp.diff(sigmoid_atom(z), z).rewrite(sp.exp)), d).ok
    assert sp.factor(sp.Rational(1, 4) - sp.Symbol("s") * (1 - sp.Symbol("s"))) == (2 * sp.Symbol("s") - 1) ** 2 / 4


def test_sigmoid_prime_numeric_bound_and_tails():
    z = np.linspace(-30, 30, 6001)
    sp_ = sigmoid_prime(z)
    assert sp_.max() == pytest.approx(0.25) and np.all(sp_ <= 0.25)
    assert sigmoid_prime(np.array([10.0]))[0] < 5e-5
    act = get_activation("sigmoid")
    assert compare("a(1-a)", act.sigma_prime(z, a=sigmoid(z)), sp_, quiet=True).ok


# ----------------------------------------------------------------------------------------------------------------
# (2.7), (2.8): cross-entropy and the cancellation
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[2, 3, 2], [3, 2, 3]])
def test_cross_entropy_sigmoid_gives_a_minus_y(sizes):
    net = SymbolicNetwork(sizes, activation="sigmoid", cost="cross_entropy")
    assert check(net.a[net.L] - net.y, net.delta(net.L), net=net).ok
    quad = SymbolicNetwork(sizes, activation="sigmoid", cost="quadratic")
    assert not check(quad.a[quad.L] - quad.y, quad.delta(quad.L), net=quad).ok


def test_log_likelihood_softmax_needs_one_hot():
    zk = sp.Matrix(sp.symbols("z_0:3", real=True))
    yk = sp.Matrix(sp.symbols("y_0:3", real=True))
    a = zk.applyfunc(lambda t: sp.exp(t) / sum(sp.exp(s) for s in zk))
    C = -sum(yk[j] * sp.log(a[j]) for j in range(3))
    delta = zk.applyfunc(lambda t: sp.diff(C, t))
    one_hot = {yk[2]: 1 - yk[0] - yk[1]}
    assert all(sp.simplify(e) == 0 for e in (delta - (a - yk)).xreplace(one_hot))
    assert not all(sp.simplify(e) == 0 for e in (delta - (a - yk)))


def test_package_costs_match_the_formulas():
    rng = np.random.default_rng(5)
    Z = rng.normal(scale=2.0, size=(3, 4))
    A, Y = sigmoid(Z), rng.uniform(size=(3, 4))
    quad, ce = get_cost("quadratic"), get_cost("cross_entropy")
    assert np.isclose(quad.value(A, Y), np.sum((A - Y) ** 2) / 8)
    assert np.isclose(ce.value(A, Y), -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / 4)
    assert compare("q", quad.delta_L(Z, A, Y, "sigmoid"), (A - Y) * sigmoid_prime(Z), quiet=True).ok
    assert compare("ce", ce.delta_L(Z, A, Y, "sigmoid"), A - Y, quiet=True).ok
    assert compare("ce", (A - Y) / (A * (1 - A)) * sigmoid_prime(Z), A - Y, quiet=True).ok
    # the slips named by compare
    assert "1/m is missing" in compare("C", np.sum((A - Y) ** 2) / 2, quad.value(A, Y), m=4, quiet=True).message
    assert "sign" in compare("d", (Y - A) * sigmoid_prime(Z), quad.delta_L(Z, A, Y, "sigmoid"), quiet=True).message


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_mlp_output_delta_matches_inline(cost):
    rng = np.random.default_rng(7)
    X, Y = rng.normal(size=(4, 5)), rng.uniform(size=(2, 5))
    net = MLP([4, 3, 2], activation="sigmoid", cost=cost, seed=1)
    fw = net.forward(X)
    A, Z = fw.a[net.L], fw.z[net.L]
    grad = A - Y if cost == "quadratic" else (A - Y) / (A * (1 - A))
    assert compare("delta", grad * sigmoid_prime(Z), net.gradients(X, Y).delta[net.L], quiet=True).ok


# ----------------------------------------------------------------------------------------------------------------
# quizzes: the stored keys accept the intended answers and nothing else
# ----------------------------------------------------------------------------------------------------------------
INTENDED = {"2.1": [0, 1], "2.2": [0, 1, 3], "2.3": [0, 1, 2]}


def _quizzes():
    nb = nbformat.read(str(NB), as_version=4)
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and "Quiz(" in cell.source and "= Quiz(" in cell.source:
            namespace = {"Quiz": Quiz}
            exec(cell.source.rsplit("\n", 1)[0], namespace)
            q = next(v for v in namespace.values() if isinstance(v, Quiz))
            found[q.quiz_id] = q
    return found


def test_quiz_keys():
    quizzes = _quizzes()
    assert set(quizzes) == set(INTENDED)
    for qid, correct in INTENDED.items():
        q = quizzes[qid]
        assert not q.answer(correct[:-1]).ok          # a subset of the right set is wrong
        assert not q.answer(list(range(len(q.options)))).ok   # ticking everything is wrong
        assert q.answer(correct).ok


# ----------------------------------------------------------------------------------------------------------------
# the notebook's exercise checks reject wrong answers
# ----------------------------------------------------------------------------------------------------------------
EX21 = '''
from backprop_lib.symbolic import hadamard
def delta_L_quadratic(net):
    L = net.L
    return {body}
'''
EX22 = '''
import numpy as np
from backprop_lib.activations import sigmoid as sigma_np
def sigma_prime(z):
    s = sigma_np(z)
    return {body}
'''
EX23 = '''
from backprop_lib.symbolic import hadamard
def delta_L_cross_entropy(net):
    L = net.L
    return {body}
'''

WRONG = [
    ("ex2_1", EX21, "hadamard(net.a[L] - net.y, net.sigma_of(net.z[L]))", "σ where σ′ belongs"),
    ("ex2_1", EX21, "net.a[L] - net.y", "misses σ′"),
    ("ex2_1", EX21, "hadamard(net.y - net.a[L], net.sigma_prime_of(net.z[L]))", "sign flipped"),
    ("ex2_1", EX21, "2 * hadamard(net.a[L] - net.y, net.sigma_prime_of(net.z[L]))", "the 1/2 of the cost was dropped"),
    ("ex2_2", EX22, "s", "sigma where sigma' belongs"),
    ("ex2_2", EX22, "s * (1 + s)", "the minus of 1 - sigma(z) became a plus"),
    ("ex2_2", EX22, "z * (1 - z)", "needs a = sigma(z), not z"),
    ("ex2_2", EX22, "(s * (1 - s)).ravel()", "WRONG shape"),
    ("ex2_3", EX23, "net.y - net.a[L]", "sign flipped"),
    ("ex2_3", EX23, "hadamard(net.a[L] - net.y, net.sigma_prime_of(net.z[L]))", "an extra factor sigma'(z^L)"),
    ("ex2_3", EX23, "net.grad_a_C()", "the factor sigma'(z^L) of (2.4) is missing"),
]


@pytest.fixture(scope="module")
def wrong_runs():
    """Run the notebook once per wrong answer of each exercise (one run covers one wrong answer per exercise)."""
    verdicts = []
    rounds = {}
    for ex, template, body, expected in WRONG:
        rounds.setdefault(ex, []).append((template.format(body=body), expected))
    for k in range(max(len(v) for v in rounds.values())):
        answers = {ex: items[k][0] for ex, items in rounds.items() if k < len(items)}
        result = run_with_answers(NB, answers)
        for ex, items in rounds.items():
            if k < len(items):
                verdicts.append((ex, items[k][1], result[ex]))
    return verdicts


@pytest.mark.slow
def test_exercise_checks_reject_wrong_answers(wrong_runs):
    assert len(wrong_runs) == len(WRONG)
    for ex, expected, (ok, message) in wrong_runs:
        assert not ok, f"{ex} accepted a wrong answer (expected diagnosis {expected!r})"
        assert message.startswith("AssertionError"), (ex, message)
        assert expected in message, f"{ex}: expected {expected!r} in {message!r}"


@pytest.mark.slow
def test_solutions_pass():
    result = run_with_answers(NB, {})
    assert set(result) == {"ex2_1", "ex2_2", "ex2_3"}
    for ex, (ok, message) in result.items():
        assert ok, f"{ex}: the committed solution fails: {message}"
