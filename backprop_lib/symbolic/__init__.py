"""The SymPy proof engine: a symbolic network whose gradients are derived by differentiation, and checks against them.

SymbolicNetwork builds the truth (network.py, derivative.py); check() compares a matrix or scalar statement entry
by entry, exactly at random points and then by a polynomial proof (check.py, evaluate.py, poly.py), and names the
slip when it fails (diagnose.py); check_index() reads an index-notation (Einstein) equation (index.py); to_einsum()
gives its numpy twin; prove_index() proves index steps for symbolic widths. Proof, prove() and reject() make a
notebook cell fail when its claim does not hold (proof.py). The ledger of the four sources' equations is in
backprop_lib.symbolic.ledger (`python -m backprop_lib verify`).
Taught in notebooks 01-05 (each numbered equation is proved after it is derived) and 07 (the ledger).
"""

from .check import CheckResult, check, prove_equal
from .index import (
    EinsumForm,
    IndexProof,
    IndexRangeError,
    candidate_matrix,
    check_index,
    parse_index,
    prove_index,
    to_einsum,
)
from .network import SymbolicNetwork, cached_network, cost_fn, cost_grad, sigma, sigma_prime, sigma_second, sigmoid
from .ops import ShapeMismatch, bcast_mul, hadamard
from .proof import Proof, prove, reject

__all__ = [
    "SymbolicNetwork",
    "sigma",
    "sigma_prime",
    "sigma_second",
    "sigmoid",
    "cost_fn",
    "cost_grad",
    "cached_network",
    "hadamard",
    "bcast_mul",
    "ShapeMismatch",
    "check",
    "CheckResult",
    "prove_equal",
    "check_index",
    "parse_index",
    "to_einsum",
    "EinsumForm",
    "prove_index",
    "IndexProof",
    "IndexRangeError",
    "candidate_matrix",
    "Proof",
    "prove",
    "reject",
]
