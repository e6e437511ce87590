"""The tutorials' console lines, character for character.

People compare a port's output with logs from the original deeplearning.net
tutorials, so the wording (odd spacing included) follows their source.
"""

VALIDATION = "epoch %i, minibatch %i/%i, validation error %f %%"
TEST = "     epoch %i, minibatch %i/%i, test error of best model %f %%"
# convolutional_mlp.py does ``print('training @ iter = ', iter)``: print's
# separator makes that two spaces before the number.
TRAINING_AT = "training @ iter =  %i"

SUMMARY_STYLES = ("mlp", "lenet", "logistic", "deep")


def validation_line(epoch, minibatch, n_train_batches, loss):
    return VALIDATION % (epoch, minibatch, n_train_batches, loss * 100.0)


def test_line(epoch, minibatch, n_train_batches, score):
    return TEST % (epoch, minibatch, n_train_batches, score * 100.0)


def training_at_line(iteration):
    return TRAINING_AT % iteration


def summary_lines(style, result):
    """The closing lines of mlp.py, convolutional_mlp.py ('lenet'), logistic_sgd.py or SdA.py and DBN.py ('deep').

    Like the tutorials, the iteration reported is ``best_iter + 1`` (a count of
    minibatches, not the zero-based index).
    """
    best = result.best_validation_loss * 100.0
    test = result.test_score * 100.0
    if style == "mlp":
        return [
            "Optimization complete. Best validation score of %f %% "
            "obtained at iteration %i, with test performance %f %%" % (best, result.best_iter + 1, test)
        ]
    if style == "lenet":
        return [
            "Optimization complete.",
            "Best validation score of %f %% obtained at iteration %i, "
            "with test performance %f %%" % (best, result.best_iter + 1, test),
        ]
    if style == "logistic":
        epochs_per_second = result.epochs / result.seconds if result.seconds > 0 else float("inf")
        return [
            "Optimization complete with best validation score of %f %%,"
            "with test performance %f %%" % (best, test),
            "The code run for %d epochs, with %f epochs/sec" % (result.epochs, epochs_per_second),
        ]
    if style == "deep":
        return [
            "Optimization complete with best validation score of %f %%, on iteration %i, "
            "with test performance %f %%" % (best, result.best_iter + 1, test)
        ]
    raise ValueError(f"summary must be one of {SUMMARY_STYLES} or None, got {style!r}")
