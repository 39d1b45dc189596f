"""Mirror of notebooks/01_forward_pass.ipynb: the forward pass written four ways, the sources' versions, the proof
cells (one line per statement; a failed claim raises), the exercise checks (the instructor's solution passes every
case, hidden ones too; a blank answer is "not answered yet"; each typical slip is named in the first line of at
most five) and the quizzes (the intended answers are right, each wrong option is named)."""

import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import sympy as sp

from backprop_lib import MLP, compare
from backprop_lib.course.exercises import _judge_case, _run_case, get
from backprop_lib.course.quiz import Quiz
from backprop_lib.course.strip import student_copy
from backprop_lib.symbolic import Proof, SymbolicNetwork, reject
from backprop_lib.symbolic import check as symbolic_check
from backprop_lib.verdict import CheckFailed

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402

NB = nbtools.NOTEBOOKS / "01_forward_pass.ipynb"


def sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


def neuron_sums(net, l, bias=True):
    """Equation (1.1) for every neuron of layer l, as explicit sums over the senders k."""
    return sp.Matrix(
        [
            sum(net.W[l][j, k] * net.a[l - 1][k] for k in range(net.sizes[l - 1])) + (net.b[l][j] if bias else 0)
            for j in range(net.sizes[l])
        ]
    )


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
        assert symbolic_check(neuron_sums(net, l), net.z[l], net=net).ok, f"(1.1) vs (1.2) at layer {l} of {sizes}"


def test_lost_bias_in_a_neuron_sum_is_rejected_and_named():
    net = SymbolicNetwork([2, 3, 2])
    r = symbolic_check(neuron_sums(net, 2, bias=False), net.z[2], net=net)
    assert not r.ok
    assert "misses the bias b^2" in r.message


@pytest.mark.parametrize("sizes", [[2, 3, 3, 2], [1, 2, 2, 2, 1]])
def test_nested_expression_equals_layer_by_layer(sizes):
    net = SymbolicNetwork(sizes)
    assert symbolic_check(nested(net), net.a[net.L], net=net).ok


@pytest.mark.parametrize("layer", [1, 2, 3])
def test_nested_expression_without_one_bias_is_rejected_naming_that_layer(layer):
    net = SymbolicNetwork([2, 3, 3, 2])
    r = symbolic_check(nested(net, drop_bias_at=layer), net.a[net.L], net=net)
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
        assert symbolic_check(index_form_layer(net, l), net.z[l], net=net).ok


def test_einstein_form_summed_over_the_wrong_index_is_rejected():
    net = SymbolicNetwork([2, 3, 3, 2])  # layer 2 is square, so W_kj a_k still has the right shape
    r = symbolic_check(index_form_layer(net, 2, swap=True), net.z[2], net=net)
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
    assert symbolic_check((V.T * net.a[l - 1] + net.b[l]).xreplace(tie), net.z[l], net=net).ok
    assert not symbolic_check((V * net.a[l - 1] + net.b[l]).xreplace(tie), net.z[l], net=net).ok
    rng = np.random.default_rng(1)
    W = rng.standard_normal((3, 4))
    a, b = rng.standard_normal((4, 1)), rng.standard_normal((3, 1))
    assert compare("z", W.T.copy().T @ a + b, W @ a + b, quiet=True).ok
    with pytest.raises(ValueError):
        W.T.copy() @ a


def test_source_002_bias_of_the_wrong_layer_is_rejected_and_the_fix_accepted():
    eq = SymbolicNetwork([2, 3, 3, 3])
    assert not symbolic_check(eq.W[2] * eq.a[1] + eq.b[1], eq.z[2], net=eq).ok  # as printed: b^l
    assert symbolic_check(eq.W[2] * eq.a[1] + eq.b[2], eq.z[2], net=eq).ok  # fixed: b^{l+1}
    uneq = SymbolicNetwork([2, 3, 4])  # unequal widths: a shape error
    r = symbolic_check(lambda n: n.W[2] * n.a[1] + n.b[1], lambda n: n.z[2], net=uneq)
    assert not r.ok and "shape mismatch" in r.message


def test_source_002_shared_bias_is_a_different_network():
    eq = SymbolicNetwork([2, 3, 3, 3])
    a = eq.x
    for l in range(1, eq.L + 1):
        a = eq.sigma_of(eq.W[l] * a + eq.b[1])
    assert not symbolic_check(a, eq.a[eq.L], net=eq).ok


def test_sources_000_001_003_forward_pass_match_ours():
    net = SymbolicNetwork([2, 3, 3, 2])
    for l in range(1, net.L + 1):
        b0 = sp.Matrix(
            [
                net.sigma_f(sum(net.W[l][i, j] * net.a[l - 1][j] for j in range(net.sizes[l - 1])) + net.b[l][i])
                for i in range(net.sizes[l])
            ]
        )
        assert symbolic_check(b0, net.a[l], net=net).ok
        assert symbolic_check(net.sigma_of(net.W[l] * net.a[l - 1] + net.b[l]), net.a[l], net=net).ok


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


# ------------------------------------------------------------------------------------------- proof cells
def test_a_failing_proof_stops_the_cell_with_its_diagnosis_first():
    net = SymbolicNetwork([2, 3, 2])
    p = Proof("(1.1)", net=net)
    p.check(neuron_sums(net, 1), net.z[1], layer=1)
    with pytest.raises(CheckFailed) as info:  # a lost bias at layer 2 fails the proof of (1.1)
        p.check(neuron_sums(net, 2, bias=False), net.z[2], layer=2)
    assert info.value.lines[0].startswith("✘ (1.1) fails at layer 2 of 2-3-2: misses the bias b²")
    assert len(info.value.lines) <= 4
    whole = Proof("(1.1)", net=net)
    for l in (1, 2):
        whole.check(neuron_sums(net, l), net.z[l], layer=l)
    assert repr(whole).startswith("✔ (1.1) for layers 1-2 of 2-3-2, 5 entries"), "one line for the whole proof"


def test_the_notebooks_rejections_fail_when_the_formula_is_right():
    # each `reject` cell of the notebook raises if the engine accepts the formula it shows as wrong
    net = SymbolicNetwork([2, 3, 2])
    a1 = net.sigma_of(net.W[1] * net.x + net.b[1])
    with pytest.raises(CheckFailed, match="engine proves it"):
        reject("(1.2) without b¹", net.W[2] * a1 + net.b[2], net.z[2], expect="misses the bias b^1", net=net)
    a1_no_bias = net.sigma_of(net.W[1] * net.x)
    assert not reject(
        "(1.2) without b¹", net.W[2] * a1_no_bias + net.b[2], net.z[2], expect="misses the bias b^1", net=net
    ).ok
    with pytest.raises(CheckFailed, match="not for the expected reason"):
        reject("(1.2) without b¹", net.W[2] * a1_no_bias + net.b[2], net.z[2], expect="σ′", net=net)


def test_the_notebooks_proof_cells_print_one_line_per_statement():
    shown = nbtools.proof_lines(NB)  # each verdict line once in the notebook, no raw LaTeX, no error output
    assert not any("proved: all" in line for line in shown), "proofs go through Proof/prove, one line each"


# ------------------------------------------------------------------------------------------- quizzes
INTENDED = {"1.1": [1], "1.2": [0], "1.3": [2], "1.4": [0, 2, 3]}


def test_each_quiz_is_one_line_followed_by_its_answer_cell():
    nbtools.assert_quizzes(NB, INTENDED)


def test_no_quiz_option_shows_stray_markdown():
    for qid in INTENDED:
        for option in Quiz.load(qid).options:
            assert option.count("`") % 2 == 0 and "**" not in option, option


# ------------------------------------------------------------------------------------------- exercises
EXERCISES = {"1.1": 3, "1.2": 4}


def test_notebook_has_the_two_exercises_as_one_line_checks():
    nbtools.assert_exercises(NB, EXERCISES)


STUB_11 = "def z2(W, b, x, sigma):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
STUB_12 = (
    "def forward_loop(W, b, x, sigma):\n    L = len(W) - 1\n    # YOUR CODE HERE\n"
    "    raise NotImplementedError()\n    return z, a\n"
)


def test_the_workbook_stubs_are_the_ones_tested():
    nb = nbformat.read(str(NB), as_version=4)
    copy, _, _ = student_copy(nb, NB.name)
    stubs = {
        c["metadata"]["nbgrader"]["grade_id"]: c["source"]
        for c in copy["cells"]
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith("ex")
    }
    assert STUB_11.strip() in stubs["ex1_1-answer"] and STUB_12.strip() in stubs["ex1_2-answer"]


Z2 = "def z2(W, b, x, sigma):\n    return {}\n"
SLIPS_11 = [
    ("W[2] * sigma(W[1] * x + b[1])", "misses the bias b²"),
    ("W[2] * sigma(W[1] * x) + b[2]", "misses the bias b¹"),
    ("W[2].T * sigma(W[1] * x + b[1]) + b[2]", "W[2].T where W[2] belongs?"),
    ("W[2] * sigma(W[1].T * x + b[1]) + b[2]", "W[1].T where W[1] belongs?"),
    ("W[1] * sigma(W[1] * x + b[1]) + b[2]", "W[1] where W[2] belongs?"),
    ("W[2] * (W[1] * x + b[1]) + b[2]", "σ is missing at layer 1"),
    ("sigma(W[2] * sigma(W[1] * x + b[1]) + b[2])", "σ is applied to z² as well"),
    ("W[2] * (sigma(W[1] * x) + b[1]) + b[2]", "σ is applied before adding the bias"),
    ("W[2] * sigma(W[1] * x + b[1]) + b[1]", "b[1] where b[2] belongs?"),
    ("W[1] * x + b[1]", "returns z¹"),
    ("(W[2] * sigma(W[1] * x + b[1]) + b[2]).T", "z² is a row"),
    ("None", "z2 returned None"),
]


@pytest.mark.parametrize("body, slip", SLIPS_11, ids=[s for _, s in SLIPS_11])
def test_exercise_1_1_names_the_slip_in_the_first_line(body, slip):
    nbtools.assert_slip_named("1.1", Z2.format(body), slip, prelude="")


@pytest.mark.parametrize(
    "body, slip",
    [
        ("W[2].T * sigma(W[1] * x + b[1]) + b[2]", "W² is transposed"),  # square W² in a hidden case
        ("W[2] * sigma(W[1] * x + b[1]) + b[1]", "uses b¹ where b² belongs"),  # layers 1 and 2 of equal width
    ],
)
def test_exercise_1_1_hidden_cases_name_slips_that_fit_the_shapes(body, slip):
    ns = {}
    exec(Z2.format(body), ns)
    ex = get("1.1")
    visible = _judge_case(ex, ex.cases()[0], _run_case(ex, ex.cases()[0], [ns["z2"]]))
    assert not visible.ok and "not fit" in visible.message  # on 2-3-4 the slip is a shape error
    for case in (c for c in ex.cases() if c.hidden):  # 3-2-2-1 and 2-2-2: the shapes fit
        outcome = _judge_case(ex, case, _run_case(ex, case, [ns["z2"]]))
        assert not outcome.ok and outcome.message.startswith(slip), (case.label, outcome.message)


LOOP = (
    "def forward_loop(W, b, x, sigma):\n    z, a = [None], [x]\n    for l in range(1, len(W)):\n"
    "        z.append({z})\n        a.append({a})\n    return z, a\n"
)
SLIPS_12 = [
    (LOOP.format(z="W[l] @ a[l - 1]", a="sigma(z[l])"), "z[1]: the bias b[l] is missing"),
    (LOOP.format(z="W[l].T @ a[l - 1] + b[l]", a="sigma(z[l])"), "is there a W[l].T?"),
    (LOOP.format(z="W[l - 1] @ a[l - 1] + b[l]", a="sigma(z[l])"), "is an index off by one, W[l-1] for W[l]?"),
    (
        LOOP.replace("range(1, len(W))", "range(len(W))").format(z="W[l] @ a[l - 1] + b[l]", a="sigma(z[l])"),
        "W[0] and b[0] are None",
    ),
    (LOOP.format(z="W[l] @ a[l] + b[l]", a="sigma(z[l])"), "an index past the end of a list"),
    (LOOP.format(z="W[l] * a[l - 1] + b[l]", a="sigma(z[l])"), "`*` is NumPy's entrywise product"),
    (
        LOOP.format(z="W[l] @ a[l - 1] + b[l]", a="sigma(W[l] @ a[l - 1]) + b[l]"),
        "a[1]: σ was applied before adding the bias",
    ),
    (LOOP.format(z="W[l] @ a[l - 1] + b[l]", a="z[l]"), "a[1]: σ is missing"),
    (LOOP.format(z="sigma(W[l] @ a[l - 1] + b[l])", a="z[l]"), "z[1]: z[l] holds σ(z[l])"),
    (LOOP.format(z="W[l] @ sigma(a[l - 1]) + b[l]", a="sigma(z[l])"), "z[1]: σ was applied to a[l-1] again"),
    (
        "def forward_loop(W, b, x, sigma):\n    z, a, h = [], [], x\n    for l in range(1, len(W)):\n"
        "        z.append(W[l] @ h + b[l])\n        h = sigma(z[-1])\n        a.append(h)\n    return z, a\n",
        "must be padded",
    ),
    (
        LOOP.format(z="W[l] @ a[l - 1] + b[l]", a="sigma(z[l])").replace("return z, a", "return a"),
        "must return the two lists z and a",
    ),
    (LOOP.format(z="W[l] @ a[l - 1] + b[l]", a="sigma(z[l])").replace("return z, a", "pass"), "returned None"),
]


@pytest.mark.parametrize("source, slip", SLIPS_12, ids=[s for _, s in SLIPS_12])
def test_exercise_1_2_names_the_slip_in_the_first_line(source, slip):
    nbtools.assert_slip_named("1.2", source, slip, prelude="")


def test_exercise_1_2_hidden_square_case_names_a_transposed_w():
    ns = nbtools.answer_namespace(LOOP.format(z="W[l].T @ a[l - 1] + b[l]", a="sigma(z[l])"), prelude="")
    verdict = nbtools.graded_verdict("1.2", ns)
    assert verdict.status == "failed" and "is there a W[l].T?" in verdict.message  # (3, 4) in the visible case
    square = next(c for c in get("1.2").cases() if c.params["sizes"] == [2, 2, 2])
    outcome = _judge_case(get("1.2"), square, _run_case(get("1.2"), square, [ns["forward_loop"]]))
    assert not outcome.ok and "W[l] is transposed" in outcome.message


def test_exercise_1_2_sees_only_plain_arrays():
    seen = {}

    def forward_loop(W, b, x, sigma):
        seen["types"] = {type(w).__name__ for w in W[1:] + b[1:]} | {type(x).__name__}
        z, a = [None], [x]
        for l in range(1, len(W)):
            z.append(W[l] @ a[l - 1] + b[l])
            a.append(sigma(z[l]))
        return z, a

    ok, lines = nbtools.check_verdict("1.2", {"forward_loop": forward_loop})
    assert ok, lines
    assert seen["types"] == {"ndarray"}


def test_the_judge_recomputes_the_reference_from_the_case_alone():
    # a value that is right for another seed is wrong here: the judge does not take the reference from `run`
    ex = get("1.2")
    case = ex.cases()[0]
    other = MLP(case.params["sizes"], activation="sigmoid", seed=case.params["seed"] + 1)
    X = np.random.default_rng(case.params["seed"]).standard_normal((case.params["sizes"][0], case.params["m"]))
    ref = other.forward(X)
    assert not ex.judge(case, [list(ref.z), list(ref.a)]).ok
    mine = MLP(case.params["sizes"], activation="sigmoid", seed=case.params["seed"]).forward(X)
    assert ex.judge(case, [list(mine.z), list(mine.a)]).ok


@pytest.mark.slow
def test_the_notebook_check_cells_stop_with_the_slip_in_a_kernel():
    verdicts = nbtools.run_with_answers(
        NB,
        {
            "ex1_1": Z2.format("W[2] * sigma(W[1] * x + b[1])"),
            "ex1_2": LOOP.format(z="W[l] @ a[l - 1] + b[l]", a="z[l]"),
        },
    )
    ok11, msg11 = verdicts["ex1_1"]
    ok12, msg12 = verdicts["ex1_2"]
    assert not ok11 and msg11.startswith("CheckFailed: ✘ Exercise 1.1: misses the bias b²"), msg11
    assert not ok12 and msg12.startswith("CheckFailed: ✘ Exercise 1.2: a[1]: σ is missing"), msg12


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
    printed = check_index("z[l+1]_m = W[l+1]_mk * a[l]_k + b[l]_m", net=eq, l=1)  # source 002 as printed
    assert not printed.ok and "b^{l + 1}" in printed.message
    assert check_index("z[l+1]_m = W[l+1]_mk * a[l]_k + b[l+1]_m", net=eq, l=1).ok
    swapped = check_index("z[l]_j = W[l]_kj * a[l-1]_k + b[l]_j", net=eq, l=2)
    assert not swapped.ok and "transposed" in swapped.message
