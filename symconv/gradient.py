"""Symbolic gradients: ``grad(cost, wrt)`` builds a node that JAX differentiates.

No gradient rules are written by hand: the compiler lowers the graph between
`wrt` and `cost` inside ``jax.vjp`` (see compile.lowering).  ``verify_grad``
checks a gradient against finite differences, as Theano's did.
"""
import warnings

import numpy as np

from .errors import DisconnectedInputError
from .graph import ancestors
from .op import Op
from .tensor.basic import as_tensor_variable, stop_gradient
from .tensor.type import TensorType


def _grad_infer(cost, *wrt, consider_constant):
    return [TensorType(v.dtype, v.type.shape) for v in wrt]


def _grad_impl(*args, **params):
    raise AssertionError("grad nodes are lowered by symconv.compile.lowering, never directly")


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
            message = (f"grad: the cost {cost!r} does not depend on {var.describe()}; "
                       "pass disconnected_inputs='ignore' or 'warn' to get a zero gradient")
            if disconnected_inputs == "raise":
                raise DisconnectedInputError(message)
            if disconnected_inputs == "warn":
                warnings.warn(message, stacklevel=2)
    outs = Op("grad", _grad_impl, infer=_grad_infer, consider_constant=constants)(cost, *wrt)
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
    from .compile.function import function
    from .tensor import basic as T
    from .tensor.type import TensorType as TT

    rng = rng or np.random.RandomState(42)
    pt = [np.array(p) for p in pt]
    float32 = any(p.dtype == np.float32 for p in pt)
    eps = eps or (1e-2 if float32 else 1e-6)
    abs_tol = abs_tol if abs_tol is not None else (1e-2 if float32 else 1e-6)
    rel_tol = rel_tol if rel_tol is not None else (1e-2 if float32 else 1e-6)
    inputs = [TT(p.dtype, (None,) * p.ndim)(f"input{i}") for i, p in enumerate(pt)]
    out = as_tensor_variable(fun(*inputs))
    for _ in range(n_tests):
        projection = np.asarray(rng.rand(*[int(d) for d in _output_shape(out, inputs, pt)]), dtype=out.dtype)
        cost = T.sum(out * T.constant(projection))
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
    from .compile.function import function

    return np.shape(function(inputs, out, on_unused_input="ignore")(*pt))
