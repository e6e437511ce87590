"""``pool_3d``, and ``pool_2d`` whose ``ws``/``stride``/``pad`` are symbolic ints: Theano's Pool over N dims.

The lowering is ``symconv.ops.poolnd.pool_nd``; sizes that are variables are
read when the function runs (each new value compiles the function once more).
"""
from ...graph import Variable
from ...op import Op
from ...ops import literals as L
from ...ops import poolnd
from ...ops.shape_ops import int_vector
from ...ops.shapes import static_entries
from ...type import TensorType


def _sizes(value, n, name, default):
    if value is None:
        value = default
    if isinstance(value, Variable):  # kept as it is: a function's input is then read when the function runs
        if value.ndim != 1 or value.dtype[:3] not in ("int", "uin") or value.type.shape[0] not in (None, n):
            raise TypeError(f"pool_{n}d: {name} must be {n} ints or an int vector of length {n}, got {value!r} "
                            f"of type {value.type}")
        return value
    values = (value,) * n if isinstance(value, int) else tuple(value)
    if len(values) != n:
        raise ValueError(f"pool_{n}d: {name} must have {n} entries, got {value!r}")
    return int_vector([v if isinstance(v, Variable) else int(v) for v in values])


def _entries(vector, n):
    return static_entries(vector) if vector.type.shape[0] == n else [None] * n


def _pool_infer(x, ws, stride, pad, *, n, ignore_border, mode):
    sizes = [_entries(v, n) for v in (ws, stride, pad)]
    spatial = [poolnd.window_count(size, *args, ignore_border) for size, *args in zip(x.type.shape[-n:], *sizes)]
    return [TensorType(x.dtype, x.type.shape[:-n] + tuple(spatial))]


def _pool_impl(x, ws, stride, pad, *, n, ignore_border, mode):
    return poolnd.pool_nd(x, ws, stride, pad, ignore_border=ignore_border, mode=mode)


def pool(input, n, ws, ignore_border, stride, pad, mode):
    """Theano's Pool over the last `n` dims of `input`; ws/stride/pad ints, sequences or int vectors."""
    x = L.as_tensor_variable(input)
    if ws is None:
        raise TypeError(f"pool_{n}d needs the window size ws")
    if x.ndim < n:
        raise TypeError(f"pool_{n}d needs an input with {n} or more dimensions, got {x!r} with {x.ndim}")
    if mode not in poolnd.POOL_MODES:
        raise ValueError(f"pool_{n}d mode must be one of {poolnd.POOL_MODES}, got {mode!r}")
    ignore_border = True if ignore_border is None else bool(ignore_border)  # Theano 1.0's default
    ws = _sizes(ws, n, "ws", None)
    stride = ws if stride is None else _sizes(stride, n, "stride", None)
    pad = _sizes(pad, n, "pad", (0,) * n)
    known = [_entries(v, n) for v in (ws, stride, pad)]
    if all(None not in k for k in known):
        poolnd.check_sizes(*known, ignore_border)
    return Op(f"pool_{n}d", _pool_impl, infer=_pool_infer, n=n, ignore_border=ignore_border, mode=mode)(
        x, ws, stride, pad)


def pool_3d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0, 0), mode="max", ds=None, st=None,
            padding=None):
    """Theano's ``pool_3d``: max, sum or average pooling over the last three dimensions."""
    return pool(input, 3, ws if ws is not None else ds, ignore_border, stride if stride is not None else st,
                padding if padding is not None else pad, mode)


def uses_variables(*values):
    """Whether any pooling size is symbolic (then pool_2d is this module's op, not the fixed-size kernel)."""
    return any(isinstance(v, Variable) or isinstance(v, (tuple, list)) and any(isinstance(e, Variable) for e in v)
               for v in values)
