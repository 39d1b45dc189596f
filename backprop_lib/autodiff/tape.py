"""The tape: the array operations of a network, their backward rules (8.2)-(8.6) and forward mode (8.8)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp


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


RULES = {
    "matmul": matmul_backward,
    "add": add_backward,
    "sigma": sigma_backward,
    "cost": cost_backward,
    "mean": mean_backward,
}


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
            raise ValueError(
                f"matmul: {A.name} is {A.shape} and {B.name} is {B.shape}: the inner dimensions {k} and {k2} differ"
            )
        name = self._check_name(name or f"{A.name}{B.name}")
        return self._add(name, "matmul", A.value @ B.value, (A, B), ops=n * k * m)

    def add(self, U, b, name=None):
        """Z = U + b 1ᵀ: the column b added to every column of U (NumPy's broadcasting), (5.1)."""
        U, b = self._node(U, "add: U"), self._node(b, "add: b")
        if b.shape != (U.shape[0], 1):
            raise ValueError(
                f"add: {b.name} must be a column of shape ({U.shape[0]}, 1) to add to every column "
                f"of {U.name} {U.shape}, got {b.shape}"
            )
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
            raise ValueError(
                f"cost: the outputs {A.name} {A.shape} and the targets {Y.name} {Y.shape} must have the same shape"
            )
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
        return self._add(name, "mean", _over(c.value.sum(axis=1, keepdims=True), c.shape[1]), (c,), ops=c.value.size)

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
            return (
                np.zeros(node.shape, dtype=node.value.dtype)
                if node.value.dtype != object
                else np.full(node.shape, sp.Integer(0), dtype=object)
            )
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
            raise ValueError(
                f"backward: the output must be a scalar node of shape (1, 1), such as the cost C; "
                f"{out.name} has shape {out.shape}"
            )
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
                    raise ValueError(
                        f"the local rule of {node.op} gave a gradient of shape {np.shape(g)} for "
                        f"{parent.name}, which has shape {parent.shape}: a gradient has the shape of "
                        "what it differentiates"
                    )
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
            grads = (gA, -gA)  # the targets enter as −Y: their gradient is −Ā
        else:  # mean
            count = node.parents[0].value.size
            grads = (self.rules["mean"](args[0], G),)
        self.ops["backward"] += count
        if not isinstance(grads, (tuple, list)) or len(grads) != len(node.parents):
            raise ValueError(
                f"the local rule of {node.op} must return {len(node.parents)} gradient(s), one per "
                f"input, got {type(grads).__name__}"
            )
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
                raise ValueError(
                    f"tangents[{name!r}] must be an array of the leaf's shape {node.shape}, got "
                    f"{np.shape(t)} for a {node.op} node"
                )
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
            if node.op == "matmul":  # Ṗ = Ȧ B + A Ḃ
                (n, k), m = node.parents[0].shape, node.shape[1]
                parts = []
                if ts[0] is not None:
                    parts.append(ts[0] @ vals[1])
                if ts[1] is not None:
                    parts.append(vals[0] @ ts[1])
                count += n * k * m * len(parts)
                node.tangent = parts[0] if len(parts) == 1 else parts[0] + parts[1]
            elif node.op == "add":  # Ż = U̇ + ḃ 1ᵀ
                if ts[0] is not None and ts[1] is not None:
                    count += node.value.size
                    node.tangent = ts[0] + ts[1]
                else:
                    node.tangent = ts[0] if ts[0] is not None else np.broadcast_to(ts[1], node.shape)
            elif node.op == "sigma":  # Ȧ = σ′(Z) ⊙ Ż
                count += 2 * node.value.size
                node.tangent = node.fns[1](vals[0]) * ts[0]
            elif node.op == "cost":  # ċ = 1ᵀ((A − Y) ⊙ (Ȧ − Ẏ))
                count += 3 * vals[0].size
                dR = ts[0] if ts[1] is None else (-ts[1] if ts[0] is None else ts[0] - ts[1])
                node.tangent = ((vals[0] - vals[1]) * dR).sum(axis=0, keepdims=True)
            else:  # Ċ = (1/m) ċ 1
                count += vals[0].size
                node.tangent = _over(ts[0].sum(axis=1, keepdims=True), vals[0].shape[1])
        self.ops["jvp"] += count
        last = self.nodes[-1]
        if last.tangent is None:
            return (
                np.zeros(last.shape) if last.value.dtype != object else np.full(last.shape, sp.Integer(0), dtype=object)
            )
        return last.tangent
