"""The index (Einstein) notation of the series: equations as strings, parsed and bound to a concrete network.

An equation such as "delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_k)" has free indices on the left;
an index repeated on the right in two factors and absent from the left is summed (Einstein convention), and
Sum(expr, m) sums explicitly. `parse_index` reads it into an IndexEquation; `candidate_matrix` expands its right
side on a SymbolicNetwork with layer l bound, `truth_matrix` gives the left side's truth there. Index ranges come
from the quantities; an index that runs over two lengths, or a layer that does not exist, raises IndexRangeError.
Taught in notebooks/03_recursion.ipynb.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections import Counter

import sympy as sp

from .network import sigma, sigma_prime

__all__ = ["IndexEquation", "IndexRangeError", "parse_index", "candidate_matrix", "truth_matrix"]

_L = sp.Symbol("l", integer=True)
_BIG_L = sp.Symbol("L", integer=True)

# index-language name -> (LaTeX, lowest layer it exists at)
_VECTORS = {
    "b": ("b", 1),
    "z": ("z", 1),
    "a": ("a", 0),
    "delta": (r"\delta", 1),
    "Delta": (r"\Delta", 1),
    "omega": (r"\omega", 0),
    "lam": (r"\lambda", 1),
    "dC_db": (r"\frac{\partial C}{\partial b}", 1),
    "dC_dz": (r"\frac{\partial C}{\partial z}", 1),
    "dC_da": (r"\frac{\partial C}{\partial a}", 0),
}
_MATRICES = {"W": ("W", 1), "dC_dW": (r"\frac{\partial C}{\partial W}", 1)}
# Jacobians: name -> (numerator, its layer offset, denominator, its layer offset), at the layer written
_JACOBIAN_PARTS = {
    "dadz": ("a", "", "z", ""),
    "dzda": ("z", "", "a", "-1"),
    "dada": ("a", "", "a", "-1"),
    "daa": ("a", "", "a", ""),
    "dadb": ("a", "", "b", ""),
    "dzdW": ("z", "", "W", ""),
    "dadW": ("a", "", "W", ""),
    "dzdb": ("z", "", "b", ""),
}
_JACOBIANS = {k: r"\frac{\partial %s}{\partial %s}" % (p[0], p[2]) for k, p in _JACOBIAN_PARTS.items()}
_TEMPLATES = {k: r"\frac{{\partial %s^{{{lay}%s}}}}{{\partial %s^{{{lay}%s}}}}" % p for k, p in _JACOBIAN_PARTS.items()}
_TEMPLATES.update({f"dC_d{q}": r"\frac{{\partial C}}{{\partial %s^{{{lay}}}}}" % q for q in "Wbza"})
_TEMPLATES.update({k: "%s^{{{lay}}}" % v[0] for k, v in {**_VECTORS, **_MATRICES}.items() if k not in _TEMPLATES})
_LAYERLESS = {"x": "x", "y": "y", "gradC": r"\nabla_{a} C"}
_NAMES = list(_VECTORS) + list(_MATRICES) + list(_JACOBIANS)
_LOWEST = {**{k: v[1] for k, v in {**_VECTORS, **_MATRICES}.items()}, **dict.fromkeys(_JACOBIANS, 1)}

_TOKEN = re.compile(
    r"\b(" + "|".join(sorted(_NAMES, key=len, reverse=True)) + r")\[([^\]]+)\]_(\{[^}]*\}|[A-Za-z0-9]+)"
)
_TOKEN0 = re.compile(r"\b(x|y|gradC)_(\{[^}]*\}|[A-Za-z0-9]+)")


class IndexRangeError(ValueError):
    """An index that runs over different lengths in different factors, or a layer that does not exist."""


_BASES = {}


def _base(kind, layer):
    """The IndexedBase for quantity `kind` at layer expression `layer` (None for x, y, gradC)."""
    key = (kind, layer)
    if key not in _BASES:
        if layer is None:
            tex = _LAYERLESS[kind]
        else:
            tex = _TEMPLATES[kind].format(lay=sp.latex(layer))
        b = sp.IndexedBase(tex)
        _BASES[key] = b
        _BASE_INFO[b] = (kind, layer)
    return _BASES[key]


_BASE_INFO = {}


def _idx_list(s):
    s = s.strip()
    if s.startswith("{"):
        return [t.strip() for t in s[1:-1].split(",") if t.strip()]
    return list(s)


class _Names(dict):
    """Names in an index equation: l and L, index letters as symbols, and the notation's functions."""

    functions = {
        "_Q": None,
        "Sum": lambda e, *i: _sum(e, *i),
        "KroneckerDelta": sp.KroneckerDelta,
        "sigma": sigma,
        "sigma_prime": sigma_prime,
        "Rational": sp.Rational,
    }

    def __missing__(self, key):
        if key in ("l",):
            return _L
        if key == "L":
            return _BIG_L
        return sp.Symbol(key)


# upper limit of a sum typed in index notation: "every neuron of the layer"; it prints as \sum_{m=0}^{\text{last}}
_UNK = sp.Symbol(r"\text{last}")


def _sum(expr, *idx):
    for i in idx:
        expr = sp.Sum(expr, (i, 0, _UNK))
    return expr


def _q(kind, layer, idx):
    lay = None if layer is None else _build(_parse_expr(layer), _Names(), layers_only=True)
    return sp.Indexed(_base(kind, lay), *[sp.Symbol(i) for i in _idx_list(idx)])


def _parse_expr(code):
    try:
        return ast.parse(code.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"cannot read {code!r}: {exc.msg}") from None


def _is_quantity(texts):
    """Whether _Q's arguments name a quantity as the tokenizer writes them: _Q("W", "l+1", "jk"), or _Q("x", None,
    "k") for x, y and gradC. A student can type _Q(...) too, so anything else is refused here."""
    if len(texts) != 3 or not isinstance(texts[2], str) or not _idx_list(texts[2]):
        return False
    kind, layer = texts[0], texts[1]
    return (kind in _LAYERLESS and layer is None) or (kind in _NAMES and isinstance(layer, str))


_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


MAX_EXPONENT = 64


def _moderate_power(base, exponent):
    """True if base**exponent is cheap to build: a whole exponent |n| <= 64 and, for a number, |base| <= 2**64."""
    exponent = sp.sympify(exponent)
    if not (exponent.is_Integer and abs(exponent) <= MAX_EXPONENT):
        return False
    base = sp.sympify(base)
    return not base.is_Number or abs(base) <= 2**MAX_EXPONENT


def _build(node, names, layers_only=False):
    """The SymPy value of a parsed expression, built node by node; nothing is evaluated as Python.

    Only numbers, names (quantities, index letters, l and L), + - * / ** and calls of the notation's own
    functions may occur; anything else (attributes, subscripts, strings outside a quantity) is refused.
    """
    if isinstance(node, ast.Constant) and type(node.value) in (int, float) and not isinstance(node.value, bool):
        return sp.Integer(node.value) if isinstance(node.value, int) else sp.Float(node.value)
    if isinstance(node, ast.Name) and (not layers_only or node.id in ("l", "L")):
        return names[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _build(node.left, names, layers_only), _build(node.right, names, layers_only)
        if isinstance(node.op, ast.Pow) and not _moderate_power(left, right):
            # SymPy computes a power of numbers exactly and at once: a typed 10**10**10 would never finish
            raise ValueError(
                f"{ast.unparse(node)!r}: a power takes a whole exponent of at most {MAX_EXPONENT} in size "
                f"and a base of at most 2**{MAX_EXPONENT}"
            )
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _build(node.operand, names, layers_only)
        return -inner if isinstance(node.op, ast.USub) else inner
    if (
        not layers_only
        and isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and not node.keywords
        and node.func.id in names.functions
    ):
        if node.func.id == "_Q":
            texts = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            if not _is_quantity(texts):
                raise ValueError("a quantity is written name[layer]_indices")
            return _q(*texts)
        args = [_build(a, names) for a in node.args]
        try:
            return names.functions[node.func.id](*args)
        except TypeError:  # sigma(), Sum(), KroneckerDelta(k), Rational(a[l]_k, 2), ...
            raise ValueError(f"{ast.unparse(node)!r} has the wrong arguments for {node.func.id}") from None
    raise ValueError(f"{ast.unparse(node)!r} has no place in an index equation")


def _parse_side(text):
    code = _TOKEN.sub(lambda m: f'_Q("{m.group(1)}", "{m.group(2)}", "{m.group(3)}")', text)
    code = _TOKEN0.sub(lambda m: f'_Q("{m.group(1)}", None, "{m.group(2)}")', code)
    code = re.sub(r"\)\s+(?=[A-Za-z_(])", ")*", code)
    try:
        return sp.sympify(_build(_parse_expr(code), _Names()))
    except ValueError as exc:
        raise ValueError(f"cannot read the index equation part {text!r}: {exc}") from None


def _open(e):
    """Indices of e not bound by a Sum inside it."""
    if isinstance(e, sp.Indexed):
        return {i for i in e.indices if isinstance(i, sp.Symbol)}
    if isinstance(e, sp.Sum):
        return _open(e.function) - {lim[0] for lim in e.limits}
    if isinstance(e, sp.KroneckerDelta):
        return {i for i in e.args if isinstance(i, sp.Symbol)}
    if e.is_Atom:
        return set()
    out = set()
    for a in e.args:
        out |= _open(a)
    return out


def _einstein(e, protect):
    """Wrap each product in a Sum over every index that appears in two or more of its factors and is not protected."""
    if isinstance(e, sp.Sum):
        bound = {lim[0] for lim in e.limits}
        return sp.Sum(_einstein(e.function, protect | bound), *e.limits)
    if e.is_Add:
        return sp.Add(*[_einstein(t, protect) for t in e.args])
    if e.is_Mul:
        counts = Counter()
        for f in e.args:
            for i in _open(f):
                counts[i] += 1
        summed = sorted((i for i, c in counts.items() if c >= 2 and i not in protect), key=str)
        inner = protect | set(summed)  # bound here; an index used once here may still be summed inside a factor
        out = sp.Mul(*[_einstein(f, inner) for f in e.args])
        for i in summed:
            out = sp.Sum(out, (i, 0, _UNK))
        return out
    if isinstance(e, (sp.Indexed, sp.KroneckerDelta)) or e.is_Atom:
        return e
    return e.func(*[_einstein(a, protect) for a in e.args])


class IndexEquation:
    """A parsed index equation: the left-hand quantity with its free indices, and the right-hand side."""

    def __init__(self, text, lhs=None, rhs_raw=None):
        self.text = text
        if lhs is None:
            if text.count("=") != 1:
                raise ValueError(f"an index equation needs exactly one '=', got {text!r}")
            left, right = text.split("=")
            lhs = _parse_side(left)
            if not isinstance(lhs, sp.Indexed):
                raise ValueError(
                    f"the left-hand side must be one quantity with free indices, e.g. delta[l]_k; got {left!r}"
                )
            rhs_raw = _parse_side(right)
        self.lhs = lhs
        self.rhs_raw = sp.sympify(rhs_raw)
        self.free = [i for i in lhs.indices]
        self.rhs = _einstein(self.rhs_raw, set(self.free))
        stray = _open(self.rhs) - set(self.free)
        if stray:
            names = ", ".join(sorted(map(str, stray)))
            raise ValueError(
                f"index {names} appears on the right only once and not on the left: an index must be "
                "free on both sides or repeated (summed) on the right"
            )

    def latex(self):
        return f"{sp.latex(self.lhs)} = {sp.latex(self.rhs)}"

    def with_changes(self, lhs=None, rhs_raw=None):
        return IndexEquation(
            self.text, lhs if lhs is not None else self.lhs, rhs_raw if rhs_raw is not None else self.rhs_raw
        )


def parse_index(text):
    """Parse 'lhs = rhs' in index notation into an IndexEquation (Einstein summation applied)."""
    return IndexEquation(text)


# ----------------------------------------------------------------------------------------------------------------
# binding to a concrete network
# ----------------------------------------------------------------------------------------------------------------
class _Binding:
    def __init__(self, net, l):
        self.net, self.l = net, l
        self._vals = {}

    def layer(self, lay):
        if lay is None:
            return None
        v = sp.sympify(lay).subs(_BIG_L, self.net.L)
        if self.l is not None:  # without l, a layer written with l is not a number
            v = v.subs(_L, self.l)
        if not v.is_Integer:
            raise IndexRangeError(f"layer {lay} is not a number: give l=... to check_index")
        return int(v)

    def quantity(self, kind, layer):
        """(shape, getter) for quantity kind at integer layer."""
        net = self.net
        key = (kind, layer)
        if key in self._vals:
            return self._vals[key]
        L = net.L
        if kind in _LOWEST:
            lo = _LOWEST[kind]
            if not lo <= layer <= L:
                raise IndexRangeError(f"{kind}^{layer} does not exist: layers run {lo}..{L} for sizes {net.sizes}")
        if kind in _JACOBIANS:
            shape, d = net.jacobian(kind, layer)
            res = (shape, lambda idx, d=d: d[tuple(idx)])
        else:
            M = {
                "W": lambda: net.W[layer],
                "dC_dW": lambda: net.dC_dW(layer),
                "b": lambda: net.b[layer],
                "z": lambda: net.z[layer],
                "a": lambda: net.a[layer],
                "delta": lambda: net.delta(layer),
                "Delta": lambda: net.Delta(layer),
                "lam": lambda: net.delta(layer),
                "omega": lambda: net.omega(layer),
                "dC_db": lambda: net.dC_db(layer),
                "dC_dz": lambda: net.delta(layer),
                "dC_da": lambda: net.omega(layer),
                "x": lambda: net.x,
                "y": lambda: net.y,
                "gradC": lambda: net.grad_a_C(),
            }[kind]()
            if M.shape[1] == 1 and kind not in _MATRICES:
                res = ((M.shape[0],), lambda idx, M=M: M[idx[0], 0])
            else:
                res = (M.shape, lambda idx, M=M: M[idx[0], idx[1]])
        self._vals[key] = res
        return res

    def shape_of(self, indexed):
        kind, lay = _BASE_INFO[indexed.base]
        shape, _ = self.quantity(kind, self.layer(lay))
        if len(shape) != len(indexed.indices):
            word = "index" if len(shape) == 1 else "indices"
            raise IndexRangeError(
                f"${sp.latex(indexed.base)}$ has {len(shape)} {word} (shape {shape}) but is written "
                f"with {len(indexed.indices)}"
            )
        return shape


def _ranges(eq, bind, rhs_only):
    """Length of every index: free ones from the left-hand side, summed ones from their factors; raise on conflict.

    rhs_only: the right-hand side alone decides every length (to compare two right-hand sides whatever the left).
    """
    uses = {}

    def walk(e):
        if isinstance(e, sp.Indexed):
            shape = bind.shape_of(e)
            for pos, i in enumerate(e.indices):
                if isinstance(i, sp.Symbol):
                    uses.setdefault(i, []).append((shape[pos], e, pos))
            return
        for a in e.args:
            walk(a)

    walk(eq.rhs)
    rng = {}
    if rhs_only:
        lshape = None
    else:
        lshape = bind.shape_of(eq.lhs)
        for pos, i in enumerate(eq.lhs.indices):
            uses.setdefault(i, []).insert(0, (lshape[pos], eq.lhs, pos))
    for i, lst in uses.items():
        lens = {n for n, _, _ in lst}
        if len(lens) > 1:
            where = "; ".join(f"{n} in ${sp.latex(e.base)}$ (position {p + 1})" for n, e, p in lst)
            raise IndexRangeError(
                f"index {i} runs over different lengths: {where} — the factors do not fit "
                "(a quantity from the wrong layer, or its indices in the wrong order)"
            )
        rng[i] = lens.pop()
    if lshape is None:
        for kd in eq.rhs.atoms(sp.KroneckerDelta):  # an index used only in δ_ij runs like its partner
            i, j = kd.args
            if i in rng and j not in rng:
                rng[j] = rng[i]
            elif j in rng and i not in rng:
                rng[i] = rng[j]
        missing = [i for i in eq.free if i not in rng]
        if missing:
            raise IndexRangeError(f"free index {missing[0]} is not used on the right-hand side")
        lshape = tuple(rng[i] for i in eq.free)
    return lshape, rng


def _expand(e, env, rng, bind):
    if isinstance(e, sp.Indexed):
        kind, lay = _BASE_INFO[e.base]
        _, get = bind.quantity(kind, bind.layer(lay))
        return get([env[i] if isinstance(i, sp.Symbol) else int(i) for i in e.indices])
    if isinstance(e, sp.Sum):
        bound = [lim[0] for lim in e.limits]
        for var in bound:
            if var not in rng:
                raise IndexRangeError(f"summed index {var} is not used by any quantity, so its range is unknown")
        return sp.Add(
            *[
                _expand(e.function, {**env, **dict(zip(bound, vals))}, rng, bind)
                for vals in itertools.product(*[range(rng[v]) for v in bound])
            ]
        )
    if isinstance(e, sp.KroneckerDelta):
        i, j = (env[t] if isinstance(t, sp.Symbol) else int(t) for t in e.args)
        return sp.Integer(1 if i == j else 0)
    if isinstance(e, sigma):
        return bind.net.sigma_f(_expand(e.args[0], env, rng, bind))
    if isinstance(e, sigma_prime):
        return bind.net.sigma_prime_f(_expand(e.args[0], env, rng, bind))
    if isinstance(e, sp.Symbol):
        return sp.Integer(env[e]) if e in env else e
    if e.is_Atom:
        return e
    return e.func(*[_expand(a, env, rng, bind) for a in e.args])


def _lhs_truth(eq, bind):
    kind, lay = _BASE_INFO[eq.lhs.base]
    shape, get = bind.quantity(kind, bind.layer(lay))
    return shape, get


def _as_matrix(shape, fn):
    if len(shape) == 1:
        return sp.Matrix(shape[0], 1, lambda i, _: fn((i,)))
    if len(shape) == 2:
        return sp.Matrix(shape[0], shape[1], lambda i, j: fn((i, j)))
    rows = list(itertools.product(*[range(n) for n in shape]))
    return sp.Matrix(len(rows), 1, lambda r, _: fn(rows[r]))


def candidate_matrix(eq, net, l=None, rhs_only=False):
    """The right-hand side expanded on `net` (layer l bound), shaped like the left-hand quantity (a column for vectors).

    rhs_only: index lengths from the right-hand side alone, ignoring the left (two sides of a chain compared).
    """
    bind = _Binding(net, l)
    shape, rng = _ranges(eq, bind, rhs_only)
    free = eq.free
    return _as_matrix(shape, lambda idx: _expand(eq.rhs, dict(zip(free, idx)), rng, bind))


def truth_matrix(eq, net, l=None):
    bind = _Binding(net, l)
    shape, get = _lhs_truth(eq, bind)
    return _as_matrix(shape, lambda idx: get(list(idx)))
