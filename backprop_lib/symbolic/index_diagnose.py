"""The diagnosis of a wrong index equation: the fewest edits that make it hold, found by search.

Single, then double and triple edits of the equation are tried (a quantity of another layer, σ for σ′ or the
reverse, an extra σ′, two indices swapped, another index) until one gives the truth at a random point, so the
diagnosis names the slip ("uses W^{l} where W^{l+1} belongs") and the corrected equation.
Used by check_index (notebooks/03_recursion.ipynb, notebooks/07_proofreading.ipynb).
"""

from __future__ import annotations

import sympy as sp

from .evaluate import Point, matches
from .network import sigma, sigma_prime
from .notation import (
    _BASE_INFO,
    _BIG_L,
    _L,
    _MATRICES,
    _VECTORS,
    IndexRangeError,
    _base,
    candidate_matrix,
    truth_matrix,
)

__all__ = ["diagnose_index"]


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
        # one layer up or down, or the output layer L written for the layer l (or the reverse)
        swap = lay.xreplace({_BIG_L: _L, _L: _BIG_L})
        others = [swap, lay + 1, lay - 1] if e is eq.lhs else [lay + 1, lay - 1, swap]
        for other in dict.fromkeys(o for o in others if o != lay):
            new = sp.Indexed(_base(kind, other), *e.indices)
            desc = f"uses {_layer_word(kind, lay)} where {_layer_word(kind, other)} belongs"
            if e is eq.lhs:
                out.append(
                    (
                        f"the left-hand side should be {_layer_word(kind, other)}, not {_layer_word(kind, lay)}",
                        ("lhs", new),
                    )
                )
            else:
                out.append((desc, ("rhs", eq.rhs_raw.xreplace({e: new}))))
    # indices: swapped, or another index
    for e in indexed:
        kind, lay = _BASE_INFO[e.base]
        idx = list(e.indices)
        name = _layer_word(kind, lay) if lay is not None else kind
        if len(idx) == 2 and idx[0] != idx[1]:
            new = sp.Indexed(e.base, idx[1], idx[0])
            out.append(
                (
                    f"{name}_{{{idx[0]}{idx[1]}}} should be {name}_{{{idx[1]}{idx[0]}}} (transposed: "
                    "the sum runs over the wrong index of W)",
                    ("rhs", eq.rhs_raw.xreplace({e: new})),
                )
            )
        for p, i in enumerate(idx):
            for j in all_idx:
                if j != i:
                    nidx = list(idx)
                    nidx[p] = j
                    new = sp.Indexed(e.base, *nidx)
                    out.append(
                        (
                            f"index {i} of {name} should be {j} (it sums or pairs over the wrong index)",
                            ("rhs", eq.rhs_raw.xreplace({e: new})),
                        )
                    )
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


def diagnose_index(eq, net, l, seed, max_depth=3, budget=400):
    """Search single, double and triple edits that turn the equation into a correct one."""
    pt = Point(seed)
    truths = {}
    tried = 0
    frontier = [((), eq)]
    seen = {eq.latex()}
    for _ in range(max_depth):
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
                if matches(cm, tm, pt):
                    return list(nd), new
                if tried >= budget:
                    return None, None
        frontier = nxt
        if len(frontier) > 200:
            frontier = frontier[:200]
    return None, None
