"""Joint replenishment: several items ordered together to share a major order cost.

When a shop buys several SKUs from one supplier, each order costs a *major* cost K_0
(the delivery, the purchase order) however many items it carries, plus a *minor* cost
K_i for each item included (a line, a check at receipt). Ordering every item on its own
EOQ pays K_0 for each of them; coordinating them pays it once per family order, and
the slow movers join every second, fourth, ... order.

- :func:`joint_replenishment`: the order interval of every item of every family, by
  Roundy's power-of-two policy (within 2 % of the optimal cost with the base period
  chosen, within 6 % with a fixed one) or Silver's (1976) heuristic, with the lower bound
  that proves how close the result is.

Deterministic, constant demand and no shortages (the EOQ's assumptions). Every SKU of
every family is computed at once as arrays: families are sorted and summed as segments,
never looped over in Python.

References
----------
.. [SPT] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production Management
   in Supply Chains*, 4th ed., CRC Press, 2017, ch. 10, coordinated replenishments
   (Silver's method for the deterministic joint replenishment problem).
.. [S76] E. A. Silver, "A simple method of determining order quantities in joint
   replenishments under deterministic demand", *Management Science* 22(12), 1351-1361,
   1976.
.. [R85] R. Roundy, "98%-effective integer-ratio lot-sizing for one-warehouse
   multi-retailer systems", *Management Science* 31(11), 1416-1430, 1985.
.. [JMM] P. Jackson, W. Maxwell and J. Muckstadt, "The joint replenishment problem with a
   powers-of-two restriction", *IIE Transactions* 17(1), 25-32, 1985.
.. [A] S. Axsäter, *Inventory Control*, 3rd ed., Springer, 2015 (coordinated
   replenishments; powers-of-two policies).
.. [SS] L. V. Snyder and Z.-J. M. Shen, *Fundamentals of Supply Chain Theory*, 2nd ed.,
   Wiley, 2019, ch. 3 (deterministic inventory models).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .._numeric import broadcast, require_nonnegative, require_positive

__all__ = ["JointReplenishment", "joint_replenishment"]

_METHODS = ("power_of_two", "silver")

#: Roundy's guarantees: cost / lower bound for a power-of-two policy.
POWER_OF_TWO_BOUND_OPTIMISED_BASE = 1.0 / (np.sqrt(2.0) * np.log(2.0))  # 1.0206: "98 %"
POWER_OF_TWO_BOUND_FIXED_BASE = 3.0 / (2.0 * np.sqrt(2.0))  # 1.0607: "94 %"


class JointReplenishment(NamedTuple):
    """Result of :func:`joint_replenishment`, one value per item (group totals repeated).

    Attributes
    ----------
    cycle_days : numeric
        Order interval of the item [days], T_i = m_i T_0; ``inf`` with no demand.
    order_quantity : numeric
        Units per order [units], D_i T_i.
    multiple : numeric
        m_i = T_i / T_0 [-]: the item joins every m_i-th family order (a power of two
        for the power-of-two policy); NaN with no demand.
    family_cycle_days : numeric
        Interval between the family's orders [days], T_0.
    annual_cost : numeric
        The item's own cost [$/year]: minor ordering K_i / T_i plus holding h_i D_i T_i / 2.
    family_annual_cost : numeric
        The family's total cost [$/year]: K_0 / T_0 plus every item's ``annual_cost``.
    lower_bound : numeric
        A lower bound on the family's cost under any policy [$/year] (Roundy's relaxation);
        ``family_annual_cost / lower_bound`` is at most 1.0206 for the power-of-two policy
        with the base period chosen.
    """

    cycle_days: Any
    order_quantity: Any
    multiple: Any
    family_cycle_days: Any
    annual_cost: Any
    family_annual_cost: Any
    lower_bound: Any


def _segments(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start position of each row's segment, and the segment starts, for sorted codes."""
    n = codes.size
    new = np.ones(n, dtype=bool)
    new[1:] = codes[1:] != codes[:-1]
    starts = np.flatnonzero(new)
    first = np.repeat(starts, np.diff(np.append(starts, n)))
    return first, starts


def _seg_cumsum(x: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each segment (rows sorted by segment)."""
    c = np.cumsum(x)
    before = np.concatenate([[0.0], c])[first]
    return c - before


def _major_per_item(major_order_cost: Any, labels: np.ndarray | None, n: int) -> np.ndarray:
    if isinstance(major_order_cost, Mapping | pd.Series):
        if labels is None:
            raise ValueError(
                "major_order_cost given per group needs group (the family label of each item)"
            )
        table = pd.Series(major_order_cost, dtype=float)
        values = pd.Series(labels).map(table).to_numpy(dtype=float)
        missing = pd.isna(values) & ~pd.isna(pd.Series(labels)).to_numpy()
        if np.any(missing):
            absent = sorted({str(v) for v in np.asarray(labels, dtype=object)[missing]})[:3]
            raise ValueError(f"major_order_cost [$/order] has no value for group(s) {absent}")
        return values
    b = broadcast(major_order_cost=major_order_cost, _n=np.zeros(n))
    return np.asarray(b["major_order_cost"], dtype=float)


def joint_replenishment(
    annual_demand: Any,
    *,
    holding_cost: Any,
    minor_order_cost: Any,
    major_order_cost: Any,
    group: Any = None,
    method: str = "power_of_two",
    base_period_days: float | None = None,
    days_per_year: float = 365.0,
) -> JointReplenishment:
    """Order intervals for families of items that share a major order cost.

    Parameters
    ----------
    annual_demand : numeric
        Demand rate of each item [units/year], D_i (lambda_i). >= 0; an item with no
        demand is never ordered (``cycle_days`` inf, zero cost).
    holding_cost : numeric
        Holding cost of each item [$/unit/year], h_i. Must be > 0.
    minor_order_cost : numeric
        Cost of including the item in an order [$/order], K_i (a_i in [SPT], k_n in
        [SS]). Must be >= 0.
    major_order_cost : numeric or mapping
        Cost of each family order, whatever it carries [$/order], K_0 (A in [SPT]).
        Must be > 0. A scalar (every family), one value per item (equal within a
        family), or a mapping / Series from family label to cost.
    group : array-like, optional
        Family (supplier) label of each item; default: all items are one family.
    method : {"power_of_two", "silver"}, default "power_of_two"
        ``"power_of_two"``: Roundy's policy, every T_i a power of two times a base
        period, within 2 % of the optimal cost (with ``base_period_days`` None). ``"silver"``:
        Silver's (1976) heuristic, T_i an integer multiple m_i of T_0, no bound.
    base_period_days : float, optional
        For ``"power_of_two"``: a fixed base period [days] (a day, a week); every interval
        is then that period times 2^k with k >= 0. Default None chooses the base period
        that minimises the cost.
    days_per_year : float, default 365
        [days/year], to express the intervals in days.

    Returns
    -------
    JointReplenishment
        Per item: interval, order quantity, multiple of the family interval, the family
        interval, the item's cost, the family's cost and the lower bound on it.

    Raises
    ------
    ValueError
        On a negative demand or minor cost, a holding cost, major cost,
        ``base_period_days`` or ``days_per_year`` that is not > 0, a major cost that
        differs within a family or is missing for one, or an unknown ``method``.

    Notes
    -----
    With g_i = h_i D_i / 2 and family interval T_0 = min_i T_i, the annual cost of a family is

    .. math:: C = \\frac{K_0}{T_0} + \\sum_i \\left(\\frac{K_i}{T_i} + g_i T_i\\right)

    **Lower bound** (Roundy [R85]_; Jackson, Maxwell and Muckstadt [JMM]_): relax the
    requirement that the T_i be multiples of T_0 to T_i >= T_0. With the items sorted by
    tau_i = K_i / g_i, the first c* items order with the family, at
    T_0^2 = (K_0 + sum_{i <= c*} K_i) / sum_{i <= c*} g_i, where c* is the first c with
    tau_{c+1} >= that ratio; the others at their own EOQ interval sqrt(tau_i). Its cost
    2 sqrt((K_0 + sum K_i) sum g_i) + sum_{i > c*} 2 sqrt(K_i g_i) is below that of every
    policy.

    **Power of two**: each relaxed interval (the family's too) is rounded to the nearest
    T_L 2^k on a logarithmic scale. Each term's cost then rises by at most 6.07 %
    (3 / (2 sqrt 2)) for a fixed base period T_L, and, with T_L chosen to minimise the
    cost, the total by at most 2.06 % (1 / (sqrt 2 ln 2)) ([R85]_; [A]_). The best T_L
    is found exactly: the cost is A 2^-x + B 2^x between the n points x = log2 T_L
    (mod 1) where some item's rounding changes, so each piece is minimised in closed
    form and the best piece kept. A fixed base period with k >= 0
    keeps the 6 % bound when every relaxed interval is at least T_L / sqrt 2.

    **Silver** ([S76]_; [SPT]_ ch. 10; as in [SS]_): the item with the smallest tau_i
    orders every time (m = 1); m_i = round(sqrt(tau_i (g_1 / (K_0 + K_1)))) >= 1; then
    T_0 = sqrt((K_0 + sum K_i / m_i) / sum m_i g_i).

    Examples
    --------
    Snyder's JRP example (stockpyl's ``scmo_jrp_ex``): K_0 = 600, K = (120, 840, 300),
    h = (160, 20, 50), D = 1 each, per unit of time; Silver's heuristic gives m = (1, 3, 1),
    T_0 = 3.1032 and cost 837.854. A "year" of 1 day shows the intervals in the same unit:

    >>> r = joint_replenishment([1, 1, 1], holding_cost=[160, 20, 50],
    ...                         minor_order_cost=[120, 840, 300], major_order_cost=600,
    ...                         method="silver", days_per_year=1)
    >>> r.multiple.tolist(), round(float(r.family_cycle_days[0]), 4)
    ([1.0, 3.0, 1.0], 3.1032)
    >>> round(float(r.family_annual_cost[0]), 3)
    837.854

    The power-of-two policy for the same family, and how far from the bound it can be:

    >>> r = joint_replenishment([1, 1, 1], holding_cost=[160, 20, 50],
    ...                         minor_order_cost=[120, 840, 300], major_order_cost=600,
    ...                         days_per_year=1)
    >>> r.multiple.tolist(), round(float(r.family_annual_cost[0] / r.lower_bound[0]), 4)
    ([1.0, 4.0, 1.0], 1.0097)
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}")
    require_positive("days_per_year", np.asarray(days_per_year, dtype=float), "days/year")
    if base_period_days is not None:
        if method != "power_of_two":
            raise ValueError("base_period_days [days] applies to method='power_of_two' only")
        require_positive("base_period_days", np.asarray(base_period_days, dtype=float), "days")
    b = broadcast(
        annual_demand=annual_demand,
        holding_cost=holding_cost,
        minor_order_cost=minor_order_cost,
    )
    d = np.atleast_1d(b["annual_demand"]).astype(float)
    h = np.atleast_1d(b["holding_cost"]).astype(float)
    k = np.atleast_1d(b["minor_order_cost"]).astype(float)
    n = d.size
    require_nonnegative("annual_demand", d, "units/year")
    require_positive("holding_cost", h, "$/unit/year")
    require_nonnegative("minor_order_cost", k, "$/order")
    if group is None:
        labels = None
        codes = np.zeros(n, dtype=np.intp)
    else:
        labels = np.asarray(group.to_numpy() if isinstance(group, pd.Series) else group,
                            dtype=object).reshape(-1)  # fmt: skip
        if labels.size != n:
            raise ValueError(f"group must have one label per item ({n}); got {labels.size}")
        codes, _ = pd.factorize(pd.Series(labels), use_na_sentinel=False)
    k0_item = np.atleast_1d(_major_per_item(major_order_cost, labels, n)).reshape(-1)
    require_positive("major_order_cost", k0_item, "$/order")
    # one major cost per family
    order = np.argsort(codes, kind="stable")
    k0_sorted = k0_item[order]
    same = codes[order][1:] == codes[order][:-1]
    differs = same & ~((k0_sorted[1:] == k0_sorted[:-1]) | np.isnan(k0_sorted[1:]))
    if np.any(differs):
        bad = labels[order][1:][differs][0] if labels is not None else "(all items)"
        raise ValueError(f"major_order_cost [$/order] must be one value per group; {bad!r} has"
                         " several")  # fmt: skip

    g = h * d / 2.0
    active = (d > 0) & np.isfinite(g) & np.isfinite(k) & np.isfinite(k0_item)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(active, k / np.where(active, g, 1.0), np.inf)
    # rows sorted by family, then tau; inactive items (no demand, NaN) last in each family
    srt = np.lexsort((tau, codes))
    c_s, tau_s, k_s, g_s = codes[srt], tau[srt], k[srt], g[srt]
    act_s = active[srt]
    k0_s = k0_item[srt]
    k_a, g_a = np.where(act_s, k_s, 0.0), np.where(act_s, g_s, 0.0)
    first, starts = _segments(c_s)
    cum_k, cum_g = _seg_cumsum(k_a, first), _seg_cumsum(g_a, first)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (k0_s + cum_k) / cum_g  # T_0^2 if the first c items order with the family
    nxt = np.append(tau_s[1:], np.inf)
    last = np.append(c_s[1:] != c_s[:-1], True)
    nxt = np.where(last, np.inf, nxt)
    stop = ~(nxt < ratio)  # c* is the first c with tau_{c+1} >= ratio(c)
    pos = np.arange(n)
    cstar = np.minimum.reduceat(np.where(stop, pos, n), starts)  # row of c* per family
    fam = np.repeat(np.arange(starts.size), np.diff(np.append(starts, n)))
    t0_sq = ratio[cstar][fam]
    family_has_demand = np.isfinite(t0_sq) & (cum_g[cstar][fam] > 0)
    t0_relaxed = np.sqrt(np.where(family_has_demand, t0_sq, 1.0))
    in_cluster = pos <= cstar[fam]
    t_relaxed = np.where(in_cluster, t0_relaxed, np.sqrt(np.where(act_s, tau_s, 1.0)))
    t_relaxed = np.where(act_s, t_relaxed, np.inf)
    # lower bound per family
    lb_terms = np.where(act_s & ~in_cluster, 2.0 * np.sqrt(k_a * g_a), 0.0)
    lb_cluster = 2.0 * np.sqrt((k0_s + cum_k) * cum_g)[cstar]
    lb = np.add.reduceat(lb_terms, starts) + np.where(
        np.isfinite(lb_cluster), lb_cluster, 0.0
    )  # fmt: skip
    lb = np.where(family_has_demand[starts], lb, 0.0)

    if method == "silver":
        ratio1 = ratio[starts][fam]  # (K_0 + K_first) / g_first
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.maximum(1.0, np.round(np.sqrt(tau_s / ratio1)))
        m = np.where(pos == first, 1.0, m)
        m = np.where(act_s, m, np.nan)
        num = k0_s[starts] + np.add.reduceat(np.where(act_s, k_a / m, 0.0), starts)
        den = np.add.reduceat(np.where(act_s, m * g_a, 0.0), starts)
        with np.errstate(divide="ignore", invalid="ignore"):
            t0 = np.sqrt(num / den)
        t_fam = t0[fam]
        t_item = np.where(act_s, m * t_fam, np.inf)
    else:
        t_item, t_fam = _power_of_two(
            t_relaxed, t0_relaxed, k_a, g_a, k0_s, act_s, family_has_demand, first, starts,
            fam, None if base_period_days is None else base_period_days / days_per_year,
        )  # fmt: skip
        with np.errstate(invalid="ignore"):
            m = np.where(act_s, t_item / t_fam, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(act_s, k_a / t_item + g_a * t_item, 0.0)
        major = np.where(family_has_demand[starts], k0_s[starts] / t_fam[starts], 0.0)
    fam_cost = major + np.add.reduceat(own, starts)
    t_fam = np.where(family_has_demand, t_fam, np.inf)

    inv = np.empty(n, dtype=np.intp)
    inv[srt] = np.arange(n)
    nan_in = np.isnan(d) | np.isnan(h) | np.isnan(k) | np.isnan(k0_item)

    def back(values: np.ndarray, name: str) -> Any:
        out = values[inv]
        out = np.where(nan_in, np.nan, out)
        return b.wrap(out.reshape(b.shape) if b.shape else out[0], name)

    cycle = t_item * days_per_year
    return JointReplenishment(
        cycle_days=back(cycle, "cycle_days"),
        order_quantity=back(d[srt] * np.where(act_s, t_item, 0.0), "order_quantity"),
        multiple=back(m, "multiple"),
        family_cycle_days=back(t_fam * days_per_year, "family_cycle_days"),
        annual_cost=back(own, "annual_cost"),
        family_annual_cost=back(fam_cost[fam], "family_annual_cost"),
        lower_bound=back(lb[fam], "lower_bound"),
    )


def _power_of_two(t_rel, t0_rel, k_a, g_a, k0_s, act_s, has_demand, first, starts, fam, base):
    """Round relaxed intervals to powers of two of a base period (per family).

    Rows are the items sorted by family; one pseudo-row per family carries K_0 at the
    family's relaxed interval. Returns (T_i, T_0) per row [years].
    """
    nfam = starts.size
    # rows: items, then one pseudo-row per family (K_0, g = 0, the family's interval)
    ell = np.log2(np.where(act_s, t_rel, 1.0))
    ell0 = np.log2(t0_rel[starts])
    live0 = has_demand[starts]
    kk = np.concatenate([np.where(act_s, k_a, 0.0), np.where(live0, k0_s[starts], 0.0)])
    gg = np.concatenate([np.where(act_s, g_a, 0.0), np.zeros(nfam)])
    ll = np.concatenate([ell, ell0])
    ff = np.concatenate([fam, np.arange(nfam)])
    if base is not None:
        x = np.full(nfam, np.log2(base))
        xf = x[ff]
        expo = np.maximum(np.floor(ll - xf + 0.5), 0.0)
    else:
        x, expo = _best_offset(kk, gg, ll, ff, nfam)
        xf = x[ff]
    t = np.exp2(xf + expo)
    n = act_s.size
    t_item = np.where(act_s, t[:n], np.inf)
    t_fam = t[n:][fam]
    # the family interval is the shortest item interval (rounding is monotone; kept exact)
    shortest = np.minimum.reduceat(t_item, starts)[fam]
    t_fam = np.where(np.isfinite(shortest), np.minimum(t_fam, shortest), t_fam)
    return t_item, t_fam


def _best_offset(kk, gg, ll, ff, nfam) -> tuple[np.ndarray, np.ndarray]:
    """x in [0, 1) minimising sum K 2^-(x+k(x)) + g 2^(x+k(x)), k(x) = floor(l - x + 1/2).

    Row i's exponent drops by one as x passes b_i = frac(l_i + 1/2); between the sorted
    b's the cost is A 2^-x + B 2^x, minimised at x = log2(A / B) / 2 within the piece.
    Returns x per family and each row's exponent in the chosen piece (taken from the
    piece itself, so that a boundary x cannot round differently from what was priced).
    """
    live = (kk > 0) | (gg > 0)
    bkp = np.where(live, np.mod(ll + 0.5, 1.0), 1.0)
    k0 = np.floor(ll + 0.5)
    a_row = np.where(live, kk * np.exp2(-k0), 0.0)  # K 2^-k at x = 0
    b_row = np.where(live, gg * np.exp2(k0), 0.0)
    a_tot = np.bincount(ff, weights=a_row, minlength=nfam)
    b_tot = np.bincount(ff, weights=b_row, minlength=nfam)
    srt = np.lexsort((bkp, ff))
    fs, bs = ff[srt], bkp[srt]
    first, starts = _segments(fs)
    # piece after row r: rows up to r have switched (A doubles, B halves for them)
    a_after = a_tot[fs] + _seg_cumsum(a_row[srt], first)
    b_after = b_tot[fs] - _seg_cumsum(0.5 * b_row[srt], first)
    lo_after = bs
    nxt = np.append(bs[1:], 1.0)
    last = np.append(fs[1:] != fs[:-1], True)
    hi_after = np.where(last, 1.0, nxt)
    # plus the piece before each family's first break
    a_all = np.concatenate([a_tot, a_after])
    b_all = np.concatenate([b_tot, b_after])
    lo_all = np.concatenate([np.zeros(nfam), lo_after])
    hi_all = np.concatenate([bs[starts] if starts.size else np.ones(nfam), hi_after])
    f_all = np.concatenate([np.arange(nfam), fs])
    with np.errstate(divide="ignore", invalid="ignore"):
        x = 0.5 * np.log2(a_all / b_all)
    x = np.where(np.isfinite(x), x, lo_all)
    x = np.clip(x, lo_all, hi_all)
    cost = a_all * np.exp2(-x) + b_all * np.exp2(x)
    # a piece of zero width (tied breaks, or rows with nothing to order) is not a policy
    cost = np.where(hi_all > lo_all, cost, np.inf)
    # piece number: 0 before the first break, j after the family's j-th break
    rank = np.arange(fs.size) - first  # 0-based rank of each sorted row in its family
    piece = np.concatenate([np.zeros(nfam, dtype=np.intp), rank + 1])
    pick = np.lexsort((cost, f_all))
    first_of = np.ones(pick.size, dtype=bool)
    first_of[1:] = f_all[pick][1:] != f_all[pick][:-1]
    best = np.zeros(nfam)
    best[f_all[pick][first_of]] = x[pick][first_of]
    chosen = np.zeros(nfam, dtype=np.intp)
    chosen[f_all[pick][first_of]] = piece[pick][first_of]
    rank_row = np.empty(fs.size, dtype=np.intp)
    rank_row[srt] = rank
    switched = rank_row < chosen[ff]
    return best, k0 - switched
