"""The scalar reverse mode: Value, each operation's chain rule beside the operation, equation (8.1)."""

from __future__ import annotations

import math
import numbers

import sympy as sp


# =============================================================================================== scalars
def _symbolic(x):
    return isinstance(x, sp.Basic)


def _exp(t):
    return sp.exp(t) if _symbolic(t) else math.exp(t)


def _log(t):
    return sp.log(t) if _symbolic(t) else math.log(t)


def _logistic(t):
    """σ(t) = 1/(1 + e^(−t)); for floats without overflow at large |t|."""
    if _symbolic(t):
        return 1 / (1 + sp.exp(-t))
    return 1 / (1 + math.exp(-t)) if t >= 0 else math.exp(t) / (1 + math.exp(t))


class Value:
    """A scalar that remembers how it was made: `data`, its `parents`, and the local rule of its operation.

    data is a real number or a SymPy expression. After `C.backward()`, `v.grad` is ∂C/∂v, equation (8.1).
    Each operation below computes its result and, beside it, the rule that passes the gradient of the result on
    to the operands: ∂C/∂u += ∂C/∂out · ∂out/∂u. `+=` because a value used twice collects from both uses.
    """

    __slots__ = ("data", "grad", "parents", "op", "name", "_backward")

    def __init__(self, data, name=""):
        if isinstance(data, Value) or isinstance(data, bool) or not isinstance(data, (numbers.Real, sp.Expr)):
            raise TypeError(
                f"Value: data must be a real number or a SymPy expression, got {type(data).__name__} {data!r}"
            )
        if not isinstance(name, str):
            raise TypeError(f"Value: name must be a string, got {type(name).__name__} {name!r}")
        self.data = data if _symbolic(data) else float(data)
        self.grad = 0
        self.parents, self.op, self.name = (), "", name
        self._backward = None

    def _made(self, data, parents, op):
        out = Value(data)
        out.parents, out.op = parents, op
        return out

    def _other(self, x):
        """x as a Value; a plain number next to a symbolic value becomes an exact SymPy number."""
        if isinstance(x, Value):
            return x
        if _symbolic(self.data) and isinstance(x, numbers.Real) and not isinstance(x, bool):
            return Value(sp.nsimplify(x) if isinstance(x, float) else sp.Integer(x))
        return Value(x)

    # ----- the operations, each with its local chain rule beside it -------------------------------------
    def __add__(self, other):
        other = self._other(other)
        out = self._made(self.data + other.data, (self, other), "+")

        def backward():  # ∂(u + v)/∂u = 1,  ∂(u + v)/∂v = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = backward
        return out

    def __sub__(self, other):
        other = self._other(other)
        out = self._made(self.data - other.data, (self, other), "−")

        def backward():  # ∂(u − v)/∂u = 1,  ∂(u − v)/∂v = −1
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = backward
        return out

    def __mul__(self, other):
        other = self._other(other)
        out = self._made(self.data * other.data, (self, other), "×")

        def backward():  # ∂(uv)/∂u = v,  ∂(uv)/∂v = u
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = backward
        return out

    def __truediv__(self, other):
        other = self._other(other)
        out = self._made(self.data / other.data, (self, other), "÷")

        def backward():  # ∂(u/v)/∂u = 1/v,  ∂(u/v)/∂v = −u/v²
            self.grad += out.grad / other.data
            other.grad += -self.data / other.data**2 * out.grad

        out._backward = backward
        return out

    def __pow__(self, k):
        if isinstance(k, (Value, bool)) or not isinstance(k, numbers.Real):
            raise TypeError(f"Value ** k: k must be a plain number, got {type(k).__name__} {k!r}")
        k = self._other(k).data if _symbolic(self.data) else k
        out = self._made(self.data**k, (self,), f"^{k}")

        def backward():  # ∂(u^k)/∂u = k u^(k−1)
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = backward
        return out

    def exp(self):
        out = self._made(_exp(self.data), (self,), "exp")

        def backward():  # ∂e^u/∂u = e^u, the result itself
            self.grad += out.data * out.grad

        out._backward = backward
        return out

    def log(self):
        out = self._made(_log(self.data), (self,), "ln")

        def backward():  # ∂ln(u)/∂u = 1/u
            self.grad += out.grad / self.data

        out._backward = backward
        return out

    def sigma(self):
        """The sigmoid σ(u) = 1/(1 + e^(−u)), with σ′ = σ(1 − σ) (2.5) from the result itself."""
        out = self._made(_logistic(self.data), (self,), "σ")

        def backward():  # ∂σ(u)/∂u = σ(u)(1 − σ(u))
            self.grad += out.data * (1 - out.data) * out.grad

        out._backward = backward
        return out

    # ----- the same operations spelled otherwise --------------------------------------------------------
    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self._other(other) + self

    def __rmul__(self, other):
        return self._other(other) * self

    def __rsub__(self, other):
        return self._other(other) - self

    def __rtruediv__(self, other):
        return self._other(other) / self

    # ----- reverse mode ---------------------------------------------------------------------------------
    def graph(self):
        """Every value this one depends on, itself included, each after all of its parents (topological order)."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # depth first, without recursion (deep graphs are fine)
            v, parents_done = stack.pop()
            if parents_done:
                order.append(v)
            elif id(v) not in seen:
                seen.add(id(v))
                stack.append((v, True))
                stack.extend((p, False) for p in v.parents if id(p) not in seen)
        return order

    def backward(self):
        """Fill `.grad` = ∂self/∂v for every value v of the graph, equation (8.1).

        Start from ∂self/∂self = 1 and apply each operation's local rule in reverse topological order, so that a
        value passes its gradient on only after every operation that used it has added its share.
        """
        order = self.graph()
        for v in order:
            v.grad = 0
        self.grad = sp.Integer(1) if _symbolic(self.data) else 1.0
        for v in reversed(order):
            if v._backward is not None:
                v._backward()
        return self

    def __repr__(self):
        label = f"{self.name}: " if self.name else ""
        return f"Value({label}data={self.data}, grad={self.grad})"


# =============================================================================================== arrays
# The local rules of the operations a network uses. Each takes the operation's inputs and G, the gradient of the
# cost with respect to the operation's output (same shape as the output), and returns the gradients with
# respect to the inputs (each the shape of its input): a vector-Jacobian product. They are plain functions, so
# the notebook proves each one with the symbolic engine and an exercise can put its own in their place.
