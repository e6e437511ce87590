"""Lowering a graph to JAX values, once, while ``jax.jit`` traces.

Nodes whose inputs are all concrete (constants, shapes) are evaluated eagerly
under ``jax.ensure_compile_time_eval``: anything that depends only on shapes
and constants is computed in Python at trace time and costs nothing per call.
Gradient nodes run ``jax.vjp`` over the part of the graph between their `wrt`
and their cost, and the forward values it computes are reused by every other
output, so the forward pass is computed once.
"""
import contextlib
import threading

import jax
import jax.numpy as jnp
import numpy as np

from ..errors import NodeError
from ..graph import Constant, ancestors, toposort


class NeedsStaticValue(Exception):
    """An op needs a Python value (a shape, a slice length) that is a run-time value."""


_checks = threading.local()


def record_check(ok, message, *values):
    """Register a run-time condition; the compiled function raises IndexError if it is false."""
    stack = getattr(_checks, "stack", None)
    if stack:
        stack[-1].append((jnp.asarray(ok, bool), message, tuple(jnp.asarray(v) for v in values)))


@contextlib.contextmanager
def collecting_checks():
    stack = _checks.__dict__.setdefault("stack", [])
    stack.append([])
    try:
        yield stack[-1]
    finally:
        stack.pop()


def _is_concrete(value):
    return not isinstance(value, jax.core.Tracer)


def lower_node(node, values):
    """Apply one node's JAX lowering, naming the node and its user line on failure."""
    try:
        if all(_is_concrete(v) for v in values):
            with jax.ensure_compile_time_eval():
                out = node.op.lower(*values)
        else:
            out = node.op.lower(*values)
    except NeedsStaticValue as exc:
        if getattr(exc, "node", None) is None:
            exc.node = node
        raise
    except NodeError:
        raise
    except Exception as exc:  # noqa: BLE001 - re-raised with the node's context
        described = "\n".join(
            f"  input {k}: {inp!r} {inp.type}, actual shape {tuple(np.shape(v))}" for k, (inp, v) in enumerate(zip(node.inputs, values)))
        where = f"\n  created at {node.source}" if node.source else ""
        raise _node_error_type(type(exc))(f"{node.op} failed: {type(exc).__name__}: {exc}\n{described}{where}") from exc
    return out if isinstance(out, (tuple, list)) else (out,)


_NODE_ERROR_TYPES = {}


def _node_error_type(kind):
    """NodeError that is also an IndexError/ValueError/TypeError when the op raised one."""
    if kind not in (IndexError, ValueError, TypeError):
        return NodeError
    if kind not in _NODE_ERROR_TYPES:
        _NODE_ERROR_TYPES[kind] = type(f"Node{kind.__name__}", (NodeError, kind), {"__module__": __name__})
    return _NODE_ERROR_TYPES[kind]


def evaluate(outputs, env, perturb=None):
    """Values of `outputs` given `env` (leaf variable -> value); `env` is extended in place.

    `perturb` maps variables to values added to them once computed (how grad
    differentiates with respect to intermediate variables).
    """
    order = toposort(outputs, stop=env)
    for node in order:
        if node.op.name == "grad" and node.outputs[0] not in env:
            _evaluate_grad_group(node, order, env)
    for node in order:
        if node.outputs[0] in env:
            continue
        values = [_leaf_value(inp, env) for inp in node.inputs]
        for var, value in zip(node.outputs, lower_node(node, values)):
            env[var] = value + perturb[var] if perturb and var in perturb else value
    return [_leaf_value(v, env) for v in outputs]


def _leaf_value(var, env):
    if var in env:
        return env[var]
    if isinstance(var, Constant):
        return var.data
    raise KeyError(var)


def _evaluate_grad_group(first, order, env):
    """All grad nodes sharing `first`'s cost, in one jax.vjp (the forward pass computed once)."""
    cost, params = first.inputs[0], first.op.params
    group = [n for n in order if n.op.name == "grad" and n.inputs[0] is cost and n.op.params == params
             and n.outputs[0] not in env]
    wrt = []
    for node in group:
        wrt.extend(v for v in node.inputs[1:] if v not in wrt)
    evaluate(wrt, env)
    constant_vars = set(params["consider_constant"])
    dependent = _descendants(wrt, cost, constant_vars)
    outside = [v for node in toposort([cost], stop=wrt) for v in node.inputs
               if v not in dependent and v.owner is not None]
    evaluate(outside, env)
    for var in constant_vars & set(env):
        env[var] = jax.lax.stop_gradient(env[var])
    differentiable = [v for v in wrt if v.dtype[0] in "fc"]
    # A wrt computed from another wrt is recomputed inside the vjp plus a zero
    # perturbation, so the other's gradient flows through it (total derivative).
    wrt_set = set(wrt)
    derived = {v for v in differentiable if v.owner is not None and ancestors(v.owner.inputs) & wrt_set}

    computed_vars = []

    def forward(wrt_values):
        local = {k: v for k, v in env.items() if k not in dependent}
        local.update((v, val) for v, val in zip(differentiable, wrt_values) if v not in derived)
        perturb = {v: val for v, val in zip(differentiable, wrt_values) if v in derived}
        with collecting_checks() as checks:
            (cost_value,) = evaluate([cost], local, perturb)
        # Lists, not a dict keyed by Variables: JAX sorts dict keys, and
        # comparing symbolic variables builds graph nodes.
        computed_vars[:] = [v for v in dependent if v in local and v not in env]
        return cost_value, ([local[v] for v in computed_vars], checks)

    primals = [jnp.zeros_like(env[v]) if v in derived else env[v] for v in differentiable]
    cost_value, vjp, (computed_values, checks) = jax.vjp(forward, primals, has_aux=True)
    for check in checks:
        record_check(check[0], check[1], *check[2])
    (grads,) = vjp(jnp.ones_like(cost_value))
    env.update(zip(computed_vars, computed_values))
    env[cost] = cost_value
    by_var = dict(zip(differentiable, grads))
    for node in group:
        for out, var in zip(node.outputs, node.inputs[1:]):
            env[out] = by_var[var] if var in by_var else jnp.zeros(jnp.shape(env[var]), out.dtype)


def _descendants(wrt, cost, constant_vars):
    """Variables between `wrt` and `cost` whose value changes with `wrt`."""
    dependent = set(wrt)
    for node in toposort([cost], stop=wrt):
        if any(inp in dependent and inp not in constant_vars for inp in node.inputs):
            dependent.update(out for out in node.outputs if out not in constant_vars)
    return dependent


def fold_constant(var):
    """The value of `var` if it depends only on constants and static shapes, else None."""
    node = var.owner
    if isinstance(var, Constant):
        return var.data
    if node is None:
        return None
    if node.op.name == "shape":
        shape = node.inputs[0].type.shape
        return None if None in shape else np.asarray(shape, dtype="int64")
    if node.op.name == "grad" or any(v.owner is None and not isinstance(v, Constant) for v in ancestors([var], stop=_shape_outputs(var))):
        return None
    env = {}
    for n in toposort([var]):
        if n.op.name == "shape":
            folded = fold_constant(n.outputs[0])
            if folded is None:
                return None
            env[n.outputs[0]] = folded
    try:
        (value,) = evaluate([var], env)
    except Exception:  # noqa: BLE001 - not foldable
        return None
    return None if isinstance(value, jax.core.Tracer) else np.asarray(value)


def _shape_outputs(var):
    return [n.outputs[0] for n in toposort([var]) if n.op.name == "shape"]
