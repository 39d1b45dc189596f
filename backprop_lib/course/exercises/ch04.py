"""Exercises of notebooks/04_matrix_form.ipynb: the recursion (4.2), the weight gradient (4.4), a training step (4.8).

4.1 and 4.2 are written with SymPy matrices (`*` is the matrix product, `hadamard` is ⊙) and proved by the engine
against `sympy.diff` on non-square networks, where a missing transpose cannot hide behind fitting shapes. 4.3 is
NumPy: one step of the training algorithm for one sample, checked against the package's per-sample gradients
and the delta rule (4.8). Each answer gets plain inputs (lists of matrices, functions), never the network, so that
the package's own gradients are out of reach.
"""

from __future__ import annotations

import re

import numpy as np
import sympy as sp

from ...activations import get_activation
from ...costs import get_cost
from ...network import MLP
from ...symbolic import cached_network
from ...symbolic import check as symbolic_check
from ...symbolic.network import sigma_prime as _sigma_prime_function
from . import Case, Exercise, Outcome
from .judges import numeric, symbolic

_SHAPE = r"\((\d+), (\d+)\)"
_PRODUCT = re.compile(rf"Matrix size mismatch: {_SHAPE} \* {_SHAPE}")
_HADAMARD = re.compile(rf"needs equal shapes, got {_SHAPE} and {_SHAPE}")


def _shapes(match):
    a, b, c, d = (int(g) for g in match.groups())
    return (a, b), (c, d)


def _frozen(M):
    """A matrix the answer may read but not change (the engine's networks are cached and shared)."""
    return sp.ImmutableMatrix(M)


def _entrywise(f):
    """M -> f applied to every entry of M: sigma' of a whole matrix, as a plain function (no network behind it)."""

    def apply(M):
        return sp.Matrix(M).applyfunc(f)

    return apply


def _same(value, wrong, net):
    """True when `value` equals the wrong form `wrong` (exact evaluation at random points: enough to name a slip)."""
    if not isinstance(value, sp.MatrixBase) or value.shape != wrong.shape:
        return False
    return symbolic_check(value, wrong, net=net, prove=False).ok


def _raised_none(ex, value):
    kind, message = getattr(value, "kind", ""), getattr(value, "message", "")
    if (kind == "TypeError" and "NoneType" in message) or (kind == "SympifyError" and "None" in message):
        return Outcome(
            False,
            "a None was used: the lists are padded, W[0] and z[0] are None, and only the entries "
            "the formula needs are filled in",
            [f"{ex.answer[0]} raised {kind}: {message}"],
        )
    return None


# ------------------------------------------------------------------------------------------------ 4.1
class DeltaHidden(Exercise):
    """delta_hidden(W, delta, z, sigma_prime, l): δ^l = ((W^(l+1))ᵀ δ^(l+1)) ⊙ σ′(z^l), equation (4.2), in SymPy."""

    id, title, points = "4.1", "the matrix-form recursion (4.2)", 3
    answer = ("delta_hidden",)

    def cases(self):
        return [
            Case("layer 2 of a 2-3-4-2 network (symbolic)", {"sizes": [2, 3, 4, 2], "l": 2}),
            Case("layer 1 of a 2-3-4-2 network (symbolic)", {"sizes": [2, 3, 4, 2], "l": 1}),
            Case("layer 1 of a 3-5-2-4 network (symbolic)", {"sizes": [3, 5, 2, 4], "l": 1}, hidden=True),
            Case("layer 2 of a 3-5-2-4 network (symbolic)", {"sizes": [3, 5, 2, 4], "l": 2}, hidden=True),
        ]

    def run(self, case, delta_hidden):
        p = case.params
        sym, l = cached_network(tuple(p["sizes"])), p["l"]
        W = [None] + [_frozen(sym.W[k]) for k in range(1, sym.L + 1)]
        z = [None] + [_frozen(sym.z[k]) for k in range(1, sym.L + 1)]
        delta = [None] * (sym.L + 1)
        delta[l + 1] = _frozen(sym.delta(l + 1))
        return delta_hidden(W, delta, z, _entrywise(_sigma_prime_function), l)

    def _shape_slip(self, value, sizes, l):
        """Name the slip behind a shape error of SymPy's product or of hadamard, from the shapes it reports."""
        kind, message = getattr(value, "kind", ""), getattr(value, "message", "")
        n_prev, n_l, n_next = sizes[l - 1], sizes[l], sizes[l + 1]
        raised = [f"delta_hidden raised {kind}: {message}"]
        product = _PRODUCT.search(message)
        if product:
            left, right = _shapes(product)
            if left == (n_next, n_l):
                return Outcome(
                    False,
                    "the transpose is missing: W[l+1] is (n_(l+1), n_l) and cannot multiply "
                    "delta[l+1]; the sum over the first index of W^(l+1) is W[l+1].T * delta[l+1]",
                    raised,
                )
            if left in ((n_l, n_prev), (n_prev, n_l)):
                return Outcome(
                    False,
                    "W[l] where W[l+1] belongs: the error comes back from layer l+1 through the "
                    "weights W^(l+1) that feed it",
                    raised,
                )
            if left == right == (n_l, 1):
                return Outcome(
                    False,
                    "`*` between two SymPy columns is a matrix product, not ⊙: write "
                    "hadamard(A, B) for the componentwise product",
                    raised,
                )
            return Outcome(
                False,
                f"the factors of a product do not fit: {left} times {right}; check which layer "
                "each factor belongs to and whether a transpose is missing",
                raised,
            )
        had = _HADAMARD.search(message)
        if had:
            left, right = _shapes(had)
            if left == (n_next, 1) and right == (n_l, 1):
                return Outcome(
                    False,
                    "⊙ before the product: delta[l+1] ⊙ σ′(z[l]) pairs neurons of two different "
                    "layers; the parentheses belong around the matrix product",
                    raised,
                )
            if left == (n_l, 1) and right == (n_next, 1):
                return Outcome(
                    False, "σ′ of z[l+1] where σ′(z[l]) belongs: δ^l is scaled by the slope at its own layer", raised
                )
            return Outcome(False, f"⊙ needs two arrays of the same shape, got {left} and {right}", raised)
        if kind == "ShapeError":
            return Outcome(
                False,
                "the factors of a matrix product do not fit: `*` between SymPy matrices is the "
                "matrix product (⊙ is hadamard(A, B)); is a transpose missing?",
                raised,
            )
        return _raised_none(self, value)

    def judge(self, case, value):
        p = case.params
        sym, l = cached_network(tuple(p["sizes"])), p["l"]
        refused = self.refuse(value, f"a SymPy column of shape ({sym.sizes[l]}, 1)")
        if refused is not None:
            return self._shape_slip(value, sym.sizes, l) or refused
        if isinstance(value, sp.MatrixBase) and value.shape == (1, sym.sizes[l]):
            return Outcome(
                False,
                f"a row of length {sym.sizes[l]}: δ^l is a column, ({sym.sizes[l]}, 1); is there a transpose too many?",
            )
        return symbolic(self, value, sym.delta(l), net=sym, name=f"delta^{l}")


# ------------------------------------------------------------------------------------------------ 4.2
class WeightGradientMatrix(Exercise):
    """dW_formula(delta, a, l): ∂C/∂W^l = δ^l (a^(l-1))ᵀ, equation (4.4), on SymPy matrices."""

    id, title, points = "4.2", "∂C/∂W^l in matrix form (4.4)", 2
    answer = ("dW_formula",)

    def cases(self):
        return [
            Case("layer 2 of a 2-3-4-2 network (symbolic)", {"sizes": [2, 3, 4, 2], "layers": [2]}),
            Case(
                "layers 1 and 3 of a 2-3-4-2 network (symbolic)", {"sizes": [2, 3, 4, 2], "layers": [1, 3]}, hidden=True
            ),
            Case(
                "every layer of a 3-5-2-4 network (symbolic)", {"sizes": [3, 5, 2, 4], "layers": [1, 2, 3]}, hidden=True
            ),
        ]

    def run(self, case, dW_formula):
        p = case.params
        sym = cached_network(tuple(p["sizes"]))
        delta = [None] + [_frozen(sym.delta(k)) for k in range(1, sym.L + 1)]
        a = [_frozen(sym.a[k]) for k in range(sym.L + 1)]
        return [dW_formula(delta, a, l) for l in p["layers"]]

    def _shape_slip(self, value, sizes):
        product = _PRODUCT.search(getattr(value, "message", ""))
        if product:
            left, right = _shapes(product)
            raised = [f"dW_formula raised {value.kind}: {value.message}"]
            if left[0] == 1 and right[1] == 1:
                return Outcome(
                    False,
                    "a row times a column: (a^(l-1))ᵀ δ^l would be one number; the outer product "
                    "is the column delta[l] times the row a[l-1].T",
                    raised,
                )
            return Outcome(
                False,
                f"the factors do not fit: {left} times {right}; ∂C/∂W^l is the column δ^l times the row (a^(l-1))ᵀ",
                raised,
            )
        if getattr(value, "kind", "") == "ShapeError":
            return Outcome(
                False,
                "the factors of a matrix product do not fit: ∂C/∂W^l is the column delta[l] times the row a[l-1].T",
                [f"dW_formula raised ShapeError: {value.message}"],
            )
        return _raised_none(self, value)

    def judge(self, case, value):
        p = case.params
        sym = cached_network(tuple(p["sizes"]))
        refused = self.refuse(value, "one matrix per layer")
        if refused is not None:
            return self._shape_slip(value, sym.sizes) or refused
        if not isinstance(value, list) or len(value) != len(p["layers"]):
            return Outcome(False, "dW_formula must return one matrix for each layer it is called with")
        for l, ours in zip(p["layers"], value):
            outcome = self._judge_layer(sym, l, ours)
            if not outcome.ok:
                outcome.message = f"layer {l}: {outcome.message}"
                return outcome
        return Outcome(True, "proved for every layer")

    def _judge_layer(self, sym, l, ours):
        refused = self.refuse(ours, "a SymPy matrix")
        if refused is not None:
            return self._shape_slip(ours, sym.sizes) or refused
        outcome = symbolic(self, ours, sym.dC_dW(l), net=sym, name=f"dC/dW^{l}")
        if outcome.ok:
            return outcome
        delta, a = sym.delta(l), sym.a
        if l < sym.L and _same(ours, delta * a[l].T, sym):
            return Outcome(
                False,
                "a[l] where a[l-1] belongs: W^l multiplies the activations of layer l-1, so "
                "∂C/∂W^l = δ^l (a^(l-1))ᵀ, with the shape of W^l",
            )
        if _same(ours, a[l - 1] * delta.T, sym):
            return Outcome(
                False,
                "transposed: a[l-1] * delta[l].T has the shape of (W^l)ᵀ; ∂C/∂W^l = "
                "delta[l] * a[l-1].T has the shape of W^l, (n_l, n_(l-1))",
            )
        return outcome


# ------------------------------------------------------------------------------------------------ 4.3
def _problem(p):
    """The case's network (before the step) and its sample (x, y): everything the judge recomputes from the seed."""
    net = MLP(list(p["sizes"]), activation=p["activation"], cost=p["cost"], seed=p["seed"])
    rng = np.random.default_rng(p["seed"])
    x = rng.standard_normal((p["sizes"][0], 1))
    y = rng.uniform(0.05, 0.95, size=(p["sizes"][-1], 1))
    return net, x, y


def _step_variant(p, net, x, y, slip):
    """W and b after one step (4.1)-(4.4), (4.8) computed with one deliberate slip (to recognise it in an answer).

    slip: "sign" (θ + η g), "no_eta" (θ - g), "sigma" (σ in place of σ′ everywhere), "sigma_hidden" (in the
    hidden layers only), "no_bias" (b unchanged),
    "stale" (W[l+1] updated before δ^l is computed from it).
    """
    act, cost, eta = get_activation(p["activation"]), get_cost(p["cost"]), p["eta"]
    L = net.L
    W = [None] + [w.copy() for w in net.W[1:]]
    b = [None] + [v.copy() for v in net.b[1:]]
    z, a = [None], [x]
    for l in range(1, L + 1):
        z.append(W[l] @ a[l - 1] + b[l])
        a.append(act.sigma(z[l]))
    slope = act.sigma if slip in ("sigma", "sigma_hidden") else act.sigma_prime
    sign, rate = (1.0 if slip == "sign" else -1.0), (1.0 if slip == "no_eta" else eta)
    delta = cost.grad_a(a[L], y) * (act.sigma_prime if slip == "sigma_hidden" else slope)(z[L])
    for l in range(L, 0, -1):
        W_used = W[l]
        W[l] = W[l] + sign * rate * (delta @ a[l - 1].T)
        if slip != "no_bias":
            b[l] = b[l] + sign * rate * delta
        if l > 1:
            delta = ((W[l] if slip == "stale" else W_used).T @ delta) * slope(z[l - 1])
    return W, b


_SLIPS_43 = [
    ("sign", "the step goes uphill: the delta rule (4.8) subtracts, W[l] - eta * dC/dW[l]"),
    ("no_eta", "the learning rate is missing: the step is -dC/dW, not -eta * dC/dW"),
    ("sigma", "σ where σ′ belongs: the error signals are scaled by sigma_prime(z[l]), not sigma(z[l])"),
    ("sigma_hidden", "σ where σ′ belongs in the backward pass: each δ^l is scaled by the slope σ′(z^l)"),
    ("stale", "W[l+1] was updated before δ^l was computed from it: finish the backward pass (every δ^l), then update"),
    ("no_bias", "the biases did not change: b[l] = b[l] - eta * delta[l] (4.3), (4.8)"),
]


def _numpy_shape_slip(ex, value):
    if getattr(value, "kind", "") == "ValueError" and (
        "matmul" in value.message or "broadcast" in value.message or "shape" in value.message
    ):
        return Outcome(
            False,
            "the factors do not fit: a transpose is missing? W[l+1] is (n_(l+1), n_l), so the "
            "backward pass needs W[l+1].T @ delta[l+1], and dC/dW[l] is delta[l] @ a[l-1].T",
            [f"{ex.answer[0]} raised ValueError: {value.message}"],
        )
    return None


class TrainingStep(Exercise):
    """sgd_step(W, b, x, y, eta, sigma, sigma_prime, grad_a_C): (4.1)-(4.4), then the delta rule (4.8), in place."""

    id, title, points = "4.3", "one full training step", 3
    answer = ("sgd_step",)

    def cases(self):
        return [
            Case(
                "a 3-5-4-2 sigmoid network, quadratic cost, eta = 0.3",
                {"sizes": [3, 5, 4, 2], "activation": "sigmoid", "cost": "quadratic", "seed": 43, "eta": 0.3},
            ),
            Case(
                "a 4-3-3-2 tanh network, quadratic cost, eta = 0.1",
                {"sizes": [4, 3, 3, 2], "activation": "tanh", "cost": "quadratic", "seed": 44, "eta": 0.1},
                hidden=True,
            ),
            Case(
                "a 2-6-3 sigmoid network, cross-entropy cost, eta = 1.5",
                {"sizes": [2, 6, 3], "activation": "sigmoid", "cost": "cross_entropy", "seed": 45, "eta": 1.5},
                hidden=True,
            ),
        ]

    def run(self, case, sgd_step):
        p = case.params
        net, x, y = _problem(p)
        act, cost = get_activation(p["activation"]), get_cost(p["cost"])
        W = [None] + [w.copy() for w in net.W[1:]]
        b = [None] + [v.copy() for v in net.b[1:]]

        def sigma(z):
            return act.sigma(z)

        def sigma_prime(z):
            return act.sigma_prime(z)

        def grad_a_C(a_L, y_):
            return cost.grad_a(a_L, y_)

        returned = sgd_step(W, b, x.copy(), y.copy(), p["eta"], sigma, sigma_prime, grad_a_C)
        return [W[1:], b[1:], "" if returned is None else "returned"]

    def judge(self, case, value):
        refused = self.refuse(value, "the lists W and b after the step")
        if refused is not None:
            return _numpy_shape_slip(self, value) or _raised_none(self, value) or refused
        p = case.params
        net, x, y = _problem(p)
        L, eta = net.L, p["eta"]
        if (
            not isinstance(value, list)
            or len(value) != 3
            or not all(isinstance(v, list) and len(v) == L for v in value[:2])
        ):
            return Outcome(False, "W and b must stay lists of one array per layer (W[l] = W[l] - ..., in place)")
        W_new, b_new, returned = value
        for l in range(1, L + 1):
            if not all(isinstance(v, np.ndarray) for v in (W_new[l - 1], b_new[l - 1])):
                return Outcome(False, f"W[{l}] and b[{l}] must stay NumPy arrays")
        if all(np.array_equal(W_new[l - 1], net.W[l]) for l in range(1, L + 1)):
            hint = " (it returned something, which is ignored)" if returned else ""
            return Outcome(
                False,
                "W did not change: sgd_step must change the lists it is given, W[l] = W[l] - ... "
                f"for every layer{hint}",
            )
        g = net.gradients(x, y, method="per_sample")
        variants = {slip: _step_variant(p, net, x, y, slip) for slip, _ in _SLIPS_43}
        for l in range(L, 0, -1):  # from the output down: the first wrong parameter is where it starts
            for kind, new, old, grad in (
                ("W", W_new[l - 1], net.W[l], g.dW[l]),
                ("b", b_new[l - 1], net.b[l], g.db[l]),
            ):
                name = f"step of {kind}[{l}]"
                if new.shape != old.shape:
                    return Outcome(
                        False,
                        f"{kind}[{l}] changed its shape from {old.shape} to {new.shape}: a transpose "
                        f"is missing? dC/d{kind}[l] has the shape of {kind}[l]",
                    )
                outcome = numeric(self, new - old, -eta * grad, name)
                if outcome.ok:
                    continue
                for slip, why in _SLIPS_43:
                    W_s, b_s = variants[slip]
                    if np.allclose(new, W_s[l] if kind == "W" else b_s[l], rtol=1e-7, atol=1e-12):
                        return Outcome(False, f"{name}: {why}", outcome.details or [])
                return outcome
        return Outcome(True, "every parameter moved by -eta times its gradient")
