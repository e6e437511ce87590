"""Theano's ``stacklists`` and ``mgrid`` / ``ogrid``: tensors built from nested lists and from slices."""
from .elemwise import mul
from .literals import stack
from .shape_ops import arange, dimshuffle, ones_like


def stacklists(arg):
    """Nested lists (or tuples) of tensors stacked into one tensor of the same nesting:
    ``stacklists([[a, b], [c, d]])`` of scalars is a 2x2 matrix; a non-list is returned as is."""
    if isinstance(arg, (tuple, list)):
        return stack([stacklists(item) for item in arg])
    return arg


class _nd_grid:  # noqa: N801 - Theano's class name
    """``mgrid[0:5, 0:3]`` (dense, as numpy.mgrid) or ``ogrid[...]`` (open: each range along its own axis).

    Indexed by a tuple of slices; returns a list of tensors, one per slice, whose
    dtypes follow Theano's arange and elementwise products (int64 ranges for int bounds).
    """

    def __init__(self, sparse=False):
        self.sparse = sparse

    def __getitem__(self, slices):
        ndim = len(slices)
        for sl in slices:
            if isinstance(sl.step, complex):
                raise NotImplementedError("Not implemented for slices whose step is complex")
        ranges = [arange(sl.start or 0, sl.stop, sl.step or 1) for sl in slices]
        # Range j along axis j, broadcastable elsewhere (Theano reshapes to [1]*j + [n] + [1]*...).
        ranges = [dimshuffle(r, *(["x"] * j + [0] + ["x"] * (ndim - 1 - j))) for j, r in enumerate(ranges)]
        if self.sparse:
            return ranges
        ones = [ones_like(r) for r in ranges]
        grids = []
        for i in range(ndim):
            grid = 1
            for j in range(ndim):
                grid = mul(grid, ranges[j] if j == i else ones[j])
            grids.append(grid)
        return grids


mgrid = _nd_grid()
ogrid = _nd_grid(sparse=True)
