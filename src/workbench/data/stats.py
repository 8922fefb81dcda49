"""Per-SKU statistics of demand per bucket (day, week or month), vectorized over SKUs.

Every SKU is measured over its own window, from the start of its life to the end of the
data, so that an item launched late in the file is not averaged over years it was not
sold; the bucket (:mod:`workbench.data.frequency`) is the dataset's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._numeric import group_extreme, index_in
from .dataset import Dataset, _count_duplicates
from .frequency import (
    BUCKET_DAYS,
    BUCKETS_PER_YEAR,
    bucket_index,
    detect_frequency,
    normalize_frequency,
)

__all__ = ["DAYS_PER_YEAR", "MIN_DEMAND_BUCKETS", "SHORT_HISTORY_BUCKETS", "demand_stats"]

#: Days per year used to turn daily into annual demand.
DAYS_PER_YEAR = 365

#: A window shorter than this many buckets is a short history [buckets]: four weeks of
#: days, eight weeks, eight months.
SHORT_HISTORY_BUCKETS = {"D": 28, "W": 8, "M": 8}
#: Fewer buckets with demand than this is a short history too (the sd rests on too few
#: sales) [buckets].
MIN_DEMAND_BUCKETS = 4

_UNIT = {"D": "day", "W": "week", "M": "month"}

_COLUMNS = [
    "annual_demand",
    "daily_mean",
    "daily_sd",
    "cv",
    "zero_day_share",
    "mean_interval_days",
    "first_date",
    "last_date",
    "n_days",
    "n_demand_days",
    "bucket",
    "mean_per_bucket",
    "sd_per_bucket",
    "n_buckets",
    "n_demand_buckets",
    "mean_interval_buckets",
    "window_start",
    "window_end",
    "short_history",
    "history_note",
]


def _day(x: Any) -> np.datetime64:
    return np.datetime64(pd.Timestamp(x).date(), "D")


def demand_stats(
    dataset_or_demand: Dataset | pd.DataFrame,
    *,
    period: tuple[Any, Any] | None = None,
    frequency: str | None = None,
) -> pd.DataFrame:
    """Statistics of demand per bucket for every SKU, each over its own history window.

    Parameters
    ----------
    dataset_or_demand : Dataset or pandas.DataFrame
        A :class:`~workbench.data.Dataset` (every SKU of its items table gets a row, in
        items order; its ``demand_frequency`` is the bucket and the items' optional
        ``introduced`` and ``discontinued`` dates bound the windows) or a demand table
        with columns ``date``, ``sku``, ``quantity`` (every SKU appearing in it gets a
        row, in order of first appearance). Several rows for one SKU and bucket are
        summed.
    period : tuple of (start, end), optional
        First and last day [dates] of the data to use. Default: the demand period
        (first to last date in the whole demand table). Rows outside it are not used; a
        bucket whose date is on or before ``end`` counts whole.
    frequency : {"D", "W", "M"}, optional
        The bucket: days, weeks or months. Default: the dataset's
        ``demand_frequency``, or detected from the table's dates.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sku``, with columns (a "bucket" is a day, week or month; the
        window is the SKU's own, see Notes):

        - ``annual_demand`` [units/year]: ``mean_per_bucket`` times the buckets in a
          year (365 days, 365.25 / 7 weeks, 12 months)
        - ``daily_mean`` [units/day]: ``mean_per_bucket / bucket_days``
        - ``daily_sd`` [units/day]: ``sd_per_bucket / sqrt(bucket_days)``, the daily sd
          that gives the bucket's sd if days within a bucket are independent; NaN if the
          window is one bucket long
        - ``cv`` [-]: ``sd_per_bucket / mean_per_bucket`` (of the bucket, so weekly or
          monthly data give the weekly or monthly cv); NaN when the mean is 0
        - ``zero_day_share`` [-]: share of the window's buckets with no positive demand
        - ``mean_interval_days`` [days]: ``mean_interval_buckets * bucket_days``
        - ``first_date``, ``last_date``: first and last date with positive demand (NaT
          if none)
        - ``n_days`` [days]: calendar days the window covers
        - ``n_demand_days``: buckets with positive demand (days for daily data)
        - ``bucket``: ``"D"``, ``"W"`` or ``"M"``
        - ``mean_per_bucket`` [units/bucket]: mean over every bucket of the window,
          buckets without a row counting as zero
        - ``sd_per_bucket`` [units/bucket]: sample standard deviation (ddof = 1) over
          the same buckets; NaN if the window is one bucket long
        - ``n_buckets``, ``n_demand_buckets``: buckets in the window, and with positive
          demand
        - ``mean_interval_buckets`` [buckets]: average interval between successive
          buckets with demand (ADI, Syntetos-Boylan); with one demand bucket, the
          window length; NaN with none
        - ``window_start``, ``window_end``: first and last day the window covers
        - ``short_history`` (bool) and ``history_note`` (why, "" when not short): the
          window has fewer buckets than :data:`SHORT_HISTORY_BUCKETS` (28 days, 8
          weeks, 8 months), fewer than :data:`MIN_DEMAND_BUCKETS` (4) buckets with
          demand, or no demand at all

    Raises
    ------
    ValueError
        If the demand frame lacks a column, ``period`` ends before it starts, or the
        frequency is unknown.

    Notes
    -----
    Buckets. Days count days, weeks count 7-day blocks from the first date, months
    count calendar months (see :mod:`workbench.data.frequency`). The last bucket counts
    whole: a monthly file whose last date is 2025-12-01 covers December.

    History window. A SKU's statistics run from the start of its life to the end of the
    data. The start is the item's ``introduced`` date when given (or its first demand, if
    earlier); otherwise its first demand bucket, moved back by one typical interval
    between its demand buckets less one (``round(ADI) - 1`` buckets): the first sale of a
    slow mover comes on average one interval after its life began, and starting the
    window at that sale would inflate its mean. With a single demand bucket (no interval
    to go by) or none, the window starts at the start of the data. The end is the end of
    the data, or the item's ``discontinued`` date when given (or its last demand, if
    later). Buckets of the window without a row count as zero demand.

    With :math:`N` buckets in the window, :math:`d_t` the demand of bucket :math:`t` (0
    when absent), :math:`n` the number of buckets with :math:`d_t > 0`, and
    :math:`t_1 < ... < t_n` those buckets:

    .. math::

        \\bar d = \\frac{1}{N} \\sum_t d_t, \\quad
        s = \\sqrt{\\frac{1}{N-1} \\sum_t (d_t - \\bar d)^2}, \\quad
        ADI = \\frac{t_n - t_1}{n - 1}

    The ADI is the mean of the intervals :math:`t_{k+1} - t_k`, which telescopes to the
    expression above. Syntetos, Boylan and Croston [1]_ classify demand as intermittent
    when ADI > 1.32. The per-day equivalents let the plan use a lead time in days with
    any bucket: the demand over :math:`L` days has mean :math:`\\bar d L / b` and sd
    :math:`s \\sqrt{L / b}` for buckets of :math:`b` days, the usual conversion of a
    period sd to another period length (independent demand within a bucket). The
    computation is a handful of ``numpy.bincount`` calls over SKU codes (no loop over
    SKUs): ten million rows take a few seconds.

    References
    ----------
    .. [1] Syntetos, A. A., Boylan, J. E. and Croston, J. D. (2005). On the categorization
       of demand patterns. Journal of the Operational Research Society 56(5), 495-503.

    Examples
    --------
    Demand of 4, 0, 0, 2 units on four days (the two middle days have no row):

    >>> import pandas as pd
    >>> demand = pd.DataFrame({"date": pd.to_datetime(["2026-01-01", "2026-01-04"]),
    ...                        "sku": ["A", "A"], "quantity": [4.0, 2.0]})
    >>> s = demand_stats(demand, frequency="D").loc["A"]
    >>> float(s.daily_mean), float(s.daily_sd), float(s.zero_day_share)
    (1.5, 1.9148542155126762, 0.5)
    >>> float(s.mean_interval_days), float(s.annual_demand)
    (3.0, 547.5)
    >>> bool(s.short_history), s.history_note
    (True, 'only 4 days of history (since 2026-01-01); only 2 days with demand')

    The same figures summed to months (all dates on the 1st): 30 units a month,
    360 a year:

    >>> months = pd.DataFrame({"date": pd.date_range("2025-01-01", periods=12, freq="MS"),
    ...                        "sku": "B", "quantity": [25.0, 35.0] * 6})
    >>> s = demand_stats(months).loc["B"]
    >>> s.bucket, float(s.mean_per_bucket), float(s.annual_demand), int(s.n_days)
    ('M', 30.0, 360.0, 365)
    """
    items = None
    if hasattr(dataset_or_demand, "demand") and hasattr(dataset_or_demand, "items"):
        demand = dataset_or_demand.demand
        items = dataset_or_demand.items
        if frequency is None:
            frequency = getattr(dataset_or_demand, "demand_frequency", None)
    elif isinstance(dataset_or_demand, pd.DataFrame):
        demand = dataset_or_demand
    else:
        raise ValueError(
            "dataset_or_demand must be a Dataset or a demand DataFrame; "
            f"got {type(dataset_or_demand).__name__}"
        )
    missing = [c for c in ("date", "sku", "quantity") if c not in demand.columns]
    if missing:
        raise ValueError(f"demand must have columns date, sku, quantity; missing {missing}")
    if frequency is None:
        frequency = detect_frequency(demand["date"])[0]
    freq = normalize_frequency(frequency)
    dates = pd.to_datetime(demand["date"]).to_numpy().astype("datetime64[D]")
    qty = demand["quantity"].to_numpy(dtype=float, na_value=np.nan)
    if items is not None:
        skus = pd.Index(items["sku"])
        codes = index_in(demand["sku"], skus)
    else:
        codes, skus = pd.factorize(demand["sku"])
        skus = pd.Index(skus)
    return _stats_from_rows(dates, qty, codes, skus, items, freq, period)


def _stats_from_rows(
    dates: np.ndarray,
    qty: np.ndarray,
    codes: np.ndarray,
    skus: pd.Index,
    items: pd.DataFrame | None,
    freq: str,
    period: tuple[Any, Any] | None,
) -> pd.DataFrame:
    """:func:`demand_stats` from the demand table's rows already read: each row's day
    (``datetime64[D]``, NaT when missing), quantity and SKU code (position in ``skus``,
    -1 for a SKU not in it); ``items`` for the windows' ``introduced`` and
    ``discontinued`` dates (None: none). The plan reads the table once for these
    statistics and its daily history (:func:`workbench.scenario.demand_history`)."""
    bdays = BUCKET_DAYS[freq]
    if period is None:
        valid = ~np.isnat(dates)
        if valid.all() and len(dates):  # no copy of the dates without NaT
            start, end = dates.min(), dates.max()
        else:
            start = dates[valid].min() if valid.any() else np.datetime64("NaT", "D")
            end = dates[valid].max() if valid.any() else np.datetime64("NaT", "D")
    else:
        start, end = (_day(p) for p in period)
        if end < start:
            raise ValueError(f"period must end on or after its start; got {start} to {end}")

    skus = skus.rename("sku")
    n_sku = len(skus)
    empty = np.isnat(start)
    n_b = 0 if empty else int(bucket_index(np.array([end]), freq, start)[0]) + 1

    keep = (codes >= 0) & ~np.isnat(dates) & ~np.isnan(qty)
    if not empty:
        keep &= (dates >= start) & (dates <= end)
    if not keep.all():
        codes, dates, qty = codes[keep], dates[keep], qty[keep]
    if not (n_b and len(dates)):
        codes, dates, qty = codes[:0], dates[:0], qty[:0]
    day = (dates - start).astype(np.int64)
    big = np.iinfo(np.int64).max
    if freq == "D":
        b = day
    else:
        b = bucket_index(dates, freq, start)
        # first and last date with demand, from the dates themselves (buckets: below)
        positive = qty > 0
        first_day = np.full(n_sku, big)
        last_day = np.full(n_sku, -1)
        group_extreme(np.minimum, first_day, codes[positive], day[positive])
        group_extreme(np.maximum, last_day, codes[positive], day[positive])

    # one total per SKU and bucket: sum duplicates, if any (a cheap check on sorted tables)
    if len(b) and _count_duplicates(codes, b):
        key = codes.astype(np.int64) * max(n_b, 1) + b
        key_u, inverse = np.unique(key, return_inverse=True)
        qty = np.bincount(inverse, weights=qty)
        codes, b = key_u // max(n_b, 1), key_u % max(n_b, 1)

    positive = qty > 0
    codes_pos, b_pos = codes[positive], b[positive]  # taken once: 3 million rows each
    n_pos = np.bincount(codes_pos, minlength=n_sku)
    first = np.full(n_sku, big)
    last = np.full(n_sku, -1)
    group_extreme(np.minimum, first, codes_pos, b_pos)
    group_extreme(np.maximum, last, codes_pos, b_pos)
    del codes_pos, b_pos
    has = n_pos > 0
    if freq == "D":
        first_day, last_day = first, last
    with np.errstate(invalid="ignore", divide="ignore"):
        span_adi = (last - first) / np.maximum(n_pos - 1, 1)

    # the window of each SKU, in buckets [w0, w1]
    lead_in = np.where(n_pos >= 2, np.rint(span_adi) - 1, 0).astype(np.int64)
    w0 = np.where(n_pos >= 2, np.maximum(first - lead_in, 0), 0)
    w1 = np.full(n_sku, max(n_b - 1, 0), dtype=np.int64)
    if items is not None and n_b:
        for col, is_start in (("introduced", True), ("discontinued", False)):
            if col not in items.columns:
                continue
            given = pd.to_datetime(items[col]).to_numpy().astype("datetime64[D]")
            ok = ~np.isnat(given)
            if not ok.any():
                continue
            gb = np.zeros(n_sku, np.int64)
            gb[ok] = np.clip(bucket_index(given[ok], freq, start), 0, n_b - 1)
            if is_start:
                w0 = np.where(ok, np.where(has, np.minimum(gb, first), gb), w0)
            else:
                w1 = np.where(ok, np.where(has, np.maximum(gb, last), gb), w1)
        w1 = np.maximum(w1, w0)
    n_w = (w1 - w0 + 1) if n_b else np.zeros(n_sku, np.int64)

    inside = (b >= w0[codes]) & (b <= w1[codes])
    if not inside.all():
        codes, b, qty = codes[inside], b[inside], qty[inside]
    total = np.bincount(codes, weights=qty, minlength=n_sku)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_w > 0, total / np.maximum(n_w, 1), np.nan)
        dev = qty - mean[codes]
        # squared deviations of the buckets with a row, plus the buckets at zero demand
        rows = np.bincount(codes, minlength=n_sku)
        ss = np.bincount(codes, weights=dev * dev, minlength=n_sku) + (n_w - rows) * mean**2
        sd = np.where(n_w > 1, np.sqrt(ss / np.maximum(n_w - 1, 1)), np.nan)
        cv = np.where(mean > 0, sd / mean, np.nan)
        zero_share = np.where(n_w > 0, 1.0 - n_pos / np.maximum(n_w, 1), np.nan)
    adi = np.where(n_pos >= 2, span_adi, np.nan)
    adi = np.where(n_pos == 1, n_w.astype(float), adi)

    nat = np.datetime64("NaT", "D")
    first_date = np.where(has, start + np.where(has, first_day, 0), nat)
    last_date = np.where(has, start + np.where(has, last_day, 0), nat)
    if n_b:
        win_start = _bucket_start(start, w0, freq)
        win_end = _bucket_start(start, w1 + 1, freq) - np.timedelta64(1, "D")
        if freq == "D":
            win_end = np.minimum(win_end, end)
        n_days = (win_end - win_start).astype(np.int64) + 1
    else:
        win_start = win_end = np.full(n_sku, nat)
        n_days = np.zeros(n_sku, np.int64)

    short = (n_w < SHORT_HISTORY_BUCKETS[freq]) | (n_pos < MIN_DEMAND_BUCKETS)
    note = _history_notes(short, n_w, n_pos, win_start, freq)

    out = pd.DataFrame(
        {
            "annual_demand": mean * BUCKETS_PER_YEAR[freq],
            "daily_mean": mean / bdays,
            "daily_sd": sd / np.sqrt(bdays),
            "cv": cv,
            "zero_day_share": zero_share,
            "mean_interval_days": adi * bdays,
            "first_date": first_date.astype("datetime64[us]"),
            "last_date": last_date.astype("datetime64[us]"),
            "n_days": n_days.astype(np.int64),
            "n_demand_days": n_pos.astype(np.int64),
            "bucket": pd.Categorical.from_codes(
                np.full(n_sku, "DWM".index(freq), np.int8), categories=list("DWM")
            ),
            "mean_per_bucket": mean,
            "sd_per_bucket": sd,
            "n_buckets": n_w.astype(np.int64),
            "n_demand_buckets": n_pos.astype(np.int64),
            "mean_interval_buckets": adi,
            "window_start": np.asarray(win_start).astype("datetime64[us]"),
            "window_end": np.asarray(win_end).astype("datetime64[us]"),
            "short_history": short,
            "history_note": note,
        },
        index=skus,
    )
    return out[_COLUMNS]


def _bucket_start(start: np.datetime64, k: np.ndarray, freq: str) -> np.ndarray:
    """First day of bucket ``k`` (counted from the bucket holding ``start``)."""
    k = np.asarray(k, dtype=np.int64)
    if freq == "M":
        month0 = start.astype("datetime64[M]")
        return (month0 + k).astype("datetime64[D]")
    step = 7 if freq == "W" else 1
    return start + k * step


def _history_notes(
    short: np.ndarray, n_w: np.ndarray, n_pos: np.ndarray, win_start: np.ndarray, freq: str
) -> np.ndarray:
    """Why each short history is short ("" for the others); text only for flagged SKUs."""
    note = np.full(len(short), "", dtype=object)
    idx = np.flatnonzero(short)
    if not len(idx):
        return note
    unit = _UNIT[freq]

    def plural(n: pd.Series) -> pd.Series:
        return n.astype(str) + np.where(n == 1, f" {unit}", f" {unit}s")

    w = pd.Series(n_w[idx])
    p = pd.Series(n_pos[idx])
    since = pd.Series(pd.DatetimeIndex(np.asarray(win_start)[idx]).strftime("%Y-%m-%d"))
    short_w = (w < SHORT_HISTORY_BUCKETS[freq]).to_numpy()
    few = (p < MIN_DEMAND_BUCKETS).to_numpy() & (p > 0).to_numpy()
    none = (p == 0).to_numpy()
    a = np.where(short_w, "only " + plural(w) + " of history (since " + since + ")", "")
    c = np.where(few, "only " + plural(p) + " with demand", "")
    text = pd.Series(a) + np.where(short_w & few, "; ", "") + pd.Series(c)
    text = np.where(none, "no demand in the history", text.to_numpy(dtype=object))
    note[idx] = text
    return note
