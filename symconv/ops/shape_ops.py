"""Shape ops: shape, dimshuffle, reshape, flatten, alloc, arange, concatenate, repeat, eye, ...

Where an output's shape depends on input *values* (reshape, alloc, arange,
repeat, eye), the op declares a small ``infer`` from what is known when the
graph is built, and its lowering asks for the values it needs as Python ints
(``concrete_ints``): known while tracing, or made static by the compiler.
"""
import builtins

import jax.numpy as jnp
import numpy as np

from .. import dtypes as D
from ..config import config
from ..contract import concrete_ints, record_check
from ..errors import GraphBuildError
from ..graph import Variable
from ..interpret import static_value
from ..op import Op
from ..type import TensorType
from .elemwise import add, cast
from .literals import as_tensor_variable, constant, stack, tensors
from .shapes import normalize_axes, show_shape, static_entries


def _shape_impl(x):
    # Shapes are known while tracing: computing them in NumPy keeps every
    # shape-derived value a Python-time constant (slice bounds, arange, reshape).
    return np.asarray(x.shape, dtype="int64")


def _shape_infer(x):
    return [TensorType("int64", (x.ndim,))]


class Shape(Op):
    """The shape of a tensor as an int64 vector; known from the type alone where the type's shape is."""

    def __init__(self):
        super().__init__("shape", _shape_impl, infer=_shape_infer)

    def static_output(self, node):
        shape = node.inputs[0].type.shape
        return None if None in shape else np.asarray(shape, dtype="int64")


def shape(x):
    """The shape of `x` as an int64 vector (known at trace time, so it costs nothing at run time)."""
    return Shape()(as_tensor_variable(x))


def shape_padleft(x, n_ones=1):
    return dimshuffle(x, *(["x"] * n_ones + list(range(as_tensor_variable(x).ndim))))


def shape_padright(x, n_ones=1):
    return dimshuffle(x, *(list(range(as_tensor_variable(x).ndim)) + ["x"] * n_ones))


def shape_padaxis(x, axis):
    x = as_tensor_variable(x)
    pattern = list(range(x.ndim))
    pattern.insert(axis % (x.ndim + 1), "x")
    return dimshuffle(x, *pattern)


def _dimshuffle_impl(x, *, pattern, drop):
    x = jnp.squeeze(x, axis=drop) if drop else x
    kept = [p for p in pattern if p != "x"]
    order = sorted(kept)
    x = jnp.transpose(x, [order.index(p) for p in kept])
    for i, p in enumerate(pattern):
        if p == "x":
            x = jnp.expand_dims(x, i)
    return x


def dimshuffle(x, *pattern):
    """Theano's dimshuffle: reorder dims, 'x' inserts a broadcastable dim, omitted dims must be length 1."""
    x = as_tensor_variable(x)
    if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
        pattern = tuple(pattern[0])
    kept = [p for p in pattern if p != "x"]
    if len(set(kept)) != len(kept) or builtins.any(not isinstance(p, (int, np.integer)) or not 0 <= p < x.ndim for p in kept):
        raise ValueError(f"invalid dimshuffle pattern {pattern} for {x!r} with {x.ndim} dimensions")
    drop = tuple(i for i in range(x.ndim) if i not in kept)
    for i in drop:
        if x.type.shape[i] != 1:
            raise ValueError(
                f"dimshuffle{pattern} drops dimension {i} of {x!r} ({x.type}), which is not known to be "
                "broadcastable (length 1)")
    return Op("dimshuffle", _dimshuffle_impl, pattern=tuple(p if p == "x" else int(p) for p in pattern), drop=drop)(x)


def _transpose_impl(x, *, axes):
    return jnp.transpose(x, axes)


def transpose(x, *axes):
    x = as_tensor_variable(x)
    if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
        axes = axes[0]
    axes = tuple(int(a) for a in axes) if axes else tuple(reversed(range(x.ndim)))
    out = Op("transpose", _transpose_impl, axes=axes)(x)
    if x.name and axes == tuple(reversed(range(x.ndim))):
        out.name = x.name + ".T"  # as Theano names a named variable's transpose
    return out


def _flatten_impl(x, *, ndim):
    return x.reshape(x.shape[: ndim - 1] + (-1,))


def flatten(x, ndim=1, outdim=None):
    """Keep the first ndim-1 dims, collapse the rest (Theano's flatten(ndim))."""
    ndim = outdim or ndim
    x = as_tensor_variable(x)
    if not 1 <= ndim <= builtins.max(x.ndim, 1):
        raise ValueError(f"flatten(ndim={ndim}) needs 1 <= ndim <= {x.ndim} for {x!r}")
    return Op("flatten", _flatten_impl, ndim=ndim)(x)


def int_vector(values):
    """A shape-like argument (tuple of ints/scalars, or an int vector) as one int64 vector variable."""
    if isinstance(values, Variable):
        if values.ndim == 0:
            values = [values]
        else:
            return cast(values, "int64")
    if isinstance(values, (int, np.integer)):
        values = [values]
    return stack([cast(as_tensor_variable(v), "int64") for v in values]) if values else constant(np.zeros(0, "int64"))


def is_view(node):
    """Whether `node` only rearranges its first input (dimshuffle, transpose, flatten, reshape): Theano's views."""
    return node.op.impl in (_dimshuffle_impl, _transpose_impl, _flatten_impl, _reshape_impl)


def _reshape_impl(x, shape):
    return jnp.reshape(x, concrete_ints(shape, "reshape's shape"))


def _reshape_infer(x, shape):
    length = shape.type.shape[0]
    if length is None:
        raise TypeError("reshape needs the number of dimensions: pass ndim= when the shape is a symbolic vector")
    dims = static_entries(shape, keep_negative=True)
    negative = [d for d in dims if d is not None and d < 0]
    if len(negative) > 1 or builtins.any(d < -1 for d in negative):
        raise GraphBuildError(f"reshape of {x!r} to {show_shape(dims)}: one entry at most may be -1, no other < 0")
    if None not in x.type.shape and None not in dims:
        size, rest = int(np.prod(x.type.shape)), int(np.prod([d for d in dims if d != -1]))
        if -1 in dims and rest and size % rest == 0:
            dims[dims.index(-1)] = size // rest
        elif -1 in dims or rest != size:
            raise GraphBuildError(f"cannot reshape {x!r} of shape {x.type.shape} to {show_shape(dims)}")
    return [TensorType(x.dtype, tuple(None if d is None or d < 0 else d for d in dims))]


def _specify_length_impl(shape, *, length):
    return shape


def _specify_length_infer(shape, *, length):
    return [TensorType("int64", (length,))]


def specify_length(vector, length):
    """`vector` (an int vector of unknown length) declared to have `length` entries."""
    return Op("specify_length", _specify_length_impl, infer=_specify_length_infer, length=int(length))(vector)


def _specify_shape_impl(x, shape):
    for axis in range(x.ndim):
        record_check(shape[axis] == x.shape[axis], f"specify_shape: dimension {axis} has size {{}}, expected {{}}",
                     x.shape[axis], shape[axis], error=AssertionError)
    return x


def _specify_shape_infer(x, shape):
    length = shape.type.shape[0]
    if length is not None and length != x.ndim:
        raise GraphBuildError(f"specify_shape of {x!r} ({x.ndim} dimensions) to {length} dimensions")
    dims = static_entries(shape)
    # known sizes become static; a size 1 only where x is already broadcastable (its type stays x's, as Theano's)
    merged = [own if d is None or (d == 1 and own is None) else d for own, d in zip(x.type.shape, dims)]
    return [TensorType(x.dtype, tuple(merged))]


def specify_shape(x, shape):
    """`x`, declared to have `shape` (ints or scalars); calling the function checks it (AssertionError), as
    Theano's ``SpecifyShape``.  Sizes known when the graph is built become static, so shapes computed from
    `x` fold to constants."""
    x = as_tensor_variable(x)
    return Op("specify_shape", _specify_shape_impl, infer=_specify_shape_infer)(x, int_vector(shape))


def reshape(x, shape, ndim=None):
    """`x` with a new shape; entries may be symbolic (e.g. ``x.shape[0]``) and one may be -1."""
    x = as_tensor_variable(x)
    shape = int_vector(shape)
    if shape.type.shape[0] is None and ndim is not None:
        shape = specify_length(shape, ndim)
    elif ndim is not None and shape.type.shape[0] != int(ndim):  # Theano: ValueError
        raise ValueError(f"reshape of {x!r}: ndim={ndim}, but the new shape {shape!r} has {shape.type.shape[0]} entries")
    return Op("reshape", _reshape_impl, infer=_reshape_infer)(x, shape)


def _alloc_impl(value, shape, *, dtype):
    return jnp.broadcast_to(jnp.asarray(value, dtype), concrete_ints(shape, "alloc's shape"))


def _alloc_infer(value, shape, *, dtype):
    return [TensorType(dtype, tuple(static_entries(shape)))]


def alloc(value, *shape, dtype=None):
    """A tensor of the given shape filled with `value` (broadcast)."""
    value = as_tensor_variable(value)
    return Op("alloc", _alloc_impl, infer=_alloc_infer, dtype=dtype or value.dtype)(value, int_vector(list(shape)))


def zeros(shape, dtype=None):
    return alloc(np.asarray(0, dtype or config.floatX), *(_shape_list(shape)))


def ones(shape, dtype=None):
    return alloc(np.asarray(1, dtype or config.floatX), *(_shape_list(shape)))


def _shape_list(shape):
    if isinstance(shape, Variable) and shape.ndim == 1:
        return [shape[i] for i in range(shape.type.shape[0])]
    return list(shape) if isinstance(shape, (list, tuple)) else [shape]


def _like_impl(x, *, value, dtype):
    return jnp.full(x.shape, value, dtype=dtype)


def zeros_like(x, dtype=None):
    x = as_tensor_variable(x)
    return Op("zeros_like", _like_impl, value=0, dtype=dtype or x.dtype)(x)


def ones_like(x, dtype=None):
    x = as_tensor_variable(x)
    return Op("ones_like", _like_impl, value=1, dtype=dtype or x.dtype)(x)


def fill(model, value):
    """`value` broadcast to the shape of `model` (Theano's fill/second)."""
    model, value = tensors((model, value))
    return add(zeros_like(model, dtype=value.dtype), value)


second = fill


def _arange_impl(start, stop, step, *, dtype):
    bounds = [concrete_ints(v, "arange's bounds")[0] if D.is_discrete(v.dtype) else float(v) for v in (start, stop, step)]
    return jnp.arange(*bounds, dtype=dtype)


def _arange_infer(start, stop, step, *, dtype):
    values = [static_value(v) for v in (start, stop, step)]
    if builtins.any(v is None for v in values):
        return [TensorType(dtype, (None,))]
    return [TensorType(dtype, np.arange(*[v.item() for v in values]).shape)]


def arange(start, stop=None, step=1, dtype=None):
    """Like numpy.arange; bounds may be symbolic scalars known at trace time (``x.shape[0]``)."""
    if stop is None:
        start, stop = 0, start
    start, stop, step = tensors((start, stop, step))
    if dtype is None:
        dtype = D.upcast(start.dtype, stop.dtype, step.dtype)
        # Theano does not keep the literals' small int types: integer ranges are 64-bit.
        dtype = {"i": "int64", "u": "uint64"}.get(np.dtype(dtype).kind, dtype)
    return Op("arange", _arange_impl, infer=_arange_infer, dtype=str(np.dtype(dtype)))(start, stop, step)


def _concatenate_impl(*xs, axis, dtype):
    return jnp.concatenate([jnp.asarray(x, dtype) for x in xs], axis=axis)


def concatenate(tensor_list, axis=0):
    xs = tensors(tensor_list)
    if len({x.ndim for x in xs}) > 1:  # Theano's Join: a TypeError
        raise TypeError("Join() can only join tensors with the same number of dimensions: "
                        + ", ".join(f"{x!r} has {x.ndim}" for x in xs))
    return Op("concatenate", _concatenate_impl, axis=axis, dtype=D.upcast(*[x.dtype for x in xs]))(*xs)


def join(axis, *tensors):
    return concatenate(tensors, axis=axis)


def _tile_impl(x, *, reps):
    return jnp.tile(x, reps)


def tile(x, reps):
    return Op("tile", _tile_impl, reps=tuple(int(r) for r in reps))(as_tensor_variable(x))


def _repeat_impl(x, *, repeats, axis):
    return jnp.repeat(x, np.asarray(repeats), axis=axis)


def repeat(x, repeats, axis=None):
    """NumPy's repeat; `repeats` an int, a constant sequence of ints (one per element along `axis`) or an int scalar."""
    if isinstance(repeats, Variable):
        known = static_value(repeats)
        if known is None:
            return _repeat_by_scalar(x, repeats, axis)
        repeats = known
    repeats = int(repeats) if np.ndim(repeats) == 0 else tuple(int(r) for r in np.ravel(repeats))
    x = as_tensor_variable(x)
    axis = None if axis is None else normalize_axes(x, axis)[0]
    return Op("repeat", _repeat_impl, infer=_repeat_infer, repeats=repeats, axis=axis)(x)


def _repeat_scalar_impl(x, repeats, *, axis):
    (count,) = concrete_ints(repeats, "repeat's repeats (a count computed from shapes is fine)")
    return jnp.repeat(x, count, axis=axis)


def _repeat_by_scalar(x, repeats, axis):
    """`repeats` a symbolic int scalar (Lasagne's: computed from the input's shape): known when the function runs."""
    x, repeats = as_tensor_variable(x), as_tensor_variable(repeats)
    if repeats.ndim != 0 or not D.is_discrete(repeats.dtype):
        raise TypeError(f"repeat's repeats must be an int, a constant sequence of ints or an int scalar, "
                        f"got {repeats!r} of type {repeats.type}")
    axis = None if axis is None else normalize_axes(x, axis)[0]
    return Op("repeat", _repeat_scalar_impl, infer=_repeat_scalar_infer, axis=axis)(x, repeats)


def _repeat_scalar_infer(x, repeats, *, axis):
    shape = list(x.type.shape) if axis is not None else [None]
    shape[axis or 0] = None
    return [TensorType(x.dtype, tuple(shape))]


def _repeat_infer(x, *, repeats, axis):
    shape = list(x.type.shape) if axis is not None else [None if None in x.type.shape else int(np.prod(x.type.shape))]
    dim = shape[axis or 0]
    if isinstance(repeats, tuple):
        if dim is not None and len(repeats) != dim:
            raise GraphBuildError(f"repeat: {len(repeats)} repeats for a dimension of length {dim} of {x!r}")
        shape[axis or 0] = builtins.sum(repeats)
    else:
        shape[axis or 0] = None if dim is None else dim * repeats
    return [TensorType(x.dtype, tuple(shape))]


def _squeeze_impl(x, *, axis):
    return jnp.squeeze(x, axis=axis)


def squeeze(x):
    """Drop the dimensions known to be of length 1."""
    x = as_tensor_variable(x)
    return Op("squeeze", _squeeze_impl, axis=tuple(i for i, d in enumerate(x.type.shape) if d == 1))(x)


def _sort_impl(x, *, fn, axis):
    return getattr(jnp, fn)(x, axis=axis)


def sort(x, axis=-1):
    return Op("sort", _sort_impl, fn="sort", axis=axis)(as_tensor_variable(x))


def argsort(x, axis=-1):
    return cast(Op("argsort", _sort_impl, fn="argsort", axis=axis)(as_tensor_variable(x)), "int64")


def _eye_impl(n, m, k, *, dtype, _shape):
    n = concrete_ints(n, "eye's size")[0]
    m = concrete_ints(m, "eye's size")[0]
    return jnp.eye(n, m, concrete_ints(k, "eye's k")[0], dtype=dtype)


def eye(n, m=None, k=0, dtype=None):
    n, m, k = tensors((n, n if m is None else m, k))
    shape = tuple(None if static_value(v) is None else int(static_value(v)) for v in (n, m))
    return Op("eye", _eye_impl, infer=_eye_infer, dtype=dtype or config.floatX, _shape=shape)(n, m, k)


def _eye_infer(n, m, k, *, dtype, _shape):
    return [TensorType(dtype, _shape)]


def identity_like(x):
    x = as_tensor_variable(x)
    return eye(shape(x)[0], shape(x)[1], dtype=x.dtype)


def _diag_impl(x):
    return jnp.diag(x)


def diag(x):
    return Op("diag", _diag_impl)(as_tensor_variable(x))


def _rebroadcast_impl(x, *, shape):
    for axis, (length, wanted) in enumerate(zip(x.shape, shape)):
        if wanted == 1 and length != 1:
            raise ValueError(f"dimension {axis} was declared broadcastable (length 1), but it has length {length}")
    return x


def _rebroadcast_infer(x, *, shape):
    return [TensorType(x.dtype, shape)]


def patternbroadcast(x, broadcastable):
    """`x` with the broadcastable pattern `broadcastable` (True: length 1, checked when run)."""
    x = as_tensor_variable(x)
    if len(broadcastable) != x.ndim:
        raise ValueError(f"patternbroadcast: pattern {tuple(broadcastable)} for {x!r} with {x.ndim} dimensions")
    shape = tuple(1 if b else (None if d == 1 else d) for b, d in zip(broadcastable, x.type.shape))
    if shape == x.type.shape:
        return x
    return Op("rebroadcast", _rebroadcast_impl, infer=_rebroadcast_infer, shape=shape)(x)


def addbroadcast(x, *axes):
    """`x` with `axes` marked broadcastable (their length must be 1), as Theano's ``T.addbroadcast``."""
    x = as_tensor_variable(x)
    wanted = set(normalize_axes(x, list(axes))) if axes else set()
    return patternbroadcast(x, [b or i in wanted for i, b in enumerate(x.broadcastable)])


def unbroadcast(x, *axes):
    """`x` with `axes` no longer marked broadcastable, as Theano's ``T.unbroadcast``."""
    x = as_tensor_variable(x)
    dropped = set(normalize_axes(x, list(axes))) if axes else set()
    return patternbroadcast(x, [b and i not in dropped for i, b in enumerate(x.broadcastable)])
