"""The deeplearning.net multilayer perceptron tutorial (mlp.py) on symconv.

    python tutorials/mlp.py [--data SOURCE] [--epochs N] [--batch-size N]
                            [--learning-rate F] [--seed N] [--n-train N] [--out DIR] [--n-hidden N]

The tutorial's code is ``symconv.tutorials_impl.mlp`` (read it there),
which ``symconv train mlp`` runs too, with the same flags; this script only
parses them.  Defaults are the tutorial's: 500 tanh hidden units, learning rate 0.01, L2
weight 0.0001, minibatches of 20, at most 1000 epochs, weights seeded with 1234.
"""
import sys

from symconv.cli import script_main
from symconv.layers import MLP, HiddenLayer, LogisticRegression  # noqa: F401  (the tutorial module's names)
from symconv.tutorials_impl import test_mlp  # noqa: F401

if __name__ == "__main__":
    sys.exit(script_main("mlp"))
