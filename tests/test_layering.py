"""The package reads bottom-up: its import graph (function-level imports included) has no cycle.

Edges are read with ``ast`` from every module of ``symconv/``: ``import``,
``from ... import`` (relative ones resolved), and ``importlib.import_module``
with a literal name.  Importing ``a.b.c`` also runs ``a/b/__init__.py``, so an
edge to a submodule is also an edge to each package above it (the root
package, ``symconv/__init__.py``, excepted: it is the face that imports
everything, as ``import symconv as theano`` needs).
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "symconv"
ROOT = "symconv"


def module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(name):
    return (PACKAGE.parent / Path(*name.split(".")) / "__init__.py").exists()


def exists(name):
    base = PACKAGE.parent / Path(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def resolve(source, node):
    """The symconv modules one import statement (or import_module call) names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            package = source if is_package(source) else source.rsplit(".", 1)[0]
            for _ in range(node.level - 1):
                package = package.rsplit(".", 1)[0]
            base = f"{package}.{node.module}" if node.module else package
        else:
            base = node.module
        return [f"{base}.{a.name}" if exists(f"{base}.{a.name}") else base for a in node.names]
    if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module":
        if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            return [node.args[0].value]
    return []


def import_graph():
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        source = module_name(path)
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for target in resolve(source, node):
                if target != ROOT and target.startswith(ROOT + "."):
                    edges.add(target)
                    parent = target.rsplit(".", 1)[0]
                    while parent != ROOT:
                        edges.add(parent)
                        parent = parent.rsplit(".", 1)[0]
        # A module's own packages run before it: they are not edges out of it.
        graph[source] = {t for t in edges if t != source and not source.startswith(t + ".")}
    return graph


def find_cycle(graph):
    """One cycle as a list of modules, or None (iterative depth-first search)."""
    state = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph.get(start, ()))))]
        path = [start]
        state[start] = "open"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = "done"
                stack.pop()
                path.pop()
            elif state.get(child) == "open":
                return path[path.index(child):] + [child]
            elif child not in state:
                state[child] = "open"
                stack.append((child, iter(sorted(graph.get(child, ())))))
                path.append(child)
    return None


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert len(graph) > 40
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("module", ["symconv.graph", "symconv.contract", "symconv.interpret", "symconv.op",
                                    "symconv.type"])
def test_the_core_imports_nothing_above_it(module):
    above = ("symconv.tensor", "symconv.compile", "symconv.ops", "symconv.gradient", "symconv.scan",
             "symconv.random")
    if module == "symconv.graph":
        above += ("symconv.type", "symconv.op", "symconv.contract", "symconv.interpret")
    upward = sorted(t for t in import_graph()[module] if t.startswith(above))
    assert not upward, f"{module} imports {upward}"


def test_the_checker_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_resolver_sees_function_level_and_parent_imports():
    tree = ast.parse("def f():\n    from ..tensor import basic\n    import importlib\n"
                     "    importlib.import_module('symconv.tensor')\n")
    found = [t for node in ast.walk(tree) for t in resolve("symconv.ops.variable", node)]
    assert "symconv.tensor" in found


def test_ops_are_recognised_by_identity_not_by_name():
    """An op that is only *named* like softmax, log or shape is not rewritten or folded as one."""
    import numpy as np

    import symconv
    import symconv.tensor as T
    from symconv.op import Op

    x = T.dmatrix("x")
    doubled = Op("softmax", lambda a: a * 2.0)(x)
    f = symconv.function([x], Op("log", lambda a: a + 1.0)(doubled))
    value = np.full((1, 2), 0.25)
    np.testing.assert_allclose(f(value), 2 * value + 1.0)
    g = symconv.function([x], T.log(doubled))
    np.testing.assert_allclose(g(value), np.log(2 * value))
    ones = T.constant(np.ones((2, 3)))
    fake_shape = Op("shape", lambda a: (5 * a.sum(axis=0)).astype("int64"))(ones)
    np.testing.assert_array_equal(T.static_value(fake_shape), [10, 10, 10])
    np.testing.assert_array_equal(T.static_value(ones.shape), [2, 3])


def test_no_private_name_is_imported_across_modules():
    """``from .x import _helper`` reaches into another module's internals: give the helper a public name."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith(ROOT)):
                found += [f"{path.relative_to(PACKAGE.parent)}: {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert not found, found
