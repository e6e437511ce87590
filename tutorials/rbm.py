"""The deeplearning.net restricted Boltzmann machine tutorial (rbm.py) on symconv.

    python tutorials/rbm.py [--data SOURCE] [--epochs N] [--batch-size N]
                            [--learning-rate F] [--seed N] [--n-train N] [--out DIR] [--n-hidden N] [--k N]
                            [--n-chains N] [--n-samples N] [--plot-every N]

The tutorial's code is ``symconv.tutorials_impl.rbm`` (read it there),
which ``symconv train rbm`` runs too, with the same flags; this script only
parses them.  Trains an RBM with PCD-15, draws its filters after every epoch and samples
from it (samples.png in --out).  Defaults are the tutorial's: 500 hidden
units, learning rate 0.1, minibatches of 20, 15 epochs.
"""
import sys

from symconv.cli import script_main
from symconv.layers import RBM  # noqa: F401  (the tutorial module's names)
from symconv.tutorials_impl import test_rbm  # noqa: F401

if __name__ == "__main__":
    sys.exit(script_main("rbm"))
