"""Per layer: symconv's im2col against a candidate, as the training step uses it (the `split` lowering's value
and its im2col gradient), per call and per step of a 4-step `lax.scan`, ms, median of 9 interleaved rounds.

    python benchmarks/notes/probe_conv_candidate.py path/to/candidate.py     # from the repository root

The candidate file defines ``conv_im2col(x, w, padding, strides, dilation, groups, precision)`` (the signature of
``symconv.kernels.conv._conv_im2col``); it is swapped in while the candidate's functions are traced, and its
values and gradients are checked against the current code's. Used for the per-layer figures of the third session
in torch-gap.md (LeNet5's two convolutions and five other shapes).
"""
import importlib.util
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402

import symconv.kernels.conv as kc  # noqa: E402

_spec = importlib.util.spec_from_file_location("candidate", sys.argv[1])
cand = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cand)
orig = kc._conv_im2col
configs = [  # N, C, H, O, k, dx
    (500, 1, 28, 20, 5, False), (500, 20, 12, 50, 5, True), (128, 3, 32, 32, 5, False),
    (128, 32, 16, 64, 3, True), (256, 8, 28, 16, 3, True), (128, 64, 8, 128, 3, True), (256, 1, 28, 8, 3, False)]
rng = np.random.default_rng(0)
for N, C, H, O, k, dx in configs:
    OH = H - k + 1
    xs = jnp.asarray(rng.standard_normal((4, N, C, H, H), dtype=np.float32))
    gs = jnp.asarray(rng.standard_normal((4, N, O, OH, OH), dtype=np.float32))
    W = jnp.asarray(rng.standard_normal((O, C, k, k), dtype=np.float32) * 0.1)
    def step(x, W, g):
        f = lambda x, W: kc._conv_split(x, W, ((0, 0), (0, 0)), (1, 1), (1, 1), 1, lax.Precision.HIGHEST)
        if dx:
            out, vjp = jax.vjp(f, x, W); gx, gw = vjp(g)
            return out, gw, gx
        out, vjp = jax.vjp(lambda W: f(x, W), W)
        return out, vjp(g)[0], None
    def scanned():
        def body(c, xg):
            out, gw, gx = step(xg[0], W + c, xg[1])
            s = 1e-9 * gw.sum() + 1e-9 * out.sum()
            if gx is not None: s = s + 1e-9 * gx.sum()
            return c + s, None
        return jax.jit(lambda xs, gs: lax.scan(body, jnp.float32(0), (xs, gs))[0])
    fns = {}
    for name, fn in (('now', orig), ('new', cand.conv_im2col)):
        kc._conv_im2col = fn
        fns[name] = (jax.jit(step), scanned())
        r = fns[name][0](xs[0], W, gs[0]); fns[name][1](xs, gs)
        if name == 'now': ref = r
        else:
            for a, b in zip(ref, r):
                if a is not None: assert np.allclose(a, b, rtol=1e-4, atol=1e-3 * float(jnp.abs(a).max()))
    kc._conv_im2col = orig
    res = {(n, m): [] for n in fns for m in (0, 1)}
    for r in range(9):
        for n in (fns if r % 2 else list(fns)[::-1]):
            t = time.perf_counter()
            for i in range(4): jax.block_until_ready(fns[n][0](xs[i], W, gs[i]))
            res[n, 0].append(time.perf_counter() - t)
            t = time.perf_counter(); fns[n][1](xs, gs).block_until_ready(); res[n, 1].append(time.perf_counter() - t)
    med = lambda v: sorted(v)[4] / 4e-3
    print(f'N{N} C{C} H{H} O{O} k{k} dx={dx}: per call now {med(res["now",0]):6.1f} new {med(res["new",0]):6.1f} ms ({med(res["now",0])/med(res["new",0]):.2f}x) | '
          f'scan now {med(res["now",1]):6.1f} new {med(res["new",1]):6.1f} ({med(res["now",1])/med(res["new",1]):.2f}x)', flush=True)
