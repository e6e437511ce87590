"""Numerical-stability rewrites, applied to a function's graph before lowering.

Theano made the tutorials' formulas safe by graph rewrites; so does symconv:
    log(softmax(x))          -> logsoftmax(x)      (also through indexing)
    log(sigmoid(x))          -> -softplus(-x)
    log(1 - sigmoid(x))      -> -softplus(x)
    log(1 + exp(x)), log1p(exp(x)) -> softplus(x)
Each rule sees a ``log``/``log1p`` node and returns a replacement or None.
"""
import numpy as np

from .graph import clone_replace, toposort


def _op(var, name):
    return var.owner is not None and var.owner.op.name == name


def _is_one(var):
    from .tensor.basic import static_value

    value = static_value(var)
    return value is not None and value.size == 1 and float(np.asarray(value).reshape(-1)[0]) == 1.0


def _log_softmax(arg, T):
    if _op(arg, "softmax"):
        return T.nnet.logsoftmax(arg.owner.inputs[0])
    if _op(arg, "subtensor") and _op(arg.owner.inputs[0], "softmax"):
        from .op import Op

        x = arg.owner.inputs[0].owner.inputs[0]
        logp = T.nnet.logsoftmax(x)
        return Op("subtensor", arg.owner.op.impl, infer=arg.owner.op.infer, **arg.owner.op.params)(logp, *arg.owner.inputs[1:])
    return None


def _log_sigmoid(arg, T):
    if _op(arg, "sigmoid"):
        return -T.softplus(-arg.owner.inputs[0])
    if _op(arg, "sub") and _is_one(arg.owner.inputs[0]) and _op(arg.owner.inputs[1], "sigmoid"):
        return -T.softplus(arg.owner.inputs[1].owner.inputs[0])
    return None


def _log_one_plus_exp(arg, T):
    if _op(arg, "add"):
        a, b = arg.owner.inputs
        for one, other in ((a, b), (b, a)):
            if _is_one(one) and _op(other, "exp"):
                return T.softplus(other.owner.inputs[0])
    return None


def _log1p_exp(arg, T):
    return T.softplus(arg.owner.inputs[0]) if _op(arg, "exp") else None


RULES = {"log": (_log_softmax, _log_sigmoid, _log_one_plus_exp), "log1p": (_log1p_exp,)}


def stabilize(outputs):
    """`outputs` with every matching pattern replaced by its stable form (dtypes kept)."""
    from . import tensor as T

    replace = {}
    for node in toposort(outputs):
        for rule in RULES.get(node.op.name, ()):
            stable = rule(node.inputs[0], T)
            if stable is not None:
                out = node.outputs[0]
                replace[out] = T.cast(stable, out.dtype)
                break
    return clone_replace(outputs, replace) if replace else list(outputs)
