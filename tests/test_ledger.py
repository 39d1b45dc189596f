"""The ledger of the sources' equations: every entry runs, errata are caught by their checks and corrected."""
import json
import time

import pytest
import sympy as sp

from backprop_lib.symbolic import check
from backprop_lib.symbolic import ledger
from backprop_lib.symbolic.ledger import ENTRIES, Entry, main, run_entry, run_ledger

NOTEBOOKS = {"00_index", "01_forward_pass", "02_error_signal", "03_recursion", "04_matrix_form", "05_batching",
             "06_training_mnist", "07_proofreading"}


@pytest.fixture(scope="module")
def rows():
    t0 = time.perf_counter()
    out = run_ledger()
    return out, time.perf_counter() - t0


def test_every_entry_as_expected(rows):
    out, seconds = rows
    bad = [(r["id"], r["status"], r["diagnosis"]) for r in out if not r["as_expected"]]
    assert not bad
    assert seconds < 60


def test_errata_found_by_checking(rows):
    out, _ = rows
    errata = {r["id"] for r in out if r["status"] == "erratum"}
    assert errata == {"000-kd-sifting", "000-1", "000-2", "002-z-next", "003-a2", "003-EqB", "003-z2-sum", "003-4.3", "003-Eq5a",
                      "003-Eq5b"}
    diag = {r["id"]: r["diagnosis"] for r in out}
    assert "σ where σ′ belongs" in diag["000-1"]
    assert "W^{l} where W^{l + 1} belongs" in diag["000-2"] and "σ where σ′ belongs" in diag["000-2"]
    assert "b^{l} where b^{l + 1} belongs" in diag["002-z-next"]
    assert "misses the bias" in diag["003-a2"] and "misses the bias" in diag["003-z2-sum"]
    assert "1/2" in diag["003-EqB"]
    assert "shape mismatch" in diag["003-4.3"] and "shape mismatch" in diag["003-Eq5a"]


def test_entries_are_complete():
    ids = [e.id for e in ENTRIES]
    assert len(ids) == len(set(ids))
    assert {e.source for e in ENTRIES} == set(ledger.SOURCES.values())
    for e in ENTRIES:
        assert e.notebook in NOTEBOOKS and e.label and e.printed and e.explanation
        if e.expect_erratum:
            assert e.corrected and e.corrected_check is not None and e.why


def test_json_output(rows, capsys, monkeypatch):
    monkeypatch.setattr(ledger, "run_ledger", lambda: rows[0])   # the rows the fixture just computed
    code = main(["verify", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert len(data) == len(ENTRIES)
    for d in data:
        assert {"id", "source", "label", "status", "explanation", "notebook"} <= set(d)
        assert d["status"] in ("verified", "erratum")


def test_table_output_and_usage(capsys):
    assert main(["nonsense"]) == 2
    capsys.readouterr()
    sub = [e for e in ENTRIES if e.id in ("000-1", "002-z")]
    rows = run_ledger(sub)
    text = ledger._table(rows)
    assert "erratum caught and corrected" in text and "verified" in text


def _entry(check_fn, corrected_fn=None):
    return Entry("t", "x.txt", "(t)", "x", check_fn, "03_recursion", "test",
                 corrected="y" if corrected_fn else None, corrected_check=corrected_fn, why="w" if corrected_fn else "")


def test_a_failing_verified_entry_is_reported(monkeypatch, capsys):
    wrong = _entry(lambda: [check(sp.Integer(1), sp.Integer(2))])
    assert run_entry(wrong)["status"] == "failed" and not run_entry(wrong)["as_expected"]
    monkeypatch.setattr(ledger, "ENTRIES", [wrong])
    assert main(["verify"]) == 1


def test_an_erratum_that_passes_or_whose_fix_fails_is_reported():
    passes = _entry(lambda: [check(sp.Integer(1), sp.Integer(1))], lambda: [check(sp.Integer(1), sp.Integer(1))])
    assert run_entry(passes)["status"] == "verified" and not run_entry(passes)["as_expected"]
    fix_fails = _entry(lambda: [check(sp.Integer(1), sp.Integer(2))], lambda: [check(sp.Integer(3), sp.Integer(2))])
    assert run_entry(fix_fails)["status"] == "failed" and not run_entry(fix_fails)["as_expected"]


def test_a_crashing_check_is_a_failure():
    def boom():
        raise RuntimeError("broken")
    r = run_entry(_entry(boom))
    assert r["status"] == "failed" and "broken" in r["diagnosis"]
