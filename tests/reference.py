"""Slow, obviously correct NumPy oracles for Theano's conv2d and pool_2d, written from the documented
semantics (theano.tensor.nnet.conv2d, theano.tensor.signal.pool.pool_2d) with plain loops.

They compute in float64 and share no code with symconv, so a test comparing against them checks
symconv's semantics, not just its self-consistency.
"""
import itertools

import numpy as np


def conv2d_ref(x, w, border_mode='valid', subsample=(1, 1), filter_flip=True,
               filter_dilation=(1, 1), num_groups=1):
    """NCHW images x, OIHW filters w (I = channels per group): a direct loop over output pixels."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    n, channels, height, width = x.shape
    out_channels, group_channels, kh, kw = w.shape
    dh, dw = filter_dilation
    dilated_kh, dilated_kw = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    (top, bottom), (left, right) = _conv_padding(border_mode, dilated_kh, dilated_kw)
    padded = np.zeros((n, channels, height + top + bottom, width + left + right))
    padded[:, :, top:top + height, left:left + width] = x
    if filter_flip:
        w = w[:, :, ::-1, ::-1]
    sh, sw = subsample
    out_h = (padded.shape[2] - dilated_kh) // sh + 1
    out_w = (padded.shape[3] - dilated_kw) // sw + 1
    group_outputs = out_channels // num_groups
    out = np.zeros((n, out_channels, out_h, out_w))
    for o in range(out_channels):
        group = o // group_outputs
        inputs = padded[:, group * group_channels:(group + 1) * group_channels]
        for i in range(out_h):
            for j in range(out_w):
                patch = inputs[:, :, i * sh:i * sh + dilated_kh:dh, j * sw:j * sw + dilated_kw:dw]
                out[:, o, i, j] = np.sum(patch * w[o], axis=(1, 2, 3))
    return out


def pool_2d_ref(x, ws, ignore_border=True, stride=None, pad=(0, 0), mode='max'):
    """Pool the last two dims of x; the window list and divisors follow Theano's Pool op."""
    x = np.asarray(x, np.float64)
    rows, cols = _windows_2d(x.shape, ws, ignore_border, stride, pad)
    out = np.zeros(x.shape[:-2] + (len(rows), len(cols)))
    for (r, (r0, r1, r_size)), (c, (c0, c1, c_size)) in itertools.product(
            enumerate(rows), enumerate(cols)):
        region = x[..., r0:r1, c0:c1]
        if mode == 'max':
            out[..., r, c] = region.max(axis=(-2, -1))
        elif mode == 'sum':
            out[..., r, c] = region.sum(axis=(-2, -1))
        elif mode == 'average_inc_pad':
            divisor = ws[0] * ws[1] if ignore_border else r_size * c_size
            out[..., r, c] = region.sum(axis=(-2, -1)) / divisor
        elif mode == 'average_exc_pad':
            out[..., r, c] = region.sum(axis=(-2, -1)) / ((r1 - r0) * (c1 - c0))
        else:
            raise ValueError(mode)
    return out


def max_pool_grad_ref(x, grad_out, ws, ignore_border=True, stride=None, pad=(0, 0)):
    """Theano's MaxPoolGrad: every element equal to its window's max receives the window's grad."""
    x = np.asarray(x, np.float64)
    grad_out = np.asarray(grad_out, np.float64)
    rows, cols = _windows_2d(x.shape, ws, ignore_border, stride, pad)
    grad = np.zeros_like(x)
    for (r, (r0, r1, _)), (c, (c0, c1, _)) in itertools.product(enumerate(rows), enumerate(cols)):
        region = x[..., r0:r1, c0:c1]
        is_max = region == region.max(axis=(-2, -1), keepdims=True)
        grad[..., r0:r1, c0:c1] += is_max * grad_out[..., r, c][..., None, None]
    return grad


def _windows_2d(shape, ws, ignore_border, stride, pad):
    stride = ws if stride is None else stride
    return [_windows_1d(size, w, s, p, ignore_border)
            for size, w, s, p in zip(shape[-2:], ws, stride, pad)]


def _windows_1d(size, window, stride, pad, ignore_border):
    """(first, end, clipped size) of each window; first and end index the unpadded image.

    Window k covers [k * stride, k * stride + window) of the image padded by `pad` on both sides.
    ignore_border=True keeps the windows that fit in the padded image. ignore_border=False also
    keeps partial windows: one more window is added as long as it starts inside the image and
    the previous one did not reach the image's end. The clipped size is the window's length once
    cut at the padded image's end (what Theano divides partial windows by).
    """
    padded = size + 2 * pad
    windows = []
    k = 0
    while True:
        start = k * stride
        if ignore_border:
            if start + window > padded:
                break
        elif start >= padded or (k > 0 and (k - 1) * stride + window >= padded):
            break
        end = min(start + window, padded)
        windows.append((max(start, pad) - pad, min(end, pad + size) - pad, end - start))
        k += 1
    return windows


def _conv_padding(border_mode, dilated_kh, dilated_kw):
    if border_mode == 'valid':
        return (0, 0), (0, 0)
    if border_mode == 'full':
        return (dilated_kh - 1,) * 2, (dilated_kw - 1,) * 2
    if border_mode == 'half':
        return (dilated_kh // 2,) * 2, (dilated_kw // 2,) * 2
    if isinstance(border_mode, int):
        return (border_mode,) * 2, (border_mode,) * 2
    return tuple((p, p) if isinstance(p, int) else tuple(p) for p in border_mode)
