"""Theano's fast_run rewrites, applied to a function's graph before lowering: what ``debugprint(f)`` shows.

In order (each can be left out: ``Mode().excluding(tag)`` or ``optimizer_excluding``; none under
``FAST_COMPILE``): shapes from the inputs (``shape``), ``dot`` as ``Gemv`` (``blas``), canonical
elemwise forms (``canonicalize``), elemwise fusion into ``Composite`` nodes (``fusion``), inplace
marks (``inplace``).  None changes a value: XLA computes the same thing, and fuses and assigns
buffers itself; the graph is what Theano's users inspect (``f.maker.fgraph.toposort()``).

Theano's compiled graphs never compute a value only to take its shape: every
``v.shape`` becomes ``MakeVector(Shape_i{0}(x), ...)`` over the graph's inputs,
through each op's shape rule (its ShapeFeature).  symconv writes no shape rule
twice: the dims come from evaluating the ops' lowerings on symbolic sizes
(``jax.export.symbolic_shape``), and the resulting polynomials become graph
nodes again.  Where a shape holds only if inputs agree (``join`` along one axis
needs the others equal, ``x + y`` needs equal lengths), the value whose shape was
taken is still computed, unused, so a mismatch raises as it would have (Theano's
compiled graph would return a wrong shape there without an error: its
documentation, "Shape Inference Problem").  XLA drops that computation when the
shapes agree.

``dot(matrix, vector)`` becomes ``Gemv{inplace}(AllocEmpty(Shape_i{0}(A)), 1, A, x, 0)``
(Theano's CPU BLAS rewrite; the same jnp.dot once lowered).
"""
import ast
import collections
import copy
import itertools

import jax
import numpy as np
from jax import export

from .config import config
from .contract import NeedsStaticValue, group_lowering
from .graph import Constant, Variable, copy_node, toposort
from .ops.composite import Composite
from .ops.elemwise import Elemwise, Scalar, add, applies, int_div, maximum, minimum, mod, mul, neg, sub
from .ops.literals import constant
from .ops.products import is_dot
from .ops.optimized import MakeVector, Shape_i, gemv_of_dot
from .ops.shape_ops import Shape, dimshuffle, is_view
from .ops.subtensor import Subtensor

_MAX_NODES = 256  # a shape behind more nodes than this is read from the value (Shape_i of it)
_MAX_ASSUMED = 3  # lengths assumed equal for one node, at most
_MAX_ATTEMPTS = 64


def optimize(graphs, mode=None, inputs=()):
    """`graphs` as Theano's fast_run optimizer leaves them, and the variables to compute only for their checks.

    `inputs` (the function's) are where the graph starts, even if they are computed variables themselves.
    """
    if getattr(mode, "optimizer", "fast_run") in (None, "None", "fast_compile"):
        return list(graphs), []
    excluded = set(getattr(mode, "_excludes", ())) | set(filter(None, config.optimizer_excluding.split(":")))
    checked = []
    if not excluded & {"local_shape_to_shape_i", "ShapeOpt", "shape"}:
        graphs, checked = shapes_from_inputs(graphs, inputs)
    everything = list(graphs) + checked
    if not excluded & {"blas", "BlasOpt", "gemv"}:
        everything = dot_to_gemv(everything, inputs)
    if not excluded & {"canonicalize"}:
        everything = canonicalize(everything, inputs)
    if not excluded & {"fusion", "elemwise_fusion", "composite_elemwise_fusion"}:
        everything = fuse_elemwise(everything, inputs)
    if not excluded & {"inplace", "inplace_opt", "insert_inplace_optimizer"}:
        everything = mark_inplace(everything, inputs)
    return everything[: len(graphs)], everything[len(graphs):]


# ------------------------------------------------------------------ shapes


def shapes_from_inputs(graphs, stop=()):
    """Each ``v.shape`` (and ``v.shape[i]``) in `graphs` computed from the inputs' shapes; see the module's note."""
    taken = {n for n in toposort(graphs, stop=stop) if isinstance(n.op, Shape) and n.op.static_output(n) is None}
    if not taken:
        return list(graphs), []
    dims = _SymbolicDims([n.inputs[0] for n in taken], stop)
    checked = []

    def rewrite(node, inputs, memo):
        if node in taken:
            shape, assumed = dims.of(node.inputs[0])
            if assumed:
                checked.append(inputs[0])
            return [MakeVector("int64")(*[dims.as_graph(d, memo) for d in shape])]
        source = node.inputs[0] if node.inputs else None
        if isinstance(node.op, Subtensor) and source is not None and source.owner in taken \
                and not node.op.params.get("_newaxis"):
            spec = node.op.params["spec"]  # v.shape[i], i constant: that dim alone (local_subtensor_make_vector)
            if len(spec) == 1 and spec[0][0] == "int" and spec[0][1][0] == "const":
                return [inputs[0].owner.inputs[spec[0][1][1]]]
        return None

    return rebuild(graphs, rewrite, stop), checked


def rebuild(graphs, rewrite, stop=()):
    """`graphs` rebuilt from the inputs up: ``rewrite(node, new_inputs, memo)`` gives a node's new outputs, or
    None to keep the node (copied if an input changed); `memo` maps every old variable seen to its new one.
    The variables in `stop` are taken as they are (a function's inputs)."""
    memo = {}
    for node in toposort(graphs, stop=stop):
        inputs = [memo.get(i, i) for i in node.inputs]
        new = rewrite(node, inputs, memo)
        if new is None:  # copied if an input, or a variable its op names (consider_constant), changed
            new = copy_node(node, inputs, memo)
        memo.update(zip(node.outputs, new))
    return [memo.get(g, g) for g in graphs]


class _SymbolicDims:
    """Symbolic lengths for the variables `roots` depend on: an input's unknown dims are symbols (one scope)."""

    def __init__(self, roots, stop=()):
        self.order = toposort(roots, stop=stop)
        if len(self.order) > _MAX_NODES:
            self.order = []
        variables = [v for n in self.order for v in n.inputs if v.owner is None or v in stop] + list(roots)
        variables += [v for n in self.order for v in n.outputs]
        self.symbols, unknown = {}, []
        for var in dict.fromkeys(variables):
            for axis, length in enumerate(var.type.shape):
                if length is None:
                    unknown.append((var, axis))
        names = [f"s{k}" for k in range(len(unknown))]
        created = export.symbolic_shape(", ".join(names)) if names else ()
        self.own = {}
        for (var, axis), name, symbol in zip(unknown, names, created):
            self.symbols[name] = (var, axis, len(self.symbols))
            self.own[(var, axis)] = symbol
        self.dims, self.assumed, self.graphs = {}, set(), {}
        for node in self.order:
            self._propagate(node)

    def own_dims(self, var):
        return tuple(self.own.get((var, axis), length) for axis, length in enumerate(var.type.shape))

    def of(self, var):
        """(the dims of `var`, whether they assume some inputs' lengths agree)."""
        if var in self.dims:
            return self.dims[var], var in self.assumed
        return self.own_dims(var), False

    def _propagate(self, node):
        ins = [self.of(v) for v in node.inputs]
        shapes = [d for d, _ in ins]
        found, unified = _evaluate(node, shapes)
        if found is None:
            return  # the outputs keep their own symbols: their shapes are read from their values
        for var, shape in zip(node.outputs, found):
            self.dims[var] = shape
            if unified or any(a for _, a in ins):
                self.assumed.add(var)

    # -------------------------------------------- polynomials back to graphs

    def as_graph(self, dim, memo):
        """A length (an int or a polynomial of symbols) as int64 graph nodes over ``Shape_i`` of the inputs
        (of a variable `memo` maps to its rewritten self)."""
        if export.is_symbolic_dim(dim):
            key = str(dim)
            if key not in self.graphs:
                self.memo = memo
                self.graphs[key] = self._build(ast.parse(key, mode="eval").body)
            return self.graphs[key]
        return constant(int(dim), dtype="int64")

    def _build(self, tree):
        if isinstance(tree, ast.Name):
            var, axis, _ = self.symbols[tree.id]
            key = ("shape_i", tree.id)
            if key not in self.graphs:
                self.graphs[key] = Shape_i(axis)(self.memo.get(var, var))
            return self.graphs[key]
        if isinstance(tree, ast.Constant):
            return constant(int(tree.value), dtype="int64")
        if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub):
            return neg(self._build(tree.operand))
        if isinstance(tree, ast.BinOp) and isinstance(tree.op, (ast.Add, ast.Sub)):
            return self._sum(tree)
        if isinstance(tree, ast.BinOp):
            binary = {ast.Mult: mul, ast.FloorDiv: int_div, ast.Mod: mod}[type(tree.op)]
            return binary(self._build(tree.left), self._build(tree.right))
        if isinstance(tree, ast.Call):
            args = [self._build(a) for a in tree.args]
            name = tree.func.id
            if name == "non_negative":
                return maximum(args[0], constant(0, dtype="int64"))
            return {"floordiv": int_div, "mod": mod, "max": maximum, "min": minimum}[name](*args)
        raise NotImplementedError(f"symbolic length {ast.unparse(tree)}")

    def _sum(self, tree):
        """A sum's terms in input order (x's lengths before y's, constants last), added left to right."""
        terms = []

        def collect(t, sign):
            if isinstance(t, ast.BinOp) and isinstance(t.op, (ast.Add, ast.Sub)):
                collect(t.left, sign)
                collect(t.right, sign if isinstance(t.op, ast.Add) else -sign)
            else:
                terms.append((sign, t))

        collect(tree, 1)

        def rank(term):
            names = [n.id for n in ast.walk(term[1]) if isinstance(n, ast.Name)]
            return min((self.symbols[n][2] for n in names), default=len(self.symbols))

        terms.sort(key=rank)
        sign, first = terms[0]
        total = self._build(first) if sign > 0 else neg(self._build(first))
        for sign, term in terms[1:]:
            total = (add if sign > 0 else sub)(total, self._build(term))
        return total


def _evaluate(node, shapes):
    """The output shapes of `node` on input `shapes` (symbolic), and whether some inputs' lengths had to be
    assumed equal; (None, False) where the op's lowering cannot tell (a group, a value-dependent shape)."""
    if group_lowering(node.op) is not None or isinstance(node.op, Shape):
        return None, False
    outputs = _try(node, shapes)
    if outputs is not None:
        return outputs, False
    # Assume some lengths of different inputs equal, fewest first, same axes first: join and
    # elemwise ops need equal lengths on the same axes, dot and conv on contracted ones.
    pairs = sorted(((k1, a1, k2, a2) for k1, k2 in itertools.combinations(range(len(shapes)), 2)
                    for a1 in range(len(shapes[k1])) for a2 in range(len(shapes[k2]))
                    if str(shapes[k1][a1]) != str(shapes[k2][a2])),
                   key=lambda p: (p[1] != p[3], p))
    attempts = itertools.islice(itertools.chain.from_iterable(
        itertools.combinations(pairs, size) for size in range(1, _MAX_ASSUMED + 1)), _MAX_ATTEMPTS)
    for chosen in attempts:
        unified = [list(s) for s in shapes]
        for k1, a1, k2, a2 in chosen:
            unified[k2][a2] = unified[k1][a1]
        outputs = _try(node, [tuple(s) for s in unified])
        if outputs is not None:
            return outputs, True
    return None, False


def _try(node, shapes):
    fixed = {k: v.data for k, v in enumerate(node.inputs) if isinstance(v, Constant)}
    specs = [jax.ShapeDtypeStruct(s, v.dtype) for k, (s, v) in enumerate(zip(shapes, node.inputs)) if k not in fixed]

    def lower(*free):
        free = iter(free)
        return node.op.lower(*[fixed[k] if k in fixed else next(free) for k in range(len(node.inputs))])

    try:
        out = jax.eval_shape(lower, *specs)
    except (NeedsStaticValue, Exception):  # noqa: BLE001 - any failure: the shape is read from the value
        return None
    outs = out if isinstance(out, (tuple, list)) else (out,)
    if len(outs) != len(node.outputs):
        return None
    return [tuple(o.shape) for o in outs]


# ------------------------------------------------------------ canonicalize


def canonicalize(graphs, stop=()):
    """Theano's canonical elementwise forms, values unchanged: ``-(-x)`` is x; a constant operand of ``+``
    and ``*`` comes first, in the node's computation dtype; every operand has the output's rank (a lower-rank
    one through a dimshuffle, a constant reshaped), as Theano's Elemwise nodes take them."""

    def rewrite(node, inputs, _):
        if not _fusable(node):
            return None
        op, out = node.op, node.outputs[0]
        fn, dtype = op.params["fn"], op.params["dtype"]
        if fn is Scalar.neg and applies(inputs[0], Scalar.neg):
            return [inputs[0].owner.inputs[0]]
        changed = list(inputs)
        if fn in (Scalar.add, Scalar.mul) and len(changed) == 2 and isinstance(changed[1], Constant) \
                and not isinstance(changed[0], Constant):
            changed.reverse()
        if fn in (Scalar.add, Scalar.mul) and isinstance(changed[0], Constant) and changed[0].dtype != dtype:
            changed[0] = constant(np.asarray(changed[0].data, dtype=dtype))
        changed = [_full_rank(v, out.ndim) for v in changed]
        if all(a is b for a, b in zip(changed, inputs)):
            return None
        rest = {k: v for k, v in op.params.items() if k not in ("fn", "dtype", "_broadcastable", "_inplace")}
        return [Elemwise(fn, dtype, **rest)(*changed)]

    return rebuild(graphs, rewrite, stop)


# ------------------------------------------------------------------ fusion


def fuse_elemwise(graphs, stop=()):
    """Each tree of elementwise nodes whose inner results nothing else reads, as one ``Composite`` node.

    As Theano's fusion: an input joins its reader's tree when an elementwise node
    computes it, that reader alone reads it, it is not a result, and it has the
    reader's broadcast pattern (so nothing is computed twice by broadcasting).
    Variables an op refers to by parameter (a gradient's consider_constant) stay
    outside.
    """
    order = toposort(graphs, stop=stop)
    readers = collections.Counter(inp for node in order for inp in set(node.inputs))
    kept = set(graphs) | set(stop) | {v for node in order for v in _referenced(node.op.params.values())}
    fused, roots = set(), {}
    for node in reversed(order):
        if node in fused or not _fusable(node):
            continue
        inputs, members = [], [node]
        _collect(node, node.outputs[0], readers, kept, inputs, members)
        if len(members) >= 2:
            fused.update(members)
            roots[node] = list(dict.fromkeys(inputs))

    def rewrite(node, _, memo):
        if node not in roots:
            return None
        out = node.outputs[0]
        return [Composite(roots[node], out)(*[_full_rank(memo.get(v, v), out.ndim) for v in roots[node]])]

    return rebuild(graphs, rewrite, stop) if roots else list(graphs)


def _fusable(node):
    """Elementwise nodes, but not integer scalar arithmetic (indices, shapes: kept readable, as symconv's
    minibatch analysis reads ``index * batch_size`` there)."""
    out = node.outputs[0]
    return isinstance(node.op, Elemwise) and len(node.outputs) == 1 and not (out.ndim == 0 and out.dtype[0] in "iu")


def _collect(node, out, readers, kept, inputs, members):
    for inp in node.inputs:
        owner = inp.owner
        if (owner is not None and _fusable(owner) and readers[inp] == 1 and inp not in kept
                and inp.type.broadcastable == out.type.broadcastable):
            members.append(owner)
            _collect(owner, out, readers, kept, inputs, members)
        else:
            inputs.append(inp)


def _full_rank(var, ndim):
    """`var` with `ndim` dims as Theano's Elemwise takes it: a constant reshaped, a variable dimshuffled."""
    extra = ndim - var.ndim
    if extra <= 0:
        return var
    if isinstance(var, Constant):
        return constant(np.asarray(var.data).reshape((1,) * extra + np.shape(var.data)), dtype=var.dtype)
    return dimshuffle(var, *(["x"] * extra + list(range(var.ndim))))


def _referenced(values):
    for value in values:
        if isinstance(value, Variable):
            yield value
        elif isinstance(value, (tuple, list, frozenset, set)):
            yield from _referenced(value)


# ----------------------------------------------------------------- inplace


def mark_inplace(graphs, stop=()):
    """Elemwise nodes marked as writing into an input, where Theano's inplace optimizer would.

    The input must be computed in the graph (not an input, a shared variable, a
    constant, nor a view of one), read by nothing else, not itself a result, and
    of the output's type.  XLA assigns buffers itself: the mark only shows it.
    """
    order = toposort(graphs, stop=stop)
    readers = collections.Counter(inp for node in order for inp in node.inputs)
    results = set(graphs)
    marked = {}
    for node in order:
        if not isinstance(node.op, (Elemwise, Composite)) or len(node.outputs) != 1 or node.op.params.get("_inplace"):
            continue
        out = node.outputs[0]
        for k, inp in enumerate(node.inputs):
            if (readers[inp] == 1 and inp not in results and inp not in stop and inp.dtype == out.dtype
                    and inp.type.broadcastable == out.type.broadcastable and _computed(inp)):
                marked[node] = copy.copy(node.op)
                marked[node].params = dict(node.op.params, _inplace=((0, k),))
                break

    def rewrite(node, inputs, memo):
        if node not in marked:
            return None
        return copy_node(node, inputs, memo, marked[node])

    return rebuild(graphs, rewrite, stop) if marked else list(graphs)


def _computed(var):
    """Whether `var` has storage of its own: computed by a node that is not a view of an input or constant."""
    while var.owner is not None and (is_view(var.owner) or isinstance(var.owner.op, Subtensor)):
        var = var.owner.inputs[0]
    return var.owner is not None


# -------------------------------------------------------------------- blas


def dot_to_gemv(graphs, stop=()):
    """Each float ``dot(matrix, vector)`` as ``Gemv{inplace}(AllocEmpty(Shape_i{0}(A)), 1.0, A, x, 0.0)``."""
    def rewrite(node, inputs, _):
        if not is_dot(node):
            return None
        a, x = inputs
        if (a.ndim, x.ndim) == (2, 1) and a.dtype == x.dtype == node.outputs[0].dtype and a.dtype[0] == "f":
            return [gemv_of_dot(a, x, node.op.params["precision"])]
        return None

    return rebuild(graphs, rewrite, stop)
