"""symconv.scan against plain Python loops: taps, n_steps, go_backwards, updates, gradients, pickling."""
import pickle

import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv.gradient import verify_grad
from symconv.scan import foldl, foldr, map as scan_map, reduce as scan_reduce, scan, until



def f64(value):
    return T.constant(value, dtype="float64")


def test_cumulative_sum(rng):
    x = T.dvector("x")
    out, updates = scan(lambda x_t, acc: acc + x_t, sequences=x, outputs_info=f64(0.0))
    assert updates == {} and out.type.ndim == 1
    xv = rng.rand(7)
    np.testing.assert_allclose(symconv.function([x], out)(xv), np.cumsum(xv))
    fixed = T.dvector("fixed", shape=(7,))
    assert scan(lambda x_t, acc: acc + x_t, sequences=fixed, outputs_info=f64(0.0))[0].type.shape == (7,)


def test_polynomial_from_the_theano_docs():
    coefficients = T.dvector("coefficients")
    x = T.dscalar("x")
    full_range = T.arange(10000)
    components, updates = scan(lambda coefficient, power, free_variable: coefficient * (free_variable ** power),
                               outputs_info=None, sequences=[coefficients, full_range], non_sequences=x)
    polynomial = symconv.function([coefficients, x], components.sum())
    coeffs = np.asarray([1.0, 0.0, 2.0, -1.5])
    expected = sum(c * 3.0 ** p for p, c in enumerate(coeffs))
    np.testing.assert_allclose(polynomial(coeffs, 3.0), expected)


def test_power_by_iteration_with_symbolic_n_steps():
    k = T.iscalar("k")
    A = T.dvector("A")
    result, updates = scan(lambda prior, A: prior * A, outputs_info=T.ones_like(A), non_sequences=A, n_steps=k)
    power = symconv.function([A, k], [result, result[-1]], updates=updates)
    a = np.arange(5.0)
    for steps in (1, 2, 4):
        full, last = power(a, steps)
        np.testing.assert_allclose(last, a ** steps)
        np.testing.assert_allclose(full, np.stack([a ** (i + 1) for i in range(steps)]))


def test_constant_n_steps_zero_and_too_long():
    x = T.dvector("x")
    out, _ = scan(lambda x_t: x_t * 2, sequences=x, n_steps=3)
    assert out.type.shape[0] == 3
    np.testing.assert_allclose(symconv.function([x], out)(np.arange(5.0)), [0.0, 2.0, 4.0])
    with pytest.raises(Exception, match="shorter"):
        symconv.function([x], out)(np.arange(2.0))
    empty, _ = scan(lambda acc: acc + 1, outputs_info=f64(0.0), n_steps=0)
    assert symconv.function([], empty)().shape == (0,)


def test_fibonacci_with_two_taps():
    init = T.lvector("init")
    fib, _ = scan(lambda a, b: a + b, outputs_info=dict(initial=init, taps=[-2, -1]), n_steps=10)
    expected, a, b = [], 0, 1
    for _ in range(10):
        a, b = b, a + b
        expected.append(b)
    np.testing.assert_array_equal(symconv.function([init], fib)(np.array([0, 1])), expected)


def test_output_taps_skip_and_order(rng):
    # taps [-3, -1]: the state holds three steps; fn gets x[t-3] then x[t-1].
    init = T.dvector("init")
    out, _ = scan(lambda a, c: 0.5 * a - c, outputs_info=dict(initial=init, taps=[-3, -1]), n_steps=6)
    iv = rng.rand(4)
    history = list(iv[:3])
    for _ in range(6):
        history.append(0.5 * history[-3] - history[-1])
    np.testing.assert_allclose(symconv.function([init], out)(iv), history[3:])


@pytest.mark.parametrize("go_backwards", [False, True])
def test_sequence_taps(rng, go_backwards):
    x = T.dvector("x")
    taps = [-2, 0, 1]
    out, _ = scan(lambda a, b, c: a + 10 * b + 100 * c, sequences=dict(input=x, taps=taps), go_backwards=go_backwards)
    xv = rng.rand(9)
    low, high = -2, 1
    steps = len(xv) - (high - low)
    slices = {k: xv[k - low:len(xv) - (high - k)] for k in taps}
    if go_backwards:
        slices = {k: s[::-1] for k, s in slices.items()}
    expected = [slices[-2][t] + 10 * slices[0][t] + 100 * slices[1][t] for t in range(steps)]
    np.testing.assert_allclose(symconv.function([x], out)(xv), expected)


def test_go_backwards(rng):
    x = T.dvector("x")
    out, _ = scan(lambda x_t, acc: acc * 2 + x_t, sequences=x, outputs_info=f64(0.0), go_backwards=True)
    xv = rng.rand(6)
    acc, expected = 0.0, []
    for value in xv[::-1]:
        acc = acc * 2 + value
        expected.append(acc)
    np.testing.assert_allclose(symconv.function([x], out)(xv), expected)


def _rnn_numpy(x, W, U, h0):
    h, out = h0, []
    for x_t in x:
        h = np.tanh(x_t @ W + h @ U)
        out.append(h)
    return np.array(out)


def _rnn(x, W, U, h0):
    h, _ = scan(lambda x_t, h_tm1, W, U: T.tanh(T.dot(x_t, W) + T.dot(h_tm1, U)),
                sequences=x, outputs_info=h0, non_sequences=[W, U])
    return h


def test_rnn_forward_and_verify_grad(rng):
    x, W, U, h0 = rng.randn(5, 3), rng.randn(3, 4) * 0.5, rng.randn(4, 4) * 0.5, rng.randn(4)
    sx, sW, sU, sh0 = T.dmatrix(), T.dmatrix(), T.dmatrix(), T.dvector()
    np.testing.assert_allclose(symconv.function([sx, sW, sU, sh0], _rnn(sx, sW, sU, sh0))(x, W, U, h0),
                               _rnn_numpy(x, W, U, h0))
    verify_grad(_rnn, [x, W, U, h0], n_tests=1, rng=rng)


def test_grad_through_closed_over_shared_weights(rng):
    W = symconv.shared(rng.randn(3, 4) * 0.5, name="W")
    U = symconv.shared(rng.randn(4, 4) * 0.5, name="U")
    x, h0 = T.dmatrix("x"), T.dvector("h0")
    h, _ = scan(lambda x_t, h_tm1: T.tanh(T.dot(x_t, W) + T.dot(h_tm1, U)), sequences=x, outputs_info=h0)
    cost = (h ** 2).sum()
    gW, gU = symconv.grad(cost, [W, U])
    xv, hv = rng.randn(6, 3), rng.randn(4)
    got_w, got_u = symconv.function([x, h0], [gW, gU])(xv, hv)

    def numeric(which):
        values = {"W": W.get_value(), "U": U.get_value()}
        base, grad = values[which], np.zeros_like(values[which])
        for index in np.ndindex(base.shape):
            for sign in (1, -1):
                shifted = dict(values)
                shifted[which] = base.copy()
                shifted[which][index] += sign * 1e-6
                grad[index] += sign * (_rnn_numpy(xv, shifted["W"], shifted["U"], hv) ** 2).sum() / 2e-6
        return grad

    np.testing.assert_allclose(got_w, numeric("W"), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got_u, numeric("U"), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("truncate", [-1, 2])
def test_truncate_gradient(truncate):
    # h_t = a h_{t-1} + x_t, cost = sum_t h_t: d cost / d x_t = sum_{s >= t} a^(s - t) within the window.
    a, x = T.dscalar("a"), T.dvector("x")
    h, _ = scan(lambda x_t, h_tm1, a: a * h_tm1 + x_t, sequences=x, outputs_info=f64(0.0), non_sequences=a,
                truncate_gradient=truncate)
    gx = symconv.function([a, x], symconv.grad(h.sum(), x))(0.5, np.ones(5))
    n = 5
    expected = [sum(0.5 ** (s - t) for s in range(t, n)) for t in range(n)]
    if truncate >= 0:
        expected = [e if t >= n - truncate else 0.0 for t, e in enumerate(expected)]
    np.testing.assert_allclose(gx, expected)


def test_shared_updates_inside_the_step(rng):
    count = symconv.shared(np.int64(0), name="count")
    acc = symconv.shared(np.zeros(3), name="acc")
    x = T.dmatrix("x")

    def step(x_t):
        return acc * 1.0, {count: count + 1, acc: acc + x_t}

    seen, updates = scan(step, sequences=x)
    assert list(updates) == [count, acc]
    f = symconv.function([x], seen, updates=updates)
    xv = rng.rand(4, 3)
    out = f(xv)
    np.testing.assert_allclose(out, np.concatenate([np.zeros((1, 3)), np.cumsum(xv, axis=0)[:-1]]))
    assert count.get_value() == 4
    np.testing.assert_allclose(acc.get_value(), xv.sum(axis=0))
    f(xv)
    assert count.get_value() == 8
    only_updates, counter_updates = scan(lambda: {count: count + 2}, n_steps=3)
    assert only_updates is None
    symconv.function([], [], updates=counter_updates)()
    assert count.get_value() == 14


def test_one_compile_for_repeated_calls(rng):
    x = T.dmatrix("x")
    W = symconv.shared(rng.randn(3, 3), name="W")
    h, _ = scan(lambda x_t, h_tm1: T.tanh(T.dot(x_t, W) + h_tm1), sequences=x, outputs_info=T.zeros((3,), "float64"))
    f = symconv.function([x], h[-1])
    for _ in range(3):
        xv = rng.randn(5, 3)
        np.testing.assert_allclose(f(xv), _rnn_numpy(xv, W.get_value(), np.eye(3), np.zeros(3))[-1])
    assert f.compiled_variants["call"] == 1


def test_several_outputs_and_return_list(rng):
    x = T.dvector("x")

    def step(x_t, total):
        return [x_t * 2, total + x_t]

    (doubled, totals), _ = scan(step, sequences=x, outputs_info=[None, f64(0.0)])
    xv = rng.rand(5)
    a, b = symconv.function([x], [doubled, totals])(xv)
    np.testing.assert_allclose(a, 2 * xv)
    np.testing.assert_allclose(b, np.cumsum(xv))
    listed, _ = scan(lambda x_t: x_t + 1, sequences=x, return_list=True)
    assert isinstance(listed, list) and len(listed) == 1


def test_nested_scan_and_closure_over_an_input(rng):
    M, offset = T.dmatrix("M"), T.dscalar("offset")

    def row(r):
        sums, _ = scan(lambda e, acc: acc + e + offset, sequences=r, outputs_info=f64(0.0))
        return sums

    out, _ = scan(row, sequences=M)
    mv = rng.rand(3, 4)
    np.testing.assert_allclose(symconv.function([M, offset], out)(mv, 1.0), np.cumsum(mv + 1.0, axis=1))


def test_grad_inside_the_step(rng):
    w0, targets = T.dvector("w0"), T.dmatrix("targets")

    def step(target, w):
        return w - 0.1 * symconv.grad(((w - target) ** 2).sum(), w)

    ws, _ = scan(step, sequences=targets, outputs_info=w0)
    dw0 = symconv.grad(ws[-1].sum(), w0)
    tv, wv = rng.rand(4, 2), rng.rand(2)
    got, got_grad = symconv.function([w0, targets], [ws, dw0])(wv, tv)
    expected, w = [], wv
    for target in tv:
        w = w - 0.2 * (w - target)
        expected.append(w)
    np.testing.assert_allclose(got, expected)
    np.testing.assert_allclose(got_grad, np.full(2, 0.8 ** 4))


def test_givens_reach_closed_over_variables():
    data = symconv.shared(np.arange(12.0).reshape(6, 2), name="data")
    x, scale, i = T.dmatrix("x"), T.dvector("scale"), T.lscalar("i")
    out, _ = scan(lambda x_t, acc: acc + x_t * scale, sequences=x, outputs_info=T.zeros((2,), "float64"))
    f = symconv.function([i], out[-1], givens={x: data[i * 3:(i + 1) * 3], scale: T.constant(np.array([1.0, 10.0]))})
    np.testing.assert_allclose(f(1), np.arange(12.0).reshape(6, 2)[3:].sum(axis=0) * [1.0, 10.0])


def test_index_errors_inside_the_step_name_the_step():
    v, idx = T.dvector("v"), T.lvector("idx")
    out, _ = scan(lambda i: v[i], sequences=idx)
    f = symconv.function([v, idx], out)
    np.testing.assert_allclose(f(np.arange(3.0), np.array([2, 0])), [2.0, 0.0])
    with pytest.raises(IndexError, match="step 1"):
        f(np.arange(3.0), np.array([0, 7, 1]))


def test_pickled_graph_with_scan(rng):
    W = symconv.shared(rng.randn(2, 2), name="W")
    x = T.dmatrix("x")
    h, updates = scan(lambda x_t, h_tm1: T.tanh(T.dot(h_tm1, W) + x_t), sequences=x, outputs_info=T.zeros((2,), "float64"))
    x2, h2 = pickle.loads(pickle.dumps((x, h)))
    xv = rng.randn(4, 2)
    np.testing.assert_allclose(symconv.function([x2], h2)(xv), symconv.function([x], h)(xv))


def test_map_reduce_foldl_foldr(rng):
    x = T.dvector("x")
    xv = rng.rand(5)
    squares, _ = scan_map(lambda v: v ** 2, sequences=x)
    np.testing.assert_allclose(symconv.function([x], squares)(xv), xv ** 2)
    total, _ = scan_reduce(lambda v, acc: acc + v, sequences=x, outputs_info=f64(0.0))
    np.testing.assert_allclose(symconv.function([x], total)(xv), xv.sum())
    left, _ = foldl(lambda v, acc: acc * 2 + v, sequences=x, outputs_info=f64(0.0))
    right, _ = foldr(lambda v, acc: acc * 2 + v, sequences=x, outputs_info=f64(0.0))
    horner = lambda values: np.polyval(values, 2.0)  # noqa: E731
    np.testing.assert_allclose(symconv.function([x], [left, right])(xv), [horner(xv), horner(xv[::-1])])


def test_build_time_errors():
    x = T.dvector("x")
    with pytest.raises(ValueError, match="number of steps"):
        scan(lambda: f64(1.0))
    with pytest.raises(TypeError, match="initial state"):
        scan(lambda x_t, acc: acc + x_t, sequences=x, outputs_info=T.constant(0, dtype="int64"))
    with pytest.raises(ValueError, match="negative taps"):
        scan(lambda a: a, outputs_info=dict(initial=x, taps=[1]), n_steps=2)
    with pytest.raises(ValueError, match="outputs_info"):
        scan(lambda x_t, acc: [acc + x_t, x_t], sequences=x, outputs_info=f64(0.0))
    with pytest.raises(ValueError, match="until"):
        scan(lambda x_t: [until(x_t > 1), x_t * 2], sequences=x)  # until must come last


def test_gibbs_chain_with_random_streams(rng):
    shared_randomstreams = pytest.importorskip("symconv.tensor.shared_randomstreams")
    srng = shared_randomstreams.RandomStreams(seed=234)
    W = symconv.shared(rng.randn(6, 4) * 0.5, name="W")
    bvis, bhid = symconv.shared(np.zeros(6), name="bvis"), symconv.shared(np.zeros(4), name="bhid")

    def gibbs_step(v):
        h_mean = T.sigmoid(T.dot(v, W) + bhid)
        h = srng.binomial(size=h_mean.shape, n=1, p=h_mean, dtype="float64")
        v_mean = T.sigmoid(T.dot(h, W.T) + bvis)
        return srng.binomial(size=v_mean.shape, n=1, p=v_mean, dtype="float64")

    v0 = T.dmatrix("v0")
    chain, updates = scan(gibbs_step, outputs_info=v0, n_steps=30)
    assert len(updates) == 2
    states = list(updates)
    before = [s.get_value() for s in states]
    sample = symconv.function([v0], chain, updates=updates)
    start = (rng.rand(8, 6) > 0.5).astype("float64")
    first = sample(start)
    assert first.shape == (30, 8, 6) and set(np.unique(first)) <= {0.0, 1.0}
    assert len({first[t].tobytes() for t in range(30)}) > 20  # the state advances inside the loop
    assert all(not np.array_equal(b, s.get_value()) for b, s in zip(before, states))
    assert not np.array_equal(sample(start), first)  # and across calls
    srng.seed(234)
    np.testing.assert_array_equal(sample(start), first)
