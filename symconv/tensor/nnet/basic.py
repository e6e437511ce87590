"""Nonlinearities and losses, with Theano's definitions."""
import jax

from ...op import Op
from .. import basic as T

sigmoid = T.sigmoid
softplus = T.softplus


def _softmax_impl(x, *, log):
    return jax.nn.log_softmax(x, axis=-1) if log else jax.nn.softmax(x, axis=-1)


def _softmax(x, log):
    x = T.as_tensor_variable(x)
    if x.ndim == 1:
        # Theano's softmax of a vector is a (1, n) matrix.
        x = T.dimshuffle(x, "x", 0)
    x = T.cast(x, T.D.upgrade_to_float(x.dtype))
    return Op("logsoftmax" if log else "softmax", _softmax_impl, log=log)(x)


def softmax(x, axis=None):
    """Row-wise softmax of a matrix (of a vector: a (1, n) matrix, as Theano)."""
    return _softmax(x, log=False)


def logsoftmax(x, axis=None):
    return _softmax(x, log=True)


def relu(x, alpha=0):
    """max(x, 0), or a leaky slope `alpha` for x < 0."""
    x = T.as_tensor_variable(x)
    if alpha == 0:
        return T.maximum(x, T.zeros_like(x))
    return T.switch(T.gt(x, 0), x, alpha * x)


def categorical_crossentropy(coding_dist, true_dist):
    """-sum(true * log(coding)) per row; `true_dist` one-hot rows or integer class labels."""
    coding_dist, true_dist = T.as_tensor_variable(coding_dist), T.as_tensor_variable(true_dist)
    if true_dist.ndim == coding_dist.ndim:
        return -T.sum(true_dist * T.log(coding_dist), axis=coding_dist.ndim - 1)
    return -T.log(coding_dist)[T.arange(coding_dist.shape[0]), true_dist]


def binary_crossentropy(output, target):
    """-(target * log(output) + (1 - target) * log(1 - output))."""
    return -(target * T.log(output) + (1.0 - target) * T.log(1.0 - output))


def ultra_fast_sigmoid(x):
    """Theano's piecewise-linear/rational approximation of the sigmoid."""
    x = T.as_tensor_variable(x)
    half = 0.5 * x
    v = abs(half)
    z = T.switch(T.lt(v, 1.7), 1.5 * v / (1.0 + v),
                 T.switch(T.lt(v, 3.0), 0.935409070603099 + 0.0458812946797165 * (v - 1.7), 0.99505475368673))
    return 0.5 * T.switch(T.ge(half, 0), z, -z) + 0.5


def hard_sigmoid(x):
    """clip(0.2 * x + 0.5, 0, 1)."""
    x = T.as_tensor_variable(x)
    return T.clip(x * 0.2 + 0.5, 0.0, 1.0)


def elu(x, alpha=1):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    x = T.as_tensor_variable(x)
    return T.switch(T.gt(x, 0), x, alpha * T.expm1(x))


def selu(x):
    return 1.0507009873554805 * elu(x, 1.6732632423543772)


def softsign(x):
    return x / (1.0 + abs(T.as_tensor_variable(x)))


def softmax_with_bias(x, b):
    return softmax(T.add(x, b))


def crossentropy_categorical_1hot(coding_dist, true_idx):
    return categorical_crossentropy(coding_dist, true_idx)


def sigmoid_binary_crossentropy(output, target):
    """binary_crossentropy(sigmoid(output), target), in the stable form."""
    return binary_crossentropy(sigmoid(output), target)
