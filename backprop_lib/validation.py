"""Input checks shared by every public function of backprop_lib: the one place where bad input is refused.

Each check raises a ValueError that names the argument (a layer, a matrix, eta), what was expected and what
came, so a mistake surfaces where it was made, not as a NaN three cells later. Checks never modify what they
are given; a caller that changes state validates everything first (see MLP.update).
Used by every module of the numeric core, data and plotting; not taught in a notebook of its own.
"""

import numbers

import numpy as np


def _describe(value):
    """What came, for an error message, on one line: an array's shape and dtype, else the value (cut at 60
    characters) and its type."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} ({value.dtype})"
    text = " ".join(repr(value).split())
    return f"{text if len(text) <= 60 else text[:57] + '...'} ({type(value).__name__})"


# ------------------------------------------------------------------------------------------------ scalars
def check_int(name, value, minimum=None, maximum=None):
    """Return `value` as int, or raise ValueError unless it is an integer (bool excluded) in [minimum, maximum]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {_describe(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return int(value)


def check_real(name, value, minimum=None, positive=False):
    """Return `value` as float, or raise ValueError unless it is one finite real number (>= minimum; > 0 if positive).

    bool, strings, None, arrays and complex numbers are refused, even where numpy would convert them.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {_describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value:g}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum:g}, got {value:g}")
    return value


def check_eta(eta):
    """Return the learning rate eta of the delta rule (4.8) as a float; raise ValueError unless it is a number > 0."""
    if isinstance(eta, (bool, np.bool_)) or not isinstance(eta, numbers.Real) or not np.isfinite(eta) or eta <= 0:
        raise ValueError(f"the learning rate eta must be a positive number, got {_describe(eta)}")
    return float(eta)


def check_seed(name, seed):
    """Return a random seed as int, or raise ValueError unless it is an integer >= 0."""
    return check_int(name, seed, minimum=0)


def check_choice(kind, name, known):
    """Raise ValueError unless `name` is one of the names `known` (a string), listing the known names."""
    if not isinstance(name, str) or name not in known:
        raise ValueError(f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}")
    return name


def check_sizes(sizes):
    """Return the layer widths [n_0, ..., n_L] as a list of ints, or raise ValueError.

    sizes must be an ordered sequence (list, tuple or 1-D array; not a set, whose order is arbitrary) of at least
    two integers >= 1.
    """
    ordered = isinstance(sizes, (list, tuple)) or (isinstance(sizes, np.ndarray) and sizes.ndim == 1)
    if not ordered:
        raise ValueError(
            f"sizes must be a sequence of layer widths [n_0, ..., n_L] (a list or tuple), got {_describe(sizes)}"
        )
    if len(sizes) < 2:
        raise ValueError(
            f"sizes must list at least two layer widths [n_0, ..., n_L]: at least an input and an "
            f"output layer, got {list(sizes)}"
        )
    return [check_int(f"sizes[{l}] (n_{l})", n, minimum=1) for l, n in enumerate(sizes)]


# ------------------------------------------------------------------------------------------------- arrays
def as_float_array(name, value):
    """Return `value` as a float64 ndarray, or raise ValueError if it is None, not numeric, complex or not finite."""
    if value is None:
        raise ValueError(f"{name} must be a numeric array, got None")
    if np.iscomplexobj(value):
        raise ValueError(f"{name} must hold real numbers, got complex values (dtype {np.asarray(value).dtype})")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}: {exc}") from None
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s)")
    return arr


def as_batch(name, value, n_rows, what):
    """Return `value` as a (n_rows, m) float64 batch with samples as columns.

    `what` names the rows in messages ("inputs"). A 1-D array of length n_rows is taken as one sample, a
    (n_rows, 1) column. A row-major batch
    (m, n_rows) is refused with a hint to transpose it, never silently reinterpreted.
    """
    arr = as_float_array(name, value)
    if arr.ndim == 1:
        if arr.shape[0] != n_rows:
            hint = "; if these are class labels, pass one-hot targets: one_hot(labels)" if name.startswith("Y") else ""
            raise ValueError(
                f"{name}: expected one sample of {n_rows} {what} or a ({n_rows}, m) batch, "
                f"got a vector of length {arr.shape[0]}{hint}"
            )
        arr = arr.reshape(n_rows, 1)
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array of shape ({n_rows}, m), got {arr.ndim}-D shape {arr.shape}")
    if arr.shape[0] != n_rows:
        if arr.shape[1] == n_rows:
            raise ValueError(
                f"{name}: expected shape ({n_rows}, m) with samples as columns, got {arr.shape}; "
                f"it looks row-major (samples as rows): pass {name}.T"
            )
        raise ValueError(f"{name}: expected shape ({n_rows}, m) with samples as columns, got {arr.shape}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name}: the batch is empty (shape {arr.shape}); pass at least one sample (column)")
    return arr


def check_shape(name, arr, expected):
    """Raise ValueError unless `arr` is an array of shape `expected`; the message says both shapes."""
    if not isinstance(arr, np.ndarray):
        raise ValueError(f"{name}: expected an array of shape {tuple(expected)}, got {_describe(arr)}")
    if arr.shape != tuple(expected):
        hint = " (it is the transpose of the expected shape)" if arr.shape[::-1] == tuple(expected) else ""
        raise ValueError(f"{name}: expected shape {tuple(expected)}, got {arr.shape}{hint}")


def check_finite(name, arr):
    """Raise ValueError if the array `arr` holds NaN or inf."""
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or inf")


def check_labels(name, labels, n_classes=None, m=None):
    """Return class labels as a 1-D int64 array, or raise ValueError naming the first bad entry.

    Labels are integers 0..n_classes-1 (whole floats such as 3.0 are accepted; bool and strings are not),
    one per sample: exactly m of them when m is given.
    """
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of m integer labels, got shape {arr.shape}")
    integer = np.issubdtype(arr.dtype, np.integer)
    if arr.dtype == bool or not (integer or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(f"{name} must hold integer labels, got dtype {arr.dtype}")
    if m is not None and arr.size != m:
        raise ValueError(f"{name} must have {m} labels (one per sample), got {arr.size}")
    if not integer:
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{name} must be integers (integer labels), but {name}[{i}] = {arr[i].item()!r}")
    out = arr.astype(np.int64)
    if n_classes is None:
        outside, expected = out < 0, "integers >= 0"
    else:
        outside, expected = (out < 0) | (out >= n_classes), f"integers in [0, {n_classes}) (0..{n_classes - 1})"
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise ValueError(f"{name} must be {expected}, but {name}[{i}] = {out[i]}")
    return out


def as_gradient_lists(grads, L):
    """Return (dW, db) from a Gradients (anything with .dW and .db) or a (dW, db) pair, or raise ValueError.

    dW and db must be padded lists of L + 1 entries: index 0 unused, then one array per layer 1..L.
    Only the containers are checked here; the caller checks each array's shape against its layer.
    """
    if hasattr(grads, "dW") and hasattr(grads, "db"):
        dW, db = grads.dW, grads.db
    elif isinstance(grads, (tuple, list)) and len(grads) == 2:
        dW, db = grads
    else:
        raise ValueError(
            f"grads must be a Gradients (from net.gradients) or a (dW, db) pair of padded lists, got {_describe(grads)}"
        )
    for name, g in (("dW", dW), ("db", db)):
        if not isinstance(g, (list, tuple)) or len(g) != L + 1:
            raise ValueError(
                f"{name} must be a padded list of {L + 1} entries ({name}[0] unused, then layers "
                f"1..{L}), got {_describe(g)}"
            )
    return dW, db
