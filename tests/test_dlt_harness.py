"""compat/deeplearning_tutorials.py: its data sets have the tutorials' formats, and a run works in both
symconv modes (imports changed, and unchanged through ``symconv run``) on a tiny stand-in script.

The real tutorial scripts live outside this repository; the full harness is run by hand
(README, "The deeplearning.net scripts").
"""
import gzip
import importlib.util
import os
import pickle
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _harness():
    spec = importlib.util.spec_from_file_location(
        "dlt_harness", os.path.join(ROOT, "compat", "deeplearning_tutorials.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dlt = _harness()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    rng = np.random.RandomState(0)
    labels = np.repeat(np.arange(10, dtype=np.uint8), 6)  # sorted by class, as mnist-5k is
    images = rng.randint(0, 256, size=(60, 28, 28)).astype(np.uint8)
    out = tmp_path_factory.mktemp("dlt") / "data"
    dlt.prepare_data(str(out), images, labels, n_tunes=2, mnist_sizes=(30, 15, 15))
    return out


def test_mnist_pickle_is_shuffled_and_split_in_the_tutorial_format(data_dir):
    with gzip.open(data_dir / "mnist.pkl.gz", "rb") as f:
        splits = pickle.load(f)
    assert [len(x) for x, _ in splits] == [30, 15, 15]
    (train_x, train_y), _, _ = splits
    assert train_x.dtype == np.float32 and train_x.shape[1] == 784 and train_x.max() <= 1.0
    assert len(set(train_y[:6].tolist())) > 1  # shuffled: the first rows are not all one class


def test_imdb_and_atis_pickles_have_the_scripts_formats(data_dir):
    with open(data_dir / "imdb.pkl", "rb") as f:
        (train_x, train_y), (test_x, test_y) = pickle.load(f), pickle.load(f)
    assert len(train_x) == len(train_y) and set(train_y) == {0, 1}
    assert all(isinstance(w, int) and 1 < w < 10000 for seq in train_x[:50] for w in seq)
    with gzip.open(data_dir / "atis.fold3.pkl.gz", "rb") as f:
        train, valid, test, dicts = pickle.load(f)
    lex, ne, y = train
    assert len(lex) == len(ne) == len(y) and all(len(a) == len(b) for a, b in zip(lex, y))
    labels = dicts["labels2idx"]
    assert "O" in labels and all(name == "O" or name[:2] in ("B-", "I-") for name in labels)
    idx2label = {i: name for name, i in labels.items()}
    for sentence in y[:20]:  # BIO: an I- label continues the slot its neighbour began
        names = [idx2label[i] for i in sentence]
        for prev, cur in zip(["O"] + names, names):
            assert not cur.startswith("I-") or prev[2:] == cur[2:]


def test_fake_midi_reader_returns_piano_rolls(data_dir):
    sys.path.insert(0, str(data_dir / "fake_modules"))
    try:
        from midi.utils import midiread
        tune = sorted((data_dir / "Nottingham" / "train").iterdir())[0]
        roll = midiread(str(tune), (21, 109), 0.3).piano_roll
    finally:
        sys.path.remove(str(data_dir / "fake_modules"))
        sys.modules.pop("midi.utils", None)
        sys.modules.pop("midi", None)
    assert roll.shape[1] == 88 and set(np.unique(roll)) <= {0.0, 1.0} and roll.sum(1).min() >= 1


def test_import_lines_only_are_changed():
    assert dlt.change_imports("import theano") == "import symconv as theano"
    assert dlt.change_imports("import theano.tensor as T") == "import symconv.tensor as T"
    assert dlt.change_imports("from theano import tensor as T") == "from symconv import tensor as T"
    assert (dlt.change_imports("    import theano.sandbox.rng_mrg")
            == "    import symconv.sandbox.rng_mrg; import symconv as theano")
    assert dlt.change_imports("x = theano.shared(v)  # import theano") == "x = theano.shared(v)  # import theano"
    line = "Optimization complete with best validation score of 11.5 %, with test performance 12.500000 %\n"
    assert dlt.parse_result(line) == ("test error %", 12.5) and dlt.parse_valid(line) == 11.5
    assert dlt.parse_result("Epoch 2/5\n-34.5\n") == ("cost", -34.5)


FAKE_SCRIPT = '''import numpy
import theano
import theano.tensor as T
from logistic_sgd import load_data
(train_x, train_y), _, (test_x, test_y) = load_data('mnist.pkl.gz')
x = T.matrix('x')
f = theano.function([x], T.argmax(x, axis=1))
print('type', theano.shared.__module__)
print('with test performance %f %%' % (100 * numpy.mean(f(test_x.get_value()[:, :10]) != 3)))
'''
FAKE_LOADER = '''import gzip, pickle
import theano
import theano.tensor as T
def load_data(name):
    import os
    with gzip.open(os.path.join(os.path.dirname(__file__), '..', 'data', name), 'rb') as f:
        sets = pickle.load(f)
    return [(theano.shared(x), T.cast(theano.shared(y), 'int32')) for x, y in sets]
'''


def test_scripts_are_copied_and_a_run_goes_through_symconv_run(data_dir, tmp_path):
    code = tmp_path / "tutorial_code"
    code.mkdir()
    (code / "hmc").mkdir()
    (code / "fake.py").write_text(FAKE_SCRIPT)
    (code / "logistic_sgd.py").write_text(FAKE_LOADER)
    work = tmp_path / "work"
    work.mkdir()
    os.symlink(data_dir, work / "data")
    code_dirs = {mode: dlt.setup_mode(str(work), str(code), mode)
                 for mode in ("imports-changed", "unchanged")}
    changed = (work / "imports-changed" / "code" / "fake.py").read_text().split("\n")
    assert changed[1:3] == ["import symconv as theano", "import symconv.tensor as T"]
    assert (work / "unchanged" / "code" / "fake.py").read_text() == FAKE_SCRIPT
    dlt.RUNS["fake"] = ("", "import fake")
    try:  # one run, the unchanged script through symconv run (each run is a fresh process)
        row = dlt.run_one("fake", "unchanged", str(work), code_dirs, None, 120, "float32")
    finally:
        del dlt.RUNS["fake"]
    assert row["status"] == 0, open(row["log"]).read()
    assert row["result"][0] == "test error %" and 0 <= row["result"][1] <= 100
    assert "type symconv" in open(row["log"]).read()
