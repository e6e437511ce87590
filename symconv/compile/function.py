"""``symconv.function``: a graph with inputs, outputs and updates compiled to one ``jax.jit``.

Per call, Python only checks the inputs, gathers the shared values and writes
the updated ones back: nothing runs per graph node.  Updated shared buffers are
donated, so XLA updates parameters in place.
"""
import jax
import jax.numpy as jnp
import numpy as np

from ..config import config
from ..contract import NeedsStaticValue, collecting_checks, record_check, register_compiler
from ..errors import MissingInputError, UnusedInputError, apply_policy, drop_jax_note
from ..graph import Constant, Variable, ancestors, clone_replace, leaves, toposort
from ..interpret import evaluate
from ..ops.affine import affine_form
from ..ops.literals import as_tensor_variable
from ..ops.subtensor import Subtensor
from ..optimize import optimize
from ..rewrites import stabilize
from .mode import get_mode
from .mesh import Blocked, communication, current_mesh, keep_replicated, place, split_batch, split_if_possible
from .shared import SharedVariable, resolve_aliases
from .updates import default_updates, givens_map, validated_updates
from .variants import CompiledVariants


class Out:
    """An output with options: ``Out(variable, borrow=False)``.

    `borrow` is accepted; the returned arrays are always the caller's own
    (writable, not reused by a later call).
    """

    def __init__(self, variable, borrow=False):
        self.variable, self.borrow = variable, borrow

    def __repr__(self):
        return f"Out({self.variable},{self.borrow})"


class In:
    """An input with options: ``In(x, value=0.1)`` gives it a default; ``name`` sets its keyword."""

    def __init__(self, variable, name=None, value=None, borrow=False, mutable=False, strict=False,
                 allow_downcast=None, implicit=False):
        if not isinstance(variable, Variable):
            raise TypeError(f"In() needs a symbolic variable, got {variable!r}")
        self.variable, self.value, self.strict = variable, value, strict
        self.name = name or variable.name
        self.allow_downcast = allow_downcast


def Param(variable, default=None, name=None, **kwargs):
    """The old spelling of ``In``: ``theano.Param(lr, default=0.1)``."""
    return In(variable, name=name, value=default, **kwargs)


def function(inputs, outputs=None, mode=None, updates=None, givens=None, no_default_updates=False,
             accept_inplace=False, name=None, rebuild_strict=True, allow_input_downcast=None,
             profile=None, on_unused_input=None):
    """Compile a callable: ``function([index], cost, updates=[(W, W - lr * gW)], givens={x: data[...]})``."""
    # The nodes compiling builds (givens, rewrites) get test values as Theano's optimizer's do: per
    # compute_test_value_opt ('off' unless set), never compute_test_value.
    with config.change_flags(compute_test_value=config.compute_test_value_opt):
        return Function(inputs, outputs, updates, givens, no_default_updates, name, allow_input_downcast,
                        on_unused_input or "raise", mode=mode)


class Function:
    """A compiled symconv function; call it with NumPy values, get NumPy values back."""

    def __init__(self, inputs, outputs, updates, givens, no_default_updates, name, allow_input_downcast,
                 on_unused_input, mode=None):
        if not isinstance(inputs, (list, tuple)):
            raise TypeError(f"function()'s inputs must be a list of variables, got {inputs!r}")
        self.name = name or "<symconv function>"
        self.inputs = [i if isinstance(i, In) else In(i) for i in inputs]
        self._allow_downcast = allow_input_downcast
        self._single = outputs is not None and not isinstance(outputs, (list, tuple))
        outputs = [] if outputs is None else [outputs] if self._single else list(outputs)
        for o in outputs:
            if not isinstance(o, (Variable, Out)) and np.asarray(o).dtype.kind not in "biufc":
                raise TypeError(f"Outputs must be theano Variable or Out instances. Received {o!r} of type {type(o)}")
        outputs = [as_tensor_variable(o.variable if isinstance(o, Out) else o) for o in outputs]
        update_pairs = validated_updates(updates)
        replace = givens_map(givens)
        graphs = stabilize(clone_replace(outputs + [u for _, u in update_pairs], replace))
        self.outputs, update_values = graphs[: len(outputs)], graphs[len(outputs):]
        update_pairs = list(zip([s for s, _ in update_pairs], update_values))
        if not no_default_updates:
            update_pairs += default_updates(graphs, dict(update_pairs), replace, no_default_updates)
        self.outputs, update_pairs = resolve_aliases(self.outputs, update_pairs)  # a clone's value is its origin's
        self.mode = get_mode(mode)
        self._source = (self.outputs, update_pairs)  # before the fast_run rewrites: what copy() starts from
        # the givens' values ride along so that they are found again in the rewritten graph (minibatch splitting)
        given = [(var, value) for var, value in replace.items() if value.ndim >= 1]
        roots = self.outputs + [u for _, u in update_pairs]
        graphs, self._checked = optimize(roots + [value for _, value in given], self.mode,
                                         [i.variable for i in self.inputs])
        given = [(var, value) for (var, _), value in zip(given, graphs[len(roots):])]
        self.outputs = graphs[: len(self.outputs)]
        update_pairs = [(s, u) for (s, _), u in zip(update_pairs, graphs[len(self.outputs):len(roots)])]
        self.updates = update_pairs
        input_vars = [i.variable for i in self.inputs]
        if len(set(input_vars)) != len(input_vars):
            raise ValueError(f"an input appears twice in {input_vars}")
        everything = self.outputs + [u for _, u in update_pairs] + self._checked
        self._check_leaves(everything, input_vars, on_unused_input)
        used_shared = [v for v in leaves(everything, stop=input_vars) if isinstance(v, SharedVariable)]
        updated = [s for s, _ in update_pairs]
        self._donated = updated
        self._kept = [s for s in used_shared if s not in set(updated)]
        self._static = set()
        self._index = {i.name: k for k, i in enumerate(self.inputs) if i.name}
        self._settings = (allow_input_downcast, on_unused_input)
        self._mesh = current_mesh()  # None on one device: the path below is then unchanged
        present = ancestors(everything)
        self._split = [(var, value) for var, value in given if value in present]
        # data sets read only by minibatches of B rows, N | B: stored split by minibatch (mesh.Blocked)
        self._minibatch_reads = ({} if self._mesh is None else
                                 _minibatch_reads(everything, self._kept, self._mesh.size))
        self._build()

    # ------------------------------------------------------------ compile

    def _check_leaves(self, everything, input_vars, on_unused_input):
        needed = leaves(everything, stop=input_vars)
        inputs = set(input_vars)
        for var in needed:
            if var in inputs or isinstance(var, (SharedVariable, Constant)):
                continue
            raise MissingInputError(
                f"symconv.function {self.name}: the graph needs {var.describe()}\n"
                "but it is not among the inputs nor replaced by givens; add it to the inputs list")
        used = ancestors(everything, stop=input_vars)
        for var in input_vars:
            if var not in used:
                apply_policy(on_unused_input, UnusedInputError,
                             f"symconv.function {self.name}: input {var.describe()} is not used by any output or "
                             "update; pass on_unused_input='ignore' (or 'warn') to allow it")

    def _build(self):
        input_vars = [i.variable for i in self.inputs]
        dynamic = [k for k in range(len(input_vars)) if k not in self._static]
        static = sorted(self._static)
        outputs, updates = self.outputs, self.updates
        donated_vars, kept_vars = self._donated, self._kept
        mesh, split, reads = self._mesh, self._split, self._minibatch_reads
        mode, checked = self.mode, self._checked

        def run(dynamic_values, donated_values, kept_values, static_values):
            env = {input_vars[k]: v for k, v in zip(dynamic, dynamic_values)}
            env.update({input_vars[k]: np.asarray(v, input_vars[k].dtype) for k, v in zip(static, static_values)})
            env.update(zip(donated_vars, donated_values))
            env.update(zip(kept_vars, kept_values))
            with collecting_checks() as checks:
                if mesh is not None:
                    _cut_minibatches(reads, env)
                    _split_batches(mesh, split, env, [input_vars[k] for k in dynamic], self.name)
                # `checked`: computed only so that inputs whose shapes disagree raise (see symconv.optimize)
                values = evaluate(outputs + [u for _, u in updates] + checked, env)[: len(outputs) + len(updates)]
                mode.watch(toposort(outputs + [u for _, u in updates]), env)
            outs, new = values[: len(outputs)], values[len(outputs):]
            new = [jnp.asarray(v, s.dtype) for (s, _), v in zip(updates, new)]
            if mesh is not None:  # every device ends with the whole outputs and the same updated values
                outs = [keep_replicated(jnp.asarray(o), mesh) for o in outs]
                new = [keep_replicated(v, mesh) for v in new]
            self._messages[_signature(dynamic_values, donated_values, kept_values, static_values)] = [
                (c[1], c[3]) for c in checks]
            ok = jnp.all(jnp.stack([c[0] for c in checks])) if checks else jnp.asarray(True)
            if checks:
                # A failed check keeps every shared value as it was.
                new = [jnp.where(ok, v, old) for v, old in zip(new, donated_values)]
            return [jnp.asarray(o) for o in outs], new, ok, [(c[0], c[2]) for c in checks]

        def run_many(sequences, donated_values, kept_values, static_values):
            # One lax.scan over the calls; after a failed check the state stays as it was.
            def step(carry, xs):
                state, healthy = carry
                outs, new, ok, checks = run(xs, state, kept_values, static_values)
                state = [jnp.where(healthy & ok, n, old) for n, old in zip(new, state)]
                return (state, healthy & ok), (outs, ok, checks)

            (state, _), (outs, oks, checks) = jax.lax.scan(step, (list(donated_values), jnp.asarray(True)), sequences)
            return outs, state, oks, checks

        self._dynamic, self._static_order = dynamic, static
        self._messages = {}
        self._variants = CompiledVariants(run, f"symconv function {self.name}", self._describe_change)
        self._variants_many = CompiledVariants(run_many, f"symconv function {self.name} (map)", self._describe_change)

    # --------------------------------------------------------------- call

    def __call__(self, *args, **kwargs):
        values = self._bind(args, kwargs)
        try:
            outs, ok, checks, signature = self._run(values)
        except NeedsStaticValue as exc:
            self._make_static(exc)
            return self(*args, **kwargs)
        if checks and not bool(ok):
            self._raise_failed_check(checks, signature)
        outs = [_writable(o) for o in outs]
        return outs[0] if self._single else outs

    def call_device(self, *values):
        """Run once on `values` (arrays of the inputs' exact types, in order): no input checks, no host sync.

        The outputs come back as device arrays (a list); updates are applied; a
        failed run-time check is not raised.  For measuring the compiled
        computation alone; ``f(...)`` is the checked call.
        """
        return self._run(values)[0]

    def lower(self, *args, **kwargs):
        """The ``jax.stages.Lowered`` computation a call with these inputs runs (``.as_text()``, ``.compile()``)."""
        values = self._bind(args, kwargs)
        arguments = self._arguments(values)
        return self._variants.get(_signature(*arguments)).lower(*arguments)

    @property
    def compiled_variants(self):
        """How many computations are kept: ``{'call': ..., 'map': ...}`` (one per input signature)."""
        return {"call": len(self._variants), "map": len(self._variants_many)}

    def _describe_change(self, old, new):
        """What differs between two call signatures, by input or shared variable name."""
        names = [[repr(self.inputs[k].variable) for k in self._dynamic], [repr(s) for s in self._donated],
                 [repr(s) for s in self._kept], [repr(self.inputs[k].variable) for k in self._static_order]]
        changed = [f"{name}: {_shown(a)} then {_shown(b)}" for group, (olds, news) in enumerate(zip(old, new))
                   for name, a, b in zip(names[group], olds, news) if a != b]
        return "; ".join(changed) or "the same shapes"

    def _arguments(self, values):
        dynamic = tuple(values[k] for k in self._dynamic)
        if self._mesh is not None:
            dynamic = tuple(place(v, self._mesh) if isinstance(v, jax.Array) else v for v in dynamic)
        static = tuple(values[k].item() if values[k].ndim == 0 else self._static_vector(k, values[k])
                       for k in self._static_order)
        return dynamic, self._shared_values(self._donated), self._shared_values(self._kept), static

    def _static_vector(self, k, value):
        # a shape-like int vector (pool_2d's ws as an input): each value compiles its own variant
        if value.size > 16:
            raise TypeError(f"symconv function {self.name}: input {self.inputs[k].variable.describe()} sets a shape or "
                            f"a window (a compile-time value), so each value compiles anew, but it has {value.size} "
                            "entries: pass a constant, or a short vector")
        return tuple(value.tolist())

    def _shared_values(self, variables):
        if self._mesh is None:
            return tuple(s.get_value(borrow=True, return_internal_type=True) for s in variables)
        placed = []
        for s in variables:
            read = self._minibatch_reads.get(s)
            if read is not None and s.rows() >= read[0]:
                placed.append(s.minibatches(self._mesh, read[0]))
                continue
            value = s.get_value(borrow=True, return_internal_type=True)
            placed.append(place(value, self._mesh))
            if placed[-1] is not value:  # moved once onto every device (a value set before devices was)
                s.keep_placed(placed[-1])
        return tuple(placed)

    @property
    def devices(self):
        """The devices this function runs on (one, unless ``config.devices`` was > 1 when it was compiled)."""
        return list(self._mesh.devices.flat) if self._mesh is not None else [None]

    def communication(self, *args, **kwargs):
        """Bytes moved between devices per call with these inputs, from the compiled HLO: ``{op: bytes, 'total': ...}``.

        Each collective operation's result size on one device (an all-reduce's
        buffer); empty but for ``total: 0`` on one device.
        """
        return communication(self.lower(*args, **kwargs).compile().as_text())

    def _write_back(self, new):
        for s, v in zip(self._donated, new):
            s.set_value(v, borrow=True)

    def _run(self, values):
        arguments = self._arguments(values)
        signature = _signature(*arguments)
        try:
            outs, new, ok, checks = self._variants.get(signature)(*arguments)
        except Exception as exc:
            raise drop_jax_note(exc)
        self._write_back(new)
        return outs, ok, checks, signature

    def map(self, *sequences):
        """Call the function once per element of `sequences` (one per input), in ONE dispatch.

        ``train_model.map(range(n_train_batches))`` equals
        ``[train_model(i) for i in range(n_train_batches)]`` (updates threaded from call to call)
        but runs as a single ``lax.scan`` on the device.  Outputs come back stacked.
        Each distinct length compiles once (a training loop's epochs share one).
        """
        if len(sequences) != len(self.inputs):
            raise TypeError(f"{self.name}.map needs one sequence per input ({len(self.inputs)}), got {len(sequences)}")
        if self._static:
            raise TypeError(f"{self.name}.map: inputs {sorted(self._static)} must be known at compile time; call it per value")
        columns = [np.asarray(list(seq) if not isinstance(seq, np.ndarray) else seq) for seq in sequences]
        count = len(columns[0]) if columns else 0
        if any(len(c) != count for c in columns):
            raise ValueError(f"{self.name}.map: sequences have different lengths {[len(c) for c in columns]}")
        if count == 0:
            return [] if not self._single else np.zeros((0,))
        stacked = tuple(np.stack([_filter(inp, c[k], self._allow_downcast, i, self.name) for k in range(count)])
                        for i, (inp, c) in enumerate(zip(self.inputs, columns)))
        donated, kept = self._shared_values(self._donated), self._shared_values(self._kept)
        try:
            outs, new, oks, checks = self._variants_many.get(_signature(stacked, donated, kept, ()))(
                stacked, donated, kept, ())
        except NeedsStaticValue as exc:
            self._make_static(exc)
            raise TypeError(f"{self.name}.map: inputs {sorted(self._static)} decide a shape, so they must be known "
                            "at compile time; call the function once per value instead") from None
        self._write_back(new)
        oks = np.asarray(oks)
        if not oks.all():
            step = int(np.argmin(oks))
            one_step = tuple(np.asarray(v)[0] for v in stacked)
            failed = [(np.asarray(ok)[step], tuple(np.asarray(v)[step] for v in values)) for ok, values in checks]
            self._raise_failed_check(failed, _signature(one_step, donated, kept, ()), prefix=f"call {step} of map: ")
        outs = [_writable(o) for o in outs]
        return outs[0] if self._single else outs

    def _bind(self, args, kwargs):
        if len(args) > len(self.inputs):
            raise TypeError(f"symconv function {self.name} takes {len(self.inputs)} inputs "
                            f"({', '.join(repr(i.variable) for i in self.inputs)}), got {len(args)}")
        values = list(args) + [None] * (len(self.inputs) - len(args))
        given = [True] * len(args) + [False] * (len(self.inputs) - len(args))
        for key, value in kwargs.items():
            if key not in self._index:
                raise TypeError(f"symconv function {self.name} has no input named {key!r}; inputs: {list(self._index)}")
            if given[self._index[key]]:
                raise TypeError(f"symconv function {self.name} got input {key!r} twice")
            values[self._index[key]], given[self._index[key]] = value, True
        for k, inp in enumerate(self.inputs):
            if not given[k]:
                if inp.value is None:
                    raise TypeError(f"symconv function {self.name}: missing input {inp.variable.describe()}")
                values[k] = inp.value
            values[k] = _filter(inp, values[k], self._allow_downcast, k, self.name)
        return values

    def _make_static(self, exc):
        node = getattr(exc, "node", None)
        # an op's first input is its data (not made static), unless the op says otherwise (AllocEmpty: all lengths)
        first = getattr(node.op, "static_inputs_from", 1) if node is not None else 1
        needed = ancestors(node.inputs[first:] if node is not None else [])
        candidates = {k for k, i in enumerate(self.inputs)
                      if i.variable in needed and i.variable.ndim <= 1 and i.variable.dtype[0] in "iub"}
        if not candidates - self._static:
            where = f"\n  created at {node.source}" if node is not None and node.source else ""
            raise TypeError(f"{node.op if node else 'an op'} needs {exc}, which here is computed on the device "
                            f"at run time; one XLA computation needs it known when compiling{where}") from None
        self._static |= candidates
        self._build()

    def _raise_failed_check(self, checks, signature, prefix=""):
        for (ok, values), (message, error) in zip(checks, self._messages[signature]):
            if not bool(ok):
                shown = [np.asarray(v).item() for v in values]
                raise error(f"symconv function {self.name}: {prefix}" + message.format(*shown) +
                            "; no shared variable was updated")

    def copy(self, share_memory=False, swap=None, delete_updates=False, name=None, profile=None):
        """A new function of the same graph (Theano's ``Function.copy``).

        `swap` (``{old shared variable: new one}``, same types) makes the copy read
        and update the new shared variables instead; `delete_updates` drops the
        updates; `name` names the copy.  As Theano's, the copy returns a list of
        outputs even where this function returns one.  `share_memory` and `profile` are accepted:
        symconv functions keep no intermediate storage to share, and the copy
        reads and updates the same shared variables as this function unless swapped.
        """
        swap = dict(swap or {})
        for old, new in swap.items():
            if not isinstance(old, SharedVariable) or not isinstance(new, SharedVariable):
                raise TypeError(f"Function.copy: swap must map shared variables to shared variables, got {old!r}: {new!r}")
            if old.type.dtype != new.type.dtype or old.type.ndim != new.type.ndim:
                raise TypeError(f"Function.copy: cannot swap {old!r} ({old.type}) for {new!r} ({new.type}): "
                                "their types differ")
        source_outputs, source_updates = self._source
        updates = [] if delete_updates else source_updates
        graphs = clone_replace(source_outputs + [u for _, u in updates], swap) if swap else \
            source_outputs + [u for _, u in updates]
        outputs = graphs[: len(self.outputs)]
        updates = [(swap.get(s, s), u) for (s, _), u in zip(updates, graphs[len(self.outputs):])]
        allow_input_downcast, _ = self._settings
        # Theano's copy returns its outputs as a list, a single output included
        return Function(list(self.inputs), outputs, updates, None, True,
                        name or self.name, allow_input_downcast, "ignore", mode=self.mode)

    # ------------------------------------------------------ introspection

    @property
    def maker(self):
        return self

    @property
    def fgraph(self):
        return self

    def toposort(self):
        return toposort(self.outputs + [u for _, u in self.updates])

    # ------------------------------------------- what symconv.compile.fused builds on

    @property
    def updated_shared(self):
        """The shared variables this function updates (their values are donated to each call)."""
        return list(self._donated)

    @property
    def read_shared(self):
        """The shared variables this function reads without updating them."""
        return list(self._kept)

    @property
    def single_output(self):
        return self._single

    def fusable(self):
        """Whether `map_body` can run inside another computation: one device, scalar inputs, none compile-time."""
        return self._mesh is None and not self._static and all(i.variable.ndim == 0 for i in self.inputs)

    def map_body(self, sequences, updated_values, read_values):
        """The traced body of ``map`` (outputs, new updated values, checks' ok, checks) for use inside a jit."""
        return self._variants_many.body(sequences, updated_values, read_values, ())

    def __repr__(self):
        return f"<symconv.Function {self.name}: {len(self.inputs)} inputs, {len(self.outputs)} outputs, {len(self.updates)} updates>"


def _minibatch_reads(roots, candidates, devices):
    """``{shared variable: (B, [Subtensor nodes])}`` for those of `candidates` that `roots` read only through
    slices ``[s:s + B]`` of their first axis, all of one length B that `devices` divides, with each start s
    a multiple of B (an affine form ``c * i + d`` with B dividing c and d)."""
    uses = {s: [] for s in candidates if s.ndim >= 1}
    for root in roots:
        uses.pop(root, None)  # a shared variable that is itself an output or an update
    for node in toposort(roots):
        for position, inp in enumerate(node.inputs):
            if inp in uses:
                uses[inp].append((node, position))
    found = {}
    for var, nodes in uses.items():
        lengths = {_minibatch_length(node, position) for node, position in nodes}
        batch = lengths.pop() if len(lengths) == 1 else None
        if nodes and batch and batch % devices == 0:
            found[var] = (batch, [node for node, _ in nodes])
    return found


def _minibatch_length(node, position):
    """B when `node` is ``x[s:s + B]`` (x its input `position`, s a run-time multiple of B), else None."""
    if position != 0 or not isinstance(node.op, Subtensor) or node.op.params.get("_newaxis"):
        return None
    spec = node.op.params["spec"]
    if len(spec) != 1 or spec[0][0] != "slice":
        return None
    _, start, _, step, length = spec[0]
    if start is None or start[0] != "input" or step not in (None, ("const", 1)) or not length or length < 1:
        return None
    form = affine_form(node.inputs[1 + start[1]])
    if form.const % length or any(coefficient % length for coefficient in form.terms.values()):
        return None
    return length


def _cut_minibatches(reads, env):
    """Puts in `env` each minibatch read from a data set held split by minibatch: from every device's own rows."""
    for var, (_, nodes) in reads.items():
        blocked = env[var]
        if not isinstance(blocked, Blocked):
            continue
        for node in nodes:
            start = node.op.params["spec"][0][1]
            begin = evaluate([node.inputs[1 + start[1]]], env)[0]
            env[node.outputs[0]] = _cut(blocked, begin)


def _cut(blocked, begin):
    """``data[begin:begin + B]`` of a ``Blocked`` data set, with the checks of the one-device slice."""
    rows, batch, array = blocked.rows, blocked.batch, blocked.array
    count, length = array.shape[0], array.shape[1]
    start = jnp.where((begin < 0) & (begin + batch < 0), begin + rows, begin)
    record_check((start >= 0) & (start + batch <= rows),
                 f"slice [{{}}:{{}}] is out of bounds for axis 0 with size {rows}", begin, begin + batch)
    if rows % batch:  # counted from the end, a start can miss the minibatch boundaries
        record_check(start % batch == 0, f"slice [{{}}:{{}}] of a data set of {rows} rows split over {count} "
                     f"devices by minibatches of {batch} rows must start at a multiple of {batch}",
                     begin, begin + batch)
    start = jnp.clip(start, 0, max(count * length - batch, 0))
    part = jax.lax.dynamic_slice_in_dim(array, start // count, batch // count, axis=1)
    return part.reshape((batch,) + array.shape[2:])


def _split_batches(mesh, split, env, dynamic_inputs, fname):
    """Puts in `env` the values of the givens replacements (the minibatches), split along their batch axis,
    and the explicit non-scalar inputs, split when they have a row per device."""
    values = evaluate([value for _, value in split], env)
    for (var, replacement), value in zip(split, values):
        env[replacement] = split_batch(value, mesh, f"symconv function {fname}: the minibatch given for "
                                                    f"{var.describe().splitlines()[0]}")
    for var in dynamic_inputs:
        if var.ndim >= 1:
            env[var] = split_if_possible(env[var], mesh)


def _writable(value):
    """`value` as a NumPy array the caller may modify in place (Theano returns fresh arrays): copied only when
    the zero-copy view of the device buffer is read-only."""
    array = np.asarray(value)
    return array if array.flags.writeable else array.copy()


def _shown(entry):
    """A signature entry as text: a shape (dtype omitted) or a static value."""
    return str(entry[0]) if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], tuple) else repr(entry)


def _signature(*groups):
    """Shapes and dtypes of the arguments: which trace a call used."""
    return tuple(tuple(v.signature if isinstance(v, Blocked) else (tuple(np.shape(v)), str(v.dtype))
                       if hasattr(v, "dtype") else v for v in g) for g in groups)


def _filter(inp, value, allow_downcast, position, fname):
    """`value` as an array of the input's dtype and rank, or a TypeError naming the input."""
    var = inp.variable
    expected = var.type
    if isinstance(value, jax.Array) and value.dtype == expected.dtype and value.ndim == expected.ndim:
        return value
    if isinstance(value, np.ndarray) and value.dtype == expected.dtype:
        array = value
    else:
        original = value
        array = np.asarray(value)
        if array.dtype.kind == "c" and np.dtype(expected.dtype).kind != "c":
            raise TypeError(
                f"symconv function {fname}, input {position} ({var.describe()}): expected the real dtype "
                f"{expected.dtype}, got a complex value ({array.dtype}); its imaginary part cannot be dropped "
                "silently: pass value.real (or np.abs(value)) explicitly")
        if array.dtype != expected.dtype:
            downcast = inp.allow_downcast if inp.allow_downcast is not None else allow_downcast
            converted = array.astype(expected.dtype) if array.dtype != object else None
            python_scalar = isinstance(original, (int, float, bool, list, tuple))
            exact = converted is not None and np.array_equal(converted, array)
            if converted is None or not (np.can_cast(array.dtype, expected.dtype, "safe") or downcast
                                         or (python_scalar and (exact or (expected.dtype == "float32" and array.dtype.kind == "f" and downcast is None)))):
                raise TypeError(
                    f"symconv function {fname}, input {position} ({var.describe()}): expected {expected.dtype}, got "
                    f"{type(original).__name__} of dtype {array.dtype} with shape {array.shape}; this would lose "
                    f"precision. Convert it with .astype({expected.dtype!r}) or pass allow_input_downcast=True")
            array = converted
    if array.ndim != expected.ndim:
        raise TypeError(
            f"symconv function {fname}, input {position} ({var.describe()}): expected {expected.ndim} dimensions, "
            f"got {array.ndim} (shape {array.shape})")
    if not expected.compatible_shape(array.shape):
        raise TypeError(
            f"symconv function {fname}, input {position} ({var.describe()}): expected shape {expected.shape}, "
            f"got {array.shape}")
    return array


register_compiler(function)
