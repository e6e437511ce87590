"""Random streams: Theano's ``RandomStreams`` / ``MRG_RandomStreams`` on JAX's counter-based PRNG.

Every draw (``srng.uniform(...)``, ``srng.binomial(...)``) gets its own state: a
SharedVariable holding raw ``uint32`` threefry key data, derived from the
stream's seed and the draw's position in the stream (the base class, and the
draws ``MRG_RandomStreams`` samples with JAX), or, for Theano's
``RandomStreams``, NumPy's MT19937 state (``generator='numpy'``, see
``symconv.random_mt``; ``rv.rng.get_value()`` is then a ``RandomState``).  The draw is one op with
two outputs, ``(new_key, sample)``; the state's ``default_update`` is
``new_key``, so every call of a compiled function that uses the draw advances
it, and ``function(..., no_default_updates=True)`` repeats the same sample.

The sample's shape is known when the function is compiled (shapes are static
under ``jax.jit``): ``size`` may be a tuple of ints, symbolic scalars such as
``x.shape[0]``, or a symbolic int vector such as ``x.shape``.  A ``-1`` entry,
or missing leading entries, take the broadcast shape of the distribution's
parameters (as in Theano).  Parameters (``low``, ``avg``, ``p`` ...) may be
symbolic; gradients flow through them where the sample is a differentiable
function of them (``avg + std * eps``), never through the state.
"""
import builtins

import jax
import jax.numpy as jnp
import numpy as np

from . import dtypes as D
from . import random_mt
from .compile.shared import SharedVariable
from .config import config
from .contract import concrete_ints
from .interpret import static_value
from .op import Op
from .ops.literals import as_tensor_variable
from .ops.shape_ops import arange, int_vector, specify_length
from .ops.shapes import broadcast_shape, static_entries
from .type import TensorType

_IMPL = "threefry2x32"
# The key's length (2) is left unknown on purpose: symconv.gradient returns the
# values computed inside a gradient's vjp in a dict keyed by variables, which JAX sorts
# with Variable.__lt__ (building an elementwise node); a static (2,) key would fail to
# broadcast against the sample and crash any gradient that depends on the draw.
_KEY_TYPE = TensorType("uint32", (None,))


def key_data(seed, index=0):
    """Raw uint32 key data for draw number `index` of a stream seeded with `seed`."""
    seed = int(seed) % (2 ** 63)
    with jax.ensure_compile_time_eval():
        key = jax.random.fold_in(jax.random.key(seed, impl=_IMPL), int(index) % (2 ** 32))
        return np.asarray(jax.random.key_data(key), dtype="uint32")


class RandomStateVariable(SharedVariable):
    """The state of one RandomStreams draw: NumPy's MT19937 words inside, a ``numpy.random.RandomState`` outside.

    ``get_value()`` gives a RandomState in that state (``.get_state()``,
    ``.set_state()``, ``.seed()`` work on it) and ``set_value`` takes one back,
    as Theano's ``rv.rng``; the compiled function reads and writes the words.
    """

    def get_value(self, borrow=False, return_internal_type=False):
        if return_internal_type:
            return super().get_value(borrow, return_internal_type)
        return random_mt.rng_of(super().get_value(borrow=True))

    def set_value(self, value, borrow=False):
        if isinstance(value, np.random.RandomState):
            value = random_mt.state_of(value)
        super().set_value(value, borrow)

    def own_test_value(self):
        return super().get_value(borrow=True)


# ----------------------------------------------------------------- lowering


def _resolve_shape(size, params, ndim, trailing):
    """Concrete output shape: `size` left-padded with -1 to `ndim`, -1 taken from the params' broadcast."""
    sizes = list(concrete_ints(size, "the size of a random draw"))
    sizes = [-1] * (ndim - len(sizes)) + sizes
    pshapes = [tuple(np.shape(p))[: np.ndim(p) - t] for p, t in zip(params, trailing)]
    bshape = tuple(np.broadcast_shapes(*pshapes)) if pshapes else ()
    if len(bshape) > ndim:
        raise ValueError(f"the random draw's parameters have shapes {pshapes}, more dimensions than its size {sizes}")
    bshape = (1,) * (ndim - len(bshape)) + bshape
    return tuple(int(bshape[axis] if s < 0 else s) for axis, s in enumerate(sizes))


def _float_dtype(dtype):
    return "float32" if dtype == "float16" else dtype


def _probability_dtype(p):
    return D.upcast("float32", str(jnp.result_type(p)))


# One sampler per distribution: (key, shape, params, dtype, extra) -> sample.

def _uniform(key, shape, params, dtype, extra):
    low, high = params
    compute = _float_dtype(dtype)
    u = jax.random.uniform(key, shape, dtype=compute)
    low, high = jnp.asarray(low, compute), jnp.asarray(high, compute)
    return low + u * (high - low)


def _normal(key, shape, params, dtype, extra):
    avg, std = params
    compute = _float_dtype(dtype)
    if extra.get("truncate"):
        z = jax.random.truncated_normal(key, -2.0, 2.0, shape, dtype=compute)
    else:
        z = jax.random.normal(key, shape, dtype=compute)
    return jnp.asarray(avg, compute) + jnp.asarray(std, compute) * z


def _binomial(key, shape, params, dtype, extra):
    n, p = params
    compute = _probability_dtype(p)
    p = jnp.broadcast_to(jnp.asarray(p, compute), shape)
    if extra.get("bernoulli"):
        return jax.random.uniform(key, shape, dtype=compute) < p
    n = jnp.broadcast_to(jnp.asarray(n, compute), shape)
    return jax.random.binomial(key, n, p, shape=shape, dtype=compute)


def _random_integers(key, shape, params, dtype, extra):
    low, high = params
    return jax.random.randint(key, shape, jnp.asarray(low, "int64"), jnp.asarray(high, "int64") + 1, dtype="int64")


def _choice(key, shape, params, dtype, extra):
    a = params[0]
    p = params[1] if extra["has_p"] else None
    population = concrete_ints(a, "choice's population size")[0] if np.ndim(a) == 0 else a
    return jax.random.choice(key, population, shape, replace=extra["replace"], p=p)


def _permutation(key, shape, params, dtype, extra):
    n = concrete_ints(params[0], "permutation's n")[0]
    count = int(np.prod(shape, dtype="int64"))
    keys = jax.random.split(key, builtins.max(count, 1))
    perms = jax.vmap(lambda k: jax.random.permutation(k, n))(keys)[:count]
    return perms.reshape(tuple(shape) + (n,))


def _multinomial(key, shape, params, dtype, extra):
    n, pvals = params
    compute = _probability_dtype(pvals)
    pvals = jnp.asarray(pvals, compute)
    k = pvals.shape[-1]
    pvals = jnp.broadcast_to(pvals, tuple(shape) + (k,))
    if extra.get("single"):
        draws = jax.random.categorical(key, jnp.log(pvals), axis=-1)
        return jax.nn.one_hot(draws, k, dtype=compute)
    n = jnp.broadcast_to(jnp.asarray(n, compute), tuple(shape))
    return jax.random.multinomial(key, n, pvals, shape=tuple(shape) + (k,), dtype=compute)


def _rows_choice(key, shape, params, dtype, extra):
    """MRG's choice: per row of p, `k` indices (without replacement: Gumbel top-k)."""
    (p,) = params
    k = extra["k"]
    logits = jnp.log(jnp.asarray(p, _probability_dtype(p)))
    if extra["replace"]:
        return jax.random.categorical(key, logits[:, None, :], axis=-1, shape=(p.shape[0], k))
    scores = logits + jax.random.gumbel(key, p.shape, dtype=logits.dtype)
    return jax.lax.top_k(scores, k)[1]


DISTRIBUTIONS = {"uniform": _uniform, "normal": _normal, "binomial": _binomial, "random_integers": _random_integers,
                 "choice": _choice, "permutation": _permutation, "multinomial": _multinomial,
                 "rows_choice": _rows_choice}


def _numpy_draw(state, shape, params, dist, dtype, extra):
    """(new state, sample) from NumPy's generator state: its own numbers for uniform, normal, Bernoulli, integers,
    permutations."""
    if dist == "uniform":
        state, sample = random_mt.uniform(state, shape, *params)
    elif dist == "normal" and not extra.get("truncate"):
        state, sample = random_mt.normal(state, shape, *params)
    elif dist == "binomial" and extra.get("bernoulli"):
        state, sample = random_mt.bernoulli(state, shape, params[1])
    elif dist == "random_integers":
        state, sample = random_mt.random_integers(state, shape, *params)
    elif dist == "permutation":
        state, sample = random_mt.permutations(state, shape, concrete_ints(params[0], "permutation's n")[0])
    elif dist == "choice" and (extra["replace"] or not extra["has_p"]):
        state, sample = _numpy_choice(state, shape, params, extra)
    else:  # the other distributions: JAX's samplers, keyed by the next two words of the stream
        state, words = random_mt.key_from(state)
        sample = DISTRIBUTIONS[dist](jax.random.wrap_key_data(words, impl=_IMPL), shape, params, dtype, extra)
    return state, jnp.asarray(sample, dtype)


def _numpy_choice(state, shape, params, extra):
    """NumPy's ``choice(a, shape, replace, p)`` (not p without replacement): randint, inverse cdf or a permutation."""
    a, count = params[0], int(np.prod(shape, dtype="int64"))
    population = concrete_ints(a, "choice's population size")[0] if np.ndim(a) == 0 else np.shape(a)[0]
    if extra["replace"] and not extra["has_p"]:
        state, index = random_mt.random_integers(state, shape, 0, population - 1)
    elif extra["replace"]:
        state, u = random_mt.doubles(state, count)
        cdf = jnp.cumsum(jnp.asarray(params[1]))
        index = jnp.searchsorted(cdf / cdf[-1], u, side="right").reshape(shape)
    else:
        if count > population:
            raise ValueError("Cannot take a larger sample than population when 'replace=False'")
        state, perm = random_mt.permutations(state, (1,), population)
        index = perm[0, :count].reshape(shape)
    return state, index if np.ndim(a) == 0 else jnp.asarray(a)[index]


def _random_impl(state, size, *params, dist, dtype, ndim, trailing, extra, generator="key"):
    """(new state, sample): one split of the key (or NumPy's generator), one draw of `dist` with the given shape."""
    shape = _resolve_shape(size, params[: len(trailing)], ndim, trailing)
    if generator == "numpy":
        return _numpy_draw(state, shape, params, dist, dtype, dict(extra))
    key = jax.random.wrap_key_data(jnp.asarray(state, "uint32"), impl=_IMPL)
    new_key, sub = jax.random.split(key)
    sample = DISTRIBUTIONS[dist](sub, shape, params, dtype, dict(extra))
    return jax.random.key_data(new_key), jnp.asarray(sample, dtype)


def _random_infer(state, size, *params, dist, dtype, ndim, trailing, extra, generator="key"):
    entries = static_entries(size, keep_negative=True)
    entries = [-1] * (ndim - len(entries)) + entries
    pshapes = [p.type.shape[: p.ndim - t] for p, t in zip(params, trailing)]
    bshape = broadcast_shape(pshapes, ndim, strict=False)
    shape = [bshape[i] if e == -1 else (None if e is None or e < 0 else e) for i, e in enumerate(entries)]
    return [_KEY_TYPE, TensorType(dtype, tuple(shape) + tuple(dict(extra).get("suffix", ())))]


# -------------------------------------------------------------- the streams


def size_vector(size, ndim):
    """`size` as an int64 vector of known length (``ndim`` fills in a vector of unknown length)."""
    if size is None:
        size = ()
    vector = int_vector(size)
    if vector.type.shape[0] is None:
        if ndim is None:
            raise TypeError(f"the size {size!r} of a random draw has an unknown number of entries; pass ndim=")
        vector = specify_length(vector, ndim)
    return vector


def _out_ndim(size_vector, ndim, params, trailing):
    length = size_vector.type.shape[0]
    args_ndim = builtins.max([0] + [p.ndim - t for p, t in zip(params, trailing)])
    if ndim is not None and length and int(ndim) != length:
        raise ValueError(f"ndim={ndim} does not match the size, which has {length} entries")
    return builtins.max(length, args_ndim, int(ndim or 0))


def _seed_value(seed):
    if seed is None:
        return int(np.random.randint(2 ** 30))
    if isinstance(seed, (list, tuple, np.ndarray)):
        # MRG accepts 6 integers; fold them into one.
        weights = np.arange(1, len(seed) + 1, dtype="int64") * 2654435761
        return int(np.bitwise_xor.reduce(np.asarray(seed, "int64") * weights))
    return int(seed)


class RandomStreamsBase:
    """Symbolic stand-in for ``numpy.random.RandomState``: each method returns a random variable."""

    default_seed = None

    def __init__(self, seed=None):
        self.default_instance_seed = seed if seed is not None else self.default_seed
        self._seed = _seed_value(self.default_instance_seed)
        self.state_updates = []

    # -- state

    def seed(self, seed=None):
        """Reseed every state this stream created (and the ones it will create)."""
        if seed is None:
            seed = self.default_instance_seed
        self._seed = _seed_value(seed)
        for index, entry in enumerate(self.state_updates):
            if len(entry) == 2:  # (MRG's own draws are 4-tuples, reseeded by MRG_RandomStreams.seed)
                entry[0].set_value(key_data(self._seed, index))

    def updates(self):
        """The (state, new_state) pairs of every draw made so far."""
        return list(self.state_updates)

    generator = {}  # the Op parameters choosing the generator: JAX's threefry keys here

    def new_state(self, index):
        """The state shared variable of draw number `index`: a threefry key from the seed and the index."""
        return SharedVariable(key_data(self._seed, index), name=f"{type(self).__name__}.state{index}")

    def _draw(self, dist, size, params, ndim, dtype, trailing=None, suffix=(), **extra):
        """One random variable: a fresh state, the two-output op, the state's default update."""
        params = [as_tensor_variable(p) for p in params]
        trailing = tuple(trailing) if trailing is not None else (0,) * len(params)
        vector = size_vector(size, ndim)
        out_ndim = _out_ndim(vector, ndim, params, trailing)
        dtype = config.floatX if dtype == "floatX" else str(np.dtype(dtype))
        index = len(self.state_updates)
        state = self.new_state(index)
        op = Op(dist, _random_impl, infer=_random_infer, dist=dist, dtype=dtype, ndim=out_ndim, trailing=trailing,
                extra=tuple(sorted(dict(extra, suffix=tuple(suffix)).items())), **self.generator)
        new_state, sample = op(state, vector, *params)
        new_state.name = f"{state.name}.next"
        state.default_update = new_state
        sample.rng, sample.update = state, (state, new_state)
        self.state_updates.append((state, new_state))
        return sample

    # -- distributions

    def uniform(self, size=(), low=0.0, high=1.0, ndim=None, dtype=None, **_):
        """Uniform samples in [low, high); dtype None: floatX upcast with low's and high's dtypes."""
        low, high = as_tensor_variable(low), as_tensor_variable(high)
        dtype = dtype or D.upcast(config.floatX, low.dtype, high.dtype)
        return self._draw("uniform", size, [low, high], ndim, dtype)

    def normal(self, size=(), avg=0.0, std=1.0, ndim=None, dtype=None, truncate=False, **_):
        """Normal samples of mean `avg` and standard deviation `std` (truncate: cut at +-2 std)."""
        avg, std = as_tensor_variable(avg), as_tensor_variable(std)
        dtype = dtype or D.upcast(config.floatX, avg.dtype, std.dtype)
        return self._draw("normal", size, [avg, std], ndim, dtype, truncate=bool(truncate))

    def truncated_normal(self, size=(), avg=0.0, std=1.0, ndim=None, dtype=None, **_):
        """Normal samples cut at two standard deviations of the mean."""
        return self.normal(size, avg, std, ndim, dtype, truncate=True)

    def binomial(self, size=(), n=1, p=0.5, ndim=None, dtype="int64", prob=None, **_):
        """Number of successes in `n` trials of probability `p` (``n=1``: a Bernoulli mask)."""
        p = prob if prob is not None else p
        bernoulli = isinstance(n, (int, np.integer)) and int(n) == 1
        return self._draw("binomial", size, [n, p], ndim, dtype, bernoulli=bernoulli)

    def random_integers(self, size=(), low=0, high=1, ndim=None, dtype="int64"):
        """Integers between `low` and `high`, both inclusive."""
        return self._draw("random_integers", size, [low, high], ndim, dtype)

    def choice(self, size=(), a=2, replace=True, p=None, ndim=None, dtype="int64"):
        """Samples from ``range(a)`` (int `a`) or from the 1-D array `a`, with probabilities `p`."""
        params = [a] if p is None else [a, p]
        return self._draw("choice", size, params, ndim, dtype, trailing=(), replace=bool(replace),
                          has_p=p is not None)

    def permutation(self, size=(), n=1, ndim=None, dtype="int64"):
        """Permutations of ``range(n)``: shape ``size + (n,)``, each one drawn independently."""
        n_value = static_value(as_tensor_variable(n))
        return self._draw("permutation", size, [n], ndim, dtype, trailing=(),
                          suffix=(None if n_value is None else int(n_value),))

    def multinomial(self, size=(), n=1, pvals=(0.5, 0.5), ndim=None, dtype="int64"):
        """Counts of `n` draws from the distribution(s) `pvals` (last axis): shape ``size + (len(pvals),)``."""
        pvals = as_tensor_variable(pvals)
        single = isinstance(n, (int, np.integer)) and int(n) == 1
        return self._draw("multinomial", size, [n, pvals], ndim, dtype, trailing=(0, 1),
                          suffix=(pvals.type.shape[-1],), single=single)

    def shuffle_row_elements(self, input):
        """The rows of the matrix `input`, each with its elements in a random order."""
        input = as_tensor_variable(input)
        perm = self.permutation(size=(input.shape[0],), n=input.shape[1])
        return input[arange(input.shape[0]).dimshuffle(0, "x"), perm]
