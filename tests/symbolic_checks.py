"""Helpers shared by the op tests: compile-and-run, NumPy comparisons, grouped gradient checks."""
import inspect
import re

import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv.gradient import GradientError, verify_grad


def run(inputs, outputs, *values):
    return symconv.function(list(inputs), outputs)(*values)


def var_like(array, name=None):
    """An input variable with `array`'s dtype and rank (no static shape)."""
    return T.TensorType(array.dtype, (None,) * array.ndim)(name)


def assert_same(got, expected, dtype=None, **tol):
    """Same shape (and dtype if given); integers and bools exactly, floats to `tol`."""
    got = np.asarray(got)
    assert got.shape == np.shape(expected)
    if dtype is not None:
        assert got.dtype == dtype
    if got.dtype.kind in "biu":
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, **{"rtol": 1e-10, "atol": 1e-12, **tol})


def check_grad(fun, *points):
    """verify_grad (finite differences) of `fun` at float64 `points`, with one random projection."""
    check_grads([("gradient", fun, points)])


def check_grads(cases):
    """verify_grad of every ``(name, fun, points)`` case at once: one compiled graph, outputs concatenated.

    A disagreement is reported with the name of the case whose input it is.
    """
    owners = [name for name, _, points in cases for _ in points]

    def all_outputs(*xs):
        outs, start = [], 0
        for _, fun, points in cases:
            outs.append(T.flatten(fun(*xs[start:start + len(points)])))
            start += len(points)
        return T.concatenate(outs)

    points = [np.array(p, dtype="float64") for _, _, case_points in cases for p in case_points]
    try:
        verify_grad(all_outputs, points, n_tests=1, rng=np.random.RandomState(0))
    except GradientError as exc:
        owner = owners[int(re.search(r"input (\d+)", str(exc)).group(1))]
        raise AssertionError(f"gradient of {owner!r}: {exc}") from None


def raises_at_this_line(exc_type, build):
    """`build()` raises `exc_type`, and the message names the caller's file and line (where `build` is written)."""
    caller = inspect.currentframe().f_back
    with pytest.raises(exc_type) as info:
        build()
    assert f'"{caller.f_code.co_filename}", line {caller.f_lineno}' in str(info.value)
    return info.value
