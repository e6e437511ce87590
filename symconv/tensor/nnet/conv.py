"""The old module path ``theano.tensor.nnet.conv.conv2d(input, filters, filter_shape, image_shape)``."""
from .convolution import conv2d as _conv2d


def conv2d(input, filters, filter_shape=None, image_shape=None, border_mode="valid", subsample=(1, 1), **kwargs):
    """Same op as ``T.nnet.conv2d``, with the old argument order."""
    return _conv2d(input, filters, input_shape=image_shape, filter_shape=filter_shape, border_mode=border_mode,
                   subsample=subsample, **kwargs)
