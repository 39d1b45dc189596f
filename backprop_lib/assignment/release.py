"""Student copies: ``python -m backprop_lib release OUTDIR``.

Every notebook of ``notebooks/`` is copied with its solution regions replaced by ``# YOUR CODE HERE`` /
``raise NotImplementedError()``, hidden tests removed, outputs, execution counts and saved widget state
cleared. Quiz cells are copied unchanged (their key is a salted hash); a ``quiz.answer(...)`` call outside a
solution region would give the answer away and stops the release. See INSTRUCTORS.md.
"""
from __future__ import annotations

import argparse
import copy
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .markers import (BEGIN_HIDDEN, BEGIN_SOLUTION, MarkerError, has_marker, is_grade_cell, is_solution_cell,
                      plan_notebook, quiz_answer_calls, strip_hidden_tests, strip_solution)

DEFAULT_SOURCE = "notebooks"


@dataclass
class ReleaseSummary:
    """What one released notebook contains: exercises with points, quizzes, regions removed."""
    name: str
    exercises: list[tuple[str, float]]
    quizzes: list[str]
    solutions_removed: int
    hidden_removed: int

    def line(self) -> str:
        pts = sum(p for _, p in self.exercises)
        return (f"{self.name}: {len(self.exercises)} exercises ({pts:g} points), {len(self.quizzes)} quizzes; "
                f"removed {self.solutions_removed} solution and {self.hidden_removed} hidden-test regions")


def release_notebook(nb, name: str = "notebook"):
    """Return (student copy, ReleaseSummary) of an instructor notebook; the input is not modified.

    Raises MarkerError when the markers are inconsistent or a quiz answer would be revealed.
    """
    plan = plan_notebook(nb, name)
    quiz_names = {q.variable for q in plan.quizzes if q.variable}
    out = copy.deepcopy(nb)
    out.metadata.pop("widgets", None)          # saved widget state would show which boxes were ticked
    n_solution = n_hidden = 0
    for index, cell in enumerate(out.cells):
        where = f"{name}, cell {index}"
        if is_solution_cell(cell):
            if has_marker(cell.source, BEGIN_SOLUTION):
                cell.source, n = strip_solution(cell.source, cell.cell_type, where)
            else:                               # nbgrader's rule: a solution cell without markers is all answer
                cell.source, n = strip_solution(f"{BEGIN_SOLUTION}\n{cell.source}\n### END SOLUTION",
                                                cell.cell_type, where)
            n_solution += n
        if is_grade_cell(cell) or has_marker(cell.source, BEGIN_HIDDEN):
            cell.source, n = strip_hidden_tests(cell.source, where)
            n_hidden += n
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            leaks = quiz_answer_calls(cell.source, quiz_names)
            if leaks:
                raise MarkerError(f"{where}: {leaks[0]} outside a solution region would reveal the quiz "
                                  f"answer in the student copy; put it between {BEGIN_SOLUTION!r} and "
                                  f"'### END SOLUTION' in a solution cell")
        cell.metadata.pop("execution", None)   # timing stamps of the instructor's run
        for leftover in (BEGIN_SOLUTION, BEGIN_HIDDEN):
            if has_marker(cell.source, leftover):   # cannot happen after the stripping above; never ship one
                raise MarkerError(f"{where}: {leftover!r} left in the student copy")
    summary = ReleaseSummary(name, [(e.grade_id, e.points) for e in plan.exercises],
                             [q.quiz_id for q in plan.quizzes], n_solution, n_hidden)
    return out, summary


def release_file(src: Path, dst: Path) -> ReleaseSummary:
    """Write the student copy of notebook ``src`` to ``dst``."""
    nb = nbformat.read(str(src), as_version=4)
    out, summary = release_notebook(nb, src.name)
    dst.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(out, str(dst))
    return summary


def git_tracks(path: Path) -> bool:
    """True when ``path`` lies in a git work tree and is not ignored there (so students' copies could be
    committed by accident). False outside git, or when git is not installed."""
    probe = path / "probe.ipynb"
    anchor = path
    while not anchor.exists():
        anchor = anchor.parent
    try:
        result = subprocess.run(["git", "check-ignore", "-q", str(probe.resolve())], cwd=anchor,
                                capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 1          # 0: ignored; 1: not ignored; 128: not a git work tree


def release_folder(source_dir: Path, outdir: Path, allow_tracked: bool = False) -> list[ReleaseSummary]:
    """Release every ``*.ipynb`` of ``source_dir`` (and copy its other files, e.g. figures) into ``outdir``.

    Raises ValueError when there is nothing to release, when ``outdir`` is (inside) ``source_dir``, or when
    ``outdir`` is tracked by git and ``allow_tracked`` is False; MarkerError for a bad notebook. All
    notebooks are checked before anything is written, so a failure leaves ``outdir`` unchanged.
    """
    source_dir, outdir = Path(source_dir), Path(outdir)
    if not source_dir.is_dir():
        raise ValueError(f"source folder {source_dir} does not exist")
    notebooks = sorted(p for p in source_dir.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"no notebooks (*.ipynb) in {source_dir}")
    src_abs, out_abs = source_dir.resolve(), outdir.resolve()
    if out_abs == src_abs or src_abs in out_abs.parents:
        raise ValueError(f"OUTDIR {outdir} is inside the source folder {source_dir}; choose e.g. release/")
    if not allow_tracked and git_tracks(outdir):
        raise ValueError(f"OUTDIR {outdir} is not ignored by git, so the student copies could be committed; "
                         f"use a git-ignored folder such as release/ (or pass --allow-tracked)")
    released = []
    for src in notebooks:
        nb = nbformat.read(str(src), as_version=4)
        released.append((src, *release_notebook(nb, src.name)))
    outdir.mkdir(parents=True, exist_ok=True)
    for src, out, _ in released:
        nbformat.write(out, str(outdir / src.name))
    for extra in sorted(source_dir.iterdir()):
        if extra.suffix == ".ipynb" or extra.name.startswith(".") or extra.name == "__pycache__":
            continue
        target = outdir / extra.name
        if extra.is_dir():
            shutil.copytree(extra, target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        else:
            shutil.copy2(extra, target)
    return [summary for _, _, summary in released]


def release_main(argv) -> int:
    """``python -m backprop_lib release OUTDIR [--source notebooks] [--allow-tracked]``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m backprop_lib release",
        description="Build student copies of every notebook: solutions replaced by a placeholder, hidden tests "
                    "removed, outputs cleared. OUTDIR should be git-ignored (release/ is).")
    parser.add_argument("outdir", type=Path, help="where the student copies go, e.g. release/")
    parser.add_argument("--source", type=Path, default=Path(DEFAULT_SOURCE),
                        help="folder of instructor notebooks (default: notebooks)")
    parser.add_argument("--allow-tracked", action="store_true",
                        help="write even if OUTDIR is not ignored by git")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        summaries = release_folder(args.source, args.outdir, args.allow_tracked)
    except (ValueError, OSError, nbformat.ValidationError) as exc:
        print(f"release: error: {exc}", file=sys.stderr)
        return 1
    for s in summaries:
        print(s.line())
    print(f"wrote {len(summaries)} student notebooks to {args.outdir}")
    return 0
