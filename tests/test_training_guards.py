"""A diverging run stops with an error instead of saving a NaN model, and bad flags are refused up front.

Divergence: a NaN or infinite cost or parameter stops ``early_stopping`` and
``train_epochs`` with ``TrainingDiverged`` naming the epoch and minibatch,
before anything more is saved; ``symconv train`` exits 1 with one line, the
best model so far left as it was, and history.json stays strict JSON.

Flags: a learning rate that is not finite and > 0, fewer than one epoch, a
patience below 1, a seed ``numpy.random.RandomState`` refuses or an ``--out``
that cannot hold the run is a one-line error (exit 2) before the data is loaded.
"""
import contextlib
import io
import json
import math
import os

import numpy as np
import pytest

import symconv
from symconv.cli import main
from symconv.train import TrainingDiverged, early_stopping, train_epochs
from symconv.train.divergence import first_non_finite, strict_json_value
from symconv.tutorials_impl import runner
from symconv.tutorials_impl.settings import SEED_LIMIT, SettingsError, check_settings


def _run(argv):
    """``main(argv)`` with its stdout and stderr captured: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _strict_json(path):
    """The JSON in `path`, read as a strict parser would: NaN, Infinity and -Infinity are refused."""
    def refuse(constant):
        raise ValueError(f"{path} holds {constant}, which strict JSON parsers reject")

    with open(path) as file:
        return json.load(file, parse_constant=refuse)


# ---------------------------------------------------------------------------------------------------------
# The loops


class Losses:
    """train/validate/test functions whose costs come from `cost(epoch, minibatch)` (both one-based)."""

    def __init__(self, n_train_batches, cost, params=()):
        self.n_train_batches, self.cost, self.params = n_train_batches, cost, params
        self.trained = 0
        self.saves = []

    def _cost(self, index):
        epoch = self.trained // self.n_train_batches + 1
        self.trained += 1
        return self.cost(epoch, int(index) + 1)

    def train_fn(self, index):
        return self._cost(index)

    def train_epoch_fn(self, indices):
        return np.array([self._cost(i) for i in indices])

    def validate_fn(self, i):
        return 1.0 / (1 + self.trained)  # improves at every validation: each one is a new best

    def test_fn(self, i):
        return 0.5

    def exists(self):
        return False

    def save(self, state, run_shape):
        self.saves.append(state.epoch)


def _nan_at(bad_epoch, bad_minibatch, value=math.nan):
    return lambda epoch, minibatch: value if (epoch, minibatch) == (bad_epoch, bad_minibatch) else 1.0


@pytest.mark.parametrize("chunked", [True, False], ids=["one-dispatch-epochs", "per-minibatch"])
@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_a_non_finite_cost_stops_early_stopping_naming_epoch_and_minibatch(chunked, value):
    losses = Losses(10, _nan_at(3, 5, value))
    with pytest.raises(TrainingDiverged) as raised:
        early_stopping(None if chunked else losses.train_fn, losses.validate_fn, losses.test_fn, 10, 2, 2,
                       n_epochs=6, patience=1000, checkpoint=losses,
                       train_epoch_fn=losses.train_epoch_fn if chunked else None, print_fn=lambda line: None)
    diverged = raised.value
    assert (diverged.what, diverged.epoch, diverged.minibatch) == ("cost", 3, 5)
    assert str(diverged).startswith(f"training diverged: cost {value} at epoch 3, minibatch 5")
    assert losses.saves == [1, 2]  # the epoch-3 model, trained on a NaN gradient, is never saved
    result = diverged.result
    assert result.best_iter == 19 and result.history.test[-1][1] == 2
    assert len(result.history.epoch_costs) == 3 and not math.isfinite(result.history.epoch_costs[-1])


def test_a_non_finite_parameter_is_never_saved_as_the_best():
    """The cost of a minibatch is computed before its update: the last update of an epoch can make the
    weights infinite while every cost was finite."""
    w = symconv.shared(np.zeros(3), name="W")
    b = symconv.shared(np.zeros(2), name="b")

    def cost(epoch, minibatch):
        if (epoch, minibatch) == (2, 10):
            w.set_value(np.array([0.0, math.inf, 0.0]))
        return 1.0

    losses = Losses(10, cost)
    with pytest.raises(TrainingDiverged) as raised:
        early_stopping(None, losses.validate_fn, losses.test_fn, 10, 2, 2, n_epochs=4, patience=1000,
                       checkpoint=losses, train_epoch_fn=losses.train_epoch_fn, params=[b, w],
                       print_fn=lambda line: None)
    assert str(raised.value).startswith("training diverged: parameter W (params[1]) is not finite after epoch 2, "
                                        "minibatch 10")
    assert losses.saves == [1]


def test_patience_one_validates_every_minibatch_instead_of_failing():
    losses = Losses(10, lambda epoch, minibatch: 1.0)
    result = early_stopping(losses.train_fn, losses.validate_fn, losses.test_fn, 10, 2, 2, n_epochs=1, patience=1,
                            print_fn=lambda line: None)
    assert result.iterations == 10 and len(result.history.validation) == 10


def test_train_epochs_stops_at_the_first_non_finite_cost_before_reporting_the_epoch():
    losses = Losses(10, _nan_at(2, 3, -math.inf))  # Losses counts epochs from 1, train_epochs from 0
    lines, ended = [], []
    with pytest.raises(TrainingDiverged) as raised:
        train_epochs(10, 5, train_epoch_fn=losses.train_epoch_fn, print_fn=lines.append, on_epoch_end=ended.append)
    assert str(raised.value).startswith("training diverged: cost -inf at epoch 1, minibatch 3")
    assert raised.value.costs == [1.0] and len(lines) == 1 and ended == [0]


def test_train_epochs_checks_the_parameters_after_each_epoch():
    w = symconv.shared(np.ones((2, 2)), name="W")

    def train(index):
        if index == 4:
            w.set_value(np.full((2, 2), math.nan))
        return 0.5

    with pytest.raises(TrainingDiverged, match=r"parameter W \(params\[0\]\) is not finite after epoch 0, "
                                               r"minibatch 5"):
        train_epochs(5, 3, train_fn=train, params=[w], print_fn=lambda line: None)


def test_first_non_finite_reads_scalars_and_chunks_in_order():
    index, value = first_non_finite([1.0, np.array([2.0, 3.0]), np.array([4.0, math.nan, math.inf])])
    assert index == 4 and math.isnan(value)
    assert first_non_finite([np.array([1.0, 2.0])]) is None
    assert first_non_finite([]) is None


def test_history_is_strict_json(tmp_path):
    record = {"costs": [1.0, math.nan, np.float32(math.inf)], "loss": -math.inf,
              "nested": {"array": np.array([0.5, math.nan])}, "ok": (1, "a")}
    assert strict_json_value(record) == {"costs": [1.0, None, None], "loss": None,
                                         "nested": {"array": [0.5, None]}, "ok": [1, "a"]}
    directory = runner.RunDirectory(str(tmp_path), "mlp", {"learning_rate": math.inf}, None)
    directory.write_history(history={"epoch_costs": [2.3, math.nan]}, result={"best_validation_loss": math.inf})
    history = _strict_json(tmp_path / "history.json")
    assert history["history"]["epoch_costs"] == [2.3, None] and history["result"]["best_validation_loss"] is None
    assert history["settings"]["learning_rate"] is None


# ---------------------------------------------------------------------------------------------------------
# symconv train: divergence end to end

SMALL = ["--epochs", "3", "--n-train", "200", "--batch-size", "20", "--no-plots"]


def test_train_mlp_with_a_huge_learning_rate_exits_non_zero_and_saves_no_nan_model(tmp_path):
    out_dir = tmp_path / "mlp"
    code, out, err = _run(["train", "mlp", "--learning-rate", "1e6", "--out", str(out_dir)] + SMALL)
    assert code == 1, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("symconv: error: training diverged: cost inf at epoch 1, minibatch 7 "
                          "(learning rate 1e+06); no model of this run was saved in ")
    assert "Optimization complete" not in out
    assert sorted(os.listdir(out_dir)) == ["history.json"]  # no model file: nothing finite to save
    history = _strict_json(out_dir / "history.json")
    assert history["diverged"]["epoch"] == 1 and history["diverged"]["minibatch"] == 7


def test_a_run_diverging_later_keeps_the_best_model_so_far(tmp_path, monkeypatch):
    """The costs of epoch 2 turn NaN: the model saved in epoch 1 stays, byte for byte."""
    out_dir = tmp_path / "mlp"
    snapshot = {}

    def early_stopping_turning_nan_in_epoch_2(*args, train_epoch_fn, train_validate_fn, **options):
        calls = []

        def poisoned(costs):  # one call an epoch: validation_frequency = n_train_batches = 10
            costs = np.array(costs, dtype=np.float64)
            calls.append(len(costs))
            if len(calls) == 2:
                snapshot.update({name: (out_dir / name).read_bytes() for name in os.listdir(out_dir)
                                 if name != "history.json"})
                costs[4] = math.nan
            return costs

        def train_validate(indices, best):  # the epoch and its validation in one dispatch
            costs, *evaluated = train_validate_fn(indices, best)
            return (poisoned(costs), *evaluated)

        return early_stopping(*args, train_epoch_fn=lambda indices: poisoned(train_epoch_fn(indices)),
                              train_validate_fn=train_validate, **options)

    monkeypatch.setattr(runner, "early_stopping", early_stopping_turning_nan_in_epoch_2)
    code, out, err = _run(["train", "mlp", "--learning-rate", "0.05", "--out", str(out_dir)] + SMALL)
    assert code == 1, err
    assert err == (f"symconv: error: training diverged: cost nan at epoch 2, minibatch 5 (learning rate 0.05); "
                   f"the best model so far (epoch 1) is kept in {out_dir}\n")
    assert snapshot and all((out_dir / name).read_bytes() == saved for name, saved in snapshot.items())
    history = _strict_json(out_dir / "history.json")
    assert history["history"]["epoch_costs"][1] is None  # the NaN epoch, as null
    assert history["result"]["best_iter"] == 9 and history["diverged"]["epoch"] == 2


def test_train_rbm_with_a_huge_learning_rate_stops_in_the_fixed_epoch_loop(tmp_path):
    out_dir = tmp_path / "rbm"
    # log(1 + exp(.)) and log(sigmoid(.)) are compiled stably, so the costs stay finite up to ~1e30
    code, out, err = _run(["train", "rbm", "--learning-rate", "1e38", "--n-hidden", "20", "--k", "1",
                           "--n-chains", "4", "--n-samples", "1", "--plot-every", "3", "--out", str(out_dir)] + SMALL)
    assert code == 1, err
    assert err.startswith("symconv: error: training diverged: cost nan at epoch 0, minibatch 2 "
                          "(learning rate 1e+38); no model of this run was saved in ")
    assert err.count("\n") == 1
    assert "Training epoch 0" not in out and "plotting sample" not in out
    assert _strict_json(out_dir / "history.json")["diverged"]["what"] == "cost"


def test_a_diverging_pre_training_names_its_layer_and_learning_rate(tmp_path, monkeypatch):
    from symconv.tutorials_impl import SdA

    real_each_minibatch = SdA.each_minibatch

    def nan_in_layer_0(fn, *values):
        train_epoch = real_each_minibatch(fn, *values)
        if len(nan_in_layer_0.layers) == 0:  # the first layer's function: its third cost becomes NaN
            def train_epoch_with_nan(indices):
                costs = np.array(train_epoch(indices), dtype=np.float64)
                costs[2] = math.nan
                return costs
            nan_in_layer_0.layers.append(train_epoch_with_nan)
            return train_epoch_with_nan
        nan_in_layer_0.layers.append(train_epoch)
        return train_epoch

    nan_in_layer_0.layers = []
    monkeypatch.setattr(SdA, "each_minibatch", nan_in_layer_0)
    out_dir = tmp_path / "sda"
    code, out, err = _run(["train", "sda", "--hidden-layers", "20,20", "--corruption-levels", "0.1,0.2",
                           "--pretraining-epochs", "2", "--pretrain-lr", "0.01", "--out", str(out_dir)] + SMALL)
    assert code == 1, err
    assert err == (f"symconv: error: training diverged: cost nan at epoch 0, minibatch 3 of pre-training layer 0 "
                   f"(learning rate 0.01); no model of this run was saved in {out_dir}\n")
    assert "finetuning" not in out
    history = _strict_json(out_dir / "history.json")
    assert history["pretraining"] == [[]] and history["diverged"]["phase"] == "pre-training layer 0"


# ---------------------------------------------------------------------------------------------------------
# symconv train: flags refused before the data is loaded


@pytest.fixture
def nothing_loaded(monkeypatch):
    """Fails the test if a run gets as far as loading the data or compiling a function."""
    def refuse(*args, **kwargs):
        raise AssertionError("the data was loaded or a function compiled before the flags were checked")

    monkeypatch.setattr(runner, "load_data", refuse)
    monkeypatch.setattr(symconv, "function", refuse)


def _refused(argv):
    code, out, err = _run(argv)
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "loading data" not in out
    return err


@pytest.mark.parametrize("model, flags, message", [
    ("lenet", ["--learning-rate", "nan"], "--learning-rate must be a finite number > 0, got nan"),
    ("mlp", ["--learning-rate", "inf"], "--learning-rate must be a finite number > 0, got inf"),
    ("logreg", ["--learning-rate", "-0.1"], "--learning-rate must be a finite number > 0, got -0.1"),
    ("da", ["--learning-rate", "0"], "--learning-rate must be a finite number > 0, got 0.0"),
    ("sda", ["--pretrain-lr", "nan"], "--pretrain-lr must be a finite number > 0, got nan"),
    ("lenet", ["--epochs", "0"], "--epochs must be a whole number >= 1, got 0"),
    ("rbm", ["--epochs", "-3"], "--epochs must be a whole number >= 1, got -3"),
    ("mlp", ["--patience", "0"], "--patience must be a whole number >= 1, got 0"),
    ("dbn", ["--patience", "-1"], "--patience must be a whole number >= 1, got -1"),
    ("mlp", ["--seed", "-1"], f"--seed must be a whole number from 0 to {SEED_LIMIT - 1}, got -1"),
    ("lenet", ["--seed", str(SEED_LIMIT)], f"--seed must be a whole number from 0 to {SEED_LIMIT - 1}, got "
                                           f"{SEED_LIMIT}"),
    ("mlp", ["--batch-size", "0"], "--batch-size must be a whole number >= 1, got 0"),
    ("logreg", ["--n-train", "0"], "--n-train must be a whole number >= 1, got 0"),
    ("dbn", ["--pretraining-epochs", "-1"], "--pretraining-epochs must be a whole number >= 0, got -1"),
    ("sda", ["--corruption-levels", "1.5,0.1,0.1"], "--corruption-levels must be one or more numbers in [0, 1)"),
    ("lenet", ["--nkerns", "0,5"], "--nkerns must be one or more whole numbers >= 1, got '0,5'"),
])
def test_bad_flags_are_one_line_errors_before_the_data_is_loaded(model, flags, message, tmp_path, nothing_loaded):
    err = _refused(["train", model, "--out", str(tmp_path / "run")] + flags)
    assert err.startswith(f"symconv: error: {message}"), err


def test_an_out_that_is_a_file_is_refused_up_front(tmp_path, nothing_loaded):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    err = _refused(["train", "mlp", "--out", str(a_file)])
    assert err == f"symconv: error: --out {a_file} is a file, not a folder\n"
    err = _refused(["train", "lenet", "--out", str(a_file / "run" / "deeper")])
    assert err == f"symconv: error: --out {a_file / 'run' / 'deeper'} cannot be a folder: {a_file} is a file\n"
    assert a_file.read_text() == "not a folder"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root may write into a folder without write permission")
def test_an_out_without_write_permission_is_refused_up_front(tmp_path, nothing_loaded):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        err = _refused(["train", "da", "--out", str(locked)])
        assert err.startswith(f"symconv: error: --out {locked}: cannot write there: ")
        err = _refused(["train", "da", "--out", str(locked / "run")])
        assert err.startswith(f"symconv: error: --out {locked / 'run'}: cannot create the folder: ")
    finally:
        locked.chmod(0o700)


def test_an_out_on_a_full_disk_is_refused_up_front(tmp_path, monkeypatch, nothing_loaded):
    """The probe file written into --out meets the full disk, not the first checkpoint."""
    real_open = open

    def full_disk_open(path, mode="r", *args, **kwargs):
        if ".write-probe." in os.fspath(path):
            raise OSError(28, "No space left on device")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", full_disk_open)
    err = _refused(["train", "mlp", "--out", str(tmp_path / "run")])
    assert err == f"symconv: error: --out {tmp_path / 'run'}: cannot write there: No space left on device\n"
    assert os.listdir(tmp_path / "run") == []  # the probe is gone


def test_a_batch_larger_than_the_data_is_refused_before_compiling(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a function was compiled before the batch size was checked")

    monkeypatch.setattr(symconv, "function", refuse)
    code, out, err = _run(["train", "mlp", "--batch-size", "300", "--n-train", "200", "--out", str(tmp_path / "r")])
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "fewer than one minibatch of 300" in err


def test_the_python_functions_check_their_arguments_too(tmp_path):
    from symconv.tutorials_impl import test_mlp

    with pytest.raises(SettingsError, match="--learning-rate must be a finite number > 0, got nan"):
        test_mlp(learning_rate=math.nan, out_dir=str(tmp_path / "run"))
    check_settings({"learning_rate": 0.1, "n_epochs": 1, "patience": None, "seed": SEED_LIMIT - 1,
                    "out_dir": str(tmp_path / "fine")})
    assert (tmp_path / "fine").is_dir() and os.listdir(tmp_path / "fine") == []


def test_learning_curves_of_a_run_that_diverged_before_any_validation(tmp_path):
    from symconv.plots import plot_learning_curves

    history = {"n_train_batches": 4, "history": {"validation": [], "test": [], "epoch_costs": [None]},
               "result": {"best_validation_loss": None, "test_score": None}}
    plot_learning_curves(history, str(tmp_path / "curves.png"))
    assert (tmp_path / "curves.png").stat().st_size > 0
