"""A tqdm bar over minibatches, for people watching a terminal, and for no one else.

A bar redrawn with carriage returns turns CI logs and captured test output
into noise, so it appears only when stdout is a terminal or the caller asks.
While it is shown, the tutorial's lines are printed around it rather than
through it.  Its total is the iteration where training would stop if the
validation loss stopped improving now, so it fills up as patience runs out
and stretches whenever patience grows.
"""
import sys


def wanted(progress):
    """``progress`` as the caller gave it, or, when None, whether stdout is a terminal."""
    if progress is not None:
        return bool(progress)
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


class ProgressBar:
    def __init__(self, show, total, initial):
        self._bar = None
        if show:
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=initial, unit="minibatch", file=sys.stdout, dynamic_ncols=True)

    def advance(self, minibatches):
        if self._bar is not None:
            self._bar.update(minibatches)

    def describe(self, epoch, best_validation_loss, total):
        if self._bar is not None:
            self._bar.total = total
            self._bar.set_postfix(epoch=epoch, best="%.4f%%" % (best_validation_loss * 100.0))

    def say(self, print_fn, line):
        """Prints a line through ``print_fn`` without tearing the bar."""
        if self._bar is None:
            print_fn(line)
            return
        with self._bar.external_write_mode(file=sys.stdout):
            print_fn(line)

    def close(self):
        if self._bar is not None:
            self._bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
