"""The scan op: one ``jax.lax.scan`` (or, with ``until``, steps after the stop skipped) over an inner graph.

``symconv.scan.scan`` builds the inner graph and a ``Scan`` node whose static
``ScanInfo`` describes it; this module lowers that node: the sequences' taps
cut per step, the fed-back states, the shared values carried through the loop,
truncated back-propagation, and the run-time checks of the inner graph
reported with the step they failed in.
"""
import builtins

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .contract import NeedsStaticValue, collecting_checks, record_check
from .interpret import evaluate
from .op import Op

class ScanInfo:
    """The static description of a scan node (its op's `_info` parameter); plain picklable attributes.

    seq_taps       per sequence, its taps
    seq_vars       the inner variables of the sequence taps, in argument order
    outs           per output of `fn`: (kind, taps, inner tap variables); kind 'nit' (not fed back),
                   'sit' (taps [-1], the initial state is one step) or 'mit' (other taps, the initial
                   state holds the first -min(taps) steps)
    out_vars       the inner outputs (one per output of `fn`)
    shared         shared variables carried through the loop; update_vars their inner new values
    invariants     outer variables the step reads, bound to the node's inputs after the initial states
    n_steps        the number of steps when known at build time; n_steps_var the symbolic one otherwise
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __repr__(self):
        return f"<scan {self.name or ''} info>"


def _scan_infer(*inputs, _info, name=None):
    return list(_info.out_types)


def _scan_impl(*values, _info, name=None):
    info = _info
    counts = np.cumsum([0, len(info.seq_taps), info.n_recurrent, len(info.shared), len(info.invariants)])
    seq_values, init_values, shared_values, invariant_values = (
        values[counts[i]:counts[i + 1]] for i in range(4))
    n = _resolve_steps(info, seq_values, values[-1] if info.n_steps_var is not None else None)
    xs = _step_slices(info, seq_values, n)
    states = _initial_states(info, init_values)
    carried = [jnp.asarray(v, s.dtype) for v, s in zip(shared_values, info.shared)]
    messages = []
    step = _step_function(info, dict(zip(info.invariants, invariant_values)), n, messages)
    init = (states, carried, jnp.asarray(0, "int64"))
    if info.until_var is not None:
        step, init = _until_step(step, init, tuple(xs), n)
    (_, final_shared, count, *_), (ys, checks) = lax.scan(step, init, tuple(xs), length=n)
    if n > 0:
        for (oks, check_values), (message, error) in zip(checks, messages):
            first = jnp.argmin(oks)
            record_check(jnp.all(oks), _in_step(message, info.name), *[v[first] for v in check_values], first,
                         error=error)
    return tuple(ys) + tuple(final_shared) + ((count,) if info.until_var is not None else ())


def _until_step(step, init, xs, n):
    """`step` that stops running after the first step whose until-condition is true.

    The steps after it only repeat the last outputs (a ``lax.cond`` skips the
    step function), keep the states and the shared values, and do not count;
    a lax.scan, not a lax.while_loop, so that gradients flow through the loop.
    """
    x0 = tuple(x[0] for x in xs) if n > 0 else tuple(jnp.zeros(x.shape[1:], x.dtype) for x in xs)
    _, (out_shapes, check_shapes) = jax.eval_shape(step, init, x0)
    blank = jax.tree_util.tree_map(lambda a: jnp.zeros(a.shape, a.dtype), (out_shapes, check_shapes))
    blank_checks = [(jnp.ones(ok.shape, bool), values) for ok, values in blank[1]]

    def wrapped(carry, x):
        states, shared, t, done, last = carry

        def run(_):
            (new_states, new_shared, _), (outs, checks) = step((states, shared, t), x)
            stop = outs[-1]
            return (new_states, new_shared, t + 1, stop, outs), (outs, checks)

        def skip(_):
            return (states, shared, t, done, last), (last, blank_checks)

        new_carry, (outs, checks) = lax.cond(done, skip, run, None)
        return new_carry, (outs[:-1], checks)

    return wrapped, init + (jnp.asarray(False), blank[0])


def _recurrent(info):
    return [(j, spec) for j, spec in enumerate(info.outs) if spec[0] != "nit"]


def _step_slices(info, seq_values, n):
    """Per sequence tap, the `n` entries the steps read (reversed for go_backwards)."""
    xs = []
    for taps, value in zip(info.seq_taps, seq_values):
        value = jnp.asarray(value)
        low, high = builtins.min(builtins.min(taps), 0), builtins.max(builtins.max(taps), 0)
        length = value.shape[0] - (high - low)
        for k in taps:
            start = k - low
            if info.go_backwards:
                xs.append(jnp.flip(value[start + length - n:start + length], axis=0))
            else:
                xs.append(value[start:start + n])
    return xs


def _initial_states(info, init_values):
    states = []
    for (j, (kind, taps, _)), value in zip(_recurrent(info), init_values):
        value = jnp.asarray(value, info.out_types[j].dtype)
        if kind == "mit":
            depth = -builtins.min(taps)
            if value.ndim == 0 or value.shape[0] < depth:
                raise ValueError(f"scan: output {j} has taps {list(taps)}, so its initial state needs at least {depth} "
                                 f"entries along its first axis; it has shape {value.shape}")
            value = value[:depth]
        states.append(value)
    return states


def _step_function(info, base_env, n, messages):
    """The lax.scan step: the inner graph lowered on one step's taps, states and shared values."""
    recurrent = _recurrent(info)
    trunc = info.truncate_gradient
    cut = n - trunc if 0 <= trunc < n else None
    n_out = len(info.out_vars)

    def step(carry, x):
        states, shared, t = carry
        if cut is not None:
            # Truncated BPTT: no gradient reaches the steps before `cut`.
            states = [jnp.where(t == cut, lax.stop_gradient(s), s) for s in states]
            shared = [jnp.where(t == cut, lax.stop_gradient(s), s) for s in shared]
        env = dict(base_env)
        env.update(zip(info.seq_vars, x))
        for (j, (kind, taps, tap_vars)), state in zip(recurrent, states):
            if kind == "sit":
                env[tap_vars[0]] = state
            else:
                depth = -builtins.min(taps)
                env.update((var, state[depth + k]) for k, var in zip(taps, tap_vars))
        env.update(zip(info.shared, shared))
        with collecting_checks() as checks:
            stop = [info.until_var] if info.until_var is not None else []
            results = evaluate(list(info.out_vars) + list(info.update_vars) + stop, env)
        outs = [jnp.asarray(v, ty.dtype) for v, ty in zip(results[:n_out], info.out_types)]
        new_states = _next_states(recurrent, states, outs)
        new_shared = _next_shared(info, results[n_out:n_out + len(info.update_vars)], shared)
        if stop:
            outs.append(jnp.asarray(results[-1]) != 0)  # read by _until_step
        if cut is not None:
            outs = [jnp.where(t < cut, lax.stop_gradient(o), o) for o in outs]
        messages[:] = [(c[1], c[3]) for c in checks]
        return (new_states, new_shared, t + 1), (outs, [(c[0], c[2]) for c in checks])

    return step


def _next_states(recurrent, states, outs):
    new_states = []
    for (j, (kind, taps, _)), state in zip(recurrent, states):
        expected = state.shape if kind == "sit" else state.shape[1:]
        if outs[j].shape != expected:
            raise ValueError(
                f"scan: output {j} of the step function has shape {outs[j].shape}, but its state "
                f"(outputs_info) has shape {expected}; the step must keep the shape of what it feeds back")
        new_states.append(outs[j] if kind == "sit" else jnp.concatenate([state[1:], outs[j][None]], axis=0))
    return new_states


def _next_shared(info, values, shared):
    new_shared = []
    for var, value, old in zip(info.shared, values, shared):
        value = jnp.asarray(value, var.dtype)
        if value.shape != old.shape:
            raise ValueError(f"scan: the update of shared variable {var!r} inside the step has shape {value.shape}, "
                             f"but its value has shape {old.shape}")
        new_shared.append(value)
    return new_shared


class Scan(Op):
    """One ``lax.scan``; its `_info` (a ScanInfo) holds the inner graph."""

    def __init__(self, _info, name=None):
        params = {"_info": _info, "name": name} if name else {"_info": _info}
        super().__init__("scan", _scan_impl, infer=_scan_infer, **params)


def _in_step(message, name):
    if "{0" in message or ("{}" not in message and "{" in message):
        return message  # numbered fields: leave the message as it is
    label = f" {name!r}".replace("{", "{{").replace("}", "}}") if name else ""
    return message + f" (in step {{}} of scan{label})"


def _resolve_steps(info, seq_values, steps_value):
    lengths = []
    for taps, value in zip(info.seq_taps, seq_values):
        span = builtins.max(builtins.max(taps), 0) - builtins.min(builtins.min(taps), 0)
        lengths.append(np.shape(value)[0] - span)
    if info.n_steps is not None:
        n = info.n_steps
    elif info.n_steps_var is not None:
        if isinstance(steps_value, jax.core.Tracer):
            exc = NeedsStaticValue("its number of steps (n_steps)")
            exc.node = _StepsRequest(info)
            raise exc
        n = int(np.asarray(steps_value))
        if n < 0:
            raise ValueError(f"scan: n_steps is {n}; a negative number of steps is not supported")
    else:
        n = builtins.min(lengths)
    for i, length in enumerate(lengths):
        if length < n or length < 0:
            raise ValueError(f"scan: sequence {i} (taps {list(info.seq_taps[i])}, {length} steps after "
                             f"its taps) is shorter than the {n} steps scan must run")
    return n


class _StepsRequest:
    """Stands for the scan node in NeedsStaticValue: names n_steps as the value `function` must make static."""

    def __init__(self, info):
        self.op = "scan"
        self.inputs = [None, info.n_steps_var]
        self.source = getattr(info, "source", None)
