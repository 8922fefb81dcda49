"""Costs and stock: orders a year, safety and cycle stock, their costs, the average stock.

Ordering S D / (Q + E[U] for "sS") or S 365 / R for "RS". Safety stock SS = s - E[U] -
mu_L (RS: S - mu_{L+R}), held at H. The average stock is the stationary average net
stock at mid-bucket, SS + Q / 2 + (E[U] - mu_R / 2), at least 0. Stockouts per year =
(1 - CSL) x orders per year.

References
----------
.. [SPT] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
   Management in Supply Chains*, 4th ed., CRC Press, 2017, ch. 6.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from ..data.stats import DAYS_PER_YEAR

if TYPE_CHECKING:  # the stages take a Scenario; scenario.py imports them
    from ..scenario import Scenario


def _costs(
    sc: Scenario, d: SimpleNamespace, it: SimpleNamespace, q: np.ndarray, rp: SimpleNamespace
) -> SimpleNamespace:
    """Orders a year, safety and cycle stock, their holding costs and the average stock."""
    n = len(q)
    demand = d.annual > 0
    r_eff = rp.r_eff
    mu_r = d.mu * r_eff
    if sc.policy == "RS":
        orders = np.where(demand, DAYS_PER_YEAR / r_eff, 0.0)
        cycle_stock = mu_r / 2.0
    else:
        size = q + (rp.undershoot if sc.policy == "sS" else 0.0)  # (s, S) orders Q + U
        orders = np.zeros(n)
        np.divide(d.annual, size, out=orders, where=size > 0)
        orders = np.where(np.isnan(q), np.nan, orders)
        cycle_stock = np.where(demand, np.maximum(q / 2.0 + rp.undershoot - mu_r / 2.0, 0.0), 0.0)
    ss = np.where(np.isnan(rp.s), np.nan, rp.s - rp.undershoot - rp.mu_l)
    ss = np.where(demand | np.isnan(ss), ss, 0.0)
    cycle_stock = np.where(np.isnan(rp.s), np.where(np.isnan(q), np.nan, cycle_stock), cycle_stock)
    avg_inv = np.maximum(cycle_stock + ss, 0.0)
    avg_inv = np.where(np.isnan(ss) | np.isnan(cycle_stock), np.nan, avg_inv)
    ordering = np.where(orders > 0, it.order_cost * orders, np.where(np.isnan(orders), np.nan, 0.0))
    k = np.zeros(n)
    np.divide(ss, rp.sd_l, out=k, where=rp.sd_l > 0)
    k = np.where(np.isnan(ss), np.nan, k)
    return SimpleNamespace(
        orders=orders, ordering=ordering, cycle_holding=it.hold * cycle_stock,
        ss_holding=it.hold * ss, ss=ss, k=k, avg_inv=avg_inv,
        stockouts=(1.0 - rp.csl) * orders,
    )  # fmt: skip
