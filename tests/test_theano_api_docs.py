"""What Theano 1.0.5's documentation shows (doc/tutorial, doc/library), asserted on symconv.

Each expected value is Theano 1.0.5's (the documentation's text, checked with the oracle);
compat/theano_doctests.py runs the pages themselves.
"""
import doctest

import numpy as np
import pytest

import symconv as theano
import symconv.tensor as T


def _run_doctest(text, namespace):
    test = doctest.DocTestParser().get_doctest(text, namespace, "doc", "doc.txt", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL)
    output = []
    runner.run(test, out=output.append, clear_globs=False)
    return runner.failures, "".join(output)


def test_run_time_shape_mismatch_is_a_value_error_by_name():
    # debug_faq.txt: "ValueError: Input dimension mis-match ..." when f is called (Theano 1.0.5)
    x, y = T.dvector(), T.dvector()
    f = theano.function([x, y], (x + x) + y)
    with pytest.raises(ValueError) as info:
        f(np.ones((2,)), np.ones((3,)))
    assert type(info.value).__name__ == "ValueError"
    assert not any("JAX has removed" in note for note in getattr(info.value, "__notes__", []))
    failures, output = _run_doctest(
        ">>> f(np.ones((2,)), np.ones((3,)))\nTraceback (most recent call last):\n  ...\nValueError: ...\n",
        {"f": f, "np": np})
    assert failures == 0, output


def test_unnamed_variables_print_as_theano_names_them():
    # Theano 1.0.5: str() of an unnamed output is its op and output index (basic.txt, scan.txt)
    x = T.dmatrix("x")
    t = T.dtensor3("t")
    assert str(x + 1) == "Elemwise{add,no_inplace}.0"
    assert str(T.shape_padaxis(t, axis=0)) == "InplaceDimShuffle{x,0,1,2}.0"
    assert str(x.dimshuffle("x", 0, 1)) == "InplaceDimShuffle{x,0,1}.0"
    assert str(x.sum()) == "Sum{acc_dtype=float64}.0"
    assert str(x.sum(axis=0)) == "Sum{axis=[0], acc_dtype=float64}.0"
    assert str(T.exp(x)) == "Elemwise{exp,no_inplace}.0"
    assert str(x > 0) == "Elemwise{gt,no_inplace}.0"
    assert str(T.dot(x, x)) == "dot.0"
    assert str(T.dvector()) == "<TensorType(float64, vector)>"


def test_scan_strict_with_a_hidden_shared_variable_is_missing_input_error():
    # scan.txt "the strict flag": Theano 1.0.5 raises MissingInputError (a ValueError in symconv)
    W = theano.shared(np.ones((2, 2)), "W")
    sample = T.dvector("sample")
    with pytest.raises(ValueError) as info:
        theano.scan(lambda v: T.dot(v, W), outputs_info=sample, n_steps=3, strict=True)
    assert type(info.value).__name__ == "MissingInputError"
    values, _ = theano.scan(lambda v, w: T.dot(v, w), outputs_info=sample, non_sequences=[W], n_steps=3,
                            strict=True)
    assert theano.function([sample], values[-1])(np.ones(2)).tolist() == [8.0, 8.0]


def test_numpy_scalars_print_as_numpy_1_inside_the_alias():
    # numpy.txt: ``numpy.asarray([[1., 2], [3, 4], [5, 6]])[2, 0]`` shows ``5.0`` (Theano 1.0.5 ran on NumPy 1)
    from symconv.run import theano_alias

    before = repr(np.float64(5.0))
    with theano_alias():
        assert repr(np.asarray([[1.0, 2], [3, 4], [5, 6]])[2, 0]) == "5.0"
        assert repr(np.arange(2.0)) == "array([0., 1.])"
    assert repr(np.float64(5.0)) == before


def test_specify_shape_declares_and_checks_a_shape():
    # shape_info.txt "Specifying Exact Shape": Theano 1.0.5's SpecifyShape (values pass through,
    # a wrong shape is an AssertionError when the function runs, the shape then folds to a constant)
    from symconv.interpret import static_value

    x = T.dmatrix("x")
    xs = T.specify_shape(x, (2, 2))
    assert xs.type.shape == (2, 2) and xs.broadcastable == (False, False)
    assert static_value((xs ** 2).shape).tolist() == [2, 2]
    f = theano.function([x], (xs ** 2).sum())
    assert f(np.full((2, 2), 3.0)) == 36.0
    with pytest.raises(AssertionError, match="dimension 0 has size 3, expected 2"):
        f(np.ones((3, 2)))
    n = T.lscalar("n")
    g = theano.function([x, n], T.specify_shape(x, (n, 2)).sum())
    assert g(np.ones((4, 2)), 4) == 8.0
    with pytest.raises(AssertionError):
        g(np.ones((4, 2)), 3)
    gx = theano.function([x], theano.grad((xs ** 2).sum(), x))
    assert np.allclose(gx(np.array([[1.0, 2.0], [3.0, 4.0]])), [[2.0, 4.0], [6.0, 8.0]])
    theano.gradient.verify_grad(lambda v: (T.specify_shape(v, (2, 3)) ** 3).sum(), [np.random.rand(2, 3)],
                                rng=np.random.RandomState(0))


def test_debugprint_shows_elemwise_broadcasts_and_depth_as_theano():
    # printing_drawing.txt, the pre-compilation graph (Theano 1.0.5's output, its ids included: the two
    # TensorConstant{1} are one cached constant in Theano); depth=3 prints three levels
    x = T.dmatrix("x")
    w = theano.shared(np.ones(5), name="w")
    b = theano.shared(np.asarray(0.0), name="b")
    prediction = 1 / (1 + T.exp(-T.dot(x, w) - b)) > 0.5
    expected = """\
Elemwise{gt,no_inplace} [id A] ''
 |Elemwise{true_div,no_inplace} [id B] ''
 | |InplaceDimShuffle{x} [id C] ''
 | | |TensorConstant{1} [id D]
 | |Elemwise{add,no_inplace} [id E] ''
 |   |InplaceDimShuffle{x} [id F] ''
 |   | |TensorConstant{1} [id D]
 |   |Elemwise{exp,no_inplace} [id G] ''
 |     |Elemwise{sub,no_inplace} [id H] ''
 |       |Elemwise{neg,no_inplace} [id I] ''
 |       | |dot [id J] ''
 |       |   |x [id K]
 |       |   |w [id L]
 |       |InplaceDimShuffle{x} [id M] ''
 |         |b [id N]
 |InplaceDimShuffle{x} [id O] ''
   |TensorConstant{0.5} [id P]"""
    printed = theano.printing.debugprint(prediction, file="str")
    assert [line.rstrip() for line in printed.splitlines()] == expected.splitlines()
    shallow = theano.printing.debugprint(prediction, depth=3, file="str", print_type=True)
    assert [line.rstrip() for line in shallow.splitlines()] == [
        "Elemwise{gt,no_inplace} [id A] <TensorType(bool, vector)> ''",
        " |Elemwise{true_div,no_inplace} [id B] <TensorType(float64, vector)> ''",
        " | |InplaceDimShuffle{x} [id C] <TensorType(int8, (True,))> ''",
        " | |Elemwise{add,no_inplace} [id D] <TensorType(float64, vector)> ''",
        " |InplaceDimShuffle{x} [id E] <TensorType(float32, (True,))> ''",  # 0.5 is float32, as in Theano
        "   |TensorConstant{0.5} [id F] <TensorType(float32, scalar)>",
    ]


def test_join_prints_as_theano_join_with_its_axis_input():
    # shape_info.txt: debugprint of function([x, y], join(0, x, y)); Theano 1.0.5's output
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f = theano.function([x, y], T.join(0, x, y))
    printed = theano.printing.debugprint(f, file="str")
    assert [line.rstrip() for line in printed.splitlines()] == [
        "Join [id A] ''   0", " |TensorConstant{0} [id B]", " |x [id C]", " |y [id D]"]
    assert str(T.concatenate([x, y], axis=1)) == "Join.0"
    typed = theano.printing.debugprint(T.concatenate([x, y], axis=1) + 0, print_type=True, file="str")
    assert typed.splitlines()[2].rstrip() == " | |TensorConstant{1} [id C] <TensorType(int8, scalar)>"


def test_compiled_debugprint_deep_copies_constant_and_input_outputs_in_theano_order():
    # shape_info.txt "Specifying Exact Shape" and Theano 1.0.5's function([x], x): outputs that are inputs
    # or fold to constants are DeepCopyOp nodes; nodes are numbered in Theano's io_toposort order
    x = T.dmatrix("x")
    xs = T.specify_shape(x, (2, 2))
    f = theano.function([x], (xs ** 2).shape)
    assert [line.rstrip() for line in theano.printing.debugprint(f, file="str").splitlines()] == [
        "DeepCopyOp [id A] ''   0", " |TensorConstant{(2,) of 2} [id B]"]
    g = theano.function([x], x)
    assert [line.rstrip() for line in theano.printing.debugprint(g, file="str").splitlines()] == [
        "DeepCopyOp [id A] 'x'   0", " |x [id B]"]
    assert g(np.ones((1, 2))).tolist() == [[1.0, 1.0]]
    a, b = T.dvector("a"), T.dvector("b")
    # Theano lists MakeVector(Add(Shape_i0(x), Shape_i0(y)), Shape_i1(x)) as Shape_i1(x), Shape_i0(y),
    # Shape_i0(x), Add, MakeVector: the last input first, depth first
    made = T.stack([(a * 2).sum() + (b * 3).sum(), (a * 4).sum()])
    order = theano.printing.theano_order([made])
    factors = [int(node.inputs[1].data) for node in order if node.op.name == "mul"]
    assert factors == [4, 3, 2] and len(order) == 8 and order[-1] is made.owner


def test_debugprint_to_stdout_returns_none(capsys):
    # at the prompt (the documentation's doctests) Theano's debugprint(x) shows the graph and nothing more
    x = T.dvector("x")
    assert theano.printing.debugprint(x) is None
    assert capsys.readouterr().out == "x [id A]\n"


def test_variable_classes_show_theano_paths_inside_the_alias():
    # adding.txt: type(x) is <class 'theano.tensor.var.TensorVariable'>; inside the alias that path is the class
    import pickle

    from symconv.run import theano_alias
    from symconv.ops.variable import TensorVariable

    x = T.dscalar("x")
    outside = repr(type(x))
    assert outside == "<class 'symconv.ops.variable.TensorVariable'>"
    with theano_alias():
        import theano.tensor.var
        from theano.tensor.var import TensorVariable as Aliased

        assert repr(type(x)) == "<class 'theano.tensor.var.TensorVariable'>"
        assert Aliased is TensorVariable
        # as in Theano 1.0.5, T.var stays the variance (importing the module does not replace it)
        assert theano.tensor.var is T.var and float(T.var(T.constant([1.0, 3.0])).eval()) == 1.0
        assert repr(type(T.constant(1.0))) == "<class 'theano.tensor.var.TensorConstant'>"
    assert repr(type(x)) == outside
    assert type(pickle.loads(pickle.dumps(x))) is TensorVariable and TensorVariable.__module__ == "symconv.ops.variable"
