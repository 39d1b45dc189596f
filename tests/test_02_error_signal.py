"""Tests mirroring notebooks/02_error_signal.ipynb: the error signal, the output error and the sigmoid's derivative.

(1) What the notebook derives, checked directly with the package and the symbolic engine, including that the
    typical wrong formulas are rejected with the right diagnosis.
(2) The exercises of backprop_lib/course/exercises/ch02.py: the instructor's solution passes every case (hidden ones
    too) through the grader's path; the workbook's blank answer is "not answered yet"; each typical slip is named in
    the first line of a failure of at most 5 lines.
(3) The quizzes (backprop_lib/course/quizzes/ch02.json) and the notebook's cells: one-line checks and quizzes, the
    exercises numbered in order, captions, and the corrected statement about σ′ ≤ 1/4.
"""

import re

import nbtools
import numpy as np
import pytest
import sympy as sp

from backprop_lib.activations import get_activation, sigmoid, sigmoid_prime
from backprop_lib.costs import get_cost
from backprop_lib.feedback import compare
from backprop_lib.network import MLP
from backprop_lib.symbolic import SymbolicNetwork, hadamard
from backprop_lib.symbolic import check as check_sym
from backprop_lib.symbolic import sigmoid as sigmoid_atom

NB = nbtools.NOTEBOOKS / "02_error_signal.ipynb"


def _sp_L(net):
    return net.sigma_prime_of(net.z[net.L])


# ----------------------------------------------------------------------------------------------------------------
# (2.1), (2.2): the quadratic cost and its gradient
# ----------------------------------------------------------------------------------------------------------------
def test_quadratic_gradient_and_its_slips():
    net = SymbolicNetwork([3, 2, 2], cost="quadratic")
    L = net.L
    assert check_sym(net.a[L] - net.y, net.grad_a_C(), net=net).ok
    lost_half = check_sym(2 * (net.a[L] - net.y), net.grad_a_C(), net=net)
    assert not lost_half.ok and "1/2" in lost_half.message
    flipped = check_sym(net.y - net.a[L], net.grad_a_C(), net=net)
    assert not flipped.ok and "sign" in flipped.message


def test_mean_over_samples_carries_one_over_m():
    net = SymbolicNetwork([2, 2, 2], cost="quadratic", m=3)
    L = net.L
    assert check_sym((net.a[L] - net.y) / 3, net.omega(L), net=net).ok
    lost = check_sym(net.a[L] - net.y, net.omega(L), net=net)
    assert not lost.ok and "3 times the truth" in lost.message


def test_source_001_cost_means_output_layer():
    net = SymbolicNetwork([2, 2, 2], cost="quadratic", m=2)

    def cost_of(layer):
        A = net.a[layer]
        return sp.Rational(1, 4) * sum((A[j, i] - net.y[j, i]) ** 2 for i in range(2) for j in range(2))

    assert check_sym(cost_of(net.L), net.C, net=net).ok
    assert not check_sym(cost_of(1), net.C, net=net, prove=False).ok


def test_source_003_chain_sign():
    net = SymbolicNetwork([2, 3, 2], cost="quadratic")
    v = net.y - net.a[net.L]
    assert check_sym(sp.Rational(1, 2) * 2 * v * (-1), net.grad_a_C(), net=net).ok
    no_minus = check_sym(sp.Rational(1, 2) * 2 * v, net.grad_a_C(), net=net)
    assert not no_minus.ok and "sign" in no_minus.message
    # source 003's "delta^2 = a^2 - y" is our omega^2, not our delta^2
    assert check_sym(net.a[net.L] - net.y, net.omega(net.L), net=net).ok
    as_delta = check_sym(net.a[net.L] - net.y, net.delta(net.L), net=net)
    assert not as_delta.ok and "misses σ′" in as_delta.message


# ----------------------------------------------------------------------------------------------------------------
# (2.3), (2.4), (2.6): the error signal
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[2, 3, 2], [3, 2, 2, 3]])
def test_delta_is_bias_gradient_every_layer(sizes):
    net = SymbolicNetwork(sizes)
    for l in range(1, net.L + 1):
        assert check_sym(net.delta(l), net.dC_db(l), net=net).ok, l


@pytest.mark.parametrize("cost", ["generic", "quadratic", "cross_entropy"])
def test_output_error_for_each_cost(cost):
    net = SymbolicNetwork([2, 3, 2], cost=cost)
    assert check_sym(hadamard(net.grad_a_C(), _sp_L(net)), net.delta(net.L), net=net).ok


def test_output_error_batched_columns():
    net = SymbolicNetwork([2, 3, 2], m=3)
    assert check_sym(hadamard(net.grad_a_C(), _sp_L(net)), net.Delta(net.L), net=net).ok


def test_source_000_printed_form_rejected_sigma_for_sigma_prime():
    net = SymbolicNetwork([2, 3, 2])
    printed = check_sym(hadamard(net.grad_a_C(), net.sigma_of(net.z[net.L])), net.delta(net.L), net=net)
    assert not printed.ok
    assert "σ where σ′ belongs at layer 2" in printed.message


def test_omega_form_every_layer_and_its_slip():
    net = SymbolicNetwork([2, 3, 3, 2])
    for l in range(1, net.L + 1):
        assert check_sym(hadamard(net.omega(l), net.sigma_prime_of(net.z[l])), net.delta(l), net=net).ok
    missing = check_sym(net.omega(2), net.delta(2), net=net)
    assert not missing.ok and "misses σ′ at layer 2" in missing.message


# ----------------------------------------------------------------------------------------------------------------
# (2.5): the sigmoid's derivative, and what σ′ ≤ 1/4 says about δ
# ----------------------------------------------------------------------------------------------------------------
def test_sigmoid_derivative_symbolic():
    z, u = sp.symbols("z u", real=True)
    logistic = 1 / (1 + sp.exp(-z))
    d = sp.diff(logistic, z).subs(sp.exp(-z), u)
    to_u = lambda e: e.subs(sp.exp(-z), u)  # noqa: E731
    assert check_sym(to_u(logistic * (1 - logistic)), d).ok
    assert not check_sym(to_u(logistic), d).ok
    assert not check_sym(to_u(logistic * (1 + logistic)), d).ok
    assert check_sym(to_u(sp.diff(sigmoid_atom(z), z).rewrite(sp.exp)), d).ok
    assert sp.factor(sp.Rational(1, 4) - sp.Symbol("s") * (1 - sp.Symbol("s"))) == (2 * sp.Symbol("s") - 1) ** 2 / 4


def test_sigmoid_prime_numeric_bound_and_tails():
    z = np.linspace(-30, 30, 6001)
    sp_ = sigmoid_prime(z)
    assert sp_.max() == pytest.approx(0.25) and np.all(sp_ <= 0.25)
    assert sigmoid_prime(np.array([10.0]))[0] < 5e-5
    act = get_activation("sigmoid")
    assert compare("a(1-a)", act.sigma_prime(z, a=sigmoid(z)), sp_, quiet=True).ok


def test_sigma_prime_bounds_one_factor_only_the_weights_can_amplify():
    """The notebook's corrected claim: ||δ^l|| <= ||W^{l+1}|| ||δ^{l+1}|| / 4, and with large weights δ grows."""
    rng = np.random.default_rng(0)
    grew = 0
    for _ in range(50):
        W = rng.normal(scale=rng.choice([0.3, 8.0]), size=(4, 4))
        d_next, z = rng.normal(size=(4, 1)), rng.normal(size=(4, 1))
        d = (W.T @ d_next) * sigmoid_prime(z)
        assert np.linalg.norm(d) <= np.linalg.norm(W, 2) * np.linalg.norm(d_next) / 4 + 1e-12
        grew += np.linalg.norm(d) > np.linalg.norm(d_next)
    assert grew > 0  # "at least a factor 4 per layer" is false


# ----------------------------------------------------------------------------------------------------------------
# (2.7), (2.8): cross-entropy and the cancellation
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[2, 3, 2], [3, 2, 3]])
def test_cross_entropy_sigmoid_gives_a_minus_y(sizes):
    net = SymbolicNetwork(sizes, activation="sigmoid", cost="cross_entropy")
    assert check_sym(net.a[net.L] - net.y, net.delta(net.L), net=net).ok
    quad = SymbolicNetwork(sizes, activation="sigmoid", cost="quadratic")
    assert not check_sym(quad.a[quad.L] - quad.y, quad.delta(quad.L), net=quad).ok


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
# (2) exercises: through check() exactly as a student's kernel runs it, and through the grader's path
# ----------------------------------------------------------------------------------------------------------------
PRELUDE = "import numpy as np\nfrom backprop_lib.activations import sigmoid as sigma_np\n"
EXERCISES = {"2.1": 2, "2.2": 3, "2.3": 2}


SIGMA_PRIME = "def sigma_prime(z):\n    s = sigma_np(z)\n    return {}\n"
QUADRATIC = "def delta_L_quadratic(a_L, y, z_L, sigma_prime):\n    return {}\n"
CROSS_ENTROPY = "def delta_L_cross_entropy(a_L, y, z_L, sigma_prime):\n    return {}\n"

SLIPS = [
    ("2.1", SIGMA_PRIME.format("s"), "σ where σ′ belongs"),
    ("2.1", SIGMA_PRIME.format("s * (1 + s)"), "the minus of 1 − σ(z) became a plus"),
    ("2.1", SIGMA_PRIME.format("s ** 2"), "σ(z)² is not σ′"),
    ("2.1", SIGMA_PRIME.format("1 - s"), "the factor σ(z) is missing"),
    ("2.1", SIGMA_PRIME.format("z * (1 - z)"), "needs a = σ(z)"),
    ("2.1", SIGMA_PRIME.format("(s * (1 - s)).ravel()"), "shape"),
    ("2.1", SIGMA_PRIME.format("None"), "returned None"),
    ("2.2", QUADRATIC.format("(a_L - y) * sigma_np(z_L)"), "the functions it passes in (sigma_prime)"),
    ("2.2", QUADRATIC.format("(a_L - y)"), "misses σ′"),
    ("2.2", QUADRATIC.format("(y - a_L) * sigma_prime(z_L)"), "sign"),
    ("2.2", QUADRATIC.format("2 * (a_L - y) * sigma_prime(z_L)"), "1/2"),
    ("2.2", QUADRATIC.format("(a_L - y) * sigma_prime(a_L)"), "σ′ applied to a^L"),
    ("2.2", QUADRATIC.format("(a_L - y) @ sigma_prime(z_L)"), "⊙ is elementwise"),
    ("2.3", CROSS_ENTROPY.format("y - a_L"), "sign"),
    ("2.3", CROSS_ENTROPY.format("(a_L - y) * sigma_prime(z_L)"), "an extra factor σ′(z^L)"),
    ("2.3", CROSS_ENTROPY.format("(a_L - y) / (a_L * (1 - a_L))"), "∇_a C alone"),
]


@pytest.mark.parametrize("exercise_id, source, slip", SLIPS, ids=[f"{e}-{s[:24]}" for e, _, s in SLIPS])
def test_typical_slips_are_named_first_in_at_most_five_lines(exercise_id, source, slip):
    nbtools.assert_slip_named(exercise_id, source, slip, PRELUDE)


def test_numeric_cases_name_the_slips_the_symbolic_case_cannot_see():
    """A σ used where σ′ belongs, in numbers only (the function switches on the input type), is still named."""

    def delta_L_quadratic(a_L, y, z_L, sigma_prime):
        return (a_L - y) * a_L

    outcome = nbtools.judged_case("2.2", lambda c: c.params.get("numeric") and not c.hidden, delta_L_quadratic)
    assert not outcome.ok and outcome.message.startswith("delta_L: σ where σ′ belongs")


# ----------------------------------------------------------------------------------------------------------------
# (3) quizzes and the notebook's cells
# ----------------------------------------------------------------------------------------------------------------
RIGHT = {"2.1": [0, 1], "2.2": [0, 1, 3], "2.3": [0, 1, 2]}


def test_exercises_in_order_with_one_line_checks():
    nbtools.assert_exercises(NB, EXERCISES)
    markdown = "\n".join(c.source for c in nbtools.cells(NB) if c.cell_type == "markdown")
    headings = re.findall(r"### Exercise (\d\.\d)", markdown)
    assert headings == list(EXERCISES)


def test_quiz_cells_are_one_line_and_their_answers_are_right():
    nbtools.assert_quizzes(NB, RIGHT)


def test_figures_have_captions_and_the_factor_4_claim_is_corrected():
    nbtools.assert_figures_captioned(NB, lambda source: "plt.show()" in source, 3)
    prose = "\n".join(c.source for c in nbtools.cells(NB) if c.cell_type == "markdown")
    assert "at least a factor 4" not in prose and "notebook 03 follows this" not in prose
    assert "(09_depth.ipynb)" in prose and "\\lVert W^{l+1} \\rVert" in prose
