"""Student copies and what an instructor notebook must satisfy (backprop_lib/course/release.py).

The release strips through course/strip.py (the workbook's path); `plan_source` refuses a notebook that nbgrader
would refuse or that the grader could not grade: marker words in prose (nbgrader reads BEGIN SOLUTION anywhere in
a line), ids nbgrader rejects, check cells whose points differ from their Exercise class, orphan cells.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest

from backprop_lib.course.release import (
    NBGRADER_WORDS,
    MarkerError,
    marker_problems,
    plan_source,
    read_source,
    release_folder,
    release_main,
    release_notebook,
)

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "tests" / "fixtures" / "assignment" / "source" / "03_recursion.ipynb"
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
HASHES = "#" * 3


def load(path=SOURCE):
    return read_source(path)


def text(cell):
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def with_cell(nb, index, **changes):
    nb = json.loads(json.dumps(nb))
    nb["cells"][index].update(changes)
    return nb


def index_of(nb, grade_id):
    return next(i for i, c in enumerate(nb["cells"]) if gid(c) == grade_id)


# ------------------------------------------------------------------------------------------------ nbgrader's rule
def nbgrader_rule_violations(nb):
    """nbgrader's own rule, written out: its delimiters match as substrings of a line, in any cell; solution
    delimiters belong to solution cells and hidden-test delimiters to graded cells (ClearSolutions and
    ClearHiddenTests of nbgrader 0.9 refuse anything else)."""
    bad = []
    for i, cell in enumerate(nb["cells"]):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        for line in text(cell).splitlines():
            for words in ("BEGIN SOLUTION", "END SOLUTION"):
                if words in line and not meta.get("solution"):
                    bad.append((i, line))
            for words in ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
                if words in line and not meta.get("grade"):
                    bad.append((i, line))
    return bad


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_notebook_passes_nbgraders_marker_rule(path):
    nb = load(path)
    assert nbgrader_rule_violations(nb) == []
    assert marker_problems(nb, path.name) == []
    plan = plan_source(nb, path.name)
    assert plan.max_points > 0 and len(plan.quizzes) >= 2


def test_marker_words_in_prose_are_refused_as_nbgrader_would():
    nb = load()
    for cell_type, line in (
        ("markdown", "Write your answer between BEGIN SOLUTION and END SOLUTION."),
        ("code", "# the grader strips the HIDDEN TESTS: BEGIN HIDDEN TESTS ..."),
        ("markdown", f"{HASHES} BEGIN SOLUTION"),
    ):
        bad = with_cell(nb, 0, cell_type=cell_type, source=line)
        assert nbgrader_rule_violations(bad)  # the rule of the test above catches it
        with pytest.raises(MarkerError, match="cell 0"):
            plan_source(bad, "prose")
    # a marker's words in an answer cell, in a line that is not the marker itself: nbgrader would cut there
    i = index_of(nb, "ex3_1-answer")
    odd = with_cell(nb, i, source=text(nb["cells"][i]).replace("# Exercise 3.1", "# BEGIN SOLUTION is above"))
    with pytest.raises(MarkerError, match="nbgrader reads them as a marker"):
        plan_source(odd, "odd")
    assert set(NBGRADER_WORDS) == {"BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"}


@pytest.mark.parametrize(
    "grade_id, change, words",
    [
        ("ex3_1", {"points": 5}, "worth 3"),
        ("ex3_1", {"points": True}, "worth 3"),
        ("ex3_1", {"grade_id": "ex3.1"}, "letters, digits"),
        ("ex3_1", {"grade_id": "ex9_9"}, "no Exercise 9.9"),
        ("ex3_1", {"grade_id": "check_it"}, "grade_id exN_k"),
        ("ex3_2", {"grade_id": "ex3_1"}, "used twice"),
        ("ex3_1-answer", {"grade_id": "ex3_9-answer"}, "no answer cell ex3_1-answer"),
        ("quiz3_1-answer", {"grade_id": "quiz3_9-answer"}, "no quiz"),
        ("quiz3_1-answer", {"grade_id": "my_answer"}, "exercise answer"),
        ("ex3_1", {"solution": True}, "both a solution and a graded"),
    ],
)
def test_a_source_notebook_that_cannot_be_graded_is_refused(grade_id, change, words):
    nb = load()
    i = index_of(nb, grade_id)
    nb["cells"][i]["metadata"]["nbgrader"].update(change)
    with pytest.raises(MarkerError, match=words):
        plan_source(nb, "bad")


def test_an_answer_without_its_check_is_refused():
    nb = load()
    del nb["cells"][index_of(nb, "ex3_2")]
    with pytest.raises(MarkerError, match="ex3_2-answer.*no check cell"):
        plan_source(nb, "orphan")


def test_the_plan_lists_items_with_the_exercise_classes_points():
    plan = plan_source(load(), SOURCE.name)
    assert [(e.id, e.grade_id, e.points) for e in plan.exercises] == [("3.1", "ex3_1", 3), ("3.2", "ex3_2", 2)]
    assert [(q.id, q.points) for q in plan.quizzes] == [("3.1", 10)]
    assert plan.items() == ["ex3_1", "ex3_2", "quiz 3.1"] and plan.max_points == 15


# ------------------------------------------------------------------------------------------------ the copy
def test_the_release_strips_solutions_and_outputs_and_keeps_the_metadata():
    nb = load()
    nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "teacher's run"}]
    copy_, summary = release_notebook(nb, SOURCE.name)
    assert summary.line() == (
        "03_recursion.ipynb: 2 exercises (5 points), 1 quizzes; removed 3 solution and 0 hidden-test regions"
    )
    body = "\n".join(text(c) for c in copy_["cells"])
    for secret in ("W[l + 1].T @ delta[l + 1]", "delta[l] @ a[l - 1].T", "[1, 3]", "BEGIN SOLUTION"):
        assert secret not in body, secret
    assert all(c.get("outputs", []) == [] for c in copy_["cells"])
    assert [gid(c) for c in copy_["cells"]] == [gid(c) for c in nb["cells"]]
    cells = {gid(c): text(c) for c in copy_["cells"] if gid(c)}
    assert cells["quiz3_1-answer"].startswith('answer("3.1", [])')
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()" in cells["ex3_1-answer"]
    assert cells["ex3_1"] == 'check("3.1")'


def test_the_release_writes_notebooks_only_and_refuses_bad_targets(tmp_path, capsys):
    src = tmp_path / "notebooks"
    src.mkdir()
    (src / SOURCE.name).write_text(SOURCE.read_text())
    (src / "notes.txt").write_text("not shipped")
    out = tmp_path / "out"
    assert release_main([str(out), "--source", str(src), "--allow-tracked"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [SOURCE.name]
    assert "2 exercises (5 points), 1 quizzes" in capsys.readouterr().out
    assert release_main([str(src / "inside"), "--source", str(src), "--allow-tracked"]) == 1
    assert "inside the source folder" in capsys.readouterr().err
    broken = json.loads(SOURCE.read_text())
    broken["cells"][0]["source"] = "between BEGIN SOLUTION and END SOLUTION"
    (src / "00_broken.ipynb").write_text(json.dumps(broken))
    assert release_main([str(tmp_path / "out2"), "--source", str(src), "--allow-tracked"]) == 1
    assert not (tmp_path / "out2").exists()  # nothing is written when one notebook fails
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    (repo / "notebooks" / SOURCE.name).write_text(SOURCE.read_text())
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("release/\n")
    with pytest.raises(ValueError, match="not ignored by git"):
        release_folder(repo / "notebooks", repo / "students")
    release_folder(repo / "notebooks", repo / "release")
    assert (repo / "release" / SOURCE.name).is_file()


def test_released_real_notebooks_hold_no_answer():
    for path in NOTEBOOKS:
        copy_, _ = release_notebook(load(path), path.name)
        code = "\n".join(text(c) for c in copy_["cells"] if c["cell_type"] == "code")
        assert "BEGIN SOLUTION" not in code and "HIDDEN TESTS" not in code, path.name
        answers = [text(c) for c in copy_["cells"] if (gid(c) or "").startswith("quiz")]
        assert all(re.search(r"answer\(\"\d+\.\d+\", \[\]\)", a) for a in answers), path.name
