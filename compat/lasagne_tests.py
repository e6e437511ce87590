"""Lasagne's own test suite on symconv (through the ``theano`` alias) and, for the baseline, on Theano 1.0.5.

    python compat/lasagne_tests.py --lasagne /work/ext/Lasagne [--json out.json]
    python compat/lasagne_tests.py --lasagne /work/ext/Lasagne --theano ~/theano-venv/bin/python --json theano.json
    python compat/lasagne_tests.py --compare theano.json symconv.json

Runs ``pytest lasagne/tests`` unchanged in the checkout (fetching nothing, writing
nothing there: no cache, no bytecode), with Lasagne's setup.cfg addopts (--cov,
--pep8, doctests of the whole package) replaced by none and the package-level
conftest (a doctest-collection filter pytest 9 no longer loads) left out, with
``floatX=float64`` (Theano's default) on both.  On symconv the suite runs
inside ``symconv run -m pytest``, so every ``import theano`` (in conftest files
too) is symconv.  The per-test outcomes (from pytest's JUnit XML) and the counts
are written as JSON; ``--compare`` counts the tests that pass on both.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

def _outcome(case):
    for child in case:
        if child.tag in ("failure", "error"):
            return "failed" if child.tag == "failure" else "error", (child.get("message") or "")[:300]
        if child.tag == "skipped":
            return "skipped", (child.get("message") or "")[:300]
    return "passed", ""


def read_junit(path):
    """{test id: {"outcome": ..., "message": ...}} from pytest's JUnit XML."""
    outcomes = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        outcome, message = _outcome(case)
        outcomes[name] = {"outcome": outcome, "message": message}
    return outcomes


def _command(args, junit):
    # lasagne/conftest.py only hides modules from the doctest collection, with a hook signature
    # (py.path `path`) that pytest 9 refuses: --confcutdir keeps it out, the tests' own conftests load.
    tests = list(args.tests)
    if args.doctests:  # the package's docstrings, without the modules Lasagne's conftest hides (GPU-only)
        tests = ["lasagne", "--doctest-modules", "--ignore=lasagne/tests",
                 *(f"--ignore=lasagne/layers/{m}.py" for m in ("corrmm", "cuda_convnet", "dnn"))]
    pytest_args = ["-m", "pytest", *tests, "-o", "addopts=", "-p", "no:cacheprovider", "-q",
                   "--confcutdir=lasagne/tests", "--continue-on-collection-errors",
                   f"--junitxml={junit}", *args.pytest_args]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    # The same flags on both (Theano's default floatX, float64; symconv's is float32), the caller's last.
    flags = ["floatX=float64"]
    if args.theano:
        flags += ["blas.ldflags=", f"base_compiledir={os.path.expanduser('~/.theano-cache')}"]
    env["THEANO_FLAGS"] = ",".join(f for f in [*flags, os.environ.get("THEANO_FLAGS", "")] if f)
    if args.theano:
        return [os.path.expanduser(args.theano), *pytest_args], env
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in [here, os.environ.get("PYTHONPATH", "")] if p)
    return [sys.executable, "-c", "import sys; from symconv.cli import main; sys.exit(main())", "run",
            *pytest_args], env


def run_suite(args):
    """Runs the suite; returns (pytest's exit status, per-test outcomes)."""
    with tempfile.TemporaryDirectory() as tmp:
        junit = os.path.join(tmp, "junit.xml")
        command, env = _command(args, junit)
        status = subprocess.call(command, cwd=args.lasagne, env=env, timeout=args.timeout)
        if not os.path.exists(junit):
            raise SystemExit(f"lasagne_tests: pytest wrote no report (exit status {status})")
        return status, read_junit(junit)


def counts(outcomes):
    return dict(collections.Counter(entry["outcome"] for entry in outcomes.values()))


def compare(theano, symconv):
    """The tests that pass on Theano, and of them those that pass on symconv (and how the others end)."""
    base = {name for name, entry in theano["tests"].items() if entry["outcome"] == "passed"}
    ours = symconv["tests"]
    both = sorted(name for name in base if ours.get(name, {}).get("outcome") == "passed")
    others = {name: ours.get(name, {"outcome": "missing", "message": "not run on symconv"})
              for name in sorted(base - set(both))}
    return {"passed_on_theano": len(base), "passed_on_both": len(both),
            "fraction": len(both) / len(base) if base else 0.0, "not_passing_on_symconv": others}


def _parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lasagne", help="a Lasagne checkout (the folder holding lasagne/)")
    parser.add_argument("--theano", metavar="PYTHON", help="run under real Theano with this interpreter instead")
    parser.add_argument("--json", metavar="PATH", help="write counts and per-test outcomes here")
    parser.add_argument("--compare", nargs=2, metavar=("THEANO_JSON", "SYMCONV_JSON"),
                        help="count the tests passing on both runs (no suite is run)")
    parser.add_argument("--tests", nargs="+", default=["lasagne/tests"], help="what pytest runs (default lasagne/tests)")
    parser.add_argument("--doctests", action="store_true",
                        help="run the docstring examples of the package instead of lasagne/tests")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds before the run is stopped")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --)")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.compare:
        with open(args.compare[0]) as f, open(args.compare[1]) as g:
            result = compare(json.load(f), json.load(g))
        print(json.dumps({k: v for k, v in result.items() if k != "not_passing_on_symconv"}))
        for name, entry in result["not_passing_on_symconv"].items():
            print(f"  {entry['outcome']:8} {name}  {entry['message'][:160]}")
        return 0
    if not args.lasagne or not os.path.isdir(os.path.join(args.lasagne, "lasagne")):
        _parser().error("--lasagne must name a Lasagne checkout (a folder holding lasagne/)")
    status, outcomes = run_suite(args)
    report = {"backend": "theano" if args.theano else "symconv", "pytest_status": status,
              "counts": counts(outcomes), "tests": outcomes}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1, sort_keys=True)
    print(json.dumps({"backend": report["backend"], "pytest_status": status, **report["counts"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
