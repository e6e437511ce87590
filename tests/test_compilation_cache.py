"""JAX's persistent compilation cache: on by default in the user's cache folder, off on request."""
import os
import subprocess
import sys

PROGRAM = (
    "import numpy as np, jax, symconv, symconv.tensor as T\n"
    "x = T.matrix('x'); w = symconv.shared(np.ones((3, 2), 'float32'), name='w')\n"
    "cost = T.tanh(T.dot(x, w)).sum()\n"
    "f = symconv.function([x], cost, updates=[(w, w - 0.1 * symconv.grad(cost, w))])\n"
    "f(np.ones((4, 3), 'float32'))\n"
    "print(jax.config.jax_compilation_cache_dir)\n")


def run(tmp_path, flags=""):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path), SYMCONV_FLAGS=flags)
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    out = subprocess.run([sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=300,
                         check=True)
    return out.stdout.strip()


def entries(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_a_second_process_compiles_nothing(tmp_path):
    folder = os.path.join(tmp_path, "symconv", "jax")
    assert run(tmp_path) == folder
    first = entries(folder)
    assert first, "the first process wrote no executable"
    run(tmp_path)
    assert entries(folder) == first  # everything the second process needed was on disk


def test_the_cache_can_be_turned_off_or_moved(tmp_path):
    assert run(tmp_path, "compilation_cache=off") == "None"
    assert entries(os.path.join(tmp_path, "symconv", "jax")) == []
    moved = os.path.join(tmp_path, "elsewhere")
    assert run(tmp_path, f"compilation_cache={moved}") == moved
    assert entries(moved)
