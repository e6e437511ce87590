"""symconv.host_memory: XLA:CPU's per-call temporaries reuse freed memory instead of fresh pages."""
import os
import subprocess
import sys

import pytest

from symconv import host_memory

PROGRAM = (
    "import resource, statistics, numpy as np, symconv, symconv.tensor as T\n"
    "from symconv.tensor.nnet import conv2d\n"
    "x = T.tensor4('x'); w = symconv.shared(np.full((8, 1, 5, 5), 0.01, 'float32'), name='w')\n"
    "cost = T.tanh(conv2d(x, w)).sum()\n"
    "f = symconv.function([x], cost, updates=[(w, w - 0.01 * symconv.grad(cost, w))])\n"
    "data = np.ones((500, 1, 28, 28), 'float32')  # im2col patches: 58 MB, above glibc's largest mmap threshold\n"
    "faults = []\n"
    "for _ in range(10):\n"
    "    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
    "    f(data)\n"
    "    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n"
    "print(statistics.median(faults[3:]))\n")


def page_faults_per_call(setting):
    env = dict(os.environ, SYMCONV_FLAGS=f"host_allocator={setting}")
    out = subprocess.run([sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=300,
                         check=True)
    return float(out.stdout.strip())


@pytest.mark.skipif(host_memory.glibc() is None, reason="the allocator settings are glibc's")
def test_a_training_call_reuses_the_memory_the_previous_call_freed():
    system, reuse = page_faults_per_call("system"), page_faults_per_call("reuse")
    assert system > 5000, f"glibc's defaults should map the patches afresh on every call ({system} faults per call)"
    assert reuse < system / 20, (system, reuse)


def test_host_allocator_settings():
    assert host_memory.configure("system") is False  # leaves the C library as it is
    with pytest.raises(ValueError, match="host_allocator must be one of"):
        host_memory.configure("tcmalloc")
    assert isinstance(host_memory.release(), bool)
