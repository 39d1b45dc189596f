"""The symbolic half of a proof: both sides as exact polynomials in their symbols and function applications.

After the random-point evaluation has found no difference, check() proves the equality: every application
σ(u), σ′(u), c(a, y), ∂c/∂a_i(a, y) ... is an atom (two applications are the same atom exactly when their
arguments are the same polynomial), every side becomes a polynomial in the network's symbols and these atoms
with rational coefficients, and the two polynomials must be identical. Equal polynomials in independent atoms
are equal for every activation and every cost, so this is a proof, not a test. It is sympy.expand's result,
computed on dicts and memoized over shared subexpressions (the truth of a deep network is a DAG).
Expressions that are not polynomials in atoms (a negative power of a sum, a float) raise NotPolynomial;
check() then falls back to SymPy.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

__all__ = ["NotPolynomial", "PolyForm"]


class NotPolynomial(Exception):
    """The expression has a part that is not a polynomial in symbols and function applications."""


def _add_into(acc, p, scale=1):
    for mono, c in p.items():
        v = acc.get(mono, 0) + c * scale
        if v:
            acc[mono] = v
        else:
            acc.pop(mono, None)


def _mul(p, q):
    out = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            if not m1:
                mono = m2
            elif not m2:
                mono = m1
            else:
                d = dict(m1)
                for k, e in m2:
                    d[k] = d.get(k, 0) + e
                mono = tuple(sorted(d.items()))
            v = out.get(mono, 0) + c1 * c2
            if v:
                out[mono] = v
            else:
                out.pop(mono, None)
    return out


def _key(p):
    """A hashable, canonical form of a polynomial (its items sorted)."""
    return tuple(sorted(p.items()))


class PolyForm:
    """poly(e): the expanded polynomial of a SymPy expression, as {monomial: coefficient}; atoms shared across calls.

    A monomial is a sorted tuple of (variable number, exponent); variables are Symbols and atoms, numbered in
    the order met. One PolyForm is used for both sides of a check, so equal atoms get equal numbers.
    """

    def __init__(self):
        self._var = {}  # Symbol or (func, canonical args) -> number
        self._memo = {}

    def _variable(self, key):
        n = self._var.get(key)
        if n is None:
            n = self._var[key] = len(self._var)
        return n

    def poly(self, e):
        r = self._memo.get(e)
        if r is not None:
            return r
        if e.is_Symbol:
            r = {((self._variable(e), 1),): 1}
        elif e.is_Integer:
            r = {(): int(e)} if e != 0 else {}
        elif e.is_Rational:
            r = {(): Fraction(int(e.p), int(e.q))}
        elif e.is_Add:
            r = {}
            for t in e.args:
                _add_into(r, self.poly(t))
        elif e.is_Mul:
            r = {(): 1}
            for f in e.args:
                r = _mul(r, self.poly(f))
                if not r:
                    break
        elif e.is_Pow and e.exp.is_Integer and e.exp >= 0:
            base, r = self.poly(e.base), {(): 1}
            for _ in range(int(e.exp)):
                r = _mul(r, base)
        elif isinstance(e, sp.KroneckerDelta) and all(a.is_Integer for a in e.args):
            r = {(): 1} if e.args[0] == e.args[1] else {}
        elif isinstance(e, sp.Function) and not isinstance(e, (sp.Derivative, sp.Subs)):
            key = (e.func, tuple(_key(self.poly(a)) for a in e.args))
            r = {((self._variable(key), 1),): 1}
        else:
            raise NotPolynomial(type(e).__name__)
        self._memo[e] = r
        return r

    def equal(self, u, v):
        """True when u and v are the same polynomial in symbols and atoms (raises NotPolynomial otherwise)."""
        d = dict(self.poly(sp.sympify(u)))
        _add_into(d, self.poly(sp.sympify(v)), -1)
        return not d
