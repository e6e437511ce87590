"""Elementwise ops: Theano's scalar functions over tensors, with its dtype rules and NumPy broadcasting.

Each function is one entry of a table (its jnp lowering); ``Scalar`` names the
entries, and an ``Elemwise`` node is recognised by the ``Scalar`` member it
applies (``applies(var, Scalar.log)``), never by a name string.
"""
import enum
import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .. import dtypes as D
from ..config import config
from ..errors import GraphBuildError
from ..op import Op
from ..type import TensorType
from .literals import as_tensor_variable, tensors
from .shapes import broadcast_shape

_FUNCTIONS = {
    "add": jnp.add, "sub": jnp.subtract, "mul": jnp.multiply, "true_div": jnp.true_divide,
    "int_div": jnp.floor_divide, "mod": jnp.mod, "pow": jnp.power, "maximum": jnp.maximum,
    "minimum": jnp.minimum, "arctan2": jnp.arctan2, "and_": jnp.bitwise_and, "or_": jnp.bitwise_or,
    "xor": jnp.bitwise_xor, "invert": jnp.invert,
    "eq": jnp.equal, "neq": jnp.not_equal, "lt": jnp.less, "gt": jnp.greater, "le": jnp.less_equal,
    "ge": jnp.greater_equal,
    "exp": jnp.exp, "exp2": jnp.exp2, "expm1": jnp.expm1, "log": jnp.log, "log2": jnp.log2,
    "log10": jnp.log10, "log1p": jnp.log1p, "sqrt": jnp.sqrt, "sin": jnp.sin, "cos": jnp.cos,
    "tan": jnp.tan, "arcsin": jnp.arcsin, "arccos": jnp.arccos, "arctan": jnp.arctan, "sinh": jnp.sinh,
    "cosh": jnp.cosh, "tanh": jnp.tanh, "arcsinh": jnp.arcsinh, "arccosh": jnp.arccosh,
    "arctanh": jnp.arctanh, "erf": jax.scipy.special.erf, "erfc": jax.scipy.special.erfc,
    "erfinv": jax.scipy.special.erfinv, "gammaln": jax.scipy.special.gammaln,
    "psi": jax.scipy.special.digamma, "floor": jnp.floor, "ceil": jnp.ceil, "round_half_to_even": jnp.round,
    "trunc": jnp.trunc, "reciprocal": jnp.reciprocal, "deg2rad": jnp.deg2rad, "rad2deg": jnp.rad2deg,
    "neg": jnp.negative, "abs_": jnp.abs, "sgn": jnp.sign, "sqr": jnp.square,
    "isnan": jnp.isnan, "isinf": jnp.isinf, "sigmoid": jax.nn.sigmoid, "softplus": jax.nn.softplus,
    "switch": jnp.where, "clip": jnp.clip,
}


def _round_half_away_impl(x):
    truncated = jnp.trunc(x)
    return jnp.where(jnp.abs(x - truncated) >= 0.5, truncated + jnp.sign(x), truncated)


_FUNCTIONS["round_half_away_from_zero"] = _round_half_away_impl


@jax.custom_jvp
def _xlogx_impl(x):
    """x * log(x), with 0 log 0 = 0 (Theano's xlogx)."""
    return jnp.where(x == 0, jnp.zeros_like(x), x * jnp.log(x))


@_xlogx_impl.defjvp
def _xlogx_jvp(primals, tangents):
    # Theano's gradient, 1 + log(x), everywhere (-inf at 0), not the derivative of the where.
    (x,), (dx,) = primals, tangents
    return _xlogx_impl(x), dx * (1 + jnp.log(x))


@jax.custom_jvp
def _xlogy0_impl(x, y):
    """x * log(y), with 0 log y = 0 (Theano's xlogy0)."""
    return jnp.where(x == 0, jnp.zeros_like(x * y), x * jnp.log(y))


@_xlogy0_impl.defjvp
def _xlogy0_jvp(primals, tangents):
    # Theano's gradients: log(y) for x and x / y for y, everywhere.
    (x, y), (dx, dy) = primals, tangents
    return _xlogy0_impl(x, y), dx * jnp.log(y) + dy * (x / y)


_FUNCTIONS["xlogx"] = _xlogx_impl
_FUNCTIONS["xlogy0"] = _xlogy0_impl
Scalar = enum.Enum("Scalar", [(name, name) for name in _FUNCTIONS], module=__name__, qualname="Scalar")
Scalar.__doc__ = "The scalar function an Elemwise op applies: ``Scalar.add``, ``Scalar.log``, ..."


def _elemwise_impl(*xs, fn, dtype, cast_first=None, _broadcastable=None, _inplace=()):
    """Cast operands to Theano's computation dtype, then apply the jnp function.

    `_inplace` (Theano's inplace pattern, ``((output, input),)``) is what the compiled graph shows: XLA
    chooses buffers itself.
    """
    if _broadcastable is not None:
        check_broadcast([jnp.shape(x) for x in xs], _broadcastable)
    first = [] if cast_first is None else [xs[0]]
    rest = xs if cast_first is None else xs[1:]
    return _FUNCTIONS[fn.value](*first, *(jnp.asarray(x, dtype=dtype) for x in rest))


def check_broadcast(shapes, broadcastable):
    """Theano's rule: a length-1 dimension stretches only where its type says it is broadcastable.

    `shapes` are the operands' actual shapes, `broadcastable` their types' patterns; a
    mismatch is Theano's ValueError ("Input dimension mis-match").
    """
    if not all(isinstance(d, (int, np.integer)) for s in shapes for d in s):
        return  # symbolic lengths (symconv.optimize's shape inference): checked when the values exist
    out = np.broadcast_shapes(*shapes)
    for k, (shape, pattern) in enumerate(zip(shapes, broadcastable)):
        offset = len(out) - len(shape)
        for axis, (length, flexible) in enumerate(zip(shape, pattern)):
            if length == 1 and not flexible and out[offset + axis] != 1:
                other = next(i for i, s in enumerate(shapes)
                             if len(s) - len(out) + offset + axis >= 0 and s[len(s) - len(out) + offset + axis] != 1)
                raise ValueError(
                    f"Input dimension mis-match: input {k} has length 1 on axis {axis}, which its type does not "
                    f"mark broadcastable, and input {other} has length {out[offset + axis]} there (shapes "
                    f"{', '.join(str(tuple(s)) for s in shapes)}). Make the dimension broadcastable in the type: "
                    "x.dimshuffle('x', ...), T.addbroadcast(x, axis), or shared(..., broadcastable=...)")


def _elemwise_infer(*xs, **params):
    """Broadcast static shape; dtype (and dtype errors) from the lowering applied to scalars."""
    shape = broadcast_shape([x.type.shape for x in xs])
    try:
        scalars = [jax.ShapeDtypeStruct((), x.dtype) for x in xs]
        out = jax.eval_shape(functools.partial(_elemwise_impl, **params), *scalars)
    except TypeError as exc:
        described = ", ".join(f"{x!r} ({x.type})" for x in xs)
        raise GraphBuildError(f"{params['fn'].value} cannot be applied to {described}: {str(exc).splitlines()[0]}") from exc
    return [TensorType(str(out.dtype), shape)]


class Elemwise(Op):
    """`fn` (a Scalar) applied elementwise after casting the operands to `dtype`."""

    def __init__(self, fn, dtype, **params):
        super().__init__(fn.value, _elemwise_impl, infer=_elemwise_infer, fn=fn, dtype=dtype, **params)

    def __call__(self, *inputs):
        # The operands' broadcastable patterns, for Theano's run-time broadcasting rule.
        self.params["_broadcastable"] = tuple(x.type.broadcastable for x in inputs)
        return super().__call__(*inputs)


def applies(var, scalar):
    """Whether `var` is computed by an Elemwise node applying `scalar`."""
    return var.owner is not None and isinstance(var.owner.op, Elemwise) and var.owner.op.params["fn"] is scalar


def _elemwise(name, dtype_rule):
    def build(*args):
        xs = tensors(args)
        return Elemwise(Scalar[name], dtype_rule(*[x.dtype for x in xs]))(*xs)

    build.__name__ = build.__qualname__ = name
    build.__doc__ = f"Elementwise {name}, with Theano's dtype rules and NumPy broadcasting."
    return build


def _float_rule(*dtypes):
    return D.upgrade_to_float(D.upcast(*dtypes))


# Same dtype as the upcast of the inputs (comparisons compute there, then give bool).
add = _elemwise("add", D.upcast)
sub = _elemwise("sub", D.upcast)
mul = _elemwise("mul", D.upcast)
int_div = _elemwise("int_div", D.upcast)
mod = _elemwise("mod", D.upcast)
pow = _elemwise("pow", D.upcast)
maximum = _elemwise("maximum", D.upcast)
minimum = _elemwise("minimum", D.upcast)
and_ = _elemwise("and_", D.upcast)
or_ = _elemwise("or_", D.upcast)
xor = _elemwise("xor", D.upcast)
invert = _elemwise("invert", D.upcast)
neg = _elemwise("neg", D.upcast)
abs_ = _elemwise("abs_", D.upcast)
sgn = _elemwise("sgn", D.upcast)
sqr = _elemwise("sqr", D.upcast)
eq = _elemwise("eq", D.upcast)
neq = _elemwise("neq", D.upcast)
lt = _elemwise("lt", D.upcast)
gt = _elemwise("gt", D.upcast)
le = _elemwise("le", D.upcast)
ge = _elemwise("ge", D.upcast)
isnan = _elemwise("isnan", D.upcast)
isinf = _elemwise("isinf", D.upcast)
# Float-valued: integer inputs are upgraded to a float dtype first.
exp = _elemwise("exp", _float_rule)
exp2 = _elemwise("exp2", _float_rule)
expm1 = _elemwise("expm1", _float_rule)
log = _elemwise("log", _float_rule)
log2 = _elemwise("log2", _float_rule)
log10 = _elemwise("log10", _float_rule)
log1p = _elemwise("log1p", _float_rule)
sqrt = _elemwise("sqrt", _float_rule)
sin = _elemwise("sin", _float_rule)
cos = _elemwise("cos", _float_rule)
tan = _elemwise("tan", _float_rule)
arcsin = _elemwise("arcsin", _float_rule)
arccos = _elemwise("arccos", _float_rule)
arctan = _elemwise("arctan", _float_rule)
sinh = _elemwise("sinh", _float_rule)
cosh = _elemwise("cosh", _float_rule)
tanh = _elemwise("tanh", _float_rule)
arcsinh = _elemwise("arcsinh", _float_rule)
arccosh = _elemwise("arccosh", _float_rule)
arctanh = _elemwise("arctanh", _float_rule)
erf = _elemwise("erf", _float_rule)
erfc = _elemwise("erfc", _float_rule)
erfinv = _elemwise("erfinv", _float_rule)
gammaln = _elemwise("gammaln", _float_rule)
psi = _elemwise("psi", _float_rule)
floor = _elemwise("floor", _float_rule)
ceil = _elemwise("ceil", _float_rule)
trunc = _elemwise("trunc", _float_rule)
reciprocal = _elemwise("reciprocal", _float_rule)
deg2rad = _elemwise("deg2rad", _float_rule)
rad2deg = _elemwise("rad2deg", _float_rule)
arctan2 = _elemwise("arctan2", _float_rule)
sigmoid = _elemwise("sigmoid", _float_rule)
softplus = _elemwise("softplus", _float_rule)
true_div = _elemwise("true_div", D.true_div_dtype)


def _variadic(binary):
    def build(*args):
        result = args[0]
        for arg in args[1:]:
            result = binary(result, arg)
        return as_tensor_variable(result)

    build.__name__ = binary.__name__
    build.__doc__ = binary.__doc__
    return build


add, mul, maximum, minimum = (_variadic(f) for f in (add, mul, maximum, minimum))
abs = abs_  # noqa: A001,F821
div_proxy = true_div
inv = reciprocal
floor_div = int_div
bitwise_and, bitwise_or, bitwise_xor, bitwise_not = and_, or_, xor, invert


def switch(cond, ift, iff):
    """Elementwise `ift` where `cond` else `iff` (dtype: the upcast of the branches)."""
    cond, ift, iff = tensors((cond, ift, iff))
    return Elemwise(Scalar.switch, D.upcast(ift.dtype, iff.dtype), cast_first=True)(cond, ift, iff)


where = switch


def clip(x, a_min, a_max):
    """Elementwise clip to [a_min, a_max]; dtype is the upcast of all three."""
    xs = tensors((x, a_min, a_max))
    return Elemwise(Scalar.clip, D.upcast(*[v.dtype for v in xs]))(*xs)


round_half_to_even = _elemwise("round_half_to_even", _float_rule)
round_half_away_from_zero = _elemwise("round_half_away_from_zero", _float_rule)
_ROUND_MODES = {"half_to_even": round_half_to_even, "half_away_from_zero": round_half_away_from_zero}


def round(x, mode=None):  # noqa: A001
    """Elementwise rounding; `mode` 'half_to_even' (the default, as NumPy) or 'half_away_from_zero'."""
    if (mode or "half_to_even") not in _ROUND_MODES:
        raise ValueError(f"round mode must be one of {sorted(_ROUND_MODES)}, got {mode!r}")
    return _ROUND_MODES[mode or "half_to_even"](x)


def iround(x, mode=None):
    """`round(x, mode)` as an int64 tensor."""
    return cast(round(x, mode), "int64")


def _cast_impl(x, *, dtype):
    return jnp.asarray(x, dtype=dtype)


class Cast(Op):
    """Conversion to `dtype`."""

    def __init__(self, dtype):
        super().__init__("cast", _cast_impl, dtype=dtype)


def cast(x, dtype):
    """`x` converted to `dtype` ('floatX' means config.floatX); a no-op if already so."""
    x = as_tensor_variable(x)
    dtype = config.floatX if dtype == "floatX" else str(np.dtype(dtype))
    if x.dtype == dtype:
        return x
    return Cast(dtype)(x)


def _identity_impl(x):
    return x


def tensor_copy(x, name=None):
    out = Op("copy", _identity_impl)(as_tensor_variable(x))
    out.name = name
    return out



def _stop_gradient_impl(x):
    return lax.stop_gradient(x)


def stop_gradient(x):
    """`x`, but gradients do not flow through it (Theano's disconnected_grad / zero_grad)."""
    return Op("stop_gradient", _stop_gradient_impl)(as_tensor_variable(x))
