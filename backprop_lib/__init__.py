"""backprop_lib: the helper package of the backpropagation notebook series.

The numeric core mirrors the math (layers l = 1..L, W[l] of shape (n_l, n_{l-1}), samples as columns);
`backprop_lib.symbolic` proves the series' equations with SymPy;
`backprop_lib.course` holds what students and instructors use: the workbook, exercise checks, quizzes, release
and grading. See CONTRIBUTING.md for the package map.
"""

from .activations import ACTIVATIONS, get_activation, sigmoid, sigmoid_prime
from .costs import COSTS, get_cost
from .feedback import compare
from .gradcheck import gradient_check, numerical_gradients, relative_error
from .network import MLP, Forward, Gradients
from .training import History, sgd
from .verdict import Verdict

__all__ = [
    "ACTIVATIONS",
    "COSTS",
    "Forward",
    "Gradients",
    "History",
    "MLP",
    "Verdict",
    "compare",
    "get_activation",
    "get_cost",
    "gradient_check",
    "numerical_gradients",
    "relative_error",
    "sgd",
    "sigmoid",
    "sigmoid_prime",
]
__version__ = "0.1.0"
