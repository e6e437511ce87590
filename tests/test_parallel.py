"""Data parallel runs follow the one-device run: 8 simulated CPU devices, and 2 processes over jax.distributed
(gloo).  Each runs in a subprocess, since the device count is fixed when jax is imported."""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PROGRAMS = Path(__file__).with_name("parallel_programs.py")
SYMCONV = Path(sys.executable).with_name("symconv")
EIGHT_DEVICES = "--xla_force_host_platform_device_count=8"


def environment(xla_flags=None):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("XLA_FLAGS", "JAX_"))}
    if xla_flags:
        env["XLA_FLAGS"] = xla_flags
    return env


def run_program(*arguments, xla_flags=EIGHT_DEVICES, timeout=240):
    done = subprocess.run([sys.executable, str(PROGRAMS), *arguments], capture_output=True, text=True,
                          env=environment(xla_flags), timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_follows(run, reference):
    np.testing.assert_allclose(run["costs"], reference["costs"], rtol=1e-5)
    np.testing.assert_allclose(run["map"], reference["map"], rtol=1e-5)
    np.testing.assert_allclose(run["W"], reference["W"], rtol=1e-4, atol=1e-6)


def test_eight_devices_follow_one_device_and_reduce_the_gradients():
    result = run_program("devices")
    one, eight = result["one"], result["eight"]
    assert (one["devices"], eight["devices"]) == (1, 8)
    # a minibatch of 52 on 8 devices: 7 rows each but the last (3); no example dropped
    assert_follows(eight, one)
    assert one["communication"] == {"total": 0}
    # the gradients of W (12x4) and b (4) and the cost are all-reduced: at least their 212 bytes per step
    assert eight["communication"]["all-reduce"] >= (12 * 4 + 4 + 1) * 4
    assert "has 4 rows, fewer than the 8 devices" in result["batch_error"]
    assert "x (TensorType(float32, matrix))" in result["batch_error"]
    assert result["device_error"].startswith("devices=16 but JAX sees 8 cpu devices")


def test_data_sets_read_by_minibatches_are_split_by_minibatch_over_the_devices():
    result = run_program("minibatches")
    one, eight = result["one"], result["eight"]
    # 4 minibatches of 48 rows (6 per device) and 5 rows past the last one
    assert_follows(eight, one)
    assert one["storage"] == {"None": [197]}
    assert eight["storage"] == {"48": [4 * 48 // 8] * 8}  # each device holds its 24 rows, nothing replicated
    assert one["logical"] and eight["logical"]  # get_value: the data set as it was given
    regression = result["regression"]
    np.testing.assert_allclose(regression["eight"]["costs"], regression["one"]["costs"], rtol=1e-5)
    assert regression["eight"]["held"] == {"48": [24] * 8}
    # per step only the gradient of W (12x4) and the cost are all-reduced: no gather of the data set
    assert regression["eight"]["communication"] == {"all-reduce": (12 * 4 + 1) * 4, "total": (12 * 4 + 1) * 4}
    # the same data set read by minibatches of 24, then as a whole, then set again: as on one device
    for key in ("halves", "whole", "after_set"):
        np.testing.assert_allclose(regression["eight"][key], regression["one"][key], rtol=1e-5)
    assert regression["eight"]["layouts"] == ["24", "48", "None"]
    assert regression["eight"]["logical"] and regression["one"]["logical"]
    assert regression["eight"]["error"] == regression["one"]["error"] == (
        "symconv function regression: slice [192:240] is out of bounds for axis 0 with size 195; "
        "no shared variable was updated")


def test_two_processes_follow_one_process():
    address = f"127.0.0.1:{free_port()}"
    command = [sys.executable, str(PROGRAMS), "process", address, "2"]
    processes = [subprocess.Popen(command + [str(i)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=environment()) for i in range(2)]
    outputs = [p.communicate(timeout=240) for p in processes]
    for process, (_, err) in zip(processes, outputs):
        assert process.returncode == 0, err[-3000:]
    runs = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    one = run_program("single", xla_flags=None)
    for run in runs:
        assert run["devices"] == 2
        assert_follows(run, one)
        # minibatches of 52 over 2 devices: each process holds only its device's 26 rows of each of the 4
        assert run["storage"] == {"52": [4 * 26]}
        assert run["logical"]


def test_cli_devices_8_gives_the_costs_of_devices_1(tmp_path):
    costs = run_program("cli", str(tmp_path))
    assert costs["1"]["status"] == costs["8"]["status"] == 0
    np.testing.assert_allclose(costs["8"]["costs"], costs["1"]["costs"], rtol=1e-5)


@pytest.mark.parametrize("flags, message", [
    (["--devices", "4"], "symconv: error: --devices: devices=4 but JAX sees 1 cpu device; on CPU, simulate more "
                         "with XLA_FLAGS=--xla_force_host_platform_device_count=4 set before jax is imported"),
    (["--coordinator", "127.0.0.1:PORT", "--num-processes", "2", "--process-id", "1", "--init-timeout", "1"],
     "symconv: error: cannot reach the coordinator 127.0.0.1:PORT within 1 s (Connection refused); start process 0 "
     "with the same --coordinator, or check the address and the firewall"),
    (["--coordinator", "127.0.0.1:PORT", "--num-processes", "2", "--process-id", "0", "--init-timeout", "1"],
     "symconv: error: 2 processes at 127.0.0.1:PORT did not all join within 1 s; start every process "
     "(--process-id 0 to N-1) with the same --coordinator and --num-processes"),
])
def test_bad_parallel_settings_are_one_line_errors(tmp_path, flags, message):
    port = str(free_port())
    flags = [flag.replace("PORT", port) for flag in flags]
    done = subprocess.run([str(SYMCONV), "train", "logreg", "--out", str(tmp_path / "run"), *flags],
                          capture_output=True, text=True, env=environment(), timeout=120)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.startswith("symconv")]
    assert lines == [message.replace("PORT", port)]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "run").exists()


def test_two_process_cli_run_gives_the_one_process_costs_and_only_process_0_writes(tmp_path):
    flags = ["train", "logreg", "--epochs", "2", "--n-train", "1200"]
    single = subprocess.run([str(SYMCONV), *flags, "--no-plots", "--out", str(tmp_path / "single")],
                            capture_output=True, text=True, env=environment(), timeout=120)
    assert single.returncode == 0, single.stderr[-2000:]
    env = environment()
    env["TMPDIR"] = str(tmp_path / "private")  # where process 1 keeps its copy of the run folder
    (tmp_path / "private").mkdir()
    address = f"127.0.0.1:{free_port()}"
    processes = [subprocess.Popen([str(SYMCONV), *flags, "--out", str(tmp_path / "run"), "--coordinator", address,
                                   "--num-processes", "2", "--process-id", str(i)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for i in range(2)]
    outputs = [p.communicate(timeout=240) for p in processes]
    for process, (_, err) in zip(processes, outputs):
        assert process.returncode == 0, err[-3000:]
    costs = [json.loads((tmp_path / name / "history.json").read_text())["history"]["epoch_costs"]
             for name in ("single", "run")]
    np.testing.assert_allclose(costs[1], costs[0], rtol=1e-5)
    assert (tmp_path / "run" / "learning_curves.png").exists()  # process 0 drew the plots alone
    assert list((tmp_path / "private").iterdir()) == []  # process 1's copy is gone
