"""LeNet5 the tutorial's way (convolutional_mlp.py) with symconv.

The data are shared variables (labels stored as floatX and cast to int32, as the tutorial's
``shared_dataset`` does), the network is built from the tutorial's layers, and the train and
validate functions take a minibatch index and slice the data with ``givens``.
"""
import numpy as np

import symconv
import symconv.tensor as T
from symconv.layers.conv_pool import LeNetConvPoolLayer
from symconv.layers.hidden import HiddenLayer
from symconv.layers.logistic_regression import LogisticRegression


def build_tutorial_functions(config, params, data):
    """``(train_model, validate_model, shared params)`` exactly as convolutional_mlp.py writes them."""
    floatX = symconv.config.floatX
    train_set_x = symconv.shared(np.asarray(data[0], dtype=floatX), borrow=True)
    train_set_y = T.cast(symconv.shared(np.asarray(data[1], dtype=floatX), borrow=True), "int32")
    batch_size = config.batch_size
    rows, cols = config.image
    (r0, c0), _ = config.feature_shapes()

    index = T.lscalar()
    x = T.matrix("x")
    y = T.ivector("y")
    layer0_input = x.reshape((batch_size, 1, rows, cols))
    layer0 = LeNetConvPoolLayer(None, input=layer0_input, image_shape=(batch_size, 1, rows, cols),
                                filter_shape=(config.nkerns[0], 1) + config.filter, poolsize=config.pool,
                                W=params["W0"].copy(), b=params["b0"].copy())
    layer1 = LeNetConvPoolLayer(None, input=layer0.output, image_shape=(batch_size, config.nkerns[0], r0, c0),
                                filter_shape=(config.nkerns[1], config.nkerns[0]) + config.filter,
                                poolsize=config.pool, W=params["W1"].copy(), b=params["b1"].copy())
    layer2 = HiddenLayer(None, input=layer1.output.flatten(2), n_in=config.flat_features, n_out=config.n_hidden,
                         activation=T.tanh, W=params["W2"].copy(), b=params["b2"].copy())
    layer3 = LogisticRegression(input=layer2.output, n_in=config.n_hidden, n_out=config.n_out,
                                W=params["W3"].copy(), b=params["b3"].copy())
    cost = layer3.negative_log_likelihood(y)
    shared_params = layer3.params + layer2.params + layer1.params + layer0.params
    grads = T.grad(cost, shared_params)
    learning_rate = config.learning_rate
    updates = [(p, p - learning_rate * g) for p, g in zip(shared_params, grads)]
    window = slice(index * batch_size, (index + 1) * batch_size)
    train_model = symconv.function([index], cost, updates=updates,
                                   givens={x: train_set_x[window], y: train_set_y[window]})
    validate_model = symconv.function([index], layer3.errors(y),
                                      givens={x: train_set_x[window], y: train_set_y[window]})
    names = ["W3", "b3", "W2", "b2", "W1", "b1", "W0", "b0"]
    return train_model, validate_model, dict(zip(names, shared_params))


class SymconvTutorial:
    """symconv, per-minibatch calls (``train_model(i)``) or whole epochs (``train_model.map(...)``)."""

    family = "symconv"

    def __init__(self, name, label, config, epoch=False):
        self.name, self.label, self.config, self.epoch = name, label, config, epoch
        self.per_call = not epoch

    def build(self, params, data):
        self.train_model, self.validate_model, self.shared = build_tutorial_functions(self.config, params, data)

    def train(self, indices):
        if self.epoch:
            return self.train_model.map(list(indices))
        return [self.train_model(i) for i in indices]

    def evaluate(self, indices):
        if self.epoch:
            return np.asarray(self.validate_model.map(list(indices)))
        return np.asarray([self.validate_model(i) for i in indices])

    def get_params(self):
        return {k: np.asarray(v.get_value()) for k, v in self.shared.items()}
