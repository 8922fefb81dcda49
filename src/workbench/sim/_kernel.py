"""The simulator's compiled day step (numba): one chunk of days for every SKU.

The numpy engine in :mod:`workbench.sim.engine` makes about a dozen passes over
the SKU arrays each day; this kernel takes one SKU at a time through all the days of
a chunk, keeping its state and its figures in registers and its ring of future
receipts in a few cache lines, the SKUs spread over the machine's cores
(``prange``). Lead times come from counter-based draws per (SKU, order number),
random demand from draws per (SKU, day) (:mod:`workbench.sim._streams`, whose scalar
twins are below), so the visiting order does not matter: both engines give the same
run, which ``tests/test_sim_kernel.py`` checks.

numba is imported only when a simulation runs, so ``import workbench`` stays light;
compiled code is cached next to this file (``cache=True``), so only the first run
on a machine pays the compilation (several seconds).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange, uint64

from ._streams import (
    DEMAND_KINDS,
    GOLDEN,
    M1,
    M2,
    POISSON_INVERSION,
    POISSON_OFFSET,
    STRIDE,
    ZIG_ATTEMPT,
    ZIG_F,
    ZIG_K,
    ZIG_R,
    ZIG_TAIL,
    ZIG_TEST,
    ZIG_W,
)

PARALLEL = True

# lead-time models (``lt_kind``)
FIXED, GAMMA, NORMAL, HISTORY = 0, 1, 2, 3
# demand models (``dem_kind``): 0 reads ``D``, the others draw (``_streams.DEMAND_KINDS``)
REPLAY = 0
D_NORMAL = DEMAND_KINDS["normal"]
D_GAMMA = DEMAND_KINDS["gamma"]
D_POISSON = DEMAND_KINDS["poisson"]
D_NEGBIN = DEMAND_KINDS["negative_binomial"]
D_BOOTSTRAP = DEMAND_KINDS["bootstrap"]
# rows of the accumulator matrix ``acc`` (float64, shape (10, n))
ACC_KEYS = (
    "demand",
    "short",
    "ohe",
    "bo",
    "ordered",
    "orders",
    "cycles",
    "stockout_cycles",
    "stockout_days",
    "stockout_events",
)
(
    _DEMAND,
    _SHORT,
    _OHE,
    _BO,
    _ORDERED,
    _ORDERS,
    _CYCLES,
    _SO_CYCLES,
    _SO_DAYS,
    _SO_EVENTS,
) = range(10)


_G, _M1, _M2 = uint64(GOLDEN), uint64(M1), uint64(M2)


@njit(cache=True, nogil=True, inline="always")
def _uniform(key, ctr):
    """Scalar twin of ``_streams.uniform``."""
    z = key + uint64(ctr) * _G
    z = (z ^ (z >> uint64(30))) * _M1
    z = (z ^ (z >> uint64(27))) * _M2
    z = z ^ (z >> uint64(31))
    # z >> 11 < 2**53 converts exactly through int64 (one instruction, not the unsigned
    # conversion's several): the same value as the vectorized twin's
    return (np.float64(np.int64(z >> uint64(11))) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True, inline="always")
def _normal(key, ctr):
    """Scalar twin of ``_streams.normal`` (Box-Muller)."""
    u1 = _uniform(key, ctr)
    u2 = _uniform(key, ctr + 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


_ZA, _ZT, _ZL = uint64(ZIG_ATTEMPT), uint64(ZIG_TEST), uint64(ZIG_TAIL)
_ZW, _ZK, _ZF = ZIG_W.copy(), ZIG_K.copy(), ZIG_F.copy()


@njit(cache=True, nogil=True)
def _zig_slow(k, ctr, i, x):
    """The ziggurat's layer test (True: accept x) or its tail (returns r + tail)."""
    if i > 0:
        y = _ZF[i] + _uniform(k + _ZT, ctr) * (_ZF[i - 1] - _ZF[i])
        return y < math.exp(-0.5 * x * x), x
    m = 0
    while True:
        u1 = _uniform(k + uint64(2 * m + 1) * _ZL, ctr)
        u2 = _uniform(k + uint64(2 * m + 2) * _ZL, ctr)
        xx = -math.log(u1) / ZIG_R
        yy = -math.log(u2)
        m += 1
        if yy + yy >= xx * xx:
            return True, ZIG_R + xx


@njit(cache=True, nogil=True, inline="always")
def _normal_zig_fast(key, ctr):
    """The ziggurat's first attempt: (True, z) for the ~99 % it settles, else (False, 0).

    Straight-line code for the day loops; the rest goes to ``_normal_zig``, which
    starts again from the same first attempt, so the draw is the same.
    """
    z = key + uint64(ctr) * _G
    z = (z ^ (z >> uint64(30))) * _M1
    z = (z ^ (z >> uint64(27))) * _M2
    z = z ^ (z >> uint64(31))
    i = np.int64(z & uint64(127))
    u = (np.float64(np.int64(z >> uint64(11))) + 0.5) * (1.0 / 9007199254740992.0)
    x = u * _ZW[i]
    if (z >> uint64(7)) & uint64(1):
        x = -x
    return u < _ZK[i], x


@njit(cache=True, nogil=True)
def _normal_zig(key, ctr):
    """Scalar twin of ``_streams.normal_zig``."""
    attempt = 0
    c = uint64(ctr)
    while True:
        k = key + uint64(attempt) * _ZA
        z = k + c * _G
        z = (z ^ (z >> uint64(30))) * _M1
        z = (z ^ (z >> uint64(27))) * _M2
        z = z ^ (z >> uint64(31))
        i = np.int64(z & uint64(127))
        neg = (z >> uint64(7)) & uint64(1)
        u = (np.float64(np.int64(z >> uint64(11))) + 0.5) * (1.0 / 9007199254740992.0)
        x = u * _ZW[i]
        if u < _ZK[i]:
            return -x if neg else x
        ok, x = _zig_slow(k, ctr, i, x)
        if ok:
            return -x if neg else x
        attempt += 1


@njit(cache=True, nogil=True)
def _gamma_inv(key, base, shape):
    """Scalar twin of ``_streams.gamma(..., ziggurat=True)`` (the demand's gamma)."""
    a = shape + 1.0 if shape < 1.0 else shape
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    x = _gamma_dc(key, base, d, c)
    if shape < 1.0:
        x *= _uniform(key, base + (STRIDE - 1)) ** (1.0 / shape)
    return x


@njit(cache=True, nogil=True)
def _gamma_dc_call(key, base, d, c):
    """``_gamma_dc`` as a call (the day loop's cold path)."""
    return _gamma_dc(key, base, d, c)


@njit(cache=True, nogil=True, inline="always")
def _gamma_dc(key, base, d, c):
    """Marsaglia-Tsang's draw of shape d + 1/3 >= 1, c = 1 / sqrt(9 d) (ziggurat normals)."""
    attempt = 0
    while True:
        ctr = base + 3 * attempt
        z = _normal_zig(key, ctr)
        v = 1.0 + c * z
        v = v * v * v
        u = _uniform(key, ctr + 2)
        attempt += 1
        if v > 0 and (
            u < 1.0 - 0.0331 * (z * z) * (z * z)
            or math.log(u) < 0.5 * z * z + d - d * v + d * math.log(v)
        ):
            return d * v


@njit(cache=True, nogil=True, inline="always")
def _gamma_squeeze(z, u, c, k4):
    """True: Marsaglia-Tsang's attempt (normal z, uniform u; v = (1 + c z)^3 > 0) is
    accepted, without a log. ``k4 = 1 / (108 d)``.

    Two squeezes inside the exact region ``log u < 0.5 z^2 + d - d v + d log v``, so
    they change no draw, only the work: Marsaglia and Tsang's 1 - u > 0.0331 z^4
    (``_streams``, [3]; it leaves about 8 % of the attempts to the exact test at any
    shape), or
    (1 - u)(1 + min(w, 0)) > z^4 / (108 d), w = c z (about 0.028 / d: d = 2/3 6 %,
    d = 9 0.4 %). The latter: with c = 1 / sqrt(9 d) the exact bound is d g(w),
    g(w) = 3 (log(1 + w) - w + w^2 / 2 - w^3 / 3) >= -0.75 w^4 / (1 + min(w, 0)) by
    Taylor's remainder (Lagrange's for w >= 0, the geometric tail for -1 < w < 0),
    d w^4 = z^4 / (81 d), and log u <= u - 1.
    """
    z4 = (z * z) * (z * z)
    t = 1.0 - u
    w = c * z
    wneg = w if w < 0.0 else 0.0
    return (t > 0.0331 * z4) | (t * (1.0 + wneg) > k4 * z4)


@njit(cache=True, nogil=True, inline="always")
def _table(u, off, cnt, prob, alias):
    """Scalar twin of ``_streams.table_draw``: an alias-table draw from one uniform."""
    v = u * cnt
    j = np.int64(v)
    if j > cnt - 1:
        j = cnt - 1
    a = alias[off + j]  # loaded either way: a select, not a mispredicted branch
    return j if v - j < prob[off + j] else a


@njit(cache=True, nogil=True)
def _gamma(key, base, shape):
    """Scalar twin of ``_streams.gamma`` (Marsaglia-Tsang)."""
    a = shape + 1.0 if shape < 1.0 else shape
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    attempt = 0
    while True:
        ctr = base + 3 * attempt
        z = _normal(key, ctr)
        v = 1.0 + c * z
        v = v * v * v
        u = _uniform(key, ctr + 2)
        attempt += 1
        # the squeeze (no log) lies inside the exact region: it changes no draw
        if v > 0 and (
            u < 1.0 - 0.0331 * (z * z) * (z * z)
            or math.log(u) < 0.5 * z * z + d - d * v + d * math.log(v)
        ):
            x = d * v
            break
    if shape < 1.0:
        x *= _uniform(key, base + (STRIDE - 1)) ** (1.0 / shape)
    return x


@njit(cache=True, nogil=True)
def _poisson(key, base, lam):
    """Scalar twin of ``_streams.poisson`` (inversion below 10, PTRS above)."""
    base = base + POISSON_OFFSET
    if lam <= 0.0:
        return 0.0
    if lam < POISSON_INVERSION:
        u = _uniform(key, base)
        p = math.exp(-lam)
        c = p
        k = 0.0
        while u > c and p > 0.0:
            k += 1.0
            p *= lam / k
            c += p
        return k
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    attempt = 0
    while True:
        ctr = base + 2 * attempt
        attempt += 1
        uu = _uniform(key, ctr) - 0.5
        v = _uniform(key, ctr + 1)
        us = 0.5 - abs(uu)
        k = np.floor((2.0 * a / us + b) * uu + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        lhs = math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
        if lhs <= -lam + k * loglam - math.lgamma(k + 1.0):
            return k


@njit(cache=True, nogil=True)
def _draw_days(kind, key, t0, cd, p1, p2, p3, off, cnt, lo, d_val, guide, step, out):
    """Days ``t0 .. t0 + cd - 1`` of one SKU's drawn demand into ``out`` [units].

    The scalar twin of ``_streams.DemandDraws.draw``, one tight loop per model, run
    before the SKU's day loop: that loop keeps a dozen figures in registers, which a
    call (``log``, the gamma's rejection) in its body would spill every day.
    """
    if kind == D_NORMAL:
        for j in range(cd):
            ok, z = _normal_zig_fast(key, (t0 + j) * STRIDE)
            if not ok:
                z = _normal_zig(key, (t0 + j) * STRIDE)
            x = p1 + p2 * z
            out[j] = x if x > 0.0 else 0.0
    elif kind == D_GAMMA:
        if p1 >= 1.0:  # _gamma_inv with its set-up once a SKU
            d = p1 - 1.0 / 3.0
            c = 1.0 / math.sqrt(9.0 * d)
            # two passes. The first, without a branch: each day's first attempt (its
            # normal's first try, a squeeze), or -1 (a gamma draw is > 0) for the days
            # it does not settle. A branch there, mispredicted on those days, cost as
            # much as the draws themselves. The second redoes the whole draw for the
            # days marked, starting with the same first attempt: the same numbers as a
            # draw at once (``_gamma_squeeze``: about 0.028 / d of the days left)
            k4 = 1.0 / (108.0 * d)
            for j in range(cd):
                base = (t0 + j) * STRIDE
                ok, z = _normal_zig_fast(key, base)
                v = 1.0 + c * z
                v = v * v * v
                u = _uniform(key, base + 2)
                settled = ok & (v > 0.0) & _gamma_squeeze(z, u, c, k4)
                out[j] = d * v * p2 if settled else -1.0
            for j in range(cd):
                if out[j] < 0.0:
                    out[j] = _gamma_dc_call(key, (t0 + j) * STRIDE, d, c) * p2
        elif p1 > 0.0:
            for j in range(cd):
                out[j] = _gamma_inv(key, (t0 + j) * STRIDE, p1) * p2
        else:
            for j in range(cd):
                out[j] = p3
    elif kind == D_BOOTSTRAP:
        if cnt <= 0:
            for j in range(cd):
                out[j] = 0.0
        else:
            # the SKU's history, value k at d_val[off + k * step], read once in order
            # (the reads of a matrix column share cache lines with the next SKUs')
            hist = np.empty(cnt)
            for k in range(cnt):
                hist[k] = d_val[off + k * step]
            for j in range(cd):
                pick = np.int64(_uniform(key, (t0 + j) * STRIDE) * cnt)
                if pick > cnt - 1:
                    pick = cnt - 1
                out[j] = hist[pick]
    elif cnt > 0:  # Poisson, negative binomial: inversion of the SKU's CDF table
        for j in range(cd):
            out[j] = lo + _table(_uniform(key, (t0 + j) * STRIDE), off, cnt, d_val, guide)
    else:  # a table too long: the Poisson-gamma mixture itself
        for j in range(cd):
            base = (t0 + j) * STRIDE
            x = p3
            if p1 > 0.0:
                x = _gamma_inv(key, base, p1) * p2
            out[j] = _poisson(key, base, x)


@njit(cache=True, nogil=True)
def _order_qty(ip, s, Q, S, up_to, moq, use_moq, pack, use_pack):
    """The quantity a triggered review orders at position ip (0: nothing).

    (s, Q): ``(floor((s - IP) / Q) + 1) * Q``; order-up-to: ``S - IP``; then the
    MOQ and whole packs. Scalars only: a call from the day loop that passes an
    array pays an atomic reference count for it, each way.
    """
    if up_to:
        q = S - ip
        if q < 0:
            q = 0.0
    else:
        q = (np.floor((s - ip) / Q) + 1) * Q
    if use_moq and q > 0 and q < moq:
        q = moq
    if use_pack:
        q = np.ceil(q / pack) * pack
    return q if q > 0 else 0.0


@njit(cache=True, nogil=True)
def _lead_draw(lt_kind, key, ctr, wh, wh_a, wh_b, g_shape, g_scale, n_mean, n_sd):
    """A random lead time [days, unrounded] of the gamma or normal model, counter ctr."""
    if lt_kind == GAMMA:
        if wh:
            u = _normal(key, ctr) * wh_b + wh_a
            if u < 0.0:
                u = 0.0
            return u * u * u
        return _gamma(key, ctr, g_shape) * g_scale
    return n_mean + n_sd * _normal(key, ctr)


@njit(cache=True, nogil=True, inline="always")
def _sku_loop(
    i, dem, col, t0, cd, backorder, count, warmup, il, ip, pipe, row, H, trig, periodic, R,
    offset, policy, lead, k, order_crossing, la, acc, ps, cs, trace, ILtr, rec_tr, ord_tr,
    fil_tr,
):  # fmt: skip
    """SKU i's days ``t0 .. t0 + cd - 1`` (demand ``dem[j, col]``); see :func:`run_chunk`.

    The day loop has no call in it, so that the SKU's state and figures stay in
    registers: a day whose review triggers an order leaves it, the order is placed
    (calls: ``_order_qty``, a random lead time's ``log`` and ``cos``, whose
    registers would otherwise spill the loop's every day), and the loop resumes
    with that day. The figures have no branch on a stockout (rare and irregular, so
    a branch on it is mispredicted). Inlined where it is called (``_sku_days``), so
    that flags passed as constants leave their branches out of the day loop. Adds
    the figures to ``acc[:, i]``; returns the SKU's state (il, ip, ps, cs, k, la,
    capped).
    """
    s, Q, S, up_to, moq, use_moq, pack, use_pack = policy
    (lt_kind, lt_fixed, lt_random, wh, wh_a, wh_b, g_shape, g_scale, n_mean, n_sd,
     h_off, h_cnt, h_val, max_lead, keys) = lead  # fmt: skip
    # the SKU's parameters, read once
    s_i, Q_i, S_i, up_to_i, moq_i, pack_i = s[i], Q[i], S[i], up_to[i], moq[i], pack[i]
    lt_fixed_i, random_i, key_i = lt_fixed[i], lt_random[i], keys[i]
    wh_i, wh_a_i, wh_b_i, g_shape_i, g_scale_i = wh[i], wh_a[i], wh_b[i], g_shape[i], g_scale[i]
    n_mean_i, n_sd_i, h_off_i, h_cnt_i = n_mean[i], n_sd[i], h_off[i], h_cnt[i]
    a_dem = 0.0
    a_short = 0.0
    a_ohe = 0.0
    a_bo = 0.0
    a_orders = 0.0
    a_ordered = 0.0
    n_cyc = 0
    n_socyc = 0
    n_sodays = 0
    n_soev = 0
    ncap = 0
    tslot = t0 % H
    ucol = np.uint64(col)
    j = 0
    placed = -1  # the day whose order is placed (its review done)
    q_placed = 0.0
    while True:
        while j < cd:
            t = t0 + j
            # ---- review and order, on the position (before the day's demand). The
            # position does not change with receipts, so reviewing before taking the
            # day's receipts out of the ring is the same as after, and lets an order
            # of lead time 0 land in today's slot, read just below (docs/timing.md)
            q = 0.0
            if j == placed:
                q = q_placed
            elif ip <= trig and (not periodic or (t >= offset[i] and (t - offset[i]) % R[i] == 0)):
                break  # place the order out of the loop
            # ---- receive (at the start of the day, before its demand)
            # (unsigned indices: numba then adds no test for negative ones)
            at = np.uint64(row + tslot)
            r = pipe[at]
            pipe[at] = 0.0
            il_prev = il
            il = il + r
            received = r > 0
            # ---- demand
            d = dem[np.uint64(j), ucol]
            if backorder:
                il -= d
                ip -= d
                served = d  # shipped or backordered; the statistics below split it
                bo = -il if il < 0 else 0.0
                short = d if d < bo else bo
                closed_short = received & (il_prev < 0)
            else:
                served = d if d < il else il
                il -= served
                ip -= served
                short = d - served
                bo = 0.0
                closed_short = received & cs
                cs = (cs > received) | (short > 0)
            is_short = short > 0
            if count:
                a_dem += d
                a_short += short
                a_ohe += il if il > 0 else 0.0
                a_bo += bo
                n_sodays += is_short
                n_soev += is_short > ps
                n_cyc += received
                n_socyc += closed_short
            ps = is_short
            if trace:
                ILtr[j + 1, i] = il
                rec_tr[j, i] = r
                ord_tr[j, i] = q
                fil_tr[j, i] = served
            tslot += 1
            if tslot == H:
                tslot = 0
            j += 1
        if j >= cd:
            break
        # ---- day j's review orders (calls with scalars only: see ``_order_qty``)
        t = t0 + j
        q_placed = _order_qty(ip, s_i, Q_i, S_i, up_to_i, moq_i, use_moq, pack_i, use_pack)
        placed = j
        if q_placed > 0:
            if lt_kind == FIXED or not random_i:
                lt = lt_fixed_i
            else:
                ctr = k * STRIDE
                if lt_kind == HISTORY:
                    x = h_val[h_off_i + np.int64(_uniform(key_i, ctr) * h_cnt_i)]
                else:
                    x = _lead_draw(lt_kind, key_i, ctr, wh_i, wh_a_i, wh_b_i, g_shape_i,
                                   g_scale_i, n_mean_i, n_sd_i)  # fmt: skip
                lt = np.int64(np.rint(x))
                if lt < 0:
                    lt = 0
                if lt > max_lead:
                    ncap += 1
                    lt = max_lead
            k += 1
            arrive = t + lt
            if not order_crossing:
                if arrive < la:
                    arrive = la
                la = arrive
            slot = tslot + (arrive - t)  # arrive - t <= max_lead < H
            if slot >= H:
                slot -= H
            pipe[row + slot] += q_placed
            ip += q_placed
            if t >= warmup:
                a_orders += 1.0
                a_ordered += q_placed
    acc[_DEMAND, i] += a_dem
    acc[_SHORT, i] += a_short
    acc[_OHE, i] += a_ohe
    acc[_BO, i] += a_bo
    acc[_ORDERS, i] += a_orders
    acc[_ORDERED, i] += a_ordered
    acc[_CYCLES, i] += n_cyc
    acc[_SO_CYCLES, i] += n_socyc
    acc[_SO_DAYS, i] += n_sodays
    acc[_SO_EVENTS, i] += n_soev
    return il, ip, ps, cs, k, la, ncap


@njit(cache=True, nogil=True)
def _sku_days(
    i, dem, col, t0, cd, backorder, count, warmup, il, ip, pipe, row, H, trig, periodic, R,
    offset, policy, lead, k, order_crossing, la, acc, ps, cs, trace, ILtr, rec_tr, ord_tr,
    fil_tr,
):  # fmt: skip
    """``_sku_loop`` compiled twice: the common run (backorders, counted, no trace,
    daily review) with those flags as constants, and any other."""
    if backorder and count and not trace and not periodic:
        return _sku_loop(
            i, dem, col, t0, cd, True, True, warmup, il, ip, pipe, row, H, trig, False, R,
            offset, policy, lead, k, order_crossing, la, acc, ps, cs, False, ILtr, rec_tr,
            ord_tr, fil_tr,
        )  # fmt: skip
    return _sku_loop(
        i, dem, col, t0, cd, backorder, count, warmup, il, ip, pipe, row, H, trig, periodic, R,
        offset, policy, lead, k, order_crossing, la, acc, ps, cs, trace, ILtr, rec_tr, ord_tr,
        fil_tr,
    )  # fmt: skip


@njit(cache=True, nogil=True, parallel=PARALLEL)
def run_chunk(
    D, Dout, dem_kind, dkeys, dp1, dp2, dp3, d_off, d_cnt, d_lo, d_val, d_guide, d_step,
    write_d,
    t0, cd, backorder, count, warmup,
    IL, IP, pipe, H, trigger, s, Q, S, up_to,
    moq, use_moq, pack, use_pack, R, offset, periodic,
    lt_kind, lt_fixed, lt_random, wh, wh_a, wh_b, g_shape, g_scale, n_mean, n_sd,
    h_off, h_cnt, h_val, max_lead, keys, nord, capped,
    order_crossing, last_arrival,
    acc, prev_short, cycle_short,
    trace, ILtr, rec_tr, ord_tr, fil_tr,
):  # fmt: skip
    """Simulate days ``t0 .. t0 + cd - 1`` for every SKU, in place.

    For each SKU (in parallel): the SKU's demand of the chunk's days is put in a
    buffer first: drawn with a random demand model (``dem_kind`` > 0,
    ``_draw_days``, from ``dkeys[i]`` and its parameters; written to ``Dout[j, i]``
    when ``write_d``, for a trace), or read from the column ``D[:, i]`` with
    ``dem_kind == REPLAY`` (one strided pass, whose loads do not wait on the day
    loop). Then for each day, the day of ``docs/timing.md``: a review day with
    IP <= trigger places an order (``(floor((s - IP) / Q) + 1) * Q`` or up to S,
    then MOQ and pack) whose arrival day gets a lead time of ``L >= 0`` days (order
    ``nord[i]`` of SKU i, from ``keys[i]``); the day's receipts, an order of L = 0
    placed just now included, leave the SKU's ring of future receipts
    ``pipe[i * H:(i + 1) * H]`` (slot ``day % H``, ``H > max_lead``; a slot is
    emptied as it is read, so ``H = max_lead + 1`` is enough) for the level IL; the
    demand is then served (all of it, backordering the rest, or what is on hand,
    losing the rest). The review reads only the position IP, which receipts do not
    change, so reviewing before the receipts is the convention's
    receive-then-review. A SKU's state and its day's figures stay in registers over
    the chunk. With ``count`` the figures are added to ``acc`` (rows
    ``ACC_KEYS``). With ``trace`` the day's level, receipts, orders and units served
    are written to ``ILtr[j + 1]``, ``rec_tr[j]``, ``ord_tr[j]`` and ``fil_tr[j]``.
    Lead times capped at ``max_lead`` are counted in ``capped[i]``.
    """
    n = IL.shape[0]
    policy = (s, Q, S, up_to, moq, use_moq, pack, use_pack)
    lead = (lt_kind, lt_fixed, lt_random, wh, wh_a, wh_b, g_shape, g_scale, n_mean, n_sd,
            h_off, h_cnt, h_val, max_lead, keys)  # fmt: skip
    for i in prange(n):
        # the SKU's demand: column i of D (replay), or its drawn days in a (cd, 1) buffer
        if dem_kind == REPLAY:
            dem = D
            col = np.int64(i)
        else:
            buf = np.empty(cd, dtype=D.dtype)
            _draw_days(dem_kind, dkeys[i], t0, cd, dp1[i], dp2[i], dp3[i], d_off[i], d_cnt[i],
                       d_lo[i], d_val, d_guide, d_step, buf)  # fmt: skip
            if write_d:
                for j in range(cd):
                    Dout[j, i] = buf[j]
            dem = buf.reshape((cd, 1))
            col = np.int64(0)
        st = _sku_days(
            i, dem, col, t0, cd, backorder, count, warmup, IL[i], IP[i], pipe, i * H, H,
            trigger[i], periodic, R, offset, policy, lead, nord[i], order_crossing,
            last_arrival[i], acc, prev_short[i], cycle_short[i], trace, ILtr, rec_tr, ord_tr,
            fil_tr,
        )  # fmt: skip
        IL[i], IP[i], prev_short[i], cycle_short[i], nord[i], last_arrival[i], c = st
        capped[i] += c


@njit(cache=True, nogil=True)
def _ratio_up(k, mu, r, p, nb):
    """pmf(k + 1) / pmf(k) of the Poisson (mean mu) or negative binomial (r, p)."""
    if nb:
        return (k + r) / (k + 1.0) * (1.0 - p)
    return mu / (k + 1.0)


@njit(cache=True, nogil=True)
def _mode_pmf(mu, r, p, nb):
    """The mode and its probability."""
    if nb:
        mode = np.floor((r - 1.0) * (1.0 - p) / p) if r > 1.0 else 0.0
        lp = math.lgamma(mode + r) - math.lgamma(r) - math.lgamma(mode + 1.0)
        lp += r * math.log(p) + mode * math.log1p(-p)
    else:
        mode = np.floor(mu)
        lp = mode * math.log(mu) - mu - math.lgamma(mode + 1.0)
    return mode, math.exp(lp)


@njit(cache=True, nogil=True)
def _support(mu, r, p, nb, eps, max_len):
    """First and last value of a SKU's table: each tail left out holds < eps.

    Past the mode the ratio pmf(k + 1) / pmf(k) only falls (for the negative
    binomial with r < 1, whose mode is 0, it rises towards 1 - p, a bound), so the
    mass beyond k is below pmf(k) q / (1 - q), q the ratio bound; below the mode the
    same holds downwards. Returns (0, -1) for a table longer than ``max_len``.
    """
    if mu <= 0.0:
        return 0.0, 0.0
    mode, f = _mode_pmf(mu, r, p, nb)
    hi, pk = mode, f
    while True:
        q = _ratio_up(hi, mu, r, p, nb)
        if nb and r < 1.0:
            q = 1.0 - p
        if q < 1.0 and pk * q < eps * (1.0 - q):
            break
        pk *= _ratio_up(hi, mu, r, p, nb)
        hi += 1.0
        if hi - mode >= max_len:
            return 0.0, -1.0
    lo, pk = mode, f
    while lo > 0.0:
        q = 1.0 / _ratio_up(lo - 1.0, mu, r, p, nb)  # pmf(lo - 1) / pmf(lo)
        if q < 1.0 and pk * q < eps * (1.0 - q):
            break
        pk *= q
        lo -= 1.0
    if hi - lo + 1.0 > max_len:
        return 0.0, -1.0
    return lo, hi


@njit(cache=True, parallel=PARALLEL)
def build_tables(mu, r, p, nb, eps, max_len):
    """CDF and guide tables of Poisson / negative binomial SKUs (``_streams.discrete_tables``)."""
    n = mu.shape[0]
    lows = np.zeros(n)
    counts = np.zeros(n, dtype=np.int64)
    for i in prange(n):
        lo, hi = _support(mu[i], r[i], p[i], nb[i], eps, max_len)
        lows[i] = lo
        counts[i] = np.int64(hi - lo + 1.0)
    offsets = np.zeros(n, dtype=np.int64)
    for i in range(1, n):
        offsets[i] = offsets[i - 1] + counts[i - 1]
    total = offsets[n - 1] + counts[n - 1] if n else 0
    cdf = np.zeros(total)
    guide = np.zeros(total, dtype=np.int64)
    for i in prange(n):  # each SKU writes its own part of the arrays
        m, off, lo = counts[i], offsets[i], lows[i]
        if m <= 0:
            continue
        if mu[i] <= 0.0:
            cdf[off] = 1.0
            continue
        mode, f = _mode_pmf(mu[i], r[i], p[i], nb[i])
        at = off + np.int64(mode - lo)
        cdf[at] = f
        pk = f
        for k in range(np.int64(mode - lo) + 1, m):  # upwards
            pk *= _ratio_up(lo + k - 1.0, mu[i], r[i], p[i], nb[i])
            cdf[off + k] = pk
        pk = f
        for k in range(np.int64(mode - lo) - 1, -1, -1):  # downwards
            pk /= _ratio_up(lo + k, mu[i], r[i], p[i], nb[i])
            cdf[off + k] = pk
        acc = 0.0
        for k in range(m):
            acc += cdf[off + k]
        # Vose's alias method: column j keeps its own value with probability prob[j],
        # else gives alias[j]; every column holds 1 / m of the mass
        small = np.empty(m, dtype=np.int64)
        large = np.empty(m, dtype=np.int64)
        ns = nl = 0
        scale = m / acc
        for k in range(m):
            cdf[off + k] = cdf[off + k] * scale  # probabilities times m
            guide[off + k] = k
            if cdf[off + k] < 1.0:
                small[ns] = k
                ns += 1
            else:
                large[nl] = k
                nl += 1
        while ns > 0 and nl > 0:
            ns -= 1
            lo_k = small[ns]
            hi_k = large[nl - 1]
            guide[off + lo_k] = hi_k  # cdf[off + lo_k] stays its probability
            cdf[off + hi_k] = (cdf[off + hi_k] + cdf[off + lo_k]) - 1.0
            if cdf[off + hi_k] < 1.0:
                nl -= 1
                small[ns] = hi_k
                ns += 1
        for q in range(nl):
            cdf[off + large[q]] = 1.0
        for q in range(ns):  # left by rounding: keep themselves
            cdf[off + small[q]] = 1.0
    return offsets, counts, lows, cdf, guide
