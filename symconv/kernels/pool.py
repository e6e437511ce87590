"""Theano's ``pool_2d`` (``theano.tensor.signal.pool``) as a pure JAX function.

Pools the last two dimensions of an input with at least two. Window ``k`` along a dimension covers
``[k * stride, k * stride + ws)`` of the image padded by ``pad`` on both sides. With
``ignore_border=False`` Theano keeps the partial windows at the far border, so the input is padded
at the end up to the extent the windows cover; those cells, like ``pad``, are never real data:
-inf for max (padding never wins), zero for the sums, and not counted by 'average_exc_pad'.

Max pooling's derivative is Theano's: every element equal to its window's maximum passes its
tangent to the window (Theano's R_op), so in the gradient, JAX's transpose of that rule, every tied
element receives the window's full output gradient (Theano's MaxPoolGrad), where JAX's own rule for
max would split it among them. Defining the JVP rather than only the VJP keeps forward mode
(R_op, jax.jvp, Hessians) working.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from symconv.kernels.conv import int_pair

POOL_MODES = ('max', 'sum', 'average_inc_pad', 'average_exc_pad')


def pool_2d_out_shape(image_shape, ws, ignore_border=True, stride=None, pad=(0, 0)):
    """Theano's ``Pool.out_shape``: the leading dims, then the number of windows per pooled dim.

    With padded length r = size + 2 * pad: ignore_border=True gives max((r - ws) // stride + 1, 0);
    ignore_border=False gives (r - 1) // stride + 1 when stride >= ws, otherwise
    max(0, (r - 1 - ws + stride) // stride) + 1 (windows are added until one reaches the border).
    """
    ws = int_pair(ws, 'ws', 1)
    stride = ws if stride is None else int_pair(stride, 'stride', 1)
    pad = int_pair(pad, 'pad', 0)
    pooled = tuple(_window_count(size + 2 * p, w, s, ignore_border)
                   for size, w, s, p in zip(image_shape[-2:], ws, stride, pad))
    return tuple(image_shape[:-2]) + pooled


def pool_2d(x, ws, ignore_border=True, stride=None, pad=(0, 0), mode='max'):
    """Theano's ``pool_2d``: max, sum or average over (possibly overlapping, padded) windows.

    'average_inc_pad' divides by ws[0] * ws[1] (padding included); 'average_exc_pad' divides by
    the number of real elements in the window. With ignore_border=False both divide a partial
    border window by its actual size, as Theano's C and Python implementations do.
    """
    x = jnp.asarray(x)
    ws = int_pair(ws, 'ws', 1)
    stride = ws if stride is None else int_pair(stride, 'stride', 1)
    pad = int_pair(pad, 'pad', 0)
    if mode not in POOL_MODES:
        raise ValueError(f'pool mode must be one of {POOL_MODES}, got {mode!r}')
    if x.ndim < 2:
        raise NotImplementedError(f'pool_2d requires an input with ndim >= 2, got ndim={x.ndim}')
    if pad != (0, 0) and not ignore_border:
        raise NotImplementedError(
            f'pad={pad} works only with ignore_border=True (as in Theano)')
    if pad[0] >= ws[0] or pad[1] >= ws[1]:
        raise NotImplementedError(f'pad={pad} must be smaller than the window ws={ws}')
    out_shape = pool_2d_out_shape(x.shape, ws, ignore_border, stride, pad)
    if 0 in out_shape[-2:]:
        return jnp.zeros(out_shape, x.dtype)

    fill = _lowest(x.dtype) if mode == 'max' else np.zeros((), x.dtype)
    windowed = _pad_to_window_extent(x, fill, out_shape[-2:], ws, stride, pad)
    if mode == 'max':
        if stride == ws and windowed.ndim == 4 and pool_channels_last(jax.default_backend()):
            nhwc = _max_pool_blocks_nhwc(jnp.transpose(windowed, (0, 2, 3, 1)), ws)
            return jnp.transpose(nhwc, (0, 3, 1, 2))
        if stride == ws:
            return max_pool_blocks(windowed, ws)
        return _max_pool_windows(windowed, ws, stride)
    if stride == ws:
        summed = _blocks(windowed, ws).sum(axis=(-3, -1))
    else:
        summed = lax.reduce_window(windowed, fill, lax.add, _window(x.ndim, ws),
                                   _window(x.ndim, stride), 'VALID')
    if mode == 'sum':
        return summed
    rows, cols = (_real_counts(size, n, w, s, p) for size, n, w, s, p in
                  zip(x.shape[-2:], out_shape[-2:], ws, stride, pad))
    whole_windows = (rows == ws[0]).all() and (cols == ws[1]).all()
    if whole_windows or (mode == 'average_inc_pad' and ignore_border):
        return lax.div(summed, jnp.asarray(ws[0] * ws[1], x.dtype))
    counts = jnp.asarray(rows, x.dtype)[:, None] * jnp.asarray(cols, x.dtype)[None, :]
    return lax.div(summed, jnp.broadcast_to(counts, summed.shape))


def pool_channels_last(platform):
    """Whether max pooling of NCHW batches runs channels-last: on CPU, XLA reduces blocks along the
    innermost axis badly, and after an im2col conv (channels-last inside) the transposes cancel.
    Measured on the LeNet5 step: 0.92x -> 1.00x of hand-written JAX (benchmarks/README.md)."""
    return platform == 'cpu'


def _window_count(padded, window, stride, ignore_border):
    if ignore_border:
        return max((padded - window) // stride + 1, 0)
    if stride >= window:
        return (padded - 1) // stride + 1
    return max(0, (padded - 1 - window + stride) // stride) + 1


def _pad_to_window_extent(x, fill, pooled, ws, stride, pad):
    """Pad (or crop the unused tail of) the pooled dims to exactly what the windows cover."""
    extents = [(n - 1) * s + w for n, s, w in zip(pooled, stride, ws)]
    config = [(0, 0, 0)] * (x.ndim - 2) + [
        (p, extent - size - p, 0) for p, extent, size in zip(pad, extents, x.shape[-2:])]
    return lax.pad(x, jnp.asarray(fill, x.dtype), config)


def _real_counts(size, pooled, window, stride, pad):
    """How many real (non-padding, inside-the-image) elements each window holds along one dim."""
    starts = np.arange(pooled) * stride
    return np.minimum(starts + window, pad + size) - np.maximum(starts, pad)


def _window(ndim, pair):
    return (1,) * (ndim - 2) + tuple(pair)


def _lowest(dtype):
    if jnp.issubdtype(dtype, jnp.floating):
        return np.array(-np.inf, dtype)
    return np.array(jnp.iinfo(dtype).min, dtype)


def _blocks(x, ws):
    """View (..., H, W) as (..., H / ws0, ws0, W / ws1, ws1): non-overlapping windows."""
    *lead, h, w = x.shape
    return x.reshape(*lead, h // ws[0], ws[0], w // ws[1], ws[1])


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def max_pool_blocks(x, ws):
    return _blocks(x, ws).max(axis=(-3, -1))


@max_pool_blocks.defjvp
def _max_pool_blocks_jvp(ws, primals, tangents):
    (x,), (tangent,) = primals, tangents
    out = max_pool_blocks(x, ws)
    is_max = _blocks(x, ws) == out[..., :, None, :, None]
    return out, jnp.where(is_max, _blocks(tangent, ws), 0).sum(axis=(-3, -1))


def _blocks_nhwc(x, ws):
    """View (N, H, W, C) as (N, H / ws0, ws0, W / ws1, ws1, C)."""
    n, h, w, c = x.shape
    return x.reshape(n, h // ws[0], ws[0], w // ws[1], ws[1], c)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _max_pool_blocks_nhwc(x, ws):
    return _blocks_nhwc(x, ws).max(axis=(2, 4))


@_max_pool_blocks_nhwc.defjvp
def _max_pool_blocks_nhwc_jvp(ws, primals, tangents):
    (x,), (tangent,) = primals, tangents
    out = _max_pool_blocks_nhwc(x, ws)
    is_max = _blocks_nhwc(x, ws) == out[:, :, None, :, None, :]
    return out, jnp.where(is_max, _blocks_nhwc(tangent, ws), 0).sum(axis=(2, 4))


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def _max_pool_windows(x, ws, stride):
    return lax.reduce_window(x, _lowest(x.dtype), lax.max, _window(x.ndim, ws),
                             _window(x.ndim, stride), 'VALID')


@_max_pool_windows.defjvp
def _max_pool_windows_jvp(ws, stride, primals, tangents):
    """Sum over the ws0 * ws1 offsets inside a window: the elements at offset (a, b) of every
    window form one strided slice, whose tangent counts where it equals the window's max."""
    (x,), (tangent,) = primals, tangents
    out = _max_pool_windows(x, ws, stride)
    lead = x.ndim - 2
    out_tangent = jnp.zeros_like(out)
    for a in range(ws[0]):
        for b in range(ws[1]):
            start = (0,) * lead + (a, b)
            limit = x.shape[:lead] + (a + (out.shape[-2] - 1) * stride[0] + 1,
                                      b + (out.shape[-1] - 1) * stride[1] + 1)
            strides = _window(x.ndim, stride)
            is_max = lax.slice(x, start, limit, strides) == out
            out_tangent = out_tangent + jnp.where(
                is_max, lax.slice(tangent, start, limit, strides), 0)
    return out, out_tangent
