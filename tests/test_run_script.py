"""``symconv run SCRIPT [ARGS...]``: an unmodified Theano script, ``import theano`` resolving to symconv."""
import os
import subprocess
import sys
import textwrap

import pytest

THEANO_SCRIPT = """\
import sys
import numpy
import theano
import theano.tensor as T
from theano.tensor.signal import pool
from theano.tensor.nnet import conv2d
from theano.sandbox.rng_mrg import MRG_RandomStreams
from theano.tensor.shared_randomstreams import RandomStreams
import theano.scan_module
from theano.ifelse import ifelse
import helper  # a module beside the script: its folder is first on sys.path
import symconv
import symconv.tensor.signal.pool

print("same", theano is symconv, T is symconv.tensor, pool is symconv.tensor.signal.pool,
      theano.scan_module is symconv.scan_module, isinstance(T.matrix(), symconv.tensor.TensorVariable))
print("spec", T.__spec__.name, sys.modules["theano.tensor"] is T)
print("floatX", theano.config.floatX)
x = T.matrix("x")
f = theano.function([x], pool.pool_2d(x.dimshuffle("x", "x", 0, 1), (2, 2), ignore_border=True).sum())
print("pool", f(numpy.arange(16).reshape(4, 4).astype(theano.config.floatX)))
w = theano.shared(numpy.ones((1, 1, 2, 2), dtype=theano.config.floatX))
g = theano.function([x], conv2d(x.dimshuffle("x", "x", 0, 1), w).sum())
print("conv", g(numpy.ones((3, 3), dtype=theano.config.floatX)))
srng = MRG_RandomStreams(1)
rs = RandomStreams(2)
h = theano.function([], [srng.uniform((3,)), rs.normal((2,))])
print("rng", [v.shape for v in h()], h()[0].dtype)
print("argv", sys.argv[1:], __name__, helper.VALUE)
"""


def symconv_run(*args, cwd=None, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("THEANO_FLAGS", "SYMCONV_FLAGS")}
    environment["THEANORC"] = ""  # no ~/.theanorc
    environment.update(env)
    return subprocess.run([sys.executable, "-m", "symconv.cli", "run", *map(str, args)], capture_output=True,
                          text=True, env=environment, cwd=cwd, timeout=300)


def test_a_theano_script_runs_unmodified_with_its_arguments_and_theano_flags(tmp_path):
    script = tmp_path / "old_script.py"
    script.write_text(THEANO_SCRIPT)
    (tmp_path / "helper.py").write_text("VALUE = 'beside'\n")
    done = symconv_run(script, "a", "--epochs", "3", "-h", THEANO_FLAGS="floatX=float32")
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert lines["same"] == "True True True True True"
    assert lines["spec"] == "symconv.tensor True"  # the module keeps its own spec
    assert lines["floatX"] == "float32"
    assert lines["pool"] == "40.0"  # 2x2 max pool of arange(16): 5 + 7 + 13 + 15
    assert lines["conv"] == "16.0"
    assert lines["rng"] == "[(3,), (2,)] float32"
    assert lines["argv"] == "['a', '--epochs', '3', '-h'] __main__ beside"


def test_flags_set_by_the_script_before_import_theano_are_read_and_its_exit_status_kept(tmp_path):
    script = tmp_path / "flags.py"
    script.write_text(textwrap.dedent("""\
        import os, sys
        os.environ["THEANO_FLAGS"] = "floatX=float32,on_unused_input=warn"
        import theano
        print(theano.config.floatX, theano.config.on_unused_input)
        sys.exit(3)
    """))
    done = symconv_run(script, THEANO_FLAGS="floatX=float64")
    assert done.returncode == 3, done.stderr
    assert done.stdout.split() == ["float32", "warn"]


def test_a_theano_module_symconv_lacks_is_an_import_error_naming_it(tmp_path):
    script = tmp_path / "sparse.py"
    script.write_text("import theano\nfrom theano.sparse import basic\n")
    done = symconv_run(script)
    assert done.returncode == 1
    assert "ModuleNotFoundError: No module named 'theano.sparse'" in done.stderr
    assert f'File "{script}", line 2' in done.stderr
    assert "symconv/run.py" not in done.stderr and "importlib" not in done.stderr


def test_the_scripts_own_error_is_pythons_traceback_of_its_frames(tmp_path):
    script = tmp_path / "boom.py"
    script.write_text("import theano\n\ndef f():\n    raise ValueError('boom')\n\nf()\n")
    done = symconv_run(script)
    assert done.returncode == 1
    assert done.stderr.startswith("Traceback (most recent call last):\n")
    assert "runpy" not in done.stderr and "symconv/run.py" not in done.stderr
    assert done.stderr.rstrip().endswith("ValueError: boom")
    syntax = tmp_path / "syntax.py"
    syntax.write_text("x = (\n")
    done = symconv_run(syntax)
    assert done.returncode == 1 and "SyntaxError" in done.stderr


def test_a_missing_script_is_one_line(tmp_path):
    done = symconv_run(tmp_path / "nope.py")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"symconv run: error: cannot open file '{tmp_path / 'nope.py'}': "
                                                 "no such file"]


def test_a_real_theano_is_not_shadowed_outside_symconv_run(tmp_path):
    """A (fake) Theano on sys.path is what `import theano` gives outside the run; inside it, symconv is."""
    installed = tmp_path / "site"
    (installed / "theano").mkdir(parents=True)
    (installed / "theano" / "__init__.py").write_text("REAL = True\n")
    outside = subprocess.run(
        [sys.executable, "-c", "import symconv, symconv.cli, symconv.run, sys, theano; "
                               "print(theano.REAL, [f for f in sys.meta_path if 'Alias' in type(f).__name__])"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(installed)}, timeout=300)
    assert outside.returncode == 0, outside.stderr
    assert outside.stdout.split() == ["True", "[]"]
    script = tmp_path / "inside.py"
    script.write_text("import theano, symconv\nprint(theano is symconv, hasattr(theano, 'REAL'))\n")
    inside = symconv_run(script, PYTHONPATH=str(installed))
    assert inside.returncode == 0, inside.stderr
    assert inside.stdout.split() == ["True", "False"]


def test_theano_alias_in_python_is_undone_after_the_block(monkeypatch):
    import symconv
    import symconv.tensor
    from symconv.run import TheanoAliasFinder, theano_alias

    real = type(sys)("theano")
    monkeypatch.setitem(sys.modules, "theano", real)
    assert not any(isinstance(f, TheanoAliasFinder) for f in sys.meta_path)
    with theano_alias():
        import theano
        import theano.tensor as T
        from theano.tensor.nnet import conv2d

        assert theano is symconv and T is symconv.tensor and conv2d is symconv.tensor.nnet.conv2d
        with pytest.raises(ModuleNotFoundError, match="theano.no_such_module"):
            import theano.no_such_module  # noqa: F401
    assert sys.modules["theano"] is real
    assert "theano.tensor" not in sys.modules and "theano.tensor.nnet" not in sys.modules
    assert not any(isinstance(f, TheanoAliasFinder) for f in sys.meta_path)
    assert symconv.tensor.__spec__.name == "symconv.tensor"


def test_run_m_runs_a_module_as_python_m_does_with_theano_as_symconv(tmp_path):
    """``symconv run -m MODULE ARGS``: how Lasagne's test suite runs (``symconv run -m pytest ...``)."""
    (tmp_path / "probe.py").write_text(
        "import sys\nimport theano, theano.tensor.nnet.abstract_conv, theano.gof.graph\nimport symconv\n"
        "print(__name__, sys.argv[1:], theano is symconv)\nsys.exit(3)\n")
    done = symconv_run("-m", "probe", "a", "--b", cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert done.stdout == "__main__ ['a', '--b'] True\n"
    missing = symconv_run("-m", "no_such_module_here", cwd=tmp_path)
    assert missing.returncode == 2 and "no module named 'no_such_module_here'" in missing.stderr
    assert symconv_run("-m", cwd=tmp_path).returncode == 2
