"""Theano's ``NanGuardMode`` (``theano.compile.nanguardmode``): a compiled function that stops at the first NaN, Inf or huge value.

``symconv.function(inputs, outputs, mode=NanGuardMode(nan_is_error=True, inf_is_error=True,
big_is_error=True))`` (or ``mode='NanGuardMode'``) checks the value of every node
of the graph, inside the one compiled computation; the first bad one (in graph
order) raises ``NanGuardError`` naming the op and the user line that built it,
and no shared variable is updated by that call.
"""
import jax.numpy as jnp

from ..config import config
from ..contract import record_check
from .mode import MODE_CLASSES, Mode

BIG = 1e10  # Theano's threshold for big_is_error


class NanGuardError(AssertionError):
    """NanGuardMode found a NaN, an Inf or a value above 1e10 (Theano raises AssertionError)."""


class NanGuardMode(Mode):
    """Which values stop the function: NaN (`nan_is_error`), +-Inf (`inf_is_error`), |x| > 1e10 (`big_is_error`)."""

    def __init__(self, nan_is_error=None, inf_is_error=None, big_is_error=None, optimizer=None, linker=None):
        # None: Theano's flags config.NanGuardMode.nan_is_error & co (True by default)
        self.nan_is_error = config.NanGuardMode.nan_is_error if nan_is_error is None else bool(nan_is_error)
        self.inf_is_error = config.NanGuardMode.inf_is_error if inf_is_error is None else bool(inf_is_error)
        self.big_is_error = config.NanGuardMode.big_is_error if big_is_error is None else bool(big_is_error)
        super().__init__(None, "default" if optimizer is None else optimizer)

    def watch(self, nodes, env):
        """The checks of every node's outputs, in graph order (called while the function is traced)."""
        for node in nodes:
            for out in node.outputs:
                if out in env:
                    where = f" created at {node.source}" if node.source else ""
                    self.check(env[out], f"the output of {node.op}{where}")

    def check(self, value, where):
        """Record the checks of one value (called while the function is lowered)."""
        value = jnp.asarray(value)
        where = where.replace("{", "{{").replace("}", "}}")  # the message is formatted with the values
        if value.dtype.kind not in "fc" or value.size == 0:
            return
        if self.nan_is_error:
            record_check(~jnp.any(jnp.isnan(value)), f"NanGuardMode: NaN detected in {where}", error=NanGuardError)
        if self.inf_is_error:
            record_check(~jnp.any(jnp.isinf(value)), f"NanGuardMode: Inf detected in {where}", error=NanGuardError)
        if self.big_is_error:
            biggest = jnp.max(jnp.where(jnp.isfinite(value), jnp.abs(value), 0))
            record_check(biggest <= BIG, f"NanGuardMode: a value of magnitude {{}} (above {BIG:g}) in {where}",
                         biggest, error=NanGuardError)

    def __repr__(self):
        return (f"NanGuardMode(nan_is_error={self.nan_is_error}, inf_is_error={self.inf_is_error}, "
                f"big_is_error={self.big_is_error})")


MODE_CLASSES["NanGuardMode"] = NanGuardMode  # get_mode('NanGuardMode'), as Theano's
