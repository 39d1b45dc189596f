"""The student's workbook: no answer in sight, blank answers say "not answered yet", the student's work survives.

Built from the instructor notebooks in notebooks/ by `python -m backprop_lib workbook` (backprop_lib/course/
workbook.py, through course/strip.py, the same stripping code as the release).
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from backprop_lib.course.exercises import _answers, _run_case, check, exercises, judge_record
from backprop_lib.course.quiz import all_quizzes, score_answer_source
from backprop_lib.course.strip import BEGIN_HIDDEN, BEGIN_SOLUTION, END_SOLUTION, student_copy
from backprop_lib.course.workbook import make_workbook
from backprop_lib.verdict import CheckFailed

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def src(cell):
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    dest = tmp_path_factory.mktemp("wb") / "workbook"
    make_workbook(dest, out=lambda *_: None)
    return dest


def solution_lines(cell):
    """The lines inside the solution regions of an instructor cell that do not also stand outside them."""
    inside, outside, region = [], [], False
    for line in src(cell).splitlines():
        if BEGIN_SOLUTION in line:
            region = True
        elif END_SOLUTION in line:
            region = False
        elif line.strip():
            (inside if region else outside).append(line.strip())
    return [line for line in inside if line not in outside and len(line) > 3]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_solution_line_and_no_hidden_test_in_the_workbook(workbook, path):
    original, copy_ = load(path), load(workbook / path.name)
    assert len(original["cells"]) == len(copy_["cells"])
    for index, (cell, student) in enumerate(zip(original["cells"], copy_["cells"])):
        text = src(student)
        assert BEGIN_SOLUTION not in text and BEGIN_HIDDEN not in text, f"{path.name} cell {index}: a marker"
        for line in solution_lines(cell):
            assert line not in text, f"{path.name} cell {index}: the solution line {line!r} is in the workbook"
        if gid(cell).endswith("-answer") or cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            assert not student.get("outputs"), f"{path.name} cell {index}: an answer or check cell kept its output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_quiz_key_or_answer_is_visible(workbook, path):
    for index, cell in enumerate(load(workbook / path.name)["cells"]):
        if cell["cell_type"] != "code":
            continue
        shown = src(cell) + json.dumps(cell.get("outputs", []))
        assert not re.search(r"qk[12]:|qs1:|\bs2:[A-Za-z0-9_-]{8}", shown), f"{path.name} cell {index}: a key"
        for qid, choice in re.findall(r'answer\("(\d+\.\d+)",\s*(\[[^\]]*\])', src(cell)):
            assert choice == "[]", f"{path.name} cell {index}: quiz {qid} is answered in the workbook"


def test_teaching_outputs_are_kept(workbook):
    """A notebook reads well before it runs: figures and proofs of the teaching cells are still there."""
    kept = sum(
        bool(c.get("outputs")) for p in NOTEBOOKS for c in load(workbook / p.name)["cells"] if c["cell_type"] == "code"
    )
    assert kept >= 10 * len(NOTEBOOKS) // 2


def test_every_quiz_answer_cell_is_blank_and_scores_nothing(workbook):
    seen = set()
    for path in NOTEBOOKS:
        for cell in load(workbook / path.name)["cells"]:
            if gid(cell).startswith("quiz") and gid(cell).endswith("-answer"):
                qid = gid(cell)[4:-7].replace("_", ".")
                outcome = score_answer_source(qid, src(cell))
                assert not outcome.ok and outcome.points == 0 and not outcome.answered
                seen.add(qid)
    assert seen == set(all_quizzes()), "every quiz has an answer cell in its notebook"


def _stub_namespace(path, exercise_id):
    """Run the notebook's import cell and the workbook's answer cell of an exercise in a fresh namespace."""
    nb, _, _ = student_copy(load(path), path.name)
    chapter, number = exercise_id.split(".")
    ns = {}
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    exec(src(code[0]), ns)  # the imports of the notebook
    answer = [c for c in code if gid(c) == f"ex{chapter}_{number}-answer"]
    assert answer, f"{path.name}: no answer cell for Exercise {exercise_id}"
    exec(src(answer[0]), ns)
    return ns


@pytest.mark.parametrize("exercise_id", list(exercises()))
def test_a_blank_answer_says_not_answered_yet(exercise_id):
    path = next(p for p in NOTEBOOKS if p.name.startswith(f"{int(exercise_id.split('.')[0]):02d}_"))
    ns = _stub_namespace(path, exercise_id)
    ns["check"] = check
    with pytest.raises(CheckFailed) as info:
        exec(f'check("{exercise_id}")', ns)
    lines = info.value.lines
    assert "not answered yet" in lines[0] and len(lines) <= 5, lines
    ex = exercises()[exercise_id]
    values = [_run_case(ex, case, _answers(ex, ns)) for case in ex.cases()]
    judged = judge_record(exercise_id, {"exercise": exercise_id, "values": values})
    assert judged.status == "not answered" and judged.points == 0, judged  # the grader's verdict on the stub


def test_a_second_run_keeps_the_students_work_byte_for_byte(tmp_path):
    dest = tmp_path / "workbook"
    make_workbook(dest, out=lambda *_: None)
    mine = dest / NOTEBOOKS[1].name
    nb = load(mine)
    nb["cells"][0]["source"] = "my own notes\n" + src(nb["cells"][0])
    mine.write_text(json.dumps(nb), encoding="utf-8")
    before = mine.read_bytes()
    (dest / NOTEBOOKS[2].name).unlink()
    report = make_workbook(dest, out=lambda *_: None)
    assert mine.read_bytes() == before
    assert report["added"] == [NOTEBOOKS[2].name] and NOTEBOOKS[1].name in report["kept"]


def test_reset_backs_up_and_restores_one_notebook(tmp_path):
    dest = tmp_path / "workbook"
    make_workbook(dest, out=lambda *_: None)
    target = dest / NOTEBOOKS[1].name
    fresh = target.read_bytes()
    target.write_text("{}", encoding="utf-8")
    report = make_workbook(dest, reset=[NOTEBOOKS[1].name[:2]], out=lambda *_: None)
    assert report["reset"] == [NOTEBOOKS[1].name] and target.read_bytes() == fresh
    backups = list((dest / ".backup").glob("*.ipynb"))
    assert len(backups) == 1 and backups[0].read_text() == "{}"


def test_a_bad_reset_changes_nothing(tmp_path):
    dest = tmp_path / "workbook"
    with pytest.raises(ValueError, match="reset: expected a notebook number"):
        make_workbook(dest, reset=["99"], out=lambda *_: None)
    assert not dest.exists()


def test_the_command_line_writes_the_workbook(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "backprop_lib", "workbook", str(tmp_path / "wb")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "wb").glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
    again = subprocess.run(
        [sys.executable, "-m", "backprop_lib", "workbook", str(tmp_path / "wb")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert "nothing was changed" in again.stdout


# One typical slip per exercise, put into the instructor's answer cell as a student would type it: the check's
# first line names it (the phrase on the right), and the whole failure is at most 5 lines.
SLIPS = {
    "1.1": ("W[2] * a1 + b[2]", "W[2] * a1", "bias"),
    "1.2": ("W[l] @ a[l - 1] + b[l]", "W[l] @ a[l - 1]", "bias"),
    "2.1": ("return s * (1.0 - s)", "return s", "σ where σ′ belongs"),
    "2.2": ("* sigma_prime(z_L)", "* 1", "misses σ′"),
    "2.3": ("return a_L - y", "return y - a_L", "sign"),
    "3.1": ("W[l + 1].T @", "W[l + 1] @", "transpose is missing"),
    "3.2": ("a[l - 1].T", "a[l].T", "a[l] where a[l-1] belongs"),
    "3.3": ("sigma_prime(z[l]_k)", "sigma(z[l]_k)", "σ where σ′ belongs"),
    "4.1": ("W[l + 1].T *", "W[l + 1] *", "transpose is missing"),
    "4.2": ("a[l - 1].T", "a[l].T", "a[l] where a[l-1] belongs"),
    "4.3": (
        "delta[l] = (W[l + 1].T @ delta[l + 1]) * sigma_prime(z[l])",
        "delta[l] = (W[l + 1].T @ delta[l + 1]) * sigma(z[l])",
        "σ where σ′ belongs",
    ),
    "5.1": ("W[l + 1].T @", "W[l + 1] @", "transpose is missing"),
    "5.2": ('"jx,kx->xjk"', '"jx,kx->jk"', "sample index is summed away"),
    "5.3": ("Delta @ A_prev.T / m", "Delta @ A_prev.T", "the 1/m is missing"),
    "6.1": ("(eta / m) * (Delta[l] @ A[l - 1].T)", "eta * (Delta[l] @ A[l - 1].T)", "the 1/m is missing"),
    "6.2": ("h**2 * (", "(", "h^2"),
    "7.1": ("W[l+1]_ki sigma_prime", "W[l]_ki sigma_prime", "Wˡ where Wˡ⁺¹ belongs"),
    "7.2": ("+ b[l+1]_m", "+ b[l]_m", "bˡ where bˡ⁺¹ belongs"),
    "7.3": ("delta1 * n.a[0].T", "delta1 * n.a[1].T", "shape"),
    "8.1": ("dA = G @ B.T", "dA = G @ B", "transpose is missing"),
    "8.2": ("G * sigma_prime(Z)", "G * sigma(Z)", "σ where σ′ belongs"),
    "8.3": ("G / m", "G", "the 1/m is missing"),
    "9.1": ("- a @ a.T", "- a.T @ a", "outer product"),
    "9.2": ("np.linalg.norm(W[l + 1], 2)", "np.linalg.norm(W[l], 2)", "W[l] where W[l+1] belongs"),
    "9.3": ("/ np.sqrt(n_prev)", "/ n_prev", "standard deviation"),
}


def _instructor_cells(exercise_id):
    chapter = int(exercise_id.split(".")[0])
    path = next(p for p in NOTEBOOKS if p.name.startswith(f"{chapter:02d}_"))
    code = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    answer = next(c for c in code if gid(c) == f"ex{exercise_id.replace('.', '_')}-answer")
    return src(code[0]), src(answer)


def test_every_exercise_has_a_slip_in_the_table():
    assert set(SLIPS) == set(exercises())


@pytest.mark.parametrize("exercise_id", sorted(SLIPS, key=lambda i: tuple(map(int, i.split(".")))))
def test_a_typical_slip_is_named_in_the_first_line(exercise_id):
    old, new, phrase = SLIPS[exercise_id]
    imports, answer = _instructor_cells(exercise_id)
    assert answer.count(old) == 1, f"the slip's text {old!r} must occur once in the solution"
    ns = {}
    exec(imports, ns)
    exec(answer.replace(old, new), ns)
    ns["check"] = check
    with pytest.raises(CheckFailed) as info:
        exec(f'check("{exercise_id}")', ns)
    lines = info.value.lines
    assert lines[0].startswith(f"✘ Exercise {exercise_id}:") and phrase in lines[0], lines
    assert len(lines) <= 5, lines
    ok = {}
    exec(imports, ok)
    exec(answer, ok)
    ok["check"] = check
    exec(f'check("{exercise_id}")', ok)  # the unchanged solution passes


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_run_all_on_a_blank_workbook_notebook_says_not_answered_yet_everywhere(workbook, path):
    """Top to bottom in a fresh kernel, errors allowed (as Run All would go on after each): every check says
    "not answered yet" in a few lines without a traceback, and no quiz is marked right."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(workbook / path.name), as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(workbook)}}
    ).execute()
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        outputs = cell.get("outputs", [])
        shown = "\n".join(
            o.get("text", "") + json.dumps(o.get("data", {})) + "\n".join(o.get("traceback", [])) for o in outputs
        )
        if meta.get("grade"):
            errors = [o for o in outputs if o["output_type"] == "error"]
            assert len(errors) == 1 and "not answered yet" in errors[0]["evalue"], f"cell {index}: {shown[:300]}"
            assert len(errors[0]["traceback"]) <= 5 and "Traceback" not in shown, f"cell {index}: {shown[:300]}"
        if meta.get("grade_id", "").startswith("quiz"):
            assert "not answered yet" in shown and "is right" not in shown, f"cell {index}: {shown[:300]}"


@pytest.mark.parametrize("exercise_id", sorted(exercises(), key=lambda i: tuple(map(int, i.split(".")))))
def test_the_instructors_solution_passes_every_case_on_the_graders_path(exercise_id):
    """Visible and hidden cases, the answer run as the grader runs it and judged from the JSON record."""
    from nbtools import exercise_graded

    ex = exercises()[exercise_id]
    cases = ex.cases()
    assert any(c.hidden for c in cases) and any(not c.hidden for c in cases), "visible and hidden cases"
    imports, answer = _instructor_cells(exercise_id)
    judged = exercise_graded(exercise_id, answer, prelude=imports + "\n")
    assert judged.status == "passed" and judged.points == ex.points, judged
