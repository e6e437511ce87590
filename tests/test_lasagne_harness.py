"""compat/lasagne_tests.py on a tiny stand-in for a Lasagne checkout (the real one lives outside the repository).

The stand-in's package imports ``theano`` at import time and its tests pass, fail
and skip; the harness must run them through the alias (``theano`` is symconv),
read each outcome and count the tests that pass on both of two runs.
"""
import importlib.util
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _harness():
    spec = importlib.util.spec_from_file_location("lasagne_harness", os.path.join(ROOT, "compat", "lasagne_tests.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


harness = _harness()

PACKAGE = "import theano\nimport theano.tensor as T\nfrom theano.tensor.nnet import abstract_conv\n"
TESTS = '''import pytest
import theano
import lasagne


def test_theano_is_symconv():
    import symconv
    assert theano is symconv and lasagne.T.nnet.abstract_conv is symconv.tensor.nnet.abstract_conv


def test_fails():
    assert theano.tensor.constant(1).eval() == 2


@pytest.mark.skip(reason="not here")
def test_skipped():
    pass
'''


def _checkout(tmp_path):
    (tmp_path / "lasagne" / "tests").mkdir(parents=True)
    (tmp_path / "lasagne" / "__init__.py").write_text(PACKAGE)
    (tmp_path / "lasagne" / "conftest.py").write_text("def pytest_ignore_collect(path, config):\n    return False\n")
    (tmp_path / "lasagne" / "tests" / "test_stand_in.py").write_text(TESTS)
    return tmp_path


@pytest.mark.slow
def test_the_suite_runs_through_the_alias_and_each_outcome_is_recorded(tmp_path, capsys):
    checkout = _checkout(tmp_path / "Lasagne")
    out = tmp_path / "symconv.json"
    assert harness.main(["--lasagne", str(checkout), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["backend"] == "symconv" and report["counts"] == {"passed": 1, "failed": 1, "skipped": 1}
    tests = report["tests"]
    assert tests["lasagne.tests.test_stand_in::test_theano_is_symconv"]["outcome"] == "passed"
    assert tests["lasagne.tests.test_stand_in::test_fails"]["outcome"] == "failed"
    assert not any(p.name in (".pytest_cache", "__pycache__") for p in checkout.rglob("*"))  # nothing written there
    theano_run = dict(report, backend="theano", tests=dict(tests, **{
        "lasagne.tests.test_stand_in::test_fails": {"outcome": "passed", "message": ""}}))
    (tmp_path / "theano.json").write_text(json.dumps(theano_run))
    capsys.readouterr()
    harness.main(["--compare", str(tmp_path / "theano.json"), str(out)])
    printed = capsys.readouterr().out
    assert json.loads(printed.splitlines()[0]) == {"passed_on_theano": 2, "passed_on_both": 1, "fraction": 0.5}
    assert "failed   lasagne.tests.test_stand_in::test_fails" in printed
