"""compat/theano_doctests.py: the reST reading and Sphinx's doctest semantics, on a small page (no Theano)."""
import importlib.util
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("theano_doctests", ROOT / "compat" / "theano_doctests.py")
harness = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(harness)

PAGE = """\
Title
=====

.. testsetup::

   base = 10

A doctest block:

>>> base + 1
11

A literal block is not tested::

   >>> 1 / 0

.. code-block:: python

   >>> raise SystemExit

.. note::

   Inside a note it is a doctest block again:

   >>> base * 2
   21

.. testcode::

   print(base + 2)

.. testoutput::

   12

.. testcode::

   print("testcode without testoutput must print nothing")

.. testcode:: other

   y = 1

.. testsetup:: broken

   raise ValueError("no")

.. doctest:: broken

   >>> 1
   1

.. doctest::
   :options: +NORMALIZE_WHITESPACE

   >>> [1,
   ...  2]
   [1,    2]
   >>> raise TypeError("any message")
   Traceback (most recent call last):
   ValueError: other detail
"""


def test_blocks_found_as_sphinx_collects_them():
    nodes = harness.parse_document(PAGE)
    kinds = [(n["kind"], n["groups"]) for n in nodes]
    assert kinds == [
        ("testsetup", ["default"]), ("doctest", ["default"]), ("doctest", ["default"]),
        ("testcode", ["default"]), ("testoutput", ["default"]), ("testcode", ["default"]),
        ("testcode", ["other"]), ("testsetup", ["broken"]), ("doctest", ["broken"]),
        ("doctest", ["default"]),
    ]
    blocks = harness.test_blocks(harness.build_groups(nodes), "page.txt")
    assert len(blocks) == 7
    assert [mode for _, _, _, mode in blocks] == ["single", "single", "exec", "exec", "single", "exec", "single"]


def test_run_document_applies_sphinx_rules(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    out = tmp_path / "out.json"
    harness.run_document(str(page), str(out))
    results = {(r["line"], r["group"]): r for r in json.loads(out.read_text())}
    by_line = {line: r for (line, _), r in results.items()}
    assert by_line[10]["passed"]  # base + 1 with the setup's namespace
    assert not by_line[25]["passed"] and "expected '21', got '20'" in by_line[25]["problem"]
    assert by_line[28]["passed"]  # testcode paired with its testoutput
    assert not by_line[36]["passed"]  # printed, but no testoutput
    assert by_line[40]["passed"]  # group "other": no output expected, none printed
    assert not by_line[48]["passed"] and by_line[48]["problem"].startswith("testsetup failed")
    # NORMALIZE_WHITESPACE from :options:; IGNORE_EXCEPTION_DETAIL compares the type only
    assert not by_line[53]["passed"]
    assert by_line[53]["problem"].endswith("expected 'ValueError: other detail', got 'TypeError: any message'")
    assert by_line[53]["failed"] == 1 and by_line[53]["examples"] == 2
