"""Bring your own cost: a cost written as a SymPy expression, differentiated by SymPy, used by the numeric core.

A student writes the cost of ONE output neuron for ONE sample, c(a, y), as a SymPy expression in two symbols.
`cost_from_sympy` then, with no hand-written derivative anywhere,
  * derives dc/da with sympy.diff,
  * turns c and dc/da into fast numpy functions with sympy.lambdify,
  * returns a backprop_lib.costs.Cost (a SympyCost) that MLP(cost=...), gradient_check and sgd accept, with the
    conventions of backprop_lib.costs, equation (6.2):

        C = (1/m) sum_x sum_j c(a^L_j(x), y_j(x)),     grad_a(A, Y)[j, x] = dc/da (a^L_j(x), y_j(x))

    Shapes: A, Y and grad_a(A, Y) are (n_L, m), samples as columns; value(A, Y) is a float (the mean over m).
`prove_output_error` proves the output error this gives, delta^L = nabla_a C ⊙ sigma'(z^L) (2.4), against the
derivative that SymPy takes of a symbolic network whose cost is built from the same expression; passed a
hand-written derivative instead, it says whether (and how) the hand derivation is wrong.
Taught in notebooks/06_training_mnist.ipynb.
"""

from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from .costs import COSTS, Cost
from .symbolic.network import sigma, sigma_prime, sigmoid
from .validation import check_real

__all__ = ["SympyCost", "cost_from_sympy", "output_error_expr", "prove_output_error"]

# Probe points where a cost for sigmoid outputs and one-hot targets must be finite: a in (0, 1), y in {0, 1}.
_PROBE_A = np.array([[0.2, 0.7, 0.01], [0.45, 0.9, 0.99]])
_PROBE_Y = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])


@dataclass(frozen=True, eq=False)
class SympyCost(Cost):
    """A Cost made from a SymPy expression c(a, y) of one output neuron: value and grad_a are lambdified.

    Besides the Cost fields (name, fn, grad_fn, ...) it keeps the SymPy side: `expr` = c(a, y),
    `grad_expr` = dc/da (by sympy.diff), the symbols `a` and `y` (real), and `clip` (if set, a is clipped to
    [clip, 1 - clip] before c and dc/da are evaluated numerically, as backprop_lib.costs does for logarithms).
    """

    expr: sp.Expr = None
    grad_expr: sp.Expr = None
    a: sp.Symbol = None
    y: sp.Symbol = None
    clip: float | None = None

    def __repr__(self):
        return f"SympyCost({self.name!r}: c(a, y) = {self.expr}, dc/da = {self.grad_expr})"

    def _repr_latex_(self):
        a, y = sp.latex(self.a), sp.latex(self.y)
        return (
            rf"$\text{{{self.name.replace('_', ' ')}:}}\quad c({a}, {y}) = {sp.latex(self.expr)}"
            rf",\qquad \frac{{\partial c}}{{\partial {a}}} = {sp.latex(self.grad_expr)}$"
        )


def _real_symbol(what, s):
    if not isinstance(s, sp.Symbol):
        raise ValueError(
            f"{what} must be a SymPy Symbol, e.g. a, y = sp.symbols('a y', real=True); got {type(s).__name__} {s!r}"
        )
    return sp.Symbol(s.name, real=True)


def _as_scalar_expr(expr, what="expr"):
    if isinstance(expr, (sp.MatrixBase, np.ndarray, list, tuple)):
        raise ValueError(
            f"{what} must be ONE scalar SymPy expression c(a, y): the cost of one output neuron "
            "for one sample (the package sums it over the neurons and averages it over the samples); "
            f"got a {type(expr).__name__}"
        )
    try:
        expr = sp.sympify(expr, strict=True)
    except (sp.SympifyError, TypeError) as exc:
        raise ValueError(f"{what} must be a SymPy expression in the symbols a and y, got {expr!r} ({exc})") from None
    if not isinstance(expr, sp.Expr):
        raise ValueError(
            f"{what} must be a SymPy expression in the symbols a and y, got {type(expr).__name__} {expr!r}"
        )
    if expr.has(sp.Derivative, sp.Integral) or expr.atoms(AppliedUndef):
        raise ValueError(
            f"{what} must be an explicit formula in a and y, without undefined functions, "
            f"derivatives or integrals; got {expr}"
        )
    return expr


def _rename(expr, a, y, a_real, y_real, what):
    """expr with the symbols named like a and y replaced by their real versions; other symbols are an error."""
    names = {a.name: a_real, y.name: y_real}
    extra = sorted(s.name for s in expr.free_symbols if s.name not in names)
    if extra:
        raise ValueError(
            f"{what} may only contain the symbols {a.name} and {y.name}; it also has "
            f"{', '.join(extra)} (give constants numbers, e.g. expr.subs(eps, sp.Rational(1, 10)))"
        )
    return expr.xreplace({s: names[s.name] for s in expr.free_symbols})


def cost_from_sympy(expr, a, y, name="custom", clip=None):
    """A Cost from the per-neuron cost c(a, y) written in SymPy: dc/da by sympy.diff, numpy by sympy.lambdify (6.2).

    expr: a scalar SymPy expression in the symbols `a` (one output activation a^L_j) and `y` (its target y_j);
    the cost of a batch is C = (1/m) sum_x sum_j c(a^L_j(x), y_j(x)). `clip` (e.g. 1e-15) keeps a inside
    [clip, 1 - clip] in the numeric functions, for costs with ln a or ln(1 - a). Raises ValueError when expr is
    not a scalar expression, does not depend on a, has other symbols, or is not finite for a in (0, 1) and
    y in {0, 1}. Shapes of the returned Cost: value(A, Y) -> float, grad_a(A, Y) -> (n_L, m) like A.
    Taught in notebooks/06_training_mnist.ipynb.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    if name in COSTS:
        raise ValueError(f"name {name!r} belongs to a built-in cost ({', '.join(COSTS)}); choose another name")
    a_real, y_real = _real_symbol("a", a), _real_symbol("y", y)
    if a.name == y.name:
        raise ValueError(f"a and y must be two different symbols, got {a.name!r} twice")
    if clip is not None and check_real("clip", clip, positive=True) >= 0.5:
        raise ValueError(f"clip must be None or a small positive number below 0.5 (e.g. 1e-15), got {clip!r}")
    expr = _as_scalar_expr(expr)
    if not any(s.name == a.name for s in expr.free_symbols):
        raise ValueError(
            f"the cost {expr} does not depend on {a.name}, the output activation: its derivative "
            f"dc/d{a.name} is 0, so delta^L = 0 and the network would never learn"
        )
    expr = _rename(expr, a, y, a_real, y_real, "the cost")
    grad = sp.diff(expr, a_real)
    if grad.has(sp.Derivative):
        raise ValueError(f"SymPy could not differentiate the cost {expr} with respect to {a.name}: got {grad}")
    value_f = sp.lambdify((a_real, y_real), expr, modules="numpy")
    grad_f = sp.lambdify((a_real, y_real), grad, modules="numpy")

    def _prepare(A, Y):
        A = np.asarray(A, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64)
        if A.ndim != 2 or A.shape != Y.shape:
            raise ValueError(
                f"{name} cost: A and Y must be (n_L, m) batches of the same shape, got {A.shape} and {Y.shape}"
            )
        if clip is not None:
            A = np.clip(A, clip, 1.0 - clip)
        return A, Y

    def value(A, Y):
        A, Y = _prepare(A, Y)
        return float(np.sum(np.broadcast_to(value_f(A, Y), A.shape))) / A.shape[1]

    def grad_a(A, Y):
        A, Y = _prepare(A, Y)
        return np.array(np.broadcast_to(grad_f(A, Y), A.shape), dtype=np.float64)

    value.__doc__ = f"C = (1/m) sum_x sum_j c(a, y) with c = {expr} (lambdified), equation (6.2)."
    grad_a.__doc__ = f"Per-sample nabla_a C_x, entry by entry dc/da = {grad} (sympy.diff, lambdified), (6.2)."
    with np.errstate(all="ignore"):
        try:
            probe_v = np.broadcast_to(value_f(_PROBE_A, _PROBE_Y), _PROBE_A.shape)
            probe_g = np.broadcast_to(grad_f(_PROBE_A, _PROBE_Y), _PROBE_A.shape)
            finite = (
                np.all(np.isfinite(probe_v))
                and np.all(np.isfinite(probe_g))
                and not np.iscomplexobj(probe_v)
                and not np.iscomplexobj(probe_g)
            )
        except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ValueError(f"the cost {expr} cannot be evaluated with numpy: {exc}") from None
    if not finite:
        raise ValueError(
            f"the cost c = {expr} or its derivative dc/da = {grad} is not a finite real number for "
            "some a in (0, 1) and y in {0, 1} (sigmoid outputs and one-hot targets): "
            f"check the formula (a log of 0? a square root of a negative number?)"
        )
    return SympyCost(name=name, fn=value, grad_fn=grad_a, expr=expr, grad_expr=grad, a=a_real, y=y_real, clip=clip)


def _check_cost(cost):
    if not isinstance(cost, SympyCost):
        raise ValueError(f"cost must be a SympyCost made by cost_from_sympy, got {type(cost).__name__}")
    return cost


def output_error_expr(cost, z, y, grad=None, activation="sigmoid"):
    """delta^L_j of one output neuron as a SymPy expression: dc/da at a = sigma(z), times sigma'(z), equation (2.4).

    z, y: SymPy expressions for z^L_j and y_j. grad: a hand-written dc/da in the cost's symbols (default: the
    one sympy.diff derived). activation: "sigmoid" (kept as an atom, as in backprop_lib.symbolic), "tanh" or None
    (an undefined sigma, so the statement holds for every activation).
    """
    cost = _check_cost(cost)
    g = (
        cost.grad_expr
        if grad is None
        else _rename(_as_scalar_expr(grad, "grad"), cost.a, cost.y, cost.a, cost.y, "the derivative")
    )
    sigma_z, sigma_prime_z = _sigma_and_sigma_prime(activation, z)
    return g.xreplace({cost.a: sigma_z, cost.y: y}) * sigma_prime_z


def _sigma_and_sigma_prime(activation, z):
    """sigma(z) and sigma'(z) in the atoms of backprop_lib.symbolic, so they match what sympy.diff produces there."""
    if activation is None:
        return sigma(z), sigma_prime(z)  # undefined sigma: the statement holds for every activation
    if activation == "sigmoid":
        s = sigmoid(z)
        return s, s * (1 - s)  # (2.5)
    if activation == "tanh":
        return sp.tanh(z), 1 - sp.tanh(z) ** 2
    raise ValueError(f"activation must be None, 'sigmoid' or 'tanh', got {activation!r}")


def prove_output_error(cost, sizes=(2, 3, 2), activation="sigmoid", grad=None):
    """Prove delta^L = nabla_a C ⊙ sigma'(z^L) (2.4) for a SympyCost on a symbolic network; returns a CheckResult.

    The truth is SymPy's: a SymbolicNetwork(sizes, activation) gives z^L (every weight, bias and input a
    symbol); fresh symbols are put in place of z^L, the cost C = sum_j c(sigma(z^L_j), y_j) is built from the
    cost's own expression, sympy.diff differentiates it and the forward expressions of z^L are put back (as
    SymbolicNetwork.dC_dz does for its built-in costs). The candidate is the package's rule: dc/da from
    sympy.diff (or `grad`, a hand-written dc/da in the cost's symbols a and y) at a = a^L, times sigma'(z^L).
    The engine's SymbolicNetwork takes only its built-in costs, which is why the truth is built here.
    Shapes: the result compares (n_L, 1) columns. Taught in notebooks/06_training_mnist.ipynb.
    """
    from .symbolic import SymbolicNetwork, check

    cost = _check_cost(cost)
    net = SymbolicNetwork(list(sizes), activation=activation, cost="generic", m=1)
    L, n_L = net.L, net.sizes[-1]
    fresh = [sp.Dummy(f"zeta{j}") for j in range(n_L)]
    C = sum(cost.expr.xreplace({cost.a: net.sigma_f(fresh[j]), cost.y: net.y[j, 0]}) for j in range(n_L))
    back = {fresh[j]: net.z[L][j, 0] for j in range(n_L)}
    truth = sp.Matrix(n_L, 1, lambda j, _: sp.diff(C, fresh[j]).xreplace(back))
    candidate = sp.Matrix(
        n_L, 1, lambda j, _: output_error_expr(cost, net.z[L][j, 0], net.y[j, 0], grad=grad, activation=activation)
    )
    which = "SymPy's" if grad is None else "the hand-written"
    statement = (
        r"\left.\frac{\partial c}{\partial a}\right|_{a = a^{L}} \odot \sigma'(z^{L})"
        rf"\quad\text{{({which} }}\tfrac{{\partial c}}{{\partial a}}\text{{, cost {cost.name.replace('_', ' ')})}}"
    )
    return check(candidate, truth, name=r"\delta^{L} = \frac{\partial C}{\partial z^{L}}", net=net, statement=statement)
