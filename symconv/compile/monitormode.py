"""Theano's ``theano.compile.monitormode`` path: ``MonitorMode`` (see ``symconv.compile.mode``)."""
from .mode import MonitorMode  # noqa: F401
