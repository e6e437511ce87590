"""A/B of the im2col patch construction inside symconv's tutorial step, interleaved, one process.

    python benchmarks/notes/ab_two_stage_patches.py /path/to/checkout 10     # checkout of commit c8de3fd^

Builds the tutorial's train and validate functions twice on one process, once with the one-stage
stack of 25 slices (symconv before commit c8de3fd) and once with the two-stage patches under a custom
JVP (what that commit made symconv.kernels.conv do), checks that they train to the same parameters,
and times them interleaved: the ratio of images/s per round, median, wall and CPU time.
Run it against a checkout from before that commit: after it, both builds use the new patches.
"""
import sys, time, statistics
sys.path.insert(0, sys.argv[1])
import numpy as np, jax, jax.numpy as jnp
from jax import lax
import symconv.kernels.conv as kc
from benchmarks.model import Config, initial_params, dataset
from benchmarks.symconv_impl import SymconvTutorial

orig = kc._conv_im2col

def two_stage(x, w, padding, strides, dilation, groups, precision):
    if strides != (1, 1) or dilation != (1, 1) or groups != 1:
        return orig(x, w, padding, strides, dilation, groups, precision)
    n, channels = x.shape[:2]
    out_channels, group_channels, kh, kw = w.shape
    out_h, out_w = kc.conv2d_output_shape(x.shape, w.shape, padding, strides, dilation)[2:]
    x = jnp.transpose(x, (0, 2, 3, 1))
    x = lax.pad(x, jnp.zeros((), x.dtype), ((0, 0, 0),) + tuple((b, a, 0) for b, a in padding) + ((0, 0, 0),))
    h = x.shape[1]
    xw = jnp.stack([lax.slice(x, (0, 0, j, 0), (n, h, j + out_w, channels)) for j in range(kw)], axis=3)
    patches = jnp.stack([lax.slice(xw, (0, i, 0, 0, 0), (n, i + out_h, out_w, kw, channels)) for i in range(kh)], axis=3)
    patches = patches.reshape(n * out_h * out_w, kh * kw * channels)
    filters = jnp.transpose(w, (2, 3, 1, 0)).reshape(kh * kw * channels, out_channels)
    out = jnp.matmul(patches, filters, precision=precision).reshape(n, out_h, out_w, out_channels)
    return jnp.transpose(out, (0, 3, 1, 2))

import functools

def _stack25(x, kh, kw, out_h, out_w):
    n, _, _, channels = x.shape
    p = jnp.stack([lax.slice(x, (0, i, j, 0), (n, i + out_h, j + out_w, channels)) for i in range(kh) for j in range(kw)], axis=3)
    return p.reshape(n * out_h * out_w, kh * kw * channels)

def _two(x, kh, kw, out_h, out_w):
    n, h, _, channels = x.shape
    xw = jnp.stack([lax.slice(x, (0, 0, j, 0), (n, h, j + out_w, channels)) for j in range(kw)], axis=3)
    p = jnp.stack([lax.slice(xw, (0, i, 0, 0, 0), (n, i + out_h, out_w, kw, channels)) for i in range(kh)], axis=3)
    return p.reshape(n * out_h * out_w, kh * kw * channels)

@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2, 3, 4))
def patches_jvp(x, kh, kw, out_h, out_w):
    return _two(x, kh, kw, out_h, out_w)

@patches_jvp.defjvp
def _patches_jvp(kh, kw, out_h, out_w, primals, tangents):
    (x,), (t,) = primals, tangents
    return patches_jvp(x, kh, kw, out_h, out_w), _stack25(t, kh, kw, out_h, out_w)

def two_jvp(x, w, padding, strides, dilation, groups, precision):
    if strides != (1, 1) or dilation != (1, 1) or groups != 1:
        return orig(x, w, padding, strides, dilation, groups, precision)
    n, channels = x.shape[:2]
    out_channels, group_channels, kh, kw = w.shape
    out_h, out_w = kc.conv2d_output_shape(x.shape, w.shape, padding, strides, dilation)[2:]
    x = jnp.transpose(x, (0, 2, 3, 1))
    x = lax.pad(x, jnp.zeros((), x.dtype), ((0, 0, 0),) + tuple((b, a, 0) for b, a in padding) + ((0, 0, 0),))
    patches = patches_jvp(x, kh, kw, out_h, out_w)
    filters = jnp.transpose(w, (2, 3, 1, 0)).reshape(kh * kw * channels, out_channels)
    out = jnp.matmul(patches, filters, precision=precision).reshape(n, out_h, out_w, out_channels)
    return jnp.transpose(out, (0, 3, 1, 2))

c = Config(batch_size=500, n_batches=4)
params, data = initial_params(c), dataset(c)
impls = {}
for name, fn in (("stack25", orig), ("two_stage", two_jvp)):
    kc._conv_im2col = fn
    impl = SymconvTutorial(name, name, c); impl.build(params, data)
    impl.train([0]); impl.evaluate([0])
    impls[name] = impl
kc._conv_im2col = orig
costs = {n: impl.train([1, 2, 3]) for n, impl in impls.items()}
print("costs", costs)
p0 = {n: impl.get_params() for n, impl in impls.items()}
print("max param diff", max(float(np.abs(p0['stack25'][k] - p0['two_stage'][k]).max()) for k in p0['stack25']))
rounds = int(sys.argv[2])
res = {n: {"train": [], "eval": [], "train_cpu": [], "eval_cpu": []} for n in impls}
for r in range(rounds):
    order = list(impls) if r % 2 == 0 else list(impls)[::-1]
    for phase in ("train", "eval"):
        for n in order:
            f = impls[n].train if phase == "train" else impls[n].evaluate
            c0, t0 = time.process_time(), time.perf_counter()
            f([0, 1, 2, 3])
            res[n][phase].append(time.perf_counter() - t0); res[n][phase + "_cpu"].append(time.process_time() - c0)
for phase in ("train", "eval", "train_cpu", "eval_cpu"):
    ratios = [a / b for a, b in zip(res["stack25"][phase], res["two_stage"][phase])]
    print(f"{phase}: two_stage speed / stack25 = median {statistics.median(ratios):.3f} (rounds {min(ratios):.2f}-{max(ratios):.2f}); "
          f"stack25 {2000 / statistics.median(res['stack25'][phase]):.0f} img/s, two_stage {2000 / statistics.median(res['two_stage'][phase]):.0f}")
