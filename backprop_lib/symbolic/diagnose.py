"""What a failed check says: the typical slip that explains the candidate, found by re-deriving it from the truth.

Each hypothesis is a mutation of the truth, the expression a typical wrong derivation gives: σ where σ′
belongs, σ′ missing, σ′ at another layer (σ′(z^{l+1}) for σ′(z^l)), a lost bias, a transposed weight factor
inside a product (W^{l+1} for (W^{l+1})^T, only visible on square layers), alone or with a constant factor
(a lost 1/2 or 1/m, a sign flip). A hypothesis is named only when the candidate equals the mutated truth at a
random point. A zero candidate is called zero (never "factor 0"), a sign flip is called a sign flip (never
"factor 1"), and m is the batch size. Used by check() (notebooks 02-07).
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from .evaluate import Inexact, equal, matches, ratio, rational_from_mod, values
from .network import sigma, sigma_prime

__all__ = ["diagnose", "diagnose_shape", "factor_words", "shape_words", "NO_SLIP", "AMBIGUOUS_M2"]

AMBIGUOUS_M2 = "twice the truth with m = 2 samples"
NO_SLIP = (
    "no single typical slip explains it (tried: a constant factor or sign, a transpose, σ or σ′ at one "
    "layer, σ′ at another layer, a lost bias)"
)


class _Rewriter:
    """Rewrite an expression node by node with `rule(node)` (None keeps it), memoized over shared nodes.

    With outer=True the arguments of σ, σ′ and the cost are left alone: only the factors of the products
    that the chain rule wrote change (a transposed W^{l+1} factor, not the W^{l+1} inside z^{l+1}).
    """

    def __init__(self, rule, outer=False):
        self.rule, self.outer, self.memo = rule, outer, {}

    def __call__(self, e):
        r = self.memo.get(e)
        if r is None:
            r = self.rule(e)
            if r is None:
                if e.is_Atom or (self.outer and isinstance(e, sp.Function)):
                    r = e
                else:
                    args = [self(a) for a in e.args]
                    r = e if all(x is y for x, y in zip(args, e.args)) else e.func(*args)
            self.memo[e] = r
        return r

    def matrix(self, M):
        return M.applyfunc(self)


def _m(net):
    return 1 if net is None else getattr(net, "m", 1)


def factor_words(r, net, exact=True):
    """The name of a constant factor r = candidate / truth, or None when it is not a simple number."""
    if exact:
        r = rational_from_mod(r)
        if r is None:
            return None
    else:
        # a float ratio names a factor only if a fraction with a small denominator is the ratio itself (to
        # rounding), not merely the nearest one: 1.0001 is no factor, and 0.889... no 889/1000
        value = float(r)
        r = Fraction(value).limit_denominator(1000)
        if abs(float(r) - value) > 2.0**-30 * max(1.0, abs(value)):  # about 1e-9, a power of 2 to be exact
            return None
    if r in (0, 1) or abs(r.numerator) > 1000 or r.denominator > 1000:
        return None  # 0 is a zero candidate, 1 no factor at all: neither is a "factor"
    sign = ""
    if r < 0:
        r, sign = -r, "the sign flipped"
        if r == 1:
            return "the truth with the sign flipped (candidate = −truth)"
    m = _m(net)
    quadratic = net is not None and net.cost == "quadratic"
    names = {Fraction(1, 2): "half the truth: an extra factor 1/2"}
    names[Fraction(2)] = (
        "twice the truth: the 1/2 of the quadratic cost was dropped (or the 2 of the square not cancelled)"
        if quadratic
        else "twice the truth: an extra factor 2"
    )
    if m > 1:
        names[Fraction(1, m)] = f"1/m = 1/{m} of the truth: an extra 1/m (m = {m} samples)"
        lost_m = f"m = {m} times the truth: the 1/m of the averaged cost is missing"
        if m == 2:
            other = "the 1/2 of the quadratic cost" if quadratic else "an extra factor 2"
            lost_m = (
                f"{AMBIGUOUS_M2}: the 1/m of the averaged cost is missing, or {other} "
                "(a check with m ≠ 2 tells them apart)"
            )
        names[Fraction(m)] = lost_m
        if quadratic:
            names.setdefault(Fraction(2 * m), f"2m = {2 * m} times the truth: both the 1/2 and the 1/m are missing")
    words = names.get(r, f"off by the constant factor {r} (candidate = {r} × truth)")
    return f"{words}, and {sign}" if sign else words


def _layers_with_width(net, w):
    ls = [f"n_{l}" for l, s in enumerate(net.sizes) if s == w]
    return "=".join(ls) if ls else f"no layer has width {w}"


def shape_words(net, shape):
    """(4, 3) = (n_2, n_1): a shape with the layer widths it can stand for."""
    r, c = shape
    if net is None:
        return str(shape)
    cols = _layers_with_width(net, c)
    if _m(net) > 1 and c == _m(net):
        cols = f"m (= {c} samples)" + ("" if not cols.startswith("n_") else f" or {cols}")
    return f"{shape} = ({_layers_with_width(net, r)}, {cols})"


def _z_positions(net):
    """Every z^l entry expression -> (l, row, column)."""
    out = {}
    for l in range(1, net.L + 1):
        Z = net.z[l]
        for i in range(Z.shape[0]):
            for s in range(Z.shape[1]):
                out[Z[i, s]] = (l, i, s)
    return out


def _contents(M):
    """The Symbols and the function classes in M, by one walk over its shared subexpressions (not its tree)."""
    seen, syms, funcs = set(), set(), set()
    stack = list(M)
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        if e.is_Symbol:
            syms.add(e)
        elif not e.is_Atom:
            if isinstance(e, sp.Function):
                funcs.add(e.func)
            stack.extend(e.args)
    return syms, funcs


def _mutations(truth, net):
    """(description, mutated truth) for every typical slip that applies to this truth and network."""
    out = []
    syms, funcs = _contents(truth)
    has_sp, has_s = sigma_prime in funcs, sigma in funcs
    zpos = _z_positions(net) if net is not None else {}
    layers = sorted({p[0] for p in zpos.values()})

    def at(k):
        return lambda t: zpos.get(t, (None,))[0] == k if k is not None else True

    def func_rule(old, new):
        return lambda sel: lambda e: new(e.args[0]) if isinstance(e, old) and sel(e.args[0]) else None

    if has_sp:
        for k in layers + [None]:
            where = f"at layer {k} (σ(z^{k}) for σ′(z^{k}))" if k is not None else "everywhere"
            out.append((f"σ where σ′ belongs {where}", _Rewriter(func_rule(sigma_prime, sigma)(at(k)))))
            where = f"at layer {k} (the factor σ′(z^{k}) is missing)" if k is not None else "everywhere"
            out.append((f"misses σ′ {where}", _Rewriter(func_rule(sigma_prime, lambda t: sp.S.One)(at(k)))))
        for k in layers:
            for k2 in (k + 1, k - 1):
                if k2 in layers and net.sizes[k2] == net.sizes[k]:
                    Z2 = net.z[k2]

                    def other(e, k=k, Z2=Z2):
                        if isinstance(e, sigma_prime) and zpos.get(e.args[0], (None,))[0] == k:
                            _, i, s = zpos[e.args[0]]
                            return sigma_prime(Z2[i, s])
                        return None

                    out.append((f"σ′ at the wrong layer: σ′(z^{k2}) where σ′(z^{k}) belongs", _Rewriter(other)))
    if has_s:
        for k in layers:
            out.append(
                (
                    f"σ′ where σ belongs at layer {k} (σ′(z^{k}) for a^{k} = σ(z^{k}))",
                    _Rewriter(func_rule(sigma, sigma_prime)(at(k))),
                )
            )
    if net is not None:
        for k in range(1, net.L + 1):
            bs = set(net.b[k])
            if syms & bs:
                out.append(
                    (
                        f"misses the bias b^{k} (z^{k} written as W^{k} a^{k - 1} without + b^{k})",
                        _Rewriter(lambda e, bs=bs: sp.S.Zero if e in bs else None),
                    )
                )
        for k in range(1, net.L + 1):
            W = net.W[k]
            if W.shape[0] == W.shape[1] > 1 and syms & set(W):
                swap = {W[i, j]: W[j, i] for i in range(W.shape[0]) for j in range(W.shape[1])}
                out.append(
                    (
                        f"a transposed factor: W^{k} where (W^{k})^T belongs inside the product",
                        _Rewriter(lambda e, swap=swap: swap.get(e), outer=True),
                    )
                )
    return out


def _one_number(cand, truth, net, point):
    """For a 1x1 candidate against a vector truth: does it sum the whole layer (Σ_j), maybe without a bias?"""
    total = sp.Matrix([[sum(truth)]])
    if matches(cand, total, point):
        return "it sums the whole layer into one number (Σ_j over the neurons) where each neuron has its own entry"
    for desc, rw in _mutations(truth, net) if net is not None else []:
        if desc.startswith("misses the bias") and matches(cand, sp.Matrix([[sum(rw.matrix(truth))]]), point):
            return (
                f"it sums the whole layer into one number (Σ_j over the neurons) where each neuron has its own "
                f"entry, and {desc}"
            )
    return None


def diagnose_shape(cand, truth, net, point):
    """Findings for a candidate whose shape is not the truth's (first line first)."""
    diag = [
        f"shape mismatch: the candidate is {shape_words(net, cand.shape)} but the truth is "
        f"{shape_words(net, truth.shape)}"
    ]
    if cand.shape == truth.T.shape:
        if matches(cand, truth.T, point):
            return [
                "shape mismatch: the candidate is the truth transposed",
                *diag,
                "a transpose is missing or one too many",
            ]
        diag.append("its shape is the truth's transposed: a transpose is missing (and entries differ too)")
    elif cand.shape == (1, 1) and len(truth) > 1:
        words = _one_number(cand, truth, net, point)
        if words:
            return [f"shape mismatch: the candidate is one number: {words}", *diag]
        diag.append("the candidate is one number where the truth has one entry per neuron")
    elif net is not None:
        diag.append("a factor from the wrong layer gives the wrong width (e.g. a^l for a^(l-1), W^l for W^(l+1))")
    return diag


def diagnose(cand, truth, net, used, mismatches):
    """Findings for a failed check, the most specific first; `used` holds (point, cand values, truth values)."""
    pt, cv, tv = used[0]
    ex = pt.exact
    listed = ", ".join(str(m) for m in mismatches[:6]) + (" ..." if len(mismatches) > 6 else "")
    entries = f"{len(mismatches)} of {len(cv)} entries differ: {listed}"
    if all(c == 0 for _, cvals, _ in used for c in cvals):
        return ["the candidate is zero: every entry is 0 where the truth is not", entries]
    found = None
    r = ratio(cv, tv, ex)
    if r is not None and all(
        ratio(c2, t2, p2.exact) is not None and equal(ratio(c2, t2, p2.exact), r, ex)
        for p2, c2, t2 in used[1:]
        if p2.exact == ex
    ):
        found = factor_words(r, net, ex)
    if found is None and cand.shape[0] == cand.shape[1] > 1 and matches(cand, truth.T, pt):
        found = "the candidate is the truth transposed: a transpose is missing or one too many"
    if found is None:
        for desc, rw in _mutations(truth, net):
            try:
                mv = values(rw.matrix(truth), pt)
            except (ZeroDivisionError, Inexact):
                continue
            if all(equal(t, m, ex) for t, m in zip(tv, mv)):
                continue  # the slip does not change the truth here (a layer it does not hold): it explains nothing
            if all(equal(c, m, ex) for c, m in zip(cv, mv)):
                found = desc
                break
            q = ratio(cv, mv, ex)
            words = factor_words(q, net, ex) if q is not None else None
            if words:
                found = f"{desc}, and {words}"
                break
    return [found or NO_SLIP, entries]
