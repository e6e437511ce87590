"""``symconv.tensor.signal``: pooling (``pool``, and the old ``downsample`` path)."""
from . import downsample, pool  # noqa: F401
