"""compare(name, ours, reference): one line a student reads at a glance.

Modelled on the `cmp` helper of Karpathy's backprop exercise: exact / close / max difference, plus the
diagnoses a student needs most (the transpose, a wrong shape, a lost constant factor such as 1/m or 1/2).
Every verdict in the series (this, the gradient check, the symbolic checks) has .ok, .message and .require().
Used from notebooks/01_forward_pass.ipynb on.
"""

import numpy as np

from .validation import as_float_array, check_int, check_real
from .verdict import Verdict

# Constant factors worth naming when ours == factor * reference: the 1/2 of the quadratic cost, a sign.
_NAMED_FACTORS = {2.0: "2 (a lost 1/2?)", 0.5: "1/2 (an extra 1/2?)", -1.0: "-1 (a sign error: a - y vs y - a?)"}


def _near(c, f):
    """c equals the constant f to 1e-6 relative."""
    return bool(np.isclose(c, f, rtol=1e-6, atol=0.0))


def _factor(ours, ref):
    """The constant c != 1 with ours == c * ref (to 1e-6 relative, 1e-12 absolute), if there is one, else None."""
    mask = ref != 0
    if not mask.any():
        return None
    c = float(np.median(ours[mask] / ref[mask]))
    if _near(c, 1.0) or not np.allclose(ours, c * ref, rtol=1e-6, atol=1e-12):
        return None
    return c


def _as_result(ours):
    """ours as a float64 array, or the reason it is not one (a verdict, not an error: ours is what is judged)."""
    if ours is None:
        return None, "got None (a missing return?)"
    if np.iscomplexobj(ours):
        return None, f"has complex values (dtype {np.asarray(ours).dtype}); real numbers expected"
    try:
        return np.asarray(ours, dtype=np.float64), None
    except (TypeError, ValueError):
        return None, f"is not numeric: got {type(ours).__name__}"


def compare(name, ours, reference, rtol=1e-7, atol=1e-10, m=None, quiet=False):
    """Compare `ours` with `reference` and print one line: exact, close, or what is wrong.

    The diagnosis names a wrong shape, a transposed result, a missing column shape ((n,) instead of (n, 1)),
    NaN or inf, None (a missing return), complex values, and a constant factor (1/m when `m` is given, 1/2,
    a sign). Returns a Verdict. What `ours` holds is judged, never refused; a bad `reference` (None, complex,
    NaN or inf) or a bad argument raises ValueError, since there is then nothing to compare against.
    """
    if not isinstance(name, str):
        raise ValueError(f"name must be a string (what is compared, e.g. 'dW[1]'), got {name!r}")
    ref = as_float_array("reference", reference)
    rtol = check_real("rtol", rtol, minimum=0.0)
    atol = check_real("atol", atol, minimum=0.0)
    if m is not None:
        m = check_int("m", m, minimum=1)
    label = f"{name:<10}"

    def close(candidate):
        return np.allclose(candidate, ref, rtol=rtol, atol=atol)

    ours_arr, problem = _as_result(ours)
    if problem:
        return _emit(Verdict(False, f"{label} | WRONG: {problem}"), quiet)
    if ours_arr.shape != ref.shape:
        if ours_arr.ndim == 2 and ours_arr.T.shape == ref.shape:
            what = "is the reference transposed" if close(ours_arr.T) else "has the transposed shape"
            msg = f"{label} | WRONG: {what}: shape {ours_arr.shape}, expected {ref.shape} (a missing or extra .T?)"
        elif ours_arr.size == ref.size and close(ours_arr.reshape(ref.shape)):
            msg = (
                f"{label} | WRONG shape: {ours_arr.shape}, expected {ref.shape} (the values are right; "
                "keep column vectors 2-D, e.g. reshape(-1, 1) or keepdims=True)"
            )
        else:
            msg = f"{label} | WRONG shape: {ours_arr.shape}, expected {ref.shape}"
        return _emit(Verdict(False, msg), quiet)
    if not np.all(np.isfinite(ours_arr)):
        return _emit(Verdict(False, f"{label} | WRONG: contains NaN or inf"), quiet)
    if np.array_equal(ours_arr, ref):
        return _emit(Verdict(True, f"{label} | exact: True  | close: True  | max diff: 0"), quiet)
    diff = np.abs(ours_arr - ref)  # not empty: two empty arrays of one shape are equal
    if close(ours_arr):
        return _emit(Verdict(True, f"{label} | exact: False | close: True  | max diff: {diff.max():.1e}"), quiet)
    if ours_arr.ndim == 2 and ours_arr.shape[0] == ours_arr.shape[1] and close(ours_arr.T):
        hint = "it is the reference transposed (a missing or extra .T?)"
    else:
        hint = _factor_hint(_factor(ours_arr, ref), m)
    if hint is None:
        hint = f"{np.count_nonzero(diff > atol + rtol * np.abs(ref))} of {diff.size} entries differ"
    msg = f"{label} | exact: False | close: False | max diff: {diff.max():.1e} | WRONG: {hint}"
    return _emit(Verdict(False, msg), quiet)


def _factor_hint(c, m):
    """Name the constant factor c of ours == c * reference: m or 1/m (when m is given), 2, 1/2, -1, or c itself."""
    if c is None:
        return None
    if m is not None and _near(c, m):
        return f"it is {m} (= m) times the reference: the 1/m is missing"
    if m is not None and _near(c, 1 / m):
        return f"it is the reference divided by m = {m}: an extra 1/m"
    named = next((text for f, text in _NAMED_FACTORS.items() if _near(c, f)), None)
    return f"it is {named} times the reference" if named else f"it is {c:.4g} times the reference"


def _emit(verdict, quiet):
    if not quiet:
        print(verdict.message)
    return verdict
