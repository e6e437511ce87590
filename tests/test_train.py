"""The tutorials' early-stopping loop, checked against hand-worked scripted runs.

A fake model only remembers which minibatches it trained on.  Validation
losses are scripted by how many minibatches have been trained when
validation happens, so a loop that validated at the wrong moment (or trained
past a decision point in a chunk) hits a missing script entry or a different
loss.  Expected decisions below are worked out by hand from the rules:

    validate when (iter + 1) % validation_frequency == 0
    new best:     loss < best
    patience:     if loss < best * 0.995: patience = max(patience, iter * 2)
    stop:         after training iteration iter, if patience <= iter
"""
import os
import sys

import numpy as np
import pytest

from symconv.train import Checkpoint, ModelFileError, SavedModel, TrainingResult, atomic_write, early_stopping
from symconv.train.model_file import read_model_file, write_model_file
from symconv.train.progress import wanted

N_VALID = 3
N_TEST = 2


class FakeModel:
    """Stands in for a classifier: its whole state is the minibatches it trained on."""

    def __init__(self):
        self.trained_on = []

    @property
    def trained(self):
        return len(self.trained_on)

    def train(self, index):
        self.trained_on.append(int(index))
        return 2.0 + index / 10.0 - self.trained / 1000.0


def fake_state(model):
    """A FakeModel as a checkpoint saves it: a description and named arrays."""
    return SavedModel({"class": "FakeModel"}, {"trained_on": np.array(model.trained_on, dtype=np.int64)})


class Interrupted(Exception):
    pass


class Scripted:
    """train/validate/test functions over a FakeModel, validation losses from a script."""

    def __init__(self, losses, interrupt_after=None):
        self.losses = losses
        self.interrupt_after = interrupt_after
        self.model = FakeModel()
        self.chunks = []
        self.test_calls = []

    def train_fn(self, index):
        if self.model.trained == self.interrupt_after:
            raise Interrupted
        return self.model.train(index)

    def train_epoch_fn(self, indices):
        self.chunks.append([int(i) for i in indices])
        return np.array([self.train_fn(i) for i in indices])

    def validate_fn(self, i):
        # Batch losses spread around the scripted value: only their mean matches it.
        return self.losses[self.model.trained] + (i - 1) * 0.01

    def test_fn(self, i):
        self.test_calls.append(i)
        # Test score = trained / 1000 tells when it was measured.
        return self.model.trained / 1000.0 + (i - 0.5) * 0.001

    def checkpoint(self, path):
        def put_back(saved):
            self.model = FakeModel()
            self.model.trained_on = [int(i) for i in saved.arrays["trained_on"]]

        return Checkpoint(str(path), get_state=lambda: fake_state(self.model), set_state=put_back)

    def run(self, n_train_batches, chunked=False, **options):
        lines = []
        result = early_stopping(
            None if chunked else self.train_fn,
            self.validate_fn,
            self.test_fn,
            n_train_batches,
            N_VALID,
            N_TEST,
            train_epoch_fn=self.train_epoch_fn if chunked else None,
            print_fn=lines.append,
            **options,
        )
        return result, lines


# n_train_batches=10, patience=40: validation_frequency = min(10, 40 // 2) = 10,
# so validation after iterations 9, 19, 29, ... (trained 10, 20, 30, ...).
#   iter  9: 0.500 < inf              -> best; patience = max(40,  9*2) = 40
#   iter 19: 0.400 < 0.500*0.995      -> best; patience = max(40, 19*2) = 40
#   iter 29: 0.300 < 0.400*0.995      -> best; patience = max(40, 29*2) = 58
#   iter 39: 0.299 < 0.300 but not < 0.2985 -> best, patience stays 58
#   iter 49: 0.350                    -> no best
#   patience 58 <= iter first at iter 58: 59 minibatches, epoch 6, before the iter-59 validation.
TEN_BY_FORTY = {10: 0.5, 20: 0.4, 30: 0.3, 40: 0.299, 50: 0.35}
TEN_BY_FORTY_LINES = [
    "epoch 1, minibatch 10/10, validation error 50.000000 %",
    "     epoch 1, minibatch 10/10, test error of best model 1.000000 %",
    "epoch 2, minibatch 10/10, validation error 40.000000 %",
    "     epoch 2, minibatch 10/10, test error of best model 2.000000 %",
    "epoch 3, minibatch 10/10, validation error 30.000000 %",
    "     epoch 3, minibatch 10/10, test error of best model 3.000000 %",
    "epoch 4, minibatch 10/10, validation error 29.900000 %",
    "     epoch 4, minibatch 10/10, test error of best model 4.000000 %",
    "epoch 5, minibatch 10/10, validation error 35.000000 %",
    "Optimization complete. Best validation score of 29.900000 % obtained at iteration 40, "
    "with test performance 4.000000 %",
]

# n_train_batches=10, patience=9: validation_frequency = min(10, 9 // 2) = 4,
# so validation after iterations 3, 7, 11 (epoch 2, minibatch 2/10), 15, ...
#   iter  3: 0.50 -> best; patience = max(9,  3*2) = 9
#   iter  7: 0.40 < 0.4975 -> best; patience = max(9, 7*2) = 14
#   iter 11: 0.45 -> no best
#   stop after iter 14 (epoch 2, minibatch index 4): 15 minibatches, before the iter-15 validation.
MID_EPOCH = {4: 0.5, 8: 0.4, 12: 0.45}

# validation_frequency=7 given, patience=20, 10 minibatches an epoch:
# validation after iterations 6, 13, 20, 27, 34, ...
#   iter  6: 0.50 -> best; patience = max(20, 12) = 20
#   iter 13: 0.60 -> no best
#   iter 20: 0.40 -> best; patience = max(20, 40) = 40.  Patience was 20 <= 20, but the
#            validation comes first and raises it, so training goes on.
#   iter 27, 34: 0.45 -> no best; stop after iter 40 (epoch 5, minibatch index 0).
PATIENCE_RAISED_AT_STOP = {7: 0.5, 14: 0.6, 21: 0.4, 28: 0.45, 35: 0.45}

SCENARIOS = {
    "ten_by_forty": (TEN_BY_FORTY, dict(n_train_batches=10, patience=40)),
    "mid_epoch": (MID_EPOCH, dict(n_train_batches=10, patience=9)),
    "patience_raised_at_stop": (PATIENCE_RAISED_AT_STOP, dict(n_train_batches=10, patience=20, validation_frequency=7)),
}


def comparable(result):
    """A result without its wall time, which differs run to run."""
    fields = dict(vars(result))
    del fields["seconds"]
    return fields


def test_patience_grows_only_on_significant_improvement_and_stops_at_patience():
    run = Scripted(TEN_BY_FORTY)
    patience_at_each_best = []
    result, lines = run.run(10, patience=40, on_new_best=lambda state: patience_at_each_best.append(state.patience))

    assert isinstance(result, TrainingResult)
    assert patience_at_each_best == [40, 40, 58, 58]
    assert result.patience == 58
    assert result.best_validation_loss == pytest.approx(0.299)
    assert result.best_iter == 39
    assert result.test_score == pytest.approx(0.040)
    assert (result.epochs, result.iterations, result.stopped_early) == (6, 59, True)
    assert run.model.trained == 59
    assert lines == TEN_BY_FORTY_LINES
    assert result.seconds >= 0


def test_history_records_every_validation_each_best_test_and_epoch_costs():
    run = Scripted(TEN_BY_FORTY)
    result, _ = run.run(10, patience=40)

    assert [(it, epoch) for it, epoch, _ in result.history.validation] == [(9, 1), (19, 2), (29, 3), (39, 4), (49, 5)]
    assert [loss for _, _, loss in result.history.validation] == pytest.approx([0.5, 0.4, 0.3, 0.299, 0.35])
    assert [(it, epoch) for it, epoch, _ in result.history.test] == [(9, 1), (19, 2), (29, 3), (39, 4)]
    assert [score for _, _, score in result.history.test] == pytest.approx([0.01, 0.02, 0.03, 0.04])
    # Test batches are evaluated at new bests only: 4 bests x 2 batches.
    assert run.test_calls == [0, 1] * 4
    # Cost of minibatch i after t minibatches is 2 + i/10 - t/1000; epoch 6 stopped after 9 minibatches.
    first_epoch = np.mean([2 + i / 10 - (i + 1) / 1000 for i in range(10)])
    last_epoch = np.mean([2 + i / 10 - (50 + i + 1) / 1000 for i in range(9)])
    assert len(result.history.epoch_costs) == 6
    assert result.history.epoch_costs[0] == pytest.approx(first_epoch)
    assert result.history.epoch_costs[-1] == pytest.approx(last_epoch)


def test_default_validation_frequency_is_half_the_patience_when_that_is_shorter_than_an_epoch():
    run = Scripted(MID_EPOCH)
    result, lines = run.run(10, patience=9)

    assert lines[:5] == [
        "epoch 1, minibatch 4/10, validation error 50.000000 %",
        "     epoch 1, minibatch 4/10, test error of best model 0.400000 %",
        "epoch 1, minibatch 8/10, validation error 40.000000 %",
        "     epoch 1, minibatch 8/10, test error of best model 0.800000 %",
        "epoch 2, minibatch 2/10, validation error 45.000000 %",
    ]
    assert (result.best_iter, result.patience, result.iterations, result.epochs) == (7, 14, 15, 2)
    assert lines[-1].endswith("obtained at iteration 8, with test performance 0.800000 %")


def test_validation_comes_before_the_patience_check():
    run = Scripted(PATIENCE_RAISED_AT_STOP)
    result, _ = run.run(10, patience=20, validation_frequency=7)

    assert (result.best_iter, result.patience) == (20, 40)
    assert (result.iterations, result.epochs, result.stopped_early) == (41, 5, True)


def test_stops_right_after_the_iteration_equal_to_patience():
    # patience=20, validation every 10: iter 9 is the only best (patience max(20, 18) = 20),
    # iter 19 is worse; 20 <= 19 is false, 20 <= 20 is true: 21 minibatches.
    run = Scripted({10: 0.5, 20: 0.6})
    result, _ = run.run(10, patience=20)

    assert (result.iterations, result.epochs, result.best_iter, result.stopped_early) == (21, 3, 9, True)
    assert run.model.trained == 21


def test_n_epochs_ends_training_while_patience_remains():
    # 5 minibatches an epoch, patience 10000 -> validation every min(5, 5000) = 5.
    # Every validation is a best; patience stays max(10000, iter * 2) = 10000.
    run = Scripted({5: 0.5, 10: 0.4, 15: 0.3})
    result, lines = run.run(5, n_epochs=3)

    assert (result.epochs, result.iterations, result.stopped_early, result.patience) == (3, 15, False, 10000)
    assert result.best_iter == 14
    assert lines[-1] == (
        "Optimization complete. Best validation score of 30.000000 % obtained at iteration 15, "
        "with test performance 1.500000 %"
    )


def test_summary_styles_of_the_other_tutorials():
    _, lenet = Scripted(TEN_BY_FORTY).run(10, patience=40, summary="lenet")
    assert lenet[-2:] == [
        "Optimization complete.",
        "Best validation score of 29.900000 % obtained at iteration 40, with test performance 4.000000 %",
    ]

    _, logistic = Scripted(TEN_BY_FORTY).run(10, patience=40, summary="logistic")
    assert logistic[-2] == (
        "Optimization complete with best validation score of 29.900000 %,with test performance 4.000000 %"
    )
    assert logistic[-1].startswith("The code run for 6 epochs, with ")
    assert logistic[-1].endswith(" epochs/sec")

    _, silent = Scripted(TEN_BY_FORTY).run(10, patience=40, summary=None)
    assert silent == TEN_BY_FORTY_LINES[:-1]


def test_training_at_iter_lines_as_in_convolutional_mlp():
    _, lines = Scripted(TEN_BY_FORTY).run(10, patience=40, train_log_frequency=20)

    assert lines[0] == "training @ iter =  0"
    assert lines[4:7] == [
        "     epoch 2, minibatch 10/10, test error of best model 2.000000 %",
        "training @ iter =  20",
        "epoch 3, minibatch 10/10, validation error 30.000000 %",
    ]
    assert [line for line in lines if line.startswith("training")] == [f"training @ iter =  {i}" for i in (0, 20, 40)]


def test_lines_go_to_print_by_default(capsys):
    early_stopping(
        lambda i: 0.0, lambda i: 0.5, lambda i: 0.25, 2, 1, 1, n_epochs=1, patience=4
    )
    assert capsys.readouterr().out.splitlines() == [
        "epoch 1, minibatch 2/2, validation error 50.000000 %",
        "     epoch 1, minibatch 2/2, test error of best model 25.000000 %",
        "Optimization complete. Best validation score of 50.000000 % obtained at iteration 2, "
        "with test performance 25.000000 %",
    ]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_train_epoch_fn_makes_the_same_decisions_in_fewer_calls(name):
    losses, options = SCENARIOS[name]
    one_by_one, chunked = Scripted(losses), Scripted(losses)
    expected, expected_lines = one_by_one.run(train_log_frequency=7, **options)
    result, lines = chunked.run(chunked=True, train_log_frequency=7, **options)

    assert comparable(result) == comparable(expected)
    assert lines == expected_lines
    assert chunked.model.trained_on == one_by_one.model.trained_on
    assert len(chunked.chunks) < chunked.model.trained


def test_chunks_end_at_validation_points_patience_and_epoch_ends():
    # MID_EPOCH (see above): validation after iters 3, 7, 11; the epoch ends after iter 9;
    # patience is 14 from iter 7 on, so the last chunk ends at iter 14 = epoch 2, index 4.
    run = Scripted(MID_EPOCH)
    run.run(10, chunked=True, patience=9)
    assert run.chunks == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1], [2, 3, 4]]


def test_checkpoint_is_the_best_model_and_its_loop_state_in_one_file(tmp_path):
    run = Scripted(TEN_BY_FORTY)
    run.run(10, patience=40, checkpoint=run.checkpoint(tmp_path / "best_model.npz"))

    record, saved = read_model_file(tmp_path / "best_model.npz")
    assert saved.description == {"class": "FakeModel"}
    assert len(saved.arrays["trained_on"]) == 40  # the model as it was at the best iteration, 39
    loop_state = record["loop"]
    assert (loop_state["iter"], loop_state["best_iter"], loop_state["patience"], loop_state["epoch"]) == (39, 39, 58, 4)
    assert sorted(os.listdir(tmp_path)) == ["best_model.npz"]


def test_a_save_that_fails_midway_leaves_the_last_good_checkpoint(tmp_path):
    run = Scripted(TEN_BY_FORTY)
    # The first best (after 10 minibatches) saves fine; the second holds an array no model file can hold.
    unsavable = SavedModel({"class": "FakeModel"}, {"trained_on": np.zeros(2**18), "bad": np.array([object()])})
    state = lambda: fake_state(run.model) if run.model.trained < 20 else unsavable
    checkpoint = Checkpoint(str(tmp_path / "best_model.npz"), get_state=state)

    with pytest.raises(TypeError, match="Python objects"):
        run.run(10, patience=40, checkpoint=checkpoint)

    record, saved = read_model_file(tmp_path / "best_model.npz")
    assert len(saved.arrays["trained_on"]) == 10 and record["loop"]["best_iter"] == 9
    assert sorted(os.listdir(tmp_path)) == ["best_model.npz"]


def test_atomic_write_leaves_the_old_file_when_fsync_fails(tmp_path, monkeypatch):
    path = tmp_path / "model.pkl"
    atomic_write(path, lambda file: file.write(b"old"))

    def failing_fsync(descriptor):
        raise OSError("I/O error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="I/O error"):
        atomic_write(path, lambda file: file.write(b"new"))
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["model.pkl"]


@pytest.mark.parametrize("chunked", [False, True], ids=["train_fn", "train_epoch_fn"])
@pytest.mark.parametrize(
    "name, interrupt_after, saved_line",
    [
        # Last best saved at the end of epoch 4 (40 trained); crash during epoch 5.
        ("ten_by_forty", 45, "     epoch 4, minibatch 10/10, test error of best model 4.000000 %"),
        # Last best saved mid-epoch, after 8 of 10 minibatches; crash in epoch 2.
        ("mid_epoch", 13, "     epoch 1, minibatch 8/10, test error of best model 0.800000 %"),
    ],
)
def test_resume_continues_exactly_as_an_uninterrupted_run(tmp_path, name, interrupt_after, saved_line, chunked):
    losses, options = SCENARIOS[name]
    uninterrupted = Scripted(losses)
    expected, expected_lines = uninterrupted.run(chunked=chunked, **options)

    crashed = Scripted(losses, interrupt_after=interrupt_after)
    with pytest.raises(Interrupted):
        crashed.run(chunked=chunked, checkpoint=crashed.checkpoint(tmp_path / "best_model.npz"), **options)

    restarted = Scripted(losses)
    result, lines = restarted.run(
        chunked=chunked, checkpoint=restarted.checkpoint(tmp_path / "best_model.npz"), resume=True, **options
    )

    assert comparable(result) == comparable(expected)
    assert restarted.model.trained_on == uninterrupted.model.trained_on
    assert lines == expected_lines[expected_lines.index(saved_line) + 1 :]


def test_resume_from_a_best_saved_just_as_patience_ran_out_trains_no_further(tmp_path):
    # patience=20, validation every 7: iter 6 -> 0.5, best (patience max(20, 12) = 20);
    # iter 13 -> 0.6; iter 20 -> 0.499 < 0.5 but not < 0.4975: a best saved with
    # patience still 20, and 20 <= 20 stops the run right after that save.
    losses, options = {7: 0.5, 14: 0.6, 21: 0.499}, dict(n_train_batches=10, patience=20, validation_frequency=7)
    finished = Scripted(losses)
    expected, expected_lines = finished.run(checkpoint=finished.checkpoint(tmp_path / "best_model.npz"), **options)
    assert (expected.best_iter, expected.iterations, expected.epochs) == (20, 21, 3)

    restarted = Scripted(losses)
    result, lines = restarted.run(checkpoint=restarted.checkpoint(tmp_path / "best_model.npz"), resume=True, **options)
    assert comparable(result) == comparable(expected)
    assert restarted.model.trained_on == finished.model.trained_on
    assert lines == expected_lines[-1:]


def test_resume_without_a_checkpoint_on_disk_starts_afresh(tmp_path):
    expected, expected_lines = Scripted(TEN_BY_FORTY).run(10, patience=40)
    run = Scripted(TEN_BY_FORTY)
    result, lines = run.run(10, patience=40, checkpoint=run.checkpoint(tmp_path / "best_model.npz"), resume=True)
    assert comparable(result) == comparable(expected)
    assert lines == expected_lines


def test_resume_refuses_a_model_file_without_loop_state(tmp_path):
    # A model saved on its own (as a fixed-epoch run saves its model): nothing to continue from.
    write_model_file(tmp_path / "best_model.npz", fake_state(FakeModel()))
    again = Scripted(TEN_BY_FORTY)
    with pytest.raises(ModelFileError, match="no early-stopping state"):
        again.run(10, patience=40, checkpoint=again.checkpoint(tmp_path / "best_model.npz"), resume=True)


def test_resume_refuses_a_checkpoint_from_a_differently_shaped_run(tmp_path):
    run = Scripted(TEN_BY_FORTY)
    run.run(10, patience=40, checkpoint=run.checkpoint(tmp_path / "best_model.npz"))
    again = Scripted(TEN_BY_FORTY)
    with pytest.raises(ValueError, match="validation_frequency"):
        again.run(
            10, patience=40, validation_frequency=5, checkpoint=again.checkpoint(tmp_path / "best_model.npz"),
            resume=True,
        )


def test_bad_arguments_are_refused(tmp_path):
    run = Scripted(TEN_BY_FORTY)
    with pytest.raises(ValueError, match="validation_frequency"):
        run.run(10, patience=40, validation_frequency=0)  # (patience=1 now validates every minibatch)
    with pytest.raises(ValueError, match="resume"):
        run.run(10, patience=40, resume=True)
    with pytest.raises(ValueError, match="summary"):
        run.run(10, patience=40, summary="lstm")
    checkpoint = Checkpoint(str(tmp_path / "best_model.npz"), get_state=lambda: fake_state(run.model))
    run.run(10, patience=40, checkpoint=checkpoint)
    with pytest.raises(ValueError, match="set_state"):
        Scripted(TEN_BY_FORTY).run(10, patience=40, checkpoint=checkpoint, resume=True)


def test_no_progress_bar_unless_stdout_is_a_terminal(capsys):
    Scripted(TEN_BY_FORTY).run(10, patience=40)
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_progress_bar_when_asked_and_lines_still_delivered(capsys):
    _, lines = Scripted(TEN_BY_FORTY).run(10, patience=40, progress=True)
    assert "minibatch" in capsys.readouterr().out
    assert lines == TEN_BY_FORTY_LINES


def test_progress_defaults_to_whether_stdout_is_a_terminal(monkeypatch):
    class Terminal:
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    assert wanted(None) is True
    assert wanted(False) is False
    monkeypatch.setattr(sys, "stdout", object())
    assert wanted(None) is False
    assert wanted(True) is True


def test_the_finiteness_check_of_all_parameters_names_the_first_bad_one():
    """All parameters are tested in one compiled call; when that fails, the first non-finite one is named."""
    import symconv
    from symconv.train.divergence import non_finite_parameter

    W = symconv.shared(np.ones((3, 2), np.float32), name="W")
    b = symconv.shared(np.zeros(2, np.float32), name="b")
    steps = symconv.shared(np.arange(3), name="steps")  # an integer value is always finite
    assert non_finite_parameter([W, b, steps]) is None
    b.set_value(np.array([0.0, np.inf], np.float32))
    assert non_finite_parameter([W, b, steps]) == "b (params[1])"
    W.set_value(np.full((3, 2), np.nan, np.float32))
    assert non_finite_parameter([W, b]) == "W (params[0])"
    assert non_finite_parameter([steps]) is None
