"""A network on the tape, forward mode's gradient (8.9), and the helpers notebook 08 shows and proves with."""

from __future__ import annotations

import numpy as np
import sympy as sp

from .scalar import Value, _symbolic
from .tape import Tape


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
    raise TypeError(
        f"{what} must be an elementwise function or a padded list [None, f_1, ..., f_L] of {L + 1} entries, got {f!r}"
    )


def mlp_tape(W, b, X, Y, sigma, sigma_prime, rules=None):
    """Record the forward pass (5.1) of a network and its mean quadratic cost (2.1) on a new Tape.

    W, b: padded lists (W[0] = b[0] = None) of arrays (numbers or SymPy expressions); X (n_0, m), Y (n_L, m) the
    batch as columns. sigma, sigma_prime: the elementwise σ and σ′, or padded lists of one per layer.
    Nodes: W[l], b[l], a[0] and y (leaves), W[l]a[l-1] (matmul), z[l] (add), a[l] (sigma), c (cost), C (mean).
    After `tape.backward()`, `tape.grad("z[l]")` is Δ^l / m, equation (8.7).
    """
    if not isinstance(W, (list, tuple)) or not isinstance(b, (list, tuple)) or len(W) != len(b) or len(W) < 2:
        raise ValueError(
            "W and b must be padded lists [None, W[1], ..., W[L]] of the same length L + 1 >= 2, got "
            f"lengths {len(W) if isinstance(W, (list, tuple)) else type(W).__name__} and "
            f"{len(b) if isinstance(b, (list, tuple)) else type(b).__name__}"
        )
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
        raise ValueError(
            f"tape_of: the tape's cost is the quadratic one (2.1); net has cost "
            f"{getattr(getattr(net, 'cost', None), 'name', None)!r}"
        )
    acts = [None] + [net.activation_of(l) for l in range(1, net.L + 1)]
    if any(not act.elementwise for act in acts[1:]):
        raise ValueError("tape_of: every layer's activation must be elementwise (the tape has no softmax)")
    X, Y = net.check_batch(X, Y)
    return mlp_tape(
        net.W,
        net.b,
        X,
        Y,
        [None] + [a.sigma for a in acts[1:]],
        [None] + [(lambda z, act=a: act.sigma_prime(z)) for a in acts[1:]],
        rules=rules,
    )


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
    from ..symbolic import cost_fn, cost_grad

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
    from ..plotting.style import BLUE, GREY, NEURON_FACE, RED, axes_or_new

    nodes, parents, labels = _graph_nodes(root, notes)
    pos, column = {}, {}
    for n in nodes:  # operations: one column past their latest operation parent
        if parents[id(n)]:
            column[id(n)] = 1 + max((column.get(p, 0) for p in parents[id(n)]), default=0)
    taken = {}
    for n in nodes:
        if id(n) in column:
            x = column[id(n)]
            pos[id(n)] = (x, 0.0 if x not in taken else -1.1 * taken[x])
            taken[x] = taken.get(x, 0) + 1
    for n in nodes:  # leaves: just before their first user, above, then below
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
        boxes[id(n)] = ax.text(
            x,
            y,
            "\n".join(labels[id(n)]),
            ha="center",
            va="center",
            fontsize=8.5,
            color="black",
            bbox=dict(boxstyle="round,pad=0.35", fc=NEURON_FACE, ec=BLUE if leaf else RED, lw=1.3),
        )
    for n in nodes:  # arrows from box edge to box edge, drawn once the boxes exist
        x, y = pos[id(n)]
        for p in parents[id(n)]:
            px, py = pos[p]
            start, end = (
                ((1, 0.5), (0, 0.5))
                if abs(py - y) < 1e-9
                else (((0.5, 0), (0.5, 1)) if py > y else ((0.5, 1), (0.5, 0)))
            )
            ax.annotate(
                "",
                xy=end,
                xycoords=boxes[id(n)],
                xytext=start,
                textcoords=boxes[p],
                arrowprops=dict(arrowstyle="-|>", color=GREY, lw=1.1, shrinkA=4, shrinkB=4),
            )
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.axis("off")
    return fig
