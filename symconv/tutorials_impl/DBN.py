"""DBN.py: a deep belief network on MNIST (``symconv.layers.DBN``).

A DBN stacks RBMs (see rbm.py): the first models the pixels, the next one the
hidden units of the first given the data, and so on.  Trained greedily, one
layer at a time with CD-k, each RBM improves a bound on the likelihood of the
data.  Used as a classifier, the DBN is a multilayer perceptron of sigmoid
layers under a logistic regression, fine-tuned after the unsupervised
pre-training by supervised SGD with the MLP tutorial's early stopping.

`learning_rate` and `n_epochs` are those of the fine-tuning; the
pre-training has its own.  Defaults are the tutorial's (three layers of 1000
units, 100 pre-training epochs, minibatches of 10), which is long on a CPU.
The pre-training prints each layer's reconstruction cross-entropy per epoch.
"""
import numpy

from ..layers import DBN
from .runner import TutorialRun, each_minibatch


def test_DBN(learning_rate=0.1, pretraining_epochs=100, pretrain_lr=0.01, k=1, n_epochs=1000, dataset=None,
             batch_size=10, hidden_layers_sizes=(1000, 1000, 1000), seed=123, out_dir=None, patience=None,
             plots=None, resume=False,
             overwrite=False, allow_changed_settings=False, n_train=None):
    """Pre-trains a DBN layer by layer with CD-k, then fine-tunes it with early stopping; returns the
    ``TrainingResult``.

    Its ``pretraining_costs`` hold, per layer, the mean reconstruction
    cross-entropy of each pre-training epoch (a log-likelihood: it rises
    towards 0 as the RBM learns).  `patience` (minibatches) defaults to 4
    epochs' worth.  The other arguments are as in ``sgd_optimization_mnist``.
    """
    run = TutorialRun("dbn", "DBN.py", locals())
    numpy_rng = numpy.random.RandomState(seed)
    print("... building the model")
    dbn = DBN(numpy_rng=numpy_rng, n_ins=28 * 28, hidden_layers_sizes=hidden_layers_sizes, n_outs=10, input=run.x)

    print("... getting the pretraining functions")
    pretraining_fns = dbn.pretraining_functions(train_set_x=run.train_set_x, batch_size=batch_size, k=k)
    epoch_fns = [each_minibatch(fn, pretrain_lr) for fn in pretraining_fns]
    result = run.pretrain_and_fine_tune(dbn, epoch_fns, pretraining_epochs, learning_rate, n_epochs, patience,
                                        resume, patience_epochs=4)
    result.model = dbn
    return result


test_DBN.__test__ = False  # the tutorial's name, not a pytest test
