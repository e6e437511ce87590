"""The convolution tutorial's demo: random 9x9 filters over a colour photo, then a sigmoid.

    python tutorials/filter_demo.py [--image PHOTO] [--out DIR] [--seed N]

A 3 -> 2 channel ``conv2d`` with weights uniform in ±1/sqrt(3 * 9 * 9) and
biases in ±0.5, followed by a sigmoid, acts on an RGB image.  Random filters
already behave like edge detectors: the two output maps show the picture's
contours.  Without ``--image`` a small landscape is drawn procedurally (no
download).  Writes ``input.png``, ``filtered_0.png``, ``filtered_1.png`` and
``filter_demo.png`` (the three side by side) to ``--out``.
"""
import argparse
import os
import sys

import numpy
from PIL import Image

import symconv as theano
import symconv.tensor as T
from symconv.tensor.nnet import conv2d


def make_photo(height=192, width=256, seed=0):
    """An RGB landscape in [0, 1]: dusk sky, a moon, two mountain ranges, a lake with reflections, a tree."""
    rng = numpy.random.RandomState(seed)
    rows, cols = numpy.mgrid[0:height, 0:width].astype(numpy.float64)
    v, u = rows / height, cols / width
    horizon = 0.62
    # Sky: deep blue at the top to orange at the horizon.
    t = numpy.clip(v / horizon, 0, 1)[..., None]
    image = (1 - t) * numpy.array([0.08, 0.12, 0.35]) + t * numpy.array([0.95, 0.55, 0.25])
    # Moon with a soft glow.
    distance = numpy.hypot(u - 0.72, (v - 0.22) * height / width)
    image += (numpy.exp(-((distance / 0.12) ** 2)) * 0.35)[..., None] * numpy.array([1.0, 0.9, 0.7])
    image[distance < 0.05] = [0.97, 0.95, 0.85]
    # Two mountain ranges, the far one lighter.
    ranges = ((0.45, 0.10, (0.35, 0.25, 0.40), 0.0), (0.55, 0.08, (0.15, 0.12, 0.20), 2.0))
    for base, amplitude, colour, phase in ranges:
        ridge = base - amplitude * (numpy.sin(9 * u + phase) * 0.6 + numpy.sin(23 * u + 2 * phase) * 0.3
                                    + numpy.sin(51 * u + phase) * 0.1)
        image[(v > ridge) & (v < horizon)] = colour
    # Lake: the scene above the horizon mirrored, darker and rippled.
    lake = v >= horizon
    mirror = numpy.clip((2 * horizon * height - rows).astype(int), 0, height - 1)
    ripple = (numpy.sin(rows * 1.7 + numpy.sin(cols * 0.15) * 3) * 2).astype(int)
    source_cols = numpy.clip(cols.astype(int) + ripple, 0, width - 1)
    image[lake] = image[mirror[lake], source_cols[lake]] * 0.55 + numpy.array([0.0, 0.03, 0.08])
    # A tree on the shore: trunk and a round crown.
    trunk = (numpy.abs(u - 0.18) < 0.012) & (v > 0.42) & (v < horizon + 0.02)
    crown = numpy.hypot((u - 0.18) * width / height, v - 0.38) < 0.09
    image[trunk | crown] = [0.05, 0.08, 0.04]
    # Film grain.
    image += rng.normal(scale=0.02, size=image.shape)
    return numpy.clip(image, 0, 1)


def load_photo(path):
    with Image.open(path) as image:
        return numpy.asarray(image.convert("RGB"), dtype=numpy.float64) / 256.0


def save_gray(array, path):
    """A 2-D array saved as an 8-bit grayscale PNG, stretched to the full range."""
    low, high = float(array.min()), float(array.max())
    scaled = (array - low) / (high - low) if high > low else numpy.zeros_like(array)
    Image.fromarray(numpy.round(scaled * 255).astype(numpy.uint8), mode="L").save(path)


def filter_demo(image=None, out_dir="runs/filter_demo", seed=23455):
    """Filters the photo (an (h, w, 3) array in [0, 1], default `make_photo()`); returns the written paths."""
    rng = numpy.random.RandomState(seed)

    # instantiate 4D tensor for input
    input = T.tensor4(name="input")

    # initialize shared variable for weights.
    w_shp = (2, 3, 9, 9)
    w_bound = numpy.sqrt(3 * 9 * 9)
    W = theano.shared(numpy.asarray(rng.uniform(low=-1.0 / w_bound, high=1.0 / w_bound, size=w_shp),
                                    dtype=input.dtype), name="W")

    # initialize shared variable for bias (1D tensor) with random values
    b_shp = (2,)
    b = theano.shared(numpy.asarray(rng.uniform(low=-0.5, high=0.5, size=b_shp), dtype=input.dtype), name="b")

    # build symbolic expression that computes the convolution of input with filters in w
    conv_out = conv2d(input, W)

    # the bias, reshaped to (1, 2, 1, 1), broadcasts over the batch and the pixels
    output = T.nnet.sigmoid(conv_out + b.dimshuffle("x", 0, "x", "x"))

    # create theano function to compute filtered images
    f = theano.function([input], output)

    img = make_photo() if image is None else numpy.asarray(image, dtype=numpy.float64)
    height, width, _ = img.shape
    # put image in 4D tensor of shape (1, 3, height, width)
    img_ = img.transpose(2, 0, 1).reshape(1, 3, height, width).astype(input.dtype)
    filtered_img = f(img_)

    os.makedirs(out_dir, exist_ok=True)
    paths = [os.path.join(out_dir, name) for name in ("input.png", "filtered_0.png", "filtered_1.png")]
    Image.fromarray(numpy.round(numpy.clip(img, 0, 1) * 255).astype(numpy.uint8), mode="RGB").save(paths[0])
    for k in range(2):
        save_gray(filtered_img[0, k], paths[k + 1])
    paths.append(_side_by_side(img, filtered_img[0], os.path.join(out_dir, "filter_demo.png")))
    return paths


def _side_by_side(img, maps, path):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 3.6), layout="constrained")
    for ax, (picture, title) in zip(fig.subplots(1, 3), ((img, "input"), (maps[0], "filtered 0"),
                                                          (maps[1], "filtered 1"))):
        ax.imshow(numpy.clip(picture, 0, 1), cmap="gray")
        ax.set_title(title)
        ax.axis("off")
    fig.savefig(path, dpi=80)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Random 9x9 conv2d filters and a sigmoid over a colour photo.")
    parser.add_argument("--image", metavar="PHOTO", help="a colour photo (default: a generated landscape)")
    parser.add_argument("--out", default=os.path.join("runs", "filter_demo"), metavar="DIR",
                        help="where to write the PNG files (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=23455, help="seed of the random filters (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        image = None if args.image is None else load_photo(args.image)
    except OSError as exc:
        parser.error(f"cannot read {args.image}: {exc}")
    for path in filter_demo(image, out_dir=args.out, seed=args.seed):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
