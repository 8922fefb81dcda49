"""The physical count audit and the cycle-count plan.

A count is compared with what the records say is on the shelf on the count
date (the lots on hand by SKU and location). The differences, in units and in
money, show where the records cannot be trusted; *record accuracy* is the share
of counted lines whose difference is within a tolerance, stricter for the
valuable A items. The adjustment entries that would bring the records in line
are returned as a table to review and post, never applied silently.

Cycle counting replaces the once-a-year wall-to-wall count by counting a few
items every working day, A items often and C items seldom (Heizer, Render &
Munson, *Operations Management*, ch. 12, "Cycle counting").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..policy.classify import cycle_count_frequency
from .fifo import _require_columns

__all__ = ["DEFAULT_COUNT_TOLERANCE", "CountAudit", "count_audit", "cycle_count_plan"]

#: Default tolerance by class: the fraction of the recorded quantity a count
#: may differ by and still be "accurate" (tight for A items, looser for C).
DEFAULT_COUNT_TOLERANCE = {"A": 0.002, "B": 0.01, "C": 0.05}


class CountAudit(NamedTuple):
    """Result of :func:`count_audit`.

    Attributes
    ----------
    lines : pandas.DataFrame
        One row per counted SKU and location: ``count_date``, ``sku``,
        ``location`` (missing: the count covers the SKU at every location),
        ``abc`` (class, if given), ``system_qty``, ``counted_qty``,
        ``variance_units`` (counted - system), ``abs_variance_units`` [units],
        ``unit_cost`` [$/unit], ``system_value``, ``counted_value``,
        ``variance_value``, ``abs_variance_value`` [$], ``tolerance`` [fraction],
        ``within_tolerance`` (bool).
    summary : pandas.Series
        ``lines``, ``lines_within_tolerance``, ``record_accuracy`` [fraction],
        ``net_variance_units``, ``abs_variance_units`` [units],
        ``system_value``, ``counted_value``, ``net_variance_value``,
        ``abs_variance_value`` [$], ``abs_variance_share`` (abs value / system value),
        ``unlocated_record_units`` [units] (units on record without a location, of
        SKUs counted by location: compared with no count line).
    by_class : pandas.DataFrame
        The same figures per class (one row, ``"all"``, without classes).
    largest : pandas.DataFrame
        The ``top`` lines with the largest absolute variance value.
    adjustments : pandas.DataFrame
        Entries that would align the records with the count (not applied):
        ``count_date``, ``sku``, ``location``, ``adjustment_qty`` [units],
        ``unit_cost`` [$/unit], ``adjustment_value`` [$], ``direction``
        ("write-off" or "write-on"), ``reason``.
    """

    lines: pd.DataFrame
    summary: pd.Series
    by_class: pd.DataFrame
    largest: pd.DataFrame
    adjustments: pd.DataFrame


def _sku_map(values, name: str) -> pd.Series | None:
    if values is None:
        return None
    if isinstance(values, pd.DataFrame):
        if "sku" in values.columns:
            values = values.set_index("sku")
        col = next((c for c in ("abc", "abc_class", "class") if c in values.columns), None)
        if col is None:
            raise ValueError(f"{name} as a DataFrame needs a column 'abc' (or 'abc_class')")
        values = values[col]
    if not isinstance(values, pd.Series):
        raise ValueError(f"{name} must be a Series indexed by sku; got {type(values).__name__}")
    out = values.copy()
    out.index = out.index.astype(str)
    return out


# location keys of a count covering every location and of a lot with no location
_EVERYWHERE, _NOWHERE = "\x00every location", "\x00no location"


def _blank(values: pd.Series) -> np.ndarray:
    """Missing or blank (empty or spaces) entries of a column, as a bool array."""
    text = values.astype(object)
    missing = text.isna().to_numpy()
    stripped = text.where(~missing, "").astype(str).str.strip()
    return missing | (stripped == "").to_numpy()


def _locations(frame: pd.DataFrame, blank: str) -> np.ndarray:
    """The ``location`` column as str keys, ``blank`` where absent, missing or blank."""
    if "location" not in frame:
        return np.full(len(frame), blank, dtype=object)
    loc = frame["location"].astype(object)
    return np.where(_blank(loc), blank, loc.astype(str)).astype(object)


def _summarize(lines: pd.DataFrame) -> pd.Series:
    n = len(lines)
    within = int(lines["within_tolerance"].sum())
    system_value = float(lines["system_value"].sum())
    abs_value = float(lines["abs_variance_value"].sum())
    return pd.Series(
        {
            "lines": n,
            "lines_within_tolerance": within,
            "record_accuracy": within / n if n else np.nan,
            "net_variance_units": float(lines["variance_units"].sum()),
            "abs_variance_units": float(lines["abs_variance_units"].sum()),
            "system_value": system_value,
            "counted_value": float(lines["counted_value"].sum()),
            "net_variance_value": float(lines["variance_value"].sum()),
            "abs_variance_value": abs_value,
            "abs_variance_share": abs_value / system_value if system_value > 0 else np.nan,
        }
    )


def count_audit(
    counts: pd.DataFrame,
    lots: pd.DataFrame,
    *,
    unit_cost: pd.Series | None = None,
    classes: pd.Series | pd.DataFrame | None = None,
    tolerance: float | Mapping[str, float] | None = None,
    top: int = 10,
) -> CountAudit:
    """Compare a physical count with the lot records at the count date.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``count_date``, ``sku``, ``counted_qty`` [units], optionally ``location``.
        A row without a location (column absent, or blank) counts the SKU at every
        location and is compared with all its lots.
    lots : pandas.DataFrame
        Lots on record: ``sku``, ``quantity`` [units], ``unit_cost`` [$/unit],
        optionally ``location`` and ``received_date`` (lots received after a count
        date are not part of that count's system quantity). A lot without a
        location only meets counts without one; against located counts of its SKU
        it is reported in ``summary["unlocated_record_units"]``.
    unit_cost : pandas.Series, optional
        Cost to value variances [$/unit] by sku (e.g. the items' ``unit_cost``);
        default the lots' average cost of the SKU, NaN where the SKU has no lot.
    classes : pandas.Series or DataFrame, optional
        ABC class per sku (a Series, or a plan/classification frame with an
        ``abc`` column).
    tolerance : float or mapping class -> float, optional
        Allowed difference as a fraction of the recorded quantity [fraction].
        Default :data:`DEFAULT_COUNT_TOLERANCE` with classes, 0 (exact) without.
    top : int
        How many lines to list in ``largest``.

    Returns
    -------
    CountAudit
        Lines, summary, per-class accuracy, largest discrepancies, adjustments.

    Raises
    ------
    ValueError
        If a column is missing, a count or tolerance is negative, a count row has
        no ``count_date`` or no ``sku``, or a tolerance mapping is given without
        classes or lacks a class.

    Notes
    -----
    Per line, variance :math:`v = n_{counted} - n_{system}`; the line is
    accurate when :math:`|v| \\le \\tau_{class} n_{system}` (a line with no
    record is accurate only if nothing is found). Record accuracy is the share
    of accurate lines ([1]_, ch. 12, "Record accuracy"). The net variance nets
    gains against losses; the absolute variance does not, and is the measure
    of record quality.

    References
    ----------
    .. [1] Heizer, J., Render, B. and Munson, C., *Operations Management*,
       Pearson, ch. 12 "Inventory management".

    Examples
    --------
    Two items: 100 on record, 98 counted (2 % short); 40 on record and 40 counted.

    >>> import pandas as pd
    >>> lots = pd.DataFrame({"sku": ["a", "b"], "location": "main",
    ...                      "quantity": [100.0, 40.0], "unit_cost": [5.0, 2.0]})
    >>> counts = pd.DataFrame({"count_date": pd.Timestamp("2026-10-31"), "sku": ["a", "b"],
    ...                        "location": "main", "counted_qty": [98.0, 40.0]})
    >>> audit = count_audit(counts, lots, tolerance=0.01)
    >>> float(audit.summary["record_accuracy"]), float(audit.summary["net_variance_value"])
    (0.5, -10.0)
    """
    _require_columns(counts, "counts", ("count_date", "sku", "counted_qty"))
    _require_columns(lots, "lots", ("sku", "quantity", "unit_cost"))
    counted = counts["counted_qty"].to_numpy(dtype=float, na_value=np.nan)
    if np.any(np.isnan(counted)) or np.any(counted < 0):
        raise ValueError("counts.counted_qty must be a number >= 0 [units] on every row")
    count_date = pd.to_datetime(counts["count_date"])
    # a count without a date or a SKU cannot be audited: say so rather than drop it
    for missing, what in (
        (count_date.isna().to_numpy(), "count_date must be a date on every row"),
        (_blank(counts["sku"]), "sku must not be blank"),
    ):
        if np.any(missing):
            rows = counts.index[missing].tolist()
            raise ValueError(f"counts.{what}; got none in {int(missing.sum())} row(s) {rows[:10]}")
    if not (isinstance(top, int | np.integer) and top >= 0):
        raise ValueError(f"top must be a whole number >= 0 [lines]; got {top!r}")
    cls = _sku_map(classes, "classes")
    if tolerance is None:
        tolerance = DEFAULT_COUNT_TOLERANCE if cls is not None else 0.0
    if isinstance(tolerance, Mapping):
        if cls is None:
            raise ValueError("tolerance by class needs classes (a Series of ABC class by sku)")
        bad = {k: v for k, v in tolerance.items() if not v >= 0}
        if bad:
            raise ValueError(f"tolerance must be >= 0 [fraction of recorded qty]; got {bad}")
    elif not float(tolerance) >= 0:
        raise ValueError(f"tolerance must be >= 0 [fraction of recorded qty]; got {tolerance}")

    cnt = pd.DataFrame(
        {
            "count_date": count_date.to_numpy(),
            "sku": counts["sku"].astype(str).to_numpy(),
            "location": _locations(counts, _EVERYWHERE),
            "counted_qty": counted,
        }
    )
    cnt = cnt.groupby(["count_date", "sku", "location"], as_index=False, sort=True).sum()
    rec = pd.DataFrame(
        {
            "sku": lots["sku"].astype(str).to_numpy(),
            "location": _locations(lots, _NOWHERE),
            "quantity": lots["quantity"].to_numpy(dtype=float, na_value=np.nan),
            "value": lots["quantity"].to_numpy(dtype=float, na_value=np.nan)
            * lots["unit_cost"].to_numpy(dtype=float, na_value=np.nan),
        }
    )
    if "received_date" in lots:
        rec["received_date"] = pd.to_datetime(lots["received_date"]).to_numpy()
    keys = cnt[["count_date", "sku", "location"]]
    everywhere = (keys["location"] == _EVERYWHERE).to_numpy()
    located = keys[~everywhere]
    # a located count meets the lots at its location; a count without one, all the SKU's lots
    joined = pd.concat(
        [
            located.merge(rec, on=["sku", "location"], how="inner"),
            keys[everywhere].merge(rec.drop(columns="location"), on="sku", how="inner"),
        ],
        ignore_index=True,
    )
    # lots with no location cannot meet a located count: say how many units that leaves out
    stray = (
        located[["count_date", "sku"]]
        .drop_duplicates()
        .merge(rec[rec["location"] == _NOWHERE].drop(columns="location"), on="sku")
    )
    if "received_date" in joined:
        joined = joined[~(joined["received_date"] > joined["count_date"])]
        stray = stray[~(stray["received_date"] > stray["count_date"])]
    system = joined.groupby(["count_date", "sku", "location"], as_index=False)["quantity"].sum()
    lines = cnt.merge(system, on=["count_date", "sku", "location"], how="left")
    lines = lines.rename(columns={"quantity": "system_qty"})
    lines["system_qty"] = lines["system_qty"].fillna(0.0)
    lines["location"] = lines["location"].where(lines["location"] != _EVERYWHERE)

    if unit_cost is None:
        per_sku = rec.groupby("sku")[["quantity", "value"]].sum()
        cost_map = per_sku["value"] / per_sku["quantity"].where(per_sku["quantity"] > 0)
    else:
        cost_map = unit_cost.copy()
        cost_map.index = cost_map.index.astype(str)
    lines["unit_cost"] = lines["sku"].map(cost_map).to_numpy(dtype=float, na_value=np.nan)
    if cls is not None:
        lines.insert(3, "abc", lines["sku"].map(cls).astype(object).to_numpy())
    if isinstance(tolerance, Mapping):
        tol = lines["abc"].map(dict(tolerance)).to_numpy(dtype=float, na_value=np.nan)
        missing = sorted({str(c) for c in lines.loc[np.isnan(tol), "abc"]})
        if missing:
            raise ValueError(f"tolerance has no entry for class(es) {missing}")
    else:
        tol = np.full(len(lines), float(tolerance))
    variance = lines["counted_qty"] - lines["system_qty"]
    lines["variance_units"] = variance
    lines["abs_variance_units"] = variance.abs()
    lines["system_value"] = lines["system_qty"] * lines["unit_cost"]
    lines["counted_value"] = lines["counted_qty"] * lines["unit_cost"]
    lines["variance_value"] = variance * lines["unit_cost"]
    lines["abs_variance_value"] = lines["variance_value"].abs()
    lines["tolerance"] = tol
    slack = 1e-9 * np.maximum(1.0, lines["system_qty"].to_numpy())
    lines["within_tolerance"] = lines["abs_variance_units"].to_numpy() <= (
        tol * lines["system_qty"].to_numpy() + slack
    )

    summary = _summarize(lines)
    summary["unlocated_record_units"] = float(stray["quantity"].sum())
    group = lines["abc"].astype(str) if "abc" in lines else pd.Series("all", index=lines.index)
    by_class = pd.DataFrame({g: _summarize(part) for g, part in lines.groupby(group, sort=True)}).T
    by_class.index.name = "abc"
    largest = (
        lines[lines["abs_variance_units"] > 0]
        .sort_values("abs_variance_value", ascending=False, kind="stable")
        .head(top)
        .reset_index(drop=True)
    )
    adj = lines[lines["variance_units"] != 0]
    adjustments = pd.DataFrame(
        {
            "count_date": adj["count_date"],
            "sku": adj["sku"],
            "location": adj["location"],
            "adjustment_qty": adj["variance_units"],
            "unit_cost": adj["unit_cost"],
            "adjustment_value": adj["variance_value"],
            "direction": np.where(adj["variance_units"] < 0, "write-off", "write-on"),
            "reason": "physical count variance",
        }
    ).reset_index(drop=True)
    return CountAudit(lines, summary, by_class, largest, adjustments)


def cycle_count_plan(
    classes: pd.Series | pd.DataFrame,
    *,
    start,
    end=None,
    counts_per_year: Mapping[str, float] | None = None,
    weekmask: str = "Mon Tue Wed Thu Fri",
    holidays=None,
) -> pd.DataFrame:
    """A cycle-count calendar: which SKUs to count on each working day.

    Parameters
    ----------
    classes : pandas.Series or DataFrame
        ABC class per sku (Series indexed by sku, or a frame with ``abc``).
    start, end : date-like
        First and last day of the plan; ``end`` defaults to one year after ``start``
        (exclusive).
    counts_per_year : mapping class -> counts per year, optional
        Default ``{"A": 12, "B": 4, "C": 1}`` (monthly, quarterly, yearly).
    weekmask : str
        Working days (numpy busday weekmask), default Monday to Friday.
    holidays : list of date-like, optional
        Non-working days.

    Returns
    -------
    pandas.DataFrame
        One row per count: ``date``, ``sku``, ``abc``, ``count_number`` (1, 2, ...
        for the SKU), sorted by date. ``frame.attrs["working_days"]`` is the number
        of working days in the plan.

    Raises
    ------
    ValueError
        If ``end`` is not after ``start``, there are no working days, or a class
        has no frequency.

    Notes
    -----
    An item counted :math:`f` times a year is due :math:`n = \\mathrm{round}(f
    \\cdot T/365)` times over a plan of :math:`T` days. Its counts sit at the
    fractions :math:`(r + \\phi_i)/n`, :math:`r = 0..n-1`, of the plan, with a
    phase :math:`\\phi_i` spreading the items of a class evenly; all counts are
    then ranked by fraction and dealt out to the :math:`W` working days in
    order, :math:`\\lfloor k W / E \\rfloor` for the :math:`k`-th of :math:`E`
    counts, so every day gets :math:`E/W` counts give or take one and each item's
    counts are about :math:`W/n` working days apart ([1]_ ch. 12).

    References
    ----------
    .. [1] Heizer, J., Render, B. and Munson, C., *Operations Management*,
       Pearson, ch. 12, "Cycle counting" (the Cole's Trucks example).

    Examples
    --------
    Cole's Trucks (Heizer & Render): 500 A items counted monthly, 1,750 B items
    quarterly, 2,750 C items twice a year, over 20 working days a month (240 a
    year): 6,000 + 7,000 + 5,500 = 18,500 counts, about 77 a day.

    >>> import pandas as pd
    >>> cls = pd.Series(["A"] * 500 + ["B"] * 1750 + ["C"] * 2750,
    ...                 index=[f"i{k}" for k in range(5000)])
    >>> plan = cycle_count_plan(cls, start="2027-01-04", counts_per_year={"A": 12, "B": 4,
    ...                         "C": 2})
    >>> len(plan), plan.attrs["working_days"]
    (18500, 261)
    >>> per_day = plan.groupby("date").size()
    >>> int(per_day.min()), int(per_day.max())
    (70, 71)
    """
    cls = _sku_map(classes, "classes")
    start = pd.Timestamp(start)
    if end is None:
        end = start + pd.DateOffset(years=1) - pd.Timedelta(days=1)
    end = pd.Timestamp(end)
    if end < start:
        raise ValueError(
            f"end must be on or after start; got start {start.date()}, end {end.date()}"
        )
    days = pd.bdate_range(start, end, freq="C", weekmask=weekmask, holidays=holidays)
    if len(days) == 0:
        raise ValueError("the plan has no working days between start and end")
    horizon = (end - start).days + 1
    freq = cycle_count_frequency(cls, counts_per_year).to_numpy(dtype=float)
    n = np.rint(freq * horizon / 365.0).astype(np.int64)
    labels = cls.astype(str).to_numpy()
    # phase: spread the items of one class over the first interval
    rank = pd.Series(np.arange(len(cls))).groupby(labels).cumcount().to_numpy()
    size = pd.Series(labels).map(pd.Series(labels).value_counts()).to_numpy()
    phase = (rank + 0.5) / np.maximum(size, 1)
    item = np.repeat(np.arange(len(cls)), n)
    r = np.arange(len(item)) - np.repeat(np.cumsum(n) - n, n)
    frac = (r + phase[item]) / np.repeat(np.maximum(n, 1), n)
    order = np.lexsort((item, frac))
    e = len(item)
    day_index = (np.arange(e) * len(days)) // max(e, 1)
    plan = pd.DataFrame(
        {
            "date": days[day_index],
            "sku": pd.array(cls.index.to_numpy()[item[order]], dtype="str"),
            "abc": labels[item[order]],
            "count_number": r[order] + 1,
        }
    )
    plan.attrs["working_days"] = len(days)
    return plan
