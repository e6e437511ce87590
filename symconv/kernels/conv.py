"""Theano's ``conv2d`` (``theano.tensor.nnet.conv2d`` / ``abstract_conv``) as a pure JAX function.

Layouts are Theano's: the input ``x`` is NCHW and the filters ``w`` are OIHW, where
I = channels / num_groups. ``filter_flip=True`` (Theano's default) is a true convolution: the
kernels are flipped in both spatial dimensions before they slide over the input.

Three lowerings compute the same function:
- ``'lax'``: one ``lax.conv_general_dilated`` (cuDNN on GPU).
- ``'im2col'``: kh*kw shifted strided slices of the padded input, then one contraction with the
  filters. On CPU, XLA's convolution gradient is slow; the gradient of slices and a matmul is
  slices, pads and matmuls, which made the LeNet5 training step about 1.6x faster
  (benchmarks/notes/kernel-lowering.md).
- ``'split'`` (the CPU default): ``'lax'`` for the value, ``'im2col'`` wherever it is
  differentiated (a custom JVP): XLA:CPU's forward convolution is the faster of the two, its
  gradient the slower.
``choose_conv_lowering`` is the single place that picks between them.
"""
import functools
import operator

import jax
import jax.numpy as jnp
from jax import lax
from jax.custom_derivatives import SymbolicZero

LOWERINGS = ('lax', 'im2col', 'split')
BORDER_MODES = ('valid', 'full', 'half')
# Filter-gradient size (filters per group x kh*kw*channels per group) from which im2col lays its
# patches out channels-first (``_conv_im2col``); measured on a 2-core CPU, where first layers of
# 432-1,728 lost 0.73-0.89x and those of 2,400 and more gained 1.09-1.33x.
CHANNELS_FIRST_MIN_FILTER_GRADIENT = 2048


def choose_conv_lowering(platform):
    """The lowering ``conv2d`` uses when none is given: 'split' on CPU, XLA's convolution elsewhere."""
    return 'split' if platform == 'cpu' else 'lax'


def int_pair(value, name, minimum):
    """``value`` as a tuple of two Python ints >= ``minimum``; an int stands for both dimensions."""
    values = (value, value) if _is_int(value) else value
    try:
        pair = tuple(operator.index(v) for v in values)
    except TypeError:
        pair = ()
    if len(pair) != 2 or min(pair) < minimum:
        raise ValueError(f'{name} must be an int >= {minimum} or a pair of them, got {value!r}')
    return pair


def conv2d_padding(border_mode, kernel_shape, filter_dilation=(1, 1)):
    """Zero padding ``((top, bottom), (left, right))`` that Theano's ``border_mode`` means.

    'valid' pads nothing, 'full' pads dilated_kernel - 1 and 'half' dilated_kernel // 2 on each
    side; an int pads both dimensions symmetrically; a pair gives (pad_h, pad_w), each an int or,
    as in Theano 1.0, an asymmetric (before, after) pair.
    """
    dilated = [(k - 1) * d + 1 for k, d in zip(kernel_shape, filter_dilation)]
    if isinstance(border_mode, str) and border_mode in BORDER_MODES:
        per_side = {'valid': [0, 0], 'full': [k - 1 for k in dilated],
                    'half': [k // 2 for k in dilated]}[border_mode]
        return tuple((p, p) for p in per_side)
    if _is_int(border_mode) and border_mode >= 0:
        return ((int(border_mode), int(border_mode)),) * 2
    if isinstance(border_mode, (tuple, list)) and len(border_mode) == 2:
        sides = [_padding_of_one_dim(mode) for mode in border_mode]
        if None not in sides:
            return tuple(sides)
    raise ValueError(
        f"invalid border_mode {border_mode!r}: use 'valid', 'full', 'half', a non-negative int, "
        "or a pair (pad_h, pad_w) whose entries are non-negative ints or (before, after) pairs")


def conv2d_output_shape(x_shape, w_shape, border_mode='valid', subsample=(1, 1),
                        filter_dilation=(1, 1)):
    """Shape of ``conv2d(x, w, ...)``: Theano's ``get_conv_output_shape``."""
    subsample = int_pair(subsample, 'subsample', 1)
    filter_dilation = int_pair(filter_dilation, 'filter_dilation', 1)
    padding = conv2d_padding(border_mode, w_shape[2:], filter_dilation)
    spatial = tuple(
        (size + before + after - ((k - 1) * d + 1)) // s + 1
        for size, (before, after), k, d, s in zip(
            x_shape[2:], padding, w_shape[2:], filter_dilation, subsample))
    return (x_shape[0], w_shape[0]) + spatial


def conv2d(x, w, border_mode='valid', subsample=(1, 1), filter_flip=True,
           filter_dilation=(1, 1), num_groups=1, precision=None, lowering=None):
    """Theano's ``conv2d`` of NCHW images ``x`` with OIHW filters ``w``.

    ``precision`` goes to the contraction; None means ``lax.Precision.HIGHEST`` so float32 is
    computed in full float32 as Theano did. ``lowering`` is 'lax', 'im2col' or None for
    ``choose_conv_lowering`` of the default backend.
    """
    x, w = jnp.asarray(x), jnp.asarray(w)
    subsample = int_pair(subsample, 'subsample', 1)
    filter_dilation = int_pair(filter_dilation, 'filter_dilation', 1)
    _check_shapes(x.shape, w.shape, num_groups)
    padding = conv2d_padding(border_mode, w.shape[2:], filter_dilation)
    out_shape = conv2d_output_shape(x.shape, w.shape, padding, subsample, filter_dilation)
    if min(out_shape[2:]) < 1:
        raise ValueError(
            f'conv2d output would be empty: image {x.shape[2:]} padded by {padding} is smaller '
            f'than the dilated kernel {w.shape[2:]} (dilation {filter_dilation})')
    if lowering is None:
        lowering = choose_conv_lowering(jax.default_backend())
    if lowering not in LOWERINGS:
        raise ValueError(f'lowering must be one of {LOWERINGS} or None, got {lowering!r}')
    dtype = jnp.promote_types(x.dtype, w.dtype)
    x, w = x.astype(dtype), w.astype(dtype)
    if filter_flip:
        w = lax.rev(w, (2, 3))
    if precision is None:
        precision = lax.Precision.HIGHEST
    lower = {'lax': _conv_lax, 'im2col': _conv_im2col, 'split': _conv_split}[lowering]
    return lower(x, w, padding, subsample, filter_dilation, num_groups, precision)


def _conv_lax(x, w, padding, strides, dilation, groups, precision):
    return lax.conv_general_dilated(
        x, w, window_strides=strides, padding=padding, rhs_dilation=dilation,
        dimension_numbers=('NCHW', 'OIHW', 'NCHW'), feature_group_count=groups,
        precision=precision)


def _conv_im2col(x, w, padding, strides, dilation, groups, precision):
    """Cross-correlation as kh*kw strided slices of the padded input and one contraction.

    The patches are laid out so that the forward product and both gradient products are plain
    GEMMs: channels-first, (kh*kw*C, N*OH*OW), where the filter gradient (filters x patch length)
    is big enough for XLA:CPU to split across threads; channels-last, (N*OH*OW, kh*kw*C),
    otherwise (a first layer such as LeNet5's 1 -> 20 channels, 5x5), since that GEMM then
    contracts over every pixel on one thread. On LeNet5's second convolution channels-first made
    the gradient 1.3x faster (benchmarks/notes/torch-gap.md).
    """
    out_channels, group_channels, kh, kw = w.shape
    if out_channels // groups * kh * kw * group_channels >= CHANNELS_FIRST_MIN_FILTER_GRADIENT:
        return _conv_im2col_channels_first(x, w, padding, strides, dilation, groups, precision)
    return _conv_im2col_channels_last(x, w, padding, strides, dilation, groups, precision)


def _conv_im2col_channels_last(x, w, padding, strides, dilation, groups, precision):
    """im2col with (N*OH*OW, kh*kw*C) patches, built from the NHWC input.

    Channels-last inside, so that each output pixel's patch is one contiguous row of a
    (pixels, kh*kw*channels) matrix: the matmul and its gradient run as plain GEMMs, the fastest
    of the layouts measured in benchmarks/notes/kernel-lowering.md.
    """
    n = x.shape[0]
    out_channels, group_channels, kh, kw = w.shape
    out_h, out_w = conv2d_output_shape(x.shape, w.shape, padding, strides, dilation)[2:]
    x = jnp.transpose(x, (0, 2, 3, 1))
    x = lax.pad(x, jnp.zeros((), x.dtype), ((0, 0, 0),) + tuple(
        (before, after, 0) for before, after in padding) + ((0, 0, 0),))
    patches = _patches(x, (kh, kw), (out_h, out_w), tuple(strides), tuple(dilation))
    pixels, group_outputs = n * out_h * out_w, out_channels // groups
    patches = jnp.transpose(patches.reshape(pixels, kh * kw, groups, group_channels),
                            (2, 0, 1, 3)).reshape(groups, pixels, kh * kw * group_channels)
    filters = jnp.transpose(w.reshape(groups, group_outputs, group_channels, kh, kw),
                            (0, 3, 4, 2, 1)).reshape(groups, kh * kw * group_channels, group_outputs)
    out = jnp.matmul(patches, filters, precision=precision)
    out = jnp.transpose(out, (1, 0, 2)).reshape(n, out_h, out_w, out_channels)
    return jnp.transpose(out, (0, 3, 1, 2))


def _conv_im2col_channels_first(x, w, padding, strides, dilation, groups, precision):
    """im2col with (kh*kw*C, N*OH*OW) patches, built from the CNHW input in two stages
    (``_slices_in_two_stages``), each slice a run of contiguous rows; the product is filters @ patches.

    Differentiated by JAX as it stands: the gradient GEMMs (g @ patches^T, filters^T @ g) and the
    sums of padded slices that return the patch gradient to the input are all channels-first too.
    """
    n = x.shape[0]
    out_channels, group_channels, kh, kw = w.shape
    out_h, out_w = conv2d_output_shape(x.shape, w.shape, padding, strides, dilation)[2:]
    x = jnp.transpose(x, (1, 0, 2, 3))
    x = lax.pad(x, jnp.zeros((), x.dtype), ((0, 0, 0), (0, 0, 0)) + tuple(
        (before, after, 0) for before, after in padding))
    patches = _slices_in_two_stages(x, (kh, kw), (out_h, out_w), strides, dilation, rows_axis=2, stack_axis=0)
    pixels, group_outputs = n * out_h * out_w, out_channels // groups
    patches = jnp.transpose(patches.reshape(kh * kw, groups, group_channels, pixels),
                            (1, 0, 2, 3)).reshape(groups, kh * kw * group_channels, pixels)
    filters = jnp.transpose(w.reshape(groups, group_outputs, group_channels, kh, kw),
                            (0, 1, 3, 4, 2)).reshape(groups, group_outputs, kh * kw * group_channels)
    out = jnp.matmul(filters, patches, precision=precision)
    return jnp.transpose(out.reshape(out_channels, n, out_h, out_w), (1, 0, 2, 3))


@functools.partial(jax.custom_jvp, nondiff_argnums=(2, 3, 4, 5, 6))
def _conv_split(x, w, padding, strides, dilation, groups, precision):
    """XLA's convolution for the value; the im2col formulation wherever it is differentiated.

    On XLA:CPU the forward convolution is about twice as fast as im2col's patches and matmul (the
    LeNet5 error rate, forward only: 2.0x), while its gradient is much slower than im2col's. A
    custom JVP keeps both: an evaluation runs the convolution; ``jax.jvp``, ``jax.grad`` and
    everything built on them run the im2col function's own JVP (so the training step, forward
    mode and higher orders are the 'im2col' lowering's computation, patches shared between the
    value and the gradient).
    """
    return _conv_lax_channels_last(x, w, padding, strides, dilation, groups, precision)


def _conv_lax_channels_last(x, w, padding, strides, dilation, groups, precision):
    """``_conv_lax`` on NHWC / HWIO operands, transposed at the boundary.

    XLA:CPU runs a convolution through its fast (Eigen) kernel only when the operands' layouts are
    channels-last; it picks such layouts itself for an NCHW convolution in a plain program, but not
    inside a loop (``map``'s ``lax.scan``), where the same NCHW convolution was 2.6x slower
    (the LeNet5 evaluation's ``map``: 5,332 against 13,876 img/s).
    """
    out = lax.conv_general_dilated(
        jnp.transpose(x, (0, 2, 3, 1)), jnp.transpose(w, (2, 3, 1, 0)), window_strides=strides, padding=padding,
        rhs_dilation=dilation, dimension_numbers=('NHWC', 'HWIO', 'NHWC'), feature_group_count=groups,
        precision=precision)
    return jnp.transpose(out, (0, 3, 1, 2))


@functools.partial(_conv_split.defjvp, symbolic_zeros=True)
def _conv_split_jvp(padding, strides, dilation, groups, precision, primals, tangents):
    # JAX calls this only when some tangent is nonzero; a symbolic zero (an input nothing
    # differentiates, such as a first layer's images) is left out of the JVP altogether.
    moving = [i for i, t in enumerate(tangents) if not isinstance(t, SymbolicZero)]

    def im2col(*values):
        args = list(primals)
        for i, value in zip(moving, values):
            args[i] = value
        return _conv_im2col(*args, padding, strides, dilation, groups, precision)

    return jax.jvp(im2col, tuple(primals[i] for i in moving), tuple(tangents[i] for i in moving))


def _patches_by_offset(x, kernel, out, strides, dilation):
    """(N, OH, OW, kh*kw, C) patches of NHWC `x`: the kh*kw shifted strided slices, stacked at once."""
    (kh, kw), (out_h, out_w), (sh, sw), (dh, dw) = kernel, out, strides, dilation
    n, channels = x.shape[0], x.shape[3]
    return jnp.stack([
        lax.slice(x, (0, i * dh, j * dw, 0),
                  (n, i * dh + (out_h - 1) * sh + 1, j * dw + (out_w - 1) * sw + 1, channels), (1, sh, sw, 1))
        for i in range(kh) for j in range(kw)], axis=3)


def _patches_by_rows(x, kernel, out, strides, dilation):
    """The same patches in two stages: kh slices along H stacked, then kw slices of that along W.

    XLA:CPU fuses a stack of kw (or kh) slices into one kernel but leaves a stack of kh*kw = 25 as
    25 slice kernels and a concatenation (each patch element written twice), so this is faster to
    compute; its transpose (the gradient) is slower than that of the one-stage stack. Measured on the
    LeNet5 step, one process, interleaved (benchmarks/notes/torch-gap.md): eval 1.32x, train 1.05x.
    """
    (kh, kw), (out_h, out_w) = kernel, out
    by_row = _slices_in_two_stages(x, kernel, out, strides, dilation, rows_axis=1, stack_axis=3)
    return by_row.reshape(x.shape[0], out_h, out_w, kh * kw, x.shape[3])


def _slices_in_two_stages(x, kernel, out, strides, dilation, rows_axis, stack_axis):
    """The kh*kw shifted strided slices of `x` (rows at `rows_axis`, columns right after it),
    stacked at `stack_axis` as (kh, kw): kh slices along the rows first, then kw of that along the
    columns. NHWC x, stack at 3: (N, OH, OW, kh, kw, C); CNHW x, stack at 0: (kh, kw, C, N, OH, OW).

    Rows first: the first stage copies runs of whole rows; and JAX's transpose (the patch gradient
    summed back into the input, for channels-first patches) then pads the column shifts first,
    which XLA:CPU does in about half the time of the row shifts (the same five padded copies and
    one sum). On LeNet5's second convolution that sum took 12-14 ms against 14-15 ms columns
    first, the patches 6.7-7.0 against 6.9-7.5 ms (benchmarks/notes/torch-gap.md)."""
    (kh, kw), (out_h, out_w), (sh, sw), (dh, dw) = kernel, out, strides, dilation
    by_row = jnp.stack([lax.slice_in_dim(x, i * dh, i * dh + (out_h - 1) * sh + 1, sh, rows_axis)
                        for i in range(kh)], axis=stack_axis)
    columns_axis = rows_axis + 1 + (stack_axis <= rows_axis)
    return jnp.stack([lax.slice_in_dim(by_row, j * dw, j * dw + (out_w - 1) * sw + 1, sw, columns_axis)
                      for j in range(kw)], axis=stack_axis + 1)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2, 3, 4))
def _patches(x, kernel, out, strides, dilation):
    """im2col patches, (N, OH, OW, kh*kw, C): computed in two stages, differentiated as the one-stage stack.

    The map is linear, so its tangent is the same map of the tangent; writing that as the one-stage
    stack makes reverse mode (JAX's transpose of the tangent) the one-stage stack's faster
    gradient, while the forward value comes from the faster two-stage construction. Both give
    the same values, element for element.
    """
    return _patches_by_rows(x, kernel, out, strides, dilation)


@_patches.defjvp
def _patches_jvp(kernel, out, strides, dilation, primals, tangents):
    (x,), (tangent,) = primals, tangents
    return _patches(x, kernel, out, strides, dilation), _patches_by_offset(tangent, kernel, out, strides, dilation)


def _check_shapes(x_shape, w_shape, num_groups):
    if len(x_shape) != 4 or len(w_shape) != 4:
        raise TypeError(f'conv2d needs a 4D NCHW input and 4D OIHW filters, got shapes '
                        f'{tuple(x_shape)} and {tuple(w_shape)}')
    if not _is_int(num_groups) or num_groups < 1:
        raise ValueError(f'num_groups must be a positive int, got {num_groups!r}')
    if x_shape[1] != w_shape[1] * num_groups:
        raise ValueError(
            f'the input has {x_shape[1]} channels but the filters expect '
            f'{w_shape[1]} per group x {num_groups} groups = {w_shape[1] * num_groups}')
    if w_shape[0] % num_groups:
        raise ValueError(f'{w_shape[0]} filters cannot be split into {num_groups} groups')


def _padding_of_one_dim(mode):
    if _is_int(mode) and mode >= 0:
        return (int(mode), int(mode))
    if (isinstance(mode, (tuple, list)) and len(mode) == 2
            and all(_is_int(m) and m >= 0 for m in mode)):
        return tuple(int(m) for m in mode)
    return None


def _is_int(value):
    """True for Python and NumPy integers, but not for bools (border_mode=True is a mistake)."""
    try:
        operator.index(value)
    except TypeError:
        return False
    return not isinstance(value, bool)
