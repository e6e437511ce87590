"""Load a TensorFlow Datasets dataset by name (``tfds:mnist``, ``tfds:fashion_mnist``).

Examples are read with ``builder.as_data_source`` rather than ``tfds.load``:
it returns NumPy through ArrayRecord and PIL, so reading works without
TensorFlow (preparing a dataset for the first time still needs it). The
``tensorflow_datasets`` import is deferred to this loader because it is slow
and optional. TFDS retries failed downloads for minutes, so reachability is
probed first and an offline machine gets a quick, actionable error instead.
"""

import socket
import threading

import numpy as np

from .arrays import as_examples
from .errors import DatasetError, DatasetUnavailableError
from .splits import hold_out_validation

DOWNLOAD_HOST = "storage.googleapis.com"
PROBE_TIMEOUT_SECONDS = 3.0
ALTERNATIVES = (
    "Use --data bundled (the MNIST sample shipped with symconv) or --data FOLDER "
    "(a folder of MNIST-format IDX files, e.g. Fashion-MNIST's)."
)


def load_tfds(name, data_dir=None):
    """Return ``[train, valid, test]`` of TFDS dataset `name`; valid is the last sixth of its train split."""
    tfds = _import_tfds()
    source = f"tfds:{name}"
    try:
        builder = tfds.builder(name, data_dir=None if data_dir is None else str(data_dir),
                               file_format="array_record")
    except tfds.core.registered.DatasetNotFoundError:
        raise DatasetError(f"{source}: TensorFlow Datasets has no dataset named {name!r}") from None
    if not builder.is_prepared():
        _download_and_prepare(builder, source)
    if not builder.info.supervised_keys:
        raise DatasetError(f"{source}: the dataset defines no (image, label) supervised keys")
    image_key, label_key = builder.info.supervised_keys
    try:
        train_source, test_source = builder.as_data_source(split=["train", "test"])
    except (KeyError, ValueError) as err:
        raise DatasetError(f"{source}: needs a 'train' and a 'test' split ({err})") from None
    train = _read_split(train_source, image_key, label_key, f"{source} (train)")
    test = _read_split(test_source, image_key, label_key, f"{source} (test)")
    return [*hold_out_validation(*train), test]


def network_available(host=DOWNLOAD_HOST, port=443, timeout=PROBE_TIMEOUT_SECONDS):
    """Whether a TCP connection to `host` opens within `timeout` seconds.

    DNS lookups ignore socket timeouts, so the probe runs in a daemon thread
    and is abandoned if it takes too long.
    """
    connected = []

    def probe():
        try:
            with socket.create_connection((host, port), timeout=timeout):
                connected.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(connected)


def _import_tfds():
    try:
        import tensorflow_datasets
    except ImportError as err:
        raise DatasetUnavailableError(
            f"tensorflow-datasets cannot be imported ({err}); pip install tensorflow-datasets. "
            + ALTERNATIVES
        ) from None
    return tensorflow_datasets


def _download_and_prepare(builder, source):
    not_here = f"{source} could not be downloaded: it is not prepared in {builder.data_dir}"
    if not network_available():
        raise DatasetUnavailableError(
            f"{not_here} and {DOWNLOAD_HOST} cannot be reached, so this machine seems "
            f"to be offline. {ALTERNATIVES}"
        )
    try:
        builder.download_and_prepare()
    except ModuleNotFoundError as err:
        if err.name != "tensorflow":
            raise
        raise DatasetUnavailableError(
            f"{not_here}, and TFDS needs TensorFlow to prepare it (pip install tensorflow). "
            f"{ALTERNATIVES}"
        ) from None
    except OSError as err:
        raise DatasetUnavailableError(f"{not_here} ({err}). {ALTERNATIVES}") from None


def _read_split(data_source, image_key, label_key, where):
    # One index at a time: TFDS's mock data sources do not support batched __getitems__.
    examples = [data_source[i] for i in range(len(data_source))]
    if not examples:
        raise DatasetError(f"{where}: holds no images")
    images = np.stack([np.asarray(example[image_key]) for example in examples])
    labels = np.array([example[label_key] for example in examples])
    return as_examples(images, labels, where)
