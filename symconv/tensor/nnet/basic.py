"""Nonlinearities and losses, with Theano's definitions."""
import jax
import jax.numpy as jnp

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


def _crossentropy_int_impl(p, y):
    rows = jnp.arange(p.shape[0])
    return -jnp.log(p[rows, y])


def categorical_crossentropy(coding_dist, true_dist):
    """-sum(true * log(coding)) per row; `true_dist` one-hot rows or integer class labels."""
    coding_dist, true_dist = T.as_tensor_variable(coding_dist), T.as_tensor_variable(true_dist)
    if true_dist.ndim == coding_dist.ndim:
        return -T.sum(true_dist * T.log(coding_dist), axis=coding_dist.ndim - 1)
    return -T.log(coding_dist[T.arange(coding_dist.shape[0]), true_dist])


def binary_crossentropy(output, target):
    """-(target * log(output) + (1 - target) * log(1 - output))."""
    return -(target * T.log(output) + (1.0 - target) * T.log(1.0 - output))
