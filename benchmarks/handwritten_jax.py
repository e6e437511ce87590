"""LeNet5 written directly in JAX: the independent baseline symconv is measured against.

Nothing here calls symconv's kernels. The parameters are a dict pytree (OIHW filters, as in the
tutorial), the data sits on the device and each minibatch is cut with ``lax.dynamic_slice``
inside the jitted step (as symconv's ``givens`` do), and the step donates its parameters.

Two convolution lowerings:
- ``'lax'``: ``lax.conv_general_dilated`` on NCHW / OIHW;
- ``'im2col'``: channels-last throughout (one transpose before the flatten); each conv is the
  kh*kw shifted slices concatenated on the channel axis and ONE matmul.
Theano's conv2d flips the filters (a true convolution); so does this code.

Max-pooling (2x2, non-overlapping) is a reshape + max. Its gradient is written by hand
(``custom_vjp``): every element equal to its window's max gets the window's gradient, which is
Theano's rule and, measured here, 1.1-1.4x faster for the whole training step than letting JAX
differentiate either the reshape + max or ``lax.reduce_window`` (``pool_by`` picks those, for
comparison).
All dtypes are explicit float32 / int32: symconv turns on JAX's 64-bit mode in this process.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

F32 = jnp.float32


def _flip(w):
    return w[:, :, ::-1, ::-1]


def _blocks(x, pool, axes):
    """Split the two pooled axes (``axes``, consecutive) into (count, window) pairs."""
    a = axes[0]
    shape = x.shape[:a] + (x.shape[a] // pool[0], pool[0], x.shape[a + 1] // pool[1], pool[1]) + x.shape[a + 2:]
    return x.reshape(shape)


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2))
def _max_pool_vjp(x, pool, axes):
    return _blocks(x, pool, axes).max(axis=(axes[0] + 1, axes[0] + 3))


def _max_pool_fwd(x, pool, axes):
    out = _max_pool_vjp(x, pool, axes)
    return out, (x, out)


def _max_pool_bwd(pool, axes, residuals, g):
    x, out = residuals
    a = axes[0]
    is_max = _blocks(x, pool, axes) == jnp.expand_dims(out, (a + 1, a + 3))
    return (jnp.where(is_max, jnp.expand_dims(g, (a + 1, a + 3)), jnp.zeros((), g.dtype)).reshape(x.shape),)


_max_pool_vjp.defvjp(_max_pool_fwd, _max_pool_bwd)


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2))
def _max_pool_slices(x, pool, axes):
    a = axes[0]
    out = None
    for i in range(pool[0]):
        for j in range(pool[1]):
            index = [slice(None)] * x.ndim
            index[a], index[a + 1] = slice(i, None, pool[0]), slice(j, None, pool[1])
            part = x[tuple(index)]
            out = part if out is None else jnp.maximum(out, part)
    return out


def _max_pool_slices_fwd(x, pool, axes):
    out = _max_pool_slices(x, pool, axes)
    return out, (x, out)


_max_pool_slices.defvjp(_max_pool_slices_fwd, _max_pool_bwd)


def max_pool(x, pool, axes, pool_by="max-vjp"):
    """Non-overlapping max-pool of ``x`` over the consecutive ``axes`` (windows ``pool``)."""
    if pool_by == "max-vjp":
        return _max_pool_vjp(x, tuple(pool), tuple(axes))
    if pool_by == "slices":
        return _max_pool_slices(x, tuple(pool), tuple(axes))
    if pool_by == "reshape":
        return _blocks(x, pool, axes).max(axis=(axes[0] + 1, axes[0] + 3))
    if pool_by == "window":
        window = tuple(pool[axes.index(d)] if d in axes else 1 for d in range(x.ndim))
        return lax.reduce_window(x, -jnp.inf, lax.max, window, window, "VALID")
    raise ValueError(f"unknown pool_by {pool_by!r}")


# ---------------------------------------------------------------- lax.conv, NCHW

def _conv_pool_lax(x, w, b, pool, pool_by):
    out = lax.conv_general_dilated(x, _flip(w), (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"))
    out = max_pool(out, pool, (2, 3), pool_by)
    return jnp.tanh(out + b[None, :, None, None])


def _features_lax(params, x, config, pool_by="max-vjp"):
    h = x.reshape((x.shape[0], 1) + config.image)
    h = _conv_pool_lax(h, params["W0"], params["b0"], config.pool, pool_by)
    h = _conv_pool_lax(h, params["W1"], params["b1"], config.pool, pool_by)
    return h.reshape(h.shape[0], -1)


# ------------------------------------------------------------ im2col, channels-last

def _conv_pool_im2col(x, w, b, pool, pool_by, precision=None):
    n, rows, cols, channels = x.shape
    out_channels, _, kh, kw = w.shape
    out_rows, out_cols = rows - kh + 1, cols - kw + 1
    patches = jnp.concatenate([x[:, i:i + out_rows, j:j + out_cols, :] for i in range(kh) for j in range(kw)],
                              axis=-1)
    filters = jnp.transpose(_flip(w), (2, 3, 1, 0)).reshape(kh * kw * channels, out_channels)
    out = jnp.matmul(patches.reshape(-1, kh * kw * channels), filters, precision=precision)
    out = out.reshape(n, out_rows, out_cols, out_channels)
    out = max_pool(out, pool, (1, 2), pool_by)
    return jnp.tanh(out + b)


def _conv_nchw_by_nhwc(x, w, precision=None):
    """im2col on an NCHW input as symconv's kernel does it: to NHWC, patches, matmul, back to NCHW."""
    n, channels, rows, cols = x.shape
    out_channels, _, kh, kw = w.shape
    out_rows, out_cols = rows - kh + 1, cols - kw + 1
    x = jnp.transpose(x, (0, 2, 3, 1))
    patches = jnp.stack([x[:, i:i + out_rows, j:j + out_cols, :] for i in range(kh) for j in range(kw)], axis=3)
    filters = jnp.transpose(_flip(w), (2, 3, 1, 0)).reshape(kh * kw * channels, out_channels)
    out = jnp.matmul(patches.reshape(-1, kh * kw * channels), filters, precision=precision)
    return jnp.transpose(out.reshape(n, out_rows, out_cols, out_channels), (0, 3, 1, 2))


def _conv_nchw_by_cnhw(x, w, precision=None):
    """im2col on an NCHW input through CNHW: every transpose moves whole rows*cols planes.

    Patches are built as (C, kh*kw, N, rows, cols), i.e. a (C*kh*kw, N*rows*cols) matrix whose
    row order is the OIHW filters' own (c, i, j) order, so the filters need no transpose;
    ``filters @ patches`` is (O, N, rows, cols) and one plane-wise transpose makes it NCHW.
    """
    n, channels, rows, cols = x.shape
    out_channels, _, kh, kw = w.shape
    out_rows, out_cols = rows - kh + 1, cols - kw + 1
    x = jnp.transpose(x, (1, 0, 2, 3))
    patches = jnp.stack([x[:, :, i:i + out_rows, j:j + out_cols] for i in range(kh) for j in range(kw)], axis=1)
    patches = patches.reshape(channels * kh * kw, n * out_rows * out_cols)
    filters = _flip(w).reshape(out_channels, channels * kh * kw)
    out = jnp.matmul(filters, patches, precision=precision).reshape(out_channels, n, out_rows, out_cols)
    return jnp.transpose(out, (1, 0, 2, 3))


def _features_im2col(params, x, config, pool_by="max-vjp", precision=None, layout="nhwc"):
    """``layout``: 'nhwc' channels-last throughout; 'nchw' NCHW between layers with each conv going
    through NHWC (symconv's conv2d op); 'cnhw' NCHW between layers, each conv through CNHW;
    'nchw-after-pool' NCHW between layers but the max-pool done channels-last (conv + pool as one op)."""
    if layout in ("nchw", "cnhw"):
        conv = _conv_nchw_by_nhwc if layout == "nchw" else _conv_nchw_by_cnhw
        h = x.reshape((x.shape[0], 1) + config.image)
        for w, b in ((params["W0"], params["b0"]), (params["W1"], params["b1"])):
            h = max_pool(conv(h, w, precision), config.pool, (2, 3), pool_by)
            h = jnp.tanh(h + b[None, :, None, None])
        return h.reshape(h.shape[0], -1)
    if layout == "nchw-after-pool":
        h = x.reshape((x.shape[0], 1) + config.image)
        for w, b in ((params["W0"], params["b0"]), (params["W1"], params["b1"])):
            out = _conv_nchw_by_nhwc(h, w, precision)
            out = jnp.transpose(out, (0, 2, 3, 1))  # XLA folds this into the conv's own transpose
            out = jnp.transpose(max_pool(out, config.pool, (1, 2), pool_by), (0, 3, 1, 2))
            h = jnp.tanh(out + b[None, :, None, None])
        return h.reshape(h.shape[0], -1)
    if layout != "nhwc":
        raise ValueError(f"unknown layout {layout!r}")
    h = x.reshape((x.shape[0],) + config.image + (1,))
    h = _conv_pool_im2col(h, params["W0"], params["b0"], config.pool, pool_by, precision)
    h = _conv_pool_im2col(h, params["W1"], params["b1"], config.pool, pool_by, precision)
    # The fully connected layer's rows are in the tutorial's (channel, row, col) order.
    return jnp.transpose(h, (0, 3, 1, 2)).reshape(h.shape[0], -1)


# --------------------------------------------------------------------- the model

def make_functions(config, lowering="im2col", pool_by="max-vjp", precision=None, guard=False, donate=True,
                   layout="nhwc"):
    """``(train_step, eval_step, train_epoch, eval_epoch)``, all jitted.

    ``train_step(params, data_x, data_y, index) -> (params, cost)`` donates ``params``;
    ``eval_step(params, data_x, data_y, index) -> error rate``; the ``*_epoch`` versions take an
    int32 vector of minibatch indices and run them in one ``lax.scan``.
    The other arguments exist for ``benchmarks.ablations`` (each adds one thing symconv does):
    ``precision`` for every matmul (symconv: ``lax.Precision.HIGHEST``), ``guard`` keeps the old
    parameters unless the minibatch lies inside the data (symconv's bounds check),
    ``donate=False`` copies instead of updating in place, ``layout`` (im2col) 'nchw' keeps NCHW
    between layers and transposes to NHWC and back around every conv (as symconv's conv2d op),
    'cnhw' keeps NCHW between layers with plane-wise transposes only (a candidate for symconv).
    """
    if lowering == "lax":
        features = functools.partial(_features_lax, config=config, pool_by=pool_by)
    elif lowering == "im2col":
        features = functools.partial(_features_im2col, config=config, pool_by=pool_by, precision=precision,
                                     layout=layout)
    else:
        raise ValueError(f"unknown lowering {lowering!r}")
    batch = config.batch_size
    lr = np.float32(config.learning_rate)

    def logits(params, x):
        h = jnp.tanh(jnp.matmul(features(params, x), params["W2"], precision=precision) + params["b2"])
        return jnp.matmul(h, params["W3"], precision=precision) + params["b3"]

    def loss(params, x, y):
        log_p = jax.nn.log_softmax(logits(params, x))
        return -jnp.mean(jnp.take_along_axis(log_p, y[:, None], axis=1))

    def minibatch(data_x, data_y, index):
        start = index * batch
        return (lax.dynamic_slice_in_dim(data_x, start, batch), lax.dynamic_slice_in_dim(data_y, start, batch))

    def train_body(params, data_x, data_y, index):
        x, y = minibatch(data_x, data_y, index)
        cost, grads = jax.value_and_grad(loss)(params, x, y)
        new = jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads)
        if guard:
            ok = (index >= 0) & ((index + 1) * batch <= data_x.shape[0])
            new = jax.tree_util.tree_map(lambda n, p: jnp.where(ok, n, p), new, params)
        return new, cost

    def eval_body(params, data_x, data_y, index):
        x, y = minibatch(data_x, data_y, index)
        wrong = jnp.argmax(logits(params, x), axis=1).astype(jnp.int32) != y
        return jnp.mean(wrong.astype(F32))

    def train_epoch(params, data_x, data_y, indices):
        return lax.scan(lambda p, i: train_body(p, data_x, data_y, i), params, indices)

    def eval_epoch(params, data_x, data_y, indices):
        return lax.map(lambda i: eval_body(params, data_x, data_y, i), indices)

    donated = 0 if donate else ()
    return (jax.jit(train_body, donate_argnums=donated), jax.jit(eval_body),
            jax.jit(train_epoch, donate_argnums=donated), jax.jit(eval_epoch))


class HandwrittenJax:
    """One hand-written JAX variant, driven per minibatch or by whole-epoch ``lax.scan``."""

    family = "jax"

    def __init__(self, name, label, config, lowering, epoch=False, **options):
        self.name, self.label, self.config = name, label, config
        self.lowering, self.epoch, self.options = lowering, epoch, options
        self.per_call = not epoch

    def build(self, params, data):
        train_step, eval_step, train_epoch, eval_epoch = make_functions(self.config, self.lowering, **self.options)
        self.train_fn = train_epoch if self.epoch else train_step
        self.eval_fn = eval_epoch if self.epoch else eval_step
        self.params = jax.device_put({k: jnp.asarray(v, F32) for k, v in params.items()})
        self.data_x = jax.device_put(jnp.asarray(data[0], F32))
        self.data_y = jax.device_put(jnp.asarray(data[1], jnp.int32))
        jax.block_until_ready((self.params, self.data_x, self.data_y))

    def train(self, indices):
        if self.epoch:
            self.params, costs = self.train_fn(self.params, self.data_x, self.data_y, np.asarray(indices, np.int32))
        else:
            for i in indices:
                self.params, costs = self.train_fn(self.params, self.data_x, self.data_y, np.int32(i))
        jax.block_until_ready((self.params, costs))
        return costs

    def evaluate(self, indices):
        if self.epoch:
            errors = self.eval_fn(self.params, self.data_x, self.data_y, np.asarray(indices, np.int32))
        else:
            errors = [self.eval_fn(self.params, self.data_x, self.data_y, np.int32(i)) for i in indices]
        return np.asarray(jax.block_until_ready(errors))

    def get_params(self):
        return {k: np.asarray(v) for k, v in self.params.items()}
