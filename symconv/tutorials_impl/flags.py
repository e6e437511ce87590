"""The training flags (``--data``, ``--epochs``, ...), one definition for the scripts and ``symconv train``.

Each flag's default is read from the tutorial function's signature, so the
tutorial's defaults are written once, in the function.
"""
import argparse
import dataclasses
import inspect
import os
from typing import Callable

from .convolutional_mlp import evaluate_lenet5
from .logistic_sgd import sgd_optimization_mnist
from .mlp import test_mlp


@dataclasses.dataclass(frozen=True)
class Tutorial:
    name: str
    """The model's name on the command line: ``symconv train NAME``."""
    script: str
    run: Callable
    summary: str

    def default(self, parameter):
        return inspect.signature(self.run).parameters[parameter].default


TUTORIALS = {
    t.name: t
    for t in (
        Tutorial("logreg", "logistic_sgd.py", sgd_optimization_mnist,
                 "logistic regression (logistic_sgd.py)"),
        Tutorial("mlp", "mlp.py", test_mlp, "multilayer perceptron with 500 tanh hidden units (mlp.py)"),
        Tutorial("lenet", "convolutional_mlp.py", evaluate_lenet5,
                 "LeNet5 convolutional network (convolutional_mlp.py)"),
    )
}

# flag -> (keyword argument of the tutorial function, type, metavar, help)
_FLAGS = (
    ("--data", "dataset", str, "SOURCE", "data source: 'bundled' (the MNIST sample shipped with symconv), "
                                         "a mnist.pkl.gz, a folder of MNIST IDX files, or tfds:NAME"),
    ("--epochs", "n_epochs", int, "N", "maximum number of epochs"),
    ("--batch-size", "batch_size", int, "N", "minibatch size"),
    ("--learning-rate", "learning_rate", float, "F", "SGD learning rate"),
    ("--seed", "seed", int, "N", "seed of the weight initialisation (logreg starts at zero and ignores it)"),
    ("--patience", "patience", int, "N", "early stopping: minibatches to train at least"),
)


def description_of(tutorial):
    return f"Train a {tutorial.summary} on MNIST, as tutorials/{tutorial.script} does."


def default_out_dir(name):
    return os.path.join("runs", name)


def add_training_flags(parser, tutorial):
    """Adds the training flags to `parser`, with `tutorial`'s defaults."""
    for flag, parameter, kind, metavar, text in _FLAGS:
        default = tutorial.default(parameter)
        shown = "the bundled sample" if parameter == "dataset" and default is None else default
        parser.add_argument(flag, dest=parameter, type=kind, default=default, metavar=metavar,
                            help=f"{text} (default: {shown})")
    parser.add_argument("--out", dest="out_dir", default=default_out_dir(tutorial.name), metavar="DIR",
                        help="folder for best_model.pkl, history.json and the plots (default: %(default)s)")
    parser.add_argument("--no-plots", dest="plots", action="store_false", help="do not draw the plots at the end")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run whose checkpoint is in --out, if there is one")
    return parser


def run_from_args(tutorial, args):
    """Calls the tutorial function with the parsed flags; returns its ``TrainingResult``."""
    names = [parameter for _, parameter, _, _, _ in _FLAGS] + ["out_dir", "plots", "resume"]
    return tutorial.run(**{name: getattr(args, name) for name in names})


def script_main(name, argv=None):
    """``python tutorials/SCRIPT.py [flags]``: parse the flags and train."""
    tutorial = TUTORIALS[name]
    parser = argparse.ArgumentParser(prog=tutorial.script, description=description_of(tutorial))
    add_training_flags(parser, tutorial)
    args = parser.parse_args(argv)
    from ..cli import run_reporting_errors

    return run_reporting_errors(lambda: run_from_args(tutorial, args), prog=tutorial.script)
