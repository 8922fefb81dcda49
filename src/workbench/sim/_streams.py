"""Counter-based random numbers for lead times: the k-th order of SKU i has its own draws.

A lead time is a function of (seed, SKU, order number) only, not of the order in
which a simulator visits SKUs and days. So the numpy engine (all SKUs a day at a
time) and the numba engine (blocks of SKUs, several days at a time, possibly on
several cores) give the same lead times, and a SKU's lead times do not change when
other SKUs are added to a run.

The bits are the splitmix64 output function [1]_ of ``key[i] + counter * golden``
(a Weyl sequence per SKU, as in splitmix64 itself, with a per-SKU key that is itself
splitmix64-mixed). Normals by Box-Muller [2]_ from two uniforms; gamma of shape < 4
by Marsaglia and Tsang's method [3]_. :mod:`workbench.sim._kernel` has scalar twins of
these functions; both use the same operations, so their draws agree (up to the last
bit of ``log``/``cos``, far below the rounding of a lead time to whole days).

Counters: order k of a SKU uses counters ``k * STRIDE + m``, m = 0, 1 for the
normal (or m = 0 for a uniform), and for gamma 3 per rejection attempt plus the last
one of the stride for the shape < 1 boost.

References
----------
.. [1] G. L. Steele, D. Lea and C. H. Flood, "Fast splittable pseudorandom number
   generators", OOPSLA 2014.
.. [2] G. E. P. Box and M. E. Muller, "A note on the generation of random normal
   deviates", Ann. Math. Statist. 29 (1958) 610-611.
.. [3] G. Marsaglia and W. W. Tsang, "A simple method for generating gamma
   variables", ACM TOMS 26 (2000) 363-372.
"""

from __future__ import annotations

import numpy as np

GOLDEN = 0x9E3779B97F4A7C15
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB
STRIDE = 1 << 12  # counters per order: up to (STRIDE - 1) // 3 gamma attempts
_G, _M1, _M2 = np.uint64(GOLDEN), np.uint64(M1), np.uint64(M2)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


def mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's output function on uint64 (wrapping arithmetic)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def sku_keys(seed: int, n: int) -> np.ndarray:
    """One 64-bit key per SKU column 0 .. n-1, from a 63-bit seed."""
    with np.errstate(over="ignore"):
        i = np.arange(1, n + 1, dtype=np.uint64)
        return mix(mix(np.uint64(seed) ^ (i * _G)))


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


def gamma(keys: np.ndarray, base: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Standard gamma draws of ``shape`` (> 0) from counters ``base`` onwards.

    Marsaglia-Tsang for shape >= 1; for shape < 1, a draw of shape + 1 times
    U ** (1 / shape), U from counter ``base + STRIDE - 1``.
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
        z = normal(keys[todo], ctr)
        v = 1.0 + c[todo] * z
        v = v * v * v
        u = uniform(keys[todo], ctr + 2)
        dd = d[todo]
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = (v > 0) & (np.log(u) < 0.5 * z * z + dd - dd * v + dd * np.log(v))
        out[todo[ok]] = dd[ok] * v[ok]
        todo = todo[~ok]
        attempt += 1
    if small.any():
        w = np.flatnonzero(small)
        u = uniform(keys[w], base[w] + (STRIDE - 1))
        out[w] *= u ** (1.0 / k[w])
    return out
