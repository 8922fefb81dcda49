"""One part of a catalog partitioned by SKU: its demand statistics and its plan.

A catalog too large for memory is split so that each SKU's whole demand history lies in
one part; each part is then planned with the in-memory functions, given the two facts
that belong to the whole catalog: its demand period and bucket, and the ABC classes
(:func:`workbench.catalog_abc`, ranked once from the small per-SKU statistics). These
functions need neither Dask nor Spark: :mod:`workbench.distributed` maps them over Dask
partitions, and the README shows them in Spark's ``groupBy(...).applyInPandas``.

Examples
--------
Two halves of the sample business, and its SKUs without demand, planned apart, give the
plan of the whole:

>>> import pandas as pd
>>> import workbench as wb
>>> ds = wb.sample_dataset(n_skus=80, years=1, seed=3)
>>> period, freq = ds.demand_period, ds.demand_frequency
>>> stats = wb.demand_stats(ds)
>>> abc = wb.catalog_abc(ds.items, stats)
>>> half = ds.items["sku"].iloc[:40]
>>> parts = [ds.demand[ds.demand["sku"].isin(half)], ds.demand[~ds.demand["sku"].isin(half)]]
>>> plans = [part_plan(ds.items, d, period, freq, abc=abc) for d in parts]
>>> idle = ds.items[~ds.items["sku"].isin(ds.demand["sku"])]
>>> plans.append(part_plan(idle, ds.demand.iloc[:0], period, freq, abc=abc))
>>> whole = wb.plan(ds)
>>> together = pd.concat(plans).reindex(whole.index)
>>> bool(((together["reorder_point"] - whole["reorder_point"]).abs() < 1e-9).all())
True
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .data import Dataset, demand_stats
from .scenario import Scenario, demand_history, plan_from_stats

__all__ = ["PartDataset", "part_dataset", "part_plan", "part_replenishment", "part_stats"]


class PartDataset(Dataset):
    """A dataset of one part's SKUs whose demand period is the whole catalog's.

    Parameters
    ----------
    items, demand : pandas.DataFrame
        The part's items (validated) and demand rows (``date``, ``sku``, ``quantity``).
    period : tuple of date-like
        First and last demand date of the whole catalog: every SKU's window ends at
        the catalog's end, as when the catalog is loaded whole.
    frequency : {"D", "W", "M"}
        The catalog's demand bucket.
    """

    def __init__(self, items: pd.DataFrame, demand: pd.DataFrame, period, frequency: str):
        super().__init__({"items": items, "demand": demand}, frequency=frequency)
        self._period = (pd.Timestamp(period[0]), pd.Timestamp(period[1]))

    @property
    def demand_period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The whole catalog's first and last demand date."""
        return self._period


def part_dataset(items: pd.DataFrame, demand: pd.DataFrame, period, frequency: str) -> PartDataset:
    """The part as a dataset: the items of the SKUs in ``demand`` (in items order).

    With no demand rows, every SKU of ``items`` with one zero row at the catalog's end
    (a zero before any positive demand opens no window: such SKUs are planned as SKUs
    without demand, as in the whole catalog).
    """
    if len(demand) == 0:
        zero = {"date": [pd.Timestamp(period[1])], "sku": [items["sku"].iloc[0]], "quantity": [0.0]}
        return PartDataset(items.reset_index(drop=True), pd.DataFrame(zero), period, frequency)
    own = items[items["sku"].isin(pd.unique(demand["sku"]))]
    return PartDataset(own.reset_index(drop=True), demand.reset_index(drop=True), period, frequency)


def part_stats(items: pd.DataFrame, demand: pd.DataFrame, period, frequency: str) -> pd.DataFrame:
    """:func:`workbench.demand_stats` of the part's SKUs (those with rows in ``demand``;
    with none, every SKU of ``items``), over the catalog's period."""
    return demand_stats(part_dataset(items, demand, period, frequency), period=period)


def part_plan(
    items: pd.DataFrame,
    demand: pd.DataFrame,
    period,
    frequency: str,
    scenario: Scenario | None = None,
    *,
    abc: Any,
) -> pd.DataFrame:
    """The plan of the part's SKUs, as :func:`workbench.plan` plans them in the catalog.

    Parameters
    ----------
    items : pandas.DataFrame
        The catalog's items (or at least the part's).
    demand : pandas.DataFrame
        The part's demand rows: every row of each of its SKUs.
    period, frequency
        The whole catalog's demand period and bucket.
    scenario : Scenario, optional
        Default ``Scenario()``.
    abc : pandas.Series
        The catalog's ABC classes by SKU (:func:`workbench.catalog_abc`).

    Returns
    -------
    pandas.DataFrame
        :func:`workbench.plan_from_stats` of the part's SKUs, indexed by SKU.
    """
    part = part_dataset(items, demand, period, frequency)
    stats = demand_stats(part, period=period)
    return plan_from_stats(
        part.items,
        stats,
        scenario,
        history=demand_history(part),
        abc=abc.reindex(part.items["sku"]),
    )


# --------------------------------------------------------------------------- replenishment
# (issue 18: the replenishment list part by part; kept apart from the plan's functions above)


def part_replenishment(
    items: pd.DataFrame,
    demand: pd.DataFrame,
    period,
    frequency: str,
    plan: pd.DataFrame,
    *,
    as_of=None,
    lots: pd.DataFrame | None = None,
    purchase_orders: pd.DataFrame | None = None,
    price_breaks: pd.DataFrame | None = None,
    overstock_ratio: float = 2.0,
    dead_days: int = 180,
) -> pd.DataFrame:
    """The replenishment lines of the part's SKUs, as :func:`workbench.replenishment`
    makes them in the whole catalog.

    A line depends on its own SKU only (its plan, lots, open purchase-order lines, price
    breaks and demand), so the part's lines are :func:`workbench.replenishment_lines` of
    the part; the lines of all parts, in items order, go to
    :func:`workbench.assemble_replenishment` (sorting, notes, draft POs per supplier).

    Parameters
    ----------
    items : pandas.DataFrame
        The catalog's items (or at least the part's).
    demand : pandas.DataFrame
        The part's demand rows: every row of each of its SKUs (none: every SKU of
        ``items``, as in :func:`part_dataset`).
    period, frequency
        The whole catalog's demand period and bucket.
    plan : pandas.DataFrame
        The plan of (at least) the part's SKUs, indexed by sku (:func:`part_plan`).
    as_of : date-like, optional
        The day (end of day); default the end of the catalog's history.
    lots, purchase_orders : pandas.DataFrame, optional
        Validated tables holding (at least) the part's rows; rows of other SKUs are
        ignored.
    price_breaks : pandas.DataFrame, optional
        As for :func:`workbench.replenishment`.
    overstock_ratio, dead_days
        As for :func:`workbench.replenishment`.

    Returns
    -------
    pandas.DataFrame
        The columns of ``Replenishment.lines``, one row per SKU of the part, in items
        order.

    Examples
    --------
    The sample business's list made in two halves, and its SKUs without demand apart,
    equals the list made at once:

    >>> import pandas as pd
    >>> import workbench as wb
    >>> ds = wb.sample_dataset(n_skus=80, years=1, seed=5)
    >>> period, freq = ds.demand_period, ds.demand_frequency
    >>> plan = wb.plan(ds)
    >>> whole = wb.replenishment(ds, plan=plan)
    >>> half = ds.items["sku"].iloc[:40]
    >>> idle = ds.items[~ds.items["sku"].isin(ds.demand["sku"])]
    >>> parts = [(ds.items, ds.demand[ds.demand["sku"].isin(half)]),
    ...          (ds.items, ds.demand[~ds.demand["sku"].isin(half)]), (idle, ds.demand.iloc[:0])]
    >>> lines = pd.concat(
    ...     part_replenishment(i, d, period, freq, plan, lots=ds.lots,
    ...                        purchase_orders=ds.purchase_orders) for i, d in parts)
    >>> lines = lines.reindex(ds.items["sku"])
    >>> together = wb.assemble_replenishment(lines, ds.suppliers, whole.as_of)
    >>> together.lines.index.equals(whole.lines.index)
    True
    >>> bool((together.lines["suggested_qty"] == whole.lines["suggested_qty"]).all())
    True
    >>> together.draft_orders.equals(whole.draft_orders)
    True
    """
    from .replenish.replenishment import replenishment_lines
    from .stock.review import _history_end

    part = part_dataset(items, demand, period, frequency)
    for name, table in (("lots", lots), ("purchase_orders", purchase_orders)):
        if table is not None:
            part.tables[name] = table
    end = pd.Timestamp(as_of) if as_of is not None else _history_end(part)
    return replenishment_lines(
        part,
        plan,
        as_of=end,
        price_breaks=price_breaks,
        overstock_ratio=overstock_ratio,
        dead_days=dead_days,
    )
