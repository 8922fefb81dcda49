"""Demand buckets: whether the demand dates are days, weeks or months.

A demand file may hold one row per SKU and day, per week or per month. The bucket
changes every statistic: a monthly series read as days looks like one sale on the 1st of
each month and 29 days without, so its variability is grossly overstated. This module
detects the bucket from the dates, checks a bucket the user states, converts dates to
bucket numbers and re-buckets a demand table to coarser buckets.

Bucket lengths and years
------------------------
=========  ===============================  ===========================
bucket     length [days]                    buckets per year
=========  ===============================  ===========================
``"D"``    1                                365 (as the daily figures always were)
``"W"``    7                                365.25 / 7 = 52.18
``"M"``    365.25 / 12 = 30.44 (average)    12
=========  ===============================  ===========================

Daily data keep 365 days a year so that daily results are unchanged; a year of monthly
data is twelve months, which averages 365.25 days: the annual demand of monthly data
and of the same data summed from days differ by the leap-day share (0.07 %).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BUCKETS_PER_YEAR",
    "BUCKET_DAYS",
    "FREQUENCIES",
    "FREQUENCY_NAMES",
    "bucket_end",
    "bucket_index",
    "check_frequency",
    "detect_frequency",
    "normalize_frequency",
    "rebucket",
]

#: Accepted buckets, finest first.
FREQUENCIES = ("D", "W", "M")
#: Words for the buckets, as in "demand read as monthly buckets".
FREQUENCY_NAMES = {"D": "daily", "W": "weekly", "M": "monthly"}
#: Length of a bucket [days] (a month: 365.25 / 12 days on average).
BUCKET_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}
#: Buckets in a year [1/year]; days keep the 365 of the daily figures.
BUCKETS_PER_YEAR = {"D": 365.0, "W": 365.25 / 7, "M": 12.0}

_ALIASES = {
    "d": "D",
    "day": "D",
    "days": "D",
    "daily": "D",
    "w": "W",
    "week": "W",
    "weeks": "W",
    "weekly": "W",
    "m": "M",
    "ms": "M",
    "me": "M",
    "month": "M",
    "months": "M",
    "monthly": "M",
}


def normalize_frequency(frequency: Any) -> str:
    """``"D"``, ``"W"`` or ``"M"`` from a frequency name ("weekly", "month", "W" ...).

    Raises
    ------
    ValueError
        For anything else, naming the accepted values.
    """
    key = str(frequency).strip().lower()
    if key not in _ALIASES:
        raise ValueError(
            f"frequency must be 'D' (days), 'W' (weeks) or 'M' (months); got {frequency!r}"
        )
    return _ALIASES[key]


def _unique_days(dates: Any) -> np.ndarray:
    """Sorted distinct dates as datetime64[D] (NaT dropped)."""
    values = np.asarray(dates)
    if values.dtype.kind != "M":
        values = pd.to_datetime(pd.Series(values)).to_numpy()
    values = pd.unique(values.ravel())  # hashing: fast on ten million rows
    values = values.astype("datetime64[D]")
    return np.unique(values[~np.isnat(values)])


def detect_frequency(dates: Any) -> tuple[str, str]:
    """The bucket of a column of demand dates, and why.

    Parameters
    ----------
    dates : array-like of dates
        The ``date`` column of a demand table.

    Returns
    -------
    frequency : {"D", "W", "M"}
    reason : str
        A short explanation, e.g. ``"all 36 dates are the 1st of a month"``.

    Notes
    -----
    With at least two distinct dates: all on the 1st of a month, or all on the last day
    of a month, is monthly; all on one weekday (so that every gap is a multiple of 7
    days) is weekly; anything else is daily. With one distinct date (or none) nothing
    can be told and the demand is read as daily. A daily file in which every sale
    happens to fall on the 1st of a month, or on one weekday, is read as monthly or
    weekly: state ``frequency="D"`` to override.

    Examples
    --------
    >>> detect_frequency(["2025-01-01", "2025-02-01", "2025-03-01"])
    ('M', 'all 3 dates are the 1st of a month')
    >>> detect_frequency(["2025-01-31", "2025-02-28"])
    ('M', 'all 2 dates are the last day of a month')
    >>> detect_frequency(["2025-01-06", "2025-01-20"])
    ('W', 'all 2 dates are a Monday')
    >>> detect_frequency(["2025-01-06", "2025-01-07"])[0]
    'D'
    """
    days = _unique_days(dates)
    n = len(days)
    if n < 2:
        return "D", f"{n} distinct date{'s' if n != 1 else ''}: read as days"
    stamps = pd.DatetimeIndex(days)
    if (stamps.day == 1).all():
        return "M", f"all {n:,} dates are the 1st of a month"
    if stamps.is_month_end.all():
        return "M", f"all {n:,} dates are the last day of a month"
    weekday = stamps.day_of_week
    if (weekday == weekday[0]).all():
        return "W", f"all {n:,} dates are a {stamps[0]:%A}"
    return "D", f"the {n:,} dates are not all on one weekday or one day of the month"


def bucket_index(dates: Any, frequency: str, start: Any) -> np.ndarray:
    """Bucket number of each date, counting from the bucket holding ``start`` (0).

    Days count days; weeks count whole 7-day blocks from ``start`` (weekly dates are all
    on one weekday, so each date starts its own block); months count calendar months.
    Returns int64 (NaT dates give a large negative number: drop them first).
    """
    d = np.asarray(pd.to_datetime(pd.Series(dates)).to_numpy().astype("datetime64[D]"))
    s = np.datetime64(pd.Timestamp(start).date(), "D")
    if frequency == "M":
        months = d.astype("datetime64[M]").astype(np.int64)
        return months - s.astype("datetime64[M]").astype(np.int64)
    offset = (d - s).astype(np.int64)
    if frequency == "W":
        return np.floor_divide(offset, 7)
    return offset


def bucket_end(date: Any, frequency: str) -> pd.Timestamp:
    """Last day covered by the bucket labelled ``date`` (weeks: 6 days later; months:
    the month's last day; days: the day itself)."""
    t = pd.Timestamp(date)
    if pd.isna(t):
        return t
    if frequency == "M":
        return (t + pd.offsets.MonthEnd(0)).normalize()
    if frequency == "W":
        return t.normalize() + pd.Timedelta(days=6)
    return t.normalize()


def check_frequency(dates: Any, frequency: str) -> tuple[str, str] | None:
    """None if ``dates`` can be ``frequency`` buckets, else two example dates that share a
    bucket and the reason (as text).

    Any dates may be read as days (a finer bucket than the data look like is the
    user's statement). Weekly dates must all be at least a week apart and on one weekday
    (gaps multiples of 7 days); monthly dates at most one per calendar month.
    """
    if frequency == "D":
        return None
    days = _unique_days(dates)
    if len(days) < 2:
        return None
    if frequency == "W":
        gaps = np.diff(days).astype(np.int64)
        bad = np.flatnonzero(gaps % 7 != 0)
        if len(bad):
            a, b = days[bad[0]], days[bad[0] + 1]
            return (
                f"{a} and {b}",
                f"{int(gaps[bad[0]])} days apart (weekly dates are all on one weekday)",
            )
        return None
    months = days.astype("datetime64[M]")
    same = np.flatnonzero(months[1:] == months[:-1])
    if len(same):
        a, b = days[same[0]], days[same[0] + 1]
        return f"{a} and {b}", "in the same month (monthly data have one date a month)"
    return None


def rebucket(demand: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """A demand table summed into coarser buckets.

    Weeks are labelled by their Monday (ISO weeks), months by their 1st. Rows of the
    same SKU and bucket are summed; the result is sorted by SKU then date. Re-bucketing
    weeks to months puts each week in the month of its label (its Monday).
    """
    dates = pd.to_datetime(demand["date"])
    if frequency == "M":
        label = dates.dt.to_period("M").dt.to_timestamp()
    elif frequency == "W":
        label = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    else:
        label = dates.dt.normalize()
    label = label.astype(demand["date"].dtype) if demand["date"].dtype.kind == "M" else label
    out = (
        demand.assign(date=label)
        .groupby(["sku", "date"], sort=True, as_index=False, observed=True)["quantity"]
        .sum()
    )
    return out[list(demand.columns)].reset_index(drop=True)
