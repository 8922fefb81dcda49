"""Demand over a (random) number of days as a pmf matrix, one row per SKU.

The lead-time demand has mean mu_d L and variance L sigma_d^2 + mu_d^2 sigma_LT^2
([SPT] ch. 6), or the model's distribution compounded over a gamma lead time
(:func:`workbench.policy.compound_pmf`). Discrete SKUs whose demand over L + R reaches
beyond :data:`_PMF_LIMIT` units count it in steps of h = ceil(top / 1,000) units, so
the pmf stays short.

References
----------
.. [SPT] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
   Management in Supply Chains*, 4th ed., CRC Press, 2017, ch. 6.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from scipy import special

from ..policy.distributions import (
    _empirical_day_pmf,
    compound_pmf,
    gamma_pmf,
    lead_time_demand_distribution,
    lead_time_pmf,
)

#: Demand over L + R [units] beyond which a discrete model counts demand in steps of
#: several units (a pmf of so many cells would cost time and memory).
_PMF_LIMIT = 1000.0


#: Days beyond which a lead-time pmf is not built (the SKU's lead-time demand is computed
#: as normal): a century, far above any real lead time, well within memory.
_LEAD_TIME_PMF_LIMIT = 36500.0


def _lead_time_upper(lt: np.ndarray, lt_sd: np.ndarray) -> np.ndarray:
    """The 1 - 1e-9 quantile of the gamma lead time with mean ``lt`` and sd ``lt_sd``
    [days] (``lt`` itself when fixed), the last day a lead-time pmf would cover."""
    random = (lt_sd > 0) & (lt > 0)
    with np.errstate(all="ignore"):
        shape = np.where(random, (lt / lt_sd) ** 2, 1.0)
        scale = np.where(random, lt_sd * lt_sd / lt, 1.0)
        upper = special.gammaincinv(shape, 1.0 - 1e-9) * scale
    return np.where(random, upper, lt)


def _ltd_moments(mu, sd, lt, lt_sd):
    """Mean and sd of demand over a (random) interval: mu L, sqrt(L sd^2 + mu^2 sd_L^2)."""
    return mu * lt, np.sqrt(lt * sd * sd + mu * mu * lt_sd * lt_sd)


def _history_of(g: np.ndarray, d: SimpleNamespace, dcls: SimpleNamespace) -> np.ndarray:
    """The daily demand history of SKUs ``g`` (after the demand multiplier)."""
    hist = dcls.history.quantity[dcls.rows[g]]
    return hist * d.m if d.m != 1.0 else hist


def _empirical_day(g, d, dcls, step=None) -> np.ndarray:
    """The empirical daily pmf of SKUs ``g`` from their history (``step``: in steps of
    that many units per SKU), as ``lead_time_demand_distribution("empirical")`` builds
    it: built once per group, it is compounded over the review period and the lead time."""
    if step is not None:
        step = np.asarray(step, dtype=float)
        if not np.all(step > 0):
            raise ValueError(f"step must be > 0 [units]; got {step}")
    if d.m != 1.0:  # the history scaled by the demand multiplier: a copy of its rows
        return _empirical_day_pmf(np.asarray(_history_of(g, d, dcls), dtype=float), step=step)
    # the group's rows read in place (a 10,000-SKU plan's groups copied 58 MB of them)
    return _empirical_day_pmf(dcls.history.quantity, step=step, rows=dcls.rows[g])


def _demand_pmf(kind, g, d, dcls, days, days_sd, daily=None, step=None, empirical_day=None):
    """pmf matrix of demand over ``days`` (sd ``days_sd``) for SKUs ``g`` under a model
    (``daily``: the model's daily pmf, when already built; ``step``: demand counted in
    steps of that many units per SKU, whole days summed, for large demand;
    ``empirical_day``: :func:`_empirical_day` of the group, when already built)."""
    days = np.broadcast_to(np.asarray(days, dtype=float), g.shape)
    days_sd = np.broadcast_to(np.asarray(days_sd, dtype=float), g.shape)
    if kind == "empirical":  # lead_time_demand_distribution("empirical")'s pmf, iid days
        day = _empirical_day(g, d, dcls, step) if empirical_day is None else empirical_day
        return compound_pmf(day, lead_time_pmf(days, days_sd), review_buckets=0)
    if step is not None:
        if daily is None:  # the family's daily mean and sd in steps, as a gamma on them
            sd = np.sqrt(d.mu[g]) if kind == "poisson" else d.sd[g]
            daily = gamma_pmf(d.mu[g] / step, sd / step)
        if np.all(days == 1.0) and not np.any(days_sd):
            return daily
        return compound_pmf(daily, lead_time_pmf(days, days_sd), review_buckets=0)
    if kind == "gamma":
        # whole-unit daily gamma demand summed over a (random) number of days: the
        # compound is one FFT, where a gamma per lead time in the support is hundreds
        daily = gamma_pmf(d.mu[g], d.sd[g]) if daily is None else daily
        if np.all(days == 1.0) and not np.any(days_sd):
            return daily  # one day (the daily review period)
        return compound_pmf(daily, lead_time_pmf(days, days_sd), review_buckets=0)
    if daily is not None and kind in ("poisson", "negbin") and np.any(days_sd > 0):
        # what lead_time_demand_distribution computes for a random lead time, the same
        # daily pmf (the family over one bucket) compounded, without building it again
        return compound_pmf(daily, lead_time_pmf(days, days_sd), review_buckets=0)
    return lead_time_demand_distribution(
        kind, bucket_mean=d.mu[g], bucket_sd=d.sd[g], lead_time_buckets=days,
        lead_time_sd_buckets=days_sd,
    ).pmf  # fmt: skip
