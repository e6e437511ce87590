"""Train / validation / test splitting rules.

The tutorials early-stop on a validation set, but the raw datasets ship
without one. `hold_out_validation` reproduces how ``mnist.pkl.gz`` was made
(the last 10,000 of the 60,000 training digits); `stratified_split` handles
sources that ship a single, class-sorted pool, such as the bundled sample.
"""

import numpy as np

DEFAULT_SEED = 1234
VALIDATION_FRACTION = 1 / 6


def hold_out_validation(x, y):
    """Split a training set into ``(train, valid)``, keeping the last sixth for validation.

    For the 60,000 MNIST training digits this is exactly the tutorial's
    50,000 / 10,000 split. The order is kept, as the tutorial did.
    """
    n_train = len(x) - int(len(x) * VALIDATION_FRACTION)
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def stratified_split(x, y, seed=DEFAULT_SEED, fractions=(0.8, 0.1, 0.1)):
    """Shuffle a pool with a fixed seed and split it into ``[train, valid, test]``.

    Each class is divided by `fractions` separately, so every split holds every
    class (given a few examples per class) even when the pool is sorted by
    label; each split is then shuffled so that classes are interleaved.
    """
    rng = np.random.default_rng(seed)
    parts = [[] for _ in fractions]
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        sizes = [int(len(members) * f + 0.5) for f in fractions[1:]]
        bounds = np.cumsum([len(members) - sum(sizes)] + sizes)
        for part, chunk in zip(parts, np.split(members, bounds[:-1])):
            part.append(chunk)
    indices = [rng.permutation(np.concatenate(part)) for part in parts]
    return [(x[i], y[i]) for i in indices]
