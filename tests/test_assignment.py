"""Release and grading (backprop_lib.assignment) on the fixture notebooks of tests/fixtures/assignment/.

The helpers at the top take any instructor notebook, so the same checks can run on the real notebooks:
``released(source, tmp)`` builds the student copy, ``answered(copy, {answer_id: code}, out)`` fills its answer
cells, and ``breakdown(path, source, timeout)`` grades one notebook and returns its score breakdown.
"""
import csv
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from backprop_lib.assignment import (MarkerError, grade_main, grade_notebook, grade_path, release_folder,
                                     release_main, release_notebook, strip_solution)
from backprop_lib.assignment.markers import (BEGIN_HIDDEN, BEGIN_SOLUTION, grade_id, is_grade_cell,
                                             is_solution_cell, plan_notebook)

FIXTURES = Path(__file__).parent / "fixtures" / "assignment" / "notebooks"
SOURCE = FIXTURES / "01_tiny_backprop.ipynb"
TIMEOUT = 60


# --------------------------------------------------------------------------------------- reusable helpers
def released(source: Path, tmp: Path) -> Path:
    """The student copy of ``source``, written under ``tmp``."""
    nb = nbformat.read(str(source), as_version=4)
    out, _ = release_notebook(nb, source.name)
    path = tmp / "release" / source.name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(out, str(path))
    return path


def answered(copy: Path, answers: dict, out: Path, extra_cells: dict | None = None) -> Path:
    """``copy`` with the answer cells named in ``answers`` (grade_id -> code) filled in, and optional extra
    code cells inserted after the cell with a given grade_id (``extra_cells``: grade_id -> code)."""
    nb = nbformat.read(str(copy), as_version=4)
    cells = []
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in answers and is_solution_cell(cell):
            cell.source = answers[gid]
        cells.append(cell)
        if extra_cells and gid in extra_cells:
            cells.append(nbformat.v4.new_code_cell(extra_cells[gid]))
    nb.cells = cells
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(out))
    return out


def solutions(source: Path) -> dict:
    """The instructor's answers (the code between the markers) by answer grade_id."""
    nb = nbformat.read(str(source), as_version=4)
    return {grade_id(c): c.source for c in nb.cells if is_solution_cell(c)}


def breakdown(path: Path, source: Path = SOURCE, timeout: float = TIMEOUT):
    """Grade one notebook against ``source``; returns the NotebookGrade (points per exercise and quiz)."""
    return grade_notebook(path, source, timeout=timeout)


def by_id(grade) -> dict:
    return {e.grade_id: e for e in grade.exercises}


def quiz_by_id(grade) -> dict:
    return {q.quiz_id: q for q in grade.quizzes}


def full_marks(source: Path) -> float:
    nb = nbformat.read(str(source), as_version=4)
    plan = plan_notebook(nb, source.name)
    return plan.max_exercise_points + 10 * len(plan.quizzes)   # the fixture's quizzes are worth 10 each


# --------------------------------------------------------------------------------------- release
def test_release_strips_solutions_hidden_tests_and_outputs(tmp_path):
    src = nbformat.read(str(SOURCE), as_version=4)
    assert any(c.get("outputs") for c in src.cells if c.cell_type == "code")   # the fixture is executed
    copy = nbformat.read(str(released(SOURCE, tmp_path)), as_version=4)
    assert len(copy.cells) == len(src.cells)
    text = "\n".join(c.source for c in copy.cells)
    for answer in ("Delta2 @ A[1].T / m", "sigma_prime(Z_l)", "keepdims=True) / m", "q1_1.answer([0])",
                   "q1_2.answer([0, 2])", "4-layer net (hidden test)", BEGIN_SOLUTION, BEGIN_HIDDEN):
        assert answer not in text, answer
    assert "widgets" not in copy.metadata
    for s, c in zip(src.cells, copy.cells):
        assert c.metadata.get("nbgrader") == s.metadata.get("nbgrader")
        if c.cell_type != "code":
            assert c.source == s.source
            continue
        assert c.outputs == [] and c.execution_count is None
        if is_solution_cell(s):
            assert "# YOUR CODE HERE\n" in c.source and "raise NotImplementedError()" in c.source
        elif not is_grade_cell(s):
            assert c.source == s.source                     # quiz cells and the rest travel unchanged
    # the stub keeps the indentation of the marker (the body of hidden_delta)
    body = next(c.source for c in copy.cells if grade_id(c) == "ex1_2-answer")
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()" in body
    # the visible part of a check cell is kept
    check = next(c.source for c in copy.cells if grade_id(c) == "ex1_2")
    assert 'compare("delta[1]", Delta1, net_grads.delta[1]).require()' in check


def test_release_cli_writes_every_notebook_and_refuses_bad_targets(tmp_path, capsys):
    src_dir = tmp_path / "notebooks"
    shutil.copytree(FIXTURES, src_dir)
    (src_dir / "figure.txt").write_text("an asset")
    out = tmp_path / "out"
    assert release_main([str(out), "--source", str(src_dir)]) == 0
    assert (out / SOURCE.name).is_file() and (out / "figure.txt").read_text() == "an asset"
    assert "3 exercises (7 points), 2 quizzes" in capsys.readouterr().out
    assert release_main([str(src_dir / "sub"), "--source", str(src_dir)]) == 1
    assert "inside the source folder" in capsys.readouterr().err
    # a folder that git would track is refused; a git-ignored one is fine
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES, repo / "notebooks")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("release/\n")
    with pytest.raises(ValueError, match="not ignored by git"):
        release_folder(repo / "notebooks", repo / "students")
    release_folder(repo / "notebooks", repo / "release")
    assert (repo / "release" / SOURCE.name).is_file()


def test_release_rejects_revealed_quiz_answers_and_broken_markers():
    nb = nbformat.read(str(SOURCE), as_version=4)
    leaky = nbformat.v4.new_code_cell("q1_1.answer([0])")
    nb.cells.append(leaky)
    with pytest.raises(MarkerError, match="reveal the quiz answer"):
        release_notebook(nb, "leaky")
    with pytest.raises(MarkerError, match="never closed"):
        strip_solution("x = 1\n### BEGIN SOLUTION\ny = 2\n", where="cell 3")
    with pytest.raises(MarkerError, match="without a matching"):
        strip_solution("### END SOLUTION\n", where="cell 3")
    nb = nbformat.read(str(SOURCE), as_version=4)
    next(c for c in nb.cells if grade_id(c) == "ex1_1").metadata.nbgrader.grade_id = "ex1.1"
    with pytest.raises(MarkerError, match="not valid for nbgrader.*'ex1_1'"):
        release_notebook(nb, "dotted ids")
    nb = nbformat.read(str(SOURCE), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("### BEGIN SOLUTION\nz = 1\n### END SOLUTION"))
    with pytest.raises(MarkerError, match="metadata lacks"):
        release_notebook(nb, "unmarked")


# --------------------------------------------------------------------------------------- grading
def test_solution_notebook_scores_full_marks():
    g = breakdown(SOURCE)
    assert g.status == "graded" and not g.problems, g.problems
    assert [e.status for e in g.exercises] == ["passed"] * 3
    assert g.max_score == full_marks(SOURCE) == 27
    assert g.score == g.max_score
    assert {q: s.points for q, s in quiz_by_id(g).items()} == {"1.1": 10, "1.2": 10}


def test_released_copy_scores_zero_and_fails_only_at_the_exercises(tmp_path):
    g = breakdown(released(SOURCE, tmp_path))
    assert g.score == 0 and g.max_score == 27
    assert all(e.status == "failed" and "not answered" in e.message for e in g.exercises)
    assert all(not q.solved and not q.tries for q in g.quizzes)
    nb = nbformat.read(str(SOURCE), as_version=4)
    answer_cells = {i for i, c in enumerate(nb.cells) if is_solution_cell(c)}
    raised = {int(line.split(":")[0].split()[1]) for line in g.cell_errors}
    assert raised <= answer_cells                   # only answer cells raise (a def-only answer does not)
    assert min(raised) == min(answer_cells)         # every cell before the first exercise ran cleanly
    assert len(raised) >= len(answer_cells) - 1
    assert all("NotImplementedError" in line for line in g.cell_errors)


MISTAKES = [
    # (answer cell, wrong code, exercise, words the diagnosis must contain)
    ("ex1_1-answer", "dW2 = A[1] @ Delta2.T / m", "ex1_1", "transposed"),
    ("ex1_2-answer", "def hidden_delta(W_next, Delta_next, Z_l):\n    return (W_next.T @ Delta_next) * sigma(Z_l)",
     "ex1_2", "σ where σ′ belongs"),
    ("ex1_3-answer", "db1 = net_grads.delta[1].sum(axis=1, keepdims=True)", "ex1_3", "the 1/m is missing"),
]


def test_typical_mistakes_score_partial_marks_with_their_diagnosis(tmp_path):
    """One class of three students, each with one typical mistake; a fourth answers a quiz wrong first."""
    copy = released(SOURCE, tmp_path)
    right = solutions(SOURCE)
    subs = tmp_path / "submissions"
    for n, (answer_id, wrong, _, _) in enumerate(MISTAKES):
        answered(copy, {**right, answer_id: wrong}, subs / f"student{n}" / SOURCE.name)
    answered(copy, {**right, "quiz1_1-answer": "q1_1.answer([1])\nq1_1.answer([1, 2])\nq1_1.answer([0])",
                    "quiz1_2-answer": "q1_2.answer([0])"}, subs / "quizzer" / SOURCE.name)
    out = tmp_path / "reports"
    grades = {g.student: g for g in grade_path(subs, out, source_dir=FIXTURES, timeout=TIMEOUT)}
    assert sorted(grades) == ["quizzer", "student0", "student1", "student2"]
    points = {"ex1_1": 2, "ex1_2": 3, "ex1_3": 2}
    for n, (_, _, exercise, words) in enumerate(MISTAKES):
        g = grades[f"student{n}"]
        assert g.score == 27 - points[exercise], (exercise, g.to_dict())
        failed = [e for e in g.exercises if e.status != "passed"]
        assert [e.grade_id for e in failed] == [exercise]
        assert words in failed[0].message
        report = (out / f"student{n}.md").read_text()
        assert words in report and f"**{exercise}** (0 / {points[exercise]:g})" in report
    q = quiz_by_id(grades["quizzer"])
    assert (q["1.1"].points, q["1.1"].wrong_before_right) == (0, 2)     # 10 - 2 * 5 = 0
    assert (q["1.2"].points, q["1.2"].solved) == (0, False)
    assert grades["quizzer"].score == 7
    rows = list(csv.DictReader(open(out / "grades.csv")))
    assert {r["student"]: float(r["score"]) for r in rows} == {"student0": 25, "student1": 24, "student2": 25,
                                                            "quizzer": 7}
    assert {r["student"]: r["ex1_2"] for r in rows}["student1"] == "0"


def test_quiz_penalty_per_wrong_try(tmp_path):
    copy = released(SOURCE, tmp_path)
    path = answered(copy, {**solutions(SOURCE), "quiz1_1-answer": "q1_1.answer([2])\nq1_1.answer([0])",
                           "quiz1_2-answer": "q1_2.answer([0, 2])\nq1_2.answer([1])"}, tmp_path / "s.ipynb")
    q = quiz_by_id(breakdown(path))
    assert (q["1.1"].points, q["1.1"].status) == (5, "right after 1 wrong tries")   # 10 - 5
    assert q["1.2"].points == 10                    # a wrong try after the right one changes nothing


def test_hidden_tests_run_although_the_student_copy_lacks_them(tmp_path):
    copy = released(SOURCE, tmp_path)
    hardcoded = "def hidden_delta(W_next, Delta_next, Z_l):\n    return net_grads.delta[1]"
    path = answered(copy, {**solutions(SOURCE), "ex1_2-answer": hardcoded}, tmp_path / "s.ipynb")
    # the visible check alone passes: executed as the student sees it, no cell raises
    nb = nbformat.read(str(path), as_version=4)
    from nbclient import NotebookClient
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(FIXTURES)}}).execute()
    e = by_id(breakdown(path))["ex1_2"]
    assert e.status == "failed" and "hidden test" in e.message


def test_redefining_or_patching_the_check_function_earns_nothing(tmp_path):
    copy = released(SOURCE, tmp_path)
    cheat = ("class _Yes:\n    ok = True\n    message = 'fine'\n    def require(self):\n        return self\n"
             "def compare(*args, **kwargs):\n    return _Yes()\n"
             "import backprop_lib.feedback\nbackprop_lib.feedback.compare = compare\n"
             "dW2 = np.zeros((2, 4))")
    path = answered(copy, {**solutions(SOURCE), "ex1_1-answer": cheat,
                           "ex1_3-answer": "db1 = 0 * net_grads.db[1]"}, tmp_path / "cheat.ipynb")
    # without the grader's isolation the cheat works: the student's own check cells raise nothing for ex1_1
    nb = nbformat.read(str(path), as_version=4)
    from nbclient import NotebookClient
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(FIXTURES)}}).execute()
    errors = {grade_id(c): [o for o in c.outputs if o.output_type == "error"] for c in nb.cells if grade_id(c)}
    assert errors["ex1_1"] == [] and errors["ex1_3"] == []
    g = by_id(breakdown(path))
    assert g["ex1_1"].status == "failed" and "dW[2]" in g["ex1_1"].message and "WRONG" in g["ex1_1"].message
    assert g["ex1_3"].status == "failed"            # the patched module does not help later checks either
    assert g["ex1_2"].status == "passed"


def test_deleted_check_cell_still_runs_and_is_reported(tmp_path):
    copy = released(SOURCE, tmp_path)
    path = answered(copy, solutions(SOURCE), tmp_path / "s.ipynb")
    nb = nbformat.read(str(path), as_version=4)
    nb.cells = [c for c in nb.cells if grade_id(c) != "ex1_3"]
    nbformat.write(nb, str(path))
    g = breakdown(path)
    assert by_id(g)["ex1_3"].status == "passed" and g.score == 27
    assert any("check cell ex1_3 is missing" in p for p in g.problems)


def test_endless_loop_is_cut_off_and_the_class_goes_on(tmp_path):
    """One class: an endless loop, an invalid file and a correct notebook; all three get a report."""
    copy = released(SOURCE, tmp_path)
    subs = tmp_path / "submissions"
    # the loop comes after the exercises and quiz 1.1, before quiz 1.2
    answered(copy, solutions(SOURCE), subs / "loop" / SOURCE.name, extra_cells={"quiz1_1-answer": "while True:\n    pass"})
    (subs / "broken").mkdir()
    (subs / "broken" / SOURCE.name).write_text('{"cells": [ not json')
    answered(copy, solutions(SOURCE), subs / "good" / SOURCE.name)
    out = tmp_path / "reports"
    limit = 6
    t0 = time.monotonic()
    code = grade_main([str(subs), "--out", str(out), "--source", str(FIXTURES), "--timeout", str(limit)])
    elapsed = time.monotonic() - t0
    assert code == 0
    assert elapsed < 3 * limit + 15, elapsed
    rows = {r["student"]: r for r in csv.DictReader(open(out / "grades.csv"))}
    assert set(rows) == {"loop", "broken", "good"}
    assert (rows["good"]["score"], rows["good"]["status"]) == ("27", "graded")
    assert (rows["loop"]["status"], rows["loop"]["ex1_3"], rows["loop"]["score"]) == ("timed out", "2", "17")
    assert (rows["loop"]["quiz 1.1"], rows["loop"]["quiz 1.2"]) == ("10", "0")   # tried before / after the loop
    assert (rows["broken"]["status"], rows["broken"]["score"]) == ("invalid notebook", "0")
    loop_report = (out / "loop.md").read_text()
    assert f"stopped at the time limit of {limit} s while running cell" in loop_report
    assert "quiz answers could not be read" not in loop_report    # the loop was interrupted, not abandoned
    assert "is not a valid notebook" in (out / "broken.md").read_text()


def test_expect_full_marks_is_the_instructors_self_check(tmp_path, capsys):
    assert grade_main([str(FIXTURES), "--out", str(tmp_path / "self"), "--source", str(FIXTURES),
                       "--expect-full-marks"]) == 0
    released(SOURCE, tmp_path)
    assert grade_main([str(tmp_path / "release"), "--out", str(tmp_path / "rel"), "--source", str(FIXTURES),
                       "--expect-full-marks"]) == 1
    assert "not full marks" in capsys.readouterr().err
