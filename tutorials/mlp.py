"""The deeplearning.net multilayer perceptron tutorial (mlp.py) on symconv.

    python tutorials/mlp.py [--data SOURCE] [--epochs N] [--batch-size N]
                            [--learning-rate F] [--seed N] [--out DIR]

The tutorial's code is ``symconv.tutorials_impl.mlp`` (read it there), which
``symconv train mlp`` runs too; this script only parses the flags.  Defaults
are the tutorial's: 500 tanh hidden units, learning rate 0.01, L2 weight
0.0001, minibatches of 20, at most 1000 epochs, weights seeded with 1234.
"""
import sys

from symconv.layers import MLP, HiddenLayer, LogisticRegression  # noqa: F401  (the tutorial module's names)
from symconv.tutorials_impl import script_main, test_mlp  # noqa: F401

if __name__ == "__main__":
    sys.exit(script_main("mlp"))
