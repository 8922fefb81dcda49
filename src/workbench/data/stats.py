"""Per-SKU statistics of daily demand, vectorized over every SKU at once."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._numeric import index_in
from .dataset import Dataset, _count_duplicates

__all__ = ["DAYS_PER_YEAR", "demand_stats"]

#: Days per year used to turn daily into annual demand.
DAYS_PER_YEAR = 365

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
]


def demand_stats(
    dataset_or_demand: Dataset | pd.DataFrame,
    *,
    period: tuple[Any, Any] | None = None,
) -> pd.DataFrame:
    """Statistics of daily demand for every SKU.

    Parameters
    ----------
    dataset_or_demand : Dataset or pandas.DataFrame
        A :class:`~workbench.data.Dataset` (every SKU of its items table gets a row, in
        items order) or a demand table with columns ``date``, ``sku``, ``quantity`` (every
        SKU appearing in it gets a row, in order of first appearance). Several rows for one
        SKU and day are summed.
    period : tuple of (start, end), optional
        First and last day [dates] over which to compute the statistics. Default: the
        demand period (first to last date in the whole demand table). Rows outside it are
        not used.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sku``, with columns:

        - ``annual_demand`` [units/year]: ``daily_mean * 365``
        - ``daily_mean`` [units/day]: mean demand over every day of the period, days
          without a row counting as zero
        - ``daily_sd`` [units/day]: sample standard deviation (ddof = 1) over the same days;
          NaN if the period is one day long
        - ``cv`` [-]: ``daily_sd / daily_mean``; NaN when the mean is 0 (no demand)
        - ``zero_day_share`` [-]: share of the period's days with no positive demand
        - ``mean_interval_days`` [days]: average interval between successive days with
          demand (ADI, the "average inter-demand interval" of Syntetos-Boylan); with one
          demand day, the period length (N / 1); NaN with none
        - ``first_date``, ``last_date``: first and last day with positive demand (NaT if none)
        - ``n_days`` [days]: number of days in the period (the same for every SKU)
        - ``n_demand_days`` [days]: number of days with positive demand

    Raises
    ------
    ValueError
        If the demand frame lacks a column, or ``period`` ends before it starts.

    Notes
    -----
    With :math:`N` days in the period, :math:`d_t` the demand of day :math:`t` (0 when
    absent), :math:`n` the number of days with :math:`d_t > 0`, and :math:`t_1 < ... < t_n`
    those days:

    .. math::

        \\bar d = \\frac{1}{N} \\sum_t d_t, \\quad
        s = \\sqrt{\\frac{1}{N-1} \\sum_t (d_t - \\bar d)^2}, \\quad
        ADI = \\frac{t_n - t_1}{n - 1}

    The ADI is the mean of the intervals :math:`t_{k+1} - t_k`, which telescopes to the
    expression above. Syntetos, Boylan and Croston [1]_ classify demand as intermittent
    when ADI > 1.32. The computation is a handful of ``numpy.bincount`` calls over SKU
    codes (no loop over SKUs): ten million rows take a few seconds.

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
    >>> s = demand_stats(demand).loc["A"]
    >>> float(s.daily_mean), float(s.daily_sd), float(s.zero_day_share)
    (1.5, 1.9148542155126762, 0.5)
    >>> float(s.mean_interval_days), float(s.annual_demand)
    (3.0, 547.5)
    """
    items_sku = None
    if hasattr(dataset_or_demand, "demand") and hasattr(dataset_or_demand, "items"):
        demand = dataset_or_demand.demand
        items_sku = dataset_or_demand.items["sku"]
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

    dates = pd.to_datetime(demand["date"]).to_numpy().astype("datetime64[D]")
    qty = demand["quantity"].to_numpy(dtype=float, na_value=np.nan)
    if period is None:
        valid = ~np.isnat(dates)
        start = dates[valid].min() if valid.any() else np.datetime64("NaT", "D")
        end = dates[valid].max() if valid.any() else np.datetime64("NaT", "D")
    else:
        start, end = (np.datetime64(pd.Timestamp(p).date(), "D") for p in period)
        if end < start:
            raise ValueError(f"period must end on or after its start; got {start} to {end}")

    if items_sku is not None:
        skus = pd.Index(items_sku)
        codes = index_in(demand["sku"], skus)
    else:
        codes, skus = pd.factorize(demand["sku"])
        skus = pd.Index(skus)
    skus.name = "sku"
    n_sku = len(skus)
    n_days = int((end - start).astype(int)) + 1 if not np.isnat(start) else 0

    keep = (codes >= 0) & ~np.isnat(dates) & ~np.isnan(qty)
    if not np.isnat(start):
        keep &= (dates >= start) & (dates <= end)
    if not keep.all():
        codes, dates, qty = codes[keep], dates[keep], qty[keep]
    day = (dates - start).astype(np.int64) if n_days else np.zeros(0, np.int64)

    # one total per SKU and day: sum duplicates, if any (a cheap check on sorted tables)
    if len(day) and _count_duplicates(codes, day):
        key = codes.astype(np.int64) * max(n_days, 1) + day
        key_u, inverse = np.unique(key, return_inverse=True)
        qty = np.bincount(inverse, weights=qty)
        codes, day = key_u // max(n_days, 1), key_u % max(n_days, 1)

    total = np.bincount(codes, weights=qty, minlength=n_sku)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n_days if n_days else np.full(n_sku, np.nan)
        dev = qty - mean[codes]
        # squared deviations of the days with a row, plus (N - rows) days at zero demand
        rows = np.bincount(codes, minlength=n_sku)
        ss = np.bincount(codes, weights=dev * dev, minlength=n_sku) + (n_days - rows) * mean**2
        sd = np.sqrt(ss / (n_days - 1)) if n_days > 1 else np.full(n_sku, np.nan)
        cv = np.where(mean > 0, sd / mean, np.nan)

    positive = qty > 0
    n_pos = np.bincount(codes[positive], minlength=n_sku)
    first = np.full(n_sku, np.iinfo(np.int64).max)
    last = np.full(n_sku, -1)
    np.minimum.at(first, codes[positive], day[positive])
    np.maximum.at(last, codes[positive], day[positive])
    has = n_pos > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        adi = np.where(n_pos >= 2, (last - first) / np.maximum(n_pos - 1, 1), np.nan)
    adi = np.where(n_pos == 1, float(n_days), adi)
    nat = np.datetime64("NaT", "D")
    first_date = np.where(has, start + np.where(has, first, 0), nat)
    last_date = np.where(has, start + np.where(has, last, 0), nat)

    out = pd.DataFrame(
        {
            "annual_demand": mean * DAYS_PER_YEAR,
            "daily_mean": mean,
            "daily_sd": sd,
            "cv": cv,
            "zero_day_share": 1.0 - n_pos / n_days if n_days else np.full(n_sku, np.nan),
            "mean_interval_days": adi,
            "first_date": first_date.astype("datetime64[us]"),
            "last_date": last_date.astype("datetime64[us]"),
            "n_days": np.full(n_sku, n_days, dtype=np.int64),
            "n_demand_days": n_pos.astype(np.int64),
        },
        index=skus,
    )
    return out[_COLUMNS]
