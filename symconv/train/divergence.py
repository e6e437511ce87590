"""Stopping a diverging run instead of saving it as a success, and JSON that strict parsers accept.

A learning rate that is too large (or NaN) makes the cost and then the weights
NaN or infinite.  The loops check what they already bring to the host (the
costs, at each validation point and at the end of each epoch) and the
parameters (on the device, before a new best is saved and at the end of each
epoch), and raise ``TrainingDiverged`` naming the epoch and minibatch.  No
check costs a device round trip per minibatch.
"""
import math

import numpy as np

from .state import flat_costs


class TrainingDiverged(RuntimeError):
    """A cost or a parameter became NaN or infinite; the loop stopped before saving anything from then on.

    ``what`` is ``'cost'`` or ``'parameter NAME'``, ``value`` the first
    non-finite cost (None for a parameter), ``epoch`` and ``minibatch`` (one-based
    within the epoch) numbered as the loop's own lines number them.  The
    driver sets ``learning_rate``, ``phase`` and ``kept`` (what is left on disk) before reporting it.
    """

    def __init__(self, what, epoch, minibatch, value=None):
        self.what, self.epoch, self.minibatch, self.value = what, epoch, minibatch, value
        self.learning_rate = None
        self.phase = None
        """Which part of the run, e.g. ``'pre-training layer 0'`` (None: the only one)."""
        self.kept = None
        self.result = None
        """The loop's ``TrainingResult`` up to the divergence (early stopping only)."""
        self.costs = None
        """The mean cost of each finished epoch before the divergence (fixed-epoch loops only)."""
        super().__init__()

    def __str__(self):
        if self.value is None:
            where = f"{self.what} is not finite after epoch {self.epoch}, minibatch {self.minibatch}"
        else:
            where = f"{self.what} {self.value} at epoch {self.epoch}, minibatch {self.minibatch}"
        if self.phase is not None:
            where = f"{where} of {self.phase}"
        rate = "" if self.learning_rate is None else f" (learning rate {self.learning_rate:g})"
        kept = "" if self.kept is None else f"; {self.kept}"
        return f"training diverged: {where}{rate}{kept}"

    def record(self):
        """A JSON-ready summary for history.json."""
        return {"what": self.what, "value": None if self.value is None else str(self.value),
                "phase": self.phase, "epoch": self.epoch, "minibatch": self.minibatch, "message": str(self)}


def first_non_finite(costs):
    """``(index, value)`` of the first non-finite cost in `costs` (scalars and arrays alike), or None."""
    values = flat_costs(costs)
    bad = np.flatnonzero(~np.isfinite(values))
    return None if bad.size == 0 else (int(bad[0]), float(values[bad[0]]))


def check_costs(costs, epoch, first_minibatch=0):
    """Raises ``TrainingDiverged`` at the first non-finite cost; `costs` are minibatch `first_minibatch`, ...
    (zero-based) of `epoch`."""
    found = first_non_finite(costs)
    if found is not None:
        index, value = found
        raise TrainingDiverged("cost", epoch, first_minibatch + index + 1, value)


def non_finite_parameter(params):
    """The name of the first parameter (a shared variable) holding a NaN or an infinity, or None.

    The test runs where the value lives (on the device for a JAX array):
    only one boolean comes back: all parameters are tested in one compiled
    call, and only when one fails are they looked at one by one to name it.
    """
    values = [_device_value(param) for param in params]
    if _all_finite_together(values):
        return None
    for position, (param, value) in enumerate(zip(params, values)):
        if not _all_finite(value):
            name = getattr(param, "name", None) or "?"
            return f"{name} (params[{position}])"
    return None


def check_parameters(params, epoch, minibatch):
    """Raises ``TrainingDiverged`` when a parameter is not finite after minibatch `minibatch` (one-based)."""
    name = non_finite_parameter(params) if params else None
    if name is not None:
        raise TrainingDiverged(f"parameter {name}", epoch, minibatch)


def _device_value(param):
    try:
        return param.get_value(borrow=True, return_internal_type=True)
    except TypeError:
        return param.get_value(borrow=True)


def _all_finite_together(values):
    """True when every inexact JAX array of `values` is finite, tested in one dispatch; False when one is
    not or when some value is not a JAX array (the caller then tests them one by one)."""
    import jax

    if not values or not all(isinstance(v, jax.Array) for v in values):
        return False
    if len({frozenset(v.devices()) for v in values}) > 1:
        return False  # placed on different devices: one computation cannot take them all
    return bool(_jitted_all_finite()(values))


_ALL_FINITE = []


def _jitted_all_finite():
    """``jax.jit`` of: are all inexact arrays of a list finite (one compile per list of shapes and dtypes)."""
    if not _ALL_FINITE:
        import jax
        import jax.numpy as jnp

        def all_finite(values):
            tests = [jnp.isfinite(v).all() for v in values if jnp.issubdtype(v.dtype, jnp.inexact)]
            return jnp.all(jnp.stack(tests)) if tests else jnp.asarray(True)

        _ALL_FINITE.append(jax.jit(all_finite))
    return _ALL_FINITE[0]


def _all_finite(value):
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:  # pragma: no cover - jax is a dependency
        jax = None
    if jax is not None and isinstance(value, jax.Array):
        if not jnp.issubdtype(value.dtype, jnp.inexact):
            return True
        return bool(jnp.isfinite(value).all())
    array = np.asarray(value)
    return not np.issubdtype(array.dtype, np.inexact) or bool(np.isfinite(array).all())


def strict_json_value(value):
    """`value` with every NaN and infinity (floats, NumPy scalars, in lists, tuples and dicts) made None,
    so that ``json.dumps(..., allow_nan=False)`` accepts it and strict parsers can read the result."""
    if isinstance(value, dict):
        return {key: strict_json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json_value(item) for item in value]
    if isinstance(value, np.ndarray):
        return strict_json_value(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
