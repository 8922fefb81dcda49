"""Fitted values: the one-step-ahead forecast each bucket of a history had.

A chart of a forecast shows, beside the history, what the model would have forecast
for each past bucket from the buckets before it (the "fitted values" of Hyndman and
Athanasopoulos, FPP3 sec. 5.3): how closely it follows the demand, and where it lags.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .models import SEASONAL_MODELS, forecast_matrix

__all__ = ["fitted_values"]


def fitted_values(
    y: Any,
    *,
    model: str,
    params: dict | None = None,
    first: int | None = None,
    season_length: int = 1,
    window: int = 7,
    aggregation: int | None = None,
    last: int | None = None,
) -> np.ndarray:
    """One-step-ahead in-sample forecasts of one SKU's demand.

    The value at bucket t is the forecast for t made from the buckets before t, with
    the parameters given (pass those :func:`workbench.forecast` reports in its
    ``models`` frame: the smoothing constants and, for the ETS models, the initial
    level and trend, so the recursion runs from the same start). Each origin is one row
    of a matrix passed once to :func:`workbench.forecasting.forecast_matrix` (the
    history up to the origin, right-aligned), so the work is vectorised across origins.

    Parameters
    ----------
    y : array_like
        Demand of one SKU [units/bucket], 1-D; NaN before its first bucket.
    model : str
        One of :data:`workbench.forecasting.MODELS`.
    params : dict, optional
        Given parameters as in :func:`~workbench.forecasting.forecast_matrix`:
        ``alpha``, ``beta``, ``gamma``, ``phi``, ``level0``, ``trend0``. Absent ones are
        fitted at every origin (on the data before it); ADIDA and IMAPA always fit the
        alpha of their aggregate series at every origin.
    first : int, optional
        The SKU's first bucket; default its first non-NaN bucket.
    season_length : int, default 1
        Season [buckets] of the seasonal models.
    window : int, default 7
        Moving-average window [buckets].
    aggregation : int, optional
        ADIDA's aggregation level, IMAPA's highest [buckets] (keep it fixed: the
        default recomputes it from the data before each origin).
    last : int, optional
        Compute only the last ``last`` buckets (memory grows as len(y) x last).

    Returns
    -------
    numpy.ndarray
        Same length as ``y`` [units/bucket], >= 0: NaN at the SKU's first bucket and
        before it, and for the first two seasons of a Holt-Winters model (one season of
        seasonal naive), where the model has too little history to forecast.

    Notes
    -----
    With all its parameters given, an ETS model's fitted value at t is
    ``l[t-1] + phi b[t-1] (+ s[t-m])`` of FPP3 ch. 8, and the sum of squared
    differences from ``y`` is the SSE the fit minimised (the first bucket's error,
    ``y[first] - level0``, aside). Forecasts are floored at zero, as the forecasts are.

    References
    ----------
    Hyndman and Athanasopoulos (2021), *Forecasting: Principles and Practice*, 3rd ed.,
    sec. 5.3 (fitted values) and ch. 8; 2nd ed. (2018), sec. 7.1, table 7.1 (the fitted
    values of simple exponential smoothing on Saudi Arabian oil production).

    Examples
    --------
    >>> from workbench.forecasting import fitted_values
    >>> fitted_values([3.0, 5.0, 4.0], model="naive").tolist()
    [nan, 3.0, 5.0]
    """
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1:
        raise ValueError(f"y must be one SKU's series (1-D); got shape {y.shape}")
    t_all = len(y)
    out = np.full(t_all, np.nan)
    if first is None:
        finite = ~np.isnan(y)
        first = int(finite.argmax()) if finite.any() else t_all
    first = int(first)
    m = int(season_length)
    min_obs = 1
    if model in SEASONAL_MODELS[1:]:
        min_obs = 2 * m
    elif model == "seasonal_naive":
        min_obs = m
    start = first + max(min_obs, 1)
    if last is not None:
        start = max(start, t_all - int(last))
    if start >= t_all:
        return out
    origins = np.arange(start, t_all)
    shift = t_all - origins  # row j holds y[:origins[j]] in its last origins[j] columns
    src = np.arange(t_all)[None, :] - shift[:, None]
    rows = np.full((len(origins), t_all), np.nan)
    ok = src >= 0
    rows[ok] = y[src[ok]]
    r = forecast_matrix(
        rows, model=model, horizon=1, first=first + shift, level=(80,), season_length=m,
        window=window, aggregation=aggregation, params=params,
    )  # fmt: skip
    out[origins] = r.mean[:, 0]
    return out
