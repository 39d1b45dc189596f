"""The fully connected network: parameters, the forward pass and backpropagation in three forms.

Lists indexed by layer are padded so index l is layer l: W[0], b[0] and z[0] are None and a[0] is the input.
The three backward forms compute the same gradients and are tested equal:
  * "per_sample": one sample at a time with delta = dC/dz, equations (3.4)-(3.6) / (4.1)-(4.4);
  * "omega": the omega = dC/da form of source 001 with lambda = omega * sigma', equations (4.5)-(4.6);
  * "batched": all samples at once as columns, equations (5.1)-(5.5).
Every public method checks its input first; `check=False` skips that for a caller that has checked the
parameters and the batch once already (sgd, the gradient check, the benchmark), never the arithmetic.
Taught in notebooks 01 (forward), 03 and 04 (backward) and 05 (batched).
"""

from dataclasses import dataclass, field

import numpy as np

from .activations import get_activation
from .costs import get_cost
from .validation import (
    as_batch,
    as_gradient_lists,
    check_choice,
    check_eta,
    check_finite,
    check_labels,
    check_seed,
    check_shape,
    check_sizes,
)

METHODS = ("batched", "per_sample", "omega")


@dataclass
class Forward:
    """Everything the forward pass computed: z[l] and a[l] for l = 0..L (z[0] is None, a[0] is the input)."""

    z: list[np.ndarray | None]
    a: list[np.ndarray]


@dataclass
class Gradients:
    """Gradients of the cost averaged over the m columns, indexed by layer like the parameters.

    dW[l] = dC/dW^l (n_l, n_{l-1}) and db[l] = dC/db^l (n_l, 1). delta[l] is (n_l, m): column x is the error
    signal delta^l of sample x (the matrix Delta^l of equation (5.3)); omega[l] is filled by the omega form only.
    """

    dW: list[np.ndarray | None]
    db: list[np.ndarray | None]
    delta: list[np.ndarray | None]
    omega: list[np.ndarray | None] = field(default_factory=list)
    method: str = "batched"


class MLP:
    """A fully connected feed-forward network ("multilayer perceptron").

    sizes = [n_0, n_1, ..., n_L]: n_0 inputs, n_L outputs, L = len(sizes) - 1 layers of weights.
    W[l] is (n_l, n_{l-1}) with W[l][j, k] the weight from neuron k of layer l-1 to neuron j of layer l,
    drawn from N(0, 1/n_{l-1}); b[l] is (n_l, 1), drawn from N(0, 1). Hidden layers use `activation`;
    the output layer uses `output_activation` (default: softmax for the log-likelihood cost, sigmoid for the
    cross-entropy, else `activation`). Every argument is checked before anything is built.
    """

    def __init__(self, sizes, activation="sigmoid", cost="quadratic", seed=0, output_activation=None):
        sizes = check_sizes(sizes)
        seed = check_seed("seed", seed)
        hidden = get_activation(activation)
        if not hidden.elementwise:
            raise ValueError(
                f"activation {hidden.name!r} is not elementwise; use it as "
                "output_activation, with an elementwise activation for the hidden layers"
            )
        cost = get_cost(cost)
        if output_activation is None:
            output_activation = {"log_likelihood": "softmax", "cross_entropy": "sigmoid"}.get(cost.name, hidden)
        output = get_activation(output_activation)
        if cost.targets_in_unit_interval and output.name not in ("sigmoid", "softmax"):
            raise ValueError(
                f"the {cost.name} cost takes logarithms of the outputs, which must lie in (0, 1): "
                f"use output_activation 'sigmoid' or 'softmax', not {output.name!r}"
            )
        self.sizes, self.L = sizes, len(sizes) - 1
        self.activation, self.output_activation, self.cost = hidden, output, cost
        rng = np.random.default_rng(seed)
        self.W = [None] + [
            rng.standard_normal((n, n_prev)) / np.sqrt(n_prev) for n_prev, n in zip(sizes[:-1], sizes[1:])
        ]
        self.b = [None] + [rng.standard_normal((n, 1)) for n in sizes[1:]]

    def __repr__(self):
        return (
            f"MLP({self.sizes}, activation={self.activation.name!r}, cost={self.cost.name!r}, "
            f"output_activation={self.output_activation.name!r})"
        )

    # --------------------------------------------------------------------------------- sigma of a layer
    def activation_of(self, l):
        """The Activation of layer l: the output activation for l = L, the hidden one for 1 <= l < L."""
        return self.output_activation if l == self.L else self.activation

    def sigma(self, l, z):
        """sigma(z) with the activation of layer l, equation (1.3): a^l = sigma(z^l)."""
        return self.activation_of(l).sigma(z)

    def sigma_prime(self, l, z, a=None):
        """sigma'(z) with the activation of layer l (2.5); a = sigma(z) may be given (cheaper for the sigmoid)."""
        return self.activation_of(l).sigma_prime(z, a)

    # ------------------------------------------------------------------------------------------ checks
    def check_parameters(self):
        """Raise ValueError naming the layer if a W[l] or b[l] has the wrong shape or is not finite."""
        for l in range(1, self.L + 1):
            check_shape(f"W[{l}] (layer {l})", self.W[l], (self.sizes[l], self.sizes[l - 1]))
            check_shape(f"b[{l}] (layer {l})", self.b[l], (self.sizes[l], 1))
            if not (np.all(np.isfinite(self.W[l])) and np.all(np.isfinite(self.b[l]))):
                raise ValueError(f"W[{l}] or b[{l}] (layer {l}) holds NaN or inf: the learning rate may be too large")

    def check_batch(self, X, Y=None):
        """Return X (n_0, m) and Y (n_L, m) as float batches with samples as columns, or raise ValueError."""
        X = as_batch("X", X, self.sizes[0], "inputs")
        if Y is None:
            return X
        Y = as_batch("Y", Y, self.sizes[-1], "outputs")
        if Y.shape[1] != X.shape[1]:
            raise ValueError(f"X has {X.shape[1]} samples (columns) but Y has {Y.shape[1]}")
        self.cost.check_targets(Y)
        return X, Y

    def _checked(self, X, Y=None):
        # the parameters and the batch, checked once at the door of a public method
        self.check_parameters()
        return self.check_batch(X, Y)

    # ------------------------------------------------------------------------------------ forward pass
    def forward(self, X, check=True):
        """Forward pass, equations (1.2)-(1.3) and, for a batch, (5.1): z[l] = W[l] @ a[l-1] + b[l], a[l] = sigma(z[l]).

        X is one sample (n_0,) or (n_0, 1), or a batch (n_0, m) with samples as columns.
        Returns Forward with z[l] and a[l] of shape (n_l, m). Taught in notebooks/01_forward_pass.ipynb.
        """
        return self._forward(self._checked(X) if check else X)

    def _forward(self, X):
        z, a = [None], [X]
        for l in range(1, self.L + 1):
            z.append(self.W[l] @ a[l - 1] + self.b[l])  # (1.2), (5.1)
            a.append(self.sigma(l, z[l]))  # (1.3)
        return Forward(z, a)

    def predict(self, X):
        """Predicted class of each column: the index of the largest output activation."""
        return np.argmax(self.forward(X).a[self.L], axis=0)

    def accuracy(self, X, labels):
        """Fraction of columns of X whose predicted class equals `labels` (integers in [0, n_L), one per column)."""
        X = self._checked(X)
        labels = check_labels("labels", labels, n_classes=self.sizes[-1], m=X.shape[1])
        return float(np.mean(self.predict(X) == labels))

    def cost_value(self, X, Y, check=True):
        """The cost C averaged over the m columns (equation (2.1) for the quadratic cost)."""
        if check:
            X, Y = self._checked(X, Y)
        return self.cost.value(self._forward(X).a[self.L], Y)

    # ----------------------------------------------------------------------------------- backward pass
    def gradients(self, X, Y, method="batched", check=True):
        """Gradients of the cost averaged over the columns of X, by backpropagation.

        method: "batched" (equations (5.1)-(5.5)), "per_sample" (delta form, (4.1)-(4.4), one column at a time)
        or "omega" (omega = dC/da form, (4.5)-(4.6)). All three return the same Gradients.
        """
        check_choice("method", method, METHODS)
        if check:
            X, Y = self._checked(X, Y)
        return {
            "batched": self._backprop_batched,
            "per_sample": self._backprop_per_sample,
            "omega": self._backprop_omega,
        }[method](X, Y)

    def _backprop_per_sample(self, X, Y):
        """delta form, one sample at a time, then averaged: equations (4.1)-(4.4)."""
        L, m = self.L, X.shape[1]
        dW = [None] + [np.zeros_like(W) for W in self.W[1:]]
        db = [None] + [np.zeros_like(b) for b in self.b[1:]]
        deltas = [None] + [np.empty((n, m)) for n in self.sizes[1:]]
        for i in range(m):
            fw = self._forward(X[:, i : i + 1])
            z, a = fw.z, fw.a
            delta = {L: self.cost.delta_L(z[L], a[L], Y[:, i : i + 1], self.output_activation)}  # (4.1)
            for l in range(L - 1, 0, -1):
                delta[l] = (self.W[l + 1].T @ delta[l + 1]) * self.activation.sigma_prime(z[l], a[l])  # (4.2)
            for l in range(1, L + 1):
                db[l] += delta[l]  # (4.3)
                dW[l] += delta[l] @ a[l - 1].T  # (4.4)
                deltas[l][:, i] = delta[l][:, 0]
        for l in range(1, L + 1):
            dW[l] /= m
            db[l] /= m
        return Gradients(dW, db, deltas, method="per_sample")

    def _backprop_omega(self, X, Y):
        """omega = dC/da form of source 001: omega^L = nabla_a C, lambda = omega * sigma', (4.5)-(4.6)."""
        L, m = self.L, X.shape[1]
        fw = self._forward(X)
        Z, A = fw.z, fw.a
        omega = [None] * (L + 1)
        lam = [None] * (L + 1)
        omega[L] = self.cost.grad_a(A[L], Y)
        lam[L] = self.output_activation.backward(Z[L], A[L], omega[L])  # lambda^L = omega^L * sigma'(z^L)
        for l in range(L - 1, 0, -1):
            omega[l] = self.W[l + 1].T @ lam[l + 1]  # (4.5)
            lam[l] = omega[l] * self.activation.sigma_prime(Z[l], A[l])  # (4.6)
        dW = [None] + [lam[l] @ A[l - 1].T / m for l in range(1, L + 1)]  # dC/dW^l = lambda^l (a^{l-1})^T
        db = [None] + [lam[l].sum(axis=1, keepdims=True) / m for l in range(1, L + 1)]
        return Gradients(dW, db, lam, omega=omega, method="omega")

    def _backprop_batched(self, X, Y):
        """Batched matrix form, samples as columns: equations (5.1)-(5.5)."""
        L, m = self.L, X.shape[1]
        fw = self._forward(X)  # (5.1)
        Z, A = fw.z, fw.a
        Delta = [None] * (L + 1)
        Delta[L] = self.cost.delta_L(Z[L], A[L], Y, self.output_activation)  # (5.2)
        for l in range(L - 1, 0, -1):
            Delta[l] = (self.W[l + 1].T @ Delta[l + 1]) * self.activation.sigma_prime(Z[l], A[l])  # (5.3)
        dW = [None] + [Delta[l] @ A[l - 1].T for l in range(1, L + 1)]  # (5.4), times 1/m below
        db = [None] + [Delta[l].sum(axis=1, keepdims=True) for l in range(1, L + 1)]  # (5.5), times 1/m below
        for l in range(1, L + 1):  # in place: one fresh array per gradient (see train_step)
            dW[l] *= 1 / m
            db[l] *= 1 / m
        return Gradients(dW, db, Delta)  # method: "batched", the default

    # ------------------------------------------------------------------------------------------ update
    def update(self, grads, eta):
        """The delta rule, equation (4.8): W[l] -= eta * dW[l] and b[l] -= eta * db[l], in place.

        grads is a Gradients or a (dW, db) pair of padded lists. Every layer is checked (shape, NaN or inf)
        before any parameter changes, so a bad gradient leaves the network as it was; grads is not modified.
        """
        eta = check_eta(eta)
        dW, db = as_gradient_lists(grads, self.L)
        for l in range(1, self.L + 1):
            for name, g, param in (
                (f"dW[{l}] (layer {l})", dW[l], self.W[l]),
                (f"db[{l}] (layer {l})", db[l], self.b[l]),
            ):
                check_shape(name, g, param.shape)
                check_finite(name, g)
        for l in range(1, self.L + 1):
            self.W[l] -= eta * dW[l]  # (4.8)
            self.b[l] -= eta * db[l]

    def train_step(self, X, Y, eta, check=True):
        """One step of gradient descent on the batch (X, Y): batched backprop (5.1)-(5.5), then the delta rule (4.8)."""
        eta = check_eta(eta)
        if check:
            X, Y = self._checked(X, Y)
        grads = self._backprop_batched(X, Y)
        # (4.8). The gradients are this step's own, so eta scales them in place: a fresh eta * dW[l] every step
        # makes the allocator map and unmap memory, 4x the whole step at m = 10 (benchmarks/bench_buffers.py).
        for l in range(1, self.L + 1):
            grads.dW[l] *= eta
            self.W[l] -= grads.dW[l]
            grads.db[l] *= eta
            self.b[l] -= grads.db[l]

    def copy(self):
        """An independent copy of the network (same sizes, activations, cost; copied parameters)."""
        twin = MLP.__new__(MLP)
        twin.__dict__.update(self.__dict__)
        twin.W = [None] + [W.copy() for W in self.W[1:]]
        twin.b = [None] + [b.copy() for b in self.b[1:]]
        twin.sizes = list(self.sizes)
        return twin
