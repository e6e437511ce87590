"""Everything the early-stopping loop knows, in one record a checkpoint can carry.

Keeping the counters together (rather than as loop locals, as the tutorials
do) is what lets a resumed run pick up exactly where a saved one was.
"""
import dataclasses
import math

import numpy as np


@dataclasses.dataclass
class History:
    """Learning-curve data: what was measured, and when."""

    validation: list = dataclasses.field(default_factory=list)
    """``(iter, epoch, validation_loss)`` at every validation point."""
    test: list = dataclasses.field(default_factory=list)
    """``(iter, epoch, test_score)`` at every new best validation loss."""
    epoch_costs: list = dataclasses.field(default_factory=list)
    """Mean training cost of each epoch (the last one may be partial)."""

    def to_dict(self):
        """JSON-ready lists (tuples become lists)."""
        return {"validation": [list(entry) for entry in self.validation],
                "test": [list(entry) for entry in self.test],
                "epoch_costs": list(self.epoch_costs)}

    @classmethod
    def from_dict(cls, saved):
        return cls(validation=[tuple(entry) for entry in saved["validation"]],
                   test=[tuple(entry) for entry in saved["test"]],
                   epoch_costs=list(saved["epoch_costs"]))


@dataclasses.dataclass
class LoopState:
    """The tutorial loop's variables, named as in the tutorials."""

    patience: float
    epoch: int = 0
    iter: int = -1
    """Last finished iteration; -1 before the first minibatch."""
    best_validation_loss: float = math.inf
    best_iter: int = 0
    test_score: float = 0.0
    done_looping: bool = False
    history: History = dataclasses.field(default_factory=History)
    current_epoch_costs: list = dataclasses.field(default_factory=list)
    """Raw costs returned so far this epoch, kept unconverted so training
    never waits on the device just to record a number."""

    def close_epoch(self):
        """Moves this epoch's mean cost into the history."""
        self.history.epoch_costs.append(mean_cost(self.current_epoch_costs))
        self.current_epoch_costs = []

    def to_dict(self):
        """Plain JSON-ready values (costs are converted here, at a checkpoint only)."""
        return {
            "patience": self.patience,
            "epoch": self.epoch,
            "iter": self.iter,
            "best_validation_loss": self.best_validation_loss,
            "best_iter": self.best_iter,
            "test_score": self.test_score,
            "history": self.history.to_dict(),
            "current_epoch_costs": flat_costs(self.current_epoch_costs).tolist(),
        }

    @classmethod
    def from_dict(cls, saved):
        history = saved["history"]
        return cls(
            patience=saved["patience"],
            epoch=saved["epoch"],
            iter=saved["iter"],
            best_validation_loss=saved["best_validation_loss"],
            best_iter=saved["best_iter"],
            test_score=saved["test_score"],
            history=History.from_dict(history),
            current_epoch_costs=[np.asarray(saved["current_epoch_costs"], dtype=np.float64)],
        )


def flat_costs(costs):
    """One float64 vector from scalars and per-chunk arrays alike."""
    if not costs:
        return np.zeros(0)
    return np.concatenate([np.ravel(np.asarray(cost, dtype=np.float64)) for cost in costs])


def mean_cost(costs):
    values = flat_costs(costs)
    return float(np.mean(values)) if values.size else math.nan
