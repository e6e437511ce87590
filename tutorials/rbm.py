"""Restricted Boltzmann machines (the deeplearning.net RBM tutorial), written against symconv.

    python tutorials/rbm.py [--data SOURCE] [--epochs N] [--batch-size N] [--learning-rate F]
                            [--seed N] [--out DIR] [--n-hidden N] [--k N] [--n-train N]
                            [--n-chains N] [--n-samples N] [--plot-every N]

An RBM is an energy-based model of binary visible units v and hidden units h
with connections only between the two layers:

    E(v, h) = - v b_vis - h b_hid - v W h,     p(v, h) ~ exp(-E(v, h)).

Summing out h gives the free energy F(v) = - v b_vis - sum_j log(1 + exp(v W_j + b_hid_j)),
and the layers are conditionally independent given each other:
p(h_j = 1 | v) = sigmoid(v W_j + b_hid_j), p(v_i = 1 | h) = sigmoid(W_i h + b_vis_i),
so block Gibbs sampling alternates between the two layers.

The gradient of the log-likelihood is dF/dtheta at the data minus its
expectation under the model.  Contrastive divergence (CD-k) estimates the
second term with a sample reached by k Gibbs steps from the data; persistent
CD (PCD-k) continues one chain from minibatch to minibatch instead.  The Gibbs
chain is a ``scan``, and ``T.grad(..., consider_constant=[chain_end])`` keeps
the gradient from flowing through the sampling.

Training prints a proxy of its progress each epoch: the pseudo-likelihood for
PCD (it rises towards 0), the reconstruction cross-entropy for CD.  The script
trains with PCD-15, draws the filters after every epoch
(``filters_at_epoch_<i>.png``), then runs `n_chains` Gibbs chains from test
digits and draws the mean-field visible units every `plot_every` steps
(``samples.png``), all in --out.
"""
import os
import sys
import timeit

import numpy
import PIL.Image

import symconv as theano
import symconv.tensor as T
from symconv.datasets import DatasetError, load_data
from symconv.tensor.shared_randomstreams import RandomStreams

from utils import count_training_batches, tile_raster_images, tutorial_parser


class RBM(object):
    """A restricted Boltzmann machine with binary units.

    `input` is the symbolic minibatch (a fresh ``T.matrix`` when None).  `W`,
    `hbias` and `vbias` may be given as shared variables, to share them with
    another model: in a DBN, each RBM uses the weights of one sigmoid layer.
    """

    def __init__(self, input=None, n_visible=784, n_hidden=500, W=None, hbias=None, vbias=None,
                 numpy_rng=None, theano_rng=None):
        self.n_visible = n_visible
        self.n_hidden = n_hidden

        if numpy_rng is None:
            numpy_rng = numpy.random.RandomState(1234)
        if theano_rng is None:
            theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))

        if W is None:
            # Uniform in +-4 sqrt(6 / (n_visible + n_hidden)), the range suited to sigmoid units.
            bound = 4 * numpy.sqrt(6. / (n_hidden + n_visible))
            initial_W = numpy.asarray(numpy_rng.uniform(low=-bound, high=bound, size=(n_visible, n_hidden)),
                                      dtype=theano.config.floatX)
            W = theano.shared(value=initial_W, name='W', borrow=True)
        if hbias is None:
            hbias = theano.shared(value=numpy.zeros(n_hidden, dtype=theano.config.floatX), name='hbias',
                                  borrow=True)
        if vbias is None:
            vbias = theano.shared(value=numpy.zeros(n_visible, dtype=theano.config.floatX), name='vbias',
                                  borrow=True)

        self.input = input
        if not input:
            self.input = T.matrix('input')

        self.W = W
        self.hbias = hbias
        self.vbias = vbias
        self.theano_rng = theano_rng
        # Only the shared variables created for this RBM (or given to it) belong here:
        # they are what get_cost_updates trains.
        self.params = [self.W, self.hbias, self.vbias]

    def free_energy(self, v_sample):
        """F(v) for each row of `v_sample`."""
        wx_b = T.dot(v_sample, self.W) + self.hbias
        vbias_term = T.dot(v_sample, self.vbias)
        # log(1 + exp(.)) is compiled as a stable softplus.
        hidden_term = T.sum(T.log(1 + T.exp(wx_b)), axis=1)
        return -hidden_term - vbias_term

    def propup(self, vis):
        """The hidden units' pre-sigmoid activation and their mean, given the visible units.

        The pre-sigmoid value is returned too, so that costs can apply
        ``log(sigmoid(.))`` to it directly (see get_reconstruction_cost).
        """
        pre_sigmoid_activation = T.dot(vis, self.W) + self.hbias
        return [pre_sigmoid_activation, T.nnet.sigmoid(pre_sigmoid_activation)]

    def sample_h_given_v(self, v0_sample):
        """[pre-sigmoid activation, mean, binary sample] of the hidden units given `v0_sample`."""
        pre_sigmoid_h1, h1_mean = self.propup(v0_sample)
        # floatX samples keep the rest of the graph in floatX (the default dtype is int64).
        h1_sample = self.theano_rng.binomial(size=h1_mean.shape, n=1, p=h1_mean, dtype=theano.config.floatX)
        return [pre_sigmoid_h1, h1_mean, h1_sample]

    def propdown(self, hid):
        """The visible units' pre-sigmoid activation and their mean, given the hidden units."""
        pre_sigmoid_activation = T.dot(hid, self.W.T) + self.vbias
        return [pre_sigmoid_activation, T.nnet.sigmoid(pre_sigmoid_activation)]

    def sample_v_given_h(self, h0_sample):
        """[pre-sigmoid activation, mean, binary sample] of the visible units given `h0_sample`."""
        pre_sigmoid_v1, v1_mean = self.propdown(h0_sample)
        v1_sample = self.theano_rng.binomial(size=v1_mean.shape, n=1, p=v1_mean, dtype=theano.config.floatX)
        return [pre_sigmoid_v1, v1_mean, v1_sample]

    def gibbs_hvh(self, h0_sample):
        """One Gibbs step from the hidden layer: h -> v -> h (six outputs, visible ones first)."""
        pre_sigmoid_v1, v1_mean, v1_sample = self.sample_v_given_h(h0_sample)
        pre_sigmoid_h1, h1_mean, h1_sample = self.sample_h_given_v(v1_sample)
        return [pre_sigmoid_v1, v1_mean, v1_sample, pre_sigmoid_h1, h1_mean, h1_sample]

    def gibbs_vhv(self, v0_sample):
        """One Gibbs step from the visible layer: v -> h -> v (six outputs, hidden ones first)."""
        pre_sigmoid_h1, h1_mean, h1_sample = self.sample_h_given_v(v0_sample)
        pre_sigmoid_v1, v1_mean, v1_sample = self.sample_v_given_h(h1_sample)
        return [pre_sigmoid_h1, h1_mean, h1_sample, pre_sigmoid_v1, v1_mean, v1_sample]

    def get_cost_updates(self, lr=0.1, persistent=None, k=1):
        """One step of CD-k (`persistent` None) or PCD-k: ``(monitoring cost, updates)``.

        lr          learning rate, a float or a symbolic scalar
        persistent  for PCD, a shared (batch size, n_hidden) matrix holding the chain's hidden state
        k           Gibbs steps per update
        The updates (a dictionary) hold the random streams' new states, the
        parameters' SGD steps and, for PCD, the chain's new state.
        """
        # Positive phase.
        pre_sigmoid_ph, ph_mean, ph_sample = self.sample_h_given_v(self.input)

        # CD starts the negative chain at the hidden sample of the data; PCD where it stopped last time.
        chain_start = ph_sample if persistent is None else persistent

        # Negative phase: k Gibbs steps.  The first five outputs are not fed back (None);
        # the sixth, the hidden sample, is the state carried from step to step.
        ([pre_sigmoid_nvs, nv_means, nv_samples, pre_sigmoid_nhs, nh_means, nh_samples], updates) = theano.scan(
            self.gibbs_hvh, outputs_info=[None, None, None, None, None, chain_start], n_steps=k, name="gibbs_hvh")

        # Only the end of the chain enters the cost.
        chain_end = nv_samples[-1]
        cost = T.mean(self.free_energy(self.input)) - T.mean(self.free_energy(chain_end))
        # The sample is a constant for the gradient: no differentiation through the Gibbs chain.
        gparams = T.grad(cost, self.params, consider_constant=[chain_end])

        for gparam, param in zip(gparams, self.params):
            # The learning rate is cast so that the update keeps the parameter's dtype.
            updates[param] = param - gparam * T.cast(lr, dtype=theano.config.floatX)

        if persistent:
            # (persistent must be a shared variable.)
            updates[persistent] = nh_samples[-1]
            monitoring_cost = self.get_pseudo_likelihood_cost(updates)
        else:
            monitoring_cost = self.get_reconstruction_cost(updates, pre_sigmoid_nvs[-1])
        return monitoring_cost, updates

    def get_pseudo_likelihood_cost(self, updates):
        """A stochastic estimate of the pseudo-log-likelihood, n_visible * log p(x_i | x_-i).

        Each call looks at one bit i, the next one at i + 1 (a shared counter
        advanced by `updates`), so an epoch averages over all the bits.
        """
        bit_i_idx = theano.shared(value=0, name='bit_i_idx')

        # The input made binary.
        xi = T.round(self.input)
        fe_xi = self.free_energy(xi)

        # The same images with bit i flipped; xi itself is left as it is.
        xi_flip = T.set_subtensor(xi[:, bit_i_idx], 1 - xi[:, bit_i_idx])
        fe_xi_flip = self.free_energy(xi_flip)

        # log p(x_i | x_-i) = log sigmoid(F(x with x_i flipped) - F(x)).
        cost = T.mean(self.n_visible * T.log(T.nnet.sigmoid(fe_xi_flip - fe_xi)))

        updates[bit_i_idx] = (bit_i_idx + 1) % self.n_visible
        return cost

    def get_reconstruction_cost(self, updates, pre_sigmoid_nv):
        """Mean over the minibatch of sum_k [x_k log z_k + (1 - x_k) log(1 - z_k)], z the reconstruction.

        It takes the pre-sigmoid activation so that log(sigmoid(.)) and
        log(1 - sigmoid(.)) appear outside the scan, where they are computed
        stably as softplus: the sigmoid of a saturated unit rounds to 0 or 1,
        whose log would be -inf.
        """
        return T.mean(T.sum(self.input * T.log(T.nnet.sigmoid(pre_sigmoid_nv))
                            + (1 - self.input) * T.log(1 - T.nnet.sigmoid(pre_sigmoid_nv)), axis=1))


def test_rbm(learning_rate=0.1, training_epochs=15, dataset=None, batch_size=20, n_chains=20, n_samples=10,
             output_folder='rbm_plots', n_hidden=500, k=15, plot_every=1000, seed=123, n_train=None):
    """Trains an RBM with PCD-k, then samples from it; returns a dict of what happened.

    ``costs``: the mean pseudo-likelihood of each epoch; ``samples``: the
    `n_samples` mean-field images of each of the `n_chains` chains,
    (n_samples, n_chains, 784); ``rbm``: the trained model.  Figures go to
    `output_folder`.  `n_train` limits training to the first examples.
    """
    datasets = load_data(dataset)
    train_set_x, train_set_y = datasets[0]
    test_set_x, test_set_y = datasets[2]

    n_train_batches = count_training_batches(train_set_x, batch_size, n_train)

    index = T.lscalar('index')  # index of a minibatch
    x = T.matrix('x')           # the minibatch, one rasterized image per row

    rng = numpy.random.RandomState(seed)
    theano_rng = RandomStreams(rng.randint(2 ** 30))

    # The persistent chain's hidden state, one row per example of a minibatch.
    persistent_chain = theano.shared(numpy.zeros((batch_size, n_hidden), dtype=theano.config.floatX),
                                     borrow=True)

    rbm = RBM(input=x, n_visible=28 * 28, n_hidden=n_hidden, numpy_rng=rng, theano_rng=theano_rng)
    cost, updates = rbm.get_cost_updates(lr=learning_rate, persistent=persistent_chain, k=k)

    ###################
    # Training        #
    ###################
    if not os.path.isdir(output_folder):
        os.makedirs(output_folder)

    train_rbm = theano.function([index], cost, updates=updates,
                                givens={x: train_set_x[index * batch_size:(index + 1) * batch_size]},
                                name='train_rbm')

    plotting_time = 0.
    start_time = timeit.default_timer()
    costs = []
    for epoch in range(training_epochs):
        mean_cost = [train_rbm(batch_index) for batch_index in range(n_train_batches)]
        costs.append(float(numpy.mean(mean_cost, dtype='float64')))
        print('Training epoch %d, cost is %f' % (epoch, costs[-1]))

        # The filters after each epoch (not counted in the training time).
        plotting_start = timeit.default_timer()
        image = PIL.Image.fromarray(tile_raster_images(X=rbm.W.get_value(borrow=True).T, img_shape=(28, 28),
                                                       tile_shape=(10, 10), tile_spacing=(1, 1)))
        image.save(os.path.join(output_folder, 'filters_at_epoch_%i.png' % epoch))
        plotting_time += timeit.default_timer() - plotting_start

    pretraining_time = timeit.default_timer() - start_time - plotting_time
    print('Training took %f minutes' % (pretraining_time / 60.))

    ###################
    # Sampling        #
    ###################
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
    sample_fn = theano.function([], [vis_mfs[-1], vis_samples[-1]], updates=updates, name='sample_fn')

    # One row of tiles per plotted step, one column per chain (28 pixels + 1 of spacing each).
    image_data = numpy.zeros((29 * n_samples + 1, 29 * n_chains - 1), dtype='uint8')
    samples = []
    for idx in range(n_samples):
        vis_mf, vis_sample = sample_fn()
        samples.append(vis_mf)
        print(' ... plotting sample %d' % idx)
        image_data[29 * idx:29 * idx + 28, :] = tile_raster_images(X=vis_mf, img_shape=(28, 28),
                                                                   tile_shape=(1, n_chains), tile_spacing=(1, 1))
    PIL.Image.fromarray(image_data).save(os.path.join(output_folder, 'samples.png'))
    return {'costs': costs, 'samples': numpy.asarray(samples), 'rbm': rbm}


def main(argv=None):
    parser = tutorial_parser('rbm.py', 'Train an RBM with persistent contrastive divergence on MNIST, draw '
                             'its filters and samples from it.', epochs=15, batch_size=20, learning_rate=0.1,
                             seed=123, out='rbm_plots')
    parser.add_argument('--n-hidden', type=int, default=500, metavar='N', help='hidden units (default: %(default)s)')
    parser.add_argument('--k', type=int, default=15, metavar='N',
                        help='Gibbs steps per update, PCD-k (default: %(default)s)')
    parser.add_argument('--n-chains', type=int, default=20, metavar='N',
                        help='Gibbs chains sampled at the end (default: %(default)s)')
    parser.add_argument('--n-samples', type=int, default=10, metavar='N',
                        help='samples drawn from each chain (default: %(default)s)')
    parser.add_argument('--plot-every', type=int, default=1000, metavar='N',
                        help='Gibbs steps between drawn samples (default: %(default)s)')
    args = parser.parse_args(argv)
    try:
        test_rbm(learning_rate=args.learning_rate, training_epochs=args.epochs, dataset=args.dataset,
                 batch_size=args.batch_size, n_chains=args.n_chains, n_samples=args.n_samples, output_folder=args.out,
                 n_hidden=args.n_hidden, k=args.k, plot_every=args.plot_every, seed=args.seed, n_train=args.n_train)
    except DatasetError as error:  # a bad --data: say so, without a traceback
        parser.error(str(error))
    return 0


if __name__ == '__main__':
    sys.exit(main())
