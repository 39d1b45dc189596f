"""The symbolic network: every weight, bias, input and target a SymPy Symbol, and the truth by sympy.diff.

The ground truth of the series: C is built from the forward pass, equations (1.1)-(1.2)
z^l = W^l a^{l-1} + b^l, a^l = sigma(z^l), and every gradient is what `sympy.diff` says, never a hand formula.
dC/dz^l and dC/da^l are found by putting fresh symbols in place of z^l (or a^l), running the rest of the
network forward from there, differentiating, and substituting the forward expressions back.
Taught in notebooks/01_forward_pass.ipynb (forward) and notebooks/02_error_signal.ipynb (the truth).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.core.function import ArgumentIndexError

from .derivative import Differentiator, Substituter

__all__ = [
    "sigma", "sigma_prime", "sigma_second", "sigmoid", "cost_fn", "cost_grad", "SymbolicNetwork",
    "ACTIVATIONS", "COSTS",
]

ACTIVATIONS = (None, "sigmoid", "tanh")
COSTS = ("generic", "quadratic", "cross_entropy")



def _power(tex, exp):
    """LaTeX of a function call raised to a power, as SymPy's printer asks for (sigma'(z)^2)."""
    return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

class sigma_second(sp.Function):
    """sigma'' for an undefined activation: only here so that sigma' can be differentiated."""

    def _latex(self, printer, exp=None):
        return _power(r"\sigma''\left(%s\right)" % printer._print(self.args[0]), exp)


class sigma_prime(sp.Function):
    """The derivative sigma' of an undefined activation sigma (an undefined function itself)."""

    nargs = 1

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sigma_second(self.args[0])

    def _latex(self, printer, exp=None):
        return _power(r"\sigma'\left(%s\right)" % printer._print(self.args[0]), exp)


class sigma(sp.Function):
    """An undefined activation sigma whose derivative is the undefined function sigma_prime.

    A statement proved with this sigma holds for every differentiable activation, equation (1.2).
    """

    nargs = 1

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sigma_prime(self.args[0])

    def _latex(self, printer, exp=None):
        return _power(r"\sigma\left(%s\right)" % printer._print(self.args[0]), exp)


class sigmoid(sp.Function):
    """The logistic function 1/(1+exp(-t)), kept as an atom whose derivative is sigmoid (1 - sigmoid).

    Keeping it unexpanded makes every gradient a polynomial in sigmoid(...) atoms, so proofs stay fast.
    """

    nargs = 1

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sp.exp(-arg))

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        return _power(r"\operatorname{sigmoid}\left(%s\right)" % printer._print(self.args[0]), exp)


class cost_grad(sp.Function):
    """dc/d(arg i) of the generic per-sample cost c: cost_grad(i, a_1..a_n, y_1..y_n) (an undefined function)."""

    def _latex(self, printer, exp=None):
        i = int(self.args[0])
        n = (len(self.args) - 1) // 2
        if i <= n:
            return _power(r"\frac{\partial c}{\partial a^{L}_{%d}}" % (i - 1), exp)
        return _power(r"\frac{\partial c}{\partial y_{%d}}" % (i - 1 - n), exp)


class cost_fn(sp.Function):
    """The generic per-sample cost c(a^L_0..a^L_{n-1}, y_0..y_{n-1}): any function of the output and target."""

    def fdiff(self, argindex=1):
        return cost_grad(sp.Integer(argindex), *self.args)

    def _latex(self, printer, exp=None):
        return _power(r"c\left(a^{L}, y\right)", exp)


def _sym(name):
    return sp.Symbol(name, real=True)


class SymbolicNetwork:
    """A small fully connected network made of SymPy symbols, with its gradients by `sympy.diff`.

    sizes [n_0, ..., n_L]; activation None (undefined sigma), "sigmoid" or "tanh"; cost "generic"
    (C = (1/n) sum_s c(a^L_s, y_s) with c undefined), "quadratic" (C = 1/(2n) sum_s ||a^L_s - y_s||^2) or
    "cross_entropy"; samples n >= 1 (columns of X, Y). Shapes: W[l] (n_l, n_{l-1}), b[l] (n_l, 1),
    x/X, z[l], a[l] (n_l, n). Taught in notebooks/01_forward_pass.ipynb and notebooks/02_error_signal.ipynb.
    """

    def __init__(self, sizes, activation=None, cost="generic", samples=1):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or any(s < 1 for s in sizes):
            raise ValueError(f"sizes must list at least two positive layer widths [n_0, ..., n_L], got {sizes}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        if cost not in COSTS:
            raise ValueError(f"cost must be one of {COSTS}, got {cost!r}")
        if int(samples) < 1:
            raise ValueError(f"samples must be >= 1, got {samples}")
        self.sizes = sizes
        self.L = len(sizes) - 1
        self.activation = activation
        self.cost = cost
        self.samples = int(samples)
        n = self.samples
        L = self.L
        self.W = [None] + [
            sp.Matrix(sizes[l], sizes[l - 1], lambda j, k, l=l: _sym(f"W^{{{l}}}_{{{j}{k}}}"))
            for l in range(1, L + 1)
        ]
        self.b = [None] + [sp.Matrix(sizes[l], 1, lambda j, _, l=l: _sym(f"b^{{{l}}}_{{{j}}}"))
                           for l in range(1, L + 1)]
        if n == 1:
            self.X = sp.Matrix(sizes[0], 1, lambda k, _: _sym(f"x_{{{k}}}"))
            self.Y = sp.Matrix(sizes[L], 1, lambda j, _: _sym(f"y_{{{j}}}"))
        else:
            self.X = sp.Matrix(sizes[0], n, lambda k, s: _sym(f"x_{{{k},{s}}}"))
            self.Y = sp.Matrix(sizes[L], n, lambda j, s: _sym(f"y_{{{j},{s}}}"))
        self.x, self.y = self.X, self.Y
        self.z = [None]
        self.a = [self.X]
        for l in range(1, L + 1):
            self.z.append(self._affine(l, self.a[l - 1]))
            self.a.append(self.sigma_of(self.z[l]))
        self.Z, self.A = self.z, self.a
        self.C = self._cost_of(self.a[L])
        self._cache = {}
        self._diff = Differentiator()

    # ----- building blocks -------------------------------------------------------------------------------
    def __repr__(self):
        act = "undefined sigma" if self.activation is None else self.activation
        return f"SymbolicNetwork({self.sizes}, activation={act}, cost={self.cost}, samples={self.samples})"

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
        """C as a function of the output matrix A (n_L, n): the generic, quadratic or cross-entropy cost."""
        n = self.samples
        nL = self.sizes[-1]
        total = 0
        for s in range(n):
            a = [A[j, s] for j in range(nL)]
            y = [self.Y[j, s] for j in range(nL)]
            if self.cost == "generic":
                total += cost_fn(*a, *y)
            elif self.cost == "quadratic":
                total += sp.Rational(1, 2) * sum((aj - yj) ** 2 for aj, yj in zip(a, y))
            else:
                total += -sum(yj * sp.log(aj) + (1 - yj) * sp.log(1 - aj) for aj, yj in zip(a, y))
        return total / n if n > 1 else total

    def _forward_from(self, l, kind, M):
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
        n = self.samples
        if n == 1:
            return sp.Matrix(self.sizes[l], 1, lambda j, _: sp.Dummy(f"{kind}{l}_{j}"))
        return sp.Matrix(self.sizes[l], n, lambda j, s: sp.Dummy(f"{kind}{l}_{j}{s}"))

    def _by_fresh(self, kind, l):
        key = (kind, l)
        if key not in self._cache:
            F = self._fresh(kind, l)
            C = self._forward_from(l, kind, F)
            back = self.z[l] if kind == "z" else self.a[l]
            back_in = Substituter({F[i]: back[i] for i in range(len(F))})
            self._cache[key] = F.applyfunc(lambda f: back_in(self._diff.d(C, f)))
        return self._cache[key]

    def dC_dz(self, l):
        """dC/dz^l, the error signal delta^l (equation (2.3)): differentiate with respect to fresh symbols in place of z^l."""
        self._check_layer(l, 1, "dC_dz")
        return self._by_fresh("z", l)

    def dC_da(self, l):
        """dC/da^l (omega^l of source 001): differentiate with respect to fresh symbols in place of a^l; l = 0 gives dC/dx."""
        self._check_layer(l, 0, "dC_da")
        return self._by_fresh("a", l)

    def delta(self, l):
        """delta^l = dC/dz^l, the truth (equation (2.3)); for samples n it includes the 1/n of the cost."""
        return self.dC_dz(l)

    def omega(self, l):
        """omega^l = dC/da^l, the truth (source 001's error of the output of layer l)."""
        return self.dC_da(l)

    def Delta(self, l):
        """The per-sample error signals as columns, Delta^l = n dC/dZ^l (shape (n_l, n)), so that dW^l = (1/n) Delta^l (A^{l-1})^T."""
        return self.dC_dz(l) * self.samples

    def grad_a_C(self):
        """nabla_a C: the per-sample cost gradient dc/da^L at each sample's output, shape (n_L, n).

        Equals dC/da^L for one sample and n dC/dA^L for n samples (the cost averages over samples).
        """
        return self.dC_da(self.L) * self.samples

    # ----- Jacobians used by index-notation steps ---------------------------------------------------------
    def jacobian(self, kind, l):
        """Layer Jacobians by sympy.diff, as nested dicts keyed by index tuples, for one-sample networks.

        kind "dadz" (da^l_i/dz^l_j), "dzda" (dz^l_i/da^{l-1}_j), "dada" (da^l_i/da^{l-1}_j),
        "dzdW" (dz^l_i/dW^l_jk), "dadW" (da^l_i/dW^l_jk), "dzdb" (dz^l_i/db^l_j).
        Returns (shape, dict index-tuple -> expression).
        """
        if self.samples != 1:
            raise ValueError(f"jacobian {kind}: only for one-sample networks, this one has samples={self.samples}")
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
        elif kind == "dzdb":
            for i in range(nl):
                for j in range(nl):
                    out[(i, j)] = sp.diff(self.z[l][i], self.b[l][j])
            shape = (nl, nl)
        else:
            raise ValueError(f"unknown jacobian kind {kind!r}; use dadz, dzda, dada, dzdW, dadW or dzdb")
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
        return syms + list(self.X) + list(self.Y)


@lru_cache(maxsize=32)
def cached_network(sizes, activation=None, cost="generic", samples=1):
    """A shared SymbolicNetwork for the given configuration (sizes as a tuple), so repeated checks reuse its truths."""
    return SymbolicNetwork(list(sizes), activation=activation, cost=cost, samples=samples)
