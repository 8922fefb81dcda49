"""Periodic-review (s, S) policies under Poisson demand: exact cost and exact optimum.

Every review period the inventory position IP is checked; if IP <= s, an order brings it
up to S. Orders arrive after a lead time of whole periods; demand that cannot be met is
backordered. Holding and backorder costs are charged on the stock and the backorders at
the end of each period. This is the model of Zheng and Federgruen [1]_ (Snyder and
Shen [2]_ ch. 4; Zipkin [3]_ ch. 6), and both functions here are exact for it:

- :func:`ss_poisson_cost`: the expected annual cost of a given (s, S);
- :func:`ss_poisson_optimal`: the optimal (s, S) by Zheng and Federgruen's algorithm.

With G(y) the expected holding and backorder cost of a period in which the position
(after ordering) L periods earlier was y, and m(j) the renewal function of the demand per
period (the expected number of periods the position spends at S - j before the next
order), the average cost per period is

.. math::

    c(s, S) = \\frac{K + \\sum_{j=0}^{S-s-1} m(j)\\,G(S - j)}{M(S - s)},\\qquad
    M(k) = \\sum_{j=0}^{k-1} m(j),

with m(0) = 1 / (1 - p_0) and m(j) = m(0) sum_{l=1}^{j} p_l m(j - l) (Eqs. (4.71)-(4.75)
in [2]_); 1 / M(S - s) is the probability of ordering in a period.

Units follow the package: demand per day, review period and lead time in days (the
period is ``review_period_days``), ``holding_cost`` and ``backorder_cost_per_unit_year``
in $/unit/year (charged per period as h R / days_per_year), ``order_cost`` in $/order.
Costs are returned per year (per period times days_per_year / R).

References
----------
.. [1] Y.-S. Zheng and A. Federgruen, "Finding optimal (s, S) policies is about as simple
   as evaluating a single policy", *Operations Research* 39(4), 654-665, 1991.
.. [2] L. V. Snyder and Z.-J. M. Shen, *Fundamentals of Supply Chain Theory*, 2nd ed.,
   Wiley, 2019, ch. 4 (Algorithm 4.2, Example 4.7).
.. [3] P. H. Zipkin, *Foundations of Inventory Management*, McGraw-Hill, 2000, ch. 6-9.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from scipy import special

from .._numeric import broadcast, require, require_nonnegative, require_positive
from .rq import _int_edge, _pn, _ptail

__all__ = ["SSPoissonCost", "SSPoissonPolicy", "ss_poisson_cost", "ss_poisson_optimal"]


class SSPoissonCost(NamedTuple):
    """Exact expected annual cost of an (s, S) policy and its parts, per SKU.

    Attributes
    ----------
    annual_ordering_cost : numeric
        K times ``orders_per_year`` [$/year].
    annual_holding_cost, annual_backorder_cost : numeric
        End-of-period stock and backorders, valued [$/year].
    annual_cost : numeric
        Their sum, c(s, S) per year [$/year].
    orders_per_year : numeric
        days_per_year / (R M(S - s)) [orders/year].
    """

    annual_ordering_cost: Any
    annual_holding_cost: Any
    annual_backorder_cost: Any
    annual_cost: Any
    orders_per_year: Any


class SSPoissonPolicy(NamedTuple):
    """The optimal (s, S) policy and its exact cost, per SKU.

    Attributes
    ----------
    reorder_point : numeric
        s [units], a whole number: order when the position is at or below s.
    order_up_to : numeric
        S [units], a whole number > s.
    annual_ordering_cost, annual_holding_cost, annual_backorder_cost, annual_cost, \
orders_per_year : numeric
        As in :class:`SSPoissonCost`.
    iterations : numeric
        Order-up-to levels the search examined.
    """

    reorder_point: Any
    order_up_to: Any
    annual_ordering_cost: Any
    annual_holding_cost: Any
    annual_backorder_cost: Any
    annual_cost: Any
    orders_per_year: Any
    iterations: Any


# --------------------------------------------------------------------------- pieces
class _Model:
    """Per-SKU (1-D) Poisson (s, S) model: per-period costs, G(y) and the renewal m(j)."""

    def __init__(self, mu_period, mu_protect, k_cost, h, p):
        self.mu, self.mu_l, self.k, self.h, self.p = mu_period, mu_protect, k_cost, h, p
        n = mu_period.size
        live = np.isfinite(mu_period) & (mu_period > 0)
        safe_mu = np.where(live, mu_period, 1.0)
        top = np.max(safe_mu + 12.0 * np.sqrt(safe_mu) + 25.0, initial=25.0)
        d = np.arange(int(np.ceil(top)))
        logp = d * np.log(safe_mu[:, None]) - safe_mu[:, None] - special.gammaln(d + 1.0)
        self.pmf = np.exp(logp)  # truncated where the Poisson tail is below 1e-30
        self.m0 = 1.0 / -np.expm1(-safe_mu)  # 1 / (1 - p_0)
        self.m = np.zeros((n, 0))

    def ensure(self, length: int) -> None:
        """Extend m(j) to j < ``length`` for all SKUs, by the recursion one step j at a
        time (at least doubling, so a search extends it only a few times)."""
        have = self.m.shape[1]
        if length <= have:
            return
        length = max(length, 2 * have, 64)
        m = np.zeros((self.m.shape[0], length))
        m[:, :have] = self.m
        k_len = self.pmf.shape[1]
        for j in range(have, length):
            if j == 0:
                m[:, 0] = self.m0
                continue
            top = min(j, k_len - 1)
            # m(j) = m(0) sum_{l=1}^{top} p_l m(j - l)
            acc = np.einsum("ij,ij->i", self.pmf[:, 1 : top + 1], m[:, j - top : j][:, ::-1])
            m[:, j] = self.m0 * acc
        self.m = m

    def mval(self, i, j):
        """m(j) for SKUs ``i``."""
        j = np.asarray(j, dtype=np.int64)
        self.ensure(int(j.max(initial=0)) + 1)
        return self.m[i, j]

    def parts(self, y, i):
        """Per-period holding and backorder cost at position y for SKUs ``i``."""
        n = _pn(y, self.mu_l[i])
        return self.h[i] * (y - self.mu_l[i] + n), self.p[i] * n

    def g(self, y, i):
        hold, back = self.parts(y, i)
        return hold + back

    def tabulate(self, lo, hi):
        """Store G(y) for y = lo_i, ..., hi_i (per SKU) for :meth:`fast_sum`."""
        lo = np.where(np.isfinite(lo), lo, 0.0)
        hi = np.where(np.isfinite(hi), hi, lo)
        width = int(np.max(hi - lo, initial=0)) + 1
        y = lo[:, None] + np.arange(width)[None, :]
        self.base = lo
        self.tab = self.g(y, np.arange(lo.size)[:, None])

    def fast_sum(self, s, big_s, i):
        """(sum_{j < S - s} m(j) G(S - j), M(S - s)) for SKUs ``i``, G from the table."""
        width = (big_s - s).astype(np.int64)
        span = int(width.max())
        self.ensure(span)
        j = np.arange(span)
        mask = j[None, :] < width[:, None]
        col = (big_s - self.base[i]).astype(np.int64)[:, None] - j[None, :]
        col = np.clip(col, 0, self.tab.shape[1] - 1)
        w = np.where(mask, self.m[i, :span], 0.0)
        return (w * self.tab[i[:, None], col]).sum(axis=1), w.sum(axis=1)

    def sums(self, s, big_s, i):
        """(sum m H, sum m P, M) over j < S - s for SKUs ``i`` (H, P: the holding and
        backorder parts of G), summed term by term."""
        width = (big_s - s).astype(np.int64)
        span = int(width.max()) if width.size else 0
        self.ensure(span)
        j = np.arange(span)
        mask = j[None, :] < width[:, None]
        y = big_s[:, None] - j[None, :]
        hold, back = self.parts(y, i[:, None])
        w = np.where(mask, self.m[i, :span], 0.0)
        return (w * hold).sum(axis=1), (w * back).sum(axis=1), w.sum(axis=1)


def _inputs(**values):
    b = broadcast(**values)
    require_nonnegative("demand_mean", b["demand_mean"], "units/day")
    require_positive("review_period_days", b["review_period_days"], "days")
    require_nonnegative("lead_time_days", b["lead_time_days"], "days")
    require_positive("order_cost", b["order_cost"], "$/order")
    require_positive("holding_cost", b["holding_cost"], "$/unit/year")
    require_positive("backorder_cost_per_unit_year", b["backorder_cost_per_unit_year"],
                     "$/unit/year")  # fmt: skip
    return b


def _flat(b, shape, dpy):
    """Per-SKU 1-D arrays: period demand, protection demand, K, per-period h and p; and
    periods per year."""

    def f(name):
        return np.ravel(np.broadcast_to(b[name], shape)).astype(float)

    mu_d, rp, lt = f("demand_mean"), f("review_period_days"), f("lead_time_days")
    per = rp / dpy
    arrays = (
        mu_d * rp,
        mu_d * (lt + rp),
        f("order_cost"),
        f("holding_cost") * per,
        f("backorder_cost_per_unit_year") * per,
    )
    return arrays, dpy / rp


def _annual(model, hold, back, big_m, i, periods_per_year):
    safe = np.where(big_m > 0, big_m, 1.0)
    orders = periods_per_year[i] / safe
    ordering = model.k[i] * orders
    holding = hold / safe * periods_per_year[i]
    backorder = back / safe * periods_per_year[i]
    return ordering, holding, backorder, ordering + holding + backorder, orders


_PARAMS = """\
demand_mean : numeric
        Poisson demand rate [units/day], mu_d; demand per period is Poisson(mu_d R).
    review_period_days : numeric
        The period R [days]: the position is reviewed once every R days. Must be > 0.
    lead_time_days : numeric
        Lead time [days], L >= 0, taken as a whole number of periods: the cost of a
        period is that of the position L days earlier minus the demand over L + R days,
        Poisson(mu_d (L + R)). 0 is the book's case.
    order_cost : numeric
        Fixed cost per order [$/order], K. Must be > 0.
    holding_cost : numeric
        [$/unit/year] on end-of-period stock, h (h R / days_per_year a period).
    backorder_cost_per_unit_year : numeric
        [$/unit/year] on end-of-period backorders, p (p R / days_per_year a period).
    days_per_year : float, default 365
        [days/year]."""


def ss_poisson_cost(
    reorder_point: Any,
    order_up_to: Any,
    *,
    demand_mean: Any,
    review_period_days: Any,
    order_cost: Any,
    holding_cost: Any,
    backorder_cost_per_unit_year: Any,
    lead_time_days: Any = 0.0,
    days_per_year: float = 365.0,
) -> SSPoissonCost:
    """Exact expected annual cost of a periodic-review (s, S) policy, Poisson demand.

    Parameters
    ----------
    reorder_point : numeric
        s [units], a whole number: order when the position is at or below s.
    order_up_to : numeric
        S [units], a whole number > s.
    {params}

    Returns
    -------
    SSPoissonCost
        Ordering, holding and backorder cost and their sum [$/year], orders a year.

    Raises
    ------
    ValueError
        On non-integer s or S, S <= s, non-positive costs or review period, negative
        demand or lead time.

    Notes
    -----
    c(s, S) = (K + sum_{j < S - s} m(j) G(S - j)) / M(S - s) per period (Zheng and
    Federgruen [1]_; Snyder and Shen [2]_ ch. 4), G(y) = h E[(y - D)^+] +
    p E[(D - y)^+] with D the demand over L + R, computed in closed form; the renewal
    function m(j) by its recursion, one step j at a time for all SKUs at once (work
    n (S - s) times the Poisson support). Exact up to floating point.

    References
    ----------
    .. [1] Zheng and Federgruen (1991).
    .. [2] Snyder and Shen (2019), ch. 4.

    Examples
    --------
    Snyder and Shen, Example 4.7: Poisson demand of mean 6 a period, h = 1, p = 4,
    K = 5 per period (here a period of 365 days, so costs per year are per period):
    (s, S) = (4, 10) costs 8.034 a period.

    >>> c = ss_poisson_cost(4, 10, demand_mean=6 / 365, review_period_days=365,
    ...                     order_cost=5, holding_cost=1, backorder_cost_per_unit_year=4)
    >>> round(c.annual_cost, 6)
    8.034112
    """
    require_positive("days_per_year", np.asarray(days_per_year, dtype=float), "days/year")
    b = _inputs(
        reorder_point=reorder_point,
        order_up_to=order_up_to,
        demand_mean=demand_mean,
        review_period_days=review_period_days,
        lead_time_days=lead_time_days,
        order_cost=order_cost,
        holding_cost=holding_cost,
        backorder_cost_per_unit_year=backorder_cost_per_unit_year,
    )
    s_in, big_in = b["reorder_point"], b["order_up_to"]
    for name, v in (("reorder_point", s_in), ("order_up_to", big_in)):
        require(name, v, ~np.isfinite(v) | (v == np.round(v)), "a whole number", "units")
    require("order_up_to", big_in, ~(big_in <= s_in), "> reorder_point", "units")
    shape = b.shape
    arrays, ppy = _flat(b, shape, float(days_per_year))
    model = _Model(*arrays)
    s = np.ravel(np.broadcast_to(s_in, shape)).astype(float)
    big_s = np.ravel(np.broadcast_to(big_in, shape)).astype(float)
    out = np.full((5, s.size), np.nan)
    ok = np.isfinite(s) & np.isfinite(big_s) & np.isfinite(model.mu) & (model.mu > 0)
    i = np.flatnonzero(ok)
    if i.size:
        hold, back, big_m = model.sums(s[i], big_s[i], i)
        out[:, i] = _annual(model, hold, back, big_m, i, ppy)
    calm = model.mu == 0  # never orders: stock S held forever (or backorders never met)
    if np.any(calm):
        j = np.flatnonzero(calm & np.isfinite(s) & np.isfinite(big_s))
        hold, back = model.parts(big_s[j], j)
        out[:, j] = [0.0 * hold, hold * ppy[j], back * ppy[j], (hold + back) * ppy[j], 0.0 * hold]
    names = ("annual_ordering_cost", "annual_holding_cost", "annual_backorder_cost",
             "annual_cost", "orders_per_year")  # fmt: skip
    return SSPoissonCost(*(b.wrap(x.reshape(shape), nm) for x, nm in zip(out, names, strict=True)))


_CHUNK = 2048


def _zheng_federgruen(model: _Model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zheng and Federgruen's search, each step for all SKUs of ``model`` still searching.
    Returns s*, S* (NaN where the inputs are missing or there is no demand) and the
    order-up-to levels examined."""
    n = model.mu.size
    mu_l, h, p = model.mu_l, model.h, model.p
    ok = np.isfinite(model.mu) & np.isfinite(mu_l) & (model.mu > 0)
    ok &= np.isfinite(model.k) & np.isfinite(h) & np.isfinite(p)
    crit = p / (h + p)
    all_i = np.arange(n)
    ystar = _int_edge(
        lambda y, i: 1.0 - _ptail(y + 1.0, mu_l[i]) >= crit[i],
        np.full(n, -1.0),
        np.ceil(mu_l + 12.0 * np.sqrt(mu_l) + 12.0),
    )
    s = ystar.copy()
    big = ystar.copy()
    # phase 1: s(S0) for S0 = y*: lower s until c(s, S0) <= G(s); N = sum m G, M = sum m
    num = np.zeros(n)
    big_m = np.zeros(n)
    idx = all_i[ok]
    while idx.size:
        width = (big[idx] - s[idx]).astype(np.int64)  # j of the term entering: S - s_old
        mj = model.mval(idx, width)
        num[idx] += mj * model.g(s[idx], idx)
        big_m[idx] += mj
        s[idx] -= 1.0
        c = (model.k[idx] + num[idx]) / big_m[idx]
        idx = idx[c > model.g(s[idx], idx)]
    c_best = np.where(ok, (model.k + num) / np.where(big_m > 0, big_m, 1.0), np.nan)
    its = np.zeros(n, dtype=np.int64)
    # phase 2 visits windows [s + 1, S] with s >= s0 and G(S) <= c* <= c_0, so
    # S <= mu_L + c_0 / h: tabulate G there once
    model.tabulate(s + 1.0, np.ceil(mu_l + c_best / h) + 2.0)
    trial = big + 1.0
    idx = all_i[ok]
    idx = idx[model.g(trial[idx], idx) <= c_best[idx]]
    while idx.size:
        its[idx] += 1
        total, mm = model.fast_sum(s[idx], trial[idx], idx)
        c_try = (model.k[idx] + total) / mm
        better = c_try < c_best[idx]
        up = idx[better]
        if up.size:
            big[up] = trial[up]
            num[up] = total[better]
            big_m[up] = mm[better]
            c_best[up] = c_try[better]
            # raise s while c(s, S) <= G(s + 1): drop the term j = S - s - 1, y = s + 1
            mov = up[c_best[up] <= model.g(s[up] + 1.0, up)]
            while mov.size:
                width = (big[mov] - s[mov] - 1.0).astype(np.int64)
                mj = model.mval(mov, width)
                num[mov] -= mj * model.g(s[mov] + 1.0, mov)
                big_m[mov] -= mj
                s[mov] += 1.0
                c_best[mov] = (model.k[mov] + num[mov]) / big_m[mov]
                mov = mov[c_best[mov] <= model.g(s[mov] + 1.0, mov)]
        trial[idx] += 1.0
        idx = idx[model.g(trial[idx], idx) <= c_best[idx]]
    return np.where(ok, s, np.nan), np.where(ok, big, np.nan), its


def ss_poisson_optimal(
    demand_mean: Any,
    *,
    review_period_days: Any,
    order_cost: Any,
    holding_cost: Any,
    backorder_cost_per_unit_year: Any,
    lead_time_days: Any = 0.0,
    days_per_year: float = 365.0,
) -> SSPoissonPolicy:
    """The optimal periodic-review (s, S) policy under Poisson demand (Zheng-Federgruen).

    Parameters
    ----------
    {params}

    Returns
    -------
    SSPoissonPolicy
        s*, S* and the exact cost per SKU. A SKU without demand gets s = -1, S = 0
        (never order, hold nothing) and zero cost.

    Raises
    ------
    ValueError
        On non-positive costs or review period, negative demand or lead time.

    Notes
    -----
    Zheng and Federgruen's algorithm [1]_ (Algorithm 4.2 in Snyder and Shen [2]_): with
    y* the minimiser of G, start at S = y* and lower s until c(s, y*) <= G(s); then raise
    S one unit at a time while G(S) <= c*, and whenever c(s, S) < c* make S the
    incumbent, raise s while c(s, S) <= G(s + 1), and update c*. The search is
    sequential per SKU; here each of its steps runs for all SKUs at once, a SKU dropping
    out when its own search ends. Moving s by one updates c in O(1); each new S costs
    one sum over S - s terms (G tabulated once), so the work grows as n (S - s)^2 plus
    the renewal recursion, n (S - s) times the Poisson support: meant for the slow and
    medium movers Poisson demand describes (1,000 SKUs with means up to 2 a period and
    S - s up to 320 take about 3 s).

    References
    ----------
    .. [1] Zheng and Federgruen (1991).
    .. [2] Snyder and Shen (2019), ch. 4.

    Examples
    --------
    Snyder and Shen, Example 4.7 (mean 6 a period, h = 1, p = 4, K = 5):
    (s*, S*) = (4, 10), cost 8.034 a period.

    >>> o = ss_poisson_optimal(6 / 365, review_period_days=365, order_cost=5,
    ...                        holding_cost=1, backorder_cost_per_unit_year=4)
    >>> int(o.reorder_point), int(o.order_up_to), round(o.annual_cost, 6)
    (4, 10, 8.034112)
    """
    require_positive("days_per_year", np.asarray(days_per_year, dtype=float), "days/year")
    b = _inputs(
        demand_mean=demand_mean,
        review_period_days=review_period_days,
        lead_time_days=lead_time_days,
        order_cost=order_cost,
        holding_cost=holding_cost,
        backorder_cost_per_unit_year=backorder_cost_per_unit_year,
    )
    shape = b.shape
    arrays, ppy = _flat(b, shape, float(days_per_year))
    n = arrays[0].size
    s, big, its = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, dtype=np.int64)
    out = np.full((5, n), np.nan)
    for start in range(0, n, _CHUNK):  # batches bound the memory of the tables
        sl = slice(start, start + _CHUNK)
        model = _Model(*(x[sl] for x in arrays))
        s[sl], big[sl], its[sl] = _zheng_federgruen(model)
        i = np.flatnonzero(np.isfinite(s[sl]))
        if i.size:
            hold, back, mm = model.sums(s[sl][i], big[sl][i], i)
            out[:, start + i] = _annual(model, hold, back, mm, i, ppy[sl])
    calm = arrays[0] == 0
    ok = np.isfinite(s)
    s = np.where(calm, -1.0, np.where(ok, s, np.nan))
    big = np.where(calm, 0.0, np.where(ok, big, np.nan))
    out[:, calm] = 0.0
    names = ("annual_ordering_cost", "annual_holding_cost", "annual_backorder_cost",
             "annual_cost", "orders_per_year")  # fmt: skip
    costs = [b.wrap(x.reshape(shape), nm) for x, nm in zip(out, names, strict=True)]
    return SSPoissonPolicy(
        b.wrap(s.reshape(shape), "reorder_point"),
        b.wrap(big.reshape(shape), "order_up_to"),
        *costs,
        b.wrap(its.reshape(shape), "iterations"),
    )


for _f in (ss_poisson_cost, ss_poisson_optimal):
    _f.__doc__ = _f.__doc__.replace("{params}", _PARAMS)
del _f
