"""The tensor op table: constants, elementwise math, reductions, dot, shape ops.

Each op is declared once as a JAX lowering (a module-level function, so graphs
pickle) plus Theano's dtype rule.  Output types come from ``jax.eval_shape``
(see symconv.op) except where the output shape depends on input *values*
(reshape, alloc, arange, repeat), which declare a small ``infer``, and for
elementwise ops, whose broadcast shape is also known from partly known shapes.
"""
import builtins
import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .. import dtypes as D
from ..config import config
from ..errors import GraphBuildError
from ..graph import Constant, Variable
from ..op import Op
from .type import TensorType

# ---------------------------------------------------------------- literals


def constant(x, name=None, ndim=None, dtype=None):
    """A TensorConstant holding `x`, typed by Theano's autocast rules unless `dtype` is given."""
    data = np.asarray(x, dtype=dtype) if dtype is not None else D.literal_array(x)
    if ndim is not None:
        if data.ndim > ndim:
            raise ValueError(f"constant of shape {data.shape} cannot be given {ndim} dimensions")
        data = data.reshape((1,) * (ndim - data.ndim) + data.shape)
    data = np.array(data)
    data.setflags(write=False)
    return Constant(TensorType(data.dtype, data.shape), data, name=name)


def as_tensor_variable(x, name=None, ndim=None, dtype=None):
    """`x` as a symbolic tensor: variables pass through, literals become constants."""
    if isinstance(x, Variable):
        if ndim is not None and x.ndim != ndim:
            raise TypeError(f"expected a tensor with {ndim} dimensions, got {x!r} with {x.ndim}")
        return x
    if isinstance(x, (list, tuple)) and builtins.any(isinstance(e, Variable) for e in x):
        return stack([as_tensor_variable(e) for e in x])
    if hasattr(x, "__jax_array__") or isinstance(x, jax.Array):
        x = np.asarray(x)
    return constant(x, name=name, ndim=ndim, dtype=dtype)


as_tensor = as_tensor_variable


def _tensors(args):
    return [as_tensor_variable(a) for a in args]


# ------------------------------------------------------------ elementwise

_ELEMWISE = {
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


def _elemwise_impl(*xs, fn, dtype, cast_first=None):
    """Cast operands to Theano's computation dtype, then apply the jnp function."""
    first = [] if cast_first is None else [xs[0]]
    rest = xs if cast_first is None else xs[1:]
    return _ELEMWISE[fn](*first, *(jnp.asarray(x, dtype=dtype) for x in rest))


def _broadcast_shape(*xs):
    """NumPy's broadcast of the static shapes of `xs`; unknown dims stay None unless another input fixes them."""
    ndim = builtins.max(x.ndim for x in xs)
    padded = [(1,) * (ndim - x.ndim) + x.type.shape for x in xs]
    out = []
    for axis, dims in enumerate(zip(*padded)):
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            shapes = ", ".join(str(x.type.shape) for x in xs)
            raise GraphBuildError(f"shapes {shapes} cannot be broadcast together (dimension {axis} of the result)")
        out.append(known.pop() if known else (1 if builtins.all(d == 1 for d in dims) else None))
    return tuple(out)


def _elemwise_infer(*xs, **params):
    """Broadcast static shape; dtype (and dtype errors) from the lowering applied to scalars."""
    shape = _broadcast_shape(*xs)
    try:
        scalars = [jax.ShapeDtypeStruct((), x.dtype) for x in xs]
        out = jax.eval_shape(functools.partial(_elemwise_impl, **params), *scalars)
    except TypeError as exc:
        described = ", ".join(f"{x!r} ({x.type})" for x in xs)
        raise GraphBuildError(f"{params['fn']} cannot be applied to {described}: {str(exc).splitlines()[0]}") from exc
    return [TensorType(str(out.dtype), shape)]


def _elemwise_op(name, xs, dtype, **params):
    return Op(name, _elemwise_impl, infer=_elemwise_infer, fn=name, dtype=dtype, **params)(*xs)


def _elemwise(name, dtype_rule):
    def build(*args):
        xs = _tensors(args)
        return _elemwise_op(name, xs, dtype_rule(*[x.dtype for x in xs]))

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
    cond, ift, iff = _tensors((cond, ift, iff))
    return _elemwise_op("switch", (cond, ift, iff), D.upcast(ift.dtype, iff.dtype), cast_first=True)


where = switch


def clip(x, a_min, a_max):
    """Elementwise clip to [a_min, a_max]; dtype is the upcast of all three."""
    xs = _tensors((x, a_min, a_max))
    return _elemwise_op("clip", xs, D.upcast(*[v.dtype for v in xs]))


def _round_half_away_impl(x):
    truncated = jnp.trunc(x)
    return jnp.where(jnp.abs(x - truncated) >= 0.5, truncated + jnp.sign(x), truncated)


_ELEMWISE["round_half_away_from_zero"] = _round_half_away_impl
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


def cast(x, dtype):
    """`x` converted to `dtype` ('floatX' means config.floatX); a no-op if already so."""
    x = as_tensor_variable(x)
    dtype = config.floatX if dtype == "floatX" else str(np.dtype(dtype))
    if x.dtype == dtype:
        return x
    return Op("cast", _cast_impl, dtype=dtype)(x)


def _identity_impl(x):
    return x


def tensor_copy(x, name=None):
    out = Op("copy", _identity_impl)(as_tensor_variable(x))
    out.name = name
    return out


# -------------------------------------------------------------- reductions


def _axes(x, axis):
    """Normalise `axis` to a sorted tuple of non-negative ints (None: all axes)."""
    if axis is None:
        return tuple(range(x.ndim))
    if isinstance(axis, Variable):
        axis = static_value(axis)
        if axis is None:
            raise TypeError("axis must be known when the graph is built")
        axis = axis.tolist()
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -x.ndim <= a < builtins.max(x.ndim, 1):
            raise ValueError(f"axis {a} is out of range for {x!r} with {x.ndim} dimensions")
        out.append(a % builtins.max(x.ndim, 1))
    return tuple(sorted(set(out)))


def _reduce_impl(x, *, fn, axis, keepdims, dtype):
    if dtype is not None:
        x = jnp.asarray(x, dtype=dtype)
    return getattr(jnp, fn)(x, axis=axis, keepdims=keepdims)


def _sum_dtype(dtype):
    """Theano accumulates small ints and bools in 64 bits."""
    if dtype in ("bool", "int8", "int16", "int32", "int64"):
        return "int64"
    if dtype.startswith("uint"):
        return "uint64"
    return dtype


def _reduction(fn, dtype_rule):
    def build(x, axis=None, keepdims=False, dtype=None):
        x = as_tensor_variable(x)
        out_dtype = str(np.dtype(dtype)) if dtype is not None else dtype_rule(x.dtype)
        cast_to = None if out_dtype == x.dtype else out_dtype
        return Op(fn, _reduce_impl, fn=fn, axis=_axes(x, axis), keepdims=bool(keepdims), dtype=cast_to)(x)

    build.__name__ = fn
    build.__doc__ = f"{fn} over `axis` (None: all axes), Theano's output dtype."
    return build


sum = _reduction("sum", _sum_dtype)  # noqa: A001
prod = _reduction("prod", _sum_dtype)


def _same(dtype):
    return dtype


def _float_mean(dtype):
    return "float64" if D.is_discrete(dtype) else dtype


max = _reduction("max", _same)  # noqa: A001
min = _reduction("min", _same)  # noqa: A001
mean = _reduction("mean", _float_mean)


def _bool_out(x, *, fn, axis, keepdims):
    return getattr(jnp, fn)(x, axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    x = as_tensor_variable(x)
    return Op("all", _bool_out, fn="all", axis=_axes(x, axis), keepdims=bool(keepdims))(x)


def any(x, axis=None, keepdims=False):  # noqa: A001
    x = as_tensor_variable(x)
    return Op("any", _bool_out, fn="any", axis=_axes(x, axis), keepdims=bool(keepdims))(x)


def _arg_impl(x, *, fn, axis, keepdims):
    if axis is None:
        flat = getattr(jnp, fn)(x.reshape(-1)).astype("int64")
        return flat.reshape((1,) * x.ndim) if keepdims else flat
    return getattr(jnp, fn)(x, axis=axis, keepdims=keepdims).astype("int64")


def _single_axis(x, axis):
    if axis is None or (isinstance(axis, (list, tuple)) and len(axis) == x.ndim):
        return None
    axes = _axes(x, axis)
    if len(axes) != 1:
        raise ValueError("argmax/argmin take a single axis or None")
    return axes[0]


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum along `axis` (int64, as Theano)."""
    x = as_tensor_variable(x)
    return Op("argmax", _arg_impl, fn="argmax", axis=_single_axis(x, axis), keepdims=bool(keepdims))(x)


def argmin(x, axis=None, keepdims=False):
    x = as_tensor_variable(x)
    return Op("argmin", _arg_impl, fn="argmin", axis=_single_axis(x, axis), keepdims=bool(keepdims))(x)


def max_and_argmax(x, axis=None, keepdims=False):
    return max(x, axis, keepdims), argmax(x, axis, keepdims)


def _var_impl(x, *, axis, ddof, keepdims, fn):
    return getattr(jnp, fn)(x, axis=axis, ddof=ddof, keepdims=keepdims)


def var(x, axis=None, ddof=0, keepdims=False, corrected=False):
    """Variance (ddof=1 when `corrected`); float64 for integer input."""
    x = cast(as_tensor_variable(x), _float_mean(as_tensor_variable(x).dtype))
    return Op("var", _var_impl, fn="var", axis=_axes(x, axis), ddof=int(ddof or corrected), keepdims=bool(keepdims))(x)


def std(x, axis=None, ddof=0, keepdims=False, corrected=False):
    x = cast(as_tensor_variable(x), _float_mean(as_tensor_variable(x).dtype))
    return Op("std", _var_impl, fn="std", axis=_axes(x, axis), ddof=int(ddof or corrected), keepdims=bool(keepdims))(x)


def norm(x, L, axis=None, keepdims=False):
    """The L-norm along `axis` (L=1 or 2, as Theano's TensorVariable.norm)."""
    if L == 1:
        return sum(abs_(x), axis=axis, keepdims=keepdims)
    if L == 2:
        return sqrt(sum(sqr(x), axis=axis, keepdims=keepdims))
    return pow(sum(pow(abs_(x), L), axis=axis, keepdims=keepdims), 1.0 / L)


def _cumulative_impl(x, *, fn, axis):
    return getattr(jnp, fn)(x.reshape(-1) if axis is None else x, axis=0 if axis is None else axis)


def cumsum(x, axis=None):
    x = as_tensor_variable(x)
    return Op("cumsum", _cumulative_impl, fn="cumsum", axis=None if axis is None else _axes(x, axis)[0])(x)


def cumprod(x, axis=None):
    x = as_tensor_variable(x)
    return Op("cumprod", _cumulative_impl, fn="cumprod", axis=None if axis is None else _axes(x, axis)[0])(x)


# ---------------------------------------------------------------- products


def _precision():
    return {"highest": lax.Precision.HIGHEST, "tf32": lax.Precision.HIGH, "default": lax.Precision.DEFAULT}[config.precision]


def _dot_impl(a, b, *, dtype, precision):
    return jnp.dot(jnp.asarray(a, dtype), jnp.asarray(b, dtype), precision=precision)


def dot(a, b):
    """Theano's dot: matrix product, matrix-vector, vector inner product (NumPy's dot)."""
    a, b = _tensors((a, b))
    if a.ndim == 0 or b.ndim == 0:
        return mul(a, b)
    return Op("dot", _dot_impl, dtype=D.upcast(a.dtype, b.dtype), precision=_precision())(a, b)


def _tensordot_impl(a, b, *, axes, dtype, precision):
    return jnp.tensordot(jnp.asarray(a, dtype), jnp.asarray(b, dtype), axes=axes, precision=precision)


def tensordot(a, b, axes=2):
    """NumPy's tensordot; `axes` an int or a pair of axis lists."""
    a, b = _tensors((a, b))
    if not isinstance(axes, int):
        axes = tuple(tuple(int(i) for i in ([ax] if isinstance(ax, int) else ax)) for ax in axes)
    return Op("tensordot", _tensordot_impl, axes=axes, dtype=D.upcast(a.dtype, b.dtype), precision=_precision())(a, b)


def _batched_dot_impl(a, b, *, dtype, precision):
    a, b = jnp.asarray(a, dtype), jnp.asarray(b, dtype)
    return jax.vmap(lambda u, v: jnp.dot(u, v, precision=precision))(a, b)


def batched_dot(a, b):
    """``out[i] = dot(a[i], b[i])`` over the first dimension."""
    a, b = _tensors((a, b))
    return Op("batched_dot", _batched_dot_impl, dtype=D.upcast(a.dtype, b.dtype), precision=_precision())(a, b)


def outer(a, b):
    return dot(dimshuffle(a, 0, "x"), dimshuffle(b, "x", 0))


# ------------------------------------------------------------- shape ops


def _shape_impl(x):
    # Shapes are known while tracing: computing them in NumPy keeps every
    # shape-derived value a Python-time constant (slice bounds, arange, reshape).
    return np.asarray(x.shape, dtype="int64")


def _shape_infer(x):
    return [TensorType("int64", (x.ndim,))]


def shape(x):
    """The shape of `x` as an int64 vector (known at trace time, so it costs nothing at run time)."""
    return Op("shape", _shape_impl, infer=_shape_infer)(as_tensor_variable(x))


def shape_padleft(x, n_ones=1):
    return dimshuffle(x, *(["x"] * n_ones + list(range(as_tensor_variable(x).ndim))))


def shape_padright(x, n_ones=1):
    return dimshuffle(x, *(list(range(as_tensor_variable(x).ndim)) + ["x"] * n_ones))


def shape_padaxis(x, axis):
    x = as_tensor_variable(x)
    pattern = list(range(x.ndim))
    pattern.insert(axis % (x.ndim + 1), "x")
    return dimshuffle(x, *pattern)


def _dimshuffle_impl(x, *, pattern, drop):
    x = jnp.squeeze(x, axis=drop) if drop else x
    kept = [p for p in pattern if p != "x"]
    order = sorted(kept)
    x = jnp.transpose(x, [order.index(p) for p in kept])
    for i, p in enumerate(pattern):
        if p == "x":
            x = jnp.expand_dims(x, i)
    return x


def dimshuffle(x, *pattern):
    """Theano's dimshuffle: reorder dims, 'x' inserts a broadcastable dim, omitted dims must be length 1."""
    x = as_tensor_variable(x)
    if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
        pattern = tuple(pattern[0])
    kept = [p for p in pattern if p != "x"]
    if len(set(kept)) != len(kept) or builtins.any(not isinstance(p, (int, np.integer)) or not 0 <= p < x.ndim for p in kept):
        raise ValueError(f"invalid dimshuffle pattern {pattern} for {x!r} with {x.ndim} dimensions")
    drop = tuple(i for i in range(x.ndim) if i not in kept)
    for i in drop:
        if x.type.shape[i] != 1:
            raise ValueError(
                f"dimshuffle{pattern} drops dimension {i} of {x!r} ({x.type}), which is not known to be "
                "broadcastable (length 1)")
    return Op("dimshuffle", _dimshuffle_impl, pattern=tuple(p if p == "x" else int(p) for p in pattern), drop=drop)(x)


def _transpose_impl(x, *, axes):
    return jnp.transpose(x, axes)


def transpose(x, *axes):
    x = as_tensor_variable(x)
    if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
        axes = axes[0]
    axes = tuple(int(a) for a in axes) if axes else tuple(reversed(range(x.ndim)))
    return Op("transpose", _transpose_impl, axes=axes)(x)


def _flatten_impl(x, *, ndim):
    return x.reshape(x.shape[: ndim - 1] + (-1,))


def flatten(x, ndim=1, outdim=None):
    """Keep the first ndim-1 dims, collapse the rest (Theano's flatten(ndim))."""
    ndim = outdim or ndim
    x = as_tensor_variable(x)
    if not 1 <= ndim <= builtins.max(x.ndim, 1):
        raise ValueError(f"flatten(ndim={ndim}) needs 1 <= ndim <= {x.ndim} for {x!r}")
    return Op("flatten", _flatten_impl, ndim=ndim)(x)


def static_value(var):
    """The NumPy value of `var` if it depends only on constants and static shapes, else None."""
    from ..compile.lowering import fold_constant

    return fold_constant(var)


def _int_vector(values):
    """A shape-like argument (tuple of ints/scalars, or an int vector) as one int64 vector variable."""
    if isinstance(values, Variable):
        if values.ndim == 0:
            values = [values]
        else:
            return cast(values, "int64")
    if isinstance(values, (int, np.integer)):
        values = [values]
    return stack([cast(as_tensor_variable(v), "int64") for v in values]) if values else constant(np.zeros(0, "int64"))


def _concrete_ints(values, what):
    if isinstance(values, jax.core.Tracer):
        from ..compile.lowering import NeedsStaticValue

        raise NeedsStaticValue(what)
    return tuple(int(v) for v in np.asarray(values).reshape(-1))


def _reshape_impl(x, shape):
    return jnp.reshape(x, _concrete_ints(shape, "reshape's shape"))


def _value_shape(shape_var, length, keep_negative=False):
    """The entries of a shape vector known when the graph is built (None where not; -1 kept if asked)."""
    folded = static_value(shape_var)
    if folded is not None:
        values = [int(d) for d in folded]
    elif shape_var.owner is not None and shape_var.owner.op.name == "stack":
        values = [None if v is None else int(v) for v in map(static_value, shape_var.owner.inputs)]
    else:
        values = [None] * length
    return tuple(None if d is None or (d < 0 and not keep_negative) else d for d in values)


def _reshape_infer(x, shape):
    length = shape.type.shape[0]
    if length is None:
        raise TypeError("reshape needs the number of dimensions: pass ndim= when the shape is a symbolic vector")
    dims = list(_value_shape(shape, length, keep_negative=True))
    negative = [d for d in dims if d is not None and d < 0]
    if len(negative) > 1 or builtins.any(d < -1 for d in negative):
        raise GraphBuildError(f"reshape of {x!r} to {_show_shape(dims)}: one entry at most may be -1, no other < 0")
    if None not in x.type.shape and None not in dims:
        size, rest = int(np.prod(x.type.shape)), int(np.prod([d for d in dims if d != -1]))
        if -1 in dims and rest and size % rest == 0:
            dims[dims.index(-1)] = size // rest
        elif -1 in dims or rest != size:
            raise GraphBuildError(f"cannot reshape {x!r} of shape {x.type.shape} to {_show_shape(dims)}")
    return [TensorType(x.dtype, tuple(None if d is None or d < 0 else d for d in dims))]


def _show_shape(dims):
    return "(" + ", ".join("?" if d is None else str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def _specify_length_impl(shape, *, length):
    return shape


def _specify_length_infer(shape, *, length):
    return [TensorType("int64", (length,))]


def reshape(x, shape, ndim=None):
    """`x` with a new shape; entries may be symbolic (e.g. ``x.shape[0]``) and one may be -1."""
    x = as_tensor_variable(x)
    shape = _int_vector(shape)
    if shape.type.shape[0] is None and ndim is not None:
        shape = Op("specify_length", _specify_length_impl, infer=_specify_length_infer, length=int(ndim))(shape)
    return Op("reshape", _reshape_impl, infer=_reshape_infer)(x, shape)


def _alloc_impl(value, shape, *, dtype):
    return jnp.broadcast_to(jnp.asarray(value, dtype), _concrete_ints(shape, "alloc's shape"))


def _alloc_infer(value, shape, *, dtype):
    return [TensorType(dtype, _value_shape(shape, shape.type.shape[0]))]


def alloc(value, *shape, dtype=None):
    """A tensor of the given shape filled with `value` (broadcast)."""
    value = as_tensor_variable(value)
    return Op("alloc", _alloc_impl, infer=_alloc_infer, dtype=dtype or value.dtype)(value, _int_vector(list(shape)))


def zeros(shape, dtype=None):
    return alloc(np.asarray(0, dtype or config.floatX), *(_shape_list(shape)))


def ones(shape, dtype=None):
    return alloc(np.asarray(1, dtype or config.floatX), *(_shape_list(shape)))


def _shape_list(shape):
    if isinstance(shape, Variable) and shape.ndim == 1:
        return [shape[i] for i in range(shape.type.shape[0])]
    return list(shape) if isinstance(shape, (list, tuple)) else [shape]


def _like_impl(x, *, value, dtype):
    return jnp.full(x.shape, value, dtype=dtype)


def zeros_like(x, dtype=None):
    x = as_tensor_variable(x)
    return Op("zeros_like", _like_impl, value=0, dtype=dtype or x.dtype)(x)


def ones_like(x, dtype=None):
    x = as_tensor_variable(x)
    return Op("ones_like", _like_impl, value=1, dtype=dtype or x.dtype)(x)


def fill(model, value):
    """`value` broadcast to the shape of `model` (Theano's fill/second)."""
    model, value = _tensors((model, value))
    return add(zeros_like(model, dtype=value.dtype), value)


second = fill


def _arange_impl(start, stop, step, *, dtype):
    bounds = [_concrete_ints(v, "arange's bounds")[0] if D.is_discrete(v.dtype) else float(v) for v in (start, stop, step)]
    return jnp.arange(*bounds, dtype=dtype)


def _arange_infer(start, stop, step, *, dtype):
    values = [static_value(v) for v in (start, stop, step)]
    if builtins.any(v is None for v in values):
        return [TensorType(dtype, (None,))]
    return [TensorType(dtype, np.arange(*[v.item() for v in values]).shape)]


def arange(start, stop=None, step=1, dtype=None):
    """Like numpy.arange; bounds may be symbolic scalars known at trace time (``x.shape[0]``)."""
    if stop is None:
        start, stop = 0, start
    start, stop, step = _tensors((start, stop, step))
    if dtype is None:
        dtype = D.upcast(start.dtype, stop.dtype, step.dtype)
        # Theano does not keep the literals' small int types: integer ranges are 64-bit.
        dtype = {"i": "int64", "u": "uint64"}.get(np.dtype(dtype).kind, dtype)
    return Op("arange", _arange_impl, infer=_arange_infer, dtype=str(np.dtype(dtype)))(start, stop, step)


def _stack_impl(*xs, axis, dtype):
    return jnp.stack([jnp.asarray(x, dtype) for x in xs], axis=axis)


def stack(*tensors, axis=0):
    """Join tensors of equal shape along a new axis (``stack([a, b])`` or Theano's ``stack(a, b)``)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    xs = _tensors(tensors)
    return Op("stack", _stack_impl, axis=axis, dtype=D.upcast(*[x.dtype for x in xs]))(*xs)


def _concatenate_impl(*xs, axis, dtype):
    return jnp.concatenate([jnp.asarray(x, dtype) for x in xs], axis=axis)


def concatenate(tensor_list, axis=0):
    xs = _tensors(tensor_list)
    return Op("concatenate", _concatenate_impl, axis=axis, dtype=D.upcast(*[x.dtype for x in xs]))(*xs)


def join(axis, *tensors):
    return concatenate(tensors, axis=axis)


def _tile_impl(x, *, reps):
    return jnp.tile(x, reps)


def tile(x, reps):
    return Op("tile", _tile_impl, reps=tuple(int(r) for r in reps))(as_tensor_variable(x))


def _repeat_impl(x, *, repeats, axis):
    return jnp.repeat(x, np.asarray(repeats), axis=axis)


def repeat(x, repeats, axis=None):
    """NumPy's repeat; `repeats` an int or a constant sequence of ints (one per element along `axis`)."""
    if isinstance(repeats, Variable):
        repeats = static_value(repeats)
        if repeats is None:
            raise TypeError("repeat's repeats must be known when the graph is built")
    repeats = int(repeats) if np.ndim(repeats) == 0 else tuple(int(r) for r in np.ravel(repeats))
    x = as_tensor_variable(x)
    axis = None if axis is None else _axes(x, axis)[0]
    return Op("repeat", _repeat_impl, infer=_repeat_infer, repeats=repeats, axis=axis)(x)


def _repeat_infer(x, *, repeats, axis):
    shape = list(x.type.shape) if axis is not None else [None if None in x.type.shape else int(np.prod(x.type.shape))]
    dim = shape[axis or 0]
    if isinstance(repeats, tuple):
        if dim is not None and len(repeats) != dim:
            raise GraphBuildError(f"repeat: {len(repeats)} repeats for a dimension of length {dim} of {x!r}")
        shape[axis or 0] = builtins.sum(repeats)
    else:
        shape[axis or 0] = None if dim is None else dim * repeats
    return [TensorType(x.dtype, tuple(shape))]


def _squeeze_impl(x, *, axis):
    return jnp.squeeze(x, axis=axis)


def squeeze(x):
    """Drop the dimensions known to be of length 1."""
    x = as_tensor_variable(x)
    return Op("squeeze", _squeeze_impl, axis=tuple(i for i, d in enumerate(x.type.shape) if d == 1))(x)


def _sort_impl(x, *, fn, axis):
    return getattr(jnp, fn)(x, axis=axis)


def sort(x, axis=-1):
    return Op("sort", _sort_impl, fn="sort", axis=axis)(as_tensor_variable(x))


def argsort(x, axis=-1):
    return cast(Op("argsort", _sort_impl, fn="argsort", axis=axis)(as_tensor_variable(x)), "int64")


def _eye_impl(n, m, k, *, dtype, _shape):
    n = _concrete_ints(n, "eye's size")[0]
    m = _concrete_ints(m, "eye's size")[0]
    return jnp.eye(n, m, _concrete_ints(k, "eye's k")[0], dtype=dtype)


def eye(n, m=None, k=0, dtype=None):
    n, m, k = _tensors((n, n if m is None else m, k))
    shape = tuple(None if static_value(v) is None else int(static_value(v)) for v in (n, m))
    return Op("eye", _eye_impl, infer=_eye_infer, dtype=dtype or config.floatX, _shape=shape)(n, m, k)


def _eye_infer(n, m, k, *, dtype, _shape):
    return [TensorType(dtype, _shape)]


def identity_like(x):
    x = as_tensor_variable(x)
    return eye(shape(x)[0], shape(x)[1], dtype=x.dtype)


def _diag_impl(x):
    return jnp.diag(x)


def diag(x):
    return Op("diag", _diag_impl)(as_tensor_variable(x))


def _stop_gradient_impl(x):
    return lax.stop_gradient(x)


def stop_gradient(x):
    """`x`, but gradients do not flow through it (Theano's disconnected_grad / zero_grad)."""
    return Op("stop_gradient", _stop_gradient_impl)(as_tensor_variable(x))
