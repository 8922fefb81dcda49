"""The inner loops of :mod:`workbench.policy._compiled`, in numpy, for small inputs.

numba costs a process about 105 MB of memory (53 MB to import it, about 50 MB more for
LLVM once the first cached function loads) and about a second of CPU. On a plan of a
few hundred SKUs, such as the dashboard's first page, the compiled loops save far less
than that, and every Voila kernel would pay it (issue 16: 320 MB per kernel instead of
under 200 MB). :func:`loop` hands back the numpy version below ``SMALL_CELLS`` cells
of work and the compiled one above it, so numba is imported only for plans big enough
to gain from it. Each numpy version has the compiled one's signature (it writes into
the ``out`` arrays) and computes the same sums (up to the order of floating-point
additions: within 1e-12; ``loss_tables`` takes the same running sums, bit for bit).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np

from .._numeric import row_dot

#: Cells of work (matrix cells a loop walks, counting every pass: the lags of the
#: Horner sum, the grid of t of the Chernoff bound) up to which the numpy version runs:
#: about 16 million, a few tenths of a second of numpy, less than loading numba costs;
#: a plan of the 250-SKU sample business stays below it. Counting only the matrix's
#: cells sent a plan with year-long lead times through 29 s of numpy Horner sums.
SMALL_CELLS = 1 << 24

_COMPILED = __name__.rsplit(".", 1)[0] + "._compiled"


def loop(name: str, cells: int) -> Callable:
    """The loop ``name`` of :mod:`._compiled`: numpy for up to ``SMALL_CELLS`` cells of
    work, else compiled (numba imported on first use).

    Once :mod:`._compiled` is loaded (a bigger group of the same plan, or the simulator
    of :func:`workbench.plan_check`, paid for numba), every call is compiled: a plan
    of 10,000 SKUs runs some twenty groups each below ``SMALL_CELLS``, and their numpy
    Chernoff sums took 5 s of its 6 s of CPU.
    """
    if cells <= SMALL_CELLS and _COMPILED not in sys.modules:
        return globals()[name]
    from . import _compiled

    return getattr(_compiled, name)


def chernoff_lengths(f, top, lt, lag_lo, lag_hi, r, log_tails, ts, out) -> None:
    """numpy version of :func:`._compiled.chernoff_lengths` (same arguments)."""
    n, k = f.shape
    if n == 0:
        return
    x = np.arange(k, dtype=float)
    m = lt.shape[1]
    lag = np.arange(m)[None, :]
    inside = (lag >= lag_lo[:, None]) & (lag <= lag_hi[:, None])
    below = np.minimum(x[None, :] - top[:, None], 0.0)  # x - top <= 0 where f has mass
    best = np.full((len(log_tails), n), np.inf)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for t in ts:
            # ln M(t) = t top + ln sum_x f(x) e^(t (x - top)): no overflow
            log_m = t * top + np.log((f * np.exp(t * below)).sum(axis=1))
            # ln sum_l P(L = l) M^l = hi ln M + ln sum_l P(L = l) M^(l - hi)
            q = np.exp(log_m[:, None] * (lag - lag_hi[:, None]))
            acc2 = np.where(inside, lt * q, 0.0).sum(axis=1)
            for k, log_tail in enumerate(log_tails):
                v = ((lag_hi + r) * log_m + np.log(acc2) - log_tail) / t
                best[k] = np.where(v < best[k], v, best[k])
    out[:] = best


def mix_powers(pr, pi, lt, rows, lag_lo, lag_hi, r, out_r, out_i) -> None:
    """numpy version of :func:`._compiled.mix_powers` (same arguments)."""
    if rows.size == 0:
        return
    phi = pr + 1j * pi
    lo, hi = lag_lo[rows], lag_hi[rows]
    w = lt[rows]
    acc = w[np.arange(rows.size), hi][:, None] + np.zeros_like(phi)
    # Horner's scheme from each row's last lag down to its first, all rows at once: a
    # row whose own range is done keeps its value
    for lag in range(int(hi.max()) - 1, int(lo.min()) - 1, -1):
        live = ((lag >= lo) & (lag < hi))[:, None]
        acc = np.where(live, acc * phi + w[:, lag : lag + 1], acc)
    # times phi^(lo + r) by binary powering, as the compiled loop does
    e = (lo + r).astype(np.int64)
    base = phi.copy()
    while np.any(e > 0):
        acc = np.where((e & 1)[:, None] == 1, acc * base, acc)
        e >>= 1
        base = base * base
    out_r[:] = acc.real
    out_i[:] = acc.imag


def undershoot_csl(g, cdf, rows, s, out) -> None:
    """numpy version of :func:`._compiled.undershoot_csl` (same arguments)."""
    if rows.size == 0:
        return
    last = cdf.shape[1] - 1
    y = s[:, None] - np.arange(g.shape[1])[None, :]
    f = np.take_along_axis(cdf[rows], np.clip(y, 0, last), axis=1)
    f = np.where(y < 0, 0.0, np.where(y >= last, 1.0, f))
    out[:] = np.sum(g[rows] * f, axis=1)


def tail_columns(full, threshold, need) -> None:
    """numpy version of :func:`._compiled.tail_columns` (same arguments and counts)."""
    cdf = np.cumsum(np.maximum(full, 0.0), axis=1)
    need[:] = (cdf < threshold).sum(axis=1)


def adi_cv2(q, adi, cv2) -> None:
    """numpy version of :func:`._compiled.adi_cv2` (same arguments; the sums pairwise)."""
    from .demand_class import _size_pattern  # demand_class imports the distributions

    adi[:], cv2[:] = _size_pattern(q)[3:5]


def lag_range(lt, fold, lo, hi, below, above) -> None:
    """numpy version of :func:`._compiled.lag_range` (same arguments and sums)."""
    n, m = lt.shape
    if n == 0:
        return
    cum_below = np.cumsum(lt, axis=1)  # P(L <= l)
    cum_above = np.cumsum(lt[:, ::-1], axis=1)[:, ::-1]  # P(L >= l)
    lo[:] = np.minimum((cum_below < fold).sum(axis=1), m - 1)
    hi[:] = np.maximum(m - 1 - (cum_above < fold).sum(axis=1), lo)
    rows = np.arange(n)
    below[:] = np.where(lo > 0, cum_below[rows, np.maximum(lo - 1, 0)], 0.0)
    above[:] = np.where(hi < m - 1, cum_above[rows, np.minimum(hi + 1, m - 1)], 0.0)


def fold_lags(lt, lo, hi, below, above, out) -> None:
    """numpy version of :func:`._compiled.fold_lags` (same arguments)."""
    n, m = lt.shape
    lags = np.arange(out.shape[1])[None, :]
    inside = (lags >= lo[:, None]) & (lags <= hi[:, None])
    out[:] = np.where(inside, lt[:, : out.shape[1]], 0.0)
    rows = np.arange(n)
    out[rows, lo] += np.where(lo > 0, below, 0.0)
    out[rows, hi] += np.where(hi < m - 1, above, 0.0)


def sq_undershoot_cells(p, q, g) -> None:
    """numpy version of :func:`._compiled.sq_undershoot_cells` (same arguments)."""
    k = p.shape[1]
    cdf = np.cumsum(p, axis=1)
    top = np.arange(k)[None, :] + q[:, None]
    f_wq = np.take_along_axis(cdf, np.minimum(top, k - 1).astype(np.intp), axis=1)
    f_wq = np.where(top >= k - 1, 1.0, f_wq)
    g[:] = np.maximum(f_wq - cdf, 0.0)


def loss_tables(f, cdf, loss, loss2) -> None:
    """numpy version of :func:`._compiled.loss_tables` (same arguments and running sums)."""
    np.cumsum(f, axis=1, out=cdf)
    ge = np.cumsum(f[:, ::-1], axis=1)[:, ::-1]  # P(X >= x)
    rc = np.cumsum(ge[:, ::-1], axis=1)[:, ::-1]  # sum_{y >= x} P(X >= y)
    loss[:, :-1] = rc[:, 1:]
    loss[:, -1:] = 0.0
    loss2[:] = np.cumsum(loss[:, ::-1], axis=1)[:, ::-1]


def loss2_of_sum(p, loss2, mean, y, out) -> None:
    """numpy version of :func:`._compiled.loss2_of_sum` (same arguments)."""
    n, k = p.shape
    if n == 0:
        return
    last = loss2.shape[1] - 1
    x = y[:, None] - np.arange(k)[None, :]
    v = np.take_along_axis(loss2, np.clip(x, 0, last).astype(np.intp), axis=1)
    m = -x
    below = loss2[:, :1] + m * mean[:, None] + 0.5 * m * (m + 1.0)
    v = np.where(x < 0, below, np.where(x >= last, 0.0, v))
    out[:] = (np.where(p > 0, p * v, 0.0)).sum(axis=1)


def _empirical_cells(hist, step, use_step):
    valid = ~np.isnan(hist)
    x = np.maximum(np.where(valid, hist, 0.0), 0.0)
    if use_step:
        x = x / step[:, None]
        vals = np.floor(x).astype(np.int64)
        return valid, vals, x - vals
    return valid, np.rint(x).astype(np.int64), None


def empirical_top(hist, step, use_step) -> int:
    """numpy version of :func:`._compiled.empirical_top` (same arguments)."""
    _, vals, _ = _empirical_cells(hist, step, use_step)
    return int(vals.max()) + bool(use_step) if vals.size else 0


def empirical_counts(hist, step, use_step, a, b, n_valid) -> None:
    """numpy version of :func:`._compiled.empirical_counts` (same arguments)."""
    n, k = a.shape
    valid, vals, frac = _empirical_cells(hist, step, use_step)
    rows = np.broadcast_to(np.arange(n)[:, None], hist.shape)
    cell = (rows[valid] * k + vals[valid]).ravel()
    if use_step:
        f = frac[valid].ravel()
        a += np.bincount(cell, weights=1.0 - f, minlength=n * k).reshape(n, k)
        b += np.bincount(cell + 1, weights=f, minlength=n * k).reshape(n, k)
    else:
        a += np.bincount(cell, minlength=n * k).reshape(n, k)
    n_valid[:] = valid.sum(axis=1)


def ss_renewal(p, delta, steps, tol):
    """numpy version of :func:`._compiled.ss_renewal` (same arguments and results).

    One step j at a time for the SKUs still active (vectorised across SKUs); the
    remainders come out ordered by step, then SKU.
    """
    n, k_len = p.shape
    mean = row_dot(p, np.arange(k_len, dtype=float))
    limit = 1.0 / mean
    inv = 1.0 / (1.0 - p[:, 0])
    ring = np.zeros((n, k_len))
    t_idx = np.arange(k_len)[None, :]
    a = np.where((t_idx >= 1) & (t_idx <= delta[:, None]), limit[:, None], 0.0)
    calm = np.zeros(n, dtype=np.int64)
    active = np.arange(n)
    ks = np.arange(1, k_len)
    seg_l, pos_l, rem_l = [], [], []
    total = np.zeros(n)
    for j in range(steps):
        active = active[(delta[active] > j) & (calm[active] < k_len)]
        if active.size == 0:
            break
        m = min(j, k_len - 1)
        uj = np.full(active.size, 1.0 if j == 0 else 0.0)
        if m:
            cols = (j - ks[:m]) % k_len
            uj += np.einsum("ij,ij->i", ring[active][:, cols], p[active, 1 : m + 1])
        uj *= inv[active]
        ring[active, j % k_len] = uj
        r = uj - limit[active]
        keep = np.abs(r) * mean[active] >= 1e-12
        seg_l.append(active[keep])
        pos_l.append(np.full(int(keep.sum()), j, dtype=np.int64))
        rem_l.append(r[keep])
        total[active] += r
        t = delta[active] - j
        inside = (t >= 1) & (t < k_len)
        a[active[inside], t[inside]] = uj[inside]
        calm[active] = np.where(np.abs(r) * mean[active] < tol, calm[active] + 1, 0)

    def cat(parts, kind):
        return np.concatenate(parts) if parts else np.zeros(0, dtype=kind)

    return a, total, cat(seg_l, np.int64), cat(pos_l, np.int64), cat(rem_l, float)


def renewal_undershoot(a, p, delta, g) -> None:
    """numpy version of :func:`._compiled.renewal_undershoot` (same arguments)."""
    k_len = p.shape[1]
    g[:] = 0.0
    for tt in range(1, k_len):
        g[:, : k_len - tt] += a[:, tt : tt + 1] * p[:, tt:]
