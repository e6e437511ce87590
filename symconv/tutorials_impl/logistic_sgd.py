"""logistic_sgd.py: multi-class logistic regression on MNIST, trained by minibatch SGD.

The model is P(Y = i | x) = softmax_i(x W + b) and the prediction its argmax
(``symconv.layers.LogisticRegression``).  As in the tutorial, the data live in
shared variables, each compiled function picks its minibatch through
``givens``, the updates come from ``T.grad``, and training stops early on
the validation error.
"""
import time

import symconv as theano
import symconv.tensor as T

from ..datasets import load_data
from ..layers import LogisticRegression
from ..train import early_stopping
from .minibatches import minibatch_plan
from .run_directory import RunDirectory, print_summary, report_wall_time


def sgd_optimization_mnist(learning_rate=0.13, n_epochs=1000, dataset=None, batch_size=600, out_dir=None,
                           seed=None, patience=5000, plots=True, resume=False):
    """Trains the logistic regression with the tutorial's defaults; returns the ``TrainingResult``.

    `dataset` is any ``--data`` source (None: the bundled sample).  `seed` is
    accepted for symmetry with the other tutorials and is not used: the
    weights start at zero.  With `out_dir`, the best model is pickled to
    ``out_dir/best_model.pkl`` and its history and plots written beside it.
    """
    start_time = time.perf_counter()
    learning_rate = float(learning_rate)
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

    # Each MNIST image has size 28*28
    classifier = LogisticRegression(input=x, n_in=28 * 28, n_out=10)

    # the cost we minimize during training is the negative log likelihood of the model
    cost = classifier.negative_log_likelihood(y)

    # functions computing the mistakes made by the model on a minibatch
    test_model = theano.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={
            x: test_set_x[index * test_batch_size: (index + 1) * test_batch_size],
            y: test_set_y[index * test_batch_size: (index + 1) * test_batch_size],
        },
    )
    validate_model = theano.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={
            x: valid_set_x[index * valid_batch_size: (index + 1) * valid_batch_size],
            y: valid_set_y[index * valid_batch_size: (index + 1) * valid_batch_size],
        },
    )

    # the gradient of the cost with respect to theta = (W, b)
    g_W = T.grad(cost=cost, wrt=classifier.W)
    g_b = T.grad(cost=cost, wrt=classifier.b)

    # how to update the parameters: (variable, update expression) pairs
    updates = [(classifier.W, classifier.W - learning_rate * g_W),
               (classifier.b, classifier.b - learning_rate * g_b)]

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
    print("... training the model")
    run = RunDirectory(out_dir, "logreg", dict(learning_rate=learning_rate, n_epochs=n_epochs,
                                               batch_size=batch_size, seed=seed, patience=patience), dataset)
    result = early_stopping(
        train_model, validate_model, test_model, n_train_batches, n_valid_batches, n_test_batches,
        n_epochs=n_epochs, patience=patience, patience_increase=2, improvement_threshold=0.995,
        train_epoch_fn=train_model.map,  # the minibatches between two validations in one dispatch
        checkpoint=run.checkpoint(classifier), resume=resume, summary=None)
    run.finish(result, n_train_batches, plots=plots)
    print_summary("logistic", result)
    report_wall_time("logistic_sgd.py", time.perf_counter() - start_time)
    return result
