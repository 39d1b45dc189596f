"""Grading one submitted notebook: the run built from it, run in the sandbox, its records judged, its quizzes scored.

Steps 2 to 5 of `course.grade`: `build_run` makes the notebook to run (each check cell becomes `collect`),
`grade_notebook` runs it with `sandbox.run_notebook` and judges the last well-formed record of each exercise in a
fresh process (`judge_records`), and `score_quizzes` reads each quiz's answer cell as written. The result is a
NotebookGrade: the points and status of every exercise and quiz, and the problems the report shows.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import sandbox
from .isolation import Limits, detect
from .release import SourcePlan, plan_source, read_source
from .runner import MAX_PAYLOAD
from .submission import InvalidNotebook, read_submission

__all__ = [
    "DEFAULT_TIMEOUT",
    "ExerciseResult",
    "NotebookGrade",
    "QuizResult",
    "build_run",
    "grade_notebook",
    "judge_records",
    "score_quizzes",
]

DEFAULT_TIMEOUT = 120.0
MAX_ANSWER_CHARS = 100_000
JUDGE_SECONDS = 60.0  # per exercise, in the judge process
_STATUSES = ("passed", "failed", "not answered", "not run")


# ------------------------------------------------------------------------------------------------ results
@dataclass
class ExerciseResult:
    """The verdict on one exercise: its id ("3.1"), check grade_id, points, and the judge's diagnosis."""

    id: str
    grade_id: str
    points: float
    max_points: float
    status: str  # "passed", "failed", "not answered" or "not run"
    message: str = ""


@dataclass
class QuizResult:
    """A quiz scored from the answer cell as written: "right", "wrong" or "not answered"."""

    id: str
    grade_id: str
    points: float
    max_points: float
    status: str
    message: str = ""


@dataclass
class NotebookGrade:
    """The score breakdown of one submission (one notebook of one student)."""

    student: str
    notebook: str
    submission: str
    source: str = ""
    exercises: list = field(default_factory=list)
    quizzes: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # lines the report shows above the table
    cell_errors: list = field(default_factory=list)  # "cell 7: NameError: ..." for the submission's own cells
    status: str = "graded"  # graded | timed out | kernel died | stopped | invalid notebook | no source | error
    seconds: float = 0.0
    isolation: str = ""

    @property
    def score(self) -> float:
        return sum(e.points for e in self.exercises) + sum(q.points for q in self.quizzes)

    @property
    def max_score(self) -> float:
        return sum(e.max_points for e in self.exercises) + sum(q.max_points for q in self.quizzes)

    def items(self) -> dict:
        """Points per item, keyed like the CSV columns: the check's grade_id, or "quiz N.k"."""
        out = {e.grade_id: e.points for e in self.exercises}
        out.update({f"quiz {q.id}": q.points for q in self.quizzes})
        return out

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> NotebookGrade:
        d = dict(d)
        d["exercises"] = [ExerciseResult(**e) for e in d.get("exercises", [])]
        d["quizzes"] = [QuizResult(**q) for q in d.get("quizzes", [])]
        return cls(**d)


# ------------------------------------------------------------------------------------------------ the run
def _collect_source(exercise_id: str) -> str:
    return f'__import__("backprop_lib.course.exercises", fromlist=["collect"]).collect("{exercise_id}")'


def build_run(cells: list[dict], plan: SourcePlan):
    """The notebook to run from a submission's cells: (nbformat 4 dict, roles, problems).

    Code cells keep their order and text; a cell whose grade_id is a check of the plan becomes
    `collect("N.k")`; a check the submission lacks is put after its answer cell (or at the end). `roles[i]` says
    what run cell i is: ("cell", submission index) or ("check", submission index or None, exercise id).
    """
    checks = {e.grade_id: e for e in plan.exercises}
    run, roles, problems, placed = [], [], [], set()
    answer_at = {}
    for index, cell in enumerate(cells):
        gid = cell["grade_id"]
        if cell["type"] != "code":
            continue
        if gid in checks:
            run.append(_collect_source(checks[gid].id))
            roles.append(("check", index, checks[gid].id))
            placed.add(gid)
            continue
        run.append(cell["source"])
        roles.append(("cell", index))
        if gid is not None and gid.endswith("-answer"):
            answer_at[gid] = len(run)
    for ex in plan.exercises:
        if ex.grade_id in placed:
            continue
        at = answer_at.get(ex.answer_id)
        where = f"after the answer cell {ex.answer_id}" if at is not None else "at the end (no answer cell either)"
        problems.append(f"the check cell {ex.grade_id} is missing from the submission; its check ran {where}")
        at = len(run) if at is None else at
        run.insert(at, _collect_source(ex.id))
        roles.insert(at, ("check", None, ex.id))
        for gid, pos in answer_at.items():
            if pos > at:
                answer_at[gid] = pos + 1
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
        "cells": [
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": s, "id": f"run-{i}"}
            for i, s in enumerate(run)
        ],
    }
    return nb, roles, problems


def _well_formed(record, exercise_id: str) -> bool:
    """A record as `collect` writes it: {"exercise": id, "values": [objects with a string "t"]}, not too large."""
    if not isinstance(record, dict) or record.get("exercise") != exercise_id:
        return False
    values = record.get("values")
    if not isinstance(values, list) or not all(isinstance(v, dict) and isinstance(v.get("t"), str) for v in values):
        return False
    from .encode import MAX_BYTES

    try:
        return len(json.dumps(record, allow_nan=False)) <= MAX_BYTES
    except (TypeError, ValueError, RecursionError):
        return False


def _what(roles, index) -> str:
    if not isinstance(index, int) or not 0 <= index < len(roles):
        return "the start of the notebook"
    role = roles[index]
    if role[0] == "check":
        return f"the check of Exercise {role[2]}"
    return f"cell {role[1]}"


def _tail(text) -> str:
    lines = str(text).strip().splitlines()
    return lines[-1] if lines else "no message"


def _first_line(text, limit=300) -> str:
    lines = str(text).strip().splitlines()
    return (lines[0] if lines else "")[:limit]


def judge_records(records: dict, isolation, limits, per_exercise: float = JUDGE_SECONDS) -> dict:
    """{exercise id: (status, message)} for {exercise id: record}, judged in fresh processes under `isolation`.

    A record the judge cannot finish within `per_exercise` seconds (or the limits) scores nothing; the judge then
    starts again for the records after it.
    """
    from .exercises import get

    pending = list(records.items())
    verdicts = {}
    while pending:
        batch, size = [], 0  # as many records as fit in one payload (they are small)
        for ex_id, record in pending:
            size += len(json.dumps(record))
            if batch and size > MAX_PAYLOAD // 2:
                break
            batch.append((ex_id, record))
        run = sandbox.judge([[i, r] for i, r in batch], isolation, limits, per_exercise=per_exercise)
        if not any(e.get("e") == "start" for e in run.events):  # before any record is read: our failure
            raise RuntimeError(f"the judge did not start ({_first_line(_tail(run.stderr))})")
        for event in run.events:
            ex_id = event.get("exercise")
            if event.get("e") == "judged" and isinstance(ex_id, str) and ex_id in dict(batch) and ex_id not in verdicts:
                status, message = event.get("status"), event.get("message")
                if status in _STATUSES and isinstance(message, str):
                    verdicts[ex_id] = (status, message[:2000])
        unjudged = [i for i, _ in batch if i not in verdicts]
        if unjudged:  # the judge stopped on this one; the rest go to a fresh judge
            why = (
                "it took longer than the judge's limit"
                if run.ended in ("killed", "watchdog")
                else "the judge stopped on it"
            )
            verdicts[unjudged[0]] = (
                "failed",
                f"the check's record of Exercise {get(unjudged[0]).id} could not "
                f"be judged: {why} (a value far too large or malformed)",
            )
        pending = [(i, r) for i, r in pending if i not in verdicts]
    return verdicts


def grade_notebook(
    path,
    source,
    plan: SourcePlan | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    isolation=None,
    limits: Limits | None = None,
    student: str | None = None,
    judge_seconds: float = JUDGE_SECONDS,
) -> NotebookGrade:
    """Grade one submitted notebook against the instructor notebook `source`; never raises for a bad submission.

    `timeout` (seconds) bounds the run of the submission's cells, checks included; what has not run by then
    scores zero. `isolation` is a `course.isolation.Isolation` (default: `detect()`).
    """
    started = time.monotonic()
    path, source = Path(path), Path(source)
    isolation = isolation or detect()
    limits = limits or Limits()
    plan = plan or plan_source(read_source(source), source.name)
    grade = NotebookGrade(
        student or path.parent.name or path.stem, source.name, str(path), str(source), isolation=isolation.kind
    )
    try:
        cells = read_submission(path)
    except InvalidNotebook as exc:
        grade.status = "invalid notebook"
        grade.problems.append(f"{path.name} is not a valid notebook: {exc}; nothing ran, every item scores 0")
        cells = None
    if cells is not None:
        _run_and_judge(grade, cells, plan, timeout, isolation, limits, judge_seconds)
    else:
        grade.exercises = [
            ExerciseResult(e.id, e.grade_id, 0.0, e.points, "not run", "the notebook could not be read")
            for e in plan.exercises
        ]
    if cells is not None:
        grade.quizzes = score_quizzes(plan, cells)
    else:
        grade.quizzes = [
            QuizResult(q.id, q.grade_id, 0.0, q.points, "not answered", "the notebook could not be read")
            for q in plan.quizzes
        ]
    grade.seconds = time.monotonic() - started
    return grade


def _run_and_judge(grade, cells, plan, timeout, isolation, limits, judge_seconds) -> None:
    nb, roles, problems = build_run(cells, plan)
    grade.problems.extend(problems)
    run = sandbox.run_notebook(nb, grade.notebook, timeout, isolation, limits)
    if not any(e.get("e") == "kernel" for e in run.events):
        # the sandbox or the kernel failed before any of the submission's code ran: the grader's failure, not the
        # student's (the notebook gets status "error" and is graded again with --resume)
        raise RuntimeError(f"the sandbox or its kernel did not start ({_first_line(_tail(run.stderr))})")
    ids = {e.id for e in plan.exercises}
    records, check_errors, cell_errors, last_begin = {}, {}, {}, None
    for event in run.events:
        kind, index = event.get("e"), event.get("i")
        if kind == "begin" and isinstance(index, int):
            last_begin = index
        elif kind == "record":
            record = event.get("record")
            ex_id = record.get("exercise") if isinstance(record, dict) else None
            if isinstance(ex_id, str) and ex_id in ids and _well_formed(record, ex_id):
                records[ex_id] = record
        elif kind == "error" and isinstance(index, int) and 0 <= index < len(roles):
            text = f"{_first_line(event.get('ename', ''), 80)}: {_first_line(event.get('evalue', ''))}".strip(": ")
            role = roles[index]
            if role[0] == "check":
                check_errors.setdefault(role[2], text)
            else:
                cell_errors.setdefault(role[1], f"cell {role[1]}: {text}")
    grade.cell_errors = [cell_errors[k] for k in sorted(cell_errors)]
    checks_begun = {
        roles[e["i"]][2]
        for e in run.events
        if e.get("e") == "begin"
        and isinstance(e.get("i"), int)
        and 0 <= e["i"] < len(roles)
        and roles[e["i"]][0] == "check"
    }
    stopped = ""
    what = _what(roles, last_begin)
    if run.ended == "timeout" or run.ended == "killed":
        grade.status = "timed out"
        stopped = f"stopped at the time limit of {timeout:g} s while running {what}"
    elif run.ended == "dead":
        grade.status = "kernel died"
        stopped = f"the kernel died while running {what} (memory or CPU limit, or the submission ended it)"
    elif run.ended != "done":
        grade.status = "stopped"
        stopped = f"the run ended early while running {what} (the submission ended its runner)"
    if run.overflow:
        grade.problems.append("the run wrote more than the grader reads; the rest was ignored")
    if stopped:
        grade.problems.insert(0, stopped + "; what did not run scores 0")
    verdicts = judge_records(records, isolation, limits, judge_seconds) if records else {}
    from .exercises import judge_record

    for ex in plan.exercises:
        if ex.id in verdicts:
            status, message = verdicts[ex.id]
        else:
            local = judge_record(ex.id, None)  # no record: nothing to decode, so decided here
            status = local.status
            if ex.id in check_errors:
                message = f"the check could not run: {check_errors[ex.id]}"
            elif stopped:
                message = f"the check did not run: {stopped}"
            elif ex.id in checks_begun:
                message = "the check ran but gave no record (the notebook disabled or replaced it)"
            else:
                message = local.message
        points = ex.points if status == "passed" else 0.0
        grade.exercises.append(ExerciseResult(ex.id, ex.grade_id, points, ex.points, status, message))


def score_quizzes(plan: SourcePlan, cells: list[dict]) -> list[QuizResult]:
    """Each quiz of the plan, scored from the last submission cell with its answer grade_id, as written."""
    from .quiz import score_answer_source

    out = []
    for q in plan.quizzes:

        def unanswered(why, q=q):
            return QuizResult(q.id, q.grade_id, 0.0, q.points, "not answered", why)

        sources = [c["source"] for c in cells if c["grade_id"] == q.grade_id and c["type"] == "code"]
        if not sources:
            out.append(unanswered(f"the answer cell {q.grade_id} is missing from the submission"))
            continue
        source = sources[-1]
        if len(source) > MAX_ANSWER_CHARS:
            out.append(unanswered("the answer cell is too long"))
            continue
        try:
            outcome = score_answer_source(q.id, source)
        except Exception as exc:  # noqa: BLE001 - an odd answer cell must not stop the class
            out.append(unanswered(f"the answer cell could not be read ({type(exc).__name__})"))
            continue
        if outcome.ok:
            out.append(QuizResult(q.id, q.grade_id, q.points, q.points, "right"))
        else:
            status = "wrong" if outcome.answered else "not answered"
            out.append(QuizResult(q.id, q.grade_id, 0.0, q.points, status, " ".join(outcome.message.split())))
    return out
