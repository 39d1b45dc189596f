"""Test helpers for the notebooks and their exercises, shared by tests/test_NN_*.py.

Exercise cells follow nbgrader's metadata: the answer cell has grade_id "exN_k-answer", its check cell "exN_k"; a
quiz's answer cell has grade_id "quizN_k-answer". The helpers read a notebook's cells, assert the form every notebook
gives its exercises, quizzes, proof lines and figures (each test file keeps its own notebook's data: exercise points,
right answers, figure counts), run an answer through check() and through the grader's path, execute a notebook
with some answers replaced, and train on the shipped MNIST digits as notebook 06 does.
"""

import copy
import functools
import json
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PRELUDE = "import numpy as np\n"
TEX = r"[\^_]\{|\$|\\[a-z]+"  # raw TeX in a line meant as plain text: a braced script, a dollar, a command


@functools.cache
def _read(path, stamp):
    return nbformat.read(path, as_version=4)


def cells(path):
    """The cells of the notebook at `path`: a fresh copy each call (a test may change them) of the file read once
    per version of it (its modification time and size)."""
    stat = Path(path).stat()
    return copy.deepcopy(_read(str(path), (stat.st_mtime_ns, stat.st_size)).cells)


def nbgrader(cell):
    """A cell's nbgrader metadata ({} for a cell without)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell):
    return nbgrader(cell).get("grade_id")


# ------------------------------------------------------------------------------------------ the notebook's form
def exercise_cells(path):
    """[(exercise id, points in its metadata)] of the notebook's graded cells, in order.

    Each is asserted to be the locked one-line check("N.k") cell "exN_k", right after its answer cell "exN_k-answer",
    which follows the Markdown hint 'Stuck? `solution("N.k")` shows a worked solution.' (line breaks in the hint count
    as spaces, as Markdown does).
    """
    all_cells = cells(path)
    found = []
    for i, cell in enumerate(all_cells):
        meta = nbgrader(cell)
        if meta.get("grade"):
            eid = meta["grade_id"][2:].replace("_", ".")
            assert meta["grade_id"] == f"ex{eid.replace('.', '_')}", meta["grade_id"]
            assert cell.source == f'check("{eid}")', f"a check cell is one line: {cell.source!r}"
            assert meta["locked"], (eid, meta)
            assert grade_id(all_cells[i - 1]) == f"{meta['grade_id']}-answer", f"{eid}: the answer cell comes first"
            hint = all_cells[i - 2]
            assert hint.cell_type == "markdown", f"{eid}: the hint before the answer cell"
            assert f'Stuck? `solution("{eid}")` shows a worked solution.' in " ".join(hint.source.split()), eid
            found.append((eid, meta["points"]))
    return found


def assert_exercises(path, points):
    """The notebook grades exactly the exercises of `points` ({"N.k": points}), in that order, in the form above, each
    check cell worth the points the exercise registry gives the exercise."""
    from backprop_lib.course.exercises import get

    found = exercise_cells(path)
    assert found == list(points.items())
    for eid, worth in found:
        assert get(eid).points == worth, eid


def quiz_cells(path):
    """[(quiz id, the source of its answer cell)] of the notebook's quizzes, in order.

    Each code cell with a line that starts `quiz(` is asserted to be the one line quiz("N.k"), followed by the Markdown
    note on what is graded and by its answer cell "quizN_k-answer", whose answer the quiz's key scores as right; no
    cell builds a Quiz( itself (quizzes are data, backprop_lib/course/quizzes/chNN.json).
    """
    from backprop_lib.course.quiz import score_answer_source

    all_cells = cells(path)
    found = []
    for i, cell in enumerate(all_cells):
        assert "Quiz(" not in cell.source, f"cell {i} builds a Quiz"
        if cell.cell_type == "code" and re.search(r"^quiz\(", cell.source, re.M):
            shown = re.fullmatch(r'quiz\("(\d+\.\d+)"\)', cell.source)
            assert shown, f"a quiz cell is one line: {cell.source!r}"
            qid = shown.group(1)
            note, answer = all_cells[i + 1], all_cells[i + 2]
            assert note.cell_type == "markdown" and "this is what is graded" in note.source, qid
            meta = nbgrader(answer)
            assert meta.get("solution") and meta.get("grade_id") == f"quiz{qid.replace('.', '_')}-answer", qid
            assert score_answer_source(qid, answer.source).ok, (qid, answer.source)
            found.append((qid, answer.source))
    return found


def assert_quizzes(path, right):
    """The notebook asks exactly the quizzes of `right` ({"N.k": the right options}), in that order, in the form above,
    each answer cell answering its right options."""
    found = quiz_cells(path)
    assert [qid for qid, _ in found] == list(right)
    for qid, source in found:
        assert f'answer("{qid}", {right[qid]})' in source, (qid, source)


def proof_lines(path):
    """The ✔/✘ lines of the notebook's stored outputs (stream text, or the plain text of display data), in order.

    Asserts that no cell's output is an error, that no line is repeated (one line per statement, no walls) and that
    no line spells out raw TeX.
    """
    lines = []
    for cell in cells(path):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", cell.source[:60]
            text = out.get("text", "") or out.get("data", {}).get("text/plain", "")
            lines += [line for line in "".join(text).splitlines() if line.startswith(("✔", "✘"))]
    assert len(lines) == len(set(lines)), lines
    assert not any(re.search(TEX, line) for line in lines), lines
    return lines


def assert_figures_captioned(path, is_figure, count):
    """Exactly `count` code cells draw a figure (is_figure(source) is true), and the k-th is followed by the Markdown
    caption '*Figure N.k:* ' of notebook N."""
    assert count >= 1
    n = int(Path(path).stem[:2])
    all_cells = cells(path)
    figures = [i for i, c in enumerate(all_cells) if c.cell_type == "code" and is_figure(c.source)]
    assert len(figures) == count
    for k, i in enumerate(figures, start=1):
        caption = all_cells[i + 1]
        assert caption.cell_type == "markdown" and caption.source.startswith(f"*Figure {n}.{k}:* "), caption.source


# ------------------------------------------------------------------------------------------ exercise checks
def answer_namespace(source, prelude=PRELUDE):
    """The names an answer cell defines: `prelude` (the notebook's imports) and `source` run in a fresh namespace."""
    namespace = {}
    exec(prelude + source, namespace)
    return namespace


def check_verdict(exercise_id, namespace):
    """check(exercise_id) as the check cell runs it, on the answer names in `namespace`: (ok, the lines shown)."""
    from backprop_lib.course.exercises import check
    from backprop_lib.verdict import CheckFailed

    namespace = dict(namespace, check=check)
    try:
        exec(f"result = check({exercise_id!r})", namespace)
    except CheckFailed as failure:
        return False, failure.lines
    return True, [repr(namespace["result"])]


def graded_verdict(exercise_id, namespace):
    """The grader's path: every case (hidden ones too) run on the answer names in `namespace`, judged from the JSON."""
    from backprop_lib.course import encode
    from backprop_lib.course.exercises import _answers, _run_case, get, judge_record

    ex = get(exercise_id)
    record = {"exercise": ex.id, "values": [_run_case(ex, case, _answers(ex, namespace)) for case in ex.cases()]}
    return judge_record(ex.id, encode.loads(encode.dumps(record)))


def exercise_verdict(exercise_id, source, prelude=PRELUDE):
    """check(exercise_id) after running `source` as the answer cell: (ok, the lines the student sees)."""
    return check_verdict(exercise_id, answer_namespace(source, prelude))


def exercise_graded(exercise_id, source, prelude=PRELUDE):
    """The grader's verdict on `source` as the answer cell (see graded_verdict)."""
    return graded_verdict(exercise_id, answer_namespace(source, prelude))


def assert_slip_named(exercise_id, source, slip, prelude=PRELUDE):
    """A typical slip as the answer cell: check() fails with `slip` in its first line, in at most 5 lines that end with
    the pointer to the worked solution and spell out no TeX; the grader's path fails it too. Returns the lines."""
    ok, lines = exercise_verdict(exercise_id, source, prelude)
    assert not ok
    assert lines[0].startswith(f"✘ Exercise {exercise_id}: ") and slip in lines[0], lines
    assert len(lines) <= 5 and lines[-1] == f'  Stuck? solution("{exercise_id}") shows a worked solution.', lines
    assert not re.search(TEX, "\n".join(lines)), lines  # no TeX in the feedback
    assert exercise_graded(exercise_id, source, prelude).status == "failed"
    return lines


def judged_case(exercise_id, pick, answer):
    """The judge's outcome on one case, the first that pick(case) chooses: `answer` run on it (a ValueError it raises
    recorded as raised) and its value sent through the JSON record, as between the student's kernel and the grader."""
    from backprop_lib.course import encode
    from backprop_lib.course.exercises import get

    ex = get(exercise_id)
    case = next(c for c in ex.cases() if pick(c))
    try:
        value = ex.run(case, answer)
    except ValueError as exc:
        value = encode.Raised("ValueError", str(exc))
    return ex.judge(case, encode.decode(json.loads(encode.dumps(encode.encode(value)))))


# ------------------------------------------------------------------------------------------ a whole notebook
def run_with_answers(path, answers, timeout=120):
    """Execute notebook `path` with answer cells replaced: answers = {"ex2_1": "new source", ...}.

    Every cell runs (errors do not stop execution). Returns {check id: (ok, message)} for every check cell:
    ok is False when the check raised, and message is the exception's text.
    """
    nb = nbformat.read(str(path), as_version=4)
    ids = {grade_id(c) for c in nb.cells}
    missing = [k for k in answers if f"{k}-answer" not in ids]
    if missing:
        raise KeyError(f"{Path(path).name} has no answer cell for {missing}")
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid and gid.endswith("-answer") and gid[: -len("-answer")] in answers:
            cell.source = answers[gid[: -len("-answer")]]
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(Path(path).parent)}},
    )
    client.execute()
    verdicts = {}
    for cell in nb.cells:
        meta = nbgrader(cell)
        if cell.cell_type == "code" and meta.get("grade"):
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
            verdicts[meta["grade_id"]] = (
                not errors,
                f"{errors[0]['ename']}: {errors[0]['evalue']}" if errors else text,
            )
    return verdicts


# ------------------------------------------------------------------------------------------ MNIST
def sgd_on_mnist(net, mnist, epochs, eta):
    """Train `net` on the shipped MNIST digits as notebook 06 does: mini-batches of 10, seed 0, no progress bar,
    scored after each epoch on the held-out digits. Returns sgd's History."""
    from backprop_lib import sgd

    return sgd(
        net,
        mnist.X_train,
        mnist.Y_train,
        epochs=epochs,
        batch_size=10,
        eta=eta,
        seed=0,
        X_test=mnist.X_test,
        y_test=mnist.y_test,
        progress=False,
    )
