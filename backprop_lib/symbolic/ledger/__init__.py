"""The ledger: every displayed equation of the four source derivations, read literally, each with checks that run.

Each Entry holds the equation as printed (LaTeX) and a check that transcribes it into this engine in the source's
own conventions (000 writes Δ = ∂C/∂z with Einstein sums; 001 writes ρ, φ, B, ω = ∂C/∂φ, λ and its "L" is any
layer; 002 writes w_kj with k in layer l; 003 is a two-layer network with `*`, `.` and ⊗). Every '=' of a chain
is checked as printed, at every layer of the range the source states; a printed form that can be read several
ways lists every reading. The status comes only from running the checks: verified, erratum (printed form fails,
corrected form passes), ambiguous (some readings hold, some do not), failed. `python -m backprop_lib verify`
prints the table. Taught in notebooks/07_proofreading.ipynb; each entry names the notebook that teaches it.
"""

from . import source000, source001, source002, source003
from .entry import Entry, Reading
from .run import main, run_entry, run_ledger, table, unfounded_claims

__all__ = ["Entry", "Reading", "ENTRIES", "SOURCES", "run_entry", "run_ledger", "main", "table", "unfounded_claims"]

SOURCES = {
    "000": source000.SOURCE,
    "001": source001.SOURCE,
    "002": source002.SOURCE,
    "003": source003.SOURCE,
}

ENTRIES = source000.entries() + source001.entries() + source002.entries() + source003.entries()
