"""Loading what Theano 1.0.5 pickled: shared variables, lists of them, and models whose attributes hold graphs.

``load_theano_pickle(file, classes=(LogisticRegression,))`` reads a pickle such as the deeplearning.net
tutorials' ``best_model.pkl`` without running anything it names:

1. it is read by a restricted unpickler (``symconv.safe_pickle.RestrictedUnpickler``'s rules, widened): NumPy
   arrays, numbers, strings and containers; the Theano classes listed in ``THEANO_NAMES``, each read into an
   inert placeholder that only records its pickled attributes; the user's own classes passed in `classes`; and
   what symconv's own pickles name (its graph classes, op lowerings and ``symconv.layers`` models).
   Any other name is refused before anything is called: a Theano class symconv does not map raises
   ``UnknownTheanoClassError`` naming it, anything else ``ForbiddenPickleError`` naming it;
2. the placeholders are then rebuilt as symconv objects: a shared variable becomes ``symconv.shared`` of its
   pickled value, with its name and broadcastable pattern; a graph is replayed op by op with ``symconv.tensor``
   functions (``T.dot``, ``T.nnet.softmax``, ``T.argmax``, ``x.dimshuffle``, ...), each variable built once,
   so that one shared variable used in several places stays one.

User classes: a pickle names the class of a model by module and name (``__main__.LogisticRegression`` when the
script that pickled it ran as a program).  Such a class is loaded only when `classes` admits it: `classes`
holds classes, matched by name whatever module the pickle names (so a model pickled from a script's
``__main__`` loads into the class of the same name you import), and modules, which admit the classes they
define (``classes=(logistic_sgd,)``).  Its instance is made without calling ``__init__``
(as ``pickle`` does) and its attributes are then rebuilt as above.
"""
import contextlib
import enum
import gzip
import io
import pickle
import sys
import types

import jax
import numpy as np

from . import safe_pickle
from .graph import Apply, SourceLine, Variable
from .op import Op
from .type import TensorType
from .compile.shared import shared
from . import tensor as T

_STRUCTURE = {
    "theano.tensor.var": ("TensorVariable", "TensorConstant", "TensorConstantSignature"),
    "theano.tensor.sharedvar": ("TensorSharedVariable", "ScalarSharedVariable"),
    "theano.compile.sharedvalue": ("SharedVariable",),
    "theano.tensor.type": ("TensorType",),
    "theano.gof.graph": ("Apply", "Variable", "Constant"),
    "theano.gof.link": ("Container",),
    "theano.gof.utils": ("scratchpad",),
    "theano.misc.frozendict": ("frozendict",),
    "theano.scalar.basic": ("Scalar", "ScalarVariable", "ScalarConstant"),
}

_SCALAR_FUNCS = {
    "Add": lambda *xs: _fold(lambda a, b: a + b, xs), "Mul": lambda *xs: _fold(lambda a, b: a * b, xs),
    "Sub": lambda a, b: a - b, "TrueDiv": lambda a, b: a / b, "IntDiv": lambda a, b: a // b,
    "Mod": lambda a, b: a % b, "Pow": lambda a, b: a ** b, "Neg": lambda a: -a,
    "Maximum": lambda a, b: T.maximum(a, b), "Minimum": lambda a, b: T.minimum(a, b),
    "EQ": lambda a, b: T.eq(a, b), "NEQ": lambda a, b: T.neq(a, b), "LT": lambda a, b: T.lt(a, b),
    "GT": lambda a, b: T.gt(a, b), "LE": lambda a, b: T.le(a, b), "GE": lambda a, b: T.ge(a, b),
    "AND": lambda a, b: a & b, "OR": lambda a, b: a | b, "XOR": lambda a, b: a ^ b, "Invert": lambda a: ~a,
    "Switch": lambda c, a, b: T.switch(c, a, b), "Second": lambda a, b: T.second(a, b),
    "Identity": lambda a: T.tensor_copy(a), "Abs": T.abs_, "Sgn": T.sgn, "Exp": T.exp, "Expm1": T.expm1,
    "Log": T.log, "Log1p": T.log1p, "Sqr": T.sqr, "Sqrt": T.sqrt, "Tanh": T.tanh, "Sin": T.sin, "Cos": T.cos,
    "Inv": T.inv, "Erf": T.erf, "Floor": T.floor, "Ceil": T.ceil,
    "ScalarSigmoid": T.nnet.sigmoid, "ScalarSoftplus": T.nnet.softplus,
    "Clip": lambda x, lo, hi: T.clip(x, lo, hi),
}
_SCALAR_MODULES = {"Clip": "theano.scalar.basic", "ScalarSigmoid": "theano.tensor.nnet.sigm",
                   "ScalarSoftplus": "theano.tensor.nnet.sigm"}
_REDUCE_BY_SCALAR = {"Add": T.sum, "Mul": T.prod, "Maximum": T.max, "Minimum": T.min}

# The functions Theano's scalar ops hold as attributes (output_types_preference): names only, never called.
_TYPE_RULES = ("upcast_out", "upcast_out_nobool", "upcast_out_no_complex", "upcast_out_min8", "same_out",
               "same_out_nobool", "same_out_min8", "same_out_nocomplex", "same_out_float_only", "upgrade_to_float",
               "upgrade_to_float_no_complex", "upgrade_to_float64", "transfer_type", "float_out", "int_out",
               "complex_out", "bool_out", "upcast_out_nocomplex", "specific_out")
_NUMPY_SCALAR_TYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
                       "uint32", "uint64", "bool_", "complex64", "complex128")


def _fold(f, xs):
    out = xs[0]
    for x in xs[1:]:
        out = f(out, x)
    return out


class TheanoPlaceholder:
    """An inert stand-in for one pickled Theano object: it records the attributes the pickle gives it, runs nothing."""

    theano_name = None

    def __new__(cls, *args, **kwargs):
        obj = object.__new__(cls)
        obj.__dict__["_args"] = args
        return obj

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        if isinstance(state, tuple) and len(state) == 2:  # (dict, slots)
            state = {**(state[0] or {}), **(state[1] or {})}
        if isinstance(state, dict):
            self.__dict__.update(state)
        else:
            self.__dict__["_state"] = state

    def __repr__(self):
        return f"<pickled {self.theano_name}>"


def _placeholder(module, name):
    return type(name, (TheanoPlaceholder,), {"theano_name": f"{module}.{name}", "__module__": __name__})


class UnknownTheanoClassError(safe_pickle.ForbiddenPickleError):
    """The pickle names a Theano class (an op, a type, ...) that symconv does not map to its own."""

    def __init__(self, module, name, detail=""):
        self.module, self.name = module, name
        pickle.UnpicklingError.__init__(
            self, f"cannot load Theano's {module}.{name} from a pickle: symconv maps no such Theano class"
            f"{detail} (it reads shared variables and graphs of the ops listed in symconv.theano_pickle.OPS)")


def _safe_reconstructor(cls, base, state):
    """``copyreg._reconstructor`` (protocols 0 and 1) for admitted classes built on ``object`` only."""
    if base is not object:
        raise safe_pickle.ForbiddenPickleError("copyreg", f"_reconstructor with base {getattr(base, '__name__', base)}")
    cls = getattr(cls, "admitted_class", cls)
    return cls.__new__(cls)


class TheanoUnpickler(safe_pickle.RestrictedUnpickler):
    """Arrays and containers as ``RestrictedUnpickler``; Theano's mapped classes as placeholders; `classes`."""

    def __init__(self, file, classes=(), encoding="latin1"):
        super().__init__(file, encoding=encoding)
        self.user_classes = _user_classes(classes)
        self.placeholders = {}

    def find_class(self, module, name):
        if (module, name) in (("copy_reg", "_reconstructor"), ("copyreg", "_reconstructor")):
            return _safe_reconstructor
        if (module, name) in (("builtins", "object"), ("__builtin__", "object"), ("builtins", "slice"),
                              ("__builtin__", "slice")):
            return object if name == "object" else slice
        if module == "numpy" and name in _NUMPY_SCALAR_TYPES:  # the dtypes of Theano's scalar constants
            return getattr(np, name)
        if module == "theano" or module.startswith("theano."):
            if (module, name) not in THEANO_NAMES:
                raise UnknownTheanoClassError(module, name)
            key = (module, name)
            if key not in self.placeholders:
                self.placeholders[key] = _placeholder(module, name)
            return self.placeholders[key]
        if name in self.user_classes:
            return _admitted(self.user_classes[name])
        if module.startswith("symconv.") or (module, name) == ("jax._src.lax.lax", "Precision"):
            found = _symconv_name(module, name)
            if found is not None:
                return found
        return super().find_class(module, name)


def _symconv_name(module, name):
    """What symconv's own pickles name (``pickle.dump`` of a symconv model, as a Theano script run by symconv
    does): its graph classes (variables, nodes, ops, types, enums), the lowering functions of ``symconv.ops``
    and ``symconv.kernels``, and the model classes of ``symconv.layers`` (made without ``__init__``).  Only
    modules already imported are looked in; nothing is imported."""
    mod = sys.modules.get(module)
    if mod is None or "." in name:
        return None
    obj = getattr(mod, name, None)
    if isinstance(obj, type):
        if obj is jax.lax.Precision:
            return obj
        if not obj.__module__.startswith("symconv."):
            return None
        if issubclass(obj, (Variable, Apply, Op, TensorType, SourceLine, enum.Enum)):
            return obj
        if obj.__module__.startswith("symconv.layers."):
            return _admitted(obj)
    elif isinstance(obj, types.FunctionType) and obj.__module__.startswith(("symconv.ops.", "symconv.kernels.")):
        return obj
    return None


def _admitted(cls):
    """What the unpickler hands pickle for a user class: calling it (REDUCE) or its ``__new__`` (NEWOBJ) makes an
    instance of `cls` with ``cls.__new__(cls)`` only, so no pickled arguments reach ``__init__`` or ``__new__``."""
    return type(cls.__name__, (), {"__new__": staticmethod(lambda _proxy, *args, **kwargs: cls.__new__(cls)),
                                   "admitted_class": cls})


def _user_classes(classes):
    found = {}
    for entry in classes if not isinstance(classes, dict) else classes.values():
        if isinstance(entry, str):  # a module by name, if imported (nothing is imported here): "__main__"
            entry = sys.modules.get(entry)
            if entry is None:
                continue
        if isinstance(entry, type):
            found[entry.__qualname__] = entry
        elif hasattr(entry, "__dict__") and hasattr(entry, "__name__"):  # a module: the classes it defines
            for key, value in vars(entry).items():
                if isinstance(value, type) and value.__module__ == entry.__name__:
                    found[key] = value
        else:
            raise TypeError(f"classes= takes classes and modules, not {entry!r}")
    if isinstance(classes, dict):
        found.update({key: value for key, value in classes.items() if isinstance(value, type)})
    return found


# --- Rebuilding -------------------------------------------------------------------------------------------------

def _axis(axis):
    if axis is None:
        return None
    axis = tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else int(axis)
    return axis[0] if isinstance(axis, tuple) and len(axis) == 1 else axis


def _elemwise(op, inputs):
    scalar_op = op.scalar_op
    kind = type(scalar_op).__name__
    if kind == "Cast":
        return [T.cast(inputs[0], scalar_op.o_type.dtype)]
    return [_SCALAR_FUNCS[kind](*inputs)]


def _careduce(op, inputs):
    kind = type(op.scalar_op).__name__
    if kind not in _REDUCE_BY_SCALAR:
        raise UnknownTheanoClassError("theano.tensor.elemwise", f"CAReduce({kind})")
    return [_REDUCE_BY_SCALAR[kind](inputs[0], axis=_axis(op.__dict__.get("axis")))]


def _sum_like(reduce):
    def build(op, inputs):
        dtype = op.__dict__.get("dtype")
        return [reduce(inputs[0], axis=_axis(op.__dict__.get("axis")), dtype=dtype)]
    return build


def _subtensor(op, inputs):
    x, rest = inputs[0], list(inputs[1:])

    def entry(item):
        if isinstance(item, slice):
            return slice(entry(item.start), entry(item.stop), entry(item.step))
        if isinstance(item, TheanoPlaceholder):  # a scalar type: the next input
            return rest.pop(0)
        return item
    return [x[tuple(entry(item) for item in op.idx_list)]]


def _max_and_argmax(op, inputs):
    axis = _axis(op.__dict__.get("axis"))
    return [T.max(inputs[0], axis=axis), T.argmax(inputs[0], axis=axis)]


def _ints(var, what):
    value = T.static_value(var)
    if value is None:
        raise pickle.UnpicklingError(f"Theano's Pool with a {what} that is not a constant: symconv needs it known")
    return tuple(int(v) for v in np.ravel(value))


def _pool(op, inputs):
    if op.ndim != 2:
        raise UnknownTheanoClassError("theano.tensor.signal.pool", f"Pool(ndim={op.ndim})")
    from .tensor.signal import pool
    x, ws, stride, pad = (list(inputs) + [None, None])[:4]
    ws = _ints(ws, "window")
    stride = _ints(stride, "stride") if stride is not None else ws
    pad = _ints(pad, "padding") if pad is not None else (0, 0)
    return [pool.pool_2d(x, ws=ws, ignore_border=bool(op.ignore_border), stride=stride, pad=pad, mode=op.mode)]


def _conv2d(op, inputs):
    if op.__dict__.get("unshared"):
        raise UnknownTheanoClassError("theano.tensor.nnet.abstract_conv", "AbstractConv2d(unshared=True)")
    shape = lambda s: None if s is None else tuple(None if d is None else int(d) for d in s)  # noqa: E731
    border_mode = op.border_mode
    if isinstance(border_mode, (tuple, list)):
        border_mode = tuple(int(b) if not isinstance(b, tuple) else b for b in border_mode)
    return [T.nnet.conv2d(inputs[0], inputs[1], input_shape=shape(op.imshp), filter_shape=shape(op.kshp),
                          border_mode=border_mode, subsample=tuple(op.subsample), filter_flip=bool(op.filter_flip),
                          filter_dilation=tuple(op.filter_dilation), num_groups=int(op.__dict__.get("num_groups", 1)))]


OPS = {
    ("theano.tensor.elemwise", "Elemwise"): _elemwise,
    ("theano.tensor.elemwise", "DimShuffle"): lambda op, xs: [xs[0].dimshuffle(*op.new_order)],
    ("theano.tensor.elemwise", "CAReduce"): _careduce,
    ("theano.tensor.elemwise", "Sum"): _sum_like(T.sum),
    ("theano.tensor.elemwise", "Prod"): _sum_like(T.prod),
    ("theano.tensor.basic", "Dot"): lambda op, xs: [T.dot(xs[0], xs[1])],
    ("theano.tensor.basic", "MaxAndArgmax"): _max_and_argmax,
    ("theano.tensor.basic", "Argmax"): lambda op, xs: [T.argmax(xs[0], axis=_axis(op.__dict__.get("axis")))],
    ("theano.tensor.basic", "Reshape"): lambda op, xs: [T.reshape(xs[0], xs[1], ndim=op.ndim)],
    ("theano.tensor.basic", "ARange"): lambda op, xs: [T.arange(xs[0], xs[1], xs[2], dtype=op.dtype)],
    ("theano.tensor.basic", "ScalarFromTensor"): lambda op, xs: [xs[0]],
    ("theano.tensor.basic", "TensorFromScalar"): lambda op, xs: [xs[0]],
    ("theano.tensor.opt", "MakeVector"): lambda op, xs: [T.cast(T.stack(xs), op.dtype)],
    ("theano.compile.ops", "Shape"): lambda op, xs: [xs[0].shape],
    ("theano.compile.ops", "Shape_i"): lambda op, xs: [xs[0].shape[op.i]],
    ("theano.tensor.subtensor", "Subtensor"): _subtensor,
    ("theano.tensor.subtensor", "AdvancedSubtensor1"): lambda op, xs: [xs[0][xs[1]]],
    ("theano.tensor.subtensor", "AdvancedSubtensor"): lambda op, xs: [xs[0][tuple(xs[1:])]],
    ("theano.tensor.nnet.abstract_conv", "AbstractConv2d"): _conv2d,
    ("theano.tensor.signal.pool", "Pool"): _pool,
    ("theano.tensor.nnet.nnet", "Softmax"): lambda op, xs: [T.nnet.softmax(xs[0])],
    ("theano.tensor.nnet.nnet", "SoftmaxWithBias"): lambda op, xs: [T.nnet.softmax(xs[0] + xs[1])],
}
"""Theano op class -> how to replay it with symconv.tensor: ``build(pickled_op, symconv_inputs) -> outputs``."""

THEANO_NAMES = frozenset(
    [(module, name) for module, names in _STRUCTURE.items() for name in names]
    + list(OPS)
    + [(_SCALAR_MODULES.get(name, "theano.scalar.basic"), name) for name in _SCALAR_FUNCS]
    + [("theano.scalar.basic", "Cast")]
    + [("theano.scalar.basic", name) for name in _TYPE_RULES]
)
"""The Theano ``(module, name)`` pairs a pickle may name; any other Theano name raises UnknownTheanoClassError."""


class _Rebuilder:
    def __init__(self, user_classes):
        self.user_classes = tuple(set(user_classes.values()))
        self.memo = {}
        self.nodes = {}
        self.seen = set()

    def value(self, obj):
        """`obj` with every pickled Theano variable in it replaced by its symconv one (containers in place)."""
        if isinstance(obj, TheanoPlaceholder):
            return self.variable(obj) if hasattr(obj, "type") or "container" in obj.__dict__ else self.other(obj)
        if id(obj) in self.seen:
            return obj
        if isinstance(obj, list):
            self.seen.add(id(obj))
            obj[:] = [self.value(item) for item in obj]
        elif isinstance(obj, dict):
            self.seen.add(id(obj))
            for key in list(obj):
                obj[key] = self.value(obj[key])
        elif isinstance(obj, tuple):
            return tuple(self.value(item) for item in obj)
        elif isinstance(obj, self.user_classes):
            self.seen.add(id(obj))
            attributes = vars(obj)  # set in the instance's dict: no property or __setattr__ of the class runs
            for key, item in list(attributes.items()):
                attributes[key] = self.value(item)
        return obj

    def other(self, obj):
        if obj.theano_name == "theano.tensor.type.TensorType":
            return T.TensorType(obj.dtype, tuple(1 if b else None for b in obj.broadcastable))
        if obj.theano_name == "theano.misc.frozendict.frozendict":
            return dict(obj._dict)
        module, _, name = obj.theano_name.rpartition(".")
        raise UnknownTheanoClassError(module, name, " outside a graph")

    def variable(self, var):
        key = id(var)
        if key not in self.memo:
            self.memo[key] = self._variable(var)
        return self.memo[key]

    def _variable(self, var):
        kind = var.theano_name.rpartition(".")[2]
        name = var.__dict__.get("name")
        if "container" in var.__dict__:
            container = var.container
            value = container.storage[0]
            bc = tuple(var.type.broadcastable) if hasattr(var.type, "broadcastable") else None
            return shared(np.asarray(value), name=name, strict=bool(container.__dict__.get("strict", False)),
                          allow_downcast=container.__dict__.get("allow_downcast"),
                          broadcastable=bc if bc and any(bc) else None)
        dtype = var.type.dtype
        bc = tuple(var.type.__dict__.get("broadcastable", ()))
        if kind in ("TensorConstant", "ScalarConstant", "Constant"):
            return T.constant(np.asarray(var.data, dtype=dtype), name=name)
        owner = var.__dict__.get("owner")
        if owner is None:
            return T.tensor(dtype, broadcastable=bc, name=name)
        outputs = self.node(owner)
        out = outputs[var.index]
        if getattr(out, "dtype", dtype) != dtype:
            raise pickle.UnpicklingError(
                f"rebuilding Theano's {owner.op.theano_name} gave {out.dtype} where Theano's graph has {dtype}")
        if name is not None and out.name is None and not any(out is self.memo.get(id(x)) for x in owner.inputs):
            out.name = name
        return out

    def node(self, apply):
        key = id(apply)
        if key not in self.nodes:
            op = apply.op
            module, _, name = op.theano_name.rpartition(".")
            build = OPS.get((module, name))
            if build is None:
                raise UnknownTheanoClassError(module, name, " as an op")
            inputs = [self.variable(x) for x in apply.inputs]
            try:
                self.nodes[key] = build(op, inputs)
            except KeyError as exc:  # an Elemwise of a scalar op without a symconv function
                raise UnknownTheanoClassError("theano.scalar.basic", str(exc.args[0]), " in an Elemwise") from None
        return self.nodes[key]


def load_theano_pickle(file, classes=(), encoding="latin1"):
    """What Theano 1.0.5 pickled into `file` (a path, gzipped or not, or a binary file), as symconv objects.

    Shared variables come back as ``symconv.shared`` variables (value, name, dtype, broadcastable pattern),
    graphs as symconv graphs of the same ops, containers and the instances of the user classes that
    `classes` admits (classes, matched by name; modules, for the classes they define) with their contents
    rebuilt.  Nothing the pickle names is called except those classes' ``__new__`` (without arguments: never
    ``__init__``); an unmapped Theano class
    raises ``UnknownTheanoClassError`` and any other name ``ForbiddenPickleError``, both naming it.
    """
    if isinstance(file, (str, bytes)) or hasattr(file, "__fspath__"):
        with open(file, "rb") as handle:
            if handle.read(2) == b"\x1f\x8b":  # gzip, as the tutorials' mnist.pkl.gz
                handle.seek(0)
                with gzip.open(handle) as unzipped:
                    return load_theano_pickle(unzipped, classes=classes, encoding=encoding)
            handle.seek(0)
            return load_theano_pickle(handle, classes=classes, encoding=encoding)
    unpickler = TheanoUnpickler(file, classes=classes, encoding=encoding)
    raw = unpickler.load()
    return _Rebuilder(unpickler.user_classes).value(raw)


def loads_theano_pickle(data, classes=(), encoding="latin1"):
    """``load_theano_pickle`` from bytes."""
    return load_theano_pickle(io.BytesIO(data), classes=classes, encoding=encoding)



@contextlib.contextmanager
def pickle_reads_theano(classes=("__main__",)):
    """``with pickle_reads_theano():``: inside the block, ``pickle.load`` and ``pickle.loads`` (so
    ``cPickle.load`` through six, and ``from pickle import load`` done inside) are ``load_theano_pickle``,
    admitting the classes defined by the modules named in `classes` (by default the running script's ``__main__``,
    looked up when each pickle is loaded), so an unmodified Theano script's ``pickle.load(f)`` of its
    ``best_model.pkl`` gets symconv objects, and no pickle read in the block can run code.
    """
    def load(file, *, fix_imports=True, encoding="latin1", errors="strict", buffers=None):
        return load_theano_pickle(file, classes=classes, encoding=encoding)

    def loads(data, *, fix_imports=True, encoding="latin1", errors="strict", buffers=None):
        return loads_theano_pickle(data, classes=classes, encoding=encoding)

    saved = pickle.load, pickle.loads
    pickle.load, pickle.loads = load, loads
    try:
        yield
    finally:
        pickle.load, pickle.loads = saved
