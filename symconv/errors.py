"""Exceptions that point at the user's own source line."""


class GraphBuildError(ValueError):
    """A shape or dtype mismatch found while building the graph."""

    def __init__(self, message, inputs=()):
        from .graph import SourceLine

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
