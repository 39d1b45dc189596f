"""The second half of the series (notebooks 05 on) in JupyterLab in headless Chromium: the same test as
test_browser.py's test_notebook_runs_clean_in_jupyterlab, in a file of its own so that pytest-xdist runs the two
halves on two workers at once. Run: .venv/bin/pytest -m browser tests/test_browser*.py -p no:nbval
"""

import pytest
from test_browser import NOTEBOOKS, browser, lab, run_in_lab  # noqa: F401 (lab and browser are fixtures)

pytestmark = pytest.mark.browser

SECOND_HALF = [p for p in NOTEBOOKS if int(p.name[:2]) >= 5]


def test_the_halves_cover_the_series():
    from test_browser import FIRST_HALF

    assert sorted(FIRST_HALF + SECOND_HALF) == NOTEBOOKS


@pytest.mark.parametrize("path", SECOND_HALF, ids=lambda p: p.stem)
def test_notebook_runs_clean_in_jupyterlab(lab, browser, path):  # noqa: F811
    report = run_in_lab(lab, browser, path)
    print(f"{path.name}: {report.seconds:.1f} s, screenshot {report.screenshot}")
    assert not report.problems, f"{path.name} in JupyterLab:\n  " + "\n  ".join(report.problems)
    assert report.screenshot is not None and report.screenshot.stat().st_size > 10_000
