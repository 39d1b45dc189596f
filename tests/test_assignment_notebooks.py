"""The course-assignment path on the real notebooks (tests/test_assignment.py covers it in detail on a fixture):
the committed notebooks, which hold the solutions, score full marks; their released copies score zero and fail only
at the exercises; a typical mistake costs exactly its exercise's points, with the notebook's own diagnosis."""
import re
from pathlib import Path

import nbformat
import pytest

from backprop_lib.assignment import grade_path, release_folder
from backprop_lib.assignment.markers import is_solution_cell
from test_assignment import answered, released, solutions

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))
TIMEOUT = 180
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def solution_grades(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return {g.notebook: g for g in grade_path(NOTEBOOKS, out, source_dir=NOTEBOOKS, timeout=TIMEOUT, jobs=2)}


@pytest.fixture(scope="module")
def released_grades(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    for source in ALL:
        released(source, tmp)
    return {g.notebook: g for g in grade_path(tmp / "release", tmp / "reports", source_dir=NOTEBOOKS,
                                               timeout=TIMEOUT, jobs=2)}


def test_every_notebook_is_graded(solution_grades):
    assert sorted(solution_grades) == [p.name for p in ALL]


@pytest.mark.parametrize("name", [p.name for p in ALL])
def test_the_solution_notebook_scores_full_marks(solution_grades, name):
    g = solution_grades[name]
    assert g.status == "graded" and not g.problems, g.problems
    assert g.max_score > 0 and g.score == g.max_score, g.to_dict()
    assert len(g.quizzes) >= 2


@pytest.mark.parametrize("name", [p.name for p in ALL])
def test_the_released_copy_scores_zero_and_fails_only_at_the_exercises(released_grades, name):
    g = released_grades[name]
    assert g.status == "graded" and g.score == 0, g.to_dict()
    assert all(e.status == "failed" for e in g.exercises)
    nb = nbformat.read(str(NOTEBOOKS / name), as_version=4)
    first_answer = min(i for i, c in enumerate(nb.cells) if is_solution_cell(c))
    raised = sorted(int(line.split(":")[0].split()[1]) for line in g.cell_errors)
    # every cell before the first exercise runs; what fails later fails for want of an answer (the placeholder
    # raises, or a later cell uses what the student has not written yet), never for another reason
    assert raised and raised[0] >= first_answer, g.cell_errors
    assert all("NotImplementedError" in line or "NameError" in line for line in g.cell_errors), g.cell_errors


def test_a_lost_one_over_m_costs_its_exercise_with_the_notebooks_diagnosis(tmp_path):
    source = NOTEBOOKS / "05_batching.ipynb"
    right = solutions(source)
    wrong = right["ex5_3-answer"].replace("/ m", "").replace("/m", "")
    assert wrong != right["ex5_3-answer"], "the solution of ex5_3 divides by m"
    copy = released(source, tmp_path)
    answered(copy, {**right, "ex5_3-answer": wrong}, tmp_path / "class" / "student" / source.name)
    (g,) = grade_path(tmp_path / "class", tmp_path / "reports", source_dir=NOTEBOOKS, timeout=TIMEOUT)
    failed = [e for e in g.exercises if e.status != "passed"]
    assert [e.grade_id for e in failed] == ["ex5_3"]
    assert g.score == g.max_score - failed[0].max_points
    assert "the 1/m is missing" in (tmp_path / "reports" / "student.md").read_text()


def test_release_folder_builds_every_student_copy(tmp_path):
    out = tmp_path / "release"
    release_folder(NOTEBOOKS, out, allow_tracked=True)
    assert sorted(p.name for p in out.glob("*.ipynb")) == [p.name for p in ALL]
    for path in out.glob("*.ipynb"):
        code = "\n".join(c.source for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "code")
        assert "### BEGIN SOLUTION" not in code and "HIDDEN TESTS" not in code, path.name
        assert not re.search(r"quiz_\d+_\d+\.answer\(\[\d", code), f"{path.name} reveals a quiz answer"
