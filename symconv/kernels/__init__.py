"""Pure JAX kernels that the graph core uses to lower Theano's ``conv2d`` and ``pool_2d`` ops.

They take and return arrays (or tracers), know nothing about symbolic variables, and reproduce
Theano's numerical semantics exactly, including gradients through ``jax.grad``.
"""
