"""Tests mirroring notebooks/07_proofreading.ipynb: the ledger as the notebook shows it, and its exercise checks.

Part 1 compares the notebook with a fresh run of the ledger: the table lists all entries with the verdicts the
checks give, and the errata section shows every erratum (printed form failing, corrected form passing) and
nothing else. Part 2 checks the exercises' statements directly with the engine: the solutions pass on several
networks and typical wrong corrections (σ for σ′, a wrong layer, a transposed weight, the printed bias, a missing
transpose, a lost σ′, the two σ′ exchanged) are rejected with the diagnosis that names the slip.
Part 3 runs the notebook with wrong answers and checks that every exercise check rejects them with that diagnosis.
"""
import re
import sys
from pathlib import Path

import nbformat
import pytest

from backprop_lib.symbolic import cached_network, check, check_index, hadamard
from backprop_lib.symbolic.ledger import ENTRIES, SOURCES, run_ledger

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbtools import run_with_answers  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07_proofreading.ipynb"

SOLUTION_71 = ("Delta[l]_i = Delta[l+1]_k W[l+1]_kj KroneckerDelta(j, i) sigma_prime(z[l]_j)",
               "Delta[l]_i = Delta[l+1]_k W[l+1]_ki sigma_prime(z[l]_i)")
SOLUTION_72 = "z[l+1]_m = Sum(W[l+1]_mk a[l]_k, k) + b[l+1]_m"


def solution_73(n):
    delta2 = hadamard(n.a[2] - n.y, n.sigma_prime_of(n.z[2]))
    delta1 = hadamard(n.W[2].T * delta2, n.sigma_prime_of(n.z[1]))
    return delta1 * n.a[0].T


@pytest.fixture(scope="module")
def rows():
    return run_ledger()


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(str(NOTEBOOK), as_version=4)


def outputs_text(cell):
    """Every text the cell displayed: stream text and the markdown / plain text of its display data."""
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            out.append(o.get("text", ""))
        elif o.get("output_type") in ("display_data", "execute_result"):
            data = o.get("data", {})
            out.append(data.get("text/markdown", "") or data.get("text/plain", ""))
    return "\n".join(out)


# ---------------------------------------------------------------------------------------- 1. the notebook vs the ledger
def test_the_ledger_is_as_the_notebook_says(rows):
    assert len(rows) == len(ENTRIES) == 63
    assert all(r["as_expected"] for r in rows)
    assert sum(r["status"] == "verified" for r in rows) == 53
    assert sum(r["status"] == "erratum" for r in rows) == 10


def test_errata_section_covers_every_erratum_and_nothing_else(rows, nb):
    errata = [r for r in rows if r["status"] == "erratum"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    printed_ids = [i for c in code for i in re.findall(r'show_printed\("([^"]+)"\)', c.source)]
    corrected_ids = [i for c in code for i in re.findall(r'show_corrected\("([^"]+)"\)', c.source)]
    assert sorted(printed_ids) == sorted(r["id"] for r in errata)
    assert sorted(corrected_ids) == sorted(r["id"] for r in errata)
    # the stored outputs show each erratum by id and label, as printed and corrected, and its verdicts
    text = "\n".join(outputs_text(c) for c in code)
    for r in errata:
        number = next(k for k, v in SOURCES.items() if v == r["source"])
        assert f"**Source {number}, " in text and f"(ledger entry `{r['id']}`, taught in" in text, r["id"]
        assert r["printed"] in text and r["corrected"] in text, r["id"]
        assert f"Corrected (ledger entry `{r['id']}`)" in text, r["id"]
        assert f"{r['id']}: the printed form fails, the corrected form passes" in text, r["id"]
        assert f"diagnosis of the printed form: {r['diagnosis']}" in text, r["id"]
        assert r["label"] in text, r["id"]
    assert f"all {len(errata)} errata of the ledger are shown above" in text
    # the printed forms fail in the stored outputs ("not proved"), the corrected forms pass ("proved")
    assert text.count("**✘ not proved:**") >= len(errata)


def test_table_lists_all_entries_with_their_verdicts(rows, nb):
    tables = [outputs_text(c) for c in nb.cells if c.cell_type == "code" and "| # | source | equation |"
              in outputs_text(c)]
    assert len(tables) == 1
    body = [line for line in tables[0].splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(body) == len(rows)
    for line, r in zip(body, rows):
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        number, source, label, verdict, taught = cells
        assert source == next(k for k, v in SOURCES.items() if v == r["source"])
        assert label.replace("\\", "") == r["label"]
        assert verdict == {"verified": "✔ verified", "erratum": "✘ printed wrong, ✔ corrected form verified"}[r["status"]]
        assert taught == f"[{r['notebook']}]({r['notebook']}.ipynb)"


def test_no_per_entry_seconds_are_stored(nb):
    text = "\n".join(outputs_text(c) for c in nb.cells if c.cell_type == "code")
    assert "seconds" not in text


# ---------------------------------------------------------------------------------------- 2. the exercises' statements
@pytest.mark.parametrize("sizes", [(2, 3, 4, 5), (3, 2, 4, 2)])
def test_solution_71_holds_at_every_hidden_layer(sizes):
    net = cached_network(sizes)
    for text in SOLUTION_71:
        for l in range(1, net.L):
            check_index(text, net=net, l=l).require()


@pytest.mark.parametrize("wrong, diagnosis", [
    ("Delta[l]_i = Delta[l+1]_k W[l+1]_ki sigma(z[l]_i)", "σ where σ′ belongs"),
    ("Delta[l]_i = Delta[l+1]_k W[l]_ki sigma_prime(z[l]_i)", "uses W^{l} where W^{l + 1} belongs"),
    ("Delta[l]_i = Delta[l+1]_k W[l+1]_ik sigma_prime(z[l]_i)", "transposed"),
    ("Delta[l]_i = Delta[l+1]_k W[l+1]_kj KroneckerDelta(j, i) sigma(z[l]_j)", "σ where σ′ belongs"),
])
def test_wrong_recursions_of_source_000_are_diagnosed(wrong, diagnosis):
    r = check_index(wrong, net=cached_network((2, 3, 4, 5)), l=2)
    assert not r.ok
    assert diagnosis in r.message


def test_solution_72_and_the_printed_bias():
    net = cached_network((2, 3, 4, 5))
    for l in (1, 2):
        check_index(SOLUTION_72, net=net, l=l).require()
        printed = check_index("z[l+1]_m = Sum(W[l+1]_mk a[l]_k, k) + b[l]_m", net=net, l=l)
        assert not printed.ok and "uses b^{l} where b^{l + 1} belongs" in printed.message
    lost = check_index("z[l+1]_m = Sum(W[l+1]_mk a[l]_k, k)", net=net, l=1)
    assert not lost.ok and "misses the bias b^2" in lost.message


def _sp(n, l):
    return n.sigma_prime_of(n.z[l])


@pytest.mark.parametrize("sizes", [(3, 4, 2), (2, 5, 3)])
def test_solution_73_holds(sizes):
    net = cached_network(sizes, None, "quadratic", 1)
    check(solution_73, net.dC_dW(1), net=net).require()


@pytest.mark.parametrize("wrong, diagnosis", [
    (lambda n: hadamard(n.W[2].T * hadamard(n.a[2] - n.y, _sp(n, 2)), n.sigma_of(n.z[1])) * n.a[0].T,
     "σ where σ′ belongs at layer 1"),
    (lambda n: hadamard(n.W[2] * hadamard(n.a[2] - n.y, _sp(n, 2)), _sp(n, 1)) * n.a[0].T, "shape mismatch"),
    (lambda n: (n.W[2].T * hadamard(n.a[2] - n.y, _sp(n, 2))) * n.a[0].T, "misses σ′ at layer 1"),
    (lambda n: hadamard(n.W[2].T * hadamard(n.a[2] - n.y, _sp(n, 1)), _sp(n, 2)) * n.a[0].T,
     "Hadamard product A ⊙ B needs equal shapes"),
    (lambda n: hadamard(n.W[2].T * hadamard(n.a[2] - n.y, _sp(n, 2)), _sp(n, 1)) * n.a[1].T, "(n_1, n_1)"),
])
def test_wrong_inner_gradients_of_source_003_are_diagnosed(wrong, diagnosis):
    net = cached_network((3, 4, 2), None, "quadratic", 1)
    r = check(wrong, net.dC_dW(1), net=net)
    assert not r.ok
    assert diagnosis in r.message


def test_errata_checks_fail_printed_and_pass_corrected():
    """What show_printed / show_corrected display: every erratum's printed check fails and its fix passes."""
    for e in ENTRIES:
        if e.expect_erratum:
            assert not all(r.ok for r in e.check()), e.id
            assert all(r.ok for r in e.corrected_check()), e.id


# ---------------------------------------------------------------------------------------- 3. the notebook's checks
WRONG_71 = '''
recursion_kronecker = "Delta[l]_i = Delta[l+1]_k W[l+1]_kj KroneckerDelta(j, i) sigma_prime(z[l]_j)"
recursion_000 = "Delta[l]_i = Delta[l+1]_k W[l]_ki sigma_prime(z[l]_i)"
'''
WRONG_72 = 'z_next = "z[l+1]_m = Sum(W[l+1]_mk a[l]_k, k) + b[l]_m"'
WRONG_73 = '''
from backprop_lib.symbolic import hadamard


def dC_dW1(n):
    delta2 = hadamard(n.a[2] - n.y, n.sigma_prime_of(n.z[2]))
    return hadamard(n.W[2].T * delta2, n.sigma_of(n.z[1])) * n.a[0].T
'''
SHORTCUT_71 = '''
recursion_kronecker = "Delta[l]_i = dC_dz[l]_i"
recursion_000 = "Delta[l]_i = Delta[l+1]_k W[l+1]_ki sigma_prime(z[l]_i)"
'''
LHS_72 = 'z_next = "z[l]_m = Sum(W[l]_mk a[l-1]_k, k) + b[l]_m"'
TRUTH_73 = '''
def dC_dW1(n):
    return n.dC_dW(1)
'''


@pytest.mark.slow
def test_exercise_checks_reject_typical_mistakes():
    v = run_with_answers(NOTEBOOK, {"ex7_1": WRONG_71, "ex7_2": WRONG_72, "ex7_3": WRONG_73})
    ok, msg = v["ex7_1"]
    assert not ok and msg.startswith("AssertionError") and "uses W^{l} where W^{l + 1} belongs" in msg
    ok, msg = v["ex7_2"]
    assert not ok and msg.startswith("AssertionError") and "uses b^{l} where b^{l + 1} belongs" in msg
    ok, msg = v["ex7_3"]
    assert not ok and msg.startswith("AssertionError") and "σ where σ′ belongs at layer 1" in msg


@pytest.mark.slow
def test_exercise_checks_reject_shortcuts_and_wrong_left_sides():
    v = run_with_answers(NOTEBOOK, {"ex7_1": SHORTCUT_71, "ex7_2": LHS_72, "ex7_3": TRUTH_73})
    ok, msg = v["ex7_1"]
    assert not ok and "may not use dC_dz[l]" in msg
    ok, msg = v["ex7_2"]
    assert not ok and "left-hand side must be z[l+1]_m" in msg
    ok, msg = v["ex7_3"]   # the view of the network offers no gradients
    assert not ok and "dC_dW" in msg


@pytest.mark.slow
def test_exercise_solutions_pass():
    v = run_with_answers(NOTEBOOK, {})
    assert set(v) == {"ex7_1", "ex7_2", "ex7_3"}
    assert all(ok for ok, _ in v.values()), v
