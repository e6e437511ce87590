"""``T.nnet``: nonlinearities and losses of neural networks."""
from .basic import *  # noqa: F401,F403
