"""TensorType (dtype + static shape) and the T.matrix()-style constructors.

The type decides the class of its variables: ``variable_type`` and
``constant_type`` start as the graph's plain classes and are set by
``symconv.ops.variable`` to the tensor classes that carry the operators
(``x + y``, ``x.sum()``), as PyTensor's ``TensorType.variable_type`` does.
"""
import numpy as np

from .config import config
from .graph import Constant, Variable


class TensorType:
    """The type of a symbolic tensor: a dtype and a shape whose unknown dims are None.

    ``TensorType('float32', (False, True))`` also accepts Theano's broadcastable
    pattern: True means a dimension of length 1.
    """

    variable_type = Variable
    constant_type = Constant

    def __init__(self, dtype, shape=None, broadcastable=None):
        if broadcastable is None and shape is not None and all(isinstance(b, (bool, np.bool_)) for b in shape) and shape:
            shape, broadcastable = None, shape
        if broadcastable is not None:
            shape = tuple(1 if b else None for b in broadcastable)
        if shape is None:
            raise TypeError("TensorType needs a shape or a broadcastable pattern")
        self.dtype = str(np.dtype(dtype))
        self.shape = tuple(None if d is None else int(d) for d in shape)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def broadcastable(self):
        return tuple(d == 1 for d in self.shape)

    def __call__(self, name=None):
        """Make a fresh input variable of this type, as Theano's TensorType does."""
        return self.make_variable(name=name)

    def make_variable(self, owner=None, index=None, name=None):
        return self.variable_type(self, owner=owner, index=index, name=name)

    def make_constant(self, data, name=None):
        return self.constant_type(self, data, name=name)

    def __eq__(self, other):
        return isinstance(other, TensorType) and (self.dtype, self.shape) == (other.dtype, other.shape)

    def __hash__(self):
        return hash((self.dtype, self.shape))

    def same_kind(self, other):
        """Same dtype and rank (what Theano requires of givens and updates)."""
        return self.dtype == other.dtype and self.ndim == other.ndim

    def compatible_shape(self, shape):
        return len(shape) == self.ndim and all(d is None or d == s for d, s in zip(self.shape, shape))

    def __repr__(self):
        kind = _KIND_NAMES.get(self.ndim, f"tensor{self.ndim}")
        if any(d is not None for d in self.shape):
            dims = ", ".join("?" if d is None else str(d) for d in self.shape)
            return f"TensorType({self.dtype}, shape=({dims}{',' if self.ndim == 1 else ''}))"
        return f"TensorType({self.dtype}, {kind})"


_KIND_NAMES = {0: "scalar", 1: "vector", 2: "matrix", 3: "tensor3", 4: "tensor4"}
_PREFIX_DTYPES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32", "d": "float64", "c": "complex64", "z": "complex128"}


def _constructor(ndim, dtype_or_none):
    def make(name=None, dtype=None, shape=None):
        dtype = dtype or dtype_or_none or config.floatX
        return TensorType(dtype, shape if shape is not None else (None,) * ndim)(name)

    return make


def tensor(dtype=None, shape=None, name=None, broadcastable=None):
    """A symbolic tensor of any rank: ``T.tensor('float32', (None, 3))``."""
    if broadcastable is not None:
        return TensorType(dtype or config.floatX, broadcastable=broadcastable)(name)
    return TensorType(dtype or config.floatX, shape)(name)


def _broadcastable_constructor(broadcastable, dtype_or_none):
    def make(name=None, dtype=None):
        return TensorType(dtype or dtype_or_none or config.floatX, broadcastable=broadcastable)(name)

    return make


def install_constructors(namespace):
    """Put Theano's constructors (``matrix``, ``fvector``, ``drow``, ...) into `namespace`."""
    for ndim, kind in _KIND_NAMES.items():
        namespace[kind] = _constructor(ndim, None)
        for prefix, dtype in _PREFIX_DTYPES.items():
            namespace[prefix + kind] = _constructor(ndim, dtype)
    for name, bcast in (("row", (True, False)), ("col", (False, True))):
        namespace[name] = _broadcastable_constructor(bcast, None)
        for prefix, dtype in _PREFIX_DTYPES.items():
            namespace[prefix + name] = _broadcastable_constructor(bcast, dtype)


install_constructors(globals())
