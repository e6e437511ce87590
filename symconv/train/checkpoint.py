"""Saving the best model so that a crash never costs the last good one, nor the means to resume.

At every new best, ``Checkpoint.save`` writes one model file
(``symconv.train.model_file``): the model's arrays, its description, the
run's settings and the loop's counters, together.  The file is replaced
atomically, so a kill at any moment leaves either the previous checkpoint or
the new one, each whole and resumable; nothing in it is a pickle.
"""
import dataclasses
import os
from typing import Callable, Optional, Union

from .atomic import atomic_write
from .model_file import ModelFileError, SavedModel, model_record, put_back, read_model_file, write_model_file
from .state import LoopState

FORMAT_VERSION = 2

__all__ = ["Checkpoint", "atomic_write"]


class CheckpointMismatch(ModelFileError, ValueError):
    """A checkpoint whose loop counts other minibatches than this run's: it cannot be resumed by it."""


def _shape(run_shape):
    if not isinstance(run_shape, dict):
        return repr(run_shape)
    return ", ".join(f"{key}={value}" for key, value in sorted(run_shape.items()))


@dataclasses.dataclass
class Checkpoint:
    path: str
    """Where the best model is saved, e.g. ``'best_model.npz'``."""
    get_state: Callable[[], SavedModel]
    """Returns the model as data, a ``SavedModel`` (``model_file.model_record(model)`` for symconv models)."""
    set_state: Optional[Callable[[SavedModel], None]] = None
    """Puts a saved ``SavedModel`` back into the live model; needed to resume."""
    run: Union[dict, Callable[[], dict], None] = None
    """JSON-ready description of the run (its settings), saved with each checkpoint; or a function returning it."""

    @classmethod
    def for_model(cls, path, model, run=None):
        """A checkpoint of the ``symconv.layers`` `model` (any of the CLI's seven)."""
        return cls(os.fspath(path), get_state=lambda: model_record(model),
                   set_state=lambda saved: put_back(model, saved, path=os.fspath(path)), run=run)

    def exists(self):
        return os.path.exists(self.path)

    def run_record(self):
        return self.run() if callable(self.run) else self.run

    def save(self, state: LoopState, run_shape: dict):
        """Model, run settings and loop counters, in one file replaced at once."""
        loop = {"format": FORMAT_VERSION, "run_shape": run_shape, **state.to_dict()}
        write_model_file(self.path, self.get_state(), run=self.run_record(), loop=loop)

    def read(self):
        """``(record, SavedModel)``: the checkpoint's JSON record and its model, read without unpickling."""
        return read_model_file(self.path)

    def restore(self, run_shape: dict) -> LoopState:
        """Loads the model into the caller's objects and returns the saved loop state."""
        if self.set_state is None:
            raise ValueError("resuming needs Checkpoint(set_state=...) to put the saved model back")
        record, saved = self.read()
        loop = record.get("loop")
        if not isinstance(loop, dict):
            raise ModelFileError(f"{self.path} holds a model but no early-stopping state to resume from")
        if loop.get("run_shape") != run_shape:
            raise CheckpointMismatch(
                f"{self.path} was saved by a run with {_shape(loop.get('run_shape'))}, this run has "
                f"{_shape(run_shape)}, so it cannot continue it (the batch size, --n-train or the data differ)")
        self.set_state(saved)
        return LoopState.from_dict(loop)
