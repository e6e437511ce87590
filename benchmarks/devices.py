"""``python -m benchmarks --devices 1,2,4,8``: the LeNet5 tutorial step data parallel over N devices.

For each N, the tutorial's ``train_model`` (``build_tutorial_functions``) is
compiled under ``symconv.config.change_flags(devices=N)`` and timed per
minibatch (``train_model(i)``) and per epoch (``train_model.map(range(n))``),
interleaved over rounds (medians); the bytes the compiled step moves between
devices come from its HLO (``Function.communication``).  Every N also checks
that its costs follow N=1's.

On CPU the N devices are simulated (``XLA_FLAGS=--xla_force_host_platform_device_count``,
set by ``main`` for a subprocess): they share the machine's cores, so the
figures measure the partitioning's overhead, not a speed-up.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from .model import Config

DEFAULT_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "devices.json")


def parse_devices(text):
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or min(counts) < 1:
        raise SystemExit(f"--devices takes device counts >= 1 such as 1,2,4,8, got {text!r}")
    return sorted(set(counts))


def measure(counts, config, rounds, data_source="bundled"):
    """The JSON-ready rows, one per device count (this process must see max(counts) devices)."""
    import jax

    import symconv

    from . import environment
    from .model import dataset, initial_params
    from .symconv_impl import build_tutorial_functions

    params, data = initial_params(config), dataset(config, data_source)
    indices = np.arange(config.n_batches, dtype=np.int64)
    functions, rows = {}, {}
    for count in counts:
        with symconv.config.change_flags(devices=count):
            start = time.perf_counter()
            train_step, _, _ = build_tutorial_functions(config, params, data)
            costs = [float(train_step(i)) for i in range(config.n_batches)]
            first_s = time.perf_counter() - start
            train_epoch, _, _ = build_tutorial_functions(config, params, data)
            epoch_costs = np.asarray(train_epoch.map(indices)).tolist()
            functions[count] = (train_step, train_epoch)
            rows[count] = {"devices": count, "costs": costs, "epoch_costs": epoch_costs, "first_calls_s": first_s,
                           "communication_per_step": train_step.communication(0), "step_s": [], "epoch_s": []}
    for _ in range(rounds):
        for count in counts:
            train_step, train_epoch = functions[count]
            start = time.perf_counter()
            jax.block_until_ready([train_step.call_device(np.int64(i)) for i in range(config.n_batches)])
            rows[count]["step_s"].append(time.perf_counter() - start)
            start = time.perf_counter()
            train_epoch.map(indices)
            rows[count]["epoch_s"].append(time.perf_counter() - start)
    reference = rows[counts[0]]["costs"]
    for row in rows.values():
        row["images_per_s_step"] = config.n_images / float(np.median(row.pop("step_s")))
        row["images_per_s_epoch"] = config.n_images / float(np.median(row.pop("epoch_s")))
        row["max_relative_cost_difference"] = float(np.max(np.abs(np.subtract(row["costs"], reference)) /
                                                           np.abs(reference)))
    return {"config": {"batch_size": config.batch_size, "n_batches": config.n_batches, "rounds": rounds,
                       "data": data_source},
            "device": environment.device_info(), "versions": environment.versions(), "date": environment.now(),
            "cpu": environment.cpu_model(), "rows": [rows[count] for count in counts]}


def format_rows(result):
    lines = [f"LeNet5 train step, batch {result['config']['batch_size']}, {result['device']['platform']} "
             f"({result['device']['device_count']} devices visible)",
             f"{'devices':>7} {'img/s step':>11} {'img/s epoch':>12} {'bytes/step':>11}  collectives per step"
             f"{'':>14} cost vs N=1"]
    for row in result["rows"]:
        moved = row["communication_per_step"]
        detail = ", ".join(f"{op} {size:,}" for op, size in moved.items() if op != "total") or "none"
        lines.append(f"{row['devices']:>7} {row['images_per_s_step']:>11,.0f} {row['images_per_s_epoch']:>12,.0f} "
                     f"{moved['total']:>11,}  {detail:<34} {row['max_relative_cost_difference']:.1e}")
    return "\n".join(lines)


def main(counts, config, rounds, json_path=DEFAULT_JSON, data_source="bundled"):
    """Runs ``measure`` in a subprocess that sees max(counts) devices (simulated on CPU); prints the table."""
    env = dict(os.environ)
    if "--xla_force_host_platform_device_count" not in env.get("XLA_FLAGS", ""):
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={max(counts)}").strip()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    request = json.dumps({"counts": counts, "batch_size": config.batch_size, "n_batches": config.n_batches,
                          "rounds": rounds, "data": data_source})
    done = subprocess.run([sys.executable, "-m", "benchmarks.devices", request], env=env, cwd=root,
                          stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        return done.returncode
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(format_rows(result))
    if json_path:
        os.makedirs(os.path.dirname(os.path.abspath(json_path)), exist_ok=True)
        with open(json_path, "w") as file:
            json.dump(result, file, indent=1)
        print(f"\nJSON written to {json_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.devices")
    parser.add_argument("request", help="JSON: counts, batch_size, n_batches, rounds, data")
    request = json.loads(parser.parse_args().request)
    config = Config(batch_size=request["batch_size"], n_batches=request["n_batches"])
    print(json.dumps(measure(request["counts"], config, request["rounds"], request["data"])))
