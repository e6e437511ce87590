"""Theano's test values: ``config.compute_test_value`` and ``var.tag.test_value``.

With the flag on ('ignore', 'warn', 'raise' or 'pdb'), every apply node is
evaluated as it is built, on the test values of its inputs (a constant's data,
a shared variable's value, ``tag.test_value`` of any other variable, converted
by its type's ``filter``), through the same lowering the compiler uses
(``interpret.evaluate``); its outputs get ``tag.test_value``.  A shape error is
therefore raised at the user's line that builds the bad expression.  A missing
test value raises (``'raise'``: a ValueError naming the input and the op),
warns (``'warn'``) or skips the node silently (``'ignore'``).  Compiling a
function (``symconv.function``) builds its nodes under
``config.compute_test_value_opt`` (default 'off'), as Theano optimises.
"""
import pdb
import sys

import jax
import numpy as np

from .config import config
from .contract import collecting_checks, group_lowering, register_node_hook
from .errors import warn_user
from .graph import leaves
from .interpret import evaluate

MODES = ("off", "ignore", "warn", "raise", "pdb")


def get_test_value(var):
    """The test value of `var` (Theano's ``theano.gof.op.get_test_value``); AttributeError if it has none."""
    if not hasattr(var, "own_test_value"):
        return np.asarray(var)
    try:
        value = var.own_test_value()
    except AttributeError:
        where = f"\n  created at {var.source}" if var.source else ""
        raise AttributeError(f"{var} has no test value{where}") from None
    try:
        return var.type.filter(value)
    except TypeError as exc:
        where = f"\n  created at {var.source}" if var.source else ""
        raise TypeError(f"For compute_test_value, one input test value does not have the requested type.\n"
                        f"  variable {var!s} ({var.type}){where}\n"
                        f"The error when converting the test value to that variable type:\n{exc}") from None


def _missing(mode, k, var, node):
    """Theano's answer to input `k` of `node` having no test value: True if the node is to be skipped."""
    message = f"Cannot compute test value: input {k} ({var}) of Op {node} missing default value."
    if mode == "raise":
        where = f"\n  {var} was created at {var.source}" if var.source else ""
        raise ValueError(f"{message}{where}")
    if mode == "warn":
        warn_user(f"Warning, {message[:-1]}")
    elif mode == "pdb":
        pdb.post_mortem(sys.exc_info()[2])
    return True


def compute_test_values(node):
    """Set ``tag.test_value`` on `node`'s outputs, evaluated on its inputs' test values (if the flag is on)."""
    mode = config.compute_test_value
    if mode == "off":
        return
    if mode not in MODES:
        raise ValueError(f"{mode} is invalid for option config.compute_test_value")
    # A node lowered as a group (a gradient, an ifelse) reads the graph below it: give it the leaves.
    needed = leaves(node.outputs) if group_lowering(node.op) is not None else node.inputs
    env = {}
    for k, var in enumerate(needed):
        try:
            env[var] = get_test_value(var)
        except AttributeError:
            if _missing(mode, k, var, node):
                return
    with jax.ensure_compile_time_eval(), collecting_checks() as checks:
        values = evaluate(node.outputs, dict(env))
    for ok, message, args, error in checks:
        if not bool(np.asarray(ok)):
            raise error(message.format(*(np.asarray(a) for a in args)) + (f"\n  at {node.source}" if node.source
                                                                             else ""))
    for out, value in zip(node.outputs, values):
        out.tag.test_value = np.asarray(value)


def transfer(inner, outer, index=None):
    """Give `inner` (a variable scan makes for its step function) the test value of `outer` (row `index` of it)."""
    if config.compute_test_value == "off":
        return
    try:
        value = get_test_value(outer)
    except AttributeError as exc:
        if config.compute_test_value != "ignore":
            warn_user(f"Cannot compute test value for the inner function of scan, input value missing: {exc}")
        return
    inner.tag.test_value = value if index is None else value[index]


register_node_hook(compute_test_values)
