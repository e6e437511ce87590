"""Theano's documented function API: writable outputs, set_value's casting, Function.copy, Out, modes,
printing.Print, debugprint/pp in Theano's text, and the config tree.

Expected values and golden text come from Theano 1.0.5 run on the same programs
(floatX=float64 unless said otherwise).
"""
import io
import warnings

import numpy as np
import pytest

import symconv as theano
import symconv.tensor as T
from symconv import printing
from symconv.config import Config


# ------------------------------------------------------------ 1. writable outputs


def test_outputs_are_writable_fresh_arrays():
    x = T.dvector("x")
    f = theano.function([x], [x * 2, x + 1])
    g, h = f(np.ones(3))
    g += 1  # Theano: [3. 3. 3.]
    h[0] = 7
    np.testing.assert_array_equal(g, [3.0, 3.0, 3.0])
    assert g.flags.writeable and h.flags.writeable
    np.testing.assert_array_equal(f(np.ones(3))[0], [2.0, 2.0, 2.0])  # the next call is not affected
    single = theano.function([x], x.sum())(np.ones(2))
    assert np.asarray(single).flags.writeable


def test_map_outputs_are_writable():
    i = T.lscalar("i")
    out = theano.function([i], i * 2).map(range(3))
    out += 1
    np.testing.assert_array_equal(out, [1, 3, 5])


# -------------------------------------------------------- 2. set_value casting


@pytest.mark.parametrize("value, expected", [(0.5, 0.5), (1, 1.0), (2 ** 40, 1.0995116e12), (np.float64(0.5), 0.5)])
def test_float32_shared_accepts_python_and_numpy_scalars_that_fit(value, expected):
    s = theano.shared(np.float32(1.0))
    s.set_value(value)
    got = s.get_value()
    assert got.dtype == np.float32 and got == np.float32(expected)


def test_float32_shared_refuses_a_float64_array():
    s = theano.shared(np.float32(1.0))
    with pytest.raises(TypeError, match="cannot store a value of dtype float64"):
        s.set_value(np.array(0.5))
    v = theano.shared(np.zeros(2, dtype="float32"))
    with pytest.raises(TypeError, match="cannot store a value of dtype float64"):
        v.set_value(np.array([0.1, 0.2]))
    with pytest.raises(TypeError, match="cannot store accurately value"):  # 0.1 is not exact in float32
        v.set_value([0.1, 0.2])


def test_int32_shared_casts_only_exact_values():
    s = theano.shared(np.int32(3))
    s.set_value(4)
    s.set_value(np.int64(5))
    assert s.get_value().dtype == np.int32 and s.get_value() == 5
    for bad in (0.5, 2 ** 40):
        with pytest.raises(TypeError, match="cannot store accurately value"):
            s.set_value(bad)
    assert s.get_value() == 5


def test_strict_and_allow_downcast():
    strict = theano.shared(np.float32(1.0), strict=True)
    for bad in (0.5, np.float32(0.5), np.float64(0.5)):
        with pytest.raises(TypeError, match="expected a ndarray object"):
            strict.set_value(bad)
    strict.set_value(np.array(0.25, dtype="float32"))
    loose = theano.shared(np.zeros(2, dtype="float32"), allow_downcast=True)
    loose.set_value(np.array([0.1, 0.2]))
    np.testing.assert_array_equal(loose.get_value(), np.array([0.1, 0.2], dtype="float32"))


def test_shared_of_python_numbers_has_theano_dtypes():
    with theano.config.change_flags(floatX="float32"):
        assert (theano.shared(0.5).dtype, theano.shared(1).dtype, theano.shared(np.float32(0.5)).dtype) == \
            ("float64", "int64", "float32")
        s = theano.shared(np.zeros(2, dtype="float32"))
        s.set_value(0.5 * np.ones(2, dtype="float32"))


# ------------------------------------------------------------- 3. copy and Out


def test_function_copy_swap_and_delete_updates():
    x = T.dvector("x")
    W = theano.shared(np.ones(2), name="W")
    V = theano.shared(np.zeros(2), name="V")
    f = theano.function([x], theano.Out((x * W).sum(), borrow=True), updates=[(W, W + 1)])
    assert f(np.ones(2)) == 2.0 and list(W.get_value()) == [2.0, 2.0]
    g = f.copy(swap={W: V}, name="g")
    # Theano's copies return a list of outputs, a single one included (Theano 1.0.5: [array(0.)])
    assert g(np.ones(2)) == [0.0] and list(V.get_value()) == [1.0, 1.0] and list(W.get_value()) == [2.0, 2.0]
    assert g.name == "g"
    h = f.copy(delete_updates=True)
    assert h(np.ones(2)) == [4.0] and list(W.get_value()) == [2.0, 2.0]
    same = f.copy(share_memory=True)
    same(np.ones(2))
    assert list(W.get_value()) == [3.0, 3.0]  # the copy updates the same shared variable
    with pytest.raises(TypeError, match="types differ"):
        f.copy(swap={W: theano.shared(np.zeros((2, 2)))})


def test_function_copy_without_updates_ignores_the_input_only_updates_used():
    # the documentation's accumulator: inc feeds only the update the copy drops (Theano 1.0.5: [array(10)])
    state = theano.shared(0)
    inc = T.iscalar("inc")
    accumulator = theano.function([inc], state, updates=[(state, state + inc)])
    accumulator(10)
    null_accumulator = accumulator.copy(delete_updates=True)
    assert repr(null_accumulator(9000)) == "[array(10)]" and state.get_value() == 10


def test_out_wrapper():
    y = T.dvector("y")
    out = theano.Out(y)
    assert repr(out) == "Out(y,False)" and out.borrow is False  # Theano's repr
    f = theano.function([y], [theano.Out(y * 2, borrow=True), y + 1])
    a, b = f(np.ones(2))
    a += 1
    np.testing.assert_array_equal(a, [3.0, 3.0])


# ------------------------------------------------------------------ 4. modes


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE", "DebugMode", "DEBUG_MODE", "Mode", "NanGuardMode"])
def test_mode_names(mode):
    x = T.dvector("x")
    assert list(theano.function([x], x + 1, mode=mode)(np.ones(1))) == [2.0]


def test_mode_objects_and_unknown_names():
    x = T.dvector("x")
    m = theano.Mode(linker="py", optimizer="fast_compile")
    assert (m.linker, m.optimizer) == ("py", "fast_compile")
    assert list(theano.function([x], x + 1, mode=m.including("fast_run").excluding("inplace"))(np.ones(1))) == [2.0]
    assert sorted(theano.compile.mode.predefined_modes) == ["DEBUG_MODE", "FAST_COMPILE", "FAST_RUN"]
    assert isinstance(theano.compile.mode.get_mode("FAST_COMPILE"), theano.compile.mode.Mode)
    assert isinstance(theano.compile.NanGuardMode(), theano.compile.Mode)
    assert theano.compile.debugmode.DebugMode is theano.compile.DebugMode
    with pytest.raises(Exception, match="No predefined mode exist for string: BOGUS"):
        theano.function([x], x, mode="BOGUS")
    with theano.config.change_flags(mode="FAST_COMPILE"):
        assert list(theano.function([x], x * 3)(np.ones(1))) == [3.0]


def test_monitor_mode_calls_back_per_node_on_every_call():
    x = T.dvector("x")
    seen = []

    def post(i, node, fn):
        seen.append((i, printing.op_name(node), [np.asarray(v[0]).copy() for v in fn.inputs],
                     [np.asarray(v[0]).copy() for v in fn.outputs]))

    pre_calls = []
    mode = theano.compile.MonitorMode(pre_func=lambda i, node, fn: pre_calls.append(i), post_func=post)
    f = theano.function([x], T.exp(x) * 2, mode=mode)
    np.testing.assert_allclose(f(np.array([0.0, 1.0])), [2.0, 2 * np.e])
    # exp and mul are fused into one node, as Theano's fast_run does; without fusion, each is a node
    assert [(i, name) for i, name, _, _ in seen] == [(0, "Elemwise{Composite{(i0 * exp(i1))}}")]
    np.testing.assert_allclose(seen[0][2][1], [0.0, 1.0])
    np.testing.assert_allclose(seen[0][3][0], [2.0, 2 * np.e])
    assert pre_calls == [0]
    seen.clear()
    f = theano.function([x], T.exp(x) * 2, mode=mode.excluding("fusion"))
    f(np.array([0.0, 1.0]))
    assert [(i, name) for i, name, _, _ in seen] == [(0, "Elemwise{exp,no_inplace}"), (1, "Elemwise{Mul}[(0, 1)]")]
    np.testing.assert_allclose(seen[1][3][0], [2.0, 2 * np.e])
    f(np.array([0.0, 0.0]))
    assert len(seen) == 4  # every call, not only the first (traced) one


# ------------------------------------------------------------- 5. printing


def _graph():
    x = T.dmatrix("x")
    W = theano.shared(np.ones((3, 2)), name="W")
    return x, W, T.tanh(T.dot(x, W)).sum()


THEANO_DEBUGPRINT = """\
Sum{acc_dtype=float64} [id A] ''   
 |Elemwise{tanh,no_inplace} [id B] ''   
   |dot [id C] ''   
     |x [id D]
     |W [id E]"""

THEANO_REPEATED = """\
Elemwise{add,no_inplace} [id A] ''   
 |Elemwise{exp,no_inplace} [id B] ''   
 | |y [id C]
 |Elemwise{exp,no_inplace} [id B] ''   """


def test_debugprint_golden_text():
    _, _, out = _graph()
    assert printing.debugprint(out, file="str") == THEANO_DEBUGPRINT
    y = T.dvector("y")
    h = T.exp(y)
    assert printing.debugprint(h + h, file="str") == THEANO_REPEATED
    buffer = io.StringIO()
    assert printing.debugprint(out, file=buffer) is buffer
    assert buffer.getvalue() == THEANO_DEBUGPRINT + "\n"


def test_debugprint_types_and_functions():
    y = T.dvector("y")
    typed = printing.debugprint(T.exp(y), file="str", print_type=True)
    assert typed == "Elemwise{exp,no_inplace} [id A] <TensorType(float64, vector)> ''   \n" \
                    " |y [id B] <TensorType(float64, vector)>"
    f = theano.function([y], T.exp(y) * 2)
    lines = printing.debugprint(f, file="str").splitlines()
    # one fused node, as Theano's: its inputs given the output's rank (the constant as a (1,) array)
    assert lines == ["Elemwise{Composite{(i0 * exp(i1))}} [id A] ''   0", " |TensorConstant{(1,) of 2.0} [id B]",
                     " |y [id C]"]  # Theano's canonical form: the constant first, in the computation's dtype


def test_pp_golden_text():
    x, W, out = _graph()
    y = T.dvector("y")
    assert theano.pp(out) == "Sum{acc_dtype=float64}(tanh((x \\dot W)))"
    assert theano.pp(y * 2 + T.exp(y)) == "((y * TensorConstant{2}) + exp(y))"
    assert theano.pp((y ** 2).sum()) == "Sum{acc_dtype=float64}((y ** TensorConstant{2}))"
    assert theano.pp(T.dot(x, W) + 1) == "((x \\dot W) + TensorConstant{1})"


def test_print_op_prints_when_run_and_returns_its_input(capfd):
    y = T.dvector("y")
    g = theano.function([y], printing.Print("hello")(y) * 2)
    np.testing.assert_array_equal(g(np.array([1.0, 2.0])), [2.0, 4.0])
    g2 = theano.function([y], printing.Print("attrs", attrs=("shape",))(y) + 1)
    g2(np.array([1.0, 2.0, 3.0]))
    printed = capfd.readouterr().out
    assert "hello __str__ = [1. 2.]\n" in printed and "attrs shape = (3,)\n" in printed  # Theano's lines
    seen = []
    g3 = theano.function([y], printing.Print("m", global_fn=lambda op, v: seen.append((op.message, v.sum())))(y))
    g3(np.ones(4))
    assert seen == [("m", 4.0)]
    grad = theano.function([y], theano.grad(printing.Print("g")(y).sum(), y))(np.ones(2))
    np.testing.assert_array_equal(grad, [1.0, 1.0])


# ------------------------------------------------------------- 6. the config tree


def test_theano_flags_exist_with_theano_defaults():
    c = theano.config
    assert c.warn.sum_div_dimshuffle_bug is False and c.warn.ignore_bug_before == "0.9"
    assert (c.compute_test_value, c.exception_verbosity, c.gcc.cxxflags) == ("off", "low", "")
    assert c.dnn.conv.algo_fwd == "small" and c.mode == "Mode"
    with pytest.raises(AttributeError, match="no flag"):
        c.warn.bogus


def test_invalid_values_are_rejected_as_theano_does():
    c = theano.config
    with pytest.raises(ValueError, match="Valid options are"):
        c.floatX = "bogus"
    with pytest.raises(ValueError, match=r"Invalid value \(\"bogus\"\) for configuration variable \"compute_test_value\""):
        c.compute_test_value = "bogus"
    with pytest.raises(ValueError, match="allow_gc"):
        c.allow_gc = "maybe"
    with pytest.raises(ValueError):
        Config("floatX=bogus")


def test_flags_that_do_nothing_warn_once():
    with pytest.warns(UserWarning, match="does nothing in symconv"):
        with theano.config.change_flags({"gcc.cxxflags": "-O3"}):
            assert theano.config.gcc.cxxflags == "-O3"
    assert theano.config.gcc.cxxflags == ""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with theano.config.change_flags({"warn.round": True}):  # warn.* choose Theano's bug warnings: silent
            assert theano.config.warn.round is True
        theano.config.warn.round = False


def test_theano_flags_environment(monkeypatch):
    monkeypatch.setenv("THEANO_FLAGS", "floatX=float64,exception_verbosity=high,bogusflag=1,noval")
    monkeypatch.setenv("SYMCONV_FLAGS", "precision=tf32")
    with pytest.warns(UserWarning) as record:
        cfg = Config()
    assert (cfg.floatX, cfg.exception_verbosity, cfg.precision) == ("float64", "high", "tf32")
    messages = " | ".join(str(w.message) for w in record)
    assert "does not recognise this flag: bogusflag" in messages and "'noval' has no value" in messages
    monkeypatch.setenv("SYMCONV_FLAGS", "floatX=float32")  # SYMCONV_FLAGS overrides THEANO_FLAGS
    with pytest.warns(UserWarning):
        assert Config().floatX == "float32"


def test_nanguardmode_defaults_follow_theano_flags():
    assert theano.compile.NanGuardMode().big_is_error is True
    with theano.config.change_flags({"NanGuardMode.big_is_error": False}):
        guard = theano.compile.NanGuardMode()
        assert (guard.nan_is_error, guard.inf_is_error, guard.big_is_error) == (True, True, False)
        x = T.dvector("x")
        assert theano.function([x], x * 1e11, mode=guard)(np.ones(1))[0] > 1e10  # no NanGuardError


def test_theano_module_paths():
    assert theano.compile.io.In is theano.In and theano.compile.io.Out is theano.Out
    assert theano.compile.sharedvalue.shared is theano.shared
    assert theano.compile.monitormode.MonitorMode is theano.compile.MonitorMode


def test_pp_golden_text_of_more_ops():
    y, z, m = T.dvector("y"), T.dvector("z"), T.dmatrix("m")
    f, i = T.fmatrix("f"), T.imatrix("i")
    theano_text = {  # Theano 1.0.5's pp of the same expressions
        "(-y)": -y,
        "(y - (z / TensorConstant{2}))": y - z / 2,
        "|y|": abs(y),
        "lt(y, z)": T.lt(y, z),
        "maximum(y, z)": T.maximum(y, z),
        "Sum{axis=[0], acc_dtype=float64}(m)": m.sum(axis=0),
        "sqr(y)": T.sqr(y),
        "Prod{axis=None, dtype='float64', acc_dtype='float64'}(y)": y.prod(),
        "(log(y) ** TensorConstant{2})": T.log(y) ** 2,
        "(y // TensorConstant{2})": y // 2,
        "Prod{axis=(0,), dtype='float64', acc_dtype='float64'}(m)": m.prod(axis=0),
        "Sum{acc_dtype=float64}(f)": f.sum(),
        "Sum{axis=[1], acc_dtype=int64}(i)": i.sum(axis=1),
        "Prod{axis=None, dtype='float32', acc_dtype='float64'}(f)": f.prod(),
        "MaxAndArgmax{axis=(0,)}(m)": m.max(axis=0),
        "MaxAndArgmax{axis=(0, 1)}(m)": m.max(),
        "MaxAndArgmax{axis=(1,)}(m)": m.argmax(axis=1),
    }
    assert {text: theano.pp(expr) for text, expr in theano_text.items()} == {text: text for text in theano_text}


def test_theanorc_files_then_theano_flags(monkeypatch, tmp_path):
    rc = tmp_path / "theanorc"
    rc.write_text("[global]\nfloatx = float64\ndevice = cpu\nnot_a_flag = 1\n\n[warn]\nround = True\n\n"
                  "[dnn.conv]\nalgo_fwd = fft\n")
    monkeypatch.setenv("THEANORC", str(rc))
    monkeypatch.delenv("THEANO_FLAGS", raising=False)
    monkeypatch.delenv("SYMCONV_FLAGS", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = Config()
        assert (cfg.floatX, cfg.device, cfg.warn.round, cfg.dnn.conv.algo_fwd) == ("float64", "cpu", True, "fft")
        monkeypatch.setenv("THEANO_FLAGS", "floatX=float16")
        assert Config().floatX == "float16"


def test_get_mode_by_name():
    mode = theano.compile.mode
    assert isinstance(mode.get_mode("NanGuardMode"), theano.compile.NanGuardMode)
    assert type(mode.get_mode("DebugMode")) is theano.compile.DebugMode
    assert mode.get_mode("FAST_RUN") is mode.FAST_RUN
    assert type(mode.get_default_mode()) is mode.Mode  # config.mode defaults to 'Mode', as Theano's


def test_messages_name_variables_made_in_an_earlier_doctest():
    # doctest's patched line cache knows only the running test's examples; a variable created
    # in an earlier one must still be described (it raised IndexError inside Sphinx doctests)
    import doctest

    namespace = {"theano": theano, "T": T}
    first = doctest.DocTestParser().get_doctest(">>> x = T.dscalar('x')\n>>> y = T.dscalar('y')\n",
                                                namespace, "first", "page.txt", 0)
    second = doctest.DocTestParser().get_doctest(
        ">>> theano.function([x, y], x, on_unused_input='warn')(1, 2)  # doctest: +ELLIPSIS\narray(1.)\n",
        namespace, "second", "page.txt", 10)
    runner = doctest.DocTestRunner()
    for test in (first, second):
        test.globs = namespace
        runner.run(test, clear_globs=False, out=lambda text: None)
    assert runner.failures == 0
