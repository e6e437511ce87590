"""Exceptions that point at the user's own source line."""
import os
import sys
import warnings

from .graph import SourceLine

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


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


class NullTypeGradError(TypeError):
    """grad reached a gradient that is undefined (Theano's ``grad_undefined``); a TypeError, as Theano's."""


class NodeError(RuntimeError):
    """An op failed while compiling or running; names the node and its user line."""


def drop_jax_note(exc):
    """Removes the note JAX adds to an exception raised through ``jax.jit`` ("JAX has removed its internal
    frames"): symconv's errors name the user's line themselves, and Python 3.11's doctest reads the last note
    as the exception's message."""
    notes = getattr(exc, "__notes__", None)
    if notes:
        exc.__notes__ = [note for note in notes if "JAX has removed its internal frames" not in note]
    return exc


def warn_user(message, category=UserWarning):
    """``warnings.warn`` attributed to the user's line: the first caller outside this package."""
    frame, level = sys._getframe(1), 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def apply_policy(policy, error, message):
    """Theano's 'raise' / 'warn' / 'ignore' choices: raise ``error(message)``, warn with it, or do nothing."""
    if policy == "raise":
        raise error(message)
    if policy == "warn":
        warn_user(message)
