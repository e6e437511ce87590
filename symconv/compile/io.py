"""Theano's ``theano.compile.io`` path: ``In`` and ``Out`` (see ``symconv.compile.function``)."""
from .function import In, Out  # noqa: F401
