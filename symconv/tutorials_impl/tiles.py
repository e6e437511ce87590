"""Filters and samples drawn as a grid of tiles, as the dA, SdA, RBM and DBN tutorials draw them.

``tile_raster_images`` lays out a matrix whose rows are flattened images (the
columns of a first-layer weight matrix, once transposed, or a batch of
samples) as a grid of tiles, ready for ``PIL.Image.fromarray(...).save(...)``.
(The deeplearning.net tutorials keep it in
their ``utils.py``, which ``tutorials/utils.py`` re-exports.)
"""
import numpy

__all__ = ["scale_to_unit_interval", "tile_raster_images"]


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

