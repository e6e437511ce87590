"""The seven tutorials and their flags (``--data``, ``--epochs``, ...): one definition for every model,
for ``tutorials/*.py`` and ``symconv train`` alike.

Each flag's default is read from the tutorial function's signature, so the
tutorial's defaults are written once, in the function.  A model takes the
common flags, and the model-specific ones (``--n-hidden``, ``--k``, ...)
whose keyword argument its function has.
"""
import dataclasses
import inspect
import os
from typing import Callable

from .convolutional_mlp import evaluate_lenet5
from .DBN import test_DBN
from .dA import test_dA
from .logistic_sgd import sgd_optimization_mnist
from .mlp import test_mlp
from .parallel import add_parallel_flags, parallel_run, process_local_call
from .rbm import test_rbm
from .SdA import test_SdA


def int_list(text):
    """``'500,500'`` -> ``[500, 500]``."""
    return [int(value) for value in text.split(",") if value.strip()]


def float_list(text):
    """``'0.1,0.2'`` -> ``[0.1, 0.2]``."""
    return [float(value) for value in text.split(",") if value.strip()]


@dataclasses.dataclass(frozen=True)
class Flag:
    flag: str
    parameter: str
    """The tutorial function's keyword argument."""
    type: Callable
    metavar: str
    help: str


# flag | keyword argument of the tutorial function | type | metavar | help.  Every tutorial function
# takes the first six (checked below); a model takes the others whose keyword argument its function has.
FLAG_TABLE = """
--data | dataset | str | SOURCE | data source: 'bundled' (the MNIST sample shipped with symconv), a mnist.pkl.gz,
    a folder of MNIST IDX files, or tfds:NAME
--epochs | n_epochs | int | N | maximum number of training (or fine-tuning) epochs
--batch-size | batch_size | int | N | minibatch size
--learning-rate | learning_rate | float | F | SGD learning rate (of the fine-tuning for sda and dbn)
--seed | seed | int | N | seed of the weight initialisation (logreg starts at zero and ignores it)
--n-train | n_train | int | N | train on the first N training examples only
--patience | patience | int | N | early stopping: minibatches to train at least
--n-hidden | n_hidden | int | N | hidden units
--nkerns | nkerns | int_list | N,N | kernels of the two convolutional layers
--hidden-layers | hidden_layers_sizes | int_list | N,N,... | units of each hidden layer
--corruption-levels | corruption_levels | float_list | F,F,... | input corruption of each dA (da: one dA per level)
--pretraining-epochs | pretraining_epochs | int | N | pre-training epochs per layer
--pretrain-lr | pretrain_lr | float | F | pre-training learning rate
--k | k | int | N | Gibbs steps of CD-k / PCD-k
--n-chains | n_chains | int | N | Gibbs chains sampled after training
--n-samples | n_samples | int | N | samples drawn from each chain
--plot-every | plot_every | int | N | Gibbs steps between drawn samples
"""
TYPES = {"str": str, "int": int, "float": float, "int_list": int_list, "float_list": float_list}


def parse_flag_table(table):
    """The `Flag` of each row of `table` (an indented line continues the row above)."""
    rows = table.strip().replace("\n    ", " ").splitlines()
    flags = []
    for row in rows:
        flag, parameter, kind, metavar, text = (cell.strip() for cell in row.split("|", 4))
        flags.append(Flag(flag, parameter, TYPES[kind], metavar, text))
    return tuple(flags)


FLAGS = parse_flag_table(FLAG_TABLE)
COMMON_PARAMETERS = ("dataset", "n_epochs", "batch_size", "learning_rate", "seed", "n_train",
                     "out_dir", "plots", "resume", "overwrite", "allow_changed_settings")


@dataclasses.dataclass(frozen=True)
class Tutorial:
    name: str
    """The model's name on the command line: ``symconv train NAME``."""
    script: str
    run: Callable
    summary: str
    shown_defaults: dict = dataclasses.field(default_factory=dict)
    """How the help shows a default that is not a plain value (e.g. patience=None)."""

    def default(self, parameter):
        return inspect.signature(self.run).parameters[parameter].default

    def flags(self):
        """The flags whose keyword argument `run` takes: the common ones, then the model's own."""
        parameters = inspect.signature(self.run).parameters
        return tuple(flag for flag in FLAGS if flag.parameter in parameters)


def _check_signature(tutorial):
    parameters = inspect.signature(tutorial.run).parameters
    missing = [name for name in COMMON_PARAMETERS if name not in parameters]
    if missing:
        raise TypeError(f"{tutorial.run.__name__} lacks the common arguments {missing}")
    return tutorial


_PATIENCE_IN_EPOCHS = "{} epochs' worth of minibatches"
TUTORIALS = {
    t.name: _check_signature(t)
    for t in (
        Tutorial("logreg", "logistic_sgd.py", sgd_optimization_mnist, "logistic regression (logistic_sgd.py)"),
        Tutorial("mlp", "mlp.py", test_mlp, "multilayer perceptron with 500 tanh hidden units (mlp.py)"),
        Tutorial("lenet", "convolutional_mlp.py", evaluate_lenet5,
                 "LeNet5 convolutional network (convolutional_mlp.py)"),
        Tutorial("da", "dA.py", test_dA, "denoising auto-encoder, unsupervised (dA.py)"),
        Tutorial("sda", "SdA.py", test_SdA, "stacked denoising auto-encoder, pre-trained then fine-tuned (SdA.py)",
                 {"patience": _PATIENCE_IN_EPOCHS.format(10)}),
        Tutorial("rbm", "rbm.py", test_rbm, "restricted Boltzmann machine with PCD-k, unsupervised (rbm.py)"),
        Tutorial("dbn", "DBN.py", test_DBN, "deep belief network, pre-trained then fine-tuned (DBN.py)",
                 {"patience": _PATIENCE_IN_EPOCHS.format(4)}),
    )
}


def description_of(tutorial):
    return f"Train a {tutorial.summary} on MNIST, as tutorials/{tutorial.script} does."


def default_out_dir(name):
    return os.path.join("runs", name)


def _shown(tutorial, parameter, default):
    if parameter in tutorial.shown_defaults:
        return tutorial.shown_defaults[parameter]
    if parameter == "dataset" and default is None:
        return "the bundled sample"
    if parameter == "n_train" and default is None:
        return "all"
    if isinstance(default, (list, tuple)):
        return ",".join(str(value) for value in default)
    return default


def add_training_flags(parser, tutorial):
    """Adds `tutorial`'s training flags to `parser` (an ``argparse`` parser), with its defaults."""
    for flag in tutorial.flags():
        default = tutorial.default(flag.parameter)
        parser.add_argument(flag.flag, dest=flag.parameter, type=flag.type, default=default, metavar=flag.metavar,
                            help=f"{flag.help} (default: {_shown(tutorial, flag.parameter, default)})")
    parser.add_argument("--out", dest="out_dir", default=default_out_dir(tutorial.name), metavar="DIR",
                        help="the run folder: best_model.npz, history.json and the figures (default: %(default)s)")
    parser.add_argument("--no-plots", dest="plots", action="store_false", help="draw no figures")
    parser.add_argument("--resume", action="store_true",
                        help="continue the early-stopping run whose checkpoint is in --out, if there is one "
                             "(with the same settings)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the run already in --out (without it, or --resume, such a folder is refused)")
    parser.add_argument("--allow-changed-settings", dest="allow_changed_settings", action="store_true",
                        help="with --resume: continue even with settings other than the saved run's "
                             "(the changes are recorded in history.json)")
    add_parallel_flags(parser)
    return parser


def run_from_args(tutorial, args, plot=None):
    """Calls the tutorial function with the parsed flags; returns what it returns.

    `plot` (e.g. ``symconv.plots.plot_all``) draws the saved classifier's plots
    at the end, unless ``--no-plots``.
    """
    names = [flag.parameter for flag in tutorial.flags()] + ["resume", "overwrite", "allow_changed_settings"]
    with parallel_run(args) as out_dir:  # --devices, and the processes of a multi-process run joined
        # Only process 0 draws and writes the run folder; the others work in a private copy of it.
        plots = (plot or True) if args.plots and out_dir == args.out_dir else None
        if callable(plots):
            plots = process_local_call(plots)
        return tutorial.run(plots=plots, out_dir=out_dir, **{name: getattr(args, name) for name in names})
