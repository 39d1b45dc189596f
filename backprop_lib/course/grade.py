"""Grading: `python -m backprop_lib grade PATH --out REPORTDIR`, with verdicts decided outside the student's code.

For each submitted notebook the grader

1. reads the submission as JSON (at most 20 MB, no symbolic link) and finds the instructor notebook of the same
   name in the source folder (default `notebooks/`), checked by `release.plan_source`;
2. builds the notebook to run: the submission's code cells in order, each check cell (matched by its nbgrader
   grade_id `exN_k`) replaced by a cell that calls `backprop_lib.course.exercises.collect("N.k")`; a check cell
   the student deleted is put back after its answer cell. `collect` runs the student's answer on every case of
   the exercise, hidden ones included, and displays a record: plain JSON, values only, no verdict;
3. runs that notebook in a sandbox (`course.sandbox`: bubblewrap, a fresh unprivileged uid, no network, its own
   PID namespace, limits), whose runner passes each record on the moment it is displayed, so a time limit, a
   dead kernel or a killed runner keeps what was earned before it;
4. judges the last well-formed record of each exercise with `judge_record` in a fresh process that has executed
   no student code (under the same limits: a record is hostile data), which recomputes every truth itself;
5. scores each quiz from the submission's answer cell `quizN_k-answer` as written (`quiz.score_answer_source`):
   the last `answer("N.k", [...])` line, read as a literal, nothing run. The clickable quiz is for practice.

A class is graded student by student: each notebook's result is saved (atomically) the moment it is known, each
student's report once their last notebook is graded, and `grades.csv` after every notebook, so a crash loses at
most the submissions in progress; `--resume` skips what is already graded. INSTRUCTORS.md is the manual.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import stat
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import sandbox
from .release import MarkerError, SourcePlan, plan_source, read_source
from .report import atomic_write, csv_text, report_names, student_report

__all__ = [
    "DEFAULT_TIMEOUT",
    "ExerciseResult",
    "NotebookGrade",
    "QuizResult",
    "build_run",
    "discover",
    "grade_main",
    "grade_notebook",
    "grade_path",
    "read_submission",
]

DEFAULT_TIMEOUT = 120.0
MAX_SUBMISSION_BYTES = 20 * 2**20
MAX_ANSWER_CHARS = 100_000
JUDGE_SECONDS = 60.0  # per exercise, in the judge process
GRADER_VERSION = "course-2"  # part of a saved result's digest: a new grader regrades on --resume
_STATUSES = ("passed", "failed", "not answered", "not run")


class InvalidNotebook(ValueError):
    """A submission that cannot be read as a notebook (the message says why)."""


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


# ------------------------------------------------------------------------------------------------ reading
def read_submission(path) -> list[dict]:
    """The cells of a submitted notebook: [{"type", "source", "grade_id"}], read strictly as JSON.

    Raises InvalidNotebook for a symbolic link, a file over 20 MB, text that is not JSON, or JSON that is not an
    nbformat 4 notebook. Nothing in the file is executed or unpickled here.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise InvalidNotebook(f"it cannot be opened ({exc.strerror or exc}; a symbolic link is refused)") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InvalidNotebook("it is not a regular file")
        if info.st_size > MAX_SUBMISSION_BYTES:
            raise InvalidNotebook(
                f"it is {info.st_size / 2**20:.1f} MB; the limit is {MAX_SUBMISSION_BYTES // 2**20} MB"
            )
        raw = fh.read(MAX_SUBMISSION_BYTES + 1)

    def no_constants(name):
        raise ValueError(f"the JSON constant {name}")

    try:
        nb = json.loads(raw.decode("utf-8"), parse_constant=no_constants)
    except UnicodeDecodeError:
        raise InvalidNotebook("it is not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        raise InvalidNotebook(f"it is not valid JSON ({str(exc).splitlines()[0][:120]})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise InvalidNotebook("it is JSON but not a notebook (no list of cells)")
    if nb.get("nbformat") != 4:
        raise InvalidNotebook(f"it is not an nbformat 4 notebook (nbformat {str(nb.get('nbformat'))[:20]})")
    cells = []
    for index, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise InvalidNotebook(f"cell {index} is not a code, markdown or raw cell")
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise InvalidNotebook(f"the source of cell {index} is not text")
        meta = cell.get("metadata")
        nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
        gid = nbg.get("grade_id") if isinstance(nbg, dict) else None
        cells.append({"type": cell["cell_type"], "source": source, "grade_id": gid if isinstance(gid, str) else None})
    return cells


def find_source(submission: Path, source_dir: Path) -> Path | None:
    """The instructor notebook a submission answers: the same file name, else the longest source name contained
    in the submission's name (`alice_03_recursion.ipynb` -> `03_recursion.ipynb`)."""
    exact = source_dir / submission.name
    if exact.is_file():
        return exact
    candidates = [p for p in source_dir.glob("*.ipynb") if p.stem in submission.stem]
    return max(candidates, key=lambda p: len(p.stem)) if candidates else None


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
            if batch and size > sandbox.MAX_PAYLOAD // 2:
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
    limits: sandbox.Limits | None = None,
    student: str | None = None,
    judge_seconds: float = JUDGE_SECONDS,
) -> NotebookGrade:
    """Grade one submitted notebook against the instructor notebook `source`; never raises for a bad submission.

    `timeout` (seconds) bounds the run of the submission's cells, checks included; what has not run by then
    scores zero. `isolation` is a `sandbox.Isolation` (default: `sandbox.detect()`).
    """
    started = time.monotonic()
    path, source = Path(path), Path(source)
    isolation = isolation or sandbox.detect()
    limits = limits or sandbox.Limits()
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
        sources = [c["source"] for c in cells if c["grade_id"] == q.grade_id and c["type"] == "code"]
        if not sources:
            out.append(
                QuizResult(
                    q.id,
                    q.grade_id,
                    0.0,
                    q.points,
                    "not answered",
                    f"the answer cell {q.grade_id} is missing from the submission",
                )
            )
            continue
        source = sources[-1]
        if len(source) > MAX_ANSWER_CHARS:
            out.append(QuizResult(q.id, q.grade_id, 0.0, q.points, "not answered", "the answer cell is too long"))
            continue
        try:
            outcome = score_answer_source(q.id, source)
        except Exception as exc:  # noqa: BLE001 - an odd answer cell must not stop the class
            out.append(
                QuizResult(
                    q.id,
                    q.grade_id,
                    0.0,
                    q.points,
                    "not answered",
                    f"the answer cell could not be read ({type(exc).__name__})",
                )
            )
            continue
        if outcome.ok:
            out.append(QuizResult(q.id, q.grade_id, q.points, q.points, "right"))
        else:
            status = "wrong" if outcome.answered else "not answered"
            out.append(QuizResult(q.id, q.grade_id, 0.0, q.points, status, " ".join(outcome.message.split())))
    return out


# ------------------------------------------------------------------------------------------------ a class
@dataclass
class Submission:
    student: str
    path: Path
    source: Path | None


def discover(path, source_dir) -> list[Submission]:
    """The notebooks under `path` (a file, or a folder such as `submissions/<student>/*.ipynb` or flat files), each
    with its student's name and its instructor notebook. Symbolic links and checkpoints are skipped."""
    path, source_dir = Path(path), Path(source_dir)
    if path.is_file():
        files, root = [path], path.parent
    else:
        files, root = [], path
        for folder, dirs, names in os.walk(path, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            files += [
                Path(folder) / n for n in sorted(names) if n.endswith(".ipynb") and not (Path(folder) / n).is_symlink()
            ]
    out = []
    for f in sorted(files):
        source = find_source(f, source_dir) if source_dir.is_dir() else None
        rel_parent = f.parent.relative_to(root).as_posix() if f.parent != root else ""
        leftover = f.stem.replace(source.stem, "", 1).strip(" _-.") if source else ""
        student = rel_parent or leftover or (root.resolve().name or "student")
        out.append(Submission(student, f, source))
    return out


def _digest(sub: Submission) -> str:
    h = hashlib.sha256(GRADER_VERSION.encode())
    for p in (sub.path, sub.source):
        try:
            h.update(Path(p).read_bytes() if p is not None and not Path(p).is_symlink() else b"-")
        except OSError:
            h.update(b"unreadable")
    return h.hexdigest()


class ClassRun:
    """The durable state of grading a class in `out`: a saved result per notebook, reports, grades.csv."""

    def __init__(self, out: Path, subs: list[Submission], columns: list[str], resume: bool):
        self.out, self.columns = Path(out), columns
        self.state = self.out / ".state"
        self.names = report_names(s.student for s in subs)
        self.expected = {}
        for s in subs:
            self.expected.setdefault(s.student, set()).add(s.path)
        self.done: dict = {}
        self.lock = threading.Lock()
        if not resume and self.state.is_dir():
            shutil.rmtree(self.state)
        self.state.mkdir(parents=True, exist_ok=True)

    def _state_path(self, sub: Submission) -> Path:
        key = hashlib.sha256(str(sub.path).encode("utf-8")).hexdigest()[:16]
        return self.state / f"{self.names[sub.student]}.{key}.json"

    def saved(self, sub: Submission):
        """The saved result of `sub` when it is graded already (same submission, source and grader), else None."""
        p = self._state_path(sub)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            if data.get("digest") == _digest(sub) and data["grade"].get("status") != "error":
                return NotebookGrade.from_dict(data["grade"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def record(self, sub: Submission, grade: NotebookGrade, save: bool = True) -> bool:
        """Keep a result; save it, rewrite grades.csv, and the student's report once all their notebooks are in.
        Returns True when the student's report was written."""
        with self.lock:
            if save:
                atomic_write(self._state_path(sub), json.dumps({"digest": _digest(sub), "grade": grade.to_dict()}))
            self.done[(sub.student, sub.path)] = grade
            atomic_write(self.out / "grades.csv", csv_text(self.done.values(), self.columns))
            mine = [g for (student, _), g in self.done.items() if student == sub.student]
            if len(mine) == len(self.expected[sub.student]):
                atomic_write(self.out / f"{self.names[sub.student]}.md", student_report(sub.student, mine))
                return True
            return False


def grade_path(
    path,
    out,
    *,
    source_dir="notebooks",
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int = 1,
    isolation: str = "auto",
    limits: sandbox.Limits | None = None,
    resume: bool = False,
    judge_seconds: float = JUDGE_SECONDS,
    progress=None,
    log=print,
) -> list[NotebookGrade]:
    """Grade every submission under `path` into the folder `out` (reports, grades.csv); the grades.

    Raises MarkerError when an instructor notebook fails `plan_source` (before anything is graded), ValueError
    for bad arguments or when isolation "bubblewrap" is asked for and not available.
    """
    if jobs < 1 or timeout <= 0:
        raise ValueError(f"jobs must be >= 1 and timeout > 0, got jobs={jobs}, timeout={timeout}")
    limits = limits or sandbox.Limits()
    source_dir, out = Path(source_dir), Path(out)
    if out.resolve() == source_dir.resolve() or source_dir.resolve() in out.resolve().parents:
        raise ValueError(f"out: the report folder {out} lies inside the source folder {source_dir}")
    subs = discover(path, source_dir)
    plans: dict = {}
    for s in subs:
        if s.source is not None and s.source not in plans:
            plans[s.source] = plan_source(read_source(s.source), s.source.name)
    columns = [c for src in sorted(plans, key=lambda p: p.name) for c in plans[src].items()]
    iso = sandbox.detect(isolation)
    log(iso.describe(limits, timeout))
    if isolation == "bubblewrap" and not iso.isolated:
        raise ValueError(f"isolation: bubblewrap was asked for and is not available ({'; '.join(iso.missing)})")
    if iso.isolated:
        for bound in sandbox.bound_paths():
            for what, folder in (("source folder", source_dir), ("submissions", Path(path)), ("report folder", out)):
                where = folder.resolve()
                if where == bound or bound in where.parents:
                    raise ValueError(
                        f"isolation: the {what} {folder} lies inside {bound}, which every sandbox sees; "
                        "move it out of the Python installation"
                    )
    run = ClassRun(out, subs, columns, resume)
    sandbox.allow_runs()
    grades, todo = [], []
    for s in subs:
        kept = run.saved(s) if resume else None
        if kept is not None:
            run.record(s, kept, save=False)
            grades.append(kept)
        else:
            todo.append(s)
    if resume and grades:
        log(f"resume: {len(grades)} notebooks already graded, {len(todo)} to grade")

    def one(s: Submission) -> NotebookGrade:
        try:
            if s.source is None:
                g = NotebookGrade(s.student, s.path.name, str(s.path), status="no source", isolation=iso.kind)
                g.problems.append(f"no instructor notebook matches {s.path.name} in {source_dir}; not graded")
                return g
            return grade_notebook(
                s.path,
                s.source,
                plans[s.source],
                timeout=timeout,
                isolation=iso,
                limits=limits,
                student=s.student,
                judge_seconds=judge_seconds,
            )
        except Exception as exc:  # noqa: BLE001 - a grader bug must not stop the class
            g = NotebookGrade(
                s.student, s.path.name, str(s.path), str(s.source or ""), status="error", isolation=iso.kind
            )
            g.problems.append(f"the grader failed on this notebook ({type(exc).__name__}: {exc})")
            return g

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = {pool.submit(one, s): s for s in todo}
        for fut in as_completed(futures):
            s, g = futures[fut], fut.result()
            run.record(s, g)
            grades.append(g)
            if progress:
                progress(g)
    except BaseException:  # Ctrl-C: what is graded is saved; stop the runs in progress
        pool.shutdown(wait=False, cancel_futures=True)
        sandbox.stop_all()
        raise
    pool.shutdown(wait=True)
    return grades


def grade_main(argv) -> int:
    """`python -m backprop_lib grade PATH [--out reports] [--source notebooks] [--timeout 120] [--jobs 1]
    [--resume] [--isolation auto] [--expect-full-marks]`; the exit status (0; 1 when --expect-full-marks is not
    met; 2 for a usage error or a broken instructor notebook)."""
    parser = argparse.ArgumentParser(
        prog="python -m backprop_lib grade",
        description="Grade completed notebooks (one file, or a folder such as submissions/<student>/*.ipynb) "
        "against the instructor notebooks, each in a sandbox; write <student>.md reports and "
        "grades.csv.",
    )
    parser.add_argument("path", type=Path, help="a submitted notebook or a folder of them")
    parser.add_argument("--out", type=Path, default=Path("reports"), help="report folder (default: reports)")
    parser.add_argument(
        "--source", type=Path, default=Path("notebooks"), help="folder of the instructor notebooks (default: notebooks)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds allowed per notebook, checks included (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--jobs", type=int, default=1, help="notebooks graded in parallel (default: 1)")
    parser.add_argument("--resume", action="store_true", help="keep the results already in --out; grade the rest")
    parser.add_argument(
        "--isolation",
        choices=("auto", "bubblewrap", "none"),
        default="auto",
        help="auto: bubblewrap where it works, else none with a warning (default: auto)",
    )
    parser.add_argument(
        "--memory",
        type=int,
        default=sandbox.Limits.memory_bytes // 2**20,
        metavar="MB",
        help="address space per process of a submission (default: %(default)s)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=sandbox.Limits.processes,
        help="processes and threads of a submission (default: %(default)s)",
    )
    parser.add_argument(
        "--expect-full-marks",
        action="store_true",
        help="exit 1 unless every notebook scores full marks (the instructor's self-check)",
    )
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    if not args.path.exists():
        print(f"grade: error: {args.path} does not exist", file=sys.stderr)
        return 2
    if not args.source.is_dir():
        print(f"grade: error: the source folder {args.source} does not exist", file=sys.stderr)
        return 2
    if args.memory < 512 or args.processes < 32:
        print("grade: error: --memory must be >= 512 (MB) and --processes >= 32 (a kernel needs them)", file=sys.stderr)
        return 2
    limits = sandbox.Limits(memory_bytes=args.memory * 2**20, processes=args.processes)

    def show(g):
        print(
            f"{g.student:<24} {g.notebook:<28} {g.score:>6g} / {g.max_score:<6g} {g.status} ({g.seconds:.1f} s)",
            flush=True,
        )

    try:
        grades = grade_path(
            args.path,
            args.out,
            source_dir=args.source,
            timeout=args.timeout,
            jobs=args.jobs,
            isolation=args.isolation,
            limits=limits,
            resume=args.resume,
            progress=show,
            log=lambda line: print(line, flush=True),
        )
    except KeyboardInterrupt:
        print(f"grade: interrupted; what was graded is saved in {args.out}: rerun with --resume", file=sys.stderr)
        return 130
    except MarkerError as exc:
        print(f"grade: error in an instructor notebook: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"grade: error: {exc}", file=sys.stderr)
        return 2
    if not grades:
        print(f"grade: error: no notebooks (*.ipynb) under {args.path}", file=sys.stderr)
        return 2
    print(f"wrote {args.out / 'grades.csv'} and {len({g.student for g in grades})} student reports")
    if args.expect_full_marks:
        short = [g for g in grades if g.score < g.max_score or g.status != "graded" or g.problems]
        for g in short:
            print(
                f"not full marks: {g.submission}: {g.score:g} / {g.max_score:g} {'; '.join(g.problems)}",
                file=sys.stderr,
            )
        return 1 if short else 0
    return 0
