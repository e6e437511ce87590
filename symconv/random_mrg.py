"""Theano's MRG31k3p generator (``MRG_RandomStreams``), the same numbers as Theano 1.0.5's.

A stream's state is 6 int32 (``rstate``).  A draw of ``n`` samples uses
``nstreams`` streams, each ``2**72`` steps after the previous one (the
``(nstreams, 6)`` state matrix is a shared variable); sample ``i`` is the next
value of stream ``i % nstreams``.  After each draw the generator's own
``rstate`` jumps ``2**134`` steps, to where the next draw's streams start.
The jumps are computed on the host when the graph is built (as Theano does);
the draws run in the compiled computation: one ``lax.scan`` over the steps,
every stream advancing at once, in int32 arithmetic that wraps as Theano's C.
"""
import jax
import jax.numpy as jnp
import numpy as np

from .contract import concrete_ints
from .interpret import static_value
from .op import Op
from .ops.shapes import static_entries
from .type import TensorType

M1, M2 = 2147483647, 2147462579
MASK12, MASK13, MASK2, MULT2 = 511, 16777215, 65535, 21069
A1P72 = [[1516919229, 758510237, 499121365], [1884998244, 1516919229, 335398200],
         [601897748, 1884998244, 358115744]]
A2P72 = [[1228857673, 1496414766, 954677935], [1133297478, 1407477216, 1496414766],
         [2002613992, 1639496704, 1407477216]]
A1P134 = [[1702500920, 1849582496, 1656874625], [828554832, 1702500920, 1512419905],
          [1143731069, 828554832, 102237247]]
A2P134 = [[796789021, 1464208080, 607337906], [1241679051, 1431130166, 1464208080],
          [1401213391, 1178684362, 1431130166]]
MAX_STREAMS = 60 * 256


def _mat_vec(a, states, m):
    """Rows of `states` (k, 3) times the matrix `a`, modulo `m` (int64, no overflow: entries < 2**31)."""
    a = np.asarray(a, dtype="int64")
    return ((a[None, :, :] * states[:, None, :].astype("int64")) % m).sum(-1) % m


def _mat_mul(a, b, m):
    return [[sum(a[i][k] * b[k][j] for k in range(3)) % m for j in range(3)] for i in range(3)]


def jump(states, a1, a2):
    """Each row of `states` (k, 6) moved forward by the jump whose matrices are `a1`, `a2`."""
    states = np.asarray(states, dtype="int64").reshape(-1, 6)
    out = np.concatenate([_mat_vec(a1, states[:, :3], M1), _mat_vec(a2, states[:, 3:], M2)], axis=1)
    return out.astype("int32")


def substreams(rstate, n_streams):
    """(n_streams, 6) int32: `rstate`, then each row 2**72 steps after the one before (Theano's layout)."""
    rows = np.asarray(rstate, dtype="int32").reshape(1, 6)
    a1, a2 = A1P72, A2P72
    while len(rows) < n_streams:  # doubling: rows [k, 2k) are rows [0, k) jumped k * 2**72 steps
        rows = np.concatenate([rows, jump(rows, a1, a2)])
        a1, a2 = _mat_mul(a1, a1, M1), _mat_mul(a2, a2, M2)
    return rows[:n_streams]


def next_rstate(rstate):
    """The generator's rstate after a draw: 2**134 steps on."""
    return jump(rstate, A1P134, A2P134)[0]


def guess_n_streams(size):
    """Theano's number of streams for a draw of `size`: a sixth of the samples, at most 60 * 256."""
    if isinstance(size, (tuple, list)) and all(isinstance(s, (int, np.integer)) for s in size):
        count = int(np.prod(size, dtype="int64"))
        return min(count // 6 if count > 6 else count, MAX_STREAMS)
    return MAX_STREAMS


def _wrap(y, m):
    return jnp.where((y < 0) | (y >= m), y - m, y)


def _mrg_step(state):
    """One MRG31k3p step of every stream (rows of `state`, int32): (new state, the int32 value x11 - x21)."""
    x11, x12, x13, x21, x22, x23 = (state[:, k] for k in range(6))
    y1 = ((x12 & MASK12) << 22) + (x12 >> 9) + ((x13 & MASK13) << 7) + (x13 >> 24)
    y1 = _wrap(_wrap(y1, M1) + x13, M1)
    z1 = _wrap(((x21 & MASK2) << 15) + MULT2 * (x21 >> 16), M2)
    y2 = _wrap(((x23 & MASK2) << 15) + MULT2 * (x23 >> 16), M2)
    y2 = _wrap(_wrap(y2 + x23, M2) + z1, M2)
    new = jnp.stack([y1, x11, x12, y2, x21, x22], axis=1)
    return new, jnp.where(y1 <= y2, y1 - y2 + M1, y1 - y2)


def _uniform_impl(rstate, size, *, dtype):
    """(new rstate, uniform samples in (0, 1) of shape `size`): Theano's mrg_uniform, element by element."""
    shape = concrete_ints(size, "the size of an MRG draw")
    count = int(np.prod(shape, dtype="int64"))
    final, samples = uniform_values(rstate, count, count, dtype)
    return final, samples.reshape(shape)


def uniform_values(rstate, most, count, dtype):
    """(new rstate, `most` samples of which the first `count` (may be a traced int) are drawn, the streams
    advanced by those only)."""
    rstate = jnp.asarray(rstate, "int32")
    n_streams = rstate.shape[0]
    steps = max(-(-most // n_streams), 1)
    lanes = jnp.arange(n_streams)

    def body(state, t):
        new, value = _mrg_step(state)
        live = (t * n_streams + lanes < count)[:, None]
        return jnp.where(live, new, state), value

    final, values = jax.lax.scan(body, rstate, jnp.arange(steps))
    values = values.reshape(-1)[:most]
    if dtype == "float64":
        samples = values.astype("float64") * 4.656612873077392578125e-10
    else:  # Theano's C code: the int converted to float, times the float constant
        samples = values.astype("float32") * np.float32(4.6566126e-10)
    return final, samples.astype(dtype)


def _uniform_infer(rstate, size, *, dtype):
    entries = [None if e is None or e < 0 else e for e in static_entries(size, keep_negative=True)]
    return [TensorType("int32", rstate.type.shape), TensorType(dtype, tuple(entries))]


def uniform_op(dtype):
    return Op("mrg_uniform", _uniform_impl, infer=_uniform_infer, dtype=dtype)


def _counts_from_uniform(pvals, unis, n, *, dtype):
    """Theano's MultinomialFromUniform: draw c of row r, the first outcome whose running sum passes unis[c*rows+r]."""
    (n,) = concrete_ints(n, "multinomial's n")
    rows, k = pvals.shape
    u = jnp.asarray(unis, "float64").reshape(n, rows)
    cumsum = jnp.cumsum(jnp.asarray(pvals, "float64"), axis=1)
    picked = jnp.sum(cumsum[None, :, :] <= u[:, :, None], axis=-1)  # k (none) if rounding left u above the sum
    return jax.nn.one_hot(picked, k, dtype="int64").sum(axis=0).astype(dtype)


def _choice_from_uniform(pvals, unis, n, *, dtype, replace):
    """Theano's ChoiceFromUniform: per row, `n` outcomes; without replacement each pick's probability is zeroed."""
    (n,) = concrete_ints(n, "choice's size")
    rows, k = pvals.shape
    if not replace and n > k:
        raise ValueError("Cannot sample without replacement n samples bigger than the size of the distribution.")
    u = jnp.asarray(unis).reshape(n, rows)
    lanes = jnp.arange(rows)

    def body(c, carry):
        p, out = carry
        cumsum = jnp.cumsum(p, axis=1)
        picked = jnp.minimum(jnp.sum(cumsum <= u[c][:, None].astype(p.dtype), axis=1), k - 1)
        out = out.at[:, c].set(picked)
        if not replace:
            p = p.at[lanes, picked].set(0)
            p = p / p.sum(axis=1, keepdims=True)
        return p, out

    _, out = jax.lax.fori_loop(0, n, body, (jnp.asarray(pvals), jnp.full((rows, n), -1, "int64")))
    return out.astype(dtype)


def _counts_infer(pvals, unis, n, *, dtype):
    return [TensorType(dtype, pvals.type.shape)]


def _choice_infer(pvals, unis, n, *, dtype, replace):
    size = static_value(n)
    return [TensorType(dtype, (pvals.type.shape[0], None if size is None else int(size)))]


def multinomial_op(dtype):
    return Op("mrg_multinomial", _counts_from_uniform, infer=_counts_infer, dtype=dtype)


def choice_op(dtype, replace):
    return Op("mrg_choice", _choice_from_uniform, infer=_choice_infer, dtype=dtype, replace=bool(replace))


def _truncate_impl(rstate, z0, z1, cos_theta, sin_theta, *, dtype):
    """Theano's truncated Box-Muller: values outside [-2, 2] are redrawn once, from a second uniform draw.

    The redrawn radius is ``sqrt(-2 log u)`` with u in (e**-2, 1); the result is the
    kept z0, the redrawn z0, the kept z1, the redrawn z1, in that order (Theano's join).
    """
    half = z0.shape[0]
    fix0, fix1 = (z0 < -2.0) | (z0 > 2.0), (z1 < -2.0) | (z1 > 2.0)
    n_fix0, n_fix1 = jnp.sum(fix0), jnp.sum(fix1)
    final, u = uniform_values(rstate, 2 * half, n_fix0 + n_fix1, dtype)
    lower = np.asarray(1.0 / np.e ** 2, dtype)
    u = u * (np.asarray(1.0, dtype) - lower) + lower
    r_fix = jnp.sqrt(np.asarray(-2.0, dtype) * jnp.log(u))

    def assemble(z, fix, trig, offset):
        order = jnp.argsort(fix, stable=True)  # the kept ones first, then the redrawn ones, each in order
        kept = half - jnp.sum(fix)
        slot = jnp.arange(half)
        fixed = r_fix[jnp.clip(offset + slot - kept, 0, 2 * half - 1)] * trig[order]
        return jnp.where(slot < kept, z[order], fixed)

    return final, jnp.concatenate([assemble(z0, fix0, cos_theta, 0), assemble(z1, fix1, sin_theta, n_fix0)])


def _truncate_infer(rstate, z0, z1, cos_theta, sin_theta, *, dtype):
    half = z0.type.shape[0]
    return [TensorType("int32", rstate.type.shape), TensorType(dtype, (None if half is None else 2 * half,))]


def truncate_op(dtype):
    return Op("mrg_truncate", _truncate_impl, infer=_truncate_infer, dtype=dtype)
