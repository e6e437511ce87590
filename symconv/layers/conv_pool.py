"""The LeNet convolution + max-pooling layer of convolutional_mlp.py."""
import numpy

import symconv
import symconv.tensor as T
from symconv.tensor.nnet import conv2d
from symconv.tensor.signal.pool import pool_2d

from .base import Layer
from .init import as_shared, zeros


class LeNetConvPoolLayer(Layer):
    """``tanh(max_pool(conv2d(input, W)) + b)``, one bias per output feature map.

    `filter_shape` is (number of filters, input feature maps, filter rows,
    filter columns); `image_shape` is (batch size, input feature maps, image
    rows, image columns), where the batch size may be None (any).  ``W`` is
    uniform in ``±sqrt(6 / (fan_in + fan_out))`` with fan_in = input maps x
    filter area and fan_out = filters x filter area / pooling area; ``b`` starts
    at zero.
    """

    def __init__(self, rng, input, filter_shape, image_shape, poolsize=(2, 2), W=None, b=None):
        filter_shape = tuple(int(d) for d in filter_shape)
        image_shape = tuple(None if d is None else int(d) for d in image_shape)
        poolsize = tuple(int(d) for d in poolsize)
        if len(filter_shape) != 4 or len(image_shape) != 4:
            raise ValueError(f"filter_shape and image_shape must have 4 entries, got {filter_shape} and {image_shape}")
        if image_shape[1] != filter_shape[1]:
            raise ValueError(f"image_shape {image_shape} has {image_shape[1]} feature maps but filter_shape "
                             f"{filter_shape} expects {filter_shape[1]}")
        self.input = input
        self.filter_shape, self.image_shape, self.poolsize = filter_shape, image_shape, poolsize

        if W is None:
            # Each hidden unit sees "input maps x filter rows x filter columns" inputs, and each
            # input unit gets a gradient from "filters x filter area / pooling area" units.
            fan_in = numpy.prod(filter_shape[1:])
            fan_out = filter_shape[0] * numpy.prod(filter_shape[2:]) / numpy.prod(poolsize)
            W_bound = numpy.sqrt(6.0 / (fan_in + fan_out))
            W = numpy.asarray(rng.uniform(low=-W_bound, high=W_bound, size=filter_shape), dtype=symconv.config.floatX)
        if b is None:
            b = zeros((filter_shape[0],))
        self.W = as_shared(W, "W", filter_shape)
        self.b = as_shared(b, "b", (filter_shape[0],))

        conv_out = conv2d(input=input, filters=self.W, filter_shape=filter_shape, input_shape=image_shape)
        pooled_out = pool_2d(input=conv_out, ws=poolsize, ignore_border=True)
        # The bias, reshaped to (1, n_filters, 1, 1), broadcasts over the batch and the map's pixels.
        self.output = T.tanh(pooled_out + self.b.dimshuffle("x", 0, "x", "x"))
        self.params = [self.W, self.b]

    @property
    def output_shape(self):
        """(batch size, filters, rows, columns) of ``output``."""
        rows, cols = (
            (size - k + 1) // p for size, k, p in zip(self.image_shape[2:], self.filter_shape[2:], self.poolsize))
        return (self.image_shape[0], self.filter_shape[0], rows, cols)

    def architecture(self):
        return {"filter_shape": self.filter_shape, "image_shape": self.image_shape, "poolsize": self.poolsize}

    @classmethod
    def from_params(cls, params, input, batch_size=None, filter_shape=None, image_shape=None, poolsize=(2, 2)):
        W, b = params
        image_shape = (batch_size,) + tuple(image_shape[1:])
        return cls(None, input, filter_shape, image_shape, poolsize, W=W, b=b)


ConvPool = LeNetConvPoolLayer
