"""``theano.tensor.extra_ops``: repeat, cumsum/cumprod, squeeze and ``to_one_hot``, under Theano's module path."""
from ..config import config
from ..ops.literals import as_tensor_variable
from ..ops.reduction import cumprod, cumsum  # noqa: F401
from ..ops.shape_ops import arange, repeat, squeeze, zeros  # noqa: F401
from ..ops.subtensor import set_subtensor


def to_one_hot(y, nb_class, dtype=None):
    """A (len(y), nb_class) matrix of `dtype` (floatX by default), 1 at ``[i, y[i]]`` and 0 elsewhere.

    As Theano builds it: an advanced-index assignment, so a class out of range is
    an IndexError when the function runs and a negative one counts from the end.
    """
    y = as_tensor_variable(y)
    if y.ndim != 1:
        raise TypeError(f"to_one_hot needs a vector of class indices, got {y!r} with {y.ndim} dimensions")
    ret = zeros((y.shape[0], nb_class), dtype=dtype or config.floatX)
    return set_subtensor(ret[arange(y.shape[0]), y], 1)
