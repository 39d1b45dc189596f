"""The SymPy proof engine: a symbolic network whose gradients SymPy derives, and checks against that truth.

SymbolicNetwork builds the truth by sympy.diff; check() compares a matrix or scalar statement entry by entry;
check_index() reads an index-notation (Einstein) equation; to_einsum() gives its numpy twin; prove_index() and
symbolic_dimension_proofs() prove index steps for symbolic widths. The ledger of the four sources' equations
is in backprop_lib.symbolic.ledger (`python -m backprop_lib verify`).
Taught in notebooks 01-05 (each numbered equation is proved after it is derived) and 07 (the ledger).
"""
from .network import (SymbolicNetwork, sigma, sigma_prime, sigma_second, sigmoid, cost_fn, cost_grad,
                      cached_network)
from .ops import hadamard, bcast_mul, ShapeMismatch
from .check import check, CheckResult, prove_equal
from .index import (check_index, parse_index, to_einsum, EinsumForm, prove_index, IndexProof,
                    symbolic_dimension_proofs, IndexRangeError, candidate_matrix)
from .proof import Proof, prove, reject

__all__ = ["SymbolicNetwork", "sigma", "sigma_prime", "sigma_second", "sigmoid", "cost_fn", "cost_grad",
           "cached_network", "hadamard", "bcast_mul", "ShapeMismatch", "check", "CheckResult", "prove_equal",
           "check_index", "parse_index", "to_einsum", "EinsumForm", "prove_index", "IndexProof",
           "symbolic_dimension_proofs", "IndexRangeError", "candidate_matrix", "Proof", "prove", "reject"]
