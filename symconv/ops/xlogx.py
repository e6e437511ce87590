"""Theano's ``theano.tensor.xlogx`` functions: x log x and x log y with 0 log 0 = 0, and Theano's gradients.

Elementwise entries of the one scalar table (``Scalar.xlogx``, ``Scalar.xlogy0``);
kept out of ``symconv.tensor``'s flat namespace because in Theano
``T.xlogx`` is the module and ``T.xlogx.xlogx`` the function.
"""
from .. import dtypes as D
from .elemwise import Elemwise, Scalar
from .literals import tensors


def _float_dtype(*dtypes):
    return D.upgrade_to_float(D.upcast(*dtypes))


def xlogx(x):
    """Elementwise ``x * log(x)``, 0 where x is 0; the gradient is ``1 + log(x)`` (float dtype as log's)."""
    (x,) = tensors((x,))
    return Elemwise(Scalar.xlogx, _float_dtype(x.dtype))(x)


def xlogy0(x, y):
    """Elementwise ``x * log(y)``, 0 where x is 0; gradients ``log(y)`` and ``x / y``."""
    x, y = tensors((x, y))
    return Elemwise(Scalar.xlogy0, _float_dtype(x.dtype, y.dtype))(x, y)
