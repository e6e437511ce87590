"""What every tutorial does around its model: time the run, load the data, compile the minibatch
functions, train with ``symconv.train``, and fill the run folder.

Each tutorial function starts with ``run = TutorialRun(NAME, SCRIPT, locals())``:
its arguments are the run's settings (saved in history.json), and the common
ones (``dataset``, ``batch_size``, ``n_train``, ``out_dir``, ``plots``) say
which data, which minibatches and which folder.
"""
import sys
import time

import jax.numpy as jnp
import numpy
import PIL.Image

import symconv
import symconv.tensor as T

from ..compile.fused import FusedMaps
from ..datasets import load_data
from ..train import RunDirectory, early_stopping, messages, result_record, shown_path, train_epochs
from ..train.divergence import TrainingDiverged
from .minibatches import minibatch_plan
from .settings import check_settings
from .tiles import tile_raster_images

SPLITS = ("train", "valid", "test")
NOT_SETTINGS = ("dataset", "out_dir", "plots", "resume", "overwrite", "allow_changed_settings")


def report_wall_time(script, seconds, what="code"):
    """The tutorials' timing line on stderr: ``The code for file X ran for 1.23m``."""
    print(f"The {what} for file {script} ran for {seconds / 60.0:.2f}m", file=sys.stderr)


def sgd_updates(cost, params, learning_rate):
    """One SGD step per parameter: ``(param, param - learning_rate * d cost / d param)`` pairs."""
    gparams = T.grad(cost, params)
    return [(param, param - learning_rate * gparam) for param, gparam in zip(params, gparams)]


def evaluation_net(classifier, x, batch_size):
    """`classifier`, or, when its graph is built for another minibatch size (LeNet5), the same
    network (the same shared weights) rebuilt on `x` for `batch_size`."""
    fixed = getattr(classifier, "batch_size", None)
    return classifier if fixed is None or fixed == batch_size else classifier.rebuild(x, batch_size=batch_size)


def each_minibatch(fn, *values):
    """``indices -> fn.map(indices, value, ...)``: an epoch of `fn` in one dispatch, its other inputs
    held at `values`."""
    def train_epoch(indices):
        held = [numpy.full(len(indices), value, dtype=symconv.config.floatX) for value in values]
        return fn.map(indices, *held)

    return train_epoch


def train_and_evaluate(functions, params, n_valid_batches, n_test_batches):
    """``early_stopping``'s ``train_validate_fn`` for ``(train_model, validate_model, test_model)``: the
    training minibatches, then every validation minibatch and, when their mean error is below the best so far,
    every test minibatch, in one dispatch (``FusedMaps``), `params` checked for NaN there too; None when the
    functions cannot be fused (compiled for several devices)."""
    if not FusedMaps.possible(functions):
        return None
    fused = FusedMaps(functions, finite=params, guard=lambda outs, best: jnp.mean(outs[1][0]) < best)
    valid_indices = numpy.arange(n_valid_batches, dtype=numpy.int32)
    test_indices = numpy.arange(n_test_batches, dtype=numpy.int32)

    def train_validate(indices, best_validation_loss):
        # The mean on the device may round otherwise than the loop's NumPy mean: when it says "no new best" where
        # the loop finds one, the loop calls test_model itself.
        result = fused([(indices,), (valid_indices,), (test_indices,)],
                       guard_args=(numpy.float64(best_validation_loss),))
        return (*result.outputs, result.finite)

    return train_validate


class TutorialRun:
    """One run of a tutorial: its clock, its data and minibatches, its run folder and figures.

    ``x`` (a matrix, one image per row), ``y`` (int labels) and ``index`` (a
    minibatch number) are the symbolic inputs the minibatch functions feed.
    `plots` draws the figures: the tutorial's own (filters, samples) when
    true, and, when callable (``symconv.plots.plot_all``), the plots of the
    saved classifier too.
    """

    def __init__(self, name, script, arguments):
        check_settings(arguments)  # a bad flag is a one-line error before the data is loaded
        self.start_time = time.perf_counter()
        self.name, self.script = name, script
        self.learning_rate, self.pretrain_lr = arguments.get("learning_rate"), arguments.get("pretrain_lr")
        self.plots = arguments.get("plots")
        self.batch_size = arguments["batch_size"]
        settings = {key: value for key, value in arguments.items() if key not in NOT_SETTINGS}
        self.directory = RunDirectory(arguments.get("out_dir"), name, settings, arguments.get("dataset"))
        # A folder holding a run is refused here, before anything is written, unless resumed or overwritten.
        self.directory.prepare(resume=arguments.get("resume"), overwrite=arguments.get("overwrite"),
                               allow_changed_settings=arguments.get("allow_changed_settings"),
                               resumable="patience" in arguments)
        if arguments.get("resume") and "patience" not in arguments:
            print(f"... {name} trains a fixed number of epochs without a checkpoint: --resume starts afresh")
        print("... loading data")
        self.datasets = load_data(arguments.get("dataset"))
        self.plan = minibatch_plan(self.datasets, self.batch_size, arguments.get("n_train"))
        self.n_train_batches = self.plan.n_train_batches
        self.train_set_x = self.datasets[0][0]
        self.index = T.lscalar("index")  # index to a [mini]batch
        self.x = T.matrix("x")  # the data is presented as rasterized images
        self.y = T.ivector("y")  # the labels are presented as 1D vector of [int] labels

    def minibatch_function(self, outputs, split="train", updates=None, labels=True, name=None):
        """``symconv.function([index], outputs, updates)`` on minibatch `index` of the `split`
        ('train', 'valid' or 'test'), given as ``x`` (and ``y`` with `labels`)."""
        size = {"train": self.batch_size, "valid": self.plan.valid_batch_size, "test": self.plan.test_batch_size}
        set_x, set_y = self.datasets[SPLITS.index(split)]
        window = slice(self.index * size[split], (self.index + 1) * size[split])
        givens = {self.x: set_x[window], self.y: set_y[window]} if labels else {self.x: set_x[window]}
        return symconv.function([self.index], outputs, updates=updates, givens=givens, name=name)

    def classifier_functions(self, classifier, cost, updates):
        """``(train_model, validate_model, test_model)``: `updates` on a training minibatch, returning
        `cost`, and `classifier`'s error on a validation or test minibatch."""
        test_net = evaluation_net(classifier, self.x, self.plan.test_batch_size)
        valid_net = evaluation_net(classifier, self.x, self.plan.valid_batch_size)
        return (self.minibatch_function(cost, "train", updates=updates, name="train_model"),
                self.minibatch_function(valid_net.errors(self.y), "valid", name="validate_model"),
                self.minibatch_function(test_net.errors(self.y), "test", name="test_model"))

    def early_stopping(self, classifier, functions, n_epochs, patience, resume, summary, sections=(),
                       after_training=None, **options):
        """Trains with ``symconv.train.early_stopping`` (patience x2 on a 0.5% improvement), the best
        model checkpointed in the run folder; calls `after_training()`, writes history.json and the
        plots; returns the result."""
        train_model, validate_model, test_model = functions
        try:
            result = early_stopping(
                train_model, validate_model, test_model, *self.plan[:3], n_epochs=n_epochs, patience=patience,
                patience_increase=2, improvement_threshold=0.995,
                train_epoch_fn=train_model.map,  # the minibatches between two validations in one dispatch
                # ... and at a validation point, the evaluation in that same dispatch
                train_validate_fn=train_and_evaluate(functions, classifier.params, *self.plan[1:3]),
                checkpoint=self.directory.checkpoint(classifier), resume=resume, summary=None,
                params=classifier.params, **options)
        except TrainingDiverged as diverged:
            raise self.diverged(diverged, self.learning_rate, **result_record(diverged.result, self.n_train_batches),
                                **dict(sections)) from None
        if after_training is not None:
            after_training()
        self.directory.finish(self.plots if callable(self.plots) else None,
                              **result_record(result, self.n_train_batches), **dict(sections))
        for line in messages.summary_lines(summary, result):
            print(line)
        return result

    def train_epochs(self, train_epoch_fn, n_epochs, line="Training epoch %d, cost %f", params=(), phase=None,
                     **options):
        """``symconv.train.train_epochs`` over this run's training minibatches; a divergence (a non-finite
        cost, or one of `params`) in `phase` (e.g. "corruption 30%") is reported with history.json written."""
        try:
            return train_epochs(self.n_train_batches, n_epochs, train_epoch_fn=train_epoch_fn, line=line,
                                params=params, **options)
        except TrainingDiverged as diverged:
            raise self.diverged(diverged, self.learning_rate, phase, epoch_costs=diverged.costs) from None

    def diverged(self, diverged, learning_rate, phase=None, **sections):
        """`diverged` completed with the learning rate and what the run folder keeps, after writing
        history.json (`sections` and the divergence); the caller raises it."""
        diverged.learning_rate, diverged.phase = learning_rate, phase
        result = diverged.result
        folder = self.directory.out_dir
        if folder is None:
            diverged.kept = "nothing was saved (no run folder)"
        elif result is not None and result.history.test:
            diverged.kept = (f"the best model so far (epoch {result.history.test[-1][1]}) is kept in "
                             f"{shown_path(folder)}")
        else:
            diverged.kept = f"no model of this run was saved in {shown_path(folder)}"
        self.directory.write_history(diverged=diverged.record(), **sections)
        return diverged

    def pretrain(self, epoch_fns, pretraining_epochs, layers=()):
        """Pre-trains each layer in turn (``epoch_fns[i](indices)`` trains layer i, whose parameters are
        ``layers[i].params``); returns each layer's costs."""
        print("... pre-training the model")
        start_time = time.perf_counter()
        costs = []
        for i, fn in enumerate(epoch_fns):
            params = layers[i].params if i < len(layers) else ()
            try:
                costs.append(train_epochs(self.n_train_batches, pretraining_epochs, train_epoch_fn=fn,
                                          line="Pre-training layer %i, epoch %%d, cost %%f" % i, params=params))
            except TrainingDiverged as diverged:
                raise self.diverged(diverged, self.pretrain_lr, f"pre-training layer {i}",
                                    pretraining=costs + [diverged.costs]) from None
        report_wall_time(self.script, time.perf_counter() - start_time, what="pretraining code")
        return costs

    def image(self, name, pixels):
        """Saves the uint8 `pixels` as the PNG `name` in the run folder (when there is one and plots
        are wanted); returns the path or None."""
        path = self.directory.path(name)
        if path is None or not self.plots:
            return None
        PIL.Image.fromarray(pixels).save(path)
        self.directory.figures.append(path)
        return path

    def filters(self, name, layer):
        """The first 100 columns of `layer`'s W as 10x10 tiles of 28x28 pixels (``image``)."""
        return self.image(name, tile_raster_images(X=layer.W.get_value(borrow=True).T, img_shape=(28, 28),
                                                   tile_shape=(10, 10), tile_spacing=(1, 1)))

    def pretrain_and_fine_tune(self, model, epoch_fns, pretraining_epochs, learning_rate, n_epochs, patience,
                               resume, patience_epochs):
        """SdA.py's and DBN.py's two phases: pre-train `model` layer by layer (``pretrain``), then fine-tune
        it with early stopping; `patience` (None: `patience_epochs` epochs' worth of minibatches).

        A resumed fine-tuning (a checkpoint in the run folder) skips the pre-training: its saved
        model already holds the pre-trained weights, and its costs are read from history.json.
        """
        if resume and self.directory.checkpoint(model).exists():
            print("... resuming the fine-tuning: pre-training skipped")
            pretraining_costs = (self.directory.read_history() or {}).get("pretraining", [])
        else:
            pretraining_costs = self.pretrain(epoch_fns, pretraining_epochs,
                                              getattr(model, "pretraining_layers", ()))
            self.directory.write_history(pretraining=pretraining_costs)
            self.filters("filters_layer0_pretrained.png", model.sigmoid_layers[0])

        print("... getting the finetuning functions")
        cost = model.negative_log_likelihood(self.y)  # model.finetune_cost, on this run's labels
        functions = self.classifier_functions(model, cost, sgd_updates(cost, model.params, learning_rate))
        print("... finetuning the model")
        start_time = time.perf_counter()
        result = self.early_stopping(model, functions, n_epochs,
                                     patience if patience is not None else patience_epochs * self.n_train_batches,
                                     resume, summary="deep", sections={"pretraining": pretraining_costs},
                                     after_training=lambda: self.filters("filters_layer0_finetuned.png",
                                                                         model.sigmoid_layers[0]))
        report_wall_time(self.script, time.perf_counter() - start_time, what="fine tuning code")
        result.pretraining_costs = pretraining_costs
        return result

    def finish_unsupervised(self, model, **sections):
        """Saves the trained `model` and history.json (with `sections`) and reports the wall time."""
        self.directory.save_model(model)
        self.directory.finish(**sections)
        report_wall_time(self.script, time.perf_counter() - self.start_time)

    def report_wall_time(self):
        report_wall_time(self.script, time.perf_counter() - self.start_time)
