"""``symconv.tensor`` (``import symconv.tensor as T``): types, constructors and ops, Theano's names.

A face: the ops are implemented in ``symconv.ops``; this module gathers them
with the gradient, shared variables and random streams under Theano's paths.
"""
import sys
import types

from ..compile.shared import SharedVariable as TensorSharedVariable  # noqa: F401
from ..gradient import Lop, Rop, grad, hessian, jacobian  # noqa: F401
from ..interpret import static_value  # noqa: F401
from ..ops import elemwise as _elemwise, literals as _literals, products as _products, reduction as _reduction, \
    shape_ops as _shape_ops
from ..ops.subtensor import inc_subtensor, set_subtensor, subtensor  # noqa: F401
from ..ops.variable import TensorConstant, TensorVariable  # noqa: F401
from ..type import TensorType, install_constructors, tensor  # noqa: F401


from . import var as _var_module  # noqa: E402,F401  (theano.tensor.var; T.var below is the variance, as Theano's)


class _TensorModule(types.ModuleType):
    """Importing ``theano.tensor.var`` (the classes' module) again must not replace ``T.var``, the variance."""

    def __setattr__(self, name, value):
        if name == "var" and value is _var_module and callable(self.__dict__.get("var")):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _TensorModule


def _export(module):
    """The module's own public functions (and aliases of them) as names of this namespace."""
    for name, value in vars(module).items():
        if not name.startswith("_") and callable(value) and getattr(value, "__module__", None) == module.__name__:
            globals()[name] = value


for _module in (_literals, _elemwise, _reduction, _products, _shape_ops):
    _export(_module)
install_constructors(globals())
from ..ops.grids import mgrid, ogrid, stacklists  # noqa: E402,F401
from . import xlogx  # noqa: E402,F401  (Theano's T.xlogx module: T.xlogx.xlogx, T.xlogx.xlogy0)

from ..graph import Variable  # noqa: E402,F401  (T.Variable, as Theano's)
square = sqr  # noqa: F821  (Theano's alias; sqr is exported above)
from . import extra_ops  # noqa: E402,F401  (T.extra_ops.repeat, to_one_hot, ...)
from . import blas, opt  # noqa: E402,F401  (T.blas.Gemv, T.opt.Shape_i / MakeVector: compiled graphs' ops)
from ..ops.optimized import AllocEmpty  # noqa: E402,F401
from . import nnet  # noqa: E402,F401
from . import shared_randomstreams  # noqa: E402,F401
from .shared_randomstreams import RandomStreams  # noqa: E402,F401
