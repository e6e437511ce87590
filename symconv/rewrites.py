"""Numerical-stability rewrites, applied to a function's graph before lowering.

Theano made the tutorials' formulas safe by graph rewrites; so does symconv:
    log(softmax(x))          -> logsoftmax(x)      (also through indexing)
    log(sigmoid(x))          -> -softplus(-x)
    log(1 - sigmoid(x))      -> -softplus(x)
    log(1 + exp(x)), log1p(exp(x)) -> softplus(x)
    1 / (1 + exp(x))         -> sigmoid(-x)
Each rule sees the argument of a ``log``/``log1p`` node and returns a
replacement or None; ops are matched by class and by the ``Scalar`` they apply.
"""
import numpy as np

from .graph import clone_replace, toposort
from .interpret import static_value
from .ops.elemwise import Elemwise, Scalar, applies, cast, sigmoid, softplus
from .ops.nnet import Softmax, logsoftmax
from .ops.subtensor import Subtensor


def _is_softmax(var):
    return var.owner is not None and isinstance(var.owner.op, Softmax) and not var.owner.op.params["log"]


def _is_one(var):
    value = static_value(var)
    return value is not None and value.size == 1 and float(np.asarray(value).reshape(-1)[0]) == 1.0


def _log_softmax(arg):
    if _is_softmax(arg):
        return logsoftmax(arg.owner.inputs[0])
    node = arg.owner
    if node is not None and isinstance(node.op, Subtensor) and _is_softmax(node.inputs[0]):
        logp = logsoftmax(node.inputs[0].owner.inputs[0])
        return Subtensor(node.op.params["spec"], node.op.params["_newaxis"])(logp, *node.inputs[1:])
    return None


def _log_sigmoid(arg):
    if applies(arg, Scalar.sigmoid):
        return -softplus(-arg.owner.inputs[0])
    if applies(arg, Scalar.sub) and _is_one(arg.owner.inputs[0]) and applies(arg.owner.inputs[1], Scalar.sigmoid):
        return -softplus(arg.owner.inputs[1].owner.inputs[0])
    return None


def _log_one_plus_exp(arg):
    if applies(arg, Scalar.add):
        a, b = arg.owner.inputs
        for one, other in ((a, b), (b, a)):
            if _is_one(one) and applies(other, Scalar.exp):
                return softplus(other.owner.inputs[0])
    return None


def _inverse_one_plus_exp(node):
    one, denominator = node.inputs
    if _is_one(one) and applies(denominator, Scalar.add):
        a, b = denominator.owner.inputs
        for unit, other in ((a, b), (b, a)):
            if _is_one(unit) and applies(other, Scalar.exp):
                return sigmoid(-other.owner.inputs[0])
    return None


def _log1p_exp(arg):
    return softplus(arg.owner.inputs[0]) if applies(arg, Scalar.exp) else None


RULES = {Scalar.log: (_log_softmax, _log_sigmoid, _log_one_plus_exp), Scalar.log1p: (_log1p_exp,)}
NODE_RULES = {Scalar.true_div: (_inverse_one_plus_exp,)}  # rules that see the whole node


def stabilize(outputs):
    """`outputs` with every matching pattern replaced by its stable form (dtypes kept), until none is left
    (a rewrite can make another's pattern: log(1 / (1 + exp(x))) -> log(sigmoid(-x)) -> -softplus(x))."""
    for _ in range(4):
        rewritten = _stabilize_once(outputs)
        if all(a is b for a, b in zip(rewritten, outputs)):
            break
        outputs = rewritten
    return list(outputs)


def _stabilize_once(outputs):
    replace = {}
    for node in toposort(outputs):
        fn = node.op.params["fn"] if isinstance(node.op, Elemwise) else None
        rules = [lambda n, r=r: r(n.inputs[0]) for r in RULES.get(fn, ())] + list(NODE_RULES.get(fn, ()))
        for rule in rules:
            stable = rule(node)
            if stable is not None:
                out = node.outputs[0]
                replace[out] = cast(stable, out.dtype)
                break
    return clone_replace(outputs, replace) if replace else list(outputs)
