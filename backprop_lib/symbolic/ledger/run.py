"""Running the ledger: each entry's status computed from its checks, the engine's words first, and the table.

Statuses: "verified" (the printed form holds; with readings: every reading holds), "erratum" (the printed form
fails under every reading and the corrected form passes), "ambiguous" (some readings hold, some do not: the
source must be read one way to be right), "failed" (anything else: a check that should pass does not).
An erratum's or ambiguous entry's explanation starts with the engine's own diagnosis; `unfounded_claims` lists
the slips the author's note names that the engine did not find (tests/test_ledger.py requires none).
`python -m backprop_lib verify [--json]` prints the table (or JSON) and returns 0 when every status is as expected.
"""

from __future__ import annotations

import json
import re
import sys
import time

from ..check import CheckResult
from ..text import plain

__all__ = ["run_entry", "run_ledger", "main", "table", "unfounded_claims", "SLIP_WORDS"]

# what an author's note may claim (a regular expression over the note) -> what the engine must then have said
SLIP_WORDS = (
    (r"σ is written where σ′|σ where σ′|σ for σ′|σ′ belongs where σ", ("σ where σ′ belongs",)),
    (r"\bbias", ("bias", " where b")),
    (r"1/2\b|½", ("1/2",)),
    (r"1/m\b", ("1/m",)),
    (r"transpos", ("transpos",)),
    (r"shapes? (do|does) not fit|not even fit", ("shape mismatch", "do not fit", "does not fit")),
    (r"one number", ("one number",)),
    (r"does not exist|stated range|l ≤ L", ("does not exist",)),
    (r"sign", ("sign",)),
    (r"W\^\{?l\+1\}?|W\^\{l \+ 1\}", ("W^{l + 1}",)),
)


def _safe(fn):
    """Run a check; an exception becomes a failed result naming it (a broken check must never crash the ledger)."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - reported as a failure, never hidden
        return [CheckResult(False, f"the check raised {type(exc).__name__}: {exc}")]


def _diagnosis(results):
    """The failing results in plain words, one part per step and message, with the layers where it fails."""
    groups = {}
    for r in results:
        if not r.ok:
            layers = groups.setdefault((getattr(r, "step", ""), plain(r.message)), [])
            if getattr(r, "layer", None) is not None:
                layers.append(str(r.layer))
    parts = []
    for (step, message), layers in groups.items():
        where = f" at l = {', '.join(layers)}" if layers else ""
        parts.append(f"{step}{where}: {message}".strip() if step or where else message)
    return " | ".join(parts)


def engine_text(results):
    """Everything the engine said about the failing results: messages and every diagnosis line, plain."""
    return " ".join(plain(" ".join([r.message, *getattr(r, "diagnosis", ())])) for r in results if not r.ok)


def unfounded_claims(note, said):
    """The slips `note` (an author's sentence) claims that `said` (the engine's words) does not contain."""
    missing = []
    for pattern, engine_words in SLIP_WORDS:
        if re.search(pattern, note) and not any(w in said or plain(w) in said for w in engine_words):
            missing.append(pattern)
    return missing


def run_entry(entry):
    """Run an entry's checks (each reading's, or the printed form's, then the corrected form's); returns a dict."""
    t0 = time.perf_counter()
    readings = []
    printed_results = []
    if entry.readings:
        for reading in entry.readings:
            results = _safe(reading.check)
            printed_results += results
            holds = all(r.ok for r in results)
            readings.append({"reading": reading.text, "holds": holds, "diagnosis": _diagnosis(results)})
        held = [r["holds"] for r in readings]
        printed_ok = all(held)
        some_hold = any(held)
    else:
        printed_results = _safe(entry.check)
        printed_ok = some_hold = all(r.ok for r in printed_results)
    corrected_ok = None
    diagnosis = _diagnosis(printed_results)
    if printed_ok:
        status = "verified"
    elif some_hold:
        status = "ambiguous"
    elif entry.corrected_check is not None:
        fixed = _safe(entry.corrected_check)
        corrected_ok = all(r.ok for r in fixed)
        status = "erratum" if corrected_ok else "failed"
        if not corrected_ok:
            diagnosis += " | corrected form fails: " + _diagnosis(fixed)
    else:
        status = "failed"
    # what the engine said, and (for readings) what each reading is: the words a note may rest on
    said = " ".join([engine_text(printed_results), *(r["reading"] for r in readings)])
    explanation = entry.explanation
    if status == "ambiguous":
        parts = [f"“{r['reading']}” {'holds' if r['holds'] else 'does not: ' + r['diagnosis']}" for r in readings]
        explanation = "Readings: " + "; ".join(parts) + ". " + entry.explanation
    elif status in ("erratum", "failed") and diagnosis:
        explanation = f"The engine, on the printed form: {diagnosis}. {entry.explanation}"
    return {
        "id": entry.id,
        "source": entry.source,
        "label": entry.label,
        "status": status,
        "explanation": explanation,
        "note": entry.explanation,
        "notebook": entry.notebook,
        "why": entry.why,
        "printed": entry.printed,
        "corrected": entry.corrected,
        "diagnosis": diagnosis,
        "engine": said,
        "readings": readings,
        "as_expected": status == entry.expect,
        "seconds": round(time.perf_counter() - t0, 3),
    }


def run_ledger(entries=None):
    """Run every entry (or the given ones); returns the list of result dicts."""
    from . import ENTRIES

    return [run_entry(e) for e in (entries if entries is not None else ENTRIES)]


VERDICTS = {
    "verified": "verified",
    "erratum": "erratum caught and corrected",
    "ambiguous": "ambiguous: readings differ",
    "failed": "FAILED",
}


def table(rows):
    """The ledger as a text table: source, label, verdict, seconds."""
    head = f"{'source':<28} {'label':<44} {'verdict':<34} {'s':>6}"
    lines = [head, "-" * len(head)]
    for r in rows:
        verdict = VERDICTS[r["status"]] + ("" if r["as_expected"] else " (UNEXPECTED)")
        lines.append(f"{r['source']:<28} {r['label'][:44]:<44} {verdict:<34} {r['seconds']:>6.2f}")
        for reading in r["readings"]:
            holds = "holds" if reading["holds"] else "fails"
            lines.append(f"{'':<28}   reading: {reading['reading'][:60]:<60} {holds}")
    return "\n".join(lines)


def main(argv):
    """`verify [--json]`: run the ledger, print a table (or JSON), return 0 when every entry is as expected."""
    argv = list(argv)
    if not argv or argv[0] != "verify" or any(a not in ("--json",) for a in argv[1:]):
        print("usage: python -m backprop_lib verify [--json]", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    from . import run as this  # run_ledger looked up at call time (tests replace it)

    rows = this.run_ledger()
    if "--json" in argv:
        keys = ("id", "source", "label", "status", "explanation", "notebook", "why", "diagnosis", "seconds", "readings")
        print(json.dumps([{k: r[k] for k in keys} for r in rows], indent=2, ensure_ascii=False))
    else:
        print(table(rows))
        count = {s: sum(r["status"] == s for r in rows) for s in VERDICTS}
        print(
            f"\n{len(rows)} equations: {count['verified']} verified, {count['erratum']} errata caught and "
            f"corrected, {count['ambiguous']} ambiguous, {count['failed']} failed, "
            f"{sum(not r['as_expected'] for r in rows)} unexpected; {time.perf_counter() - t0:.1f} s"
        )
    return 0 if all(r["as_expected"] for r in rows) else 1
