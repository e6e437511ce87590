"""dA, rbm, SdA and DBN (``symconv.tutorials_impl``) at reduced size on the bundled real-MNIST sample.

Each run is small (a subset of the digits, one or two epochs, narrow layers,
few Gibbs steps) but must still show what the tutorials' documentation
promises: the dA's reconstruction cost falls from epoch to epoch, the RBM's
pseudo-likelihood rises, the SdA and DBN pre-training costs improve and their
fine-tuned validation error ends far below chance (90% on ten classes), and
the PNG figures are written.  The thresholds sit well away from what healthy
runs reach, so they catch a broken feature rather than an unlucky seed.
"""
import json
import os
import runpy
import sys

import numpy as np
import pytest
from PIL import Image

from symconv.tutorials_impl import test_DBN, test_dA, test_rbm, test_SdA
from symconv.tutorials_impl.tiles import tile_raster_images

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIALS = os.path.join(ROOT, "tutorials")

# 10 x 10 tiles of 28 x 28 pixels, 1 pixel apart.
FILTER_IMAGE_SIZE = (10 * 29 - 1, 10 * 29 - 1)


def _check_png(path, size=None):
    assert os.path.isfile(path), path
    with Image.open(path) as image:
        assert image.format == "PNG"
        if size is not None:
            assert image.size == size
        pixels = np.asarray(image)
    assert pixels.std() > 5, f"{path} is blank"  # it shows something
    return pixels


def _falls(values):
    return all(b < a for a, b in zip(values, values[1:]))


def _rises(values):
    return all(b > a for a, b in zip(values, values[1:]))


def test_tile_raster_images_lays_out_rows_as_tiles():
    X = np.arange(6 * 4, dtype="float64").reshape(6, 4)
    out = tile_raster_images(X, img_shape=(2, 2), tile_shape=(2, 4), tile_spacing=(1, 1))
    assert out.shape == (2 * 3 - 1, 4 * 3 - 1) and out.dtype == np.uint8
    # Each tile is its row scaled to 0..255; tile 5 (row 1, column 1) holds row 5; tiles 6 and 7 stay blank.
    np.testing.assert_array_equal(out[3:5, 3:5], [[0, 85], [170, 255]])
    assert not out[3:5, 6:].any() and not out[2, :].any() and not out[:, 2].any()
    raw = tile_raster_images(X / 100, (2, 2), (1, 1), scale_rows_to_unit_interval=False,
                                   output_pixel_vals=False)
    np.testing.assert_allclose(raw, [[0, 0.01], [0.02, 0.03]])
    rgba = tile_raster_images((X, None, X, None), (2, 2), (2, 3))
    assert rgba.shape == (4, 6, 4) and (rgba[..., 1] == 0).all() and (rgba[..., 3] == 255).all()
    with pytest.raises(ValueError, match="columns"):
        tile_raster_images(X, img_shape=(3, 3), tile_shape=(2, 2))


def test_dA_reconstruction_cost_falls_and_filters_are_drawn(tmp_path, capsys):
    history = test_dA(n_epochs=3, n_hidden=100, n_train=1000, out_dir=tmp_path, plots=True)
    out = capsys.readouterr().out
    clean, noisy = history[0.0], history[0.3]
    assert len(clean) == len(noisy) == 3 and "Training epoch 2, cost" in out
    assert _falls(clean) and _falls(noisy), history
    assert clean[-1] < 0.8 * clean[0] and noisy[-1] < 0.8 * noisy[0]
    # Same initial weights and data: only the 30% corruption makes the second dA's reconstruction worse.
    assert noisy[-1] > clean[-1]
    for name in ("filters_corruption_0.png", "filters_corruption_30.png"):
        _check_png(tmp_path / name, FILTER_IMAGE_SIZE)


def test_rbm_pseudo_likelihood_rises_and_samples_are_drawn(tmp_path, capsys):
    # 3920 digits in minibatches of 5: 784 updates per epoch, so each epoch's pseudo-likelihood
    # estimate visits every one of the 784 pixels exactly once and epochs compare fairly.
    result = test_rbm(n_epochs=2, batch_size=5, n_train=3920, n_hidden=50, k=1, n_chains=10,
                      n_samples=2, plot_every=20, out_dir=tmp_path, plots=True)
    out = capsys.readouterr().out
    costs = result["costs"]
    assert len(costs) == 2 and all(c < 0 for c in costs) and "Training epoch 1, cost is" in out
    assert _rises(costs) and costs[1] - costs[0] > 5, costs
    samples = result["samples"]
    assert samples.shape == (2, 10, 784) and ((samples >= 0) & (samples <= 1)).all()
    # The chains, started from test digits, stay digit-like: mostly dark, a few bright strokes.
    assert 0.03 < samples.mean() < 0.3 and (samples > 0.9).mean() > 0.02
    for epoch in (0, 1):
        _check_png(tmp_path / f"filters_at_epoch_{epoch}.png", FILTER_IMAGE_SIZE)
    _check_png(tmp_path / "samples.png", (29 * 10 - 1, 29 * 2 + 1))
    assert " ... plotting sample 1" in out


def _check_fine_tuning(result, out_dir):
    errors = [error for _, _, error in result.history.validation]
    assert len(errors) == 2 and result.epochs == 2
    assert errors[-1] < 0.5, errors
    assert result.best_validation_loss == min(errors) and result.test_score < 0.5
    # The run folder holds the best model (a classifier symconv predict can load) and the whole history.
    history = json.loads((out_dir / "history.json").read_text())
    assert history["pretraining"] == result.pretraining_costs and len(history["history"]["validation"]) == 2
    assert (out_dir / "best_model.npz").exists()


def test_SdA_pretrains_and_fine_tunes_below_chance(tmp_path, capsys):
    result = test_SdA(pretraining_epochs=2, pretrain_lr=0.1, n_epochs=2, batch_size=20,
                      hidden_layers_sizes=(100, 100), corruption_levels=(0.1, 0.2), n_train=2000, out_dir=tmp_path,
                      plots=True)
    out = capsys.readouterr().out
    pretraining = result.pretraining_costs
    assert len(pretraining) == 2 and all(_falls(layer) for layer in pretraining), pretraining
    assert "Pre-training layer 1, epoch 1, cost" in out and "Optimization complete with best validation" in out
    _check_fine_tuning(result, tmp_path)
    pretrained = _check_png(tmp_path / "filters_layer0_pretrained.png", FILTER_IMAGE_SIZE)
    finetuned = _check_png(tmp_path / "filters_layer0_finetuned.png", FILTER_IMAGE_SIZE)
    assert (pretrained != finetuned).any()  # fine-tuning trains the first layer too


def test_DBN_pretrains_and_fine_tunes_below_chance(tmp_path, capsys):
    result = test_DBN(pretraining_epochs=2, pretrain_lr=0.05, k=1, n_epochs=2, batch_size=20,
                      hidden_layers_sizes=(100, 100), n_train=2000, out_dir=tmp_path, plots=True)
    out = capsys.readouterr().out
    # The reconstruction cross-entropy is a log-likelihood: it rises towards 0.
    pretraining = result.pretraining_costs
    assert len(pretraining) == 2 and all(_rises(layer) for layer in pretraining), pretraining
    assert all(c < 0 for layer in pretraining for c in layer)
    assert "Pre-training layer 1, epoch 1, cost" in out
    _check_fine_tuning(result, tmp_path)
    _check_png(tmp_path / "filters_layer0_pretrained.png", FILTER_IMAGE_SIZE)


# The seven scripts are the same few lines around script_main (symconv train runs the same code, see
# test_cli.py): two of them stand for the others.
@pytest.mark.parametrize("script, flags, figures", [
    ("dA.py", ["--n-hidden", "20"], ["filters_corruption_0.png", "filters_corruption_30.png"]),
    ("DBN.py", ["--hidden-layers", "20", "--pretraining-epochs", "1", "--k", "1"],
     ["filters_layer0_pretrained.png"]),
])
def test_scripts_take_the_common_flags(script, flags, figures, tmp_path, monkeypatch, capsys):
    out_dir = tmp_path / "run"
    argv = ["--data", "bundled", "--epochs", "1", "--batch-size", "20", "--learning-rate", "0.05", "--seed", "7",
            "--n-train", "200", "--out", str(out_dir), "--no-plots"] + flags
    monkeypatch.setattr(sys, "argv", [script] + argv)
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(os.path.join(TUTORIALS, script), run_name="__main__")
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "epoch 0" in out.lower() or "epoch 1" in out.lower()
    assert (out_dir / "best_model.npz").exists() and (out_dir / "history.json").exists()
    # --no-plots: the figures are left out.
    assert not any(os.path.exists(out_dir / name) for name in figures)


def test_utils_keeps_the_tutorials_import_of_tile_raster_images():
    utils = runpy.run_path(os.path.join(TUTORIALS, "utils.py"))
    assert utils["tile_raster_images"] is tile_raster_images
