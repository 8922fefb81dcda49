"""Counter-based random numbers: the k-th order of SKU i, and day t of SKU i, have their own draws.

A lead time is a function of (seed, SKU, order number) only, and a day's demand of
(seed, SKU, day) only, not of the order in which a simulator visits SKUs and days.
So the numpy engine (all SKUs a day at a time) and the numba engine (blocks of SKUs,
several days at a time, possibly on several cores) give the same lead times and the
same demand, and a SKU's draws do not change when other SKUs are added to a run.

The bits are the splitmix64 output function [1]_ of ``key[i] + counter * golden``
(a Weyl sequence per SKU, as in splitmix64 itself, with a per-SKU key that is itself
splitmix64-mixed).

- Lead times: normals by Box-Muller [2]_ from two uniforms; gamma by Marsaglia and
  Tsang's method [3]_.
- Demand: normals by the ziggurat [5]_ (one 64-bit draw for about 99 % of them);
  gamma by Marsaglia-Tsang on ziggurat normals; Poisson and negative binomial from a
  per-SKU alias table [6]_ (one uniform a day), or, for a SKU whose table would be
  too long, the Poisson-gamma mixture itself (Poisson by inversion below a mean of
  10, by Hormann's PTRS [4]_ above); the bootstrap by one uniform a day.

:mod:`workbench.sim._kernel` has scalar twins of these functions; both use the same
operations, so their draws agree (up to the last bit of ``log``/``exp``/``cos``,
far below the rounding of a lead time to whole days, and for demand far below any
quantity that matters; ``tests/test_sim_kernel.py`` checks they agree).

Streams: lead times use the keys ``sku_keys(seed, n)``; demand uses
``sku_keys(seed, n, DEMAND_STREAM)``, another key per SKU, so demand and lead-time
draws are independent even when their seeds coincide.

Counters: order k of a SKU uses counters ``k * STRIDE + m``, m = 0, 1 for the
normal (or m = 0 for a uniform), and for gamma 3 per rejection attempt plus the last
one of the stride for the shape < 1 boost. Day t's demand uses ``t * STRIDE + m``
the same way (m = 0 for the normal, the alias table's and the bootstrap's uniform;
gamma as above), and a mixture's Poisson draw ``m >= POISSON_OFFSET``: one uniform
for inversion, two per PTRS attempt. A ziggurat normal's rare further draws
(another attempt, the layer test, the tail) use the same counter with offset keys
(``ZIG_ATTEMPT``, ``ZIG_TEST``, ``ZIG_TAIL``).

References
----------
.. [1] G. L. Steele, D. Lea and C. H. Flood, "Fast splittable pseudorandom number
   generators", OOPSLA 2014.
.. [2] G. E. P. Box and M. E. Muller, "A note on the generation of random normal
   deviates", Ann. Math. Statist. 29 (1958) 610-611.
.. [3] G. Marsaglia and W. W. Tsang, "A simple method for generating gamma
   variables", ACM TOMS 26 (2000) 363-372.
.. [4] W. Hormann, "The transformed rejection method for generating Poisson random
   variables", Insurance: Mathematics and Economics 12 (1993) 39-45.
.. [5] G. Marsaglia and W. W. Tsang, "The ziggurat method for generating random
   variables", Journal of Statistical Software 5(8) (2000).
.. [6] M. D. Vose, "A linear algorithm for generating random numbers with a given
   distribution", IEEE Trans. Software Eng. 17 (1991) 972-975 (the alias method of
   A. J. Walker, 1977).
"""

from __future__ import annotations

import numpy as np
from scipy import special

GOLDEN = 0x9E3779B97F4A7C15
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB
STRIDE = 1 << 12  # counters per order: up to (STRIDE - 1) // 3 gamma attempts
POISSON_OFFSET = STRIDE // 2  # a day's Poisson counters (gamma: up to 682 attempts below)
POISSON_INVERSION = 10.0  # Poisson means below: inversion; from it on: PTRS
DEMAND_STREAM = 0x64656D616E64  # salts the demand keys ("demand"); lead times use 0
_G, _M1, _M2 = np.uint64(GOLDEN), np.uint64(M1), np.uint64(M2)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


def mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's output function on uint64 (wrapping arithmetic)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def sku_keys(seed: int, n: int, stream: int = 0, index: np.ndarray | None = None) -> np.ndarray:
    """One 64-bit key per SKU column 0 .. n-1, from a 63-bit seed, for a stream.

    ``stream=0`` (lead times) and ``DEMAND_STREAM`` give unrelated keys for one seed.
    ``index`` (n whole numbers >= 0) keys column j as SKU ``index[j]`` instead of j: a
    run of some SKUs of a catalog then draws what the run of the whole catalog draws.
    """
    with np.errstate(over="ignore"):
        if index is None:
            i = np.arange(1, n + 1, dtype=np.uint64)
        else:
            i = np.asarray(index, dtype=np.int64).astype(np.uint64) + np.uint64(1)
        return mix(mix(np.uint64(seed) ^ (i * _G)) ^ np.uint64(stream))


def uniform(keys: np.ndarray, ctr: np.ndarray) -> np.ndarray:
    """Uniforms in (0, 1) for counters ``ctr`` of SKUs with ``keys`` (53-bit, never 0)."""
    with np.errstate(over="ignore"):
        x = mix(keys + ctr.astype(np.uint64) * _G)
    return ((x >> _S11).astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


def normal(keys: np.ndarray, ctr: np.ndarray) -> np.ndarray:
    """Standard normals from counters ``ctr`` and ``ctr + 1`` (Box-Muller)."""
    u1 = uniform(keys, ctr)
    u2 = uniform(keys, ctr + 1)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def _ziggurat_tables(layers: int = 128, r: float = 3.442619855899, v: float = 9.91256303526217e-3):
    """Marsaglia and Tsang's ziggurat [5]_ for the normal, 128 layers, in floats.

    ``W[i]``: the right edge x_i of layer i (layer 0: the base strip, width v / f(r));
    ``K[i] = x_(i-1) / x_i``: below it a point of layer i is under the curve at once;
    ``F[i] = f(x_i)`` with f(x) = exp(-x^2 / 2).
    """
    W, K, F = np.zeros(layers), np.zeros(layers), np.zeros(layers)
    f = np.exp(-0.5 * r * r)
    q = v / f
    K[0], K[1] = r / q, 0.0
    W[0], W[layers - 1] = q, r
    F[0], F[layers - 1] = 1.0, f
    x_prev = r
    for i in range(layers - 2, 0, -1):
        x = np.sqrt(-2.0 * np.log(v / x_prev + np.exp(-0.5 * x_prev * x_prev)))
        K[i + 1] = x / x_prev
        x_prev = x
        F[i] = np.exp(-0.5 * x * x)
        W[i] = x
    return W, K, F, r


ZIG_W, ZIG_K, ZIG_F, ZIG_R = _ziggurat_tables()
# key offsets of a ziggurat normal's further draws (odd 64-bit constants): attempt a
# uses the key + a * ZIG_ATTEMPT, its layer test + ZIG_TEST, its tail's m-th pair
# + (2m + 1) * ZIG_TAIL and + (2m + 2) * ZIG_TAIL: unrelated streams, same counter
ZIG_ATTEMPT = 0xD1B54A32D192ED03
ZIG_TEST = 0x8CB92BA72F3D8DD7
ZIG_TAIL = 0xA0761D6478BD642F
_ZA, _ZT, _ZL = np.uint64(ZIG_ATTEMPT), np.uint64(ZIG_TEST), np.uint64(ZIG_TAIL)


def normal_zig(keys: np.ndarray, ctr: np.ndarray) -> np.ndarray:
    """Standard normals by the ziggurat [5]_: one draw of 64 bits, counter ``ctr``,
    for about 99 % of them (bits 0-6 the layer, bit 7 the sign, bits 11-63 the
    uniform); the rest take a layer test or the tail from further streams."""
    keys = np.asarray(keys, dtype=np.uint64)
    ctr = np.asarray(ctr).astype(np.uint64)
    out = np.empty(keys.shape)
    todo = np.arange(keys.size)
    attempt = 0
    with np.errstate(over="ignore"):
        while todo.size:
            k = keys[todo] + np.uint64(attempt) * _ZA
            c = ctr[todo]
            bits = mix(k + c * _G)
            i = (bits & np.uint64(127)).astype(np.intp)
            neg = ((bits >> np.uint64(7)) & np.uint64(1)).astype(bool)
            u = ((bits >> _S11).astype(np.int64).astype(np.float64) + 0.5) * (
                1.0 / 9007199254740992.0
            )
            x = u * ZIG_W[i]
            ok = u < ZIG_K[i]
            layer = np.flatnonzero(~ok & (i > 0))
            if layer.size:
                li = i[layer]
                uu = uniform(k[layer] + _ZT, c[layer])
                xl = x[layer]
                y = ZIG_F[li] + uu * (ZIG_F[li - 1] - ZIG_F[li])
                ok[layer] = y < np.exp(-0.5 * xl * xl)
            tail = np.flatnonzero(~ok & (i == 0))
            if tail.size:  # about 1 draw in 1,700: Marsaglia's tail beyond r
                kt, ct = k[tail], c[tail]
                xt = np.empty(tail.size)
                pend = np.arange(tail.size)
                m = 0
                while pend.size:
                    u1 = uniform(kt[pend] + np.uint64(2 * m + 1) * _ZL, ct[pend])
                    u2 = uniform(kt[pend] + np.uint64(2 * m + 2) * _ZL, ct[pend])
                    xx = -np.log(u1) / ZIG_R
                    yy = -np.log(u2)
                    acc = yy + yy >= xx * xx
                    xt[pend[acc]] = xx[acc]
                    pend = pend[~acc]
                    m += 1
                x[tail] = ZIG_R + xt
                ok[tail] = True
            out[todo[ok]] = np.where(neg[ok], -x[ok], x[ok])
            todo = todo[~ok]
            attempt += 1
    return out


def gamma(
    keys: np.ndarray, base: np.ndarray, shape: np.ndarray, *, ziggurat: bool = False
) -> np.ndarray:
    """Standard gamma draws of ``shape`` (> 0) from counters ``base`` onwards.

    Marsaglia-Tsang for shape >= 1; for shape < 1, a draw of shape + 1 times
    U ** (1 / shape), U from counter ``base + STRIDE - 1``. The normal of an attempt
    is Box-Muller (lead times) or, with ``ziggurat``, the ziggurat (demand;
    :func:`normal_zig`).
    """
    k = np.asarray(shape, dtype=float)
    small = k < 1.0
    a = np.where(small, k + 1.0, k)
    d = a - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    out = np.empty(k.shape)
    todo = np.arange(k.size)
    attempt = 0
    while todo.size:
        if 3 * attempt + 2 >= STRIDE - 1:  # pragma: no cover - probability ~ 0.05 ** 1300
            raise RuntimeError("gamma draw: too many rejections")
        ctr = base[todo] + 3 * attempt
        z = normal_zig(keys[todo], ctr) if ziggurat else normal(keys[todo], ctr)
        v = 1.0 + c[todo] * z
        v = v * v * v
        u = uniform(keys[todo], ctr + 2)
        dd = d[todo]
        with np.errstate(invalid="ignore", divide="ignore"):
            # the squeeze u < 1 - 0.0331 z^4 accepts most draws without a log; it lies
            # inside the exact region, so it changes no draw, only the work
            ok = (v > 0) & (
                (u < 1.0 - 0.0331 * (z * z) * (z * z))
                | (np.log(u) < 0.5 * z * z + dd - dd * v + dd * np.log(v))
            )
        out[todo[ok]] = dd[ok] * v[ok]
        todo = todo[~ok]
        attempt += 1
    if small.any():
        w = np.flatnonzero(small)
        u = uniform(keys[w], base[w] + (STRIDE - 1))
        out[w] *= u ** (1.0 / k[w])
    return out


def poisson(keys: np.ndarray, base: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson draws of means ``lam`` (>= 0) from counters ``base + POISSON_OFFSET`` on.

    Below ``POISSON_INVERSION``: inversion by sequential search from 0 with one
    uniform. From it on: PTRS [4]_, two uniforms per attempt (about 1.15 attempts).
    Returns floats (whole numbers).
    """
    lam = np.asarray(lam, dtype=float)
    out = np.zeros(lam.shape)
    base = base + POISSON_OFFSET
    small = np.flatnonzero((lam > 0) & (lam < POISSON_INVERSION))
    if small.size:
        ls = lam[small]
        u = uniform(keys[small], base[small])
        p = np.exp(-ls)
        c = p.copy()
        k = np.zeros(small.size)
        todo = np.flatnonzero((u > c) & (p > 0))
        while todo.size:
            k[todo] += 1
            p[todo] *= ls[todo] / k[todo]
            c[todo] += p[todo]
            todo = todo[(u[todo] > c[todo]) & (p[todo] > 0)]
        out[small] = k
    todo = np.flatnonzero(lam >= POISSON_INVERSION)
    if todo.size:
        lt = lam[todo]
        slam = np.sqrt(lt)
        loglam = np.log(lt)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2.0)
        sub = np.arange(todo.size)  # positions in todo still drawing
        attempt = 0
        while sub.size:
            if 2 * attempt + 1 >= STRIDE - POISSON_OFFSET - 1:  # pragma: no cover
                raise RuntimeError("Poisson draw: too many rejections")
            ctr = base[todo[sub]] + 2 * attempt
            uu = uniform(keys[todo[sub]], ctr) - 0.5
            v = uniform(keys[todo[sub]], ctr + 1)
            us = 0.5 - np.abs(uu)
            aa, bb, la = a[sub], b[sub], lt[sub]
            k = np.floor((2.0 * aa / us + bb) * uu + la + 0.43)
            fast = (us >= 0.07) & (v <= vr[sub])
            maybe = ~fast & ~((k < 0) | ((us < 0.013) & (v > us)))
            ok = fast.copy()
            if maybe.any():
                m = np.flatnonzero(maybe)
                lhs = (
                    np.log(v[m])
                    + np.log(invalpha[sub[m]])
                    - np.log(aa[m] / (us[m] * us[m]) + bb[m])
                )
                rhs = -la[m] + k[m] * loglam[sub[m]] - special.gammaln(k[m] + 1.0)
                ok[m] = lhs <= rhs
            out[todo[sub[ok]]] = k[ok]
            sub = sub[~ok]
            attempt += 1
    return out


TABLE_EPS = 1e-12  # a CDF table leaves out at most this mass in either tail
TABLE_MAX = 4096  # longer tables (huge means or variances): the draw by mixture instead


def discrete_tables(
    mean: np.ndarray, var: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Alias tables [6]_ for Poisson (``var`` None or <= mean) or negative binomial
    (var > mean) demand, one per SKU, as ragged arrays.

    Each table covers the values ``lo .. hi`` outside which each tail holds less
    than ``TABLE_EPS`` (the probabilities, from the mode by their ratios, are
    normalized over the table). Returns ``offsets``, ``counts`` (0: no table, the
    SKU draws the Poisson-gamma mixture itself), ``lows`` (lo per SKU), ``prob`` and
    ``alias`` (Vose's alias method: column j of a table keeps value lo + j with
    probability ``prob[off + j]``, else gives lo + ``alias[off + j]``). Built by
    compiled code (``_kernel.build_tables``).
    """
    from ._kernel import build_tables

    mu = np.maximum(np.asarray(mean, dtype=float), 0.0)
    nb = np.zeros(mu.size, bool) if var is None else (np.asarray(var, dtype=float) > mu) & (mu > 0)
    v = np.where(nb, var if var is not None else 1.0, mu + 1.0)
    r = np.where(nb, mu**2 / np.where(nb, v - mu, 1.0), 1.0)  # shape (number of successes)
    p = np.where(nb, mu / v, 0.5)  # success probability
    return build_tables(mu, r, p, nb, TABLE_EPS, TABLE_MAX)


def table_draw(
    u: np.ndarray, off: np.ndarray, cnt: np.ndarray, prob: np.ndarray, alias: np.ndarray
) -> np.ndarray:
    """Alias-table draws [6]_ from uniforms ``u``, one per SKU table (``cnt`` > 0).

    u * cnt picks a column j and, by its fraction, the column's own value (index j)
    with probability ``prob[off + j]`` or its ``alias[off + j]``: one uniform, no search.
    """
    v = u * cnt
    j = np.minimum(v.astype(np.int64), cnt - 1)
    return np.where(v - j < prob[off + j], j, alias[off + j])


# demand models drawn from the streams, and their codes in the kernel (0: replayed)
DEMAND_KINDS = {"normal": 1, "gamma": 2, "poisson": 3, "negative_binomial": 4, "bootstrap": 5}


class DemandDraws:
    """A per-SKU demand model whose day t of SKU i is drawn from (seed, SKU, day) alone.

    The numba kernel draws the same numbers itself from ``kind``, ``keys``, ``p1``,
    ``p2``, ``p3``, the ragged arrays ``offsets``/``counts``/``values`` and
    ``lows``/``guide``; :meth:`take` draws them for the numpy engine, a chunk of days
    at a time.

    Models (``mean`` and ``sd`` [units/bucket], per SKU):

    - ``"normal"``: mean + sd * Z, set to 0 below 0 (p1 = mean, p2 = sd); Z by
      inversion (AS 241) of one uniform;
    - ``"gamma"``: shape (mean / sd)^2, scale sd^2 / mean; the constant mean where
      mean or sd is 0 (p1 = shape, 0 for constant; p2 = scale; p3 = the constant);
      Marsaglia-Tsang;
    - ``"poisson"``: the mean (p1 = p3);
    - ``"negative_binomial"``: the Poisson-gamma mixture with the asked mean and
      variance var = sd^2 (gamma shape mean^2 / (var - mean), scale (var - mean) /
      mean: p1, p2; p3 = mean); plain Poisson where var <= mean.
      Both discrete models draw from an alias table [6]_ per SKU (``values`` holds
      the probabilities, ``guide`` the aliases, ``lows`` the first values): one
      uniform a day; a SKU whose table would pass ``TABLE_MAX`` entries draws the
      mixture itself (gamma, then Poisson by PTRS);
    - ``"bootstrap"``: a draw with replacement from the SKU's own history, the
      values ``values[offsets[i] + k * step]``, k < ``counts[i]`` (the i.i.d.
      bootstrap; 0 for a SKU with an empty history): a ragged array (``step`` 1) or
      a (days, SKUs) matrix raveled (``offsets[i] = i``, ``step`` = SKUs).

    ``index`` keys column j's stream as SKU ``index[j]``'s (:func:`sku_keys`).
    """

    def __init__(
        self,
        model: str,
        n: int,
        *,
        seed: int,
        mean: np.ndarray | None = None,
        sd: np.ndarray | None = None,
        history: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        step: int = 1,
        dtype: type = np.float64,
        index: np.ndarray | None = None,
    ):
        if model not in DEMAND_KINDS:
            raise ValueError(f"unknown demand model {model!r}")
        self.model, self.kind, self.n = model, DEMAND_KINDS[model], n
        self.dtype = np.dtype(dtype)
        self.keys = sku_keys(seed, n, DEMAND_STREAM, index)
        zeros = np.zeros(n)
        self.p1, self.p2, self.p3 = zeros, zeros, zeros
        self.offsets = self.counts = np.zeros(n, dtype=np.int64)
        self.values = np.zeros(1)
        self.lows = zeros
        self.guide = np.zeros(1, dtype=np.int64)
        self.step = int(step)
        self._buf: np.ndarray | None = None
        mu = None if mean is None else np.asarray(mean, dtype=float)
        sd = None if sd is None else np.asarray(sd, dtype=float)
        if model == "normal":
            self.p1, self.p2 = mu, sd
        elif model == "gamma":
            const = (sd <= 0) | (mu <= 0)
            safe_sd = np.where(const, 1.0, sd)
            safe_mu = np.where(const, 1.0, mu)
            self.p1 = np.where(const, 0.0, (safe_mu / safe_sd) ** 2)
            self.p2 = np.where(const, 0.0, safe_sd**2 / safe_mu)
            self.p3 = np.where(const, np.maximum(mu, 0.0), 0.0)
        elif model in ("poisson", "negative_binomial"):
            mu = np.maximum(mu, 0.0)
            var = sd**2 if model == "negative_binomial" else None
            self.p3 = mu
            if var is not None:
                nb = (var > mu) & (mu > 0)
                excess = np.where(nb, var - mu, 1.0)
                safe_mu = np.where(nb, mu, 1.0)
                self.p1 = np.where(nb, safe_mu**2 / excess, 0.0)
                self.p2 = np.where(nb, excess / safe_mu, 0.0)
            tables = discrete_tables(mu, var)
            self.offsets, self.counts, self.lows, prob, self.guide = tables
            if prob.size:
                self.values = prob
            if not self.guide.size:
                self.guide = np.zeros(1, dtype=np.int64)
        else:  # bootstrap
            offsets, counts, values = history
            self.offsets = np.asarray(offsets, dtype=np.int64)
            self.counts = np.asarray(counts, dtype=np.int64)
            self.values = np.asarray(values, dtype=float) if len(values) else np.zeros(1)
        self.p1, self.p2, self.p3, self.lows = (
            np.ascontiguousarray(p, dtype=float) for p in (self.p1, self.p2, self.p3, self.lows)
        )

    def draw(self, days: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Demand of SKUs ``cols`` on days ``days`` (equal-length 1-D arrays) [units]."""
        keys = self.keys[cols]
        base = days.astype(np.int64) * STRIDE
        p1 = self.p1[cols]
        if self.model == "normal":
            x = p1 + self.p2[cols] * normal_zig(keys, base)
            return np.maximum(x, 0.0, out=x)
        if self.model == "gamma":
            x = self.p3[cols].copy()
            g = np.flatnonzero(p1 > 0)
            if g.size:
                x[g] = gamma(keys[g], base[g], p1[g], ziggurat=True) * self.p2[cols[g]]
            return x
        cnt = self.counts[cols]
        if self.model == "bootstrap":
            u = uniform(keys, base)
            pick = np.minimum((u * cnt).astype(np.int64), np.maximum(cnt - 1, 0))
            at = np.minimum(self.offsets[cols] + pick * self.step, self.values.size - 1)
            return np.where(cnt > 0, self.values[at], 0.0)
        out = np.empty(cols.size)
        tab = np.flatnonzero(cnt > 0)
        if tab.size:
            u = uniform(keys[tab], base[tab])
            c = cols[tab]
            k = table_draw(u, self.offsets[c], cnt[tab], self.values, self.guide)
            out[tab] = self.lows[c] + k
        mix = np.flatnonzero(cnt <= 0)  # tables too long: the mixture itself
        if mix.size:
            c = cols[mix]
            lam = self.p3[c].copy()
            g = np.flatnonzero(self.p1[c] > 0)
            if g.size:
                lam[g] = (
                    gamma(keys[mix[g]], base[mix[g]], self.p1[c[g]], ziggurat=True) * self.p2[c[g]]
                )
            out[mix] = poisson(keys[mix], base[mix], lam)
        return out

    def take(self, t0: int, days: int) -> np.ndarray:
        """Demand of days ``t0 .. t0 + days - 1``, (days, n), in a reused buffer."""
        if self._buf is None or self._buf.shape[0] < days:
            self._buf = np.empty((days, self.n), dtype=self.dtype)
        out = self._buf[:days]
        t = np.repeat(np.arange(t0, t0 + days, dtype=np.int64), self.n)
        cols = np.tile(np.arange(self.n), days)
        out[...] = self.draw(t, cols).reshape(days, self.n)
        return out
