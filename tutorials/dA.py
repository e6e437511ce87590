"""Denoising auto-encoders (the deeplearning.net dA tutorial), written against symconv.

    python tutorials/dA.py [--data SOURCE] [--epochs N] [--batch-size N] [--learning-rate F]
                           [--seed N] [--out DIR] [--n-hidden N] [--n-train N]

An auto-encoder encodes its input x as a hidden code y = s(x W + b) and decodes
it back as z = s(y W' + b'); here the weights are tied, W' = W^T.  It learns by
making z close to x under the cross-entropy

    L(x, z) = - sum_k [ x_k log z_k + (1 - x_k) log(1 - z_k) ].

The *denoising* variant first destroys part of the input: each pixel is set to
zero with probability `corruption_level`, giving x~, and the code is computed
from x~ while the reconstruction is still compared with the clean x.  To undo
the damage the hidden units must capture how pixels depend on each other,
which gives more useful features than a plain auto-encoder.

The script trains one dA without corruption and one with 30% corruption, and
draws the first 100 filters (rows of W^T as 28x28 images) of each:
``filters_corruption_0.png`` and ``filters_corruption_30.png`` in --out.

References: Vincent, Larochelle, Bengio & Manzagol, "Extracting and Composing
Robust Features with Denoising Autoencoders", ICML 2008.  Bengio, Lamblin,
Popovici & Larochelle, "Greedy Layer-Wise Training of Deep Networks", NIPS 2006.
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


class dA(object):  # noqa: N801 - the tutorial's name
    """A denoising auto-encoder with tied weights.

    Built on a symbolic `input` (a matrix, one example per row; a fresh
    ``T.dmatrix`` when None).  `W`, `bhid` and `bvis` may be given as shared
    variables to share them with another model: the SdA gives each of its
    dAs the weights of one of its sigmoid layers.
    """

    def __init__(self, numpy_rng, theano_rng=None, input=None, n_visible=784, n_hidden=500,
                 W=None, bhid=None, bvis=None):
        self.n_visible = n_visible
        self.n_hidden = n_hidden

        # The symbolic random generator draws the corruption masks.
        if not theano_rng:
            theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))

        if not W:
            # Uniform in +-4 sqrt(6 / (n_visible + n_hidden)): the range suited to sigmoid units.
            bound = 4 * numpy.sqrt(6. / (n_hidden + n_visible))
            initial_W = numpy.asarray(numpy_rng.uniform(low=-bound, high=bound, size=(n_visible, n_hidden)),
                                      dtype=theano.config.floatX)
            W = theano.shared(value=initial_W, name='W', borrow=True)
        if not bvis:
            bvis = theano.shared(value=numpy.zeros(n_visible, dtype=theano.config.floatX), name='b_prime',
                                 borrow=True)
        if not bhid:
            bhid = theano.shared(value=numpy.zeros(n_hidden, dtype=theano.config.floatX), name='b', borrow=True)

        self.W = W
        self.b = bhid            # bias of the hidden units
        self.b_prime = bvis      # bias of the visible (reconstructed) units
        self.W_prime = self.W.T  # tied weights
        self.theano_rng = theano_rng
        # A minibatch is a matrix with one example per row.
        self.x = T.dmatrix(name='input') if input is None else input

        self.params = [self.W, self.b, self.b_prime]

    def get_corrupted_input(self, input, corruption_level):
        """`input` with each entry zeroed with probability `corruption_level` (a float or a symbolic scalar).

        The mask is a binomial draw with one trial and success probability
        ``1 - corruption_level``; asking for floatX samples keeps the product
        in floatX (the default int64 samples times float32 would be float64).
        """
        return self.theano_rng.binomial(size=input.shape, n=1, p=1 - corruption_level,
                                        dtype=theano.config.floatX) * input

    def get_hidden_values(self, input):
        """The code y = sigmoid(input W + b)."""
        return T.nnet.sigmoid(T.dot(input, self.W) + self.b)

    def get_reconstructed_input(self, hidden):
        """The reconstruction z = sigmoid(hidden W' + b')."""
        return T.nnet.sigmoid(T.dot(hidden, self.W_prime) + self.b_prime)

    def get_cost_updates(self, corruption_level, learning_rate):
        """The mean reconstruction cross-entropy of the minibatch, and the SGD updates that lower it."""
        tilde_x = self.get_corrupted_input(self.x, corruption_level)
        y = self.get_hidden_values(tilde_x)
        z = self.get_reconstructed_input(y)
        # One cross-entropy per example (summed over the pixels), averaged over the minibatch.
        # log(z) and log(1 - z) of a sigmoid are computed stably (as softplus) when compiled.
        L = - T.sum(self.x * T.log(z) + (1 - self.x) * T.log(1 - z), axis=1)
        cost = T.mean(L)

        gparams = T.grad(cost, self.params)
        updates = [(param, param - learning_rate * gparam) for param, gparam in zip(self.params, gparams)]
        return cost, updates


def build_dA_trainer(train_set_x, x, index, batch_size, corruption_level, learning_rate, n_hidden, seed, label):
    """A fresh dA on `x` and its training function ``train_da(minibatch_index) -> cost``."""
    rng = numpy.random.RandomState(seed)
    theano_rng = RandomStreams(rng.randint(2 ** 30))
    da = dA(numpy_rng=rng, theano_rng=theano_rng, input=x, n_visible=28 * 28, n_hidden=n_hidden)
    cost, updates = da.get_cost_updates(corruption_level=corruption_level, learning_rate=learning_rate)
    train_da = theano.function([index], cost, updates=updates,
                               givens={x: train_set_x[index * batch_size:(index + 1) * batch_size]},
                               name='train_da_%s' % label)
    return da, train_da


def test_dA(learning_rate=0.1, training_epochs=15, dataset=None, batch_size=20, output_folder='dA_plots',
            n_hidden=500, seed=123, n_train=None, corruption_levels=(0., 0.3)):
    """Trains a dA at each corruption level and saves its filters; returns ``{level: [mean cost per epoch]}``.

    dataset      a source for ``symconv.datasets.load_data`` (None: the bundled MNIST sample)
    n_train      use only the first `n_train` training examples (None: all)
    The figure of level c is ``filters_corruption_<100c>.png`` in `output_folder`.
    """
    datasets = load_data(dataset)
    train_set_x, train_set_y = datasets[0]

    n_train_batches = count_training_batches(train_set_x, batch_size, n_train)

    index = T.lscalar('index')  # index of a minibatch
    x = T.matrix('x')           # the minibatch, one rasterized image per row

    if not os.path.isdir(output_folder):
        os.makedirs(output_folder)

    history = {}
    for corruption_level in corruption_levels:
        percent = int(round(100 * corruption_level))
        # Both dAs start from the same weights (same seed): only the corruption differs.
        da, train_da = build_dA_trainer(train_set_x, x, index, batch_size, corruption_level, learning_rate,
                                        n_hidden, seed, percent)

        start_time = timeit.default_timer()
        costs = []
        for epoch in range(training_epochs):
            c = [train_da(batch_index) for batch_index in range(n_train_batches)]
            costs.append(float(numpy.mean(c, dtype='float64')))
            print('Training epoch %d, cost %f' % (epoch, costs[-1]))
        training_time = timeit.default_timer() - start_time
        print('The %d%% corruption code for file %s ran for %.2fm'
              % (percent, os.path.split(__file__)[1], training_time / 60.), file=sys.stderr)

        image = PIL.Image.fromarray(tile_raster_images(
            X=da.W.get_value(borrow=True).T, img_shape=(28, 28), tile_shape=(10, 10), tile_spacing=(1, 1)))
        image.save(os.path.join(output_folder, 'filters_corruption_%d.png' % percent))
        history[corruption_level] = costs
    return history


def main(argv=None):
    parser = tutorial_parser('dA.py', 'Train denoising auto-encoders (0%% and 30%% corruption) on MNIST and '
                             'draw their filters.', epochs=15, batch_size=20, learning_rate=0.1, seed=123,
                             out='dA_plots')
    parser.add_argument('--n-hidden', type=int, default=500, metavar='N',
                        help='hidden units (default: %(default)s)')
    args = parser.parse_args(argv)
    try:
        test_dA(learning_rate=args.learning_rate, training_epochs=args.epochs, dataset=args.dataset,
                batch_size=args.batch_size, output_folder=args.out, n_hidden=args.n_hidden, seed=args.seed,
                n_train=args.n_train)
    except DatasetError as error:  # a bad --data: say so, without a traceback
        parser.error(str(error))
    return 0


if __name__ == '__main__':
    sys.exit(main())
