"""Theano 1.0.5's documentation doctests, run under real Theano and under symconv.

    python compat/theano_doctests.py --docs /work/ext/Theano/doc \\
        --python ~/theano-venv/bin/python --json out.json

How the blocks are found and run (Sphinx's doctest builder, emulated with the stdlib
``doctest`` module; no Sphinx is needed on either side):

* Each in-scope ``.txt`` page is read as reST: a *doctest block* (a paragraph whose first
  line starts with ``>>>``, outside literal blocks, comments and code directives) and the
  directives ``.. doctest::``, ``.. testcode::`` (+ the ``.. testoutput::`` that follows it
  in its group), ``.. testsetup::`` and ``.. testcleanup::``.  Directive arguments name
  the groups (``default`` when none); ``:options:`` sets doctest flags.
* As Sphinx does, every group of a page has one namespace, its setup code runs first (a
  group whose setup fails has all its blocks failed), ``>>>`` examples are compiled in
  ``single`` mode and testcode in ``exec`` mode, a testcode with no testoutput must print
  nothing, and the flags are Sphinx's defaults (Theano's ``doc/conf.py`` sets none):
  ELLIPSIS, IGNORE_EXCEPTION_DETAIL, DONT_ACCEPT_TRUE_FOR_1.
* **Counting:** one block is one doctest block, one ``.. doctest::`` directive, or one
  testcode with its testoutput.  A block passes when every example in it passes.  Docstrings
  that autodoc pulls into the built pages are not counted (only the ``.txt`` sources).
* Each page runs in its own process, in an empty temporary folder: under the given Theano
  Python (``--python``), and under symconv through ``symconv run`` (the ``theano`` import
  alias), both with ``THEANO_FLAGS`` giving ``floatX=float64`` (Theano's default).  Theano's
  C code for scan does not compile on Python 3.11: a page where a block fails on Theano with
  "Compilation failed" is run on Theano again with ``cxx=`` (its Python implementations), and
  those blocks take that run's result (``theano_flags`` says so in the JSON).

The figure that matters is how many of the blocks that pass on Theano pass on symconv; blocks
that fail on Theano itself are listed but are not targets.  This file uses only the stdlib so
that it runs under either Python.
"""
import argparse
import doctest
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback

IN_SCOPE = (
    "tutorial/*.txt",
    "library/tensor/basic.txt",
    "library/tensor/nnet/*.txt",
    "library/tensor/signal/pool.txt",
    "library/scan.txt",
    "library/compile/function.txt",
    "library/gradient.txt",
    "library/printing.txt",
    "library/config.txt",
)
# Out of scope (issue #11): sparse, GPU back-ends, writing C ops.
OUT_OF_SCOPE = (
    "tutorial/sparse.txt",
    "tutorial/using_gpu.txt",
    "tutorial/using_multi_gpu.txt",
    "tutorial/extending_theano.txt",
    "tutorial/extending_theano_c.txt",
)
TEST_DIRECTIVES = ("doctest", "testcode", "testoutput", "testsetup", "testcleanup")
# Directives whose content is not reST (no doctest block can be inside them).
LITERAL_DIRECTIVES = (
    "code-block", "code", "sourcecode", "literalinclude", "math", "raw", "highlight",
    "productionlist", "graphviz", "image", "figure", "csv-table", "include",
)
DEFAULT_FLAGS = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.DONT_ACCEPT_TRUE_FOR_1
THEANO_FLAGS = "floatX=float64"

_DIRECTIVE = re.compile(r"^(\s*)\.\.\s+([\w-]+)::\s*(.*)$")
_OPTION = re.compile(r"^\s+:([\w-]+):\s*(.*)$")
_EXPLICIT = re.compile(r"^(\s*)\.\.(\s|$)")


def _indent(line):
    return len(line) - len(line.lstrip())


def _dedent(lines):
    body = [line for line in lines if line.strip()]
    cut = min((_indent(line) for line in body), default=0)
    text = "\n".join(line[cut:] if line.strip() else "" for line in lines)
    return text.strip("\n") + "\n"


def _directive(lines, start, match):
    """The directive at ``start``: (name, groups, options, content, next line index)."""
    base = len(match.group(1))
    name, argument = match.group(2), match.group(3).strip()
    groups = [g.strip() for g in argument.split(",")] if argument else ["default"]
    options, i = {}, start + 1
    while i < len(lines) and _OPTION.match(lines[i]) and _indent(lines[i]) > base:
        key, value = _OPTION.match(lines[i]).groups()
        options[key] = value
        i += 1
    content = []
    while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
        content.append(lines[i])
        i += 1
    while content and not content[-1].strip():
        content.pop()
    return name, groups, options, _dedent(content) if content else "", i


def _flags(option_text):
    flags = {}
    for word in option_text.replace(",", " ").split():
        flags[doctest.OPTIONFLAGS_BY_NAME[word[1:]]] = word[0] == "+"
    return flags


def _para_indent(lines, i):
    while i > 0 and lines[i - 1].strip():
        i -= 1
    return _indent(lines[i])


def parse_document(text):
    """The test nodes of one reST page, in order: dicts with kind, line, groups, code, options."""
    lines = text.splitlines()
    nodes, i, literal_indent, para_start = [], 0, None, True
    while i < len(lines):
        line, stripped = lines[i], lines[i].strip()
        if literal_indent is not None:
            if not stripped or _indent(line) > literal_indent:
                i += 1
                continue
            literal_indent = None
        if not stripped:
            para_start = True
            i += 1
            continue
        match = _DIRECTIVE.match(line)
        if match and match.group(2) in TEST_DIRECTIVES:
            start = i
            name, groups, options, code, i = _directive(lines, i, match)
            nodes.append({"kind": name, "line": start + 1, "groups": groups,
                          "code": code, "options": _flags(options.get("options", ""))})
            para_start = True
            continue
        if match:
            if match.group(2) in LITERAL_DIRECTIVES:
                literal_indent = _indent(line)
            i += 1
            para_start = False
            continue
        if _EXPLICIT.match(line):  # comment, target, footnote, substitution
            literal_indent = _indent(line)
            i += 1
            continue
        if para_start and stripped.startswith(">>>"):
            block = []
            start = i
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            nodes.append({"kind": "doctest", "line": start + 1, "groups": ["default"],
                          "code": _dedent(block), "options": {}})
            continue
        if stripped.endswith("::"):
            literal_indent = _para_indent(lines, i)
        para_start = False
        i += 1
    return nodes


def _add(group, node, prepend=False):
    kind = node["kind"]
    if kind == "testsetup":
        group["setup"].insert(0, node) if prepend else group["setup"].append(node)
    elif kind == "testcleanup":
        group["cleanup"].append(node)
    elif kind == "doctest":
        group["tests"].insert(0, [node]) if prepend else group["tests"].append([node])
    elif kind == "testcode":
        group["tests"].insert(0, [node, None]) if prepend else group["tests"].append([node, None])
    elif kind == "testoutput" and group["tests"] and len(group["tests"][-1]) == 2:
        group["tests"][-1][1] = node  # Sphinx: the output of the group's last testcode


def build_groups(nodes):
    """{group name: {"setup": [...], "tests": [[node] or [testcode, testoutput]], "cleanup": [...]}}."""
    groups, everywhere = {}, []
    for node in nodes:
        if "*" in node["groups"]:
            everywhere.append(node)
            continue
        for name in node["groups"]:
            _add(groups.setdefault(name, {"setup": [], "tests": [], "cleanup": []}), node)
    for node in everywhere:
        for group in groups.values():
            _add(group, node, prepend=True)
    return groups


def _make_test(test, name, filename):
    """The stdlib DocTest Sphinx builds for one test, and its compile mode."""
    node = test[0]
    if len(test) == 1:
        case = doctest.DocTestParser().get_doctest(node["code"], {}, name, filename, node["line"])
        for example in case.examples:
            options = dict(node["options"])
            options.update(example.options)
            example.options = options
        return case, "single"
    output = test[1]["code"] if test[1] else ""
    options = dict(test[1]["options"]) if test[1] else {}
    options[doctest.DONT_ACCEPT_BLANKLINE] = True
    match = doctest.DocTestParser._EXCEPTION_RE.match(output)
    example = doctest.Example(node["code"], output, exc_msg=match.group("msg") if match else None,
                              lineno=0, options=options)
    return doctest.DocTest([example], {}, name, filename, node["line"], None), "exec"


def test_blocks(groups, filename):
    """The counted blocks: (group name, test, DocTest, compile mode), tests without examples left out."""
    blocks = []
    for name, group in groups.items():
        for test in group["tests"]:
            case, mode = _make_test(test, name, filename)
            if case.examples:
                blocks.append((name, test, case, mode))
    return blocks


_MODE = ["single"]


def _compile(source, filename, mode, flags=0, dont_inherit=False):
    return compile(source, filename, _MODE[0], flags, dont_inherit)


def _same_line(want, got, flags):
    if flags & doctest.NORMALIZE_WHITESPACE:
        want, got = " ".join(want.split()), " ".join(got.split())
    if flags & doctest.ELLIPSIS and "..." in want:
        pattern = ".*".join(re.escape(part) for part in want.split("..."))
        return re.fullmatch(pattern, got) is not None
    return want == got


def _first_difference(want, got, flags):
    """The first line (as doctest's flags compare lines) where ``got`` differs from ``want``."""
    wants, gots = want.splitlines(), got.splitlines()
    for k in range(max(len(wants), len(gots))):
        w = wants[k] if k < len(wants) else "<end>"
        g = gots[k] if k < len(gots) else "<end>"
        if not _same_line(w, g, flags):
            return "expected %r, got %r" % (w, g)
    return "expected %r, got %r" % (want, got)


class Recorder(doctest.DocTestRunner):
    """A DocTestRunner that keeps, per failing example, its first line and first differing line."""

    def __init__(self):
        super().__init__(optionflags=DEFAULT_FLAGS, verbose=False)
        self.problems = []

    def report_failure(self, out, test, example, got):
        source = example.source.splitlines()[0]
        if example.exc_msg is not None and got.startswith("Traceback"):
            last = got.strip().splitlines()[-1]
            self.problems.append("%s: expected %r, got %r" % (source, example.exc_msg.strip(), last))
        else:
            flags = self.optionflags
            for flag, on in example.options.items():
                flags = flags | flag if on else flags & ~flag
            self.problems.append("%s: %s" % (source, _first_difference(example.want, got, flags)))

    def report_unexpected_exception(self, out, test, example, exc_info):
        source = example.source.splitlines()[0]
        last = traceback.format_exception_only(exc_info[0], exc_info[1])[-1].strip()
        self.problems.append("%s: raised %s" % (source, last[:300]))


def _run(case, mode, namespace):
    """Runs one DocTest in ``namespace`` (kept, as Sphinx keeps it): (failed, attempted, problems)."""
    _MODE[0] = mode
    runner = Recorder()
    case.globs = namespace
    # doctest's runner calls the builtin compile through its module globals: shadow it for this run only
    doctest.compile = _compile
    try:
        failed, attempted = runner.run(case, out=lambda text: None, clear_globs=False)
    finally:
        del doctest.compile
    return failed, attempted, runner.problems


def _setup(nodes, name, filename, namespace):
    """Runs setup (or cleanup) code as Sphinx does: any exception or output fails it."""
    examples = [doctest.Example(node["code"], "", lineno=0) for node in nodes]
    if not examples:
        return None
    case = doctest.DocTest(examples, {}, name, filename, nodes[0]["line"], None)
    failed, _, problems = _run(case, "exec", namespace)
    return "; ".join(problems) if failed else None


def run_document(path, out_path):
    """Runs every group of one page; writes the per-block results after each block."""
    filename = os.path.basename(path)
    with open(path, encoding="utf-8") as handle:
        groups = build_groups(parse_document(handle.read()))
    results, namespaces, broken = [], {}, {}
    for name, test, case, mode in test_blocks(groups, filename):
        if name not in namespaces:
            namespaces[name] = {}
            broken[name] = _setup(groups[name]["setup"], name, filename, namespaces[name])
        if broken[name]:
            outcome = (len(case.examples), len(case.examples), ["testsetup failed: " + broken[name]])
        else:
            outcome = _run(case, mode, namespaces[name])
        results.append({"line": test[0]["line"], "kind": test[0]["kind"], "group": name,
                        "examples": outcome[1], "failed": outcome[0], "passed": outcome[0] == 0,
                        "problem": outcome[2][0] if outcome[2] else None})
        with open(out_path, "w") as handle:
            json.dump(results, handle)
    for name in namespaces:
        if not broken[name]:
            _setup(groups[name]["cleanup"], name, filename, namespaces[name])
    with open(out_path, "w") as handle:
        json.dump(results, handle)


def in_scope_files(docs, only=None):
    """The in-scope pages, relative to ``docs``, sorted; ``only`` keeps those containing one of its strings."""
    import glob

    found = set()
    for pattern in IN_SCOPE:
        for path in glob.glob(os.path.join(docs, pattern)):
            rel = os.path.relpath(path, docs)
            if rel not in OUT_OF_SCOPE:
                found.add(rel)
    files = sorted(found)
    if only:
        files = [f for f in files if any(part in f for part in only)]
    return files


def _side_command(side, args, page, out_path):
    worker = [os.path.abspath(__file__), "--worker", page, "--out", out_path]
    if side != "symconv":
        return [args.python] + worker
    return args.symconv.split() + ["run"] + worker


def _side_env(side, args):
    env = dict(os.environ)
    flags = THEANO_FLAGS
    if side != "symconv":  # blas.ldflags= is required by Theano 1.0.5 on numpy 1.23
        flags = "blas.ldflags=,%s,base_compiledir=%s" % (flags, args.theano_compiledir)
    if side == "theano-python":
        flags += ",cxx="
    env["THEANO_FLAGS"] = flags
    env.pop("SYMCONV_FLAGS", None)
    return env


def run_side(side, args, page):
    """One page under one side, in a fresh temporary folder: its block results, or an error line."""
    with tempfile.TemporaryDirectory(prefix="theano-doctest-") as folder:
        out_path = os.path.join(folder, "results.json")
        work = os.path.join(folder, "work")
        os.mkdir(work)
        command = _side_command(side, args, os.path.join(args.docs, page), out_path)
        try:
            proc = subprocess.run(command, cwd=work, env=_side_env(side, args), timeout=args.timeout,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            error = None if proc.returncode == 0 else "exit %d: %s" % (
                proc.returncode, proc.stdout.strip().splitlines()[-1:] or "")
        except subprocess.TimeoutExpired:
            error = "timed out after %d s" % args.timeout
        results = []
        if os.path.exists(out_path):
            with open(out_path) as handle:
                results = json.load(handle)
    return results, error


def _expected_blocks(docs, page):
    with open(os.path.join(docs, page), encoding="utf-8") as handle:
        groups = build_groups(parse_document(handle.read()))
    return [(test[0]["line"], name) for name, test, _, _ in test_blocks(groups, page)]


def _merge(expected, results, error):
    """Per block (line, group): the side's result, or a failure saying why it did not run."""
    by_key = {(r["line"], r["group"]): r for r in results}
    merged = {}
    for key in expected:
        merged[key] = by_key.get(key) or {"passed": False, "problem": "not run (%s)" % error}
    return merged


def _theano_results(args, page, expected):
    """Theano's results for one page.  Theano's C code for scan (scan_perform) does not compile on
    Python 3.11: the blocks that fail so are run again with ``cxx=`` (Theano's Python code)."""
    results, error = run_side("theano", args, page)
    theano = _merge(expected, results, error)
    broken = [key for key, r in theano.items() if "Compilation failed" in (r.get("problem") or "")]
    if broken:
        results, error = run_side("theano-python", args, page)
        again = _merge(expected, results, error)
        for key in broken:
            theano[key] = dict(again[key], flags="cxx=")
    return theano, error


def compare_page(args, page, baseline):
    expected = _expected_blocks(args.docs, page)
    if baseline and page in baseline:
        theano = {(b["line"], b["group"]): {"passed": b["theano"], "problem": b["theano_problem"],
                                            "flags": b.get("theano_flags")}
                  for b in baseline[page]["blocks"]}
        theano_error = baseline[page].get("theano_error")
    else:
        theano, theano_error = _theano_results(args, page, expected)
    results, symconv_error = run_side("symconv", args, page)
    symconv = _merge(expected, results, symconv_error)
    blocks = []
    for line, group in expected:
        t, s = theano.get((line, group), {"passed": False}), symconv[(line, group)]
        blocks.append({"line": line, "group": group, "theano": t["passed"], "theano_flags": t.get("flags"),
                       "theano_problem": t.get("problem"), "symconv": s["passed"],
                       "symconv_problem": s.get("problem")})
    return {"blocks": blocks, "theano_error": theano_error, "symconv_error": symconv_error}


def _summary(pages):
    rows, totals = [], [0, 0, 0, 0]
    for page, data in pages.items():
        blocks = data["blocks"]
        counts = [len(blocks), sum(b["theano"] for b in blocks), sum(b["symconv"] for b in blocks),
                  sum(b["theano"] and b["symconv"] for b in blocks)]
        totals = [a + b for a, b in zip(totals, counts)]
        rows.append((page, counts))
    return rows, totals


def report(pages, out=sys.stdout):
    rows, totals = _summary(pages)
    out.write("%-40s %6s %6s %7s %9s\n" % ("page", "blocks", "theano", "symconv", "both"))
    for page, counts in rows:
        out.write("%-40s %6d %6d %7d %9d\n" % ((page,) + tuple(counts)))
    out.write("%-40s %6d %6d %7d %9d\n" % (("TOTAL",) + tuple(totals)))
    ratio = 100.0 * totals[3] / totals[1] if totals[1] else 0.0
    out.write("\nsymconv passes %d of the %d blocks Theano passes (%.1f %%)\n"
              % (totals[3], totals[1], ratio))
    out.write("\nBlocks Theano passes and symconv fails:\n")
    for page, data in pages.items():
        for b in data["blocks"]:
            if b["theano"] and not b["symconv"]:
                out.write("  %s:%d [%s] %s\n" % (page, b["line"], b["group"], b["symconv_problem"]))
    return totals, ratio


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default="/work/ext/Theano/doc", help="a Theano doc/ checkout")
    parser.add_argument("--python", default=os.path.expanduser("~/theano-venv/bin/python"),
                        help="the Python that has Theano 1.0.5")
    default_symconv = os.path.join(os.path.dirname(sys.executable), "symconv")
    parser.add_argument("--symconv", default=default_symconv, help="the symconv command")
    parser.add_argument("--theano-compiledir", default=os.path.expanduser("~/.theano-cache"),
                        help="Theano's base_compiledir")
    parser.add_argument("--json", help="write every block's result here")
    parser.add_argument("--baseline", help="reuse the Theano results of an earlier --json")
    parser.add_argument("--only", nargs="*", help="pages whose path contains one of these")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per page and side")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    args = _arguments(argv)
    if args.worker:
        run_document(args.worker, args.out)
        return 0
    baseline = None
    if args.baseline:
        with open(args.baseline) as handle:
            baseline = json.load(handle)["pages"]
    pages = {}
    for page in in_scope_files(args.docs, args.only):
        started = time.time()
        pages[page] = compare_page(args, page, baseline)
        sys.stderr.write("%s: %.0f s\n" % (page, time.time() - started))
    totals, ratio = report(pages)
    if args.json:
        summary = {"blocks": totals[0], "theano_passed": totals[1], "symconv_passed": totals[2],
                   "both_passed": totals[3], "percent_of_theano": round(ratio, 1)}
        with open(args.json, "w") as handle:
            json.dump({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                       "machine": os.uname().nodename, "summary": summary, "pages": pages},
                      handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
