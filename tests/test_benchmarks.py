"""``python -m benchmarks --quick`` runs end to end and writes a complete JSON report.

Only the shape of the report is checked: throughputs are positive numbers, every ratio is there,
the device and versions are named. No speed is asserted (the machine's cores are shared).
"""
import json
import math
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALWAYS_RUN = ("symconv", "symconv_map", "jax_lax", "jax_im2col", "jax_scan")
TORCH_ROWS = ("torch", "torch_1thread", "torch_compile", "torch_compile_1thread")  # skipped when torch is absent
EXPECTED = ALWAYS_RUN + TORCH_ROWS


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "quick.json"
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--json", str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    with open(path) as f:
        return json.load(f), proc.stdout


def _positive(value):
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def test_every_implementation_is_reported(quick_report):
    result, _ = quick_report
    impls = result["implementations"]
    assert set(EXPECTED) <= set(impls)
    for name in ALWAYS_RUN:
        assert impls[name]["available"] is True, (name, impls[name])
    for name in TORCH_ROWS:
        torch_entry = impls[name]
        if torch_entry["available"]:
            assert result["versions"]["torch"]
        else:
            assert torch_entry["skipped"]


@pytest.mark.parametrize("name", EXPECTED)
def test_throughputs_and_ratios(quick_report, name):
    result, _ = quick_report
    entry = result["implementations"][name]
    if not entry["available"]:
        pytest.skip(entry["skipped"])
    rounds = result["config"]["rounds"]
    for phase in ("train", "eval"):
        figures = entry[phase]
        assert _positive(figures["images_per_s"]), figures
        assert len(figures["images_per_s_rounds"]) == rounds
        assert all(_positive(v) for v in figures["images_per_s_rounds"])
        assert _positive(figures["first_call_s"])
        assert figures["first_call_cpu_s"] >= 0
        assert _positive(figures["ratio_vs_best_jax_step"]), figures
        assert _positive(figures["ratio_vs_best_jax"]), figures
    assert _positive(entry["train"]["first_call_ratio_vs_best_jax"])
    assert _positive(entry["memory"]["peak_rss_mib"])
    assert _positive(entry["memory"]["ratio_vs_best_jax"])
    assert math.isfinite(entry["first_cost"])


def test_baseline_is_hand_written_jax_and_ratio_one(quick_report):
    result, _ = quick_report
    impls = result["implementations"]
    best = result["baselines"]["train"]["best_jax_step"]
    assert best in ("jax_lax", "jax_im2col")
    assert impls[best]["train"]["ratio_vs_best_jax_step"] == pytest.approx(1.0)
    assert result["config"]["jax_scan_lowering"] in ("lax", "im2col")


def test_same_math_first_costs_agree(quick_report):
    result, _ = quick_report
    diffs = result["first_cost_abs_diff_vs_best_jax_step"]
    assert set(diffs) >= set(ALWAYS_RUN)
    assert max(diffs.values()) < 1e-3, diffs


def test_device_versions_and_targets(quick_report):
    result, stdout = quick_report
    device = result["device"]
    assert device["platform"] in ("cpu", "gpu", "cuda", "rocm", "tpu")
    assert device["device"]
    versions = result["versions"]
    for key in ("jax", "jaxlib", "numpy", "python", "cpu_model"):
        assert versions[key], key
    assert "torch" in versions
    assert "commit" in result["symconv_source"]
    assert result["quick"] is True
    assert result["config"]["batch_size"] == 16
    targets = result["targets"]
    assert len(targets) == 8 and all("value" in t and "met" in t for t in targets)
    torch_targets = [t for t in targets if "torch" in t]
    assert len(torch_targets) == 4
    for t in torch_targets:  # measured against a torch row when torch ran, else no value and a note
        assert (t["value"] is None) == (t["torch"] is None)
    assert "| implementation |" in stdout and "jax_im2col" in stdout


def test_main_job_pairs_the_run_with_the_benchmark_and_alternates_their_order(tmp_path, monkeypatch, capsys):
    """``python -m benchmarks.main_job``: the ratio is the run's images/s over the same pair's whole-epoch figure
    (the two measurements stubbed here: nothing is timed)."""
    sys.path.insert(0, ROOT)
    from benchmarks import main_job

    runs = iter([100.0, 200.0])
    monkeypatch.setattr(main_job, "run_training",
                        lambda args: {"images_per_s": next(runs), "wall_s": 1.0, "images_per_cpu_s": 50.0})
    monkeypatch.setattr(main_job, "run_benchmark", lambda args: {"whole_epoch_train_images_per_s": 400.0,
                                                                 "whole_epoch_train_images_per_cpu_s": 100.0})
    path = tmp_path / "pairs.json"
    assert main_job.main(["--pairs", "2", "--json", str(path)]) == 0
    record = json.loads(path.read_text())
    assert [pair["order"] for pair in record["pairs"]] == [["benchmark", "run"], ["run", "benchmark"]]
    assert [pair["ratio"] for pair in record["pairs"]] == [0.25, 0.5] and record["median_ratio"] == 0.375
    assert record["median_cpu_ratio"] == 0.5
    assert "median ratio 0.375 (per CPU-second 0.500) over 2 pair(s)" in capsys.readouterr().out
