"""Typical user mistakes raise Theano 1.0.5's exception classes.

tests/fixtures/theano/api_errors.txt holds what Theano 1.0.5 raised for each
case of tests/fixtures/theano/errors_survey.py (the same mistakes as the cases
below, 43 of them): its builtin base class and its class name.  symconv keeps its own
messages (the variable, expected against actual, the user's line).
"""
import builtins
from pathlib import Path

import numpy as np
import pytest

import symconv as theano
import symconv.tensor as T
from symconv.compile.function_module import MissingInputError, UnusedInputError
from symconv.gradient import DisconnectedInputError, NullTypeGradError

FIXTURE = Path(__file__).parent / "fixtures" / "theano" / "api_errors.txt"


def _theano_answers():
    answers = {}
    for line in FIXTURE.read_text().splitlines():
        if line.startswith("#") or line.startswith("classes|"):
            continue
        name, base, *rest = line.split("|")
        answers[name] = (base, rest[0] if base != "NO ERROR" else None)
    return answers


def _cases():
    x, y, v, i = T.dmatrix("x"), T.dmatrix("y"), T.dvector("v"), T.iscalar("i")
    W = theano.shared(np.ones((3, 4)), "W")
    return {
        "dot_shape_mismatch_runtime": lambda: theano.function([x, y], T.dot(x, y))(np.ones((2, 3)), np.ones((4, 5))),
        "add_shape_mismatch_runtime": lambda: theano.function([x, y], x + y)(np.ones((2, 3)), np.ones((4, 5))),
        "wrong_ndim_input": lambda: theano.function([x], x * 2)(np.ones(3)),
        "downcast_float64_to_float32": lambda: theano.function(
            [T.fmatrix("f")], T.fmatrix("g") * 0 + 1, on_unused_input="ignore")(np.ones((2, 2))),
        "float_to_int_input": lambda: theano.function([i], i * 2)(1.5),
        "too_many_args": lambda: theano.function([x], x * 2)(np.ones((2, 2)), np.ones((2, 2))),
        "too_few_args": lambda: theano.function([x, y], x + y)(np.ones((2, 2))),
        "missing_input": lambda: theano.function([x], x + y),
        "unused_input": lambda: theano.function([x, y], x * 2),
        "index_out_of_bounds": lambda: theano.function([v], v[5])(np.ones(3)),
        "grad_disconnected": lambda: theano.grad(x.sum(), y),
        "grad_non_scalar_cost": lambda: theano.grad(x, x),
        "grad_integer_wrt": lambda: theano.grad((i * 2).sum() * 1.0, i),
        "reshape_bad_runtime": lambda: theano.function([x], x.reshape((5, 5)))(np.ones((2, 3))),
        "shared_set_value_wrong_ndim": lambda: W.set_value(np.ones(3)),
        "update_type_mismatch": lambda: theano.function([], [], updates=[(W, W.sum())]),
        "update_not_shared": lambda: theano.function([x], x, updates=[(x, x * 2)]),
        "givens_type_mismatch": lambda: theano.function([v], W.sum(), givens={W: v}),
        "dimshuffle_bad": lambda: x.dimshuffle(0, 1, 2),
        "concat_mismatch_runtime": lambda: theano.function([x, y], T.concatenate([x, y], axis=0))(
            np.ones((2, 3)), np.ones((2, 4))),
        "input_not_variable": lambda: theano.function([np.ones(3)], x),
        "sum_bad_axis": lambda: x.sum(axis=3),
        "call_with_unknown_kwarg": lambda: theano.function([x], x * 2)(z=np.ones((2, 2))),
    } | _more_cases(x, y, v, W)


def _more_cases(x, y, v, W):
    iv, fv = T.ivector("iv"), T.fvector("fv")
    return {
        "elemwise_bcast_dim_runtime": lambda: theano.function([x, v], x + v)(np.ones((2, 3)), np.ones(4)),
        "shared_set_value_wrong_dtype": lambda: theano.shared(np.ones(3, "int32")).set_value(np.ones(3) * 0.5),
        "int_input_given_float_array": lambda: theano.function([iv], iv * 2)(np.ones(3)),
        "float32_input_given_float64_array": lambda: theano.function(
            [fv], T.fvector("fv2") * 0 + 1, on_unused_input="ignore"),
        "fvector_given_float64": lambda: theano.function([fv], fv * 2)(np.ones(3)),
        "fvector_given_python_list": lambda: theano.function([fv], fv * 2)([1.5, 2.5]),
        "advanced_index_oob": lambda: theano.function([v, iv], v[iv])(np.ones(3), np.array([0, 7], "int32")),
        "slice_assign_shape_mismatch": lambda: theano.function([v], T.set_subtensor(v[:2], np.ones(3)))(np.ones(5)),
        "dot_vector_mismatch": lambda: theano.function([x, v], T.dot(x, v))(np.ones((2, 3)), np.ones(4)),
        "flatten_bad_ndim": lambda: x.flatten(3),
        "reshape_wrong_ndim_symbolic": lambda: x.reshape(v.shape, ndim=2),
        "scan_outputs_info_mismatch": lambda: theano.scan(lambda a, acc: acc + a, sequences=x,
                                                          outputs_info=T.zeros((5,))),
        "grad_wrt_list_with_non_variable": lambda: theano.grad(x.sum(), [x, 3]),
        "function_outputs_not_variable": lambda: theano.function([x], [x, "a"]),
        "updates_duplicate": lambda: theano.function([], [], updates=[(W, W * 2), (W, W * 3)]),
        "givens_key_not_variable": lambda: theano.function([x], x * 2, givens={"a": x}),
        "conv2d_channel_mismatch": lambda: theano.function(
            [T.tensor4("a"), T.tensor4("b")], T.nnet.conv2d(T.tensor4("a2"), T.tensor4("b2")),
            on_unused_input="ignore"),
        "argmax_bad_axis": lambda: T.argmax(v, axis=2),
        "concatenate_ndim_mismatch": lambda: T.concatenate([x, v], axis=0),
        "switch_shape_runtime": lambda: theano.function([x, y], T.switch(x > 0, x, y))(np.ones((2, 3)),
                                                                                        np.ones((3, 2))),
    }


THEANO_CLASSES = {"MissingInputError": MissingInputError, "UnusedInputError": UnusedInputError,
                  "DisconnectedInputError": DisconnectedInputError, "NullTypeGradError": NullTypeGradError}


@pytest.mark.parametrize("name", sorted(_theano_answers()))
def test_mistake_raises_theanos_exception_class(name):
    base, cls = _theano_answers()[name]
    case = _cases()[name]
    if base == "NO ERROR":
        with theano.config.change_flags(floatX="float64"):
            case()
        return
    expected = THEANO_CLASSES.get(cls) or getattr(builtins, base)
    with theano.config.change_flags(floatX="float64"):
        with pytest.raises(expected) as info:
            case()
    if cls in THEANO_CLASSES:
        assert type(info.value).__name__ == cls
    assert str(info.value)  # symconv's message, never empty


def test_theanos_exception_classes_have_theanos_bases():
    assert issubclass(DisconnectedInputError, ValueError) and issubclass(NullTypeGradError, TypeError)
    assert issubclass(MissingInputError, Exception) and issubclass(UnusedInputError, Exception)
    assert theano.gradient.DisconnectedInputError is DisconnectedInputError
    assert theano.gof.fg.MissingInputError is MissingInputError is theano.gof.MissingInputError
