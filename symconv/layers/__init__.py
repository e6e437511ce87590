"""The deeplearning.net tutorials' layers and models, on symconv graphs.

``LogisticRegression`` (logistic_sgd.py), ``HiddenLayer`` and ``MLP`` (mlp.py),
``LeNetConvPoolLayer`` (alias ``ConvPool``) and ``LeNet5`` (convolutional_mlp.py),
``dA`` (dA.py), ``RBM`` (rbm.py), ``SdA`` (SdA.py) and ``DBN`` (DBN.py).
Every one keeps its parameters in ``params`` as shared variables, pickles
together with its graph, and can be built again on a new input:
``model.rebuild(x, batch_size=1)`` shares the parameters,
``LeNet5.from_params(values, x, batch_size=1, **model.architecture())`` takes
saved ones.
"""
from .autoencoder import dA
from .base import Layer
from .classifier import Classifier
from .conv_pool import ConvPool, LeNetConvPoolLayer
from .hidden import HiddenLayer
from .init import glorot_bound, glorot_uniform
from .lenet5 import LeNet5, build_lenet5
from .logistic_regression import LogisticRegression
from .mlp import MLP
from .rbm import RBM
from .stacked import DBN, SdA, StackedClassifier

__all__ = ["DBN", "RBM", "Classifier", "ConvPool", "HiddenLayer", "LeNet5", "LeNetConvPoolLayer", "Layer",
           "LogisticRegression", "MLP", "SdA", "StackedClassifier", "build_lenet5", "dA", "glorot_bound",
           "glorot_uniform"]
