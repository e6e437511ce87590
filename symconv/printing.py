"""Looking at graphs: ``debugprint`` and ``pp`` in Theano's text format, ``Print``, and ``pydotprint`` (Graphviz).

Op names follow Theano's where symconv has the same op: ``Elemwise{exp,no_inplace}``,
``Sum{acc_dtype=float64}``, ``dot``; other ops print as symconv names them.  A
compiled function's graph is the one symconv lowers, after the rewrites Theano's
fast_run optimizer makes (``symconv.optimize``: ``Shape_i``, ``Gemv``, fused
``Composite`` nodes, inplace marks), so it prints as Theano's does.
"""
import sys

import jax
import numpy as np

from .graph import Constant, register_node_namer, toposort
from .interpret import static_value
from .op import Op
from .ops.composite import Composite, scalar_class_name
from .ops.elemwise import Elemwise
from .ops.shape_ops import Shape
from .ops.subtensor import Subtensor
from .ops.literals import constant
from .type import TensorType

_INFIX = {"add": "+", "sub": "-", "mul": "*", "true_div": "/", "int_div": "//", "pow": "**"}
_ACCUMULATE = {"float16": "float32", "float32": "float64", "float64": "float64", "complex64": "complex128",
               "bool": "int64", "int8": "int64", "int16": "int64", "int32": "int64", "int64": "int64",
               "uint8": "uint64", "uint16": "uint64", "uint32": "uint64", "uint64": "uint64"}


# ----------------------------------------------------------------- Print


class Print(Op):
    """``Print(message, attrs=('__str__',), global_fn=None)(x)``: `x`, printing ``message attr = value`` when run.

    Inside the one compiled computation the print is a ``jax.debug.callback``
    (ordered): it runs on every call, with the value computed on the device.
    `global_fn(op, value)`, if given, is called instead of printing.
    """

    foldable = False

    def __init__(self, message="", attrs=("__str__",), global_fn=None):
        super().__init__("Print", _print_lower, infer=_same_type, message=message, attrs=tuple(attrs),
                         global_fn=global_fn)
        self.message, self.attrs, self.global_fn = message, tuple(attrs), global_fn

    def __str__(self):
        return f"Print{{message={self.message!r}, attrs={self.attrs}}}"

    __repr__ = __str__


def _same_type(x, **_):
    return [x.type]


def _print_lower(x, message, attrs, global_fn):
    op_view = _PrintView(message, attrs)

    def show(value):
        value = np.asarray(value)
        if global_fn is not None:
            global_fn(op_view, value)
            return
        for attr in attrs:
            shown = getattr(value, attr)
            print(message, attr, "=", shown() if callable(shown) else shown)

    jax.debug.callback(show, x, ordered=True)
    return x


class _PrintView:
    def __init__(self, message, attrs):
        self.message, self.attrs = message, attrs


# ------------------------------------------------------------ debugprint


def _index_text(node):
    """Theano's index text of a (set/inc) subtensor node (``int64:int64:, ::``) and its index parts:
    ``('Constant', value)`` or ``('ScalarFromTensor', variable)``, in order; None for advanced indexing."""
    spec = node.op.params["spec"]
    extra = node.inputs[1:] if isinstance(node.op, Subtensor) else node.inputs[2:]
    if any(entry[0] == "array" for entry in spec):
        return None
    parts = []

    def ref(r):
        if r is None:
            return ""
        kind, value = r
        parts.append(("Constant", value) if kind == "const" else ("ScalarFromTensor", extra[value]))
        return "int64" if kind == "const" else extra[value].dtype

    texts = [ref(entry[1]) if entry[0] == "int" else ":".join(ref(r) for r in entry[1:4]) for entry in spec]
    return ", ".join(texts), parts


def _index_pp(node):
    """Theano's pp of an index: ``Constant{0}``, ``ScalarFromTensor(i)`` for integers, dtypes for slices."""
    extra, texts = node.inputs[1:], []

    def ref(r):
        if r is None:
            return ""
        return "int64" if r[0] == "const" else extra[r[1]].dtype

    for entry in node.op.params["spec"]:
        if entry[0] == "int":
            kind, value = entry[1]
            texts.append(f"Constant{{{value}}}" if kind == "const" else f"ScalarFromTensor({pprint(extra[value])})")
        else:
            start, stop, step = entry[1:4]
            texts.append(f"{ref(start)}:{ref(stop)}" + (f":{ref(step)}" if step is not None else ""))
    return ", ".join(texts)


def _is_update(op):
    return "spec" in op.params and op.params.get("mode") in ("inc", "set")


def index_children(node):
    """The inputs debugprint shows for an indexing node, as Theano's graph holds them, or None (the node's own)."""
    if not (isinstance(node.op, Subtensor) or _is_update(node.op)):
        return None
    indexed = _index_text(node)
    if indexed is None:
        return None
    head = node.inputs[:1] if isinstance(node.op, Subtensor) else node.inputs[:2]
    return list(head) + indexed[1]


def op_name(node):
    """Theano's name of the node's op where symconv has the op (``Elemwise{exp,no_inplace}``), else symconv's."""
    op = node.op
    if isinstance(op, Composite):
        pattern = op.params.get("_inplace")
        return f"Elemwise{{{op}}}{list(pattern) if pattern else ''}"
    if isinstance(op, Elemwise):
        pattern = op.params.get("_inplace")
        if pattern:  # Theano's inplace optimizer remakes the scalar op unnamed: its class name shows
            return f"Elemwise{{{scalar_class_name(op.params['fn'].value)}}}{list(pattern)}"
        fn = op.params["fn"].value
        return fn if fn in ("sigmoid", "softplus") else f"Elemwise{{{fn},no_inplace}}"  # Theano's named Elemwises
    fn = op.params.get("fn", op.name)
    if fn in ("sum", "prod", "max", "argmax") and node.inputs:
        source = node.inputs[0]
        axis = op.params.get("axis")
        axis = (axis,) if isinstance(axis, int) else axis
        whole = axis is None or tuple(sorted(a % max(source.ndim, 1) for a in axis)) == tuple(range(source.ndim))
        accumulate = _ACCUMULATE.get(source.dtype, source.dtype)
        if fn == "sum":
            return f"Sum{{{'' if whole else f'axis={list(axis)}, '}acc_dtype={accumulate}}}"
        if fn == "prod":
            shown = None if whole else tuple(axis)
            return f"Prod{{axis={shown}, dtype='{node.outputs[0].dtype}', acc_dtype='{accumulate}'}}"
        return f"MaxAndArgmax{{axis={tuple(range(source.ndim)) if axis is None else tuple(axis)}}}"
    if op.name == "dot":
        return "dot"
    if isinstance(op, Shape):
        return "Shape"
    if isinstance(op, Subtensor) or _is_update(op):
        indexed = _index_text(node)
        if indexed is None:
            single = len(op.params["spec"]) == 1
            base = "AdvancedSubtensor" if isinstance(op, Subtensor) else "AdvancedIncSubtensor"
            return base + ("1" if single else "")
        if isinstance(op, Subtensor):
            return f"Subtensor{{{indexed[0]}}}"
        return f"IncSubtensor{{{op.params['mode'].capitalize()};{indexed[0]}}}"
    if op.name == "concatenate":
        return "Join"
    if op.name in ("dimshuffle", "transpose"):  # Theano's DimShuffle is inplace by default
        pattern = op.params.get("pattern", op.params.get("axes"))
        return "InplaceDimShuffle{%s}" % ",".join(str(p) for p in pattern)
    return str(op)


register_node_namer(op_name)


def _char_id(number):
    """Theano's 'CHAR' ids: A ... Z, BA, BB, ..."""
    text = ""
    while True:
        text = chr(ord("A") + number % 26) + text
        number //= 26
        if number == 0:
            return text


def leaf_text(var):
    """How a variable without an apply node prints: its name, ``TensorConstant{2}``, or ``<TensorType(...)>``."""
    if isinstance(var, Constant):
        data = np.asarray(var.data)
        if data.ndim == 0:
            return f"TensorConstant{{{data}}}"
        if data.size and np.all(data == data.flat[0]):  # Theano's unique_value
            text = f"{data.shape} of {data.flat[0]}"
        else:
            text = str(data).replace("\n", "")
        return f"TensorConstant{{{text if len(text) <= 20 else text[:10] + '..' + text[-10:]}}}"
    return var.name if var.name else f"<{var.type}>"


def debugprint(obj, depth=-1, print_type=False, file=None, ids="CHAR", stop_on_name=False, done=None,
               print_storage=False, print_clients=False, used_ids=None):
    """Print the graph of a variable, a list of variables, or a compiled function as Theano's indented tree.

    ``file='str'`` returns the text; `ids` is ``'CHAR'`` (A, B, ...), ``'int'``,
    ``'id'`` (Python ids) or ``''`` (none).  A node seen before is printed again
    without its inputs.  For a compiled function, each node's line ends with its
    position in the function's graph order, as Theano's.
    """
    roots = _roots(obj)
    order = None
    if hasattr(obj, "outputs") and hasattr(obj, "updates"):
        roots = _function_roots(obj)
        order = {node: k for k, node in enumerate(theano_order(roots))}
    names = {} if used_ids is None else used_ids
    done = {} if done is None else done
    lines = []

    def ident(var):
        key = var if isinstance(var, tuple) else var.owner if var.owner is not None else _leaf_key(var)
        if ids == "":
            return ""
        if key not in names:
            names[key] = {"CHAR": _char_id, "int": str, "id": lambda _: str(id(key))}.get(ids, _char_id)(len(names))
        return f" [id {names[key]}]"

    def walk(var, prefix, prefix_child, level):
        if level == depth:  # Theano prints `depth` levels
            return
        node = var.owner
        typed = f" <{var.type}>" if print_type else ""
        if node is None or (stop_on_name and var.name and prefix):
            lines.append(f"{prefix}{leaf_text(var)}{ident(var)}{typed}")
            return
        name = var.name or ""
        line = f"{prefix}{op_name(node)}{'.' + str(node.outputs.index(var)) if len(node.outputs) > 1 else ''}" \
               f"{ident(var)}{typed} '{name}'   "
        if order is not None:
            line += str(order[node])
        lines.append(line)
        if node in done:
            return
        done[node] = True
        if node.op.name == "concatenate":  # Theano's Join takes its axis as a first input (an int8 constant)
            axis = node.op.params["axis"]
            lines.append(f"{prefix_child} |TensorConstant{{{axis}}}{ident(('constant', 'TensorType(int8, scalar)', axis))}"
                         f"{' <TensorType(int8, scalar)>' if print_type else ''}")
        shown = index_children(node)
        shown = list(node.inputs) if shown is None else shown
        for k, inp in enumerate(shown):
            last = k == len(shown) - 1
            child = prefix_child + ("  " if last else " |")
            if isinstance(inp, tuple):  # an index part, as Theano's graph holds it: Constant{0}, ScalarFromTensor(i)
                index_part(node, k, inp, prefix_child + " |", child, level + 1)
            elif order is None and isinstance(node.op, Elemwise) and inp.ndim < node.outputs[0].ndim:
                expand(node, k, prefix_child + " |", child, level + 1)
            else:
                walk(inp, prefix_child + " |", child, level + 1)

    def index_part(node, k, part, prefix, prefix_child, level):
        if level == depth:
            return
        kind, value = part
        if kind == "Constant":
            lines.append(f"{prefix}Constant{{{value}}}{ident(('index', node, k))}"
                         f"{' <int64>' if print_type else ''}")
            return
        lines.append(f"{prefix}ScalarFromTensor{ident(('index', node, k))}{' <' + value.dtype + '>' if print_type else ''} ''   ")
        walk(value, prefix_child + " |", prefix_child + "  ", level + 1)

    def expand(node, k, prefix, prefix_child, level):
        # Theano's Elemwise broadcasts a lower-rank input through an InplaceDimShuffle{x,...} node
        if level == depth:
            return
        inp = node.inputs[k]
        pattern = ["x"] * (node.outputs[0].ndim - inp.ndim) + [str(d) for d in range(inp.ndim)]
        lines.append(f"{prefix}InplaceDimShuffle{{{','.join(pattern)}}}{ident(('dimshuffle', node, k))}"
                     f"{' <' + str(TensorType(inp.dtype, (1,) * (len(pattern) - inp.ndim) + inp.type.shape)) + '>' if print_type else ''} ''   ")
        walk(inp, prefix_child + " |", prefix_child + "  ", level + 1)

    for root in roots:
        walk(root, "", "", 0)
    text = "\n".join(lines)
    if file == "str":
        return text
    print(text, file=file or sys.stdout)
    return file  # as Theano's: the file given, None for stdout (so the prompt shows nothing more)


def _leaf_key(var):
    """Theano caches small scalar constants (one object per type and value in [-10, 10]): they share an id."""
    if isinstance(var, Constant):
        data = np.asarray(var.data)
        if data.size == 1 and data.dtype.kind in "iuf" and -10 <= data.item() <= 10:
            return ("constant", str(var.type), data.item())
    return var


_DEEP_COPY = Op("DeepCopyOp", lambda x: x)


def _function_roots(fn):
    """A compiled function's outputs as Theano's graph holds them: an output that is an input, or that folds to
    a constant, is a ``DeepCopyOp`` of it; then the updates."""
    roots = []
    for out in fn.outputs:
        folded = None if out.owner is None else static_value(out)
        if out.owner is not None and folded is None:
            roots.append(out)
            continue
        copy = _DEEP_COPY(out if folded is None else constant(np.asarray(folded)))
        copy.name = out.name if out.owner is None else None
        roots.append(copy)
    return roots + [u for _, u in fn.updates]


def theano_order(roots):
    """The nodes computing `roots` in the order Theano's compiled graph lists them (its ``io_toposort``: a
    stack, the last input first), which numbers a compiled function's debugprint."""
    computed, order = set(), []
    todo = [r.owner for r in reversed(roots) if r.owner is not None]
    while todo:
        node = todo.pop()
        if node.outputs[0] in computed:
            continue
        if all(i in computed or i.owner is None for i in node.inputs):
            computed.update(node.outputs)
            order.append(node)
        else:
            todo.append(node)
            todo.extend(i.owner for i in node.inputs if i.owner is not None)
    return order


def _roots(obj):
    if hasattr(obj, "outputs") and hasattr(obj, "updates"):
        return list(obj.outputs) + [u for _, u in obj.updates]
    return list(obj) if isinstance(obj, (list, tuple)) else [obj]


# --------------------------------------------------------------------- pp


def pprint(var):
    """Theano's one-line formula: ``((y * TensorConstant{2}) + exp(y))``, ``Sum{acc_dtype=float64}(tanh((x \\dot W)))``."""
    if isinstance(var, (list, tuple)):
        return ", ".join(pprint(v) for v in var)
    node = var.owner
    if node is None:
        return leaf_text(var)
    if isinstance(node.op, Print):
        return f"{node.op}({pprint(node.inputs[0])})"
    if isinstance(node.op, Elemwise):
        fn = node.op.params["fn"].value
        args = [pprint(i) for i in node.inputs]
        if fn in _INFIX and len(args) >= 2:
            return "(" + f" {_INFIX[fn]} ".join(args) + ")"
        if fn == "neg":
            return f"(-{args[0]})"
        if fn == "abs_":
            return f"|{args[0]}|"
        return f"{fn}({', '.join(args)})"
    if node.op.name == "dot":
        return f"({pprint(node.inputs[0])} \\dot {pprint(node.inputs[1])})"
    if isinstance(node.op, Subtensor) and _index_text(node) is not None:
        return f"{pprint(node.inputs[0])}[{_index_pp(node)}]"
    if node.op.name in ("dimshuffle", "transpose") and var.ndim == 2 and \
            tuple(node.op.params.get("pattern", node.op.params.get("axes"))) == (1, 0):
        return f"{pprint(node.inputs[0])}.T"
    if node.op.name == "concatenate":
        return f"join(TensorConstant{{{node.op.params['axis']}}}, {', '.join(pprint(i) for i in node.inputs)})"
    return f"{op_name(node)}({', '.join(pprint(i) for i in node.inputs)})"


pp = pprint


# -------------------------------------------------------------- pydotprint


def pydotprint(fct, outfile=None, format="png", **_):
    """Write the graph as Graphviz: a .dot file, or rendered with the `dot` program if it is installed."""
    import shutil
    import subprocess

    roots = _roots(fct)
    lines = ["digraph G {", "  rankdir=TB;"]
    names = {}

    def node_id(obj):
        return names.setdefault(obj, f"n{len(names)}")

    for node in toposort(roots):
        lines.append(f'  {node_id(node)} [shape=box, label="{_escape(op_name(node))}"];')
        for inp in node.inputs:
            style = "shape=ellipse, style=filled, fillcolor=lightgrey" if isinstance(inp, Constant) else "shape=ellipse"
            lines.append(f'  {node_id(inp)} [{style}, label="{_escape(repr(inp))}\\n{inp.type}"];')
            lines.append(f"  {node_id(inp)} -> {node_id(node)};")
        for out in node.outputs:
            lines.append(f'  {node_id(out)} [shape=ellipse, label="{_escape(repr(out))}\\n{out.type}"];')
            lines.append(f"  {node_id(node)} -> {node_id(out)};")
    lines.append("}")
    dot = "\n".join(lines)
    outfile = outfile or f"symconv_graph.{format}"
    if outfile.endswith(".dot") or shutil.which("dot") is None:
        target = outfile if outfile.endswith(".dot") else outfile.rsplit(".", 1)[0] + ".dot"
        with open(target, "w") as f:
            f.write(dot)
        return target
    subprocess.run(["dot", f"-T{format}", "-o", outfile], input=dot.encode(), check=True)
    return outfile


def _escape(text):
    return text.replace('"', '\\"')
