"""The Theano API calls of the classic dA, SdA, RBM and DBN tutorials (and of logistic_sgd/mlp), made the way
those scripts make them, on small programs written for this file.

Each test builds the same expressions the scripts build (the dA's corruption
mask and cross-entropy, the RBM's Gibbs chain under ``scan``, CD/PCD updates,
the pseudo-likelihood with ``set_subtensor``, ``In``/``Param`` defaults called
by keyword, pickling a layer and recompiling it) and checks the numbers
against NumPy, so a test fails when the feature it names breaks.
"""
import io
import pickle

import numpy as np
import pytest

import symconv as theano
import symconv.tensor as T
from symconv.layers import HiddenLayer, LogisticRegression
from symconv.sandbox.rng_mrg import MRG_RandomStreams
from symconv.tensor.shared_randomstreams import RandomStreams

STREAMS = [RandomStreams, MRG_RandomStreams]


def floatX():
    return theano.config.floatX


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def softplus(a):
    return np.logaddexp(0.0, a)


# ----------------------------------------------------------------- the tutorials' models, in miniature


class TiedAutoEncoder(object):
    """dA.py's model: shared W (or a given one), tied decoder W.T, binomial corruption."""

    def __init__(self, numpy_rng, theano_rng=None, input=None, n_visible=8, n_hidden=5, W=None, bhid=None,
                 bvis=None):
        if not theano_rng:
            theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))
        if not W:
            bound = 4 * np.sqrt(6. / (n_hidden + n_visible))
            W = theano.shared(value=np.asarray(numpy_rng.uniform(-bound, bound, (n_visible, n_hidden)),
                                               dtype=theano.config.floatX), name='W', borrow=True)
        if not bvis:
            bvis = theano.shared(value=np.zeros(n_visible, dtype=theano.config.floatX), borrow=True)
        if not bhid:
            bhid = theano.shared(value=np.zeros(n_hidden, dtype=theano.config.floatX), name='b', borrow=True)
        self.W, self.b, self.b_prime, self.W_prime = W, bhid, bvis, W.T
        self.theano_rng = theano_rng
        if input == None:  # noqa: E711 - the script's spelling; == on a variable is identity
            self.x = T.dmatrix(name='input')
        else:
            self.x = input
        self.params = [self.W, self.b, self.b_prime]

    def get_corrupted_input(self, input, corruption_level):
        return self.theano_rng.binomial(size=input.shape, n=1, p=1 - corruption_level,
                                        dtype=theano.config.floatX) * input

    def get_cost_updates(self, corruption_level, learning_rate):
        tilde_x = self.get_corrupted_input(self.x, corruption_level)
        y = T.nnet.sigmoid(T.dot(tilde_x, self.W) + self.b)
        z = T.nnet.sigmoid(T.dot(y, self.W_prime) + self.b_prime)
        L = - T.sum(self.x * T.log(z) + (1 - self.x) * T.log(1 - z), axis=1)
        cost = T.mean(L)
        gparams = T.grad(cost, self.params)
        updates = [(param, param - learning_rate * gparam) for param, gparam in zip(self.params, gparams)]
        return cost, updates


class SmallRBM(object):
    """rbm.py's model: propup/propdown, binomial samples, Gibbs steps, CD/PCD costs."""

    def __init__(self, input=None, n_visible=6, n_hidden=4, W=None, hbias=None, vbias=None, numpy_rng=None,
                 theano_rng=None):
        self.n_visible, self.n_hidden = n_visible, n_hidden
        if numpy_rng is None:
            numpy_rng = np.random.RandomState(1234)
        if theano_rng is None:
            theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))
        if W is None:
            bound = 4 * np.sqrt(6. / (n_hidden + n_visible))
            W = theano.shared(np.asarray(numpy_rng.uniform(-bound, bound, (n_visible, n_hidden)),
                                         dtype=theano.config.floatX), name='W', borrow=True)
        if hbias is None:
            hbias = theano.shared(np.zeros(n_hidden, dtype=theano.config.floatX), name='hbias', borrow=True)
        if vbias is None:
            vbias = theano.shared(np.zeros(n_visible, dtype=theano.config.floatX), name='vbias', borrow=True)
        self.input = input
        if not input:
            self.input = T.matrix('input')
        self.W, self.hbias, self.vbias, self.theano_rng = W, hbias, vbias, theano_rng
        self.params = [self.W, self.hbias, self.vbias]

    def free_energy(self, v_sample):
        wx_b = T.dot(v_sample, self.W) + self.hbias
        vbias_term = T.dot(v_sample, self.vbias)
        hidden_term = T.sum(T.log(1 + T.exp(wx_b)), axis=1)
        return -hidden_term - vbias_term

    def sample_h_given_v(self, v0):
        pre = T.dot(v0, self.W) + self.hbias
        mean = T.nnet.sigmoid(pre)
        return [pre, mean, self.theano_rng.binomial(size=mean.shape, n=1, p=mean, dtype=theano.config.floatX)]

    def sample_v_given_h(self, h0):
        pre = T.dot(h0, self.W.T) + self.vbias
        mean = T.nnet.sigmoid(pre)
        return [pre, mean, self.theano_rng.binomial(size=mean.shape, n=1, p=mean, dtype=theano.config.floatX)]

    def gibbs_hvh(self, h0_sample):
        pre_v, v_mean, v_sample = self.sample_v_given_h(h0_sample)
        return [pre_v, v_mean, v_sample] + self.sample_h_given_v(v_sample)

    def gibbs_vhv(self, v0_sample):
        pre_h, h_mean, h_sample = self.sample_h_given_v(v0_sample)
        return [pre_h, h_mean, h_sample] + self.sample_v_given_h(h_sample)

    def get_cost_updates(self, lr=0.1, persistent=None, k=1):
        pre_sigmoid_ph, ph_mean, ph_sample = self.sample_h_given_v(self.input)
        chain_start = ph_sample if persistent is None else persistent
        ([pre_sigmoid_nvs, nv_means, nv_samples, pre_sigmoid_nhs, nh_means, nh_samples], updates) = theano.scan(
            self.gibbs_hvh, outputs_info=[None, None, None, None, None, chain_start], n_steps=k)
        chain_end = nv_samples[-1]
        cost = T.mean(self.free_energy(self.input)) - T.mean(self.free_energy(chain_end))
        gparams = T.grad(cost, self.params, consider_constant=[chain_end])
        for gparam, param in zip(gparams, self.params):
            updates[param] = param - gparam * T.cast(lr, dtype=theano.config.floatX)
        if persistent:
            updates[persistent] = nh_samples[-1]
            monitoring_cost = self.get_pseudo_likelihood_cost(updates)
        else:
            monitoring_cost = T.mean(T.sum(
                self.input * T.log(T.nnet.sigmoid(pre_sigmoid_nvs[-1]))
                + (1 - self.input) * T.log(1 - T.nnet.sigmoid(pre_sigmoid_nvs[-1])), axis=1))
        return monitoring_cost, updates

    def get_pseudo_likelihood_cost(self, updates):
        bit_i_idx = theano.shared(value=0, name='bit_i_idx')
        xi = T.round(self.input)
        fe_xi = self.free_energy(xi)
        xi_flip = T.set_subtensor(xi[:, bit_i_idx], 1 - xi[:, bit_i_idx])
        fe_xi_flip = self.free_energy(xi_flip)
        cost = T.mean(self.n_visible * T.log(T.nnet.sigmoid(fe_xi_flip - fe_xi)))
        updates[bit_i_idx] = (bit_i_idx + 1) % self.n_visible
        self.bit_i_idx = bit_i_idx
        return cost


def np_free_energy(v, W, hbias, vbias):
    return -softplus(v @ W + hbias).sum(axis=1) - v @ vbias


def binary_data(rng, n, d):
    return (rng.uniform(size=(n, d)) > 0.5).astype(theano.config.floatX)


# ----------------------------------------------------------------- variables as Python values


def test_variables_are_true_and_compare_to_none_by_identity():
    # dA.py: `if not W:` (W a shared variable or None), `if input == None:`; rbm.py: `if not input:`,
    # `if persistent:`.
    W = theano.shared(np.zeros((2, 2), dtype=floatX()), name='W')
    x = T.matrix('x')
    assert not (not W) and bool(x) and bool(x * 2)
    assert (x == None) is False and (x != None) is True  # noqa: E711
    assert {x: 1}[x] == 1  # variables stay usable as givens / updates keys


def test_tensor_constructors_and_config_names():
    assert T.dmatrix(name='input').dtype == 'float64' and T.dmatrix().ndim == 2
    assert T.matrix('x').dtype == floatX() and T.scalar('lr').dtype == floatX()
    assert T.lscalar().dtype == 'int64' and T.ivector('y').dtype == 'int32'
    # mlp.py compares the activation with theano.tensor.nnet.sigmoid.
    assert theano.tensor.nnet.sigmoid is T.nnet.sigmoid


# ----------------------------------------------------------------- dA / SdA


@pytest.mark.parametrize("streams", STREAMS, ids=lambda s: s.__name__)
def test_dA_corruption_mask_from_binomial(streams):
    rng = np.random.RandomState(123)
    theano_rng = streams(rng.randint(2 ** 30))
    x = T.matrix('x')
    corruption_level = T.scalar('corruption')
    tilde_x = theano_rng.binomial(size=x.shape, n=1, p=1 - corruption_level, dtype=theano.config.floatX) * x
    assert tilde_x.dtype == floatX()  # a floatX mask keeps the product in floatX
    corrupt = theano.function([x, theano.In(corruption_level, value=0.3)], tilde_x)

    data = rng.uniform(0.5, 1.0, size=(200, 50)).astype(floatX())
    first, second = corrupt(data), corrupt(data)
    for out in (first, second):
        assert out.dtype == floatX() and out.shape == data.shape
        kept = out != 0
        np.testing.assert_array_equal(out[kept], data[kept])
        assert abs((~kept).mean() - 0.3) < 0.03
    assert (first != second).any()  # the stream's state advances from call to call
    np.testing.assert_array_equal(corrupt(data, corruption=0.), data)
    assert not corrupt(data, corruption=1.).any()

    # dA.py's 0% / 30% dAs pass a Python float as the level.
    fixed = theano.function([x], theano_rng.binomial(size=x.shape, n=1, p=1 - 0.3, dtype=theano.config.floatX) * x)
    assert abs((fixed(data) == 0).mean() - 0.3) < 0.03


def _np_dA_step(x, W, b, b_prime, lr):
    y = sigmoid(x @ W + b)
    z = sigmoid(y @ W.T + b_prime)
    cost = np.mean(-np.sum(x * np.log(z) + (1 - x) * np.log(1 - z), axis=1))
    d2 = (z - x) / x.shape[0]
    d1 = (d2 @ W) * y * (1 - y)
    gW = x.T @ d1 + d2.T @ y
    return cost, W - lr * gW, b - lr * d1.sum(0), b_prime - lr * d2.sum(0)


def test_dA_cost_grad_and_updates_match_numpy():
    with theano.change_flags(floatX='float64'):
        rng = np.random.RandomState(0)
        data = theano.shared(rng.uniform(size=(12, 8)), borrow=True)
        index, x = T.lscalar(), T.matrix('x')
        da = TiedAutoEncoder(numpy_rng=rng, input=x, n_visible=8, n_hidden=5)
        cost, updates = da.get_cost_updates(corruption_level=0., learning_rate=0.1)
        batch_size = 4
        train_da = theano.function([index], cost, updates=updates,
                                   givens={x: data[index * batch_size:(index + 1) * batch_size]})
        for i in range(3):
            before = [p.get_value() for p in da.params]
            expected = _np_dA_step(data.get_value()[i * 4:(i + 1) * 4], *before, lr=0.1)
            np.testing.assert_allclose(train_da(i), expected[0], rtol=1e-10)
            for param, value in zip(da.params, expected[1:]):
                np.testing.assert_allclose(param.get_value(), value, rtol=1e-9, atol=1e-12)


def test_dA_cross_entropy_and_its_gradient_stay_finite_when_the_sigmoid_saturates():
    # Theano rewrote log(sigmoid(a)) and log(1 - sigmoid(a)) into softplus; the tutorials rely on it.
    x = T.matrix('x')
    rng = np.random.RandomState(1)
    W = theano.shared(np.full((4, 3), 40., dtype=floatX()), name='W')
    b_prime = theano.shared(np.full((4,), -300., dtype=floatX()), name='b_prime')
    da = TiedAutoEncoder(numpy_rng=rng, input=x, n_visible=4, n_hidden=3, W=W, bvis=b_prime)
    cost, updates = da.get_cost_updates(corruption_level=0., learning_rate=0.)
    f = theano.function([x], [cost] + [u for _, u in updates])
    data = np.array([[1., 0., 1., 1.]], dtype=floatX())
    values = f(data)
    assert all(np.isfinite(v).all() for v in values), values
    # y = sigmoid(3 * 40) rounds to 1 and z = sigmoid(3 * 40 - 300) to 0 (in float32 and float64):
    # -log(z) = 180 for each of the three pixels at 1.
    np.testing.assert_allclose(values[0], 3 * 180., rtol=1e-5)


def test_sda_pretraining_function_takes_In_defaults_by_keyword():
    # SdA.py: inputs=[index, theano.In(corruption_level, value=0.2), theano.In(learning_rate, value=0.1)],
    # called as fn(index=i, corruption=c, lr=lr); the dA of layer 1 reads layer 0's sigmoid output and
    # shares W and b with the sigmoid layer; MRG_RandomStreams draws the masks.
    rng = np.random.RandomState(89677)
    theano_rng = MRG_RandomStreams(rng.randint(2 ** 30))
    x = T.matrix('x')
    layer0 = HiddenLayer(rng=rng, input=x, n_in=8, n_out=6, activation=T.nnet.sigmoid)
    layer1 = HiddenLayer(rng=rng, input=layer0.output, n_in=6, n_out=4, activation=T.nnet.sigmoid)
    da1 = TiedAutoEncoder(numpy_rng=rng, theano_rng=theano_rng, input=layer0.output, n_visible=6, n_hidden=4,
                          W=layer1.W, bhid=layer1.b)
    assert da1.W is layer1.W and da1.b is layer1.b

    data = theano.shared(rng.uniform(size=(20, 8)).astype(floatX()), borrow=True)
    index = T.lscalar('index')
    corruption_level, learning_rate = T.scalar('corruption'), T.scalar('lr')
    cost, updates = da1.get_cost_updates(corruption_level, learning_rate)
    fn = theano.function(inputs=[index, theano.In(corruption_level, value=0.2), theano.In(learning_rate, value=0.1)],
                         outputs=cost, updates=updates, givens={x: data[index * 5:(index + 1) * 5]})

    layer0_before = [p.get_value() for p in layer0.params]
    params_before = [p.get_value() for p in da1.params]
    batch = data.get_value()[5:10]
    hidden0 = sigmoid(batch @ layer0_before[0] + layer0_before[1])

    # lr=0: nothing moves; corruption 0 and 1 give the NumPy costs of the clean and the all-zero input.
    clean = fn(index=1, corruption=0., lr=0.)
    W, b, b_prime = params_before
    z = sigmoid(sigmoid(hidden0 @ W + b) @ W.T + b_prime)
    np.testing.assert_allclose(clean, np.mean(-np.sum(hidden0 * np.log(z) + (1 - hidden0) * np.log(1 - z), 1)),
                               rtol=1e-4)
    destroyed = fn(index=1, corruption=1., lr=0.)
    z = sigmoid(sigmoid(b) @ W.T + b_prime) + np.zeros_like(hidden0)
    np.testing.assert_allclose(destroyed, np.mean(-np.sum(hidden0 * np.log(z) + (1 - hidden0) * np.log(1 - z), 1)),
                               rtol=1e-4)
    for p, v in zip(da1.params, params_before):
        np.testing.assert_array_equal(p.get_value(), v)

    # The defaults (corruption 0.2, lr 0.1) train layer 1 only; layer 0 is an input to it.
    fn(1)
    fn(index=2)
    assert all((p.get_value() != v).any() for p, v in zip(da1.params, params_before))
    for p, v in zip(layer0.params, layer0_before):
        np.testing.assert_array_equal(p.get_value(), v)
    # The sigmoid layer sees the dA's training: they are the same shared variables.
    out = theano.function([x], layer1.output)(batch)
    np.testing.assert_allclose(out, sigmoid(hidden0 @ layer1.W.get_value() + layer1.b.get_value()), rtol=1e-5)


def test_Param_is_the_old_spelling_of_In():
    # DBN.py (older versions): inputs=[index, theano.Param(learning_rate, default=0.1)], fn(index=i, lr=lr).
    index, learning_rate = T.lscalar('index'), T.scalar('lr')
    w = theano.shared(np.ones(3, dtype=floatX()), name='w')
    fn = theano.function([index, theano.Param(learning_rate, default=0.1)], w.sum(),
                         updates=[(w, w - learning_rate * T.cast(index, floatX()))])
    fn(index=1)
    np.testing.assert_allclose(w.get_value(), 0.9, rtol=1e-6)
    fn(index=2, lr=0.25)
    np.testing.assert_allclose(w.get_value(), 0.4, rtol=1e-6)
    fn(1, 0.4)
    np.testing.assert_allclose(w.get_value(), 0.0, atol=1e-6)


# ----------------------------------------------------------------- RBM


def test_free_energy_with_log_one_plus_exp_matches_numpy_and_does_not_overflow():
    rbm = SmallRBM(n_visible=6, n_hidden=4, numpy_rng=np.random.RandomState(3))
    v = T.matrix('v')
    fe = theano.function([v], rbm.free_energy(v))
    data = binary_data(np.random.RandomState(4), 7, 6)
    W, hb, vb = (p.get_value() for p in rbm.params)
    np.testing.assert_allclose(fe(data), np_free_energy(data, W, hb, vb), rtol=1e-5)
    rbm.hbias.set_value(np.full(4, 500., dtype=floatX()))  # exp(500) overflows float32 and float64
    values = fe(data)
    assert np.isfinite(values).all()
    np.testing.assert_allclose(values, np_free_energy(data, W, rbm.hbias.get_value(), vb), rtol=1e-5)


@pytest.mark.parametrize("streams", STREAMS, ids=lambda s: s.__name__)
def test_gibbs_chain_scan_with_none_placeholders(streams):
    # rbm.py: theano.scan(self.gibbs_hvh, outputs_info=[None] * 5 + [chain_start], n_steps=k): the first five
    # outputs are stacked per step, the sixth is fed back.
    rng = np.random.RandomState(5)
    rbm = SmallRBM(n_visible=6, n_hidden=4, numpy_rng=rng, theano_rng=streams(rng.randint(2 ** 30)))
    rbm.hbias.set_value(rng.normal(size=4).astype(floatX()))
    rbm.vbias.set_value(rng.normal(size=6).astype(floatX()))
    h0 = T.matrix('h0')
    k = 5
    outputs, updates = theano.scan(rbm.gibbs_hvh, outputs_info=[None, None, None, None, None, h0], n_steps=k)
    assert len(outputs) == 6 and len(updates) > 0  # the random streams' states
    assert all(isinstance(s, theano.SharedVariable) for s in updates)
    chain = theano.function([h0], outputs, updates=updates)

    start = binary_data(rng, 3, 4)
    pre_v, v_mean, v_sample, pre_h, h_mean, h_sample = chain(start)
    W, hb, vb = (p.get_value() for p in rbm.params)
    assert v_mean.shape == (k, 3, 6) and h_sample.shape == (k, 3, 4) and v_sample.dtype == floatX()
    assert set(np.unique(v_sample)) <= {0, 1} and set(np.unique(h_sample)) <= {0, 1}
    previous_h = np.concatenate([start[None], h_sample[:-1]])
    # Each step starts from the hidden sample of the step before (the initial state at step 0) ...
    np.testing.assert_allclose(pre_v, previous_h @ W.T + vb, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(v_mean, sigmoid(previous_h @ W.T + vb), rtol=1e-5, atol=1e-6)
    # ... and samples the hidden units from its own visible sample.
    np.testing.assert_allclose(h_mean, sigmoid(v_sample @ W + hb), rtol=1e-5, atol=1e-6)
    assert not all((v_sample[0] == v_sample[t]).all() for t in range(1, k))  # fresh draws every step
    again = chain(start)
    assert (again[2] != v_sample).any()  # and every call: the updates advanced the states


def test_scan_takes_a_name():
    # rbm.py (recent versions): theano.scan(self.gibbs_hvh, ..., n_steps=k, name="gibbs_hvh").
    rbm = SmallRBM(numpy_rng=np.random.RandomState(6))
    h0 = T.matrix('h0')
    outputs, updates = theano.scan(rbm.gibbs_hvh, outputs_info=[None, None, None, None, None, h0], n_steps=2,
                                   name="gibbs_hvh")
    values = theano.function([h0], outputs[1][-1], updates=updates)(np.zeros((2, 4), dtype=floatX()))
    assert values.shape == (2, 6)


def test_random_draws_inside_scan_differ_per_step_and_per_call():
    srng = RandomStreams(7)
    out, updates = theano.scan(lambda: srng.uniform(size=(3,)), n_steps=4)
    f = theano.function([], out, updates=updates)
    first, second = f(), f()
    assert len({tuple(row) for row in first}) == 4
    assert (first != second).any()


def test_cd_gradient_with_consider_constant_matches_the_closed_form():
    # rbm.py: cost = mean F(input) - mean F(chain_end); T.grad(cost, params, consider_constant=[chain_end]).
    rng = np.random.RandomState(8)
    x = T.matrix('x')
    rbm = SmallRBM(input=x, n_visible=6, n_hidden=4, numpy_rng=rng)
    pre, ph_mean, ph_sample = rbm.sample_h_given_v(rbm.input)
    (outs, updates) = theano.scan(rbm.gibbs_hvh, outputs_info=[None, None, None, None, None, ph_sample], n_steps=3)
    chain_end = outs[2][-1]
    cost = T.mean(rbm.free_energy(rbm.input)) - T.mean(rbm.free_energy(chain_end))
    gparams = T.grad(cost, rbm.params, consider_constant=[chain_end])
    f = theano.function([x], [chain_end] + gparams, updates=updates)

    data = binary_data(rng, 5, 6)
    end, gW, ghb, gvb = f(data)
    W, hb, vb = (p.get_value() for p in rbm.params)

    def dF(v):  # derivatives of the mean free energy of the rows of v
        h = sigmoid(v @ W + hb)
        return -v.T @ h / len(v), -h.mean(0), -v.mean(0)

    for got, pos, neg in zip((gW, ghb, gvb), dF(data), dF(end)):
        np.testing.assert_allclose(got, pos - neg, rtol=1e-4, atol=1e-6)


def test_consider_constant_stops_the_gradient_through_a_differentiable_chain():
    # The same call on a mean-field chain (whose end does depend on W): the gradient through it is dropped.
    with theano.change_flags(floatX='float64'):
        rng = np.random.RandomState(9)
        v = T.matrix('v')
        W = theano.shared(rng.normal(size=(5, 3)), name='W')

        def mean_field_step(v_prev):
            return T.nnet.sigmoid(T.dot(T.nnet.sigmoid(T.dot(v_prev, W)), W.T))

        chain, _ = theano.scan(mean_field_step, outputs_info=[v], n_steps=2)
        end = chain[-1]
        cost = T.mean(T.sum(T.log(1 + T.exp(T.dot(v, W))), 1)) - T.mean(T.sum(T.log(1 + T.exp(T.dot(end, W))), 1))
        constant = theano.function([v], [end, T.grad(cost, W, consider_constant=[end])])
        through = theano.function([v], T.grad(cost, W))
        data = rng.uniform(size=(4, 5))
        end_value, g_constant = constant(data)
        Wv = W.get_value()
        expected = (data.T @ sigmoid(data @ Wv) - end_value.T @ sigmoid(end_value @ Wv)) / 4
        np.testing.assert_allclose(g_constant, expected, rtol=1e-10)
        assert np.abs(through(data) - g_constant).max() > 1e-3


@pytest.mark.parametrize("lr", [0.1, "symbolic"])
def test_cd_updates_added_to_the_scan_updates_keep_floatX(lr):
    # rbm.py: updates[param] = param - gparam * T.cast(lr, dtype=theano.config.floatX), with lr a float
    # (rbm.py) or T.scalar('lr') (DBN.py); the monitoring cost is the reconstruction cross-entropy.
    rng = np.random.RandomState(10)
    x, index = T.matrix('x'), T.lscalar('index')
    rbm = SmallRBM(input=x, n_visible=6, n_hidden=4, numpy_rng=rng)
    data = theano.shared(binary_data(rng, 20, 6), borrow=True)
    learning_rate = T.scalar('lr') if lr == "symbolic" else lr
    cost, updates = rbm.get_cost_updates(lr=learning_rate, persistent=None, k=2)
    assert isinstance(updates, dict) and all(p in updates for p in rbm.params)
    inputs = [index] + ([theano.In(learning_rate, value=0.1)] if lr == "symbolic" else [])
    train = theano.function(inputs, cost, updates=updates, givens={x: data[index * 5:(index + 1) * 5]})
    before = [p.get_value() for p in rbm.params]
    costs = [train(i % 4) for i in range(8)]
    assert all(np.isfinite(c) and c < 0 for c in costs)
    for p, v in zip(rbm.params, before):
        assert p.get_value().dtype == floatX() and (p.get_value() != v).any()
    if lr == "symbolic":
        frozen = [p.get_value() for p in rbm.params]
        train(index=0, lr=0.)
        for p, v in zip(rbm.params, frozen):
            np.testing.assert_array_equal(p.get_value(), v)


def test_reconstruction_cost_of_pre_sigmoid_scan_output_is_stable():
    # rbm.py passes pre_sigmoid_nvs[-1] out of the scan so that log(sigmoid(.)) can be made stable.
    rng = np.random.RandomState(11)
    x = T.matrix('x')
    rbm = SmallRBM(input=x, n_visible=6, n_hidden=4, numpy_rng=rng)
    rbm.vbias.set_value(np.full(6, -300., dtype=floatX()))
    cost, updates = rbm.get_cost_updates(lr=0.1, persistent=None, k=1)
    f = theano.function([x], cost, updates=updates)
    value = f(np.ones((3, 6), dtype=floatX()))
    assert np.isfinite(value) and value < -6 * 250


def test_pseudo_likelihood_flips_one_bit_per_call_with_set_subtensor():
    # rbm.py: bit_i_idx = theano.shared(value=0); xi = T.round(input);
    # xi_flip = T.set_subtensor(xi[:, bit_i_idx], 1 - xi[:, bit_i_idx]);
    # updates[bit_i_idx] = (bit_i_idx + 1) % n_visible.
    rng = np.random.RandomState(12)
    x = T.matrix('x')
    rbm = SmallRBM(input=x, n_visible=5, n_hidden=3, numpy_rng=rng)
    rbm.hbias.set_value(rng.normal(size=3).astype(floatX()))
    rbm.vbias.set_value(rng.normal(size=5).astype(floatX()))
    updates = {}
    cost = rbm.get_pseudo_likelihood_cost(updates)
    assert rbm.bit_i_idx.get_value() == 0 and rbm.bit_i_idx.dtype.startswith('int')
    f = theano.function([x], [cost, T.round(x)], updates=updates)

    data = rng.uniform(size=(4, 5)).astype(floatX())
    rounded = np.round(data)
    W, hb, vb = (p.get_value() for p in rbm.params)
    for call in range(12):
        bit = call % 5
        flipped = rounded.copy()
        flipped[:, bit] = 1 - flipped[:, bit]
        expected = np.mean(5 * -softplus(-(np_free_energy(flipped, W, hb, vb) - np_free_energy(rounded, W, hb, vb))))
        value, xi = f(data)
        np.testing.assert_allclose(value, expected, rtol=1e-5)
        np.testing.assert_array_equal(xi, rounded)  # set_subtensor left xi itself alone
        assert rbm.bit_i_idx.get_value() == (call + 1) % 5


def test_persistent_chain_is_a_shared_variable_updated_with_the_last_hidden_sample():
    # rbm.py (PCD): persistent_chain = theano.shared(numpy.zeros((batch_size, n_hidden), dtype=floatX), borrow=True);
    # get_cost_updates(persistent=persistent_chain) sets updates[persistent] = nh_samples[-1] and returns the
    # pseudo-likelihood.
    rng = np.random.RandomState(13)
    x, index = T.matrix('x'), T.lscalar()
    rbm = SmallRBM(input=x, n_visible=6, n_hidden=4, numpy_rng=rng)
    persistent_chain = theano.shared(np.zeros((5, 4), dtype=floatX()), borrow=True)
    cost, updates = rbm.get_cost_updates(lr=0.05, persistent=persistent_chain, k=3)
    assert updates[persistent_chain] is not None
    data = theano.shared(binary_data(rng, 20, 6), borrow=True)
    train = theano.function([index], cost, updates=updates, givens={x: data[index * 5:(index + 1) * 5]},
                            name='train_rbm')
    states = []
    for i in range(5):
        assert np.isfinite(train(i % 4)) and train.name == 'train_rbm'
        state = persistent_chain.get_value()
        assert state.shape == (5, 4) and state.dtype == floatX() and set(np.unique(state)) <= {0, 1}
        states.append(state)
    assert any((a != b).any() for a, b in zip(states, states[1:]))
    assert rbm.bit_i_idx.get_value() == 5


def test_sampling_function_with_persistent_visible_chain_and_scan_updates():
    # rbm.py: scan(rbm.gibbs_vhv, outputs_info=[None] * 5 + [persistent_vis_chain], n_steps=plot_every);
    # updates.update({persistent_vis_chain: vis_samples[-1]});
    # theano.function([], [vis_mfs[-1], vis_samples[-1]], updates=updates, name='sample_fn').
    rng = np.random.RandomState(14)
    rbm = SmallRBM(n_visible=6, n_hidden=4, numpy_rng=rng)
    start = binary_data(rng, 3, 6)
    persistent_vis_chain = theano.shared(np.asarray(start, dtype=theano.config.floatX))
    ([presig_hids, hid_mfs, hid_samples, presig_vis, vis_mfs, vis_samples], updates) = theano.scan(
        rbm.gibbs_vhv, outputs_info=[None, None, None, None, None, persistent_vis_chain], n_steps=4)
    updates.update({persistent_vis_chain: vis_samples[-1]})
    sample_fn = theano.function([], [vis_mfs[-1], vis_samples[-1]], updates=updates, name='sample_fn')
    W, hb, vb = (p.get_value() for p in rbm.params)
    samples = []
    for _ in range(4):
        vis_mf, vis_sample = sample_fn()
        assert vis_mf.shape == (3, 6) and ((0 < vis_mf) & (vis_mf < 1)).all()
        np.testing.assert_array_equal(persistent_vis_chain.get_value(), vis_sample)
        samples.append(vis_sample)
    assert any((a != b).any() for a, b in zip(samples, samples[1:]))


def test_dbn_pretraining_function_trains_one_rbm_of_the_stack():
    # DBN.py: an RBM on each sigmoid layer's input, sharing W and hbias; fn = theano.function(
    # inputs=[index, theano.In(learning_rate, value=0.1)], ...), called as fn(index=i, lr=pretrain_lr).
    rng = np.random.RandomState(15)
    theano_rng = MRG_RandomStreams(rng.randint(2 ** 30))
    x = T.matrix('x')
    layer0 = HiddenLayer(rng=rng, input=x, n_in=6, n_out=5, activation=T.nnet.sigmoid)
    layer1 = HiddenLayer(rng=rng, input=layer0.output, n_in=5, n_out=3, activation=T.nnet.sigmoid)
    rbm1 = SmallRBM(numpy_rng=rng, theano_rng=theano_rng, input=layer0.output, n_visible=5, n_hidden=3,
                    W=layer1.W, hbias=layer1.b)
    data = theano.shared(binary_data(rng, 20, 6), borrow=True)
    index, learning_rate = T.lscalar('index'), T.scalar('lr')
    cost, updates = rbm1.get_cost_updates(learning_rate, persistent=None, k=1)
    fn = theano.function(inputs=[index, theano.In(learning_rate, value=0.1)], outputs=cost, updates=updates,
                         givens={x: data[index * 5:index * 5 + 5]})
    layer0_before = [p.get_value() for p in layer0.params]
    before = [p.get_value() for p in rbm1.params]
    fn(index=0, lr=0.)
    for p, v in zip(rbm1.params, before):
        np.testing.assert_array_equal(p.get_value(), v)
    costs = [fn(index=i % 4, lr=0.5) for i in range(8)] + [fn(index=1)]
    assert all(np.isfinite(c) for c in costs)
    assert all((p.get_value() != v).any() for p, v in zip(rbm1.params, before))
    assert rbm1.W is layer1.W and rbm1.hbias is layer1.b
    for p, v in zip(layer0.params, layer0_before):
        np.testing.assert_array_equal(p.get_value(), v)


# ----------------------------------------------------------------- configuration, pickling, mlp/logistic_sgd


def test_floatX_set_at_run_time_changes_the_models_dtypes():
    # The scripts read theano.config.floatX when they build shared values, casts and random draws.
    saved = theano.config.floatX
    try:
        for dtype in ('float64', 'float32'):
            theano.config.floatX = dtype
            rng = np.random.RandomState(16)
            x, index = T.matrix('x'), T.lscalar()
            da = TiedAutoEncoder(numpy_rng=rng, input=x, n_visible=8, n_hidden=5)
            cost, updates = da.get_cost_updates(corruption_level=0.3, learning_rate=0.1)
            assert x.dtype == dtype and da.W.dtype == dtype and cost.dtype == dtype
            data = theano.shared(np.asarray(rng.uniform(size=(10, 8)), dtype=theano.config.floatX))
            train = theano.function([index], cost, updates=updates, givens={x: data[index * 5:(index + 1) * 5]})
            assert train(0).dtype == dtype and da.W.get_value().dtype == dtype
            rbm = SmallRBM(input=x, n_visible=8, n_hidden=3, numpy_rng=rng)
            pre, mean, sample = rbm.sample_h_given_v(x)
            assert sample.dtype == dtype and T.cast(0.1, dtype=theano.config.floatX).dtype == dtype
    finally:
        theano.config.floatX = saved


def test_pickled_logistic_regression_is_recompiled_after_loading(tmp_path):
    # logistic_sgd.py saves the best classifier with pickle.dump and predict() does
    # classifier = pickle.load(...); theano.function(inputs=[classifier.input], outputs=classifier.y_pred).
    from symconv.datasets import load_data

    datasets = load_data()
    (train_set_x, train_set_y), _, (test_set_x, test_set_y) = datasets
    assert train_set_x.get_value(borrow=True).shape[0] // 500 >= 1
    index, x, y = T.lscalar(), T.matrix('x'), T.ivector('y')
    classifier = LogisticRegression(input=x, n_in=28 * 28, n_out=10)
    cost = classifier.negative_log_likelihood(y)
    g_W = T.grad(cost=cost, wrt=classifier.W)
    g_b = T.grad(cost=cost, wrt=classifier.b)
    train_model = theano.function(inputs=[index], outputs=cost,
                                  updates=[(classifier.W, classifier.W - 0.13 * g_W),
                                           (classifier.b, classifier.b - 0.13 * g_b)],
                                  givens={x: train_set_x[index * 500:(index + 1) * 500],
                                          y: train_set_y[index * 500:(index + 1) * 500]})
    test_model = theano.function(inputs=[index], outputs=classifier.errors(y),
                                 givens={x: test_set_x[index * 500:(index + 1) * 500],
                                         y: test_set_y[index * 500:(index + 1) * 500]})
    for i in range(4):
        train_model(i)
    error = test_model(0)
    assert error < 0.5

    with open(tmp_path / 'best_model.pkl', 'wb') as f:
        pickle.dump(classifier, f)
    with open(tmp_path / 'best_model.pkl', 'rb') as f:
        loaded = pickle.load(f)
    predict_model = theano.function(inputs=[loaded.input], outputs=loaded.y_pred)
    test_x = test_set_x.get_value()
    predicted_values = predict_model(test_x[:10])
    expected = np.argmax(test_x[:10] @ classifier.W.get_value() + classifier.b.get_value(), axis=1)
    np.testing.assert_array_equal(predicted_values, expected)
    labels = theano.function([], test_set_y)()
    assert abs(np.mean(predict_model(test_x[:500]) != labels[:500]) - error) < 1e-6


def test_pickled_denoising_autoencoder_keeps_training_after_loading():
    # The dA (random streams, tied W.T, its graph) pickles; its cost graph compiles again after loading.
    rng = np.random.RandomState(17)
    x, index = T.matrix('x'), T.lscalar()
    da = TiedAutoEncoder(numpy_rng=rng, input=x, n_visible=8, n_hidden=5)
    data = theano.shared(rng.uniform(size=(10, 8)).astype(floatX()))
    buffer = io.BytesIO()
    pickle.dump((da, data), buffer)
    loaded, loaded_data = pickle.loads(buffer.getvalue())
    costs = {}
    for name, model, shared_data in (('original', da, data), ('loaded', loaded, loaded_data)):
        cost, updates = model.get_cost_updates(corruption_level=0., learning_rate=0.1)
        train = theano.function([index], cost, updates=updates,
                                givens={model.x: shared_data[index * 5:(index + 1) * 5]})
        costs[name] = [float(train(i % 2)) for i in range(4)]
    np.testing.assert_allclose(costs['loaded'], costs['original'], rtol=1e-5)
    assert costs['loaded'][2] < costs['loaded'][0] and costs['loaded'][3] < costs['loaded'][1]  # it learns
    noisy, _ = loaded.get_cost_updates(corruption_level=0.5, learning_rate=0.)
    f = theano.function([loaded.x], noisy)
    assert f(data.get_value()) != f(data.get_value())  # the unpickled random stream still draws


def test_mlp_hidden_layer_regularisers_and_sigmoid_initialisation():
    # mlp.py: W uniform in +-sqrt(6 / (n_in + n_out)), four times wider when activation == T.nnet.sigmoid;
    # L1 = abs(W).sum() + ..., L2_sqr = (W ** 2).sum() + ...
    rng = np.random.RandomState(18)
    x = T.matrix('x')
    tanh_layer = HiddenLayer(rng=rng, input=x, n_in=30, n_out=20, activation=T.tanh)
    sigmoid_layer = HiddenLayer(rng=rng, input=tanh_layer.output, n_in=20, n_out=10, activation=T.nnet.sigmoid)
    bound = np.sqrt(6. / 50)
    assert np.abs(tanh_layer.W.get_value()).max() <= bound < 2 * np.abs(tanh_layer.W.get_value()).max()
    bound = 4 * np.sqrt(6. / 30)
    assert np.abs(sigmoid_layer.W.get_value()).max() <= bound < 2 * np.abs(sigmoid_layer.W.get_value()).max()
    L1 = abs(tanh_layer.W).sum() + abs(sigmoid_layer.W).sum()
    L2_sqr = (tanh_layer.W ** 2).sum() + (sigmoid_layer.W ** 2).sum()
    l1, l2 = theano.function([], [L1, L2_sqr])()
    Ws = [tanh_layer.W.get_value(), sigmoid_layer.W.get_value()]
    np.testing.assert_allclose(l1, sum(np.abs(w).sum() for w in Ws), rtol=1e-5)
    np.testing.assert_allclose(l2, sum((w ** 2).sum() for w in Ws), rtol=1e-5)


def test_theano_module_paths_tensor_basic_and_type():
    from symconv.tensor import basic, type as tensor_type

    assert basic.dot is T.dot and basic.as_tensor_variable is T.as_tensor_variable
    assert tensor_type.TensorType is T.TensorType
    assert isinstance(basic.matrix("m"), T.TensorVariable)
