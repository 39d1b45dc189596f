"""Exercises of notebooks/07_proofreading.ipynb: three printed equations of the sources, corrected by the student.

7.1 source 000's recursion (2) in its own letters, as two index-notation strings (the middle form with the
    Kronecker delta and the collapsed form), checked by `check_index` at every hidden layer;
7.2 source 002's input sum of layer l+1, as an index-notation string;
7.3 source 003's dC/dw^1 in matrix form: a function of a view of a symbolic network (the forward pass and σ′ only,
    no gradients), whose SymPy matrix the proof engine compares with SymPy's own derivative.
The strings cross to the judge as text and are read there, after `index_text_problem` has made sure that they
consist of the notation's words only; the matrix crosses as a SymPy expression graph.
"""

from __future__ import annotations

import re
import types

import sympy as sp

from ...symbolic import SymbolicNetwork, cached_network
from ...symbolic.index import check_index, parse_index
from ...symbolic.text import plain
from . import Case, Exercise, Outcome
from .judges import index_text_problem, symbolic

_GRADIENTS = ("dC_dz", "dC_db", "dC_dW", "dC_da", "omega", "lam", "dadz", "dada", "dzda", "gradC")


def _read(ex, label, text, lhs_example, lhs_words):
    """(equation, None) for a readable index equation whose left side is like lhs_example, else (None, Outcome)."""
    refused = ex.refuse(text, f'a string such as "{lhs_example} = ..."')
    if refused is not None:
        refused.message = f"{label}: {refused.message}" if not refused.message.startswith(label) else refused.message
        return None, refused
    problem = index_text_problem(text)
    if problem:
        return None, Outcome(False, f"{label} cannot be read: {problem}")
    try:
        equation = parse_index(text)
    except (ValueError, TypeError, SyntaxError) as exc:
        return None, Outcome(False, f"{label} cannot be read: {str(exc).splitlines()[0][:200]}")
    if equation.lhs.base != parse_index(f"{lhs_example} = {lhs_example}").lhs.base:
        return None, Outcome(
            False,
            f"{label}: the left-hand side must be {lhs_example} ({lhs_words}), got {text.partition('=')[0].strip()!r}",
        )
    return equation, None


def _used(text):
    """The quantities name[layer] on the right-hand side of an index equation, layers without spaces."""
    rhs = text.partition("=")[2]
    return {(name, layer.replace(" ", "")) for name, layer in re.findall(r"\b(\w+)\[([^\]]+)\]", rhs)}


def _plain(outcome):
    """The outcome with the engine's LaTeX (W^{l + 1}_{km}, $...$) as plain Unicode: a check prints text."""
    outcome.message = plain(outcome.message)
    outcome.details = [plain(d) for d in outcome.details]
    return outcome


def _index_outcome(label, result, l, net):
    if result.ok:
        return None
    details = [d for d in dict.fromkeys(getattr(result, "diagnosis", []) or []) if d != result.message]
    where = f"at layer l = {l} of {'-'.join(map(str, net.sizes))}"
    return _plain(Outcome(False, f"{label} {where}: {result.message}", details))


class SourceRecursion(Exercise):
    id, title, points = "7.1", "source 000's recursion (2), corrected", 2
    answer = ("recursion_kronecker", "recursion_000")

    def cases(self):
        return [
            Case("every hidden layer of a 2-3-4-5 network (symbolic)", {"sizes": [2, 3, 4, 5]}),
            Case("every hidden layer of a 3-2-4-2 network (symbolic)", {"sizes": [3, 2, 4, 2]}, hidden=True),
            Case("every hidden layer of a 2-4-3-3-2 network (symbolic)", {"sizes": [2, 4, 3, 3, 2]}, hidden=True),
        ]

    def run(self, case, recursion_kronecker, recursion_000):
        return [recursion_kronecker, recursion_000]  # two strings: all the work is the judge's

    def judge(self, case, value):
        refused = self.refuse(value, "two strings")
        if refused is not None:
            return refused
        if not isinstance(value, list) or len(value) != 2:
            return Outcome(False, "the check's record is malformed")
        net = cached_network(tuple(case.params["sizes"]))
        for label, text in zip(self.answer, value):
            equation, outcome = _read(self, label, text, "Delta[l]_i", "the error signal of layer l")
            if outcome is not None:
                return outcome
            shortcuts = sorted(
                f"{name}[{layer}]"
                for name, layer in _used(text)
                if name in _GRADIENTS or (name in ("Delta", "delta") and layer == "l")
            )
            if shortcuts:
                return Outcome(
                    False,
                    f"{label}: the right-hand side may not use {', '.join(shortcuts)}: write "
                    "Delta^l in terms of Delta^(l+1), the weights and z^l",
                )
            if label == "recursion_kronecker" and "KroneckerDelta" not in text:
                return Outcome(
                    False,
                    "recursion_kronecker is the middle form: it keeps KroneckerDelta(j, i) and "
                    "sums over k and j (recursion_000 is the collapsed one)",
                )
            for l in range(1, net.L):
                outcome = _index_outcome(label, check_index(text, net=net, l=l), l, net)
                if outcome is not None:
                    return outcome
        return Outcome(True, "both forms hold at every hidden layer")


class SourceInputSum(Exercise):
    id, title, points = "7.2", "source 002's input sum of layer l+1, corrected", 1
    answer = ("z_next",)

    def cases(self):
        return [
            Case("l = 1 and l = 2 of a 2-3-4-5 network (symbolic)", {"sizes": [2, 3, 4, 5]}),
            Case("l = 1 and l = 2 of a 3-2-4-2 network (symbolic)", {"sizes": [3, 2, 4, 2]}, hidden=True),
        ]

    def run(self, case, z_next):
        return z_next

    def judge(self, case, value):
        equation, outcome = _read(self, "z_next", value, "z[l+1]_m", "the weighted input of layer l+1")
        if outcome is not None:
            return outcome
        if any(name == "z" for name, _ in _used(value)):
            return Outcome(False, "z_next: the right-hand side may not use z itself: write it with W, a and b")
        net = cached_network(tuple(case.params["sizes"]))
        for l in (1, 2):
            outcome = _index_outcome("z_next", check_index(value, net=net, l=l), l, net)
            if outcome is not None:
                return outcome
        return Outcome(True, "it holds at l = 1 and l = 2")


def _view(sizes):
    """What dC_dW1 may use: a fresh symbolic network's forward pass and σ, σ′, not its gradients.

    Fresh (not the shared cached network) so that an answer that changes the matrices it is given cannot
    change the truth the judge compares with.
    """
    net = SymbolicNetwork(list(sizes), activation=None, cost="quadratic", m=1)
    return types.SimpleNamespace(
        W=list(net.W),
        b=list(net.b),
        z=list(net.z),
        a=list(net.a),
        x=net.x,
        y=net.y,
        sigma_of=net.sigma_of,
        sigma_prime_of=net.sigma_prime_of,
    )


def _raised_hint(ex, value):
    """A shape error raised while the answer built its matrix: which product or ⊙ did not fit, and the usual cause."""
    kind, message = getattr(value, "kind", ""), getattr(value, "message", "")
    if kind in ("ShapeError", "ShapeMismatch", "ValueError") or "shape" in message.lower():
        if "Hadamard" in message or "⊙" in message:
            why = "σ′(z²) belongs to delta² = (a² - y) ⊙ σ′(z²) and σ′(z¹) to delta¹ (the two σ′ exchanged?)"
        else:
            why = "W² is (n₂, n₁), so the step back to layer 1 needs W[2].T * delta2 (a missing .T?)"
        return Outcome(False, f"the shapes do not fit: {why}", [f"{ex.answer[0]} raised {kind}: {message}"])
    return None


class SourceInnerGradient(Exercise):
    id, title, points = "7.3", "source 003's dC/dw^1, corrected", 3
    answer = ("dC_dW1",)

    def cases(self):
        return [
            Case("source 003's network, widths 3-4-2, quadratic cost (symbolic)", {"sizes": [3, 4, 2]}),
            Case("a 2-5-3 network, quadratic cost (symbolic)", {"sizes": [2, 5, 3]}, hidden=True),
            Case("a 4-2-3 network, quadratic cost (symbolic)", {"sizes": [4, 2, 3]}, hidden=True),
        ]

    def run(self, case, dC_dW1):
        return dC_dW1(_view(case.params["sizes"]))

    def judge(self, case, value):
        refused = self.refuse(value, "a SymPy matrix")
        if refused is not None:
            return _raised_hint(self, value) or refused
        net = cached_network(tuple(case.params["sizes"]), None, "quadratic", 1)
        if not isinstance(value, sp.MatrixBase):
            return Outcome(
                False,
                f"dC_dW1 gave {type(value).__name__}; expected a SymPy matrix of shape {net.W[1].shape}, like W^1",
            )
        return _plain(symbolic(self, value, net.dC_dW(1), net=net, name="dC/dW^1"))
