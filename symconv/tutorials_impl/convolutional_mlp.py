"""convolutional_mlp.py: LeNet5 on MNIST.

Two convolution + max-pooling layers (``LeNetConvPoolLayer``), a fully
connected tanh layer and a logistic regression (``symconv.layers.LeNet5``),
trained by minibatch SGD with early stopping.  Simplified from LeCun et al.
1998 as in the tutorial: max-pooling rather than average, no per-location
gain, a softmax rather than an RBF output, full connections between the
convolutional layers.
"""
import numpy

from ..layers import LeNet5
from .runner import TutorialRun, sgd_updates


def evaluate_lenet5(learning_rate=0.1, n_epochs=200, dataset=None, nkerns=(20, 50), batch_size=500, out_dir=None,
                    seed=23455, patience=10000, plots=None, resume=False,
                    overwrite=False, allow_changed_settings=False, n_train=None):
    """Trains LeNet5 with the tutorial's defaults; returns the ``TrainingResult``.

    `nkerns` is the number of kernels of each convolutional layer, `seed`
    seeds the ``numpy.random.RandomState`` that draws the weights (23455 in
    the tutorial).  The other arguments are as in ``sgd_optimization_mnist``.
    """
    run = TutorialRun("lenet", "convolutional_mlp.py", locals())
    rng = numpy.random.RandomState(seed)
    print("... building the model")

    # The (batch_size, 28 * 28) rows of x are reshaped to (batch_size, 1, 28, 28) images, then:
    # layer0: conv 5x5 -> (batch_size, nkerns[0], 24, 24), max-pool 2x2 -> (batch_size, nkerns[0], 12, 12)
    # layer1: conv 5x5 -> (batch_size, nkerns[1], 8, 8), max-pool 2x2 -> (batch_size, nkerns[1], 4, 4)
    # layer2: fully connected, nkerns[1] * 4 * 4 -> 500 tanh units
    # layer3: logistic regression, 500 -> 10 classes
    classifier = LeNet5(rng, input=run.x, batch_size=batch_size, nkerns=nkerns, n_hidden=500, n_out=10)

    # the cost we minimize during training is the NLL of the model
    cost = classifier.negative_log_likelihood(run.y)

    # one SGD update per (params[i], grads[i]) pair, params being
    # layer3.params + layer2.params + layer1.params + layer0.params.
    # The graph is built for minibatches of batch_size images; a smaller validation or test set is
    # evaluated by the same network (the same shared weights) rebuilt for its own minibatch size.
    functions = run.classifier_functions(classifier, cost, sgd_updates(cost, classifier.params, learning_rate))

    print("... training")
    result = run.early_stopping(classifier, functions, n_epochs, patience, resume, summary="lenet",
                                train_log_frequency=100)  # the tutorial's "training @ iter = " lines
    run.report_wall_time()
    return result
