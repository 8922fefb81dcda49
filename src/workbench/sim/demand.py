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
    """Produces the daily demand of a run, one chunk of days at a time.

    ``take(t0, days)`` returns a (days, n) array (a view into a reused buffer:
    use it before the next call). Internal to :func:`workbench.sim.simulate`.
    """

    def __init__(
        self,
        model: str,
        n: int,
        *,
        mean: np.ndarray | None = None,
        sd: np.ndarray | None = None,
        history: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
        dtype: type = np.float64,
    ):
        self.model = model
        self.n = n
        self.dtype = np.dtype(dtype)
        self.rng = rng
        self.history = history
        self.mean = None if mean is None else np.asarray(mean, dtype=float)
        self.sd = None if sd is None else np.asarray(sd, dtype=float)
        self._buf: np.ndarray | None = None
        if model == "gamma":
            mu, sd = self.mean, self.sd
            self._const = (sd <= 0) | (mu <= 0)
            safe_sd = np.where(self._const, 1.0, sd)
            safe_mu = np.where(self._const, 1.0, mu)
            self._shape = (safe_mu / safe_sd) ** 2
            self._scale = (safe_sd**2 / safe_mu).astype(self.dtype)
        elif model == "negative_binomial":
            mu, var = self.mean, self.sd**2
            self._poisson = var <= mu
            safe_var = np.where(self._poisson, mu + 1.0, var)
            self._nb_n = np.where(self._poisson, 1.0, mu**2 / np.maximum(safe_var - mu, 1e-300))
            self._nb_p = np.where(self._poisson, 0.5, mu / safe_var)
            self._nb_n = np.where(mu > 0, self._nb_n, 1.0)
            self._nb_p = np.where(mu > 0, self._nb_p, 1.0)

    def _buffer(self, days: int) -> np.ndarray:
        if self._buf is None or self._buf.shape[0] < days:
            self._buf = np.empty((days, self.n), dtype=self.dtype)
        return self._buf[:days]

    def take(self, t0: int, days: int) -> np.ndarray:
        model, rng = self.model, self.rng
        if model == "replay":
            hist = self.history
            total = hist.shape[0]
            start = t0 % total
            if start + days <= total:
                return hist[start : start + days]
            rows = (t0 + np.arange(days)) % total
            out = self._buffer(days)
            np.take(hist, rows, axis=0, out=out)
            return out
        out = self._buffer(days)
        if model == "normal":
            rng.standard_normal(out=out, dtype=self.dtype)
            out *= self.sd.astype(self.dtype)
            out += self.mean.astype(self.dtype)
            np.maximum(out, 0, out=out)
        elif model == "gamma":
            out[...] = rng.standard_gamma(self._shape, size=(days, self.n))
            out *= self._scale
            if self._const.any():
                out[:, self._const] = np.maximum(self.mean[self._const], 0)
        elif model == "poisson":
            out[...] = rng.poisson(np.maximum(self.mean, 0), size=(days, self.n))
        elif model == "negative_binomial":
            out[...] = rng.negative_binomial(self._nb_n, self._nb_p, size=(days, self.n))
            if self._poisson.any():
                cols = np.flatnonzero(self._poisson)
                out[:, cols] = rng.poisson(np.maximum(self.mean[cols], 0), size=(days, cols.size))
        elif model == "bootstrap":
            hist = self.history
            rows = rng.integers(0, hist.shape[0], size=(days, self.n))
            out[...] = np.take_along_axis(hist, rows, axis=0)
        else:  # pragma: no cover - validated by the caller
            raise ValueError(f"unknown demand model {model!r}")
        return out
