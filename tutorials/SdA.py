"""The deeplearning.net stacked denoising auto-encoders tutorial (SdA.py) on symconv.

    python tutorials/SdA.py [--data SOURCE] [--epochs N] [--batch-size N]
                            [--learning-rate F] [--seed N] [--n-train N] [--out DIR] [--hidden-layers N,N,...]
                            [--corruption-levels F,F,...] [--pretraining-epochs N] [--pretrain-lr F]

The tutorial's code is ``symconv.tutorials_impl.SdA`` (read it there),
which ``symconv train sda`` runs too, with the same flags; this script only
parses them.  Pre-trains each layer as a dA, then fine-tunes the whole network with early
stopping.  Defaults are the tutorial's (three layers of 1000 units, minibatches
of 1), long on a CPU: try --hidden-layers 500,500 --batch-size 20
--pretraining-epochs 3 --epochs 20.
"""
import sys

from symconv.cli import script_main
from symconv.layers import SdA, dA  # noqa: F401  (the tutorial module's names)
from symconv.tutorials_impl import test_SdA  # noqa: F401

if __name__ == "__main__":
    sys.exit(script_main("sda"))
