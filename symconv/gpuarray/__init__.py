"""``theano.gpuarray``: Theano's libgpuarray (pygpu) back end, which symconv does not have.

symconv runs on an accelerator through JAX (``config.device``), never through
pygpu, so ``pygpu_activated`` is False, as it is in a Theano installed without
pygpu; code that checks it (Lasagne's tests) takes its CPU path.  Nothing else
of the module (``gpuarray.dnn``, GPU types) is provided.
"""
pygpu_activated = False

from . import dnn  # noqa: E402,F401  (dnn.dnn_present() is False)
