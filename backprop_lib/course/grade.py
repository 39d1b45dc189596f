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

This module grades a class and is the command; `course.notebook_grade` grades one notebook (steps 2 to 5) and
`course.submission` finds and reads the submissions (step 1).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from . import sandbox
from .isolation import Limits, bound_paths, detect
from .notebook_grade import DEFAULT_TIMEOUT, JUDGE_SECONDS, NotebookGrade, grade_notebook
from .release import MarkerError, plan_source, read_source
from .report import atomic_write, csv_text, report_names, student_report
from .submission import Submission, discover

__all__ = ["grade_main", "grade_path"]

GRADER_VERSION = "course-2"  # part of a saved result's digest: a new grader regrades on --resume


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
    limits: Limits | None = None,
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
    limits = limits or Limits()
    source_dir, out = Path(source_dir), Path(out)
    if out.resolve() == source_dir.resolve() or source_dir.resolve() in out.resolve().parents:
        raise ValueError(f"out: the report folder {out} lies inside the source folder {source_dir}")
    subs = discover(path, source_dir)
    plans: dict = {}
    for s in subs:
        if s.source is not None and s.source not in plans:
            plans[s.source] = plan_source(read_source(s.source), s.source.name)
    columns = [c for src in sorted(plans, key=lambda p: p.name) for c in plans[src].items()]
    iso = detect(isolation)
    log(iso.describe(limits, timeout))
    if isolation == "bubblewrap" and not iso.isolated:
        raise ValueError(f"isolation: bubblewrap was asked for and is not available ({'; '.join(iso.missing)})")
    if iso.isolated:
        for bound in bound_paths():
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
        default=Limits.memory_bytes // 2**20,
        metavar="MB",
        help="address space per process of a submission (default: %(default)s)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=Limits.processes,
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
    limits = Limits(memory_bytes=args.memory * 2**20, processes=args.processes)

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
