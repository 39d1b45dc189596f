"""Every notebook, opened in a real JupyterLab in headless Chromium, runs clean and looks right.

For each notebook in notebooks/ (and the fixture tests/fixtures/browser/sample.ipynb) the test opens it in
JupyterLab, waits for MathJax, runs JupyterLab's "Run All Cells" command, waits until every cell has run
and the kernel is idle, and fails on:
  * an error output (an `error` message from the kernel, or a widget that fails to display),
  * untypeset TeX in rendered markdown or LaTeX output (`$$`, `$...$` or a command like `\\frac` as text),
  * a markdown cell with math that holds no typeset MathJax element, or a MathJax error,
  * a missing figure: a cell whose stored outputs hold an image that does not appear after running,
  * a missing widget: a cell whose stored outputs hold an ipywidget view that does not render,
  * the notebook file changing on disk (autosave is off; the test must never rewrite a notebook).
A screenshot of each whole notebook goes to screenshots/<name>.png.

The server is started on 127.0.0.1 at a free port with a random token, with its own settings, workspace,
runtime and data directories, so nothing of the user's JupyterLab setup leaks in. The kernel is the native
python3 kernel of the interpreter running pytest (the project's .venv).
`test_planted_faults_are_caught` runs tests/fixtures/browser/broken.ipynb and checks that each check fires.

Run: .venv/bin/pytest -m browser tests/test_browser.py -p no:nbval
"""

import json
import os
import re
import secrets
import shutil
import struct
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from backprop_lib.course.quiz import Quiz
from backprop_lib.course.workbook import make_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "browser"))
from harness import chromium_context, free_port, require_browser  # noqa: E402

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "browser"
SCREENSHOTS = REPO / "screenshots"
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
RUN_TIMEOUT = 300.0  # a hang guard per notebook for Run All (each runs in well under a minute alone)
MATH_TIMEOUT = 15.0  # seconds for MathJax to typeset every math cell (it takes about one)
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# TeX left as text after MathJax ran: $$, a $...$ pair, or a backslash command such as \frac.
RAW_TEX = re.compile(r"\$\$|\$[^$\s][^$]*\$|\\[A-Za-z]+")
MATH_IN_MARKDOWN = re.compile(r"\$\$|\$[^$\s][^$]*\$|\\begin\{")

# JupyterLab settings for the test server: render every cell (no windowing, so every cell is in the DOM
# and typeset), never autosave (the notebooks must not be rewritten), no news or update checks.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
}


# --------------------------------------------------------------------------------------------------
# What the stored notebook promises


@dataclass
class CellExpectation:
    kind: str  # "markdown", "code" or "raw"
    has_math: bool  # markdown with $$, $...$ or \begin{...}
    runs: bool  # a non-empty code cell: it must get an execution count
    images: int  # image outputs stored for this cell
    widgets: int  # ipywidget views stored for this cell


def expectations(path):
    """Per cell, what the committed notebook says must appear once it has run."""
    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in nb.cells:
        outputs = cell.get("outputs", [])
        data = [o.get("data", {}) for o in outputs]
        out.append(
            CellExpectation(
                kind=cell.cell_type,
                has_math=cell.cell_type == "markdown" and bool(MATH_IN_MARKDOWN.search(cell.source)),
                runs=cell.cell_type == "code" and bool(cell.source.strip()),
                images=sum(any(m in d for m in IMAGE_MIMES) for d in data),
                widgets=sum(WIDGET_MIME in d for d in data),
            )
        )
    return out


# --------------------------------------------------------------------------------------------------
# Kernel messages seen on JupyterLab's websocket


def decode_kernel_frame(payload):
    """(channel, msg_type, content) of one websocket frame: JSON text, or the binary v1 kernel protocol
    (uint64 count, uint64 offsets, then channel, header, parent header, metadata, content, buffers)."""
    if isinstance(payload, str):
        msg = json.loads(payload)
        return msg.get("channel"), msg["header"]["msg_type"], msg.get("content", {})
    count = struct.unpack_from("<Q", payload, 0)[0]
    bounds = list(struct.unpack_from(f"<{count}Q", payload, 8))
    if bounds[-1] != len(payload):
        bounds.append(len(payload))
    parts = [payload[a:b] for a, b in zip(bounds, bounds[1:])]
    header = json.loads(parts[1])
    return parts[0].decode(), header["msg_type"], json.loads(parts[4])


# --------------------------------------------------------------------------------------------------
# The JupyterLab server


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path

    def api(self, method, path):
        req = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")
        for kernel in self.api("GET", "/api/kernels"):
            self.api("DELETE", f"/api/kernels/{kernel['id']}")


def _write_lab_settings(settings_dir):
    for plugin, values in LAB_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_browser()
    tmp = tmp_path_factory.mktemp("jupyterlab")
    _write_lab_settings(tmp / "settings")
    token, port = secrets.token_hex(24), free_port()
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTER_DATA_DIR=str(tmp / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={REPO}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        # checkpoints go to the test's own folder: nothing may appear in notebooks/ (tests/test_grade.py checks)
        f"--FileCheckpoints.checkpoint_dir={tmp / 'checkpoints'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI and this machine run as root
    log = tmp / "jupyterlab.log"
    with open(log, "w") as log_file:
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    server = Lab(url=f"http://127.0.0.1:{port}", token=token, root=REPO, log=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                server.api("GET", "/api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer within 60 s:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="module")
def browser(lab, tmp_path_factory):
    with chromium_context(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


# --------------------------------------------------------------------------------------------------
# Driving one notebook


# One pass over the open notebook's cells: what a reader sees. Text is read with math, code and pre
# elements removed, so that only TeX that MathJax left untouched remains.
_CELL_FACTS_JS = r"""
() => {
  const visibleText = (el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('mjx-container, code, pre, script, style').forEach(n => n.remove());
    return copy.textContent;
  };
  const cells = document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell');
  return Array.from(cells).map(cell => {
    const prompt = cell.querySelector('.jp-InputArea-prompt');
    const outputs = cell.querySelector('.jp-OutputArea');
    const rendered = Array.from(cell.querySelectorAll('.jp-RenderedMarkdown, .jp-RenderedLatex'));
    const imageSelector = '.jp-RenderedImage img, .jp-RenderedSVG svg, .jp-RenderedSVG img';
    const imgs = outputs ? Array.from(outputs.querySelectorAll(imageSelector)) : [];
    const outputText = outputs ? outputs.textContent : '';
    return {
      kind: cell.classList.contains('jp-CodeCell') ? 'code' :
            cell.classList.contains('jp-MarkdownCell') ? 'markdown' : 'raw',
      prompt: prompt ? prompt.textContent.trim() : '',
      texts: rendered.map(visibleText),
      mathjax: cell.querySelectorAll('mjx-container').length,
      mathErrors: cell.querySelectorAll('mjx-merror').length,
      images: imgs.filter(i => i.tagName.toLowerCase() === 'svg' ||
                               (i.complete && i.naturalWidth > 0)).length,
      widgets: outputs ? outputs.querySelectorAll('.jupyter-widgets:not(.jupyter-widgets-view)').length +
                         outputs.querySelectorAll('.jupyter-widgets-view .lm-Widget').length : 0,
      widgetFailure: /Error displaying widget|Loading widget\.\.\./.test(outputText),
    };
  });
}
"""

_STATUS_JS = r"""
() => {
  const indicator = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
  const prompts = Array.from(document.querySelectorAll(
      '.jp-NotebookPanel .jp-Notebook .jp-CodeCell .jp-InputArea-prompt')).map(p => p.textContent.trim());
  return {
    status: indicator ? indicator.getAttribute('data-status') : null,
    queued: prompts.filter(p => p.includes('*')).length,
    numbered: prompts.filter(p => /\[\d+\]/.test(p)).length,
    dialog: !!document.querySelector('.jp-Dialog'),
  };
}
"""


@dataclass
class RunReport:
    name: str
    problems: list = field(default_factory=list)
    seconds: float = 0.0
    screenshot: Path | None = None


def _wait(predicate, timeout, interval=0.25):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def _snippet(text, match):
    start = max(0, match.start() - 30)
    return " ".join(text[start : match.end() + 30].split())


def check_cells(expected, facts, kernel_errors):
    """Every problem a reader would see, as one sentence each (empty list: the notebook is fine)."""
    problems = [f"error output from the kernel: {e}" for e in kernel_errors]
    if len(facts) != len(expected):
        problems.append(f"JupyterLab shows {len(facts)} cells, the file has {len(expected)}")
        return problems
    for i, (want, seen) in enumerate(zip(expected, facts), start=1):
        where = f"cell {i} ({want.kind})"
        for text in seen["texts"]:
            match = RAW_TEX.search(text)
            if match:
                problems.append(f"{where}: untypeset TeX shown as text: ...{_snippet(text, match)}...")
        if want.has_math and seen["mathjax"] == 0:
            problems.append(f"{where}: markdown with math but no typeset MathJax element")
        if seen["mathErrors"]:
            problems.append(f"{where}: {seen['mathErrors']} MathJax error(s) (mjx-merror)")
        if want.runs and not re.search(r"\[\d+\]", seen["prompt"]):
            problems.append(f"{where}: did not run (prompt {seen['prompt']!r})")
        if seen["images"] < want.images:
            problems.append(
                f"{where}: missing figure: {want.images} image(s) stored, {seen['images']} shown after running"
            )
        if seen["widgetFailure"]:
            problems.append(f"{where}: a widget failed to display")
        elif seen["widgets"] < want.widgets:
            problems.append(f"{where}: missing widget: {want.widgets} stored, none rendered")
    return problems


def run_in_lab(lab, browser, path):
    """Open path in JupyterLab, Run All, wait for the kernel and MathJax; return a RunReport."""
    report = RunReport(name=path.stem)
    started = time.monotonic()
    expected = expectations(path)
    before = path.read_bytes()
    kernel_errors = []
    traffic = {"ready": False, "requests": 0, "replies": []}

    def on_received(payload):
        try:
            channel, msg_type, content = decode_kernel_frame(payload)
        except (ValueError, KeyError, IndexError, struct.error):
            return  # not a kernel message (e.g. the server's event stream)
        if msg_type == "kernel_info_reply":
            traffic["ready"] = True
        elif msg_type == "execute_reply":
            traffic["replies"].append(content.get("status"))
        elif msg_type == "error":
            kernel_errors.append(f"{content.get('ename')}: {content.get('evalue')}")

    def on_sent(payload):
        try:
            if decode_kernel_frame(payload)[1] == "execute_request":
                traffic["requests"] += 1
        except (ValueError, KeyError, IndexError, struct.error):
            pass

    def on_websocket(ws):
        ws.on("framereceived", on_received)
        ws.on("framesent", on_sent)

    page = browser.new_page()
    page.on("websocket", on_websocket)
    try:
        rel = path.relative_to(lab.root).as_posix()
        page.goto(f"{lab.url}/lab/tree/{rel}?reset&token={lab.token}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=60_000)

        def kernel_ready():
            st = page.evaluate(_STATUS_JS)
            if st["dialog"]:  # e.g. "Select Kernel" for a notebook without kernelspec metadata
                page.locator(".jp-Dialog .jp-mod-accept").first.click()
            # The indicator says "idle" before any kernel exists: wait for the kernel's own reply too.
            return traffic["ready"] and st["status"] == "idle"

        if not _wait(kernel_ready, 60):
            report.problems.append("the kernel never became idle after opening the notebook")
            return report

        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        n_runs = sum(e.runs for e in expected)
        last = {}

        def finished():
            st = page.evaluate(_STATUS_JS)
            last.update(st, **traffic)
            sent = traffic["requests"]
            return sent > 0 and len(traffic["replies"]) >= sent and st["status"] == "idle" and st["queued"] == 0

        # Finished must hold twice in a row, half a second apart, to step over idle gaps between cells.
        if not _wait(lambda: finished() and (time.sleep(0.5) or finished()), RUN_TIMEOUT):
            report.problems.append(f"Run All did not finish within {RUN_TIMEOUT:.0f} s (last state {last})")
        ok = traffic["replies"].count("ok")
        if ok < n_runs and not kernel_errors:
            report.problems.append(f"only {ok} of {n_runs} code cells ran without error")

        math_cells = [i for i, e in enumerate(expected) if e.has_math]

        def typeset():
            facts = page.evaluate(_CELL_FACTS_JS)
            return (
                len(facts) == len(expected)
                and all(facts[i]["mathjax"] for i in math_cells)
                and not any(RAW_TEX.search(t) for f in facts for t in f["texts"])
            )

        _wait(typeset, MATH_TIMEOUT)
        # Give image outputs a moment to decode before they are counted.
        _wait(
            lambda: (
                page.evaluate(_CELL_FACTS_JS)
                and sum(f["images"] for f in page.evaluate(_CELL_FACTS_JS)) >= sum(e.images for e in expected)
            ),
            5,
        )
        report.problems += check_cells(expected, page.evaluate(_CELL_FACTS_JS), kernel_errors)

        report.screenshot = _screenshot(page, path.stem)
    finally:
        page.close()
        lab.shutdown_kernels()
        if path.read_bytes() != before:
            report.problems.append(f"{path.name} changed on disk while the test ran")
        report.seconds = time.monotonic() - started
    return report


def _screenshot(page, name):
    """The whole notebook in one picture: the viewport is stretched to the notebook's height first."""
    SCREENSHOTS.mkdir(exist_ok=True)
    height = page.evaluate(
        "() => { const n = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-inner')"
        " || document.querySelector('.jp-NotebookPanel .jp-Notebook'); return n ? n.scrollHeight : 0; }"
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": int(min(max(size["height"], height + 200), 16000))})
    time.sleep(0.5)
    out = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(out))
    page.set_viewport_size(size)
    return out


# --------------------------------------------------------------------------------------------------
# The tests


# The series is split between this file and test_browser_series.py (notebooks 05 on), so that pytest-xdist runs
# the two halves, each with its own JupyterLab, on two workers at once.
FIRST_HALF = [p for p in NOTEBOOKS if int(p.name[:2]) < 5]


@pytest.mark.parametrize(
    "path",
    FIRST_HALF + [FIXTURES / "sample.ipynb"],
    ids=lambda p: p.stem if p.parent.name == "notebooks" else f"fixture-{p.stem}",
)
def test_notebook_runs_clean_in_jupyterlab(lab, browser, path):
    report = run_in_lab(lab, browser, path)
    print(f"{path.name}: {report.seconds:.1f} s, screenshot {report.screenshot}")
    assert not report.problems, f"{path.name} in JupyterLab:\n  " + "\n  ".join(report.problems)
    assert report.screenshot is not None and report.screenshot.stat().st_size > 10_000


def test_planted_faults_are_caught(lab, browser):
    """broken.ipynb holds raw TeX, a stored figure its code no longer draws, and an exception."""
    report = run_in_lab(lab, browser, FIXTURES / "broken.ipynb")
    text = "\n".join(report.problems)
    assert "untypeset TeX shown as text" in text and "$$" in text, text
    assert "cell 2 (code): missing figure" in text, text
    assert "ValueError: layer 2: expected W[2] of shape (3, 4), got (4, 3)" in text, text
    assert "cell 3 (code): did not run" not in text, text  # the failing cell itself did run


def test_kernel_frame_decoding():
    """The binary v1 websocket framing and the JSON framing decode to the same message."""
    header = json.dumps({"msg_type": "error"}).encode()
    content = json.dumps({"ename": "ValueError", "evalue": "bad"}).encode()
    parts = [b"iopub", header, b"{}", b"{}", content]
    offsets, pos = [], 8 * (len(parts) + 2)
    for part in parts:
        offsets.append(pos)
        pos += len(part)
    offsets.append(pos)
    frame = struct.pack(f"<{len(offsets) + 1}Q", len(offsets), *offsets) + b"".join(parts)
    assert decode_kernel_frame(frame) == ("iopub", "error", {"ename": "ValueError", "evalue": "bad"})
    text = json.dumps({"channel": "iopub", "header": {"msg_type": "error"}, "content": {"ename": "E"}})
    assert decode_kernel_frame(text) == ("iopub", "error", {"ename": "E"})


def test_a_quiz_is_clickable_in_notebook_7(lab, browser):
    """Notebook 7 (served by the same server at /notebooks/) shows a quiz as a form a student can click:
    ticking a wrong option and pressing Check names the wrong option; the right set says so."""
    path = REPO / "notebooks" / "01_forward_pass.ipynb"
    before = path.read_bytes()
    page = browser.new_page()
    try:
        page.goto(f"{lab.url}/notebooks/notebooks/{path.name}?token={lab.token}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        # Run All queues the cells until the kernel is up, as it does for a student who clicks at once
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        quiz = page.locator(".jp-OutputArea-output .widget-vbox", has_text="Quiz 1.1").first
        quiz.wait_for(timeout=RUN_TIMEOUT * 1000)
        assert quiz.locator("mjx-container").count() > 0, "the question's math is typeset"
        boxes = quiz.locator("input[type=checkbox]")
        assert boxes.count() >= 2
        right, _ = Quiz.load("1.1").solution()
        wrong = next(i for i in range(boxes.count()) if i not in right)
        boxes.nth(wrong).check()
        quiz.locator("button", has_text="Check").click()
        quiz.locator(".widget-htmlmath", has_text=f"Option {wrong} is wrong").wait_for(timeout=15_000)
        boxes.nth(wrong).uncheck()
        for i in right:
            boxes.nth(i).check()
        quiz.locator("button", has_text="Check").click()
        quiz.locator(".widget-htmlmath", has_text="is right").wait_for(timeout=15_000)
        SCREENSHOTS.mkdir(exist_ok=True)
        quiz.screenshot(path=str(SCREENSHOTS / "notebook7-quiz.png"))
    finally:
        page.close()
        lab.shutdown_kernels()
    assert path.read_bytes() == before, "the notebook must not be rewritten"


def _set_cell_text(page, cell, text):
    """Replace a code cell's text as a student would, without the editor's auto-indent."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def _run_cell(page, cell):
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")


def test_the_workbook_guides_a_student_through_exercise_3_1(lab, browser):
    """The student's copy of 03 in JupyterLab: Run All stops at the first exercise with "not answered yet";
    a wrong answer renders ✘ with its diagnosis; the right one renders ✔. Screenshots of each step."""
    folder = REPO / "_build" / "browser-workbook"
    shutil.rmtree(folder, ignore_errors=True)
    make_workbook(folder, out=lambda *_: None)
    path = folder / "03_recursion.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    answer_at = next(i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "ex3_1-answer")
    check_at = next(i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "ex3_1")
    page = browser.new_page()
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        rel = path.relative_to(lab.root).as_posix()
        page.goto(f"{lab.url}/lab/tree/{rel}?reset&token={lab.token}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=60_000)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        all_cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        check_cell = all_cells.nth(check_at)
        check_cell.locator(".jp-OutputArea", has_text="not answered yet").wait_for(timeout=RUN_TIMEOUT * 1000)
        first = check_cell.locator(".jp-OutputArea").inner_text().strip().splitlines()
        assert "✘" in first[0] and "not answered yet" in first[0] and len(first) <= 5, first
        assert "Traceback" not in check_cell.inner_text()
        later = all_cells.nth(check_at + 2).locator(".jp-InputArea-prompt").inner_text()
        assert not re.search(r"\[\d+\]", later), "Run All must stop at the unanswered exercise"
        page.screenshot(path=str(SCREENSHOTS / "workbook-03-not-answered.png"))

        answer_cell = all_cells.nth(answer_at)
        stub = cells[answer_at].source
        header = stub.split("# YOUR CODE HERE")[0]
        indent = re.search(r"\n([ \t]*)# YOUR CODE HERE", stub).group(1)
        wrong = header + indent + "return (W[l + 1] @ delta[l + 1]) * sigma_prime(z[l])\n"
        _set_cell_text(page, answer_cell, wrong)
        _run_cell(page, answer_cell)
        _run_cell(page, check_cell)
        check_cell.locator(".jp-OutputArea", has_text="transpose").wait_for(timeout=60_000)
        shown = check_cell.locator(".jp-OutputArea").inner_text().strip().splitlines()
        assert shown[0].startswith("✘ Exercise 3.1") and len(shown) <= 5, shown
        page.screenshot(path=str(SCREENSHOTS / "workbook-03-wrong.png"))

        right = header + indent + "return (W[l + 1].T @ delta[l + 1]) * sigma_prime(z[l])\n"
        _set_cell_text(page, answer_cell, right)
        _run_cell(page, answer_cell)
        _run_cell(page, check_cell)
        check_cell.locator(".jp-OutputArea", has_text="✔ Exercise 3.1").wait_for(timeout=60_000)
        page.screenshot(path=str(SCREENSHOTS / "workbook-03-right.png"))
    finally:
        page.close()
        lab.shutdown_kernels()
        shutil.rmtree(folder, ignore_errors=True)
