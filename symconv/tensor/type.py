"""Theano's module path ``theano.tensor.type``: ``TensorType`` (implemented in ``symconv.type``)."""
from ..type import TensorType  # noqa: F401
