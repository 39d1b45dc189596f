"""Exercises of notebooks/05_batching.ipynb: the batched recursion (5.3), the per-sample tensor, the batched (5.4).

The answers are NumPy code (`@`, `*`, `.T`, `.shape`). 5.1 and 5.3 run twice: on NumPy object arrays of SymPy
expressions of a symbolic batch network (undefined σ, generic mean cost), proved by the engine against
`sympy.diff`, and on numbers against the package's batched backpropagation. 5.2 is an einsum subscripts string
that the judge itself hands to `np.einsum`. m is the batch size throughout, in the messages too.
"""

from __future__ import annotations

import re

import numpy as np
import sympy as sp

from ...activations import sigmoid, sigmoid_prime
from ...network import MLP
from ...symbolic import cached_network
from ...symbolic import check as symbolic_check
from ...symbolic.network import sigma_prime as _sigma_prime_function
from . import Case, Exercise, Outcome
from .judges import numeric, symbolic


def _objects(matrix):
    return np.array(matrix, dtype=object)


def _batch(p):
    """The case's sigmoid network with the quadratic cost and its batch X, Y (m columns), recomputed from the seed."""
    net = MLP(list(p["sizes"]), activation="sigmoid", cost="quadratic", seed=p["seed"])
    rng = np.random.default_rng(p["seed"])
    X = rng.standard_normal((p["sizes"][0], p["m"]))
    Y = rng.uniform(size=(p["sizes"][-1], p["m"]))
    return net, X, Y


def _same(value, wrong, net):
    """True when the SymPy `value` equals the wrong form `wrong` (exact evaluation at random points)."""
    if not isinstance(value, sp.MatrixBase) or value.shape != wrong.shape:
        return False
    return symbolic_check(value, wrong, net=net, prove=False).ok


_BROADCAST = re.compile(r"shapes \((\d+),(\d+)\) \((\d+),(\d+)\)")


# ------------------------------------------------------------------------------------------------ 5.1
class BatchedRecursion(Exercise):
    """Delta_hidden(W, Delta, Z, sigma_prime, l): Δ^l = ((W^(l+1))ᵀ Δ^(l+1)) ⊙ σ′(Z^l), equation (5.3), in NumPy."""

    id, title, points = "5.1", "the batched recursion (5.3)", 3
    answer = ("Delta_hidden",)

    def cases(self):
        return [
            Case("layer 2 of a 2-3-4-2 network, batch of m = 3 (symbolic)", {"sizes": [2, 3, 4, 2], "m": 3, "l": 2}),
            Case(
                "layers 1 and 2 of a 4-5-3-2 sigmoid network, batch of m = 7 (numbers)",
                {"sizes": [4, 5, 3, 2], "m": 7, "seed": 51, "numeric": True},
            ),
            Case(
                "layer 1 of a 2-3-4-2 network, batch of m = 3 (symbolic)",
                {"sizes": [2, 3, 4, 2], "m": 3, "l": 1},
                hidden=True,
            ),
            Case(
                "layer 2 of a 3-2-5-2 network, batch of m = 4 (symbolic)",
                {"sizes": [3, 2, 5, 2], "m": 4, "l": 2},
                hidden=True,
            ),
        ]

    def run(self, case, Delta_hidden):
        p = case.params
        if p.get("numeric"):
            net, X, Y = _batch(p)
            fw, g = net.forward(X), net.gradients(X, Y)
            out = []
            for l in (1, 2):
                Delta = [None] * (net.L + 1)
                Delta[l + 1] = g.delta[l + 1].copy()
                W = [None] + [w.copy() for w in net.W[1:]]
                Z = [None] + [z.copy() for z in fw.z[1:]]
                out.append(Delta_hidden(W, Delta, Z, sigmoid_prime, l))
            return out
        B, l = cached_network(tuple(p["sizes"]), m=p["m"]), p["l"]
        W = [None] + [_objects(B.W[k]) for k in range(1, B.L + 1)]
        Z = [None] + [_objects(B.z[k]) for k in range(1, B.L + 1)]
        Delta = [None] * (B.L + 1)
        Delta[l + 1] = _objects(B.Delta(l + 1))
        return Delta_hidden(W, Delta, Z, np.vectorize(_sigma_prime_function, otypes=[object]), l)

    def _shape_slip(self, value, p):
        kind, message = getattr(value, "kind", ""), getattr(value, "message", "")
        raised = [f"Delta_hidden raised {kind}: {message}"]
        if (kind == "TypeError" and "NoneType" in message) or "has 0" in message:
            return Outcome(
                False,
                "a None was used: only Delta[l+1] is given (the lists are padded; Delta[l] is what you compute)",
                raised,
            )
        if kind == "ValueError" and "matmul" in message:
            return Outcome(
                False,
                "the factors of a product do not fit: a transpose is missing? W[l+1] is "
                "(n_(l+1), n_l), so the sum over the neurons of layer l+1 is W[l+1].T @ Delta[l+1]",
                raised,
            )
        shapes = _BROADCAST.search(message)
        if kind == "ValueError" and shapes:
            sizes, l = p["sizes"], p.get("l", 1)
            left, right = tuple(map(int, shapes.groups()[:2])), tuple(map(int, shapes.groups()[2:]))
            if left[0] == sizes[l + 1] and right[0] == sizes[l]:
                return Outcome(
                    False,
                    "⊙ before the product: Delta[l+1] * sigma_prime(Z[l]) pairs neurons of two "
                    "different layers; the parentheses belong around the matrix product",
                    raised,
                )
            return Outcome(
                False,
                f"`*` needs two arrays of the same shape, got {left} and {right}: every factor of (5.3) is (n_l, m)",
                raised,
            )
        return None

    def judge(self, case, value):
        p = case.params
        refused = self.refuse(value, "an array of shape (n_l, m)")
        if refused is not None:
            return self._shape_slip(value, p) or refused
        if p.get("numeric"):
            net, X, Y = _batch(p)
            fw, g = net.forward(X), net.gradients(X, Y)
            if not isinstance(value, list) or len(value) != 2:
                return Outcome(False, "Delta_hidden must return one array per call")
            m = p["m"]
            for l, ours in zip((1, 2), value):
                back = net.W[l + 1].T @ g.delta[l + 1]
                slips = [
                    (
                        "σ where σ′ belongs: multiply by sigma_prime(Z[l]), the slope at layer l",
                        back * sigmoid(fw.z[l]),
                    ),
                    ("σ′(Z[l]) is missing: the error signal is scaled by the slope of layer l", back),
                    (
                        "an extra 1/m: Delta[l] holds the per-sample error signals, the mean comes only in (5.4) "
                        "and (5.5)",
                        g.delta[l] / m,
                    ),
                ]
                outcome = numeric(self, ours, g.delta[l], f"Delta[{l}]", slips=slips)
                if not outcome.ok:
                    return outcome
            return Outcome(True, "the numbers agree")
        B, l = cached_network(tuple(p["sizes"]), m=p["m"]), p["l"]
        truth = B.Delta(l)
        outcome = symbolic(self, value, truth, net=B, name=f"Delta^{l}")
        if not outcome.ok and isinstance(value, sp.MatrixBase):
            if _same(value, truth / p["m"], B):
                return Outcome(
                    False,
                    "an extra 1/m: Δ^l holds the per-sample error signals as columns, the mean "
                    "comes only in (5.4) and (5.5)",
                )
            if value.shape == (truth.shape[0], 1):
                return Outcome(
                    False,
                    f"one column instead of m = {p['m']}: Δ^l keeps one column per sample, "
                    "(n_l, m); nothing is summed in the backward pass",
                )
        return outcome


# ------------------------------------------------------------------------------------------------ 5.2
_SUBSCRIPTS = re.compile(r"^([A-Za-z]{1,4}),([A-Za-z]{1,4})->([A-Za-z]{0,4})$")


class PerSampleTensor(Exercise):
    """per_sample_subscripts: the np.einsum subscripts of G[x, j, k] = Δ^l_jx A^(l-1)_kx, whose sum over x is (5.4)."""

    id, title, points = "5.2", "the einsum of the per-sample tensor G[x, j, k]", 2
    answer = ("per_sample_subscripts",)

    def cases(self):
        return [
            Case(
                "layer 2 of a 4-5-3-2 sigmoid network, batch of m = 6",
                {"sizes": [4, 5, 3, 2], "m": 6, "seed": 52, "l": 2},
            ),
            Case(
                "layer 1 of a 3-4-2 sigmoid network, batch of m = 5",
                {"sizes": [3, 4, 2], "m": 5, "seed": 7, "l": 1},
                hidden=True,
            ),
            Case(
                "layer 2 of a 2-3-3-2 sigmoid network, batch of m = 4",
                {"sizes": [2, 3, 3, 2], "m": 4, "seed": 8, "l": 2},
                hidden=True,
            ),
        ]

    def run(self, case, per_sample_subscripts):
        return per_sample_subscripts  # a string: the judge runs np.einsum itself

    def judge(self, case, value):
        refused = self.refuse(value, 'a string such as "ab,cd->..."')
        if refused is not None:
            return refused
        if not isinstance(value, str):
            return Outcome(
                False, 'per_sample_subscripts must be a string such as "ab,cd->...", the subscripts of np.einsum'
            )
        text = value.replace(" ", "")
        parts = _SUBSCRIPTS.match(text)
        if parts is None:
            return Outcome(
                False,
                "per_sample_subscripts must name the axes of both operands and of the result: "
                '"..,..->...", with one letter per axis (Delta has 2 axes, A_prev has 2)',
            )
        left, right, out = parts.groups()
        if len(left) != 2 or len(right) != 2:
            return Outcome(
                False,
                f"Delta and A_prev have 2 axes each (neuron, sample), got {len(left)} and "
                f"{len(right)} letters before the ->",
            )
        p = case.params
        net, X, Y = _batch(p)
        l, m = p["l"], p["m"]
        Delta, A_prev = net.gradients(X, Y).delta[l], net.forward(X).a[l - 1]
        if left[1] != right[1]:
            return Outcome(
                False,
                "the two operands must share the sample letter: column x of Delta (its 2nd axis) "
                "meets column x of A_prev (its 2nd axis)",
            )
        x = left[1]
        if len(out) == 2 and x not in out:
            return Outcome(
                False,
                "the sample index is summed away (it is not in the result): that is "
                "Delta @ A_prev.T = m ∂C/∂W^l, not one slice per sample; keep x, first",
            )
        try:
            G = np.einsum(text, Delta, A_prev)
        except ValueError as exc:
            return Outcome(
                False,
                f"np.einsum refuses these subscripts for Delta {Delta.shape} and A_prev "
                f"{A_prev.shape}: {str(exc).splitlines()[0][:160]}",
            )
        if len(out) == 3 and out[0] != x:
            return Outcome(
                False, "the sample index must come first: G[x, j, k], so that G[x] is the gradient of sample x"
            )
        j, k = left[0], right[0]
        if out == x + k + j:
            return Outcome(
                False,
                "the axes of each slice are swapped: G[x] must have the shape of W^l, "
                "(n_l, n_(l-1)): j (layer l) before k (layer l-1)",
            )
        each = np.stack([net.gradients(X[:, [s]], Y[:, [s]], method="per_sample").dW[l] for s in range(m)])
        return numeric(self, G, each, "G")


# ------------------------------------------------------------------------------------------------ 5.3
class BatchedWeightGradient(Exercise):
    """batched_dW(Delta, A_prev): ∂C/∂W^l = (1/m) Δ^l (A^(l-1))ᵀ, equation (5.4), on numbers and on SymPy entries."""

    id, title, points = "5.3", "the batched ∂C/∂W^l with its 1/m (5.4)", 3
    answer = ("batched_dW",)

    def cases(self):
        return [
            Case(
                "every layer of a 4-5-3-2 sigmoid network, batch of m = 7 (numbers)",
                {"sizes": [4, 5, 3, 2], "m": 7, "seed": 53, "numeric": True},
            ),
            Case(
                "layer 2 of a 2-3-4-2 network, batch of m = 3 (symbolic)",
                {"sizes": [2, 3, 4, 2], "m": 3, "layers": [2]},
            ),
            Case(
                "layers 1 and 3 of a 2-3-4-2 network, batch of m = 3 (symbolic)",
                {"sizes": [2, 3, 4, 2], "m": 3, "layers": [1, 3]},
                hidden=True,
            ),
            Case(
                "every layer of a 3-6-2 sigmoid network, batch of m = 10 (numbers)",
                {"sizes": [3, 6, 2], "m": 10, "seed": 54, "numeric": True},
                hidden=True,
            ),
        ]

    def run(self, case, batched_dW):
        p = case.params
        if p.get("numeric"):
            net, X, Y = _batch(p)
            fw, g = net.forward(X), net.gradients(X, Y)
            return [batched_dW(g.delta[l].copy(), fw.a[l - 1].copy()) for l in range(1, net.L + 1)]
        B = cached_network(tuple(p["sizes"]), m=p["m"])
        return [batched_dW(_objects(B.Delta(l)), _objects(B.a[l - 1])) for l in p["layers"]]

    def judge(self, case, value):
        refused = self.refuse(value, "one matrix per layer")
        if refused is not None:
            if getattr(value, "kind", "") == "ValueError" and "matmul" in getattr(value, "message", ""):
                return Outcome(
                    False,
                    "the factors do not fit: Delta is (n_l, m) and A_prev is (n_(l-1), m), so "
                    "the sum over the m samples is Delta @ A_prev.T",
                    [f"batched_dW raised ValueError: {value.message}"],
                )
            return refused
        p = case.params
        m = p["m"]
        layers = list(range(1, len(p["sizes"]))) if p.get("numeric") else p["layers"]
        if not isinstance(value, list) or len(value) != len(layers):
            return Outcome(False, "batched_dW must return one matrix per call")
        lost = (
            f"the 1/m is missing: Delta @ A_prev.T is the sum of the m = {m} per-sample gradients; (5.4) "
            "divides it by m = Delta.shape[1]"
        )
        if p.get("numeric"):
            net, X, Y = _batch(p)
            g = net.gradients(X, Y)
            for l, ours in zip(layers, value):
                n_l = p["sizes"][l]
                slips = [
                    (lost, m * g.dW[l]),
                    (
                        "transposed: A_prev @ Delta.T has the shape of (W^l)ᵀ; ∂C/∂W^l = Delta @ A_prev.T / m has "
                        "the shape of W^l, (n_l, n_(l-1))",
                        g.dW[l].T,
                    ),
                ]
                if n_l != m:
                    slips.append(
                        (
                            f"divided by Delta.shape[0] = n_l = {n_l}, the number of neurons; the batch size m "
                            "is Delta.shape[1], one column per sample",
                            m * g.dW[l] / n_l,
                        )
                    )
                outcome = numeric(self, ours, g.dW[l], f"dW[{l}]", m=m, slips=slips)
                if not outcome.ok:
                    return outcome
            return Outcome(True, "the numbers agree")
        B = cached_network(tuple(p["sizes"]), m=m)
        for l, ours in zip(layers, value):
            truth = B.dC_dW(l)
            outcome = symbolic(self, ours, truth, net=B, name=f"dC/dW^{l}")
            if outcome.ok:
                continue
            if _same(ours, m * truth, B):
                return Outcome(False, f"layer {l}: {lost}")
            if _same(ours, truth.T, B):
                return Outcome(
                    False,
                    f"layer {l}: transposed: A_prev @ Delta.T has the shape of (W^l)ᵀ; ∂C/∂W^l = "
                    "Delta @ A_prev.T / m has the shape of W^l",
                )
            if p["sizes"][l] != m and _same(ours, m * truth / p["sizes"][l], B):
                return Outcome(
                    False,
                    f"layer {l}: divided by Delta.shape[0] = n_l, the number of neurons; the batch "
                    "size m is Delta.shape[1]",
                )
            outcome.message = f"layer {l}: {outcome.message}"
            return outcome
        return Outcome(True, "proved against the mean cost")
