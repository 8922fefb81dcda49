"""Inputs of :func:`workbench.sim.simulate`: per-SKU arrays from scalars, columns or
tables, checked; the demand source; windows; purchase-order and lot histories."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .demand import DEMAND_MODELS, daily_demand_matrix

# --------------------------------------------------------------------------- inputs


def _items_frame(data: Any) -> pd.DataFrame | None:
    items = getattr(data, "items", None)
    if isinstance(items, pd.DataFrame) and "sku" in items.columns:
        return items.assign(sku=items["sku"].astype(str)).set_index("sku")
    return None


def _per_sku(
    name: str,
    value: Any,
    skus: pd.Index,
    *,
    unit: str = "",
    items: pd.DataFrame | None = None,
    column: str | None = None,
    default: float | None = None,
) -> np.ndarray | None:
    """One float per SKU from a scalar, an array, a Series by sku or an items column."""
    if value is None and items is not None and column and column in items.columns:
        value = items[column]
    if value is None:
        if default is None:
            return None
        value = default
    n = len(skus)
    if isinstance(value, pd.Series):
        if not value.index.is_unique:
            raise ValueError(f"{name} is a Series with a duplicated index; give one value per SKU")
        aligned = value.reindex(skus.astype(value.index.dtype, copy=False))
        arr = aligned.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numeric; got {value!r}") from None
        if arr.ndim > 1 or (arr.ndim == 1 and arr.size != n):
            raise ValueError(
                f"{name} must be a scalar or have one value per SKU ({n}); got shape {arr.shape}"
            )
        arr = np.broadcast_to(arr, (n,)).astype(float)
    bad = ~np.isfinite(arr)
    if bad.any():
        shown = ", ".join(map(str, skus[bad][:5]))
        more = f" (and {int(bad.sum()) - 5} more)" if bad.sum() > 5 else ""
        unit_text = f" [{unit}]" if unit else ""
        raise ValueError(
            f"{name}{unit_text} is missing or not finite for {int(bad.sum())} SKU(s): {shown}{more}"
        )
    return arr


def _check(name: str, arr: np.ndarray | None, ok: np.ndarray, constraint: str, unit: str) -> None:
    if arr is None:
        return
    bad = ~ok
    if np.any(bad):
        vals = ", ".join(f"{v:g}" for v in arr[bad][:3])
        unit_text = f" [{unit}]" if unit else ""
        raise ValueError(
            f"{name} must be {constraint}{unit_text}; got {vals} at {int(bad.sum())} position(s)"
        )


def _resolve_demand(
    demand: Any,
    *,
    frequency: str = "D",
    skus: Any,
    demand_model: str | None,
    demand_mean: Any,
    demand_sd: Any,
    days: int | None,
    dtype: np.dtype,
) -> tuple[str, pd.Index, np.ndarray | None, pd.DatetimeIndex | None, int, Any, Any]:
    """Work out SKUs, the history matrix (if any), the model and the number of days."""
    history = None
    dates = None
    table = None
    if demand is not None and hasattr(demand, "demand") and isinstance(demand.demand, pd.DataFrame):
        items = _items_frame(demand)
        table = demand.demand
        if skus is None and items is not None:
            skus = items.index
        period = getattr(demand, "demand_period", None)
        start, end = period if period is not None else (None, None)
        history, sku_index, dates = daily_demand_matrix(
            table, skus=skus, start=start, end=end, dtype=dtype, frequency=frequency
        )
    elif isinstance(demand, pd.DataFrame):
        if {"date", "sku", "quantity"} <= set(demand.columns):
            history, sku_index, dates = daily_demand_matrix(
                demand, skus=skus, dtype=dtype, frequency=frequency
            )
        else:  # wide: index = dates or days, columns = SKUs
            history = demand.to_numpy(dtype=dtype, na_value=0.0)
            sku_index = pd.Index(demand.columns.astype(str), name="sku")
            if isinstance(demand.index, pd.DatetimeIndex):
                dates = demand.index
    elif demand is not None:
        history = np.asarray(demand, dtype=dtype)
        if history.ndim != 2:
            raise ValueError(
                f"demand must be a Dataset, a demand table, or a days x SKUs matrix; "
                f"got an array of shape {history.shape}"
            )
        if skus is None:
            sku_index = pd.Index(np.arange(history.shape[1]).astype(str), name="sku")
        else:
            sku_index = pd.Index([str(s) for s in skus], name="sku")
            if len(sku_index) != history.shape[1]:
                raise ValueError(
                    f"skus has {len(sku_index)} labels but demand has {history.shape[1]} columns"
                )
    else:
        sku_index = None
        for candidate in (demand_mean, demand_sd):
            if isinstance(candidate, pd.Series):
                sku_index = pd.Index(candidate.index.astype(str), name="sku")
                break
        if skus is not None:
            sku_index = pd.Index([str(s) for s in skus], name="sku")
        if sku_index is None:
            size = np.size(demand_mean) if demand_mean is not None else 1
            sku_index = pd.Index([str(i) for i in range(size)], name="sku")

    if history is not None and history.size and not history.min() >= 0:  # NaN fails too
        bad = np.argwhere(~(history >= 0))[0]
        raise ValueError(
            f"demand must be >= 0 [units/day]; the history holds {history[tuple(bad)]} on "
            f"day {bad[0]} for SKU {sku_index[bad[1]]}"
        )

    if demand_model is None:
        demand_model = "replay" if history is not None else "normal"
    model = str(demand_model).lower().replace("-", "_").replace(" ", "_")
    if model in ("negbin", "nbinom"):
        model = "negative_binomial"
    elif model in ("resample", "iid_bootstrap"):
        model = "bootstrap"
    if model not in DEMAND_MODELS:
        raise ValueError(
            f"demand_model must be one of {', '.join(DEMAND_MODELS)}; got {demand_model!r}"
        )
    if model in ("replay", "bootstrap") and history is None:
        raise ValueError(
            f"demand_model {model!r} needs a demand history (a Dataset, table or matrix)"
        )
    if history is not None and history.shape[0] == 0 and model in ("replay", "bootstrap"):
        raise ValueError("the demand history covers no day")
    if days is None:
        days = history.shape[0] if history is not None else 365
    if int(days) != days or days < 0:
        raise ValueError(f"days must be a whole number >= 0 [days]; got {days!r}")
    return model, sku_index, history, dates, int(days), demand_mean, demand_sd


def _windows(windows: Any, n: int, n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Validated (first day, number of days) of each SKU's bootstrap window, int64."""
    try:
        first, length = windows
    except (TypeError, ValueError):
        raise ValueError(
            "demand_windows must be a pair (first day, number of days) of per-SKU arrays"
        ) from None
    out = []
    for name, v in (("first day", first), ("number of days", length)):
        a = np.broadcast_to(np.asarray(v, dtype=float), (n,))
        _check(f"demand_windows {name}", a, (a >= 0) & (a == np.round(a)), "a whole number >= 0",
               "days")  # fmt: skip
        out.append(a.astype(np.int64))
    _check("demand_windows first day + number of days", out[0] + out[1],
           out[0] + out[1] <= n_days, f"<= the history's {n_days} days", "days")  # fmt: skip
    return out[0], out[1]


def _history_lead_times(purchase_orders: pd.DataFrame, skus: pd.Index):
    """Per-SKU observed lead times (received - ordered, whole days >= 0) in CSR form."""
    po = purchase_orders
    need = {"sku", "order_date", "received_date"}
    if not need <= set(po.columns):
        raise ValueError(f"purchase_orders lacks column(s) {sorted(need - set(po.columns))}")
    lt = (pd.to_datetime(po["received_date"]) - pd.to_datetime(po["order_date"])).dt.days
    col = skus.get_indexer(po["sku"].astype(str))
    ok = lt.notna().to_numpy() & (col >= 0)
    col = col[ok]
    vals = lt.to_numpy(dtype=float, na_value=np.nan)[ok]
    order = np.argsort(col, kind="stable")
    col, vals = col[order], np.maximum(vals[order], 0.0)
    counts = np.bincount(col, minlength=len(skus))
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return offsets, counts, vals


def _lots_on_hand(lots: pd.DataFrame, skus: pd.Index) -> np.ndarray:
    if not {"sku", "quantity"} <= set(lots.columns):
        raise ValueError("lots table lacks column 'sku' or 'quantity'")
    per_sku = lots.assign(sku=lots["sku"].astype(str)).groupby("sku")["quantity"].sum()
    return per_sku.reindex(skus).fillna(0.0).to_numpy(dtype=float)
