"""Reading a dataset file, gzipped or not, with every failure reported as a DatasetError naming it."""

import gzip
import zlib

from .errors import DatasetError


def _cannot_read(err):
    return f"cannot be read ({err.strerror or err})"


def read_file(path, read, truncated="file is truncated", failure=OSError, describe=_cannot_read):
    """``read(file)`` on `path` opened for binary reading (gunzipped if its name ends in ``.gz``).

    A missing file, bad gzip data, a truncated stream (`truncated` says how
    to call it) and any `failure` exception (described by ``describe(err)``)
    raise a `DatasetError` that names the file.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as file:
            return read(file)
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found") from None
    except (gzip.BadGzipFile, zlib.error) as err:
        raise DatasetError(f"{path}: not a valid gzip file ({err})") from None
    except EOFError:
        raise DatasetError(f"{path}: {truncated}") from None
    except failure as err:
        raise DatasetError(f"{path}: {describe(err)}") from None
