"""The numeric gradient check: central differences over every parameter, equation (3.7).

    dC/dtheta ~ (C(theta + eps) - C(theta - eps)) / (2 eps)

and the relative error of CS231n, taken with the size of the whole array as its scale so that round-off in one
tiny entry cannot hide or fake an error:

    rel(x, y) = max|x - y| / max(1e-8, max|x| + max|y|)

Taught in notebooks/03_recursion.ipynb; used by the tests of every backward form.
"""
from dataclasses import dataclass
from typing import List

import numpy as np

from .feedback import Verdict

# Thresholds for the report: below OK the gradients agree; up to SUSPICIOUS they may be kinks (relu) or
# round-off in a badly scaled net; above it a formula is wrong.
OK, SUSPICIOUS = 1e-7, 1e-4


def relative_error(x, y):
    """Relative error max|x - y| / max(1e-8, max|x| + max|y|) of two arrays of the same shape (3.7)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"relative_error: shapes differ, {x.shape} vs {y.shape}")
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y)) / max(1e-8, np.max(np.abs(x)) + np.max(np.abs(y))))


def numerical_gradients(net, X, Y, eps=1e-5):
    """Central-difference estimate of dC/dW[l] and dC/db[l] for every parameter of `net` (3.7).

    Costs 2 forward passes per parameter: meant for small networks. Returns (dW, db), padded lists.
    """
    X, Y = net.check_batch(X, Y)
    net.check_parameters()

    def cost():
        return net.cost.value(net._forward(X).a[net.L], Y)

    grads = {"W": [None], "b": [None]}
    for l in range(1, net.L + 1):
        for kind, param in (("W", net.W[l]), ("b", net.b[l])):
            g = np.zeros_like(param)
            for idx in np.ndindex(param.shape):
                saved = param[idx]
                param[idx] = saved + eps
                c_plus = cost()
                param[idx] = saved - eps
                c_minus = cost()
                param[idx] = saved
                g[idx] = (c_plus - c_minus) / (2.0 * eps)
            grads[kind].append(g)
    return grads["W"], grads["b"]


@dataclass
class GradCheckReport(Verdict):
    """One row per parameter array: its name, shape and relative error; .ok when all are below the tolerance."""
    rows: List[tuple] = None
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


def gradient_check(net, X, Y, grads=None, method="batched", eps=1e-5, tolerance=OK):
    """Compare backprop's gradients (or `grads`, e.g. a student's) with central differences, equation (3.7).

    `grads` may be a Gradients object or a (dW, db) pair of padded lists. Returns a GradCheckReport that
    prints a table a student can read: one row per W[l] and b[l], the relative error and a verdict.
    """
    if grads is None:
        grads = net.gradients(X, Y, method=method)
    dW, db = (grads.dW, grads.db) if hasattr(grads, "dW") else grads
    num_dW, num_db = numerical_gradients(net, X, Y, eps=eps)
    rows = []
    for l in range(1, net.L + 1):
        for name, ours, num in ((f"dW[{l}]", dW[l], num_dW[l]), (f"db[{l}]", db[l], num_db[l])):
            ours = np.asarray(ours, dtype=np.float64)
            if ours.shape != num.shape:
                raise ValueError(f"{name} (layer {l}): expected shape {num.shape}, got {ours.shape}")
            rows.append((name, num.shape, relative_error(ours, num)))
    worst = max(rows, key=lambda r: r[2])
    ok = worst[2] < tolerance
    if ok:
        message = f"gradient check passed: max relative error {worst[2]:.1e} < {tolerance:.0e}"
    else:
        message = (f"gradient check FAILED: {worst[0]} has relative error {worst[2]:.1e} "
                   f"(tolerance {tolerance:.0e}); the first wrong layer is where to look")
        first_bad = next(r for r in rows if r[2] >= tolerance)
        if first_bad is not worst:
            message += f"; first failing: {first_bad[0]}"
    return GradCheckReport(ok, message, rows=rows, max_error=worst[2], tolerance=tolerance)
