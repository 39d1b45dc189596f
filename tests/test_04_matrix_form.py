"""Tests mirroring notebooks/04_matrix_form.ipynb: the matrix form (4.1)-(4.8), the exercises and the quizzes.

Part 1 checks what the notebook derives, directly with the package and the symbolic engine, and that the wrong
forms it discusses (source 002's unparenthesised recursion, source 003's Eq (5), a missing transpose, sigma for
sigma', a wrong layer, the wrong sign of the step) are rejected with the right diagnosis.
Part 2, the exercises (backprop_lib/course/exercises/ch04.py): the instructor's solution passes every case through
the grader's path, a blank answer is "not answered yet", and every typical slip is named in the first line of a
failure of at most 5 lines. Part 3: the quizzes, and the notebook's one-line check, quiz and proof cells.
"""

import nbtools
import numpy as np
import pytest
import sympy as sp

from backprop_lib.activations import get_activation
from backprop_lib.costs import get_cost
from backprop_lib.feedback import compare
from backprop_lib.gradcheck import gradient_check
from backprop_lib.network import MLP
from backprop_lib.plotting import draw_matrix_shapes
from backprop_lib.symbolic import SymbolicNetwork, bcast_mul, check, hadamard

PRELUDE = "import numpy as np\nfrom backprop_lib.symbolic import hadamard\n"


def verdict(exercise_id, source):
    return nbtools.exercise_verdict(exercise_id, source, PRELUDE)


def graded(exercise_id, source):
    return nbtools.exercise_graded(exercise_id, source, PRELUDE)


NOTEBOOK = nbtools.NOTEBOOKS / "04_matrix_form.ipynb"


@pytest.fixture(scope="module")
def sym():
    """The notebook's non-square symbolic network: undefined sigma, generic cost, widths 2, 3, 4, 2."""
    return SymbolicNetwork([2, 3, 4, 2])


@pytest.fixture(scope="module")
def two():
    """Source 003's two-layer network, non-square: widths 3, 4, 2, quadratic cost."""
    return SymbolicNetwork([3, 4, 2], cost="quadratic")


def sp_z(net, l):
    return net.sigma_prime_of(net.z[l])


# ---------------------------------------------------------------------------------------- (4.1)-(4.4)
@pytest.mark.parametrize("sizes", [[2, 3, 4, 2], [3, 5, 2, 4]])
def test_four_equations_hold_on_non_square_networks(sizes):
    net = SymbolicNetwork(sizes)
    L = net.L
    check(hadamard(net.grad_a_C(), sp_z(net, L)), net.delta(L), net=net).require()  # (4.1)
    for l in range(L - 1, 0, -1):
        check(hadamard(net.W[l + 1].T * net.delta(l + 1), sp_z(net, l)), net.delta(l), net=net).require()  # (4.2)
    for l in range(1, L + 1):
        check(net.delta(l), net.dC_db(l), net=net).require()  # (4.3)
        check(net.delta(l) * net.a[l - 1].T, net.dC_dW(l), net=net).require()  # (4.4)


def test_missing_transpose_is_a_shape_error(sym):
    r = check(lambda n: hadamard(n.W[3] * n.delta(3), sp_z(n, 2)), sym.delta(2), net=sym)
    assert not r.ok
    assert "shape" in r.message and ("transpose" in r.message or "shape mismatch" in r.message)


def test_sigma_for_sigma_prime_is_diagnosed(sym):
    r = check(hadamard(sym.W[3].T * sym.delta(3), sym.sigma_of(sym.z[2])), sym.delta(2), net=sym)
    assert not r.ok
    assert "σ where σ′ belongs at layer 2" in r.message


def test_hadamard_first_reading_of_source_002(sym):
    """delta^l = (W^{l+1})^T delta^{l+1} ⊙ sigma'(z^l) with ⊙ first: a shape error here, wrong on a square net."""
    r = check(lambda n: n.W[3].T * hadamard(n.delta(3), sp_z(n, 2)), sym.delta(2), net=sym)
    assert not r.ok
    assert "shape mismatch" in r.message and "Hadamard" in r.message
    square = SymbolicNetwork([2, 2, 2, 2])
    r = check(square.W[3].T * hadamard(square.delta(3), sp_z(square, 2)), square.delta(2), net=square)
    assert not r.ok
    assert "shape mismatch" not in r.message
    with pytest.raises(ValueError, match="equal shapes"):
        draw_matrix_shapes([(r"\delta^3", (2, 1)), ("⊙", None), (r"\sigma'(z^2)", (4, 1))])


def test_dW_wrong_forms_are_diagnosed(sym):
    transposed = check(sym.a[1] * sym.delta(2).T, sym.dC_dW(2), net=sym)
    assert not transposed.ok and "transposed" in transposed.message
    wrong_layer = check(sym.delta(2) * sym.a[2].T, sym.dC_dW(2), net=sym)
    assert not wrong_layer.ok and "shape mismatch" in wrong_layer.message and "(n_2, n_2)" in wrong_layer.message
    row_times_column = check(lambda n: n.a[1].T * n.delta(2), sym.dC_dW(2), net=sym)
    assert not row_times_column.ok and "shape mismatch" in row_times_column.message


# ---------------------------------------------------------------------------------------- omega / lambda
def test_omega_lambda_form_of_source_001(sym):
    L = sym.L
    for l in range(L - 1, 0, -1):  # (A1)
        check(sym.W[l + 1].T * hadamard(sym.omega(l + 1), sp_z(sym, l + 1)), sym.omega(l), net=sym).require()
    for l in range(1, L + 1):  # (A2), (A3)
        check(hadamard(sym.omega(l), sp_z(sym, l)), sym.dC_db(l), net=sym).require()
        check(hadamard(sym.omega(l), sp_z(sym, l)) * sym.a[l - 1].T, sym.dC_dW(l), net=sym).require()
    omega, lam = {L: sym.grad_a_C()}, {}
    lam[L] = hadamard(omega[L], sp_z(sym, L))
    for l in range(L - 1, 0, -1):
        omega[l] = sym.W[l + 1].T * lam[l + 1]  # (4.5)
        lam[l] = hadamard(omega[l], sp_z(sym, l))  # (4.6)
    for l in range(1, L + 1):
        check(omega[l], sym.omega(l), net=sym).require()
        check(lam[l], sym.delta(l), net=sym).require()
    # omega is not delta: the factor sigma'(z^l) is missing
    r = check(sym.omega(2), sym.delta(2), net=sym)
    assert not r.ok and "misses σ′" in r.message


# ---------------------------------------------------------------------------------------- two layers (source 003)
def test_two_layer_matrix_calculus(two):
    a0, a1, a2, y = two.a[0], two.a[1], two.a[2], two.y
    W2 = two.W[2]
    s1, s2 = sp_z(two, 1), sp_z(two, 2)
    shape, entries = two.jacobian("dada", 2)
    J = sp.Matrix(*shape, lambda i, j: entries[(i, j)])
    check(sp.diag(*s2) * W2, J, net=two).require()
    check(bcast_mul(W2, s2), J, net=two).require()  # source 003's w^2.sigma'(z^2), NumPy *
    check(a2 - y, two.omega(2), net=two).require()  # source 003's "delta^2" is our omega^2
    check(W2.T * sp.diag(*s2) * (a2 - y), two.omega(1), net=two).require()
    check(sp.diag(*s2) * (a2 - y) * a1.T, two.dC_dW(2), net=two).require()  # (4.7)
    check(sp.diag(*s1) * W2.T * sp.diag(*s2) * (a2 - y) * a0.T, two.dC_dW(1), net=two).require()  # (4.7)
    check(bcast_mul(bcast_mul(a2 - y, s2), a1.T), two.dC_dW(2), net=two).require()  # Eq (3)
    r = check(a2 - y, two.delta(2), net=two)
    assert not r.ok


def test_source_003_eq5_is_rejected_in_every_reading(two):
    a0, a2, y, W2 = two.a[0], two.a[2], two.y, two.W[2]
    s1, s2 = sp_z(two, 1), sp_z(two, 2)
    d2 = a2 - y
    truth = two.dC_dW(1)
    readings = [
        lambda n: s1 * a0.T * d2 * W2 * s2,
        lambda n: bcast_mul(bcast_mul(bcast_mul(s1, a0.T), d2), W2 * s2),
        lambda n: d2 * s2 * a0.T * W2 * s1,
        lambda n: bcast_mul(bcast_mul(bcast_mul(d2, s2), a0.T), W2 * s1),
    ]
    results = [check(c, truth, net=two) for c in readings]
    assert all(not r.ok and "shape mismatch" in r.message for r in results)
    assert "(n_2, n_0)" in results[3].message and "(n_1, n_0)" in results[3].message


def test_source_003_eq5_second_version_swaps_the_layers_of_sigma_prime():
    sq = SymbolicNetwork([2, 2, 2], cost="quadratic")
    t1, t2 = sp_z(sq, 1), sp_z(sq, 2)
    swapped = hadamard(sq.W[2].T * hadamard(sq.a[2] - sq.y, t1), t2) * sq.a[0].T
    assert not check(swapped, sq.dC_dW(1), net=sq).ok
    exchange = {}
    for i in range(2):
        exchange[t1[i]], exchange[t2[i]] = t2[i], t1[i]
    check(swapped, sq.dC_dW(1).xreplace(exchange), net=sq).require()
    corrected = hadamard(sq.W[2].T * hadamard(sq.a[2] - sq.y, t2), t1) * sq.a[0].T
    check(corrected, sq.dC_dW(1), net=sq).require()


# ---------------------------------------------------------------------------------------- delta rule (4.8)
def test_delta_rule_lowers_the_cost_to_first_order():
    net = SymbolicNetwork([2, 3, 2])
    eta = sp.Symbol("eta", positive=True)

    def slope(sign):
        step = {}
        for l in range(1, net.L + 1):
            step.update({w: w + sign * eta * g for w, g in zip(net.W[l], net.dC_dW(l))})
            step.update({b: b + sign * eta * g for b, g in zip(net.b[l], net.dC_db(l))})
        return sp.diff(net.C.xreplace(step), eta).subs(eta, 0)

    norms = sum(
        sum(e**2 for e in net.delta(l) * net.a[l - 1].T) + sum(e**2 for e in net.delta(l)) for l in range(1, net.L + 1)
    )
    check(-norms, slope(-1), statement="s", net=net).require()
    wrong = check(-norms, slope(+1), statement="s", net=net)
    assert not wrong.ok and "sign" in wrong.message


# ---------------------------------------------------------------------------------------- numeric
def _sample():
    net = MLP([3, 5, 4, 2], activation="sigmoid", cost="quadratic", seed=0)
    rng = np.random.default_rng(4)
    return net, rng.standard_normal((3, 1)), rng.uniform(size=(2, 1))


def _inline_backprop(net, x, y, hidden_prime=None):
    """The notebook's inline NumPy backprop: delta form (4.1)-(4.4) and omega form (4.5)-(4.6).

    hidden_prime replaces sigma' in the hidden layers of the delta form (to make a deliberately wrong version).
    """
    act, cost = get_activation("sigmoid"), get_cost("quadratic")
    hidden_prime = hidden_prime or act.sigma_prime
    z, a = [None], [x]
    for l in range(1, net.L + 1):
        z.append(net.W[l] @ a[l - 1] + net.b[l])
        a.append(act.sigma(z[l]))
    delta = [None] * (net.L + 1)
    delta[net.L] = cost.grad_a(a[net.L], y) * act.sigma_prime(z[net.L])
    for l in range(net.L - 1, 0, -1):
        delta[l] = (net.W[l + 1].T @ delta[l + 1]) * hidden_prime(z[l])
    omega = [None] * (net.L + 1)
    lam = [None] * (net.L + 1)
    omega[net.L] = cost.grad_a(a[net.L], y)
    lam[net.L] = omega[net.L] * act.sigma_prime(z[net.L])
    for l in range(net.L - 1, 0, -1):
        omega[l] = net.W[l + 1].T @ lam[l + 1]
        lam[l] = omega[l] * act.sigma_prime(z[l])
    dW = [None] + [delta[l] @ a[l - 1].T for l in range(1, net.L + 1)]
    db = [None] + [delta[l] for l in range(1, net.L + 1)]
    return dW, db, delta, omega, lam


def test_inline_numpy_matches_package_and_gradient_check():
    net, x, y = _sample()
    dW, db, delta, omega, lam = _inline_backprop(net, x, y)
    g = net.gradients(x, y, method="per_sample")
    g_om = net.gradients(x, y, method="omega")
    for l in range(1, net.L + 1):
        compare(f"dW[{l}]", dW[l], g.dW[l], quiet=True).require()
        compare(f"db[{l}]", db[l], g.db[l], quiet=True).require()
        compare(f"omega[{l}]", omega[l], g_om.omega[l], quiet=True).require()
        compare(f"lam[{l}]", lam[l], delta[l], quiet=True).require()
    assert gradient_check(net, x, y, grads=(dW, db)).ok
    # neither check is blind: sigma where sigma' belongs in the hidden layers is caught by both
    bad_dW, bad_db, *_ = _inline_backprop(net, x, y, hidden_prime=get_activation("sigmoid").sigma)
    assert not compare("dW[1]", bad_dW[1], g.dW[1], quiet=True).ok
    report = gradient_check(net, x, y, grads=(bad_dW, bad_db))
    assert not report.ok and "dW[1]" in report.message
    # a one-sample gradient has rank one
    assert [np.linalg.matrix_rank(dW[l]) for l in range(1, net.L + 1)] == [1, 1, 1]


def test_training_step_matches_update():
    net, x, y = _sample()
    dW, db, *_ = _inline_backprop(net, x, y)
    ours, ref = net.copy(), net.copy()
    for l in range(1, net.L + 1):
        ours.W[l] = ours.W[l] - 0.5 * dW[l]
        ours.b[l] = ours.b[l] - 0.5 * db[l]
    ref.update(ref.gradients(x, y, method="per_sample"), 0.5)
    for l in range(1, net.L + 1):
        compare(f"W[{l}]", ours.W[l], ref.W[l], quiet=True).require()
        compare(f"b[{l}]", ours.b[l], ref.b[l], quiet=True).require()
    assert ours.cost_value(x, y) < net.cost_value(x, y)


# ---------------------------------------------------------------------------------------- exercises
EXERCISES = {"4.1": 3, "4.2": 2, "4.3": 3}


def test_notebook_has_the_exercises():
    nbtools.assert_exercises(NOTEBOOK, EXERCISES)


RECURSION = "def delta_hidden(W, delta, z, sigma_prime, l):\n    return {}\n"
GRADIENT = "def dW_formula(delta, a, l):\n    return {}\n"
STEP = """
def sgd_step(W, b, x, y, eta, sigma, sigma_prime, grad_a_C):
    L = len(W) - 1
    z, a = [None], [x]
    for l in range(1, L + 1):
        z.append(W[l] @ a[l - 1] + b[l])
        a.append(sigma(z[l]))
    delta = [None] * (L + 1)
    delta[L] = grad_a_C(a[L], y) * sigma_prime(z[L])
    for l in range(L - 1, 0, -1):
        delta[l] = (W[l + 1].T @ delta[l + 1]) * sigma_prime(z[l])
    for l in range(1, L + 1):
        W[l] = W[l] - eta * (delta[l] @ a[l - 1].T)
        b[l] = b[l] - eta * delta[l]
"""
STALE = """
def sgd_step(W, b, x, y, eta, sigma, sigma_prime, grad_a_C):
    L = len(W) - 1
    z, a = [None], [x]
    for l in range(1, L + 1):
        z.append(W[l] @ a[l - 1] + b[l])
        a.append(sigma(z[l]))
    delta = grad_a_C(a[L], y) * sigma_prime(z[L])
    for l in range(L, 0, -1):
        W[l] = W[l] - eta * (delta @ a[l - 1].T)
        b[l] = b[l] - eta * delta
        if l > 1:
            delta = (W[l].T @ delta) * sigma_prime(z[l - 1])
"""
NEW_LISTS = """
def sgd_step(W, b, x, y, eta, sigma, sigma_prime, grad_a_C):
    return [None] + [w - eta for w in W[1:]], b
"""


def step(old, new):
    assert old in STEP, old
    return STEP.replace(old, new)


SLIPS = [
    ("4.1", RECURSION.format("hadamard(W[l + 1] * delta[l + 1], sigma_prime(z[l]))"), "the transpose is missing"),
    ("4.1", RECURSION.format("W[l + 1].T * hadamard(delta[l + 1], sigma_prime(z[l]))"), "⊙ before the product"),
    ("4.1", RECURSION.format("hadamard(W[l].T * delta[l + 1], sigma_prime(z[l]))"), "W[l] where W[l+1] belongs"),
    ("4.1", RECURSION.format("hadamard(W[l] * delta[l + 1], sigma_prime(z[l]))"), "W[l] where W[l+1] belongs"),
    ("4.1", RECURSION.format("hadamard(W[l + 1].T * delta[l + 1], sigma_prime(z[l + 1]))"), "σ′ of z[l+1]"),
    ("4.1", RECURSION.format("W[l + 1].T * delta[l + 1]"), "misses σ′"),
    ("4.1", RECURSION.format("(W[l + 1].T * delta[l + 1]) * sigma_prime(z[l])"), "hadamard(A, B)"),
    ("4.1", RECURSION.format("hadamard(W[l + 1].T * delta[l], sigma_prime(z[l]))"), "a None was used"),
    ("4.1", RECURSION.format("hadamard(W[l + 1].T * delta[l + 1], sigma_prime(z[l])).T"), "a row"),
    ("4.1", RECURSION.format("hadamard(W[l + 1].T * delta[l + 1], sigma_prime(z[l])) / 2"), "1/2"),
    ("4.2", GRADIENT.format("a[l - 1] * delta[l].T"), "transposed"),
    ("4.2", GRADIENT.format("delta[l] * a[l].T"), "a[l] where a[l-1] belongs"),
    ("4.2", GRADIENT.format("a[l - 1].T * delta[l]"), "a row times a column"),
    ("4.2", GRADIENT.format("delta[l + 1] * a[l - 1].T"), "shape"),
    ("4.3", step("W[l] = W[l] - eta", "W[l] = W[l] + eta").replace("b[l] - eta", "b[l] + eta"), "the step goes uphill"),
    ("4.3", step("W[l] = W[l] - eta", "W[l] = W[l] + eta"), "the step goes uphill"),
    ("4.3", step("W[l] = W[l] - eta *", "W[l] = W[l] -"), "the learning rate is missing"),
    (
        "4.3",
        step(
            "delta[l] = (W[l + 1].T @ delta[l + 1]) * sigma_prime(z[l])",
            "delta[l] = (W[l + 1].T @ delta[l + 1]) * sigma(z[l])",
        ),
        "σ where σ′ belongs",
    ),
    ("4.3", step("        b[l] = b[l] - eta * delta[l]\n", ""), "the biases did not change"),
    ("4.3", STALE, "W[l+1] was updated before δ^l was computed from it"),
    ("4.3", step("W[l + 1].T @", "W[l + 1] @"), "a transpose is missing"),
    ("4.3", NEW_LISTS, "W did not change"),
]


@pytest.mark.parametrize("exercise_id, source, slip", SLIPS, ids=[f"{e}-{s[:30]}" for e, _, s in SLIPS])
def test_typical_slips_are_named_first_in_at_most_five_lines(exercise_id, source, slip):
    nbtools.assert_slip_named(exercise_id, source, slip, PRELUDE)


def test_hidden_cases_catch_an_answer_fitted_to_the_visible_one():
    """A step that only works for three layers passes the visible case and fails the grader's 2-6-3 network."""
    fitted = STEP.replace("L = len(W) - 1", "L = 3")
    assert verdict("4.3", fitted)[0]
    judged = graded("4.3", fitted)
    assert judged.status == "failed" and "2-6-3" in judged.message


# ---------------------------------------------------------------------------------------- quizzes, cells
RIGHT = {"4.1": [0, 3], "4.2": [0, 2], "4.3": [0, 2, 3, 4], "4.4": [0]}


def test_one_line_checks_quizzes_and_proofs():
    nbtools.assert_quizzes(NOTEBOOK, RIGHT)
    first = nbtools.cells(NOTEBOOK)[1].source  # the import cell (its course import: test_series_structure)
    assert "symbolic import" not in first or " check" not in first.split("symbolic import")[1]


def test_outputs_have_no_walls_and_no_raw_latex():
    """Each proof line appears once, no output says "all 1 entry equal" or spells out TeX, no cell errors."""
    lines = nbtools.proof_lines(NOTEBOOK)
    assert len(lines) >= 25
    assert not any("all 1 entry" in line or ".." in line for line in lines)


def test_figures_have_captions():
    nbtools.assert_figures_captioned(NOTEBOOK, lambda source: source.rstrip().endswith("\nfig"), 2)
