"""Theano 1.0.5's documented tensor API: plural constructors, dtype-prefixed TensorTypes, theano.dot,
T.xlogx, T.stacklists, T.mgrid / T.ogrid and theano.scalar.

Expected values, dtypes, broadcastable patterns and printed forms are Theano 1.0.5's
answers (run with floatX=float64 unless a test says otherwise).
"""
import warnings

import numpy as np
import pytest

import symconv as theano
import symconv.scalar as S
import symconv.tensor as T
from symconv.gradient import verify_grad
from symconv.tensor.xlogx import xlogx, xlogy0


@pytest.fixture
def float64():
    with theano.change_flags(floatX="float64"):
        yield


def _names(variables):
    return [v.name for v in variables]


# 1. Plural constructors ---------------------------------------------------------------

PLURALS = {
    "scalars": ("float64", ()), "fscalars": ("float32", ()), "dscalars": ("float64", ()),
    "iscalars": ("int32", ()), "lscalars": ("int64", ()),
    "vectors": ("float64", (False,)), "fvectors": ("float32", (False,)), "ivectors": ("int32", (False,)),
    "matrices": ("float64", (False, False)), "fmatrices": ("float32", (False, False)),
    "dmatrices": ("float64", (False, False)), "imatrices": ("int32", (False, False)),
    "lmatrices": ("int64", (False, False)),
    "rows": ("float64", (True, False)), "frows": ("float32", (True, False)),
    "cols": ("float64", (False, True)), "dcols": ("float64", (False, True)), "lcols": ("int64", (False, True)),
    "tensor3s": ("float64", (False,) * 3), "ftensor4s": ("float32", (False,) * 4),
    "dtensor5s": ("float64", (False,) * 5), "tensor6s": ("float64", (False,) * 6),
    "tensor7s": ("float64", (False,) * 7), "itensor3s": ("int32", (False,) * 3), "ltensor4s": ("int64", (False,) * 4),
}


@pytest.mark.parametrize("name", sorted(PLURALS))
def test_plural_constructor_types(name, float64):
    dtype, broadcastable = PLURALS[name]
    (v,) = getattr(T, name)(1)
    assert (v.dtype, v.broadcastable) == (dtype, broadcastable)


@pytest.mark.parametrize("name", ["bscalars", "wvectors", "cmatrices", "zmatrices", "btensor3s"])
def test_plurals_theano_does_not_have(name):
    assert not hasattr(T, name)


def test_plural_names_as_theano_reads_them(float64):
    # Each character of one string names a variable; one one-character string gives the variable itself.
    assert _names(T.scalars("abc")) == ["a", "b", "c"]
    x = T.scalars("x")
    assert isinstance(x, T.TensorVariable) and x.name == "x"
    assert _names(T.scalars("xy", "z")) == ["xy", "z"]
    assert _names(T.scalars(["p", "q"])) == ["p", "q"]
    assert T.scalars() == []
    two = T.scalars(2)
    assert len(two) == 2 and all(v.name is None for v in two) and two[0] is not two[1]
    one = T.scalars(1)
    assert isinstance(one, list) and len(one) == 1
    a, b = T.fvectors("ab")
    assert str(a.type) == "TensorType(float32, vector)" and b.name == "b"
    assert str(T.imatrices(2)[0].type) == "TensorType(int32, matrix)"
    assert str(T.lmatrices("x").type) == "TensorType(int64, matrix)"


def test_plural_without_prefix_follows_floatx():
    with theano.change_flags(floatX="float32"):
        assert T.matrices(1)[0].dtype == "float32"
    with theano.change_flags(floatX="float64"):
        assert T.matrices(1)[0].dtype == "float64"


def test_scalars_docstring_example(float64):
    a, b, c, d = T.scalars("abcd")
    X = T.stacklists([[a, b], [c, d]])
    np.testing.assert_array_equal(theano.function([a, b, c, d], X)(1, 2, 3, 4), [[1.0, 2.0], [3.0, 4.0]])


# 2. Dtype-prefixed constructors are TensorType instances ------------------------------

def test_prefixed_constructors_are_tensor_types():
    assert isinstance(T.dmatrix, T.TensorType) and type(T.dmatrix) is T.TensorType
    assert T.dmatrix.dtype == "float64" and T.dmatrix.broadcastable == (False, False) and T.dmatrix.ndim == 2
    assert (T.fvector.dtype, T.fvector.broadcastable) == ("float32", (False,))
    assert (T.iscalar.dtype, T.iscalar.broadcastable) == ("int32", ())
    assert (T.lrow.dtype, T.lrow.broadcastable) == ("int64", (True, False))
    assert (T.bcol.dtype, T.bcol.broadcastable) == ("int8", (False, True))
    assert (T.wtensor3.dtype, T.ztensor4.dtype, T.ctensor5.dtype) == ("int16", "complex128", "complex64")
    assert T.dtensor7.ndim == 7
    assert T.dvector == T.TensorType("float64", (False,))
    assert hash(T.dvector) == hash(T.TensorType("float64", (False,)))


def test_prefixed_constructors_make_variables():
    x = T.dmatrix("x")
    assert x.name == "x" and x.type == T.dmatrix and str(x) == "x"
    assert T.dmatrix(name="q").name == "q"
    assert repr(T.dmatrix()) == "<TensorType(float64, matrix)>"


@pytest.mark.parametrize("name", ["scalar", "vector", "matrix", "row", "col", "tensor3", "tensor4", "tensor5",
                                  "tensor6", "tensor7"])
def test_unprefixed_constructors_are_functions_honouring_floatx(name):
    make = getattr(T, name)
    assert callable(make) and not isinstance(make, T.TensorType)
    with theano.change_flags(floatX="float32"):
        assert make().dtype == "float32"
    with theano.change_flags(floatX="float64"):
        assert make().dtype == "float64"
    assert make(dtype="int32").dtype == "int32"


def test_types_print_as_theano():
    assert str(T.dmatrix) == repr(T.dmatrix) == "TensorType(float64, matrix)"
    assert str(T.drow) == "TensorType(float64, row)"
    assert str(T.fcol) == "TensorType(float32, col)"
    assert str(T.zscalar) == "TensorType(complex128, scalar)"
    assert str(T.btensor3) == "TensorType(int8, 3D)"
    assert str(T.ltensor4) == "TensorType(int64, 4D)"
    assert str(T.TensorType("int64", (False, True, True))) == "TensorType(int64, (False, True, True))"
    assert str(T.TensorType("float64", (True,))) == "TensorType(float64, (True,))"
    named = T.TensorType("float64", (False,), name="pt")
    assert str(named) == "pt" and named == T.dvector and T.dmatrix.name is None


# 3a. theano.dot ---------------------------------------------------------------------

def test_root_dot_types(float64):
    A, v, s, t3 = T.dmatrix("A"), T.dvector("v"), T.dscalar("s"), T.dtensor3("t3")
    cases = [((A, v), "vector"), ((v, A), "vector"), ((A, A), "matrix"), ((v, v), "scalar"), ((s, A), "matrix"),
             ((A, s), "matrix"), ((t3, A), "3D"), ((A, t3), "3D"), ((np.ones((2, 2)), A), "matrix"),
             ((A, np.ones((2, 2))), "matrix"), ((t3, v), "matrix")]
    for (a, b), kind in cases:
        out = theano.dot(a, b).type
        # Compared as Theano's type (dtype and broadcastable): symconv's also knows the numpy operand's sizes.
        assert str(T.TensorType(out.dtype, out.broadcastable)) == f"TensorType(float64, {kind})"
    assert str(theano.dot(T.fmatrix(), T.imatrix()).type) == "TensorType(float64, matrix)"
    assert str(theano.dot(T.bmatrix(), T.bmatrix()).type) == "TensorType(int8, matrix)"


def test_dot_keeps_broadcastable_dims(float64):
    assert str(theano.dot([[1.0, 2.0]], T.dmatrix()).type) == "TensorType(float64, row)"
    assert str(T.dot(T.drow(), T.dmatrix()).type) == "TensorType(float64, row)"
    assert str(T.dot(T.dmatrix(), T.dcol()).type) == "TensorType(float64, col)"
    assert str(T.dot(T.dvector(), T.dcol()).type) == "TensorType(float64, (True,))"
    assert str(T.dot(T.drow(), T.dvector()).type) == "TensorType(float64, (True,))"
    assert str(T.dot(T.dtensor3(), T.dvector()).type) == "TensorType(float64, matrix)"
    assert str(T.dot(T.TensorType("float64", (True, False, False))(), T.dcol()).type) == \
        "TensorType(float64, (True, False, True))"
    # The row result stretches over a matrix's rows, as Theano's broadcastable row does.
    r, m, n = T.drow("r"), T.dmatrix("m"), T.dmatrix("n")
    out = theano.function([r, m, n], T.dot(r, m) + n)(np.ones((1, 2)), np.ones((2, 3)), np.zeros((4, 3)))
    np.testing.assert_allclose(out, np.full((4, 3), 2.0))


def test_root_dot_values(float64):
    A, v = T.dmatrix("A"), T.dvector("v")
    out = theano.dot(A, v).eval({A: np.arange(6.0).reshape(2, 3), v: np.array([1.0, 2.0, 3.0])})
    np.testing.assert_allclose(out, [8.0, 26.0])
    t3, B = T.dtensor3("t3"), T.dmatrix("B")
    a, b = np.arange(24.0).reshape(2, 3, 4), np.arange(20.0).reshape(4, 5)
    np.testing.assert_allclose(theano.function([t3, B], theano.dot(t3, B))(a, b), np.dot(a, b))
    c = np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(theano.function([B], theano.dot(c, B))(np.ones((2, 4))), np.dot(c, np.ones((2, 4))))


def test_root_dot_needs_a_symbolic_operand():
    with pytest.raises(NotImplementedError, match="Dot failed"):
        theano.dot(np.ones((2, 2)), np.ones((2, 2)))


def test_root_dot_grad():
    rng = np.random.RandomState(0)
    verify_grad(theano.dot, [rng.randn(3, 4), rng.randn(4, 2)], rng=rng)
    verify_grad(theano.dot, [rng.randn(2, 3, 4), rng.randn(4)], rng=rng)


# 3b. T.xlogx ------------------------------------------------------------------------

def test_xlogx_is_a_module():
    import types

    assert isinstance(T.xlogx, types.ModuleType)
    assert T.xlogx.xlogx is xlogx and T.xlogx.xlogy0 is xlogy0


def test_xlogx_values_and_theano_gradients(float64):
    x, y = T.dvector("x"), T.dvector("y")
    f = theano.function([x, y], [xlogx(x), xlogy0(x, y), T.grad(xlogx(x).sum(), x),
                                 T.grad(xlogy0(x, y).sum(), x), T.grad(xlogy0(x, y).sum(), y)])
    out = f([0.0, 0.5, 1.0, 2.0, -1.0], [0.0, 0.25, 3.0, 0.5, 2.0])
    expected = [
        [0.0, -0.34657359, 0.0, 1.38629436, np.nan],
        [0.0, -0.69314718, 1.09861229, -1.38629436, -0.69314718],
        [-np.inf, 0.30685282, 1.0, 1.69314718, np.nan],
        [-np.inf, -1.38629436, 1.09861229, -0.69314718, 0.69314718],
        [np.nan, 2.0, 0.33333333, 4.0, -0.5],
    ]
    for got, want in zip(out, expected):
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("dtype, out", [("int8", "float32"), ("int32", "float64"), ("float32", "float32"),
                                        ("int64", "float64"), ("uint8", "float32"), ("bool", "float32")])
def test_xlogx_dtypes(dtype, out):
    v = T.vector(dtype=dtype)
    assert xlogx(v).dtype == out and xlogy0(v, v).dtype == out
    assert xlogy0(v, T.fvector()).dtype == out


def test_xlogx_types_and_literals(float64):
    assert str(xlogx(T.fmatrix()).type) == "TensorType(float32, matrix)"
    assert str(xlogy0(T.fmatrix(), T.drow()).type) == "TensorType(float64, matrix)"
    assert str(xlogy0(T.frow(), T.fcol()).type) == "TensorType(float32, matrix)"
    two = xlogx(2.0).eval()
    assert two.dtype == np.float32 and np.isclose(two, 1.3862944)
    np.testing.assert_allclose(xlogx(np.arange(3)).eval(), [0.0, 0.0, 1.38629436])
    assert theano.pp(xlogx(T.dvector("x"))) == "xlogx(x)"


def test_xlogx_grad():
    rng = np.random.RandomState(1)
    verify_grad(xlogx, [rng.rand(3, 4) + 0.1], rng=rng)
    verify_grad(xlogy0, [rng.rand(3, 4) + 0.1, rng.rand(3, 4) + 0.5], rng=rng)


# 3c. T.stacklists -------------------------------------------------------------------

def test_stacklists(float64):
    a, b, c, d = T.scalars("abcd")
    X = T.stacklists([[a, b], [c, d]])
    assert X.dtype == "float64" and X.broadcastable == (False, False)
    m, n = T.matrices("mn")
    assert str(T.stacklists([m, n]).type) == "TensorType(float64, 3D)"
    assert T.stacklists(a) is a
    assert T.stacklists((a, b)).broadcastable == (False,)
    assert T.stacklists([T.fscalar(), T.iscalar()]).dtype == "float64"
    ints = T.stacklists([[1, 2], [3, 4]])
    assert ints.dtype == "int8"
    np.testing.assert_array_equal(ints.eval(), [[1, 2], [3, 4]])
    assert T.stacklists([1.5, a]).dtype == "float64"
    grads = T.grad((X * np.array([[1.0, 2.0], [3.0, 4.0]])).sum(), [a, b, c, d])
    assert [float(g.eval({a: 1.0, b: 1.0, c: 1.0, d: 1.0})) for g in grads] == [1.0, 2.0, 3.0, 4.0]
    x = np.ones((4, 4))
    four = T.matrices("abcd")
    assert theano.function(four, T.stacklists([four[:2], four[2:]]))(x, x, x, x).shape == (2, 2, 4, 4)


def test_stacklists_errors():
    with pytest.raises(ValueError, match="tensors is empty"):
        T.stacklists([])
    with pytest.raises((TypeError, ValueError)):
        T.stacklists([T.vector(), T.matrix()])


def test_stacklists_grad():
    rng = np.random.RandomState(2)
    verify_grad(lambda a, b, c, d: T.stacklists([[a, b], [c, d]]), [rng.randn(3) for _ in range(4)], rng=rng)


# 3d. T.mgrid / T.ogrid --------------------------------------------------------------

def test_mgrid():
    a, b = T.mgrid[0:5, 0:3]
    np.testing.assert_array_equal(a.eval(), np.mgrid[0:5, 0:3][0])
    np.testing.assert_array_equal(b.eval(), np.mgrid[0:5, 0:3][1])
    assert (a.dtype, a.broadcastable, b.dtype, b.broadcastable) == ("int64", (False, False), "int64", (False, False))
    grids = T.mgrid[0:4:2, 1:3, 0:2]
    assert [g.eval().shape for g in grids] == [(2, 2, 2)] * 3
    assert [g.broadcastable for g in grids] == [(False,) * 3] * 3
    with theano.change_flags(floatX="float64"):
        f, i = T.mgrid[0.0:1.0:0.25, 0:3]
    # Theano: a float32 range times int64 ones is float64.
    assert (f.dtype, i.dtype) == ("float64", "float64")
    np.testing.assert_allclose(f.eval(), np.mgrid[0:1:0.25, 0:3][0])
    np.testing.assert_allclose(i.eval(), np.mgrid[0:1:0.25, 0:3][1])
    assert [g.eval().shape for g in T.mgrid[:3, 1:300]] == [(3, 299), (3, 299)]
    (only,) = T.mgrid[0:3, ]
    np.testing.assert_array_equal(only.eval(), [0, 1, 2])
    down = T.mgrid[5:0:-2, 0:2]
    np.testing.assert_array_equal(down[0].eval(), [[5, 5], [3, 3], [1, 1]])
    np.testing.assert_array_equal(down[1].eval(), [[0, 1], [0, 1], [0, 1]])


def test_ogrid():
    a, b = T.ogrid[0:5, 0:3]
    np.testing.assert_array_equal(a.eval(), [[0], [1], [2], [3], [4]])
    np.testing.assert_array_equal(b.eval(), [[0, 1, 2]])
    assert (a.broadcastable, b.broadcastable) == ((False, True), (True, False))
    assert (a.dtype, b.dtype) == ("int64", "int64")
    grids = T.ogrid[0:4:2, 1:3, 0:2]
    assert [g.broadcastable for g in grids] == [(False, True, True), (True, False, True), (True, True, False)]
    assert [g.eval().shape for g in grids] == [(2, 1, 1), (1, 2, 1), (1, 1, 2)]
    with theano.change_flags(floatX="float64"):
        f, i = T.ogrid[0.0:1.0:0.25, 0:3]
    assert (f.dtype, i.dtype) == ("float32", "int64")
    np.testing.assert_allclose(f.eval(), [[0.0], [0.25], [0.5], [0.75]])


def test_grid_with_an_input_bound():
    n = T.lscalar("n")
    a, b = T.mgrid[0:n, 1:4]
    assert a.broadcastable == (False, False) and a.dtype == "int64"
    out = theano.function([n], [a, b])(3)
    np.testing.assert_array_equal(out[0], [[0, 0, 0], [1, 1, 1], [2, 2, 2]])
    np.testing.assert_array_equal(out[1], [[1, 2, 3]] * 3)


def test_grid_with_a_shape_bound():
    x = T.dmatrix("x")
    a, b = T.mgrid[0:x.shape[0], 1:4]
    out = theano.function([x], [a, b])(np.zeros((3, 7)))
    np.testing.assert_array_equal(out[0], [[0, 0, 0], [1, 1, 1], [2, 2, 2]])
    np.testing.assert_array_equal(out[1], [[1, 2, 3]] * 3)


@pytest.mark.parametrize("grid", ["mgrid", "ogrid"])
def test_grid_errors(grid):
    g = getattr(T, grid)
    assert type(g).__name__ == "_nd_grid" and g.sparse == (grid == "ogrid")
    with pytest.raises(TypeError):
        g[0:3]
    with pytest.raises(NotImplementedError, match="complex"):
        g[0:3:1j, 0:2]
    with pytest.raises(AttributeError):
        g[1, 0:2]


# 3e. theano.scalar ------------------------------------------------------------------

def test_scalar_upcast():
    assert S.upcast("int8", "float32") == "float32"
    assert S.upcast("int32", "float32") == "float64"
    assert S.upcast("float32") == "float32"
    assert S.upcast("int8", "uint8") == "int16"
    assert S.upcast("bool", "int8") == "int8"
    assert S.upcast("int64", "uint64") == "float64"
    assert S.upcast("float16", "int16") == "float32"
    assert S.upcast("int32", "float16") == "float64"
    assert S.upcast("complex64", "float64") == "complex128"
    with pytest.raises(TypeError):
        S.upcast()
    assert theano.scalar.upcast is S.upcast


def test_scalar_upcast_numpy_floatx_policy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with theano.change_flags(cast_policy="numpy+floatX", floatX="float32"):
            assert S.upcast("int32", "float32") == "float32"
            assert S.upcast("float64", "int8") == "float64"
            assert S.upcast("int64", "int8") == "int64"
            assert S.upcast("int32", "float16") == "float32"


def test_scalar_types():
    assert str(S.float64) == "float64" and repr(S.float64) == "Scalar(float64)"
    assert type(S.float64).__name__ == "Scalar" and S.float64.dtype == "float64"
    assert str(S.int32) == "int32" and str(S.bool) == "bool"
    assert S.Scalar("float32") == S.float32
    assert S.get_scalar_type("float32") is S.float32
    assert repr(S.float_types) == "(Scalar(float16), Scalar(float32), Scalar(float64))"
    assert [t.dtype for t in S.int_types] == ["int8", "int16", "int32", "int64"]
    assert [t.dtype for t in S.discrete_types] == ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
                                                   "uint32", "uint64"]
    assert [t.dtype for t in S.continuous_types] == ["float16", "float32", "float64", "complex64", "complex128"]
    assert len(S.all_types) == 14 and [t.dtype for t in S.complex_types] == ["complex64", "complex128"]
    assert S.upgrade_to_float(S.int8) == (S.float32,)
    assert S.upgrade_to_float(S.int32) == (S.float64,)
    assert S.upgrade_to_float(S.float32) == (S.float32,)


def test_scalar_variables():
    x, y = S.float64("x"), S.float64("y")
    assert x.name == "x" and str(x.type) == "float64" and x.dtype == "float64"
    z = x + y * 2
    assert z.dtype == "float64"
    assert float(theano.function([x, y], z)(1.0, 2.0)) == 5.0
