"""A failed proof fails: each mutation of a proof cell or an inline implementation makes its cell raise.

Every entry of MUTATIONS changes one cell of one notebook the way a slip would (σ for σ′, a lost bias, a lost
1/m, a missing transpose, a wrong layer ...) or makes a shown-wrong formula right (so the cell that asserts its
rejection must fail). For each notebook one kernel runs the cells in order; at a mutated cell it runs the mutated
source, which must raise (an error the notebook's Run All, nbval and nbval-lax all stop at), then the original
source, so later cells see the usual state. Nothing compares stored outputs: the raise alone must catch it.
"""
import queue
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
CELL_TIMEOUT = 120


@dataclass(frozen=True)
class Mutation:
    notebook: str        # file stem, e.g. "01_forward_pass"
    anchor: str          # text that identifies the cell (it must occur in exactly one code cell)
    old: str             # text of that cell to replace (exactly once)
    new: str
    why: str             # what the mutation does, for the report


MUTATIONS = [
    # 01: forward pass
    Mutation("01_forward_pass", "def z_neuron_by_neuron", " + net.b[l][j]", "", "(1.1) without the bias"),
    Mutation("01_forward_pass", 'prove("(1.2)", z2', "a1 = net.sigma_of(W[1] * x + b[1])", "a1 = W[1] * x + b[1]",
             "(1.2) with σ lost in layer 1"),
    Mutation("01_forward_pass", "a1_no_bias = ", "net.sigma_of(W[1] * x)", "net.sigma_of(W[1] * x + b[1])",
             "the formula shown wrong (no b¹) made right: its rejection must fail"),
    Mutation("01_forward_pass", "def forward(W, b, x):", "W[l] @ a[l - 1] + b[l]", "W[l] @ a[l - 1]",
             "the inline forward pass without the bias"),
    Mutation("01_forward_pass", "mixed_up = compare", "W_sq.T @ a_sq", "W_sq @ a_sq",
             "the shown transpose slip removed: its assertion must fail"),
]


def _cells(stem):
    return [c for c in nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4).cells if c.cell_type == "code"]


def _run(kc, code):
    """Execute code; return the error's (ename, evalue) or None."""
    error = {}

    def hook(msg):
        if msg["header"]["msg_type"] == "error":
            error.update(ename=msg["content"]["ename"], evalue=msg["content"]["evalue"])

    try:
        reply = kc.execute_interactive(code, timeout=CELL_TIMEOUT, output_hook=hook, store_history=False)
    except (TimeoutError, queue.Empty):
        return ("Timeout", "")
    if reply["content"]["status"] == "error" and not error:
        error.update(ename=reply["content"].get("ename", "?"), evalue=reply["content"].get("evalue", ""))
    return (error["ename"], error["evalue"]) if error else None


def _plan(stem):
    cells = _cells(stem)
    plan = {}
    for m in [m for m in MUTATIONS if m.notebook == stem]:
        hits = [i for i, c in enumerate(cells) if m.anchor in c.source]
        assert len(hits) == 1, f"{stem}: anchor {m.anchor!r} is in {len(hits)} code cells"
        assert cells[hits[0]].source.count(m.old) == 1, f"{stem}: {m.old!r} is not in its cell exactly once"
        plan.setdefault(hits[0], []).append(m)
    return cells, plan


def test_the_catalogue_is_large_and_spans_the_series():
    assert len(MUTATIONS) >= 20
    assert len({m.notebook for m in MUTATIONS}) >= 6


@pytest.mark.parametrize("stem", sorted({m.notebook for m in MUTATIONS}))
def test_every_mutation_makes_its_cell_raise(stem):
    cells, plan = _plan(stem)
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(NOTEBOOKS))
    missed = []
    try:
        _run(kc, "import matplotlib\nmatplotlib.use('Agg')")
        for index in range(max(plan) + 1):
            for m in plan.get(index, []):
                mutated = cells[index].source.replace(m.old, m.new)
                if _run(kc, mutated) is None:
                    missed.append(f"cell {index}: {m.why} ran without raising")
            error = _run(kc, cells[index].source)
            assert error is None, f"{stem} cell {index} (unmutated) raised {error}"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert not missed, f"{stem}:\n  " + "\n  ".join(missed)
