"""N-d convolutions as Theano's abstract_conv ops compute them: forward, gradient wrt inputs, gradient wrt weights.

Layouts are Theano's: inputs (batch, channels, *spatial), filters
(out channels, in channels / num_groups, *kernel).  ``filter_flip=True`` is a
true convolution (the kernel flipped on every spatial axis).  The forward pass
is one ``lax.conv_general_dilated``; the two gradient ops (Theano's
``AbstractConv*_gradInputs`` and ``_gradWeights``, which Lasagne uses for
transposed and dilated convolutions) are the vjp of that forward pass for the
shape they are given, so they are exactly its gradients, and are themselves
differentiable.
"""
import operator

import jax
import jax.numpy as jnp
from jax import lax

from ..contract import concrete_ints

BORDER_MODES = ("valid", "full", "half")


def int_tuple(value, n, name, minimum):
    """`value` (an int, or a sequence of `n` ints) as a tuple of `n` Python ints >= `minimum`."""
    values = (value,) * n if isinstance(value, int) or hasattr(value, "__index__") else value
    try:
        result = tuple(operator.index(v) for v in values)
    except TypeError:
        result = ()
    if len(result) != n or min(result) < minimum:
        raise ValueError(f"{name} must be an int >= {minimum} or {n} of them, got {value!r}")
    return result


def normalize_border_mode(border_mode, n):
    """'valid', 'full', 'half', or per-axis ``(before, after)`` padding pairs."""
    if isinstance(border_mode, str):
        if border_mode not in BORDER_MODES:
            raise ValueError(f"border_mode must be one of {BORDER_MODES}, an int or a tuple of {n}, "
                             f"got {border_mode!r}")
        return border_mode
    if isinstance(border_mode, int) or hasattr(border_mode, "__index__"):
        border_mode = (border_mode,) * n
    if not isinstance(border_mode, (tuple, list)) or len(border_mode) != n:
        raise ValueError(f"border_mode must be 'valid', 'full', 'half', an int or a tuple of {n}, "
                         f"got {border_mode!r}")
    pads = []
    for entry in border_mode:
        pair = tuple(entry) if isinstance(entry, (tuple, list)) else (entry, entry)
        pair = tuple(operator.index(p) for p in pair)
        if len(pair) != 2 or min(pair) < 0:
            raise ValueError(f"border_mode entries must be ints >= 0 or (before, after) pairs, got {border_mode!r}")
        pads.append(pair)
    return tuple(pads)


def padding(border_mode, kernel, dilation):
    """Zero padding per spatial axis, ((before, after), ...), that `border_mode` means for this kernel."""
    dilated = [(k - 1) * d + 1 for k, d in zip(kernel, dilation)]
    if border_mode == "valid":
        return tuple((0, 0) for _ in dilated)
    if border_mode == "full":
        return tuple((k - 1, k - 1) for k in dilated)
    if border_mode == "half":
        return tuple((k // 2, k // 2) for k in dilated)
    return tuple(border_mode)


def output_length(size, kernel, pad, stride, dilation):
    """Theano's get_conv_shape_1axis for an explicit (before, after) padding; None where unknown."""
    if size is None or kernel is None:
        return None
    dilated = (kernel - 1) * dilation + 1
    return (size + pad[0] + pad[1] - dilated) // stride + 1


def _dimension_numbers(n):
    spatial = "DHW"[-n:] if n <= 3 else None
    return ("NC" + spatial, "OI" + spatial, "NC" + spatial)


def conv_forward(x, w, *, border_mode, subsample, filter_flip, filter_dilation, num_groups, dtype):
    """Theano's AbstractConv{2,3}d on arrays."""
    n = x.ndim - 2
    x, w = x.astype(dtype), w.astype(dtype)
    if filter_flip:
        w = jnp.flip(w, axis=tuple(range(2, 2 + n)))
    pads = padding(border_mode, w.shape[2:], filter_dilation)
    return lax.conv_general_dilated(x, w, window_strides=subsample, padding=pads, rhs_dilation=filter_dilation,
                                    dimension_numbers=_dimension_numbers(n), feature_group_count=num_groups,
                                    precision=lax.Precision.HIGHEST)


def conv_grad_inputs(w, topgrad, shape, *, dtype, num_groups, **params):
    """The gradient of the forward conv wrt its input of spatial shape `shape`, at output gradient `topgrad`."""
    spatial = concrete_ints(shape, "the input shape of a transposed convolution (AbstractConv_gradInputs)")
    n = w.ndim - 2
    spatial = spatial[-n:]
    x_shape = (topgrad.shape[0], w.shape[1] * num_groups, *spatial)
    forward = lambda x: conv_forward(x, w, dtype=dtype, num_groups=num_groups, **params)  # noqa: E731
    _, pullback = jax.vjp(forward, jnp.zeros(x_shape, dtype))
    return pullback(topgrad.astype(dtype))[0]


def conv_grad_weights(x, topgrad, shape, *, dtype, num_groups, **params):
    """The gradient of the forward conv wrt its filters of spatial shape `shape`, at output gradient `topgrad`."""
    spatial = concrete_ints(shape, "the filter shape of AbstractConv_gradWeights")
    n = x.ndim - 2
    spatial = spatial[-n:]
    w_shape = (topgrad.shape[1], x.shape[1] // num_groups, *spatial)
    forward = lambda w: conv_forward(x, w, dtype=dtype, num_groups=num_groups, **params)  # noqa: E731
    _, pullback = jax.vjp(forward, jnp.zeros(w_shape, dtype))
    return pullback(topgrad.astype(dtype))[0]
