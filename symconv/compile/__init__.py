"""Compiling graphs: ``function``, ``In``, and the lowering of a graph to JAX."""
from .function import Function, In, Param, function
from .shared import SharedVariable, shared

__all__ = ["Function", "In", "Param", "SharedVariable", "function", "shared"]
