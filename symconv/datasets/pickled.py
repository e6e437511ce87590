"""Load deeplearning.net's ``mnist.pkl.gz``.

The file is a gzipped Python 2 pickle of ``(train_set, valid_set, test_set)``,
each ``(x float32 (n, 784), y int64 (n,))``; ``encoding='latin1'`` is what
lets Python 3 read the NumPy arrays Python 2 pickled. Its own 50,000 /
10,000 / 10,000 split is used as is. A pickle can run code when loaded, so
it is read by ``symconv.safe_pickle``'s restricted unpickler: arrays,
numbers and containers only, any other class refused with an error naming it.
"""

from pathlib import Path

from ..safe_pickle import ForbiddenPickleError, restricted_load
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


def _describe(err):
    if isinstance(err, ForbiddenPickleError):
        return str(err)
    return f"not a readable pickle ({type(err).__name__}: {err})"


def _unpickle(path):
    # Unpickling garbage can fail with almost any exception type.
    return read_file(path, restricted_load, failure=Exception, describe=_describe)
