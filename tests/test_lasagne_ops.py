"""The Theano API Lasagne needs: abstract_conv (2-D/3-D, transposed, dilated), grad_clip, to_one_hot, gof.graph, clone.

Convolutions are checked against a direct NumPy loop; the gradient ops
(``AbstractConv*_gradInputs``/``_gradWeights``) against the transpose of the
NumPy convolution's matrix (built by applying it to unit tensors), and by
finite differences.
"""
import itertools

import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv.gradient import verify_grad
from symconv.tensor.nnet import abstract_conv as A


def _pads(border_mode, kernel, dilation):
    dilated = [(k - 1) * d + 1 for k, d in zip(kernel, dilation)]
    if border_mode == "valid":
        return [(0, 0)] * len(kernel)
    if border_mode == "full":
        return [(k - 1, k - 1) for k in dilated]
    if border_mode == "half":
        return [(k // 2, k // 2) for k in dilated]
    return [(p, p) if np.ndim(p) == 0 else tuple(p) for p in border_mode]


def reference_conv(x, w, border_mode="valid", subsample=None, filter_flip=True, dilation=None, groups=1):
    """Theano's convolution by its definition: loops over output positions, NumPy only."""
    n = x.ndim - 2
    subsample, dilation = subsample or (1,) * n, dilation or (1,) * n
    if filter_flip:
        w = w[(slice(None), slice(None)) + (slice(None, None, -1),) * n]
    x = np.pad(x, [(0, 0), (0, 0)] + _pads(border_mode, w.shape[2:], dilation))
    dilated = [(k - 1) * d + 1 for k, d in zip(w.shape[2:], dilation)]
    out_spatial = [(s - k) // st + 1 for s, k, st in zip(x.shape[2:], dilated, subsample)]
    out = np.zeros((x.shape[0], w.shape[0], *out_spatial))
    per_group_out, per_group_in = w.shape[0] // groups, w.shape[1]
    for pos in itertools.product(*map(range, out_spatial)):
        window = tuple(slice(p * st, p * st + k, d) for p, st, k, d in zip(pos, subsample, dilated, dilation))
        patch = x[(slice(None), slice(None)) + window]
        for g in range(groups):
            xs = patch[:, g * per_group_in:(g + 1) * per_group_in]
            ws = w[g * per_group_out:(g + 1) * per_group_out]
            out[(slice(None), slice(g * per_group_out, (g + 1) * per_group_out)) + pos] = \
                np.tensordot(xs, ws, axes=(list(range(1, n + 2)), list(range(1, n + 2))))
    return out


def _matrix(linear, shape):
    """The matrix of a linear NumPy function on arrays of `shape` (one column per unit array)."""
    columns = []
    for k in range(int(np.prod(shape))):
        unit = np.zeros(int(np.prod(shape)))
        unit[k] = 1
        columns.append(linear(unit.reshape(shape)).ravel())
    return np.stack(columns, axis=1)


CASES_2D = [  # (input shape, filter shape, border_mode, subsample, filter_flip, dilation, groups)
    ((2, 3, 7, 6), (4, 3, 3, 2), "valid", (1, 1), True, (1, 1), 1),
    ((2, 3, 7, 6), (4, 3, 3, 3), "full", (2, 1), False, (1, 1), 1),
    ((1, 2, 8, 7), (2, 2, 3, 3), "half", (1, 2), True, (2, 1), 1),
    ((2, 4, 6, 6), (4, 2, 2, 3), (1, 2), (2, 2), True, (1, 2), 2),
    ((1, 1, 5, 6), (2, 1, 2, 2), ((1, 0), (0, 2)), (1, 1), False, (1, 1), 1),
]


@pytest.mark.parametrize("xs, ws, border, sub, flip, dil, groups", CASES_2D)
def test_abstract_conv2d_matches_the_definition(xs, ws, border, sub, flip, dil, groups):
    rng = np.random.RandomState(0)
    x, w = rng.randn(*xs), rng.randn(*ws)
    xv, wv = T.dtensor4("x"), T.dtensor4("w")
    out = A.AbstractConv2d(xs, ws, border, sub, flip, dil, groups)(xv, wv)
    got = symconv.function([xv, wv], out)(x, w)
    np.testing.assert_allclose(got, reference_conv(x, w, border, sub, flip, dil, groups), rtol=1e-10, atol=1e-10)
    assert out.type.shape == got.shape  # shapes known from imshp/kshp


def test_conv3d_matches_the_definition():
    rng = np.random.RandomState(1)
    x, w = rng.randn(2, 2, 5, 4, 6), rng.randn(3, 2, 2, 3, 2)
    xv, wv = T.TensorType("float64", (None,) * 5)("x"), T.TensorType("float64", (None,) * 5)("w")
    for border, sub, flip, dil in [("valid", (1, 1, 1), True, (1, 1, 1)), ("half", (2, 1, 2), False, (1, 1, 2)),
                                   ("full", (1, 2, 1), True, (1, 1, 1)), ((1, 0, 2), (1, 1, 1), True, (1, 1, 1))]:
        got = symconv.function([xv, wv], T.nnet.conv3d(xv, wv, border_mode=border, subsample=sub,
                                                       filter_flip=flip, filter_dilation=dil))(x, w)
        np.testing.assert_allclose(got, reference_conv(x, w, border, sub, flip, dil), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("xs, ws, border, sub, flip, dil, groups", CASES_2D)
def test_grad_inputs_is_the_transpose_of_the_convolution(xs, ws, border, sub, flip, dil, groups):
    """A transposed convolution (Lasagne's TransposedConv2DLayer): the adjoint of the conv, for the given shape."""
    rng = np.random.RandomState(2)
    w = rng.randn(*ws)
    matrix = _matrix(lambda x: reference_conv(x, w, border, sub, flip, dil, groups), xs)
    top_shape = reference_conv(np.zeros(xs), w, border, sub, flip, dil, groups).shape
    top = rng.randn(*top_shape)
    wv, tv = T.dtensor4("w"), T.dtensor4("top")
    op = A.AbstractConv2d_gradInputs(xs, ws, border, sub, flip, dil, groups)
    out = op(wv, tv, xs[2:])
    got = symconv.function([wv, tv], out)(w, top)
    np.testing.assert_allclose(got.ravel(), matrix.T @ top.ravel(), rtol=1e-10, atol=1e-10)
    assert out.type.shape[1:] == xs[1:]
    via_function = A.conv2d_grad_wrt_inputs(tv, wv, xs, ws, border, sub, flip, dil, groups)
    np.testing.assert_allclose(symconv.function([wv, tv], via_function)(w, top), got)


@pytest.mark.parametrize("xs, ws, border, sub, flip, dil, groups", CASES_2D)
def test_grad_weights_is_the_transpose_of_the_convolution_in_its_filters(xs, ws, border, sub, flip, dil, groups):
    rng = np.random.RandomState(3)
    x = rng.randn(*xs)
    matrix = _matrix(lambda w: reference_conv(x, w, border, sub, flip, dil, groups), ws)
    top = rng.randn(*reference_conv(x, np.zeros(ws), border, sub, flip, dil, groups).shape)
    xv, tv = T.dtensor4("x"), T.dtensor4("top")
    out = A.AbstractConv2d_gradWeights(xs, ws, border, sub, flip, dil, groups)(xv, tv, ws[2:])
    got = symconv.function([xv, tv], out)(x, top)
    np.testing.assert_allclose(got.ravel(), matrix.T @ top.ravel(), rtol=1e-10, atol=1e-10)
    via_function = A.conv2d_grad_wrt_weights(xv, tv, ws, xs, border, sub, flip, dil, groups)
    np.testing.assert_allclose(symconv.function([xv, tv], via_function)(x, top), got)


def test_transposed_conv3d_is_the_transpose_of_conv3d():
    rng = np.random.RandomState(4)
    xs, ws = (1, 2, 4, 3, 5), (2, 2, 2, 2, 3)
    w = rng.randn(*ws)
    matrix = _matrix(lambda x: reference_conv(x, w, "half", (2, 1, 2)), xs)
    top = rng.randn(*reference_conv(np.zeros(xs), w, "half", (2, 1, 2)).shape)
    wv, tv = T.TensorType("float64", (None,) * 5)("w"), T.TensorType("float64", (None,) * 5)("top")
    out = A.AbstractConv3d_gradInputs(xs, ws, "half", (2, 1, 2))(wv, tv, xs[2:])
    np.testing.assert_allclose(symconv.function([wv, tv], out)(w, top).ravel(), matrix.T @ top.ravel(),
                               rtol=1e-10, atol=1e-10)


def test_a_symbolic_output_size_is_read_when_the_function_runs():
    """Lasagne passes ``output_size`` computed from the input's shape."""
    rng = np.random.RandomState(5)
    w, top = rng.randn(3, 2, 3, 3), rng.randn(2, 3, 4, 5)
    wv, tv = T.dtensor4("w"), T.dtensor4("top")
    size = [tv.shape[2] * 2 + 1, tv.shape[3] * 2 + 1]  # stride 2, 'valid': input 9 x 11 (or 10 x 12)
    out = A.AbstractConv2d_gradInputs(None, None, "valid", (2, 2))(wv, tv, size)
    got = symconv.function([wv, tv], out)(w, top)
    matrix = _matrix(lambda x: reference_conv(x, w, "valid", (2, 2)), (2, 2, 9, 11))
    np.testing.assert_allclose(got.ravel(), matrix.T @ top.ravel(), rtol=1e-10, atol=1e-10)


def test_gradients_of_the_conv_ops_match_finite_differences():
    rng = np.random.RandomState(6)
    x, w = rng.randn(1, 2, 5, 4), rng.randn(3, 2, 2, 3)
    verify_grad(lambda a, b: A.AbstractConv2d(None, None, "half", (2, 1), True, (2, 1))(a, b), [x, w], rng=rng)
    top = rng.randn(1, 3, 3, 4)
    verify_grad(lambda b, t: A.AbstractConv2d_gradInputs(None, None, "half", (2, 1), True, (2, 1))(b, t, (5, 4)),
                [w, top], rng=rng)
    verify_grad(lambda a, t: A.AbstractConv2d_gradWeights(None, None, "half", (2, 1), True, (2, 1))(a, t, (2, 3)),
                [x, top], rng=rng)
    x3, w3 = rng.randn(1, 1, 3, 4, 3), rng.randn(2, 1, 2, 2, 2)
    verify_grad(lambda a, b: T.nnet.conv3d(a, b, border_mode="full"), [x3, w3], rng=rng)


def test_conv_output_shape_helpers_and_bad_arguments():
    assert A.get_conv_output_shape((2, 3, 7, 6), (4, 3, 3, 2), "half", (2, 1), (2, 1)) == (2, 4, 4, 7)
    assert A.get_conv_output_shape((None, 3, 7, None), (4, 3, 3, 2), "full", (1, 1)) == (None, 4, 9, None)
    assert A.get_conv_shape_1axis(7, 3, (1, 2), 2) == 4
    with pytest.raises(ValueError, match="border_mode"):
        A.AbstractConv2d(border_mode="same")
    with pytest.raises(TypeError, match="4 dimensions"):
        A.AbstractConv2d()(T.dmatrix(), T.dtensor4())
    xv, wv = T.dtensor4("x"), T.dtensor4("w")
    f = symconv.function([xv, wv], A.AbstractConv2d((2, 3, 5, 5), None)(xv, wv))
    with pytest.raises(ValueError, match="imshp"):
        f(np.zeros((2, 3, 6, 5)), np.zeros((1, 3, 2, 2)))


def test_grad_clip_and_grad_scale():
    """Theano's docstring example: the gradient of grad_clip(x, -1, 1)**2 at 2 is 1, not 4."""
    x = T.dscalar("x")
    clipped = T.grad(symconv.gradient.grad_clip(x, -1, 1) ** 2, x)
    plain = T.grad(x ** 2, x)
    assert [float(v) for v in symconv.function([x], [clipped, plain, symconv.gradient.grad_clip(x, -1, 1)])(2.0)] \
        == [1.0, 4.0, 2.0]
    assert float(symconv.function([x], T.grad(symconv.gradient.grad_scale(x, 3) ** 2, x))(2.0)) == 12.0
    with pytest.raises(ValueError, match="upper_bound"):
        symconv.gradient.grad_clip(x, 1, -1)


def test_to_one_hot_matches_numpy():
    y = T.ivector("y")
    f = symconv.function([y], T.extra_ops.to_one_hot(y, 4))
    got = f(np.array([0, 3, 1, -1], "int32"))
    np.testing.assert_array_equal(got, np.eye(4)[[0, 3, 1, 3]])
    assert got.dtype == symconv.config.floatX
    assert symconv.function([y], T.extra_ops.to_one_hot(y, 3, dtype="int32"))(np.array([2], "int32")).dtype == "int32"


def test_graph_inputs_in_theanos_depth_first_order():
    """The order Lasagne's get_all_params relies on (Theano 1.0.5 gives [x, y, z] and [z, w, x])."""
    x, y, z, w = (T.dscalar(n) for n in "xyzw")
    assert symconv.gof.graph.inputs([x * y + z]) == [x, y, z]
    assert symconv.gof.graph.inputs([x + y, z * w]) == [z, w, x, y]
    assert symconv.gof.graph.inputs(reversed([x + y, z * w])) == [x, y, z, w]


def test_is_same_graph_and_equal_computations():
    x, w = T.dmatrix("x"), T.dmatrix("w")
    assert symconv.gof.graph.is_same_graph(x.mean(), x.mean())
    assert symconv.gof.graph.is_same_graph((x * w).sum() / w.sum(), (x * w).sum() / w.sum())
    assert not symconv.gof.graph.is_same_graph(x.mean(), x.sum())
    assert not symconv.gof.graph.is_same_graph(x.mean(), w.mean())
    assert symconv.gof.graph.is_same_graph(x.mean(), w.mean(), givens={x: w})
    assert not symconv.gof.graph.is_same_graph(x + 1, x + 2)
    eq = symconv.scan_module.scan_utils.equal_computations
    assert eq([x + w], [w + x], in_xs=[x, w], in_ys=[w, x])
    assert not eq([x + w], [w + x])


def test_clone_shares_a_shared_variables_value_as_theanos_does():
    """Lasagne's batch norm updates its running mean through ``theano.clone(mean, share_inputs=False)``."""
    mean = symconv.shared(np.zeros(3), name="mean")
    x = T.dvector("x")
    running = symconv.clone(mean, share_inputs=False)
    assert running is not mean and running.name == "mean"
    running.default_update = 0.5 * running + 0.5 * x
    f = symconv.function([x], mean + 0 * running)
    np.testing.assert_array_equal(f(np.ones(3)), 0)
    np.testing.assert_array_equal(mean.get_value(), 0.5)
    np.testing.assert_array_equal(f(np.ones(3)), 0.5)
    running.set_value(np.full(3, 7.0))
    np.testing.assert_array_equal(mean.get_value(), 7)
    counter = symconv.shared(np.zeros(2), name="counter")
    counter.default_update = counter + 1
    copy = counter.clone()  # Theano 1.0.5: the clone has no default update of its own
    assert copy.default_update is None and copy.name == "counter"
    symconv.function([], copy * 2)()
    np.testing.assert_array_equal(counter.get_value(), 0)
    symconv.function([], counter * 2)()
    np.testing.assert_array_equal(copy.get_value(), 1)
    y = T.dvector("y")
    replaced = symconv.clone(x * 2, replace={x: y})
    np.testing.assert_array_equal(symconv.function([y], replaced)(np.ones(2)), 2)
    with pytest.raises(TypeError, match="strict"):
        symconv.clone(x * 2, replace={x: T.dmatrix()})


def test_a_list_holding_slices_indexes_like_a_tuple():
    x = T.dmatrix("x")
    value = np.arange(12.0).reshape(3, 4)
    f = symconv.function([x], x[[slice(None), slice(x.shape[1] // 2, None)]])
    np.testing.assert_array_equal(f(value), value[:, 2:])


def test_the_conv_ops_give_theanos_values():
    """Golden values made by Theano 1.0.5 (tests/fixtures/theano/make_abstract_conv.py)."""
    import pathlib
    g = np.load(pathlib.Path(__file__).parent / "fixtures" / "theano" / "abstract_conv.npz")
    wv, tv, xv = T.dtensor4("w"), T.dtensor4("top"), T.dtensor4("x")
    for flip in (True, False):
        op = A.AbstractConv2d_gradInputs(None, None, border_mode="half", subsample=(2, 2), filter_flip=flip)
        np.testing.assert_allclose(symconv.function([wv, tv], op(wv, tv, (8, 9)))(g["gi_w"], g["gi_top"]),
                                   g[f"gi_half_s2_flip{int(flip)}"], rtol=1e-10, atol=1e-12)
    op = A.AbstractConv2d_gradInputs(None, None, border_mode=(1, 0), subsample=(2, 3), filter_dilation=(1, 2))
    np.testing.assert_allclose(symconv.function([wv, tv], op(wv, tv, (7, 15)))(g["gi_w"], g["gi_top"]),
                               g["gi_pad_dil"], rtol=1e-10, atol=1e-12)
    op = A.AbstractConv2d_gradWeights(None, None, border_mode="valid", filter_flip=False, filter_dilation=(2, 2))
    np.testing.assert_allclose(symconv.function([xv, tv], op(xv, tv, (3, 3)))(g["gw_x"], g["gw_top"]),
                               g["gw_dil"], rtol=1e-10, atol=1e-12)
    a, b = T.TensorType("float64", (None,) * 5)(), T.TensorType("float64", (None,) * 5)()
    np.testing.assert_allclose(
        symconv.function([a, b], T.nnet.conv3d(a, b, border_mode="half", subsample=(2, 1, 2)))(g["c3_x"], g["c3_w"]),
        g["c3_half_s"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        symconv.function([xv, wv], T.nnet.conv2d(xv, wv, border_mode="full", filter_dilation=(2, 1)))(
            g["gw_x"], g["gi_w"]), g["c2_dil"], rtol=1e-10, atol=1e-12)


def test_repeat_by_a_count_computed_from_shapes():
    """Lasagne's TransformerLayer repeats by ``out_height * out_width``, taken from the input's shape."""
    x = T.dmatrix("x")
    f = symconv.function([x], T.repeat(T.arange(x.shape[0]) * 3, x.shape[1] * 2))
    np.testing.assert_array_equal(f(np.zeros((2, 2))), np.repeat(np.arange(2) * 3, 4))
    np.testing.assert_array_equal(f(np.zeros((3, 1))), np.repeat(np.arange(3) * 3, 2))
    n = T.lscalar("n")
    g = symconv.function([x, n], T.extra_ops.repeat(x, n, axis=1))
    np.testing.assert_array_equal(g(np.eye(2), 3), np.repeat(np.eye(2), 3, axis=1))
    with pytest.raises(TypeError, match="repeats"):
        T.repeat(x, T.dscalar())


def test_the_gradient_of_an_integer_cost_is_zero_as_in_theano():
    """Theano 1.0.5 (floatX=float64): T.grad(A + B, [A, B]) for int shared A, B is [0.0, 0.0] as float64."""
    a, b = symconv.shared(1), symconv.shared(1)
    with symconv.change_flags(floatX="float64"):
        grads = T.grad(a + b, [a, b])
    assert [g.dtype for g in grads] == ["float64", "float64"]
    assert [float(v) for v in symconv.function([], grads)()] == [0.0, 0.0]
    x = T.dscalar("x")
    assert float(symconv.function([x], T.grad(T.cast(x, "int32") * 2, x))(3.0)) == 0.0
    with pytest.raises(symconv.DisconnectedInputError):
        T.grad(a + 1, [b])


POOL3D = {"a": dict(ws=(2, 3, 2), ignore_border=True, stride=None, pad=(0, 0, 0)),
          "b": dict(ws=(3, 2, 2), ignore_border=False, stride=(2, 2, 3), pad=(0, 0, 0)),
          "c": dict(ws=(3, 3, 2), ignore_border=True, stride=(2, 1, 2), pad=(1, 2, 1))}


@pytest.mark.parametrize("mode", ["max", "sum", "average_inc_pad", "average_exc_pad"])
def test_pool_3d_gives_theanos_values_and_gradients(mode):
    """Golden values made by Theano 1.0.5 (tests/fixtures/theano/make_pool3d.py), ties in a max window included."""
    import pathlib
    from symconv.tensor.signal.pool import pool_3d
    g = np.load(pathlib.Path(__file__).parent / "fixtures" / "theano" / "pool3d.npz")
    v = T.TensorType("float64", (None,) * 5)("v")
    for name, kw in POOL3D.items():
        y = pool_3d(v, mode=mode, **kw)
        weighted = (y * T.arange(y.size).reshape(y.shape)).sum()
        value, grad = symconv.function([v], [y, T.grad(weighted, v)])(g["x"])
        np.testing.assert_allclose(value, g[f"{name}_{mode}"], rtol=1e-12, atol=1e-12)
        if f"{name}_{mode}_grad" in g:
            np.testing.assert_allclose(grad, g[f"{name}_{mode}_grad"], rtol=1e-12, atol=1e-12)


def test_pool_2d_with_sizes_computed_from_shapes_and_pool_3d_checks():
    """Lasagne's SpatialPyramidPoolingLayer passes window sizes computed from the input's shape."""
    from symconv.tensor.signal.pool import pool_2d, pool_3d
    x = T.dtensor4("x")
    h, w = x.shape[2:]
    f = symconv.function([x], pool_2d(x, ws=((h + 1) // 2, (w + 1) // 2), stride=(h // 2, w // 2),
                                      ignore_border=True, pad=None))
    value = np.random.RandomState(7).randn(2, 3, 7, 6)
    fixed = symconv.function([x], pool_2d(x, ws=(4, 3), stride=(3, 3), ignore_border=True))(value)
    np.testing.assert_array_equal(f(value), fixed)
    assert f(np.zeros((1, 1, 9, 9))).shape == (1, 1, 2, 2)
    ws = T.lvector("ws")  # the window as a function input: each window compiles its own variant
    g = symconv.function([x, ws], pool_2d(x, ws, ignore_border=True))
    np.testing.assert_array_equal(g(value, [4, 3]), symconv.function([x], pool_2d(x, (4, 3), ignore_border=True))(value))
    assert g(value, [1, 2]).shape == (2, 3, 7, 3)
    labels = T.lvector("labels")
    h = symconv.function([x, labels], pool_2d(x, labels, ignore_border=True))
    with pytest.raises(TypeError, match="labels.*20 entries"):
        h(value, np.ones(20, "int64"))
    verify_grad(lambda a: pool_3d(a, (2, 2, 1), mode="average_exc_pad", ignore_border=False),
                [np.random.RandomState(8).randn(1, 1, 3, 3, 2)])
    with pytest.raises(NotImplementedError, match="ignore_border"):
        pool_3d(T.TensorType("float64", (None,) * 5)(), (2, 2, 2), ignore_border=False, pad=(1, 0, 0))
    with pytest.raises(ValueError, match="3 entries"):
        pool_3d(T.TensorType("float64", (None,) * 5)(), (2, 2))


def test_abstract_conv_conv2d_takes_theanos_argument_order():
    """abstract_conv.conv2d has no image_shape: its 8th argument is filter_dilation (T.nnet.conv2d's is image_shape)."""
    rng = np.random.RandomState(9)
    x, w = rng.randn(1, 2, 7, 7), rng.randn(3, 2, 2, 2)
    xv, wv = T.dtensor4("x"), T.dtensor4("w")
    out = A.conv2d(xv, wv, None, None, "valid", (1, 1), True, (2, 3))
    np.testing.assert_allclose(symconv.function([xv, wv], out)(x, w),
                               reference_conv(x, w, "valid", (1, 1), True, (2, 3)), rtol=1e-10, atol=1e-10)
