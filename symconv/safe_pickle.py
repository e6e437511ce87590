"""Reading the pickles users still need (deeplearning.net's ``mnist.pkl.gz``, Theano-era arrays) without
letting them run code.

A pickle names the functions and classes that rebuild its objects, and
``pickle.load`` imports and calls whatever is named: a file whose
``__reduce__`` returns ``(os.system, ('rm -rf ~',))`` runs that command when
loaded.  ``RestrictedUnpickler`` resolves only the names that pickled NumPy
arrays, numbers, strings, tuples, lists and dicts need; any other name is
refused, before anything is called, with a ``ForbiddenPickleError`` that
names it.  symconv's own models are never pickled by the command line (see
``symconv.train.model_file``); ``pickle.dump(classifier)`` in Python still
works, and loading such a file stays the user's explicit choice.
"""
import _compat_pickle
import io
import pickle

_NUMPY_CORE = ("numpy.core.multiarray", "numpy._core.multiarray")
_NUMPY_NUMERIC = ("numpy.core.numeric", "numpy._core.numeric")

ALLOWED = frozenset(
    [(module, "_reconstruct") for module in _NUMPY_CORE]  # ndarray.__reduce__, protocols 0-4
    + [(module, "scalar") for module in _NUMPY_CORE]  # numpy scalars (numpy.float32(1.0), ...)
    + [(module, "_frombuffer") for module in _NUMPY_NUMERIC]  # ndarray.__reduce_ex__, protocol 5
    + [("numpy", "ndarray"), ("numpy", "dtype")]
    + [("numpy.dtypes", name) for name in ("Float32DType", "Float64DType", "Int64DType", "Int32DType",
                                           "UInt8DType", "Int8DType", "BoolDType", "Float16DType")]
    + [("_codecs", "encode")]  # how protocol 2 writes bytes under Python 3
    + [("builtins", name) for name in ("tuple", "list", "dict", "set", "frozenset", "bytes", "bytearray",
                                       "int", "float", "complex", "str", "bool")]
)
"""``(module, name)`` pairs a restricted pickle may name: what pickled NumPy arrays and containers hold."""


class ForbiddenPickleError(pickle.UnpicklingError):
    """A pickle names a function or class that symconv refuses to load."""

    def __init__(self, module, name):
        self.module, self.name = module, name
        super().__init__(f"refused to unpickle {module}.{name}: a pickle can run code when loaded, so only NumPy "
                         "arrays, numbers, strings, tuples, lists and dicts are read from one")


class RestrictedUnpickler(pickle.Unpickler):
    """A ``pickle.Unpickler`` that resolves only the names in ``ALLOWED``."""

    def find_class(self, module, name):
        # Python 2 names (__builtin__.list, ...) read as pickle itself maps them for protocols 0-2.
        module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        if (module, name) not in ALLOWED:
            raise ForbiddenPickleError(module, name)
        return super().find_class(module, name)


def restricted_load(file, encoding="latin1"):
    """``pickle.load(file)`` for pickles of arrays and containers; anything else raises ForbiddenPickleError.

    `encoding` is ``latin1`` by default, which reads the NumPy arrays Python 2 pickled.
    """
    return RestrictedUnpickler(file, encoding=encoding).load()


def restricted_loads(data, encoding="latin1"):
    """``restricted_load`` from bytes."""
    return restricted_load(io.BytesIO(data), encoding=encoding)
