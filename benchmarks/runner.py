"""Interleaved measurement: every implementation, round-robin, several rounds, medians and ratios."""
import statistics
import sys
import time

import numpy as np

from . import environment
from .handwritten_jax import HandwrittenJax
from .model import dataset, initial_params
from .symconv_impl import SymconvTutorial
from . import torch_impl

# name -> (label, family, mode); the order is the table's.
IMPLEMENTATIONS = {
    "symconv": ("symconv, tutorial: train_model(i) per minibatch", "symconv", "per-minibatch"),
    "symconv_map": ("symconv, whole epoch: train_model.map(range(n))", "symconv", "whole-epoch"),
    "jax_lax": ("hand-written JAX, lax.conv_general_dilated NCHW, jit step", "jax", "per-minibatch"),
    "jax_im2col": ("hand-written JAX, im2col (slices + 1 matmul), jit step", "jax", "per-minibatch"),
    "jax_scan": ("hand-written JAX, whole epoch in lax.scan (best lowering)", "jax", "whole-epoch"),
    "torch": ("PyTorch eager (default threads)", "torch", "per-minibatch"),
    "torch_1thread": ("PyTorch eager, torch.set_num_threads(1)", "torch", "per-minibatch"),
    "torch_compile": ("PyTorch torch.compile (inductor, default threads)", "torch", "per-minibatch"),
    "torch_compile_1thread": ("PyTorch torch.compile (inductor), torch.set_num_threads(1)", "torch",
                              "per-minibatch"),
}
TORCH_EAGER = ("torch", "torch_1thread")
TORCH_COMPILE = ("torch_compile", "torch_compile_1thread")
TORCH = TORCH_EAGER + TORCH_COMPILE
JAX_STEPS = ("jax_lax", "jax_im2col")


def log(message):
    print(message, file=sys.stderr, flush=True)


def _make(name, config, scan_lowering):
    label = IMPLEMENTATIONS[name][0]
    if name == "symconv":
        return SymconvTutorial(name, label, config)
    if name == "symconv_map":
        return SymconvTutorial(name, label, config, epoch=True)
    if name == "jax_lax":
        return HandwrittenJax(name, label, config, "lax")
    if name == "jax_im2col":
        return HandwrittenJax(name, label, config, "im2col")
    if name == "jax_scan":
        return HandwrittenJax(name, label.replace("best lowering", scan_lowering), config, scan_lowering, epoch=True)
    if name == "torch":
        return torch_impl.TorchEager(name, label, config)
    if name == "torch_1thread":
        return torch_impl.TorchEager(name, label, config, threads=1)
    if name == "torch_compile":
        return torch_impl.TorchCompiled(name, label, config)
    if name == "torch_compile_1thread":
        return torch_impl.TorchCompiled(name, label, config, threads=1)
    raise KeyError(name)


def _timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def run(config, rounds, data_source="bundled", include=None, scan_lowering=None):
    """Measure; returns the JSON-ready result dict."""
    include = list(include or IMPLEMENTATIONS)
    torch_ok, torch_reason = torch_impl.available() if set(TORCH) & set(include) else (False, None)
    skipped = {}
    for name in TORCH:
        if name in include and not torch_ok:
            include.remove(name)
            skipped[name] = f"torch is not importable ({torch_reason})"
    params, data = initial_params(config), dataset(config, data_source)
    indices = list(range(config.n_batches))
    images = config.n_images
    probe = environment.MemoryProbe()
    process_peak = 0.0
    records = {}

    def setup(name, impl):
        nonlocal process_peak
        log(f"[setup] {name}: build + first calls")
        probe.start()
        build_s, _ = _timed(impl.build, params, data)
        first = [0] if impl.per_call else indices
        cpu = time.process_time()
        first_train_s, costs = _timed(impl.train, first)
        first_train_cpu_s, cpu = time.process_time() - cpu, time.process_time()
        first_eval_s, _ = _timed(impl.evaluate, first)
        first_eval_cpu_s = time.process_time() - cpu
        memory = probe.stop()
        process_peak = max(process_peak, memory["peak_rss_mib"])
        records[name] = {"impl": impl, "build_s": build_s, "first_train_s": first_train_s,
                         "first_eval_s": first_eval_s, "first_call_steps": len(first),
                         "first_train_cpu_s": first_train_cpu_s, "first_eval_cpu_s": first_eval_cpu_s,
                         "first_cost": float(np.ravel(np.asarray(costs, dtype=np.float64))[0]),
                         "setup_memory": memory, "train_s": [], "eval_s": [], "train_cpu_s": [], "eval_cpu_s": [],
                         "memory": []}
        log(f"[setup] {name}: build {build_s:.2f}s, first train call {first_train_s:.2f}s, "
            f"first eval call {first_eval_s:.2f}s")

    steps = [n for n in include if n != "jax_scan"]
    for name in steps:
        setup(name, _make(name, config, None))
    if "jax_scan" in include:
        if scan_lowering is None:
            # Which hand-written per-minibatch lowering is faster here decides the scan's lowering.
            candidates = [n for n in JAX_STEPS if n in records] or ["jax_im2col"]
            speed = {}
            for name in candidates:
                if name not in records:
                    continue
                speed[name] = min(_timed(records[name]["impl"].train, indices)[0] for _ in range(2))
            best = min(speed, key=speed.get) if speed else "jax_im2col"
            scan_lowering = "lax" if best == "jax_lax" else "im2col"
            log(f"[setup] per-minibatch epoch seconds {speed}: whole-epoch scan uses {scan_lowering}")
        setup("jax_scan", _make("jax_scan", config, scan_lowering))

    order = list(records)
    log(f"[warm-up] one epoch each")
    for name in order:
        records[name]["impl"].train(indices)
        records[name]["impl"].evaluate(indices)
    for r in range(rounds):
        rotated = order[r % len(order):] + order[:r % len(order)]
        for phase in ("train", "eval"):
            for name in rotated:
                impl = records[name]["impl"]
                cpu_start = time.process_time()
                seconds, _ = _timed(impl.train if phase == "train" else impl.evaluate, indices)
                cpu_seconds = time.process_time() - cpu_start
                records[name][f"{phase}_s"].append(seconds)
                records[name][f"{phase}_cpu_s"].append(cpu_seconds)
        log(f"[round {r + 1}/{rounds}] train img/s: " + ", ".join(
            f"{n} {images / records[n]['train_s'][-1]:.0f}" for n in order))
    # Memory apart from the timed rounds: the probe hands back what the allocator keeps (malloc_trim),
    # which would make the first call of every timed epoch map its temporaries afresh.
    for name in order:
        impl = records[name]["impl"]
        for phase in ("train", "eval"):
            probe.start()
            (impl.train if phase == "train" else impl.evaluate)(indices)
            memory = probe.stop()
            process_peak = max(process_peak, memory["peak_rss_mib"])
            records[name]["memory"].append(memory)

    return _summarize(config, rounds, data_source, records, skipped, images, probe, process_peak,
                      scan_lowering)


def _median(values):
    return float(statistics.median(values))


def _summarize(config, rounds, data_source, records, skipped, images, probe, process_peak, scan_lowering):
    per_round_ips = {name: {phase: [images / s for s in rec[f"{phase}_s"]] for phase in ("train", "eval")}
                     for name, rec in records.items()}
    per_round_cpu = {name: {phase: [images / s for s in rec[f"{phase}_cpu_s"]] for phase in ("train", "eval")}
                     for name, rec in records.items()}
    jax_steps = [n for n in JAX_STEPS if n in records]
    jax_all = jax_steps + (["jax_scan"] if "jax_scan" in records else [])
    best = {}
    for phase in ("train", "eval"):
        best[phase] = {
            "best_jax_step": max(jax_steps, key=lambda n: _median(per_round_ips[n][phase])) if jax_steps else None,
            "best_jax": max(jax_all, key=lambda n: _median(per_round_ips[n][phase])) if jax_all else None}
    best_compile = min(jax_all, key=lambda n: records[n]["first_train_s"]) if jax_all else None
    best_memory = (min(jax_all, key=lambda n: max(m["peak_rss_mib"] for m in records[n]["memory"]))
                   if jax_all else None)

    tables = {"wall": per_round_ips, "cpu": per_round_cpu}
    impls = {name: _implementation_entry(name, rec, config, records, tables, best, best_compile, best_memory)
             for name, rec in records.items()}
    for name, reason in skipped.items():
        label, family, mode = IMPLEMENTATIONS[name]
        impls[name] = {"label": label, "family": family, "mode": mode, "available": False, "skipped": reason}

    reference = impls.get(best["train"]["best_jax_step"], {}).get("first_cost")
    agreement = {n: abs(e["first_cost"] - reference) for n, e in impls.items()
                 if e.get("available") and reference is not None}
    result = {
        "benchmark": "LeNet5 (deeplearning.net convolutional_mlp.py) train step and forward error rate",
        "command": environment.command_line(), "date": environment.now(),
        "device": environment.device_info(), "versions": environment.versions(),
        "symconv_source": environment.symconv_source(),
        "config": {"batch_size": config.batch_size, "n_batches": config.n_batches, "rounds": rounds,
                   "nkerns": list(config.nkerns), "n_hidden": config.n_hidden, "learning_rate": config.learning_rate,
                   "image": list(config.image), "data": data_source, "images_per_measurement": images,
                   "jax_scan_lowering": scan_lowering},
        "method": ("one process; after a first call (compile) and one warm-up epoch each, every round times one "
                   "epoch of n_batches minibatches for each implementation in turn (order rotated per round), "
                   "train then eval; figures are medians over rounds; ratios are medians over rounds of the "
                   "per-round ratio to the baseline measured in the same round; images_per_cpu_s uses "
                   "time.process_time() of the whole process over the same calls"),
        "baselines": {"train": best["train"], "eval": best["eval"], "first_call": best_compile,
                      "memory": best_memory},
        "memory_method": probe.method, "process_peak_rss_mib": max(process_peak, environment.process_peak_rss_mib()),
        "first_cost_abs_diff_vs_best_jax_step": agreement,
        "implementations": impls,
    }
    result["targets"] = _targets(result)
    return result


def _ratio(table, name, phase, baseline):
    """Median over rounds of (this / baseline) throughput, both measured in the same round."""
    if baseline is None:
        return None
    mine, theirs = table[name][phase], table[baseline][phase]
    return _median([a / b for a, b in zip(mine, theirs)])


def _implementation_entry(name, rec, config, records, tables, best, best_compile, best_memory):
    """One implementation's figures for the JSON: per phase, memory, and ratios to the baselines."""
    label, family, mode = IMPLEMENTATIONS[name]
    entry = {"label": rec["impl"].label, "family": family, "mode": mode, "available": True}
    for phase in ("train", "eval"):
        ips = tables["wall"][name][phase]
        per_step = _median(rec[f"{phase}_s"]) / config.n_batches
        first = rec[f"first_{phase}_s"]
        entry[phase] = {
            "images_per_s": _median(ips), "images_per_s_rounds": ips,
            "images_per_s_min": min(ips), "images_per_s_max": max(ips),
            "step_ms": per_step * 1e3,
            "first_call_s": first, "first_call_steps": rec["first_call_steps"],
            # CPU seconds of the process during the first call: XLA compiles on one thread, so
            # this is about what the first call takes on an idle machine.
            "first_call_cpu_s": rec[f"first_{phase}_cpu_s"],
            "compile_s": max(first - per_step * rec["first_call_steps"], 0.0),
            "ratio_vs_best_jax_step": _ratio(tables["wall"], name, phase, best[phase]["best_jax_step"]),
            "ratio_vs_best_jax": _ratio(tables["wall"], name, phase, best[phase]["best_jax"]),
            # Images per second of this process's CPU time: less sensitive to other processes on
            # shared cores, but it counts busy-waiting threads (PyTorch's OpenMP) as work.
            "images_per_cpu_s": _median(tables["cpu"][name][phase]),
            "cpu_ratio_vs_best_jax_step": _ratio(tables["cpu"], name, phase, best[phase]["best_jax_step"]),
        }
    entry["build_s"] = rec["build_s"]
    entry["first_cost"] = rec["first_cost"]
    entry["memory"] = _memory_entry(rec, records, best_memory)
    if best_compile:
        entry["train"]["first_call_ratio_vs_best_jax"] = rec["first_train_s"] / records[best_compile]["first_train_s"]
    return entry


def _memory_entry(rec, records, best_memory):
    peak = max(m["peak_rss_mib"] for m in rec["memory"])
    memory = {
        "peak_rss_mib": peak,
        "peak_rss_above_start_mib": max(m["peak_rss_above_start_mib"] for m in rec["memory"]),
        "setup_peak_rss_mib": rec["setup_memory"]["peak_rss_mib"],
        "setup_peak_rss_above_start_mib": rec["setup_memory"]["peak_rss_above_start_mib"],
    }
    if "device_peak_mib" in rec["memory"][-1]:
        memory["device_peak_mib"] = max(m["device_peak_mib"] for m in rec["memory"])
    if best_memory:
        memory["ratio_vs_best_jax"] = peak / max(m["peak_rss_mib"] for m in records[best_memory]["memory"])
    return memory


def _targets(result):
    impls = result["implementations"]
    cpu = result["device"]["platform"] == "cpu"
    out = []

    def get(name, *path):
        value = impls.get(name)
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    r = get("symconv", "train", "ratio_vs_best_jax_step")
    out.append({"target": "symconv per-minibatch train step >= 0.95x best hand-written JAX step"
                          + ("" if cpu else " (stated for CPU; this run is not on CPU)"),
                "value": r, "threshold": 0.95, "met": None if r is None else r >= 0.95})
    a, b = get("symconv_map", "train", "images_per_s_rounds"), get("symconv", "train", "images_per_s_rounds")
    r = _median([x / y for x, y in zip(a, b)]) if a and b else None
    out.append({"target": "symconv whole-epoch (map) train >= per-minibatch train (median per-round ratio)",
                "value": r, "threshold": 1.0, "met": None if r is None else r >= 1.0})
    a, b = get("symconv_map", "eval", "images_per_s_rounds"), get("symconv", "eval", "images_per_s_rounds")
    r = _median([x / y for x, y in zip(a, b)]) if a and b else None
    out.append({"target": "symconv whole-epoch (map) eval >= per-minibatch eval (median per-round ratio)",
                "value": r, "threshold": 1.0, "met": None if r is None else r >= 1.0})
    s = get("symconv", "train", "first_call_s")
    out.append({"target": "first call (trace + compile + 1 step) of the tutorial train function < 5 s"
                          + ("" if cpu else " (stated for CPU)"),
                "value": s, "threshold": 5.0, "met": None if s is None else s < 5.0,
                "first_call_cpu_s": get("symconv", "train", "first_call_cpu_s"),
                "build_s": get("symconv", "build_s")})
    for phase in ("train", "eval"):
        out.append(_torch_target(get, "symconv", phase, TORCH_EAGER, "PyTorch eager"))
    for phase in ("train", "eval"):
        out.append(_torch_target(get, "symconv_map", phase, TORCH_COMPILE, "torch.compile"))
    return out


def _torch_target(get, name, phase, candidates, what, threshold=1.0):
    """``name``'s median per-round ratio to the faster (by median) of the ``candidates`` torch rows."""
    measured = [n for n in candidates if get(n, phase, "images_per_s")]
    best_torch = max(measured, key=lambda n: get(n, phase, "images_per_s")) if measured else None
    a = get(name, phase, "images_per_s_rounds")
    b = get(best_torch, phase, "images_per_s_rounds") if best_torch else None
    r = _median([x / y for x, y in zip(a, b)]) if a and b else None
    mode = "whole-epoch" if name == "symconv_map" else "per-minibatch"
    return {"target": f"symconv {mode} {phase} >= {threshold:.1f}x {what} (its faster thread setting)",
            "value": r, "threshold": threshold, "met": None if r is None else r >= threshold, "torch": best_torch,
            **({} if b else {"note": "torch not measured"})}
