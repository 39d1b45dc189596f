"""The grader on the real series (slow: every notebook runs twice in the sandbox; about a minute on two idle cores).

The instructor notebooks in notebooks/, graded as one student's submission, score full marks on every exercise
and quiz; their released copies score zero, every exercise "not answered", every quiz "not answered".
tests/test_grade.py covers the grader in detail on a small fixture.
"""

import json
from pathlib import Path

import pytest

from backprop_lib.course import isolation
from backprop_lib.course.grade import grade_path
from backprop_lib.course.release import release_folder

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
ALL = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
TIMEOUT = 300
pytestmark = pytest.mark.slow


def grade_class(tmp: Path, folder: Path) -> dict:
    return {
        g.notebook: g
        for g in grade_path(folder, tmp / "reports", source_dir=NOTEBOOKS, timeout=TIMEOUT, jobs=2, log=lambda _: None)
    }


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("teacher")
    sub = tmp / "submissions" / "teacher"
    sub.mkdir(parents=True)
    for name in ALL:
        (sub / name).write_bytes((NOTEBOOKS / name).read_bytes())
    return grade_class(tmp, tmp / "submissions")


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("student")
    release_folder(NOTEBOOKS, tmp / "submissions" / "student", allow_tracked=True)
    return grade_class(tmp, tmp / "submissions")


@pytest.mark.parametrize("name", ALL)
def test_the_instructor_notebook_scores_full_marks(teacher, name):
    g = teacher[name]
    assert (g.status, g.problems) == ("graded", []), json.dumps(g.to_dict(), indent=1, ensure_ascii=False)
    assert g.max_score > 0 and g.score == g.max_score, json.dumps(g.to_dict(), indent=1, ensure_ascii=False)
    if isolation.detect().isolated:
        assert g.isolation == "bubblewrap"


@pytest.mark.parametrize("name", ALL)
def test_its_released_copy_scores_zero(student, name):
    g = student[name]
    assert g.status == "graded" and g.score == 0, json.dumps(g.to_dict(), indent=1, ensure_ascii=False)
    assert all(e.status == "not answered" for e in g.exercises), [e.message for e in g.exercises]
    assert all(q.status == "not answered" for q in g.quizzes)
