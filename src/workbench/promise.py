"""Plans that keep their promise: the service a plan expects against what it delivers.

:func:`plan_check` simulates a plan (:func:`workbench.plan`) with
:func:`workbench.simulate` and puts, per SKU and per class, the planned cycle service
level and fill rate beside the simulated ones, with the simulation's standard error,
the gap, and where the gap is beyond sampling noise (more than three standard errors),
the likely reason.

Two ways to feed demand:

- ``"resample"`` (default): every day's demand is drawn with replacement from the
  SKU's own history window (from its launch, not the zeros before it), over a long
  horizon, in replications: consecutive batches of one run after one warm-up (batch
  means). The spread across replications gives the standard error.
- ``"replay"``: the history itself, once, day by day. One path: the standard errors
  come from the binomial approximation over the simulated replenishment cycles.

Weekly or monthly data cannot be resampled by day (the plan reviews daily), so they
are simulated daily with a negative binomial model matched to the plan's per-day mean
and standard deviation (``daily_mean``, ``daily_sd``).

References
----------
.. [SPT] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
   Management in Supply Chains*, 4th ed., CRC Press, 2017, ch. 6-7 (service measures).
.. [LK] A. M. Law, *Simulation Modeling and Analysis*, 5th ed., McGraw-Hill, 2015,
   ch. 9 (replications, batch means; ratio estimators).
.. [SM] G. L. Steele, D. Lea and C. H. Flood, "Fast splittable pseudorandom number
   generators", OOPSLA 2014 (splitmix64).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._numeric import as_generator
from .data.frequency import normalize_frequency
from .data.stats import demand_stats
from .policy.demand_class import demand_class as _demand_class
from .scenario import Scenario, _planning_items, _stats_and_history, plan_from_stats
from .sim.demand import daily_demand_matrix
from .sim.simulate import _plan_policies, _progress_sink, simulate

__all__ = ["PLAN_CHECK_METHODS", "PLAN_CHECK_REASONS", "PlanCheck", "plan_check"]

#: Ways :func:`plan_check` feeds demand to the simulator.
PLAN_CHECK_METHODS = ("resample", "replay")

#: How "resample" draws days: the simulator's i.i.d. bootstrap inside its compiled kernel,
#: each SKU's days drawn from its own window (``simulate(..., demand_windows=...)``, not
#: the zeros before a launch).
RESAMPLE_MODEL = "resample"
#: The daily model for weekly or monthly data (matched to daily_mean and daily_sd).
BUCKETED_MODEL = "negative_binomial"

#: Why a planned figure and its simulation differ by more than three standard errors,
#: in the order they are tested (the first that applies is reported).
PLAN_CHECK_REASONS = {
    "short_history": "short history",
    "intermittent": "lumpy or intermittent demand",
    "moq_pack": "MOQ or pack size forces extra stock",
    "few_cycles": "too few cycles simulated",
    "model": "model approximation",
}

#: A gap is "within" when |gap| <= Z_WITHIN standard errors.
Z_WITHIN = 3.0
#: An order quantity this many times the EOQ or more counts as forced up by MOQ or pack.
MOQ_FACTOR = 1.5
#: Fewer simulated cycles than this (over all replications) count as too few.
MIN_CYCLES = 30

_DEFAULT_HORIZON_DAYS = 365
_SKU_COLUMNS = (
    "abc",
    "demand_class",
    "planned_cycle_service",
    "simulated_cycle_service",
    "cycle_service_se",
    "cycle_service_gap",
    "planned_fill_rate",
    "simulated_fill_rate",
    "fill_rate_se",
    "fill_rate_gap",
    "cycles",
    "simulated_daily_demand",
    "within",
    "reason",
)


@dataclass(frozen=True)
class PlanCheck:
    """Planned against simulated service, per SKU and per class.

    Attributes
    ----------
    skus : pandas.DataFrame
        Indexed by ``sku`` (the SKUs that could be simulated: planned, with demand and
        something to order). Columns: ``abc``; ``demand_class`` (the plan's, or
        computed from the history window when the plan has none); for the cycle
        service level and the fill rate [fraction]: ``planned_*`` (the plan's
        ``cycle_service_level``, ``expected_fill_rate``), ``simulated_*``,
        ``*_se`` (standard error of the simulated figure, at least the one the
        planned figure implies over the cycles simulated: see Notes), ``*_gap`` (simulated -
        planned); ``cycles`` (replenishment cycles simulated, all replications);
        ``simulated_daily_demand`` [units/day] (the mean demand the simulation drew, to
        set beside the plan's ``daily_mean``);
        ``within`` (both gaps within 3 standard errors); ``reason`` (why not,
        one of :data:`PLAN_CHECK_REASONS`' values; "" when within).
    classes : pandas.DataFrame
        One row per ABC class (``group`` "abc"), per demand class (``group``
        "demand_class") and for all SKUs (``group`` "all"), with ``class``,
        ``n_skus``, ``planned_fill_rate``, ``simulated_fill_rate``, ``fill_rate_se``,
        ``fill_rate_gap``, ``planned_cycle_service``, ``simulated_cycle_service``,
        ``cycle_service_se``, ``cycle_service_gap`` (unweighted means over the class's
        SKUs with a simulated figure, and the standard error of that mean) and
        ``share_outside`` (share of the class's SKUs not ``within``).
    settings : dict
        ``method``, ``demand_model``, ``horizon_days``, ``replications``,
        ``warmup_days``, ``seed``, ``engine``, ``frequency``, ``skus_checked``,
        ``skus_skipped`` and ``notes`` (list of sentences on how it was simulated).
    elapsed_seconds : float
    """

    skus: pd.DataFrame
    classes: pd.DataFrame
    settings: dict = field(default_factory=dict)
    elapsed_seconds: float = 0.0

    def reason_counts(self) -> pd.Series:
        """How many SKUs are outside 3 standard errors, by reason (largest first)."""
        r = self.skus["reason"]
        return r[r != ""].value_counts()


# --------------------------------------------------------------------------- helpers


def _checkable(plan: pd.DataFrame) -> np.ndarray:
    """SKUs the simulation can check: finite policy, demand, lead time and promise."""

    def col(name: str) -> np.ndarray:
        if name not in plan.columns:
            return np.full(len(plan), np.nan)
        return plan[name].to_numpy(dtype=float, na_value=np.nan)

    ok = np.isfinite(col("reorder_point")) & np.isfinite(col("order_up_to"))
    ok &= col("daily_mean") > 0
    ok &= col("lead_time_days") > 0
    ok &= np.isfinite(col("cycle_service_level")) & np.isfinite(col("expected_fill_rate"))
    q = col("order_quantity")
    ok &= (q > 0) | (col("review_period_days") > 1)
    return ok


def _ratio(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ratio estimator sum(num) / sum(den) over replications (rows) and its standard error.

    With K replications, R = sum x_k / sum y_k and its standard error
    sqrt(sum (x_k - R y_k)^2 / (K (K - 1))) / mean(y) (delta method, [LK] ch. 9); NaN
    when fewer than two replications have y_k > 0.
    """
    K = num.shape[0]
    tot_n, tot_d = num.sum(axis=0), den.sum(axis=0)
    r = np.full(tot_n.shape, np.nan)
    np.divide(tot_n, tot_d, out=r, where=tot_d > 0)
    resid = num - np.nan_to_num(r) * den
    ybar = tot_d / K
    se = np.full(tot_n.shape, np.nan)
    if K > 1:
        var = (resid**2).sum(axis=0) / (K * (K - 1))
        # with fewer than two replications that saw any y the spread says nothing
        informative = (ybar > 0) & ((den > 0).sum(axis=0) >= 2)
        np.divide(np.sqrt(var), ybar, out=se, where=informative)
    return r, se


def _promised_se(
    p_csl: np.ndarray, p_fill: np.ndarray, n_cycles: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Standard errors of the simulated cycle service and fill rate if the plan is right.

    Over n cycles, each a trial with P(no stockout) = p (the planned cycle service),
    the cycle service has the binomial error sqrt(p (1 - p) / n). A cycle's shortage is
    0 with probability p, else a B with E[B] = (1 - f) E[y] / (1 - p) (f the planned
    fill rate, y a cycle's demand); taking E[B^2] = 2 E[B]^2 (exponential shortage
    sizes) its variance is ((1 - f) E[y])^2 (2 / (1 - p) - 1), so the fill rate's error
    is (1 - f) sqrt((2 / (1 - p) - 1) / n). A run that closed no cycle saw less than
    one cycle's demand: n is taken as 1.
    """
    n = np.maximum(n_cycles, 1.0)
    p = np.clip(p_csl, 0.0, 1.0)
    csl = np.sqrt(p * (1.0 - p) / n)
    spread = np.maximum(2.0 / np.maximum(1.0 - p, 1e-12) - 1.0, 1.0)
    fill = np.clip(1.0 - p_fill, 0.0, 1.0) * np.sqrt(spread / n)
    return csl, fill


def _window_rows(
    stats: pd.DataFrame, skus: pd.Index, dates: pd.DatetimeIndex
) -> tuple[np.ndarray, np.ndarray]:
    """First row and length of each SKU's history window in a daily matrix."""
    T = len(dates)
    first = np.zeros(len(skus), dtype=np.int64)
    last = np.full(len(skus), T - 1, dtype=np.int64)
    st = stats.reindex(skus)
    day0 = dates[0].to_datetime64().astype("datetime64[D]")
    if "window_start" in st.columns:
        ws = st["window_start"].to_numpy(dtype="datetime64[D]")
        off = (ws - day0).astype(np.int64)
        first = np.where(np.isnat(ws), 0, np.clip(off, 0, T - 1))
    if "window_end" in st.columns:
        we = st["window_end"].to_numpy(dtype="datetime64[D]")
        off = (we - day0).astype(np.int64)
        last = np.where(np.isnat(we), T - 1, np.clip(off, 0, T - 1))
    last = np.maximum(last, first)
    return first, last - first + 1


def _daily_matrix(
    demand: pd.DataFrame, skus: pd.Index, start: Any, end: Any
) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """SKUs x days matrix of daily demand (:func:`workbench.daily_demand_matrix` transposed).

    Faster on large tables: the SKU column is factorized (hashing each label once) and
    only its distinct labels are looked up; dates are floored to days in numpy.
    """
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    n_days = max((end - start).days + 1, 0)
    codes, uniques = pd.factorize(demand["sku"], sort=False)
    where = pd.Index(pd.Index(uniques).astype(str)).get_indexer(skus)
    col_of = np.full(len(uniques), -1, dtype=np.int64)
    col_of[where[where >= 0]] = np.flatnonzero(where >= 0)
    col = np.where(codes >= 0, col_of[codes], -1)
    day = (
        pd.to_datetime(demand["date"]).to_numpy().astype("datetime64[D]")
        - np.datetime64(start.date(), "D")
    ).astype(np.int64)
    qty = demand["quantity"].to_numpy(dtype=float, na_value=0.0)
    keep = (col >= 0) & (day >= 0) & (day < n_days)
    flat = np.bincount(
        col[keep] * n_days + day[keep], weights=qty[keep], minlength=n_days * len(skus)
    )
    dates = pd.date_range(start, periods=n_days, freq="D")
    return flat.reshape(len(skus), n_days), dates


def _daily_history(
    history: Any, skus: pd.Index, start: Any, end: Any
) -> tuple[np.ndarray | None, pd.DatetimeIndex | None]:
    """:func:`_daily_matrix` taken from the plan's daily history (``wb.demand_history``)
    when it spans the days ``start`` to ``end`` and holds every SKU; (None, None) when
    it does not. NaN (days before a SKU's first sale) become 0, as in the matrix, in
    place: the history is :func:`_plan_check`'s own, made for this check (a 10,000 x 730
    matrix is 58 MB not copied)."""
    if history is None or not (getattr(history.periods, "freqstr", "") or "").startswith("D"):
        return None, None
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    dates = pd.date_range(start, end, freq="D")
    periods = history.periods
    if len(periods) != len(dates) or len(dates) == 0:
        return None, None
    if periods[0].to_timestamp() != start or periods[-1].to_timestamp() != end:
        return None, None
    rows = pd.Index(history.skus.astype(str)).get_indexer(skus)
    if (rows < 0).any():
        return None, None
    q = history.quantity
    by_sku = q if np.array_equal(rows, np.arange(q.shape[0])) else q[rows]
    # one pass to find the NaN, one to write the zeros (nan_to_num also tests +-inf)
    np.copyto(by_sku, 0.0, where=np.isnan(by_sku))
    return by_sku, dates


def _demand_class_from(by_sku: np.ndarray, first: np.ndarray, adi: np.ndarray) -> np.ndarray:
    """Syntetos-Boylan class from the window's bucket demands (ADI from the stats).

    CV^2 of the positive bucket demands in the window (sample variance, ddof = 1, over
    the squared mean), as :func:`workbench.demand_pattern`; only the non-zero entries
    are visited.
    """
    n = by_sku.shape[0]
    j, t = np.nonzero(by_sku)
    keep = t >= first[j]
    t, j = t[keep], j[keep]
    x = by_sku[j, t]
    k = np.bincount(j, minlength=n).astype(float)
    s1 = np.bincount(j, weights=x, minlength=n)
    s2 = np.bincount(j, weights=x * x, minlength=n)
    cv2 = np.full(n, np.nan)
    two = k >= 2
    mean = np.divide(s1, k, out=np.zeros(n), where=k > 0)
    var = np.divide(s2 - k * mean**2, k - 1, out=np.zeros(n), where=two)
    np.divide(np.maximum(var, 0.0), mean**2, out=cv2, where=two & (mean > 0))
    return np.asarray(_demand_class(adi, cv2))


def _class_rows(
    group: str, key: np.ndarray, measures: dict[str, tuple], outside: np.ndarray
) -> pd.DataFrame:
    """:func:`_class_table`'s rows of one grouping: ``key`` is each SKU's class label."""
    code, labels = pd.factorize(key, sort=True)  # a missing label (NaN) is in no class
    has = code >= 0
    code, m = code[has], len(labels)

    def total(w: np.ndarray) -> np.ndarray:
        return np.bincount(code, weights=w[has], minlength=m)

    size = np.bincount(code, minlength=m)
    parts: dict[str, Any] = {"group": group, "class": np.asarray(labels, dtype=object)}
    parts["n_skus"] = size
    with np.errstate(invalid="ignore", divide="ignore"):
        for measure, (ok, planned, sim, var) in measures.items():
            k = total(ok.astype(float))
            k = np.where(k > 0, k, np.nan)  # a class without a simulated figure: NaN
            mean_planned, mean_sim = total(planned) / k, total(sim) / k
            parts[f"planned_{measure}"] = mean_planned
            parts[f"simulated_{measure}"] = mean_sim
            parts[f"{measure}_se"] = np.sqrt(total(var)) / k
            parts[f"{measure}_gap"] = mean_sim - mean_planned
        parts["share_outside"] = total(outside) / size
    return pd.DataFrame(parts)


def _class_table(skus: pd.DataFrame) -> pd.DataFrame:
    """Class means of planned and simulated service, their standard errors and gaps.

    One ``numpy.bincount`` per figure over the class codes (no pandas groupby: this
    runs on every check, 10,000 SKUs and more); classes in sorted order of their labels.
    """
    n = len(skus)
    groups = [("abc", skus["abc"].astype(str).to_numpy(dtype=object))]
    if "demand_class" in skus.columns:
        groups.append(("demand_class", skus["demand_class"].astype(str).to_numpy(dtype=object)))
    groups.append(("all", np.full(n, "all", dtype=object)))
    outside = (~skus["within"].to_numpy(dtype=bool)).astype(float)
    measures = {}
    for measure in ("fill_rate", "cycle_service"):
        sim = skus[f"simulated_{measure}"].to_numpy(dtype=float)
        ok = ~np.isnan(sim)
        measures[measure] = (
            ok,
            np.where(ok, skus[f"planned_{measure}"].to_numpy(dtype=float), 0.0),
            np.where(ok, sim, 0.0),
            np.where(ok, np.nan_to_num(skus[f"{measure}_se"].to_numpy(dtype=float)) ** 2, 0.0),
        )
    rows = [_class_rows(group, key, measures, outside) for group, key in groups]
    cols = [
        "group",
        "class",
        "n_skus",
        "planned_fill_rate",
        "simulated_fill_rate",
        "fill_rate_se",
        "fill_rate_gap",
        "planned_cycle_service",
        "simulated_cycle_service",
        "cycle_service_se",
        "cycle_service_gap",
        "share_outside",
    ]
    out = pd.concat(rows, ignore_index=True)[cols]
    out["n_skus"] = out["n_skus"].astype(int)
    return out


# --------------------------------------------------------------------------- the check


def plan_check(
    dataset: Any,
    scenario: Scenario | None = None,
    *,
    plan: pd.DataFrame | None = None,
    method: str = "resample",
    horizon_days: int | None = None,
    replications: int = 8,
    warmup_days: int | None = None,
    seed: int | np.random.Generator | None = 0,
    engine: str = "numba",
    progress: Any = None,
    stream_keys: pd.Series | None = None,
) -> PlanCheck:
    """Simulate a plan and compare the service it promises with the service it delivers.

    Parameters
    ----------
    dataset : workbench.Dataset
        The business: ``items``, ``demand`` (daily, weekly or monthly) and its
        ``demand_frequency``.
    scenario : Scenario, optional
        Planning parameters when ``plan`` is not given (default ``Scenario()``).
    plan : pandas.DataFrame, optional
        A plan of ``dataset`` (:func:`workbench.plan`); default the plan of
        ``scenario``. Used columns: ``reorder_point``, ``order_quantity``,
        ``order_up_to``, ``review_period_days``, ``lead_time_days``,
        ``lead_time_sd_days`` [days], ``unit_cost``, ``cycle_service_level``,
        ``expected_fill_rate``, ``abc``, ``short_history``, ``eoq``, and
        ``demand_class``, ``policy`` when present; ``attrs["scenario"]`` for the
        policy and the demand multiplier.
    method : {"resample", "replay"}, default "resample"
        Demand resampled by day from each SKU's history window over ``replications``
        batches of one run, or the history replayed once.
    horizon_days : int, optional
        Days simulated per replication after the warm-up [days], >= 1. Default 365
        for "resample"; the history's length (less the warm-up) for "replay".
    replications : int, default 8
        Replications for "resample" (>= 2: their spread is the standard error): the
        consecutive batches of ``horizon_days`` of one run of ``warmup_days +
        replications * horizon_days`` days (see Notes). Ignored by "replay".
    warmup_days : int, optional
        Days at the start of the run left out of the statistics [days], >= 0.
        Default: the longest protection interval L + R + 3 sd(L) of the checked
        SKUs, between 30 and 365 days (for "replay" at most a quarter of the history).
    seed : int, Generator or None, default 0
        Randomness of demand draws, windows and lead times; the same seed gives the
        same result.
    engine : {"numba", "numpy"}, default "numba"
        Passed to :func:`workbench.simulate`.
    progress : None, bool or callable(fraction)
        As for :func:`workbench.simulate`, but one bar (or callback) for the whole
        check: None, a tqdm bar when stderr is a terminal; True, a tqdm bar; False,
        none; a callable sees the fraction of the whole check done (0 to 1, over all
        replications, in steps of 0.001).
    stream_keys : pandas.Series, optional
        By SKU: the position keying each checked SKU's random streams
        (:func:`workbench.simulate`'s ``stream_keys``); default its position among the
        checked SKUs. :func:`workbench.distributed.plan_check` gives each SKU its
        position in the whole catalog's check, with the catalog's ``warmup_days``, so
        that a partition's SKUs are checked as in the whole check.

    Returns
    -------
    PlanCheck
        ``skus``, ``classes``, ``settings`` (with ``notes``) and ``elapsed_seconds``.

    Raises
    ------
    ValueError
        For an unknown method, both ``scenario`` and ``plan`` given, fewer than 2
        replications, or a horizon or warm-up that is not a whole number of days.

    Notes
    -----
    Estimates. Over K replications with filled units f_k, demand d_k, stockout
    cycles m_k and cycles c_k of a SKU, the simulated fill rate is
    sum f_k / sum d_k and the cycle service level 1 - sum m_k / sum c_k (ratio
    estimators); the standard error of a ratio R = sum x_k / sum y_k is
    sqrt(sum (x_k - R y_k)^2 / (K (K - 1))) / mean(y) ([LK] ch. 9, delta method).
    The K replications are the batch means method ([LK] ch. 9.5.3): one run, one
    warm-up, its counted days cut into K consecutive batches of ``horizon_days``. A
    batch starts where the previous one ended, so neighbouring batches are slightly
    correlated, but the stock process starts afresh at every receipt (cycles of days to
    weeks against batches of a year), so the batches are nearly independent; one
    warm-up instead of K saves (K - 1) warm-ups of simulated days (22 % of the
    default check of 10,000 SKUs). ``tests/test_promise.py`` checks that the batches
    give the per-SKU means and standard errors that independent runs give.
    Replay has one path: the standard errors are the binomial sqrt(p (1 - p) / n)
    with n the simulated cycles, for both measures (a cycle is one trial of "no
    stockout"; for the fill rate this is rough, the units of a cycle being correlated).

    Either way a standard error is at least the one the plan's own promise implies over
    the n cycles simulated: sqrt(p (1 - p) / n) for the cycle service (p planned) and
    (1 - f) sqrt((2 / (1 - p) - 1) / n) for the fill rate (f planned; a cycle's shortage
    is 0 with probability p, else exponential). Short runs see few cycles, often none
    with a stockout, whose spread across replications is 0 or too small: with the
    replication spread alone half the SKUs of the sample business fell outside 3
    standard errors at 8 x 365 days; with this floor 0-0.1 % (0.4-0.8 % at 8 x 9,305
    days; 2.8-4.4 % when erratic SKUs were planned with a gamma, whose per-SKU misfit
    shows over such long runs).

    A class mean is the unweighted mean over its SKUs with a simulated figure (the
    planned mean over the same SKUs); its standard error sqrt(sum se_i^2) / n treats
    SKUs as independent.

    Reasons. Where a SKU's fill rate or cycle service gap exceeds 3 standard errors,
    the first that applies of: short history (the plan's ``short_history``); lumpy or
    intermittent demand (``demand_class``); MOQ or pack forcing stock
    (``order_quantity`` >= 1.5 ``eoq``); too few cycles simulated (fewer than 30);
    otherwise "model approximation" (the plan's formulas: normal lead-time demand,
    undershoot, the (s, Q) fill-rate approximation, [SPT] ch. 6-7).

    Resampling window. A SKU's days are drawn from its own window (``window_start``
    to ``window_end`` of :func:`workbench.demand_stats`), not from the zeros before
    it was launched; the history is scaled by the scenario's demand multiplier.

    Examples
    --------
    >>> import workbench as wb
    >>> ds = wb.sample_dataset(n_skus=80, years=1, seed=3)
    >>> check = wb.plan_check(ds, replications=4, horizon_days=200, progress=False)
    >>> sorted(check.classes["group"].unique())
    ['abc', 'all', 'demand_class']
    >>> bool(check.skus["simulated_fill_rate"].between(0, 1).all())
    True
    """
    t_start = time.perf_counter()
    method_key = str(method).lower()
    if method_key not in PLAN_CHECK_METHODS:
        raise ValueError(f"method must be one of {PLAN_CHECK_METHODS}; got {method!r}")
    if plan is not None and scenario is not None:
        raise ValueError("give scenario or plan, not both (a plan already has its scenario)")
    if method_key == "resample" and (int(replications) != replications or replications < 2):
        raise ValueError(f"replications must be a whole number >= 2; got {replications!r}")
    for name, v, lo in (("horizon_days", horizon_days, 1), ("warmup_days", warmup_days, 0)):
        if v is not None and (int(v) != v or v < lo):
            raise ValueError(f"{name} must be a whole number >= {lo} [days]; got {v!r}")

    # one bar (or callback) for the whole check, not one per simulate call
    update, close = _progress_sink(progress, 1000)

    def report(frac: float) -> None:
        update(round(1000 * min(max(float(frac), 0.0), 1.0)))

    try:
        return _plan_check(
            dataset,
            scenario,
            plan,
            method_key,
            horizon_days,
            replications,
            warmup_days,
            seed,
            engine,
            report,
            t_start,
            stream_keys,
        )
    finally:
        close()


def _plan_check(
    dataset: Any,
    scenario: Scenario | None,
    plan: pd.DataFrame | None,
    method_key: str,
    horizon_days: int | None,
    replications: int,
    warmup_days: int | None,
    seed: Any,
    engine: str,
    progress: Callable[[float], None],
    t_start: float,
    stream_keys: pd.Series | None = None,
) -> PlanCheck:
    """The body of :func:`plan_check`, its arguments checked."""
    history = None
    if plan is None:
        # the plan wb.plan makes: the same items and the same history (demand classes,
        # the empirical distributions), not the moments alone; the table read once
        stats, history = _stats_and_history(dataset)
        plan = plan_from_stats(
            _planning_items(dataset, scenario, None), stats, scenario, history=history
        )
    else:
        stats = demand_stats(dataset)
    sc = plan.attrs.get("scenario") if isinstance(plan.attrs, dict) else None
    multiplier = float(sc.get("demand_multiplier", 1.0)) if isinstance(sc, dict) else 1.0
    ok = _checkable(plan)
    sub = plan[ok]
    skus = pd.Index(sub.index.astype(str), name="sku")
    sub = sub.set_axis(skus)
    sub.attrs = dict(plan.attrs)
    n = len(skus)
    freq = normalize_frequency(getattr(dataset, "demand_frequency", "D") or "D")
    gen = as_generator(seed)
    notes: list[str] = []

    # history in buckets, each SKU's window, and the demand class
    start, end = dataset.demand_period
    if freq == "D":
        by_sku, dates = _daily_history(history, skus, start, end)
        if by_sku is None:
            by_sku, dates = _daily_matrix(dataset.demand, skus, start, end)
    else:
        buckets, _, dates = daily_demand_matrix(
            dataset.demand, skus=skus, start=start, end=end, frequency=freq
        )
        by_sku = np.ascontiguousarray(buckets.T)
    first, length = _window_rows(stats, skus, dates)
    if "demand_class" in sub.columns:
        dclass = sub["demand_class"].astype(str).to_numpy()
    else:
        adi = stats.reindex(skus)["mean_interval_buckets"].to_numpy(dtype=float)
        dclass = _demand_class_from(by_sku, first, adi)
        notes.append("demand_class computed from each SKU's history window (not in the plan)")

    L = sub["lead_time_days"].to_numpy(dtype=float)
    Lsd = sub["lead_time_sd_days"].fillna(0.0).to_numpy(dtype=float)
    R = (
        sub["review_period_days"].fillna(0.0).to_numpy(dtype=float)
        if "review_period_days" in sub.columns
        else np.zeros(n)
    )
    if warmup_days is None:
        need = float(np.nanmax(L + R + 3 * Lsd)) if n else 0.0
        warmup = int(min(max(np.ceil(need), 30), 365))
    else:
        warmup = int(warmup_days)

    # the policy's parameters as arrays
    params = {
        "policy": _plan_policies(sub, skus).astype(object),
        "reorder_point": np.nan_to_num(sub["reorder_point"].to_numpy(dtype=float)),
        "order_up_to": np.nan_to_num(sub["order_up_to"].to_numpy(dtype=float)),
        "order_quantity": np.nan_to_num(sub["order_quantity"].to_numpy(dtype=float)),
        "review_period_days": R,
        "lead_time_days": L,
        "lead_time_sd_days": Lsd,
        "unit_cost": sub["unit_cost"].fillna(1.0).to_numpy(dtype=float)
        if "unit_cost" in sub.columns
        else np.ones(n),
    }

    names = params["policy"]
    if n and (names == names[0]).all():
        params["policy"] = np.full(n, None, dtype=object)
        single = str(names[0])
    else:
        single = None

    common = params | {"engine": engine}
    if stream_keys is not None:
        keys = stream_keys.set_axis(stream_keys.index.astype(str)).reindex(skus)
        common["stream_keys"] = keys.to_numpy(dtype=float)  # simulate sees columns, not SKUs
    if single is not None:
        common["policy"] = single  # one name for all: no per-SKU name lookups
    runs = []
    if method_key == "replay":
        if freq != "D":
            raise ValueError(
                f"method 'replay' needs daily demand; the data are in buckets of {freq!r} "
                "(use method='resample', which simulates them daily)"
            )
        T = by_sku.shape[1]
        if warmup_days is None:
            warmup = min(warmup, T // 4)
        horizon = int(horizon_days) if horizon_days is not None else max(T - warmup, 1)
        K = 1
        model = "replay"
        if n:
            runs.append(
                simulate(
                    np.ascontiguousarray(by_sku.T * multiplier),
                    demand_model="replay",
                    days=warmup + horizon,
                    warmup_days=warmup,
                    rng=gen,
                    progress=progress,
                    **common,
                ).summary
            )
        notes.append(
            "history replayed once; standard errors are binomial over the simulated cycles"
        )
    else:
        K = int(replications)
        horizon = int(horizon_days) if horizon_days is not None else _DEFAULT_HORIZON_DAYS
        if freq == "D":
            model = RESAMPLE_MODEL
            notes.append(
                f"daily demand resampled from each SKU's own history window, {K} replications "
                "(consecutive batches of one run after one warm-up)"
            )
        else:
            model = BUCKETED_MODEL
            kind = {"W": "weekly", "M": "monthly"}.get(freq, freq)
            notes.append(
                f"{kind} data: the plan reviews daily, so "
                f"demand is simulated daily by a {BUCKETED_MODEL.replace('_', ' ')} model "
                "matched to the plan's daily_mean and daily_sd"
            )
        history = None
        if freq == "D" and n:
            # (days, SKUs) view of the SKU-major history: the simulator reads each SKU's
            # window as one contiguous row
            history = (by_sku * multiplier if multiplier != 1.0 else by_sku).T
        if n:
            # the K replications are K consecutive batches of one run after one warm-up
            # (batch means, [LK] ch. 9.5): a warm-up and a call for all, not one each
            kw = dict(
                days=warmup + K * horizon,
                warmup_days=warmup,
                batches=K,
                rng=int(gen.integers(0, 2**63 - 1)),
                progress=progress,
                **common,
            )
            if freq == "D":
                res = simulate(
                    history, demand_model="bootstrap", demand_windows=(first, length), **kw
                )
            else:
                res = simulate(
                    None,
                    demand_model=model,
                    demand_mean=sub["daily_mean"].to_numpy(dtype=float),
                    demand_sd=sub["daily_sd"].fillna(0.0).to_numpy(dtype=float),
                    **kw,
                )
            runs.append(res.batches)

    def stack(col: str) -> np.ndarray:
        """(replications, SKUs) totals: the replay's one run, or the batches of one run."""
        if not runs:
            return np.zeros((1, n))
        if method_key == "replay":
            return runs[0][col].to_numpy(dtype=float)[None, :]
        return np.asarray(runs[0][col], dtype=float)

    demand, filled = stack("demand"), stack("filled")
    cycles, misses = stack("cycles"), stack("stockout_cycles")
    n_cycles = cycles.sum(axis=0)
    if method_key == "replay":
        fill = np.full(n, np.nan)
        np.divide(filled[0], demand[0], out=fill, where=demand[0] > 0)
        csl = np.full(n, np.nan)
        np.divide(n_cycles - misses[0], n_cycles, out=csl, where=n_cycles > 0)
        m = np.maximum(n_cycles, 1.0)
        fill_se = np.where(np.isnan(fill), np.nan, np.sqrt(fill * (1 - fill) / m))
        csl_se = np.where(np.isnan(csl), np.nan, np.sqrt(csl * (1 - csl) / m))
        fill_se = np.where(n_cycles > 0, fill_se, np.nan)
    else:
        fill, fill_se = _ratio(filled, demand)
        miss, csl_se = _ratio(misses, cycles)
        csl = 1.0 - miss

    p_fill = sub["expected_fill_rate"].to_numpy(dtype=float)
    p_csl = sub["cycle_service_level"].to_numpy(dtype=float)
    # a run with few or no stockouts has little or no spread, yet it is a sample of so
    # many cycles: the standard error is at least what the plan's own promise implies
    csl_se0, fill_se0 = _promised_se(p_csl, p_fill, n_cycles)
    csl_se = np.where(np.isnan(csl), np.nan, np.fmax(csl_se, csl_se0))
    fill_se = np.where(np.isnan(fill), np.nan, np.fmax(fill_se, fill_se0))
    gap_f, gap_c = fill - p_fill, csl - p_csl
    tol = 1e-9
    out_f = np.abs(gap_f) > Z_WITHIN * np.nan_to_num(fill_se) + tol
    out_c = np.abs(gap_c) > Z_WITHIN * np.nan_to_num(csl_se) + tol
    outside = out_f | out_c

    short = (
        sub["short_history"].fillna(False).to_numpy(dtype=bool)
        if "short_history" in sub.columns
        else np.zeros(n, dtype=bool)
    )
    sparse = np.isin(dclass, ("intermittent", "lumpy"))
    q = sub["order_quantity"].to_numpy(dtype=float)
    eoq_col = sub["eoq"].to_numpy(dtype=float) if "eoq" in sub.columns else np.full(n, np.nan)
    forced = (eoq_col > 0) & (q >= MOQ_FACTOR * eoq_col)
    few = n_cycles < MIN_CYCLES
    labels = PLAN_CHECK_REASONS
    reason = np.select(
        [short, sparse, forced, few],
        [labels["short_history"], labels["intermittent"], labels["moq_pack"], labels["few_cycles"]],
        default=labels["model"],
    ).astype(object)
    reason = np.where(outside, reason, "")

    table = pd.DataFrame(
        {
            "abc": sub["abc"].to_numpy() if "abc" in sub.columns else np.full(n, ""),
            "demand_class": dclass,
            "planned_cycle_service": p_csl,
            "simulated_cycle_service": csl,
            "cycle_service_se": csl_se,
            "cycle_service_gap": gap_c,
            "planned_fill_rate": p_fill,
            "simulated_fill_rate": fill,
            "fill_rate_se": fill_se,
            "fill_rate_gap": gap_f,
            "cycles": n_cycles,
            "simulated_daily_demand": demand.sum(axis=0) / max(horizon * demand.shape[0], 1),
            "within": ~outside,
            "reason": reason,
        },
        index=skus,
    )[list(_SKU_COLUMNS)]
    settings = {
        "method": method_key,
        "demand_model": model,
        "horizon_days": horizon,
        "replications": K,
        "warmup_days": warmup,
        "seed": seed if not isinstance(seed, np.random.Generator) else "generator",
        "engine": engine,
        "frequency": freq,
        "skus_checked": n,
        "skus_skipped": int((~ok).sum()),
        "demand_multiplier": multiplier,
        "notes": notes,
    }
    return PlanCheck(
        skus=table,
        classes=_class_table(table),
        settings=settings,
        elapsed_seconds=time.perf_counter() - t_start,
    )
