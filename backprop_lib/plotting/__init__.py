"""Figures for the series: network diagrams, matrix-shape pictures, heat maps, training curves and digits.

Every function draws with matplotlib only, returns the Figure it drew on and never calls plt.show(), so a
notebook shows the figure by leaving it as the cell's value (or by `display(fig)`). Functions that accept
`ax=` draw into that Axes and return its Figure; the others draw on a `new_figure` (opaque white background,
legible on a dark theme). Colours come from one colour-blind-safe palette (Okabe-Ito, see `style`).
Wrong shapes and bad arguments raise ValueError.

    diagrams  draw_layer, draw_network, draw_three_layers      (notebooks 01, 03)
    shapes    draw_matrix_shapes                               (notebooks 01, 04, 05)
    figures   heatmap, plot_history, confusion_matrix, plot_confusion, show_digits, show_weights (03-06)
    style     new_figure, the palette
"""

from .diagrams import draw_layer, draw_network, draw_three_layers
from .figures import confusion_matrix, heatmap, plot_confusion, plot_history, show_digits, show_weights
from .shapes import draw_matrix_shapes
from .style import BLUE, GREY, LAYER_COLOURS, OKABE_ITO, PALETTE, RED, new_figure

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
    "new_figure",
    "OKABE_ITO",
    "PALETTE",
    "LAYER_COLOURS",
    "RED",
    "BLUE",
    "GREY",
]
