"""Symbolic gradients: ``grad(cost, wrt)`` builds a node that JAX differentiates.

No gradient rules are written by hand: a ``Grad`` node is lowered as a group
(registered in ``symconv.contract``): the graph between its `wrt` and its
`cost` is evaluated inside one ``jax.vjp``, and the forward values it computes
are reused by every other output, so the forward pass is computed once.
``verify_grad`` checks a gradient against finite differences, as Theano's did.
"""
import jax
import jax.numpy as jnp
import numpy as np

from .compile.function import function
from .contract import collecting_checks, record_check, register_group_lowering
from .errors import DisconnectedInputError, apply_policy
from .graph import ancestors, toposort
from .op import Op
from .ops.elemwise import stop_gradient
from .ops.literals import as_tensor_variable
from .ops.reduction import sum as _sum
from .type import TensorType


def _grad_infer(cost, *wrt, consider_constant):
    return [TensorType(v.dtype, v.type.shape) for v in wrt]


def _grad_impl(*args, **params):
    raise AssertionError("grad nodes are lowered as a group (lower_grad_group), never node by node")


class Grad(Op):
    """d(cost)/d(wrt) for each wrt: inputs ``(cost, *wrt)``, one output per wrt."""

    foldable = False

    def __init__(self, consider_constant):
        super().__init__("grad", _grad_impl, infer=_grad_infer, consider_constant=consider_constant)


def lower_grad_group(first, order, env, evaluate):
    """All grad nodes of `order` sharing `first`'s cost, in one jax.vjp (the forward pass computed once)."""
    cost, params = first.inputs[0], first.op.params
    group = [n for n in order if isinstance(n.op, Grad) and n.inputs[0] is cost and n.op.params == params
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
        record_check(check[0], check[1], *check[2], error=check[3])
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


register_group_lowering(Grad, lower_grad_group)


def grad(cost, wrt, consider_constant=None, disconnected_inputs="raise", return_disconnected="zero", **_):
    """d(cost)/d(wrt) for a scalar `cost`; `wrt` a variable or a list (a list is returned then)."""
    cost = as_tensor_variable(cost)
    if cost.ndim != 0:
        raise TypeError(f"grad's cost must be a scalar, got {cost.describe()} with {cost.ndim} dimensions; "
                        "reduce it first (e.g. cost.sum() or cost.mean())")
    if cost.dtype[0] not in "fc":
        raise TypeError(f"grad's cost must be a float, got {cost.describe()}")
    single = not isinstance(wrt, (list, tuple))
    wrt = [wrt] if single else list(wrt)
    constants = tuple(as_tensor_variable(c) for c in (consider_constant or ()))
    connected = ancestors([cost], stop=constants)
    for var in wrt:
        if var not in connected:
            apply_policy(disconnected_inputs, DisconnectedInputError,
                         f"grad: the cost {cost!r} does not depend on {var.describe()}; "
                         "pass disconnected_inputs='ignore' or 'warn' to get a zero gradient")
    outs = Grad(constants)(cost, *wrt)
    outs = [outs] if not isinstance(outs, list) else outs
    for var, g in zip(wrt, outs):
        g.name = f"(d{cost.name or 'cost'}/d{var.name or 'wrt'})"
    return outs[0] if single else outs


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
