"""Random state as Theano exposes it: RandomStreams' rng (a numpy RandomState), MRG31k3p's numbers and rstate.

tests/fixtures/theano/mrg_golden.npz holds what Theano 1.0.5 drew from
MRG_RandomStreams(seed=234) (tests/fixtures/theano/make_mrg_golden.py).
"""
from pathlib import Path

import numpy as np
import pytest

import symconv as theano
import symconv.tensor as T
from symconv.sandbox.rng_mrg import MRG_RandomStreams
from symconv.tensor.shared_randomstreams import RandomStreams

GOLDEN = Path(__file__).parent / "fixtures" / "theano" / "mrg_golden.npz"
RS_GOLDEN = Path(__file__).parent / "fixtures" / "theano" / "randomstreams_golden.npz"


def test_randomstreams_draws_theanos_numbers():
    """RandomStreams' uniform, normal, binomial(n=1), random_integers, permutation: NumPy's numbers, Theano's seeds."""
    gold = np.load(RS_GOLDEN)
    with theano.config.change_flags(floatX="float64"):
        f = theano.function([], RandomStreams(123).uniform(size=(1,)))
        np.testing.assert_array_equal(np.concatenate([f(), f()]), gold["u123"])  # the tutorial's 0.72803009 ...
        np.testing.assert_array_equal(theano.function([], RandomStreams(987).uniform(size=(1,)))(), gold["u987"])
        r = RandomStreams(5)
        draws = [r.uniform((2, 3), low=-1.0, high=3.0), r.binomial((2, 5), p=0.3), r.binomial((7,), p=0.8),
                 r.binomial((3, 4), p=np.array([0.0, 0.2, 0.7, 1.0])), r.normal((5,), avg=1.0, std=2.0),
                 r.normal((2, 2)), r.random_integers((4,), low=-2, high=7), r.random_integers((2, 3), low=0, high=1),
                 r.permutation((3,), n=6), r.choice((5,), a=7),
                 r.choice((2, 2), a=np.array([3.0, 4.0, 5.0, 6.0, 7.0]), replace=False),
                 r.choice((6,), a=4, p=[0.1, 0.2, 0.3, 0.4])]
        g = theano.function([], draws)
        for call in range(2):  # normal((5,)) keeps a Gaussian for its next call, as NumPy does
            for k, value in enumerate(g()):
                # normal: NumPy's polar method; log and sqrt may differ from the C library's in the last bit
                np.testing.assert_allclose(value, gold[f"call{call}_{k}"], rtol=1e-13, atol=0)
        state = draws[0].rng.get_value().get_state()
        assert state[2] == gold["state_pos"] and np.array_equal(state[1], gold["state_mt"])
        r.seed(902340)
        for k, value in enumerate(g()):
            np.testing.assert_allclose(value, gold[f"seeded_{k}"], rtol=1e-13, atol=0)


@pytest.mark.parametrize("floatX", ["float32", "float64"])
def test_mrg_draws_theanos_numbers(floatX):
    gold = np.load(GOLDEN)
    with theano.config.change_flags(floatX=floatX):
        srng = MRG_RandomStreams(seed=234)
        draws = [srng.uniform((2, 3)), srng.normal((3, 3)), srng.binomial((4,), p=0.3), srng.uniform((50,)),
                 srng.normal((5,), avg=1.0, std=2.0)]
        f = theano.function([], draws)
        for call in ("r1", "r2"):
            for k, value in enumerate(f()):
                expected = gold[f"{floatX}_{call}_{k}"]
                assert value.dtype == expected.dtype
                np.testing.assert_array_equal(value, expected)
        np.testing.assert_array_equal(srng.rstate, gold[f"{floatX}_rstate"])
        np.testing.assert_array_equal(srng.state_updates[0][0].get_value(), gold[f"{floatX}_state0"])
        srng.seed(77)
        for k, value in enumerate(f()):
            np.testing.assert_allclose(value, gold[f"{floatX}_r3_{k}"], rtol=1e-6)
        x = T.matrix("x")
        g = theano.function([x], srng.uniform(size=x.shape))
        np.testing.assert_array_equal(g(np.zeros((3, 4), floatX)), gold[f"{floatX}_sym"])


def test_mrg_rstate_and_state_updates_are_theanos():
    srng = MRG_RandomStreams(seed=42)
    np.testing.assert_array_equal(srng.rstate, np.full(6, 42, "int32"))
    u = srng.uniform((4, 5))
    state, new_state, size, nstreams = srng.state_updates[0]
    assert state.get_value().dtype == np.int32 and state.get_value().shape == (3, 6)  # 20 // 6 streams
    assert u.rstate is state and state.default_update is new_state and (size, nstreams) == ((4, 5), None)
    with pytest.raises(ValueError, match="should not be 0"):
        MRG_RandomStreams(seed=0)


def _graph(cls, seed):
    srng = cls(seed)
    return srng, theano.function([], srng.uniform(size=(1,)))


@pytest.mark.parametrize("cls", [RandomStreams, MRG_RandomStreams])
def test_copying_random_state_between_graphs(cls):
    """doc/tutorial/examples.txt, "Copying Random State Between Theano Graphs"."""
    (r1, f1), (r2, f2) = _graph(cls, 123), _graph(cls, 987)
    assert f1()[0] != f2()[0]
    if isinstance(r1, MRG_RandomStreams):
        r2.rstate = r1.rstate
    for su1, su2 in zip(r1.state_updates, r2.state_updates):
        su2[0].set_value(su1[0].get_value())
    assert f1()[0] == f2()[0]


def test_using_random_numbers_as_the_tutorial_does():
    """doc/tutorial/examples.txt, "Using Random Numbers": seeding, sharing streams, get_state / set_state."""
    srng = RandomStreams(seed=234)
    rv_u, rv_n = srng.uniform((2, 2)), srng.normal((2, 2))
    f = theano.function([], rv_u)
    g = theano.function([], rv_n, no_default_updates=True)
    nearly_zeros = theano.function([], rv_u + rv_u - 2 * rv_u)
    assert not np.array_equal(f(), f())
    np.testing.assert_array_equal(g(), g())
    np.testing.assert_allclose(nearly_zeros(), 0.0, atol=1e-6)

    rng_val = rv_u.rng.get_value(borrow=True)
    assert isinstance(rng_val, np.random.RandomState)
    rng_val.seed(89234)
    rv_u.rng.set_value(rng_val, borrow=True)
    a = f()
    rng_val.seed(89234)
    rv_u.rng.set_value(rng_val, borrow=True)
    np.testing.assert_array_equal(f(), a)  # the same seed, the same numbers

    srng.seed(902340)
    b = f()
    srng.seed(902340)
    np.testing.assert_array_equal(f(), b)

    state_after_v0 = rv_u.rng.get_value().get_state()
    nearly_zeros()
    v1 = f()
    rng = rv_u.rng.get_value(borrow=True)
    rng.set_state(state_after_v0)
    rv_u.rng.set_value(rng, borrow=True)
    v2, v3 = f(), f()
    assert not np.array_equal(v1, v2)
    np.testing.assert_array_equal(v1, v3)


def test_function_copy_shares_the_random_state():
    srng = RandomStreams(seed=3)
    f = theano.function([], srng.uniform((3,)))
    g = f.copy()
    first = f()
    second = g()  # the copy advanced the same state (Theano's copy shares shared variables)
    assert not np.array_equal(first, second)
    start = srng.state_updates[0][0].get_value()
    srng.state_updates[0][0].set_value(start)
    h = theano.function([], srng.uniform((3,)) * 0 + srng.state_updates[0][1].owner.outputs[1], no_default_updates=True)
    np.testing.assert_array_equal(h(), h())


def test_randomstreams_item_access_as_theanos():
    srng = RandomStreams(seed=8)
    u = srng.uniform((3,))
    f = theano.function([], u)
    assert isinstance(srng[u.rng], np.random.RandomState) and u.rng.tag.is_rng
    srng[u.rng] = np.random.RandomState(42)
    np.testing.assert_array_equal(f(), np.random.RandomState(42).uniform(0.0, 1.0, 3).astype(u.dtype))


@pytest.mark.parametrize("floatX", ["float32", "float64"])
def test_mrg_multinomial_and_choice_draw_theanos_numbers(floatX):
    gold = np.load(Path(__file__).parent / "fixtures" / "theano" / "mrg_multinomial_golden.npz")
    with theano.config.change_flags(floatX=floatX):
        srng = MRG_RandomStreams(seed=99)
        p, q = T.matrix("p"), T.matrix("q")
        draws = [srng.multinomial(pvals=p), srng.multinomial(pvals=p, n=3), srng.choice(size=2, p=p, replace=False),
                 srng.choice(size=4, p=q, replace=False)]
        f = theano.function([p, q], draws)
        for call in range(2):
            for k, value in enumerate(f(gold[f"{floatX}_pv"], gold[f"{floatX}_pc"])):
                np.testing.assert_array_equal(value, gold[f"{floatX}_call{call}_{k}"])


@pytest.mark.parametrize("floatX", ["float32", "float64"])
def test_mrg_truncated_normal_is_theanos(floatX):
    """Values outside +-2 redrawn from a second uniform draw, as Theano's (float32: within an ulp or two, as
    XLA's float32 log and cos may differ from the C library's double ones Theano's C code rounds)."""
    gold = np.load(Path(__file__).parent / "fixtures" / "theano" / "mrg_truncated_golden.npz")
    with theano.config.change_flags(floatX=floatX):
        srng = MRG_RandomStreams(seed=5)
        f = theano.function([], [srng.normal((7,), truncate=True), srng.truncated_normal((3, 4), avg=1.0, std=2.0)])
        for call in range(2):
            for k, value in enumerate(f()):
                expected = gold[f"{floatX}_call{call}_{k}"]
                bound = 2.0 if k == 0 else 2 * 2.0 / 0.87962566103423978  # +-2 standard normal's std, rescaled
                assert value.dtype == expected.dtype and np.all(np.abs(value - (k == 1)) <= bound + 1e-5)
                np.testing.assert_allclose(value, expected, rtol=1e-6 if floatX == "float32" else 0, atol=0)
        np.testing.assert_array_equal(srng.rstate, gold[f"{floatX}_rstate"])
