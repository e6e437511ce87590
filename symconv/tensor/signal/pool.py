"""``pool_2d``: Theano's max / sum / average pooling over the last two dimensions."""
from ...kernels import pool as kernels
from ...op import Op
from ...ops import elemwise as E
from ...ops import literals as L
from ...ops import shape_ops as S
from ...type import TensorType
from .pool_nd import pool as pool_nd, pool_3d, uses_variables  # noqa: F401  (theano's pool.pool_3d)


def _pool_impl(x, *, ws, ignore_border, stride, pad, mode):
    return kernels.pool_2d(x, ws, ignore_border=ignore_border, stride=stride, pad=pad, mode=mode)


def _pool_infer(x, *, ws, ignore_border, stride, pad, mode):
    rows, cols = x.type.shape[-2:]
    probe = (rows or 1, cols or 1)
    pooled = kernels.pool_2d_out_shape(probe, ws, ignore_border, stride, pad)
    spatial = tuple(None if d is None else p for d, p in zip((rows, cols), pooled))
    return [TensorType(x.dtype, x.type.shape[:-2] + spatial)]


def pool_2d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0), mode="max", ds=None, st=None,
            padding=None):
    """Pool windows `ws` of the last two dims; ``ignore_border=False`` keeps partial border windows."""
    x = L.as_tensor_variable(input)
    ws = ws if ws is not None else ds
    stride = stride if stride is not None else st
    pad = padding if padding is not None else pad
    if uses_variables(ws, stride, pad) or pad is None:  # sizes known only when the function runs
        return pool_nd(x, 2, ws, ignore_border, stride, pad, mode)
    if ws is None:
        raise TypeError("pool_2d needs the window size ws")
    if ignore_border is None:
        ignore_border = True  # Theano 1.0's default (it warned when left unset)
    if x.ndim < 2:
        raise TypeError(f"pool_2d needs an input with 2 or more dimensions, got {x!r} with {x.ndim}")
    if mode not in kernels.POOL_MODES:
        raise ValueError(f"pool_2d mode must be one of {kernels.POOL_MODES}, got {mode!r}")
    ws = kernels.int_pair(ws, "ws", 1)
    stride = ws if stride is None else kernels.int_pair(stride, "stride", 1)
    pad = kernels.int_pair(pad, "pad", 0)
    if pad != (0, 0) and not ignore_border:
        raise NotImplementedError(f"pool_2d: pad={pad} needs ignore_border=True (as in Theano)")
    return Op("pool_2d", _pool_impl, infer=_pool_infer, ws=ws, ignore_border=bool(ignore_border), stride=stride,
              pad=pad, mode=mode)(x)


def max_pool_2d_same_size(input, patch_size):
    """Keep each window's maximum in place and zero the rest (Theano's helper)."""
    x = L.as_tensor_variable(input)
    pooled = pool_2d(x, patch_size, ignore_border=True)
    up = S.repeat(S.repeat(pooled, patch_size[0], axis=x.ndim - 2), patch_size[1], axis=x.ndim - 1)
    return E.switch(E.eq(x, up), x, S.zeros_like(x))
