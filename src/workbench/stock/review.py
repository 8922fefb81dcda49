"""The weekly review: headline numbers, then the exceptions a manager acts on.

:func:`weekly_review` reads a :class:`workbench.Dataset` (items and demand, and
lots, purchase orders and counts when present), optionally a plan from
:func:`workbench.plan` (reorder points, order-up-to levels, ABC classes), and
returns a :class:`WeeklyReview`: read it top-down.

1. ``headline``: stock value and units, annual COGS, turnover and days of
   supply, fill rate and stockouts, carrying cost, GMROI of finished goods,
   slow, dead and excess stock, items to reorder, record accuracy, expiry risk.
2. ``by_type`` and ``by_class``: the same per inventory type and ABC class.
3. The exceptions: ``stockouts`` (empty shelves first, by sales at risk per
   day), ``to_reorder`` (fewest days of cover first), ``dead_stock``,
   ``slow_moving``, ``excess``, ``count_discrepancies``, ``expiring_lots``
   (largest money first).
4. ``by_sku``: every KPI for every SKU, for drilling down.

What is estimated and how is listed in ``notes`` (the sample data, like many
real ones, has no daily stock history, so stockouts are inferred from gaps in
sales and average stock is approximated by the stock on hand).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..data.frequency import FREQUENCY_NAMES, bucket_end
from ..policy.classify import abc_classify
from .aging import expiry_risk, stock_aging
from .audit import count_audit
from .kpi import (
    _sku_codes,
    carrying_cost,
    days_of_supply,
    gmroi,
    inventory_turnover,
    sell_through,
    stock_on_hand,
    stock_value_history,
    stockout_estimate,
)
from .valuation import period_movements

__all__ = ["STOCK_BASES", "StockAsOf", "WeeklyReview", "sku_kpis", "stock_as_of", "weekly_review"]

#: How :func:`stock_as_of` knows each SKU's stock, from most to least certain.
STOCK_BASES = {
    "snapshot": "the lots on hand at the snapshot date",
    "purchase_orders": "rolled back from the snapshot through purchase-order receipts and issues",
    "lots_fifo": "rolled back from the snapshot through the receipts of the lots on hand and "
    "issues (complete under first-in-first-out)",
    "estimated": "produced item whose production since the date is not in the data: "
    "estimated at its snapshot level, capped by the units issued since",
    "unreconciled": "roll-back negative (records do not reconcile): counted as 0",
}

_DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class WeeklyReview:
    """The weekly review of a dataset (see :func:`weekly_review`).

    Attributes
    ----------
    as_of : pandas.Timestamp
        The review date (end of the period).
    period : tuple of pandas.Timestamp
        First and last day of the period the flows (sales, COGS) cover.
    headline : pandas.Series
        The headline numbers, labelled with their unit.
    by_type, by_class : pandas.DataFrame
        Stock, COGS, turnover, days of supply, fill rate, carrying cost, dead and
        excess value per inventory type and per ABC class.
    by_sku : pandas.DataFrame
        Every KPI per SKU (see :func:`sku_kpis`).
    stockouts, to_reorder, dead_stock, slow_moving, excess, count_discrepancies,
    expiring_lots : pandas.DataFrame
        The exception lists, largest money first.
    aging : pandas.DataFrame
        Stock value by inventory type and age bucket.
    stock_value_history : pandas.DataFrame
        Weekly stock value by inventory type, where it can be rolled back.
    notes : tuple of str
        How each estimate was made and what the data could not support.
    """

    as_of: pd.Timestamp
    period: tuple[pd.Timestamp, pd.Timestamp]
    headline: pd.Series
    by_type: pd.DataFrame
    by_class: pd.DataFrame
    by_sku: pd.DataFrame
    stockouts: pd.DataFrame
    to_reorder: pd.DataFrame
    dead_stock: pd.DataFrame
    slow_moving: pd.DataFrame
    excess: pd.DataFrame
    count_discrepancies: pd.DataFrame
    expiring_lots: pd.DataFrame
    aging: pd.DataFrame
    stock_value_history: pd.DataFrame
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def exceptions(self) -> dict[str, pd.DataFrame]:
        """The exception lists by name, in reading order."""
        return {
            "stockouts": self.stockouts,
            "to_reorder": self.to_reorder,
            "dead_stock": self.dead_stock,
            "slow_moving": self.slow_moving,
            "excess": self.excess,
            "count_discrepancies": self.count_discrepancies,
            "expiring_lots": self.expiring_lots,
        }

    def summary(self) -> str:
        """The review as plain text: headline, then a line per exception list."""
        lines = [
            f"Weekly review as of {self.as_of.date()} "
            f"(flows over {self.period[0].date()} to {self.period[1].date()})",
            "",
        ]
        for name, value in self.headline.items():
            if isinstance(value, float | np.floating) and np.isnan(value):
                text = "n/a"
            elif "[fraction]" in name:
                text = f"{value:.1%}"
            elif isinstance(value, float | np.floating):
                text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
            else:
                text = str(value)
            lines.append(f"  {name:<42s} {text}")
        lines.append("")
        for name, table in self.exceptions.items():
            lines.append(f"  {name.replace('_', ' ')}: {len(table)}")
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover - display helper
        return self.summary()


def _history_end(dataset) -> pd.Timestamp:
    """Last day the demand history covers: its last date, or the end of its last week or
    month for weekly or monthly buckets (a month dated 2025-12-01 covers December)."""
    last = pd.Timestamp(dataset.demand_period[1])
    return bucket_end(last, getattr(dataset, "demand_frequency", "D"))


def _plan_columns(plan: pd.DataFrame | None, skus: pd.Index) -> pd.DataFrame:
    """The plan's reorder point, order-up-to, order quantity and ABC by sku."""
    out = pd.DataFrame(index=skus)
    if plan is None:
        return out
    frame = plan.set_index("sku") if "sku" in plan.columns else plan
    frame = frame.set_axis(frame.index.astype(str))
    for col in ("reorder_point", "order_up_to", "order_quantity"):
        if col in frame.columns:
            out[col] = frame[col].reindex(skus).to_numpy(dtype=float, na_value=np.nan)
    for col in ("abc", "abc_class"):
        if col in frame.columns:
            out["abc"] = frame[col].reindex(skus).astype(object).to_numpy()
            break
    return out


class StockAsOf(NamedTuple):
    """Result of :func:`stock_as_of`.

    Attributes
    ----------
    by_sku : pandas.DataFrame
        Indexed by sku in items order: ``on_hand_units`` [units], ``on_hand_value``
        [$], ``basis`` (a key of :data:`STOCK_BASES`).
    snapshot : pandas.Timestamp
        The date of the lots table (the last day of the demand history).
    notes : tuple of str
        How the stock was obtained, with the number of SKUs on each basis.
    """

    by_sku: pd.DataFrame
    snapshot: pd.Timestamp
    notes: tuple[str, ...]


def stock_as_of(dataset, as_of=None) -> StockAsOf:
    """Stock on hand per SKU at the end of a day, rolled back from the lots snapshot.

    The lots table is the stock at the end of the demand history (the snapshot).
    For an earlier day :math:`t` the stock is rolled back through what moved after it:

    .. math:: Q(t) = Q(T) + \\sum_{t < \\tau \\le T} s_\\tau - \\sum_{t < \\tau \\le T} r_\\tau

    with :math:`s` the issues (the demand table) and :math:`r` the receipts.

    * Items bought on purchase orders: receipts are the received purchase orders,
      through :func:`~workbench.stock.valuation.period_movements` (the opening stock
      of the period :math:`(t, T]`), valued at FIFO cost (the newest receipts on or
      before :math:`t` that make up the quantity; beyond them the last purchase
      price). A negative roll-back (records that do not reconcile)
      counts as 0 and is flagged ``"unreconciled"``.
    * Produced items (no purchase orders): the only receipts in the data are the
      lots still on hand. Under first-in-first-out every batch made after :math:`t`
      is still whole on hand when a lot received on or before :math:`t` is, so the
      roll-back through the lots is then complete (``"lots_fifo"``; also when
      nothing was issued since). Otherwise batches made and used up since
      :math:`t` are missing: the stock is *estimated* at its snapshot level
      :math:`Q(T)`, capped by the units issued since (all it could have held, since
      its whole stock today was made after :math:`t`), ``"estimated"``. Rolled-back
      units are valued at the average cost of the item's lots received by
      :math:`t` (else of all its lots, else its unit cost).

    Parameters
    ----------
    dataset : workbench.Dataset
        ``items``, ``demand``, ``lots``; ``purchase_orders`` when present.
    as_of : date-like, optional
        The day; default (and any day on or after it) the snapshot, whose lots are
        taken as they are (lots received after ``as_of`` left out).

    Returns
    -------
    StockAsOf
        ``by_sku`` (units, value and basis per SKU), ``snapshot`` and ``notes``.

    Notes
    -----
    What is estimated is counted in ``notes``: the review that uses this stock says
    how many SKUs, and what share of the stock value, rest on an estimate.

    Examples
    --------
    One bought item: 10 on hand at the snapshot (31 Jan), 12 received on 20 Jan, 5
    issued on 25 Jan; at the end of 15 Jan it had 10 + 5 - 12 = 3.

    >>> import pandas as pd
    >>> import workbench as wb
    >>> ds = wb.Dataset.from_tables({
    ...     "items": pd.DataFrame({"sku": ["a"], "inventory_type": ["raw_material"],
    ...                            "unit_cost": [2.0]}),
    ...     "demand": pd.DataFrame({"date": pd.to_datetime(["2026-01-01", "2026-01-25",
    ...                             "2026-01-31"]), "sku": "a", "quantity": [1.0, 5, 0]}),
    ...     "lots": pd.DataFrame({"sku": ["a"], "lot_id": ["L1"], "quantity": [10.0],
    ...                           "received_date": pd.to_datetime(["2026-01-20"]),
    ...                           "unit_cost": [2.0]}),
    ...     "purchase_orders": pd.DataFrame({"po_id": ["P1"], "sku": ["a"],
    ...         "order_date": pd.to_datetime(["2026-01-10"]),
    ...         "received_date": pd.to_datetime(["2026-01-20"]),
    ...         "quantity": [12.0], "unit_cost": [2.0]})})
    >>> row = stock_as_of(ds, "2026-01-15").by_sku.loc["a"]
    >>> float(row["on_hand_units"]), float(row["on_hand_value"]), row["basis"]
    (3.0, 6.0, 'purchase_orders')
    """
    items = dataset.items
    skus = pd.Index(items["sku"].astype(str).to_numpy(), name="sku")
    snapshot = _history_end(dataset)
    end = pd.Timestamp(as_of) if as_of is not None else snapshot
    lots = dataset.lots
    if end >= snapshot or lots is None or len(lots) == 0:
        soh = stock_on_hand(lots, skus=skus, as_of=end)
        frame = pd.DataFrame(
            {
                "on_hand_units": soh["on_hand_units"].to_numpy(dtype=float),
                "on_hand_value": soh["on_hand_value"].to_numpy(dtype=float),
                "basis": "snapshot",
            },
            index=skus,
        )
        notes = []
        if end < snapshot:
            notes.append("No lots table: stock on hand is zero.")
        return StockAsOf(frame, snapshot, tuple(notes))

    n = len(skus)
    units = np.zeros(n)
    value = np.zeros(n)
    basis = np.full(n, "lots_fifo", dtype=object)
    cost_item = np.nan_to_num(items["unit_cost"].to_numpy(dtype=float, na_value=np.nan))

    # bought items: period_movements' opening stock of the period (as_of, snapshot]
    po = dataset.purchase_orders
    bought = np.zeros(n, bool)
    if po is not None and len(po):
        got = _sku_codes(po["sku"], skus)[pd.to_datetime(po["received_date"]).notna().to_numpy()]
        bought[got[got >= 0]] = True
    if bought.any():
        moves = period_movements(
            dataset, start=end + pd.Timedelta(days=1), end=snapshot, methods=("fifo",)
        )
        opening = moves.opening.groupby(moves.opening["sku"].astype(str)).agg(
            quantity=("quantity", "sum"), unit_cost=("unit_cost", "last")
        )
        pos = skus.get_indexer(opening.index)
        units[pos] = opening["quantity"].to_numpy(dtype=float)
        value[pos] = units[pos] * opening["unit_cost"].to_numpy(dtype=float)
        basis[bought] = "purchase_orders"
        negative = np.zeros(n, bool)
        excluded = _sku_codes(moves.excluded["sku"], skus)
        negative[excluded[excluded >= 0]] = True
        basis[negative & bought] = "unreconciled"

    # produced items: roll back through the lots on hand (their only receipts)
    made = ~bought
    code = _sku_codes(lots["sku"], skus)
    qty = lots["quantity"].to_numpy(dtype=float, na_value=0.0)
    lot_value = qty * lots["unit_cost"].to_numpy(dtype=float, na_value=np.nan)
    received = pd.to_datetime(lots["received_date"])
    later = (received > end).to_numpy()
    ok = (code >= 0) & ~(received > snapshot).to_numpy()  # the snapshot's lots
    q_end = np.bincount(code[ok], weights=qty[ok], minlength=n)
    v_end = np.bincount(code[ok], weights=np.nan_to_num(lot_value[ok]), minlength=n)
    after = ok & later
    received_after = np.bincount(code[after], weights=qty[after], minlength=n)
    before = ok & ~later
    held = np.bincount(code[before], weights=qty[before], minlength=n)
    held_value = np.bincount(code[before], weights=np.nan_to_num(lot_value[before]), minlength=n)
    demand = dataset.demand
    d_code = _sku_codes(demand["sku"], skus)
    moved = (pd.to_datetime(demand["date"]) > end).to_numpy() & (d_code >= 0)
    d_qty = demand["quantity"].to_numpy(dtype=float, na_value=0.0)
    issued = np.bincount(d_code[moved], weights=d_qty[moved], minlength=n)
    rolled = q_end + issued - received_after
    complete = (held > 0) | (issued <= 0)
    made_units = np.where(complete, rolled, np.minimum(q_end, rolled))
    with np.errstate(divide="ignore", invalid="ignore"):
        unit_value = np.where(
            held > 0, held_value / held, np.where(q_end > 0, v_end / q_end, cost_item)
        )
    units[made] = made_units[made]
    value[made] = np.where(made_units > 0, made_units * unit_value, 0.0)[made]
    basis[made & ~complete] = "estimated"

    frame = pd.DataFrame(
        {"on_hand_units": units, "on_hand_value": value, "basis": basis}, index=skus
    )
    total = value.sum()
    notes = [
        f"Stock on hand at {end.date()} is rolled back from the lots at the snapshot "
        f"({snapshot.date()}): stock then + issues since - receipts since."
    ]
    for key in ("purchase_orders", "lots_fifo", "estimated", "unreconciled"):
        mask = basis == key
        if mask.any():
            share = value[mask].sum() / total if total > 0 else 0.0
            what = f" ({share:.0%} of the stock value)" if key != "unreconciled" else ""
            notes.append(f"{int(mask.sum())} SKUs{what}: {STOCK_BASES[key]}.")
    return StockAsOf(frame, snapshot, tuple(notes))


def sku_kpis(
    dataset,
    plan: pd.DataFrame | None = None,
    *,
    as_of=None,
    period_days: int = 365,
    dead_days: int = 180,
    slow_days: int = 90,
    stockout_alpha: float = 0.01,
    _stock: StockAsOf | None = None,
) -> pd.DataFrame:
    """Every stock KPI for every SKU of a dataset, over the period ending ``as_of``.

    Parameters
    ----------
    dataset : workbench.Dataset
        Uses ``items`` and ``demand``; ``lots`` (stock on hand) and
        ``purchase_orders`` (open orders) when present.
    plan : pandas.DataFrame, optional
        Per-SKU plan (``wb.plan(ds)``), indexed by sku or with a ``sku`` column:
        ``reorder_point``, ``order_up_to`` [units], ``order_quantity`` and ``abc``
        are used when present.
    as_of : date-like, optional
        Review date; default the last day of the demand history (for weekly or monthly
        demand, the end of its last week or month).
    period_days : int
        Length of the period for sales, COGS, turnover and stockouts [days].
    dead_days, slow_days : int
        Stock with no issue for this many days is dead / slow-moving [days].
    stockout_alpha : float
        Significance of a run of days without sales (see
        :func:`~workbench.stock.kpi.stockout_estimate`) [probability].

    Returns
    -------
    pandas.DataFrame
        Indexed by sku, in items order. Columns: ``inventory_type``, ``abc``,
        ``unit_cost``, ``price``; ``on_hand_units``, ``on_hand_value``,
        ``stock_basis`` (how the stock at ``as_of`` is known, see
        :func:`stock_as_of`), ``on_order_units``, ``inventory_position``; ``units_sold``, ``cogs``
        (period), ``annual_cogs``, ``daily_demand``; ``turnover`` [1/year],
        ``days_of_supply`` [days], ``sell_through``; ``stockout_days``,
        ``stockout_incidents``, ``out_of_stock_now``, ``lost_units_est``,
        ``fill_rate_est``; ``carrying_cost`` [$/year]; ``gross_margin`` [$/year],
        ``gmroi`` (finished goods only); ``last_issue``, ``days_since_issue``,
        ``dead``, ``slow``; ``reorder_point``, ``order_up_to``,
        ``at_or_below_reorder_point``, ``excess_units``, ``excess_value``.

    Raises
    ------
    ValueError
        If ``period_days``, ``dead_days`` or ``slow_days`` is not a positive whole number.

    Notes
    -----
    Ending stock stands in for average stock in turnover, GMROI and carrying
    cost (annual COGS / on-hand value), since the data holds no stock history.
    Before the snapshot date of the lots the stock is rolled back
    (:func:`stock_as_of`).
    Without a plan the reorder point falls back to the demand over the lead
    time, :math:`d \\cdot L` (no safety stock) and excess is not computed.
    """
    for name, v in (
        ("period_days", period_days),
        ("dead_days", dead_days),
        ("slow_days", slow_days),
    ):
        if not (isinstance(v, int | np.integer) and v > 0):
            raise ValueError(f"{name} must be a whole number > 0 [days]; got {v!r}")
    items = dataset.items
    skus = pd.Index(items["sku"].astype(str).to_numpy(), name="sku")
    item = items.set_axis(skus)
    end = pd.Timestamp(as_of) if as_of is not None else _history_end(dataset)
    start = end - pd.Timedelta(days=period_days - 1)

    def col(name: str, default: float) -> np.ndarray:
        if name in item.columns:
            return item[name].to_numpy(dtype=float, na_value=np.nan)
        return np.full(len(skus), default)

    cost = np.nan_to_num(col("unit_cost", 0.0))
    price = col("price", np.nan)
    rate = col("holding_cost_rate", 0.25)
    rate = np.where(np.isnan(rate), 0.25, rate)
    lead = np.nan_to_num(col("lead_time_days", 0.0))
    inv_type = (
        item["inventory_type"].astype(str).to_numpy()
        if "inventory_type" in item.columns
        else np.full(len(skus), "all")
    )

    soh = (_stock if _stock is not None else stock_as_of(dataset, end)).by_sku
    out = pd.DataFrame(
        {
            "inventory_type": inv_type,
            "unit_cost": cost,
            "price": price,
            "on_hand_units": soh["on_hand_units"].to_numpy(dtype=float),
            "on_hand_value": soh["on_hand_value"].to_numpy(dtype=float),
            "stock_basis": soh["basis"].to_numpy(dtype=object),
        },
        index=skus,
    )
    po = dataset.purchase_orders
    if po is not None and len(po):
        ordered = pd.to_datetime(po["order_date"]) <= end
        received = pd.to_datetime(po["received_date"])
        open_ = ordered & (received.isna() | (received > end))
        on_order = po.loc[open_].groupby(po.loc[open_, "sku"].astype(str))["quantity"].sum()
        out["on_order_units"] = on_order.reindex(skus, fill_value=0.0).to_numpy(dtype=float)
    else:
        out["on_order_units"] = 0.0
    out["inventory_position"] = out["on_hand_units"] + out["on_order_units"]

    demand = dataset.demand
    dates = pd.to_datetime(demand["date"])
    est = stockout_estimate(
        demand,
        on_hand=out["on_hand_units"],
        start=start,
        end=end,
        alpha=stockout_alpha,
        frequency=getattr(dataset, "demand_frequency", "D"),
    )
    out["units_sold"] = est["units_sold"].to_numpy()
    out["cogs"] = out["units_sold"] * cost
    out["annual_cogs"] = out["cogs"] * _DAYS_PER_YEAR / period_days
    out["daily_demand"] = out["units_sold"] / period_days
    out["turnover"] = inventory_turnover(out["annual_cogs"], out["on_hand_value"])
    out["days_of_supply"] = days_of_supply(out["on_hand_units"], out["daily_demand"])
    out["sell_through"] = sell_through(out["units_sold"], out["on_hand_units"])
    for c in (
        "stockout_days",
        "stockout_incidents",
        "out_of_stock_now",
        "lost_units_est",
        "fill_rate_est",
    ):
        out[c] = est[c].to_numpy()
    out["carrying_cost"] = carrying_cost(
        out["on_hand_value"], holding_cost_rate=pd.Series(rate, index=skus)
    )
    margin = (np.nan_to_num(price) - cost) * out["units_sold"] * _DAYS_PER_YEAR / period_days
    fg = inv_type == "finished_good"
    out["gross_margin"] = np.where(fg & ~np.isnan(price), margin, np.nan)
    out["gmroi"] = np.where(
        fg, gmroi(out["gross_margin"].fillna(0.0), out["on_hand_value"]), np.nan
    )

    code = _sku_codes(demand["sku"], skus)
    moved = (
        (demand["quantity"].to_numpy(dtype=float, na_value=0.0) > 0)
        & (dates <= end).to_numpy()
        & (code >= 0)
    )
    last = pd.Series(dates[moved].to_numpy()).groupby(code[moved]).max()
    out["last_issue"] = last.reindex(np.arange(len(skus))).to_numpy()
    since = (end - out["last_issue"]).dt.days.astype(float)
    out["days_since_issue"] = since.to_numpy()
    stocked = out["on_hand_units"] > 0
    never = since.isna()
    out["dead"] = stocked & (never | (since >= dead_days))
    out["slow"] = stocked & ~out["dead"] & (since >= slow_days)

    planned = _plan_columns(plan, skus)
    if "abc" in planned:
        out.insert(1, "abc", planned["abc"].to_numpy())
    else:
        annual_value = out["annual_cogs"]
        out.insert(1, "abc", abc_classify(annual_value)["class"].astype(object).to_numpy())
    if "reorder_point" in planned:
        out["reorder_point"] = planned["reorder_point"].to_numpy()
    else:
        out["reorder_point"] = out["daily_demand"].to_numpy() * lead
    out["order_up_to"] = planned["order_up_to"].to_numpy() if "order_up_to" in planned else np.nan
    if "order_quantity" in planned:
        out["order_quantity"] = planned["order_quantity"].to_numpy()
    out["at_or_below_reorder_point"] = (
        (out["inventory_position"] <= out["reorder_point"])
        & ((out["reorder_point"] > 0) | (out["daily_demand"] > 0))
    ).to_numpy()
    excess = np.maximum(out["on_hand_units"] - out["order_up_to"], 0.0)
    out["excess_units"] = excess
    out["excess_value"] = excess * cost
    return out


def _group_table(kpis: pd.DataFrame, key: str) -> pd.DataFrame:
    g = kpis.groupby(key, observed=True, sort=True)
    table = pd.DataFrame(
        {
            "skus": g.size(),
            "on_hand_units": g["on_hand_units"].sum(),
            "on_hand_value": g["on_hand_value"].sum(),
            "annual_cogs": g["annual_cogs"].sum(),
            "units_sold": g["units_sold"].sum(),
            "lost_units_est": g["lost_units_est"].sum(),
            "stockout_incidents": g["stockout_incidents"].sum(),
            "carrying_cost": g["carrying_cost"].sum(),
            "dead_value": kpis["on_hand_value"].where(kpis["dead"], 0.0).groupby(kpis[key]).sum(),
            "excess_value": g["excess_value"].sum(min_count=1),
        }
    )
    table["turnover"] = inventory_turnover(table["annual_cogs"], table["on_hand_value"])
    table["days_of_supply"] = days_of_supply(
        table["on_hand_value"], table["annual_cogs"] / _DAYS_PER_YEAR
    )
    demanded = table["units_sold"] + table["lost_units_est"]
    table["fill_rate_est"] = np.where(demanded > 0, table["units_sold"] / demanded, np.nan)
    table["value_share"] = table["on_hand_value"] / max(table["on_hand_value"].sum(), 1e-300)
    return table


def weekly_review(
    dataset,
    plan: pd.DataFrame | None = None,
    as_of=None,
    *,
    period_days: int = 365,
    dead_days: int = 180,
    slow_days: int = 90,
    expiry_days: int = 30,
    stockout_alpha: float = 0.01,
    count_tolerance=None,
) -> WeeklyReview:
    """The weekly stock review of a dataset: headline numbers, then exceptions.

    Parameters
    ----------
    dataset : workbench.Dataset
        ``items`` and ``demand``; ``lots``, ``purchase_orders`` and ``counts``
        are used when present (the views that need them are empty otherwise).
    plan : pandas.DataFrame, optional
        ``wb.plan(ds)`` or any per-SKU table with ``reorder_point``,
        ``order_up_to``, ``order_quantity`` and ``abc``.
    as_of : date-like, optional
        Review date; default the last day of the demand history (for weekly or monthly
        demand, the end of its last week or month).
    period_days : int
        Period for sales, COGS, turnover, stockouts [days]; default a year.
    dead_days, slow_days : int
        No issue for this many days: dead / slow-moving stock [days].
    expiry_days : int
        Lots expiring within this many days are listed even with no units at risk [days].
    stockout_alpha : float
        See :func:`~workbench.stock.kpi.stockout_estimate` [probability].
    count_tolerance : float or mapping class -> float, optional
        Tolerance of the count audit (:func:`~workbench.stock.audit.count_audit`).

    Returns
    -------
    WeeklyReview
        Headline, per-type and per-class tables, exceptions and per-SKU KPIs.

    Raises
    ------
    ValueError
        As :func:`sku_kpis`, or if ``expiry_days`` is negative.

    Examples
    --------
    >>> import workbench as wb
    >>> ds = wb.sample_dataset(n_skus=80, years=1, seed=3)
    >>> review = wb.weekly_review(ds)
    >>> bool(review.headline["stock value [$]"] == review.by_sku["on_hand_value"].sum())
    True
    """
    if not (isinstance(expiry_days, int | np.integer) and expiry_days >= 0):
        raise ValueError(f"expiry_days must be a whole number >= 0 [days]; got {expiry_days!r}")
    end = pd.Timestamp(as_of) if as_of is not None else _history_end(dataset)
    stock = stock_as_of(dataset, end)
    kpis = sku_kpis(
        dataset,
        plan,
        as_of=end,
        period_days=period_days,
        dead_days=dead_days,
        slow_days=slow_days,
        stockout_alpha=stockout_alpha,
        _stock=stock,
    )
    start = end - pd.Timedelta(days=period_days - 1)
    past = end < stock.snapshot and dataset.lots is not None and len(dataset.lots) > 0
    notes = [
        f"Flows (sales, COGS, stockouts) cover {start.date()} to {end.date()} "
        f"({period_days} days); turnover, carrying cost and GMROI are annual rates.",
        *(
            stock.notes
            if past
            else ("Stock on hand is the lots received on or before the review date.",)
        ),
        "COGS is units sold x item unit cost; ending stock stands in for average stock.",
        "Stockouts are inferred from the sales history: a run of days without sales too "
        f"long to be chance (probability < {stockout_alpha:g}) or the silence since the last "
        "sale of an item with nothing on hand; lost sales = those days x the item's rate.",
    ]
    freq = getattr(dataset, "demand_frequency", "D")
    if freq != "D":
        notes.append(
            f"Demand is in {FREQUENCY_NAMES[freq]} buckets: the history ends on "
            f"{_history_end(dataset).date()}, the end of its last bucket, and stockouts are "
            f"runs of {FREQUENCY_NAMES[freq]} buckets without sales, reported in days."
        )
    if plan is None:
        notes.append(
            "No plan given: reorder point = demand over the lead time (no safety stock); "
            "excess over order-up-to not computed; ABC classes by annual COGS."
        )
    if dataset.lots is None:
        notes.append("No lots table: stock on hand is zero, aging and expiry are empty.")

    by_type = _group_table(kpis, "inventory_type")
    by_class = _group_table(kpis.assign(abc=kpis["abc"].astype(str)), "abc")

    # exceptions
    stockout_cols = [
        "inventory_type",
        "abc",
        "on_hand_units",
        "daily_demand",
        "stockout_days",
        "stockout_incidents",
        "out_of_stock_now",
        "lost_units_est",
        "fill_rate_est",
    ]
    so = kpis[(kpis["stockout_incidents"] > 0)].copy()
    unit_value = np.where(so["price"].notna(), so["price"], so["unit_cost"])
    so["lost_sales_value_est"] = so["lost_units_est"] * unit_value
    # what an empty shelf costs from now on, per day: the first thing to act on
    so["sales_at_risk_per_day"] = np.where(
        so["out_of_stock_now"], so["daily_demand"] * unit_value, 0.0
    )
    stockouts = so[[*stockout_cols, "lost_sales_value_est", "sales_at_risk_per_day"]].sort_values(
        ["out_of_stock_now", "sales_at_risk_per_day", "lost_sales_value_est"],
        ascending=[False, False, False],
    )
    reorder_cols = [
        "inventory_type",
        "abc",
        "on_hand_units",
        "on_order_units",
        "inventory_position",
        "reorder_point",
        "order_up_to",
        "daily_demand",
    ]
    ro = kpis[kpis["at_or_below_reorder_point"]].copy()
    if "order_quantity" in ro:
        suggested = ro["order_quantity"]
    else:
        suggested = pd.Series(np.nan, index=ro.index)
    suggested = suggested.where(
        ro["order_up_to"].isna(), np.maximum(ro["order_up_to"] - ro["inventory_position"], 0.0)
    )
    ro["suggested_order_units"] = suggested
    ro["suggested_order_value"] = suggested * ro["unit_cost"]
    ro["shortfall_to_reorder_point"] = ro["reorder_point"] - ro["inventory_position"]
    # most urgent first: the fewest days the position covers
    ro["days_of_cover"] = days_of_supply(
        ro["inventory_position"].clip(lower=0.0), ro["daily_demand"]
    )
    to_reorder = ro[
        [
            *reorder_cols,
            "days_of_cover",
            "shortfall_to_reorder_point",
            "suggested_order_units",
            "suggested_order_value",
        ]
    ].sort_values(["days_of_cover", "suggested_order_value"], ascending=[True, False])
    move_cols = [
        "inventory_type",
        "abc",
        "on_hand_units",
        "on_hand_value",
        "last_issue",
        "days_since_issue",
        "carrying_cost",
    ]
    dead_stock = kpis.loc[kpis["dead"], move_cols].sort_values("on_hand_value", ascending=False)
    slow_moving = kpis.loc[kpis["slow"], [*move_cols, "days_of_supply"]].sort_values(
        "on_hand_value", ascending=False
    )
    excess = kpis.loc[
        kpis["excess_units"] > 0,
        ["inventory_type", "abc", "on_hand_units", "order_up_to", "excess_units", "excess_value"],
    ].sort_values("excess_value", ascending=False)

    counts = dataset.counts
    accuracy = np.nan
    if counts is not None and len(counts) and dataset.lots is not None:
        when = pd.to_datetime(counts["count_date"])
        latest = when[when <= end].max()
        undated = int(when.isna().sum())
        if undated:
            notes.append(f"{undated} count row(s) without a count date left out of the audit.")
        if pd.notna(latest):
            audit = count_audit(
                counts[when == latest],
                dataset.lots,
                unit_cost=kpis["unit_cost"],
                classes=kpis["abc"].astype(str),
                tolerance=count_tolerance,
            )
            accuracy = float(audit.summary["record_accuracy"])
            count_discrepancies = (
                audit.lines[~audit.lines["within_tolerance"]]
                .sort_values("abs_variance_value", ascending=False)
                .reset_index(drop=True)
            )
            notes.append(
                f"Count audit of the count of {latest.date()}: {int(audit.summary['lines'])} "
                "lines against the lots on record that day"
                + (
                    f" (the lots of {stock.snapshot.date()} received by then: the data "
                    "holds no earlier records)."
                    if latest < stock.snapshot
                    else "."
                )
            )
            stray = float(audit.summary["unlocated_record_units"])
            if stray > 0:
                notes.append(
                    f"{stray:g} units on record without a location were not compared with "
                    "the located counts of their SKUs."
                )
        else:
            count_discrepancies = pd.DataFrame()
    else:
        count_discrepancies = pd.DataFrame()
        notes.append(
            "No counts table: no count audit."
            if counts is None or not len(counts)
            else f"{len(counts)} count row(s) but no lots table: no count audit."
        )

    if dataset.lots is not None and len(dataset.lots):
        lots = dataset.lots[~(pd.to_datetime(dataset.lots["received_date"]) > end)]
        shelf = None
        if "shelf_life_days" in dataset.items:
            shelf = dataset.items.set_index(dataset.items["sku"].astype(str))["shelf_life_days"]
            if shelf.notna().any():
                dated = (
                    pd.to_datetime(lots["expiry_date"]).notna()
                    if "expiry_date" in lots
                    else pd.Series(False, index=lots.index)
                )
                filled = int((~dated & lots["sku"].astype(str).map(shelf).notna()).sum())
                if filled:
                    notes.append(
                        f"{filled} lot(s) without an expiry date are dated from the item's "
                        "shelf life (received date + shelf_life_days)."
                    )
            else:
                shelf = None
        risk = expiry_risk(lots, kpis["daily_demand"], as_of=end, shelf_life_days=shelf)
        expiring_lots = risk[(risk["units_at_risk"] > 0) | (risk["days_to_expiry"] <= expiry_days)]
        expiring_lots = expiring_lots.reset_index(drop=True)
        typed = lots.assign(
            inventory_type=lots["sku"].astype(str).map(kpis["inventory_type"]).to_numpy()
        )
        aging = stock_aging(typed, as_of=end, by="inventory_type").value
        if past:
            notes.append(
                f"Aging and expiring lots at {end.date()} are the lots still held at "
                f"{stock.snapshot.date()} that had been received by then: the data has no "
                "lot history, so stock rolled back beyond them has no age or expiry date."
            )
    else:
        expiring_lots = pd.DataFrame()
        aging = pd.DataFrame()

    history = pd.DataFrame()
    po = dataset.purchase_orders
    if po is not None and len(po):
        bought = pd.Index(po["sku"].astype(str).unique())
        include = kpis.index[kpis.index.isin(bought)]
        receipts = po[po["received_date"].notna()].rename(columns={"received_date": "date"})
        history = stock_value_history(
            kpis.loc[include, "on_hand_value"],
            receipts[["sku", "date", "quantity"]],
            dataset.demand,
            unit_cost=kpis["unit_cost"],
            group=kpis["inventory_type"],
            start=start,
            end=end,
        )
        notes.append(
            f"Stock value history is rolled back from the review date's stock through "
            "purchase-order "
            f"receipts and issues, for the {len(include)} SKUs bought on purchase orders "
            "(produced items have no receipt history in the data)."
        )

    total_value = float(kpis["on_hand_value"].sum())
    annual_cogs = float(kpis["annual_cogs"].sum())
    sold, lost = float(kpis["units_sold"].sum()), float(kpis["lost_units_est"].sum())
    fg = kpis["inventory_type"] == "finished_good"
    fg_value = float(kpis.loc[fg, "on_hand_value"].sum())
    headline = pd.Series(
        {
            "SKUs": len(kpis),
            "stock units": float(kpis["on_hand_units"].sum()),
            "stock value [$]": total_value,
            "annual COGS [$/year]": annual_cogs,
            "turnover [turns/year]": annual_cogs / total_value if total_value else np.nan,
            "days of supply [days]": total_value / (annual_cogs / _DAYS_PER_YEAR)
            if annual_cogs
            else np.nan,
            "fill rate, estimated [fraction]": sold / (sold + lost) if sold + lost else np.nan,
            "stockout incidents": float(kpis["stockout_incidents"].sum()),
            "out of stock now": int(kpis["out_of_stock_now"].sum()),
            "carrying cost [$/year]": float(kpis["carrying_cost"].sum()),
            "GMROI, finished goods [$/$/year]": float(kpis.loc[fg, "gross_margin"].sum()) / fg_value
            if fg_value
            else np.nan,
            "slow-moving value [$]": float(kpis.loc[kpis["slow"], "on_hand_value"].sum()),
            "dead stock value [$]": float(kpis.loc[kpis["dead"], "on_hand_value"].sum()),
            "excess value [$]": float(kpis["excess_value"].sum(min_count=1))
            if plan is not None
            else np.nan,
            "items to reorder": int(kpis["at_or_below_reorder_point"].sum()),
            "record accuracy [fraction]": accuracy,
            "expiry value at risk [$]": float(expiring_lots["value_at_risk"].sum())
            if len(expiring_lots)
            else 0.0,
        },
        dtype=object,
    )
    return WeeklyReview(
        as_of=end,
        period=(start, end),
        headline=headline,
        by_type=by_type,
        by_class=by_class,
        by_sku=kpis,
        stockouts=stockouts,
        to_reorder=to_reorder,
        dead_stock=dead_stock,
        slow_moving=slow_moving,
        excess=excess,
        count_discrepancies=count_discrepancies,
        expiring_lots=expiring_lots,
        aging=aging,
        stock_value_history=history,
        notes=tuple(notes),
    )
