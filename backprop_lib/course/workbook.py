"""The student's workbook: `python -m backprop_lib workbook [DIR]` (default `workbook/`, git-ignored).

It writes the student's copy of every notebook of the series (`strip.student_copy` with the teaching outputs
kept, so a notebook reads well before it runs) and never destroys the student's work: a second run adds only
the notebooks that are missing and reports those whose instructor version changed since they were written;
`--reset NN` backs the student's copy up into `DIR/.backup/` and writes a fresh one. The manifest
`DIR/.workbook.json` remembers what was written. `progress()` (shown in notebook 00) reports which exercises
and quizzes are done and right.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

from .strip import NOTEBOOKS, MarkerError, student_copy

__all__ = ["make_workbook", "progress", "workbook_main"]

MANIFEST = ".workbook.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _render(src: Path) -> bytes:
    nb = json.loads(src.read_text(encoding="utf-8"))
    copy_, _, _ = student_copy(nb, src.name, keep_outputs=True)
    return (json.dumps(copy_, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def make_workbook(dest="workbook", source=NOTEBOOKS, reset=(), out=print) -> dict:
    """Write the missing notebooks of the workbook `dest`; reset the ones named in `reset` ("03" or a name).

    Returns {"added": [...], "kept": [...], "changed_upstream": [...], "reset": [...]} (file names).
    """
    dest, source = Path(dest), Path(source)
    notebooks = sorted(source.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise ValueError(f"source: no notebooks NN_name.ipynb in {source}")
    wanted = set()
    for item in reset:
        match = [p.name for p in notebooks if p.name.startswith(f"{item}_") or p.name == item or p.stem == item]
        if not match:
            raise ValueError(f"reset: expected a notebook number such as 03 or a name, got {item!r}")
        wanted.update(match)
    rendered = {}
    for src in notebooks:  # render everything first: a broken notebook changes nothing
        try:
            rendered[src.name] = _render(src)
        except (MarkerError, ValueError, KeyError) as exc:
            raise ValueError(f"{src.name}: cannot make the student's copy: {exc}") from None
    dest.mkdir(parents=True, exist_ok=True)
    manifest_path = dest / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    report = {"added": [], "kept": [], "changed_upstream": [], "reset": []}
    for name, data in rendered.items():
        target = dest / name
        digest = _digest(data)
        if name in wanted and target.exists():
            backup = dest / ".backup" / f"{target.stem}.{time.strftime('%Y%m%d-%H%M%S')}.ipynb"
            backup.parent.mkdir(exist_ok=True)
            target.replace(backup)
            report["reset"].append(name)
            out(f"reset {name} (your copy is in {backup})")
        if not target.exists():
            target.write_bytes(data)
            manifest[name] = digest
            if name not in report["reset"]:
                report["added"].append(name)
                out(f"added {name}")
            continue
        report["kept"].append(name)
        if manifest.get(name) not in (None, digest):
            report["changed_upstream"].append(name)
            out(
                f"kept {name}: the series has a newer version; `workbook --reset {name[:2]}` takes it "
                "(your copy is backed up first)"
            )
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    if not report["added"] and not report["reset"]:
        out(f"{dest}: all {len(rendered)} notebooks are there; nothing was changed")
    return report


class Progress:
    """The progress table: Markdown in Jupyter, the same table as text elsewhere."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text

    def _repr_markdown_(self):
        return self.text


def progress(folder=None):
    """Which exercises and quizzes of the workbook are done and right, notebook by notebook (a table).

    Quizzes are read from the answer cells as saved (save the notebook first); exercises from the last run of
    each check cell in this workbook. Outside a workbook folder it says where to run it instead.
    """
    from .exercises import exercises
    from .quiz import all_quizzes, score_answer_source

    folder = Path(folder) if folder is not None else Path.cwd()
    if not (folder / MANIFEST).is_file():
        return Progress(
            "progress() reports on your workbook: run it in the workbook's 00_index.ipynb "
            "(`python -m backprop_lib workbook` writes the workbook; `make lab` opens it)."
        )
    state = {}
    if (folder / ".progress.json").is_file():
        try:
            state = json.loads((folder / ".progress.json").read_text()).get("exercises", {})
        except ValueError:
            state = {}
    answers = {}
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except ValueError:
            continue
        for cell in cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            if gid.startswith("quiz") and gid.endswith("-answer"):
                answers[gid[4:-7].replace("_", ".")] = "".join(cell["source"])
    rows = ["| notebook | exercises right | quizzes right | still open |", "|---|---|---|---|"]
    exs, qzs = exercises(), all_quizzes()
    for chapter in sorted({int(i.split(".")[0]) for i in [*exs, *qzs]}):
        ex_ids = [i for i in exs if int(i.split(".")[0]) == chapter]
        qz_ids = [i for i in qzs if int(i.split(".")[0]) == chapter]
        ex_right = [i for i in ex_ids if state.get(i) == "right"]
        qz_right = [i for i in qz_ids if i in answers and score_answer_source(i, answers[i]).ok]
        open_ = [f"Ex {i}" for i in ex_ids if i not in ex_right] + [f"Quiz {i}" for i in qz_ids if i not in qz_right]
        rows.append(
            f"| {chapter:02d} | {len(ex_right)} of {len(ex_ids)} | {len(qz_right)} of {len(qz_ids)} | "
            f"{', '.join(open_) or 'none: done'} |"
        )
    return Progress("\n".join(rows))


def workbook_main(argv) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backprop_lib workbook", description="Write your own copy of the series to work in."
    )
    parser.add_argument("dir", nargs="?", default="workbook", help="where to write it (default: workbook/)")
    parser.add_argument(
        "--reset",
        action="append",
        default=[],
        metavar="NN",
        help="back up your copy of notebook NN and write a fresh one (repeatable)",
    )
    parser.add_argument(
        "--source", default=str(NOTEBOOKS), help="the instructor notebooks to copy (default: the series' notebooks/)"
    )
    args = parser.parse_args(argv)
    try:
        make_workbook(args.dir, args.source, args.reset)
    except ValueError as exc:
        print(f"workbook: {exc}", file=sys.stderr)
        return 2
    return 0
