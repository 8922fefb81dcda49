"""The simulator's compiled day step (numba): one chunk of days for every SKU.

The numpy engine in :mod:`workbench.sim.simulate` makes about a dozen passes over
the SKU arrays each day; this kernel takes one SKU at a time through all the days of
a chunk, keeping its state and its figures in registers and its ring of future
receipts in a few cache lines, the SKUs spread over the machine's cores
(``prange``). Lead times come from counter-based draws per (SKU, order number)
(:mod:`workbench.sim._streams`, whose scalar twins are below), so the visiting order
does not matter: both engines give the same run, which ``tests/test_sim_kernel.py``
checks.

numba is imported only when a simulation runs, so ``import workbench`` stays light;
compiled code is cached next to this file (``cache=True``), so only the first run
on a machine pays the compilation (several seconds).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange, uint64

from ._streams import GOLDEN, M1, M2, STRIDE

PARALLEL = True

# lead-time models (``lt_kind``)
FIXED, GAMMA, NORMAL, HISTORY = 0, 1, 2, 3
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
    return (np.float64(z >> uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True, inline="always")
def _normal(key, ctr):
    """Scalar twin of ``_streams.normal`` (Box-Muller)."""
    u1 = _uniform(key, ctr)
    u2 = _uniform(key, ctr + 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


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
        if v > 0 and math.log(u) < 0.5 * z * z + d - d * v + d * math.log(v):
            x = d * v
            break
    if shape < 1.0:
        x *= _uniform(key, base + (STRIDE - 1)) ** (1.0 / shape)
    return x


@njit(cache=True, nogil=True, parallel=PARALLEL)
def run_chunk(
    D, t0, cd, backorder, count, warmup,
    IL, IP, pipe, H, trigger, s, Q, S, up_to,
    moq, use_moq, pack, use_pack, R, offset, periodic,
    lt_kind, lt_fixed, lt_random, wh, wh_a, wh_b, g_shape, g_scale, n_mean, n_sd,
    h_off, h_cnt, h_val, max_lead, keys, nord, capped,
    order_crossing, last_arrival,
    acc, prev_short, cycle_short,
    trace, ILtr, rec_tr, ord_tr, fil_tr,
):  # fmt: skip
    """Simulate days ``t0 .. t0 + cd - 1`` for every SKU, in place.

    For each SKU (in parallel), for each day of the chunk, the day of
    ``docs/timing.md``: a review day with IP <= trigger places an order
    (``(floor((s - IP) / Q) + 1) * Q`` or up to S, then MOQ and pack) whose arrival
    day gets a lead time of ``L >= 0`` days (order ``nord[i]`` of SKU i, from
    ``keys[i]``); the day's receipts, an order of L = 0 placed just now included,
    leave the SKU's ring of future receipts ``pipe[i * H:(i + 1) * H]`` (slot
    ``day % H``, ``H > max_lead``; a slot is emptied as it is read, so
    ``H = max_lead + 1`` is enough) for the level IL; demand ``D[j, i]`` is then
    served (all of it, backordering the rest, or what is on hand, losing the rest).
    The review reads only the position IP, which receipts do not change, so
    reviewing before the receipts is the convention's receive-then-review. A SKU's state and its day's figures stay in registers
    over the chunk. With ``count`` the figures are added to ``acc`` (rows
    ``ACC_KEYS``). With ``trace`` the day's level, receipts, orders and units
    served are written to ``ILtr[j + 1]``, ``rec_tr[j]``, ``ord_tr[j]`` and
    ``fil_tr[j]``. Lead times capped at ``max_lead`` are counted in ``capped[i]``.
    """
    n = IL.shape[0]
    for i in prange(n):
        row = i * H
        il = IL[i]
        ip = IP[i]
        trig = trigger[i]
        ps = prev_short[i]
        cs = cycle_short[i]
        k = nord[i]
        la = last_arrival[i]
        a_dem = 0.0
        a_short = 0.0
        a_ohe = 0.0
        a_bo = 0.0
        a_orders = 0.0
        a_ordered = 0.0
        a_cyc = 0.0
        a_socyc = 0.0
        a_sodays = 0.0
        a_soev = 0.0
        ncap = 0
        tslot = t0 % H
        for j in range(cd):
            t = t0 + j
            # ---- review and order, on the position (before the day's demand). The
            # position does not change with receipts, so reviewing before taking the
            # day's receipts out of the ring is the same as after, and lets an order of
            # lead time 0 land in today's slot, read just below (docs/timing.md)
            q = 0.0
            if ip <= trig and (not periodic or (t >= offset[i] and (t - offset[i]) % R[i] == 0)):
                if up_to[i]:
                    q = S[i] - ip
                    if q < 0:
                        q = 0.0
                else:
                    q = (np.floor((s[i] - ip) / Q[i]) + 1) * Q[i]
                if use_moq and q > 0 and q < moq[i]:
                    q = moq[i]
                if use_pack:
                    q = np.ceil(q / pack[i]) * pack[i]
                if q > 0:
                    if lt_kind == FIXED or not lt_random[i]:
                        lt = lt_fixed[i]
                    else:
                        ctr = k * STRIDE
                        if lt_kind == GAMMA:
                            if wh[i]:
                                u = _normal(keys[i], ctr) * wh_b[i] + wh_a[i]
                                if u < 0.0:
                                    u = 0.0
                                x = u * u * u
                            else:
                                x = _gamma(keys[i], ctr, g_shape[i]) * g_scale[i]
                        elif lt_kind == NORMAL:
                            x = n_mean[i] + n_sd[i] * _normal(keys[i], ctr)
                        else:
                            x = h_val[h_off[i] + np.int64(_uniform(keys[i], ctr) * h_cnt[i])]
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
                    pipe[row + slot] += q
                    ip += q
                    if t >= warmup:
                        a_orders += 1.0
                        a_ordered += q
                else:
                    q = 0.0
            # ---- receive (at the start of the day, before its demand)
            r = pipe[row + tslot]
            pipe[row + tslot] = 0.0
            il_prev = il
            il = il + r
            received = r > 0
            # ---- demand
            d = D[j, i]
            if backorder:
                il -= d
                ip -= d
                served = d  # shipped or backordered; the statistics below split it
                bo = -il if il < 0 else 0.0
                short = d if d < bo else bo
                closed_short = received and il_prev < 0
            else:
                served = d if d < il else il
                il -= served
                ip -= served
                short = d - served
                bo = 0.0
                closed_short = received and cs
                cs = (cs and not received) or short > 0
            is_short = short > 0
            if count:
                a_dem += d
                a_short += short
                a_ohe += il if il > 0 else 0.0
                a_bo += bo
                if is_short:
                    a_sodays += 1.0
                    if not ps:
                        a_soev += 1.0
                if received:
                    a_cyc += 1.0
                    if closed_short:
                        a_socyc += 1.0
            ps = is_short
            if trace:
                ILtr[j + 1, i] = il
                rec_tr[j, i] = r
                ord_tr[j, i] = q
                fil_tr[j, i] = served
            tslot += 1
            if tslot == H:
                tslot = 0
        IL[i] = il
        IP[i] = ip
        prev_short[i] = ps
        cycle_short[i] = cs
        nord[i] = k
        last_arrival[i] = la
        capped[i] += ncap
        acc[_DEMAND, i] += a_dem
        acc[_SHORT, i] += a_short
        acc[_OHE, i] += a_ohe
        acc[_BO, i] += a_bo
        acc[_ORDERS, i] += a_orders
        acc[_ORDERED, i] += a_ordered
        acc[_CYCLES, i] += a_cyc
        acc[_SO_CYCLES, i] += a_socyc
        acc[_SO_DAYS, i] += a_sodays
        acc[_SO_EVENTS, i] += a_soev
