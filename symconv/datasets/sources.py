"""Pick the loader for a data source string, as given to ``--data``."""

import os
from pathlib import Path

from .bundled import load_bundled
from .errors import DatasetError
from .idx_folder import load_idx_folder
from .pickled import load_pickle
from .splits import DEFAULT_SEED
from .tfds_source import load_tfds

TFDS_PREFIX = "tfds:"
ACCEPTED_FORMS = (
    "None or 'bundled' (the MNIST sample shipped with symconv); "
    "a path to deeplearning.net's mnist.pkl.gz; "
    "a folder of MNIST-format IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, "
    "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, or just images-idx3-ubyte + "
    "labels-idx1-ubyte; each optionally .gz); "
    "'tfds:NAME' for a TensorFlow Datasets dataset (e.g. tfds:mnist, tfds:fashion_mnist)"
)


def load_arrays(source=None, seed=DEFAULT_SEED, tfds_data_dir=None):
    """Load MNIST-like digits as ``[(train_x, train_y), (valid_x, valid_y), (test_x, test_y)]``.

    x is float32 in [0, 1] shaped (n, 784), y is int64 in 0..9, as in the
    tutorial's ``mnist.pkl.gz``. `seed` fixes the shuffle of sources that ship
    as one class-sorted pool (the bundled sample, two-file IDX folders); splits
    a source already defines are kept. `tfds_data_dir` is where TFDS datasets
    are looked for and downloaded to (TFDS's default when None).
    """
    if source is None or source == "bundled":
        return load_bundled(seed=seed)
    if isinstance(source, str) and source.startswith(TFDS_PREFIX):
        name = source[len(TFDS_PREFIX):]
        if not name:
            raise DatasetError(f"{source!r}: missing dataset name after 'tfds:' (e.g. tfds:mnist)")
        return load_tfds(name, data_dir=tfds_data_dir)
    if not isinstance(source, (str, os.PathLike)):
        raise DatasetError(f"Unknown data source {source!r}. Accepted forms: {ACCEPTED_FORMS}.")
    path = Path(source)
    if path.is_dir():
        return load_idx_folder(path, seed=seed)
    if path.is_file():
        return load_pickle(path)
    raise DatasetError(
        f"Unknown data source {str(source)!r}: no such file or folder. Accepted forms: {ACCEPTED_FORMS}."
    )
