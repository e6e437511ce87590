"""``from symconv.tensor.shared_randomstreams import RandomStreams``: Theano's friendly random streams.

See :mod:`symconv.random` for how the state is kept (a JAX PRNG key per draw,
advanced by the draw's default update).
"""
from ..random import RandomStreamsBase

__all__ = ["RandomStreams"]


class RandomStreams(RandomStreamsBase):
    """Symbolic stand-in for ``numpy.random.RandomState``; ``seed=None`` draws a seed at random."""

    default_seed = None
