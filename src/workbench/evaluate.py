"""The policy a business runs today, against the recommended plan.

A shop already has reorder settings: a reorder point and an order quantity per item
(an (s, Q) rule), or a min and a max (a min/max rule: when the stock on hand plus on
order is at or below the min, order up to the max). They live in the optional items
columns ``current_reorder_point`` and ``current_order_quantity``, or ``current_min``
and ``current_max``. :func:`evaluate_policy` puts them beside the plan of
:func:`workbench.plan`: per SKU and per ABC class, the service each delivers, the stock
it holds, the money tied up and what it costs a year, computed by formula and checked
by simulating both on the same demand.

Timing (the package's convention, :mod:`workbench.sim.simulate`): each bucket (day,
week or month) receives what is due, reviews the inventory position, orders, then
meets demand; an order placed with a lead time of L buckets arrives L buckets later.
A policy is reviewed every bucket.

References
----------
.. [SPT] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
   Management in Supply Chains*, 4th ed., CRC Press, 2017, ch. 6 (service measures,
   the normal loss function, sec. 6.7) and ch. 7 ((s, Q) and (s, S) systems,
   average inventory).
.. [HW] G. Hadley and T. M. Whitin, *Analysis of Inventory Systems*, Prentice-Hall,
   1963, ch. 4 (the (r, Q) model with backorders: the inventory position uniform on
   (r, r + Q], expected backorders).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import special

from .data.frequency import BUCKET_DAYS, BUCKETS_PER_YEAR
from .policy.service import normal_loss
from .policy.undershoot import periodic_service
from .scenario import Scenario, plan

__all__ = [
    "EVALUATE_METHODS",
    "TODAY_COLUMNS",
    "PolicyEvaluation",
    "evaluate_policy",
    "todays_settings",
]

#: How the simulation draws demand: "resample" (each bucket drawn from the SKU's own
#: history, with replacement) or "replay" (the history as it happened).
EVALUATE_METHODS = ("resample", "replay")

#: The items columns that describe today's settings.
TODAY_COLUMNS = ("current_reorder_point", "current_order_quantity", "current_min", "current_max")

_DEFAULT_HORIZON_DAYS = 3 * 365
_WARMUP_DAYS = 91


class PolicyEvaluation(NamedTuple):
    """Today's settings against the recommended plan (from :func:`evaluate_policy`).

    Attributes
    ----------
    skus : pandas.DataFrame
        One row per SKU of the items (index ``sku``); see :func:`evaluate_policy`.
    classes : pandas.DataFrame
        One row per ABC class and a last row ``"total"``; see :func:`evaluate_policy`.
    note : str
        "N of M items have today's settings", and how many of them could not be
        compared (no plan: a missing input).
    settings : dict
        The run: scenario name, frequency, lead-time rounding, method, horizon and
        warm-up [buckets], seed, whether it was simulated.
    """

    skus: pd.DataFrame
    classes: pd.DataFrame
    note: str
    settings: dict


# ---------------------------------------------------------------------------- analytic


def _g2(z: np.ndarray) -> np.ndarray:
    """Second-order standard normal loss, E[((Z - z)+)^2] / 2 [-]."""
    tail = special.ndtr(-z)
    return 0.5 * ((z * z + 1.0) * tail - z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi))


def _expected_backorders(mu_p, sd_p, s, q, safe_q):
    """E[(D_P - Y)+] with Y uniform on (s, s + Q] and D_P normal (mu_p, sd_p) [units].

    (1 / Q) times the integral of the normal loss from s to s + Q: sigma_P^2 / Q
    (G2(k_s) - G2(k_{s+Q})) ([HW] ch. 4); for sd_p = 0 the same integral of (mu_p - y)+.
    """
    random = sd_p > 0
    sd = np.where(random, sd_p, 1.0)
    normal = sd * sd / safe_q * (_g2((s - mu_p) / sd) - _g2((s + q - mu_p) / sd))
    a = np.clip(mu_p - s, 0.0, q)
    const = (a * (mu_p - s) - 0.5 * a * a) / safe_q
    return np.where(random, normal, const)


def _analytic_service(
    *,
    bucket_mean: np.ndarray,
    bucket_sd: np.ndarray,
    lead_time_buckets: np.ndarray,
    lead_time_sd_buckets: np.ndarray,
    reorder_point: np.ndarray,
    order_quantity: np.ndarray,
    min_max: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cycle service, fill rate, average on hand and mean order of a rule reviewed every
    bucket: (s, nQ), or min/max (order up to S = s + Q when at or below s).

    The one place the analytic figures of :func:`evaluate_policy` come from: to use
    another evaluation (e.g. :mod:`workbench.policy.undershoot`'s periodic-review
    functions, or a non-normal lead-time demand), replace this function's body; the
    signature is all the caller relies on. A min/max rule enters as (s = min,
    Q = max - min) with ``min_max`` True.

    Parameters
    ----------
    bucket_mean, bucket_sd : ndarray
        Demand per bucket, mu and sigma [units/bucket].
    lead_time_buckets, lead_time_sd_buckets : ndarray
        Lead time L, whole buckets >= 1, and its sd [buckets].
    reorder_point, order_quantity : ndarray
        s and Q [units].
    min_max : ndarray of bool, optional
        True where the rule is min/max; default all (s, nQ).

    Returns
    -------
    cycle_service, fill_rate : ndarray
        [fraction]; 1 for an item without demand.
    average_on_hand : ndarray
        [units], >= 0.
    mean_order : ndarray
        Average order [units]: Q, plus the mean undershoot E[U] for min/max.

    Notes
    -----
    The (s, nQ) rule reviewed every bucket keeps the inventory position after a review,
    Y, uniform on (s, s + Q] ([HW] ch. 4; Eq. (7.1) in [SPT]). An order placed at a
    review arrives L buckets later, so the stock at the end of the bucket it arrives
    in is Y - D_{L+1} and at its start Y - D_L, with D_P the demand over P buckets,
    taken as normal with mean mu P and variance P sigma^2 + mu^2 sigma_L^2 ([SPT]
    sec. 6.10). With B(P) = E[(D_P - Y)+] (:func:`_expected_backorders`):

    Each SKU's cycle service and fill rate are computed once: with random demand by
    :func:`workbench.policy.undershoot.periodic_service` (the plan's own model); with
    constant demand (and where that model does not apply) by the closed forms below
    (``_approximate_service``), which also give the average stock:

    - fill rate = 1 - (B(L + 1) - B(L)) / mu, the units short in a bucket over its
      demand (the periodic-review form of [SPT] sec. 6.7; exact for this timing
      and normal demand);
    - cycle service = P(D_L + U <= s): the position that triggers an order is s minus
      the undershoot U, whose mean and variance are those of a renewal process's
      residual, E[U] = E[d^2] / (2 mu), E[U^2] = E[d^3] / (3 mu) with d a bucket's
      normal demand ([SPT] ch. 7 on the undershoot of s), and D_L + U is taken as
      normal. With constant demand, U is uniform on [0, mu) and the cycle service is
      P(U <= s - mu L);
    - average on hand, as the simulator measures it (the mean of the stock after the
      bucket's receipts and at its end): Q/2 + s - mu_L - mu/2 + (B(L) + B(L + 1)) / 2
      with mu_L = mu L, the textbook cycle stock Q/2 plus safety stock s - mu_L ([SPT]
      ch. 7) less half a bucket's demand (stock is held through the bucket), plus the
      expected backorders, negligible at usual service levels, which keep the figure
      >= 0 when s is far too low. With constant demand d (and Q a multiple of d) the
      position after a review lies on the lattice s + d, s + 2d, ..., s + Q rather
      than uniform, which adds d/2 back: Q/2 + s - d L + B(L), exact.

    A min/max rule orders S - IP, so each order is Q plus the undershoot and the
    position after it is S: with random demand its position after a review is taken as
    S with probability w = E[U] / Q (at most 1) and uniform on (s, S) otherwise, which
    gives the renewal-theory mean s + Q/2 + E[U]/2 ([SPT] ch. 7 on (s, S) systems);
    B(P) becomes w sigma_P G((S - mu_P) / sigma_P) + (1 - w) B_uniform(P), the
    average on hand gains w Q / 2, and the mean order is Q + E[U].
    """
    shape = np.broadcast_shapes(
        *(np.shape(x) for x in (bucket_mean, bucket_sd, lead_time_buckets,
                                lead_time_sd_buckets, reorder_point, order_quantity))
    )  # fmt: skip
    mu, bucket_sd, lt, lt_sd, s, q = (
        np.broadcast_to(np.asarray(x, dtype=float), shape)
        for x in (bucket_mean, bucket_sd, lead_time_buckets, lead_time_sd_buckets,
                  reorder_point, order_quantity)
    )  # fmt: skip
    mm = np.zeros(shape, dtype=bool) if min_max is None else np.asarray(min_max, dtype=bool)
    mm = np.broadcast_to(mm, shape)
    safe_q = np.where(q > 0, q, 1.0)
    var_lt = mu * mu * lt_sd**2

    def over(p):
        return mu * p, np.sqrt(p * bucket_sd**2 + var_lt)

    mu_l, sd_l = over(lt)
    mu_l1, sd_l1 = over(lt + 1.0)
    b_l = _expected_backorders(mu_l, sd_l, s, q, safe_q)
    b_l1 = _expected_backorders(mu_l1, sd_l1, s, q, safe_q)
    safe_mu = np.where(mu > 0, mu, 1.0)
    u_mean = (bucket_sd**2 + mu * mu) / (2.0 * safe_mu)  # E[U] = E[d^2] / (2 mu)
    random = sd_l > 0

    w = np.where(mm & random, np.clip(u_mean / safe_q, 0.0, 1.0), 0.0)
    if np.any(w > 0):

        def at_max(mu_p, sd_p):
            sd = np.where(sd_p > 0, sd_p, 1.0)
            return sd * np.asarray(normal_loss((s + q - mu_p) / sd))

        b_l = (1.0 - w) * b_l + w * at_max(mu_l, sd_l)
        b_l1 = (1.0 - w) * b_l1 + w * at_max(mu_l1, sd_l1)
    lattice = q / 2.0 + s - mu_l + b_l
    spread = q / 2.0 + s - mu_l - mu / 2.0 + w * q / 2.0 + (b_l + b_l1) / 2.0
    on_hand = np.maximum(np.where(random, spread, lattice), 0.0)
    order = q + np.where(mm & random, u_mean, 0.0)

    # the service, once per SKU: random demand from the undershoot-aware periodic-review
    # model (exact for the (s, nQ) rule, renewal theory for min/max), the one the plan
    # uses; the rest (constant demand, no demand, missing inputs) by the closed forms
    csl, fill = np.full(shape, np.nan), np.full(shape, np.nan)
    ok = random & (mu > 0) & np.isfinite(s) & np.isfinite(q) & (q > 0)
    for kind, mask in (("sQ", ok & ~mm), ("sS", ok & mm)):
        if np.any(mask):
            got = periodic_service(
                s[mask],
                q[mask],
                demand_mean=mu[mask],
                demand_sd=bucket_sd[mask],
                lead_time_days=lt[mask],
                lead_time_sd_days=lt_sd[mask],
                review_period_days=1.0,
                policy=kind,
            )
            csl[mask] = got.cycle_service_level
            fill[mask] = got.fill_rate
    rest = ~ok
    if np.any(rest):
        csl[rest], fill[rest] = _approximate_service(
            *(x[rest] for x in (mu, bucket_sd, mu_l, sd_l, s, b_l, b_l1, u_mean))
        )

    calm = ~(mu > 0)
    csl = np.where(calm, 1.0, csl)
    fill = np.where(calm, 1.0, fill)
    on_hand = np.where(calm, q / 2.0 + s, on_hand)
    order = np.where(calm, q, order)
    nan = np.isnan(mu) | np.isnan(s) | np.isnan(q) | np.isnan(sd_l1)
    out = (csl, fill, on_hand, order)
    return tuple(np.where(nan, np.nan, x) for x in out)  # type: ignore[return-value]


def _approximate_service(mu, bucket_sd, mu_l, sd_l, s, b_l, b_l1, u_mean):
    """Cycle service and fill rate by the closed-form approximations of
    :func:`_analytic_service` (used where the periodic-review model is not: constant
    demand, Q <= 0, missing inputs); 1-D arrays of those SKUs only."""
    safe_mu = np.where(mu > 0, mu, 1.0)
    fill = np.clip(1.0 - (b_l1 - b_l) / safe_mu, 0.0, 1.0)
    m3 = mu**3 + 3.0 * mu * bucket_sd**2
    u_var = np.maximum(m3 / (3.0 * safe_mu) - u_mean**2, 0.0)
    sd_cycle = np.sqrt(sd_l**2 + u_var)
    random = sd_l > 0
    z = (s - mu_l - u_mean) / np.where(random, sd_cycle, 1.0)
    csl = np.where(random, special.ndtr(z), np.clip((s - mu_l) / safe_mu, 0.0, 1.0))
    return csl, fill


# ---------------------------------------------------------------------------- today's settings


def _float_column(items: pd.DataFrame, name: str) -> np.ndarray:
    if name not in items.columns:
        return np.full(len(items), np.nan)
    try:
        return items[name].to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise ValueError(f"items column {name!r} must be numeric [units]") from None


def _named(sku: pd.Index, bad: np.ndarray, values: np.ndarray | None = None) -> str:
    shown = sku[bad][:5]
    if values is None:
        text = ", ".join(map(str, shown))
    else:
        text = ", ".join(f"{k} ({v:g})" for k, v in zip(shown, values[bad][:5], strict=True))
    more = int(bad.sum()) - len(shown)
    return text + (f" and {more} more" if more > 0 else "")


def todays_settings(items: pd.DataFrame) -> pd.DataFrame:
    """Today's reorder settings of every SKU, read and checked.

    Parameters
    ----------
    items : pandas.DataFrame
        The items table (``sku`` column or index) with any of :data:`TODAY_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sku``: ``kind`` ("sQ" for a reorder point and order quantity,
        "minmax" for a min/max, "none" without settings), ``reorder_point`` s (the
        min) [units], ``order_quantity`` Q (max - min for a min/max) [units] and
        ``order_up_to`` (s + Q, the max) [units]; NaN for "none".

    Raises
    ------
    ValueError
        Naming the SKUs: a reorder point without an order quantity (or the other way
        round), a min without a max, both rules on one item, a negative reorder point
        or min, an order quantity <= 0, a max not above the min.
    """
    sku = pd.Index(items["sku"] if "sku" in items.columns else items.index, name="sku")
    sku = sku.astype(str)
    rop, q, lo, hi = (_float_column(items, c) for c in TODAY_COLUMNS)
    has_sq = ~np.isnan(rop) | ~np.isnan(q)
    has_mm = ~np.isnan(lo) | ~np.isnan(hi)
    problems = []
    for bad, msg in (
        (has_sq & has_mm, "has both a reorder point / order quantity and a min / max; keep one"),
        (np.isnan(q) & ~np.isnan(rop), "has a current_reorder_point but no current_order_quantity"),
        (np.isnan(rop) & ~np.isnan(q), "has a current_order_quantity but no current_reorder_point"),
        (np.isnan(hi) & ~np.isnan(lo), "has a current_min but no current_max"),
        (np.isnan(lo) & ~np.isnan(hi), "has a current_max but no current_min"),
    ):
        if np.any(bad):
            problems.append(f"SKU(s) {_named(sku, bad)} {msg}")
    for name, arr, ok, constraint in (
        ("current_reorder_point", rop, ~(rop < 0), ">= 0"),
        ("current_order_quantity", q, ~(q <= 0), "> 0"),
        ("current_min", lo, ~(lo < 0), ">= 0"),
    ):
        if not np.all(ok):
            problems.append(f"{name} must be {constraint} [units]; got {_named(sku, ~ok, arr)}")
    bad = ~(hi > lo) & ~np.isnan(hi) & ~np.isnan(lo)
    if np.any(bad):
        problems.append(
            f"current_max must be above current_min [units]; got max <= min for SKU(s) "
            f"{_named(sku, bad)}"
        )
    if problems:
        raise ValueError("today's settings in items: " + "; ".join(problems))
    kind = np.where(has_sq, "sQ", np.where(has_mm, "minmax", "none")).astype(object)
    s = np.where(has_sq, rop, lo)
    big_q = np.where(has_sq, q, hi - lo)
    return pd.DataFrame(
        {"kind": kind, "reorder_point": s, "order_quantity": big_q, "order_up_to": s + big_q},
        index=sku,
    )


# ---------------------------------------------------------------------------- evaluation


def _weighted(values: pd.Series, weights: pd.Series) -> float:
    ok = values.notna() & weights.notna()
    w = weights[ok]
    total = float(w.sum())
    if not ok.any():
        return np.nan
    if total <= 0:
        return float(values[ok].mean())
    return float((values[ok] * w).sum() / total)


def evaluate_policy(
    dataset: Any,
    scenario: Scenario | None = None,
    *,
    plan_df: pd.DataFrame | None = None,
    simulate: bool = True,
    method: str = "resample",
    horizon_days: float | None = None,
    warmup_days: float | None = None,
    seed: int = 0,
) -> PolicyEvaluation:
    """Today's reorder settings against the recommended plan, per SKU and per class.

    Parameters
    ----------
    dataset : workbench.Dataset
        The business; today's settings are its items' optional columns
        ``current_reorder_point`` and ``current_order_quantity`` (an (s, Q) rule) or
        ``current_min`` and ``current_max`` (a min/max rule) [units].
    scenario : Scenario, optional
        The recommendation's parameters (default ``Scenario()``); its policy must be
        "sQ" or "sS" with no review period (both are reviewed every bucket here).
    plan_df : pandas.DataFrame, optional
        ``wb.plan(dataset, scenario)`` if already computed (it is not recomputed).
    simulate : bool, default True
        Also simulate both policies (:func:`workbench.simulate`) on the same demand.
    method : {"resample", "replay"}, default "resample"
        Simulated demand: each bucket drawn from the SKU's own history ("resample",
        the simulator's "bootstrap") or the history as it happened ("replay").
    horizon_days : float, optional
        Length of the simulation [days] (turned into whole buckets of the dataset's
        frequency). Default: three years for "resample", the history for "replay".
    warmup_days : float, optional
        Days at the start left out of the simulated statistics [days]; default 91 (a
        quarter; at most a quarter of the horizon).
    seed : int, default 0
        Seed of the simulated demand; today's run and the recommended run use the same
        draws (common random numbers), so their difference has less noise than each.

    Returns
    -------
    PolicyEvaluation
        ``skus``, indexed by ``sku`` in items order, with ``name``, ``abc``,
        ``inventory_type``, ``unit_cost`` [$/unit], ``annual_demand`` [units/year];
        ``today_kind`` ("sQ", "minmax" or "none": no settings today) and
        ``recommended_kind``; for each of ``today_`` and ``recommended_``:
        ``reorder_point`` s, ``order_quantity`` Q (max - min for a min/max),
        ``order_up_to`` (s + Q: the max) [units], ``cycle_service`` and ``fill_rate``
        [fraction], ``average_stock`` [units], ``money`` (average stock x unit cost
        [$]), ``ordering_cost``, ``holding_cost`` and ``annual_cost`` [$/year]; the
        differences ``money_freed`` (today's money minus the recommended: + frees
        cash, - needs more) [$], ``cost_saving`` [$/year], ``fill_rate_change`` and
        ``cycle_service_change`` (recommended minus today [percentage points]: +
        service gained); and when simulated ``sim_today_fill_rate``,
        ``sim_today_cycle_service``, ``sim_today_average_stock`` [units],
        ``sim_today_money`` [$], ``sim_today_annual_cost`` [$/year], the same
        for ``sim_recommended_``, and ``sim_money_freed``, ``sim_fill_rate_change``.
        ``compared`` is True where both policies could be evaluated. A SKU without
        today's settings keeps NaN in every "today" and difference column (never $0
        or 100 %), and so does a SKU the plan could not plan.

        ``classes``, indexed by ABC class then ``"total"``: ``items``,
        ``items_with_settings``, ``compared``; sums over the compared SKUs of
        ``today_money``, ``recommended_money``, ``money_freed`` [$],
        ``today_annual_cost``, ``recommended_annual_cost``, ``cost_saving`` [$/year];
        annual-demand-weighted ``today_fill_rate``, ``recommended_fill_rate``,
        ``today_cycle_service``, ``recommended_cycle_service`` [fraction] and
        ``fill_rate_change``, ``cycle_service_change`` [points]; and the ``sim_``
        versions of the money and the fill rates when simulated.

        ``note``: "N of M items have today's settings" (and how many of them could
        not be compared).

    Raises
    ------
    ValueError
        If a setting is invalid (the SKUs are named, see :func:`todays_settings`),
        the scenario's policy is "RS" or has a review period, or ``method`` is unknown.

    Notes
    -----
    Both policies are evaluated by the same formulas (``_analytic_service``: the
    (s, nQ) rule reviewed every bucket with normal demand, its position after a review
    uniform on (s, s + Q], the undershoot of s in the cycle service; [SPT] ch. 6-7,
    [HW] ch. 4) with the lead time rounded to whole buckets as the simulator does, so
    the comparison is like for like. The plan's own ``expected_fill_rate`` and
    ``cycle_service_level`` (continuous review, no undershoot) are therefore not the
    ``recommended_`` figures here, which are usually a little lower. A
    min/max rule is taken as (s = min, Q = max - min): the position after an order
    is the max and falls to the min; its orders are Q plus the mean undershoot of the
    min ([SPT] ch. 7; see ``_analytic_service``). Annual cost = order cost x D /
    (mean order) + holding cost x average stock. The simulation runs every compared
    SKU with both policies (orders in whole units, no MOQ: the formulas' policy),
    starting at s + Q, with the plan's lead times, costs and the scenario's demand
    multiplier.

    Examples
    --------
    >>> import workbench as wb
    >>> ds = wb.sample_dataset(n_skus=80, years=1, seed=3)
    >>> ev = wb.evaluate_policy(ds, simulate=False)
    >>> ev.note.endswith("items have today's settings")
    True
    >>> tot = ev.classes.loc["total"]
    >>> bool(abs(tot["money_freed"] - (tot["today_money"] - tot["recommended_money"])) < 1e-6)
    True
    >>> sorted(ev.skus["today_kind"].unique())
    ['minmax', 'none', 'sQ']
    """
    sc = scenario if scenario is not None else Scenario()
    if not isinstance(sc, Scenario):
        raise ValueError(f"scenario must be a Scenario or None; got {type(sc).__name__}")
    if sc.policy not in ("sQ", "sS") or sc.review_period_days > 0:
        raise ValueError(
            "evaluate_policy compares policies reviewed every bucket: scenario.policy must be "
            f"'sQ' or 'sS' with review_period_days 0; got policy={sc.policy!r}, "
            f"review_period_days={sc.review_period_days!r}"
        )
    if method not in EVALUATE_METHODS:
        raise ValueError(f"method must be one of {EVALUATE_METHODS}; got {method!r}")
    items = dataset.items
    today = todays_settings(items)
    p = plan_df if plan_df is not None else plan(dataset, sc)
    p = p.set_axis(p.index.astype(str))
    if not p.index.equals(today.index):
        p = p.reindex(today.index)
    sku = today.index
    n = len(sku)

    def col(frame: pd.DataFrame, name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=float, na_value=np.nan)

    freq = dataset.demand_frequency
    b = BUCKET_DAYS[freq]
    mu = col(p, "daily_mean") * b
    sd = col(p, "daily_sd") * np.sqrt(b)
    lt_days = col(p, "lead_time_days")
    lt = np.maximum(np.rint(lt_days / b), 1.0)
    lt = np.where(np.isnan(lt_days), np.nan, lt)
    lt_sd = col(p, "lead_time_sd_days") / b
    cost = col(p, "unit_cost")
    annual = col(p, "annual_demand")
    order_cost = col(p, "order_cost")
    hold = col(p, "holding_cost")

    rec_s = col(p, "reorder_point")
    rec_q = col(p, "order_quantity")
    rec_kind = np.where(np.isnan(rec_s), "none", "sQ" if sc.policy == "sQ" else "minmax")
    has_today = (today["kind"] != "none").to_numpy()
    t_s, t_q = col(today, "reorder_point"), col(today, "order_quantity")

    out = pd.DataFrame(index=sku)
    for name in ("name", "abc", "inventory_type"):
        out[name] = p[name].to_numpy() if name in p.columns else pd.NA
    out["unit_cost"] = cost
    out["annual_demand"] = annual
    out["today_kind"] = today["kind"].to_numpy()
    out["recommended_kind"] = rec_kind.astype(object)
    for who, s, q, kinds in (
        ("today", t_s, t_q, today["kind"].to_numpy()),
        ("recommended", rec_s, rec_q, rec_kind),
    ):
        csl, fill, stock, mean_order = _analytic_service(
            bucket_mean=mu,
            bucket_sd=sd,
            lead_time_buckets=lt,
            lead_time_sd_buckets=lt_sd,
            reorder_point=s,
            order_quantity=q,
            min_max=kinds == "minmax",
        )
        orders = np.zeros(n)
        np.divide(annual, mean_order, out=orders, where=mean_order > 0)
        ordering = np.where(annual > 0, order_cost * orders, 0.0)
        ordering = np.where(np.isnan(q) | np.isnan(annual), np.nan, ordering)
        holding = hold * stock
        out[f"{who}_reorder_point"] = s
        out[f"{who}_order_quantity"] = q
        out[f"{who}_order_up_to"] = s + q
        out[f"{who}_cycle_service"] = csl
        out[f"{who}_fill_rate"] = fill
        out[f"{who}_average_stock"] = stock
        out[f"{who}_money"] = stock * cost
        out[f"{who}_ordering_cost"] = ordering
        out[f"{who}_holding_cost"] = holding
        out[f"{who}_annual_cost"] = ordering + holding
    compared = (
        has_today
        & out["today_money"].notna().to_numpy()
        & out["recommended_money"].notna().to_numpy()
    )
    out["compared"] = compared

    def diff(a: str, c: str, scale: float = 1.0) -> np.ndarray:
        return np.where(compared, (out[a].to_numpy() - out[c].to_numpy()) * scale, np.nan)

    out["money_freed"] = diff("today_money", "recommended_money")
    out["cost_saving"] = diff("today_annual_cost", "recommended_annual_cost")
    out["fill_rate_change"] = diff("recommended_fill_rate", "today_fill_rate", 100.0)
    out["cycle_service_change"] = diff("recommended_cycle_service", "today_cycle_service", 100.0)
    today_cols = [c for c in out.columns if c.startswith("today_") and c != "today_kind"]
    out.loc[~has_today, today_cols] = np.nan

    settings: dict[str, Any] = {
        "scenario": sc.name,
        "frequency": freq,
        "lead_time_buckets": "lead time / bucket, rounded, at least 1 (as the simulator)",
        "simulated": bool(simulate),
        "method": method,
        "seed": seed,
    }
    if simulate and compared.any():
        _simulate_both(dataset, sc, p, out, compared, lt_days, method, horizon_days,
                       warmup_days, seed, settings)  # fmt: skip

    n_set = int(has_today.sum())
    note = f"{n_set} of {n} items have today's settings"
    not_compared = n_set - int(compared.sum())
    if not_compared:
        note += f"; {not_compared} of them could not be compared (no plan: a missing input)"
    return PolicyEvaluation(out, _class_totals(out, has_today), note, settings)


def _simulate_both(
    dataset, sc, p, out, compared, lt_days, method, horizon_days, warmup_days, seed, settings
) -> None:
    from .sim.simulate import simulate as run

    freq = dataset.demand_frequency
    b = BUCKET_DAYS[freq]
    per_year = BUCKETS_PER_YEAR[freq]
    skus = out.index[compared]
    if horizon_days is None:
        days = None if method == "replay" else _DEFAULT_HORIZON_DAYS
    else:
        if not (np.isfinite(horizon_days) and horizon_days > 0):
            raise ValueError(f"horizon_days must be > 0 [days]; got {horizon_days!r}")
        days = horizon_days
    if days is not None:
        days = max(round(days / b), 2)
    else:
        start, end = dataset.demand_period
        days = max(round(((end - start).days + 1) / b), 2)
    warm = _WARMUP_DAYS if warmup_days is None else warmup_days
    if not (np.isfinite(warm) and warm >= 0):
        raise ValueError(f"warmup_days must be >= 0 [days]; got {warmup_days!r}")
    warm = min(round(warm / b), days // 4)

    demand = dataset
    if sc.demand_multiplier != 1.0:
        table = dataset.demand
        demand = table.assign(quantity=table["quantity"] * sc.demand_multiplier)
    cost = out.loc[skus, "unit_cost"].to_numpy(dtype=float)
    hold = p.loc[skus, "holding_cost"].to_numpy(dtype=float)
    rate = np.divide(hold, cost, out=np.zeros(len(skus)), where=cost > 0)
    common = dict(
        skus=list(skus),
        days=days,
        demand_model="replay" if method == "replay" else "bootstrap",
        lead_time_days=lt_days[compared],
        lead_time_sd_days=p.loc[skus, "lead_time_sd_days"].to_numpy(dtype=float),
        unit_cost=cost,
        holding_cost_rate=rate,
        order_cost=p.loc[skus, "order_cost"].to_numpy(dtype=float),
        min_order_qty=0.0,
        pack_size=1.0,
        warmup_days=warm,
        frequency=freq,
        progress=False,
    )
    years = (days - warm) / per_year
    for who in ("today", "recommended"):
        kind = out.loc[skus, f"{who}_kind"].to_numpy()
        res = run(
            demand,
            policy=np.where(kind == "minmax", "sS", "sQ"),
            reorder_point=out.loc[skus, f"{who}_reorder_point"].to_numpy(dtype=float),
            order_quantity=out.loc[skus, f"{who}_order_quantity"].to_numpy(dtype=float),
            order_up_to=out.loc[skus, f"{who}_order_up_to"].to_numpy(dtype=float),
            rng=seed,
            **common,
        )
        s = res.summary.reindex(skus)
        for name, src in (
            ("fill_rate", "fill_rate"),
            ("cycle_service", "cycle_service_level"),
            ("average_stock", "avg_on_hand"),
            ("money", "avg_on_hand_value"),
        ):
            out.loc[skus, f"sim_{who}_{name}"] = s[src].to_numpy(dtype=float)
        annual_cost = (s["ordering_cost"] + s["holding_cost"]).to_numpy(dtype=float) / years
        out.loc[skus, f"sim_{who}_annual_cost"] = annual_cost
    out["sim_money_freed"] = out["sim_today_money"] - out["sim_recommended_money"]
    out["sim_fill_rate_change"] = 100.0 * (
        out["sim_recommended_fill_rate"] - out["sim_today_fill_rate"]
    )
    settings.update(horizon_buckets=days, warmup_buckets=warm, simulated_skus=len(skus))


def _class_totals(out: pd.DataFrame, has_today: np.ndarray) -> pd.DataFrame:
    abc = out["abc"].astype(object).where(out["abc"].notna(), "?")
    labels = list(out["abc"].cat.categories) if hasattr(out["abc"], "cat") else sorted(set(abc))
    rows = {}
    groups = [(c, (abc == c).to_numpy()) for c in labels] + [("total", np.ones(len(out), bool))]
    sim = "sim_today_fill_rate" in out.columns
    for label, member in groups:
        sel = out[member & out["compared"].to_numpy()]
        w = sel["annual_demand"]
        row: dict[str, Any] = {
            "items": int(member.sum()),
            "items_with_settings": int((member & has_today).sum()),
            "compared": len(sel),
        }
        for name in ("money", "annual_cost"):
            for who in ("today", "recommended"):
                row[f"{who}_{name}"] = float(sel[f"{who}_{name}"].sum())
        row["money_freed"] = row["today_money"] - row["recommended_money"]
        row["cost_saving"] = row["today_annual_cost"] - row["recommended_annual_cost"]
        for name in ("fill_rate", "cycle_service"):
            for who in ("today", "recommended"):
                row[f"{who}_{name}"] = _weighted(sel[f"{who}_{name}"], w)
            row[f"{name}_change"] = 100.0 * (row[f"recommended_{name}"] - row[f"today_{name}"])
        if sim:
            for who in ("today", "recommended"):
                row[f"sim_{who}_money"] = float(sel[f"sim_{who}_money"].sum())
                row[f"sim_{who}_fill_rate"] = _weighted(sel[f"sim_{who}_fill_rate"], w)
            row["sim_money_freed"] = row["sim_today_money"] - row["sim_recommended_money"]
            row["sim_fill_rate_change"] = 100.0 * (
                row["sim_recommended_fill_rate"] - row["sim_today_fill_rate"]
            )
        if not len(sel):  # nothing to compare: no reassuring $0 and 100 %
            for k in row:
                if k not in ("items", "items_with_settings", "compared"):
                    row[k] = np.nan
        rows[label] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "abc"
    return frame
