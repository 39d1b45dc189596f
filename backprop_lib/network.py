"""The fully connected network: parameters, the forward pass and backpropagation in three forms.

Lists indexed by layer are padded so index l is layer l: W[0], b[0] and z[0] are None and a[0] is the input.
The three backward forms compute the same gradients and are tested equal:
  * "per_sample": one sample at a time with delta = dC/dz, equations (3.4)-(3.6) / (4.1)-(4.4);
  * "omega": the omega = dC/da form of source 001 with lambda = omega * sigma', equations (4.5)-(4.6);
  * "batched": all samples at once as columns, equations (5.1)-(5.5).
Taught in notebooks 01 (forward), 03 and 04 (backward) and 05 (batched).
"""
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from .activations import get_activation
from .costs import get_cost
from .validation import as_batch, check_choice, check_positive_int, check_shape

METHODS = ("batched", "per_sample", "omega")


@dataclass
class Forward:
    """Everything the forward pass computed: z[l] and a[l] for l = 0..L (z[0] is None, a[0] is the input)."""
    z: List[Optional[np.ndarray]]
    a: List[np.ndarray]


class Workspace:
    """Preallocated arrays for batches of m columns, so that the training loop does not allocate every step.

    Z[l], A[l], Delta[l] (n_l, m); S[l] (n_l, m) holds sigma'(Z[l]); dW[l], db[l] like the parameters.
    A Gradients computed into a workspace is overwritten by the next step that uses it.
    """

    def __init__(self, sizes, m):
        self.m = m
        self.Z, self.A, self.Delta, self.S = ([None] + [np.empty((n, m)) for n in sizes[1:]] for _ in range(4))
        self.dW = [None] + [np.empty((n, n_prev)) for n_prev, n in zip(sizes[:-1], sizes[1:])]
        self.db = [None] + [np.empty((n, 1)) for n in sizes[1:]]

    def get(self, name, l):
        return getattr(self, name)[l]


class _NoWorkspace:
    # stands in for a Workspace when every result must be a fresh array (the public gradients() call)
    @staticmethod
    def get(name, l):
        return None


@dataclass
class Gradients:
    """Gradients of the cost averaged over the m columns, indexed by layer like the parameters.

    dW[l] = dC/dW^l (n_l, n_{l-1}) and db[l] = dC/db^l (n_l, 1). delta[l] is (n_l, m): column x is the error
    signal delta^l of sample x (the matrix Delta^l of equation (5.3)); omega[l] is filled by the omega form only.
    """
    dW: List[Optional[np.ndarray]]
    db: List[Optional[np.ndarray]]
    delta: List[Optional[np.ndarray]]
    omega: List[Optional[np.ndarray]] = field(default_factory=list)
    method: str = "batched"


class MLP:
    """A fully connected feed-forward network ("multilayer perceptron").

    sizes = [n_0, n_1, ..., n_L]: n_0 inputs, n_L outputs, L = len(sizes) - 1 layers of weights.
    W[l] is (n_l, n_{l-1}) with W[l][j, k] the weight from neuron k of layer l-1 to neuron j of layer l,
    drawn from N(0, 1/n_{l-1}); b[l] is (n_l, 1), drawn from N(0, 1). Hidden layers use `activation`;
    the output layer uses `output_activation` (default: softmax for the log-likelihood cost, sigmoid for the
    cross-entropy, else `activation`).
    """

    def __init__(self, sizes, activation="sigmoid", cost="quadratic", seed=0, output_activation=None):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
            raise ValueError(f"sizes must list at least two layer widths [n_0, ..., n_L], got {sizes!r}")
        self.sizes = [check_positive_int(f"sizes[{l}]", n) for l, n in enumerate(sizes)]
        self.L = len(self.sizes) - 1
        self.activation = get_activation(activation)
        if not self.activation.elementwise:
            raise ValueError(f"activation {self.activation.name!r} is not elementwise; use it as "
                             "output_activation, with an elementwise activation for the hidden layers")
        self.cost = get_cost(cost)
        if output_activation is None:
            output_activation = {"log_likelihood": "softmax", "cross_entropy": "sigmoid"}.get(
                self.cost.name, self.activation)
        self.output_activation = get_activation(output_activation)
        if self.cost.targets_in_unit_interval and self.output_activation.name not in ("sigmoid", "softmax"):
            raise ValueError(f"the {self.cost.name} cost takes logarithms of the outputs, which must lie in (0, 1): "
                             f"use output_activation 'sigmoid' or 'softmax', not {self.output_activation.name!r}")
        rng = np.random.default_rng(seed)
        self.W = [None] + [rng.standard_normal((n, n_prev)) / np.sqrt(n_prev)
                           for n_prev, n in zip(self.sizes[:-1], self.sizes[1:])]
        self.b = [None] + [rng.standard_normal((n, 1)) for n in self.sizes[1:]]
        self._workspaces = {}

    def __repr__(self):
        return (f"MLP({self.sizes}, activation={self.activation.name!r}, cost={self.cost.name!r}, "
                f"output_activation={self.output_activation.name!r})")

    # ----------------------------------------------------------------------------------------- helpers
    def sigma(self, l):
        """The activation of layer l (the output activation for l = L)."""
        return self.output_activation if l == self.L else self.activation

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
        if self.cost.targets_in_unit_interval and (Y.min() < 0 or Y.max() > 1):
            raise ValueError(f"the {self.cost.name} cost needs targets in [0, 1]; Y spans "
                             f"[{Y.min():g}, {Y.max():g}] (pass one-hot targets, not labels)")
        return X, Y

    # ------------------------------------------------------------------------------------ forward pass
    def forward(self, X):
        """Forward pass, equations (1.2)-(1.3) and, for a batch, (5.1): z[l] = W[l] @ a[l-1] + b[l], a[l] = sigma(z[l]).

        X is one sample (n_0,) or (n_0, 1), or a batch (n_0, m) with samples as columns.
        Returns Forward with z[l] and a[l] of shape (n_l, m). Taught in notebooks/01_forward_pass.ipynb.
        """
        self.check_parameters()
        return self._forward(self.check_batch(X))

    def _forward(self, X, ws=_NoWorkspace):
        # Unchecked forward pass, used after the inputs were validated once (training, benchmarks); with a
        # Workspace the results go into its preallocated arrays.
        z, a = [None], [X]
        for l in range(1, self.L + 1):
            z_l = np.matmul(self.W[l], a[l - 1], out=ws.get("Z", l))
            z_l += self.b[l]
            z.append(z_l)
            a.append(self.sigma(l).f(z_l, out=ws.get("A", l)))
        return Forward(z, a)

    def predict(self, X):
        """Predicted class of each column: the index of the largest output activation."""
        return np.argmax(self.forward(X).a[self.L], axis=0)

    def accuracy(self, X, labels):
        """Fraction of columns of X whose predicted class equals `labels` (integers in [0, n_L))."""
        X = self.check_batch(X)
        labels = np.asarray(labels)
        if labels.shape != (X.shape[1],):
            raise ValueError(f"labels: expected shape ({X.shape[1]},), one per column of X, got {labels.shape}")
        if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= self.sizes[-1]:
            raise ValueError(f"labels must be integers in [0, {self.sizes[-1]}), got values "
                             f"in [{labels.min()}, {labels.max()}] of dtype {labels.dtype}")
        return float(np.mean(self.predict(X) == labels))

    def cost_value(self, X, Y):
        """The cost C averaged over the m columns (equation (2.1) for the quadratic cost)."""
        self.check_parameters()
        X, Y = self.check_batch(X, Y)
        return float(self.cost.value(self._forward(X).a[self.L], Y))

    # ----------------------------------------------------------------------------------- backward pass
    def gradients(self, X, Y, method="batched"):
        """Gradients of the cost averaged over the columns of X, by backpropagation.

        method: "batched" (equations (5.1)-(5.5)), "per_sample" (delta form, (4.1)-(4.4), one column at a time)
        or "omega" (omega = dC/da form, (4.5)-(4.6)). All three return the same Gradients.
        """
        check_choice("method", method, METHODS)
        self.check_parameters()
        X, Y = self.check_batch(X, Y)
        return {"batched": self._backprop_batched, "per_sample": self._backprop_per_sample,
                "omega": self._backprop_omega}[method](X, Y)

    def _backprop_per_sample(self, X, Y):
        """delta form, one sample at a time, then averaged: equations (4.1)-(4.4)."""
        L, m = self.L, X.shape[1]
        dW = [None] + [np.zeros_like(W) for W in self.W[1:]]
        db = [None] + [np.zeros_like(b) for b in self.b[1:]]
        deltas = [None] + [np.empty((n, m)) for n in self.sizes[1:]]
        for i in range(m):
            fw = self._forward(X[:, i:i + 1])
            z, a = fw.z, fw.a
            delta = [None] * (L + 1)
            delta[L] = self.cost.delta_L(z[L], a[L], Y[:, i:i + 1], self.sigma(L))                  # (4.1)
            for l in range(L - 1, 0, -1):
                delta[l] = (self.W[l + 1].T @ delta[l + 1]) * self.sigma(l).sigma_prime(z[l], a[l])  # (4.2)
            for l in range(1, L + 1):
                db[l] += delta[l]                                                                    # (4.3)
                dW[l] += delta[l] @ a[l - 1].T                                                       # (4.4)
                deltas[l][:, i:i + 1] = delta[l]
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
        lam[L] = self.sigma(L).backward(Z[L], A[L], omega[L])                 # lambda^L = omega^L * sigma'(z^L)
        for l in range(L - 1, 0, -1):
            omega[l] = self.W[l + 1].T @ lam[l + 1]                            # (4.5)
            lam[l] = omega[l] * self.sigma(l).sigma_prime(Z[l], A[l])          # (4.6)
        dW = [None] + [lam[l] @ A[l - 1].T / m for l in range(1, L + 1)]       # dC/dW^l = lambda^l (a^{l-1})^T
        db = [None] + [lam[l].sum(axis=1, keepdims=True) / m for l in range(1, L + 1)]
        return Gradients(dW, db, lam, omega=omega, method="omega")

    def _backprop_batched(self, X, Y, ws=_NoWorkspace):
        """Batched matrix form, samples as columns: equations (5.1)-(5.5) (into a Workspace if given)."""
        L, m = self.L, X.shape[1]
        fw = self._forward(X, ws)                                                                    # (5.1)
        Z, A = fw.z, fw.a
        Delta = [None] * (L + 1)
        Delta[L] = self.cost.delta_L(Z[L], A[L], Y, self.sigma(L))                                  # (5.2)
        for l in range(L - 1, 0, -1):
            Delta_l = np.matmul(self.W[l + 1].T, Delta[l + 1], out=ws.get("Delta", l))
            Delta_l *= self.sigma(l).sigma_prime(Z[l], A[l], out=ws.get("S", l))                    # (5.3)
            Delta[l] = Delta_l
        dW, db = [None], [None]
        for l in range(1, L + 1):
            dW_l = np.matmul(Delta[l], A[l - 1].T, out=ws.get("dW", l))
            dW_l *= 1.0 / m                                                                          # (5.4)
            dW.append(dW_l)
            db_l = np.sum(Delta[l], axis=1, keepdims=True, out=ws.get("db", l))
            db_l *= 1.0 / m                                                                          # (5.5)
            db.append(db_l)
        return Gradients(dW, db, Delta, method="batched")

    def _train_batch(self, X, Y, eta):
        # One unchecked training step on a validated batch, reusing a Workspace per batch size.
        m = X.shape[1]
        ws = self._workspaces.get(m)
        if ws is None:
            if len(self._workspaces) >= 2:   # full batches and the one smaller last batch of an epoch
                self._workspaces.clear()
            ws = self._workspaces[m] = Workspace(self.sizes, m)
        self._update(self._backprop_batched(X, Y, ws), eta)

    # ------------------------------------------------------------------------------------------ update
    def update(self, grads, eta):
        """The delta rule, equation (4.8): W[l] -= eta * dW[l] and b[l] -= eta * db[l], in place."""
        if not np.isfinite(eta) or eta <= 0:
            raise ValueError(f"the learning rate eta must be a positive number, got {eta!r}")
        for l in range(1, self.L + 1):
            check_shape(f"dW[{l}] (layer {l})", grads.dW[l], self.W[l].shape)
            check_shape(f"db[{l}] (layer {l})", grads.db[l], self.b[l].shape)
        for l in range(1, self.L + 1):
            self.W[l] -= eta * grads.dW[l]
            self.b[l] -= eta * grads.db[l]

    def _update(self, grads, eta):
        # The training loop's update: like update(), but it scales the gradients where they lie (no temporary
        # for eta * dW), so `grads` is spent afterwards.
        for l in range(1, self.L + 1):
            grads.dW[l] *= eta
            self.W[l] -= grads.dW[l]
            grads.db[l] *= eta
            self.b[l] -= grads.db[l]

    def train_step(self, X, Y, eta):
        """One step of gradient descent on the batch (X, Y): batched backprop, then the delta rule (4.8)."""
        self.check_parameters()
        X, Y = self.check_batch(X, Y)
        self._train_batch(X, Y, eta)

    def copy(self):
        """An independent copy of the network (same sizes, activations, cost; copied parameters)."""
        twin = MLP.__new__(MLP)
        twin.__dict__.update(self.__dict__)
        twin.W = [None] + [W.copy() for W in self.W[1:]]
        twin.b = [None] + [b.copy() for b in self.b[1:]]
        twin.sizes = list(self.sizes)
        twin._workspaces = {}   # never share buffers between two networks
        return twin
