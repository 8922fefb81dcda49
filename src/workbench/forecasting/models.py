"""Forecasting models on a demand matrix (SKUs x buckets), every SKU in one call.

:func:`forecast_matrix` is the array-level engine behind :func:`workbench.forecasting`
and :func:`workbench.backtest`: it takes the padded matrix of a
:class:`workbench.BucketDemand` (NaN before each SKU's first bucket) and one model
name per SKU, and runs the compiled kernels of :mod:`workbench.forecasting._kernels`
once per model family, with no Python loop over SKUs.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Any, NamedTuple

import numpy as np

#: Model names, by family.
ETS_MODELS = ("ses", "holt", "damped", "holt_winters_additive", "holt_winters_multiplicative")
SIMPLE_MODELS = ("naive", "seasonal_naive", "moving_average")
INTERMITTENT_MODELS = ("croston", "sba", "tsb", "adida", "imapa")
#: Every model :func:`forecast_matrix` knows.
MODELS = SIMPLE_MODELS + ETS_MODELS + INTERMITTENT_MODELS
SEASONAL_MODELS = ("seasonal_naive", "holt_winters_additive", "holt_winters_multiplicative")

#: Parameters reported per SKU (NaN where a model has none).
PARAM_NAMES = ("alpha", "beta", "gamma", "phi", "level0", "trend0", "window", "aggregation")

_ETS_KIND = {m: k for k, m in enumerate(ETS_MODELS)}
_SIMPLE_KIND = {m: k for k, m in enumerate(SIMPLE_MODELS)}
_CROSTON_KIND = {"croston": 0, "sba": 1, "tsb": 2}

#: Defaults of the intermittent models' smoothing constants (Croston 1972 and Syntetos
#: and Boylan 2005 recommend 0.05-0.2; pass NaN to fit them on a grid).
INTERMITTENT_DEFAULTS = {"alpha": 0.1, "beta": 0.1}


class MatrixForecast(NamedTuple):
    """Forecasts of every SKU of a demand matrix.

    Attributes
    ----------
    mean : numpy.ndarray
        Point forecast [units/bucket], shape (n_sku, horizon), >= 0.
    lower, upper : numpy.ndarray
        Prediction-interval bounds [units/bucket], shape (n_level, n_sku, horizon),
        in the order of ``level``; ``lower`` >= 0.
    level : tuple of float
        The interval levels [%].
    model : numpy.ndarray of str
        The model used per SKU (after fallbacks, see ``note``).
    params : dict of str to numpy.ndarray
        Per SKU, the parameters in :data:`PARAM_NAMES` (NaN where not used). With ADIDA or
        IMAPA among the models, also ``aggregate_alpha`` (n_sku, W): the SES alpha of
        each aggregation level k in column k - 1.
    sigma : numpy.ndarray
        Standard deviation of the in-sample one-step errors [units/bucket] (ETS:
        sqrt(SSE / (n - number of fitted parameters and states)); naive, seasonal naive,
        moving average: root mean square of their residuals; intermittent models: the
        half-width of the widest one-step empirical interval over its normal z).
    note : numpy.ndarray of str
        Why a SKU's model differs from the one asked ("" if it does not).
    """

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: tuple
    model: np.ndarray
    params: dict
    sigma: np.ndarray
    note: np.ndarray


def _check_level(level: Any, allow_empty: bool = False) -> tuple:
    lv = np.atleast_1d(np.asarray(level, dtype=float))
    if lv.ndim != 1 or np.any(~(lv > 0) | ~(lv < 100)) or (lv.size == 0 and not allow_empty):
        raise ValueError(f"level must be in (0, 100) [%]; got {level!r}")
    return tuple(float(x) for x in lv)


def _check_horizon(horizon: Any) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or int(horizon) < 1:
        raise ValueError(f"horizon must be an integer >= 1 [buckets]; got {horizon!r}")
    return int(horizon)


def _param(params: dict, name: str, n: int, default: float) -> np.ndarray:
    v = params.get(name, default)
    v = np.nan if v is None else v
    out = np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()
    return out


def forecast_matrix(
    y: np.ndarray,
    *,
    model: str | Any,
    horizon: int,
    first: Any = None,
    end: int | None = None,
    level: Any = (80, 95),
    season_length: int = 1,
    window: int = 7,
    aggregation: Any = None,
    params: dict | None = None,
    start: dict | None = None,
    aggregate_alpha: Any = None,
    aggregate_init: str = "least_squares",
) -> MatrixForecast:
    """Fit and forecast one model per SKU on a demand matrix.

    Parameters
    ----------
    y : array_like
        Demand [units/bucket], shape (n_sku, n_bucket) (a 1-D series is one SKU); NaN
        before each SKU's first bucket, finite and >= 0 from it on.
    model : str or array_like of str
        One of :data:`MODELS`, or one per SKU.
    horizon : int
        Buckets to forecast [buckets], >= 1.
    first : array_like of int, optional
        Each SKU's first bucket (column); default: its first non-NaN column.
    end : int, optional
        Use columns before ``end`` only (a backtest's origin); default all.
    level : sequence of float, default (80, 95)
        Prediction-interval levels [%]; ``()`` skips the intervals (``lower`` and
        ``upper`` empty, the intermittent models' ``sigma`` 0: their error quantiles,
        most of those models' cost, are not computed), as a backtest needs none.
    season_length : int, default 1
        Season m [buckets] of the seasonal models (7 for a weekly cycle of days).
    window : int, default 7
        Moving-average window [buckets].
    aggregation : int or array_like of int, optional
        ADIDA's aggregation level, and IMAPA's highest [buckets]; default per SKU the
        rounded mean interval between demands (ADI), at least 1.
    params : dict, optional
        Given parameters, scalar or per SKU: ``alpha``, ``beta``, ``gamma``, ``phi``
        (smoothing and damping), ``level0``, ``trend0`` (initial states of the ETS
        models; for a trend model both are fitted unless both are given), ``season0``
        (Holt-Winters' initial seasonal states [units/bucket, or factors for the
        multiplicative season], ``m`` values oldest first: ``season0[0]`` is the season
        of the SKU's first bucket; shape (m,) for every SKU or (n_sku, m)). NaN or
        absent: fitted (``season0``: the heuristic below). The intermittent models'
        ``alpha`` and ``beta`` default to 0.1 (:data:`INTERMITTENT_DEFAULTS`); pass NaN
        to fit them on the grid 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5 (both at once for
        TSB). ADIDA and IMAPA fit the SES alpha of each aggregate series (Brent's
        method, to about 1e-5) unless given in ``aggregate_alpha``. Initial states of
        the intermittent models (NaN or absent: the defaults under Notes):
        ``interval0`` (Croston, SBA: the interval state at the window's first demand
        [buckets], >= 1; the R forecast package's ``croston`` starts it at the number
        of buckets from the series' start to the first demand, tsintermittent's
        ``crost(init = "mean")`` at the mean interval), ``prob0`` (TSB: the demand
        probability at the window's first bucket, in [0, 1]; given, the recursion runs
        from that bucket, the buckets before the first demand lowering it, as
        tsintermittent's ``tsb(init = c(z, prob0))``).
    start : dict, optional
        Where the fit of the ETS models' ``alpha``, ``beta``, ``gamma``, ``phi`` starts,
        scalar or per SKU (a warm start, e.g. from a related model's fit; NaN or absent
        alpha: the best of the grid 0.05, 0.2, 0.5, 0.8, 0.99). Ignored for given
        parameters.
    aggregate_alpha : array_like, optional
        ADIDA and IMAPA: the SES alpha of aggregation level k per SKU in column k - 1,
        shape (n_sku, W) (NaN, or a level above W: fitted); the alphas used come back
        in ``params["aggregate_alpha"]`` (W = the highest level of the call when not
        given), so a later call can reuse them (as :func:`workbench.backtest` does).
    aggregate_init : {"least_squares", "first"}, default "least_squares"
        ADIDA and IMAPA: the initial level of each aggregate series' SES, fitted by least
        squares (exact: the errors are linear in it) or the first aggregate bucket (as
        Nixtla statsforecast's ``ADIDA`` and ``IMAPA`` and R's ``ses(initial =
        "simple")`` start it).

    Returns
    -------
    MatrixForecast

    Raises
    ------
    ValueError
        If an argument is out of range, a model unknown, or a value negative or NaN
        inside a SKU's window.

    Notes
    -----
    Fitting minimises the in-sample sum of squared one-step errors: for the ETS
    models by a box-constrained Levenberg-Marquardt method (Marquardt 1963) on the
    smoothing parameters within the usual region of Hyndman et al. (2008), sec. 5.2
    (0 < alpha < 1, 0 <= beta <= alpha, 0 <= gamma <= 1 - alpha, 0.8 <= phi <= 0.98;
    beta / alpha and gamma / (1 - alpha) are fitted in [0, 1]), from the best alpha of
    the grid 0.05, 0.2, 0.5, 0.8, 0.99 (or ``start``); the errors' derivatives run
    forward with the recursion, one pass per Gauss-Newton step. The initial level and
    trend of the non-seasonal models are fitted by least squares (exact: the errors are
    linear in them) at every trial point (variable projection, Golub and Pereyra
    1973), those of the seasonal models by the heuristic of sec. 2.6.1 (means of the
    first two seasons) unless ``level0``, ``trend0``, ``season0`` are given. Unless the
    initial states are given, the smoothing parameters are fitted on the last 364
    buckets (non-seasonal models) or 52 seasons (seasonal; 364 days for a weekly season
    of days) of a longer window, with the initial states fitted as above at the start
    of that stretch; the forecast then runs the fitted model over the whole window.
    The fit stops when a step lowers the SSE by less than 1e-4 of it (or after 30
    passes); SES with only alpha free uses Brent's method (to about 1e-5; the SSE taken
    as unimodal in alpha). The
    error-correction parameters are those of R's ``ets``: FPP3's component-form trend
    parameter is beta / alpha.

    Prediction intervals (never below zero, the point forecast too):

    - ETS: normal, with the class-1 variance of Hyndman et al. (2008), ch. 6
      (FPP3 sec. 8.7): sigma_h^2 = sigma^2 (1 + sum_{j=1}^{h-1} c_j^2),
      c_j = alpha + beta (phi + ... + phi^j) + gamma [j mod m = 0]. For the
      multiplicative season this is an approximation (the exact class-3 formula is not
      implemented).
    - naive: sigma sqrt(h); seasonal naive: sigma sqrt(floor((h-1)/m) + 1) (FPP3
      table 5.2); moving average: sigma sqrt(h) (as a random walk: conservative).
    - Croston, SBA, TSB, ADIDA, IMAPA: the forecast plus the empirical quantiles of the
      in-sample one-step errors, times sqrt(h) (errors taken as independent); for
      ADIDA/IMAPA the errors of the (top) aggregate series divided by sqrt(k).

    Croston and SBA start at the first demand of the window (size = that demand,
    interval 1, or ``interval0``), TSB at size = first demand and probability 1 (or
    ``prob0`` at the window's first bucket); SBA keeps its factor 1 - alpha/2 even on
    demand in every bucket (by design). ADIDA runs SES on the aggregate series; IMAPA
    averages ADIDA's per-bucket forecasts over the levels 1..``aggregation`` (as Nixtla
    statsforecast's ``IMAPA``; Petropoulos and Kourentzes 2015 and tsintermittent's
    ``imapa`` choose Croston, SBA or SES per level, up to the largest interval: a
    simplification by design).

    Fallbacks (reported in ``note``): a seasonal model with fewer than two seasons of
    history uses SES (seasonal naive with less than one season: naive); a
    multiplicative season on a SKU with a zero in its window uses the additive one
    (neither applies to Holt-Winters given ``level0``, ``trend0`` and ``season0``: it
    runs from those); a SKU without any bucket gets a forecast of 0 with zero-width
    intervals.

    References
    ----------
    Hyndman, Koehler, Ord and Snyder (2008), *Forecasting with Exponential Smoothing:
    the State Space Approach*, Springer. Hyndman and Athanasopoulos (2021),
    *Forecasting: Principles and Practice*, 3rd ed. (FPP3), ch. 5 and 8. Croston
    (1972), ORQ 23(3) 289-303. Syntetos and Boylan (2005), IJF 21(2) 303-314.
    Teunter, Syntetos and Babai (2011), EJOR 214(3) 606-615. Nikolopoulos et al.
    (2011), JORS 62(3) 544-554 (ADIDA). Petropoulos and Kourentzes (2015), JORS
    66(6) 914-924 (IMAPA).
    """
    from . import _kernels as K

    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[None, :]
    if y.ndim != 2:
        raise ValueError(f"y must be 1-D or 2-D (SKUs x buckets); got shape {y.shape}")
    y = np.ascontiguousarray(y)
    n, t_all = y.shape
    horizon = _check_horizon(horizon)
    levels = _check_level(level, allow_empty=True)
    end = t_all if end is None else int(end)
    if not 0 <= end <= t_all:
        raise ValueError(f"end must be in [0, {t_all}] [buckets]; got {end}")
    m = int(season_length)
    if m < 1:
        raise ValueError(f"season_length must be >= 1 [buckets]; got {season_length}")
    if int(window) < 1:
        raise ValueError(f"window must be >= 1 [buckets]; got {window}")
    if first is None:
        finite = ~np.isnan(y)
        has = finite.any(axis=1)
        first = np.where(has, finite.argmax(axis=1), t_all)
    first = np.broadcast_to(np.asarray(first, dtype=np.int64), (n,)).copy()
    first = np.minimum(np.maximum(first, 0), t_all)
    bad_col, neg_col, n_pos, nonpos = K.window_scan(y, first, end)
    if (bad_col >= 0).any():
        r = int(np.flatnonzero(bad_col >= 0)[0])
        c = bad_col[r]
        raise ValueError(f"demand must be finite inside each SKU's window; row {r} column {c}")
    if (neg_col >= 0).any():
        r = int(np.flatnonzero(neg_col >= 0)[0])
        c = neg_col[r]
        raise ValueError(f"demand must be >= 0 [units/bucket]; got {y[r, c]} at row {r} column {c}")
    if isinstance(model, str):
        unknown = [] if model in MODELS else [model]
        models = np.full(n, model if not unknown else "", dtype="<U32")
    else:
        models = np.broadcast_to(np.asarray(model, dtype=object), (n,)).astype("<U32")
        unknown = sorted(set(np.unique(models)) - set(MODELS))
    if unknown:
        raise ValueError(f"model must be one of {MODELS}; got {unknown}")
    params = dict(params or {})
    extra = set(params) - {
        "alpha", "beta", "gamma", "phi", "level0", "trend0", "season0", "interval0", "prob0"
    }  # fmt: skip
    if extra:
        raise ValueError(f"params has unknown keys {sorted(extra)}")
    interval0 = _param(params, "interval0", n, np.nan)
    prob0 = _param(params, "prob0", n, np.nan)
    if np.any(interval0 < 1) or np.isinf(interval0).any():
        raise ValueError(f"interval0 must be >= 1 [buckets] (NaN: 1); got {params['interval0']!r}")
    if np.any((prob0 < 0) | (prob0 > 1)):
        raise ValueError(
            f"prob0 must be in [0, 1] (NaN: 1 at the first demand); got {params['prob0']!r}"
        )
    season0 = _season0(params.get("season0"), n, m)
    start = dict(start or {})
    if aggregate_init not in ("least_squares", "first"):
        raise ValueError(
            f"aggregate_init must be 'least_squares' or 'first'; got {aggregate_init!r}"
        )
    extra = set(start) - {"alpha", "beta", "gamma", "phi"}
    if extra:
        raise ValueError(f"start has unknown keys {sorted(extra)}")

    n_obs = np.maximum(end - first, 0)
    note = np.full(n, "", dtype="<U64")
    empty = n_obs == 0
    note[empty] = "no history: forecast 0"
    # fallbacks
    all_init = (
        np.isfinite(_param(params, "level0", n, np.nan))
        & np.isfinite(_param(params, "trend0", n, np.nan))
        & np.isfinite(season0).all(axis=1)
    )  # Holt-Winters with every initial state given needs no history to start
    short_hw = np.isin(models, SEASONAL_MODELS[1:]) & (n_obs < 2 * m) & ~empty & ~all_init
    models = np.where(short_hw, "ses", models)
    note[short_hw] = f"fewer than 2 seasons ({2 * m} buckets): ses"
    short_sn = (models == "seasonal_naive") & (n_obs < m) & ~empty
    models = np.where(short_sn, "naive", models)
    note[short_sn] = f"less than one season ({m} buckets): naive"
    if np.any(models == "holt_winters_multiplicative"):
        zero = nonpos
        fb = (models == "holt_winters_multiplicative") & zero & ~empty & ~all_init
        models = np.where(fb, "holt_winters_additive", models)
        note[fb] = "a zero in the window: additive season"

    probs = []
    for lv in levels:
        probs += [(1 - lv / 100) / 2, 1 - (1 - lv / 100) / 2]
    probs_arr = np.asarray(probs)
    z = np.array([NormalDist().inv_cdf(p) for p in probs])

    h = np.arange(1, horizon + 1, dtype=float)
    mean = np.zeros((n, horizon))
    sd_h = np.zeros((n, horizon))  # normal intervals
    qlo = np.zeros((len(levels), n, horizon))  # empirical intervals (offsets)
    qhi = np.zeros((len(levels), n, horizon))
    empirical = np.zeros(n, dtype=bool)
    sigma = np.zeros(n)
    out = {k: np.full(n, np.nan) for k in PARAM_NAMES}

    # ETS family
    kind = _kinds(models, _ETS_KIND)
    sel = (kind >= 0) & ~empty
    if sel.any():
        kind = np.where(sel, kind, -1).astype(np.int64)
        p4 = np.column_stack(
            [_param(params, k, n, np.nan) for k in ("alpha", "beta", "gamma", "phi")]
        )
        init = np.column_stack([_param(params, k, n, np.nan) for k in ("level0", "trend0")])
        st4 = np.column_stack(
            [_param(start, k, n, np.nan) for k in ("alpha", "beta", "gamma", "phi")]
        )
        mu, sd, op, oi, sig, _ = K.ets_fit_forecast(
            y, first, end, kind, m, p4, init, season0, st4, horizon
        )
        mean[sel] = mu[sel]
        sd_h[sel] = sd[sel]
        sigma[sel] = sig[sel]
        for j, k in enumerate(("alpha", "beta", "gamma", "phi")):
            out[k][sel] = op[sel, j]
        out["level0"][sel] = oi[sel, 0]
        out["trend0"][sel] = oi[sel, 1]
        ses_like = sel & (kind == 0)
        for k in ("beta", "gamma", "phi", "trend0"):
            out[k][ses_like] = np.nan
        nonseas = sel & (kind <= 2)
        out["gamma"][nonseas] = np.nan
        out["phi"][sel & (kind != 2)] = np.nan

    # naive, seasonal naive, moving average
    kind = _kinds(models, _SIMPLE_KIND)
    sel = (kind >= 0) & ~empty
    if sel.any():
        kind = np.where(sel, kind, -1).astype(np.int64)
        mu, sig, _ = K.simple_forecast(y, first, end, kind, m, int(window), horizon)
        mean[sel] = mu[sel]
        sigma[sel] = sig[sel]
        steps = np.where((kind == 1)[:, None], np.floor((h - 1) / m) + 1, h[None, :])
        sd_h[sel] = (sig[:, None] * np.sqrt(steps))[sel]
        out["window"][sel & (kind == 2)] = float(window)

    # Croston, SBA, TSB
    kind = _kinds(models, _CROSTON_KIND)
    sel = (kind >= 0) & ~empty
    if sel.any():
        kind = np.where(sel, kind, -1).astype(np.int64)
        p3 = np.column_stack(
            [_param(params, k, n, INTERMITTENT_DEFAULTS[k]) for k in ("alpha", "beta")]
            + [np.where(kind == 2, prob0, interval0)]
        )
        fc, op, qs, _ = K.intermittent_forecast(y, first, end, kind, p3, probs_arr)
        mean[sel] = fc[sel, None]
        empirical |= sel
        _empirical(qlo, qhi, qs, sel, h)
        out["alpha"][sel] = op[sel, 0]
        out["beta"][sel & (kind == 2)] = op[sel & (kind == 2), 1]
        if levels:
            sigma[sel] = np.nan_to_num((qs[:, -1] - qs[:, -2]) / (2 * z[-1]))[sel]

    # ADIDA, IMAPA
    sel = np.isin(models, ("adida", "imapa")) & ~empty
    if sel.any():
        if aggregation is None:
            k_dem = n_pos
            with np.errstate(divide="ignore", invalid="ignore"):
                adi = np.where(k_dem > 0, n_obs / np.maximum(k_dem, 1), 1.0)
            agg = np.maximum(np.rint(adi), 1).astype(np.int64)
        else:
            agg = np.broadcast_to(np.asarray(aggregation, dtype=np.int64), (n,)).copy()
            if np.any(agg < 1):
                raise ValueError(f"aggregation must be >= 1 [buckets]; got {aggregation!r}")
        agg = np.minimum(agg, np.maximum(n_obs, 1))
        lv_arr = np.where(sel, agg, 0).astype(np.int64)
        if aggregate_alpha is None:
            a_in = np.full((n, int(lv_arr.max())), np.nan)
        else:
            a_in = np.asarray(aggregate_alpha, dtype=float)
            if a_in.ndim != 2 or a_in.shape[0] != n:
                raise ValueError(f"aggregate_alpha must have shape ({n}, W); got {a_in.shape}")
            a_in = np.ascontiguousarray(a_in)
        fc, alpha, qs, _, a_out = K.aggregate_forecast(
            y, first, end, lv_arr, models == "imapa", probs_arr, a_in, aggregate_init == "first"
        )
        out["aggregate_alpha"] = a_out
        mean[sel] = fc[sel, None]
        empirical |= sel
        _empirical(qlo, qhi, qs, sel, h)
        out["alpha"][sel] = alpha[sel]
        out["aggregation"][sel] = agg[sel]
        if levels:
            sigma[sel] = np.nan_to_num((qs[:, -1] - qs[:, -2]) / (2 * z[-1]))[sel]

    mean = np.maximum(np.nan_to_num(mean), 0.0)
    lower = np.empty((len(levels), n, horizon))
    upper = np.empty((len(levels), n, horizon))
    for j in range(len(levels)):
        lo_n = mean + z[2 * j] * sd_h
        hi_n = mean + z[2 * j + 1] * sd_h
        lo = np.where(empirical[:, None], mean + qlo[j], lo_n)
        hi = np.where(empirical[:, None], mean + qhi[j], hi_n)
        lower[j] = np.maximum(np.nan_to_num(lo), 0.0)
        upper[j] = np.maximum(np.nan_to_num(hi), lower[j])
    return MatrixForecast(mean, lower, upper, levels, models, out, np.nan_to_num(sigma), note)


def _season0(v: Any, n: int, m: int) -> np.ndarray:
    """Initial seasonal states as an (n, m) array (NaN: the heuristic)."""
    if v is None:
        return np.full((n, m), np.nan)
    a = np.asarray(v, dtype=float)
    if a.ndim not in (1, 2) or a.shape[-1] != m or (a.ndim == 2 and a.shape[0] not in (1, n)):
        raise ValueError(
            f"season0 must hold season_length={m} values, oldest first, for every SKU "
            f"(shape ({m},) or ({n}, {m})); got shape {a.shape}"
        )
    if np.isinf(a).any():
        raise ValueError(f"season0 must be finite (NaN: the heuristic); got {v!r}")
    return np.ascontiguousarray(np.broadcast_to(a, (n, m)))


def _kinds(models: np.ndarray, mapping: dict) -> np.ndarray:
    """Kernel code per SKU (-1 for a model of another family)."""
    out = np.full(models.shape[0], -1, dtype=np.int64)
    for name, code in mapping.items():
        out[models == name] = code
    return out


def _empirical(qlo, qhi, qs, sel, h):
    """Empirical interval offsets: error quantiles times sqrt(h)."""
    r = np.sqrt(h)[None, :]
    for j in range(qlo.shape[0]):
        qlo[j][sel] = (qs[:, 2 * j, None] * r)[sel]
        qhi[j][sel] = (qs[:, 2 * j + 1, None] * r)[sel]
