"""``symconv.ifelse`` (Theano's ``theano.ifelse``): a lazy conditional, lowered to ``jax.lax.cond``.

``ifelse(condition, then_branch, else_branch)`` returns the then-branch's
values when the scalar `condition` is non-zero, else the else-branch's; only
the branch taken is computed.  The node is lowered as a group (registered in
``symconv.contract``): what lies only inside each branch is lowered inside
that branch of one ``lax.cond``, so a run-time check there (an index out of
bounds) fails only when its branch runs.

Branches whose values have different shapes (Theano allows it) cannot share
one ``lax.cond``: the output's shape then depends on the condition, so the
compiled function specialises on the integer scalar inputs that decide it
(as for a run-time ``scan`` ``n_steps``), and only the taken branch is traced.
"""
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .contract import NeedsStaticValue, collecting_checks, record_check, register_group_lowering
from .graph import Variable
from .op import Op, make_node
from .ops.literals import as_tensor_variable
from .type import TensorType

__all__ = ["ifelse", "IfElse"]


def _ifelse_infer(condition, *branches, n_outs, name=None):
    types = []
    for then, other in zip(branches[:n_outs], branches[n_outs:]):
        shape = tuple(a if a == b else None for a, b in zip(then.type.shape, other.type.shape))
        types.append(TensorType(then.dtype, shape))
    return types


def _impl(*values, **params):
    raise AssertionError("ifelse nodes are lowered as a group (lower_ifelse), never node by node")


class IfElse(Op):
    """``if condition: then else: else`` for `n_outs` values: inputs ``(condition, *then, *else)``."""

    foldable = False

    def __init__(self, n_outs, name=None):
        params = {"n_outs": n_outs, "name": name} if name else {"n_outs": n_outs}
        super().__init__("if", _impl, infer=_ifelse_infer, **params)

    def __str__(self):
        return f"if{{{self.params.get('name') or ''}}}"

    __repr__ = __str__


class _ConditionRequest:
    """Stands for the node in NeedsStaticValue: names the condition as the value `function` must make static."""

    def __init__(self, node):
        self.op = node.op
        self.inputs = [None, node.inputs[0]]
        self.source = node.source


def lower_ifelse(node, order, env, evaluate):
    n = node.op.params["n_outs"]
    condition, then_vars, else_vars = node.inputs[0], node.inputs[1:1 + n], node.inputs[1 + n:]
    (flag,) = evaluate([condition], env)
    concrete = not isinstance(flag, jax.core.Tracer)
    flag = bool(np.asarray(flag) != 0) if concrete else jnp.asarray(flag) != 0
    dtypes = [out.dtype for out in node.outputs]

    def run(variables):
        local = dict(env)
        with collecting_checks() as checks:
            values = evaluate(list(variables), local)
        return [jnp.asarray(v, d) for v, d in zip(values, dtypes)], checks

    if concrete:
        values, checks = run(then_vars if flag else else_vars)
        for check in checks:
            record_check(check[0], check[1], *check[2], error=check[3])
        env.update(zip(node.outputs, values))
        return

    # Trace each branch once, abstractly, for its output shapes and its checks' messages.  A branch
    # that cannot be built for these input shapes (a constant index out of bounds) fails only
    # when it is taken, as Theano's lazy branch: it becomes a failing run-time check.
    messages, failures = {}, {}

    def shapes_of(key, variables):
        def probe():
            values, checks = run(variables)
            messages[key] = [(c[1], c[3]) for c in checks]
            return values, [(c[0], c[2]) for c in checks]
        try:
            return jax.eval_shape(probe)
        except NeedsStaticValue:
            raise
        except Exception as exc:  # noqa: BLE001 - raised when the branch is taken
            failures[key] = exc
            return None

    then_shape, else_shape = shapes_of("then", then_vars), shapes_of("else", else_vars)
    if then_shape is None and else_shape is None:
        raise failures["then"]
    for key, other in (("then", else_shape), ("else", then_shape)):
        if key in failures:
            exc = failures[key]
            messages[key] = [(str(exc).replace("{", "{{").replace("}", "}}"), type(exc))]
            shape = (other[0], [(jax.ShapeDtypeStruct((), bool), ())])
            then_shape, else_shape = (shape, else_shape) if key == "then" else (then_shape, shape)
    if [v.shape for v in then_shape[0]] != [v.shape for v in else_shape[0]]:
        exc = NeedsStaticValue("the condition of an ifelse whose branches have different shapes")
        exc.node = _ConditionRequest(node)
        raise exc

    def placeholder(spec):
        return [(jnp.asarray(True), tuple(jnp.zeros(v.shape, v.dtype) for v in values)) for _, values in spec[1]]

    def branch(variables, first):
        key, spec = ("then", then_shape) if first else ("else", else_shape)

        def taken():
            if key in failures:
                values, own = [jnp.zeros(v.shape, v.dtype) for v in spec[0]], [(jnp.asarray(False), ())]
            else:
                values, checks = run(variables)
                own = [(c[0], c[2]) for c in checks]
            return (values, own, placeholder(else_shape)) if first else (values, placeholder(then_shape), own)
        return taken

    values, then_checks, else_checks = lax.cond(flag, branch(then_vars, True), branch(else_vars, False))
    for (ok, check_values), (message, error) in zip(then_checks + else_checks, messages["then"] + messages["else"]):
        record_check(ok, message, *check_values, error=error)
    env.update(zip(node.outputs, values))


register_group_lowering(IfElse, lower_ifelse)


def ifelse(condition, then_branch, else_branch, name=None):
    """Theano's ``ifelse``: `then_branch` if the scalar `condition` is non-zero, else `else_branch`, lazily.

    The branches are variables or lists of equal length, pairwise of the same
    dtype and number of dimensions; a list (or tuple) in comes out a list (or tuple).
    """
    out_kind = type(then_branch) if type(then_branch) in (list, tuple) else None
    then_branch = list(then_branch) if type(then_branch) in (list, tuple) else [then_branch]
    else_branch = list(else_branch) if type(else_branch) in (list, tuple) else [else_branch]
    then_vars, else_vars = [], []
    for then, other in zip(then_branch, else_branch):
        then = then if isinstance(then, Variable) else as_tensor_variable(then)
        other = other if isinstance(other, Variable) else as_tensor_variable(other)
        if then.dtype != other.dtype or then.ndim != other.ndim:
            raise TypeError(f"The two branches should have identical types, but they are {then.type} and "
                            f"{other.type} respectively. This error could be raised if for example you provided a "
                            "one element list on the `then` branch but a tensor on the `else` branch.")
        then_vars.append(then)
        else_vars.append(other)
    if len(then_branch) != len(else_branch):
        raise ValueError("The number of values on the `then` branch should have the same number of variables as "
                         f"the `else` branch : (variables on `then` {len(then_branch)}, variables on `else` "
                         f"{len(else_branch)})")
    condition = as_tensor_variable(condition)
    if condition.ndim != 0:
        raise TypeError("Condition given to the op has to be a scalar with 0 standing for False, anything else "
                        "for True")
    node = make_node(IfElse(len(then_vars), name), [condition] + then_vars + else_vars)
    outs = list(node.outputs)
    if out_kind is None:
        return outs[0]
    return out_kind(outs)
