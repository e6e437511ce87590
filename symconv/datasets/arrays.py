"""Turn raw digits into the arrays the tutorials expect.

Every source ends here, so all of them agree on the contract of
``mnist.pkl.gz``: x float32 in [0, 1] shaped (n, 784), y int64 in 0..9.
"""

import numpy as np

from .errors import DatasetError

IMAGE_SIDE = 28
NUM_PIXELS = IMAGE_SIDE * IMAGE_SIDE
NUM_CLASSES = 10


def as_examples(images, labels, images_name, labels_name=None):
    """Validate one split and return it as ``(x float32 (n, 784), y int64 (n,))``.

    uint8 pixels are scaled by 1/255; float pixels must already lie in [0, 1].
    The names are used in error messages and should identify the files.
    """
    labels_name = labels_name or images_name
    x = _as_pixels(np.asarray(images), images_name)
    y = _as_labels(np.asarray(labels), labels_name)
    if len(x) == 0:
        raise DatasetError(f"{images_name}: holds no images")
    if len(x) != len(y):
        raise DatasetError(
            f"{images_name} holds {len(x)} images but {labels_name} holds {len(y)} labels"
        )
    return x, y


def _as_pixels(images, name):
    if images.ndim < 2 or int(np.prod(images.shape[1:])) != NUM_PIXELS:
        raise DatasetError(
            f"{name}: images have shape {images.shape[1:]}, expected {IMAGE_SIDE}x{IMAGE_SIDE} "
            f"grayscale ({NUM_PIXELS} pixels each)"
        )
    flat = images.reshape(len(images), NUM_PIXELS)
    if flat.dtype == np.uint8:
        return flat.astype(np.float32) / np.float32(255)
    if flat.dtype.kind != "f":
        raise DatasetError(f"{name}: pixels have dtype {flat.dtype}, expected uint8 or float")
    if flat.size and (flat.min() < 0 or flat.max() > 1):
        raise DatasetError(
            f"{name}: float pixels range over [{flat.min()}, {flat.max()}], expected [0, 1]"
        )
    return flat.astype(np.float32)


def _as_labels(labels, name):
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DatasetError(
            f"{name}: labels have shape {labels.shape} and dtype {labels.dtype}, "
            "expected one integer per image"
        )
    outside = labels[(labels < 0) | (labels >= NUM_CLASSES)]
    if outside.size:
        raise DatasetError(
            f"{name}: {outside.size} labels outside 0..{NUM_CLASSES - 1} (e.g. {outside[0]})"
        )
    return labels.astype(np.int64)
