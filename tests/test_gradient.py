"""symconv.grad: values against numerical differences, options, and one forward pass."""
import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv.gradient import verify_grad


def test_grad_matches_analytic(rng):
    x = T.dvector("x")
    w = symconv.shared(rng.rand(3), name="w")
    cost = T.sum(T.tanh(x * w) ** 2)
    g = symconv.grad(cost, w)
    xv = rng.rand(3)
    expected = 2 * np.tanh(xv * w.get_value()) * (1 - np.tanh(xv * w.get_value()) ** 2) * xv
    np.testing.assert_allclose(symconv.function([x], g)(xv), expected, rtol=1e-10)


def test_grad_list_and_intermediate_wrt(rng):
    x = T.dvector("x")
    h = T.exp(x)
    cost = T.sum(h * h)
    gx, gh = symconv.grad(cost, [x, h])
    xv = rng.rand(4)
    a, b = symconv.function([x], [gx, gh])(xv)
    np.testing.assert_allclose(a, 2 * np.exp(2 * xv))
    np.testing.assert_allclose(b, 2 * np.exp(xv))


def test_consider_constant_and_disconnected_grad(rng):
    x = T.dscalar("x")
    y = x * x
    cost = y * x
    assert symconv.function([x], symconv.grad(cost, x, consider_constant=[y]))(3.0) == 9.0
    assert symconv.function([x], symconv.grad(symconv.gradient.disconnected_grad(y) * x, x))(3.0) == 9.0
    assert symconv.function([x], symconv.grad(cost, x))(3.0) == 27.0


def test_disconnected_inputs():
    x, z = T.dscalar("x"), T.dscalar("z")
    with pytest.raises(symconv.DisconnectedInputError, match="z"):
        symconv.grad(x * 2, z)
    g = symconv.grad(x * 2, z, disconnected_inputs="ignore")
    assert symconv.function([x, z], g)(1.0, 1.0) == 0.0


def test_cost_must_be_scalar():
    with pytest.raises(TypeError, match="scalar"):
        symconv.grad(T.dvector("v") * 2, T.dvector())


def test_gradient_of_gradient():
    x = T.dscalar("x")
    g = symconv.grad(x ** 3, x)
    gg = symconv.grad(g, x)
    assert symconv.function([x], gg)(2.0) == pytest.approx(12.0)


def test_forward_pass_computed_once():
    """The jaxpr of cost + grad holds the expensive forward op once, not twice."""
    import jax

    x = T.dmatrix("x")
    w = symconv.shared(np.ones((3, 3)), name="w")
    cost = T.sum(T.tanh(T.dot(x, w)))
    f = symconv.function([x], [cost, symconv.grad(cost, w)])
    program = f.lower(np.ones((2, 3))).as_text()
    assert program.count("tanh") == 1


def test_verify_grad_catches_a_wrong_gradient():
    import jax

    from symconv.op import Op

    @jax.custom_vjp
    def wrong(x):
        return x * 2

    wrong.defvjp(lambda x: (x * 2, None), lambda _, g: (g * 3,))
    bad = lambda v: Op("wrong", lambda a: wrong(a))(v)  # noqa: E731
    with pytest.raises(symconv.gradient.GradientError):
        verify_grad(bad, [np.ones(3)])
    verify_grad(lambda v: v * 2, [np.ones(3)])


def test_verify_grad_of_a_scalar_output():
    verify_grad(lambda a: (a ** 2).sum(), [np.arange(3.0)])
