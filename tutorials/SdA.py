"""Stacked denoising auto-encoders (the deeplearning.net SdA tutorial), written against symconv.

    python tutorials/SdA.py [--data SOURCE] [--epochs N] [--batch-size N] [--learning-rate F]
                            [--seed N] [--out DIR] [--pretraining-epochs N] [--pretrain-lr F]
                            [--hidden-layers N,N,...] [--corruption-levels F,F,...] [--n-train N]

An SdA is a deep multilayer perceptron of sigmoid layers whose weights are
first set, one layer at a time, by training a denoising auto-encoder (see
dA.py) on the previous layer's output: the dA of layer i shares W and the
hidden bias with sigmoid layer i.  This unsupervised *pre-training* needs no
labels.  A logistic regression layer is then put on top and the whole network
is *fine-tuned* by supervised SGD on the labels, with the early stopping of
the MLP tutorial.

--epochs and --learning-rate are those of the fine-tuning; the pre-training
has its own.  Defaults are the tutorial's (three layers of 1000 units,
corruption 10%, 20%, 30%, minibatches of 1), which is long on a CPU: try
``--hidden-layers 500,500 --batch-size 20 --pretraining-epochs 3 --epochs 20``.
The first layer's filters are drawn after pre-training and after fine-tuning
(``filters_layer0_pretrained.png``, ``filters_layer0_finetuned.png`` in --out).
"""
import os
import sys
import timeit

import numpy
import PIL.Image

import symconv as theano
import symconv.tensor as T
from symconv.datasets import DatasetError, load_data
from symconv.layers import HiddenLayer, LogisticRegression
from symconv.sandbox.rng_mrg import MRG_RandomStreams as RandomStreams

from dA import dA
from utils import count_training_batches, early_stopping, tile_raster_images, tutorial_parser


class SdA(object):
    """A stack of sigmoid layers, each pre-trainable as a denoising auto-encoder, under a logistic layer.

    numpy_rng            draws the initial weights
    theano_rng           draws the corruption masks (one is made from numpy_rng when None)
    hidden_layers_sizes  units of each hidden layer (at least one)
    corruption_levels    the default corruption of each layer's dA (the pre-training functions
                         take the level as an input anyway)
    """

    def __init__(self, numpy_rng, theano_rng=None, n_ins=784, hidden_layers_sizes=(500, 500), n_outs=10,
                 corruption_levels=(0.1, 0.1)):
        self.sigmoid_layers = []
        self.dA_layers = []
        self.params = []
        self.n_layers = len(hidden_layers_sizes)
        self.corruption_levels = list(corruption_levels)
        if self.n_layers < 1:
            raise ValueError('an SdA needs at least one hidden layer')

        if not theano_rng:
            theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))
        self.x = T.matrix('x')   # the minibatch, one rasterized image per row
        self.y = T.ivector('y')  # its labels

        for i in range(self.n_layers):
            # Layer i reads the input (i = 0) or the output of layer i - 1.
            input_size = n_ins if i == 0 else hidden_layers_sizes[i - 1]
            layer_input = self.x if i == 0 else self.sigmoid_layers[-1].output

            sigmoid_layer = HiddenLayer(rng=numpy_rng, input=layer_input, n_in=input_size,
                                        n_out=hidden_layers_sizes[i], activation=T.nnet.sigmoid)
            self.sigmoid_layers.append(sigmoid_layer)
            # The network's parameters are the sigmoid layers' (and the logistic layer's);
            # the dAs' visible biases only serve the pre-training.
            self.params.extend(sigmoid_layer.params)

            # The dA of this layer shares its weights and hidden bias with the sigmoid layer,
            # so pre-training the dA sets the MLP's weights.
            dA_layer = dA(numpy_rng=numpy_rng, theano_rng=theano_rng, input=layer_input, n_visible=input_size,
                          n_hidden=hidden_layers_sizes[i], W=sigmoid_layer.W, bhid=sigmoid_layer.b)
            self.dA_layers.append(dA_layer)

        self.logLayer = LogisticRegression(input=self.sigmoid_layers[-1].output, n_in=hidden_layers_sizes[-1],
                                           n_out=n_outs)
        self.params.extend(self.logLayer.params)

        # Fine-tuning minimises the logistic layer's negative log-likelihood.
        self.finetune_cost = self.logLayer.negative_log_likelihood(self.y)
        # The fraction of the minibatch misclassified.
        self.errors = self.logLayer.errors(self.y)

    def pretraining_functions(self, train_set_x, batch_size):
        """One function per layer, ``fn(index, corruption=0.2, lr=0.1) -> cost``: an SGD step of that layer's dA.

        `index` picks the minibatch of the shared `train_set_x`; `corruption`
        and `lr` are inputs with defaults, so they can change between calls
        without recompiling.
        """
        index = T.lscalar('index')
        corruption_level = T.scalar('corruption')
        learning_rate = T.scalar('lr')
        batch_begin = index * batch_size
        batch_end = batch_begin + batch_size

        pretrain_fns = []
        for i, layer in enumerate(self.dA_layers):
            cost, updates = layer.get_cost_updates(corruption_level, learning_rate)
            fn = theano.function(inputs=[index, theano.In(corruption_level, value=0.2),
                                         theano.In(learning_rate, value=0.1)],
                                 outputs=cost, updates=updates,
                                 givens={self.x: train_set_x[batch_begin:batch_end]},
                                 name='pretrain_layer_%d' % i)
            pretrain_fns.append(fn)
        return pretrain_fns

    def build_finetune_functions(self, datasets, batch_size, learning_rate):
        """``(train_fn, valid_score, test_score)``: an SGD step on minibatch `index` of the training set,
        and two functions returning the error of every validation / test minibatch."""
        (train_set_x, train_set_y), (valid_set_x, valid_set_y), (test_set_x, test_set_y) = datasets
        n_valid_batches = valid_set_x.get_value(borrow=True).shape[0] // batch_size
        n_test_batches = test_set_x.get_value(borrow=True).shape[0] // batch_size

        index = T.lscalar('index')
        gparams = T.grad(self.finetune_cost, self.params)
        updates = [(param, param - gparam * learning_rate) for param, gparam in zip(self.params, gparams)]

        def batch(data):
            return data[index * batch_size:(index + 1) * batch_size]

        train_fn = theano.function(inputs=[index], outputs=self.finetune_cost, updates=updates,
                                   givens={self.x: batch(train_set_x), self.y: batch(train_set_y)}, name='train')
        test_score_i = theano.function([index], self.errors,
                                       givens={self.x: batch(test_set_x), self.y: batch(test_set_y)}, name='test')
        valid_score_i = theano.function([index], self.errors,
                                        givens={self.x: batch(valid_set_x), self.y: batch(valid_set_y)},
                                        name='valid')

        def valid_score():
            return [valid_score_i(i) for i in range(n_valid_batches)]

        def test_score():
            return [test_score_i(i) for i in range(n_test_batches)]

        return train_fn, valid_score, test_score


def _save_filters(W, path):
    image = PIL.Image.fromarray(tile_raster_images(X=W.get_value(borrow=True).T, img_shape=(28, 28),
                                                   tile_shape=(10, 10), tile_spacing=(1, 1)))
    image.save(path)


def test_SdA(finetune_lr=0.1, pretraining_epochs=15, pretrain_lr=0.001, training_epochs=1000, dataset=None,
             batch_size=1, hidden_layers_sizes=(1000, 1000, 1000), corruption_levels=(.1, .2, .3), seed=89677,
             output_folder='SdA_plots', n_train=None, patience=None):
    """Pre-trains an SdA layer by layer, then fine-tunes it with early stopping; returns a dict.

    ``pretraining_costs``: per layer, the mean dA cost of each epoch;
    ``validation_errors``: ``(epoch, error)`` pairs, epoch 0 being before fine-tuning;
    ``best_validation_loss``, ``best_iter``, ``test_score`` (test error of the best model), ``epochs``.
    `patience` (minibatches) defaults to 10 epochs' worth; `n_train` limits training to the first examples.
    """
    datasets = load_data(dataset)
    train_set_x, train_set_y = datasets[0]

    n_train_batches = count_training_batches(train_set_x, batch_size, n_train)
    if len(corruption_levels) != len(hidden_layers_sizes):
        raise ValueError('one corruption level per hidden layer: %d levels for %d layers'
                         % (len(corruption_levels), len(hidden_layers_sizes)))
    if not os.path.isdir(output_folder):
        os.makedirs(output_folder)

    numpy_rng = numpy.random.RandomState(seed)
    print('... building the model')
    sda = SdA(numpy_rng=numpy_rng, n_ins=28 * 28, hidden_layers_sizes=list(hidden_layers_sizes), n_outs=10,
              corruption_levels=corruption_levels)

    #########################
    # PRE-TRAINING          #
    #########################
    print('... getting the pretraining functions')
    pretraining_fns = sda.pretraining_functions(train_set_x=train_set_x, batch_size=batch_size)

    print('... pre-training the model')
    start_time = timeit.default_timer()
    pretraining_costs = []
    for i in range(sda.n_layers):
        layer_costs = []
        for epoch in range(pretraining_epochs):
            c = [pretraining_fns[i](index=batch_index, corruption=corruption_levels[i], lr=pretrain_lr)
                 for batch_index in range(n_train_batches)]
            layer_costs.append(float(numpy.mean(c, dtype='float64')))
            print('Pre-training layer %i, epoch %d, cost %f' % (i, epoch, layer_costs[-1]))
        pretraining_costs.append(layer_costs)
    end_time = timeit.default_timer()
    print('The pretraining code for file %s ran for %.2fm'
          % (os.path.split(__file__)[1], (end_time - start_time) / 60.), file=sys.stderr)
    _save_filters(sda.sigmoid_layers[0].W, os.path.join(output_folder, 'filters_layer0_pretrained.png'))

    #########################
    # FINE-TUNING           #
    #########################
    print('... getting the finetuning functions')
    train_fn, validate_model, test_model = sda.build_finetune_functions(datasets=datasets, batch_size=batch_size,
                                                                        learning_rate=finetune_lr)
    print('... finetuning the model')
    result = early_stopping(train_fn, validate_model, test_model, n_train_batches, training_epochs,
                            patience if patience is not None else 10 * n_train_batches)
    _save_filters(sda.sigmoid_layers[0].W, os.path.join(output_folder, 'filters_layer0_finetuned.png'))
    print('The training code for file %s ran for %.2fm'
          % (os.path.split(__file__)[1], result['seconds'] / 60.), file=sys.stderr)
    result['pretraining_costs'] = pretraining_costs
    result['model'] = sda
    return result


def _floats(text):
    return [float(v) for v in text.split(',') if v.strip()]


def main(argv=None):
    parser = tutorial_parser('SdA.py', 'Pre-train a stacked denoising auto-encoder on MNIST, then fine-tune it '
                             'as a classifier.', epochs=1000, batch_size=1, learning_rate=0.1, seed=89677,
                             out='SdA_plots')
    parser.add_argument('--pretraining-epochs', type=int, default=15, metavar='N',
                        help='pre-training epochs per layer (default: %(default)s)')
    parser.add_argument('--pretrain-lr', type=float, default=0.001, metavar='F',
                        help='pre-training learning rate (default: %(default)s)')
    parser.add_argument('--hidden-layers', default='1000,1000,1000', metavar='N,N,...',
                        help='units of each hidden layer (default: %(default)s)')
    parser.add_argument('--corruption-levels', default=None, metavar='F,F,...',
                        help='corruption of each layer (default: 0.1, 0.2, 0.3, ... one per layer)')
    args = parser.parse_args(argv)
    sizes = [int(v) for v in _floats(args.hidden_layers)]
    levels = _floats(args.corruption_levels) if args.corruption_levels else [0.1 * (i + 1) for i in range(len(sizes))]
    try:
        test_SdA(finetune_lr=args.learning_rate, pretraining_epochs=args.pretraining_epochs,
                 pretrain_lr=args.pretrain_lr, training_epochs=args.epochs, dataset=args.dataset,
                 batch_size=args.batch_size, hidden_layers_sizes=sizes, corruption_levels=levels, seed=args.seed,
                 output_folder=args.out, n_train=args.n_train)
    except DatasetError as error:  # a bad --data: say so, without a traceback
        parser.error(str(error))
    return 0


if __name__ == '__main__':
    sys.exit(main())
