"""Grading reports: one Markdown file per student, one CSV for the class, each written atomically.

`REPORTDIR/<student>.md` has a section per notebook (score, a table of points per exercise and quiz, what stopped
the run, the checks' diagnoses, the cells that raised). `REPORTDIR/grades.csv` has one row per student and
notebook. Everything a submission controls (its student's name, error messages, diagnoses that quote its values)
is written as inert text: one line, HTML's special characters as entities and Markdown's inline marks escaped, so
that no message can open a header, a table row, a link, an image or a tag; a CSV cell never starts a formula.
Report names are unique: a name is kept with its letters (any script), and names that would share a file ("x y"
and "x_y", or "Ab" and "ab" on a case-insensitive disk) each get a short digest of the full name.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import os
import re
import tempfile
import unicodedata
from pathlib import Path

__all__ = ["atomic_write", "csv_text", "md_text", "report_names", "safe_stem", "student_report"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~$])")  # inline marks; the rest is harmless inside a line
_MAX_TEXT = 600
_UMASK = os.umask(0o022)  # read once, at import (os.umask can only be read by setting it)
os.umask(_UMASK)


def md_text(text, limit: int = _MAX_TEXT) -> str:
    """`text` as inert Markdown on one line: whitespace runs become one space, &<> become entities, inline marks
    are backslash-escaped, and anything beyond `limit` characters is cut (with an ellipsis)."""
    one_line = " ".join(str(text).split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))


def _pts(x: float) -> str:
    return f"{x:g}"


def safe_stem(student: str) -> str:
    """A file name for a student: letters and digits of any script kept, anything else '_' (at most 120 bytes)."""
    name = unicodedata.normalize("NFC", str(student)).replace("/", "__")
    name = "".join(c if (c.isalnum() or c in "-_.") else "_" for c in name)
    name = re.sub(r"_{3,}", "__", name).strip("._-")
    name = name.encode("utf-8")[:120].decode("utf-8", "ignore")  # a file name holds at most 255 bytes
    return name or "student"


def report_names(students) -> dict:
    """A unique report stem per student: `safe_stem`, plus a digest of the name where stems would collide
    (compared case-insensitively, as on macOS and Windows disks)."""
    students = sorted(set(students))
    groups: dict = {}
    for s in students:
        groups.setdefault(safe_stem(s).casefold(), []).append(s)
    out = {}
    for members in groups.values():
        for s in members:
            stem = safe_stem(s)
            if len(members) > 1 or stem == "grades":
                stem = f"{stem}-{hashlib.sha256(s.encode('utf-8')).hexdigest()[:8]}"
            out[s] = stem
    taken: dict = {}
    for s in students:  # a digest that happens to equal another student's name: a longer digest
        digits = 8
        while out[s].casefold() in taken:
            digits += 4
            out[s] = f"{safe_stem(s)}-{hashlib.sha256(s.encode('utf-8')).hexdigest()[:digits]}"
        taken[out[s].casefold()] = s
    return out


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` so that a reader sees the old file or the new one, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ------------------------------------------------------------------------------------------------ Markdown
def notebook_section(g) -> str:
    """The Markdown section of one graded notebook (a NotebookGrade)."""
    lines = [f"## {md_text(g.notebook)}: {_pts(g.score)} / {_pts(g.max_score)} points", ""]
    lines.append(
        f"Submission {md_text(g.submission)}, graded against {md_text(g.source or '-')} "
        f"({md_text(g.status)}, {g.seconds:.1f} s, isolation: {md_text(g.isolation or '-')})."
    )
    lines.append("")
    if g.problems:
        lines += ["**Problems**", ""]
        lines += [f"- {md_text(p)}" for p in g.problems]
        lines.append("")
    if g.exercises or g.quizzes:
        lines += ["| item | points | max | result |", "|---|---:|---:|---|"]
        for e in g.exercises:
            result = e.status if e.status == "passed" else f"{e.status}: {e.message}"
            lines.append(f"| Exercise {md_text(e.id)} | {_pts(e.points)} | {_pts(e.max_points)} | {md_text(result)} |")
        for q in g.quizzes:
            lines.append(
                f"| Quiz {md_text(q.id)} | {_pts(q.points)} | {_pts(q.max_points)} | "
                f"{md_text(q.status if q.status == 'right' else q.status + ': ' + q.message)} |"
            )
        lines.append("")
    failed = [e for e in g.exercises if e.status != "passed"]
    if failed:
        lines += ["**Feedback on the exercises that did not pass**", ""]
        for e in failed:
            lines.append(f"- **Exercise {md_text(e.id)}** (0 / {_pts(e.max_points)}): {md_text(e.message)}")
        lines.append("")
    if g.cell_errors:
        lines += ["**Cells of the submission that raised an error**", ""]
        lines += [f"- {md_text(c)}" for c in g.cell_errors]
        lines.append("")
    return "\n".join(lines)


def student_report(student: str, grades) -> str:
    """The whole Markdown report of one student (all their notebooks, in name order)."""
    grades = sorted(grades, key=lambda g: g.notebook)
    total, best = sum(g.score for g in grades), sum(g.max_score for g in grades)
    plural = "s" if len(grades) != 1 else ""
    head = [
        f"# Grade report: {md_text(student)}",
        "",
        f"Total: {_pts(total)} / {_pts(best)} points over {len(grades)} notebook{plural}.",
        "",
    ]
    return "\n".join(head) + "\n" + "\n".join(notebook_section(g) for g in grades)


# ------------------------------------------------------------------------------------------------ CSV
def _csv_cell(value) -> str:
    text = " ".join(str(value).split())
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def csv_text(grades, columns) -> str:
    """grades.csv: one row per student and notebook; `columns` are the item columns (Exercise check grade_ids,
    "quiz N.k") in course order."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "notebook", "score", "max_score", "status", "seconds", *columns, "problems", "submission"])
    for g in sorted(grades, key=lambda g: (g.student, g.notebook)):
        items = g.items()
        w.writerow(
            [
                _csv_cell(g.student),
                _csv_cell(g.notebook),
                _pts(g.score),
                _pts(g.max_score),
                g.status,
                f"{g.seconds:.1f}",
                *[_pts(items[c]) if c in items else "" for c in columns],
                _csv_cell(" / ".join(g.problems)),
                _csv_cell(g.submission),
            ]
        )
    return buf.getvalue()
