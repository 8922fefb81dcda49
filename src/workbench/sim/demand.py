"""Daily demand for the simulator: the history as a matrix, and random demand models.

The simulator works on a matrix of daily demand, days x SKUs. This module builds
that matrix from a demand table (days without a row are zero demand, as the
dataset contract says) and draws random matrices from per-SKU models, chunk by
chunk, so that a long run never holds the whole matrix in memory.

The chunked draws are independent of the chunk size: the generator fills the
chunks in the same C order as one large draw would, so the same seed gives the
same demand whatever ``chunk_days`` is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DEMAND_MODELS", "daily_demand_matrix"]

DEMAND_MODELS = ("replay", "normal", "gamma", "poisson", "negative_binomial", "bootstrap")


def daily_demand_matrix(
    demand: pd.DataFrame,
    *,
    skus: pd.Index | list | None = None,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    dtype: type = np.float64,
    frequency: str = "D",
) -> tuple[np.ndarray, pd.Index, pd.DatetimeIndex]:
    """Daily demand as a days x SKUs matrix, absent days counted as zero.

    Parameters
    ----------
    demand : pandas.DataFrame
        The demand table, columns ``date``, ``sku``, ``quantity`` [units].
        Several rows for one SKU and day are added up.
    skus : sequence of str, optional
        The SKUs (columns) in order. Default: the sorted SKUs of ``demand``.
        Rows of SKUs not listed are left out; the count of such rows is not an
        error (pass every SKU to keep them).
    start, end : date-like, optional
        The first and last day (inclusive). Default: the first and last date of
        the table (the dataset's ``demand_period``).
    dtype : numpy dtype, default float64
    frequency : {"D", "W", "M"}, default "D"
        The bucket of a row: days, weeks (7-day blocks from ``start``) or calendar
        months. With weeks or months each row is a bucket (the last one counted whole)
        and the row labels are the buckets' first days.

    Returns
    -------
    matrix : numpy.ndarray, shape (days, len(skus))
        Units demanded per day and SKU.
    skus : pandas.Index
        The column labels.
    dates : pandas.DatetimeIndex
        The row labels, one per day.

    Raises
    ------
    ValueError
        If a required column is missing or ``end`` is before ``start``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"date": pd.to_datetime(["2026-01-01", "2026-01-03"]),
    ...                       "sku": ["A", "A"], "quantity": [5.0, 2.0]})
    >>> m, skus, dates = daily_demand_matrix(table)
    >>> m[:, 0].tolist(), len(dates)
    ([5.0, 0.0, 2.0], 3)
    >>> m, _, dates = daily_demand_matrix(table, frequency="M")
    >>> m[:, 0].tolist(), dates[0].date()
    ([7.0], datetime.date(2026, 1, 1))
    """
    missing = {"date", "sku", "quantity"} - set(demand.columns)
    if missing:
        raise ValueError(f"demand table lacks column(s) {sorted(missing)}")
    dates_col = pd.to_datetime(demand["date"]).dt.normalize()
    if skus is None:
        skus = pd.Index(sorted(pd.unique(demand["sku"].astype(str))), name="sku")
    else:
        skus = pd.Index(skus, name="sku")
    if start is None:
        start = dates_col.min() if len(dates_col) else pd.Timestamp("2000-01-01")
    if end is None:
        end = dates_col.max() if len(dates_col) else pd.Timestamp(start) - pd.Timedelta(days=1)
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    n_days = (end - start).days + 1
    if n_days < 0:
        raise ValueError(
            f"end must not be before start; got start {start:%Y-%m-%d}, end {end:%Y-%m-%d}"
        )
    if frequency != "D":
        from ..data.frequency import bucket_index, normalize_frequency

        frequency = normalize_frequency(frequency)
        n_days = int(bucket_index(np.array([end]), frequency, start)[0]) + 1
        if frequency == "M":
            first = start.to_period("M").to_timestamp()
            dates = pd.date_range(first, periods=n_days, freq="MS")
        else:
            dates = pd.date_range(start, periods=n_days, freq="7D")
        day = bucket_index(dates_col, frequency, start)
    else:
        dates = pd.date_range(start, periods=n_days, freq="D")
        day = ((dates_col - start).dt.days).to_numpy()
    col = skus.get_indexer(demand["sku"].astype(str))
    qty = demand["quantity"].to_numpy(dtype=float, na_value=0.0)
    keep = (col >= 0) & (day >= 0) & (day < n_days)
    flat = np.bincount(
        day[keep] * len(skus) + col[keep], weights=qty[keep], minlength=n_days * len(skus)
    )
    return flat.reshape(n_days, len(skus)).astype(dtype, copy=False), skus, dates


class DemandSource:
    """Replays a (days, n) demand history, one chunk of days at a time, from the start
    again when the run is longer than the history.

    ``take(t0, days)`` returns a (days, n) array (a view into the history or into a
    reused buffer: use it before the next call). Internal to
    :func:`workbench.sim.simulate`; random demand models are drawn by
    :class:`workbench.sim._streams.DemandDraws` instead.
    """

    def __init__(self, history: np.ndarray, *, dtype: type = np.float64):
        self.history = history
        self.n = history.shape[1]
        self.dtype = np.dtype(dtype)
        self._buf: np.ndarray | None = None

    def take(self, t0: int, days: int) -> np.ndarray:
        hist = self.history
        total = hist.shape[0]
        start = t0 % total
        if start + days <= total:
            return hist[start : start + days]
        if self._buf is None or self._buf.shape[0] < days:
            self._buf = np.empty((days, self.n), dtype=self.dtype)
        out = self._buf[:days]
        np.take(hist, (t0 + np.arange(days)) % total, axis=0, out=out)
        return out
