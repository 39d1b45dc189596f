"""The one code path from an instructor's notebook to a student's copy, shared by `workbook` and `release`.

The instructor's notebooks in `notebooks/` carry nbgrader's markers and metadata: an answer cell
(`{"nbgrader": {"solution": true, "grade_id": "ex3_1-answer"}}`) holds its solution between the marker lines
BEGIN SOLUTION and END SOLUTION (each preceded by three hashes); a check cell (`"grade": true, "points": 3`) may
hold hidden tests between BEGIN HIDDEN TESTS and END HIDDEN TESTS. Like nbgrader, a marker counts wherever it
stands in a line, so prose must never spell a marker out.

In the student's copy a solution region becomes a stub the student can fill in and that tells a check "not
answered yet" without stopping the notebook where it stands:
  answer("3.1", [1, 3])           ->  answer("3.1", [])   (a quiz answer)
  name = ... (assignments only)   ->  name = ...          (one line per name: the check sees `...`)
  anything else (a function body) ->  # YOUR CODE HERE / raise NotImplementedError()
Hidden tests go; so do the outputs of answer and check cells (they would show the solution's verdict) and saved
widget state. With `keep_outputs` (the workbook) the teaching cells keep their figures, proofs and tables.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import textwrap
from pathlib import Path

__all__ = [
    "BEGIN_HIDDEN",
    "BEGIN_SOLUTION",
    "END_HIDDEN",
    "END_SOLUTION",
    "MarkerError",
    "has_marker",
    "read_solution",
    "stub_for",
    "student_copy",
]

_HASHES = "#" * 3
BEGIN_SOLUTION = f"{_HASHES} BEGIN SOLUTION"
END_SOLUTION = f"{_HASHES} END SOLUTION"
BEGIN_HIDDEN = f"{_HASHES} BEGIN HIDDEN TESTS"
END_HIDDEN = f"{_HASHES} END HIDDEN TESTS"
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_QUIZ_CELL = re.compile(r'^\s*quiz\("(\d+\.\d+)"\)\s*$')
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


class MarkerError(ValueError):
    """A notebook whose markers or grading metadata are inconsistent (names the notebook, cell and line)."""


def has_marker(source: str, marker: str) -> bool:
    """nbgrader's rule: the marker anywhere in a line."""
    return any(marker in line for line in source.splitlines())


def _nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def stub_for(region: str, indent: str, cell_type: str = "code") -> list[str]:
    """The lines that replace one solution region (see the module docstring)."""
    if cell_type != "code":
        return [indent + "YOUR ANSWER HERE"]
    body = textwrap.dedent(region)
    try:
        tree = ast.parse(body)
    except SyntaxError:
        tree = None
    if tree is not None and len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
        call = tree.body[0].value
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "answer"
            and call.args
            and isinstance(call.args[0], ast.Constant)
        ):
            qid = call.args[0].value
            return [indent + f'answer("{qid}", [])   # the numbers of the options you choose, e.g. [0, 2]']
    if (
        tree is not None
        and tree.body
        and all(isinstance(s, ast.Assign) and all(isinstance(t, ast.Name) for t in s.targets) for s in tree.body)
    ):
        names = list(dict.fromkeys(t.id for s in tree.body for t in s.targets))
        return [indent + f"{name} = ...   # YOUR ANSWER HERE" for name in names]
    return [indent + "# YOUR CODE HERE", indent + "raise NotImplementedError()"]


def _replace(source: str, begin: str, end: str, where: str, stub) -> tuple[str, int]:
    out, region, opened, count = [], [], 0, 0
    for number, line in enumerate(source.splitlines(), start=1):
        if begin in line:
            if opened:
                raise MarkerError(f"{where}, line {number}: a region opened on line {opened} is not closed")
            opened, region, count = number, [], count + 1
            indent = re.match(r"\s*", line).group(0)
        elif end in line:
            if not opened:
                raise MarkerError(f"{where}, line {number}: an end marker without a begin marker")
            out.extend(stub("\n".join(region), indent))
            opened = 0
        elif opened:
            region.append(line)
        else:
            out.append(line)
    if opened:
        raise MarkerError(f"{where}, line {opened}: a region is never closed")
    return "\n".join(out), count


def student_copy(nb, name: str = "notebook", keep_outputs: bool = False):
    """The student's copy of an instructor notebook (a dict as nbformat reads it) and the number of regions
    removed: (copy, n_solutions, n_hidden). The input is not changed. Raises MarkerError on broken markers."""
    out = copy.deepcopy(nb)
    out.get("metadata", {}).pop("widgets", None)
    n_solution = n_hidden = 0
    for index, cell in enumerate(out["cells"]):
        where = f"{name}, cell {index}"
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        meta = _nbgrader(cell)
        machinery = bool(meta.get("solution") or meta.get("grade"))
        if meta.get("solution"):
            if not has_marker(source, BEGIN_SOLUTION):  # nbgrader: a solution cell without markers is all answer
                source = f"{BEGIN_SOLUTION}\n{source}\n{END_SOLUTION}"
            source, n = _replace(
                source,
                BEGIN_SOLUTION,
                END_SOLUTION,
                where,
                lambda region, indent, t=cell["cell_type"]: stub_for(region, indent, t),
            )
            n_solution += n
        if has_marker(source, BEGIN_HIDDEN):
            source, n = _replace(source, BEGIN_HIDDEN, END_HIDDEN, where, lambda region, indent: [])
            n_hidden += n
        for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
            if has_marker(source, marker):
                raise MarkerError(f"{where}: the marker {marker!r} stands outside a solution or graded cell")
        cell["source"] = source
        cell.get("metadata", {}).pop("execution", None)
        if cell["cell_type"] != "code":
            continue
        if machinery or not keep_outputs:
            cell["outputs"], cell["execution_count"] = [], None
        else:
            kept = []
            for output in cell.get("outputs", []):
                data = output.get("data")
                if isinstance(data, dict) and _WIDGET_MIME in data:
                    data = {k: v for k, v in data.items() if k != _WIDGET_MIME}
                    if not data:
                        continue
                    output = {**output, "data": data}
                kept.append(output)
            cell["outputs"] = kept
    return out, n_solution, n_hidden


def read_solution(exercise_id: str):
    """(path, source) of the instructor's answer cell of an exercise, marker lines dropped; None if absent."""
    chapter, number = exercise_id.split(".")
    candidates = sorted(NOTEBOOKS.glob(f"{int(chapter):02d}_*.ipynb")) if NOTEBOOKS.is_dir() else []
    for path in candidates:
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            if _nbgrader(cell).get("grade_id") == f"ex{int(chapter)}_{int(number)}-answer":
                source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                lines = [ln for ln in source.splitlines() if BEGIN_SOLUTION not in ln and END_SOLUTION not in ln]
                return f"notebooks/{path.name}", "\n".join(lines)
    return None
