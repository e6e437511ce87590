"""What an op's lowering may ask of the compiler, and what the compiler offers ops.

Ops (below the compiler) and the compiler (above them) both import this
module, never each other:

- ``NeedsStaticValue``: a lowering needs a Python value (a shape, a number of
  steps) that is a run-time value in this trace; the compiler then makes the
  scalar inputs it depends on static and traces again.
- ``concrete_ints``: the ints of such a value, or ``NeedsStaticValue``.
- ``record_check`` / ``collecting_checks``: a run-time condition (an index in
  bounds) that the compiled function turns into an ``IndexError`` that leaves
  every shared variable as it was.
- ``register_group_lowering``: an op that is not lowered node by node (a
  gradient: one ``jax.vjp`` over part of the graph) registers how it is.
- ``register_compiler`` / ``compile_function``: how ``x.eval()`` (at the
  tensor layer) reaches ``symconv.function`` (above it).
- ``register_node_hook`` / ``node_built``: what runs on each new apply node
  (``compute_test_value``: its outputs' test values, computed as it is built).
"""
import contextlib
import threading

import jax
import jax.numpy as jnp
import numpy as np


class NeedsStaticValue(Exception):
    """An op needs a Python value (a shape, a slice length) that is a run-time value."""


def concrete_ints(values, what):
    """`values` (an int array known while tracing) as a tuple of Python ints; else NeedsStaticValue(`what`)."""
    if isinstance(values, jax.core.Tracer):
        raise NeedsStaticValue(what)
    return tuple(int(v) for v in np.asarray(values).reshape(-1))


_checks = threading.local()


def record_check(ok, message, *values, error=IndexError):
    """Register a run-time condition; the compiled function raises `error` if it is false.

    `message` is formatted with `values` (their run-time values) when it fails.
    A failed check leaves every shared variable as it was.
    """
    stack = getattr(_checks, "stack", None)
    if stack:
        stack[-1].append((jnp.asarray(ok, bool), message, tuple(jnp.asarray(v) for v in values), error))


@contextlib.contextmanager
def collecting_checks():
    """Collect the checks recorded while lowering inside this block (a list of (ok, message, values, error))."""
    stack = _checks.__dict__.setdefault("stack", [])
    stack.append([])
    try:
        yield stack[-1]
    finally:
        stack.pop()


_GROUP_LOWERINGS = {}


def register_group_lowering(op_class, lower_group):
    """Nodes of `op_class` are lowered by ``lower_group(node, order, env, evaluate)``, not by ``op.lower``.

    `order` is the toposorted nodes being evaluated, `env` the values so far
    (to be extended with the node's outputs), `evaluate` the graph evaluator.
    """
    _GROUP_LOWERINGS[op_class] = lower_group


def group_lowering(op):
    """The registered group lowering of `op`'s class, or None."""
    for cls in type(op).__mro__:
        if cls in _GROUP_LOWERINGS:
            return _GROUP_LOWERINGS[cls]
    return None


_COMPILER = []


def register_compiler(compile_fn):
    """Called once by ``symconv.compile``: ``compile_fn(inputs, outputs, **options)`` makes a Function."""
    _COMPILER[:] = [compile_fn]


def compile_function(inputs, outputs, **options):
    if not _COMPILER:
        raise RuntimeError("no compiler is registered: import symconv (symconv.compile registers it)")
    return _COMPILER[0](inputs, outputs, **options)


_NODE_HOOKS = []


def register_node_hook(hook):
    """``hook(node)`` runs on every apply node ``op.make_node`` builds, once its outputs exist."""
    if hook not in _NODE_HOOKS:
        _NODE_HOOKS.append(hook)


def node_built(node):
    for hook in _NODE_HOOKS:
        hook(node)
