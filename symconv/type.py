"""TensorType (dtype + static shape) and the T.matrix()-style constructors.

The type decides the class of its variables: ``variable_type`` and
``constant_type`` start as the graph's plain classes and are set by
``symconv.ops.variable`` to the tensor classes that carry the operators
(``x + y``, ``x.sum()``), as PyTensor's ``TensorType.variable_type`` does.
"""
import numpy as np

from .config import config
from .dtypes import upcast
from .graph import Constant, Variable


class TensorType:
    """The type of a symbolic tensor: a dtype and a shape whose unknown dims are None.

    ``TensorType('float32', (False, True))`` also accepts Theano's broadcastable
    pattern: True means a dimension of length 1.
    """

    variable_type = Variable
    constant_type = Constant

    def __init__(self, dtype, shape=None, broadcastable=None, name=None):
        self.name = name  # printed instead of the type, as Theano's; not part of equality
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

    def __call__(self, name=None, shape=None):
        """Make a fresh input variable of this type, as Theano's TensorType does (``T.dmatrix('x')``).

        ``shape=`` (a symconv extra) gives the variable static sizes: ``T.dvector('v', shape=(7,))``.
        """
        if shape is not None:
            return TensorType(self.dtype, shape)(name)
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

    def filter(self, data, allow_downcast=None):
        """`data` as a NumPy array of this type, converted as Theano's ``TensorType.filter`` converts.

        An array keeps its values or is refused: its dtype must upcast to this
        one (int64 into float64, not float64 into float32) unless
        `allow_downcast`; a Python number or list must convert exactly (a float
        into floatX always).  The rank and the static sizes must match.
        """
        if hasattr(data, "dtype") and not isinstance(data, np.ndarray):
            data = np.asarray(data)
        if isinstance(data, np.ndarray) and data.dtype == self.dtype:
            array = data
        elif allow_downcast or (allow_downcast is None and type(data) is float and self.dtype == config.floatX):
            array = np.asarray(data, dtype=self.dtype)
        elif isinstance(data, np.ndarray):
            if upcast(self.dtype, data.dtype) != self.dtype:
                raise TypeError(f"{self} cannot store a value of dtype {data.dtype} without risking loss of "
                                f"precision; cast it with .astype({self.dtype!r}) first")
            array = data.astype(self.dtype)
        else:
            original = np.asarray(data)
            array = original.astype(self.dtype)
            if original.dtype == object or not np.array_equal(original, array):
                raise TypeError(f"{self} cannot store the value {data!r} exactly: it would be {array!r}")
        if array.ndim != self.ndim:
            raise TypeError(f"Wrong number of dimensions: expected {self.ndim}, got {array.ndim} "
                            f"with shape {array.shape}.")
        if not self.compatible_shape(array.shape):
            raise TypeError(f"{self} needs the shape {self.shape} (None: any size), got {array.shape}")
        return array

    def __repr__(self):
        if self.name:
            return self.name
        if any(d not in (None, 1) for d in self.shape):
            # A static size Theano's types cannot hold: shown, so the type is not mistaken for another.
            dims = ", ".join("?" if d is None else str(d) for d in self.shape)
            return f"TensorType({self.dtype}, shape=({dims}{',' if self.ndim == 1 else ''}))"
        return f"TensorType({self.dtype}, {_pattern_name(self.broadcastable)})"


def _pattern_name(broadcastable):
    """Theano's name of a broadcastable pattern: 'matrix', 'row', '3D', '(True, False, False)'."""
    if broadcastable in _PATTERN_NAMES:
        return _PATTERN_NAMES[broadcastable]
    return str(broadcastable) if any(broadcastable) else f"{len(broadcastable)}D"


_PATTERN_NAMES = {(): "scalar", (False,): "vector", (False, True): "col", (True, False): "row", (False, False): "matrix"}
_KIND_NAMES = {0: "scalar", 1: "vector", 2: "matrix", 3: "tensor3", 4: "tensor4", 5: "tensor5", 6: "tensor6", 7: "tensor7"}
_PREFIX_DTYPES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32", "d": "float64", "c": "complex64", "z": "complex128"}
# The plural constructors Theano defines (``scalars``, ``fmatrices``, ``lcols``, ...): these prefixes only.
_PLURAL_PREFIXES = ("", "f", "d", "i", "l")
_PLURALS = {"scalar": "scalars", "vector": "vectors", "matrix": "matrices", "row": "rows", "col": "cols"}


def _constructor(ndim):
    def make(name=None, dtype=None, shape=None):
        """A symbolic tensor of this rank; `dtype` None means config.floatX (`shape`: static sizes, a symconv extra)."""
        return TensorType(dtype or config.floatX, shape if shape is not None else (None,) * ndim)(name)

    return make


def tensor(dtype=None, shape=None, name=None, broadcastable=None):
    """A symbolic tensor of any rank: ``T.tensor('float32', (None, 3))``."""
    if broadcastable is not None:
        return TensorType(dtype or config.floatX, broadcastable=broadcastable)(name)
    return TensorType(dtype or config.floatX, shape)(name)


def _broadcastable_constructor(broadcastable):
    def make(name=None, dtype=None):
        return TensorType(dtype or config.floatX, broadcastable=broadcastable)(name)

    return make


def _plural(make):
    """Theano's ``scalars``-style constructor over `make` (a constructor function or a TensorType).

    As Theano's: an int n gives a list of n unnamed variables; one argument that is a
    string of one character gives that one variable; otherwise each element of the
    argument (each character of a string such as 'abc', each item of a list) or each
    of several arguments names one variable of the returned list.
    """
    def make_many(*names):
        if names and isinstance(names[0], (int, np.integer)):
            return [make() for _ in range(names[0])]
        if len(names) == 1:
            names = names[0]
        if len(names) == 1:
            return make(names)
        return [make(name) for name in names]

    return make_many


def install_constructors(namespace):
    """Put Theano's constructors into `namespace`: ``matrix`` and ``row`` (functions honouring floatX),
    ``fvector``, ``dmatrix``, ``lrow`` (TensorType instances), ``scalars``, ``fmatrices`` (plurals)."""
    kinds = [(kind, (False,) * ndim, _constructor(ndim)) for ndim, kind in _KIND_NAMES.items()]
    kinds += [(name, bcast, _broadcastable_constructor(bcast)) for name, bcast in (("row", (True, False)), ("col", (False, True)))]
    for kind, bcast, function in kinds:
        namespace[kind] = function
        for prefix, dtype in _PREFIX_DTYPES.items():
            namespace[prefix + kind] = TensorType(dtype, broadcastable=bcast)
        for prefix in _PLURAL_PREFIXES:
            namespace[prefix + _PLURALS.get(kind, kind + "s")] = _plural(namespace[prefix + kind])


install_constructors(globals())
