"""Theano's compilation modes (``theano.compile.mode``): ``Mode``, ``FAST_RUN``, ``FAST_COMPILE``, ``DebugMode``, ``MonitorMode``.

Every symconv function is one ``jax.jit`` computation, so a mode's linker chooses
nothing, and its optimizer only what the compiled graph shows: under
``'fast_compile'`` or ``None`` (``'FAST_COMPILE'``) symconv's graph rewrites that
mirror Theano's fast_run (``symconv.optimize``) are left out, and
``Mode().excluding('fusion')`` (also ``'inplace'``, ``'blas'``, ``'shape'``,
``'canonicalize'``) leaves out one of them; the values computed are the same
(DebugMode's self-checks of C against Python code have no counterpart: there is
one implementation).  Two modes change what runs:
``NanGuardMode`` (``nanguardmode.py``) and ``MonitorMode``, whose ``pre_func`` and
``post_func`` are called for every node of the graph, in graph order, from inside
the compiled computation (``jax.debug.callback``, ordered), each call given the
node's input and output values.  Unlike Theano, both callbacks of a node run
after the whole computation has produced its values (``pre_func`` sees the
inputs, as in Theano, but runs once they are computed, not just before the
node), and a node's output storage cannot be changed from the callback.
"""
PREDEFINED_LINKERS = ("py", "c", "c|py", "c|py_nogc", "vm", "cvm", "vm_nogc", "cvm_nogc")
PREDEFINED_OPTIMIZERS = (None, "None", "merge", "o4", "o3", "o2", "o1", "unsafe", "fast_compile", "fast_run",
                         "fast_run_stable", "stabilize")


class Mode:
    """``Mode(linker, optimizer)``: accepted as Theano's; the compiled computation is the same for all."""

    def __init__(self, linker=None, optimizer="default"):
        if isinstance(linker, str) and linker not in PREDEFINED_LINKERS:
            raise Exception(f"No predefined linker exist for string: {linker}")
        if isinstance(optimizer, str) and optimizer != "default" and optimizer not in PREDEFINED_OPTIMIZERS:
            raise Exception(f"No predefined optimizer exist for string: {optimizer}")
        self.linker = "cvm" if linker is None else linker
        self.optimizer = "fast_run" if optimizer == "default" else optimizer
        self._includes, self._excludes = (), ()

    def _copy(self, **changes):
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__, **changes)
        return clone

    def including(self, *tags):
        return self._copy(_includes=self._includes + tags)

    def excluding(self, *tags):
        return self._copy(_excludes=self._excludes + tags)

    def requiring(self, *tags):
        return self._copy()

    def clone(self, link_kwargs=None, optimizer="", **kwargs):
        return self._copy(**({} if optimizer == "" else {"optimizer": optimizer}))

    # How a compiled function uses its mode (symconv.compile.function).
    guard = None  # a NanGuardMode checks values

    def watch(self, nodes, env):
        """Called while the function is traced, with the graph's nodes in order and their values (MonitorMode)."""

    def __repr__(self):
        return f"Mode(linker = {self.linker}, optimizer = {self.optimizer})"


class DebugMode(Mode):
    """Theano's DebugMode, accepted: it compiles as FAST_RUN (symconv has one implementation of each op to check)."""

    def __init__(self, optimizer="fast_run", stability_patience=None, check_c_code=None, check_py_code=None,
                 check_isfinite=None, check_preallocated_output=None, require_matching_strides=None, linker=None):
        super().__init__(None, optimizer)


class _Thunk:
    """What a MonitorMode callback gets as ``fn``: ``fn.inputs`` and ``fn.outputs``, lists of one-value cells."""

    def __init__(self, inputs, outputs):
        self.inputs = [[v] for v in inputs]
        self.outputs = [[v] for v in outputs]


class MonitorMode(Mode):
    """``MonitorMode(pre_func=None, post_func=None)``: ``pre_func(i, node, fn)`` and ``post_func(i, node, fn)`` per node.

    `i` is the node's position in graph order, `fn.inputs[k][0]` / `fn.outputs[k][0]`
    the NumPy values (see the module's note on when they are called).
    """

    def __init__(self, pre_func=None, post_func=None, optimizer="default", linker=None):
        if linker is not None:
            raise Exception("MonitorMode can only use its own linker! You should not provide one.", linker)
        super().__init__(None, optimizer)
        self.pre_func, self.post_func = pre_func, post_func

    def watch(self, nodes, env):
        import jax
        import numpy as np

        if self.pre_func is None and self.post_func is None:
            return
        for i, node in enumerate(nodes):
            if not all(v in env for v in node.outputs):
                continue
            values = [env[v] if v in env else _constant(v) for v in node.inputs]
            count = len(values)

            def call(*arrays, i=i, node=node, count=count):
                fn = _Thunk([np.asarray(a) for a in arrays[:count]], [np.asarray(a) for a in arrays[count:]])
                for callback in (self.pre_func, self.post_func):
                    if callback is not None:
                        callback(i, node, fn)

            jax.debug.callback(call, *values, *[env[v] for v in node.outputs], ordered=True)


def _constant(var):
    import numpy as np

    return np.asarray(getattr(var, "data", getattr(var, "value", 0)))


FAST_RUN = Mode("cvm", "fast_run")
FAST_COMPILE = Mode("vm", "fast_compile")
predefined_modes = {"FAST_RUN": FAST_RUN, "FAST_COMPILE": FAST_COMPILE, "DEBUG_MODE": DebugMode()}
MODE_NAMES = ("Mode", "DebugMode", "FAST_RUN", "NanGuardMode", "FAST_COMPILE", "DEBUG_MODE")
# Mode classes made by name, each a new instance: 'Mode', 'DebugMode', and 'NanGuardMode' (registered by nanguardmode.py).
MODE_CLASSES = {"Mode": Mode, "DebugMode": DebugMode}


def get_mode(mode):
    """The Mode `mode` names (a Mode is returned as it is; None: ``config.mode``)."""
    if mode is None:
        from ..config import config

        mode = config.mode
    if not isinstance(mode, str):
        return mode
    if mode in MODE_CLASSES:
        return MODE_CLASSES[mode]()
    if mode in predefined_modes:
        return predefined_modes[mode]
    raise Exception(f"No predefined mode exist for string: {mode}")


def get_default_mode():
    """The mode ``config.mode`` names."""
    return get_mode(None)
