"""Model files that cannot carry code: arrays in a ``.npz``, and a JSON description beside them, in one file.

A pickle names the functions that rebuild its objects and ``pickle.load``
calls them, so loading someone's ``best_model.pkl`` runs whatever its author
put there.  A symconv model file instead holds data only.  It is a zip archive
(NumPy's ``.npz``) with

- ``symconv.json``: ``{"format": "symconv-model", "version": 2, "model":
  {"class": "LeNet5", "architecture": {...}}, "arrays": [names], "run":
  {...}, "loop": {...}}``: what the model is (its class, from a fixed list,
  and its constructor settings), and, for a training run, the run's settings
  and the early-stopping loop's state;
- one ``NAME.npy`` per parameter, named by where it lives in the model
  (``layer0.W``, ``sigmoid_layers.1.b``, ...), read with
  ``numpy.load(..., allow_pickle=False)``.

Loading builds the named class with those settings and the saved values.
Model and loop state are one file, replaced atomically, so a save
interrupted at any moment leaves the previous file or the new one, whole.
``unzip -p best_model.npz symconv.json`` shows the description.
"""
import dataclasses
import io
import json
import os
import zipfile

import numpy as np

from .atomic import atomic_write

MODEL_FILE = "best_model.npz"
DESCRIPTION = "symconv.json"
FORMAT = "symconv-model"
VERSION = 2
PICKLE_STARTS = (b"\x80", b"(", b"]")  # how pickles begin (protocol 2 and later, then 0 and 1)
GZIP_START = b"\x1f\x8b"


class ModelFileError(Exception):
    """A model file is missing, unreadable, or not a symconv model file."""


@dataclasses.dataclass
class SavedModel:
    """A model as data: a JSON-ready description and named arrays."""

    description: dict
    arrays: dict


# ------------------------------------------------------------------ the file


def write_model_file(path, saved, **sections):
    """Writes `saved` (a SavedModel) and the JSON `sections` (``run=``, ``loop=``) to `path`, atomically."""
    record = {"format": FORMAT, "version": VERSION, "model": saved.description, "arrays": list(saved.arrays),
              **{key: value for key, value in sections.items() if value is not None}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(DESCRIPTION, json.dumps(record, indent=1))
        for name, value in saved.arrays.items():
            array = np.asarray(value)
            if array.dtype.hasobject:
                raise TypeError(f"array {name!r} holds Python objects ({array.dtype}); a model file holds numbers")
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
    data = buffer.getvalue()
    return atomic_write(path, lambda file: file.write(data))


def _not_a_model_file(path, why):
    return ModelFileError(f"{path} is not a symconv model file ({why})")


def _open_error(path, exc):
    """The ModelFileError for a file that cannot be read as a model file."""
    try:
        with open(path, "rb") as file:
            head = file.read(2)
    except OSError as err:
        return ModelFileError(f"{path}: cannot read it ({err.strerror or err})")
    if head[:1] in PICKLE_STARTS or head == GZIP_START:
        return ModelFileError(
            f"{path} is a pickle (or gzip), which symconv does not load as a model: unpickling can run any code in "
            f"the file. Models are saved as {MODEL_FILE}; retrain, or if you trust the file, load it in Python "
            "with pickle.load and save it with symconv.train.save_model(model, 'best_model.npz')")
    return _not_a_model_file(path, f"{type(exc).__name__}: {exc}")


def read_description(path):
    """The JSON record of the model file at `path` (without reading its arrays)."""
    path = os.fspath(path)
    try:
        with zipfile.ZipFile(path) as archive:
            record = json.loads(archive.read(DESCRIPTION))
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _open_error(path, exc) from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise _not_a_model_file(path, f"its {DESCRIPTION} is not a {FORMAT} description")
    if record.get("version") != VERSION:
        raise ModelFileError(f"{path} is a {FORMAT} file of version {record.get('version')}; this symconv "
                             f"reads version {VERSION}")
    return record


def read_model_file(path):
    """``(record, SavedModel)`` of the model file at `path`; no pickle is ever loaded."""
    path = os.fspath(path)
    record = read_description(path)
    arrays = {}
    try:
        with np.load(path, allow_pickle=False) as archive:
            for name in record.get("arrays", []):
                arrays[name] = archive[name]
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise _not_a_model_file(path, f"{type(exc).__name__}: {exc}") from None
    return record, SavedModel(record.get("model"), arrays)


# --------------------------------------------------- the symconv.layers models


def _activations():
    import symconv.tensor as T

    return {"tanh": T.tanh, "sigmoid": T.nnet.sigmoid, "relu": T.nnet.relu, "linear": None}


def _stack_arrays(model, pretraining, extra):
    """A StackedClassifier's params (each sigmoid layer's W and b, then logLayer's) and its pre-training
    models' own biases."""
    params = [f"sigmoid_layers.{i}.{p}" for i in range(model.n_layers) for p in ("W", "b")]
    return params + ["logLayer.W", "logLayer.b"], [f"{pretraining}.{i}.{extra}" for i in range(model.n_layers)]


def _fresh_rng():
    return np.random.RandomState(1234)


def _layers():
    from .. import layers

    return layers


def _specs():
    """Class name -> (the class, ``model -> (param names, other array names)``, ``(arrays, x, architecture,
    batch_size) -> model``)."""
    L = _layers()
    lenet_params = [f"layer{i}.{p}" for i in (3, 2, 1, 0) for p in ("W", "b")]
    return {
        "LogisticRegression": (L.LogisticRegression, lambda m: (["W", "b"], []),
                               lambda a, x, arch, bs: L.LogisticRegression.from_params(a, x, **arch)),
        "MLP": (L.MLP, lambda m: (["hiddenLayer.W", "hiddenLayer.b", "logRegressionLayer.W",
                                   "logRegressionLayer.b"], []),
                lambda a, x, arch, bs: L.MLP.from_params(a, x, **arch)),
        "LeNet5": (L.LeNet5, lambda m: (lenet_params, []),
                   lambda a, x, arch, bs: L.LeNet5.from_params(a, x, batch_size=bs, **arch)),
        "SdA": (L.SdA, lambda m: _stack_arrays(m, "dA_layers", "b_prime"),
                lambda a, x, arch, bs: L.SdA.from_params(a, x, **arch)),
        "DBN": (L.DBN, lambda m: _stack_arrays(m, "rbm_layers", "vbias"),
                lambda a, x, arch, bs: L.DBN.from_params(a, x, **arch)),
        "dA": (L.dA, lambda m: (["W", "b", "b_prime"], []),
               lambda a, x, arch, bs: L.dA(_fresh_rng(), input=x, W=a[0], bhid=a[1], bvis=a[2], **arch)),
        "RBM": (L.RBM, lambda m: (["W", "hbias", "vbias"], []),
                lambda a, x, arch, bs: L.RBM(input=x, W=a[0], hbias=a[1], vbias=a[2], numpy_rng=_fresh_rng(),
                                             **arch)),
    }


def known_models():
    return sorted(_specs())


def _resolve(model, name):
    """The shared variable at the dotted `name` (``sigmoid_layers.0.W``) of `model`."""
    value = model
    for part in name.split("."):
        value = value[int(part)] if part.isdigit() else getattr(value, part)
    return value


def _encode(architecture):
    names = {id(function): name for name, function in _activations().items() if function is not None}
    encoded = {}
    for key, value in architecture.items():
        if key == "activation":
            if value is not None and id(value) not in names:
                raise ValueError(f"activation {value!r} cannot be saved: a model file knows "
                                 f"{', '.join(sorted(_activations()))}")
            value = "linear" if value is None else names[id(value)]
        elif isinstance(value, tuple):
            value = list(value)
        encoded[key] = value
    return encoded


def _decode(architecture):
    decoded = dict(architecture)
    if "activation" in decoded:
        decoded["activation"] = _activations()[decoded["activation"]]
    return decoded


def _spec_of(model):
    specs = _specs()
    name = type(model).__name__
    if name not in specs or type(model) is not specs[name][0]:
        raise TypeError(f"a {type(model).__module__}.{type(model).__qualname__} cannot be saved as a model file: "
                        f"it knows the symconv.layers models {', '.join(known_models())}")
    return name, specs[name]


def model_record(model):
    """`model` (a ``symconv.layers`` model) as a SavedModel: its class, settings and parameter values."""
    name, (_, array_names, _) = _spec_of(model)
    params, others = array_names(model)
    if [id(p) for p in (_resolve(model, n) for n in params)] != [id(p) for p in model.params]:
        raise TypeError(f"the parameters of this {name} are not where a model file expects them")
    description = {"class": name, "architecture": _encode(model.architecture())}
    if getattr(model, "batch_size", None) is not None:
        description["batch_size"] = model.batch_size
    return SavedModel(description, {n: _resolve(model, n).get_value() for n in params + others})


def build_model(saved, input=None, batch_size=None, path="model file"):
    """The model a SavedModel describes, built on `input` (a fresh ``T.matrix('x')`` when None)."""
    import symconv.tensor as T

    description = saved.description if isinstance(saved.description, dict) else {}
    specs = _specs()
    name = description.get("class")
    if name not in specs:
        raise ModelFileError(f"{path} holds a model of class {name!r}; symconv knows {', '.join(known_models())}")
    _, array_names, build = specs[name]
    try:
        architecture = _decode(description.get("architecture", {}))
        params = [saved.arrays[n] for n in _param_names(name, architecture)]
        x = T.matrix("x") if input is None else input
        model = build(params, x, architecture, batch_size)
        _, others = array_names(model)
        for other in others:
            _set(_resolve(model, other), saved.arrays[other])
    except KeyError as exc:
        raise ModelFileError(f"{path}: the {name} lacks the array or setting {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{path}: cannot build its {name} ({exc})") from None
    return model


def _param_names(name, architecture):
    """The param names of a `name` model with `architecture`, without building one."""
    if name in ("SdA", "DBN"):
        n_layers = len(architecture["hidden_layers_sizes"])
        return [f"sigmoid_layers.{i}.{p}" for i in range(n_layers) for p in ("W", "b")] + ["logLayer.W", "logLayer.b"]
    return _specs()[name][1](None)[0]


def _set(variable, value):
    current = variable.get_value(borrow=True)
    value = np.asarray(value)
    if value.shape != current.shape:
        raise ValueError(f"{variable.name or 'a parameter'} has shape {current.shape}, the file has {value.shape}")
    variable.set_value(value.astype(current.dtype, copy=False))


def put_back(model, saved, path="model file"):
    """Sets the live `model`'s parameters to the SavedModel's (of the same class and architecture)."""
    own = model_record(model)
    kept = ("class", "architecture")  # not the batch size a LeNet5's graph was built for: it has no weights
    if not isinstance(saved.description, dict) or \
            {k: saved.description.get(k) for k in kept} != {k: own.description.get(k) for k in kept}:
        raise ModelFileError(f"{path} holds {_describe(saved.description)}, this run builds "
                             f"{_describe(own.description)}")
    for name in own.arrays:
        if name not in saved.arrays:
            raise ModelFileError(f"{path}: the {own.description['class']} lacks the array {name!r}")
        _set(_resolve(model, name), saved.arrays[name])


def _describe(description):
    if not isinstance(description, dict):
        return repr(description)
    settings = ", ".join(f"{k}={v}" for k, v in sorted(description.get("architecture", {}).items()))
    return f"a {description.get('class')} ({settings})"


def save_model(model, path, run=None):
    """Saves the ``symconv.layers`` `model` to `path` (a ``.npz`` model file), atomically; `run`: JSON to keep."""
    write_model_file(path, model_record(model), run=run)


def load_model(path, input=None, batch_size=None):
    """The model saved at `path` (a model file, or a run folder holding one) by ``save_model`` or a
    training run, built on `input`; never unpickles."""
    if os.path.isdir(path):
        path = os.path.join(path, MODEL_FILE)
    _, saved = read_model_file(path)
    return build_model(saved, input=input, batch_size=batch_size, path=os.fspath(path))
