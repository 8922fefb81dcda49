"""Economic order quantity (EOQ) family: how much to order.

Pure, vectorized calculators for the deterministic lot-sizing models of the
inventory chapters of the standard texts:

- :func:`eoq` and :func:`eoq_cost`: the classic EOQ and its total-cost curve;
- :func:`eoq_cost_penalty` and :func:`eoq_flat_range`: the flat bottom of that curve;
- :func:`eoq_backorders`: EOQ with planned backorders;
- :func:`epq`: the economic production quantity (finite production rate);
- :func:`setup_cost_for_lot_size`: the setup cost that makes a target lot size optimal;
- :func:`all_units_discount` and :func:`incremental_discount`: quantity discounts;
- :func:`jit_vs_batch`: just-in-time deliveries against batch ordering.

Every function takes scalars, lists, arrays or pandas Series (broadcast together; a
Series in gives a Series out with its index) and returns a :class:`typing.NamedTuple`.
Notation follows Heizer, Render & Munson [HR]: D annual demand, S order (setup) cost,
H holding cost per unit per year, Q order quantity, p production rate.

References
----------
.. [HR] J. Heizer, B. Render and C. Munson, *Operations Management*, 13th ed., Pearson,
   2020, ch. 12 "Inventory Management" and ch. 16 "JIT, Lean, and TPS".
.. [SS] L. V. Snyder and Z.-J. M. Shen, *Fundamentals of Supply Chain Theory*, 2nd ed.,
   Wiley, 2019, ch. 3 "Deterministic Inventory Models".
.. [SPT] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production Management
   in Supply Chains*, 4th ed., CRC Press, 2017, ch. 4 "Order Quantities When Demand Is
   Approximately Level".
.. [N] S. Nahmias and T. L. Olsen, *Production and Operations Analysis*, 7th ed.,
   Waveland, 2015, ch. 4 "Inventory Control Subject to Known Demand" and ch. 8 "Push and
   Pull Production Control Systems: MRP and JIT".
.. [CM] S. Chopra and P. Meindl, *Supply Chain Management: Strategy, Planning, and
   Operation*, 6th ed., Pearson, 2016, ch. 11 "Managing Economies of Scale in a Supply
   Chain: Cycle Inventory".
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .._numeric import (
    Broadcast,
    Numeric,
    broadcast,
    renamed,
    require,
    require_nonnegative,
    require_positive,
)

__all__ = [
    "DiscountResult",
    "EOQBackorderResult",
    "EOQCost",
    "EOQResult",
    "EPQResult",
    "FlatRange",
    "JITComparison",
    "ReplenishmentPlan",
    "all_units_discount",
    "eoq",
    "eoq_backorders",
    "eoq_cost",
    "eoq_cost_penalty",
    "eoq_flat_range",
    "epq",
    "incremental_discount",
    "jit_vs_batch",
    "setup_cost_for_lot_size",
]

_DEMAND = "units/year"
_ORDER = "$/order"
_HOLD = "$/unit/year"


def _div(num: np.ndarray, den: np.ndarray, where_zero: float = 0.0) -> np.ndarray:
    """num / den, giving ``where_zero`` where den == 0 (no warning, NaN kept)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(num, den)
    zero = np.asarray(den) == 0
    if np.any(zero):
        out = np.where(zero & ~np.isnan(num), where_zero, out)
    return out


# --------------------------------------------------------------------------- EOQ


class EOQResult(NamedTuple):
    """Result of :func:`eoq` (each field a float, ndarray or Series)."""

    order_quantity: Any
    """Q* [units]."""
    annual_cost: Any
    """Annual ordering + holding cost at Q* [$/year] (purchase cost excluded)."""
    annual_ordering_cost: Any
    """S D / Q* [$/year]."""
    annual_holding_cost: Any
    """H Q* / 2 [$/year]."""
    orders_per_year: Any
    """D / Q* [1/year]."""
    cycle_time_days: Any
    """Q* / D times ``days_per_year`` [days]; ``inf`` for an item with no demand."""


def eoq(
    annual_demand: Numeric,
    *,
    order_cost: Numeric,
    holding_cost: Numeric,
    days_per_year: Numeric = 365,
) -> EOQResult:
    """Economic order quantity: the order size that minimizes ordering + holding cost.

    Parameters
    ----------
    annual_demand : numeric
        Demand rate [units/year], D (λ in [SS]). Zero is allowed: the item is not
        ordered (Q* = 0, zero cost).
    order_cost : numeric
        Fixed cost of placing one order [$/order], S (K in [SS]).
    holding_cost : numeric
        Cost of holding one unit for a year [$/unit/year], H (h in [SS]).
    days_per_year : numeric, default 365
        Days (or working days) per year used for ``cycle_time_days`` [days/year].

    Returns
    -------
    EOQResult
        ``order_quantity``, ``annual_cost``, ``annual_ordering_cost``,
        ``annual_holding_cost``, ``orders_per_year``, ``cycle_time_days``.

    Raises
    ------
    ValueError
        If ``annual_demand`` < 0, ``order_cost`` <= 0, ``holding_cost`` <= 0 or
        ``days_per_year`` <= 0, or if the inputs do not broadcast.

    Notes
    -----
    Q* = sqrt(2 D S / H), Eq. (3.4) in [SS] ([HR] ch. 12, the basic EOQ model). At Q* the ordering
    cost S D / Q* equals the holding cost H Q* / 2, so the total is sqrt(2 D S H)
    (Eq. (3.5) in [SS]). NaN inputs give NaN outputs.

    References
    ----------
    See the module docstring: [HR] ch. 12, [SS] sec. 3.2.

    Examples
    --------
    Heizer & Render's Sharp, Inc. example (ch. 12): D = 1,000 needles a year,
    S = $10, H = $0.50, 250 working days:

    >>> r = eoq(1000, order_cost=10, holding_cost=0.5, days_per_year=250)
    >>> round(r.order_quantity), round(r.orders_per_year), round(r.cycle_time_days)
    (200, 5, 50)
    >>> round(r.annual_ordering_cost), round(r.annual_holding_cost), round(r.annual_cost)
    (50, 50, 100)
    """
    b = broadcast(
        annual_demand=annual_demand,
        order_cost=order_cost,
        holding_cost=holding_cost,
        days_per_year=days_per_year,
    )
    d, s, h, days = b["annual_demand"], b["order_cost"], b["holding_cost"], b["days_per_year"]
    require_nonnegative("annual_demand", d, _DEMAND)
    require_positive("order_cost", s, _ORDER)
    require_positive("holding_cost", h, _HOLD)
    require_positive("days_per_year", days, "days/year")
    q = np.sqrt(2.0 * d * s / h)
    holding = h * q / 2.0
    # At Q* the ordering cost S D / Q* equals H Q* / 2 and D / Q* = H Q* / (2 S): no
    # division, so zero demand gives zeros, and a million SKUs take fewer passes.
    ordering = holding
    return EOQResult(
        order_quantity=b.wrap(q, "order_quantity"),
        annual_cost=b.wrap(2.0 * holding, "annual_cost"),
        annual_ordering_cost=b.wrap(ordering, "annual_ordering_cost"),
        annual_holding_cost=b.wrap(holding, "annual_holding_cost"),
        orders_per_year=b.wrap(holding / s, "orders_per_year"),
        cycle_time_days=b.wrap(_div(q, d, np.inf) * days, "cycle_time_days"),
    )


class EOQCost(NamedTuple):
    """Result of :func:`eoq_cost`: the annual cost of an order quantity [$/year]."""

    total: Any
    """ordering + holding [$/year]."""
    ordering: Any
    """S D / Q [$/year]."""
    holding: Any
    """H Q / 2 [$/year]."""


def eoq_cost(
    order_quantity: Numeric,
    *,
    annual_demand: Numeric,
    order_cost: Numeric,
    holding_cost: Numeric,
) -> EOQCost:
    """Annual ordering and holding cost of any order quantity: the EOQ cost curve.

    Parameters
    ----------
    order_quantity : numeric
        Order quantity [units], Q. A grid of shape (n,) against scalar item inputs
        gives the curve of one item; a grid of shape (n, 1) against item arrays of
        shape (m,) gives an (n, m) table.
    annual_demand : numeric
        Demand rate [units/year], D.
    order_cost : numeric
        Fixed cost per order [$/order], S.
    holding_cost : numeric
        Holding cost [$/unit/year], H.

    Returns
    -------
    EOQCost
        ``total``, ``ordering`` and ``holding`` annual costs [$/year].

    Raises
    ------
    ValueError
        If ``order_quantity`` < 0, ``annual_demand`` < 0, ``order_cost`` < 0 or
        ``holding_cost`` < 0, or if the inputs do not broadcast.

    Notes
    -----
    TC(Q) = S D / Q + H Q / 2 ([SS] sec. 3.2; [HR] ch. 12). Q = 0 with
    positive demand costs ``inf`` (infinitely many orders); with zero demand, 0.

    Examples
    --------
    Heizer & Render's Sharp, Inc.: at Q = 200 the two parts are $50 each.

    >>> c = eoq_cost([100, 200, 400], annual_demand=1000, order_cost=10, holding_cost=0.5)
    >>> c.total.tolist(), c.ordering.tolist(), c.holding.tolist()
    ([125.0, 100.0, 125.0], [100.0, 50.0, 25.0], [25.0, 50.0, 100.0])
    """
    b = broadcast(
        order_quantity=order_quantity,
        annual_demand=annual_demand,
        order_cost=order_cost,
        holding_cost=holding_cost,
    )
    q, d, s, h = b["order_quantity"], b["annual_demand"], b["order_cost"], b["holding_cost"]
    require_nonnegative("order_quantity", q, "units")
    require_nonnegative("annual_demand", d, _DEMAND)
    require_nonnegative("order_cost", s, _ORDER)
    require_nonnegative("holding_cost", h, _HOLD)
    num = s * d
    ordering = _div(num, q, np.inf)
    ordering = np.where((q == 0) & (num == 0), 0.0, ordering)
    holding = h * q / 2.0
    return EOQCost(
        total=b.wrap(ordering + holding, "total"),
        ordering=b.wrap(ordering, "ordering"),
        holding=b.wrap(holding, "holding"),
    )


# ----------------------------------------------------------------- flat bottom


def eoq_cost_penalty(order_quantity: Numeric, *, optimal_quantity: Numeric) -> Any:
    """Relative cost increase of ordering Q instead of the EOQ Q*: the flat bottom.

    Parameters
    ----------
    order_quantity : numeric
        Quantity actually ordered [units], Q (> 0).
    optimal_quantity : numeric
        The EOQ [units], Q* (> 0).

    Returns
    -------
    numeric
        TC(Q) / TC(Q*) - 1 [fraction]; 0 at Q = Q*, always >= 0.

    Raises
    ------
    ValueError
        If ``order_quantity`` <= 0 or ``optimal_quantity`` <= 0.

    Notes
    -----
    TC(Q) / TC(Q*) = (Q/Q* + Q*/Q) / 2 ([SS] sec. 3.2, sensitivity analysis). Writing
    Q = (1 + p) Q*, the percentage cost penalty is PCP = 50 p^2 / (1 + p) (the PCP formula of the
    sensitivity section of [SPT] ch. 4). The penalty depends on Q/Q* only and is
    symmetric in log(Q/Q*): ordering twice or half the EOQ both cost 25 % more.

    Examples
    --------
    Silver, Pyke & Thomas: a Q 50 % above the EOQ costs only 8.33 % more; twice or
    half the EOQ, 25 % more.

    >>> eoq_cost_penalty([150, 200, 50], optimal_quantity=100).round(4).tolist()
    [0.0833, 0.25, 0.25]
    """
    b = broadcast(order_quantity=order_quantity, optimal_quantity=optimal_quantity)
    q, qs = b["order_quantity"], b["optimal_quantity"]
    require_positive("order_quantity", q, "units")
    require_positive("optimal_quantity", qs, "units")
    ratio = q / qs
    # (x + 1/x)/2 - 1 = (x - 1)^2 / (2 x): no cancellation near x = 1.
    return b.wrap((ratio - 1.0) ** 2 / (2.0 * ratio), "cost_penalty")


class FlatRange(NamedTuple):
    """Result of :func:`eoq_flat_range`: Q within a cost tolerance of the minimum."""

    lower: Any
    """Smallest order quantity within tolerance [units] (a ratio if Q* = 1)."""
    upper: Any
    """Largest order quantity within tolerance [units]."""


def eoq_flat_range(tolerance: Numeric = 0.05, *, optimal_quantity: Numeric = 1.0) -> FlatRange:
    """Interval of order quantities whose cost is within ``tolerance`` of the minimum.

    Parameters
    ----------
    tolerance : numeric, default 0.05
        Allowed relative cost increase [fraction], e.g. 0.05 for 5 %.
    optimal_quantity : numeric, default 1.0
        The EOQ [units], Q*. With the default the bounds are ratios Q/Q*.

    Returns
    -------
    FlatRange
        ``lower`` and ``upper`` [units]; ``lower * upper == optimal_quantity**2``.

    Raises
    ------
    ValueError
        If ``tolerance`` < 0 or ``optimal_quantity`` <= 0.

    Notes
    -----
    Solving (x + 1/x)/2 = 1 + t for x = Q/Q* (see :func:`eoq_cost_penalty`) gives
    x = 1 + t ± sqrt(t (2 + t)): the two roots are reciprocal, so the range is
    symmetric in log(Q/Q*) ([SS] sec. 3.2.3; [SPT] ch. 4).

    Examples
    --------
    Any Q from 73 % to 137 % of the EOQ costs at most 5 % more than the minimum:

    >>> r = eoq_flat_range(0.05)
    >>> round(r.lower, 3), round(r.upper, 3)
    (0.73, 1.37)
    """
    b = broadcast(tolerance=tolerance, optimal_quantity=optimal_quantity)
    t, qs = b["tolerance"], b["optimal_quantity"]
    require_nonnegative("tolerance", t, "fraction")
    require_positive("optimal_quantity", qs, "units")
    root = np.sqrt(t * (2.0 + t))
    # lower root as 1 / upper root: exact reciprocal, no cancellation for small t.
    upper = 1.0 + t + root
    return FlatRange(lower=b.wrap(qs / upper, "lower"), upper=b.wrap(qs * upper, "upper"))


# ------------------------------------------------------------------ backorders


class EOQBackorderResult(NamedTuple):
    """Result of :func:`eoq_backorders`."""

    order_quantity: Any
    """Q* [units]."""
    max_backorder: Any
    """Largest backlog just before a replenishment arrives [units], b* = Q* H/(H+B)
    (with a cost per unit short pi: (H Q* - pi D) / (H + B), or 0)."""
    max_inventory: Any
    """Largest stock on hand, Q* - b* [units]."""
    fraction_backordered: Any
    """Share of demand met from backorder, b* / Q* [fraction] (x* = H / (H + B) in [SS])."""
    annual_cost: Any
    """ordering + holding + backorder [$/year]."""
    annual_ordering_cost: Any
    """S D / Q* [$/year]."""
    annual_holding_cost: Any
    """H (Q* - b*)^2 / (2 Q*) [$/year]."""
    annual_backorder_cost: Any
    """B b*^2 / (2 Q*) + pi D b* / Q* [$/year]."""
    orders_per_year: Any
    """D / Q* [1/year]."""
    cycle_time_days: Any
    """Q* / D times ``days_per_year`` [days]; ``inf`` with no demand."""


def eoq_backorders(
    annual_demand: Numeric,
    *,
    order_cost: Numeric,
    holding_cost: Numeric,
    backorder_cost_per_unit_year: Numeric = None,
    shortage_cost_per_unit: Numeric = 0.0,
    days_per_year: Numeric = 365,
    backorder_cost: Numeric = None,
) -> EOQBackorderResult:
    """EOQ with planned backorders: let a backlog build before each delivery.

    Parameters
    ----------
    annual_demand : numeric
        Demand rate [units/year], D (λ in [SS]).
    order_cost : numeric
        Fixed cost per order [$/order], S (K).
    holding_cost : numeric
        Holding cost [$/unit/year], H (h).
    backorder_cost_per_unit_year : numeric
        Cost of one unit backordered for a year [$/unit/year], B (p in [SS]; pi-hat in
        Hadley and Whitin). Required.
    shortage_cost_per_unit : numeric, default 0
        A further fixed cost per unit backordered [$/unit short], pi, however long it
        waits; with the demand rate it costs pi D b / Q a year. On its own it gives no
        interior optimum (back-order everything or nothing), so it is added to B.
    days_per_year : numeric, default 365
        Days per year for ``cycle_time_days`` [days/year].
    backorder_cost : numeric, optional
        Deprecated name of ``backorder_cost_per_unit_year``.

    Returns
    -------
    EOQBackorderResult
        Order quantity, largest backlog and stock, backordered fraction, annual cost
        and its three parts, orders per year and cycle time.

    Raises
    ------
    ValueError
        If ``annual_demand`` < 0 or any cost or ``days_per_year`` <= 0.

    Notes
    -----
    Eqs. (3.27)-(3.29) in [SS]:
    Q* = sqrt(2 S D (H + B) / (H B)), x* = H / (H + B), b* = x* Q*,
    cost = sqrt(2 S D H B / (H + B)). As B -> inf this becomes the EOQ.

    With a cost pi per unit short as well (the model with a fixed and a time-weighted
    backorder cost of Hadley and Whitin [HW]), the annual cost
    S D / Q + H (Q - b)^2 / (2 Q) + B b^2 / (2 Q) + pi D b / Q is minimised by
    b = (H Q - pi D) / (H + B) and Q* = sqrt(2 S D (H + B) / (H B) - (pi D)^2 / (H B));
    when that gives b* <= 0 (pi D >= H Q*) backordering does not pay: b* = 0 and
    Q* = sqrt(2 S D / H), the EOQ.

    References
    ----------
    .. [HW] G. Hadley and T. M. Whitin, *Analysis of Inventory Systems*, Prentice-Hall,
       1963.

    Examples
    --------
    Snyder & Shen Example 3.8: K = 8, h = 0.225, p = 5, λ = 1300 a year.

    >>> r = eoq_backorders(1300, order_cost=8, holding_cost=0.225,
    ...                    backorder_cost_per_unit_year=5)
    >>> round(r.order_quantity, 2), round(r.fraction_backordered, 4), round(r.annual_cost, 2)
    (310.81, 0.0431, 66.92)
    """
    backorder_cost_per_unit_year = renamed(
        "backorder_cost_per_unit_year", backorder_cost_per_unit_year, "backorder_cost",
        backorder_cost, "$/unit/year",
    )  # fmt: skip
    if backorder_cost_per_unit_year is None:
        raise ValueError(
            "backorder_cost_per_unit_year [$/unit/year] is required (a cost per unit short "
            "alone makes it best to back-order everything or nothing: use eoq)"
        )
    b = broadcast(
        annual_demand=annual_demand,
        order_cost=order_cost,
        holding_cost=holding_cost,
        backorder_cost_per_unit_year=backorder_cost_per_unit_year,
        shortage_cost_per_unit=shortage_cost_per_unit,
        days_per_year=days_per_year,
    )
    d, s, h = b["annual_demand"], b["order_cost"], b["holding_cost"]
    p, pi = b["backorder_cost_per_unit_year"], b["shortage_cost_per_unit"]
    days = b["days_per_year"]
    require_nonnegative("annual_demand", d, _DEMAND)
    require_positive("order_cost", s, _ORDER)
    require_positive("holding_cost", h, _HOLD)
    require_positive("backorder_cost_per_unit_year", p, "$/unit/year")
    require_nonnegative("shortage_cost_per_unit", pi, "$/unit short")
    require_positive("days_per_year", days, "days/year")
    pd_ = pi * d
    with np.errstate(invalid="ignore"):
        q_back = np.sqrt(np.maximum(2.0 * s * d * (h + p) / (h * p) - pd_**2 / (h * p), 0.0))
    backlog = h * q_back - pd_  # (H + B) b*: positive when backordering pays
    pays = backlog > 0
    q = np.where(pays | (pi == 0), q_back, np.sqrt(2.0 * s * d / h))
    back = np.where(pays, backlog / (h + p), 0.0)
    ordering = _div(s * d, q)
    holding = _div(h * (q - back) ** 2, 2.0 * q)
    backorder = _div(p * back**2 + 2.0 * pd_ * back, 2.0 * q)
    x = np.where(pi == 0, h / (h + p), _div(back, q))
    w = b.wrap
    return EOQBackorderResult(
        order_quantity=w(q, "order_quantity"),
        max_backorder=w(back, "max_backorder"),
        max_inventory=w(q - back, "max_inventory"),
        fraction_backordered=w(x, "fraction_backordered"),
        annual_cost=w(ordering + holding + backorder, "annual_cost"),
        annual_ordering_cost=w(ordering, "annual_ordering_cost"),
        annual_holding_cost=w(holding, "annual_holding_cost"),
        annual_backorder_cost=w(backorder, "annual_backorder_cost"),
        orders_per_year=w(_div(d, q), "orders_per_year"),
        cycle_time_days=w(_div(q, d, np.inf) * days, "cycle_time_days"),
    )


# ------------------------------------------------------------------------- EPQ


class EPQResult(NamedTuple):
    """Result of :func:`epq`."""

    order_quantity: Any
    """Production lot size Q* [units]."""
    max_inventory: Any
    """Stock at the end of a run, Q* (1 - D/p) [units]."""
    annual_cost: Any
    """setup + holding [$/year]."""
    annual_setup_cost: Any
    """S D / Q* [$/year]."""
    annual_holding_cost: Any
    """H Q* (1 - D/p) / 2 [$/year]."""
    runs_per_year: Any
    """D / Q* [1/year]."""
    run_time_days: Any
    """Length of a production run, Q*/p times ``days_per_year`` [days]."""
    cycle_time_days: Any
    """Time between run starts, Q*/D times ``days_per_year`` [days]; inf with no demand."""


def epq(
    annual_demand: Numeric,
    *,
    setup_cost: Numeric,
    holding_cost: Numeric,
    production_rate: Numeric,
    days_per_year: Numeric = 365,
) -> EPQResult:
    """Economic production quantity: the lot size when stock builds up during a run.

    Parameters
    ----------
    annual_demand : numeric
        Demand rate [units/year], D (λ in [SS]).
    setup_cost : numeric
        Fixed cost of a production run [$/setup], S (K).
    holding_cost : numeric
        Holding cost [$/unit/year], H (h).
    production_rate : numeric
        Production rate in the same units as ``annual_demand`` [units/year], p (μ).
        Only the ratio D/p enters the lot size, so a daily demand and daily production
        rate give the same Q* when their ratio matches; ``run_time_days`` needs the
        annual rate, though.
    days_per_year : numeric, default 365
        Days per year (working days if the rates are per working day) [days/year].

    Returns
    -------
    EPQResult
        Lot size, maximum inventory, annual cost and parts, runs per year, run length
        and cycle length.

    Raises
    ------
    ValueError
        If ``annual_demand`` < 0, a cost, ``production_rate`` or ``days_per_year`` <= 0,
        or ``production_rate`` <= ``annual_demand`` (the line could never stop).

    Notes
    -----
    Q* = sqrt(2 D S / (H (1 - D/p))), Eq. (3.31) in [SS] ([HR] ch. 12, production
    order quantity model);
    maximum inventory Q*(1 - D/p); cost sqrt(2 D S H (1 - D/p)) (Eq. (3.32) in [SS]).

    Examples
    --------
    Heizer & Render's Nathan Manufacturing (hubcaps): D = 1,000 a year, S = $10,
    H = $0.50, demand 4 a day and production 8 a day over 250 days (p = 2,000 a year):

    >>> r = epq(1000, setup_cost=10, holding_cost=0.5, production_rate=8 * 250,
    ...         days_per_year=250)
    >>> round(r.order_quantity, 1), round(r.max_inventory, 1), round(r.run_time_days, 1)
    (282.8, 141.4, 35.4)
    """
    b = broadcast(
        annual_demand=annual_demand,
        setup_cost=setup_cost,
        holding_cost=holding_cost,
        production_rate=production_rate,
        days_per_year=days_per_year,
    )
    d, s, h = b["annual_demand"], b["setup_cost"], b["holding_cost"]
    p, days = b["production_rate"], b["days_per_year"]
    require_nonnegative("annual_demand", d, _DEMAND)
    require_positive("setup_cost", s, "$/setup")
    require_positive("holding_cost", h, _HOLD)
    require_positive("production_rate", p, _DEMAND)
    require_positive("days_per_year", days, "days/year")
    require("production_rate", p, p > d, "> annual_demand", _DEMAND)
    keep = 1.0 - d / p
    q = np.sqrt(2.0 * d * s / (h * keep))
    setup = _div(s * d, q)
    holding = h * q * keep / 2.0
    w = b.wrap
    return EPQResult(
        order_quantity=w(q, "order_quantity"),
        max_inventory=w(q * keep, "max_inventory"),
        annual_cost=w(setup + holding, "annual_cost"),
        annual_setup_cost=w(setup, "annual_setup_cost"),
        annual_holding_cost=w(holding, "annual_holding_cost"),
        runs_per_year=w(_div(d, q), "runs_per_year"),
        run_time_days=w(q / p * days, "run_time_days"),
        cycle_time_days=w(_div(q, d, np.inf) * days, "cycle_time_days"),
    )


def setup_cost_for_lot_size(
    order_quantity: Numeric,
    *,
    annual_demand: Numeric,
    holding_cost: Numeric,
    production_rate: Numeric | None = None,
) -> Any:
    """Setup (order) cost at which a target lot size is the economic one.

    The JIT question turned around: to run lots of Q units economically, how low must
    the setup cost fall? Inverts :func:`epq` (or :func:`eoq` without a production rate).

    Parameters
    ----------
    order_quantity : numeric
        Target lot size [units], Q.
    annual_demand : numeric
        Demand rate [units/year], D (> 0).
    holding_cost : numeric
        Holding cost [$/unit/year], H.
    production_rate : numeric, optional
        Production rate [units/year], p; None for instantaneous delivery (EOQ).

    Returns
    -------
    numeric
        S = H Q^2 (1 - D/p) / (2 D) [$/setup].

    Raises
    ------
    ValueError
        If ``order_quantity`` < 0, ``annual_demand`` or ``holding_cost`` <= 0, or
        ``production_rate`` <= ``annual_demand``.

    Notes
    -----
    Heizer & Render ch. 16, "Determining optimal setup cost" (JIT lot-size reduction);
    the EPQ formula (Eq. (3.31) in [SS]) solved for S.

    Examples
    --------
    Heizer & Render ch. 16, Crate Furniture: D = 400 a year, demand 2 a day, production
    4 a day, H = $20, desired lot 40 units: the setup cost must come down to $20.

    >>> setup_cost_for_lot_size(40, annual_demand=400, holding_cost=20,
    ...                         production_rate=400 * 4 / 2)
    20.0
    """
    b = broadcast(
        order_quantity=order_quantity,
        annual_demand=annual_demand,
        holding_cost=holding_cost,
        production_rate=np.inf if production_rate is None else production_rate,
    )
    q, d, h, p = b["order_quantity"], b["annual_demand"], b["holding_cost"], b["production_rate"]
    require_nonnegative("order_quantity", q, "units")
    require_positive("annual_demand", d, _DEMAND)
    require_positive("holding_cost", h, _HOLD)
    require("production_rate", p, p > d, "> annual_demand", _DEMAND)
    return b.wrap(h * q**2 * (1.0 - d / p) / (2.0 * d), "setup_cost")


# ------------------------------------------------------------------- discounts


class DiscountResult(NamedTuple):
    """Result of :func:`all_units_discount` and :func:`incremental_discount`."""

    order_quantity: Any
    """Cost-minimizing order quantity [units]."""
    unit_price: Any
    """Price of the break the optimum falls in [$/unit] (the marginal price of the last
    units for an incremental schedule)."""
    annual_cost: Any
    """purchase + ordering + holding at the optimum [$/year]."""
    annual_purchase_cost: Any
    """[$/year]."""
    annual_ordering_cost: Any
    """[$/year]."""
    annual_holding_cost: Any
    """[$/year]."""
    candidates: pd.DataFrame | None
    """One row per (item,) break: ``min_quantity``, ``max_quantity``, ``unit_price``,
    ``eoq`` (the unconstrained EOQ at that price), ``feasible`` (whether that EOQ lies
    in the break's range), ``order_quantity`` (the adjusted candidate), ``annual_cost``,
    ``annual_purchase_cost``, ``annual_ordering_cost``, ``annual_holding_cost`` and
    ``optimal``. An all-units candidate that cannot be optimal (its EOQ lies above its
    range, so the next, cheaper break does better) has NaN costs. For one item the
    index is the break number; for several, an (item, break) MultiIndex where item is
    the input Series' index label or the position. None when called with
    ``candidates=False``."""


def _price_table(price_breaks: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return (min_quantity, unit_price) arrays of shape (..., k) from a price table."""
    if isinstance(price_breaks, pd.DataFrame):
        missing = {"min_quantity", "unit_price"} - set(price_breaks.columns)
        if missing:
            raise ValueError(
                "price_breaks DataFrame needs columns 'min_quantity' and 'unit_price'; "
                f"missing {sorted(missing)}"
            )
        table = price_breaks[["min_quantity", "unit_price"]].to_numpy(dtype=float)
    else:
        try:
            table = np.asarray(price_breaks, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(
                "price_breaks must be a sequence of (min_quantity, unit_price) pairs; "
                f"got {price_breaks!r}"
            ) from None
    if table.ndim < 2 or table.shape[-1] != 2 or table.shape[-2] == 0:
        raise ValueError(
            "price_breaks must be a sequence of (min_quantity, unit_price) pairs "
            f"(an array of shape (..., k, 2) with k >= 1); got shape {table.shape}"
        )
    qmin, price = table[..., 0], table[..., 1]
    pad = np.isnan(qmin)  # rows of NaN pad per-item tables of unequal length
    if np.any(pad != np.isnan(price)):
        raise ValueError("price_breaks rows must be complete: a NaN pads a whole row")
    if np.any(pad[..., 0]):
        raise ValueError("price_breaks: the first break of each table must not be NaN")
    if np.any(np.diff(pad.astype(int), axis=-1) < 0):
        raise ValueError("price_breaks: NaN padding rows must come last")
    require_nonnegative("price_breaks min_quantity", qmin, "units")
    require_positive("price_breaks unit_price", price, "$/unit")
    steps = np.diff(qmin, axis=-1)
    require("price_breaks min_quantity", steps, steps > 0, "strictly increasing", "units")
    return qmin, price


def _discount_setup(annual_demand, order_cost, holding_cost_rate, price_breaks):
    b = broadcast(
        annual_demand=annual_demand, order_cost=order_cost, holding_cost_rate=holding_cost_rate
    )
    d, s, r = b["annual_demand"], b["order_cost"], b["holding_cost_rate"]
    require_nonnegative("annual_demand", d, _DEMAND)
    require_positive("order_cost", s, _ORDER)
    require_positive("holding_cost_rate", r, "1/year")
    qmin, price = _price_table(price_breaks)
    steps = np.diff(price, axis=-1)
    require(
        "price_breaks unit_price", steps, steps <= 0, "non-increasing in min_quantity", "$/unit"
    )
    table_lead = qmin.shape[:-1]
    try:
        lead = np.broadcast_shapes(b.shape, table_lead)
    except ValueError:
        raise ValueError(
            f"price_breaks of shape {(*table_lead, qmin.shape[-1], 2)} do not match the "
            f"items' shape {b.shape}: pass one (k, 2) table or one per item, (n, k, 2)"
        ) from None
    if lead != b.shape:
        raise ValueError(
            f"price_breaks have more item dimensions {table_lead} than the other inputs "
            f"{b.shape}: give annual_demand one value per table"
        )
    k = qmin.shape[-1]
    qmin = np.broadcast_to(qmin, (*lead, k))
    price = np.broadcast_to(price, (*lead, k))
    qmax = np.concatenate([qmin[..., 1:], np.full((*lead, 1), np.inf)], axis=-1)
    qmax = np.where(np.isnan(qmax), np.inf, qmax)  # the last real break is open-ended
    return b, d[..., None], s[..., None], r[..., None], qmin, qmax, price


def _discount_result(
    b: Broadcast,
    d,
    q,
    price,
    purchase,
    ordering,
    holding,
    qmin,
    qmax,
    eoq_i,
    feasible,
    excluded,
    with_table: bool,
) -> DiscountResult:
    total = purchase + ordering + holding
    nan = np.isnan(total)
    best = np.argmin(np.where(nan | excluded, np.inf, total), axis=-1)[..., None]
    nan_item = np.all(nan, axis=-1)

    def pick(a):
        out = np.take_along_axis(np.broadcast_to(a, total.shape), best, axis=-1)[..., 0]
        return np.where(nan_item, np.nan, out)

    zero = d[..., 0] == 0  # no demand: do not order
    oq = np.where(zero, 0.0, pick(q))
    parts = [np.where(zero, 0.0, pick(x)) for x in (purchase, ordering, holding)]
    optimal = np.zeros(total.shape, dtype=bool)
    np.put_along_axis(optimal, best, ~nan_item[..., None], axis=-1)

    w = b.wrap
    result = DiscountResult(
        order_quantity=w(oq, "order_quantity"),
        unit_price=w(pick(price), "unit_price"),
        annual_cost=w(sum(parts), "annual_cost"),
        annual_purchase_cost=w(parts[0], "annual_purchase_cost"),
        annual_ordering_cost=w(parts[1], "annual_ordering_cost"),
        annual_holding_cost=w(parts[2], "annual_holding_cost"),
        candidates=None,
    )
    if not with_table:
        return result
    if np.any(excluded):  # dominated candidates show no cost in the table
        purchase, ordering, holding, total = (
            np.where(excluded, np.nan, x) for x in (purchase, ordering, holding, total)
        )
    k = total.shape[-1]
    cols = {
        "min_quantity": qmin,
        "max_quantity": qmax,
        "unit_price": price,
        "eoq": eoq_i,
        "feasible": feasible,
        "order_quantity": q,
        "annual_cost": total,
        "annual_purchase_cost": purchase,
        "annual_ordering_cost": ordering,
        "annual_holding_cost": holding,
        "optimal": optimal,
    }
    flat = {c: np.broadcast_to(v, total.shape).reshape(-1) for c, v in cols.items()}
    frame = pd.DataFrame(flat)
    if b.scalar:
        frame.index = pd.RangeIndex(k, name="break")
    else:
        items = b.index if b.index is not None else pd.RangeIndex(int(np.prod(b.shape)))
        frame.index = pd.MultiIndex.from_product(
            [items, range(k)], names=[items.name or "item", "break"]
        )
    frame = frame[~np.isnan(np.broadcast_to(qmin, total.shape).reshape(-1))]
    return result._replace(candidates=frame)


def all_units_discount(
    annual_demand: Numeric,
    *,
    order_cost: Numeric,
    holding_cost_rate: Numeric,
    price_breaks: Any,
    candidates: bool = True,
) -> DiscountResult:
    """Optimal order quantity under an all-units quantity discount.

    Reaching a break lowers the price of every unit in the order.

    Parameters
    ----------
    annual_demand : numeric
        Demand rate [units/year], D.
    order_cost : numeric
        Fixed cost per order [$/order], S.
    holding_cost_rate : numeric
        Holding cost as a fraction of the unit price per year [1/year], I; the holding
        cost at a break is H = I P.
    price_breaks : sequence of (min_quantity, unit_price), DataFrame or array
        The price schedule: rows of (smallest quantity of the break [units], unit price
        [$/unit]) with strictly increasing ``min_quantity`` and non-increasing price; a
        DataFrame needs those two columns. One (k, 2) table is shared by all items; an
        array of shape (n, k, 2) gives each of n items its own table (pad shorter tables
        with rows of NaN).
    candidates : bool, default True
        Build the ``candidates`` table (k rows per item). Pass False on large runs
        that need only the optimum: the table costs more than the optimization.

    Returns
    -------
    DiscountResult
        ``order_quantity``, ``unit_price``, ``annual_cost`` (purchase + ordering +
        holding) and its parts, and the ``candidates`` table (one row per break) for
        the cost chart.

    Raises
    ------
    ValueError
        If ``annual_demand`` < 0, ``order_cost`` or ``holding_cost_rate`` <= 0, or the
        price table is malformed (message names the problem), or a price rises with
        quantity.

    Notes
    -----
    For each break i with price P_i and range [q_i, q_{i+1}): compute
    EOQ_i = sqrt(2 D S / (I P_i)); if EOQ_i < q_i raise the candidate to q_i; if
    EOQ_i >= q_{i+1} the break cannot be optimal (the next, cheaper break does better)
    and its costs are NaN in ``candidates``. Choose the candidate of least
    TC = D P_i + S D / Q + I P_i Q / 2 (the four-step procedure of the quantity
    discount model in
    [HR] ch. 12; [CM] ch. 11; [SPT] sec. 4.7). An item with no demand orders nothing.

    Examples
    --------
    Heizer & Render's Wohl's Discount Store: D = 5,000, S = $49, I = 20 %,
    $5.00 below 1,000 units, $4.80 from 1,000, $4.75 from 2,000:

    >>> r = all_units_discount(5000, order_cost=49, holding_cost_rate=0.2,
    ...                        price_breaks=[(0, 5.00), (1000, 4.80), (2000, 4.75)])
    >>> r.order_quantity, r.unit_price, round(r.annual_cost, 2)
    (1000.0, 4.8, 24725.0)
    >>> r.candidates[["eoq", "order_quantity", "annual_cost"]].round(1)
    ... # doctest: +NORMALIZE_WHITESPACE
             eoq  order_quantity  annual_cost
    break
    0      700.0           700.0      25700.0
    1      714.4          1000.0      24725.0
    2      718.2          2000.0      24822.5
    """
    b, d, s, r, qmin, qmax, price = _discount_setup(
        annual_demand, order_cost, holding_cost_rate, price_breaks
    )
    h = r * price
    eoq_i = np.sqrt(2.0 * d * s / h)
    feasible = (eoq_i >= qmin) & (eoq_i < qmax)
    q = np.maximum(eoq_i, qmin)
    purchase = d * price
    ordering = _div(s * d, q, np.inf)
    ordering = np.where((q == 0) & (d == 0), 0.0, ordering)
    holding = h * q / 2.0
    excluded = eoq_i >= qmax  # dominated by the next, cheaper break
    return _discount_result(
        b,
        d,
        q,
        price,
        purchase,
        ordering,
        holding,
        qmin,
        qmax,
        eoq_i,
        feasible,
        excluded,
        candidates,
    )


def incremental_discount(
    annual_demand: Numeric,
    *,
    order_cost: Numeric,
    holding_cost_rate: Numeric,
    price_breaks: Any,
    candidates: bool = True,
) -> DiscountResult:
    """Optimal order quantity under an incremental (marginal-unit) quantity discount.

    Only the units beyond a break get that break's lower price.

    Parameters
    ----------
    annual_demand : numeric
        Demand rate [units/year], D.
    order_cost : numeric
        Fixed cost per order [$/order], S.
    holding_cost_rate : numeric
        Holding cost as a fraction of the value held per year [1/year], h; the stock is
        valued at the average price paid per unit of the order.
    price_breaks : sequence of (min_quantity, unit_price), DataFrame or array
        The marginal price schedule: rows of (first unit quantity of the break [units],
        price of each unit in the break [$/unit]) with strictly increasing
        ``min_quantity`` and non-increasing price; units below the first break are
        charged the first price. One (k, 2) table is shared; an (n, k, 2) array gives
        each item its own table (pad with rows of NaN).
    candidates : bool, default True
        Build the ``candidates`` table (k rows per item); False skips it.

    Returns
    -------
    DiscountResult
        As :func:`all_units_discount`; ``unit_price`` is the marginal price of the break
        the optimal quantity falls in.

    Raises
    ------
    ValueError
        If ``annual_demand`` < 0, ``order_cost`` or ``holding_cost_rate`` <= 0, the
        price table is malformed, or a price rises with quantity.

    Notes
    -----
    With V_i = cost of the first q_i units, an order of Q in break i costs
    V_i + C_i (Q - q_i) = C_i Q + F_i with F_i = V_i - C_i q_i. The annual cost
    TC_i(Q) = D (S + F_i)/Q + D C_i + h (C_i Q + F_i) / 2 is an EOQ cost with order cost
    S + F_i, so EOQ_i = sqrt(2 D (S + F_i) / (h C_i)), clipped to [q_i, q_{i+1}] (the
    cost is continuous across breaks). Choose the cheapest candidate ([CM] ch. 11,
    "Lot sizing with incremental unit quantity discounts"; [SPT] sec. 4.7).

    Examples
    --------
    Chopra & Meindl's Drugs Online vitamins: 10,000 bottles a month, S = $100, h = 20 %,
    $3.00 a bottle for the first 5,000, $2.96 for the next 5,000, $2.92 beyond:

    >>> r = incremental_discount(120_000, order_cost=100, holding_cost_rate=0.2,
    ...                          price_breaks=[(0, 3.00), (5000, 2.96), (10000, 2.92)])
    >>> round(r.order_quantity), round(r.annual_cost)
    (16961, 360365)
    """
    b, d, s, r, qmin, qmax, price = _discount_setup(
        annual_demand, order_cost, holding_cost_rate, price_breaks
    )
    first = price[..., :1] * qmin[..., :1]
    widths = np.nan_to_num(np.diff(qmin, axis=-1) * price[..., :-1])
    v = np.concatenate([first, first + np.cumsum(widths, axis=-1)], axis=-1)
    fixed = v - price * qmin  # F_i >= 0 when prices fall with quantity
    eoq_i = np.sqrt(2.0 * d * (s + fixed) / (r * price))
    feasible = (eoq_i >= qmin) & (eoq_i <= qmax)
    q = np.clip(eoq_i, qmin, qmax)
    value = price * q + fixed  # purchase cost of one order
    ordering = _div(s * d, q, np.inf)
    ordering = np.where((q == 0) & (d == 0), 0.0, ordering)
    purchase = _div(d * value, q, np.inf)
    purchase = np.where((q == 0) & (d == 0), 0.0, purchase)
    holding = r * value / 2.0
    excluded = np.zeros(q.shape, dtype=bool)
    return _discount_result(
        b,
        d,
        q,
        price,
        purchase,
        ordering,
        holding,
        qmin,
        qmax,
        eoq_i,
        feasible,
        excluded,
        candidates,
    )


# --------------------------------------------------------------- JIT vs batch


class ReplenishmentPlan(NamedTuple):
    """One side of :func:`jit_vs_batch`."""

    order_quantity: Any
    """Units per order or delivery [units]."""
    orders_per_year: Any
    """[1/year]."""
    average_stock: Any
    """Average cycle stock, Q/2 [units]."""
    average_stock_value: Any
    """Q/2 times the unit cost [$]."""
    annual_ordering_cost: Any
    """[$/year]."""
    annual_holding_cost: Any
    """[$/year]."""
    annual_purchase_cost: Any
    """D times the unit cost [$/year]."""
    annual_cost: Any
    """ordering + holding + purchase [$/year]."""


class JITComparison(NamedTuple):
    """Result of :func:`jit_vs_batch`."""

    batch: ReplenishmentPlan
    """EOQ batches at the batch order cost."""
    jit: ReplenishmentPlan
    """Small frequent deliveries at the JIT order cost."""
    jit_saving: Any
    """batch.annual_cost - jit.annual_cost [$/year]; positive when JIT pays."""
    jit_cheaper: Any
    """jit_saving > 0 (bool)."""
    breakeven_jit_order_cost: Any
    """The JIT order cost at which both cost the same [$/order]: JIT pays below it. NaN
    when no order cost >= 0 makes JIT pay (its price premium, or its holding cost at the
    fixed delivery frequency, alone exceeds the batch cost)."""
    stock_reduction: Any
    """Fraction of the batch average stock value that JIT frees [fraction]."""

    def to_frame(self) -> pd.DataFrame:
        """The two plans side by side, for a table or a bar chart.

        One row per plan ("batch", "jit"), one column per :class:`ReplenishmentPlan`
        field; for several items the index is (plan, item).
        """
        frames = {}
        for name in ("batch", "jit"):
            fields = getattr(self, name)._asdict()
            if all(np.ndim(v) == 0 for v in fields.values()):
                frames[name] = pd.DataFrame(fields, index=pd.RangeIndex(1))
            elif any(isinstance(v, pd.Series) for v in fields.values()):
                frames[name] = pd.DataFrame(fields)
            else:
                frames[name] = pd.DataFrame({k: np.ravel(v) for k, v in fields.items()})
        frame = pd.concat(frames, names=["plan"])
        if len(frame) == 2 and all(np.ndim(v) == 0 for v in self.batch):
            frame.index = pd.Index(["batch", "jit"], name="plan")
        return frame


def jit_vs_batch(
    annual_demand: Numeric,
    *,
    unit_cost: Numeric,
    holding_cost_rate: Numeric,
    batch_order_cost: Numeric,
    jit_order_cost: Numeric,
    jit_deliveries_per_year: Numeric | None = None,
    jit_unit_cost: Numeric | None = None,
) -> JITComparison:
    """Compare just-in-time deliveries with batch (EOQ) ordering: when does JIT pay?

    Parameters
    ----------
    annual_demand : numeric
        Demand rate [units/year], D.
    unit_cost : numeric
        Unit purchase cost under batch ordering [$/unit], C.
    holding_cost_rate : numeric
        Holding cost as a fraction of unit cost per year [1/year], I.
    batch_order_cost : numeric
        Order or setup cost with batch ordering [$/order], S_b.
    jit_order_cost : numeric
        The (lower) cost per delivery under JIT [$/order], S_j, e.g. after setup
        reduction or with a nearby supplier on a milk run.
    jit_deliveries_per_year : numeric, optional
        Fixed JIT delivery frequency [1/year] (e.g. 250 for daily, 52 for weekly);
        None lets JIT order its own EOQ at ``jit_order_cost``.
    jit_unit_cost : numeric, optional
        Unit cost under JIT [$/unit] if the JIT supplier charges a different price;
        default ``unit_cost``.

    Returns
    -------
    JITComparison
        ``batch`` and ``jit`` plans (quantity, orders a year, average stock in units
        and money, annual ordering, holding, purchase and total cost), the saving,
        which is cheaper, the break-even JIT order cost and the stock value freed.

    Raises
    ------
    ValueError
        If ``annual_demand`` < 0, ``unit_cost``, ``holding_cost_rate`` or
        ``batch_order_cost`` <= 0, ``jit_order_cost`` < 0, ``jit_unit_cost`` <= 0 or
        ``jit_deliveries_per_year`` <= 0.

    Notes
    -----
    Batch: Q_b = sqrt(2 D S_b / (I C)), annual cost sqrt(2 D S_b I C) + D C.
    JIT with its own EOQ: cost sqrt(2 D S_j I C_j) + D C_j, so JIT pays when
    S_j < (TC_b - D C_j)^2 / (2 D I C_j). JIT with n deliveries a year: Q_j = D / n,
    cost S_j n + I C_j D / (2 n) + D C_j, break-even S_j = (TC_b - D C_j - I C_j D/(2n))/n.
    The square-root law is why JIT starts with setup reduction: cutting S by a factor
    of 4 halves the lot size, the cycle stock and the ordering + holding cost
    ([HR] ch. 16, "Reduce setup costs"; [N] ch. 8, JIT and the EOQ).

    Examples
    --------
    Sharp, Inc.'s needles ([HR] ch. 12) at $5 a unit and I = 10 % (H = $0.50): a setup
    cut from $10 to $2.50 halves the lot size and the ordering + holding cost.

    >>> c = jit_vs_batch(1000, unit_cost=5, holding_cost_rate=0.1, batch_order_cost=10,
    ...                  jit_order_cost=2.5)
    >>> round(c.batch.order_quantity), round(c.jit.order_quantity), round(c.jit_saving)
    (200, 100, 50)
    >>> round(c.breakeven_jit_order_cost, 2), bool(c.jit_cheaper)
    (10.0, True)
    >>> c.to_frame()[["order_quantity", "average_stock_value", "annual_cost"]]
    ... # doctest: +NORMALIZE_WHITESPACE
           order_quantity  average_stock_value  annual_cost
    plan
    batch           200.0                500.0       5100.0
    jit             100.0                250.0       5050.0

    A dashboard sweeps the JIT order cost in one call (inputs broadcast):

    >>> sweep = jit_vs_batch(1000, unit_cost=5, holding_cost_rate=0.1, batch_order_cost=10,
    ...                      jit_order_cost=[1, 5, 10, 20])
    >>> sweep.jit_saving.round(1).tolist()
    [68.4, 29.3, 0.0, -41.4]
    """
    b = broadcast(
        annual_demand=annual_demand,
        unit_cost=unit_cost,
        holding_cost_rate=holding_cost_rate,
        batch_order_cost=batch_order_cost,
        jit_order_cost=jit_order_cost,
        jit_deliveries_per_year=np.nan
        if jit_deliveries_per_year is None
        else jit_deliveries_per_year,
        jit_unit_cost=unit_cost if jit_unit_cost is None else jit_unit_cost,
    )
    d, c, r = b["annual_demand"], b["unit_cost"], b["holding_cost_rate"]
    sb, sj, n, cj = (
        b["batch_order_cost"],
        b["jit_order_cost"],
        b["jit_deliveries_per_year"],
        b["jit_unit_cost"],
    )
    require_nonnegative("annual_demand", d, _DEMAND)
    require_positive("unit_cost", c, "$/unit")
    require_positive("holding_cost_rate", r, "1/year")
    require_positive("batch_order_cost", sb, _ORDER)
    require_nonnegative("jit_order_cost", sj, _ORDER)
    require_positive("jit_unit_cost", cj, "$/unit")
    fixed_freq = jit_deliveries_per_year is not None
    if fixed_freq:
        require_positive("jit_deliveries_per_year", n, "1/year")

    def plan(q, s, price, orders):
        holding = r * price * q / 2.0
        ordering = s * orders
        purchase = d * price
        w = b.wrap
        return ReplenishmentPlan(
            order_quantity=w(q, "order_quantity"),
            orders_per_year=w(orders, "orders_per_year"),
            average_stock=w(q / 2.0, "average_stock"),
            average_stock_value=w(price * q / 2.0, "average_stock_value"),
            annual_ordering_cost=w(ordering, "annual_ordering_cost"),
            annual_holding_cost=w(holding, "annual_holding_cost"),
            annual_purchase_cost=w(purchase, "annual_purchase_cost"),
            annual_cost=w(ordering + holding + purchase, "annual_cost"),
        ), ordering + holding + purchase

    qb = np.sqrt(2.0 * d * sb / (r * c))
    batch, tcb = plan(qb, sb, c, _div(d, qb))
    # Batch ordering + holding cost, without the purchase cost: the break-even room is
    # formed from this and the price difference, not from two large totals subtracted
    # (which cancels catastrophically when annual purchases dwarf the other costs).
    relevant_b = sb * _div(d, qb) + r * c * qb / 2.0
    if fixed_freq:
        nj = np.where(d == 0, 0.0, n)
        qj = _div(d, nj)
        jit, tcj = plan(qj, sj, cj, nj)
        room = relevant_b + d * (c - cj) - r * cj * qj / 2.0
        breakeven = _div(room, nj, np.nan)
    else:
        qj = np.sqrt(2.0 * d * sj / (r * cj))
        jit, tcj = plan(qj, sj, cj, _div(d, qj))
        room = relevant_b + d * (c - cj)
        breakeven = _div(room**2, 2.0 * d * r * cj, np.nan)
    breakeven = np.where(room < 0, np.nan, breakeven)
    saving = tcb - tcj
    value_b = c * qb / 2.0
    freed = _div(value_b - cj * qj / 2.0, value_b, 0.0)
    return JITComparison(
        batch=batch,
        jit=jit,
        jit_saving=b.wrap(saving, "jit_saving"),
        jit_cheaper=b.wrap(saving > 0, "jit_cheaper"),
        breakeven_jit_order_cost=b.wrap(breakeven, "breakeven_jit_order_cost"),
        stock_reduction=b.wrap(freed, "stock_reduction"),
    )
