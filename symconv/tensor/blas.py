"""``theano.tensor.blas``: ``Gemv`` (``beta * y + alpha * dot(A, x)``), the op Theano's CPU rewrite makes of a
matrix-vector ``dot``; ``gemv_no_inplace`` and ``gemv_inplace`` build it."""
from ..ops.optimized import Gemv, gemv_inplace, gemv_no_inplace  # noqa: F401
from ..ops.products import dot  # noqa: F401
