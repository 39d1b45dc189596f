"""Figures for the series: network diagrams, matrix-shape pictures, heat maps, training curves and digits.

Every function draws with matplotlib only, returns the Figure it drew on and never calls plt.show(), so a
notebook shows the figure by leaving it as the cell's value (or by `display(fig)`).  Functions that accept
`ax=` draw into that Axes and return its Figure.  Wrong shapes raise ValueError.

Notation on the pictures is the series' (CONTRIBUTING.md): layer l-1 has neurons k, layer l has neurons j, and
W^l_jk joins neuron k of layer l-1 to neuron j of layer l, so row j of W^l holds the weights into neuron j.
Neuron indices passed as arguments are code indices (0-based), as in `W[l][j, k]`.

Network-diagram artists carry a gid so they can be found again: neurons "neuron:<l>:<i>", connections
"edge:<l>:<j>:<k>" (into neuron j of layer l from neuron k of layer l-1).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

__all__ = [
    "draw_layer",
    "draw_network",
    "draw_three_layers",
    "draw_matrix_shapes",
    "heatmap",
    "plot_history",
    "confusion_matrix",
    "plot_confusion",
    "show_digits",
    "show_weights",
]

GREY = "#b0b0b0"
RED = "#d62728"
BLUE = "#1f77b4"
LAYER_COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
NEURON_FACE = "#f4f4f4"
MAX_DRAWN = 10  # wider layers are drawn as a few neurons and a vertical ellipsis


# ------------------------------------------------------------------------------------------------ helpers
def _new_axes(ax=None, figsize=(6, 4)):
    """(fig, ax): the given Axes and its Figure, or a fresh Figure (not registered with pyplot) with one Axes."""
    if ax is not None:
        return ax.figure, ax
    fig = _figure(figsize)
    return fig, fig.add_subplot()


def _figure(figsize) -> Figure:
    """A new Figure that pyplot no longer manages, so a notebook shows it once: as the value of the cell.

    The figure is made by pyplot, which loads the backend (in Jupyter that registers the inline display of
    Figure objects), then closed, i.e. removed from pyplot's list: an open pyplot figure would be shown twice,
    once by the inline backend at the end of the cell and once as the cell's value.  A closed figure can still
    be drawn, saved and displayed.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig = plt.figure(figsize=figsize)
    plt.close(fig)
    return fig


def _int(name, value, minimum=None, maximum=None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return int(value)


def _math(label: str) -> str:
    """Wrap a TeX-like label in $...$ for mathtext unless it already holds a $ or is an operator word."""
    return label if "$" in label else f"${label}$"


def _layer_name(l) -> str:
    """The layer symbol for labels: a letter such as "l", or a layer number >= 1."""
    if isinstance(l, str) and l.isidentifier():
        return l
    if isinstance(l, numbers.Integral) and not isinstance(l, bool) and l >= 1:
        return str(int(l))
    raise ValueError(f"l must be a layer symbol such as 'l' or a layer number >= 1, got {l!r}")


def _shown(n: int, keep=()) -> list:
    """Neuron indices to draw for a layer of width n: all of them, or a few with None marking an ellipsis."""
    if n <= MAX_DRAWN:
        return list(range(n))
    first = [0, 1, 2, 3]
    last = [n - 2, n - 1]
    middle = sorted({int(i) for i in keep} - set(first) - set(last))
    out = first[:]
    for i in middle:
        out += [None, i]
    return out + [None] + last


def _layer_positions(shown: list, x: float, spacing: float = 1.0) -> dict:
    """{index: (x, y)} for the drawn neurons of one layer, centred on y = 0, and the ellipsis positions."""
    ys = (np.arange(len(shown))[::-1] - (len(shown) - 1) / 2) * spacing
    pos, dots = {}, []
    for i, yv in zip(shown, ys):
        if i is None:
            dots.append((x, yv))
        else:
            pos[i] = (x, float(yv))
    return pos, dots


def _neuron(ax, xy, l, i, r=0.22, face=NEURON_FACE, edge="black", lw=1.2, label=None, side="left", fontsize=12,
            colour="black"):
    """A neuron as a circle (gid "neuron:<l>:<i>"), with an optional label to its left or right."""
    ax.add_patch(Circle(xy, r, facecolor=face, edgecolor=edge, lw=lw, zorder=3, gid=f"neuron:{l}:{i}"))
    if label:
        dx, dy, ha, va = {"left": (-(r + 0.08), 0, "right", "center"), "right": (r + 0.08, 0, "left", "center"),
                          "above": (0, r + 0.06, "center", "bottom")}[side]
        ax.text(xy[0] + dx, xy[1] + dy, label, ha=ha, va=va, fontsize=fontsize, color=colour, zorder=4,
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))


def _edge(ax, p, q, l, j, k, colour=GREY, lw=0.8, alpha=1.0, zorder=1, r=0.22):
    """Line from neuron k at p (layer l-1) to neuron j at q (layer l), trimmed to the circles' rims."""
    (x0, y0), (x1, y1) = p, q
    d = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / d, (y1 - y0) / d
    (line,) = ax.plot(
        [x0 + r * ux, x1 - r * ux], [y0 + r * uy, y1 - r * uy], color=colour, lw=lw, alpha=alpha,
        zorder=zorder, solid_capstyle="round",
    )
    line.set_gid(f"edge:{l}:{j}:{k}")
    return line


def _ellipsis(ax, dots):
    for x, yv in dots:
        ax.text(x, yv, r"$\vdots$", ha="center", va="center", fontsize=14, zorder=4)


def _finish_diagram(ax, extent, title=None):
    """Fix the limits to extent = (xmin, xmax, ymin, ymax) so that every label fits, equal aspect, no axes."""
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)


# ---------------------------------------------------------------------------------------- network diagrams
def draw_layer(n_in: int = 3, n_out: int = 2, j: int = 0, k: int = 0, l: str = "l", ax=None) -> Figure:
    """One fully connected layer: neurons k of layer l-1, neurons j of layer l, every connection W^l_jk.

    The connection from neuron k to neuron j is red and labelled W^l_jk; the other connections into neuron j
    (row j of W^l, the weights into neuron j) are drawn in a lighter red.  The title gives
    z^l_j = sum_k W^l_jk a^{l-1}_k + b^l_j.  n_in = n_{l-1}, n_out = n_l; j, k are 0-based code indices.
    Taught in notebook 01 (the forward pass).
    """
    n_in = _int("n_in", n_in, 1)
    n_out = _int("n_out", n_out, 1)
    j = _int("j", j, 0, n_out - 1)
    k = _int("k", k, 0, n_in - 1)
    fig, ax = _new_axes(ax, figsize=(6, 4.5))
    left, dl = _layer_positions(_shown(n_in, keep=[k]), 0.0)
    right, dr = _layer_positions(_shown(n_out, keep=[j]), 3.0)
    l = _layer_name(l)
    lm1 = str(int(l) - 1) if l.isdigit() else f"{l}-1"
    for jj, q in right.items():
        for kk, p in left.items():
            if jj == j and kk == k:
                continue
            into_j = jj == j
            _edge(ax, p, q, l, jj, kk, colour="#f2a0a0" if into_j else GREY, lw=1.6 if into_j else 0.8)
    line = _edge(ax, left[k], right[j], l, j, k, colour=RED, lw=2.6, zorder=2)
    xs, ys = line.get_data()
    ax.text(
        (xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2 + 0.22, _math(f"W^{{{l}}}_{{jk}}"), color=RED, fontsize=13,
        ha="center", va="bottom", zorder=5, bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
    )
    for kk, p in left.items():
        _neuron(ax, p, lm1, kk, edge=RED if kk == k else "black", lw=2.0 if kk == k else 1.2,
                label=_math(f"a^{{{lm1}}}_k") if kk == k else None, side="left", colour=RED)
    for jj, q in right.items():
        _neuron(ax, q, l, jj, edge=RED if jj == j else "black", lw=2.0 if jj == j else 1.2,
                label=_math(f"a^{{{l}}}_j") if jj == j else None, side="right", colour=RED)
    _ellipsis(ax, dl + dr)
    top = max(max(p[1] for p in left.values()), max(q[1] for q in right.values())) + 0.8
    ax.text(0.0, top, f"layer {_math(lm1)}\n$n_{{{lm1}}} = {n_in}$", ha="center", va="bottom", fontsize=10)
    ax.text(3.0, top, f"layer ${l}$\n$n_{{{l}}} = {n_out}$", ha="center", va="bottom", fontsize=10)
    ax.text(
        1.5, min(min(p[1] for p in left.values()), min(q[1] for q in right.values())) - 0.6,
        f"row $j$ of $W^{{{l}}}$ ({n_out}$\\times${n_in}) = the weights into neuron $j$",
        ha="center", va="top", fontsize=9, color="#b03030",
    )
    low = min(min(p[1] for p in left.values()), min(q[1] for q in right.values())) - 0.7
    _finish_diagram(ax, (-1.1, 4.1, low - 0.5, top + 0.9),
                    _math(f"z^{{{l}}}_j = \\sum_k W^{{{l}}}_{{jk}}\\, a^{{{lm1}}}_k + b^{{{l}}}_j"))
    return fig


def _check_sizes(sizes) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise ValueError(f"sizes must be a sequence of layer widths [n_0, ..., n_L], got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output layer, got {list(sizes)}")
    return [_int(f"sizes[{l}] (n_{l})", n, 1) for l, n in enumerate(sizes)]


def draw_network(sizes, highlight=None, ax=None) -> Figure:
    """The whole network from x = a^0 to a^L, optionally colouring the connections into one neuron per layer.

    sizes = [n_0, ..., n_L].  highlight: None (nothing), True (neuron 0 of every layer l = 1..L), a sequence
    of L neuron indices (one for each layer 1..L, None to skip a layer) or a dict {l: j}.  The connections into
    neuron j of layer l (row j of W^l) get layer l's colour.  Layers wider than 10 are drawn with an ellipsis.
    Taught in notebook 01.
    """
    sizes = _check_sizes(sizes)
    L = len(sizes) - 1
    if highlight is None or highlight is False:
        chosen = {}
    elif highlight is True:
        chosen = {l: 0 for l in range(1, L + 1)}
    elif isinstance(highlight, Mapping):
        chosen = dict(highlight)
    elif isinstance(highlight, Sequence) and not isinstance(highlight, (str, bytes)):
        if len(highlight) != L:
            raise ValueError(f"highlight needs one neuron index per layer 1..{L} ({L} entries), got {len(highlight)}")
        chosen = {l: j for l, j in enumerate(highlight, start=1) if j is not None}
    else:
        raise ValueError(f"highlight must be None, True, a sequence of {L} indices or a dict {{l: j}}, got {highlight!r}")
    for l, j in chosen.items():
        _int("highlight layer", l, 1, L)
        _int(f"highlight neuron of layer {l} (n_{l} = {sizes[l]})", j, 0, sizes[l] - 1)

    fig, ax = _new_axes(ax, figsize=(1.9 * (L + 1) + 1, 4.8))
    gap = 3.0
    positions, dots = [], []
    for l, n in enumerate(sizes):
        keep = [chosen[l]] if l in chosen else []
        pos, d = _layer_positions(_shown(n, keep=keep), l * gap)
        positions.append(pos)
        dots += d
    for l in range(1, L + 1):
        for j, q in positions[l].items():
            for k, p in positions[l - 1].items():
                hot = chosen.get(l) == j
                colour = LAYER_COLOURS[(l - 1) % len(LAYER_COLOURS)] if hot else GREY
                _edge(ax, p, q, l, j, k, colour=colour, lw=2.0 if hot else 0.6, alpha=1.0 if hot else 0.7,
                      zorder=2 if hot else 1)
    for l, pos in enumerate(positions):
        for i, xy in pos.items():
            hot = chosen.get(l) == i
            colour = LAYER_COLOURS[(l - 1) % len(LAYER_COLOURS)] if hot else "black"
            _neuron(ax, xy, l, i, edge=colour, lw=2.0 if hot else 1.2)
    _ellipsis(ax, dots)
    top = max(y for pos in positions for _, y in pos.values()) + 0.6
    bottom = min(y for pos in positions for _, y in pos.values()) - 0.6
    for l, n in enumerate(sizes):
        name = r"$\mathbf{x} = \mathbf{a}^0$" if l == 0 else (r"$\mathbf{a}^L$" if l == L else f"$\\mathbf{{a}}^{{{l}}}$")
        ax.text(l * gap, top, name, ha="center", va="bottom", fontsize=11)
        ax.text(l * gap, bottom, f"$n_{{{l}}} = {n}$", ha="center", va="top", fontsize=9)
        if l in chosen:
            ax.text(l * gap - gap / 2, bottom - 0.45, f"row {chosen[l]} of $W^{{{l}}}$", ha="center", va="top",
                    fontsize=8, color=LAYER_COLOURS[(l - 1) % len(LAYER_COLOURS)])
    _finish_diagram(ax, (-gap / 2, L * gap + gap / 2, bottom - 1.0, top + 0.8), f"network {sizes}: $L = {L}$")
    return fig


def draw_three_layers(sizes=(3, 4, 3), j: int = 0, k: int = 1, l: str = "l", ax=None) -> Figure:
    """Layers l-1, l, l+1 with indices j, k, m: the weight w^l_kj in red and every path from neuron k onward.

    Changing w^l_kj changes z^l_k and a^l_k, which reaches the cost through every neuron m of layer l+1 (blue
    paths, weights w^{l+1}_mk), hence the sum over m in
    dC/dw^l_kj = (sum_m dC/dz^{l+1}_m w^{l+1}_mk) sigma'(z^l_k) a^{l-1}_j.
    sizes = (n_{l-1}, n_l, n_{l+1}); j, k are 0-based code indices.  Taught in notebook 03 (the recursion).
    """
    sizes = _check_sizes(sizes)
    l = _layer_name(l)
    if len(sizes) != 3:
        raise ValueError(f"sizes must give three widths (n_{{l-1}}, n_l, n_{{l+1}}), got {sizes}")
    j = _int("j (neuron of layer l-1)", j, 0, sizes[0] - 1)
    k = _int("k (neuron of layer l)", k, 0, sizes[1] - 1)
    fig, ax = _new_axes(ax, figsize=(7.5, 5))
    gap = 3.0
    lm1, lp1 = (str(int(l) - 1), str(int(l) + 1)) if l.isdigit() else (f"{l}-1", f"{l}+1")
    names = [lm1, l, lp1]
    idx = ["j", "k", "m"]
    pos0, d0 = _layer_positions(_shown(sizes[0], keep=[j]), 0.0)
    pos1, d1 = _layer_positions(_shown(sizes[1], keep=[k]), gap)
    pos2, d2 = _layer_positions(_shown(sizes[2]), 2 * gap)
    for kk, q in pos1.items():
        for jj, p in pos0.items():
            if not (kk == k and jj == j):
                _edge(ax, p, q, names[1], kk, jj, colour=GREY, lw=0.7)
    for mm, q in pos2.items():
        for kk, p in pos1.items():
            hot = kk == k
            _edge(ax, p, q, names[2], mm, kk, colour=BLUE if hot else GREY, lw=2.0 if hot else 0.7,
                  zorder=2 if hot else 1)
    red = _edge(ax, pos0[j], pos1[k], names[1], k, j, colour=RED, lw=2.8, zorder=3)
    xs, ys = red.get_data()
    box = dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85)
    ax.text((xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2 + 0.2, _math(f"w^{{{l}}}_{{kj}}"), color=RED, fontsize=13,
            ha="center", va="bottom", zorder=5, bbox=box)
    m_top = max(pos2, key=lambda i: pos2[i][1])
    xb = (pos1[k][0] + pos2[m_top][0]) / 2
    yb = (pos1[k][1] + pos2[m_top][1]) / 2
    ax.text(xb, yb + 0.2, _math(f"w^{{{lp1}}}_{{mk}}"), color=BLUE, fontsize=12, ha="center", va="bottom", zorder=5,
            bbox=box)
    for layer, (pos, hot_i, colour) in enumerate([(pos0, j, RED), (pos1, k, RED), (pos2, None, BLUE)]):
        for i, xy in pos.items():
            hot = i == hot_i or layer == 2
            label = _math(f"a^{{{names[layer]}}}_{idx[layer]}") if i == hot_i else None
            _neuron(ax, xy, names[layer], i, r=0.3, edge=colour if hot else "black", lw=2.0 if hot else 1.2,
                    label=label, side="left" if layer == 0 else "above", colour=RED)
    _ellipsis(ax, d0 + d1 + d2)
    top = max(y for pos in (pos0, pos1, pos2) for _, y in pos.values()) + 0.7
    for layer in range(3):
        ax.text(layer * gap, top, f"layer ${names[layer]}$\nneurons ${idx[layer]}$", ha="center", va="bottom",
                fontsize=10)
    bottom = min(y for pos in (pos0, pos1, pos2) for _, y in pos.values()) - 0.7
    ax.text(
        gap, bottom,
        f"$\\frac{{\\partial C}}{{\\partial w^{{{l}}}_{{kj}}}} = \\left(\\sum_m "
        f"\\frac{{\\partial C}}{{\\partial z^{{{lp1}}}_m}}\\, w^{{{lp1}}}_{{mk}}\\right)"
        f" \\sigma'(z^{{{l}}}_k)\\, a^{{{lm1}}}_j$",
        ha="center", va="top", fontsize=12,
    )
    _finish_diagram(ax, (-1.3, 2 * gap + 0.8, bottom - 1.3, top + 1.0),
                    f"$w^{{{l}}}_{{kj}}$ reaches the cost through every neuron $m$ of layer ${lp1}$")
    return fig


# -------------------------------------------------------------------------------------------- matrix shapes
_SUM_OPS = {"+", "-", "="}
_ELEMENTWISE_OPS = {"*", "⊙", r"\odot"}
_PRODUCT_OPS = {"@", "·", r"\cdot"}


def _check_shape_arithmetic(terms) -> None:
    """Raise ValueError if the shapes in `terms` cannot form the written expression.

    Adjacent matrices (or '@', '·') multiply: inner dimensions must agree.  '⊙' or '*' needs equal shapes.
    '+', '-' and '=' need equal shapes, except that a column (n, 1) may be added to an (n, m) batch (the bias).
    """
    # Split into groups of factors separated by + - =; inside a group remember how each factor joins.
    groups, joins = [[]], []
    pending = "product"
    for label, shape in terms:
        if shape is None:
            if label in _SUM_OPS:
                if not groups[-1]:
                    raise ValueError(f"operator {label!r} needs a matrix before it")
                groups.append([])
                joins.append(label)
                pending = "product"
            elif label in _ELEMENTWISE_OPS:
                pending = "elementwise"
            elif label in _PRODUCT_OPS:
                pending = "product"
            else:
                raise ValueError(f"unknown operator {label!r}; use one of + - = @ · ⊙ *")
            continue
        groups[-1].append((label, shape, pending))
        pending = "product"
    if not groups[-1]:
        raise ValueError("the expression must end with a matrix")

    reduced = []
    for group in groups:
        label, shape, _ = group[0]
        for lab2, s2, how in group[1:]:
            if how == "elementwise":
                if s2 != shape:
                    raise ValueError(f"{label} {shape} ⊙ {lab2} {s2}: an elementwise product needs equal shapes")
            elif shape[1] != s2[0]:
                raise ValueError(
                    f"{label} {shape} times {lab2} {s2}: inner dimensions {shape[1]} and {s2[0]} differ "
                    "(a missing transpose?)"
                )
            else:
                shape = (shape[0], s2[1])
            label = f"{label} {lab2}"
        reduced.append((label, shape))

    label, shape = reduced[0]
    for (lab2, s2), join in zip(reduced[1:], joins):
        if join == "=":
            if s2 != shape:
                raise ValueError(f"{label} has shape {shape} but {lab2} has shape {s2}: the two sides of = differ")
            label, shape = lab2, s2
        elif s2 == shape or (s2[1] == 1 and s2[0] == shape[0]):  # equal, or a bias column across m columns
            label = f"{label} {join} {lab2}"
        elif shape[1] == 1 and shape[0] == s2[0]:
            label, shape = f"{label} {join} {lab2}", s2
        else:
            raise ValueError(f"{label} {shape} {join} {lab2} {s2}: shapes differ")


def draw_matrix_shapes(terms, check: bool = True, unit: float = 0.35, ax=None) -> Figure:
    """A product drawn as rectangles in proportion to the matrices' shapes, e.g. z^l = W^l a^{l-1} + b^l (1.x).

    terms: a sequence of (label, shape) pairs, shape = (rows, columns), or (operator, None) with operator one of
    + - = @ · ⊙ *.  Adjacent matrices multiply.  Labels are TeX without dollars ("W^l", "a^{l-1}").  With
    check=True (the default) shapes that cannot form the expression raise ValueError naming both factors,
    so the picture can never show a product whose inner dimensions disagree.  Taught in notebooks 01 and 04.
    """
    if isinstance(terms, (str, bytes)) or not isinstance(terms, Sequence) or len(terms) == 0:
        raise ValueError(f"terms must be a non-empty sequence of (label, shape) pairs, got {terms!r}")
    clean = []
    for i, term in enumerate(terms):
        if not isinstance(term, Sequence) or isinstance(term, (str, bytes)) or len(term) != 2:
            raise ValueError(f"terms[{i}] must be a (label, shape) pair, got {term!r}")
        label, shape = term
        if not isinstance(label, str) or not label:
            raise ValueError(f"terms[{i}] label must be a non-empty string, got {label!r}")
        if shape is not None:
            if not isinstance(shape, Sequence) or len(shape) != 2:
                raise ValueError(f"terms[{i}] ({label}) shape must be (rows, columns), got {shape!r}")
            shape = (_int(f"rows of {label}", shape[0], 1), _int(f"columns of {label}", shape[1], 1))
        clean.append((label, shape))
    if check:
        _check_shape_arithmetic(clean)

    largest = max((max(s) for _, s in clean if s is not None), default=1)
    scale = unit if largest * unit <= 4.0 else 4.0 / largest  # keep big matrices on the page
    fig, ax = _new_axes(ax, figsize=(1.2 + 0.9 * len(clean), 3.2))
    x = 0.0
    tallest = max((s[0] * scale for _, s in clean if s is not None), default=1.0)
    previous_matrix = False
    colours = iter(LAYER_COLOURS * 4)
    for label, shape in clean:
        if shape is None:
            x += 0.25
            text = {"*": r"$\odot$", "⊙": r"$\odot$", r"\odot": r"$\odot$", "@": r"$\cdot$", "·": r"$\cdot$",
                    r"\cdot": r"$\cdot$"}.get(label, label)
            ax.text(x + 0.2, 0.0, text, ha="center", va="center", fontsize=18)
            x += 0.65
            previous_matrix = False
            continue
        if previous_matrix:
            x += 0.15  # an implicit product: a narrow gap
        rows, cols = shape
        w, h = cols * scale, rows * scale
        colour = next(colours)
        ax.add_patch(Rectangle((x, -h / 2), w, h, facecolor=colour, alpha=0.25, edgecolor=colour, lw=1.5,
                               gid=f"matrix:{label}"))
        if rows <= 12 and cols <= 12:  # one cell per entry when it is still readable
            for r in range(1, rows):
                ax.plot([x, x + w], [-h / 2 + r * scale] * 2, color=colour, lw=0.4, alpha=0.6)
            for c in range(1, cols):
                ax.plot([x + c * scale] * 2, [-h / 2, h / 2], color=colour, lw=0.4, alpha=0.6)
        ax.text(x + w / 2, h / 2 + 0.12, _math(label), ha="center", va="bottom", fontsize=13)
        ax.text(x + w / 2, -h / 2 - 0.12, f"{rows}$\\times${cols}", ha="center", va="top", fontsize=9,
                color="#444444")
        x += w
        previous_matrix = True
    ax.set_xlim(-0.3, x + 0.3)
    ax.set_ylim(-tallest / 2 - 0.7, tallest / 2 + 0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# --------------------------------------------------------------------------------------------- heat maps
def _matrix(name, value, ndim=2) -> np.ndarray:
    arr = np.asarray(value, dtype=float) if not isinstance(value, np.ndarray) else value.astype(float, copy=False)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return arr


def heatmap(matrix, title: str = "", ax=None, xlabel: str | None = None, ylabel: str | None = None,
            cmap: str = "RdBu_r", annotate: bool | None = None) -> Figure:
    """A matrix (e.g. a gradient dW[l], shape (n_l, n_{l-1})) as colours centred on 0, with a colorbar.

    Red is positive, blue negative, white zero; the scale is symmetric, +-max|entry|.  Small matrices (up to
    8x8) get their values written in the cells unless annotate=False.  Taught in notebooks 04 and 05.
    """
    M = _matrix("matrix", matrix)
    fig, ax = _new_axes(ax, figsize=(min(10, 2.5 + 0.45 * M.shape[1]), min(8, 1.8 + 0.4 * M.shape[0])))
    bound = float(np.max(np.abs(M))) or 1.0
    image = ax.imshow(M, cmap=cmap, norm=TwoSlopeNorm(vcenter=0.0, vmin=-bound, vmax=bound),
                      interpolation="nearest", aspect="auto")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_title(title)
    ax.set_xlabel(xlabel if xlabel is not None else "column")
    ax.set_ylabel(ylabel if ylabel is not None else "row")
    if annotate is None:
        annotate = M.shape[0] <= 8 and M.shape[1] <= 8
    if annotate:
        for (r, c), v in np.ndenumerate(M):
            ax.text(c, r, f"{v:.2g}", ha="center", va="center", fontsize=8,
                    color="white" if abs(v) > 0.6 * bound else "black")
    ax.set_xticks(range(M.shape[1]) if M.shape[1] <= 20 else ax.get_xticks()[1:-1])
    ax.set_yticks(range(M.shape[0]) if M.shape[0] <= 20 else ax.get_yticks()[1:-1])
    return fig


# ------------------------------------------------------------------------------------------ training curves
def _series(history, key):
    if isinstance(history, Mapping):
        value = history.get(key)
    else:
        value = getattr(history, key, None)
    if value is None:
        return None
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"history.{key} must be a 1-D list (one value per epoch), got shape {arr.shape}")
    if arr.size == 0:
        return None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"history.{key} holds NaN or infinite values (did training diverge? try a smaller eta)")
    return arr


def plot_history(history, first_epoch: int = 1) -> Figure:
    """Cost and accuracy per epoch from a training history (attributes or dict keys `cost`,
    `train_accuracy`, `test_accuracy`; the accuracies may be missing), such as training.History.  The epochs
    come from `history.epoch` when it is there, else entry i is drawn at epoch first_epoch + i.  Accuracies must lie in [0, 1].  Taught in notebook 06.
    """
    cost = _series(history, "cost")
    if cost is None:
        raise ValueError("history must have a non-empty `cost` list (attribute or dict key)")
    first_epoch = _int("first_epoch", first_epoch, 0)
    accs = {name: _series(history, key) for name, key in [("train", "train_accuracy"), ("test", "test_accuracy")]}
    for name, acc in accs.items():
        if acc is not None and acc.size > cost.size:
            raise ValueError(f"history.{name}_accuracy has {acc.size} entries, more than the {cost.size} of cost")
        if acc is not None and (acc.min() < 0 or acc.max() > 1):
            raise ValueError(f"history.{name}_accuracy must lie in [0, 1], got {acc.min()}..{acc.max()}")
    has_acc = any(a is not None for a in accs.values())
    fig = _figure((10 if has_acc else 5.5, 3.8))
    axes = fig.subplots(1, 2 if has_acc else 1, squeeze=False)[0]
    given = _series(history, "epoch")
    if given is not None and given.size != cost.size:
        raise ValueError(f"history.epoch has {given.size} entries but history.cost has {cost.size}")
    epochs = given if given is not None else first_epoch + np.arange(cost.size)
    axes[0].plot(epochs, cost, "o-", color=BLUE, ms=3)
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("cost $C$")
    axes[0].set_title("cost per epoch")
    axes[0].grid(alpha=0.3)
    if has_acc:
        for (name, acc), colour in zip(accs.items(), [BLUE, RED]):
            if acc is not None:
                axes[1].plot(epochs[: acc.size], acc, "o-", color=colour, ms=3,
                             label=f"{name} ({acc[-1]:.1%} at the end)")
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("accuracy")
        axes[1].set_ylim(0, 1.02)
        axes[1].set_title("accuracy per epoch")
        axes[1].legend(loc="lower right")
        axes[1].grid(alpha=0.3)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------- confusion
def _labels(name, value, n=None) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of integer labels, got shape {arr.shape}")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        if not (np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr))):
            raise ValueError(f"{name} must hold integer labels, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must hold labels >= 0, got {arr.min()}")
    if n is not None and arr.size != n:
        raise ValueError(f"{name} must have {n} labels (one per sample), got {arr.size}")
    return arr


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts C[t, p] = number of samples with true label t predicted as p; shape (n_classes, n_classes)."""
    t = _labels("y_true", y_true)
    p = _labels("y_pred", y_pred, n=t.size)
    if t.size == 0:
        raise ValueError("y_true is empty")
    top = int(max(t.max(), p.max())) + 1
    n = top if n_classes is None else _int("n_classes", n_classes, top)
    C = np.zeros((n, n), dtype=np.int64)
    np.add.at(C, (t, p), 1)
    return C


def plot_confusion(y_true, y_pred, n_classes: int | None = None, ax=None) -> Figure:
    """The confusion matrix as a picture: rows are true digits, columns predictions, counts in the cells.

    The diagonal holds the correct predictions; the title gives the accuracy.  Taught in notebook 06.
    """
    C = confusion_matrix(y_true, y_pred, n_classes)
    n = C.shape[0]
    fig, ax = _new_axes(ax, figsize=(5.5, 4.8))
    image = ax.imshow(C, cmap="Blues", interpolation="nearest")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="count")
    for (r, c), v in np.ndenumerate(C):
        if v:
            ax.text(c, r, str(v), ha="center", va="center", fontsize=8,
                    color="white" if v > 0.6 * C.max() else ("black" if r == c else RED))
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.set_title(f"confusion matrix (accuracy {np.trace(C) / C.sum():.1%}, m = {C.sum()})")
    return fig


# ------------------------------------------------------------------------------------------------ digits
def _images(images) -> np.ndarray:
    """(k, 28, 28) from images (784, k) (samples as columns), (784,) or (k, 28, 28)."""
    arr = np.asarray(images, dtype=float)
    if arr.ndim == 1 and arr.shape[0] == 784:
        return arr.reshape(1, 28, 28)
    if arr.ndim == 2 and arr.shape[0] == 784:
        return arr.T.reshape(-1, 28, 28)
    if arr.ndim == 3 and arr.shape[1:] == (28, 28):
        return arr
    raise ValueError(f"images must be (784, k) with samples as columns, or (k, 28, 28); got shape {arr.shape}")


def _grid(k: int, ncols: int, cell: float = 1.1):
    ncols = max(1, min(ncols, k))
    nrows = math.ceil(k / ncols)
    fig = _figure((cell * ncols, (cell + 0.25) * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for extra in axes[k:]:
        extra.remove()
    return fig, axes[:k]


def show_digits(images, labels=None, predicted=None, ncols: int = 10) -> Figure:
    """A grid of digits with their labels; with `predicted`, titles read "label → prediction", red when wrong.

    images: (784, k) with samples as columns (as in load_mnist()) or (k, 28, 28).  Notebooks 05 and 06.
    """
    imgs = _images(images)
    k = imgs.shape[0]
    ncols = _int("ncols", ncols, 1)
    labels = None if labels is None else _labels("labels", labels, n=k)
    predicted = None if predicted is None else _labels("predicted", predicted, n=k)
    fig, axes = _grid(k, ncols)
    for i, ax in enumerate(axes):
        ax.imshow(imgs[i], cmap="gray_r", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        if predicted is not None:
            wrong = labels is not None and predicted[i] != labels[i]
            text = f"{labels[i]} → {predicted[i]}" if labels is not None else f"→ {predicted[i]}"
            ax.set_title(text, fontsize=9, color=RED if wrong else "black")
        elif labels is not None:
            ax.set_title(str(labels[i]), fontsize=9)
    fig.tight_layout(pad=0.3)
    return fig


def show_weights(W1, n: int = 16, ncols: int = 8) -> Figure:
    """Rows of the first-layer weights W^1 (n_1, 784) as 28x28 images: what each hidden neuron j looks for.

    Each image is row j of W^1 on its own colour scale centred on 0 (red positive, blue negative).
    Taught in notebook 06.
    """
    W = _matrix("W1", W1)
    if W.shape[1] != 784:
        raise ValueError(f"W1 must be W[1] with shape (n_1, 784), got {W.shape}")
    n = _int("n", n, 1, W.shape[0])
    fig, axes = _grid(n, _int("ncols", ncols, 1))
    for j, ax in enumerate(axes):
        row = W[j].reshape(28, 28)
        bound = float(np.max(np.abs(row))) or 1.0
        ax.imshow(row, cmap="RdBu_r", vmin=-bound, vmax=bound, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"$j = {j}$", fontsize=8)
    fig.suptitle(f"rows of $W^1$ as images (first {n} of {W.shape[0]})", fontsize=10)
    fig.tight_layout(pad=0.3)
    return fig
