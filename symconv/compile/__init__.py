"""Compiling graphs: ``function`` (with ``In``, givens and updates) and shared variables."""
from .function import Function, In, Param, function
from .nanguardmode import NanGuardError, NanGuardMode
from .shared import SharedVariable, shared

__all__ = ["Function", "In", "Param", "SharedVariable", "function", "shared", "NanGuardMode", "NanGuardError"]
