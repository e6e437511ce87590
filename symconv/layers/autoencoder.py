"""The denoising auto-encoder of dA.py (and of each layer of SdA.py).

An auto-encoder encodes its input x as a hidden code y = s(x W + b) and
decodes it back as z = s(y W' + b'); here the weights are tied, W' = W^T.  It
learns by making z close to x under the cross-entropy

    L(x, z) = - sum_k [ x_k log z_k + (1 - x_k) log(1 - z_k) ].

The *denoising* variant first destroys part of the input: each pixel is set
to zero with probability `corruption_level`, giving x~; the code is computed
from x~ while the reconstruction is still compared with the clean x.  To undo
the damage the hidden units must capture how pixels depend on each other.

References: Vincent, Larochelle, Bengio & Manzagol, "Extracting and Composing
Robust Features with Denoising Autoencoders", ICML 2008.
"""
import symconv
import symconv.tensor as T
from symconv.tensor.shared_randomstreams import RandomStreams

from .base import Layer
from .init import as_shared, glorot_uniform, zeros


def sigmoid_weights(numpy_rng, n_visible, n_hidden):
    """Uniform in ``±4 sqrt(6 / (n_visible + n_hidden))``: the range suited to sigmoid units."""
    return glorot_uniform(numpy_rng, (n_visible, n_hidden), n_visible, n_hidden, scale=4.0)


class dA(Layer):  # noqa: N801 - the tutorial's name
    """A denoising auto-encoder with tied weights.

    Built on a symbolic `input` (a matrix, one example per row; a fresh
    ``T.dmatrix`` when None).  `W`, `bhid` and `bvis` may be given as shared
    variables to share them with another model: the SdA gives each of its
    dAs the weights of one of its sigmoid layers.
    """

    def __init__(self, numpy_rng, theano_rng=None, input=None, n_visible=784, n_hidden=500,
                 W=None, bhid=None, bvis=None):
        self.n_visible, self.n_hidden = int(n_visible), int(n_hidden)
        # The symbolic random generator draws the corruption masks.
        self.theano_rng = theano_rng or RandomStreams(numpy_rng.randint(2 ** 30))
        self.W = as_shared(sigmoid_weights(numpy_rng, n_visible, n_hidden) if W is None else W, "W",
                           (self.n_visible, self.n_hidden))
        self.b = as_shared(zeros(n_hidden) if bhid is None else bhid, "b", (self.n_hidden,))  # hidden bias
        self.b_prime = as_shared(zeros(n_visible) if bvis is None else bvis, "b_prime",  # visible bias
                                 (self.n_visible,))
        self.W_prime = self.W.T  # tied weights
        # A minibatch is a matrix with one example per row.
        self.x = T.dmatrix(name="input") if input is None else input
        self.params = [self.W, self.b, self.b_prime]

    def get_corrupted_input(self, input, corruption_level):
        """`input` with each entry zeroed with probability `corruption_level` (a float or a symbolic scalar).

        The mask is a binomial draw with one trial and success probability
        ``1 - corruption_level``; asking for floatX samples keeps the product
        in floatX (the default int64 samples times float32 would be float64).
        """
        mask = self.theano_rng.binomial(size=input.shape, n=1, p=1 - corruption_level, dtype=symconv.config.floatX)
        return mask * input

    def get_hidden_values(self, input):
        """The code y = sigmoid(input W + b)."""
        return T.nnet.sigmoid(T.dot(input, self.W) + self.b)

    def get_reconstructed_input(self, hidden):
        """The reconstruction z = sigmoid(hidden W' + b')."""
        return T.nnet.sigmoid(T.dot(hidden, self.W_prime) + self.b_prime)

    def get_cost_updates(self, corruption_level, learning_rate):
        """The mean reconstruction cross-entropy of the minibatch, and the SGD updates that lower it."""
        tilde_x = self.get_corrupted_input(self.x, corruption_level)
        y = self.get_hidden_values(tilde_x)
        z = self.get_reconstructed_input(y)
        # One cross-entropy per example (summed over the pixels), averaged over the minibatch.
        # log(z) and log(1 - z) of a sigmoid are computed stably (as softplus) when compiled.
        L = - T.sum(self.x * T.log(z) + (1 - self.x) * T.log(1 - z), axis=1)
        cost = T.mean(L)

        gparams = T.grad(cost, self.params)
        updates = [(param, param - learning_rate * gparam) for param, gparam in zip(self.params, gparams)]
        return cost, updates

    def architecture(self):
        return {"n_visible": self.n_visible, "n_hidden": self.n_hidden}

