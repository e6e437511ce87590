"""The MNIST sample shipped inside the package, so the tutorials run offline.

5,000 real MNIST digits (500 per class, sorted by class) stored as IDX files
in ``data/``; see ``data/README.md`` for the CC BY-SA 3.0 attribution.
"""

from importlib import resources

from .idx_folder import load_idx_folder
from .splits import DEFAULT_SEED


def load_bundled(seed=DEFAULT_SEED):
    """Return the sample shuffled with `seed` and split 4,000 / 500 / 500 into train / valid / test."""
    with resources.as_file(resources.files(__package__) / "data") as folder:
        return load_idx_folder(folder, seed=seed)
