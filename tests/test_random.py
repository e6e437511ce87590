"""Random streams: shapes, dtypes, distributions, reproducibility, state, gradients, pickling."""
import pickle

import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv.sandbox.rng_mrg import MRG_RandomStreams
from symconv.tensor.shared_randomstreams import RandomStreams

floatX = symconv.config.floatX


def test_shapes_and_dtypes():
    srng = RandomStreams(seed=1)
    draws = {
        "uniform": (srng.uniform((2, 3)), floatX, (2, 3)),
        "normal64": (srng.normal((4,), dtype="float64"), "float64", (4,)),
        "binomial": (srng.binomial((3, 2), p=0.3), "int64", (3, 2)),
        "binomialX": (srng.binomial((5,), n=1, p=0.5, dtype=floatX), floatX, (5,)),
        "integers": (srng.random_integers((6,), low=2, high=4), "int64", (6,)),
        "choice": (srng.choice((7,), a=5), "int64", (7,)),
        "permutation": (srng.permutation((2,), n=4), "int64", (2, 4)),
        "scalar": (srng.uniform(), floatX, ()),
    }
    f = symconv.function([], [v for v, _, _ in draws.values()])
    for (name, (var, dtype, shape)), value in zip(draws.items(), f()):
        assert var.dtype == dtype and value.dtype == dtype, name
        assert var.type.shape == shape and value.shape == shape, name


def test_symbolic_size():
    srng = RandomStreams(seed=2)
    x = T.matrix("x")
    u = srng.uniform(x.shape)
    b = srng.binomial(size=(x.shape[0], 10), p=0.5, dtype=floatX)
    n = srng.normal(T.shape(x)[1:], ndim=1)
    assert (u.ndim, b.ndim, n.ndim) == (2, 2, 1)
    assert b.type.shape == (None, 10)
    f = symconv.function([x], [u, b, n])
    for rows in (3, 5):
        uv, bv, nv = f(np.zeros((rows, 4), floatX))
        assert uv.shape == (rows, 4) and bv.shape == (rows, 10) and nv.shape == (4,)


def test_size_from_function_input():
    srng = RandomStreams(seed=3)
    k = T.lscalar("k")
    f = symconv.function([k], srng.uniform((k, 2)))
    assert f(3).shape == (3, 2)
    assert f(5).shape == (5, 2)


def test_ranges_and_moments():
    srng = RandomStreams(seed=5)
    n = 100_000
    u = srng.uniform((n,), low=1.0, high=3.0, dtype="float64")
    z = srng.normal((n,), avg=2.0, std=3.0, dtype="float64")
    b = srng.binomial((n,), p=0.2)
    b5 = srng.binomial((n,), n=5, p=0.3)
    u32 = srng.uniform((2000,), low=-3.0, high=-1.0)
    r = srng.random_integers((2000,), low=2, high=4)
    c = srng.choice((2000,), a=np.array([10, 20, 30], dtype="int64"))
    uv, zv, bv, b5v, u32v, rv, cv = symconv.function([], [u, z, b, b5, u32, r, c])()
    assert u32v.min() >= -3.0 and u32v.max() < -1.0 and u32v.max() - u32v.min() > 1.9
    assert set(np.unique(rv)) == {2, 3, 4}
    assert set(np.unique(cv)) == {10, 20, 30}
    assert abs(uv.mean() - 2.0) < 0.02 and abs(uv.std() - 2 / np.sqrt(12)) < 0.02
    assert abs(zv.mean() - 2.0) < 0.05 and abs(zv.std() - 3.0) < 0.05
    assert set(np.unique(bv)) == {0, 1} and abs(bv.mean() - 0.2) < 0.01
    assert abs(b5v.mean() - 1.5) < 0.03 and abs(b5v.var() - 5 * 0.3 * 0.7) < 0.05


def test_symbolic_parameters_broadcast():
    srng = RandomStreams(seed=6)
    p = T.dvector("p")
    avg = T.dvector("avg")
    b = srng.binomial(size=(20000, 3), p=p, dtype="float64")
    z = srng.normal(avg=avg, std=0.001)  # size from the parameters, as Theano
    f = symconv.function([p, avg], [b, z])
    bv, zv = f(np.array([0.0, 0.5, 1.0]), np.array([1.0, -1.0]))
    np.testing.assert_allclose(bv.mean(axis=0), [0.0, 0.5, 1.0], atol=0.02)
    assert zv.shape == (2,)
    np.testing.assert_allclose(zv, [1.0, -1.0], atol=0.01)


def test_choice_permutation_multinomial_values():
    srng = RandomStreams(seed=8)
    c = srng.choice((20000,), a=3, p=np.array([0.1, 0.1, 0.8]))
    w = srng.choice((5,), a=5, replace=False)
    perm = srng.permutation((3,), n=6)
    m = srng.multinomial((4,), n=10, pvals=np.array([0.2, 0.3, 0.5]))
    cv, wv, pv, mv = symconv.function([], [c, w, perm, m])()
    np.testing.assert_allclose(np.bincount(cv, minlength=3) / cv.size, [0.1, 0.1, 0.8], atol=0.02)
    assert sorted(wv) == list(range(5))
    for row in pv:
        assert sorted(row) == list(range(6))
    assert mv.shape == (4, 3) and (mv.sum(axis=1) == 10).all()


def test_reproducible_and_advancing():
    def build(seed):
        srng = RandomStreams(seed=seed)
        return symconv.function([], [srng.uniform((5,)), srng.normal((3,))])

    f1, f2, f3 = build(7), build(7), build(8)
    run1 = [f1() for _ in range(3)]
    run2 = [f2() for _ in range(3)]
    for a, b in zip(run1, run2):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(run1[0][0], run1[1][0])
    assert not np.array_equal(run1[1][0], run1[2][0])
    assert not np.array_equal(run1[0][0], f3()[0])


def test_two_draws_differ_and_no_default_updates():
    srng = RandomStreams(seed=9)
    a, b = srng.uniform((4,)), srng.uniform((4,))
    f = symconv.function([], [a, b])
    av, bv = f()
    assert not np.array_equal(av, bv)
    frozen = symconv.function([], a, no_default_updates=True)
    first = frozen()
    np.testing.assert_array_equal(first, frozen())
    advancing = symconv.function([], a)
    np.testing.assert_array_equal(advancing(), first)
    assert not np.array_equal(advancing(), first)


def test_seed_resets_states():
    srng = RandomStreams(seed=10)
    u = srng.uniform((3,))
    f = symconv.function([], u)
    first = f()
    f()
    srng.seed(10)
    np.testing.assert_array_equal(f(), first)
    srng.seed(11)
    assert not np.array_equal(f(), first)
    state, new_state = srng.updates()[0]
    assert isinstance(state, symconv.SharedVariable) and state.default_update is new_state
    assert isinstance(state.get_value(), np.random.RandomState)  # Theano's rv.rng value
    assert state.get_value(borrow=True, return_internal_type=True).dtype == np.uint32  # the key inside


def test_dropout_gradient_is_masked():
    srng = RandomStreams(seed=11)
    x = T.matrix("x")
    w = symconv.shared(np.ones((6, 4), floatX), name="w")
    mask = srng.binomial(x.shape, p=0.5, dtype=floatX)
    dropped = x * mask
    cost = T.sum(T.dot(dropped, w))
    g = symconv.grad(cost, w)
    xv = np.arange(1, 19, dtype=floatX).reshape(3, 6)
    f = symconv.function([x], [mask, g], updates=[(w, w - 0.1 * g)])
    mv, gv = f(xv)
    assert set(np.unique(mv)) <= {0.0, 1.0} and 0 < mv.sum() < mv.size
    expected = (xv * mv).sum(axis=0)[:, None] * np.ones((1, 4), floatX)
    np.testing.assert_allclose(gv, expected, rtol=1e-6)
    np.testing.assert_allclose(w.get_value(), 1 - 0.1 * expected, rtol=1e-6, atol=1e-6)
    mv2, gv2 = f(xv)
    assert not np.array_equal(mv, mv2)
    np.testing.assert_allclose(gv2, (xv * mv2).sum(axis=0)[:, None] * np.ones((1, 4)), rtol=1e-6)


def test_gradient_through_normal_parameters():
    srng = RandomStreams(seed=12)
    mu = symconv.shared(np.array([0.5, -1.0, 2.0]), name="mu")
    sigma = symconv.shared(np.array([2.0, 3.0, 0.5]), name="sigma")
    z = srng.normal((3,), avg=mu, std=sigma, dtype="float64")
    gmu, gsigma = symconv.grad(T.sum(z), [mu, sigma])
    zv, gm, gs = symconv.function([], [z, gmu, gsigma], no_default_updates=True)()
    np.testing.assert_allclose(gm, [1.0, 1.0, 1.0])
    np.testing.assert_allclose(gs, (zv - mu.get_value()) / sigma.get_value())


def test_dropout_on_hidden_layer_inside_gradient(rng):
    # The mask's size comes from a hidden layer that depends on the differentiated weights.
    srng = RandomStreams(seed=16)
    x = T.dmatrix("x")
    W1 = symconv.shared(rng.randn(4, 5), name="W1")
    W2 = symconv.shared(rng.randn(5, 2), name="W2")
    h = T.tanh(T.dot(x, W1))
    mask = srng.binomial(h.shape, p=0.5, dtype="float64")
    out = T.dot(h * mask, W2)
    g1, g2 = symconv.grad(T.sum(out ** 2), [W1, W2])
    f = symconv.function([x], [mask, g2], updates=[(W1, W1 - 0.01 * g1)])
    xv = rng.randn(3, 4)
    masks = []
    for _ in range(2):
        hv = np.tanh(xv @ W1.get_value())
        mv, gv = f(xv)
        expected = (hv * mv).T @ (2 * (hv * mv) @ W2.get_value())
        np.testing.assert_allclose(gv, expected, rtol=1e-10)
        masks.append(mv)
    assert not np.array_equal(masks[0], masks[1])


def test_dA_style_corruption():
    theano_rng = RandomStreams(seed=13)
    x = T.matrix("x")
    corrupted = theano_rng.binomial(size=x.shape, n=1, p=1 - 0.3, dtype=floatX) * x
    assert corrupted.dtype == floatX
    out = symconv.function([x], corrupted)(np.full((200, 50), 2.0, floatX))
    assert set(np.unique(out)) == {0.0, 2.0}
    assert abs((out == 0).mean() - 0.3) < 0.03


def test_pickle_graph_with_stream():
    srng = RandomStreams(seed=14)
    x = T.vector("x")
    y = x * srng.binomial(x.shape, p=0.5, dtype=floatX)
    x2, y2 = pickle.loads(pickle.dumps((x, y)))
    f, f2 = symconv.function([x], y), symconv.function([x2], y2)
    xv = np.arange(1, 65, dtype=floatX)
    a, b = f(xv), f2(xv)
    np.testing.assert_array_equal(a, b)  # same state value, same sample
    assert not np.array_equal(f2(xv), b)  # the unpickled state advances


def test_mrg_streams():
    srng = MRG_RandomStreams(seed=234)
    assert MRG_RandomStreams().default_instance_seed == 12345
    x = T.matrix("x")
    u = srng.uniform(size=x.shape, low=0.0, high=1.0)
    mask = srng.binomial(size=x.shape, n=1, p=0.8, dtype=floatX)
    pvals = T.constant(np.array([[0.98, 0.01, 0.01], [0.01, 0.01, 0.98]], floatX))
    sample = srng.multinomial(pvals=pvals, dtype=floatX)
    rows = srng.choice(size=2, p=pvals, replace=False)
    f = symconv.function([x], [u, mask, sample, rows])
    uv, mv, sv, rv = f(np.zeros((300, 10), floatX))
    assert uv.shape == mv.shape == (300, 10) and uv.dtype == floatX
    assert abs(mv.mean() - 0.8) < 0.03
    assert sv.shape == (2, 3) and sv.dtype == floatX and (sv.sum(axis=1) == 1).all()
    assert rv.shape == (2, 2) and all(len(set(r)) == 2 for r in rv)
    same = MRG_RandomStreams(seed=234)
    np.testing.assert_array_equal(symconv.function([x], same.uniform(size=x.shape))(np.zeros((300, 10), floatX)), uv)


def test_size_errors():
    srng = RandomStreams(seed=15)
    with pytest.raises(TypeError, match="ndim"):
        srng.uniform(T.lvector("shape"))
    assert srng.uniform(T.lvector("shape"), ndim=2).ndim == 2
    with pytest.raises(ValueError, match="ndim"):
        srng.uniform((2, 3), ndim=3)
