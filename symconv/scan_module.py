"""Theano's module path ``theano.scan_module``: ``scan``, ``until`` and the helpers built on scan (implemented in ``symconv.scan``)."""
from .scan import OrderedUpdates, foldl, foldr, map, reduce, scan, until  # noqa: F401,A004
