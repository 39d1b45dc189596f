"""What a ledger entry is, and the builders that transcribe a printed chain of equalities into checks.

An Entry is one displayed equation (or chain a = b = c ...) of a source, as printed, with a check that reads it
literally: every side of the chain is checked against the truth of its left-hand side, at every layer of the
range the source states (or, when it states none, every layer where the quantities exist). Where the printed
form can be read more than one way (a bare b, a product without parentheses, `*` between a column and a
matrix), the entry lists every Reading, each with its own check, and the ledger reports which of them hold.
Taught in notebooks/07_proofreading.ipynb.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from ..check import CheckResult, check
from ..index import candidate_matrix, check_index, parse_index
from ..network import cached_network
from ..text import latex_to_text

__all__ = [
    "Entry",
    "Reading",
    "any_layer_net",
    "two_layer_net",
    "index_chain",
    "matrix_chain",
    "directional",
    "sigma_prime_at",
    "jacobian_matrix",
    "row_sums",
    "every_layer",
    "hidden_layers",
]


@dataclass
class Reading:
    """One way to read an ambiguous printed form: how it is read (plain text) and its check."""

    text: str
    check: Callable[[], list]


@dataclass
class Entry:
    """One source equation: id, source file, printed label and LaTeX, its check, and (for errata) the fix.

    readings: for a printed form that can be read several ways, every reading with its own check; then
    `check` runs them all. expect: the status the ledger's author expects ("verified", "erratum",
    "ambiguous"); the status itself is always computed. explanation: the author's note; for an erratum or an
    ambiguous entry the ledger puts the engine's own diagnosis first, and tests/test_ledger.py fails when the
    note claims a slip the engine does not find.
    """

    id: str
    source: str
    label: str
    printed: str
    check: Callable[[], list] | None
    notebook: str
    explanation: str
    corrected: str | None = None
    corrected_check: Callable[[], list] | None = None
    why: str = ""
    readings: tuple = ()
    expect: str = ""
    expect_erratum: bool = field(init=False)

    def __post_init__(self):
        if self.check is None:
            if not self.readings:
                raise ValueError(f"entry {self.id}: give a check or readings")
            readings = self.readings
            self.check = lambda: [r for reading in readings for r in reading.check()]
        if not self.expect:
            self.expect = "erratum" if self.corrected is not None else ("ambiguous" if self.readings else "verified")
        if self.expect not in ("verified", "erratum", "ambiguous"):
            raise ValueError(f"entry {self.id}: expect must be verified, erratum or ambiguous, got {self.expect!r}")
        self.expect_erratum = self.expect == "erratum"


# ----------------------------------------------------------------------------------------------------------------
# networks
# ----------------------------------------------------------------------------------------------------------------
def any_layer_net():
    """The network for 'any layer' statements: 2-3-4-5, undefined σ, generic cost, one sample (no two widths equal
    next to each other, so a quantity of the wrong layer shows in the shapes)."""
    return cached_network((2, 3, 4, 5))


def two_layer_net():
    """Source 003's two-layer network 3-4-2: undefined σ, quadratic cost C = ½ Σ_j (y_j − a²_j)², one sample."""
    return cached_network((3, 4, 2), None, "quadratic", 1)


def _layers(net, layers):
    if layers is None:
        return [min(2, net.L)]
    return list(layers(net)) if callable(layers) else list(layers)


def every_layer(net):
    """l = 1..L: where the source states no range, every layer where the quantities exist."""
    return range(1, net.L + 1)


def hidden_layers(net):
    """l = 1..L-1: the layers that have a layer l+1 after them."""
    return range(1, net.L)


_QUANTITY = re.compile(r"\s*[A-Za-z_]+(\[[^\]]+\])?_(\{[^}]*\}|[A-Za-z0-9]+)\s*")


def _link(res, k, texts, l, several_layers):
    """Name the '=' a result checks (res.step) and its layer (res.layer, None when only one layer is checked)."""
    res.step = f"'=' {k} of {len(texts) - 1} ({texts[k - 1]} = {texts[k]})" if len(texts) > 2 else ""
    res.layer = l if several_layers else None


def _same(a, b):
    """True when two sides are equal (a full check; a side that cannot be built equals nothing)."""
    try:
        return check(a(), b()).ok
    except Exception:  # noqa: BLE001 - sides of different shapes are not equal
        return False


def _same_index_sides(eq, prev, net, l):
    """'same', 'same on the square twin' (where sides that do not fit this network's widths both build), or ''."""
    if _same(lambda: candidate_matrix(eq, net, l, True), lambda: candidate_matrix(prev, net, l, True)):
        return "same"
    twin = cached_network((3,) * len(net.sizes), net.activation, net.cost, net.m)
    try:
        candidate_matrix(prev, net, l, True)
        return ""  # the previous side builds here: no need for the twin
    except Exception:  # noqa: BLE001 - it does not fit: compare on the twin
        pass
    if _same(lambda: candidate_matrix(eq, twin, l, True), lambda: candidate_matrix(prev, twin, l, True)):
        return f"same on the square twin {'-'.join(map(str, twin.sizes))}, where both sides fit"
    return ""


def _literal(res, own_ok, prev_ok, same_as_prev):
    """The verdict on one '=' of a chain: against the truth while every earlier side held; once a side is wrong,
    against that previous side, as printed (the slip carried along is not a new one)."""
    if prev_ok:
        return res
    same = same_as_prev()
    if same:
        where = "" if same is True or same == "same" else f" ({same})"
        out = CheckResult(True, f"equals the side before it{where}: this '=' holds, the slip is in an earlier side")
    elif own_ok:
        out = CheckResult(False, "right again, so this '=' fails: the side before it was wrong")
    else:
        return res
    out.diagnosis = [out.message, *res.diagnosis]
    return out


def index_chain(lhs, *sides, net=any_layer_net, layers=None):
    """Every '=' of the chain 'lhs = side_1 = side_2 = ...' in index notation, as printed.

    While every side so far holds, a side is checked against the truth of lhs (with the index diagnosis); after
    a wrong side, the next '=' compares the two sides themselves. A left-hand side that is itself wrong (Δ^L for
    Δ^l) fails the first '=', and the chain then goes on from its first side when that is one quantity.
    layers: the layers l to check (a list, or a function of the network: the source's stated range); default 2.
    """

    def run():
        n = net()
        ls = _layers(n, layers)
        texts = [lhs, *sides]
        out = []
        for l in ls:
            ref, prev_ok, prev_eq = lhs, True, None
            for k, side in enumerate(sides, 1):
                eq = parse_index(f"{ref} = {side}")
                res = check_index(eq, n, l=l)
                own_ok = res.ok
                res = _literal(res, own_ok, prev_ok, lambda eq=eq, prev=prev_eq, l=l: _same_index_sides(eq, prev, n, l))
                _link(res, k, texts, l, len(ls) > 1)
                out.append(res)
                if not own_ok and _QUANTITY.fullmatch(side):
                    ref, own_ok = side, True  # the chain goes on from this quantity
                prev_ok, prev_eq = own_ok, eq
        return out

    return run


def matrix_chain(name, truth, *sides, net=any_layer_net, layers=None, texts=None):
    """Every '=' of 'name = side_1 = side_2 ...' in matrix form: truth(n, l) and each side(n, l) give a Matrix.

    texts: the printed sides in plain words, for the step names. Same rule as index_chain.
    """

    def run():
        n = net()
        ls = _layers(n, layers)
        words = texts or [latex_to_text(name.replace("{{l}}", "{l}"))] + (
            ["the printed right-hand side"] if len(sides) == 1 else [f"side {k}" for k in range(1, len(sides) + 1)]
        )
        out = []
        for l in ls:
            prev_ok, prev = True, None
            for k, side in enumerate(sides, 1):
                res = check(lambda m, side=side, l=l: side(m, l), truth(n, l), name=name.replace("{l}", str(l)), net=n)
                own_ok = res.ok
                res = _literal(
                    res,
                    own_ok,
                    prev_ok,
                    lambda side=side, prev=prev, l=l: _same(lambda: side(n, l), lambda: prev(n, l)),
                )
                _link(res, k, words, l, len(ls) > 1)
                out.append(res)
                prev_ok, prev = own_ok, side
        return out

    return run


# ----------------------------------------------------------------------------------------------------------------
# quantities for matrix-form statements
# ----------------------------------------------------------------------------------------------------------------
def sigma_prime_at(net, l):
    """σ′(z^l), elementwise."""
    return net.sigma_prime_of(net.z[l])


def jacobian_matrix(net, kind, l):
    """A two-index Jacobian of net (e.g. "dada": ∂a^l_i/∂a^{l-1}_j) as a Matrix."""
    shape, d = net.jacobian(kind, l)
    return sp.Matrix(shape[0], shape[1], lambda i, j: d[(i, j)])


def row_sums(M):
    """The column of row sums of M (NumPy's M.sum(axis=1))."""
    return sp.Matrix([sum(M[i, :]) for i in range(M.shape[0])])


def directional(net, kind, l):
    """∂C/∂z^l (kind "z") or ∂C/∂a^l (kind "a") as directional derivatives d/dt C(v + t e_i) at t = 0."""
    t = sp.Symbol("t")
    base = net.z[l] if kind == "z" else net.a[l]
    out = []
    for i in range(base.shape[0]):
        e = sp.zeros(*base.shape)
        e[i, 0] = t
        out.append(sp.diff(net.cost_with(l, kind, base + e), t).subs(t, 0))
    return sp.Matrix(out)
