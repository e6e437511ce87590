"""The tutorial's ``load_data``: datasets as symconv shared variables.

Labels are stored as floatX and cast to int32 symbolically, exactly as the
tutorial's ``shared_dataset`` did: on the GPU, Theano could only keep floats
in shared memory, and later code relies on that structure.
"""

import numpy as np

from .sources import load_arrays
from .splits import DEFAULT_SEED


def load_data(source=None, seed=DEFAULT_SEED, tfds_data_dir=None):
    """Return ``[(train_x, train_y), (valid_x, valid_y), (test_x, test_y)]`` of shared x and int32 y.

    Takes the same arguments as `load_arrays`.
    """
    # Imported here so that loading arrays never depends on the graph core.
    import symconv
    import symconv.tensor as T

    def shared_dataset(data_xy, borrow=True):
        data_x, data_y = data_xy
        shared_x = symconv.shared(np.asarray(data_x, dtype=symconv.config.floatX), borrow=borrow)
        shared_y = symconv.shared(np.asarray(data_y, dtype=symconv.config.floatX), borrow=borrow)
        return shared_x, T.cast(shared_y, "int32")

    return [shared_dataset(split) for split in load_arrays(source, seed=seed, tfds_data_dir=tfds_data_dir)]
