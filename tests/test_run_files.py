"""Run files that cannot run code, runs that are never lost, and resumes that keep their settings.

The probes of a new user: a pickle whose ``__reduce__`` calls ``os.system``
given to ``symconv predict``, ``symconv plot``, ``train --resume`` and
``--data`` must not run; training twice into one folder must not replace the
first run; a kill while saving must leave a run that ``--resume`` continues
exactly; ``--resume`` with other settings must be refused with the list of
differences.
"""
import contextlib
import gzip
import io
import json
import os
import pickle
import shutil
import zipfile

import numpy as np
import pytest
from PIL import Image

import symconv
import symconv.tensor as T
from symconv import layers as L
from symconv.cli import main
from symconv.datasets import load_arrays
from symconv.safe_pickle import ForbiddenPickleError, restricted_loads
from symconv.train import load_model, save_model
from symconv.train.model_file import DESCRIPTION, MODEL_FILE, ModelFileError

TINY = ["--epochs", "1", "--n-train", "600", "--batch-size", "100", "--no-plots"]


def _run(argv):
    """``main(argv)`` with its stdout and stderr captured: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in argv])
    return code, out.getvalue(), err.getvalue()


class RunsCode:
    """A pickle that runs a shell command when loaded, as an attacker's best_model.pkl would."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _one_line_error(code, err):
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


@pytest.fixture(scope="module")
def logreg_run(tmp_path_factory):
    """A finished one-epoch logreg run folder (copy it before changing it)."""
    out_dir = tmp_path_factory.mktemp("logreg") / "run"
    code, _, err = _run(["train", "logreg", *TINY, "--out", out_dir])
    assert code == 0, err
    return out_dir


def _copy_run(logreg_run, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(logreg_run, copy)
    return copy


def _snapshot(folder):
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


# ------------------------------------------------------------- safe files


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_the_restricted_unpickler_reads_arrays_numbers_and_containers(protocol):
    data = ((np.arange(6, dtype=np.float32).reshape(2, 3), np.arange(3)), [np.float32(1.5), b"ab", {"k": (1, 2.0)}])
    back = restricted_loads(pickle.dumps(data, protocol=protocol))
    assert back[0][0].dtype == np.float32 and np.array_equal(back[0][0], data[0][0])
    assert np.array_equal(back[0][1], data[0][1]) and back[1] == data[1]


def test_the_restricted_unpickler_refuses_code_and_names_the_class(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(ForbiddenPickleError, match=r"refused to unpickle posix\.system"):
        restricted_loads(pickle.dumps(RunsCode(marker)))
    with pytest.raises(ForbiddenPickleError, match=r"symconv\.layers\.logistic_regression\.LogisticRegression"):
        restricted_loads(pickle.dumps(L.LogisticRegression(T.matrix("x"), 4, 2)))
    assert not marker.exists()


def test_a_data_pickle_that_runs_code_is_refused(tmp_path):
    marker = tmp_path / "ran"
    data = tmp_path / "mnist.pkl.gz"
    data.write_bytes(gzip.compress(pickle.dumps(RunsCode(marker), protocol=2)))
    code, _, err = _run(["train", "logreg", *TINY, "--data", data, "--out", tmp_path / "run"])
    err = _one_line_error(code, err)
    assert str(data) in err and "posix.system" in err
    assert not marker.exists()


@pytest.mark.parametrize("saved_as", ["best_model.pkl", MODEL_FILE])
def test_predict_plot_and_resume_never_unpickle_a_model(saved_as, tmp_path):
    marker = tmp_path / "ran"
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / saved_as).write_bytes(pickle.dumps(RunsCode(marker)))
    if saved_as == "best_model.pkl":  # an older symconv's run: the model and its loop state
        (folder / "best_model.pkl.loop.json").write_text("{}")
    image = tmp_path / "digit.png"
    Image.fromarray(np.zeros((28, 28), dtype=np.uint8)).save(image)
    for command in (["predict", folder, image], ["predict", folder / saved_as, image], ["plot", folder],
                    ["train", "logreg", *TINY, "--out", folder, "--resume"]):
        err = _one_line_error(*_run(command)[::2])
        assert "pickle" in err and str(folder) in err, (command, err)
    assert not marker.exists()
    assert sorted(os.listdir(folder))[0] == sorted([saved_as, "best_model.pkl.loop.json"])[0]


def test_a_model_file_holding_a_pickled_array_is_refused(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / MODEL_FILE
    save_model(L.LogisticRegression(T.matrix("x"), 784, 10), path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["W.npy"] = _npy_bytes(np.array([RunsCode(marker)], dtype=object))  # an object array: a pickle
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    code, _, err = _run(["predict", path, "x.png"])
    assert "not a symconv model file" in _one_line_error(code, err)
    assert not marker.exists()


def _npy_bytes(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _small_models():
    rng, x = np.random.RandomState(0), T.matrix("x")
    return {
        "LogisticRegression": lambda: L.LogisticRegression(x, 784, 10),
        "MLP": lambda: L.MLP(rng, x, 784, 7, 10),
        "LeNet5": lambda: L.LeNet5(rng, x, batch_size=5, nkerns=(2, 3), n_hidden=6),
        "dA": lambda: L.dA(rng, input=x, n_visible=784, n_hidden=5),
        "RBM": lambda: L.RBM(input=x, n_visible=784, n_hidden=5, numpy_rng=rng),
        "SdA": lambda: L.SdA(rng, n_ins=784, hidden_layers_sizes=(6, 4), corruption_levels=(.1, .2), input=x),
        "DBN": lambda: L.DBN(rng, n_ins=784, hidden_layers_sizes=(6, 4), input=x),
    }


@pytest.mark.parametrize("name", sorted(_small_models()))
def test_every_model_saves_as_arrays_and_json_and_loads_back(name, tmp_path):
    model = _small_models()[name]()
    shifts = np.random.RandomState(1)
    for param in model.params:
        value = param.get_value()
        param.set_value(value + shifts.uniform(size=value.shape).astype(value.dtype))
    others = {"SdA": "b_prime", "DBN": "vbias"}
    if name in others:  # the pre-training models' own biases are saved too
        for layer in model.pretraining_layers:
            getattr(layer, others[name]).set_value(np.full(784 if layer is model.pretraining_layers[0] else 6, 0.5,
                                                           dtype=symconv.config.floatX))
    path = tmp_path / MODEL_FILE
    save_model(model, path)

    with np.load(path, allow_pickle=False) as archive:  # nothing in it needs unpickling
        record = json.loads(archive[DESCRIPTION])
        assert all(archive[key].dtype != object for key in record["arrays"])
    assert record["model"]["class"] == name
    loaded = load_model(path)
    assert type(loaded) is type(model)
    assert [p.get_value().tolist() for p in loaded.params] == [p.get_value().tolist() for p in model.params]
    if name in others:
        for mine, theirs in zip(model.pretraining_layers, loaded.pretraining_layers):
            assert np.array_equal(getattr(mine, others[name]).get_value(), getattr(theirs, others[name]).get_value())


def test_pickling_models_and_shared_variables_in_python_still_works():
    classifier = L.MLP(np.random.RandomState(0), T.matrix("x"), 784, 7, 10)
    loaded = pickle.loads(pickle.dumps(classifier))
    assert [p.get_value().tolist() for p in loaded.params] == [p.get_value().tolist() for p in classifier.params]
    shared = symconv.shared(np.arange(3.0), name="w")
    assert pickle.loads(pickle.dumps(shared)).get_value().tolist() == [0.0, 1.0, 2.0]


# --------------------------------------------------------- no run is lost


def test_training_again_into_a_run_folder_is_refused_before_anything_is_written(logreg_run, tmp_path):
    folder = _copy_run(logreg_run, tmp_path)
    before = _snapshot(folder)
    code, out, err = _run(["train", "logreg", *TINY, "--out", folder])
    err = _one_line_error(code, err)
    assert f"{folder} already holds a run" in err and "--resume" in err and "--overwrite" in err
    assert "loading data" not in out
    assert _snapshot(folder) == before


def test_overwrite_replaces_the_run(logreg_run, tmp_path):
    folder = _copy_run(logreg_run, tmp_path)
    before = _snapshot(folder)
    code, _, err = _run(["train", "logreg", *TINY, "--learning-rate", "0.05", "--out", folder, "--overwrite"])
    assert code == 0, err
    assert _snapshot(folder)[MODEL_FILE] != before[MODEL_FILE]
    assert json.loads((folder / "history.json").read_text())["settings"]["learning_rate"] == 0.05
    code, _, err = _run(["train", "logreg", *TINY, "--out", folder, "--overwrite", "--resume"])
    assert "give one of them" in _one_line_error(code, err)


def test_a_kill_while_saving_leaves_a_run_that_resume_continues_exactly(tmp_path, monkeypatch):
    three_epochs = ["train", "logreg", *TINY, "--epochs", "3"]
    code, _, err = _run(three_epochs + ["--out", tmp_path / "straight"])
    assert code == 0, err

    real_replace, saves = os.replace, []

    def killed_at_the_second_save(source, target):
        if os.path.basename(target) == MODEL_FILE:
            saves.append(target)
            if len(saves) == 2:  # as a kill would: a half-written temporary file, the rename never done
                with open(source, "rb") as file, open(source[:-4] + "-killed.tmp", "wb") as stale:
                    stale.write(file.read()[:1000])
                raise KeyboardInterrupt
        return real_replace(source, target)

    folder = tmp_path / "killed"
    monkeypatch.setattr(os, "replace", killed_at_the_second_save)
    code, _, err = _run(three_epochs + ["--out", folder])
    monkeypatch.setattr(os, "replace", real_replace)
    assert code == 130 and len(saves) == 2, err
    assert any(name.endswith(".tmp") for name in os.listdir(folder))

    code, out, err = _run(three_epochs + ["--out", folder, "--resume"])
    assert code == 0, err
    assert "epoch 1," not in out
    assert not any(name.endswith(".tmp") for name in os.listdir(folder))
    straight, resumed = load_model(tmp_path / "straight"), load_model(folder)
    assert [p.get_value().tobytes() for p in resumed.params] == [p.get_value().tobytes() for p in straight.params]
    histories = [json.loads((path / "history.json").read_text()) for path in (tmp_path / "straight", folder)]
    assert histories[0]["history"] == histories[1]["history"]


@pytest.mark.parametrize("model, flags", [
    ("mlp", ["--n-hidden", "10"]),
    ("lenet", ["--nkerns", "2,3"]),
    ("sda", ["--hidden-layers", "10", "--corruption-levels", "0.2", "--pretraining-epochs", "1"]),
    ("dbn", ["--hidden-layers", "10", "--pretraining-epochs", "1", "--k", "1"]),
])
def test_every_classifier_resumes_and_predicts_from_its_model_file(model, flags, tmp_path):
    folder = tmp_path / model
    common = ["train", model, "--n-train", "200", "--batch-size", "50", "--seed", "5", "--no-plots",
              "--out", folder] + flags
    code, _, err = _run(common + ["--epochs", "1"])
    assert code == 0, err
    code, out, err = _run(common + ["--epochs", "2", "--resume"])
    assert code == 0, err
    assert "epoch 1," not in out and "epoch 2," in out
    history = json.loads((folder / "history.json").read_text())
    assert [entry[1] for entry in history["history"]["validation"]] == [1, 2]
    if model in ("sda", "dbn"):
        assert "pre-training skipped" in out and len(history["pretraining"]) == 1

    _, _, (test_x, test_y) = load_arrays(None)
    image = tmp_path / "digit.png"
    Image.fromarray((test_x[0].reshape(28, 28) * 255).astype(np.uint8)).save(image)
    code, out, err = _run(["predict", folder, image])
    assert code == 0 and out.startswith(f"{image}: "), err


def test_a_fixed_epoch_run_is_not_replaced_by_resume(tmp_path):
    folder = tmp_path / "da"
    command = ["train", "da", "--epochs", "1", "--n-train", "200", "--batch-size", "20", "--n-hidden", "5",
               "--corruption-levels", "0.3", "--no-plots", "--out", folder]
    code, _, err = _run(command)
    assert code == 0, err
    assert type(load_model(folder / MODEL_FILE)).__name__ == "dA"
    before = _snapshot(folder)
    code, _, err = _run(command + ["--resume"])
    assert "--overwrite" in _one_line_error(code, err) and _snapshot(folder) == before


# ----------------------------------------------- resume keeps its settings


@pytest.mark.parametrize("changed, listed", [
    (["--learning-rate", "0.2"], ["learning_rate was 0.13, is 0.2"]),
    (["--seed", "7", "--batch-size", "50"], ["batch_size was 100, is 50", "seed was unset, is 7"]),
    (["--n-train", "500"], ["n_train was 600, is 500"]),
    (["--patience", "100"], ["patience was 5000, is 100"]),
    (["--data", "DATA"], ["data was unset, is "]),
])
def test_resume_refuses_other_settings_and_lists_them(changed, listed, logreg_run, tmp_path):
    folder = _copy_run(logreg_run, tmp_path)
    if "DATA" in changed:  # the same digits, from another source
        data = tmp_path / "mnist.pkl.gz"
        data.write_bytes(gzip.compress(pickle.dumps(load_arrays(None), protocol=2)))
        changed = ["--data", data]
    before = _snapshot(folder)
    code, _, err = _run(["train", "logreg", *TINY, "--out", folder, "--resume"] + changed)
    err = _one_line_error(code, err)
    assert f"cannot resume {folder}" in err and "--allow-changed-settings" in err
    for difference in listed:
        assert difference in err
    assert _snapshot(folder) == before


def test_resume_refuses_another_model(logreg_run, tmp_path):
    folder = _copy_run(logreg_run, tmp_path)
    code, _, err = _run(["train", "mlp", *TINY, "--out", folder, "--resume"])
    assert "model was logreg, is mlp" in _one_line_error(code, err)


def test_resume_with_changed_settings_allowed_records_the_changes(logreg_run, tmp_path):
    folder = _copy_run(logreg_run, tmp_path)
    code, _, err = _run(["train", "logreg", *TINY, "--epochs", "2", "--learning-rate", "0.2", "--out", folder,
                         "--resume", "--allow-changed-settings"])
    assert code == 0, err
    history = json.loads((folder / "history.json").read_text())
    assert history["settings"]["learning_rate"] == 0.2
    assert history["resumed_with_changes"] == [{"setting": "learning_rate", "was": 0.13, "now": 0.2}]


def test_a_model_file_is_not_loaded_from_a_missing_or_foreign_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        load_model(tmp_path / "nothing.npz")
    np.savez(tmp_path / "arrays.npz", W=np.zeros(3))
    with pytest.raises(ModelFileError, match="not a symconv model file"):
        load_model(tmp_path / "arrays.npz")


def test_changed_settings_that_change_the_minibatches_cannot_be_resumed_even_when_allowed(logreg_run, tmp_path):
    folder = _copy_run(logreg_run, tmp_path)
    before = _snapshot(folder)
    code, _, err = _run(["train", "logreg", *TINY, "--n-train", "500", "--out", folder, "--resume",
                         "--allow-changed-settings"])
    assert "cannot continue it" in _one_line_error(code, err)
    assert _snapshot(folder)[MODEL_FILE] == before[MODEL_FILE]
