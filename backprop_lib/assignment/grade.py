"""Grading: ``python -m backprop_lib grade PATH --out REPORTDIR``.

Each submission runs top to bottom in a fresh kernel (nbclient) under one time limit. Wherever the
submission has an exercise's check cell, the grader runs the instructor's version of that cell instead (hidden
tests included, taken from ``notebooks/<same name>.ipynb``), in a copy of the student's namespace in which
every import statement of the instructor's notebook has been executed again against freshly imported
``backprop_lib`` modules. So a student cell that redefines ``compare`` or ``check``, or patches
``backprop_lib.feedback``, changes nothing: the check that decides is the instructor's. An exercise earns its
points when its check cell raises nothing; otherwise the report quotes the check's message (the
AssertionError text, e.g. "... the 1/m is missing"). Quizzes are scored from the tries the submission made in
code (``q.answer([...])``), replayed by the grader against the quiz keys of the instructor's notebook.

Not a sandbox: graded code runs with the grader's permissions. Grade untrusted work in a container.
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import math
import os
import secrets
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from .markers import (MarkerError, bound_names, grade_id, is_grade_cell, is_solution_cell, plan_notebook,
                      python_source)

DEFAULT_TIMEOUT = 120.0
_TIMEOUT_ENAME = "GraderTimeLimit"
QUIZ_COLLECT_TIMEOUT = 15

# Code sent to the kernel in place of a check cell. It is self-contained (no helper that a student cell could
# replace beforehand) and returns its verdict as the cell's value, tagged with a nonce.
_RUN_CHECK = '''\
def __bp_run_check(code, imports, names, label, nonce):
    globals().pop("__bp_run_check", None)
    import sys, json
    user = globals()
    def _ours(k):
        return k == "backprop_lib" or k.startswith("backprop_lib.")
    saved = {k: m for k, m in sys.modules.items() if _ours(k)}
    for k in saved:
        del sys.modules[k]
    ns = dict(user)
    result = {"nonce": nonce, "ok": False, "message": "", "error": ""}
    try:
        for stmt, bound in zip(imports, names):
            try:
                exec(stmt, ns)
            except Exception:
                for name in bound:
                    ns.pop(name, None)
        try:
            exec(compile(code, label, "exec"), ns)
            result["ok"] = True
        except AssertionError as exc:
            result["error"] = "AssertionError"
            result["message"] = str(exc) or "the check failed (AssertionError without a message)"
        except (Exception, SystemExit) as exc:
            result["error"] = type(exc).__name__
            result["message"] = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    finally:
        for k in [k for k in sys.modules if _ours(k)]:
            del sys.modules[k]
        sys.modules.update(saved)
    fresh = {n for bound in names for n in bound}
    for k, v in ns.items():
        if k not in fresh and k != "__builtins__":
            user[k] = v
    return json.dumps(result)
'''

_COLLECT_QUIZ_LOG = '''\
def __bp_quiz_log(nonce):
    globals().pop("__bp_quiz_log", None)
    import sys, json
    module = sys.modules.get("backprop_lib.quiz")
    tries = []
    for entry in list(getattr(module, "QUIZ_LOG", None) or []):
        try:
            tries.append({"quiz": str(entry["quiz"]), "choice": [int(i) for i in entry["choice"]]})
        except Exception:
            pass
    return json.dumps({"nonce": nonce, "log": tries})
'''


# ------------------------------------------------------------------------------------------------ results
@dataclass
class ExerciseResult:
    """The verdict on one exercise: points earned, and the check's message when it failed."""
    grade_id: str
    points: float
    max_points: float
    status: str                  # "passed", "failed" or "not run"
    message: str = ""
    answer_error: str = ""       # what the student's answer cell raised, if anything


@dataclass
class QuizScore:
    """A quiz scored from the submission's tries: points minus penalty per wrong try before the first right."""
    quiz_id: str
    points: float
    max_points: float
    tries: list = field(default_factory=list)
    wrong_before_right: int = 0
    solved: bool = False

    @property
    def status(self) -> str:
        if self.solved:
            return f"right after {self.wrong_before_right} wrong tries" if self.wrong_before_right else "right"
        return f"not solved ({len(self.tries)} wrong tries)" if self.tries else "not answered"


@dataclass
class NotebookGrade:
    """The score breakdown of one submission (one notebook of one student)."""
    student: str
    notebook: str
    submission: str
    source: str = ""
    exercises: list[ExerciseResult] = field(default_factory=list)
    quizzes: list[QuizScore] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)     # lines the report shows above the table
    cell_errors: list[str] = field(default_factory=list)  # "cell 7: NameError: ..." for the student's cells
    status: str = "graded"          # graded | timed out | kernel died | invalid notebook | no source | error
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(e.points for e in self.exercises) + sum(q.points for q in self.quizzes)

    @property
    def max_score(self) -> float:
        return sum(e.max_points for e in self.exercises) + sum(q.max_points for q in self.quizzes)

    def items(self) -> dict[str, float]:
        """Points per exercise (its grade_id) and per quiz ("quiz 2.1"), in notebook order."""
        out = {e.grade_id: e.points for e in self.exercises}
        out.update({f"quiz {q.quiz_id}": q.points for q in self.quizzes})
        return out

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(score=self.score, max_score=self.max_score)
        return d


# ------------------------------------------------------------------------------------------------ helpers
def _cell_value(cell, nonce: str):
    """The JSON verdict a grader cell returned as its value (None if it did not finish)."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "execute_result":
            try:
                data = json.loads(ast.literal_eval(out["data"]["text/plain"]))
            except (KeyError, ValueError, SyntaxError, TypeError):
                continue
            if isinstance(data, dict) and data.get("nonce") == nonce:
                return data
    return None


def _cell_error(cell) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            value = str(out.get("evalue", "")).strip()
            return f"{out.get('ename', 'Error')}: {value}" if value else str(out.get("ename", "Error"))
    return ""


def _quiz_objects(plan, name: str):
    """Build the instructor's quizzes again in this process, from the literal ``Quiz(...)`` calls."""
    from backprop_lib import quiz as quiz_module
    quizzes, problems = {}, []
    for spec in plan.quizzes:
        try:
            q = eval(compile(spec.call_source, f"<{name} quiz {spec.quiz_id}>", "eval"),
                     {"Quiz": quiz_module.Quiz, "quiz": quiz_module, "__builtins__": {}})
        except Exception as exc:    # not literal, or an invalid key: the instructor must fix the notebook
            problems.append(f"quiz {spec.quiz_id} could not be rebuilt from {name} ({type(exc).__name__}: "
                            f"{exc}); Quiz(...) arguments must be literals")
            continue
        quizzes[spec.quiz_id] = q
    return quizzes, problems


def score_quizzes(plan, log: list[dict], name: str = "notebook") -> tuple[list[QuizScore], list[str]]:
    """Score each quiz of the instructor's notebook by replaying the submission's tries in order.

    Only the chosen options count; whether a try was right is decided here, against the key.
    """
    from backprop_lib import quiz as quiz_module
    quizzes, problems = _quiz_objects(plan, name)
    scores = []
    for spec in plan.quizzes:
        q = quizzes.get(spec.quiz_id)
        if q is None:
            scores.append(QuizScore(spec.quiz_id, 0.0, 0.0))
            continue
        tries = [entry["choice"] for entry in log if entry.get("quiz") == spec.quiz_id]
        kept = len(quiz_module.QUIZ_LOG)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                for choice in tries:
                    try:
                        q.answer(choice)
                    except ValueError:         # an out-of-range choice raised in the kernel too: not a try
                        pass
        finally:
            del quiz_module.QUIZ_LOG[kept:]    # the replay is not a try of this process
        scores.append(QuizScore(spec.quiz_id, float(q.score), float(q.points), tries,
                                q.wrong_tries if q.solved else 0, q.solved))
    return scores, problems


def find_source(submission: Path, source_dir: Path) -> Path | None:
    """The instructor notebook a submission answers: same file name, else the longest source name contained
    in the submission's name (``alice_02_gradients.ipynb`` -> ``02_gradients.ipynb``)."""
    exact = source_dir / submission.name
    if exact.is_file():
        return exact
    candidates = [p for p in source_dir.glob("*.ipynb") if p.stem in submission.stem]
    return max(candidates, key=lambda p: len(p.stem)) if candidates else None


def _not_run(plan, why: str) -> list[ExerciseResult]:
    return [ExerciseResult(e.grade_id, 0.0, e.points, "not run", why) for e in plan.exercises]


# ------------------------------------------------------------------------------------------------ grading
def grade_notebook(path, source=None, *, source_dir="notebooks", timeout: float = DEFAULT_TIMEOUT,
                   student: str | None = None, kernel_name: str = "python3") -> NotebookGrade:
    """Grade one submitted notebook and return its score breakdown (never raises for a bad submission).

    ``source`` is the instructor's notebook (default: the file of the same name in ``source_dir``).
    ``timeout`` (seconds) bounds the whole run of the submission, checks included; what has not run when it
    expires scores zero.
    """
    path = Path(path)
    started = time.monotonic()
    source = Path(source) if source is not None else find_source(path, Path(source_dir))
    grade = NotebookGrade(student or path.parent.name or path.stem, path.name, str(path),
                          str(source) if source else "")
    if source is None or not Path(source).is_file():
        grade.status = "no source"
        grade.problems.append(f"no instructor notebook matches {path.name} in {source_dir}; not graded")
        return grade
    src_nb = nbformat.read(str(source), as_version=4)     # the instructor's own file: errors are real bugs
    plan = plan_notebook(src_nb, Path(source).name, strict_ids=False)   # release enforces nbgrader's ids
    try:
        with open(path, encoding="utf-8") as fh:
            raw = fh.read()
        nb = nbformat.reads(raw, as_version=4)
    except Exception as exc:   # not JSON, not a notebook, unreadable
        grade.status = "invalid notebook"
        why = f"{path.name} is not a valid notebook ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"
        grade.problems.append(why + "; nothing could be run, every item scores 0")
        grade.exercises = _not_run(plan, "the notebook could not be read")
        grade.quizzes, problems = score_quizzes(plan, [], Path(source).name)
        grade.problems.extend(problems)
        grade.seconds = time.monotonic() - started
        return grade
    _run(grade, nb, plan, Path(source), timeout, kernel_name)
    grade.seconds = time.monotonic() - started
    return grade


def _schedule(nb, plan, grade: NotebookGrade) -> list[tuple]:
    """Steps to run: ("cell", index, source) for the student's code cells and ("check", exercise) in place of
    (or, if deleted, right after the answer to) each check cell."""
    by_id = {e.grade_id: e for e in plan.exercises}
    steps, placed = [], set()
    answer_pos = {}
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        gid = grade_id(cell)
        if is_grade_cell(cell) and gid in by_id:
            if gid not in placed:
                steps.append(("check", by_id[gid]))
                placed.add(gid)
            continue                     # the student's copy of a check cell never runs
        steps.append(("cell", index, cell.source, gid if is_solution_cell(cell) else None))
        if gid is not None and is_solution_cell(cell):
            answer_pos[gid] = len(steps)
    for ex in plan.exercises:
        if ex.grade_id in placed:
            continue
        if ex.answer_id in answer_pos:
            at = answer_pos[ex.answer_id]
            where = f"after the answer cell {ex.answer_id}"
        else:
            at = len(steps)
            where = "at the end"
        grade.problems.append(f"the check cell {ex.grade_id} is missing from the submission; "
                              f"the instructor's check ran {where}")
        steps.insert(at, ("check", ex))
        for gid, pos in answer_pos.items():
            if pos >= at:
                answer_pos[gid] = pos + 1
        placed.add(ex.grade_id)
    return steps


def _run(grade: NotebookGrade, nb, plan, source: Path, timeout: float, kernel_name: str) -> None:
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    steps = _schedule(nb, plan, grade)
    imports = list(dict.fromkeys(plan.imports))
    names = [bound_names(s) for s in imports]
    nonce = secrets.token_hex(8)
    results: dict[str, ExerciseResult] = {}
    answer_errors: dict[str, str] = {}
    run_nb = nbformat.v4.new_notebook()
    client = NotebookClient(run_nb, timeout=int(math.ceil(timeout)), kernel_name=kernel_name,
                            allow_errors=True, shutdown_kernel="immediate", record_timing=False,
                            resources={"metadata": {"path": str(source.parent.resolve())}},
                            # at the time limit nbclient interrupts the kernel and hands back this reply
                            interrupt_on_timeout=True,
                            error_on_timeout={"ename": _TIMEOUT_ENAME, "evalue": nonce, "traceback": []})
    replies: list[dict] = []
    client.on_cell_executed = lambda cell, cell_index, execute_reply: replies.append(execute_reply or {})

    def timed_out() -> bool:
        content = (replies[-1] if replies else {}).get("content", {})
        return content.get("ename") == _TIMEOUT_ENAME and content.get("evalue") == nonce
    env = dict(os.environ, MPLBACKEND="Agg", PYDEVD_DISABLE_FILE_VALIDATION="1")
    stopped = ""
    what = "the kernel start"
    quiz_log: list[dict] | None = None
    try:
        with client.setup_kernel(env=env, stderr=subprocess.DEVNULL):
            deadline = time.monotonic() + timeout
            for number, step in enumerate(steps):
                remaining = deadline - time.monotonic()
                if step[0] == "check":
                    ex = step[1]
                    code = python_source(ex.source)
                    call = (f"__bp_run_check({code!r}, {imports!r}, {names!r}, "
                            f"{'<check ' + ex.grade_id + '>'!r}, {nonce!r})")
                    cell = nbformat.v4.new_code_cell(_RUN_CHECK + call)
                    what = f"the check {ex.grade_id}"
                else:
                    cell = nbformat.v4.new_code_cell(step[2])
                    what = f"cell {step[1]}" + (f" (answer {step[3]})" if step[3] else "")
                if remaining <= 0:
                    stopped = f"the time limit of {timeout:g} s ran out before {what}"
                    grade.status = "timed out"
                    break
                client.timeout = max(1, int(math.ceil(remaining)))
                run_nb.cells.append(cell)
                client.execute_cell(cell, len(run_nb.cells) - 1, store_history=step[0] == "cell")
                if timed_out():
                    stopped = f"stopped at the time limit of {timeout:g} s while running {what}"
                    grade.status = "timed out"
                    if step[0] == "check":
                        results[ex.grade_id] = ExerciseResult(ex.grade_id, 0.0, ex.points, "failed",
                                                              f"the check did not finish within the time limit "
                                                              f"of {timeout:g} s (an endless loop?)")
                    break
                if step[0] == "check":
                    verdict = _cell_value(cell, nonce)
                    if verdict is None:
                        msg = _cell_error(cell) or "the check did not report a result"
                        results[ex.grade_id] = ExerciseResult(ex.grade_id, 0.0, ex.points, "failed", msg)
                    elif verdict["ok"]:
                        results[ex.grade_id] = ExerciseResult(ex.grade_id, ex.points, ex.points, "passed")
                    else:
                        results[ex.grade_id] = ExerciseResult(ex.grade_id, 0.0, ex.points, "failed",
                                                              verdict["message"])
                else:
                    err = _cell_error(cell)
                    if err:
                        grade.cell_errors.append(f"cell {step[1]}: {err.splitlines()[0][:300]}")
                        if step[3]:
                            answer_errors[step[3]] = err.splitlines()[0][:300]
            # the tries made before a time limit still count (the endless cell has been interrupted)
            cell = nbformat.v4.new_code_cell(_COLLECT_QUIZ_LOG + f"__bp_quiz_log({nonce!r})")
            run_nb.cells.append(cell)
            client.timeout = QUIZ_COLLECT_TIMEOUT
            client.execute_cell(cell, len(run_nb.cells) - 1, store_history=False)
            value = None if timed_out() else _cell_value(cell, nonce)
            quiz_log = value["log"] if value else None
    except DeadKernelError:
        grade.status = "kernel died"
        stopped = stopped or f"the kernel died while running {what}"
    except Exception as exc:   # kernel failed to start, zmq trouble: report it, never stop the class
        grade.status = "error"
        stopped = stopped or f"the grader could not run the notebook ({type(exc).__name__}: {exc})"
    if stopped:
        grade.problems.insert(0, stopped + "; what did not run scores 0")
    if quiz_log is None:
        grade.problems.append("the quiz answers could not be read from the kernel; quizzes score 0")
        quiz_log = []
    for ex in plan.exercises:
        r = results.get(ex.grade_id) or ExerciseResult(
            ex.grade_id, 0.0, ex.points, "not run", stopped or "the check never ran")
        if r.status != "passed" and ex.answer_id in answer_errors:
            r.answer_error = answer_errors[ex.answer_id]
        if r.status == "failed" and (r.message.startswith("NotImplementedError")
                                     or r.answer_error.startswith("NotImplementedError")):
            r.message = "not answered: the answer still raises NotImplementedError()"
            r.answer_error = ""
        grade.exercises.append(r)
    grade.quizzes, problems = score_quizzes(plan, quiz_log, source.name)
    grade.problems.extend(problems)


# ------------------------------------------------------------------------------------------------ a class
@dataclass
class Submission:
    student: str
    path: Path
    source: Path | None


def discover(path, source_dir) -> list[Submission]:
    """The notebooks to grade under ``path`` (a file, or a folder such as ``submissions/<student>/*.ipynb``
    or flat files), each with a student name and its instructor notebook."""
    path, source_dir = Path(path), Path(source_dir)
    if path.is_file():
        files, root = [path], path.parent
    else:
        files = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        root = path
    out = []
    for f in files:
        source = find_source(f, source_dir) if source_dir.is_dir() else None
        rel_parent = f.parent.relative_to(root).as_posix() if f.parent != root else ""
        leftover = f.stem.replace(source.stem, "", 1).strip(" _-.") if source else ""
        student = rel_parent or leftover or (root.resolve().name or "student")
        out.append(Submission(student, f, source))
    return out


def _grade_one(sub: Submission, source_dir: str, timeout: float, kernel_name: str) -> NotebookGrade:
    try:
        if sub.source is None:
            g = NotebookGrade(sub.student, sub.path.name, str(sub.path), "", status="no source")
            g.problems.append(f"no instructor notebook matches {sub.path.name} in {source_dir}; not graded")
            return g
        return grade_notebook(sub.path, sub.source, timeout=timeout, student=sub.student,
                              kernel_name=kernel_name)
    except MarkerError:
        raise
    except Exception as exc:    # a grader bug must not stop the class
        g = NotebookGrade(sub.student, sub.path.name, str(sub.path), str(sub.source or ""), status="error")
        g.problems.append(f"the grader failed on this notebook ({type(exc).__name__}: {exc})")
        return g


def grade_path(path, out=None, *, source_dir="notebooks", timeout: float = DEFAULT_TIMEOUT, jobs: int = 1,
               kernel_name: str = "python3", progress=None) -> list[NotebookGrade]:
    """Grade every submission under ``path``; with ``out``, write per-student reports and grades.csv there."""
    from .report import write_reports
    subs = discover(path, source_dir)
    grades: list[NotebookGrade] = []
    if jobs > 1 and len(subs) > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_grade_one, s, str(source_dir), timeout, kernel_name) for s in subs]
            for fut in futures:
                grades.append(fut.result())
                if progress:
                    progress(grades[-1])
    else:
        for s in subs:
            grades.append(_grade_one(s, str(source_dir), timeout, kernel_name))
            if progress:
                progress(grades[-1])
    if out is not None:
        write_reports(grades, Path(out))
    return grades


def grade_main(argv) -> int:
    """``python -m backprop_lib grade PATH [--out reports] [--source notebooks] [--timeout 120] [--jobs 1]
    [--expect-full-marks]``; returns the exit status (0; 1 when --expect-full-marks is not met; 2 usage)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m backprop_lib grade",
        description="Grade completed notebooks (one file, or a folder such as submissions/<student>/*.ipynb) "
                    "against the instructor notebooks; write <student>.md reports and grades.csv.")
    parser.add_argument("path", type=Path, help="a submitted notebook or a folder of them")
    parser.add_argument("--out", type=Path, default=Path("reports"),
                        help="report folder (default: reports, which git ignores)")
    parser.add_argument("--source", type=Path, default=Path("notebooks"),
                        help="folder of instructor notebooks with solutions and hidden tests (default: notebooks)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds allowed per notebook, checks included (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks graded in parallel (default: 1)")
    parser.add_argument("--expect-full-marks", action="store_true",
                        help="exit 1 unless every notebook scores full marks (the instructor's self-check)")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    if not args.path.exists():
        print(f"grade: error: {args.path} does not exist", file=sys.stderr)
        return 2
    if not args.source.is_dir():
        print(f"grade: error: source folder {args.source} does not exist", file=sys.stderr)
        return 2
    if args.timeout <= 0 or args.jobs < 1:
        print("grade: error: --timeout must be > 0 and --jobs >= 1", file=sys.stderr)
        return 2

    def show(g):
        print(f"{g.student:<20} {g.notebook:<32} {g.score:>6g} / {g.max_score:<6g} {g.status} ({g.seconds:.1f} s)",
              flush=True)

    try:
        grades = grade_path(args.path, args.out, source_dir=args.source, timeout=args.timeout, jobs=args.jobs,
                            progress=show)
    except MarkerError as exc:
        print(f"grade: error in an instructor notebook: {exc}", file=sys.stderr)
        return 2
    if not grades:
        print(f"grade: error: no notebooks (*.ipynb) under {args.path}", file=sys.stderr)
        return 2
    print(f"wrote {args.out / 'grades.csv'} and {len({g.student for g in grades})} student reports")
    if args.expect_full_marks:
        short = [g for g in grades if g.score < g.max_score or g.status != "graded" or g.problems]
        for g in short:
            print(f"not full marks: {g.submission}: {g.score:g} / {g.max_score:g} {'; '.join(g.problems)}",
                  file=sys.stderr)
        return 1 if short else 0
    return 0
