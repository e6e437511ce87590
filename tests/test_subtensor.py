"""Indexing (symconv.tensor.subtensor) against NumPy: basic and advanced indices, constant and
run-time positions, set/inc_subtensor, bounds errors, static shapes and gradients."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symconv
import symconv.tensor as T
from symconv.errors import GraphBuildError

from symbolic_checks import assert_same, check_grads, raises_at_this_line, run

FEW = settings(max_examples=25, deadline=None, derandomize=True)
SHAPE = (4, 5, 3)
DATA = np.arange(60.0).reshape(SHAPE)


def _bound(size):
    return st.one_of(st.none(), st.integers(-size - 2, size + 2))


@st.composite
def _axis_entry(draw, size):
    if draw(st.booleans()):
        return draw(st.integers(-size, size - 1))
    step = draw(st.one_of(st.none(), st.integers(-3, 3).filter(bool)))
    return slice(draw(_bound(size)), draw(_bound(size)), step)


@st.composite
def basic_index(draw, newaxes=True):
    """A NumPy basic index for SHAPE: in-range ints, any slices, maybe an ellipsis and new axes."""
    per_axis = [draw(_axis_entry(size)) for size in SHAPE]
    if draw(st.booleans()):
        start = draw(st.integers(0, len(SHAPE)))
        entries = per_axis[:start] + [Ellipsis] + per_axis[draw(st.integers(start, len(SHAPE))):]
    else:
        entries = per_axis[:draw(st.integers(0, len(SHAPE)))]
    for _ in range(draw(st.integers(0, 2 if newaxes else 0))):
        entries.insert(draw(st.integers(0, len(entries))), None)
    return tuple(entries)


@FEW
@given(index=basic_index())
def test_basic_indexing_matches_numpy(index):
    x = T.tensor("float64", SHAPE)
    out = x[index]
    want = DATA[index]
    assert out.type.shape == want.shape  # static shapes are exact when the input's is known
    assert_same(run([x], out, DATA), want)


def test_basic_indexing_of_unknown_shapes():
    x = T.dtensor3("x")
    cases = [(1,), (-1,), (slice(1, 3),), (slice(None, None, -2),), (slice(None), 1), (None,), (Ellipsis, 0),
             (0, Ellipsis, None), (None, 1, None), (slice(None), None, slice(None, 2)), (Ellipsis, None)]
    outs = [x[index] for index in cases]
    for index, out, got in zip(cases, outs, symconv.function([x], outs)(DATA)):
        assert out.ndim == DATA[index].ndim
        assert_same(got, DATA[index])


def test_index_errors_while_building():
    x, known = T.dmatrix("x"), T.tensor("float64", (4, 5))
    with pytest.raises(IndexError, match="too many"):
        x[1, 2, 3]
    with pytest.raises(IndexError, match="ellipsis"):
        x[..., 1, ...]
    with pytest.raises(TypeError):
        x[1.5]
    with pytest.raises(TypeError):
        x[T.dscalar():]
    with pytest.raises(IndexError, match="boolean"):
        x[x > 0]
    with pytest.raises(IndexError, match="integers"):
        x[T.dvector()]
    raises_at_this_line(IndexError, lambda: known[4])
    raises_at_this_line(IndexError, lambda: known[:, -6])
    raises_at_this_line(IndexError, lambda: known[[0, 4]])
    raises_at_this_line(IndexError, lambda: T.constant(DATA)[1, T.constant([0, 2, 5])])


# ------------------------------------------------------ run-time positions

def test_symbolic_int_index_compiles_once():
    x, i = T.dmatrix("x"), T.iscalar("i")
    xv = np.arange(20.0).reshape(4, 5)
    f = symconv.function([x, i], [x[i], x[:, i], x[i, 1:4], x[i][i]])
    for k in range(-4, 4):
        for got, want in zip(f(xv, k), [xv[k], xv[:, k], xv[k, 1:4], xv[k][k]]):
            assert_same(got, want)
    assert f.compiled_variants["call"] == 1
    for bad in (4, -5):
        with pytest.raises(IndexError, match="out of bounds"):
            f(xv, bad)


@pytest.mark.parametrize("index_type", [T.bscalar, T.iscalar, T.lscalar])
def test_symbolic_int_index_types(index_type):
    v, i = T.dvector("v"), index_type("i")
    f = symconv.function([v, i], v[i])
    assert [f(np.arange(5.0), k) for k in (0, 4, -5)] == [0.0, 4.0, 0.0]


def test_fixed_length_slice_at_a_run_time_position_compiles_once():
    x, i = T.dmatrix("x"), T.lscalar("i")
    n = 3
    xv = np.arange(40.0).reshape(10, 4)
    outs = [x[i * n:(i + 1) * n], x[n * i:n * (i + 1)], x[i * n + 1:i * n + 1 + n], x[(i - 1) * n:i * n],
            x[:, i:i + 2], x[i:i + 2, 1]]
    assert [o.type.shape for o in outs] == [(3, None), (3, None), (3, None), (3, None), (None, 2), (2,)]
    f = symconv.function([x, i], outs)
    for k in (1, 2):
        want = [xv[k * n:(k + 1) * n], xv[n * k:n * (k + 1)], xv[k * n + 1:k * n + 1 + n], xv[(k - 1) * n:k * n],
                xv[:, k:k + 2], xv[k:k + 2, 1]]
        for got, expected in zip(f(xv, k), want):
            assert_same(got, expected)
    assert f.compiled_variants["call"] == 1


def test_run_time_slice_bounds_are_checked():
    v, i = T.dvector("v"), T.iscalar("i")
    vv = np.arange(10.0)
    f = symconv.function([v, i], v[i * 3:(i + 1) * 3])
    with pytest.raises(IndexError, match=r"slice \[9:12\] is out of bounds"):
        f(vv, 3)
    with pytest.raises(IndexError, match="out of bounds"):
        f(vv, -1)  # v[-3:0] is shorter than 3 elements
    g = symconv.function([v, i], v[i:i + 2])
    assert_same(g(vv, -3), vv[-3:-1])  # both bounds negative: counted from the end, as NumPy
    assert_same(g(vv, 8), vv[8:10])
    with pytest.raises(IndexError):
        g(vv, 9)


def test_failed_bounds_check_leaves_shared_variables_unchanged():
    data = symconv.shared(np.arange(12.0).reshape(6, 2), name="data")
    total = symconv.shared(np.zeros(2), name="total")
    i = T.lscalar("i")
    batch = data[i * 2:(i + 1) * 2]
    f = symconv.function([i], batch.sum(), updates=[(total, total + batch.sum(axis=0))])
    assert f(1) == 4 + 5 + 6 + 7
    with pytest.raises(IndexError, match="no shared variable was updated"):
        f(3)
    assert_same(total.get_value(), [10.0, 12.0])


def test_run_time_slice_of_run_time_length():
    v, i = T.dvector("v"), T.iscalar("i")
    f = symconv.function([v, i], [v[i:], v[:i], v[i::2]])
    vv = np.arange(7.0)
    for k in (0, 3, -2):
        for got, want in zip(f(vv, k), [vv[k:], vv[:k], vv[k::2]]):
            assert_same(got, want)


# ------------------------------------------------------ advanced indexing

def test_advanced_indexing():
    m, y, iv, i = T.dmatrix("m"), T.ivector("y"), T.lvector("iv"), T.iscalar("i")
    t = T.dtensor3("t")
    mv, yv, ivv = DATA[:, :, 0], np.array([0, 4, 2, -1], "int32"), np.array([1, -1, 0, 1])
    outs = [m[T.arange(m.shape[0]), y], m[iv], m[iv, 1:3], m[1:3, iv], m[i, iv], m[[0, 2]], m[:, [4, 0]],
            t[iv, :, iv % 3], t[:, iv, 0], m[iv, None], m[T.stack([iv, iv])], m[None, iv], t[:, iv, None],
            t[None, iv, :, iv % 3], t[1, None, T.stack([iv, iv])]]
    want = [mv[np.arange(4), yv], mv[ivv], mv[ivv, 1:3], mv[1:3, ivv], mv[2, ivv], mv[[0, 2]], mv[:, [4, 0]],
            DATA[ivv, :, ivv % 3], DATA[:, ivv, 0], mv[ivv, None], mv[np.stack([ivv, ivv])], mv[None, ivv],
            DATA[:, ivv, None], DATA[None, ivv, :, ivv % 3], DATA[1, None, np.stack([ivv, ivv])]]
    for out, got, expected in zip(outs, symconv.function([m, y, iv, i, t], outs)(mv, yv, ivv, 2, DATA), want):
        assert out.ndim == expected.ndim
        assert_same(got, expected)


def test_advanced_static_shapes():
    x = T.tensor("float64", (4, 5))
    assert x[[0, 1, 1]].type.shape == (3, 5)
    assert x[:, [0, 1, 1]].type.shape == (4, 3)
    assert x[T.arange(4), T.tensor("int64", (4,))].type.shape == (4,)
    assert x[T.lvector()].type.shape == (None, 5)


def test_advanced_indices_out_of_bounds_raise():
    v, iv = T.dvector("v"), T.ivector("iv")
    m, y = T.dmatrix("m"), T.ivector("y")
    f = symconv.function([v, iv], v[iv])
    g = symconv.function([m, y], m[T.arange(m.shape[0]), y])
    assert_same(f(np.arange(5.0), np.array([4, -5], "int32")), [4.0, 0.0])
    for bad in ([1, 5], [-6, 0]):
        with pytest.raises(IndexError, match="out of bounds"):
            f(np.arange(5.0), np.array(bad, "int32"))
    with pytest.raises(IndexError, match="index 3 is out of bounds for axis 1 with size 3"):
        g(np.zeros((2, 3)), np.array([0, 3], "int32"))
    for constant_index in ([1, 5], 5):  # constant indices into a tensor whose length is known only at run time
        with pytest.raises((IndexError, symconv.NodeError), match="index 5 is out of bounds"):
            run([v], v[constant_index], np.arange(5.0))


# ------------------------------------------------------ set/inc_subtensor

def _np_update(array, index, value, mode):
    out = array.copy()
    if mode == "set":
        out[index] = value
    else:
        np.add.at(out, index, value)
    return out


@FEW
@given(index=basic_index(newaxes=False), mode=st.sampled_from(["set", "inc"]))
def test_static_updates_match_numpy(index, mode):
    x = T.tensor("float64", SHAPE)
    region = DATA[index]
    y = T.TensorType("float64", (None,) * region.ndim)("y")
    update = T.set_subtensor if mode == "set" else T.inc_subtensor
    out = update(x[index], y)
    assert out.type == x.type
    value = -np.arange(region.size, dtype="float64").reshape(region.shape)
    assert_same(run([x, y], out, DATA, value), _np_update(DATA, index, value, mode))


def test_updates_at_run_time_positions_compile_once():
    x, i, y, s = T.dmatrix("x"), T.iscalar("i"), T.dvector("y"), T.dscalar("s")
    xv, yv = np.arange(20.0).reshape(5, 4), np.array([1.0, 2.0, 3.0, 4.0])
    at_index = symconv.function([x, i, y, s], [T.set_subtensor(x[i], y), T.inc_subtensor(x[:, i], s),
                                               T.set_subtensor(x[i, 1:3], y[:2])])
    in_slice = symconv.function([x, i, y, s], [T.inc_subtensor(x[i:i + 2], y),
                                               T.set_subtensor(x[i * 2:(i + 1) * 2, 1], s)])
    for k in (0, 1, -3):
        want = [_np_update(xv, k, yv, "set"), _np_update(xv, (slice(None), k), 5.0, "inc"),
                _np_update(xv, (k, slice(1, 3)), yv[:2], "set")]
        for got, expected in zip(at_index(xv, k, yv, 5.0), want):
            assert_same(got, expected)
    for k in (0, 1):
        want = [_np_update(xv, slice(k, k + 2), yv, "inc"), _np_update(xv, (slice(2 * k, 2 * k + 2), 1), 5.0, "set")]
        for got, expected in zip(in_slice(xv, k, yv, 5.0), want):
            assert_same(got, expected)
    assert at_index.compiled_variants["call"] == in_slice.compiled_variants["call"] == 1
    with pytest.raises(IndexError, match="out of bounds"):
        at_index(xv, 5, yv, 0.0)
    with pytest.raises(IndexError, match="out of bounds"):
        in_slice(xv, 2, yv, 0.0)  # x[4:6] runs past the end


def test_advanced_updates():
    v, iv, y, s = T.dvector("v"), T.lvector("iv"), T.dvector("y"), T.dscalar("s")
    m, rows = T.dmatrix("m"), T.lvector("rows")
    vv, ivv, yv = np.arange(6.0), np.array([1, 1, -1, 3]), np.array([10.0, 20.0, 30.0, 40.0])
    mv, rowsv = np.arange(12.0).reshape(3, 4), np.array([2, 0, 2])
    outs = [T.inc_subtensor(v[iv], y), T.inc_subtensor(v[iv], s), T.set_subtensor(v[iv[2:]], y[:2]),
            T.inc_subtensor(m[rows], y), T.set_subtensor(m[T.arange(3), rows], s),
            T.inc_subtensor(m[1:, rows[:2]], s)]
    want = [_np_update(vv, ivv, yv, "inc"), _np_update(vv, ivv, 2.5, "inc"), _np_update(vv, ivv[2:], yv[:2], "set"),
            _np_update(mv, rowsv, yv, "inc"), _np_update(mv, (np.arange(3), rowsv), 2.5, "set"),
            _np_update(mv, (slice(1, None), rowsv[:2]), 2.5, "inc")]
    f = symconv.function([v, iv, y, s, m, rows], outs)
    for got, expected in zip(f(vv, ivv, yv, 2.5, mv, rowsv), want):
        assert_same(got, expected)
    with pytest.raises(IndexError, match="out of bounds"):
        f(vv, np.array([0, 6, 1, 1]), yv, 2.5, mv, rowsv)


def test_update_dtypes_and_errors():
    q, y, x = T.ivector("q"), T.dvector("y"), T.dmatrix("x")
    out = T.set_subtensor(q[1:3], y)
    assert out.dtype == "int32"
    assert_same(run([q, y], out, np.arange(4, dtype="int32"), np.array([1.7, -2.7])), [0, 1, -2, 3], dtype="int32")
    with pytest.raises(TypeError, match="indexed tensor"):
        T.set_subtensor(x, y)
    with pytest.raises(TypeError):
        T.inc_subtensor(x[1, 2], y)
    known = T.tensor("float64", (4, 5))
    raises_at_this_line(GraphBuildError, lambda: T.set_subtensor(known[1:3], T.tensor("float64", (3, 5))))
    raises_at_this_line(GraphBuildError, lambda: T.inc_subtensor(known[:, 1], T.constant(np.ones(5))))
    assert T.inc_subtensor(known[:, 1], T.constant(np.ones(1))).type == known.type


# ------------------------------------------------------------- gradients

def test_gradients_of_indexing():
    rng = np.random.RandomState(0)
    m34, v6 = rng.randn(3, 4), rng.randn(6)
    check_grads([
        ("slice", lambda x: x[1:, ::2], [m34]),
        ("negative step", lambda x: x[::-1, 1], [m34]),
        ("int index", lambda x: x[-1], [m34]),
        ("newaxis", lambda x: x[None, :, 2], [m34]),
        ("advanced repeated", lambda x: x[[0, 0, 2, -1]], [m34]),
        ("arange pairs", lambda x: x[T.arange(3), [0, 3, 3]], [m34]),
        ("advanced and slice", lambda x: x[1:, [2, 2, 0]], [m34]),
        ("set_subtensor", lambda x, y: T.set_subtensor(x[1:3], y), [m34, rng.randn(2, 4)]),
        ("set broadcast", lambda x, s: T.set_subtensor(x[:, 1], s.sum()), [m34, rng.randn(2)]),
        ("inc_subtensor", lambda x, y: T.inc_subtensor(x[:, 1:3], y), [m34, rng.randn(3, 2)]),
        ("inc advanced", lambda x, y: T.inc_subtensor(x[[1, 1, 0]], y), [v6, rng.randn(3)]),
        ("set advanced", lambda x, y: T.set_subtensor(x[[4, 0]], y), [v6, rng.randn(2)]),
    ])


def test_gradients_at_run_time_positions():
    x, y, i, iv = T.dvector("x"), T.dvector("y"), T.lscalar("i"), T.lvector("iv")
    p = np.arange(1.0, 7.0)
    cost = ((x[i * 2:(i + 1) * 2] * p[:2]).sum() + x[i] * 10 + (T.set_subtensor(x[i:i + 2], y) * p).sum()
            + (T.inc_subtensor(x[iv], y[0]) ** 2).sum())
    f = symconv.function([x, y, i, iv], symconv.grad(cost, [x, y]))
    xv, yv, ivv = np.arange(6.0), np.array([0.5, -1.5]), np.array([4, 4, 0])
    gx, gy = f(xv, yv, 1, ivv)
    inc = _np_update(xv, ivv, yv[0], "inc")
    want_x = np.zeros(6)
    want_x[2:4] += p[:2]
    want_x[1] += 10
    want_x += p * (np.arange(6) < 1) + p * (np.arange(6) > 2)
    want_x += 2 * inc
    assert_same(gx, want_x)
    assert_same(gy, p[1:3] + 2 * inc[ivv].sum() * np.array([1.0, 0.0]))
