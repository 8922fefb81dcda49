"""Forecast demand over a protection interval and its backtested error, for safety stock.

A plan with ``Scenario(demand_source="forecast")`` protects each SKU against the error of
its forecast rather than against the spread of its history: the reorder point covers

    F(P) + k sigma_P,

where P [days] is the protection interval (the lead time L for (s, Q) and (s, S), L + R
for (R, S)), F(P) the forecast summed over P and sigma_P the root mean squared error of
that cumulative forecast in a rolling-origin backtest (Silver, Pyke and Thomas 2017,
sec. 4.7 and 6.7: the standard deviation of forecast errors over the lead time, estimated
from the forecast errors themselves, not from the variability of demand).

:func:`forecast_demand` does the expensive part once per dataset (fits, forecasts and
backtests every SKU for every interval up to ``max_days``); :func:`protection_demand`
reads any interval from it in microseconds, so a dashboard slider that moves lead times
or the review period reuses one :class:`ProtectionForecast`.

References
----------
E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production Management in
Supply Chains*, 4th ed., CRC Press, 2017, ch. 4 (forecast errors) and ch. 6.
R. J. Hyndman and G. Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed.,
2021, sec. 5.10 (time series cross-validation: rolling forecasting origin).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..data.frequency import BUCKET_DAYS
from ..policy.demand_class import demand_pattern
from .api import AUTO_CANDIDATES, SEASON_LENGTH, _auto, _bucket, _freq
from .models import MODELS, forecast_matrix

__all__ = [
    "DEFAULT_MAX_DAYS",
    "DEFAULT_WINDOWS",
    "MIN_WINDOWS",
    "ProtectionForecast",
    "empty_forecast",
    "forecast_demand",
    "protection_demand",
]

#: Longest protection interval scored by default [days]: four months.
DEFAULT_MAX_DAYS = 120.0
#: Backtest origins scored per SKU and interval (the latest ones that fit).
DEFAULT_WINDOWS = 8
#: Fewest scored origins for a SKU to be planned from its forecast (else from history).
MIN_WINDOWS = 3
#: Buckets between backtest origins, by bucket: a week of days, four weeks, a month.
DEFAULT_STEP = {"D": 7, "W": 4, "M": 1}


class ProtectionForecast(NamedTuple):
    """Per SKU, the forecast and its backtested error summed over 0..H buckets.

    Attributes
    ----------
    skus : pandas.Index
        The SKUs, one per row.
    bucket : str
        "D", "W" or "M".
    bucket_days : float
        Days per bucket [days] (:data:`workbench.data.frequency.BUCKET_DAYS`).
    cum_forecast : numpy.ndarray
        Shape (n_sku, H + 1): the forecast from the plan date summed over the first j
        buckets [units] (column 0 is 0).
    cum_mse : numpy.ndarray
        Shape (n_sku, H + 1): mean squared error of the forecast summed over j buckets
        over the scored origins [units^2] (NaN where none was scored).
    cum_bias : numpy.ndarray
        Shape (n_sku, H + 1): mean error (forecast - actual) of that sum [units].
    n_windows : numpy.ndarray
        Shape (n_sku, H + 1): origins scored for each sum (at most ``windows``).
    model : numpy.ndarray of str
        The model forecasting each SKU.
    demand_class : numpy.ndarray of str
        Syntetos-Boylan-Croston class of each SKU's history ("none": fewer than two
        demands).
    """

    skus: pd.Index
    bucket: str
    bucket_days: float
    cum_forecast: np.ndarray
    cum_mse: np.ndarray
    cum_bias: np.ndarray
    n_windows: np.ndarray
    model: np.ndarray
    demand_class: np.ndarray

    @property
    def max_days(self) -> float:
        """Longest protection interval this forecast can serve [days]."""
        return (self.cum_forecast.shape[1] - 1) * self.bucket_days


def forecast_demand(
    data: Any,
    *,
    model: str = "auto",
    as_of: Any = None,
    max_days: float | None = None,
    windows: int = DEFAULT_WINDOWS,
    step: int | None = None,
    season_length: int | None = None,
) -> ProtectionForecast:
    """Forecast every SKU and backtest its cumulative error for intervals up to ``max_days``.

    Parameters
    ----------
    data : workbench.Dataset or BucketDemand
        The business (its demand up to ``as_of``) or demand already bucketed.
    model : str, default "auto"
        One of :data:`workbench.forecasting.MODELS` for every SKU, or "auto": per SKU
        the model :func:`workbench.forecast` would choose (by demand class and a
        backtest).
    as_of : date-like, optional
        Forecast from the history up to this date (ignored for a BucketDemand).
    max_days : float, optional
        Longest protection interval to score [days], > 0; default
        :data:`DEFAULT_MAX_DAYS` (120). Limited to half the history (rounded down
        to whole buckets), so that origins remain to score.
    windows : int, default 8
        Origins scored per SKU and interval: the latest ``windows`` origins whose
        interval ends inside the history and that have at least two buckets of the
        SKU's history before them.
    step : int, optional
        Buckets between origins, >= 1; default a week of days, four weeks or a month.
    season_length : int, optional
        As in :func:`workbench.forecast`.

    Returns
    -------
    ProtectionForecast

    Raises
    ------
    ValueError
        If the data hold no demand, ``model`` is unknown, ``max_days`` is not > 0,
        ``windows`` < 1 or ``step`` < 1.

    Notes
    -----
    Origins are ``step`` buckets apart, counted back from the end of the history; one
    call of :func:`workbench.forecasting.forecast_matrix` per origin forecasts every
    SKU (no loop over SKUs). The smoothing parameters are fitted at the earliest origin
    and kept at the later ones (initial states refitted), so no origin is scored with
    parameters fitted on the data it forecasts; ``model="auto"`` chooses the model on
    the whole history, a mild optimism. The error at origin o over j buckets is
    sum_{t=o}^{o+j-1} (f_t - y_t); :func:`protection_demand` reads its root mean
    square over the scored origins, which counts a bias as error.

    Examples
    --------
    >>> import workbench as wb
    >>> ds = wb.sample_dataset(n_skus=80, years=1, seed=1)
    >>> fc = forecast_demand(ds, max_days=28)
    >>> fc.cum_forecast.shape == (len(ds.items), 29)
    True
    """
    bd = _bucket(data, as_of)
    freq = _freq(bd)
    b = BUCKET_DAYS.get(freq, 1.0)
    m = SEASON_LENGTH.get(freq, 1) if season_length is None else int(season_length)
    if model != "auto" and model not in MODELS:
        raise ValueError(f"model must be 'auto' or one of {MODELS}; got {model!r}")
    max_days = DEFAULT_MAX_DAYS if max_days is None else max_days
    if not (isinstance(max_days, int | float) and math.isfinite(max_days) and max_days > 0):
        raise ValueError(f"max_days must be > 0 [days]; got {max_days!r}")
    if isinstance(windows, bool) or int(windows) < 1:
        raise ValueError(f"windows must be >= 1; got {windows!r}")
    windows = int(windows)
    step = DEFAULT_STEP.get(freq, 1) if step is None else int(step)
    if step < 1:
        raise ValueError(f"step must be >= 1 [buckets]; got {step}")
    y = bd.quantity
    n, t_all = y.shape
    h = max(1, min(math.ceil(max_days / b - 1e-9), t_all // 2))
    klass = demand_pattern(bd)["demand_class"].to_numpy().astype(str)
    if model == "auto":
        chosen, _ = _auto(bd, klass, horizon=min(h, max(1, t_all // 3)), season_length=m)
    else:
        chosen = np.full(n, model, dtype="<U32")
    chosen = np.asarray(chosen, dtype="<U32")

    final = forecast_matrix(
        y, model=chosen, horizon=h, first=bd.first, season_length=m, level=(80,)
    )
    cum_forecast = np.zeros((n, h + 1))
    np.cumsum(final.mean, axis=1, out=cum_forecast[:, 1:])

    # origins o_k = T - k step, k = 1..K: enough for `windows` origins at the longest sum
    n_orig = math.ceil(h / step) + windows - 1
    origins = [t_all - k * step for k in range(1, n_orig + 1)]
    origins = [o for o in origins if o >= 2]
    count = np.zeros((n, h + 1), dtype=np.int64)
    s1 = np.zeros((n, h + 1))
    s2 = np.zeros((n, h + 1))
    fixed: dict[str, np.ndarray] | None = None
    if origins:
        early = forecast_matrix(
            y, model=chosen, horizon=1, first=bd.first, end=origins[-1], season_length=m,
            level=(80,),
        )  # fmt: skip
        fixed = {k: early.params[k] for k in ("alpha", "beta", "gamma", "phi")}
        # the intermittent models ignore what they do not use; NaN would ask for a fit
        inter = np.isin(chosen, AUTO_CANDIDATES["intermittent"])
        for k in ("alpha", "beta"):
            fixed[k] = np.where(inter & np.isnan(fixed[k]), 0.1, fixed[k])
    for o in origins:  # latest first
        ok = bd.first < o - 1  # at least two buckets of history before the origin
        r = forecast_matrix(
            y, model=chosen, horizon=h, first=np.where(ok, bd.first, t_all), end=o,
            season_length=m, params=fixed, level=(80,),
        )  # fmt: skip
        actual = np.full((n, h), np.nan)
        span = min(h, t_all - o)
        actual[:, :span] = y[:, o : o + span]
        cum = np.cumsum(r.mean - actual, axis=1)  # NaN past the end of the history
        use = ok[:, None] & ~np.isnan(cum) & (count[:, 1:] < windows)
        c = np.where(use, cum, 0.0)
        count[:, 1:] += use
        s1[:, 1:] += c
        s2[:, 1:] += c * c
    count[:, 0] = windows
    with np.errstate(invalid="ignore", divide="ignore"):
        mse = np.where(count > 0, s2 / np.maximum(count, 1), np.nan)
        bias = np.where(count > 0, s1 / np.maximum(count, 1), np.nan)
    mse[:, 0] = 0.0
    bias[:, 0] = 0.0
    return ProtectionForecast(
        bd.skus, freq, float(b), cum_forecast, mse, bias, count, final.model, klass
    )


def empty_forecast() -> ProtectionForecast:
    """A :class:`ProtectionForecast` of no SKU: every SKU planned with it uses history."""
    z = np.zeros((0, 2))
    none = np.array([], dtype="<U32")
    return ProtectionForecast(
        pd.Index([], name="sku"), "D", 1.0, z, z, z, z.astype(np.int64), none, none
    )


def protection_demand(
    fc: ProtectionForecast,
    days: Any,
    skus: Any = None,
    *,
    min_windows: int = MIN_WINDOWS,
) -> pd.DataFrame:
    """Forecast demand over each SKU's protection interval and its backtested error.

    Parameters
    ----------
    fc : ProtectionForecast
        From :func:`forecast_demand`.
    days : float or array_like of float
        Protection interval P per SKU [days] (lead time, plus the review period for
        (R, S)); NaN for unknown.
    skus : array_like, optional
        The SKUs, in the order of ``days``; default those of ``fc``. A SKU missing from
        ``fc`` falls back to history.
    min_windows : int, default :data:`MIN_WINDOWS` (3)
        Fewest scored origins for a SKU to use its forecast.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sku``, columns ``protection_days`` P [days], ``forecast`` F(P)
        [units], ``error_rmse`` sigma_P and ``error_bias`` [units] (root mean square and
        mean of the cumulative forecast error), ``n_windows``, ``daily_mean`` F(P) / P
        and ``daily_sd`` sigma_P / sqrt(P) [units/day] (the per-day figures whose sums
        over P give F(P) and sigma_P), ``model``, ``demand_class``, ``demand_source``
        ("forecast" or "history") and ``note`` (why a SKU falls back to history: "").

    Notes
    -----
    P / bucket_days buckets need not be whole: the forecast sum and the mean squared
    error (so the variance) are interpolated linearly between the neighbouring whole
    buckets. A SKU falls back to history (its
    ``daily_mean`` and ``daily_sd`` NaN) when it is not in ``fc``, its demand class is
    "none" (fewer than two demands), P is unknown or 0, P is beyond ``fc.max_days``,
    or fewer than ``min_windows`` origins were scored for P (too short a history).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from workbench.policy.demand_class import BucketDemand
    >>> y = np.tile([4.0, 6.0], 30)[None, :]
    >>> bd = BucketDemand(pd.Index(["a"], name="sku"),
    ...                   pd.period_range("2026-01-01", periods=60, freq="D"), y, np.array([0]))
    >>> fc = forecast_demand(bd, model="naive", max_days=14)  # the last day's 6 a day
    >>> p = protection_demand(fc, [4.0])
    >>> float(p["forecast"].iloc[0]), p["demand_source"].iloc[0]
    (24.0, 'forecast')
    """
    if skus is None:
        rows = np.arange(len(fc.skus))
        index = pd.Index(fc.skus, name="sku")
    else:
        index = pd.Index(skus, name="sku")
        rows = pd.Index(fc.skus).get_indexer(index)
    days = np.broadcast_to(np.asarray(days, dtype=float), (len(index),)).copy()
    n = len(index)
    h = fc.cum_forecast.shape[1] - 1
    have = rows >= 0
    r = np.where(have, rows, 0)
    if len(fc.skus) == 0:  # nothing to read: a row of zeros stands in (all history)
        fc = fc._replace(
            **{k: np.zeros((1, h + 1), dtype=getattr(fc, k).dtype)
               for k in ("cum_forecast", "cum_mse", "cum_bias", "n_windows")},
            demand_class=np.array(["none"]), model=np.array([""]),
        )  # fmt: skip
    x = days / fc.bucket_days
    fits = have & np.isfinite(x) & (x > 0) & (x <= h + 1e-9)
    xc = np.where(fits, np.minimum(x, h), 0.0)
    k = np.floor(xc).astype(np.int64)
    k1 = np.minimum(k + 1, h)
    fr = xc - k

    def interp(a: np.ndarray) -> np.ndarray:
        lo, hi = a[r, k], a[r, k1]
        return np.where(fr > 0, lo + fr * (hi - lo), lo)

    with np.errstate(invalid="ignore"):
        f = interp(fc.cum_forecast)
        mse = interp(fc.cum_mse)
        bias = interp(fc.cum_bias)
    nw = np.where(fr > 0, np.minimum(fc.n_windows[r, k], fc.n_windows[r, k1]), fc.n_windows[r, k])
    klass = np.where(have, fc.demand_class[r], "none").astype(object)
    model = np.where(have, fc.model[r], "").astype(object)
    note = np.full(n, "", dtype=object)
    note[~(nw >= min_windows)] = f"fewer than {min_windows} backtest windows"
    note[~(x <= h + 1e-9)] = f"protection interval beyond {fc.max_days:g} days scored"
    note[~(x > 0)] = "no protection interval"
    note[np.isnan(x)] = "no lead time"
    note[klass == "none"] = "fewer than 2 demands"
    note[~have] = "no demand history"
    use = fits & (note == "")
    with np.errstate(invalid="ignore", divide="ignore"):
        rmse = np.sqrt(np.maximum(mse, 0.0))
        daily_mean = np.where(use, f / np.where(use, days, 1.0), np.nan)
        daily_sd = np.where(use, rmse / np.sqrt(np.where(use, days, 1.0)), np.nan)
    nan = np.full(n, np.nan)
    return pd.DataFrame(
        {
            "protection_days": days,
            "forecast": np.where(fits, f, nan),
            "error_rmse": np.where(fits & (nw > 0), rmse, nan),
            "error_bias": np.where(fits & (nw > 0), bias, nan),
            "n_windows": np.where(fits, nw, 0).astype(np.int64),
            "daily_mean": daily_mean,
            "daily_sd": daily_sd,
            "model": model,
            "demand_class": klass,
            "demand_source": np.where(use, "forecast", "history").astype(object),
            "note": note,
        },
        index=index,
    )
