"""symconv.optimizers: update lists computed by optax, checked against optax run directly."""
import pickle

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import symconv
import symconv.tensor as T
from symconv import optimizers


def _data(rng, dtype="float64"):
    X = rng.randn(30, 4).astype(dtype)
    y = (rng.rand(30) > 0.5).astype(dtype)
    W0 = (rng.randn(4) * 0.1).astype(dtype)
    b0 = np.asarray(0.2, dtype)
    return X, y, W0, b0


def _logistic_cost(x, y, W, b):
    p = T.nnet.sigmoid(T.dot(x, W) + b)
    return -T.mean(y * T.log(p) + (1 - y) * T.log(1 - p))


def _optax_steps(tx, X, y, W0, b0, steps):
    def loss(params):
        p = jax.nn.sigmoid(X @ params[0] + params[1])
        return -jnp.mean(y * jnp.log(p) + (1 - y) * jnp.log(1 - p))

    params = [jnp.asarray(W0), jnp.asarray(b0)]
    state = tx.init(params)
    history = []
    for _ in range(steps):
        updates, state = tx.update(jax.grad(loss)(params), state, params)
        params = optax.apply_updates(params, updates)
        history.append([np.asarray(p) for p in params])
    return history


CASES = [
    ("sgd", dict(learning_rate=0.5), lambda: optax.sgd(0.5)),
    ("momentum", dict(learning_rate=0.5, momentum=0.8), lambda: optax.sgd(0.5, momentum=0.8)),
    ("nesterov", dict(learning_rate=0.5, momentum=0.8), lambda: optax.sgd(0.5, momentum=0.8, nesterov=True)),
    ("adagrad", dict(learning_rate=0.3), lambda: optax.adagrad(0.3)),
    ("rmsprop", dict(learning_rate=0.05, decay=0.8), lambda: optax.rmsprop(0.05, decay=0.8)),
    ("adam", dict(learning_rate=0.05), lambda: optax.adam(0.05)),
    ("adadelta", dict(learning_rate=0.5), lambda: optax.adadelta(0.5)),
    ("adamax", dict(learning_rate=0.05), lambda: optax.adamax(0.05)),
]


@pytest.mark.parametrize("name, kwargs, reference", CASES, ids=[c[0] for c in CASES])
def test_first_steps_match_optax(rng, name, kwargs, reference):
    X, y, W0, b0 = _data(rng)
    x, t = T.dmatrix("x"), T.dvector("t")
    W, b = symconv.shared(W0.copy(), name="W"), symconv.shared(b0.copy(), name="b")
    cost = _logistic_cost(x, t, W, b)
    updates = getattr(optimizers, name)(cost, [W, b], **kwargs)
    assert updates[0][0] is W and updates[1][0] is b
    train = symconv.function([x, t], cost, updates=updates)
    for expected_W, expected_b in _optax_steps(reference(), X, y, W0, b0, 3):
        train(X, y)
        np.testing.assert_allclose(W.get_value(), expected_W, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(b.get_value(), expected_b, rtol=1e-12, atol=1e-14)
    assert not np.allclose(W.get_value(), W0)


def test_state_persists_and_float32_kept(rng):
    X, y, W0, b0 = _data(rng, "float32")
    x, t = T.matrix("x"), T.vector("t")
    W, b = symconv.shared(W0.copy(), name="W"), symconv.shared(b0.copy(), name="b")
    cost = _logistic_cost(x, t, W, b)
    updates = optimizers.adam(cost, [W, b], learning_rate=0.05)
    states = [s for s, _ in updates[2:]]
    count = [s for s in states if s.ndim == 0 and s.dtype.startswith("int")]
    assert len(count) == 1
    assert all(s.dtype == "float32" for s in states if s not in count)
    train = symconv.function([x, t], cost, updates=updates)
    expected = _optax_steps(optax.adam(0.05), X.astype("float64"), y.astype("float64"), W0.astype("float64"),
                            b0.astype("float64"), 3)
    for k in range(3):
        train(X, y)
        assert count[0].get_value() == k + 1
    assert W.get_value().dtype == np.float32 and b.get_value().dtype == np.float32
    assert all(s.get_value().dtype == np.float32 for s in states if s not in count)
    np.testing.assert_allclose(W.get_value(), expected[-1][0], rtol=1e-4, atol=1e-6)


def test_minibatch_function_with_givens(rng):
    X, y, W0, b0 = _data(rng)
    data_x, data_y = symconv.shared(X, name="data_x"), symconv.shared(y, name="data_y")
    index = T.lscalar("index")
    x, t = T.dmatrix("x"), T.dvector("t")
    W, b = symconv.shared(W0.copy(), name="W"), symconv.shared(b0.copy(), name="b")
    cost = _logistic_cost(x, t, W, b)
    train = symconv.function([index], cost, updates=optimizers.momentum(cost, [W, b], learning_rate=0.5),
                             givens={x: data_x[index * 10:(index + 1) * 10], t: data_y[index * 10:(index + 1) * 10]})
    tx = optax.sgd(0.5, momentum=0.9)
    params = [jnp.asarray(W0), jnp.asarray(b0)]
    state = tx.init(params)

    def loss(params, xb, yb):
        p = jax.nn.sigmoid(xb @ params[0] + params[1])
        return -jnp.mean(yb * jnp.log(p) + (1 - yb) * jnp.log(1 - p))

    for i in (0, 1, 2, 1):
        got = train(i)
        sl = slice(i * 10, (i + 1) * 10)
        np.testing.assert_allclose(got, loss(params, X[sl], y[sl]), rtol=1e-12)
        updates, state = tx.update(jax.grad(loss)(params, X[sl], y[sl]), state, params)
        params = optax.apply_updates(params, updates)
    np.testing.assert_allclose(W.get_value(), params[0], rtol=1e-10, atol=1e-14)


def test_symbolic_learning_rate(rng):
    X, y, W0, b0 = _data(rng)
    x, t = T.dmatrix("x"), T.dvector("t")
    W, b = symconv.shared(W0.copy(), name="W"), symconv.shared(b0.copy(), name="b")
    cost = _logistic_cost(x, t, W, b)
    lr = symconv.shared(np.asarray(0.0), name="lr")
    train = symconv.function([x, t], cost, updates=optimizers.sgd(cost, [W, b], learning_rate=lr))
    train(X, y)
    np.testing.assert_array_equal(W.get_value(), W0)
    lr.set_value(0.5)
    train(X, y)
    np.testing.assert_allclose(W.get_value(), _optax_steps(optax.sgd(0.5), X, y, W0, b0, 1)[0][0], rtol=1e-12)

    W.set_value(W0.copy())
    b.set_value(b0.copy())
    rate = T.dscalar("rate")
    train2 = symconv.function([x, t, rate], cost, updates=optimizers.adam(cost, [W, b], learning_rate=rate))
    expected = _optax_steps(optax.adam(0.05), X, y, W0, b0, 2)
    train2(X, y, 0.05)
    train2(X, y, 0.05)
    np.testing.assert_allclose(W.get_value(), expected[-1][0], rtol=1e-12)


def test_from_optax_chain_and_given_gradients(rng):
    X, y, W0, b0 = _data(rng)
    x, t = T.dmatrix("x"), T.dvector("t")
    W, b = symconv.shared(W0.copy(), name="W"), symconv.shared(b0.copy(), name="b")
    cost = _logistic_cost(x, t, W, b)
    make = lambda: optax.chain(optax.clip_by_global_norm(0.01), optax.adam(0.1))  # noqa: E731
    gW, gb = symconv.grad(cost, [W, b])
    train = symconv.function([x, t], cost, updates=optimizers.from_optax(make(), [gW, gb], [W, b]))
    for expected_W, expected_b in _optax_steps(make(), X, y, W0, b0, 2):
        train(X, y)
        np.testing.assert_allclose(W.get_value(), expected_W, rtol=1e-12)
        np.testing.assert_allclose(b.get_value(), expected_b, rtol=1e-12)


def test_named_optimizer_graph_pickles(rng):
    X, y, W0, b0 = _data(rng)
    x, t = T.dmatrix("x"), T.dvector("t")
    W, b = symconv.shared(W0.copy(), name="W"), symconv.shared(b0.copy(), name="b")
    cost = _logistic_cost(x, t, W, b)
    x2, t2, updates2 = pickle.loads(pickle.dumps((x, t, optimizers.adam(cost, [W, b], learning_rate=0.05))))
    symconv.function([x2, t2], [], updates=updates2)(X, y)
    np.testing.assert_allclose(updates2[0][0].get_value(), _optax_steps(optax.adam(0.05), X, y, W0, b0, 1)[0][0],
                               rtol=1e-12)
    np.testing.assert_array_equal(W.get_value(), W0)  # the original is untouched


def test_errors():
    W = symconv.shared(np.zeros(3), name="W")
    x = T.dvector("x")
    with pytest.raises(TypeError, match="shared"):
        optimizers.sgd(T.sum(x * W), [x])
    with pytest.raises(ValueError, match="gradients"):
        optimizers.sgd([x, x], [W])
