"""The plan's inputs: demand statistics aligned on the items, and the items' figures.

The demand after the scenario's demand multiplier m: D m [units/year], mu_d m and
sigma_d m [units/day]; the lead time after the lead-time multiplier; the holding cost
H = i c [$/unit/year] ([HR] ch. 12). Every cost, quantity and demand figure must be
>= 0 and a pack > 0 (a ValueError names the SKU and the value).

References
----------
.. [SPT] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
   Management in Supply Chains*, 4th ed., CRC Press, 2017, ch. 6.
.. [HR] J. Heizer, B. Render and C. Munson, *Operations Management*, 12th ed.,
   Pearson, 2017, ch. 12 (EOQ, reorder point, safety stock, ABC analysis).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the stages take a Scenario; scenario.py imports them
    from ..scenario import Scenario

#: Where the plan's lead times come from: the items table's quote, or the purchase-order
#: history measured by :func:`workbench.measured_lead_times`.
LEAD_TIME_SOURCES = ("quoted", "history")

# item-table defaults, the same as the data schema's (used when a column is absent or blank)
_ITEM_DEFAULTS = {
    "lead_time_sd_days": 0.0,
    "order_cost": 50.0,
    "holding_cost_rate": 0.25,
    "min_order_qty": 1.0,
    "pack_size": 1.0,
}


def _column(frame: pd.DataFrame, name: str, default: float | None, n: int) -> np.ndarray:
    """A float column of ``frame``, blanks filled with ``default`` (NaN kept if None)."""
    if name not in frame.columns:
        if default is None:
            raise ValueError(f"items must have a column {name!r}")
        return np.full(n, float(default))
    col = frame[name]
    try:
        arr = col.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise ValueError(f"column {name!r} must be numeric; got dtype {col.dtype}") from None
    if default is not None:
        arr = np.where(np.isnan(arr), float(default), arr)
    return arr


def _check_nonneg(name: str, arr: np.ndarray, sku: pd.Index, unit: str) -> None:
    bad = arr < 0
    if np.any(bad):
        first = ", ".join(f"{s!s}={v:g}" for s, v in zip(sku[bad][:3], arr[bad][:3], strict=True))
        raise ValueError(f"{name} must be >= 0 [{unit}]; got {first} ({int(bad.sum())} SKU(s))")


def _aligned_stats(items: pd.DataFrame, stats: pd.DataFrame) -> tuple[pd.Index, pd.DataFrame]:
    """The SKUs of ``items`` and the rows of ``stats`` in their order (checked)."""
    if "sku" in items.columns:
        sku = pd.Index(items["sku"], name="sku")
    else:
        sku = pd.Index(items.index, name="sku")
    for col in ("annual_demand", "daily_mean", "daily_sd"):
        if col not in stats.columns:
            raise ValueError(f"stats must have a column {col!r} (see wb.demand_stats)")
    same = stats.index.equals(sku)
    # when the stats are indexed like the items, their index's cached uniqueness serves
    if not (stats.index.is_unique if same else sku.is_unique):
        dup = sku[sku.duplicated()].unique()[:3].tolist()
        raise ValueError(f"items has duplicated SKUs: {dup}")
    if same:
        return sku, stats
    if not stats.index.is_unique:
        dup = stats.index[stats.index.duplicated()].unique()[:3].tolist()
        raise ValueError(f"stats has duplicated SKUs: {dup}")
    missing = sku.difference(stats.index)
    if len(missing):
        raise ValueError(
            f"stats has no row for {len(missing)} SKU(s) of items, e.g. "
            f"{missing[:3].tolist()}; compute them with wb.demand_stats"
        )
    return sku, stats.reindex(sku)


def _stat(st: pd.DataFrame, name: str) -> np.ndarray:
    return st[name].to_numpy(dtype=float, na_value=np.nan)


def _demand(st: pd.DataFrame, sku: pd.Index, sc: Scenario) -> SimpleNamespace:
    """Annual and daily demand after the scenario's multiplier, and the cv."""
    m_d = float(sc.demand_multiplier)
    annual0, mu0, sd0 = _stat(st, "annual_demand"), _stat(st, "daily_mean"), _stat(st, "daily_sd")
    for name, arr, unit in (
        ("annual_demand", annual0, "units/year"),
        ("daily_mean", mu0, "units/day"),
        ("daily_sd", sd0, "units/day"),
    ):
        _check_nonneg(f"stats {name}", arr, sku, unit)
    if "cv" in st.columns:
        cv = _stat(st, "cv").copy()  # the plan owns its arrays (built without copying)
    else:
        cv = np.full(len(sku), np.nan)
        np.divide(sd0, mu0, out=cv, where=mu0 > 0)
    return SimpleNamespace(annual=annual0 * m_d, mu=mu0 * m_d, sd=sd0 * m_d, cv=cv, m=m_d)


def _item_inputs(items: pd.DataFrame, sku: pd.Index, sc: Scenario, n: int) -> SimpleNamespace:
    """Unit cost, lead time, order and holding cost, MOQ and pack of every SKU (checked)."""
    m_l = float(sc.lead_time_multiplier)
    cost = _column(items, "unit_cost", None, n).copy()
    lt = _column(items, "lead_time_days", None, n) * m_l
    lt_sd = _column(items, "lead_time_sd_days", _ITEM_DEFAULTS["lead_time_sd_days"], n) * m_l
    if sc.order_cost is None:
        order_cost = _column(items, "order_cost", _ITEM_DEFAULTS["order_cost"], n)
    else:
        order_cost = np.full(n, float(sc.order_cost))
    if sc.holding_cost_rate is None:
        rate = _column(items, "holding_cost_rate", _ITEM_DEFAULTS["holding_cost_rate"], n)
    else:
        rate = np.full(n, float(sc.holding_cost_rate))
    moq = _column(items, "min_order_qty", _ITEM_DEFAULTS["min_order_qty"], n)
    pack = _column(items, "pack_size", _ITEM_DEFAULTS["pack_size"], n)
    for name, arr, unit in (
        ("unit_cost", cost, "$/unit"),
        ("lead_time_days", lt, "days"),
        ("lead_time_sd_days", lt_sd, "days"),
        ("order_cost", order_cost, "$/order"),
        ("holding_cost_rate", rate, "1/year"),
        ("min_order_qty", moq, "units"),
    ):
        _check_nonneg(f"items {name}", arr, sku, unit)
    if np.any(pack <= 0):
        bad = pack <= 0
        raise ValueError(
            f"items pack_size must be > 0 [units]; got {pack[bad][0]:g} for SKU "
            f"{sku[bad][0]!s} ({int(bad.sum())} SKU(s))"
        )
    return SimpleNamespace(
        cost=cost, lt=lt, lt_sd=lt_sd, order_cost=order_cost, hold=rate * cost, moq=moq,
        pack=pack, sku=sku,
    )  # fmt: skip
