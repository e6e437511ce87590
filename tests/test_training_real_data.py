"""Models built by hand from symconv ops train on the bundled real-MNIST sample."""
import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv.datasets import load_data
from symconv.tensor.signal import pool


def _minibatch_functions(datasets, x, y, cost, error, params, lr, batch_size):
    (train_x, train_y), (valid_x, valid_y), _ = datasets
    index = T.lscalar("index")
    grads = symconv.grad(cost, params)
    window = slice(index * batch_size, (index + 1) * batch_size)
    train = symconv.function([index], cost, updates=[(p, p - lr * g) for p, g in zip(params, grads)],
                             givens={x: train_x[window], y: train_y[window]})
    valid = symconv.function([index], error, givens={x: valid_x[window], y: valid_y[window]})
    n_train = train_x.get_value(borrow=True).shape[0] // batch_size
    n_valid = valid_x.get_value(borrow=True).shape[0] // batch_size
    return train, valid, n_train, n_valid


def _errors_over_epochs(train, valid, n_train, n_valid, epochs, target=None):
    errors = [float(np.mean([valid(i) for i in range(n_valid)]))]
    for _ in range(epochs):
        for i in range(n_train):
            train(i)
        errors.append(float(np.mean([valid(i) for i in range(n_valid)])))
        if target is not None and errors[-1] < target:
            break
    return errors


def _nll(p, y):
    return -T.mean(T.log(p)[T.arange(y.shape[0]), y])


def _errors(p, y):
    return T.mean(T.neq(T.argmax(p, axis=1), y))


def test_issue_snippet_logistic_regression_learns():
    datasets = load_data()
    x, y = T.matrix("x"), T.ivector("y")
    W = symconv.shared(np.zeros((784, 10), dtype=symconv.config.floatX), name="W", borrow=True)
    b = symconv.shared(np.zeros((10,), dtype=symconv.config.floatX), name="b")
    p_y = T.nnet.softmax(T.dot(x, W) + b)
    fns = _minibatch_functions(datasets, x, y, _nll(p_y, y), _errors(p_y, y), [W, b], 0.13, 100)
    errors = _errors_over_epochs(*fns, epochs=5)
    assert errors[0] > 0.8 and errors[-1] < 0.2, errors
    assert W.get_value().dtype == np.float32


@pytest.mark.parametrize("floatX", ["float32", "float64"])
def test_two_layer_tanh_mlp_learns(floatX):
    with symconv.config.change_flags(floatX=floatX):
        datasets = load_data()
        rng = np.random.RandomState(1234)
        x, y = T.matrix("x"), T.ivector("y")
        bound = np.sqrt(6.0 / (784 + 100))
        W1 = symconv.shared(rng.uniform(-bound, bound, (784, 100)).astype(floatX), name="W1")
        b1 = symconv.shared(np.zeros(100, floatX), name="b1")
        W2 = symconv.shared(np.zeros((100, 10), floatX), name="W2")
        b2 = symconv.shared(np.zeros(10, floatX), name="b2")
        hidden = T.tanh(T.dot(x, W1) + b1)
        p_y = T.nnet.softmax(T.dot(hidden, W2) + b2)
        cost = _nll(p_y, y) + 0.0001 * (W1 ** 2).sum()
        assert cost.dtype == floatX
        fns = _minibatch_functions(datasets, x, y, cost, _errors(p_y, y), [W1, b1, W2, b2], 0.1, 20)
        errors = _errors_over_epochs(*fns, epochs=4)
    assert errors[0] > 0.8 and errors[-1] < 0.15, errors
    assert W1.get_value().dtype == np.dtype(floatX)


def test_lenet_built_by_hand_reaches_five_percent_validation_error():
    datasets = load_data()
    rng = np.random.RandomState(23455)
    x, y = T.matrix("x"), T.ivector("y")

    def uniform(shape, fan_in, fan_out):
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        return symconv.shared(rng.uniform(-bound, bound, shape).astype("float32"))

    W1, b1 = uniform((20, 1, 5, 5), 25, 125), symconv.shared(np.zeros(20, "float32"))
    W2, b2 = uniform((50, 20, 5, 5), 500, 312.5), symconv.shared(np.zeros(50, "float32"))
    W3, b3 = uniform((800, 500), 800, 500), symconv.shared(np.zeros(500, "float32"))
    W4, b4 = symconv.shared(np.zeros((500, 10), "float32")), symconv.shared(np.zeros(10, "float32"))
    h = x.reshape((x.shape[0], 1, 28, 28))
    for W, b in ((W1, b1), (W2, b2)):
        h = T.tanh(pool.pool_2d(T.nnet.conv2d(h, W), (2, 2), ignore_border=True) + b.dimshuffle("x", 0, "x", "x"))
    h = T.tanh(T.dot(h.flatten(2), W3) + b3)
    p_y = T.nnet.softmax(T.dot(h, W4) + b4)
    fns = _minibatch_functions(datasets, x, y, _nll(p_y, y), _errors(p_y, y),
                               [W1, b1, W2, b2, W3, b3, W4, b4], 0.1, 50)
    errors = _errors_over_epochs(*fns, epochs=15, target=0.05)
    assert min(errors) < 0.05, errors
