"""Programs test_parallel.py runs in subprocesses (the device count is fixed before jax is imported).

    python tests/parallel_programs.py devices          # under XLA_FLAGS=--xla_force_host_platform_device_count=8
    python tests/parallel_programs.py minibatches      # the same: data sets split by minibatch (48 | 8)
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


def logistic_regression(batch=BATCH, extra=0, data=None):
    """The logistic_sgd.py step on a small random data set held in shared variables (`extra` rows past the
    last minibatch)."""
    import symconv
    import symconv.tensor as T

    rng = np.random.RandomState(0)
    data_x = symconv.shared(rng.randn(STEPS * batch + extra, 12).astype("float32"), name="data_x")
    data_y = symconv.shared(rng.randint(0, 4, STEPS * batch + extra).astype("int32"), name="data_y")
    if data is not None:
        data.update(x=data_x, y=data_y)
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


def run_steps(devices, batch=BATCH, extra=0):
    import symconv

    with symconv.config.change_flags(devices=devices):
        data = {}
        train, W = logistic_regression(batch, extra, data)
        original = data["x"].get_value()
        costs = [float(train(i)) for i in range(STEPS)]
        epoch = train.map(np.arange(STEPS, dtype="int64")).tolist()
        # how the data set is held: rows of each of this process's shards, per layout (None: replicated)
        storage = {str(key): [int(np.prod(shard.data.shape[:-1])) for shard in array.addressable_shards]
                   for key, array in data["x"].storage.items()}
        return {"costs": costs, "map": epoch, "W": W.get_value().ravel().tolist(),
                "communication": train.communication(0), "devices": len(train.devices), "storage": storage,
                "logical": bool(np.array_equal(data["x"].get_value(), original))}


def regression(batch):
    """A least-squares step (no label gather): its only communication should be the gradients' all-reduce."""
    import symconv
    import symconv.tensor as T

    rng = np.random.RandomState(1)
    data_x = symconv.shared(rng.randn(STEPS * batch + 3, 12).astype("float32"), name="data_x")
    data_t = symconv.shared(rng.randn(STEPS * batch + 3, 4).astype("float32"), name="data_t")
    x, t, index = T.matrix("x"), T.matrix("t"), T.lscalar("index")
    W = symconv.shared(np.zeros((12, 4), "float32"), name="W")
    cost = T.mean((T.dot(x, W) - t) ** 2)
    window = slice(index * batch, (index + 1) * batch)
    train = symconv.function([index], cost, updates=[(W, W - 0.1 * symconv.grad(cost, W))],
                             givens={x: data_x[window], t: data_t[window]}, name="regression")
    check = symconv.function([index], T.sum(data_x[index * (batch // 2):(index + 1) * (batch // 2)]), name="half")
    total = symconv.function([], T.sum(data_x), name="total")
    return train, check, total, data_x


def minibatch_steps(devices, batch=48):
    """Data sets read by minibatches of 48 rows (6 per device on 8), 3 rows past the last one; then the same
    data set read by another batch size, as a whole, set again."""
    import symconv

    with symconv.config.change_flags(devices=devices):
        train, check, total, data_x = regression(batch)
        original = data_x.get_value()
        costs = [float(train(i)) for i in range(STEPS)] + train.map(np.arange(STEPS, dtype="int64")).tolist()
        held = {str(key): [int(np.prod(shard.data.shape[:-1])) for shard in array.addressable_shards]
                for key, array in data_x.storage.items()}
        communication = train.communication(0)
        halves = [float(check(i)) for i in range(2 * STEPS)]
        whole = float(total())
        layouts = sorted(str(key) for key in data_x.storage)
        data_x.set_value(original * 2)
        after_set = float(train(1))
        try:
            train(STEPS)
            error = None
        except IndexError as exc:
            error = str(exc)
        return {"costs": costs, "held": held, "communication": communication, "halves": halves, "whole": whole,
                "layouts": layouts, "after_set": after_set, "logical": bool(np.array_equal(data_x.get_value(),
                                                                                            original * 2)),
                "error": error, "rows": int(original.shape[0])}


def minibatches_program():
    one = run_steps(1, batch=48, extra=5)
    eight = run_steps(8, batch=48, extra=5)
    return {"one": one, "eight": eight, "regression": {"one": minibatch_steps(1), "eight": minibatch_steps(8)}}


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
    program = {"single": lambda: run_steps(1), "devices": devices_program,
               "minibatches": minibatches_program, "process": process_program, "cli": cli_program}[mode]
    print(json.dumps(program(*arguments)), flush=True)
