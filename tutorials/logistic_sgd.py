"""The deeplearning.net logistic regression tutorial (logistic_sgd.py) on symconv.

    python tutorials/logistic_sgd.py [--data SOURCE] [--epochs N] [--batch-size N]
                                     [--learning-rate F] [--seed N] [--n-train N] [--out DIR]

The tutorial's code is ``symconv.tutorials_impl.logistic_sgd`` (read it there),
which ``symconv train logreg`` runs too, with the same flags; this script only
parses them.  Defaults are the tutorial's: learning rate 0.13, minibatches of 600, at most
1000 epochs, patience 5000 minibatches.
"""
import sys

from symconv.cli import script_main
from symconv.datasets import load_data  # noqa: F401  (the tutorial module's names)
from symconv.layers import LogisticRegression  # noqa: F401
from symconv.tutorials_impl import sgd_optimization_mnist  # noqa: F401

if __name__ == "__main__":
    sys.exit(script_main("logreg"))
