"""The deeplearning.net denoising auto-encoder tutorial (dA.py) on symconv.

    python tutorials/dA.py [--data SOURCE] [--epochs N] [--batch-size N]
                           [--learning-rate F] [--seed N] [--n-train N] [--out DIR] [--n-hidden N]
                           [--corruption-levels F,F,...]

The tutorial's code is ``symconv.tutorials_impl.dA`` (read it there),
which ``symconv train da`` runs too, with the same flags; this script only
parses them.  Trains a dA without corruption and one with 30% corruption and draws their
filters (filters_corruption_0.png, filters_corruption_30.png in --out).
Defaults are the tutorial's: 500 hidden units, learning rate 0.1, minibatches
of 20, 15 epochs.
"""
import sys

from symconv.cli import script_main
from symconv.layers import dA  # noqa: F401  (the tutorial module's names)
from symconv.tutorials_impl import test_dA  # noqa: F401

if __name__ == "__main__":
    sys.exit(script_main("da"))
