"""Lasagne's layers whose tests cannot be collected (layers/test_conv.py fails to import on Theano 1.0.5 too).

Outputs and gradients (wrt the input and every parameter) of TransposedConv2D/3D,
DilatedConv2D, Conv3D, Pool3D and SpatialPyramidPooling layers, written to an
.npz; run it under Theano and through ``symconv run`` and compare:

    THEANO_FLAGS=blas.ldflags=,floatX=float64 ~/theano-venv/bin/python compat/lasagne_layers_check.py LASAGNE th.npz
    THEANO_FLAGS=floatX=float64 symconv run compat/lasagne_layers_check.py LASAGNE sy.npz
    python compat/lasagne_layers_check.py --compare th.npz sy.npz
"""
import sys

import numpy as np

if sys.argv[1] == "--compare":
    a, b = np.load(sys.argv[2]), np.load(sys.argv[3])
    assert a.files == b.files and all(a[k].shape == b[k].shape for k in a.files)
    print("largest difference relative to the largest value, over", len(a.files), "arrays:",
          max(float(np.abs(a[k] - b[k]).max() / (np.abs(a[k]).max() + 1e-30)) for k in a.files))
    sys.exit(0)
sys.path.insert(0, sys.argv[1])
import theano  # noqa: E402
import theano.tensor as T  # noqa: E402
from lasagne.layers import InputLayer, TransposedConv2DLayer, DilatedConv2DLayer, Conv3DLayer, \
    TransposedConv3DLayer, Pool3DLayer, SpatialPyramidPoolingLayer, get_output, get_all_params  # noqa: E402
rng = np.random.RandomState(0)
x = rng.randn(2, 3, 9, 8)
x5 = rng.randn(2, 2, 5, 6, 4)
out = {}


def set_params(layer):
    for i, p in enumerate(get_all_params(layer)):
        p.set_value(np.random.RandomState(i).randn(*p.get_value().shape))
v4 = T.tensor4(); v5 = T.TensorType(theano.config.floatX, (False,) * 5)()
cases = [
 ("tconv", lambda l: TransposedConv2DLayer(l, 4, (3, 2), stride=(2, 3), crop=(1, 0)), v4, x),
 ("tconv_same", lambda l: TransposedConv2DLayer(l, 2, 3, stride=2, crop='same'), v4, x),
 ("tconv_full", lambda l: TransposedConv2DLayer(l, 2, 3, stride=1, crop='full', flip_filters=True), v4, x),
 ("dilated", lambda l: DilatedConv2DLayer(l, 4, (3, 2), dilation=(2, 3)), v4, x),
 ("conv3d", lambda l: Conv3DLayer(l, 3, (3, 3, 1), stride=(1, 2, 1), pad='same'), v5, x5),
 ("tconv3d", lambda l: TransposedConv3DLayer(l, 3, (2, 3, 2), stride=(2, 1, 2), crop=(1, 0, 0)), v5, x5),
 ("pool3d", lambda l: Pool3DLayer(l, (2, 3, 2), stride=(1, 2, 2), pad=(1, 1, 0), mode='average_inc_pad'), v5, x5),
 ("spp", lambda l: SpatialPyramidPoolingLayer(l, [1, 2, 3]), v4, x),
]
for name, make, var, value in cases:
    l_in = InputLayer((None,) + value.shape[1:], input_var=var)
    layer = make(l_in)
    set_params(layer)
    y = get_output(layer)
    cost = (y ** 2).sum()
    params = get_all_params(layer, trainable=True)
    grads = T.grad(cost, [var] + params)
    vals = theano.function([var], [y] + grads)(value)
    for i, v in enumerate(vals):
        out[f"{name}_{i}"] = np.asarray(v)
np.savez(sys.argv[2], **out)
print("saved", len(out))
