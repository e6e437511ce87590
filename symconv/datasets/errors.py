"""Exceptions raised by the dataset loaders."""


class DatasetError(ValueError):
    """A data source is unknown, missing, truncated or malformed.

    The message always names the offending file or source, so a user can fix
    it without reading a traceback.
    """


class DatasetUnavailableError(RuntimeError):
    """A remote dataset cannot be fetched here (offline, or a dependency is missing)."""
