"""The tutorials' settings checked before anything costly: a bad flag is a one-line error, not a traceback
after the data is loaded and the model compiled.

``check_settings(arguments)`` takes a tutorial function's arguments (its
``locals()``, as ``TutorialRun`` gets them) and raises ``SettingsError`` at the
first one that cannot work: a learning rate that is not a finite number > 0,
fewer than one epoch, a patience below 1, a seed ``numpy.random.RandomState``
refuses, a batch size below 1, or an ``--out`` that cannot hold the run
(an existing file, a path under a file, a folder that cannot be written).
Whether the batch size fits the data is known only once the data is loaded;
``minibatch_plan`` checks that before anything is compiled.
"""
import math
import numbers
import os
import uuid

SEED_LIMIT = 2 ** 32
"""``numpy.random.RandomState`` takes seeds 0 <= seed < 2**32."""

# The flag of each tutorial argument whose name differs from its flag's.
_FLAG_NAMES = {"dataset": "--data", "n_epochs": "--epochs", "out_dir": "--out",
               "hidden_layers_sizes": "--hidden-layers"}
_POSITIVE_RATES = ("learning_rate", "pretrain_lr")
_AT_LEAST_ONE = ("n_epochs", "patience", "batch_size", "n_train", "n_hidden", "k", "n_chains", "n_samples",
                 "plot_every")
_AT_LEAST_ZERO = ("pretraining_epochs",)
_SIZES = ("nkerns", "hidden_layers_sizes")
# Bytes written to --out to find out, before training, that it is full.
PROBE_BYTES = 64 * 1024


class SettingsError(ValueError):
    """A setting (a flag of ``symconv train``) that cannot work; reported in one line."""


def flag_name(parameter):
    """The command-line flag of a tutorial argument: ``n_epochs`` -> ``--epochs``."""
    return _FLAG_NAMES.get(parameter, "--" + parameter.replace("_", "-"))


def check_settings(arguments):
    """Raises ``SettingsError`` for the first of the tutorial `arguments` that cannot work.

    ``out_dir`` is checked last and, when it passes, exists: it is created
    and a probe file is written into it and removed.
    """
    for parameter in _POSITIVE_RATES:
        if parameter in arguments:
            _check_rate(parameter, arguments[parameter])
    for parameter in _AT_LEAST_ONE:
        _check_int(parameter, arguments.get(parameter), 1)
    for parameter in _AT_LEAST_ZERO:
        _check_int(parameter, arguments.get(parameter), 0)
    for parameter in _SIZES:
        if arguments.get(parameter) is not None:
            _check_sizes(parameter, arguments[parameter])
    if arguments.get("corruption_levels") is not None:
        _check_corruption_levels(arguments["corruption_levels"])
    _check_seed(arguments.get("seed"))
    if arguments.get("out_dir") is not None:
        check_out_dir(arguments["out_dir"])


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_rate(parameter, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise SettingsError(f"{flag_name(parameter)} must be a finite number > 0, got {value}")


def _check_int(parameter, value, minimum):
    if value is None:  # not an argument of this tutorial, or its default is computed (patience of sda, dbn)
        return
    if not _is_int(value) or value < minimum:
        raise SettingsError(f"{flag_name(parameter)} must be a whole number >= {minimum}, got {value}")


def _check_sizes(parameter, sizes):
    if len(sizes) == 0 or not all(_is_int(size) and size >= 1 for size in sizes):
        shown = ",".join(str(size) for size in sizes)
        raise SettingsError(f"{flag_name(parameter)} must be one or more whole numbers >= 1, got '{shown}'")


def _check_corruption_levels(levels):
    if len(levels) == 0 or not all(isinstance(level, numbers.Real) and 0 <= level < 1 for level in levels):
        shown = ",".join(str(level) for level in levels)
        raise SettingsError(f"--corruption-levels must be one or more numbers in [0, 1), got '{shown}'")


def _check_seed(seed):
    if seed is None:  # logreg: the weights start at zero
        return
    if not _is_int(seed) or not 0 <= seed < SEED_LIMIT:
        raise SettingsError(f"--seed must be a whole number from 0 to {SEED_LIMIT - 1}, got {seed}")


def check_out_dir(out_dir):
    """Makes sure `out_dir` is (or can become) a folder this process can write, with room for a file.

    Creates it when it does not exist; raises ``SettingsError`` naming the
    problem: an existing file, a file on the way to it, no permission, a full
    or read-only disk.
    """
    path = os.fspath(out_dir)
    if os.path.exists(path) and not os.path.isdir(path):
        raise SettingsError(f"--out {path} is a file, not a folder")
    blocking = _file_on_the_way(path)
    if blocking is not None:
        raise SettingsError(f"--out {path} cannot be a folder: {blocking} is a file")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise SettingsError(f"--out {path}: cannot create the folder: {exc.strerror or exc}") from None
    probe = os.path.join(path, f".write-probe.{uuid.uuid4().hex}.tmp")
    try:
        with open(probe, "xb") as file:
            file.write(b"\0" * PROBE_BYTES)
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:
        raise SettingsError(f"--out {path}: cannot write there: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(probe):
            os.unlink(probe)


def _file_on_the_way(path):
    """The nearest existing ancestor of `path` when it is not a folder, else None."""
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(parent):
        above = os.path.dirname(parent)
        if above == parent:
            return None
        parent = above
    return None if os.path.isdir(parent) else parent
