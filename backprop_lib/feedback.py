"""compare(name, ours, reference): one line a student reads at a glance.

Modelled on the `cmp` helper of Karpathy's backprop exercise: exact / close / max difference, plus the
diagnoses a student needs most (the transpose, a wrong shape, a lost constant factor such as 1/m or 1/2).
Every verdict in the series (this, the gradient check, the symbolic checks) has .ok, .message and .require().
Used from notebooks/01_forward_pass.ipynb on.
"""
import numpy as np

from .verdict import Verdict

# Constant factors worth naming when ours == factor * reference: the 1/2 of the quadratic cost, a sign.
_NAMED_FACTORS = {2.0: "2 (a lost 1/2?)", 0.5: "1/2 (an extra 1/2?)", -1.0: "-1 (a sign error: a - y vs y - a?)"}


def _factor(ours, ref, m=None):
    """The constant c with ours == c * ref, if there is one (and ref is not all zero), else None."""
    mask = np.abs(ref) > 1e-12 * max(1.0, np.abs(ref).max())
    if not mask.any():
        return None
    ratios = ours[mask] / ref[mask]
    c = float(np.median(ratios))
    if np.allclose(ours, c * ref, rtol=1e-6, atol=1e-12) and not np.isclose(c, 1.0, rtol=1e-6):
        return c
    return None


def compare(name, ours, reference, rtol=1e-7, atol=1e-10, m=None, quiet=False):
    """Compare `ours` with `reference` and print one line: exact, close, or what is wrong.

    The diagnosis names a wrong shape, a transposed result, a missing column shape ((n,) instead of (n, 1)),
    NaN or inf, and a constant factor (1/m when `m` is given, 1/2, a sign). Returns a Verdict.
    """
    ours_arr = np.asarray(ours, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    label = f"{name:<10}"
    if ours_arr.shape != ref.shape:
        if ours_arr.ndim == 2 and ours_arr.T.shape == ref.shape:
            close = np.allclose(ours_arr.T, ref, rtol=rtol, atol=atol)
            what = "is the reference transposed" if close else "has the transposed shape"
            msg = f"{label} | WRONG: {what}: shape {ours_arr.shape}, expected {ref.shape} (a missing or extra .T?)"
        elif ours_arr.size == ref.size and ours_arr.reshape(ref.shape).shape == ref.shape \
                and np.allclose(ours_arr.reshape(ref.shape), ref, rtol=rtol, atol=atol):
            msg = (f"{label} | WRONG shape: {ours_arr.shape}, expected {ref.shape} (the values are right; "
                   "keep column vectors 2-D, e.g. reshape(-1, 1) or keepdims=True)")
        else:
            msg = f"{label} | WRONG shape: {ours_arr.shape}, expected {ref.shape}"
        return _emit(Verdict(False, msg), quiet)
    if not np.all(np.isfinite(ours_arr)):
        return _emit(Verdict(False, f"{label} | WRONG: contains NaN or inf"), quiet)
    diff = np.abs(ours_arr - ref)
    maxdiff = float(diff.max()) if diff.size else 0.0
    if np.array_equal(ours_arr, ref):
        return _emit(Verdict(True, f"{label} | exact: True  | close: True  | max diff: 0"), quiet)
    if np.allclose(ours_arr, ref, rtol=rtol, atol=atol):
        return _emit(Verdict(True, f"{label} | exact: False | close: True  | max diff: {maxdiff:.1e}"), quiet)
    msg = f"{label} | exact: False | close: False | max diff: {maxdiff:.1e}"
    hint = ""
    if ours_arr.ndim == 2 and ours_arr.shape[0] == ours_arr.shape[1] and np.allclose(ours_arr.T, ref, rtol, atol):
        hint = "it is the reference transposed (a missing or extra .T?)"
    else:
        c = _factor(ours_arr, ref)
        if c is not None:
            if m is not None and np.isclose(c, m, rtol=1e-6):
                hint = f"it is {m} (= m) times the reference: the 1/m is missing"
            elif m is not None and np.isclose(c, 1.0 / m, rtol=1e-6):
                hint = f"it is the reference divided by m = {m}: an extra 1/m"
            else:
                named = next((t for f, t in _NAMED_FACTORS.items() if np.isclose(c, f, rtol=1e-6)), None)
                hint = f"it is {named} times the reference" if named else f"it is {c:.4g} times the reference"
        else:
            hint = f"{int(np.count_nonzero(diff > atol + rtol * np.abs(ref)))} of {diff.size} entries differ"
    return _emit(Verdict(False, f"{msg} | WRONG: {hint}"), quiet)


def _emit(verdict, quiet):
    if not quiet:
        print(verdict.message)
    return verdict
