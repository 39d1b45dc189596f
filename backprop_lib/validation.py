"""Input checks shared by every public function of backprop_lib.

Each check raises a ValueError that names the thing checked (a layer, a matrix), the expected and the
actual shape or value, so a mistake surfaces where it was made, not as a NaN three cells later.
Used by every module; not taught in a notebook of its own.
"""
import numpy as np


def as_float_array(name, value):
    """Return `value` as a float64 ndarray, or raise ValueError if it is not numeric or not finite."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}: {exc}") from None
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); check the data or lower the learning rate")
    return arr


def as_batch(name, value, n_rows, what="rows"):
    """Return `value` as a (n_rows, m) float64 batch with samples as columns.

    A 1-D array of length n_rows is taken as one sample, a (n_rows, 1) column. A row-major batch
    (m, n_rows) is refused with a hint to transpose it, never silently reinterpreted.
    """
    arr = as_float_array(name, value)
    if arr.ndim == 1:
        if arr.shape[0] != n_rows:
            hint = "; if these are class labels, pass one-hot targets: one_hot(labels)" if name.startswith("Y") else ""
            raise ValueError(f"{name}: expected one sample of {n_rows} {what} or a ({n_rows}, m) batch, "
                             f"got a vector of length {arr.shape[0]}{hint}")
        arr = arr.reshape(n_rows, 1)
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array of shape ({n_rows}, m), got {arr.ndim}-D shape {arr.shape}")
    if arr.shape[0] != n_rows:
        if arr.shape[1] == n_rows:
            raise ValueError(
                f"{name}: expected shape ({n_rows}, m) with samples as columns, got {arr.shape}; "
                f"it looks row-major (samples as rows): pass {name}.T")
        raise ValueError(f"{name}: expected shape ({n_rows}, m) with samples as columns, got {arr.shape}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name}: the batch is empty (shape {arr.shape}); pass at least one sample (column)")
    return arr


def check_shape(name, arr, expected):
    """Raise ValueError unless `arr.shape == expected`; the message says both shapes."""
    if np.shape(arr) != tuple(expected):
        hint = ""
        if np.ndim(arr) == 2 and np.shape(arr)[::-1] == tuple(expected):
            hint = " (it is the transpose of the expected shape)"
        raise ValueError(f"{name}: expected shape {tuple(expected)}, got {np.shape(arr)}{hint}")


def check_choice(kind, name, known):
    """Raise ValueError unless `name` is one of `known`, listing the known names."""
    if name not in known:
        raise ValueError(f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}")
    return name


def check_positive_int(name, value, minimum=1):
    """Return `value` as int, or raise ValueError unless it is an integer >= minimum."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
