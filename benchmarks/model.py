"""The benchmark's problem: LeNet5 of the deeplearning.net tutorial, its sizes, data and initial weights.

Every implementation starts from the same float32 parameters (drawn as the tutorial draws them,
``numpy.random.RandomState(23455)``) and trains on the same images.
"""
import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class Config:
    batch_size: int = 500
    n_batches: int = 4
    nkerns: tuple = (20, 50)
    n_hidden: int = 500
    n_out: int = 10
    image: tuple = (28, 28)
    filter: tuple = (5, 5)
    pool: tuple = (2, 2)
    learning_rate: float = 0.1

    @property
    def n_images(self):
        return self.batch_size * self.n_batches

    def feature_shapes(self):
        """(rows, cols) after each conv-pool layer: 28 -> 24 -> 12 -> 8 -> 4."""
        shapes, (rows, cols) = [], self.image
        for _ in range(2):
            rows = (rows - self.filter[0] + 1) // self.pool[0]
            cols = (cols - self.filter[1] + 1) // self.pool[1]
            shapes.append((rows, cols))
        return shapes

    @property
    def flat_features(self):
        rows, cols = self.feature_shapes()[-1]
        return self.nkerns[1] * rows * cols


def initial_params(config, seed=23455):
    """The tutorial's initial weights as a dict of float32 arrays (OIHW filters, (in, out) matrices)."""
    rng = np.random.RandomState(seed)
    k0, k1 = config.nkerns
    fh, fw = config.filter
    pool_area = config.pool[0] * config.pool[1]

    def conv_filters(shape):
        fan_in = np.prod(shape[1:])
        fan_out = shape[0] * np.prod(shape[2:]) / pool_area
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, shape).astype(np.float32)

    W0 = conv_filters((k0, 1, fh, fw))
    W1 = conv_filters((k1, k0, fh, fw))
    n_in = config.flat_features
    bound = np.sqrt(6.0 / (n_in + config.n_hidden))
    W2 = rng.uniform(-bound, bound, (n_in, config.n_hidden)).astype(np.float32)
    return {
        "W0": W0, "b0": np.zeros(k0, np.float32),
        "W1": W1, "b1": np.zeros(k1, np.float32),
        "W2": W2, "b2": np.zeros(config.n_hidden, np.float32),
        "W3": np.zeros((config.n_hidden, config.n_out), np.float32), "b3": np.zeros(config.n_out, np.float32),
    }


def dataset(config, source="bundled"):
    """``(x, y)``: ``n_images`` MNIST-shaped rows (float32, (n, 784)) and int32 labels.

    'bundled' takes the real-MNIST sample shipped with symconv (tiled when more images are asked
    for than it holds); 'random' draws uniform pixels and random labels.
    """
    n, pixels = config.n_images, config.image[0] * config.image[1]
    if source == "bundled":
        from symconv.datasets import load_arrays

        (train_x, train_y), _, _ = load_arrays()
        reps = -(-n // len(train_x))
        x = np.tile(train_x, (reps, 1))[:n]
        y = np.tile(train_y, reps)[:n]
    elif source == "random":
        rng = np.random.RandomState(0)
        x = rng.uniform(0, 1, (n, pixels))
        y = rng.randint(0, config.n_out, n)
    else:
        raise ValueError(f"unknown data source {source!r}: use 'bundled' or 'random'")
    return np.ascontiguousarray(x, np.float32), np.ascontiguousarray(y, np.int32)
