"""Build the web book: every notebook of the series as one static, offline HTML site.

    python book/build.py                  # notebooks/*.ipynb -> book/_build/html/index.html
    python book/build.py --notebooks DIR --out OUT

Sphinx needs its sources in one folder, so the notebooks are staged (copied by this script, never by
hand) into book/_build/src/notebooks/ next to book/index.md; book/conf.py is the configuration. The
build uses the notebooks' stored outputs and needs no network: MathJax comes from the PyPI package
sphinx-mathjax-offline. Warnings (a link to a missing notebook, say) are printed and kept in
<out>/../warnings.txt; --strict makes them fail the build (tests/test_book.py requires none).
"""
import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

BOOK = Path(__file__).resolve().parent
REPO = BOOK.parent


LINKED_DOC = re.compile(r"\]\(\.\./([A-Za-z0-9_-]+\.md)(?:#[^)]*)?\)")


def stage(notebooks, src):
    """Fresh Sphinx source folder: book/index.md plus the given notebooks under notebooks/.

    Repository documents the notebooks link to (e.g. `[guide](../CONTRIBUTING.md)`) are staged too and
    listed on the front page, so that those links work in the book as they do in JupyterLab.
    """
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    docs = set()
    for nb in notebooks:
        shutil.copy2(nb, src / "notebooks" / nb.name)
        docs.update(LINKED_DOC.findall(Path(nb).read_text(encoding="utf-8", errors="replace")))
    docs = sorted(d for d in docs if (REPO / d).is_file())
    index = (BOOK / "index.md").read_text(encoding="utf-8")
    if docs:
        index += "\n```{toctree}\n:maxdepth: 1\n:caption: Guides\n\n" + "\n".join(docs) + "\n```\n"
        for doc in docs:
            shutil.copy2(REPO / doc, src / doc)
    (src / "index.md").write_text(index, encoding="utf-8")
    return src


def build(notebooks=None, out=None, work=None, quiet=True, strict=False):
    """Stage and build; returns (output folder, list of Sphinx warnings). Its index.html is the front page.

    notebooks: list of .ipynb paths (default: notebooks/*.ipynb of this repository, in file order).
    strict: turn warnings (e.g. a link to a notebook that does not exist) into a failed build.
    Raises RuntimeError with Sphinx's output when the build fails.
    """
    notebooks = sorted(REPO.glob("notebooks/*.ipynb")) if notebooks is None else [Path(p) for p in notebooks]
    out = Path(out) if out else BOOK / "_build" / "html"
    work = Path(work) if work else out.parent
    src = stage(notebooks, work / "src")
    warnings_file = work / "warnings.txt"
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(BOOK), "-d", str(work / "doctrees"),
           "-E", "-j", "1", "-w", str(warnings_file), str(src), str(out)]
    if strict:
        cmd[3:3] = ["-W", "--keep-going"]
    if quiet:
        cmd.insert(3, "-q")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"sphinx-build failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    warnings = [line for line in warnings_file.read_text().splitlines() if "WARNING" in line or "ERROR" in line]
    return out, warnings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=REPO / "notebooks",
                        help="folder whose *.ipynb make the book (default: notebooks/)")
    parser.add_argument("--out", type=Path, default=BOOK / "_build" / "html", help="output folder")
    parser.add_argument("--strict", action="store_true", help="fail on any Sphinx warning")
    args = parser.parse_args(argv)
    notebooks = sorted(args.notebooks.glob("*.ipynb"))
    if not notebooks:
        parser.error(f"no notebooks in {args.notebooks}")
    try:
        out, warnings = build(notebooks, args.out, quiet=False, strict=args.strict)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"web book: {out / 'index.html'} ({len(notebooks)} notebooks, {len(warnings)} warnings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
