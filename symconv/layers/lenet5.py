"""LeNet5 as convolutional_mlp.py builds it: two conv-pool layers, a tanh layer, a softmax."""
from .. import tensor as T
from .base import Layer, split_params, weight_bias
from .classifier import Classifier
from .conv_pool import LeNetConvPoolLayer
from .hidden import HiddenLayer
from .logistic_regression import LogisticRegression


class LeNet5(Layer, Classifier):
    """The tutorial's LeNet5 on a matrix `input` of rasterized images, one per row.

    The rows are reshaped to (batch_size, 1, rows, cols) images: `batch_size`
    is fixed in the graph as in the tutorial, or None for any number of images.
    ``layer0`` and ``layer1`` convolve with 5x5 filters (``nkerns`` of them) and
    max-pool 2x2, ``layer2`` is a fully connected tanh layer of `n_hidden`
    units and ``layer3`` the logistic regression.  Weights are drawn from `rng`
    in that order, as the tutorial does.

    ``params`` is ``layer3.params + layer2.params + layer1.params + layer0.params``,
    the tutorial's order; pass such a list (shared variables or arrays) as
    `params` to build the model from saved parameters.
    """

    def __init__(self, rng, input, batch_size=500, nkerns=(20, 50), n_hidden=500, n_out=10, image_size=(28, 28),
                 filter_size=(5, 5), poolsize=(2, 2), params=None):
        self.input = input
        self.batch_size = None if batch_size is None else int(batch_size)
        self.nkerns = tuple(int(k) for k in nkerns)
        self.n_hidden, self.n_out = int(n_hidden), int(n_out)
        self.image_size, self.filter_size, self.poolsize = tuple(image_size), tuple(filter_size), tuple(poolsize)
        if len(self.nkerns) != 2:
            raise ValueError(f"LeNet5 has two convolutional layers: nkerns needs 2 entries, got {nkerns!r}")
        p3, p2, p1, p0 = split_params(params, (2, 2, 2, 2), "LeNet5")

        rows, cols = self.image_size
        # (batch_size, 28 * 28) rows -> (batch_size, 1, 28, 28) images.
        self.layer0_input = input.reshape((-1 if batch_size is None else batch_size, 1, rows, cols))
        # 28x28 -> conv 5x5 -> 24x24 -> pool 2x2 -> 12x12.
        self.layer0 = LeNetConvPoolLayer(rng, input=self.layer0_input, image_shape=(self.batch_size, 1, rows, cols),
                                         filter_shape=(self.nkerns[0], 1) + self.filter_size, poolsize=self.poolsize,
                                         **weight_bias(p0))
        # 12x12 -> conv 5x5 -> 8x8 -> pool 2x2 -> 4x4.
        self.layer1 = LeNetConvPoolLayer(rng, input=self.layer0.output, image_shape=self.layer0.output_shape,
                                         filter_shape=(self.nkerns[1], self.nkerns[0]) + self.filter_size,
                                         poolsize=self.poolsize, **weight_bias(p1))
        # (batch_size, nkerns[1], 4, 4) -> (batch_size, nkerns[1] * 4 * 4) for the fully connected layer.
        _, maps, out_rows, out_cols = self.layer1.output_shape
        self.layer2 = HiddenLayer(rng, input=self.layer1.output.flatten(2), n_in=maps * out_rows * out_cols,
                                  n_out=self.n_hidden, activation=T.tanh, **weight_bias(p2))
        self.layer3 = LogisticRegression(input=self.layer2.output, n_in=self.n_hidden, n_out=self.n_out,
                                         **weight_bias(p3))
        self.output_layer = self.layer3
        self.layers = [self.layer0, self.layer1, self.layer2, self.layer3]
        self.params = self.layer3.params + self.layer2.params + self.layer1.params + self.layer0.params

    def architecture(self):
        return {"nkerns": self.nkerns, "n_hidden": self.n_hidden, "n_out": self.n_out,
                "image_size": self.image_size, "filter_size": self.filter_size, "poolsize": self.poolsize}

    @classmethod
    def from_params(cls, params, input, batch_size=None, **architecture):
        return cls(None, input, batch_size=batch_size, params=params, **architecture)


def build_lenet5(rng, input, batch_size=500, nkerns=(20, 50), **kwargs):
    """``LeNet5(rng, input, batch_size, nkerns, ...)``: the tutorial's network (500 tanh units, 10 classes)."""
    return LeNet5(rng, input, batch_size=batch_size, nkerns=nkerns, **kwargs)
