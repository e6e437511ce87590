"""The run folder (``--out``): where a training run leaves its model, its history and its figures.

``OUT/best_model.pkl`` is the pickled model (for the classifiers, the best
one, written at every new best validation score by ``Checkpoint``; loadable
with ``pickle.load``) and ``OUT/history.json`` the settings, the costs and the
learning curves that ``symconv plot`` and ``symconv predict`` read.  Figures
go beside them.  Every tutorial, and ``symconv train`` for every model, uses
the folder the same way.
"""
import json
import os
import pickle

from ..datasets import DEFAULT_SEED
from .checkpoint import Checkpoint, atomic_write
from .divergence import strict_json_value

MODEL_FILE = "best_model.pkl"
HISTORY_FILE = "history.json"


def data_source_for_record(source):
    """`source` as it should be saved: an absolute path for files and folders, else as given."""
    if source is None:
        return None
    text = os.fspath(source)
    if not text.startswith("tfds:") and text != "bundled" and os.path.exists(text):
        return os.path.abspath(text)
    return text


def result_record(result, n_train_batches):
    """The history.json sections of an early-stopping run's ``TrainingResult``."""
    return {
        "n_train_batches": n_train_batches,
        "result": {
            "best_validation_loss": result.best_validation_loss,
            "best_iter": result.best_iter,
            "test_score": result.test_score,
            "epochs": result.epochs,
            "iterations": result.iterations,
            "stopped_early": result.stopped_early,
            "seconds": result.seconds,
        },
        "history": result.history.to_dict(),
    }


class RunDirectory:
    """The output folder of one run; with ``out_dir=None`` nothing is written."""

    def __init__(self, out_dir, model, settings, dataset):
        self.out_dir = None if out_dir is None else os.fspath(out_dir)
        self.model, self.settings = model, dict(settings)
        self.dataset = data_source_for_record(dataset)
        self.figures = []
        if self.out_dir is not None:
            os.makedirs(self.out_dir, exist_ok=True)

    def path(self, name):
        """``OUT/name``, or None without a folder."""
        return None if self.out_dir is None else os.path.join(self.out_dir, name)

    @property
    def model_path(self):
        return self.path(MODEL_FILE)

    @property
    def history_path(self):
        return self.path(HISTORY_FILE)

    def checkpoint(self, model):
        """A Checkpoint pickling `model` to best_model.pkl at every new best (None without a folder)."""
        if self.out_dir is None:
            return None
        return Checkpoint(self.model_path, get_state=lambda: model,
                          set_state=lambda saved: model.set_param_values(saved.get_param_values()))

    def save_model(self, model):
        """Pickles `model` to best_model.pkl (atomically), for runs without early stopping."""
        if self.out_dir is not None:
            atomic_write(self.model_path, lambda file: pickle.dump(model, file))

    def write_history(self, **sections):
        """Writes history.json: the model's name, the settings, the data source, then `sections`."""
        if self.out_dir is None:
            return
        record = {"model": self.model, "settings": self.settings,
                  "data": {"source": self.dataset, "seed": DEFAULT_SEED}, **sections}
        # NaN and infinities (a diverged cost, an epoch without costs) become null: strict JSON parsers refuse them.
        text = json.dumps(strict_json_value(record), indent=1, allow_nan=False)
        atomic_write(self.history_path, lambda f: f.write(text.encode()))

    def read_history(self):
        """The history.json of an earlier run in this folder, or None."""
        if self.out_dir is None or not os.path.isfile(self.history_path):
            return None
        with open(self.history_path) as file:
            return json.load(file)

    def finish(self, plot=None, print_fn=print, **sections):
        """Writes history.json, then draws ``plot(model_path, out_dir=...)`` (when given); returns the paths."""
        if self.out_dir is None:
            return []
        self.write_history(**sections)
        written = [p for p in (self.model_path, self.history_path) if os.path.exists(p)] + self.figures
        if plot is not None and os.path.exists(self.model_path):
            written += plot(self.model_path, out_dir=self.out_dir)
        print_fn(f"wrote {', '.join(shown_path(p) for p in written)}")
        return written


def shown_path(path):
    """`path` relative to the current folder when it lies inside it, else absolute."""
    relative = os.path.relpath(path)
    return os.path.abspath(path) if relative.startswith(os.pardir) else relative
