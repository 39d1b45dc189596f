"""Submissions: the notebooks under a folder, each with its student and instructor notebook, read strictly.

`discover` finds a class's notebooks (`submissions/<student>/*.ipynb`, or flat files) and, with `find_source`, the
instructor notebook each answers. `read_submission` reads one as JSON (at most 20 MB, no symbolic link): nothing in
it is executed or unpickled, and InvalidNotebook says why a file is not an nbformat 4 notebook.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

__all__ = ["InvalidNotebook", "Submission", "discover", "find_source", "read_submission"]

MAX_SUBMISSION_BYTES = 20 * 2**20


class InvalidNotebook(ValueError):
    """A submission that cannot be read as a notebook (the message says why)."""


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
