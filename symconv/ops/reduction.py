"""Reductions (sum, mean, max, argmax, var, norm, ...) and cumulative sums, with Theano's output dtypes."""
import builtins

import jax.numpy as jnp
import numpy as np

from .. import dtypes as D
from ..op import Op
from .elemwise import abs_, cast, pow, sqr, sqrt
from .literals import as_tensor_variable
from .shapes import normalize_axes


def _reduce_impl(x, *, fn, axis, keepdims, dtype):
    if dtype is not None:
        x = jnp.asarray(x, dtype=dtype)
    return getattr(jnp, fn)(x, axis=axis, keepdims=keepdims)


def _sum_dtype(dtype):
    """Theano accumulates small ints and bools in 64 bits."""
    if dtype in ("bool", "int8", "int16", "int32", "int64"):
        return "int64"
    if dtype.startswith("uint"):
        return "uint64"
    return dtype


def _reduction(fn, dtype_rule):
    def build(x, axis=None, keepdims=False, dtype=None):
        x = as_tensor_variable(x)
        out_dtype = str(np.dtype(dtype)) if dtype is not None else dtype_rule(x.dtype)
        cast_to = None if out_dtype == x.dtype else out_dtype
        return Op(fn, _reduce_impl, fn=fn, axis=normalize_axes(x, axis), keepdims=bool(keepdims), dtype=cast_to)(x)

    build.__name__ = fn
    build.__doc__ = f"{fn} over `axis` (None: all axes), Theano's output dtype."
    return build


sum = _reduction("sum", _sum_dtype)  # noqa: A001
prod = _reduction("prod", _sum_dtype)


def _same(dtype):
    return dtype


def _float_mean(dtype):
    return "float64" if D.is_discrete(dtype) else dtype


max = _reduction("max", _same)  # noqa: A001
min = _reduction("min", _same)  # noqa: A001
mean = _reduction("mean", _float_mean)


def _bool_out(x, *, fn, axis, keepdims):
    return getattr(jnp, fn)(x, axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    x = as_tensor_variable(x)
    return Op("all", _bool_out, fn="all", axis=normalize_axes(x, axis), keepdims=bool(keepdims))(x)


def any(x, axis=None, keepdims=False):  # noqa: A001
    x = as_tensor_variable(x)
    return Op("any", _bool_out, fn="any", axis=normalize_axes(x, axis), keepdims=bool(keepdims))(x)


def _arg_impl(x, *, fn, axis, keepdims):
    if axis is None:
        flat = getattr(jnp, fn)(x.reshape(-1)).astype("int64")
        return flat.reshape((1,) * x.ndim) if keepdims else flat
    return getattr(jnp, fn)(x, axis=axis, keepdims=keepdims).astype("int64")


def _single_axis(x, axis):
    if axis is None or (isinstance(axis, (list, tuple)) and len(axis) == x.ndim):
        return None
    axes = normalize_axes(x, axis)
    if len(axes) != 1:
        raise ValueError("argmax/argmin take a single axis or None")
    return axes[0]


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum along `axis` (int64, as Theano)."""
    x = as_tensor_variable(x)
    return Op("argmax", _arg_impl, fn="argmax", axis=_single_axis(x, axis), keepdims=bool(keepdims))(x)


def argmin(x, axis=None, keepdims=False):
    x = as_tensor_variable(x)
    return Op("argmin", _arg_impl, fn="argmin", axis=_single_axis(x, axis), keepdims=bool(keepdims))(x)


def max_and_argmax(x, axis=None, keepdims=False):
    return max(x, axis, keepdims), argmax(x, axis, keepdims)


def _var_impl(x, *, axis, ddof, keepdims, fn):
    return getattr(jnp, fn)(x, axis=axis, ddof=ddof, keepdims=keepdims)


def var(x, axis=None, ddof=0, keepdims=False, corrected=False):
    """Variance (ddof=1 when `corrected`); float64 for integer input."""
    x = cast(as_tensor_variable(x), _float_mean(as_tensor_variable(x).dtype))
    return Op("var", _var_impl, fn="var", axis=normalize_axes(x, axis), ddof=int(ddof or corrected), keepdims=bool(keepdims))(x)


def std(x, axis=None, ddof=0, keepdims=False, corrected=False):
    x = cast(as_tensor_variable(x), _float_mean(as_tensor_variable(x).dtype))
    return Op("std", _var_impl, fn="std", axis=normalize_axes(x, axis), ddof=int(ddof or corrected), keepdims=bool(keepdims))(x)


def norm(x, L, axis=None, keepdims=False):
    """The L-norm along `axis` (L=1 or 2, as Theano's TensorVariable.norm)."""
    if L == 1:
        return sum(abs_(x), axis=axis, keepdims=keepdims)
    if L == 2:
        return sqrt(sum(sqr(x), axis=axis, keepdims=keepdims))
    return pow(sum(pow(abs_(x), L), axis=axis, keepdims=keepdims), 1.0 / L)


def _cumulative_impl(x, *, fn, axis):
    return getattr(jnp, fn)(x.reshape(-1) if axis is None else x, axis=0 if axis is None else axis)


def cumsum(x, axis=None):
    x = as_tensor_variable(x)
    return Op("cumsum", _cumulative_impl, fn="cumsum", axis=None if axis is None else normalize_axes(x, axis)[0])(x)


def cumprod(x, axis=None):
    x = as_tensor_variable(x)
    return Op("cumprod", _cumulative_impl, fn="cumprod", axis=None if axis is None else normalize_axes(x, axis)[0])(x)

