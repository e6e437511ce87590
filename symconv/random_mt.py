"""NumPy's ``RandomState`` generator (MT19937) in JAX, for Theano's ``RandomStreams``.

Theano's ``RandomStreams`` keeps one ``numpy.random.RandomState`` per draw and
samples with it.  Here that state is a ``uint32`` vector of 625 words, the
Mersenne Twister's 624 and its position, read and written by the compiled
function; ``words`` gives the next 32-bit outputs exactly as NumPy's
``RandomState`` does (the twist in four vectorised pieces, the tempering), and
``doubles`` NumPy's 53-bit doubles from them.  ``uniform`` and Bernoulli
draws are NumPy's own numbers; other distributions take a JAX key from two
words of the stream (see ``symconv.random``).
"""
import jax
import jax.numpy as jnp
import numpy as np

N, M = 624, 397
STATE_WORDS = N + 1


def state_of(rng):
    """The 625-word state vector of a ``numpy.random.RandomState``."""
    _, mt, pos, _, _ = rng.get_state()
    return np.concatenate([np.asarray(mt, "uint32"), np.asarray([pos], "uint32")])


def rng_of(state):
    """A ``numpy.random.RandomState`` in the state `state` (625 words)."""
    state = np.asarray(state, dtype="uint32").reshape(-1)
    if state.size != STATE_WORDS:
        raise ValueError(f"a RandomStreams state has {STATE_WORDS} words (MT19937's 624 and its position), "
                         f"got {state.size}")
    rng = np.random.RandomState()
    rng.set_state(("MT19937", state[:N], int(state[N]), 0, 0.0))
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


def _state_after(blocks, pos, used):
    """The 625-word state once `used` (dynamic, >= 1) outputs are taken from position `pos` of `blocks`."""
    end = pos + used
    last = (end - 1) // N
    return jnp.concatenate([blocks[last], (end - last * N).astype("uint32")[None]])


def words(state, count):
    """(new state, the next `count` 32-bit outputs) of the generator in `state`; `count` is a Python int."""
    if count == 0:
        return jnp.asarray(state, "uint32"), jnp.zeros((0,), "uint32")
    blocks, pos = _blocks(state, count)
    out = _temper(jax.lax.dynamic_slice(blocks.reshape(-1), (pos,), (count,)))
    return _state_after(blocks, pos, count), out


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
