"""Grading reports: one markdown file per student and one CSV for the class.

``REPORTDIR/<student>.md`` has a section per notebook: the score, a table of points per exercise and quiz,
the problems that stopped or limited the run, and for each failed exercise the check's own message.
``REPORTDIR/grades.csv`` has one row per student and notebook. Format documented in INSTRUCTORS.md.
"""
from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path


def _pts(x: float) -> str:
    return f"{x:g}"


def _cell(text: str) -> str:
    """One table cell: no newlines, no unescaped pipes."""
    return " ".join(str(text).split()).replace("|", "\\|")


def notebook_section(g) -> str:
    """The markdown section of one graded notebook."""
    lines = [f"## {g.notebook}: {_pts(g.score)} / {_pts(g.max_score)} points", ""]
    lines.append(f"Submission `{g.submission}`, graded against `{g.source or '-'}` "
                 f"({g.status}, {g.seconds:.1f} s).")
    lines.append("")
    if g.problems:
        lines.append("**Problems**")
        lines.append("")
        lines += [f"- {p}" for p in g.problems]
        lines.append("")
    if g.exercises or g.quizzes:
        lines += ["| item | points | max | result |", "|---|---:|---:|---|"]
        for e in g.exercises:
            result = e.status if e.status == "passed" else f"{e.status}: {e.message}"
            lines.append(f"| {e.grade_id} | {_pts(e.points)} | {_pts(e.max_points)} | {_cell(result)} |")
        for q in g.quizzes:
            lines.append(f"| quiz {q.quiz_id} | {_pts(q.points)} | {_pts(q.max_points)} | {_cell(q.status)} |")
        lines.append("")
    failed = [e for e in g.exercises if e.status != "passed"]
    if failed:
        lines.append("**Feedback on the exercises that did not pass**")
        lines.append("")
        for e in failed:
            lines.append(f"- **{e.grade_id}** (0 / {_pts(e.max_points)}): {e.message}")
            if e.answer_error:
                lines.append(f"  - your answer cell raised `{e.answer_error}`")
        lines.append("")
    if g.cell_errors:
        lines.append("**Cells of the submission that raised an error**")
        lines.append("")
        lines += [f"- {_cell(c)}" for c in g.cell_errors]
        lines.append("")
    return "\n".join(lines)


def student_report(student: str, grades) -> str:
    """The whole markdown report of one student (all their notebooks)."""
    total = sum(g.score for g in grades)
    best = sum(g.max_score for g in grades)
    head = [f"# Grade report: {student}", "", f"Total: {_pts(total)} / {_pts(best)} points "
            f"over {len(grades)} notebook{'s' if len(grades) != 1 else ''}.", ""]
    return "\n".join(head) + "\n" + "\n".join(notebook_section(g) for g in grades)


def safe_name(student: str) -> str:
    """A file name for a student id ("group/alice" -> "group__alice")."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", student.replace("/", "__")).strip("._")
    return name or "student"


def write_reports(grades, outdir: Path) -> list[Path]:
    """Write ``<student>.md`` for each student and ``grades.csv`` for the class; returns the paths written."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    by_student = defaultdict(list)
    for g in grades:
        by_student[g.student].append(g)
    written = []
    for student, gs in by_student.items():
        p = outdir / f"{safe_name(student)}.md"
        p.write_text(student_report(student, gs), encoding="utf-8")
        written.append(p)
    columns: list[str] = []
    for g in grades:
        for key in g.items():
            if key not in columns:
                columns.append(key)
    csv_path = outdir / "grades.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["student", "notebook", "score", "max_score", "status", "seconds", *columns, "problems",
                    "submission"])
        for g in grades:
            items = g.items()
            w.writerow([g.student, g.notebook, _pts(g.score), _pts(g.max_score), g.status, f"{g.seconds:.1f}",
                        *[_pts(items[c]) if c in items else "" for c in columns],
                        " / ".join(g.problems), g.submission])
    written.append(csv_path)
    return written
