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

__all__ = ["PartDataset", "part_dataset", "part_plan", "part_stats"]


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
