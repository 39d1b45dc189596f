"""Proof cells that fail when their claim does not hold: Proof, prove() and reject().

A notebook proves an equation, say (3.1), on a symbolic network, often layer by layer:

    p = Proof("(3.1)", net=sym)
    for l in range(1, sym.L + 1):
        p.check(candidate(l), sym.dC_dW(l), layer=l)
    p          # ✔ (3.1) for layers 1-3 of 2-3-4-5, 38 entries (exact evaluation, then a symbolic proof)

Each check runs `symbolic.check` (or `symbolic.index.check_index`); the first that fails raises CheckFailed,
whose first line names the equation, the layer, the network and the engine's own diagnosis, so Run All, nbval
(lax or strict) and a grader all stop there. A cell that shows a *wrong* formula uses reject(): it asserts that
the engine rejects it with the expected diagnosis, so an engine that starts accepting it fails the cell too.
Taught in notebooks 01-07 (every proof cell).
"""

from __future__ import annotations

from ..verdict import CheckFailed, Requirable
from .check import CheckResult
from .check import check as _check
from .network import cached_network
from .text import describe_net, plain

__all__ = ["Proof", "prove", "reject"]

_HOW = {
    "exact evaluation at random points, then a symbolic proof": "exact evaluation, then a symbolic proof",
    "high-precision evaluation at random points, then a symbolic proof": (
        "high-precision evaluation, then a symbolic proof"
    ),
    "random points": "random points only, no symbolic proof",
}


def _layers_words(layers):
    """'layer 2', 'layers 1-3' (a run) or 'layers 1, 3'."""
    ls = sorted(set(layers))
    if len(ls) == 1:
        return f"layer {ls[0]}"
    if ls == list(range(ls[0], ls[-1] + 1)):
        return f"layers {ls[0]}-{ls[-1]}"
    return "layers " + ", ".join(str(x) for x in ls)


def _entries(result):
    if result.shape is None:
        return 0
    r, c = result.shape
    return r * c


def _lines(result, limit=3):
    """The engine's diagnosis of a failed result, plain Unicode: first finding, then up to `limit` more lines."""
    found = [plain(d) for d in (result.diagnosis or [result.message])]
    first = found[0] if found else plain(result.message)
    rest = []
    for d in found[1:]:
        if d != first and d not in rest:
            rest.append(d)
    return first, rest[:limit]


def _mentions(result, expect):
    """True when `expect` occurs (case-insensitive; ' and ′ alike) in the message or a diagnosis line."""

    def norm(s):
        return plain(s).replace("'", "′").casefold()

    want = norm(expect)
    # the list of slips the engine tried and ruled out ("tried: ...") names no finding: never match inside it
    texts = [norm(t).split("(tried:")[0] for t in [result.message, *result.diagnosis]]
    return any(want in t for t in texts)


class Proof(Requirable):
    """One equation proved by one or more checks (e.g. one per layer); raises at the first check that fails.

    label: the equation's number as the notebook prints it, "(3.1)"; net: the SymbolicNetwork its checks run on
    (each check can also pass a callable of the network as candidate or truth). `.ok`, `.message` (one line),
    `.require()`, `.results` (the CheckResults). As a cell's last expression it shows one line.
    """

    def __init__(self, label, net=None):
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"label must be a non-empty string such as '(3.1)', got {label!r}")
        self.label = label.strip()
        self.net = net
        self.results = []
        self.layers = []
        self.failed = None

    # ----- running checks --------------------------------------------------------------------------------
    def _fail_line(self, layer, net, result):
        where = ""
        if layer is not None:
            where = f" at layer {layer}"
            if net is not None:
                where += f" of {describe_net(net)}"
        elif net is not None:
            where = f" on {describe_net(net)}"
        first, rest = _lines(result)
        return [f"✘ {self.label} fails{where}: {first}", *rest]

    def _record(self, result, layer, net):
        self.results.append(result)
        if layer is not None:
            self.layers.append(layer)
        if not result.ok:
            lines = self._fail_line(layer, net, result)
            self.failed = lines[0]
            raise CheckFailed(*lines)
        return result

    def check(self, candidate, truth, layer=None, statement=None, name=None, **kw) -> CheckResult:
        """Run symbolic.check(candidate, truth) on this proof's network; raise CheckFailed if it fails.

        layer: the layer l this check is about (for the message only); statement, name: LaTeX of the right and
        left sides, shown in the Markdown form; other keywords go to symbolic.check (points, seed, prove).
        """
        if layer is not None and (not isinstance(layer, int) or isinstance(layer, bool)):
            raise TypeError(f"layer must be an int (the layer l the check is about), got {layer!r}")
        result = _check(candidate, truth, name=name, net=self.net, statement=statement, **kw)
        return self._record(result, layer, self.net)

    def check_index(self, equation_text, l=None, net=None, name=None, **kw) -> CheckResult:
        """Run symbolic.index.check_index(equation_text, net, l) and record it like check(); l is the layer bound."""
        from .index import check_index

        net = net if net is not None else self.net
        if net is None:
            net = self.net = cached_network((2, 3, 4, 5))
        result = check_index(equation_text, net=net, l=l, name=name, **kw)
        if l is None:
            l = net.L - 1 if net.L > 1 else 1
        return self._record(result, l, net)

    # ----- the verdict -----------------------------------------------------------------------------------
    @property
    def ok(self):
        return bool(self.results) and self.failed is None and all(r.ok for r in self.results)

    @property
    def entries(self):
        return sum(_entries(r) for r in self.results)

    def _how(self):
        hows = []
        for r in self.results:
            h = _HOW.get(r.method, r.method)
            if h and h not in hows:
                hows.append(h)
        return "; ".join(hows)

    @property
    def message(self):
        """One line: ✔ or ✘, the label, the layers and network, how many entries, and how it was proved."""
        if self.failed is not None:
            return self.failed
        if not self.results:
            return f"✘ {self.label}: nothing checked yet"
        where = ""
        if self.layers:
            where = f" for {_layers_words(self.layers)}"
            if self.net is not None:
                where += f" of {describe_net(self.net)}"
        elif self.net is not None:
            where = f" on {describe_net(self.net)}"
        n = self.entries
        count = f", {n} entr{'y' if n == 1 else 'ies'}" if n else ""
        how = self._how()
        return f"✔ {self.label}{where}{count}" + (f" ({how})" if how else "")

    def __repr__(self):
        return self.message

    def _repr_markdown_(self):
        text = self.message
        mark, rest = text[0], text[1:].strip()
        label_end = len(self.label)
        head = f"**{mark} {rest[:label_end]}**{rest[label_end:]}"
        first = next((r for r in self.results if r.statement), None)
        if first is not None and self.ok:
            head += f": ${first._equation_latex()}$"
        return head


def prove(label, candidate, truth, net=None, **kw) -> Proof:
    """One check as a Proof: `prove("(2.4)", cand, sym.delta(3), net=sym, layer=3)` shows one line or raises.

    A string candidate with truth None is an index equation, run by check_index (l=... binds the layer).
    """
    p = Proof(label, net=net)
    if isinstance(candidate, str) and truth is None:
        p.check_index(candidate, **kw)
    else:
        p.check(candidate, truth, **kw)
    return p


class Rejection(CheckResult):
    """The engine's verdict on a formula shown as wrong: ok is False (the formula fails), and it displays as the
    one line "✘ as expected, <label> is rejected: <diagnosis>"."""

    def __init__(self, result, label):
        super().__init__(
            result.ok,
            result.message,
            name=result.name,
            statement=result.statement,
            diagnosis=result.diagnosis,
            mismatches=result.mismatches,
            seconds=result.seconds,
            method=result.method,
            shape=result.shape,
        )
        self.label = label
        self.line = f"✘ as expected, {label} is rejected: {_lines(result)[0]}"

    def __repr__(self):
        return self.line

    def _repr_markdown_(self):
        return f"**✘ as expected**, {self.line[len('✘ as expected, ') :]}"


def reject(label, candidate, truth, expect, net=None, **kw) -> CheckResult:
    """Assert that the engine rejects a wrong formula and that its diagnosis mentions `expect` (e.g. "σ′").

    Returns the engine's CheckResult (ok False), shown as one line. Raises CheckFailed when the engine accepts
    the formula, or rejects it for another reason, so a notebook that shows a slip fails if the engine changes.
    A string candidate with truth None is an index equation (check_index; l=... binds the layer).
    """
    if not isinstance(expect, str) or not expect.strip():
        raise ValueError(f"expect must be a non-empty string the diagnosis should mention, got {expect!r}")
    kw = dict(kw)
    layer = kw.pop("layer", None)
    if isinstance(candidate, str) and truth is None:
        from .index import check_index

        net = net if net is not None else cached_network((2, 3, 4, 5))
        result = check_index(candidate, net=net, **kw)
    else:
        result = _check(candidate, truth, net=net, **kw)
    where = f" at layer {layer}" if layer is not None else ""
    if net is not None:
        where += f" {'of' if layer is not None else 'on'} {describe_net(net)}"
    if result.ok:
        raise CheckFailed(
            f"✘ {label} was shown as wrong, but the engine proves it{where}: {plain(result.message)}",
            f"expected a rejection whose diagnosis mentions {expect!r}",
        )
    if not _mentions(result, expect):
        first, rest = _lines(result)
        raise CheckFailed(f"✘ {label} is rejected{where}, but not for the expected reason {expect!r}: {first}", *rest)
    return Rejection(result, label)
