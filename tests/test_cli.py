"""The ``symconv`` command: train, predict and plot, and their errors."""
import contextlib
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from symconv.cli import main
from symconv.datasets import load_arrays
from symconv.predict import load_model, predict_proba, prepare_pixels
from symconv.train import load_model as load_model_file

PLOTS = ("learning_curves.png", "filters.png", "feature_maps.png", "confusion_matrix.png", "misclassified.png")


def _run(argv):
    """``main(argv)`` with its stdout and stderr captured: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def trained_mlp(tmp_path_factory):
    """An MLP trained for 2 epochs by ``symconv train mlp`` (about 90% test accuracy), with its plots."""
    out_dir = tmp_path_factory.mktemp("mlp_run")
    code, out, err = _run(["train", "mlp", "--epochs", "2", "--learning-rate", "0.05", "--out", str(out_dir)])
    assert code == 0, err
    return out_dir, out


def test_train_logreg_one_epoch_writes_the_model_and_prints_the_summary(tmp_path, capsys):
    out_dir = tmp_path / "tmp"
    assert main(["train", "logreg", "--epochs", "1", "--out", str(out_dir), "--no-plots"]) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    # The run ends as logistic_sgd.py does (the files written are listed before).
    assert lines[-2].startswith("Optimization complete with best validation score of")
    assert lines[-1].startswith("The code run for 1 epochs, with ")
    model = load_model(out_dir / "best_model.npz")
    assert type(model).__name__ == "LogisticRegression" and model.W.get_value().any()
    history = json.loads((out_dir / "history.json").read_text())
    assert history["model"] == "logreg" and history["settings"]["n_epochs"] == 1
    assert len(history["history"]["validation"]) == 1
    assert not any((out_dir / name).exists() for name in PLOTS)


def test_train_writes_history_and_plots(trained_mlp):
    out_dir, out = trained_mlp
    assert out.strip().splitlines()[-1].startswith("Optimization complete. Best validation score of")
    history = json.loads((out_dir / "history.json").read_text())
    assert history["model"] == "mlp" and history["n_train_batches"] == 200
    assert [entry[1] for entry in history["history"]["validation"]] == [1, 2]
    for name in PLOTS:
        assert (out_dir / name).stat().st_size > 1000, name


def _correctly_classified_test_digits(model, count):
    _, _, (test_x, test_y) = load_arrays(None)
    probabilities = predict_proba(model, test_x)
    # Confidently right: a digit on the edge of two classes could flip with the last bit of the weights.
    right = np.flatnonzero((probabilities.argmax(axis=1) == test_y) & (probabilities.max(axis=1) > 0.8))
    # Distinct classes, so that a model predicting one constant class cannot pass.
    chosen, seen = [], set()
    for k in right:
        if int(test_y[k]) not in seen:
            chosen.append(k)
            seen.add(int(test_y[k]))
        if len(chosen) == count:
            break
    return [(test_x[k], int(test_y[k])) for k in chosen]


def test_predict_prints_the_class_and_ten_probabilities(trained_mlp, tmp_path):
    out_dir, _ = trained_mlp
    model = load_model(out_dir / "best_model.npz")
    digits = _correctly_classified_test_digits(model, 3)
    assert len(digits) == 3
    paths = []
    for k, (pixels, _) in enumerate(digits):
        path = tmp_path / f"digit{k}.png"
        Image.fromarray(np.round(pixels.reshape(28, 28) * 255).astype(np.uint8), mode="L").save(path)
        paths.append(str(path))
    code, out, err = _run(["predict", str(out_dir / "best_model.npz")] + paths)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 6
    for k, (_, label) in enumerate(digits):
        head, probabilities = lines[2 * k], lines[2 * k + 1].split()
        assert head.startswith(f"{paths[k]}: {label} (p = ")
        values = [float(v) for v in probabilities[1::2]]
        assert probabilities[0::2] == [f"{c}:" for c in range(10)]
        assert sum(values) == pytest.approx(1, abs=1e-3) and int(np.argmax(values)) == label


def test_predict_accepts_the_run_folder_and_a_dark_on_light_photo_of_a_digit(trained_mlp, tmp_path):
    out_dir, _ = trained_mlp
    model = load_model(out_dir)
    (pixels, label), = _correctly_classified_test_digits(model, 1)
    # Ink on paper, three times larger, in colour: inverted and framed back to MNIST's format.
    big = np.kron(1.0 - pixels.reshape(28, 28), np.ones((3, 3)))
    rgb = np.repeat(np.round(big * 255).astype(np.uint8)[..., None], 3, axis=2)
    path = tmp_path / "paper.jpg"
    Image.fromarray(rgb, mode="RGB").save(path, quality=95)
    code, out, err = _run(["predict", str(out_dir), str(path)])
    assert code == 0, err
    assert out.startswith(f"{path}: {label} (p = ")


def test_image_preparation_inverts_light_backgrounds_and_frames_large_images():
    _, _, (test_x, _) = load_arrays(None)
    digit = test_x[0].reshape(28, 28)
    np.testing.assert_allclose(prepare_pixels(1.0 - digit), test_x[0], atol=1e-6)
    np.testing.assert_array_equal(prepare_pixels(digit), test_x[0])
    framed = prepare_pixels(np.kron(digit, np.ones((4, 4))))
    assert framed.shape == (784,) and framed.dtype == np.float32 and 0 <= framed.min() and framed.max() <= 1
    assert np.corrcoef(framed, test_x[0])[0, 1] > 0.8


def test_plot_writes_the_pngs(trained_mlp, tmp_path):
    out_dir, _ = trained_mlp
    code, out, err = _run(["plot", str(out_dir / "best_model.npz"), "--out", str(tmp_path), "--example", "3"])
    assert code == 0, err
    for name in PLOTS:
        with Image.open(tmp_path / name) as image:
            assert image.format == "PNG" and min(image.size) > 100, name
        assert f"wrote {tmp_path / name}" in out


def test_plot_without_history_still_draws_the_model(trained_mlp, tmp_path):
    out_dir, _ = trained_mlp
    lonely = tmp_path / "model.npz"
    lonely.write_bytes((out_dir / "best_model.npz").read_bytes())
    code, out, err = _run(["plot", str(lonely)])
    assert code == 0, err
    assert "learning curves skipped" in out
    assert not (tmp_path / "learning_curves.png").exists() and (tmp_path / "confusion_matrix.png").exists()


def test_missing_model_is_a_clear_error(tmp_path):
    missing = tmp_path / "nowhere" / "best_model.npz"
    for command in (["predict", str(missing), "x.png"], ["plot", str(missing)]):
        code, out, err = _run(command)
        assert code == 2 and out == ""
        assert err.startswith(f"symconv: error: {missing}: no such model file") and "Traceback" not in err


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path):
    bogus = tmp_path / "notes.npz"
    bogus.write_text("not a model")
    code, _, err = _run(["predict", str(bogus), "x.png"])
    assert code == 2 and "is not a symconv model file" in err


def test_missing_image_is_a_clear_error(trained_mlp, tmp_path):
    out_dir, _ = trained_mlp
    code, _, err = _run(["predict", str(out_dir), str(tmp_path / "nope.png")])
    assert code == 2 and "nope.png: no such image file" in err


def test_console_script_reports_a_bad_model_path(tmp_path):
    missing = tmp_path / "missing.pkl"
    script = os.path.join(os.path.dirname(sys.executable), "symconv")
    command = [script] if os.path.exists(script) else [sys.executable, "-m", "symconv.cli"]
    done = subprocess.run(command + ["predict", str(missing), "digit.png"], capture_output=True, text=True)
    assert done.returncode == 2
    assert f"symconv: error: {missing}: no such model file" in done.stderr


@pytest.mark.parametrize("model, flags, figures, classifier", [
    ("da", ["--n-hidden", "20", "--corruption-levels", "0.3"], ["filters_corruption_30.png"], None),
    ("rbm", ["--n-hidden", "20", "--k", "1", "--n-chains", "4", "--n-samples", "1", "--plot-every", "3"],
     ["filters_at_epoch_0.png", "samples.png"], None),
    ("sda", ["--hidden-layers", "20", "--corruption-levels", "0.2", "--pretraining-epochs", "1"],
     ["filters_layer0_pretrained.png", "filters_layer0_finetuned.png"], "SdA"),
    ("dbn", ["--hidden-layers", "20", "--pretraining-epochs", "1", "--k", "1", "--no-plots"], [], "DBN"),
])
def test_train_unsupervised_and_pretrained_models_fill_the_run_folder(model, flags, figures, classifier, tmp_path):
    out_dir = tmp_path / model
    code, out, err = _run(["train", model, "--epochs", "1", "--batch-size", "20", "--n-train", "200", "--seed", "3",
                           "--out", str(out_dir)] + flags)
    assert code == 0, err
    history = json.loads((out_dir / "history.json").read_text())
    assert history["model"] == model and history["settings"]["n_train"] == 200
    assert history["settings"]["n_epochs"] == 1 and history["settings"]["seed"] == 3
    for name in figures:
        with Image.open(out_dir / name) as image:
            assert image.format == "PNG"
    if classifier is None:
        # Unsupervised: the trained model and its cost per epoch.
        costs = history["epoch_costs"]
        assert len(costs if isinstance(costs, list) else next(iter(costs.values()))) == 1
        assert len(load_model_file(out_dir / "best_model.npz").params) == 3
        return
    # Pre-trained then fine-tuned: a classifier symconv predict loads, with the fine-tuning's history.
    assert len(history["pretraining"]) == 1 and len(history["history"]["validation"]) == 1
    assert type(load_model(out_dir)).__name__ == classifier
    assert "Optimization complete with best validation score of" in out
    if model == "sda":  # the plots of symconv plot, drawn at the end of training
        for name in PLOTS:
            assert (out_dir / name).exists(), name
    else:
        assert not any((out_dir / name).exists() for name in PLOTS)


def test_train_lists_all_seven_models_with_the_same_common_flags(capsys):
    for model in ("logreg", "mlp", "lenet", "da", "sda", "rbm", "dbn"):
        with pytest.raises(SystemExit) as exit_info:
            main(["train", model, "--help"])
        out = capsys.readouterr().out
        assert exit_info.value.code == 0
        for flag in ("--data", "--epochs", "--batch-size", "--learning-rate", "--seed", "--n-train", "--out",
                     "--no-plots", "--resume", f"runs/{model}"):
            assert flag in out, (model, flag)


def test_train_help_shows_the_tutorial_defaults(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "lenet", "--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    for text in ("--epochs", "(default: 200)", "--batch-size", "(default: 500)", "--learning-rate",
                 "(default: 0.1)", "--seed", "(default: 23455)", "--out", "runs/lenet"):
        assert text in out


def test_layering_lower_modules_never_import_the_app():
    """datasets, layers and train below tutorials_impl, below cli, predict and plots: nothing imports upwards.

    The modules are imported bottom up in one process, so each line lists what it and those below it loaded.
    """
    code = ("import sys, importlib\n"
            "for name in ('symconv.datasets', 'symconv.layers', 'symconv.train', 'symconv.tutorials_impl',\n"
            "             'symconv.tutorials_impl.runner', 'symconv.predict', 'symconv.plots'):\n"
            "    importlib.import_module(name)\n"
            "    print(name, sorted(m for m in sys.modules if m.startswith('symconv.')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {line.split()[0]: line for line in done.stdout.splitlines()}
    for lower in ("symconv.datasets", "symconv.layers", "symconv.train", "symconv.tutorials_impl.runner"):
        for app in ("symconv.cli", "symconv.plots", "symconv.predict"):
            assert f"'{app}'" not in loaded[lower], (lower, app)
    assert "'symconv.tutorials_impl'" not in loaded["symconv.train"]
