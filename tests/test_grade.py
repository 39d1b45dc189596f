"""Grading that a student's code cannot subvert (backprop_lib/course/: grade, notebook_grade, submission, sandbox,
isolation, runner, report).

The heart is a hostile class graded twice (once with --jobs 2) against the tiny instructor notebook
tests/fixtures/assignment/source/03_recursion.ipynb (Quiz 3.1, 10 points; Exercise 3.1, 3; Exercise 3.2, 2).
Each cheat is written on top of an honest part whose score is known; the assertion is that every submission
scores exactly its honest part, that the honest students graded after the cheats score what they score alone,
and that nothing escapes the sandbox. Every hostile act is bounded (a fixed number of processes, a fixed number
of bytes), so that a failing isolation could not harm the machine. These tests need bubblewrap (CI installs it
with .ci/sandbox-deps.sh); without it they are skipped, unless BACKPROP_REQUIRE_SANDBOX=1 (as in CI) makes that
a failure.
"""

import csv
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from backprop_lib.course import isolation, runner, sandbox
from backprop_lib.course.exercises import RECORD_MIME, _run_case, get
from backprop_lib.course.grade import grade_main, grade_path
from backprop_lib.course.notebook_grade import build_run, score_quizzes
from backprop_lib.course.release import plan_source, read_source, release_folder, release_notebook
from backprop_lib.course.report import csv_text, md_text, report_names
from backprop_lib.course.submission import InvalidNotebook, discover, read_submission

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "assignment" / "source"
SOURCE = FIXTURE / "03_recursion.ipynb"
NAME = SOURCE.name
FULL = 15  # quiz 10 + Exercise 3.1 3 + Exercise 3.2 2
TIMEOUT = 10  # per notebook in the hostile class (an honest one needs ~3 s)
LIMITS = ["--memory", "1024", "--processes", "64"]

RIGHT = {
    "quiz3_1-answer": 'answer("3.1", [1, 3])',
    "ex3_1-answer": "def delta_step(W, delta, z, sigma_prime, l):\n"
    "    return (W[l + 1].T @ delta[l + 1]) * sigma_prime(z[l])",
    "ex3_2-answer": "def weight_gradient(delta, a, l):\n    return delta[l] @ a[l - 1].T",
}
SLIP = {**RIGHT, "ex3_2-answer": "def weight_gradient(delta, a, l):\n    return a[l - 1] @ delta[l].T"}


def needs_sandbox():
    iso = isolation.detect()
    if not iso.isolated:
        message = f"bubblewrap is not usable here: {'; '.join(iso.missing)}"
        if os.environ.get("BACKPROP_REQUIRE_SANDBOX") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return iso


# ------------------------------------------------------------------------------------------------ building
def released(source=SOURCE) -> dict:
    copy_, _ = release_notebook(read_source(source), source.name)
    return copy_


def submission(answers: dict, drop=(), base=None) -> dict:
    """The student copy with the answer cells named in `answers` (grade_id -> code) replaced; cells whose
    grade_id is in `drop` removed."""
    nb = json.loads(json.dumps(base or released()))
    cells = []
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in drop:
            continue
        if gid in answers:
            cell["source"] = answers[gid]
        cells.append(cell)
    nb["cells"] = cells
    return nb


def write(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nb if isinstance(nb, str) else json.dumps(nb), encoding="utf-8")
    return path


def tree_digest(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ------------------------------------------------------------------------------------------------ the cheats
# numpy, sympy, json, hmac and the quiz's internals patched in the student's kernel; the answers are wrong
PATCHES = r"""
import hmac, importlib, json
import numpy, sympy
Q = importlib.import_module("backprop_lib.course.quiz")
numpy.allclose = lambda *a, **k: True
numpy.array_equal = lambda *a, **k: True
sympy.simplify = lambda e, *a, **k: sympy.Integer(0)
sympy.Matrix.equals = lambda self, other, *a, **k: True
json.original_dumps = getattr(json, "original_dumps", json.dumps)
def _forge(*a, **k):
    text = json.original_dumps(*a, **k)
    return text.replace('"failed"', '"passed"').replace('"t": "error"', '"t": "none"')
json.dumps = _forge
hmac.compare_digest = lambda a, b: True
Q.Quiz.is_right = lambda self, choice: True
Q.score_answer_source = lambda qid, source: Q.QuizOutcome(qid, (1, 3), True, "right", 10, 10)
answer("3.1", Q.Quiz.load("3.1").solution()[0])
"""
WRONG_31 = "def delta_step(W, delta, z, sigma_prime, l):\n    return (W[l + 1].T @ delta[l + 1]) * z[l]"

# the check machinery itself replaced: collect forges a record, judge_record and check say "passed"
REPLACE = r"""
import importlib
E = importlib.import_module("backprop_lib.course.exercises")
E.judge_record = lambda exercise_id, record: E.Judged(exercise_id, 3, 3, "passed")
E.Exercise.judge = lambda self, case, value: E.Outcome(True, "right")
E._judge_case = lambda *a, **k: E.Outcome(True, "right")
def _collect(exercise_id):
    from IPython.display import display
    cases = E.get(exercise_id).cases()
    display({E.RECORD_MIME: {"exercise": exercise_id, "values": [{"t": "none"}] * len(cases),
                             "verdict": "passed", "points": 99}, "text/plain": "forged"}, raw=True)
E.collect = _collect
E.check = lambda *a, **k: None
"""

EXEC_LAST = r"""
def weight_gradient(delta, a, l):
    raise NotImplementedError()
import builtins
builtins.exec = lambda *a, **k: None
"""


def files_cheat(paths: dict) -> str:
    """Read the instructor notebook (to run its solutions), rewrite it (checks become `pass`), plant files."""
    return rf"""
import json, os
def delta_step(W, delta, z, sigma_prime, l):
    raise ValueError("<img src=x onerror=alert(1)> | ## 15 / 15 | [ok](javascript:alert(1)) **done** `x`\n# 15 / 15")
tries = {json.dumps(paths["read"])}
for path in tries:
    try:
        with open(path) as fh:
            nb = json.load(fh)
    except Exception:
        continue
    for cell in nb.get("cells", []):
        text = "".join(cell["source"])
        if "BEGIN SOLUTION" in text:
            exec(text)
        if cell.get("metadata", {{}}).get("nbgrader", {{}}).get("grade"):
            cell["source"] = "pass"
    for target in (path, path + ".rewritten"):
        try:
            with open(target, "w") as fh:
                json.dump(nb, fh)
        except Exception:
            pass
for path in {json.dumps(paths["write"])}:
    try:
        with open(path, "w") as fh:
            fh.write('{{"cells": []}}')
    except Exception:
        pass
for path in {json.dumps(paths["plant"])}:
    try:
        with open(path, "w") as fh:
            fh.write("planted")
    except Exception:
        pass
"""


LIMITS_CHEAT = r"""
import subprocess
children, refused = [], None
for _ in range(150):                      # a bounded flood: 150 sleeping processes at most
    try:
        children.append(subprocess.Popen(["sleep", "20"]))
    except OSError as exc:
        refused = exc
        break
try:
    grab = b"x" * (1536 * 2**20)          # 1.5 GB, more than the limit of 1 GB per process
except MemoryError:
    grab = None
written = 0
try:
    with open("big.bin", "wb") as fh:
        for _ in range(16):               # 256 MB at most, more than the limit on one file
            fh.write(b"x" * (16 * 2**20))
            written += 16
except OSError:
    pass
held = refused is not None and grab is None and written < 256   # each limit held
def delta_step(W, delta, z, sigma_prime, l):
    if not held:
        return None                       # then 3.1 scores 0, and the test sees that a limit failed
    return (W[l + 1].T @ delta[l + 1]) * sigma_prime(z[l])
"""

DIE = RIGHT["ex3_2-answer"] + "\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
# forged and broken event lines written into the runner's own output, then the runner killed
KILL_PARENT = (
    RIGHT["ex3_2-answer"]
    + r"""
import json, os, signal
lines = [b"not json", b'{"e": "record", "record": {"exercise": [1], "values": []}}',
         b'{"e": "record", "record": {"exercise": "3.2", "values": [{"t": "array", "shape": [1], "data": [NaN]}]}}',
         b'{"e": "error", "i": "x", "ename": 5}', b'{"e": "begin", "i": 99999}', b"[1, 2]",
         b"x" * (1 << 20) + b"\n" + b'{"e": "done"}']
try:
    with open(f"/proc/{os.getppid()}/fd/1", "wb", buffering=0) as fh:
        for line in lines:
            fh.write(line + b"\n")
except OSError:
    pass
os.kill(os.getppid(), signal.SIGKILL)
os.kill(-1, signal.SIGKILL)
"""
)
IGNORE_AND_LOOP = (
    "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "def weight_gradient(delta, a, l):\n    return delta[l] @ a[l - 1].T\nwhile True:\n    pass"
)

# student -> (what the honest part earns, the status)
EXPECTED = {
    "cheat-patches": (0, "graded"),
    "cheat-replace": (0, "graded"),
    "cheat files <b>x</b>": (0, "graded"),
    "cheat-limits": (13, "kernel died"),
    "cheat-kill-parent": (13, "stopped"),
    "cheat-timeout": (13, "timed out"),
    "cheat-invalid": (0, "invalid notebook"),
    "teacher": (FULL, "graded"),
    "x y": (FULL, "graded"),
    "x_y": (13, "graded"),
    "zoë blank": (0, "graded"),
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder: notebooks/ (the instructor's, a copy of the fixture), submissions/, and the paths the
    cheats aim at."""
    needs_sandbox()
    root = tmp_path_factory.mktemp("course")
    notebooks = root / "notebooks"
    notebooks.mkdir()
    shutil.copy(SOURCE, notebooks / NAME)
    subs = root / "submissions"
    targets = {
        "read": [
            NAME,
            f"notebooks/{NAME}",
            f"../notebooks/{NAME}",
            f"../../notebooks/{NAME}",
            f"../../../notebooks/{NAME}",
            str(notebooks / NAME),
            str(SOURCE),
            str(REPO / "notebooks" / NAME),
        ],
        "write": [f"../notebooks/{NAME}", f"../../notebooks/{NAME}", str(notebooks / NAME)],
        "plant": [
            "planted-cwd.txt",
            "../planted-parent.txt",
            "../../planted-grandparent.txt",
            str(notebooks / "planted-abs.ipynb"),
            str(root / "planted-root.txt"),
            str(subs / "planted-subs.txt"),
            "/tmp/planted-tmp.txt",
        ],
    }
    write(
        subs / "cheat-patches" / NAME,
        submission({"quiz3_1-answer": PATCHES, "ex3_1-answer": WRONG_31, "ex3_2-answer": SLIP["ex3_2-answer"]}),
    )
    write(subs / "cheat-replace" / NAME, submission({"ex3_1-answer": REPLACE, "ex3_2-answer": EXEC_LAST}))
    write(subs / "cheat files <b>x</b>" / NAME, submission({"ex3_1-answer": files_cheat(targets)}))
    write(subs / "cheat-limits" / NAME, submission({**RIGHT, "ex3_1-answer": LIMITS_CHEAT, "ex3_2-answer": DIE}))
    write(subs / "cheat-kill-parent" / NAME, submission({**RIGHT, "ex3_2-answer": KILL_PARENT}))
    write(subs / "cheat-timeout" / NAME, submission({**RIGHT, "ex3_2-answer": IGNORE_AND_LOOP}))
    write(subs / "cheat-invalid" / NAME, '{"cells": [ {"cell_type": "code", "source": "oops" ')
    write(subs / "teacher" / NAME, SOURCE.read_text(encoding="utf-8"))  # the instructor's own notebook
    write(subs / "x y" / NAME, submission(RIGHT, drop=("ex3_2",)))  # its check cell deleted
    write(subs / "x_y" / NAME, submission(SLIP))
    write(subs / "zoë blank" / NAME, submission({}))
    return {
        "root": root,
        "notebooks": notebooks,
        "subs": subs,
        "targets": targets,
        "release_before": released(notebooks / NAME),
        "notebooks_before": tree_digest(notebooks),
        "repo_notebooks_before": sorted(p.name for p in (REPO / "notebooks").iterdir()),
    }


def check_class(course, out: Path, grades_by_student: dict):
    rows = {r["student"]: r for r in csv.DictReader(open(out / "grades.csv", encoding="utf-8"))}
    assert set(rows) == set(EXPECTED)
    for student, (points, status) in EXPECTED.items():
        g = grades_by_student[student]
        assert (g.score, g.status) == (points, status), (student, g.to_dict())
        assert (float(rows[student]["score"]), rows[student]["status"]) == (points, status)
    # the cheats earned nothing beyond their honest part, item by item
    patches = grades_by_student["cheat-patches"]
    assert [(e.id, e.status) for e in patches.exercises] == [("3.1", "failed"), ("3.2", "failed")]
    assert patches.quizzes[0].status == "not answered"  # a computed answer is not an answer
    replaced = grades_by_student["cheat-replace"]
    assert [(e.id, e.status) for e in replaced.exercises] == [("3.1", "failed"), ("3.2", "not run")]
    assert "returned None" in replaced.exercises[0].message and "no record" in replaced.exercises[1].message
    assert grades_by_student["cheat-kill-parent"].exercises[1].status == "not run"
    assert "time limit" in grades_by_student["cheat-timeout"].problems[0]
    assert grades_by_student["x y"].problems == [
        "the check cell ex3_2 is missing from the submission; its check ran after the answer cell ex3_2-answer"
    ]
    blank = grades_by_student["zoë blank"]
    assert {e.status for e in blank.exercises} == {q.status for q in blank.quizzes} == {"not answered"}
    # every report exists, under a name of its own; the colliding names got two files
    names = report_names(EXPECTED)
    assert len(set(names.values())) == len(EXPECTED)
    assert names["x y"] != names["x_y"] and names["zoë blank"] == "zoë_blank"
    for student in EXPECTED:
        report = (out / f"{names[student]}.md").read_text(encoding="utf-8")
        assert report.startswith("# Grade report: ")
        headers = [line for line in report.splitlines() if line.startswith("#")]
        assert len(headers) == 2, headers  # ours: the title and the notebook section
        assert "<" not in report, student  # every tag arrives as &lt;...
        assert len([line for line in report.splitlines() if line.startswith("|")]) in (0, 5)
    injected = (out / f"{names['cheat files <b>x</b>']}.md").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in injected and "\\#\\# 15 / 15" in injected
    # nothing escaped: no planted file, the instructor's notebooks unchanged, the release unchanged
    root = course["root"]
    assert not [p for p in root.rglob("planted*")], "a planted file reached the host"
    assert not Path("/tmp/planted-tmp.txt").exists()
    assert tree_digest(course["notebooks"]) == course["notebooks_before"]
    assert sorted(p.name for p in (REPO / "notebooks").iterdir()) == course["repo_notebooks_before"]
    release = root / f"release-{out.name}"
    release_folder(course["notebooks"], release, allow_tracked=True)
    assert sorted(p.name for p in release.iterdir()) == [NAME]
    assert json.loads((release / NAME).read_text(encoding="utf-8")) == course["release_before"]


def test_hostile_class_one_job(course, capsys):
    out = course["root"] / "reports-1"
    code = grade_main(
        [
            str(course["subs"]),
            "--out",
            str(out),
            "--source",
            str(course["notebooks"]),
            "--timeout",
            str(TIMEOUT),
            *LIMITS,
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert printed.splitlines()[0].startswith("isolation: bubblewrap"), printed
    saved = {}
    for path in (out / ".state").glob("*.json"):
        grade = json.loads(path.read_text())["grade"]
        saved[grade["student"]] = grade
    from backprop_lib.course.notebook_grade import NotebookGrade

    check_class(course, out, {s: NotebookGrade.from_dict(g) for s, g in saved.items()})
    # --resume keeps every result: nothing is graded again, the files stay as they are; --expect-full-marks
    # (the instructor's self-check) names what lost points
    before = tree_digest(out)
    assert (
        grade_main(
            [
                str(course["subs"]),
                "--out",
                str(out),
                "--source",
                str(course["notebooks"]),
                "--timeout",
                str(TIMEOUT),
                "--resume",
                "--expect-full-marks",
                *LIMITS,
            ]
        )
        == 1
    )
    printed = capsys.readouterr()
    assert f"resume: {len(EXPECTED)} notebooks already graded, 0 to grade" in printed.out
    short = {s for s in EXPECTED if f"not full marks: {course['subs'] / s / NAME}:" in printed.err}
    assert short == {s for s, (points, status) in EXPECTED.items() if points < FULL or status != "graded"} | {"x y"}
    assert tree_digest(out) == before


def test_hostile_class_two_jobs_writes_each_student_at_once(course):
    out = course["root"] / "reports-2"
    names = report_names(EXPECTED)
    seen = []

    def progress(g):
        # the moment a notebook is graded, its student's report and CSV row are on disk
        seen.append(g.student)
        rows = {r["student"] for r in csv.DictReader(open(out / "grades.csv", encoding="utf-8"))}
        assert set(seen) <= rows
        assert (out / f"{names[g.student]}.md").is_file()

    lines = []
    grades = grade_path(
        course["subs"],
        out,
        source_dir=course["notebooks"],
        timeout=TIMEOUT,
        jobs=2,
        limits=isolation.Limits(memory_bytes=2**30, processes=64),
        progress=progress,
        log=lines.append,
    )
    assert lines[0].startswith("isolation: bubblewrap")
    assert sorted(seen) == sorted(EXPECTED)
    check_class(course, out, {g.student: g for g in grades})


# ------------------------------------------------------------------------------------------------ one notebook
def test_a_grader_failure_is_an_error_that_resume_grades_again_and_no_isolation_is_a_warning(
    tmp_path, capsys, monkeypatch
):
    path = write(tmp_path / "s" / "bob" / NAME, submission(SLIP))
    args = [str(tmp_path / "s"), "--out", str(tmp_path / "out"), "--source", str(FIXTURE), "--isolation", "none"]
    monkeypatch.setattr(sandbox, "RUNNER", tmp_path / "missing.py")  # the sandbox cannot start
    assert grade_main(args) == 0
    row = next(csv.DictReader(open(tmp_path / "out" / "grades.csv", encoding="utf-8")))
    assert (row["status"], row["score"]) == ("error", "0") and "did not start" in row["problems"]
    monkeypatch.undo()
    assert grade_main([*args, "--resume"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("WARNING: isolation: NONE") and "Missing: isolation switched off" in printed[0]
    assert "resume" not in "".join(printed)  # an error is not kept
    row = next(csv.DictReader(open(tmp_path / "out" / "grades.csv", encoding="utf-8")))
    assert (row["status"], row["score"], row["ex3_2"]) == ("graded", "13", "0")
    assert str(path) == row["submission"]


# ------------------------------------------------------------------------------------------------ the judge
def test_a_record_built_to_hang_the_judge_costs_only_its_exercise():
    """A forged record whose expression takes forever (7 to the power 2*10^8) is cut off by the judge's
    watchdog; the other exercise is judged in a fresh judge process."""
    iso = isolation.detect()  # the watchdog and the limits hold with or without bubblewrap
    bomb = {
        "exercise": "3.1",
        "values": [
            {"t": "sym", "shape": [1, 1], "entries": [2], "nodes": [["I", "7"], ["I", "200000000"], ["Pow", 0, 1]]}
        ]
        * len(get("3.1").cases()),
    }
    ex = get("3.2")
    right = {
        "exercise": "3.2",
        "values": [_run_case(ex, c, [lambda delta, a, l: delta[l] @ a[l - 1].T]) for c in ex.cases()],
    }
    from backprop_lib.course.notebook_grade import judge_records

    verdicts = judge_records({"3.1": bomb, "3.2": right}, iso, isolation.Limits(memory_bytes=2**30), per_exercise=4)
    assert verdicts["3.2"] == ("passed", "")
    assert verdicts["3.1"][0] == "failed" and "could not" in verdicts["3.1"][1]


# ------------------------------------------------------------------------------------------------ units
def test_the_run_replaces_each_check_by_collect_and_restores_a_deleted_one():
    plan = plan_source(read_source(SOURCE), NAME)
    cells = [
        {"type": c["cell_type"], "source": c["source"], "grade_id": c["metadata"].get("nbgrader", {}).get("grade_id")}
        for c in submission(RIGHT, drop=("ex3_1",))["cells"]
    ]
    nb, roles, problems = build_run(cells, plan)
    sources = [c["source"] for c in nb["cells"]]
    assert all(c["cell_type"] == "code" for c in nb["cells"])
    collect_31 = next(i for i, s in enumerate(sources) if 'collect("3.1")' in s)
    assert "def delta_step" in sources[collect_31 - 1] and roles[collect_31] == ("check", None, "3.1")
    assert 'check("3.2")' not in "".join(sources) and sum('collect("3.2")' in s for s in sources) == 1
    assert problems == [
        "the check cell ex3_1 is missing from the submission; its check ran after the answer cell ex3_1-answer"
    ]
    assert RECORD_MIME == runner.RECORD_MIME


@pytest.mark.parametrize(
    "text, why",
    [
        ('{"cells": [', "not valid JSON"),
        ("[1, 2]", "not a notebook"),
        ('{"cells": [], "nbformat": 3}', "nbformat 4"),
        ('{"cells": [{"cell_type": "code", "source": 7}], "nbformat": 4}', "not text"),
        ('{"cells": [], "nbformat": NaN}', "not valid JSON"),
    ],
)
def test_a_submission_that_is_not_a_notebook_is_refused_with_its_reason(tmp_path, text, why):
    with pytest.raises(InvalidNotebook, match=why):
        read_submission(write(tmp_path / "x.ipynb", text))


def test_a_symbolic_link_or_a_huge_file_is_not_read(tmp_path):
    secret = write(tmp_path / "secret.ipynb", released())
    (tmp_path / "link.ipynb").symlink_to(secret)
    with pytest.raises(InvalidNotebook, match="symbolic link"):
        read_submission(tmp_path / "link.ipynb")
    with open(tmp_path / "huge.ipynb", "wb") as fh:
        fh.truncate(21 * 2**20)
    with pytest.raises(InvalidNotebook, match="20 MB"):
        read_submission(tmp_path / "huge.ipynb")
    assert [s.path.name for s in discover(tmp_path, FIXTURE)] == ["huge.ipynb", "secret.ipynb"]


@pytest.mark.parametrize(
    "answer, status, points",
    [
        ('answer("3.1", [1, 3])', "right", 10),
        ('answer("3.1", [3, 1])  # order does not matter', "right", 10),
        ('answer("3.1", [1, 3])\nanswer("3.1", [0])', "wrong", 0),  # the last line counts
        ('answer("3.1", [0])', "wrong", 0),
        ('answer("3.1", [])', "not answered", 0),
        ('answer("3.1", sorted({1, 3}))', "not answered", 0),  # a literal list only
        ("import backprop_lib\nbackprop_lib.quiz.QUIZ_LOG.append([1, 3])", "not answered", 0),
    ],
)
def test_a_quiz_is_scored_from_its_answer_cell_as_written(answer, status, points):
    plan = plan_source(read_source(SOURCE), NAME)
    cells = [{"type": "code", "source": answer, "grade_id": "quiz3_1-answer"}]
    (q,) = score_quizzes(plan, cells)
    assert (q.status, q.points, q.max_points) == (status, points, 10)
    if status == "wrong" and "[0]" in answer:
        assert "Option 0 is wrong" in q.message
    (missing,) = score_quizzes(plan, [])
    assert missing.status == "not answered" and "missing" in missing.message


def test_report_text_is_inert_and_names_are_unique():
    evil = "ok\n# 47 / 47\n| a | b |\n<img src=x onerror=alert(1)> [x](javascript:y) **b** `c` $\\alpha$"
    text = md_text(evil)
    assert "\n" not in text and "<" not in text and ">" not in text
    for mark in ("#", "|", "[", "]", "*", "`", "$", "_", "~"):
        assert re.search(r"(?<!\\)" + re.escape(mark), text) is None, mark
    names = report_names(["x y", "x_y", "X_Y", "zoë", "Ελένη", "a/b", "grades", "..", "<script>"])
    assert len(set(n.casefold() for n in names.values())) == 9
    assert names["zoë"] == "zoë" and names["Ελένη"] == "Ελένη" and names["a/b"] == "a__b"
    assert names[".."] == "student" and names["<script>"] == "script"
    assert names["x y"].startswith("x_y-") and names["grades"].startswith("grades-")
    from backprop_lib.course.notebook_grade import NotebookGrade

    g = NotebookGrade('=HYPERLINK("x")', NAME, "s.ipynb", problems=["+1", "line\nbreak"])
    row = list(csv.reader(csv_text([g], []).splitlines()))[1]
    assert row[0].startswith("'=") and row[-2] == "'+1 / line break"


def test_no_course_folder_may_lie_where_every_sandbox_can_read_it(tmp_path):
    needs_sandbox()
    path = write(tmp_path / "s" / NAME, submission(RIGHT))
    inside = REPO / "backprop_lib" / "reports-never-written"
    with pytest.raises(ValueError, match="report folder .* every sandbox sees"):
        grade_path(path, inside, source_dir=FIXTURE, log=lambda _: None)
    assert not inside.exists()


def test_an_overlong_or_unreadable_quiz_answer_is_not_answered(monkeypatch):
    import importlib

    quiz_module = importlib.import_module("backprop_lib.course.quiz")  # the module, not course.quiz()
    from backprop_lib.course.notebook_grade import MAX_ANSWER_CHARS

    plan = plan_source(read_source(SOURCE), NAME)
    long_cell = [{"type": "code", "source": "#" * (MAX_ANSWER_CHARS + 1), "grade_id": "quiz3_1-answer"}]
    (q,) = score_quizzes(plan, long_cell)
    assert (q.status, q.points, q.message) == ("not answered", 0.0, "the answer cell is too long")

    def broken(qid, source):
        raise RecursionError

    monkeypatch.setattr(quiz_module, "score_answer_source", broken)
    cells = [{"type": "code", "source": 'answer("3.1", [1, 3])', "grade_id": "quiz3_1-answer"}]
    (q,) = score_quizzes(plan, cells)
    assert (q.status, q.points, q.message) == (
        "not answered",
        0.0,
        "the answer cell could not be read (RecursionError)",
    )
