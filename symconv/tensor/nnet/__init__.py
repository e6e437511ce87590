"""``T.nnet``: convolution, nonlinearities and losses of neural networks."""
from ...ops.nnet import *  # noqa: F401,F403
from ...ops.nnet import logsoftmax, sigmoid, softmax, softplus  # noqa: F401
from . import abstract_conv, bn, conv  # noqa: F401
from .abstract_conv import conv3d  # noqa: F401
from .convolution import conv2d  # noqa: F401
