"""NumPy's ``RandomState`` generator (MT19937) in JAX, for Theano's ``RandomStreams``.

Theano's ``RandomStreams`` keeps one ``numpy.random.RandomState`` per draw and
samples with it.  Here that state is a ``uint32`` vector of 628 words, the
Mersenne Twister's 624, its position, and the Gaussian NumPy keeps for its next
``normal`` (a flag and the double's two words), read and written by the compiled
function; ``words`` gives the next 32-bit outputs exactly as NumPy's
``RandomState`` does (the twist in four vectorised pieces, the tempering), and
``doubles`` NumPy's 53-bit doubles from them.  ``uniform``, ``normal`` (NumPy's
polar method, its rejections included), Bernoulli draws, ``random_integers``
(ranges up to 2**32 values) and ``permutation`` are NumPy's own numbers (and
``choice`` from them, see ``symconv.random``); other distributions take a JAX key from two
words of the stream (see ``symconv.random``).
"""
import jax
import jax.numpy as jnp
import numpy as np

from .contract import record_check

N, M = 624, 397
STATE_WORDS = N + 4  # the twister's words, its position, has_gauss, the cached Gaussian (two words)


def state_of(rng):
    """The state vector of a ``numpy.random.RandomState``."""
    _, mt, pos, has_gauss, gauss = rng.get_state()
    cached = np.asarray([gauss], "float64").view("uint32")
    return np.concatenate([np.asarray(mt, "uint32"), np.asarray([pos, has_gauss], "uint32"), cached])


def rng_of(state):
    """A ``numpy.random.RandomState`` in the state `state`."""
    state = np.asarray(state, dtype="uint32").reshape(-1)
    if state.size != STATE_WORDS:
        raise ValueError(f"a RandomStreams state has {STATE_WORDS} words (MT19937's 624, its position and the "
                         f"cached Gaussian), got {state.size}")
    rng = np.random.RandomState()
    rng.set_state(("MT19937", state[:N], int(state[N]), int(state[N + 1]), float(state[N + 2:].view("float64")[0])))
    return rng


def seeded(seed):
    """The state of ``numpy.random.RandomState(seed)``."""
    return state_of(np.random.RandomState(seed))


def _mix(upper, lower):
    y = (upper & jnp.uint32(0x80000000)) | (lower & jnp.uint32(0x7FFFFFFF))
    return (y >> 1) ^ jnp.where((y & 1) == 1, jnp.uint32(0x9908B0DF), jnp.uint32(0))


def twist(mt):
    """The next 624 words of the generator (MT19937's twist), vectorised in the four pieces its order allows."""
    a = mt[M:N] ^ _mix(mt[: N - M], mt[1: N - M + 1])                              # 0 .. 226
    b = a ^ _mix(mt[N - M: 2 * (N - M)], mt[N - M + 1: 2 * (N - M) + 1])            # 227 .. 453
    c = b[: N - 1 - 2 * (N - M)] ^ _mix(mt[2 * (N - M): N - 1], mt[2 * (N - M) + 1: N])  # 454 .. 622
    d = b[M - 1 - (N - M)] ^ _mix(mt[N - 1], a[0])                                  # 623
    return jnp.concatenate([a, b, c, d[None]])


def _temper(y):
    y = y ^ (y >> 11)
    y = y ^ ((y << 7) & jnp.uint32(0x9D2C5680))
    y = y ^ ((y << 15) & jnp.uint32(0xEFC60000))
    return y ^ (y >> 18)


def _blocks(state, count):
    """The current block of `state` and the twisted blocks after it, enough for `count` more outputs; its position."""
    state = jnp.asarray(state, "uint32")
    mt, pos = state[:N], state[N].astype("int32")
    n_blocks = -(-(N + count) // N)

    def step(block, _):
        nxt = twist(block)
        return nxt, nxt

    _, later = jax.lax.scan(step, mt, None, length=n_blocks)
    return jnp.concatenate([mt[None], later]), pos


def _state_after(state, blocks, pos, used):
    """`state` once `used` (dynamic, >= 1) outputs are taken from position `pos` of `blocks`."""
    end = pos + used
    last = (end - 1) // N
    return jnp.concatenate([blocks[last], (end - last * N).astype("uint32")[None], jnp.asarray(state)[N + 1:]])


def words(state, count):
    """(new state, the next `count` 32-bit outputs) of the generator in `state`; `count` is a Python int."""
    if count == 0:
        return jnp.asarray(state, "uint32"), jnp.zeros((0,), "uint32")
    blocks, pos = _blocks(state, count)
    out = _temper(jax.lax.dynamic_slice(blocks.reshape(-1), (pos,), (count,)))
    return _state_after(state, blocks, pos, count), out


def doubles(state, count):
    """(new state, `count` doubles in [0, 1)): NumPy's ``random_sample``, 53 bits from two words each."""
    state, w = words(state, 2 * count)
    a, b = (w[0::2] >> 5).astype("float64"), (w[1::2] >> 6).astype("float64")
    return state, (a * 67108864.0 + b) / 9007199254740992.0


def key_from(state):
    """(new state, a JAX PRNG key made of the next two words) for the distributions sampled with JAX."""
    return words(state, 2)


def uniform(state, shape, low, high):
    """NumPy's ``RandomState.uniform(low, high, shape)``: ``low + (high - low) * double``, in float64."""
    count = int(np.prod(shape, dtype="int64"))
    state, d = doubles(state, count)
    low, high = jnp.asarray(low, "float64"), jnp.asarray(high, "float64")
    return state, jnp.broadcast_to(low, shape) + jnp.broadcast_to(high - low, shape) * d.reshape(shape)


def bernoulli(state, shape, p):
    """NumPy's ``RandomState.binomial(1, p, shape)``: its inversion, one double per sample (p == 0 included)."""
    count = int(np.prod(shape, dtype="int64"))
    state, u = doubles(state, count)
    p = jnp.broadcast_to(jnp.asarray(p, "float64"), shape).reshape(-1)
    small = p <= 0.5
    q = jnp.where(small, 1.0 - p, 1.0 - (1.0 - p))  # the inversion runs on min(p, 1 - p), as NumPy's
    x = (u > jnp.exp(jnp.log(q))).astype("int64")  # 0 while u is below (1 - that) ** 1
    return state, jnp.where(small, x, 1 - x).reshape(shape)


def normal(state, shape, avg, std):
    """NumPy's ``RandomState.normal(avg, std, shape)``: its polar method, the Gaussian it keeps included.

    Each pair of doubles is a candidate, rejected outside the unit disc; an
    accepted one gives two Gaussians, the second kept for the next sample (in
    the state, across calls).  Candidates are drawn for ten standard deviations
    more rejections than expected; a run that needed more fails a run-time check
    rather than give other numbers.
    """
    count = int(np.prod(shape, dtype="int64"))
    state = jnp.asarray(state, "uint32")
    has = state[N + 1].astype("int32")
    cached = jax.lax.bitcast_convert_type(state[N + 2:], jnp.float64)
    pairs_max = -(-count // 2)
    candidates = int(np.ceil(pairs_max * 4 / np.pi + 10 * np.sqrt(pairs_max) + 20))
    blocks, pos = _blocks(state, 4 * candidates)
    w = _temper(jax.lax.dynamic_slice(blocks.reshape(-1), (pos,), (4 * candidates,)))
    d = ((w[0::2] >> 5).astype("float64") * 67108864.0 + (w[1::2] >> 6).astype("float64")) / 9007199254740992.0
    x1, x2 = 2.0 * d[0::2] - 1.0, 2.0 * d[1::2] - 1.0
    r2 = x1 * x1 + x2 * x2
    accepted = (r2 < 1.0) & (r2 != 0.0)
    (index,) = jnp.nonzero(accepted, size=max(pairs_max, 1), fill_value=candidates - 1)
    f = jnp.sqrt(-2.0 * jnp.log(r2[index]) / r2[index])
    first, second = f * x2[index], f * x1[index]
    needed = (count - has + 1) // 2  # new pairs this call
    record_check(jnp.sum(accepted) >= needed, "normal: {} candidate pairs were not enough; draw again", candidates,
                 error=RuntimeError)
    values = jnp.concatenate([cached[None], jnp.stack([first, second], axis=1).reshape(-1)])
    sample = jax.lax.dynamic_slice(values, (1 - has,), (count,))
    left = has + 2 * needed - count  # 1: the last pair's second Gaussian is kept
    last = index[jnp.maximum(needed - 1, 0)]
    moved = _state_after(state, blocks, pos, 4 * (last + 1))
    new_state = jnp.where(needed > 0, moved, state)
    keep = jnp.where(left == 1, second[jnp.maximum(needed - 1, 0)], 0.0)
    tail = jnp.concatenate([left.astype("uint32")[None], jax.lax.bitcast_convert_type(keep, jnp.uint32)])
    new_state = jnp.concatenate([new_state[: N + 1], tail])
    avg, std = jnp.asarray(avg, "float64"), jnp.asarray(std, "float64")
    return new_state, jnp.broadcast_to(avg, shape) + jnp.broadcast_to(std, shape) * sample.reshape(shape)


def random_integers(state, shape, low, high):
    """NumPy's ``randint(low, high + 1)`` per element, in order (Theano's ``random_integers``).

    Each element draws 32-bit words masked to its range until one is in it
    (NumPy's masked rejection; a range of one value draws nothing), so the
    words are assigned to elements in one pass over a buffer sized ten standard
    deviations above the expected need; a run that needed more fails a run-time
    check rather than give other numbers.
    """
    count = int(np.prod(shape, dtype="int64"))
    if count == 0:
        return jnp.asarray(state, "uint32"), jnp.zeros(shape, "int64")
    low = jnp.broadcast_to(jnp.asarray(low, "int64"), shape).reshape(-1)
    span = jnp.broadcast_to(jnp.asarray(high, "int64"), shape).reshape(-1) - low
    mask = span.astype("uint32")
    for shift in (1, 2, 4, 8, 16):
        mask = mask | (mask >> shift)
    budget = int(2 * count + 10 * np.sqrt(2 * count) + 20)
    blocks, pos = _blocks(state, budget)
    w = _temper(jax.lax.dynamic_slice(blocks.reshape(-1), (pos,), (budget,)))

    (order,) = jnp.nonzero(span != 0, size=count, fill_value=count)  # the elements that draw, in order
    drawing = jnp.sum(span != 0).astype("int32")

    def step(carry, word):
        k, out, used = carry
        e = order[jnp.minimum(k, count - 1)]
        e = jnp.minimum(e, count - 1)
        value = (word & mask[e]).astype("int64")
        live = k < drawing
        take = live & (value <= span[e])
        out = out.at[e].set(jnp.where(take, low[e] + value, out[e]))
        return (k + take.astype("int32"), out, used + live.astype("int32")), None

    (done, out, used), _ = jax.lax.scan(step, (jnp.asarray(0, "int32"), low, jnp.asarray(0, "int32")), w)
    record_check(done >= drawing, "random_integers: {} words were not enough; draw again", budget,
                 error=RuntimeError)
    record_check(jnp.all(span <= 0xFFFFFFFF), "random_integers: a range of {} values is wider than 2**32, which "
                 "NumPy draws with 64-bit words; not supported", jnp.max(span) + 1, error=ValueError)
    new_state = jnp.where(used > 0, _state_after(state, blocks, pos, jnp.maximum(used, 1)), jnp.asarray(state))
    return new_state, out.reshape(shape)


def permutations(state, shape, n):
    """NumPy's ``permutation(n)`` for each element of `shape`, in order (Theano's ``permutation``): shape + (n,).

    NumPy shuffles ``arange(n)`` from the last position down, each swap partner
    drawn by masked rejection; one pass over a buffer of words (ten standard
    deviations above the expected need) does every swap of every permutation in
    order, and a run that needed more fails a run-time check.
    """
    count = int(np.prod(shape, dtype="int64"))
    arrays = jnp.tile(jnp.arange(n, dtype="int64"), (max(count, 1), 1))
    swaps = count * max(n - 1, 0)
    if swaps == 0:
        return jnp.asarray(state, "uint32"), arrays[:count].reshape(tuple(shape) + (n,))
    budget = int(2 * swaps + 10 * np.sqrt(2 * swaps) + 20)
    blocks, pos = _blocks(state, budget)
    w = _temper(jax.lax.dynamic_slice(blocks.reshape(-1), (pos,), (budget,)))

    def step(carry, word):
        p, i, arr, used = carry
        live = p < count
        mask = i.astype("uint32")
        for shift in (1, 2, 4, 8, 16):
            mask = mask | (mask >> shift)
        j = (word & mask).astype("int32")
        take = live & (j <= i)
        row = jnp.minimum(p, count - 1)
        a, b = arr[row, i], arr[row, j]
        swapped = arr.at[row, i].set(jnp.where(take, b, a))
        swapped = swapped.at[row, j].set(jnp.where(take, a, swapped[row, j]))
        done_row = take & (i == 1)
        i = jnp.where(take, jnp.where(done_row, n - 1, i - 1), i)
        return (p + done_row.astype("int32"), i, swapped, used + live.astype("int32")), None

    start = (jnp.asarray(0, "int32"), jnp.asarray(n - 1, "int32"), arrays, jnp.asarray(0, "int32"))
    (p, _, arrays, used), _ = jax.lax.scan(step, start, w)
    record_check(p >= count, "permutation: {} words were not enough; draw again", budget, error=RuntimeError)
    return _state_after(state, blocks, pos, jnp.maximum(used, 1)), arrays.reshape(tuple(shape) + (n,))
