"""Symbolic gradients: ``grad(cost, wrt)`` builds a node that JAX differentiates.

No gradient rules are written by hand: a ``Grad`` node is lowered as a group
(registered in ``symconv.contract``): the graph between its `wrt` and its
`cost` is evaluated inside one ``jax.vjp``, and the forward values it computes
are reused by every other output, so the forward pass is computed once.
``Rop`` (a ``jax.jvp``), ``Lop`` and ``grad(..., known_grads=...)`` (the same
vjp with given cotangents) and ``jacobian`` (the vjp vmapped over the rows;
``hessian`` is the jacobian of a gradient) are nodes lowered the same way.
``verify_grad`` checks a gradient against finite differences, as Theano's did.
"""
import collections

import jax
import jax.numpy as jnp
import numpy as np

from .compile.function import function
from .config import config
from .contract import collecting_checks, record_check, register_group_lowering
from .errors import DisconnectedInputError, NullTypeGradError, apply_policy  # noqa: F401  (theano.gradient's)
from .graph import Variable, ancestors, toposort
from .op import Op
from .ops.elemwise import stop_gradient
from .ops.gradclip import grad_clip, grad_scale  # noqa: F401  (theano.gradient.grad_clip)
from .ops.shape_ops import zeros_like as _zeros_like
from .ops.literals import as_tensor_variable
from .ops.reduction import sum as _sum
from .type import TensorType


def _grad_infer(*inputs, consider_constant, n_known=0, has_cost=True):
    wrt = inputs[int(has_cost) + 2 * n_known:]
    return [TensorType(v.dtype, v.type.shape) for v in wrt]


def _group_impl(*args, **params):
    raise AssertionError("grad, Rop and Lop nodes are lowered as a group (see register_group_lowering), "
                         "never node by node")


class Grad(Op):
    """Gradients for each wrt: inputs ``(cost?, *known_vars, *known_grads, *wrt)``, one output per wrt.

    The cost (when `has_cost`) gets the cotangent 1; each of the `n_known`
    variables of ``known_grads`` gets its given gradient (Theano's
    ``grad(cost, wrt, known_grads=...)``, and ``Lop``).
    """

    foldable = False

    def __init__(self, consider_constant, n_known=0, has_cost=True):
        params = {"consider_constant": consider_constant}
        if n_known or not has_cost:
            params.update(n_known=n_known, has_cost=has_cost)
        super().__init__("grad", _group_impl, infer=_grad_infer, **params)

    def split(self, inputs):
        """(roots, their given cotangents (None for the cost), wrt) of a node's inputs."""
        has_cost, n_known = self.params.get("has_cost", True), self.params.get("n_known", 0)
        head = int(has_cost)
        roots = list(inputs[:head + n_known])
        cotangents = [None] * head + list(inputs[head + n_known:head + 2 * n_known])
        return roots, cotangents, list(inputs[head + 2 * n_known:])


def _rop_infer(*inputs, n_f):
    return [TensorType(v.dtype, v.type.shape) for v in inputs[:n_f]]


class RopOp(Op):
    """J(f, wrt) @ eval_points for each f: inputs ``(*f, *wrt, *eval_points)``, one output per f (a ``jax.jvp``)."""

    foldable = False

    def __init__(self, n_f):
        super().__init__("Rop", _group_impl, infer=_rop_infer, n_f=n_f)


class _Forward:
    """The graph between `wrt` and `roots` as a function of the float wrt's values, for jax.vjp / jax.jvp.

    Everything the roots read that does not depend on `wrt` is evaluated once,
    outside; a wrt computed from another wrt is recomputed inside plus a zero
    perturbation, so the other's derivative flows through it (total derivative).
    """

    def __init__(self, wrt, roots, constant_vars, env, evaluate, cut=()):
        self.env, self.evaluate, self.roots = env, evaluate, roots
        between = toposort(roots, stop=wrt)  # the nodes from wrt to the roots, read three times below
        _refuse_integer_wrt(wrt, between)
        position = {n: k for k, n in enumerate(toposort(roots))}
        self.cut = sorted(cut, key=lambda v: position.get(v.owner, -1))
        evaluate(wrt, env)
        self.dependent = _descendants(wrt, between, constant_vars)
        outside = [v for node in between for v in node.inputs
                   if v not in self.dependent and v.owner is not None]
        evaluate(outside, env)
        for var in constant_vars & set(env):
            env[var] = jax.lax.stop_gradient(env[var])
        self.differentiable = [v for v in wrt if v.dtype[0] in "fc"]
        wrt_set = set(wrt)
        self.derived = {v for v in self.differentiable
                        if v.owner is not None and ancestors(v.owner.inputs) & wrt_set}
        self.primals = [jnp.zeros_like(env[v]) if v in self.derived else env[v] for v in self.differentiable]
        self.computed_vars = []

    def __call__(self, wrt_values):
        env = self.env
        local = {k: v for k, v in env.items() if k not in self.dependent}
        local.update((v, val) for v, val in zip(self.differentiable, wrt_values) if v not in self.derived)
        perturb = {v: val for v, val in zip(self.differentiable, wrt_values) if v in self.derived}
        with collecting_checks() as checks:
            values = {}
            for var in self.cut:
                # A known gradient replaces every other gradient reaching its variable (Theano's
                # known_grads): what the variable feeds sees it as a constant.
                (values[var],) = self.evaluate([var], local, perturb)
                local[var] = jax.lax.stop_gradient(values[var])
            rest = [v for v in self.roots if v not in values]
            values.update(zip(rest, self.evaluate(rest, local, perturb)))
            values = [values[v] for v in self.roots]
        # Lists, not a dict keyed by Variables: JAX sorts dict keys, and
        # comparing symbolic variables builds graph nodes.
        self.computed_vars[:] = [v for v in self.dependent if v in local and v not in env]
        return values, ([local[v] for v in self.computed_vars], checks)

    def finish(self, root_values, aux):
        computed_values, checks = aux
        for check in checks:
            record_check(check[0], check[1], *check[2], error=check[3])
        self.env.update(zip(self.computed_vars, computed_values))
        self.env.update(zip(self.roots, root_values))


def lower_grad_group(first, order, env, evaluate):
    """All grad nodes of `order` with `first`'s roots and cotangents, in one jax.vjp (the forward pass once)."""
    roots, cotangent_vars, _ = first.op.split(first.inputs)
    head, params = len(roots) + len(roots) - cotangent_vars.count(None), first.op.params
    key = first.inputs[:head]
    group = [n for n in order if isinstance(n.op, Grad) and n.op.params == params and len(n.inputs) >= head
             and all(a is b for a, b in zip(n.inputs[:head], key)) and n.outputs[0] not in env]
    wrt = []
    for node in group:
        wrt.extend(v for v in node.inputs[head:] if v not in wrt)
    given = [v for v in cotangent_vars if v is not None]
    evaluate(given, env)
    forward = _Forward(wrt, roots, set(params["consider_constant"]), env, evaluate,
                       cut=[r for r, c in zip(roots, cotangent_vars) if c is not None])
    root_values, vjp, aux = jax.vjp(forward, forward.primals, has_aux=True)
    forward.finish(root_values, aux)
    cotangents = [jnp.ones_like(value) if var is None else
                  jnp.broadcast_to(jnp.asarray(env[var], jnp.result_type(value)), jnp.shape(value))
                  for var, value in zip(cotangent_vars, root_values)]
    (grads,) = vjp(cotangents)
    by_var = dict(zip(forward.differentiable, grads))
    for node in group:
        for out, var in zip(node.outputs, node.inputs[head:]):
            env[out] = by_var[var] if var in by_var else jnp.zeros(jnp.shape(env[var]), out.dtype)


def lower_rop(node, order, env, evaluate):
    """One Rop node: jax.jvp of the graph between its wrt and its f, tangents the eval points."""
    n_f = node.op.params["n_f"]
    f, rest = list(node.inputs[:n_f]), node.inputs[n_f:]
    wrt, points = list(rest[:len(rest) // 2]), list(rest[len(rest) // 2:])
    evaluate(points, env)
    forward = _Forward(wrt, f, set(), env, evaluate)
    by_wrt = dict(zip(wrt, points))
    tangents = [jnp.asarray(env[by_wrt[v]], jnp.result_type(p)).reshape(jnp.shape(p))
                for v, p in zip(forward.differentiable, forward.primals)]
    root_values, f_tangents, aux = jax.jvp(forward, (forward.primals,), (tangents,), has_aux=True)
    forward.finish(root_values, aux)
    for out, value in zip(node.outputs, f_tangents):
        env[out] = jnp.asarray(value, out.dtype)


def _refuse_integer_wrt(wrt, nodes):
    """An integer `wrt` that the roots read: JAX has no derivative for integer values, so say so clearly."""
    read = {inp for node in nodes for inp in node.inputs}
    for var in wrt:
        if var.dtype[0] not in "fc" and var in read:
            raise TypeError(
                "grad with respect to an integer variable that the cost reads: symconv differentiates only "
                "float variables (JAX has no derivative for integer values; Theano's answer depends on the "
                "op: zero through indexing or DimShuffle, a real-valued derivative through a cast). Take the "
                f"gradient with respect to a float variable (T.cast({var.name or 'x'}, config.floatX) used in "
                f"the cost), or leave it out of wrt. The variable: {var.describe()}")


def _descendants(wrt, nodes, constant_vars):
    """Variables of `nodes` (the toposort from `wrt` to the roots) whose value changes with `wrt`."""
    dependent = set(wrt)
    for node in nodes:
        if any(inp in dependent and inp not in constant_vars for inp in node.inputs):
            dependent.update(out for out in node.outputs if out not in constant_vars)
    return dependent


register_group_lowering(Grad, lower_grad_group)
register_group_lowering(RopOp, lower_rop)


def _policy(value, name):
    if value not in ("ignore", "warn", "raise"):
        raise ValueError(f"Invalid value for keyword {name!r}, valid values are 'ignore', 'warn' and 'raise'.")
    return value


def grad(cost, wrt, consider_constant=None, disconnected_inputs="raise", add_names=True, known_grads=None,
         return_disconnected="zero", null_gradients="raise"):
    """d(cost)/d(wrt) for a scalar `cost`; `wrt` a variable or a list (a list is returned then).

    ``known_grads={var: g}`` adds the gradient `g` arriving at `var` (back-propagated
    from there); `cost` may then be None.  ``return_disconnected``: 'zero' (a
    disconnected wrt gets zeros) or 'None'.
    """
    if cost is None and known_grads is None:
        raise AssertionError("cost and known_grads can't both be None.")
    if isinstance(wrt, set):
        raise TypeError("wrt must not be a set. sets have no defined iteration order, so we can't return gradients "
                        "in a matching order.")
    if cost is not None:
        cost = as_tensor_variable(cost)
        if cost.ndim != 0:
            raise TypeError(f"grad's cost must be a scalar, got {cost.describe()} with {cost.ndim} dimensions; "
                            "reduce it first (e.g. cost.sum() or cost.mean())")
    using_tuple = isinstance(wrt, tuple)
    single = not isinstance(wrt, (list, tuple))
    wrt = [wrt] if single else list(wrt)
    for var in wrt:
        if not isinstance(var, Variable):
            raise TypeError(f"Expected Variable, got {var!r} of type {type(var)}")
    known_vars, known_values = [], []
    for var, g in (known_grads or {}).items():
        if not hasattr(g, "type"):
            raise TypeError("output grads must be theano variables.Ambiguous whether %s should be made into tensor "
                            "or sparse theano variable" % str(type(g)))
        if "float" not in str(g.type.dtype):
            raise TypeError("Gradients must always be NullType, DisconnectedType, or continuous, but grad was given "
                            f"a known_grad of type {g.type}")
        known_vars.append(as_tensor_variable(var))
        known_values.append(as_tensor_variable(g))
    roots = ([cost] if cost is not None else []) + known_vars
    constants = tuple(as_tensor_variable(c) for c in (consider_constant or ()))
    connected = ancestors(roots, stop=constants)
    disconnected = [var for var in wrt if var not in connected]
    for var in disconnected:
        _policy(disconnected_inputs, "disconnected_inputs")
        apply_policy(disconnected_inputs, DisconnectedInputError,
                     f"grad: the cost {cost!r} does not depend on {var.describe()}; "
                     "pass disconnected_inputs='ignore' or 'warn' to get a zero gradient")
    if cost is not None and cost.dtype[0] not in "fc" and not known_vars:
        # As Theano: an integer cost is piecewise constant, its gradient zero (floatX for an integer wrt).
        outs = [_zeros_like(var, dtype=var.dtype if var.dtype[0] in "fc" else config.floatX) for var in wrt]
    else:
        outs = Grad(constants, len(known_vars), cost is not None)(*roots, *known_values, *wrt)
    outs = [outs] if not isinstance(outs, list) else outs
    name = cost.name if cost is not None and add_names else None
    for var, g in zip(wrt, outs):
        g.name = f"(d{name or 'cost'}/d{var.name or 'wrt'})"
    if return_disconnected == "None":
        outs = [None if var in disconnected else g for var, g in zip(wrt, outs)]
    elif return_disconnected != "zero":
        raise ValueError(f"return_disconnected={return_disconnected!r} is not supported; use 'zero' or 'None'")
    if single:
        return outs[0]
    return tuple(outs) if using_tuple else outs


def _format_as(using_list, using_tuple, outputs):
    if using_list or using_tuple:
        return tuple(outputs) if using_tuple else list(outputs)
    return outputs[0]


def Rop(f, wrt, eval_points, disconnected_outputs="raise", return_disconnected="zero"):  # noqa: N802
    """Theano's R operator: ``J(f, wrt) @ eval_points``, lowered as one ``jax.jvp``.

    `f`, `wrt`, `eval_points` are variables or lists; the result follows `f`
    (a list or tuple for a list or tuple, else one variable).
    """
    using_list, using_tuple = isinstance(f, list), isinstance(f, tuple)
    wrt = list(wrt) if isinstance(wrt, (list, tuple)) else [wrt]
    points = list(eval_points) if isinstance(eval_points, (list, tuple)) else [eval_points]
    f = [as_tensor_variable(v) for v in (f if isinstance(f, (list, tuple)) else [f])]
    assert len(wrt) == len(points)
    wrt = [as_tensor_variable(v) for v in wrt]
    points = [as_tensor_variable(p) for p in points]
    for i, (w, p) in enumerate(zip(wrt, points)):
        if w.type.ndim != p.type.ndim:
            raise ValueError(f"Element {i} of wrt/eval_point have mismatched dimensionality: "
                             f"{w.type.ndim} versus {p.type.ndim}")
    connected_f = []
    for out in f:
        linked = any(w in ancestors([out]) for w in wrt if w.dtype[0] in "fc")
        # Theano's ops give a zero R-op where no eval point reaches them; only an output that is
        # an input other than wrt (no op at all) is disconnected.
        if not linked and out.owner is None and out not in wrt:
            apply_policy(_policy(disconnected_outputs, "disconnected_outputs"), DisconnectedInputError,
                         f"Rop method was asked to compute the gradient with respect to a variable that is not part "
                         f"of the computational graph of variables in wrt: {out!r}")
        connected_f.append(linked)
    linked_f = [out for out, ok in zip(f, connected_f) if ok]
    values = RopOp(len(linked_f))(*linked_f, *wrt, *points) if linked_f else []
    values = values if isinstance(values, list) else [values]
    it = iter(values)
    result = []
    for out, ok in zip(f, connected_f):
        if ok:
            result.append(next(it))
        elif out.owner is not None or return_disconnected.lower() == "zero":
            result.append(_zeros_like(out))
        elif return_disconnected.lower() == "none":
            result.append(None)
        else:
            raise ValueError("Invalid value for keyword 'return_disconnected', valid values are 'zero' and 'None'.")
    return _format_as(using_list, using_tuple, result)


def Lop(f, wrt, eval_points, consider_constant=None, disconnected_inputs="raise"):  # noqa: N802
    """Theano's L operator: ``eval_points @ J(f, wrt)`` (``grad(None, wrt, known_grads={f: eval_points})``).

    The result follows `wrt` (a list or tuple for a list or tuple, else one variable).
    """
    points = list(eval_points) if isinstance(eval_points, (list, tuple)) else [eval_points]
    using_list, using_tuple = isinstance(wrt, list), isinstance(wrt, tuple)
    f = list(f) if isinstance(f, (list, tuple)) else [f]
    wrt = list(wrt) if isinstance(wrt, (list, tuple)) else [wrt]
    assert len(f) == len(points)
    ret = grad(None, wrt, known_grads=collections.OrderedDict(zip(f, points)), consider_constant=consider_constant,
               disconnected_inputs=disconnected_inputs)
    return _format_as(using_list, using_tuple, ret)


def disconnected_grad(x):
    """`x` in the forward pass, a constant for gradients."""
    return stop_gradient(x)


zero_grad = disconnected_grad


def numeric_grad(f, point, eps):
    """Central finite differences of scalar `f` at each array of `point`."""
    grads = []
    for k, p in enumerate(point):
        g = np.zeros_like(p, dtype="float64")
        flat = p.reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + eps
            plus = f(*point)
            flat[i] = orig - eps
            minus = f(*point)
            flat[i] = orig
            g.reshape(-1)[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


class GradientError(AssertionError):
    """verify_grad found a symbolic gradient that disagrees with finite differences."""


def verify_grad(fun, pt, n_tests=2, rng=None, eps=None, out_type=None, abs_tol=None, rel_tol=None, mode=None,
                cast_to_output_type=False, no_debug_ref=True):
    """Check ``grad`` of ``sum(fun(*inputs) * random_projection)`` against finite differences at `pt`."""
    rng = rng or np.random.RandomState(42)
    pt = [np.array(p) for p in pt]
    float32 = any(p.dtype == np.float32 for p in pt)
    eps = eps or (1e-2 if float32 else 1e-6)
    abs_tol = abs_tol if abs_tol is not None else (1e-2 if float32 else 1e-6)
    rel_tol = rel_tol if rel_tol is not None else (1e-2 if float32 else 1e-6)
    inputs = [TensorType(p.dtype, (None,) * p.ndim)(f"input{i}") for i, p in enumerate(pt)]
    out = as_tensor_variable(fun(*inputs))
    for _ in range(n_tests):
        projection = np.asarray(rng.rand(*[int(d) for d in _output_shape(out, inputs, pt)]), dtype=out.dtype)
        cost = _sum(out * as_tensor_variable(projection))
        cost_fn = function(inputs, cost, on_unused_input="ignore")
        grad_fn = function(inputs, grad(cost, inputs, disconnected_inputs="ignore"), on_unused_input="ignore")
        symbolic = grad_fn(*pt)
        as64 = [p.astype("float64") if p.dtype.kind == "f" else p for p in pt]
        numeric = numeric_grad(lambda *a: float(cost_fn(*[x.astype(p.dtype) for x, p in zip(a, pt)])), as64, eps)
        for k, (s, n) in enumerate(zip(symbolic, numeric)):
            err = np.abs(s - n)
            if np.any(err > abs_tol + rel_tol * np.abs(n)):
                worst = np.unravel_index(np.argmax(err - rel_tol * np.abs(n)), err.shape) if err.ndim else ()
                raise GradientError(
                    f"verify_grad: gradient of input {k} disagrees with finite differences at {worst}: "
                    f"symbolic {np.asarray(s)[worst]!r}, numeric {np.asarray(n)[worst]!r} "
                    f"(abs_tol={abs_tol}, rel_tol={rel_tol})")


def _output_shape(out, inputs, pt):
    return np.shape(function(inputs, out, on_unused_input="ignore")(*pt))



def _jacobian_infer(expression, *wrt, consider_constant):
    return [TensorType(v.dtype, expression.type.shape + v.type.shape) for v in wrt]


class Jacobian(Op):
    """d(expression)/d(wrt) for a vector expression: inputs ``(expression, *wrt)``; one jax.vjp, vmapped over rows."""

    foldable = False

    def __init__(self, consider_constant):
        super().__init__("jacobian", _group_impl, infer=_jacobian_infer, consider_constant=consider_constant)


def lower_jacobian(node, order, env, evaluate):
    expression, wrt = node.inputs[0], list(node.inputs[1:])
    forward = _Forward(wrt, [expression], set(node.op.params["consider_constant"]), env, evaluate)
    (value,), vjp, aux = jax.vjp(forward, forward.primals, has_aux=True)
    forward.finish([value], aux)
    basis = jnp.eye(value.shape[0], dtype=value.dtype)
    (rows,) = jax.vmap(lambda e: vjp([e]))(basis)
    by_var = dict(zip(forward.differentiable, rows))
    for out, var in zip(node.outputs, wrt):
        env[out] = (jnp.asarray(by_var[var], out.dtype) if var in by_var
                    else jnp.zeros(jnp.shape(value) + jnp.shape(env[var]), out.dtype))


register_group_lowering(Jacobian, lower_jacobian)


def jacobian(expression, wrt, consider_constant=None, disconnected_inputs="raise"):
    """Theano's Jacobian of a vector (or scalar) `expression`: shape ``expression.shape + wrt.shape``.

    Theano builds it row by row with a scan of ``grad(expression[i], wrt)``;
    here one node lowered as a ``jax.vjp`` vmapped over the rows gives the same
    values.  The result follows `wrt` (a list, a tuple or one variable).
    """
    assert isinstance(expression, Variable), "tensor.jacobian expects a Variable as `expression`"
    assert expression.ndim < 2, ("tensor.jacobian expects a 1 dimensional variable as `expression`. If not use "
                                 "flatten to make it a vector")
    using_list, using_tuple = isinstance(wrt, list), isinstance(wrt, tuple)
    wrt = list(wrt) if isinstance(wrt, (list, tuple)) else [wrt]
    if expression.ndim == 0:
        return _format_as(using_list, using_tuple, grad(expression, wrt, consider_constant=consider_constant,
                                                        disconnected_inputs=disconnected_inputs))
    if expression.dtype[0] not in "fc":
        raise TypeError(f"jacobian's expression must be a float, got {expression.describe()}")
    constants = tuple(as_tensor_variable(c) for c in (consider_constant or ()))
    connected = ancestors([expression], stop=constants)
    for var in wrt:
        if var not in connected:
            _policy(disconnected_inputs, "disconnected_inputs")
            apply_policy(disconnected_inputs, DisconnectedInputError,
                         f"jacobian: the expression {expression!r} does not depend on {var.describe()}; "
                         "pass disconnected_inputs='ignore' or 'warn' to get a zero jacobian")
    outs = Jacobian(constants)(expression, *wrt)
    outs = outs if isinstance(outs, list) else [outs]
    return _format_as(using_list, using_tuple, outs)


def hessian(cost, wrt, consider_constant=None, disconnected_inputs="raise"):
    """Theano's Hessian of a scalar `cost` with respect to vectors: the jacobian of each gradient."""
    assert isinstance(cost, Variable), "tensor.hessian expects a Variable as `cost`"
    assert cost.ndim == 0, "tensor.hessian expects a 0 dimensional variable as `cost`"
    using_list, using_tuple = isinstance(wrt, list), isinstance(wrt, tuple)
    wrt = list(wrt) if isinstance(wrt, (list, tuple)) else [wrt]
    hessians = []
    for var in wrt:
        assert isinstance(var, Variable), "tensor.hessian expects a (list of) Variable as `wrt`"
        assert var.ndim == 1, "tensor.hessian expects a (list of) 1 dimensional variable as `wrt`"
        g = grad(cost, var, consider_constant=consider_constant, disconnected_inputs=disconnected_inputs)
        # The gradient may not depend on `var` even where the cost does: not an error (as Theano).
        hessians.append(jacobian(g, var, consider_constant=consider_constant, disconnected_inputs="ignore"))
    return _format_as(using_list, using_tuple, hessians)
