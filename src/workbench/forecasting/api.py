"""``wb.forecast`` and ``wb.backtest``: forecasts and rolling-origin backtests of a
dataset's demand, per SKU, in the dataset's demand bucket (day, week or month)."""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..policy.demand_class import BucketDemand, demand_pattern
from .models import (
    ETS_MODELS,
    MODELS,
    PARAM_NAMES,
    _check_horizon,
    _check_level,
    forecast_matrix,
)

#: Season length [buckets] by bucket: a week of days, a year of weeks or of months.
SEASON_LENGTH = {"D": 7, "W": 52, "M": 12}
#: Default horizon [buckets] by bucket: four weeks, twelve weeks, six months.
DEFAULT_HORIZON = {"D": 28, "W": 12, "M": 6}
#: Candidates of ``model="auto"`` by demand class.
AUTO_CANDIDATES = {
    "smooth": ("ses", "holt", "damped", "holt_winters_additive"),
    "erratic": ("ses", "holt", "damped", "holt_winters_additive"),
    "intermittent": ("croston", "sba", "tsb", "adida", "imapa"),
    "lumpy": ("croston", "sba", "tsb", "adida", "imapa"),
}
#: Windows over which ``auto`` scores the intermittent and lumpy classes' candidates.
AUTO_WINDOWS = 3
#: ``auto`` passes over an intermittent or lumpy candidate whose forecast is below this
#: share of the SKU's mean demand over the last ``AUTO_WINDOWS`` horizons (unless all are).
AUTO_FLOOR = 0.25
#: Model of ``auto`` when a backtest is impossible (too short a history), by class.
AUTO_DEFAULT = {"smooth": "ses", "erratic": "ses", "intermittent": "sba", "lumpy": "sba"}


class ForecastResult(NamedTuple):
    """What :func:`forecast` returns.

    Attributes
    ----------
    forecast : pandas.DataFrame
        Long frame, one row per SKU and future bucket: ``sku``, ``period``
        (pandas Period), ``step`` (1..horizon) [buckets], ``forecast`` [units/bucket],
        and per level L ``lo_L``, ``hi_L`` [units/bucket] (``lo_80``, ``hi_80``,
        ``lo_95``, ``hi_95`` by default); all >= 0 and never NaN.
    models : pandas.DataFrame
        Indexed by ``sku``: ``model`` (used), ``demand_class``, the parameters
        ``alpha``, ``beta``, ``gamma``, ``phi``, ``level0``, ``trend0``, ``window``,
        ``aggregation`` (NaN where the model has none), ``sigma`` (sd of the in-sample
        one-step errors [units/bucket]), ``season_length`` [buckets] and ``note``
        (a fallback, or how ``auto`` chose).
    """

    forecast: pd.DataFrame
    models: pd.DataFrame


def _bucket(data: Any, as_of: Any) -> BucketDemand:
    if isinstance(data, BucketDemand):
        _check_demand(data)
        return data
    from ..scenario import demand_history

    bd = demand_history(data, as_of)
    if bd is None:
        raise ValueError("dataset has no demand to forecast")
    return bd


def _check_demand(bd: BucketDemand) -> None:
    """A demand matrix given directly: every value of a SKU's window finite and >= 0.

    (A dataset's demand is checked when it is read, with the file, row and column.)

    Raises
    ------
    ValueError
        Naming the first bad SKU, bucket and value.
    """
    q = np.asarray(bd.quantity, dtype=float)
    if q.ndim != 2 or q.shape[0] != len(bd.skus):
        raise ValueError(
            f"demand matrix must have one row per SKU ({len(bd.skus)}); got shape {q.shape}"
        )
    cols = np.arange(q.shape[1])[None, :]
    in_win = cols >= np.asarray(bd.first)[:, None]
    with np.errstate(invalid="ignore"):
        bad = in_win & ~(np.isfinite(q) & (q >= 0))
    if bad.any():
        r, c = np.argwhere(bad)[0]
        when = bd.periods[c] if bd.periods is not None and c < len(bd.periods) else f"bucket {c}"
        raise ValueError(
            f"demand of SKU {bd.skus[r]!s} in {when} is {float(q[r, c])!r}; demand must be a "
            f"finite number >= 0 [units/bucket] ({int(bad.sum())} bad value(s))"
        )


def _freq(bd: BucketDemand) -> str:
    f = bd.periods.freqstr if len(bd.periods) else "D"
    return f[0].upper()


def forecast(
    data: Any,
    *,
    model: str | Any = "auto",
    horizon: int | None = None,
    level: Any = (80, 95),
    as_of: Any = None,
    season_length: int | None = None,
    params: dict | None = None,
) -> ForecastResult:
    """Forecast each SKU's demand per bucket, with prediction intervals.

    Parameters
    ----------
    data : workbench.Dataset or BucketDemand
        The business (its demand up to ``as_of`` is bucketed by
        :func:`workbench.demand_history`), or a demand matrix already bucketed.
    model : str or sequence of str, default "auto"
        One of :data:`workbench.forecasting.MODELS` for every SKU, one per SKU, or
        ``"auto"``: per SKU the candidate of its demand class (:data:`AUTO_CANDIDATES`,
        classes of :func:`workbench.demand_pattern`) with the lowest backtest error
        over ``horizon``: for the smooth and erratic classes the RMSE of one window;
        for the intermittent and lumpy ones the mean squared error of the demand
        summed over the horizon, over :data:`AUTO_WINDOWS` windows ``horizon`` apart,
        among the candidates whose forecast is at least :data:`AUTO_FLOOR` of the
        SKU's mean demand over those windows (unless none is): a one-window RMSE picks
        a near-zero forecast whenever the last window saw little demand, as lumpy
        items' windows often do, and TSB's forecast decays in every gap between
        demands; :data:`AUTO_DEFAULT` when the
        history is too short for it, naive for a SKU with fewer than two demands (class
        "none").
    horizon : int, optional
        Buckets to forecast [buckets]; default :data:`DEFAULT_HORIZON` of the bucket.
    level : sequence of float, default (80, 95)
        Prediction-interval levels [%].
    as_of : date-like, optional
        Forecast from the history up to this date (ignored for a BucketDemand).
    season_length : int, optional
        Season [buckets]; default :data:`SEASON_LENGTH` of the bucket (7 for days).
    params : dict, optional
        Given parameters, as in :func:`workbench.forecasting.forecast_matrix`.

    Returns
    -------
    ForecastResult
        ``forecast`` (long frame) and ``models`` (per SKU); see :class:`ForecastResult`.

    Notes
    -----
    Models, fitting, intervals and fallbacks: :func:`workbench.forecasting.forecast_matrix`.
    A SKU without demand history forecasts 0.

    Examples
    --------
    >>> import workbench as wb
    >>> ds = wb.sample_dataset(n_skus=80, years=1, seed=1)
    >>> r = wb.forecast(ds, model="sba", horizon=7)
    >>> len(r.forecast) == 7 * len(ds.items), bool((r.forecast["lo_95"] >= 0).all())
    (True, True)
    """
    bd = _bucket(data, as_of)
    freq = _freq(bd)
    horizon = DEFAULT_HORIZON.get(freq, 28) if horizon is None else _check_horizon(horizon)
    levels = _check_level(level)
    m = SEASON_LENGTH.get(freq, 1) if season_length is None else int(season_length)
    pattern = demand_pattern(bd)
    klass = pattern["demand_class"].to_numpy()
    note = np.full(len(bd.skus), "", dtype=object)
    if isinstance(model, str) and model == "auto":
        chosen, note = _auto(bd, klass, horizon=horizon, season_length=m)
    else:
        chosen = model
    r = forecast_matrix(
        bd.quantity, model=chosen, horizon=horizon, first=bd.first, level=levels,
        season_length=m, params=params,
    )  # fmt: skip
    n = len(bd.skus)
    last = bd.periods[-1] if len(bd.periods) else pd.Period(pd.Timestamp.today(), freq=freq)
    periods = pd.period_range(last + 1, periods=horizon, freq=last.freq)
    cols: dict[str, Any] = {
        "sku": np.repeat(bd.skus.to_numpy(), horizon),
        "period": np.tile(periods.to_numpy(), n),
        "step": np.tile(np.arange(1, horizon + 1), n),
        "forecast": r.mean.ravel(),
    }
    for j, lv in enumerate(levels):
        tag = f"{lv:g}".replace(".", "_")
        cols[f"lo_{tag}"] = r.lower[j].ravel()
        cols[f"hi_{tag}"] = r.upper[j].ravel()
    frame = pd.DataFrame(cols)
    models = pd.DataFrame({"model": r.model, "demand_class": klass}, index=bd.skus)
    for k in PARAM_NAMES:
        models[k] = r.params[k]
    models["sigma"] = r.sigma
    models["season_length"] = m
    models["note"] = [a or b for a, b in zip(r.note, note, strict=True)]
    return ForecastResult(frame, models)


def _auto(
    bd: BucketDemand, klass: np.ndarray, *, horizon: int, season_length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per SKU, the candidate of its class with the lowest backtest error: RMSE over one
    window for the smooth and erratic classes; for the intermittent and lumpy ones the
    mean squared error of the demand summed over the horizon, over up to
    :data:`AUTO_WINDOWS` windows, among the candidates whose forecast is at least
    :data:`AUTO_FLOOR` of the recent demand rate (one-window RMSE rewards a near-zero
    forecast whenever the last window happened to see little demand)."""
    n = len(bd.skus)
    chosen = np.full(n, "naive", dtype="<U32")
    note = np.full(n, "auto: fewer than 2 demands", dtype=object)
    for c, mdl in AUTO_DEFAULT.items():
        chosen[klass == c] = mdl
        note[klass == c] = "auto: class default"
    eligible = {
        mdl: np.isin(klass, [c for c, ms in AUTO_CANDIDATES.items() if mdl in ms])
        for mdl in {m for ms in AUTO_CANDIDATES.values() for m in ms}
    }
    t_all = bd.quantity.shape[1]
    if t_all - horizon < 2 or n == 0:
        return chosen, note
    cum_models = set(AUTO_CANDIDATES["intermittent"]) | set(AUTO_CANDIDATES["lumpy"])
    # the recent demand rate [units/bucket] the intermittent candidates' forecast must
    # not fall far below (a near-zero forecast while demand goes on)
    span = min(AUTO_WINDOWS * horizon, t_all)
    recent = bd.quantity[:, t_all - span :]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a SKU with no recent bucket
        rate = np.nan_to_num(np.nanmean(recent, axis=1))
    best = np.full(n, np.inf)
    best_any = np.full(n, np.inf)
    chosen_any = chosen.copy()
    for mdl in sorted(eligible):
        cum = mdl in cum_models
        origins = [t_all - horizon * k for k in range(1, AUTO_WINDOWS + 1 if cum else 2)]
        total = np.zeros(n)
        count = np.zeros(n)
        for o in origins:
            if o < 2:
                break
            use = eligible[mdl] & (bd.first < o - 1)
            if not use.any():
                continue
            r = forecast_matrix(
                bd.quantity, model=np.where(use, mdl, "naive"), horizon=horizon,
                first=np.where(use, bd.first, t_all), end=o, season_length=season_length,
                level=(),
            )  # fmt: skip
            err = r.mean - np.nan_to_num(bd.quantity[:, o : o + horizon])
            score = err.sum(axis=1) ** 2 if cum else np.sqrt((err * err).mean(axis=1))
            total += np.where(use, score, 0.0)
            count += use
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / np.maximum(count, 1), np.inf)
        ok = np.ones(n, dtype=bool)
        if cum:
            use = eligible[mdl] & (count > 0)
            r = forecast_matrix(
                bd.quantity, model=np.where(use, mdl, "naive"), horizon=horizon,
                first=np.where(use, bd.first, t_all), season_length=season_length, level=(),
            )  # fmt: skip
            ok = r.mean.mean(axis=1) >= AUTO_FLOOR * rate
            any_better = mean < best_any
            best_any = np.where(any_better, mean, best_any)
            chosen_any = np.where(any_better, mdl, chosen_any)
        better = ok & (mean < best)
        best = np.where(better, mean, best)
        chosen = np.where(better, mdl, chosen)
        how = "auto: lowest backtest error of the summed demand" if cum else (
            "auto: lowest backtest RMSE"
        )  # fmt: skip
        note = np.where(better, how, note)
    # every candidate far below the recent rate: the lowest error all the same
    none_ok = ~np.isfinite(best) & np.isfinite(best_any)
    chosen = np.where(none_ok, chosen_any, chosen)
    note = np.where(none_ok, "auto: lowest backtest error of the summed demand", note)
    return chosen, note


def _warm_start(mdl: str, done: dict) -> dict | None:
    """Where the first window's fit of ``mdl`` starts, when the related model is done:
    Holt from SES's alpha, the damped trend from Holt's fit (phi 0.98), the
    multiplicative season from the additive one's."""
    src = {
        "holt": "ses",
        "damped": "holt",
        "holt_winters_multiplicative": "holt_winters_additive",
    }.get(mdl)
    if src not in done:
        return None
    par = done[src].params
    if mdl == "holt":
        return {"alpha": par["alpha"]}
    if mdl == "damped":
        return {"alpha": par["alpha"], "beta": par["beta"], "phi": 0.98}
    return {k: par[k] for k in ("alpha", "beta", "gamma")}


def backtest(
    data: Any,
    *,
    models: Any = None,
    horizon: int | None = None,
    windows: int = 3,
    step: int | None = None,
    protection_buckets: int | None = None,
    as_of: Any = None,
    season_length: int | None = None,
    params: dict | None = None,
) -> pd.DataFrame:
    """Rolling-origin evaluation of forecasting models, per SKU and model.

    Parameters
    ----------
    data : workbench.Dataset or BucketDemand
        As in :func:`forecast`.
    models : sequence of str, optional
        Models to evaluate; default all of :data:`workbench.forecasting.MODELS`.
    horizon : int, optional
        Buckets forecast from each origin [buckets]; default as in :func:`forecast`.
    windows : int, default 3
        Number of origins.
    step : int, optional
        Buckets between origins [buckets]; default ``horizon``. The last origin is
        ``horizon`` buckets before the end of the data, the others ``step`` apart
        before it.
    protection_buckets : int, optional
        Lead time plus review period [buckets] over which the cumulative forecast is
        scored (``cum_*`` columns), <= horizon; default ``horizon``.
    as_of, season_length, params
        As in :func:`forecast`.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``sku``, ``model``), with columns:

        - ``mae``, ``rmse``, ``bias`` [units/bucket]: mean absolute, root mean
          squared and mean (forecast - actual) error over all windows and steps
        - ``mase`` [-]: MAE over the mean absolute one-step naive error of the
          training data of each window (Hyndman and Koehler 2006), averaged over
          windows; NaN when that scale is 0 (a constant history)
        - ``cum_bias``, ``cum_mae``, ``cum_rmse`` [units]: mean, mean absolute and root
          mean squared error of the forecast summed over the first
          ``protection_buckets`` buckets (what safety stock must cover)
        - ``cum_sd`` [units]: standard deviation of that cumulative error over the
          windows (ddof = 1; NaN with one window)
        - ``n_windows``: windows in which the SKU had history before the origin

        A SKU with no window (history too short) has NaN errors and ``n_windows`` 0.

    Notes
    -----
    Each window refits every model on the data before its origin, except that the
    smoothing parameters of the ETS models (alpha, beta, gamma, phi) and the SES alphas
    of ADIDA's and IMAPA's aggregate series are fitted at the first origin and kept for
    the later ones (the ETS initial states are refitted; an aggregation level first
    needed later is fitted then): a third of the cost, and the usual practice of
    re-estimating parameters less often than the forecast origin moves. At the first
    origin Holt's fit starts from SES's alpha, the damped trend's from Holt's fit and
    the multiplicative season's from the additive one's, when those are evaluated too
    (warm starts). No prediction intervals are computed. Parameters
    given in ``params`` are used throughout.

    Raises
    ------
    ValueError
        If ``windows`` < 1, ``step`` < 1, the data are too short for the windows, or
        ``protection_buckets`` is not in [1, horizon].
    """
    bd = _bucket(data, as_of)
    freq = _freq(bd)
    horizon = DEFAULT_HORIZON.get(freq, 28) if horizon is None else _check_horizon(horizon)
    m = SEASON_LENGTH.get(freq, 1) if season_length is None else int(season_length)
    step = horizon if step is None else int(step)
    if int(windows) < 1:
        raise ValueError(f"windows must be >= 1; got {windows}")
    if step < 1:
        raise ValueError(f"step must be >= 1 [buckets]; got {step}")
    p = horizon if protection_buckets is None else int(protection_buckets)
    if not 1 <= p <= horizon:
        raise ValueError(f"protection_buckets must be in [1, horizon={horizon}] [buckets]; got {p}")
    models = MODELS if models is None else tuple(np.atleast_1d(models))
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        raise ValueError(f"models must be among {MODELS}; got {unknown}")
    y = bd.quantity
    n, t_all = y.shape
    origins = [t_all - horizon - step * (windows - 1 - w) for w in range(windows)]
    if origins[0] < 2:
        raise ValueError(
            f"demand history of {t_all} buckets is too short for {windows} windows of "
            f"horizon {horizon} and step {step}"
        )
    n_mod = len(models)
    shape = (n_mod, len(origins), n)
    sq = np.full(shape, np.nan)
    ab = np.full(shape, np.nan)
    er = np.full(shape, np.nan)
    sc = np.full(shape, np.nan)
    cum = np.full(shape, np.nan)
    fitted: dict[str, dict] = {}
    for w, o in enumerate(origins):
        ok = bd.first < o - 1  # at least two buckets of history
        first = np.where(ok, bd.first, t_all)
        actual = y[:, o : o + horizon]
        train = y[:, :o]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a SKU without history
            scale = np.nanmean(np.abs(np.diff(train, axis=1)), axis=1)
        done: dict[str, Any] = {}
        for k, mdl in enumerate(models):
            use = dict(params or {})
            if w > 0 and mdl in ETS_MODELS:  # keep the smoothing fitted at the first origin
                for name in ("alpha", "beta", "gamma", "phi"):
                    use.setdefault(name, fitted[mdl][name])
            # a multiplicative season falls back to the additive one on a window with a
            # zero: those SKUs take the additive model's forecast (the same fit) if done
            reuse = None
            if mdl == "holt_winters_multiplicative" and "holt_winters_additive" in done:
                from ._kernels import window_scan

                reuse = window_scan(y, first, o)[3] & (first < o)
            r = forecast_matrix(
                y, model=mdl, horizon=horizon, first=first if reuse is None else
                np.where(reuse, t_all, first), end=o, season_length=m, params=use, level=(),
                start=_warm_start(mdl, done) if w == 0 else None,
                aggregate_alpha=fitted[mdl]["aggregate_alpha"]
                if w > 0 and mdl in ("adida", "imapa") else None,
            )  # fmt: skip
            if reuse is not None and reuse.any():
                add = done["holt_winters_additive"]
                mean = np.where(reuse[:, None], add.mean, r.mean)
                par = {n_: np.where(reuse, add.params[n_], v) for n_, v in r.params.items()}
                r = r._replace(mean=mean, params=par)
            done[mdl] = r
            if w == 0:
                fitted[mdl] = r.params
            e = r.mean - actual
            sq[k, w] = np.where(ok, (e * e).mean(axis=1), np.nan)
            ab[k, w] = np.where(ok, np.abs(e).mean(axis=1), np.nan)
            er[k, w] = np.where(ok, e.mean(axis=1), np.nan)
            with np.errstate(invalid="ignore", divide="ignore"):
                sc[k, w] = np.where(ok & (scale > 0), ab[k, w] / scale, np.nan)
            cum[k, w] = np.where(ok, e[:, :p].sum(axis=1), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SKUs without a window: NaN
        nw = (~np.isnan(ab)).sum(axis=1)
        out = {
            "mae": np.nanmean(ab, axis=1),
            "rmse": np.sqrt(np.nanmean(sq, axis=1)),
            "mase": np.nanmean(sc, axis=1),
            "bias": np.nanmean(er, axis=1),
            "cum_bias": np.nanmean(cum, axis=1),
            "cum_mae": np.nanmean(np.abs(cum), axis=1),
            "cum_rmse": np.sqrt(np.nanmean(cum * cum, axis=1)),
            "cum_sd": np.where(nw > 1, np.nanstd(cum, axis=1, ddof=1), np.nan),
        }
    index = pd.MultiIndex.from_product([bd.skus, list(models)], names=["sku", "model"])
    frame = pd.DataFrame({k: v.T.ravel() for k, v in out.items()}, index=index)
    frame["n_windows"] = nw.T.ravel().astype(np.int64)
    return frame
