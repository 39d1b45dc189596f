"""Matrix-shape pictures: a product drawn as rectangles in proportion to its matrices' shapes.

`draw_matrix_shapes` refuses (by default) shapes that cannot form the written expression, naming both factors:
notebooks 04 and 05 use that refusal to show why source 002's unparenthesised recursion must be read as
(W^{l+1})^T delta^{l+1} first, so the shape arithmetic is part of what is taught, not decoration.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..validation import check_int
from .style import LAYER_COLOURS, axes_or_new, math_label

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
            shape = (
                check_int(f"rows of {label}", shape[0], minimum=1),
                check_int(f"columns of {label}", shape[1], minimum=1),
            )
        clean.append((label, shape))
    if check:
        _check_shape_arithmetic(clean)

    largest = max((max(s) for _, s in clean if s is not None), default=1)
    scale = unit if largest * unit <= 4.0 else 4.0 / largest  # keep big matrices on the page
    fig, ax = axes_or_new(ax, figsize=(1.2 + 0.9 * len(clean), 3.2))
    x = 0.0
    tallest = max((s[0] * scale for _, s in clean if s is not None), default=1.0)
    previous_matrix = False
    colours = iter(LAYER_COLOURS * 4)
    for label, shape in clean:
        if shape is None:
            x += 0.25
            text = {
                "*": r"$\odot$",
                "⊙": r"$\odot$",
                r"\odot": r"$\odot$",
                "@": r"$\cdot$",
                "·": r"$\cdot$",
                r"\cdot": r"$\cdot$",
            }.get(label, label)
            ax.text(x + 0.2, 0.0, text, ha="center", va="center", fontsize=18)
            x += 0.65
            previous_matrix = False
            continue
        if previous_matrix:
            x += 0.15  # an implicit product: a narrow gap
        rows, cols = shape
        w, h = cols * scale, rows * scale
        colour = next(colours)
        ax.add_patch(
            Rectangle((x, -h / 2), w, h, facecolor=colour, alpha=0.25, edgecolor=colour, lw=1.5, gid=f"matrix:{label}")
        )
        if rows <= 12 and cols <= 12:  # one cell per entry when it is still readable
            for r in range(1, rows):
                ax.plot([x, x + w], [-h / 2 + r * scale] * 2, color=colour, lw=0.4, alpha=0.6)
            for c in range(1, cols):
                ax.plot([x + c * scale] * 2, [-h / 2, h / 2], color=colour, lw=0.4, alpha=0.6)
        ax.text(x + w / 2, h / 2 + 0.12, math_label(label), ha="center", va="bottom", fontsize=13)
        ax.text(x + w / 2, -h / 2 - 0.12, f"{rows}$\\times${cols}", ha="center", va="top", fontsize=9, color="#444444")
        x += w
        previous_matrix = True
    ax.set_xlim(-0.3, x + 0.3)
    ax.set_ylim(-tallest / 2 - 0.7, tallest / 2 + 0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
