"""Theano's ``theano.compile.debugmode`` path: ``DebugMode`` (see ``symconv.compile.mode``)."""
from .mode import DebugMode  # noqa: F401
