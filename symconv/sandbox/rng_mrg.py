"""``from symconv.sandbox.rng_mrg import MRG_RandomStreams``.

Theano's MRG31k3p generator is replaced by JAX's threefry (same interface, not
the same numbers); see :mod:`symconv.random`.  ``nstreams`` and ``use_cuda``
are accepted and ignored.
"""
import numpy as np

from ..random import RandomStreamsBase
from ..interpret import static_value
from ..ops.literals import as_tensor_variable

__all__ = ["MRG_RandomStreams"]


class MRG_RandomStreams(RandomStreamsBase):
    """Random streams with MRG's defaults: seed 12345, ``multinomial``/``choice`` on rows of probabilities."""

    default_seed = 12345

    def __init__(self, seed=12345, use_cuda=None):
        super().__init__(seed)

    def uniform(self, size=None, low=0.0, high=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        return super().uniform(size, low, high, ndim, dtype)

    def normal(self, size=None, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None, truncate=False, **kwargs):
        return super().normal(size, avg, std, ndim, dtype, truncate=truncate)

    def truncated_normal(self, size=None, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        return super().normal(size, avg, std, ndim, dtype, truncate=True)

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype="int64", nstreams=None, prob=None, **kwargs):
        return super().binomial(size, n, p, ndim, dtype, prob=prob)

    def multinomial(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """One row of counts per row of `pvals` (a matrix): ``[[.98, .01, .01]]`` gives mostly ``[[1, 0, 0]]``."""
        if pvals is None:
            raise TypeError("MRG_RandomStreams.multinomial needs pvals")
        pvals = as_tensor_variable(pvals)
        if size is not None and not (isinstance(size, (tuple, list)) and len(size) in (0, pvals.ndim - 1)):
            raise ValueError(f"multinomial's size {size!r} must be None: the output has the shape of pvals")
        return super().multinomial(size if size is not None else (), n, pvals, None, dtype)

    def choice(self, size=1, a=None, replace=True, p=None, ndim=None, dtype="int64", nstreams=None, **kwargs):
        """`size` indices per row of the probability matrix `p` (shape ``(p.shape[0], size)``)."""
        if a is not None or p is None:
            return super().choice(size if size is not None else (), 2 if a is None else a, replace, p, ndim, dtype)
        p = as_tensor_variable(p)
        if p.ndim != 2:
            raise TypeError(f"MRG_RandomStreams.choice needs p to be a matrix (one distribution per row), "
                            f"got {p.type}")
        k = static_value(as_tensor_variable(size))
        if k is None or np.ndim(k) != 0:
            raise TypeError("MRG_RandomStreams.choice needs an integer size known when the graph is built")
        return self._draw("rows_choice", (p.shape[0], int(k)), [p], None, dtype, trailing=(),
                          k=int(k), replace=bool(replace))

    multinomial_wo_replacement = choice
