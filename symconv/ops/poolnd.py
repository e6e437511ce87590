"""Theano's pooling over the last N dimensions (``pool_3d``, and ``pool_2d`` with symbolic sizes) in JAX.

Semantics are those of Theano 1.0.5's ``Pool`` op (its C code, the CPU default):
windows of size ``ws`` every ``stride`` over the input padded by ``pad`` on both
sides of each pooled dimension; with ``ignore_border=False`` a partial window at
the far border is kept.  Cells outside the image (padding, the tail of a partial
window) never count: -inf for 'max', zero for 'sum', left out of the divisor by
'average_exc_pad'; 'average_inc_pad' divides by the window size, a partial
border window by the part of it inside the padded image.  Max pooling's
gradient is Theano's MaxPoolGrad: each element equal to its window's maximum
gets the window's whole output gradient.

The window sizes are read while tracing (``concrete_ints``), so ``ws``,
``stride`` and ``pad`` may be symbolic ints known when the function runs.
"""
import functools
import itertools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ..contract import concrete_ints

POOL_MODES = ("max", "sum", "average_inc_pad", "average_exc_pad")


def window_count(size, window, stride, pad, ignore_border):
    """Theano's number of windows along one dimension of length `size` (None if unknown)."""
    if None in (size, window, stride, pad):
        return None
    padded = size + 2 * pad
    if ignore_border:
        return max((padded - window) // stride + 1, 0)
    if stride >= window:
        return (padded - 1) // stride + 1
    return max(0, (padded - 1 - window + stride) // stride) + 1


def check_sizes(ws, stride, pad, ignore_border):
    """Theano's build-time rules for window sizes, strides and padding (ValueError / NotImplementedError)."""
    if any(w < 1 for w in ws) or any(s < 1 for s in stride) or any(p < 0 for p in pad):
        raise ValueError(f"pooling needs ws >= 1, stride >= 1 and pad >= 0, got ws={ws}, stride={stride}, pad={pad}")
    if any(pad) and not ignore_border:
        raise NotImplementedError(f"padding pad={pad} works only with ignore_border=True (as in Theano)")
    if any(p >= w for p, w in zip(pad, ws)):
        raise NotImplementedError(f"pad={pad} must be smaller than the window ws={ws}")


def _lowest(dtype):
    if jnp.issubdtype(dtype, jnp.floating):
        return np.array(-np.inf, dtype)
    return np.array(jnp.iinfo(dtype).min, dtype)


def _full_window(ndim, values):
    return (1,) * (ndim - len(values)) + tuple(values)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def _max_windows(x, ws, stride):
    return lax.reduce_window(x, _lowest(x.dtype), lax.max, _full_window(x.ndim, ws), _full_window(x.ndim, stride),
                             "VALID")


@_max_windows.defjvp
def _max_windows_jvp(ws, stride, primals, tangents):
    """Each offset inside the window is one strided slice; where it equals the max, its tangent counts."""
    (x,), (tangent,) = primals, tangents
    out = _max_windows(x, ws, stride)
    lead = x.ndim - len(ws)
    out_tangent = jnp.zeros_like(out)
    steps = _full_window(x.ndim, stride)
    for offset in itertools.product(*map(range, ws)):
        start = (0,) * lead + offset
        limit = x.shape[:lead] + tuple(o + (n - 1) * s + 1 for o, n, s in zip(offset, out.shape[lead:], stride))
        is_max = lax.slice(x, start, limit, steps) == out
        out_tangent = out_tangent + jnp.where(is_max, lax.slice(tangent, start, limit, steps), 0)
    return out, out_tangent


def _real_counts(size, pooled, window, stride, pad):
    starts = np.arange(pooled) * stride
    return np.minimum(starts + window, pad + size) - np.maximum(starts, pad)


def _inc_pad_counts(size, pooled, window, stride, pad):
    starts = np.arange(pooled) * stride
    return np.minimum(starts + window, size + 2 * pad) - starts


def pool_nd(x, ws, stride, pad, *, ignore_border, mode):
    """Pools the last ``len(ws)`` dimensions of `x` (ws, stride, pad: int vectors known while tracing)."""
    ws, stride, pad = (concrete_ints(v, f"pooling's {name}") for v, name in ((ws, "ws"), (stride, "stride"),
                                                                             (pad, "pad")))
    if not len(ws) == len(stride) == len(pad):
        raise ValueError(f"pooling: ws {ws}, stride {stride} and pad {pad} must have one length")
    check_sizes(ws, stride, pad, ignore_border)
    n, lead = len(ws), x.ndim - len(ws)
    spatial = x.shape[lead:]
    pooled = tuple(window_count(*args, ignore_border) for args in zip(spatial, ws, stride, pad))
    if 0 in pooled:
        return jnp.zeros(x.shape[:lead] + pooled, x.dtype)
    fill = _lowest(x.dtype) if mode == "max" else np.zeros((), x.dtype)
    extents = [(k - 1) * s + w for k, s, w in zip(pooled, stride, ws)]
    config = [(0, 0, 0)] * lead + [(p, e - size - p, 0) for p, e, size in zip(pad, extents, spatial)]
    padded = lax.pad(x, jnp.asarray(fill, x.dtype), config)
    if mode == "max":
        return _max_windows(padded, tuple(ws), tuple(stride))
    summed = lax.reduce_window(padded, fill, lax.add, _full_window(x.ndim, ws), _full_window(x.ndim, stride), "VALID")
    if mode == "sum":
        return summed
    counting = _real_counts if mode == "average_exc_pad" else _inc_pad_counts
    counts = np.ones(pooled)
    for axis, args in enumerate(zip(spatial, pooled, ws, stride, pad)):
        shape = [1] * n
        shape[axis] = pooled[axis]
        counts = counts * counting(*args).reshape(shape)
    return lax.div(summed, jnp.broadcast_to(jnp.asarray(counts, x.dtype), summed.shape))
