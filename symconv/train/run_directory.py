"""The run folder (``--out``): where a training run leaves its model, its history and its figures.

``OUT/best_model.npz`` is the model (for the classifiers, the best one,
written at every new best validation score by ``Checkpoint`` together with
the run's settings and the loop's state; see ``model_file``) and
``OUT/history.json`` the settings, the costs and the learning curves that
``symconv plot`` and ``symconv predict`` read.  Figures go beside them.

A folder that already holds a run is never trained into by accident:
``prepare`` refuses it unless the run is resumed (``resume``, with the same
settings unless ``allow_changed_settings``) or replaced (``overwrite``),
before anything is written.
"""
import json
import os

from ..datasets import DEFAULT_SEED
from .atomic import atomic_write, remove_stale_temporary_files
from .checkpoint import Checkpoint
from .divergence import strict_json_value
from .model_file import MODEL_FILE, ModelFileError, read_description, save_model

HISTORY_FILE = "history.json"
LEGACY_FILES = ("best_model.pkl", "best_model.pkl.loop.json")
"""What symconv wrote before models were saved as ``.npz``: pickles, never loaded any more."""
CHANGEABLE_ON_RESUME = ("n_epochs",)
"""Settings a resumed run may change without ``allow_changed_settings``: they do not change the run so far."""


class RunFolderError(Exception):
    """A run folder that cannot be trained into as asked; reported in one line."""


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


def _shown_value(value):
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return "unset" if value is None else str(value)


def setting_differences(saved, current):
    """``[(name, saved value, current value)]`` where two run records (model, settings, data) differ."""
    differences = []
    if saved.get("model") != current.get("model"):
        differences.append(("model", saved.get("model"), current.get("model")))
    saved_settings, settings = saved.get("settings") or {}, current.get("settings") or {}
    for name in sorted(set(saved_settings) | set(settings)):
        old, new = saved_settings.get(name), settings.get(name)
        if name not in CHANGEABLE_ON_RESUME and _comparable(old) != _comparable(new):
            differences.append((name, old, new))
    saved_data, data = saved.get("data") or {}, current.get("data") or {}
    for name in sorted(set(saved_data) | set(data)):
        if saved_data.get(name) != data.get(name):
            differences.append(("data" if name == "source" else f"data {name}", saved_data.get(name),
                                data.get(name)))
    return differences


def _comparable(value):
    return list(value) if isinstance(value, tuple) else value


class RunDirectory:
    """The output folder of one run; with ``out_dir=None`` nothing is written."""

    def __init__(self, out_dir, model, settings, dataset):
        self.out_dir = None if out_dir is None else os.fspath(out_dir)
        self.model, self.settings = model, dict(settings)
        self.dataset = data_source_for_record(dataset)
        self.figures = []
        self.sections = {}
        """history.json sections written so far (e.g. the pre-training costs), saved with each checkpoint."""
        self.changes = []
        """Settings changed on resuming with ``allow_changed_settings``: recorded in history.json."""

    def path(self, name):
        """``OUT/name``, or None without a folder."""
        return None if self.out_dir is None else os.path.join(self.out_dir, name)

    @property
    def model_path(self):
        return self.path(MODEL_FILE)

    @property
    def history_path(self):
        return self.path(HISTORY_FILE)

    def run_record(self):
        """What defines this run: the model's name, its settings and its data."""
        return {"model": self.model, "settings": self.settings,
                "data": {"source": self.dataset, "seed": DEFAULT_SEED}}

    def existing_run_files(self):
        """The files of an earlier run in this folder (model, history, pickles of older versions)."""
        if self.out_dir is None or not os.path.isdir(self.out_dir):
            return []
        return [name for name in (MODEL_FILE, HISTORY_FILE) + LEGACY_FILES
                if os.path.exists(os.path.join(self.out_dir, name))]

    def prepare(self, resume=False, overwrite=False, allow_changed_settings=False, resumable=True):
        """Checks, before anything is written, that this run may use the folder; then creates it.

        A folder holding a run needs `resume` (for a `resumable` run, and with
        the same settings unless `allow_changed_settings`) or `overwrite`
        (which deletes that run's model and history first).  Raises
        ``RunFolderError`` otherwise.  Temporary files left by a killed save
        are deleted.  Returns True when a checkpoint will be resumed.
        """
        if self.out_dir is None:
            return False
        shown = self.out_dir
        existing = self.existing_run_files()
        if resume and overwrite:
            raise RunFolderError("--resume continues the run in the folder and --overwrite replaces it: "
                                 "give one of them")
        resuming = False
        if existing and overwrite:
            for name in existing:
                os.unlink(os.path.join(self.out_dir, name))
        elif existing and resume:
            resuming = self._check_resumable(existing, resumable, allow_changed_settings)
        elif existing:
            raise RunFolderError(
                f"{shown} already holds a run ({', '.join(existing)}); pass --resume to continue it, or "
                f"--overwrite to replace it, or choose another --out")
        os.makedirs(self.out_dir, exist_ok=True)
        for name in (MODEL_FILE, HISTORY_FILE):
            remove_stale_temporary_files(os.path.join(self.out_dir, name))
        return resuming

    def _check_resumable(self, existing, resumable, allow_changed_settings):
        shown = self.out_dir
        if not resumable:
            raise RunFolderError(
                f"{shown} already holds a {self.model} run, and {self.model} trains a fixed number of epochs "
                f"without a checkpoint, so --resume cannot continue it; pass --overwrite to replace it")
        if MODEL_FILE not in existing:
            if any(name in LEGACY_FILES for name in existing):
                raise RunFolderError(
                    f"{shown} holds a run saved as a pickle by an older symconv ({', '.join(existing)}), which "
                    "is not loaded (unpickling can run code); pass --overwrite to start afresh")
            return False  # nothing saved yet (killed before its first best): the run starts afresh
        try:
            saved = read_description(self.model_path).get("run") or {}
        except ModelFileError as exc:
            raise RunFolderError(f"cannot resume: {exc}") from None
        differences = setting_differences(saved, self.run_record())
        if differences and not allow_changed_settings:
            listed = "; ".join(f"{name} was {_shown_value(old)}, is {_shown_value(new)}"
                               for name, old, new in differences)
            raise RunFolderError(
                f"cannot resume {shown} with other settings than its run's: {listed}; rerun with the same "
                "settings, or pass --allow-changed-settings to continue with these (recorded in history.json)")
        if differences:
            self.changes = [{"setting": name, "was": old, "now": new} for name, old, new in differences]
            self.sections["resumed_with_changes"] = self.changes
        return True

    def checkpoint(self, model):
        """A Checkpoint saving `model` and this run's record to best_model.npz at every new best
        (None without a folder)."""
        if self.out_dir is None:
            return None
        return Checkpoint.for_model(self.model_path, model, run=lambda: {**self.run_record(), **self.sections})

    def save_model(self, model):
        """Saves `model` to best_model.npz (atomically), for runs without early stopping."""
        if self.out_dir is not None:
            save_model(model, self.model_path, run={**self.run_record(), **self.sections})

    def write_history(self, **sections):
        """Writes history.json: the model's name, the settings, the data source, then `sections`
        (kept, so that each later write and checkpoint has them too)."""
        if self.out_dir is None:
            return
        self.sections.update(sections)
        record = {**self.run_record(), **self.sections}
        os.makedirs(self.out_dir, exist_ok=True)
        # NaN and infinities (a diverged cost, an epoch without costs) become null: strict JSON parsers refuse them.
        text = json.dumps(strict_json_value(record), indent=1, allow_nan=False)
        atomic_write(self.history_path, lambda f: f.write(text.encode()))

    def read_history(self):
        """The record of the run being resumed in this folder: the one saved with its checkpoint, else
        history.json; None when there is neither."""
        if self.out_dir is None:
            return None
        if os.path.isfile(self.model_path):
            try:
                record = read_description(self.model_path).get("run")
            except ModelFileError:
                record = None
            if record:
                return record
        if not os.path.isfile(self.history_path):
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
