"""Replacing a file so that a crash at any moment leaves the old file or the new one, whole."""
import glob
import hashlib
import os
import uuid

TEMPORARY_PATTERN = ".{name}.*.tmp"


class _HashingWriter:
    """File wrapper that hashes the bytes on their way to disk."""

    def __init__(self, file):
        self.file = file
        self.sha256 = hashlib.sha256()

    def write(self, data):
        self.sha256.update(data)
        return self.file.write(data)


def atomic_write(path, write_to):
    """Replaces ``path`` with what ``write_to(file)`` writes, or leaves it untouched.

    The bytes go to a temporary file in the same directory (so the final
    ``os.replace`` is a rename within one file system, which is atomic), are
    flushed and fsynced, and only then take the place of the old file.
    Returns the SHA-256 hex digest of the bytes written.
    """
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(directory, f".{name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "xb") as file:
            writer = _HashingWriter(file)
            write_to(writer)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)
    return writer.sha256.hexdigest()


def stale_temporary_files(path):
    """The temporary files an ``atomic_write(path, ...)`` killed before its rename left behind."""
    directory, name = os.path.split(os.path.abspath(os.fspath(path)))
    return sorted(glob.glob(os.path.join(glob.escape(directory), TEMPORARY_PATTERN.format(name=glob.escape(name)))))


def remove_stale_temporary_files(path):
    """Deletes what ``stale_temporary_files(path)`` finds; returns the paths removed."""
    removed = []
    for stale in stale_temporary_files(path):
        try:
            os.unlink(stale)
            removed.append(stale)
        except FileNotFoundError:
            pass
    return removed


def _fsync_directory(directory):
    """Makes the rename itself durable; not possible (nor needed) everywhere."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
