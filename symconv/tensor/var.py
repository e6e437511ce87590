"""``theano.tensor.var``: the classes of tensor variables and constants, at Theano's module path."""
from ..graph import register_theano_name
from ..ops.variable import TensorConstant, TensorVariable

for _cls in (TensorVariable, TensorConstant):
    register_theano_name(_cls, f"theano.tensor.var.{_cls.__name__}")

__all__ = ["TensorVariable", "TensorConstant"]
