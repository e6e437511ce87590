"""The deeplearning.net tutorials' ``utils.py``: ``from utils import tile_raster_images`` works as there.

The helper lives in ``symconv.tutorials_impl.tiles``.
"""
from symconv.tutorials_impl.tiles import scale_to_unit_interval, tile_raster_images  # noqa: F401
