"""convolutional_mlp.py: LeNet5 on MNIST.

Two convolution + max-pooling layers (``LeNetConvPoolLayer``), a fully
connected tanh layer and a logistic regression (``symconv.layers.LeNet5``),
trained by minibatch SGD with early stopping.  Simplified from LeCun et al.
1998 as in the tutorial: max-pooling rather than average, no per-location
gain, a softmax rather than an RBF output, full connections between the
convolutional layers.
"""
import time

import numpy

import symconv as theano
import symconv.tensor as T

from ..datasets import load_data
from ..layers import LeNet5
from ..train import early_stopping
from .minibatches import minibatch_plan
from .run_directory import RunDirectory, print_summary, report_wall_time


def evaluate_lenet5(learning_rate=0.1, n_epochs=200, dataset=None, nkerns=[20, 50], batch_size=500, out_dir=None,
                    seed=23455, patience=10000, plots=True, resume=False):
    """Trains LeNet5 with the tutorial's defaults; returns the ``TrainingResult``.

    `nkerns` is the number of kernels of each convolutional layer, `seed`
    seeds the ``numpy.random.RandomState`` that draws the weights (23455 in
    the tutorial).  `dataset` and `out_dir` are as in ``sgd_optimization_mnist``.
    """
    start_time = time.perf_counter()
    learning_rate = float(learning_rate)
    rng = numpy.random.RandomState(seed)

    print("... loading data")
    datasets = load_data(dataset)

    train_set_x, train_set_y = datasets[0]
    valid_set_x, valid_set_y = datasets[1]
    test_set_x, test_set_y = datasets[2]

    # compute number of minibatches for training, validation and testing
    (n_train_batches, n_valid_batches, n_test_batches,
     valid_batch_size, test_batch_size) = minibatch_plan(datasets, batch_size)

    index = T.lscalar()  # index to a [mini]batch
    x = T.matrix("x")  # the data is presented as rasterized images
    y = T.ivector("y")  # the labels are presented as 1D vector of [int] labels

    ######################
    # BUILD ACTUAL MODEL #
    ######################
    print("... building the model")

    # The (batch_size, 28 * 28) rows of x are reshaped to (batch_size, 1, 28, 28) images, then:
    # layer0: conv 5x5 -> (batch_size, nkerns[0], 24, 24), max-pool 2x2 -> (batch_size, nkerns[0], 12, 12)
    # layer1: conv 5x5 -> (batch_size, nkerns[1], 8, 8), max-pool 2x2 -> (batch_size, nkerns[1], 4, 4)
    # layer2: fully connected, nkerns[1] * 4 * 4 -> 500 tanh units
    # layer3: logistic regression, 500 -> 10 classes
    classifier = LeNet5(rng, input=x, batch_size=batch_size, nkerns=nkerns, n_hidden=500, n_out=10)

    # the cost we minimize during training is the NLL of the model
    cost = classifier.negative_log_likelihood(y)

    # The graph is built for minibatches of batch_size images; a smaller validation or test set is
    # evaluated by the same network (the same shared weights) rebuilt for its own minibatch size.
    test_net = classifier if test_batch_size == batch_size else classifier.rebuild(x, batch_size=test_batch_size)
    valid_net = classifier if valid_batch_size == batch_size else classifier.rebuild(x, batch_size=valid_batch_size)

    # functions computing the mistakes made by the model on a minibatch
    test_model = theano.function(
        [index],
        test_net.errors(y),
        givens={
            x: test_set_x[index * test_batch_size: (index + 1) * test_batch_size],
            y: test_set_y[index * test_batch_size: (index + 1) * test_batch_size],
        },
    )
    validate_model = theano.function(
        [index],
        valid_net.errors(y),
        givens={
            x: valid_set_x[index * valid_batch_size: (index + 1) * valid_batch_size],
            y: valid_set_y[index * valid_batch_size: (index + 1) * valid_batch_size],
        },
    )

    # all the parameters fit by gradient descent: layer3.params + layer2.params + layer1.params + layer0.params
    params = classifier.params

    # the gradients of the cost with respect to every parameter
    grads = T.grad(cost, params)

    # one SGD update per (params[i], grads[i]) pair
    updates = [(param_i, param_i - learning_rate * grad_i) for param_i, grad_i in zip(params, grads)]

    train_model = theano.function(
        [index],
        cost,
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
    run = RunDirectory(out_dir, "lenet", dict(learning_rate=learning_rate, n_epochs=n_epochs, nkerns=list(nkerns),
                                              batch_size=batch_size, seed=seed, patience=patience), dataset)
    result = early_stopping(
        train_model, validate_model, test_model, n_train_batches, n_valid_batches, n_test_batches,
        n_epochs=n_epochs, patience=patience, patience_increase=2, improvement_threshold=0.995,
        train_epoch_fn=train_model.map,  # the minibatches between two validations in one dispatch
        train_log_frequency=100,  # the tutorial's "training @ iter = " lines
        checkpoint=run.checkpoint(classifier), resume=resume, summary=None)
    run.finish(result, n_train_batches, plots=plots)
    print_summary("lenet", result)
    report_wall_time("convolutional_mlp.py", time.perf_counter() - start_time)
    return result
