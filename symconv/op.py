"""Ops: each is a name, a JAX lowering and static parameters, declared once.

Code that must recognise an op (rewrites, constant folding, the compiler's
hooks) tests its class (``isinstance(node.op, Shape)``) or, for elementwise
ops, the ``Scalar`` member it applies; never its name.

Output dtypes and static shapes come from running the lowering under
``jax.eval_shape``, so shape rules are never written twice.  Unknown
dimensions are tried as symbolic sizes first; where JAX cannot decide with
symbols (broadcasting against a known size, a contraction) concrete probe
sizes give the dtype and rank, and those dims stay unknown.
"""
import itertools

import jax
import numpy as np
from jax import export

from .contract import node_built
from .errors import GraphBuildError
from .graph import Apply
from .type import TensorType


class Op:
    """A primitive operation.  `impl(*arrays, **params)` is its JAX lowering.

    ``static_output(node)`` may give a node's value when it is known from
    types alone (a shape); ``foldable = False`` keeps an op out of constant
    folding (a gradient, lowered as a group).
    """

    foldable = True

    def __init__(self, name, impl, /, infer=None, **params):
        self.name = name
        self.impl = impl
        self.infer = infer
        self.params = params

    def static_output(self, node):
        return None

    def lower(self, *values):
        return self.impl(*values, **self.params)

    def __call__(self, *inputs):
        """Build the apply node for `inputs` (symbolic variables) and return its outputs."""
        node = make_node(self, inputs)
        return node.outputs[0] if len(node.outputs) == 1 else node.outputs

    def __str__(self):
        shown = {k: v for k, v in self.params.items()
                 if not k.startswith("_") and str(getattr(v, "value", v)) != self.name}
        if not shown:
            return self.name
        return f"{self.name}{{{', '.join(f'{k}={_short(v)}' for k, v in shown.items())}}}"

    __repr__ = __str__


def _short(value):
    text = getattr(value, "__name__", None) or repr(value)
    return text if len(text) < 40 else text[:37] + "..."


def make_node(op, inputs):
    types = op.infer(*inputs, **op.params) if op.infer else infer_types(op, inputs)
    node = Apply(op, inputs, types)
    node_built(node)
    return node


def infer_types(op, inputs):
    """Output TensorTypes of `op` on `inputs`, found by abstract evaluation of its lowering."""
    shapes = [v.type.shape for v in inputs]
    dtypes = [v.type.dtype for v in inputs]
    errors = []
    for attempt in _shape_attempts(shapes):
        specs = [jax.ShapeDtypeStruct(s, d) for s, d in zip(attempt.shapes, dtypes)]
        try:
            out = jax.eval_shape(op.lower, *specs)
        except Exception as exc:  # noqa: BLE001 - every failure means "try the next attempt"
            errors.append(exc)
            continue
        outs = out if isinstance(out, (tuple, list)) else (out,)
        return [TensorType(str(o.dtype), attempt.static(o.shape)) for o in outs]
    raise GraphBuildError(_explain(op, inputs, errors[0]), inputs=inputs) from errors[0]


class _Attempt:
    def __init__(self, shapes, exact):
        self.shapes, self.exact = shapes, exact

    def static(self, shape):
        if not self.exact:
            return (None,) * len(shape)
        return tuple(d if isinstance(d, (int, np.integer)) else None for d in shape)


def _shape_attempts(shapes):
    """Fully known shapes; else symbolic unknown dims; else concrete probe sizes."""
    unknown = [(i, j) for i, s in enumerate(shapes) for j, d in enumerate(s) if d is None]
    if not unknown:
        yield _Attempt(shapes, exact=True)
        return
    names = ", ".join(f"d{k}" for k in range(len(unknown)))
    symbols = export.symbolic_shape(names)
    yield _Attempt(_fill(shapes, unknown, symbols), exact=True)
    known = sorted({d for s in shapes for d in s if d is not None and d > 1})
    candidates = [1] + known
    for combo in itertools.islice(itertools.product(candidates, repeat=len(unknown)), 256):
        yield _Attempt(_fill(shapes, unknown, combo), exact=False)


def _fill(shapes, unknown, values):
    filled = [list(s) for s in shapes]
    for (i, j), value in zip(unknown, values):
        filled[i][j] = value
    return [tuple(s) for s in filled]


def _explain(op, inputs, error):
    described = "\n".join(f"  input {k}: {v!r} of type {v.type}" for k, v in enumerate(inputs))
    message = str(error).split("\n")[0]
    return f"{op} cannot be applied to these inputs: {message}\n{described}"
