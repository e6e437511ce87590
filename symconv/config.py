"""Run-time flags, set like Theano's THEANO_FLAGS from ``SYMCONV_FLAGS``.

``SYMCONV_FLAGS="floatX=float64,device=cuda,precision=tf32,devices=8"``.  Flags are read
when a graph is built or compiled, never frozen at import time, so
``symconv.config.floatX = 'float64'`` at the top of a script takes effect.
"""
import contextlib
import os

_DEFAULTS = {
    # dtype of T.matrix() & co and of Python float literals.
    "floatX": "float32",
    # 'cpu', 'cuda'/'gpu' (first GPU), or None: JAX's default device.
    "device": None,
    # As Theano's: if the device asked for is not there, an error (True) or a warning and
    # JAX's default device (False).
    "force_device": False,
    # Devices every compiled function runs on, data parallel (symconv.compile.mesh): the minibatch
    # of `givens` split along its batch axis, shared variables replicated.  1: one device, no mesh.
    "devices": 1,
    # Compiled variants (one per input signature) a function keeps, least recently used evicted.
    "max_compiled_variants": 32,
    # float32 matmul/conv precision: 'highest' (full float32, as Theano) or 'tf32'.
    "precision": "highest",
    # Accepted for Theano scripts that set them; symconv has a single mode.
    # JAX's persistent compilation cache: 'auto' (~/.cache/symconv/jax), 'off', or a folder.
    # Read when symconv is imported (from SYMCONV_FLAGS).
    "compilation_cache": "auto",
    "mode": "FAST_RUN",
    "optimizer": "fast_run",
    "warn_float64": "ignore",
    "compute_test_value": "off",
    "on_unused_input": "raise",
}
_CHOICES = {
    "floatX": ("float16", "float32", "float64"),
    "precision": ("highest", "tf32", "default"),
}


def _boolean(name, value):
    if isinstance(value, str):
        if value.lower() not in ("true", "false", "1", "0"):
            raise ValueError(f"symconv.config.{name} must be True or False, got {value!r}")
        return value.lower() in ("true", "1")
    return bool(value)


def _positive_int(name, value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ValueError(f"symconv.config.{name} must be a positive integer, got {value!r}")
    return number


_CONVERTERS = {"force_device": _boolean, "max_compiled_variants": _positive_int, "devices": _positive_int}


class Config:
    """Attribute access to the flags; unknown names are an error, as in Theano."""

    def __init__(self, flags_string=None):
        object.__setattr__(self, "_values", dict(_DEFAULTS))
        for key, value in _parse(flags_string or os.environ.get("SYMCONV_FLAGS", "")).items():
            setattr(self, key, value)

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"symconv.config has no flag {name!r}; known flags: {sorted(self._values)}") from None

    def __setattr__(self, name, value):
        if name not in self._values:
            raise AttributeError(f"symconv.config has no flag {name!r}; known flags: {sorted(self._values)}")
        if name == "device" and value in ("", "None"):
            value = None
        if name in _CONVERTERS:
            value = _CONVERTERS[name](name, value)
        if name in _CHOICES and value not in _CHOICES[name]:
            raise ValueError(f"symconv.config.{name} must be one of {_CHOICES[name]}, got {value!r}")
        self._values[name] = value

    @contextlib.contextmanager
    def change_flags(self, **flags):
        """Temporarily set flags: ``with config.change_flags(floatX='float64'):``."""
        saved = {name: getattr(self, name) for name in flags}
        try:
            for name, value in flags.items():
                setattr(self, name, value)
            yield self
        finally:
            for name, value in saved.items():
                setattr(self, name, value)

    def __repr__(self):
        return "symconv.config(" + ", ".join(f"{k}={v!r}" for k, v in self._values.items()) + ")"


def _parse(flags_string):
    flags = {}
    for item in filter(None, (part.strip() for part in flags_string.split(","))):
        if "=" not in item:
            raise ValueError(f"SYMCONV_FLAGS item {item!r} is not of the form name=value")
        name, value = item.split("=", 1)
        flags[name.strip()] = value.strip()
    return flags


config = Config()
change_flags = config.change_flags
