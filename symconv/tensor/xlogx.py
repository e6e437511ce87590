"""Theano's module path ``theano.tensor.xlogx`` (``T.xlogx.xlogx``, ``T.xlogx.xlogy0``; implemented in ``symconv.ops.xlogx``)."""
from ..ops.xlogx import xlogx, xlogy0  # noqa: F401
