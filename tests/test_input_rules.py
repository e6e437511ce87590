"""Theano's input rules, bounded compilation, and a requested device that is not there."""
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import symconv
import symconv.tensor as T


def f32(*shape):
    return np.ones(shape, "float32")


# ------------------------------------------------- broadcasting by the type


def test_a_length_1_dimension_broadcasts_only_where_the_type_says_so():
    x, y = T.matrix("x"), T.matrix("y")
    f = symconv.function([x, y], x + y)
    np.testing.assert_array_equal(f(f32(2, 3), f32(2, 3)), 2 * f32(2, 3))
    with pytest.raises(ValueError, match="Input dimension mis-match.*input 0 has length 1 on axis 0"):
        f(f32(1, 3), f32(2, 3))
    r = T.row("r")
    np.testing.assert_array_equal(symconv.function([r, y], r + y)(f32(1, 3), f32(2, 3)), 2 * f32(2, 3))
    np.testing.assert_array_equal(symconv.function([x, y], T.addbroadcast(x, 0) + y)(f32(1, 3), f32(2, 3)),
                                  2 * f32(2, 3))


def test_a_shared_bias_set_to_length_1_does_not_broadcast():
    x = T.vector("x")
    b = symconv.shared(np.zeros(3, "float32"), name="b")
    f = symconv.function([x], x + b)
    b.set_value(np.zeros(1, "float32"))
    with pytest.raises(ValueError, match="mis-match"):
        f(f32(3))
    bias = symconv.shared(np.zeros(1, "float32"), name="bias", broadcastable=(True,))
    np.testing.assert_array_equal(symconv.function([x], x + bias)(f32(3)), f32(3))


def test_rebroadcast_types_and_run_time_check():
    x = T.matrix("x")
    assert T.addbroadcast(x, 1).broadcastable == (False, True)
    assert T.unbroadcast(T.addbroadcast(x, 1), 1).broadcastable == (False, False)
    assert T.patternbroadcast(x, (True, False)).broadcastable == (True, False)
    f = symconv.function([x], T.addbroadcast(x, 1) * 2)
    np.testing.assert_array_equal(f(f32(4, 1)), 2 * f32(4, 1))
    with pytest.raises(ValueError, match="declared broadcastable"):
        f(f32(4, 2))


def test_complex_input_to_a_real_function_is_a_type_error_without_a_warning():
    x = T.dvector("x")
    f = symconv.function([x], x * 2, allow_input_downcast=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="complex"):
            f(np.ones(3, "complex128"))
        w = symconv.shared(np.zeros(3), allow_downcast=True)
        with pytest.raises(TypeError, match="complex"):
            w.set_value(np.ones(3, "complex64"))


# ------------------------------------------------------ bounded compilation


def test_compiled_variants_are_bounded_and_a_recompiling_function_says_what_varies():
    x = T.matrix("x")
    f = symconv.function([x], x.sum(), name="varying")
    with symconv.config.change_flags(max_compiled_variants=4), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for rows in range(1, 13):
            assert f(f32(rows, 2)) == 2 * rows
        assert f.compiled_variants["call"] == 4
        assert f(f32(1, 2)) == 2  # evicted, compiled again
    messages = [str(w.message) for w in caught if "compiled for" in str(w.message)]
    assert len(messages) == 1
    assert "symconv function varying" in messages[0] and "x: (9, 2) then (10, 2)" in messages[0]


def test_memory_for_400_shapes_stays_bounded():
    script = (
        "import numpy as np, warnings, symconv, symconv.tensor as T\n"
        "def rss():\n"
        "    with open('/proc/self/status') as f:\n"
        "        return next(int(l.split()[1]) for l in f if l.startswith('VmRSS')) / 1024\n"
        "warnings.simplefilter('ignore')\n"
        "x = T.matrix('x'); W = symconv.shared(np.ones((3, 3), 'float32'))\n"
        "f = symconv.function([x], T.tanh(T.dot(x, W)).sum())\n"
        "f(np.ones((1, 3), 'float32')); base = rss()\n"
        "for i in range(2, 402): f(np.ones((i, 3), 'float32'))\n"
        "print(rss() - base, f.compiled_variants['call'])\n")
    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs /proc to read the resident set")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=True)
    growth, kept = out.stdout.split()
    assert int(kept) == symconv.config.max_compiled_variants
    assert float(growth) < 250, f"400 shapes grew the process by {growth} MiB"


# ------------------------------------------------------ a missing device


def _has_gpu():
    import jax

    try:
        return bool(jax.devices("gpu"))
    except RuntimeError:
        return False


@pytest.mark.skipif(_has_gpu(), reason="a GPU is there")
def test_a_missing_device_warns_with_the_device_used_or_fails_when_forced():
    with symconv.config.change_flags(device="cuda:3"):
        with pytest.warns(RuntimeWarning, match="no gpu device; using cpu"):
            w = symconv.shared(np.zeros(2))
        assert w.get_value().tolist() == [0, 0]
        with symconv.config.change_flags(force_device=True), pytest.raises(RuntimeError, match="force_device"):
            symconv.shared(np.zeros(2))


def test_config_flags_are_checked():
    with pytest.raises(ValueError, match="max_compiled_variants"):
        symconv.config.max_compiled_variants = 0
    with pytest.raises(ValueError, match="force_device"):
        symconv.config.force_device = "maybe"


def test_every_public_submodule_is_reachable_after_import_symconv_and_heavy_ones_load_lazily():
    script = (
        "import sys, symconv\n"
        "heavy = ('optax', 'matplotlib', 'tensorflow_datasets')\n"
        "eager = [m for m in heavy if m in sys.modules]\n"
        "names = ['optimizers', 'layers', 'datasets', 'train', 'predict', 'plots', 'kernels', 'sandbox', 'random',\n"
        "         'printing', 'gradient', 'scan_module', 'compile', 'tensor', 'cli', 'tutorials_impl']\n"
        "missing = [n for n in names if getattr(symconv, n, None) is None]\n"
        "assert callable(symconv.optimizers.sgd)\n"
        "try:\n"
        "    symconv.no_such_module\n"
        "    raise SystemExit('no AttributeError')\n"
        "except AttributeError:\n"
        "    pass\n"
        "print(eager, missing)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip() == "[] []"


# ----------------------------------------------------------- NanGuardMode


def test_nan_guard_mode_stops_at_the_first_bad_node_and_updates_nothing():
    from symconv.compile import NanGuardError, NanGuardMode

    x = T.dvector("x")
    w = symconv.shared(np.ones(3), name="w")
    cost = (T.log(x) * w).sum()
    train = symconv.function([x], cost, updates=[(w, w - 0.1 * symconv.grad(cost, w))],
                             mode=NanGuardMode(nan_is_error=True, inf_is_error=True, big_is_error=True), name="train")
    train(np.ones(3))
    before = w.get_value()
    # log(x) * w is one fused node of the compiled graph (Theano's fusion): the error names it
    with pytest.raises(NanGuardError, match=r"train: NanGuardMode: NaN detected in the output of "
                                            r"Composite\{\(log\(i0\) \* i1\)\}.*test_input_rules"):
        train(np.array([1.0, -1.0, 2.0]))
    np.testing.assert_array_equal(w.get_value(), before)
    with pytest.raises(AssertionError, match="Inf detected"):
        train(np.array([1.0, 0.0, 2.0]))
    with pytest.raises(AssertionError, match="call 1 of map: NanGuardMode: NaN"):
        symconv.function([x], T.sqrt(x), mode="NanGuardMode").map([np.ones(2), -np.ones(2)])


def test_nan_guard_mode_flags_and_big_values():
    from symconv.compile import NanGuardMode

    x = T.dvector("x")
    big = np.array([2e10])
    with pytest.raises(AssertionError, match="above 1e"):
        symconv.function([x], x * 1.0, mode=NanGuardMode())(big)
    np.testing.assert_array_equal(symconv.function([x], x * 1.0, mode=NanGuardMode(big_is_error=False))(big), big)
    quiet = NanGuardMode(nan_is_error=False, inf_is_error=False, big_is_error=False)
    assert np.isnan(symconv.function([x], T.log(x), mode=quiet)(np.array([-1.0])))[0]
    assert np.isnan(symconv.function([x], T.log(x))(np.array([-1.0])))[0]
