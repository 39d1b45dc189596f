"""Mirror of notebooks/01_forward_pass.ipynb: the forward pass written four ways, the sources' versions, the
exercise checks (they must reject typical wrong answers) and the quizzes (their keys must accept the intended
answers)."""
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from backprop_lib import MLP, compare
from backprop_lib.symbolic import SymbolicNetwork, check

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbtools import NOTEBOOKS, assert_quiz_answers, exercise_ids, run_with_answers  # noqa: E402

NB = NOTEBOOKS / "01_forward_pass.ipynb"


def sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


def neuron_sums(net, l, bias=True):
    """Equation (1.1) for every neuron of layer l, as explicit sums over the senders k."""
    return sp.Matrix([sum(net.W[l][j, k] * net.a[l - 1][k] for k in range(net.sizes[l - 1]))
                      + (net.b[l][j] if bias else 0) for j in range(net.sizes[l])])


def nested(net, drop_bias_at=None):
    """Equation (1.4) built as one nested expression from x, optionally without the bias of one layer."""
    a = net.x
    for l in range(1, net.L + 1):
        a = net.sigma_of(net.W[l] * a + (net.b[l] if l != drop_bias_at else sp.zeros(net.sizes[l], 1)))
    return a


# ------------------------------------------------------------------------------------------- what it derives
@pytest.mark.parametrize("sizes", [[2, 3, 2], [3, 2, 4, 2], [2, 3, 3, 2]])
def test_neuron_by_neuron_sums_equal_the_layer_matrix_product(sizes):
    net = SymbolicNetwork(sizes)
    for l in range(1, net.L + 1):
        assert check(neuron_sums(net, l), net.z[l], net=net).ok, f"(1.1) vs (1.2) at layer {l} of {sizes}"


def test_lost_bias_in_a_neuron_sum_is_rejected_and_named():
    net = SymbolicNetwork([2, 3, 2])
    r = check(neuron_sums(net, 2, bias=False), net.z[2], net=net)
    assert not r.ok
    assert "misses the bias b^2" in r.message


@pytest.mark.parametrize("sizes", [[2, 3, 3, 2], [1, 2, 2, 2, 1]])
def test_nested_expression_equals_layer_by_layer(sizes):
    net = SymbolicNetwork(sizes)
    assert check(nested(net), net.a[net.L], net=net).ok


@pytest.mark.parametrize("layer", [1, 2, 3])
def test_nested_expression_without_one_bias_is_rejected_naming_that_layer(layer):
    net = SymbolicNetwork([2, 3, 3, 2])
    r = check(nested(net, drop_bias_at=layer), net.a[net.L], net=net)
    assert not r.ok
    assert f"misses the bias b^{layer}" in r.message


def index_form_layer(net, l, swap=False):
    """(1.5) with a symbolic width n, instantiated for layer l; swap=True sums over the wrong index of W."""
    n = sp.Symbol("n", integer=True, positive=True)
    j, k = sp.symbols("j k", integer=True)
    Wi, ai, bi = sp.IndexedBase("W"), sp.IndexedBase("a"), sp.IndexedBase("b")
    expr = sp.Sum((Wi[k, j] if swap else Wi[j, k]) * ai[k], (k, 0, n - 1)) + bi[j]
    rows = []
    for jj in range(net.sizes[l]):
        entry = expr.subs({n: net.sizes[l - 1], j: jj}).doit()
        names = {Wi[p, q]: net.W[l][p, q] for p in range(net.sizes[l]) for q in range(net.sizes[l - 1])}
        names.update({ai[q]: net.a[l - 1][q] for q in range(net.sizes[l - 1])})
        names[bi[jj]] = net.b[l][jj]
        rows.append(entry.xreplace(names))
    return sp.Matrix(rows)


@pytest.mark.parametrize("sizes", [[2, 3, 3, 2], [4, 1, 3]])
def test_einstein_form_with_symbolic_width_matches_every_layer(sizes):
    net = SymbolicNetwork(sizes)
    for l in range(1, net.L + 1):
        assert check(index_form_layer(net, l), net.z[l], net=net).ok


def test_einstein_form_summed_over_the_wrong_index_is_rejected():
    net = SymbolicNetwork([2, 3, 3, 2])          # layer 2 is square, so W_kj a_k still has the right shape
    r = check(index_form_layer(net, 2, swap=True), net.z[2], net=net)
    assert not r.ok
    assert any(d.startswith("3 of 3 entries differ") for d in r.diagnosis)


def test_einsum_twin_and_a_wrong_einsum():
    rng = np.random.default_rng(0)
    W, a, b = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal(4)
    assert compare("einsum", np.einsum("jk,k->j", W, a) + b, W @ a + b, quiet=True).ok
    W_sq = rng.standard_normal((3, 3))
    assert not compare("einsum", np.einsum("kj,k->j", W_sq, a), W_sq @ a, quiet=True).ok


def test_transposed_storage_gives_the_same_z_only_with_the_transpose():
    net = SymbolicNetwork([2, 3, 3, 2])
    l = 2
    V = sp.Matrix(3, 3, lambda k, j: sp.Symbol(f"V_{k}{j}", real=True))
    tie = {V[k, j]: net.W[l][j, k] for k in range(3) for j in range(3)}
    assert check((V.T * net.a[l - 1] + net.b[l]).xreplace(tie), net.z[l], net=net).ok
    assert not check((V * net.a[l - 1] + net.b[l]).xreplace(tie), net.z[l], net=net).ok
    rng = np.random.default_rng(1)
    W = rng.standard_normal((3, 4))
    a, b = rng.standard_normal((4, 1)), rng.standard_normal((3, 1))
    assert compare("z", W.T.copy().T @ a + b, W @ a + b, quiet=True).ok
    with pytest.raises(ValueError):
        W.T.copy() @ a


def test_source_002_bias_of_the_wrong_layer_is_rejected_and_the_fix_accepted():
    eq = SymbolicNetwork([2, 3, 3, 3])
    assert not check(eq.W[2] * eq.a[1] + eq.b[1], eq.z[2], net=eq).ok            # as printed: b^l
    assert check(eq.W[2] * eq.a[1] + eq.b[2], eq.z[2], net=eq).ok                # fixed: b^{l+1}
    uneq = SymbolicNetwork([2, 3, 4])                                            # unequal widths: a shape error
    r = check(lambda n: n.W[2] * n.a[1] + n.b[1], lambda n: n.z[2], net=uneq)
    assert not r.ok and "shape mismatch" in r.message


def test_source_002_shared_bias_is_a_different_network():
    eq = SymbolicNetwork([2, 3, 3, 3])
    a = eq.x
    for l in range(1, eq.L + 1):
        a = eq.sigma_of(eq.W[l] * a + eq.b[1])
    assert not check(a, eq.a[eq.L], net=eq).ok


def test_sources_000_001_003_forward_pass_match_ours():
    net = SymbolicNetwork([2, 3, 3, 2])
    for l in range(1, net.L + 1):
        b0 = sp.Matrix([net.sigma_f(sum(net.W[l][i, j] * net.a[l - 1][j] for j in range(net.sizes[l - 1]))
                                    + net.b[l][i]) for i in range(net.sizes[l])])
        assert check(b0, net.a[l], net=net).ok
        assert check(net.sigma_of(net.W[l] * net.a[l - 1] + net.b[l]), net.a[l], net=net).ok


def forward_loop(W, b, x, sigma):
    z, a = [None], [x]
    for l in range(1, len(W)):
        z.append(W[l] @ a[l - 1] + b[l])
        a.append(sigma(z[l]))
    return z, a


@pytest.mark.parametrize("sizes", [[4, 5, 5, 3], [3, 1], [2, 7, 2, 7, 2]])
def test_inline_loop_equals_mlp_forward_for_one_sample_and_a_batch(sizes):
    net = MLP(sizes, activation="sigmoid", seed=3)
    X = np.random.default_rng(3).standard_normal((sizes[0], 5))
    z, a = forward_loop(net.W, net.b, X, sigmoid)
    ref = net.forward(X)
    for l in range(1, net.L + 1):
        assert compare(f"z[{l}]", z[l], ref.z[l], quiet=True).ok
        assert compare(f"a[{l}]", a[l], ref.a[l], quiet=True).ok
    column = forward_loop(net.W, net.b, X[:, [2]], sigmoid)[1][net.L]
    assert compare("column", column, ref.a[net.L][:, [2]], quiet=True).ok


def test_loop_without_bias_differs_from_mlp_forward():
    net = MLP([4, 5, 3], activation="sigmoid", seed=0)
    X = np.random.default_rng(0).standard_normal((4, 3))
    z_nb = net.W[1] @ X
    assert not compare("z[1]", z_nb, net.forward(X).z[1], quiet=True).ok


# ------------------------------------------------------------------------------------------- quizzes
INTENDED = {"1.1": [1], "1.2": [0], "1.3": [2], "1.4": [0, 2, 3]}


def test_quizzes_accept_the_intended_answer_and_reject_another():
    assert_quiz_answers(NB, INTENDED)


# ------------------------------------------------------------------------------------------- exercise checks
def test_notebook_has_the_two_exercises():
    assert exercise_ids(NB) == ["ex1_1", "ex1_2"]


Z2 = "def z2(W, b, x, sigma):\n    return {}\n"
LOOP = ("def forward_loop(W, b, x, sigma):\n    z, a = [None], [x]\n    for l in range(1, len(W)):\n"
        "        z.append({z})\n        a.append({a})\n    return z, a\n")

# (wrong answer of 1.1, expected text), (wrong answer of 1.2, expected text): one notebook run per row
CASES = [
    pytest.param(Z2.format("W[2] * sigma(W[1] * x + b[1])"), "misses the bias b^2",
                 LOOP.format(z="W[l] @ a[l - 1]", a="sigma(z[l])"), "the bias b[l] is missing", id="lost-bias"),
    pytest.param(Z2.format("W[2].T * sigma(W[1] * x + b[1]) + b[2]"), "shape mismatch",
                 LOOP.format(z="W[l].T @ a[l - 1] + b[l]", a="sigma(z[l])"), "W[l].T", id="transposed-W"),
    pytest.param(Z2.format("W[2] * (W[1] * x + b[1]) + b[2]"), "no single typical slip",
                 LOOP.format(z="W[l] @ a[l - 1] + b[l]", a="sigma(W[l] @ a[l - 1]) + b[l]"),
                 "sigma was applied before adding the bias", id="sigma-misplaced"),
    pytest.param(Z2.format("W[2] * sigma(W[1] * x + b[1]) + b[1]"), "shape mismatch",
                 LOOP.format(z="W[l] @ a[l - 1] + b[l]", a="z[l]"), "sigma is missing", id="wrong-bias/no-sigma"),
]


@pytest.mark.slow
@pytest.mark.parametrize("answer11, expect11, answer12, expect12", CASES)
def test_exercise_checks_reject_typical_wrong_answers(answer11, expect11, answer12, expect12):
    verdicts = run_with_answers(NB, {"ex1_1": answer11, "ex1_2": answer12})
    ok11, msg11 = verdicts["ex1_1"]
    ok12, msg12 = verdicts["ex1_2"]
    assert not ok11 and "AssertionError" in msg11 and expect11 in msg11, msg11
    assert not ok12 and "AssertionError" in msg12 and expect12 in msg12, msg12


# ------------------------------------------------------------------------------------------- index form (check_index)
def test_index_form_of_1_5_is_proved_and_its_einsum_twin_agrees():
    from backprop_lib.symbolic import check_index, to_einsum
    net = SymbolicNetwork([2, 3, 4, 2])
    eq15 = "z[l]_j = W[l]_jk * a[l-1]_k + b[l]_j"
    for l in (1, 2, 3):
        assert check_index(eq15, net=net, l=l).ok
    rng = np.random.default_rng(5)
    W = [None, rng.standard_normal((3, 2)), rng.standard_normal((4, 3))]
    b = [None, rng.standard_normal((3, 1)), rng.standard_normal((4, 1))]
    a = [rng.standard_normal((2, 1)), rng.standard_normal((3, 1))]
    got = to_einsum(eq15).evaluate({"W": W, "b": b, "a": a, "l": 2})
    assert compare("twin", got, W[2] @ a[1] + b[2], quiet=True).ok


def test_index_form_slips_are_named():
    from backprop_lib.symbolic import check_index
    eq = SymbolicNetwork([2, 3, 3, 3])
    printed = check_index("z[l+1]_m = W[l+1]_mk * a[l]_k + b[l]_m", net=eq, l=1)     # source 002 as printed
    assert not printed.ok and "b^{l + 1}" in printed.message
    assert check_index("z[l+1]_m = W[l+1]_mk * a[l]_k + b[l+1]_m", net=eq, l=1).ok
    swapped = check_index("z[l]_j = W[l]_kj * a[l-1]_k + b[l]_j", net=eq, l=2)
    assert not swapped.ok and "transposed" in swapped.message
