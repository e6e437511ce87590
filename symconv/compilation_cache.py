"""JAX's persistent compilation cache, on by default in the user's cache folder.

A second process that builds the same functions (the same tutorial run again,
a test suite, a resumed run) loads their XLA executables from disk instead of
compiling them: LeNet5's train step's first call drops from about 1.8 s to
0.6 s on a 2-core CPU.  ``SYMCONV_FLAGS=compilation_cache=off`` turns it off,
``compilation_cache=/some/folder`` moves it; a cache folder the user already
gave JAX (``JAX_COMPILATION_CACHE_DIR`` or ``jax.config``) is left as it is.
"""
import os

import jax


def default_folder():
    """``$XDG_CACHE_HOME/symconv/jax`` (``~/.cache/symconv/jax``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "symconv", "jax")


def enable(setting):
    """Point JAX's persistent cache at the folder `setting` names ('auto', 'off' or a path); the folder, or None."""
    if setting == "off" or jax.config.jax_compilation_cache_dir or os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return None
    folder = default_folder() if setting == "auto" else os.path.expanduser(setting)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None  # an unwritable home: compile every time, as without the cache
    jax.config.update("jax_compilation_cache_dir", folder)
    # Every executable, even a small one: a second process then compiles nothing.
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return folder
