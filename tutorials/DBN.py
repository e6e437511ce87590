"""The deeplearning.net deep belief network tutorial (DBN.py) on symconv.

    python tutorials/DBN.py [--data SOURCE] [--epochs N] [--batch-size N]
                            [--learning-rate F] [--seed N] [--n-train N] [--out DIR] [--hidden-layers N,N,...]
                            [--pretraining-epochs N] [--pretrain-lr F] [--k N]

The tutorial's code is ``symconv.tutorials_impl.DBN`` (read it there),
which ``symconv train dbn`` runs too, with the same flags; this script only
parses them.  Pre-trains each layer as an RBM with CD-k, then fine-tunes the whole network
with early stopping.  Defaults are the tutorial's (three layers of 1000 units,
100 pre-training epochs), long on a CPU: try --hidden-layers 500,500
--pretraining-epochs 3 --epochs 20.
"""
import sys

from symconv.cli import script_main
from symconv.layers import DBN, RBM  # noqa: F401  (the tutorial module's names)
from symconv.tutorials_impl import test_DBN  # noqa: F401

if __name__ == "__main__":
    sys.exit(script_main("dbn"))
