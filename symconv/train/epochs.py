"""The unsupervised tutorials' loop: every minibatch, a fixed number of epochs, each epoch's mean cost printed.

dA.py and rbm.py train this way, and SdA.py and DBN.py pre-train each layer
this way before their supervised fine-tuning (``early_stopping``).
"""
import numpy as np

from .divergence import TrainingDiverged, check_costs, check_parameters
from .state import mean_cost


def train_epochs(n_train_batches, n_epochs, train_fn=None, *, train_epoch_fn=None,
                 line="Training epoch %d, cost %f", print_fn=print, on_epoch_end=None, params=None):
    """Trains `n_epochs` epochs of `n_train_batches` minibatches; returns each epoch's mean cost.

    ``train_fn(minibatch_index)`` trains on one minibatch and returns its
    cost; ``train_epoch_fn(indices)``, when given, replaces it and trains on
    the minibatch ``indices`` (an int32 array) in one dispatch.  After each
    epoch, ``line % (epoch, mean cost)`` is printed (epochs count from 0, as
    in the tutorials) and ``on_epoch_end(epoch)`` is called.

    Before that, a NaN or infinite cost of the epoch, or parameter (``params``,
    shared variables, checked on their device) raises ``TrainingDiverged``
    naming the epoch (counted as the line counts it) and the minibatch; its
    ``costs`` are those of the epochs before.
    """
    if n_train_batches < 1:
        raise ValueError(f"need n_train_batches >= 1, got {n_train_batches}")
    if (train_fn is None) == (train_epoch_fn is None):
        raise ValueError("give one of train_fn and train_epoch_fn")
    costs = []
    for epoch in range(n_epochs):
        if train_epoch_fn is not None:
            epoch_costs = [train_epoch_fn(np.arange(n_train_batches, dtype=np.int32))]
        else:
            epoch_costs = [train_fn(index) for index in range(n_train_batches)]
        try:
            check_costs(epoch_costs, epoch)
            check_parameters(params, epoch, n_train_batches)
        except TrainingDiverged as diverged:
            diverged.costs = costs
            raise
        costs.append(mean_cost(epoch_costs))
        print_fn(line % (epoch, costs[-1]))
        if on_epoch_end is not None:
            on_epoch_end(epoch)
    return costs
