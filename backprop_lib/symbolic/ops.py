"""Matrix operations for writing statements: the Hadamard product and NumPy-style broadcasting products.

hadamard(A, B) is the componentwise product A ⊙ B of equal shapes (equation (4.1)); bcast_mul(A, B) is
NumPy's `A * B` (what source 003 writes as `*`), which for a column times a row is the outer product.
A shape that does not fit raises ShapeMismatch naming both shapes, never a silent broadcast.
Taught in notebooks/04_matrix_form.ipynb.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["ShapeMismatch", "hadamard", "bcast_mul", "as_matrix"]


class ShapeMismatch(ValueError):
    """Two operands whose shapes do not fit the operation (a ValueError naming the shapes)."""


def as_matrix(M):
    """A SymPy Matrix from a Matrix, an Array-like nested list, or a scalar (as a 1x1 matrix)."""
    if isinstance(M, sp.MatrixBase):
        return sp.Matrix(M)
    if isinstance(M, (list, tuple)):
        return sp.Matrix(M)
    return sp.Matrix([[sp.sympify(M)]])


def hadamard(A, B):
    """A ⊙ B: the componentwise product of two matrices of the same shape, equation (4.1)."""
    A, B = as_matrix(A), as_matrix(B)
    if A.shape != B.shape:
        raise ShapeMismatch(f"Hadamard product A ⊙ B needs equal shapes, got {A.shape} and {B.shape}")
    return A.multiply_elementwise(B)


def bcast_mul(A, B):
    """NumPy's A * B with broadcasting (a dimension of 1 stretches): a column (n,1) times a row (1,m) is the outer
    product."""
    A, B = as_matrix(A), as_matrix(B)
    shape = []
    for da, db in zip(A.shape, B.shape):
        if da == db or db == 1:
            shape.append(da)
        elif da == 1:
            shape.append(db)
        else:
            raise ShapeMismatch(f"cannot broadcast shapes {A.shape} and {B.shape} in the elementwise product *")
    r, c = shape

    def pick(M, i, j):
        return M[i if M.shape[0] > 1 else 0, j if M.shape[1] > 1 else 0]

    return sp.Matrix(r, c, lambda i, j: pick(A, i, j) * pick(B, i, j))
