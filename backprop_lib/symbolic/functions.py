"""The functions a symbolic network is made of: an undefined σ with σ′ and σ″, the sigmoid kept as an atom, and
the generic per-sample cost c(a^L, y) with its partial derivatives.

A statement proved with the undefined σ holds for every differentiable activation (equation (1.2)); one proved
with the undefined c holds for every cost. Each prints as the series writes it (σ′(z), ∂c/∂a^L_j).
Taught in notebooks/01_forward_pass.ipynb and notebooks/02_error_signal.ipynb.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import ArgumentIndexError

__all__ = ["sigma", "sigma_prime", "sigma_second", "sigmoid", "cost_fn", "cost_grad"]


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
