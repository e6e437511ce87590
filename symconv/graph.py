"""The symbolic graph: variables, the apply nodes that make them, and walks over them.

Every apply node remembers the line of user code that created it, so errors at
build, compile or run time can point at the user's own source.  The graph
knows nothing of tensors: a variable's *type* decides which class of variable
it is (``type.make_variable``), so tensor variables carry their operators
without this module importing them.
"""
import copy
import linecache
import os
import sys

from .config import config

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class SourceLine:
    """Where in user code (outside this package) a node was created."""

    __slots__ = ("filename", "lineno", "function")

    def __init__(self, filename, lineno, function):
        self.filename, self.lineno, self.function = filename, lineno, function

    @classmethod
    def capture(cls):
        frame = sys._getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if not os.path.abspath(filename).startswith(_PACKAGE_DIR) and "importlib" not in filename:
                return cls(filename, frame.f_lineno, frame.f_code.co_name)
            frame = frame.f_back
        return None

    @property
    def text(self):
        try:
            return linecache.getline(self.filename, self.lineno).strip()
        except (IndexError, KeyError, ValueError):  # a line cache patched by doctest, which knows only its own test
            return ""

    def __getstate__(self):
        return (self.filename, self.lineno, self.function)

    def __setstate__(self, state):
        self.filename, self.lineno, self.function = state

    def __str__(self):
        text = self.text
        return f'File "{self.filename}", line {self.lineno}, in {self.function}' + (f"\n    {text}" if text else "")


class Scratchpad:
    """``var.tag``: free attributes on a variable (Theano's ``tag.test_value``, ``tag.trace``...)."""

    def __repr__(self):
        return f"scratchpad{self.__dict__}"


_THEANO_NAMES = {}
_THEANO_NAMING = [False]


class GraphClass(type):
    """The classes of graph objects.  Inside ``symconv run`` (the ``theano`` alias) a class that a Theano module
    path re-exports shows that path, as Theano's ``type(x)`` does: ``<class 'theano.tensor.var.TensorVariable'>``
    (``theano.tensor.var.TensorVariable`` *is* the class there).  Only the repr changes: pickles, ``__module__``
    and ``isinstance`` do not."""

    def __repr__(cls):
        if _THEANO_NAMING[0] and cls in _THEANO_NAMES:
            return f"<class '{_THEANO_NAMES[cls]}'>"
        return super().__repr__()


def register_theano_name(cls, path):
    """`path` (``theano.tensor.var.TensorVariable``) is where a Theano module face re-exports `cls`."""
    _THEANO_NAMES[cls] = path


def show_theano_names(on):
    """Turns the Theano class names on (inside the alias) or off; returns the previous setting."""
    before, _THEANO_NAMING[0] = _THEANO_NAMING[0], bool(on)
    return before


class Variable(metaclass=GraphClass):
    """A symbolic value: a type, and the apply node that computes it (None for a leaf)."""

    def __init__(self, type, owner=None, index=None, name=None):
        self.type = type
        self.owner = owner
        self.index = index
        self.name = name
        self.source = owner.source if owner is not None else SourceLine.capture()

    def __bool__(self):
        # Theano code writes `if not W:` to mean "W was not given".
        return True

    # == stays identity, as in Theano: variables are dict keys (givens, updates).
    __hash__ = object.__hash__

    @property
    def tag(self):
        """Free attributes (``x.tag.test_value = array``), made on first use."""
        pad = self.__dict__.get("_tag")
        if pad is None:
            pad = self.__dict__["_tag"] = Scratchpad()
        return pad

    @tag.setter
    def tag(self, pad):
        self.__dict__["_tag"] = pad

    def own_test_value(self):
        """The value ``compute_test_value`` uses for this variable: ``tag.test_value`` (AttributeError if none)."""
        return self.tag.test_value

    def clone(self):
        return type(self)(self.type, name=self.name)

    def __str__(self):
        return self.name or self.auto_name

    def __repr__(self):
        # Theano's: with config.print_test_value, the test value (if any) on the next line.
        if config.print_test_value:
            try:
                return f"{self}\n{self.own_test_value()!r}"
            except AttributeError:
                pass
        return str(self)

    @property
    def auto_name(self):
        """Theano's str of an unnamed variable: ``Elemwise{add,no_inplace}.0`` (op, output index), or ``<type>``."""
        if self.owner is not None:
            return f"{_NODE_NAMER[0](self.owner)}.{self.index}"
        return f"<{self.type}>"

    def describe(self):
        """Name, type and creating source line, for error messages."""
        where = f"\n  created at {self.source}" if self.source else ""
        return f"{self!r} ({self.type}){where}"


class Constant(Variable):
    """A leaf holding a fixed NumPy value, embedded in the compiled computation."""

    def __init__(self, type, data, name=None):
        super().__init__(type, name=name)
        self.data = data

    def clone(self):
        return type(self)(self.type, self.data, name=self.name)

    def own_test_value(self):
        return self.data

    def __str__(self):
        if self.name:
            return self.name
        if self.data.size <= 8:
            return str(self.data.tolist())
        return f"Constant{{{self.type}}}"

    __repr__ = __str__


_NODE_NAMER = [lambda node: node.op.name]


def register_node_namer(namer):
    """How an unnamed output names its apply node (``symconv.printing`` registers Theano's op names)."""
    _NODE_NAMER[0] = namer


def make_variable(type, owner=None, index=None, name=None):
    """A variable of `type`, of the class the type asks for (a plain Variable if it names none)."""
    factory = getattr(type, "make_variable", None)
    if factory is None:
        return Variable(type, owner=owner, index=index, name=name)
    return factory(owner=owner, index=index, name=name)


class Apply:
    """One use of an op on input variables, producing output variables."""

    def __init__(self, op, inputs, output_types):
        self.op = op
        self.inputs = list(inputs)
        self.source = SourceLine.capture()
        self.outputs = [make_variable(t, owner=self, index=i) for i, t in enumerate(output_types)]

    def __repr__(self):
        return f"{self.op}({', '.join(map(repr, self.inputs))})"


def toposort(outputs, stop=()):
    """Apply nodes needed for `outputs`, each after its inputs' nodes; iterative (deep graphs)."""
    stop = set(stop)
    order, done, stack = [], set(), [(v, False) for v in reversed(list(outputs))]
    while stack:
        var, expanded = stack.pop()
        node = var.owner
        if node is None or var in stop:
            continue
        if expanded:
            if node not in done:
                done.add(node)
                order.append(node)
            continue
        if node in done:
            continue
        stack.append((var, True))
        stack.extend((inp, False) for inp in reversed(node.inputs) if inp.owner is not None and inp.owner not in done)
    return order


def ancestors(outputs, stop=()):
    """All variables `outputs` depend on (themselves included), not looking past `stop`."""
    stop = set(stop)
    seen, stack = set(), list(outputs)
    while stack:
        var = stack.pop()
        if var in seen:
            continue
        seen.add(var)
        if var.owner is not None and var not in stop:
            stack.extend(var.owner.inputs)
    return seen


def leaves(outputs, stop=()):
    """Variables without an owner (or in `stop`) that `outputs` depend on, in first-seen order."""
    found = {}
    for node in toposort(outputs, stop):
        for inp in node.inputs:
            if inp.owner is None or inp in stop:
                found.setdefault(inp, None)
    for var in outputs:
        if var.owner is None or var in set(stop):
            found.setdefault(var, None)
    return list(found)


def clone_replace(outputs, replace, ops=None):
    """Copies of `outputs` with each key of `replace` swapped for its value.

    Nodes that do not depend on a replaced variable are shared, not copied,
    so shared variables and constants keep their identity.  `ops` (``{node:
    op}``) gives nodes a new op of the same outputs (a rewrite that annotates).
    An op that names variables in its parameters (a gradient's
    consider_constant) is copied with the copies of those variables.
    """
    ops = ops or {}
    if not replace and not ops:
        return list(outputs)
    memo = dict(replace)
    for node in toposort(outputs, stop=replace):
        memo.update(zip(node.outputs, copy_node(node, [memo.get(i, i) for i in node.inputs], memo, ops.get(node))))
    return [memo.get(v, v) for v in outputs]


def copy_node(node, inputs, memo, op=None):
    """The outputs of `node` reading `inputs` instead, with `op` if given: `node`'s own outputs where
    nothing changes, else those of a copy (whose op names `memo`'s copies of the variables in its params)."""
    op = op or node.op
    params = getattr(op, "params", None)
    remapped = _remap_params(params, memo) if params else params
    if remapped is not params:
        op = copy.copy(op)
        op.params = remapped
    if op is node.op and all(a is b for a, b in zip(inputs, node.inputs)):
        return node.outputs
    clone = Apply.__new__(Apply)
    clone.op, clone.inputs, clone.source = op, list(inputs), node.source
    clone.outputs = [make_variable(out.type, owner=clone, index=out.index, name=out.name) for out in node.outputs]
    return clone.outputs


def _remap_params(params, memo):
    """An op's `params` with the variables they name mapped by `memo` (``_private`` ones left: a fused node's
    inner graph keeps its own variables); the same dict where nothing changes."""
    items = {k: v if k.startswith("_") else _remap(v, memo) for k, v in params.items()}
    return params if all(items[k] is v for k, v in params.items()) else items


def _remap(value, memo):
    """`value` (a parameter: a variable, or a dict/tuple/list holding some) with variables mapped by `memo`;
    the same object where nothing changes."""
    if isinstance(value, Variable):
        return memo.get(value, value)
    if isinstance(value, dict):
        items = {k: _remap(v, memo) for k, v in value.items()}
        return value if all(items[k] is v for k, v in value.items()) else items
    if isinstance(value, (tuple, list)):
        items = [_remap(v, memo) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else type(value)(items)
    return value
