"""The numeric gradient check: central differences over every parameter, equation (3.7).

    dC/dtheta ~ (C(theta + eps) - C(theta - eps)) / (2 eps)

and the relative error of CS231n, taken with the size of the whole array as its scale so that round-off in one
tiny entry cannot hide or fake an error:

    rel(x, y) = max|x - y| / max(1e-8, max|x| + max|y|)

Taught in notebooks/03_recursion.ipynb; used by the tests of every backward form.
"""

from dataclasses import dataclass

import numpy as np

from .network import METHODS
from .validation import as_gradient_lists, check_choice, check_real
from .verdict import Verdict

# Thresholds for the report: below OK the gradients agree; up to SUSPICIOUS they may be kinks (relu) or
# round-off in a badly scaled net; above it a formula is wrong.
OK, SUSPICIOUS = 1e-7, 1e-4
# The floor of the denominator of the relative error: two gradients that both vanish agree.
FLOOR = 1e-8


def relative_error(x, y):
    """Relative error max|x - y| / max(1e-8, max|x| + max|y|) of two arrays of the same shape (3.7)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"relative_error: shapes differ, {x.shape} vs {y.shape}")
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y)) / max(FLOOR, np.max(np.abs(x)) + np.max(np.abs(y))))


def numerical_gradients(net, X, Y, eps=1e-5):
    """Central-difference estimate of dC/dW[l] and dC/db[l] for every parameter of `net` (3.7).

    Costs 2 forward passes per parameter: meant for small networks. Returns (dW, db), padded lists.
    Each parameter is put back exactly as it was after its two costs are taken.
    """
    eps = check_real("eps", eps, positive=True)
    net.check_parameters()
    X, Y = net.check_batch(X, Y)
    grads = {"W": [None], "b": [None]}
    for l in range(1, net.L + 1):
        for kind, param in (("W", net.W[l]), ("b", net.b[l])):
            g = np.zeros_like(param)
            for idx in np.ndindex(param.shape):
                saved = param[idx]
                param[idx] = saved + eps
                with np.errstate(over="ignore"):  # a cost that overflows is reported below
                    c_plus = net.cost_value(X, Y, check=False)
                    param[idx] = saved - eps
                    c_minus = net.cost_value(X, Y, check=False)
                    g[idx] = (c_plus - c_minus) / (2.0 * eps)
                param[idx] = saved
            if not np.all(np.isfinite(g)):
                raise ValueError(
                    f"the numerical gradient of {kind}[{l}] (layer {l}) is not finite: the cost "
                    "overflows near these parameters"
                )
            grads[kind].append(g)
    return grads["W"], grads["b"]


@dataclass
class GradCheckReport(Verdict):
    """One row per parameter array: its name, shape and relative error; .ok when all are below the tolerance."""

    rows: list[tuple] = None
    max_error: float = 0.0
    tolerance: float = OK

    def __str__(self):
        lines = [f"{'parameter':<10} {'shape':<12} {'rel. error':>10}  verdict"]
        for name, shape, err in self.rows:
            verdict = "ok" if err < self.tolerance else ("suspicious" if err < SUSPICIOUS else "WRONG")
            lines.append(f"{name:<10} {str(shape):<12} {err:>10.1e}  {verdict}")
        lines.append(self.message)
        return "\n".join(lines)

    __repr__ = __str__

    def _ipython_display_(self):
        print(str(self))


def _as_gradient(name, value, shape):
    # one array of the gradients under test, as float64 of the expected shape, or a clear ValueError
    if value is None:
        raise ValueError(f"{name}: expected an array of shape {shape}, got None (a missing return?)")
    if np.iscomplexobj(value):
        raise ValueError(f"{name}: expected real numbers, got complex values")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected an array of shape {shape}, got {type(value).__name__}") from None
    if arr.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {arr.shape}")
    return arr


def gradient_check(net, X, Y, grads=None, method="batched", eps=1e-5, tolerance=OK):
    """Compare backprop's gradients (or `grads`, e.g. a student's) with central differences, equation (3.7).

    `grads` may be a Gradients object or a (dW, db) pair of padded lists. Returns a GradCheckReport that
    prints a table a student can read: one row per W[l] and b[l], the relative error and a verdict. A gradient
    holding NaN or inf fails the check (its error is inf). Bad arguments raise ValueError before any work.
    """
    check_choice("method", method, METHODS)
    tolerance = check_real("tolerance", tolerance, positive=True)  # eps: checked by numerical_gradients
    net.check_parameters()
    X, Y = net.check_batch(X, Y)
    if grads is None:
        grads = net.gradients(X, Y, method=method, check=False)
    dW, db = as_gradient_lists(grads, net.L)
    ours = []  # (name, array) in the order of the report: dW[1], db[1], dW[2], ...
    for l in range(1, net.L + 1):
        ours.append((f"dW[{l}]", _as_gradient(f"dW[{l}] (layer {l})", dW[l], net.W[l].shape)))
        ours.append((f"db[{l}]", _as_gradient(f"db[{l}] (layer {l})", db[l], net.b[l].shape)))
    num_dW, num_db = numerical_gradients(net, X, Y, eps=eps)
    numeric = [g for l in range(1, net.L + 1) for g in (num_dW[l], num_db[l])]
    rows = [
        (name, num.shape, relative_error(g, num) if np.all(np.isfinite(g)) else np.inf)
        for (name, g), num in zip(ours, numeric)
    ]
    broken = [name for name, _, err in rows if err == np.inf]
    worst = max(rows, key=lambda r: r[2])
    ok = worst[2] < tolerance
    if ok:
        message = f"gradient check passed: max relative error {worst[2]:.1e} < {tolerance:.0e}"
    elif broken:
        message = f"gradient check FAILED: {', '.join(broken)} holds NaN or inf; the first wrong layer is where to look"
    else:
        message = (
            f"gradient check FAILED: {worst[0]} has relative error {worst[2]:.1e} "
            f"(tolerance {tolerance:.0e}); the first wrong layer is where to look"
        )
        first_bad = next(r for r in rows if r[2] >= tolerance)
        if first_bad is not worst:
            message += f"; first failing: {first_bad[0]}"
    return GradCheckReport(ok, message, rows=rows, max_error=worst[2], tolerance=tolerance)
