"""symconv: Theano's symbolic programming model, compiled to one jitted JAX computation.

``import symconv as theano`` and ``import symconv.tensor as T`` run Theano code.
"""
import importlib as _importlib
import importlib.util as _importlib_util

import jax as _jax

# Theano's int64/float64 types must really be 64-bit.
_jax.config.update("jax_enable_x64", True)

from .config import change_flags, config  # noqa: E402
from . import host_memory as _host_memory  # noqa: E402

_host_memory.configure(config.host_allocator)  # before JAX runs anything: its threads take their arenas then
from . import compilation_cache as _compilation_cache  # noqa: E402
from . import test_value  # noqa: E402  (config.compute_test_value: every new node's tag.test_value)

_compilation_cache.enable(config.compilation_cache)
from . import tensor  # noqa: E402
from .compile import Function, In, Mode, Out, Param, SharedVariable, function, shared  # noqa: E402
from .gradient import Lop, Rop, grad  # noqa: E402
from .ops.generic import dot  # noqa: E402  (theano.dot)
from . import scan_module  # noqa: E402  (Theano's theano.scan_module)
from .scan_module import clone  # noqa: E402  (theano.clone)
from . import gof  # noqa: E402  (theano.gof.graph)
from . import ifelse  # noqa: E402  (theano.ifelse.ifelse)
from .scan import foldl, foldr, map, reduce, scan  # noqa: E402,A004
from . import gradient, printing  # noqa: E402
from .printing import pprint as pp  # noqa: E402
from .errors import DisconnectedInputError, MissingInputError, NodeError, UnusedInputError  # noqa: E402
from .graph import Variable  # noqa: E402
from .theano_pickle import load_theano_pickle  # noqa: E402  (what Theano 1.0.5 pickled)

__version__ = "0.1.0"
__all__ = ["config", "change_flags", "tensor", "dot", "function", "shared", "In", "Out", "Mode", "Param", "pp", "grad", "gradient", "printing",
           "scan", "scan_module", "map", "reduce", "foldl", "foldr", "Function", "SharedVariable", "Variable", "MissingInputError", "UnusedInputError",
           "DisconnectedInputError", "NodeError", "load_theano_pickle"]


def __getattr__(name):
    """Every submodule (``symconv.optimizers``, ``symconv.layers``, ...) is an attribute, imported on first use.

    So ``import symconv`` stays light (no optax, matplotlib or TensorFlow Datasets)
    and ``symconv.optimizers.sgd`` works without its own import line.
    """
    if not name.startswith("_") and _importlib_util.find_spec(f"{__name__}.{name}") is not None:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'symconv' has no attribute {name!r}")
