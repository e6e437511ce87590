"""Several processes (hosts), one program: ``symconv.distributed.initialize`` over ``jax.distributed``.

Every process runs the same script; after ::

    symconv.distributed.initialize("10.0.0.1:1234", num_processes=2, process_id=0)   # 1 on the other host

``jax.devices()`` lists the devices of every process, and each compiled
function runs on all of them (``symconv.compile.mesh``: the default
``devices=1`` means every device of every process; ``config.devices = N``
takes N/P devices from each of the P processes).  Each process holds the
parameters on its own devices, and of a data set read by minibatches only its
devices' rows (``mesh.Blocked``), from which they cut their parts of each
minibatch; XLA reduces the gradients across processes with gloo on CPU and
NCCL on GPU, as JAX does.

The arguments left out are read from JAX's environment variables
(``JAX_COORDINATOR_ADDRESS``, ``JAX_NUM_PROCESSES``, ``JAX_PROCESS_ID``) or,
under a cluster manager JAX knows (SLURM, Open MPI, ...), from it.  A process
that cannot reach the coordinator, or whose peers do not all join within
`timeout` seconds, stops with one line on stderr and exit status 2 (JAX's
runtime would otherwise abort the process with a stack trace).
"""
import os
import socket
import sys
import threading
import time

import jax

EXIT_UNREACHABLE = 2
DEFAULT_TIMEOUT = 60


class DistributedError(RuntimeError):
    """Settings of a multi-process run that cannot work; reported in one line."""


def _from_environment(value, name, convert=str):
    if value is not None:
        return value
    text = os.environ.get(name)
    if text in (None, ""):
        return None
    try:
        return convert(text)
    except ValueError:
        raise DistributedError(f"{name}={text!r} is not a valid value") from None


def check_settings(coordinator_address, num_processes, process_id):
    """The three settings checked (DistributedError naming the first bad one); returns ``(host, port)``."""
    if num_processes is None or num_processes < 1:
        raise DistributedError(f"the number of processes must be at least 1, got {num_processes}")
    if process_id is None or not 0 <= process_id < num_processes:
        raise DistributedError(f"the process id must be from 0 to {num_processes - 1}, got {process_id}")
    host, _, port = (coordinator_address or "").rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise DistributedError(f"the coordinator address must be HOST:PORT, got {coordinator_address!r}")
    return host.strip("[]"), int(port)


def initialize(coordinator_address=None, num_processes=None, process_id=None, timeout=DEFAULT_TIMEOUT,
               local_device_ids=None):
    """Joins this process to a multi-process run (``jax.distributed.initialize``); returns the process id.

    `coordinator_address` is ``HOST:PORT`` of process 0, which serves there;
    `timeout` bounds the wait for the coordinator and the other processes.
    On CPU the collectives between processes go through gloo.  Call it before
    creating any shared variable or function.
    """
    coordinator_address = _from_environment(coordinator_address, "JAX_COORDINATOR_ADDRESS")
    num_processes = _from_environment(num_processes, "JAX_NUM_PROCESSES", int)
    process_id = _from_environment(process_id, "JAX_PROCESS_ID", int)
    if coordinator_address is None and num_processes is None and process_id is None:
        # A cluster JAX detects (SLURM, Open MPI, Cloud TPU) supplies all three.
        _start_watchdog(timeout, "the cluster's coordinator")
        try:
            _initialize_jax(None, None, None, timeout, local_device_ids)
        finally:
            _stop_watchdog()
        return jax.process_index()
    host, port = check_settings(coordinator_address, num_processes, process_id)
    if process_id != 0:
        _wait_for_coordinator(host, port, timeout)
    _start_watchdog(timeout, f"{num_processes} processes at {coordinator_address}")
    try:
        _initialize_jax(coordinator_address, num_processes, process_id, timeout, local_device_ids)
    finally:
        _stop_watchdog()
    return process_id


def _initialize_jax(coordinator_address, num_processes, process_id, timeout, local_device_ids):
    if jax.distributed.is_initialized():
        raise DistributedError("symconv.distributed.initialize was already called in this process")
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    try:
        # JAX's own deadline comes after the watchdog's, which reports in one line.
        jax.distributed.initialize(coordinator_address, num_processes, process_id,
                                   local_device_ids=local_device_ids,
                                   initialization_timeout=int(timeout) + 30)
    except (RuntimeError, ValueError) as exc:
        raise DistributedError(f"jax.distributed.initialize failed: {str(exc).splitlines()[0]}") from None


def _wait_for_coordinator(host, port, timeout):
    """Until process 0 listens at host:port (DistributedError after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=min(5.0, max(0.1, deadline - time.monotonic()))):
                return
        except OSError as exc:
            if time.monotonic() >= deadline:
                raise DistributedError(f"cannot reach the coordinator {host}:{port} within {timeout:g} s "
                                       f"({exc.strerror or exc}); start process 0 with the same --coordinator, "
                                       "or check the address and the firewall") from None
            time.sleep(0.2)


_watchdog = None


def _start_watchdog(timeout, what):
    global _watchdog

    def expired():
        print(f"symconv: error: {what} did not all join within {timeout:g} s; start every process "
              "(--process-id 0 to N-1) with the same --coordinator and --num-processes", file=sys.stderr, flush=True)
        os._exit(EXIT_UNREACHABLE)

    _watchdog = threading.Timer(timeout, expired)
    _watchdog.daemon = True
    _watchdog.start()


def _stop_watchdog():
    global _watchdog
    if _watchdog is not None:
        _watchdog.cancel()
        _watchdog = None


def process_index():
    """This process's id: 0 in a single-process run."""
    return jax.process_index()


def is_main_process():
    """True in process 0 (the only one that writes the run folder), and in a single-process run."""
    return jax.process_index() == 0


def process_count():
    return jax.process_count()
