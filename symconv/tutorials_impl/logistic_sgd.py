"""logistic_sgd.py: multi-class logistic regression on MNIST.

The model is P(Y = i | x) = softmax_i(x W + b) and the prediction its argmax
(``symconv.layers.LogisticRegression``).  As in the tutorial, the data live in
shared variables, each compiled function picks its minibatch through
``givens`` (``TutorialRun.minibatch_function``), the updates come from
``T.grad``, and training stops early on the validation error.
"""
import symconv.tensor as T

from ..layers import LogisticRegression
from .runner import TutorialRun


def sgd_optimization_mnist(learning_rate=0.13, n_epochs=1000, dataset=None, batch_size=600, out_dir=None,
                           seed=None, patience=5000, plots=None, resume=False,
                           overwrite=False, allow_changed_settings=False, n_train=None):
    """Trains the logistic regression with the tutorial's defaults; returns the ``TrainingResult``.

    `dataset` is any ``--data`` source (None: the bundled sample).  `seed` is
    accepted for symmetry with the other tutorials and is not used: the
    weights start at zero.  With `out_dir`, the best model is saved to
    ``out_dir/best_model.npz`` and its history written beside it; `plots`
    draws the plots there (``symconv.plots.plot_all``).  `n_train` trains on
    the first examples only.  A folder that already holds a run needs
    `resume` (the same settings, unless `allow_changed_settings`) or
    `overwrite`.
    """
    run = TutorialRun("logreg", "logistic_sgd.py", locals())
    print("... building the model")

    # Each MNIST image has size 28*28
    classifier = LogisticRegression(input=run.x, n_in=28 * 28, n_out=10)

    # the cost we minimize during training is the negative log likelihood of the model
    cost = classifier.negative_log_likelihood(run.y)

    # the gradient of the cost with respect to theta = (W, b)
    g_W = T.grad(cost=cost, wrt=classifier.W)
    g_b = T.grad(cost=cost, wrt=classifier.b)

    # how to update the parameters: (variable, update expression) pairs
    updates = [(classifier.W, classifier.W - learning_rate * g_W),
               (classifier.b, classifier.b - learning_rate * g_b)]

    # `train_model` returns the cost and, at the same time, updates the parameters;
    # `validate_model` and `test_model` compute the mistakes made on a minibatch
    functions = run.classifier_functions(classifier, cost, updates)

    print("... training the model")
    result = run.early_stopping(classifier, functions, n_epochs, patience, resume, summary="logistic")
    run.report_wall_time()
    return result
