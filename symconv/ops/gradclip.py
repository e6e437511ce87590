"""Ops that are the identity forward and change the gradient passing through: Theano's grad_clip and grad_scale."""
import functools

import jax
import jax.numpy as jnp

from ..op import Op
from .literals import as_tensor_variable


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2))
def _clipped(x, lower, upper):
    return x


def _clipped_fwd(x, lower, upper):
    return x, None


def _clipped_bwd(lower, upper, _, g):
    return (jnp.clip(g, lower, upper).astype(g.dtype),)


_clipped.defvjp(_clipped_fwd, _clipped_bwd)


@functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
def _scaled(x, multiplier):
    return x


def _scaled_fwd(x, multiplier):
    return x, None


def _scaled_bwd(multiplier, _, g):
    return ((g * multiplier).astype(g.dtype),)


_scaled.defvjp(_scaled_fwd, _scaled_bwd)


def _grad_clip_impl(x, *, lower, upper):
    return _clipped(x, lower, upper)


def _grad_scale_impl(x, *, multiplier):
    return _scaled(x, multiplier)


def grad_clip(x, lower_bound, upper_bound):
    """`x` unchanged, but the gradient flowing back through it is clipped to [lower_bound, upper_bound]."""
    lower, upper = float(lower_bound), float(upper_bound)
    if upper < lower:
        raise ValueError(f"grad_clip: upper_bound {upper_bound!r} is below lower_bound {lower_bound!r}")
    return Op("grad_clip", _grad_clip_impl, lower=lower, upper=upper)(as_tensor_variable(x))


def grad_scale(x, multiplier):
    """`x` unchanged, but the gradient flowing back through it is multiplied by `multiplier`."""
    return Op("grad_scale", _grad_scale_impl, multiplier=float(multiplier))(as_tensor_variable(x))
