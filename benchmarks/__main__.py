"""``python -m benchmarks``: LeNet5 train step and forward pass, symconv vs hand-written JAX (vs PyTorch).

    python -m benchmarks                      # batch 500, 4 minibatches per measurement, 7 rounds
    python -m benchmarks --rounds 7 --batches 8
    python -m benchmarks --quick --json /tmp/quick.json   # tiny sizes, for the test
    python -m benchmarks --devices 1,2,4,8    # symconv data parallel over N devices, bytes moved per step
"""
import argparse
import json
import os
import sys

from .model import Config
from .report import format_report
from .runner import IMPLEMENTATIONS, TORCH, run

DEFAULT_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "latest.json")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (median over them); default 7")
    parser.add_argument("--batches", type=int, default=None,
                        help="minibatches per measurement (one 'epoch'); default 4")
    parser.add_argument("--batch-size", type=int, default=None, help="images per minibatch; default 500")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes (batch 16, 2 minibatches, 2 rounds): checks that it runs, measures nothing")
    parser.add_argument("--json", default=DEFAULT_JSON, help=f"where to write the results (default {DEFAULT_JSON})")
    parser.add_argument("--data", choices=("bundled", "random"), default="bundled",
                        help="images: symconv's bundled real-MNIST sample (tiled) or random pixels")
    parser.add_argument("--only", default=None,
                        help="comma-separated implementations to run, from: " + ", ".join(IMPLEMENTATIONS))
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even when it is importable")
    parser.add_argument("--scan-lowering", choices=("lax", "im2col"), default=None,
                        help="lowering of the hand-written whole-epoch scan (default: the faster per-step one)")
    parser.add_argument("--devices", default=None, metavar="N,N,...",
                        help="instead of the comparison: symconv's train step data parallel over each N devices "
                             "(simulated on CPU), with the bytes moved between devices per step; JSON to "
                             "results/devices.json unless --json")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.devices is not None:
        from . import devices

        config = Config(batch_size=args.batch_size or (16 if args.quick else 500), n_batches=args.batches or 4)
        json_path = args.json if args.json != DEFAULT_JSON else devices.DEFAULT_JSON
        return devices.main(devices.parse_devices(args.devices), config, args.rounds or (2 if args.quick else 5),
                            json_path, args.data)
    if args.quick:
        config = Config(batch_size=args.batch_size or 16, n_batches=args.batches or 2)
        rounds = args.rounds or 2
    else:
        config = Config(batch_size=args.batch_size or 500, n_batches=args.batches or 4)
        rounds = args.rounds or 7
    include = list(IMPLEMENTATIONS)
    if args.only:
        include = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in include if n not in IMPLEMENTATIONS]
        if unknown:
            raise SystemExit(f"unknown implementations {unknown}; choose from {list(IMPLEMENTATIONS)}")
    if args.no_torch:
        include = [n for n in include if n not in TORCH]
    result = run(config, rounds, data_source=args.data, include=include, scan_lowering=args.scan_lowering)
    result["quick"] = bool(args.quick)
    for name in TORCH:
        if name not in include:
            result["implementations"].setdefault(name, {
                "label": IMPLEMENTATIONS[name][0], "family": "torch", "mode": "per-minibatch",
                "available": False, "skipped": "not requested (--no-torch / --only)"})
    print(format_report(result))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1, sort_keys=False)
        print(f"\nJSON written to {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
