"""LeNet5's second convolution (500 x 20 x 12 x 12 -> 50 filters 5x5), forward + both gradients, in
several formulations, interleaved, CPU-ms and wall-ms per call (median of rounds).

    python benchmarks/notes/probe_conv2_backward.py A,B,C,D,E 5

A: im2col (25 slices stacked, one matmul) differentiated by JAX: what symconv.kernels.conv does.
B: custom VJP: dW = patches^T @ g (patches kept), dx = sum over the 25 offsets of pad(g @ W_k^T).
C: as B, but dW per offset from the input's slices (no patches kept).
D: custom VJP: dx from one g @ W^T (the patch gradient) and padded adds (JAX's own col2im, spelled out).
E: custom VJP: dx by lax.conv_general_dilated (full correlation with the flipped filters).
Channels-last throughout; float32, precision HIGHEST. Prints each variant's max relative
difference of (dx, dW) from the first.
"""
import sys, time, statistics, functools
import numpy as np, jax, jax.numpy as jnp
from jax import lax
H = lax.Precision.HIGHEST
K = 5
def slices(x, oh, ow):
    n, h, w, c = x.shape
    return [lax.slice(x, (0,i,j,0), (n,i+oh,j+ow,c)) for i in range(K) for j in range(K)]
def patches(x):
    n, h, w, c = x.shape; oh, ow = h-K+1, w-K+1
    return jnp.stack(slices(x, oh, ow), axis=3).reshape(n*oh*ow, K*K*c)
def conv_auto(x, w):  # w: (K*K*C, O)
    n, h, ww, c = x.shape
    return jnp.matmul(patches(x), w, precision=H).reshape(n, h-K+1, ww-K+1, -1)
def make(mode):
    @jax.custom_vjp
    def conv(x, w): return conv_auto(x, w)
    def fwd(x, w):
        n, h, ww, c = x.shape; p = patches(x)
        out = jnp.matmul(p, w, precision=H).reshape(n, h-K+1, ww-K+1, -1)
        return out, ((p if mode == 'B' else x), x.shape, w)
    def bwd(res, g):
        saved, xshape, w = res
        n, h, ww, c = xshape; oh, ow = h-K+1, ww-K+1; o = w.shape[1]
        g2 = g.reshape(n*oh*ow, o)
        if mode == 'B':
            dw = jnp.matmul(saved.T, g2, precision=H)
        else:
            dw = jnp.concatenate([jnp.matmul(s.reshape(-1, c).T, g2, precision=H) for s in slices(saved, oh, ow)], axis=0)
        wk = w.reshape(K*K, c, o)
        dx = jnp.zeros(xshape, g.dtype)
        parts = []
        for k in range(K*K):
            i, j = divmod(k, K)
            part = jnp.matmul(g2, wk[k].T, precision=H).reshape(n, oh, ow, c)
            parts.append(lax.pad(part, jnp.zeros((), g.dtype), ((0,0,0),(i,K-1-i,0),(j,K-1-j,0),(0,0,0))))
        dx = functools.reduce(jnp.add, parts)
        return dx, dw
    conv.defvjp(fwd, bwd)
    return conv
def make_D():
    # dx by one matmul against all offsets at once: g2 @ W^T -> (P, K*K*C) then col2im via padded adds
    @jax.custom_vjp
    def conv(x, w): return conv_auto(x, w)
    def fwd(x, w):
        return conv_auto(x, w), (x, w)
    def bwd(res, g):
        x, w = res
        n, h, ww, c = x.shape; oh, ow = h-K+1, ww-K+1; o = w.shape[1]
        g2 = g.reshape(n*oh*ow, o)
        dw = jnp.matmul(patches(x).T, g2, precision=H)
        dp = jnp.matmul(g2, w.T, precision=H).reshape(n, oh, ow, K*K, c)
        parts = [lax.pad(dp[:, :, :, k, :], jnp.zeros((), g.dtype), ((0,0,0),(k//K,K-1-k//K,0),(k%K,K-1-k%K,0),(0,0,0))) for k in range(K*K)]
        return functools.reduce(jnp.add, parts), dw
    conv.defvjp(fwd, bwd)
    return conv
def make_E():
    @jax.custom_vjp
    def conv(x, w): return conv_auto(x, w)
    def fwd(x, w):
        n, h, ww, c = x.shape; p = patches(x)
        return jnp.matmul(p, w, precision=H).reshape(n, h-K+1, ww-K+1, -1), (p, x.shape, w)
    def bwd(res, g):
        p, xshape, w = res
        n, h, ww, c = xshape; o = w.shape[1]
        g2 = g.reshape(-1, o)
        dw = jnp.matmul(p.T, g2, precision=H)
        wk = w.reshape(K, K, c, o)
        # dx = full correlation of g with the spatially flipped filters, O -> C
        dx = lax.conv_general_dilated(g, jnp.flip(wk, (0, 1)).transpose(0, 1, 3, 2), (1, 1), ((K-1, K-1), (K-1, K-1)),
                                      dimension_numbers=('NHWC', 'HWIO', 'NHWC'), precision=H)
        return dx, dw
    conv.defvjp(fwd, bwd)
    return conv
CONVS = dict(E=make_E(), A=conv_auto, B=make('B'), C=make('C'), D=make_D())
names = sys.argv[1].split(',')
rng = np.random.RandomState(0)
C, O = 20, 50
x = jnp.asarray(0.01*rng.rand(500, 12, 12, C).astype(np.float32)); w = jnp.asarray(rng.rand(25*C, O).astype(np.float32)-0.5)
fns = {nm: jax.jit(jax.grad(lambda x, w, f=CONVS[nm]: jnp.sum(jnp.tanh(f(x, w))), argnums=(0, 1))) for nm in names}
ref = None
for nm, f in fns.items():
    g = f(x, w)
    if ref is None: ref = g
    print(nm, [float(np.abs(np.asarray(a)-np.asarray(b)).max()/np.abs(np.asarray(b)).max()) for a, b in zip(g, ref)])
res = {nm: [] for nm in fns}
for r in range(int(sys.argv[2])):
    for nm, f in fns.items():
        c0 = time.process_time(); t0 = time.perf_counter()
        for _ in range(3): jax.block_until_ready(f(x, w))
        res[nm].append(((time.perf_counter()-t0)/3*1e3, (time.process_time()-c0)/3*1e3))
for nm, v in res.items():
    print(f"conv2 {nm} wall ms {statistics.median(a for a,b in v):7.1f}  cpu ms {statistics.median(b for a,b in v):7.1f}")
