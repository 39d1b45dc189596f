"""Exercises of notebooks/06_training_mnist.ipynb: one step of mini-batch SGD (6.1), the pseudo-Huber cost (6.5).

6.1 runs the student's `sgd_update` on a sigmoid network's mini-batch and records, besides the new parameters,
whether the call changed any of its inputs (the judge cannot see the student's arrays, so `run` compares copies
taken before and after the call). The judge recomputes the network, its batch and its gradients from the case's
seed and compares the step (W[l] - W_new[l]) / eta with the averaged gradient (5.4)-(5.5).

6.2 takes a SymPy expression `c_huber` in the symbols a and y. Only the expression crosses to the judge; the judge
builds the numeric cost from it with `cost_from_sympy`, compares the cost and SymPy's dc/da with NumPy's
reference (6.5), proves the expression equal to (6.5), and runs a gradient check with it.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ...custom_cost import cost_from_sympy
from ...feedback import compare
from ...gradcheck import gradient_check
from ...network import MLP
from ...symbolic import check as symbolic_check
from . import Case, Exercise, Outcome
from .judges import numeric


# ------------------------------------------------------------------------------------------------ 6.1
def _minibatch(sizes, m, seed):
    """A sigmoid network with the quadratic cost, a mini-batch (X, Y) of m samples, A[l] and its gradients.

    g.delta[l] is Delta^l, shape (n_l, m); g.dW[l] = Delta^l (A^{l-1})^T / m and g.db[l] = Delta^l 1 / m, the
    averaged gradients of (5.4)-(5.5), so one step of (6.1) is W[l] - eta g.dW[l] and b[l] - eta g.db[l].
    """
    net = MLP(list(sizes), seed=seed)
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((sizes[0], m)), rng.random((sizes[-1], m))
    return net, net.forward(X).a, net.gradients(X, Y)


def _copies(arrays):
    return [None if v is None else np.array(v, copy=True) for v in arrays]


def _changed(name, before, after):
    """The entries name[l] of a padded list that differ from the copies taken before the call."""
    if len(after) != len(before):
        return [f"{name} (its length)"]
    out = []
    for l, (old, new) in enumerate(zip(before, after)):
        if old is None:
            continue
        if not isinstance(new, np.ndarray) or new.shape != old.shape or not np.array_equal(new, old):
            out.append(f"{name}[{l}]")
    return out


def _shape_hint(ex, value):
    """A ValueError from a product or a sum whose shapes do not fit: say which shapes the step needs."""
    if getattr(value, "kind", "") == "ValueError" and any(
        w in value.message for w in ("matmul", "broadcast", "shape", "align")
    ):
        return Outcome(
            False,
            "the shapes do not fit: the step for W[l] is Delta[l] @ A[l-1].T, shape "
            "(n_l, n_(l-1)) like W[l] (A[l-1], not A[l]; a .T on A, not on Delta)",
            [f"{ex.answer[0]} raised ValueError: {value.message}"],
        )
    return None


class SgdUpdate(Exercise):
    id, title, points = "6.1", "one step of mini-batch SGD (6.1)", 10
    answer = ("sgd_update",)

    def cases(self):
        return [
            Case(
                "a 4-5-3 sigmoid network, a mini-batch of m = 8, eta = 0.5",
                {"sizes": [4, 5, 3], "m": 8, "seed": 1, "eta": 0.5},
            ),
            Case(
                "a 3-4-4-2 sigmoid network, m = 5, eta = 2",
                {"sizes": [3, 4, 4, 2], "m": 5, "seed": 2, "eta": 2.0},
                hidden=True,
            ),
            Case(
                "a 5-2-3 sigmoid network, m = 3, eta = 0.1",
                {"sizes": [5, 2, 3], "m": 3, "seed": 3, "eta": 0.1},
                hidden=True,
            ),
        ]

    def run(self, case, sgd_update):
        p = case.params
        net, A, g = _minibatch(p["sizes"], p["m"], p["seed"])
        W = [None] + [w.copy() for w in net.W[1:]]
        b = [None] + [v.copy() for v in net.b[1:]]
        Delta = list(g.delta)
        A = list(A)
        inputs = {"W": W, "b": b, "A": A, "Delta": Delta}
        before = {name: _copies(arrays) for name, arrays in inputs.items()}
        result = sgd_update(W, b, A, Delta, p["eta"])
        changed = [c for name, arrays in inputs.items() for c in _changed(name, before[name], arrays)]
        # the value: what sgd_update returned, and which of its inputs the call changed ("" when none)
        return [result, ", ".join(changed)]

    def judge(self, case, value):
        refused = self.refuse(value, "(W_new, b_new)")
        if refused is not None:
            return _shape_hint(self, value) or refused
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], str)):
            return Outcome(False, "the check's record is malformed")
        result, changed = value
        refused = self.refuse(result, "two padded lists, W_new and b_new")
        if refused is not None:
            return refused
        if not (isinstance(result, list) and len(result) == 2 and all(isinstance(r, list) for r in result)):
            return Outcome(
                False,
                "sgd_update must return two padded lists: `return W_new, b_new`, each [None, W[1] new, ..., W[L] new]",
            )
        if changed:
            return Outcome(
                False,
                f"sgd_update changed its input {changed} in place: build new arrays and leave W and b alone",
                ["`W[l] -= ...` changes the caller's array; `W[l] - ...` makes a new one"],
            )
        p = case.params
        m, eta = p["m"], p["eta"]
        net, A, g = _minibatch(p["sizes"], m, p["seed"])
        L = net.L
        W_new, b_new = result
        for name, new in (("W_new", W_new), ("b_new", b_new)):
            if len(new) != L + 1:
                return Outcome(
                    False,
                    f"{name} has {len(new)} entries; a padded list for a network of L = {L} "
                    f"layers has L + 1 = {L + 1}: [None, layer 1, ..., layer {L}]",
                )
        n_prev = [None] + [net.sizes[l - 1] for l in range(1, L + 1)]
        for l in range(1, L + 1):
            for kind, old, new, grad in (("W", net.W[l], W_new[l], g.dW[l]), ("b", net.b[l], b_new[l], g.db[l])):
                name = f"step {kind}[{l}]"
                refused = self.refuse(new, f"an array of shape {old.shape}")
                if refused is not None:
                    refused.message = f"{kind}_new[{l}]: {refused.message}"
                    return refused
                if (
                    kind == "b"
                    and isinstance(new, np.ndarray)
                    and new.shape in ((old.shape[0],), (old.shape[0], old.shape[0]))
                ):
                    return Outcome(
                        False,
                        f"b_new[{l}] has shape {new.shape}, not {old.shape}: "
                        "Delta[l].sum(axis=1) drops the column shape; sum with keepdims=True",
                        [f"b[{l}] (n_l, 1) minus an (n_l,) array broadcasts to (n_l, n_l)"],
                    )
                if not isinstance(new, np.ndarray) or new.shape != old.shape:
                    return numeric(self, new, old - eta * grad, f"{kind}_new[{l}]")
                step = (old - new) / eta  # what the answer stepped, per unit of eta
                slips = (
                    [
                        (
                            f"divided by n_{l - 1} = {n_prev[l]}, the rows of A[{l - 1}], instead of by m = {m}, "
                            "its columns (m = A[0].shape[1])",
                            grad * m / n_prev[l],
                        )
                    ]
                    if n_prev[l] != m
                    else []
                )
                if kind == "b":
                    slips.append(
                        (
                            "the bias step uses the first sample's delta only, not the sum of the columns "
                            "of Delta[l] (Delta[l].sum(axis=1, keepdims=True))",
                            g.delta[l][:, :1] / m,
                        )
                    )
                outcome = numeric(self, step, grad, name, m=m, slips=slips)
                if not outcome.ok:
                    return outcome
        return Outcome(True, "every step equals eta times the averaged gradient")


# ------------------------------------------------------------------------------------------------ 6.2
_A, _Y = sp.Symbol("a", real=True), sp.Symbol("y", real=True)
_H = sp.Rational(1, 2)


def _huber(a, y, h=_H):
    """The pseudo-Huber cost (6.5): h^2 (sqrt(1 + ((a - y)/h)^2) - 1)."""
    return h**2 * (sp.sqrt(1 + ((a - y) / h) ** 2) - 1)


def _huber_numpy(A, Y, h=0.5):
    d = A - Y
    return h**2 * (np.sqrt(1 + (d / h) ** 2) - 1), d / np.sqrt(1 + (d / h) ** 2)


# Typical slips, each as the expression a student writes: the first whose values equal the answer names it.
_HUBER_SLIPS = [
    ("the factor h^2 in front is missing (the cost is 4 times too large)", sp.sqrt(1 + ((_A - _Y) / _H) ** 2) - 1),
    ("h where h^2 belongs in front (the cost is 2 times too large)", _H * (sp.sqrt(1 + ((_A - _Y) / _H) ** 2) - 1)),
    (
        "(a - y)^2 / h where ((a - y)/h)^2 belongs: square the whole quotient",
        _H**2 * (sp.sqrt(1 + (_A - _Y) ** 2 / _H) - 1),
    ),
    ("(a - y)^2 without the /h^2: square (a - y)/h", _H**2 * (sp.sqrt(1 + (_A - _Y) ** 2) - 1)),
    (
        "the - 1 inside the bracket is missing: c(y, y) must be 0 (the derivative is right, the cost is off by h^2 "
        "per neuron)",
        _H**2 * sp.sqrt(1 + ((_A - _Y) / _H) ** 2),
    ),
    ("that is the quadratic cost (a - y)^2 / 2, not the pseudo-Huber cost (6.5)", (_A - _Y) ** 2 / 2),
]
_PROBES = [
    (sp.Rational(1, 5), 0),
    (sp.Rational(7, 10), 1),
    (sp.Rational(2, 5), sp.Rational(9, 10)),
    (sp.Rational(97, 100), 0),
    (sp.Rational(3, 100), 1),
    (sp.Rational(1, 2), sp.Rational(1, 10)),
]


def _same_values(expr, other):
    """True when expr and other agree at the probe points (to 1e-12): the slip table's test, not a proof."""
    try:
        for a, y in _PROBES:
            u = complex(expr.subs({_A: a, _Y: y}).evalf(30))
            v = complex(other.subs({_A: a, _Y: y}).evalf(30))
            if abs(u - v) > 1e-12 * max(1.0, abs(v)):
                return False
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return True


class PseudoHuber(Exercise):
    id, title, points = "6.2", "the pseudo-Huber cost (6.5) in SymPy", 10
    answer = ("c_huber",)

    def cases(self):
        return [
            Case("its cost C and dc/da on 50 samples of 10 outputs (numbers)", {"kind": "values", "seed": 62}),
            Case("c(a, y) against (6.5) (symbolic)", {"kind": "symbolic"}),
            Case("a gradient check of a 6-5-4 network that uses it", {"kind": "gradcheck", "seed": 63}, hidden=True),
        ]

    def run(self, case, c_huber):
        return c_huber  # a SymPy expression: all the work is the judge's

    def judge(self, case, value):
        refused = self.refuse(value, "a SymPy expression in a and y")
        if refused is not None:
            return refused
        if isinstance(value, np.ndarray) and value.size == 1:
            value = sp.Matrix([[sp.Float(float(value.ravel()[0]))]])
        if not isinstance(value, sp.MatrixBase) or value.shape != (1, 1):
            shape = getattr(value, "shape", None)
            return Outcome(
                False,
                "c_huber must be ONE SymPy expression c(a, y) of one output neuron"
                + (f", not a matrix of shape {shape}" if shape else f", not a {type(value).__name__}"),
            )
        expr = value[0, 0]
        names = {s.name for s in expr.free_symbols}
        extra = sorted(names - {"a", "y"})
        if extra:
            hint = " (give h its value: h = sp.Rational(1, 2))" if "h" in extra else ""
            return Outcome(
                False, f"c_huber may contain only the symbols a and y; it also has {', '.join(extra)}" + hint
            )
        if "a" not in names:
            return Outcome(
                False,
                "c_huber does not depend on a, the output activation: dc/da would be 0 and the "
                "network would never learn",
            )
        expr = expr.xreplace({s: {"a": _A, "y": _Y}[s.name] for s in expr.free_symbols})
        for why, slip in _HUBER_SLIPS:
            if _same_values(expr, slip):
                return Outcome(False, why, [f"c_huber = {expr}"])
        try:
            cost = cost_from_sympy(expr, _A, _Y, name="pseudo_huber_answer")
        except ValueError as exc:
            if "not a finite real number" in str(exc):
                return Outcome(
                    False,
                    "c_huber or its derivative is not a finite real number for some a in (0, 1) "
                    "and y in {0, 1}: a square root of a negative number? ((a - y)/h is squared in "
                    "(6.5))",
                    [f"c_huber = {expr}"],
                )
            return Outcome(False, f"cost_from_sympy refuses c_huber: {str(exc).splitlines()[0][:200]}")
        kind = case.params["kind"]
        if kind == "values":
            rng = np.random.default_rng(case.params["seed"])
            A, Y = rng.random((10, 50)), np.eye(10)[:, rng.integers(0, 10, 50)]
            c, dc_da = _huber_numpy(A, Y)
            for name, ours, ref in (
                ("C", cost.value(A, Y), np.sum(c) / A.shape[1]),
                ("dc/da", cost.grad_a(A, Y), dc_da),
            ):
                verdict = compare(name, np.asarray(ours, dtype=float), np.asarray(ref, dtype=float), quiet=True)
                if not verdict.ok:
                    headline = verdict.message.split("WRONG", 1)[-1].lstrip(": ")
                    return Outcome(False, f"{name} of your cost against (6.5): {headline}", [verdict.message])
            return Outcome(True, "the cost and its derivative agree with (6.5)")
        if kind == "symbolic":
            result = symbolic_check(sp.Matrix([[expr]]), sp.Matrix([[_huber(_A, _Y)]]), name="c(a, y)")
            if result.ok:
                return Outcome(True, result.message)
            return Outcome(False, f"c_huber is not (6.5): {result.message}", [f"c_huber = {expr}"])
        rng = np.random.default_rng(case.params["seed"])
        X, Y = rng.random((6, 8)), np.eye(4)[:, rng.integers(0, 4, 8)]
        report = gradient_check(MLP([6, 5, 4], cost=cost, seed=0), X, Y)
        if report.ok:
            return Outcome(True, "the gradient check passes")
        return Outcome(False, f"the gradient check fails with this cost: {report.message}")
