"""A fully connected layer: activation(x W + b), with Glorot-uniform initial weights."""
from .. import tensor as T
from .base import Layer
from .init import as_shared, glorot_uniform, zeros


def is_sigmoid(activation):
    return activation is T.nnet.sigmoid or activation is T.sigmoid


class HiddenLayer(Layer):
    """The MLP tutorial's hidden layer.

    ``W`` (n_in, n_out) is drawn uniformly from ``±sqrt(6 / (n_in + n_out))``
    (Glorot & Bengio 2010), four times wider for a sigmoid activation; ``b``
    starts at zero.  ``activation=None`` gives a linear layer.  The activation
    must be picklable (a symconv op such as ``T.tanh``, or a module-level
    function) for the layer to pickle.
    """

    def __init__(self, rng, input, n_in, n_out, W=None, b=None, activation=T.tanh):
        self.input = input
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.activation = activation
        if W is None:
            W = glorot_uniform(rng, (self.n_in, self.n_out), self.n_in, self.n_out,
                               scale=4.0 if is_sigmoid(activation) else 1.0)
        if b is None:
            b = zeros((self.n_out,))
        self.W = as_shared(W, "W", (self.n_in, self.n_out))
        self.b = as_shared(b, "b", (self.n_out,))
        lin_output = T.dot(input, self.W) + self.b
        self.output = lin_output if activation is None else activation(lin_output)
        self.params = [self.W, self.b]

    def architecture(self):
        return {"n_in": self.n_in, "n_out": self.n_out, "activation": self.activation}

    @classmethod
    def from_params(cls, params, input, batch_size=None, n_in=None, n_out=None, activation=T.tanh):
        W, b = params
        return cls(None, input, n_in, n_out, W=W, b=b, activation=activation)
