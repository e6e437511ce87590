"""Static shape rules shared by the ops: broadcasting, axes, shape vectors known at build time.

Static shapes hold an int where a dimension's length is known when the graph
is built and None where it is not.
"""
import numpy as np

from ..errors import GraphBuildError
from ..graph import Variable
from ..interpret import static_value
from .literals import Stack


def broadcast_shape(shapes, ndim=None, strict=True):
    """NumPy's broadcast of static `shapes`, right-aligned to `ndim` dims (default: the largest rank).

    An unknown dim stays None unless another shape fixes its length. With
    `strict`, two different known lengths (neither 1) are a GraphBuildError.
    """
    ndim = max((len(s) for s in shapes), default=0) if ndim is None else ndim
    padded = [(1,) * (ndim - len(s)) + tuple(s)[max(len(s) - ndim, 0):] for s in shapes]
    out = []
    for axis, dims in enumerate(zip(*padded)) if padded else ():
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1 and strict:
            shown = ", ".join(str(tuple(s)) for s in shapes)
            raise GraphBuildError(f"shapes {shown} cannot be broadcast together (dimension {axis} of the result)")
        if None in dims:
            out.append(known.pop() if len(known) == 1 else None)
        else:
            out.append(max(dims, default=1))
    return tuple(out) if padded else (1,) * ndim


def normalize_axes(x, axis):
    """`axis` of `x` as a sorted tuple of non-negative ints (None: all axes)."""
    if axis is None:
        return tuple(range(x.ndim))
    if isinstance(axis, Variable):
        axis = static_value(axis)
        if axis is None:
            raise TypeError("axis must be known when the graph is built")
        axis = axis.tolist()
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -x.ndim <= a < max(x.ndim, 1):
            raise ValueError(f"axis {a} is out of range for {x!r} with {x.ndim} dimensions")
        out.append(a % max(x.ndim, 1))
    return tuple(sorted(set(out)))


def static_entries(shape_var, keep_negative=False):
    """The entries of an int vector (a shape or size) known when the graph is built; None where not.

    Negative entries (-1: "take it from elsewhere") are kept if asked, else None.
    """
    folded = static_value(shape_var)
    if folded is not None:
        values = [int(d) for d in np.asarray(folded).reshape(-1)]
    elif shape_var.owner is not None and isinstance(shape_var.owner.op, Stack):
        values = [None if v is None else int(v) for v in map(static_value, shape_var.owner.inputs)]
    else:
        values = [None] * shape_var.type.shape[0]
    return [None if d is None or (d < 0 and not keep_negative) else d for d in values]


def show_shape(dims):
    """A static shape as text: ``(?, 3)``."""
    return "(" + ", ".join("?" if d is None else str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"
