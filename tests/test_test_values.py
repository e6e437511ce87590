"""config.compute_test_value and tag.test_value, against Theano 1.0.5's answers.

The expected values and error types were recorded by running the same
expressions on Theano 1.0.5 (THEANO_FLAGS=floatX=float64; scan with cxx=).
"""
import pickle
import warnings

import numpy as np
import pytest

import symconv as theano
import symconv.tensor as T


@pytest.fixture
def raise_mode():
    with theano.config.change_flags(compute_test_value="raise", floatX="float64"):
        yield


# (constructor, test value) -> Theano's (dtype, shape) of v * 1, or the exception it raised.
FILTER_CASES = [
    ("matrix", np.ones((2, 3), "int64"), ("float64", (2, 3))),
    ("fmatrix", np.ones((2, 2)), TypeError),
    ("fmatrix", np.ones((2, 2), "int8"), ("float32", (2, 2))),
    ("ivector", np.ones(2, "int64"), TypeError),
    ("matrix", np.ones(3), TypeError),
    ("row", np.ones((2, 3)), TypeError),
    ("matrix", [[1.0, 2.0]], ("float64", (1, 2))),
    ("fscalar", 1.5, ("float32", ())),
    ("dscalar", 3, ("float64", ())),
    ("iscalar", 1.5, TypeError),
]


@pytest.mark.parametrize("make, value, expected", FILTER_CASES)
def test_test_values_are_filtered_by_the_type_as_theano_does(raise_mode, make, value, expected):
    v = getattr(T, make)("v")
    v.tag.test_value = value  # stored as given: Theano filters when the value is used
    if expected is TypeError:
        with pytest.raises(TypeError, match="does not have the requested type"):
            v * 1
        return
    out = v * 1
    assert (str(out.tag.test_value.dtype), out.tag.test_value.shape) == expected


def test_a_shape_error_is_raised_at_the_line_that_builds_it(raise_mode):
    x = T.matrix("x")
    x.tag.test_value = np.ones((5, 10))
    W1 = theano.shared(np.ones((2, 10, 10)), "W1")
    func_of_W1 = W1.dimshuffle(2, 0, 1).flatten(2).T  # (20, 10)
    with pytest.raises(ValueError) as info:
        T.dot(x, func_of_W1)  # Theano: ValueError, shapes (5,10) and (20,10) not aligned
    assert "test_test_values.py" in str(info.value) and "T.dot(x, func_of_W1)" in str(info.value)
    assert T.dot(x, func_of_W1.T).tag.test_value.shape == (5, 20)


def test_values_flow_through_ops_constants_shared_and_grad(raise_mode):
    x = T.matrix("x")
    x.tag.test_value = np.arange(6.0).reshape(2, 3)
    assert x.shape.tag.test_value.tolist() == [2, 3]
    assert T.argmax(x, axis=1).tag.test_value.tolist() == [2, 2]
    assert float((T.constant(3.0) + 1).tag.test_value) == 4.0
    W = theano.shared(np.ones((3, 4)), "W")
    h = T.tanh(T.dot(x, W))
    np.testing.assert_allclose(h.tag.test_value, np.tanh(np.arange(6.0).reshape(2, 3) @ np.ones((3, 4))))
    g = theano.grad(h.sum(), W)
    np.testing.assert_allclose(g.tag.test_value, np.arange(6.0).reshape(2, 3).T @ (1 - h.tag.test_value ** 2))


def test_index_and_reshape_errors_have_theanos_types(raise_mode):
    x = T.matrix("x")
    x.tag.test_value = np.arange(6.0).reshape(2, 3)
    with pytest.raises(IndexError):  # Theano: IndexError index out of bounds
        x[5]
    with pytest.raises(ValueError, match="cannot reshape"):  # Theano: ValueError cannot reshape ...
        x.reshape((4, 4))


def test_missing_test_value_raise_warn_ignore():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    x.tag.test_value = np.ones((2, 2))
    with theano.config.change_flags(compute_test_value="raise"):
        with pytest.raises(ValueError, match=r"Cannot compute test value: input 1 \(y\) of Op .* missing default"):
            x + y
    with theano.config.change_flags(compute_test_value="warn"):
        with pytest.warns(UserWarning, match=r"Cannot compute test value: input 1 \(y\)"):
            z = x + y
        assert not hasattr(z.tag, "test_value")
    with theano.config.change_flags(compute_test_value="ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            z = x + y
        assert not hasattr(z.tag, "test_value")
    z = x + x  # 'off': nothing is computed
    assert not hasattr(z.tag, "test_value")


def test_scan_computes_the_inner_graph_on_test_values(raise_mode):
    xs = T.matrix("xs")
    xs.tag.test_value = np.arange(6.0).reshape(2, 3)
    out, _ = theano.scan(lambda v, acc: acc + v, sequences=xs, outputs_info=T.zeros_like(xs[0]))
    np.testing.assert_array_equal(out.tag.test_value, [[0.0, 1.0, 2.0], [3.0, 5.0, 7.0]])  # Theano's
    with pytest.raises(ValueError):  # Theano: ValueError shapes (4,4) and (3,) not aligned, in the step
        theano.scan(lambda v, acc: T.dot(acc, v), sequences=xs, outputs_info=T.zeros((4, 4)))


def test_function_and_pickling_are_unaffected(raise_mode):
    x = T.matrix("x")
    x.tag.test_value = np.ones((5, 10))
    W = theano.shared(np.ones((10, 2)), "W")
    y = T.matrix("y")  # no test value: compiling builds nodes on it (givens) without complaint
    f = theano.function([y], T.dot(x, W).sum(), givens={x: y})
    assert float(f(np.ones((1, 10)))) == 20.0
    assert not hasattr(pickle.loads(pickle.dumps(x)).tag, "test_value")


def test_print_test_value_changes_repr_only(raise_mode):
    x = T.matrix("x")
    x.tag.test_value = np.ones((1, 2))
    y = x * 2
    with theano.config.change_flags(print_test_value=True):
        assert repr(y) == "Elemwise{mul,no_inplace}.0\n" + repr(np.full((1, 2), 2.0))
        assert str(y) == "Elemwise{mul,no_inplace}.0"  # Theano 1.0.5's name of an unnamed output
    assert repr(y) == "Elemwise{mul,no_inplace}.0"


def test_theano_gof_op_helpers(raise_mode):
    from symconv.gof.op import get_debug_values, get_test_value

    x, y = T.matrix("x"), T.matrix("y")
    x.tag.test_value = np.ones((2, 2))
    assert get_test_value(x * 3).tolist() == [[3.0, 3.0], [3.0, 3.0]] and float(get_test_value(2.5)) == 2.5
    [(xv,)] = get_debug_values(x)
    assert xv.shape == (2, 2)
    with pytest.raises(AttributeError, match="has no test value"):
        get_debug_values(x, y)
    with theano.config.change_flags(compute_test_value="off"):
        assert get_debug_values(x) == []
