"""``from symconv.sandbox.rng_mrg import MRG_RandomStreams``: Theano's MRG31k3p streams.

``uniform``, ``normal`` (Box-Muller on uniforms, as Theano's), ``binomial``,
``multinomial`` and ``choice`` draw the same numbers as Theano 1.0.5 for the
same seed (see :mod:`symconv.random_mrg`); ``rstate``, ``seed()`` and
``state_updates`` (tuples ``(state, new_state, size, nstreams)``) are Theano's;
``normal(truncate=True)`` and ``truncated_normal`` redraw out-of-range values
from a second draw, as Theano's.
"""
import numpy as np

from .. import random_mrg as mrg
from ..config import config
from ..dtypes import upcast
from ..graph import Variable
from ..interpret import static_value
from ..ops.literals import as_tensor_variable
from ..random import RandomStreamsBase, size_vector
from ..compile.shared import SharedVariable
from .. import tensor as T

__all__ = ["MRG_RandomStreams", "guess_n_streams"]

guess_n_streams = mrg.guess_n_streams


def _checked_rstate(seed):
    """Theano's set_rstate: one int (0 < seed < M2) repeated 6 times, or 6 ints."""
    if isinstance(seed, (int, np.integer)):
        if seed == 0:
            raise ValueError("seed should not be 0", seed)
        if seed >= mrg.M2:
            raise ValueError(f"seed should be less than {mrg.M2}", seed)
        return np.asarray([seed] * 6, dtype="int32")
    if len(seed) != 6:
        raise TypeError("seed should be 1 integer or 6 integers")
    seed = [int(s) for s in seed]
    if not any(seed[:3]) or not any(seed[3:]):
        raise ValueError("The first 3 and the last 3 values of seed should not be all 0", seed)
    if max(seed[:3]) >= mrg.M1 or max(seed[3:]) >= mrg.M2:
        raise ValueError(f"The first 3 values of seed should be less than {mrg.M1}, the last 3 less than {mrg.M2}",
                         seed)
    return np.asarray(seed, dtype="int32")


class MRG_RandomStreams(RandomStreamsBase):
    """Random streams with Theano's MRG31k3p generator: ``MRG_RandomStreams(seed=12345)``."""

    default_seed = 12345

    def __init__(self, seed=12345, use_cuda=None):
        super().__init__(seed)
        self.rstate = _checked_rstate(seed)

    def seed(self, seed=None):
        """Reset rstate from `seed` and give every stream made so far its state again, in order (Theano's)."""
        if seed is None:
            seed = self.default_instance_seed
        self.rstate = _checked_rstate(seed)
        super().seed(seed)  # the draws sampled with JAX's generator (multinomial, choice)
        for entry in self.state_updates:
            if len(entry) == 4:
                state, new_state, size, nstreams = entry
                count = state.get_value(borrow=True).shape[0]
                state.set_value(self.get_substream_rstates(count, new_state.dtype))

    def updates(self):
        return [tuple(entry[:2]) for entry in self.state_updates]

    def inc_rstate(self):
        """Move rstate 2**134 steps on, to where the next draw's streams start."""
        self.rstate = mrg.next_rstate(self.rstate)

    def get_substream_rstates(self, n_streams, dtype=None, inc_rstate=True):
        """(n_streams, 6) int32 stream states, 2**72 steps apart, starting at rstate."""
        rows = mrg.substreams(self.rstate, int(n_streams))
        if inc_rstate:
            self.inc_rstate()
        return rows

    def n_streams(self, size):
        return guess_n_streams(size)

    def uniform(self, size, low=0.0, high=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        """Samples in (low, high), Theano's numbers: ``u * (high - low) + low`` with u from MRG31k3p."""
        low, high = as_tensor_variable(low), as_tensor_variable(high)
        dtype = dtype or upcast(config.floatX, low.dtype, high.dtype)
        if isinstance(size, list):
            size = tuple(size)
        if isinstance(size, tuple) and any(isinstance(s, (int, np.integer)) and s <= 0 for s in size):
            raise ValueError("The specified size contains a dimension with value <= 0", size)
        if not isinstance(size, tuple) and not (isinstance(size, Variable) and size.ndim == 1):
            raise TypeError(f"size must be a tuple of int or a Theano Variable with 1 dimension, got {size} "
                            f"of type {type(size)}")
        vector = size_vector(size, ndim)
        rows = self.get_substream_rstates(nstreams or self.n_streams(size), dtype)
        state = SharedVariable(rows, name=f"MRG_RandomStreams.rstate{len(self.state_updates)}")
        new_state, u = mrg.uniform_op(dtype)(state, vector)
        state.default_update = new_state
        state.tag.is_rng = True
        u.rstate, u.update = state, (state, new_state)
        self.state_updates.append((state, new_state, size, nstreams))
        result = u * (T.cast(high, dtype) - T.cast(low, dtype)) + T.cast(low, dtype)
        result.rng, result.rstate, result.update = state, state, (state, new_state)
        return result

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype="int64", nstreams=None, prob=None, **kwargs):
        """``uniform(size) < p`` cast to `dtype` (n must be 1, as in Theano)."""
        p = prob if prob is not None else p
        if n != 1:
            raise NotImplementedError("MRG_RandomStreams.binomial with n > 1")
        x = self.uniform(size=size, nstreams=nstreams, ndim=ndim)
        return T.cast(x < as_tensor_variable(p), dtype)

    def normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None, truncate=False, **kwargs):
        """Theano's Box-Muller: an even number of uniforms, halves u1, u2, ``sqrt(-2 log u1) (cos, sin)(2 pi u2)``."""
        avg, std = as_tensor_variable(avg), as_tensor_variable(std)
        dtype = dtype or upcast(config.floatX, avg.dtype, std.dtype)
        vector = size_vector(size, ndim)
        n_odd = T.prod(vector, dtype="int64")
        n_even = n_odd + n_odd % 2
        uniform = self.uniform((n_even,), low=0.0, high=1.0, ndim=1, dtype=dtype, nstreams=nstreams)
        u1, u2 = uniform[:n_even // 2], uniform[n_even // 2:]
        r = T.sqrt(-2.0 * T.log(u1))
        theta = np.array(2.0 * np.pi, dtype=dtype) * u2
        cos_theta, sin_theta = T.cos(theta), T.sin(theta)
        if truncate:
            samples = self._redraw_outside(r * cos_theta, r * sin_theta, cos_theta, sin_theta, n_even, dtype,
                                           nstreams)[:n_odd]
        else:
            samples = T.join(0, r * cos_theta, r * sin_theta)[:n_odd]
        known = static_value(vector)
        shape = tuple(int(s) for s in known) if known is not None else vector
        samples = T.reshape(samples, shape, ndim=vector.type.shape[0])
        samples = samples * T.cast(std, dtype) + T.cast(avg, dtype)
        samples.rng = samples.rstate = uniform.rstate
        return samples

    def _redraw_outside(self, z0, z1, cos_theta, sin_theta, n_even, dtype, nstreams):
        """Theano's truncation: a second uniform draw (its own streams) redraws the radius of values outside +-2."""
        rows = self.get_substream_rstates(nstreams or self.n_streams((n_even,)), dtype)
        state = SharedVariable(rows, name=f"MRG_RandomStreams.rstate{len(self.state_updates)}")
        new_state, samples = mrg.truncate_op(dtype)(state, z0, z1, cos_theta, sin_theta)
        state.default_update = new_state
        state.tag.is_rng = True
        self.state_updates.append((state, new_state, (n_even,), nstreams))
        return samples

    def truncated_normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        """Normal samples cut at two standard deviations, rescaled to std (Theano's: std / 0.8796...)."""
        std = as_tensor_variable(std) / as_tensor_variable(0.87962566103423978)  # a literal: floatX, as Theano's
        return self.normal(size, avg, std, ndim, dtype, nstreams, truncate=True)

    def multinomial(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """Counts of `n` draws per row of the matrix `pvals` (Theano's numbers: one uniform per row and draw)."""
        if pvals is None:
            raise TypeError("You have to specify pvals")
        pvals = as_tensor_variable(pvals)
        if size is not None and any(isinstance(i, (int, np.integer)) and i <= 0 for i in size):
            raise ValueError("The specified size contains a dimension with value <= 0", size)
        if size is not None and tuple(size) != ():
            raise ValueError("Provided a size argument to MRG_RandomStreams.multinomial, which does not use the "
                             "size argument.")
        if ndim is not None:
            raise ValueError("Provided an ndim argument to MRG_RandomStreams.multinomial, which does not use the "
                             "ndim argument.")
        if pvals.ndim != 2:
            raise NotImplementedError("MRG_RandomStreams.multinomial only implemented for pvals.ndim = 2")
        n = as_tensor_variable(n)
        unis = self.uniform(size=(pvals.shape[0] * n,), ndim=1, nstreams=nstreams)
        return mrg.multinomial_op(dtype)(pvals, unis, n)

    def choice(self, size=1, a=None, replace=True, p=None, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """`size` outcomes per row of the probability matrix `p`: shape ``(p.shape[0], size)``, Theano's numbers.

        Theano implements only ``replace=False`` (each outcome at most once per
        row); ``replace=True`` (Theano's default, where it raises) draws with
        replacement from the same uniforms.
        """
        if a is not None:
            raise TypeError("For now, a has to be None in MRG_RandomStreams.choice. Sampled values are between 0 "
                            "and p.shape[1]-1")
        if p is None:
            raise TypeError("For now, p has to be specified in MRG_RandomStreams.choice.")
        if ndim is not None:
            raise ValueError("ndim argument to MRG_RandomStreams.choice is not used.")
        p = as_tensor_variable(p)
        if p.ndim != 2:
            raise NotImplementedError("MRG_RandomStreams.choice is only implemented for p.ndim = 2")
        size = as_tensor_variable(size)
        unis = self.uniform(size=(p.shape[0] * size,), ndim=1, nstreams=nstreams)
        return mrg.choice_op(dtype, replace)(p, unis, size)

    multinomial_wo_replacement = choice

