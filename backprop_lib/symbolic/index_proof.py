"""Index identities proved for symbolic widths: IndexedBase, Idx with a symbolic range, Sum and KroneckerDelta.

prove_index(lhs, rhs) evaluates both sides (.doit()), resolves the range conditions SymPy attaches to a sum
over a Kronecker delta, contracts the deltas, merges sums with equal limits, and asks for a zero difference:
a proof for every width n, not for one network. Taught in notebooks/03_recursion.ipynb (the Kronecker-delta
rules) and notebooks/07_proofreading.ipynb (source 000's inline rules).
"""

from __future__ import annotations

import itertools

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..verdict import Requirable

__all__ = ["IndexProof", "prove_index"]


class _PlainIndexPrinter(LatexPrinter):
    # SymPy prints an Idx with its range, {i}_{0..n-1}; a reader wants the letter i
    def _print_Idx(self, expr):
        return self._print(expr.label)


def _tex(expr):
    """LaTeX of an index expression with each Idx printed as its bare letter."""
    return _PlainIndexPrinter().doprint(expr)


class IndexProof(Requirable):
    """Verdict of an identity proved for symbolic widths: .ok, .message, .require(), LaTeX rendering."""

    def __init__(self, ok, message, lhs, rhs, name=""):
        self.ok, self.message, self.lhs, self.rhs, self.name = bool(ok), message, lhs, rhs, name

    def __repr__(self):
        return f"IndexProof(ok={self.ok}, message={self.message!r})"

    def _repr_latex_(self):
        mark = r"\quad\checkmark\ \text{proved for all widths}" if self.ok else r"\quad\times\ \text{not equal}"
        lhs = self.name or _tex(self.lhs)
        return f"$${lhs} = {_tex(self.rhs)}{mark}$$"

    def _repr_markdown_(self):
        head = "**✔ proved for all widths**" if self.ok else "**✘ not proved**"
        return f"{head}: {self.message}\n\n{self._repr_latex_()}\n"


def _resolve_piecewise(e):
    """Resolve Piecewise((v, cond), (0, True)) where cond only says that an Idx lies inside its own range."""

    def fix(pw):
        # only the first branch: when its condition may fail somewhere in the range, a later branch (the 0 of
        # a Kronecker delta summed over another range) holds only there, not everywhere
        val, cond = pw.args[0]
        return val if _holds_in_range(cond) else pw

    return e.replace(lambda x: isinstance(x, sp.Piecewise), fix)


def _holds_in_range(cond):
    """Whether cond is true for every value of its Idx in their ranges (and, without an Idx, is simply true).

    Not bool(cond): an And of undecided relations is a truthy object, so j >= 0 & j <= n - 1 for a plain
    symbol j would count as holding."""
    idxs = [s for s in cond.free_symbols if isinstance(s, sp.Idx)]
    if any(i.lower is None for i in idxs):  # an Idx without a range: nothing is known of it
        return False
    # a linear condition holds on a whole range iff it holds at both ends (no Idx: the one empty product)
    for ends in itertools.product(*[(i.lower, i.upper) for i in idxs]):
        c = cond.subs(dict(zip(idxs, ends)))
        if c is not sp.true:
            return False
    return True


def _kronecker_contract(e):
    """In each term c * KroneckerDelta(i, j) * f(j), write f(i): the Kronecker delta makes i and j equal there."""
    out = []
    for t in sp.Add.make_args(sp.expand(e)):
        # only deltas that are factors of the term itself: one inside a Sum may involve the summed index, and
        # Sum.doit() sifts those itself (sum_i delta_ij f(i) = f(j))
        for kd in sorted((f for f in sp.Mul.make_args(t) if isinstance(f, sp.KroneckerDelta)), key=str):
            i, j = sorted(kd.args, key=str)
            if isinstance(j, (sp.Symbol, sp.Idx)):
                rest = t / kd
                t = kd * rest.xreplace({j: i})
        out.append(t)
    return sp.Add(*out)


def _normal(e):
    """Evaluate sums and derivatives, resolve range conditions, contract Kronecker deltas; repeat until nothing
    changes, since evaluating an outer sum can expose an inner one (sum_i delta_i dz_i/dW_jk)."""
    e = sp.sympify(e)
    for _ in range(6):
        new = _kronecker_contract(sp.expand(_resolve_piecewise(e.doit())))
        if new == e:
            break
        e = new
    return e


def prove_index(lhs, rhs, name=""):
    """Prove lhs == rhs for symbolic widths (IndexedBase, Idx with symbolic range, Sum, KroneckerDelta).

    Both sides are evaluated (.doit()), Piecewise conditions that only restate an index's range are resolved,
    sums with the same limits are merged, and the difference must expand to zero. Returns an IndexProof.
    Taught in notebooks/03_recursion.ipynb.
    """
    d = _normal(lhs) - _normal(rhs)
    d = sp.expand(d)
    if d != 0:
        d = _merge_sums(d)
    if d != 0 and sp.count_ops(d) < 300:
        try:
            d = sp.simplify(d)
        except StopIteration:  # SymPy's sum_simplify fails on a squared Sum (sum_a * sum_b - sum_a**2)
            pass
    ok = d == 0
    # the difference goes out as LaTeX between $...$: the names of IndexedBases are TeX, so str(d) is not text
    msg = "proved for every width: the difference is zero" if ok else f"not equal: the difference is ${_tex(d)}$"
    return IndexProof(ok, msg, lhs, rhs, name)


def _merge_sums(d):
    """Combine terms c * Sum(f, lim) with equal limits into one Sum and expand its summand.

    Only when c is free of the summed indices: a_i * Sum(b_i, i) is not Sum(a_i b_i, i)."""
    groups, rest = {}, []
    for t in sp.Add.make_args(d):
        coeff, sums = [], []
        for f in sp.Mul.make_args(t):
            (sums if isinstance(f, sp.Sum) else coeff).append(f)
        if len(sums) == 1 and not sp.Mul(*coeff).has(*sums[0].variables):
            s = sums[0]
            groups.setdefault(s.limits, []).append(sp.Mul(*coeff) * s.function)
        else:
            rest.append(t)
    out = sp.Add(*rest)
    for lim, parts in groups.items():
        f = sp.expand(sp.Add(*parts))
        if f != 0:
            out += sp.Sum(f, *lim)
    return out
