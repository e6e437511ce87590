"""Shared variables: named state that lives on the device between calls.

A compiled function reads them without a host copy and writes its updates
back in place (their buffers are donated to XLA), so a data set that is never
updated is transferred once, when it is set.

With ``config.devices`` > 1, a data set that compiled functions read only by
minibatches ``data[i * B:(i + 1) * B]`` is stored split by minibatch over the
devices instead of replicated (``mesh.Blocked``, made on the first call of such
a function and kept, per mesh and B, until ``set_value``); ``get_value``,
pickling and any other use still see the one logical array.
"""
import jax
import numpy as np

from ..config import config
from ..errors import warn_user
from ..graph import Variable, clone_replace, leaves
from ..ops.variable import TensorVariable
from ..type import TensorType
from .mesh import block, current_mesh, place, unblock


_WARNED_DEVICES = set()


def _device():
    """The device config.device names; JAX's default (with a warning) if it is not there, unless force_device."""
    wanted = config.device
    if wanted is None:
        return None
    kind = "gpu" if str(wanted).startswith(("cuda", "gpu")) else str(wanted)
    try:
        return jax.devices(kind)[0]
    except RuntimeError as exc:
        if config.force_device:
            raise RuntimeError(f"symconv.config.device={wanted!r} (force_device=True) but JAX sees no {kind} device: "
                               f"{str(exc).splitlines()[0]}") from None
    fallback = jax.devices()[0]
    if wanted not in _WARNED_DEVICES:
        _WARNED_DEVICES.add(wanted)
        warn_user(f"symconv.config.device={wanted!r} but JAX sees no {kind} device; using {fallback} instead "
                  "(set force_device=True to make this an error)", RuntimeWarning)
    return fallback


def to_device(array):
    """`array` on config.device, or replicated on every device of the mesh when ``config.devices`` > 1."""
    mesh = current_mesh()
    if mesh is not None:
        return place(array, mesh)
    return jax.device_put(array, _device())


class SharedVariable(TensorVariable):
    """A variable whose value persists across calls: ``W = symconv.shared(np.zeros((784, 10)), name='W')``."""

    def __init__(self, value, name=None, strict=False, allow_downcast=None, shape=None, broadcastable=None):
        array = np.asarray(value)
        if broadcastable is not None:
            shape = tuple(1 if b else None for b in broadcastable)
        # Like Theano, the type fixes dtype and rank only: set_value may change the shape.
        super().__init__(TensorType(array.dtype, shape if shape is not None else (None,) * array.ndim), name=name)
        self.strict, self.allow_downcast = strict, allow_downcast
        self.default_update = None
        self._blocked = {}  # (mesh, batch) -> (Blocked, the rows past its last minibatch): see minibatches()
        self._value = to_device(array)

    def get_value(self, borrow=False, return_internal_type=False):
        """The current value as a NumPy array (a copy unless `borrow`); the device array if `return_internal_type`."""
        if self._value is None:  # held only split by minibatch
            if not return_internal_type:
                return self._logical()
            self._value = to_device(self._logical())  # kept too from now on: the replicated fallback
        if return_internal_type:
            return self._value
        return np.asarray(self._value) if borrow else np.array(self._value)

    def _logical(self):
        blocked, tail = next(iter(self._blocked.values()))
        return np.concatenate([unblock(blocked), tail])

    def rows(self):
        """The length of the value's first axis, without moving the value."""
        if self._value is not None:
            return self._value.shape[0]
        return next(iter(self._blocked.values()))[0].rows

    def minibatches(self, mesh, batch):
        """The value as a ``mesh.Blocked`` for minibatches of `batch` rows on `mesh` (made once and kept; the
        replicated copy is dropped then, and made again only if something reads the value another way)."""
        held = self._blocked.get((mesh, batch))
        if held is None:
            array = self.get_value(borrow=True)
            held = self._blocked[(mesh, batch)] = _split_by_minibatch(array, mesh, batch)
            self._value = None
        return held[0]

    @property
    def storage(self):
        """The device arrays that hold the value: ``{None: the replicated (or one-device) array}`` and/or
        ``{batch: the Blocked array split by minibatches of batch rows}``."""
        held = {None: self._value} if self._value is not None else {}
        held.update({batch: blocked.array for (_, batch), (blocked, _) in self._blocked.items()})
        return held

    def keep_placed(self, value):
        """The replicated copy, moved onto a function's mesh (the value itself unchanged)."""
        self._value = value

    def set_value(self, value, borrow=False):
        """Replace the value; the dtype must match (or cast without loss), the rank must match.

        With `borrow`, a device array of the exact type is kept as it is (no copy,
        no host round trip): how a compiled function writes its updates back.
        """
        if borrow and isinstance(value, jax.Array) and str(value.dtype) == self.type.dtype \
                and self.type.compatible_shape(value.shape):
            self._value = value
            self._blocked = {}
            return
        array = self.filter(value)
        # A data set held split by minibatch is stored the same way again (the replicated copy only if held).
        layouts = [key for key in self._blocked if array.ndim and array.shape[0] >= key[1]]
        self._value = to_device(array) if self._value is not None or not layouts else None
        self._blocked = {key: _split_by_minibatch(array, *key) for key in layouts}

    def filter(self, value, strict=None, allow_downcast=None):
        """`value` as an array of this variable's type, by Theano's rules (``TensorType.filter``).

        An ndarray of the exact dtype is kept; with `strict` nothing else is; with
        `allow_downcast` anything is cast; otherwise an ndarray is cast only to a
        dtype that holds all its values' dtype (float64 into float32 is refused),
        a Python float is cast to floatX, and any other value (Python or NumPy
        scalar, list) only if the cast loses nothing (0.5 into float32 or 4 into
        int32, not 0.5 into int32).
        """
        strict = self.strict if strict is None else strict
        allow_downcast = self.allow_downcast if allow_downcast is None else allow_downcast
        if isinstance(value, Variable):
            raise TypeError(f"shared variable {self!r}: expected an array-like value, but found the symbolic variable "
                            f"{value!r}; to compute a value from it, compile a function")
        dtype = np.dtype(self.type.dtype)
        if isinstance(value, jax.Array):
            value = np.asarray(value)
        if isinstance(value, np.ndarray) and value.dtype == dtype:
            array = value
        elif strict:
            if not isinstance(value, np.ndarray):
                raise TypeError(f"shared variable {self!r} is strict: {self.type} expected a ndarray object, got "
                                f"{type(value).__name__}")
            raise TypeError(f"shared variable {self!r} is strict: {self.type} expected a ndarray object with dtype = "
                            f"{dtype} (got {value.dtype})")
        else:
            array = np.asarray(value)
            if array.dtype.kind == "c" and dtype.kind != "c":
                raise TypeError(f"shared variable {self!r} is {self.type.dtype}; the new value is complex "
                                f"({array.dtype}): pass value.real explicitly")
            if allow_downcast:
                array = array.astype(dtype)
            elif isinstance(value, np.ndarray):
                if np.promote_types(dtype, array.dtype) != dtype:
                    raise TypeError(
                        f"shared variable {self!r}: {self.type} cannot store a value of dtype {array.dtype} without "
                        f"risking loss of precision. Convert it first: value.astype({self.type.dtype!r}), or create "
                        "the shared variable with allow_downcast=True")
                array = array.astype(dtype)
            elif allow_downcast is None and type(value) is float and dtype == config.floatX:
                array = array.astype(dtype)  # Python float literals go to floatX, as in Theano
            else:
                converted = array.astype(dtype) if array.dtype != object else None
                with np.errstate(invalid="ignore"):
                    exact = converted is not None and converted.shape == array.shape and bool(np.all(
                        (converted == array) | (np.isnan(converted) & np.isnan(array))
                        if array.dtype.kind in "fc" and dtype.kind in "fc" else converted == array))
                if not exact:
                    shown = str(value) if len(str(value)) <= 80 else str(value)[:75] + "(...)"
                    raise TypeError(
                        f"shared variable {self!r}: {self.type} cannot store accurately value {shown}, it would be "
                        f"represented as {converted}. Convert it first to a numpy array of dtype {self.type.dtype}, "
                        "or create the shared variable with allow_downcast=True")
                array = converted
        if array.ndim != self.type.ndim:
            raise TypeError(f"shared variable {self!r} has {self.type.ndim} dimensions ({self.type}), "
                            f"the new value has {array.ndim} (shape {array.shape})")
        if not self.type.compatible_shape(array.shape):
            raise TypeError(f"shared variable {self!r} was declared with shape {self.type.shape}, got {array.shape}")
        return array

    @property
    def container(self):
        return self

    def clone(self):
        """A new variable holding this one's value, not a copy of it (Theano's clone shares the container).

        As Theano's, the clone has no default update of its own: a function that reads
        only the clone leaves the value as it is.
        """
        return SharedAlias(self)

    def __getstate__(self):
        state = super().__getstate__()
        state["_value"] = np.asarray(self._value) if self._value is not None else self._logical()
        state.pop("_blocked", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._blocked = {}
        self._value = to_device(state["_value"])

    def own_test_value(self):
        """A shared variable's test value is its value (``compute_test_value``)."""
        return self.get_value(borrow=True)

    def __str__(self):
        return self.name or f"<SharedVariable {self.type}>"


def _split_by_minibatch(array, mesh, batch):
    """`array` split by minibatches of `batch` rows over `mesh`, and a host copy of the rows past the last one."""
    return block(array, mesh, batch), np.array(array[array.shape[0] // batch * batch:])


def shared(value, name=None, strict=False, allow_downcast=None, borrow=False, **kwargs):
    """Theano's ``theano.shared``: a SharedVariable initialised with `value` (copied to the device)."""
    if isinstance(value, Variable):
        raise TypeError(f"shared() needs a value (a NumPy array or number), got the symbolic variable {value!r}")
    return SharedVariable(value, name=name, strict=strict, allow_downcast=allow_downcast, **kwargs)


def _held_by_origin(name):
    """An attribute a SharedAlias reads and writes on its origin (the value and its minibatch split)."""
    return property(lambda self: getattr(self.origin, name), lambda self, value: setattr(self.origin, name, value))


class SharedAlias(SharedVariable):
    """A clone of a shared variable: another variable whose value *is* the original's.

    Setting either (``set_value``, or an update of a function) changes both, as
    Theano's clones of a shared variable share its container: Lasagne's batch
    normalization updates its running averages through such a clone.
    """

    def __init__(self, origin):  # noqa: super().__init__ would make a value of its own
        TensorVariable.__init__(self, origin.type, name=origin.name)
        self.origin = origin.origin if isinstance(origin, SharedAlias) else origin
        self.strict, self.allow_downcast = origin.strict, origin.allow_downcast
        self.default_update = None

    _value = _held_by_origin("_value")
    _blocked = _held_by_origin("_blocked")


def resolve_aliases(outputs, update_pairs):
    """`outputs` and `update_pairs` with every ``SharedAlias`` replaced by the variable whose value it is.

    A function then reads and updates one value where a graph names it twice (a
    shared variable and its clone), as Theano's shared container is one storage.
    """
    graphs = list(outputs) + [u for _, u in update_pairs]
    aliases = {v: v.origin for v in leaves(graphs + [s for s, _ in update_pairs]) if isinstance(v, SharedAlias)}
    if not aliases:
        return list(outputs), list(update_pairs)
    graphs = clone_replace(graphs, aliases)
    targets = [aliases.get(s, s) for s, _ in update_pairs]
    return graphs[:len(outputs)], list(zip(targets, graphs[len(outputs):]))
