"""Exercises of notebooks/08_autodiff.ipynb: the local backward rules of the matrix product (8.2), of σ (8.4) and
of the mean over the samples (8.6).

Each rule is a NumPy function of the operation's inputs and G, the gradient at its output. It is checked two ways.
Symbolically: the student's function runs on object arrays of SymPy symbols, with G the undefined partial
derivatives of a generic scalar function f of the operation's output (`autodiff.upstream`), and the proof engine
compares what it returns with `sympy.diff` of f. On numbers: the student's rule replaces the package's in the
tape of a whole sigmoid network (`autodiff.tape_of(..., rules=...)`), and the gradients the tape then gives are
compared with the package's backpropagation `MLP.gradients`.

Typical slips are named by the judge: it writes each wrong rule itself, runs it on the same inputs and compares
the answer with it. The first symbolic case of the matrix product is square, so that a missing transpose still
computes something the judge can name; on the other shapes such a slip raises, and the raise is diagnosed.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from ...autodiff import objects, symbol_matrix, tape_of, upstream
from ...network import MLP
from ...symbolic import sigma as _sigma_function
from ...symbolic import sigma_prime as _sigma_prime_function
from ...symbolic.text import plain
from . import Case, Exercise, Outcome
from .ch02 import raised_hint, symbolic_with_slips, without_echo
from .judges import numeric


# ------------------------------------------------------------------------------------------------ shared
def _exact(value):
    """A SymPy answer with its floats made exact (0.333… → 1/3), so that writing 1/m as a float is no slip."""
    if not isinstance(value, sp.MatrixBase):
        return value
    return value.applyfunc(lambda e: e.xreplace({f: sp.nsimplify(f) for f in e.atoms(sp.Float)}))


def _problem(p):
    """The case's sigmoid network with the quadratic cost and its batch X (n_0, m), Y (n_L, m), from the seed."""
    net = MLP(list(p["sizes"]), activation=p.get("activation", "sigmoid"), cost="quadratic", seed=p["seed"])
    rng = np.random.default_rng(p["seed"])
    X = rng.standard_normal((p["sizes"][0], p["m"]))
    Y = rng.uniform(size=(p["sizes"][-1], p["m"]))
    return net, X, Y


def _tape_gradients(p, rules):
    """The tape's gradients [dW[1], db[1], dW[2], ...] for the case's network with `rules` in place of the package's."""
    net, X, Y = _problem(p)
    tape = tape_of(net, X, Y, rules=rules).backward()
    out = []
    for l in range(1, net.L + 1):
        out += [tape.grad(f"W[{l}]"), tape.grad(f"b[{l}]")]
    return out


def _tape_names(L):
    return [name for l in range(1, L + 1) for name in (f"dW[{l}]", f"db[{l}]")]


def _judge_tape(ex, case, value, wrong_rules, raised=None):
    """The tape with the student's rule against the package's gradients; a slip is named when the answer equals
    the tape with one of the judge's own wrong rules. wrong_rules: [(why, rules dict)]; raised(value): the
    exercise's diagnosis of an exception, or None."""
    refused = ex.refuse(value, "the gradients of every layer")
    if refused is not None:
        return (raised(value) if raised else None) or _tape_raised(ex, value) or refused
    p = case.params
    net, X, Y = _problem(p)
    g = net.gradients(X, Y)
    reference = [x for l in range(1, net.L + 1) for x in (g.dW[l], g.db[l])]
    if not isinstance(value, list) or len(value) != len(reference):
        return Outcome(False, f"the tape did not give one gradient per parameter ({len(reference)} expected)")
    wrong = []
    for why, rules in wrong_rules:
        try:
            wrong.append((why, _tape_gradients(p, rules)))
        except ValueError:
            continue  # this slip cannot even run on these shapes
    for i, (name, ours, ref) in enumerate(zip(_tape_names(net.L), value, reference)):
        slips = [(why, grads[i]) for why, grads in wrong]
        outcome = without_echo(numeric(ex, ours, ref, name, slips=slips))
        if not outcome.ok:
            outcome.message = f"{outcome.message} (with your rule in the tape of the whole network)"
            return outcome
    return Outcome(True, "the tape with your rule gives the package's gradients")


def _tape_raised(ex, value):
    kind, message = getattr(value, "kind", ""), getattr(value, "message", "")
    if kind == "ValueError" and "a gradient has the shape of what it differentiates" in message:
        return Outcome(
            False,
            "a gradient of the wrong shape: each gradient must have the shape of the input it differentiates",
            [f"the tape says: {message[:200]}"],
        )
    if kind == "ValueError" and "must return" in message:
        return Outcome(
            False, "the rule must return one gradient per input of the operation", [f"the tape says: {message[:200]}"]
        )
    return None


def _matmul_error(value):
    return getattr(value, "kind", "") == "ValueError" and any(
        w in getattr(value, "message", "") for w in ("matmul", "shapes", "align", "broadcast")
    )


# ------------------------------------------------------------------------------------------------ 8.1
@lru_cache(maxsize=8)
def _product_problem(n, k, m):
    """A (n, k), B (k, m) of symbols, G = ∂f/∂P for P = A B, and the truths ∂f/∂A, ∂f/∂B by sympy.diff."""
    A, B = symbol_matrix("A", n, k), symbol_matrix("B", k, m)
    f, G = upstream(A * B)
    return A, B, G, A.applyfunc(lambda a: sp.diff(f, a)), B.applyfunc(lambda b: sp.diff(f, b))


class MatmulBackward(Exercise):
    id, title, points = "8.1", "the backward rule of the matrix product (8.2)", 3
    answer = ("matmul_backward",)

    def cases(self):
        return [
            Case("P = A B with A and B 3×3 (symbolic, G = ∂f/∂P of a generic f)", {"shape": [3, 3, 3]}),
            Case("P = A B with A 2×3 and B 3×4 (symbolic)", {"shape": [2, 3, 4]}),
            Case(
                "your rule in the tape of a 3-4-2 sigmoid network, batch of m = 5 (numbers)",
                {"sizes": [3, 4, 2], "m": 5, "seed": 81, "tape": True},
            ),
            Case("P = A B with A 4×2 and B 2×3 (symbolic)", {"shape": [4, 2, 3]}, hidden=True),
            Case(
                "your rule in the tape of a 4-5-3-2 sigmoid network, batch of m = 6 (numbers)",
                {"sizes": [4, 5, 3, 2], "m": 6, "seed": 82, "tape": True},
                hidden=True,
            ),
        ]

    def run(self, case, matmul_backward):
        p = case.params
        if p.get("tape"):
            return _tape_gradients(p, {"matmul": matmul_backward})
        A, B, G, _, _ = _product_problem(*p["shape"])
        return matmul_backward(objects(A), objects(B), G.copy())

    def _raised(self, value, p):
        found = _tape_raised(self, value)
        if found is not None:
            found.message += " (Ā has the shape of A, B̄ the shape of B)"
            return found
        if _matmul_error(value):
            raised = [f"matmul_backward raised ValueError: {value.message[:160]}"]
            if "shape" not in p:
                return Outcome(
                    False,
                    "the factors do not fit: Ā = G Bᵀ has the shape of A and B̄ = Aᵀ G the shape "
                    "of B; a transpose is missing?",
                    raised,
                )
            n, k, m = p["shape"]
            return Outcome(
                False,
                f"the factors do not fit: Ā must have the shape of A ({n}, {k}), which is G "
                f"({n}, {m}) times Bᵀ ({m}, {k}); B̄ has the shape of B ({k}, {m}), Aᵀ ({k}, {n}) "
                f"times G ({n}, {m})",
                raised,
            )
        return raised_hint(self, value)

    def judge(self, case, value):
        p = case.params
        if p.get("tape"):
            wrong = [
                ("a transpose is missing: Ā = G Bᵀ, not G B", {"matmul": lambda A, B, G: (G @ B, A.T @ G)}),
                ("a transpose is missing: B̄ = Aᵀ G, not A G", {"matmul": lambda A, B, G: (G @ B.T, A @ G)}),
                (
                    "the two gradients are swapped: return (Ā, B̄) = (G Bᵀ, Aᵀ G), the gradient of A first",
                    {"matmul": lambda A, B, G: (A.T @ G, G @ B.T)},
                ),
            ]
            return _judge_tape(self, case, value, wrong, lambda v: self._raised(v, p))
        refused = self.refuse(value, "a pair of matrices (Ā, B̄)")
        if refused is not None:
            return self._raised(value, p) or refused
        if isinstance(value, sp.MatrixBase) or not isinstance(value, list) or len(value) != 2:
            return Outcome(
                False, "matmul_backward must return two gradients, (Ā, B̄): the gradient of A first, then that of B"
            )
        A, B, G, dA, dB = _product_problem(*p["shape"])
        G = sp.Matrix(G)
        ours_A, ours_B = (_exact(v) for v in value)
        if (
            isinstance(ours_A, sp.MatrixBase)
            and isinstance(ours_B, sp.MatrixBase)
            and A.shape != B.shape
            and ours_A.shape == B.shape
            and ours_B.shape == A.shape
        ):
            return Outcome(
                False, "the two gradients are swapped: return (Ā, B̄) = (G Bᵀ, Aᵀ G), the gradient of A first"
            )
        slips_A = [
            ("a transpose is missing: Ā = G Bᵀ (Ā_ik = Σ_j G_ij B_kj), not G B", lambda: G * B),
            ("Ā is transposed: B Gᵀ is (G Bᵀ)ᵀ; Ā has the shape of A", lambda: B * G.T),
            ("the factors are in the wrong order: Ā = G Bᵀ, not Bᵀ G", lambda: B.T * G),
            ("the two gradients are swapped: return (Ā, B̄) = (G Bᵀ, Aᵀ G), the gradient of A first", lambda: A.T * G),
        ]
        slips_B = [
            ("a transpose is missing: B̄ = Aᵀ G (B̄_kj = Σ_i A_ik G_ij), not A G", lambda: A * G),
            ("B̄ is transposed: Gᵀ A is (Aᵀ G)ᵀ; B̄ has the shape of B", lambda: G.T * A),
            ("the factors are in the wrong order: B̄ = Aᵀ G, not G Aᵀ", lambda: G * A.T),
            ("the two gradients are swapped: return (Ā, B̄) = (G Bᵀ, Aᵀ G), the gradient of A first", lambda: G * B.T),
        ]
        for what, ours, truth, slips in (("Ā", ours_A, dA, slips_A), ("B̄", ours_B, dB, slips_B)):
            outcome = symbolic_with_slips(self, ours, truth, None, what, slips)
            if not outcome.ok:
                if not outcome.message.startswith(what):
                    outcome.message = f"{what}: {outcome.message}"
                return outcome
        return Outcome(True, "proved: both gradients equal sympy.diff of f")


# ------------------------------------------------------------------------------------------------ 8.2
@lru_cache(maxsize=8)
def _sigma_problem(n, m):
    """Z (n, m) of symbols, A = σ(Z) with σ undefined, G = ∂f/∂A, and the truth ∂f/∂Z by sympy.diff."""
    Z = symbol_matrix("Z", n, m)
    f, G = upstream(Z.applyfunc(_sigma_function))
    return Z, G, Z.applyfunc(lambda z: sp.diff(f, z))


_SIGMA = np.vectorize(_sigma_function, otypes=[object])
_SIGMA_PRIME = np.vectorize(_sigma_prime_function, otypes=[object])


class SigmaBackward(Exercise):
    id, title, points = "8.2", "the backward rule of σ (8.4)", 2
    answer = ("sigma_backward",)

    def cases(self):
        return [
            Case("A = σ(Z) with Z 2×3 and σ undefined (symbolic, G = ∂f/∂A of a generic f)", {"shape": [2, 3]}),
            Case(
                "your rule in the tape of a 3-4-2 sigmoid network, batch of m = 5 (numbers)",
                {"sizes": [3, 4, 2], "m": 5, "seed": 83, "tape": True},
            ),
            Case("A = σ(Z) with Z 3×2 and σ undefined (symbolic)", {"shape": [3, 2]}, hidden=True),
            Case(
                "your rule in the tape of a 4-5-3-2 tanh network, batch of m = 4 (numbers)",
                {"sizes": [4, 5, 3, 2], "m": 4, "seed": 84, "tape": True, "activation": "tanh"},
                hidden=True,
            ),
        ]

    def run(self, case, sigma_backward):
        p = case.params
        if p.get("tape"):
            return _tape_gradients(p, {"sigma": sigma_backward})
        Z, G, _ = _sigma_problem(*p["shape"])
        return sigma_backward(objects(Z), G.copy(), _SIGMA, _SIGMA_PRIME)

    def _raised(self, value):
        if _matmul_error(value):
            return Outcome(
                False,
                "⊙ is elementwise: write G * sigma_prime(Z), not @ (a matrix product does not fit "
                "two matrices of the same shape)",
                [f"sigma_backward raised ValueError: {value.message[:160]}"],
            )
        return _tape_raised(self, value) or raised_hint(self, value)

    def judge(self, case, value):
        p = case.params
        if p.get("tape"):
            slip_sigma = (
                "σ where σ′ belongs: G ⊙ σ(Z) is not the gradient; multiply by sigma_prime(Z)",
                {"sigma": lambda Z, G, s, sp_: G * s(Z)},
            )
            slip_none = (
                "the factor σ′(Z) is missing: G is ∂C/∂A, the gradient at the output of σ; Z̄ = G ⊙ σ′(Z)",
                {"sigma": lambda Z, G, s, sp_: G},
            )
            slip_logistic = (
                "σ(Z)(1 − σ(Z)) is σ′ only for the sigmoid: use sigma_prime(Z), which fits any σ",
                {"sigma": lambda Z, G, s, sp_: G * s(Z) * (1 - s(Z))},
            )
            wrong = [slip_sigma, slip_none]
            if p.get("activation", "sigmoid") != "sigmoid":
                wrong.append(slip_logistic)
            return _judge_tape(self, case, value, wrong, self._raised)
        refused = self.refuse(value, "a matrix Z̄ of the shape of Z")
        if refused is not None:
            return self._raised(value) or refused
        Z, G, truth = _sigma_problem(*p["shape"])
        G = sp.Matrix(G)
        s = Z.applyfunc(_sigma_function)
        slips = [
            (
                "σ where σ′ belongs: G ⊙ σ(Z) is not the gradient; multiply by sigma_prime(Z)",
                lambda: G.multiply_elementwise(s),
            ),
            ("the factor σ′(Z) is missing: G is ∂C/∂A, the gradient at the output of σ; Z̄ = G ⊙ σ′(Z)", lambda: G),
            (
                "σ(Z)(1 − σ(Z)) is σ′ only for the sigmoid: use sigma_prime(Z), which fits any σ",
                lambda: G.multiply_elementwise(s.applyfunc(lambda t: t * (1 - t))),
            ),
            (
                "σ′ of the gradient: Z̄ = G ⊙ σ′(Z), with σ′ taken at Z, the input of σ",
                lambda: G.applyfunc(_sigma_prime_function),
            ),
        ]
        return symbolic_with_slips(self, _exact(value), truth, None, "Z̄", slips)


# ------------------------------------------------------------------------------------------------ 8.3
@lru_cache(maxsize=8)
def _mean_problem(m):
    """c (1, m) of symbols, C = (1/m) Σ c_x, G = ∂f/∂C, and the truth ∂f/∂c by sympy.diff."""
    c = symbol_matrix("c", 1, m)
    f, G = upstream(sp.Matrix([[sum(c) / m]]))
    return c, G, c.applyfunc(lambda t: sp.diff(f, t))


def _numbers(p):
    rng = np.random.default_rng(p["seed"])
    return rng.uniform(0.0, 2.0, size=(1, p["m"])), np.array([[p["G"]]])


class MeanBackward(Exercise):
    id, title, points = "8.3", "the backward rule of the mean (8.6)", 2
    answer = ("mean_backward",)

    def cases(self):
        return [
            Case("C the mean of m = 4 costs (symbolic, G = ∂f/∂C of a generic f)", {"m": 4}),
            Case("C the mean of m = 5 costs, G = 0.7 (numbers)", {"m": 5, "G": 0.7, "seed": 85, "numbers": True}),
            Case(
                "your rule in the tape of a 3-4-2 sigmoid network, batch of m = 7 (numbers)",
                {"sizes": [3, 4, 2], "m": 7, "seed": 86, "tape": True},
            ),
            Case("C the mean of m = 3 costs (symbolic)", {"m": 3}, hidden=True),
            Case(
                "C the mean of m = 1 cost, G = -1.5 (numbers)",
                {"m": 1, "G": -1.5, "seed": 87, "numbers": True},
                hidden=True,
            ),
            Case(
                "your rule in the tape of a 4-5-3-2 sigmoid network, batch of m = 10 (numbers)",
                {"sizes": [4, 5, 3, 2], "m": 10, "seed": 88, "tape": True},
                hidden=True,
            ),
        ]

    def run(self, case, mean_backward):
        p = case.params
        if p.get("tape"):
            return _tape_gradients(p, {"mean": mean_backward})
        if p.get("numbers"):
            c, G = _numbers(p)
            return mean_backward(c, G)
        c, G, _ = _mean_problem(p["m"])
        return mean_backward(objects(c), G.copy())

    def _lost(self, m):
        return (
            f"the 1/m is missing: C is the mean of the m = {m} per-sample costs, so each c_x gets 1/m of G "
            "(m is c.shape[1], the number of columns)"
        )

    def judge(self, case, value):
        p = case.params
        m = p["m"]
        if p.get("tape"):
            wrong = [
                (self._lost(m), {"mean": lambda c, G: np.ones_like(c) * G}),
                (
                    f"divided by m² = {m * m}: the mean divides by m once",
                    {"mean": lambda c, G: np.ones_like(c) * G / c.shape[1] ** 2},
                ),
            ]
            return _judge_tape(self, case, value, wrong)
        refused = self.refuse(value, f"a row of shape (1, {m})")
        if refused is not None:
            return _tape_raised(self, value) or raised_hint(self, value) or refused
        shape = getattr(value, "shape", None)
        if shape is not None and tuple(shape) != (1, m) and m > 1:
            return Outcome(
                False,
                f"c̄ has one entry per sample, the shape of c, (1, {m}); got {tuple(shape)} "
                "(G is (1, 1): spread it over the m columns, np.ones_like(c) * G / m)",
            )
        if p.get("numbers"):
            c, G = _numbers(p)
            slips = [
                (self._lost(m), np.ones_like(c) * G),
                (f"divided by m² = {m * m}: the mean divides by m once", np.ones_like(c) * G / m**2),
            ]
            if m == 1:
                slips = []
            return without_echo(numeric(self, value, np.ones_like(c) * G / m, "c̄", slips=slips))
        c, G, truth = _mean_problem(m)
        G = sp.Matrix(G)
        slips = [
            (self._lost(m), lambda: sp.ones(1, m) * G[0, 0]),
            (f"divided by m² = {m * m}: the mean divides by m once", lambda: sp.ones(1, m) * G[0, 0] / m**2),
        ]
        outcome = symbolic_with_slips(self, _exact(value), truth, None, "c̄", slips)
        outcome.message = plain(outcome.message)
        return outcome
