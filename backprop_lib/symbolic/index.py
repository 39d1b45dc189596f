"""Index (Einstein) notation: a student's equation as a string, checked on a network with a diagnosis.

check_index("delta[l]_k = delta[l+1]_m W[l+1]_mk sigma_prime(z[l]_k)", net, l=2) parses the equation
(notation.py), expands both sides on the network with layer l bound, and checks them entry by entry like
check(); when it fails, the fewest edits that make it hold are searched (index_diagnose.py), so the diagnosis
names the slip and gives the corrected equation. Its numpy twin is to_einsum (einsum.py); identities for
symbolic widths are proved by prove_index (index_proof.py). All of them are importable from here.
Taught in notebooks/03_recursion.ipynb (index form) and notebooks/07_proofreading.ipynb.
"""

from __future__ import annotations

import time

import sympy as sp

from .check import CheckResult, check, quiet
from .einsum import EinsumForm, to_einsum
from .index_diagnose import diagnose_index
from .index_proof import IndexProof, prove_index
from .network import cached_network
from .notation import IndexEquation, IndexRangeError, candidate_matrix, parse_index, truth_matrix

__all__ = [
    "IndexEquation",
    "parse_index",
    "check_index",
    "to_einsum",
    "EinsumForm",
    "prove_index",
    "IndexProof",
    "IndexRangeError",
    "candidate_matrix",
    "truth_matrix",
]


@quiet
def check_index(equation, net=None, l=None, seed=0, diagnose=True, name=None):
    """Check an index-notation equation (string or IndexEquation) on a concrete network; returns a CheckResult.

    Free indices are on the left; an index repeated in two factors on the right is summed; Sum(expr, m) sums
    explicitly. Quantities: W[l]_jk, b[l]_j, z[l]_j, a[l]_j, x_k, y_j, delta[l]_j (= dC/dz), omega[l]_j (= dC/da),
    lam[l]_j (= delta), dC_dW[l]_jk, dC_db[l]_j, dC_dz[l]_j, dC_da[l]_j, gradC_j (the per-sample dc/da^L),
    Jacobians dadz/dzda/dada/dzdb[l]_ij, dzdW/dadW[l]_ijk; functions sigma, sigma_prime, KroneckerDelta(i, j).
    With m > 1 samples the vector quantities take a second index, the sample. Default net: 2-3-4-5, undefined σ;
    default l: L - 1. Equations (2.x)-(3.x) of notebooks/03_recursion.ipynb.
    """
    t0 = time.perf_counter()
    eq = equation if isinstance(equation, IndexEquation) else IndexEquation(equation)
    net = net if net is not None else cached_network((2, 3, 4, 5))
    if l is None:
        l = net.L - 1 if net.L > 1 else 1
    lhs_tex = name or sp.latex(eq.lhs)
    rhs_tex = sp.latex(eq.rhs)
    try:
        cand = candidate_matrix(eq, net, l)
        truth = truth_matrix(eq, net, l)
    except IndexRangeError as exc:
        if "does not exist" in str(exc):  # a layer out of range: the equation does not apply at this l
            msg = f"does not apply at l = {l}: {exc}"
            return CheckResult(
                False, msg, name=lhs_tex, statement=rhs_tex, diagnosis=[msg], seconds=time.perf_counter() - t0
            )
        diag = [f"shape mismatch: {exc}"]
        if diagnose:
            fixes, fixed = diagnose_index(eq, net, l, seed)
            if fixes:
                diag = [" and ".join(fixes), f"shape mismatch: {exc}", f"corrected: ${fixed.latex()}$"]
        return CheckResult(
            False, diag[0], name=lhs_tex, statement=rhs_tex, diagnosis=diag, seconds=time.perf_counter() - t0
        )
    res = check(cand, truth, name=lhs_tex, net=net, statement=rhs_tex, seed=seed)
    if not res.ok and diagnose:
        fixes, fixed = diagnose_index(eq, net, l, seed)
        if fixes:
            res.diagnosis = [" and ".join(fixes)] + res.diagnosis + [f"corrected: ${fixed.latex()}$"]
            res.message = res.diagnosis[0]
    res.seconds = time.perf_counter() - t0
    return res
