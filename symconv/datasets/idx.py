"""Read and write IDX files, the format MNIST and Fashion-MNIST ship in.

An IDX file is a big-endian header -- two zero bytes, a type code (0x08 for
unsigned bytes), the number of dimensions, then one uint32 per dimension --
followed by the raw array. Only unsigned-byte files exist in practice for
these datasets, so that is the only type supported. Files ending in ``.gz``
are gzip-compressed.
"""

import gzip
from pathlib import Path

import numpy as np

from .errors import DatasetError
from .files import read_file

UNSIGNED_BYTE = 0x08


def idx_magic(ndim):
    """The magic number of an unsigned-byte IDX file: 0x00000803 for images, 0x00000801 for labels."""
    return (UNSIGNED_BYTE << 8) | ndim


def read_idx(path, ndim=None):
    """Return the (read-only) uint8 array stored in the IDX file at `path`.

    `ndim`, when given, is checked against the magic number, so that swapping
    an images file for a labels file is reported as such rather than as a
    shape error later on. Every problem raises `DatasetError` naming the file.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise DatasetError(f"{path}: only {len(data)} bytes, too short for an IDX header")
    magic = int.from_bytes(data[:4], "big")
    file_ndim = data[3]
    if magic >> 8 != UNSIGNED_BYTE or (ndim is not None and file_ndim != ndim):
        expected = f"0x{idx_magic(ndim):08x}" if ndim is not None else "0x000008NN (unsigned bytes)"
        raise DatasetError(f"{path}: wrong IDX magic number 0x{magic:08x}, expected {expected}")
    header_size = 4 + 4 * file_ndim
    if len(data) < header_size:
        raise DatasetError(f"{path}: truncated IDX header ({len(data)} of {header_size} bytes)")
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", count=file_ndim, offset=4))
    expected_size = int(np.prod(shape))
    payload_size = len(data) - header_size
    if payload_size != expected_size:
        raise DatasetError(
            f"{path}: header declares shape {shape} ({expected_size} bytes of data) "
            f"but the file holds {payload_size} bytes of data"
            + (" (truncated?)" if payload_size < expected_size else "")
        )
    return np.frombuffer(data, np.uint8, offset=header_size).reshape(shape)


def write_idx(path, array):
    """Write `array` (values 0..255) as an unsigned-byte IDX file, gzipped if `path` ends in ``.gz``.

    Used to export digits and to build test fixtures; the gzip timestamp is
    zeroed so the same array always produces the same bytes.
    """
    path = Path(path)
    array = np.asarray(array)
    if array.dtype != np.uint8:
        if array.dtype.kind not in "iub" or (array.size and (array.min() < 0 or array.max() > 255)):
            raise ValueError(f"write_idx needs integers in 0..255, got {array.dtype} for {path}")
        array = array.astype(np.uint8)
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"write_idx needs 1 to 255 dimensions, got {array.ndim} for {path}")
    header = idx_magic(array.ndim).to_bytes(4, "big") + np.asarray(array.shape, ">u4").tobytes()
    data = header + np.ascontiguousarray(array).tobytes()
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path


def _read_bytes(path):
    return read_file(path, lambda file: file.read(), truncated="gzip stream is truncated")
