"""A candidate for probe_conv_candidate.py: conv2's patch gradient as a plain (NN) product.

XLA:CPU runs the channels-first patch gradient ``filters^T @ g`` (a transposed operand) on Eigen; with the
filters already transposed YNNPACK runs it faster (12.1 against 10.6 ms, torch-gap.md). Here the channels-first
product gets a custom VJP whose backward multiplies by an explicitly transposed filter matrix, kept apart from
the dot by an optimization barrier so XLA cannot fold the transpose back in. Everything else is
``_conv_im2col_channels_first`` itself (its one ``jnp.matmul`` is swapped while it is traced).

    python benchmarks/notes/probe_conv_candidate.py benchmarks/notes/candidate_patch_gradient_nn.py
"""
import functools
import unittest.mock

import jax
import jax.numpy as jnp
from jax import lax

import symconv.kernels.conv as kc


_matmul = jnp.matmul  # the original, called below while jnp.matmul is swapped for _product


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _product(filters, patches, precision):
    return _matmul(filters, patches, precision=precision)


def _product_fwd(filters, patches, precision):
    return _product(filters, patches, precision), (filters, patches)


def _product_bwd(precision, residuals, g):
    filters, patches = residuals
    filters_t = lax.optimization_barrier(jnp.swapaxes(filters, -1, -2))
    return (_matmul(g, jnp.swapaxes(patches, -1, -2), precision=precision),
            _matmul(filters_t, g, precision=precision))


_product.defvjp(_product_fwd, _product_bwd)


def conv_im2col(x, w, padding, strides, dilation, groups, precision):
    out_channels, group_channels, kh, kw = w.shape
    if out_channels // groups * kh * kw * group_channels < kc.CHANNELS_FIRST_MIN_FILTER_GRADIENT:
        return kc._conv_im2col_channels_last(x, w, padding, strides, dilation, groups, precision)
    with unittest.mock.patch.object(kc.jnp, "matmul", lambda a, b, precision: _product(a, b, precision)):
        return kc._conv_im2col_channels_first(x, w, padding, strides, dilation, groups, precision)
