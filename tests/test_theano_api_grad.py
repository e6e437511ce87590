"""Theano's documented gradient and control-flow API: Rop/Lop, jacobian/hessian, known_grads, ifelse, scan's until.

Expected values are Theano 1.0.5's answers on the same graphs (run once with
the reference install); where values are random, finite differences check them.
"""
from collections import OrderedDict

import numpy as np
import pytest

import symconv as theano
import symconv.tensor as T
from symconv.errors import DisconnectedInputError
from symconv.gradient import hessian, jacobian
from symconv.ifelse import ifelse
from symconv.scan_module import until

W_VALUE = np.arange(6.).reshape(3, 2) / 10
X_VALUE = np.array([1., 2., 3.])


@pytest.fixture
def graph():
    W, V, x, v = T.dmatrix("W"), T.dmatrix("V"), T.dvector("x"), T.dvector("v")
    return W, V, x, v, T.dot(x, W)


def _numeric_jacobian(f, p, eps=1e-6):
    p = np.asarray(p, float)
    cols = []
    for i in range(p.size):
        d = np.zeros(p.size)
        d[i] = eps
        cols.append((f((p.ravel() + d).reshape(p.shape)) - f((p.ravel() - d).reshape(p.shape))) / (2 * eps))
    return np.stack(cols, axis=-1).reshape(np.shape(f(p)) + p.shape)


# ------------------------------------------------------------------ Rop / Lop


def test_rop_single_and_lists(graph):
    W, V, x, v, y = graph
    jv = T.Rop(y, W, V)
    assert jv.type.dtype == "float64" and jv.ndim == 1
    np.testing.assert_allclose(theano.function([W, V, x], jv)(W_VALUE, np.ones((3, 2)), X_VALUE), [6., 6.])
    r = T.Rop([y, T.tanh(y)], [W, x], [V, x])
    assert isinstance(r, list)
    a, b = theano.function([W, V, x], r)(W_VALUE, np.ones((3, 2)), X_VALUE)
    np.testing.assert_allclose(a, [7.6, 8.2])
    np.testing.assert_allclose(b, [1.14400578, 0.39298782], rtol=1e-7)
    assert isinstance(theano.gradient.Rop((y,), W, V), tuple)
    np.testing.assert_allclose(theano.function([x, v], T.Rop(T.sum(x * x), x, v))(X_VALUE, X_VALUE), 28.0)


def test_rop_against_finite_differences(rng):
    x, v = T.dvector("x"), T.dvector("v")
    y = T.exp(T.sin(x) * x[::-1])
    xv, vv = rng.rand(4), rng.rand(4)
    f = theano.function([x], y)
    got = theano.function([x, v], T.Rop(y, x, v))(xv, vv)
    np.testing.assert_allclose(got, _numeric_jacobian(f, xv) @ vv, rtol=1e-6)


def test_rop_errors(graph):
    W, V, x, v, y = graph
    with pytest.raises(ValueError, match="Element 0 of wrt/eval_point have mismatched dimensionality: 2 versus 1"):
        T.Rop(y, W, v)
    # Theano 1.0.5: an output computed without wrt gets a zero R-op (no error) ...
    z = T.Rop(T.sum(W), x, v)
    assert z.ndim == 0 and theano.function([W], z)(W_VALUE) == 0.0
    z = T.Rop(T.tanh(W), x, v)
    np.testing.assert_array_equal(theano.function([W], z)(W_VALUE), np.zeros((3, 2)))
    # ... an input other than wrt is disconnected.
    with pytest.raises(DisconnectedInputError):
        T.Rop(W, x, v)
    assert T.Rop(W, x, v, disconnected_outputs="ignore", return_disconnected="None") is None
    np.testing.assert_allclose(theano.function([x, v], T.Rop(x, x, v))(X_VALUE, [4., 5., 6.]), [4., 5., 6.])


def test_lop_single_and_tuple(graph):
    W, V, x, v, y = graph
    vj = T.Lop(y, W, v)
    assert vj.ndim == 2
    # Theano's graph needs only v and x here; symconv's vjp reads W's value too (a jax.vjp at W).
    expected = [[2., 3.], [4., 6.], [6., 9.]]
    np.testing.assert_allclose(theano.function([W, v, x], vj)(W_VALUE, [2., 3.], X_VALUE), expected)
    lt = T.Lop([y], (W, x), [v])
    assert isinstance(lt, tuple)
    gw, gx = theano.function([W, v, x], list(lt))(W_VALUE, [2., 3.], X_VALUE)
    np.testing.assert_allclose(gw, expected)
    np.testing.assert_allclose(gx, [0.3, 1.3, 2.3])


def test_lop_against_finite_differences(rng):
    x, v = T.dvector("x"), T.dvector("v")
    y = T.tanh(T.outer(x, x)).sum(axis=0)
    xv, vv = rng.rand(3), rng.rand(3)
    got = theano.function([x, v], T.Lop(y, x, v))(xv, vv)
    np.testing.assert_allclose(got, vv @ _numeric_jacobian(theano.function([x], y), xv), rtol=1e-6)


# ------------------------------------------------------------------ known_grads


def test_known_grads_without_cost(graph):
    W, V, x, v, y = graph
    g = theano.grad(None, W, known_grads=OrderedDict([(y, v)]))
    np.testing.assert_allclose(theano.function([W, x, v], g)(W_VALUE, X_VALUE, [2., 3.]),
                               [[2., 3.], [4., 6.], [6., 9.]])


def test_known_grads_replace_the_costs_gradient_at_their_variable(graph):
    W, V, x, v, y = graph
    cost = T.sum(T.tanh(y))
    gw, gx = theano.grad(cost, [W, x], known_grads={y: v})
    # Theano: the gradient reaching y is the known one, not known + d(cost)/dy.
    a, b = theano.function([W, x, v], [gw, gx])(W_VALUE, X_VALUE, [2., 3.])
    np.testing.assert_allclose(a, [[2., 3.], [4., 6.], [6., 9.]])
    np.testing.assert_allclose(b, [0.3, 1.3, 2.3])
    # Paths to the cost that avoid y still count.
    c2 = T.sum(T.tanh(y)) + T.sum(x ** 2)
    gx2 = theano.grad(c2, x, known_grads={y: v})
    np.testing.assert_allclose(theano.function([W, x, v], gx2)(W_VALUE, X_VALUE, [2., 3.]),
                               np.array([0.3, 1.3, 2.3]) + 2 * X_VALUE)


def test_known_grads_errors(graph):
    W, V, x, v, y = graph
    with pytest.raises(AssertionError, match="cost and known_grads can't both be None."):
        theano.grad(None, W)
    with pytest.raises(TypeError, match="output grads must be theano variables"):
        theano.grad(T.sum(y), W, known_grads={y: np.ones(2)})
    with pytest.raises(TypeError, match="Gradients must always be NullType, DisconnectedType, or continuous"):
        theano.grad(T.sum(y), W, known_grads={y: T.lvector()})
    with pytest.raises(TypeError, match="wrt must not be a set"):
        theano.grad(T.sum(y), {W})


# ------------------------------------------------------------------ jacobian / hessian


def test_jacobian_values_and_types(graph):
    W, V, x, v, y = graph
    J = jacobian(T.tanh(y), W)
    assert J.ndim == 3 and J.dtype == "float64"
    expected = [[[0.15052708, 0.], [0.30105415, 0.], [0.45158123, 0.]],
                [[0., 0.04792534], [0., 0.09585069], [0., 0.14377603]]]
    np.testing.assert_allclose(theano.function([W, x], J)(W_VALUE, X_VALUE), expected, rtol=1e-7)
    J2 = T.jacobian(T.tanh(y), [W, x])
    assert isinstance(J2, list) and [j.ndim for j in J2] == [3, 2]
    assert T.jacobian(T.sum(y), x).ndim == 1  # a scalar expression: its gradient
    np.testing.assert_allclose(theano.function([x], T.jacobian(x * T.sum(x ** 2), x))(X_VALUE),
                               [[16., 4., 6.], [4., 22., 12.], [6., 12., 32.]])


def test_jacobian_against_finite_differences(rng):
    x = T.dvector("x")
    y = T.nnet.sigmoid(T.cumsum(x) * x)
    xv = rng.rand(5)
    np.testing.assert_allclose(theano.function([x], jacobian(y, x))(xv),
                               _numeric_jacobian(theano.function([x], y), xv), rtol=1e-6, atol=1e-9)


def test_jacobian_options(graph):
    W, V, x, v, y = graph
    with pytest.raises(AssertionError, match="expects a 1 dimensional variable as `expression`"):
        jacobian(T.outer(x, x), x)
    with pytest.raises(DisconnectedInputError):
        jacobian(T.tanh(x), W)
    jd = jacobian(T.tanh(x), [x, W], disconnected_inputs="ignore")
    _, zero = theano.function([x, W], jd, on_unused_input="ignore")(X_VALUE, W_VALUE)
    assert zero.shape == (3, 3, 2) and not zero.any()
    s = T.sum(x ** 2)
    jc = jacobian(x * s, x, consider_constant=[s])
    np.testing.assert_allclose(theano.function([x], jc)(X_VALUE), np.eye(3) * 14.0)


def test_hessian(rng):
    x = T.dvector("x")
    H = hessian(T.sum(T.tanh(x) ** 3), x)
    assert H.ndim == 2
    np.testing.assert_allclose(theano.function([x], H)(X_VALUE),
                               np.diag([-0.30715449, -0.35091229, -0.0577412]), rtol=1e-6, atol=1e-12)
    W = T.dmatrix("W")
    cost = T.sum(T.exp(T.dot(W, x)))
    Wv, xv = rng.rand(2, 3), rng.rand(3)
    grad_fn = theano.function([x, W], theano.grad(cost, x))
    np.testing.assert_allclose(theano.function([x, W], T.hessian(cost, x))(xv, Wv),
                               _numeric_jacobian(lambda p: grad_fn(p, Wv), xv), rtol=1e-6)
    assert isinstance(T.hessian(cost, [x]), list)
    with pytest.raises(AssertionError, match="expects a \\(list of\\) 1 dimensional variable as `wrt`"):
        hessian(T.sum(W), W)


# ------------------------------------------------------------------ ifelse


def test_ifelse_values_and_lists():
    a, b = T.dscalar("a"), T.dscalar("b")
    x, y = T.dvector("x"), T.dvector("y")
    c = T.iscalar("c")
    z = ifelse(T.lt(a, b), a * 2, b * 3)
    f = theano.function([a, b], z)
    assert z.type.dtype == "float64" and z.ndim == 0
    assert f(1., 2.) == 2.0 and f(3., 2.) == 6.0
    zs = ifelse(c, [x, a], [y, b])
    assert isinstance(zs, list) and [v.ndim for v in zs] == [1, 0]
    got = theano.function([c, x, y, a, b], zs)(0, [1., 2.], [3., 4., 5.], 1., 2.)
    np.testing.assert_allclose(got[0], [3., 4., 5.])
    assert got[1] == 2.0
    np.testing.assert_allclose(theano.function([c, x, y], ifelse(c, x, y))(2, [1., 2.], [3.]), [1., 2.])
    assert isinstance(theano.ifelse.ifelse(c, (x,), (y,)), tuple)
    # Branches of different shapes: the output's shape follows the condition.
    r = theano.function([c], ifelse(c, T.ones((2, 3)), T.zeros((3, 2))))
    assert r(0).shape == (3, 2) and r(1).shape == (2, 3)


def test_ifelse_type_errors():
    a, x, c = T.dscalar("a"), T.dvector("x"), T.iscalar("c")
    for then, other in [(x, a), (x, T.fvector()), (x, T.lvector()), (a, 1), (x, [a])]:
        with pytest.raises(TypeError, match="The two branches should have identical types"):
            ifelse(c, then, other)
    with pytest.raises(ValueError, match="The number of values on the `then` branch"):
        ifelse(c, [x, a], [x])
    with pytest.raises(TypeError, match="Condition given to the op has to be a scalar"):
        ifelse(T.dvector(), a, a)


def test_ifelse_is_lazy():
    """Only the taken branch runs: an index out of bounds in the other does not fail (Theano's lazy ifelse)."""
    x, c = T.dvector("x"), T.iscalar("c")
    f = theano.function([c, x], ifelse(c, x.sum(), x[5]))
    assert f(1, [1., 2.]) == 3.0
    with pytest.raises(IndexError, match="out of bounds"):
        f(0, [1., 2.])
    i = T.lscalar("i")
    g = theano.function([c, x, i], ifelse(c, x[i], x.sum()))
    assert g(0, [1., 2.], 7) == 3.0
    with pytest.raises(IndexError):
        g(1, [1., 2.], 7)
    assert g(1, [1., 2.], 1) == 2.0


def test_ifelse_lowers_to_one_cond():
    import jax
    x, c = T.dvector("x"), T.iscalar("c")
    out = ifelse(c, T.exp(x).sum(), T.log(x).sum())
    from symconv.interpret import evaluate
    jaxpr = jax.make_jaxpr(lambda cv, xv: evaluate([out], {c: cv, x: xv})[0])(np.int32(1), np.ones(3))
    text = str(jaxpr)
    assert "cond[" in text
    # exp and log appear only inside the branches.
    top = [str(e.primitive) for e in jaxpr.jaxpr.eqns]
    assert "exp" not in top and "log" not in top


def test_ifelse_gradients():
    a = T.dscalar("a")
    g = theano.grad(ifelse(T.gt(a, 0), a ** 2, a ** 3), a)
    f = theano.function([a], g)
    assert f(2.) == 4.0 and f(-2.) == 12.0
    x, c = T.dvector("x"), T.iscalar("c")
    y = ifelse(c, T.tanh(x), x ** 2)
    np.testing.assert_allclose(theano.function([c, x], jacobian(y, x))(0, [1., 2.]), [[2., 0.], [0., 4.]])
    np.testing.assert_allclose(theano.function([c, x], T.Rop(y, x, T.ones_like(x)))(1, [1., 2.]),
                               [0.41997434, 0.07065082], rtol=1e-7)
    np.testing.assert_allclose(theano.function([c, x], theano.grad(y.sum(), x))(1, [1., 2.]),
                               [0.41997434, 0.07065082], rtol=1e-7)


# ------------------------------------------------------------------ scan until


def test_until_stops_the_loop():
    a = T.dscalar("a")
    out, updates = theano.scan(lambda p: (p * 2, until(p * 2 > 20)), outputs_info=a, n_steps=10)
    assert not updates and out.ndim == 1 and out.type.shape == (None,)
    f = theano.function([a], [out, out.steps_taken, out[-1]])
    # Theano: [2, 4, 8, 16, 32] (5 steps), [200.] (1 step), ten zeros (never true).
    values, steps, last = f(1.)
    assert steps == 5 and last == 32.0
    np.testing.assert_allclose(values[:steps], [2., 4., 8., 16., 32.])
    values, steps, last = f(100.)
    assert steps == 1 and last == 200.0 and values[0] == 200.0
    values, steps, _ = f(0.)
    assert steps == 10
    np.testing.assert_allclose(values, np.zeros(10))


def test_until_with_sequences_updates_and_symbolic_n_steps():
    x = T.dvector("x")
    o2, _ = theano.scan(lambda v: (v * 2, until(v > 3)), sequences=x)
    values, steps = theano.function([x], [o2, o2.steps_taken])(np.arange(10.))
    np.testing.assert_allclose(values[:steps], [0., 2., 4., 6., 8.])  # Theano's answer
    s = theano.shared(0.0, name="s")

    def step(v, acc):
        return [acc + v, v * 3], {s: s + 1}, until(v >= 2)

    (acc, triple), updates = theano.scan(step, sequences=x, outputs_info=[np.float64(0), None])
    f = theano.function([x], [acc, triple, acc.steps_taken], updates=updates)
    acc_v, triple_v, steps = f(np.arange(5.))
    assert steps == 3
    np.testing.assert_allclose(acc_v[:3], [0., 1., 3.])  # Theano: [0, 1, 3], [0, 3, 6], s == 3
    np.testing.assert_allclose(triple_v[:3], [0., 3., 6.])
    assert s.get_value() == 3.0  # the shared update ran only on the steps taken
    a, n = T.dscalar("a"), T.iscalar("n")
    o6, _ = theano.scan(lambda p: (p * 2, until(p > 5)), outputs_info=a, n_steps=n)
    g = theano.function([a, n], [o6, o6.steps_taken])
    values, steps = g(1., 3)
    np.testing.assert_allclose(values[:steps], [2., 4., 8.])
    values, steps = g(1., 100)
    np.testing.assert_allclose(values[:steps], [2., 4., 8., 16.])


def test_until_gradient_and_rules():
    a = T.dscalar("a")
    o7, _ = theano.scan(lambda p: (p * 2, until(p > 5)), outputs_info=a, n_steps=10)
    assert theano.function([a], theano.grad(o7[-1], a))(1.) == 16.0  # Theano: 16
    assert theano.function([a], theano.grad(o7[-1] ** 2, a))(1.) == 512.0  # Theano: 512
    with pytest.raises(ValueError, match="no information about the number of steps"):
        theano.scan(lambda p: (p * 2, until(p > 5)), outputs_info=a)
    x = T.dvector("x")
    with pytest.raises(AssertionError):
        theano.scan(lambda v: (v * 2, until(T.stack([v > 3]))), sequences=x)


def test_ifelse_branch_gradient_is_lazy_too():
    """A gradient used only inside the untaken branch is not computed (its index check does not fire)."""
    x, c, i = T.dvector("x"), T.iscalar("c"), T.lscalar("i")
    g = theano.grad(x[i] ** 2, x)
    f = theano.function([c, x, i], ifelse(c, g, x))
    np.testing.assert_allclose(f(0, [1., 2.], 9), [1., 2.])
    np.testing.assert_allclose(f(1, [1., 2.], 1), [0., 4.])
    with pytest.raises(IndexError):
        f(1, [1., 2.], 9)


def test_rop_lop_of_shared_and_jacobian_hessian_through_scan():
    W = theano.shared(np.arange(6.).reshape(3, 2) / 10, name="W")
    x, v, V = T.dvector("x"), T.dvector("v"), T.dmatrix("V")
    y = T.tanh(T.dot(x, W))
    np.testing.assert_allclose(theano.function([x, V], T.Rop(y, W, V))(X_VALUE, np.ones((3, 2))),
                               [0.90316245, 0.28755207], rtol=1e-7)
    np.testing.assert_allclose(theano.function([x, v], T.Lop(y, W, v))(X_VALUE, [2., 3.]),
                               [[0.30105415, 0.14377603], [0.6021083, 0.28755207], [0.90316245, 0.4313281]],
                               rtol=1e-7)
    o, _ = theano.scan(lambda xt, h: T.tanh(h * xt + 1), sequences=x, outputs_info=T.constant(0.5, dtype="float64"))
    np.testing.assert_allclose(theano.function([x], T.jacobian(o, x))(X_VALUE),
                               [[9.03533195e-02, 0., 0.], [2.59956569e-03, 1.30210620e-02, 0.],
                                [1.09202496e-05, 5.46988472e-05, 1.39015761e-03]], rtol=1e-7)
    np.testing.assert_allclose(theano.function([x], T.hessian(o[-1], x))(X_VALUE),
                               [[-1.39728854e-05, -1.50186185e-05, -1.80275668e-05],
                                [-1.50186185e-05, -1.02576744e-04, -9.02989548e-05],
                                [-1.80275668e-05, -9.02989548e-05, -2.75831137e-03]], rtol=1e-7)


def test_grad_wrt_an_integer_variable_the_cost_reads_is_a_clear_type_error():
    # Theano's answer is op-specific (zero through DimShuffle/indexing, a derivative through a cast);
    # JAX has none for integers: symconv refuses by name instead of failing inside the lowering.
    import symconv
    import symconv.tensor as T
    count = symconv.shared(np.int64(2), name="count")
    v = T.dvector("v")
    g = T.grad(T.cast(count, "float64") * v.sum(), count)
    f = symconv.function([v], g, on_unused_input="ignore")
    with pytest.raises(TypeError, match=r"integer variable.*\n?.*count"):
        f(np.arange(4.0))
