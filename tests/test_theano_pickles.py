"""Pickles written by Theano 1.0.5 load into symconv objects, through a restricted unpickler.

The fixtures in tests/fixtures/theano/ were made by real Theano 1.0.5 with
``make_fixtures.py`` there (its docstring says how): the tutorials' best_model.pkl
(a LogisticRegression pickled from ``__main__``), shared variables, a list of
them, graphs of the tutorials' costs with Theano's values, and a graph with an
op symconv does not map.
"""
import os
import pickle
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv.safe_pickle import ForbiddenPickleError
from symconv.theano_pickle import UnknownTheanoClassError, load_theano_pickle, loads_theano_pickle

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "theano"


class LogisticRegression:
    """The user's own class, as their script defines it: only its name has to match the pickle's."""

    def __init__(self, *args, **kwargs):
        raise AssertionError("unpickling must not call __init__")


def test_best_model_predicts_what_theano_predicted():
    classifier = symconv.load_theano_pickle(FIXTURES / "best_model.pkl", classes=[LogisticRegression])
    ref = np.load(FIXTURES / "best_model_predictions.npz")
    assert isinstance(classifier, LogisticRegression)
    assert classifier.input.name == "x" and classifier.input.dtype == "float32" and classifier.input.ndim == 2
    predict = symconv.function([classifier.input], classifier.y_pred)
    np.testing.assert_array_equal(predict(ref["test_x"]), ref["y_pred"])
    probabilities = symconv.function([classifier.input], classifier.p_y_given_x)(ref["test_x"])
    assert probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities, ref["p_y_given_x"], rtol=1e-5, atol=1e-6)
    # One shared variable per Theano one: params holds the same W and b the graph reads.
    assert classifier.params[0] is classifier.W and classifier.params[1] is classifier.b
    np.testing.assert_array_equal(classifier.W.get_value(), ref["W"])
    np.testing.assert_array_equal(classifier.b.get_value(), ref["b"])
    assert isinstance(classifier.W, symconv.SharedVariable) and classifier.W.name == "W"


def test_the_loaded_model_trains_in_symconv():
    classifier = load_theano_pickle(FIXTURES / "best_model.pkl", classes=[LogisticRegression])
    y = T.ivector("y")
    cost = -T.mean(T.log(classifier.p_y_given_x)[T.arange(y.shape[0]), y])
    updates = [(p, p - 0.1 * symconv.grad(cost, p)) for p in classifier.params]
    train = symconv.function([classifier.input, y], cost, updates=updates)
    ref = np.load(FIXTURES / "best_model_predictions.npz")
    labels = ref["y_pred"].astype("int32")
    first = train(ref["test_x"], labels)
    assert train(ref["test_x"], labels) < first
    assert not np.array_equal(classifier.W.get_value(), ref["W"])


def test_a_module_admits_the_classes_it_defines():
    module = types.ModuleType("logistic_sgd")
    exec("class LogisticRegression(object):\n    pass\n", module.__dict__)
    module.Popen = __import__("subprocess").Popen  # imported, not defined there: not admitted
    classifier = load_theano_pickle(FIXTURES / "best_model.pkl", classes=[module])
    assert type(classifier) is module.LogisticRegression
    assert classifier.y_pred.dtype == "int64"


def test_an_admitted_class_is_never_called_with_pickled_arguments():
    # REDUCE: LogisticRegression("rm -rf ~") would run __init__ with the pickle's arguments.
    data = b"\x80\x02c__main__\nLogisticRegression\nX\x08\x00\x00\x00rm -rf ~\x85R}X\x01\x00\x00\x00aK\x01sb."
    loaded = loads_theano_pickle(data, classes=[LogisticRegression])
    assert type(loaded) is LogisticRegression and loaded.a == 1
    # protocol 0 names copy_reg._reconstructor(cls, object, None)
    loaded = loads_theano_pickle(pickle.dumps(loaded, protocol=0).replace(__name__.encode(), b"__main__"),
                                 classes=[LogisticRegression])
    assert type(loaded) is LogisticRegression and loaded.a == 1


def test_a_user_class_not_admitted_is_refused_by_name():
    with pytest.raises(ForbiddenPickleError, match=r"__main__\.LogisticRegression"):
        load_theano_pickle(FIXTURES / "best_model.pkl")


def test_a_shared_variable_loads_with_its_value_name_and_dtype():
    W = load_theano_pickle(FIXTURES / "shared.pkl")
    ref = np.load(FIXTURES / "best_model_predictions.npz")
    assert isinstance(W, symconv.SharedVariable)
    assert (W.name, W.dtype, W.broadcastable) == ("W", "float32", (False, False))
    np.testing.assert_array_equal(W.get_value(), ref["W"])
    x = T.matrix("x")
    np.testing.assert_allclose(symconv.function([x], T.dot(x, W))(ref["test_x"]), ref["test_x"] @ ref["W"],
                               rtol=1e-5)


def test_protocol_0_as_python_2_wrote():
    b = load_theano_pickle(FIXTURES / "shared_protocol0.pkl")
    ref = np.load(FIXTURES / "best_model_predictions.npz")
    assert (b.name, b.dtype) == ("b", "float32")
    np.testing.assert_array_equal(b.get_value(), ref["b"])


def test_a_list_of_shared_variables():
    params = load_theano_pickle(FIXTURES / "params.pkl")
    ref = np.load(FIXTURES / "best_model_predictions.npz")
    assert [(p.name, p.dtype, p.broadcastable) for p in params] == [
        ("W", "float32", (False, False)), ("b", "float32", (False,)), ("counts", "int64", (False, False)),
        ("lr", "float64", ()), ("row", "float32", (True, False))]
    np.testing.assert_array_equal(params[0].get_value(), ref["W"])
    np.testing.assert_array_equal(params[1].get_value(), ref["b"])
    np.testing.assert_array_equal(params[2].get_value(), np.arange(6).reshape(2, 3))
    assert params[3].get_value() == 0.25
    np.testing.assert_array_equal(params[4].get_value(), np.ones((1, 3), "float32"))


GRAPHS = ["cast_mean", "errors", "hidden", "log1p_abs", "max_min", "nll", "relu2", "reshape", "rows",
          "sigmoid_sum", "slice"]


@pytest.fixture(scope="module")
def graphs():
    return load_theano_pickle(FIXTURES / "graphs.pkl.gz"), np.load(FIXTURES / "graphs_values.npz")


@pytest.mark.parametrize("name", GRAPHS)
def test_graphs_compute_what_theano_computed(graphs, name):
    loaded, ref = graphs
    out = loaded[name]
    f = symconv.function([loaded["x"], loaded["y"]], out, on_unused_input="ignore")
    value = f(ref["test_x"], ref["test_y"])
    assert value.dtype == ref[name].dtype
    np.testing.assert_allclose(value, ref[name], rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["output", "average_padded", "full"])
def test_conv_and_pool_compute_what_theano_computed(name):
    layer = load_theano_pickle(FIXTURES / "conv_pool.pkl")
    ref = np.load(FIXTURES / "conv_pool_values.npz")
    value = symconv.function([layer["img"]], layer[name])(ref["test_img"])
    assert value.dtype == ref[name].dtype
    np.testing.assert_allclose(value, ref[name], rtol=2e-6, atol=1e-6)


def test_an_unknown_theano_op_is_named():
    with pytest.raises(UnknownTheanoClassError, match=r"theano\.tensor\.nlinalg\.MatrixInverse"):
        load_theano_pickle(FIXTURES / "unknown_op.pkl")


def _naming(module, name):
    """A protocol 2 pickle that names module.name and calls it with no arguments."""
    return b"\x80\x02c" + f"{module}\n{name}\n".encode() + b")\x81."


@pytest.mark.parametrize("module, name", [("theano.compile.function_module", "Function"),
                                          ("theano.scalar.basic", "Erfinv"),
                                          ("theano.tensor.nnet.conv3d2d", "DiagonalSubtensor")])
def test_an_unknown_theano_class_is_named(module, name):
    with pytest.raises(UnknownTheanoClassError, match=re.escape(f"{module}.{name}")):
        loads_theano_pickle(_naming(module, name))


class RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_that_runs_code_is_still_refused(tmp_path):
    marker = tmp_path / "ran"
    data = pickle.dumps(RunsCode(marker), protocol=2)
    for classes in ((), (RunsCode,), (os, sys.modules[__name__])):
        with pytest.raises(ForbiddenPickleError, match=r"(posix|nt)\.system"):
            loads_theano_pickle(data, classes=classes)
    with pytest.raises(ForbiddenPickleError, match=r"builtins\.eval"):
        loads_theano_pickle(b"\x80\x02cbuiltins\neval\nX\x04\x00\x00\x001+1q\x00\x85R.")
    assert not marker.exists()


def test_copyreg_reconstructor_builds_only_plain_objects():
    # protocol 0 names copy_reg._reconstructor(cls, base, state): a base other than object is refused.
    data = b"ccopy_reg\n_reconstructor\n(ctheano.gof.utils\nscratchpad\nc__builtin__\nlist\n(lp0\ntR."
    with pytest.raises(ForbiddenPickleError, match="_reconstructor"):
        loads_theano_pickle(data)


def test_pickle_load_reads_theano_pickles_inside_the_block(tmp_path):
    from symconv.theano_pickle import pickle_reads_theano

    module = types.ModuleType("user_script")
    exec("class LogisticRegression(object):\n    pass\n", module.__dict__)
    sys.modules["user_script"] = module
    original = pickle.load, pickle.loads
    try:
        with pickle_reads_theano(classes=("user_script", "not_imported")):
            with open(FIXTURES / "best_model.pkl", "rb") as f:
                classifier = pickle.load(f)
            params = pickle.loads((FIXTURES / "params.pkl").read_bytes())
            with pytest.raises(ForbiddenPickleError, match=r"(posix|nt)\.system"):
                pickle.loads(pickle.dumps(RunsCode(tmp_path / "ran"), protocol=2))
    finally:
        del sys.modules["user_script"]
    assert (pickle.load, pickle.loads) == original
    assert type(classifier) is module.LogisticRegression and params[0].name == "W"
    ref = np.load(FIXTURES / "best_model_predictions.npz")
    np.testing.assert_array_equal(symconv.function([classifier.input], classifier.y_pred)(ref["test_x"]),
                                  ref["y_pred"])
    assert not (tmp_path / "ran").exists()


def test_symconv_pickles_load_too():
    """A Theano script run by symconv pickles symconv objects: they load through the same restricted loader."""
    import symconv.layers as L

    x = T.matrix("x")
    model = L.LogisticRegression(x, 6, 4)
    model.W.set_value(np.load(FIXTURES / "best_model_predictions.npz")["W"])
    user = LogisticRegression.__new__(LogisticRegression)
    user.__dict__.update(input=x, W=model.W, y_pred=T.argmax(T.nnet.softmax(T.dot(x, model.W)), axis=1),
                         params=[model.W])
    ref = np.load(FIXTURES / "best_model_predictions.npz")
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        loaded = loads_theano_pickle(pickle.dumps(user, protocol=protocol), classes=[LogisticRegression])
        assert loaded.params[0] is loaded.W
        np.testing.assert_array_equal(symconv.function([loaded.input], loaded.y_pred)(ref["test_x"]),
                                      symconv.function([x], user.y_pred)(ref["test_x"]))
        layer = loads_theano_pickle(pickle.dumps(model, protocol=protocol))
        assert type(layer) is L.LogisticRegression
        np.testing.assert_array_equal(layer.W.get_value(), ref["W"])


@pytest.mark.parametrize("module, name", [("symconv.train.model_file", "save_model"),
                                          ("symconv.ops.variable", "compile_function"),
                                          ("symconv.ops.variable", "np"),
                                          ("symconv.cli", "main")])
def test_symconv_names_other_than_graph_classes_and_lowerings_are_refused(module, name):
    with pytest.raises(ForbiddenPickleError, match=re.escape(f"{module}.{name}")):
        loads_theano_pickle(_naming(module, name))


def test_an_unmodified_theano_script_loads_best_model_in_pickle_reads_theano(tmp_path, capsys):
    """What ``symconv run`` gets by running the script inside ``pickle_reads_theano()``: the tutorial's predict()."""
    from symconv.run import run_script
    from symconv.theano_pickle import pickle_reads_theano

    script = tmp_path / "predict.py"
    script.write_text(
        "import pickle\nimport numpy\nimport theano\n\n\n"
        "class LogisticRegression(object):\n    def __init__(self, input, n_in, n_out):\n        raise SystemExit(3)\n\n\n"
        f"classifier = pickle.load(open({str(FIXTURES / 'best_model.pkl')!r}, 'rb'))\n"
        "predict_model = theano.function(inputs=[classifier.input], outputs=classifier.y_pred)\n"
        f"test_x = numpy.load({str(FIXTURES / 'best_model_predictions.npz')!r})['test_x']\n"
        "print('predicted', ' '.join(map(str, predict_model(test_x))))\n")
    with pickle_reads_theano():
        assert run_script(str(script)) == 0
    ref = np.load(FIXTURES / "best_model_predictions.npz")["y_pred"]
    assert capsys.readouterr().out.strip() == "predicted " + " ".join(map(str, ref))
    # ``symconv run`` itself reads pickles this way: the same unmodified script, through the command line.
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "symconv.cli", "run", str(script)], capture_output=True, text=True,
                         timeout=300, check=True)
    assert out.stdout.strip() == "predicted " + " ".join(map(str, ref))
