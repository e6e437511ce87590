"""Minibatch counts, as the tutorials compute them, with a clear error when a split is too small."""


class BatchSizeError(ValueError):
    """The batch size does not fit the data (reported to the command line as a usage error)."""


def n_examples(shared_x):
    return shared_x.get_value(borrow=True).shape[0]


def minibatch_count(shared_x, batch_size, split):
    """``n_examples // batch_size`` (the remainder is left out, as in the tutorials)."""
    if batch_size < 1:
        raise BatchSizeError(f"the batch size must be at least 1, got {batch_size}")
    count = n_examples(shared_x) // batch_size
    if count < 1:
        raise BatchSizeError(f"the {split} set has {n_examples(shared_x)} examples, fewer than one minibatch of "
                         f"{batch_size}; use a smaller --batch-size")
    return count


def evaluation_batch_size(shared_x, batch_size):
    """The minibatch size for a validation or test set: `batch_size`, or the whole set if it is smaller.

    The tutorials evaluate in training-sized minibatches; on a small data set
    (the bundled sample has 500 validation and 500 test digits, the logistic
    regression tutorial's minibatch is 600) that would leave no minibatch at all.
    """
    return min(batch_size, n_examples(shared_x))


def minibatch_plan(datasets, batch_size):
    """(n_train, n_valid, n_test batches, valid batch size, test batch size) for load_data's splits."""
    (train_set_x, _), (valid_set_x, _), (test_set_x, _) = datasets
    valid_batch_size = evaluation_batch_size(valid_set_x, batch_size)
    test_batch_size = evaluation_batch_size(test_set_x, batch_size)
    return (minibatch_count(train_set_x, batch_size, "training"),
            minibatch_count(valid_set_x, valid_batch_size, "validation"),
            minibatch_count(test_set_x, test_batch_size, "test"),
            valid_batch_size, test_batch_size)
