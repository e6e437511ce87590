"""Tensor variables: graph variables that carry Theano's operators and methods (``x + y``, ``x.sum(0)``, ``x[i]``).

They delegate to the op functions, so each op is defined once.  The tensor
type creates them (``TensorType.variable_type``), which this module sets: the
graph below never imports tensors.
"""
from ..contract import compile_function
from ..graph import Constant, Variable
from ..type import TensorType
from . import elemwise as E
from . import products as P
from . import reduction as R
from . import shape_ops as S
from .subtensor import subtensor


class TensorOperators:
    """Mixed into TensorVariable and TensorConstant; every method builds graph nodes through the op functions."""

    __array_priority__ = 1000  # numpy_array + variable -> variable.__radd__

    dtype = property(lambda self: self.type.dtype)
    ndim = property(lambda self: self.type.ndim)
    broadcastable = property(lambda self: self.type.broadcastable)
    shape = property(lambda self: S.shape(self))
    size = property(lambda self: R.prod(S.shape(self)))
    T = property(lambda self: S.transpose(self))

    def __add__(self, other): return E.add(self, other)
    def __radd__(self, other): return E.add(other, self)
    def __sub__(self, other): return E.sub(self, other)
    def __rsub__(self, other): return E.sub(other, self)
    def __mul__(self, other): return E.mul(self, other)
    def __rmul__(self, other): return E.mul(other, self)
    def __truediv__(self, other): return E.true_div(self, other)
    def __rtruediv__(self, other): return E.true_div(other, self)
    def __floordiv__(self, other): return E.int_div(self, other)
    def __rfloordiv__(self, other): return E.int_div(other, self)
    def __mod__(self, other): return E.mod(self, other)
    def __rmod__(self, other): return E.mod(other, self)
    def __pow__(self, other): return E.pow(self, other)
    def __rpow__(self, other): return E.pow(other, self)
    def __matmul__(self, other): return P.dot(self, other)
    def __rmatmul__(self, other): return P.dot(other, self)
    def __dot__(self, other): return P.dot(self, other)  # theano.dot(l, r)
    def __rdot__(self, other): return P.dot(other, self)
    def __neg__(self): return E.neg(self)
    def __pos__(self): return self
    def __abs__(self): return E.abs_(self)
    def __invert__(self): return E.invert(self)
    def __and__(self, other): return E.and_(self, other)
    def __rand__(self, other): return E.and_(other, self)
    def __or__(self, other): return E.or_(self, other)
    def __ror__(self, other): return E.or_(other, self)
    def __xor__(self, other): return E.xor(self, other)
    def __rxor__(self, other): return E.xor(other, self)
    def __lt__(self, other): return E.lt(self, other)
    def __le__(self, other): return E.le(self, other)
    def __gt__(self, other): return E.gt(self, other)
    def __ge__(self, other): return E.ge(self, other)
    # == stays identity, as in Theano: variables are dict keys (givens, updates).
    __hash__ = object.__hash__
    __eq__ = object.__eq__

    def __getitem__(self, index):
        if isinstance(index, list) and any(isinstance(i, slice) for i in index):
            index = tuple(index)  # as Theano: a list holding a slice indexes like a tuple (one entry per axis)
        return subtensor(self, index)

    def __iter__(self):
        # As in Theano, a vector of known length (x.shape) unpacks: ``rows, cols = x.shape``.
        if self.ndim != 1 or self.type.shape[0] is None:
            raise TypeError("a symbolic tensor cannot be iterated over unless it is a vector of known length "
                            "(such as x.shape); index it (x[i]) or use symconv.scan")
        return iter([self[i] for i in range(self.type.shape[0])])

    def __len__(self):
        raise TypeError("len() of a symbolic tensor is not known when the graph is built; use x.shape[0]")

    def sum(self, axis=None, dtype=None, keepdims=False, acc_dtype=None): return R.sum(self, axis=axis, dtype=dtype, keepdims=keepdims)
    def mean(self, axis=None, dtype=None, keepdims=False, acc_dtype=None): return R.mean(self, axis=axis, dtype=dtype, keepdims=keepdims)
    def prod(self, axis=None, dtype=None, keepdims=False, acc_dtype=None): return R.prod(self, axis=axis, dtype=dtype, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return R.max(self, axis=axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return R.min(self, axis=axis, keepdims=keepdims)
    def argmax(self, axis=None, keepdims=False): return R.argmax(self, axis=axis, keepdims=keepdims)
    def argmin(self, axis=None, keepdims=False): return R.argmin(self, axis=axis, keepdims=keepdims)
    def var(self, axis=None, ddof=0, keepdims=False, corrected=False): return R.var(self, axis=axis, ddof=ddof, keepdims=keepdims, corrected=corrected)
    def std(self, axis=None, ddof=0, keepdims=False, corrected=False): return R.std(self, axis=axis, ddof=ddof, keepdims=keepdims, corrected=corrected)
    def all(self, axis=None, keepdims=False): return R.all(self, axis=axis, keepdims=keepdims)
    def any(self, axis=None, keepdims=False): return R.any(self, axis=axis, keepdims=keepdims)
    def norm(self, L, axis=None, keepdims=False): return R.norm(self, L, axis=axis, keepdims=keepdims)
    def reshape(self, shape, ndim=None): return S.reshape(self, shape, ndim=ndim)
    def flatten(self, ndim=1, outdim=None): return S.flatten(self, ndim, outdim)
    def dimshuffle(self, *pattern): return S.dimshuffle(self, *pattern)
    def transpose(self, *axes): return S.transpose(self, *axes)
    def astype(self, dtype): return E.cast(self, dtype)
    def dot(self, other): return P.dot(self, other)
    def nonzero(self):
        raise TypeError("nonzero's result has a length that depends on the data, which one compiled XLA computation "
                        "cannot have; use T.switch(condition, x, 0) or a mask product instead")
    def clip(self, a_min, a_max): return E.clip(self, a_min, a_max)
    def round(self, mode=None): return E.round(self, mode)
    def repeat(self, repeats, axis=None): return S.repeat(self, repeats, axis)
    def squeeze(self): return S.squeeze(self)
    def sort(self, axis=-1): return S.sort(self, axis)
    def argsort(self, axis=-1): return S.argsort(self, axis)
    def cumsum(self, axis=None): return R.cumsum(self, axis)
    def cumprod(self, axis=None): return R.cumprod(self, axis)
    def zeros_like(self, dtype=None): return S.zeros_like(self, dtype=dtype)
    def ones_like(self, dtype=None): return S.ones_like(self, dtype=dtype)
    def copy(self, name=None): return E.tensor_copy(self, name=name)

    def eval(self, inputs_to_values=None):
        """Compile and run this variable once: ``y.eval({x: value})``."""
        inputs_to_values = inputs_to_values or {}
        cache = self.__dict__.setdefault("_eval_cache", {})
        key = tuple(inputs_to_values)
        if key not in cache:
            cache[key] = compile_function(list(inputs_to_values), self, on_unused_input="ignore")
        return cache[key](*inputs_to_values.values())

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_eval_cache", None)
        state.pop("_tag", None)  # test values and other scratch notes are not pickled
        return state


class TensorVariable(TensorOperators, Variable):
    """A symbolic tensor (Theano's ``TensorVariable``)."""


class TensorConstant(TensorOperators, Constant):
    """A constant tensor (Theano's ``TensorConstant``)."""


TensorType.variable_type = TensorVariable
TensorType.constant_type = TensorConstant
