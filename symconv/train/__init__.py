"""Training loops for the tutorials, checkpoints and the run folder.

``early_stopping`` is the patience loop that logistic_sgd.py, mlp.py,
convolutional_mlp.py and the fine-tuning of SdA.py and DBN.py each spell out
by hand; ``train_epochs`` the fixed-epochs loop of dA.py, rbm.py and the
pre-training.  ``Checkpoint`` saves the best model with the loop's state in
one model file that holds no code (``model_file``: arrays in a ``.npz`` and a
JSON description; ``save_model``/``load_model``) and lets an interrupted run
resume; ``RunDirectory`` is the ``--out`` folder that holds it with history.json.
"""
from .checkpoint import Checkpoint, atomic_write
from .divergence import TrainingDiverged
from .early_stopping import early_stopping
from .epochs import train_epochs
from .result import TrainingResult
from .model_file import MODEL_FILE, ModelFileError, SavedModel, load_model, save_model
from .run_directory import HISTORY_FILE, RunDirectory, RunFolderError, result_record, shown_path
from .state import History, LoopState

__all__ = ["HISTORY_FILE", "MODEL_FILE", "Checkpoint", "History", "LoopState", "RunDirectory", "TrainingResult",
           "TrainingDiverged", "atomic_write", "early_stopping", "result_record", "shown_path", "train_epochs",
           "ModelFileError", "RunFolderError", "SavedModel", "load_model", "save_model"]
