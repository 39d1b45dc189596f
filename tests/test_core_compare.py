"""compare(name, ours, reference), word for word: every diagnosis it can print, where its tolerances end, and that
it prints exactly once unless told to be quiet."""

import numpy as np
import pytest

from backprop_lib import compare

REF = np.array([[1.0, -2.0, 0.5], [4.0, 0.25, -1.0]])


def verdict(ours, ref=REF, **kwargs):
    return compare("dW[1]", ours, ref, quiet=True, **kwargs)


@pytest.mark.parametrize(
    "ours, kwargs, ok, message",
    [
        (REF.copy(), {}, True, "dW[1]      | exact: True  | close: True  | max diff: 0"),
        (REF + 1e-11, {}, True, "dW[1]      | exact: False | close: True  | max diff: 1.0e-11"),
        (REF * (1 + 5e-8), {}, True, "dW[1]      | exact: False | close: True  | max diff: 2.0e-07"),
        (
            REF * (1 + 1e-6),
            {},
            False,
            "dW[1]      | exact: False | close: False | max diff: 4.0e-06 | WRONG: 6 of 6 entries differ",
        ),  # a factor within 1e-6 of 1 is not named
        (
            REF + [[0, 1e-3, 0], [0, 0, 2e-3]],
            {},
            False,
            "dW[1]      | exact: False | close: False | max diff: 2.0e-03 | WRONG: 2 of 6 entries differ",
        ),
        (
            REF * (1 + 2e-5),
            {},
            False,
            "dW[1]      | exact: False | close: False | max diff: 8.0e-05 | WRONG: it is 1 times the reference",
        ),
        (REF * 1.1, {"rtol": 0.2}, True, "dW[1]      | exact: False | close: True  | max diff: 4.0e-01"),
        (
            REF * 3,
            {"m": 3},
            False,
            "dW[1]      | exact: False | close: False | max diff: 8.0e+00 | WRONG: it is 3 (= m) times "
            "the reference: the 1/m is missing",
        ),
        (
            REF / 3,
            {"m": 3},
            False,
            "dW[1]      | exact: False | close: False | max diff: 2.7e+00 | WRONG: it is the "
            "reference divided by m = 3: an extra 1/m",
        ),
        (
            REF * 3,
            {},
            False,
            "dW[1]      | exact: False | close: False | max diff: 8.0e+00 | WRONG: it is 3 times the reference",
        ),
        (
            REF * 2,
            {"m": 3},
            False,
            "dW[1]      | exact: False | close: False | max diff: 4.0e+00 | WRONG: it is 2 (a lost 1/2?) "
            "times the reference",
        ),
        (
            REF / 2,
            {},
            False,
            "dW[1]      | exact: False | close: False | max diff: 2.0e+00 | WRONG: it is 1/2 (an extra 1/2?) "
            "times the reference",
        ),
        (
            -REF,
            {},
            False,
            "dW[1]      | exact: False | close: False | max diff: 8.0e+00 | WRONG: it is -1 (a sign error: a - y "
            "vs y - a?) times the reference",
        ),
        (
            REF * 2.00001,
            {},
            False,
            "dW[1]      | exact: False | close: False | max diff: 4.0e+00 | WRONG: it is 2 times the reference",
        ),
        (
            REF * 2.000001,
            {},
            False,
            "dW[1]      | exact: False | close: False | max diff: 4.0e+00 | WRONG: it is 2 (a lost "
            "1/2?) times the reference",
        ),
        (
            REF * 3.0000001,
            {"m": 3},
            False,
            "dW[1]      | exact: False | close: False | max diff: 8.0e+00 | WRONG: it is 3 "
            "(= m) times the reference: the 1/m is missing",
        ),
        (
            REF * 3.00001,
            {"m": 3},
            False,
            "dW[1]      | exact: False | close: False | max diff: 8.0e+00 | WRONG: it is 3 times the reference",
        ),
        (
            REF.T,
            {},
            False,
            "dW[1]      | WRONG: is the reference transposed: shape (3, 2), expected (2, 3) (a missing or extra .T?)",
        ),
        (
            REF.T + 1,
            {},
            False,
            "dW[1]      | WRONG: has the transposed shape: shape (3, 2), expected (2, 3) (a missing or extra .T?)",
        ),
        (
            REF.ravel(),
            {},
            False,
            "dW[1]      | WRONG shape: (6,), expected (2, 3) (the values are right; keep column "
            "vectors 2-D, e.g. reshape(-1, 1) or keepdims=True)",
        ),
        (
            REF.reshape(1, 6),
            {},
            False,
            "dW[1]      | WRONG shape: (1, 6), expected (2, 3) (the values are right; keep "
            "column vectors 2-D, e.g. reshape(-1, 1) or keepdims=True)",
        ),
        (REF.ravel() * (1 + 1e-6), {}, False, "dW[1]      | WRONG shape: (6,), expected (2, 3)"),
        (np.ones(5), {}, False, "dW[1]      | WRONG shape: (5,), expected (2, 3)"),
        (np.ones((2, 3, 1)), {}, False, "dW[1]      | WRONG shape: (2, 3, 1), expected (2, 3)"),
        (np.where(REF > 0, np.nan, REF), {}, False, "dW[1]      | WRONG: contains NaN or inf"),
        (REF + np.inf, {}, False, "dW[1]      | WRONG: contains NaN or inf"),
        (None, {}, False, "dW[1]      | WRONG: got None (a missing return?)"),
        (REF + 0j, {}, False, "dW[1]      | WRONG: has complex values (dtype complex128); real numbers expected"),
        ("abc", {}, False, "dW[1]      | WRONG: is not numeric: got str"),
        ([[1, "x"]], {}, False, "dW[1]      | WRONG: is not numeric: got list"),
    ],
)
def test_every_verdict_word_for_word(ours, kwargs, ok, message):
    v = verdict(ours, **kwargs)
    assert v.ok is ok and v.message == message


def test_factors_are_named_to_1e_minus_6_relative_however_small():
    # 1/m for m = 1000 is 0.001: a factor 5e-6 off it (relative) is not 1/m, though it is within 1e-8 absolute
    assert verdict(REF / 1000, m=1000).message.endswith("WRONG: it is the reference divided by m = 1000: an extra 1/m")
    off = verdict(REF / 1000 * (1 + 5e-6), m=1000).message
    assert off.endswith("WRONG: it is 0.001 times the reference")
    assert verdict(REF / 1000 * (1 + 5e-7), m=1000).message.endswith("an extra 1/m")


def test_a_column_reference_shows_the_missing_column_shape():
    ref = np.array([[1.0], [2.0], [3.0]])
    assert verdict(ref.ravel(), ref).message.endswith(
        "WRONG shape: (3,), expected (3, 1) (the values are right; keep "
        "column vectors 2-D, e.g. reshape(-1, 1) or keepdims=True)"
    )
    assert verdict(ref.T, ref).message.endswith(
        "WRONG: is the reference transposed: shape (1, 3), expected (3, 1) (a missing or extra .T?)"
    )


def test_a_square_transpose_is_named_once_the_values_disagree():
    S = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert verdict(S.T, S).message.endswith("| WRONG: it is the reference transposed (a missing or extra .T?)")
    assert verdict(S.T * (1 + 1e-6), S).message.endswith("WRONG: 4 of 4 entries differ")  # rtol applies
    assert verdict(S.T * (1 + 1e-6), S, rtol=1e-5).message.endswith(
        "WRONG: it is the reference transposed (a missing or extra .T?)"
    )


def test_the_factor_ignores_zeros_of_the_reference_but_not_what_ours_has_there():
    ref = np.array([0.0, 1.0, -2.0, 0.0])
    assert verdict(2 * ref, ref).message.endswith("WRONG: it is 2 (a lost 1/2?) times the reference")
    assert verdict(2 * ref + [1e-13, 0, 0, 0], ref).message.endswith("WRONG: it is 2 (a lost 1/2?) times the reference")
    assert verdict(2 * ref + [1e-11, 0, 0, 0], ref).message.endswith("WRONG: 2 of 4 entries differ")
    assert verdict(np.array([1.0, 0.0]), np.zeros(2)).message.endswith("WRONG: 1 of 2 entries differ")
    off = 2 * ref * [1, 1, 1 + 5e-6, 1]  # one entry 5e-6 off the factor
    assert verdict(off, ref).message.endswith("WRONG: 2 of 4 entries differ")
    assert verdict(2 * ref * [1, 1, 1 + 5e-7, 1], ref).message.endswith(
        "WRONG: it is 2 (a lost 1/2?) times the reference"
    )
    tiny = np.array([1e-10, 2e-10, 3e-10])
    assert verdict(2 * tiny + [0, 0, 5e-12], tiny, atol=0).message.endswith("WRONG: 3 of 3 entries differ")


def test_atol_decides_for_entries_near_zero():
    ref = np.array([[0.0, 1.0], [-1.0, 0.0]])
    assert verdict(ref + 1e-11, ref).ok is True  # atol = 1e-10
    assert verdict(ref + 1e-9, ref).message.endswith("| max diff: 1.0e-09 | WRONG: 2 of 4 entries differ")
    assert verdict(ref + 1e-9, ref, atol=1e-8).ok is True
    assert verdict((ref + 1e-9).ravel(), ref).message.endswith("WRONG shape: (4,), expected (2, 2)")
    assert verdict((ref + 1e-9).T, ref).message.endswith("WRONG: 4 of 4 entries differ")
    assert verdict((ref + 1e-9).T, ref, atol=1e-8).message.endswith(
        "WRONG: it is the reference transposed (a missing or extra .T?)"
    )


def test_entries_count_as_different_beyond_atol_plus_rtol_times_the_reference():
    ref = np.array([1.0, 4.0])
    assert verdict(ref + [0.5, 1.5], ref, rtol=0.25, atol=0.5).ok  # 0.5 <= 0.5 + 0.25 and 1.5 <= 1.5
    out = verdict(ref + [0.75, 2.0], ref, rtol=0.25, atol=0.5)  # bounds 0.75 and 1.5
    assert out.message.endswith("WRONG: 1 of 2 entries differ")  # an entry exactly at its bound is close
    assert verdict(ref + [0.75, 2.0], ref, rtol=0.25, atol=0.0).message.endswith("WRONG: 2 of 2 entries differ")


def test_scalars_and_empty_arrays():
    assert compare("C", 0.5, 0.5, quiet=True).message == "C          | exact: True  | close: True  | max diff: 0"
    assert compare("C", 1.5, 0.5, m=3, quiet=True).message.endswith(
        "| WRONG: it is 3 (= m) times the reference: the 1/m is missing"
    )
    assert compare("x", np.zeros((2, 0)), np.zeros((2, 0)), quiet=True).ok is True
    assert compare("a long name", [1.0], [1.0], quiet=True).message.startswith("a long name | exact: True")


def test_it_prints_its_line_once_unless_quiet(capsys):
    v = compare("db[2]", REF * 2, REF)
    assert capsys.readouterr().out == v.message + "\n"
    for case in ([1.0], None, np.ones(4), [np.nan]):
        compare("x", case, [1.0])
        printed = capsys.readouterr().out
        assert printed.count("\n") == 1 and printed.startswith("x          | ")
    for case in (REF, REF.T, None, REF + 1e-12, REF * np.nan, REF * 2):
        compare("x", case, REF, quiet=True)
    assert capsys.readouterr().out == ""


def test_the_verdict_requires_and_shows_itself_without_printing_twice(capsys):
    v = verdict(REF * 2)
    with pytest.raises(AssertionError, match="WRONG: it is 2"):
        v.require()
    assert verdict(REF).require().ok is True
    v._ipython_display_()
    assert capsys.readouterr().out == ""
