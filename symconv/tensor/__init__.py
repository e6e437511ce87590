"""``symconv.tensor`` (``import symconv.tensor as T``): types, constructors and ops, Theano's names."""
from . import basic as _basic
from .basic import *  # noqa: F401,F403
from .basic import as_tensor, as_tensor_variable, constant  # noqa: F401
from .subtensor import inc_subtensor, set_subtensor, subtensor  # noqa: F401
from .type import TensorType, _install, tensor  # noqa: F401

_install(globals())
for _name in dir(_basic):
    if not _name.startswith("_") and callable(getattr(_basic, _name)):
        globals()[_name] = getattr(_basic, _name)

from ..gradient import grad  # noqa: E402,F401
from ..graph import Constant as TensorConstant, Variable as TensorVariable  # noqa: E402,F401
from . import nnet  # noqa: E402,F401
from ..compile.shared import SharedVariable as TensorSharedVariable  # noqa: E402,F401
from . import shared_randomstreams  # noqa: E402,F401
from .shared_randomstreams import RandomStreams  # noqa: E402,F401
