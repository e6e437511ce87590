"""What every layer and model in ``symconv.layers`` has in common.

A layer holds its parameters as shared variables (``self.params``) and a
symbolic graph built on ``self.input``.  Both pickle, so a trained model can be
saved with ``pickle.dump(classifier, f)`` as the tutorials do.  A graph is tied
to the input it was built on (and, for convolutional layers, to a batch size),
so ``rebuild`` makes the same architecture again on a new input, either sharing
this layer's parameters or from saved parameter values (``from_params``).
"""
import numpy

import symconv


class Layer:
    """Base of the layers: ``params``, their values, and rebuilding on a new input."""

    params = ()

    def architecture(self):
        """The constructor arguments, other than rng, input and parameters, that define this layer."""
        raise NotImplementedError

    @classmethod
    def from_params(cls, params, input, batch_size=None, **architecture):
        """This architecture built on `input` with `params` (shared variables or arrays, in ``params`` order)."""
        raise NotImplementedError

    def rebuild(self, input, batch_size=None):
        """The same layer on a new `input`, sharing this layer's parameters.

        `batch_size` matters to convolutional layers only, whose graphs are built
        for a fixed number of images (None: any number).
        """
        return type(self).from_params(self.params, input, batch_size=batch_size, **self.architecture())

    def get_param_values(self):
        """Copies of the parameter values, in ``params`` order."""
        return [p.get_value() for p in self.params]

    def set_param_values(self, values):
        """Sets every parameter from `values` (arrays in ``params`` order, e.g. another model's)."""
        values = list(values)
        if len(values) != len(self.params):
            raise ValueError(f"{type(self).__name__} has {len(self.params)} parameters, got {len(values)} values")
        for param, value in zip(self.params, values):
            value = value.get_value() if isinstance(value, symconv.SharedVariable) else numpy.asarray(value)
            if value.shape != param.get_value(borrow=True).shape:
                raise ValueError(f"parameter {param!r} has shape {param.get_value(borrow=True).shape}, "
                                 f"the new value has shape {value.shape}")
            param.set_value(value)


def weight_bias(pair):
    """``{"W": W, "b": b}`` from a saved ``[W, b]`` pair, or ``{}`` for None (let the layer draw its own)."""
    return {} if pair is None else {"W": pair[0], "b": pair[1]}


def split_params(params, counts, owner):
    """``params`` cut into consecutive groups of the given sizes (None when params is None)."""
    if params is None:
        return [None] * len(counts)
    params = list(params)
    if len(params) != sum(counts):
        raise ValueError(f"{owner} needs {sum(counts)} parameters, got {len(params)}")
    groups, start = [], 0
    for count in counts:
        groups.append(params[start:start + count])
        start += count
    return groups
