"""``theano.compile.function_module``: the module path Theano's users import function errors from."""
from ..errors import MissingInputError, UnusedInputError  # noqa: F401
from .function import Function, function  # noqa: F401
