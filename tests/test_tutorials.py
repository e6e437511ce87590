"""The three MNIST tutorials, at reduced size on the bundled sample: they run, print, and learn.

Chance is 90% error on 10 classes; each threshold below sits far under it and
above what a healthy run reaches, so a broken gradient, update or data path
fails while a change of seed does not.
"""
import os
import runpy
import sys

import numpy as np
import pytest
from PIL import Image

import symconv
from symconv.train import load_model
from symconv.tutorials_impl import convolutional_mlp, logistic_sgd, mlp
from symconv.tutorials_impl.minibatches import BatchSizeError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIALS = os.path.join(ROOT, "tutorials")


def _validation_errors(result):
    return [loss for _, _, loss in result.history.validation]


def test_logistic_regression_tutorial_learns_and_prints_its_summary(capsys):
    result = logistic_sgd.sgd_optimization_mnist(n_epochs=3)
    out = capsys.readouterr().out
    errors = _validation_errors(result)
    assert len(errors) == 3 and errors[-1] < errors[0], errors
    assert result.best_validation_loss < 0.3 and result.test_score < 0.3
    # Batch 600: 6 training minibatches of the 4000 digits; the 500 validation digits in one minibatch.
    assert "epoch 1, minibatch 6/6, validation error" in out
    assert "Optimization complete with best validation score of %f %%," % (100 * result.best_validation_loss) in out
    assert "The code run for 3 epochs" in out


def test_mlp_tutorial_learns(capsys):
    result = mlp.test_mlp(n_epochs=2)
    out = capsys.readouterr().out
    errors = _validation_errors(result)
    assert len(errors) == 2 and errors[-1] < errors[0], errors
    assert result.test_score < 0.3
    assert out.strip().splitlines()[-1] == (
        "Optimization complete. Best validation score of %f %% obtained at iteration %i, with test performance %f %%"
        % (100 * result.best_validation_loss, result.best_iter + 1, 100 * result.test_score))


def test_mlp_tutorial_in_float64_saves_a_float64_model(tmp_path, capsys):
    with symconv.config.change_flags(floatX="float64"):
        result = mlp.test_mlp(n_epochs=1, batch_size=50, learning_rate=0.05, out_dir=tmp_path)
    assert result.test_score < 0.3
    model = load_model(tmp_path / "best_model.npz")
    assert all(p.get_value().dtype == np.float64 for p in model.params)
    assert (tmp_path / "history.json").exists()


def test_lenet5_tutorial_learns_in_two_epochs(capsys):
    result = convolutional_mlp.evaluate_lenet5(n_epochs=2)
    out = capsys.readouterr().out
    errors = _validation_errors(result)
    assert len(errors) == 2 and errors[-1] < errors[0], errors
    assert result.test_score < 0.5
    assert "training @ iter =  0" in out and "epoch 2, minibatch 8/8, validation error" in out
    assert out.strip().splitlines()[-2:] == [
        "Optimization complete.",
        "Best validation score of %f %% obtained at iteration %i, with test performance %f %%"
        % (100 * result.best_validation_loss, result.best_iter + 1, 100 * result.test_score)]


def test_lenet5_evaluates_a_validation_set_smaller_than_a_minibatch(capsys):
    # Minibatches of 1000: 4 training minibatches; the 500 validation and test digits are
    # evaluated by the same weights rebuilt for minibatches of 500.
    result = convolutional_mlp.evaluate_lenet5(n_epochs=1, batch_size=1000, nkerns=[4, 8])
    assert "epoch 1, minibatch 4/4, validation error" in capsys.readouterr().out
    assert 0 <= result.best_validation_loss < 0.9


def test_a_training_set_smaller_than_one_minibatch_is_a_clear_error():
    with pytest.raises(BatchSizeError, match="fewer than one minibatch of 5000"):
        logistic_sgd.sgd_optimization_mnist(n_epochs=1, batch_size=5000)


def test_resume_continues_from_the_checkpoint(tmp_path, capsys):
    first = logistic_sgd.sgd_optimization_mnist(n_epochs=2, out_dir=tmp_path)
    capsys.readouterr()
    resumed = logistic_sgd.sgd_optimization_mnist(n_epochs=4, out_dir=tmp_path, resume=True)
    out = capsys.readouterr().out
    assert "epoch 1," not in out and "epoch 3, minibatch 6/6, validation error" in out
    assert resumed.epochs == 4 and resumed.best_validation_loss < first.best_validation_loss


def _run_script(name, argv, monkeypatch):
    monkeypatch.setattr(sys, "argv", [name] + argv)
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(os.path.join(TUTORIALS, name), run_name="__main__")
    return exit_info.value.code


def test_logistic_sgd_script_takes_the_flags_and_writes_the_model(tmp_path, monkeypatch, capsys):
    out_dir = tmp_path / "run"
    code = _run_script("logistic_sgd.py", ["--epochs", "1", "--batch-size", "500", "--learning-rate", "0.2",
                                           "--out", str(out_dir), "--no-plots"], monkeypatch)
    out = capsys.readouterr().out
    assert code == 0
    assert "epoch 1, minibatch 8/8, validation error" in out and "The code run for 1 epochs" in out
    assert type(load_model(out_dir / "best_model.npz")).__name__ == "LogisticRegression"


def test_script_reports_a_bad_data_source_without_a_traceback(tmp_path, monkeypatch, capsys):
    code = _run_script("mlp.py", ["--data", str(tmp_path / "missing.pkl.gz"), "--out", str(tmp_path)], monkeypatch)
    err = capsys.readouterr().err
    assert code == 2 and "mlp.py: error:" in err and "missing.pkl.gz" in err and "Traceback" not in err


def test_filter_demo_writes_the_photo_and_two_filtered_maps(tmp_path, monkeypatch, capsys):
    code = _run_script("filter_demo.py", ["--out", str(tmp_path)], monkeypatch)
    assert code == 0
    with Image.open(tmp_path / "input.png") as photo:
        assert photo.mode == "RGB"
        height, width = photo.size[1], photo.size[0]
    for name in ("filtered_0.png", "filtered_1.png"):
        with Image.open(tmp_path / name) as image:
            # 'valid' 9x9 convolution: 8 pixels fewer in each dimension.
            assert image.size == (width - 8, height - 8)
            pixels = np.asarray(image)
            assert pixels.std() > 10  # the maps show structure, not a constant
    assert (tmp_path / "filter_demo.png").exists()


def test_filter_demo_draws_a_colour_photo_when_none_is_given():
    demo = runpy.run_path(os.path.join(TUTORIALS, "filter_demo.py"))
    photo = demo["make_photo"](height=40, width=50)
    assert photo.shape == (40, 50, 3) and 0 <= photo.min() and photo.max() <= 1 and photo.std() > 0.1
