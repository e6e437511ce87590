"""Minibatch counts, as the tutorials compute them, with a clear error when a split is too small."""
from typing import NamedTuple

from ..compile.mesh import requested_devices


class BatchSizeError(ValueError):
    """The batch size does not fit the data (reported to the command line as a usage error)."""


def n_examples(shared_x):
    return shared_x.get_value(borrow=True).shape[0]


def minibatch_count(shared_x, batch_size, split, n_used=None):
    """``n_examples // batch_size`` (the remainder is left out, as in the tutorials).

    `n_used` counts only the first `n_used` examples (``--n-train``).
    """
    if batch_size < 1:
        raise BatchSizeError(f"the batch size must be at least 1, got {batch_size}")
    if n_used is not None and n_used < 1:
        raise BatchSizeError(f"--n-train must be at least 1, got {n_used}")
    available = n_examples(shared_x) if n_used is None else min(n_used, n_examples(shared_x))
    count = available // batch_size
    if count < 1:
        raise BatchSizeError(f"the {split} set has {available} examples, fewer than one minibatch of "
                             f"{batch_size}; use a smaller --batch-size")
    return count


def evaluation_batch_size(shared_x, batch_size):
    """The minibatch size for a validation or test set: `batch_size`, or the whole set if it is smaller.

    The tutorials evaluate in training-sized minibatches; on a small data set
    (the bundled sample has 500 validation and 500 test digits, the logistic
    regression tutorial's minibatch is 600) that would leave no minibatch at all.
    """
    return min(batch_size, n_examples(shared_x))


class MinibatchPlan(NamedTuple):
    n_train_batches: int
    n_valid_batches: int
    n_test_batches: int
    valid_batch_size: int
    test_batch_size: int


def minibatch_plan(datasets, batch_size, n_train=None):
    """The minibatch counts and evaluation batch sizes of load_data's splits.

    `n_train` trains on the first `n_train` training examples only.
    """
    (train_set_x, _), (valid_set_x, _), (test_set_x, _) = datasets
    valid_batch_size = evaluation_batch_size(valid_set_x, batch_size)
    test_batch_size = evaluation_batch_size(test_set_x, batch_size)
    devices = requested_devices()
    for size, split in ((batch_size, "training"), (valid_batch_size, "validation"), (test_batch_size, "test")):
        if size < devices:  # a minibatch is split along its batch axis, at least one example per device
            raise BatchSizeError(f"a {split} minibatch of {size} examples cannot be split across {devices} devices; "
                                 f"use --batch-size of at least {devices}, or fewer --devices")
    return MinibatchPlan(minibatch_count(train_set_x, batch_size, "training", n_train),
                         minibatch_count(valid_set_x, valid_batch_size, "validation"),
                         minibatch_count(test_set_x, test_batch_size, "test"),
                         valid_batch_size, test_batch_size)
