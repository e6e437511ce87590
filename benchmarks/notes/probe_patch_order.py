"""Two-stage im2col slices, rows first (symconv since commit 0ef6954) against columns first (before it):
the patches' construction (f) and its transpose, the patch gradient summed back into the input (t),
channels-first (CNHW input, stack at axis 0), ms per call, median of 9 interleaved rounds of 5 calls.

    python benchmarks/notes/probe_patch_order.py        # from the repository root
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402

from symconv.kernels import conv as kc  # noqa: E402


def columns_first(x, kernel, out):
    (kh, kw), (out_h, out_w) = kernel, out
    by_column = jnp.stack([lax.slice_in_dim(x, j, j + out_w, 1, 3) for j in range(kw)])
    return jnp.stack([lax.slice_in_dim(by_column, i, i + out_h, 1, 3) for i in range(kh)])


def main():
    for channels, size, batch, k in ((20, 12, 500, 5), (16, 28, 128, 5), (3, 32, 128, 5), (32, 16, 128, 3),
                                     (64, 8, 128, 3), (50, 8, 256, 3)):
        out = size - k + 1
        x = jnp.asarray(np.random.default_rng(0).standard_normal((channels, batch, size, size), dtype=np.float32))
        cases = {"rows first": lambda x: kc._slices_in_two_stages(x, (k, k), (out, out), (1, 1), (1, 1), 2, 0),
                 "columns first": lambda x: columns_first(x, (k, k), (out, out))}
        forward = {n: jax.jit(f) for n, f in cases.items()}
        patches = forward["rows first"](x)
        assert np.array_equal(patches, forward["columns first"](x))
        back = {n: jax.jit(lambda p, f=f: jax.linear_transpose(f, x)(p)[0]) for n, f in cases.items()}
        times = {(n, d): [] for n in cases for d in "ft"}
        for _ in range(9):
            for n in cases:
                for d, f, arg in (("f", forward[n], x), ("t", back[n], patches)):
                    start = time.perf_counter()
                    for _ in range(5):
                        f(arg).block_until_ready()
                    times[n, d].append((time.perf_counter() - start) / 5e-3)
        shown = ", ".join(f"{n} {d} {sorted(v)[4]:.2f}" for (n, d), v in times.items())
        print(f"C={channels} {size}x{size} N={batch} {k}x{k}: {shown}", flush=True)


if __name__ == "__main__":
    main()
