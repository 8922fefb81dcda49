"""Compiled (numba) inner loops of the distribution builders: sequential recursions.

A few steps of :mod:`workbench.policy.distributions` and
:mod:`workbench.policy.undershoot` are recursions along one SKU's row (Horner's scheme
over the units of a pmf, the renewal recursion of an (s, S) policy): vectorised over
SKUs, numpy walks the rows column by column and pays a pass over memory per column;
here each SKU is one loop in registers. numba is imported only when one of them runs,
so ``import workbench`` stays light; compiled code is cached next to this file
(``cache=True``), so only the first call on a machine pays the compilation.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def chernoff_lengths(f, top, lt, lag_lo, lag_hi, r, log_tail, ts, out):  # pragma: no cover
    """Per SKU i, min over t in ``ts`` of (ln E[exp(t S_i)] - ln tail) / t.

    S_i is the sum of L + r i.i.d. buckets with pmf ``f[i]`` (mass up to unit
    ``top[i]``), L with pmf ``lt[i]`` (mass on lags ``lag_lo[i] .. lag_hi[i]``).
    Both sums are polynomials evaluated by Horner's scheme in a variable <= 1, so
    nothing overflows and no exponential is taken per term:
    M(t) e^(-t top) = sum_x f(x) q^(top - x) with q = e^-t, and
    sum_l P(L = l) M^l = M^hi sum_l P(L = l) (1 / M)^(hi - l).
    """
    n = f.shape[0]
    for i in prange(n):
        best = np.inf
        for j in range(ts.size):
            t = ts[j]
            q = math.exp(-t)
            acc = 0.0
            for x in range(top[i] + 1):
                acc = acc * q + f[i, x]
            log_m = t * top[i] + math.log(acc)
            q2 = math.exp(-log_m)
            acc2 = 0.0
            for lag in range(lag_lo[i], lag_hi[i] + 1):
                acc2 = acc2 * q2 + lt[i, lag]
            log_e = (lag_hi[i] + r) * log_m + math.log(acc2)
            v = (log_e - log_tail) / t
            if v < best:
                best = v
        out[i] = best


@njit(cache=True, parallel=True)
def mix_powers(pr, pi, lt, rows, lag_lo, lag_hi, r, out_r, out_i):  # pragma: no cover
    """sum_l P(L_i = l) phi^(l + r) at every frequency of phi = pr + i pi, i = rows[b].

    Per SKU only its own lags ``lag_lo[i] .. lag_hi[i]``: Horner's scheme, one complex
    product per lag and frequency (the frequencies in the inner loop, in real and
    imaginary parts, so that it runs in SIMD lanes), then times phi^(lag_lo + r) by
    binary powering.
    """
    m = pr.shape[1]
    for b in prange(rows.size):
        i = rows[b]
        lo, hi = lag_lo[i], lag_hi[i]
        xr, xi = pr[b], pi[b]
        ar, ai = out_r[b], out_i[b]
        w = lt[i, hi]
        for j in range(m):
            ar[j] = w
            ai[j] = 0.0
        for lag in range(hi - 1, lo - 1, -1):
            w = lt[i, lag]
            for j in range(m):
                u = ar[j] * xr[j] - ai[j] * xi[j] + w
                ai[j] = ar[j] * xi[j] + ai[j] * xr[j]
                ar[j] = u
        e = lo + r
        if e > 0:
            br, bi = xr.copy(), xi.copy()
            while e > 0:
                if e & 1:
                    for j in range(m):
                        u = ar[j] * br[j] - ai[j] * bi[j]
                        ai[j] = ar[j] * bi[j] + ai[j] * br[j]
                        ar[j] = u
                e >>= 1
                if e > 0:
                    for j in range(m):
                        u = br[j] * br[j] - bi[j] * bi[j]
                        bi[j] = 2.0 * br[j] * bi[j]
                        br[j] = u
