"""Where the time of symconv's LeNet5 step goes, per XLA kernel (thunk), from a JAX profiler trace.

    python benchmarks/notes/profile_step.py [train|eval]      # from the repository root

Builds the tutorial's functions (benchmarks/symconv_impl.py, batch 500), runs 4 minibatches under
``jax.profiler.trace(create_perfetto_trace=True)``, and prints the milliseconds per step of each
traced kernel and summed by kind (slice_bitcast_fusion, ynn_fusion = XNNPACK dots, stack, ...).
Kernels of the two XLA threads overlap, so the kinds can sum to more than the step's wall time.
The optimized HLO is written to /tmp/symconv_step_<phase>.hlo.txt to look the fusions up.
"""
import collections
import glob
import gzip
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import jax  # noqa: E402

from benchmarks.model import Config, dataset, initial_params  # noqa: E402
from benchmarks.symconv_impl import SymconvTutorial  # noqa: E402


def main(phase):
    config = Config(batch_size=500, n_batches=4)
    impl = SymconvTutorial("symconv", "symconv", config)
    impl.build(initial_params(config), dataset(config))
    step = impl.train if phase == "train" else impl.evaluate
    step([0])
    step([0, 1, 2, 3])
    folder = tempfile.mkdtemp(prefix="symconv_trace_")
    with jax.profiler.trace(folder, create_perfetto_trace=True):
        step([0, 1, 2, 3])
    path = glob.glob(folder + "/**/*.trace.json.gz", recursive=True)[0]
    events = json.load(gzip.open(path))
    events = events["traceEvents"] if isinstance(events, dict) else events
    total, count = collections.Counter(), collections.Counter()
    for event in events:
        if event.get("ph") == "X":
            total[event["name"]] += event.get("dur", 0)
            count[event["name"]] += 1
    shutil.rmtree(folder, ignore_errors=True)
    for name, us in total.most_common(30):
        print(f"{us / 1e3 / 4:9.2f} ms/step  x{count[name] // 4:3d}  {name[:100]}")
    kinds = collections.Counter()
    for name, us in total.items():
        if not (name.startswith("$") or "Execute" in name or "asarray" in name or "Await" in name):
            kinds[re.sub(r"\.\d+$", "", name)] += us
    print("---- by kind (ms/step)")
    for name, us in kinds.most_common(12):
        print(f"{us / 1e3 / 4:9.2f}  {name}")
    fn = impl.train_model if phase == "train" else impl.validate_model
    with open(f"/tmp/symconv_step_{phase}.hlo.txt", "w") as f:
        f.write(fn.lower(0).compile().as_text())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "train")
