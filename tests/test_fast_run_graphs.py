"""Compiled graphs as Theano's fast_run leaves them (symconv.optimize), with values unchanged by the rewrites.

Theano's own prints are the fixture tests/fixtures/theano/compiled_graphs.txt (made by
make_compiled_graphs.py under Theano 1.0.5); the same script runs here through symconv.
"""
import runpy
from pathlib import Path

import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv import printing
from symconv.gradient import verify_grad
from symconv.run import theano_alias

FIXTURES = Path(__file__).parent / "fixtures" / "theano"


def theano_blocks(text):
    blocks = {}
    for chunk in text.split("=== ")[1:]:
        name, _, body = chunk.partition("\n")
        blocks[name] = body.strip("\n")
    return blocks


def test_compiled_graphs_print_as_theano_prints_them():
    expected = theano_blocks((FIXTURES / "compiled_graphs.txt").read_text())
    with symconv.config.change_flags(floatX="float64"), theano_alias():
        script = runpy.run_path(str(FIXTURES / "make_compiled_graphs.py"), run_name="fixture")
        functions = script["cases"]()
    assert set(functions) == set(expected)
    for name, f in functions.items():
        assert printing.debugprint(f, file="str") == expected[name], name


def logistic_regression(feats=7):
    rng = np.random.RandomState(3)
    x, y = T.dmatrix("x"), T.dvector("y")
    w = symconv.shared(rng.randn(feats), name="w")
    b = symconv.shared(np.asarray(0.0), name="b")
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w ** 2).sum()
    gw, gb = T.grad(cost, [w, b])
    return x, y, w, b, p_1 > 0.5, xent, [(w, w - 0.1 * gw), (b, b - 0.1 * gb)]


def test_the_tutorials_logistic_regression_compiles_to_theanos_graph():
    # doc/tutorial/printing_drawing.txt, "The post-compilation graph" (Theano prints CGemv there)
    x, y, w, b, prediction, _, _ = logistic_regression()
    predict = symconv.function([x], prediction)
    assert printing.debugprint(predict, file="str").splitlines() == [
        "Elemwise{Composite{GT(scalar_sigmoid((-((-i0) - i1))), i2)}} [id A] ''   4",
        " |Gemv{inplace} [id B] ''   3",
        " | |AllocEmpty{dtype='float64'} [id C] ''   2",
        " | | |Shape_i{0} [id D] ''   1",
        " | |   |x [id E]",
        " | |TensorConstant{1.0} [id F]",
        " | |x [id E]",
        " | |w [id G]",
        " | |TensorConstant{0.0} [id H]",
        " |InplaceDimShuffle{x} [id I] ''   0",
        " | |b [id J]",
        " |TensorConstant{(1,) of 0.5} [id K]"]
    assert any(type(node.op).__name__ == "Gemv" for node in predict.maker.fgraph.toposort())


def test_rewritten_functions_compute_what_the_unrewritten_ones_do():
    data_rng = np.random.RandomState(0)
    data = data_rng.randn(30, 7), (data_rng.rand(30) > 0.5).astype("float64")
    results = []
    for mode in ("FAST_RUN", "FAST_COMPILE"):
        x, y, w, b, prediction, xent, updates = logistic_regression()
        train = symconv.function([x, y], [prediction, xent, x.shape, T.join(0, x, x).shape[0]],
                                 updates=updates, mode=mode)
        outs = [train(*data) for _ in range(3)]
        results.append((outs, w.get_value(), b.get_value()))
    (fast, w_fast, b_fast), (plain, w_plain, b_plain) = results
    assert any("Composite" in printing.op_name(n) for n in train.maker.fgraph.toposort()) is False  # FAST_COMPILE
    for a, c in zip(fast, plain):
        for u, v in zip(a, c):
            np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(w_fast, w_plain, rtol=1e-12)
    np.testing.assert_allclose(b_fast, b_plain, rtol=1e-12)


def test_fused_gradients_keep_consider_constant_and_broadcasting_rules():
    x, c = T.dvector("x"), T.dvector("c")
    h = T.tanh(x) * 2
    cost = (h * T.exp(x) + 1).sum()
    g = T.grad(cost, x, consider_constant=[h])
    f = symconv.function([x], g)
    value = np.array([0.1, -0.3, 0.7])
    np.testing.assert_allclose(f(value), np.tanh(value) * 2 * np.exp(value))  # h held constant
    m, row = T.dmatrix("m"), T.dmatrix("row")  # not broadcastable: a (1, 3) value must not stretch
    add = symconv.function([m, row], T.exp(m + row) * 2)
    with pytest.raises(ValueError, match="Input dimension mis-match"):
        add(np.ones((2, 3)), np.ones((1, 3)))
    assert "Composite" in printing.debugprint(add, file="str")


def test_shapes_from_inputs_still_refuse_inputs_that_do_not_fit():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    join = symconv.function([x, y], T.join(0, x, y).shape)
    np.testing.assert_array_equal(join(np.ones((5, 4)), np.ones((3, 4))), [8, 4])
    # Theano's compiled graph returns [8, 4] here without an error (its doc's "Shape Inference Problem")
    with pytest.raises(ValueError, match="concatenat"):
        join(np.ones((5, 4)), np.ones((3, 3)))
    dot = symconv.function([x, y], T.dot(x, y).shape)
    np.testing.assert_array_equal(dot(np.ones((5, 4)), np.ones((4, 2))), [5, 2])
    with pytest.raises(ValueError):
        dot(np.ones((5, 4)), np.ones((3, 2)))
    add = symconv.function([x, y], (x + y).shape)
    with pytest.raises(ValueError, match="Input dimension mis-match"):
        add(np.ones((3, 4)), np.ones((1, 4)))
    reshaped = symconv.function([x], x.reshape((-1, 2)).shape)  # no symbolic rule: read from the value
    np.testing.assert_array_equal(reshaped(np.ones((3, 4))), [6, 2])


def test_the_optimizer_can_be_left_out_by_mode():
    x = T.dvector("x")
    fused = symconv.function([x], T.exp(x) * 2)
    plain = symconv.function([x], T.exp(x) * 2, mode=symconv.Mode().excluding("fusion"))
    fast_compile = symconv.function([x], (x ** 2).shape, mode="FAST_COMPILE")
    assert printing.op_name(fused.maker.fgraph.toposort()[0]) == "Elemwise{Composite{(i0 * exp(i1))}}"
    assert [printing.op_name(n) for n in plain.maker.fgraph.toposort()] == [
        "Elemwise{exp,no_inplace}", "Elemwise{Mul}[(0, 1)]"]
    assert [printing.op_name(n) for n in fast_compile.maker.fgraph.toposort()] == [
        "Elemwise{pow,no_inplace}", "Shape"]
    with symconv.config.change_flags(optimizer_excluding="fusion:inplace"):  # THEANO_FLAGS' way
        flagged = symconv.function([x], T.exp(x) * 2)
    assert [printing.op_name(n) for n in flagged.maker.fgraph.toposort()] == [
        "Elemwise{exp,no_inplace}", "Elemwise{mul,no_inplace}"]


def test_gemv_is_blas_gemv():
    rng = np.random.RandomState(1)
    y, a, x = rng.randn(4), rng.randn(4, 3), rng.randn(3)
    sy, sa, sx, alpha, beta = T.dvector("y"), T.dmatrix("a"), T.dvector("x"), T.dscalar("alpha"), T.dscalar("beta")
    f = symconv.function([sy, sa, sx, alpha, beta], T.blas.gemv_no_inplace(sy, alpha, sa, sx, beta))
    np.testing.assert_allclose(f(y, a, x, 0.5, -2.0), -2.0 * y + 0.5 * a @ x, rtol=1e-12)
    # with a constant beta of 0, y is not read at all (BLAS): a NaN there does not show
    g = symconv.function([sy, sa, sx], T.blas.gemv_inplace(sy, 1.0, sa, sx, 0.0))
    np.testing.assert_allclose(g(np.full(4, np.nan), a, x), a @ x, rtol=1e-12)
    verify_grad(lambda y_, a_, x_: T.blas.gemv_no_inplace(y_, 0.7, a_, x_, 1.3), [y, a, x],
                rng=np.random.RandomState(2))
    with pytest.raises(TypeError, match="Gemv takes"):
        T.blas.gemv_no_inplace(sa, 1.0, sa, sx, 0.0)


def test_shape_i_make_vector_and_alloc_empty():
    x, n = T.dmatrix("x"), T.lscalar("n")
    f = symconv.function([x, n], [T.opt.Shape_i(1)(x), T.opt.make_vector(T.opt.Shape_i(0)(x), n),
                                  T.AllocEmpty("float32")(n, 2)])
    width, vector, empty = f(np.ones((3, 5)), 4)
    assert int(width) == 5 and vector.tolist() == [3, 4] and vector.dtype == np.int64
    assert empty.shape == (4, 2) and empty.dtype == np.float32
    with pytest.raises(TypeError, match="MakeVector takes scalars"):
        T.opt.make_vector(x)


def test_the_logistic_formula_becomes_a_stable_sigmoid():
    x = T.dvector("x")
    p = 1 / (1 + T.exp(-x))
    f = symconv.function([x], [p, T.grad(p.sum(), x), T.log(p)])
    value, gradient, log_p = f(np.array([-800.0, 0.0, 800.0]))
    np.testing.assert_allclose(value, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(gradient, [0.0, 0.25, 0.0])  # the formula as written: exp(800) overflows to nan
    np.testing.assert_allclose(log_p, [-800.0, np.log(0.5), 0.0])  # log(sigmoid) as -softplus(-x), not log(0)
    assert printing.debugprint(symconv.function([x], p), file="str").splitlines()[0] == "sigmoid [id A] ''   0"


def test_consider_constant_survives_givens_and_rewrites():
    # the graph is copied (givens, rewrites): the gradient's consider_constant must name the copies
    x = T.dvector("x")
    data = symconv.shared(np.array([0.1, -0.3, 0.7]))
    h = T.tanh(x) * 2
    g = T.grad((h * T.exp(x) + 1).sum(), x, consider_constant=[h])
    expected = np.tanh(data.get_value()) * 2 * np.exp(data.get_value())
    for mode in ("FAST_RUN", "FAST_COMPILE"):
        np.testing.assert_allclose(symconv.function([], g, givens={x: data}, mode=mode)(), expected)


def test_a_computed_variable_given_as_an_input_is_where_the_graph_starts():
    x = T.dvector("x")
    y = T.exp(x) * 2  # an input of the function below, though x computes it
    z = (y + 1).shape
    f = symconv.function([y], [y * 3, z, T.exp(y) + y])
    value = np.array([1.0, 2.0])
    tripled, shape, other = f(value)
    np.testing.assert_allclose(tripled, value * 3)
    assert shape.tolist() == [2]
    np.testing.assert_allclose(other, np.exp(value) + value)


def test_indexing_and_shapes_print_as_theano_prints_them():
    expected = theano_blocks((FIXTURES / "printed_graphs.txt").read_text())
    with symconv.config.change_flags(floatX="float64"), theano_alias():
        script = runpy.run_path(str(FIXTURES / "make_printed_graphs.py"), run_name="fixture")
        variables = script["cases"]()
    assert set(variables) == set(expected)
    for name, var in variables.items():
        printed = printing.debugprint(var, file="str") + "\n\n" + printing.pp(var)
        assert printed == expected[name], name
