"""dA.py: denoising auto-encoders on MNIST (``symconv.layers.dA``).

Trains one dA per corruption level (the tutorial: none, then 30%), each from
the same initial weights, for a fixed number of epochs, and draws the first
100 filters (rows of W^T as 28x28 images) of each:
``filters_corruption_0.png`` and ``filters_corruption_30.png``.  The run
folder's ``best_model.npz`` is the dA of the last level.
"""
import time

import numpy

from symconv.tensor.shared_randomstreams import RandomStreams

from ..layers import dA
from .runner import TutorialRun, report_wall_time


def test_dA(learning_rate=0.1, n_epochs=15, dataset=None, batch_size=20, out_dir=None, n_hidden=500, seed=123,
            corruption_levels=(0.0, 0.3), plots=None, resume=False,
            overwrite=False, allow_changed_settings=False, n_train=None):
    """Trains a dA at each corruption level; returns ``{level: [mean cost of each epoch]}``.

    The arguments are as in ``sgd_optimization_mnist``; `plots` draws each
    level's filters into `out_dir`.
    """
    run = TutorialRun("da", "dA.py", locals())
    history = {}
    for corruption_level in corruption_levels:
        percent = int(round(100 * corruption_level))
        # Both dAs start from the same weights (same seed): only the corruption differs.
        rng = numpy.random.RandomState(seed)
        theano_rng = RandomStreams(rng.randint(2 ** 30))
        da = dA(numpy_rng=rng, theano_rng=theano_rng, input=run.x, n_visible=28 * 28, n_hidden=n_hidden)
        cost, updates = da.get_cost_updates(corruption_level=corruption_level, learning_rate=learning_rate)
        train_da = run.minibatch_function(cost, updates=updates, labels=False, name="train_da_%d" % percent)

        start_time = time.perf_counter()
        history[corruption_level] = run.train_epochs(train_da.map, n_epochs, params=da.params,
                                                     phase="the dA at %d%% corruption" % percent)
        report_wall_time(run.script, time.perf_counter() - start_time, what="%d%% corruption code" % percent)
        run.filters("filters_corruption_%d.png" % percent, da)
    run.finish_unsupervised(da, epoch_costs={str(level): costs for level, costs in history.items()})
    return history


test_dA.__test__ = False  # the tutorial's name, not a pytest test
