"""``symconv.scan``: Theano's symbolic loop, lowered to one ``jax.lax.scan``.

``outputs, updates = scan(fn, sequences, outputs_info, non_sequences, n_steps)``
calls `fn` once, when the graph is built, on fresh symbolic variables (one per
sequence tap and per output tap; the non-sequences themselves are passed as
Theano does).  The graph `fn` returns (the *inner* graph) becomes the
parameter of one ``scan`` node, whose lowering builds the step function by
lowering the inner graph with ``symconv.interpret.evaluate`` (so every
inner op, grad nodes included, lowers the normal way) and runs it under
``jax.lax.scan``.  Gradients through the loop are JAX's own: ``grad`` lowers
to ``jax.vjp``, which differentiates the ``lax.scan``.

What the step reads from outside is found, not declared: every value of the
inner graph that does not change from step to step and that feeds a value
that does (``T.dot(x, W)`` of a closed-over input, a shared ``W``) is computed
once, outside the loop, and passed to the node.  Shared variables the step
updates, explicitly (``fn`` returns ``(outputs, {s: new_s})``) or through
their ``default_update`` (random streams' states), are carried through the
loop; their final values come back in `updates` for
``symconv.function(..., updates=updates)``, as in Theano.  A step that returns
``until(condition)`` stops the loop early (see ``scan`` for the outputs' length).
"""
import builtins
import collections

import numpy as np

from .compile.shared import SharedVariable
from .compile.updates import checked_update
from .errors import MissingInputError
from .gradient import Grad
from .graph import Constant, Variable, leaves, toposort
from .interpret import static_value
from .op import make_node
from .ops.literals import as_tensor_variable
from .scan_op import Scan, ScanInfo
from .test_value import transfer
from .type import TensorType

__all__ = ["scan", "map", "reduce", "foldl", "foldr", "until", "OrderedUpdates"]


class OrderedUpdates(collections.OrderedDict):
    """Theano's OrderedUpdates: ``{shared variable: new value}``; ``a + b`` merges (a key may appear once)."""

    def __add__(self, other):
        merged = OrderedUpdates(self)
        for key, value in (other.items() if isinstance(other, dict) else other):
            if key in merged and merged[key] is not value:
                raise KeyError(f"both sets of updates update the shared variable {key!r}")
            merged[key] = value
        return merged

    def __radd__(self, other):
        return OrderedUpdates(other.items() if isinstance(other, dict) else other) + self


class until:  # noqa: N801 - Theano's name
    """Theano's ``scan_module.until(condition)``: the step function returns it last to stop the loop.

    ``return outputs, until(cond)`` or ``return outputs, updates, until(cond)``:
    the loop stops after the first step whose `cond` (a scalar) is true, or
    after `n_steps` (or the sequences' length) steps, which must be given as
    without ``until``.  See ``scan`` for the length of the outputs.
    """

    def __init__(self, condition):
        self.condition = as_tensor_variable(condition)


# ------------------------------------------------------------- scan itself


def _as_list(x):
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _taps(taps, default):
    if taps is None:
        return list(default)
    return [int(t) for t in (taps if isinstance(taps, (list, tuple)) else [taps])]


def _sequence(entry, i):
    if isinstance(entry, dict):
        if "input" not in entry:
            raise ValueError(f"scan: sequence {i} is a dict without an 'input' entry: {entry!r}")
        var, taps = as_tensor_variable(entry["input"]), _taps(entry.get("taps"), [0])
    else:
        var, taps = as_tensor_variable(entry), [0]
    if var.ndim == 0:
        raise TypeError(f"scan: sequence {i} ({var.describe()}) is a scalar; sequences are iterated over their "
                        "first dimension")
    return var, taps


def _output(entry, i):
    """(kind, taps, initial variable or None) for one entry of outputs_info."""
    if entry is None:
        return "nit", [], None
    if isinstance(entry, dict):
        if entry.get("return_steps") is not None:
            raise ValueError("scan: return_steps is deprecated in Theano and not supported; index the output instead")
        initial, taps = entry.get("initial"), entry.get("taps")
        if initial is None:
            if taps is not None:
                raise ValueError(f"scan: outputs_info[{i}] has taps {taps} but no initial state; using past values "
                                 "of an output needs an initial state")
            return "nit", [], None
        taps = _taps(taps, [-1])
    else:
        initial, taps = entry, [-1]
    initial = as_tensor_variable(initial)
    if not taps:
        return "nit", [], None
    if builtins.any(t >= 0 for t in taps):
        raise ValueError(f"scan: outputs_info[{i}] asks for taps {taps}; an output can only use its past values "
                         "(negative taps)")
    if taps == [-1]:
        return "sit", taps, initial
    if initial.ndim == 0:
        raise TypeError(f"scan: outputs_info[{i}] has taps {taps}, so its initial state must hold "
                        f"{-min(taps)} steps along a first dimension; {initial.describe()} is a scalar")
    return "mit", taps, initial


def _steps(n_steps):
    """(static int or None, symbolic variable or None)."""
    if n_steps is None:
        return None, None
    if isinstance(n_steps, (int, float, np.integer, np.floating)) and not isinstance(n_steps, bool):
        if isinstance(n_steps, (float, np.floating)) and not np.isfinite(n_steps):
            return None, None
        value = int(n_steps)
    else:
        var = as_tensor_variable(n_steps)
        if var.ndim != 0 or var.dtype[:3] not in ("int", "uin"):
            raise ValueError(f"scan: n_steps must be an integer scalar, got {var.describe()}")
        folded = static_value(var)
        if folded is None:
            return None, var
        value = int(folded)
    if value < 0:
        raise ValueError(f"scan: n_steps is {value}; a negative number of steps is not supported")
    return value, None


def _tap_name(var, k):
    if not var.name:
        return None
    return f"{var.name}[t{'+' if k > 0 else ''}{k if k else ''}]"


def _split_return(ret):
    """Theano's fn may return outputs, (outputs, updates), (updates, outputs) or updates alone, then an until.

    Returns (outputs, updates, until condition or None).
    """
    if isinstance(ret, until):
        return [], [], ret.condition
    if isinstance(ret, (list, tuple)) and ret and isinstance(ret[-1], until):
        rest = list(ret[:-1])
        outputs, updates, _ = _split_return(rest[0] if len(rest) == 1 else tuple(rest))
        return outputs, updates, ret[-1].condition
    return _split_return_plain(ret) + (None,)


def _split_return_plain(ret):
    if _is_updates(ret):
        return [], _update_list(ret)
    if isinstance(ret, (list, tuple)) and len(ret) == 2:
        first, second = ret
        if _is_updates(second) and not _is_updates(first):
            return _as_list(first), _update_list(second)
        if _is_updates(first) and not _is_updates(second):
            return _as_list(second), _update_list(first)
    return _as_list(ret), []


def _is_updates(x):
    if isinstance(x, dict):
        return True
    return (isinstance(x, (list, tuple)) and len(x) > 0 and builtins.all(
        isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], SharedVariable) for p in x))


def _update_list(updates):
    pairs = list(updates.items()) if isinstance(updates, dict) else list(updates)
    return [checked_update(var, value, context="scan: the step function's ") for var, value in pairs]


def scan(fn, sequences=None, outputs_info=None, non_sequences=None, n_steps=None, truncate_gradient=-1,
         go_backwards=False, mode=None, name=None, profile=False, allow_gc=None, strict=False, return_list=False):
    """Theano's ``scan``: ``outputs, updates = scan(fn, sequences, outputs_info, non_sequences, n_steps)``.

    `fn` is called once with, in order: one variable per tap of each sequence
    (``{'input': x, 'taps': [-1, 0]}``; a plain variable is tap 0), one per tap
    of each fed-back output (a plain initial state is tap -1;
    ``{'initial': x0, 'taps': [-2, -1]}`` reads two past steps, ``x0`` holding
    them along its first axis), then the non-sequences.  It returns the
    outputs, ``(outputs, updates)`` or the updates alone.  The result stacks
    each output over the steps (initial states excluded); `updates` maps the
    shared variables the step updates (random states included) to their
    values after the last step: pass it to ``symconv.function(updates=...)``.

    `n_steps` may be an int or a symbolic integer scalar (a run-time one makes
    the compiled function specialise on its value).  `truncate_gradient=k`
    back-propagates through the last `k` steps only, as Theano's truncated
    BPTT.  `mode`, `profile` and `allow_gc` are accepted and ignored.

    ``until(cond)``, returned last by `fn` (``return outputs, until(cond)`` or
    ``return outputs, updates, until(cond)``), stops the loop after the first
    step whose scalar `cond` is true; `n_steps` or a sequence must still give
    the most steps, as in Theano.  Theano's outputs then hold only the steps
    run, a length known at run time, which one XLA computation cannot have:
    here each output keeps the maximum length, the rows after the last step
    run repeat its row (so ``out[-1]`` and what feeds back are Theano's), and
    ``out.steps_taken`` (an int64 scalar) is the number of steps run (Theano's
    ``out.shape[0]``): ``out[:k]`` on the host with ``k`` its value is Theano's
    output.  The steps after the stop do not run (a ``lax.cond`` skips them),
    so shared updates count only the steps run; gradients flow through the loop.
    """
    seqs = [_sequence(s, i) for i, s in enumerate(_as_list(sequences))]
    seqs = [(var, taps) for var, taps in seqs if taps]  # a sequence with no taps gives fn nothing
    outs_info = [_output(o, i) for i, o in enumerate(_as_list(outputs_info))]
    non_seqs = [v if isinstance(v, Variable) else as_tensor_variable(v) for v in _as_list(non_sequences)]
    n_static, n_var = _steps(n_steps)
    if not seqs and n_static is None and n_var is None:
        raise ValueError("scan: no information about the number of steps; give n_steps or at least one sequence")

    seq_vars, out_specs, out_args = _inner_inputs(seqs, outs_info)
    outputs, updates, condition = _split_return(fn(*(seq_vars + out_args + non_seqs)))
    outputs, outs_info, out_specs = _checked_outputs(outputs, outs_info, out_specs)
    stop = []
    if condition is not None:
        if condition.ndim != 0:
            raise AssertionError(f"scan: until() needs a scalar condition, got {condition.describe()} with "
                                 f"{condition.ndim} dimensions")
        stop = [condition]
    fresh = seq_vars + out_args
    boundary = [v for v in non_seqs if not isinstance(v, (SharedVariable, Constant))]
    shared, update_vars = _carried_shared(outputs + stop, updates, fresh, boundary)
    invariants = _invariants(outputs + update_vars + stop, set(fresh) | set(shared), boundary, non_seqs)
    if strict:
        _check_strict(outputs + update_vars + stop, set(fresh) | set(shared) | set(boundary), non_seqs, shared)

    info = ScanInfo(
        seq_taps=tuple(tuple(taps) for _, taps in seqs), seq_vars=tuple(seq_vars), outs=tuple(out_specs),
        out_vars=tuple(outputs), shared=tuple(shared), update_vars=tuple(update_vars),
        invariants=tuple(invariants), n_recurrent=builtins.sum(1 for spec in out_specs if spec[0] != "nit"),
        n_steps=n_static, n_steps_var=n_var, go_backwards=bool(go_backwards),
        truncate_gradient=int(truncate_gradient), name=name, until_var=condition,
        out_types=_output_types(seqs, outs_info, outputs, shared, n_static, n_var, condition is not None))
    inputs = ([var for var, _ in seqs] + [initial for kind, _, initial in outs_info if kind != "nit"]
              + shared + invariants + ([n_var] if n_var is not None else []))
    node = make_node(Scan(info, name), inputs)
    info.source = node.source

    results = node.outputs[:len(outputs)]
    new_updates = OrderedUpdates(zip(shared, node.outputs[len(outputs):len(outputs) + len(shared)]))
    if condition is not None:
        for var in results:
            var.steps_taken = node.outputs[-1]
    if return_list:
        return list(results), new_updates
    if not results:
        return None, new_updates
    return (results[0] if len(results) == 1 else list(results)), new_updates


def _inner_inputs(seqs, outs_info):
    """The fresh variables `fn` is called with: one per sequence tap, one per output tap."""
    seq_vars = []
    for var, taps in seqs:
        for k in taps:
            seq_vars.append(TensorType(var.dtype, var.type.shape[1:])(_tap_name(var, k)))
            transfer(seq_vars[-1], var, k - builtins.min(taps))  # the first step's slice (test values)
    out_specs, out_args = [], []
    for kind, taps, initial in outs_info:
        if kind == "sit":
            tap_vars = [TensorType(initial.dtype, initial.type.shape)(_tap_name(initial, -1))]
            transfer(tap_vars[0], initial)
        elif kind == "mit":
            tap_vars = [TensorType(initial.dtype, initial.type.shape[1:])(_tap_name(initial, k)) for k in taps]
            for tap_var, k in zip(tap_vars, taps):
                transfer(tap_var, initial, k - builtins.min(taps))
        else:
            tap_vars = []
        out_specs.append((kind, tuple(taps), tuple(tap_vars)))
        out_args.extend(tap_vars)
    return seq_vars, out_specs, out_args


def _checked_outputs(outputs, outs_info, out_specs):
    """`fn`'s outputs as tensors, each fed-back one of its initial state's type; outputs_info completed."""
    if builtins.any(isinstance(o, until) for o in outputs):
        raise ValueError("scan: the step function must return until(condition) last: "
                         "outputs, until(c) or outputs, updates, until(c)")
    outputs = [as_tensor_variable(o) for o in outputs]
    if outs_info and len(outputs) != len(outs_info):
        raise ValueError(
            f"scan: the step function returns {len(outputs)} outputs but outputs_info describes {len(outs_info)}; "
            "give None in outputs_info for each output that is not fed back (it behaves like a map)")
    if not outs_info:
        out_specs = [("nit", (), ())] * len(outputs)
        outs_info = [("nit", [], None)] * len(outputs)
    for j, ((kind, taps, initial), out) in enumerate(zip(outs_info, outputs)):
        if kind == "nit":
            continue
        expected_ndim = initial.ndim if kind == "sit" else initial.ndim - 1
        if out.dtype != initial.dtype or out.ndim != expected_ndim:
            raise TypeError(
                f"scan: the initial state (outputs_info[{j}]) {initial.describe()} is {initial.type}, but the step "
                f"function's output {j} {out.describe()} is {out.type} ({out.ndim} dimensions, {expected_ndim} "
                "expected); an upcast or downcast in the step function does this. Make them agree, e.g. with "
                f"T.cast(..., {initial.dtype!r}) on the output or the initial state")
    return outputs, outs_info, out_specs


def _carried_shared(outputs, updates, fresh, boundary):
    """Shared variables the step updates, explicitly or through their default update, and their new values."""
    explicit = collections.OrderedDict(updates)
    frontier = outputs + list(explicit.values())
    while frontier:
        new = []
        for var in leaves(frontier, stop=fresh + boundary):
            if isinstance(var, SharedVariable) and var.default_update is not None and var not in explicit:
                explicit[var] = as_tensor_variable(var.default_update)
                new.append(explicit[var])
        frontier = new
    return list(explicit), list(explicit.values())


def _invariants(roots, varying, boundary, non_seqs):
    """What the step reads from outside: values that do not change from step to step, computed once."""
    varying = set(varying)
    stop = varying | set(boundary)
    order = toposort(roots, stop=stop)
    for node in order:
        if builtins.any(inp in varying for inp in node.inputs):
            varying.update(node.outputs)
    invariants = collections.OrderedDict()
    for v in non_seqs:
        if not isinstance(v, Constant) and v not in varying:
            invariants[v] = None
    for node in order:
        if node.outputs[0] in varying:
            for inp in node.inputs:
                if inp not in varying and not isinstance(inp, Constant):
                    invariants[inp] = None
    for var in roots:
        if var not in varying and not isinstance(var, Constant):
            invariants[var] = None
    if builtins.any(isinstance(node.op, Grad) and node.outputs[0] in varying for node in order):
        # A grad inside the step recomputes what lies between its wrt and its cost: give it the leaves too.
        for var in leaves(roots, stop=stop):
            if var not in varying and not isinstance(var, Constant):
                invariants[var] = None
    return list(invariants)


def _check_strict(roots, stop, non_seqs, shared):
    allowed = set(non_seqs) | set(shared)
    hidden = [v for v in leaves(roots, stop=stop) if isinstance(v, SharedVariable) and v not in allowed]
    if hidden:
        # Theano 1.0.5 raises MissingInputError here (the inner function is compiled without them)
        raise MissingInputError(f"scan(strict=True): the step function uses the shared variables {hidden} that "
                                "are not among non_sequences")


def _output_types(seqs, outs_info, outputs, shared, n_static, n_var, stops=False):
    """The scan node's output types: each output stacked over the steps, then the carried shared values."""
    lengths = [None if var.type.shape[0] is None else var.type.shape[0]
               - (builtins.max(builtins.max(taps), 0) - builtins.min(builtins.min(taps), 0)) for var, taps in seqs]
    if stops:
        lead = None  # as Theano: the loop may stop before n_steps
    elif n_static is not None:
        lead = n_static
    elif n_var is None and None not in lengths:
        lead = builtins.max(builtins.min(lengths), 0)
    else:
        lead = None
    out_types = []
    for (kind, taps, initial), out in zip(outs_info, outputs):
        shape = out.type.shape
        if kind != "nit":
            state_shape = initial.type.shape if kind == "sit" else initial.type.shape[1:]
            shape = tuple(a if a is not None else b for a, b in zip(shape, state_shape))
        out_types.append(TensorType(out.dtype, (lead,) + tuple(shape)))
    return tuple(out_types + [s.type for s in shared] + ([TensorType("int64", ())] if stops else []))


# ------------------------------------------------------- built on scan


def map(fn, sequences, non_sequences=None, truncate_gradient=-1, go_backwards=False, mode=None, name=None):  # noqa: A001
    """``fn`` applied to each element of the sequences: ``scan`` without fed-back outputs."""
    return scan(fn, sequences=sequences, outputs_info=None, non_sequences=non_sequences,
                truncate_gradient=truncate_gradient, go_backwards=go_backwards, mode=mode, name=name)


def reduce(fn, sequences, outputs_info, non_sequences=None, go_backwards=False, mode=None, name=None):  # noqa: A001
    """``scan`` keeping only the last step of each output."""
    outs, updates = scan(fn, sequences=sequences, outputs_info=outputs_info, non_sequences=non_sequences,
                         go_backwards=go_backwards, mode=mode, name=name)
    if isinstance(outs, list):
        return [o[-1] for o in outs], updates
    return (None if outs is None else outs[-1]), updates


def foldl(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """``reduce`` from the first element to the last."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=False, mode=mode, name=name)


def foldr(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """``reduce`` from the last element to the first."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=True, mode=mode, name=name)
