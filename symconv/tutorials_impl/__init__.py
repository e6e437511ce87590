"""The three MNIST tutorials as importable functions, shared by ``tutorials/*.py`` and ``symconv train``.

=========  ======================  ==================================
model      tutorial script         function
=========  ======================  ==================================
logreg     logistic_sgd.py         ``sgd_optimization_mnist``
mlp        mlp.py                  ``test_mlp``
lenet      convolutional_mlp.py    ``evaluate_lenet5``
=========  ======================  ==================================
"""
from .convolutional_mlp import evaluate_lenet5
from .flags import TUTORIALS, Tutorial, add_training_flags, run_from_args, script_main
from .logistic_sgd import sgd_optimization_mnist
from .mlp import test_mlp
from .run_directory import HISTORY_FILE, MODEL_FILE

__all__ = ["HISTORY_FILE", "MODEL_FILE", "TUTORIALS", "Tutorial", "add_training_flags", "evaluate_lenet5",
           "run_from_args", "script_main", "sgd_optimization_mnist", "test_mlp"]
