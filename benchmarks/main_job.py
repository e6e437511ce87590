"""``python -m benchmarks.main_job``: `symconv train lenet` against the benchmark's whole-epoch figure (issue #13).

    python -m benchmarks.main_job                 # one pair: the benchmark, then the whole training run
    python -m benchmarks.main_job --pairs 3       # three pairs, the order alternating
    python -m benchmarks.main_job --epochs 2 --benchmark-args=--quick   # a smoke run

Each pair runs ``python -m benchmarks`` (its default settings unless
``--benchmark-args``) and the unchanged command ``symconv train lenet`` in a
fresh temporary folder (its default ``runs/lenet``: checkpoints and plots
included), one right after the other.  The run's training images per second
are ``iterations x batch size`` (from its history.json) over its wall time,
start-up, compiles, validation, checkpoints and plots included; the ratio is
that over the benchmark's ``symconv_map`` train figure of the same pair.  The
2 cores are shared, so the figures of one pair are compared, never of two.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_JSON = os.path.join(HERE, "results", "main_job.json")


def symconv_command():
    """The ``symconv`` console script beside this Python, else ``python -m symconv.cli``."""
    script = os.path.join(os.path.dirname(sys.executable), "symconv")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "symconv.cli"]


def children_cpu_seconds():
    """User + system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load_average():
    try:
        return list(os.getloadavg())
    except OSError:  # pragma: no cover - not on Linux
        return None


def run_training(extra_args):
    """`symconv train lenet EXTRA` in a temporary folder: wall seconds, images trained, its last stdout lines."""
    folder = tempfile.mkdtemp(prefix="symconv-main-job-")
    try:
        start, cpu_start = time.perf_counter(), children_cpu_seconds()
        done = subprocess.run(symconv_command() + ["train", "lenet"] + extra_args, cwd=folder,
                              capture_output=True, text=True)
        seconds, cpu_seconds = time.perf_counter() - start, children_cpu_seconds() - cpu_start
        if done.returncode != 0:
            raise RuntimeError(f"symconv train lenet failed ({done.returncode}):\n{done.stderr[-2000:]}")
        with open(os.path.join(folder, "runs", "lenet", "history.json")) as file:
            history = json.load(file)
        images = history["result"]["iterations"] * history["settings"]["batch_size"]
        return {"wall_s": seconds, "images": images, "images_per_s": images / seconds, "cpu_s": cpu_seconds,
                "images_per_cpu_s": images / cpu_seconds,
                "summary": done.stdout.strip().splitlines()[-1], "load_after": load_average()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_benchmark(extra_args):
    """``python -m benchmarks EXTRA``: the symconv_map train figure (images/s) and the whole record."""
    with tempfile.TemporaryDirectory(prefix="symconv-bench-") as folder:
        path = os.path.join(folder, "bench.json")
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "benchmarks", "--json", path] + extra_args,
                              cwd=os.path.dirname(HERE), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"python -m benchmarks failed ({done.returncode}):\n{done.stderr[-2000:]}")
        with open(path) as file:
            record = json.load(file)
    figure = record["implementations"]["symconv_map"]["train"]
    return {"wall_s": time.perf_counter() - start, "whole_epoch_train_images_per_s": figure["images_per_s"],
            "whole_epoch_train_images_per_cpu_s": figure.get("images_per_cpu_s"),
            "load_after": load_average(), "commit": record.get("symconv_source")}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.main_job", description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1, help="benchmark + run pairs (default 1)")
    parser.add_argument("--epochs", type=int, default=None, help="passed to symconv train lenet (default: 200)")
    parser.add_argument("--benchmark-args", default="", help="extra arguments of python -m benchmarks, one string")
    parser.add_argument("--json", default=DEFAULT_JSON, help=f"where to write the pairs (default {DEFAULT_JSON})")
    args = parser.parse_args(argv)
    train_args = [] if args.epochs is None else ["--epochs", str(args.epochs)]
    pairs = []
    for number in range(args.pairs):
        first_benchmark = number % 2 == 0  # alternate which runs first, so a load drift cancels over pairs
        steps = ["benchmark", "run"] if first_benchmark else ["run", "benchmark"]
        pair = {"order": steps, "load_before": load_average()}
        for step in steps:
            pair[step] = run_benchmark(args.benchmark_args.split()) if step == "benchmark" else run_training(train_args)
        pair["ratio"] = pair["run"]["images_per_s"] / pair["benchmark"]["whole_epoch_train_images_per_s"]
        cpu_figure = pair["benchmark"].get("whole_epoch_train_images_per_cpu_s")
        # per CPU-second: what other processes on the shared cores disturb less than the wall clock
        pair["cpu_ratio"] = pair["run"]["images_per_cpu_s"] / cpu_figure if cpu_figure else None
        pairs.append(pair)
        print(f"pair {number + 1}: run {pair['run']['wall_s']:.1f} s, {pair['run']['images_per_s']:,.0f} img/s; "
              f"whole-epoch benchmark {pair['benchmark']['whole_epoch_train_images_per_s']:,.0f} img/s; "
              f"ratio {pair['ratio']:.3f}, per CPU-second {_shown(pair['cpu_ratio'])} "
              f"(load before {_rounded(pair['load_before'])})", flush=True)
    ratios = [pair["ratio"] for pair in pairs]
    cpu_ratios = [pair["cpu_ratio"] for pair in pairs if pair["cpu_ratio"] is not None]
    record = {"command": ["symconv", "train", "lenet"] + train_args, "benchmark_args": args.benchmark_args,
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "pairs": pairs,
              "median_ratio": statistics.median(ratios),
              "median_cpu_ratio": statistics.median(cpu_ratios) if cpu_ratios else None}
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as file:
        json.dump(record, file, indent=1)
    print(f"median ratio {record['median_ratio']:.3f} (per CPU-second {_shown(record['median_cpu_ratio'])}) over "
          f"{len(ratios)} pair(s); {args.json}")
    return 0


def _shown(ratio):
    return "n/a" if ratio is None else f"{ratio:.3f}"


def _rounded(values):
    return None if values is None else [round(v, 2) for v in values]


if __name__ == "__main__":
    sys.exit(main())
