"""``symconv run SCRIPT [ARGS...]``: an unmodified Theano script, with ``import theano`` resolving to symconv.

Inside the run, an import hook (a finder first on ``sys.meta_path``) maps
``theano`` to ``symconv`` and ``theano.X.Y`` to ``symconv.X.Y``: the *same*
module objects (``theano.tensor is symconv.tensor``), so ``isinstance`` checks
and shared state agree whichever name a script uses.  A Theano module that
symconv does not have (``theano.gof``) is a ``ModuleNotFoundError`` naming it.

The hook exists only inside ``symconv run`` and inside ``with theano_alias():``;
``import symconv`` installs nothing, so a real Theano installed elsewhere is
untouched outside them.  Inside them the alias wins, even over an installed
Theano (that is its point); a Theano already imported is set aside and put back
afterwards.  Inside them NumPy's scalars print as NumPy 1 printed them (``5.0``,
not ``np.float64(5.0)``), as they did for Theano 1.0.5's scripts, and a class that a
Theano path re-exports shows that path (``<class 'theano.tensor.var.TensorVariable'>``).

Flags are read as Theano reads them: from ``$THEANORC``/``~/.theanorc``,
``THEANO_FLAGS`` (and ``SYMCONV_FLAGS``) when ``theano`` is first imported.
symconv has read them from the environment of ``symconv run`` already; a script
that changes ``os.environ["THEANO_FLAGS"]`` before its ``import theano`` has them
read again at that import.

The script runs as Python runs it: as ``__main__``, with ``sys.argv`` =
``[SCRIPT, ARGS...]``, its folder first on ``sys.path``, its exit status, and a
traceback (of the script's frames) for an exception it raises.
"""
import contextlib
import importlib
import importlib.abc
import importlib.machinery
import os
import sys
import types

import numpy

from .graph import show_theano_names
from .theano_pickle import pickle_reads_theano

ALIAS = "theano"
TARGET = "symconv"
_FLAG_VARIABLES = ("THEANORC", "THEANO_FLAGS", "SYMCONV_FLAGS")


class ScriptNotFoundError(Exception):
    """The script given to ``symconv run`` cannot be read (a one-line error, exit status 2)."""


def _environment():
    return {name: os.environ.get(name) for name in _FLAG_VARIABLES}


def reread_flags():
    """Sets ``symconv.config`` from ``~/.theanorc``, ``THEANO_FLAGS`` and ``SYMCONV_FLAGS`` as they are now.

    Flags whose value these sources do not change keep theirs.  ``compilation_cache``
    was applied when symconv was imported and is not changed here.
    """
    from .config import Config, config

    fresh = Config()
    for name in fresh.flags():
        value = fresh.get_flag(name)
        if name != "compilation_cache" and config.get_flag(name) != value:
            config.set_flag(name, value)


class _AliasLoader(importlib.abc.Loader):
    """Hands the import system the symconv module itself instead of executing anything."""

    def __init__(self, module):
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        # The import system has set __spec__ to the alias's spec: the module keeps its own.
        module.__spec__ = self.spec


class TheanoAliasFinder(importlib.abc.MetaPathFinder):
    """``theano`` and ``theano.X.Y`` as ``symconv`` and ``symconv.X.Y`` (the same module objects)."""

    def __init__(self, environment=None):
        self.environment = environment
        self.added = {}

    def find_spec(self, fullname, path=None, target=None):
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
            return None
        real = TARGET + fullname[len(ALIAS):]
        if fullname == ALIAS and self.environment is not None and self.environment != _environment():
            reread_flags()  # the script set THEANO_FLAGS before `import theano`: read them as Theano would
            self.environment = _environment()
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as exc:
            if exc.name and (real == exc.name or real.startswith(exc.name + ".")):
                missing = ALIAS + exc.name[len(TARGET):]
                raise ModuleNotFoundError(
                    f"No module named {missing!r}: here `theano` is symconv (symconv run / theano_alias), "
                    f"and symconv has no Theano module {missing!r} (no {exc.name!r})", name=missing) from None
            raise
        self.added[fullname] = module
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module), is_package=hasattr(module, "__path__"))


def numpy_1_printing():
    """NumPy scalars print as NumPy 1 printed them (``5.0``, not ``np.float64(5.0)``): Theano 1.0.5 ran on
    NumPy 1, and a Theano script's printed output (its doctests) shows NumPy 1's reprs.  Returns the
    print options to restore."""
    before = numpy.get_printoptions()
    if int(numpy.__version__.split(".")[0]) >= 2:
        numpy.set_printoptions(legacy="1.25")
    return before


@contextlib.contextmanager
def theano_alias(reread=True):
    """``with theano_alias():``: ``import theano`` (and ``theano.tensor``, ...) gives symconv inside the block.

    A ``theano`` already in ``sys.modules`` (a real Theano) is set aside for the
    block and restored after it; the aliases made inside are removed.  With
    ``reread`` (the default), a change of ``THEANO_FLAGS``, ``SYMCONV_FLAGS`` or
    ``THEANORC`` made inside the block before ``import theano`` is applied at
    that import, as Theano reads its flags when it is imported.
    """
    finder = TheanoAliasFinder(_environment() if reread else None)
    stashed = {name: module for name, module in sys.modules.items()
               if name == ALIAS or name.startswith(ALIAS + ".")}
    for name in stashed:
        del sys.modules[name]
    sys.meta_path.insert(0, finder)
    printing = numpy_1_printing()
    naming = show_theano_names(True)
    try:
        yield finder
    finally:
        show_theano_names(naming)
        numpy.set_printoptions(**printing)
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        for name, module in finder.added.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
        sys.modules.update(stashed)


def _script_frames(tb, path):
    """The traceback from the script's first frame on, without the frames of this hook or of importlib.

    As Python shows it: no frames of the runner, and an import error ends at the
    script's (or its module's) import line.
    """
    target = os.path.realpath(path)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename == path or os.path.realpath(filename) == target:
            break
        tb = tb.tb_next
    kept = []
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename != __file__ and not filename.startswith("<frozen importlib"):
            kept.append(tb)
        tb = tb.tb_next
    trimmed = None
    for entry in reversed(kept):
        trimmed = types.TracebackType(trimmed, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return trimmed


def run_script(path, args=()):
    """Runs the Python script at `path` as ``python path args...`` would, with ``import theano`` as symconv.

    Returns the exit status: 0, or 1 after printing the traceback of an exception
    the script raised (``SystemExit`` and ``KeyboardInterrupt`` propagate, as in
    Python).  A script that cannot be read is a ``ScriptNotFoundError``.
    """
    import runpy

    if not os.path.exists(path):
        raise ScriptNotFoundError(f"cannot open file {path!r}: no such file")
    if os.path.isdir(path) and not os.path.exists(os.path.join(path, "__main__.py")):
        raise ScriptNotFoundError(f"cannot run {path!r}: a folder without __main__.py")
    if not os.access(path, os.R_OK):
        raise ScriptNotFoundError(f"cannot open file {path!r}: permission denied")
    folder = os.path.dirname(os.path.abspath(path)) if not os.path.isdir(path) else os.path.abspath(path)
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [path, *args]
    if sys.path:
        sys.path[0] = folder
    else:
        sys.path.insert(0, folder)
    try:
        with theano_alias(), pickle_reads_theano():
            runpy.run_path(path, run_name="__main__")
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as exc:  # noqa: B902  (what Python prints for an uncaught exception)
        trimmed = _script_frames(exc.__traceback__, path)
        sys.excepthook(type(exc), exc.with_traceback(trimmed), trimmed)
        return 1
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
    return 0


def run_module(name, args=()):
    """Runs module `name` as ``python -m name args...`` would, with ``import theano`` as symconv.

    ``symconv run -m pytest lasagne/tests`` runs a test suite whose imports of
    ``theano`` (in conftest files too) all resolve to symconv.  Returns the exit
    status as `run_script` does; a module that cannot be found is a
    ``ScriptNotFoundError``.  A ``SystemExit`` the module raises (pytest's exit
    status) propagates, as in Python.
    """
    import importlib.util
    import runpy

    try:
        found = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise ScriptNotFoundError(f"no module named {name!r}")
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [found.origin or name, *args]
    sys.path.insert(0, os.getcwd())  # as `python -m`: the current folder first
    try:
        with theano_alias(), pickle_reads_theano():
            runpy.run_module(name, run_name="__main__", alter_sys=True)
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as exc:  # noqa: B902  (what Python prints for an uncaught exception)
        sys.excepthook(type(exc), exc, exc.__traceback__)
        return 1
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
    return 0
