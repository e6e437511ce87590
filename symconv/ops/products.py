"""Products: dot, tensordot, batched_dot, outer, at the configured float32 precision."""
import jax
import jax.numpy as jnp
from jax import lax

from .. import dtypes as D
from ..config import config
from ..op import Op, infer_types
from ..type import TensorType
from .elemwise import mul
from .literals import tensors
from .shape_ops import dimshuffle


def precision():
    """The lax precision of float32 matmuls and convolutions (config.precision)."""
    return {"highest": lax.Precision.HIGHEST, "tf32": lax.Precision.HIGH, "default": lax.Precision.DEFAULT}[config.precision]


def _dot_impl(a, b, *, dtype, precision):
    return jnp.dot(jnp.asarray(a, dtype), jnp.asarray(b, dtype), precision=precision)


def _dot_infer(a, b, **params):
    """NumPy's dot shape: a's leading dims, then b's without its contracted (second-to-last) one.

    Where a contracted length is unknown, the other dims keep what is known (a row times
    a matrix is a row, as in Theano); with both known, the lowering checks they agree.
    """
    contracted = (a.type.shape[-1], b.type.shape[-2] if b.ndim >= 2 else b.type.shape[0])
    if None not in contracted:
        return infer_types(Op("dot", _dot_impl, **params), [a, b])
    shape = a.type.shape[:-1] + b.type.shape[:-2] + (b.type.shape[-1:] if b.ndim >= 2 else ())
    return [TensorType(params["dtype"], shape)]


def dot(a, b):
    """Theano's dot: matrix product, matrix-vector, vector inner product (NumPy's dot)."""
    a, b = tensors((a, b))
    if a.ndim == 0 or b.ndim == 0:
        return mul(a, b)
    return Op("dot", _dot_impl, infer=_dot_infer, dtype=D.upcast(a.dtype, b.dtype), precision=precision())(a, b)


def is_dot(node):
    """Whether `node` is a ``dot`` (of tensors of rank 1 or more)."""
    return node.op.impl is _dot_impl


def _tensordot_impl(a, b, *, axes, dtype, precision):
    return jnp.tensordot(jnp.asarray(a, dtype), jnp.asarray(b, dtype), axes=axes, precision=precision)


def tensordot(a, b, axes=2):
    """NumPy's tensordot; `axes` an int or a pair of axis lists."""
    a, b = tensors((a, b))
    if not isinstance(axes, int):
        axes = tuple(tuple(int(i) for i in ([ax] if isinstance(ax, int) else ax)) for ax in axes)
    return Op("tensordot", _tensordot_impl, axes=axes, dtype=D.upcast(a.dtype, b.dtype), precision=precision())(a, b)


def _batched_dot_impl(a, b, *, dtype, precision):
    a, b = jnp.asarray(a, dtype), jnp.asarray(b, dtype)
    return jax.vmap(lambda u, v: jnp.dot(u, v, precision=precision))(a, b)


def batched_dot(a, b):
    """``out[i] = dot(a[i], b[i])`` over the first dimension."""
    a, b = tensors((a, b))
    return Op("batched_dot", _batched_dot_impl, dtype=D.upcast(a.dtype, b.dtype), precision=precision())(a, b)


def outer(a, b):
    return dot(dimshuffle(a, 0, "x"), dimshuffle(b, "x", 0))

