"""``theano.gof.graph``: walking and comparing graphs, in the orders Theano gives.

``inputs`` and ``ancestors`` list variables in the order of Theano's
left-recursive depth-first search (code such as Lasagne's ``get_all_params``
depends on that order); ``is_same_graph`` and ``equal_computations`` compare
two graphs node by node: the same ops with the same parameters, applied to
the same leaves (constants compared by value).
"""
import numpy as np

from ..graph import Apply, Constant, Variable, clone_replace, toposort  # noqa: F401


def ancestors(variable_list, blockers=None):
    """Every variable `variable_list` depends on (themselves included), in Theano's depth-first order."""
    blockers = set(blockers or ())
    stack, seen, found = list(variable_list), set(), []  # the last first, as Theano's stack
    while stack:
        var = stack.pop()
        if var in seen:
            continue
        seen.add(var)
        found.append(var)
        if var.owner is not None and var not in blockers:
            stack.extend(reversed(var.owner.inputs))
    return found


def inputs(variable_list, blockers=None):
    """The variables without an owner that `variable_list` depends on, in Theano's depth-first order."""
    return [v for v in ancestors(variable_list, blockers) if v.owner is None]


def io_toposort(inputs, outputs):
    """The apply nodes between `inputs` and `outputs`, each after the nodes it depends on."""
    return list(toposort(outputs, stop=inputs))


def _same_constant(x, y):
    a, b = np.asarray(x.data), np.asarray(y.data)
    return x.type == y.type and a.shape == b.shape and a.dtype == b.dtype and bool(
        np.all((a == b) | (np.isnan(a) & np.isnan(b)) if a.dtype.kind in "fc" else a == b))


def _same_param(a, b):
    if a is b:
        return True
    try:
        same = a == b
        return bool(np.all(same)) if not isinstance(same, bool) else same
    except Exception:  # noqa: BLE001 - parameters that cannot be compared are different
        return False


def same_op(a, b):
    """Two ops compute the same function: the same class, name, lowering and parameters."""
    if a is b:
        return True
    if type(a) is not type(b) or getattr(a, "name", None) != getattr(b, "name", None):
        return False
    if getattr(a, "impl", None) is not getattr(b, "impl", None):
        return False
    pa, pb = getattr(a, "params", {}), getattr(b, "params", {})
    return pa.keys() == pb.keys() and all(_same_param(pa[k], pb[k]) for k in pa)


def equal_computations(xs, ys, in_xs=None, in_ys=None):
    """Whether each ``xs[i]`` computes what ``ys[i]`` computes (``in_xs[j]`` standing for ``in_ys[j]``)."""
    if len(xs) != len(ys):
        raise ValueError(f"equal_computations needs lists of one length, got {len(xs)} and {len(ys)}")
    in_xs, in_ys = list(in_xs or ()), list(in_ys or ())
    if len(in_xs) != len(in_ys) or any(a.type != b.type for a, b in zip(in_xs, in_ys)):
        return False
    matched = dict(zip(in_xs, in_ys))
    return all(_equal(x, y, matched) for x, y in zip(xs, ys))


def _equal(x, y, matched):
    stack = [(x, y)]
    while stack:
        a, b = stack.pop()
        if a in matched:
            if matched[a] is not b:
                return False
            continue
        if a.type != b.type or (a.owner is None) != (b.owner is None):
            return False
        if a.owner is None:
            if not (a is b or isinstance(a, Constant) and isinstance(b, Constant) and _same_constant(a, b)):
                return False
        elif a.index != b.index or not same_op(a.owner.op, b.owner.op) or \
                len(a.owner.inputs) != len(b.owner.inputs):
            return False
        else:
            stack.extend(zip(a.owner.inputs, b.owner.inputs))
        matched[a] = b
    return True


def is_same_graph(var1, var2, givens=None, debug=False):
    """Whether `var1` and `var2` compute the same thing; `givens` maps variables of `var1` to those of `var2`."""
    givens = dict(givens or {})
    if givens:
        var1 = clone_replace([var1], givens)[0]
    return equal_computations([var1], [var2])
