"""Saving the best model so that a crash never costs the last good one.

The model goes to ``path`` as a plain pickle of whatever ``get_state()``
returns, so ``pickle.load(open('best_model.pkl', 'rb'))`` gives the model back
just as in the tutorials' ``predict()``.  The loop counters go to a small JSON
sidecar, ``path + '.loop.json'``, which also holds the SHA-256 of the model
file: the two files are replaced one after the other, and the hash tells a
resume whether they still belong together.
"""
import dataclasses
import hashlib
import json
import os
import pickle
import uuid
from typing import Any, Callable, Optional

from .state import LoopState

SIDECAR_SUFFIX = ".loop.json"
FORMAT_VERSION = 1


@dataclasses.dataclass
class Checkpoint:
    path: str
    """Where the best model is pickled, e.g. ``'best_model.pkl'``."""
    get_state: Callable[[], Any]
    """Returns the object to pickle, e.g. ``lambda: classifier``."""
    set_state: Optional[Callable[[Any], None]] = None
    """Puts an unpickled object back into the live model; needed to resume."""

    @property
    def sidecar_path(self):
        return os.fspath(self.path) + SIDECAR_SUFFIX

    def exists(self):
        return os.path.exists(self.path) or os.path.exists(self.sidecar_path)

    def save(self, state: LoopState, run_shape: dict):
        """Model first, then the counters that describe it."""
        model_sha256 = atomic_write(self.path, lambda file: pickle.dump(self.get_state(), file))
        sidecar = {"format": FORMAT_VERSION, "model_sha256": model_sha256, "run_shape": run_shape}
        sidecar.update(state.to_dict())
        atomic_write(self.sidecar_path, lambda file: file.write(json.dumps(sidecar, indent=1).encode()))

    def restore(self, run_shape: dict) -> LoopState:
        """Loads the model into the caller's objects and returns the saved loop state."""
        if self.set_state is None:
            raise ValueError("resuming needs Checkpoint(set_state=...) to put the saved model back")
        with open(self.sidecar_path, "rb") as file:
            sidecar = json.load(file)
        with open(self.path, "rb") as file:
            model_bytes = file.read()
        if hashlib.sha256(model_bytes).hexdigest() != sidecar["model_sha256"]:
            raise RuntimeError(
                f"{self.path} does not match {self.sidecar_path} (a save was interrupted between "
                "the two files); the model is usable but its loop state is lost, so start afresh"
            )
        if sidecar["run_shape"] != run_shape:
            raise ValueError(f"checkpoint was made by a run with {sidecar['run_shape']}, this run has {run_shape}")
        self.set_state(pickle.loads(model_bytes))
        return LoopState.from_dict(sidecar)


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
