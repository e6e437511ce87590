"""The seven MNIST tutorials as importable functions, shared by ``tutorials/*.py`` and ``symconv train``.

=========  ======================  ==========================  ===========================
model      tutorial script         function                    training
=========  ======================  ==========================  ===========================
logreg     logistic_sgd.py         ``sgd_optimization_mnist``  early stopping
mlp        mlp.py                  ``test_mlp``                early stopping
lenet      convolutional_mlp.py    ``evaluate_lenet5``         early stopping
da         dA.py                   ``test_dA``                 fixed epochs, unsupervised
sda        SdA.py                  ``test_SdA``                pre-training, early stopping
rbm        rbm.py                  ``test_rbm``                fixed epochs, unsupervised
dbn        DBN.py                  ``test_DBN``                pre-training, early stopping
=========  ======================  ==========================  ===========================

Every one takes the same flags (``flags.py``), trains with ``symconv.train``
(``runner.py``) and fills the same run folder (``--out``).  The models are in
``symconv.layers``.
"""
from .convolutional_mlp import evaluate_lenet5
from .DBN import test_DBN
from .dA import test_dA
from .flags import TUTORIALS, Tutorial, add_training_flags, run_from_args
from .logistic_sgd import sgd_optimization_mnist
from .mlp import test_mlp
from .rbm import test_rbm
from .SdA import test_SdA

__all__ = ["TUTORIALS", "Tutorial", "add_training_flags", "evaluate_lenet5", "run_from_args",
           "sgd_optimization_mnist", "test_DBN", "test_SdA", "test_dA", "test_mlp", "test_rbm"]
