"""Simulate inventory policies for a whole portfolio of SKUs at once, day by day.

One call runs every SKU together, with no Python loop over SKUs. Two engines give
the same run:

- ``engine="numba"`` (the default): a compiled day step (:mod:`._kernel`) that
  visits each SKU once a day, keeping its state in registers, in blocks of SKUs
  that fit the core's cache, the blocks spread over the machine's cores.
- ``engine="numpy"``: the loop is over days, and each day is a few NumPy
  operations on arrays holding all SKUs. With backorders, demand does not depend
  on stock, so a day only compares the chunk's cumulative demand with each SKU's
  ordering threshold and places the orders of the few SKUs that trigger; levels,
  receipts and every statistic are then computed for the whole chunk at once in
  preallocated arrays. With lost sales the level is updated day by day.

Days are processed in chunks; progress is reported, and a stop request honoured,
between chunks. Random lead times are drawn per (SKU, order number) from
counter-based streams (:mod:`._streams`), so they do not depend on the engine, the
chunking or the other SKUs of the run.

Timing convention (the same for every policy and both engines)
---------------------------------------------------------------
The one convention of the workbench, written out in ``docs/timing.md``. Each day
(bucket) ``t`` runs three steps:

1. **Receive** the orders due on day ``t``; they first fill backorders.
2. **Review**: if the policy reviews today, compare the inventory position
   IP = on hand + on order - backorders with the trigger and order. An order
   placed on day ``t`` with a lead time of ``L`` days (a whole number >= 0) is
   received at the start of day ``t + L``; ``L = 0`` means at once, before the
   day's demand.
3. **Demand** of day ``t`` is served from on hand; what cannot be served is
   backordered or lost (``unmet=``).

A policy reviewed every R days therefore protects against the demand of L + R days
(base stock and the (s, .) policies: R = 1, so L + 1). A random lead time is rounded
to the nearest whole day, and a draw that rounds below 0 is 0.

Weekly and monthly data
-----------------------
With a dataset whose ``demand_frequency`` is ``"W"`` or ``"M"`` (or ``frequency=``),
a step is a bucket (a week, a month) instead of a day: the demand matrix holds one row
per bucket, and lead times and review periods, given in days, become whole buckets:
``L / b`` for buckets of ``b`` days (7, or 365.25 / 12) rounded to the nearest whole
bucket, at least one, as daily runs round to whole days (random lead times: mean
``L / b`` and sd ``sd / b``, purchase-order lead times divided by ``b``, each draw
rounded). ``days``, ``warmup_days`` and ``review_offset_days`` then count buckets,
``demand_mean`` / ``demand_sd`` are per bucket, and ``days_per_year`` is turned into
buckets per year (12 months, 365.25 / 7 weeks).

Such a run reviews once a bucket, at its start, and the stock must protect the lead
time plus that bucket. Against the plan (:func:`workbench.plan`, which uses the lead
time and review period in days, unrounded) this agrees when the review period is a
bucket and the lead time close to whole buckets (weekly review of weekly data with a
lead time of whole weeks; monthly review of monthly data with lead times of about 1, 2,
3 months); rounding moves the protection interval by up to half a bucket either way.
Rounding up (``ceil``) was rejected: it adds half a bucket on average, so that a 61-day
lead time on monthly data needs 4 months of cover instead of 3 (simulated fill rate
0.38 against a planned 0.998). A continuous-review policy ((s, Q), (s, S)) run on
weekly or monthly buckets is, in effect, reviewed once a bucket, and fills less than
planned for continuous review; compare it with ``policy="RS"`` plans.

Orders may cross: with random per-order lead times a later order can arrive
before an earlier one (``order_crossing=True``, the default, as independent
lead times imply). With ``order_crossing=False`` an order never arrives before
the SKU's previous order (it is held until that one has arrived).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from .._numeric import as_generator
from ..data.frequency import BUCKET_DAYS, BUCKETS_PER_YEAR, normalize_frequency
from . import _streams
from .demand import DEMAND_MODELS, DemandSource, daily_demand_matrix

__all__ = ["POLICIES", "SimulationResult", "simulate"]

DAYS_PER_YEAR = 365.0  # the days_per_year that a bucketed run turns into buckets a year

#: Policy names accepted by :func:`simulate` (case and punctuation are ignored,
#: so "(s, Q)", "sQ" and "s_q" are the same).
POLICIES = ("sQ", "sS", "RS", "RsS", "base_stock", "plan")

_ALIASES = {
    "sq": "sQ",
    "rq": "sQ",
    "ss": "sS",
    "rs": "RS",
    "orderupto": "RS",
    "rss": "RsS",
    "basestock": "base_stock",
    "plan": "plan",
    "asplanned": "plan",
}


def _policy_name(name: Any) -> str:
    key = "".join(ch for ch in str(name).lower() if ch.isalnum())
    if key not in _ALIASES:
        raise ValueError(
            f"policy must be one of {', '.join(POLICIES)} (or a per-SKU array of them); "
            f"got {name!r}"
        )
    return _ALIASES[key]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SimulationResult:
    """What a simulation run delivered.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per SKU (index ``sku``). Columns:

        ``demand`` [units], ``filled`` [units served from stock on the day they
        were demanded], ``short`` [units not served on their day: backordered or
        lost], ``fill_rate`` (filled / demand; NaN without demand),
        ``cycles`` (completed replenishment cycles: intervals between two
        consecutive receipts), ``stockout_cycles`` (cycles in which a day ended
        with backorders or lost demand),
        ``cycle_service_level`` (1 - stockout_cycles / cycles; NaN if no cycle
        completed), ``stockout_days`` (days with any short unit),
        ``stockout_events`` (runs of consecutive stockout days),
        ``avg_on_hand`` [units] (time average: mean over days of the on-hand
        after receipts and at the end of the day), ``avg_on_hand_value`` [$],
        ``avg_backorders`` [units, end of day], ``orders`` (orders placed),
        ``units_ordered``, ``units_received`` [units], ``lost_units``
        [units, lost-sales runs], ``ordering_cost``, ``holding_cost``,
        ``shortage_cost``, ``total_cost`` [$ over the simulated days],
        ``start_on_hand``, ``end_on_hand``, ``end_backorders``,
        ``end_on_order`` [units].
    trace : pandas.DataFrame or None
        Per day and traced SKU (only if ``trace_skus`` was given): ``sku``,
        ``day`` (0-based), ``date`` (for replays of dated history), ``demand``,
        ``receipts``, ``orders`` (units ordered that day), ``shipped``,
        ``filled``, ``on_hand``, ``backorders``, ``on_order`` (end of day)
        [units].
    days : int
        Days simulated (fewer than ``days_requested`` if stopped).
    days_requested : int
    completed : bool
        False when the run was stopped early; the statistics then cover ``days``.
    elapsed_seconds : float
    settings : dict
        The run's settings (policy, demand model, unmet, lead-time model, ...) and
        counters such as ``lead_times_capped`` (random lead times above the ring
        buffer's horizon, set to the horizon).
    """

    summary: pd.DataFrame
    trace: pd.DataFrame | None
    days: int
    days_requested: int
    completed: bool
    elapsed_seconds: float
    settings: dict = field(default_factory=dict)

    @property
    def stopped(self) -> bool:
        """True if the run was stopped before ``days_requested``."""
        return not self.completed

    @property
    def sku_days_per_second(self) -> float:
        """Throughput of the run [SKU-days/s]."""
        return len(self.summary) * self.days / max(self.elapsed_seconds, 1e-12)

    def totals(self) -> pd.Series:
        """Portfolio figures: demand-weighted fill rate, total costs, average value."""
        s = self.summary
        demand = s["demand"].sum()
        cycles = s["cycles"].sum()
        return pd.Series(
            {
                "skus": float(len(s)),
                "days": float(self.days),
                "demand": demand,
                "fill_rate": s["filled"].sum() / demand if demand > 0 else np.nan,
                "cycle_service_level": 1 - s["stockout_cycles"].sum() / cycles
                if cycles > 0
                else np.nan,
                "stockout_days": s["stockout_days"].sum(),
                "avg_on_hand_value": s["avg_on_hand_value"].sum(),
                "orders": s["orders"].sum(),
                "ordering_cost": s["ordering_cost"].sum(),
                "holding_cost": s["holding_cost"].sum(),
                "shortage_cost": s["shortage_cost"].sum(),
                "total_cost": s["total_cost"].sum(),
            }
        )


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


_WH_MIN_SHAPE = 4.0
_Z_TOP = 5.199337582  # the standard normal's 1 - 1e-7 quantile


class _LeadTimes:
    """Whole-day lead times of orders, each from its SKU's own counter-based draws.

    The k-th order of SKU i draws from counters ``k * STRIDE ...`` of SKU i's key
    (:mod:`workbench.sim._streams`), so a lead time does not depend on which other
    SKUs order on the same day, or on the engine or the chunking.
    """

    def __init__(
        self,
        mean: np.ndarray,
        sd: np.ndarray,
        *,
        model: str,
        seed: int,
        history: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ):
        self.model = model
        n = mean.shape[0]
        self.keys = _streams.sku_keys(seed, n)
        self.orders = np.zeros(n, dtype=np.int64)  # orders placed so far, per SKU
        self.fixed = np.maximum(np.rint(mean), 0).astype(np.int64)
        self.random = (sd > 0) if model != "history" else np.zeros(mean.shape, bool)
        self.capped = 0
        self.offsets = self.counts = np.zeros(n, dtype=np.int64)
        self.values = np.zeros(0)
        if model == "history" and history is not None:
            self.offsets, self.counts, self.values = history
            self.random = self.counts > 0
        self.any_random = bool(self.random.any())
        self.all_random = bool(self.random.all())
        self.wh = np.zeros(n, dtype=bool)
        self.wh_a = self.wh_b = self.shape = self.scale = np.zeros(n)
        self.mean = np.asarray(mean, dtype=float)
        self.sd = np.asarray(sd, dtype=float)
        if model == "gamma":
            safe_sd = np.where(self.random, sd, 1.0)
            safe_mean = np.where(self.random, np.maximum(mean, 1e-9), 1.0)
            self.shape = (safe_mean / safe_sd) ** 2
            self.scale = safe_sd**2 / safe_mean
            # Wilson-Hilferty: X ~ k theta (1 - 1/(9k) + z / (3 sqrt(k)))^3 for shape k >= 4
            self.wh = self.shape >= _WH_MIN_SHAPE
            cube_root = np.cbrt(self.shape * self.scale)
            self.wh_a = cube_root * (1 - 1 / (9 * self.shape))
            self.wh_b = cube_root / (3 * np.sqrt(self.shape))
            # the 1 - 1e-7 quantile: of the cube itself where draws are cubes, else exact
            tail = (self.wh_a + _Z_TOP * self.wh_b) ** 3
            exact = self.random & ~self.wh
            if exact.any():
                tail[exact] = special.gammaincinv(self.shape[exact], 1 - 1e-7) * self.scale[exact]
            top = np.where(self.random, tail, mean)
        elif model == "normal":
            top = mean + np.where(self.random, 5.3 * sd, 0.0)  # P(Z > 5.3) ~ 6e-8
        elif model == "history":
            top = mean.copy()
            if self.values.size:
                top_hist = np.maximum.reduceat(
                    self.values, np.minimum(self.offsets, self.values.size - 1)
                )
                top = np.where(self.random, top_hist, mean)
        else:
            raise ValueError(
                f"lead_time_model must be 'gamma', 'normal' or 'history'; got {model!r}"
            )
        self.max_lead = int(max(np.max(np.rint(top), initial=1), np.max(self.fixed, initial=1)))

    def draw(self, idx: np.ndarray) -> np.ndarray:
        """Lead times of one order each of SKUs ``idx`` (distinct), counting the orders."""
        k = self.orders[idx]
        self.orders[idx] += 1
        if not self.any_random:
            return self.fixed[idx]
        if self.all_random:
            sub, k_sub = idx, k
        else:
            rnd = self.random[idx]
            sub, k_sub = idx[rnd], k[rnd]
        keys = self.keys[sub]
        base = k_sub * _streams.STRIDE
        if self.model == "gamma":
            # Wilson and Hilferty, PNAS 17 (1931) 684-688: for shape k >= 4 (lead-time
            # cv <= 0.5) its quantiles are within about 0.5 % of the gamma's, far below
            # the rounding to whole days; exact (Marsaglia-Tsang) draws below that
            wh = self.wh[sub]
            x = np.empty(sub.size)
            z = _streams.normal(keys[wh], base[wh])
            u = z * self.wh_b[sub[wh]] + self.wh_a[sub[wh]]
            np.maximum(u, 0.0, out=u)
            x[wh] = u * u * u
            if not wh.all():
                g = ~wh
                x[g] = _streams.gamma(keys[g], base[g], self.shape[sub[g]]) * self.scale[sub[g]]
        elif self.model == "normal":
            x = self.mean[sub] + self.sd[sub] * _streams.normal(keys, base)
        else:
            u = _streams.uniform(keys, base)
            x = self.values[self.offsets[sub] + (u * self.counts[sub]).astype(np.int64)]
        lt = np.rint(x).astype(np.int64)
        np.maximum(lt, 0, out=lt)  # 0: received at once, before the day's demand
        if lt.size and lt.max() > self.max_lead:
            over = lt > self.max_lead
            self.capped += int(over.sum())
            lt[over] = self.max_lead
        if self.all_random:
            return lt
        out = self.fixed[idx]
        out[rnd] = lt
        return out


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


# --------------------------------------------------------------------------- engine


def _progress_sink(progress: Any, total: int) -> tuple[Callable[[int], None], Callable[[], None]]:
    """Return (update(days_done), close()) for the ``progress`` argument."""
    if progress is None:
        progress = sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    if callable(progress):
        return (lambda done: progress(done / total if total else 1.0)), (lambda: None)
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="day", desc="simulate", leave=False)
        last = [0]

        def update(done: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        return update, bar.close
    return (lambda done: None), (lambda: None)


def _stop_check(stop: Any) -> Callable[[], bool]:
    if stop is None:
        return lambda: False
    if isinstance(stop, threading.Event) or hasattr(stop, "is_set"):
        return stop.is_set
    if callable(stop):
        return lambda: bool(stop())
    raise ValueError(
        f"stop must be None, a callable returning bool or a threading.Event; got {stop!r}"
    )


def simulate(
    demand: Any = None,
    *,
    policy: str | Any = "sQ",
    reorder_point: Any = None,
    order_quantity: Any = None,
    order_up_to: Any = None,
    review_period_days: Any = None,
    review_offset_days: Any = 0,
    plan: pd.DataFrame | None = None,
    days: int | None = None,
    skus: Any = None,
    demand_model: str | None = None,
    demand_mean: Any = None,
    demand_sd: Any = None,
    demand_windows: tuple[Any, Any] | None = None,
    lead_time_days: Any = None,
    lead_time_sd_days: Any = None,
    lead_time_model: str = "gamma",
    order_crossing: bool = True,
    unmet: str = "backorder",
    min_order_qty: Any = None,
    pack_size: Any = None,
    initial_stock: Any = "order_up_to",
    unit_cost: Any = None,
    holding_cost_rate: Any = None,
    order_cost: Any = None,
    shortage_cost: Any = 0.0,
    days_per_year: float = 365.0,
    warmup_days: int = 0,
    trace_skus: Any = None,
    frequency: str | None = None,
    rng: int | np.random.Generator | None = None,
    progress: Any = None,
    stop: Any = None,
    chunk_days: int | None = None,
    dtype: Any = np.float64,
    engine: str = "numba",
) -> SimulationResult:
    """Simulate an inventory policy for every SKU at once, day by day.

    Parameters
    ----------
    demand : Dataset, DataFrame, ndarray or None
        Where demand comes from: a :class:`workbench.Dataset` (its ``demand``
        table over ``demand_period``, its ``items`` for SKUs and defaults, its
        ``lots`` and ``purchase_orders`` when asked), a demand table (``date``,
        ``sku``, ``quantity``), a wide frame or a (days, SKUs) matrix of daily
        demand [units/day], or None for purely random demand from
        ``demand_mean`` / ``demand_sd``.
    policy : str or array of str, default "sQ"
        ``"sQ"``: continuous review (s, Q): when IP <= s order the multiple of Q
        that lifts IP above s. ``"sS"``: when IP <= s order up to S.
        ``"RS"``: every R days order up to S (if IP < S). ``"RsS"``: every R days,
        when IP <= s order up to S. ``"base_stock"``: every day order up to S.
        ``"plan"``: parameters from ``plan``. An array gives one policy per SKU.
    reorder_point : numeric, optional
        s [units]. Scalar, one per SKU, or a Series indexed by sku.
    order_quantity : numeric, optional
        Q [units] for (s, Q).
    order_up_to : numeric, optional
        S [units] for (s, S), (R, S), (R, s, S) and base stock.
    review_period_days : numeric, optional
        R [days] for (R, S) and (R, s, S); whole days >= 1.
    review_offset_days : numeric, default 0
        Day of the first review (reviews on days offset, offset + R, ...).
    plan : DataFrame, optional
        A ``wb.plan`` table: ``sku`` (column or index) and any of
        ``reorder_point``, ``order_quantity``, ``order_up_to``,
        ``review_period_days``, ``policy``. With ``policy="plan"`` each SKU's
        policy is its ``policy`` column if present, otherwise inferred: review
        period > 1 day -> (R, S) (or (R, s, S) with a reorder point), order
        quantity -> (s, Q), otherwise (s, S).
    days : int, optional
        Days to simulate. Default: the history's length, or 365 without history.
        A replay longer than the history starts the history again.
    skus : sequence, optional
        SKU labels (and order) for a matrix or a table.
    demand_model : str, optional
        ``"replay"`` (default with a history: the history day by day, again from
        its start when ``days`` is longer), or a random model drawn per (seed, SKU,
        day) from counter-based streams (:mod:`._streams`), inside the compiled
        kernel (the numpy engine draws the same numbers), so a SKU's demand does not
        depend on the engine, the chunking, the threads, the other SKUs or the lead
        times: ``"normal"`` (default without a history; mean + sd * Z, draws below 0
        set to 0), ``"gamma"`` (shape (mean/sd)^2; the constant mean where sd or
        mean is 0), ``"poisson"`` (the mean), ``"negative_binomial"`` or
        ``"negbin"`` (the Poisson-gamma mixture with that mean and variance sd^2;
        Poisson where the variance does not exceed the mean), ``"bootstrap"`` or
        ``"resample"`` (the i.i.d. bootstrap: each day drawn uniformly from the
        SKU's own history, which ``demand`` gives). Poisson and negative binomial
        are drawn from a per-SKU alias table of the distribution (each tail beyond
        it below 1e-12; SKUs whose table would pass 4,096 values draw the mixture
        itself).
    demand_mean, demand_sd : numeric, optional
        Daily mean and standard deviation [units/day] for the random models.
        Default: from the history (over every day of the period).
    demand_windows : (array_like, array_like), optional
        For ``"bootstrap"``: the first day (row of the history) and the number of
        days of each SKU's own window [days], whole numbers with first >= 0,
        number >= 0 and first + number <= the history's days; each day is drawn
        from the window only (for example from a SKU's launch on, not the zeros
        before it; an empty window draws 0). Default: the whole history.
    lead_time_days : numeric, optional
        Mean lead time L [days], >= 0 (rounded to whole days; 0 = received on the
        day of the order, before its demand). Default: the items' ``lead_time_days``.
    lead_time_sd_days : numeric, optional
        Standard deviation of the lead time [days]; 0 = fixed. Default: the items'
        ``lead_time_sd_days`` if present, else 0.
    lead_time_model : {"gamma", "normal", "history"}, default "gamma"
        How random lead times are drawn per order, then rounded to whole days
        (at least 0): gamma with that mean and sd (by the Wilson-Hilferty cube of
        a normal when the shape (mean/sd)^2 >= 4, exact draws otherwise), normal,
        or bootstrapped from each SKU's purchase-order history (received -
        ordered; SKUs without history use their fixed mean). Draws beyond the
        1 - 1e-7 quantile are set to it and counted in
        ``settings["lead_times_capped"]``.
    order_crossing : bool, default True
        Whether an order may arrive before an earlier order of the same SKU.
    unmet : {"backorder", "lost"}, default "backorder"
    min_order_qty, pack_size : numeric, optional
        MOQ [units] and pack (order multiple) [units]; an order is raised to the
        MOQ, then rounded up to whole packs. Default: the items' columns, else none.
    initial_stock : "order_up_to", "lots" or numeric, default "order_up_to"
        Starting on-hand [units]: s + Q for (s, Q), S for the others; the lots
        table's quantities; or given values. Nothing is on order at the start.
    unit_cost : numeric, optional
        c [$/unit]; default the items' ``unit_cost``, else 1.
    holding_cost_rate : numeric, optional
        i [1/year, fraction of unit cost]; default the items' column, else 0.25.
    order_cost : numeric, optional
        K [$/order]; default the items' column, else 0.
    shortage_cost : numeric, default 0
        p [$/unit short] for each unit not served on the day demanded.
    warmup_days : int, default 0
        Days at the start left out of the statistics (the run is still traced),
        so that they describe the steady state rather than the starting stock.
    days_per_year : float, default 365
        Simulated days in a year [days/year], converting the annual holding rate
        into a daily one (250 for a calendar of working days).
    trace_skus : sequence, "all" or None
        SKUs whose day-by-day trace is returned.
    frequency : {"D", "W", "M"}, optional
        The step: a day, or a bucket of weekly or monthly demand (see "Weekly and
        monthly data" in the module notes). Default: the dataset's
        ``demand_frequency``; "D" for tables, matrices and random demand.
    rng : None, int or numpy.random.Generator
        Randomness for demand and lead times; the same seed gives the same run. Its
        two seeds key independent streams: demand per (SKU, day), lead times per
        (SKU, order number).
    progress : None, bool or callable(fraction)
        None: a tqdm bar when stderr is a terminal. True: a tqdm bar (a widget in
        a notebook). A callable receives the fraction done after each chunk.
    stop : callable() -> bool or threading.Event, optional
        Checked between chunks; when set, the run ends and returns what it has,
        with ``completed=False``.
    chunk_days : int, optional
        Days per chunk: progress is reported and ``stop`` checked between chunks.
        Default: about 8 million SKU-days (at least 64 days) a chunk with the numba
        engine; 400,000 (at most 24 days, which keeps the chunk arrays in cache) with
        numpy. Results do not depend on it.
    dtype : numpy float dtype, default float64
        Precision of the state arrays. float32 is exact for whole units up to
        2**24; statistics are always accumulated in float64.
    engine : {"numba", "numpy"}, default "numba"
        ``"numba"``: compiled code that takes each SKU through a chunk of days, the
        SKUs spread over the cores (compiled once per machine, 10-20 s, by
        ``python -m workbench.sim``, which ``make install`` runs, or else by the
        first simulation; later runs load it from a cache). ``"numpy"``: array
        operations over all SKUs, a dozen passes a day. Lead times are drawn per
        (SKU, order number), so both give the same results (statistics may differ
        in the last bits, from summing in another order).

    Returns
    -------
    SimulationResult
        ``summary`` per SKU, optional ``trace``, ``completed`` and ``settings``.
        The timing of a day (receive, review and order, demand) is the convention
        of ``docs/timing.md``.

    Raises
    ------
    ValueError
        For a missing or invalid parameter (the message names it, its unit and
        the offending values or SKUs).

    Notes
    -----
    Vectorization: state arrays hold every SKU (inventory level
    IL = on hand - backorders, inventory position IP = IL + on order). Future
    receipts sit in a ring buffer of ``horizon`` days indexed by day mod horizon;
    an order adds its quantity to the slot of its arrival day. The (s, Q)
    quantity is ``Q * (floor((s - IP) / Q) + 1)``, the (s, nQ) rule that keeps IP
    in (s, s + Q] even when a day's demand overshoots s, Eq. (7.1) in [1].

    The cycle service level is the share of completed replenishment cycles
    (intervals between consecutive receipts of a SKU, the first one starting on
    day 0; the last, unfinished one is not counted) in which no customer waited:
    no day ended with backorders and no demand was lost. With backorders this is
    "the level just before the closing receipt was not negative", since the level
    only falls between receipts. The fill rate is the share of demand served from
    stock on the day it was demanded [1]_ (Ch. 7).

    References
    ----------
    .. [1] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
       Management in Supply Chains*, 4th ed., CRC Press, 2017, Ch. 6-7.

    Examples
    --------
    Heizer & Render's Sharp, Inc. needles: 1,000 units a year over 250 working
    days (4 a day), order cost $10, holding $0.50 per unit per year, EOQ = 200.
    With no variability and s = dL the stock is the EOQ saw-tooth: average Q / 2 =
    100 units, 5 orders and $50 + $50 of ordering and holding cost a year.

    >>> import numpy as np
    >>> res = simulate(np.full((500, 1), 4.0), reorder_point=20, order_quantity=200,
    ...                lead_time_days=5, initial_stock=200, order_cost=10, unit_cost=1,
    ...                holding_cost_rate=0.5, days_per_year=250)
    >>> row = res.summary.iloc[0]      # 500 days = 2 years of 250 days
    >>> float(row["avg_on_hand"]), float(row["fill_rate"]), int(row["orders"])
    (100.0, 1.0, 10)
    >>> float(row["ordering_cost"]) / 2, float(row["holding_cost"]) / 2
    (50.0, 50.0)
    """
    t_start = time.perf_counter()
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"dtype must be a float dtype (float32 or float64); got {dtype!r}")
    unmet_key = str(unmet).lower()
    if unmet_key in ("backorder", "backorders", "backlog"):
        backorder = True
    elif unmet_key in ("lost", "lost_sales", "lostsales"):
        backorder = False
    else:
        raise ValueError(f"unmet must be 'backorder' or 'lost'; got {unmet!r}")
    if not (np.isfinite(days_per_year) and days_per_year > 0):
        raise ValueError(f"days_per_year must be > 0 [days/year]; got {days_per_year!r}")
    if int(warmup_days) != warmup_days or warmup_days < 0:
        raise ValueError(f"warmup_days must be a whole number >= 0 [days]; got {warmup_days!r}")
    warmup_days = int(warmup_days)
    if warmup_days and days is not None and warmup_days >= days:
        raise ValueError(f"warmup_days must be < days ({days}) [days]; got {warmup_days}")
    engine_key = str(engine).lower()
    if engine_key not in ("numba", "numpy"):
        raise ValueError(f"engine must be 'numba' or 'numpy'; got {engine!r}")
    if chunk_days is not None and (int(chunk_days) != chunk_days or chunk_days < 1):
        raise ValueError(f"chunk_days must be a whole number >= 1 [days]; got {chunk_days!r}")

    if frequency is None:
        frequency = getattr(demand, "demand_frequency", "D")
    freq = normalize_frequency(frequency)
    bucket = BUCKET_DAYS[freq]  # [days per step]
    if freq != "D":
        days_per_year = float(days_per_year) / DAYS_PER_YEAR * BUCKETS_PER_YEAR[freq]
    model, sku_index, history, dates, days, demand_mean, demand_sd = _resolve_demand(
        demand,
        frequency=freq,
        skus=skus,
        demand_model=demand_model,
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        days=days,
        dtype=dt,
    )
    n = len(sku_index)
    items = _items_frame(demand)
    if items is not None:
        items = items.reindex(sku_index)

    # ---- policy parameters -------------------------------------------------------
    plan_frame = None
    if plan is not None:
        plan_frame = plan
        if "sku" in plan_frame.columns:
            plan_frame = plan_frame.assign(sku=plan_frame["sku"].astype(str)).set_index("sku")
        if not plan_frame.index.is_unique:
            raise ValueError("plan has more than one row for a SKU")

        def from_plan(col: str, given: Any) -> Any:
            if given is not None or col not in plan_frame.columns:
                return given
            return plan_frame[col]

        reorder_point = from_plan("reorder_point", reorder_point)
        order_quantity = from_plan("order_quantity", order_quantity)
        order_up_to = from_plan("order_up_to", order_up_to)
        review_period_days = from_plan("review_period_days", review_period_days)

    per_sku_policy = None
    if isinstance(policy, str):
        name = _policy_name(policy)
        if name == "plan":
            if plan_frame is None:
                raise ValueError("policy 'plan' needs a plan table (plan=wb.plan(...))")
            per_sku_policy = _plan_policies(plan_frame, sku_index)
        else:
            per_sku_policy = np.full(n, name, dtype=object)
    else:
        raw = policy.reindex(sku_index) if isinstance(policy, pd.Series) else policy
        arr = np.asarray(raw, dtype=object)
        if arr.shape != (n,):
            raise ValueError(
                f"policy must be a name or one name per SKU ({n}); got shape {arr.shape}"
            )
        per_sku_policy = np.array([_policy_name(p) for p in arr], dtype=object)

    kinds = ("sQ", "sS", "RS", "RsS", "base_stock")
    if isinstance(policy, str) and per_sku_policy.size and _policy_name(policy) != "plan":
        codes = {k: np.full(n, k == per_sku_policy[0]) for k in kinds}  # one policy for all
    else:
        codes = {k: per_sku_policy == k for k in kinds}
    if np.any(per_sku_policy == "plan"):
        raise ValueError("policy 'plan' cannot be mixed per SKU; pass plan= and policy='plan'")

    def need(name: str, value: Any, mask: np.ndarray, unit: str) -> np.ndarray:
        if not mask.any():
            return np.zeros(n)
        if value is None:
            kinds = sorted(set(per_sku_policy[mask]))
            raise ValueError(f"{name} [{unit}] is required for policy {', '.join(kinds)}")
        if isinstance(value, pd.Series):
            arr = value.reindex(sku_index.astype(value.index.dtype, copy=False)).to_numpy(
                dtype=float, na_value=np.nan
            )
            sub = pd.Series(arr[mask], index=sku_index[mask])
            _per_sku(name, sub, sku_index[mask], unit=unit)
            return np.where(mask, arr, 0.0)
        arr = _per_sku(name, value, sku_index, unit=unit)
        return np.where(mask, arr, 0.0)

    uses_s = codes["sQ"] | codes["sS"] | codes["RsS"]
    uses_Q = codes["sQ"]
    uses_S = codes["sS"] | codes["RS"] | codes["RsS"] | codes["base_stock"]
    uses_R = codes["RS"] | codes["RsS"]
    s = need("reorder_point", reorder_point, uses_s, "units")
    Q = need("order_quantity", order_quantity, uses_Q, "units")
    S = need("order_up_to", order_up_to, uses_S, "units")
    if review_period_days is None:
        R = need("review_period_days", None, uses_R, "days")
    else:
        R = _per_sku("review_period_days", review_period_days, sku_index, unit="days")
    _check("order_quantity", Q[uses_Q], Q[uses_Q] >= 0, ">= 0", "units")
    _check("order_up_to", S[uses_S], S[uses_S] >= 0, ">= 0", "units")
    both = codes["sS"] | codes["RsS"]
    _check("order_up_to", S[both], S[both] >= s[both], ">= reorder_point for (s, S)", "units")
    _check("review_period_days", R, R >= 0, ">= 0", "days")
    if freq != "D":
        R = R / bucket  # in buckets, rounded to whole ones below
    # whole days; 0 (continuous review) is the simulator's finest, a daily review
    R = np.maximum(np.rint(R), 1).astype(np.int64)
    # an (s, Q) item with Q = 0 (no demand in a plan) never orders: treat it as (s, S = s)
    no_q = codes["sQ"] & (Q == 0)
    if no_q.any():
        S = np.where(no_q, s, S)
        codes["sQ"] = codes["sQ"] & ~no_q
        codes["sS"] = codes["sS"] | no_q
        uses_S = uses_S | no_q
    offset = _per_sku("review_offset_days", review_offset_days, sku_index, unit="days")
    _check(
        "review_offset_days",
        offset,
        (offset >= 0) & (offset == np.round(offset)),
        "a whole number >= 0",
        "days",
    )
    offset = offset.astype(np.int64)

    up_to = uses_S.copy()
    # order when IP <= trigger: s for the (s, .) policies, S for order-up-to (an order of
    # nothing at IP == S is dropped)
    trigger = np.where(codes["RS"] | codes["base_stock"], S, s)

    # ---- costs, lead times, order rules -------------------------------------------
    c = _per_sku(
        "unit_cost",
        unit_cost,
        sku_index,
        unit="$/unit",
        items=items,
        column="unit_cost",
        default=1.0,
    )
    i_rate = _per_sku(
        "holding_cost_rate",
        holding_cost_rate,
        sku_index,
        unit="1/year",
        items=items,
        column="holding_cost_rate",
        default=0.25,
    )
    K = _per_sku(
        "order_cost",
        order_cost,
        sku_index,
        unit="$/order",
        items=items,
        column="order_cost",
        default=0.0,
    )
    p = _per_sku("shortage_cost", shortage_cost, sku_index, unit="$/unit", default=0.0)
    for name, arr, unit in (
        ("unit_cost", c, "$/unit"),
        ("holding_cost_rate", i_rate, "1/year"),
        ("order_cost", K, "$/order"),
        ("shortage_cost", p, "$/unit"),
    ):
        _check(name, arr, arr >= 0, ">= 0", unit)
    L = _per_sku(
        "lead_time_days",
        lead_time_days,
        sku_index,
        unit="days",
        items=items,
        column="lead_time_days",
    )
    if L is None:
        raise ValueError(
            "lead_time_days [days] is required (or an items table with lead_time_days)"
        )
    _check("lead_time_days", L, L >= 0, ">= 0", "days")
    Lsd = _per_sku(
        "lead_time_sd_days",
        lead_time_sd_days,
        sku_index,
        unit="days",
        items=items,
        column="lead_time_sd_days",
        default=0.0,
    )
    _check("lead_time_sd_days", Lsd, Lsd >= 0, ">= 0", "days")
    moq = _per_sku(
        "min_order_qty",
        min_order_qty,
        sku_index,
        unit="units",
        items=items,
        column="min_order_qty",
        default=0.0,
    )
    pack = _per_sku(
        "pack_size",
        pack_size,
        sku_index,
        unit="units",
        items=items,
        column="pack_size",
        default=0.0,
    )
    _check("min_order_qty", moq, moq >= 0, ">= 0", "units")
    _check("pack_size", pack, pack >= 0, ">= 0", "units")
    use_moq = bool(np.any(moq > 0))
    use_pack = bool(np.any(pack > 0))
    pack_safe = np.where(pack > 0, pack, 1.0)

    # ---- random streams (independent of the chunk size) --------------------------
    gen = as_generator(rng)
    seeds = gen.integers(0, 2**63 - 1, size=2)
    demand_rng = np.random.default_rng(seeds[0])
    lead_rng = np.random.default_rng(seeds[1])

    lt_model = str(lead_time_model).lower()
    lt_history = None
    if lt_model == "history":
        po = getattr(demand, "purchase_orders", None)
        if not isinstance(po, pd.DataFrame):
            raise ValueError(
                "lead_time_model 'history' needs a Dataset with a purchase_orders table"
            )
        lt_history = _history_lead_times(po, sku_index)
    if freq != "D":  # lead times in buckets (rounded to whole ones by _LeadTimes)
        L, Lsd = L / bucket, Lsd / bucket
        if lt_history is not None:
            lt_history = (*lt_history[:2], lt_history[2] / bucket)
    lead = _LeadTimes(
        L, Lsd, model=lt_model, seed=int(lead_rng.integers(0, 2**63 - 1)), history=lt_history
    )

    # ---- demand source ------------------------------------------------------------
    if demand_windows is not None and model != "bootstrap":
        raise ValueError(
            f"demand_windows is for demand_model 'bootstrap' (or 'resample'); got {model!r}"
        )
    if model in ("normal", "gamma", "poisson", "negative_binomial"):
        if demand_mean is None and history is not None:
            demand_mean = history.mean(axis=0, dtype=float) if history.shape[0] else np.zeros(n)
        if demand_sd is None and history is not None:
            demand_sd = history.std(axis=0, dtype=float) if history.shape[0] else np.zeros(n)
        mu = _per_sku("demand_mean", demand_mean, sku_index, unit="units/day")
        if mu is None:
            raise ValueError(f"demand_mean [units/day] is required for demand_model {model!r}")
        sd = _per_sku("demand_sd", demand_sd, sku_index, unit="units/day", default=0.0)
        _check("demand_mean", mu, mu >= 0, ">= 0", "units/day")
        _check("demand_sd", sd, sd >= 0, ">= 0", "units/day")
        # drawn per (seed, SKU, day) from counter-based streams, by the kernel itself
        source = _streams.DemandDraws(
            model, n, seed=int(demand_rng.integers(0, 2**63 - 1)), mean=mu, sd=sd, dtype=dt
        )
    elif model == "bootstrap" and demand_windows is None:  # column i of the matrix
        source = _streams.DemandDraws(
            model, n, seed=int(demand_rng.integers(0, 2**63 - 1)), dtype=dt, step=n,
            history=(np.arange(n, dtype=np.int64), np.full(n, history.shape[0]),
                     np.ascontiguousarray(history, dtype=float).ravel()),
        )  # fmt: skip
    elif model == "bootstrap":  # each SKU's window, one contiguous row per SKU
        first, length = _windows(demand_windows, n, history.shape[0])
        by_sku = np.ascontiguousarray(history.T, dtype=float)
        source = _streams.DemandDraws(
            model, n, seed=int(demand_rng.integers(0, 2**63 - 1)), dtype=dt, step=1,
            history=(np.arange(n, dtype=np.int64) * history.shape[0] + first, length,
                     by_sku.ravel()),
        )  # fmt: skip
    else:
        if history.shape[1] != n:  # pragma: no cover - guarded by _resolve_demand
            raise ValueError("history does not match the SKUs")
        source = DemandSource(np.ascontiguousarray(history, dtype=dt), dtype=dt)  # replay
    drawn = isinstance(source, _streams.DemandDraws)

    # ---- starting stock -----------------------------------------------------------
    if isinstance(initial_stock, str):
        key = initial_stock.lower()
        if key == "order_up_to":
            start = np.where(codes["sQ"], s + Q, S)
        elif key == "lots":
            lots = getattr(demand, "lots", None)
            if not isinstance(lots, pd.DataFrame):
                raise ValueError("initial_stock 'lots' needs a Dataset with a lots table")
            start = _lots_on_hand(lots, sku_index)
        else:
            raise ValueError(
                "initial_stock must be 'order_up_to', 'lots' or numbers [units]; "
                f"got {initial_stock!r}"
            )
    else:
        start = _per_sku("initial_stock", initial_stock, sku_index, unit="units")
    _check("initial_stock", start, start >= 0, ">= 0", "units")

    # ---- traced SKUs --------------------------------------------------------------
    if trace_skus is None:
        tcols = np.zeros(0, dtype=np.int64)
    elif isinstance(trace_skus, str) and trace_skus == "all":
        tcols = np.arange(n)
    else:
        wanted = [str(x) for x in ([trace_skus] if isinstance(trace_skus, str) else trace_skus)]
        tcols = sku_index.get_indexer(wanted)
        if np.any(tcols < 0):
            unknown = [w for w, k in zip(wanted, tcols, strict=True) if k < 0]
            raise ValueError(f"trace_skus names unknown SKU(s): {', '.join(unknown[:5])}")

    # ---- run ----------------------------------------------------------------------
    if chunk_days:
        C = int(chunk_days)
    elif engine_key == "numba":
        # a SKU's state is loaded and stored once a chunk: long chunks amortize that
        # (100,000 SKUs: 32 days 50, 128 days 72-77 M SKU-days/s); a chunk is still
        # short enough for progress and stop (about 0.1 s)
        C = int(max(8_000_000 // max(n, 1), 64))
    else:
        # about 400,000 SKU-days a chunk keeps its arrays in cache (measured: 24 days at
        # 10,000 SKUs, 4 at 100,000; 6 at 100,000 ran 2.5 times slower)
        C = int(min(max(400_000 // max(n, 1), 1), 24))
    C = max(1, min(C, max(days, 1)))
    if engine_key == "numpy":
        C = min(C, 255)  # it counts a chunk's days in uint8
    # ring of future receipts: the numpy engine reads a chunk's receipts at once, so no
    # slot may be reused within a chunk; the numba engine empties each slot as it reads it
    H = lead.max_lead + 1 + (C if engine_key == "numpy" else 0)
    update, close = _progress_sink(progress, days)
    should_stop = _stop_check(stop)

    st = _State(
        n=n,
        C=C,
        H=H,
        dt=dt,
        start=start,
        trigger=trigger,
        s=s,
        Q=Q,
        S=S,
        up_to=up_to,
        moq=moq if use_moq else None,
        pack=pack_safe if use_pack else None,
        R=R,
        offset=offset,
        lead=lead,
        order_crossing=order_crossing,
        tcols=tcols,
        warmup=warmup_days,
        chunk_arrays=engine_key == "numpy",
    )
    step = _KernelStep(st, backorder, source if drawn else None) if engine_key == "numba" else None
    traces: list[dict[str, np.ndarray]] = []
    t0 = 0
    completed = True
    try:
        while t0 < days:
            if should_stop():
                completed = False
                break
            cd = min(C, days - t0)
            if t0 < warmup_days:
                cd = min(cd, warmup_days - t0)
            elif t0 == warmup_days and t0 > 0:
                st.on_order_at_warmup = st.pipe2.sum(axis=0, dtype=float)
            D = step.demand_buffer(cd) if (step is not None and drawn) else source.take(t0, cd)
            if step is not None:
                step(D, t0, cd, count=t0 >= warmup_days)
            else:
                if backorder:
                    _chunk_backorder(st, D, t0, cd)
                else:
                    _chunk_lost(st, D, t0, cd)
                _chunk_stats(st, D, cd, backorder, st.acc if t0 >= warmup_days else st.scratch)
            if tcols.size:
                traces.append(_chunk_trace(st, D, cd, backorder, t0))
            if step is None:
                st.roll(cd)
            t0 += cd
            update(t0)
    finally:
        close()
    ILbuf = st.ILbuf
    acc = st.acc
    on_order_end = st.pipe2.sum(axis=0, dtype=float)

    done = t0
    IL_end = (step.IL if step is not None else ILbuf[0]).astype(float)
    summary = _summary(
        acc,
        sku_index,
        max(done - warmup_days, 0),
        c=c,
        i_rate=i_rate,
        K=K,
        p=p,
        start=start,
        IL_end=IL_end,
        on_order_start=st.on_order_at_warmup,
        on_order_end=on_order_end,
        backorder=backorder,
        days_per_year=float(days_per_year),
    )
    trace = _trace_frame(traces, sku_index, tcols, dates if model == "replay" else None)
    elapsed = time.perf_counter() - t_start
    return SimulationResult(
        summary=summary,
        trace=trace,
        days=done,
        days_requested=days,
        completed=completed,
        elapsed_seconds=elapsed,
        settings={
            "policy": policy if isinstance(policy, str) else "per-SKU",
            "demand_model": model,
            "unmet": "backorder" if backorder else "lost",
            "lead_time_model": lt_model,
            "order_crossing": order_crossing,
            "max_lead_time_days": lead.max_lead,
            "lead_times_capped": lead.capped,
            "chunk_days": C,
            "warmup_days": warmup_days,
            "dtype": dt.name,
            "engine": engine_key,
            "frequency": freq,
        },
    )


def _plan_policies(plan: pd.DataFrame, skus: pd.Index) -> np.ndarray:
    """Per-SKU policy names from a plan table (its ``policy`` column or inferred)."""
    frame = plan.reindex(skus.astype(plan.index.dtype, copy=False))
    missing = frame.isna().all(axis=1).to_numpy()
    if missing.any():
        shown = ", ".join(map(str, skus[missing][:5]))
        raise ValueError(f"plan has no row for {int(missing.sum())} SKU(s): {shown}")
    if "policy" in frame.columns:
        return np.array([_policy_name(x) for x in frame["policy"]], dtype=object)
    scenario = plan.attrs.get("scenario") if isinstance(plan.attrs, dict) else None
    if isinstance(scenario, Mapping) and scenario.get("policy"):
        # wb.plan: one policy for every SKU, in frame.attrs["scenario"]["policy"]
        return np.full(len(frame), _policy_name(scenario["policy"]), dtype=object)

    def col(name: str) -> np.ndarray:
        if name in frame.columns:
            return frame[name].to_numpy(dtype=float, na_value=np.nan)
        return np.full(len(frame), np.nan)

    R, Q, S, s = (
        col("review_period_days"),
        col("order_quantity"),
        col("order_up_to"),
        col("reorder_point"),
    )
    periodic = np.nan_to_num(R, nan=1.0) > 1
    out = np.where(
        periodic & np.isfinite(S),
        np.where(np.isfinite(s), "RsS", "RS"),
        np.where(
            np.isfinite(Q) & np.isfinite(s), "sQ", np.where(np.isfinite(s), "sS", "base_stock")
        ),
    )
    return out.astype(object)


class _State:
    """Arrays of a run, preallocated once and reused chunk after chunk.

    ``ILbuf[0]`` holds the inventory level IL (on hand - backorders) at the end of
    the previous chunk; ``ILbuf[j + 1]`` the level at the end of day j of the chunk.
    ``IP`` is the inventory position (backorder path: at the start of the chunk,
    before its demand; lost-sales path: kept current day by day).
    """

    def __init__(
        self, *, n, C, H, dt, start, trigger, s, Q, S, up_to, moq, pack, R, offset, lead,
        order_crossing, tcols, warmup, chunk_arrays=True,
    ):  # fmt: skip
        self.n, self.C, self.H, self.dt = n, C, H, dt
        self.IP = start.astype(dt)
        self.trace = tcols.size > 0
        # the numba engine needs the chunk arrays only for a trace
        rows = C if (chunk_arrays or self.trace) else 1
        self.ILbuf = np.empty((rows + 1, n), dtype=dt)
        self.ILbuf[0] = start
        self.rec = np.empty((rows, n), dtype=dt)  # receipts per day
        self.ordc = np.zeros((rows, n) if self.trace else (1, 1), dtype=dt)  # ordered, traced
        self.fil = np.empty((rows, n), dtype=dt)  # units served from stock (lost-sales path)
        rows = C if chunk_arrays else 1
        self.cum = np.zeros((rows + 1, n), dtype=dt)  # demand of the chunk before day j
        self.work = np.empty((rows, n), dtype=dt)
        self.rec_m = np.zeros((rows, n), dtype=bool)
        self.closed_short = np.zeros((rows, n), dtype=bool)
        self.short_m = np.zeros((rows, n), dtype=bool)
        # ring of future receipts, (H, n) as ``pipe2``: stored slot-major (slot * n + sku)
        # for the numpy engine, SKU-major (sku * H + slot) for the numba engine
        self.pipe = np.zeros(H * n, dtype=dt)
        self.pipe2 = self.pipe.reshape(H, n) if chunk_arrays else self.pipe.reshape(n, H).T
        self.mask = np.empty(n, dtype=bool)
        self.day_short = np.empty(n, dtype=bool)
        self.cycle_short = np.zeros(n, dtype=bool)  # lost-sales path: open cycle had a stockout
        self.prev_short = np.zeros(n, dtype=bool)
        self.last_arrival = np.zeros(n, dtype=np.int64)
        self.trigger = trigger.astype(dt)
        self.s, self.Q, self.S = s.astype(dt), Q.astype(dt), S.astype(dt)
        self.Q_safe = np.where(Q > 0, Q, 1).astype(dt)
        self.up_to = up_to
        self.all_up_to, self.no_up_to = bool(up_to.all()), bool(not up_to.any())
        self.moq = None if moq is None else moq.astype(dt)
        self.pack = None if pack is None else pack.astype(dt)
        self.R, self.offset = R, offset
        self.periodic = bool(np.any(R > 1) or np.any(offset > 0))
        self.lead = lead
        self.order_crossing = order_crossing
        self.tcols = tcols
        self.warmup = warmup
        self.on_order_at_warmup = np.zeros(n)
        keys = ("demand", "short", "ohe", "bo", "ordered", "orders", "cycles")
        keys += ("stockout_cycles", "stockout_days", "stockout_events")
        self.acc_matrix = np.zeros((len(keys), n))  # the numba engine's view of ``acc``
        self.acc = dict(zip(keys, self.acc_matrix, strict=True))
        # the warm-up's statistics, thrown away
        self.scratch = {k: np.zeros(n) for k in keys} if warmup else self.acc

    def review_rows(self, t0: int, cd: int) -> np.ndarray | None:
        if not self.periodic:
            return None
        tt = t0 + np.arange(cd)[:, None]
        return ((tt - self.offset) % self.R == 0) & (tt >= self.offset)

    def quantity(self, idx: np.ndarray, ip: np.ndarray) -> np.ndarray:
        """Order quantities for SKUs ``idx`` at positions ``ip`` (0 = nothing to order)."""
        if self.all_up_to:
            q = self.S[idx] - ip
        elif self.no_up_to:
            qq = self.Q[idx]
            q = (np.floor((self.s[idx] - ip) / qq) + 1) * qq
        else:
            q = np.where(
                self.up_to[idx],
                self.S[idx] - ip,
                (np.floor((self.s[idx] - ip) / self.Q_safe[idx]) + 1) * self.Q[idx],
            )
        if not self.no_up_to:  # order-up-to at IP == S asks for nothing
            np.maximum(q, 0, out=q)
        if self.moq is not None:
            q = np.where(q > 0, np.maximum(q, self.moq[idx]), q)
        if self.pack is not None:
            pk = self.pack[idx]
            q = np.ceil(q / pk) * pk
        return q

    def place(self, day: int, idx: np.ndarray, q: np.ndarray, j: int) -> None:
        """Send the orders of ``day`` (row ``j`` of the chunk) into the ring of receipts.

        ``idx`` is sorted and unique (a SKU orders at most once a day). Lead times
        are drawn in (day, SKU) order, so the draws do not depend on the chunking.
        """
        arrive = self.lead.draw(idx)
        arrive += day
        if not self.order_crossing:  # wait for the SKU's previous order
            np.maximum(arrive, self.last_arrival[idx], out=arrive)
            self.last_arrival[idx] = arrive
        arrive %= self.H
        arrive *= self.n
        arrive += idx
        self.pipe[arrive] += q
        if day >= self.warmup:  # chunks never straddle the end of the warm-up
            self.acc["orders"][idx] += 1
            self.acc["ordered"][idx] += q
        if self.trace:
            self.ordc[j, idx] = q

    def receipts(self, t0: int, cd: int) -> np.ndarray:
        """Move the receipts of days t0 .. t0+cd-1 out of the ring into ``rec``."""
        rec = self.rec[:cd]
        first = t0 % self.H
        if first + cd <= self.H:
            np.copyto(rec, self.pipe2[first : first + cd])
            self.pipe2[first : first + cd] = 0
        else:
            rows = (t0 + np.arange(cd)) % self.H
            rec[...] = self.pipe2[rows]
            self.pipe2[rows] = 0
        return rec

    def roll(self, cd: int) -> None:
        self.ILbuf[0] = self.ILbuf[cd]


_KERNEL_LOCK = threading.Lock()


class _KernelStep:
    """The numba engine: ``step(D, t0, cd, count=...)`` runs one chunk in place.

    The level IL is kept in ``self.IL``; with a trace the chunk's starting level is
    copied to ``ILbuf[0]`` and the kernel writes its daily levels into ``ILbuf[1:]``
    (as the numpy engine leaves them).
    """

    def __init__(self, st: _State, backorder: bool, draws: _streams.DemandDraws | None = None):
        from . import _kernel

        if tuple(st.acc) != _kernel.ACC_KEYS:  # pragma: no cover - both lists are fixed
            raise RuntimeError("accumulator rows differ between the engines")
        self.kernel = _kernel.run_chunk
        self.st, self.backorder = st, backorder
        lead, n, dt = st.lead, st.n, st.dt
        kind = {"gamma": _kernel.GAMMA, "normal": _kernel.NORMAL, "history": _kernel.HISTORY}
        self.lead_args = (
            kind[lead.model] if lead.any_random else _kernel.FIXED,
            lead.fixed,
            lead.random.astype(bool),
            lead.wh,
            lead.wh_a,
            lead.wh_b,
            lead.shape,
            lead.scale,
            lead.mean,
            lead.sd,
            lead.offsets.astype(np.int64),
            lead.counts.astype(np.int64),
            lead.values.astype(float),
            np.int64(lead.max_lead),
        )
        if draws is None:  # replay: the kernel reads the chunk's matrix
            zero = np.zeros(n)
            self.demand_args = (_kernel.REPLAY, np.zeros(n, dtype=np.uint64), zero, zero,
                                zero, np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
                                zero, np.zeros(1), np.zeros(1, dtype=np.int64), np.int64(1),
                                False)  # fmt: skip
        else:  # the kernel draws, and writes the draws into D only for a trace
            self.demand_args = (draws.kind, draws.keys, draws.p1, draws.p2, draws.p3,
                                draws.offsets, draws.counts, draws.lows, draws.values,
                                draws.guide, np.int64(draws.step), st.trace)  # fmt: skip
        big = draws is not None and st.trace
        self._dbuf = np.zeros((st.C, n) if big else (1, 1), dtype=dt)
        self.capped = np.zeros(n, dtype=np.int64)
        self.IL = st.ILbuf[0].copy()  # the level, kept here (ILbuf holds the trace)
        self.policy_args = (
            st.trigger,
            st.s,
            st.Q_safe,
            st.S,
            st.up_to.astype(bool),
            st.moq if st.moq is not None else np.zeros(n, dtype=dt),
            st.moq is not None,
            st.pack if st.pack is not None else np.ones(n, dtype=dt),
            st.pack is not None,
            st.R.astype(np.int64),
            st.offset.astype(np.int64),
            st.periodic,
        )
        if not st.trace:  # the kernel writes no trace: one-row stand-ins
            self.trace_args = (False, st.ILbuf[:2], st.rec[:1], st.ordc[:1], st.fil[:1])
        else:
            self.trace_args = (True, st.ILbuf, st.rec, st.ordc, st.fil)

    def demand_buffer(self, cd: int) -> np.ndarray:
        """Where the kernel writes the drawn demand of a chunk (for a trace; else 1 x 1)."""
        return self._dbuf[:cd] if self.st.trace else self._dbuf

    def __call__(self, D: np.ndarray, t0: int, cd: int, *, count: bool) -> None:
        st = self.st
        if D.dtype != st.dt or not D.flags.c_contiguous:
            D = np.ascontiguousarray(D, dtype=st.dt)
        if st.trace:  # the trace reads the chunk's levels from ILbuf[0 .. cd]
            st.ILbuf[0] = self.IL
        before = int(self.capped.sum())
        # numba's default (workqueue) threading layer must not be entered by two threads
        # at once; chunks are short, so concurrent runs just take turns
        with _KERNEL_LOCK:
            self._run(D, t0, cd, count)
        st.lead.capped += int(self.capped.sum()) - before

    def _run(self, D: np.ndarray, t0: int, cd: int, count: bool) -> None:
        st = self.st
        self.kernel(
            D, self._dbuf, *self.demand_args, t0, cd, self.backorder, count, st.warmup,
            self.IL, st.IP, st.pipe, st.H, *self.policy_args,
            *self.lead_args, st.lead.keys, st.lead.orders, self.capped,
            st.order_crossing, st.last_arrival,
            st.acc_matrix, st.prev_short, st.cycle_short,
            *self.trace_args,
        )  # fmt: skip


def _chunk_backorder(st: _State, D: np.ndarray, t0: int, cd: int) -> None:
    """Backorder path: demand does not depend on stock, so the day loop only orders.

    With cumulative demand ``cum[j]`` (the chunk's demand before day j), the
    position at day j's review is ``IP0 - cum[j]``, IP0 counting the orders
    already placed: the trigger ``IP <= s`` reads ``cum[j] >= IP0 - s``, one
    comparison per day. Levels, receipts and statistics follow per chunk.
    (Finding every SKU's order days by 2-D comparisons over the chunk, in rounds,
    gives the same orders but was measured 30 % slower.)
    """
    cum = st.cum
    if st.trace:
        st.ordc[:cd] = 0
    cum[0] = 0
    for j in range(cd):
        np.add(cum[j], D[j], out=cum[j + 1])
    gap = st.IP - st.trigger  # order when cum[j] >= gap  (IP <= trigger)
    review = st.review_rows(t0, cd)
    mask = st.mask
    for j in range(cd):
        cj = cum[j]
        np.greater_equal(cj, gap, out=mask)
        if review is not None:
            mask &= review[j]
        idx = np.flatnonzero(mask)
        if idx.size:
            q = st.quantity(idx, st.IP[idx] - cj[idx])
            if not st.no_up_to:
                real = q > 0
                if not real.all():
                    idx, q = idx[real], q[real]
            st.place(t0 + j, idx, q, j)
            st.IP[idx] += q
            gap[idx] += q
    st.IP -= cum[cd]
    _levels_backorder(st, D, t0, cd)


def _levels_backorder(st: _State, D: np.ndarray, t0: int, cd: int) -> None:
    rec = st.receipts(t0, cd)
    ILb = st.ILbuf
    # IL at the end of day j = IL at the end of day j-1 + receipts - demand
    np.subtract(rec, D, out=st.work[:cd])
    for j in range(cd):
        np.add(ILb[j], st.work[j], out=ILb[j + 1])
    np.greater(rec, 0, out=st.rec_m[:cd])
    # a cycle (receipt to receipt) had a stockout iff the level just before the closing
    # receipt was negative: between receipts the level only falls
    np.less(ILb[:cd], 0, out=st.closed_short[:cd])
    st.closed_short[:cd] &= st.rec_m[:cd]


def _chunk_lost(st: _State, D: np.ndarray, t0: int, cd: int) -> None:
    """Lost-sales path: what is served depends on stock, so each day updates the level."""
    ILb, fil = st.ILbuf, st.fil
    if st.trace:
        st.ordc[:cd] = 0
    review = st.review_rows(t0, cd)
    mask, day_short, cycle_short = st.mask, st.day_short, st.cycle_short
    IP, trigger, H = st.IP, st.trigger, st.H
    rec = st.rec
    for j in range(cd):
        t = t0 + j
        # review first: it reads only the position, which receipts do not change, and an
        # order of lead time 0 then lands in today's slot before it is read (docs/timing.md)
        np.less_equal(IP, trigger, out=mask)
        if review is not None:
            mask &= review[j]
        idx = np.flatnonzero(mask)
        if idx.size:
            q = st.quantity(idx, IP[idx])
            real = q > 0
            if not real.all():
                idx, q = idx[real], q[real]
            st.place(t, idx, q, j)
            IP[idx] += q
        slot = st.pipe2[t % H]
        cur = ILb[j + 1]
        np.add(ILb[j], slot, out=cur)
        rj = st.rec_m[j]
        np.greater(slot, 0, out=rj)
        np.logical_and(rj, cycle_short, out=st.closed_short[j])
        np.greater(cycle_short, rj, out=cycle_short)  # a receipt opens a new cycle
        np.copyto(rec[j], slot)
        slot.fill(0)
        f = fil[j]
        np.minimum(D[j], cur, out=f)
        cur -= f
        IP -= f
        np.greater(D[j], f, out=day_short)
        cycle_short |= day_short


def _colsum(x: np.ndarray) -> np.ndarray:
    """Column sums of a (days, SKUs) float chunk (BLAS gemv; few rows, so the
    accumulation in the chunk's dtype is exact enough; totals are kept in float64)."""
    return np.ones(x.shape[0], dtype=x.dtype) @ x


def _colcount(mask: np.ndarray) -> np.ndarray:
    """Column counts of a boolean (days, SKUs) chunk (at most 255 rows)."""
    return mask.view(np.uint8).sum(axis=0, dtype=np.uint8)


def _chunk_stats(
    st: _State, D: np.ndarray, cd: int, backorder: bool, acc: dict[str, np.ndarray]
) -> None:
    """Reduce one chunk of days into the per-SKU accumulators ``acc`` (in place).

    Backorders: with OH = max(IL, 0) and B = OH - IL at the end of a day, the units
    short that day are min(D, B) (only the day's own demand can be new backorders),
    and on hand after receipts is OH + D - short; so a few passes give everything.
    """
    ILe = st.ILbuf[1 : cd + 1]
    work, short_m = st.work[:cd], st.short_m[:cd]
    np.maximum(ILe, 0, out=work)  # on hand at the end of the day
    acc["ohe"] += _colsum(work)
    if backorder:
        acc["demand"] += st.cum[cd]
        np.subtract(work, ILe, out=work)  # backorders at the end of the day
        acc["bo"] += _colsum(work)
        np.minimum(D, work, out=work)  # units short
        acc["short"] += _colsum(work)
        np.greater(work, 0, out=short_m)
    else:
        fil = st.fil[:cd]
        acc["demand"] += _colsum(D)
        np.subtract(D, fil, out=work)
        acc["short"] += _colsum(work)
        np.greater(work, 0, out=short_m)
    acc["stockout_days"] += _colcount(short_m)
    acc["stockout_events"] += _colcount(short_m[:1] > st.prev_short)
    if cd > 1:
        acc["stockout_events"] += _colcount(short_m[1:] > short_m[:-1])
    st.prev_short[:] = short_m[-1]
    acc["cycles"] += _colcount(st.rec_m[:cd])
    acc["stockout_cycles"] += _colcount(st.closed_short[:cd])


def _chunk_trace(
    st: _State, D: np.ndarray, cd: int, backorder: bool, t0: int
) -> dict[str, np.ndarray]:
    cols = st.tcols
    ILb = st.ILbuf[: cd + 1, cols].astype(float)
    ILp, ILe = ILb[:-1], ILb[1:]
    r = st.rec[:cd, cols].astype(float)
    o = st.ordc[:cd, cols].astype(float)
    d = D[:, cols].astype(float)
    available = np.maximum(ILp, 0) + r
    if backorder:
        wanted = np.maximum(-ILp, 0) + d
        shipped = np.minimum(available, wanted)
        filled = np.minimum(d, np.maximum(ILp + r, 0))
    else:
        filled = st.fil[:cd, cols].astype(float)
        shipped = filled
    # on order at the end of each day: the position minus the level
    on_order = _on_order_trace(st, cols, o, r, ILe, d, backorder, filled)
    return {
        "day": np.repeat(t0 + np.arange(cd), len(cols)),
        "col": np.tile(cols, cd),
        "demand": d.ravel(),
        "receipts": r.ravel(),
        "orders": o.ravel(),
        "shipped": shipped.ravel(),
        "filled": filled.ravel(),
        "on_hand": np.maximum(ILe, 0).ravel(),
        "backorders": np.maximum(-ILe, 0).ravel(),
        "on_order": on_order.ravel(),
    }


def _on_order_trace(st, cols, o, r, ILe, d, backorder, filled) -> np.ndarray:
    """Units on order at the end of each day of the chunk for the traced SKUs."""
    # what is still in the ring at the end of the chunk, then back day by day
    on_order_end = st.pipe2[:, cols].sum(axis=0, dtype=float)
    flow = np.cumsum((o - r)[::-1], axis=0)[::-1]
    return on_order_end - np.vstack([flow[1:], np.zeros((1, len(cols)))])


def _trace_frame(
    traces: list[dict[str, np.ndarray]],
    skus: pd.Index,
    cols: np.ndarray,
    dates: pd.DatetimeIndex | None,
) -> pd.DataFrame | None:
    if cols.size == 0:
        return None
    keys = (
        "day",
        "col",
        "demand",
        "receipts",
        "orders",
        "shipped",
        "filled",
        "on_hand",
        "backorders",
        "on_order",
    )
    if traces:
        data = {k: np.concatenate([tr[k] for tr in traces]) for k in keys}
    else:
        data = {k: np.zeros(0) for k in keys}
    frame = pd.DataFrame(
        {"sku": skus.to_numpy()[data["col"].astype(np.int64)], "day": data["day"].astype(np.int64)}
    )
    if dates is not None and len(dates):
        frame["date"] = dates[frame["day"].to_numpy() % len(dates)]
    for k in keys[2:]:
        frame[k] = data[k]
    frame["sku"] = frame["sku"].astype("string")
    return frame.sort_values(["sku", "day"], kind="stable").reset_index(drop=True)


def _summary(
    acc: Mapping[str, np.ndarray],
    skus: pd.Index,
    days: int,
    *,
    c: np.ndarray,
    i_rate: np.ndarray,
    K: np.ndarray,
    p: np.ndarray,
    start: np.ndarray,
    IL_end: np.ndarray,
    on_order_start: np.ndarray,
    on_order_end: np.ndarray,
    backorder: bool,
    days_per_year: float,
) -> pd.DataFrame:
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = max(days, 1)
        demand, short = acc["demand"], acc["short"]
        filled = demand - short
        # on hand after receipts = on hand at the end + what the day's demand took
        avg_oh = (2 * acc["ohe"] + filled) / (2 * denom)
        end_oh = np.maximum(IL_end, 0)
        avg_bo = acc["bo"] / denom
        out = pd.DataFrame(
            {
                "demand": demand,
                "filled": filled,
                "short": short,
                "fill_rate": np.where(demand > 0, filled / demand, np.nan),
                "cycles": acc["cycles"],
                "stockout_cycles": acc["stockout_cycles"],
                "cycle_service_level": np.where(
                    acc["cycles"] > 0, 1 - acc["stockout_cycles"] / acc["cycles"], np.nan
                ),
                "stockout_days": acc["stockout_days"],
                "stockout_events": acc["stockout_events"],
                "avg_on_hand": avg_oh,
                "avg_on_hand_value": avg_oh * c,
                "avg_backorders": avg_bo,
                "orders": acc["orders"],
                "units_ordered": acc["ordered"],
                "units_received": acc["ordered"] + on_order_start - on_order_end,
                "lost_units": np.zeros_like(short) if backorder else short,
                "ordering_cost": acc["orders"] * K,
                "holding_cost": avg_oh * c * i_rate * days / days_per_year,
                "shortage_cost": short * p,
                "start_on_hand": start.astype(float),
                "end_on_hand": end_oh,
                "end_backorders": np.maximum(-IL_end, 0),
                "end_on_order": on_order_end,
            },
            index=skus,
        )
    out["total_cost"] = out["ordering_cost"] + out["holding_cost"] + out["shortage_cost"]
    for col in ("cycles", "stockout_cycles", "stockout_days", "stockout_events", "orders"):
        out[col] = out[col].astype(np.int64)
    return out
