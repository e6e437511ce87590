"""T.nnet and pooling through the symbolic path: values against NumPy, gradients, stability."""
import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv.gradient import verify_grad
from symconv.tensor.signal import downsample, pool

from reference import conv2d_ref, max_pool_grad_ref, pool_2d_ref


def _np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_nonlinearities_match_numpy(rng):
    v = rng.randn(50) * 4
    s = T.dvector("s")
    sig = 1 / (1 + np.exp(-v))
    f = symconv.function([s], [T.nnet.sigmoid(s), T.nnet.hard_sigmoid(s), T.nnet.relu(s), T.nnet.relu(s, 0.1),
                               T.nnet.elu(s), T.nnet.softplus(s), T.nnet.ultra_fast_sigmoid(s), T.tanh(s)])
    out = f(v)
    np.testing.assert_allclose(out[0], sig, rtol=1e-12)
    np.testing.assert_allclose(out[1], np.clip(0.2 * v + 0.5, 0, 1), rtol=1e-6)  # 0.2 is a float32 literal
    np.testing.assert_allclose(out[2], np.maximum(v, 0))
    np.testing.assert_allclose(out[3], np.where(v > 0, v, 0.1 * v))
    np.testing.assert_allclose(out[4], np.where(v > 0, v, np.expm1(v)))
    np.testing.assert_allclose(out[5], np.log1p(np.exp(v)), rtol=1e-12)
    np.testing.assert_allclose(out[6], sig, atol=0.03)  # an approximation, as Theano's
    np.testing.assert_allclose(out[7], np.tanh(v))


def test_softmax_family(rng):
    m, v = T.dmatrix("m"), T.dvector("v")
    x = rng.randn(4, 5)
    assert T.nnet.softmax(v).ndim == 2
    sm, lsm, smv = symconv.function([m, v], [T.nnet.softmax(m), T.nnet.logsoftmax(m), T.nnet.softmax(v)])(x, x[0])
    np.testing.assert_allclose(sm, _np_softmax(x))
    np.testing.assert_allclose(lsm, np.log(_np_softmax(x)))
    assert smv.shape == (1, 5)


def test_crossentropies(rng):
    p = _np_softmax(rng.randn(4, 3))
    y = np.array([0, 2, 1, 1], "int32")
    P, Y, O = T.dmatrix("P"), T.ivector("Y"), T.dmatrix("O")
    f = symconv.function([P, Y, O], [T.nnet.categorical_crossentropy(P, Y), T.nnet.categorical_crossentropy(P, O)])
    onehot = np.eye(3)[y]
    a, b = f(p, y, onehot)
    np.testing.assert_allclose(a, -np.log(p[np.arange(4), y]))
    np.testing.assert_allclose(b, a)
    out, tgt = T.dvector("out"), T.dvector("tgt")
    o, t = rng.rand(6) * 0.9 + 0.05, rng.rand(6)
    bce = symconv.function([out, tgt], T.nnet.binary_crossentropy(out, tgt))(o, t)
    np.testing.assert_allclose(bce, -(t * np.log(o) + (1 - t) * np.log(1 - o)))


def test_tutorial_formulas_are_stable_for_finite_inputs():
    x, y = T.dmatrix("x"), T.ivector("y")
    p = T.nnet.softmax(x)
    nll = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    ce = T.mean(T.nnet.categorical_crossentropy(p, y))
    logits = np.array([[2000.0, 0.0, -2000.0]])
    cost, g, cost2 = symconv.function([x, y], [nll, symconv.grad(nll, x), ce])(logits, np.array([2], "int32"))
    assert np.isfinite(cost) and cost == pytest.approx(4000.0)
    assert np.isfinite(g).all() and cost2 == pytest.approx(4000.0)
    s = T.dvector("s")
    outs = symconv.function([s], [T.log(T.nnet.sigmoid(s)), T.log(1 - T.nnet.sigmoid(s)), T.log(1 + T.exp(s)),
                                  T.log1p(T.exp(s)), T.nnet.binary_crossentropy(T.nnet.sigmoid(s), 1.0)])(
        np.array([-800.0, 0.0, 800.0]))
    assert all(np.isfinite(o).all() for o in outs)
    np.testing.assert_allclose(outs[0], [-800, -np.log(2), 0])
    np.testing.assert_allclose(outs[2], [0, np.log(2), 800])


def test_stable_rewrite_keeps_float32():
    x = T.fmatrix("x")
    out = T.log(T.nnet.softmax(x))
    assert symconv.function([x], out)(np.zeros((1, 2), "float32")).dtype == np.float32


@pytest.mark.parametrize("border_mode,subsample,flip", [("valid", (1, 1), True), ("full", (1, 1), True),
                                                         ("half", (2, 1), False), ((1, 2), (1, 2), True)])
def test_conv2d_op_matches_reference_and_gradient(rng, border_mode, subsample, flip):
    x = rng.randn(2, 3, 7, 6)
    w = rng.randn(4, 3, 3, 2)
    X, W = T.dtensor4("X"), T.dtensor4("W")
    out = symconv.function([X, W], T.nnet.conv2d(X, W, border_mode=border_mode, subsample=subsample, filter_flip=flip))(x, w)
    np.testing.assert_allclose(out, conv2d_ref(x, w, border_mode, subsample, flip), rtol=1e-10, atol=1e-10)
    verify_grad(lambda a, b: T.nnet.conv2d(a, b, border_mode=border_mode, subsample=subsample, filter_flip=flip),
                [x[:1, :, :5, :5], w[:2]])


def test_conv2d_flips_filters():
    """A true convolution of an impulse reproduces the filter; a cross-correlation reproduces it flipped."""
    img = np.zeros((1, 1, 3, 3)); img[0, 0, 1, 1] = 1
    w = np.arange(4.0).reshape(1, 1, 2, 2)
    out = T.nnet.conv2d(T.constant(img), T.constant(w), border_mode="valid").eval()
    np.testing.assert_allclose(out[0, 0], [[0, 1], [2, 3]])
    corr = T.nnet.conv2d(T.constant(img), T.constant(w), filter_flip=False).eval()
    np.testing.assert_allclose(corr[0, 0], [[3, 2], [1, 0]])


def test_conv2d_given_shapes_are_checked():
    X = T.ftensor4("X")
    W = symconv.shared(np.zeros((2, 1, 3, 3), "float32"), name="W")
    out = T.nnet.conv2d(X, W, input_shape=(4, 1, 8, 8), filter_shape=(2, 1, 3, 3))
    assert out.type.shape == (4, 2, 6, 6)
    f = symconv.function([X], out)
    with pytest.raises(Exception, match="input_shape"):
        f(np.zeros((4, 1, 9, 9), "float32"))
    with pytest.raises(ValueError, match="input_shape"):
        T.nnet.conv2d(T.tensor("float32", (4, 1, 8, 8)), W, input_shape=(4, 1, 9, 9))
    with pytest.raises(ValueError, match="border_mode"):
        T.nnet.conv2d(X, W, border_mode="same-ish")
    with pytest.raises(TypeError, match="4-D"):
        T.nnet.conv2d(T.fmatrix(), W)


def test_old_conv_module_path():
    from symconv.tensor.nnet import conv

    x, w = np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2))
    out = conv.conv2d(T.constant(x), T.constant(w), filter_shape=(1, 1, 2, 2), image_shape=(1, 1, 4, 4)).eval()
    np.testing.assert_allclose(out, 4 * np.ones((1, 1, 3, 3)))


@pytest.mark.parametrize("mode", ["max", "sum", "average_inc_pad", "average_exc_pad"])
@pytest.mark.parametrize("ignore_border,stride,pad", [(True, None, (0, 0)), (False, None, (0, 0)),
                                                      (False, (1, 2), (0, 0)), (True, (2, 2), (1, 1))])
def test_pool_2d_op(rng, mode, ignore_border, stride, pad):
    x = rng.randn(2, 3, 5, 7)
    X = T.dtensor4("X")
    out = symconv.function([X], pool.pool_2d(X, (3, 2), ignore_border=ignore_border, stride=stride, pad=pad, mode=mode))(x)
    np.testing.assert_allclose(out, pool_2d_ref(x, (3, 2), ignore_border, stride, pad, mode), rtol=1e-12)
    verify_grad(lambda a: pool.pool_2d(a, (3, 2), ignore_border=ignore_border, stride=stride, pad=pad, mode=mode),
                [x[:1, :1]])


def test_max_pool_gradient_reaches_every_tied_maximum():
    x = np.zeros((1, 1, 4, 4))
    X = T.dtensor4("X")
    g = symconv.function([X], symconv.grad(pool.pool_2d(X, (2, 2)).sum(), X))(x)
    np.testing.assert_allclose(g, max_pool_grad_ref(x, np.ones((1, 1, 2, 2)), (2, 2)))
    assert (g == 1).all()


def test_pool_any_rank_and_old_path():
    x = np.arange(2 * 4 * 4, dtype="float32").reshape(2, 4, 4)
    out = downsample.max_pool_2d(T.constant(x), (2, 2), ignore_border=False).eval()
    np.testing.assert_allclose(out, pool_2d_ref(x, (2, 2), False))
    m = np.arange(9.0).reshape(3, 3)
    np.testing.assert_allclose(pool.pool_2d(T.constant(m), (2, 2), ignore_border=False).eval(), [[4, 5], [7, 8]])


def test_large_rgb_image_pooling_shapes():
    img = T.ftensor4("img")
    big = np.random.RandomState(0).rand(1, 3, 5000, 5000).astype("float32")
    f_true = symconv.function([img], pool.pool_2d(img, (3, 3), ignore_border=True))
    f_false = symconv.function([img], pool.pool_2d(img, (3, 3), ignore_border=False))
    a, b = f_true(big), f_false(big)
    assert a.shape == (1, 3, 1666, 1666) and b.shape == (1, 3, 1667, 1667)
    np.testing.assert_allclose(a[0, :, 0, 0], big[0, :, :3, :3].max(axis=(1, 2)))
    np.testing.assert_allclose(b[0, :, -1, -1], big[0, :, -2:, -2:].max(axis=(1, 2)))
