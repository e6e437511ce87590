"""symconv.function: inputs, outputs, updates, givens, defaults, input checks, errors."""
import pickle

import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv import In


def test_single_list_and_no_outputs():
    x = T.dvector("x")
    assert isinstance(symconv.function([x], x * 2)(np.ones(3)), np.ndarray)
    a, b = symconv.function([x], [x + 1, x.sum()])(np.arange(3.0))
    np.testing.assert_allclose(a, [1, 2, 3])
    assert b == 3 and b.shape == ()
    assert symconv.function([x], [], on_unused_input="ignore")(np.ones(2)) == []
    assert symconv.function([x], None, on_unused_input="ignore")(np.ones(2)) == []


def test_updates_are_simultaneous():
    a = symconv.shared(np.float64(1.0), name="a")
    b = symconv.shared(np.float64(2.0), name="b")
    swap = symconv.function([], [], updates=[(a, b), (b, a + b)])
    swap()
    assert (a.get_value(), b.get_value()) == (2.0, 3.0)
    swap()
    assert (a.get_value(), b.get_value()) == (3.0, 5.0)


def test_outputs_see_old_values_and_updates_dict():
    s = symconv.shared(np.zeros(2), name="s")
    inc = T.dvector("inc")
    f = symconv.function([inc], s * 1, updates={s: s + inc})
    np.testing.assert_allclose(f(np.ones(2)), [0, 0])
    np.testing.assert_allclose(f(np.ones(2)), [1, 1])
    np.testing.assert_allclose(s.get_value(), [2, 2])


def test_givens_replace_inputs_with_shared_slices():
    data = symconv.shared(np.arange(20.0).reshape(10, 2), name="data")
    x, i = T.dmatrix("x"), T.lscalar("i")
    f = symconv.function([i], x.sum(axis=0), givens={x: data[i * 2:(i + 1) * 2]})
    np.testing.assert_allclose(f(1), [4 + 6, 5 + 7])
    np.testing.assert_allclose(f(4), [16 + 18, 17 + 19])
    assert f.compiled_variants["call"] == 1
    with pytest.raises(IndexError, match="out of bounds"):
        f(5)
    with pytest.raises(IndexError, match="out of bounds"):
        f(-1)


def test_failed_bounds_check_leaves_state_untouched():
    data = symconv.shared(np.ones((6, 2)), name="data")
    w = symconv.shared(np.zeros(2), name="w")
    i = T.lscalar("i")
    step = symconv.function([i], [], updates=[(w, w + data[i * 3:(i + 1) * 3].sum(axis=0))])
    step(1)
    np.testing.assert_allclose(w.get_value(), [3, 3])
    with pytest.raises(IndexError):
        step(2)
    np.testing.assert_allclose(w.get_value(), [3, 3])
    step(0)
    np.testing.assert_allclose(w.get_value(), [6, 6])


def test_advanced_index_out_of_bounds_raises():
    m, y = T.dmatrix("m"), T.ivector("y")
    f = symconv.function([m, y], m[T.arange(y.shape[0]), y])
    np.testing.assert_allclose(f(np.arange(6.0).reshape(2, 3), np.array([2, 0], "int32")), [2, 3])
    with pytest.raises(IndexError, match="out of bounds"):
        f(np.zeros((2, 3)), np.array([3, 0], "int32"))


def test_in_defaults_and_keyword_call():
    x, y = T.dscalar("x"), T.dscalar("y")
    f = symconv.function([x, In(y, value=10.0)], x + y)
    assert f(1.0) == 11.0
    assert f(1.0, 2.0) == 3.0
    assert f(x=1.0, y=5.0) == 6.0
    with pytest.raises(TypeError, match="no input named"):
        f(1.0, z=2.0)
    with pytest.raises(TypeError, match="missing input"):
        f(y=1.0)


def test_wrong_inputs_raise_typeerror_naming_input_and_keep_state():
    x = T.fmatrix("x")
    s = symconv.shared(np.zeros((), "float32"), name="s")
    f = symconv.function([x], x.sum(), updates=[(s, s + 1)])
    with pytest.raises(TypeError, match=r"expected 2 dimensions, got 1") as err:
        f(np.ones(3, "float32"))
    assert "'x'" in str(err.value) or "x (" in str(err.value)
    assert "test_function.py" in str(err.value)
    with pytest.raises(TypeError, match="float32.*float64|lose"):
        f(np.ones((2, 2)))
    with pytest.raises(TypeError, match="takes 1 inputs"):
        f(np.ones((2, 2), "float32"), 1)
    assert s.get_value() == 0
    assert f(np.ones((2, 2))
             .astype("float32")) == 4
    g = symconv.function([x], x.sum(), allow_input_downcast=True)
    assert g(np.ones((2, 2))) == 4
    assert g([[1.5, 2.5]]) == 4.0


def test_python_scalars_are_accepted_when_exact():
    i, f32 = T.iscalar("i"), T.fscalar("f")
    g = symconv.function([i, f32], i + f32)
    assert g(3, 0.5) == 3.5
    with pytest.raises(TypeError):
        g(2.5, 0.5)


def test_missing_and_unused_inputs():
    x, y = T.dvector("x"), T.dvector("y")
    with pytest.raises(symconv.MissingInputError, match=r"needs y[\s\S]*test_function.py"):
        symconv.function([x], x + y)
    with pytest.raises(symconv.UnusedInputError, match="y"):
        symconv.function([x, y], x * 2)
    with pytest.warns(UserWarning):
        symconv.function([x, y], x * 2, on_unused_input="warn")
    assert symconv.function([x, y], x * 2, on_unused_input="ignore")(np.ones(1), np.ones(1)) == 2


def test_update_type_mismatch_is_a_clear_error():
    w = symconv.shared(np.zeros(3, "float32"), name="w")
    lr = T.dscalar("lr")
    with pytest.raises(TypeError, match="w.*float32.*float64"):
        symconv.function([lr], [], updates=[(w, w - lr * w)])
    with pytest.raises(TypeError, match="not a shared variable"):
        symconv.function([lr], [], updates=[(lr, lr + 1)])


def test_givens_type_mismatch():
    x = T.dmatrix("x")
    with pytest.raises(TypeError, match="givens"):
        symconv.function([], x.sum(), givens={x: symconv.shared(np.zeros(3))})


def test_one_compile_per_signature():
    x = T.dmatrix("x")
    f = symconv.function([x], x.sum())
    for _ in range(3):
        f(np.ones((2, 3)))
    assert f.compiled_variants["call"] == 1
    f(np.ones((4, 3)))
    assert f.compiled_variants["call"] == 2


def test_updated_shared_buffers_are_donated_and_values_stay_readable():
    w = symconv.shared(np.ones(4), name="w")
    f = symconv.function([], [], updates=[(w, w * 2)])
    before = w.get_value(borrow=False)
    f()
    np.testing.assert_allclose(before, 1)
    np.testing.assert_allclose(w.get_value(), 2)


def test_shape_dependent_values_fold_at_trace_time_and_scalar_inputs_become_static():
    x, n = T.dvector("x"), T.lscalar("n")
    f = symconv.function([x, n], x[:n].sum())
    assert f(np.arange(5.0), 2) == 1
    assert f(np.arange(5.0), 4) == 6
    r = symconv.function([x, n], T.reshape(x, (n, -1)))
    assert r(np.arange(6.0), 3).shape == (3, 2)


def test_runtime_error_names_the_node_and_user_line():
    x, y = T.dvector("x"), T.dvector("y")
    f = symconv.function([x, y], x + y)
    with pytest.raises(symconv.NodeError, match=r"add[\s\S]*actual shape \(3,\)[\s\S]*test_function.py"):
        f(np.ones(3), np.ones(4))


def test_build_time_shape_error_points_at_user_line():
    a = T.constant(np.ones((3, 4)))
    b = T.constant(np.ones((5, 6)))
    with pytest.raises(ValueError, match=r"dot[\s\S]*test_function.py"):
        T.dot(a, b)


def test_eval_and_truthiness():
    x = T.dvector("x")
    assert bool(x) and (not x) is False
    np.testing.assert_allclose((x * 3).eval({x: np.ones(2)}), [3, 3])
    assert T.constant(4).eval() == 4


def test_shared_get_set_value():
    w = symconv.shared(np.zeros((2, 2), "float32"), name="w")
    w.set_value(np.ones((3, 3), "float32"))
    assert w.get_value().shape == (3, 3)
    w.set_value(np.ones((3, 3), "int8"))
    assert w.get_value().dtype == np.float32
    with pytest.raises(TypeError, match="w.*float32.*float64"):
        w.set_value(np.ones((3, 3)))
    with pytest.raises(TypeError, match="dimensions"):
        w.set_value(np.ones(3, "float32"))
    copy = w.get_value()
    copy[0, 0] = 42
    assert w.get_value()[0, 0] == 1


def test_pickled_graph_reloads_and_compiles_again():
    w = symconv.shared(np.arange(3.0), name="w")
    x = T.dvector("x")
    out = T.dot(x, w) + 1
    blob = pickle.dumps((x, w, out))
    x2, w2, out2 = pickle.loads(blob)
    assert w2 is not w
    np.testing.assert_allclose(w2.get_value(), [0, 1, 2])
    assert symconv.function([x2], out2)(np.ones(3)) == 4
    w2.set_value(np.ones(3))
    assert symconv.function([x2], out2)(np.ones(3)) == 4
    assert symconv.function([x], out)(np.ones(3)) == 4


def test_default_update():
    counter = symconv.shared(np.int64(0), name="counter")
    counter.default_update = counter + 1
    x = T.lscalar("x")
    f = symconv.function([x], x + counter)
    assert f(10) == 10 and f(10) == 11
    g = symconv.function([x], x + counter, no_default_updates=True)
    assert g(0) == 2 and g(0) == 2


def test_config_flags():
    with symconv.config.change_flags(floatX="float64"):
        assert T.matrix().dtype == "float64"
        assert (T.dvector() * 0.1).dtype == "float64"
    assert T.matrix().dtype == "float32"
    assert (T.fvector() * 0.13).dtype == "float32"
    with pytest.raises(ValueError):
        symconv.config.floatX = "int3"
    with pytest.raises(AttributeError, match="no flag"):
        symconv.config.nonsense
    from symconv.config import Config

    assert Config("floatX=float64,device=cpu").floatX == "float64"


def test_flags_from_environment(monkeypatch):
    from symconv.config import Config

    monkeypatch.setenv("SYMCONV_FLAGS", "floatX=float64,precision=tf32")
    cfg = Config()
    assert (cfg.floatX, cfg.precision) == ("float64", "tf32")


def test_sixty_four_bit_types_are_real():
    i = T.lscalar("i")
    big = 2 ** 40
    assert symconv.function([i], i * 2)(big) == 2 * big
    assert T.argmax(T.dmatrix(), axis=1).dtype == "int64"
    assert T.mean(T.ivector()).dtype == "float64"
    assert T.lt(T.dvector(), 1).dtype == "bool"
    with symconv.config.change_flags(floatX="float32"):
        assert symconv.function([], T.constant(np.float64(1.0) / 3))().dtype == np.float64


def test_map_equals_calls_one_by_one():
    def build():
        data = symconv.shared(np.arange(40.0).reshape(20, 2), name="data")
        w = symconv.shared(np.zeros(2), name="w")
        i = T.lscalar("i")
        batch = data[i * 4:(i + 1) * 4]
        f = symconv.function([i], (batch * w).sum(), updates=[(w, w * 0.5 + batch.mean(axis=0))])
        return f, w

    f, w = build()
    expected = [f(i) for i in (0, 3, 1, 4, 2)]
    g, w2 = build()
    got = g.map([0, 3, 1, 4, 2])
    np.testing.assert_allclose(got, expected)
    np.testing.assert_allclose(w2.get_value(), w.get_value())
    g.map([4, 3, 2, 1, 0])
    g.map([1, 2, 3])
    assert g.compiled_variants["map"] == 2  # one compile per distinct length


def test_map_stops_updating_at_a_failed_check():
    data = symconv.shared(np.ones((8, 1)), name="data")
    w = symconv.shared(np.zeros(1), name="w")
    i = T.lscalar("i")
    f = symconv.function([i], [], updates=[(w, w + data[i * 4:(i + 1) * 4].sum())])
    with pytest.raises(IndexError, match="call 2 of map"):
        f.map([0, 1, 2, 0])
    np.testing.assert_allclose(w.get_value(), [8])


def test_index_error_inside_an_op_stays_an_index_error():
    v = T.dvector("v")
    with pytest.raises(IndexError, match=r"out of bounds[\s\S]*test_function.py"):
        symconv.function([v], v[[1, 20]])(np.arange(10.0))
    with pytest.raises(symconv.NodeError):
        symconv.function([v], v[[1, 20]])(np.arange(10.0))


def test_map_over_an_input_that_decides_a_shape_is_a_clear_error():
    x, n = T.dvector("x"), T.lscalar("n")
    f = symconv.function([x, n], x[:n].sum())
    with pytest.raises(TypeError, match="decide a shape"):
        f.map([np.arange(5.0)] * 2, [2, 3])
    assert f(np.arange(5.0), 3) == 3
