"""SdA.py: stacked denoising auto-encoders on MNIST (``symconv.layers.SdA``).

A deep multilayer perceptron of sigmoid layers whose weights are first set,
one layer at a time, by training a denoising auto-encoder (see dA.py) on the
previous layer's output.  This unsupervised *pre-training* needs no labels.
The whole network, with a logistic regression on top, is then *fine-tuned*
by supervised SGD on the labels, with the MLP tutorial's early stopping.

`learning_rate` and `n_epochs` are those of the fine-tuning; the
pre-training has its own.  Defaults are the tutorial's (three layers of 1000
units, corruption 10%, 20%, 30%, minibatches of 1), which is long on a CPU.
The first layer's filters are drawn after pre-training and after
fine-tuning (``filters_layer0_pretrained.png``, ``filters_layer0_finetuned.png``).
"""
import numpy

from ..layers import SdA
from .runner import TutorialRun, each_minibatch
from .settings import SettingsError


def test_SdA(learning_rate=0.1, pretraining_epochs=15, pretrain_lr=0.001, n_epochs=1000, dataset=None,
             batch_size=1, hidden_layers_sizes=(1000, 1000, 1000), corruption_levels=(.1, .2, .3), seed=89677,
             out_dir=None, patience=None, plots=None, resume=False,
             overwrite=False, allow_changed_settings=False, n_train=None):
    """Pre-trains an SdA layer by layer, then fine-tunes it with early stopping; returns the ``TrainingResult``.

    Its ``pretraining_costs`` hold, per layer, the mean dA cost of each
    pre-training epoch.  `patience` (minibatches) defaults to 10 epochs'
    worth.  The other arguments are as in ``sgd_optimization_mnist``.
    """
    if len(corruption_levels) != len(hidden_layers_sizes):
        raise SettingsError("--corruption-levels needs one level per hidden layer: %d levels for %d layers"
                            % (len(corruption_levels), len(hidden_layers_sizes)))
    run = TutorialRun("sda", "SdA.py", locals())
    numpy_rng = numpy.random.RandomState(seed)
    print("... building the model")
    sda = SdA(numpy_rng=numpy_rng, n_ins=28 * 28, hidden_layers_sizes=hidden_layers_sizes, n_outs=10,
              corruption_levels=corruption_levels, input=run.x)

    print("... getting the pretraining functions")
    pretraining_fns = sda.pretraining_functions(train_set_x=run.train_set_x, batch_size=batch_size)
    epoch_fns = [each_minibatch(fn, level, pretrain_lr) for fn, level in zip(pretraining_fns, corruption_levels)]
    result = run.pretrain_and_fine_tune(sda, epoch_fns, pretraining_epochs, learning_rate, n_epochs, patience,
                                        resume, patience_epochs=10)
    result.model = sda
    return result


test_SdA.__test__ = False  # the tutorial's name, not a pytest test
