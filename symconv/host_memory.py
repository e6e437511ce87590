"""The C allocator that gives XLA:CPU its buffers, set to keep freed memory for reuse.

XLA:CPU takes every call's temporaries (LeNet5's train step: the im2col patches alone are 29 and
64 MB) from the C library's ``malloc`` and frees them when the call returns. glibc's defaults
serve blocks that large from freshly mapped pages (and, in the pool threads that run XLA, from
per-thread arenas that cannot hold them) and unmap them on ``free``: every call then pays the
kernel to map and zero its temporaries again. On a 2-core CPU the gradient of LeNet5's first
convolution took 18,000 page faults and 30-40 ms of system time per call, as long as its
arithmetic; a whole-epoch ``scan``, which allocates once per epoch, hid the cost.

``configure('reuse')`` (symconv's default, flag ``host_allocator``) sets three of glibc's
``mallopt`` parameters: one arena for all threads, blocks up to 1 GiB from the heap instead of
their own mappings, and up to 1 GiB of freed memory kept at the heap's top rather than returned.
A call then reuses the pages the previous one freed. The cost is memory the process keeps after
its peak; ``release()`` gives it back. Other C libraries (macOS, musl) are left as they are.

It takes effect for the threads that have not allocated yet, so symconv sets it when it is
imported: before JAX runs anything, as long as symconv is imported first.
"""
import ctypes
import platform

SETTINGS = ("reuse", "system")
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
_KEEP_BYTES = 1 << 30


def glibc():
    """The process's glibc through ctypes, or None where the C library is another one."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def configure(setting):
    """Apply `setting` ('reuse' or 'system'); True when glibc accepted the 'reuse' parameters."""
    if setting not in SETTINGS:
        raise ValueError(f"host_allocator must be one of {SETTINGS}, got {setting!r}")
    libc = glibc() if setting == "reuse" else None
    if libc is None:
        return False
    accepted = [libc.mallopt(option, value) for option, value in (
        (_M_ARENA_MAX, 1), (_M_MMAP_THRESHOLD, _KEEP_BYTES), (_M_TRIM_THRESHOLD, _KEEP_BYTES))]
    return all(flag == 1 for flag in accepted)


def release():
    """Return the freed memory the allocator keeps to the operating system; True if there was any."""
    libc = glibc()
    return bool(libc is not None and libc.malloc_trim(0))
