"""The multilayer perceptron of mlp.py: one tanh hidden layer under a logistic regression."""
from .. import tensor as T
from .base import Layer, split_params, weight_bias
from .classifier import Classifier
from .hidden import HiddenLayer
from .logistic_regression import LogisticRegression


class MLP(Layer, Classifier):
    """``LogisticRegression(HiddenLayer(input))`` with the L1 and squared L2 norms of both weight matrices.

    ``params`` is the hidden layer's [W, b] then the logistic layer's [W, b].
    """

    def __init__(self, rng, input, n_in, n_hidden, n_out, activation=T.tanh, params=None):
        self.input = input
        self.n_in, self.n_hidden, self.n_out = int(n_in), int(n_hidden), int(n_out)
        hidden_params, output_params = split_params(params, (2, 2), "MLP")
        self.hiddenLayer = HiddenLayer(rng=rng, input=input, n_in=n_in, n_out=n_hidden, activation=activation,
                                       **weight_bias(hidden_params))
        self.logRegressionLayer = LogisticRegression(input=self.hiddenLayer.output, n_in=n_hidden, n_out=n_out,
                                                     **weight_bias(output_params))
        self.output_layer = self.logRegressionLayer
        # Regularisers: the L1 norm and the squared L2 norm of the weights (not the biases).
        self.L1 = abs(self.hiddenLayer.W).sum() + abs(self.logRegressionLayer.W).sum()
        self.L2_sqr = (self.hiddenLayer.W ** 2).sum() + (self.logRegressionLayer.W ** 2).sum()
        self.params = self.hiddenLayer.params + self.logRegressionLayer.params

    def architecture(self):
        return {"n_in": self.n_in, "n_hidden": self.n_hidden, "n_out": self.n_out,
                "activation": self.hiddenLayer.activation}

    @classmethod
    def from_params(cls, params, input, batch_size=None, n_in=None, n_hidden=None, n_out=None, activation=T.tanh):
        return cls(None, input, n_in, n_hidden, n_out, activation=activation, params=params)
