"""Literals as symbolic tensors: ``constant``, ``as_tensor_variable``, and ``stack`` (which lists of variables become)."""
import jax
import jax.numpy as jnp
import numpy as np

from .. import dtypes as D
from ..graph import Variable
from ..op import Op
from ..type import TensorType

__all__ = ["constant", "as_tensor_variable", "as_tensor", "stack"]


def constant(x, name=None, ndim=None, dtype=None):
    """A TensorConstant holding `x`, typed by Theano's autocast rules unless `dtype` is given."""
    data = np.asarray(x, dtype=dtype) if dtype is not None else D.literal_array(x)
    if ndim is not None:
        if data.ndim > ndim:
            raise ValueError(f"constant of shape {data.shape} cannot be given {ndim} dimensions")
        data = data.reshape((1,) * (ndim - data.ndim) + data.shape)
    data = np.array(data)
    data.setflags(write=False)
    return TensorType(data.dtype, data.shape).make_constant(data, name=name)


def as_tensor_variable(x, name=None, ndim=None, dtype=None):
    """`x` as a symbolic tensor: variables pass through, literals become constants."""
    if isinstance(x, Variable):
        if ndim is not None and x.ndim != ndim:
            raise TypeError(f"expected a tensor with {ndim} dimensions, got {x!r} with {x.ndim}")
        return x
    if isinstance(x, (list, tuple)) and any(isinstance(e, Variable) for e in x):
        return stack([as_tensor_variable(e) for e in x])
    if hasattr(x, "__jax_array__") or isinstance(x, jax.Array):
        x = np.asarray(x)
    return constant(x, name=name, ndim=ndim, dtype=dtype)


as_tensor = as_tensor_variable


def tensors(args):
    """Each of `args` as a symbolic tensor."""
    return [as_tensor_variable(a) for a in args]


def _stack_impl(*xs, axis, dtype):
    return jnp.stack([jnp.asarray(x, dtype) for x in xs], axis=axis)


class Stack(Op):
    """Tensors of equal shape joined along a new axis (how ``[x.shape[0], 3]`` becomes one int vector)."""

    def __init__(self, axis, dtype):
        super().__init__("stack", _stack_impl, axis=axis, dtype=dtype)


def stack(*tensors_, axis=0):
    """Join tensors of equal shape along a new axis (``stack([a, b])`` or Theano's ``stack(a, b)``)."""
    if len(tensors_) == 1 and isinstance(tensors_[0], (list, tuple)):
        tensors_ = tensors_[0]
    if not tensors_:
        raise ValueError("tensors is empty. You should at least provide one tensor to stack(tensors, axis).")
    xs = tensors(tensors_)
    return Stack(axis, D.upcast(*[x.dtype for x in xs]))(*xs)
