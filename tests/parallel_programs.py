"""Programs test_parallel.py runs in subprocesses (the device count is fixed before jax is imported).

    python tests/parallel_programs.py devices          # under XLA_FLAGS=--xla_force_host_platform_device_count=8
    python tests/parallel_programs.py single           # one device, the reference
    python tests/parallel_programs.py process ADDRESS N I
    python tests/parallel_programs.py cli OUT_DIR      # under 8 simulated devices

Each prints one JSON line: what the test compares.
"""
import json
import sys

import numpy as np

BATCH = 52  # not a multiple of 8: 7 rows on each device but the last, which has 3
STEPS = 4


def logistic_regression(batch=BATCH):
    """The logistic_sgd.py step on a small random data set held in shared variables."""
    import symconv
    import symconv.tensor as T

    rng = np.random.RandomState(0)
    data_x = symconv.shared(rng.randn(STEPS * batch, 12).astype("float32"), name="data_x")
    data_y = symconv.shared(rng.randint(0, 4, STEPS * batch).astype("int32"), name="data_y")
    x, y, index = T.matrix("x"), T.ivector("y"), T.lscalar("index")
    W = symconv.shared(rng.randn(12, 4).astype("float32") * 0.1, name="W")
    b = symconv.shared(np.zeros(4, "float32"), name="b")
    p_y = T.nnet.softmax(T.dot(x, W) + b)
    cost = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    g_W, g_b = symconv.grad(cost, [W, b])
    window = slice(index * batch, (index + 1) * batch)
    train = symconv.function([index], cost, updates=[(W, W - 0.5 * g_W), (b, b - 0.5 * g_b)],
                             givens={x: data_x[window], y: data_y[window]}, name="train")
    return train, W


def run_steps(devices):
    import symconv

    with symconv.config.change_flags(devices=devices):
        train, W = logistic_regression()
        costs = [float(train(i)) for i in range(STEPS)]
        epoch = train.map(np.arange(STEPS, dtype="int64")).tolist()
        return {"costs": costs, "map": epoch, "W": W.get_value().ravel().tolist(),
                "communication": train.communication(0), "devices": len(train.devices)}


def devices_program():
    import symconv
    from symconv.compile.mesh import BatchSplitError, DeviceCountError

    result = {"one": run_steps(1), "eight": run_steps(8)}
    with symconv.config.change_flags(devices=8):
        train, _ = logistic_regression(batch=4)
        try:
            train(0)
        except BatchSplitError as exc:
            result["batch_error"] = str(exc)
    with symconv.config.change_flags(devices=16):
        try:
            symconv.shared(np.zeros(3))
        except DeviceCountError as exc:
            result["device_error"] = str(exc)
    return result


def process_program(address, count, process_id):
    import symconv.distributed

    symconv.distributed.initialize(address, int(count), int(process_id), timeout=60)
    return run_steps(1)  # devices=1 in a multi-process run: every device of every process


def cli_program(out_dir):
    import json as json_module
    import os

    from symconv.cli import main

    costs = {}
    for devices in (1, 8):
        folder = os.path.join(out_dir, f"devices{devices}")
        status = main(["train", "logreg", "--epochs", "2", "--n-train", "960", "--no-plots", "--out", folder,
                       "--devices", str(devices)])
        with open(os.path.join(folder, "history.json")) as file:
            costs[devices] = {"status": status, "costs": json_module.load(file)["history"]["epoch_costs"]}
    return costs


if __name__ == "__main__":
    mode, arguments = sys.argv[1], sys.argv[2:]
    program = {"single": lambda: run_steps(1), "devices": devices_program, "process": process_program, "cli": cli_program}[mode]
    print(json.dumps(program(*arguments)), flush=True)
