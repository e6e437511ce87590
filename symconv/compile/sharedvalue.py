"""Theano's ``theano.compile.sharedvalue`` path: ``shared`` and ``SharedVariable``."""
from .shared import SharedVariable, shared  # noqa: F401
