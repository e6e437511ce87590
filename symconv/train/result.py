"""What a finished early-stopping run reports back to the script that ran it."""
import dataclasses

from .state import History


@dataclasses.dataclass
class TrainingResult:
    best_validation_loss: float
    best_iter: int
    """Zero-based iteration of the best model; the tutorials print ``best_iter + 1``."""
    test_score: float
    """Test loss of the best model, measured when it was the best."""
    epochs: int
    """Epochs started, the tutorial's final ``epoch`` (the last may be partial)."""
    iterations: int
    """Minibatches trained in total, counting those before a resume."""
    patience: float
    """Final patience, in iterations."""
    stopped_early: bool
    """True when patience ran out before ``n_epochs``."""
    seconds: float
    """Wall time of this call (after a resume, only the resumed part)."""
    history: History

    @classmethod
    def from_state(cls, state, seconds):
        return cls(
            best_validation_loss=state.best_validation_loss,
            best_iter=state.best_iter,
            test_score=state.test_score,
            epochs=state.epoch,
            iterations=state.iter + 1,
            patience=state.patience,
            stopped_early=state.done_looping,
            seconds=seconds,
            history=state.history,
        )
