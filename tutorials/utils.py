"""Helpers shared by the dA, SdA, RBM and DBN tutorials, none of them part of a model.

``tile_raster_images`` lays out a matrix whose rows are flattened images (the
columns of a first-layer weight matrix, once transposed, or a batch of
samples) as a grid of tiles, ready for ``PIL.Image.fromarray(...).save(...)``.
``save_tiles`` does both steps.  ``tutorial_parser`` holds the command-line
flags the scripts have in common, ``early_stopping`` the fine-tuning loop of
SdA.py and DBN.py.
"""
import argparse
import timeit

import numpy

__all__ = ["early_stopping", "scale_to_unit_interval", "tile_raster_images", "save_tiles", "tutorial_parser"]


def scale_to_unit_interval(ndar, eps=1e-8):
    """A copy of `ndar` shifted and scaled so that its values span [0, 1]."""
    ndar = numpy.array(ndar, dtype="float64", copy=True)
    ndar -= ndar.min()
    ndar *= 1.0 / (ndar.max() + eps)
    return ndar


def _out_shape(img_shape, tile_shape, tile_spacing):
    # Tiles are separated by `tile_spacing` pixels; there is no border on the outside.
    return tuple((size + gap) * count - gap for size, count, gap in zip(img_shape, tile_shape, tile_spacing))


def tile_raster_images(X, img_shape, tile_shape, tile_spacing=(0, 0),
                       scale_rows_to_unit_interval=True, output_pixel_vals=True):
    """Arrange the rows of `X` (flattened ``img_shape`` images) as a ``tile_shape`` grid of tiles.

    X                             a 2-D array, one image per row; or a tuple of 4 such arrays
                                  (or None) for the R, G, B and alpha channels, giving an
                                  (H, W, 4) result
    img_shape                     (height, width) of each image
    tile_shape                    (rows, columns) of the grid; rows of X beyond rows*columns
                                  are not drawn, missing ones leave their tile blank (0)
    tile_spacing                  (vertical, horizontal) pixels between tiles
    scale_rows_to_unit_interval   rescale each image to [0, 1] on its own (so that filters of
                                  any scale are visible)
    output_pixel_vals             return uint8 pixels 0..255 (for PIL) instead of floats in [0, 1]

    Returns a 2-D array (one channel) or an (H, W, 4) array (a tuple of channels).
    """
    img_shape, tile_shape, tile_spacing = tuple(img_shape), tuple(tile_shape), tuple(tile_spacing)
    if not (len(img_shape) == len(tile_shape) == len(tile_spacing) == 2):
        raise ValueError("img_shape, tile_shape and tile_spacing must each be a pair, got "
                         f"{img_shape}, {tile_shape}, {tile_spacing}")
    height, width = _out_shape(img_shape, tile_shape, tile_spacing)

    if isinstance(X, tuple):
        if len(X) != 4:
            raise ValueError(f"a tuple X holds 4 channels (R, G, B, alpha), got {len(X)}")
        dtype = "uint8" if output_pixel_vals else "float64"
        out = numpy.zeros((height, width, 4), dtype=dtype)
        for channel, data in enumerate(X):
            if data is None:
                # A missing colour channel is black; a missing alpha channel is opaque.
                out[:, :, channel] = (255 if output_pixel_vals else 1.0) if channel == 3 else 0
            else:
                out[:, :, channel] = tile_raster_images(data, img_shape, tile_shape, tile_spacing,
                                                        scale_rows_to_unit_interval, output_pixel_vals)
        return out

    X = numpy.asarray(X)
    if X.ndim != 2 or X.shape[1] != img_shape[0] * img_shape[1]:
        raise ValueError(f"X must be a matrix with {img_shape[0] * img_shape[1]} columns "
                         f"(one {img_shape} image per row), got shape {X.shape}")
    out = numpy.zeros((height, width), dtype="uint8" if output_pixel_vals else X.dtype)
    step_r, step_c = img_shape[0] + tile_spacing[0], img_shape[1] + tile_spacing[1]
    n_tiles = min(X.shape[0], tile_shape[0] * tile_shape[1])
    for k in range(n_tiles):
        row, col = divmod(k, tile_shape[1])
        image = X[k].reshape(img_shape)
        if scale_rows_to_unit_interval:
            image = scale_to_unit_interval(image)
        if output_pixel_vals:
            image = numpy.clip(numpy.rint(numpy.asarray(image, dtype="float64") * 255), 0, 255)
        out[row * step_r:row * step_r + img_shape[0], col * step_c:col * step_c + img_shape[1]] = image
    return out


def save_tiles(path, X, img_shape=(28, 28), tile_shape=(10, 10), tile_spacing=(1, 1), **kwargs):
    """``tile_raster_images`` saved as a PNG (or any format Pillow infers from `path`); returns the array."""
    import PIL.Image

    array = tile_raster_images(X, img_shape, tile_shape, tile_spacing, **kwargs)
    PIL.Image.fromarray(array).save(path)
    return array


def count_training_batches(train_set_x, batch_size, n_train=None):
    """Whole minibatches in the training set (or in its first `n_train` examples)."""
    n_examples = train_set_x.get_value(borrow=True).shape[0]
    if n_train is not None:
        n_examples = min(n_examples, n_train)
    n_train_batches = n_examples // batch_size
    if n_train_batches < 1:
        raise ValueError('%d training examples make no minibatch of %d' % (n_examples, batch_size))
    return n_train_batches


def tutorial_parser(prog, description, epochs, batch_size, learning_rate, seed, out):
    """An ArgumentParser with the flags every tutorial script takes, showing the tutorial's defaults.

    ``--data`` (dataset), ``--epochs`` (epochs), ``--batch-size`` (batch_size),
    ``--learning-rate`` (learning_rate), ``--seed`` (seed), ``--out`` (out) and
    ``--n-train`` (n_train: use only the first N training examples); a script adds its own.
    """
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--data", dest="dataset", default=None, metavar="SOURCE",
                        help="'bundled' (the MNIST sample shipped with symconv, the default), a mnist.pkl.gz, "
                             "a folder of MNIST IDX files, or tfds:NAME")
    parser.add_argument("--epochs", type=int, default=epochs, metavar="N",
                        help="training epochs (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=batch_size, metavar="N",
                        help="minibatch size (default: %(default)s)")
    parser.add_argument("--learning-rate", type=float, default=learning_rate, metavar="F",
                        help="learning rate (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=seed, metavar="N",
                        help="seed of the weights and of the random streams (default: %(default)s)")
    parser.add_argument("--out", default=out, metavar="DIR", help="folder for the figures (default: %(default)s)")
    parser.add_argument("--n-train", type=int, default=None, metavar="N",
                        help="train on the first N training examples only (default: all)")
    return parser


def early_stopping(train_fn, validate_model, test_model, n_train_batches, training_epochs, patience,
                   patience_increase=2., improvement_threshold=0.995):
    """The tutorials' SGD loop: validate every epoch, test each new best model, stop when patience runs out.

    Training runs for at least `patience` minibatches; a new best validation
    error that improves on the previous one by more than `improvement_threshold`
    extends it to ``patience_increase`` times the current iteration.
    """
    validation_frequency = min(n_train_batches, patience // 2) or 1
    this_validation_loss = float(numpy.mean(validate_model(), dtype='float64'))
    print('validation error before fine-tuning %f %%' % (this_validation_loss * 100.))
    validation_errors = [(0, this_validation_loss)]
    best_validation_loss, best_iter, test_score = numpy.inf, 0, 0.
    start_time = timeit.default_timer()

    done_looping = False
    epoch = 0
    while epoch < training_epochs and not done_looping:
        epoch = epoch + 1
        for minibatch_index in range(n_train_batches):
            train_fn(minibatch_index)
            iter = (epoch - 1) * n_train_batches + minibatch_index  # noqa: A001 - the tutorial's name

            if (iter + 1) % validation_frequency == 0:
                this_validation_loss = float(numpy.mean(validate_model(), dtype='float64'))
                validation_errors.append((epoch, this_validation_loss))
                print('epoch %i, minibatch %i/%i, validation error %f %%'
                      % (epoch, minibatch_index + 1, n_train_batches, this_validation_loss * 100.))

                if this_validation_loss < best_validation_loss:
                    if this_validation_loss < best_validation_loss * improvement_threshold:
                        patience = max(patience, iter * patience_increase)
                    best_validation_loss = this_validation_loss
                    best_iter = iter
                    test_score = float(numpy.mean(test_model(), dtype='float64'))
                    print('     epoch %i, minibatch %i/%i, test error of best model %f %%'
                          % (epoch, minibatch_index + 1, n_train_batches, test_score * 100.))

            if patience <= iter:
                done_looping = True
                break

    seconds = timeit.default_timer() - start_time
    print('Optimization complete with best validation score of %f %%, on iteration %i, '
          'with test performance %f %%' % (best_validation_loss * 100., best_iter + 1, test_score * 100.))
    return {'validation_errors': validation_errors, 'best_validation_loss': best_validation_loss,
            'best_iter': best_iter, 'test_score': test_score, 'epochs': epoch, 'seconds': seconds}
