"""Entry-by-entry checking of a hand-derived expression against the truth, with a diagnosis a student can act on.

check(candidate, truth) first evaluates both exactly (integers modulo a 61-bit prime) at random points, with σ,
σ′ and the generic cost's derivatives replaced by unrelated random polynomials, so a wrong formula is caught at
once (evaluate.py); then it proves the equality: both sides as exact polynomials in the symbols and in every
σ(...), σ′(...) and cost application as an atom (poly.py). When the candidate fails, the typical slips are
tried against it (diagnose.py): a constant factor (the 1/2, the 1/m, a sign), a transpose, σ for σ′, σ′ missing
or at another layer, a lost bias, a transposed factor inside a product. A candidate that does not fit the
shapes of a non-square network is also tried on its square twin (every width 3), where it builds, so the slip
is named there. Taught in notebooks/02_error_signal.ipynb onwards; notebook 07 uses it to proofread the sources.
"""

from __future__ import annotations

import functools
import time
import warnings

import sympy as sp
from sympy.matrices.exceptions import ShapeError

from ..verdict import Requirable
from .diagnose import AMBIGUOUS_M2, NO_SLIP, diagnose, diagnose_shape
from .evaluate import Inexact, Point, equal, evaluate, values
from .ops import ShapeMismatch, as_matrix
from .poly import NotPolynomial, PolyForm
from .text import describe_net, plain

__all__ = ["check", "CheckResult", "evaluate", "Point", "prove_equal", "quiet"]


def quiet(fn):
    """Run fn with every warning of a dependency (SymPy deprecations, mpmath) kept from the student."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)

    return run


# ----------------------------------------------------------------------------------------------------------------
# the verdict
# ----------------------------------------------------------------------------------------------------------------
class CheckResult(Requirable):
    """The verdict of one check: .ok, .message (one line), .diagnosis (list of findings), .require().

    Shows as one line, ✔ or ✘ and the message (text/plain without LaTeX; the Markdown form adds the equation);
    a failure lists its other findings once, below.
    """

    def __init__(
        self, ok, message, name="", statement=None, diagnosis=(), mismatches=(), seconds=0.0, method="", shape=None
    ):
        self.ok = bool(ok)
        self.message = message
        self.name = name
        self.statement = statement
        self.diagnosis = list(diagnosis)
        self.mismatches = list(mismatches)
        self.seconds = seconds
        self.method = method
        self.shape = shape
        self.step = ""  # set by the ledger: which step of a printed chain this result checks
        self.layer = None  # and at which layer

    def __repr__(self):
        return ("✔ " if self.ok else "✘ ") + plain(self.message)

    def _equation_latex(self):
        lhs = self.name or r"\text{candidate}"
        rhs = self.statement if self.statement is not None else r"\text{(candidate)}"
        return f"{lhs} = {rhs}"

    def _repr_markdown_(self):
        """One line, ✔/✘ with the message and the equation; a failure adds its other findings once, below."""
        head = f"**{'✔' if self.ok else '✘'}** {plain(self.message)}"
        if self.statement is not None:
            head += f" — ${self._equation_latex()}$"
        rest = [d for d in dict.fromkeys(self.diagnosis) if d != self.message]
        if self.ok or not rest:
            return head
        return "\n".join([head, ""] + [f"- {d}" for d in rest])


# ----------------------------------------------------------------------------------------------------------------
# the symbolic proof
# ----------------------------------------------------------------------------------------------------------------
class _Atomizer:
    """Replace each function application by one Dummy keyed by its expanded argument (the SymPy fallback)."""

    def __init__(self):
        self.table, self.memo = {}, {}

    def __call__(self, e):
        r = self.memo.get(e)
        if r is None:
            if e.is_Atom:
                r = e
            elif e.is_Add or e.is_Mul or e.is_Pow:
                r = e.func(*[self(t) for t in e.args])
            elif isinstance(e, sp.KroneckerDelta) and all(t.is_Integer for t in e.args):
                r = e
            else:
                key = (e.func, tuple(sp.expand(self(t)) for t in e.args))
                r = self.table.setdefault(key, sp.Dummy(f"atom{len(self.table)}"))
            self.memo[e] = r
        return r


def prove_equal(u, v, form=None):
    """True when u and v are the same polynomial in their symbols and function applications (a proof for every σ).

    Exact polynomial arithmetic (poly.PolyForm); a side that is not a polynomial in atoms (a power of a sum with
    a negative exponent, exp, a float) goes through SymPy: atoms, expand, and the numerator of the difference.
    """
    form = form or PolyForm()
    try:
        return form.equal(u, v)
    except NotPolynomial:
        pass
    at = _Atomizer()
    d = sp.expand(at(sp.sympify(u)) - at(sp.sympify(v)))
    if d == 0:
        return True
    if any(p.is_Pow and p.exp.is_negative for p in d.atoms(sp.Pow)) and sp.expand(sp.numer(sp.together(d))) == 0:
        return True
    d = sp.sympify(u) - sp.sympify(v)
    return sp.count_ops(d) < 400 and sp.simplify(d.rewrite(sp.exp)) == 0


# ----------------------------------------------------------------------------------------------------------------
# the check
# ----------------------------------------------------------------------------------------------------------------
def _to_matrix(x, net, what):
    if x is None or x is Ellipsis:
        raise _Blank(what)
    if callable(x) and not isinstance(x, sp.Basic):
        if net is None:
            raise ValueError(f"{what} is a callable of the network, so check(..., net=...) needs the network")
        x = x(net)
        if x is None or x is Ellipsis:
            raise _Blank(what)
    M = as_matrix(x)
    if M.shape[0] * M.shape[1] == 0:
        raise _Blank(what)
    return M


class _Blank(Exception):
    """A candidate that is not written yet: None, ..., or an empty matrix."""


def _latex_short(M, limit=300):
    """LaTeX of a small candidate, or None for a large one (printing big expressions is slow and unreadable)."""
    count = 0
    for e in M:
        for _ in sp.preorder_traversal(e):
            count += 1
            if count > limit:
                return None
    return sp.latex(M[0, 0] if M.shape == (1, 1) else M)


def _twin(net, m=None):
    """The same network with every width 3 (square layers), or with another batch size m."""
    from .network import cached_network

    sizes = tuple(net.sizes) if m is not None else (3,) * len(net.sizes)
    return cached_network(sizes, net.activation, net.cost, m if m is not None else net.m)


def _on_twin(candidate, truth, net, twin):
    """The diagnosis of a callable candidate on a twin network, or None when it cannot be rebuilt there."""
    if net is None or not callable(candidate) or isinstance(candidate, sp.Basic):
        return None
    if callable(truth) and not isinstance(truth, sp.Basic):
        truth_twin = truth
    else:
        found = net.identify(truth)
        if found is None:
            return None
        method, args = found
        truth_twin = lambda n: getattr(n, method)(*args)  # noqa: E731
    try:
        res = _check(candidate, truth_twin, None, twin, None, 1, 0, False, False)
    except (ShapeError, ShapeMismatch, ValueError, IndexError, TypeError):
        return None
    if res.ok or not res.diagnosis or res.diagnosis[0] == NO_SLIP or res.diagnosis[0].startswith("shape"):
        return None
    return res.diagnosis[0]


@quiet
def check(candidate, truth, name=None, net=None, statement=None, points=2, seed=0, prove=True):
    """Compare a hand-derived expression with the truth entry by entry and prove it; returns a CheckResult.

    candidate, truth: SymPy Matrix or scalar, or a callable of `net` returning one. name: LaTeX of the left-hand
    side (e.g. r"\\frac{\\partial C}{\\partial W^{2}}"); statement: LaTeX of the right-hand side as written
    (defaults to the candidate's own LaTeX when short). Used throughout notebooks 02-07.
    """
    return _check(candidate, truth, name, net, statement, points, seed, prove, True)


def _check(candidate, truth, name, net, statement, points, seed, prove, probe):
    t0 = time.perf_counter()
    name = name or r"\text{truth}"

    def done(ok, message, **kw):
        return CheckResult(ok, message, name=name, statement=statement, seconds=time.perf_counter() - t0, **kw)

    given_truth = truth

    def twin_words(m=None):
        return _on_twin(candidate, given_truth, net, _twin(net, m)) if probe and net is not None else None

    try:
        cand = _to_matrix(candidate, net, "candidate")
    except _Blank:
        return done(
            False,
            "the candidate is blank (None, ... or an empty matrix): write the expression first",
            diagnosis=["the candidate is blank (None, ... or an empty matrix): write the expression first"],
        )
    except (ShapeError, ShapeMismatch) as exc:
        diag = [
            f"shape mismatch while building the candidate: {exc}",
            "the operands do not fit: check which layer each factor belongs to (W^l for W^(l+1)? a^l for "
            "a^(l-1)?) and whether a transpose is missing",
        ]
        found = twin_words()
        if found:
            diag.insert(
                0,
                f"{found} (the shapes do not fit on {describe_net(net)}; on the square twin "
                f"{describe_net(_twin(net))} the candidate builds and shows it)",
            )
        return done(False, diag[0], diagnosis=diag)
    try:
        truth = _to_matrix(truth, net, "truth")
    except _Blank:
        raise ValueError("the truth is blank (None, ... or an empty matrix): check() needs an expression") from None
    if statement is None:
        statement = _latex_short(cand)

    if cand.shape != truth.shape:
        # (every first line of diagnose_shape names the shape itself, so the square twin is not consulted here)
        diag = diagnose_shape(cand, truth, net, Point(seed))
        return done(False, diag[0], diagnosis=diag, shape=cand.shape)

    # 1. exact evaluation at random points
    exact, mism, used = True, set(), []
    for p in range(points):
        pt = Point(seed + 1000 * p, exact=True)
        try:
            cv, tv = values(cand, pt), values(truth, pt)
        except Inexact:
            exact = False
            pt = Point(seed + 1000 * p, exact=False)
            cv, tv = values(cand, pt), values(truth, pt)
        except ZeroDivisionError:
            continue
        used.append((pt, cv, tv))
        mism.update(i for i, (c, t) in enumerate(zip(cv, tv)) if not equal(c, t, pt.exact))
    cols = cand.shape[1]
    mismatches = sorted(divmod(i, cols) for i in mism)
    if mism:
        diag = diagnose(cand, truth, net, used, mismatches)
        if diag[0].startswith(AMBIGUOUS_M2):
            found = twin_words(m=3)  # the same candidate with m = 3 tells the 1/m from a 1/2
            if found and "the 1/m of the averaged cost is missing" in found:
                diag[0] = (
                    "the 1/m of the averaged cost is missing (with m = 2 it looks like a lost 1/2; "
                    "with m = 3 the candidate is 3 times the truth)"
                )
            elif found and found.startswith("twice the truth"):
                diag[0] = f"{found.split(': ', 1)[1]} (with m = 3 the candidate is still twice the truth: not the 1/m)"
        return done(
            False,
            diag[0],
            diagnosis=diag,
            mismatches=mismatches,
            shape=cand.shape,
            method="counterexample at a random rational point",
        )
    if not used:
        return done(False, "could not evaluate at any random point (division by zero)")

    # 2. symbolic proof: the same polynomial in symbols and function applications
    if not prove:
        return done(
            True,
            f"equal at {len(used)} random points (no symbolic proof requested)",
            shape=cand.shape,
            method="random points",
        )
    form = PolyForm()
    for i, (c, t) in enumerate(zip(cand, truth)):
        if not prove_equal(c, t, form):
            return done(
                False,
                f"equal at {len(used)} random points, but entry {divmod(i, cols)} could not be proved symbolically",
                shape=cand.shape,
                method="random points only",
            )
    how = "exact evaluation at random points, then a symbolic proof"
    if not exact:
        how = "high-precision evaluation at random points, then a symbolic proof"
    n = len(cand)
    return done(
        True, f"proved: all {n} entr{'y' if n == 1 else 'ies'} equal the truth ({how})", shape=cand.shape, method=how
    )
