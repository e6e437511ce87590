"""Lowering a graph to JAX values, once, while ``jax.jit`` traces.

Nodes whose inputs are all concrete (constants, shapes) are evaluated eagerly
under ``jax.ensure_compile_time_eval``: anything that depends only on shapes
and constants is computed in Python at trace time and costs nothing per call.
Ops that are lowered as a group (a gradient: one ``jax.vjp`` over part of the
graph) have registered how in ``symconv.contract``; everything else is lowered
node by node through ``op.lower``.
"""
import jax
import numpy as np

from .contract import NeedsStaticValue, group_lowering
from .errors import NodeError
from .graph import Constant, ancestors, toposort


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
        # JAX reports a shape mismatch (dot, conv) as a TypeError; Theano, as NumPy, as a ValueError.
        kind = ValueError if isinstance(exc, TypeError) and "shape" in str(exc) else type(exc)
        raise _node_error_type(kind)(f"{node.op} failed: {type(exc).__name__}: {exc}\n{described}{where}") from exc
    return out if isinstance(out, (tuple, list)) else (out,)


_NODE_ERROR_TYPES = {}


def _node_error_type(kind):
    """NodeError that is also an IndexError/ValueError/TypeError when the op raised one.

    It keeps the builtin's name (``symconv.interpret.ValueError``), as Theano's run-time errors are
    ``ValueError``: a doctest or a script matching the exception by name sees the name Theano raised.
    """
    if kind not in (IndexError, ValueError, TypeError):
        return NodeError
    if kind not in _NODE_ERROR_TYPES:
        _NODE_ERROR_TYPES[kind] = type(kind.__name__, (NodeError, kind), {"__module__": __name__})
    return _NODE_ERROR_TYPES[kind]


def evaluate(outputs, env, perturb=None):
    """Values of `outputs` given `env` (leaf variable -> value); `env` is extended in place.

    `perturb` maps variables to values added to them once computed (how grad
    differentiates with respect to intermediate variables).
    """
    order = toposort(outputs, stop=env)
    groups = [node for node in order if group_lowering(node.op) is not None]
    # Outermost first: a group lowered inside another (a grad inside an ifelse's branch, a
    # gradient of a gradient) is computed there, and is not lowered again if nothing else needs it.
    for k, node in enumerate(reversed(groups)):
        if node.outputs[0] in env or (k and node not in set(toposort(outputs, stop=env))):
            continue
        group_lowering(node.op)(node, order, env, evaluate)
    if groups:  # what the group lowerings left to compute (not an ifelse's branches)
        order = toposort(outputs, stop=env)
    for node in order:
        if node.outputs[0] in env:
            continue
        values = [leaf_value(inp, env) for inp in node.inputs]
        for var, value in zip(node.outputs, lower_node(node, values)):
            env[var] = value + perturb[var] if perturb and var in perturb else value
    return [leaf_value(v, env) for v in outputs]


def leaf_value(var, env):
    """The value of `var` in `env`, or its data if it is a constant."""
    if var in env:
        return env[var]
    if isinstance(var, Constant):
        return var.data
    raise KeyError(var)


def static_value(var):
    """The NumPy value of `var` if it depends only on constants and static shapes, else None."""
    node = var.owner
    if isinstance(var, Constant):
        return var.data
    if node is None:
        return None
    if not node.op.foldable:
        return None
    env = {}
    for n in toposort([var]):
        if not n.op.foldable:
            return None
        known = n.op.static_output(n)
        if known is not None:
            env[n.outputs[0]] = known
    if any(v.owner is None and not isinstance(v, Constant) for v in ancestors([var], stop=list(env))):
        return None
    if var in env:
        return env[var]
    try:
        (value,) = evaluate([var], env)
    except Exception:  # noqa: BLE001 - not foldable
        return None
    return None if isinstance(value, jax.core.Tracer) else np.asarray(value)
