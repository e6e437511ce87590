"""Affine forms of integer scalar graphs, to prove a slice's length constant.

``index * 600`` and ``(index + 1) * 600`` are ``{index: 600} + 0`` and
``{index: 600} + 600``: their difference is the constant 600, so
``data[index * 600:(index + 1) * 600]`` is a fixed-length dynamic slice.
"""
from ..interpret import static_value
from .elemwise import Cast, Elemwise, Scalar
from .shape_ops import Shape

_SIGNS = {Scalar.add: 1, Scalar.sub: -1}


class Affine:
    __slots__ = ("terms", "const")

    def __init__(self, terms, const):
        self.terms = {v: c for v, c in terms.items() if c != 0}
        self.const = const

    def __add__(self, other):
        terms = dict(self.terms)
        for var, coeff in other.terms.items():
            terms[var] = terms.get(var, 0) + coeff
        return Affine(terms, self.const + other.const)

    def scale(self, k):
        return Affine({v: c * k for v, c in self.terms.items()}, self.const * k)

    def is_constant(self):
        return not self.terms


def affine_form(var):
    """`var` (an integer scalar) as coefficients over opaque variables plus a constant."""
    value = static_value(var) if var.owner is None or not isinstance(var.owner.op, Shape) else None
    if value is not None and value.ndim == 0 and value.dtype.kind in "iub":
        return Affine({}, int(value))
    node = var.owner
    if node is None or var.ndim != 0 or var.dtype[0] not in "iu":
        return Affine({var: 1}, 0)
    op = node.op
    if isinstance(op, Cast) and node.inputs[0].dtype[0] in "iu":
        return affine_form(node.inputs[0])
    scalar = op.params["fn"] if isinstance(op, Elemwise) else None
    if scalar is Scalar.neg:
        return affine_form(node.inputs[0]).scale(-1)
    if scalar in _SIGNS:
        first, second = (affine_form(i) for i in node.inputs)
        return first + second.scale(_SIGNS[scalar])
    if scalar is Scalar.mul:
        a, b = (affine_form(i) for i in node.inputs)
        if a.is_constant():
            return b.scale(a.const)
        if b.is_constant():
            return a.scale(b.const)
    return Affine({var: 1}, 0)


def constant_difference(stop, start):
    """``stop - start`` as an int if it is the same for every input value, else None."""
    diff = affine_form(stop) + affine_form(start).scale(-1)
    return diff.const if diff.is_constant() else None
