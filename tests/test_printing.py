"""debugprint (text tree) and pydotprint (Graphviz) of variables and compiled functions."""
import io

import numpy as np

import symconv
import symconv.tensor as T
from symconv import printing


def _graph():
    x = T.dmatrix("x")
    W = symconv.shared(np.ones((3, 2)), name="W")
    return x, W, T.tanh(T.dot(x, W)).sum()


def test_debugprint_of_a_variable_shows_the_tree():
    x, W, out = _graph()
    text = printing.debugprint(out, file="str")
    lines = text.splitlines()
    assert lines[0].startswith("Sum{acc_dtype=float64}")  # Theano's names (golden text: test_theano_api_function)
    assert any(line.strip(" |").startswith("Elemwise{tanh,no_inplace}") for line in lines)
    assert any(line.strip(" |").startswith("dot") for line in lines)
    typed = printing.debugprint(out, file="str", print_type=True).splitlines()
    assert any("x [id" in line and "float64" in line for line in typed)
    assert any("W [id" in line for line in lines)
    depth = {name: next(len(l) - len(l.lstrip(" |")) for l in lines if l.strip(" |").startswith(name))
             for name in ("Elemwise{tanh", "dot")}
    assert depth["dot"] > depth["Elemwise{tanh"]


def test_debugprint_of_a_function_includes_updates_and_prints_to_a_file():
    x, W, out = _graph()
    f = symconv.function([x], out, updates=[(W, W * 2)])
    buffer = io.StringIO()
    printing.debugprint(f, file=buffer)
    text = buffer.getvalue()
    assert "Sum{acc_dtype=float64}" in text and "Elemwise{mul,no_inplace}" in text


def test_shared_subgraphs_are_printed_once():
    x = T.dvector("x")
    h = T.exp(x)
    text = printing.debugprint(h + h, file="str")
    # As Theano: a node seen before is printed again, with its id, but not its inputs.
    assert text.count("Elemwise{exp,no_inplace} [id B]") == 2 and text.count("x [id C]") == 1


def test_pydotprint_writes_graphviz(tmp_path):
    x, W, out = _graph()
    written = printing.pydotprint(out, outfile=str(tmp_path / "graph.dot"))
    dot = open(written).read()
    assert dot.startswith("digraph") and "tanh" in dot and "dot" in dot and "->" in dot
    f = symconv.function([x], out)
    written = printing.pydotprint(f, outfile=str(tmp_path / "fn.png"))
    assert (tmp_path / "fn.png").exists() or written.endswith(".dot")


def test_pp_formula():
    x, W, out = _graph()
    assert symconv.pp(out) == "Sum{acc_dtype=float64}(tanh((x \\dot W)))"  # Theano's text
