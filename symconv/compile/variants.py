"""The computations one compiled function keeps: one per input signature, least recently used evicted.

Every new input shape (or shared value shape, or static input value) is a new
XLA computation.  A function called with ever new shapes would otherwise keep
every one of them, about 1-2 MiB each; here at most
``config.max_compiled_variants`` stay, and a function that keeps recompiling
says so once, naming what varies.
"""
import collections
import functools

import jax

from ..config import config
from ..errors import warn_user

WARN_AFTER = 10  # distinct signatures compiled before the recompilation warning


class CompiledVariants:
    """`run` jitted once per signature; `describe(old, new)` names what differs between two signatures."""

    def __init__(self, run, label, describe):
        self._run, self._label, self._describe = run, label, describe
        self._cache = collections.OrderedDict()
        self._compiled = 0
        self._last = None

    @property
    def body(self):
        """The function that is jitted, to trace inside another computation."""
        return self._run

    def get(self, signature):
        """The jitted computation for `signature` (compiled on its first call)."""
        jitted = self._cache.get(signature)
        if jitted is not None:
            self._cache.move_to_end(signature)
            return jitted
        # A fresh function object per variant: JAX's caches are keyed by it, so an evicted
        # variant's traces and executables are freed with it.
        jitted = jax.jit(_fresh(self._run), donate_argnums=(1,), static_argnums=(3,),
                         compiler_options=compiler_options())
        self._cache[signature] = jitted
        self._compiled += 1
        if self._compiled == WARN_AFTER and self._last is not None:
            warn_user(f"{self._label} has been compiled for {WARN_AFTER} different input signatures "
                      f"({self._describe(self._last, signature)}); every new shape compiles again and the last "
                      f"{config.max_compiled_variants} are kept (config.max_compiled_variants): give it inputs "
                      "of a few fixed shapes (pad or bucket them)")
        self._last = signature
        while len(self._cache) > config.max_compiled_variants:
            self._cache.popitem(last=False)
        return jitted

    def __len__(self):
        return len(self._cache)


def _fresh(run):
    def variant(*args):
        return run(*args)

    return variant


# XLA:CPU (jaxlib 0.10) hands some convolutions to YNNPACK, 3-4x slower here than its own Eigen
# convolution (LeNet5's second convolution forward: 67-84 ms against 16-20 ms; 'lax'-lowered
# training step 0.54x against 1.22x of hand-written JAX): keep YNNPACK for its other defaults, dots
# and reductions (without the reductions the LeNet5 evaluation ran at 0.7x).
_CPU_OPTIONS = {"xla_cpu_experimental_ynn_fusion_type": "LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT,LIBRARY_FUSION_TYPE_REDUCE"}


@functools.lru_cache(maxsize=None)
def _options_for(backend):
    if backend != "cpu":
        return None
    try:  # a jaxlib that does not know the option compiles without it
        jax.jit(lambda x: x + 1, compiler_options=_CPU_OPTIONS).lower(1.0).compile()
    except Exception:  # noqa: BLE001 - any refusal of the option means: leave XLA's defaults
        return None
    return dict(_CPU_OPTIONS)


def compiler_options():
    """XLA options every symconv computation is compiled with on the default backend (None: XLA's defaults)."""
    return _options_for(jax.default_backend())
