"""LeNet5 training-step and forward-pass benchmark: symconv against hand-written JAX (and PyTorch).

Run it with ``python -m benchmarks`` (``--help`` for the options); see ``benchmarks/README.md``.
Every implementation is measured in ONE process, interleaved round-robin, and every figure is
also reported as a ratio to the best hand-written JAX measured in the same run, because the
machine's cores are shared and absolute timings drift.
"""

import symconv  # noqa: E402,F401  (first: it sets the host allocator before JAX runs anything)
