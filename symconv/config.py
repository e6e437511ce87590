"""Run-time flags: Theano's ``theano.config`` tree, read from ``~/.theanorc``, ``THEANO_FLAGS`` and ``SYMCONV_FLAGS``.

``SYMCONV_FLAGS="floatX=float64,device=cuda,precision=tf32,devices=8"``; ``THEANO_FLAGS`` is
read first, the same way (comma-separated ``name=value``, quoting as Theano's shlex
allows; an item without ``=`` and an unknown name are warned about and ignored, as
Theano does), and ``SYMCONV_FLAGS`` overrides it.  Theano's config files
(``$THEANORC``, by default ``~/.theanorc``: ``[global]`` and dotted sections) are read
before both.  An invalid value of a known flag
(``floatX=bogus``) is a ``ValueError``, as in Theano.  Flags are read when a graph is
built or compiled, never frozen at import time, so ``symconv.config.floatX = 'float64'``
at the top of a script takes effect.

Every flag of Theano 1.0.5 exists, with its full name (``config.compute_test_value``,
``config.gcc.cxxflags``, ``config.warn.sum_div_dimshuffle_bug``), its default and its
valid values; most do nothing in symconv (there is no C code, no optimizer choice),
and setting one of those to another value than its default warns
once (the ``warn.*`` flags excepted: they only choose which of Theano's old bugs to
warn about, and symconv has none of them).  Unlike Theano, assigning a name that is no
flag (``config.floatx = ...``) is an ``AttributeError`` rather than a silent new attribute.
"""
import contextlib
import os
import shlex
import warnings

# (name, kind, default, valid values) of every Theano 1.0.5 flag (kind: enum, bool, int, float, str).
_THEANO = [
    ('floatX', 'enum', 'float64', ('float64', 'float32', 'float16')),
    ('warn_float64', 'enum', 'ignore', ('ignore', 'warn', 'raise', 'pdb')),
    ('pickle_test_value', 'bool', True, None),
    ('cast_policy', 'enum', 'custom', ('custom', 'numpy+floatX')),
    ('int_division', 'enum', 'int', ('int', 'raise', 'floatX')),
    ('deterministic', 'enum', 'default', ('default', 'more')),
    ('device', 'str', 'cpu', None),
    ('init_gpu_device', 'str', '', None),
    ('force_device', 'bool', False, None),
    ('conv.assert_shape', 'bool', False, None),
    ('print_global_stats', 'bool', False, None),
    ('contexts', 'str', '', None),
    ('print_active_device', 'bool', True, None),
    ('gpuarray.sync', 'bool', False, None),
    ('gpuarray.preallocate', 'float', 0, None),
    ('gpuarray.sched', 'enum', 'default', ('default', 'multi', 'single')),
    ('gpuarray.single_stream', 'bool', True, None),
    ('cuda.root', 'str', '', None),
    ('cuda.include_path', 'str', '', None),
    ('dnn.conv.workmem', 'str', '', None),
    ('dnn.conv.workmem_bwd', 'str', '', None),
    ('dnn.conv.algo_bwd', 'str', '', None),
    ('dnn.conv.algo_fwd', 'enum', 'small', ('small', 'none', 'large', 'fft', 'fft_tiling', 'winograd', 'winograd_non_fused', 'guess_once', 'guess_on_shape_change', 'time_once', 'time_on_shape_change')),
    ('dnn.conv.algo_bwd_data', 'enum', 'none', ('none', 'deterministic', 'fft', 'fft_tiling', 'winograd', 'winograd_non_fused', 'guess_once', 'guess_on_shape_change', 'time_once', 'time_on_shape_change')),
    ('dnn.conv.algo_bwd_filter', 'enum', 'none', ('none', 'deterministic', 'fft', 'small', 'winograd_non_fused', 'fft_tiling', 'guess_once', 'guess_on_shape_change', 'time_once', 'time_on_shape_change')),
    ('dnn.conv.precision', 'enum', 'as_input_f32', ('as_input_f32', 'as_input', 'float16', 'float32', 'float64')),
    ('dnn.base_path', 'str', '', None),
    ('dnn.include_path', 'str', '', None),
    ('dnn.library_path', 'str', '', None),
    ('dnn.bin_path', 'str', '', None),
    ('dnn.enabled', 'enum', 'auto', ('auto', 'True', 'False', 'no_check')),
    ('magma.include_path', 'str', '', None),
    ('magma.library_path', 'str', '', None),
    ('magma.enabled', 'bool', False, None),
    ('assert_no_cpu_op', 'enum', 'ignore', ('ignore', 'warn', 'raise', 'pdb')),
    ('mode', 'str', 'Mode', None),
    ('cxx', 'str', '', None),
    ('linker', 'enum', 'cvm', ('cvm', 'c|py', 'py', 'c', 'c|py_nogc', 'vm', 'vm_nogc', 'cvm_nogc')),
    ('allow_gc', 'bool', True, None),
    ('optimizer', 'enum', 'o4', ('o4', 'o3', 'o2', 'o1', 'unsafe', 'fast_run', 'fast_compile', 'merge', 'None')),
    ('optimizer_verbose', 'bool', False, None),
    ('on_opt_error', 'enum', 'warn', ('warn', 'raise', 'pdb', 'ignore')),
    ('nocleanup', 'bool', False, None),
    ('on_unused_input', 'enum', 'raise', ('raise', 'warn', 'ignore')),
    ('tensor.cmp_sloppy', 'int', 0, None),
    ('tensor.local_elemwise_fusion', 'bool', True, None),
    ('gpu.local_elemwise_fusion', 'bool', True, None),
    ('lib.amdlibm', 'bool', False, None),
    ('gpuelemwise.sync', 'bool', True, None),
    ('traceback.limit', 'int', 8, None),
    ('traceback.compile_limit', 'int', 0, None),
    ('experimental.unpickle_gpu_on_cpu', 'bool', False, None),
    ('numpy.seterr_all', 'enum', 'ignore', ('ignore', 'warn', 'raise', 'call', 'print', 'log', 'None')),
    ('numpy.seterr_divide', 'enum', 'None', ('None', 'ignore', 'warn', 'raise', 'call', 'print', 'log')),
    ('numpy.seterr_over', 'enum', 'None', ('None', 'ignore', 'warn', 'raise', 'call', 'print', 'log')),
    ('numpy.seterr_under', 'enum', 'None', ('None', 'ignore', 'warn', 'raise', 'call', 'print', 'log')),
    ('numpy.seterr_invalid', 'enum', 'None', ('None', 'ignore', 'warn', 'raise', 'call', 'print', 'log')),
    ('warn.ignore_bug_before', 'enum', '0.9', ('0.9', 'None', 'all', '0.3', '0.4', '0.4.1', '0.5', '0.6', '0.7', '0.8', '0.8.1', '0.8.2', '0.9', '0.10', '1.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5')),
    ('warn.argmax_pushdown_bug', 'bool', False, None),
    ('warn.gpusum_01_011_0111_bug', 'bool', False, None),
    ('warn.sum_sum_bug', 'bool', False, None),
    ('warn.sum_div_dimshuffle_bug', 'bool', False, None),
    ('warn.subtensor_merge_bug', 'bool', False, None),
    ('warn.gpu_set_subtensor1', 'bool', False, None),
    ('warn.vm_gc_bug', 'bool', False, None),
    ('warn.signal_conv2d_interface', 'bool', False, None),
    ('warn.reduce_join', 'bool', False, None),
    ('warn.inc_set_subtensor1', 'bool', False, None),
    ('warn.round', 'bool', False, None),
    ('warn.inc_subtensor1_opt', 'bool', True, None),
    ('compute_test_value', 'enum', 'off', ('off', 'ignore', 'warn', 'raise', 'pdb')),
    ('print_test_value', 'bool', False, None),
    ('compute_test_value_opt', 'enum', 'off', ('off', 'ignore', 'warn', 'raise', 'pdb')),
    ('unpickle_function', 'bool', True, None),
    ('reoptimize_unpickled_function', 'bool', False, None),
    ('exception_verbosity', 'enum', 'low', ('low', 'high')),
    ('openmp', 'bool', False, None),
    ('openmp_elemwise_minsize', 'int', 200000, None),
    ('check_input', 'bool', True, None),
    ('cache_optimizations', 'bool', False, None),
    ('unittests.rseed', 'int', 666, None),
    ('NanGuardMode.nan_is_error', 'bool', True, None),
    ('NanGuardMode.inf_is_error', 'bool', True, None),
    ('NanGuardMode.big_is_error', 'bool', True, None),
    ('NanGuardMode.action', 'enum', 'raise', ('raise', 'warn', 'pdb')),
    ('optimizer_excluding', 'str', '', None),
    ('optimizer_including', 'str', '', None),
    ('optimizer_requiring', 'str', '', None),
    ('DebugMode.patience', 'int', 10, None),
    ('DebugMode.check_c', 'bool', True, None),
    ('DebugMode.check_py', 'bool', True, None),
    ('DebugMode.check_finite', 'bool', True, None),
    ('DebugMode.check_strides', 'int', 0, None),
    ('DebugMode.warn_input_not_reused', 'bool', True, None),
    ('DebugMode.check_preallocated_output', 'str', '', None),
    ('DebugMode.check_preallocated_output_ndim', 'int', 4, None),
    ('profiling.time_thunks', 'bool', True, None),
    ('profiling.n_apply', 'int', 20, None),
    ('profiling.n_ops', 'int', 20, None),
    ('profiling.output_line_width', 'int', 512, None),
    ('profiling.min_memory_size', 'int', 1024, None),
    ('profiling.min_peak_memory', 'bool', False, None),
    ('profiling.destination', 'str', 'stderr', None),
    ('profiling.debugprint', 'bool', False, None),
    ('profiling.ignore_first_call', 'bool', False, None),
    ('optdb.position_cutoff', 'float', float('inf'), None),
    ('optdb.max_use_ratio', 'float', 8, None),
    ('gcc.cxxflags', 'str', '', None),
    ('cmodule.warn_no_version', 'bool', False, None),
    ('cmodule.remove_gxx_opt', 'bool', False, None),
    ('cmodule.compilation_warning', 'bool', False, None),
    ('cmodule.preload_cache', 'bool', False, None),
    ('cmodule.age_thresh_use', 'int', 2073600, None),
    ('cmodule.debug', 'bool', False, None),
    ('blas.ldflags', 'str', '', None),
    ('blas.check_openmp', 'bool', True, None),
    ('metaopt.verbose', 'int', 0, None),
    ('metaopt.optimizer_excluding', 'str', '', None),
    ('metaopt.optimizer_including', 'str', '', None),
    ('profile', 'bool', False, None),
    ('profile_optimizer', 'bool', False, None),
    ('profile_memory', 'bool', False, None),
    ('vm.lazy', 'str', 'None', None),
    ('warn.identify_1pexp_bug', 'bool', False, None),
    ('on_shape_error', 'enum', 'warn', ('warn', 'raise')),
    ('tensor.insert_inplace_optimizer_validate_nb', 'int', -1, None),
    ('experimental.local_alloc_elemwise', 'bool', True, None),
    ('experimental.local_alloc_elemwise_assert', 'bool', True, None),
    ('scan.allow_gc', 'bool', False, None),
    ('scan.allow_output_prealloc', 'bool', True, None),
    ('scan.debug', 'bool', False, None),
    ('compile.wait', 'int', 5, None),
    ('cycle_detection', 'enum', 'regular', ('regular', 'fast')),
    ('check_stack_trace', 'enum', 'off', ('off', 'log', 'warn', 'raise')),
    ('compile.timeout', 'int', 120, None),
    ('compiledir_format', 'str', '', None),
    ('base_compiledir', 'str', '', None),
    ('compiledir', 'str', '', None),
    ('gpuarray.cache_path', 'str', '', None),
    ('ctc.root', 'str', '', None),
]

# symconv's own flags and the defaults it changes: these flags are used.
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
    # JAX's persistent compilation cache: 'auto' (~/.cache/symconv/jax), 'off', or a folder.
    # Read when symconv is imported (from SYMCONV_FLAGS / THEANO_FLAGS).
    "compilation_cache": "auto",
    # How XLA:CPU's buffers are allocated (symconv.host_memory): 'reuse' (glibc keeps freed
    # memory for the next call) or 'system' (the C library's defaults). Read when symconv is imported.
    "host_allocator": "reuse",
    # The default mode of symconv.function (symconv.compile.mode): 'NanGuardMode' changes what runs.
    "mode": "Mode",
    "on_unused_input": "raise",
}
_USED = set(_DEFAULTS) | {"NanGuardMode.nan_is_error", "NanGuardMode.inf_is_error", "NanGuardMode.big_is_error",
                          "compute_test_value", "compute_test_value_opt", "print_test_value", "optimizer_excluding"}
_MODES = ("Mode", "DebugMode", "FAST_RUN", "NanGuardMode", "FAST_COMPILE", "DEBUG_MODE")
_CHOICES = {name: choices for name, kind, _, choices in _THEANO if kind == "enum"}
_CHOICES.update({"floatX": ("float16", "float32", "float64"), "precision": ("highest", "tf32", "default"),
                 "on_unused_input": ("raise", "warn", "ignore"), "host_allocator": ("reuse", "system")})
_KINDS = {name: kind for name, kind, _, _ in _THEANO}
_THEANO_DEFAULTS = {name: default for name, _, default, _ in _THEANO}
_WARNED = set()


def _boolean(name, value):
    if isinstance(value, str):
        if value.lower() not in ("true", "false", "1", "0"):
            raise ValueError(f"Invalid value ({value}) for configuration variable \"{name}\": "
                             "symconv.config.%s must be True or False" % name)
        return value.lower() in ("true", "1")
    if value not in (True, False, 0, 1):
        raise ValueError(f"Invalid value ({value!r}) for configuration variable \"{name}\": it must be True or False")
    return bool(value)


def _positive_int(name, value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ValueError(f"symconv.config.{name} must be a positive integer, got {value!r}")
    return number


def _typed(kind):
    def convert(name, value):
        try:
            return kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"Invalid value ({value!r}) for configuration variable \"{name}\": "
                             f"expected {kind.__name__}") from None
    return convert


def _mode(name, value):
    if isinstance(value, str) and value not in _MODES:
        raise ValueError(f"Invalid value (\"{value}\") for configuration variable \"{name}\". "
                         f"Valid options are {_MODES}")
    return value


_CONVERTERS = {name: {"bool": _boolean, "int": _typed(int), "float": _typed(float)}[kind]
               for name, kind in _KINDS.items() if kind in ("bool", "int", "float")}
_CONVERTERS.update({"force_device": _boolean, "max_compiled_variants": _positive_int, "devices": _positive_int,
                    "mode": _mode})


class _Section:
    """A group of flags: ``config.warn``, ``config.gcc``, ``config.dnn.conv``."""

    def __init__(self, config, prefix):
        object.__setattr__(self, "_config", config)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name):
        return self._config._get(f"{self._prefix}.{name}")

    def __setattr__(self, name, value):
        self._config._set(f"{self._prefix}.{name}", value)

    def __repr__(self):
        return f"<symconv.config.{self._prefix}>"


class Config:
    """Attribute access to the flags (``config.floatX``, ``config.warn.round``); unknown names are an error."""

    def __init__(self, flags_string=None):
        values = dict(_THEANO_DEFAULTS)
        values.update(_DEFAULTS)
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_sections", {name.rsplit(".", 1)[0] for name in values if "." in name}
                           | {name.split(".", 1)[0] for name in values if "." in name})
        if flags_string is not None:
            sources = [("SYMCONV_FLAGS", flags_string)]
        else:
            for key, value in _theanorc(self._values).items():
                self._set(key, value)
            sources = [("THEANO_FLAGS", os.environ.get("THEANO_FLAGS", "")),
                       ("SYMCONV_FLAGS", os.environ.get("SYMCONV_FLAGS", ""))]
        for source, text in sources:
            for key, value in _parse(text, source).items():
                if key not in self._values:
                    warnings.warn(f"{source}: Theano does not recognise this flag: {key}", UserWarning, stacklevel=2)
                    continue
                self._set(key, value)

    def _get(self, name):
        try:
            return self._values[name]
        except KeyError:
            pass
        if name in self._sections or any(s.startswith(name + ".") for s in self._sections):
            return _Section(self, name)
        raise AttributeError(f"symconv.config has no flag {name!r}; known flags: {sorted(_USED)} and Theano's "
                             "(symconv.config.flags())")

    def _set(self, name, value):
        if name not in self._values:
            raise AttributeError(f"symconv.config has no flag {name!r}; known flags: {sorted(_USED)} and Theano's "
                                 "(symconv.config.flags())")
        if name == "device" and value in ("", "None"):
            value = None
        if name in _CONVERTERS:
            value = _CONVERTERS[name](name, value)
        if name in _CHOICES and value not in _CHOICES[name]:
            raise ValueError(f"Invalid value (\"{value}\") for configuration variable \"{name}\". "
                             f"Valid options are {_CHOICES[name]}")
        if (name not in _USED and not name.startswith("warn.") and value != _THEANO_DEFAULTS[name]
                and name not in _WARNED):
            _WARNED.add(name)
            warnings.warn(f"symconv.config.{name}={value!r} is accepted for Theano scripts but does nothing in "
                          "symconv (one jitted JAX computation per function: no C code and no optimizer choice)",
                          UserWarning, stacklevel=3)
        self._values[name] = value

    def __getattr__(self, name):
        return self._get(name)

    def __setattr__(self, name, value):
        self._set(name, value)

    def flags(self):
        """Every flag name (Theano's and symconv's)."""
        return sorted(self._values)

    def get_flag(self, name):
        """The value of the flag `name`, dotted names included (``'gcc.cxxflags'``)."""
        return self._get(name)

    def set_flag(self, name, value):
        """Set the flag `name` (dotted names included), checked as an attribute assignment is."""
        self._set(name, value)

    @contextlib.contextmanager
    def change_flags(self, *args, **flags):
        """Temporarily set flags: ``with config.change_flags(floatX='float64'):`` (or a dict, dotted names included)."""
        for arg in args:
            flags.update(arg)
        saved = {name: self._get(name) for name in flags}
        try:
            for name, value in flags.items():
                self._set(name, value)
            yield self
        finally:
            for name, value in saved.items():
                self._values[name] = value

    def __repr__(self):
        return "symconv.config(" + ", ".join(f"{k}={self._values[k]!r}" for k in _DEFAULTS) + ", ...)"


def _theanorc(known):
    """The flags set in Theano's config files: ``$THEANORC`` (a path list), by default ``~/.theanorc``.

    As Theano reads them: an INI file whose ``[global]`` section holds the
    top-level flags and ``[gcc]``, ``[dnn.conv]``, ... the dotted ones; names that
    are no flag are ignored.  ``THEANO_FLAGS`` and ``SYMCONV_FLAGS`` override them.
    """
    import configparser

    paths = [os.path.expanduser(p) for p in os.environ.get("THEANORC", "~/.theanorc").split(os.pathsep) if p]
    parser = configparser.RawConfigParser()  # option names case-insensitive (floatx = floatX), as Theano's
    try:
        parser.read(paths)
    except configparser.Error as exc:
        warnings.warn(f"THEANORC: cannot read {paths}: {exc}", UserWarning, stacklevel=3)
        return {}
    found = {}
    lowered = {}
    for name in known:
        section, _, option = name.rpartition(".")
        lowered[(section or "global", option.lower())] = name
    for section in parser.sections():
        for option, value in parser.items(section):
            name = lowered.get((section, option.lower()))
            if name is not None:
                found[name] = value
    return found


def _parse(flags_string, source="SYMCONV_FLAGS"):
    """``name=value`` items separated by commas (Theano's parsing: shlex, later items win)."""
    flags = {}
    splitter = shlex.shlex(flags_string, posix=True)
    splitter.whitespace = ","
    splitter.whitespace_split = True
    for item in splitter:
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            warnings.warn(f"{source}: config key {item!r} has no value, ignoring it", UserWarning, stacklevel=3)
            continue
        name, value = item.split("=", 1)
        flags[name.strip()] = value.strip()
    return flags


config = Config()
change_flags = config.change_flags
