"""Theano's module path ``theano.tensor.basic``: the same names as ``symconv.tensor`` (implemented in ``symconv.ops``)."""
from . import *  # noqa: F401,F403
