"""Run the deeplearning.net tutorials' original scripts on symconv, and on Theano 1.0.5 for comparison.

    python compat/deeplearning_tutorials.py --code /work/ext/DeepLearningTutorials/code [--json]
        [--modes imports-changed,unchanged,theano] [--runs NAME,...] [--work DIR] [--mnist IDX_DIR]

The 17 runs are the six scripts that code/test.py does not call (logistic_cg, cA, hmc, lstm + imdb,
rnnslu, rnnrbm) and the 11 functions of code/test.py.  Each runs in up to three modes:

- ``imports-changed``: a copy of the scripts in which ``theano`` becomes ``symconv`` in the import
  lines only (``import theano`` -> ``import symconv as theano``), run with this Python;
- ``unchanged``: the original files, run through ``symconv run``;
- ``theano``: the original files under Theano 1.0.5 (``--theano-python``, floatX=float32).

Nothing of the original scripts is kept in this repository: they are copied from ``--code`` into a
scratch folder (``--work``) laid out as the tutorial repository is (``code/`` beside ``data/``), where
the data the scripts read is written at reduced size:

- ``data/mnist.pkl.gz``: real digits (``--mnist``, MNIST-format IDX files; mnist-5k by default),
  shuffled with a fixed seed, then split 3,000 / 1,000 / 1,000 (train / valid / test);
- ``data/imdb.pkl``: a synthesised sentiment set in imdb.pkl's format (lists of word ids, 0/1
  labels): 1,000 train and 500 test reviews of 5 to 60 words whose label follows the balance of 40
  "positive" and 40 "negative" word ids among Zipf-distributed filler words;
- ``data/atis.fold{0..4}.pkl.gz``: a synthesised slot-filling set in ATIS's format (sentences of
  word ids, named-entity ids, BIO label ids, and the ``words2idx``/``labels2idx``/``tables2idx``
  dicts) generated from flight-request templates (cities, days, times, airlines as slots);
- ``data/Nottingham/train/*.mid``: synthesised piano rolls (88 pitches, binary, chords under a
  melody in a key), stored as ``.npy`` under the ``.mid`` names the script globs, and read by a fake
  ``midi.utils`` (``midiread``/``midiwrite``) that the harness puts first on ``PYTHONPATH``
  (the real ``midi`` package is not installable).

Sizes are reduced through the data and the scripts' own arguments only (a driver file calls the
script's function, as code/test.py does); no script is patched.  The pickles are written with
protocol 2 by the Theano venv's Python when it exists (numpy 1.23 cannot read numpy 2's pickles).
In ``theano`` mode, Theano's scan runs its Python loop (its Cython loop does not build on Python
3.11; see THEANO_SITE); everything else is Theano's C code.
"""
import argparse
import gzip
import json
import os
import pickle
import re
import shutil
import struct
import subprocess
import sys
import time

import numpy

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_MNIST = os.path.join(os.path.dirname(REPO), "shared", "data", "mnist-5k")
DEFAULT_THEANO_PYTHON = os.path.expanduser("~/theano-venv/bin/python")
# Theano's own compile cache, apart from other users' (they hold its lock while they compile).
THEANO_COMPILEDIR = os.path.expanduser("~/.theano-cache-dlt")
MODES = ("imports-changed", "unchanged", "theano")

# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def read_idx(path):
    """An IDX file (MNIST's format, gzipped or not) as a uint8 array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return numpy.frombuffer(data, dtype=numpy.uint8, offset=4 + 4 * ndim).reshape(shape)


def find_idx(folder, kind):
    names = sorted(os.listdir(folder))
    for name in names:
        if kind in name and "idx" in name and not name.startswith("t10k"):
            return os.path.join(folder, name)
    raise FileNotFoundError("no %s IDX file in %s (have %s)" % (kind, folder, names))


def mnist_splits(images, labels, sizes=(3000, 1000, 1000), seed=1234):
    """(train, valid, test) pairs as mnist.pkl.gz holds them: float32 rows in [0, 1], int64 labels."""
    x = images.reshape(len(images), -1).astype(numpy.float32) / 255.0
    y = labels.astype(numpy.int64)
    order = numpy.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    bounds = numpy.cumsum((0,) + tuple(sizes))
    if bounds[-1] > len(x):
        raise ValueError("need %d digits, have %d" % (bounds[-1], len(x)))
    return tuple((x[a:b], y[a:b]) for a, b in zip(bounds[:-1], bounds[1:]))


def synth_imdb(n_train=1000, n_test=500, seed=7):
    """imdb.pkl's two pickled (sequences, labels) pairs; a review's label is its sentiment words' balance."""
    rng = numpy.random.RandomState(seed)
    positive = numpy.arange(10, 50)
    negative = numpy.arange(50, 90)

    def review(label):
        length = rng.randint(5, 61)
        words = 100 + numpy.minimum(rng.zipf(1.3, size=length), 4800)
        n_sentiment = rng.randint(2, 6)
        slots = rng.choice(length, size=n_sentiment, replace=False)
        good = rng.rand(n_sentiment) < (0.8 if label else 0.2)
        words[slots] = numpy.where(good, rng.choice(positive, n_sentiment),
                                   rng.choice(negative, n_sentiment))
        return [int(w) for w in words]

    def split(n):
        labels = [int(v) for v in rng.randint(0, 2, size=n)]
        return [review(label) for label in labels], labels
    return split(n_train), split(n_test)


ATIS_SLOTS = {
    "fromloc.city_name": ["boston", "denver", "atlanta", "dallas", "seattle", "pittsburgh", "baltimore"],
    "toloc.city_name": ["boston", "denver", "atlanta", "dallas", "seattle", "pittsburgh", "baltimore"],
    "depart_date.day_name": ["monday", "tuesday", "wednesday", "thursday", "friday", "sunday"],
    "depart_time.period_of_day": ["morning", "afternoon", "evening"],
    "airline_name": ["united", "delta", "american", "continental"],
}
ATIS_TEMPLATES = [
    "show me flights from {fromloc.city_name} to {toloc.city_name}",
    "i want to fly from {fromloc.city_name} to {toloc.city_name} on {depart_date.day_name}",
    "list {airline_name} flights from {fromloc.city_name} to {toloc.city_name} in the "
    "{depart_time.period_of_day}",
    "what flights go to {toloc.city_name} from {fromloc.city_name} on {depart_date.day_name} "
    "{depart_time.period_of_day}",
    "are there any {airline_name} airlines flights to {toloc.city_name}",
    "i need a flight leaving {fromloc.city_name} {depart_date.day_name} arriving in {toloc.city_name}",
]


def atis_sentence(rng):
    words, labels = [], []
    for token in ATIS_TEMPLATES[rng.randint(len(ATIS_TEMPLATES))].split():
        if token.startswith("{"):
            slot = token[1:-1]
            value = ATIS_SLOTS[slot][rng.randint(len(ATIS_SLOTS[slot]))]
            if slot == "airline_name" and rng.rand() < 0.3:
                value = "us air"
            for i, part in enumerate(value.split()):
                words.append(part)
                labels.append(("B-" if i == 0 else "I-") + slot)
        else:
            words.append(token)
            labels.append("O")
    return words, labels


def synth_atis(fold, sizes=(400, 100, 100)):
    """An ATIS fold as atis.foldN.pkl.gz holds it: (train, valid, test) of (words, named entities, labels)."""
    rng = numpy.random.RandomState(100 + fold)
    vocabulary = sorted({w for t in ATIS_TEMPLATES for w in t.split() if not w.startswith("{")}
                        | {w for values in ATIS_SLOTS.values() for v in values for w in v.split()}
                        | {"us", "air"})
    label_names = ["O"] + ["%s-%s" % (p, s) for s in sorted(ATIS_SLOTS) for p in "BI"]
    words2idx = {w: i for i, w in enumerate(vocabulary)}
    labels2idx = {name: i for i, name in enumerate(label_names)}
    tables2idx = {"<NOTABLE>": 0}

    def split(n):
        lex, ne, y = [], [], []
        for _ in range(n):
            words, labels = atis_sentence(rng)
            lex.append(numpy.array([words2idx[w] for w in words], dtype=numpy.int32))
            ne.append(numpy.zeros(len(words), dtype=numpy.int32))
            y.append(numpy.array([labels2idx[lab] for lab in labels], dtype=numpy.int32))
        return lex, ne, y
    dicts = {"words2idx": words2idx, "labels2idx": labels2idx, "tables2idx": tables2idx}
    return split(sizes[0]), split(sizes[1]), split(sizes[2]), dicts


def synth_piano_roll(rng, n_pitches=88, low=21):
    """A tune: a melody on a major scale over a chord held for four steps, one row per time step."""
    length = rng.randint(60, 160)
    key = rng.randint(48, 60)
    scale = numpy.array([0, 2, 4, 5, 7, 9, 11])
    roll = numpy.zeros((length, n_pitches), dtype=numpy.float64)
    degree = 0
    for t in range(length):
        if t % 4 == 0:
            root = scale[rng.choice([0, 3, 4, 5])]
        for interval in (0, 4, 7):
            roll[t, key - 12 + root + interval - low] = 1
        degree = int(numpy.clip(degree + rng.choice([-1, 0, 1, 2, -2]), 0, 13))
        roll[t, key + 12 * (degree // 7) + scale[degree % 7] - low] = 1
    return roll


FAKE_MIDI_UTILS = '''"""A stand-in for midi.utils (the tutorial's MIDI reader is not installable).

The harness stores each synthesised piano roll as a .npy file under the .mid name that
rnnrbm.py globs; midiread returns it as the real reader's piano_roll, midiwrite writes one.
"""
import numpy


class midiread(object):
    def __init__(self, filename, r=(21, 109), dt=0.2):
        roll = numpy.load(filename)
        if roll.shape[1] != r[1] - r[0]:
            raise ValueError("%s has %d pitches, the range %r needs %d"
                             % (filename, roll.shape[1], r, r[1] - r[0]))
        self.piano_roll = roll


def midiwrite(filename, piano_roll, r=(21, 109), dt=0.2, patch=0):
    with open(filename, "wb") as f:
        numpy.save(f, numpy.asarray(piano_roll))
'''


def write_pickle(path, objects, compress):
    opener = gzip.open if compress else open
    with opener(path, "wb") as f:
        for obj in objects:
            pickle.dump(obj, f, protocol=2)


def prepare_data(data_dir, images, labels, n_tunes=12, mnist_sizes=(3000, 1000, 1000)):
    """Write every data set the scripts read into data_dir; return what was written."""
    os.makedirs(data_dir, exist_ok=True)
    write_pickle(os.path.join(data_dir, "mnist.pkl.gz"),
                 [mnist_splits(images, labels, mnist_sizes)], compress=True)
    write_pickle(os.path.join(data_dir, "imdb.pkl"), synth_imdb(), compress=False)
    for fold in range(5):
        write_pickle(os.path.join(data_dir, "atis.fold%d.pkl.gz" % fold), [synth_atis(fold)],
                     compress=True)
    tunes = os.path.join(data_dir, "Nottingham", "train")
    os.makedirs(tunes, exist_ok=True)
    rng = numpy.random.RandomState(11)
    for i in range(n_tunes):
        with open(os.path.join(tunes, "tune_%02d.mid" % i), "wb") as f:
            numpy.save(f, synth_piano_roll(rng))
    fakes = os.path.join(data_dir, "fake_modules", "midi")
    os.makedirs(fakes, exist_ok=True)
    with open(os.path.join(fakes, "__init__.py"), "w") as f:
        f.write("")
    with open(os.path.join(fakes, "utils.py"), "w") as f:
        f.write(FAKE_MIDI_UTILS)
    return sorted(os.listdir(data_dir))


def prepare_data_from_idx(data_dir, mnist_dir):
    images = read_idx(find_idx(mnist_dir, "images"))
    labels = read_idx(find_idx(mnist_dir, "labels"))
    return prepare_data(data_dir, images, labels)


# ---------------------------------------------------------------------------------------------
# Scripts
# ---------------------------------------------------------------------------------------------

IMPORT_LINE = re.compile(r"^(\s*)(import|from)\s+theano\b(.*)$")


def change_imports(line):
    """One line with theano made symconv if it is an import of theano; others as they are."""
    m = IMPORT_LINE.match(line)
    if not m:
        return line
    indent, keyword, rest = m.groups()
    if keyword == "from":
        return "%sfrom symconv%s" % (indent, rest)
    module = rest.split(" as ")[0].strip()
    if rest.strip() == "":
        return "%simport symconv as theano" % indent
    if " as " in rest:
        return "%simport symconv%s" % (indent, rest)
    # ``import theano.X.Y`` binds ``theano``: import the submodule, then bind the name.
    return "%simport symconv%s; import symconv as theano" % (indent, module)


def copy_scripts(code, dest, imports_changed):
    """The tutorial's code folder (its .py files, hmc/ and conlleval.pl) copied to dest."""
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    for folder in ("", "hmc"):
        os.makedirs(os.path.join(dest, folder), exist_ok=True)
        for name in sorted(os.listdir(os.path.join(code, folder))):
            source = os.path.join(code, folder, name)
            target = os.path.join(dest, folder, name)
            if name.endswith(".py") and imports_changed:
                with open(source) as f:
                    lines = f.read().split("\n")
                with open(target, "w") as f:
                    f.write("\n".join(change_imports(line) for line in lines))
            elif name.endswith((".py", ".pl")):
                shutil.copy2(source, target)


# Each run: the folder it runs in, the driver's body (the reduced call), the lines holding its result.
# The six script runs call the scripts' own functions with the sizes given here (their __main__
# sizes where affordable); the eleven test.py runs call code/test.py's functions as they are.
SCRIPT_RUNS = {
    "logistic_cg": ("", "import logistic_cg\nlogistic_cg.cg_optimization_mnist()"),
    "cA": ("", "import cA\ncA.test_cA(training_epochs=5)"),
    "hmc": ("hmc", "import test_hmc\ntest_hmc.test_hmc()"),
    "lstm": ("", "import lstm\nlstm.train_lstm(max_epochs=3, test_size=500, saveto='')"),
    "rnnslu": ("", "import rnnslu\nrnnslu.main(dict(fold=3, data='atis', lr=0.0970806646812754,"
                   " verbose=1, decay=True, win=7, nhidden=200, seed=345, emb_dimension=50,"
                   " nepochs=3, savemodel=False))"),
    "rnnrbm": ("", "import rnnrbm\nmodel = rnnrbm.test_rnnrbm(num_epochs=5)\n"
                   "model.generate('sample1.mid', show=False)"),
}
TEST_FUNCTIONS = ("test_logistic_sgd", "test_logistic_cg", "test_mlp", "test_convolutional_mlp",
                  "test_dA", "test_SdA", "test_dbn", "test_rbm", "test_rnnrbm", "test_rnnslu",
                  "test_lstm")
RUNS = dict(SCRIPT_RUNS)
RUNS.update({"test.py:" + name: ("", "import test\ntest.%s()" % name) for name in TEST_FUNCTIONS})

# scipy >= 1.11 keeps fmin_cg's float32 x0 float32; the Theano venv's scipy 1.10 makes it float64, which
# logistic_cg's theta.set_value refuses under floatX=float32 (on Theano too): these run in float64,
# Theano's default floatX.
FLOATX = {"logistic_cg": "float64", "test.py:test_logistic_cg": "float64"}

NUMBER = r"([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
RESULT_PATTERNS = [
    ("test error %", r"test performance\s+" + NUMBER + r"\s*%"),
    ("test error %", r"test error of best model\s+" + NUMBER + r"\s*%"),
    ("test F1", r"best test F1\s+" + NUMBER),
    ("test error", r"Train\s+\S+\s+Valid\s+\S+\s+Test\s+" + NUMBER),
    ("acceptance", r"final acceptance_rate\s+" + NUMBER),
    ("recon cost", r"reconstruction cost\s+" + NUMBER),
    ("cost", r"Training epoch \d+, cost\s+(?:is\s+)?" + NUMBER),
    ("cost", r"Epoch \d+/\d+\n" + NUMBER),
]


VALID_PATTERNS = [r"[Bb]est validation score of\s+" + NUMBER, r"valid F1\s+" + NUMBER,
                  r"Train\s+\S+\s+Valid\s+" + NUMBER]


def parse_valid(output):
    """The validation figure that goes with the headline one, where the script prints one."""
    for pattern in VALID_PATTERNS:
        found = re.findall(pattern, output)
        if found:
            return float(found[-1])
    return None


def parse_result(output):
    """The run's headline figure: (what, value) from the last line that reports one, else None."""
    for what, pattern in RESULT_PATTERNS:
        found = re.findall(pattern, output)
        if found:
            return what, float(found[-1])
    return None


def driver_source(body):
    return "import sys, os\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n" + body + "\n"


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def setup_mode(work, code, mode):
    """work/<mode>/code (the scripts, imports changed or not) beside a link to work/data."""
    root = os.path.join(work, mode)
    copy_scripts(code, os.path.join(root, "code"), imports_changed=(mode == "imports-changed"))
    link = os.path.join(root, "data")
    if not os.path.lexists(link):
        os.symlink(os.path.join(work, "data"), link)
    return os.path.join(root, "code")


def mode_command(mode, driver, theano_python):
    if mode == "imports-changed":
        return [sys.executable, driver]
    if mode == "unchanged":
        return [sys.executable, "-m", "symconv.cli", "run", driver]
    return [theano_python, driver]


# Theano 1.0.5's Cython scan loop (scan_perform) no longer compiles for Python 3.11, and Theano falls
# back to its Python loop only on ImportError: this makes the import fail, as a missing module would.
THEANO_SITE = ("import sys\n"
               "sys.modules['theano.scan_module.scan_perform_ext'] = None  # Theano's Python scan loop\n")


def mode_env(mode, work, floatx):
    env = dict(os.environ)
    fakes = os.path.join(work, "data", "fake_modules")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (fakes, env.get("PYTHONPATH", "")) if p)
    env["MPLBACKEND"] = "Agg"
    env["PYTHONUNBUFFERED"] = "1"
    flags = "floatX=" + floatx
    if mode == "theano":
        site = os.path.join(work, "theano_site")
        os.makedirs(site, exist_ok=True)
        with open(os.path.join(site, "sitecustomize.py"), "w") as f:
            f.write(THEANO_SITE)
        env["PYTHONPATH"] = site + os.pathsep + env["PYTHONPATH"]
        cache = THEANO_COMPILEDIR
        env["THEANO_FLAGS"] = "blas.ldflags=,%s,base_compiledir=%s" % (flags, cache)
    else:
        env["THEANO_FLAGS"] = flags
        env["SYMCONV_FLAGS"] = flags
    return env


def run_one(name, mode, work, code_dirs, theano_python, timeout, floatx):
    folder, body = RUNS[name]
    cwd = os.path.join(code_dirs[mode], folder)
    driver = os.path.join(cwd, "_dlt_%s.py" % re.sub(r"\W", "_", name))
    with open(driver, "w") as f:
        f.write(driver_source(body))
    floatx = FLOATX.get(name, floatx)
    log = os.path.join(work, "logs", "%s.%s.log" % (re.sub(r"\W", "_", name), mode))
    os.makedirs(os.path.dirname(log), exist_ok=True)
    start = time.time()
    with open(log, "wb") as out:  # written as the run goes, to follow a long one
        try:
            status = subprocess.run(mode_command(mode, driver, theano_python), cwd=cwd,
                                    env=mode_env(mode, work, floatx), stdout=out,
                                    stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            status = "timeout"
    wall = time.time() - start
    with open(log, encoding="utf-8", errors="replace") as f:
        output = f.read()
    output = output.replace("\r", "\n")
    return {"run": name, "mode": mode, "floatX": floatx, "status": status,
            "result": parse_result(output), "valid": parse_valid(output), "wall_s": round(wall, 1),
            "log": log, "last_line": last_error_line(output) if status != 0 else ""}


def last_error_line(output):
    lines = [line for line in output.replace("\r", "\n").split("\n") if line.strip()]
    return lines[-1][:200] if lines else ""


def format_table(rows):
    out = ["%-28s %-16s %-7s %-26s %8s" % ("run", "mode", "exit", "result", "wall s")]
    for r in rows:
        result = "%s %.4g" % tuple(r["result"]) if r["result"] else "-"
        out.append("%-28s %-16s %-7s %-26s %8.1f" % (r["run"], r["mode"], r["status"], result,
                                                     r["wall_s"]))
        if r["status"] != 0:
            out.append("    " + r["last_line"])
    return "\n".join(out)


def save_row(work, row):
    folder = os.path.join(work, "results")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, os.path.basename(row["log"])[:-4] + ".json"), "w") as f:
        json.dump(row, f)


def saved_rows(work):
    """The last result of every run and mode run so far in work (runs can be made in several goes)."""
    rows = {}
    folder = os.path.join(work, "results")
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        with open(os.path.join(folder, name)) as f:
            row = json.load(f)
        if os.path.exists(row["log"]):  # the figure as this version of the harness reads it
            with open(row["log"], encoding="utf-8", errors="replace") as f:
                output = f.read().replace("\r", "\n")
            row["result"], row["valid"] = parse_result(output), parse_valid(output)
        rows[row["run"], row["mode"]] = row
    return rows


def markdown_report(work):
    """One line per run, one column per mode: exit status, headline figure, wall time."""
    rows = saved_rows(work)
    out = ["| run | floatX | " + " | ".join(MODES) + " |", "|---" * (len(MODES) + 2) + "|"]
    for name in RUNS:
        cells = []
        for mode in MODES:
            r = rows.get((name, mode))
            if r is None:
                cells.append("not run")
                continue
            figure = "%s %.4g" % tuple(r["result"]) if r["result"] else "no figure"
            if r.get("valid") is not None:
                figure += " (valid %.4g)" % r["valid"]
            status = "ok" if r["status"] == 0 else "**exit %s**" % r["status"]
            cells.append("%s, %s, %.0f s" % (status, figure, r["wall_s"]))
        floatx = FLOATX.get(name, "float32")
        out.append("| %s | %s | %s |" % (name, floatx, " | ".join(cells)))
    return "\n".join(out)


def prepare_all(work, mnist_dir, theano_python):
    """Write work/data, with the Theano venv's Python when there is one (its numpy reads the pickles)."""
    data = os.path.join(work, "data")
    stamp = os.path.join(data, "prepared-from.txt")
    if os.path.exists(stamp) and open(stamp).read() == os.path.abspath(mnist_dir):
        return  # the same data as last time: runs in progress may be reading it
    if theano_python and os.path.exists(theano_python):
        subprocess.run([theano_python, os.path.abspath(__file__), "--prepare-only", data,
                        "--mnist", mnist_dir], check=True)
    else:
        prepare_data_from_idx(data, mnist_dir)
    with open(stamp, "w") as f:
        f.write(os.path.abspath(mnist_dir))


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--code", help="the tutorial repository's code/ folder (read only)")
    p.add_argument("--work", default=os.path.join(REPO, "runs", "dlt"), help="scratch folder")
    p.add_argument("--mnist", default=DEFAULT_MNIST, help="a folder of MNIST-format IDX files")
    p.add_argument("--modes", default="imports-changed,unchanged", help=",".join(MODES))
    p.add_argument("--runs", default=",".join(RUNS), help="which of: " + ",".join(RUNS))
    p.add_argument("--theano-python", default=DEFAULT_THEANO_PYTHON)
    p.add_argument("--floatx", default="float32")
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.add_argument("--report", action="store_true",
                   help="print the results saved in --work so far as a markdown table, run nothing")
    p.add_argument("--prepare-only", metavar="DATA_DIR", help="only write the data sets there")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.report:
        print(markdown_report(os.path.abspath(args.work)))
        return 0
    if args.prepare_only:
        print(prepare_data_from_idx(args.prepare_only, args.mnist))
        return 0
    if not args.code:
        raise SystemExit("--code is required (the DeepLearningTutorials code/ folder)")
    modes = args.modes.split(",")
    names = args.runs.split(",")
    unknown = [m for m in modes if m not in MODES] + [n for n in names if n not in RUNS]
    if unknown:
        raise SystemExit("unknown modes or runs: %s" % unknown)
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)
    prepare_all(args.work, args.mnist, args.theano_python)
    code_dirs = {mode: setup_mode(args.work, args.code, mode) for mode in modes}
    rows = []
    for name in names:
        for mode in modes:
            row = run_one(name, mode, args.work, code_dirs, args.theano_python, args.timeout,
                          args.floatx)
            rows.append(row)
            save_row(args.work, row)
            print(format_table([row]).split("\n", 1)[1], file=sys.stderr, flush=True)
    print(json.dumps(rows, indent=1) if args.json else format_table(rows))
    return 0 if all(r["status"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
