"""(R, S): the order-up-to level S covering demand over L + R.

S covers the demand over L + R (:func:`workbench.reorder_point` for normal demand,
:func:`workbench.policy.ltd_reorder_point` for the others) with the average order
mu_d R. Its cycle service counts replenishment cycles (receipt to receipt): a review
after no demand places no order, so with p0 = P(D_R = 0) the level must cover D_R given
D_R > 0 plus D_L (:func:`_cycle_ltd`); its fill rate removes the shortage already due
before the order arrives (:func:`_order_up_to_fill`).

References
----------
.. [SPT] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
   Management in Supply Chains*, 4th ed., CRC Press, 2017, ch. 6.
"""

from __future__ import annotations

import numpy as np

from .._numeric import row_dot
from ..data.stats import DAYS_PER_YEAR
from ..policy.distributions import (
    LeadTimeDemandDistribution,
    compound_pmf,
    gamma_pmf,
    lead_time_demand_distribution,
    lead_time_pmf,
    ltd_reorder_point,
    ltd_service,
    pmf_loss,
)
from ..policy.service import normal_loss, reorder_point
from .demand_pmf import _demand_pmf, _history_of, _ltd_moments


def _order_up_to_group(kind, g, sc, d, it, r_eff, target, dcls, out) -> None:
    """(R, S): S covers the demand over L + R for SKUs ``g``; the average order is mu_d R."""
    avg_order = d.mu[g] * r_eff
    ltd_l = None  # the lead-time demand pmf (discrete models)
    if kind == "normal":
        r = reorder_point(
            d.mu[g], d.sd[g], lead_time_days=it.lt[g] + r_eff, lead_time_sd_days=it.lt_sd[g],
            service_level=target[g], service_type=sc.service_type, order_quantity=avg_order,
            days_per_year=DAYS_PER_YEAR,
        )  # fmt: skip
        level = r.reorder_point
    else:
        h = out.step[g]
        step = h if np.any(h > 1.0) else None  # counted in steps of h units (large demand)
        lt_pmf = lead_time_pmf(it.lt[g], it.lt_sd[g])
        if kind == "empirical":
            ltd = lead_time_demand_distribution(
                "empirical", history=_history_of(g, d, dcls), lead_time=lt_pmf,
                review_buckets=round(r_eff), step=step,
            )  # fmt: skip
        elif step is not None:  # the family's daily mean and sd in steps, as a gamma on them
            sd = np.sqrt(d.mu[g]) if kind == "poisson" else d.sd[g]
            pmf = compound_pmf(gamma_pmf(d.mu[g] / h, sd / h), lt_pmf, review_buckets=round(r_eff))
            mean, sd_w = _ltd_moments(d.mu[g], sd, it.lt[g] + round(r_eff), it.lt_sd[g])
            ltd = LeadTimeDemandDistribution("gamma_discrete", mean / h, sd_w / h, pmf)
        elif kind == "gamma":  # whole-unit daily gammas over L + R: one FFT compound
            pmf = compound_pmf(gamma_pmf(d.mu[g], d.sd[g]), lt_pmf, review_buckets=round(r_eff))
            mean, sd = _ltd_moments(d.mu[g], d.sd[g], it.lt[g] + round(r_eff), it.lt_sd[g])
            ltd = LeadTimeDemandDistribution("gamma_discrete", mean, sd, pmf)
        else:
            ltd = lead_time_demand_distribution(
                kind, bucket_mean=d.mu[g], bucket_sd=d.sd[g], lead_time=lt_pmf,
                review_buckets=round(r_eff),
            )  # fmt: skip
        # a review after no demand orders nothing: per replenishment cycle (receipt to
        # receipt) the level must cover D_R given D_R > 0 plus D_L, not D_{L+R}
        zero = _demand_pmf(kind, g, d, dcls, round(r_eff), 0, step=step)[:, 0]
        ltd_l = _demand_pmf(kind, g, d, dcls, it.lt[g], it.lt_sd[g], step=step)
        cyc = _cycle_ltd(ltd, ltd_l, zero)
        r = ltd_reorder_point(
            cyc if sc.service_type == "cycle" else ltd, service_level=target[g],
            service_type=sc.service_type, order_quantity=avg_order / h,
        )  # fmt: skip
        r = r._replace(
            cycle_service_level=ltd_service(cyc, r.reorder_point).cycle_service_level,
            fill_rate=ltd_service(ltd, r.reorder_point, order_quantity=avg_order / h).fill_rate,
        )
        level = r.reorder_point * h
    out.s[g] = level
    out.S[g] = level
    out.csl[g] = r.cycle_service_level
    out.fill[g] = _order_up_to_fill(kind, g, d, it, dcls, level, avg_order, r, out.step[g], ltd_l)


def _cycle_ltd(
    ltd: LeadTimeDemandDistribution, ltd_l: np.ndarray, zero: np.ndarray
) -> LeadTimeDemandDistribution:
    """Demand an (R, S) level covers per replenishment cycle: D_R given D_R > 0, plus D_L.

    A cycle runs from one receipt to the next; a review after a period without demand
    orders nothing, so the cycle closed by an order spans the periods back to the
    previous order, of which only the last had demand. With p0 = P(D_R = 0), the pmf of
    D_{L+R} is p0 f_L + (1 - p0) f_{R+ + L}, so f_{R+ + L} = (f_{L+R} - p0 f_L) /
    (1 - p0). For demand on every day (p0 = 0) it is D_{L+R}, the textbook's.
    """
    a, b = ltd.pmf, ltd_l
    width = max(a.shape[1], b.shape[1])
    a = np.pad(a, ((0, 0), (0, width - a.shape[1])))
    b = np.pad(b, ((0, 0), (0, width - b.shape[1])))
    p0 = np.where(np.isfinite(zero), np.clip(zero, 0.0, 1.0), 0.0)[:, None]
    some = p0 < 1.0 - 1e-9
    c = np.where(some, (a - p0 * b) / np.where(some, 1.0 - p0, 1.0), a)
    c = np.maximum(c, 0.0)
    c /= np.where(c.sum(axis=1, keepdims=True) > 0, c.sum(axis=1, keepdims=True), 1.0)
    x = np.arange(width, dtype=float)
    mean = row_dot(c, x)
    sd = np.sqrt(np.maximum(row_dot(c, x * x) - mean * mean, 0.0))
    return LeadTimeDemandDistribution(ltd.kind, mean, sd, c)


def _order_up_to_fill(kind, g, d, it, dcls, level, avg_order, r, h=1.0, ltd_l=None) -> np.ndarray:
    """Fill rate of (R, S): 1 - (E[(D_{L+R} - S)^+] - E[(D_L - S)^+]) / (mu_d R).

    The textbook 1 - E[(D_{L+R} - S)^+] / (mu_d R) ([SPT] ch. 6), which S is chosen by,
    counts the shortage already due before the order arrives; the second term removes
    it, so the fill rate reported is what the simulator delivers and at least the target.
    """
    espc_lr = (1.0 - r.fill_rate) * avg_order
    if kind == "normal":
        mu_l, sd_l = _ltd_moments(d.mu[g], d.sd[g], it.lt[g], it.lt_sd[g])
        z = np.zeros_like(mu_l)
        np.divide(level - mu_l, sd_l, out=z, where=sd_l > 0)
        espc_l = np.where(sd_l > 0, sd_l * normal_loss(z), np.maximum(mu_l - level, 0.0))
    else:
        if ltd_l is None:
            step = h if np.any(h > 1.0) else None
            ltd_l = _demand_pmf(kind, g, d, dcls, it.lt[g], it.lt_sd[g], step=step)
        espc_l = pmf_loss(ltd_l, level / h) * h
    return np.clip(1.0 - np.maximum(espc_lr - espc_l, 0.0) / avg_order, 0.0, 1.0)
