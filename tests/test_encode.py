"""The plain data between a student's kernel and the judge (backprop_lib/course/encode.py): what crosses, what is
refused, and that nothing in a forged record can make the judge run code or compute without bound."""

import numpy as np
import pytest
import sympy as sp

from backprop_lib.course import encode as enc
from backprop_lib.symbolic import cached_network


def round_trip(value):
    return enc.decode(enc.loads(enc.dumps(enc.encode(value))))


def test_arrays_strings_lists_and_none_cross_unchanged():
    a = np.arange(6.0).reshape(2, 3)
    a[0, 0] = np.nan
    back = round_trip([a, "delta[l]_k = x", None])
    assert np.array_equal(back[0], a, equal_nan=True) and back[1] == "delta[l]_k = x" and back[2] is None


def test_a_symbolic_answer_crosses_as_the_same_expression():
    net = cached_network((2, 3, 2))
    truth = net.delta(1)
    back = round_trip(np.array(truth, dtype=object))
    assert isinstance(back, sp.MatrixBase) and back.shape == truth.shape
    assert all(sp.simplify(x - y) == 0 for x, y in zip(back, truth))


def test_what_no_judge_accepts_is_named_not_carried():
    assert isinstance(round_trip(np.array([1j])), enc.Other)
    assert isinstance(round_trip(object()), enc.Other)
    assert isinstance(round_trip(True), enc.Other)
    assert isinstance(round_trip(sp.Integral(sp.Symbol("x"), sp.Symbol("x"))), enc.Other)


@pytest.mark.parametrize(
    "record",
    [
        {"t": "sym", "shape": [1, 1], "entries": [2], "nodes": [["I", "2"], ["I", "100000000000"], ["Pow", 0, 1]]},
        {"t": "sym", "shape": [1, 1], "entries": [0], "nodes": [["f", "__import__", 0]]},
        {"t": "sym", "shape": [1, 1], "entries": [0], "nodes": [["Add", 5]]},
        {"t": "sym", "shape": [1, 1], "entries": [0], "nodes": [["I", "1e9999"]]},
        {"t": "array", "shape": [2], "data": [1.0]},
        {"t": "array", "shape": [1], "data": ["__import__('os')"]},
        {"t": "pickle", "v": "gASV"},
        {"t": "list", "items": "no"},
    ],
)
@pytest.mark.timeout(120)  # a hang guard (a decoded 2**(10**11) would never return), not a speed claim
def test_a_forged_record_is_refused(record):
    with pytest.raises(enc.RecordError):
        enc.decode(record)


def test_json_constants_and_oversized_text_are_refused():
    with pytest.raises(enc.RecordError):
        enc.loads('{"t": "array", "shape": [1], "data": [NaN]}')
    with pytest.raises(enc.RecordError):
        enc.loads(" " * (enc.MAX_BYTES + 1))
