"""``from symconv.tensor.shared_randomstreams import RandomStreams``: Theano's friendly random streams.

As in Theano, each draw has its own ``numpy.random.RandomState``, seeded from
a generator of seeds that ``RandomStreams(seed)`` and ``srng.seed(n)`` create
(``RandomState(seed).randint(2 ** 30)`` per draw, in order), and ``rv.rng`` is
a shared variable whose value is that RandomState.  The compiled function
runs NumPy's generator itself (:mod:`symconv.random_mt`): ``uniform``,
``normal``, ``binomial(n=1)``, ``random_integers``, ``permutation`` and
``choice`` (but with ``p`` and without replacement) give Theano's numbers; the
others (``binomial`` with n > 1, ``multinomial``, ``truncated_normal``) are
sampled with JAX from the generator's next words (:mod:`symconv.random`).
"""
import numpy as np

from .. import random_mt
from ..random import RandomStateVariable, RandomStreamsBase

__all__ = ["RandomStreams", "RandomStateVariable"]


class RandomStreams(RandomStreamsBase):
    """Symbolic stand-in for ``numpy.random.RandomState``; ``seed=None`` draws a seed at random."""

    default_seed = None
    generator = {"generator": "numpy"}

    def __init__(self, seed=None):
        super().__init__(seed)
        self.gen_seedgen = np.random.RandomState(seed)

    def new_state(self, index):
        """Draw `index`'s RandomState: seeded with the next seed of the generator of seeds (Theano's)."""
        seed = int(self.gen_seedgen.randint(2 ** 30))
        state = RandomStateVariable(random_mt.seeded(seed), name=f"RandomStreams.state{index}")
        state.tag.is_rng = True
        return state

    def __getitem__(self, item):
        """The RandomState of the stream whose state is `item` (``srng[rv.rng]``, as ``rv.rng.get_value()``)."""
        return item.get_value(borrow=True)

    def __setitem__(self, item, value):
        """Set the RandomState of the stream whose state is `item` (``srng[rv.rng] = RandomState(3)``)."""
        item.set_value(value, borrow=True)

    def seed(self, seed=None):
        """Reseed every draw made so far, in order, from ``RandomState(seed)`` (None: the constructor's seed)."""
        if seed is None:
            seed = self.default_instance_seed
        self.gen_seedgen = np.random.RandomState(seed)
        for state, _ in self.state_updates:
            state.set_value(random_mt.seeded(int(self.gen_seedgen.randint(2 ** 30))))
