"""Index (Einstein) notation: student equations as strings, their check with a diagnosis, and their einsum twin.

An equation such as "delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_k)" has free indices on the left;
an index repeated on the right in two factors and absent from the left is summed (Einstein convention), and
Sum(expr, m) sums explicitly. It is expanded on a concrete SymbolicNetwork and checked entry by entry against
the truth; when it fails, single and combined edits (another layer, σ for σ′, another index, swapped indices)
are tried until one matches, so the diagnosis names the slip. `to_einsum` gives the same equation as one
numpy.einsum call per term. `prove_index` proves index identities for symbolic widths with IndexedBase, Sum and
KroneckerDelta. Taught in notebooks/03_recursion.ipynb (index form) and notebooks/07_proofreading.ipynb.
"""
from __future__ import annotations

import itertools
import re
import time
from collections import Counter

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..verdict import Requirable
from .check import CheckResult, Point, _match, check, quiet
from .network import SymbolicNetwork, sigma, sigma_prime

__all__ = ["IndexEquation", "parse_index", "check_index", "to_einsum", "EinsumForm", "prove_index", "IndexProof",
           "symbolic_dimension_proofs", "IndexRangeError"]

_L = sp.Symbol("l", integer=True)
_BIG_L = sp.Symbol("L", integer=True)

# name -> (latex, lowest layer, how many layer-less indices, has_layer)
_VECTORS = {"b": ("b", 1), "z": ("z", 1), "a": ("a", 0), "delta": (r"\delta", 1), "Delta": (r"\Delta", 1),
            "omega": (r"\omega", 0), "lam": (r"\lambda", 1), "dC_db": (r"\frac{\partial C}{\partial b}", 1),
            "dC_dz": (r"\frac{\partial C}{\partial z}", 1), "dC_da": (r"\frac{\partial C}{\partial a}", 0)}
_MATRICES = {"W": ("W", 1), "dC_dW": (r"\frac{\partial C}{\partial W}", 1)}
_JACOBIANS = {"dadz": r"\frac{\partial a}{\partial z}", "dzda": r"\frac{\partial z}{\partial a}",
              "dada": r"\frac{\partial a}{\partial a}", "dzdW": r"\frac{\partial z}{\partial W}",
              "dadW": r"\frac{\partial a}{\partial W}", "dzdb": r"\frac{\partial z}{\partial b}"}
_TEMPLATES = {"dC_dW": r"\frac{{\partial C}}{{\partial W^{{{lay}}}}}", "dC_db": r"\frac{{\partial C}}{{\partial b^{{{lay}}}}}",
              "dC_dz": r"\frac{{\partial C}}{{\partial z^{{{lay}}}}}", "dC_da": r"\frac{{\partial C}}{{\partial a^{{{lay}}}}}",
              "dadz": r"\frac{{\partial a^{{{lay}}}}}{{\partial z^{{{lay}}}}}", "dzda": r"\frac{{\partial z^{{{lay}}}}}{{\partial a^{{{lay}-1}}}}",
              "dada": r"\frac{{\partial a^{{{lay}}}}}{{\partial a^{{{lay}-1}}}}", "dzdW": r"\frac{{\partial z^{{{lay}}}}}{{\partial W^{{{lay}}}}}",
              "dadW": r"\frac{{\partial a^{{{lay}}}}}{{\partial W^{{{lay}}}}}", "dzdb": r"\frac{{\partial z^{{{lay}}}}}{{\partial b^{{{lay}}}}}"}
_LAYERLESS = {"x": "x", "y": "y", "gradC": r"\nabla_{a} C"}
_NAMES = list(_VECTORS) + list(_MATRICES) + list(_JACOBIANS)

_TOKEN = re.compile(r"\b(" + "|".join(sorted(_NAMES, key=len, reverse=True)) + r")\[([^\]]+)\]_(\{[^}]*\}|[A-Za-z0-9]+)")
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
            lay = sp.latex(layer)
            tex = _TEMPLATES.get(kind, "%s^{{{lay}}}" % {**{k: v[0] for k, v in _VECTORS.items()},
                                                          **{k: v[0] for k, v in _MATRICES.items()}}.get(kind, kind))
            tex = tex.format(lay=lay)
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
    lay = None if layer is None else sp.sympify(layer, locals={"l": _L, "L": _BIG_L})
    return sp.Indexed(_base(kind, lay), *[sp.Symbol(i) for i in _idx_list(idx)])


def _parse_side(text):
    code = _TOKEN.sub(lambda m: f'_Q("{m.group(1)}", "{m.group(2)}", "{m.group(3)}")', text)
    code = _TOKEN0.sub(lambda m: f'_Q("{m.group(1)}", None, "{m.group(2)}")', code)
    code = re.sub(r"\)\s+(?=[A-Za-z_(])", ")*", code)
    ns = _Names(_Q=_q, Sum=_sum, KroneckerDelta=sp.KroneckerDelta, sigma=sigma, sigma_prime=sigma_prime,
                Rational=sp.Rational)
    try:
        return sp.sympify(eval(code, {"__builtins__": {}}, ns))
    except SyntaxError as exc:
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
        inner = protect | set(counts)
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
                raise ValueError(f"the left-hand side must be one quantity with free indices, e.g. delta[l]_k; got {left!r}")
            rhs_raw = _parse_side(right)
        self.lhs = lhs
        self.rhs_raw = sp.sympify(rhs_raw)
        self.free = [i for i in lhs.indices]
        self.rhs = _einstein(self.rhs_raw, set(self.free))
        stray = _open(self.rhs) - set(self.free)
        if stray:
            names = ", ".join(sorted(map(str, stray)))
            raise ValueError(f"index {names} appears on the right only once and not on the left: an index must be "
                             "free on both sides or repeated (summed) on the right")

    def latex(self):
        return f"{sp.latex(self.lhs)} = {sp.latex(self.rhs)}"

    def with_changes(self, lhs=None, rhs_raw=None):
        return IndexEquation(self.text, lhs if lhs is not None else self.lhs,
                             rhs_raw if rhs_raw is not None else self.rhs_raw)


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
        v = sp.sympify(lay).subs({_L: self.l, _BIG_L: self.net.L})
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
        if kind in _VECTORS or kind in _MATRICES or kind in _JACOBIANS:
            lo = _VECTORS[kind][1] if kind in _VECTORS else (_MATRICES[kind][1] if kind in _MATRICES else 1)
            if not lo <= layer <= L:
                raise IndexRangeError(f"{kind}^{layer} does not exist: layers run {lo}..{L} for sizes {net.sizes}")
        if kind in _JACOBIANS:
            shape, d = net.jacobian(kind, layer)
            res = (shape, lambda idx, d=d: d[tuple(idx)])
        else:
            M = {"W": lambda: net.W[layer], "dC_dW": lambda: net.dC_dW(layer), "b": lambda: net.b[layer],
                 "z": lambda: net.z[layer], "a": lambda: net.a[layer], "delta": lambda: net.delta(layer),
                 "Delta": lambda: net.Delta(layer), "lam": lambda: net.delta(layer),
                 "omega": lambda: net.omega(layer), "dC_db": lambda: net.dC_db(layer),
                 "dC_dz": lambda: net.dC_dz(layer), "dC_da": lambda: net.dC_da(layer),
                 "x": lambda: net.X, "y": lambda: net.Y, "gradC": lambda: net.grad_a_C()}[kind]()
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
            raise IndexRangeError(f"${sp.latex(indexed.base)}$ has {len(shape)} ind{'ex' if len(shape) == 1 else 'ices'} "
                                  f"(shape {shape}) but is written with {len(indexed.indices)}")
        return shape


def _ranges(eq, bind):
    """Length of every index: free ones from the left-hand side, summed ones from their factors; raise on conflict."""
    lshape = bind.shape_of(eq.lhs)
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
    for pos, i in enumerate(eq.lhs.indices):
        rng[i] = lshape[pos]
        uses.setdefault(i, []).insert(0, (lshape[pos], eq.lhs, pos))
    for i, lst in uses.items():
        lens = {n for n, _, _ in lst}
        if len(lens) > 1:
            where = "; ".join(f"{n} in ${sp.latex(e.base)}$ (position {p + 1})" for n, e, p in lst)
            raise IndexRangeError(f"index {i} runs over different lengths: {where} — the factors do not fit "
                                  "(a quantity from the wrong layer, or its indices in the wrong order)")
        rng[i] = lens.pop()
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
        return sp.Add(*[_expand(e.function, {**env, **dict(zip(bound, vals))}, rng, bind)
                        for vals in itertools.product(*[range(rng[v]) for v in bound])])
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


def candidate_matrix(eq, net, l=None):
    """The right-hand side expanded on `net` (layer l bound), shaped like the left-hand quantity (a column for vectors)."""
    bind = _Binding(net, l)
    shape, rng = _ranges(eq, bind)
    free = eq.free
    return _as_matrix(shape, lambda idx: _expand(eq.rhs, dict(zip(free, idx)), rng, bind))


def truth_matrix(eq, net, l=None):
    bind = _Binding(net, l)
    shape, get = _lhs_truth(eq, bind)
    return _as_matrix(shape, lambda idx: get(list(idx)))


# ----------------------------------------------------------------------------------------------------------------
# mutations for the diagnosis
# ----------------------------------------------------------------------------------------------------------------
def _layer_word(kind, lay):
    tex = {**{k: v[0] for k, v in _VECTORS.items()}, **{k: v[0] for k, v in _MATRICES.items()}}.get(kind, kind)
    tex = {"dC_dW": "∂C/∂W", "dC_db": "∂C/∂b", "dC_dz": "∂C/∂z", "dC_da": "∂C/∂a"}.get(kind, tex)
    tex = tex.replace("\\", "")
    return f"{tex}^{{{sp.sstr(lay)}}}"


def _mutations(eq):
    """(description, new equation) for each single edit of the equation."""
    out = []
    indexed = sorted(eq.rhs_raw.atoms(sp.Indexed), key=str)
    all_idx = sorted({i for e in indexed + [eq.lhs] for i in e.indices if isinstance(i, sp.Symbol)}, key=str)
    # another layer
    for e in [eq.lhs] + indexed:
        kind, lay = _BASE_INFO[e.base]
        if lay is None:
            continue
        for d in (1, -1):
            new = sp.Indexed(_base(kind, lay + d), *e.indices)
            desc = f"uses {_layer_word(kind, lay)} where {_layer_word(kind, lay + d)} belongs"
            if e is eq.lhs:
                out.append((f"the left-hand side should be {_layer_word(kind, lay + d)}, not "
                             f"{_layer_word(kind, lay)}", ("lhs", new)))
            else:
                out.append((desc, ("rhs", eq.rhs_raw.xreplace({e: new}))))
    # indices: swapped, or another index
    for e in indexed:
        kind, lay = _BASE_INFO[e.base]
        idx = list(e.indices)
        name = _layer_word(kind, lay) if lay is not None else kind
        if len(idx) == 2 and idx[0] != idx[1]:
            new = sp.Indexed(e.base, idx[1], idx[0])
            out.append((f"{name}_{{{idx[0]}{idx[1]}}} should be {name}_{{{idx[1]}{idx[0]}}} (transposed: "
                        "the sum runs over the wrong index of W)", ("rhs", eq.rhs_raw.xreplace({e: new}))))
        for p, i in enumerate(idx):
            for j in all_idx:
                if j != i:
                    nidx = list(idx)
                    nidx[p] = j
                    new = sp.Indexed(e.base, *nidx)
                    out.append((f"index {i} of {name} should be {j} (it sums or pairs over the wrong index)",
                                ("rhs", eq.rhs_raw.xreplace({e: new}))))
    # sigma and sigma'
    for f in sorted(eq.rhs_raw.atoms(sigma), key=str):
        out.append(("σ where σ′ belongs", ("rhs", eq.rhs_raw.xreplace({f: sigma_prime(f.args[0])}))))
    for f in sorted(eq.rhs_raw.atoms(sigma_prime), key=str):
        out.append(("σ′ where σ belongs", ("rhs", eq.rhs_raw.xreplace({f: sigma(f.args[0])}))))
        out.append(("an extra factor σ′", ("rhs", eq.rhs_raw.xreplace({f: sp.Integer(1)}))))
    return out


def _apply(eq, change):
    where, new = change
    try:
        return eq.with_changes(lhs=new) if where == "lhs" else eq.with_changes(rhs_raw=new)
    except ValueError:
        return None


def _diagnose_index(eq, net, l, seed, max_depth=3, budget=400):
    """Search single, double and triple edits that turn the equation into a correct one."""
    pt = Point(seed)
    truths = {}
    tried = 0
    frontier = [((), eq)]
    seen = {eq.latex()}
    for depth in range(1, max_depth + 1):
        nxt = []
        for descs, cur in frontier:
            for desc, change in _mutations(cur):
                if desc in descs:
                    continue
                new = _apply(cur, change)
                if new is None:
                    continue
                key = new.latex()
                if key in seen:
                    continue
                seen.add(key)
                nd = descs + (desc,)
                nxt.append((nd, new))
                try:
                    cm = candidate_matrix(new, net, l)
                    tkey = sp.srepr(new.lhs)
                    if tkey not in truths:
                        truths[tkey] = truth_matrix(new, net, l)
                    tm = truths[tkey]
                except (IndexRangeError, ValueError, KeyError):
                    continue
                if cm.shape != tm.shape:
                    continue
                tried += 1
                if _match(cm, tm, pt):
                    return list(nd), new
                if tried >= budget:
                    return None, None
        frontier = nxt
        if len(frontier) > 200:
            frontier = frontier[:200]
    return None, None


# ----------------------------------------------------------------------------------------------------------------
# the student entry point
# ----------------------------------------------------------------------------------------------------------------
@quiet
def check_index(equation, net=None, l=None, seed=0, diagnose=True, name=None):
    """Check an index-notation equation (string or IndexEquation) on a concrete network; returns a CheckResult.

    Free indices are on the left; an index repeated in two factors on the right is summed; Sum(expr, m) sums
    explicitly. Quantities: W[l]_jk, b[l]_j, z[l]_j, a[l]_j, x_k, y_j, delta[l]_j (= dC/dz), omega[l]_j (= dC/da),
    lam[l]_j (= delta), dC_dW[l]_jk, dC_db[l]_j, dC_dz[l]_j, dC_da[l]_j, gradC_j (the per-sample dc/da^L),
    Jacobians dadz/dzda/dada/dzdb[l]_ij, dzdW/dadW[l]_ijk; functions sigma, sigma_prime, KroneckerDelta(i, j).
    With samples n > 1 the vector quantities take a second index, the sample. Default net: 2-3-4-5, undefined σ.
    Taught in notebooks/03_recursion.ipynb.
    """
    t0 = time.perf_counter()
    eq = equation if isinstance(equation, IndexEquation) else IndexEquation(equation)
    net = net if net is not None else SymbolicNetwork([2, 3, 4, 5])
    if l is None:
        l = net.L - 1 if net.L > 1 else 1
    lhs_tex = name or sp.latex(eq.lhs)
    rhs_tex = sp.latex(eq.rhs)
    try:
        cand = candidate_matrix(eq, net, l)
        truth = truth_matrix(eq, net, l)
    except IndexRangeError as exc:
        diag = [f"shape mismatch: {exc}"]
        if diagnose:
            fixes, fixed = _diagnose_index(eq, net, l, seed)
            if fixes:
                diag = [" and ".join(fixes), f"shape mismatch: {exc}", f"corrected: ${fixed.latex()}$"]
        return CheckResult(False, diag[0], name=lhs_tex, statement=rhs_tex, diagnosis=diag,
                           seconds=time.perf_counter() - t0)
    res = check(cand, truth, name=lhs_tex, net=net, statement=rhs_tex, seed=seed)
    if not res.ok and diagnose:
        fixes, fixed = _diagnose_index(eq, net, l, seed)
        if fixes:
            res.diagnosis = [" and ".join(fixes)] + res.diagnosis + [f"corrected: ${fixed.latex()}$"]
            res.message = res.diagnosis[0]
    res.seconds = time.perf_counter() - t0
    return res


# ----------------------------------------------------------------------------------------------------------------
# einsum twin
# ----------------------------------------------------------------------------------------------------------------
class EinsumForm:
    """The numpy code equivalent to an index equation: `.code` (a Python expression) and `.evaluate(namespace)`."""

    def __init__(self, lhs, code):
        self.lhs = lhs
        self.code = code

    def __repr__(self):
        return f"{self.lhs} = {self.code}"

    def evaluate(self, namespace):
        """Run the code with numpy as np and the given arrays/functions (W, b, a, z, delta, sigma, l, ...)."""
        import numpy as np
        return eval(self.code, {"np": np, "__builtins__": {}}, dict(namespace))


_CODE_NAMES = {"W": "W", "b": "b", "z": "z", "a": "a", "delta": "delta", "Delta": "Delta", "omega": "omega",
               "lam": "lam", "dC_dW": "dW", "dC_db": "db", "dC_dz": "delta", "dC_da": "omega", "x": "x", "y": "y",
               "gradC": "grad_C"}


def to_einsum(equation, sizes=None):
    """The numpy.einsum form of an index equation: one einsum per product term, vectors as (n, 1) columns.

    Vectors of one index are read as `v[:, 0]` and the result of a one-index left side is made a column again.
    KroneckerDelta(i, j) becomes np.eye(n), which needs `sizes` only to name n; otherwise it is taken from the
    operand it pairs with. Taught in notebooks/03_recursion.ipynb.
    """
    eq = equation if isinstance(equation, IndexEquation) else IndexEquation(equation)
    letters = {}
    pool = iter("ijkmnpqrstuvwxyzabcdefgh")

    def letter(i):
        if i not in letters:
            s = str(i)
            letters[i] = s if len(s) == 1 and s not in letters.values() else next(c for c in pool if c not in letters.values())
        return letters[i]

    for i in eq.free:
        letter(i)

    def operand(e):
        kind, lay = _BASE_INFO[e.base]
        name = _CODE_NAMES.get(kind, kind)
        code = name if lay is None else f"{name}[{sp.sstr(lay)}]"
        if kind in _VECTORS or kind in _LAYERLESS:
            if len(e.indices) == 1:
                code = f"{code}[:, 0]"
        return code, "".join(letter(i) for i in e.indices)

    def gen(e, out):
        """Code for e as an array with axes `out` (a string of letters)."""
        if e.is_Add:
            return "(" + " + ".join(gen(t, out) for t in e.args) + ")"
        factors, coeff = [], sp.Integer(1)
        stack = [e]
        while stack:
            f = stack.pop()
            if isinstance(f, sp.Sum):
                stack.append(f.function)
            elif f.is_Mul:
                stack.extend(f.args)
            elif f.is_Number:
                coeff *= f
            else:
                factors.append(f)
        ops = []
        for f in factors:
            if isinstance(f, sp.Indexed):
                ops.append(operand(f))
            elif isinstance(f, sp.KroneckerDelta):
                i, j = f.args
                n = None
                for g in factors:
                    if isinstance(g, sp.Indexed) and (i in g.indices or j in g.indices):
                        code, subs = operand(g)
                        pos = subs.index(letter(i) if i in g.indices else letter(j))
                        n = f"{code}.shape[{pos}]"
                        break
                if n is None:
                    raise ValueError("KroneckerDelta needs an indexed factor sharing one of its indices")
                ops.append((f"np.eye({n})", letter(i) + letter(j)))
            elif isinstance(f, (sigma, sigma_prime)) or (not f.is_Atom and len(f.args) == 1):
                inner = f.args[0]
                subs = "".join(sorted(letter(i) for i in _open(inner)))
                fname = {sigma: "sigma", sigma_prime: "sigma_prime"}.get(type(f), str(f.func))
                ops.append((f"{fname}({gen(inner, subs)})", subs))
            elif f.is_Pow and f.exp.is_Integer:
                for _ in range(int(f.exp)):
                    ops.append(operand(f.base) if isinstance(f.base, sp.Indexed) else (gen(f.base, ""), ""))
            else:
                raise ValueError(f"cannot write {f} as an einsum operand")
        c = "" if coeff == 1 else f"{sp.sstr(coeff)} * "
        if not ops:
            return f"{c}1"
        if len(ops) == 1 and ops[0][1] == out:
            return f"{c}{ops[0][0]}"
        spec = ",".join(s for _, s in ops) + "->" + out
        return f'{c}np.einsum("{spec}", ' + ", ".join(code for code, _ in ops) + ")"

    out = "".join(letter(i) for i in eq.free)
    code = gen(eq.rhs, out)
    kind, lay = _BASE_INFO[eq.lhs.base]
    if (kind in _VECTORS or kind in _LAYERLESS) and len(eq.free) == 1:
        code = f"({code})[:, None]"
    lhs_name = _CODE_NAMES.get(kind, kind) + ("" if lay is None else f"[{sp.sstr(lay)}]")
    return EinsumForm(lhs_name, code)


# ----------------------------------------------------------------------------------------------------------------
# symbolic dimensions
# ----------------------------------------------------------------------------------------------------------------
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
        for val, cond in pw.args:
            if cond is sp.true or _holds_in_range(cond):
                return val
        return pw
    return e.replace(lambda x: isinstance(x, sp.Piecewise), fix)


def _holds_in_range(cond):
    idxs = [s for s in cond.free_symbols if isinstance(s, sp.Idx)]
    if not idxs:
        try:
            return bool(cond)
        except TypeError:
            return False
    # a linear condition holds on a whole range iff it holds at both ends
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
        d = sp.simplify(d)
    ok = d == 0
    # the difference goes out as LaTeX between $...$: the names of IndexedBases are TeX, so str(d) is not text
    msg = "proved for every width: the difference is zero" if ok else f"not equal: the difference is ${_tex(d)}$"
    return IndexProof(ok, msg, lhs, rhs, name)


def _merge_sums(d):
    """Combine terms c * Sum(f, lim) with equal limits into one Sum and expand its summand."""
    groups, rest = {}, []
    for t in sp.Add.make_args(d):
        coeff, sums = [], []
        for f in sp.Mul.make_args(t):
            (sums if isinstance(f, sp.Sum) else coeff).append(f)
        if len(sums) == 1:
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


def symbolic_dimension_proofs():
    """The Einstein-notation steps of backprop proved for symbolic widths; returns a list of IndexProof.

    dz_i/dW_jk = δ_ij a_k; dz_i/db_j = δ_ij; da_i/dz_j = δ_ij σ′(z_j); dz^{l+1}_m/dz^l_k = W^{l+1}_mk σ′(z^l_k);
    and the one-step recursion Σ_m δ^{l+1}_m dz^{l+1}_m/dz^l_k = (Σ_m δ^{l+1}_m W^{l+1}_mk) σ′(z^l_k).
    Taught in notebooks/03_recursion.ipynb.
    """
    n_prev, n_l, n_next = sp.symbols("n_{l-1} n_l n_{l+1}", integer=True, positive=True)
    i, j = sp.Idx("i", n_l), sp.Idx("j", n_l)
    k, p = sp.Idx("k", n_prev), sp.Idx("p", n_prev)
    m = sp.Idx("m", n_next)
    q = sp.Idx("q", n_l)
    W, b, a_prev = sp.IndexedBase("W^{l}"), sp.IndexedBase("b^{l}"), sp.IndexedBase("a^{l-1}")
    z, W1, b1 = sp.IndexedBase("z^{l}"), sp.IndexedBase("W^{l+1}"), sp.IndexedBase("b^{l+1}")
    d1 = sp.IndexedBase(r"\delta^{l+1}")
    z_i = sp.Sum(W[i, p] * a_prev[p], (p, 0, n_prev - 1)) + b[i]
    z1_m = sp.Sum(W1[m, q] * sigma(z[q]), (q, 0, n_l - 1)) + b1[m]
    proofs = [
        prove_index(sp.diff(z_i, W[j, k]), sp.KroneckerDelta(i, j) * a_prev[k],
                    name=r"\frac{\partial z^l_i}{\partial W^l_{jk}}"),
        prove_index(sp.diff(z_i, b[j]), sp.KroneckerDelta(i, j), name=r"\frac{\partial z^l_i}{\partial b^l_j}"),
        prove_index(sp.diff(sigma(z[i]), z[j]), sp.KroneckerDelta(i, j) * sigma_prime(z[j]),
                    name=r"\frac{\partial a^l_i}{\partial z^l_j}"),
        prove_index(sp.diff(z1_m, z[i]), W1[m, i] * sigma_prime(z[i]),
                    name=r"\frac{\partial z^{l+1}_m}{\partial z^l_i}"),
        prove_index(sp.Sum(d1[m] * sp.diff(z1_m, z[i]), (m, 0, n_next - 1)),
                    sp.Sum(d1[m] * W1[m, i], (m, 0, n_next - 1)) * sigma_prime(z[i]),
                    name=r"\delta^l_i = \sum_m \delta^{l+1}_m \frac{\partial z^{l+1}_m}{\partial z^l_i}"),
    ]
    return proofs
