"""One dispatch per epoch: ``FusedMaps`` (training, validation and a guarded test evaluation in one XLA
computation) gives the numbers of the separate calls, and the tutorials' loop decides the same with it."""
import jax.numpy as jnp
import numpy as np
import pytest

import symconv
import symconv.tensor as T
from symconv.compile.fused import FusedMaps
from symconv.tutorials_impl import convolutional_mlp, logistic_sgd, runner

N, BATCH, FEATURES, CLASSES = 60, 10, 7, 3


def _model(seed=0):
    """A softmax regression on fixed random data: (train, validate, test) as the tutorials build them,
    and its parameters."""
    rng = np.random.RandomState(seed)
    data = [(symconv.shared(rng.randn(N, FEATURES).astype("float32")),
             symconv.shared(rng.randint(0, CLASSES, N).astype("int32"))) for _ in range(3)]
    W = symconv.shared(np.zeros((FEATURES, CLASSES), "float32"), name="W")
    b = symconv.shared(np.zeros(CLASSES, "float32"), name="b")
    index, x, y = T.lscalar("index"), T.matrix("x"), T.ivector("y")
    p_y = T.nnet.softmax(T.dot(x, W) + b)
    cost = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    errors = T.mean(T.neq(T.argmax(p_y, axis=1), y))
    window = slice(index * BATCH, (index + 1) * BATCH)
    gW, gb = T.grad(cost, [W, b])

    def fn(split, output, updates=None):
        set_x, set_y = data[split]
        return symconv.function([index], output, updates=updates, givens={x: set_x[window], y: set_y[window]})

    return (fn(0, cost, [(W, W - 0.5 * gW), (b, b - 0.5 * gb)]), fn(1, errors), fn(2, errors)), [W, b]


def test_fused_maps_equal_the_calls_one_after_the_other():
    (train, validate, test), params = _model()
    (train2, validate2, test2), params2 = _model()
    fused = FusedMaps([train2, validate2, test2], finite=params2)
    indices, evaluated = np.arange(N // BATCH, dtype=np.int32), np.arange(3, dtype=np.int32)
    for _ in range(3):
        costs = train.map(indices)
        errors, test_errors = validate.map(evaluated), test.map(evaluated)
        result = fused([(indices,), (evaluated,), (evaluated,)])
        np.testing.assert_array_equal(result.outputs[0], costs)
        np.testing.assert_array_equal(result.outputs[1], errors)
        np.testing.assert_array_equal(result.outputs[2], test_errors)
        assert result.finite is True
        for param, param2 in zip(params, params2):
            np.testing.assert_array_equal(param2.get_value(), param.get_value())


def test_a_guarded_function_runs_only_where_its_guard_holds():
    (train, validate, test), params = _model()
    fused = FusedMaps([train, validate, test], guard=lambda outs, best: jnp.mean(outs[1][0]) < best)
    indices, evaluated = np.arange(2, dtype=np.int32), np.arange(3, dtype=np.int32)
    ran = fused([(indices,), (evaluated,), (evaluated,)], guard_args=(np.float64(np.inf),))
    assert ran.outputs[2] is not None and ran.finite is None
    skipped = fused([(indices,), (evaluated,), (evaluated,)], guard_args=(np.float64(-1.0),))
    assert skipped.outputs[2] is None and skipped.outputs[1] is not None


def test_a_failed_check_raises_the_calls_own_error_after_the_calls_before_it():
    (train, validate, test), params = _model()
    (train2, _, _), params2 = _model()
    fused = FusedMaps([train, validate, test])
    one = (np.arange(1, dtype=np.int32),)
    with pytest.raises(IndexError) as fused_error:
        fused([(np.array([0, 99], np.int32),), one, one])
    train2(0)
    with pytest.raises(IndexError) as call_error:
        train2(99)
    assert str(fused_error.value) == str(call_error.value)
    for param, param2 in zip(params, params2):  # minibatch 0 trained, the failed call changed nothing
        np.testing.assert_array_equal(param.get_value(), param2.get_value())


def test_fusing_is_refused_for_inputs_that_are_not_scalars():
    x = T.vector("x")
    assert not FusedMaps.possible([symconv.function([x], x.sum())])
    with pytest.raises(ValueError):
        FusedMaps([symconv.function([x], x.sum())])


@pytest.mark.parametrize("tutorial", ["lenet", "logistic"])
def test_the_tutorial_loop_prints_and_records_the_same_with_and_without_fusing(tutorial, monkeypatch, capsys):
    """A few epochs of LeNet5 (and of the logistic regression, whose validation points fall inside an
    epoch), once with each epoch's validation and test evaluation in the training dispatch, once with the
    separate calls: the same lines, the same history, the same weights."""
    def run():
        if tutorial == "lenet":
            return convolutional_mlp.evaluate_lenet5(n_epochs=3, batch_size=50, nkerns=(3, 4), n_train=400)
        return logistic_sgd.sgd_optimization_mnist(n_epochs=4, batch_size=40, n_train=600, patience=20)

    fused = run()
    fused_lines = _loop_lines(capsys.readouterr().out)
    monkeypatch.setattr(runner, "train_and_evaluate", lambda *args: None)
    separate = run()
    assert _loop_lines(capsys.readouterr().out) == fused_lines and fused_lines
    assert fused.history.to_dict() == separate.history.to_dict()
    assert (fused.best_validation_loss, fused.best_iter, fused.test_score) == \
        (separate.best_validation_loss, separate.best_iter, separate.test_score)


def _loop_lines(out):
    return [line for line in out.splitlines() if "error" in line or "training @" in line or "best" in line.lower()]
