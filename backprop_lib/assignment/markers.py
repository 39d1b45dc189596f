"""The nbgrader-compatible markers of an exercise notebook, and the cell surgery that release and grade share.

An exercise is two code cells. The answer cell holds the solution between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` and carries ``{"nbgrader": {"solution": true, "grade": false, "grade_id": "ex2_1-answer"}}``.
The check cell right after it carries ``{"nbgrader": {"grade": true, "solution": false, "grade_id": "ex2_1",
"points": 2}}``; it may hold tests between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` that the
student copy does not show. These are nbgrader's own markers and metadata (schema_version 3), so
``nbgrader generate_assignment`` understands the same notebooks. Documented in INSTRUCTORS.md.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
#: What a solution region of a code cell becomes in the student copy (nbgrader's default stub).
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
#: What a solution region of a markdown cell becomes.
TEXT_STUB = ("YOUR ANSWER HERE",)


class MarkerError(ValueError):
    """A notebook whose markers or grading metadata are inconsistent (names the notebook, cell and marker)."""


def _nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_solution_cell(cell) -> bool:
    """True when nbgrader metadata marks the cell as holding a solution."""
    return bool(_nbgrader(cell).get("solution", False))


def is_grade_cell(cell) -> bool:
    """True when nbgrader metadata marks the cell as a graded (autograder test) cell."""
    return bool(_nbgrader(cell).get("grade", False)) and cell.get("cell_type") == "code"


def grade_id(cell) -> str | None:
    """The cell's nbgrader grade_id, or None."""
    gid = _nbgrader(cell).get("grade_id")
    return str(gid) if gid is not None else None


def _marker_at(line: str, marker: str) -> bool:
    return line.strip().startswith(marker)


def _where(where: str, line_no: int) -> str:
    return f"{where}, line {line_no}"


def replace_regions(source: str, begin: str, end: str, stub: tuple[str, ...], where: str) -> tuple[str, int]:
    """Replace every ``begin`` ... ``end`` region (marker lines included) by ``stub`` lines at the marker's
    indentation; returns the new source and the number of regions. Raises MarkerError for a region that is
    not closed, an ``end`` without ``begin``, or a nested ``begin``."""
    out: list[str] = []
    inside_since = 0
    count = 0
    for number, line in enumerate(source.splitlines(), start=1):
        if _marker_at(line, begin):
            if inside_since:
                raise MarkerError(f"{_where(where, number)}: {begin!r} inside the region opened on line "
                                  f"{inside_since}; close it with {end!r} first")
            inside_since = number
            count += 1
            indent = re.match(r"\s*", line).group(0)
            out.extend(indent + s for s in stub)
        elif _marker_at(line, end):
            if not inside_since:
                raise MarkerError(f"{_where(where, number)}: {end!r} without a matching {begin!r}")
            inside_since = 0
        elif not inside_since:
            out.append(line)
    if inside_since:
        raise MarkerError(f"{_where(where, inside_since)}: {begin!r} is never closed by {end!r}")
    return "\n".join(out), count


def strip_solution(source: str, cell_type: str = "code", where: str = "cell") -> tuple[str, int]:
    """The student's view of an answer cell: each solution region becomes ``# YOUR CODE HERE`` and
    ``raise NotImplementedError()`` (``YOUR ANSWER HERE`` in markdown)."""
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    return replace_regions(source, BEGIN_SOLUTION, END_SOLUTION, stub, where)


def strip_hidden_tests(source: str, where: str = "cell") -> tuple[str, int]:
    """The student's view of a check cell: hidden test regions removed, marker lines included."""
    return replace_regions(source, BEGIN_HIDDEN, END_HIDDEN, (), where)


def has_marker(source: str, marker: str) -> bool:
    """True when some line of ``source`` starts (after indentation) with ``marker``."""
    return any(_marker_at(line, marker) for line in source.splitlines())


# ------------------------------------------------------------------------------------------------ the plan
@dataclass
class Exercise:
    """One graded check cell of the instructor's notebook, with the answer cell it grades."""
    grade_id: str
    points: float
    source: str                      # the full check cell, hidden tests included
    cell_index: int                  # position in the instructor's notebook
    answer_id: str | None = None     # grade_id of the nearest solution cell above it


@dataclass
class QuizSpec:
    """A ``Quiz(...)`` construction found in the instructor's notebook."""
    quiz_id: str
    call_source: str                 # the literal call, evaluated again by the grader
    cell_index: int
    variable: str | None = None      # the name it is bound to (``q2_1 = Quiz(...)``), if any


@dataclass
class NotebookPlan:
    """What is graded in one instructor notebook: exercises in order, quizzes, and its import statements."""
    exercises: list[Exercise] = field(default_factory=list)
    quizzes: list[QuizSpec] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)   # every top-level import statement, in order
    solution_ids: list[str] = field(default_factory=list)

    @property
    def max_exercise_points(self) -> float:
        return sum(e.points for e in self.exercises)


def python_source(source: str) -> str:
    """Cell source as plain Python (IPython magics such as ``%matplotlib inline`` turned into calls)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(source)
    except Exception:  # IPython missing or a transformer failure: drop magic lines instead
        return "\n".join(l for l in source.splitlines() if not l.lstrip().startswith(("%", "!")))


def _parse(source: str):
    try:
        return ast.parse(python_source(source))
    except SyntaxError:
        return None


def _is_quiz_call(node) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    return (isinstance(f, ast.Name) and f.id == "Quiz") or (isinstance(f, ast.Attribute) and f.attr == "Quiz")


def find_quizzes(source: str, cell_index: int, where: str) -> list[QuizSpec]:
    """Every ``Quiz(...)`` call in a cell, with its id (the first argument or ``quiz_id=``, a string literal)."""
    tree = _parse(source)
    if tree is None:
        return []
    text = python_source(source)
    bound: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_quiz_call(node.value) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            bound[id(node.value)] = node.targets[0].id
    found = []
    for node in ast.walk(tree):
        if not _is_quiz_call(node):
            continue
        arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "quiz_id"), None)
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            raise MarkerError(f"{where}: the quiz id of Quiz(...) must be a string literal such as '2.1'")
        found.append(QuizSpec(arg.value, ast.get_source_segment(text, node), cell_index, bound.get(id(node))))
    return found


def quiz_answer_calls(source: str, quiz_names: set[str]) -> list[str]:
    """Calls ``name.answer(...)`` on a quiz variable (or ``Quiz(...).answer(...)``) in this source."""
    tree = _parse(source)
    if tree is None:
        return []
    text = python_source(source)
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "answer":
            owner = node.func.value
            if (isinstance(owner, ast.Name) and owner.id in quiz_names) or _is_quiz_call(owner):
                calls.append(ast.get_source_segment(text, node))
    return calls


def import_statements(source: str) -> list[str]:
    """The top-level ``import`` / ``from ... import`` statements of a cell, as source text."""
    tree = _parse(source)
    if tree is None:
        return []
    text = python_source(source)
    return [ast.get_source_segment(text, node) for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom)) and getattr(node, "level", 0) == 0]


def bound_names(import_stmt: str) -> list[str]:
    """The names an import statement binds (``import a.b`` binds ``a``; ``from m import x as y`` binds ``y``)."""
    node = ast.parse(import_stmt).body[0]
    names = []
    for alias in node.names:
        if alias.name == "*":
            continue
        names.append(alias.asname or alias.name.split(".")[0])
    return names


#: nbgrader's schema for grade_id (schema_version 3): no dots, so Exercise 2.1 is "ex2_1".
GRADE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_\-]+$")


def plan_notebook(nb, name: str = "notebook", strict_ids: bool = True) -> NotebookPlan:
    """Read the instructor's notebook: its exercises (check cells with points), quizzes and imports.

    Raises MarkerError for: solution markers in a cell without ``solution: true`` metadata (nbgrader rejects
    these too), a check cell without ``grade_id`` or ``points``, a duplicate grade_id, unbalanced markers,
    and (with ``strict_ids``) a grade_id that nbgrader's schema rejects, such as ``ex2.1``.
    """
    plan = NotebookPlan()
    seen: set[str] = set()
    last_answer = None
    for index, cell in enumerate(nb.cells):
        source = cell.get("source", "")
        where = f"{name}, cell {index}"
        gid = grade_id(cell)
        if gid is not None:
            if strict_ids and not GRADE_ID_PATTERN.match(gid):
                raise MarkerError(f"{where}: grade_id {gid!r} is not valid for nbgrader (letters, digits, '_' and "
                                  f"'-' only); write e.g. {re.sub(r'[^A-Za-z0-9_-]', '_', gid)!r}")
            if gid in seen:
                raise MarkerError(f"{where}: grade_id {gid!r} is used twice; every graded or solution cell "
                                  f"needs its own")
            seen.add(gid)
        if has_marker(source, BEGIN_SOLUTION) or has_marker(source, END_SOLUTION):
            if not is_solution_cell(cell):
                raise MarkerError(f"{where}: {BEGIN_SOLUTION!r} in a cell whose metadata lacks "
                                  f'"nbgrader": {{"solution": true, ...}}')
            strip_solution(source, cell.get("cell_type", "code"), where)   # validates the markers
        if is_solution_cell(cell):
            if gid is None:
                raise MarkerError(f"{where}: solution cell without a grade_id (e.g. \"ex2_1-answer\")")
            plan.solution_ids.append(gid)
            last_answer = gid
        if is_grade_cell(cell):
            if gid is None:
                raise MarkerError(f"{where}: graded cell without a grade_id (e.g. \"ex2.1\")")
            points = _nbgrader(cell).get("points")
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
                raise MarkerError(f"{where}: graded cell {gid!r} needs \"points\" (a number >= 0), "
                                  f"got {points!r}")
            strip_hidden_tests(source, where)                                  # validates the markers
            plan.exercises.append(Exercise(gid, float(points), source, index, last_answer))
        elif has_marker(source, BEGIN_HIDDEN):
            raise MarkerError(f"{where}: {BEGIN_HIDDEN!r} in a cell that is not a graded cell")
        if cell.get("cell_type") == "code":
            plan.quizzes.extend(find_quizzes(source, index, where))
            # imports inside a solution region belong to the answer, not to the checks
            visible = strip_solution(source, "code", where)[0] if is_solution_cell(cell) else source
            plan.imports.extend(import_statements(visible))
    ids = [q.quiz_id for q in plan.quizzes]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise MarkerError(f"{name}: quiz id {dupes} is constructed more than once")
    return plan
