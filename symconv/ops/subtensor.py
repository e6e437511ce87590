"""Indexing: ``x[i]``, ``x[a:b]`` with symbolic bounds, ``M[T.arange(n), y]``, set/inc_subtensor.

A slice whose bounds are only known at run time but whose length is provably
constant (``data[i * n:(i + 1) * n]``) lowers to ``lax.dynamic_slice``: no
recompilation per index and no host copy.  Indices that run out of bounds are
reported as errors rather than clamped, as JAX's gather would.
"""
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ..contract import NeedsStaticValue, record_check
from ..errors import GraphBuildError
from ..graph import SourceLine, Variable
from ..interpret import static_value
from ..op import Op
from ..type import TensorType
from .affine import constant_difference
from .elemwise import cast
from .literals import as_tensor_variable
from .shape_ops import dimshuffle

# An index spec is a tuple with one entry per indexed axis (a newaxis is a slice of an inserted axis):
#   ("int", ref)                   integer index
#   ("slice", start, stop, step, length)  refs or None; length: proven constant or None
#   ("array", ref)                 integer-array (advanced) index
# A ref is ("const", value) or ("input", position among the op's extra inputs).


class Subtensor(Op):
    """``x[index]``; `spec` describes the index (see above), its run-time parts are the extra inputs."""

    def __init__(self, spec, newaxis=False):
        super().__init__("subtensor", _subtensor_impl, infer=_subtensor_infer, spec=spec, _newaxis=newaxis)


def subtensor(x, index):
    """``x[index]`` with Python/NumPy indexing semantics on symbolic tensors."""
    x = as_tensor_variable(x)
    index = _expand(index if isinstance(index, tuple) else (index,), x.ndim)
    real = [entry for entry in index if entry is not None]
    if len(real) > x.ndim:
        raise IndexError(f"too many indices for {x!r}: it has {x.ndim} dimensions, {len(real)} were given")
    newaxis = any(entry is None for entry in index)
    if newaxis:
        # NumPy's newaxis is a full slice over a new length-1 axis (also where it separates integer arrays).
        axes = iter(range(x.ndim))
        x = dimshuffle(x, *["x" if entry is None else next(axes) for entry in index], *axes)
        index = tuple(slice(None) if entry is None else entry for entry in index)
    extra, spec = [], []
    for entry in index:
        spec.append(_entry_spec(entry, extra))
    spec = tuple(spec)
    _check_static_bounds(x, extra, spec)
    return Subtensor(spec, newaxis)(x, *extra)


def _check_static_bounds(x, extra, spec):
    """Integer indices known when the graph is built, on axes of known length, must be in range."""
    for axis, entry in enumerate(spec):
        dim = x.type.shape[axis]
        if entry[0] == "slice" or dim is None:
            continue
        ref = entry[1]
        values = np.asarray(ref[1] if ref[0] == "const" else static_value(extra[ref[1]]))
        if values.dtype == object or values.size == 0:
            continue
        bad = (values < -dim) | (values >= dim)
        if bad.any():
            line = SourceLine.capture()
            raise IndexError(f"index {values[bad].ravel()[0]} is out of bounds for axis {axis} with size {dim} "
                             f"of {x!r} ({x.type})" + (f"\n  at {line}" if line else ""))


def _expand(index, ndim):
    if any(e is Ellipsis for e in index):
        at = [i for i, e in enumerate(index) if e is Ellipsis]
        if len(at) > 1:
            raise IndexError("an index can only have a single ellipsis")
        used = sum(1 for e in index if e is not None and e is not Ellipsis)
        index = index[: at[0]] + (slice(None),) * (ndim - used) + index[at[0] + 1:]
    return index


def _ref(value, extra):
    if value is None:
        return None
    if isinstance(value, Variable):
        folded = static_value(value)
        if folded is None:
            if value.ndim != 0 or value.dtype[0] not in "iub":
                raise TypeError(f"slice bounds must be integer scalars, got {value!r} ({value.type})")
            extra.append(value)
            return ("input", len(extra) - 1)
        value = folded
    if np.ndim(value) != 0 or np.asarray(value).dtype.kind not in "iu":
        raise TypeError(f"index {value!r} is not an integer")
    return ("const", int(value))


def _entry_spec(entry, extra):
    if isinstance(entry, slice):
        refs = [_ref(part, extra) for part in (entry.start, entry.stop, entry.step)]
        length = None
        if refs[0] is not None and refs[1] is not None and (refs[2] is None or refs[2] == ("const", 1)):
            if "input" in (refs[0][0], refs[1][0]):
                length = constant_difference(as_tensor_variable(entry.stop), as_tensor_variable(entry.start))
        return ("slice", *refs, length)
    if isinstance(entry, (list, np.ndarray)) or (isinstance(entry, Variable) and entry.ndim > 0):
        array = as_tensor_variable(entry)
        if array.dtype == "bool":
            raise IndexError(
                f"boolean mask indexing of {entry!r} gives a shape that depends on the data, which one compiled "
                "XLA computation cannot have; use T.switch(mask, x, 0) instead")
        if array.dtype[0] not in "iu":
            raise IndexError(f"index arrays must be integers, got {array!r} ({array.type})")
        extra.append(array)
        return ("array", ("input", len(extra) - 1))
    if isinstance(entry, (bool, np.bool_)):
        raise IndexError("boolean scalars are not valid indices")
    return ("int", _ref(entry, extra))


def _subtensor_infer(x, *extra, spec, _newaxis=False):

    if any(kind == "array" for kind, *_ in spec):
        probe = [jax.ShapeDtypeStruct(tuple(1 if d is None else d for d in v.type.shape), v.dtype) for v in extra]
        shapes = [jax.ShapeDtypeStruct(tuple(8 if d is None else d for d in x.type.shape), x.dtype)]
        out = jax.eval_shape(lambda a, *e: _gather(a, e, spec, checks=False), *shapes, *probe)
        advanced = _advanced_shape(x, extra, spec)
        return [TensorType(x.dtype, advanced if advanced is not None else (None,) * len(out.shape))]
    shape = []
    for axis, entry in enumerate(spec):
        dim = x.type.shape[axis]
        if entry[0] == "slice":
            _, start, stop, step, length = entry
            if all(r is None or r[0] == "const" for r in (start, stop, step)) and dim is not None:
                shape.append(len(range(*slice(*(None if r is None else r[1] for r in (start, stop, step))).indices(dim))))
            else:
                shape.append(length)
    shape.extend(x.type.shape[len(spec):])
    return [TensorType(x.dtype, tuple(shape))]


def _advanced_shape(x, extra, spec):
    """Static shape for the common all-arrays-adjacent case; None if not simply known."""
    arrays = [extra[e[1][1]] for e in spec if e[0] == "array"]
    if any(e[0] == "slice" and e[1:4] != (None, None, None) for e in spec) or any(e[0] == "int" for e in spec):
        return None
    shapes = [a.type.shape for a in arrays]
    if len({len(s) for s in shapes}) != 1:
        return None
    broadcast = []
    for dims in zip(*shapes):
        known = {d for d in dims if d is not None and d != 1}
        broadcast.append(known.pop() if len(known) == 1 and None not in dims else (1 if set(dims) == {1} else None))
    first = next(i for i, e in enumerate(spec) if e[0] == "array")
    rest = [x.type.shape[i] for i, e in enumerate(spec) if e[0] == "slice"] + list(x.type.shape[len(spec):])
    return tuple(rest[:first] + broadcast + rest[first:])


def _value(ref, extra):
    if ref is None:
        return None
    return ref[1] if ref[0] == "const" else extra[ref[1]]


def _is_concrete(v):
    return v is None or not isinstance(v, jax.core.Tracer)


def _subtensor_impl(x, *extra, spec, _newaxis=False):
    if any(kind == "array" for kind, *_ in spec):
        return _gather(x, extra, spec, checks=True)

    axis = 0
    for entry in spec:
        dim = x.shape[axis]
        if entry[0] == "int":
            i = _value(entry[1], extra)
            if _is_concrete(i):
                i = int(i)
                if not -dim <= i < dim:
                    raise IndexError(f"index {i} is out of bounds for axis {axis} with size {dim}")
                x = lax.index_in_dim(x, i % dim, axis, keepdims=False)
            else:
                record_check((i >= -dim) & (i < dim), f"index {{}} is out of bounds for axis {axis} with size {dim}", i)
                x = lax.dynamic_index_in_dim(x, jnp.where(i < 0, i + dim, i), axis, keepdims=False)
            continue
        _, start, stop, step, length = entry
        parts = [_value(r, extra) for r in (start, stop, step)]
        if all(_is_concrete(p) for p in parts):
            x = x[(slice(None),) * axis + (slice(*[None if p is None else int(p) for p in parts]),)]
        elif length is not None and length >= 0:
            begin = _checked_start(parts[0], length, dim, axis)
            x = lax.dynamic_slice_in_dim(x, begin, length, axis)
        else:
            raise NeedsStaticValue("a slice whose length depends on run-time values")
        axis += 1
    return x


def _checked_start(begin, length, dim, axis):
    """Start of the run-time slice ``[begin:begin + length]``, whose bounds must lie inside the axis.

    Both bounds negative count from the end, as in NumPy (``x[-3:-1]``); a slice
    that NumPy would shorten or empty is an IndexError (``record_check``).
    """

    start = jnp.where((begin < 0) & (begin + length < 0), begin + dim, begin)
    record_check((start >= 0) & (start + length <= dim),
                 f"slice [{{}}:{{}}] is out of bounds for axis {axis} with size {dim}", begin, begin + length)
    return jnp.clip(start, 0, max(dim - length, 0))


def _gather_index(x, extra, spec, checks):
    """The NumPy-style index tuple for advanced indexing (bounds-checked)."""

    index = []
    for axis, entry in enumerate(spec):
        dim = x.shape[axis]
        if entry[0] == "slice":
            parts = [_value(r, extra) for r in entry[1:4]]
            if not all(_is_concrete(p) for p in parts):
                raise NeedsStaticValue("a slice bound mixed with advanced indexing")
            index.append(slice(*[None if p is None else int(p) for p in parts]))
            continue
        i = _value(entry[1], extra)
        if checks:
            if _is_concrete(i):
                bad = np.asarray((np.asarray(i) < -dim) | (np.asarray(i) >= dim))
                if bad.any():
                    raise IndexError(f"index {np.asarray(i)[bad].ravel()[0]} is out of bounds for axis {axis} with size {dim}")
            else:
                inside = (i >= -dim) & (i < dim)
                first_bad = jnp.asarray(i).ravel()[jnp.argmin(jnp.asarray(inside).ravel())] if jnp.ndim(i) else i
                record_check(jnp.all(inside), f"index {{}} is out of bounds for axis {axis} with size {dim}", first_bad)
        index.append(jnp.where(i < 0, i + dim, i) if not _is_concrete(i) else i)
    return tuple(index)


def _gather(x, extra, spec, checks):
    return x[_gather_index(x, extra, spec, checks)]


def _update_impl(x, y, *extra, spec, mode):
    y = jnp.asarray(y, x.dtype)
    if any(kind == "array" for kind, *_ in spec):
        return _at_update(x.at[_gather_index(x, extra, spec, checks=True)], y, mode)
    refs = [r for e in spec for r in (e[1:2] if e[0] == "int" else e[1:4])]
    if all(_is_concrete(_value(r, extra)) for r in refs):
        return _at_update(x.at[_static_index(x, extra, spec)], y, mode)
    return _dynamic_update(x, y, extra, spec, mode)


def _at_update(target, y, mode):
    return target.set(y) if mode == "set" else target.add(y)


def _static_index(x, extra, spec):
    index = []
    for axis, entry in enumerate(spec):
        if entry[0] == "int":
            i, dim = int(_value(entry[1], extra)), x.shape[axis]
            if not -dim <= i < dim:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {dim}")
            index.append(i)
        else:
            index.append(slice(*[None if r is None else int(_value(r, extra)) for r in entry[1:4]]))
    return tuple(index)


def _dynamic_update(x, y, extra, spec, mode):
    """Run-time int indices and fixed-length slices: one dynamic_update_slice (bounds-checked)."""

    starts, sizes, kept = [], [], []
    for axis, entry in enumerate(spec):
        dim = x.shape[axis]
        if entry[0] == "int":
            i = _value(entry[1], extra)
            record_check((i >= -dim) & (i < dim), f"index {{}} is out of bounds for axis {axis} with size {dim}", i)
            starts.append(jnp.where(i < 0, i + dim, i))
            sizes.append(1)
            continue
        parts = [_value(r, extra) for r in entry[1:4]]
        length = entry[4]
        if all(_is_concrete(p) for p in parts):
            begin, end, step = slice(*[None if p is None else int(p) for p in parts]).indices(dim)
            if step != 1:
                raise NeedsStaticValue("a strided slice updated at a run-time position")
            starts.append(begin)
            sizes.append(max(end - begin, 0))
        elif length is not None and length >= 0 and _unit_step(parts[2]):
            starts.append(_checked_start(parts[0], length, dim, axis))
            sizes.append(length)
        else:
            raise NeedsStaticValue("a slice whose length depends on run-time values")
        kept.append(axis)
    starts += [0] * (x.ndim - len(spec))
    sizes += list(x.shape[len(spec):])
    region_shape = [sizes[a] for a in range(x.ndim) if a in kept or a >= len(spec)]
    y = jnp.broadcast_to(y, region_shape).reshape(sizes)
    starts = [jnp.asarray(s, "int64") for s in starts]
    if mode == "inc":
        y = lax.dynamic_slice(x, starts, sizes) + y
    return lax.dynamic_update_slice(x, y, starts)


def _unit_step(step):
    return step is None or (_is_concrete(step) and int(step) == 1)


def _update(subtensor_output, y, mode):
    node = getattr(subtensor_output, "owner", None)
    if node is None or not isinstance(node.op, Subtensor):
        raise TypeError(
            f"{'set' if mode == 'set' else 'inc'}_subtensor's first argument must be an indexed tensor such as "
            f"x[2:5] or x[idx], got {subtensor_output!r}")
    if node.op.params["_newaxis"]:
        raise TypeError(f"{mode}_subtensor of an index with newaxis (None) is not supported; index without it")
    x, *extra = node.inputs
    y = as_tensor_variable(y)
    if y.ndim > subtensor_output.ndim:
        raise TypeError(f"cannot {mode} {y!r} with {y.ndim} dims into {subtensor_output!r} with {subtensor_output.ndim}")
    region = subtensor_output.type.shape[subtensor_output.ndim - y.ndim:]
    if any(r is not None and d is not None and d not in (1, r) for d, r in zip(y.type.shape, region)):
        raise GraphBuildError(f"{mode}_subtensor: {y!r} of shape {y.type.shape} cannot be broadcast to the indexed "
                              f"region of shape {subtensor_output.type.shape}")
    return Op(f"{mode}_subtensor", _update_impl, infer=_update_infer, spec=node.op.params["spec"],
              mode=mode)(x, cast(y, x.dtype), *extra)


def _update_infer(x, y, *extra, spec, mode):
    return [x.type]


def set_subtensor(x_indexed, y):
    """A copy of the indexed tensor with ``x[index] = y`` (Theano's set_subtensor)."""
    return _update(x_indexed, y, "set")


def inc_subtensor(x_indexed, y):
    """A copy of the indexed tensor with ``x[index] += y`` (repeated indices accumulate)."""
    return _update(x_indexed, y, "inc")
