"""The ledger of the sources' equations: every '=' read literally, every status computed, every explanation the
engine's own."""

import dataclasses
import json

import pytest
import sympy as sp

from backprop_lib.symbolic import check, ledger
from backprop_lib.symbolic.ledger import ENTRIES, Entry, Reading, main, run_entry, run_ledger, unfounded_claims
from backprop_lib.symbolic.ledger.entry import index_chain

NOTEBOOKS = {
    "00_index",
    "01_forward_pass",
    "02_error_signal",
    "03_recursion",
    "04_matrix_form",
    "05_batching",
    "06_training_mnist",
    "07_proofreading",
}
ERRATA = {"000-kd-sifting", "000-1", "000-2", "002-z-next", "003-a2", "003-EqB", "003-z2-sum", "003-Eq5a", "003-Eq5b"}
AMBIGUOUS = {
    "002-forward",
    "002-summary-recursion",
    "003-basis",
    "003-EqA",
    "003-B3",
    "003-B4",
    "003-Eq3-steps",
    "003-Eq3",
    "003-4.0",
    "003-4.1",
    "003-dCda1",
    "003-4.3",
    "003-Eq3b",
}


@pytest.fixture(scope="module")
def rows():
    return {r["id"]: r for r in run_ledger()}


def test_every_entry_as_expected(rows):
    bad = [(i, r["status"], r["diagnosis"]) for i, r in rows.items() if not r["as_expected"]]
    assert not bad


def test_statuses_found_by_checking(rows):
    assert {i for i, r in rows.items() if r["status"] == "erratum"} == ERRATA
    assert {i for i, r in rows.items() if r["status"] == "ambiguous"} == AMBIGUOUS
    assert all(r["status"] == "verified" for i, r in rows.items() if i not in ERRATA | AMBIGUOUS)


def test_middle_steps_and_stated_ranges_are_read_as_printed(rows):
    d = rows["000-1"]["diagnosis"]
    # the middle step ∂a^L_j/∂a^L_i (where ∂a^L_j/∂z^L_i belongs) loses σ′, the next writes σ for σ′
    assert "'=' 2 of 4 (dC_dz[L]_i = dC_da[L]_j daa[L]_ji): misses σ′ at layer 3" in d
    assert "'=' 3 of 4" in d and "σ where σ′ belongs" in d and "'=' 4 of 4" not in d  # the sift itself holds
    d = rows["000-2"]["diagnosis"]
    assert "at l = 3: does not apply at l = 3: dC_dz⁴ does not exist" in d  # "l ≤ L" includes L
    assert "the left-hand side should be Deltaˡ, not Deltaᴸ" in d
    assert "uses Wˡ where Wˡ⁺¹ belongs and σ where σ′ belongs" in d


def test_ambiguous_forms_report_every_reading(rows):
    readings = {r["reading"]: r for r in rows["002-summary-recursion"]["readings"]}
    assert readings["((w^{l+1})ᵀ δ^{l+1}) ⊙ σ′(z^l): the product first"]["holds"]
    other = readings["(w^{l+1})ᵀ (δ^{l+1} ⊙ σ′(z^l)): ⊙ first"]
    assert not other["holds"] and "Hadamard product A ⊙ B needs equal shapes" in other["diagnosis"]
    bare_b = {r["reading"]: r["holds"] for r in rows["002-forward"]["readings"]}
    assert bare_b == {"b is b^l, the bias of layer l": True, "b is one bias vector shared by every layer (b^1)": False}
    eq3 = {r["reading"]: r["holds"] for r in rows["003-Eq3"]["readings"]}
    assert eq3["* as NumPy's elementwise product with broadcasting"] and sum(eq3.values()) == 1
    b3 = rows["003-B3"]["readings"]
    assert [r["holds"] for r in b3] == [True, False, False]
    assert rows["003-B3"]["explanation"].startswith("Readings: “row j")


def test_what_the_whole_layer_sum_computes_is_named(rows):
    first = rows["003-z2-sum"]["readings"][0]
    assert not first["holds"] and "one number" in first["diagnosis"] and "misses the bias b²" in first["diagnosis"]


def test_eq_b_does_not_get_its_sum_from_the_check(rows):
    readings = {r["reading"]: r for r in rows["003-EqB"]["readings"]}
    as_printed = readings["∂v/∂w² as the whole Jacobian ∂v_i/∂w²_jk, no sum (as printed)"]
    assert not as_printed["holds"] and "shape mismatch" in as_printed["diagnosis"]
    summed = readings["with the sum over the output neurons i that the line does not print"]
    assert not summed["holds"] and "twice the truth" in summed["diagnosis"]


def test_explanations_are_the_engines_and_claim_nothing_it_did_not_find(rows):
    for i in ERRATA | AMBIGUOUS:
        r = rows[i]
        assert not unfounded_claims(r["note"], r["engine"]), (i, unfounded_claims(r["note"], r["engine"]))
        head = "The engine, on the printed form: " if i in ERRATA else "Readings: "
        assert r["explanation"].startswith(head + (r["diagnosis"] if i in ERRATA else "")), i


def test_an_unfounded_claim_is_caught():
    # the engine finds σ for σ′ here; a note that blames the bias or a transpose must be flagged
    said = "σ where σ′ belongs at layer 3 (σ(z^3) for σ′(z^3))"
    assert unfounded_claims("σ is written where σ′ belongs.", said) == []
    assert len(unfounded_claims("The bias is dropped and a transpose is missing.", said)) == 2
    e = dataclasses.replace(
        next(e for e in ENTRIES if e.id == "000-1"), explanation="The bias b^L is missing from z^L."
    )
    r = run_entry(e)
    assert r["status"] == "erratum" and unfounded_claims(r["note"], r["engine"]) == [r"\bbias"]


def test_entries_are_complete():
    ids = [e.id for e in ENTRIES]
    assert len(ids) == len(set(ids))
    assert {e.source for e in ENTRIES} == set(ledger.SOURCES.values())
    for e in ENTRIES:
        assert e.notebook in NOTEBOOKS and e.label and e.printed and e.explanation
        if e.expect_erratum:
            assert e.corrected and e.corrected_check is not None and e.why


def test_json_output(rows, capsys, monkeypatch):
    monkeypatch.setattr(ledger.run, "run_ledger", lambda: list(rows.values()))  # the rows computed above
    code = main(["verify", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and len(data) == len(ENTRIES)
    for d in data:
        assert {
            "id",
            "source",
            "label",
            "status",
            "explanation",
            "notebook",
            "why",
            "diagnosis",
            "seconds",
            "readings",
        } <= set(d)
        assert d["status"] in ("verified", "erratum", "ambiguous")
    amb = next(d for d in data if d["id"] == "002-forward")
    assert [r["holds"] for r in amb["readings"]] == [True, False]


def test_table_output_and_usage(capsys):
    assert main(["nonsense"]) == 2
    capsys.readouterr()
    text = ledger.table(run_ledger([e for e in ENTRIES if e.id in ("000-1", "002-z", "002-forward")]))
    assert "erratum caught and corrected" in text and "verified" in text and "ambiguous: readings differ" in text
    assert "reading: b is b^l, the bias of layer l" in text


def _entry(check_fn=None, corrected_fn=None, readings=(), expect=""):
    return Entry(
        "t",
        "x.txt",
        "(t)",
        "x",
        check_fn,
        "03_recursion",
        "test",
        corrected="y" if corrected_fn else None,
        corrected_check=corrected_fn,
        why="w" if corrected_fn else "",
        readings=readings,
        expect=expect,
    )


def test_every_status_is_computed(monkeypatch, capsys):
    one, two = (lambda: [check(sp.Integer(1), sp.Integer(1))]), (lambda: [check(sp.Integer(1), sp.Integer(2))])
    assert run_entry(_entry(one))["status"] == "verified"
    assert run_entry(_entry(two, one))["status"] == "erratum"
    assert run_entry(_entry(readings=(Reading("a", one), Reading("b", two))))["status"] == "ambiguous"
    assert run_entry(_entry(readings=(Reading("a", one), Reading("b", one)), expect="verified"))["status"] == "verified"
    assert run_entry(_entry(readings=(Reading("a", two), Reading("b", two)), corrected_fn=one))["status"] == "erratum"
    wrong = _entry(two)
    assert run_entry(wrong)["status"] == "failed" and not run_entry(wrong)["as_expected"]
    monkeypatch.setattr(ledger.run, "run_ledger", lambda: [run_entry(wrong)])
    assert main(["verify"]) == 1


def test_an_erratum_that_passes_or_whose_fix_fails_is_reported():
    one, two = (lambda: [check(sp.Integer(1), sp.Integer(1))]), (lambda: [check(sp.Integer(1), sp.Integer(2))])
    passes = _entry(one, one)
    assert run_entry(passes)["status"] == "verified" and not run_entry(passes)["as_expected"]
    fix_fails = _entry(two, lambda: [check(sp.Integer(3), sp.Integer(2))])
    assert run_entry(fix_fails)["status"] == "failed" and not run_entry(fix_fails)["as_expected"]
    both_hold = _entry(readings=(Reading("a", one), Reading("b", one)))  # expected ambiguous
    assert run_entry(both_hold)["status"] == "verified" and not run_entry(both_hold)["as_expected"]


def test_a_crashing_check_is_a_failure():
    def boom():
        raise RuntimeError("broken")

    r = run_entry(_entry(boom))
    assert r["status"] == "failed" and "broken" in r["diagnosis"]


@pytest.mark.parametrize(
    "entry_id, broken",
    [
        (
            "002-recursion",
            index_chain(
                "delta[l]_k", "Sum(delta[l+1]_m W[l+1]_km, m) sigma_prime(z[l]_k)", layers=lambda n: range(1, n.L)
            ),
        ),  # transposed
        (
            "000-3b",
            index_chain(
                "dC_db[l]_i",
                "dC_dz[l]_j dzdb[l]_ji",
                "Delta[l]_j KroneckerDelta(j, i)",
                "Delta[l-1]_i",
                layers=lambda n: range(1, n.L + 1),
            ),
        ),  # wrong layer in the last side only
        ("002-z", index_chain("z[l]_k", "Sum(W[l]_kj a[l-1]_j, j)", layers=lambda n: range(1, n.L + 1))),  # no bias
    ],
)
def test_an_edited_verified_entry_fails(entry_id, broken):
    e = dataclasses.replace(next(e for e in ENTRIES if e.id == entry_id), check=broken)
    assert run_entry(e)["status"] == "failed"


def test_the_stated_range_is_what_is_checked():
    e = next(e for e in ENTRIES if e.id == "000-2")
    fixed_everywhere = dataclasses.replace(e, check=e.corrected_check)  # the corrected chain, l < L
    assert run_entry(fixed_everywhere)["status"] == "verified"
    over_range = index_chain(
        "Delta[l]_i", "Delta[l+1]_k W[l+1]_ki sigma_prime(z[l]_i)", layers=lambda n: range(1, n.L + 1)
    )  # the corrected chain, but l ≤ L
    assert any("does not apply at l = 3" in r.message for r in over_range())
