"""Exercises of notebooks/01_forward_pass.ipynb: z^2 in matrix form (1.2)-(1.3), and the forward pass as a loop.

Exercise 1.1 is checked symbolically: the student's `z2(W, b, x, sigma)` runs on the SymPy matrices of a network
whose σ is undefined, and the proof engine compares the result with the engine's own z^2. Exercise 1.2 is checked
on numbers: the student's `forward_loop(W, b, x, sigma)` runs on plain NumPy copies of a sigmoid network's
parameters, and the judge compares every z[l] and a[l] with `MLP.forward`, which it runs itself.
"""

from __future__ import annotations

import re

import numpy as np
import sympy as sp

from ...network import MLP
from ...symbolic import SymbolicNetwork
from ...symbolic import check as symbolic_check
from ...symbolic.text import plain
from . import Case, Exercise, Outcome
from .judges import numeric, symbolic

__all__ = ["ForwardLoop", "Z2MatrixForm"]


# ------------------------------------------------------------------------------------------------ Exercise 1.1
def _sym_net(sizes):
    return SymbolicNetwork(list(sizes))


def _same(value, expr, sym) -> bool:
    """True when the SymPy matrix `value` equals `expr` on the network `sym` (the engine decides)."""
    if not isinstance(value, sp.MatrixBase) or value.shape != sp.Matrix(expr).shape:
        return False
    return symbolic_check(value, expr, net=sym, prove=False).ok


def _z2_slips(sym):
    """(why, wrong z^2) for the typical slips of Exercise 1.1, on the network `sym` (recomputed from its symbols)."""
    W, b, x, s = sym.W, sym.b, sym.x, sym.sigma_of
    z1, a1 = W[1] * x + b[1], s(W[1] * x + b[1])
    slips = [
        ("σ is missing at layer 1: a¹ = σ(z¹) feeds layer 2, not z¹ itself", W[2] * z1 + b[2]),
        (
            "σ is applied to z² as well: the answer is a² = σ(z²), but z² is the weighted input, before σ",
            s(W[2] * a1 + b[2]),
        ),
        (
            "σ is applied before adding the bias: σ(W¹x) + b¹ where σ(W¹x + b¹) belongs",
            W[2] * (s(W[1] * x) + b[1]) + b[2],
        ),
    ]
    slips.append(("returns z¹, the weighted input of layer 1; z² is one layer further: W² a¹ + b²", z1))
    slips.append(("returns a¹, the activation of layer 1; z² is one layer further: W² a¹ + b²", a1))
    if sym.sizes[2] == sym.sizes[1]:
        slips.append(("uses b¹ where b² belongs (each layer has its own bias)", W[2] * a1 + b[1]))
    if W[1].shape == W[2].shape:
        slips.append(("uses W¹ where W² belongs: layer 2 multiplies a¹ by its own weights W²", W[1] * a1 + b[2]))
    if W[2].shape[0] == W[2].shape[1]:
        slips.append(
            (
                "W² is transposed: W[2].T where W[2] belongs (row j of W² holds the weights into neuron j)",
                W[2].T * a1 + b[2],
            )
        )
    if W[1].shape[0] == W[1].shape[1]:
        slips.append(
            (
                "W¹ is transposed: W[1].T where W[1] belongs (row j of W¹ holds the weights into neuron j)",
                W[2] * s(W[1].T * x + b[1]) + b[2],
            )
        )
    return slips


def _shapes(message):
    """The two shapes SymPy names in 'Matrix size mismatch: (3, 4) * (3, 1).', or None."""
    found = re.findall(r"\((\d+), (\d+)\)", message)
    return [tuple(int(n) for n in pair) for pair in found[:2]] if len(found) >= 2 else None


def _sympy_shape_slip(value, sizes):
    """A ShapeError from SymPy inside z2: name the transposed W, the W or the b of the wrong layer, if it shows."""
    if getattr(value, "kind", "") not in ("ShapeError", "ValueError", "NonSquareMatrixError"):
        return None
    msg = value.message
    shapes = _shapes(msg) or [None, None]
    W_shape = {l: (sizes[l], sizes[l - 1]) for l in range(1, len(sizes))}
    b_shape = {l: (sizes[l], 1) for l in range(1, len(sizes))}
    detail = [f"z2 raised {value.kind}: {msg}"]
    if "*" in msg or "matmul" in msg or "multipl" in msg:
        left = shapes[0]
        if left in (W_shape[2][::-1], W_shape[1][::-1]) and left not in (W_shape[1], W_shape[2]):
            which = 2 if left == W_shape[2][::-1] else 1
            return Outcome(
                False,
                f"the factors do not fit: W[{which}].T where W[{which}] belongs? W[l] is "
                "(n_l, n_(l-1)) and multiplies a[l-1] from the left, W[l] * a[l-1]",
                detail,
            )
        if left == W_shape[1] and W_shape[1] != W_shape[2]:
            return Outcome(
                False, "the factors do not fit: W[1] where W[2] belongs? Layer 2 is W[2] * a1 + b[2]", detail
            )
        return Outcome(
            False,
            "the factors do not fit: is there a .T, or a W of the wrong layer? W[l] is "
            "(n_l, n_(l-1)) and multiplies a[l-1] from the left, W[l] * a[l-1]",
            detail,
        )
    if "+" in msg or "add" in msg:
        if b_shape[1] in shapes and b_shape[1] != b_shape[2]:
            return Outcome(
                False,
                "the sum does not fit: b[1] where b[2] belongs? z² = W² a¹ + b² needs b[2], which has n_2 entries",
                detail,
            )
        return Outcome(
            False,
            "the sum does not fit: a bias of the wrong layer? z² = W² a¹ + b² needs b[2], which has n_2 entries",
            detail,
        )
    return None


class Z2MatrixForm(Exercise):
    id, title, points = "1.1", "z² in matrix form", 3
    answer = ("z2",)

    def cases(self):
        return [
            Case("a 2-3-4 network (symbolic)", {"sizes": [2, 3, 4]}),
            Case("a 3-2-2-1 network (symbolic)", {"sizes": [3, 2, 2, 1]}, hidden=True),
            Case("a 2-2-2 network (symbolic, square layers)", {"sizes": [2, 2, 2]}, hidden=True),
        ]

    def run(self, case, z2):
        sym = _sym_net(case.params["sizes"])
        return z2(list(sym.W), list(sym.b), sym.x, sym.sigma_of)

    def judge(self, case, value):
        refused = self.refuse(value, "a SymPy matrix, the column z²")
        if refused is not None:
            return _sympy_shape_slip(value, case.params["sizes"]) or refused
        sym = _sym_net(case.params["sizes"])
        truth = sym.z[2]
        if isinstance(value, sp.MatrixBase) and value.shape == (1, truth.shape[0]) and truth.shape[0] > 1:
            return Outcome(
                False,
                f"z² is a row {value.shape}; it is a column ({truth.shape[0]}, 1): W² a¹ + b² with a¹ and b² columns",
            )
        outcome = symbolic(self, value, truth, net=sym, name="z^2")
        if outcome.ok:
            return outcome
        outcome.message = plain(outcome.message)
        outcome.details = [plain(d) for d in outcome.details]
        for why, wrong in _z2_slips(sym):  # an exact match with a typical slip names it best
            if _same(value, wrong, sym):
                return Outcome(False, why, [outcome.message])
        return outcome


# ------------------------------------------------------------------------------------------------ Exercise 1.2
def _sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


def _numeric_case(sizes, seed, m):
    """A sigmoid network and an input batch (n_0, m), both from the seed: the same in `run` and in `judge`."""
    net = MLP(list(sizes), activation="sigmoid", seed=seed)
    X = np.random.default_rng(seed).standard_normal((sizes[0], m))
    return net, X


def _numpy_slip(value):
    """An exception inside the loop: a transposed W (matmul), `*` where `@` belongs (broadcast), an index off by one."""
    kind, msg = getattr(value, "kind", ""), getattr(value, "message", "")
    if (kind == "TypeError" and "NoneType" in msg) or (kind == "ValueError" and "enough dimensions" in msg):
        return Outcome(
            False,
            "W[0] and b[0] are None (there is no layer 0): the loop runs l = 1, ..., L, "
            "range(1, L + 1); is an index off by one, W[l-1] for W[l]?",
            [f"forward_loop raised {kind}: {msg}"],
        )
    if kind == "IndexError":
        return Outcome(
            False,
            "an index past the end of a list: layer l uses a[l-1], the layer before it, and the "
            "loop ends at l = L = len(W) - 1",
            [f"forward_loop raised {kind}: {msg}"],
        )
    if kind != "ValueError":
        return None
    if "matmul" in msg:
        return Outcome(
            False,
            "the factors do not fit: is there a W[l].T? W[l] is (n_l, n_(l-1)) and multiplies "
            "a[l-1] from the left, W[l] @ a[l-1]",
            [f"forward_loop raised ValueError: {msg}"],
        )
    if "broadcast" in msg:
        return Outcome(
            False,
            "`*` is NumPy's entrywise product; the matrix product W[l] a[l-1] is W[l] @ a[l-1]",
            [f"forward_loop raised ValueError: {msg}"],
        )
    return None


class ForwardLoop(Exercise):
    id, title, points = "1.2", "the forward pass as a loop", 4
    answer = ("forward_loop",)

    def cases(self):
        return [
            Case("a 3-4-5-2 sigmoid network, a batch of m = 6 samples", {"sizes": [3, 4, 5, 2], "seed": 1, "m": 6}),
            Case(
                "a 2-2-2 sigmoid network (square layers), m = 5", {"sizes": [2, 2, 2], "seed": 5, "m": 5}, hidden=True
            ),
            Case("a 4-3 sigmoid network, one sample", {"sizes": [4, 3], "seed": 7, "m": 1}, hidden=True),
        ]

    def run(self, case, forward_loop):
        p = case.params
        net, X = _numeric_case(p["sizes"], p["seed"], p["m"])
        W = [None] + [net.W[l].copy() for l in range(1, net.L + 1)]  # plain arrays: the answer sees no MLP
        b = [None] + [net.b[l].copy() for l in range(1, net.L + 1)]
        out = forward_loop(W, b, X.copy(), _sigmoid)
        if isinstance(out, tuple):
            out = list(out)
        return out

    def judge(self, case, value):
        refused = self.refuse(value, "the two padded lists z, a")
        if refused is not None:
            return _numpy_slip(value) or refused
        p = case.params
        net, X = _numeric_case(p["sizes"], p["seed"], p["m"])
        L = net.L
        if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, list) for v in value):
            return Outcome(False, "forward_loop must return the two lists z and a: `return z, a`")
        z, a = value
        if len(z) != L + 1 or len(a) != L + 1:
            return Outcome(
                False,
                f"z and a must be padded lists of L + 1 = {L + 1} entries, so that z[l] is layer "
                f"l: start from z = [None] and a = [x] (got {len(z)} and {len(a)} entries)",
            )
        ref = net.forward(X)
        first = numeric(self, a[0], X, "a[0]")
        if not first.ok:
            first.message = f"a[0] must be the input x itself: {first.message}"
            return first
        for l in range(1, L + 1):
            W_l, b_l, a_prev = net.W[l], net.b[l], ref.a[l - 1]
            z_slips = [
                ("the bias b[l] is missing: z[l] = W[l] @ a[l-1] + b[l]", W_l @ a_prev),
                ("z[l] holds σ(z[l]): z is the weighted input, before the activation", ref.a[l]),
                (
                    "σ was applied to a[l-1] again: z[l] = W[l] @ a[l-1] + b[l], and a[l-1] is already σ(...)",
                    W_l @ _sigmoid(a_prev) + b_l,
                ),
            ]
            if W_l.shape[0] == W_l.shape[1]:
                z_slips.append(
                    (
                        "W[l] is transposed: W[l].T where W[l] belongs (row j of W[l] holds the weights into neuron j)",
                        W_l.T @ a_prev + b_l,
                    )
                )
            outcome = numeric(self, z[l], ref.z[l], f"z[{l}]", slips=z_slips)
            if not outcome.ok:
                return outcome
            a_slips = [
                ("σ is missing: a[l] = σ(z[l])", ref.z[l]),
                (
                    "σ was applied before adding the bias: σ(W[l] @ a[l-1]) + b[l] where σ(W[l] @ a[l-1] + "
                    "b[l]) belongs",
                    _sigmoid(W_l @ a_prev) + b_l,
                ),
                ("the bias b[l] is missing: a[l] = σ(W[l] @ a[l-1] + b[l])", _sigmoid(W_l @ a_prev)),
            ]
            outcome = numeric(self, a[l], ref.a[l], f"a[{l}]", slips=a_slips)
            if not outcome.ok:
                return outcome
        return Outcome(True, "every z[l] and a[l] agrees with MLP.forward")
