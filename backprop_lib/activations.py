"""Activation functions sigma and their derivatives sigma_prime.

Elementwise activations act on each entry of z; softmax acts on each column. Every activation also knows how
to turn dC/da into delta = dC/dz (`backward`), which for an elementwise sigma is equation (2.4),
delta = dC/da * sigma_prime(z), and for softmax a Jacobian-vector product.
Taught in notebooks/01_forward_pass.ipynb (sigma) and notebooks/02_error_signal.ipynb (sigma_prime).
"""
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .validation import check_choice


def sigmoid(z, out=None):
    """Logistic function, equation (1.3): sigma(z) = 1 / (1 + exp(-z)), without overflow.

    z is clipped to [-500, 500] before exp: exp(500) is finite, and the clip only touches values where
    sigma(z) is below 7e-218 or rounds to exactly 1, so |z| up to 1e4 and beyond gives no warning and no NaN.
    `out` may be a preallocated array of z's shape (the training loop reuses its buffers).
    """
    z = np.asarray(z, dtype=np.float64)
    out = np.negative(z, out=np.empty_like(z) if out is None else out)
    np.clip(out, -500.0, 500.0, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out if out.ndim else out[()]  # a scalar in, a scalar out


def sigmoid_prime(z):
    """Derivative of the logistic function, equation (2.5): sigma'(z) = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z, out=None):
    """Hyperbolic tangent, an activation with values in (-1, 1)."""
    return np.tanh(z, out=out)


def tanh_prime(z):
    """Derivative of tanh: 1 - tanh(z)^2."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z, out=None):
    """Rectified linear unit max(0, z)."""
    return np.maximum(z, 0.0, out=out)


def relu_prime(z):
    """Derivative of relu: 1 where z > 0, else 0 (the value at the kink z = 0 is taken as 0)."""
    return (np.asarray(z) > 0).astype(np.float64)


def identity(z, out=None):
    """The identity activation sigma(z) = z (a linear output layer)."""
    if out is None:
        return np.array(z, dtype=np.float64, copy=True)
    np.copyto(out, z)
    return out


def identity_prime(z):
    """Derivative of the identity: 1 everywhere."""
    return np.ones_like(np.asarray(z, dtype=np.float64))


def softmax(z, out=None):
    """Softmax of each column: a_j = exp(z_j) / sum_k exp(z_k), shifted by the column max for stability."""
    z = np.asarray(z, dtype=np.float64)
    e = np.subtract(z, z.max(axis=0, keepdims=True), out=out)
    np.exp(e, out=e)
    e /= e.sum(axis=0, keepdims=True)
    return e


def softmax_jacobian(z):
    """Jacobian da_j/dz_k = a_j (delta_jk - a_k) of softmax for one sample z of shape (n,) or (n, 1)."""
    a = softmax(np.asarray(z, dtype=np.float64).reshape(-1, 1)).ravel()
    return np.diag(a) - np.outer(a, a)


@dataclass(frozen=True)
class Activation:
    """An activation sigma with its derivative.

    `f(z, out=None)` is sigma, `prime(z)` is sigma' (None for softmax, which is not elementwise), and
    `prime_from_a(a)` computes sigma'(z) from the stored a = sigma(z) when that is cheaper (sigmoid, tanh).
    """
    name: str
    f: Callable
    prime: Optional[Callable]
    prime_from_a: Optional[Callable] = None
    elementwise: bool = True

    def sigma_prime(self, z, a=None, out=None):
        """sigma'(z), from the stored activations a when the activation allows it (into `out` if given)."""
        if not self.elementwise:
            raise ValueError(f"{self.name} is not elementwise: use backward(z, a, grad_a), not sigma_prime")
        if a is not None and self.prime_from_a is not None:
            return self.prime_from_a(a, out)
        if out is None:
            return self.prime(z)
        out[...] = self.prime(z)
        return out

    def backward(self, z, a, grad_a):
        """Turn grad_a = dC/da into delta = dC/dz, column by column.

        Elementwise sigma, equation (2.4): delta = grad_a * sigma'(z).
        Softmax: delta = J^T grad_a with J = diag(a) - a a^T, i.e. delta = a * (grad_a - sum_j a_j grad_a_j).
        """
        if self.elementwise:
            return grad_a * self.sigma_prime(z, a)
        return a * (grad_a - np.sum(a * grad_a, axis=0, keepdims=True))


def _sigmoid_prime_from_a(a, out=None):
    # sigma' = a (1 - a), equation (2.5), from the stored activations: two passes, no exp
    out = np.subtract(1.0, a, out=out)
    out *= a
    return out


def _tanh_prime_from_a(a, out=None):
    # tanh' = 1 - a^2 from the stored activations
    out = np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)
    return out


def _relu_prime_from_a(a, out=None):
    # relu' = 1 where a > 0 (a = relu(z) > 0 exactly where z > 0)
    return np.greater(a, 0.0, out=np.empty(np.shape(a)) if out is None else out, casting="unsafe")


ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime, _sigmoid_prime_from_a),
    "tanh": Activation("tanh", tanh, tanh_prime, _tanh_prime_from_a),
    "relu": Activation("relu", relu, relu_prime, _relu_prime_from_a),
    "identity": Activation("identity", identity, identity_prime),
    "softmax": Activation("softmax", softmax, None, elementwise=False),
}


def get_activation(name):
    """Return the Activation called `name` (an Activation passes through); unknown names list the known ones."""
    if isinstance(name, Activation):
        return name
    return ACTIVATIONS[check_choice("activation", name, ACTIVATIONS)]
