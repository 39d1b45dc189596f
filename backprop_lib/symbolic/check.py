"""Entry-by-entry checking of a hand-derived expression against the truth, with a diagnosis a student can act on.

check(candidate, truth) first evaluates both exactly (integers modulo a 61-bit prime) at random points, with sigma,
sigma' and the generic cost's derivatives replaced by unrelated random polynomials, so a wrong formula is
caught at once; then it proves the equality symbolically by treating every sigma(...), sigma'(...) and
cost-derivative application as an atom and expanding (no `simplify` on large expressions).
When the candidate fails, hypotheses are tested against it (transposed, sigma where sigma' belongs, sigma'
missing, bias missing, a constant factor such as the 1/2 or the 1/n, a shape that belongs to other layers).
Taught in notebooks/02_error_signal.ipynb onwards; notebook 07 uses it to proofread the sources.
"""
from __future__ import annotations

import functools
import random
import time
import warnings
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.exceptions import ShapeError

from ..verdict import Requirable
from .network import cost_fn, cost_grad, sigma, sigma_prime, sigma_second, sigmoid
from .ops import ShapeMismatch, as_matrix
from .text import plain

__all__ = ["check", "CheckResult", "evaluate", "Point", "prove_equal"]

_ATOM_FUNCS = (sigma, sigma_prime, sigma_second, sigmoid, sp.tanh, cost_fn, cost_grad)


class _Inexact(Exception):
    """Raised when an expression cannot be evaluated exactly in rationals (exp, log, ...)."""


PRIME = 2 ** 61 - 1   # exact arithmetic modulo a large prime: fixed-size numbers however deep the network


def _mod_rational(num, den):
    return num % PRIME * pow(den % PRIME, -1, PRIME) % PRIME


def rational_from_mod(r, bound=10 ** 6):
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
                raise _Inexact(str(e))
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
            raise _Inexact(str(e.func))
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


def _div(a, b, exact):
    return a * pow(b, -1, PRIME) % PRIME if exact else a / b


def _equal(u, v, exact):
    if exact:
        return u == v
    with mpmath.workdps(60):
        return abs(u - v) <= mpmath.mpf("1e-30") * (1 + abs(u) + abs(v))


# ----------------------------------------------------------------------------------------------------------------
# symbolic proof: atoms, then expand
# ----------------------------------------------------------------------------------------------------------------
class _Atomizer:
    """Replace each sigma(...), sigma'(...), cost(...) application by one Dummy, keyed by its expanded argument."""

    def __init__(self):
        self.table = {}
        self.memo = {}

    def __call__(self, e):
        r = self.memo.get(e)
        if r is not None:
            return r
        if e.is_Atom:
            r = e
        elif e.is_Add or e.is_Mul or e.is_Pow:
            r = e.func(*[self(t) for t in e.args])
        elif isinstance(e, sp.KroneckerDelta) and all(t.is_Integer for t in e.args):
            r = e
        else:
            args = tuple(sp.expand(self(t)) for t in e.args)
            key = (e.func, args)
            r = self.table.get(key)
            if r is None:
                r = sp.Dummy(f"atom{len(self.table)}")
                self.table[key] = r
        self.memo[e] = r
        return r


def prove_equal(u, v, atomizer=None):
    """True when u - v expands to zero with every function application treated as an atom (a proof for every sigma)."""
    at = atomizer or _Atomizer()
    d = at(sp.sympify(u)) - at(sp.sympify(v))
    d = sp.expand(d)
    if d == 0:
        return True
    if any(p.is_Pow and p.exp.is_negative for p in d.atoms(sp.Pow)):
        num = sp.numer(sp.together(d))
        return sp.expand(num) == 0
    return False


# ----------------------------------------------------------------------------------------------------------------
# result object
# ----------------------------------------------------------------------------------------------------------------
class CheckResult(Requirable):
    """The verdict of one check: .ok, .message (one line), .diagnosis (list of findings), .require().

    Renders in Jupyter as the equation in LaTeX with its verdict and, when it fails, the diagnosis.
    """

    def __init__(self, ok, message, name="", statement=None, diagnosis=(), mismatches=(), seconds=0.0,
                 method="", shape=None):
        self.ok = bool(ok)
        self.message = message
        self.name = name
        self.statement = statement
        self.diagnosis = list(diagnosis)
        self.mismatches = list(mismatches)
        self.seconds = seconds
        self.method = method
        self.shape = shape

    def __repr__(self):
        return ("✔ " if self.ok else "✘ ") + plain(self.message)

    def _equation_latex(self):
        lhs = self.name or r"\text{candidate}"
        rhs = self.statement if self.statement is not None else r"\text{(candidate)}"
        return f"{lhs} = {rhs}"

    def _repr_markdown_(self):
        """One line, ✔/✘ with the message and the equation; a failure adds its other findings once, below."""
        head = f"**{'✔' if self.ok else '✘'}** {self.message}"
        if self.statement is not None or self.name:
            head += f" — ${self._equation_latex()}$"
        if self.ok:
            return head
        rest = [d for d in self.diagnosis if d != self.message]
        return "\n".join([head, ""] + [f"- {d}" for d in dict.fromkeys(rest)]) if rest else head


# ----------------------------------------------------------------------------------------------------------------
# the check
# ----------------------------------------------------------------------------------------------------------------
def _to_matrix(x, net, what):
    if callable(x) and not isinstance(x, sp.Basic):
        if net is None:
            raise ValueError(f"{what} is a callable of the network, so check(..., net=...) needs the network")
        x = x(net)
    return as_matrix(x)


def _small(M, limit=300):
    """True when the matrix has at most `limit` expression nodes (counted lazily, stopping early)."""
    count = 0
    for e in M:
        for _ in sp.preorder_traversal(e):
            count += 1
            if count > limit:
                return False
    return True


def _latex_short(M):
    """LaTeX of a small candidate, or None for a large one (printing big expressions is slow and unreadable)."""
    if not _small(M):
        return None
    return sp.latex(M[0, 0] if M.shape == (1, 1) else M)


def _layers_with_width(net, w):
    if net is None:
        return ""
    ls = [f"n_{l}" for l, s in enumerate(net.sizes) if s == w]
    return "=".join(ls) if ls else f"no layer has width {w}"


def _shape_words(net, shape):
    r, c = shape
    if net is None:
        return str(shape)
    cols = _layers_with_width(net, c)
    if net.samples > 1 and c == net.samples:
        cols = f"n (= {c} samples)" + ("" if not cols.startswith("n_") else f" or {cols}")
    return f"{shape} = ({_layers_with_width(net, r)}, {cols})"


def _values(M, point):
    return [evaluate(e, point) for e in M]


def _constant_ratio(cand_vals, truth_vals, exact=True):
    """The constant r with cand = r * truth entry by entry, or None."""
    r = None
    for c, t in zip(cand_vals, truth_vals):
        if t == 0:
            if c != 0:
                return None
            continue
        q = _div(c, t, exact)
        if r is None:
            r = q
        elif not _equal(q, r, exact):
            return None
    return r


def _factor_words(r, net, exact=True):
    n = net.samples if net is not None else None
    if exact:
        r = rational_from_mod(r)
        if r is None:
            return None
    else:
        r = Fraction(float(r)).limit_denominator(1000)
    if abs(r.numerator) > 1000 or r.denominator > 1000:
        return None  # a single entry always has "a" ratio: only a simple factor is a diagnosis
    names = {Fraction(2): "twice the truth: the 1/2 of the cost was dropped (or the 2 of the square was not cancelled)",
             Fraction(1, 2): "half the truth: an extra factor 1/2",
             Fraction(-1): "the truth with the sign flipped"}
    if n and n > 1:
        names[Fraction(n)] = f"n = {n} times the truth: the 1/n of the averaged cost is missing"
        names[Fraction(1, n)] = f"1/n = 1/{n} of the truth: an extra 1/n"
        names.setdefault(Fraction(2 * n), f"2n = {2 * n} times the truth: both the 1/2 and the 1/n are missing")
    return names.get(r, f"off by the constant factor {r} (candidate = {r} × truth)")


def _truth_mutations(truth, net):
    """(description, mutated truth) pairs: each is what a typical wrong derivation would give."""
    muts = []
    zl = net.layer_of_z() if net is not None else {}
    has_sp = truth.has(sigma_prime)
    has_s = truth.has(sigma)
    layers = sorted(set(zl.values())) if zl else []

    def at_layer(k):
        return lambda arg: (zl.get(arg) == k) if k is not None else True

    if has_sp:
        for k in layers + [None]:
            sel = at_layer(k)
            where = f"at layer {k} (σ(z^{k}) for σ′(z^{k}))" if k is not None else "everywhere"
            muts.append((f"σ where σ′ belongs {where}",
                         truth.applyfunc(lambda e: e.replace(sigma_prime, lambda t: sigma(t) if sel(t) else sigma_prime(t)))))
            where = f"at layer {k} (the factor σ′(z^{k}) is missing)" if k is not None else "everywhere"
            muts.append((f"misses σ′ {where}",
                         truth.applyfunc(lambda e: e.replace(sigma_prime, lambda t: sp.Integer(1) if sel(t) else sigma_prime(t)))))
    if has_s:
        for k in layers:
            sel = at_layer(k)
            muts.append((f"σ′ where σ belongs at layer {k} (σ′(z^{k}) for a^{k} = σ(z^{k}))",
                         truth.applyfunc(lambda e: e.replace(sigma, lambda t: sigma_prime(t) if sel(t) else sigma(t)))))
    if net is not None:
        for k in range(1, net.L + 1):
            bs = set(net.b[k])
            if truth.free_symbols & bs:
                muts.append((f"misses the bias b^{k} (z^{k} written as W^{k} a^{k-1} without + b^{k})",
                             truth.xreplace({s: sp.Integer(0) for s in bs})))
    return muts


def quiet(fn):
    """Run fn with every warning of a dependency (SymPy deprecations, mpmath) kept from the student."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    return run


@quiet
def check(candidate, truth, name=None, net=None, statement=None, points=2, seed=0, prove=True):
    """Compare a hand-derived expression with the truth entry by entry and prove it; returns a CheckResult.

    candidate, truth: SymPy Matrix or scalar, or a callable of `net` returning one. name: LaTeX of the left-hand
    side (e.g. r"\\frac{\\partial C}{\\partial W^{2}}"); statement: LaTeX of the right-hand side as written
    (defaults to the candidate's own LaTeX when short). Used throughout notebooks 02-07.
    """
    t0 = time.perf_counter()
    name = name or r"\text{truth}"

    def done(ok, message, **kw):
        return CheckResult(ok, message, name=name, statement=statement, seconds=time.perf_counter() - t0, **kw)

    try:
        cand = _to_matrix(candidate, net, "candidate")
    except (ShapeError, ShapeMismatch) as exc:
        return done(False, f"shape mismatch while building the candidate: {exc}",
                    diagnosis=[f"shape mismatch: {exc}. The operands do not fit: check which layer each factor "
                               "belongs to (W^l for W^(l+1)? a^l for a^(l-1)?) and whether a transpose is missing."])
    truth = _to_matrix(truth, net, "truth")
    if statement is None:
        statement = _latex_short(cand)

    if cand.shape != truth.shape:
        diag = [f"shape mismatch: the candidate is {_shape_words(net, cand.shape)} but "
                f"the truth is {_shape_words(net, truth.shape)}"]
        if cand.shape == truth.T.shape:
            pt = Point(seed)
            if _match(cand, truth.T, pt):
                diag.append("the candidate is the truth transposed: a transpose is missing or one too many")
                return done(False, "shape mismatch: the candidate is the truth transposed", diagnosis=diag,
                            shape=cand.shape)
            diag.append("its shape is the truth's transposed: a transpose is missing (and entries differ too)")
        elif net is not None:
            diag.append("a factor from the wrong layer gives the wrong width (e.g. a^l for a^(l-1), W^l for W^(l+1))")
        return done(False, diag[0], diagnosis=diag, shape=cand.shape)

    # 1. exact evaluation at random rational points
    exact = True
    mism = set()
    used = []
    for p in range(points):
        pt = Point(seed + 1000 * p, exact=True)
        try:
            cv, tv = _values(cand, pt), _values(truth, pt)
        except _Inexact:
            exact = False
            pt = Point(seed + 1000 * p, exact=False)
            cv, tv = _values(cand, pt), _values(truth, pt)
        except ZeroDivisionError:
            continue
        used.append((pt, cv, tv))
        for idx, (c, t) in enumerate(zip(cv, tv)):
            if not _equal(c, t, pt.exact):
                mism.add(idx)
    cols = cand.shape[1]
    mismatches = sorted((i // cols, i % cols) for i in mism)
    if mism:
        diag = _diagnose(cand, truth, net, used, mismatches, seed)
        return done(False, diag[0], diagnosis=diag, mismatches=mismatches, shape=cand.shape,
                    method="counterexample at a random rational point")
    if not used:
        return done(False, "could not evaluate at any random point (division by zero)")

    # 2. symbolic proof with function applications as atoms
    if not prove:
        return done(True, f"equal at {len(used)} random points (no symbolic proof requested)", shape=cand.shape,
                    method="random points")
    at = _Atomizer()
    for i, (c, t) in enumerate(zip(cand, truth)):
        if not prove_equal(c, t, at):
            d = sp.sympify(c - t)
            if sp.count_ops(d) < 400 and sp.simplify(d.rewrite(sp.exp)) == 0:
                continue
            return done(False, f"equal at {len(used)} random points, but entry {divmod(i, cols)} could not be "
                               "proved symbolically", shape=cand.shape, method="random points only")
    how = "exact evaluation at random points, then a symbolic proof"
    if not exact:
        how = "high-precision evaluation at random points, then a symbolic proof"
    n = len(cand)
    return done(True, f"proved: all {n} entr{'y' if n == 1 else 'ies'} equal the truth ({how})", shape=cand.shape,
                method=how)


def _match(cand, target, pt):
    try:
        return all(_equal(c, t, pt.exact) for c, t in zip(_values(cand, pt), _values(target, pt)))
    except (ZeroDivisionError, _Inexact):
        return False


def _diagnose(cand, truth, net, used, mismatches, seed):
    """Findings for a failed check, most specific first."""
    pt, cv, tv = used[0]
    total = len(cv)
    listed = ", ".join(str(m) for m in mismatches[:6]) + (" ..." if len(mismatches) > 6 else "")
    entries = f"{len(mismatches)} of {total} entries differ: {listed}"
    found = []
    ex = pt.exact
    r = _constant_ratio(cv, tv, ex)
    if r is not None and r != 0:
        ok_all = all(_constant_ratio(c2, t2, p2.exact) is not None and
                     _equal(_constant_ratio(c2, t2, p2.exact), r, ex) for p2, c2, t2 in used[1:] if p2.exact == ex)
        words = _factor_words(r, net, ex) if ok_all else None
        if words:
            found.append(words)
    if not found and cand.shape[0] == cand.shape[1] and cand.shape[0] > 1 and _match(cand, truth.T, pt):
        found.append("the candidate is the truth transposed: a transpose is missing or one too many")
    if not found:
        for desc, mt in _truth_mutations(truth, net):
            try:
                mv = _values(mt, pt)
            except (ZeroDivisionError, _Inexact):
                continue
            if all(_equal(c, m, pt.exact) for c, m in zip(cv, mv)):
                found.append(desc)
                break
            q = _constant_ratio(cv, mv, ex)
            words = _factor_words(q, net, ex) if q is not None and q != 0 and not _equal(q, 1, ex) else None
            if words:
                found.append(f"{desc}, and {words}")
                break
    if all(c == 0 for c in cv) and not found:
        found.append("the candidate is zero where the truth is not")
    if not found:
        found.append("no single typical slip explains it (not transposed, σ/σ′ at one layer, bias, or a constant factor)")
    return [found[0], entries] + found[1:]
