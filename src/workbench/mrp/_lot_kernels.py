"""Compiled (numba) lot-sizing pass: every item's row of net requirements at once.

One item is one sequential walk over its periods (a lot's leftover changes what the next
period needs, so the rows are recursions, not array expressions); items are independent
and run in a ``prange`` loop. numba is imported only when :func:`workbench.lot_size`
runs, so ``import workbench`` stays light; compiled code is cached next to this file
(``cache=True``).

Conventions (shared with :mod:`workbench.mrp.lot_sizing`): a lot received in period
``t`` serves period ``t``'s requirement at once; holding is charged on each period's
ending inventory (Jacobs & Chase, ch. 21; Nahmias, sect. 7.2).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

LFL, FOQ, EOQ, POQ, WW, SM, LUC, PPB = 0, 1, 2, 3, 4, 5, 6, 7

#: a requirement smaller than this [units] is treated as covered (float noise)
EPS = 1e-9


@njit(cache=True)
def _ww_next(r, s, h, nxt, f):  # pragma: no cover - compiled
    """Wagner-Whitin backward recursion on one row: ``nxt[t]`` is the first period the
    optimal lot ordered in ``t`` does not cover (Wagner & Whitin 1958)."""
    n = r.shape[0]
    f[n] = 0.0
    for t in range(n - 1, -1, -1):
        if r[t] <= EPS:
            f[t] = f[t + 1]
            nxt[t] = t + 1
            continue
        best = np.inf
        arg = t + 1
        hold = 0.0
        for j in range(t + 1, n + 1):
            # the lot in t covers t .. j-1; r[j-1] is held (j-1-t) periods
            hold += h * (j - 1 - t) * r[j - 1]
            if s + hold >= best:
                break  # holding only grows with j, f >= 0: no later j can win
            c = s + hold + f[j]
            if c < best:
                best = c
                arg = j
        f[t] = best
        nxt[t] = arg
    return f[0]


@njit(cache=True)
def _cover_end(method, r, t, need, s, h, cap, periods, nxt):  # pragma: no cover
    """First period not covered by a lot ordered in ``t`` whose first period needs
    ``need``; the lot's quantity stays at most ``cap`` (after the first period)."""
    n = r.shape[0]
    if method == LFL:
        return t + 1
    if method == POQ or method == WW:
        end = min(n, t + periods) if method == POQ else nxt[t]
        q = need
        j = t + 1
        while j < end and q + r[j] <= cap:
            q += r[j]
            j += 1
        return j
    # Silver-Meal, least unit cost, part-period balancing: extend while it pays
    q = need
    hold = 0.0  # holding cost of the lot so far [$]
    pp = 0.0  # part-periods so far [unit-periods]
    j = t + 1
    if method == SM:
        best = s  # average cost per period covering one period
        while j < n and q + r[j] <= cap:
            c = (s + hold + h * (j - t) * r[j]) / (j - t + 1)
            if c > best:
                break
            best = c
            hold += h * (j - t) * r[j]
            q += r[j]
            j += 1
        return j
    if method == LUC:
        best = (s + hold) / q
        while j < n and q + r[j] <= cap:
            c = (s + hold + h * (j - t) * r[j]) / (q + r[j])
            if c > best:
                break
            best = c
            hold += h * (j - t) * r[j]
            q += r[j]
            j += 1
        return j
    # PPB: part-periods closest to the economic part-period s / h
    epp = s / h if h > 0 else np.inf
    while j < n and q + r[j] <= cap:
        nxt_pp = pp + (j - t) * r[j]
        if nxt_pp > epp:
            if nxt_pp - epp < epp - pp:
                j += 1  # one period further is closer to the EPP
            break
        pp = nxt_pp
        q += r[j]
        j += 1
    return j


@njit(cache=True, parallel=True)
def lot_size_rows(
    req, method, s, h, moq, pack, cap, lot, periods, receipts, orders, ending
):  # pragma: no cover - compiled
    """Plan every row of ``req`` (items x periods) with one lot-sizing ``method``.

    Per item ``i``: ``s`` order cost [$/order], ``h`` holding cost [$/unit/period],
    ``moq`` minimum and ``cap`` maximum order [units] (both already whole packs),
    ``pack`` pack multiple [units], ``lot`` the fixed lot for FOQ/EOQ [units],
    ``periods`` the POQ interval [periods]. Fills ``receipts`` [units], ``orders``
    [count] and ``ending`` inventory [units] in place.
    """
    n_items, n = req.shape
    for i in prange(n_items):
        r = req[i]
        nxt = np.empty(n + 1, np.int64)
        if method == WW:
            f = np.empty(n + 1)
            _ww_next(r, s[i], h[i], nxt, f)
        inv = 0.0
        for t in range(n):
            need = r[t] - inv
            if need > EPS:
                if method == FOQ or method == EOQ:
                    q = max(min(lot[i], cap[i]), need)
                else:
                    j = _cover_end(method, r, t, need, s[i], h[i], cap[i], periods[i], nxt)
                    q = need
                    for k in range(t + 1, j):
                        q += r[k]
                q = max(q, moq[i])
                q = math.ceil(q / pack[i] - 1e-9) * pack[i]
                k_orders = 1
                if q > cap[i]:
                    # one period needs more than the maximum: several orders, the
                    # last one at least the minimum
                    k_orders = math.ceil(q / cap[i] - 1e-9)
                    last = max(q - (k_orders - 1) * cap[i], moq[i])
                    q = (k_orders - 1) * cap[i] + last
                receipts[i, t] = q
                orders[i, t] = k_orders
                inv += q
            inv -= r[t]
            if inv < EPS:
                inv = 0.0
            ending[i, t] = inv
