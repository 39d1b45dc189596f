"""Judges shared by the exercises: a SymPy answer against the truth, an array against the package's numbers.

Each takes the exercise (for its words), the decoded value and the truth, and returns an `Outcome` whose first
line names the slip: the symbolic engine's diagnosis, or `compare`'s, or a typical slip the exercise lists.
"""

from __future__ import annotations

import re

import numpy as np
import sympy as sp

from ...feedback import compare
from ...symbolic import check as symbolic_check
from . import Outcome


def symbolic(ex, value, truth, net=None, name=None) -> Outcome:
    """A SymPy matrix answer against the truth, by the proof engine (`symbolic.check`)."""
    truth = sp.Matrix(truth)
    refused = ex.refuse(value, f"a SymPy matrix of shape {truth.shape}")
    if refused is not None:
        return refused
    if isinstance(value, np.ndarray) and value.size == 1:
        value = sp.Matrix([[float(value.ravel()[0])]])
    if not isinstance(value, sp.MatrixBase):
        return Outcome(
            False, f"{ex.answer[0]} gave {type(value).__name__}; expected a SymPy matrix of shape {truth.shape}"
        )
    result = symbolic_check(value, truth, net=net, name=name)
    if result.ok:
        return Outcome(True, result.message)
    details = [d for d in dict.fromkeys(result.diagnosis) if d != result.message]
    return Outcome(False, result.message, details)


def numeric(ex, value, reference, name, m=None, slips=()) -> Outcome:
    """An array answer against the package's numbers (`compare`), then the exercise's typical slips.

    `slips` lists (why, wrong_array): when the answer equals a wrong array, `why` is the diagnosis.
    """
    refused = ex.refuse(value, f"an array of shape {np.shape(reference)}")
    if refused is not None:
        return refused
    if not isinstance(value, np.ndarray):
        return Outcome(
            False, f"{ex.answer[0]} gave {type(value).__name__}; expected an array of shape {np.shape(reference)}"
        )
    verdict = compare(name, value, reference, m=m, quiet=True)
    if verdict.ok:
        return Outcome(True, verdict.message)
    for why, wrong in slips:
        if value.shape == np.shape(wrong) and np.allclose(value, wrong, rtol=1e-7, atol=1e-10):
            return Outcome(False, f"{name}: {why}", [verdict.message])
    headline = verdict.message.split("WRONG", 1)[-1].lstrip(": ") if "WRONG" in verdict.message else verdict.message
    return Outcome(False, f"{name}: {headline}", [verdict.message] if headline != verdict.message else [])


# Index-notation answers are strings that the engine reads with SymPy; before any string goes near the engine,
# it must consist of the notation's own words only (no dots, quotes or double underscores: nothing a Python
# expression could use to reach beyond the notation).
_INDEX_TOKENS = re.compile(r"\s+|[A-Za-z_][A-Za-z0-9_]*|\d+|[\[\]\(\)\+\-\*/=,{}]")
_INDEX_WORDS = {
    "W",
    "b",
    "z",
    "a",
    "x",
    "y",
    "delta",
    "Delta",
    "omega",
    "lam",
    "dC_dW",
    "dC_db",
    "dC_dz",
    "dC_da",
    "dadz",
    "dzda",
    "dada",
    "dzdW",
    "dadW",
    "dzdb",
    "gradC",
    "sigma",
    "sigma_prime",
    "Sum",
    "KroneckerDelta",
    "Rational",
    "l",
    "L",
}


def index_text_problem(text) -> str | None:
    """Why `text` is not an index equation the engine may read, or None when it is made of allowed words only."""
    if not isinstance(text, str):
        return 'expected a string such as "delta[l]_k = ..."'
    if len(text) > 400:
        return "the equation is longer than 400 characters"
    pos = 0
    while pos < len(text):
        match = _INDEX_TOKENS.match(text, pos)
        if match is None:
            return f"the character {text[pos]!r} has no place in an index equation"
        word = match.group(0)
        if (word[0].isalpha() or word[0] == "_") and not (
            word in _INDEX_WORDS or re.fullmatch(r"_[A-Za-z0-9]+", word) or re.fullmatch(r"[A-Za-z]", word)
        ):
            return f"{word!r} is not a quantity, function or index of the notation"
        pos = match.end()
    return None
