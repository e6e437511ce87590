"""``python -m benchmarks.ablations``: where does symconv's training step lose (or win) time?

Each variant is one change, measured interleaved against the best hand-written JAX step
(im2col, channels-last, Theano-rule max-pool gradient, donated parameters) in the same process:

- hand-written JAX with ONE thing symconv does added: ``lax.Precision.HIGHEST`` on every matmul,
  the bounds-check ``where`` on the updated parameters, no donation, NCHW between layers
  (a transpose into and out of every conv, as symconv's conv2d op has), max-pool gradient left to
  JAX (reshape + max, or ``lax.reduce_window``); and all of symconv's together;
- symconv itself: the tutorial call ``train_model(i)``; the same compiled computation called
  directly (``Function.call_device``: no argument checks, no host sync, no NumPy conversion of the
  cost), which isolates the Python call overhead; built with ``precision='default'``; with its
  max-pool done on the NHWC transpose of its NCHW input (``symconv_pool_channels_last``, a
  proposed core change, patched in while tracing); with the
  conv forced to ``lax.conv_general_dilated``; and ``map`` over a count that is a power of two
  vs one that is not (before commit 2694925, map padded to the next power of two and computed
  the padded steps: 5 calls cost as much as 8).

Besides wall-clock throughput it reports images per CPU-second of this process (less sensitive
to other processes on shared cores). It also prints op counts of the optimized XLA programs (transposes, copies, selects, ...).
"""
import argparse
import contextlib
import json
import re
import statistics
import sys
import time

import jax
import numpy as np

from . import environment
from .handwritten_jax import HandwrittenJax
from .model import Config, dataset, initial_params
from .symconv_impl import SymconvTutorial

HAND = {
    "jax_im2col": {},
    "+highest": {"precision": jax.lax.Precision.HIGHEST},
    "+guard_where": {"guard": True},
    "+no_donation": {"donate": False},
    "+nchw_between_layers": {"layout": "nchw"},
    "+nchw_between_layers_via_cnhw": {"layout": "cnhw"},
    "+nchw_between_layers_pool_in_nhwc": {"layout": "nchw-after-pool"},
    "+nchw_between_layers_pool_by_slices": {"layout": "nchw", "pool_by": "slices"},
    "+pool_grad_by_jax_reshape": {"pool_by": "reshape"},
    "+pool_grad_by_jax_reduce_window": {"pool_by": "window"},
    "+all_symconv_features": {"precision": jax.lax.Precision.HIGHEST, "guard": True, "layout": "nchw"},
    "+all_symconv_features_via_cnhw": {"precision": jax.lax.Precision.HIGHEST, "guard": True, "layout": "cnhw"},
}


class SymconvDirect(SymconvTutorial):
    """The tutorial's compiled functions, called through ``Function.call_device`` directly."""

    def train(self, indices):
        return self._direct(self.train_model, indices)

    def evaluate(self, indices):
        return self._direct(self.validate_model, indices)

    @staticmethod
    def _direct(f, indices):
        outs = None
        for i in indices:
            outs = f.call_device(np.asarray(i, np.int64))
        jax.block_until_ready(outs)
        return outs


class SymconvWith(SymconvTutorial):
    """symconv built under changed flags, or with the conv lowering forced while it traces."""

    def __init__(self, name, label, config, flags=None, lowering=None, pool_channels_last=False, epoch=False):
        super().__init__(name, label, config, epoch=epoch)
        self.flags, self.lowering, self.pool_channels_last = flags or {}, lowering, pool_channels_last

    @contextlib.contextmanager
    def _context(self):
        import symconv
        from symconv.kernels import conv, pool

        original_lowering, original_pool = conv.choose_conv_lowering, pool.max_pool_blocks
        if self.lowering:
            conv.choose_conv_lowering = lambda platform: self.lowering
        if self.pool_channels_last:
            pool.max_pool_blocks = _max_pool_blocks_channels_last(original_pool)
        try:
            with symconv.config.change_flags(**self.flags):
                yield
        finally:
            conv.choose_conv_lowering, pool.max_pool_blocks = original_lowering, original_pool

    def build(self, params, data):
        with self._context():
            super().build(params, data)

    def train(self, indices):
        with self._context():
            return super().train(indices)

    def evaluate(self, indices):
        with self._context():
            return super().evaluate(indices)


def _max_pool_blocks_channels_last(original):
    """symconv's non-overlapping max-pool of an NCHW tensor, done on its NHWC transpose.

    The proposed change to symconv/kernels/pool.py: the conv's im2col output is NHWC before its
    last transpose, so XLA cancels the two transposes and the pool runs channels-last. The
    gradient rule (every tied max gets the gradient) is the same custom_vjp as symconv's.
    """
    import jax.numpy as jnp

    from .handwritten_jax import max_pool  # the same tie rule as symconv's

    def pooled(x, ws):
        if x.ndim != 4:
            return original(x, ws)
        out = max_pool(jnp.transpose(x, (0, 2, 3, 1)), tuple(ws), (1, 2), "max-vjp")
        return jnp.transpose(out, (0, 3, 1, 2))

    return pooled


def variants(config, map_counts):
    out = {name: HandwrittenJax(name, name, config, "im2col", **opts) for name, opts in HAND.items()}
    out["symconv"] = SymconvTutorial("symconv", "symconv train_model(i)", config)
    out["symconv_direct_jitted"] = SymconvDirect("symconv_direct_jitted", "Function.call_device", config)
    out["symconv_precision_default"] = SymconvWith("symconv_precision_default", "precision=default", config,
                                                   flags={"precision": "default"})
    out["symconv_pool_channels_last"] = SymconvWith("symconv_pool_channels_last", "pool on NHWC", config,
                                                    pool_channels_last=True)
    out["symconv_map_pool_channels_last"] = SymconvWith("symconv_map_pool_channels_last", "map, pool on NHWC",
                                                        config, pool_channels_last=True, epoch=True)
    out["symconv_conv_lax"] = SymconvWith("symconv_conv_lax", "conv lowering 'lax'", config, lowering="lax")
    out["symconv_conv_im2col"] = SymconvWith("symconv_conv_im2col", "conv lowering 'im2col'", config, lowering="im2col")
    out["symconv_map_conv_im2col"] = SymconvWith("symconv_map_conv_im2col", "map, conv lowering 'im2col'", config,
                                                 lowering="im2col", epoch=True)
    for count in map_counts:
        out[f"symconv_map_{count}"] = SymconvTutorial(f"symconv_map_{count}", f"map over {count}", config, epoch=True)
    return out


def hlo_counts(text):
    ops = ("transpose", "copy", "select", "convert", "dot", "convolution", "fusion", "reduce", "custom-call")
    counts = {op: len(re.findall(rf"= [^=]*? {re.escape(op)}\(", text)) for op in ops}
    counts["precision_highest"] = text.count("highest")
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ablations", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--phase", choices=("train", "eval"), default="train",
                        help="time the training step or the forward error rate")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--map-counts", default="4,5", help="map lengths to compare (4 needs no padding, 5 pads to 8)")
    parser.add_argument("--only", default=None, help="comma-separated variant names")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    map_counts = [int(c) for c in args.map_counts.split(",") if c]
    config = Config(batch_size=args.batch_size, n_batches=max(map_counts + [4]))
    params, data = initial_params(config), dataset(config)
    steps = list(range(4))
    chosen = variants(config, map_counts)
    if args.only:
        keep = {n.strip() for n in args.only.split(",")} | {"jax_im2col"}
        chosen = {n: v for n, v in chosen.items() if n in keep}
    indices = {n: (list(range(int(n.rsplit("_", 1)[1]))) if re.fullmatch(r"symconv_map_\d+", n) else steps)
               for n in chosen}
    first = {}
    call = {n: (impl.train if args.phase == "train" else impl.evaluate) for n, impl in chosen.items()}
    for name, impl in chosen.items():
        impl.build(params, data)
        start = time.perf_counter()
        call[name](indices[name])
        first[name] = time.perf_counter() - start
        call[name](indices[name])  # warm
        print(f"[setup] {name}: first call {first[name]:.2f}s", file=sys.stderr, flush=True)
    times = {n: [] for n in chosen}
    cpu_times = {n: [] for n in chosen}
    names = list(chosen)
    for r in range(args.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            start, cpu_start = time.perf_counter(), time.process_time()
            call[name](indices[name])
            times[name].append(time.perf_counter() - start)
            cpu_times[name].append(time.process_time() - cpu_start)
        print(f"[round {r + 1}/{args.rounds}] done", file=sys.stderr, flush=True)
    ips = {n: [len(indices[n]) * config.batch_size / t for t in times[n]] for n in names}
    cpu_ips = {n: [len(indices[n]) * config.batch_size / t for t in cpu_times[n]] for n in names}
    base, cpu_base = ips["jax_im2col"], cpu_ips["jax_im2col"]
    rows = {}
    for name in names:
        rows[name] = {"images_per_s": statistics.median(ips[name]),
                      "ratio_vs_jax_im2col": statistics.median([a / b for a, b in zip(ips[name], base)]),
                      "images_per_cpu_s": statistics.median(cpu_ips[name]),
                      "cpu_ratio_vs_jax_im2col": statistics.median([a / b for a, b in zip(cpu_ips[name], cpu_base)]),
                      "first_call_s": first[name], "images_per_s_rounds": ips[name]}

    hlo = {}
    if "symconv" in chosen:
        f = chosen["symconv"].train_model if args.phase == "train" else chosen["symconv"].validate_model
        hlo["symconv"] = hlo_counts(f.lower(np.asarray(0, np.int64)).compile().as_text())
    hand = chosen["jax_im2col"]
    hlo["jax_im2col"] = hlo_counts((hand.train_fn if args.phase == "train" else hand.eval_fn).lower(hand.params, hand.data_x, hand.data_y,
                                                     np.int32(0)).compile().as_text())

    print(f"Ablations: LeNet5 {args.phase} step, batch {config.batch_size}, median of {args.rounds} interleaved rounds; "
          f"device {jax.devices()[0]}; {environment.now()}; load average {environment.versions()['load_average']}; "
          f"symconv {environment.symconv_source()['describe']}")
    print(f"\n| variant | {args.phase} img/s (wall) | vs jax_im2col | img per CPU-s | vs jax_im2col | first call s |"
          "\n|---|---:|---:|---:|---:|---:|")
    for name, row in rows.items():
        print(f"| {name} | {row['images_per_s']:,.0f} | {row['ratio_vs_jax_im2col']:.2f}x "
              f"| {row['images_per_cpu_s']:,.0f} | {row['cpu_ratio_vs_jax_im2col']:.2f}x | {row['first_call_s']:.2f} |")
    print(f"\nOptimized XLA program op counts ({args.phase} step):")
    keys = list(next(iter(hlo.values())))
    print("| program | " + " | ".join(keys) + " |\n|---|" + "---:|" * len(keys))
    for name, counts in hlo.items():
        print(f"| {name} | " + " | ".join(str(counts[k]) for k in keys) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"phase": args.phase, "rows": rows, "hlo": hlo, "command": environment.command_line("benchmarks.ablations"),
                       "symconv_source": environment.symconv_source(), "date": environment.now(),
                       "device": environment.device_info(), "versions": environment.versions()}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
