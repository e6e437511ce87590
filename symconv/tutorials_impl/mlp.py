"""mlp.py: a multilayer perceptron (one tanh hidden layer, softmax output) on MNIST.

f(x) = softmax(b2 + W2 tanh(b1 + W1 x)), trained by minibatch SGD on the
negative log-likelihood plus L1 and L2 penalties on the weights
(``symconv.layers.MLP``).
"""
import numpy

from ..layers import MLP
from .runner import TutorialRun, sgd_updates


def test_mlp(learning_rate=0.01, L1_reg=0.00, L2_reg=0.0001, n_epochs=1000, dataset=None, batch_size=20,
             n_hidden=500, out_dir=None, seed=1234, patience=10000, plots=None, resume=False,
             overwrite=False, allow_changed_settings=False, n_train=None):
    """Trains the MLP with the tutorial's defaults; returns the ``TrainingResult``.

    `seed` seeds the ``numpy.random.RandomState`` that draws the hidden
    weights (1234 in the tutorial).  The other arguments are as in
    ``sgd_optimization_mnist``.
    """
    run = TutorialRun("mlp", "mlp.py", locals())
    print("... building the model")
    rng = numpy.random.RandomState(seed)
    classifier = MLP(rng=rng, input=run.x, n_in=28 * 28, n_hidden=n_hidden, n_out=10)

    # the cost we minimize during training is the negative log likelihood of
    # the model plus the regularization terms (L1 and L2)
    cost = classifier.negative_log_likelihood(run.y) + L1_reg * classifier.L1 + L2_reg * classifier.L2_sqr

    # one (variable, variable - learning_rate * gradient) pair per parameter
    updates = sgd_updates(cost, classifier.params, learning_rate)
    functions = run.classifier_functions(classifier, cost, updates)

    print("... training")
    result = run.early_stopping(classifier, functions, n_epochs, patience, resume, summary="mlp")
    run.report_wall_time()
    return result


test_mlp.__test__ = False  # the tutorial's name, not a pytest test
