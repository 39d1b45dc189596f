"""Network diagrams: one layer with the weight W^l_jk, the whole network, and three layers for the recursion.

Notation on the pictures is the series' (CONTRIBUTING.md): layer l-1 has neurons k, layer l has neurons j, and
W^l_jk joins neuron k of layer l-1 to neuron j of layer l, so row j of W^l holds the weights into neuron j.
Neuron indices passed as arguments are code indices (0-based), as in `W[l][j, k]`.

Artists carry a gid so they can be found again: neurons "neuron:<l>:<i>", connections "edge:<l>:<j>:<k>"
(into neuron j of layer l from neuron k of layer l-1). Taught in notebooks 01 and 03.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from ..validation import check_int, check_sizes
from .style import BLUE, GREY, LAYER_COLOURS, LIGHT_RED, NEURON_FACE, RED, axes_or_new, math_label

MAX_DRAWN = 10  # wider layers are drawn as a few neurons and a vertical ellipsis


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


def _neuron(
    ax, xy, l, i, r=0.22, face=NEURON_FACE, edge="black", lw=1.2, label=None, side="left", fontsize=12, colour="black"
):
    """A neuron as a circle (gid "neuron:<l>:<i>"), with an optional label to its left or right."""
    ax.add_patch(Circle(xy, r, facecolor=face, edgecolor=edge, lw=lw, zorder=3, gid=f"neuron:{l}:{i}"))
    if label:
        dx, dy, ha, va = {
            "left": (-(r + 0.08), 0, "right", "center"),
            "right": (r + 0.08, 0, "left", "center"),
            "above": (0, r + 0.06, "center", "bottom"),
        }[side]
        ax.text(
            xy[0] + dx,
            xy[1] + dy,
            label,
            ha=ha,
            va=va,
            fontsize=fontsize,
            color=colour,
            zorder=4,
            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85),
        )


def _edge(ax, p, q, l, j, k, colour=GREY, lw=0.8, alpha=1.0, zorder=1, r=0.22):
    """Line from neuron k at p (layer l-1) to neuron j at q (layer l), trimmed to the circles' rims."""
    (x0, y0), (x1, y1) = p, q
    d = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / d, (y1 - y0) / d
    (line,) = ax.plot(
        [x0 + r * ux, x1 - r * ux],
        [y0 + r * uy, y1 - r * uy],
        color=colour,
        lw=lw,
        alpha=alpha,
        zorder=zorder,
        solid_capstyle="round",
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
    n_in = check_int("n_in", n_in, minimum=1)
    n_out = check_int("n_out", n_out, minimum=1)
    j = check_int("j", j, minimum=0, maximum=n_out - 1)
    k = check_int("k", k, minimum=0, maximum=n_in - 1)
    fig, ax = axes_or_new(ax, figsize=(6, 4.5))
    left, dl = _layer_positions(_shown(n_in, keep=[k]), 0.0)
    right, dr = _layer_positions(_shown(n_out, keep=[j]), 3.0)
    l = _layer_name(l)
    lm1 = str(int(l) - 1) if l.isdigit() else f"{l}-1"
    for jj, q in right.items():
        for kk, p in left.items():
            if jj == j and kk == k:
                continue
            into_j = jj == j
            _edge(ax, p, q, l, jj, kk, colour=LIGHT_RED if into_j else GREY, lw=1.6 if into_j else 0.8)
    line = _edge(ax, left[k], right[j], l, j, k, colour=RED, lw=2.6, zorder=2)
    xs, ys = line.get_data()
    ax.text(
        (xs[0] + xs[1]) / 2,
        (ys[0] + ys[1]) / 2 + 0.22,
        math_label(f"W^{{{l}}}_{{jk}}"),
        color=RED,
        fontsize=13,
        ha="center",
        va="bottom",
        zorder=5,
        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
    )
    for kk, p in left.items():
        _neuron(
            ax,
            p,
            lm1,
            kk,
            edge=RED if kk == k else "black",
            lw=2.0 if kk == k else 1.2,
            label=math_label(f"a^{{{lm1}}}_k") if kk == k else None,
            side="left",
            colour=RED,
        )
    for jj, q in right.items():
        _neuron(
            ax,
            q,
            l,
            jj,
            edge=RED if jj == j else "black",
            lw=2.0 if jj == j else 1.2,
            label=math_label(f"a^{{{l}}}_j") if jj == j else None,
            side="right",
            colour=RED,
        )
    _ellipsis(ax, dl + dr)
    top = max(max(p[1] for p in left.values()), max(q[1] for q in right.values())) + 0.8
    ax.text(0.0, top, f"layer {math_label(lm1)}\n$n_{{{lm1}}} = {n_in}$", ha="center", va="bottom", fontsize=10)
    ax.text(3.0, top, f"layer ${l}$\n$n_{{{l}}} = {n_out}$", ha="center", va="bottom", fontsize=10)
    ax.text(
        1.5,
        min(min(p[1] for p in left.values()), min(q[1] for q in right.values())) - 0.6,
        f"row $j$ of $W^{{{l}}}$ ({n_out}$\\times${n_in}) = the weights into neuron $j$",
        ha="center",
        va="top",
        fontsize=9,
        color=RED,
    )
    low = min(min(p[1] for p in left.values()), min(q[1] for q in right.values())) - 0.7
    _finish_diagram(
        ax,
        (-1.1, 4.1, low - 0.5, top + 0.9),
        math_label(f"z^{{{l}}}_j = \\sum_k W^{{{l}}}_{{jk}}\\, a^{{{lm1}}}_k + b^{{{l}}}_j"),
    )
    return fig


def draw_network(sizes, highlight=None, ax=None) -> Figure:
    """The whole network from x = a^0 to a^L, optionally colouring the connections into one neuron per layer.

    sizes = [n_0, ..., n_L].  highlight: None (nothing), True (neuron 0 of every layer l = 1..L), a sequence
    of L neuron indices (one for each layer 1..L, None to skip a layer) or a dict {l: j}.  The connections into
    neuron j of layer l (row j of W^l) get layer l's colour.  Layers wider than 10 are drawn with an ellipsis.
    Taught in notebook 01.
    """
    sizes = check_sizes(sizes)
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
        raise ValueError(
            f"highlight must be None, True, a sequence of {L} indices or a dict {{l: j}}, got {highlight!r}"
        )
    for l, j in chosen.items():
        check_int("highlight layer", l, minimum=1, maximum=L)
        check_int(f"highlight neuron of layer {l} (n_{l} = {sizes[l]})", j, minimum=0, maximum=sizes[l] - 1)

    fig, ax = axes_or_new(ax, figsize=(1.9 * (L + 1) + 1, 4.8))
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
                _edge(
                    ax,
                    p,
                    q,
                    l,
                    j,
                    k,
                    colour=colour,
                    lw=2.0 if hot else 0.6,
                    alpha=1.0 if hot else 0.7,
                    zorder=2 if hot else 1,
                )
    for l, pos in enumerate(positions):
        for i, xy in pos.items():
            hot = chosen.get(l) == i
            colour = LAYER_COLOURS[(l - 1) % len(LAYER_COLOURS)] if hot else "black"
            _neuron(ax, xy, l, i, edge=colour, lw=2.0 if hot else 1.2)
    _ellipsis(ax, dots)
    top = max(y for pos in positions for _, y in pos.values()) + 0.6
    bottom = min(y for pos in positions for _, y in pos.values()) - 0.6
    for l, n in enumerate(sizes):
        name = (
            r"$\mathbf{x} = \mathbf{a}^0$" if l == 0 else (r"$\mathbf{a}^L$" if l == L else f"$\\mathbf{{a}}^{{{l}}}$")
        )
        ax.text(l * gap, top, name, ha="center", va="bottom", fontsize=11)
        ax.text(l * gap, bottom, f"$n_{{{l}}} = {n}$", ha="center", va="top", fontsize=9)
        if l in chosen:
            ax.text(
                l * gap - gap / 2,
                bottom - 0.45,
                f"row {chosen[l]} of $W^{{{l}}}$",
                ha="center",
                va="top",
                fontsize=8,
                color=LAYER_COLOURS[(l - 1) % len(LAYER_COLOURS)],
            )
    _finish_diagram(ax, (-gap / 2, L * gap + gap / 2, bottom - 1.0, top + 0.8), f"network {sizes}: $L = {L}$")
    return fig


def draw_three_layers(sizes=(3, 4, 3), j: int = 0, k: int = 1, l: str = "l", ax=None) -> Figure:
    """Layers l-1, l, l+1 with indices j, k, m: the weight w^l_kj in red and every path from neuron k onward.

    Changing w^l_kj changes z^l_k and a^l_k, which reaches the cost through every neuron m of layer l+1 (blue
    paths, weights w^{l+1}_mk), hence the sum over m in
    dC/dw^l_kj = (sum_m dC/dz^{l+1}_m w^{l+1}_mk) sigma'(z^l_k) a^{l-1}_j.
    sizes = (n_{l-1}, n_l, n_{l+1}); j, k are 0-based code indices.  Taught in notebook 03 (the recursion).
    """
    sizes = check_sizes(sizes)
    l = _layer_name(l)
    if len(sizes) != 3:
        raise ValueError(f"sizes must give three widths (n_{{l-1}}, n_l, n_{{l+1}}), got {sizes}")
    j = check_int("j (neuron of layer l-1)", j, minimum=0, maximum=sizes[0] - 1)
    k = check_int("k (neuron of layer l)", k, minimum=0, maximum=sizes[1] - 1)
    fig, ax = axes_or_new(ax, figsize=(7.5, 5))
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
            _edge(
                ax, p, q, names[2], mm, kk, colour=BLUE if hot else GREY, lw=2.0 if hot else 0.7, zorder=2 if hot else 1
            )
    red = _edge(ax, pos0[j], pos1[k], names[1], k, j, colour=RED, lw=2.8, zorder=3)
    xs, ys = red.get_data()
    box = dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85)
    ax.text(
        (xs[0] + xs[1]) / 2,
        (ys[0] + ys[1]) / 2 + 0.2,
        math_label(f"w^{{{l}}}_{{kj}}"),
        color=RED,
        fontsize=13,
        ha="center",
        va="bottom",
        zorder=5,
        bbox=box,
    )
    m_top = max(pos2, key=lambda i: pos2[i][1])
    xb = (pos1[k][0] + pos2[m_top][0]) / 2
    yb = (pos1[k][1] + pos2[m_top][1]) / 2
    ax.text(
        xb,
        yb + 0.2,
        math_label(f"w^{{{lp1}}}_{{mk}}"),
        color=BLUE,
        fontsize=12,
        ha="center",
        va="bottom",
        zorder=5,
        bbox=box,
    )
    for layer, (pos, hot_i, colour) in enumerate([(pos0, j, RED), (pos1, k, RED), (pos2, None, BLUE)]):
        for i, xy in pos.items():
            hot = i == hot_i or layer == 2
            label = math_label(f"a^{{{names[layer]}}}_{idx[layer]}") if i == hot_i else None
            _neuron(
                ax,
                xy,
                names[layer],
                i,
                r=0.3,
                edge=colour if hot else "black",
                lw=2.0 if hot else 1.2,
                label=label,
                side="left" if layer == 0 else "above",
                colour=RED,
            )
    _ellipsis(ax, d0 + d1 + d2)
    top = max(y for pos in (pos0, pos1, pos2) for _, y in pos.values()) + 0.7
    for layer in range(3):
        ax.text(
            layer * gap, top, f"layer ${names[layer]}$\nneurons ${idx[layer]}$", ha="center", va="bottom", fontsize=10
        )
    bottom = min(y for pos in (pos0, pos1, pos2) for _, y in pos.values()) - 0.7
    ax.text(
        gap,
        bottom,
        f"$\\frac{{\\partial C}}{{\\partial w^{{{l}}}_{{kj}}}} = \\left(\\sum_m "
        f"\\frac{{\\partial C}}{{\\partial z^{{{lp1}}}_m}}\\, w^{{{lp1}}}_{{mk}}\\right)"
        f" \\sigma'(z^{{{l}}}_k)\\, a^{{{lm1}}}_j$",
        ha="center",
        va="top",
        fontsize=12,
    )
    _finish_diagram(
        ax,
        (-1.3, 2 * gap + 0.8, bottom - 1.3, top + 1.0),
        f"$w^{{{l}}}_{{kj}}$ reaches the cost through every neuron $m$ of layer ${lp1}$",
    )
    return fig
