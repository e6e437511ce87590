"""The restricted Boltzmann machine of rbm.py (and of each layer of DBN.py).

An RBM is an energy-based model of binary visible units v and hidden units h
with connections only between the two layers:

    E(v, h) = - v b_vis - h b_hid - v W h,     p(v, h) ~ exp(-E(v, h)).

Summing out h gives the free energy F(v) = - v b_vis - sum_j log(1 + exp(v W_j + b_hid_j)),
and the layers are conditionally independent given each other:
p(h_j = 1 | v) = sigmoid(v W_j + b_hid_j), p(v_i = 1 | h) = sigmoid(W_i h + b_vis_i),
so block Gibbs sampling alternates between the two layers.

The gradient of the log-likelihood is dF/dtheta at the data minus its
expectation under the model.  Contrastive divergence (CD-k) estimates the
second term with a sample reached by k Gibbs steps from the data; persistent
CD (PCD-k) continues one chain from minibatch to minibatch instead.  The Gibbs
chain is a ``scan``, and ``T.grad(..., consider_constant=[chain_end])`` keeps
the gradient from flowing through the sampling.
"""
import numpy

import symconv
import symconv.tensor as T
from symconv.tensor.shared_randomstreams import RandomStreams

from .autoencoder import sigmoid_weights
from .base import Layer
from .init import as_shared, zeros


class RBM(Layer):
    """A restricted Boltzmann machine with binary units.

    `input` is the symbolic minibatch (a fresh ``T.matrix`` when None).  `W`,
    `hbias` and `vbias` may be given as shared variables, to share them with
    another model: in a DBN, each RBM uses the weights of one sigmoid layer.
    """

    def __init__(self, input=None, n_visible=784, n_hidden=500, W=None, hbias=None, vbias=None,
                 numpy_rng=None, theano_rng=None):
        self.n_visible, self.n_hidden = int(n_visible), int(n_hidden)
        if numpy_rng is None:
            numpy_rng = numpy.random.RandomState(1234)
        self.theano_rng = theano_rng or RandomStreams(numpy_rng.randint(2 ** 30))
        self.W = as_shared(sigmoid_weights(numpy_rng, n_visible, n_hidden) if W is None else W, "W",
                           (self.n_visible, self.n_hidden))
        self.hbias = as_shared(zeros(n_hidden) if hbias is None else hbias, "hbias", (self.n_hidden,))
        self.vbias = as_shared(zeros(n_visible) if vbias is None else vbias, "vbias", (self.n_visible,))
        self.input = T.matrix("input") if input is None else input
        # Only the shared variables created for this RBM (or given to it) belong here:
        # they are what get_cost_updates trains.
        self.params = [self.W, self.hbias, self.vbias]

    def free_energy(self, v_sample):
        """F(v) for each row of `v_sample`."""
        wx_b = T.dot(v_sample, self.W) + self.hbias
        vbias_term = T.dot(v_sample, self.vbias)
        # log(1 + exp(.)) is compiled as a stable softplus.
        hidden_term = T.sum(T.log(1 + T.exp(wx_b)), axis=1)
        return -hidden_term - vbias_term

    def propup(self, vis):
        """The hidden units' pre-sigmoid activation and their mean, given the visible units.

        The pre-sigmoid value is returned too, so that costs can apply
        ``log(sigmoid(.))`` to it directly (see get_reconstruction_cost).
        """
        pre_sigmoid_activation = T.dot(vis, self.W) + self.hbias
        return [pre_sigmoid_activation, T.nnet.sigmoid(pre_sigmoid_activation)]

    def propdown(self, hid):
        """The visible units' pre-sigmoid activation and their mean, given the hidden units."""
        pre_sigmoid_activation = T.dot(hid, self.W.T) + self.vbias
        return [pre_sigmoid_activation, T.nnet.sigmoid(pre_sigmoid_activation)]

    def sample(self, pre_sigmoid_and_mean):
        """``[pre-sigmoid activation, mean, binary sample]`` from `propup` or `propdown`'s pair.

        floatX samples keep the rest of the graph in floatX (the default dtype is int64).
        """
        pre_sigmoid, mean = pre_sigmoid_and_mean
        sample = self.theano_rng.binomial(size=mean.shape, n=1, p=mean, dtype=symconv.config.floatX)
        return [pre_sigmoid, mean, sample]

    def sample_h_given_v(self, v0_sample):
        """[pre-sigmoid activation, mean, binary sample] of the hidden units given `v0_sample`."""
        return self.sample(self.propup(v0_sample))

    def sample_v_given_h(self, h0_sample):
        """[pre-sigmoid activation, mean, binary sample] of the visible units given `h0_sample`."""
        return self.sample(self.propdown(h0_sample))

    def gibbs_hvh(self, h0_sample):
        """One Gibbs step from the hidden layer: h -> v -> h (six outputs, visible ones first)."""
        visible = self.sample_v_given_h(h0_sample)
        return visible + self.sample_h_given_v(visible[2])

    def gibbs_vhv(self, v0_sample):
        """One Gibbs step from the visible layer: v -> h -> v (six outputs, hidden ones first)."""
        hidden = self.sample_h_given_v(v0_sample)
        return hidden + self.sample_v_given_h(hidden[2])

    def get_cost_updates(self, lr=0.1, persistent=None, k=1):
        """One step of CD-k (`persistent` None) or PCD-k: ``(monitoring cost, updates)``.

        lr          learning rate, a float or a symbolic scalar
        persistent  for PCD, a shared (batch size, n_hidden) matrix holding the chain's hidden state
        k           Gibbs steps per update
        The updates (a dictionary) hold the random streams' new states, the
        parameters' SGD steps and, for PCD, the chain's new state.
        """
        # Positive phase.
        pre_sigmoid_ph, ph_mean, ph_sample = self.sample_h_given_v(self.input)

        # CD starts the negative chain at the hidden sample of the data; PCD where it stopped last time.
        chain_start = ph_sample if persistent is None else persistent

        # Negative phase: k Gibbs steps.  The first five outputs are not fed back (None);
        # the sixth, the hidden sample, is the state carried from step to step.
        ([pre_sigmoid_nvs, nv_means, nv_samples, pre_sigmoid_nhs, nh_means, nh_samples], updates) = symconv.scan(
            self.gibbs_hvh, outputs_info=[None, None, None, None, None, chain_start], n_steps=k, name="gibbs_hvh")

        # Only the end of the chain enters the cost.
        chain_end = nv_samples[-1]
        cost = T.mean(self.free_energy(self.input)) - T.mean(self.free_energy(chain_end))
        # The sample is a constant for the gradient: no differentiation through the Gibbs chain.
        gparams = T.grad(cost, self.params, consider_constant=[chain_end])

        for gparam, param in zip(gparams, self.params):
            # The learning rate is cast so that the update keeps the parameter's dtype.
            updates[param] = param - gparam * T.cast(lr, dtype=symconv.config.floatX)

        if persistent:
            # (persistent must be a shared variable.)
            updates[persistent] = nh_samples[-1]
            monitoring_cost = self.get_pseudo_likelihood_cost(updates)
        else:
            monitoring_cost = self.get_reconstruction_cost(updates, pre_sigmoid_nvs[-1])
        return monitoring_cost, updates

    def get_pseudo_likelihood_cost(self, updates):
        """A stochastic estimate of the pseudo-log-likelihood, n_visible * log p(x_i | x_-i).

        Each call looks at one bit i, the next one at i + 1 (a shared counter
        advanced by `updates`), so an epoch averages over all the bits.
        """
        bit_i_idx = symconv.shared(value=0, name="bit_i_idx")

        # The input made binary.
        xi = T.round(self.input)
        fe_xi = self.free_energy(xi)

        # The same images with bit i flipped; xi itself is left as it is.
        xi_flip = T.set_subtensor(xi[:, bit_i_idx], 1 - xi[:, bit_i_idx])
        fe_xi_flip = self.free_energy(xi_flip)

        # log p(x_i | x_-i) = log sigmoid(F(x with x_i flipped) - F(x)).
        cost = T.mean(self.n_visible * T.log(T.nnet.sigmoid(fe_xi_flip - fe_xi)))

        updates[bit_i_idx] = (bit_i_idx + 1) % self.n_visible
        return cost

    def get_reconstruction_cost(self, updates, pre_sigmoid_nv):
        """Mean over the minibatch of sum_k [x_k log z_k + (1 - x_k) log(1 - z_k)], z the reconstruction.

        It takes the pre-sigmoid activation so that log(sigmoid(.)) and
        log(1 - sigmoid(.)) appear outside the scan, where they are computed
        stably as softplus: the sigmoid of a saturated unit rounds to 0 or 1,
        whose log would be -inf.
        """
        return T.mean(T.sum(self.input * T.log(T.nnet.sigmoid(pre_sigmoid_nv))
                            + (1 - self.input) * T.log(1 - T.nnet.sigmoid(pre_sigmoid_nv)), axis=1))

    def architecture(self):
        return {"n_visible": self.n_visible, "n_hidden": self.n_hidden}
