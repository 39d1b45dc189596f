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
    notebook: str  # file stem, e.g. "01_forward_pass"
    anchor: str  # text that identifies the cell (it must occur in exactly one code cell)
    old: str  # text of that cell to replace (exactly once)
    new: str
    why: str  # what the mutation does, for the report
    caught_by: str = ""  # text of a later cell that must raise instead (when the mutated cell only defines)


MUTATIONS = [
    # 01: forward pass
    Mutation("01_forward_pass", "def z_neuron_by_neuron", " + net.b[l][j]", "", "(1.1) without the bias"),
    Mutation(
        "01_forward_pass",
        'prove("(1.2)", z2',
        "a1 = net.sigma_of(W[1] * x + b[1])",
        "a1 = W[1] * x + b[1]",
        "(1.2) with σ lost in layer 1",
    ),
    Mutation(
        "01_forward_pass",
        "a1_no_bias = ",
        "net.sigma_of(W[1] * x)",
        "net.sigma_of(W[1] * x + b[1])",
        "the formula shown wrong (no b¹) made right: its rejection must fail",
    ),
    Mutation(
        "01_forward_pass",
        "def forward(W, b, x):",
        "W[l] @ a[l - 1] + b[l]",
        "W[l] @ a[l - 1]",
        "the inline forward pass without the bias",
    ),
    Mutation(
        "01_forward_pass",
        "mixed_up = compare",
        "W_sq.T @ a_sq",
        "W_sq @ a_sq",
        "the shown transpose slip removed: its assertion must fail",
    ),
    # 02: the error signal
    Mutation(
        "02_error_signal",
        'prove("(2.2)"',
        "net_q.a[L] - net_q.y, net_q.grad_a_C()",
        "net_q.y - net_q.a[L], net_q.grad_a_C()",
        "(2.2) with the sign flipped",
    ),
    Mutation(
        "02_error_signal",
        '"source 000\'s Δ^L",',
        "net_generic.sigma_of(net_generic.z[L])",
        "net_generic.sigma_prime_of(net_generic.z[L])",
        "source 000's slip corrected: its rejection must fail",
    ),
    Mutation(
        "02_error_signal",
        'omega_route = Proof("(2.6)"',
        "net_g.sigma_prime_of(net_g.z[l])",
        "net_g.sigma_of(net_g.z[l])",
        "(2.6) with σ for σ′",
    ),
    Mutation(
        "02_error_signal",
        'compare("ce a - y"',
        "fw.a[net.L] - Y",
        "Y - fw.a[net.L]",
        "inline cross-entropy δ^L with the sign flipped",
    ),
    # 03: the recursion
    Mutation(
        "03_recursion",
        'recursion, recursion_index_form = Proof("(3.4)"',
        "* sym.sigma_prime_f(sym.z[l][k])",
        "* sym.sigma_f(sym.z[l][k])",
        "(3.4) with σ for σ′",
    ),
    Mutation(
        "03_recursion",
        'bias_proof, weight_proof = Proof("(3.5)"',
        "sym.delta(l)[j] * sym.a[l - 1][k]",
        "sym.delta(l)[j] * sym.a[l - 1][0]",
        "(3.6) with the summation index fixed at 0",
    ),
    Mutation(
        "03_recursion",
        "def backprop_one(net, x, y):",
        "(net.W[l + 1].T @ delta[l + 1]) * sigma_prime(z[l])",
        "(net.W[l + 1].T @ delta[l + 1]) * net.activation.sigma(z[l])",
        "inline backprop with σ for σ′",
    ),
    Mutation(
        "03_recursion",
        'reject("(3.6) with a^l"',
        '"dC_dW[l]_jk = delta[l]_j * a[l]_k"',
        '"dC_dW[l]_jk = delta[l]_j * a[l-1]_k"',
        "the layer slip corrected: its rejection must fail",
    ),
    # 06: training on MNIST
    Mutation(
        "06_training_mnist",
        'update = Proof("(6.1)"',
        "        eta / m * Delta[l] * snet.a[l - 1].T,",
        "        eta * Delta[l] * snet.a[l - 1].T,",
        "(6.1) without the 1/m",
    ),
    Mutation(
        "06_training_mnist",
        'update = Proof("(6.1)"',
        'without the 1/m", eta * Delta[1]',
        'without the 1/m", eta / m * Delta[1]',
        "the formula shown without 1/m made right: its rejection must fail",
    ),
    Mutation(
        "06_training_mnist",
        "def one_epoch(",
        "Delta[l].sum(axis=1, keepdims=True) * (1.0 / m)",
        "Delta[l].sum(axis=1, keepdims=True)",
        "the inline epoch's bias step without the 1/m",
    ),
    Mutation(
        "06_training_mnist",
        "def one_epoch(",
        "(W[l + 1].T @ Delta[l + 1]) * (A[l] * (1.0 - A[l]))",
        "(W[l + 1].T @ Delta[l + 1]) * A[l]",
        "the inline epoch with σ for σ′",
    ),
    # 07: proof-reading the sources
    Mutation(
        "07_proofreading",
        'show("000-1")',
        'show("000-1")',
        'show("000-1", holds=True)',
        "source 000's Eq (1) claimed to hold: the ledger disagrees, the cell must fail",
    ),
    Mutation(
        "07_proofreading",
        'show("001-B1", holds=True)',
        "holds=True",
        "holds=False",
        "source 001's (B1) claimed wrong: the ledger verifies it, the cell must fail",
    ),
    # 04: matrix form
    Mutation("04_matrix_form", '    "(4.1)",\n', "sp_z(L)", "sym.sigma_of(sym.z[L])", "(4.1) with σ for σ′"),
    Mutation(
        "04_matrix_form",
        'recursion = Proof("(4.2)"',
        "sym.W[l + 1].T * sym.delta(l + 1)",
        "sym.W[l + 1] * sym.delta(l + 1)",
        "(4.2) without the transpose",
    ),
    Mutation(
        "04_matrix_form",
        'Proof("(4.3)", net=sym), Proof("(4.4)"',
        "sym.delta(l) * sym.a[l - 1].T",
        "sym.delta(l) * sym.a[l].T",
        "(4.4) with a^l for a^(l-1)",
    ),
    Mutation(
        "04_matrix_form",
        "# backward pass",
        "(net.W[l + 1].T @ delta[l + 1]) * act.sigma_prime(z[l])",
        "(net.W[l + 1].T @ delta[l + 1]) * act.sigma(z[l])",
        "inline backprop with σ for σ′",
    ),
    Mutation(
        "04_matrix_form",
        "omega_s = [None] * (L + 1)",
        "lam_s[l] = hadamard(omega_s[l], sp_z(l))",
        "lam_s[l] = omega_s[l]",
        "the ω/λ recursion with σ′ lost",
    ),
    Mutation(
        "04_matrix_form",
        "# 6. the delta rule (4.8)",
        "ours.b[l] = ours.b[l] - eta_num * db_t[l]",
        "ours.b[l] = ours.b[l]",
        "the training step forgets the bias",
    ),
    # 05: batching
    Mutation("05_batching", 'forward = Proof("(5.1)"', " + B.b[l] * sp.ones(1, mB)", "", "(5.1) with the bias lost"),
    Mutation(
        "05_batching",
        "Delta_s = [None] * (B.L + 1)",
        "hadamard(B.W[l + 1].T * Delta_s[l + 1], B.sigma_prime_of(B.z[l]))",
        "hadamard(B.W[l + 1].T * Delta_s[l + 1], B.sigma_of(B.z[l]))",
        "(5.3) with σ for σ′",
    ),
    Mutation(
        "05_batching",
        "outer_products = Proof(",
        "        Delta_s[l] * B.a[l - 1].T / mB,",
        "        Delta_s[l] * B.a[l - 1].T,",
        "(5.4) without its 1/m",
    ),
    Mutation(
        "05_batching",
        '"(5.4) without its 1/m",',
        "Delta_s[2] * B.a[1].T,",
        "Delta_s[2] * B.a[1].T / mB,",
        "the formula shown wrong (no 1/m) made right: its rejection must fail",
    ),
    Mutation(
        "05_batching",
        "def backprop_batched",
        "Delta[l] @ A[l - 1].T / m for l",
        "Delta[l] @ A[l - 1].T for l",
        "inline batched backprop without the 1/m",
        caught_by="mean_of_each = {}",
    ),
    Mutation(
        "05_batching",
        "def backprop_batched",
        "Delta[l].sum(axis=1, keepdims=True) / m",
        "Delta[l][:, :1]",
        "inline batched bias gradient from one sample",
        caught_by="mean_of_each = {}",
    ),
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


def _find(cells, stem, anchor):
    hits = [i for i, c in enumerate(cells) if anchor in c.source]
    assert len(hits) == 1, f"{stem}: anchor {anchor!r} is in {len(hits)} code cells"
    return hits[0]


def _plan(stem):
    """{cell index: [(mutation, index of the cell that must raise)]}, and the last index the run must reach."""
    cells = _cells(stem)
    plan, last = {}, 0
    for m in [m for m in MUTATIONS if m.notebook == stem]:
        at = _find(cells, stem, m.anchor)
        assert cells[at].source.count(m.old) == 1, f"{stem}: {m.old!r} is not in its cell exactly once"
        caught = _find(cells, stem, m.caught_by) if m.caught_by else at
        assert caught >= at
        plan.setdefault(at, []).append((m, caught))
        last = max(last, caught)
    return cells, plan, last


def test_the_catalogue_is_large_and_spans_the_series():
    assert len(MUTATIONS) >= 20
    assert len({m.notebook for m in MUTATIONS}) >= 6


@pytest.mark.parametrize("stem", sorted({m.notebook for m in MUTATIONS}))
def test_every_mutation_makes_its_cell_raise(stem):
    cells, plan, last = _plan(stem)
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(NOTEBOOKS))
    missed = []
    try:
        _run(kc, "import matplotlib\nmatplotlib.use('Agg')")
        for index in range(last + 1):
            for m, caught in plan.get(index, []):
                raised = _run(kc, cells[index].source.replace(m.old, m.new))
                for later in range(index + 1, caught + 1):
                    if raised is not None:
                        break
                    raised = _run(kc, cells[later].source)
                if raised is None:
                    missed.append(f"code cell {index}: {m.why} ran without raising")
                for later in range(index, caught):  # restore the state the unmutated notebook has here
                    _run(kc, cells[later].source)
            error = _run(kc, cells[index].source)
            assert error is None, f"{stem} cell {index} (unmutated) raised {error}"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert not missed, f"{stem}:\n  " + "\n  ".join(missed)
