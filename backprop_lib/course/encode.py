"""Plain data between a student's process and the process that judges it.

An exercise check runs the student's function in the student's kernel and judges the result elsewhere (in the
student's own kernel for practice, in a clean process when grading). What crosses between them is JSON built
here: numbers, strings and lists, never a pickle and never code. `encode` turns what a student's function
returned into that form; `decode` rebuilds it, accepting only the node types listed below and refusing anything
larger than the limits, so a hostile record can waste no more than a bounded amount of work.

Kinds of value (the key "t"):
  none     the function returned None
  missing  the answer is not written yet (a stub, an undefined name, NotImplementedError)
  error    the function raised: the exception's type name and its first 300 characters
  str      a string
  array    a real array of any shape: "shape", "data" (flat, row-major; "nan", "inf", "-inf" as strings)
  complex  an array with complex entries (refused by every judge, but said so)
  sym      a SymPy matrix: "shape" and "entries", each an index into "nodes", a shared expression graph
  list     a list or tuple of values ("items")
  other    anything else: its type name only
"""

from __future__ import annotations

import json
import math

import numpy as np

__all__ = ["Missing", "RecordError", "decode", "dumps", "encode", "loads"]

MAX_BYTES = 32 * 2**20  # one record, as JSON text
MAX_NODES = 500_000  # expression nodes in one record
MAX_ENTRIES = 2_000_000  # array entries in one record
MAX_DEPTH = 20  # nesting of lists
MAX_EXPONENT = 64  # |exponent| of a power: a forged 2**(10**11) must not make SymPy compute it
_MESSAGE_CHARS = 300


class RecordError(ValueError):
    """A record that is not what `encode` writes: wrong type, too large, unknown node."""


class Missing:
    """Decoded form of an answer that is not written yet; `why` says how that was seen."""

    def __init__(self, why=""):
        self.why = why

    def __repr__(self):
        return f"Missing({self.why!r})"


class Raised:
    """Decoded form of an answer that raised: the exception's type name and message."""

    def __init__(self, kind, message):
        self.kind, self.message = kind, message

    def __repr__(self):
        return f"Raised({self.kind}: {self.message})"


class Other:
    """Decoded form of a value of a type no judge accepts (only its type name crosses)."""

    def __init__(self, type_name):
        self.type_name = type_name


# ---------------------------------------------------------------------------------------------------- encode
def encode(value, _depth=0):
    """The plain-data form of `value` (see the module docstring); never raises."""
    import sympy as sp

    if value is None:
        return {"t": "none"}
    if value is Ellipsis:
        return {"t": "missing", "why": "the answer is still `...`"}
    if isinstance(value, Missing):
        return {"t": "missing", "why": value.why}
    if isinstance(value, Raised):
        return {"t": "error", "kind": value.kind, "message": value.message}
    if isinstance(value, str):
        return {"t": "str", "v": value[:10_000]}
    if isinstance(value, (sp.MatrixBase, sp.Basic)) or _is_object_array(value):
        try:
            return _encode_sym(value)
        except _NotPlain as exc:
            return {"t": "other", "type": str(exc)}
    if isinstance(value, (list, tuple)):
        if _depth >= MAX_DEPTH:
            return {"t": "other", "type": "list nested too deeply"}
        if _all_numbers(value):
            return _encode_array(value)
        return {"t": "list", "items": [encode(v, _depth + 1) for v in value]}
    if isinstance(value, (bool, np.bool_)):
        return {"t": "other", "type": "bool"}
    if isinstance(value, (int, float, complex, np.number, np.ndarray)):
        return _encode_array(value)
    return {"t": "other", "type": type(value).__name__}


def _is_object_array(value):
    return isinstance(value, np.ndarray) and value.dtype == object


def _all_numbers(seq):
    return len(seq) > 0 and all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in seq)


def _encode_array(value):
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - a ragged list and the like: say what it was
        return {"t": "other", "type": type(value).__name__}
    if arr.dtype == object or arr.dtype.kind not in "biufc":
        return {"t": "other", "type": f"array of {arr.dtype}"}
    if arr.size > MAX_ENTRIES:
        return {"t": "other", "type": f"array of {arr.size} entries (too large)"}
    if arr.dtype.kind == "c":
        return {"t": "complex", "shape": list(arr.shape)}
    flat = arr.astype(np.float64).ravel().tolist()
    return {"t": "array", "shape": list(arr.shape), "data": [_float_out(x) for x in flat]}


def _float_out(x):
    return x if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


class _NotPlain(Exception):
    pass


# Expression node types that may cross, by SymPy class name; functions of the symbolic engine by name.
_ASSOC = {"Add", "Mul"}
_FUNCTIONS = {
    "sigma",
    "sigma_prime",
    "sigma_second",
    "sigmoid",
    "cost_fn",
    "cost_grad",
    "exp",
    "log",
    "tanh",
    "KroneckerDelta",
}


def _encode_sym(value):
    import sympy as sp

    if isinstance(value, sp.MatrixBase):
        shape, entries = value.shape, list(value)
    elif isinstance(value, np.ndarray):
        arr = value if value.ndim == 2 else np.atleast_2d(value).reshape(-1, 1) if value.ndim == 1 else None
        if arr is None:
            raise _NotPlain(f"object array of {value.ndim} dimensions")
        shape, entries = arr.shape, list(arr.ravel())
    else:
        shape, entries = (1, 1), [value]
    nodes, index = [], {}

    def visit(e):
        e = sp.sympify(e)
        key = e
        if key in index:
            return index[key]
        if len(nodes) > MAX_NODES:
            raise _NotPlain("expression too large")
        name = type(e).__name__
        if e.is_Symbol:
            node = ["S", e.name]
        elif e.is_Integer:
            node = ["I", str(int(e))]
        elif e.is_Rational:
            node = ["Q", str(int(e.p)), str(int(e.q))]
        elif e.is_Float:
            node = ["F", repr(float(e))]
        elif name in _ASSOC or name == "Pow":
            node = [name, *[visit(a) for a in e.args]]
        elif isinstance(e, sp.Function) and type(e).__name__ in _FUNCTIONS:
            node = ["f", name, *[visit(a) for a in e.args]]
        elif e is sp.pi:
            node = ["pi"]
        elif e is sp.E:
            node = ["E"]
        else:
            raise _NotPlain(f"SymPy {name}")
        index[key] = len(nodes)
        nodes.append(node)
        return index[key]

    roots = [visit(e) for e in entries]
    return {"t": "sym", "shape": list(shape), "entries": roots, "nodes": nodes}


# ---------------------------------------------------------------------------------------------------- decode
def decode(record, _depth=0):
    """Rebuild a value from its plain-data form; raises RecordError for anything `encode` would not write.

    Returns None, Missing, Raised, Other, str, a float64 ndarray, a SymPy Matrix, or a list of these.
    """
    if not isinstance(record, dict) or not isinstance(record.get("t"), str):
        raise RecordError("a value must be an object with a string field 't'")
    t = record["t"]
    if t == "none":
        return None
    if t == "missing":
        return Missing(_text(record.get("why", "")))
    if t == "error":
        return Raised(_text(record.get("kind", "Exception"))[:80], _text(record.get("message", "")))
    if t == "other":
        return Other(_text(record.get("type", "?"))[:80])
    if t == "str":
        return _text(record.get("v"), limit=10_000)
    if t == "complex":
        return Other("complex array")
    if t == "array":
        return _decode_array(record)
    if t == "sym":
        return _decode_sym(record)
    if t == "list":
        items = record.get("items")
        if not isinstance(items, list) or _depth >= MAX_DEPTH:
            raise RecordError("a list value needs a list 'items' (and at most 20 levels)")
        return [decode(v, _depth + 1) for v in items]
    raise RecordError(f"unknown value type {t!r}")


def _text(x, limit=_MESSAGE_CHARS):
    if not isinstance(x, str):
        raise RecordError("expected a string")
    return x[:limit]


def _shape(record, limit):
    shape = record.get("shape")
    if not isinstance(shape, list) or len(shape) > 8 or not all(type(s) is int and 0 <= s <= limit for s in shape):
        raise RecordError("a shape must be a list of at most 8 non-negative ints")
    return tuple(shape)


def _decode_array(record):
    shape = _shape(record, MAX_ENTRIES)
    data = record.get("data")
    size = math.prod(shape)
    if not isinstance(data, list) or len(data) != size or size > MAX_ENTRIES:
        raise RecordError("an array's data must list prod(shape) numbers")
    out = np.empty(size, dtype=np.float64)
    for i, x in enumerate(data):
        if type(x) in (int, float):
            out[i] = x
        elif x in ("nan", "inf", "-inf"):
            out[i] = float(x)
        else:
            raise RecordError("an array entry must be a number or 'nan', 'inf', '-inf'")
    return out.reshape(shape)


def _decode_sym(record):
    import sympy as sp

    from ..symbolic import network as symnet

    shape = _shape(record, 10_000)
    nodes, roots = record.get("nodes"), record.get("entries")
    if len(shape) != 2 or not isinstance(nodes, list) or not isinstance(roots, list):
        raise RecordError("a symbolic value needs a 2-D shape, 'nodes' and 'entries'")
    if len(nodes) > MAX_NODES or len(roots) != shape[0] * shape[1]:
        raise RecordError("a symbolic value has too many nodes or the wrong number of entries")
    functions = {
        "sigma": symnet.sigma,
        "sigma_prime": symnet.sigma_prime,
        "sigma_second": symnet.sigma_second,
        "sigmoid": symnet.sigmoid,
        "cost_fn": symnet.cost_fn,
        "cost_grad": symnet.cost_grad,
        "exp": sp.exp,
        "log": sp.log,
        "tanh": sp.tanh,
        "KroneckerDelta": sp.KroneckerDelta,
    }
    built = []

    def arg(i):
        if type(i) is not int or not 0 <= i < len(built):
            raise RecordError("a node may refer only to earlier nodes")
        return built[i]

    for node in nodes:
        if not isinstance(node, list) or not node or not isinstance(node[0], str):
            raise RecordError("a node must be a list starting with its type")
        kind, rest = node[0], node[1:]
        if kind == "S":
            e = sp.Symbol(_text(rest[0], 200), real=True)
        elif kind == "I":
            e = sp.Integer(_int(rest[0]))
        elif kind == "Q":
            e = sp.Rational(_int(rest[0]), _int(rest[1]))
        elif kind == "F":
            e = sp.Float(float(_text(rest[0], 40)))
        elif kind == "Add":
            e = sp.Add(*[arg(i) for i in rest])
        elif kind == "Mul":
            e = sp.Mul(*[arg(i) for i in rest])
        elif kind == "Pow" and len(rest) == 2:
            base, exponent = arg(rest[0]), arg(rest[1])
            if exponent.is_Number and abs(exponent) > MAX_EXPONENT:
                raise RecordError(f"an exponent larger than {MAX_EXPONENT} in magnitude is not an answer")
            e = sp.Pow(base, exponent, evaluate=not (base.is_Number and exponent.is_Number))
        elif kind == "f" and rest and rest[0] in functions:
            e = functions[rest[0]](*[arg(i) for i in rest[1:]])
        elif kind == "pi":
            e = sp.pi
        elif kind == "E":
            e = sp.E
        else:
            raise RecordError(f"unknown expression node {kind!r}")
        built.append(e)
    return sp.Matrix(shape[0], shape[1], [arg(i) for i in roots])


def _int(text):
    if not isinstance(text, str) or not 0 < len(text) <= 40 or not text.lstrip("-").isdigit():
        raise RecordError("an integer must be a string of at most 40 digits")
    return int(text)


# ---------------------------------------------------------------------------------------------------- JSON
def dumps(obj) -> str:
    """JSON text of a record (NaN is never written: `encode` spells it as a string)."""
    return json.dumps(obj, allow_nan=False, separators=(",", ":"))


def loads(text) -> object:
    """Parse a record's JSON text strictly: size-limited, no NaN/Infinity constants."""
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("utf-8", errors="strict")
    if not isinstance(text, str) or len(text) > MAX_BYTES:
        raise RecordError(f"a record must be JSON text of at most {MAX_BYTES} bytes")

    def no_constants(name):
        raise RecordError(f"JSON constant {name} is not allowed")

    try:
        return json.loads(text, parse_constant=no_constants)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise RecordError(f"not valid JSON: {exc}") from None
