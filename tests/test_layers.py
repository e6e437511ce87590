"""symconv.layers: the tutorials' layers, their initialisation, pickling and rebuilding."""
import pickle

import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv.layers import (MLP, ConvPool, HiddenLayer, LeNet5, LeNetConvPoolLayer, LogisticRegression,
                            build_lenet5, glorot_bound)


def _softmax(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _conv_valid_flipped(x, w):
    """Theano's conv2d (true convolution, 'valid') of NCHW x with OIHW w, by loops."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    flipped = w[:, :, ::-1, ::-1]
    out = np.zeros((n, o, h - kh + 1, wd - kw + 1))
    for i in range(h - kh + 1):
        for j in range(wd - kw + 1):
            out[:, :, i, j] = np.einsum("nchw,ochw->no", x[:, :, i:i + kh, j:j + kw], flipped)
    return out


def _max_pool(x, p):
    n, c, h, w = x.shape
    h, w = h // p * p, w // p * p
    return x[:, :, :h, :w].reshape(n, c, h // p, p, w // p, p).max(axis=(3, 5))


# --------------------------------------------------------- LogisticRegression


def test_logistic_regression_types_shapes_and_zero_init(rng):
    x = T.matrix("x")
    layer = LogisticRegression(input=x, n_in=784, n_out=10)
    assert layer.input is x
    assert layer.params == [layer.W, layer.b]
    assert layer.W.get_value().shape == (784, 10) and layer.b.get_value().shape == (10,)
    assert layer.W.get_value().dtype == np.float32 and not layer.W.get_value().any()
    assert layer.p_y_given_x.dtype == "float32" and layer.p_y_given_x.ndim == 2
    assert layer.y_pred.ndim == 1 and layer.y_pred.dtype.startswith("int")
    p = symconv.function([x], layer.p_y_given_x)(rng.rand(5, 784).astype("float32"))
    np.testing.assert_allclose(p, np.full((5, 10), 0.1), rtol=1e-6)


def test_logistic_regression_nll_and_errors_match_numpy(rng):
    x, y = T.matrix("x"), T.ivector("y")
    W = rng.randn(6, 4).astype("float32")
    b = rng.randn(4).astype("float32")
    layer = LogisticRegression(input=x, n_in=6, n_out=4, W=W, b=b)
    f = symconv.function([x, y], [layer.negative_log_likelihood(y), layer.errors(y), layer.y_pred])
    xs = rng.randn(9, 6).astype("float32")
    ys = rng.randint(0, 4, size=9).astype("int32")
    nll, err, pred = f(xs, ys)
    p = _softmax(xs.astype(np.float64) @ W + b)
    np.testing.assert_allclose(nll, -np.mean(np.log(p[np.arange(9), ys])), rtol=1e-5)
    np.testing.assert_array_equal(pred, p.argmax(axis=1))
    assert err == pytest.approx(np.mean(p.argmax(axis=1) != ys))


def test_errors_rejects_wrong_rank_and_non_integer_labels():
    layer = LogisticRegression(input=T.matrix("x"), n_in=3, n_out=2)
    with pytest.raises(TypeError, match="same shape as self.y_pred"):
        layer.errors(T.imatrix("y"))
    with pytest.raises(NotImplementedError):
        layer.errors(T.fvector("y"))
    assert layer.errors(T.lvector("y")).ndim == 0


def test_given_parameter_of_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"W must have shape \(3, 2\)"):
        LogisticRegression(input=T.matrix("x"), n_in=3, n_out=2, W=np.zeros((2, 3), "float32"))


# ---------------------------------------------------------------- HiddenLayer


@pytest.mark.parametrize("n_in,n_out", [(784, 500), (30, 7)])
def test_hidden_layer_glorot_uniform_range_for_tanh(n_in, n_out):
    x = T.matrix("x")
    layer = HiddenLayer(np.random.RandomState(1234), x, n_in, n_out)
    W = layer.W.get_value()
    bound = np.sqrt(6.0 / (n_in + n_out))
    assert glorot_bound(n_in, n_out) == pytest.approx(bound)
    assert W.shape == (n_in, n_out) and W.dtype == np.float32
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.9 * bound
    # The tutorial's draw exactly: one rng.uniform over the whole matrix.
    expected = np.random.RandomState(1234).uniform(low=-bound, high=bound, size=(n_in, n_out)).astype("float32")
    np.testing.assert_array_equal(W, expected)
    assert not layer.b.get_value().any()
    assert layer.params == [layer.W, layer.b]


def test_hidden_layer_sigmoid_weights_are_four_times_wider():
    x = T.matrix("x")
    tanh_W = HiddenLayer(np.random.RandomState(5), x, 100, 50).W.get_value()
    sigmoid_W = HiddenLayer(np.random.RandomState(5), x, 100, 50, activation=T.nnet.sigmoid).W.get_value()
    np.testing.assert_allclose(sigmoid_W, 4 * tanh_W, rtol=1e-6)
    assert np.abs(sigmoid_W).max() > 3.5 * np.sqrt(6.0 / 150)


def test_hidden_layer_output_and_float64(rng):
    with symconv.config.change_flags(floatX="float64"):
        x = T.matrix("x")
        layer = HiddenLayer(np.random.RandomState(0), x, 5, 3)
        linear = HiddenLayer(np.random.RandomState(0), x, 5, 3, activation=None)
        assert layer.W.get_value().dtype == np.float64 and layer.output.dtype == "float64"
        xs = rng.randn(4, 5)
        out, lin = symconv.function([x], [layer.output, linear.output])(xs)
    np.testing.assert_allclose(lin, xs @ layer.W.get_value(), rtol=1e-12)
    np.testing.assert_allclose(out, np.tanh(lin), rtol=1e-12)


# --------------------------------------------------------- LeNetConvPoolLayer


def test_conv_pool_layer_computes_tanh_of_max_pool_of_conv_plus_bias(rng):
    x = T.tensor4("x")
    layer = LeNetConvPoolLayer(np.random.RandomState(3), x, filter_shape=(3, 2, 3, 3), image_shape=(2, 2, 7, 7),
                               poolsize=(2, 2))
    b = rng.randn(3).astype("float32")
    layer.b.set_value(b)
    xs = rng.randn(2, 2, 7, 7).astype("float32")
    out = symconv.function([x], layer.output)(xs)
    expected = np.tanh(_max_pool(_conv_valid_flipped(xs, layer.W.get_value()), 2) + b[None, :, None, None])
    assert out.shape == (2, 3, 2, 2) == layer.output_shape  # 7-3+1 = 5, pooled with ignore_border -> 2
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_conv_pool_layer_init_uses_fan_in_and_pooled_fan_out():
    layer = ConvPool(np.random.RandomState(23455), T.tensor4("x"), filter_shape=(20, 1, 5, 5),
                     image_shape=(500, 1, 28, 28))
    assert ConvPool is LeNetConvPoolLayer
    W = layer.W.get_value()
    bound = np.sqrt(6.0 / (1 * 25 + 20 * 25 / 4))
    assert W.shape == (20, 1, 5, 5) and W.dtype == np.float32
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.9 * bound
    assert layer.b.get_value().shape == (20,) and not layer.b.get_value().any()
    assert layer.output_shape == (500, 20, 12, 12)


def test_conv_pool_layer_checks_feature_maps():
    with pytest.raises(ValueError, match="feature maps"):
        LeNetConvPoolLayer(np.random.RandomState(0), T.tensor4("x"), filter_shape=(4, 3, 5, 5),
                           image_shape=(10, 1, 28, 28))


# ------------------------------------------------------------------------ MLP


def test_mlp_structure_and_regularisers(rng):
    x, y = T.matrix("x"), T.ivector("y")
    mlp = MLP(np.random.RandomState(1234), x, n_in=12, n_hidden=5, n_out=3)
    assert mlp.params == mlp.hiddenLayer.params + mlp.logRegressionLayer.params
    assert mlp.hiddenLayer.input is x and mlp.logRegressionLayer.input is mlp.hiddenLayer.output
    mlp.logRegressionLayer.W.set_value(rng.randn(5, 3).astype("float32"))
    W1, W2 = mlp.hiddenLayer.W.get_value(), mlp.logRegressionLayer.W.get_value()
    l1, l2, p = symconv.function([x], [mlp.L1, mlp.L2_sqr, mlp.p_y_given_x])(rng.randn(4, 12).astype("float32"))
    assert l1 == pytest.approx(np.abs(W1).sum() + np.abs(W2).sum(), rel=1e-5)
    assert l2 == pytest.approx((W1 ** 2).sum() + (W2 ** 2).sum(), rel=1e-5)
    assert p.shape == (4, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
    assert mlp.errors(y).ndim == 0 and mlp.negative_log_likelihood(y).ndim == 0


# --------------------------------------------------------------------- LeNet5


def test_lenet5_defaults_parameter_order_and_rng_order():
    x = T.matrix("x")
    net = build_lenet5(np.random.RandomState(23455), x)
    assert isinstance(net, LeNet5) and net.batch_size == 500 and net.nkerns == (20, 50) and net.n_hidden == 500
    shapes = [p.get_value().shape for p in net.params]
    assert shapes == [(500, 10), (10,), (800, 500), (500,), (50, 20, 5, 5), (50,), (20, 1, 5, 5), (20,)]
    assert net.params == net.layer3.params + net.layer2.params + net.layer1.params + net.layer0.params
    # The tutorial draws layer0's filters first from RandomState(23455).
    bound0 = np.sqrt(6.0 / (25 + 20 * 25 / 4))
    expected = np.random.RandomState(23455).uniform(-bound0, bound0, (20, 1, 5, 5)).astype("float32")
    np.testing.assert_array_equal(net.layer0.W.get_value(), expected)
    assert net.layer1.output_shape == (500, 50, 4, 4)
    assert net.layer2.n_in == 800 and net.layer3.n_in == 500 and net.layer3.n_out == 10


@pytest.fixture(scope="module")
def trained_small_lenet():
    """A small-batch LeNet5 whose parameters (biases included) are all moved off their initial values."""
    rng = np.random.RandomState(0)
    x = T.matrix("x")
    net = LeNet5(np.random.RandomState(23455), x, batch_size=6, nkerns=(4, 6), n_hidden=20)
    for param in net.params:
        value = param.get_value()
        param.set_value((value + 0.1 * rng.randn(*value.shape)).astype(value.dtype))
    xs = rng.rand(6, 784).astype("float32")
    predict = symconv.function([x], [net.p_y_given_x, net.y_pred])
    return net, xs, predict(xs)


def test_pickled_lenet5_recompiles_to_the_same_predictions(trained_small_lenet):
    net, xs, (p, pred) = trained_small_lenet
    loaded = pickle.loads(pickle.dumps(net))
    assert loaded.params[0] is not net.params[0]
    for saved, original in zip(loaded.params, net.params):
        np.testing.assert_array_equal(saved.get_value(), original.get_value())
    p2, pred2 = symconv.function([loaded.input], [loaded.p_y_given_x, loaded.y_pred])(xs)
    np.testing.assert_allclose(p2, p, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(pred2, pred)


def test_pickled_mlp_recompiles_to_the_same_predictions(rng):
    x = T.matrix("x")
    mlp = MLP(np.random.RandomState(1), x, n_in=8, n_hidden=6, n_out=3)
    mlp.logRegressionLayer.W.set_value(rng.randn(6, 3).astype("float32"))
    xs = rng.randn(5, 8).astype("float32")
    before = symconv.function([x], mlp.p_y_given_x)(xs)
    loaded = pickle.loads(pickle.dumps(mlp))
    after = symconv.function([loaded.input], loaded.p_y_given_x)(xs)
    np.testing.assert_allclose(after, before, rtol=1e-6)
    assert loaded.hiddenLayer.activation is T.tanh


def test_lenet5_rebuilt_on_batch_size_one_from_saved_params_predicts_the_same(trained_small_lenet):
    net, xs, (p, pred) = trained_small_lenet
    saved = pickle.loads(pickle.dumps(net.get_param_values()))
    x1 = T.matrix("x1")
    single = LeNet5.from_params(saved, x1, batch_size=1, **net.architecture())
    assert single.layer0.image_shape == (1, 1, 28, 28)
    f = symconv.function([x1], [single.p_y_given_x, single.y_pred])
    for k in range(len(xs)):
        p1, pred1 = f(xs[k:k + 1])
        assert p1.shape == (1, 10)
        np.testing.assert_allclose(p1[0], p[k], rtol=1e-5, atol=1e-7)
        assert pred1[0] == pred[k]
    # Any batch size: the graph reshapes with -1.
    anyn = net.rebuild(x1, batch_size=None)
    np.testing.assert_allclose(symconv.function([x1], anyn.p_y_given_x)(xs[:4]), p[:4], rtol=1e-5, atol=1e-7)


def test_rebuild_shares_parameters_and_from_params_checks_shapes(trained_small_lenet):
    net = trained_small_lenet[0]
    other = net.rebuild(T.matrix("x2"), batch_size=2)
    assert all(a is b for a, b in zip(other.params, net.params))
    reversed_values = net.get_param_values()[::-1]
    with pytest.raises(ValueError, match="must have shape"):
        LeNet5.from_params(reversed_values, T.matrix("x3"), batch_size=1, **net.architecture())


def test_set_param_values_copies_another_models_parameters():
    x = T.matrix("x")
    a = MLP(np.random.RandomState(1), x, 4, 3, 2)
    b = MLP(np.random.RandomState(2), x, 4, 3, 2)
    b.set_param_values(a.get_param_values())
    for pa, pb in zip(a.params, b.params):
        np.testing.assert_array_equal(pa.get_value(), pb.get_value())
    with pytest.raises(ValueError, match="4 parameters"):
        b.set_param_values(a.get_param_values()[:2])
