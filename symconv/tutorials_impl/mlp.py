"""mlp.py: a multilayer perceptron (one tanh hidden layer, softmax output) on MNIST.

f(x) = softmax(b2 + W2 tanh(b1 + W1 x)), trained by minibatch SGD on the
negative log-likelihood plus L1 and L2 penalties on the weights
(``symconv.layers.MLP``).
"""
import time

import numpy

import symconv as theano
import symconv.tensor as T

from ..datasets import load_data
from ..layers import MLP
from ..train import early_stopping
from .minibatches import minibatch_plan
from .run_directory import RunDirectory, print_summary, report_wall_time


def test_mlp(learning_rate=0.01, L1_reg=0.00, L2_reg=0.0001, n_epochs=1000, dataset=None, batch_size=20,
             n_hidden=500, out_dir=None, seed=1234, patience=10000, plots=True, resume=False):
    """Trains the MLP with the tutorial's defaults; returns the ``TrainingResult``.

    `seed` seeds the ``numpy.random.RandomState`` that draws the hidden
    weights (1234 in the tutorial).  `dataset` and `out_dir` are as in
    ``sgd_optimization_mnist``.
    """
    start_time = time.perf_counter()
    learning_rate, L1_reg, L2_reg = float(learning_rate), float(L1_reg), float(L2_reg)
    print("... loading data")
    datasets = load_data(dataset)

    train_set_x, train_set_y = datasets[0]
    valid_set_x, valid_set_y = datasets[1]
    test_set_x, test_set_y = datasets[2]

    # compute number of minibatches for training, validation and testing
    (n_train_batches, n_valid_batches, n_test_batches,
     valid_batch_size, test_batch_size) = minibatch_plan(datasets, batch_size)

    ######################
    # BUILD ACTUAL MODEL #
    ######################
    print("... building the model")

    index = T.lscalar()  # index to a [mini]batch
    x = T.matrix("x")  # the data is presented as rasterized images
    y = T.ivector("y")  # the labels are presented as 1D vector of [int] labels

    rng = numpy.random.RandomState(seed)

    classifier = MLP(rng=rng, input=x, n_in=28 * 28, n_hidden=n_hidden, n_out=10)

    # the cost we minimize during training is the negative log likelihood of
    # the model plus the regularization terms (L1 and L2)
    cost = classifier.negative_log_likelihood(y) + L1_reg * classifier.L1 + L2_reg * classifier.L2_sqr

    # functions computing the mistakes made by the model on a minibatch
    test_model = theano.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={
            x: test_set_x[index * test_batch_size:(index + 1) * test_batch_size],
            y: test_set_y[index * test_batch_size:(index + 1) * test_batch_size],
        },
    )
    validate_model = theano.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={
            x: valid_set_x[index * valid_batch_size:(index + 1) * valid_batch_size],
            y: valid_set_y[index * valid_batch_size:(index + 1) * valid_batch_size],
        },
    )

    # the gradient of the cost with respect to each parameter
    gparams = [T.grad(cost, param) for param in classifier.params]

    # one (variable, update expression) pair per parameter
    updates = [(param, param - learning_rate * gparam) for param, gparam in zip(classifier.params, gparams)]

    # `train_model` returns the cost and, at the same time, updates the parameters
    train_model = theano.function(
        inputs=[index],
        outputs=cost,
        updates=updates,
        givens={
            x: train_set_x[index * batch_size: (index + 1) * batch_size],
            y: train_set_y[index * batch_size: (index + 1) * batch_size],
        },
    )

    ###############
    # TRAIN MODEL #
    ###############
    print("... training")
    run = RunDirectory(out_dir, "mlp", dict(learning_rate=learning_rate, L1_reg=L1_reg, L2_reg=L2_reg,
                                            n_epochs=n_epochs, batch_size=batch_size, n_hidden=n_hidden,
                                            seed=seed, patience=patience), dataset)
    result = early_stopping(
        train_model, validate_model, test_model, n_train_batches, n_valid_batches, n_test_batches,
        n_epochs=n_epochs, patience=patience, patience_increase=2, improvement_threshold=0.995,
        train_epoch_fn=train_model.map,  # the minibatches between two validations in one dispatch
        checkpoint=run.checkpoint(classifier), resume=resume, summary=None)
    run.finish(result, n_train_batches, plots=plots)
    print_summary("mlp", result)
    report_wall_time("mlp.py", time.perf_counter() - start_time)
    return result

test_mlp.__test__ = False  # the tutorial's name, not a pytest test
