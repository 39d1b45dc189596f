"""Figures of numbers: heat maps of matrices, training curves, confusion matrices, digits and first-layer weights.

Each function returns the Figure it drew on (a `new_figure`, or the Figure of the `ax=` it was given) and never
calls plt.show(). Taught in notebooks 03-06.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from ..validation import check_int, check_labels
from .style import BLUE, DIVERGING_CMAP, RED, SEQUENTIAL_CMAP, axes_or_new, new_figure


def _matrix(name, value, ndim=2) -> np.ndarray:
    arr = np.asarray(value, dtype=float) if not isinstance(value, np.ndarray) else value.astype(float, copy=False)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return arr


def heatmap(
    matrix,
    title: str = "",
    ax=None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    cmap: str = DIVERGING_CMAP,
    annotate: bool | None = None,
) -> Figure:
    """A matrix (e.g. a gradient dW[l], shape (n_l, n_{l-1})) as colours centred on 0, with a colorbar.

    Red is positive, blue negative, white zero; the scale is symmetric, +-max|entry|.  Small matrices (up to
    8x8) get their values written in the cells unless annotate=False.  Taught in notebooks 04 and 05.
    """
    M = _matrix("matrix", matrix)
    fig, ax = axes_or_new(ax, figsize=(min(10, 2.5 + 0.45 * M.shape[1]), min(8, 1.8 + 0.4 * M.shape[0])))
    bound = float(np.max(np.abs(M))) or 1.0
    image = ax.imshow(
        M, cmap=cmap, norm=TwoSlopeNorm(vcenter=0.0, vmin=-bound, vmax=bound), interpolation="nearest", aspect="auto"
    )
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_title(title)
    ax.set_xlabel(xlabel if xlabel is not None else "column")
    ax.set_ylabel(ylabel if ylabel is not None else "row")
    if annotate is None:
        annotate = M.shape[0] <= 8 and M.shape[1] <= 8
    if annotate:
        for (r, c), v in np.ndenumerate(M):
            ax.text(
                c,
                r,
                f"{v:.2g}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if abs(v) > 0.6 * bound else "black",
            )
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
    come from `history.epoch` when it is there, else entry i is drawn at epoch first_epoch + i.  Accuracies must
    lie in [0, 1]; the two accuracy curves differ in marker and line style, not only in colour.  Taught in
    notebook 06.
    """
    cost = _series(history, "cost")
    if cost is None:
        raise ValueError("history must have a non-empty `cost` list (attribute or dict key)")
    first_epoch = check_int("first_epoch", first_epoch, minimum=0)
    accs = {name: _series(history, key) for name, key in [("train", "train_accuracy"), ("test", "test_accuracy")]}
    for name, acc in accs.items():
        if acc is not None and acc.size > cost.size:
            raise ValueError(f"history.{name}_accuracy has {acc.size} entries, more than the {cost.size} of cost")
        if acc is not None and (acc.min() < 0 or acc.max() > 1):
            raise ValueError(f"history.{name}_accuracy must lie in [0, 1], got {acc.min()}..{acc.max()}")
    has_acc = any(a is not None for a in accs.values())
    fig = new_figure((10 if has_acc else 5.5, 3.8))
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
        for (name, acc), (colour, style) in zip(accs.items(), [(BLUE, "o-"), (RED, "s--")]):  # not by colour alone
            if acc is not None:
                axes[1].plot(
                    epochs[: acc.size], acc, style, color=colour, ms=3, label=f"{name} ({acc[-1]:.1%} at the end)"
                )
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("accuracy")
        axes[1].set_ylim(0, 1.02)
        axes[1].set_title("accuracy per epoch")
        axes[1].legend(loc="lower right")
        axes[1].grid(alpha=0.3)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------- confusion
def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts C[t, p] = number of samples with true label t predicted as p; shape (n_classes, n_classes)."""
    t = check_labels("y_true", y_true)
    p = check_labels("y_pred", y_pred, m=t.size)
    if t.size == 0:
        raise ValueError("y_true is empty")
    top = int(max(t.max(), p.max())) + 1
    n = top if n_classes is None else check_int("n_classes", n_classes, minimum=top)
    C = np.zeros((n, n), dtype=np.int64)
    np.add.at(C, (t, p), 1)
    return C


def plot_confusion(y_true, y_pred, n_classes: int | None = None, ax=None) -> Figure:
    """The confusion matrix as a picture: rows are true digits, columns predictions, counts in the cells.

    The diagonal holds the correct predictions; the title gives the accuracy.  Taught in notebook 06.
    """
    C = confusion_matrix(y_true, y_pred, n_classes)
    n = C.shape[0]
    fig, ax = axes_or_new(ax, figsize=(5.5, 4.8))
    image = ax.imshow(C, cmap=SEQUENTIAL_CMAP, interpolation="nearest")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="count")
    for (r, c), v in np.ndenumerate(C):
        if v:
            ax.text(
                c,
                r,
                str(v),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if v > 0.6 * C.max() else ("black" if r == c else RED),
            )
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
    fig = new_figure((cell * ncols, (cell + 0.25) * nrows))
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
    ncols = check_int("ncols", ncols, minimum=1)
    labels = None if labels is None else check_labels("labels", labels, m=k)
    predicted = None if predicted is None else check_labels("predicted", predicted, m=k)
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
    n = check_int("n", n, minimum=1, maximum=W.shape[0])
    fig, axes = _grid(n, check_int("ncols", ncols, minimum=1))
    for j, ax in enumerate(axes):
        row = W[j].reshape(28, 28)
        bound = float(np.max(np.abs(row))) or 1.0
        ax.imshow(row, cmap=DIVERGING_CMAP, vmin=-bound, vmax=bound, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"$j = {j}$", fontsize=8)
    fig.suptitle(f"rows of $W^1$ as images (first {n} of {W.shape[0]})", fontsize=10)
    fig.tight_layout(pad=0.3)
    return fig
