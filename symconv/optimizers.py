"""Optimizers as update lists, computed by optax inside the compiled function.

``updates = symconv.optimizers.adam(cost, params, learning_rate=1e-3)`` returns
``[(param, new_param), ..., (state, new_state), ...]`` for
``symconv.function(..., updates=updates)``.  One op, ``optax_update``, runs
``transformation.update(grads, state, params)`` and ``optax.apply_updates``
on the flat lists of parameters, gradients and optimizer-state leaves; the
state (moments, step count) lives in SharedVariables initialised with
``transformation.init(params)``, so it persists across calls.

Hyperparameters may be Python numbers or symbolic scalars (a shared
``learning_rate`` changed with ``set_value`` for a schedule, or a function
input); symbolic ones become inputs of the op.  The optimizer state is
initialised with their current values where they can be found (a constant, a
shared variable), else with 1.0; optax's initial states do not depend on the
learning rate.
"""
import jax
import jax.numpy as jnp
import numpy as np
import optax

from .compile.shared import SharedVariable
from .graph import Constant, Variable, leaves
from .gradient import grad
from .interpret import static_value
from .op import Op
from .ops.literals import as_tensor_variable

__all__ = ["from_optax", "sgd", "momentum", "nesterov", "nesterov_momentum", "adagrad", "rmsprop", "adadelta",
           "adam", "adamax", "adamw", "get_or_compute_grads"]


class _Factory:
    """Builds the optax transformation from a constructor, static kwargs and symbolic hyperparameter values.

    Picklable when the constructor is a module-level function (``optax.adam``).
    """

    def __init__(self, fn, kwargs):
        self.fn, self.kwargs = fn, dict(kwargs)

    def __call__(self, **hyper):
        return self.fn(**self.kwargs, **hyper)

    def __repr__(self):
        return getattr(self.fn, "__name__", repr(self.fn))


class _Fixed:
    """A ready-made optax transformation (not picklable: optax closures)."""

    def __init__(self, transformation):
        self.transformation = transformation

    def __call__(self):
        return self.transformation

    def __repr__(self):
        return "optax transformation"


def _optax_update_impl(*values, builder, hyper_names, n_params, _treedef):
    n, m = n_params, _treedef.num_leaves
    params, grads = list(values[:n]), list(values[n:2 * n])
    state_leaves, hyper = values[2 * n:2 * n + m], values[2 * n + m:]
    transformation = builder(**dict(zip(hyper_names, hyper)))
    state = jax.tree_util.tree_unflatten(_treedef, list(state_leaves))
    grads = [jnp.asarray(g, jnp.result_type(p)) for g, p in zip(grads, params)]
    updates, new_state = transformation.update(grads, state, params)
    new_params = optax.apply_updates(params, updates)
    new_leaves = jax.tree_util.tree_leaves(new_state)
    if len(new_leaves) != m:
        raise ValueError(f"the optax state changed structure: {m} leaves before the update, {len(new_leaves)} after")
    return ([jnp.asarray(v, jnp.result_type(p)) for v, p in zip(new_params, params)]
            + [jnp.asarray(v, jnp.result_type(s)) for v, s in zip(new_leaves, state_leaves)])


def _optax_update_infer(*inputs, builder, hyper_names, n_params, _treedef):
    n, m = n_params, _treedef.num_leaves
    return [v.type for v in inputs[:n]] + [v.type for v in inputs[2 * n:2 * n + m]]


def get_or_compute_grads(cost_or_grads, params):
    """Gradients of a scalar cost with respect to `params`, or the given list of gradients."""
    if isinstance(cost_or_grads, (list, tuple)):
        if len(cost_or_grads) != len(params):
            raise ValueError(f"got {len(cost_or_grads)} gradients for {len(params)} parameters")
        return [as_tensor_variable(g) for g in cost_or_grads]
    return grad(cost_or_grads, params)


def _initial_value(var):
    """A concrete value for the symbolic hyperparameter `var`, to initialise the optimizer state."""
    folded = static_value(var)
    if folded is not None:
        return np.asarray(folded)
    if isinstance(var, SharedVariable):
        return var.get_value()
    if all(isinstance(leaf, (SharedVariable, Constant)) for leaf in leaves([var])):
        return np.asarray(var.eval())
    return np.asarray(1.0, var.dtype)


def _state_name(prefix, path):
    return f"{prefix}.state{jax.tree_util.keystr(path)}"


def from_optax(transformation, cost, params, name=None, **hyperparams):
    """Update pairs applying an optax optimizer to the shared variables `params`.

    `transformation` is an optax ``GradientTransformation`` (``optax.chain(...)``),
    or an optax constructor (``optax.adam``) called with `hyperparams`, which may
    be symbolic scalars.  `cost` is a scalar cost, or the list of gradients.
    """
    params = list(params)
    for p in params:
        if not isinstance(p, SharedVariable):
            raise TypeError(f"optimizer parameters must be shared variables, got {p!r}")
    if len(set(params)) != len(params):
        raise ValueError("a parameter appears twice in params")
    grads = get_or_compute_grads(cost, params)
    if hasattr(transformation, "init") and hasattr(transformation, "update"):
        if hyperparams:
            raise TypeError("hyperparameters are given to optax's constructor, not to a ready transformation")
        builder, symbolic = _Fixed(transformation), {}
        prefix = name or "optax"
    elif callable(transformation):
        static = {k: v for k, v in hyperparams.items() if not isinstance(v, Variable)}
        symbolic = {k: v for k, v in hyperparams.items() if isinstance(v, Variable)}
        builder = _Factory(transformation, static)
        prefix = name or getattr(transformation, "__name__", "optax")
    else:
        raise TypeError(f"from_optax needs an optax GradientTransformation or constructor, got {transformation!r}")
    for key, var in symbolic.items():
        if var.ndim != 0:
            raise TypeError(f"hyperparameter {key} must be a scalar, got {var.describe()}")
    hyper_names = tuple(symbolic)
    hyper_vars = [symbolic[k] for k in hyper_names]
    with jax.ensure_compile_time_eval():
        initial = builder(**{k: _initial_value(v) for k, v in symbolic.items()})
        state = initial.init([jnp.asarray(p.get_value(borrow=True)) for p in params])
    paths_leaves, treedef = jax.tree_util.tree_flatten_with_path(state)
    state_vars = [SharedVariable(np.asarray(leaf), name=_state_name(prefix, path)) for path, leaf in paths_leaves]
    op = Op("optax_update", _optax_update_impl, infer=_optax_update_infer, builder=builder,
            hyper_names=hyper_names, n_params=len(params), _treedef=treedef)
    outs = op(*params, *grads, *state_vars, *hyper_vars)
    outs = outs if isinstance(outs, list) else [outs]
    for var, out in zip(params + state_vars, outs):
        out.name = f"{prefix}({var.name or 'param'})"
    return list(zip(params + state_vars, outs))


def sgd(cost, params, learning_rate=0.01):
    """``param - learning_rate * grad``."""
    return from_optax(optax.sgd, cost, params, name="sgd", learning_rate=learning_rate)


def momentum(cost, params, learning_rate=0.01, momentum=0.9, **kwargs):
    """SGD with heavy-ball momentum (optax.sgd with momentum)."""
    return from_optax(optax.sgd, cost, params, name="momentum", learning_rate=learning_rate, momentum=momentum,
                      **kwargs)


def nesterov(cost, params, learning_rate=0.01, momentum=0.9, **kwargs):
    """SGD with Nesterov momentum (optax.sgd with nesterov=True)."""
    return from_optax(optax.sgd, cost, params, name="nesterov", learning_rate=learning_rate, momentum=momentum,
                      nesterov=True, **kwargs)


nesterov_momentum = nesterov


def adagrad(cost, params, learning_rate=0.01, initial_accumulator_value=0.1, eps=1e-7):
    return from_optax(optax.adagrad, cost, params, name="adagrad", learning_rate=learning_rate,
                      initial_accumulator_value=initial_accumulator_value, eps=eps)


def rmsprop(cost, params, learning_rate=0.001, decay=0.9, eps=1e-8, **kwargs):
    """optax.rmsprop (``centered=``, ``momentum=``, ... pass through)."""
    return from_optax(optax.rmsprop, cost, params, name="rmsprop", learning_rate=learning_rate, decay=decay, eps=eps,
                      **kwargs)


def adadelta(cost, params, learning_rate=1.0, rho=0.9, eps=1e-6, **kwargs):
    return from_optax(optax.adadelta, cost, params, name="adadelta", learning_rate=learning_rate, rho=rho, eps=eps,
                      **kwargs)


def adam(cost, params, learning_rate=1e-3, b1=0.9, b2=0.999, eps=1e-8, **kwargs):
    return from_optax(optax.adam, cost, params, name="adam", learning_rate=learning_rate, b1=b1, b2=b2, eps=eps,
                      **kwargs)


def adamax(cost, params, learning_rate=2e-3, b1=0.9, b2=0.999, eps=1e-8):
    return from_optax(optax.adamax, cost, params, name="adamax", learning_rate=learning_rate, b1=b1, b2=b2, eps=eps)


def adamw(cost, params, learning_rate=1e-3, b1=0.9, b2=0.999, eps=1e-8, weight_decay=1e-4, **kwargs):
    return from_optax(optax.adamw, cost, params, name="adamw", learning_rate=learning_rate, b1=b1, b2=b2, eps=eps,
                      weight_decay=weight_decay, **kwargs)
