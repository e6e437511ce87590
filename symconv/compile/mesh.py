"""Data parallelism: the devices every compiled function runs on, from ``config.devices``.

With ``devices=N`` (``SYMCONV_FLAGS="devices=8"``, ``config.devices = 8`` or
``with symconv.config.change_flags(devices=8):``) a compiled function is still
one ``jax.jit`` computation, partitioned by XLA (GSPMD) over a one-axis mesh
of N devices named ``'batch'``:

- shared variables are replicated, but for a data set that a function reads
  only through minibatches ``data[i * B:(i + 1) * B]`` of one length B that N
  divides (``Blocked``): that one is stored split by minibatch, each device
  holding only the rows of its part of every minibatch (n/N rows), so it cuts
  its part from its own memory, with no gather of the data set and no host
  round trip;
- the value of each ``givens`` replacement (the minibatch
  ``train_x[index * B:(index + 1) * B]``) is split along its first axis, the
  batch axis: device k works on rows ``k * ceil(B/N)`` to ``(k + 1) * ceil(B/N)``
  (a B that N does not divide leaves the last devices fewer rows; XLA pads, no
  example is dropped or counted twice); a minibatch of fewer than N rows is an
  error, ``BatchSplitError``.  Explicit non-scalar inputs are split the same
  way when they have at least N rows, and replicated otherwise;
- outputs and updated shared values come back replicated: XLA all-reduces the
  gradients, and every device applies the same update, in place (donated).

With ``devices=1`` (the default) no mesh exists and nothing of this runs.  In a
multi-process run (``symconv.distributed.initialize``) the mesh spans every
process: N is then a multiple of the number of processes (each gives N/P of
its devices), and the default ``devices=1`` means every device of every
process.
"""
import contextlib
import functools
import math
import re

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ..config import config

AXIS = "batch"


class DeviceCountError(ValueError):
    """More devices asked for than JAX sees, or a count the processes cannot share."""


class BatchSplitError(ValueError):
    """A minibatch with fewer examples than devices: it cannot be split along its batch axis."""


def requested_devices():
    """How many devices ``config.devices`` asks for (all of them in a multi-process run left at 1)."""
    count = config.devices
    if jax.process_count() > 1 and count == 1:
        return jax.device_count()
    return count


_LOCAL = []


@contextlib.contextmanager
def process_local():
    """Within: shared variables and functions created stay on this process's default device, whatever
    ``config.devices`` says (what one process does alone in a multi-process run, such as drawing plots)."""
    _LOCAL.append(True)
    try:
        yield
    finally:
        _LOCAL.pop()


def current_mesh():
    """The ``Mesh`` of ``config.devices`` devices, or None for a single device (the unchanged path)."""
    if _LOCAL:
        return None
    count = requested_devices()
    if count == 1:
        return None
    return _mesh(count, jax.process_count())


@functools.lru_cache(maxsize=None)
def _mesh(count, processes):
    devices = jax.devices()
    if count > len(devices):
        platform = devices[0].platform
        hint = (f"; on CPU, simulate more with XLA_FLAGS=--xla_force_host_platform_device_count={count} "
                "set before jax is imported") if platform == "cpu" and processes == 1 else ""
        raise DeviceCountError(f"devices={count} but JAX sees {len(devices)} {platform} device"
                               f"{'s' if len(devices) != 1 else ''}{hint}")
    if processes == 1:
        return Mesh(np.array(devices[:count]), (AXIS,))
    if count % processes:
        raise DeviceCountError(f"devices={count} cannot be shared by {processes} processes: "
                               "give a multiple of the number of processes")
    per_process = count // processes
    chosen = []
    for process in range(processes):
        local = [d for d in devices if d.process_index == process]
        if len(local) < per_process:
            raise DeviceCountError(f"devices={count} needs {per_process} devices in each of the {processes} "
                                   f"processes; process {process} has {len(local)}")
        chosen += local[:per_process]
    return Mesh(np.array(chosen), (AXIS,))


def replicated(mesh):
    return NamedSharding(mesh, PartitionSpec())


def batch_split(mesh):
    return NamedSharding(mesh, PartitionSpec(AXIS))


def place(value, mesh):
    """`value` replicated on every device of `mesh` (unchanged when it already is)."""
    sharding = replicated(mesh)
    if isinstance(value, jax.Array) and value.sharding == sharding:
        return value
    if isinstance(value, jax.Array) and jax.process_count() > 1:
        value = np.asarray(value)  # a process-local array: every process holds the same value
    return jax.device_put(value, sharding)


def split_batch(value, mesh, what):
    """`value` (traced) constrained to be split along axis 0; BatchSplitError naming `what` if it cannot be."""
    count = mesh.size
    if np.ndim(value) == 0:
        return value
    rows = np.shape(value)[0]
    if rows < count:
        raise BatchSplitError(f"{what} has {rows} rows, fewer than the {count} devices it is split across "
                              f"(devices={count}): use a minibatch of at least {count} examples, "
                              "or fewer devices")
    return jax.lax.with_sharding_constraint(value, batch_split(mesh))


def split_if_possible(value, mesh):
    """`value` split along axis 0 when it has at least as many rows as devices, else replicated."""
    if np.ndim(value) == 0 or np.shape(value)[0] < mesh.size:
        return jax.lax.with_sharding_constraint(value, replicated(mesh))
    return jax.lax.with_sharding_constraint(value, batch_split(mesh))


def keep_replicated(value, mesh):
    return jax.lax.with_sharding_constraint(value, replicated(mesh))


# -------------------------------------------------------- data sets split by minibatch

@jax.tree_util.register_pytree_node_class
class Blocked:
    """A data set of `rows` rows stored for minibatches of `batch` rows, split over the N devices of a mesh.

    With k = rows // batch and m = batch / N, `array` has shape ``(N, k * m, ...)``,
    split along axis 0, and ``array[d, b * m + j]`` is row ``b * batch + d * m + j``:
    device d holds the rows of its part of every minibatch, and minibatch b is
    ``array[:, b * m:(b + 1) * m]`` flattened, split along its batch axis as the
    function wants it, with no communication.  The last ``rows - k * batch``
    rows, which no such minibatch reaches, stay on the host (SharedVariable).
    A pytree whose row counts are static: a jitted function sees them.
    """

    def __init__(self, array, rows, batch):
        self.array, self.rows, self.batch = array, rows, batch

    def tree_flatten(self):
        return (self.array,), (self.rows, self.batch)

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(children[0], *aux)

    @property
    def signature(self):
        """What a compiled computation depends on (no reference to the array itself)."""
        return ("blocked", self.rows, self.batch, tuple(self.array.shape), str(self.array.dtype))


def block(array, mesh, batch):
    """Host `array` as a ``Blocked`` on `mesh`; each process gives only its own devices' rows."""
    count = mesh.size
    part, full, rest = batch // count, array.shape[0] // batch, array.shape[1:]
    body = array[:full * batch].reshape((full, count, part) + rest)

    def device_rows(index):
        rows = np.swapaxes(body[:, index[0]], 0, 1)  # (devices of index, full, part, ...)
        rows = rows.reshape((rows.shape[0], full * part) + rest)
        return np.ascontiguousarray(rows[(slice(None),) + tuple(index[1:])])

    shape = (count, full * part) + rest
    return Blocked(jax.make_array_from_callback(shape, batch_split(mesh), device_rows), array.shape[0], batch)


def unblock(blocked):
    """The first ``k * batch`` rows of a ``Blocked`` as one host array (every process must call it when the
    data set spans several processes: the rows are gathered)."""
    array = blocked.array
    if array.is_fully_addressable:
        host = np.asarray(array)
    else:
        from jax.experimental import multihost_utils
        host = np.asarray(multihost_utils.process_allgather(array, tiled=True))
    count, length, rest = host.shape[0], host.shape[1], host.shape[2:]
    part = blocked.batch // count
    return host.reshape((count, length // part, part) + rest).swapaxes(0, 1).reshape((count * length,) + rest)


# -------------------------------------------------------- what moves between devices

_COLLECTIVES = ("all-reduce", "all-gather", "reduce-scatter", "all-to-all", "collective-permute",
                "collective-broadcast", "ragged-all-to-all")
_INSTRUCTION = re.compile(r"^\s*(?:ROOT\s+)?%?[\w.\-]+\s*=\s*(.+?)\s+(" + "|".join(_COLLECTIVES) +
                          r")(-start)?\(")
_ARRAY = re.compile(r"\b(pred|[suf]\d+|bf16|c64|c128|f8\w*)\[([\d,]*)\]")
_BYTES = {"pred": 1, "bf16": 2, "c64": 8, "c128": 16}


def _array_bytes(dtype, dims):
    size = _BYTES.get(dtype) or (1 if dtype.startswith("f8") else int(dtype[1:]) // 8)
    return size * math.prod(int(d) for d in dims.split(",") if d)


def collectives(hlo_text):
    """The cross-device operations of a compiled computation's HLO text: ``(op, result type, bytes)`` each.

    `bytes` is the size of the operation's result on one device (for an
    all-reduce, the buffer every device contributes and receives).  An
    operation in a loop body (``Function.map``'s scan) is listed once: per step.
    """
    found = []
    for line in hlo_text.splitlines():
        match = _INSTRUCTION.match(line)
        if match is None:
            continue
        result, op = match.group(1), match.group(2)
        arrays = _ARRAY.findall(result)
        if match.group(3) and op != "all-reduce":  # async start: (operands, results) -> the results
            arrays = arrays[len(arrays) // 2:]
        found.append((op, result, sum(_array_bytes(dtype, dims) for dtype, dims in arrays)))
    return found


def communication(hlo_text):
    """``{op: bytes per step, ..., 'total': bytes}`` of a compiled computation's HLO text (see ``collectives``)."""
    totals = {}
    for op, _, size in collectives(hlo_text):
        totals[op] = totals.get(op, 0) + size
    totals["total"] = sum(totals.values())
    return totals
