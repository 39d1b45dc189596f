"""Tests mirroring notebooks/07_proofreading.ipynb: the ledger as the notebook shows it, and its exercise checks.

Part 1 compares the notebook's stored outputs with a fresh run of the ledger, whatever its statuses: the table
lists every entry with the verdict its checks give, the entries the text discusses as printed wrong are not
verified (and the ones it says hold are), each discussed entry's diagnosis appears once in the errata section,
and no text output holds raw LaTeX. It also draws the notebook's ledger figure and checks that the legend covers
no bar. Part 2 runs the exercise checks of backprop_lib/course/exercises/ch07.py: the instructor's solutions pass
every case (hidden ones too) through run + judge_record, a blank answer is "not answered yet", and typical wrong
corrections (σ for σ′, a wrong layer, a transposed weight, the printed bias, a missing transpose, a lost σ′, the
two σ′ exchanged) are named in the first line of a failure of at most five lines. Part 3: the quizzes.
"""

import re

import nbformat
import nbtools
import pytest

from backprop_lib.symbolic.ledger import ENTRIES, SOURCES, run_ledger

NOTEBOOK = nbtools.NOTEBOOKS / "07_proofreading.ipynb"
NUMBER = {file: number for number, file in SOURCES.items()}


@pytest.fixture(scope="module")
def rows():
    return run_ledger()


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(str(NOTEBOOK), as_version=4)


def text(s):
    """The ledger's words as the notebook prints them: its plain Unicode, a script left in braces as ^(...)."""
    return re.sub(r"([\^_])\{([^{}]*)\}", r"\1(\2)", s)


def outputs_text(cell, markdown=True):
    """Every text the cell displayed: stream text and the Markdown (or plain text) of its display data."""
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            out.append(o.get("text", ""))
        elif o.get("output_type") in ("display_data", "execute_result"):
            data = o.get("data", {})
            out.append((data.get("text/markdown", "") if markdown else "") or data.get("text/plain", ""))
    return "\n".join(out)


def shown_ids(nb, holds):
    """The entries the errata section shows with show(...): as printed wrong, or (holds) as holding."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for entry_id, rest in re.findall(r'^show\("([^"]+)"([^)]*)\)', cell.source, re.M):
                if ("holds=True" in rest) == holds:
                    found.append(entry_id)
    return found


# ---------------------------------------------------------------------------------------- 1. the notebook vs the ledger
def test_the_notebook_imports_only_public_ledger_functions(nb):
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    imported = re.search(r"from backprop_lib\.symbolic\.ledger import (.+)", code).group(1)
    assert {n.strip() for n in imported.split(",")} <= {"ENTRIES", "SOURCES", "run_entry", "run_ledger"}
    assert "show_printed" not in code and ".check()" not in code and "corrected_check" not in code


def test_the_discussed_entries_have_the_status_the_text_gives_them(rows, nb):
    row = {r["id"]: r for r in rows}
    wrong, holding = shown_ids(nb, holds=False), shown_ids(nb, holds=True)
    assert len(wrong) >= 10 and holding
    for entry_id in wrong:
        assert row[entry_id]["status"] not in ("verified", "failed"), entry_id
    for entry_id in holding:
        assert row[entry_id]["status"] == "verified", entry_id


def test_table_lists_all_entries_with_their_verdicts(rows, nb):
    tables = [
        outputs_text(c) for c in nb.cells if c.cell_type == "code" and "| # | source | equation |" in outputs_text(c)
    ]
    assert len(tables) == 1
    body = [line for line in tables[0].splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(body) == len(rows) == len(ENTRIES)
    for line, r in zip(body, rows):
        number, source, label, verdict, taught = [c.strip() for c in line.strip("|").split(" | ")]
        assert source.startswith(NUMBER[r["source"]] + " (")
        assert label.replace("\\", "") == text(r["label"])
        words = {"verified": "verified as printed", "erratum": "printed wrong, corrected form verified"}
        assert words.get(r["status"], r["status"]).casefold() in verdict.casefold()
        assert taught == f"[{r['notebook']}]({r['notebook']}.ipynb)"


def test_status_counts_are_the_ledgers(rows, nb):
    text = next(outputs_text(c) for c in nb.cells if c.cell_type == "code" and "rows = run_ledger()" in c.source)
    first = text.splitlines()[0]
    assert first.startswith(f"{len(rows)} entries from {len(SOURCES)} sources: ")
    for status in {r["status"] for r in rows}:
        assert f"{sum(r['status'] == status for r in rows)} {status}" in first


def test_each_discussed_diagnosis_appears_once_in_the_errata_section(rows, nb):
    row = {r["id"]: r for r in rows}
    shows = "\n".join(outputs_text(c) for c in nb.cells if c.cell_type == "code" and c.source.startswith("show"))
    for entry_id in shown_ids(nb, holds=False):
        diagnosis = text(row[entry_id]["diagnosis"]).replace("_", r"\_").replace("*", r"\*").replace("|", r"\|")
        assert shows.count(diagnosis) == 1, entry_id
        assert shows.count(f"(entry `{entry_id}`, taught in") == 1, entry_id


def test_no_raw_latex_in_text_output(nb):
    """Text outputs of the notebook's own cells (quiz cells show the quiz module's forms) hold no raw LaTeX."""
    for cell in nb.cells:
        if cell.cell_type != "code" or re.match(r"(quiz|answer)\(", cell.source) or "answer(" in cell.source:
            continue
        text = outputs_text(cell, markdown=False)
        assert not re.search(r"\\(frac|sigma|delta|partial|left|right)|\^\{|_\{|\$", text), cell.source[:60]


def test_sources_are_named_with_title_and_author(nb):
    opening = nb.cells[0].source
    for words in (
        'Long, "Derivation of back propagation equation"',
        '"Derivation of Backprop"',
        "github.com/3h4/tutorials",
        '"Chapter 5: Back Propagation for a Two layered Neural Network (Matrix Calculus)"',
    ):
        assert words in opening
    headings = re.findall(r"^### Source (\d{3})(.*)$", "\n".join(c.source for c in nb.cells), re.M)
    assert [n for n, _ in headings] == ["000", "001", "002", "003"]
    assert all(rest.startswith(" (") for _, rest in headings)


def test_the_ledger_figure_has_a_caption_and_its_legend_covers_no_bar(nb):
    """Draw the notebook's figure cell on made-up rows with every status, then compare the boxes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    code = [c for c in nb.cells if c.cell_type == "code"]
    i = next(k for k, c in enumerate(nb.cells) if c.cell_type == "code" and "ax.barh(" in c.source)
    assert nb.cells[i + 1].source.startswith("*Figure 7.1:* ")
    ns = {}
    exec(code[0].source, ns)
    statuses = ["verified", "erratum", "ambiguous", "failed"]
    ns["rows"] = [{"id": e.id, "source": e.source, "status": statuses[k % 4]} for k, e in enumerate(ENTRIES)]
    ns["statuses"] = statuses
    exec(nb.cells[i].source, ns)
    fig = ns["fig"]
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    bars = [p.get_window_extent(renderer) for p in fig.axes[0].patches]
    assert len(bars) == 4 * len(SOURCES)
    assert not any(legend.overlaps(b) for b in bars)
    assert not legend.overlaps(fig.axes[0].get_window_extent(renderer))


# ---------------------------------------------------------------------------------------- 2. the exercises
EXERCISES = {"7.1": 2, "7.2": 1, "7.3": 3}


def test_exercises_are_one_line_checks_with_their_points():
    nbtools.assert_exercises(NOTEBOOK, EXERCISES)


KRONECKER = "Delta[l]_i = Delta[l+1]_k W[l+1]_kj KroneckerDelta(j, i) sigma_prime(z[l]_j)"
COLLAPSED = "Delta[l]_i = Delta[l+1]_k W[l+1]_ki sigma_prime(z[l]_i)"


@pytest.mark.parametrize(
    "kronecker, collapsed, slip",
    [
        (KRONECKER, "Delta[l]_i = Delta[l+1]_k W[l+1]_ki sigma(z[l]_i)", "σ where σ′ belongs"),
        (KRONECKER, "Delta[l]_i = Delta[l+1]_k W[l]_ki sigma_prime(z[l]_i)", "Wˡ where Wˡ⁺¹ belongs"),
        (KRONECKER, "Delta[l]_i = Delta[l+1]_k W[l+1]_ik sigma_prime(z[l]_i)", "transposed"),
        ("Delta[l]_i = Delta[l+1]_k W[l+1]_kj KroneckerDelta(j, i) sigma(z[l]_j)", COLLAPSED, "σ where σ′ belongs"),
        ("Delta[l]_i = dC_dz[l]_i", COLLAPSED, "may not use dC_dz[l]"),
        (COLLAPSED, COLLAPSED, "the middle form"),
        (KRONECKER, "Delta[L]_i = Delta[l+1]_k W[l+1]_ki sigma_prime(z[l]_i)", "left-hand side must be Delta[l]_i"),
        (KRONECKER, "().__class__.__base__", "cannot be read"),
    ],
)
def test_source_000_recursion_slips_are_named_first(kronecker, collapsed, slip):
    answer = f"recursion_kronecker = {kronecker!r}\nrecursion_000 = {collapsed!r}\n"
    nbtools.assert_slip_named("7.1", answer, slip, prelude="")


@pytest.mark.parametrize(
    "z_next, slip",
    [
        ("z[l+1]_m = Sum(W[l+1]_mk a[l]_k, k) + b[l]_m", "bˡ where bˡ⁺¹ belongs"),
        ("z[l+1]_m = Sum(W[l+1]_mk a[l]_k, k)", "misses the bias"),
        ("z[l+1]_m = Sum(W[l+1]_km a[l]_k, k) + b[l+1]_m", "transposed"),
        ("z[l]_m = Sum(W[l]_mk a[l-1]_k, k) + b[l]_m", "left-hand side must be z[l+1]_m"),
        ("z[l+1]_m = z[l+1]_m", "may not use z itself"),
    ],
)
def test_source_002_input_sum_slips_are_named_first(z_next, slip):
    nbtools.assert_slip_named("7.2", f"z_next = {z_next!r}\n", slip, prelude="")


DC_DW1 = """
from backprop_lib.symbolic import hadamard


def dC_dW1(n):
    delta2 = hadamard(n.a[2] - n.y, {sp2})
    delta1 = hadamard({W} * delta2, {sp1})
    return delta1 * {a}
"""
RIGHT = {"sp2": "n.sigma_prime_of(n.z[2])", "W": "n.W[2].T", "sp1": "n.sigma_prime_of(n.z[1])", "a": "n.a[0].T"}


@pytest.mark.parametrize(
    "change, slip",
    [
        ({"sp1": "n.sigma_of(n.z[1])"}, "σ where σ′ belongs at layer 1"),
        ({"W": "n.W[2]"}, "a missing .T"),
        ({"sp1": "n.sigma_prime_of(n.z[1]) * 0 + sp.ones(n.z[1].shape[0], 1)"}, "misses σ′ at layer 1"),
        ({"sp2": "n.sigma_prime_of(n.z[1])", "sp1": "n.sigma_prime_of(n.z[2])"}, "the two σ′ exchanged"),
        ({"a": "n.a[1].T"}, "shape mismatch"),
        ({"a": "n.a[0].T * 2"}, "twice the truth"),
    ],
)
def test_source_003_inner_gradient_slips_are_named_first(change, slip):
    nbtools.assert_slip_named("7.3", DC_DW1.format(**{**RIGHT, **change}), slip, prelude="import sympy as sp\n")


def test_the_inner_gradient_view_offers_no_gradients():
    ok, lines = nbtools.exercise_verdict("7.3", "def dC_dW1(n):\n    return n.dC_dW(1)\n", prelude="")
    assert not ok and "dC_dW" in lines[0]


# ---------------------------------------------------------------------------------------- 3. the quizzes
QUIZZES = {"7.1": [1, 3], "7.2": [0, 2], "7.3": [0, 2, 4]}


def test_quiz_cells_are_one_line_and_answered_in_their_answer_cells():
    nbtools.assert_quizzes(NOTEBOOK, QUIZZES)
