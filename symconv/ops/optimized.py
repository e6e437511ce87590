"""The ops Theano's optimizer writes into a compiled graph: ``Shape_i``, ``MakeVector``, ``AllocEmpty``, ``Gemv``.

symconv's compile-time rewrites (``symconv.optimize``) build them where Theano's
would, so ``f.maker.fgraph.toposort()`` and ``debugprint(f)`` show what Theano's
show; each lowers to plain JAX, and shapes stay Python-time values while tracing.
They are also usable directly, as Theano's ``theano.tensor.opt.Shape_i``,
``theano.tensor.opt.MakeVector``, ``theano.tensor.AllocEmpty`` and
``theano.tensor.blas.gemv_no_inplace`` are.
"""
import jax
import jax.numpy as jnp
import numpy as np

from ..contract import concrete_ints
from ..op import Op
from ..type import TensorType
from .literals import as_tensor_variable, constant
from .products import precision


def _is_static(values):
    return not any(isinstance(v, jax.core.Tracer) for v in values)


def _shape_i_impl(x, *, i):
    return np.asarray(np.shape(x)[i], dtype="int64")


def _shape_i_infer(x, *, i):
    return [TensorType("int64", ())]


class Shape_i(Op):  # noqa: N801 - Theano's name
    """``Shape_i(i)(x)``: the length of `x`'s axis `i`, an int64 scalar."""

    def __init__(self, i):
        super().__init__("Shape_i", _shape_i_impl, infer=_shape_i_infer, i=int(i))

    def static_output(self, node):
        length = node.inputs[0].type.shape[self.params["i"]]
        return None if length is None else np.asarray(length, dtype="int64")

    def __str__(self):
        return f"Shape_i{{{self.params['i']}}}"


def _make_vector_impl(*xs, dtype):
    if _is_static(xs):  # shapes known while tracing stay NumPy values
        return np.asarray([np.asarray(x).item() for x in xs], dtype=dtype)
    return jnp.stack([jnp.asarray(x, dtype) for x in xs])


def _make_vector_infer(*xs, dtype):
    return [TensorType(dtype, (len(xs),))]


class MakeVector(Op):
    """``MakeVector(dtype)(a, b, ...)``: a vector of scalars (Theano's node for a list of scalar variables)."""

    def __init__(self, dtype="int64"):
        super().__init__("MakeVector", _make_vector_impl, infer=_make_vector_infer, dtype=str(np.dtype(dtype)))

    def __call__(self, *inputs):
        inputs = [as_tensor_variable(x) for x in inputs]
        for x in inputs:
            if x.ndim != 0:
                raise TypeError(f"MakeVector takes scalars, got {x!r} ({x.type})")
        return super().__call__(*inputs)

    def __str__(self):
        return f"MakeVector{{dtype='{self.params['dtype']}'}}"


def _alloc_empty_impl(*dims, dtype):
    # XLA has no uninitialised buffers: zeros, which nothing reads before it is written
    return jnp.zeros(tuple(concrete_ints(d, "AllocEmpty's shape")[0] for d in dims), dtype)


def _alloc_empty_infer(*dims, dtype):
    return [TensorType(dtype, (None,) * len(dims))]


class AllocEmpty(Op):
    """``AllocEmpty(dtype)(*dims)``: a new array of that shape whose contents are not to be read (zeros here)."""

    foldable = False
    static_inputs_from = 0  # every input is a length: any of them may be made a compile-time value

    def __init__(self, dtype):
        super().__init__("AllocEmpty", _alloc_empty_impl, infer=_alloc_empty_infer, dtype=str(np.dtype(dtype)))

    def __call__(self, *dims):
        return super().__call__(*[as_tensor_variable(d) for d in dims])

    def __str__(self):
        return f"AllocEmpty{{dtype='{self.params['dtype']}'}}"


def _gemv_impl(y, alpha, a, x, beta, *, precision, inplace):
    product = jnp.dot(a, x, precision=precision)
    if not (isinstance(alpha, np.ndarray) and alpha == 1):
        product = alpha * product
    if isinstance(beta, np.ndarray) and beta == 0:  # BLAS: with beta 0, y is not read (even a NaN)
        return product.astype(y.dtype)
    return (product + beta * y).astype(y.dtype)


def _gemv_infer(y, alpha, a, x, beta, **_):
    if (y.ndim, alpha.ndim, a.ndim, x.ndim, beta.ndim) != (1, 0, 2, 1, 0):
        raise TypeError(f"Gemv takes (vector y, scalar alpha, matrix A, vector x, scalar beta), got ranks "
                        f"{[v.ndim for v in (y, alpha, a, x, beta)]}")
    if len({y.dtype, a.dtype, x.dtype}) != 1:
        raise TypeError(f"Gemv needs y, A and x of one dtype, got {y.dtype}, {a.dtype}, {x.dtype}")
    return [TensorType(y.dtype, (a.type.shape[0],))]


class Gemv(Op):
    """``Gemv(inplace)(y, alpha, A, x, beta)`` = ``beta * y + alpha * dot(A, x)`` (BLAS's gemv; y unread when beta is 0).

    `inplace` says the result takes y's storage, as Theano's ``Gemv{inplace}``
    (Theano's optimizer only does so when nothing else reads y); XLA decides
    buffers itself, so both compute the same thing.
    """

    def __init__(self, inplace=False, matmul_precision=None):
        super().__init__("Gemv", _gemv_impl, infer=_gemv_infer, inplace=bool(inplace),
                         precision=precision() if matmul_precision is None else matmul_precision)

    def __call__(self, y, alpha, a, x, beta):
        return super().__call__(*[as_tensor_variable(v) for v in (y, alpha, a, x, beta)])

    def __str__(self):
        return "Gemv{inplace}" if self.params["inplace"] else "Gemv{no_inplace}"


def gemv_no_inplace(y, alpha, a, x, beta):
    return Gemv(inplace=False)(y, alpha, a, x, beta)


def gemv_inplace(y, alpha, a, x, beta):
    return Gemv(inplace=True)(y, alpha, a, x, beta)


def gemv_of_dot(a, x, matmul_precision):
    """``dot(a, x)`` (a matrix, x a vector) as Theano's optimizer writes it: ``Gemv{inplace}(AllocEmpty, 1, a, x, 0)``."""
    dtype = a.dtype
    one, zero = constant(np.asarray(1.0, dtype)), constant(np.asarray(0.0, dtype))
    return Gemv(True, matmul_precision)(AllocEmpty(dtype)(Shape_i(0)(a)), one, a, x, zero)
