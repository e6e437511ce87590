"""The three GEMMs of the im2col conv2 (forward, weight gradient, patch gradient) in JAX vs PyTorch (one
thread), CPU-ms per call: python benchmarks/notes/probe_gemm_vs_torch.py (needs torch)."""
import time, statistics, numpy as np, jax, jax.numpy as jnp, torch
from jax import lax
torch.set_num_threads(1)
rng = np.random.RandomState(0)
cases = {"fwd P@W": ((32000, 500), (500, 50), False), "dW P^T@G": ((500, 32000), (32000, 50), False), "dP G@W^T": ((32000, 50), (50, 500), False)}
for name, (sa, sb, _) in cases.items():
    a = rng.rand(*sa).astype(np.float32); b = rng.rand(*sb).astype(np.float32)
    ja, jb = jnp.asarray(a), jnp.asarray(b)
    f = jax.jit(lambda a, b: jnp.matmul(a, b, precision=lax.Precision.HIGHEST)); f(ja, jb).block_until_ready()
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    r = {'jax': [], 'torch': []}
    for _ in range(5):
        c = time.process_time(); [f(ja, jb).block_until_ready() for _ in range(5)]; r['jax'].append((time.process_time()-c)/5*1e3)
        c = time.process_time(); [ta @ tb for _ in range(5)]; r['torch'].append((time.process_time()-c)/5*1e3)
    print(name, {k: round(statistics.median(v), 1) for k, v in r.items()}, 'cpu ms')
