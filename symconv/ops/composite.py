"""``Composite``: several elementwise nodes as one (Theano's ``Elemwise{Composite{...}}``, made by its fusion rewrite).

The node's inputs are the fused subgraph's outside inputs, each given the
output's rank (a lower-rank input through a dimshuffle, a constant reshaped), as
Theano's Elemwise inputs are; its lowering evaluates the original elementwise
nodes on the inputs brought back to their own ranks, so every op computes and
checks exactly what it did unfused (XLA fuses the loops itself).
"""
import numpy as np

from ..interpret import evaluate
from ..op import Op
from .elemwise import Elemwise

_INFIX = {"add": "+", "sub": "-", "mul": "*", "true_div": "/", "int_div": "//", "pow": "**", "mod": "%"}
_SCALAR_NAMES = {"sigmoid": "scalar_sigmoid", "softplus": "scalar_softplus", "reciprocal": "inv"}
_SCALAR_CLASSES = {"true_div": "TrueDiv", "int_div": "IntDiv", "abs_": "Abs", "sigmoid": "ScalarSigmoid",
                   "softplus": "ScalarSoftplus", "reciprocal": "Inv", "and_": "AND", "or_": "OR", "xor": "XOR",
                   "arctan2": "ArcTan2", "arcsin": "ArcSin", "arccos": "ArcCos", "arctan": "ArcTan",
                   "arcsinh": "ArcSinh", "arccosh": "ArcCosh", "arctanh": "ArcTanh", "gammaln": "GammaLn",
                   "erfinv": "ErfInv", "isnan": "IsNan", "isinf": "IsInf", "deg2rad": "Deg2Rad",
                   "rad2deg": "Rad2Deg", "round_half_to_even": "RoundHalfToEven", "expm1": "Expm1",
                   "log1p": "Log1p"}
# Theano's scalar ops made without a name print their class name inside a Composite
_UNNAMED = {"eq", "neq", "lt", "gt", "le", "ge", "isnan", "isinf", "switch", "and_", "or_", "xor", "invert", "abs_",
            "round_half_to_even"}


def scalar_class_name(fn):
    """The class name of Theano's scalar op for symconv's elementwise function `fn` (``Add``, ``TrueDiv``, ``GT``)."""
    if fn in ("eq", "neq", "lt", "gt", "le", "ge"):
        return fn.upper()
    return _SCALAR_CLASSES.get(fn, fn.capitalize())


def _composite_impl(*values, _inner, _ranks, _inplace=()):
    inputs, output = _inner
    env = {}
    for var, value, rank in zip(inputs, values, _ranks):
        extra = np.ndim(value) - rank
        env[var] = value.reshape(np.shape(value)[extra:]) if extra else value
    return evaluate([output], env)[0]


def _composite_infer(*values, _inner, _ranks, _inplace=()):
    return [_inner[1].type]


class Composite(Op):
    """The elementwise subgraph from `inputs` (outside variables) to `output`, as one node over `inputs`."""

    def __init__(self, inputs, output):
        super().__init__("Composite", _composite_impl, infer=_composite_infer,
                         _inner=(tuple(inputs), output), _ranks=tuple(v.ndim for v in inputs))

    @property
    def inner_inputs(self):
        return self.params["_inner"][0]

    @property
    def inner_output(self):
        return self.params["_inner"][1]

    def __str__(self):
        """Theano's name: ``Composite{GT(scalar_sigmoid((-((-i0) - i1))), i2)}`` (its inputs i0, i1, ...)."""
        names = {var: f"i{k}" for k, var in enumerate(self.inner_inputs)}

        def show(var):
            if var in names:
                return names[var]
            node = var.owner
            if node is None:
                return str(var)
            args = [show(i) for i in node.inputs]
            fn = node.op.params["fn"].value if isinstance(node.op, Elemwise) else str(node.op)
            if fn in _INFIX and len(args) >= 2:
                return "(" + f" {_INFIX[fn]} ".join(args) + ")"
            if fn == "neg":
                return f"(-{args[0]})"
            name = scalar_class_name(fn) if fn in _UNNAMED else _SCALAR_NAMES.get(fn, fn)
            return f"{name}({', '.join(args)})"

        return f"Composite{{{show(self.inner_output)}}}"
