"""Training loops for the tutorials: patience-based early stopping and checkpoints.

``early_stopping`` is the loop that logistic_sgd.py, mlp.py and
convolutional_mlp.py each spell out by hand; ``Checkpoint`` saves the best
model as a plain pickle (loadable as the tutorials' ``best_model.pkl``) and
lets an interrupted run resume.
"""
from .checkpoint import Checkpoint, atomic_write
from .early_stopping import early_stopping
from .result import TrainingResult
from .state import History, LoopState

__all__ = ["Checkpoint", "History", "LoopState", "TrainingResult", "atomic_write", "early_stopping"]
