"""``--devices N`` and ``--coordinator HOST:PORT --num-processes P --process-id I``: one run on many devices.

``parallel_run(args)`` sets ``symconv.config.devices`` for the run (every
compiled function data parallel over N devices, ``symconv.compile.mesh``)
and, with the multi-process flags, joins the processes first
(``symconv.distributed.initialize``, gloo on CPU, NCCL on GPU).

Only process 0 writes the run folder.  Every other process trains in a
private copy of it (in a temporary folder, removed at the end), so it makes
the same decisions (a folder holding a run refused, ``--resume`` from the
same checkpoint) and computes the same values, and writes nothing in ``--out``.
"""
import contextlib
import os
import shutil
import tempfile

from ..compile.mesh import DeviceCountError, current_mesh, process_local, requested_devices
from ..config import config
from .settings import SettingsError

MULTI_PROCESS_FLAGS = ("coordinator", "num_processes", "process_id")


def add_parallel_flags(parser):
    parser.add_argument("--devices", type=int, default=None, metavar="N",
                        help="data parallel over N devices: each minibatch split along its batch axis, the "
                             "parameters replicated (default: 1; with several processes, every device of every "
                             "process). On CPU, XLA_FLAGS=--xla_force_host_platform_device_count=N simulates N")
    parser.add_argument("--coordinator", metavar="HOST:PORT",
                        help="a multi-process run: the address of process 0 (with --num-processes, --process-id)")
    parser.add_argument("--num-processes", dest="num_processes", type=int, metavar="P",
                        help="a multi-process run: how many processes (hosts) take part")
    parser.add_argument("--process-id", dest="process_id", type=int, metavar="I",
                        help="a multi-process run: this process's id, 0 to P-1 (only 0 writes the run folder)")
    parser.add_argument("--init-timeout", dest="init_timeout", type=float, default=60.0, metavar="S",
                        help="a multi-process run: seconds to wait for the coordinator and the other processes "
                             "(default: %(default)s)")
    return parser


@contextlib.contextmanager
def parallel_run(args):
    """Within: ``config.devices`` set from the flags; yields the run folder this process writes to."""
    out_dir = getattr(args, "out_dir", None)
    given = [getattr(args, name, None) for name in MULTI_PROCESS_FLAGS]
    devices = getattr(args, "devices", None)
    if devices is not None and devices < 1:
        raise SettingsError(f"--devices must be a whole number >= 1, got {devices}")
    private = None
    try:
        if any(value is not None for value in given):
            if any(value is None for value in given):
                raise SettingsError("--coordinator, --num-processes and --process-id go together: give all three")
            private = _join(args, out_dir)
            out_dir = private if private is not None else out_dir
        with config.change_flags(devices=devices or 1):
            try:
                current_mesh()
            except DeviceCountError as exc:
                raise SettingsError(f"--devices: {exc}") from None
            if requested_devices() > 1:
                print(f"... data parallel over {requested_devices()} devices")
            yield out_dir
    finally:
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)


def process_local_call(function):
    """`function` run on this process's own device: what process 0 does alone (the plots of the saved
    model) must not wait for the other processes in a collective."""
    def local(*args, **kwargs):
        with process_local():
            return function(*args, **kwargs)

    return local


def _join(args, out_dir):
    """Joins the processes; returns the private copy of the run folder of a process other than 0."""
    from .. import distributed

    try:
        distributed.check_settings(args.coordinator, args.num_processes, args.process_id)
    except distributed.DistributedError as exc:
        raise SettingsError(str(exc)) from None
    private = None
    if args.process_id != 0:
        # Copied before joining: process 0 touches --out only after every process has joined.
        private = tempfile.mkdtemp(prefix=f"symconv-process{args.process_id}-")
        if out_dir is not None and os.path.isdir(out_dir):
            shutil.copytree(out_dir, private, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.tmp"))
    try:
        distributed.initialize(args.coordinator, args.num_processes, args.process_id, timeout=args.init_timeout)
    except distributed.DistributedError as exc:
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)
        raise SettingsError(str(exc)) from None
    return private
