"""Compiled forecasting kernels (numba): every SKU of a padded demand matrix at once.

Each kernel takes the demand matrix ``y`` (SKUs x buckets, float64), each SKU's first
bucket ``first`` and one common end column ``end`` (exclusive: the kernels read
``y[i, first[i]:end]``, so a backtest moves ``end`` back without copying), and loops
over SKUs with ``prange``. Parameters given per SKU are used as they are; a NaN
parameter is fitted for that SKU by minimising the in-sample sum of squared one-step
errors (over the last ``FIT_SEASONS`` seasons or ``FIT_BUCKETS`` buckets when the
initial states are fitted too). Compiled code is cached next to this file
(``cache=True``); numba is imported only when a forecast runs, so ``import workbench``
stays light.

Conventions (error-correction form of Hyndman et al. 2008, ch. 2-3; FPP3 ch. 8):
ETS states ``l`` (level), ``b`` (trend), ``s`` (season, a ring of ``m``), one-step
forecast ``yhat = l + phi*b (+ s)``, ``e = y - yhat`` and

- ``l' = l + phi*b + alpha*e`` (``alpha*e/s`` for a multiplicative season)
- ``b' = phi*b + beta*e`` (``beta*e/s``)
- ``s' = s + gamma*e`` (``gamma*e/(l + phi*b)``)
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

PARALLEL = True

# ETS kinds
SES, HOLT, DAMPED, HW_ADD, HW_MUL = 0, 1, 2, 3, 4
# simple kinds
NAIVE, SNAIVE, MA = 0, 1, 2
# intermittent kinds
CROSTON, SBA, TSB = 0, 1, 2

BIG = 1e300
#: With fitted initial states, the ETS models fit their smoothing parameters on at most
#: the last ``FIT_SEASONS`` seasons (seasonal) or ``FIT_BUCKETS`` buckets (non-seasonal),
#: a year of days.
FIT_SEASONS = 52
FIT_BUCKETS = 364


# --------------------------------------------------------------------------- ETS


@njit(cache=True)
def _linear_pass(x, kind, alpha, beta, phi, l0, b0, fit_init):
    """SSE of a non-seasonal ETS on ``x``; the initial states are fitted by least squares.

    The one-step errors are linear in (l0, b0) (additive errors, no season), so three
    passes in one loop (the data with zero states, and unit responses to l0 and b0)
    give the errors as ``e = ea + l0*eu + b0*ev`` and the best (l0, b0) by a 2x2
    solve. Returns (sse, l0, b0, level, trend) at the end of ``x``.
    """
    n = x.shape[0]
    if kind == SES:
        beta = 0.0
        ph = 1.0
    elif kind == HOLT:
        ph = 1.0
    else:
        ph = phi
    la, ba, lu, bu, lv, bv = 0.0, 0.0, 1.0, 0.0, 0.0, 1.0
    saa = sau = sav = suu = suv = svv = 0.0
    if not fit_init:
        la, ba, lu, bu, lv, bv = l0, (0.0 if kind == SES else b0), 0.0, 0.0, 0.0, 0.0
    for t in range(n):
        ea = x[t] - (la + ph * ba)
        eu = -(lu + ph * bu)
        ev = -(lv + ph * bv)
        saa += ea * ea
        sau += ea * eu
        sav += ea * ev
        suu += eu * eu
        suv += eu * ev
        svv += ev * ev
        la, ba = la + ph * ba + alpha * ea, ph * ba + beta * ea
        lu, bu = lu + ph * bu + alpha * eu, ph * bu + beta * eu
        lv, bv = lv + ph * bv + alpha * ev, ph * bv + beta * ev
    if not fit_init:
        return saa, l0, b0, la, ba
    if kind == SES or svv <= 0.0:
        if suu <= 0.0:
            return saa, 0.0, 0.0, la, ba
        th_l = -sau / suu
        sse = saa + th_l * sau
        return max(sse, 0.0), th_l, 0.0, la + th_l * lu, ba + th_l * bu
    det = suu * svv - suv * suv
    if det <= 1e-12 * suu * svv:
        th_l = -sau / suu
        th_b = 0.0
    else:
        th_l = -(svv * sau - suv * sav) / det
        th_b = -(suu * sav - suv * sau) / det
    sse = saa + th_l * sau + th_b * sav
    return (
        max(sse, 0.0),
        th_l,
        th_b,
        la + th_l * lu + th_b * lv,
        ba + th_l * bu + th_b * bv,
    )


@njit(cache=True)
def _seasonal_init(x, m, mult):
    """Heuristic initial states for a seasonal model (Hyndman et al. 2008, sec. 2.6.1,
    simplified): level = mean of the first season, trend = difference of the means of
    the first two seasons / m, season = first season minus (or over) the level."""
    s = np.empty(m)
    a = 0.0
    c = 0.0
    for j in range(m):
        a += x[j]
        c += x[m + j]
    a /= m
    c /= m
    l0 = a
    b0 = (c - a) / m
    for j in range(m):
        if mult:
            s[j] = x[j] / a if a > 0 else 1.0
        else:
            s[j] = x[j] - a
    return l0, b0, s


@njit(cache=True)
def _seasonal_pass(x, m, mult, alpha, beta, gamma, phi, l0, b0, s0, ring, rotate):
    """SSE of Holt-Winters (additive or multiplicative season, additive errors) on
    ``x``; ``ring`` receives the last ``m`` seasonal states, rotated so ``ring[0]`` is
    the season of the next bucket if ``rotate``. Returns (sse, level, trend)."""
    n = x.shape[0]
    for j in range(m):
        ring[j] = s0[j]
    lv, bv = l0, b0
    sse = 0.0
    j = 0
    if mult:
        for t in range(n):
            s = ring[j]
            base = lv + phi * bv
            e = x[t] - base * s
            ss = s if abs(s) > 1e-10 else 1e-10
            bb = base if abs(base) > 1e-10 else 1e-10
            lv = base + alpha * e / ss
            bv = phi * bv + beta * e / ss
            ring[j] = s + gamma * e / bb
            sse += e * e
            j += 1
            if j == m:
                j = 0
    else:
        for t in range(n):
            s = ring[j]
            base = lv + phi * bv
            e = x[t] - (base + s)
            lv = base + alpha * e
            bv = phi * bv + beta * e
            ring[j] = s + gamma * e
            sse += e * e
            j += 1
            if j == m:
                j = 0
    if rotate:
        # rotate so ring[0] is the season of the next bucket
        tmp = ring.copy()
        for j in range(m):
            ring[j] = tmp[(n + j) % m]
    return sse, lv, bv


@njit(cache=True)
def _unpack(x, free, p):
    q = p.copy()
    k = 0
    for j in range(4):
        if free[j]:
            q[j] = x[k]
            k += 1
    return q


@njit(cache=True)
def _objective(x, free, p, xs, kind, m, s0, ring):
    q = _unpack(x, free, p)
    a, b, g, ph = q[0], q[1], q[2], q[3]
    # usual region (Hyndman et al. 2008, sec. 5.2 "usual" constraints)
    if a < 1e-4 or a > 0.9999:
        return BIG
    if kind != SES and (b < 0.0 or b > a):
        return BIG
    if kind == DAMPED and (ph < 0.8 or ph > 0.98):
        return BIG
    if kind >= HW_ADD and (g < 0.0 or g > 1.0 - a):
        return BIG
    if kind <= DAMPED:
        l0, b0 = s0[m], s0[m + 1]
        fit = math.isnan(l0) or (kind != SES and math.isnan(b0))
        return _linear_pass(xs, kind, a, b, ph, l0, b0, fit)[0]
    l0, b0 = s0[m], s0[m + 1]
    return _seasonal_pass(xs, m, kind == HW_MUL, a, b, g, 1.0, l0, b0, s0[:m], ring, False)[0]


# ------------------------------------------------------------ Levenberg-Marquardt fit
#
# The fit minimises the sum of squared one-step errors e_t, so a Gauss-Newton method
# needs only the errors' derivatives, which run forward with the recursion (forward-
# mode differentiation: each state carries its derivative with respect to each free
# parameter). One pass gives the SSE, J'J and J'e; Levenberg-Marquardt (Marquardt
# 1963) damps the Gauss-Newton step until it lowers the SSE. Near the minimum the
# steps converge quadratically, so a fit takes a handful of passes where Nelder-Mead
# took about a hundred evaluations.
#
# Raw parameters (columns of the Jacobian): 0 alpha, 1 beta, 2 gamma, 3 phi, 4 l0, 5 b0.
# The region 0 <= beta <= alpha, 0 <= gamma <= 1 - alpha becomes a box by fitting
# u1 = beta / alpha and u2 = gamma / (1 - alpha) when alpha is free too.

NPAR = 6
LM_MAX_PASS = 30
LM_TOL = 1e-4


@njit(cache=True)
def _jac_linear(x, kind, a, bb, ph, l0, b0, act, jtj, jte):
    """SSE of a non-seasonal ETS on ``x`` from (l0, b0), with J'J and J'e of the
    one-step errors for the raw parameters flagged in ``act`` (the others' rows and
    columns are left 0). Returns the SSE."""
    trend = kind != SES
    lv = l0
    bv = b0 if trend else 0.0
    dl = np.zeros(NPAR)
    db = np.zeros(NPAR)
    de = np.zeros(NPAR)
    dl[4] = 1.0
    if trend:
        db[5] = 1.0
    for i in range(NPAR):
        jte[i] = 0.0
        for j in range(NPAR):
            jtj[i, j] = 0.0
    idx = np.empty(NPAR, np.int64)
    na = 0
    for k in range(NPAR):
        if act[k]:
            idx[na] = k
            na += 1
    sse = 0.0
    for t in range(x.shape[0]):
        e = x[t] - (lv + ph * bv)
        sse += e * e
        for q in range(na):
            k = idx[q]
            d = -(dl[k] + ph * db[k])
            if k == 3:
                d -= bv
            de[k] = d
            jte[k] += d * e
            for r in range(q + 1):
                jtj[k, idx[r]] += d * de[idx[r]]
        for q in range(na):
            k = idx[q]
            dk = de[k]
            nl = dl[k] + ph * db[k] + a * dk
            nb = ph * db[k] + bb * dk
            if k == 0:
                nl += e
            elif k == 1:
                nb += e
            elif k == 3:
                nl += bv
                nb += bv
            dl[k] = nl
            db[k] = nb if trend else 0.0
        lv, bv = lv + ph * bv + a * e, (ph * bv + bb * e) if trend else 0.0
    for q in range(na):
        for r in range(q):
            jtj[idx[r], idx[q]] = jtj[idx[q], idx[r]]
    return sse


@njit(cache=True)
def _jac_seasonal(x, m, mult, a, bb, g, l0, b0, s0, act, jtj, jte, ds):
    """As :func:`_jac_linear` for Holt-Winters (phi 1, initial states given): the
    same recursion as :func:`_seasonal_pass`; ``ds`` (NPAR, m) is work space."""
    ring = s0.copy()
    lv, bv = l0, b0
    dl = np.zeros(NPAR)
    db = np.zeros(NPAR)
    de = np.zeros(NPAR)
    for i in range(NPAR):
        jte[i] = 0.0
        for j in range(NPAR):
            jtj[i, j] = 0.0
        for j in range(m):
            ds[i, j] = 0.0
    idx = np.empty(NPAR, np.int64)
    na = 0
    for k in range(3):
        if act[k]:
            idx[na] = k
            na += 1
    sse = 0.0
    j = 0
    for t in range(x.shape[0]):
        s = ring[j]
        base = lv + bv
        if mult:
            e = x[t] - base * s
            ss = s if abs(s) > 1e-10 else 1e-10
            bs = base if abs(base) > 1e-10 else 1e-10
            for q in range(na):
                k = idx[q]
                dbase = dl[k] + db[k]
                d = -(dbase * s + base * ds[k, j])
                de[k] = d
                jte[k] += d * e
                for r in range(q + 1):
                    jtj[k, idx[r]] += d * de[idx[r]]
                de_s = d / ss - e * ds[k, j] / (ss * ss)
                nl = dbase + a * de_s
                nb = db[k] + bb * de_s
                nsd = ds[k, j] + g * (d / bs - e * dbase / (bs * bs))
                if k == 0:
                    nl += e / ss
                elif k == 1:
                    nb += e / ss
                else:
                    nsd += e / bs
                dl[k] = nl
                db[k] = nb
                ds[k, j] = nsd
            lv = base + a * e / ss
            bv = bv + bb * e / ss
            ring[j] = s + g * e / bs
        else:
            e = x[t] - (base + s)
            for q in range(na):
                k = idx[q]
                d = -(dl[k] + db[k] + ds[k, j])
                de[k] = d
                jte[k] += d * e
                for r in range(q + 1):
                    jtj[k, idx[r]] += d * de[idx[r]]
                nl = dl[k] + db[k] + a * d
                nb = db[k] + bb * d
                nsd = ds[k, j] + g * d
                if k == 0:
                    nl += e
                elif k == 1:
                    nb += e
                else:
                    nsd += e
                dl[k] = nl
                db[k] = nb
                ds[k, j] = nsd
            lv = base + a * e
            bv = bv + bb * e
            ring[j] = s + g * e
        sse += e * e
        j += 1
        if j == m:
            j = 0
    for q in range(na):
        for r in range(q):
            jtj[idx[r], idx[q]] = jtj[idx[q], idx[r]]
    return sse


@njit(cache=True)
def _raw(u, free, p, rel_b, rel_g):
    """Raw parameters (alpha, beta, gamma, phi, l0, b0) from the fitted vector ``u``
    (indexed as the raw ones) and the given ``p``."""
    q = p.copy()
    for k in range(NPAR):
        if free[k]:
            q[k] = u[k]
    if rel_b:
        q[1] = u[1] * q[0]
    if rel_g:
        q[2] = u[2] * (1.0 - q[0])
    return q


@njit(cache=True)
def _lm_pass(u, free, p, rel_b, rel_g, xs, kind, m, s0, jtj, jte, ds):
    q = _raw(u, free, p, rel_b, rel_g)
    if kind >= HW_ADD:
        return _jac_seasonal(
            xs, m, kind == HW_MUL, q[0], q[1], q[2], s0[m], s0[m + 1], s0[:m], free, jtj, jte, ds
        )
    return _jac_linear(xs, kind, q[0], q[1], q[3], q[4], q[5], free, jtj, jte)


@njit(cache=True)
def _solve(h, g, keep, out):
    """Solve h[keep, keep] x = g[keep] (Gaussian elimination with partial pivoting on
    the kept rows; others 0). Returns False if singular."""
    n = h.shape[0]
    idx = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        out[i] = 0.0
        if keep[i]:
            idx[k] = i
            k += 1
    a = np.empty((k, k + 1))
    for r in range(k):
        for c in range(k):
            a[r, c] = h[idx[r], idx[c]]
        a[r, k] = g[idx[r]]
    for c in range(k):
        piv = c
        for r in range(c + 1, k):
            if abs(a[r, c]) > abs(a[piv, c]):
                piv = r
        if not abs(a[piv, c]) > 0.0:
            return False
        if piv != c:
            for cc in range(k + 1):
                tmp = a[c, cc]
                a[c, cc] = a[piv, cc]
                a[piv, cc] = tmp
        for r in range(c + 1, k):
            f = a[r, c] / a[c, c]
            for cc in range(c, k + 1):
                a[r, cc] -= f * a[c, cc]
    for r in range(k - 1, -1, -1):
        s = a[r, k]
        for cc in range(r + 1, k):
            s -= a[r, cc] * out[idx[cc]]
        out[idx[r]] = s / a[r, r]
    return True


@njit(cache=True)
def _lm_sse(u, free, p, rel_b, rel_g, xs, kind, m, s0, ring):
    """The SSE at ``u`` by a plain pass; with the initial level and trend free (non-
    seasonal kinds) they are set in ``u`` to their least-squares values first (the SSE
    is then the one concentrated on the smoothing parameters)."""
    q = _raw(u, free, p, rel_b, rel_g)
    if kind >= HW_ADD:
        return _seasonal_pass(
            xs, m, kind == HW_MUL, q[0], q[1], q[2], 1.0, s0[m], s0[m + 1], s0[:m], ring, False
        )[0]
    if free[4]:
        st = _linear_pass(xs, kind, q[0], q[1], q[3], 0.0, 0.0, True)
        u[4] = st[1]
        u[5] = st[2] if kind != SES else 0.0
        return st[0]
    return _linear_pass(xs, kind, q[0], q[1], q[3], q[4], q[5], False)[0]


@njit(cache=True)
def _lm_fit(u0, lo, hi, free, p, rel_b, rel_g, xs, kind, m, s0, tol, max_pass):
    """Box-constrained Levenberg-Marquardt (Marquardt 1963) on the free smoothing
    parameters of ``u0`` (entries 0-3, bounds ``lo``, ``hi``), Marquardt's scaling by
    diag(J'J). The initial level and trend, when free, are not stepped but set to their
    least-squares values at every trial point (variable projection, Golub and Pereyra
    1973: the errors are linear in them): the Gauss-Newton system over all free
    entries, damped on the smoothing parameters only, gives their step for the
    concentrated SSE (a Schur complement). A bound whose gradient points outwards is
    held (active set); other steps are clipped to the box. A trial point costs one plain
    pass; J'J and J'e (one pass with forward derivatives) are formed only at accepted
    points. Stops when an accepted step lowers the SSE by less than ``LM_TOL`` of it,
    the step is below 1e-7, or after ``LM_MAX_PASS`` passes.
    Returns (u, sse, passes)."""
    jtj = np.zeros((NPAR, NPAR))
    jte = np.zeros(NPAR)
    ds = np.zeros((NPAR, max(m, 1)))
    ring = np.empty(max(m, 1))
    h = np.zeros((NPAR, NPAR))
    cm = np.zeros((NPAR, NPAR))
    hd = np.zeros((NPAR, NPAR))
    gr = np.zeros(NPAR)
    rhs = np.zeros(NPAR)
    step = np.zeros(NPAR)
    keep = np.zeros(NPAR, np.bool_)
    un = np.empty(NPAR)
    u = u0.copy()
    for k in range(4):
        if free[k]:
            u[k] = min(max(u[k], lo[k]), hi[k])
    f = _lm_sse(u, free, p, rel_b, rel_g, xs, kind, m, s0, ring)
    passes = 1
    lam = 1e-3
    while passes < max_pass and f > 0.0:
        _lm_pass(u, free, p, rel_b, rel_g, xs, kind, m, s0, jtj, jte, ds)
        passes += 1
        q = _raw(u, free, p, rel_b, rel_g)
        # chain rule, C = d raw / d u: h = C' (J'J) C, gr = C' J'e
        for k in range(NPAR):
            for j in range(NPAR):
                cm[k, j] = 1.0 if k == j else 0.0
        if rel_b:
            cm[1, 0] = u[1]
            cm[1, 1] = q[0]
        if rel_g:
            cm[2, 0] = -u[2]
            cm[2, 2] = 1.0 - q[0]
        for i in range(NPAR):
            s_g = 0.0
            for k in range(NPAR):
                s_g += cm[k, i] * jte[k]
            gr[i] = s_g
            for j in range(NPAR):
                s_h = 0.0
                for k in range(NPAR):
                    if cm[k, i] != 0.0:
                        for r in range(NPAR):
                            s_h += cm[k, i] * jtj[k, r] * cm[r, j]
                h[i, j] = s_h
        any_keep = False
        dmax = 0.0
        for k in range(NPAR):
            keep[k] = free[k]
            if free[k] and k < 4:
                if u[k] <= lo[k] + 1e-12 and gr[k] > 0.0:
                    keep[k] = False
                if u[k] >= hi[k] - 1e-12 and gr[k] < 0.0:
                    keep[k] = False
                if keep[k]:
                    any_keep = True
                    dmax = max(dmax, h[k, k])
        if not any_keep or not dmax > 0.0:
            break
        for k in range(NPAR):
            rhs[k] = -gr[k]
        moved = False
        gain = 0.0
        big = 0.0
        while passes < max_pass:
            for k in range(NPAR):
                for j in range(NPAR):
                    hd[k, j] = h[k, j]
                if keep[k] and k < 4:
                    hd[k, k] += lam * max(h[k, k], 1e-12 * dmax)
            if not _solve(hd, rhs, keep, step):
                lam *= 10.0
                if lam > 1e10:
                    break
                continue
            big = 0.0
            for k in range(NPAR):
                un[k] = u[k]
                if keep[k] and k < 4:
                    v = min(max(u[k] + step[k], lo[k]), hi[k])
                    big = max(big, abs(v - u[k]))
                    un[k] = v
            if big < 1e-7:
                break
            fn = _lm_sse(un, free, p, rel_b, rel_g, xs, kind, m, s0, ring)
            passes += 1
            if fn < f:
                moved = True
                gain = f - fn
                for k in range(NPAR):
                    u[k] = un[k]
                f = fn
                lam = max(lam * 0.1, 1e-9)
                break
            lam *= 10.0
            if lam > 1e10:
                break
        if not moved or gain <= tol * f:
            break
    return u, f, passes


@njit(cache=True, parallel=PARALLEL)
def ets_fit_forecast(y, first, end, kind, m, params, init, season0, start, horizon):
    """Fit (where ``params`` is NaN) and forecast ETS models for every SKU.

    Parameters
    ----------
    y : float64 (n, T); first : int64 (n,); end : int (exclusive end column)
    kind : int64 (n,) ETS kind per SKU; m : season length [buckets]
    params : float64 (n, 4) alpha, beta, gamma, phi (NaN: fit, see ``FIT_SEASONS``,
        ``FIT_BUCKETS``; by :func:`_lm_fit`, SES's alpha alone by Brent's method)
    init : float64 (n, 2) initial level and trend (NaN: fitted by least squares for
        non-seasonal kinds, heuristic for seasonal ones)
    season0 : float64 (n, m) initial seasonal states, oldest first (``season0[i, 0]``
        is the season of the SKU's first bucket); a row with a NaN: heuristic
    start : float64 (n, 4) where the fit of alpha, beta, gamma, phi starts (a warm
        start, e.g. another model's fit); NaN alpha: the best of a coarse grid
    horizon : int

    Returns
    -------
    mean (n, h), sd (n, h), out_params (n, 4), out_init (n, 2), sigma (n,), n_obs (n,)
    """
    n = y.shape[0]
    mean = np.full((n, horizon), np.nan)
    sd = np.full((n, horizon), np.nan)
    out_p = np.full((n, 4), np.nan)
    out_i = np.full((n, 2), np.nan)
    sigma = np.full(n, np.nan)
    nobs = np.zeros(n, np.int64)
    for i in prange(n):
        t0 = first[i]
        k = kind[i]
        if t0 >= end or k < 0:
            continue
        xs = y[i, t0:end]
        nn = xs.shape[0]
        nobs[i] = nn
        seasonal = k >= HW_ADD
        p = params[i].copy()
        if k == SES:
            p[1] = 0.0
            p[2] = 0.0
            p[3] = 1.0
        elif k == HOLT:
            p[2] = 0.0
            p[3] = 1.0
        elif k == DAMPED:
            p[2] = 0.0
        else:
            p[3] = 1.0
        if not seasonal:
            p[2] = 0.0
        mm = m if seasonal else 1
        given_s = False
        ring = np.empty(mm)
        s0 = np.zeros(mm + 2)
        if not seasonal:
            s0[1] = init[i, 0]
            s0[2] = init[i, 1]
        else:
            if nn >= 2 * m:
                l0h, b0h, sh = _seasonal_init(xs, m, k == HW_MUL)
            else:  # too short: only with all the initial states given (see models.py)
                l0h, b0h, sh = 0.0, 0.0, np.zeros(m)
            given_s = m > 0
            for j in range(m):
                if math.isnan(season0[i, j]):
                    given_s = False
            for j in range(m):
                s0[j] = season0[i, j] if given_s else sh[j]
            s0[m] = l0h if math.isnan(init[i, 0]) else init[i, 0]
            s0[m + 1] = b0h if math.isnan(init[i, 1]) else init[i, 1]
        free = np.zeros(4, np.bool_)
        d = 0
        for j in range(4):
            if math.isnan(p[j]):
                free[j] = True
                d += 1
        xf = xs
        sf = s0
        init_free = math.isnan(init[i, 0]) and (k == SES or math.isnan(init[i, 1]))
        if seasonal and given_s:
            init_free = False
        if d > 0 and init_free and not seasonal and nn > FIT_BUCKETS:
            xf = xs[nn - FIT_BUCKETS :]  # fit the smoothing on the last FIT_BUCKETS
        if d > 0 and init_free and seasonal and nn > FIT_SEASONS * m:
            # fit the smoothing parameters on the last FIT_SEASONS seasons only
            xf = xs[nn - FIT_SEASONS * m :]
            sf = np.zeros(mm + 2)
            l0f, b0f, shf = _seasonal_init(xf, m, k == HW_MUL)
            for j in range(m):
                sf[j] = shf[j]
            sf[m] = l0f
            sf[m + 1] = b0f
        if d == 1 and k == SES and init_free:
            # SES: alpha by Brent's method (initial level by least squares)
            p[0] = _ses_brent(xf, False)[0]
        elif d > 0:
            # start alpha at the best of a coarse grid
            best_a = 0.5
            warm = not math.isnan(start[i, 0])
            if warm:
                best_a = start[i, 0]
            if free[0] and not warm:
                best_f = BIG
                for a_try in (0.05, 0.2, 0.5, 0.8, 0.99):
                    q = p.copy()
                    q[0] = a_try
                    if free[1]:
                        q[1] = 0.1 * a_try
                    if free[2]:
                        q[2] = 0.05 * (1.0 - a_try)
                    if free[3]:
                        q[3] = 0.9
                    xx = np.empty(0)
                    f_try = _objective(xx, np.zeros(4, np.bool_), q, xf, k, mm, sf, ring)
                    if f_try < best_f:
                        best_f = f_try
                        best_a = a_try
            a_ref = best_a if free[0] else p[0]
            fit_i = not seasonal and (
                math.isnan(init[i, 0]) or (k != SES and math.isnan(init[i, 1]))
            )
            free6 = np.zeros(NPAR, np.bool_)
            for j in range(4):
                free6[j] = free[j]
            free6[4] = fit_i
            free6[5] = fit_i and k != SES
            rel_b = free[0] and free[1]
            rel_g = free[0] and free[2]
            p6 = np.zeros(NPAR)
            for j in range(4):
                p6[j] = 0.0 if free[j] else p[j]
            p6[4] = init[i, 0]
            p6[5] = 0.0 if (k == SES or math.isnan(init[i, 1])) else init[i, 1]
            lo = np.full(NPAR, -BIG)
            hi = np.full(NPAR, BIG)
            lo[0] = 1e-4
            hi[0] = 0.9999
            if free[0] and not free[1] and k != SES:
                lo[0] = max(lo[0], p[1])
            if free[0] and not free[2] and seasonal:
                hi[0] = min(hi[0], 1.0 - p[2])
            lo[0] = min(lo[0], hi[0])
            lo[1] = 0.0
            hi[1] = 1.0 if rel_b else p[0]
            lo[2] = 0.0
            hi[2] = 1.0 if rel_g else 1.0 - p[0]
            lo[3] = 0.8
            hi[3] = 0.98
            u = np.zeros(NPAR)
            u[0] = best_a
            u[1] = 0.1 if rel_b else 0.1 * a_ref
            u[2] = 0.05 if rel_g else 0.05 * (1.0 - a_ref)
            u[3] = 0.9
            if warm:
                if not math.isnan(start[i, 1]):
                    u[1] = start[i, 1] / a_ref if rel_b else start[i, 1]
                if not math.isnan(start[i, 2]):
                    u[2] = start[i, 2] / (1.0 - a_ref) if rel_g else start[i, 2]
                if not math.isnan(start[i, 3]):
                    u[3] = start[i, 3]
            if fit_i:
                q = _raw(u, free6, p6, rel_b, rel_g)
                st = _linear_pass(xf, k, q[0], q[1], q[3], 0.0, 0.0, True)
                u[4] = st[1]
                u[5] = st[2]
            u = _lm_fit(u, lo, hi, free6, p6, rel_b, rel_g, xf, k, mm, sf, LM_TOL, LM_MAX_PASS)[0]
            q = _raw(u, free6, p6, rel_b, rel_g)
            for j in range(4):
                p[j] = q[j]
        a, b, g, ph = p[0], p[1], p[2], p[3]
        if not seasonal:
            fit_init = math.isnan(init[i, 0]) or (k != SES and math.isnan(init[i, 1]))
            l0 = 0.0 if math.isnan(init[i, 0]) else init[i, 0]
            b0 = 0.0 if math.isnan(init[i, 1]) else init[i, 1]
            sse, l0, b0, lv, bv = _linear_pass(xs, k, a, b, ph, l0, b0, fit_init)
            n_par = d + (1 if k == SES else 2)
        else:
            l0, b0 = s0[m], s0[m + 1]
            sse, lv, bv = _seasonal_pass(
                xs, m, k == HW_MUL, a, b, g, 1.0, l0, b0, s0[:m], ring, True
            )
            n_par = d + 2 + m
        if k == SES:
            b0 = 0.0
            bv = 0.0
        dof = nn - n_par
        if dof < 1:
            dof = 1
        sig2 = sse / dof
        out_p[i, 0] = a
        out_p[i, 1] = b
        out_p[i, 2] = g
        out_p[i, 3] = ph
        out_i[i, 0] = l0
        out_i[i, 1] = b0
        sigma[i] = math.sqrt(sig2)
        # forecasts and class-1 variances: var_h = sigma^2 (1 + sum_{j<h} c_j^2),
        # c_j = alpha + beta * (phi + ... + phi^j) + gamma * [j mod m == 0]
        # (Hyndman et al. 2008, ch. 6, table 6.1; FPP3 sec. 8.7)
        cum_phi = 0.0
        csum = 0.0
        phj = 1.0
        for h in range(horizon):
            phj *= ph
            cum_phi += phj
            base = lv + cum_phi * bv
            if seasonal:
                sidx = ring[h % m]
                mean[i, h] = base * sidx if k == HW_MUL else base + sidx
            else:
                mean[i, h] = base
            sd[i, h] = math.sqrt(sig2 * (1.0 + csum))
            # c_{h+1} for the next step's variance
            cj = a + b * cum_phi
            if seasonal and (h + 1) % m == 0:
                cj += g
            csum += cj * cj
    return mean, sd, out_p, out_i, sigma, nobs


# --------------------------------------------------------------------------- quantiles


@njit(cache=True)
def _select(a, lo, hi, k):
    """Quickselect (Hoare 1961; Wirth's form, median-of-three pivot): rearrange
    ``a[lo:hi]`` in place so ``a[k]`` holds its order statistic, with no larger value
    before and no smaller value after it."""
    left = lo
    right = hi - 1
    while left < right:
        x1 = a[left]
        x2 = a[k]
        x3 = a[right]
        if x1 < x2:
            piv = x2 if x2 < x3 else (x3 if x1 < x3 else x1)
        else:
            piv = x1 if x1 < x3 else (x3 if x2 < x3 else x2)
        i = left
        j = right
        while i <= j:
            while a[i] < piv:
                i += 1
            while piv < a[j]:
                j -= 1
            if i <= j:
                tmp = a[i]
                a[i] = a[j]
                a[j] = tmp
                i += 1
                j -= 1
        if j < k:
            left = i
        if k < i:
            right = j


@njit(cache=True)
def _quantiles(err, k, probs, out_row):
    """Empirical quantiles (linear interpolation, numpy's default) of err[:k].

    Only the order statistics the probabilities need are found (quickselect on
    disjoint ranges, middle one first), not a full sort; ``err[:k]`` is reordered.
    """
    npr = probs.shape[0]
    if npr == 0:
        return
    if k == 0:
        for j in range(npr):
            out_row[j] = 0.0
        return
    ks = np.empty(2 * npr, np.int64)
    for j in range(npr):
        lo = math.floor(probs[j] * (k - 1))
        ks[2 * j] = lo
        ks[2 * j + 1] = min(lo + 1, k - 1)
    ks = np.unique(ks)
    nk = ks.shape[0]
    # stack of (lo, hi, first index of ks, end index of ks)
    stack = np.empty((nk + 1, 4), np.int64)
    stack[0, 0] = 0
    stack[0, 1] = k
    stack[0, 2] = 0
    stack[0, 3] = nk
    top = 1
    while top > 0:
        top -= 1
        lo, hi, ka, kb = stack[top, 0], stack[top, 1], stack[top, 2], stack[top, 3]
        mid = (ka + kb) // 2
        km = ks[mid]
        _select(err, lo, hi, km)
        if ka < mid:
            stack[top, 0] = lo
            stack[top, 1] = km
            stack[top, 2] = ka
            stack[top, 3] = mid
            top += 1
        if mid + 1 < kb:
            stack[top, 0] = km + 1
            stack[top, 1] = hi
            stack[top, 2] = mid + 1
            stack[top, 3] = kb
            top += 1
    for j in range(npr):
        pos = probs[j] * (k - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, k - 1)
        w = pos - lo
        out_row[j] = err[lo] * (1.0 - w) + err[hi] * w


# --------------------------------------------------------------------------- simple


@njit(cache=True, parallel=PARALLEL)
def simple_forecast(y, first, end, kind, m, window, horizon):
    """Naive, seasonal naive and moving-average forecasts with one-step residual sd.

    Returns mean (n, h), sigma (n,) of the in-sample one-step (NAIVE, MA) or
    one-season (SNAIVE) errors, and the number of residuals (n,).
    """
    n = y.shape[0]
    mean = np.full((n, horizon), np.nan)
    sigma = np.full(n, np.nan)
    nres = np.zeros(n, np.int64)
    for i in prange(n):
        t0 = first[i]
        k = kind[i]
        if t0 >= end or k < 0:
            continue
        xs = y[i, t0:end]
        nn = xs.shape[0]
        lag = 1 if k == NAIVE else m
        if k == MA:
            w = min(window, nn)
            s = 0.0
            for t in range(nn - w, nn):
                s += xs[t]
            f = s / w
            for h in range(horizon):
                mean[i, h] = f
            # residuals of the trailing-mean one-step forecast
            ss = 0.0
            c = 0
            run = 0.0
            for t in range(nn):
                if t >= w:
                    e = xs[t] - run / w
                    ss += e * e
                    c += 1
                    run -= xs[t - w]
                run += xs[t]
            sigma[i] = math.sqrt(ss / c) if c > 0 else 0.0
            nres[i] = c
            continue
        if nn < lag:
            continue
        for h in range(horizon):
            mean[i, h] = xs[nn - lag + (h % lag)]
        ss = 0.0
        c = 0
        for t in range(lag, nn):
            e = xs[t] - xs[t - lag]
            ss += e * e
            c += 1
        sigma[i] = math.sqrt(ss / c) if c > 0 else 0.0
        nres[i] = c
    return mean, sigma, nres


# --------------------------------------------------------------------------- intermittent


@njit(cache=True)
def _croston_pass(x, kind, alpha, beta, z0, s0, err):
    """One pass of Croston / SBA / TSB over ``x``.

    Croston (1972): size z and interval p smoothed when demand occurs, forecast z/p;
    SBA (Syntetos and Boylan 2005) multiplies by 1 - alpha/2; TSB (Teunter, Syntetos
    and Babai 2011): size smoothed with alpha on demand, probability d with beta every
    bucket, forecast d*z. Initial states at ``x[0]``: size ``z0`` (the first demand),
    interval (Croston, SBA; ``x`` then starts with a demand) or probability (TSB)
    ``s0``. ``err`` receives the one-step errors from the second bucket on. Returns
    (sse, forecast, n_err).
    """
    n = x.shape[0]
    z = z0
    p = s0
    d = s0
    q = 1
    sse = 0.0
    c = 0
    for t in range(1, n):
        if kind == TSB:
            f = d * z
        else:
            f = z / p
            if kind == SBA:
                f *= 1.0 - alpha / 2.0
        e = x[t] - f
        err[c] = e
        c += 1
        sse += e * e
        if kind == TSB:
            if x[t] > 0:
                z += alpha * (x[t] - z)
                d += beta * (1.0 - d)
            else:
                d += beta * (0.0 - d)
        else:
            if x[t] > 0:
                z += alpha * (x[t] - z)
                p += alpha * (q - p)
                q = 1
            else:
                q += 1
    if kind == TSB:
        f = d * z
    else:
        f = z / p
        if kind == SBA:
            f *= 1.0 - alpha / 2.0
    return sse, f, c


@njit(cache=True, parallel=PARALLEL)
def intermittent_forecast(y, first, end, kind, params, probs):
    """Croston, SBA or TSB per SKU; NaN alpha (or beta) fitted on a grid.

    ``params`` (n, 3): alpha, beta and the initial state: Croston's and SBA's interval
    at the window's first demand (NaN: 1), or TSB's probability at the window's first
    bucket (NaN: 1 at the first demand, the buckets before it skipped; given: the
    recursion runs from the window's first bucket, the size starting at the first
    demand, as ``tsb`` of the R package tsintermittent).

    Returns forecast (n,), params (n, 2), quantiles (n, len(probs)) of the in-sample
    one-step errors, and their count (n,).
    """
    n = y.shape[0]
    fc = np.full(n, np.nan)
    out_p = np.full((n, 2), np.nan)
    qs = np.zeros((n, probs.shape[0]))
    nres = np.zeros(n, np.int64)
    grid = np.array([0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5])
    for i in prange(n):
        t0 = first[i]
        k = kind[i]
        if t0 >= end or k < 0:
            continue
        xs = y[i, t0:end]
        s0 = 0  # start at the window's first demand (a window may open with zeros)
        while s0 < xs.shape[0] - 1 and not xs[s0] > 0:
            s0 += 1
        z0 = xs[s0]
        st0 = params[i, 2]
        if k == TSB and not math.isnan(st0):
            s0 = 0  # a given probability starts at the window's first bucket
        elif math.isnan(st0):
            st0 = 1.0
        xs = xs[s0:]
        err = np.empty(xs.shape[0])
        a_opts = grid if math.isnan(params[i, 0]) else np.array([params[i, 0]])
        if k == TSB:
            b_opts = grid if math.isnan(params[i, 1]) else np.array([params[i, 1]])
        else:
            b_opts = np.array([0.0])
        best = BIG
        ba = a_opts[0]
        bb = b_opts[0]
        if a_opts.shape[0] * b_opts.shape[0] > 1:
            for a in a_opts:
                for b in b_opts:
                    sse = _croston_pass(xs, k, a, b, z0, st0, err)[0]
                    if sse < best:
                        best = sse
                        ba = a
                        bb = b
        sse, f, c = _croston_pass(xs, k, ba, bb, z0, st0, err)
        fc[i] = f
        out_p[i, 0] = ba
        out_p[i, 1] = bb if k == TSB else np.nan
        nres[i] = c
        _quantiles(err, c, probs, qs[i])
    return fc, out_p, qs, nres


@njit(cache=True)
def _ses_sse(x, alpha, first):
    """SSE of SES on ``x`` with the initial level by least squares (the SES case of
    :func:`_linear_pass` with its two needed chains only), or, if ``first``, the level
    starting at ``x[0]`` (R's ``ses(initial = "simple")``). Returns (sse, l0, level)."""
    if first:
        lv = x[0]
        sq = 0.0
        for t in range(1, x.shape[0]):
            e = x[t] - lv
            sq += e * e
            lv += alpha * e
        return sq, x[0], lv
    la = 0.0
    lu = 1.0
    saa = sau = suu = 0.0
    for t in range(x.shape[0]):
        ea = x[t] - la
        eu = -lu
        saa += ea * ea
        sau += ea * eu
        suu += eu * eu
        la = la + alpha * ea
        lu = lu + alpha * eu
    if suu <= 0.0:
        return saa, 0.0, la
    th = -sau / suu
    return max(saa + th * sau, 0.0), th, la + th * lu


@njit(cache=True)
def _ses_brent(x, first):
    """SES with alpha fitted by Brent's method (golden section with parabolic steps;
    Brent 1973, ch. 5) on [0.0001, 0.9999] to about 1e-5, the initial level by least
    squares. The SSE need not be unimodal in alpha: Brent searches between the
    neighbours of the best point of the grid 0.0001, 0.05, 0.15, 0.3, 0.5, 0.7, 0.9,
    0.9999; a best grid point at the lower bound with the SSE rising from it is taken
    as it is (common: a stationary series). ``first``: the level starts at ``x[0]``
    instead (see :func:`_ses_sse`). Returns (alpha, l0, level at the end, sse)."""
    grid = (1e-4, 0.05, 0.15, 0.3, 0.5, 0.7, 0.9, 0.9999)
    jb = 0
    fb = BIG
    for j in range(8):
        fj = _ses_sse(x, grid[j], first)[0]
        if fj < fb:
            fb = fj
            jb = j
    if jb == 0:
        f_a, l0_a, lv_a = _ses_sse(x, grid[0], first)
        if _ses_sse(x, grid[0] + 2e-5, first)[0] >= f_a:
            return grid[0], l0_a, lv_a, f_a
    cg = 0.3819660112501051
    a = grid[max(jb - 1, 0)]
    b = grid[min(jb + 1, 7)]
    xx = a + cg * (b - a)
    w = xx
    v = xx
    fx, l0x, lvx = _ses_sse(x, xx, first)
    fw = fx
    fv = fx
    d = 0.0
    e = 0.0
    for _ in range(60):
        xm = 0.5 * (a + b)
        tol1 = 1e-5
        tol2 = 2.0 * tol1
        if abs(xx - xm) <= tol2 - 0.5 * (b - a):
            break
        golden = True
        if abs(e) > tol1:
            r = (xx - w) * (fx - fv)
            q = (xx - v) * (fx - fw)
            p = (xx - v) * q - (xx - w) * r
            q = 2.0 * (q - r)
            if q > 0.0:
                p = -p
            q = abs(q)
            etemp = e
            e = d
            if abs(p) < abs(0.5 * q * etemp) and p > q * (a - xx) and p < q * (b - xx):
                d = p / q
                u = xx + d
                if u - a < tol2 or b - u < tol2:
                    d = tol1 if xm >= xx else -tol1
                golden = False
        if golden:
            e = (a - xx) if xx >= xm else (b - xx)
            d = cg * e
        if abs(d) >= tol1:
            u = xx + d
        else:
            u = xx + (tol1 if d > 0 else -tol1)
        fu, l0u, lvu = _ses_sse(x, u, first)
        if fu <= fx:
            if u >= xx:
                a = xx
            else:
                b = xx
            v, fv = w, fw
            w, fw = xx, fx
            xx, fx, l0x, lvx = u, fu, l0u, lvu
        else:
            if u < xx:
                a = u
            else:
                b = u
            if fu <= fw or w == xx:
                v, fv = w, fw
                w, fw = u, fu
            elif fu <= fv or v == xx or v == w:
                v, fv = u, fu
    return xx, l0x, lvx, fx


@njit(cache=True)
def _adida_one(xs, k, err, want_err, alpha, first):
    """ADIDA (Nikolopoulos et al. 2011) at aggregation k: SES on non-overlapping sums of
    k buckets counted back from the end, forecast per bucket = SES level / k; SES's
    ``alpha`` as given, or fitted by Brent's method if NaN (its initial level by least
    squares either way, or the first aggregate bucket if ``first``). If ``want_err``,
    ``err`` receives the aggregate one-step errors / sqrt(k). Returns (forecast, alpha,
    n_err)."""
    nn = xs.shape[0]
    nb = nn // k
    if nb < 1:
        k = nn
        nb = 1
    agg = np.zeros(nb)
    off = nn - nb * k
    for j in range(nb):
        s = 0.0
        for t in range(off + j * k, off + (j + 1) * k):
            s += xs[t]
        agg[j] = s
    if nb == 1:
        return agg[0] / k, 1.0, 0
    if math.isnan(alpha):
        a, lvl, lv, _ = _ses_brent(agg, first)
    else:
        a = alpha
        _, lvl, lv = _ses_sse(agg, a, first)
    if not want_err:
        return lv / k, a, 0
    # one-step errors of the fitted SES (from its initial level lvl)
    sq = math.sqrt(k)
    for j in range(nb):
        err[j] = (agg[j] - lvl) / sq
        lvl += a * (agg[j] - lvl)
    return lv / k, a, nb


@njit(cache=True, parallel=PARALLEL)
def aggregate_forecast(y, first, end, levels, imapa, probs, alpha_in, start_first):
    """ADIDA at ``levels[i]`` or IMAPA (mean of ADIDA at 1..levels[i], Petropoulos and
    Kourentzes 2015) per SKU. ``alpha_in`` (n, W): SES alpha of aggregation level k at
    column k - 1 (NaN, or k > W: fitted); ``start_first``: each SES level starts at the
    first aggregate bucket (else by least squares). Returns forecast (n,), alpha at the
    top level (n,), quantiles (n, len(probs)) of the errors of the top aggregation level,
    count (n,), and the alphas used (n, W), as ``alpha_in``."""
    n = y.shape[0]
    fc = np.full(n, np.nan)
    alpha = np.full(n, np.nan)
    qs = np.zeros((n, probs.shape[0]))
    nres = np.zeros(n, np.int64)
    wa = alpha_in.shape[1]
    alpha_out = np.full((n, wa), np.nan)
    for i in prange(n):
        t0 = first[i]
        if t0 >= end or levels[i] < 1:
            continue
        xs = y[i, t0:end]
        err = np.empty(xs.shape[0])
        top = max(1, min(levels[i], xs.shape[0]))
        if imapa[i]:
            s = 0.0
            c = 0
            for k in range(1, top + 1):
                a_in = alpha_in[i, k - 1] if k <= wa else np.nan
                f, a, c = _adida_one(xs, k, err, k == top, a_in, start_first)
                if k <= wa:
                    alpha_out[i, k - 1] = a
                s += f
            fc[i] = s / top
        else:
            a_in = alpha_in[i, top - 1] if top <= wa else np.nan
            f, a, c = _adida_one(xs, top, err, True, a_in, start_first)
            if top <= wa:
                alpha_out[i, top - 1] = a
            fc[i] = f
        alpha[i] = a
        nres[i] = c
        _quantiles(err, c, probs, qs[i])
    return fc, alpha, qs, nres, alpha_out


# --------------------------------------------------------------------------- checks


@njit(cache=True, parallel=PARALLEL)
def window_scan(y, first, end):
    """One pass over each SKU's window ``y[i, first[i]:end]``: the first column that is
    not finite, the first negative one (-1: none), the number of buckets with demand
    > 0, and whether any bucket is <= 0 (no (n, T) temporaries, unlike numpy masks)."""
    n = y.shape[0]
    bad = np.full(n, -1, np.int64)
    neg = np.full(n, -1, np.int64)
    npos = np.zeros(n, np.int64)
    nonpos = np.zeros(n, np.bool_)
    for i in prange(n):
        c = 0
        z = False
        for t in range(first[i], end):
            v = y[i, t]
            if not math.isfinite(v):
                if bad[i] < 0:
                    bad[i] = t
            elif v < 0.0:
                if neg[i] < 0:
                    neg[i] = t
            if v > 0.0:
                c += 1
            else:
                z = True
        npos[i] = c
        nonpos[i] = z
    return bad, neg, npos, nonpos
