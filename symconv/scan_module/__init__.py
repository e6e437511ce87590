"""Theano's module path ``theano.scan_module``: ``scan``, ``until`` and the helpers built on scan (implemented in ``symconv.scan``)."""
from ..scan import OrderedUpdates, foldl, foldr, map, reduce, scan, until  # noqa: F401,A004
from . import scan_utils  # noqa: E402,F401  (theano.scan_module.scan_utils)
from .scan_utils import clone  # noqa: E402,F401
