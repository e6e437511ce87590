"""Several compiled functions' ``map`` calls run as one XLA computation: one dispatch, one host sync.

A training loop that, after each epoch's ``train_model.map(indices)``, calls
``validate_model`` and sometimes ``test_model`` waits for the device between
every two of them.  ``FusedMaps([train_model, validate_model, test_model])``
runs ``train_model.map(a)``, then ``validate_model.map(b)``, then
``test_model.map(c)`` inside one ``jax.jit``: each function reads the shared
values the ones before it left (the validation sees the trained weights), as
the calls one after the other would.  The last function can be made
conditional (``guard``): it runs, inside the same computation, only when a
predicate of the earlier functions' outputs holds (the test set is evaluated
only when the validation loss may be a new best).

Each function's own traced body is reused (the one its ``map`` scans), so
the values are those of the separate calls.  Only functions compiled for one
device are fused (``FusedMaps.possible``).  This module is the compiler's
friend: it reads the ``Function`` internals that ``Function.map`` reads.
"""
import dataclasses
from typing import Callable, Optional

import jax
import jax.numpy as jnp
import numpy as np

from .variants import compiler_options


@dataclasses.dataclass
class FusedResult:
    outputs: list
    """Per function, its outputs stacked over the calls (one array for a single-output function, else a list);
    None for a guarded function that did not run."""
    finite: Optional[bool]
    """Whether every value of ``FusedMaps(finite=...)`` was finite after all the calls (None when none were asked)."""


class FusedMaps:
    """``fused(sequences)`` is ``[f.map(*s) for f, s in zip(functions, sequences)]`` in one dispatch.

    `functions` are ``symconv.function`` results whose inputs are scalars (minibatch
    indices); `sequences` gives each of them one sequence per input.  `finite`:
    shared variables tested for NaN and infinity after the calls, in the same
    computation.  `guard(outputs, *guard_args)`: traced with JAX; the last
    function runs only where it returns true (``outputs``: the earlier functions'
    stacked outputs, each a list).
    """

    def __init__(self, functions, finite=(), guard: Optional[Callable] = None):
        if not self.possible(functions):
            raise ValueError("FusedMaps needs functions compiled for one device, with only scalar inputs known at "
                             "run time")
        self.functions = list(functions)
        self.guard = guard
        seen, updated = [], set()
        for fn in self.functions:
            seen += [v for v in fn.updated_shared + fn.read_shared + list(finite) if v not in seen]
            updated |= set(fn.updated_shared)
        self._updated = [v for v in seen if v in updated]
        self._read = [v for v in seen if v not in updated]
        self._finite = list(finite)
        self._jitted = {}

    @staticmethod
    def possible(functions):
        """True when `functions` can be fused: one device each, scalar inputs, none needed at compile time."""
        return all(fn.fusable() for fn in functions)

    def __call__(self, sequences, guard_args=()):
        stacked = tuple(self._stack(fn, columns) for fn, columns in zip(self.functions, sequences))
        updated = tuple(_value(v) for v in self._updated)
        read = tuple(_value(v) for v in self._read)
        guard_args = tuple(np.asarray(a) for a in guard_args)
        signature = tuple((np.shape(v), str(v.dtype)) for v in sum(stacked, ()) + updated + read + guard_args)
        jitted = self._jitted.get(signature)
        if jitted is None:
            jitted = self._jitted[signature] = jax.jit(self._body, donate_argnums=(1,), compiler_options=compiler_options())
        outs, new, oks, ran, finite = jitted(stacked, updated, read, guard_args)
        for variable, value in zip(self._updated, new):
            variable.set_value(value, borrow=True)
        outs, oks, ran, finite = jax.device_get((outs, oks, ran, finite))
        if ran is not None and not ran:
            outs[-1] = None
        for fn, fn_oks, fn_stacked in zip(self.functions, oks, stacked):
            if not np.all(fn_oks):
                _raise_failed_call(fn, fn_stacked, int(np.argmin(fn_oks)))
        outputs = [None if o is None else [np.array(a) for a in o] for o in outs]
        outputs = [o[0] if o is not None and fn.single_output else o for fn, o in zip(self.functions, outputs)]
        return FusedResult(outputs, None if finite is None else bool(finite))

    def _stack(self, fn, columns):
        if len(columns) != len(fn.inputs):
            raise TypeError(f"{fn.name}: one sequence per input ({len(fn.inputs)}) is needed, got {len(columns)}")
        stacked = []
        for inp, column in zip(fn.inputs, columns):
            given = np.asarray(column)
            value = given.astype(inp.variable.dtype)
            if given.ndim != 1 or not np.array_equal(value, given):
                raise TypeError(f"{fn.name}: input {inp.variable.describe()} needs a sequence of "
                                f"{inp.variable.dtype} values, got {given!r}")
            stacked.append(value)
        return tuple(stacked)

    def _body(self, stacked, updated, read, guard_args):
        env = dict(zip(self._updated, updated))
        env.update(zip(self._read, read))
        outs, oks, ran = [], [], None
        for position, (fn, sequences) in enumerate(zip(self.functions, stacked)):
            def stage(_, fn=fn, sequences=sequences):
                return fn.map_body(sequences, [env[v] for v in fn.updated_shared],
                                   [env[v] for v in fn.read_shared])

            if self.guard is not None and position == len(self.functions) - 1:
                ran = jnp.asarray(self.guard(outs, *guard_args), bool)
                fn_outs, new, fn_oks, _ = jax.lax.cond(ran, stage, _skipped(stage, [env[v] for v in fn.updated_shared]),
                                                       None)
            else:
                fn_outs, new, fn_oks, _ = stage(None)
            outs.append(fn_outs)
            oks.append(fn_oks)
            env.update(zip(fn.updated_shared, new))
        finite = None
        if self._finite:
            tests = [jnp.isfinite(env[v]).all() for v in self._finite if jnp.issubdtype(env[v].dtype, jnp.inexact)]
            finite = jnp.all(jnp.stack(tests)) if tests else jnp.asarray(True)
        return outs, [env[v] for v in self._updated], oks, ran, finite


def _skipped(stage, current):
    """The branch of a guarded `stage` that does not run: zero outputs, the shared values as they are, every
    check passed."""
    outs, _, oks, checks = jax.eval_shape(stage, None)

    def skip(_):
        zeros = jax.tree_util.tree_map(lambda s: jnp.zeros(s.shape, s.dtype), (outs, checks))
        return zeros[0], list(current), jnp.ones(oks.shape, bool), zeros[1]

    return skip


def _value(variable):
    return variable.get_value(borrow=True, return_internal_type=True)


def _raise_failed_call(fn, stacked, step):
    """Calls `fn` alone on the inputs of call `step`, whose run-time check failed (the fused computation kept
    the shared values as they were before it): the call raises the check's own error."""
    fn(*[column[step] for column in stacked])
    raise AssertionError(f"{fn.name}: a check failed in the fused computation but not in the call alone")
