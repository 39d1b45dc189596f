"""Exercises of notebooks/09_depth.ipynb: the softmax Jacobian (9.10), the one-layer bound (9.3), the
initialisation scale 1/sqrt(n_(l-1)) of (9.6)-(9.7).

9.1 runs twice: on an object array of SymPy expressions a_j = E_j / (E_0 + ... + E_(n-1)) with E_k standing for
e^(z_k), where the proof engine compares the answer with the Jacobian that `sympy.diff` finds for the softmax
(9.9), and on numbers against the package's `softmax_jacobian`. 9.2 takes plain lists of arrays (the weights, the
error signal of the next layer, z) and the elementwise σ′, never a network. 9.3 draws random weights; its judge
looks at the shape of every W[l] and at the mean and the standard deviation of its entries, which the sample
sizes of the cases pin down to a few per cent. Typical slips are named by the judge from the value alone: it
rebuilds each wrong formula and compares.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ...activations import softmax, softmax_jacobian
from ...network import MLP
from ...symbolic import check as symbolic_check
from . import Case, Outcome
from .ch02 import ChapterExercise, raised_hint, short_message, symbolic_with_slips, without_echo
from .judges import numeric


# ------------------------------------------------------------------------------------------------ 9.1
def _E(n):
    """E_0..E_(n-1), the symbols that stand for e^(z_0), ..., e^(z_(n-1)) (real, as the record decodes them)."""
    return sp.symbols(f"E_0:{n}", real=True)


def _softmax_column(n):
    """The softmax (9.9) of n outputs written in the E_k: a_j = E_j / sum_k E_k, as an (n, 1) SymPy matrix."""
    E = _E(n)
    total = sp.Add(*E)
    return sp.Matrix(n, 1, [e / total for e in E])


def _softmax_truth(n):
    """∂a_j/∂z_i by sympy.diff of e^(z_j) / sum_k e^(z_k), then written in the E_k (row j, column i)."""
    z = sp.symbols(f"z_0:{n}", real=True)
    total = sp.Add(*[sp.exp(t) for t in z])
    a = sp.Matrix(n, 1, [sp.exp(t) / total for t in z])
    J = a.jacobian(sp.Matrix(z))
    E = _E(n)

    def powers(arg):  # exp(c_0 z_0 + ... + c_(n-1) z_(n-1)) -> E_0^c_0 ... E_(n-1)^c_(n-1)
        coeffs = [arg.coeff(t) for t in z]
        if sp.expand(arg - sum(c * t for c, t in zip(coeffs, z))) != 0:
            raise ValueError(f"exp of a non-linear argument: {arg}")
        return sp.Mul(*[e**c for e, c in zip(E, coeffs)])

    return J.applyfunc(lambda entry: entry.replace(lambda e: isinstance(e, sp.exp), lambda e: powers(e.args[0])))


def _numeric_z(p):
    rng = np.random.default_rng(p["seed"])
    z = rng.normal(scale=p.get("scale", 1.5), size=(p["n"], 1))
    if p.get("saturated"):
        z[0, 0] += 12.0  # one output far ahead of the others: a is nearly one-hot
    return z


def _jacobian_slips(a, outer, diag):
    """(why, wrong) for the typical slips, built from the column a with the given outer product and diag."""
    n = a.shape[0]
    A = diag(a)
    inner = sum(a[k, 0] * a[k, 0] for k in range(n))
    first = a[0, 0]
    ones = np.ones((n, n), dtype=object if a.dtype == object else float)
    return [
        (
            "aᵀa where the outer product a aᵀ belongs: a.T @ a is one number (the squared length of a), a @ a.T is "
            "the (n, n) table a_j a_k",
            A - inner * ones,
        ),
        (
            "np.diag of an (n, 1) column returns its diagonal (one entry), not a diagonal matrix: use "
            "np.diag(a.ravel()) or np.diagflat(a)",
            first * ones - outer(a),
        ),
        (
            "the outer product is missing: diag(a) alone would be the Jacobian of an elementwise activation; softmax "
            "mixes the outputs, ∂a_j/∂z_i = −a_j a_i for i ≠ j",
            A,
        ),
        ("diag(a) is missing: ∂a_j/∂z_j = a_j (1 − a_j), so the diagonal holds a_j − a_j²", -outer(a)),
        ("the sign: ∂a_j/∂z_i = a_j (δ_ji − a_i) is diag(a) − a aᵀ, not a aᵀ − diag(a)", outer(a) - A),
        (
            "diag(a(1 − a)) treats softmax like an elementwise sigmoid: the off-diagonal entries −a_j a_i are missing",
            diag(a - a * a),
        ),
        ("a * a is elementwise (a_j² in row j); the outer product a aᵀ is a @ a.T", A - (a * a) * ones),
        (
            "the identity where diag(a) belongs: ∂a_j/∂z_j = a_j (1 − a_j), so the diagonal of J starts with a_j, "
            "not 1",
            np.eye(n, dtype=ones.dtype) - outer(a),
        ),
    ]


def _np_diag(a):
    return np.diagflat(a)


def _np_outer(a):
    return a @ a.T


class SoftmaxJacobian(ChapterExercise):
    id, title, points = "9.1", "the softmax Jacobian", 3
    answer = ("jacobian_of_softmax",)

    def cases(self):
        return [
            Case("n_L = 3 outputs, a_j = E_j / (E_0 + E_1 + E_2) with E_k = e^(z_k) (symbolic)", {"n": 3}),
            Case("a = softmax(z) for a random z of 4 outputs (numbers)", {"n": 4, "seed": 91, "numeric": True}),
            Case("n_L = 2 outputs (symbolic)", {"n": 2}, hidden=True),
            Case("n_L = 5 outputs (symbolic)", {"n": 5}, hidden=True),
            Case(
                "a nearly one-hot column of 10 outputs (numbers)",
                {"n": 10, "seed": 92, "saturated": True, "numeric": True},
                hidden=True,
            ),
        ]

    def run(self, case, jacobian_of_softmax):
        p = case.params
        if p.get("numeric"):
            return jacobian_of_softmax(softmax(_numeric_z(p)))
        return jacobian_of_softmax(np.array(_softmax_column(p["n"]), dtype=object))

    def _raised(self, value):
        if getattr(value, "kind", "") == "ValueError" and any(
            w in value.message for w in ("matmul", "shape", "broadcast")
        ):
            return Outcome(
                False,
                "the factors do not fit: with a of shape (n, 1), the outer product a aᵀ is a @ a.T, shape (n, n)",
                [f"jacobian_of_softmax raised ValueError: {short_message(value.message)}"],
            )
        return raised_hint(self, value)

    def judge(self, case, value):
        p = case.params
        n = p["n"]
        refused = self.refuse(value, f"an ({n}, {n}) matrix")
        if refused is not None:
            return self._raised(value) or refused
        if p.get("numeric"):
            z = _numeric_z(p)
            a = softmax(z)
            slips = _jacobian_slips(a, _np_outer, _np_diag)
            if isinstance(value, np.ndarray) and value.shape == (n, n):
                for why, wrong in slips:
                    if np.allclose(value, wrong, rtol=1e-9, atol=1e-12) and not np.allclose(
                        wrong, softmax_jacobian(z), rtol=1e-9, atol=1e-12
                    ):
                        return Outcome(False, why)
            return without_echo(numeric(self, value, softmax_jacobian(z), "∂a/∂z"))
        if isinstance(value, np.ndarray) and value.dtype != object:
            return Outcome(
                False,
                "the answer holds numbers where the check passed symbols: build the matrix from "
                "the entries of a with NumPy operations (np.diagflat, @, .T), not with np.zeros or float",
            )
        a = _softmax_column(n)
        obj = np.array(a, dtype=object)
        slips = [(why, sp.Matrix(wrong)) for why, wrong in _jacobian_slips(obj, lambda v: v @ v.T, np.diagflat)]
        if isinstance(value, sp.MatrixBase) and value.shape == (n, n):
            for why, wrong in slips:
                if symbolic_check(value, wrong, prove=False).ok:
                    return Outcome(False, why)
        return symbolic_with_slips(self, value, _softmax_truth(n), None, "∂a/∂z")


# ------------------------------------------------------------------------------------------------ 9.2
def _bound_net(p):
    """The case's network, one sample x with a one-hot target, its forward pass and the package's δ."""
    net = MLP(list(p["sizes"]), activation=p["activation"], cost="log_likelihood", seed=p["seed"])
    for l in range(1, net.L + 1):
        net.W[l] = p.get("s", 1.0) * net.W[l]
    rng = np.random.default_rng(p["seed"])
    x = rng.standard_normal((p["sizes"][0], 1))
    y = np.zeros((p["sizes"][-1], 1))
    y[rng.integers(p["sizes"][-1]), 0] = 1.0
    return net, net.forward(x), net.gradients(x, y)


def _as_number(value):
    """A float from a value that holds exactly one number (a float, a 0-d or 1-entry array), else None."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype != object:
        return float(value.ravel()[0])
    return None


class LayerBound(ChapterExercise):
    id, title, points = "9.2", "the one-layer bound", 2
    answer = ("delta_bound",)

    def cases(self):
        return [
            Case(
                "layers 1 and 2 of a 6-5-5-4 sigmoid network",
                {"sizes": [6, 5, 5, 4], "activation": "sigmoid", "seed": 93},
            ),
            Case(
                "layers 1-3 of a 5-7-7-7-3 tanh network with every weight tripled",
                {"sizes": [5, 7, 7, 7, 3], "activation": "tanh", "seed": 94, "s": 3.0},
            ),
            Case(
                "layers 1-3 of a 4-6-6-6-2 relu network",
                {"sizes": [4, 6, 6, 6, 2], "activation": "relu", "seed": 95},
                hidden=True,
            ),
            Case(
                "layers 1 and 2 of a 3-8-4-5 sigmoid network with every weight times 5",
                {"sizes": [3, 8, 4, 5], "activation": "sigmoid", "seed": 96, "s": 5.0},
                hidden=True,
            ),
        ]

    def run(self, case, delta_bound):
        net, fw, g = _bound_net(case.params)
        out = []
        for l in range(1, net.L):
            delta = [None] * (net.L + 1)
            delta[l + 1] = g.delta[l + 1].copy()
            W = [None] + [w.copy() for w in net.W[1:]]
            z = [None] + [v.copy() for v in fw.z[1:]]
            out.append(delta_bound(W, delta, z, net.activation.sigma_prime, l))
        return out

    def judge(self, case, value):
        refused = self.refuse(value, "one number per layer")
        if refused is not None:
            if getattr(value, "kind", "") in ("TypeError", "ValueError") and "NoneType" in value.message:
                return Outcome(
                    False,
                    "a quantity that is not given was used: of the error signals only delta[l+1] is filled in",
                    [f"delta_bound raised {value.kind}: {short_message(value.message)}"],
                )
            return refused
        net, fw, g = _bound_net(case.params)
        if isinstance(value, np.ndarray) and value.ndim == 1:  # a list of plain numbers crosses as one array
            value = [np.array(v) for v in value]
        if not isinstance(value, list) or len(value) != net.L - 1:
            return Outcome(False, f"expected one number for each of layers 1..{net.L - 1}")
        for l, ours in enumerate(value, start=1):
            number = _as_number(ours)
            if number is None:
                shape = getattr(ours, "shape", None)
                return Outcome(
                    False,
                    f"layer {l}: delta_bound must return one number (the right-hand side of "
                    f"(9.3)), got {'an array of shape ' + str(shape) if shape else type(ours).__name__}",
                )
            W_next, W_here, d, z = net.W[l + 1], net.W[l], g.delta[l + 1], fw.z
            sp_l = np.abs(net.activation.sigma_prime(z[l]))
            norm_d = np.linalg.norm(d)
            truth = np.linalg.norm(W_next, 2) * sp_l.max() * norm_d
            if math.isclose(number, truth, rel_tol=1e-9, abs_tol=1e-300):
                continue
            spectral = np.linalg.norm(W_next, 2)
            slips = [
                (
                    "np.linalg.norm(W) is the Frobenius norm (the root of the sum of all squares); (9.3) uses the "
                    "spectral norm np.linalg.norm(W[l+1], 2), the largest stretch",
                    np.linalg.norm(W_next) * sp_l.max() * norm_d,
                ),
                (
                    "W[l] where W[l+1] belongs: δ^(l+1) comes back through the weights out of layer l, W[l+1]",
                    np.linalg.norm(W_here, 2) * sp_l.max() * norm_d,
                ),
                (
                    "the mean of |σ′(z^l)| is not a bound: take the largest, max |σ′(z^l_k)|",
                    spectral * sp_l.mean() * norm_d,
                ),
                (
                    "σ′ at the wrong layer: the factor D^l of (9.1) holds σ′(z[l]), not σ′(z[l+1])",
                    spectral * np.abs(net.activation.sigma_prime(z[l + 1])).max() * norm_d,
                ),
                (
                    "1/4 is the sigmoid's largest σ′ over all z; (9.3) takes the largest σ′ of this layer's own z^l "
                    "(and other activations have other bounds)",
                    spectral * 0.25 * norm_d,
                ),
                ("the factor max |σ′(z^l)| is missing: D^l scales δ too", spectral * norm_d),
                (
                    "that is ||δ^l|| itself, the left-hand side of (9.3); the bound is ||W[l+1]||₂ · max |σ′(z[l])| · "
                    "||δ^(l+1)||",
                    np.linalg.norm((W_next.T @ d) * net.activation.sigma_prime(z[l])),
                ),
                (
                    "||W[l+1].T @ delta[l+1]|| · max |σ′| bounds this one δ only; (9.3) bounds the stretch of W[l+1] "
                    "for every δ: use the spectral norm ||W[l+1]||₂",
                    np.linalg.norm(W_next.T @ d) * sp_l.max(),
                ),
                (
                    "the largest entry |W_jk| is not the stretch of a matrix: use the spectral norm "
                    "np.linalg.norm(W[l+1], 2)",
                    np.abs(W_next).max() * sp_l.max() * norm_d,
                ),
                (
                    "||δ^(l+1)|| is the Euclidean length np.linalg.norm(delta[l+1]), not the sum of |entries|",
                    spectral * sp_l.max() * np.abs(d).sum(),
                ),
                ("squared: the bound multiplies the lengths, not their squares", (spectral * sp_l.max() * norm_d) ** 2),
            ]
            for why, wrong in slips:
                if math.isclose(number, wrong, rel_tol=1e-9) and not math.isclose(wrong, truth, rel_tol=1e-9):
                    return Outcome(False, f"layer {l}: {why}", [f"got {number:.6g}, expected {truth:.6g}"])
            return Outcome(
                False, f"layer {l}: got {number:.6g}, expected ||W[l+1]||₂ · max |σ′(z[l])| · ||δ^(l+1)|| = {truth:.6g}"
            )
        return Outcome(True, "the numbers agree")


# ------------------------------------------------------------------------------------------------ 9.3
def _scale_slips(n_prev, n):
    """(why, ratio): the typical wrong standard deviations of W[l], as a ratio to the right one 1/sqrt(n_prev)."""
    return [
        (
            "1/n_(l−1) is the variance, not the standard deviation: draw with standard deviation 1/√n_(l−1)",
            1 / math.sqrt(n_prev),
        ),
        (
            "1/√n_l uses the width of layer l itself; (9.7) needs the number of inputs each neuron of layer l sums, "
            "n_(l−1)",
            math.sqrt(n_prev / n),
        ),
        (
            "standard deviation 1: each z^l_j sums n_(l−1) terms, so its size grows like √n_(l−1) unless the "
            "weights are divided by √n_(l−1) (9.7)",
            math.sqrt(n_prev),
        ),
        (
            "√(2/n_(l−1)) is He's scale for ReLU networks (section 9.4); the package, and this exercise, use "
            "1/√n_(l−1)",
            math.sqrt(2),
        ),
        (
            "√(2/(n_(l−1) + n_l)) is Glorot's scale, a compromise between the two widths; the package, and this "
            "exercise, use 1/√n_(l−1)",
            math.sqrt(2 * n_prev / (n_prev + n)),
        ),
        (
            "a uniform draw on [−1/√n_(l−1), 1/√n_(l−1)] has standard deviation 1/√(3 n_(l−1)); draw from the "
            "normal distribution N(0, 1/n_(l−1))",
            1 / math.sqrt(3),
        ),
    ]


class InitWeights(ChapterExercise):
    id, title, points = "9.3", "the initialisation scale", 2
    answer = ("init_weights",)

    def cases(self):
        return [
            Case(
                "sizes [400, 100, 25, 10], rng = np.random.default_rng(97)", {"sizes": [400, 100, 25, 10], "seed": 97}
            ),
            Case(
                "sizes [784, 30, 10], rng = np.random.default_rng(98)",
                {"sizes": [784, 30, 10], "seed": 98},
                hidden=True,
            ),
            Case(
                "sizes [50, 200, 20], rng = np.random.default_rng(99)",
                {"sizes": [50, 200, 20], "seed": 99},
                hidden=True,
            ),
        ]

    def run(self, case, init_weights):
        return init_weights(list(case.params["sizes"]), np.random.default_rng(case.params["seed"]))

    def judge(self, case, value):
        refused = self.refuse(value, "a padded list [None, W[1], ..., W[L]]")
        if refused is not None:
            return refused
        sizes = case.params["sizes"]
        L = len(sizes) - 1
        if not isinstance(value, list) or len(value) != L + 1:
            return Outcome(
                False, f"expected a padded list [None, W[1], ..., W[{L}]] of {L + 1} items for sizes {sizes}"
            )
        if value[0] is not None:
            return Outcome(False, "W[0] must be None: the lists of the series are padded so that W[l] is layer l")
        for l in range(1, L + 1):
            W, n_prev, n = value[l], sizes[l - 1], sizes[l]
            if not isinstance(W, np.ndarray) or W.dtype == object:
                return Outcome(
                    False,
                    f"W[{l}] must be a NumPy array of numbers, got "
                    f"{type(W).__name__ if not hasattr(W, 'type_name') else W.type_name}",
                )
            if W.shape != (n, n_prev):
                if W.shape == (n_prev, n):
                    return Outcome(
                        False,
                        f"W[{l}] has shape {W.shape}, the shape of W[{l}].T: W[l] is "
                        "(n_l, n_(l−1)), one row per neuron of layer l",
                    )
                return Outcome(False, f"W[{l}] has shape {W.shape}, expected (n_l, n_(l−1)) = {(n, n_prev)}")
            if not np.all(np.isfinite(W)):
                return Outcome(False, f"W[{l}] holds NaN or inf")
            N = W.size
            target = 1 / math.sqrt(n_prev)
            spread = float(np.std(W))
            if spread == 0:
                return Outcome(
                    False,
                    f"every weight of W[{l}] is the same number: all neurons of a layer would "
                    "compute the same thing and receive the same gradient; draw them at random",
                )
            mean = float(np.mean(W))
            if abs(mean) > 5 * spread / math.sqrt(N):
                return Outcome(False, f"the entries of W[{l}] have mean {mean:.3g}; draw them around 0")
            ratio = float(np.sqrt(np.mean(W**2))) / target
            tolerance = 5 / math.sqrt(2 * N)  # five standard errors of the estimated scale
            if abs(math.log(ratio)) <= tolerance:
                continue
            for why, expected in _scale_slips(n_prev, n):
                if abs(math.log(ratio / expected)) <= tolerance and abs(math.log(expected)) > tolerance:
                    return Outcome(
                        False,
                        f"W[{l}]: {why}",
                        [f"its standard deviation is {ratio * target:.3g}, expected 1/√{n_prev} = {target:.3g}"],
                    )
            return Outcome(
                False,
                f"W[{l}]: the standard deviation of its entries is {ratio * target:.3g}, expected "
                f"1/√n_(l−1) = 1/√{n_prev} = {target:.3g} ("
                + (f"{ratio:.2f} times too large)" if ratio > 1 else f"{1 / ratio:.2f} times too small)"),
            )
        return Outcome(True, "every layer has the right shape and scale")
