"""Theano's dtype rules: how literals are typed and how mixed dtypes upcast.

Theano (cast_policy='custom') types a Python float literal as floatX when
floatX is float32, a Python int as the smallest of int8..int64 that holds it,
and combines array dtypes the way NumPy combines arrays (int32 + float32 is
float64).  JAX promotes differently, so every op casts explicitly.
"""
import numpy as np

from .config import config

FLOATS = ("float16", "float32", "float64")
INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
DISCRETE = INTS + ("bool",)


def is_float(dtype):
    return str(dtype) in FLOATS


def is_discrete(dtype):
    return str(dtype) in DISCRETE


def upcast(*dtypes):
    """The dtype NumPy gives when combining arrays of these dtypes."""
    result = np.dtype(dtypes[0])
    for dtype in dtypes[1:]:
        result = np.promote_types(result, dtype)
    return str(result)


def upgrade_to_float(dtype):
    """Theano's dtype for a float-valued op (exp, log, ...) of an input of this dtype."""
    dtype = str(dtype)
    if dtype in FLOATS or dtype.startswith("complex"):
        return dtype
    if dtype in ("bool", "int8", "uint8", "int16", "uint16"):
        return "float32"
    return "float64"


def true_div_dtype(*dtypes):
    """x / y: int / int is floatX (Theano's int_division='floatX'); else the upcast."""
    if all(is_discrete(d) for d in dtypes):
        return config.floatX
    return upcast(*dtypes)


def literal_array(value):
    """A NumPy array for a Python/NumPy literal, typed by Theano's autocast rules."""
    if isinstance(value, np.generic):
        return np.asarray(value)  # NumPy scalars are typed on purpose
    if isinstance(value, (bool, np.bool_)):
        return np.asarray(value, dtype="bool")
    if isinstance(value, int):
        for dtype in ("int8", "int16", "int32", "int64"):
            if np.iinfo(dtype).min <= value <= np.iinfo(dtype).max:
                return np.asarray(value, dtype=dtype)
        return np.asarray(value, dtype="uint64")
    if isinstance(value, float):
        if config.floatX != "float64":
            return np.asarray(value, dtype=config.floatX)
        as32 = np.asarray(value, dtype="float32")
        # Compared as Python floats: NumPy 2 would compare a float32 array with `value` in float32.
        return as32 if float(as32) == value or np.isnan(value) else np.asarray(value, dtype="float64")
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"cannot convert {value!r} to a tensor constant")
    if array.dtype.kind == "f" and not hasattr(value, "dtype") and config.floatX == "float32":
        # A list of Python floats follows the same rule as a single float.
        array = array.astype("float32")
    return array
