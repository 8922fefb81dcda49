"""(s, Q) and (s, S) reviewed every R days: the undershoot-aware reorder point.

The smallest s whose cycle service P(D_L + U <= s) or fill rate under periodic review
meets the target, U the undershoot below s at the review (E[U] ~ E[D_R^2] /
(2 E[D_R])): :func:`workbench.policy.periodic_reorder_point` for normal demand, its
pmf version (exact, whole units) for the discrete models, one call per model and size
class. "sS" keeps S - s = Q. :func:`_reorder_points` also dispatches "RS" to
:mod:`.order_up_to`.

References
----------
.. [SPT] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
   Management in Supply Chains*, 4th ed., CRC Press, 2017, ch. 6.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from ..policy.undershoot import periodic_reorder_point, periodic_reorder_point_pmf
from .demand_pmf import (
    _LEAD_TIME_PMF_LIMIT,
    _PMF_LIMIT,
    _demand_pmf,
    _empirical_day,
    _lead_time_upper,
    _ltd_moments,
)
from .order_up_to import _order_up_to_group

if TYPE_CHECKING:  # the stages take a Scenario; scenario.py imports them
    from ..scenario import Scenario

#: Daily demand [units/day] below which a SKU is planned as having no demand.
NEGLIGIBLE_DEMAND = 1e-9

#: SKUs from which a plan computes its model and size groups on several threads (up to
#: :data:`_MAX_THREADS`, at most the cores): the groups of a 10,000-SKU plan take about
#: a second of CPU; a small plan (the dashboard's) is not worth a thread.
_THREADED_SKUS = 2000
_MAX_THREADS = 4


def _reorder_points(
    sc: Scenario,
    d: SimpleNamespace,
    it: SimpleNamespace,
    q: np.ndarray,
    target: np.ndarray,
    dcls: SimpleNamespace,
) -> SimpleNamespace:
    """s, S, safety stock, E[U] and the service they deliver, grouped by model.

    Each model's SKUs are computed by one vectorised call (the discrete ones per size
    class, so that one large SKU does not widen every pmf); no loop over SKUs.
    """
    n = len(q)
    r_eff = max(float(sc.review_period_days), 1.0)
    rs = sc.policy == "RS"
    interval = it.lt + (r_eff if rs else 0.0)
    mu_l, sd_l = _ltd_moments(d.mu, d.sd, interval, it.lt_sd)
    nan_in = (
        np.isnan(it.lt) | np.isnan(it.lt_sd) | np.isnan(d.mu) | (np.isnan(d.sd) & (d.mu > 0))
        | (np.isnan(q) & (not rs))
    )  # fmt: skip
    # demand below NEGLIGIBLE_DEMAND (a unit in millions of years) is no demand: the
    # reorder-point solvers cannot resolve it and would return noise
    risky = (d.mu > NEGLIGIBLE_DEMAND) & ~nan_in
    out = SimpleNamespace(
        s=np.full(n, np.nan), S=np.full(n, np.nan), undershoot=np.zeros(n),
        csl=np.full(n, np.nan), fill=np.full(n, np.nan), mu_l=mu_l, sd_l=sd_l,
        label=dcls.label.copy(), r_eff=r_eff,
    )  # fmt: skip
    # no demand: no risk, finite zeros (NaN inputs stay NaN)
    calm = ~risky & ~nan_in
    for arr, value in ((out.s, 0.0), (out.S, 0.0), (out.csl, 1.0), (out.fill, 1.0)):
        arr[calm] = value
    out.mu_l = np.where(calm, 0.0, np.where(nan_in & (d.mu > 0), np.nan, mu_l))
    out.sd_l = np.where(calm, 0.0, np.where(nan_in & (d.mu > 0), np.nan, sd_l))
    model = np.where(risky, dcls.model, "")
    top = mu_l + d.mu * r_eff + 10.0 * np.sqrt(sd_l**2 + d.sd**2 * r_eff) + 10.0
    # a discrete model whose demand over L + R reaches beyond _PMF_LIMIT units counts
    # demand in steps of h whole units (h = ceil(top / _PMF_LIMIT)), so its pmf stays as
    # short; the normal model, which understates the upper tail of skewed daily demand,
    # is not used in its place
    large = risky & (model != "normal") & ~(top <= _PMF_LIMIT)
    out.step = np.where(large, np.ceil(top / _PMF_LIMIT), 1.0)
    # a lead time whose pmf would span more than _LEAD_TIME_PMF_LIMIT days (a mean of
    # 4 days with an sd of 10 years reaches 17 million) is computed as normal too
    wide = (
        risky & (model != "normal") & ~(_lead_time_upper(it.lt, it.lt_sd) <= _LEAD_TIME_PMF_LIMIT)
    )
    model[wide] = "normal"
    out.label[wide] = "normal (long lead times)"
    out.step[wide] = 1.0  # the normal model needs no steps
    groups: list[tuple[str, np.ndarray, float]] = []  # (model, SKUs, cost estimate)
    for kind in ("normal", "gamma", "poisson", "negbin", "empirical"):
        idx = np.flatnonzero(model == kind)
        if not idx.size:
            continue
        if kind == "normal":
            groups.append((kind, idx, 0.0))
        else:  # size classes of a factor 2: a pmf matrix is as wide as its largest row
            size = np.where(large[idx], -1.0, np.floor(np.log2(top[idx])))
            for v in np.unique(size):
                g = idx[size == v]
                width = _PMF_LIMIT if v < 0 else 2.0 ** (v + 1)
                groups.append((kind, g, g.size * width))

    def run(group: tuple[str, np.ndarray, float]) -> None:
        kind, g, _ = group
        with np.errstate(under="ignore"):  # tails of pmfs and quadrature weights
            _group(kind, g, sc, d, it, q, r_eff, target, dcls, out)

    workers = min(len(groups), os.cpu_count() or 1, _MAX_THREADS)
    if workers < 2 or n < _THREADED_SKUS:
        for group in groups:
            run(group)
    else:
        # each group writes its own SKUs' entries of ``out`` only, so the threads share
        # nothing they write; numpy's array passes and the compiled loops (nogil) run
        # without the GIL. The costliest groups first, so the last to finish is small.
        with ThreadPoolExecutor(workers) as pool:
            for done in pool.map(run, sorted(groups, key=lambda grp: -grp[2])):
                del done
    return out


def _group(kind, g, sc, d, it, q, r_eff, target, dcls, out) -> None:
    if sc.policy == "RS":
        _order_up_to_group(kind, g, sc, d, it, r_eff, target, dcls, out)
    else:
        _reorder_point_group(kind, g, sc, d, it, q, r_eff, target, dcls, out)


def _reorder_point_group(kind, g, sc, d, it, q, r_eff, target, dcls, out) -> None:
    """(s, Q) or (s, S) reviewed every R_eff days: the undershoot-aware s for SKUs ``g``."""
    if kind == "normal":
        r = periodic_reorder_point(
            d.mu[g], d.sd[g], order_quantity=q[g], lead_time_days=it.lt[g],
            lead_time_sd_days=it.lt_sd[g], review_period_days=r_eff,
            service_level=target[g], service_type=sc.service_type, policy=sc.policy,
        )  # fmt: skip
    else:
        h = out.step[g]
        step = h if np.any(h > 1.0) else None  # counted in steps of h units (large demand)
        whole = step is not None or kind in ("empirical", "gamma")  # whole days, as simulated
        day = _empirical_day(g, d, dcls, step) if kind == "empirical" else None
        period = _demand_pmf(
            kind, g, d, dcls, round(r_eff) if whole else r_eff, 0, step=step, empirical_day=day
        )
        one_day = round(r_eff) == 1 if whole else r_eff == 1.0
        # the period's pmf is the daily one to compound over the lead time when R is a day
        # (an empirical pmf is built from the history again, with lead-time variability)
        daily = period if one_day and (step is not None or kind != "empirical") else None
        ltd = _demand_pmf(
            kind, g, d, dcls, it.lt[g], it.lt_sd[g], daily, step=step, empirical_day=day
        )
        r = periodic_reorder_point_pmf(
            period, order_quantity=np.maximum(np.rint(q[g] / h), 1.0), lead_time_demand_pmf=ltd,
            service_level=target[g], service_type=sc.service_type, policy=sc.policy,
        )  # fmt: skip
        r = r._replace(
            reorder_point=np.asarray(r.reorder_point) * h,
            expected_undershoot=np.asarray(r.expected_undershoot) * h,
        )
    out.s[g] = r.reorder_point
    out.S[g] = np.asarray(r.reorder_point) + q[g]
    out.undershoot[g] = r.expected_undershoot
    out.csl[g] = r.cycle_service_level
    out.fill[g] = r.fill_rate
