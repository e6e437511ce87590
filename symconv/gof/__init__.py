"""``theano.gof``: Theano's graph module path (``theano.gof.graph.inputs``, ``theano.gof.Variable``).

A face over ``symconv.graph``; the graph helpers Theano's users call are in ``symconv.gof.graph``.
"""
from . import graph  # noqa: F401
from .graph import Apply, Constant, Variable  # noqa: F401
from . import fg, op  # noqa: F401,E402  (theano.gof.fg.MissingInputError, theano.gof.op.get_test_value)
from .fg import MissingInputError  # noqa: F401,E402
