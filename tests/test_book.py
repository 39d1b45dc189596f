"""The web book (book/build.py): one static, offline HTML site of the whole series.

Checked from the built HTML (normal tests, a few seconds each):
  * every notebook has a page, and the front page's contents link to it;
  * navigation: every page links to the previous and the next notebook, in file order;
  * offline: every <script src> and <link href> is relative and names a file that exists, no stylesheet
    imports or loads anything from another host, every <img src> is local and exists;
  * equations and figures: a notebook with math in its markdown has math elements on its page, and a page
    shows at least as many images as the notebook has stored image outputs.
Checked in headless Chromium (marker `browser`): the page makes no request outside the book, MathJax
typesets every math element, shows no MathJax error, and no TeX ($$, \\(, \\frac, ...) is left as text.
A screenshot of each page goes to screenshots/book-<name>.png.

The book of the fixture notebooks (tests/fixtures/browser) is always built, so the builder is tested
before the series exists; the book of notebooks/*.ipynb is built and checked as soon as there are any.

Run: .venv/bin/pytest tests/test_book.py -p no:nbval     (add -m browser for only the browser part)
"""
import importlib.util
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
CSS_REMOTE = re.compile(r"""(?:@import\s+(?:url\()?|url\()\s*['"]?\s*(?:[a-z][a-z0-9+.-]*:|//)""", re.I)


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
    """Missing pages, broken navigation, lost math or figures, as sentences."""
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
        rels = {a.get("rel"): _local_target(page, a["href"]) for tag, a in page_tags(page)
                if tag == "link" and a.get("rel") in ("prev", "next") and a.get("href")}
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
        n_images = sum(any(m in o.get("data", {}) for m in IMAGE_MIMES)
                       for c in stored.cells for o in c.get("outputs", []))
        shown = sum(tag == "img" for tag, _ in page_tags(page))
        if shown < n_images:
            problems.append(f"{nb.name}: {n_images} stored figure(s), {shown} <img> on its page")
    return problems


# --------------------------------------------------------------------------------------------------
# Builds (module scope: each book is built once)


@pytest.fixture(scope="module")
def fixture_book(tmp_path_factory):
    started = time.monotonic()
    out, warnings = book_build.build(FIXTURE_BOOK, out=tmp_path_factory.mktemp("fixture-book") / "html",
                                     strict=True)
    print(f"fixture book built in {time.monotonic() - started:.1f} s")
    return out, warnings


@pytest.fixture(scope="module")
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
        return request.getfixturevalue("fixture_book")[0], FIXTURE_BOOK
    return request.getfixturevalue("series_book")[0], SERIES


# --------------------------------------------------------------------------------------------------
# Tests on the HTML


def test_every_notebook_has_a_page_with_navigation_math_and_figures(book):
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


def test_checks_reject_a_remote_script_a_missing_page_and_broken_navigation(fixture_book, tmp_path):
    """Each check above can fail: plant the faults in a copy of a good book."""
    out = tmp_path / "html"
    shutil.copytree(fixture_book[0], out)
    page = out / "notebooks" / "sample.html"
    html = page.read_text(encoding="utf-8")
    html = html.replace("</head>", '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js">'
                                   "</script>\n<link rel=\"stylesheet\" href=\"//fonts.example.org/a.css\"/></head>")
    html = re.sub(r'<link rel="prev"[^>]*>', "", html)
    page.write_text(html, encoding="utf-8")
    (out / "_static" / "alabaster.css").write_text("@import url('https://fonts.example.org/f.css');\n")
    (out / "notebooks" / "broken.html").unlink()
    offline = "\n".join(offline_problems(out))
    assert "loads https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js from outside" in offline
    assert "loads //fonts.example.org/a.css from outside" in offline
    assert "alabaster.css: loads from outside the book" in offline
    content = "\n".join(content_problems(out, FIXTURE_BOOK))
    assert "broken.ipynb: no page notebooks/broken.html" in content
    assert "sample.ipynb: 'previous' should lead to broken.html, got None" in content, content


def test_build_fails_loudly_on_a_bad_notebook(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{ this is not a notebook")
    with pytest.raises(RuntimeError, match="sphinx-build failed"):
        book_build.build([bad], out=tmp_path / "html")


def test_strict_build_fails_on_a_link_to_a_missing_notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# Lonely\n\n[next →](99_missing.ipynb)")])
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
  const body = document.querySelector('[role="main"]') || document.body;
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


def browser_problems(context, base, out, notebooks):
    """Open every page of the book; list what a reader would see wrong, as sentences."""
    problems = []
    for nb in notebooks:
        name = f"notebooks/{nb.stem}.html"
        page = context.new_page()
        outside = []
        page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(base) else None)
        try:
            page.goto(f"{base}/{name}", wait_until="load")
            deadline = time.monotonic() + 20
            while True:
                facts = page.evaluate(_PAGE_FACTS_JS)
                if facts["typeset"] == facts["math"] or time.monotonic() > deadline:
                    break
                time.sleep(0.25)
            if facts["typeset"] < facts["math"]:
                problems.append(f"{name}: MathJax typeset {facts['typeset']} of {facts['math']} math elements")
            if facts["errors"]:
                problems.append(f"{name}: {facts['errors']} MathJax error(s)")
            match = RAW_TEX.search(facts["text"])
            if match:
                around = " ".join(facts["text"][max(0, match.start() - 30):match.end() + 30].split())
                problems.append(f"{name}: untypeset TeX shown as text: ...{around}...")
            problems += [f"{name}: image did not load: {src}" for src in facts["images"]]
            problems += [f"{name}: requested {url} from outside the book" for url in outside]
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"book-{nb.stem}.png"), full_page=True)
        finally:
            page.close()
    return problems


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    require_browser()
    with chromium_context(tmp_path_factory.mktemp("chromium-profile-book")) as context:
        yield context


@pytest.mark.browser
def test_series_pages_typeset_in_chromium(series_book, chromium):
    out = series_book[0]
    with serve_directory(out) as base:
        problems = browser_problems(chromium, base, out, SERIES)
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_fixture_pages_typeset_and_raw_tex_is_caught(fixture_book, chromium):
    """sample renders clean; broken.ipynb's unclosed $$ must be reported as untypeset TeX."""
    out = fixture_book[0]
    with serve_directory(out) as base:
        sample = browser_problems(chromium, base, out, [FIXTURES / "sample.ipynb"])
        broken = browser_problems(chromium, base, out, [FIXTURES / "broken.ipynb"])
    assert not sample, "\n".join(sample)
    assert any("notebooks/broken.html: untypeset TeX shown as text" in p and "$$" in p for p in broken), broken
