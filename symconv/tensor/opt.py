"""``theano.tensor.opt``: the ops Theano's shape rewrites put into compiled graphs (``Shape_i``, ``MakeVector``)."""
from ..ops.optimized import MakeVector, Shape_i  # noqa: F401
from ..optimize import fuse_elemwise, mark_inplace, shapes_from_inputs  # noqa: F401


def make_vector(*scalars, dtype="int64"):
    """``MakeVector(dtype)(*scalars)``: Theano's node for a list of scalar variables."""
    return MakeVector(dtype)(*scalars)
