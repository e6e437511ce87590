"""The ``symconv`` command: train the tutorials, classify images, plot a trained model.

    symconv train {logreg,mlp,lenet,da,sda,rbm,dbn} [--data SOURCE] [--epochs N] [--batch-size N]
                  [--learning-rate F] [--seed N] [--n-train N] [--out DIR] [--resume] ...
    symconv predict MODEL IMAGE...
    symconv plot MODEL [--out DIR] [--data SOURCE] [--example N]
    symconv run SCRIPT [ARGS...]       # a Theano script, unmodified: `import theano` is symconv

``symconv train`` runs the same functions as ``tutorials/*.py``
(``symconv.tutorials_impl``, through ``script_main``), with the same flags
and the same output.  This module is the top of the application: it may
import anything, and nothing in the package imports it.
"""
import argparse
import os
import sys

from .datasets import DatasetError
from .train import TrainingDiverged, shown_path
from .tutorials_impl import TUTORIALS, add_training_flags, run_from_args
from .tutorials_impl.flags import description_of
from .tutorials_impl.minibatches import BatchSizeError
from .tutorials_impl.settings import SettingsError

EXIT_DIVERGED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _user_errors():
    """Errors that are the user's to fix: reported in one line, without a traceback."""
    from .plots import PlotError
    from .predict import ImageFileError, ModelFileError
    from .train import RunFolderError

    return (DatasetError, BatchSizeError, SettingsError, ModelFileError, ImageFileError, PlotError, RunFolderError)


def run_reporting_errors(action, prog="symconv"):
    """Runs `action()`; a user error becomes ``prog: error: ...`` on stderr and exit status 2."""
    try:
        action()
    except _user_errors() as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TrainingDiverged as exc:  # the message says where, and which model file is kept
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_DIVERGED
    except KeyboardInterrupt:
        print(f"{prog}: interrupted (a run with --out can continue with --resume)", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `symconv predict ... | head -1`: the reader left; nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="symconv", description="Theano's deeplearning.net tutorials on JAX: train, predict, plot.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser("train", help="train one of the seven tutorial models on MNIST",
                                description="Train one of the tutorials' models, as tutorials/*.py do.")
    models = train.add_subparsers(dest="model", required=True, metavar="MODEL")
    for tutorial in TUTORIALS.values():
        sub = models.add_parser(tutorial.name, help=tutorial.summary, description=description_of(tutorial))
        add_training_flags(sub, tutorial)
        sub.set_defaults(handler=_train, tutorial=tutorial)

    predict = commands.add_parser("predict", help="classify image files with a trained model",
                                  description="Print each image's class and the 10 class probabilities. "
                                              "Images of any size are made 28x28 grayscale, light on dark, "
                                              "in [0, 1], as the MNIST digits.")
    predict.add_argument("model", metavar="MODEL", help="best_model.npz, or the run folder holding it")
    predict.add_argument("images", metavar="IMAGE", nargs="+", help="image files (PNG, JPEG, ...)")
    predict.add_argument("--no-center", dest="center", action="store_false",
                         help="resize larger images as they are instead of framing the digit like MNIST")
    predict.set_defaults(handler=_predict)

    plot = commands.add_parser("plot", help="draw a trained model's plots (PNG)",
                               description="Write learning curves, first-layer filters, feature maps, a "
                                           "confusion matrix and misclassified test examples as PNG files.")
    plot.add_argument("model", metavar="MODEL", help="best_model.npz, or the run folder holding it")
    plot.add_argument("--out", dest="out_dir", metavar="DIR", help="where to write (default: the model's folder)")
    plot.add_argument("--data", metavar="SOURCE",
                      help="data source of the test split (default: the one the model was trained on)")
    plot.add_argument("--example", type=int, default=0, metavar="N",
                      help="test example whose feature maps are drawn (default: %(default)s)")
    plot.set_defaults(handler=_plot)

    run = commands.add_parser("run", usage="symconv run [-h] (SCRIPT | -m MODULE) [ARGS ...]",
                              help="run an unmodified Theano script, `import theano` resolving to symconv",
                              description="Run SCRIPT as `python SCRIPT ARGS...` would, with `import theano` "
                                          "(theano.tensor, theano.tensor.nnet, theano.sandbox.rng_mrg, ...) "
                                          "resolving to symconv for this run only. THEANO_FLAGS and "
                                          "~/.theanorc are read as Theano reads them. ARGS, everything after SCRIPT, "
                                          "are the script's sys.argv[1:]. "
                                          "`symconv run -m MODULE ARGS...` runs a module as `python -m` does "
                                          "(`symconv run -m pytest tests/`).")
    run.add_argument("script", metavar="SCRIPT", help="the Python script (or a folder with __main__.py)")
    run.set_defaults(handler=None)
    return parser


def _train(args):
    from .plots import plot_all

    run_from_args(args.tutorial, args, plot=plot_all)


def script_main(name, argv=None):
    """``python tutorials/SCRIPT.py [flags]``: the flags of ``symconv train NAME``, then the training."""
    tutorial = TUTORIALS[name]
    parser = argparse.ArgumentParser(prog=tutorial.script, description=description_of(tutorial))
    add_training_flags(parser, tutorial)
    args = parser.parse_args(argv)
    return run_reporting_errors(lambda: _train(argparse.Namespace(tutorial=tutorial, **vars(args))),
                                prog=tutorial.script)


def _predict(args):
    from .predict import classify_files, format_prediction, load_model

    model = load_model(args.model)
    for path, predicted, probabilities in classify_files(model, args.images, center=args.center):
        print(format_prediction(path, predicted, probabilities))


def _plot(args):
    from .plots import plot_all

    for path in plot_all(args.model, out_dir=args.out_dir, data=args.data, example=args.example, print_fn=print):
        print(f"wrote {shown_path(path)}")


def _run(script, script_args):
    """``symconv run SCRIPT ARGS...`` (or ``-m MODULE ARGS...``): the script's errors keep Python's traceback and status."""
    from .run import ScriptNotFoundError, run_module, run_script

    try:
        if script == "-m":
            if not script_args:
                raise ScriptNotFoundError("-m needs a module name: symconv run -m MODULE [ARGS ...]")
            return run_module(script_args[0], script_args[1:])
        return run_script(script, script_args)
    except ScriptNotFoundError as exc:
        print(f"symconv run: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def main(argv=None):
    """Entry point of the ``symconv`` command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if len(argv) > 1 and argv[0] == "run" and argv[1] not in ("-h", "--help"):
        return _run(argv[1], argv[2:])  # everything after SCRIPT is the script's, not symconv's
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return _run(args.script, [])
    return run_reporting_errors(lambda: args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
