"""Operators and methods of symbolic tensors (``x + y``, ``x.sum(axis=0)``, ``x[i]``).

They delegate to the functions of ``symconv.tensor`` so each op is defined once.
"""
import importlib


def _T():
    return importlib.import_module("symconv.tensor")


class TensorMethods:
    """Mixed into graph.Variable; every method builds graph nodes through symconv.tensor."""

    __array_priority__ = 1000  # numpy_array + variable -> variable.__radd__

    dtype = property(lambda self: self.type.dtype)
    ndim = property(lambda self: self.type.ndim)
    broadcastable = property(lambda self: self.type.broadcastable)
    shape = property(lambda self: _T().shape(self))
    size = property(lambda self: _T().prod(_T().shape(self)))
    T = property(lambda self: _T().transpose(self))

    def __add__(self, other): return _T().add(self, other)
    def __radd__(self, other): return _T().add(other, self)
    def __sub__(self, other): return _T().sub(self, other)
    def __rsub__(self, other): return _T().sub(other, self)
    def __mul__(self, other): return _T().mul(self, other)
    def __rmul__(self, other): return _T().mul(other, self)
    def __truediv__(self, other): return _T().true_div(self, other)
    def __rtruediv__(self, other): return _T().true_div(other, self)
    def __floordiv__(self, other): return _T().int_div(self, other)
    def __rfloordiv__(self, other): return _T().int_div(other, self)
    def __mod__(self, other): return _T().mod(self, other)
    def __rmod__(self, other): return _T().mod(other, self)
    def __pow__(self, other): return _T().pow(self, other)
    def __rpow__(self, other): return _T().pow(other, self)
    def __matmul__(self, other): return _T().dot(self, other)
    def __rmatmul__(self, other): return _T().dot(other, self)
    def __neg__(self): return _T().neg(self)
    def __pos__(self): return self
    def __abs__(self): return _T().abs_(self)
    def __invert__(self): return _T().invert(self)
    def __and__(self, other): return _T().and_(self, other)
    def __rand__(self, other): return _T().and_(other, self)
    def __or__(self, other): return _T().or_(self, other)
    def __ror__(self, other): return _T().or_(other, self)
    def __xor__(self, other): return _T().xor(self, other)
    def __rxor__(self, other): return _T().xor(other, self)
    def __lt__(self, other): return _T().lt(self, other)
    def __le__(self, other): return _T().le(self, other)
    def __gt__(self, other): return _T().gt(self, other)
    def __ge__(self, other): return _T().ge(self, other)
    # == stays identity, as in Theano: variables are dict keys (givens, updates).
    __hash__ = object.__hash__

    def __getitem__(self, index): return _T().subtensor(self, index)

    def __iter__(self):
        # As in Theano, a vector of known length (x.shape) unpacks: ``rows, cols = x.shape``.
        if self.ndim != 1 or self.type.shape[0] is None:
            raise TypeError("a symbolic tensor cannot be iterated over unless it is a vector of known length "
                            "(such as x.shape); index it (x[i]) or use symconv.scan")
        return iter([self[i] for i in range(self.type.shape[0])])

    def __len__(self):
        raise TypeError("len() of a symbolic tensor is not known when the graph is built; use x.shape[0]")

    def sum(self, axis=None, dtype=None, keepdims=False, acc_dtype=None): return _T().sum(self, axis=axis, dtype=dtype, keepdims=keepdims)
    def mean(self, axis=None, dtype=None, keepdims=False, acc_dtype=None): return _T().mean(self, axis=axis, dtype=dtype, keepdims=keepdims)
    def prod(self, axis=None, dtype=None, keepdims=False, acc_dtype=None): return _T().prod(self, axis=axis, dtype=dtype, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return _T().max(self, axis=axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return _T().min(self, axis=axis, keepdims=keepdims)
    def argmax(self, axis=None, keepdims=False): return _T().argmax(self, axis=axis, keepdims=keepdims)
    def argmin(self, axis=None, keepdims=False): return _T().argmin(self, axis=axis, keepdims=keepdims)
    def var(self, axis=None, ddof=0, keepdims=False, corrected=False): return _T().var(self, axis=axis, ddof=ddof, keepdims=keepdims, corrected=corrected)
    def std(self, axis=None, ddof=0, keepdims=False, corrected=False): return _T().std(self, axis=axis, ddof=ddof, keepdims=keepdims, corrected=corrected)
    def all(self, axis=None, keepdims=False): return _T().all(self, axis=axis, keepdims=keepdims)
    def any(self, axis=None, keepdims=False): return _T().any(self, axis=axis, keepdims=keepdims)
    def norm(self, L, axis=None, keepdims=False): return _T().norm(self, L, axis=axis, keepdims=keepdims)
    def reshape(self, shape, ndim=None): return _T().reshape(self, shape, ndim=ndim)
    def flatten(self, ndim=1, outdim=None): return _T().flatten(self, ndim, outdim)
    def dimshuffle(self, *pattern): return _T().dimshuffle(self, *pattern)
    def transpose(self, *axes): return _T().transpose(self, *axes)
    def astype(self, dtype): return _T().cast(self, dtype)
    def dot(self, other): return _T().dot(self, other)
    def nonzero(self):
        raise TypeError("nonzero's result has a length that depends on the data, which one compiled XLA computation "
                        "cannot have; use T.switch(condition, x, 0) or a mask product instead")
    def clip(self, a_min, a_max): return _T().clip(self, a_min, a_max)
    def round(self, mode=None): return _T().round(self, mode)
    def repeat(self, repeats, axis=None): return _T().repeat(self, repeats, axis)
    def squeeze(self): return _T().squeeze(self)
    def sort(self, axis=-1): return _T().sort(self, axis)
    def argsort(self, axis=-1): return _T().argsort(self, axis)
    def cumsum(self, axis=None): return _T().cumsum(self, axis)
    def cumprod(self, axis=None): return _T().cumprod(self, axis)
    def zeros_like(self, dtype=None): return _T().zeros_like(self, dtype=dtype)
    def ones_like(self, dtype=None): return _T().ones_like(self, dtype=dtype)
    def copy(self, name=None): return _T().tensor_copy(self, name=name)

    def eval(self, inputs_to_values=None):
        """Compile and run this variable once: ``y.eval({x: value})``."""
        from ..compile.function import function

        inputs_to_values = inputs_to_values or {}
        cache = self.__dict__.setdefault("_eval_cache", {})
        key = tuple(inputs_to_values)
        if key not in cache:
            cache[key] = function(list(inputs_to_values), self, on_unused_input="ignore")
        return cache[key](*inputs_to_values.values())

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_eval_cache", None)
        return state
