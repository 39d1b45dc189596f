"""Cost functions C(a^L, y): their value, dC/da^L, and the output error delta^L.

For a batch of m samples (columns) the cost is the mean of the per-sample costs, C = (1/m) sum_x C_x.
`grad_a` returns, column by column, the per-sample gradient nabla_a C_x; the 1/m of the mean is applied once,
where the weight and bias gradients are formed (equations (5.4) and (5.5)).
Taught in notebooks/02_error_signal.ipynb; the cross-entropy comparison in notebooks/06_training_mnist.ipynb.
"""

from collections.abc import Callable
from dataclasses import dataclass

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
    return -np.sum(Y * np.log(np.maximum(A, EPS))) / A.shape[1]


def log_likelihood_grad(A, Y):
    """Per-sample gradient of the log-likelihood: nabla_a C_x = -y / a."""
    return -Y / np.maximum(A, EPS)


@dataclass(frozen=True)
class Cost:
    """A cost: its name, the functions C(A, Y) and nabla_a C_x(A, Y), and the output activation that simplifies it.

    Call it through `value(A, Y)`, `grad_a(A, Y)` and `delta_L(Z, A, Y, activation)`, which check the shapes
    (and the targets of the logarithmic costs) before the formula runs. `simplifies_with` names the output
    activation whose sigma' cancels against the cost's gradient, so that delta^L = a^L - y (equation (2.8) for
    cross-entropy with sigmoid, log-likelihood with softmax, quadratic with identity).
    """

    name: str
    fn: Callable
    grad_fn: Callable
    simplifies_with: str | None = None
    targets_in_unit_interval: bool = False

    def check_targets(self, Y):
        """Raise ValueError if the cost takes logarithms (cross-entropy, log-likelihood) and Y leaves [0, 1]."""
        if self.targets_in_unit_interval and (np.min(Y) < 0 or np.max(Y) > 1):
            raise ValueError(
                f"the {self.name} cost needs targets in [0, 1]; Y spans "
                f"[{np.min(Y) + 0:g}, {np.max(Y) + 0:g}] (pass one-hot targets, not labels)"
            )

    def check(self, A, Y):
        """Raise ValueError unless A and Y are (n_L, m) arrays of the same shape with targets the cost accepts."""
        shape_A, shape_Y = np.shape(A), np.shape(Y)
        if len(shape_A) != 2 or shape_A != shape_Y or shape_A[1] == 0:
            raise ValueError(
                f"{self.name} cost: A and Y must be (n_L, m) batches of the same shape with m >= 1, "
                f"got {shape_A} and {shape_Y}"
            )
        self.check_targets(Y)

    def value(self, A, Y):
        """The cost C averaged over the m columns of A and Y (equation (2.1) for the quadratic cost)."""
        self.check(A, Y)
        return float(self.fn(A, Y))

    def grad_a(self, A, Y):
        """nabla_a C_x column by column (no 1/m: the per-sample gradient), (n_L, m) like A."""
        self.check(A, Y)
        return self.grad_fn(A, Y)

    def delta_L(self, Z, A, Y, activation):
        """Output error delta^L = dC_x/dz^L for every column, equations (2.4) and (2.8).

        The general rule is delta^L = nabla_a C_x * sigma'(z^L) (a Jacobian product for softmax); for the
        matched pair it is computed directly as a^L - y, which is exact and cannot overflow: with a saturated
        sigmoid, a^L rounds to 1, sigma'(z^L) to 0, and the general rule would give delta^L = 0.
        """
        activation = get_activation(activation)
        if activation.name == self.simplifies_with:
            self.check(A, Y)
            return A - Y
        return activation.backward(Z, A, self.grad_a(A, Y))


COSTS = {
    "quadratic": Cost("quadratic", quadratic, quadratic_grad, simplifies_with="identity"),
    "cross_entropy": Cost(
        "cross_entropy", cross_entropy, cross_entropy_grad, simplifies_with="sigmoid", targets_in_unit_interval=True
    ),
    "log_likelihood": Cost(
        "log_likelihood", log_likelihood, log_likelihood_grad, simplifies_with="softmax", targets_in_unit_interval=True
    ),
}


def get_cost(name):
    """Return the Cost called `name` (a Cost passes through); unknown names list the known ones."""
    if isinstance(name, Cost):
        return name
    return COSTS[check_choice("cost", name, COSTS)]
