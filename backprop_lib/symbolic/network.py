"""The symbolic network: every weight, bias, input and target a SymPy Symbol, and the truth by differentiation.

The ground truth of the series: C is built from the forward pass, equations (1.1)-(1.2)
z^l = W^l a^{l-1} + b^l, a^l = sigma(z^l), and every gradient is the derivative of that composed expression by
SymPy's own rules (derivative.py applies them once per shared subexpression; tests compare with sympy.diff),
never a hand formula and never the backward recursion the series proves. dC/dz^l and dC/da^l are found by
putting fresh symbols in place of z^l (or a^l), running the rest of the network forward from there,
differentiating, and substituting the forward expressions back.
Taught in notebooks/01_forward_pass.ipynb (forward) and notebooks/02_error_signal.ipynb (the truth).
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .derivative import Differentiator, Substituter
from .functions import cost_fn, cost_grad, sigma, sigma_prime, sigma_second, sigmoid

__all__ = [
    "sigma",
    "sigma_prime",
    "sigma_second",
    "sigmoid",
    "cost_fn",
    "cost_grad",
    "SymbolicNetwork",
    "ACTIVATIONS",
    "COSTS",
]

ACTIVATIONS = (None, "sigmoid", "tanh")
COSTS = ("generic", "quadratic", "cross_entropy")


def _sym(name):
    return sp.Symbol(name, real=True)


class SymbolicNetwork:
    """A small fully connected network made of SymPy symbols, with its gradients by differentiation.

    sizes [n_0, ..., n_L]; activation None (undefined σ), "sigmoid" or "tanh"; cost "generic"
    (C = (1/m) Σ_s c(a^L_s, y_s) with c undefined), "quadratic" (C = 1/(2m) Σ_s ||a^L_s - y_s||^2) or
    "cross_entropy"; m >= 1 samples, the columns of x and y. Shapes: W[l] (n_l, n_{l-1}), b[l] (n_l, 1),
    x, z[l], a[l] (n_l, m); delta(l), omega(l) like z[l] and a[l]. Taught in notebooks/01_forward_pass.ipynb and
    notebooks/02_error_signal.ipynb.
    """

    def __init__(self, sizes, activation=None, cost="generic", m=1):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or any(s < 1 for s in sizes):
            raise ValueError(f"sizes must list at least two positive layer widths [n_0, ..., n_L], got {sizes}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        if cost not in COSTS:
            raise ValueError(f"cost must be one of {COSTS}, got {cost!r}")
        if isinstance(m, bool) or not hasattr(m, "__index__") or m < 1:
            raise ValueError(f"m (the batch size) must be an integer >= 1, got {m!r}")
        m = int(m)
        self.sizes = sizes
        self.L = L = len(sizes) - 1
        self.activation = activation
        self.cost = cost
        self.m = m
        self.W = [None] + [
            sp.Matrix(sizes[l], sizes[l - 1], lambda j, k, l=l: _sym(f"W^{{{l}}}_{{{j}{k}}}")) for l in range(1, L + 1)
        ]
        self.b = [None] + [
            sp.Matrix(sizes[l], 1, lambda j, _, l=l: _sym(f"b^{{{l}}}_{{{j}}}")) for l in range(1, L + 1)
        ]
        if m == 1:
            self.x = sp.Matrix(sizes[0], 1, lambda k, _: _sym(f"x_{{{k}}}"))
            self.y = sp.Matrix(sizes[L], 1, lambda j, _: _sym(f"y_{{{j}}}"))
        else:
            self.x = sp.Matrix(sizes[0], m, lambda k, s: _sym(f"x_{{{k},{s}}}"))
            self.y = sp.Matrix(sizes[L], m, lambda j, s: _sym(f"y_{{{j},{s}}}"))
        self.z = [None]
        self.a = [self.x]
        for l in range(1, L + 1):
            self.z.append(self._affine(l, self.a[l - 1]))
            self.a.append(self.sigma_of(self.z[l]))
        self.C = self._cost_of(self.a[L])
        self._cache = {}
        self._diff = Differentiator()

    # one name per quantity: x, y, z, a, delta, omega, m

    # ----- building blocks -------------------------------------------------------------------------------
    def __repr__(self):
        act = "undefined sigma" if self.activation is None else self.activation
        return f"SymbolicNetwork({self.sizes}, activation={act}, cost={self.cost}, m={self.m})"

    def _affine(self, l, a_prev):
        """z^l = W^l a^{l-1} + b^l, equation (1.1), with b^l added to every column."""
        return self.W[l] * a_prev + self.b[l] * sp.ones(1, a_prev.shape[1])

    def sigma_f(self, t):
        """sigma(t) for one scalar expression t."""
        if self.activation is None:
            return sigma(t)
        if self.activation == "sigmoid":
            return sigmoid(t)
        return sp.tanh(t)

    def sigma_prime_f(self, t):
        """sigma'(t) for one scalar expression t, in the same atoms that sympy.diff produces."""
        if self.activation is None:
            return sigma_prime(t)
        if self.activation == "sigmoid":
            s = sigmoid(t)
            return s * (1 - s)
        return 1 - sp.tanh(t) ** 2

    def sigma_of(self, M):
        """Elementwise sigma of a Matrix (or of a scalar expression)."""
        if isinstance(M, sp.MatrixBase):
            return M.applyfunc(self.sigma_f)
        return self.sigma_f(M)

    def sigma_prime_of(self, M):
        """Elementwise sigma' of a Matrix (or of a scalar expression)."""
        if isinstance(M, sp.MatrixBase):
            return M.applyfunc(self.sigma_prime_f)
        return self.sigma_prime_f(M)

    def _cost_of(self, A):
        """C as a function of the output matrix A (n_L, m): the generic, quadratic or cross-entropy cost (1/m) Σ_s c,
        equation (5.1)."""
        m = self.m
        nL = self.sizes[-1]
        total = 0
        for s in range(m):
            a = [A[j, s] for j in range(nL)]
            y = [self.y[j, s] for j in range(nL)]
            if self.cost == "generic":
                total += cost_fn(*a, *y)
            elif self.cost == "quadratic":
                total += sp.Rational(1, 2) * sum((aj - yj) ** 2 for aj, yj in zip(a, y))
            else:
                total += -sum(yj * sp.log(aj) + (1 - yj) * sp.log(1 - aj) for aj, yj in zip(a, y))
        return total / m if m > 1 else total

    def cost_with(self, l, kind, M):
        """The cost with M put in place of z^l (kind "z") or a^l (kind "a"), the rest of the network unchanged."""
        a = self.sigma_of(M) if kind == "z" else M
        for k in range(l + 1, self.L + 1):
            a = self.sigma_of(self._affine(k, a))
        return self._cost_of(a)

    def _check_layer(self, l, lo, what):
        if not isinstance(l, int) or not lo <= l <= self.L:
            raise ValueError(f"{what}: layer must be an integer in {lo}..{self.L} for sizes {self.sizes}, got {l!r}")

    # ----- the truth -------------------------------------------------------------------------------------
    def dC_dW(self, l):
        """dC/dW^l by sympy.diff, shape (n_l, n_{l-1}) like W[l]."""
        self._check_layer(l, 1, "dC_dW")
        key = ("W", l)
        if key not in self._cache:
            self._cache[key] = self.W[l].applyfunc(lambda w: self._diff.d(self.C, w))
        return self._cache[key]

    def dC_db(self, l):
        """dC/db^l by sympy.diff, shape (n_l, 1) like b[l]."""
        self._check_layer(l, 1, "dC_db")
        key = ("b", l)
        if key not in self._cache:
            self._cache[key] = self.b[l].applyfunc(lambda v: self._diff.d(self.C, v))
        return self._cache[key]

    def _fresh(self, kind, l):
        if self.m == 1:
            return sp.Matrix(self.sizes[l], 1, lambda j, _: sp.Dummy(f"{kind}{l}_{j}"))
        return sp.Matrix(self.sizes[l], self.m, lambda j, s: sp.Dummy(f"{kind}{l}_{j}{s}"))

    def _by_fresh(self, kind, l):
        key = (kind, l)
        if key not in self._cache:
            F = self._fresh(kind, l)
            C = self.cost_with(l, kind, F)
            back = self.z[l] if kind == "z" else self.a[l]
            back_in = Substituter({F[i]: back[i] for i in range(len(F))})
            self._cache[key] = F.applyfunc(lambda f: back_in(self._diff.d(C, f)))
        return self._cache[key]

    def delta(self, l):
        """δ^l = ∂C/∂z^l, the error signal (equation (2.3)), by differentiating with respect to fresh symbols in
        place of z^l; for m samples it includes the 1/m of the cost."""
        self._check_layer(l, 1, "delta")
        return self._by_fresh("z", l)

    def omega(self, l):
        """ω^l = ∂C/∂a^l (source 001's error of the output of layer l), with fresh symbols in place of a^l; l = 0
        gives ∂C/∂x."""
        self._check_layer(l, 0, "omega")
        return self._by_fresh("a", l)

    def Delta(self, l):
        """The per-sample error signals as columns, Δ^l = m ∂C/∂Z^l (shape (n_l, m)), so that
        ∂C/∂W^l = (1/m) Δ^l (A^{l-1})^T, equation (5.3)."""
        return self.delta(l) * self.m

    def grad_a_C(self):
        """∇_a C: the per-sample cost gradient ∂c/∂a^L at each sample's output, shape (n_L, m).

        Equals ∂C/∂a^L for one sample and m ∂C/∂A^L for m samples (the cost averages over samples).
        """
        return self.omega(self.L) * self.m

    def identify(self, M):
        """(method name, args) of the truth M if it is one this network computed (e.g. ("delta", (2,))), else None."""
        names = {"W": "dC_dW", "b": "dC_db", "z": "delta", "a": "omega"}
        for key, value in self._cache.items():
            if value is M and key[0] in names:
                return names[key[0]], (key[1],)
        return None

    # ----- Jacobians used by index-notation steps ---------------------------------------------------------
    def jacobian(self, kind, l):
        """Layer Jacobians by sympy.diff, as nested dicts keyed by index tuples, for one-sample networks.

        kind "dadz" (da^l_i/dz^l_j), "dzda" (dz^l_i/da^{l-1}_j), "dada" (da^l_i/da^{l-1}_j), "daa" (da^l_i/da^l_j),
        "dadb" (da^l_i/db^l_j),
        "dzdW" (dz^l_i/dW^l_jk), "dadW" (da^l_i/dW^l_jk), "dzdb" (dz^l_i/db^l_j).
        Returns (shape, dict index-tuple -> expression).
        """
        if self.m != 1:
            raise ValueError(f"jacobian {kind}: only for one-sample networks (m = 1), this one has m = {self.m}")
        key = ("J", kind, l)
        if key in self._cache:
            return self._cache[key]
        lo = 1
        self._check_layer(l, lo, f"jacobian {kind}")
        nl, nm = self.sizes[l], self.sizes[l - 1]
        out = {}
        if kind in ("dadz",):
            F = self._fresh("z", l)
            rep = {F[i]: self.z[l][i] for i in range(nl)}
            A = self.sigma_of(F)
            for i in range(nl):
                for j in range(nl):
                    out[(i, j)] = sp.diff(A[i], F[j]).xreplace(rep)
            shape = (nl, nl)
        elif kind == "daa":
            F = self._fresh("a", l)
            for i in range(nl):
                for j in range(nl):
                    out[(i, j)] = sp.diff(F[i], F[j])
            shape = (nl, nl)
        elif kind in ("dzda", "dada"):
            F = self._fresh("a", l - 1)
            rep = {F[i]: self.a[l - 1][i] for i in range(nm)}
            Z = self._affine(l, F)
            T = Z if kind == "dzda" else self.sigma_of(Z)
            for i in range(nl):
                for j in range(nm):
                    out[(i, j)] = sp.diff(T[i], F[j]).xreplace(rep)
            shape = (nl, nm)
        elif kind in ("dzdW", "dadW"):
            T = self.z[l] if kind == "dzdW" else self.a[l]
            for i in range(nl):
                for j in range(nl):
                    for k in range(nm):
                        out[(i, j, k)] = sp.diff(T[i], self.W[l][j, k])
            shape = (nl, nl, nm)
        elif kind == "dadb":
            for i in range(nl):
                for j in range(nl):
                    out[(i, j)] = sp.diff(self.a[l][i], self.b[l][j])
            shape = (nl, nl)
        elif kind == "dzdb":
            for i in range(nl):
                for j in range(nl):
                    out[(i, j)] = sp.diff(self.z[l][i], self.b[l][j])
            shape = (nl, nl)
        else:
            raise ValueError(f"unknown jacobian kind {kind!r}; use dadz, dzda, dada, daa, dzdW, dadW, dzdb or dadb")
        self._cache[key] = (shape, out)
        return self._cache[key]

    # ----- helpers for statements -------------------------------------------------------------------------
    def layer_of_z(self):
        """Map every z^l entry expression to its layer l (used by the diagnosis)."""
        out = {}
        for l in range(1, self.L + 1):
            for e in self.z[l]:
                out[e] = l
        return out

    def parameters(self):
        """Every Symbol of the network: weights, biases, inputs and targets."""
        syms = []
        for l in range(1, self.L + 1):
            syms += list(self.W[l]) + list(self.b[l])
        return syms + list(self.x) + list(self.y)


def cached_network(sizes, activation=None, cost="generic", m=1):
    """A shared SymbolicNetwork for the given configuration (sizes as a tuple), so repeated checks reuse its truths."""
    return _cached(tuple(int(s) for s in sizes), activation, cost, m)


@lru_cache(maxsize=32)
def _cached(sizes, activation, cost, m):
    return SymbolicNetwork(list(sizes), activation=activation, cost=cost, m=m)
