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
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

__all__ = ["Value", "Node", "Tape", "RULES", "mlp_tape", "tape_of", "forward_mode_gradient",
           "matmul_backward", "add_backward", "sigma_backward", "cost_backward", "mean_backward",
           "symbol_matrix", "objects", "upstream", "draw_graph"]


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
            raise TypeError(f"Value: data must be a real number or a SymPy expression, got "
                            f"{type(data).__name__} {data!r}")
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

        def backward():                          # ∂(u + v)/∂u = 1,  ∂(u + v)/∂v = 1
            self.grad += out.grad
            other.grad += out.grad
        out._backward = backward
        return out

    def __sub__(self, other):
        other = self._other(other)
        out = self._made(self.data - other.data, (self, other), "−")

        def backward():                          # ∂(u − v)/∂u = 1,  ∂(u − v)/∂v = −1
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = backward
        return out

    def __mul__(self, other):
        other = self._other(other)
        out = self._made(self.data * other.data, (self, other), "×")

        def backward():                          # ∂(uv)/∂u = v,  ∂(uv)/∂v = u
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = backward
        return out

    def __truediv__(self, other):
        other = self._other(other)
        out = self._made(self.data / other.data, (self, other), "÷")

        def backward():                          # ∂(u/v)/∂u = 1/v,  ∂(u/v)/∂v = −u/v²
            self.grad += out.grad / other.data
            other.grad += -self.data / other.data ** 2 * out.grad
        out._backward = backward
        return out

    def __pow__(self, k):
        if isinstance(k, (Value, bool)) or not isinstance(k, numbers.Real):
            raise TypeError(f"Value ** k: k must be a plain number, got {type(k).__name__} {k!r}")
        k = self._other(k).data if _symbolic(self.data) else k
        out = self._made(self.data ** k, (self,), f"^{k}")

        def backward():                          # ∂(u^k)/∂u = k u^(k−1)
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = backward
        return out

    def exp(self):
        out = self._made(_exp(self.data), (self,), "exp")

        def backward():                          # ∂e^u/∂u = e^u, the result itself
            self.grad += out.data * out.grad
        out._backward = backward
        return out

    def log(self):
        out = self._made(_log(self.data), (self,), "ln")

        def backward():                          # ∂ln(u)/∂u = 1/u
            self.grad += out.grad / self.data
        out._backward = backward
        return out

    def sigma(self):
        """The sigmoid σ(u) = 1/(1 + e^(−u)), with σ′ = σ(1 − σ) (2.5) from the result itself."""
        out = self._made(_logistic(self.data), (self,), "σ")

        def backward():                          # ∂σ(u)/∂u = σ(u)(1 − σ(u))
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
        while stack:                             # depth first, without recursion (deep graphs are fine)
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

def _over(x, m):
    """x / m, exact when x holds SymPy expressions."""
    return x * sp.Rational(1, m) if x.dtype == object else x / m


def matmul_backward(A, B, G):
    """P = A B, (n, k)(k, m): the gradients Ā = G Bᵀ (n, k) and B̄ = Aᵀ G (k, m), equation (8.2)."""
    return G @ B.T, A.T @ G


def add_backward(U, b, G):
    """Z = U + b 1ᵀ (b a column added to every column): Ū = G and b̄ = G 1, the sum over the columns, (8.3)."""
    return G, G.sum(axis=1, keepdims=True)


def sigma_backward(Z, G, sigma, sigma_prime):
    """A = σ(Z) entry by entry: Z̄ = G ⊙ σ′(Z), equation (8.4). (σ itself is not needed.)"""
    return G * sigma_prime(Z)


def cost_backward(A, Y, G):
    """c = ½ 1ᵀ((A − Y) ⊙ (A − Y)), one cost per sample (a row (1, m)): Ā = (A − Y) ⊙ (1 G), (8.5).

    Column x of Ā is c̄_x (a_x − y_x): the per-sample gradient ∇_a C_x (2.2) scaled by the gradient at c_x.
    """
    return (A - Y) * G


def mean_backward(c, G):
    """C = (1/m) c 1, the mean of the m per-sample costs: c̄ = (G/m) 1ᵀ, every sample gets 1/m of G, (8.6)."""
    return _over(np.ones_like(c) * G, c.shape[1])


RULES = {"matmul": matmul_backward, "add": add_backward, "sigma": sigma_backward, "cost": cost_backward,
         "mean": mean_backward}


@dataclass(eq=False)
class Node:
    """One value on a tape: its name, the operation that made it, its inputs (`parents`), the array itself.

    `grad` is ∂C/∂(this node), the shape of `value`, once the tape has run backwards; `tangent` is its
    derivative along the direction of the last forward-mode pass.
    """

    name: str
    op: str
    value: np.ndarray
    parents: tuple = ()
    needs_grad: bool = True
    grad: object = None
    tangent: object = None
    fns: tuple = field(default=(), repr=False)

    @property
    def shape(self):
        return self.value.shape


def _as_2d(name, value):
    if isinstance(value, sp.MatrixBase):
        value = np.array(value.tolist(), dtype=object)
    arr = np.asarray(value)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows = neurons, columns = samples), got shape {arr.shape}")
    if arr.dtype != object:
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold real numbers or SymPy expressions, got dtype {arr.dtype}")
        arr = arr.astype(float)
    return arr


class Tape:
    """A record of the operations of a forward pass on arrays; run it backwards to get every gradient.

    Leaves (`leaf`) are the inputs, weights and targets; `matmul`, `add`, `sigma`, `cost` and `mean` each
    compute their value now and record how to differentiate it. `backward()` runs the local rules RULES (8.2)-(8.6)
    from the last node (the scalar cost C) back to the leaves, in reverse order of recording; afterwards
    `tape.grad(name)` is ∂C/∂(that node). `jvp` is forward mode (8.8). `rules` replaces some of the local rules
    (same names and signatures as RULES), which is how an exercise puts a student's rule into a whole network.

    `ops` counts the arithmetic done so far by kind ("forward", "backward", "jvp"): one per multiply-add of a
    matrix product and one per entry of each elementwise step (notebook 08, equation (8.9)).
    """

    def __init__(self, rules=None):
        rules = {} if rules is None else rules
        if not isinstance(rules, dict):
            raise TypeError(f"rules must be a dict of local rules by operation name, got {type(rules).__name__}")
        unknown = sorted(set(rules) - set(RULES))
        if unknown:
            raise ValueError(f"rules: no operation named {unknown}; the operations are {sorted(RULES)}")
        for op, fn in rules.items():
            if not callable(fn):
                raise TypeError(f"rules[{op!r}] must be a function like {RULES[op].__name__}, got {fn!r}")
        self.rules = {**RULES, **rules}
        self.nodes = []
        self._by_name = {}
        self.ops = {"forward": 0, "backward": 0, "jvp": 0}

    # ----- recording -------------------------------------------------------------------------------------
    def _node(self, x, what):
        if not isinstance(x, Node):
            raise TypeError(f"{what} must be a Node of this tape, got {type(x).__name__}")
        if self._by_name.get(x.name) is not x:
            raise ValueError(f"{what} is the node {x.name!r} of another tape; record it on this one")
        return x

    def _check_name(self, name):
        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a non-empty string, got {name!r}")
        if name in self._by_name:
            raise ValueError(f"name {name!r} is already on this tape; every node needs its own name")
        return name

    def _add(self, name, op, value, parents, fns=(), ops=0):
        """Record a node whose inputs and name have been checked, and count the arithmetic of its value."""
        node = Node(name, op, value, tuple(parents), any(p.needs_grad for p in parents), fns=fns)
        self.nodes.append(node)
        self._by_name[name] = node
        self.ops["forward"] += ops
        return node

    def leaf(self, value, name, needs_grad=True):
        """An input of the computation (a weight, a bias, the batch X or the targets Y), a 2-D array."""
        node = self._add(self._check_name(name), "leaf", _as_2d(name, value), ())
        node.needs_grad = bool(needs_grad)
        return node

    def matmul(self, A, B, name=None):
        """P = A B, equation (1.1)'s W^l a^(l-1)."""
        A, B = self._node(A, "matmul: A"), self._node(B, "matmul: B")
        (n, k), (k2, m) = A.shape, B.shape
        if k != k2:
            raise ValueError(f"matmul: {A.name} is {A.shape} and {B.name} is {B.shape}: the inner dimensions "
                             f"{k} and {k2} differ")
        name = self._check_name(name or f"{A.name}{B.name}")
        return self._add(name, "matmul", A.value @ B.value, (A, B), ops=n * k * m)

    def add(self, U, b, name=None):
        """Z = U + b 1ᵀ: the column b added to every column of U (NumPy's broadcasting), (5.1)."""
        U, b = self._node(U, "add: U"), self._node(b, "add: b")
        if b.shape != (U.shape[0], 1):
            raise ValueError(f"add: {b.name} must be a column of shape ({U.shape[0]}, 1) to add to every column "
                             f"of {U.name} {U.shape}, got {b.shape}")
        name = self._check_name(name or f"{U.name}+{b.name}")
        return self._add(name, "add", U.value + b.value, (U, b), ops=U.value.size)

    def sigma(self, Z, sigma, sigma_prime, name=None):
        """A = σ(Z) entry by entry, (1.2); sigma and sigma_prime are the elementwise σ and σ′ (2.5)."""
        Z = self._node(Z, "sigma: Z")
        for what, fn in (("sigma", sigma), ("sigma_prime", sigma_prime)):
            if not callable(fn):
                raise TypeError(f"sigma: {what} must be an elementwise function, got {fn!r}")
        name = self._check_name(name or f"σ({Z.name})")
        A = np.asarray(sigma(Z.value))
        if A.shape != Z.shape:
            raise ValueError(f"sigma: sigma must work entry by entry, but it turned {Z.name} {Z.shape} into {A.shape}")
        return self._add(name, "sigma", A, (Z,), fns=(sigma, sigma_prime), ops=Z.value.size)

    def cost(self, A, Y, name="c"):
        """c = ½ 1ᵀ((A − Y) ⊙ (A − Y)): the quadratic cost of each sample (2.1), a row of shape (1, m)."""
        A, Y = self._node(A, "cost: A"), self._node(Y, "cost: Y")
        if A.shape != Y.shape:
            raise ValueError(f"cost: the outputs {A.name} {A.shape} and the targets {Y.name} {Y.shape} must have "
                             "the same shape")
        name = self._check_name(name)
        R = A.value - Y.value
        c = (R * R).sum(axis=0, keepdims=True)
        return self._add(name, "cost", _over(c, 2), (A, Y), ops=3 * A.value.size)

    def mean(self, c, name="C"):
        """C = (1/m) Σ_x c_x, the mean over the m samples, shape (1, 1)."""
        c = self._node(c, "mean: c")
        if c.shape[0] != 1:
            raise ValueError(f"mean: {c.name} must be a row (1, m) of per-sample costs, got {c.shape}")
        name = self._check_name(name)
        return self._add(name, "mean", _over(c.value.sum(axis=1, keepdims=True), c.shape[1]), (c,),
                         ops=c.value.size)

    # ----- looking up ------------------------------------------------------------------------------------
    def __getitem__(self, name):
        node = self._by_name.get(name)
        if node is None:
            raise ValueError(f"no node named {name!r} on this tape; its nodes are {list(self._by_name)}")
        return node

    def __contains__(self, name):
        return name in self._by_name

    def grad(self, name):
        """∂C/∂(node `name`) after backward(): an array of the node's shape.

        Zeros for a node whose gradient is not computed: a leaf recorded with needs_grad=False (the batch a[0], the
        targets y) and anything that only they feed, or a node the output does not depend on.
        """
        node = self[name]
        if node.grad is None:
            if not self._ran:
                raise ValueError("grad: run backward() first")
            return np.zeros(node.shape, dtype=node.value.dtype) if node.value.dtype != object else \
                np.full(node.shape, sp.Integer(0), dtype=object)
        return node.grad

    _ran = False

    def listing(self):
        """One line per node, in the order of recording: name, operation, inputs and shape."""
        lines = [f"{'node':<12}{'operation':<10}{'inputs':<22}shape"]
        for n in self.nodes:
            lines.append(f"{n.name:<12}{n.op:<10}{', '.join(p.name for p in n.parents):<22}{n.shape}")
        return "\n".join(lines)

    def __repr__(self):
        return f"Tape({len(self.nodes)} nodes, last {self.nodes[-1].name!r})" if self.nodes else "Tape(empty)"

    # ----- reverse mode ----------------------------------------------------------------------------------
    def backward(self, out=None):
        """Run the tape backwards from `out` (default: the last node, the cost C of shape (1, 1)), (8.1)-(8.6).

        Sets Ḡ = ∂C/∂C = 1 at `out`, then visits the nodes in reverse order of recording: each passes its grad
        through its operation's local rule to its parents, which add it up (+=). Gradients of an earlier run are
        cleared first. Returns the tape.
        """
        if not self.nodes:
            raise ValueError("backward: the tape is empty; record a computation first")
        out = self.nodes[-1] if out is None else self._node(out, "backward: out")
        if out.shape != (1, 1):
            raise ValueError(f"backward: the output must be a scalar node of shape (1, 1), such as the cost C; "
                             f"{out.name} has shape {out.shape}")
        for n in self.nodes:
            n.grad = None
        out.grad = np.full((1, 1), sp.Integer(1), dtype=object) if out.value.dtype == object else np.ones((1, 1))
        for node in reversed(self.nodes[: self.nodes.index(out) + 1]):
            if node.grad is None or not node.parents:
                continue
            for parent, g in zip(node.parents, self._local(node)):
                if not parent.needs_grad:
                    continue
                if np.shape(g) != parent.shape:
                    raise ValueError(f"the local rule of {node.op} gave a gradient of shape {np.shape(g)} for "
                                     f"{parent.name}, which has shape {parent.shape}: a gradient has the shape of "
                                     "what it differentiates")
                parent.grad = g if parent.grad is None else parent.grad + g
        self._ran = True
        return self

    def _local(self, node):
        """The gradients at the parents of `node` by its operation's rule, counting the arithmetic they need."""
        G, args = node.grad, [p.value for p in node.parents]
        size, count = node.value.size, 0
        if node.op == "matmul":
            (n, k), m = node.parents[0].shape, node.shape[1]
            count = n * k * m * sum(p.needs_grad for p in node.parents)
            grads = self.rules["matmul"](*args, G)
        elif node.op == "add":
            count = size if node.parents[1].needs_grad else 0
            grads = self.rules["add"](*args, G)
        elif node.op == "sigma":
            count = 2 * size
            grads = (self.rules["sigma"](args[0], G, *node.fns),)
        elif node.op == "cost":
            count = 2 * node.parents[0].value.size
            gA = self.rules["cost"](*args, G)
            grads = (gA, -gA)                   # the targets enter as −Y: their gradient is −Ā
        else:                                   # mean
            count = node.parents[0].value.size
            grads = (self.rules["mean"](args[0], G),)
        self.ops["backward"] += count
        if not isinstance(grads, (tuple, list)) or len(grads) != len(node.parents):
            raise ValueError(f"the local rule of {node.op} must return {len(node.parents)} gradient(s), one per "
                             f"input, got {type(grads).__name__}")
        return grads

    # ----- forward mode ----------------------------------------------------------------------------------
    def jvp(self, tangents):
        """Forward mode, equation (8.8): push tangents of some leaves forwards; return the tangent of the last node.

        tangents: {leaf name: array of the leaf's shape}; every other leaf has tangent 0. Each operation's tangent
        rule runs in the order of recording, on the values recorded by the forward pass (which is not redone).
        A tangent that is zero is skipped, not multiplied out. With a one-hot tangent on one parameter θ the
        result is ∂C/∂θ: one pass per parameter.
        """
        if not isinstance(tangents, dict):
            raise TypeError(f"tangents must be a dict {{leaf name: array}}, got {type(tangents).__name__}")
        for name, t in tangents.items():
            node = self[name]
            if node.op != "leaf" or np.shape(t) != node.shape:
                raise ValueError(f"tangents[{name!r}] must be an array of the leaf's shape {node.shape}, got "
                                 f"{np.shape(t)} for a {node.op} node")
        if not self.nodes:
            raise ValueError("jvp: the tape is empty; record a computation first")
        count = 0
        for node in self.nodes:
            if node.op == "leaf":
                node.tangent = tangents.get(node.name)
                continue
            ts = [p.tangent for p in node.parents]
            vals = [p.value for p in node.parents]
            if all(t is None for t in ts):
                node.tangent = None
                continue
            if node.op == "matmul":                # Ṗ = Ȧ B + A Ḃ
                (n, k), m = node.parents[0].shape, node.shape[1]
                parts = []
                if ts[0] is not None:
                    parts.append(ts[0] @ vals[1])
                if ts[1] is not None:
                    parts.append(vals[0] @ ts[1])
                count += n * k * m * len(parts)
                node.tangent = parts[0] if len(parts) == 1 else parts[0] + parts[1]
            elif node.op == "add":                 # Ż = U̇ + ḃ 1ᵀ
                if ts[0] is not None and ts[1] is not None:
                    count += node.value.size
                    node.tangent = ts[0] + ts[1]
                else:
                    node.tangent = ts[0] if ts[0] is not None else np.broadcast_to(ts[1], node.shape)
            elif node.op == "sigma":               # Ȧ = σ′(Z) ⊙ Ż
                count += 2 * node.value.size
                node.tangent = node.fns[1](vals[0]) * ts[0]
            elif node.op == "cost":                # ċ = 1ᵀ((A − Y) ⊙ (Ȧ − Ẏ))
                count += 3 * vals[0].size
                dR = ts[0] if ts[1] is None else (-ts[1] if ts[0] is None else ts[0] - ts[1])
                node.tangent = ((vals[0] - vals[1]) * dR).sum(axis=0, keepdims=True)
            else:                                  # Ċ = (1/m) ċ 1
                count += vals[0].size
                node.tangent = _over(ts[0].sum(axis=1, keepdims=True), vals[0].shape[1])
        self.ops["jvp"] += count
        last = self.nodes[-1]
        if last.tangent is None:
            return np.zeros(last.shape) if last.value.dtype != object else np.full(last.shape, sp.Integer(0),
                                                                                   dtype=object)
        return last.tangent


def forward_mode_gradient(tape, names):
    """∂C/∂θ for every entry θ of the leaves `names`, by forward mode: one jvp pass per entry, equation (8.9).

    Returns ({name: gradient array}, number of passes). The tape's last node must be the scalar cost C.
    """
    if isinstance(names, str):
        names = [names]
    grads, passes = {}, 0
    for name in names:
        node = tape[name]
        if node.op != "leaf":
            raise ValueError(f"forward_mode_gradient: {name!r} is a {node.op} node; name the parameters (leaves)")
        symbolic = node.value.dtype == object
        zero, one = (sp.Integer(0), sp.Integer(1)) if symbolic else (0.0, 1.0)
        g = np.full(node.shape, zero, dtype=object if symbolic else float)
        for idx in np.ndindex(*node.shape):
            seed = np.full(node.shape, zero, dtype=object if symbolic else float)
            seed[idx] = one
            g[idx] = tape.jvp({name: seed})[0, 0]
            passes += 1
        grads[name] = g
    return grads, passes


# =============================================================================================== networks
def _per_layer(what, f, L):
    if callable(f):
        return [None] + [f] * L
    if isinstance(f, (list, tuple)) and len(f) == L + 1 and all(callable(g) for g in f[1:]):
        return list(f)
    raise TypeError(f"{what} must be an elementwise function or a padded list [None, f_1, ..., f_L] of {L + 1} "
                    f"entries, got {f!r}")


def mlp_tape(W, b, X, Y, sigma, sigma_prime, rules=None):
    """Record the forward pass (5.1) of a network and its mean quadratic cost (2.1) on a new Tape.

    W, b: padded lists (W[0] = b[0] = None) of arrays (numbers or SymPy expressions); X (n_0, m), Y (n_L, m) the
    batch as columns. sigma, sigma_prime: the elementwise σ and σ′, or padded lists of one per layer.
    Nodes: W[l], b[l], a[0] and y (leaves), W[l]a[l-1] (matmul), z[l] (add), a[l] (sigma), c (cost), C (mean).
    After `tape.backward()`, `tape.grad("z[l]")` is Δ^l / m, equation (8.7).
    """
    if not isinstance(W, (list, tuple)) or not isinstance(b, (list, tuple)) or len(W) != len(b) or len(W) < 2:
        raise ValueError("W and b must be padded lists [None, W[1], ..., W[L]] of the same length L + 1 >= 2, got "
                         f"lengths {len(W) if isinstance(W, (list, tuple)) else type(W).__name__} and "
                         f"{len(b) if isinstance(b, (list, tuple)) else type(b).__name__}")
    L = len(W) - 1
    sigmas, primes = _per_layer("sigma", sigma, L), _per_layer("sigma_prime", sigma_prime, L)
    tape = Tape(rules)
    a = tape.leaf(X, "a[0]", needs_grad=False)
    for l in range(1, L + 1):
        Wl, bl = tape.leaf(W[l], f"W[{l}]"), tape.leaf(b[l], f"b[{l}]")
        u = tape.matmul(Wl, a, name=f"W[{l}]a[{l - 1}]")
        z = tape.add(u, bl, name=f"z[{l}]")
        a = tape.sigma(z, sigmas[l], primes[l], name=f"a[{l}]")
    y = tape.leaf(Y, "y", needs_grad=False)
    if a.shape != y.shape:
        raise ValueError(f"Y must have the shape of the output a[{L}], {a.shape}, got {y.shape}")
    tape.mean(tape.cost(a, y, name="c"), name="C")
    return tape


def tape_of(net, X, Y, rules=None):
    """`mlp_tape` for a package MLP with the quadratic cost and elementwise activations, on its own parameters."""
    if getattr(getattr(net, "cost", None), "name", None) != "quadratic":
        raise ValueError(f"tape_of: the tape's cost is the quadratic one (2.1); net has cost "
                         f"{getattr(getattr(net, 'cost', None), 'name', None)!r}")
    acts = [None] + [net.activation_of(l) for l in range(1, net.L + 1)]
    if any(not act.elementwise for act in acts[1:]):
        raise ValueError("tape_of: every layer's activation must be elementwise (the tape has no softmax)")
    X, Y = net.check_batch(X, Y)
    return mlp_tape(net.W, net.b, X, Y, [None] + [a.sigma for a in acts[1:]],
                    [None] + [(lambda z, act=a: act.sigma_prime(z)) for a in acts[1:]], rules=rules)


# =============================================================================================== symbolic helpers
def symbol_matrix(name, rows, cols):
    """A SymPy matrix of real symbols name_{ij}, for proving a local rule on generic inputs."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{{{i}{j}}}", real=True))


def objects(M):
    """A SymPy matrix as a NumPy object array, the form the local rules and the tape work on."""
    return np.array(sp.Matrix(M).tolist(), dtype=object)


def upstream(out):
    """The rest of the computation, seen from one operation: f(out) for an undefined scalar function f of every
    entry of `out`, and G = ∂f/∂out, the object array of its undefined partial derivatives (the engine's c, ∂c).

    Then ∂f/∂X by sympy.diff is the truth that a local rule, fed G, must reproduce for each input X.
    """
    from .symbolic import cost_fn, cost_grad

    out = sp.Matrix(out)
    entries = list(out)
    f = cost_fn(*entries)
    G = sp.Matrix(out.shape[0], out.shape[1], [cost_grad(sp.Integer(i + 1), *entries) for i in range(len(entries))])
    return f, objects(G)


# =============================================================================================== a picture
def _graph_nodes(root, notes):
    """(nodes in topological order, {id: parent ids}, {id: label lines}) of a Value graph or a Tape.

    An unnamed leaf of a Value graph is a constant: it is not drawn, its value joins its user's label ("÷ 2").
    """
    if isinstance(root, Tape):
        nodes = list(root.nodes)
        parents = {id(n): [id(p) for p in n.parents] for n in nodes}
        labels = {id(n): [n.name, f"{n.op} {n.shape[0]}×{n.shape[1]}"] for n in nodes}
    elif isinstance(root, Value):
        def num(t):
            return str(t) if _symbolic(t) else f"{float(t):.3g}"

        every = root.graph()
        constant = {id(v) for v in every if not v.parents and not v.name}
        nodes = [v for v in every if id(v) not in constant]
        parents = {id(v): [id(p) for p in v.parents if id(p) not in constant] for v in nodes}
        labels = {}
        for v in nodes:
            op = v.op + "".join(f" {num(p.data)}" for p in v.parents if id(p) in constant)
            head = f"{v.name}  ({op})" if v.name and op else (v.name or op)
            labels[id(v)] = [head, f"value {num(v.data)}", f"grad {num(v.grad)}"]
    else:
        raise TypeError(f"draw_graph: root must be a Value or a Tape, got {type(root).__name__}")
    for key, text in (notes or {}).items():
        found = [n for n in nodes if getattr(n, "name", None) == key]
        if not found:
            raise ValueError(f"draw_graph: notes names {key!r}, which is not a named node of the graph")
        labels[id(found[0])].append(str(text))
    return nodes, parents, labels


def draw_graph(root, ax=None, figsize=(11, 3.2), notes=None):
    """Draw the computation graph of a Value (each node with its value and gradient) or of a Tape.

    The operations stand in a row from left to right in the order the forward pass computes them; each input
    (leaf) sits just before the operation that uses it, above or below the row. Arrows point the way of the
    forward pass; the backward pass runs them right to left. notes: {node name: an extra line under its label}.
    Returns the Figure.
    """
    from .plotting.style import BLUE, GREY, NEURON_FACE, RED, axes_or_new

    nodes, parents, labels = _graph_nodes(root, notes)
    pos, column = {}, {}
    for n in nodes:                              # operations: one column past their latest operation parent
        if parents[id(n)]:
            column[id(n)] = 1 + max((column.get(p, 0) for p in parents[id(n)]), default=0)
    taken = {}
    for n in nodes:
        if id(n) in column:
            x = column[id(n)]
            pos[id(n)] = (x, 0.0 if x not in taken else -1.1 * taken[x])
            taken[x] = taken.get(x, 0) + 1
    for n in nodes:                              # leaves: just before their first user, above, then below
        if id(n) not in pos:
            users = [m for m in nodes if id(n) in parents[id(m)]]
            x = pos[id(users[0])][0] if users else 1
            k = taken.get(("leaf", x), 0)
            taken[("leaf", x)] = k + 1
            pos[id(n)] = (x - 0.5, (1 if k % 2 == 0 else -1) * 1.05 * (1 + k // 2))
    own = ax is None
    fig, ax = axes_or_new(ax, figsize)
    if own:
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.98)
    boxes = {}
    for n in nodes:
        x, y = pos[id(n)]
        leaf = not parents[id(n)]
        boxes[id(n)] = ax.text(x, y, "\n".join(labels[id(n)]), ha="center", va="center", fontsize=8.5,
                               color="black", bbox=dict(boxstyle="round,pad=0.35", fc=NEURON_FACE,
                                                        ec=BLUE if leaf else RED, lw=1.3))
    for n in nodes:                              # arrows from box edge to box edge, drawn once the boxes exist
        x, y = pos[id(n)]
        for p in parents[id(n)]:
            px, py = pos[p]
            start, end = ((1, 0.5), (0, 0.5)) if abs(py - y) < 1e-9 else \
                (((0.5, 0), (0.5, 1)) if py > y else ((0.5, 1), (0.5, 0)))
            ax.annotate("", xy=end, xycoords=boxes[id(n)], xytext=start, textcoords=boxes[p],
                        arrowprops=dict(arrowstyle="-|>", color=GREY, lw=1.1, shrinkA=4, shrinkB=4))
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.axis("off")
    return fig
