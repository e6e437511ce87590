"""``T.nnet``: convolution, nonlinearities and losses of neural networks."""
from . import bn, conv  # noqa: F401
from .basic import *  # noqa: F401,F403
from .convolution import conv2d  # noqa: F401
