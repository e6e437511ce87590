"""Compiling graphs: ``function`` (with ``In``, ``Out``, givens and updates), modes and shared variables."""
from . import debugmode, io, mode, monitormode, sharedvalue
from .function import Function, In, Out, Param, function
from .mode import FAST_COMPILE, FAST_RUN, DebugMode, Mode, MonitorMode, get_mode, predefined_modes
from .nanguardmode import NanGuardError, NanGuardMode
from .shared import SharedVariable, shared

__all__ = ["Function", "In", "Out", "Param", "SharedVariable", "function", "shared", "Mode", "DebugMode", "MonitorMode",
           "FAST_RUN", "FAST_COMPILE", "get_mode", "predefined_modes", "mode", "NanGuardMode", "NanGuardError"]
