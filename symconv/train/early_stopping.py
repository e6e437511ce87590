"""The deeplearning.net tutorials' patience-based early stopping, as a function.

logistic_sgd.py, mlp.py and convolutional_mlp.py each repeat the same loop;
this is that loop, decision for decision, so a port can call it and print
what the original printed.  Two additions do not change a single decision:
``train_epoch_fn`` runs the minibatches between two decision points in one
call, and a ``Checkpoint`` saves each new best atomically and can resume.
"""
import dataclasses
import math
import time
from typing import Any, Callable, Optional

import numpy as np

from . import messages
from .divergence import TrainingDiverged, check_costs, check_parameters
from .progress import ProgressBar, wanted
from .result import TrainingResult
from .state import LoopState


def early_stopping(
    train_fn,
    validate_fn,
    test_fn,
    n_train_batches,
    n_valid_batches,
    n_test_batches,
    *,
    n_epochs=200,
    patience=10000,
    patience_increase=2,
    improvement_threshold=0.995,
    validation_frequency=None,
    train_epoch_fn=None,
    train_validate_fn=None,
    checkpoint=None,
    resume=False,
    on_new_best=None,
    print_fn=print,
    progress=None,
    train_log_frequency=None,
    summary="mlp",
    params=None,
):
    """Trains until patience runs out or ``n_epochs`` are done; returns a ``TrainingResult``.

    ``train_fn(minibatch_index)`` trains on one minibatch and returns its cost;
    ``validate_fn(i)`` and ``test_fn(i)`` return the loss on minibatch ``i``.
    ``validation_frequency`` defaults to ``min(n_train_batches, patience // 2)``.

    ``train_epoch_fn(indices)``, when given, replaces ``train_fn``: it trains on
    the consecutive minibatch ``indices`` (an int32 array) in one dispatch and
    returns their costs.  Chunks end at every validation point, at the
    iteration where patience runs out and at the end of the epoch, so the run
    is the same as with ``train_fn``.

    ``train_validate_fn(indices, best_validation_loss)``, when given, trains
    the chunks that end at a validation point and evaluates in the same
    dispatch: it returns ``(costs, validation_losses, test_losses,
    params_finite)``, the losses of every validation minibatch and, when the
    validation loss may beat ``best_validation_loss``, of every test minibatch
    (else None: ``test_fn`` is then called if it does), and whether ``params``
    are all finite after the training (None: not tested).  The decisions are
    the loop's own, from the same numbers.

    ``checkpoint`` (a ``Checkpoint``) is written at every new best; with
    ``resume=True`` a run continues from it when it exists, and starts afresh
    when it does not.  ``on_new_best(state)`` is called after that save.

    ``progress``: a tqdm bar when True; None shows one only if stdout is a
    terminal.  ``train_log_frequency=100`` adds convolutional_mlp.py's
    ``training @ iter`` lines.  ``summary`` picks the closing lines of 'mlp',
    'lenet' (convolutional_mlp.py), 'logistic' (logistic_sgd.py) or 'deep'
    (SdA.py, DBN.py); None prints none.

    A NaN or infinite training cost (checked at each validation point and at
    the end of each epoch, where the costs come to the host anyway) or
    parameter (``params``, shared variables, checked on their device before a
    new best is saved and at the end of each epoch) raises ``TrainingDiverged``
    naming the epoch and minibatch; nothing from then on is saved, so the
    checkpoint keeps the last good best model.  Its ``result`` is the run up to there.
    """
    if validation_frequency is None:
        validation_frequency = max(1, min(n_train_batches, patience // 2))
    _check_arguments(n_train_batches, validation_frequency, train_fn, train_epoch_fn, summary, resume, checkpoint)
    loop = _Loop(
        train_fn=train_fn, train_epoch_fn=train_epoch_fn, validate_fn=validate_fn, test_fn=test_fn,
        train_validate_fn=train_validate_fn,
        n_train_batches=n_train_batches, n_valid_batches=n_valid_batches, n_test_batches=n_test_batches,
        n_epochs=n_epochs, patience_increase=patience_increase, improvement_threshold=improvement_threshold,
        validation_frequency=validation_frequency, checkpoint=checkpoint, on_new_best=on_new_best,
        print_fn=print_fn, train_log_frequency=train_log_frequency, params=tuple(params or ()),
    )
    resumed = resume and checkpoint.exists()
    state = checkpoint.restore(loop.run_shape) if resumed else LoopState(patience=patience)
    result = _run(loop, state, progress, resumed)
    if summary is not None:
        for line in messages.summary_lines(summary, result):
            print_fn(line)
    return result


def _run(loop, state, progress, resumed):
    """Run `loop` from `state` under a progress bar; the result, also when training diverged (on the exception)."""
    start_time = time.perf_counter()
    with ProgressBar(wanted(progress), total=loop.planned_iterations(state), initial=state.iter + 1) as bar:
        try:
            loop.run(state, bar, resumed)
        except TrainingDiverged as diverged:
            if state.current_epoch_costs:
                state.close_epoch()
            diverged.result = TrainingResult.from_state(state, seconds=time.perf_counter() - start_time)
            raise
    return TrainingResult.from_state(state, seconds=time.perf_counter() - start_time)


def _check_arguments(n_train_batches, validation_frequency, train_fn, train_epoch_fn, summary, resume, checkpoint):
    """The arguments of ``early_stopping`` that cannot work, refused before anything runs."""
    if n_train_batches < 1 or validation_frequency < 1:
        raise ValueError(
            f"need n_train_batches >= 1 and validation_frequency >= 1, got {n_train_batches} and "
            f"{validation_frequency} (the default is min(n_train_batches, patience // 2))"
        )
    if train_fn is None and train_epoch_fn is None:
        raise ValueError("give train_fn, train_epoch_fn, or both")
    if summary is not None and summary not in messages.SUMMARY_STYLES:
        raise ValueError(f"summary must be one of {messages.SUMMARY_STYLES} or None, got {summary!r}")
    if resume and checkpoint is None:
        raise ValueError("resume=True needs a checkpoint to resume from")


@dataclasses.dataclass
class _Loop:
    """The tutorial loop's fixed settings, and the loop itself over a ``LoopState``."""

    train_fn: Optional[Callable]
    train_epoch_fn: Optional[Callable]
    train_validate_fn: Optional[Callable]
    validate_fn: Callable
    test_fn: Callable
    n_train_batches: int
    n_valid_batches: int
    n_test_batches: int
    n_epochs: int
    patience_increase: float
    improvement_threshold: float
    validation_frequency: int
    checkpoint: Any
    on_new_best: Optional[Callable]
    print_fn: Callable
    train_log_frequency: Optional[int]
    params: tuple = ()

    @property
    def run_shape(self):
        """What a checkpoint must agree on to be resumed by this run."""
        return {"n_train_batches": self.n_train_batches, "validation_frequency": self.validation_frequency}

    def planned_iterations(self, state):
        """Minibatches the run will train if the validation loss never improves again."""
        return min(self.n_epochs * self.n_train_batches, math.ceil(state.patience) + 1)

    def run(self, state, bar, resumed):
        self.state, self.bar = state, bar
        for epoch, first_index in self._epochs(resumed):
            self._run_epoch(epoch, first_index)

    def _epochs(self, resumed):
        """Yields ``(epoch, first minibatch index)``, as the tutorial's while loop counts them.

        A resumed run first finishes the epoch its checkpoint was saved in,
        including the patience check that followed the save.
        """
        state = self.state
        if resumed:
            state.done_looping = state.patience <= state.iter
            yield state.epoch, state.iter + 1 - (state.epoch - 1) * self.n_train_batches
        while state.epoch < self.n_epochs and not state.done_looping:
            state.epoch += 1
            yield state.epoch, 0

    def _run_epoch(self, epoch, minibatch_index):
        state = self.state
        self._checked = (0, 0)  # entries of state.current_epoch_costs checked, and the minibatches they hold
        self._params_finite = False  # known finite since the last training: the epoch's check is done
        while minibatch_index < self.n_train_batches and not state.done_looping:
            last_index = self._last_index_of_chunk(epoch, minibatch_index)
            validating = ((epoch - 1) * self.n_train_batches + last_index + 1) % self.validation_frequency == 0
            evaluated = self._train(epoch, minibatch_index, last_index, validating)
            state.iter = (epoch - 1) * self.n_train_batches + last_index
            if validating:
                self._check_costs(epoch)
                self._validate(epoch, last_index, evaluated)
            if state.patience <= state.iter:
                state.done_looping = True
            minibatch_index = last_index + 1
        self._check_costs(epoch)
        if not self._params_finite:
            check_parameters(self.params, epoch, minibatch_index)
        state.close_epoch()

    def _check_costs(self, epoch):
        """Raises ``TrainingDiverged`` at the first non-finite cost of this epoch not checked yet."""
        entries, minibatches = self._checked
        new = self.state.current_epoch_costs[entries:]
        check_costs(new, epoch, first_minibatch=minibatches)
        self._checked = (entries + len(new), minibatches + sum(np.size(cost) for cost in new))

    def _last_index_of_chunk(self, epoch, minibatch_index):
        """Last minibatch to train before the loop must decide something.

        That is the next validation point, the iteration where patience runs
        out (patience only changes at validation points, so it is known now),
        or the end of the epoch, whichever comes first.
        """
        if self.train_epoch_fn is None:
            return minibatch_index
        first_iter = (epoch - 1) * self.n_train_batches + minibatch_index
        frequency = self.validation_frequency
        next_validation = (first_iter // frequency + 1) * frequency - 1
        patience_stop = max(first_iter, math.ceil(self.state.patience))
        end_of_epoch = epoch * self.n_train_batches - 1
        return minibatch_index + min(next_validation, patience_stop, end_of_epoch) - first_iter

    def _train(self, epoch, first_index, last_index, validating):
        """Trains minibatches `first_index` to `last_index`; when `validating` and fused, returns the
        ``(validation_losses, test_losses, params_finite)`` evaluated in the same dispatch (else None)."""
        first_iter = (epoch - 1) * self.n_train_batches + first_index
        if self.train_log_frequency:
            first_logged = -(-first_iter // self.train_log_frequency) * self.train_log_frequency
            for iteration in range(first_logged, first_iter + last_index - first_index + 1, self.train_log_frequency):
                self._say(messages.training_at_line(iteration))
        indices = np.arange(first_index, last_index + 1, dtype=np.int32)
        evaluated = None
        if validating and self.train_validate_fn is not None:
            cost, *evaluated = self.train_validate_fn(indices, self.state.best_validation_loss)
        elif self.train_epoch_fn is None:
            cost = self.train_fn(first_index)
        else:
            cost = self.train_epoch_fn(indices)
        self._params_finite = evaluated is not None and evaluated[2] is True
        self.state.current_epoch_costs.append(cost)
        self.bar.advance(last_index - first_index + 1)
        return evaluated

    def _validate(self, epoch, minibatch_index, evaluated=None):
        """The tutorial's validation point; `evaluated`: ``_train``'s losses computed in its dispatch, or None."""
        state = self.state
        validation, test, _ = evaluated or (None, None, None)
        if validation is None:
            validation = [self.validate_fn(i) for i in range(self.n_valid_batches)]
        this_validation_loss = float(np.mean(validation))
        self._say(messages.validation_line(epoch, minibatch_index + 1, self.n_train_batches, this_validation_loss))
        state.history.validation.append((state.iter, epoch, this_validation_loss))
        if this_validation_loss < state.best_validation_loss:
            if not self._params_finite:
                check_parameters(self.params, epoch, minibatch_index + 1)  # never save a NaN model as the best
            if this_validation_loss < state.best_validation_loss * self.improvement_threshold:
                state.patience = max(state.patience, state.iter * self.patience_increase)
            state.best_validation_loss = this_validation_loss
            state.best_iter = state.iter
            if test is None:
                test = [self.test_fn(i) for i in range(self.n_test_batches)]
            state.test_score = float(np.mean(test))
            self._say(messages.test_line(epoch, minibatch_index + 1, self.n_train_batches, state.test_score))
            state.history.test.append((state.iter, epoch, state.test_score))
            if self.checkpoint is not None:
                self.checkpoint.save(state, self.run_shape)
            if self.on_new_best is not None:
                self.on_new_best(state)
        self.bar.describe(epoch, state.best_validation_loss, self.planned_iterations(state))

    def _say(self, line):
        self.bar.say(self.print_fn, line)
