"""What ran the benchmark: device, versions, CPU; and how much memory it used."""
import datetime
import os
import platform
import resource
import sys

import jax
import numpy as np
from symconv import host_memory


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_info():
    device = jax.devices()[0]
    return {"platform": device.platform, "device_kind": getattr(device, "device_kind", None), "device": str(device),
            "jax_default_backend": jax.default_backend(), "device_count": jax.device_count()}


def versions():
    import jaxlib

    try:
        import torch
        torch_version, torch_threads = torch.__version__, torch.get_num_threads()
    except Exception:  # noqa: BLE001 - torch is optional
        torch_version, torch_threads = None, None
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    import symconv

    return {"python": platform.python_version(), "jax": jax.__version__, "jaxlib": jaxlib.__version__,
            "numpy": np.__version__, "torch": torch_version, "torch_threads": torch_threads,
            "cpu_model": cpu_model(), "cpu_count": os.cpu_count(), "cpus_usable": affinity,
            "os": platform.platform(), "XLA_FLAGS": os.environ.get("XLA_FLAGS", ""),
            "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", ""),
            "symconv_floatX": symconv.config.floatX, "symconv_precision": symconv.config.precision,
            "symconv_host_allocator": symconv.config.host_allocator,
            "load_average": _load_average()}


def _load_average():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def symconv_source():
    """Which symconv was measured: its git commit and whether its files differ from it (read-only git)."""
    import subprocess

    import symconv

    root = os.path.dirname(os.path.dirname(os.path.abspath(symconv.__file__)))

    def git(*args):
        try:
            return subprocess.run(["git", "-C", root, *args], capture_output=True, text=True, timeout=20,
                                  check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None

    commit = git("rev-parse", "HEAD")
    changed = git("status", "--porcelain", "--", "symconv")
    dirty = None if changed is None else bool(changed)
    describe = "unknown" if commit is None else commit[:10] + (" + uncommitted changes" if dirty else "")
    return {"path": root, "commit": commit, "symconv_dirty": dirty, "describe": describe}


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def command_line(module="benchmarks"):
    return " ".join(["python", "-m", module] + sys.argv[1:])


class MemoryProbe:
    """Peak memory while a piece of code runs.

    On CPU: the process's resident set. Linux lets a process reset its high-water mark
    (``echo 5 > /proc/self/clear_refs``), which gives each implementation its own peak even
    though all of them share one process; where that is not possible the figure is
    ``resource.getrusage``'s ``ru_maxrss``, the peak of the whole process so far.
    On GPU (when the device reports ``memory_stats``): the device's peak bytes in use.
    """

    def __init__(self):
        self.resettable = self._try_reset()
        stats = self._device_stats()
        self.device = stats is not None and "peak_bytes_in_use" in stats
        self.method = ("VmHWM after /proc/self/clear_refs reset" if self.resettable
                       else "resource.getrusage ru_maxrss (process peak)")

    @staticmethod
    def _try_reset():
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            return _status_kib("VmHWM") is not None
        except OSError:
            return False

    @staticmethod
    def _device_stats():
        try:
            return jax.devices()[0].memory_stats()
        except Exception:  # noqa: BLE001 - not every backend has it
            return None

    def start(self):
        if self.resettable:
            host_memory.release()  # what an earlier implementation freed is not this one's memory
            self._try_reset()
        self._rss_start = _status_kib("VmRSS") or 0
        stats = self._device_stats() if self.device else None
        self._device_start = stats.get("bytes_in_use", 0) if stats else 0

    def stop(self):
        """``{'peak_rss_mib', 'peak_rss_above_start_mib', ...device figures}`` since ``start``."""
        if self.resettable:
            peak_kib = _status_kib("VmHWM")
        else:
            peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out = {"peak_rss_mib": peak_kib / 1024, "peak_rss_above_start_mib": max(peak_kib - self._rss_start, 0) / 1024}
        stats = self._device_stats() if self.device else None
        if stats:
            out["device_peak_mib"] = stats.get("peak_bytes_in_use", 0) / 2 ** 20
            out["device_in_use_mib"] = stats.get("bytes_in_use", 0) / 2 ** 20
        return out


def _status_kib(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def process_peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
