"""Where a training run leaves its files: the best model, its history and its plots.

``OUT/best_model.pkl`` is the pickled classifier (written at every new best
validation score by ``symconv.train.Checkpoint``, loadable with
``pickle.load``), ``OUT/history.json`` the learning curves and settings
``symconv plot`` and ``symconv predict`` need, and the PNGs from
``symconv.plots``.
"""
import json
import os
import sys

from ..datasets import DEFAULT_SEED
from ..train import Checkpoint, atomic_write, messages

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


class RunDirectory:
    """The output folder of one run; with ``out_dir=None`` nothing is written."""

    def __init__(self, out_dir, model, settings, dataset):
        self.out_dir = None if out_dir is None else os.fspath(out_dir)
        self.model, self.settings = model, dict(settings)
        self.dataset = data_source_for_record(dataset)
        if self.out_dir is not None:
            os.makedirs(self.out_dir, exist_ok=True)

    @property
    def model_path(self):
        return None if self.out_dir is None else os.path.join(self.out_dir, MODEL_FILE)

    @property
    def history_path(self):
        return None if self.out_dir is None else os.path.join(self.out_dir, HISTORY_FILE)

    def checkpoint(self, classifier):
        """A Checkpoint pickling `classifier` to best_model.pkl at every new best (None without a folder)."""
        if self.out_dir is None:
            return None
        return Checkpoint(self.model_path, get_state=lambda: classifier,
                          set_state=lambda saved: classifier.set_param_values(saved.get_param_values()))

    def finish(self, result, n_train_batches, plots=True, print_fn=print):
        """Writes history.json, then the plots of the best model (when `plots`)."""
        if self.out_dir is None:
            return []
        record = {
            "model": self.model,
            "settings": self.settings,
            "data": {"source": self.dataset, "seed": DEFAULT_SEED},
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
        atomic_write(self.history_path, lambda f: f.write(json.dumps(record, indent=1).encode()))
        written = [self.model_path, self.history_path]
        if plots and os.path.exists(self.model_path):
            from ..plots import plot_all

            written += plot_all(self.model_path, out_dir=self.out_dir)
        print_fn(f"wrote {', '.join(shown_path(p) for p in written)}")
        return written


def shown_path(path):
    """`path` relative to the current folder when it lies inside it, else absolute."""
    relative = os.path.relpath(path)
    return os.path.abspath(path) if relative.startswith(os.pardir) else relative


def print_summary(style, result):
    """The tutorial's closing lines ('logistic', 'mlp' or 'lenet' style), after the files are written."""
    for line in messages.summary_lines(style, result):
        print(line)


def report_wall_time(script, seconds):
    """The tutorials' closing line on stderr: ``The code for file X ran for 1.23m``."""
    print(f"The code for file {script} ran for {seconds / 60.0:.2f}m", file=sys.stderr)
