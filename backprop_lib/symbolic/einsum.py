"""The numpy twin of an index equation: one numpy.einsum call per product term.

`to_einsum("delta[l]_k = delta[l+1]_m W[l+1]_mk sigma_prime(z[l]_k)")` gives code that runs on the numeric
core's arrays (W[l], delta[l] ... as (n, 1) columns), so the equation proved symbolically is also the code.
Taught in notebooks/03_recursion.ipynb.
"""

from __future__ import annotations

import sympy as sp

from .network import sigma, sigma_prime
from .notation import _BASE_INFO, _LAYERLESS, _VECTORS, IndexEquation, _open

__all__ = ["EinsumForm", "to_einsum"]


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


# the numeric core's names where they differ from the index notation's (every other quantity keeps its name)
_CODE_NAMES = {"dC_dW": "dW", "dC_db": "db", "dC_dz": "delta", "dC_da": "omega", "gradC": "grad_C"}


def to_einsum(equation):
    """The numpy.einsum form of an index equation: one einsum per product term, vectors as (n, 1) columns.

    Vectors of one index are read as `v[:, 0]` and the result of a one-index left side is made a column again.
    KroneckerDelta(i, j) becomes np.eye(n), with n the length of the operand it pairs with.
    Taught in notebooks/03_recursion.ipynb.
    """
    eq = equation if isinstance(equation, IndexEquation) else IndexEquation(equation)
    letters = {}
    pool = iter("ijkmnpqrstuvwxyzabcdefgh")

    def letter(i):
        if i not in letters:
            s = str(i)
            # only an ASCII letter may name an einsum axis; anything else gets a fresh letter from the pool
            free_letter = s if len(s) == 1 and s.isascii() and s.isalpha() and s not in letters.values() else None
            letters[i] = free_letter or next(c for c in pool if c not in letters.values())
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
            elif f.is_Pow and f.exp.is_Integer and f.exp > 0:
                # a power is its base repeated, with the base's own open indices (a negative power is no product)
                subs = "".join(sorted(letter(i) for i in _open(f.base)))
                base = operand(f.base) if isinstance(f.base, sp.Indexed) else (gen(f.base, subs), subs)
                ops.extend([base] * int(f.exp))
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
