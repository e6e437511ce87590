"""Deep networks pre-trained one layer at a time: SdA.py's stacked denoising auto-encoders and DBN.py's DBN.

Both are a multilayer perceptron of sigmoid layers under a logistic
regression.  Each sigmoid layer shares its weights and hidden bias with an
unsupervised model of the previous layer's output (a ``dA`` in an SdA, an
``RBM`` in a DBN), so training those models one after the other, without
labels, sets the perceptron's weights (*pre-training*); the whole network is
then *fine-tuned* on the labels like any classifier.

References: Bengio, Lamblin, Popovici & Larochelle, "Greedy Layer-Wise
Training of Deep Networks", NIPS 2006; Hinton, Osindero & Teh, "A Fast
Learning Algorithm for Deep Belief Nets", Neural Computation 2006.
"""
import numpy

import symconv
import symconv.tensor as T
from symconv.sandbox.rng_mrg import MRG_RandomStreams

from .autoencoder import dA
from .base import Layer, split_params, weight_bias
from .classifier import Classifier
from .hidden import HiddenLayer
from .logistic_regression import LogisticRegression
from .rbm import RBM


class StackedClassifier(Layer, Classifier):
    """Sigmoid layers, each with a pre-training model sharing its weights, under a logistic regression.

    numpy_rng            draws the initial weights (None: only with `params`)
    theano_rng           draws the pre-training's random numbers (one is made from numpy_rng when None)
    hidden_layers_sizes  units of each hidden layer (at least one)
    input                the symbolic minibatch, one example per row (a fresh ``T.matrix`` when None)
    params               saved parameters in ``params`` order, to rebuild a trained network

    ``params`` is each sigmoid layer's [W, b], first to last, then the
    logistic layer's; the pre-training models' visible biases only serve the
    pre-training and are not in it.  ``finetune_cost`` is the negative
    log-likelihood of the labels ``y``.
    """

    def __init__(self, numpy_rng, theano_rng=None, n_ins=784, hidden_layers_sizes=(500, 500), n_outs=10,
                 input=None, params=None):
        self.n_ins, self.n_outs = int(n_ins), int(n_outs)
        self.hidden_layers_sizes = tuple(int(n) for n in hidden_layers_sizes)
        self.n_layers = len(self.hidden_layers_sizes)
        if self.n_layers < 1:
            raise ValueError(f"a {type(self).__name__} needs at least one hidden layer")
        groups = split_params(params, (2,) * (self.n_layers + 1), type(self).__name__)
        if numpy_rng is None:
            numpy_rng = numpy.random.RandomState(1234)
        self.theano_rng = theano_rng or MRG_RandomStreams(numpy_rng.randint(2 ** 30))
        self.x = T.matrix("x") if input is None else input  # the minibatch, one rasterized image per row
        self.input = self.x
        self.y = T.ivector("y")  # its labels

        self.sigmoid_layers, self.pretraining_layers, self.params = [], [], []
        for i, n_out in enumerate(self.hidden_layers_sizes):
            # Layer i reads the input (i = 0) or the output of layer i - 1.
            input_size = self.n_ins if i == 0 else self.hidden_layers_sizes[i - 1]
            layer_input = self.x if i == 0 else self.sigmoid_layers[-1].output
            sigmoid_layer = HiddenLayer(rng=numpy_rng, input=layer_input, n_in=input_size, n_out=n_out,
                                        activation=T.nnet.sigmoid, **weight_bias(groups[i]))
            self.sigmoid_layers.append(sigmoid_layer)
            self.params.extend(sigmoid_layer.params)
            # Pre-training this model sets the sigmoid layer's weights, which it shares.
            self.pretraining_layers.append(self.pretraining_layer(numpy_rng, layer_input, sigmoid_layer))

        self.logLayer = LogisticRegression(input=self.sigmoid_layers[-1].output, n_in=self.hidden_layers_sizes[-1],
                                           n_out=self.n_outs, **weight_bias(groups[-1]))
        self.output_layer = self.logLayer
        self.params.extend(self.logLayer.params)
        # Fine-tuning minimises the logistic layer's negative log-likelihood.
        self.finetune_cost = self.logLayer.negative_log_likelihood(self.y)

    def pretraining_layer(self, numpy_rng, layer_input, sigmoid_layer):
        """The unsupervised model of `layer_input` that shares `sigmoid_layer`'s W and b."""
        raise NotImplementedError

    def compile_pretraining(self, train_set_x, batch_size, inputs, cost_updates):
        """One function per layer, ``fn(index, *inputs) -> cost``: a step of ``cost_updates(layer)``.

        `index` picks the minibatch of the shared `train_set_x`; `inputs` are
        ``symconv.In`` with defaults, so they can change between calls without
        recompiling.
        """
        index = T.lscalar("index")
        batch_begin = index * batch_size
        batch_end = batch_begin + batch_size
        pretrain_fns = []
        for i, layer in enumerate(self.pretraining_layers):
            cost, updates = cost_updates(layer)
            pretrain_fns.append(symconv.function(inputs=[index] + list(inputs), outputs=cost, updates=updates,
                                                 givens={self.x: train_set_x[batch_begin:batch_end]},
                                                 name="pretrain_layer_%d" % i))
        return pretrain_fns

    def architecture(self):
        return {"n_ins": self.n_ins, "hidden_layers_sizes": self.hidden_layers_sizes, "n_outs": self.n_outs}

    @classmethod
    def from_params(cls, params, input, batch_size=None, **architecture):
        return cls(None, input=input, params=params, **architecture)


class SdA(StackedClassifier):
    """A stacked denoising auto-encoder: layer i is pre-trained as ``dA_layers[i]``.

    `corruption_levels` are each layer's default corruption (the pre-training
    functions take the level as an input anyway).
    """

    def __init__(self, numpy_rng, theano_rng=None, n_ins=784, hidden_layers_sizes=(500, 500), n_outs=10,
                 corruption_levels=(0.1, 0.1), input=None, params=None):
        self.corruption_levels = [float(level) for level in corruption_levels]
        super().__init__(numpy_rng, theano_rng, n_ins, hidden_layers_sizes, n_outs, input=input, params=params)
        self.dA_layers = self.pretraining_layers

    def pretraining_layer(self, numpy_rng, layer_input, sigmoid_layer):
        return dA(numpy_rng=numpy_rng, theano_rng=self.theano_rng, input=layer_input, n_visible=sigmoid_layer.n_in,
                  n_hidden=sigmoid_layer.n_out, W=sigmoid_layer.W, bhid=sigmoid_layer.b)

    def pretraining_functions(self, train_set_x, batch_size):
        """One function per layer, ``fn(index, corruption=0.2, lr=0.1) -> cost``: an SGD step of that layer's dA."""
        corruption_level = T.scalar("corruption")
        learning_rate = T.scalar("lr")
        inputs = [symconv.In(corruption_level, value=0.2), symconv.In(learning_rate, value=0.1)]
        return self.compile_pretraining(train_set_x, batch_size, inputs,
                                        lambda layer: layer.get_cost_updates(corruption_level, learning_rate))

    def architecture(self):
        return dict(super().architecture(), corruption_levels=tuple(self.corruption_levels))


class DBN(StackedClassifier):
    """A deep belief network: layer i is pre-trained as ``rbm_layers[i]`` with CD-k."""

    def __init__(self, numpy_rng, theano_rng=None, n_ins=784, hidden_layers_sizes=(500, 500), n_outs=10,
                 input=None, params=None):
        super().__init__(numpy_rng, theano_rng, n_ins, hidden_layers_sizes, n_outs, input=input, params=params)
        self.rbm_layers = self.pretraining_layers

    def pretraining_layer(self, numpy_rng, layer_input, sigmoid_layer):
        return RBM(numpy_rng=numpy_rng, theano_rng=self.theano_rng, input=layer_input, n_visible=sigmoid_layer.n_in,
                   n_hidden=sigmoid_layer.n_out, W=sigmoid_layer.W, hbias=sigmoid_layer.b)

    def pretraining_functions(self, train_set_x, batch_size, k):
        """One function per layer, ``fn(index, lr=0.1) -> reconstruction cost``: a CD-k step of that layer's RBM."""
        learning_rate = T.scalar("lr")
        # CD-k (no persistent chain); the updates include the random streams' new states.
        return self.compile_pretraining(train_set_x, batch_size, [symconv.In(learning_rate, value=0.1)],
                                        lambda rbm: rbm.get_cost_updates(learning_rate, persistent=None, k=k))
