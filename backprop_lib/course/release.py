"""Student copies, and what a source notebook must satisfy: `python -m backprop_lib release OUTDIR`.

An instructor notebook (`notebooks/NN_name.ipynb`) carries nbgrader's metadata (schema version 3):

* an exercise is an answer cell (`"solution": true`, grade_id `exN_k-answer`, the solution between the solution
  markers) followed by a check cell (`"grade": true`, grade_id `exN_k`, `points`), whose code is `check("N.k")`;
  the checking code, hidden cases included, is the class of Exercise N.k in `course/exercises/chNN.py`, and the
  cell's `points` must equal that class's `points`;
* a quiz is `quiz("N.k")` followed by an answer cell (`"solution": true`, grade_id `quizN_k-answer`) holding
  `answer("N.k", [...])` between the markers; its question, options, key and points live in
  `course/quizzes/chNN.json`.

`plan_source` reads and checks this (the grader grades from the same plan); `release_folder` writes the student's
copy of every notebook through the one stripping path, `strip.student_copy`. Like nbgrader, the check counts a
marker's words (BEGIN SOLUTION, END SOLUTION, BEGIN HIDDEN TESTS, END HIDDEN TESTS) anywhere in a line, so prose
that spells one out is refused: nbgrader's `generate_assignment` would refuse it too.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .strip import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, MarkerError, student_copy

__all__ = [
    "MarkerError",
    "PlannedExercise",
    "PlannedQuiz",
    "SourcePlan",
    "marker_problems",
    "plan_source",
    "read_source",
    "release_folder",
    "release_main",
    "release_notebook",
]

DEFAULT_SOURCE = "notebooks"
GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")  # nbgrader's schema: no dots
_CHECK_ID = re.compile(r"^ex(\d+)_(\d+)$")
_ANSWER_ID = re.compile(r"^ex(\d+)_(\d+)-answer$")
_QUIZ_ID = re.compile(r"^quiz(\d+)_(\d+)-answer$")
#: nbgrader's delimiters: it finds these words anywhere in a line of any cell.
NBGRADER_WORDS = {
    "BEGIN SOLUTION": BEGIN_SOLUTION,
    "END SOLUTION": END_SOLUTION,
    "BEGIN HIDDEN TESTS": BEGIN_HIDDEN,
    "END HIDDEN TESTS": END_HIDDEN,
}


@dataclass(frozen=True)
class PlannedExercise:
    """An exercise of a source notebook: its id ("3.1"), check cell grade_id ("ex3_1"), points, cell index."""

    id: str
    grade_id: str
    points: float
    cell: int

    @property
    def answer_id(self) -> str:
        return f"{self.grade_id}-answer"


@dataclass(frozen=True)
class PlannedQuiz:
    """A quiz of a source notebook: its id ("3.1"), answer cell grade_id ("quiz3_1-answer"), points."""

    id: str
    grade_id: str
    points: float
    cell: int


@dataclass
class SourcePlan:
    """What is graded in one instructor notebook, in notebook order."""

    name: str
    exercises: list = field(default_factory=list)
    quizzes: list = field(default_factory=list)

    @property
    def max_points(self) -> float:
        return sum(e.points for e in self.exercises) + sum(q.points for q in self.quizzes)

    def items(self) -> list[str]:
        """The CSV column of each item: the check's grade_id for an exercise, "quiz N.k" for a quiz."""
        return [e.grade_id for e in self.exercises] + [f"quiz {q.id}" for q in self.quizzes]


def _source_text(cell) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def _nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def marker_problems(nb: dict, name: str = "notebook") -> list[str]:
    """Where nbgrader's marker rule (the words anywhere in a line) and this package's stripping could disagree.

    Every line holding a marker's words must be exactly that marker (three hashes and the words), in a cell of the
    right kind: solution markers in a solution cell, hidden-test markers in a graded cell. Returns the problems,
    one line each (empty when the notebook is clean).
    """
    problems = []
    for index, cell in enumerate(nb.get("cells", [])):
        meta = _nbgrader(cell)
        for number, line in enumerate(_source_text(cell).splitlines(), start=1):
            for words, marker in NBGRADER_WORDS.items():
                if words not in line:
                    continue
                where = f"{name}, cell {index} ({cell.get('cell_type')}), line {number}"
                solution_marker = "SOLUTION" in words
                if line.strip() != marker:
                    problems.append(
                        f"{where}: the words {words!r} in {line.strip()[:80]!r}; nbgrader reads them as "
                        f"a marker wherever they stand (describe the marker in other words)"
                    )
                elif solution_marker and not meta.get("solution"):
                    problems.append(f'{where}: a solution marker in a cell without "solution": true')
                elif not solution_marker and not meta.get("grade"):
                    problems.append(f'{where}: a hidden-test marker in a cell without "grade": true')
    return problems


def plan_source(nb: dict, name: str = "notebook") -> SourcePlan:
    """Check an instructor notebook and return its plan; MarkerError (a ValueError) names the first problem.

    Checks: markers (nbgrader's rule, balanced regions); grade_ids valid for nbgrader and unique; every check cell
    `exN_k` has an Exercise N.k in the package with the same points and an answer cell `exN_k-answer` above it;
    every solution cell is an exercise answer or a quiz answer `quizN_k-answer` of a quiz in the package's data.
    """
    from .exercises import exercises
    from .quiz import Quiz

    problems = marker_problems(nb, name)
    if problems:
        raise MarkerError(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    student_copy(nb, name)  # balanced regions, the same path the release takes
    known = exercises()
    plan = SourcePlan(name)
    seen, answers = set(), set()
    for index, cell in enumerate(nb.get("cells", [])):
        meta = _nbgrader(cell)
        if not meta:
            continue
        where = f"{name}, cell {index}"
        gid = meta.get("grade_id")
        if not isinstance(gid, str) or not GRADE_ID.match(gid):
            raise MarkerError(f"{where}: grade_id must be letters, digits, '_' and '-' (nbgrader's rule), got {gid!r}")
        if gid in seen:
            raise MarkerError(f"{where}: grade_id {gid!r} is used twice")
        seen.add(gid)
        if meta.get("grade") and meta.get("solution"):
            raise MarkerError(
                f"{where}: {gid!r} is both a solution and a graded cell; an exercise is an answer "
                "cell followed by a check cell"
            )
        if meta.get("grade"):
            match = _CHECK_ID.match(gid)
            if cell.get("cell_type") != "code" or not match:
                raise MarkerError(
                    f"{where}: a graded cell must be a code cell with grade_id exN_k (the check of "
                    f"Exercise N.k), got {gid!r}"
                )
            ex_id = f"{int(match[1])}.{int(match[2])}"
            exercise = known.get(ex_id)
            if exercise is None:
                raise MarkerError(
                    f"{where}: the check cell {gid!r} has no Exercise {ex_id} in backprop_lib/course/exercises/"
                )
            points = meta.get("points")
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points != exercise.points:
                raise MarkerError(
                    f"{where}: the check cell {gid!r} has points {points!r}, but Exercise {ex_id} is "
                    f"worth {exercise.points}; make them equal"
                )
            if f"{gid}-answer" not in answers:
                raise MarkerError(f"{where}: the check cell {gid!r} has no answer cell {gid}-answer above it")
            plan.exercises.append(PlannedExercise(ex_id, gid, float(exercise.points), index))
        elif meta.get("solution"):
            quiz_match, answer_match = _QUIZ_ID.match(gid), _ANSWER_ID.match(gid)
            if quiz_match:
                qid = f"{int(quiz_match[1])}.{int(quiz_match[2])}"
                try:
                    quiz = Quiz.load(qid)
                except ValueError as exc:
                    raise MarkerError(f"{where}: the quiz answer cell {gid!r} has no quiz: {exc}") from None
                plan.quizzes.append(PlannedQuiz(qid, gid, float(quiz.points), index))
            elif answer_match:
                answers.add(gid)
            else:
                raise MarkerError(
                    f"{where}: a solution cell must be an exercise answer (exN_k-answer) or a quiz "
                    f"answer (quizN_k-answer), got {gid!r}"
                )
    checked = {e.answer_id for e in plan.exercises}
    orphans = sorted(answers - checked)
    if orphans:
        raise MarkerError(f"{name}: the answer cell {orphans[0]!r} has no check cell after it")
    return plan


def read_source(path) -> dict:
    """An instructor notebook as a dict (it is trusted: the instructor's own file)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------------ release
@dataclass
class ReleaseSummary:
    name: str
    plan: SourcePlan
    solutions_removed: int
    hidden_removed: int

    def line(self) -> str:
        points = sum(e.points for e in self.plan.exercises)
        return (
            f"{self.name}: {len(self.plan.exercises)} exercises ({points:g} points), "
            f"{len(self.plan.quizzes)} quizzes; removed {self.solutions_removed} solution and "
            f"{self.hidden_removed} hidden-test regions"
        )


def release_notebook(nb: dict, name: str = "notebook"):
    """(student copy, ReleaseSummary) of an instructor notebook: checked by `plan_source`, stripped by
    `strip.student_copy` (solutions become stubs, hidden tests go, every output is cleared)."""
    plan = plan_source(nb, name)
    copy_, n_solution, n_hidden = student_copy(nb, name, keep_outputs=False)
    return copy_, ReleaseSummary(name, plan, n_solution, n_hidden)


def git_tracks(path: Path) -> bool:
    """True when `path` lies in a git work tree and git does not ignore it (students' copies could be committed)."""
    probe = Path(path).resolve() / "probe.ipynb"
    anchor = Path(path).resolve()
    while not anchor.exists():
        anchor = anchor.parent
    try:
        done = subprocess.run(["git", "check-ignore", "-q", str(probe)], cwd=anchor, capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 1  # 0: ignored; 1: not ignored; 128: not a git work tree


def release_folder(source_dir, outdir, allow_tracked: bool = False) -> list[ReleaseSummary]:
    """Write the student copy of every `*.ipynb` of `source_dir` into `outdir` (notebooks only, nothing else).

    Raises ValueError when there is nothing to release, when `outdir` is (inside) `source_dir`, or when git would
    track `outdir` and `allow_tracked` is False; MarkerError for a notebook that fails `plan_source`. Every
    notebook is checked before anything is written, so a failure leaves `outdir` unchanged.
    """
    source_dir, outdir = Path(source_dir), Path(outdir)
    if not source_dir.is_dir():
        raise ValueError(f"source: the folder {source_dir} does not exist")
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"source: no notebooks (*.ipynb) in {source_dir}")
    src_abs, out_abs = source_dir.resolve(), outdir.resolve()
    if out_abs == src_abs or src_abs in out_abs.parents:
        raise ValueError(f"OUTDIR {outdir} is inside the source folder {source_dir}; choose e.g. release/")
    if not allow_tracked and git_tracks(outdir):
        raise ValueError(
            f"OUTDIR {outdir} is not ignored by git, so the student copies could be committed; use a "
            "git-ignored folder such as release/ (or pass --allow-tracked)"
        )
    released = []
    for src in notebooks:
        try:
            nb = read_source(src)
        except (OSError, ValueError) as exc:
            raise ValueError(f"{src.name}: not a readable notebook ({exc})") from None
        released.append((src, *release_notebook(nb, src.name)))
    outdir.mkdir(parents=True, exist_ok=True)
    for src, copy_, _ in released:
        (outdir / src.name).write_text(json.dumps(copy_, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return [summary for _, _, summary in released]


def release_main(argv) -> int:
    """`python -m backprop_lib release OUTDIR [--source notebooks] [--allow-tracked]`; the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m backprop_lib release",
        description="Write the student copy of every notebook: solutions replaced by a stub, hidden tests removed, "
        "outputs cleared. OUTDIR should be git-ignored (release/ is).",
    )
    parser.add_argument("outdir", type=Path, help="where the student copies go, e.g. release/")
    parser.add_argument(
        "--source", type=Path, default=Path(DEFAULT_SOURCE), help="folder of instructor notebooks (default: notebooks)"
    )
    parser.add_argument("--allow-tracked", action="store_true", help="write even if git would track OUTDIR")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        summaries = release_folder(args.source, args.outdir, args.allow_tracked)
    except (ValueError, OSError) as exc:
        print(f"release: error: {exc}", file=sys.stderr)
        return 1
    for s in summaries:
        print(s.line())
    print(f"wrote {len(summaries)} student notebooks to {args.outdir}")
    return 0
