"""The deeplearning.net LeNet5 tutorial (convolutional_mlp.py) on symconv.

    python tutorials/convolutional_mlp.py [--data SOURCE] [--epochs N] [--batch-size N]
                                          [--learning-rate F] [--seed N] [--n-train N] [--out DIR] [--nkerns N,N]

The tutorial's code is ``symconv.tutorials_impl.convolutional_mlp`` (read it there),
which ``symconv train lenet`` runs too, with the same flags; this script only
parses them.  Defaults are the tutorial's: 20 and 50 kernels, 500 tanh hidden units,
learning rate 0.1, minibatches of 500, at most 200 epochs, weights seeded with 23455.
"""
import sys

from symconv.cli import script_main
from symconv.layers import HiddenLayer, LeNet5, LeNetConvPoolLayer, LogisticRegression  # noqa: F401
from symconv.tutorials_impl import evaluate_lenet5  # noqa: F401

if __name__ == "__main__":
    sys.exit(script_main("lenet"))
