"""MNIST-like datasets for the tutorials, from the bundled sample, files or TFDS.

``load_arrays`` returns NumPy arrays; ``load_data`` wraps them in shared
variables like the tutorial's ``load_data``. Both take the same ``source``
strings as the command line's ``--data``.
"""

from .errors import DatasetError, DatasetUnavailableError
from .idx import read_idx, write_idx
from .shared_dataset import load_data
from .sources import ACCEPTED_FORMS, load_arrays
from .splits import DEFAULT_SEED

__all__ = [
    "ACCEPTED_FORMS",
    "DEFAULT_SEED",
    "DatasetError",
    "DatasetUnavailableError",
    "load_arrays",
    "load_data",
    "read_idx",
    "write_idx",
]
