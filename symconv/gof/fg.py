"""``theano.gof.fg``: where Theano's users import ``MissingInputError`` from."""
from ..errors import MissingInputError  # noqa: F401
