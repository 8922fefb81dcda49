"""The plan frame: one row per SKU, columns :data:`PLAN_COLUMNS`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .distribution_choice import _DEMAND_CLASSES
from .inputs import LEAD_TIME_SOURCES

#: Columns of the plan, in order (see :func:`plan_from_stats`).
PLAN_COLUMNS = (
    "name",
    "category",
    "inventory_type",
    "unit_cost",
    "annual_demand",
    "daily_mean",
    "daily_sd",
    "cv",
    "annual_value",
    "abc",
    "xyz",
    "demand_class",
    "distribution",
    "service_target",
    "target_source",
    "lead_time_days",
    "lead_time_sd_days",
    "lead_time_source",
    "review_period_days",
    "order_cost",
    "holding_cost",
    "eoq",
    "order_quantity",
    "orders_per_year",
    "lead_time_demand_mean",
    "lead_time_demand_sd",
    "safety_factor",
    "safety_stock",
    "reorder_point",
    "order_up_to",
    "expected_undershoot",
    "annual_ordering_cost",
    "cycle_stock_holding_cost",
    "safety_stock_holding_cost",
    "annual_cost",
    "cycle_service_level",
    "expected_fill_rate",
    "stockouts_per_year",
    "average_inventory",
    "average_inventory_value",
    "demand_bucket",
    "short_history",
    "history_note",
    "demand_source",
)


def _lead_time_source(items: pd.DataFrame, n: int) -> pd.Categorical:
    """The items' ``lead_time_source`` column (set by :func:`plan`), else all "quoted"."""
    if "lead_time_source" in items.columns:
        return pd.Categorical(items["lead_time_source"].to_numpy(), categories=LEAD_TIME_SOURCES)
    return pd.Categorical.from_codes(np.zeros(n, np.int8), categories=LEAD_TIME_SOURCES)


def _assemble(items, st, sc, sku, d, it, cls, dcls, q_star, q, rp, c, source) -> pd.DataFrame:
    """The plan frame, columns :data:`PLAN_COLUMNS`."""
    n = len(sku)

    def passthrough(name: str) -> Any:
        if name in items.columns:
            return items[name].array.copy()  # keeps string / categorical dtypes
        # all missing; a categorical with no categories costs nothing at a million rows
        return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), categories=[])

    def passthrough_stat(name: str, default: Any) -> Any:
        if name in st.columns:
            return st[name].array.copy()
        if isinstance(default, pd.Categorical):
            return default
        return np.full(n, default, dtype=object if isinstance(default, str) else type(default))

    out = pd.DataFrame(
        {
            "name": passthrough("name"),
            "category": passthrough("category"),
            "inventory_type": passthrough("inventory_type"),
            "unit_cost": it.cost,
            "annual_demand": d.annual,
            "daily_mean": d.mu,
            "daily_sd": d.sd,
            "cv": d.cv,
            "annual_value": cls.value,
            "abc": cls.abc,
            "xyz": cls.xyz,
            "demand_class": pd.Categorical(dcls.klass, categories=_DEMAND_CLASSES),
            "distribution": pd.Categorical(rp.label),
            "service_target": cls.target,
            "target_source": pd.Categorical.from_codes(
                cls.from_item.astype(np.int8), categories=pd.Index(["class", "item"], dtype=object)
            ),
            "lead_time_days": it.lt,
            "lead_time_sd_days": it.lt_sd,
            "lead_time_source": _lead_time_source(items, n),
            "review_period_days": np.full(n, rp.r_eff),
            "order_cost": it.order_cost,
            "holding_cost": it.hold,
            "eoq": q_star,
            "order_quantity": q,
            "orders_per_year": c.orders,
            "lead_time_demand_mean": rp.mu_l,
            "lead_time_demand_sd": rp.sd_l,
            "safety_factor": c.k,
            "safety_stock": c.ss,
            "reorder_point": rp.s,
            "order_up_to": rp.S,
            "expected_undershoot": rp.undershoot,
            "annual_ordering_cost": c.ordering,
            "cycle_stock_holding_cost": c.cycle_holding,
            "safety_stock_holding_cost": c.ss_holding,
            "annual_cost": c.ordering + c.cycle_holding + c.ss_holding,
            "cycle_service_level": rp.csl,
            "expected_fill_rate": rp.fill,
            "stockouts_per_year": c.stockouts,
            "average_inventory": c.avg_inv,
            "average_inventory_value": c.avg_inv * it.cost,
            "demand_bucket": passthrough_stat(
                "bucket", pd.Categorical.from_codes(np.zeros(n, np.int8), categories=list("DWM"))
            ),
            "short_history": passthrough_stat("short_history", False),
            "history_note": passthrough_stat("history_note", ""),
            "demand_source": source,
        },
        index=sku,
        copy=False,  # fresh arrays: skip pandas' consolidation copy (1/6 of the time)
    )
    out.attrs["scenario"] = sc.to_dict()
    return out
