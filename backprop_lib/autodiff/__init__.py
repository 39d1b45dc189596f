"""Reverse-mode automatic differentiation, small enough to read: backpropagation with nothing derived by hand.

Three parts, each readable in one sitting:

  Value      a scalar that remembers the values it was computed from (its parents) and the local chain rule of
             the operation that made it. `C.backward()` runs those rules from C back to the inputs and leaves
             `v.grad` = ∂C/∂v in every value v that C depends on, equation (8.1).
  Tape       the same on arrays, for the operations a network uses: the matrix product (8.2), adding a column
             to every column (8.3), σ (8.4), the quadratic cost of each sample (8.5) and the mean over the m
             samples (8.6). `mlp_tape` records the forward pass (5.1) of a network on a tape; running the tape
             backwards reproduces (5.2)-(5.5), and the gradient it leaves at node z[l] is Δ^l / m, which is
             δ^l for one sample, equation (8.7).
  forward    `Tape.jvp` pushes a tangent forwards through the same operations, equation (8.8);
  mode       `forward_mode_gradient` needs one such pass per parameter where reverse mode needs one backward
             pass, equation (8.9).

Every value may be a number or a SymPy expression (on the tape: a float array, or a NumPy object array of SymPy
expressions), so one piece of code is both run on numbers and proved by the symbolic engine. The tape counts
the arithmetic it does (`Tape.ops`): notebook 08 compares the two modes by these counts, the benchmark script
benchmarks/bench_autodiff.py by the clock. Taught in notebooks/08_autodiff.ipynb.
"""

from .network import draw_graph, forward_mode_gradient, mlp_tape, objects, symbol_matrix, tape_of, upstream
from .scalar import Value
from .tape import RULES, Node, Tape, add_backward, cost_backward, matmul_backward, mean_backward, sigma_backward

__all__ = [
    "Value",
    "Node",
    "Tape",
    "RULES",
    "mlp_tape",
    "tape_of",
    "forward_mode_gradient",
    "matmul_backward",
    "add_backward",
    "sigma_backward",
    "cost_backward",
    "mean_backward",
    "symbol_matrix",
    "objects",
    "upstream",
    "draw_graph",
]
