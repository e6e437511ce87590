"""Looking at graphs: ``debugprint`` (a text tree) and ``pydotprint`` (Graphviz)."""
import sys

from .graph import Constant, toposort


def _label(var):
    return f"{var!r} [id {_ids.setdefault(var, len(_ids))}] {var.type}"


_ids = {}


def debugprint(obj, file=None, print_type=True, ids="id", depth=-1, done=None):
    """Print the graph of a variable, a list of variables, or a compiled function as an indented tree."""
    lines = []
    roots = _roots(obj)
    seen = set()
    for root in roots:
        _tree(root, "", lines, seen, depth)
    text = "\n".join(lines)
    if file == "str":
        return text
    print(text, file=file or sys.stdout)
    return file


def _roots(obj):
    if hasattr(obj, "outputs") and hasattr(obj, "updates"):
        return list(obj.outputs) + [u for _, u in obj.updates]
    return list(obj) if isinstance(obj, (list, tuple)) else [obj]


def _tree(var, indent, lines, seen, depth):
    node = var.owner
    if node is None or depth == 0:
        lines.append(f"{indent}{_label(var)}" if indent else _label(var))
        return
    head = f"{node.op} [id {_ids.setdefault(var, len(_ids))}] {var.type}"
    if var in seen:
        lines.append(f"{indent}{head} ''   (shown above)")
        return
    seen.add(var)
    name = f" '{var.name}'" if var.name else ""
    lines.append(f"{indent}{head}{name}")
    for inp in node.inputs:
        _tree(inp, indent + " |", lines, seen, depth - 1)


def pprint(var):
    """A one-line formula for a variable."""
    node = var.owner
    if node is None:
        return repr(var)
    return f"{node.op.name}({', '.join(pprint(i) for i in node.inputs)})"


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
        lines.append(f'  {node_id(node)} [shape=box, label="{node.op}"];')
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
