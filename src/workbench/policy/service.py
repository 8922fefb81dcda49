"""Service levels, loss functions, lead-time demand, safety stock and reorder points.

The questions answered here are *how much safety stock* and *when to reorder*:

- :func:`normal_loss` and :func:`normal_loss_inverse`: the standard normal
  loss function G(z) = E[(Z - z)+] and its inverse, accurate to 1e-10 in z;
- :func:`poisson_loss` and :func:`poisson_service_level`: the same for
  Poisson (slow-moving, integer) demand;
- :func:`normal_loss2` and :func:`poisson_loss2`: the second-order loss functions
  (half the expected squared shortfall), which give the expected backorders of an
  (s, Q) policy (:func:`workbench.policy.pmf_loss2` does any discrete pmf);
- :func:`lead_time_demand`: mean and standard deviation of demand over the
  protection interval L + R from daily demand and lead-time statistics;
- :func:`reorder_point` and :func:`safety_stock`: the reorder point for a cycle
  service level (type 1) or a fill rate (type 2), normal or Poisson demand,
  with the achieved service measures returned alongside.

Every function is vectorized: inputs may be scalars, lists, NumPy arrays or
pandas Series, broadcast together; a Series in gives a Series out with its index.
One call handles one SKU or a million.

Conventions
-----------
Demand statistics are *per day* and lead times are in days. Costs, annual
demand and stockouts are *per year*, with ``days_per_year`` (default 365)
converting between the two. ``service_level`` is a fraction in (0, 1).

References
----------
.. [1] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
   Management in Supply Chains*, 4th ed., CRC Press, 2017, ch. 6 (individual
   items with probabilistic demand; "SPT").
.. [2] S. Nahmias and T. L. Olsen, *Production and Operations Analysis*, 7th ed.,
   Waveland, 2015, ch. 5 (inventory control subject to uncertain demand).
.. [3] J. Heizer, B. Render and C. Munson, *Operations Management*, 12th ed.,
   Pearson, 2017, ch. 12 (inventory management: probabilistic models and
   safety stock).
.. [4] L. V. Snyder and Z.-J. M. Shen, *Fundamentals of Supply Chain Theory*,
   2nd ed., Wiley, 2019, ch. 4-5 and appendix C (loss functions).
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import numpy as np
from scipy import special

from .._numeric import (
    broadcast,
    require,
    require_nonnegative,
    require_positive,
    require_probability,
)

__all__ = [
    "LeadTimeDemand",
    "ReorderPoint",
    "lead_time_demand",
    "normal_loss",
    "normal_loss2",
    "normal_loss_inverse",
    "poisson_loss",
    "poisson_loss2",
    "poisson_service_level",
    "reorder_point",
    "safety_stock",
]

_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_SQRT2 = np.sqrt(2.0)
_G0 = _INV_SQRT_2PI  # G(0) = phi(0)
_LOG_G0 = float(np.log(_G0))


# --------------------------------------------------------------------------- loss functions
def _normal_loss_parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (G(z), 1 - Phi(z)) computed without cancellation or underflow trouble.

    For z >= 0 both are evaluated as exp(-z^2/2) times a scaled factor built on
    ``erfcx`` (the scaled complementary error function), so G keeps full relative
    accuracy far into the tail. For z < 0 the identity G(z) = G(-z) - z is used.
    """
    z = np.asarray(z, dtype=float)
    a = np.abs(z)
    scaled_tail = 0.5 * special.erfcx(a / _SQRT2)  # (1 - Phi(a)) * exp(a^2/2)
    scaled_loss = np.maximum(_INV_SQRT_2PI - a * scaled_tail, 0.0)  # G(a) * exp(a^2/2)
    with np.errstate(over="ignore"):  # |z| > 1e154: a * a overflows to inf, exp gives 0
        damp = np.exp(-0.5 * a * a)
    loss_a = damp * scaled_loss
    tail_a = damp * scaled_tail
    neg = z < 0
    loss = np.where(neg, loss_a + a, loss_a)
    tail = np.where(neg, 1.0 - tail_a, tail_a)
    return loss, tail


def normal_loss(z: Any) -> Any:
    """Standard normal loss function G(z), the expected shortfall beyond z.

    Parameters
    ----------
    z : numeric
        Safety factor [standard deviations], the textbook's *z* or *k*.

    Returns
    -------
    numeric
        G(z) = E[(Z - z)+] for a standard normal Z [standard deviations],
        same type and shape as ``z``.

    Notes
    -----
    .. math:: G(z) = \\phi(z) - z\\,(1 - \\Phi(z))

    G_u(k) in SPT [1]_; L(z) in Nahmias [2]_. The
    expected number of units short per replenishment cycle is sigma_L G(k).
    Computed as exp(-z^2/2) times a factor built on ``scipy.special.erfcx`` so
    that values far in the tail (z = 10 gives 7.5e-25) keep their relative
    accuracy; for z < 0 the identity G(z) = G(-z) - z is used.

    References
    ----------
    .. [1] Silver, Pyke and Thomas (2017), sec. 6.7 and appendix B.
    .. [2] Nahmias and Olsen (2015), sec. 5.4 and the loss table.

    Examples
    --------
    The standard normal loss table (SPT appendix; Nahmias table A-4): G(1.0) = 0.0833.

    >>> round(normal_loss(1.0), 5)
    0.08332
    >>> normal_loss([0.0, 2.0]).round(5)
    array([0.39894, 0.00849])
    """
    b = broadcast(z=z)
    loss, _ = _normal_loss_parts(b["z"])
    return b.wrap(loss, "normal_loss")


def _normal_loss2(z: np.ndarray) -> np.ndarray:
    """Standard normal second-order loss G2(z) = E[((Z - z)+)^2] / 2, elementwise.

    For z >= 0 from 1/2 [(1 + z^2)(1 - Phi(z)) - z phi(z)], both terms carrying the
    factor exp(-z^2/2) (via ``erfcx``); for z < 0 from G2(z) = (1 + z^2)/2 - G2(-z).
    """
    z = np.asarray(z, dtype=float)
    a = np.abs(z)
    scaled_tail = 0.5 * special.erfcx(a / _SQRT2)  # (1 - Phi(a)) exp(a^2/2)
    bracket = np.maximum((1.0 + a * a) * scaled_tail - a * _INV_SQRT_2PI, 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        damp = np.exp(-0.5 * a * a)
        upper = 0.5 * damp * bracket
        upper = np.where(damp == 0.0, 0.0, upper)
    return np.where(z < 0, 0.5 * (1.0 + a * a) - upper, upper)


def normal_loss2(x: Any, *, mean: Any = 0.0, sd: Any = 1.0) -> Any:
    """Second-order normal loss function, half the expected squared shortfall beyond x.

    Parameters
    ----------
    x : numeric
        Stock level [units] (with the defaults ``mean=0``, ``sd=1``: the safety factor z
        [standard deviations]).
    mean : numeric, default 0
        Mean of the normal demand [units], mu.
    sd : numeric, default 1
        Standard deviation of the normal demand [units], sigma. Must be >= 0.

    Returns
    -------
    numeric
        n2(x) = E[((X - x)+)^2] / 2 for X ~ N(mu, sigma^2) [units^2]; with the defaults
        the standardised G2(z) [standard deviations^2].

    Raises
    ------
    ValueError
        If any ``sd`` < 0.

    Notes
    -----
    .. math::

        G^{(2)}(z) = \\tfrac12\\left[(1 + z^2)(1 - \\Phi(z)) - z\\,\\phi(z)\\right],\\qquad
        n^{(2)}(x) = \\sigma^2\\, G^{(2)}\\!\\left(\\frac{x - \\mu}{\\sigma}\\right)

    Snyder and Shen [4]_ appendix C; Zipkin [5]_ appendix C. It is the
    integral of the first-order loss, n2(x) = int_x^inf n(y) dy, so that the expected
    backorders of a continuous-review (r, Q) policy with normal lead-time demand are
    B(r, Q) = [n2(r) - n2(r + Q)] / Q (Zipkin ch. 6; Snyder and Shen ch. 5).
    For z < 0 the identity G2(z) + G2(-z) = (1 + z^2)/2 is used; ``sd`` = 0 gives
    ((mu - x)+)^2 / 2.

    References
    ----------
    .. [4] Snyder and Shen (2019), appendix C.
    .. [5] P. H. Zipkin, *Foundations of Inventory Management*, McGraw-Hill, 2000,
       appendix C.

    Examples
    --------
    G2(0) = 1/4; for N(8, 3^2) at x = 11, n2 = 9 G2(1) = 0.339029 (the value in the test
    suite of Snyder's stockpyl, ``test_loss_functions.py``).

    >>> normal_loss2(0.0)
    0.25
    >>> round(normal_loss2(11.0, mean=8.0, sd=3.0), 6)
    0.339029
    """
    b = broadcast(x=x, mean=mean, sd=sd)
    require_nonnegative("sd", b["sd"], "units")
    sd_ = b["sd"]
    pos = sd_ > 0
    safe = np.where(pos, sd_, 1.0)
    z = (b["x"] - b["mean"]) / safe
    point = 0.5 * np.maximum(b["mean"] - b["x"], 0.0) ** 2  # sd = 0: all mass at the mean
    out = np.where(pos, sd_ * sd_ * _normal_loss2(z), point)
    return b.wrap(out, "normal_loss2")


@functools.cache
def _inverse_tables() -> tuple[np.ndarray, np.ndarray]:
    """Tables of z on uniform grids, built once, for a search-free starting guess.

    Left branch (loss < G(0)): z against u = sqrt(-2 ln(loss sqrt(2 pi))), which runs
    from 0 (z = 0) to ~38.6 and along which z is smooth (z ~ G(0) u^2 near 0, z ~ u far
    out). Right branch (G(0) <= loss <= 10): z against loss itself. Both are filled by
    interpolating a dense forward evaluation of G.
    """
    z = np.linspace(0.0, 37.5, 375_001)
    with np.errstate(divide="ignore"):
        u = np.sqrt(np.maximum(-2.0 * np.log(_normal_loss_parts(z)[0] / _INV_SQRT_2PI), 0.0))
    left = np.interp(np.arange(0.0, u[-1], _U_STEP), u, z)
    zr = np.linspace(0.0, -10.0, 100_001)  # decreasing z, so G increases as np.interp needs
    right = np.interp(np.arange(_G0, 10.0 + _L_STEP, _L_STEP), _normal_loss_parts(zr)[0], zr)
    return left, right


_U_STEP = 1e-3
_L_STEP = 1e-3


def _table_lookup(table: np.ndarray, pos: np.ndarray) -> np.ndarray:
    i = np.clip(np.floor(pos), 0, table.size - 2).astype(np.intp)
    frac = np.clip(pos - i, 0.0, 1.0)
    return table[i] + frac * (table[i + 1] - table[i])


def _normal_loss_inverse(loss: np.ndarray) -> np.ndarray:
    """Solve G(z) = loss for z (loss > 0), elementwise; NaN in gives NaN out."""
    loss = np.asarray(loss, dtype=float)
    z = np.full(loss.shape, np.nan)
    ok = np.isfinite(loss) & (loss > 0)
    target = loss[ok]
    if target.size == 0:
        return z
    log_target = np.log(target)
    # u = sqrt(-2 ln(loss sqrt(2 pi))): where phi(u) = loss, for loss < G(0)
    u = np.sqrt(np.maximum(-2.0 * (log_target - _LOG_G0), 0.0))
    big = target >= _G0
    # A bracket [lo, hi] with G(lo) >= loss >= G(hi), from G(z) >= max(0, -z),
    # G(z) = G(-z) - z and G(z) <= phi(z) / (1 + z^2):
    lo = np.where(big, -target, 0.0)
    hi = np.where(big, _G0 - target, np.maximum(u, 1.0))
    # Start from uniform tables (linear interpolation, error ~1e-7, no search); for
    # loss > 10, G(z) = -z to machine precision.
    left, right = _inverse_tables()
    x = np.empty_like(target)
    small_side = ~big
    x[small_side] = _table_lookup(left, u[small_side] / _U_STEP)
    x[big] = np.where(
        target[big] > 10.0, -target[big], _table_lookup(right, (target[big] - _G0) / _L_STEP)
    )
    np.clip(x, lo, hi, out=x)
    # Newton on the concave, decreasing f(z) = ln G(z) - ln(loss), safeguarded by the
    # bracket: a step that leaves [lo, hi] is replaced by bisection. The working arrays
    # shrink as elements converge; ``where`` maps them back.
    where = np.arange(target.size)
    out = x
    for _ in range(200):
        g, tail = _normal_loss_parts(x)
        with np.errstate(divide="ignore"):
            f = np.log(g) - log_target
        # f > 0 means G(x) > loss: the root lies to the right of x
        right_of_root = f <= 0
        lo = np.where(right_of_root, lo, x)
        hi = np.where(right_of_root, x, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = f * g / tail  # -f / f'(x), with f'(x) = -(1 - Phi(x)) / G(x)
        new = x + step
        outside = ~np.isfinite(new) | (new < lo) | (new > hi)
        if np.any(outside):
            new = np.where(outside, 0.5 * (lo + hi), new)
        # Newton converges quadratically: the error after a step of size d is at most
        # ~0.5 d^2 here (|f''/2f'| <= 0.5 for ln G), so d <= 1e-6 leaves < 1e-12
        done = (np.abs(step) <= 1e-6) & ~outside
        done |= hi - lo <= 1e-15 * np.maximum(1.0, np.abs(new))
        out[where] = new
        if np.all(done):
            break
        keep = ~done
        where, x, lo, hi, log_target = (a[keep] for a in (where, new, lo, hi, log_target))
    z[ok] = out
    return z


def normal_loss_inverse(loss: Any) -> Any:
    """Safety factor z whose standard normal loss G(z) equals ``loss``.

    Parameters
    ----------
    loss : numeric
        Target value of the standard normal loss function [standard deviations],
        e.g. Q (1 - beta) / sigma_L for a fill rate beta. Must be > 0.

    Returns
    -------
    numeric
        z with G(z) = loss, accurate to 1e-10 [standard deviations]. Negative
        when loss > G(0) = 0.39894.

    Raises
    ------
    ValueError
        If any ``loss`` is <= 0 (G is positive everywhere; loss 0 needs z = +inf).

    Notes
    -----
    G is positive, strictly decreasing and log-concave, so Newton's method on
    ln G(z) - ln(loss) converges monotonically; each step is safeguarded by a
    bracket [lo, hi] built from G(z) >= max(0, -z), G(z) = G(-z) - z and
    G(z) <= phi(z) / (1 + z^2), falling back to bisection. All SKUs are solved at
    once as arrays. This replaces the table look-up of SPT [1]_ sec. 6.7.

    References
    ----------
    .. [1] Silver, Pyke and Thomas (2017), sec. 6.7.

    Examples
    --------
    Nahmias's Harvey's Specialty Shop, 98 % fill rate with Q = 100 and
    sigma = 25: L(z) = 2 / 25 = 0.08 gives z = 1.02 (table value).

    >>> round(normal_loss_inverse(0.08), 4)
    1.0212
    """
    b = broadcast(loss=loss)
    require_positive("loss", b["loss"], "standard deviations")
    return b.wrap(_normal_loss_inverse(b["loss"]), "safety_factor")


def poisson_loss(s: Any, mean: Any) -> Any:
    """Expected units short E[(X - s)+] for Poisson demand X.

    Parameters
    ----------
    s : numeric
        Stock level or reorder point [units]; non-integers are allowed (X is
        integer, so the sum runs over x > s).
    mean : numeric
        Mean of the Poisson demand [units], lambda. Must be >= 0.

    Returns
    -------
    numeric
        E[(X - s)+] [units].

    Raises
    ------
    ValueError
        If ``mean`` < 0.

    Notes
    -----
    With m = floor(s), F the Poisson cdf and f its pmf,

    .. math:: n(s) = (\\lambda - s)(1 - F(m)) + \\lambda f(m)

    (the discrete first-order loss function of Snyder and Shen [1]_ appendix C for
    integer s; Nahmias [2]_ gives the same for discrete demand). For s < 0 it equals lambda - s.

    References
    ----------
    .. [1] Snyder and Shen (2019), appendix C.3.
    .. [2] Nahmias and Olsen (2015), sec. 5.5.

    Examples
    --------
    Poisson with mean 2, stock 3: E[(X-3)+] = (2 - 3)(1 - F(3)) + 2 f(3) = 0.21802.

    >>> round(poisson_loss(3, mean=2.0), 5)
    0.21802
    """
    b = broadcast(s=s, mean=mean)
    require_nonnegative("mean", b["mean"], "units")
    return b.wrap(_poisson_loss(b["s"], b["mean"]), "poisson_loss")


def _poisson_loss(s: np.ndarray, mean: np.ndarray) -> np.ndarray:
    m = np.floor(s)
    neg = m < 0
    tail = np.where(neg, 1.0, special.pdtrc(np.where(neg, 0.0, m), mean))  # P(X > m)
    # pmf at m, as scipy.stats.poisson.pmf computes it (0 for m < 0)
    with np.errstate(invalid="ignore"):
        log_pmf = special.xlogy(m, mean) - mean - special.gammaln(m + 1.0)
    pmf = np.where(neg, 0.0, np.exp(np.where(neg, 0.0, log_pmf)))
    return (mean - s) * tail + mean * pmf


def poisson_loss2(s: Any, mean: Any) -> Any:
    """Second-order Poisson loss function 1/2 E[(X - s)+ (X - s - 1)+].

    Parameters
    ----------
    s : numeric
        Integer stock level or reorder point [units]; may be negative (r = -1 is a valid
        (r, Q) reorder point).
    mean : numeric
        Mean of the Poisson demand [units], lambda. Must be >= 0.

    Returns
    -------
    numeric
        n2(s) [units^2].

    Raises
    ------
    ValueError
        If ``mean`` < 0 or ``s`` is not a whole number.

    Notes
    -----
    With F the Poisson cdf and f its pmf (0 below zero), Zipkin [5]_ appendix C:

    .. math:: n^{(2)}(s) = \\tfrac12\\left[\\left((s - \\lambda)^2 + s\\right)(1 - F(s))
              - \\lambda (s - \\lambda) f(s)\\right]

    It equals sum_{j > s} n(j) with n the first-order loss :func:`poisson_loss` (Snyder
    and Shen [4]_ appendix C), and gives the exact expected backorders of a
    continuous-review (r, Q) policy with Poisson lead-time demand,
    B(r, Q) = [n2(r) - n2(r + Q)] / Q (Zipkin ch. 6). :func:`workbench.policy.pmf_loss2`
    computes the same for any pmf.

    References
    ----------
    .. [4] Snyder and Shen (2019), appendix C.
    .. [5] Zipkin (2000), appendix C.

    Examples
    --------
    Poisson(15) at s = 18 (stockpyl's test value 0.848340302917794):

    >>> round(poisson_loss2(18, mean=15.0), 9)
    0.848340303
    """
    b = broadcast(s=s, mean=mean)
    require_nonnegative("mean", b["mean"], "units")
    sv = b["s"]
    require("s", sv, np.isnan(sv) | (sv == np.floor(sv)), "a whole number", "units")
    return b.wrap(_poisson_loss2(sv, b["mean"]), "poisson_loss2")


def _poisson_loss2(s: np.ndarray, mean: np.ndarray) -> np.ndarray:
    cdf = _poisson_cdf(s, mean)
    neg = s < 0
    with np.errstate(invalid="ignore", divide="ignore"):
        log_pmf = special.xlogy(s, mean) - mean - special.gammaln(np.where(neg, 0.0, s) + 1.0)
    pmf = np.where(neg, 0.0, np.exp(np.where(neg, 0.0, log_pmf)))
    d = s - mean
    # 1 - F from pdtrc keeps the far tail's relative accuracy
    upper = np.where(neg, 1.0, special.pdtrc(np.where(neg, 0.0, s), mean))
    upper = np.where(np.isnan(cdf), np.nan, upper)
    out = 0.5 * ((d * d + s) * upper - mean * d * pmf)
    return np.maximum(out, 0.0)


def _poisson_cdf(s: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """P(X <= s) for Poisson X, as ``scipy.stats.poisson.cdf`` (0 below 0, NaN in, NaN out),
    from ``scipy.special.pdtr`` so that importing the package does not load scipy.stats."""
    s = np.asarray(s, dtype=float)
    mean = np.asarray(mean, dtype=float)
    k = np.floor(s)
    with np.errstate(invalid="ignore"):
        cdf = special.pdtr(np.maximum(k, 0.0), mean)
    cdf = np.where(k < 0, 0.0, cdf)
    return np.where(np.isnan(s) | np.isnan(mean), np.nan, cdf)


def poisson_service_level(s: Any, mean: Any) -> Any:
    """Cycle service level P(X <= s) of stock level ``s`` against Poisson demand.

    Parameters
    ----------
    s : numeric
        Reorder point or order-up-to level [units].
    mean : numeric
        Mean of the Poisson demand over the protection interval [units]. >= 0.

    Returns
    -------
    numeric
        Probability of no stockout in a replenishment cycle [fraction].

    Raises
    ------
    ValueError
        If ``mean`` < 0.

    Notes
    -----
    The type 1 service of a discrete reorder point: ordering when the inventory
    position reaches s, no stockout occurs before the order arrives if lead-time
    demand X <= s (Nahmias [1]_ sec. 5.5). The smallest s reaching a target
    alpha is ``scipy.stats.poisson.ppf(alpha, mean)``, as :func:`reorder_point` does.

    References
    ----------
    .. [1] Nahmias and Olsen (2015), sec. 5.5.

    Examples
    --------
    >>> round(poisson_service_level(4, mean=2.0), 4)
    0.9473
    """
    b = broadcast(s=s, mean=mean)
    require_nonnegative("mean", b["mean"], "units")
    return b.wrap(_poisson_cdf(b["s"], b["mean"]), "cycle_service_level")


# --------------------------------------------------------------------------- lead-time demand
class LeadTimeDemand(NamedTuple):
    """Demand over the protection interval (lead time plus review period).

    Attributes
    ----------
    mean : numeric
        Mean demand over L + R [units], mu_L.
    sd : numeric
        Standard deviation of demand over L + R [units], sigma_L.
    """

    mean: Any
    sd: Any


def _check_demand(b) -> None:
    require_nonnegative("demand_mean", b["demand_mean"], "units/day")
    require_nonnegative("demand_sd", b["demand_sd"], "units/day")
    require_positive("lead_time_days", b["lead_time_days"], "days")
    require_nonnegative("lead_time_sd_days", b["lead_time_sd_days"], "days")
    require_nonnegative("review_period_days", b["review_period_days"], "days")


def _ltd(mu, sd, lt, lt_sd, rp) -> tuple[np.ndarray, np.ndarray]:
    interval = lt + rp
    mean = mu * interval
    var = interval * sd * sd + mu * mu * lt_sd * lt_sd
    return mean, np.sqrt(var)


def lead_time_demand(
    demand_mean: Any,
    demand_sd: Any,
    *,
    lead_time_days: Any,
    lead_time_sd_days: Any = 0.0,
    review_period_days: Any = 0.0,
) -> LeadTimeDemand:
    """Mean and standard deviation of demand over the protection interval L + R.

    Parameters
    ----------
    demand_mean : numeric
        Mean daily demand [units/day], mu_d (d-bar in Heizer and Render).
    demand_sd : numeric
        Standard deviation of daily demand [units/day], sigma_d. Days are
        assumed independent.
    lead_time_days : numeric
        Mean replenishment lead time [days], L. Must be > 0.
    lead_time_sd_days : numeric, default 0
        Standard deviation of the lead time [days], sigma_LT.
    review_period_days : numeric, default 0
        Review period [days], R; 0 for continuous review. The protection
        interval is L + R.

    Returns
    -------
    LeadTimeDemand
        ``mean`` [units] and ``sd`` [units] of demand over L + R.

    Raises
    ------
    ValueError
        If a demand statistic, ``lead_time_sd_days`` or ``review_period_days`` is
        negative, or ``lead_time_days`` is not > 0.

    Notes
    -----
    .. math::

        \\mu_L = \\mu_d (L + R), \\qquad
        \\sigma_L^2 = (L + R)\\,\\sigma_d^2 + \\mu_d^2\\,\\sigma_{LT}^2

    The combined-variance formula of SPT [1]_, with the review period added for
    periodic review; Heizer and Render
    [2]_ give the three cases (variable demand, variable lead time, both). Only
    the lead time is random; the review period is fixed.

    References
    ----------
    .. [1] Silver, Pyke and Thomas (2017), sec. 6.10.1.
    .. [2] Heizer, Render and Munson (2017), ch. 12, "Other probabilistic models".

    Examples
    --------
    Heizer and Render, Circuit Town's 9-volt batteries: 150 packs a day (sd 16),
    lead time 5 days (sd 1): sigma_L = sqrt(5 * 16^2 + 150^2 * 1^2) = 154.2.

    >>> ltd = lead_time_demand(150, 16, lead_time_days=5, lead_time_sd_days=1)
    >>> ltd.mean, round(ltd.sd, 1)
    (750.0, 154.2)
    """
    b = broadcast(
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time_days=lead_time_days,
        lead_time_sd_days=lead_time_sd_days,
        review_period_days=review_period_days,
    )
    _check_demand(b)
    mean, sd = _ltd(
        b["demand_mean"],
        b["demand_sd"],
        b["lead_time_days"],
        b["lead_time_sd_days"],
        b["review_period_days"],
    )
    return LeadTimeDemand(b.wrap(mean, "lead_time_demand_mean"), b.wrap(sd, "lead_time_demand_sd"))


# --------------------------------------------------------------------------- reorder point
class ReorderPoint(NamedTuple):
    """Reorder point, safety stock and the service they deliver, per SKU.

    Attributes
    ----------
    reorder_point : numeric
        Reorder point [units], s = mu_L + k sigma_L (an integer for Poisson).
    safety_stock : numeric
        Safety stock [units], s - mu_L.
    safety_factor : numeric
        Safety factor [standard deviations of lead-time demand], k (z).
    lead_time_demand_mean : numeric
        Mean demand over the protection interval [units], mu_L.
    lead_time_demand_sd : numeric
        Standard deviation of demand over the protection interval [units], sigma_L.
    cycle_service_level : numeric
        Achieved probability of no stockout in a replenishment cycle [fraction].
    fill_rate : numeric
        Achieved fraction of demand met from stock, 1 - ESPC / Q [fraction]; NaN
        when ``order_quantity`` was not given.
    expected_shortage_per_cycle : numeric
        Expected units short per replenishment cycle [units], ESPC = sigma_L G(k).
    stockouts_per_year : numeric
        Expected stockout occasions per year [1/year], (1 - CSL) D / Q; NaN when
        ``order_quantity`` was not given.
    """

    reorder_point: Any
    safety_stock: Any
    safety_factor: Any
    lead_time_demand_mean: Any
    lead_time_demand_sd: Any
    cycle_service_level: Any
    fill_rate: Any
    expected_shortage_per_cycle: Any
    stockouts_per_year: Any


_SERVICE_TYPES = ("cycle", "fill_rate")
_DISTRIBUTIONS = ("normal", "poisson")


def _poisson_pmf(k, mean):
    """P(D = k) for integer k >= 0 and mean > 0 (cheaper than the cdf)."""
    return np.exp(k * np.log(mean) - mean - special.gammaln(k + 1.0))


def _poisson_quantile(cr, mean):
    """Smallest integer q >= 0 with P(D <= q) >= cr, and P(D <= q), vectorized.

    Starts from the Cornish-Fisher approximation (a unit or two from the answer), then
    steps with the pmf, so the costly cdf is evaluated once: far faster than scipy's
    ``poisson.ppf`` (which agrees on 10^6 random cases in the tests' range).
    """
    cr, mean = np.broadcast_arrays(np.asarray(cr, dtype=float), np.asarray(mean, dtype=float))
    shape = cr.shape
    cr, mean = cr.reshape(-1), mean.reshape(-1)
    z = special.ndtri(cr)
    with np.errstate(invalid="ignore"):
        start = np.floor(mean + z * np.sqrt(mean) + (z * z - 1.0) / 6.0)
    ok = np.isfinite(start) & (mean > 0)
    q = np.where(ok, np.maximum(start, 0.0), 0.0)
    cdf = np.ones_like(q)  # zero mean: all mass at 0
    idx = np.flatnonzero(ok)
    cdf[idx] = _poisson_cdf(q[idx], mean[idx])
    todo = idx[cdf[idx] < cr[idx]]
    while todo.size:  # step up while F(q) < cr
        q[todo] += 1.0
        cdf[todo] += _poisson_pmf(q[todo], mean[todo])
        todo = todo[cdf[todo] < cr[todo]]
    below = cdf - np.where(ok, _poisson_pmf(q, np.where(ok, mean, 1.0)), 0.0)  # F(q - 1)
    todo = idx[(q[idx] > 0) & (below[idx] >= cr[idx])]
    while todo.size:  # step down while F(q - 1) >= cr
        q[todo] -= 1.0
        cdf[todo] = below[todo]
        below[todo] = cdf[todo] - _poisson_pmf(q[todo], mean[todo])
        todo = todo[(q[todo] > 0) & (below[todo] >= cr[todo])]
    nan = ~(np.isfinite(cr) & np.isfinite(mean))
    q, cdf = np.where(nan, np.nan, q), np.where(nan, np.nan, np.minimum(cdf, 1.0))
    return q.reshape(shape), cdf.reshape(shape)


def _poisson_fill_rate_stock(mean: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Smallest integer s >= 0 with E[(X - s)+] <= allowed, X ~ Poisson(mean).

    The loss is decreasing in s. Start from the normal approximation
    s = ceil(mean + k sqrt(mean)) with G(k) = allowed / sqrt(mean), then step by one
    (up while infeasible, down while the next lower level is feasible) on the
    elements still moving.
    """
    shape = np.shape(mean)
    mean, allowed = np.ravel(mean), np.ravel(allowed)
    s = np.zeros(mean.shape)
    todo = np.flatnonzero(_poisson_loss(s, mean) > allowed)
    if todo.size == 0:
        return s.reshape(shape)
    m, a = mean[todo], allowed[todo]
    root = np.sqrt(m)
    k = _normal_loss_inverse(a / root)
    x = np.maximum(np.ceil(m + k * root), 0.0)
    idx = np.flatnonzero(_poisson_loss(x, m) > a)
    while idx.size:
        x[idx] += 1.0
        idx = idx[_poisson_loss(x[idx], m[idx]) > a[idx]]
    idx = np.flatnonzero(x > 0)
    idx = idx[_poisson_loss(x[idx] - 1.0, m[idx]) <= a[idx]]
    while idx.size:
        x[idx] -= 1.0
        idx = idx[x[idx] > 0]
        idx = idx[_poisson_loss(x[idx] - 1.0, m[idx]) <= a[idx]]
    s[todo] = x
    return s.reshape(shape)


def reorder_point(
    demand_mean: Any,
    demand_sd: Any,
    *,
    lead_time_days: Any,
    lead_time_sd_days: Any = 0.0,
    service_level: Any = 0.95,
    service_type: str = "cycle",
    order_quantity: Any = None,
    distribution: str = "normal",
    review_period_days: Any = 0.0,
    days_per_year: float = 365.0,
    clip_negative: bool | None = None,
) -> ReorderPoint:
    """Reorder point and safety stock for a cycle service level or a fill rate.

    Parameters
    ----------
    demand_mean : numeric
        Mean daily demand [units/day], mu_d.
    demand_sd : numeric
        Standard deviation of daily demand [units/day], sigma_d. Ignored when
        ``distribution="poisson"`` (a Poisson variance equals its mean).
    lead_time_days : numeric
        Mean replenishment lead time [days], L. Must be > 0.
    lead_time_sd_days : numeric, default 0
        Standard deviation of the lead time [days], sigma_LT. Must be 0 for
        Poisson demand (demand over a random lead time is not Poisson).
    service_level : numeric, default 0.95
        Target [fraction in (0, 1)]: the cycle service level alpha (P1, type 1)
        or the fill rate beta (P2, type 2), per ``service_type``.
    service_type : {"cycle", "fill_rate"}, default "cycle"
        ``"cycle"``: probability of no stockout per replenishment cycle.
        ``"fill_rate"``: fraction of demand met from stock; needs ``order_quantity``.
    order_quantity : numeric, optional
        Order quantity [units], Q. Required (> 0) for ``"fill_rate"``; with it the
        achieved fill rate and stockouts per year are reported for either type.
    distribution : {"normal", "poisson"}, default "normal"
        Lead-time demand distribution. Poisson suits slow movers: the reorder
        point is the smallest integer meeting the target.
    review_period_days : numeric, default 0
        Review period [days], R; the protection interval becomes L + R (periodic
        review; then Q is the average order, mu_d R).
    days_per_year : float, default 365
        Days in a year [days/year], converting daily demand into annual demand D
        for the stockouts per year.
    clip_negative : bool, optional
        Whether a *negative* safety stock (reorder point below the lead-time demand
        mean) is raised to zero safety stock. Default (None): for normal demand yes,
        because low fill-rate targets with large Q call for k < 0 where the textbook
        formula is poor (SPT [1]_ sec. 6.7.5), and the returned service measures are
        the ones actually achieved (above target); for Poisson demand no, the reorder
        point is the smallest integer meeting the target, as in the newsvendor (a slow
        mover with mean 0.05 at 95 % gets 0, which already gives 0.951). ``True``
        clips both (Poisson: up to the mean's ceiling); ``False`` clips neither.

    Returns
    -------
    ReorderPoint
        Reorder point, safety stock, safety factor, lead-time demand mean and sd,
        achieved cycle service level and fill rate, expected shortage per cycle
        and stockouts per year (NamedTuple; see :class:`ReorderPoint`).

    Raises
    ------
    ValueError
        If ``service_level`` is outside (0, 1); a demand or lead-time sd is
        negative; ``lead_time_days`` is not > 0; ``order_quantity`` is missing or
        not > 0 for a fill rate; ``service_type`` or ``distribution`` is unknown;
        or ``lead_time_sd_days`` > 0 with Poisson demand.

    Notes
    -----
    Lead-time demand from :func:`lead_time_demand`. Normal demand:

    .. math::

        s = \\mu_L + k\\,\\sigma_L,\\qquad
        \\text{cycle: } k = \\Phi^{-1}(\\alpha),\\qquad
        \\text{fill rate: } G(k) = \\frac{Q(1 - \\beta)}{\\sigma_L}

    SPT [1]_ (decision rules for a specified P1 and P2); Nahmias [2]_ (type 1
    and type 2 service). The fill rate uses the textbook approximation
    beta = 1 - sigma_L G(k) / Q, which ignores shortages carried over from the
    previous cycle. Poisson demand: the smallest integer s >= 0 with
    P(X <= s) >= alpha, or with E[(X - s)+] <= Q (1 - beta), even when it lies below
    the mean (see ``clip_negative``).

    Orders per year are D / Q with D = days_per_year * mu_d; without Q the fill rate and
    stockouts per year are NaN (they depend on how often the item is ordered).
    An item with zero demand gets zero stock, a service level of 1 and no
    shortage. A lead-time demand sd of 0 gives zero safety stock.

    References
    ----------
    .. [1] Silver, Pyke and Thomas (2017), sec. 6.7 and 6.9.
    .. [2] Nahmias and Olsen (2015), sec. 5.5.
    .. [3] Heizer, Render and Munson (2017), ch. 12.

    Examples
    --------
    Heizer and Render, Memorial Hospital: lead-time demand 350 (sd 10), 95 %
    cycle service: safety stock 16.45 (16.5 in the book, which uses z = 1.65),
    reorder point 366.45.

    >>> r = reorder_point(350, 10, lead_time_days=1, service_level=0.95)
    >>> round(r.safety_stock, 2), round(r.reorder_point, 2)
    (16.45, 366.45)

    Nahmias, Harvey's Specialty Shop, 98 % fill rate with Q = 100 (the same item
    expressed per day: 100 jars over a 182.5-day lead time, sd 25): R = 125.5.

    >>> r = reorder_point(100 / 182.5, 25 / 182.5**0.5, lead_time_days=182.5,
    ...                   service_level=0.98, service_type="fill_rate", order_quantity=100)
    >>> round(r.reorder_point, 1), round(r.fill_rate, 4)
    (125.5, 0.98)
    """
    if service_type not in _SERVICE_TYPES:
        raise ValueError(f"service_type must be one of {_SERVICE_TYPES}; got {service_type!r}")
    if distribution not in _DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {_DISTRIBUTIONS}; got {distribution!r}")
    require_positive("days_per_year", np.asarray(days_per_year, dtype=float), "days/year")
    has_q = order_quantity is not None
    if service_type == "fill_rate" and not has_q:
        raise ValueError(
            "order_quantity is required for service_type='fill_rate' [units]; got None"
        )
    inputs = dict(
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time_days=lead_time_days,
        lead_time_sd_days=lead_time_sd_days,
        review_period_days=review_period_days,
        service_level=service_level,
    )
    if has_q:
        inputs["order_quantity"] = order_quantity
    b = broadcast(**inputs)
    _check_demand(b)
    require_probability("service_level", b["service_level"])
    if has_q:
        require_positive("order_quantity", b["order_quantity"], "units")
    mu_d = b["demand_mean"]
    alpha = b["service_level"]
    if distribution == "poisson":
        require(
            "lead_time_sd_days",
            b["lead_time_sd_days"],
            b["lead_time_sd_days"] == 0,
            "0 for distribution='poisson' (use 'normal' for a random lead time)",
            "days",
        )
        mean = mu_d * (b["lead_time_days"] + b["review_period_days"])
        sd = np.sqrt(mean)
    else:
        mean, sd = _ltd(
            mu_d,
            b["demand_sd"],
            b["lead_time_days"],
            b["lead_time_sd_days"],
            b["review_period_days"],
        )
    q = b["order_quantity"] if has_q else np.full(mean.shape, np.nan)
    pos_sd = sd > 0
    safe_sd = np.where(pos_sd, sd, 1.0)

    if distribution == "normal":
        if service_type == "cycle":
            k = special.ndtri(alpha)
        else:
            target = np.where(pos_sd, q * (1.0 - alpha) / safe_sd, 1.0)
            k = _normal_loss_inverse(target)
        k = np.where(pos_sd, k, 0.0)
        if clip_negative is None or clip_negative:
            k = np.where(k < 0, 0.0, k)  # keeps NaN
        ss = k * sd
        rop = mean + ss
        g, tail = _normal_loss_parts(k)
        espc = np.where(pos_sd, sd * g, 0.0)
        csl = np.where(pos_sd, 1.0 - tail, np.where(np.isnan(sd), np.nan, 1.0))
    else:
        if service_type == "cycle":
            rop = _poisson_quantile(alpha, mean)[0]
        else:
            nan = np.isnan(mean) | np.isnan(alpha) | np.isnan(q)
            m0 = np.where(nan, 0.0, mean)
            allowed = np.where(nan, 1.0, q * (1.0 - alpha))
            rop = np.where(nan, np.nan, _poisson_fill_rate_stock(m0, allowed))
        if clip_negative:  # not by default: the smallest integer meeting the target
            rop = np.where(rop < mean, np.ceil(mean), rop)
        ss = rop - mean
        k = np.where(pos_sd, ss / safe_sd, 0.0)
        espc = _poisson_loss(rop, mean)
        csl = _poisson_cdf(rop, mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(mean > 0, 1.0 - espc / q, np.where(np.isnan(q), np.nan, 1.0))
        fill = np.maximum(fill, 0.0)  # keeps NaN; the approximation can go below 0
        annual = mu_d * float(days_per_year)
        stockouts = (1.0 - csl) * annual / q
    return ReorderPoint(
        reorder_point=b.wrap(rop, "reorder_point"),
        safety_stock=b.wrap(ss, "safety_stock"),
        safety_factor=b.wrap(k, "safety_factor"),
        lead_time_demand_mean=b.wrap(mean, "lead_time_demand_mean"),
        lead_time_demand_sd=b.wrap(sd, "lead_time_demand_sd"),
        cycle_service_level=b.wrap(csl, "cycle_service_level"),
        fill_rate=b.wrap(fill, "fill_rate"),
        expected_shortage_per_cycle=b.wrap(espc, "expected_shortage_per_cycle"),
        stockouts_per_year=b.wrap(stockouts, "stockouts_per_year"),
    )


def safety_stock(
    demand_mean: Any,
    demand_sd: Any,
    *,
    lead_time_days: Any,
    lead_time_sd_days: Any = 0.0,
    service_level: Any = 0.95,
    service_type: str = "cycle",
    order_quantity: Any = None,
    distribution: str = "normal",
    review_period_days: Any = 0.0,
    days_per_year: float = 365.0,
    clip_negative: bool | None = None,
) -> ReorderPoint:
    """Safety stock for a cycle service level or a fill rate (same as :func:`reorder_point`).

    Takes the arguments of :func:`reorder_point` and returns the same
    :class:`ReorderPoint`; read its ``safety_stock`` field. It exists so that code
    reads as what it asks for: ``safety_stock(...).safety_stock``.

    Parameters
    ----------
    demand_mean, demand_sd, lead_time_days, lead_time_sd_days, service_level, \
service_type, order_quantity, distribution, review_period_days, days_per_year, \
clip_negative
        As in :func:`reorder_point`.

    Returns
    -------
    ReorderPoint
        See :func:`reorder_point`.

    Raises
    ------
    ValueError
        As :func:`reorder_point`.

    Notes
    -----
    SS = k sigma_L, SPT [1]_.

    References
    ----------
    .. [1] Silver, Pyke and Thomas (2017), sec. 6.7.

    Examples
    --------
    Heizer and Render, Circuit Town iPods: 15 a day (sd 5), lead time 2 days,
    90 % service: safety stock 1.2816 * 5 * sqrt(2) = 9.06 (the book: 9.05 with z = 1.28).

    >>> round(safety_stock(15, 5, lead_time_days=2, service_level=0.90).safety_stock, 2)
    9.06
    """
    return reorder_point(
        demand_mean,
        demand_sd,
        lead_time_days=lead_time_days,
        lead_time_sd_days=lead_time_sd_days,
        service_level=service_level,
        service_type=service_type,
        order_quantity=order_quantity,
        distribution=distribution,
        review_period_days=review_period_days,
        days_per_year=days_per_year,
        clip_negative=clip_negative,
    )
