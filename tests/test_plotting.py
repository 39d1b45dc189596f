"""Tests for backprop_lib.plotting: each figure has the expected axes and artists, and bad input raises."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from types import SimpleNamespace  # noqa: E402

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from backprop_lib import plotting as P  # noqa: E402

figures = []


@pytest.fixture(autouse=True)
def _close_and_forbid_show(monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("plotting must never call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    before = set(plt.get_fignums())
    yield
    assert set(plt.get_fignums()) == before  # figures are returned, not left in pyplot's list
    while figures:
        plt.close(figures.pop())
    plt.close("all")


def keep(fig):
    assert isinstance(fig, Figure)
    figures.append(fig)
    return fig


def by_gid(fig, prefix):
    ax = fig.axes[0]
    return [a for a in list(ax.lines) + list(ax.patches) if (a.get_gid() or "").startswith(prefix)]


def is_grey(line):
    return mcolors.same_color(line.get_color(), P.GREY)


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


# -------------------------------------------------------------------------------------------- diagrams
def test_draw_layer_draws_every_neuron_and_connection_and_labels_one_weight():
    fig = keep(P.draw_layer(3, 2, j=1, k=2))
    assert len(by_gid(fig, "neuron:")) == 5
    edges = by_gid(fig, "edge:")
    assert len(edges) == 6
    red = [e for e in edges if mcolors.same_color(e.get_color(), P.RED)]
    assert [e.get_gid() for e in red] == ["edge:l:1:2"]  # W[l][j, k]: into neuron j=1 from neuron k=2
    row_j = [e for e in edges if e.get_gid().startswith("edge:l:1:") and not is_grey(e)]
    assert len(row_j) == 3  # row j of W^l: every weight into neuron j is marked
    assert "$W^{l}_{jk}$" in texts(fig)


def test_draw_layer_with_a_layer_number_uses_it():
    fig = keep(P.draw_layer(2, 2, l=2))
    assert "$W^{2}_{jk}$" in texts(fig) and any("a^{1}_k" in t for t in texts(fig))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_in": 0}, "n_in must be at least 1"),
        ({"n_out": 2, "j": 2}, "j must be at most 1"),
        ({"n_in": 3, "k": -1}, "k must be at least 0"),
        ({"l": 0}, "layer"),
    ],
)
def test_draw_layer_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        P.draw_layer(**kwargs)


def test_draw_network_counts_and_highlights():
    fig = keep(P.draw_network([2, 3, 1]))
    assert len(by_gid(fig, "neuron:")) == 6 and len(by_gid(fig, "edge:")) == 2 * 3 + 3 * 1
    assert all(is_grey(e) for e in by_gid(fig, "edge:"))

    fig = keep(P.draw_network([2, 3, 1], highlight=True))
    hot = sorted(e.get_gid() for e in by_gid(fig, "edge:") if not is_grey(e))
    assert hot == ["edge:1:0:0", "edge:1:0:1", "edge:2:0:0", "edge:2:0:1", "edge:2:0:2"]
    colours = {e.get_gid().split(":")[1]: e.get_color() for e in by_gid(fig, "edge:") if not is_grey(e)}
    assert not mcolors.same_color(colours["1"], colours["2"])  # one colour per layer

    fig = keep(P.draw_network([2, 3, 1], highlight={1: 2}))
    assert sorted(e.get_gid() for e in by_gid(fig, "edge:") if not is_grey(e)) == ["edge:1:2:0", "edge:1:2:1"]


def test_draw_network_abbreviates_wide_layers_but_keeps_the_highlighted_neuron():
    fig = keep(P.draw_network([784, 30, 10], highlight={1: 17}))
    neurons = {c.get_gid() for c in by_gid(fig, "neuron:")}
    assert len(neurons) < 40 and "neuron:1:17" in neurons and "neuron:0:783" in neurons
    assert any("n_{0} = 784" in t for t in texts(fig))


@pytest.mark.parametrize(
    "sizes, highlight, message",
    [
        ([3], None, "at least an input and an output"),
        ([3, 0, 2], None, r"sizes\[1\] \(n_1\) must be at least 1"),
        ("34", None, "sequence of layer widths"),
        ([2, 3, 1], {1: 3}, r"layer 1 \(n_1 = 3\) must be at most 2"),
        ([2, 3, 1], {3: 0}, "highlight layer must be at most 2"),
        ([2, 3, 1], [0], "one neuron index per layer"),
    ],
)
def test_draw_network_rejects_bad_input(sizes, highlight, message):
    with pytest.raises(ValueError, match=message):
        P.draw_network(sizes, highlight=highlight)


def test_draw_three_layers_marks_w_kj_and_the_paths_through_every_m():
    fig = keep(P.draw_three_layers((3, 4, 3), j=0, k=1))
    assert len(by_gid(fig, "neuron:")) == 10 and len(by_gid(fig, "edge:")) == 3 * 4 + 4 * 3
    edges = by_gid(fig, "edge:")
    red = [e.get_gid() for e in edges if mcolors.same_color(e.get_color(), P.RED)]
    blue = sorted(e.get_gid() for e in edges if mcolors.same_color(e.get_color(), P.BLUE))
    assert red == ["edge:l:1:0"]  # w^l_kj: into k=1 of layer l from j=0 of layer l-1
    assert blue == ["edge:l+1:0:1", "edge:l+1:1:1", "edge:l+1:2:1"]  # from k to every m of layer l+1
    assert "$w^{l}_{kj}$" in texts(fig) and "$w^{l+1}_{mk}$" in texts(fig)


def test_draw_three_layers_rejects_bad_input():
    with pytest.raises(ValueError, match="three widths"):
        P.draw_three_layers((3, 4))
    with pytest.raises(ValueError, match=r"k \(neuron of layer l\) must be at most 3"):
        P.draw_three_layers((3, 4, 3), k=4)


# -------------------------------------------------------------------------------------------- shapes
FORWARD = [("W^l", (4, 3)), ("a^{l-1}", (3, 1)), ("+", None), ("b^l", (4, 1)), ("=", None), ("z^l", (4, 1))]


def test_draw_matrix_shapes_draws_proportional_rectangles():
    fig = keep(P.draw_matrix_shapes(FORWARD, unit=0.35))
    rects = {r.get_gid(): r for r in fig.axes[0].patches if isinstance(r, Rectangle) and r.get_gid()}
    assert set(rects) == {"matrix:W^l", "matrix:a^{l-1}", "matrix:b^l", "matrix:z^l"}
    w = rects["matrix:W^l"]
    assert np.isclose(w.get_width(), 3 * 0.35) and np.isclose(w.get_height(), 4 * 0.35)
    assert np.isclose(rects["matrix:a^{l-1}"].get_width(), 0.35)
    assert "4$\\times$3" in texts(fig) and "+" in texts(fig) and "=" in texts(fig)


def test_draw_matrix_shapes_accepts_the_batched_and_backward_forms():
    keep(
        P.draw_matrix_shapes(
            [("W^l", (4, 3)), ("A^{l-1}", (3, 50)), ("+", None), ("b^l", (4, 1)), ("=", None), ("Z^l", (4, 50))]
        )
    )  # the bias column is broadcast over m
    keep(
        P.draw_matrix_shapes(
            [
                ("\\delta^l", (4, 1)),
                ("=", None),
                ("(W^{l+1})^T", (4, 3)),
                ("\\delta^{l+1}", (3, 1)),
                ("⊙", None),
                ("\\sigma'(z^l)", (4, 1)),
            ]
        )
    )
    keep(P.draw_matrix_shapes([("dW^l", (4, 3)), ("=", None), ("\\delta^l", (4, 1)), ("(a^{l-1})^T", (1, 3))]))


@pytest.mark.parametrize(
    "terms, message",
    [
        # missing transpose in the backward step: W^{l+1} (3, 4) cannot multiply delta^{l+1} (3, 1)
        (
            [("\\delta^l", (4, 1)), ("=", None), ("W^{l+1}", (3, 4)), ("\\delta^{l+1}", (3, 1))],
            r"inner dimensions 4 and 3 differ",
        ),
        # wrong layer index: W^l (4, 3) times a^l (4, 1)
        ([("W^l", (4, 3)), ("a^l", (4, 1)), ("=", None), ("z^l", (4, 1))], "inner dimensions 3 and 4"),
        # dW^l = delta^l a^{l-1} without the transpose
        ([("dW^l", (4, 3)), ("=", None), ("\\delta^l", (4, 1)), ("a^{l-1}", (3, 1))], "inner dimensions 1 and 3"),
        # sides of = disagree
        ([("W^l", (4, 3)), ("a^{l-1}", (3, 1)), ("=", None), ("z^l", (3, 1))], "two sides of = differ"),
        # elementwise product of different shapes
        ([("a", (4, 1)), ("⊙", None), ("b", (3, 1))], "elementwise product needs equal shapes"),
        ([("a", (4, 1)), ("+", None), ("b", (3, 1))], "shapes differ"),
        ([("a", (4, 1)), ("%", None), ("b", (4, 1))], "unknown operator"),
        ([("a", (4, 1)), ("+", None)], "must end with a matrix"),
        ([("a", (4, 0))], "columns of a must be at least 1"),
        ([("a", 4)], r"shape must be \(rows, columns\)"),
        ([], "non-empty"),
    ],
)
def test_draw_matrix_shapes_rejects_impossible_shapes(terms, message):
    with pytest.raises(ValueError, match=message):
        P.draw_matrix_shapes(terms)


def test_draw_matrix_shapes_can_draw_a_wrong_product_on_request():
    fig = keep(P.draw_matrix_shapes([("W^l", (4, 3)), ("a^l", (4, 1))], check=False))
    assert len([r for r in fig.axes[0].patches if isinstance(r, Rectangle)]) == 2


# ----------------------------------------------------------------------------------------- heat maps
def test_heatmap_is_centred_on_zero_with_a_colorbar():
    M = np.array([[0.5, -2.0, 0.0], [1.0, 0.25, -0.5]])
    fig = keep(P.heatmap(M, "dW[2]"))
    assert len(fig.axes) == 2  # the matrix and its colorbar
    image = fig.axes[0].images[0]
    assert np.array_equal(image.get_array(), M)
    assert image.norm.vmin == -2.0 and image.norm.vmax == 2.0 and image.norm.vcenter == 0.0
    assert fig.axes[0].get_title() == "dW[2]"
    assert len(fig.axes[0].texts) == 6  # small matrices show their values


def test_heatmap_draws_into_a_given_axes_and_handles_zeros():
    fig0 = Figure()
    axes = fig0.subplots(1, 2)
    fig = P.heatmap(np.zeros((3, 3)), "zero gradient", ax=axes[1])
    assert fig is fig0 and axes[1].images[0].norm.vmax == 1.0 and len(fig0.axes) == 3


@pytest.mark.parametrize(
    "bad, message", [(np.ones(3), "2-D"), (np.full((2, 2), np.nan), "NaN"), (np.ones((0, 3)), "empty")]
)
def test_heatmap_rejects_bad_matrices(bad, message):
    with pytest.raises(ValueError, match=message):
        P.heatmap(bad, "x")


# ------------------------------------------------------------------------------------------ histories
def test_plot_history_from_a_dict_and_from_attributes():
    history = {"cost": [0.5, 0.3, 0.2], "train_accuracy": [0.6, 0.8, 0.9], "test_accuracy": [0.55, 0.7, 0.8]}
    for h in (history, SimpleNamespace(**history)):
        fig = keep(P.plot_history(h))
        assert len(fig.axes) == 2
        (cost_line,) = fig.axes[0].lines
        assert np.array_equal(cost_line.get_xdata(), [1, 2, 3]) and np.array_equal(
            cost_line.get_ydata(), [0.5, 0.3, 0.2]
        )
        assert [list(line.get_ydata()) for line in fig.axes[1].lines] == [[0.6, 0.8, 0.9], [0.55, 0.7, 0.8]]


def test_plot_history_reads_a_training_history():
    training = pytest.importorskip("backprop_lib.training")
    h = training.History(epoch=[1, 2, 3], cost=[0.9, 0.5, 0.4], train_accuracy=[0.5, 0.7, 0.75])
    fig = keep(P.plot_history(h))
    assert len(fig.axes) == 2 and len(fig.axes[1].lines) == 1  # no test accuracy recorded
    assert list(fig.axes[0].lines[0].get_xdata()) == [1, 2, 3]
    with pytest.raises(ValueError, match="history.epoch has 2 entries"):
        P.plot_history({"epoch": [1, 2], "cost": [1.0, 0.5, 0.2]})


def test_plot_history_without_accuracies_has_one_axes():
    fig = keep(P.plot_history({"cost": [1.0, 0.5], "test_accuracy": []}, first_epoch=0))
    assert len(fig.axes) == 1 and list(fig.axes[0].lines[0].get_xdata()) == [0, 1]


@pytest.mark.parametrize(
    "history, message",
    [
        ({}, "non-empty `cost`"),
        ({"cost": [[1.0]]}, "1-D"),
        ({"cost": [1.0, float("inf")]}, "diverge"),
        ({"cost": [1.0], "train_accuracy": [87.0]}, r"\[0, 1\]"),
    ],
)
def test_plot_history_rejects_bad_histories(history, message):
    with pytest.raises(ValueError, match=message):
        P.plot_history(history)


# ------------------------------------------------------------------------------------------- confusion
def test_confusion_matrix_counts_rows_true_columns_predicted():
    C = P.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2])
    assert C.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert P.confusion_matrix([0, 1], [0, 1], n_classes=10).shape == (10, 10)


def test_plot_confusion_shows_the_counts_and_accuracy():
    fig = keep(P.plot_confusion([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2]))
    assert len(fig.axes) == 2
    assert np.array_equal(fig.axes[0].images[0].get_array(), [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["1", "1", "1", "1", "2"]
    assert "66.7%" in fig.axes[0].get_title()


@pytest.mark.parametrize(
    "y_true, y_pred, message",
    [
        ([0, 1], [0], "y_pred must have 2 labels"),
        ([0, 1.5], [0, 1], "integer labels"),
        ([[0, 1]], [0, 1], "1-D"),
        ([0, -1], [0, 1], ">= 0"),
        ([], [], "empty"),
    ],
)
def test_confusion_rejects_bad_labels(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        P.plot_confusion(y_true, y_pred)


# ---------------------------------------------------------------------------------------------- digits
def _fake_digits(k, seed=0):
    return np.random.default_rng(seed).random((784, k))


def test_show_digits_from_columns_shows_each_column_as_a_28x28_image():
    X = _fake_digits(7)
    fig = keep(P.show_digits(X, labels=[0, 1, 2, 3, 4, 5, 6], predicted=[0, 1, 2, 9, 4, 5, 6], ncols=4))
    assert len(fig.axes) == 7  # the unused cell of the 2x4 grid is removed
    assert np.array_equal(fig.axes[3].images[0].get_array(), X[:, 3].reshape(28, 28))
    assert fig.axes[3].get_title() == "3 → 9" and mcolors.same_color(fig.axes[3].title.get_color(), P.RED)
    assert fig.axes[2].get_title() == "2 → 2" and mcolors.same_color(fig.axes[2].title.get_color(), "black")


def test_show_digits_accepts_image_stacks():
    stack = _fake_digits(3).T.reshape(3, 28, 28)
    fig = keep(P.show_digits(stack, labels=[5, 6, 7]))
    assert [ax.get_title() for ax in fig.axes] == ["5", "6", "7"]
    assert np.array_equal(fig.axes[1].images[0].get_array(), stack[1])


@pytest.mark.parametrize(
    "images, labels, message",
    [
        (np.zeros((783, 2)), None, r"\(784, k\).*\(783, 2\)"),
        (np.zeros((2, 28, 27)), None, "28, 28"),
        (np.zeros((784, 2)), [1], "labels must have 2 labels"),
    ],
)
def test_show_digits_rejects_bad_shapes(images, labels, message):
    with pytest.raises(ValueError, match=message):
        P.show_digits(images, labels)


def test_show_weights_shows_rows_of_W1():
    W1 = np.random.default_rng(1).standard_normal((30, 784))
    fig = keep(P.show_weights(W1, n=5, ncols=5))
    assert len(fig.axes) == 5
    image = fig.axes[2].images[0]
    assert np.array_equal(image.get_array(), W1[2].reshape(28, 28))  # row j, not column j
    assert image.norm.vmin == -image.norm.vmax  # centred on zero


@pytest.mark.parametrize(
    "W1, n, message",
    [
        (np.ones((30, 783)), 4, r"\(n_1, 784\)"),
        (np.ones((784, 30)), 4, r"\(n_1, 784\)"),
        (np.ones((3, 784)), 4, "n must be at most 3"),
    ],
)
def test_show_weights_rejects_bad_input(W1, n, message):
    with pytest.raises(ValueError, match=message):
        P.show_weights(W1, n=n)


# ------------------------------------------------------------------------------------------ accessibility
def every_figure():
    history = {"cost": [0.5, 0.3], "train_accuracy": [0.6, 0.8], "test_accuracy": [0.5, 0.7]}
    return [
        P.draw_layer(3, 2, j=1, k=2),
        P.draw_network([2, 3, 1], highlight=True),
        P.draw_three_layers((3, 4, 3), j=0, k=1),
        P.draw_matrix_shapes([("z^l", (4, 1)), ("=", None), ("W^l", (4, 3)), ("a^{l-1}", (3, 1))]),
        P.heatmap(np.array([[0.5, -2.0], [1.0, 0.0]]), "dW"),
        P.plot_history(history),
        P.plot_confusion([0, 1, 1], [0, 1, 0]),
        P.show_digits(_fake_digits(3), labels=[0, 1, 2], predicted=[0, 2, 2]),
        P.show_weights(np.random.default_rng(0).standard_normal((4, 784)), n=4),
        P.new_figure((3, 2)),
    ]


def test_every_figure_has_an_opaque_white_background_for_dark_themes():
    for fig in map(keep, every_figure()):
        assert mcolors.to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)
        assert all(mcolors.to_rgba(ax.get_facecolor())[3] == 1.0 for ax in fig.axes)


def test_every_line_and_patch_colour_comes_from_the_one_palette():
    from backprop_lib.plotting.style import LIGHT_RED, NEURON_FACE

    allowed = {mcolors.to_hex(c) for c in (*P.PALETTE, P.GREY, LIGHT_RED, NEURON_FACE, "white")}
    for fig in map(keep, every_figure()[:6]):
        for ax in fig.axes:
            for line in ax.lines:
                assert mcolors.to_hex(line.get_color()) in allowed, line.get_gid()
            for patch in ax.patches:
                assert mcolors.to_hex(patch.get_edgecolor()) in allowed, patch.get_gid()
    assert mcolors.to_hex(P.RED) == "#d55e00" and mcolors.to_hex(P.BLUE) == "#0072b2"  # Okabe-Ito
    assert len(set(P.LAYER_COLOURS)) == len(P.LAYER_COLOURS) and "#F0E442" not in P.LAYER_COLOURS


def test_the_two_accuracy_curves_differ_in_more_than_colour():
    fig = keep(P.plot_history({"cost": [0.5, 0.3], "train_accuracy": [0.6, 0.8], "test_accuracy": [0.5, 0.7]}))
    train, test = fig.axes[1].lines
    assert (train.get_marker(), train.get_linestyle()) != (test.get_marker(), test.get_linestyle())


def test_new_figure_is_the_one_idiom():
    fig = keep(P.new_figure((4, 3), layout="constrained"))
    assert tuple(fig.get_size_inches()) == (4.0, 3.0) and fig.get_layout_engine() is not None
    assert P.new_figure((4, 3)).get_layout_engine() is None  # the package's own figures keep their layout
    # (the autouse fixture checks that pyplot's list of open figures is unchanged: shown once, as a cell's value)
