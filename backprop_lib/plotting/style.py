"""The one figure idiom and the one palette of the series.

Every figure is made by `new_figure`: a matplotlib Figure with an opaque white background (legible on
JupyterLab's dark theme, where the inline backend's default transparent background would put black text on
black), not registered with pyplot, so a notebook shows it exactly once, as the value of its cell.
Colours come from the Okabe-Ito palette, which stays distinguishable with every common colour-vision deficiency;
matrices use the ColorBrewer maps RdBu (diverging, centred on 0) and Blues, both colour-blind safe.
"""

from __future__ import annotations

from matplotlib.figure import Figure

# Okabe & Ito (2008), "Color Universal Design": the qualitative colours of every figure.
OKABE_ITO = {
    "vermillion": "#D55E00",
    "blue": "#0072B2",
    "bluish green": "#009E73",
    "reddish purple": "#CC79A7",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
RED = OKABE_ITO["vermillion"]  # the highlighted weight, wrong predictions
LIGHT_RED = "#EAAE80"  # vermillion halfway to white: the other weights into the same neuron
BLUE = OKABE_ITO["blue"]  # the paths onward, the training curve
GREY = "#b0b0b0"  # everything not highlighted
NEURON_FACE = "#f4f4f4"
# one colour per layer l = 1, 2, ... (yellow is left out: it is too pale on white)
LAYER_COLOURS = [OKABE_ITO[c] for c in ("vermillion", "blue", "bluish green", "reddish purple", "orange", "sky blue")]
PALETTE = tuple(OKABE_ITO.values())
DIVERGING_CMAP = "RdBu_r"  # red positive, blue negative, white zero
SEQUENTIAL_CMAP = "Blues"
BACKGROUND = "white"


def new_figure(figsize=(6, 4), layout=None) -> Figure:
    """A new Figure with an opaque white background that pyplot no longer manages: show it as a cell's value.

    The figure is made by pyplot, which loads the backend (in Jupyter that registers the inline display of
    Figure objects), then closed, i.e. removed from pyplot's list: an open pyplot figure would be shown twice,
    once by the inline backend at the end of the cell and once as the cell's value. A closed figure can still
    be drawn, saved and displayed. layout: None, "constrained" or "tight", as for plt.figure.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig = plt.figure(figsize=figsize, layout=layout, facecolor=BACKGROUND, edgecolor=BACKGROUND)
    plt.close(fig)
    return fig


def axes_or_new(ax=None, figsize=(6, 4)):
    """(fig, ax): the given Axes and its Figure, or a new_figure with one Axes."""
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(figsize)
    return fig, fig.add_subplot()


def math_label(label: str) -> str:
    """Wrap a TeX-like label in $...$ for mathtext unless it already holds a $."""
    return label if "$" in label else f"${label}$"
