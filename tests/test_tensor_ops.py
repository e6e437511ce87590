"""Every op of symconv.tensor (symconv.ops) against an independent NumPy/SciPy reference.

Values, Theano's dtype rules, static shapes, errors found while the graph is
built (naming the user's line), and gradients checked by ``verify_grad``
against finite differences.  Indexing is in test_subtensor.py.
"""
import math

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import symconv
import symconv.tensor as T
from symconv.errors import GraphBuildError

from symbolic_checks import assert_same, check_grad, check_grads, raises_at_this_line, run, var_like

FEW = settings(max_examples=8, deadline=None, derandomize=True)


@pytest.fixture(autouse=True)
def _float32_floatx():
    """The dtype rules below are Theano's with its default floatX, whatever SYMCONV_FLAGS says."""
    with symconv.config.change_flags(floatX="float32"):
        yield


# --------------------------------------------------------------- types

PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64", "f": "float32", "d": "float64"}
KINDS = {"scalar": 0, "vector": 1, "matrix": 2, "tensor3": 3, "tensor4": 4}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_prefixed_constructors(kind):
    for prefix, dtype in PREFIXES.items():
        v = getattr(T, prefix + kind)("v")
        assert (v.dtype, v.ndim, v.name, v.broadcastable) == (dtype, KINDS[kind], "v", (False,) * KINDS[kind])
    assert getattr(T, kind)(dtype="int16").dtype == "int16"


def test_floatx_is_read_when_the_graph_is_built():
    assert T.matrix().dtype == T.row().dtype == T.tensor(shape=(2,)).dtype == T.zeros((2,)).dtype == "float32"
    assert (T.fscalar() * 0.1).dtype == "float32"
    with symconv.config.change_flags(floatX="float64"):
        assert T.matrix().dtype == T.tensor4().dtype == T.col().dtype == T.eye(2).dtype == "float64"
        assert (T.ivector() / T.ivector()).dtype == "float64"
        assert (T.fscalar() * 0.1).dtype == "float64"  # 0.1 is not exact in float32
        assert (T.fscalar() * 1.5).dtype == "float32"  # 1.5 is
    assert T.matrix().dtype == "float32"


def test_broadcastable_types():
    x = T.TensorType("float32", (False, True))("x")
    assert (x.type.shape, x.broadcastable, x.name) == ((None, 1), (False, True), "x")
    assert T.row().broadcastable == (True, False) and T.col().broadcastable == (False, True)
    assert T.drow().dtype == "float64" and T.icol().dtype == "int32" and T.row(dtype="int8").dtype == "int8"
    assert T.tensor("float32", (3, None)).type.shape == (3, None)
    assert T.tensor("int32", broadcastable=(True, False, True)).type.shape == (1, None, 1)
    assert T.TensorType("float64", ()) == T.dscalar().type
    assert T.TensorType("float64", (None, 1)) != T.TensorType("float64", (None, None))


def test_lscalar_is_really_int64():
    a, b = T.lscalar("a"), T.lscalar("b")
    big = 2 ** 40 + 1
    assert run([a, b], a * b + 1, big, 3) == big * 3 + 1
    assert run([a], a, big).dtype == np.int64


# --------------------------------------------------------- dtype rules

i8, i16, i32, i64 = T.bvector, T.wvector, T.ivector, T.lvector
f32, f64 = T.fvector, T.dvector


def u8():
    return T.vector(dtype="uint8")


DTYPE_RULES = [
    ("float literal is floatX", lambda: f32() * 1.5, "float32"),
    ("inexact float literal is floatX", lambda: f32() + 0.1, "float32"),
    ("float literal with float64", lambda: f64() * 1.5, "float64"),
    ("int32 + float literal", lambda: i32() + 1.5, "float64"),
    ("int8 + float literal", lambda: i8() + 1.5, "float32"),
    ("int literal is int8", lambda: i8() + 1, "int8"),
    ("int literal 300 is int16", lambda: i8() + 300, "int16"),
    ("int literal 2**40 is int64", lambda: i8() + 2 ** 40, "int64"),
    ("int32 * literal", lambda: i32() * 1000, "int32"),
    ("int32 + float32", lambda: i32() + f32(), "float64"),
    ("int64 + float32", lambda: i64() + f32(), "float64"),
    ("int16 + float32", lambda: i16() + f32(), "float32"),
    ("uint8 + int8", lambda: u8() + i8(), "int16"),
    ("int / int is floatX", lambda: i32() / i32(), "float32"),
    ("int8 / literal", lambda: i8() / 2, "float32"),
    ("int / float32", lambda: i32() / f32(), "float64"),
    ("int // int", lambda: i32() // i32(), "int32"),
    ("int % literal", lambda: i16() % 3, "int16"),
    ("int ** literal", lambda: i32() ** 2, "int32"),
    ("int ** float literal", lambda: i32() ** 0.5, "float64"),
    ("mean of int", lambda: i32().mean(), "float64"),
    ("mean of int8", lambda: i8().mean(), "float64"),
    ("mean of float32", lambda: f32().mean(axis=0), "float32"),
    ("var of int", lambda: i32().var(), "float64"),
    ("std of float32", lambda: f32().std(), "float32"),
    ("comparison", lambda: i32() < f32(), "bool"),
    ("equality", lambda: T.eq(f32(), 1), "bool"),
    ("isnan", lambda: T.isnan(f64()), "bool"),
    ("argmax", lambda: f32().argmax(), "int64"),
    ("argmin of int8", lambda: i8().argmin(axis=0), "int64"),
    ("argsort", lambda: T.argsort(f32()), "int64"),
    ("sum of int8", lambda: i8().sum(), "int64"),
    ("sum of bool", lambda: (f32() > 0).sum(), "int64"),
    ("sum of uint8", lambda: u8().sum(), "uint64"),
    ("prod of int16", lambda: i16().prod(), "int64"),
    ("sum of float32", lambda: f32().sum(), "float32"),
    ("sum with dtype", lambda: i8().sum(dtype="float64"), "float64"),
    ("max of int8", lambda: i8().max(), "int8"),
    ("all", lambda: i32().all(), "bool"),
    ("exp of int32", lambda: T.exp(i32()), "float64"),
    ("exp of int8", lambda: T.exp(i8()), "float32"),
    ("sqrt of int16", lambda: T.sqrt(i16()), "float32"),
    ("log of int64", lambda: T.log(i64()), "float64"),
    ("sigmoid of int32", lambda: T.sigmoid(i32()), "float64"),
    ("tanh of float32", lambda: T.tanh(f32()), "float32"),
    ("floor of int32", lambda: T.floor(i32()), "float64"),
    ("iround", lambda: T.iround(f32()), "int64"),
    ("abs of int", lambda: abs(i32()), "int32"),
    ("neg of int8", lambda: -i8(), "int8"),
    ("sqr of int", lambda: T.sqr(i16()), "int16"),
    ("sgn of float32", lambda: T.sgn(f32()), "float32"),
    ("switch", lambda: T.switch(i32(), f32(), 0), "float32"),
    ("clip of int with float bounds", lambda: T.clip(i32(), 0.5, 1.5), "float64"),
    ("maximum", lambda: T.maximum(i8(), i16()), "int16"),
    ("dot int32 float32", lambda: T.dot(T.imatrix(), T.fmatrix()), "float64"),
    ("dot float32", lambda: T.dot(T.fmatrix(), T.fvector()), "float32"),
    ("lscalar * iscalar", lambda: T.lscalar() * T.iscalar(), "int64"),
    ("float64 array + float32", lambda: np.ones(3) + f32(), "float64"),
    ("float32 numpy scalar + float32", lambda: np.float32(2) + f32(), "float32"),
    ("arange of int literal", lambda: T.arange(5), "int64"),
    ("arange of int32 scalar", lambda: T.arange(T.iscalar()), "int64"),
    ("arange of float literal", lambda: T.arange(0.5, 3), "float32"),
    ("arange of float64", lambda: T.arange(T.dscalar()), "float64"),
    ("cast floatX", lambda: T.cast(i32(), "floatX"), "float32"),
    ("ones_like keeps dtype", lambda: T.ones_like(i32()), "int32"),
    ("zeros_like with dtype", lambda: T.zeros_like(f32(), dtype="int8"), "int8"),
    ("concatenate upcasts", lambda: T.concatenate([i8(), f32()]), "float32"),
    ("stack of scalars", lambda: T.stack([T.iscalar(), 1]), "int32"),
    ("cumsum keeps dtype", lambda: T.cumsum(i32()), "int32"),
]


@pytest.mark.parametrize("build, expected", [c[1:] for c in DTYPE_RULES], ids=[c[0] for c in DTYPE_RULES])
def test_theano_dtype_rules(build, expected):
    assert build().dtype == expected


def test_declared_dtypes_are_the_computed_ones():
    a, b, c, d = T.ivector("a"), T.bvector("b"), T.fvector("c"), T.dvector("d")
    outs = [a + 1.5, b + 1.5, a / a, b / 2, a.mean(), b.sum(), T.exp(a), T.exp(b), a < c, c.argmax(),
            a + c, T.iround(c), T.arange(a.shape[0]), T.switch(a, c, 0), T.clip(a, 0.5, 1.5), d * 1.5, c * 0.1]
    values = [np.array([1, 2], "int32"), np.array([100, 100], "int8"), np.array([0.5, -0.5], "float32"), np.ones(2)]
    for out, value in zip(outs, symconv.function([a, b, c, d], outs)(*values)):
        assert value.dtype == out.dtype, out


def test_python_literals_autocast():
    assert T.constant(1.5).dtype == "float32" and T.constant(0.1).dtype == "float32"
    assert T.constant(3).dtype == "int8" and T.constant(-129).dtype == "int16"
    assert T.constant(2 ** 31).dtype == "int64" and T.constant(2 ** 63).dtype == "uint64"
    assert T.constant(True).dtype == "bool" and T.constant(np.arange(3.0)).dtype == "float64"
    assert T.constant(np.float32(1)).dtype == "float32" and T.constant(2, dtype="float64").dtype == "float64"
    assert T.constant(5, ndim=2).type.shape == (1, 1)
    with symconv.config.change_flags(floatX="float16"):
        assert T.constant(0.1).dtype == "float16"
    with symconv.config.change_flags(floatX="float64"):
        assert T.constant(0.5).dtype == "float32" and T.constant(0.1).dtype == "float64"
    with pytest.raises(ValueError):
        T.constant(np.ones((2, 2)), ndim=1)
    v = T.dvector()
    assert T.as_tensor_variable(v) is v and T.as_tensor is T.as_tensor_variable
    with pytest.raises(TypeError):
        T.as_tensor_variable(v, ndim=2)
    assert T.as_tensor_variable([T.iscalar(), 2.5]).type.shape == (2,)


# --------------------------------------------------------- elementwise

def _np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


# name, symconv op, reference, input range
UNARY = [
    ("exp", T.exp, np.exp, (-3, 3)), ("exp2", T.exp2, np.exp2, (-3, 3)), ("expm1", T.expm1, np.expm1, (-3, 3)),
    ("log", T.log, np.log, (0.1, 5)), ("log2", T.log2, np.log2, (0.1, 5)), ("log10", T.log10, np.log10, (0.1, 5)),
    ("log1p", T.log1p, np.log1p, (-0.9, 5)), ("sqrt", T.sqrt, np.sqrt, (0, 5)), ("sin", T.sin, np.sin, (-4, 4)),
    ("cos", T.cos, np.cos, (-4, 4)), ("tan", T.tan, np.tan, (-1.4, 1.4)), ("arcsin", T.arcsin, np.arcsin, (-1, 1)),
    ("arccos", T.arccos, np.arccos, (-1, 1)), ("arctan", T.arctan, np.arctan, (-5, 5)),
    ("sinh", T.sinh, np.sinh, (-3, 3)), ("cosh", T.cosh, np.cosh, (-3, 3)), ("tanh", T.tanh, np.tanh, (-3, 3)),
    ("arcsinh", T.arcsinh, np.arcsinh, (-5, 5)), ("arccosh", T.arccosh, np.arccosh, (1, 5)),
    ("arctanh", T.arctanh, np.arctanh, (-0.95, 0.95)), ("erf", T.erf, np.vectorize(math.erf), (-3, 3)),
    ("erfc", T.erfc, np.vectorize(math.erfc), (-3, 3)), ("erfinv", T.erfinv, scipy.special.erfinv, (-0.95, 0.95)),
    ("gammaln", T.gammaln, np.vectorize(math.lgamma), (0.1, 6)), ("psi", T.psi, scipy.special.digamma, (0.1, 6)),
    ("floor", T.floor, np.floor, (-3, 3)), ("ceil", T.ceil, np.ceil, (-3, 3)), ("trunc", T.trunc, np.trunc, (-3, 3)),
    ("round", T.round, np.round, (-3, 3)), ("round_half_away", lambda x: T.round(x, "half_away_from_zero"),
                                            _half_away, (-3, 3)),
    ("reciprocal", T.reciprocal, np.reciprocal, (0.2, 3)), ("inv", T.inv, lambda x: 1 / x, (-3, -0.2)),
    ("deg2rad", T.deg2rad, np.deg2rad, (-360, 360)), ("rad2deg", T.rad2deg, np.rad2deg, (-4, 4)),
    ("neg", T.neg, np.negative, (-3, 3)), ("abs_", T.abs_, np.abs, (-3, 3)), ("abs", T.abs, np.abs, (-3, 3)),
    ("sgn", T.sgn, np.sign, (-3, 3)), ("sqr", T.sqr, np.square, (-3, 3)),
    ("sigmoid", T.sigmoid, _np_sigmoid, (-10, 10)), ("softplus", T.softplus, lambda x: np.log1p(np.exp(x)), (-10, 10)),
    ("isnan", T.isnan, np.isnan, (-1, 1)), ("isinf", T.isinf, np.isinf, (-1, 1)),
    ("tensor_copy", T.tensor_copy, np.copy, (-1, 1)),
]


def _unary_inputs(dtype):
    """Per op: random values in its domain, its ends, and NaN, infinities and halves (ties for rounding)."""
    rng = np.random.RandomState(0)
    special = [np.nan, np.inf, -np.inf, 0.5, -0.5, 2.5, -2.5]
    values = [np.concatenate([rng.uniform(*bounds, size=6), bounds, special]).reshape(3, 5).astype(dtype)
              for _, _, _, bounds in UNARY]
    return [T.TensorType(dtype, (None, None))(name) for name, *_ in UNARY], values


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 2e-6)])
def test_unary_elementwise(dtype, rtol):
    """All unary ops in one compiled function: values, and output dtypes as declared (floats stay floats)."""
    inputs, values = _unary_inputs(dtype)
    outs = [op(x) for x, (_, op, _, _) in zip(inputs, UNARY)]
    with np.errstate(all="ignore"):
        for (name, _, ref, _), out, value, got in zip(UNARY, outs, values, symconv.function(inputs, outs)(*values)):
            assert got.dtype == out.dtype == ("bool" if name in ("isnan", "isinf") else dtype), name
            np.testing.assert_allclose(got, ref(value.astype("float64")), rtol=rtol, atol=rtol, err_msg=name)


def test_rounding_modes_and_iround():
    x = T.dvector("x")
    halves = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999999999999994, -3.7])
    even, away, ieven, iaway, method = symconv.function(
        [x], [T.round(x), T.round(x, mode="half_away_from_zero"), T.iround(x), T.iround(x, "half_away_from_zero"),
              x.round("half_away_from_zero")])(halves)
    assert_same(even, np.round(halves))
    assert_same(away, [-3, -2, -1, 1, 2, 3, 0, -4])
    assert_same(ieven, np.round(halves).astype("int64"), dtype="int64")
    assert_same(iaway, away.astype("int64"), dtype="int64")
    assert_same(method, away)
    with pytest.raises(ValueError, match="round mode"):
        T.round(x, "stochastic")


BINARY = [
    ("add", T.add, np.add), ("sub", T.sub, np.subtract), ("mul", T.mul, np.multiply),
    ("true_div", T.true_div, np.true_divide), ("int_div", T.int_div, np.floor_divide), ("mod", T.mod, np.mod),
    ("pow", T.pow, lambda a, b: np.abs(a) ** b), ("maximum", T.maximum, np.maximum),
    ("minimum", T.minimum, np.minimum), ("arctan2", T.arctan2, np.arctan2), ("eq", T.eq, np.equal),
    ("neq", T.neq, np.not_equal), ("lt", T.lt, np.less), ("gt", T.gt, np.greater), ("le", T.le, np.less_equal),
    ("ge", T.ge, np.greater_equal),
]
_binary_functions = {}


def _binary_function(patterns):
    """All binary ops in one function per pair of broadcastable patterns; hypothesis varies the shapes."""
    if patterns not in _binary_functions:
        a, b = (T.TensorType("float64", broadcastable=p)() if p else T.TensorType("float64", ())() for p in patterns)
        outs = [op(abs(a), b) if name == "pow" else op(a, b) for name, op, _ in BINARY]
        _binary_functions[patterns] = symconv.function([a, b], outs)
    return _binary_functions[patterns]


@FEW
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), seed=st.integers(0, 2 ** 16))
def test_binary_elementwise_broadcasts_like_numpy(shapes, seed):
    rng = np.random.RandomState(seed)
    a = rng.uniform(-3, 3, size=shapes.input_shapes[0])
    b = rng.choice([-1, 1], size=shapes.input_shapes[1]) * rng.uniform(0.5, 2, size=shapes.input_shapes[1])
    if a.size and b.size:
        a.flat[0] = b.flat[0]  # exercise equality and ties
    # Theano's rule: the length-1 dimensions that stretch are typed broadcastable.
    patterns = tuple(tuple(d == 1 for d in v.shape) for v in (a, b))
    for (name, _, ref), got in zip(BINARY, _binary_function(patterns)(a, b)):
        want = ref(a, b)
        assert got.shape == want.shape, name
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)


def test_binary_static_shapes_broadcast():
    x, row = T.tensor("float32", (3, 1)), T.tensor("float32", (None, 4))
    assert (x + row).type.shape == (3, 4)
    assert (T.tensor("float32", (1, None)) * T.tensor("float32", (1, 1))).type.shape == (1, None)
    assert T.maximum(T.tensor("float32", (5,)), T.fmatrix()).type.shape == (None, 5)
    assert T.switch(T.tensor("bool", (2, 1)), T.tensor("float32", (3,)), 0).type.shape == (2, 3)


def test_integer_arithmetic_follows_python():
    a, b = T.ivector("a"), T.ivector("b")
    av, bv = np.array([-7, -3, 3, 7, 0], "int32"), np.array([2, -2, 2, -3, 5], "int32")
    quotient, remainder, divided, power, neg_floor, proxy = symconv.function(
        [a, b], [a // b, a % b, a / b, a ** 2, T.floor_div(a, 2), T.div_proxy(a, b)])(av, bv)
    assert_same(quotient, av // bv, dtype="int32")
    assert_same(remainder, av % bv, dtype="int32")
    assert_same(divided, (av / bv).astype("float32"), dtype="float32", rtol=1e-6)
    assert_same(power, av ** 2, dtype="int32")
    assert_same(neg_floor, av // 2)
    assert_same(proxy, divided)


def test_bitwise_and_logical_ops():
    a, b = T.ivector("a"), T.ivector("b")
    p, q = T.vector("p", dtype="bool"), T.vector("q", dtype="bool")
    av, bv = np.array([12, -5, 0, 7], "int32"), np.array([10, 3, -1, 7], "int32")
    pv, qv = np.array([True, True, False, False]), np.array([True, False, True, False])
    outs = symconv.function([a, b, p, q], [
        T.and_(a, b), T.or_(a, b), T.xor(a, b), T.invert(a), a & b, a | b, a ^ b, ~a,
        p & q, p | q, p ^ q, ~p, T.bitwise_and(p, q), T.bitwise_or(a, 1), T.bitwise_xor(p, True), T.bitwise_not(q),
    ])(av, bv, pv, qv)
    expected = [av & bv, av | bv, av ^ bv, ~av, av & bv, av | bv, av ^ bv, ~av,
                pv & qv, pv | qv, pv ^ qv, ~pv, pv & qv, av | 1, pv ^ True, ~qv]
    for got, want in zip(outs, expected):
        assert_same(got, want, dtype=want.dtype)


def test_operators_on_variables():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    rng = np.random.RandomState(1)
    xv, yv = rng.uniform(0.5, 2, (2, 3)), rng.uniform(0.5, 2, (2, 3))
    array = rng.randn(2, 3)
    exprs = [x + 1, 1 + x, x - y, 1 - x, 2 * x, x * y, x / y, 3 / x, x // y, 7 // x, -x, +x, x ** 2, 2 ** x,
             abs(-x), x % 0.7, 5 % x, x < y, x <= y, x > y, x >= y, array + x, array * x, x - array,
             np.float64(2.0) * x, x @ y.T, (x < y) & (x > 1), x.astype("int32")]
    ref = [xv + 1, 1 + xv, xv - yv, 1 - xv, 2 * xv, xv * yv, xv / yv, 3 / xv, xv // yv, 7 // xv, -xv, xv, xv ** 2,
           2 ** xv, xv, xv % np.float64(np.float32(0.7)), 5 % xv, xv < yv, xv <= yv, xv > yv, xv >= yv, array + xv, array * xv, xv - array,
           2 * xv, xv @ yv.T, (xv < yv) & (xv > 1), xv.astype("int32")]
    assert all(isinstance(e, symconv.Variable) for e in exprs)
    assert (x == y) is False and (x == x) is True  # == is identity, as in Theano
    for got, want in zip(symconv.function([x, y], exprs)(xv, yv), ref):
        assert_same(got, want)


def test_variadic_elementwise():
    a, b, c = T.dvector("a"), T.dvector("b"), T.dvector("c")
    av, bv, cv = np.array([1.0, 5.0]), np.array([3.0, 2.0]), np.array([-1.0, 4.0])
    outs = symconv.function([a, b, c], [T.add(a, b, c), T.mul(a, b, c), T.maximum(a, b, c), T.minimum(a, b, c)])(
        av, bv, cv)
    for got, want in zip(outs, [av + bv + cv, av * bv * cv, np.maximum(np.maximum(av, bv), cv),
                                np.minimum(np.minimum(av, bv), cv)]):
        assert_same(got, want)


def test_switch_clip_where():
    c, x, y = T.ivector("c"), T.dvector("x"), T.dvector("y")
    cv, xv, yv = np.array([0, 2, -1, 0], "int32"), np.array([1.0, -2, 3, 4]), np.array([9.0, 8, 7, 6])
    outs = symconv.function([c, x, y], [T.switch(c, x, y), T.where(x > 2, x, 0), T.switch(x > 0, 1, y),
                                        T.clip(x, -1, 3.5), x.clip(0, 2), T.clip(x, y - 6, 5)])(cv, xv, yv)
    expected = [np.where(cv, xv, yv), np.where(xv > 2, xv, 0), np.where(xv > 0, 1, yv), np.clip(xv, -1, 3.5),
                np.clip(xv, 0, 2), np.clip(xv, yv - 6, 5)]
    for got, want in zip(outs, expected):
        assert_same(got, want)


def test_cast_and_copy():
    x = T.dvector("x")
    xv = np.array([-1.7, 0.2, 2.9, 300.0])
    assert T.cast(x, "float64") is x
    as_int8, as_int32, as_float32, copy = symconv.function(
        [x], [T.cast(x, "int8"), T.cast(x, np.int32), T.cast(x, "floatX"), x.copy(name="c")])(xv)
    assert_same(as_int32, xv.astype("int32"), dtype="int32")
    assert_same(as_int8[:3], xv[:3].astype("int8"), dtype="int8")
    assert_same(as_float32, xv.astype("float32"), dtype="float32")
    assert_same(copy, xv)
    assert x.copy(name="c").name == "c"


# ---------------------------------------------------------- reductions

AXIS_CASES = [(None, False), (None, True), (0, False), (1, True), (-1, False), ((0, 2), True), ((2, -3), False),
              ([1], True)]
REDUCTIONS = [
    ("sum", T.sum, np.sum), ("mean", T.mean, np.mean), ("max", T.max, np.max), ("min", T.min, np.min),
    ("prod", T.prod, np.prod), ("var", T.var, np.var), ("std", T.std, np.std),
]


def _np_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


@pytest.mark.parametrize("op, ref", [r[1:] for r in REDUCTIONS], ids=[r[0] for r in REDUCTIONS])
def test_reductions_axis_and_keepdims(op, ref):
    values = np.random.RandomState(2).uniform(0.5, 1.5, (2, 3, 4))
    x = T.dtensor3("x")
    outs = [op(x, axis=axis, keepdims=keepdims) for axis, keepdims in AXIS_CASES]
    for (axis, keepdims), out, got in zip(AXIS_CASES, outs, symconv.function([x], outs)(values)):
        want = ref(values, axis=_np_axis(axis), keepdims=keepdims)
        assert out.type.shape == tuple(1 if d == 1 else None for d in want.shape)  # kept dims are broadcastable
        assert_same(got, want)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin(name):
    values = np.random.RandomState(3).randn(2, 3, 4)
    x = T.dtensor3("x")
    op, ref = getattr(T, name), getattr(np, name)
    cases = [(axis, keepdims) for axis in (None, 0, 1, -1) for keepdims in (False, True)]
    outs = [op(x, axis=axis, keepdims=keepdims) for axis, keepdims in cases] + [getattr(x, name)(axis=1)]
    got = symconv.function([x], outs)(values)
    for (axis, keepdims), value in zip(cases, got):
        assert_same(value, ref(values, axis=axis, keepdims=keepdims), dtype="int64")
    assert_same(got[-1], ref(values, axis=1))
    with pytest.raises(ValueError):
        op(x, axis=(0, 1))


def test_all_any_and_methods():
    b = T.TensorType("bool", (None, None))("b")
    x = T.dmatrix("x")
    bv = np.array([[True, False, True], [True, True, True]])
    xv = np.random.RandomState(4).uniform(1, 2, (2, 3))
    outs = symconv.function([b, x], [
        T.all(b), T.any(b), T.all(b, axis=1), T.any(b, axis=0, keepdims=True), b.all(axis=-1), b.any(),
        x.sum(), x.mean(axis=0), x.prod(axis=-1), x.max(axis=0), x.min(), x.var(axis=0, corrected=True),
        x.std(ddof=1), T.sum(x, axis=0, dtype="float32"), x.norm(1), x.norm(2, axis=0), T.norm(x, 3, axis=1),
    ])(bv, xv)
    expected = [bv.all(), bv.any(), bv.all(axis=1), bv.any(axis=0, keepdims=True), bv.all(axis=-1), bv.any(),
                xv.sum(), xv.mean(axis=0), xv.prod(axis=-1), xv.max(axis=0), xv.min(), xv.var(axis=0, ddof=1),
                xv.std(ddof=1), xv.sum(axis=0), np.abs(xv).sum(), np.sqrt((xv ** 2).sum(axis=0)),
                (np.abs(xv) ** 3).sum(axis=1) ** (1 / 3)]
    for got, want in zip(outs, expected):
        assert_same(got, want, rtol=1e-6)
    assert outs[0].dtype == bool and outs[13].dtype == np.float32


def test_integer_reductions_accumulate_in_64_bits():
    b = T.bvector("b")
    bv = np.array([100, 100, 100, -7], "int8")
    total, product, mean, top = symconv.function([b], [b.sum(), b[:2].prod(), b.mean(), b.max()])(bv)
    assert_same(total, 293, dtype="int64")
    assert_same(product, 10000, dtype="int64")
    assert_same(mean, 73.25, dtype="float64")
    assert_same(top, 100, dtype="int8")


@FEW
@given(values=hnp.arrays("float64", hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                         elements=st.floats(-10, 10)), data=st.data())
def test_sum_max_random_axes(values, data):
    axes = data.draw(st.lists(st.integers(-values.ndim, values.ndim - 1), unique_by=lambda a: a % values.ndim))
    keepdims = data.draw(st.booleans())
    x = var_like(values)
    axis = tuple(axes) if axes else None
    total, top = run([x], [T.sum(x, axis=axis, keepdims=keepdims), T.max(x, axis=axis, keepdims=keepdims)], values)
    assert_same(total, values.sum(axis=axis, keepdims=keepdims), atol=1e-9)
    assert_same(top, values.max(axis=axis, keepdims=keepdims))


def test_max_and_argmax_cumulative():
    x = T.dmatrix("x")
    xv = np.random.RandomState(5).uniform(0.5, 2, (3, 4))
    m, a = T.max_and_argmax(x, axis=1)
    outs = symconv.function([x], [m, a, T.cumsum(x), T.cumsum(x, axis=0), T.cumsum(x, axis=-1), T.cumprod(x),
                                  T.cumprod(x, axis=1), x.cumsum(axis=1), x.cumprod()])(xv)
    expected = [xv.max(axis=1), xv.argmax(axis=1), np.cumsum(xv), np.cumsum(xv, axis=0), np.cumsum(xv, axis=-1),
                np.cumprod(xv), np.cumprod(xv, axis=1), np.cumsum(xv, axis=1), np.cumprod(xv)]
    for got, want in zip(outs, expected):
        assert_same(got, want)


def test_reduction_axis_errors():
    x = T.dmatrix()
    with pytest.raises(ValueError, match="out of range"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match="out of range"):
        T.mean(x, axis=-3)


# ------------------------------------------------------------ products

DOTS = [((3, 4), (4, 5)), ((3, 4), (4,)), ((4,), (4, 5)), ((4,), (4,)), ((), (4,)), ((2, 3, 4), (4, 2))]


@pytest.mark.parametrize("shape_a, shape_b", DOTS)
def test_dot(shape_a, shape_b):
    rng = np.random.RandomState(6)
    a, b = np.asarray(rng.randn(*shape_a)), np.asarray(rng.randn(*shape_b))
    va, vb = var_like(a), var_like(b)
    f = symconv.function([va, vb], [T.dot(va, vb), va.dot(vb)])
    for got in f(a, b):
        assert_same(got, np.dot(a, b))


def test_dot_mixed_dtypes_and_outer():
    m, v, w = T.imatrix("m"), T.fvector("v"), T.dvector("w")
    mv, vv, wv = np.arange(6, dtype="int32").reshape(2, 3), np.array([0.5, 1.5, -2], "float32"), np.arange(2.0)
    prod, outer = symconv.function([m, v, w], [T.dot(m, v), T.outer(w, v)])(mv, vv, wv)
    assert_same(prod, mv @ vv.astype("float64"), dtype="float64")
    assert_same(outer, np.outer(wv, vv), dtype="float64")


def test_tensordot():
    rng = np.random.RandomState(7)
    a, b, c = rng.randn(2, 3, 4), rng.randn(3, 4, 5), rng.randn(4, 3)
    x, y, z = T.dtensor3("x"), T.dtensor3("y"), T.dmatrix("z")
    outs = symconv.function([x, y, z], [T.tensordot(x, y), T.tensordot(x, y, 1 - 1), T.tensordot(x, z, [[1, 2], [1, 0]]),
                                        T.tensordot(x, z, ((2,), (0,))), T.tensordot(z, x, [1, 1])])(a, b, c)
    expected = [np.tensordot(a, b), np.tensordot(a, b, 0), np.tensordot(a, c, [[1, 2], [1, 0]]),
                np.tensordot(a, c, ((2,), (0,))), np.tensordot(c, a, [1, 1])]
    for got, want in zip(outs, expected):
        assert_same(got, want)


def test_batched_dot():
    rng = np.random.RandomState(8)
    a, b, m, n = rng.randn(3, 2, 4), rng.randn(3, 4, 5), rng.randn(3, 4), rng.randn(3, 4)
    x, y, u, v = T.dtensor3("x"), T.dtensor3("y"), T.dmatrix("u"), T.dmatrix("v")
    mats, vecs, mat_vec = symconv.function([x, y, u, v], [T.batched_dot(x, y), T.batched_dot(u, v),
                                                          T.batched_dot(x, v)])(a, b, m, n)
    assert_same(mats, np.einsum("bij,bjk->bik", a, b))
    assert_same(vecs, np.einsum("bi,bi->b", m, n))
    assert_same(mat_vec, np.einsum("bij,bj->bi", a, n))


# ----------------------------------------------------------- shape ops

def test_reshape():
    x, n = T.dtensor3("x"), T.iscalar("n")
    xv = np.arange(24.0).reshape(2, 3, 4)
    outs = [x.reshape((6, 4)), T.reshape(x, (-1,)), x.reshape((x.shape[0], -1)), x.reshape((4, -1, 2)),
            T.reshape(x, x.shape[::-1], ndim=3), x.reshape([24]), T.reshape(x, (2, 3, 4, 1))]
    expected = [xv.reshape(6, 4), xv.reshape(-1), xv.reshape(2, -1), xv.reshape(4, -1, 2), xv.reshape(4, 3, 2),
                xv.reshape(24), xv.reshape(2, 3, 4, 1)]
    for out, got, want in zip(outs, symconv.function([x], outs)(xv), expected):
        assert out.ndim == want.ndim
        assert_same(got, want)
    assert x.reshape((x.shape[0], -1)).ndim == 2
    with pytest.raises(TypeError, match="ndim"):
        T.reshape(x, T.lvector())


def test_reshape_to_a_run_time_size_compiles_per_value():
    v, n = T.dvector("v"), T.iscalar("n")
    f = symconv.function([v, n], T.reshape(v, (2, n)))
    assert_same(f(np.arange(6.0), 3), np.arange(6.0).reshape(2, 3))
    assert_same(f(np.arange(8.0), 4), np.arange(8.0).reshape(2, 4))
    assert_same(f(np.arange(6.0), 3), np.arange(6.0).reshape(2, 3))


def test_reshape_static_shapes_and_errors():
    x = T.tensor("float32", (3, 4))
    assert x.reshape((-1,)).type.shape == (12,)
    assert x.reshape((2, -1)).type.shape == (2, 6)
    assert x.reshape((x.shape[1], x.shape[0])).type.shape == (4, 3)
    assert T.fmatrix().reshape((T.iscalar(), 5)).type.shape == (None, 5)
    raises_at_this_line(ValueError, lambda: x.reshape((5, -1)))
    raises_at_this_line(ValueError, lambda: T.constant(np.ones((3, 4))).reshape((5, 2)))
    raises_at_this_line(ValueError, lambda: x.reshape((-1, -1)))


def test_flatten():
    x = T.dtensor4("x")
    xv = np.arange(120.0).reshape(2, 3, 4, 5)
    outs = symconv.function([x], [x.flatten(), x.flatten(2), T.flatten(x, 3), T.flatten(x, outdim=4),
                                  x.flatten(outdim=2)])(xv)
    for got, want in zip(outs, [xv.reshape(-1), xv.reshape(2, -1), xv.reshape(2, 3, -1), xv, xv.reshape(2, -1)]):
        assert_same(got, want)
    assert T.tensor("float32", (2, 3, 4)).flatten(2).type.shape == (2, 12)
    with pytest.raises(ValueError):
        x.flatten(5)
    with pytest.raises(ValueError):
        x.flatten(0)


def test_dimshuffle_transpose_and_padding():
    x, v = T.TensorType("float64", (None, 1, None))("x"), T.dvector("v")
    xv, vv = np.random.RandomState(9).randn(2, 1, 3), np.arange(4.0)
    outs = [v.dimshuffle("x", 0, "x", "x"), x.dimshuffle(2, 0, 1), x.dimshuffle(0, 2), x.dimshuffle(2, "x", 0),
            x.dimshuffle([1, 0, 2]), T.dimshuffle(v, 0, "x"), x.T, T.transpose(x, (1, 2, 0)), x.transpose(2, 1, 0),
            T.shape_padleft(v, 2), T.shape_padright(v), T.shape_padaxis(x, 1), T.shape_padaxis(v, -1)]
    expected = [vv[None, :, None, None], xv.transpose(2, 0, 1), xv[:, 0, :], xv[:, 0, :].T[:, None, :],
                xv.transpose(1, 0, 2), vv[:, None], xv.T, xv.transpose(1, 2, 0), xv.transpose(2, 1, 0),
                vv[None, None], vv[:, None], xv[:, None], vv[:, None]]
    for got, want in zip(symconv.function([x, v], outs)(xv, vv), expected):
        assert_same(got, want)
    assert v.dimshuffle("x", 0, "x", "x").broadcastable == (True, False, True, True)
    assert x.dimshuffle(2, "x", 0).type.shape == (None, 1, None)


def test_dimshuffle_errors():
    x = T.dmatrix("x")
    with pytest.raises(ValueError, match="broadcastable"):
        x.dimshuffle(0)
    with pytest.raises(ValueError, match="broadcastable"):
        x.dimshuffle("x", 1)
    with pytest.raises(ValueError, match="invalid"):
        x.dimshuffle(0, 0)
    with pytest.raises(ValueError, match="invalid"):
        x.dimshuffle(0, 2)


def test_shape_and_unpacking():
    x = T.dtensor3("x")
    xv = np.zeros((2, 3, 4))
    rows, cols, depth = x.shape
    shape, size, first = symconv.function([x], [x.shape, x.size, rows * cols + depth])(xv)
    assert_same(shape, [2, 3, 4], dtype="int64")
    assert size == 24 and first == 10
    assert x.shape.type.shape == (3,) and x.shape.dtype == "int64"
    assert T.static_value(T.tensor("float32", (3, 4)).shape).tolist() == [3, 4]
    assert T.static_value(x.shape) is None
    with pytest.raises(TypeError):
        list(x)
    with pytest.raises(TypeError):
        len(x)
    with pytest.raises(TypeError, match="depends on the data"):
        x.nonzero()


def test_arange():
    y, n = T.dvector("y"), T.iscalar("n")
    outs = [T.arange(5), T.arange(2, 11, 3), T.arange(y.shape[0]), T.arange(0, 1, 0.25), T.arange(-3, 3, 2),
            T.arange(10, 0, -3), T.arange(y.shape[0], dtype="float64")]
    expected = [np.arange(5), np.arange(2, 11, 3), np.arange(4), np.arange(0, 1, 0.25), np.arange(-3, 3, 2),
                np.arange(10, 0, -3), np.arange(4.0)]
    for out, got, want in zip(outs, symconv.function([y], outs)(np.zeros(4)), expected):
        assert_same(got, want, dtype=out.dtype)
    assert T.arange(5).type.shape == (5,) and T.arange(y.shape[0]).type.shape == (None,)
    f = symconv.function([n], T.arange(n))
    assert_same(f(3), np.arange(3), dtype="int64")
    assert_same(f(5), np.arange(5))


def test_fills():
    x, v, n = T.imatrix("x"), T.dvector("v"), T.lscalar("n")
    xv, vv = np.arange(6, dtype="int32").reshape(2, 3), np.array([1.0, 2.0, 3.0])
    outs = [T.zeros_like(x), T.ones_like(x), T.zeros_like(x, dtype="float64"), x.ones_like(dtype="int8"),
            x.zeros_like(), T.alloc(1.5, 2, 3), T.alloc(v, 2, 3), T.alloc(v, n, v.shape[0]), T.zeros((2, 3)),
            T.ones((n, 2), dtype="int32"), T.zeros(x.shape), T.ones(4), T.fill(x, 2.5), T.second(v, 7)]
    expected = [np.zeros((2, 3), "int32"), np.ones((2, 3), "int32"), np.zeros((2, 3)), np.ones((2, 3), "int8"),
                np.zeros((2, 3), "int32"), np.full((2, 3), 1.5, "float32"), np.tile(vv, (2, 1)), np.tile(vv, (4, 1)),
                np.zeros((2, 3), "float32"), np.ones((4, 2), "int32"), np.zeros((2, 3), "float32"),
                np.ones(4, "float32"), np.full((2, 3), 2.5, "float32"), np.full(3, 7, "int8")]
    for out, got, want in zip(outs, symconv.function([x, v, n], outs)(xv, vv, 4), expected):
        assert out.dtype == want.dtype
        assert_same(got, want, dtype=want.dtype)
    assert T.alloc(v, 2, v.shape[0]).type.shape == (2, None)
    assert T.zeros(T.tensor("float32", (3, 4)).shape).type.shape == (3, 4)


def test_join_ops():
    a, b, s = T.dmatrix("a"), T.dmatrix("b"), T.dscalar("s")
    av, bv = np.arange(6.0).reshape(2, 3), -np.arange(6.0).reshape(2, 3)
    outs = [T.concatenate([a, b]), T.concatenate([a, b, a], axis=1), T.concatenate([a, b], axis=-1),
            T.join(0, a, b), T.stack([a, b]), T.stack([a, b], axis=1), T.stack(a, b), T.stack([a, b], axis=-1),
            T.stack([s, 2 * s, 1]), T.as_tensor_variable([s, s + 1])]
    expected = [np.concatenate([av, bv]), np.concatenate([av, bv, av], 1), np.concatenate([av, bv], -1),
                np.concatenate([av, bv]), np.stack([av, bv]), np.stack([av, bv], 1), np.stack([av, bv]),
                np.stack([av, bv], -1), np.array([3.0, 6, 1]), np.array([3.0, 4])]
    for got, want in zip(symconv.function([a, b, s], outs)(av, bv, 3.0), expected):
        assert_same(got, want)


def test_tile_repeat_squeeze():
    x, c = T.dmatrix("x"), T.dcol("c")
    xv, cv = np.arange(6.0).reshape(2, 3), np.arange(3.0).reshape(3, 1)
    outs = [T.tile(x, (2, 3)), T.tile(x, (2, 1, 1)), T.repeat(x, 2, axis=0), T.repeat(x, 3), x.repeat(2, axis=-1),
            T.repeat(x, [1, 0, 2], axis=1), T.squeeze(c), c.squeeze(), T.squeeze(x)]
    expected = [np.tile(xv, (2, 3)), np.tile(xv, (2, 1, 1)), np.repeat(xv, 2, axis=0), np.repeat(xv, 3),
                np.repeat(xv, 2, axis=-1), np.repeat(xv, [1, 0, 2], axis=1), cv[:, 0], cv[:, 0], xv]
    for got, want in zip(symconv.function([x, c], outs)(xv, cv), expected):
        assert_same(got, want)


def test_sort_argsort():
    x = T.dmatrix("x")
    xv = np.random.RandomState(10).randn(3, 4)
    outs = symconv.function([x], [T.sort(x), T.sort(x, axis=0), T.sort(x, axis=None), T.argsort(x),
                                  T.argsort(x, axis=0), T.argsort(x, axis=None), x.sort(axis=0), x.argsort()])(xv)
    expected = [np.sort(xv), np.sort(xv, axis=0), np.sort(xv, axis=None), np.argsort(xv), np.argsort(xv, axis=0),
                np.argsort(xv, axis=None), np.sort(xv, axis=0), np.argsort(xv)]
    for got, want in zip(outs, expected):
        assert_same(got, want)


def test_eye_identity_diag():
    n, m, v = T.iscalar("n"), T.dmatrix("m"), T.dvector("v")
    mv, vv = np.arange(12.0).reshape(3, 4), np.array([1.0, 2.0, 3.0])
    outs = [T.eye(3), T.eye(2, 4), T.eye(4, 3, 1), T.eye(3, k=-1, dtype="int32"), T.eye(n), T.identity_like(m),
            T.diag(v), T.diag(m)]
    expected = [np.eye(3, dtype="float32"), np.eye(2, 4, dtype="float32"), np.eye(4, 3, 1, dtype="float32"),
                np.eye(3, k=-1, dtype="int32"), np.eye(5, dtype="float32"), np.eye(3, 4), np.diag(vv), np.diag(mv)]
    for got, want in zip(symconv.function([n, m, v], outs)(5, mv, vv), expected):
        assert_same(got, want, dtype=want.dtype)
    assert T.eye(2, 4).type.shape == (2, 4) and T.eye(n).type.shape == (None, None)


def test_stop_gradient():
    x = T.dvector("x")
    cost = (T.stop_gradient(x ** 2) * x).sum()
    value, g = symconv.function([x], [cost, symconv.grad(cost, x)])(np.array([1.0, 2.0]))
    assert_same(value, 9.0)
    assert_same(g, [1.0, 4.0])


# ------------------------------------------------------- static shapes

def typed(*shape):
    return T.tensor("float32", shape)


STATIC_SHAPES = [
    ("elementwise", lambda: typed(3, 4) * 2 + typed(4), (3, 4)),
    ("elementwise partial", lambda: typed(3, 1) + typed(None, 4), (3, 4)),
    ("sum axis", lambda: typed(3, 4).sum(axis=0), (4,)),
    ("mean keepdims", lambda: typed(3, 4).mean(axis=1, keepdims=True), (3, 1)),
    ("argmax", lambda: typed(3, 4).argmax(axis=-1), (3,)),
    ("argmax all keepdims", lambda: typed(3, 4).argmax(keepdims=True), (1, 1)),
    ("dot", lambda: T.dot(typed(3, 4), typed(4, 5)), (3, 5)),
    ("dot vector", lambda: T.dot(typed(3, 4), typed(4)), (3,)),
    ("tensordot", lambda: T.tensordot(typed(2, 3, 4), typed(3, 4, 5)), (2, 5)),
    ("batched_dot", lambda: T.batched_dot(typed(2, 3, 4), typed(2, 4, 5)), (2, 3, 5)),
    ("outer", lambda: T.outer(typed(2), typed(3)), (2, 3)),
    ("dimshuffle", lambda: typed(3, 4).dimshuffle(1, "x", 0), (4, 1, 3)),
    ("transpose", lambda: typed(2, 3, 4).T, (4, 3, 2)),
    ("flatten", lambda: typed(2, 3, 4).flatten(2), (2, 12)),
    ("reshape", lambda: typed(3, 4).reshape((2, 2, -1)), (2, 2, 3)),
    ("shape", lambda: typed(3, 4).shape, (2,)),
    ("arange of shape", lambda: T.arange(typed(3, 4).shape[1]), (4,)),
    ("zeros of shape", lambda: T.zeros(typed(3, 4).shape), (3, 4)),
    ("alloc of unpacked shape", lambda: T.alloc(0.0, *typed(3, 4).shape), (3, 4)),
    ("concatenate", lambda: T.concatenate([typed(3, 4), typed(2, 4)]), (5, 4)),
    ("stack", lambda: T.stack([typed(3, 4)] * 2, axis=1), (3, 2, 4)),
    ("tile", lambda: T.tile(typed(2, 3), (2, 2)), (4, 6)),
    ("repeat", lambda: T.repeat(typed(2, 3), 2, axis=1), (2, 6)),
    ("squeeze", lambda: T.squeeze(typed(3, 1, 4)), (3, 4)),
    ("sort", lambda: T.sort(typed(2, 3)), (2, 3)),
    ("cumsum", lambda: T.cumsum(typed(2, 3)), (6,)),
    ("eye", lambda: T.eye(3), (3, 3)),
    ("switch", lambda: T.switch(typed(2, 1) > 0, typed(3), 0), (2, 3)),
    ("cast", lambda: T.cast(typed(2, 3), "int32"), (2, 3)),
    ("constant", lambda: T.constant(np.ones((2, 5))) + 1, (2, 5)),
]


@pytest.mark.parametrize("build, shape", [c[1:] for c in STATIC_SHAPES], ids=[c[0] for c in STATIC_SHAPES])
def test_static_shapes(build, shape):
    assert build().type.shape == shape


def test_shape_mismatches_raise_while_building_at_the_user_line():
    a34, a56 = T.constant(np.ones((3, 4))), T.constant(np.ones((5, 6)))
    raises_at_this_line(GraphBuildError, lambda: T.dot(a34, a56))
    raises_at_this_line(GraphBuildError, lambda: typed(3) + typed(4))
    raises_at_this_line(GraphBuildError, lambda: T.constant(np.ones(3)) * T.constant(np.ones(4)))
    raises_at_this_line(GraphBuildError, lambda: T.concatenate([typed(2, 3), typed(2, 4)]))
    raises_at_this_line(GraphBuildError, lambda: T.batched_dot(typed(2, 3, 4), typed(2, 5, 5)))
    raises_at_this_line(GraphBuildError, lambda: T.switch(typed(2) > 0, typed(3), 0))
    raises_at_this_line(GraphBuildError, lambda: -T.vector(dtype="bool"))


# ----------------------------------------------------------- gradients

def _uniform(low, high, *shape, seed=0):
    return np.random.RandomState(seed).uniform(low, high, shape)


GRAD_DOMAINS = {"arcsin": (-0.8, 0.8), "arccos": (-0.8, 0.8), "arctanh": (-0.8, 0.8), "erfinv": (-0.8, 0.8),
                "arccosh": (1.5, 3), "log": (0.5, 2), "log2": (0.5, 2), "log10": (0.5, 2), "log1p": (0.5, 2),
                "sqrt": (0.5, 2), "gammaln": (0.5, 3), "psi": (0.5, 3), "reciprocal": (0.5, 2), "inv": (-2, -0.5),
                "tan": (-1, 1), "abs_": (0.3, 1), "abs": (-1, -0.3)}
NOT_DIFFERENTIABLE = {"floor", "ceil", "trunc", "round", "round_half_away", "sgn", "isnan", "isinf"}


def test_grad_unary():
    check_grads([(name, op, [_uniform(*GRAD_DOMAINS.get(name, (-1.5, 1.5)), 2, 3)])
                 for name, op, _, _ in UNARY if name not in NOT_DIFFERENTIABLE])


def test_grad_binary_with_broadcasting():
    a, b = _uniform(0.5, 2, 2, 3, seed=1), _uniform(0.5, 2, 3, seed=2)
    differentiable = [(name, op) for name, op, _ in BINARY if name not in ("int_div", "mod", "eq", "neq", "lt", "gt",
                                                                          "le", "ge")]
    check_grads([(name, op, [a, b]) for name, op in differentiable] +
                [(name + " reversed", op, [b, a]) for name, op in differentiable])


GRADIENTS = {
    "reductions": [
        ("sum", lambda x: x.sum(axis=0), [(2, 3, 4)]),
        ("sum all", lambda x: x.sum(), [(2, 3)]),
        ("sum keepdims", lambda x: x.sum(axis=(0, 2), keepdims=True), [(2, 3, 4)]),
        ("mean", lambda x: x.mean(axis=-1), [(2, 3, 4)]),
        ("mean all", lambda x: T.mean(x), [(2, 3)]),
        ("max", lambda x: x.max(axis=1), [(2, 3, 4)]),
        ("max all", lambda x: x.max(), [(3, 4)]),
        ("min", lambda x: T.min(x, axis=0), [(3, 4)]),
        ("prod", lambda x: x.prod(axis=1), [(3, 4)]),
        ("prod all", lambda x: T.prod(x), [(2, 3)]),
        ("var", lambda x: x.var(axis=0), [(3, 4)]),
        ("var corrected", lambda x: x.var(corrected=True), [(3, 4)]),
        ("std", lambda x: x.std(axis=1), [(3, 4)]),
        ("std all", lambda x: x.std(), [(3, 4)]),
        ("norm", lambda x: x.norm(2, axis=1), [(3, 4)]),
        ("cumsum", lambda x: T.cumsum(x, axis=0), [(3, 4)]),
        ("cumprod", lambda x: T.cumprod(x), [(2, 3)]),
        ("sort", lambda x: T.sort(x, axis=0), [(3, 4)]),
        ("softmax", lambda x: T.nnet.softmax(x), [(3, 4)]),
    ],
    "products": [
        ("dot mm", T.dot, [(3, 4), (4, 2)]),
        ("dot mv", T.dot, [(3, 4), (4,)]),
        ("dot vv", T.dot, [(4,), (4,)]),
        ("tensordot", lambda a, b: T.tensordot(a, b, [[1, 2], [0, 1]]), [(2, 3, 4), (3, 4, 2)]),
        ("batched_dot", T.batched_dot, [(2, 3, 4), (2, 4, 2)]),
        ("outer", T.outer, [(3,), (2,)]),
    ],
    "shapes": [
        ("reshape", lambda x: x.reshape((4, 3)), [(2, 6)]),
        ("flatten", lambda x: x.flatten(2), [(2, 3, 2)]),
        ("dimshuffle", lambda x: x.dimshuffle(1, "x", 0), [(2, 3)]),
        ("transpose", lambda x: x.T, [(2, 3, 4)]),
        ("transpose axes", lambda x: T.transpose(x, (1, 2, 0)), [(2, 3, 4)]),
        ("shape padding", lambda x: T.shape_padleft(x) + T.shape_padright(x).sum(), [(3,)]),
        ("squeeze", lambda x: T.squeeze(x.dimshuffle(0, "x", 1)), [(2, 3)]),
        ("diag", T.diag, [(3, 3)]),
        ("copy", T.tensor_copy, [(2, 3)]),
    ],
    "joins and selections": [
        ("concatenate", lambda a, b: T.concatenate([a, b, a], axis=1), [(2, 3), (2, 1)]),
        ("stack", lambda a, b: T.stack([a, b], axis=1), [(2, 3), (2, 3)]),
        ("switch", lambda a, b: T.switch(a > 0, a * b, b ** 2), [(3, 4), (3, 4)]),
        ("clip", lambda x: T.clip(x, -0.5, 0.7), [(3, 4)]),
        ("alloc", lambda v: T.alloc(v, 3, 4), [(4,)]),
        ("fill", lambda x: T.fill(x, 2.0) * x, [(2, 3)]),
        ("tile", lambda x: T.tile(x, (2, 2)), [(2, 3)]),
        ("repeat", lambda x: T.repeat(x, 2, axis=1), [(2, 3)]),
    ],
}


@pytest.mark.parametrize("group", sorted(GRADIENTS))
def test_gradients(group):
    rng = np.random.RandomState(0)
    check_grads([(name, fun, [rng.uniform(-1.5, 1.5, shape) + 0.1 for shape in shapes])
                 for name, fun, shapes in GRADIENTS[group]])


def test_gradient_through_a_reshape_to_a_symbolic_shape():
    check_grad(lambda x: x.reshape((x.shape[0], -1)), np.random.RandomState(0).randn(2, 3, 2))


def test_float_valued_ops_keep_complex_dtypes():
    """Theano's upgrade_to_float leaves complex dtypes as they are: exp of a complex vector is complex."""
    z = T.zvector("z")
    assert T.exp(z).dtype == "complex128" and T.exp(T.cvector()).dtype == "complex64"
    np.testing.assert_allclose(symconv.function([z], T.exp(z))(np.array([1j * np.pi])), [-1 + 0j], atol=1e-12)
