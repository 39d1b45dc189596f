"""Exercises of notebooks/03_recursion.ipynb: the recursion (3.4), the weight gradient (3.6), index notation.

Each is checked symbolically (the student's code runs on NumPy arrays of SymPy expressions of a network with
undefined σ and a generic cost, and the proof engine compares with `sympy.diff`) and on numbers (against the
package's per-sample backprop). The student's function receives plain lists of arrays (weights, z, δ, a) and the
elementwise σ′, never a network object, so the package's own gradients are out of reach.

Typical slips are named by the judge itself: it writes each wrong formula in the network's symbols and compares
the answer with it. A square network (every layer 3 wide) comes first for Exercise 3.1, so that a missing
transpose or a weight of the wrong layer still computes something the judge can name; on the non-square
networks such a slip only raises a shape error.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ...network import MLP
from ...symbolic import cached_network
from ...symbolic.index import check_index, parse_index, to_einsum
from ...symbolic.text import plain
from . import Case, Outcome
from .ch02 import ChapterExercise, raised_hint, short_message, symbolic_with_slips, without_echo
from .judges import index_text_problem, numeric


def _objects(matrix):
    return np.array(matrix, dtype=object)


def _symbolic_lists(sizes):
    """W, z and the network's σ′ as the student's function sees them: padded lists of object arrays."""
    sym = cached_network(tuple(sizes))
    W = [None] + [_objects(sym.W[i]) for i in range(1, sym.L + 1)]
    z = [None] + [_objects(sym.z[i]) for i in range(1, sym.L + 1)]
    sigma_prime = np.vectorize(sym.sigma_prime_f, otypes=[object])
    return sym, W, z, sigma_prime


def _numeric_net(sizes, seed):
    """A sigmoid network with the quadratic cost, one sample (x, y), its forward pass and per-sample gradients."""
    net = MLP(list(sizes), activation="sigmoid", cost="quadratic", seed=seed)
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((sizes[0], 1)), rng.uniform(size=(sizes[-1], 1))
    return net, x, net.forward(x), net.gradients(x, y, method="per_sample")


def _copies(arrays):
    return [None if a is None else np.array(a, copy=True) for a in arrays]


def _shape_error(value):
    return getattr(value, "kind", "") == "ValueError" and any(
        word in value.message for word in ("matmul", "shape", "broadcast", "align")
    )


# ------------------------------------------------------------------------------------------------ 3.1
class DeltaStep(ChapterExercise):
    id, title, points = "3.1", "one step of the recursion", 3
    answer = ("delta_step",)

    def cases(self):
        return [
            Case("layer 1 of a 3-3-3-3 network (symbolic)", {"sizes": [3, 3, 3, 3], "l": 1}),
            Case("layer 1 of a 2-3-4-5 network (symbolic)", {"sizes": [2, 3, 4, 5], "l": 1}),
            Case("layer 2 of a 2-3-4-5 network (symbolic)", {"sizes": [2, 3, 4, 5], "l": 2}),
            Case(
                "layers 1 and 2 of a 2-3-4-5 sigmoid network (numbers)",
                {"sizes": [2, 3, 4, 5], "seed": 11, "numeric": True},
            ),
            Case("layer 2 of a 3-3-3-3 network (symbolic)", {"sizes": [3, 3, 3, 3], "l": 2}, hidden=True),
            Case("layer 1 of a 3-2-4-2 network (symbolic)", {"sizes": [3, 2, 4, 2], "l": 1}, hidden=True),
            Case("layer 2 of a 3-2-4-2 network (symbolic)", {"sizes": [3, 2, 4, 2], "l": 2}, hidden=True),
            Case(
                "layers 1-3 of a 4-5-5-3-2 sigmoid network (numbers)",
                {"sizes": [4, 5, 5, 3, 2], "seed": 12, "numeric": True},
                hidden=True,
            ),
        ]

    def run(self, case, delta_step):
        p = case.params
        if p.get("numeric"):
            net, _, fw, g = _numeric_net(p["sizes"], p["seed"])
            out = []
            for l in range(1, net.L):
                given = [None] * (net.L + 1)
                given[l + 1] = g.delta[l + 1].copy()
                out.append(delta_step(_copies(net.W), given, _copies(fw.z), net.activation.sigma_prime, l))
            return out
        sym, W, z, sigma_prime = _symbolic_lists(p["sizes"])
        l = p["l"]
        delta = [None] * (sym.L + 1)
        delta[l + 1] = _objects(sym.delta(l + 1))
        return delta_step(W, delta, z, sigma_prime, l)

    def _raised(self, value):
        if getattr(value, "kind", "") in ("ValueError", "TypeError") and (
            "NoneType" in value.message or "not have enough dimensions" in value.message
        ):
            return Outcome(
                False,
                "a quantity that is not given was used: of the error signals only delta[l+1] is filled in",
                [f"delta_step raised {value.kind}: {short_message(value.message)}"],
            )
        if _shape_error(value):
            return Outcome(
                False,
                "the factors do not fit: the sum over the neurons m of layer l+1 is "
                "W[l+1].T @ delta[l+1] (W[l+1] is (n_(l+1), n_l): the weights out of layer l)",
                [f"delta_step raised ValueError: {short_message(value.message)}"],
            )
        return raised_hint(self, value)

    def judge(self, case, value):
        p = case.params
        if p.get("numeric"):
            refused = self.refuse(value, "one array per layer")
            if refused is not None:
                return self._raised(value) or refused
            net, _, fw, g = _numeric_net(p["sizes"], p["seed"])
            if not isinstance(value, list) or len(value) != net.L - 1:
                return Outcome(False, f"expected one array for each of layers 1..{net.L - 1}")
            s = net.activation.sigma
            for l, ours in enumerate(value, start=1):
                d_next = g.delta[l + 1]
                slips = [
                    (
                        "σ where σ′ belongs: multiply by sigma_prime(z[l]), not σ(z[l])",
                        (net.W[l + 1].T @ d_next) * s(fw.z[l]),
                    ),
                    (
                        "the factor σ′(z^l) is missing: W[l+1].T @ delta[l+1] is ∂C/∂a^l, not δ^l",
                        net.W[l + 1].T @ d_next,
                    ),
                ]
                outcome = without_echo(numeric(self, ours, g.delta[l], f"delta[{l}]", slips=slips))
                if not outcome.ok:
                    return outcome
            return Outcome(True, "the numbers agree")
        refused = self.refuse(value, "an array of shape (n_l, 1)")
        if refused is not None:
            return self._raised(value) or refused
        sym = cached_network(tuple(p["sizes"]))
        l = p["l"]
        if isinstance(value, sp.MatrixBase) and value.shape == (1, sym.sizes[l]):
            value = value.T
        W, d, z = sym.W, sym.delta(l + 1), sym.z
        spz = sym.sigma_prime_of(z[l])
        slips = [
            (
                "a transpose is missing: W[l+1] @ delta[l+1] sums over the wrong index of W; the sum over the "
                "neurons m of layer l+1 is W[l+1].T @ delta[l+1]",
                lambda: (W[l + 1] * d).multiply_elementwise(spz),
            ),
            (
                "W[l] where W[l+1] belongs: δ^(l+1) comes back through the weights out of layer l, W[l+1]",
                lambda: (W[l].T * d).multiply_elementwise(spz),
            ),
            (
                "W[l] where W[l+1] belongs (and not transposed): δ^(l+1) comes back through W[l+1].T",
                lambda: (W[l] * d).multiply_elementwise(spz),
            ),
            (
                "σ′ at the wrong layer: sigma_prime(z[l+1]) where sigma_prime(z[l]) belongs",
                lambda: (W[l + 1].T * d).multiply_elementwise(sym.sigma_prime_of(z[l + 1])),
            ),
        ]
        return symbolic_with_slips(self, value, sym.delta(l), sym, f"δ^{l}", slips)


# ------------------------------------------------------------------------------------------------ 3.2
class WeightGradient(ChapterExercise):
    id, title, points = "3.2", "the weight gradient as code", 2
    answer = ("weight_gradient",)

    def cases(self):
        return [
            Case("every layer of a 2-3-4-5 network (symbolic)", {"sizes": [2, 3, 4, 5]}),
            Case(
                "every layer of a 2-3-4-5 sigmoid network (numbers)",
                {"sizes": [2, 3, 4, 5], "seed": 12, "numeric": True},
            ),
            Case("every layer of a 3-2-4-2 network (symbolic)", {"sizes": [3, 2, 4, 2]}, hidden=True),
            Case(
                "every layer of a 4-5-5-3-2 sigmoid network (numbers)",
                {"sizes": [4, 5, 5, 3, 2], "seed": 13, "numeric": True},
                hidden=True,
            ),
        ]

    def run(self, case, weight_gradient):
        p = case.params
        if p.get("numeric"):
            net, _, fw, g = _numeric_net(p["sizes"], p["seed"])
            return [weight_gradient(_copies(g.delta), _copies(fw.a), l) for l in range(1, net.L + 1)]
        sym = cached_network(tuple(p["sizes"]))
        a = [_objects(sym.a[i]) for i in range(sym.L + 1)]
        delta = [None] + [_objects(sym.delta(i)) for i in range(1, sym.L + 1)]
        return [weight_gradient(delta, a, l) for l in range(1, sym.L + 1)]

    def _raised(self, value):
        if _shape_error(value):
            return Outcome(
                False,
                "the factors do not fit: ∂C/∂W^l is the outer product delta[l] @ a[l-1].T, "
                "shape (n_l, n_(l-1)) like W[l]",
                [f"weight_gradient raised ValueError: {short_message(value.message)}"],
            )
        return raised_hint(self, value)

    def judge(self, case, value):
        refused = self.refuse(value, "one matrix per layer")
        if refused is not None:
            return self._raised(value) or refused
        p = case.params
        if p.get("numeric"):
            net, _, fw, g = _numeric_net(p["sizes"], p["seed"])
            for l, ours in enumerate(value, start=1):
                slips = [
                    (
                        "transposed: a[l-1] @ delta[l].T has the shape of W[l].T; ∂C/∂W^l_jk = δ^l_j a^(l-1)_k "
                        "is delta[l] @ a[l-1].T",
                        fw.a[l - 1] @ g.delta[l].T,
                    ),
                    (
                        "a[l] where a[l-1] belongs: W^l_jk multiplies a^(l-1)_k, the activation sent into layer l",
                        g.delta[l] @ fw.a[l].T,
                    ),
                ]
                outcome = without_echo(numeric(self, ours, g.dW[l], f"dW[{l}]", slips=slips))
                if not outcome.ok:
                    return outcome
            return Outcome(True, "the numbers agree")
        sym = cached_network(tuple(p["sizes"]))
        if not isinstance(value, list) or len(value) != sym.L:
            return Outcome(False, f"expected one matrix for each of layers 1..{sym.L}")
        for l, ours in enumerate(value, start=1):
            d, a = sym.delta(l), sym.a
            slips = [
                ("a[l] where a[l-1] belongs: W^l_jk multiplies a^(l-1)_k, the activation sent into layer l", d * a[l].T)
            ]
            outcome = symbolic_with_slips(self, ours, sym.dC_dW(l), sym, f"∂C/∂W^{l}", slips)
            if not outcome.ok:
                outcome.message = f"layer {l}: {outcome.message}"
                return outcome
        return Outcome(True, "proved for every layer")


# ------------------------------------------------------------------------------------------------ 3.3
class RecursionIndex(ChapterExercise):
    id, title, points = "3.3", "the recursion in index notation", 2
    answer = ("recursion_index",)

    def cases(self):
        return [
            Case("layers 1 and 2 of a 2-3-4-5 network (symbolic)", {"sizes": [2, 3, 4, 5]}),
            Case(
                "its einsum twin on a 2-3-4-5 sigmoid network (numbers)",
                {"sizes": [2, 3, 4, 5], "seed": 13, "einsum": True},
            ),
            Case("layers 1 and 2 of a 3-2-4-2 network (symbolic)", {"sizes": [3, 2, 4, 2]}, hidden=True),
            Case("layers 1 and 2 of a 3-3-3-3 network (symbolic)", {"sizes": [3, 3, 3, 3]}, hidden=True),
        ]

    def run(self, case, recursion_index):
        return recursion_index  # a string: all the work is the judge's

    def judge(self, case, value):
        refused = self.refuse(value, 'a string such as "delta[l]_k = ..."')
        if refused is not None:
            return refused
        problem = index_text_problem(value)
        if problem:
            return Outcome(False, f"recursion_index cannot be read: {problem}")
        try:
            equation = parse_index(value)
        except ValueError as exc:
            return Outcome(False, f"recursion_index cannot be read: {plain(str(exc))}")
        if str(equation.lhs.base) != str(parse_index("delta[l]_k = delta[l]_k").lhs.base):
            return Outcome(False, "the left-hand side must be delta[l] with one index, the error signal of layer l")
        p = case.params
        if p.get("einsum"):
            net, _, fw, g = _numeric_net(p["sizes"], p["seed"])
            twin = to_einsum(value)
            for l in (1, 2):
                ours = twin.evaluate(
                    {
                        "W": net.W,
                        "delta": g.delta,
                        "z": fw.z,
                        "sigma": net.activation.sigma,
                        "sigma_prime": net.activation.sigma_prime,
                        "l": l,
                    }
                )
                outcome = numeric(self, ours, g.delta[l], f"delta[{l}] by the einsum twin")
                if not outcome.ok:
                    return outcome
            return Outcome(True, "the einsum twin agrees with the package")
        sym = cached_network(tuple(p["sizes"]))
        for l in (1, 2):
            result = check_index(value, net=sym, l=l)
            if not result.ok:
                return Outcome(False, f"layer {l}: {plain(result.message)}", _index_details(result))
        return Outcome(True, "proved at layers 1 and 2")


def _index_details(result):
    """The engine's further lines, in plain Unicode; the corrected equation is left out (it is the answer)."""
    first = plain(result.message)
    out = []
    for d in getattr(result, "diagnosis", []) or []:
        line = plain(d)
        if line != first and line not in out and not line.startswith("corrected"):
            out.append(line)
    return out
