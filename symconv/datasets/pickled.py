"""Load deeplearning.net's ``mnist.pkl.gz``.

The file is a gzipped Python 2 pickle of ``(train_set, valid_set, test_set)``,
each ``(x float32 (n, 784), y int64 (n,))``; ``encoding='latin1'`` is what
lets Python 3 read the NumPy arrays Python 2 pickled. Its own 50,000 /
10,000 / 10,000 split is used as is. Like any pickle, it can run code when
loaded: only load files you trust.
"""

import pickle
from pathlib import Path

from .arrays import as_examples
from .errors import DatasetError
from .files import read_file

SPLIT_NAMES = ("train_set", "valid_set", "test_set")


def load_pickle(path):
    """Return ``[(train_x, train_y), (valid_x, valid_y), (test_x, test_y)]`` from the pickle at `path`.

    The file is gunzipped if its name ends in ``.gz``.
    """
    path = Path(path)
    splits = _unpickle(path)
    if not isinstance(splits, (tuple, list)) or len(splits) != len(SPLIT_NAMES):
        raise DatasetError(
            f"{path}: expected a pickled (train_set, valid_set, test_set) tuple, "
            f"got {type(splits).__name__}"
        )
    examples = []
    for name, split in zip(SPLIT_NAMES, splits):
        if not isinstance(split, (tuple, list)) or len(split) != 2:
            raise DatasetError(f"{path}: {name} should be an (x, y) pair, got {type(split).__name__}")
        x, y = split
        examples.append(as_examples(x, y, f"{path} ({name} x)", f"{path} ({name} y)"))
    return examples


def _unpickle(path):
    # Unpickling garbage can fail with almost any exception type.
    return read_file(path, lambda file: pickle.load(file, encoding="latin1"), failure=Exception,
                     describe=lambda err: f"not a readable pickle ({type(err).__name__}: {err})")
