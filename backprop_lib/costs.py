"""Cost functions C(a^L, y): their value, dC/da^L, and the output error delta^L.

For a batch of m samples (columns) the cost is the mean of the per-sample costs, C = (1/m) sum_x C_x.
`grad_a` returns, column by column, the per-sample gradient nabla_a C_x; the 1/m of the mean is applied once,
where the weight and bias gradients are formed (equations (5.4) and (5.5)).
Taught in notebooks/02_error_signal.ipynb; the cross-entropy comparison in notebooks/06_training_mnist.ipynb.
"""
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .activations import get_activation
from .validation import check_choice

# Logarithmic costs are infinite at a = 0 or 1, which a saturated float sigmoid can reach exactly. The code
# departs from the math here: a is clipped to [EPS, 1 - EPS] inside the logarithms and divisions only.
EPS = 1e-15


def quadratic(A, Y):
    """Quadratic cost, equation (2.1): C = 1/(2m) sum_x ||a^L(x) - y(x)||^2."""
    return 0.5 * np.sum((A - Y) ** 2) / A.shape[1]


def quadratic_grad(A, Y):
    """Per-sample gradient of the quadratic cost, equation (2.2): nabla_a C_x = a^L - y."""
    return A - Y


def cross_entropy(A, Y):
    """Cross-entropy cost, equation (2.7): C = -1/m sum_x sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)]."""
    A = np.clip(A, EPS, 1.0 - EPS)
    return -np.sum(Y * np.log(A) + (1.0 - Y) * np.log1p(-A)) / A.shape[1]


def cross_entropy_grad(A, Y):
    """Per-sample gradient of the cross-entropy: nabla_a C_x = (a - y) / (a (1 - a))."""
    A = np.clip(A, EPS, 1.0 - EPS)
    return (A - Y) / (A * (1.0 - A))


def log_likelihood(A, Y):
    """Log-likelihood cost for a softmax output: C = -1/m sum_x sum_j y_j ln a_j (y one-hot)."""
    return -np.sum(Y * np.log(np.clip(A, EPS, 1.0))) / A.shape[1]


def log_likelihood_grad(A, Y):
    """Per-sample gradient of the log-likelihood: nabla_a C_x = -y / a."""
    return -Y / np.clip(A, EPS, 1.0)


@dataclass(frozen=True)
class Cost:
    """A cost with its value, its per-sample gradient, and the output activation for which delta^L simplifies.

    `simplifies_with` names the output activation whose sigma' cancels against the cost's gradient, so that
    delta^L = a^L - y (equation (2.8) for cross-entropy with sigmoid, log-likelihood with softmax,
    quadratic with identity).
    """
    name: str
    value: Callable
    grad_a: Callable
    simplifies_with: Optional[str] = None
    targets_in_unit_interval: bool = False

    def delta_L(self, Z, A, Y, activation):
        """Output error delta^L = dC_x/dz^L for every column, equations (2.4) and (2.8).

        The general rule is delta^L = nabla_a C_x * sigma'(z^L) (a Jacobian product for softmax); for the
        matched pair it is computed directly as a^L - y, which is exact and cannot overflow.
        """
        activation = get_activation(activation)
        if activation.name == self.simplifies_with:
            return A - Y
        return activation.backward(Z, A, self.grad_a(A, Y))


COSTS = {
    "quadratic": Cost("quadratic", quadratic, quadratic_grad, simplifies_with="identity"),
    "cross_entropy": Cost("cross_entropy", cross_entropy, cross_entropy_grad, simplifies_with="sigmoid",
                          targets_in_unit_interval=True),
    "log_likelihood": Cost("log_likelihood", log_likelihood, log_likelihood_grad, simplifies_with="softmax",
                           targets_in_unit_interval=True),
}


def get_cost(name):
    """Return the Cost called `name` (a Cost passes through); unknown names list the known ones."""
    if isinstance(name, Cost):
        return name
    return COSTS[check_choice("cost", name, COSTS)]
