"""Compiled (numba) inner loops of the distribution builders: sequential recursions.

A few steps of :mod:`workbench.policy.distributions` and
:mod:`workbench.policy.undershoot` are recursions or sums along one SKU's row
(Horner's scheme over the units of a pmf and over the lags of a lead time, the cycle
service as a sum over the undershoot): vectorised over SKUs, numpy walks the rows
column by column and pays a pass over memory per column; here each SKU is one loop in
registers. They run on one core: each call is short, and numba's worker threads cost
more than they save on a shared machine. numba is imported only when one of them
runs, so ``import workbench`` stays light; compiled code is cached next to this file
(``cache=True``), so only the first call on a machine pays the compilation.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def chernoff_lengths(f, top, lt, lag_lo, lag_hi, r, log_tails, ts, out):  # pragma: no cover
    """Per SKU i and tail k, min over t in ``ts`` of (ln E[exp(t S_i)] - log_tails[k]) / t,
    in ``out[k, i]``.

    S_i is the sum of L + r i.i.d. buckets with pmf ``f[i]`` (mass up to unit
    ``top[i]``), L with pmf ``lt[i]`` (mass on lags ``lag_lo[i] .. lag_hi[i]``).
    Both sums are polynomials evaluated by Horner's scheme in a variable <= 1, so
    nothing overflows and no exponential is taken per term:
    M(t) e^(-t top) = sum_x f(x) q^(top - x) with q = e^-t, and
    sum_l P(L = l) M^l = M^hi sum_l P(L = l) (1 / M)^(hi - l). The sums do not depend
    on the tail: one pass serves every tail of ``log_tails``.
    """
    n, nt = f.shape[0], ts.size
    q = np.exp(-ts)
    acc = np.empty(nt)
    q2 = np.empty(nt)
    acc2 = np.empty(nt)
    for i in range(n):
        # every t at once in the inner loops: independent lanes, not one long chain
        acc[:] = 0.0
        for x in range(top[i] + 1):
            fx = f[i, x]
            for j in range(nt):
                acc[j] = acc[j] * q[j] + fx
        for j in range(nt):
            q2[j] = math.exp(-(ts[j] * top[i] + math.log(acc[j])))
        acc2[:] = 0.0
        for lag in range(lag_lo[i], lag_hi[i] + 1):
            w = lt[i, lag]
            for j in range(nt):
                acc2[j] = acc2[j] * q2[j] + w
        for k in range(log_tails.size):
            best = np.inf
            for j in range(nt):
                log_m = ts[j] * top[i] + math.log(acc[j])
                v = ((lag_hi[i] + r) * log_m + math.log(acc2[j]) - log_tails[k]) / ts[j]
                if v < best:
                    best = v
            out[k, i] = best


@njit(cache=True, nogil=True)
def mix_powers(pr, pi, lt, rows, lag_lo, lag_hi, r, out_r, out_i):  # pragma: no cover
    """sum_l P(L_i = l) phi^(l + r) at every frequency of phi = pr + i pi, i = rows[b].

    Per SKU only its own lags ``lag_lo[i] .. lag_hi[i]``: Horner's scheme, one complex
    product per lag and frequency (the frequencies in the inner loop, in real and
    imaginary parts, so that it runs in SIMD lanes), then times phi^(lag_lo + r) by
    binary powering.
    """
    m = pr.shape[1]
    for b in range(rows.size):
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


@njit(cache=True, nogil=True)
def undershoot_csl(g, cdf, rows, s, out):  # pragma: no cover
    """out[b] = sum_w g[i, w] F(s[b] - w), i = rows[b]: the cycle service of reorder
    point s[b] (whole units) with undershoot pmf g and lead-time demand cdf F
    (F(y) = 0 below 0 and 1 from the table's last column on)."""
    last = cdf.shape[1] - 1
    for b in range(rows.size):
        i = rows[b]
        acc = 0.0
        for w in range(g.shape[1]):
            y = s[b] - w
            if y < 0:
                break
            acc += g[i, w] * (1.0 if y >= last else cdf[i, y])
        out[b] = acc


@njit(cache=True, nogil=True)
def tail_columns(full, threshold, need):  # pragma: no cover
    """need[i] = the first column at which the running sum of max(full[i], 0) reaches
    ``threshold`` (the row's length if it never does), summed in ``numpy.cumsum``'s
    order: the count of its running sums below ``threshold``, without the matrix of
    them, and the row left at that column."""
    n, m = full.shape
    for i in range(n):
        acc = 0.0
        k = m
        for j in range(m):
            v = full[i, j]
            if v < 0.0:
                v = 0.0
            acc += v
            if not acc < threshold:  # NaN stops here too, as its count would
                k = j
                break
        need[i] = k


@njit(cache=True, nogil=True)
def adi_cv2(q, adi, cv2):  # pragma: no cover
    """Per row of the bucket history ``q`` (NaN outside the SKU's window): the average
    inter-demand interval adi = n / k (n buckets in the window, k of them positive;
    NaN without a positive one) and the squared cv of the positive buckets, sample
    variance (ddof 1) over the squared mean (NaN below two), as
    :func:`workbench.policy.demand_class._size_pattern` computes them, in two passes
    along the row and no (SKUs x buckets) temporaries."""
    rows, m = q.shape
    for i in range(rows):
        n = 0
        k = 0
        total = 0.0
        for j in range(m):
            x = q[i, j]
            if x == x:  # in the window (not NaN)
                n += 1
                if x > 0.0:
                    k += 1
                    total += x
        adi[i] = n / k if k >= 1 else np.nan
        if k < 2:
            cv2[i] = np.nan
            continue
        mean = total / k
        ss = 0.0
        for j in range(m):
            x = q[i, j]
            if x > 0.0:
                d = x - mean
                ss += d * d
        cv2[i] = (ss / (k - 1)) / (mean * mean)


@njit(cache=True, nogil=True)
def lag_range(lt, fold, lo, hi, below, above):  # pragma: no cover
    """Per row of the lead-time pmf ``lt``: ``lo`` the count of running sums
    P(L <= l) below ``fold`` (at most the last lag), ``hi`` the last lag less the count
    of running sums P(L >= l) below it (at least ``lo``), and the mass folded onto
    them, ``below`` = P(L < lo) and ``above`` = P(L > hi), each sum in
    ``numpy.cumsum``'s order (forward, and from the last lag)."""
    n, m = lt.shape
    for i in range(n):
        acc = 0.0
        cnt = 0
        for j in range(m):
            acc += lt[i, j]
            if acc < fold:
                cnt += 1
        a = min(cnt, m - 1)
        acc = 0.0
        cnt = 0
        for j in range(m - 1, -1, -1):
            acc += lt[i, j]
            if acc < fold:
                cnt += 1
        b = max(m - 1 - cnt, a)
        lo[i], hi[i] = a, b
        acc = 0.0
        for j in range(a):
            acc += lt[i, j]
        below[i] = acc
        acc = 0.0
        for j in range(m - 1, b, -1):
            acc += lt[i, j]
        above[i] = acc


@njit(cache=True, nogil=True)
def fold_lags(lt, lo, hi, below, above, out):  # pragma: no cover
    """out[i] = lt[i] on lags lo[i] .. hi[i], 0 elsewhere, with P(L < lo) added at lo
    and P(L > hi) at hi (where there is any); ``out`` may be narrower than ``lt``
    (up to the largest ``hi``)."""
    n, m = lt.shape
    for i in range(n):
        for j in range(out.shape[1]):
            out[i, j] = lt[i, j] if lo[i] <= j <= hi[i] else 0.0
        if lo[i] > 0:
            out[i, lo[i]] += below[i]
        if hi[i] < m - 1:
            out[i, hi[i]] += above[i]


@njit(cache=True, nogil=True)
def sq_undershoot_cells(p, q, g):  # pragma: no cover
    """g[i, w] = max(F(w + q[i]) - F(w), 0), F the running sum of the pmf row ``p[i]``
    (numpy.cumsum's order; F = 1 from the last column on): the unnormalised (s, nQ)
    undershoot pmf, whose row sum is E[min(D, Q)]."""
    n, k = p.shape
    cdf = np.empty(k)
    for i in range(n):
        acc = 0.0
        for x in range(k):
            acc += p[i, x]
            cdf[x] = acc
        for w in range(k):
            top = w + q[i]
            f = 1.0 if top >= k - 1 else cdf[top]
            v = f - cdf[w]
            g[i, w] = 0.0 if v < 0.0 else v


@njit(cache=True, nogil=True)
def loss_tables(f, cdf, loss, loss2):  # pragma: no cover
    """Per row of the pmf matrix f: cdf F(x), first-order loss n(x) = sum_{y > x} P(X >= y)
    and second-order loss sum_{j >= x} n(j), each a running sum in the order numpy's
    ``cumsum`` takes (forward for F, from the last column for the others), in one pass
    back and one forward per row."""
    n, m = f.shape
    for i in range(n):
        acc = 0.0
        for x in range(m):
            acc += f[i, x]
            cdf[i, x] = acc
        ge = 0.0  # P(X >= x)
        rc = 0.0  # sum_{y >= x} P(X >= y)
        l2 = 0.0
        for x in range(m - 1, -1, -1):
            nx = rc  # n(x) = sum_{y >= x + 1} P(X >= y)
            ge += f[i, x]
            rc += ge
            loss[i, x] = nx
            l2 += nx
            loss2[i, x] = l2


@njit(cache=True, nogil=True)
def loss2_of_sum(p, loss2, mean, y, out):  # pragma: no cover
    """out[i] = sum_r p[i, r] L2_i(y[i] - r): the second-order loss at y[i] (whole units,
    finite) of X + D, X with pmf ``p[i]`` and D independent with second-order loss table
    ``loss2[i]`` and mean ``mean[i]`` (below 0: L2(0) + m mean + m (m + 1) / 2 at
    m = -y; from the table's last column on: 0)."""
    n, k = p.shape
    last = loss2.shape[1] - 1
    for i in range(n):
        acc = 0.0
        for r in range(k):
            pr = p[i, r]
            if pr == 0.0:
                continue
            x = y[i] - r
            if x < 0:
                m = -x
                v = loss2[i, 0] + m * mean[i] + 0.5 * m * (m + 1.0)
            elif x >= last:
                v = 0.0
            else:
                v = loss2[i, np.int64(x)]
            acc += pr * v
        out[i] = acc


@njit(cache=True, nogil=True)
def empirical_top(hist, step, use_step):  # pragma: no cover
    """Largest cell an empirical pmf of the rows of ``hist`` needs (NaN skipped):
    rint(max(x, 0)), or floor(max(x, 0) / step[i]) + 1 with ``use_step`` (at least 1
    then, as for a row of zeros)."""
    top = 1 if use_step else 0
    n, t = hist.shape
    for i in range(n):
        for j in range(t):
            h = hist[i, j]
            if h != h:
                continue
            x = h if h > 0.0 else 0.0
            if use_step:
                v = np.int64(math.floor(x / step[i])) + 1
            else:
                v = np.int64(np.rint(x))
            if v > top:
                top = v
    return top


@njit(cache=True, nogil=True)
def empirical_counts(hist, step, use_step, a, b, n_valid):  # pragma: no cover
    """Per row of ``hist`` (NaN skipped, negatives at 0): a[i, v] += 1 at v = rint(x),
    or with ``use_step``, x / step[i] = v + f, a[i, v] += 1 - f and b[i, v + 1] += f
    (the additions in the row's order, as ``numpy.bincount`` takes them); n_valid[i]
    the values counted."""
    n, t = hist.shape
    for i in range(n):
        c = 0
        for j in range(t):
            h = hist[i, j]
            if h != h:
                continue
            c += 1
            x = h if h > 0.0 else 0.0
            if use_step:
                x = x / step[i]
                v = np.int64(math.floor(x))
                f = x - v
                a[i, v] += 1.0 - f
                b[i, v + 1] += f
            else:
                a[i, np.int64(np.rint(x))] += 1.0
        n_valid[i] = c


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def ss_renewal(p, delta, steps, tol):  # pragma: no cover
    """The renewal recursion of :func:`workbench.policy.undershoot._ss_renewal`, one SKU
    at a time: u(j) (1 - p_0) = 1{j = 0} + sum_{k=1}^{min(j, K-1)} p_k u(j - k) for
    j < min(Delta, ``steps``) until |u(j) E[D] - 1| < ``tol`` for K steps running.

    The last K values of u sit in a doubled ring (each stored at j mod K and
    j mod K + K) so the sum over k reads one contiguous run. Returns ``a`` (a[i, t] =
    u_i(Delta_i - t), t = 1..K-1, the limit 1 / E[D] where not reached), ``total``
    (sum_j of u(j) - 1 / E[D]) and the remainders not negligible as (SKU, step, value),
    ordered by SKU, then step.
    """
    n, k_len = p.shape
    a = np.zeros((n, k_len))
    total = np.zeros(n)
    cap = 1024
    seg = np.empty(cap, dtype=np.int64)
    pos = np.empty(cap, dtype=np.int64)
    rem = np.empty(cap)
    count = 0
    ring = np.zeros(2 * k_len)
    for i in range(n):
        mean = 0.0
        for k in range(k_len):
            mean += k * p[i, k]
        limit = 1.0 / mean
        inv = 1.0 / (1.0 - p[i, 0])
        d = delta[i]
        for t in range(1, min(d, k_len - 1) + 1):
            a[i, t] = limit
        ring[:] = 0.0
        calm = 0
        acc_total = 0.0
        for j in range(min(d, steps)):
            if calm >= k_len:
                break
            m = min(j, k_len - 1)
            base = j % k_len + k_len  # u(j - k) sits at base - k
            acc = 1.0 if j == 0 else 0.0
            for k in range(1, m + 1):
                acc += ring[base - k] * p[i, k]
            uj = acc * inv
            ring[base - k_len] = uj
            ring[base] = uj
            r = uj - limit
            dev = abs(r) * mean
            if dev >= 1e-12:
                if count == cap:
                    cap *= 2
                    seg2 = np.empty(cap, dtype=np.int64)
                    pos2 = np.empty(cap, dtype=np.int64)
                    rem2 = np.empty(cap)
                    seg2[:count] = seg[:count]
                    pos2[:count] = pos[:count]
                    rem2[:count] = rem[:count]
                    seg, pos, rem = seg2, pos2, rem2
                seg[count] = i
                pos[count] = j
                rem[count] = r
                count += 1
            acc_total += r
            t = d - j
            if t >= 1 and t < k_len:
                a[i, t] = uj
            calm = calm + 1 if dev < tol else 0
        total[i] = acc_total
    return a, total, seg[:count], pos[:count], rem[:count]


@njit(cache=True, nogil=True)
def renewal_undershoot(a, p, delta, g):  # pragma: no cover
    """g[i, w] = sum_{t=1}^{K-1-w} a[i, t] p[i, t + w], unnormalised: the undershoot
    pmf of an (s, S) policy from u(Delta - t) = a[i, t]. a[i, t] is 0 beyond
    t = Delta_i, so only t <= Delta_i is summed (in increasing t, as numpy does)."""
    n, k_len = p.shape
    for i in range(n):
        g[i, :] = 0.0
        # t outer, w inner: each g[i, w] still adds its terms in increasing t, and the
        # inner loop runs over independent lanes
        for t in range(1, min(delta[i], k_len - 1) + 1):
            at = a[i, t]
            for w in range(k_len - t):
                g[i, w] += at * p[i, t + w]
