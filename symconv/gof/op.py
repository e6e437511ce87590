"""``theano.gof.op``: Theano's test-value helpers (``get_test_value``, ``get_debug_values``), over symconv.test_value."""
import warnings

from ..config import config
from ..ops.literals import as_tensor_variable
from .. import test_value

__all__ = ["get_test_value", "get_debug_values", "missing_test_message"]


def get_test_value(v):
    """The test value of `v` (a constant's data, a shared variable's value, ``tag.test_value``); AttributeError if none.

    A NumPy array or Python number is turned into a constant first, as Theano does.
    """
    return test_value.get_test_value(v if hasattr(v, "own_test_value") else as_tensor_variable(v))


def missing_test_message(msg):
    """Theano's reaction to a missing test value: AttributeError ('raise'), a warning ('warn'), else nothing."""
    action = config.compute_test_value
    if action == "raise":
        raise AttributeError(msg)
    if action == "warn":
        warnings.warn(msg, stacklevel=2)


def get_debug_values(*args):
    """``[tuple of the args' test values]`` when test values are on and all exist, else ``[]`` (Theano's)."""
    if config.compute_test_value == "off":
        return []
    values = []
    for i, arg in enumerate(args):
        try:
            values.append(get_test_value(arg))
        except AttributeError:
            missing_test_message(f"Argument {i} ({arg}) has no test value")
            return []
    return [tuple(values)]
