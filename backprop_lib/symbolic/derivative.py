"""The truth's differentiation: SymPy's own derivative rules applied once per shared subexpression.

The composed network C(W, b, x, y) is a DAG: z^1 appears inside every a^2, which appears inside every z^3, and so
on. `sympy.diff` walks it as a tree, so the same inner derivative is rebuilt for every path through it (9.8 s
for one gradient of 5-8-8-4). `Differentiator` applies the same rules, each function's own `fdiff` (σ → σ′,
c → ∂c/∂a_i, sigmoid → s(1 - s), log → 1/x) with the chain, product and power rules, but remembers the
derivative of every node, so each shared subexpression is differentiated once per variable.

It is a generic differentiation of the composed expression: it knows nothing of layers, δ or the backward
recursion that the series proves, and its results are checked against `sympy.diff` in tests/test_symbolic_check.py.
Substitution back (`Substituter`) is memoized the same way.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["Differentiator", "Substituter"]


class Differentiator:
    """d(expr, var): the derivative of expr with respect to the Symbol var, by SymPy's rules, memoized per node."""

    def __init__(self):
        self._deps = {}  # node -> frozenset of the Symbols it contains
        self._memo = {}  # var -> {node: derivative}

    def deps(self, e):
        """The Symbols of e (memoized over the DAG; SymPy's free_symbols walks the tree every time)."""
        r = self._deps.get(e)
        if r is None:
            if e.is_Symbol:
                r = frozenset((e,))
            elif e.is_Atom:
                r = frozenset()
            else:
                r = frozenset().union(*(self.deps(a) for a in e.args))
            self._deps[e] = r
        return r

    def d(self, e, var):
        """∂e/∂var."""
        e = sp.sympify(e)
        return self._d(e, var, self._memo.setdefault(var, {}))

    def _d(self, e, var, memo):
        if var not in self.deps(e):
            return sp.S.Zero
        r = memo.get(e)
        if r is not None:
            return r
        if e.is_Symbol:
            r = sp.S.One
        elif e.is_Add:
            r = sp.Add(*[self._d(t, var, memo) for t in e.args])
        elif e.is_Mul:
            args = e.args
            terms = []
            for i, f in enumerate(args):
                df = self._d(f, var, memo)
                if df != 0:
                    terms.append(sp.Mul(*args[:i], df, *args[i + 1 :]))
            r = sp.Add(*terms)
        elif e.is_Pow and var not in self.deps(e.exp):
            base, ex = e.args
            r = ex * base ** (ex - 1) * self._d(base, var, memo)
        elif isinstance(e, sp.Function) and not isinstance(e, sp.Derivative):
            terms = []
            for i, arg in enumerate(e.args):
                if var in self.deps(arg):
                    terms.append(e.fdiff(i + 1) * self._d(arg, var, memo))
            r = sp.Add(*terms)
        else:
            r = sp.diff(e, var)  # any other node (a symbolic exponent ...): SymPy itself
        memo[e] = r
        return r


class Substituter:
    """xreplace with a memo over shared subexpressions (SymPy's xreplace revisits a shared node on every path)."""

    def __init__(self, rule):
        self.rule = dict(rule)
        self._memo = {}

    def __call__(self, e):
        r = self._memo.get(e)
        if r is not None:
            return r
        r = self.rule.get(e)
        if r is None:
            if e.is_Atom:
                r = e
            else:
                args = [self(a) for a in e.args]
                r = e if all(a is b for a, b in zip(args, e.args)) else e.func(*args)
        self._memo[e] = r
        return r
