"""Parameter initialisation: the tutorials' Glorot-uniform ranges and shared-variable wrapping."""
import numpy

import symconv


def glorot_bound(fan_in, fan_out):
    """``sqrt(6 / (fan_in + fan_out))``: the half-width of Glorot & Bengio's uniform range for tanh units."""
    return float(numpy.sqrt(6.0 / (fan_in + fan_out)))


def glorot_uniform(rng, shape, fan_in, fan_out, scale=1.0):
    """Weights uniform in ``±scale * glorot_bound(fan_in, fan_out)``, as floatX."""
    bound = glorot_bound(fan_in, fan_out)
    values = numpy.asarray(rng.uniform(low=-bound, high=bound, size=shape), dtype=symconv.config.floatX)
    return values * numpy.asarray(scale, dtype=values.dtype) if scale != 1.0 else values


def zeros(shape):
    return numpy.zeros(shape, dtype=symconv.config.floatX)


def as_shared(value, name, shape):
    """`value` as a shared variable: passed through if it already is one, else wrapped.

    Arrays are checked against the `shape` the layer expects, so that a saved
    parameter list given in the wrong order fails here, not deep in the graph.
    """
    if isinstance(value, symconv.SharedVariable):
        found = value.get_value(borrow=True).shape
    else:
        value = numpy.asarray(value)
        found = value.shape
    if tuple(found) != tuple(shape):
        raise ValueError(f"parameter {name} must have shape {tuple(shape)}, got {tuple(found)}")
    if isinstance(value, symconv.SharedVariable):
        return value
    return symconv.shared(value=value, name=name, borrow=True)
