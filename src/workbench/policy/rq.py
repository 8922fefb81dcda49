"""Continuous-review (r, Q) policies with backorders: the exact model and its approximations.

The inventory position is reviewed continuously; when it falls to the reorder point r
an order of Q units is placed and arrives after the lead time L. Unmet demand is
backordered at a cost per unit *per year* it waits (the Hadley-Whitin / Zipkin model;
Snyder and Shen [1]_ ch. 5, Zipkin [2]_ ch. 6). With the inventory position uniform on
(r, r + Q] and D the lead-time demand, the expected cost per year is exactly

.. math::

    C(r, Q) = \\frac{K\\lambda + \\int_r^{r+Q} g(y)\\,dy}{Q},\\qquad
    g(y) = h\\,E[(y - D)^+] + p\\,E[(D - y)^+]

(Eq. (5.7) in [1]_; a sum over y = r + 1, ..., r + Q for integer demand, Eq. (5.48)),
g being the newsvendor cost of the lead-time demand. Written with the first- and
second-order loss functions n(y) = E[(D - y)^+] and n2(y) = E[((D - y)^+)^2] / 2:

.. math::

    C(r, Q) = \\frac{K\\lambda}{Q} + h\\left(r - \\mu_L + \\frac{Q}{2}\\right)
              + (h + p)\\,\\frac{n_2(r) - n_2(r + Q)}{Q}.

Functions, every one vectorised across SKUs (arrays in, arrays out):

- :func:`rq_cost`: the exact annual cost of a given (r, Q), normal lead-time demand;
- :func:`rq_optimal_r_for_q`: the best r for a given Q, g(r) = g(r + Q) (Eq. (5.9));
- :func:`rq_optimal`: the exact optimal (r, Q), normal lead-time demand;
- :func:`rq_loss_function_approx`: the Hadley-Whitin loss-function approximation
  (Eqs. (5.28)-(5.29) in [1]_);
- :func:`rq_eoqb_approx`: Q from the EOQ with backorders, then r(Q) (Zheng [4]_);
- :func:`rq_poisson_cost` and :func:`rq_poisson_optimal`: the same model with Poisson
  demand, exact (Federgruen and Zheng [3]_).

The exact optimum uses the characterisation behind Federgruen and Zheng's algorithm and
Zipkin's convex search: at the optimum g(r) = g(r + Q) = C*, and C* is the smallest
level c for which the set {y : g(y) <= c} holds enough "room" for the order cost,
integral of (c - g(y))^+ dy = K lambda. Starting from the cost of any policy (an upper
bound), the map c -> C(set where g <= c) is Newton's method on that equation: it falls
monotonically to C* (quadratically for normal demand, in finitely many steps for
Poisson). Each step runs as array operations over all SKUs.

Units follow the package: demand per day, lead times in days, ``holding_cost`` and
``backorder_cost_per_unit_year`` in $/unit/year, ``order_cost`` in $/order,
``days_per_year`` (default 365) turning daily demand into the annual rate lambda.
This model charges backorders per unit per year; :func:`workbench.policy.sq_optimal`
is the different model with a cost per unit short (charged once per unit).

References
----------
.. [1] L. V. Snyder and Z.-J. M. Shen, *Fundamentals of Supply Chain Theory*, 2nd ed.,
   Wiley, 2019, ch. 5 (the exact cost and r(Q), the approximations, Poisson demand;
   examples 5.1-5.8).
.. [2] P. H. Zipkin, *Foundations of Inventory Management*, McGraw-Hill, 2000,
   ch. 6 (the (r, q) model: cost, convexity, optimisation).
.. [3] A. Federgruen and Y.-S. Zheng, "An efficient algorithm for computing an optimal
   (r, Q) policy in continuous review stochastic inventory systems", *Operations
   Research* 40(4), 808-813, 1992.
.. [4] Y.-S. Zheng, "On properties of stochastic inventory systems", *Management
   Science* 38(1), 87-103, 1992.
.. [5] G. Hadley and T. M. Whitin, *Analysis of Inventory Systems*, Prentice-Hall,
   1963, ch. 4.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from scipy import special

from .._numeric import broadcast, require_positive
from .service import _check_demand, _ltd, _normal_loss_inverse
from .undershoot import _ncdf, _nloss, _nloss2

__all__ = [
    "RQCost",
    "RQPolicy",
    "rq_cost",
    "rq_eoqb_approx",
    "rq_loss_function_approx",
    "rq_optimal",
    "rq_optimal_r_for_q",
    "rq_poisson_cost",
    "rq_poisson_optimal",
]


# --------------------------------------------------------------------------- results
class RQCost(NamedTuple):
    """Exact expected annual cost of an (r, Q) policy and its parts, per SKU.

    Attributes
    ----------
    annual_ordering_cost : numeric
        K lambda / Q [$/year].
    annual_holding_cost : numeric
        h times ``average_on_hand`` [$/year].
    annual_backorder_cost : numeric
        p times ``average_backorders`` [$/year].
    annual_cost : numeric
        The sum [$/year], C(r, Q).
    average_on_hand : numeric
        Time-average on-hand stock E[I^+] [units].
    average_backorders : numeric
        Time-average backorders E[B] = E[I^-] [units].
    in_stock_probability : numeric
        Fraction of time with stock on hand, 1 - (n(r) - n(r + Q)) / Q [fraction]; for
        Poisson demand this is also the fill rate (Zipkin [2]_ ch. 6).
    """

    annual_ordering_cost: Any
    annual_holding_cost: Any
    annual_backorder_cost: Any
    annual_cost: Any
    average_on_hand: Any
    average_backorders: Any
    in_stock_probability: Any


class RQPolicy(NamedTuple):
    """An (r, Q) policy, its exact annual cost and how it was found, per SKU.

    Attributes
    ----------
    reorder_point : numeric
        r [units]; may be negative (planned backorders) when backorders are cheap.
    order_quantity : numeric
        Q [units].
    annual_ordering_cost, annual_holding_cost, annual_backorder_cost, annual_cost, \
average_on_hand, average_backorders, in_stock_probability : numeric
        As in :class:`RQCost`: the **exact** cost of this (r, Q), also for the
        approximations (so their gap to :func:`rq_optimal` can be read directly).
    lead_time_demand_mean, lead_time_demand_sd : numeric
        mu_L and sigma_L [units] (sigma_L = sqrt(mu_L) for Poisson demand).
    iterations : numeric
        Iterations each SKU took.
    converged : numeric
        True where the search met its tolerance within ``max_iter``.
    """

    reorder_point: Any
    order_quantity: Any
    annual_ordering_cost: Any
    annual_holding_cost: Any
    annual_backorder_cost: Any
    annual_cost: Any
    average_on_hand: Any
    average_backorders: Any
    in_stock_probability: Any
    lead_time_demand_mean: Any
    lead_time_demand_sd: Any
    iterations: Any
    converged: Any


# --------------------------------------------------------------------------- inputs
def _inputs(days_per_year, *, poisson=False, **values):
    """Broadcast and validate; returns the Broadcast and (lambda, mu_L, sigma_L)."""
    require_positive("days_per_year", np.asarray(days_per_year, dtype=float), "days/year")
    values = {k: v for k, v in values.items() if v is not None}
    if poisson:
        values.setdefault("demand_sd", 0.0)
    values.setdefault("lead_time_sd_days", 0.0)
    b = broadcast(**values, review_period_days=0.0)
    _check_demand(b)
    for name, unit in (
        ("order_cost", "$/order"),
        ("holding_cost", "$/unit/year"),
        ("backorder_cost_per_unit_year", "$/unit/year"),
    ):
        if name in values:
            require_positive(name, b[name], unit)
    mu_d = b["demand_mean"]
    lam = mu_d * float(days_per_year)
    if poisson:
        mean = mu_d * b["lead_time_days"]
        sd = np.sqrt(mean)
    else:
        mean, sd = _ltd(mu_d, b["demand_sd"], b["lead_time_days"], b["lead_time_sd_days"], 0)
    return b, lam, mean, sd


def _lead_time_args(lead_time_sd_days):
    return {"lead_time_sd_days": lead_time_sd_days}


# --------------------------------------------------------------------------- normal pieces
def _g(y, mean, sd, h, p):
    """Newsvendor cost g(y) = h (y - mu) + (h + p) n(y) [$/year] and its slope."""
    n = _nloss(y, mean, sd)
    return h * (y - mean) + (h + p) * n, (h + p) * _ncdf(y, mean, sd) - p


def _normal_cost(r, q, lam, mean, sd, k_cost, h, p):
    """Exact C(r, Q) and its parts; Q > 0."""
    safe_q = np.where(q > 0, q, 1.0)
    back = (_nloss2(r, mean, sd) - _nloss2(r + q, mean, sd)) / safe_q
    on_hand = r - mean + q / 2.0 + back
    in_stock = np.clip(1.0 - (_nloss(r, mean, sd) - _nloss(r + q, mean, sd)) / safe_q, 0.0, 1.0)
    ordering = k_cost * lam / safe_q
    return ordering, h * on_hand, p * back, on_hand, back, in_stock


def _critical_point(mean, sd, h, p):
    """y* = argmin g: the newsvendor quantity F(y*) = p / (h + p) [units]."""
    return mean + sd * special.ndtri(p / (h + p))


def _flat(shape, *xs):
    """1-D float copies of ``xs`` broadcast to ``shape``."""
    return [np.ravel(np.broadcast_to(np.asarray(x, dtype=float), shape)).copy() for x in xs]


def _bracketed_newton(f, lo, hi, x, *, scale, max_iter=200):
    """Root of an increasing f on [lo, hi], per element of 1-D arrays: Newton steps,
    bisection when a step leaves the bracket. ``f(x, i)`` returns (value, slope) at the
    elements ``i``; only elements still moving are computed. Returns (x, iterations)."""
    lo, hi = lo.copy(), hi.copy()
    x = np.clip(x, lo, hi)
    its = np.zeros(x.shape, dtype=np.int64)
    idx = np.flatnonzero(np.isfinite(x) & np.isfinite(lo) & np.isfinite(hi))
    for _ in range(max_iter):
        if idx.size == 0:
            break
        xi, loi, hii = x[idx], lo[idx], hi[idx]
        v, d = f(xi, idx)
        loi = np.where(v < 0, xi, loi)
        hii = np.where(v > 0, xi, hii)
        with np.errstate(divide="ignore", invalid="ignore"):
            xn = xi - v / d
        inside = (xn > loi) & (xn < hii) & np.isfinite(xn)
        xn = np.where(inside, xn, 0.5 * (loi + hii))
        xn = np.where(v == 0, xi, xn)
        x[idx], lo[idx], hi[idx] = xn, loi, hii
        its[idx] += 1
        tol = 1e-13 * scale[idx]
        idx = idx[(np.abs(xn - xi) > tol) & (hii - loi > tol)]
    return x, its


def _r_for_q(q, mean, sd, h, p):
    """Best r for Q under normal demand: g(r) = g(r + Q) (Snyder and Shen Eq. (5.9))."""
    shape = np.broadcast_shapes(*(np.shape(x) for x in (q, mean, sd, h, p)))
    q, mean, sd, h, p = _flat(shape, q, mean, sd, h, p)
    ystar = _critical_point(mean, sd, h, p)
    scale = np.abs(mean) + sd + q + 1.0

    def f(r, i):
        g1, d1 = _g(r + q[i], mean[i], sd[i], h[i], p[i])
        g0, d0 = _g(r, mean[i], sd[i], h[i], p[i])
        return g1 - g0, d1 - d0

    guess = ystar - q * h / (h + p)
    r, _ = _bracketed_newton(f, ystar - q, ystar, guess, scale=scale)
    return r.reshape(shape)


def _wrap_cost(b, parts):
    ordering, holding, back_cost, on_hand, back, in_stock = parts
    return RQCost(
        annual_ordering_cost=b.wrap(ordering, "annual_ordering_cost"),
        annual_holding_cost=b.wrap(holding, "annual_holding_cost"),
        annual_backorder_cost=b.wrap(back_cost, "annual_backorder_cost"),
        annual_cost=b.wrap(ordering + holding + back_cost, "annual_cost"),
        average_on_hand=b.wrap(on_hand, "average_on_hand"),
        average_backorders=b.wrap(back, "average_backorders"),
        in_stock_probability=b.wrap(in_stock, "in_stock_probability"),
    )


def _wrap_policy(b, r, q, parts, mean, sd, its, conv, lam) -> RQPolicy:
    ordering, holding, back_cost, on_hand, back, in_stock = parts
    calm = lam == 0  # no demand: nothing to order, nothing to hold
    r = np.where(calm, 0.0, r)
    q = np.where(calm, 0.0, q)
    zero = np.where(calm, 0.0, 1.0)
    ordering, holding, back_cost, on_hand, back = (
        x * zero for x in (ordering, holding, back_cost, on_hand, back)
    )
    in_stock = np.where(calm, 1.0, in_stock)
    return RQPolicy(
        reorder_point=b.wrap(r, "reorder_point"),
        order_quantity=b.wrap(q, "order_quantity"),
        annual_ordering_cost=b.wrap(ordering, "annual_ordering_cost"),
        annual_holding_cost=b.wrap(holding, "annual_holding_cost"),
        annual_backorder_cost=b.wrap(back_cost, "annual_backorder_cost"),
        annual_cost=b.wrap(ordering + holding + back_cost, "annual_cost"),
        average_on_hand=b.wrap(on_hand, "average_on_hand"),
        average_backorders=b.wrap(back, "average_backorders"),
        in_stock_probability=b.wrap(in_stock, "in_stock_probability"),
        lead_time_demand_mean=b.wrap(mean, "lead_time_demand_mean"),
        lead_time_demand_sd=b.wrap(sd, "lead_time_demand_sd"),
        iterations=b.wrap(its, "iterations"),
        converged=b.wrap(conv, "converged"),
    )


def _check_search(tol, max_iter):
    if not (tol > 0):
        raise ValueError(f"tol must be > 0 [relative]; got {tol!r}")
    if int(max_iter) != max_iter or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}")


_COMMON_PARAMS = """\
demand_mean : numeric
        Mean daily demand [units/day], mu_d; lambda = days_per_year mu_d [units/year].
    demand_sd : numeric
        Standard deviation of daily demand [units/day], sigma_d (days independent).
    lead_time_days : numeric
        Mean lead time [days], L. Must be > 0.
    order_cost : numeric
        Fixed cost per order [$/order], K. Must be > 0.
    holding_cost : numeric
        Holding cost [$/unit/year], h. Must be > 0.
    backorder_cost_per_unit_year : numeric
        Backorder cost [$/unit/year] a unit waits (the textbook's p, a stockout cost per
        unit per unit time). Must be > 0.
    lead_time_sd_days : numeric, default 0
        Standard deviation of the lead time [days]; the lead-time demand is then taken
        as normal with variance L sigma_d^2 + mu_d^2 sigma_LT^2.
    days_per_year : float, default 365
        [days/year]."""


# --------------------------------------------------------------------------- exact cost
def rq_cost(
    reorder_point: Any,
    order_quantity: Any,
    *,
    demand_mean: Any,
    demand_sd: Any,
    lead_time_days: Any,
    order_cost: Any,
    holding_cost: Any,
    backorder_cost_per_unit_year: Any,
    lead_time_sd_days: Any = 0.0,
    days_per_year: float = 365.0,
) -> RQCost:
    """Exact expected annual cost of a continuous-review (r, Q) policy, normal demand.

    Parameters
    ----------
    reorder_point : numeric
        r [units]; any real number (negative: planned backorders).
    order_quantity : numeric
        Q [units]. Must be > 0.
    {common}

    Returns
    -------
    RQCost
        Ordering, holding and backorder cost and their sum [$/year], the average on
        hand and backordered [units] and the fraction of time in stock.

    Raises
    ------
    ValueError
        On Q <= 0, non-positive costs or lead time, negative demand statistics.

    Notes
    -----
    With lead-time demand D ~ N(mu_L, sigma_L^2), n(y) = sigma_L G(z) and
    n2(y) = sigma_L^2 G2(z), z = (y - mu_L) / sigma_L, G and G2 the standard normal
    first- and second-order loss functions ([1]_ appendix C):

    .. math::

        C(r, Q) = \\frac{K\\lambda}{Q} + h\\left(r - \\mu_L + \\frac{Q}{2} + B\\right)
                  + p\\,B,\\qquad B = \\frac{n_2(r) - n_2(r + Q)}{Q},

    the closed form of Eq. (5.7) in [1]_ (Zipkin [2]_ ch. 6). Exact for the model
    (the integral is evaluated in closed form, no quadrature). A normal lead-time demand
    can be negative; the model allows it, as the books do.

    References
    ----------
    .. [1] Snyder and Shen (2019), ch. 5 and appendix C.
    .. [2] Zipkin (2000), ch. 6.

    Examples
    --------
    Snyder and Shen, Example 5.1: lambda = 1,300 a year, tau = 150, L = 1/12 year,
    K = 8, h = 0.225, p = 7.5 a unit a year; the optimum (126.8, 328.5) costs 78.07.

    >>> c = rq_cost(126.8, 328.5, demand_mean=1300 / 365, demand_sd=150 / 365**0.5,
    ...             lead_time_days=365 / 12, order_cost=8, holding_cost=0.225,
    ...             backorder_cost_per_unit_year=7.5)
    >>> round(c.annual_cost, 4)
    78.0712
    """
    b, lam, mean, sd = _inputs(
        days_per_year,
        reorder_point=reorder_point,
        order_quantity=order_quantity,
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time_days=lead_time_days,
        order_cost=order_cost,
        holding_cost=holding_cost,
        backorder_cost_per_unit_year=backorder_cost_per_unit_year,
        **_lead_time_args(lead_time_sd_days),
    )
    require_positive("order_quantity", b["order_quantity"], "units")
    parts = _normal_cost(
        b["reorder_point"],
        b["order_quantity"],
        lam,
        mean,
        sd,
        b["order_cost"],
        b["holding_cost"],
        b["backorder_cost_per_unit_year"],
    )
    return _wrap_cost(b, parts)


def rq_optimal_r_for_q(
    order_quantity: Any,
    *,
    demand_mean: Any,
    demand_sd: Any,
    lead_time_days: Any,
    holding_cost: Any,
    backorder_cost_per_unit_year: Any,
    lead_time_sd_days: Any = 0.0,
) -> Any:
    """The cost-minimising reorder point for a given order quantity, normal demand.

    Parameters
    ----------
    order_quantity : numeric
        Q [units]. Must be > 0.
    demand_mean, demand_sd, lead_time_days, holding_cost, backorder_cost_per_unit_year, \
lead_time_sd_days
        As in :func:`rq_cost` ([units/day], [days], [$/unit/year]).

    Returns
    -------
    numeric
        r(Q) [units], to about 1e-13 relative.

    Raises
    ------
    ValueError
        On Q <= 0, non-positive costs or lead time, negative demand statistics.

    Notes
    -----
    C(r, Q) is convex in r with dC/dr = (g(r + Q) - g(r)) / Q, so r(Q) solves

    .. math:: g(r) = g(r + Q)

    (Eq. (5.9) in Snyder and Shen [1]_; Zipkin [2]_ ch. 6), the window of length Q
    on which the newsvendor cost g is lowest. The root lies in [y* - Q, y*], y* the
    newsvendor quantity; it is found by Newton's method safeguarded by bisection, for
    all SKUs at once. r(Q) does not depend on K or lambda.

    References
    ----------
    .. [1] Snyder and Shen (2019), ch. 5.
    .. [2] Zipkin (2000), ch. 6.

    Examples
    --------
    Snyder and Shen, Example 5.1 data with Q = 300:

    >>> r = rq_optimal_r_for_q(300, demand_mean=1300 / 365, demand_sd=150 / 365**0.5,
    ...                        lead_time_days=365 / 12, holding_cost=0.225,
    ...                        backorder_cost_per_unit_year=7.5)
    >>> round(r, 4)
    129.4273
    """
    b, _, mean, sd = _inputs(
        365.0,
        order_quantity=order_quantity,
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time_days=lead_time_days,
        holding_cost=holding_cost,
        backorder_cost_per_unit_year=backorder_cost_per_unit_year,
        **_lead_time_args(lead_time_sd_days),
    )
    require_positive("order_quantity", b["order_quantity"], "units")
    r = _r_for_q(
        b["order_quantity"], mean, sd, b["holding_cost"], b["backorder_cost_per_unit_year"]
    )
    return b.wrap(r, "reorder_point")


def _ends(c, a, bb, mean, sd, h, p, ystar, scale):
    """The two roots a <= y* <= b of g(y) = c (convex g), warm-started from outside;
    all 1-D arrays of the SKUs being solved."""

    def left(y, i):
        g, d = _g(y, mean[i], sd[i], h[i], p[i])
        return c[i] - g, -d

    def right(y, i):
        g, d = _g(y, mean[i], sd[i], h[i], p[i])
        return g - c[i], d

    lo_a = mean - c / p  # g(y) >= p (mu - y): g > c left of it
    hi_b = mean + c / h  # g(y) >= h (y - mu)
    a, _ = _bracketed_newton(left, lo_a, ystar, np.maximum(a, lo_a), scale=scale)
    bb, _ = _bracketed_newton(right, ystar, hi_b, np.minimum(bb, hi_b), scale=scale)
    return a, bb


def rq_optimal(
    demand_mean: Any,
    demand_sd: Any,
    *,
    lead_time_days: Any,
    order_cost: Any,
    holding_cost: Any,
    backorder_cost_per_unit_year: Any,
    lead_time_sd_days: Any = 0.0,
    days_per_year: float = 365.0,
    tol: float = 1e-13,
    max_iter: int = 100,
) -> RQPolicy:
    """The exact cost-optimal (r, Q) policy under normal lead-time demand.

    Parameters
    ----------
    {common}
    tol : float, default 1e-13
        Relative tolerance on the optimal cost C* between iterations.
    max_iter : int, default 100
        Iteration cap; SKUs still moving are flagged in ``converged``.

    Returns
    -------
    RQPolicy
        r*, Q* and the exact cost C(r*, Q*) with its parts, per SKU. SKUs without
        demand get r = Q = 0 and zero cost.

    Raises
    ------
    ValueError
        On non-positive costs or lead time, negative demand statistics, bad ``tol``
        or ``max_iter``.

    Notes
    -----
    C(r, Q) is jointly convex (Zipkin [2]_ ch. 6) and at its minimum

    .. math:: g(r^*) = g(r^* + Q^*) = C(r^*, Q^*),

    so the optimal window [r*, r* + Q*] is the level set {y : g(y) <= C*} and C* is the
    root of H(c) = integral of (c - g(y))^+ dy = K lambda, an increasing convex
    function with H'(c) = Q(c), the width of the level set (the continuous form of
    Federgruen and Zheng's [3]_ characterisation). Newton's method on H from the upper
    bound c_0 = C(r(Q_0), Q_0), Q_0 the EOQ with backorders, is the iteration

    .. math:: c_{k+1} = C\\big(a(c_k),\\ b(c_k) - a(c_k)\\big),

    where a < b are the roots of g(y) = c_k (each found by safeguarded Newton, warm
    started from the previous roots): the cost of the window where g <= c_k. It falls
    monotonically and quadratically to C*, for all SKUs at once. The result agrees
    with Snyder and Shen's Example 5.1 and with a general-purpose minimiser
    (see the tests). With sigma_L = 0 it is the EOQ with planned backorders.

    References
    ----------
    .. [1] Snyder and Shen (2019), ch. 5.
    .. [2] Zipkin (2000), ch. 6.
    .. [3] Federgruen and Zheng (1992).

    Examples
    --------
    Snyder and Shen, Example 5.1: the optimum is (r, Q) = (126.8, 328.5), cost 78.07.

    >>> o = rq_optimal(1300 / 365, 150 / 365**0.5, lead_time_days=365 / 12, order_cost=8,
    ...                holding_cost=0.225, backorder_cost_per_unit_year=7.5)
    >>> round(o.reorder_point, 1), round(o.order_quantity, 1), round(o.annual_cost, 2)
    (126.9, 328.4, 78.07)
    """
    _check_search(tol, max_iter)
    b, lam, mean, sd = _inputs(
        days_per_year,
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time_days=lead_time_days,
        order_cost=order_cost,
        holding_cost=holding_cost,
        backorder_cost_per_unit_year=backorder_cost_per_unit_year,
        **_lead_time_args(lead_time_sd_days),
    )
    shape = np.shape(mean)
    lam, mean, sd, k_cost, h, p = _flat(
        shape,
        lam,
        mean,
        sd,
        b["order_cost"],
        b["holding_cost"],
        b["backorder_cost_per_unit_year"],
    )
    lam_s = np.where(lam == 0, 1.0, lam)  # solve a harmless stand-in; reset after
    q0 = np.sqrt(2.0 * k_cost * lam_s * (h + p) / (h * p))
    r0 = _r_for_q(q0, mean, sd, h, p)
    c = sum(_normal_cost(r0, q0, lam_s, mean, sd, k_cost, h, p)[:3])
    ystar = _critical_point(mean, sd, h, p)
    scale = np.abs(mean) + sd + q0 + 1.0
    a, bb = mean - c / p, mean + c / h
    r, q = r0.copy(), q0.copy()
    its = np.zeros(r.shape, dtype=np.int64)
    conv = ~np.isfinite(c)
    idx = np.flatnonzero(~conv)
    for _ in range(int(max_iter)):
        if idx.size == 0:
            break
        sub = [x[idx] for x in (c, a, bb, mean, sd, h, p, ystar, scale)]
        a_i, b_i = _ends(*sub)
        c_i = sub[0]
        args = (lam_s[idx], mean[idx], sd[idx], k_cost[idx], h[idx], p[idx])
        c_new = sum(_normal_cost(a_i, b_i - a_i, *args)[:3])
        c_new = np.minimum(c_new, c_i)  # monotone by theory; guard against rounding
        its[idx] += 1
        a[idx], bb[idx], r[idx], q[idx], c[idx] = a_i, b_i, a_i, b_i - a_i, c_new
        done = c_i - c_new <= tol * c_i
        conv[idx[done]] = True
        idx = idx[~done]
    parts = _normal_cost(r, q, lam_s, mean, sd, k_cost, h, p)
    out = (r, q, parts, mean, sd, its, conv, lam)
    r, q, parts, mean, sd, its, conv, lam = _reshape(shape, out)
    return _wrap_policy(b, r, q, parts, mean, sd, its, conv, lam)


def _reshape(shape, out):
    """Reshape nested tuples of 1-D arrays back to the inputs' shape."""
    if isinstance(out, tuple):
        return tuple(_reshape(shape, x) for x in out)
    return np.reshape(out, shape)


# --------------------------------------------------------------------------- approximations
def rq_loss_function_approx(
    demand_mean: Any,
    demand_sd: Any,
    *,
    lead_time_days: Any,
    order_cost: Any,
    holding_cost: Any,
    backorder_cost_per_unit_year: Any,
    lead_time_sd_days: Any = 0.0,
    days_per_year: float = 365.0,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> RQPolicy:
    """The Hadley-Whitin loss-function approximation of the optimal (r, Q), normal demand.

    Parameters
    ----------
    {common}
    tol : float, default 1e-10
        Stop when r and Q both move by less than ``tol`` times (sigma_L + Q) [units].
    max_iter : int, default 200
        Iteration cap; SKUs not converged are flagged in ``converged``.

    Returns
    -------
    RQPolicy
        The approximate (r, Q) with its **exact** cost (:func:`rq_cost`).

    Raises
    ------
    ValueError
        As :func:`rq_optimal`.

    Notes
    -----
    Dropping the term n2(r + Q) (negligible when r + Q is far above the lead-time
    demand) makes the optimality conditions (Eqs. (5.28)-(5.29) in Snyder and Shen
    [1]_; Hadley and Whitin [2]_ ch. 4):

    .. math::

        n(r) = \\frac{h Q}{h + p},\\qquad
        Q = \\sqrt{\\frac{2\\,[K\\lambda + (h + p)\\,n_2(r)]}{h}},

    iterated from Q = EOQ for all SKUs at once. It is usually within a hair of
    :func:`rq_optimal` (identical to 8 digits in Example 5.1), and drifts from it when
    sigma_L is large against Q.

    References
    ----------
    .. [1] Snyder and Shen (2019), ch. 5 (Example 5.6).
    .. [2] Hadley and Whitin (1963), ch. 4.

    Examples
    --------
    Snyder and Shen, Example 5.6: (r, Q) = (126.87, 328.45).

    >>> a = rq_loss_function_approx(1300 / 365, 150 / 365**0.5, lead_time_days=365 / 12,
    ...                             order_cost=8, holding_cost=0.225,
    ...                             backorder_cost_per_unit_year=7.5)
    >>> round(a.reorder_point, 2), round(a.order_quantity, 2)
    (126.87, 328.45)
    """
    _check_search(tol, max_iter)
    b, lam, mean, sd = _inputs(
        days_per_year,
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time_days=lead_time_days,
        order_cost=order_cost,
        holding_cost=holding_cost,
        backorder_cost_per_unit_year=backorder_cost_per_unit_year,
        **_lead_time_args(lead_time_sd_days),
    )
    k_cost, h, p = b["order_cost"], b["holding_cost"], b["backorder_cost_per_unit_year"]
    shape = np.shape(mean)
    lam, mean, sd, k_cost, h, p = (
        np.broadcast_to(np.asarray(x, dtype=float), shape) for x in (lam, mean, sd, k_cost, h, p)
    )
    pos = sd > 0
    safe_sd = np.where(pos, sd, 1.0)
    q = np.sqrt(2.0 * k_cost * lam / h)
    r = np.full(shape, np.nan)
    its = np.zeros(shape, dtype=np.int64)
    live = np.isfinite(q) & (lam > 0)
    conv = ~live
    for _ in range(int(max_iter)):
        if not live.any():
            break
        target = h * q / (h + p)  # n(r)
        k = _normal_loss_inverse(np.where(live, target / safe_sd, 1.0))
        r_new = np.where(pos, mean + k * safe_sd, mean - target)
        q_new = np.sqrt(2.0 * (k_cost * lam + (h + p) * _nloss2(r_new, mean, sd)) / h)
        done = live & (np.abs(q_new - q) <= tol * (sd + q)) & (np.abs(r_new - r) <= tol * (sd + q))
        its += live
        r, q = np.where(live, r_new, r), np.where(live, q_new, q)
        conv |= done
        live &= ~done
    lam_s = np.where(lam == 0, 1.0, lam)
    q_s = np.where(lam == 0, 1.0, q)
    parts = _normal_cost(r, q_s, lam_s, mean, sd, k_cost, h, p)
    return _wrap_policy(b, r, q_s, parts, mean, sd, its, conv, lam)


def rq_eoqb_approx(
    demand_mean: Any,
    demand_sd: Any,
    *,
    lead_time_days: Any,
    order_cost: Any,
    holding_cost: Any,
    backorder_cost_per_unit_year: Any,
    lead_time_sd_days: Any = 0.0,
    days_per_year: float = 365.0,
) -> RQPolicy:
    """The EOQ-with-backorders approximation: Q = EOQB, then the best r for that Q.

    Parameters
    ----------
    {common}

    Returns
    -------
    RQPolicy
        The approximate (r, Q) with its **exact** cost; ``iterations`` 0.

    Raises
    ------
    ValueError
        As :func:`rq_optimal`.

    Notes
    -----
    .. math:: Q = \\sqrt{\\frac{2K\\lambda(h + p)}{h p}},\\qquad g(r) = g(r + Q)

    (Eqs. (3.27) and (5.9) in Snyder and Shen [1]_). Zheng [2]_ shows the relative cost
    error is at most 1/8 and usually far smaller.

    References
    ----------
    .. [1] Snyder and Shen (2019), ch. 3 and 5 (Example 5.4).
    .. [2] Zheng (1992).

    Examples
    --------
    Snyder and Shen, Example 5.4: (r, Q) = (128.64, 308.57).

    >>> a = rq_eoqb_approx(1300 / 365, 150 / 365**0.5, lead_time_days=365 / 12,
    ...                    order_cost=8, holding_cost=0.225, backorder_cost_per_unit_year=7.5)
    >>> round(a.reorder_point, 2), round(a.order_quantity, 2)
    (128.64, 308.57)
    """
    b, lam, mean, sd = _inputs(
        days_per_year,
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time_days=lead_time_days,
        order_cost=order_cost,
        holding_cost=holding_cost,
        backorder_cost_per_unit_year=backorder_cost_per_unit_year,
        **_lead_time_args(lead_time_sd_days),
    )
    k_cost, h, p = b["order_cost"], b["holding_cost"], b["backorder_cost_per_unit_year"]
    lam_s = np.where(lam == 0, 1.0, lam)
    q = np.sqrt(2.0 * k_cost * lam_s * (h + p) / (h * p))
    r = _r_for_q(q, mean, sd, h, p)
    parts = _normal_cost(r, q, lam_s, mean, sd, k_cost, h, p)
    zeros = np.zeros(np.shape(r), dtype=np.int64)
    return _wrap_policy(b, r, q, parts, mean, sd, zeros, zeros == 0, lam)


# --------------------------------------------------------------------------- Poisson
def _ptail(k, mu):
    """P(D >= k) for D ~ Poisson(mu), integer-valued float k."""
    with np.errstate(invalid="ignore"):
        upper = special.pdtrc(np.maximum(k - 1.0, 0.0), mu)
    return np.where(k <= 0, 1.0, upper)


def _pn(y, mu):
    """n(y) = E[(D - y)^+] for Poisson D."""
    return mu * _ptail(y, mu) - y * _ptail(y + 1.0, mu)


def _pn2(y, mu):
    """N2(y) = sum_{j >= y} n(j) = E[(D - y)^+ (D - y + 1)^+] / 2 for Poisson D."""
    second = mu * mu * _ptail(y - 1.0, mu) + (1.0 - 2.0 * y) * mu * _ptail(y, mu)
    second = second + y * y * _ptail(y + 1.0, mu)  # E[((D - y)^+)^2]
    return 0.5 * (second + _pn(y, mu))


def _pg(y, mu, h, p):
    return h * (y - mu) + (h + p) * _pn(y, mu)


def _poisson_cost(r, q, lam, mu, k_cost, h, p):
    """Exact C(r, Q) for integer r, Q >= 1 and Poisson lead-time demand."""
    safe_q = np.where(q > 0, q, 1.0)
    back = (_pn2(r + 1.0, mu) - _pn2(r + q + 1.0, mu)) / safe_q
    on_hand = r + (safe_q + 1.0) / 2.0 - mu + back
    in_stock = np.clip(1.0 - (_pn(r, mu) - _pn(r + q, mu)) / safe_q, 0.0, 1.0)
    return k_cost * lam / safe_q, h * on_hand, p * back, on_hand, back, in_stock


def _check_integer(name, values):
    v = np.asarray(values, dtype=float)
    bad = np.isfinite(v) & (v != np.round(v))
    if np.any(bad):
        raise ValueError(f"{name} must be a whole number [units]; got {v[bad].ravel()[0]:g}")


def rq_poisson_cost(
    reorder_point: Any,
    order_quantity: Any,
    *,
    demand_mean: Any,
    lead_time_days: Any,
    order_cost: Any,
    holding_cost: Any,
    backorder_cost_per_unit_year: Any,
    days_per_year: float = 365.0,
) -> RQCost:
    """Exact expected annual cost of an (r, Q) policy under Poisson demand.

    Parameters
    ----------
    reorder_point : numeric
        r [units], a whole number (may be negative).
    order_quantity : numeric
        Q [units], a whole number >= 1.
    demand_mean : numeric
        Poisson demand rate [units/day], mu_d; lambda = days_per_year mu_d.
    lead_time_days : numeric
        Lead time [days], L (constant); lead-time demand ~ Poisson(mu_d L).
    order_cost, holding_cost, backorder_cost_per_unit_year, days_per_year
        As in :func:`rq_cost` ([$/order], [$/unit/year], [$/unit/year], [days/year]).

    Returns
    -------
    RQCost
        As :func:`rq_cost`; ``in_stock_probability`` is the fill rate here.

    Raises
    ------
    ValueError
        On non-integer r or Q, Q < 1, non-positive costs or lead time, negative demand.

    Notes
    -----
    .. math:: C(r, Q) = \\frac{K\\lambda + \\sum_{y=r+1}^{r+Q} g(y)}{Q}

    (Eq. (5.48) in Snyder and Shen [1]_; Zipkin [2]_ ch. 6), evaluated in closed form:
    the sum of n(y) over the window is N2(r + 1) - N2(r + Q + 1) with
    N2(y) = E[(D - y)^+ (D - y + 1)^+] / 2, from the Poisson identities
    E[D 1{D >= k}] = mu P(D >= k - 1) and E[D (D - 1) 1{D >= k}] = mu^2 P(D >= k - 2).

    References
    ----------
    .. [1] Snyder and Shen (2019), ch. 5 (Example 5.8).
    .. [2] Zipkin (2000), ch. 6.

    Examples
    --------
    Snyder and Shen, Example 5.8: lambda = 1.5 a year, L = 2 years, K = 100, h = 20,
    p = 150: (r, Q) = (3, 5) costs 107.92 a year.

    >>> c = rq_poisson_cost(3, 5, demand_mean=1.5 / 365, lead_time_days=730, order_cost=100,
    ...                     holding_cost=20, backorder_cost_per_unit_year=150)
    >>> round(c.annual_cost, 4)
    107.9236
    """
    b, lam, mean, _ = _inputs(
        days_per_year,
        poisson=True,
        reorder_point=reorder_point,
        order_quantity=order_quantity,
        demand_mean=demand_mean,
        lead_time_days=lead_time_days,
        order_cost=order_cost,
        holding_cost=holding_cost,
        backorder_cost_per_unit_year=backorder_cost_per_unit_year,
    )
    _check_integer("reorder_point", b["reorder_point"])
    _check_integer("order_quantity", b["order_quantity"])
    require_positive("order_quantity", b["order_quantity"], "units")
    parts = _poisson_cost(
        b["reorder_point"],
        b["order_quantity"],
        lam,
        mean,
        b["order_cost"],
        b["holding_cost"],
        b["backorder_cost_per_unit_year"],
    )
    return _wrap_cost(b, parts)


def _int_edge(pred, lo, hi):
    """Per element of 1-D arrays, the smallest integer in (lo, hi] where ``pred`` holds,
    for a predicate monotone on the integers with ``pred(lo)`` False and ``pred(hi)``
    True (bisection). ``pred(y, i)`` is evaluated at the elements ``i`` only."""
    lo, hi = lo.copy(), hi.copy()
    idx = np.flatnonzero((hi - lo > 1) & np.isfinite(lo) & np.isfinite(hi))
    while idx.size:
        mid = np.floor((lo[idx] + hi[idx]) / 2.0)
        ok = pred(mid, idx)
        hi[idx[ok]] = mid[ok]
        lo[idx[~ok]] = mid[~ok]
        idx = idx[hi[idx] - lo[idx] > 1]
    return hi


def rq_poisson_optimal(
    demand_mean: Any,
    *,
    lead_time_days: Any,
    order_cost: Any,
    holding_cost: Any,
    backorder_cost_per_unit_year: Any,
    days_per_year: float = 365.0,
    max_iter: int = 1000,
) -> RQPolicy:
    """The exact optimal (r, Q) policy under Poisson demand (Federgruen-Zheng).

    Parameters
    ----------
    demand_mean, lead_time_days, order_cost, holding_cost, backorder_cost_per_unit_year, \
days_per_year
        As in :func:`rq_poisson_cost`.
    max_iter : int, default 1000
        Cap on the outer iterations (it ends in finitely many; a handful in practice).

    Returns
    -------
    RQPolicy
        Integer r* and Q* >= 1 (as floats) and the exact cost. SKUs without demand get
        r = Q = 0 and zero cost. Where several pairs tie for the minimum (the level set's
        edge points cost exactly C*), the widest window (largest Q) is returned, up to
        rounding.

    Raises
    ------
    ValueError
        On non-positive costs or lead time, negative demand, bad ``max_iter``.

    Notes
    -----
    For integer y the cost of the window W = {r + 1, ..., r + Q} is
    (K lambda + sum_W g) / |W|, and g is convex, so (Federgruen and Zheng [1]_; Zipkin
    [2]_ ch. 6) the optimal window is the level set {y : g(y) <= C*}: the Q* points
    of smallest g, consecutive. Federgruen and Zheng grow the window one unit at a
    time from y*; here the same optimum is reached by the fixed-point iteration

    .. math:: c_{k+1} = C\\big(W(c_k)\\big),\\qquad W(c) = \\{y : g(y) \\le c\\},

    Newton's method on the piecewise-linear convex H(c) = sum_y (c - g(y))^+ = K lambda,
    started at the cost of the EOQ-with-backorders window (an upper bound). It falls
    monotonically and stops exactly, after a few steps, whatever the size of Q*; the
    window's ends come from integer bisection on g, for all SKUs at once.

    References
    ----------
    .. [1] Federgruen and Zheng (1992).
    .. [2] Zipkin (2000), ch. 6.
    .. [3] Snyder and Shen (2019), ch. 5 (Example 5.8).

    Examples
    --------
    Snyder and Shen, Example 5.8: (r*, Q*) = (3, 5), cost 107.92.

    >>> o = rq_poisson_optimal(1.5 / 365, lead_time_days=730, order_cost=100,
    ...                        holding_cost=20, backorder_cost_per_unit_year=150)
    >>> int(o.reorder_point), int(o.order_quantity), round(o.annual_cost, 2)
    (3, 5, 107.92)
    """
    _check_search(1.0, max_iter)
    b, lam, mean, sd = _inputs(
        days_per_year,
        poisson=True,
        demand_mean=demand_mean,
        lead_time_days=lead_time_days,
        order_cost=order_cost,
        holding_cost=holding_cost,
        backorder_cost_per_unit_year=backorder_cost_per_unit_year,
    )
    shape = np.shape(mean)
    lam, mu, k_cost, h, p = _flat(
        shape, lam, mean, b["order_cost"], b["holding_cost"], b["backorder_cost_per_unit_year"]
    )
    lam_s = np.where(lam == 0, 1.0, lam)
    crit = p / (h + p)
    ystar = _int_edge(  # the newsvendor quantity: smallest y with F(y) >= p / (h + p)
        lambda y, i: 1.0 - _ptail(y + 1.0, mu[i]) >= crit[i],
        np.full(mu.shape, -1.0),
        np.ceil(mu + 10.0 * np.sqrt(mu) + 10.0),
    )
    ystar = np.where(np.isfinite(mu), ystar, np.nan)
    # start: the window of Q0 = EOQB around y*, its cost an upper bound on C*
    q0 = np.maximum(np.round(np.sqrt(2.0 * k_cost * lam_s * (h + p) / (h * p))), 1.0)
    r = ystar - np.round(q0 * h / (h + p))
    q = q0
    c = sum(_poisson_cost(r, q, lam_s, mu, k_cost, h, p)[:3])
    # brackets of the window's ends: g > c at lo_a and at hi_e, for every c <= c_0
    lo_a, hi_e = np.floor(mu - c / p) - 1.0, np.ceil(mu + c / h) + 1.0
    its = np.zeros(mu.shape, dtype=np.int64)
    conv = ~np.isfinite(c)
    idx = np.flatnonzero(~conv)
    for _ in range(int(max_iter)):
        if idx.size == 0:
            break
        c_i = c[idx]

        def below(y, i, c_i=c_i, idx=idx):  # g(y) <= c; i indexes into idx's SKUs
            j = idx[i]
            return _pg(y, mu[j], h[j], p[j]) <= c_i[i]

        # W(c) = [a, e]: a the smallest y with g(y) <= c, e the largest
        a = _int_edge(lambda y, i: below(y, i), lo_a[idx], ystar[idx])
        e = _int_edge(lambda y, i: ~below(y, i), ystar[idx], hi_e[idx]) - 1.0
        lo_a[idx], hi_e[idx] = a - 1.0, e + 1.0  # c only falls: the ends move inwards
        r_new, q_new = a - 1.0, e - a + 1.0
        j = idx
        c_new = sum(_poisson_cost(r_new, q_new, lam_s[j], mu[j], k_cost[j], h[j], p[j])[:3])
        its[idx] += 1
        done = ((r_new == r[idx]) & (q_new == q[idx])) | (c_new >= c_i)
        better = c_new <= c_i
        r[idx[better]], q[idx[better]], c[idx[better]] = (
            r_new[better],
            q_new[better],
            c_new[better],
        )
        conv[idx[done]] = True
        idx = idx[~done]
    parts = _poisson_cost(r, q, lam_s, mu, k_cost, h, p)
    out = _reshape(shape, (r, q, parts, mean * np.ones(shape), sd * np.ones(shape)))
    r, q, parts, mean_s, sd_s = out
    its, conv, lam = _reshape(shape, (its, conv, lam))
    return _wrap_policy(b, r, q, parts, mean_s, sd_s, its, conv, lam)


for _f in (rq_cost, rq_optimal, rq_loss_function_approx, rq_eoqb_approx):
    _f.__doc__ = _f.__doc__.replace("{common}", _COMMON_PARAMS)
del _f
