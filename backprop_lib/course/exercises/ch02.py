"""Exercises of notebooks/02_error_signal.ipynb: σ′ (2.5) in NumPy, the output error (2.4) for the quadratic cost,
and δ^L = a^L − y (2.8) for cross-entropy with a sigmoid output.

The two δ^L exercises take plain columns (a^L, y, z^L) and the elementwise σ′, never a network object, so the
package's own δ is out of reach. They are checked symbolically (the student's code runs on NumPy arrays of SymPy
expressions of a one-sample network; the proof engine compares with `sympy.diff` and names the slip) and on
numbers (a batch of m samples as columns, against `MLP.gradients`).
"""

from __future__ import annotations

import re

import numpy as np
import sympy as sp

from ...activations import sigmoid, sigmoid_prime
from ...network import MLP
from ...symbolic import cached_network
from ...symbolic import check as symbolic_check
from ...symbolic.text import plain
from . import Case, Exercise, Outcome
from .judges import numeric, symbolic


def _objects(matrix):
    return np.array(matrix, dtype=object)


def _is_matmul_error(value):
    return getattr(value, "kind", "") == "ValueError" and (
        "matmul" in value.message or "shape" in value.message or "broadcast" in value.message
    )


def symbolic_with_slips(ex, value, truth, net, name, slips=()):
    """judges.symbolic, with the exercise's own typical slips tried first when the answer is wrong.

    `slips` lists (why, wrong): a wrong formula written in the network's symbols (or a function building it, for
    a slip that only some shapes allow). When the answer equals `wrong`
    (exact evaluation at random points, no proof needed to tell), `why` is the diagnosis and the engine's own
    words follow on the next line. Every message is plain Unicode (no TeX braces).
    """
    outcome = symbolic(ex, value, truth, net=net, name=name)
    if outcome.ok or not isinstance(value, sp.MatrixBase):
        return _plain(outcome)
    for why, wrong in slips:
        if callable(wrong):  # a slip that only some shapes allow: built here, skipped where it cannot be
            try:
                wrong = wrong()
            except (sp.ShapeError, ValueError):
                continue
        wrong = sp.Matrix(wrong)
        if value.shape == wrong.shape and symbolic_check(value, wrong, net=net, prove=False).ok:
            engine = plain(outcome.message)
            return Outcome(False, why, [] if "no single typical slip" in engine else [engine])
    return _plain(outcome)


_NUMBERS_ONLY = ("convert expression to float", "loop of ufunc does not support", "truth value of Relational")


def short_message(message, limit=160):
    """An exception's message as one readable line: a SymPy expression in it (TeX-like names such as W^{2}_{00})
    is cut off, and the line is at most `limit` characters."""
    found = re.search(r"[A-Za-z]+\^\{|[\^_]\{", message)
    if found:
        message = message[: found.start()].rstrip(" :") + " … (a symbolic expression)"
    return message if len(message) <= limit else message[: limit - 1] + "…"


def raised_hint(ex, value):
    """A diagnosis for the exceptions a typical slip raises on the symbolic inputs, or None."""
    kind, message = getattr(value, "kind", ""), getattr(value, "message", "")
    if kind in ("TypeError", "AttributeError") and any(words in message for words in _NUMBERS_ONLY):
        return Outcome(
            False,
            "a function of numbers met a symbolic entry: the check runs your code on SymPy "
            "expressions too, so use the functions it passes in (sigma_prime), not NumPy's",
            [f"{ex.answer[0]} raised {kind}: {short_message(message)}"],
        )
    return None


class ChapterExercise(Exercise):
    """Exercise with one change for every exercise of notebooks 02 and 03: what a raised exception says is cut to
    one readable line (an exception raised on the symbolic inputs can quote a whole SymPy expression)."""

    def refuse(self, value, expected):
        outcome = super().refuse(value, expected)
        if outcome is not None and outcome.answered and hasattr(value, "kind"):
            outcome.message = f"{self.answer[0]} raised {value.kind}: {short_message(value.message)}"
        return outcome


def without_echo(outcome):
    """Drop a detail line that only repeats the diagnosis (compare's line after its own headline)."""
    head = outcome.message.split(": ", 1)[-1]
    outcome.details = [d for d in outcome.details if head not in d]
    return outcome


def _plain(outcome):
    outcome.message = plain(outcome.message)
    outcome.details = [plain(d) for d in outcome.details]
    return outcome


# ------------------------------------------------------------------------------------------------ 2.1
def _z_of(params):
    """The inputs of Exercise 2.1 from plain parameters: a grid, a seeded batch, or exact zeros."""
    kind = params["kind"]
    if kind == "grid":
        return np.linspace(-8.0, 8.0, 33).reshape(-1, 1)
    if kind == "zeros":
        return np.zeros(tuple(params["shape"]))
    rng = np.random.default_rng(params["seed"])
    return rng.normal(scale=params["scale"], size=tuple(params["shape"]))


class SigmaPrime(ChapterExercise):
    id, title, points = "2.1", "σ′ in NumPy", 2
    answer = ("sigma_prime",)

    def cases(self):
        return [
            Case("z on a grid of 33 points in [-8, 8], as a column", {"kind": "grid"}),
            Case("a batch of shape (3, 4) with z = 0 everywhere, where σ′ = 1/4", {"kind": "zeros", "shape": [3, 4]}),
            Case(
                "random z of shape (2, 3, 5), |z| up to about 60",
                {"kind": "random", "shape": [2, 3, 5], "scale": 20.0, "seed": 21},
                hidden=True,
            ),
            Case("random z of shape (7,)", {"kind": "random", "shape": [7], "scale": 3.0, "seed": 22}, hidden=True),
        ]

    def run(self, case, sigma_prime):
        return sigma_prime(_z_of(case.params))

    def judge(self, case, value):
        z = _z_of(case.params)
        s = sigmoid(z)
        slips = [
            ("σ where σ′ belongs: sigma(z) itself, not its derivative σ(z)(1 − σ(z))", s),
            ("the minus of 1 − σ(z) became a plus: σ(z)(1 + σ(z))", s * (1 + s)),
            ("σ(z)² is not σ′: the second factor is 1 − σ(z), not σ(z)", s**2),
            ("the factor σ(z) is missing: 1 − σ(z) alone", 1 - s),
            ("a(1 − a) needs a = σ(z): z(1 − z) uses z itself", z * (1 - z)),
        ]
        return without_echo(numeric(self, value, sigmoid_prime(z), "sigma_prime(z)", slips=slips))


# ------------------------------------------------------------------------------------------------ 2.2, 2.3
def _numeric_batch(sizes, cost, seed, m=5):
    """A sigmoid network, a batch of m samples as columns, its forward pass and the package's δ^L (reference)."""
    net = MLP(list(sizes), activation="sigmoid", cost=cost, seed=seed)
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((sizes[0], m)), rng.uniform(0.05, 0.95, size=(sizes[-1], m))
    fw = net.forward(X)
    return net, Y, fw, net.gradients(X, Y).delta[net.L]


class _OutputError(ChapterExercise):
    """δ^L from the columns a^L, y, z^L and the elementwise σ′: symbolic cases on one sample, numeric on m."""

    cost = ""

    def run(self, case, delta_L):
        p = case.params
        if p.get("numeric"):
            net, Y, fw, _ = _numeric_batch(p["sizes"], self.cost, p["seed"])
            L = net.L
            return delta_L(fw.a[L].copy(), Y.copy(), fw.z[L].copy(), net.activation_of(L).sigma_prime)
        sym = self._net(p["sizes"])
        L = sym.L
        return delta_L(
            _objects(sym.a[L]), _objects(sym.y), _objects(sym.z[L]), np.vectorize(sym.sigma_prime_f, otypes=[object])
        )

    def _net(self, sizes):
        raise NotImplementedError

    def _raised(self, value):
        if _is_matmul_error(value):
            return Outcome(
                False,
                "⊙ is elementwise: write *, not @ (a matrix product does not fit two columns)",
                [f"{self.answer[0]} raised ValueError: {short_message(value.message)}"],
            )
        return raised_hint(self, value)

    def judge(self, case, value):
        refused = self.refuse(value, "a column of shape (n_L, 1)")
        if refused is not None:
            return self._raised(value) or refused
        p = case.params
        if p.get("numeric"):
            net, Y, fw, reference = _numeric_batch(p["sizes"], self.cost, p["seed"])
            L = net.L
            A, Z = fw.a[L], fw.z[L]
            return without_echo(numeric(self, value, reference, "delta_L", slips=self.numeric_slips(A, Y, Z)))
        sym = self._net(p["sizes"])
        L = sym.L
        if isinstance(value, sp.MatrixBase) and value.shape == (1, sym.sizes[L]):
            value = value.T
        aL, y, zL = sym.a[L], sym.y, sym.z[L]
        return symbolic_with_slips(self, value, sym.delta(L), sym, "δ^L", self.symbolic_slips(sym, aL, y, zL))


class OutputErrorQuadratic(_OutputError):
    id, title, points = "2.2", "δ^L for the quadratic cost", 3
    answer = ("delta_L_quadratic",)
    cost = "quadratic"

    def cases(self):
        return [
            Case("a one-sample 2-3-2 network with undefined σ (symbolic)", {"sizes": [2, 3, 2]}),
            Case(
                "a sigmoid 4-3-2 network, a batch of m = 5 samples as columns (numbers)",
                {"sizes": [4, 3, 2], "seed": 23, "numeric": True},
            ),
            Case("a one-sample 3-2-2-3 network with undefined σ (symbolic)", {"sizes": [3, 2, 2, 3]}, hidden=True),
            Case(
                "a sigmoid 3-4-1 network, m = 5 (numbers)",
                {"sizes": [3, 4, 1], "seed": 24, "numeric": True},
                hidden=True,
            ),
        ]

    def _net(self, sizes):
        return cached_network(tuple(sizes), cost="quadratic")

    def symbolic_slips(self, sym, aL, y, zL):
        return [
            (
                "σ′ applied to a^L: the derivative belongs at the weighted input, sigma_prime(z_L)",
                (aL - y).multiply_elementwise(sym.sigma_prime_of(aL)),
            )
        ]

    def numeric_slips(self, A, Y, Z):
        return [
            ("σ where σ′ belongs: multiply by sigma_prime(z_L), not by σ(z_L) = a_L", (A - Y) * A),
            ("the factor σ′(z^L) of (2.4) is missing: a_L − y is ∇_a C alone", A - Y),
            (
                "σ′ applied to a^L: the derivative belongs at the weighted input, sigma_prime(z_L)",
                (A - Y) * sigmoid_prime(A),
            ),
        ]


class OutputErrorCrossEntropy(_OutputError):
    id, title, points = "2.3", "δ^L for cross-entropy with a sigmoid output", 2
    answer = ("delta_L_cross_entropy",)
    cost = "cross_entropy"

    def cases(self):
        return [
            Case("a one-sample sigmoid 2-3-2 network with the cross-entropy cost (symbolic)", {"sizes": [2, 3, 2]}),
            Case(
                "a sigmoid 4-3-2 network with the cross-entropy cost, m = 5 samples as columns (numbers)",
                {"sizes": [4, 3, 2], "seed": 25, "numeric": True},
            ),
            Case("a one-sample sigmoid 3-2-3 network (symbolic)", {"sizes": [3, 2, 3]}, hidden=True),
            Case(
                "a sigmoid 3-4-1 network, m = 5 (numbers)",
                {"sizes": [3, 4, 1], "seed": 26, "numeric": True},
                hidden=True,
            ),
        ]

    def _net(self, sizes):
        return cached_network(tuple(sizes), activation="sigmoid", cost="cross_entropy")

    def symbolic_slips(self, sym, aL, y, zL):
        spz = sym.sigma_prime_of(zL)
        grad = sp.Matrix(aL.shape[0], 1, lambda j, _: (aL[j] - y[j]) / (aL[j] * (1 - aL[j])))
        return [
            (
                "an extra factor σ′(z^L): (2.5) has already cancelled it against the cost's denominator a(1 − a)",
                (aL - y).multiply_elementwise(spz),
            ),
            (
                "∇_a C alone: (a − y)/(a(1 − a)) still needs the factor σ′(z^L) of (2.4), which cancels its "
                "denominator",
                grad,
            ),
        ]

    def numeric_slips(self, A, Y, Z):
        return [
            (
                "an extra factor σ′(z^L): (2.5) has already cancelled it against the cost's denominator a(1 − a)",
                (A - Y) * sigmoid_prime(Z),
            ),
            (
                "∇_a C alone: (a − y)/(a(1 − a)) still needs the factor σ′(z^L) of (2.4), which cancels its "
                "denominator",
                (A - Y) / (A * (1 - A)),
            ),
        ]
