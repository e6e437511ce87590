"""``theano.gpuarray.dnn``: Theano's cuDNN ops, which symconv does not have (XLA calls cuDNN itself on a GPU)."""


def dnn_present():
    """False: symconv provides none of Theano's cuDNN ops (``dnn_conv``, ``dnn_pool``, ...)."""
    return False


dnn_present.msg = ("symconv has no Theano cuDNN ops (theano.gpuarray.dnn); its convolutions and pooling "
                   "run through XLA, which uses cuDNN on a GPU by itself")
dnn_available = dnn_present
