"""Pictures of a trained model: ``symconv plot MODEL``, also drawn at the end of every training run.

``plot_all`` writes, next to the model (or into ``out_dir``):

- ``learning_curves.png``: validation and test error and the training cost,
  per epoch, from the ``history.json`` the run saved next to the model;
- ``filters.png``: the first layer's weights as images (LeNet5's 5x5
  kernels, the MLP's hidden units, the logistic regression's class templates);
- ``feature_maps.png``: what each layer computes for one test example;
- ``confusion_matrix.png`` and ``misclassified.png``: over the test split.

Matplotlib draws through its Agg canvas (``Figure`` without pyplot), so no
display is needed and no global backend is changed.
"""
import json
import math
import os

import matplotlib
import numpy
from matplotlib.figure import Figure

from .train import HISTORY_FILE

FILES = {
    "curves": "learning_curves.png",
    "filters": "filters.png",
    "features": "feature_maps.png",
    "confusion": "confusion_matrix.png",
    "misclassified": "misclassified.png",
}
MAX_MISCLASSIFIED = 36


class PlotError(ValueError):
    """A plot cannot be drawn as asked (reported to the command line as a usage error)."""


# ---------------------------------------------------------------- helpers


def load_history(model_path):
    """The history.json saved beside `model_path`, or None when there is none."""
    path = os.path.join(os.path.dirname(os.path.abspath(model_path)), HISTORY_FILE)
    if not os.path.isfile(path):
        return None
    with open(path) as file:
        return json.load(file)


def mosaic(tiles, columns=None, normalize=True):
    """Tiles (k, h, w) as one image, a one-pixel NaN gap between them; each tile scaled to [-1, 1] if `normalize`."""
    tiles = numpy.asarray(tiles, dtype=numpy.float64)
    k, h, w = tiles.shape
    columns = columns or int(math.ceil(math.sqrt(k)))
    rows = int(math.ceil(k / columns))
    out = numpy.full((rows * (h + 1) - 1, columns * (w + 1) - 1), numpy.nan)
    for i, tile in enumerate(tiles):
        if normalize:
            scale = numpy.abs(tile).max()
            tile = tile / scale if scale > 0 else tile
        r, c = divmod(i, columns)
        out[r * (h + 1): r * (h + 1) + h, c * (w + 1): c * (w + 1) + w] = tile
    return out


def _as_rectangle(vector):
    """A vector of n values as the most square (rows, cols) image holding them (padded with NaN)."""
    n = len(vector)
    rows = max(d for d in range(1, int(math.sqrt(n)) + 1) if n % d == 0)
    if rows * rows * 4 < n:  # a prime or awkward n: pad to a square instead
        side = int(math.ceil(math.sqrt(n)))
        padded = numpy.full(side * side, numpy.nan)
        padded[:n] = vector
        return padded.reshape(side, side)
    return numpy.asarray(vector, dtype=numpy.float64).reshape(rows, n // rows)


def _show(ax, image, title, cmap="gray", vmin=None, vmax=None):
    cmap = matplotlib.colormaps[cmap].with_extremes(bad="white")
    artist = ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    return artist


def _save(fig, path):
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def _image_side(n_pixels):
    side = int(round(math.sqrt(n_pixels)))
    return side if side * side == n_pixels else None


# -------------------------------------------------------- learning curves


def _percent(value):
    """A loss as a percentage, or 'none' (a diverged run's history has null where no model was validated)."""
    return f"{100 * value:.2f}%" if value is not None and numpy.isfinite(value) else "none"


def plot_learning_curves(history, path):
    """Validation error and test error of each new best model (%), and the mean training cost, per epoch."""
    n_train_batches = history["n_train_batches"]
    curves = history["history"]
    fig = Figure(figsize=(10, 4), layout="constrained")
    errors, costs = fig.subplots(1, 2)
    if curves["validation"]:
        iters, _, losses = zip(*curves["validation"])
        errors.plot([(i + 1) / n_train_batches for i in iters], [100 * v for v in losses], ".-", label="validation")
    if curves["test"]:
        iters, _, scores = zip(*curves["test"])
        errors.plot([(i + 1) / n_train_batches for i in iters], [100 * v for v in scores], "o", markersize=4,
                    label="test (at each new best)")
    errors.set_xlabel("epoch")
    errors.set_ylabel("error (%)")
    result = history["result"]
    errors.set_title(f"{history.get('model', 'model')}: best validation error "
                     f"{_percent(result.get('best_validation_loss'))}, "
                     f"test {_percent(result.get('test_score'))}", fontsize=10)
    errors.grid(alpha=0.3)
    if curves["validation"] or curves["test"]:
        errors.legend(loc="upper right")
    epoch_costs = [c for c in curves["epoch_costs"] if c is not None and numpy.isfinite(c)]
    costs.plot(range(1, len(epoch_costs) + 1), epoch_costs, ".-", color="tab:green")
    costs.set_xlabel("epoch")
    costs.set_ylabel("mean training cost")
    costs.set_title("training cost", fontsize=10)
    costs.grid(alpha=0.3)
    return _save(fig, path)


# --------------------------------------------------------------- filters


def hidden_layers(model):
    """The fully connected hidden layers of `model`, first to last: an MLP's one, an SdA's or DBN's
    sigmoid layers (none for a logistic regression)."""
    if hasattr(model, "sigmoid_layers"):
        return list(model.sigmoid_layers)
    return [model.hiddenLayer] if hasattr(model, "hiddenLayer") else []


def first_layer_filters(model):
    """``(title, tiles (k, h, w))``: the first layer's weights, one image per unit."""
    name = type(model).__name__
    if hasattr(model, "layer0"):
        W = model.layer0.W.get_value()
        return f"{name}: layer0's {W.shape[0]} {W.shape[2]}x{W.shape[3]} filters", W.mean(axis=1)
    layer = (hidden_layers(model) or [model])[0]
    W = layer.W.get_value()
    side = _image_side(W.shape[0])
    if side is None:
        raise PlotError(f"cannot draw the {W.shape[0]} inputs of {name}'s first layer as a square image")
    shown = min(W.shape[1], 100)
    what = "class templates" if layer is model else f"first {shown} of {W.shape[1]} hidden units"
    return f"{name}: {what} (weights as {side}x{side} images)", W.T[:shown].reshape(shown, side, side)


def plot_filters(model, path):
    title, tiles = first_layer_filters(model)
    columns = 10 if len(tiles) in (10, 100) else None
    fig = Figure(figsize=(7, 7 if len(tiles) > 10 else 2.2))
    _show(fig.subplots(), mosaic(tiles, columns=columns), title, cmap="RdBu_r", vmin=-1, vmax=1)
    return _save(fig, path)


# ----------------------------------------------------------- feature maps


def feature_maps(model, example):
    """What each layer of `model` computes for one example.

    Returns ``([(title, tiles (k, h, w) or a vector)], class probabilities)``.
    """
    import symconv
    import symconv.tensor as T

    example = numpy.asarray(example, dtype=symconv.config.floatX).reshape(1, -1)
    x = T.matrix("x")
    net = model.rebuild(x, batch_size=None)
    if hasattr(net, "layer0"):
        named = [("layer0: conv + max-pool + tanh", net.layer0.output),
                 ("layer1: conv + max-pool + tanh", net.layer1.output),
                 (f"layer2: {net.layer2.n_out} tanh units", net.layer2.output)]
    elif hidden_layers(net):
        named = [(f"hidden layer {i}: {layer.n_out} units", layer.output)
                 for i, layer in enumerate(hidden_layers(net))]
    else:
        # Logistic regression has no hidden layer: show each class's evidence x * W[:, k].
        named = [("evidence x * W[:, k] for each class k", x.dimshuffle(0, "x", 1) * net.W.T.dimshuffle("x", 0, 1))]
    # One compiled function for the maps and the probabilities (each compile costs seconds on CPU).
    *values, probabilities = symconv.function([x], [v for _, v in named] + [net.p_y_given_x])(example)
    maps = []
    for (title, _), value in zip(named, values):
        value = value[0]
        if value.ndim == 2 and _image_side(value.shape[1]):
            side = _image_side(value.shape[1])
            value = value.reshape(len(value), side, side)
        maps.append((f"{title} {tuple(value.shape)}", value))
    return maps, probabilities[0]


def plot_feature_maps(model, example, label, path):
    maps, probabilities = feature_maps(model, example)
    side = _image_side(len(example))
    fig = Figure(figsize=(4 * (len(maps) + 1), 4.6), layout="constrained")
    axes = fig.subplots(1, len(maps) + 1)
    _show(axes[0], numpy.asarray(example).reshape(side, side),
          f"input (label {label}, predicted {int(numpy.argmax(probabilities))})", vmin=0, vmax=1)
    for ax, (title, value) in zip(axes[1:], maps):
        image = mosaic(value, normalize=False) if value.ndim == 3 else _as_rectangle(value)
        limit = numpy.nanmax(numpy.abs(image)) or 1.0
        _show(ax, image, title, cmap="RdBu_r", vmin=-limit, vmax=limit)
    return _save(fig, path)


# ------------------------------------------------------ test-set results


def confusion_matrix(true, predicted, n_classes):
    """counts[i, j]: examples of class i predicted as j."""
    counts = numpy.zeros((n_classes, n_classes), dtype=numpy.int64)
    numpy.add.at(counts, (numpy.asarray(true), numpy.asarray(predicted)), 1)
    return counts


def plot_confusion_matrix(counts, path, title="test set"):
    n = len(counts)
    accuracy = numpy.trace(counts) / max(counts.sum(), 1)
    fig = Figure(figsize=(6, 5.4))
    ax = fig.subplots()
    artist = ax.imshow(counts, cmap="Blues")
    for i in range(n):
        for j in range(n):
            if counts[i, j]:
                dark = counts[i, j] > counts.max() / 2
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(f"{title}: accuracy {100 * accuracy:.2f}% of {counts.sum()}", fontsize=10)
    fig.colorbar(artist, ax=ax)
    return _save(fig, path)


def plot_misclassified(examples, true, predicted, probabilities, path, limit=MAX_MISCLASSIFIED):
    """The first `limit` misclassified examples, titled ``true -> predicted (p)``."""
    wrong = numpy.flatnonzero(numpy.asarray(true) != numpy.asarray(predicted))[:limit]
    columns = 6
    rows = max(1, int(math.ceil(len(wrong) / columns)))
    fig = Figure(figsize=(1.6 * columns, 1.8 * rows + 0.4), layout="constrained")
    axes = numpy.atleast_1d(fig.subplots(rows, columns)).reshape(-1)
    side = _image_side(examples.shape[1])
    for ax in axes:
        ax.axis("off")
    for ax, k in zip(axes, wrong):
        title = f"{true[k]} -> {predicted[k]} ({probabilities[k, predicted[k]]:.2f})"
        _show(ax, examples[k].reshape(side, side), title, vmin=0, vmax=1)
    total = int((numpy.asarray(true) != numpy.asarray(predicted)).sum())
    fig.suptitle(f"misclassified test examples: {total} of {len(true)} (true -> predicted (probability))"
                 if total else f"no misclassified test examples among {len(true)}", fontsize=10)
    return _save(fig, path)


# -------------------------------------------------------------------- all


def plot_all(model_path, out_dir=None, data=None, example=0, print_fn=None):
    """Writes every plot of the model at `model_path`; returns the paths written.

    `data` is the ``--data`` source of the test split (default: the one the
    run trained on, from history.json, else the bundled sample); `example` is
    the index of the test example whose feature maps are drawn.
    """
    from .datasets import DEFAULT_SEED, load_arrays
    from .predict import load_model, predict_proba, resolve_model_path

    model_path = resolve_model_path(model_path)
    model = load_model(model_path)
    out_dir = out_dir or os.path.dirname(os.path.abspath(model_path))
    os.makedirs(out_dir, exist_ok=True)
    target = {key: os.path.join(out_dir, name) for key, name in FILES.items()}
    written = []
    history = load_history(model_path)
    if history is not None:
        written.append(plot_learning_curves(history, target["curves"]))
    elif print_fn is not None:
        print_fn(f"no {HISTORY_FILE} next to {model_path}: learning curves skipped")
    written.append(plot_filters(model, target["filters"]))

    recorded = (history or {}).get("data", {})
    source = data if data is not None else recorded.get("source")
    _, _, (test_x, test_y) = load_arrays(source, seed=recorded.get("seed", DEFAULT_SEED))
    if not 0 <= example < len(test_x):
        raise PlotError(f"--example {example} is out of range: the test split has {len(test_x)} examples")
    written.append(plot_feature_maps(model, test_x[example], int(test_y[example]), target["features"]))
    probabilities = predict_proba(model, test_x)
    predicted = probabilities.argmax(axis=1)
    written.append(plot_confusion_matrix(confusion_matrix(test_y, predicted, probabilities.shape[1]),
                                         target["confusion"]))
    written.append(plot_misclassified(test_x, test_y, predicted, probabilities, target["misclassified"]))
    return written
