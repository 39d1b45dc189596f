"""Activation functions sigma and their derivatives sigma_prime.

Elementwise activations act on each entry of z; softmax acts on each column. Each activation is an object
with the math's names: `act.sigma(z)` is sigma(z) (1.3), `act.sigma_prime(z)` is sigma'(z) (2.5), and
`act.backward(z, a, grad_a)` turns dC/da into delta = dC/dz, which for an elementwise sigma is equation (2.4),
delta = dC/da * sigma'(z), and for softmax a Jacobian-vector product.
Taught in notebooks/01_forward_pass.ipynb (sigma) and notebooks/02_error_signal.ipynb (sigma_prime).
"""

import numpy as np

from .validation import check_choice


def sigmoid(z):
    """Logistic function, equation (1.3): sigma(z) = 1 / (1 + exp(-z)), without overflow.

    exp(-z) overflows for z below -709, so z is raised to at least -500 first: exp(500) is finite, and the
    change only touches values where sigma(z) is below 7e-218, so |z| up to 1e4 and beyond gives no warning and
    no NaN. (Large positive z needs no guard: exp(-z) underflows quietly to 0 and sigma(z) to 1.)
    A number in gives a number out.
    """
    return 1.0 / (1.0 + np.exp(-np.maximum(z, -500.0)))


def sigmoid_prime(z):
    """Derivative of the logistic function, equation (2.5): sigma'(z) = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent, an activation with values in (-1, 1)."""
    return np.tanh(z)


def tanh_prime(z):
    """Derivative of tanh: 1 - tanh(z)^2."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z):
    """Rectified linear unit max(0, z)."""
    return np.maximum(z, 0.0)


def relu_prime(z):
    """Derivative of relu: 1 where z > 0, else 0 (the value at the kink z = 0 is taken as 0)."""
    return np.where(np.asarray(z) > 0, 1.0, 0.0)


def identity(z):
    """The identity activation sigma(z) = z (a linear output layer), as a new float array."""
    return np.array(z, dtype=np.float64)  # np.array copies: a[l] and z[l] never share memory


def identity_prime(z):
    """Derivative of the identity: 1 everywhere, in z's shape."""
    return np.ones(np.shape(z))


def softmax(z):
    """Softmax of each column: a_j = exp(z_j) / sum_k exp(z_k), shifted by each column's own max for stability.

    The shift cancels in the ratio; taking it per column (not over the whole batch) keeps a column whose
    entries all lie far below the other columns' finite, instead of 0/0. z is (n,) or (n, m); the column
    maxima and sums, of shape (m,), broadcast over the n rows.
    """
    e = np.exp(z - np.max(z, axis=0))
    return e / np.sum(e, axis=0)


def softmax_jacobian(z):
    """Jacobian da_j/dz_k = a_j (delta_jk - a_k) of softmax for one sample z of shape (n,) or (n, 1)."""
    a = softmax(np.ravel(z))
    return np.diag(a) - np.outer(a, a)


class Activation:
    """An activation sigma with its derivative: `sigma(z)`, `sigma_prime(z, a=None)`, `backward(z, a, grad_a)`.

    Subclasses implement sigma and sigma_prime; `name` is the name get_activation knows it by, and `elementwise`
    is False for softmax, which mixes the entries of a column.
    """

    name = "activation"
    elementwise = True

    def sigma(self, z):
        """sigma(z), equation (1.3) for the sigmoid."""
        raise NotImplementedError

    def sigma_prime(self, z, a=None):
        """sigma'(z); a = sigma(z) may be given when sigma' is cheaper from it (sigmoid, tanh, relu)."""
        raise NotImplementedError

    def backward(self, z, a, grad_a):
        """Turn grad_a = dC/da into delta = dC/dz, column by column.

        Elementwise sigma, equation (2.4): delta = grad_a * sigma'(z). Softmax overrides this.
        """
        return grad_a * self.sigma_prime(z, a)

    def __repr__(self):
        return f"get_activation({self.name!r})"


class Sigmoid(Activation):
    """The logistic function (1.3) with sigma' = sigma (1 - sigma) (2.5)."""

    name = "sigmoid"

    def sigma(self, z):
        return sigmoid(z)

    def sigma_prime(self, z, a=None):
        """sigma'(z) (2.5); from the stored a = sigma(z) it is a (1 - a): no exp."""
        return sigmoid_prime(z) if a is None else a * (1.0 - a)


class Tanh(Activation):
    """tanh with tanh' = 1 - tanh^2."""

    name = "tanh"

    def sigma(self, z):
        return tanh(z)

    def sigma_prime(self, z, a=None):
        return tanh_prime(z) if a is None else 1.0 - a * a


class ReLU(Activation):
    """max(0, z) with relu' = 1 where z > 0, else 0 (0 at the kink)."""

    name = "relu"

    def sigma(self, z):
        return relu(z)

    def sigma_prime(self, z, a=None):
        # a = relu(z) > 0 exactly where z > 0
        return relu_prime(z if a is None else a)


class Identity(Activation):
    """sigma(z) = z with sigma' = 1 (a linear output layer)."""

    name = "identity"

    def sigma(self, z):
        return identity(z)

    def sigma_prime(self, z, a=None):
        return identity_prime(z)


class Softmax(Activation):
    """Softmax over each column; not elementwise, so it has no sigma' of its own, only backward (a Jacobian)."""

    name = "softmax"
    elementwise = False

    def sigma(self, z):
        return softmax(z)

    def sigma_prime(self, z, a=None):
        raise ValueError("softmax is not elementwise: use backward(z, a, grad_a), not sigma_prime")

    def backward(self, z, a, grad_a):
        """delta = J^T grad_a with J = diag(a) - a a^T, i.e. delta = a * (grad_a - sum_j a_j grad_a_j), per column."""
        return a * (grad_a - np.sum(a * grad_a, axis=0))  # the (m,) column sums broadcast over the rows


ACTIVATIONS = {act.name: act for act in (Sigmoid(), Tanh(), ReLU(), Identity(), Softmax())}


def get_activation(name):
    """Return the Activation called `name` (an Activation passes through); unknown names list the known ones."""
    if isinstance(name, Activation):
        return name
    return ACTIVATIONS[check_choice("activation", name, ACTIVATIONS)]
