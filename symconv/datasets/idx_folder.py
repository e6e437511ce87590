"""Load a folder of MNIST-format IDX files.

Two layouts are recognised, each file optionally gzipped:

* MNIST's own four files (also used by Fashion-MNIST and Debian's
  ``dataset-fashion-mnist``): a train and a test set; the validation set is
  held out from the end of the training set as in the tutorial.
* A single pool, ``images-idx3-ubyte`` + ``labels-idx1-ubyte`` (the bundled
  sample's layout): shuffled with a fixed seed, then split 80/10/10.
"""

from pathlib import Path

from .arrays import as_examples
from .errors import DatasetError
from .idx import read_idx
from .splits import DEFAULT_SEED, hold_out_validation, stratified_split

TRAIN_TEST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
POOL_FILES = {"images": "images-idx3-ubyte", "labels": "labels-idx1-ubyte"}


def load_idx_folder(folder, seed=DEFAULT_SEED):
    """Return ``[(train_x, train_y), (valid_x, valid_y), (test_x, test_y)]`` from `folder`."""
    folder = Path(folder)
    train_test = _find_layout(folder, TRAIN_TEST_FILES)
    if train_test:
        train = read_examples(train_test["train_images"], train_test["train_labels"])
        test = read_examples(train_test["test_images"], train_test["test_labels"])
        return [*hold_out_validation(*train), test]
    pool = _find_layout(folder, POOL_FILES)
    if pool:
        return stratified_split(*read_examples(pool["images"], pool["labels"]), seed=seed)
    raise DatasetError(
        f"{folder}: no IDX files found; expected {', '.join(TRAIN_TEST_FILES.values())}, "
        f"or {' + '.join(POOL_FILES.values())} (each optionally ending in .gz)"
    )


def read_examples(images_path, labels_path):
    """Read an images file and its labels file as one validated ``(x, y)`` split."""
    images = read_idx(images_path, ndim=3)
    labels = read_idx(labels_path, ndim=1)
    return as_examples(images, labels, str(images_path), str(labels_path))


def _find_layout(folder, stems):
    """Map each role to its file, None if the layout is absent; a partial layout is an error."""
    found = {role: _find_file(folder, stem) for role, stem in stems.items()}
    missing = [stems[role] for role, path in found.items() if path is None]
    if len(missing) == len(stems):
        return None
    if missing:
        raise DatasetError(
            f"{folder}: IDX folder is missing {', '.join(missing)} (with or without .gz)"
        )
    return found


def _find_file(folder, stem):
    for name in (stem + ".gz", stem):
        if (folder / name).is_file():
            return folder / name
    return None
