"""Exact evaluation at random points: the first, fast half of every check (a wrong formula fails here at once).

A Point gives every symbol a random value and every function (σ, σ′, the cost c and its derivatives, sigmoid,
tanh, any undefined function) an unrelated random cubic, so an equation that holds at a point for these
unrelated functions holds there by its algebra, not by a property of a particular σ. Exact mode computes in the
integers modulo a 61-bit prime: numbers never grow, and a wrong formula survives a random point with
probability about degree/2^61. Expressions with exp or log fall back to 60-digit floats.
"""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from .network import cost_fn, cost_grad, sigma, sigma_prime, sigma_second, sigmoid

__all__ = ["PRIME", "Inexact", "Point", "evaluate", "values", "matches", "ratio", "equal", "rational_from_mod"]


class Inexact(Exception):
    """Raised when an expression cannot be evaluated exactly in rationals (exp, log, ...)."""


PRIME = 2**61 - 1  # exact arithmetic modulo a large prime: fixed-size numbers however deep the network


def _mod_rational(num, den):
    return num % PRIME * pow(den % PRIME, -1, PRIME) % PRIME


def rational_from_mod(r, bound=10**6):
    """The fraction num/den (|num|, den <= bound) whose image modulo PRIME is r, or None (rational reconstruction)."""
    r0, r1, s0, s1 = PRIME, r % PRIME, 0, 1
    while r1 > bound:
        q = r0 // r1
        r0, r1, s0, s1 = r1, r0 - q * r1, s1, s0 - q * s1
    if s1 == 0 or abs(s1) > bound:
        return None
    return Fraction(r1, s1) if s1 > 0 else Fraction(-r1, -s1)


class Point:
    """A random point: a value for every symbol and an unrelated random cubic for every function.

    Exact mode works in the integers modulo a 61-bit prime (a random point of that field exposes a wrong
    formula with probability about 1 - degree/2^61, and the numbers never grow); the fallback mode, for
    expressions with exp or log, uses 60-digit floats.
    """

    def __init__(self, seed=0, exact=True):
        self.seed = seed
        self.exact = exact
        self._values = {}
        self._polys = {}
        self.memo = {}

    def value(self, sym):
        v = self._values.get(sym)
        if v is None:
            rng = random.Random(f"{self.seed}:sym:{sym.name}")
            if self.exact:
                v = rng.randrange(1, PRIME)
            else:
                v = mpmath.mpf(rng.choice([-1, 1]) * rng.randint(1, 13)) / rng.randint(2, 9)
            self._values[sym] = v
        return v

    def poly(self, key, nargs):
        p = self._polys.get((key, nargs))
        if p is None:
            rng = random.Random(f"{self.seed}:fn:{key}:{nargs}")
            if self.exact:
                p = [rng.randrange(1, PRIME) for _ in range(1 + 3 * nargs)]
            else:
                p = [mpmath.mpf(rng.randint(-9, 9)) / rng.randint(1, 7) for _ in range(1 + 3 * nargs)]
            self._polys[(key, nargs)] = p
        return p

    def apply(self, key, args):
        p = self.poly(key, len(args))
        out = p[0]
        for r, t in enumerate(args):
            out += ((p[3 + 3 * r] * t + p[2 + 3 * r]) * t + p[1 + 3 * r]) * t
        return out % PRIME if self.exact else out


def _num(x, exact):
    """A Fraction as a field element (exact mode) or an mpf."""
    if exact:
        return _mod_rational(x.numerator, x.denominator)
    return mpmath.mpf(x.numerator) / x.denominator


def evaluate(expr, point):
    """The value of a SymPy expression at `point` (an integer modulo PRIME in exact mode, an mpmath mpf otherwise)."""
    memo = point.memo
    exact = point.exact

    def ev(e):
        r = memo.get(e)
        if r is not None:
            return r
        if e.is_Symbol:
            r = point.value(e)
        elif e.is_Rational:
            r = _num(Fraction(int(e.p), int(e.q)), exact)
        elif e.is_Add:
            r = 0
            for t in e.args:
                r += ev(t)
            if exact:
                r %= PRIME
        elif e.is_Mul:
            r = 1
            for t in e.args:
                r *= ev(t)
                if exact:
                    r %= PRIME
        elif e.is_Pow:
            base, ex = e.args
            if ex.is_Integer:
                bv = ev(base)
                if bv == 0 and ex < 0:
                    raise ZeroDivisionError("division by zero at this point")
                r = pow(bv, int(ex), PRIME) if exact else bv ** int(ex)
            elif exact:
                raise Inexact(str(e))
            else:
                r = ev(base) ** ev(ex)
        elif isinstance(e, sp.KroneckerDelta):
            i, j = (ev(t) for t in e.args)
            r = _num(Fraction(1 if i == j else 0), exact)
        elif isinstance(e, cost_grad):
            r = point.apply(f"cost_grad{int(e.args[0])}", [ev(t) for t in e.args[1:]])
        elif isinstance(e, cost_fn):
            r = point.apply("cost", [ev(t) for t in e.args])
        elif isinstance(e, (sigma, sigma_prime, sigma_second)) or isinstance(e, AppliedUndef):
            r = point.apply(type(e).__name__, [ev(t) for t in e.args])
        elif isinstance(e, (sigmoid, sp.tanh)) and exact:
            r = point.apply(type(e).__name__, [ev(t) for t in e.args])
        elif exact:
            raise Inexact(str(e.func))
        elif e.is_Number:
            r = mpmath.mpf(str(sp.Float(e, 60)))
        else:
            args = [sp.Float(str(ev(t)), 60) for t in e.args]
            r = mpmath.mpf(str(sp.Float(e.func(*args).evalf(60), 60)))
        memo[e] = r
        return r

    if exact:
        return ev(sp.sympify(expr))
    with mpmath.workdps(60):
        return ev(sp.sympify(expr))


def div(a, b, exact):
    """a / b in the field (exact) or in floats."""
    return a * pow(b, -1, PRIME) % PRIME if exact else a / b


def equal(u, v, exact):
    """u == v in the field, or to 30 digits in floats."""
    if exact:
        return u == v
    with mpmath.workdps(60):
        return abs(u - v) <= mpmath.mpf("1e-30") * (1 + abs(u) + abs(v))


def values(M, point):
    """The values of every entry of M at `point`, row by row."""
    return [evaluate(e, point) for e in M]


def matches(candidate, target, point):
    """True when every entry of candidate equals target's at `point` (False when either cannot be evaluated)."""
    try:
        return all(equal(c, t, point.exact) for c, t in zip(values(candidate, point), values(target, point)))
    except (ZeroDivisionError, Inexact):
        return False


def ratio(cand_vals, truth_vals, exact=True):
    """The constant r with cand = r * truth entry by entry (0 included), or None when there is none."""
    r = None
    for c, t in zip(cand_vals, truth_vals):
        if t == 0:
            if c != 0:
                return None
            continue
        q = div(c, t, exact)
        if r is None:
            r = q
        elif not equal(q, r, exact):
            return None
    return r
