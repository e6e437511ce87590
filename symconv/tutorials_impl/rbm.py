"""rbm.py: a restricted Boltzmann machine on MNIST, trained with PCD-k (``symconv.layers.RBM``).

Training prints a proxy of its progress each epoch: the pseudo-likelihood (it
rises towards 0).  The filters are drawn after every epoch
(``filters_at_epoch_<i>.png``); then `n_chains` Gibbs chains run from test
digits and their mean-field visible units are drawn every `plot_every`
steps (``samples.png``).  The run folder's ``best_model.npz`` is the RBM.
"""
import numpy

import symconv as theano
from symconv.tensor.shared_randomstreams import RandomStreams

from ..layers import RBM
from .runner import TutorialRun
from .tiles import tile_raster_images


def test_rbm(learning_rate=0.1, n_epochs=15, dataset=None, batch_size=20, n_chains=20, n_samples=10,
             out_dir=None, n_hidden=500, k=15, plot_every=1000, seed=123, plots=None, resume=False,
             overwrite=False, allow_changed_settings=False, n_train=None):
    """Trains an RBM with PCD-k, then samples from it; returns a dict of what happened.

    ``costs``: the mean pseudo-likelihood of each epoch; ``samples``: the
    `n_samples` mean-field images of each of the `n_chains` chains,
    (n_samples, n_chains, 784); ``rbm``: the trained model.  The other
    arguments are as in ``sgd_optimization_mnist``.
    """
    run = TutorialRun("rbm", "rbm.py", locals())
    rng = numpy.random.RandomState(seed)
    theano_rng = RandomStreams(rng.randint(2 ** 30))

    # The persistent chain's hidden state, one row per example of a minibatch.
    persistent_chain = theano.shared(numpy.zeros((batch_size, n_hidden), dtype=theano.config.floatX), borrow=True)
    rbm = RBM(input=run.x, n_visible=28 * 28, n_hidden=n_hidden, numpy_rng=rng, theano_rng=theano_rng)
    cost, updates = rbm.get_cost_updates(lr=learning_rate, persistent=persistent_chain, k=k)
    train_rbm = run.minibatch_function(cost, updates=updates, labels=False, name="train_rbm")

    # The filters after each epoch.
    costs = run.train_epochs(train_rbm.map, n_epochs, "Training epoch %d, cost is %f", params=rbm.params,
                             on_epoch_end=lambda epoch: run.filters("filters_at_epoch_%i.png" % epoch, rbm))
    samples = sample_chains(run, rbm, rng, n_chains, n_samples, plot_every)
    run.finish_unsupervised(rbm, epoch_costs=costs)
    return {"costs": costs, "samples": samples, "rbm": rbm}


test_rbm.__test__ = False  # the tutorial's name, not a pytest test


def sample_chains(run, rbm, rng, n_chains, n_samples, plot_every):
    """Runs `n_chains` Gibbs chains from test digits; draws and returns `n_samples` mean-field images of each."""
    test_set_x = run.datasets[2][0]
    number_of_test_samples = test_set_x.get_value(borrow=True).shape[0]
    # The chains start from `n_chains` consecutive test digits at a random place.
    test_idx = rng.randint(number_of_test_samples - n_chains)
    persistent_vis_chain = theano.shared(numpy.asarray(
        test_set_x.get_value(borrow=True)[test_idx:test_idx + n_chains], dtype=theano.config.floatX))

    # One call runs `plot_every` Gibbs steps (successive samples are too alike to be worth drawing),
    # returning the last mean-field visible units and the last sample; the sample becomes the chain's
    # new state through the updates.
    ([presig_hids, hid_mfs, hid_samples, presig_vis, vis_mfs, vis_samples], updates) = theano.scan(
        rbm.gibbs_vhv, outputs_info=[None, None, None, None, None, persistent_vis_chain], n_steps=plot_every)
    updates.update({persistent_vis_chain: vis_samples[-1]})
    sample_fn = theano.function([], [vis_mfs[-1], vis_samples[-1]], updates=updates, name="sample_fn")

    samples = []
    for idx in range(n_samples):
        vis_mf, vis_sample = sample_fn()
        samples.append(vis_mf)
        print(" ... plotting sample %d" % idx)
    # One row of tiles per plotted step, one column per chain (28 pixels + 1 of spacing each).
    image_data = numpy.zeros((29 * n_samples + 1, 29 * n_chains - 1), dtype="uint8")
    for idx, vis_mf in enumerate(samples):
        image_data[29 * idx:29 * idx + 28, :] = tile_raster_images(X=vis_mf, img_shape=(28, 28),
                                                                   tile_shape=(1, n_chains), tile_spacing=(1, 1))
    run.image("samples.png", image_data)
    return numpy.asarray(samples)
