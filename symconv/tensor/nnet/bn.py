"""``T.nnet.bn``: batch normalisation, with Theano's semantics, built from symconv.tensor ops.

``batch_normalization_train`` normalises with the statistics of the batch and
can return updated running averages (the variance's with Bessel's correction,
``m / (m - 1)``); ``batch_normalization_test`` normalises with given
statistics.  Gradients come from ``symconv.grad`` like any other graph.
"""
import numpy as np

from ... import dtypes as D
from ...graph import Variable
from ...ops import elemwise as E
from ...ops import literals as L
from ...ops import reduction as R
from ...ops import shape_ops as S

__all__ = ["batch_normalization", "batch_normalization_train", "batch_normalization_test"]


def batch_normalization(inputs, gamma, beta, mean, std, mode="low_mem"):
    """``(inputs - mean) * (gamma / std) + beta``, broadcasting like NumPy.

    `mode` ('low_mem' or 'high_mem') chose between two Theano implementations
    of the same formula; both give the same values here.
    """
    if mode not in ("low_mem", "high_mem"):
        raise ValueError(f"batch_normalization's mode must be 'low_mem' or 'high_mem', got {mode!r}")
    inputs, gamma, beta, mean, std = (L.as_tensor_variable(v) for v in (inputs, gamma, beta, mean, std))
    if mode == "high_mem":
        return (inputs - mean) * (gamma / std) + beta
    return (inputs - mean) / std * gamma + beta


def _normalized_axes(axes, ndim):
    if axes == "per-activation":
        return (0,)
    if axes == "spatial":
        return (0,) + tuple(range(2, ndim))
    if isinstance(axes, str):
        raise ValueError(f"axes must be 'per-activation', 'spatial' or a tuple of ints, got {axes!r}")
    axes = (axes,) if isinstance(axes, (int, np.integer)) else tuple(axes)
    normalized = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for an input with {ndim} dimensions")
        normalized.append(a % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"axes {axes} repeat an axis")
    return tuple(sorted(normalized))


def _check_epsilon(epsilon):
    if not isinstance(epsilon, Variable) and epsilon < 1e-5:
        raise ValueError(f"epsilon must be at least 1e-5, got {epsilon}")


def _broadcast_param(param, ndim, axes, what):
    """`param` with the normalised axes as broadcastable dims; also whether it had to be expanded."""
    param = L.as_tensor_variable(param)
    if param.ndim == ndim:
        for a in axes:
            if param.type.shape[a] not in (1, None):
                raise ValueError(f"{what} {param!r} ({param.type}) must have length 1 along the normalised axis {a}")
        return S.addbroadcast(param, *axes), False
    if param.ndim == ndim - len(axes):
        pattern, k = [], 0
        for i in range(ndim):
            if i in axes:
                pattern.append("x")
            else:
                pattern.append(k)
                k += 1
        return S.dimshuffle(param, *pattern), True
    raise ValueError(f"{what} {param!r} has {param.ndim} dimensions; it needs {ndim} (with length 1 along axes "
                     f"{axes}) or {ndim - len(axes)} (those axes left out)")


def _drop_axes(x, axes):
    """`x` (keepdims layout) without the normalised axes, for parameters given in the reduced layout."""
    return S.dimshuffle(x, *[i for i in range(x.ndim) if i not in axes])


def _scalar(value, dtype):
    """A Python number as a constant of the computation's float dtype (not rounded to floatX first)."""
    if isinstance(value, Variable):
        return value
    return L.constant(np.asarray(value, dtype=dtype if D.is_float(dtype) else "float64"))


def _count(inputs, axes, dtype):
    """Number of elements averaged over for each statistic, as a `dtype` scalar."""
    m = None
    for a in axes:
        dim = inputs.shape[a]
        m = dim if m is None else m * dim
    return E.cast(m, dtype)


def batch_normalization_train(inputs, gamma, beta, axes="per-activation", epsilon=1e-4,
                              running_average_factor=0.1, running_mean=None, running_var=None):
    """Normalise `inputs` with the mean and variance of the batch over `axes`.

    Returns ``(out, mean, invstd)``, or, when `running_mean` and `running_var`
    are given, ``(out, mean, invstd, new_running_mean, new_running_var)`` with
    ``new = old * (1 - factor) + batch_statistic * factor`` (the variance
    unbiased).  `axes` is 'per-activation' (``(0,)``), 'spatial'
    (``(0, 2, 3, ...)``) or a tuple of ints.  `gamma` and `beta` have the
    input's dimensions with length 1 along `axes`, or leave those axes out;
    `mean` and `invstd` come back in the layout of `gamma`, the new running
    averages in the layout of the old ones.
    """
    inputs = L.as_tensor_variable(inputs)
    ndim = inputs.ndim
    axes = _normalized_axes(axes, ndim)
    _check_epsilon(epsilon)
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must be given together")
    gamma, reduced = _broadcast_param(gamma, ndim, axes, "gamma")
    beta, _ = _broadcast_param(beta, ndim, axes, "beta")

    mean = R.mean(inputs, axis=axes, keepdims=True)
    var = R.mean(E.sqr(inputs - mean), axis=axes, keepdims=True)
    invstd = E.reciprocal(E.sqrt(var + _scalar(epsilon, var.dtype)))
    out = (inputs - mean) * (gamma * invstd) + beta
    results = [out, _drop_axes(mean, axes) if reduced else mean, _drop_axes(invstd, axes) if reduced else invstd]

    if running_mean is not None:
        m = _count(inputs, axes, var.dtype)
        unbiased = var * (m / (m - 1))
        for running, stat in ((running_mean, mean), (running_var, unbiased)):
            running = L.as_tensor_variable(running)
            running_b, running_reduced = _broadcast_param(running, ndim, axes, "running average")
            dtype = D.upcast(running.dtype, stat.dtype)
            new = (running_b * _scalar(1.0 - running_average_factor, dtype)
                   + stat * _scalar(running_average_factor, dtype))
            if running_reduced:
                new = _drop_axes(new, axes)
            results.append(E.cast(new, running.dtype))
    return tuple(results)


def batch_normalization_test(inputs, gamma, beta, mean, var, axes="per-activation", epsilon=1e-4):
    """``(inputs - mean) * gamma / sqrt(var + epsilon) + beta`` with given statistics (e.g. running averages).

    All four parameters have the input's dimensions with length 1 along `axes`,
    or leave those axes out.
    """
    inputs = L.as_tensor_variable(inputs)
    ndim = inputs.ndim
    axes = _normalized_axes(axes, ndim)
    _check_epsilon(epsilon)
    gamma, beta, mean, var = (_broadcast_param(p, ndim, axes, what)[0]
                              for p, what in ((gamma, "gamma"), (beta, "beta"), (mean, "mean"), (var, "var")))
    return (inputs - mean) * (gamma / E.sqrt(var + _scalar(epsilon, var.dtype))) + beta
