"""The web book (book/build.py): one static, offline HTML site of the whole series, made for readers.

The staging rules (no Sphinx, milliseconds): machinery folded by rule (imports, checks, worked solutions,
drawing code, long helper cells) while teaching code stays open; a quiz cell shows its question as HTML with a
revealable answer and its answer cell is left out; a figure followed by a "*Figure N.k:*" line becomes a figure
with that caption; the original notebook is never changed; a missing quiz fails the build naming its cell; the
front page's notebook table comes from the notebooks' titles and the README's one-liners.

Checked from the built HTML (one build per book per session):
  * every notebook has a page, and the front page's table links to it and to the notebook's download;
  * navigation: every page links to the previous and the next notebook, in file order;
  * offline: every <script src> and <link href> is relative and names a file that exists, no stylesheet
    imports or loads anything from another host, every <img src> is local and exists;
  * equations and figures: a notebook with math in its markdown has math elements on its page, and a page
    shows at least as many images as the notebook has stored image outputs;
  * the series builds with no warning at all (strict).
Checked in headless Chromium (marker `browser`): every page makes no request outside the book, MathJax typesets
every math element (and the quizzes' $...$), no MathJax error, no TeX left as text. The front page and one
notebook page at 1200 px and 400 px, light and dark: the mode is applied, nothing is wider than the window,
no element clips its content (scroll boxes may scroll), no text is fainter than WCAG AA on its background, no
word of the site title or the contents breaks across lines. On the reader fixture page: folded cells open on a
click, a quiz reveals its answer and typeset explanation on a click, a long code line scrolls inside its box.
Planted faults prove each check can fail.
Screenshots go to screenshots/book-*.png.

The fixture books (tests/fixtures/browser and a reader notebook written here, with a stand-in quiz bank) are
always built, so the builder is tested before the series has new-form quizzes; the book of notebooks/*.ipynb is
built and checked as soon as there are any (with the package's own quizzes).

Run: .venv/bin/pytest tests/test_book.py -p no:nbval     (add -m browser for only the browser part)
"""

import base64
import html as html_lib
import importlib.util
import io
import re
import shutil
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "browser"
SCREENSHOTS = REPO / "screenshots"
sys.path.insert(0, str(FIXTURES))
from harness import chromium_context, require_browser, serve_directory  # noqa: E402

_spec = importlib.util.spec_from_file_location("book_build", REPO / "book" / "build.py")
book_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(book_build)

SERIES = sorted((REPO / "notebooks").glob("*.ipynb"))
FIXTURE_BOOK = [FIXTURES / "broken.ipynb", FIXTURES / "sample.ipynb"]  # file order is reading order
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
# Math that myst turns into math elements: a closed $$...$$, a $...$ pair, or \begin{...}. An unclosed
# $$ is not math, it is a fault the browser check reports as raw TeX.
MATH_IN_MARKDOWN = re.compile(r"\$\$.+?\$\$|\$[^$\s][^$]*\$|\\begin\{", re.S)
RAW_TEX = re.compile(r"\$\$|\\\(|\\\[|\$[^$\s][^$]*\$|\\(?:frac|partial|sum|begin|mathbf|sigma|delta)\b")
CSS_REMOTE = re.compile(r"""(?:@import\s+(?:url\()?|url\()\s*['"]?\s*(?:(?!data:)[a-z][a-z0-9+.-]*:|//)""", re.I)
NOTEBOOK_PAGE = "03_recursion"  # the notebook page shot at every width and mode: quizzes, figures, exercises
WIDTHS = (1200, 400)
MODES = ("light", "dark")


# --------------------------------------------------------------------------------------------------
# A reader's notebook in the new forms (quiz("9.1"), answer(...), check("9.1", ...), captions), and a
# stand-in for the package's quiz bank with the interface of backprop_lib.course.quiz.Quiz


class StandInQuiz:
    """.qid, .question, .options, .points, .solution(), .to_html(reveal) like backprop_lib.course.quiz.Quiz."""

    BANK = {
        "9.1": (
            "Which entry of $W^l$ joins neuron $k$ of layer $l-1$ to neuron $j$ of layer $l$?",
            ["$W^l_{kj}$", "$W^l_{jk}$", "`W[l][k, j]`", "`W[l][j, k]`"],
            [1, 3],
            "Row $j$ holds every weight **into** neuron $j$: $z^l_j = \\sum_k W^l_{jk} a^{l-1}_k + b^l_j$.",
        ),
    }

    def __init__(self, qid):
        if qid not in self.BANK:
            raise ValueError(f"there is no quiz {qid}")
        self.qid = qid
        self.question, self.options, self._right, self._why = self.BANK[qid]
        self.points = 10

    @classmethod
    def load(cls, qid):
        return cls(qid)

    def solution(self):
        return list(self._right), self._why

    def to_html(self, reveal=True):
        esc = lambda t: html_lib.escape(t, quote=False)  # noqa: E731
        items = "".join(f"<li>{esc(t)}</li>" for t in self.options)
        out = f'<div class="bp-quiz"><p><b>Quiz {self.qid}.</b> {esc(self.question)}</p><ol start="0">{items}</ol>'
        if reveal:
            right, why = self.solution()
            out += (
                f"<details><summary>Show the answer</summary><p>Right: {', '.join(map(str, right))}.</p>"
                f"<p>{esc(why)}</p></details>"
            )
        return out + "</div>"


def _png():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2), dpi=50)
    fig.subplots().plot([0, 1, 2], [0, 1, 4])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


LONG_LINE = "weights = [" + ", ".join(f"{0.001 * i:.3f}" for i in range(60)) + "]  # one long line"
HELPER = '''def helper_one(x):
    """A helper."""
    y = x + 1
    y = y * 2
    return y


def helper_two(x):
    z = x - 1
    z = z * 3
    z = z - 4
    z = z + 5
    z = z / 6
    return z


def helper_three(x):
    return helper_one(helper_two(x))


CONSTANTS = [1, 2, 3]'''


def reader_notebook(path):
    """The fixture notebook of a reader's page: every rule of book/build.py has a cell to act on."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    out, png = nbformat.v4.new_output, _png()
    image = lambda: out("display_data", data={"image/png": png, "text/plain": "<Figure>"})  # noqa: E731
    stream = lambda text: out("stream", name="stdout", text=text)  # noqa: E731
    grader = lambda **kw: {"nbgrader": {"schema_version": 3, "locked": False, "points": 0, **kw}}  # noqa: E731
    cells = [
        md(
            "# 9. A reader's page\n\nThe book's fixture: every rule has a cell. A long inline formula, "
            "$a^L_n = \\sigma\\Big(\\sum_m w^L_{nm}\\big[\\cdots \\sigma\\big(\\sum_j w^2_{kj}\\,\\sigma\\big(\\sum_i "
            "w^1_{ji} x_i + b^1_j\\big) + b^2_k\\big)\\cdots\\big]_m + b^L_n\\Big)$, scrolls on a phone.\n\n"
            "**Learning goals**\n\n- Read a page whose machinery is folded."
        ),
        code("import numpy as np\nfrom backprop_lib import MLP"),
        md(
            "## 9.1 A wide equation\n\n$$\n\\frac{\\partial C}{\\partial W^1} = \\Big(\\big((W^2)^T\\big((a^2 - y)"
            "\\odot\\sigma'(z^2)\\big)\\big)\\odot\\sigma'(z^1)\\Big)(a^0)^T + \\lambda_1 W^1 + \\lambda_2 W^1 "
            "+ \\lambda_3 W^1 + \\lambda_4 W^1\n$$"
        ),
        code(LONG_LINE + "\nprint(weights)", outputs=[stream(LONG_LINE + "\n")]),
        code(
            "fig = new_figure((3, 2))\nax = fig.subplots()\nax.plot([0, 1, 2], [0, 1, 4])\n"
            "ax.set_title('squares')\nfig",
            outputs=[image()],
        ),
        md("*Figure 9.1:* Squares, $y = x^2$, drawn by the plotting cell above."),
        code(
            "draw_squares()",
            outputs=[
                stream("drawing\n"),
                image(),
                out("display_data", data={"text/markdown": "After the figure: $x = 1$.", "text/plain": "after"}),
            ],
        ),
        md("**Figure 9.2.** The same squares, from a one-line drawing call that stays open."),
        code('quiz("9.1")', outputs=[out("execute_result", execution_count=1, data={"text/plain": "Quiz 9.1 ..."})]),
        md("Answer in code (this is what the grader scores):"),
        code(
            '### BEGIN SOLUTION\nanswer("9.1", [1, 3])\n### END SOLUTION',
            metadata=grader(grade=False, solution=True, grade_id="quiz9_1-answer"),
        ),
        md("### Exercise 9.1\n\nWrite `double(x)`."),
        code(
            "# Exercise 9.1: double(x)\ndef double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            metadata=grader(grade=False, solution=True, grade_id="ex9_1-answer"),
        ),
        code(
            'check("9.1", double)',
            outputs=[stream("✔ Exercise 9.1: right\n")],
            metadata=grader(grade=True, solution=False, grade_id="ex9_1", points=2),
        ),
        code('verdict = check(lhs, rhs, name="z^2")', outputs=[stream("proved\n")]),
        code(HELPER),
        code(
            "quiz_9_2 = Quiz('9.2', 'Old form?', ['yes', 'no'], key='qk1:00')\nquiz_9_2",
            outputs=[
                out(
                    "execute_result",
                    execution_count=2,
                    data={
                        "application/vnd.jupyter.widget-view+json": {
                            "model_id": "ab",
                            "version_major": 2,
                            "version_minor": 0,
                        },
                        "text/plain": "Quiz 9.2",
                    },
                )
            ],
        ),
        md("Answer in code (this is what the autograder scores; clicking is for practice):"),
        code(
            "### BEGIN SOLUTION\nquiz_9_2.answer([0])\n### END SOLUTION",
            metadata=grader(grade=False, solution=True, grade_id="quiz9_2-answer"),
        ),
        md("## Summary\n\nThe end."),
    ]
    nb = nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="session")
def reader_path(tmp_path_factory):
    return reader_notebook(tmp_path_factory.mktemp("reader") / "09_reader.ipynb")


# --------------------------------------------------------------------------------------------------
# The staging rules


def _find(cells, needle):
    found = [c for c in cells if needle in c.source]
    assert len(found) == 1, f"{len(found)} cells hold {needle!r}"
    return found[0]


def _tags(cell):
    return cell.metadata.get("tags", [])


def test_machinery_is_folded_and_teaching_code_stays_open(reader_path):
    nb = nbformat.read(reader_path, as_version=4)
    staged, actions = book_build.prepare(nb, StandInQuiz.load, where="09_reader.ipynb")
    cells = staged.cells
    folded = {
        "import numpy": "Show the imports",
        'check("9.1"': "Show the check",
        "return 2 * x": "Show a worked solution",
        "ax.set_title": "Show the plotting code",
        "def helper_one": "Show the helper code",
    }
    for needle, prompt in folded.items():
        cell = _find(cells, needle)
        assert "hide-input" in _tags(cell), f"{needle!r} is not folded"
        assert cell.metadata["mystnb"]["code_prompt_show"] == prompt
    for needle in ("draw_squares()", 'check(lhs, rhs, name="z^2")', LONG_LINE):
        assert not _tags(_find(cells, needle)), f"{needle!r} is teaching code, yet tagged"
    assert dict((why, i) for i, why in actions)["imports"] == 1


def test_quiz_shows_its_question_and_its_answer_cells_are_left_out(reader_path):
    nb = nbformat.read(reader_path, as_version=4)
    staged, _ = book_build.prepare(nb, StandInQuiz.load)
    quiz = _find(staged.cells, 'quiz("9.1")')
    assert _tags(quiz) == ["remove-input"]
    (output,) = quiz.outputs
    shown = output["data"]["text/html"]
    assert 'class="bp-quiz-cell tex2jax_process"' in shown and "<details>" in shown and "$W^l_{kj}$" in shown
    sources = "\n".join(c.source for c in staged.cells)
    for gone in ('answer("9.1"', "quiz_9_2", "Answer in code", "Quiz('9.2'"):
        assert gone not in sources, f"{gone!r} is still in the book's copy"
    # the build checks the quiz object too: a to_html without a <details> to reveal the answer is refused
    lame = StandInQuiz("9.1")
    lame.to_html = lambda reveal=True: "<p>no answer to reveal</p>"
    with pytest.raises(ValueError, match="no <details>"):
        book_build.prepare(nb, lambda qid: lame)


def test_figure_captions_become_figure_captions(reader_path):
    nb = nbformat.read(reader_path, as_version=4)
    staged, actions = book_build.prepare(nb, StandInQuiz.load)
    cells = staged.cells
    plot = _find(cells, "ax.set_title")
    assert plot.metadata["mystnb"]["figure"] == {
        "caption": "*Figure 9.1:* Squares, $y = x^2$, drawn by the plotting cell above."
    }
    # a cell showing more than its figure is split: the figure alone carries the caption, in order
    i = cells.index(_find(cells, "draw_squares()"))
    split = cells[i : i + 3]
    assert [o.output_type for o in split[0].outputs] == ["stream"]
    assert list(split[1].outputs[0]["data"]) == ["image/png", "text/plain"]
    assert split[1].metadata["mystnb"]["figure"]["caption"].startswith("**Figure 9.2.**")
    assert "text/markdown" in split[2].outputs[0]["data"]
    assert _tags(split[1]) == _tags(split[2]) == ["remove-input"]
    assert not [c for c in cells if c.cell_type == "markdown" and "Figure 9." in c.source]
    assert sum(why == "caption" for _, why in actions) == 2


def test_a_caption_without_a_figure_stays_text():
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_markdown_cell("*Figure 1.1:* No figure above.")]
    )
    staged, actions = book_build.prepare(nb, StandInQuiz.load)
    assert staged.cells[1].source == "*Figure 1.1:* No figure above." and not actions


def test_the_original_notebook_is_not_changed(reader_path):
    before = reader_path.read_bytes()
    nb = nbformat.read(reader_path, as_version=4)
    snapshot = nbformat.writes(nb)
    book_build.prepare(nb, StandInQuiz.load)
    assert nbformat.writes(nb) == snapshot
    assert reader_path.read_bytes() == before


def test_a_missing_quiz_fails_the_build_naming_its_cell(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# 9. Lost"), nbformat.v4.new_code_cell('quiz("9.9")')]
    )
    path = tmp_path / "09_lost.ipynb"
    nbformat.write(nb, path)
    expected = r"09_lost.ipynb, cell index 1: cannot show 'quiz\(\"9.9\"\)': there is no quiz 9.9"
    with pytest.raises(RuntimeError, match=expected):
        book_build.build([path], out=tmp_path / "html", quiz_loader=StandInQuiz.load)


def test_front_page_table_comes_from_titles_and_the_readme(tmp_path, reader_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "| notebook | what you learn |\n|---|---|\n"
        "| [09_reader](notebooks/09_reader.ipynb) | Folded machinery, quizzes, captions, δ^{l+1} |\n"
    )
    other = tmp_path / "10_other.ipynb"
    nbformat.write(
        nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_markdown_cell("# 10. Another page\n\nIt says what it does first. Then more.")]
        ),
        other,
    )
    book_build.stage([reader_path, other], tmp_path / "src", StandInQuiz.load, readme=readme)
    index = (tmp_path / "src" / "index.md").read_text()
    assert (
        "* - [9. A reader's page](notebooks/09_reader.ipynb)\n  - Folded machinery, quizzes, captions, δ{sup}`l+1`\n"
    ) in index
    assert "* - [10. Another page](notebooks/10_other.ipynb)\n  - It says what it does first.\n" in index
    assert 'href="_sources/notebooks/10_other.ipynb" download="10_other.ipynb"' in index
    assert "\nnotebooks/09_reader\nnotebooks/10_other\n```" in index  # the contents, in reading order


def test_series_copies_fold_the_imports_and_hold_no_quiz_answer(tmp_path):
    """The rules on the real notebooks: each page opens on its text, and no answer of a quiz is on it."""
    if not SERIES:
        pytest.skip("notebooks/ has no notebooks yet")
    for path in SERIES:
        staged, actions = book_build.prepare(nbformat.read(path, as_version=4), where=path.name)
        first_code = next(c for c in staged.cells if c.cell_type == "code" and c.source.strip())
        assert "hide-input" in _tags(first_code) or "remove-input" in _tags(first_code), path.name
        for cell in staged.cells:
            stmts = book_build.statements(cell.source) if cell.cell_type == "code" else None
            assert not book_build.is_quiz_answer(stmts), f"{path.name}: an answer cell is left: {cell.source!r}"
            assert not book_build.is_old_quiz(stmts), f"{path.name}: an old quiz widget is left"


# --------------------------------------------------------------------------------------------------
# Reading the built HTML


class _Tags(HTMLParser):
    """Collects (tag, attributes) of every <script>, <link>, <img> and <a> of one page."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img", "a"):
            self.tags.append((tag, dict(attrs)))


def page_tags(path):
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


def is_remote(url):
    """True for any address that leaves the book: a scheme (https:, data: excepted) or a //host."""
    parsed = urlparse(url)
    return bool(parsed.netloc) or (bool(parsed.scheme) and parsed.scheme != "data")


def _local_target(page, url):
    return (page.parent / urlparse(url).path).resolve()


def offline_problems(out):
    """Every script, stylesheet or image of every page that is remote or missing, as sentences."""
    problems = []
    for page in sorted(out.rglob("*.html")):
        rel = page.relative_to(out)
        if rel.parts[0] == "_static":
            continue  # the theme's Jinja snippets (webpack-macros.html) ride along in _static; no page
        for tag, attrs in page_tags(page):
            url = attrs.get("src") if tag in ("script", "img") else attrs.get("href") if tag == "link" else None
            if not url or url.startswith("#"):
                continue
            if is_remote(url):
                problems.append(f"{rel}: <{tag}> loads {url} from outside the book")
            elif not url.startswith("data:") and not _local_target(page, url).is_file():
                problems.append(f"{rel}: <{tag}> names {url}, which is not in the book")
    for css in sorted(out.rglob("*.css")):
        for match in CSS_REMOTE.finditer(css.read_text(encoding="utf-8", errors="replace")):
            problems.append(f"{css.relative_to(out)}: loads from outside the book: {match.group(0)}")
    return problems


def content_problems(out, notebooks):
    """Missing pages, broken navigation or downloads, lost math or figures, as sentences."""
    problems = []
    pages = [out / "notebooks" / f"{nb.stem}.html" for nb in notebooks]
    index_links = {urlparse(a.get("href", "")).path for tag, a in page_tags(out / "index.html") if tag == "a"}
    order = [out / "index.html"] + pages
    for i, (nb, page) in enumerate(zip(notebooks, pages), start=1):
        if not page.is_file():
            problems.append(f"{nb.name}: no page {page.relative_to(out)}")
            continue
        if f"notebooks/{page.name}" not in index_links:
            problems.append(f"{nb.name}: the contents on index.html do not link to it")
        download = out / "_sources" / "notebooks" / nb.name
        if f"_sources/notebooks/{nb.name}" not in index_links:
            problems.append(f"{nb.name}: index.html has no download link for it")
        elif not download.is_file() or download.read_bytes() != book_build.student_download(nb):
            problems.append(f"{nb.name}: the download is not the student's copy of the notebook")
        buttons = {
            _local_target(page, a["href"])
            for tag, a in page_tags(page)
            if tag == "a" and a.get("href", "").endswith(f"_sources/notebooks/{nb.name}")
        }
        if buttons != {download.resolve()}:
            problems.append(f"{nb.name}: its page's download button does not lead to the notebook")
        rels = {
            a.get("rel"): _local_target(page, a["href"])
            for tag, a in page_tags(page)
            if tag == "link" and a.get("rel") in ("prev", "next") and a.get("href")
        }
        if rels.get("prev") != order[i - 1].resolve():
            problems.append(f"{nb.name}: 'previous' should lead to {order[i - 1].name}, got {rels.get('prev')}")
        want_next = order[i + 1].resolve() if i + 1 < len(order) else None
        if want_next is None and rels.get("next") is not None and rels["next"].parent.name != "notebooks":
            pass  # after the last notebook come the guides the notebooks link to (CONTRIBUTING, ...)
        elif rels.get("next") != want_next:
            problems.append(f"{nb.name}: 'next' should lead to {want_next and want_next.name}, got {rels.get('next')}")
        html = page.read_text(encoding="utf-8")
        stored = nbformat.read(nb, as_version=4)
        has_math = any(c.cell_type == "markdown" and MATH_IN_MARKDOWN.search(c.source) for c in stored.cells)
        if has_math and 'class="math' not in html:
            problems.append(f"{nb.name}: its markdown has math but its page has no math element")
        n_images = sum(
            any(m in o.get("data", {}) for m in IMAGE_MIMES) for c in stored.cells for o in c.get("outputs", [])
        )
        shown = sum(tag == "img" for tag, _ in page_tags(page))
        if shown < n_images:
            problems.append(f"{nb.name}: {n_images} stored figure(s), {shown} <img> on its page")
    return problems


# --------------------------------------------------------------------------------------------------
# Builds (session scope: each book is built once)


@pytest.fixture(scope="session")
def fixture_book(tmp_path_factory, reader_path):
    started = time.monotonic()
    notebooks = FIXTURE_BOOK + [reader_path]
    out, warnings = book_build.build(
        notebooks, out=tmp_path_factory.mktemp("fixture-book") / "html", strict=True, quiz_loader=StandInQuiz.load
    )
    print(f"fixture book built in {time.monotonic() - started:.1f} s")
    return out, notebooks


@pytest.fixture(scope="session")
def series_book(tmp_path_factory):
    if not SERIES:
        pytest.skip("notebooks/ has no notebooks yet")
    started = time.monotonic()
    out, warnings = book_build.build(SERIES, out=tmp_path_factory.mktemp("series-book") / "html")
    print(f"series book ({len(SERIES)} notebooks) built in {time.monotonic() - started:.1f} s")
    return out, warnings


@pytest.fixture(params=["fixture", "series"])
def book(request):
    if request.param == "fixture":
        return request.getfixturevalue("fixture_book")
    return request.getfixturevalue("series_book")[0], SERIES


# --------------------------------------------------------------------------------------------------
# Tests on the HTML


def test_every_notebook_has_a_page_with_navigation_downloads_math_and_figures(book):
    out, notebooks = book
    problems = content_problems(out, notebooks)
    assert not problems, "\n".join(problems)


def test_series_builds_without_warnings(series_book):
    """A warning is a defect a reader meets: e.g. a navigation link to a notebook that does not exist."""
    _, warnings = series_book
    assert not warnings, "\n".join(warnings)


def test_book_is_offline(book):
    out, _ = book
    assert (out / "_static" / "mathjax" / "tex-chtml.js").is_file(), "MathJax was not copied into the book"
    problems = offline_problems(out)
    assert not problems, "\n".join(problems)


def test_reader_page_folds_machinery_shows_the_quiz_and_captions_figures(fixture_book):
    page = (fixture_book[0] / "notebooks" / "09_reader.html").read_text(encoding="utf-8")
    summaries = re.findall(r'<p class="collapsed admonition-title">([^<]*)</p>', page)
    assert summaries == [
        "Show the imports",
        "Show the plotting code",
        "Show a worked solution",
        "Show the check",
        "Show the helper code",
    ], summaries
    assert page.count('class="bp-quiz"') == 1 and "<summary>Show the answer</summary>" in page
    assert 'answer("9.1"' not in page and "quiz_9_2" not in page and "Answer in code" not in page
    captions = re.findall(r"<figcaption>\s*<p>(.*?)</p>", page, re.S)
    assert len(captions) == 2 and "Figure 9.1:" in captions[0] and "Figure 9.2." in captions[1], captions
    assert '<span class="math notranslate nohighlight">\\(y = x^2\\)</span>' in captions[0]


def test_checks_reject_a_remote_script_a_missing_page_and_broken_navigation(fixture_book, tmp_path):
    """Each check above can fail: plant the faults in a copy of a good book."""
    out = tmp_path / "html"
    shutil.copytree(fixture_book[0], out)
    page = out / "notebooks" / "sample.html"
    html = page.read_text(encoding="utf-8")
    html = html.replace(
        "</head>",
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js">'
        '</script>\n<link rel="stylesheet" href="//fonts.example.org/a.css"/></head>',
    )
    html = re.sub(r'<link rel="prev"[^>]*>', "", html)
    page.write_text(html, encoding="utf-8")
    (out / "_static" / "book.css").write_text("@import url('https://fonts.example.org/f.css');\n")
    (out / "notebooks" / "broken.html").unlink()
    (out / "_sources" / "notebooks" / "sample.ipynb").write_text("{}")
    offline = "\n".join(offline_problems(out))
    assert "loads https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js from outside" in offline
    assert "loads //fonts.example.org/a.css from outside" in offline
    assert "book.css: loads from outside the book" in offline
    content = "\n".join(content_problems(out, fixture_book[1]))
    assert "broken.ipynb: no page notebooks/broken.html" in content
    assert "sample.ipynb: 'previous' should lead to broken.html, got None" in content, content
    assert "sample.ipynb: the download is not the student's copy of the notebook" in content


def test_build_fails_loudly_on_a_bad_notebook(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{ this is not a notebook")
    with pytest.raises(RuntimeError, match="sphinx-build failed"):
        book_build.build([bad], out=tmp_path / "html")


def test_strict_build_fails_on_a_link_to_a_missing_notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Lonely\n\n[next →](99_missing.ipynb)")])
    path = tmp_path / "01_lonely.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(RuntimeError, match="99_missing.ipynb"):
        book_build.build([path], out=tmp_path / "html", strict=True)
    warnings = (tmp_path / "warnings.txt").read_text()
    assert "cross-reference target not found: '99_missing.ipynb'" in warnings, warnings


# --------------------------------------------------------------------------------------------------
# Opening the pages in Chromium

_PAGE_FACTS_JS = r"""
() => {
  const body = document.querySelector('main') || document.body;
  const copy = body.cloneNode(true);
  copy.querySelectorAll('mjx-container, code, pre, script, style, .highlight').forEach(n => n.remove());
  const math = Array.from(document.querySelectorAll('.math'));
  return {
    text: copy.textContent,
    math: math.length,
    typeset: math.filter(m => m.querySelector('mjx-container')).length,
    containers: document.querySelectorAll('mjx-container').length,
    errors: document.querySelectorAll('mjx-merror').length,
    images: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
  };
}
"""

# What a reader would see cut off or pushed out of the window, at the current width. MathJax's invisible
# copy of each formula for screen readers (mjx-assistive-mml) is set aside while measuring: it is wider
# than the glyphs and never shown.
_LAYOUT_JS = r"""
() => {
  const aside = document.createElement('style');
  aside.textContent = 'mjx-assistive-mml { display: none !important; }';
  document.head.appendChild(aside);
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const where = el => {
    const p = [];
    for (let e = el; e && e !== document.body && p.length < 3; e = e.parentElement) p.unshift(name(e));
    return p.join(' > ');
  };
  const shown = el => {
    const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden') return false;
    const r = el.getBoundingClientRect();
    return r.width > 2 && r.height > 2;
  };
  const inScrollBox = el => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  const vw = window.innerWidth, clipped = [], outside = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el)) continue;
    const st = getComputedStyle(el);
    if ((st.overflowX === 'hidden' || st.overflowX === 'clip') && el.scrollWidth > el.clientWidth + 1)
      clipped.push(`${where(el)} clips its content (${el.scrollWidth} px in ${el.clientWidth} px): ` +
                   `"${el.textContent.trim().slice(0, 50)}"`);
    const r = el.getBoundingClientRect();
    if (el.children.length === 0 && el.textContent.trim() && (r.right > vw + 1 || r.left < -1) && !inScrollBox(el))
      outside.push(`${where(el)} is outside the window (${Math.round(r.left)}..${Math.round(r.right)} px): ` +
                   `"${el.textContent.trim().slice(0, 50)}"`);
  }
  // Text too faint on its background (WCAG AA: contrast ratio 4.5), e.g. a quiz drawn dark on dark.
  const rgba = c => {
    const v = (c.match(/[\d.]+/g) || [0, 0, 0, 0]).map(Number);
    return v.length > 3 ? v : [...v, 1];
  };
  const lum = c => {
    const f = x => (x /= 255) <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const backdrop = el => {  // the first background behind el that is not (nearly) transparent
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  const faint = [];
  for (const el of (document.querySelector('main') || document.body).querySelectorAll('*')) {
    if (!Array.from(el.childNodes).some(n => n.nodeType === 3 && n.data.trim()) || !shown(el)) continue;
    if (el.closest('mjx-assistive-mml, details:not([open]) > :not(summary)')) continue;
    const a = lum(rgba(getComputedStyle(el).color)), b = lum(backdrop(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5)
      faint.push(`${where(el)} has contrast ${ratio.toFixed(1)}: "${el.textContent.trim().slice(0, 40)}"`);
  }
  aside.remove();
  const bg = rgba(getComputedStyle(document.body).backgroundColor);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, clipped, outside, faint,
          theme: document.documentElement.dataset.theme,
          background: (0.2126 * bg[0] + 0.7152 * bg[1] + 0.0722 * bg[2]) / 255};
}
"""

# Words of the site title, the contents and the page title that the browser broke across two lines.
_BROKEN_WORDS_JS = r"""
(selector) => {
  const broken = [];
  for (const el of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}
"""
TITLE_WORDS = ".logo__title, .bd-sidenav a, .bd-article h1"


def _wait_for_math(page, seconds=20):
    deadline = time.monotonic() + seconds
    while True:
        facts = page.evaluate(_PAGE_FACTS_JS)
        if facts["typeset"] == facts["math"] or time.monotonic() > deadline:
            return facts
        time.sleep(0.25)


def browser_problems(context, base, out, names, shots=True):
    """Open each page (path under the book); list what a reader would see wrong, as sentences."""
    problems = []
    for name in names:
        page = context.new_page()
        outside = []
        page.on("request", lambda req, seen=outside: seen.append(req.url) if not req.url.startswith(base) else None)
        try:
            page.goto(f"{base}/{name}", wait_until="load")
            facts = _wait_for_math(page)
            if facts["typeset"] < facts["math"]:
                problems.append(f"{name}: MathJax typeset {facts['typeset']} of {facts['math']} math elements")
            if facts["errors"]:
                problems.append(f"{name}: {facts['errors']} MathJax error(s)")
            match = RAW_TEX.search(facts["text"])
            if match:
                around = " ".join(facts["text"][max(0, match.start() - 30) : match.end() + 30].split())
                problems.append(f"{name}: untypeset TeX shown as text: ...{around}...")
            problems += [f"{name}: image did not load: {src}" for src in facts["images"]]
            problems += [f"{name}: requested {url} from outside the book" for url in outside]
            if shots:
                SCREENSHOTS.mkdir(exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / f"book-{Path(name).stem}.png"), full_page=True)
        finally:
            page.close()
    return problems


def _page(context, width, mode="light"):
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=mode)  # the theme's "auto" mode follows the reader's system setting
    return page


def layout_problems(context, base, name, width, mode, shot=None, faint_shown=10):
    """Open one page at `width` px in `mode`; list what overflows, is clipped, is too faint to read or breaks
    mid-word (at most `faint_shown` of the faint texts)."""
    page = _page(context, width, mode)
    try:
        page.goto(f"{base}/{name}", wait_until="load")
        _wait_for_math(page)
        page.evaluate("document.fonts.ready")
        where = f"{name} at {width} px, {mode}"
        facts = page.evaluate(_LAYOUT_JS)
        problems = [f"{where}: {p}" for p in facts["clipped"] + facts["outside"] + facts["faint"][:faint_shown]]
        if facts["scrollWidth"] > facts["innerWidth"]:
            problems.append(f"{where}: the page is {facts['scrollWidth']} px wide in a {width} px window")
        if facts["theme"] != mode or (facts["background"] > 0.5) != (mode == "light"):
            problems.append(
                f"{where}: the page shows theme {facts['theme']!r}, background luminance {facts['background']:.2f}"
            )
        if shot:
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
        if width < 992:  # a phone: the contents are in a drawer; open it and read them there
            page.locator("button.primary-toggle:visible").first.click()
            page.wait_for_selector("#pst-primary-sidebar-modal .bd-sidenav", state="visible")
        broken = page.evaluate(_BROKEN_WORDS_JS, TITLE_WORDS)
        if broken:
            problems.append(f"{where}: words broken across lines in the titles or the contents: {broken}")
        return problems
    finally:
        page.close()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    require_browser()
    with chromium_context(tmp_path_factory.mktemp("chromium-profile-book")) as context:
        yield context


@pytest.mark.browser
def test_series_pages_typeset_in_chromium(series_book, chromium):
    out = series_book[0]
    pages = [f"notebooks/{nb.stem}.html" for nb in SERIES]
    with serve_directory(out) as base:  # screenshots: test_front_page_and_a_notebook_fit_every_width_...
        problems = browser_problems(chromium, base, out, pages, shots=False)
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_fixture_pages_typeset_and_raw_tex_is_caught(fixture_book, chromium):
    """sample and the reader page render clean (the quiz's $...$ included); broken.ipynb's unclosed $$ must
    be reported as untypeset TeX."""
    out = fixture_book[0]
    with serve_directory(out) as base:
        clean = browser_problems(chromium, base, out, ["notebooks/sample.html", "notebooks/09_reader.html"])
        broken = browser_problems(chromium, base, out, ["notebooks/broken.html"])
    assert not clean, "\n".join(clean)
    assert any("notebooks/broken.html: untypeset TeX shown as text" in p and "$$" in p for p in broken), broken


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_front_page_and_a_notebook_fit_every_width_in_light_and_dark(series_book, chromium, width):
    out = series_book[0]
    notebook = NOTEBOOK_PAGE if (out / "notebooks" / f"{NOTEBOOK_PAGE}.html").is_file() else SERIES[0].stem
    problems = []
    with serve_directory(out) as base:
        for name, short in (("index.html", "index"), (f"notebooks/{notebook}.html", notebook)):
            for mode in MODES:
                problems += layout_problems(chromium, base, name, width, mode, shot=f"book-{short}-{width}-{mode}.png")
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_reader_page_folds_reveals_and_scrolls_in_chromium(fixture_book, chromium):
    """Folded code opens on a click; the quiz reveals its answer with typeset math; the long code line
    scrolls inside its own box; at 400 px nothing overflows."""
    with serve_directory(fixture_book[0]) as base:
        problems = layout_problems(
            chromium, base, "notebooks/09_reader.html", 400, "dark", shot="book-09_reader-400-dark.png"
        )
        assert not problems, "\n".join(problems)
        page = _page(chromium, 400)
        try:
            page.goto(f"{base}/notebooks/09_reader.html", wait_until="load")
            _wait_for_math(page)
            imports = page.locator("details.hide", has_text="Show the imports")
            assert not imports.locator("pre").is_visible(), "the imports are not folded"
            imports.locator("summary").click()
            assert imports.locator("pre").is_visible() and "import numpy" in imports.locator("pre").inner_text()

            quiz = page.locator(".bp-quiz")
            assert quiz.locator("ol > li").count() == 4 and quiz.locator("ol mjx-container").count() >= 2
            explanation = quiz.locator("details p", has_text="Row")
            assert not explanation.is_visible(), "the quiz shows its answer before it is asked for"
            quiz.locator("summary", has_text="Show the answer").click()
            assert explanation.is_visible() and "Right: 1, 3." in quiz.locator("details").inner_text()
            assert explanation.locator("mjx-container").count() >= 1, "the explanation's math is not typeset"

            box = page.locator("div.cell_input pre", has_text="one long line")
            sizes = box.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
            assert sizes[0] > sizes[1] and sizes[2] in ("auto", "scroll"), sizes
        finally:
            page.close()


@pytest.mark.browser
def test_layout_checks_catch_overflow_clipping_broken_words_and_faint_text(fixture_book, chromium, tmp_path):
    """Each layout check can fail: plant a page wider than the phone, a code box that clips, a title that
    breaks mid-word, a dark mode that is not applied and a quiz drawn dark on dark, in a copy of a good book."""
    out = tmp_path / "html"
    shutil.copytree(fixture_book[0], out)
    css = out / "_static" / "book.css"
    css.write_text(
        css.read_text() + "\n.bd-article h1 { min-width: 700px; }\n"
        "div.cell_input pre { overflow-x: hidden !important; }\n"
        ".logo__title { word-break: break-all; width: 5em; }\n"
        "html[data-theme=dark] body { background: #fff !important; }\n"
        "html[data-theme=dark] .bp-quiz { color: #333 !important; }\n"
    )
    with serve_directory(out) as base:
        found = "\n".join(layout_problems(chromium, base, "notebooks/09_reader.html", 400, "dark", faint_shown=1000))
    assert "the page is" in found and "px wide in a 400 px window" in found, found
    assert "pre clips its content" in found and "one long line" in found, found
    assert "words broken across lines" in found and "Backpropagation" in found, found
    assert "the page shows theme 'dark', background luminance 1.00" in found, found
    assert re.search(r'div\.bp-quiz > p has contrast 1\.\d: "Quiz 9\.1\.', found), found


@pytest.mark.browser
def test_search_finds_a_page_offline(fixture_book, chromium):
    """The search box (Ctrl+K on any page) finds a word of the reader page, from the book's own index."""
    with serve_directory(fixture_book[0]) as base:
        page = _page(chromium, 1200)
        outside = []
        page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(base) else None)
        try:
            page.goto(f"{base}/notebooks/sample.html", wait_until="load")
            page.keyboard.press("Control+k")
            page.locator("#pst-search-dialog input[name=q]").fill("machinery")
            page.keyboard.press("Enter")
            page.wait_for_selector("#search-results ul.search li", timeout=20_000)
            found = page.locator("#search-results ul.search li a").all_inner_texts()
        finally:
            page.close()
    assert "9. A reader’s page" in found, found
    assert not outside, outside
