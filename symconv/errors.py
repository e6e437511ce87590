"""Exceptions that point at the user's own source line."""
import warnings

from .graph import SourceLine


class GraphBuildError(ValueError):
    """A shape or dtype mismatch found while building the graph."""

    def __init__(self, message, inputs=()):
        line = SourceLine.capture()
        super().__init__(message + (f"\n  at {line}" if line else ""))


class MissingInputError(ValueError):
    """A compiled function needs a variable that is neither an input nor given."""


class UnusedInputError(ValueError):
    """An input of symconv.function is not used by any output or update."""


class DisconnectedInputError(ValueError):
    """grad was asked for a variable the cost does not depend on."""


class NodeError(RuntimeError):
    """An op failed while compiling or running; names the node and its user line."""


def apply_policy(policy, error, message, stacklevel=2):
    """Theano's 'raise' / 'warn' / 'ignore' choices: raise ``error(message)``, warn with it, or do nothing."""
    if policy == "raise":
        raise error(message)
    if policy == "warn":
        warnings.warn(message, stacklevel=stacklevel + 1)
