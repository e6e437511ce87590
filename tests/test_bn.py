"""T.nnet.bn: batch normalisation against a NumPy reference, gradients, running averages."""
import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv.gradient import verify_grad
from symconv.tensor.nnet import bn


def _reference_train(x, gamma, beta, axes, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    invstd = 1.0 / np.sqrt(var + eps)
    return (x - mean) * gamma * invstd + beta, mean, invstd, var


@pytest.mark.parametrize("axes, ndim, expanded", [
    ("per-activation", 2, (0,)),
    ("spatial", 4, (0, 2, 3)),
    ((0, 2), 3, (0, 2)),
])
def test_train_matches_numpy(rng, axes, ndim, expanded):
    shape = (6, 3, 4, 5)[:ndim]
    x = rng.randn(*shape) * 2 + 1
    pshape = tuple(1 if i in expanded else d for i, d in enumerate(shape))
    gamma, beta = rng.rand(*pshape) + 0.5, rng.randn(*pshape)
    xs = T.tensor("float64", (None,) * ndim, name="x")
    g, b = T.tensor("float64", (None,) * ndim), T.tensor("float64", (None,) * ndim)
    out, mean, invstd = bn.batch_normalization_train(xs, g, b, axes=axes, epsilon=1e-4)
    got = symconv.function([xs, g, b], [out, mean, invstd])(x, gamma, beta)
    ref = _reference_train(x, gamma, beta, expanded, 1e-4)
    for a, e in zip(got, ref[:3]):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-12)
    # Normalised output: zero mean, unit variance along the axes (gamma=1, beta=0).
    out1 = symconv.function([xs], bn.batch_normalization_train(xs, T.ones_like(mean), T.zeros_like(mean),
                                                               axes=axes)[0])(x)
    np.testing.assert_allclose(out1.mean(axis=expanded), 0, atol=1e-10)
    np.testing.assert_allclose(out1.var(axis=expanded), 1, atol=1e-3)


def test_params_without_the_normalised_axes(rng):
    x = rng.randn(5, 3, 2, 2)
    gamma, beta = rng.rand(3) + 0.5, rng.randn(3)
    xs, g, b = T.dtensor4("x"), T.dvector("g"), T.dvector("b")
    rm = symconv.shared(np.zeros(3), name="rm")
    rv = symconv.shared(np.ones(3), name="rv")
    out, mean, invstd, new_rm, new_rv = bn.batch_normalization_train(
        xs, g, b, axes="spatial", running_mean=rm, running_var=rv)
    assert (mean.ndim, invstd.ndim, new_rm.ndim, new_rv.ndim) == (1, 1, 1, 1)
    f = symconv.function([xs, g, b], [out, mean, invstd], updates=[(rm, new_rm), (rv, new_rv)])
    o, m, s = f(x, gamma, beta)
    ref_out, ref_mean, ref_invstd, ref_var = _reference_train(
        x, gamma[None, :, None, None], beta[None, :, None, None], (0, 2, 3), 1e-4)
    np.testing.assert_allclose(o, ref_out, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(m, ref_mean.reshape(3), rtol=1e-10)
    np.testing.assert_allclose(s, ref_invstd.reshape(3), rtol=1e-10)
    count = 5 * 2 * 2
    np.testing.assert_allclose(rm.get_value(), 0.1 * ref_mean.reshape(3), rtol=1e-10)
    np.testing.assert_allclose(rv.get_value(), 0.9 + 0.1 * ref_var.reshape(3) * count / (count - 1), rtol=1e-10)


def test_running_averages_over_calls(rng):
    floatX = "float32"
    x = T.matrix("x")
    gamma = symconv.shared(np.ones((1, 4), floatX), name="gamma")
    beta = symconv.shared(np.zeros((1, 4), floatX), name="beta")
    rm = symconv.shared(np.zeros((1, 4), floatX), name="running_mean")
    rv = symconv.shared(np.ones((1, 4), floatX), name="running_var")
    out, _, _, new_rm, new_rv = bn.batch_normalization_train(x, gamma, beta, running_average_factor=0.3,
                                                             running_mean=rm, running_var=rv)
    assert new_rm.dtype == new_rv.dtype == floatX
    train = symconv.function([x], out, updates=[(rm, new_rm), (rv, new_rv)])
    expected_m, expected_v = np.zeros((1, 4)), np.ones((1, 4))
    for _ in range(3):
        batch = (rng.randn(8, 4) * 3 + 2).astype(floatX)
        train(batch)
        expected_m = 0.7 * expected_m + 0.3 * batch.mean(axis=0, keepdims=True)
        expected_v = 0.7 * expected_v + 0.3 * batch.var(axis=0, ddof=1, keepdims=True)
    assert rm.get_value().dtype == floatX
    np.testing.assert_allclose(rm.get_value(), expected_m, rtol=1e-5)
    np.testing.assert_allclose(rv.get_value(), expected_v, rtol=1e-5)
    # The test-mode graph uses the running statistics.
    test_out = bn.batch_normalization_test(x, gamma, beta, rm, rv)
    batch = rng.randn(2, 4).astype(floatX)
    np.testing.assert_allclose(symconv.function([x], test_out)(batch),
                               (batch - expected_m) / np.sqrt(expected_v + 1e-4), rtol=1e-4, atol=1e-5)


def test_test_mode_matches_numpy(rng):
    x = rng.randn(4, 3, 5)
    gamma, beta, mean, var = rng.rand(3, 5), rng.randn(3, 5), rng.randn(3, 5), rng.rand(3, 5) + 0.1
    xs = T.dtensor3("x")
    ps = [T.dmatrix() for _ in range(4)]
    out = bn.batch_normalization_test(xs, *ps, axes="per-activation", epsilon=1e-3)
    got = symconv.function([xs] + ps, out)(x, gamma, beta, mean, var)
    np.testing.assert_allclose(got, (x - mean) * gamma / np.sqrt(var + 1e-3) + beta, rtol=1e-10)


def test_old_batch_normalization(rng):
    x, gamma, beta, mean, std = rng.randn(4, 3), rng.rand(3), rng.randn(3), rng.randn(3), rng.rand(3) + 0.5
    xs, g, b, m, s = T.dmatrix(), T.dvector(), T.dvector(), T.dvector(), T.dvector()
    expected = (x - mean) * (gamma / std) + beta
    for mode in ("low_mem", "high_mem"):
        out = bn.batch_normalization(xs, g, b, m, s, mode=mode)
        np.testing.assert_allclose(symconv.function([xs, g, b, m, s], out)(x, gamma, beta, mean, std), expected)
    with pytest.raises(ValueError, match="mode"):
        bn.batch_normalization(xs, g, b, m, s, mode="fast")


def test_gradients(rng):
    x = rng.randn(5, 3)
    gamma, beta = rng.rand(1, 3) + 0.5, rng.randn(1, 3)

    def train_out(x, g, b):
        return bn.batch_normalization_train(x, g, b, epsilon=1e-3)[0]

    verify_grad(train_out, [x, gamma, beta], rng=rng)
    mean, var = rng.randn(1, 3), rng.rand(1, 3) + 0.5
    verify_grad(lambda x, g, b, m, v: bn.batch_normalization_test(x, g, b, m, v), [x, gamma, beta, mean, var],
                rng=rng)


def test_gradient_of_mean_matches_analytic(rng):
    # d/dx sum(out * w) for batch norm has a closed form; check it directly.
    x = rng.randn(6, 2)
    w = rng.randn(6, 2)
    xs = T.dmatrix("x")
    out = bn.batch_normalization_train(xs, T.ones((1, 2), "float64"), T.zeros((1, 2), "float64"), epsilon=1e-4)[0]
    gx = symconv.function([xs], symconv.grad(T.sum(out * w), xs))(x)
    n = x.shape[0]
    mu, var = x.mean(0), x.var(0)
    xhat = (x - mu) / np.sqrt(var + 1e-4)
    expected = (w - w.mean(0) - xhat * (w * xhat).mean(0)) / np.sqrt(var + 1e-4)
    np.testing.assert_allclose(gx, expected, rtol=1e-8, atol=1e-10)
    assert n == 6


def test_bad_arguments():
    x = T.matrix()
    with pytest.raises(ValueError, match="epsilon"):
        bn.batch_normalization_train(x, T.vector(), T.vector(), epsilon=1e-6)
    with pytest.raises(ValueError, match="axes"):
        bn.batch_normalization_train(x, T.vector(), T.vector(), axes="channel")
    with pytest.raises(ValueError, match="dimensions"):
        bn.batch_normalization_train(T.tensor4(), T.vector(), T.vector(), axes="per-activation")
    with pytest.raises(ValueError, match="together"):
        bn.batch_normalization_train(x, T.vector(), T.vector(), running_mean=T.vector())
