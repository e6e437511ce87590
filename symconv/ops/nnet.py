"""Nonlinearities and losses, with Theano's definitions."""
import jax

from .. import dtypes as D
from ..op import Op
from . import elemwise as E
from .elemwise import sigmoid, softplus  # noqa: F401  (T.nnet.sigmoid is T.sigmoid)
from .literals import as_tensor_variable
from .reduction import sum as _sum
from .shape_ops import arange, dimshuffle, zeros_like


def _softmax_impl(x, *, log):
    return jax.nn.log_softmax(x, axis=-1) if log else jax.nn.softmax(x, axis=-1)


class Softmax(Op):
    """Row-wise softmax, or its log (`log`), computed stably by JAX."""

    def __init__(self, log):
        super().__init__("logsoftmax" if log else "softmax", _softmax_impl, log=log)


def _softmax(x, log):
    x = as_tensor_variable(x)
    if x.ndim == 1:
        # Theano's softmax of a vector is a (1, n) matrix.
        x = dimshuffle(x, "x", 0)
    x = E.cast(x, D.upgrade_to_float(x.dtype))
    return Softmax(log)(x)


def softmax(x, axis=None):
    """Row-wise softmax of a matrix (of a vector: a (1, n) matrix, as Theano)."""
    return _softmax(x, log=False)


def logsoftmax(x, axis=None):
    return _softmax(x, log=True)


def relu(x, alpha=0):
    """max(x, 0), or a leaky slope `alpha` for x < 0."""
    x = as_tensor_variable(x)
    if alpha == 0:
        return E.maximum(x, zeros_like(x))
    return E.switch(E.gt(x, 0), x, alpha * x)


def categorical_crossentropy(coding_dist, true_dist):
    """-sum(true * log(coding)) per row; `true_dist` one-hot rows or integer class labels."""
    coding_dist, true_dist = as_tensor_variable(coding_dist), as_tensor_variable(true_dist)
    if true_dist.ndim == coding_dist.ndim:
        return -_sum(true_dist * E.log(coding_dist), axis=coding_dist.ndim - 1)
    return -E.log(coding_dist)[arange(coding_dist.shape[0]), true_dist]


def binary_crossentropy(output, target):
    """-(target * log(output) + (1 - target) * log(1 - output))."""
    return -(target * E.log(output) + (1.0 - target) * E.log(1.0 - output))


def ultra_fast_sigmoid(x):
    """Theano's piecewise-linear/rational approximation of the sigmoid."""
    x = as_tensor_variable(x)
    half = 0.5 * x
    v = abs(half)
    z = E.switch(E.lt(v, 1.7), 1.5 * v / (1.0 + v),
                 E.switch(E.lt(v, 3.0), 0.935409070603099 + 0.0458812946797165 * (v - 1.7), 0.99505475368673))
    return 0.5 * E.switch(E.ge(half, 0), z, -z) + 0.5


def hard_sigmoid(x):
    """clip(0.2 * x + 0.5, 0, 1)."""
    x = as_tensor_variable(x)
    return E.clip(x * 0.2 + 0.5, 0.0, 1.0)


def elu(x, alpha=1):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    x = as_tensor_variable(x)
    return E.switch(E.gt(x, 0), x, alpha * E.expm1(x))


def selu(x):
    return 1.0507009873554805 * elu(x, 1.6732632423543772)


def softsign(x):
    return x / (1.0 + abs(as_tensor_variable(x)))


def softmax_with_bias(x, b):
    return softmax(E.add(x, b))


def crossentropy_categorical_1hot(coding_dist, true_idx):
    return categorical_crossentropy(coding_dist, true_idx)


def sigmoid_binary_crossentropy(output, target):
    """binary_crossentropy(sigmoid(output), target), in the stable form."""
    return binary_crossentropy(sigmoid(output), target)
