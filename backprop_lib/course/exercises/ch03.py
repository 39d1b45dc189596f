"""Exercises of notebooks/03_recursion.ipynb: the recursion (3.4), the weight gradient (3.6), index notation.

Each is checked symbolically (the student's code runs on NumPy arrays of SymPy expressions of a network with
undefined σ and a generic cost, and the proof engine compares with `sympy.diff`) and on numbers (against the
package's per-sample backprop).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ...network import MLP
from ...symbolic import cached_network
from ...symbolic.index import check_index, parse_index, to_einsum
from . import Case, Exercise, Outcome
from .judges import index_text_problem, numeric, symbolic


def _objects(matrix):
    return np.array(matrix, dtype=object)


def _symbolic_lists(sizes):
    """W, z and the network's sigma' as the student's function sees them: padded lists of object arrays."""
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


def _shape_slip(ex, value):
    """A ValueError from a matrix product whose shapes do not fit: the usual cause is a missing transpose."""
    if getattr(value, "kind", "") == "ValueError" and ("matmul" in value.message or "shape" in value.message):
        return Outcome(False, "the factors do not fit: a transpose is missing? W[l+1] is (n_(l+1), n_l), and "
                       "the sum over the neurons m of layer l+1 needs W[l+1].T @ delta[l+1]",
                       [f"{ex.answer[0]} raised ValueError: {value.message}"])
    return None


class DeltaStep(Exercise):
    id, title, points = "3.1", "one step of the recursion", 3
    answer = ("delta_step",)

    def cases(self):
        return [Case("layer 1 of a 2-3-4-5 network (symbolic)", {"sizes": [2, 3, 4, 5], "l": 1}),
                Case("layer 2 of a 2-3-4-5 network (symbolic)", {"sizes": [2, 3, 4, 5], "l": 2}),
                Case("layers 1 and 2 of a 2-3-4-5 sigmoid network (numbers)",
                     {"sizes": [2, 3, 4, 5], "seed": 11, "numeric": True}),
                Case("layer 1 of a 3-2-4-2 network (symbolic)", {"sizes": [3, 2, 4, 2], "l": 1}, hidden=True),
                Case("layer 2 of a 3-2-4-2 network (symbolic)", {"sizes": [3, 2, 4, 2], "l": 2}, hidden=True)]

    def run(self, case, delta_step):
        p = case.params
        if p.get("numeric"):
            net, _, fw, g = _numeric_net(p["sizes"], p["seed"])
            out = []
            for l in (1, 2):
                given = [None] * (net.L + 1)
                given[l + 1] = g.delta[l + 1]
                out.append(delta_step(net.W, given, fw.z, net.activation.prime, l))
            return out
        sym, W, z, sigma_prime = _symbolic_lists(p["sizes"])
        l = p["l"]
        delta = [None] * (sym.L + 1)
        delta[l + 1] = _objects(sym.delta(l + 1))
        return delta_step(W, delta, z, sigma_prime, l)

    def judge(self, case, value):
        p = case.params
        if p.get("numeric"):
            refused = self.refuse(value, "two arrays")
            if refused is not None:
                return _shape_slip(self, value) or refused
            net, _, fw, g = _numeric_net(p["sizes"], p["seed"])
            for l, ours in zip((1, 2), value):
                slips = [("σ where σ′ belongs (multiply by sigma_prime(z[l]), not sigma)",
                          (net.W[l + 1].T @ g.delta[l + 1]) * net.activation.f(fw.z[l]))]
                outcome = numeric(self, ours, g.delta[l], f"delta[{l}]", slips=slips)
                if not outcome.ok:
                    return outcome
            return Outcome(True, "the numbers agree")
        refused = self.refuse(value, "an array of shape (n_l, 1)")
        if refused is not None:
            return _shape_slip(self, value) or refused
        sym = cached_network(tuple(p["sizes"]))
        if isinstance(value, sp.MatrixBase) and value.shape == (1, sym.sizes[p["l"]]):
            value = value.T
        return symbolic(self, value, sym.delta(p["l"]), net=sym, name=f"delta^{p['l']}")


class WeightGradient(Exercise):
    id, title, points = "3.2", "the weight gradient as code", 2
    answer = ("weight_gradient",)

    def cases(self):
        return [Case("every layer of a 2-3-4-5 network (symbolic)", {"sizes": [2, 3, 4, 5]}),
                Case("every layer of a 2-3-4-5 sigmoid network (numbers)",
                     {"sizes": [2, 3, 4, 5], "seed": 12, "numeric": True}),
                Case("every layer of a 3-2-4-2 network (symbolic)", {"sizes": [3, 2, 4, 2]}, hidden=True)]

    def run(self, case, weight_gradient):
        p = case.params
        if p.get("numeric"):
            net, _, fw, g = _numeric_net(p["sizes"], p["seed"])
            return [weight_gradient(g.delta, fw.a, l) for l in range(1, net.L + 1)]
        sym = cached_network(tuple(p["sizes"]))
        a = [_objects(sym.a[i]) for i in range(sym.L + 1)]
        delta = [None] + [_objects(sym.delta(i)) for i in range(1, sym.L + 1)]
        return [weight_gradient(delta, a, l) for l in range(1, sym.L + 1)]

    def judge(self, case, value):
        refused = self.refuse(value, "one matrix per layer")
        if refused is not None:
            return _shape_slip(self, value) or refused
        p = case.params
        if p.get("numeric"):
            net, _, fw, g = _numeric_net(p["sizes"], p["seed"])
            for l, ours in enumerate(value, start=1):
                outcome = numeric(self, ours, g.dW[l], f"dW[{l}]")
                if not outcome.ok:
                    return outcome
            return Outcome(True, "the numbers agree")
        sym = cached_network(tuple(p["sizes"]))
        for l, ours in enumerate(value, start=1):
            outcome = symbolic(self, ours, sym.dC_dW(l), net=sym, name=f"dC/dW^{l}")
            if not outcome.ok:
                outcome.message = f"layer {l}: {outcome.message}"
                return outcome
        return Outcome(True, "proved for every layer")


class RecursionIndex(Exercise):
    id, title, points = "3.3", "the recursion in index notation", 2
    answer = ("recursion_index",)

    def cases(self):
        return [Case("layers 1 and 2 of a 2-3-4-5 network (symbolic)", {"sizes": [2, 3, 4, 5]}),
                Case("its einsum twin on a 2-3-4-5 sigmoid network (numbers)", {"sizes": [2, 3, 4, 5], "seed": 13,
                                                                               "einsum": True}),
                Case("layers 1 and 2 of a 3-2-4-2 network (symbolic)", {"sizes": [3, 2, 4, 2]}, hidden=True)]

    def run(self, case, recursion_index):
        return recursion_index            # a string: all the work is the judge's

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
            return Outcome(False, f"recursion_index cannot be read: {exc}")
        if str(equation.lhs.base) != str(parse_index("delta[l]_k = delta[l]_k").lhs.base):
            return Outcome(False, "the left-hand side must be delta[l] with one index, the error signal of layer l")
        p = case.params
        if p.get("einsum"):
            net, _, fw, g = _numeric_net(p["sizes"], p["seed"])
            twin = to_einsum(value)
            for l in (1, 2):
                ours = twin.evaluate({"W": net.W, "delta": g.delta, "z": fw.z, "sigma": net.activation.f,
                                      "sigma_prime": net.activation.prime, "l": l})
                outcome = numeric(self, ours, g.delta[l], f"delta[{l}] by the einsum twin")
                if not outcome.ok:
                    return outcome
            return Outcome(True, "the einsum twin agrees with the package")
        sym = cached_network(tuple(p["sizes"]))
        for l in (1, 2):
            result = check_index(value, net=sym, l=l)
            if not result.ok:
                details = [d for d in dict.fromkeys(getattr(result, "diagnosis", [])) if d != result.message]
                return Outcome(False, f"layer {l}: {result.message}", details)
        return Outcome(True, "proved at layers 1 and 2")
