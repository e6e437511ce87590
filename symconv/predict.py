"""Classify image files with a trained model: ``symconv predict MODEL IMAGE...``.

A model is the classifier a training run leaves in ``best_model.npz``
(``symconv.layers.LogisticRegression``, ``MLP``, ``LeNet5``, ``SdA`` or ``DBN``), a file of
arrays and JSON that is loaded without unpickling (``symconv.train.model_file``).  It is
built on a fresh input of any batch size, so a LeNet5 trained on minibatches of 500
classifies one image as well as a thousand.

Images of any size and format become what the models were trained on:
28x28 grayscale, a light digit on a dark background, pixels in [0, 1].
Dark-on-light images (ink on paper) are inverted; a larger image has its ink
cropped, scaled to fit 20x20 and centred by its centre of mass in 28x28, as
MNIST's digits were.
"""
import os

import numpy
from PIL import Image, UnidentifiedImageError

from .train import MODEL_FILE
from .train.model_file import ModelFileError, load_model as load_model_file
from .train.run_directory import LEGACY_FILES

SIDE = 28
DIGIT_BOX = 20
EVAL_CHUNK = 500


class ImageFileError(Exception):
    """An image file is missing or cannot be read."""


# ------------------------------------------------------------------ model


def resolve_model_path(path):
    """`path`, or ``path/best_model.npz`` when `path` is a run folder."""
    path = os.fspath(path)
    if os.path.isdir(path):
        inner = os.path.join(path, MODEL_FILE)
        if not os.path.isfile(inner) and os.path.isfile(os.path.join(path, LEGACY_FILES[0])):
            return os.path.join(path, LEGACY_FILES[0])  # refused with the reason when loaded
        if not os.path.isfile(inner):
            raise ModelFileError(f"{path} is a folder without a {MODEL_FILE}; train a model into it with "
                                 f"'symconv train lenet --out {path}'")
        return inner
    if not os.path.exists(path):
        raise ModelFileError(f"{path}: no such model file (a training run writes OUT/{MODEL_FILE}, e.g. "
                             f"'symconv train lenet --out runs/lenet' writes runs/lenet/{MODEL_FILE})")
    return path


def load_model(path):
    """The classifier saved at `path` (a file, or a run folder holding best_model.npz); never unpickles."""
    path = resolve_model_path(path)
    model = load_model_file(path)
    if not all(hasattr(model, name) for name in ("rebuild", "p_y_given_x", "params")):
        raise ModelFileError(f"{path} holds a {type(model).__name__}, not a symconv.layers classifier "
                             "(LogisticRegression, MLP, LeNet5, SdA or DBN)")
    return model


def n_inputs(model):
    """Pixels per example that `model` expects (784 for MNIST models)."""
    for attribute in ("n_in", "n_ins"):
        if hasattr(model, attribute):
            return int(getattr(model, attribute))
    rows, cols = model.image_size
    return int(rows * cols)


def compile_predictor(model, outputs=("p_y_given_x",)):
    """A function from a matrix of examples (any number of rows) to the model's `outputs`.

    The model is rebuilt on a fresh input with a free batch size, sharing its parameters.
    """
    import symconv
    import symconv.tensor as T

    x = T.matrix("x")
    net = model.rebuild(x, batch_size=None)
    return symconv.function([x], [getattr(net, name) for name in outputs]), net


def predict_proba(model, examples, predictor=None):
    """P(y | x) for each row of `examples` ((n, 784) in [0, 1]), as an (n, n_classes) array."""
    import symconv

    predictor = predictor or compile_predictor(model)[0]
    examples = numpy.asarray(examples, dtype=symconv.config.floatX)
    chunks = [predictor(examples[i:i + EVAL_CHUNK])[0] for i in range(0, len(examples), EVAL_CHUNK)]
    return numpy.concatenate(chunks) if chunks else numpy.zeros((0, 0))


# ----------------------------------------------------------------- images


def load_image(path, center=True):
    """The image at `path` as a float32 vector of 784 pixels in [0, 1], light ink on a dark background."""
    try:
        with Image.open(path) as image:
            image.load()
            gray = _grayscale(image)
    except FileNotFoundError:
        raise ImageFileError(f"{path}: no such image file") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise ImageFileError(f"{path}: cannot read it as an image ({exc})") from None
    return prepare_pixels(numpy.asarray(gray, dtype=numpy.float32) / 255.0, center=center)


def prepare_pixels(pixels, center=True):
    """A 2-D grayscale array in [0, 1] as the 784-pixel vector the models expect.

    Inverted when its border is mostly light; a 28x28 array is otherwise kept
    as it is (it is taken to be MNIST-like already), a larger one is framed
    like MNIST (`center`) or just resized.
    """
    pixels = numpy.asarray(pixels, dtype=numpy.float32)
    if pixels.ndim != 2 or min(pixels.shape) < 1:
        raise ImageFileError(f"expected a 2-D image, got an array of shape {pixels.shape}")
    if _border(pixels).mean() > 0.5:
        pixels = 1.0 - pixels
    if pixels.shape != (SIDE, SIDE):
        background = float(numpy.median(_border(pixels)))
        pixels = numpy.clip((pixels - background) / max(1.0 - background, 1e-6), 0.0, 1.0)
        pixels = _frame_like_mnist(pixels) if center else _resize(pixels, (SIDE, SIDE))
    return numpy.clip(pixels, 0.0, 1.0).astype(numpy.float32).reshape(SIDE * SIDE)


def _grayscale(image):
    """8-bit grayscale; a transparent background is filled with the colour opposite to the ink."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = numpy.asarray(image.convert("RGBA"), dtype=numpy.float32) / 255.0
        alpha = rgba[..., 3:]
        luminance = rgba[..., :3] @ numpy.array([0.299, 0.587, 0.114], dtype=numpy.float32)
        opaque = alpha[..., 0] > 0.5
        ink_is_dark = luminance[opaque].mean() < 0.5 if opaque.any() else True
        fill = 1.0 if ink_is_dark else 0.0
        mixed = luminance * alpha[..., 0] + fill * (1.0 - alpha[..., 0])
        return Image.fromarray(numpy.round(mixed * 255).astype(numpy.uint8), mode="L")
    return image.convert("L")


def _border(pixels):
    return numpy.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])


def _resize(pixels, size):
    rows, cols = size
    image = Image.fromarray(numpy.round(pixels * 255).astype(numpy.uint8), mode="L")
    return numpy.asarray(image.resize((cols, rows), Image.LANCZOS), dtype=numpy.float32) / 255.0


def _frame_like_mnist(pixels):
    """Crop to the ink, fit it in 20x20 keeping its aspect, put its centre of mass at the centre of 28x28."""
    ink = pixels > 0.2
    if not ink.any():
        return _resize(pixels, (SIDE, SIDE))
    rows, cols = numpy.flatnonzero(ink.any(axis=1)), numpy.flatnonzero(ink.any(axis=0))
    crop = pixels[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    scale = DIGIT_BOX / max(crop.shape)
    size = (max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale)))
    digit = _resize(crop, size)
    mass = digit.sum()
    if mass <= 0:
        centre = ((size[0] - 1) / 2.0, (size[1] - 1) / 2.0)
    else:
        grid_r, grid_c = numpy.indices(digit.shape)
        centre = ((grid_r * digit).sum() / mass, (grid_c * digit).sum() / mass)
    framed = numpy.zeros((SIDE, SIDE), dtype=numpy.float32)
    top = int(numpy.clip(round((SIDE - 1) / 2.0 - centre[0]), 0, SIDE - size[0]))
    left = int(numpy.clip(round((SIDE - 1) / 2.0 - centre[1]), 0, SIDE - size[1]))
    framed[top:top + size[0], left:left + size[1]] = digit
    return framed


# ---------------------------------------------------------------- results


def classify_files(model, paths, center=True):
    """``[(path, predicted class, probabilities)]`` for the image files `paths`."""
    examples = numpy.stack([load_image(path, center=center) for path in paths])
    if examples.shape[1] != n_inputs(model):
        raise ModelFileError(f"the model expects {n_inputs(model)} pixels per image, the images have "
                             f"{examples.shape[1]}")
    probabilities = predict_proba(model, examples)
    return [(path, int(numpy.argmax(p)), p) for path, p in zip(paths, probabilities)]


def format_prediction(path, predicted, probabilities):
    """Two lines: the class with its probability, then every class's probability."""
    listed = "  ".join(f"{k}: {p:.4f}" for k, p in enumerate(probabilities))
    return f"{path}: {predicted} (p = {probabilities[predicted]:.4f})\n  {listed}"
