"""Simulate inventory policies for a whole portfolio of SKUs at once, day by day.

One call runs every SKU together, with no Python loop over SKUs. Two engines give
the same run:

- ``engine="numba"`` (the default): a compiled day step (:mod:`._kernel`) that
  visits each SKU once a day, keeping its state in registers, in blocks of SKUs
  that fit the core's cache, the blocks spread over the machine's cores.
- ``engine="numpy"``: the loop is over days, and each day is a few NumPy
  operations on arrays holding all SKUs. With backorders, demand does not depend
  on stock, so a day only compares the chunk's cumulative demand with each SKU's
  ordering threshold and places the orders of the few SKUs that trigger; levels,
  receipts and every statistic are then computed for the whole chunk at once in
  preallocated arrays. With lost sales the level is updated day by day.

Days are processed in chunks; progress is reported, and a stop request honoured,
between chunks. Random lead times are drawn per (SKU, order number) from
counter-based streams (:mod:`._streams`), so they do not depend on the engine, the
chunking or the other SKUs of the run.

Timing convention (the same for every policy and both engines)
---------------------------------------------------------------
The one convention of the workbench, written out in ``docs/timing.md``. Each day
(bucket) ``t`` runs three steps:

1. **Receive** the orders due on day ``t``; they first fill backorders.
2. **Review**: if the policy reviews today, compare the inventory position
   IP = on hand + on order - backorders with the trigger and order. An order
   placed on day ``t`` with a lead time of ``L`` days (a whole number >= 0) is
   received at the start of day ``t + L``; ``L = 0`` means at once, before the
   day's demand.
3. **Demand** of day ``t`` is served from on hand; what cannot be served is
   backordered or lost (``unmet=``).

A policy reviewed every R days therefore protects against the demand of L + R days
(base stock and the (s, .) policies: R = 1, so L + 1). A random lead time is rounded
to the nearest whole day, and a draw that rounds below 0 is 0.

Weekly and monthly data
-----------------------
With a dataset whose ``demand_frequency`` is ``"W"`` or ``"M"`` (or ``frequency=``),
a step is a bucket (a week, a month) instead of a day: the demand matrix holds one row
per bucket, and lead times and review periods, given in days, become whole buckets:
``L / b`` for buckets of ``b`` days (7, or 365.25 / 12) rounded to the nearest whole
bucket, at least one, as daily runs round to whole days (random lead times: mean
``L / b`` and sd ``sd / b``, purchase-order lead times divided by ``b``, each draw
rounded). ``days``, ``warmup_days`` and ``review_offset_days`` then count buckets,
``demand_mean`` / ``demand_sd`` are per bucket, and ``days_per_year`` is turned into
buckets per year (12 months, 365.25 / 7 weeks).

Such a run reviews once a bucket, at its start, and the stock must protect the lead
time plus that bucket. Against the plan (:func:`workbench.plan`, which uses the lead
time and review period in days, unrounded) this agrees when the review period is a
bucket and the lead time close to whole buckets (weekly review of weekly data with a
lead time of whole weeks; monthly review of monthly data with lead times of about 1, 2,
3 months); rounding moves the protection interval by up to half a bucket either way.
Rounding up (``ceil``) was rejected: it adds half a bucket on average, so that a 61-day
lead time on monthly data needs 4 months of cover instead of 3 (simulated fill rate
0.38 against a planned 0.998). A continuous-review policy ((s, Q), (s, S)) run on
weekly or monthly buckets is, in effect, reviewed once a bucket, and fills less than
planned for continuous review; compare it with ``policy="RS"`` plans.

Orders may cross: with random per-order lead times a later order can arrive
before an earlier one (``order_crossing=True``, the default, as independent
lead times imply). With ``order_crossing=False`` an order never arrives before
the SKU's previous order (it is held until that one has arrived).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from .._numeric import as_generator
from ..data.frequency import BUCKET_DAYS, BUCKETS_PER_YEAR, normalize_frequency
from . import _streams
from .demand import DemandSource
from .engine import (
    _chunk_backorder,
    _chunk_lost,
    _chunk_stats,
    _chunk_trace,
    _KernelStep,
    _progress_sink,
    _State,
    _stop_check,
    _summary,
    _trace_frame,
)
from .inputs import (
    _check,
    _history_lead_times,
    _items_frame,
    _lots_on_hand,
    _per_sku,
    _resolve_demand,
    _windows,
)
from .lead_times import _LeadTimes
from .policies import POLICIES, _plan_policies, _policy_name
from .results import SimulationResult

__all__ = ["POLICIES", "SimulationResult", "simulate"]

DAYS_PER_YEAR = 365.0  # the days_per_year that a bucketed run turns into buckets a year


#: Relative tolerance by which a position counts as at the reorder point s (by the
#: simulation's float size in bytes): order when IP <= s + tie x (1 + |s| + Q). A day's
#: arithmetic rounds a position by about 1e-16 of its size (float64; 6e-8 in float32),
#: a run of years by 1e-12 at most; 1e-9 (float32: 1e-6, eight steps of its rounding)
#: is far below a unit.
_TIE = {8: 1e-9, 4: 1e-6}


def simulate(
    demand: Any = None,
    *,
    policy: str | Any = "sQ",
    reorder_point: Any = None,
    order_quantity: Any = None,
    order_up_to: Any = None,
    review_period_days: Any = None,
    review_offset_days: Any = 0,
    plan: pd.DataFrame | None = None,
    days: int | None = None,
    skus: Any = None,
    demand_model: str | None = None,
    demand_mean: Any = None,
    demand_sd: Any = None,
    demand_windows: tuple[Any, Any] | None = None,
    lead_time_days: Any = None,
    lead_time_sd_days: Any = None,
    lead_time_model: str = "gamma",
    order_crossing: bool = True,
    unmet: str = "backorder",
    min_order_qty: Any = None,
    pack_size: Any = None,
    initial_stock: Any = "order_up_to",
    unit_cost: Any = None,
    holding_cost_rate: Any = None,
    order_cost: Any = None,
    shortage_cost: Any = 0.0,
    days_per_year: float = 365.0,
    warmup_days: int = 0,
    batches: int = 1,
    trace_skus: Any = None,
    frequency: str | None = None,
    rng: int | np.random.Generator | None = None,
    stream_keys: Any = None,
    progress: Any = None,
    stop: Any = None,
    chunk_days: int | None = None,
    dtype: Any = np.float64,
    engine: str = "numba",
) -> SimulationResult:
    """Simulate an inventory policy for every SKU at once, day by day.

    Parameters
    ----------
    demand : Dataset, DataFrame, ndarray or None
        Where demand comes from: a :class:`workbench.Dataset` (its ``demand``
        table over ``demand_period``, its ``items`` for SKUs and defaults, its
        ``lots`` and ``purchase_orders`` when asked), a demand table (``date``,
        ``sku``, ``quantity``), a wide frame or a (days, SKUs) matrix of daily
        demand [units/day], or None for purely random demand from
        ``demand_mean`` / ``demand_sd``.
    policy : str or array of str, default "sQ"
        ``"sQ"``: continuous review (s, Q): when IP <= s order the multiple of Q
        that lifts IP above s. ``"sS"``: when IP <= s order up to S.
        ``"RS"``: every R days order up to S (if IP < S). ``"RsS"``: every R days,
        when IP <= s order up to S. ``"base_stock"``: every day order up to S.
        ``"plan"``: parameters from ``plan``. An array gives one policy per SKU.
    reorder_point : numeric, optional
        s [units]. Scalar, one per SKU, or a Series indexed by sku.
    order_quantity : numeric, optional
        Q [units] for (s, Q).
    order_up_to : numeric, optional
        S [units] for (s, S), (R, S), (R, s, S) and base stock.
    review_period_days : numeric, optional
        R [days] for (R, S) and (R, s, S); whole days >= 1.
    review_offset_days : numeric, default 0
        Day of the first review (reviews on days offset, offset + R, ...).
    plan : DataFrame, optional
        A ``wb.plan`` table: ``sku`` (column or index) and any of
        ``reorder_point``, ``order_quantity``, ``order_up_to``,
        ``review_period_days``, ``policy``. With ``policy="plan"`` each SKU's
        policy is its ``policy`` column if present, otherwise inferred: review
        period > 1 day -> (R, S) (or (R, s, S) with a reorder point), order
        quantity -> (s, Q), otherwise (s, S).
    days : int, optional
        Days to simulate. Default: the history's length, or 365 without history.
        A replay longer than the history starts the history again.
    skus : sequence, optional
        SKU labels (and order) for a matrix or a table.
    demand_model : str, optional
        ``"replay"`` (default with a history: the history day by day, again from
        its start when ``days`` is longer), or a random model drawn per (seed, SKU,
        day) from counter-based streams (:mod:`._streams`), inside the compiled
        kernel (the numpy engine draws the same numbers), so a SKU's demand does not
        depend on the engine, the chunking, the threads, the other SKUs or the lead
        times: ``"normal"`` (default without a history; mean + sd * Z, draws below 0
        set to 0), ``"gamma"`` (shape (mean/sd)^2; the constant mean where sd or
        mean is 0), ``"poisson"`` (the mean), ``"negative_binomial"`` or
        ``"negbin"`` (the Poisson-gamma mixture with that mean and variance sd^2;
        Poisson where the variance does not exceed the mean), ``"bootstrap"`` or
        ``"resample"`` (the i.i.d. bootstrap: each day drawn uniformly from the
        SKU's own history, which ``demand`` gives). Poisson and negative binomial
        are drawn from a per-SKU alias table of the distribution (each tail beyond
        it below 1e-12; SKUs whose table would pass 4,096 values draw the mixture
        itself).
    demand_mean, demand_sd : numeric, optional
        Daily mean and standard deviation [units/day] for the random models.
        Default: from the history (over every day of the period).
    demand_windows : (array_like, array_like), optional
        For ``"bootstrap"``: the first day (row of the history) and the number of
        days of each SKU's own window [days], whole numbers with first >= 0,
        number >= 0 and first + number <= the history's days; each day is drawn
        from the window only (for example from a SKU's launch on, not the zeros
        before it; an empty window draws 0). Default: the whole history.
    lead_time_days : numeric, optional
        Mean lead time L [days], >= 0 (rounded to whole days; 0 = received on the
        day of the order, before its demand). Default: the items' ``lead_time_days``.
    lead_time_sd_days : numeric, optional
        Standard deviation of the lead time [days]; 0 = fixed. Default: the items'
        ``lead_time_sd_days`` if present, else 0.
    lead_time_model : {"gamma", "normal", "history"}, default "gamma"
        How random lead times are drawn per order, then rounded to whole days
        (at least 0): gamma with that mean and sd (by the Wilson-Hilferty cube of
        a normal when the shape (mean/sd)^2 >= 4, exact draws otherwise), normal,
        or bootstrapped from each SKU's purchase-order history (received -
        ordered; SKUs without history use their fixed mean). Draws beyond the
        1 - 1e-7 quantile are set to it and counted in
        ``settings["lead_times_capped"]``.
    order_crossing : bool, default True
        Whether an order may arrive before an earlier order of the same SKU.
    unmet : {"backorder", "lost"}, default "backorder"
    min_order_qty, pack_size : numeric, optional
        MOQ [units] and pack (order multiple) [units]; an order is raised to the
        MOQ, then rounded up to whole packs. Default: the items' columns, else none.
    initial_stock : "order_up_to", "lots" or numeric, default "order_up_to"
        Starting on-hand [units]: s + Q for (s, Q), S for the others; the lots
        table's quantities; or given values. Nothing is on order at the start.
    unit_cost : numeric, optional
        c [$/unit]; default the items' ``unit_cost``, else 1.
    holding_cost_rate : numeric, optional
        i [1/year, fraction of unit cost]; default the items' column, else 0.25.
    order_cost : numeric, optional
        K [$/order]; default the items' column, else 0.
    shortage_cost : numeric, default 0
        p [$/unit short] for each unit not served on the day demanded.
    warmup_days : int, default 0
        Days at the start left out of the statistics (the run is still traced),
        so that they describe the steady state rather than the starting stock.
    batches : int, default 1
        Split the counted days (after the warm-up) into this many consecutive batches
        of equal length (the last one also takes the days left over) and return each
        batch's totals in ``result.batches``: the batch means method [2]_ (ch. 9.5),
        one run and one warm-up for several nearly independent samples. The run and
        ``summary`` do not depend on it.
    days_per_year : float, default 365
        Simulated days in a year [days/year], converting the annual holding rate
        into a daily one (250 for a calendar of working days).
    trace_skus : sequence, "all" or None
        SKUs whose day-by-day trace is returned.
    frequency : {"D", "W", "M"}, optional
        The step: a day, or a bucket of weekly or monthly demand (see "Weekly and
        monthly data" in the module notes). Default: the dataset's
        ``demand_frequency``; "D" for tables, matrices and random demand.
    rng : None, int or numpy.random.Generator
        Randomness for demand and lead times; the same seed gives the same run. Its
        two seeds key independent streams: demand per (SKU, day), lead times per
        (SKU, order number).
    stream_keys : array_like or Series by sku, optional
        The position that keys each SKU's random streams, whole numbers >= 0, one per
        SKU and all different; default the SKU's column 0 .. n-1 in this run. Give
        each SKU's position in a larger run (a catalog's items order) to simulate
        some of its SKUs apart, as :func:`workbench.distributed.simulate` does
        partition by partition: with the same ``rng`` they draw the demand and lead
        times they draw in the whole run.
    progress : None, bool or callable(fraction)
        None: a tqdm bar when stderr is a terminal. True: a tqdm bar (a widget in
        a notebook). A callable receives the fraction done after each chunk.
    stop : callable() -> bool or threading.Event, optional
        Checked between chunks; when set, the run ends and returns what it has,
        with ``completed=False``.
    chunk_days : int, optional
        Days per chunk: progress is reported and ``stop`` checked between chunks.
        Default: about 8 million SKU-days (at least 64 days) a chunk with the numba
        engine; 400,000 (at most 24 days, which keeps the chunk arrays in cache) with
        numpy. Results do not depend on it.
    dtype : numpy float dtype, default float64
        Precision of the state arrays. float32 is exact for whole units up to
        2**24; statistics are always accumulated in float64.
    engine : {"numba", "numpy"}, default "numba"
        ``"numba"``: compiled code that takes each SKU through a chunk of days, the
        SKUs spread over the cores (compiled once per machine, 10-20 s, by
        ``python -m workbench.sim``, which ``make install`` runs, or else by the
        first simulation; later runs load it from a cache). ``"numpy"``: array
        operations over all SKUs, a dozen passes a day. Lead times are drawn per
        (SKU, order number), so both give the same results (statistics may differ
        in the last bits, from summing in another order).

    Returns
    -------
    SimulationResult
        ``summary`` per SKU, optional ``trace``, ``completed`` and ``settings``.
        The timing of a day (receive, review and order, demand) is the convention
        of ``docs/timing.md``.

    Raises
    ------
    ValueError
        For a missing or invalid parameter (the message names it, its unit and
        the offending values or SKUs).

    Notes
    -----
    Vectorization: state arrays hold every SKU (inventory level
    IL = on hand - backorders, inventory position IP = IL + on order). Future
    receipts sit in a ring buffer of ``horizon`` days indexed by day mod horizon;
    an order adds its quantity to the slot of its arrival day. The (s, Q)
    quantity is ``Q * (floor((s - IP) / Q) + 1)``, the (s, nQ) rule that keeps IP
    in (s, s + Q] even when a day's demand overshoots s, Eq. (7.1) in [1].

    The cycle service level is the share of completed replenishment cycles
    (intervals between consecutive receipts of a SKU, the first one starting on
    day 0; the last, unfinished one is not counted) in which no customer waited:
    no day ended with backorders and no demand was lost. With backorders this is
    "the level just before the closing receipt was not negative", since the level
    only falls between receipts. The fill rate is the share of demand served from
    stock on the day it was demanded [1]_ (Ch. 7).

    References
    ----------
    .. [1] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
       Management in Supply Chains*, 4th ed., CRC Press, 2017, Ch. 6-7.
    .. [2] A. M. Law, *Simulation Modeling and Analysis*, 5th ed., McGraw-Hill, 2015.

    Examples
    --------
    Heizer & Render's Sharp, Inc. needles: 1,000 units a year over 250 working
    days (4 a day), order cost $10, holding $0.50 per unit per year, EOQ = 200.
    With no variability and s = dL the stock is the EOQ saw-tooth: average Q / 2 =
    100 units, 5 orders and $50 + $50 of ordering and holding cost a year.

    >>> import numpy as np
    >>> res = simulate(np.full((500, 1), 4.0), reorder_point=20, order_quantity=200,
    ...                lead_time_days=5, initial_stock=200, order_cost=10, unit_cost=1,
    ...                holding_cost_rate=0.5, days_per_year=250)
    >>> row = res.summary.iloc[0]      # 500 days = 2 years of 250 days
    >>> float(row["avg_on_hand"]), float(row["fill_rate"]), int(row["orders"])
    (100.0, 1.0, 10)
    >>> float(row["ordering_cost"]) / 2, float(row["holding_cost"]) / 2
    (50.0, 50.0)
    """
    t_start = time.perf_counter()
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"dtype must be a float dtype (float32 or float64); got {dtype!r}")
    unmet_key = str(unmet).lower()
    if unmet_key in ("backorder", "backorders", "backlog"):
        backorder = True
    elif unmet_key in ("lost", "lost_sales", "lostsales"):
        backorder = False
    else:
        raise ValueError(f"unmet must be 'backorder' or 'lost'; got {unmet!r}")
    if not (np.isfinite(days_per_year) and days_per_year > 0):
        raise ValueError(f"days_per_year must be > 0 [days/year]; got {days_per_year!r}")
    if int(warmup_days) != warmup_days or warmup_days < 0:
        raise ValueError(f"warmup_days must be a whole number >= 0 [days]; got {warmup_days!r}")
    warmup_days = int(warmup_days)
    if warmup_days and days is not None and warmup_days >= days:
        raise ValueError(f"warmup_days must be < days ({days}) [days]; got {warmup_days}")
    if isinstance(batches, bool) or int(batches) != batches or batches < 1:
        raise ValueError(f"batches must be a whole number >= 1; got {batches!r}")
    batches = int(batches)
    engine_key = str(engine).lower()
    if engine_key not in ("numba", "numpy"):
        raise ValueError(f"engine must be 'numba' or 'numpy'; got {engine!r}")
    if chunk_days is not None and (int(chunk_days) != chunk_days or chunk_days < 1):
        raise ValueError(f"chunk_days must be a whole number >= 1 [days]; got {chunk_days!r}")

    if frequency is None:
        frequency = getattr(demand, "demand_frequency", "D")
    freq = normalize_frequency(frequency)
    bucket = BUCKET_DAYS[freq]  # [days per step]
    if freq != "D":
        days_per_year = float(days_per_year) / DAYS_PER_YEAR * BUCKETS_PER_YEAR[freq]
    model, sku_index, history, dates, days, demand_mean, demand_sd = _resolve_demand(
        demand,
        frequency=freq,
        skus=skus,
        demand_model=demand_model,
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        days=days,
        dtype=dt,
    )
    n = len(sku_index)
    items = _items_frame(demand)
    if items is not None:
        items = items.reindex(sku_index)

    # ---- policy parameters -------------------------------------------------------
    plan_frame = None
    if plan is not None:
        plan_frame = plan
        if "sku" in plan_frame.columns:
            plan_frame = plan_frame.assign(sku=plan_frame["sku"].astype(str)).set_index("sku")
        if not plan_frame.index.is_unique:
            raise ValueError("plan has more than one row for a SKU")

        def from_plan(col: str, given: Any) -> Any:
            if given is not None or col not in plan_frame.columns:
                return given
            return plan_frame[col]

        reorder_point = from_plan("reorder_point", reorder_point)
        order_quantity = from_plan("order_quantity", order_quantity)
        order_up_to = from_plan("order_up_to", order_up_to)
        review_period_days = from_plan("review_period_days", review_period_days)

    per_sku_policy = None
    if isinstance(policy, str):
        name = _policy_name(policy)
        if name == "plan":
            if plan_frame is None:
                raise ValueError("policy 'plan' needs a plan table (plan=wb.plan(...))")
            per_sku_policy = _plan_policies(plan_frame, sku_index)
        else:
            per_sku_policy = np.full(n, name, dtype=object)
    else:
        raw = policy.reindex(sku_index) if isinstance(policy, pd.Series) else policy
        arr = np.asarray(raw, dtype=object)
        if arr.shape != (n,):
            raise ValueError(
                f"policy must be a name or one name per SKU ({n}); got shape {arr.shape}"
            )
        per_sku_policy = np.array([_policy_name(p) for p in arr], dtype=object)

    kinds = ("sQ", "sS", "RS", "RsS", "base_stock")
    if isinstance(policy, str) and per_sku_policy.size and _policy_name(policy) != "plan":
        codes = {k: np.full(n, k == per_sku_policy[0]) for k in kinds}  # one policy for all
    else:
        codes = {k: per_sku_policy == k for k in kinds}
    if np.any(per_sku_policy == "plan"):
        raise ValueError("policy 'plan' cannot be mixed per SKU; pass plan= and policy='plan'")

    def need(name: str, value: Any, mask: np.ndarray, unit: str) -> np.ndarray:
        if not mask.any():
            return np.zeros(n)
        if value is None:
            kinds = sorted(set(per_sku_policy[mask]))
            raise ValueError(f"{name} [{unit}] is required for policy {', '.join(kinds)}")
        if isinstance(value, pd.Series):
            arr = value.reindex(sku_index.astype(value.index.dtype, copy=False)).to_numpy(
                dtype=float, na_value=np.nan
            )
            sub = pd.Series(arr[mask], index=sku_index[mask])
            _per_sku(name, sub, sku_index[mask], unit=unit)
            return np.where(mask, arr, 0.0)
        arr = _per_sku(name, value, sku_index, unit=unit)
        return np.where(mask, arr, 0.0)

    uses_s = codes["sQ"] | codes["sS"] | codes["RsS"]
    uses_Q = codes["sQ"]
    uses_S = codes["sS"] | codes["RS"] | codes["RsS"] | codes["base_stock"]
    uses_R = codes["RS"] | codes["RsS"]
    s = need("reorder_point", reorder_point, uses_s, "units")
    Q = need("order_quantity", order_quantity, uses_Q, "units")
    S = need("order_up_to", order_up_to, uses_S, "units")
    if review_period_days is None:
        R = need("review_period_days", None, uses_R, "days")
    else:
        R = _per_sku("review_period_days", review_period_days, sku_index, unit="days")
    _check("order_quantity", Q[uses_Q], Q[uses_Q] >= 0, ">= 0", "units")
    _check("order_up_to", S[uses_S], S[uses_S] >= 0, ">= 0", "units")
    both = codes["sS"] | codes["RsS"]
    _check("order_up_to", S[both], S[both] >= s[both], ">= reorder_point for (s, S)", "units")
    _check("review_period_days", R, R >= 0, ">= 0", "days")
    if freq != "D":
        R = R / bucket  # in buckets, rounded to whole ones below
    # whole days; 0 (continuous review) is the simulator's finest, a daily review
    R = np.maximum(np.rint(R), 1).astype(np.int64)
    # an (s, Q) item with Q = 0 (no demand in a plan) never orders: treat it as (s, S = s)
    no_q = codes["sQ"] & (Q == 0)
    if no_q.any():
        S = np.where(no_q, s, S)
        codes["sQ"] = codes["sQ"] & ~no_q
        codes["sS"] = codes["sS"] | no_q
        uses_S = uses_S | no_q
    offset = _per_sku("review_offset_days", review_offset_days, sku_index, unit="days")
    _check(
        "review_offset_days",
        offset,
        (offset >= 0) & (offset == np.round(offset)),
        "a whole number >= 0",
        "days",
    )
    offset = offset.astype(np.int64)

    up_to = uses_S.copy()
    # A position within a rounding error of s is at s (docs/timing.md): the running
    # position of lost sales reaches on order + 0 when stock runs out, exactly s in exact
    # arithmetic, but a few units of 1e-16 above or below it after a day's subtractions,
    # and the two engines round differently. So s is moved up by far less than any unit
    # and far more than the rounding, for the trigger and the (s, Q) quantity alike.
    s_at = np.where(uses_s, s + _TIE[dt.itemsize] * (1.0 + np.abs(s) + Q), s)
    # order when IP <= trigger: s for the (s, .) policies, S for order-up-to (an order of
    # nothing at IP == S is dropped)
    trigger = np.where(codes["RS"] | codes["base_stock"], S, s_at)

    # ---- costs, lead times, order rules -------------------------------------------
    c = _per_sku(
        "unit_cost",
        unit_cost,
        sku_index,
        unit="$/unit",
        items=items,
        column="unit_cost",
        default=1.0,
    )
    i_rate = _per_sku(
        "holding_cost_rate",
        holding_cost_rate,
        sku_index,
        unit="1/year",
        items=items,
        column="holding_cost_rate",
        default=0.25,
    )
    K = _per_sku(
        "order_cost",
        order_cost,
        sku_index,
        unit="$/order",
        items=items,
        column="order_cost",
        default=0.0,
    )
    p = _per_sku("shortage_cost", shortage_cost, sku_index, unit="$/unit", default=0.0)
    for name, arr, unit in (
        ("unit_cost", c, "$/unit"),
        ("holding_cost_rate", i_rate, "1/year"),
        ("order_cost", K, "$/order"),
        ("shortage_cost", p, "$/unit"),
    ):
        _check(name, arr, arr >= 0, ">= 0", unit)
    L = _per_sku(
        "lead_time_days",
        lead_time_days,
        sku_index,
        unit="days",
        items=items,
        column="lead_time_days",
    )
    if L is None:
        raise ValueError(
            "lead_time_days [days] is required (or an items table with lead_time_days)"
        )
    _check("lead_time_days", L, L >= 0, ">= 0", "days")
    Lsd = _per_sku(
        "lead_time_sd_days",
        lead_time_sd_days,
        sku_index,
        unit="days",
        items=items,
        column="lead_time_sd_days",
        default=0.0,
    )
    _check("lead_time_sd_days", Lsd, Lsd >= 0, ">= 0", "days")
    moq = _per_sku(
        "min_order_qty",
        min_order_qty,
        sku_index,
        unit="units",
        items=items,
        column="min_order_qty",
        default=0.0,
    )
    pack = _per_sku(
        "pack_size",
        pack_size,
        sku_index,
        unit="units",
        items=items,
        column="pack_size",
        default=0.0,
    )
    _check("min_order_qty", moq, moq >= 0, ">= 0", "units")
    _check("pack_size", pack, pack >= 0, ">= 0", "units")
    use_moq = bool(np.any(moq > 0))
    use_pack = bool(np.any(pack > 0))
    pack_safe = np.where(pack > 0, pack, 1.0)

    # ---- random streams (independent of the chunk size) --------------------------
    gen = as_generator(rng)
    seeds = gen.integers(0, 2**63 - 1, size=2)
    demand_rng = np.random.default_rng(seeds[0])
    lead_rng = np.random.default_rng(seeds[1])

    lt_model = str(lead_time_model).lower()
    lt_history = None
    if lt_model == "history":
        po = getattr(demand, "purchase_orders", None)
        if not isinstance(po, pd.DataFrame):
            raise ValueError(
                "lead_time_model 'history' needs a Dataset with a purchase_orders table"
            )
        lt_history = _history_lead_times(po, sku_index)
    if freq != "D":  # lead times in buckets (rounded to whole ones by _LeadTimes)
        L, Lsd = L / bucket, Lsd / bucket
        if lt_history is not None:
            lt_history = (*lt_history[:2], lt_history[2] / bucket)
    keys = None
    if stream_keys is not None:
        keys = _per_sku("stream_keys", stream_keys, sku_index)
        _check(
            "stream_keys", keys, (keys >= 0) & (keys == np.round(keys)), "a whole number >= 0", ""
        )
        if len(np.unique(keys)) != n:
            raise ValueError("stream_keys must differ from SKU to SKU; got repeated values")
        keys = keys.astype(np.int64)
    lead = _LeadTimes(
        L,
        Lsd,
        model=lt_model,
        seed=int(lead_rng.integers(0, 2**63 - 1)),
        history=lt_history,
        index=keys,
    )

    # ---- demand source ------------------------------------------------------------
    if demand_windows is not None and model != "bootstrap":
        raise ValueError(
            f"demand_windows is for demand_model 'bootstrap' (or 'resample'); got {model!r}"
        )
    if model in ("normal", "gamma", "poisson", "negative_binomial"):
        if demand_mean is None and history is not None:
            demand_mean = history.mean(axis=0, dtype=float) if history.shape[0] else np.zeros(n)
        if demand_sd is None and history is not None:
            demand_sd = history.std(axis=0, dtype=float) if history.shape[0] else np.zeros(n)
        mu = _per_sku("demand_mean", demand_mean, sku_index, unit="units/day")
        if mu is None:
            raise ValueError(f"demand_mean [units/day] is required for demand_model {model!r}")
        sd = _per_sku("demand_sd", demand_sd, sku_index, unit="units/day", default=0.0)
        _check("demand_mean", mu, mu >= 0, ">= 0", "units/day")
        _check("demand_sd", sd, sd >= 0, ">= 0", "units/day")
        # drawn per (seed, SKU, day) from counter-based streams, by the kernel itself
        source = _streams.DemandDraws(
            model, n, seed=int(demand_rng.integers(0, 2**63 - 1)), mean=mu, sd=sd, dtype=dt,
            index=keys,
        )  # fmt: skip
    elif model == "bootstrap" and demand_windows is None:  # column i of the matrix
        source = _streams.DemandDraws(
            model, n, seed=int(demand_rng.integers(0, 2**63 - 1)), dtype=dt, step=n, index=keys,
            history=(np.arange(n, dtype=np.int64), np.full(n, history.shape[0]),
                     np.ascontiguousarray(history, dtype=float).ravel()),
        )  # fmt: skip
    elif model == "bootstrap":  # each SKU's window, one contiguous row per SKU
        first, length = _windows(demand_windows, n, history.shape[0])
        by_sku = np.ascontiguousarray(history.T, dtype=float)
        source = _streams.DemandDraws(
            model, n, seed=int(demand_rng.integers(0, 2**63 - 1)), dtype=dt, step=1, index=keys,
            history=(np.arange(n, dtype=np.int64) * history.shape[0] + first, length,
                     by_sku.ravel()),
        )  # fmt: skip
    else:
        if history.shape[1] != n:  # pragma: no cover - guarded by _resolve_demand
            raise ValueError("history does not match the SKUs")
        source = DemandSource(np.ascontiguousarray(history, dtype=dt), dtype=dt)  # replay
    drawn = isinstance(source, _streams.DemandDraws)

    # ---- starting stock -----------------------------------------------------------
    if isinstance(initial_stock, str):
        key = initial_stock.lower()
        if key == "order_up_to":
            start = np.where(codes["sQ"], s + Q, S)
        elif key == "lots":
            lots = getattr(demand, "lots", None)
            if not isinstance(lots, pd.DataFrame):
                raise ValueError("initial_stock 'lots' needs a Dataset with a lots table")
            start = _lots_on_hand(lots, sku_index)
        else:
            raise ValueError(
                "initial_stock must be 'order_up_to', 'lots' or numbers [units]; "
                f"got {initial_stock!r}"
            )
    else:
        start = _per_sku("initial_stock", initial_stock, sku_index, unit="units")
    _check("initial_stock", start, start >= 0, ">= 0", "units")

    # ---- traced SKUs --------------------------------------------------------------
    if trace_skus is None:
        tcols = np.zeros(0, dtype=np.int64)
    elif isinstance(trace_skus, str) and trace_skus == "all":
        tcols = np.arange(n)
    else:
        wanted = [str(x) for x in ([trace_skus] if isinstance(trace_skus, str) else trace_skus)]
        tcols = sku_index.get_indexer(wanted)
        if np.any(tcols < 0):
            unknown = [w for w, k in zip(wanted, tcols, strict=True) if k < 0]
            raise ValueError(f"trace_skus names unknown SKU(s): {', '.join(unknown[:5])}")

    # ---- run ----------------------------------------------------------------------
    if chunk_days:
        C = int(chunk_days)
    elif engine_key == "numba":
        # a SKU's state is loaded and stored once a chunk: long chunks amortize that
        # (100,000 SKUs: 32 days 50, 128 days 72-77 M SKU-days/s); a chunk is still
        # short enough for progress and stop (about 0.1 s)
        C = int(max(8_000_000 // max(n, 1), 64))
    else:
        # about 400,000 SKU-days a chunk keeps its arrays in cache (measured: 24 days at
        # 10,000 SKUs, 4 at 100,000; 6 at 100,000 ran 2.5 times slower)
        C = int(min(max(400_000 // max(n, 1), 1), 24))
    C = max(1, min(C, max(days, 1)))
    if engine_key == "numpy":
        C = min(C, 255)  # it counts a chunk's days in uint8
    # ring of future receipts: the numpy engine reads a chunk's receipts at once, so no
    # slot may be reused within a chunk; the numba engine empties each slot as it reads it
    H = lead.max_lead + 1 + (C if engine_key == "numpy" else 0)
    update, close = _progress_sink(progress, days)
    should_stop = _stop_check(stop)

    st = _State(
        n=n,
        C=C,
        H=H,
        dt=dt,
        start=start,
        trigger=trigger,
        s=s_at,
        Q=Q,
        S=S,
        up_to=up_to,
        moq=moq if use_moq else None,
        pack=pack_safe if use_pack else None,
        R=R,
        offset=offset,
        lead=lead,
        order_crossing=order_crossing,
        tcols=tcols,
        warmup=warmup_days,
        chunk_arrays=engine_key == "numpy",
    )
    step = _KernelStep(st, backorder, source if drawn else None) if engine_key == "numba" else None
    traces: list[dict[str, np.ndarray]] = []
    # batch b counts the days from ends[b - 1] (the warm-up's end for b = 0) to ends[b]
    counted = max(days - warmup_days, 0)
    if batches > max(counted, 1):
        raise ValueError(
            f"batches must be at most the days counted after the warm-up ({counted}); got {batches}"
        )
    ends = [warmup_days + counted // batches * (b + 1) for b in range(batches - 1)] + [days]
    snaps: list[np.ndarray] = []
    t0 = 0
    completed = True
    try:
        while t0 < days:
            if should_stop():
                completed = False
                break
            cd = min(C, days - t0)
            if t0 < warmup_days:
                cd = min(cd, warmup_days - t0)
            else:
                if t0 == warmup_days and t0 > 0:
                    st.on_order_at_warmup = st.pipe2.sum(axis=0, dtype=float)
                if batches > 1:  # chunks end where batches end (results do not change)
                    cd = min(cd, ends[len(snaps)] - t0)
            D = step.demand_buffer(cd) if (step is not None and drawn) else source.take(t0, cd)
            if step is not None:
                step(D, t0, cd, count=t0 >= warmup_days)
            else:
                if backorder:
                    _chunk_backorder(st, D, t0, cd)
                else:
                    _chunk_lost(st, D, t0, cd)
                _chunk_stats(st, D, cd, backorder, st.acc if t0 >= warmup_days else st.scratch)
            if tcols.size:
                traces.append(_chunk_trace(st, D, cd, backorder, t0))
            if step is None:
                st.roll(cd)
            t0 += cd
            if batches > 1 and t0 == ends[len(snaps)]:
                snaps.append(st.acc_matrix.copy())
            update(t0)
    finally:
        close()
    batch_totals = None
    if batches > 1:
        if len(snaps) < batches:  # stopped: the batch under way ends where the run did
            snaps.append(st.acc_matrix.copy())
        sums = np.diff(np.stack([np.zeros_like(st.acc_matrix), *snaps]), axis=0)
        acc_row = {k: i for i, k in enumerate(st.acc)}
        batch_totals = {
            "demand": sums[:, acc_row["demand"]],
            "filled": sums[:, acc_row["demand"]] - sums[:, acc_row["short"]],
            "short": sums[:, acc_row["short"]],
            "cycles": sums[:, acc_row["cycles"]],
            "stockout_cycles": sums[:, acc_row["stockout_cycles"]],
            "stockout_days": sums[:, acc_row["stockout_days"]],
            "orders": sums[:, acc_row["orders"]],
        }
    ILbuf = st.ILbuf
    acc = st.acc
    on_order_end = st.pipe2.sum(axis=0, dtype=float)

    done = t0
    IL_end = (step.IL if step is not None else ILbuf[0]).astype(float)
    summary = _summary(
        acc,
        sku_index,
        max(done - warmup_days, 0),
        c=c,
        i_rate=i_rate,
        K=K,
        p=p,
        start=start,
        IL_end=IL_end,
        on_order_start=st.on_order_at_warmup,
        on_order_end=on_order_end,
        backorder=backorder,
        days_per_year=float(days_per_year),
    )
    trace = _trace_frame(traces, sku_index, tcols, dates if model == "replay" else None)
    elapsed = time.perf_counter() - t_start
    return SimulationResult(
        summary=summary,
        trace=trace,
        days=done,
        days_requested=days,
        completed=completed,
        elapsed_seconds=elapsed,
        batches=batch_totals,
        settings={
            "policy": policy if isinstance(policy, str) else "per-SKU",
            "demand_model": model,
            "unmet": "backorder" if backorder else "lost",
            "lead_time_model": lt_model,
            "order_crossing": order_crossing,
            "max_lead_time_days": lead.max_lead,
            "lead_times_capped": lead.capped,
            "chunk_days": C,
            "warmup_days": warmup_days,
            "batches": batches,
            "dtype": dt.name,
            "engine": engine_key,
            "frequency": freq,
        },
    )
