"""``theano.tensor.nnet.abstract_conv``: Theano's abstract convolution ops and helpers, 2-D and 3-D.

``AbstractConv2d`` / ``AbstractConv3d`` apply a convolution; ``..._gradInputs``
(a transposed convolution, given the input shape) and ``..._gradWeights`` (given
the filter shape) apply its gradients as ops of their own, as Lasagne's
TransposedConv and DilatedConv layers use them.  Each is an op object built
with the static parameters and called on variables, as in Theano:
``AbstractConv2d_gradInputs(imshp, kshp, border_mode=...)(kern, topgrad, shape)``.
The lowerings are in ``symconv.ops.convnd``.
"""
from ... import dtypes as D
from ...op import Op
from ...ops import convnd
from ...ops import literals as L
from ...ops.shape_ops import int_vector
from ...ops.shapes import static_entries
from ...type import TensorType
from .convolution import conv2d as nnet_conv2d


def _float_dtype(*variables):
    dtype = D.upcast(*(v.dtype for v in variables))
    return dtype if D.is_float(dtype) else D.upgrade_to_float(dtype)


def _shape_tuple(shape, n, what):
    if shape is None:
        return None
    shape = tuple(None if s is None or not isinstance(s, int) and not hasattr(s, "__index__") else int(s)
                  for s in shape)
    if len(shape) != n:
        raise ValueError(f"{what} must have {n} entries, got {shape!r}")
    return shape


def _check_shape(actual, given, what):
    if given is not None and any(g is not None and int(g) != int(a) for g, a in zip(given, actual)):
        raise ValueError(f"{what} was given as {tuple(given)} but the actual shape is {tuple(actual)}")


def _forward_impl(x, w, *, imshp, kshp, **params):
    _check_shape(x.shape, imshp, "AbstractConv: imshp (the input shape)")
    _check_shape(w.shape, kshp, "AbstractConv: kshp (the filter shape)")
    return convnd.conv_forward(x, w, **params)


def _grad_inputs_impl(w, topgrad, shape, *, imshp, kshp, **params):
    _check_shape(w.shape, kshp, "AbstractConv_gradInputs: kshp (the filter shape)")
    return convnd.conv_grad_inputs(w, topgrad, shape, **params)


def _grad_weights_impl(x, topgrad, shape, *, imshp, kshp, **params):
    _check_shape(x.shape, imshp, "AbstractConv_gradWeights: imshp (the input shape)")
    return convnd.conv_grad_weights(x, topgrad, shape, **params)


class BaseAbstractConv:
    """The static parameters of a Theano abstract convolution of `convdim` spatial dimensions."""

    kind = "forward"

    def __init__(self, convdim, imshp=None, kshp=None, border_mode="valid", subsample=None, filter_flip=True,
                 filter_dilation=None, num_groups=1, unshared=False):
        if unshared:
            raise NotImplementedError("unshared convolutions (unshared=True) are not supported by symconv")
        self.convdim = n = int(convdim)
        self.imshp = _shape_tuple(imshp, n + 2, "imshp")
        self.kshp = _shape_tuple(kshp, n + 2, "kshp")
        self.border_mode = convnd.normalize_border_mode(border_mode, n)
        self.subsample = convnd.int_tuple((1,) * n if subsample is None else subsample, n, "subsample", 1)
        self.filter_dilation = convnd.int_tuple((1,) * n if filter_dilation is None else filter_dilation, n,
                                                "filter_dilation", 1)
        self.filter_flip = bool(filter_flip)
        self.num_groups = int(num_groups)
        if self.num_groups < 1:
            raise ValueError(f"num_groups must be >= 1, got {num_groups!r}")

    def _params(self, dtype):
        return dict(border_mode=self.border_mode, subsample=self.subsample, filter_flip=self.filter_flip,
                    filter_dilation=self.filter_dilation, num_groups=self.num_groups, dtype=dtype,
                    imshp=self.imshp, kshp=self.kshp)

    def _check_ndim(self, **variables):
        for what, v in variables.items():
            if v.ndim != self.convdim + 2:
                raise TypeError(f"{type(self).__name__}: {what} must have {self.convdim + 2} dimensions, "
                                f"got {v!r} with {v.ndim}")

    def _pads(self, kernel):
        if any(k is None for k in kernel) and isinstance(self.border_mode, str) and self.border_mode != "valid":
            return None
        return convnd.padding(self.border_mode, [k or 1 for k in kernel], self.filter_dilation)

    def _name(self, suffix=""):
        return f"AbstractConv{self.convdim}d{suffix}"


class AbstractConv(BaseAbstractConv):
    """``AbstractConv(convdim, ...)(img, kern)``: the convolution itself."""

    def __call__(self, img, kern):
        x, w = L.as_tensor_variable(img), L.as_tensor_variable(kern)
        self._check_ndim(img=x, kern=w)
        dtype = _float_dtype(x, w)
        return Op(self._name(), _forward_impl, infer=self._infer, **self._params(dtype))(x, w)

    def _infer(self, x, w, *, dtype, **_):
        xs = _merged(x.type.shape, self.imshp)
        ws = _merged(w.type.shape, self.kshp)
        pads = self._pads(ws[2:])
        spatial = [None if pads is None else convnd.output_length(s, k, p, st, d)
                   for s, k, p, st, d in zip(xs[2:], ws[2:], pads or [None] * self.convdim, self.subsample,
                                             self.filter_dilation)]
        if any(s is not None and s < 1 for s in spatial):
            raise ValueError(f"{self._name()}: the output would be empty for input shape {xs} and filter shape {ws}")
        return [TensorType(dtype, (xs[0], ws[0], *spatial))]


class AbstractConv_gradInputs(BaseAbstractConv):  # noqa: N801  (Theano's name)
    """``(kern, topgrad, shape)``: the gradient of the convolution wrt its input, whose spatial shape is `shape`."""

    def __call__(self, kern, topgrad, shape):
        w, top = L.as_tensor_variable(kern), L.as_tensor_variable(topgrad)
        self._check_ndim(kern=w, topgrad=top)
        shape = int_vector(shape)
        dtype = _float_dtype(w, top)
        return Op(self._name("_gradInputs"), _grad_inputs_impl, infer=self._infer,
                  **self._params(dtype))(w, top, shape)

    def _infer(self, w, top, shape, *, dtype, **_):
        ws = _merged(w.type.shape, self.kshp)
        channels = None if ws[1] is None else ws[1] * self.num_groups
        known = (top.type.shape[0], channels, *static_entries(shape)[-self.convdim:])
        return [TensorType(dtype, _merged(known, self.imshp))]


class AbstractConv_gradWeights(BaseAbstractConv):  # noqa: N801  (Theano's name)
    """``(img, topgrad, shape)``: the gradient of the convolution wrt its filters, whose spatial shape is `shape`."""

    def __call__(self, img, topgrad, shape):
        x, top = L.as_tensor_variable(img), L.as_tensor_variable(topgrad)
        self._check_ndim(img=x, topgrad=top)
        shape = int_vector(shape)
        dtype = _float_dtype(x, top)
        return Op(self._name("_gradWeights"), _grad_weights_impl, infer=self._infer,
                  **self._params(dtype))(x, top, shape)

    def _infer(self, x, top, shape, *, dtype, **_):
        xs = _merged(x.type.shape, self.imshp)
        channels = None if xs[1] is None else xs[1] // self.num_groups
        known = (top.type.shape[1], channels, *static_entries(shape)[-self.convdim:])
        return [TensorType(dtype, _merged(known, self.kshp))]


def _merged(static, given):
    if given is None:
        return static
    return tuple(s if s is not None else g for s, g in zip(static, given))


class _Fixed:
    """Mixin: the number of spatial dimensions fixed by the class (Theano's AbstractConv2d and friends)."""

    convdim_of_class = 2

    def __init__(self, imshp=None, kshp=None, border_mode="valid", subsample=None, filter_flip=True,
                 filter_dilation=None, num_groups=1, unshared=False):
        super().__init__(self.convdim_of_class, imshp, kshp, border_mode, subsample, filter_flip, filter_dilation,
                         num_groups, unshared)


class AbstractConv2d(_Fixed, AbstractConv):
    """``AbstractConv2d(imshp, kshp, border_mode, subsample, filter_flip, filter_dilation)(img, kern)``."""


class AbstractConv3d(_Fixed, AbstractConv):
    """``AbstractConv3d(imshp, kshp, border_mode, subsample, filter_flip, filter_dilation)(img, kern)``."""

    convdim_of_class = 3


class AbstractConv2d_gradInputs(_Fixed, AbstractConv_gradInputs):  # noqa: N801
    """``AbstractConv2d_gradInputs(imshp, kshp, ...)(kern, topgrad, shape)``: a transposed 2-D convolution."""


class AbstractConv3d_gradInputs(_Fixed, AbstractConv_gradInputs):  # noqa: N801
    """``AbstractConv3d_gradInputs(imshp, kshp, ...)(kern, topgrad, shape)``: a transposed 3-D convolution."""

    convdim_of_class = 3


class AbstractConv2d_gradWeights(_Fixed, AbstractConv_gradWeights):  # noqa: N801
    """``AbstractConv2d_gradWeights(imshp, kshp, ...)(img, topgrad, shape)``."""


class AbstractConv3d_gradWeights(_Fixed, AbstractConv_gradWeights):  # noqa: N801
    """``AbstractConv3d_gradWeights(imshp, kshp, ...)(img, topgrad, shape)``."""

    convdim_of_class = 3


def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode="valid", subsample=(1, 1),
           filter_flip=True, filter_dilation=(1, 1), num_groups=1, unshared=False):
    """Theano's ``abstract_conv.conv2d``: ``T.nnet.conv2d`` without ``image_shape`` (arguments in this order)."""
    if unshared:
        raise NotImplementedError("unshared convolutions (unshared=True) are not supported by symconv")
    return nnet_conv2d(input, filters, input_shape=input_shape, filter_shape=filter_shape, border_mode=border_mode,
                       subsample=subsample, filter_flip=filter_flip, filter_dilation=filter_dilation,
                       num_groups=num_groups)


def conv3d(input, filters, input_shape=None, filter_shape=None, border_mode="valid", subsample=(1, 1, 1),
           filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """Theano's ``T.nnet.conv3d``: (batch, channels, depth, rows, cols) input, flipped kernels by default."""
    return AbstractConv3d(input_shape, filter_shape, border_mode, subsample, filter_flip, filter_dilation,
                          num_groups)(input, filters)


def _spatial(shape, n):
    return list(shape)[-n:]


def conv2d_grad_wrt_inputs(output_grad, filters, input_shape, filter_shape=None, border_mode="valid",
                           subsample=(1, 1), filter_flip=True, filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The gradient of ``conv2d`` wrt its input of shape `input_shape` (a transposed convolution)."""
    return _grad_inputs(AbstractConv2d_gradInputs, output_grad, filters, input_shape, filter_shape, border_mode,
                        subsample, filter_flip, filter_dilation, num_groups, unshared)


def conv3d_grad_wrt_inputs(output_grad, filters, input_shape, filter_shape=None, border_mode="valid",
                           subsample=(1, 1, 1), filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """The gradient of ``conv3d`` wrt its input of shape `input_shape` (a transposed 3-D convolution)."""
    return _grad_inputs(AbstractConv3d_gradInputs, output_grad, filters, input_shape, filter_shape, border_mode,
                        subsample, filter_flip, filter_dilation, num_groups, False)


def _grad_inputs(cls, output_grad, filters, input_shape, filter_shape, border_mode, subsample, filter_flip,
                 filter_dilation, num_groups, unshared):
    static = tuple(s if isinstance(s, int) else None for s in input_shape)
    op = cls(static, filter_shape, border_mode, subsample, filter_flip, filter_dilation, num_groups, unshared)
    return op(filters, output_grad, _spatial(input_shape, op.convdim))


def conv2d_grad_wrt_weights(input, output_grad, filter_shape, input_shape=None, border_mode="valid",
                            subsample=(1, 1), filter_flip=True, filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The gradient of ``conv2d`` wrt its filters of shape `filter_shape`."""
    return _grad_weights(AbstractConv2d_gradWeights, input, output_grad, filter_shape, input_shape, border_mode,
                         subsample, filter_flip, filter_dilation, num_groups, unshared)


def conv3d_grad_wrt_weights(input, output_grad, filter_shape, input_shape=None, border_mode="valid",
                            subsample=(1, 1, 1), filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """The gradient of ``conv3d`` wrt its filters of shape `filter_shape`."""
    return _grad_weights(AbstractConv3d_gradWeights, input, output_grad, filter_shape, input_shape, border_mode,
                         subsample, filter_flip, filter_dilation, num_groups, False)


def _grad_weights(cls, input, output_grad, filter_shape, input_shape, border_mode, subsample, filter_flip,
                  filter_dilation, num_groups, unshared):
    static = tuple(s if isinstance(s, int) else None for s in filter_shape)
    op = cls(input_shape, static, border_mode, subsample, filter_flip, filter_dilation, num_groups, unshared)
    return op(input, output_grad, _spatial(filter_shape, op.convdim))


def get_conv_shape_1axis(image_shape, kernel_shape, border_mode, subsample, dilation=1):
    """Theano's output length of a convolution along one axis (None where an input is None)."""
    if image_shape is None or kernel_shape is None:
        return None
    dilated = (kernel_shape - 1) * dilation + 1
    if border_mode == "half":
        pad = (dilated // 2, dilated // 2)
    elif border_mode == "full":
        pad = (dilated - 1, dilated - 1)
    elif border_mode == "valid":
        pad = (0, 0)
    else:
        pad = tuple(border_mode) if isinstance(border_mode, (tuple, list)) else (border_mode, border_mode)
        if min(pad) < 0:
            raise ValueError("border_mode must be >= 0")
    return (image_shape + pad[0] + pad[1] - dilated) // subsample + 1


def get_conv_output_shape(image_shape, kernel_shape, border_mode, subsample, filter_dilation=None):
    """Theano's output shape of a convolution: (batch, out channels, *spatial), None where unknown."""
    n = len(image_shape) - 2
    dilation = (1,) * n if filter_dilation is None else tuple(filter_dilation)
    modes = (border_mode,) * n if isinstance(border_mode, (str, int)) else tuple(border_mode)
    spatial = tuple(get_conv_shape_1axis(i, k, b, s, d) for i, k, b, s, d in
                    zip(image_shape[2:], kernel_shape[-n:], modes, subsample, dilation))
    return (image_shape[0], kernel_shape[0]) + spatial
