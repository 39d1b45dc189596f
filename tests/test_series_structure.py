"""The series keeps its promises to a reader: each notebook opens with learning goals and prerequisites, numbers
its equations N.k, ends with a summary, exercises and navigation, asks at least two quizzes, and imports from
backprop_lib only what it or an earlier notebook introduced."""

import re
from pathlib import Path

import nbformat
import nbtools
import pytest

import backprop_lib

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
NAMES = [p.stem for p in NOTEBOOKS]

# The notebook in which each part of the package is first taught (CONTRIBUTING.md's package map).
INTRODUCED_IN = {
    "backprop_lib.course": 0,
    "backprop_lib.symbolic": 0,
    "backprop_lib.network": 1,
    "backprop_lib.feedback": 1,
    "backprop_lib.plotting": 1,
    "backprop_lib.symbolic.index": 1,
    "backprop_lib.activations": 2,
    "backprop_lib.costs": 2,
    "backprop_lib.gradcheck": 3,
    "backprop_lib.benchmark": 5,
    "backprop_lib.data": 6,
    "backprop_lib.training": 6,
    "backprop_lib.custom_cost": 6,
    "backprop_lib.symbolic.ledger": 7,
    "backprop_lib.autodiff": 8,
    "backprop_lib.depth": 9,
}


def text(path, kind):
    return "\n".join(c.source for c in nbtools.cells(path) if c.cell_type == kind)


def imported_modules(path):
    """The backprop_lib module each imported name comes from (top-level names resolved to their module)."""
    found = set()
    code = text(path, "code")
    for module, names in re.findall(r"^\s*from (backprop_lib[\w.]*) import \(?([^#)\n]+)", code, re.M):
        if module == "backprop_lib":
            for name in (n.split(" as ")[0].strip() for n in names.split(",")):
                found.add(getattr(backprop_lib, name).__module__)
        else:
            found.add(module)
    found.update(re.findall(r"^\s*import (backprop_lib[\w.]*)", code, re.M))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_opens_with_title_learning_goals_and_prerequisites(path):
    n = int(path.stem[:2])
    opening = "\n".join(c.source for c in nbtools.cells(path)[:3] if c.cell_type == "markdown")
    assert re.match(rf"# {n}\. ", opening), "the first cell is the title '# N. ...'"
    assert "Learning goals" in opening and "Prerequisites" in opening


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=NAMES[1:])
def test_numbers_its_equations_and_ends_with_summary_exercises_navigation(path):
    n = int(path.stem[:2])
    md = text(path, "markdown")
    if n != 7:  # 07 shows the sources' equations under the sources' own labels, so it adds no numbers
        assert re.search(rf"\\tag{{{n}\.\d+}}", md), f"equations are numbered ({n}.k)"
    tags = re.findall(r"\\tag{(\d+)\.\d+}", md)
    assert set(tags) <= {str(n)}, f"a notebook numbers only its own equations: {sorted(set(tags))}"
    assert "## Summary" in md or "# Summary" in md
    assert "Exercises" in md
    last = [c.source for c in nbtools.cells(path) if c.cell_type == "markdown"][-1]
    assert "(00_index.ipynb)" in last, "the last cell links to the contents"
    assert f"({NAMES[n - 1]}.ipynb)" in last, "the last cell links to the previous notebook"
    if n + 1 < len(NAMES):
        assert f"({NAMES[n + 1]}.ipynb)" in last, "the last cell links to the next notebook"


def test_the_series_is_every_notebook_from_00():
    assert len(NAMES) >= 10 and [int(name[:2]) for name in NAMES] == list(range(len(NAMES))), NAMES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_has_at_least_two_quizzes_and_exercises(path):
    """Quizzes are one-line `quiz("N.k")` cells, each followed by its graded answer cell; exercises are an answer
    cell and a one-line `check("N.k")` cell with nbgrader's metadata and points (the form nbtools asserts; each
    notebook's own test names its quizzes and exercises)."""
    n = int(path.stem[:2])
    shown = [qid for qid, _ in nbtools.quiz_cells(path)]
    assert len(shown) >= 2 and all(q.startswith(f"{n}.") for q in shown)
    checks = nbtools.exercise_cells(path)
    if path.stem != "00_index":
        assert len(checks) >= 2, "at least two graded exercises"


# Names of the package's retired API, in code or prose: act.prime and act.f( for σ′ and σ, net.sigma( for the
# symbolic network's σ, samples= for the batch size m.
RETIRED = ("act.prime", "act.f(", "net.sigma(", "samples=")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_imports_the_course_functions_first_and_no_retired_name(path):
    """The first code cell (in 01-09 the cell after the title) imports answer, check, quiz and solution."""
    all_cells = nbtools.cells(path)
    first = next(i for i, c in enumerate(all_cells) if c.cell_type == "code")
    assert "from backprop_lib.course import answer, check, quiz, solution" in all_cells[first].source
    if path.stem != "00_index":
        assert first == 1
    text = "\n".join(c.source for c in all_cells)
    assert [name for name in RETIRED if name in text] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_imports_only_what_this_or_an_earlier_notebook_introduced(path):
    n = int(path.stem[:2])
    for module in imported_modules(path):
        assert module in INTRODUCED_IN, f"{module} is not in the package map"
        assert INTRODUCED_IN[module] <= n, (
            f"{path.stem} uses {module}, first taught in notebook {INTRODUCED_IN[module]:02d}"
        )


def test_the_import_rule_can_fail(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("from backprop_lib import MLP, sgd")])
    path = tmp_path / "02_fake.ipynb"
    nbformat.write(nb, str(path))
    assert "backprop_lib.training" in imported_modules(path)  # sgd resolves to its module, taught in 06
