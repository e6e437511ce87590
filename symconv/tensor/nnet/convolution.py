"""``T.nnet.conv2d``: Theano's 2-D convolution (NCHW images, OIHW filters) as one op.

The lowering (on CPU XLA's convolution for values and im2col + matmul wherever it is
differentiated, on GPU XLA's convolution) is chosen in
``symconv.kernels.conv.choose_conv_lowering``; all give the same results.
"""
from ... import dtypes as D
from ...kernels import conv as kernels
from ...op import Op
from ...ops import literals as L
from ...ops.products import precision
from ...type import TensorType


def _check_given_shape(actual, given, what):
    if given is None:
        return
    if len(given) != len(actual) or any(g is not None and a is not None and int(g) != int(a) for g, a in zip(given, actual)):
        raise ValueError(f"conv2d: {what} was given as {tuple(given)} but the actual shape is {tuple(actual)}")


def _conv2d_impl(x, w, *, border_mode, subsample, filter_flip, filter_dilation, num_groups, precision, dtype,
                 input_shape, filter_shape):
    _check_given_shape(x.shape, input_shape, "input_shape")
    _check_given_shape(w.shape, filter_shape, "filter_shape")
    return kernels.conv2d(x.astype(dtype), w.astype(dtype), border_mode=border_mode, subsample=subsample,
                          filter_flip=filter_flip, filter_dilation=filter_dilation, num_groups=num_groups,
                          precision=precision)


def _conv2d_infer(x, w, *, border_mode, subsample, filter_dilation, dtype, input_shape, filter_shape, **_):
    xs = _merge(x.type.shape, input_shape, "input_shape")
    ws = _merge(w.type.shape, filter_shape, "filter_shape")
    spatial = []
    for axis in (2, 3):
        if xs[axis] is None or ws[axis] is None:
            spatial.append(None)
            continue
        probe_x = (1, 1, xs[2] or 1, xs[3] or 1)
        probe_w = (1, 1, ws[2] or 1, ws[3] or 1)
        spatial.append(kernels.conv2d_output_shape(probe_x, probe_w, border_mode, subsample, filter_dilation)[axis])
    if any(s is not None and s < 1 for s in spatial):
        raise ValueError(f"conv2d output would be empty for input shape {xs} and filter shape {ws}")
    return [TensorType(dtype, (xs[0], ws[0], *spatial))]


def _merge(static, given, what):
    if given is None:
        return static
    given = tuple(None if g is None else int(g) for g in given)
    if len(given) != len(static) or any(g is not None and s is not None and g != s for g, s in zip(given, static)):
        raise ValueError(f"conv2d: {what} was given as {given} but the variable's type has shape {static}")
    return tuple(s if s is not None else g for s, g in zip(static, given))


def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode="valid", subsample=(1, 1),
           filter_flip=True, image_shape=None, filter_dilation=(1, 1), num_groups=1, **_):
    """Theano's conv2d: 'valid', 'full', 'half', an int or a pair for border_mode; flipped kernels by default."""
    x, w = L.as_tensor_variable(input), L.as_tensor_variable(filters)
    if x.ndim != 4 or w.ndim != 4:
        raise TypeError(f"conv2d needs 4-D input (batch, channels, rows, cols) and 4-D filters "
                        f"(out channels, in channels, rows, cols); got {x!r} with {x.ndim} and {w!r} with {w.ndim} dims")
    input_shape = input_shape if input_shape is not None else image_shape
    kernels.conv2d_padding(border_mode, (1, 1))  # validates border_mode now, at build time
    dtype = D.upcast(x.dtype, w.dtype)
    if not D.is_float(dtype):
        dtype = D.upgrade_to_float(dtype)
    norm = lambda s: None if s is None else tuple(None if d is None else int(d) for d in s)  # noqa: E731
    border = border_mode if isinstance(border_mode, str) else (
        int(border_mode) if isinstance(border_mode, int) else tuple(
            tuple(int(v) for v in b) if isinstance(b, (tuple, list)) else int(b) for b in border_mode))
    return Op("conv2d", _conv2d_impl, infer=_conv2d_infer, border_mode=border,
              subsample=kernels.int_pair(subsample, "subsample", 1), filter_flip=bool(filter_flip),
              filter_dilation=kernels.int_pair(filter_dilation, "filter_dilation", 1), num_groups=int(num_groups),
              precision=precision(), dtype=dtype, input_shape=norm(input_shape), filter_shape=norm(filter_shape))(x, w)
