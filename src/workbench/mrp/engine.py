"""The MRP engine: BOM explosion by low-level code, gross to net, planned orders.

:func:`mrp` plans every item of a dataset over a horizon of day, week or month buckets:

1. **Independent demand** of end items: the master production schedule (``schedule``),
   or, with ``Scenario(demand_source="forecast")``, the forecast
   (:func:`workbench.forecast`), or the history's mean.
2. **Low-level codes** from the BOM: an item's code is the deepest level at which it is
   used, so it is netted once, after every parent (Heizer & Render, ch. 14).
3. **Gross to net**, level by level, all items of a level at once
   (:mod:`workbench.mrp.records`): stock on hand from the lots, open purchase orders as
   scheduled receipts, safety stock, lot sizing (:func:`workbench.lot_size`), planned
   releases offset by the lead time.
4. **Explosion**: a parent's planned releases times ``quantity_per / (1 - scrap_rate)``
   are its components' gross requirements in the same period.
5. **Action messages** (release now, expedite, defer, cancel, past due) and **pegging**
   (which parent order or independent demand each requirement comes from, and which
   planned lot covers it).

The four inventory types: finished goods get independent demand; work in progress and
raw materials are planned by MRP from their parents; MRO supplies are not exploded but
listed apart against their reorder points (:attr:`MRPResult.mro_items`).

References
----------
.. [HR] J. Heizer, B. Render and C. Munson, *Operations Management*, 12th ed., Pearson,
   2017, ch. 14 (MRP and ERP): low-level coding, the time-phased record, lot sizing.
.. [KRM] L. J. Krajewski, M. K. Malhotra and L. P. Ritzman, *Operations Management*,
   11th ed., Pearson, 2016, ch. 16 (planning and resource scheduling: MRP records).
.. [JC] F. R. Jacobs and R. B. Chase, *Operations and Supply Chain Management*, 15th
   ed., McGraw-Hill, 2018, ch. 21 (material requirements planning).
.. [O] J. Orlicky, *Material Requirements Planning*, McGraw-Hill, 1975.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..data.errors import DataError, Problem
from .lot_sizing import LOT_SIZING_METHODS, _method_name, lot_size
from .records import net_requirements, time_phased_record

__all__ = [
    "BUCKETS",
    "DEFAULT_HORIZON",
    "LEAD_TIME_ROUNDING",
    "LOT_SIZING_SOURCES",
    "MRPResult",
    "low_level_codes",
    "mrp",
]

#: Time buckets of the plan: days, weeks (Monday to Sunday) or calendar months.
BUCKETS: tuple[str, ...] = ("D", "W", "M")
#: Default horizon per bucket [buckets]: 13 weeks of days, 26 weeks, 12 months.
DEFAULT_HORIZON: dict[str, int] = {"D": 91, "W": 26, "M": 12}
#: Longest horizon accepted [buckets].
MAX_HORIZON = 3660
_BUCKET_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12.0}
_DAYS_PER_YEAR = 365.0
#: Days of history whose mean is the independent demand of an end item without a
#: schedule (``demand_source="history"``): the last 13 weeks.
HISTORY_DAYS = 91
#: How a lead time in days becomes whole buckets (see :func:`mrp`'s notes).
LEAD_TIME_ROUNDING: tuple[str, ...] = ("nearest", "up")
#: Order of the action messages in :attr:`MRPResult.actions` (most urgent first).
ACTIONS: tuple[str, ...] = ("past due", "expedite", "release now", "cancel", "defer")

_RECORD_COLUMNS = (
    "gross_requirements",
    "scheduled_receipts",
    "projected_on_hand",
    "net_requirements",
    "planned_receipts",
    "planned_releases",
)


@dataclass(frozen=True)
class MRPResult:
    """What :func:`mrp` returns.

    Attributes
    ----------
    records : pandas.DataFrame
        The time-phased record, one row per planned item and period: ``sku``,
        ``period`` (first day of the bucket), ``gross_requirements``,
        ``scheduled_receipts``, ``projected_on_hand`` (at the end of the period),
        ``net_requirements``, ``planned_receipts``, ``planned_releases`` [units]. A
        release already past due is shown in the first period.
    planned_orders : pandas.DataFrame
        One row per planned order, by item then due date: ``order_id`` (1, 2, ...),
        ``sku``, ``name``, ``kind`` (``"purchase"`` or ``"production"``: production when
        the item has components in the BOM), ``release_date``, ``due_date`` (first day
        of the release and receipt buckets), ``quantity`` [units], ``supplier``
        (purchases; <NA> otherwise), ``unit_cost`` [$/unit], ``value`` [$],
        ``low_level_code``, ``past_due`` (the release date is before the first bucket).
    actions : pandas.DataFrame
        The action messages, most urgent first (:data:`ACTIONS`): ``action``, ``sku``,
        ``reference`` (``"planned order 12"``, the purchase order's ``po_id`` or
        ``"schedule row 7"``), ``date`` (as planned), ``new_date`` (as needed; NaT for
        cancel and release now), ``quantity`` [units] and ``message`` (plain words).
    pegging : pandas.DataFrame
        Where each gross requirement comes from and which lot covers it: ``sku``,
        ``period``, ``quantity`` [units], ``source`` (``"parent"``, ``"schedule"``,
        ``"forecast"`` or ``"history"``), ``parent_sku`` and ``parent_order_id`` (the
        parent's planned order released in that period; <NA> for independent demand
        and for an open production order's components),
        ``order_id`` (the item's planned order whose lot covers the period: the latest
        received at or before it; <NA> when stock on hand or scheduled receipts cover
        it). Following ``parent_order_id`` upwards pegs a part to the end item's demand.
    summary : pandas.DataFrame
        One row per item (MRO included), indexed by ``sku``: ``name``,
        ``inventory_type``, ``planned`` (by MRP), ``low_level_code``, ``kind``,
        ``lead_time_periods``, ``lot_sizing`` (the rule used), ``lot_sizing_source``
        (``"item"``: the items table's ``lot_sizing``; ``"argument"``: the per-SKU
        ``lot_sizing`` given to :func:`mrp`; ``"scenario"``: the scenario's
        ``lot_sizing``; ``"plan"``: the rule given as one string, or lot-for-lot),
        ``demand_source`` (``"schedule"``,
        ``"forecast"``, ``"history"``, ``"dependent"`` for a component only,
        ``"none"``), ``on_hand``, ``safety_stock``, ``gross_requirements``,
        ``scheduled_receipts``, ``planned_receipts`` [units over the horizon],
        ``planned_orders`` [count], ``ending_on_hand`` [units], ``first_release``
        (date), ``planned_value`` [$].
    mro_items : pandas.DataFrame
        MRO supplies, planned by reorder point rather than MRP: ``sku``, ``name``,
        ``on_hand``, ``on_order`` [units], ``reorder_point`` [units] (today's
        ``current_reorder_point`` or ``current_min``; else mean daily demand of the last
        13 weeks times the lead time), ``order_quantity`` [units] (today's
        ``current_order_quantity``, or up to ``current_max``; else 4 weeks of demand,
        at least the MOQ, in packs), ``reorder`` (position at or below the reorder
        point), ``rule`` (where the reorder point came from).
    periods : pandas.DatetimeIndex
        First day of each bucket.
    bucket : str
        ``"D"``, ``"W"`` or ``"M"``.
    as_of : pandas.Timestamp
        The planning day: stock and open orders as of its end; the first bucket is the
        one starting after it.
    notes : list of str
        What was left out or assumed (schedule rows beyond the horizon, expired lots,
        the demand source used ...).
    """

    records: pd.DataFrame
    planned_orders: pd.DataFrame
    actions: pd.DataFrame
    pegging: pd.DataFrame
    summary: pd.DataFrame
    mro_items: pd.DataFrame
    periods: pd.DatetimeIndex
    bucket: str
    as_of: pd.Timestamp
    notes: list[str] = field(default_factory=list)

    def record(self, sku: str) -> pd.DataFrame:
        """One item's time-phased record as the textbook grid: rows are the record's
        lines, columns the periods."""
        rows = self.records[self.records["sku"] == sku]
        if rows.empty:
            raise KeyError(f"no MRP record for sku {sku!r} (not planned by MRP)")
        return rows.set_index("period")[list(_RECORD_COLUMNS)].T


# ----------------------------------------------------------------------------- helpers


def low_level_codes(parent: np.ndarray, component: np.ndarray, n_items: int) -> np.ndarray:
    """Low-level code of every item: the deepest BOM level at which it appears.

    Parameters
    ----------
    parent, component : ndarray of int
        One BOM edge per position: item numbers 0 .. n_items-1.
    n_items : int
        Number of items.

    Returns
    -------
    ndarray of int, shape (n_items,)
        0 for an item that is no one's component (an end item, or not in the BOM), else
        1 + the largest code of its parents (Heizer & Render, ch. 14, "low-level
        coding"). One vectorised pass per BOM level.

    Raises
    ------
    ValueError
        If the BOM has a cycle (the loader refuses those first).

    Examples
    --------
    Item 2 is used by item 0 directly and by item 1, which item 0 also uses:

    >>> low_level_codes(np.array([0, 0, 1]), np.array([1, 2, 2]), 3).tolist()
    [0, 1, 2]
    """
    llc = np.zeros(n_items, dtype=np.int64)
    parent = np.asarray(parent, dtype=np.int64)
    component = np.asarray(component, dtype=np.int64)
    for _ in range(n_items + 1):
        new = llc.copy()
        np.maximum.at(new, component, llc[parent] + 1)
        if np.array_equal(new, llc):
            return llc
        llc = new
    raise ValueError("the BOM has a cycle: an item is, through other parts, its own component")


def _per_sku(value: Any, skus: pd.Index, name: str, default: Any) -> np.ndarray:
    """A scalar, a mapping or a Series by SKU -> one value per SKU (object array)."""
    out = np.full(len(skus), default, dtype=object)
    if value is None:
        return out
    if isinstance(value, pd.Series | Mapping):
        series = pd.Series(value) if isinstance(value, Mapping) else value
        idx = skus.get_indexer(pd.Index(series.index.astype(str)))
        unknown = series.index[idx < 0]
        if len(unknown):
            raise ValueError(f"{name}: unknown sku {unknown[0]!r} (not in items)")
        out[idx] = series.to_numpy(dtype=object)
        return out
    out[:] = value
    return out


def _check_methods(methods: np.ndarray) -> np.ndarray:
    """Each item's lot-sizing rule by its canonical name (ValueError for an unknown one)."""
    names = {m: _method_name(m) for m in pd.unique(methods)}
    return np.array([names[m] for m in methods], dtype=object)


#: Where an item's lot-sizing rule comes from (``MRPResult.summary["lot_sizing_source"]``).
LOT_SIZING_SOURCES: tuple[str, ...] = ("plan", "scenario", "item", "argument")


def _item_methods(
    ds: Any, items: pd.DataFrame, skus: pd.Index, lot_sizing: Any, scenario: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each item's lot-sizing rule and where it comes from: the ``lot_sizing`` argument's
    per-SKU entry ("argument"), else the item's own ``lot_sizing`` ("item"), else the
    plan's rule: the argument when it is one rule ("plan"), else the scenario's
    ``lot_sizing`` ("scenario"), else lot-for-lot ("plan")."""
    n = len(skus)
    per_sku = lot_sizing is not None and not isinstance(lot_sizing, str)
    own_rule = getattr(scenario, "lot_sizing", None) if scenario is not None else None
    if isinstance(lot_sizing, str):
        plan, plan_source = _method_name(lot_sizing), "plan"
    elif own_rule is not None:
        try:
            plan, plan_source = _method_name(own_rule), "scenario"
        except ValueError as exc:
            raise ValueError(f"the scenario's lot_sizing: {exc}") from None
    else:
        plan, plan_source = "lot_for_lot", "plan"
    methods = np.full(n, plan, dtype=object)
    source = np.full(n, plan_source, dtype=object)
    if "lot_sizing" in items:
        own = _objects(items["lot_sizing"])
        has = np.array([v is not None and v == v and str(v).strip() != "" for v in own])
        if has.any():
            names: dict[Any, str | None] = {}
            for v in pd.unique(own[has]):
                try:
                    names[v] = _method_name(v)
                except ValueError:
                    names[v] = None
            rule = np.array([names.get(v) for v in own], dtype=object)
            bad = has & np.array([r is None for r in rule])
            if bad.any():
                expected = "one of " + ", ".join(LOT_SIZING_METHODS) + " or blank"
                raise DataError(_problems(ds, "items", bad, "lot_sizing", own, expected))
            methods[has], source[has] = rule[has], "item"
    if per_sku:
        given = _per_sku(lot_sizing, skus, "lot_sizing", None)
        named = np.array([v is not None for v in given])
        if named.any():
            methods[named] = _check_methods(given[named])
            source[named] = "argument"
    return methods, source


class _Calendar:
    """Bucket arithmetic: the first bucket starts on the first bucket boundary after
    ``as_of`` (the next day, the next Monday, the first of the next month)."""

    def __init__(self, as_of: pd.Timestamp, bucket: str, horizon: int):
        self.bucket, self.horizon = bucket, horizon
        day = as_of.normalize() + pd.Timedelta(days=1)
        if bucket == "W":
            day = day + pd.Timedelta(days=(7 - day.day_of_week) % 7)
        elif bucket == "M" and day.day != 1:
            day = (day + pd.offsets.MonthBegin(1)).normalize()
        self.start = day
        self.periods = self.starts(np.arange(horizon))
        edges = self.starts(np.arange(horizon + 1)).to_numpy().astype("datetime64[D]")
        self.days = np.diff(edges.astype(np.int64)).astype(float)  # [days per bucket]

    def index(self, dates: Any) -> np.ndarray:
        """Bucket number of each date (negative before the first; NaT -> a large
        negative number)."""
        d = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates)).to_numpy())
        if self.bucket == "M":
            k = (d.year - self.start.year) * 12 + (d.month - self.start.month)
            out = np.asarray(k, dtype=np.int64)
        else:
            days = (d - self.start).days.to_numpy(dtype=float)
            step = 7.0 if self.bucket == "W" else 1.0
            out = np.floor(np.nan_to_num(days, nan=-1e12) / step).astype(np.int64)
        return np.where(np.asarray(d.isna()), np.iinfo(np.int64).min // 2, out)

    def starts(self, k: np.ndarray) -> pd.DatetimeIndex:
        """First day of bucket ``k`` (any integer, negative ones before the horizon)."""
        k = np.asarray(k, dtype=np.int64)
        if self.bucket == "M":
            base = self.start.year * 12 + self.start.month - 1 + k
            return pd.DatetimeIndex(
                pd.to_datetime({"year": base // 12, "month": base % 12 + 1, "day": 1})
                if len(k)
                else []
            )
        step = 7 if self.bucket == "W" else 1
        return pd.DatetimeIndex(self.start.to_datetime64() + (k * step).astype("m8[D]"))


def _row_numbers(ds: Any, table: str, positions: np.ndarray) -> tuple[str, np.ndarray]:
    """File name and row numbers as the loader numbers them (header = row 1 in a file;
    row 1 is the first row of an in-memory table)."""
    file = getattr(ds, "_files", {}).get(table, f"table '{table}'")
    first = 1 if file.startswith("table '") or file.endswith(".parquet") else 2
    return file, np.asarray(positions) + first


def _problems(
    ds: Any, table: str, bad: np.ndarray, column: str, values: Any, expected: str
) -> list[Problem]:
    pos = np.flatnonzero(bad)
    file, rows = _row_numbers(ds, table, pos)
    vals = np.asarray(values, dtype=object)[pos]
    return [
        Problem(file, None, int(r), column, v, expected) for r, v in zip(rows, vals, strict=True)
    ]


# ----------------------------------------------------------------------------- lot sizing


def _lot_size(
    req: np.ndarray,
    method: str,
    *,
    order_cost: np.ndarray,
    holding_cost: np.ndarray,
    min_order_qty: np.ndarray,
    pack_size: np.ndarray,
    fixed_order_qty: np.ndarray,
) -> np.ndarray:
    """Planned receipts of a block of items sized with one rule."""
    kwargs: dict[str, Any] = {}
    if method == "fixed_order_quantity":
        kwargs["fixed_order_qty"] = fixed_order_qty
    res = lot_size(
        req,
        method=method,
        order_cost=order_cost,
        holding_cost=holding_cost,
        min_order_qty=min_order_qty,
        pack_size=pack_size,
        **kwargs,
    )
    return np.asarray(res.receipts, dtype=float)


# ----------------------------------------------------------------------------- the engine


def mrp(
    dataset: Any,
    scenario: Any = None,
    *,
    horizon: int | None = None,
    bucket: str = "W",
    as_of: Any = None,
    lot_sizing: str | Mapping[str, str] | pd.Series | None = None,
    safety_stock: float | Mapping[str, float] | pd.Series | None = None,
    lead_time_rounding: str = "nearest",
) -> MRPResult:
    """Material requirements plan of a dataset: what to buy or make, how much and when.

    Parameters
    ----------
    dataset : workbench.Dataset
        The business: ``items`` (lead times, costs, MOQ, pack size, and an item's own
        ``lot_sizing`` rule), ``bom``, ``schedule`` (the master production schedule),
        ``lots`` (stock on hand), ``purchase_orders`` and ``production_orders`` (open
        ones are scheduled receipts) and ``demand`` (the history, for end items without
        a schedule).
    scenario : workbench.Scenario, optional
        Uses ``demand_source`` ("forecast": end items' demand from
        :func:`workbench.forecast` instead of the schedule), ``demand_multiplier``
        (scales independent demand), ``lead_time_multiplier``, ``order_cost`` and
        ``holding_cost_rate`` (override the items' values when set) and ``lot_sizing``
        (the plan's rule when the ``lot_sizing`` argument is not one rule).
    horizon : int, optional
        Number of buckets planned [buckets]; default :data:`DEFAULT_HORIZON` (26 weeks).
    bucket : {"W", "D", "M"}, default "W"
        Weeks (Monday to Sunday), days or calendar months.
    as_of : date-like, optional
        The planning day; default the last day of the demand history (the day the lots
        describe). Open orders are those placed on or before it and not received by it.
    lot_sizing : str, mapping or Series, optional
        The plan's rule, one of :data:`workbench.LOT_SIZING_METHODS`, for every item
        without its own; or one per SKU (a mapping or Series by SKU). An item's rule is,
        first found: this mapping's entry ("argument"), the item's ``lot_sizing`` in the
        items table ("item"), the rule given here as one string ("plan"), the
        scenario's ``lot_sizing`` ("scenario"), lot-for-lot ("plan": no scenario);
        ``summary["lot_sizing_source"]`` says which. Default None: the scenario's rule
        (lot-for-lot without a scenario). Each lot respects the item's
        ``min_order_qty`` and ``pack_size``; ``fixed_order_quantity`` orders today's
        ``current_order_quantity`` (the EOQ where it is blank).
    safety_stock : float, mapping or Series, optional
        Stock to keep at the end of every bucket [units]; one number for all, or per
        SKU. Default 0.
    lead_time_rounding : {"nearest", "up"}, default "nearest"
        How a lead time in days becomes the offset L in whole buckets: to the nearest
        bucket (0 when it is under half a bucket: released and received in the same
        bucket), or up (``ceil``: received before the bucket it is needed in starts).
        See the notes.

    Returns
    -------
    MRPResult
        Records, planned orders, action messages, pegging, a per-item summary and the
        MRO list (``mro_items``).

    Raises
    ------
    DataError
        Naming file, row, column and value: an item MRP must plan without a lead time,
        a schedule row for an SKU not in items, a negative or missing schedule
        quantity, a BOM row naming an unknown SKU.
        Also a production order for an unknown SKU or for an item that is bought (not a
        parent in the BOM), with a negative or missing quantity or without a due date,
        and an item's ``lot_sizing`` that is not a rule.
    ValueError
        A bad ``bucket``, ``horizon``, ``as_of``, ``lot_sizing``, ``safety_stock`` or
        ``lead_time_rounding``.

    Notes
    -----
    The record follows Heizer & Render (2017, ch. 14): ``NR_t = max(0, GR_t + SS -
    POH_{t-1} - SR_t)``; a lot received in bucket t is released in ``t - L``, L the lead
    time in whole buckets ("lead-time offsetting": the release is the receipt moved back
    by the lead time, Jacobs & Chase 2018, ch. 21; Orlicky 1975). With b days a bucket
    (7 for weeks, 365.25/12 for months) and a lead time of d days:

    - ``"nearest"`` (default): ``L = round(d / b)``, halves up. A bucket's gross
      requirement is used up through the bucket, not all on its first day, and an order
      released "in" a bucket goes out some day within it; measured between the middles
      of the buckets, the offset nearest the lead time is the round one. A 2-day
      production time in weekly buckets is an offset of 0: made in the week it is
      needed, and not planned a week early (which would make every short finished
      good past due on the plan's first day); 4 to 10 days are one week.
    - ``"up"``: ``L = ceil(d / b)``: the textbook's strict reading that a receipt is
      available at the start of its bucket, as systems that offset by days from the
      bucket's first day do (a 2-day order for Monday goes out the week before).

    The bucket size limits how precisely a plan can time its orders (Plossl, *Orlicky's
    Material Requirements Planning*, 2nd ed., 1994, on choosing the time bucket); use
    ``bucket="D"`` where days matter. (The simulator rounds to the nearest bucket too,
    but at least one: an order placed in a simulated bucket cannot be received before
    that bucket's demand, docs/timing.md.)
    A component's gross requirement is the parents' releases times
    ``quantity_per / (1 - scrap_rate)`` (the scrap is lost, so more must be issued).
    A schedule quantity is the end item's gross requirement in its bucket (netted against
    the item's own stock); a schedule row dated on or before ``as_of`` is past due and
    is planned in the first bucket. Open purchase orders are due on their promised date
    (else order date plus lead time); one already late is received in the first bucket
    and flagged past due. Expired lots (expiry on or before ``as_of``) are not counted.
    Open production orders (``production_orders``, not completed by ``as_of``) are
    scheduled receipts of made items in the bucket of their ``due_date``, with the
    same action messages as purchase orders; one started on or before ``as_of`` has its
    components issued already (they are not on hand), one starting later still needs
    them: its quantity times ``quantity_per / (1 - scrap_rate)`` is each component's
    gross requirement in its start bucket (in pegging, ``parent_order_id`` is then
    <NA>: the parent's order is an open one, not a planned one).

    Examples
    --------
    ``wb.mrp`` is this function (imported here by its module, as importing the
    ``workbench.mrp`` subpackage on its own rebinds that attribute to the subpackage):

    >>> import workbench as wb
    >>> from workbench.mrp.engine import mrp
    >>> ds = wb.sample_dataset(n_skus=100, years=1, seed=7)
    >>> res = mrp(ds, horizon=8)
    >>> sorted(res.planned_orders["kind"].unique())
    ['production', 'purchase']
    """
    if bucket not in BUCKETS:
        raise ValueError(f"bucket must be one of {', '.join(BUCKETS)} (day, week, month); "
                         f"got {bucket!r}")  # fmt: skip
    if horizon is None:
        horizon = DEFAULT_HORIZON[bucket]
    if (
        isinstance(horizon, bool)
        or not isinstance(horizon, int | np.integer)
        or not 1 <= horizon <= MAX_HORIZON
    ):
        raise ValueError(f"horizon must be a whole number of buckets from 1 to {MAX_HORIZON}; "
                         f"got {horizon!r}")  # fmt: skip
    horizon = int(horizon)
    if lead_time_rounding not in LEAD_TIME_ROUNDING:
        raise ValueError(f"lead_time_rounding must be one of {', '.join(LEAD_TIME_ROUNDING)}; "
                         f"got {lead_time_rounding!r}")  # fmt: skip
    items = dataset.items
    skus = pd.Index(_objects(items["sku"]).astype(str), name="sku", dtype=object)
    n, T = len(skus), horizon
    if as_of is None:
        end = dataset.demand_period[1] if dataset.demand is not None else pd.NaT
        as_of = pd.Timestamp.today().normalize() if pd.isna(end) else pd.Timestamp(end)
    else:
        try:
            as_of = pd.Timestamp(as_of)
        except (TypeError, ValueError):
            raise ValueError(f"as_of must be a date; got {as_of!r}") from None
        if pd.isna(as_of):
            raise ValueError(f"as_of must be a date; got {as_of!r}")
    cal = _Calendar(as_of, bucket, T)
    notes: list[str] = []
    problems: list[Problem] = []
    itype = items["inventory_type"].astype(str).to_numpy()
    is_mro = itype == "mro"
    demand_source = getattr(scenario, "demand_source", "history")
    demand_mult = float(getattr(scenario, "demand_multiplier", 1.0))
    lead_mult = float(getattr(scenario, "lead_time_multiplier", 1.0))

    # ---- the BOM and low-level codes
    bom = dataset.bom
    if bom is not None and len(bom):
        par = _code(skus, bom["parent_sku"])
        comp = _code(skus, bom["component_sku"])
        for col, codes in (("parent_sku", par), ("component_sku", comp)):
            problems += _problems(
                dataset, "bom", codes < 0, col, bom[col], "an sku listed in items"
            )
        scrap = bom["scrap_rate"].fillna(0.0).to_numpy(dtype=float)
        qty_per = bom["quantity_per"].to_numpy(dtype=float)
        ok = (par >= 0) & (comp >= 0)
        par, comp = par[ok], comp[ok]
        factor = qty_per[ok] / (1.0 - scrap[ok])
    else:
        par = comp = np.zeros(0, dtype=np.int64)
        factor = np.zeros(0)

    # ---- independent demand
    is_component = np.zeros(n, dtype=bool)
    is_component[comp] = True
    is_parent = np.zeros(n, dtype=bool)
    is_parent[par] = True
    indep = np.zeros((n, T))
    source = np.full(n, "none", dtype=object)
    source[is_component] = "dependent"
    sched = dataset.schedule
    past_due_rows = pd.DataFrame()
    end_item = ~is_component & ~is_mro
    fc_rows = None
    if demand_source == "forecast":
        fc_rows = _forecast_demand(dataset, cal, as_of, end_item, skus, notes)
    use_forecast = fc_rows is not None
    if use_forecast:
        fi, ft, fq = fc_rows
        np.add.at(indep, (fi, ft), fq)
        source[end_item] = "forecast"
        if sched is not None:
            notes.append("schedule not used: the scenario takes demand from the forecast")
    if sched is not None and not use_forecast:
        code = _code(skus, sched["sku"])
        qty = sched["quantity"].to_numpy(dtype=float)
        problems += _problems(dataset, "schedule", code < 0, "sku", sched["sku"],
                              "an sku listed in items")  # fmt: skip
        bad_q = ~np.isfinite(qty) | (qty < 0)
        problems += _problems(dataset, "schedule", bad_q, "quantity", sched["quantity"],
                              "a number ≥ 0 [units]")  # fmt: skip
        bad_d = sched["period_start"].isna().to_numpy()
        problems += _problems(dataset, "schedule", bad_d, "period_start",
                              sched["period_start"], "a date")  # fmt: skip
        if not problems:
            k = cal.index(sched["period_start"])
            late = k < 0
            past = late & (sched["period_start"] <= as_of).to_numpy() & (qty > 0)
            beyond = k >= T
            kk = np.clip(k, 0, T - 1)
            use = ~beyond & (qty > 0)
            np.add.at(indep, (code[use], kk[use]), qty[use])
            source[np.unique(code)] = "schedule"
            if beyond.any():
                notes.append(f"{int(beyond.sum()):,} schedule rows after the horizon (its last "
                             f"bucket starts {cal.periods[-1].date()}) not planned")  # fmt: skip
            if past.any():
                past_due_rows = sched.loc[past, ["sku", "period_start", "quantity"]].assign(
                    _row=_row_numbers(dataset, "schedule", np.flatnonzero(past))[1]
                )
                notes.append(f"{int(past.sum()):,} schedule rows dated on or before as_of "
                             "are past due: planned in the first bucket")  # fmt: skip
            if (late & ~past).any():
                notes.append(f"{int((late & ~past).sum()):,} schedule rows between as_of and "
                             "the first bucket added to the first bucket")  # fmt: skip
    if not use_forecast:
        hist = end_item & (source == "none")
        if sched is not None:
            hist &= itype != "finished_good"  # the MPS plans the finished goods
        if hist.any() and dataset.demand is not None and len(dataset.demand):
            from ..data.stats import demand_stats

            start = as_of - pd.Timedelta(days=HISTORY_DAYS - 1)
            st = demand_stats(dataset, period=(start, as_of))
            rate = st["daily_mean"].reindex(skus).fillna(0.0).to_numpy()
            rate = np.where(hist, rate, 0.0)
            indep += rate[:, None] * cal.days[None, :]
            source[hist & (rate > 0)] = "history"
    if demand_mult != 1.0:
        indep *= demand_mult
    unplanned_fg = (itype == "finished_good") & (source == "none")
    if sched is not None and unplanned_fg.any():
        notes.append(f"{int(unplanned_fg.sum()):,} finished goods have no schedule rows: "
                     "no independent demand planned for them")  # fmt: skip

    planned = ~is_mro & (is_component | is_parent | (source != "none"))
    po = dataset.purchase_orders
    if po is not None and len(po):  # an item with an open order is planned (cancel it?)
        pc = _code(skus, po["sku"])
        open_ = (pc >= 0) & po["received_date"].isna().to_numpy()
        planned[pc[open_]] |= ~is_mro[pc[open_]]
    prod = getattr(dataset, "production_orders", None)
    prod_item = np.zeros(0, dtype=np.int64)
    if prod is not None and len(prod):
        prod_item = _code(skus, prod["sku"])
        problems += _production_problems(dataset, prod, prod_item, is_parent, itype, bom)
        open_ = (prod_item >= 0) & (prod["received_date"].isna() | (
            prod["received_date"] > as_of)).to_numpy()  # fmt: skip
        planned[prod_item[open_]] |= ~is_mro[prod_item[open_]]

    # ---- lead times
    lead_days = items["lead_time_days"].to_numpy(dtype=float)
    no_lead = planned & ~np.isfinite(lead_days)
    if no_lead.any():
        what = np.where(
            is_component, "a lead time [days] (MRP offsets this component's orders by it)",
            "a lead time [days] (MRP offsets this item's orders by it)",
        )  # fmt: skip
        pos = np.flatnonzero(no_lead)
        file, rows = _row_numbers(dataset, "items", pos)
        problems += [
            Problem(file, None, int(r), "lead_time_days", None, f"{what[p]} for {skus[p]}")
            for p, r in zip(pos, rows, strict=True)
        ]
    if problems:
        raise DataError(problems)
    # lead-time offset in whole buckets (see the notes): nearest, or up
    days = np.nan_to_num(lead_days) * lead_mult
    ratio = days / _BUCKET_DAYS[bucket]
    if lead_time_rounding == "up":
        lead = np.ceil(ratio - 1e-9)
    else:
        lead = np.floor(ratio + 0.5 + 1e-9)
    lead = np.maximum(lead, 0).astype(np.int64)

    # ---- stock on hand and open orders
    on_hand = np.zeros(n)
    lots = dataset.lots
    if lots is not None and len(lots):
        lc = _code(skus, lots["sku"])
        q = lots["quantity"].to_numpy(dtype=float)
        expired = (lots["expiry_date"] <= as_of).to_numpy() if "expiry_date" in lots else False
        later = (lots["received_date"] > as_of).to_numpy()
        keep = (lc >= 0) & ~expired & ~later & np.isfinite(q)
        np.add.at(on_hand, lc[keep], q[keep])
        if np.any(expired & (lc >= 0)):
            notes.append(f"{int(np.sum(expired)):,} expired lots not counted as on hand")
    sr = np.zeros((n, T))
    po_open = pd.DataFrame()
    if po is not None and len(po):
        pc = _code(skus, po["sku"])
        open_ = (
            (pc >= 0)
            & (po["order_date"] <= as_of).to_numpy()
            & (po["received_date"].isna() | (po["received_date"] > as_of)).to_numpy()
        )
        due = po["promised_date"].where(
            po["promised_date"].notna(),
            po["order_date"] + pd.to_timedelta(lead_days[np.maximum(pc, 0)], unit="D"),
        )
        k = cal.index(due)
        po_open = po.loc[open_, ["po_id", "sku", "supplier_id", "quantity"]].assign(
            _item=pc[open_], _due=due[open_], _k=k[open_]
        )
        inside = open_ & (k < T)
        np.add.at(sr, (pc[inside], np.maximum(k[inside], 0)), po["quantity"].to_numpy()[inside])
        if (open_ & (k >= T)).any():
            notes.append(f"{int((open_ & (k >= T)).sum()):,} open purchase orders due after "
                         "the horizon not counted")  # fmt: skip
    po_open = po_open.assign(_kind="purchase") if len(po_open) else po_open
    firm = np.zeros((n, T))  # open production orders not started: components still needed
    if prod is not None and len(prod):
        prod_open, firm_rows = _open_production(prod, prod_item, cal, as_of, lead_days, notes)
        i, k, q = prod_open["_item"].to_numpy(), prod_open["_k"].to_numpy(), prod_open[
            "quantity"].to_numpy(dtype=float)  # fmt: skip
        inside = k < T
        np.add.at(sr, (i[inside], np.maximum(k[inside], 0)), q[inside])
        fi, fk, fq = firm_rows
        np.add.at(firm, (fi, fk), fq)
        if len(prod_open) and len(po_open):
            po_open = pd.concat([po_open, prod_open], ignore_index=True)
        elif len(prod_open):
            po_open = prod_open

    # ---- costs and lot-sizing parameters
    sc_order = getattr(scenario, "order_cost", None)
    sc_rate = getattr(scenario, "holding_cost_rate", None)
    order_cost = np.full(n, float(sc_order)) if sc_order is not None else (
        items["order_cost"].fillna(0.0).to_numpy(dtype=float))  # fmt: skip
    rate = np.full(n, float(sc_rate)) if sc_rate is not None else (
        items["holding_cost_rate"].fillna(0.0).to_numpy(dtype=float))  # fmt: skip
    unit_cost = items["unit_cost"].fillna(0.0).to_numpy(dtype=float)
    holding = unit_cost * rate * _BUCKET_DAYS[bucket] / _DAYS_PER_YEAR  # [$/unit/bucket]
    moq = items["min_order_qty"].fillna(0.0).to_numpy(dtype=float)
    pack = items["pack_size"].fillna(1.0).to_numpy(dtype=float)
    pack = np.where(pack > 0, pack, 1.0)
    foq = (
        items["current_order_quantity"].to_numpy(dtype=float)
        if "current_order_quantity" in items
        else np.full(n, np.nan)
    )
    methods, method_source = _item_methods(dataset, items, skus, lot_sizing, scenario)
    ss = _per_sku(safety_stock, skus, "safety_stock", 0.0).astype(float)
    if np.any(~np.isfinite(ss) | (ss < 0)):
        raise ValueError(f"safety_stock must be ≥ 0 [units]; got {ss[~(ss >= 0)][0]!r}")

    # ---- gross to net, level by level
    llc = low_level_codes(par, comp, n)
    gross = indep.copy()
    receipts = np.zeros((n, T))
    releases = np.zeros((n, T))
    poh = np.zeros((n, T))
    net = np.zeros((n, T))
    past_due = np.zeros(n)
    order = np.argsort(llc[par], kind="stable")
    par, comp, factor = par[order], comp[order], factor[order]
    edge_level = llc[par]
    peg_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for level in range(int(llc.max(initial=0)) + 1):
        rows = np.flatnonzero((llc == level) & planned)
        if len(rows):
            nr = net_requirements(gross[rows], sr[rows], on_hand[rows], ss[rows])
            pr = np.zeros_like(nr)
            for m in pd.unique(methods[rows]):
                sub = methods[rows] == m
                r = rows[sub]
                fixed = foq[r]
                if m == "fixed_order_quantity":
                    mean = nr[sub].mean(axis=1)
                    with np.errstate(divide="ignore", invalid="ignore"):
                        eoq = np.sqrt(2 * mean * order_cost[r] / holding[r])
                    eoq = np.where(np.isfinite(eoq) & (eoq >= 1), np.round(eoq), 1.0)
                    fixed = np.where(np.isfinite(fixed) & (fixed > 0), fixed, eoq)
                pr[sub] = _lot_size(
                    nr[sub], m, order_cost=order_cost[r], holding_cost=holding[r],
                    min_order_qty=moq[r], pack_size=pack[r], fixed_order_qty=fixed,
                )  # fmt: skip
            rec = time_phased_record(gross[rows], sr[rows], on_hand[rows], pr, lead[rows], ss[rows])
            receipts[rows], releases[rows] = rec.planned_receipts, rec.planned_releases
            poh[rows], net[rows], past_due[rows] = (
                rec.projected_on_hand, rec.net_requirements, rec.past_due)  # fmt: skip
        # explode this level's releases (and open production orders still to start) into
        # the components' gross requirements
        e = np.flatnonzero(edge_level == level)
        if len(e):
            for start, is_firm in ((releases, False), (firm, True)):
                contrib = start[par[e]] * factor[e, None]
                ei, t = np.nonzero(contrib)
                if not len(ei):
                    continue
                ce = comp[e]
                o = np.argsort(ce, kind="stable")
                uc, first = np.unique(ce[o], return_index=True)
                gross[uc] += np.add.reduceat(contrib[o], first, axis=0)
                peg_parts.append(
                    (comp[e][ei], t, contrib[ei, t], par[e][ei], np.full(len(ei), is_firm))
                )

    return _assemble(
        dataset=dataset, skus=skus, items=items, cal=cal, as_of=as_of, bucket=bucket,
        planned=planned, is_parent=is_parent, llc=llc, lead=lead, methods=methods,
        method_source=method_source,
        source=source, on_hand=on_hand, ss=ss, gross=gross, indep=indep, sr=sr, poh=poh,
        net=net, receipts=receipts, releases=releases, unit_cost=unit_cost, moq=moq,
        pack=pack, peg_parts=peg_parts, po_open=po_open, past_due_rows=past_due_rows,
        notes=notes, is_mro=is_mro, lead_days=lead_days,
    )  # fmt: skip


def _production_problems(
    ds: Any,
    prod: pd.DataFrame,
    item: np.ndarray,
    is_parent: np.ndarray,
    itype: np.ndarray,
    bom: pd.DataFrame | None,
) -> list[Problem]:
    """Production-order rows MRP cannot use (the loader refuses them first; a Dataset
    built without it is checked here): unknown or bought SKUs, bad quantities, no due
    date."""
    out = _problems(ds, "production_orders", item < 0, "sku", prod["sku"],
                    "an sku listed in items")  # fmt: skip
    known = np.maximum(item, 0)
    if bom is not None and len(bom):
        bought = (item >= 0) & ~is_parent[known]
        expected = "an item made in house: a parent_sku in the bom"
    else:
        bought = (item >= 0) & np.isin(itype[known], ["raw_material", "mro"])
        expected = "an item made in house (a finished good or work in progress)"
    out += _problems(ds, "production_orders", bought, "sku", prod["sku"], expected)
    qty = prod["quantity"].to_numpy(dtype=float)
    out += _problems(ds, "production_orders", ~np.isfinite(qty) | (qty < 0), "quantity",
                     prod["quantity"], "a number ≥ 0 [units]")  # fmt: skip
    out += _problems(ds, "production_orders", prod["due_date"].isna().to_numpy(), "due_date",
                     prod["due_date"], "a date")  # fmt: skip
    if "start_date" in prod:
        late = (prod["due_date"] < prod["start_date"]).to_numpy()
        out += _problems(ds, "production_orders", late, "due_date", prod["due_date"],
                         "a date on or after start_date")  # fmt: skip
    return out


def _open_production(
    prod: pd.DataFrame,
    item: np.ndarray,
    cal: _Calendar,
    as_of: pd.Timestamp,
    lead_days: np.ndarray,
    notes: list[str],
) -> tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Open production orders as scheduled receipts (the frame the action messages use,
    as for purchase orders) and the (item, start bucket, quantity) of those not started
    yet, whose components are still to be issued."""
    T = cal.horizon
    open_ = (prod["received_date"].isna() | (prod["received_date"] > as_of)).to_numpy()
    due = prod["due_date"]
    start = prod["start_date"] if "start_date" in prod else pd.Series(pd.NaT, index=prod.index)
    start = start.where(
        start.notna(), due - pd.to_timedelta(np.nan_to_num(lead_days[item]), unit="D")
    )
    k = cal.index(due)
    frame = prod.loc[open_, ["order_id", "sku", "quantity"]].rename(columns={"order_id": "po_id"})
    frame = frame.assign(supplier_id=None, _item=item[open_], _due=due[open_], _k=k[open_],
                         _kind="production")  # fmt: skip
    qty = prod["quantity"].to_numpy(dtype=float)
    to_start = open_ & (start > as_of).to_numpy()
    ks = cal.index(start)
    use = to_start & (ks < T)
    firm = (item[use], np.maximum(ks[use], 0), qty[use])
    if (open_ & (k >= T)).any():
        notes.append(f"{int((open_ & (k >= T)).sum()):,} open production orders due after "
                     "the horizon not counted")  # fmt: skip
    return frame, firm


def _forecast_demand(
    dataset: Any,
    cal: _Calendar,
    as_of: pd.Timestamp,
    end_item: np.ndarray,
    skus: pd.Index,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """End items' forecast per bucket (item, bucket, quantity), or None with a note."""
    if dataset.demand_frequency != cal.bucket:
        notes.append(
            f"forecast demand needs the plan's bucket ({cal.bucket}) to match the demand "
            f"data's ({dataset.demand_frequency}); planned from the schedule or history instead"
        )
        return None
    from ..forecasting import forecast

    res = forecast(dataset, horizon=cal.horizon + 1, as_of=as_of)
    fc = res.forecast
    i = _code(skus, fc["sku"])
    k = cal.index(pd.PeriodIndex(fc["period"]).start_time)
    ok = (i >= 0) & (k >= 0) & (k < cal.horizon)
    ok &= end_item[np.maximum(i, 0)]
    notes.append("end items' demand from the forecast (wb.forecast, model 'auto')")
    return i[ok], k[ok], fc["forecast"].to_numpy(dtype=float)[ok]


def _assemble(
    *,
    dataset: Any,
    skus: pd.Index,
    items: pd.DataFrame,
    cal: _Calendar,
    as_of: pd.Timestamp,
    bucket: str,
    planned: np.ndarray,
    is_parent: np.ndarray,
    llc: np.ndarray,
    lead: np.ndarray,
    methods: np.ndarray,
    method_source: np.ndarray,
    source: np.ndarray,
    on_hand: np.ndarray,
    ss: np.ndarray,
    gross: np.ndarray,
    indep: np.ndarray,
    sr: np.ndarray,
    poh: np.ndarray,
    net: np.ndarray,
    receipts: np.ndarray,
    releases: np.ndarray,
    unit_cost: np.ndarray,
    moq: np.ndarray,
    pack: np.ndarray,
    peg_parts: list,
    po_open: pd.DataFrame,
    past_due_rows: pd.DataFrame,
    notes: list[str],
    is_mro: np.ndarray,
    lead_days: np.ndarray,
) -> MRPResult:
    """The result frames from the plan's arrays (categorical and integer columns, so that
    a 10,000-item plan of half a million orders builds in a fraction of a second)."""
    n, T = receipts.shape
    periods = cal.periods
    cats = pd.CategoricalDtype(skus)
    name_cat = pd.Categorical(
        _objects(items["name"]) if "name" in items else np.full(n, None, dtype=object)
    )
    kind = np.where(is_parent, "production", "purchase")
    supplier = np.where(is_parent, None, _objects(items["supplier_id"]))
    supplier_cat = pd.Categorical(supplier)

    # records: the planned items, period by period
    rows = np.flatnonzero(planned)
    records = pd.DataFrame(
        {
            "sku": pd.Categorical.from_codes(np.repeat(rows, T), dtype=cats),
            "period": np.tile(periods.to_numpy(), len(rows)),
            "gross_requirements": gross[rows].ravel(),
            "scheduled_receipts": sr[rows].ravel(),
            "projected_on_hand": poh[rows].ravel(),
            "net_requirements": net[rows].ravel(),
            "planned_receipts": receipts[rows].ravel(),
            "planned_releases": releases[rows].ravel(),
        }
    )

    # planned orders, by item then due bucket; numbered 1, 2, ...
    oi, ot = np.nonzero(receipts)
    rel_k = ot - lead[oi]
    n_orders = len(oi)
    qty = receipts[oi, ot]
    k_lo = int(min(rel_k.min(initial=0), 0))
    rel_starts = cal.starts(np.arange(k_lo, T)).to_numpy()  # every release bucket, once
    planned_orders = pd.DataFrame(
        {
            "order_id": np.arange(1, n_orders + 1, dtype=np.int64),
            "sku": pd.Categorical.from_codes(oi, dtype=cats),
            "name": name_cat.take(oi),
            "kind": pd.Categorical.from_codes(
                is_parent[oi].astype(np.int8), categories=["purchase", "production"]
            ),
            "release_date": rel_starts[rel_k - k_lo],
            "due_date": periods.to_numpy()[ot],
            "quantity": qty,
            "supplier": supplier_cat.take(oi),
            "unit_cost": unit_cost[oi],
            "value": qty * unit_cost[oi],
            "low_level_code": llc[oi],
            "past_due": rel_k < 0,
        }
    )
    # which order is received in (item, bucket), and released in (item, bucket)
    order_at = np.full((n, T), -1, dtype=np.int64)
    order_at[oi, ot] = np.arange(n_orders)
    released_at = np.full((n, T), -1, dtype=np.int64)
    released_at[oi[::-1], np.maximum(rel_k, 0)[::-1]] = np.arange(n_orders)[::-1]
    cover = np.maximum.accumulate(order_at, axis=1)

    # pegging: each gross requirement, its source and the lot that covers it
    parts = []
    for code, src in enumerate(_PEG_SOURCES):
        if src == "parent":
            parts += [(c, t, q, p, f, code) for c, t, q, p, f in peg_parts]
            continue
        mask = (source == src) & planned
        if mask.any():
            ii, tt = np.nonzero(indep * mask[:, None])
            no = np.full(len(ii), -1)
            parts.append((ii, tt, indep[ii, tt], no, np.zeros(len(ii), dtype=bool), code))
    if parts:
        pi, pt, pq, pp, pf = (np.concatenate([x[j] for x in parts]) for j in range(5))
        ps = np.concatenate([np.full(len(x[0]), x[5], dtype=np.int8) for x in parts])
    else:
        pi = pt = pp = np.zeros(0, dtype=np.int64)
        pq, ps, pf = np.zeros(0), np.zeros(0, dtype=np.int8), np.zeros(0, dtype=bool)
    o = np.argsort((pi * T + pt) * len(_PEG_SOURCES) + ps, kind="stable")
    pi, pt, pq, pp, ps, pf = pi[o], pt[o], pq[o], pp[o], ps[o], pf[o]
    has_parent = pp >= 0
    parent_order = np.where(has_parent & ~pf, released_at[np.maximum(pp, 0), pt], -1)
    covering = cover[pi, pt]
    pegging = pd.DataFrame(
        {
            "sku": pd.Categorical.from_codes(pi, dtype=cats),
            "period": periods.to_numpy()[pt],
            "quantity": pq,
            "source": pd.Categorical.from_codes(ps, categories=list(_PEG_SOURCES)),
            "parent_sku": pd.Categorical.from_codes(np.where(has_parent, pp, -1), dtype=cats),
            "parent_order_id": pd.arrays.IntegerArray(parent_order + 1, parent_order < 0),
            "order_id": pd.arrays.IntegerArray(covering + 1, covering < 0),
        }
    )

    actions = _actions(
        skus=skus, cal=cal, planned=planned, planned_orders=planned_orders, rel_k=rel_k,
        gross=gross, on_hand=on_hand, ss=ss, po_open=po_open, past_due_rows=past_due_rows,
    )  # fmt: skip

    first_rel = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if n_orders:
        first = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(first, oi, rel_k)
        has = first < np.iinfo(np.int64).max
        first_rel[has] = rel_starts[first[has] - k_lo]
    summary = pd.DataFrame(
        {
            "name": name_cat,
            "inventory_type": items["inventory_type"].to_numpy(),
            "planned": planned,
            "low_level_code": llc,
            "kind": np.where(is_mro, "mro", kind),
            "lead_time_periods": lead,
            "lot_sizing": np.where(planned, methods, None),
            "lot_sizing_source": np.where(planned, method_source, None),
            "demand_source": np.where(is_mro, "reorder point", source),
            "on_hand": on_hand,
            "safety_stock": ss,
            "gross_requirements": gross.sum(axis=1),
            "scheduled_receipts": sr.sum(axis=1),
            "planned_receipts": receipts.sum(axis=1),
            "planned_orders": np.bincount(oi, minlength=n),
            "ending_on_hand": np.where(planned, poh[:, -1], np.nan),
            "first_release": first_rel,
            "planned_value": receipts.sum(axis=1) * unit_cost,
        },
        index=skus,
    )
    mro = _mro_list(dataset, items, skus, is_mro, on_hand, po_open, as_of, lead_days, moq, pack)
    return MRPResult(
        records=records,
        planned_orders=planned_orders,
        actions=actions,
        pegging=pegging,
        summary=summary,
        mro_items=mro,
        periods=periods,
        bucket=bucket,
        as_of=as_of,
        notes=notes,
    )


#: Sources of a gross requirement in :attr:`MRPResult.pegging`.
_PEG_SOURCES = ("parent", "schedule", "forecast", "history")


def _code(skus: pd.Index, col: pd.Series) -> np.ndarray:
    """Row number in items of each SKU of ``col`` (-1 if unknown)."""
    return skus.get_indexer(pd.Index(_objects(col).astype(str), dtype=object))


def _objects(col: pd.Series) -> np.ndarray:
    """A column as an object array of str (None where missing)."""
    arr = col.to_numpy(dtype=object, na_value=None)
    return arr


def _dates(values: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` text of datetime64 values (formatted once per distinct day)."""
    days = np.asarray(values, dtype="datetime64[D]")
    uniq, inv = np.unique(days, return_inverse=True)
    return np.asarray(uniq.astype(str), dtype=object)[inv]


def _actions(
    *,
    skus: pd.Index,
    cal: _Calendar,
    planned: np.ndarray,
    planned_orders: pd.DataFrame,
    rel_k: np.ndarray,
    gross: np.ndarray,
    on_hand: np.ndarray,
    ss: np.ndarray,
    po_open: pd.DataFrame,
    past_due_rows: pd.DataFrame,
) -> pd.DataFrame:
    """The action messages, most urgent first."""
    T = cal.horizon
    sku_obj = skus.to_numpy(dtype=object)
    start = cal.start.to_datetime64()
    nat = np.datetime64("NaT", "ns")
    cols: dict[str, list] = {c: [] for c in _ACTION_COLUMNS}

    def add(action, sku, ref, date, new_date, quantity, message):
        k = len(sku)
        cols["action"].append(np.full(k, ACTIONS.index(action), dtype=np.int8))
        cols["sku"].append(np.asarray(sku, dtype=object))
        cols["reference"].append(np.asarray(ref, dtype=object))
        cols["date"].append(np.asarray(date, dtype="datetime64[ns]"))
        cols["new_date"].append(np.broadcast_to(np.asarray(new_date, "datetime64[ns]"), (k,)))
        cols["quantity"].append(np.asarray(quantity, dtype=float))
        cols["message"].append(np.broadcast_to(np.asarray(message, dtype=object), (k,)))

    po_ = planned_orders
    sel = np.flatnonzero(rel_k <= 0)  # past due or to release now: the only ones named here
    item = po_["sku"].cat.codes.to_numpy()[sel]
    ref = np.char.add("planned order ", po_["order_id"].to_numpy()[sel].astype(str))
    ref = ref.astype(object)
    rel = po_["release_date"].to_numpy()[sel]
    due = po_["due_date"].to_numpy()[sel]
    qty = po_["quantity"].to_numpy()[sel]
    kind = np.where(po_["kind"].cat.codes.to_numpy()[sel] == 1, "production", "purchase")
    kind = kind.astype(object)
    late = rel_k[sel] < 0
    if late.any():
        msg = ("release at once: it should have been released on " + _dates(rel[late])
               + " to arrive by " + _dates(due[late]) + "; expedite it")  # fmt: skip
        add("past due", sku_obj[item[late]], ref[late], rel[late], start, qty[late], msg)
    now = ~late
    if now.any():
        msg = ("release the " + kind[now] + f" order this {_WORD[cal.bucket]}: due "
               + _dates(due[now]))  # fmt: skip
        add("release now", sku_obj[item[now]], ref[now], rel[now], nat, qty[now], msg)
    if len(past_due_rows):
        add(
            "past due",
            _objects(past_due_rows["sku"]),
            [f"schedule row {r}" for r in past_due_rows["_row"]],
            past_due_rows["period_start"].to_numpy(),
            start,
            past_due_rows["quantity"].to_numpy(),
            "scheduled requirement already past: planned in the first bucket",
        )
    if len(po_open):
        p = po_open[planned[po_open["_item"].to_numpy()]].sort_values(["_item", "_due"])
        if len(p):
            i = p["_item"].to_numpy()
            q = p["quantity"].to_numpy(dtype=float)
            k = p["_k"].to_numpy()
            # need dates: the cumulative net requirement without any open order first
            # exceeds what the earlier open orders of the item bring
            n0 = net_requirements(gross[i], np.zeros((len(i), T)), on_hand[i], ss[i])
            cum0 = np.cumsum(n0, axis=1)
            grp = np.r_[True, i[1:] != i[:-1]]
            csum = np.cumsum(q)
            before = csum - q - np.maximum.accumulate(np.where(grp, csum - q, 0.0))
            exceeds = cum0 > before[:, None] + 1e-9
            needed = exceeds.any(axis=1)
            need_k = np.where(needed, exceeds.argmax(axis=1), T)
            act = np.select(
                [k < 0, ~needed & (k < T), need_k < k, (need_k > k) & (k < T)],
                ["past due", "cancel", "expedite", "defer"],
                "",
            )
            due_po = p["_due"].to_numpy(dtype="datetime64[ns]")
            new = cal.periods.to_numpy()[np.minimum(need_k, T - 1)]
            made = (p["_kind"] == "production").to_numpy()
            chase = np.where(made, ": chase the workshop", ": chase the supplier")
            what = np.where(made, "open production order ", "open order ").astype(object)
            msgs = np.select(
                [act == "past due", act == "cancel", act == "expedite", act == "defer"],
                [
                    what + "overdue since " + _dates(due_po) + chase,
                    np.full(len(p), "not needed within the horizon: cancel or push out",
                            dtype=object),
                    "needed on " + _dates(new) + ", earlier than due: expedite",
                    "not needed until " + _dates(new) + ": defer",
                ],
                "",
            )  # fmt: skip
            for a in ("past due", "expedite", "cancel", "defer"):
                m = act == a
                if m.any():
                    add(a, sku_obj[i[m]], _objects(p["po_id"])[m], due_po[m],
                        new[m] if a in ("expedite", "defer") else nat, q[m], msgs[m])  # fmt: skip
    data = {
        c: np.concatenate(v) if v else np.zeros(0, dtype=_ACTION_DTYPES[c]) for c, v in cols.items()
    }
    order = np.lexsort((data["sku"].astype(str), data["date"], data["action"]))
    return pd.DataFrame(
        {
            "action": pd.Categorical.from_codes(data["action"][order], categories=list(ACTIONS)),
            "sku": pd.array(data["sku"][order], dtype="string"),
            "reference": pd.array(data["reference"][order], dtype="string"),
            "date": data["date"][order].astype("datetime64[ns]"),
            "new_date": data["new_date"][order].astype("datetime64[ns]"),
            "quantity": data["quantity"][order].astype(float),
            "message": pd.array(data["message"][order], dtype="string"),
        }
    )


_ACTION_COLUMNS = ("action", "sku", "reference", "date", "new_date", "quantity", "message")
_ACTION_DTYPES = {
    "action": np.int8, "sku": object, "reference": object, "date": "datetime64[ns]",
    "new_date": "datetime64[ns]", "quantity": float, "message": object,
}  # fmt: skip

_WORD = {"D": "day", "W": "week", "M": "month"}


def _mro_list(
    dataset: Any,
    items: pd.DataFrame,
    skus: pd.Index,
    is_mro: np.ndarray,
    on_hand: np.ndarray,
    po_open: pd.DataFrame,
    as_of: pd.Timestamp,
    lead_days: np.ndarray,
    moq: np.ndarray,
    pack: np.ndarray,
) -> pd.DataFrame:
    """MRO supplies against their reorder points (not exploded, not netted)."""
    rows = np.flatnonzero(is_mro)
    on_order = np.zeros(len(skus))
    if len(po_open):
        np.add.at(on_order, po_open["_item"].to_numpy(), po_open["quantity"].to_numpy(float))
    rate = np.zeros(len(skus))
    if len(rows) and dataset.demand is not None and len(dataset.demand):
        from ..data.stats import demand_stats

        st = demand_stats(dataset, period=(as_of - pd.Timedelta(days=HISTORY_DAYS - 1), as_of))
        rate = st["daily_mean"].reindex(skus).fillna(0.0).to_numpy()

    def col(name: str) -> np.ndarray:
        return items[name].to_numpy(dtype=float) if name in items else np.full(len(skus), np.nan)

    rop_now, q_now = col("current_reorder_point"), col("current_order_quantity")
    lo, hi = col("current_min"), col("current_max")
    lt = np.nan_to_num(lead_days)
    position = on_hand + on_order
    rop = np.where(np.isfinite(rop_now), rop_now, np.where(np.isfinite(lo), lo, rate * lt))
    rule = np.where(
        np.isfinite(rop_now), "current reorder point",
        np.where(np.isfinite(lo), "current min/max", "13-week mean x lead time"),
    )  # fmt: skip
    q = np.where(
        np.isfinite(q_now), q_now,
        np.where(np.isfinite(hi), np.maximum(hi - position, 0.0), rate * 28.0),
    )  # fmt: skip
    q = np.ceil(np.maximum(q, moq) / pack - 1e-9) * pack
    reorder = position <= rop
    return pd.DataFrame(
        {
            "sku": pd.array(skus.to_numpy()[rows], dtype="string"),
            "name": pd.array(
                _objects(items["name"])[rows]
                if "name" in items
                else np.full(len(rows), None, dtype=object),
                dtype="string",
            ),
            "on_hand": on_hand[rows],
            "on_order": on_order[rows],
            "reorder_point": rop[rows],
            "order_quantity": np.where(reorder[rows], q[rows], 0.0),
            "reorder": reorder[rows],
            "rule": rule[rows],
        }
    )
