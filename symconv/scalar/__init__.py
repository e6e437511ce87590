"""Theano's ``theano.scalar``: ``upcast``, ``upgrade_to_float`` and the scalar types (``float64``, ``int32``, ...).

A scalar type is a 0-d ``TensorType`` that prints as Theano's (``float64``,
``Scalar(float64)``); its variables are 0-d tensors, so they combine with
every tensor op.
"""
import numpy as np

from .. import dtypes as D
from ..config import config
from ..type import TensorType


def upcast(dtype, *dtypes):
    """The dtype of combining values of these dtypes (NumPy's rule), as Theano's ``theano.scalar.upcast``.

    Under ``cast_policy='numpy+floatX'`` with floatX float32, a float64 result stays
    float32 unless float64 is one of the dtypes.
    """
    dtypes = [str(getattr(d, "dtype", d)) for d in (dtype, *dtypes)]
    result = D.upcast(*dtypes)
    if getattr(config, "cast_policy", "custom") == "numpy+floatX" and "float64" not in dtypes:
        if config.floatX == "float32" and result == "float64":
            return "float32"
        if config.floatX == "float16" and "float32" not in dtypes and result in ("float32", "float64"):
            return "float16"
    return result


class Scalar(TensorType):
    """Theano's scalar type: ``Scalar('float64')``; calling it makes a (0-d) variable."""

    def __init__(self, dtype):
        super().__init__(dtype, ())

    def __str__(self):
        return self.dtype

    def __repr__(self):
        return f"Scalar({self.dtype})"

    def __hash__(self):
        return super().__hash__()

    def __eq__(self, other):
        return super().__eq__(other)


bool = Scalar("bool")  # noqa: A001 - Theano's name
int8, int16, int32, int64 = (Scalar(d) for d in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (Scalar(d) for d in ("uint8", "uint16", "uint32", "uint64"))
float16, float32, float64 = (Scalar(d) for d in ("float16", "float32", "float64"))
complex64, complex128 = Scalar("complex64"), Scalar("complex128")

int_types = int8, int16, int32, int64
uint_types = uint8, uint16, uint32, uint64
float_types = float16, float32, float64
complex_types = complex64, complex128
integer_types = int_types + uint_types
discrete_types = (bool,) + integer_types
continuous_types = float_types + complex_types
all_types = discrete_types + continuous_types
_BY_DTYPE = {t.dtype: t for t in all_types}


def get_scalar_type(dtype):
    """The scalar type of `dtype` (the same object each time)."""
    return _BY_DTYPE[str(np.dtype(dtype))]


def upgrade_to_float(*types):
    """Theano's output-type rule of float-valued ops: ints up to 16 bits give float32, wider ones float64."""
    return (get_scalar_type(upcast(*[D.upgrade_to_float(t.dtype) for t in types])),)


def upcast_out(*types):
    """The scalar type of combining these types, in a tuple (Theano's output-types rule)."""
    return (get_scalar_type(upcast(*[t.dtype for t in types])),)
