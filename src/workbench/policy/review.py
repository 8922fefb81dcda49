"""Review policies: continuous review (s, Q), (s, S), periodic (R, S) and base stock.

When to order and how much, for every SKU at once:

- :func:`sq_optimal`: the (s, Q) pair minimising the Hadley-Whitin *approximate* cost
  with a cost per unit short (the iterative procedure; Snyder and Shen's EIL
  approximation), or meeting a fill-rate constraint; iterated as arrays across all SKUs
  until each one converges. The exact (r, Q) model with a backorder cost per unit per
  year is :mod:`workbench.policy.rq`;
- :func:`sq_approx`: the simple sequential approximation, Q = EOQ and then the
  reorder point for that Q;
- :func:`sq_cost`: the annual cost of any (s, Q) pair under the same model,
  for cost curves and checks;
- :func:`ss_policy`: (s, S) min-max, s from the reorder point and S = s + Q;
- :func:`ss_power`: (s, S) from costs by the revised power approximation;
- :func:`rs_policy`: periodic review, order up to S every R days;
- :func:`base_stock`: order-up-to (one-for-one replenishment), reviewed daily by default.

Periodic calculators (:func:`rs_policy`, :func:`base_stock`, :func:`ss_power`, and
:func:`ss_policy` with a review period) share the simulator's timing: in each bucket
orders due arrive first, then the position is reviewed and an order placed (arriving
L buckets later, at once for L = 0), then the bucket's demand is served; a policy
reviewed every R buckets protects against the demand of L + R buckets. Their reorder
points ignore the undershoot of s at a review; :mod:`workbench.policy.undershoot`
computes (s, Q) and (s, S) reorder points that include it.

Demand statistics are per day, lead times and review periods in days, costs per
year (``holding_cost`` in $/unit/year, ``order_cost`` in $/order), with
``days_per_year`` (default 365) converting daily demand into annual demand.

References
----------
.. [1] S. Nahmias and T. L. Olsen, *Production and Operations Analysis*, 7th ed.,
   Waveland, 2015, sec. 5.4-5.6 (the (Q, R) model, service levels).
.. [2] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
   Management in Supply Chains*, 4th ed., CRC Press, 2017, ch. 6-7.
.. [3] G. Hadley and T. M. Whitin, *Analysis of Inventory Systems*, Prentice-Hall,
   1963, ch. 4.
.. [4] L. V. Snyder and Z.-J. M. Shen, *Fundamentals of Supply Chain Theory*,
   2nd ed., Wiley, 2019, ch. 4-5.
.. [5] S. Chopra and P. Meindl, *Supply Chain Management: Strategy, Planning, and
   Operation*, 6th ed., Pearson, 2016, ch. 12 (safety inventory).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from scipy import special

from .._numeric import (
    broadcast,
    renamed,
    require,
    require_nonnegative,
    require_positive,
    require_probability,
)
from .service import (
    _check_demand,
    _ltd,
    _normal_loss_inverse,
    _normal_loss_parts,
    reorder_point,
)

__all__ = [
    "BaseStockPolicy",
    "RSPolicy",
    "SQCost",
    "SQPolicy",
    "SSPolicy",
    "base_stock",
    "rs_policy",
    "sq_approx",
    "sq_cost",
    "sq_optimal",
    "ss_policy",
    "ss_power",
]


# --------------------------------------------------------------------------- results
class SQPolicy(NamedTuple):
    """A continuous-review (s, Q) policy and its expected annual cost, per SKU.

    Attributes
    ----------
    reorder_point : numeric
        Reorder point [units], s (R in Nahmias).
    order_quantity : numeric
        Order quantity [units], Q.
    safety_stock : numeric
        s - mu_L [units].
    safety_factor : numeric
        k = (s - mu_L) / sigma_L [standard deviations].
    lead_time_demand_mean, lead_time_demand_sd : numeric
        Demand over the lead time [units], mu_L and sigma_L.
    annual_ordering_cost : numeric
        K D / Q [$/year].
    annual_holding_cost : numeric
        h (Q / 2 + s - mu_L) [$/year] (cycle stock plus safety stock).
    annual_shortage_cost : numeric
        p D n(s) / Q [$/year]; 0 when no stockout cost was given.
    annual_cost : numeric
        The sum of the three parts [$/year].
    cycle_service_level : numeric
        P(lead-time demand <= s) [fraction].
    fill_rate : numeric
        1 - n(s) / Q [fraction].
    expected_shortage_per_cycle : numeric
        n(s) = sigma_L G(k) [units].
    iterations : numeric
        Iterations each SKU took (0 for the approximation and zero-demand SKUs).
    converged : numeric
        True where the iteration met ``tol`` within ``max_iter`` (always True for
        the approximation).
    """

    reorder_point: Any
    order_quantity: Any
    safety_stock: Any
    safety_factor: Any
    lead_time_demand_mean: Any
    lead_time_demand_sd: Any
    annual_ordering_cost: Any
    annual_holding_cost: Any
    annual_shortage_cost: Any
    annual_cost: Any
    cycle_service_level: Any
    fill_rate: Any
    expected_shortage_per_cycle: Any
    iterations: Any
    converged: Any


class SQCost(NamedTuple):
    """Annual cost of an (s, Q) pair and its parts [$/year]; see :func:`sq_cost`."""

    annual_ordering_cost: Any
    annual_holding_cost: Any
    annual_shortage_cost: Any
    annual_cost: Any


# --------------------------------------------------------------------------- shared pieces
def _sq_inputs(
    demand_mean,
    demand_sd,
    lead_time_days,
    lead_time_sd_days,
    order_cost,
    holding_cost,
    days_per_year,
    **extra,
):
    require_positive("days_per_year", np.asarray(days_per_year, dtype=float), "days/year")
    extra = {k: v for k, v in extra.items() if v is not None}
    b = broadcast(
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time_days=lead_time_days,
        lead_time_sd_days=lead_time_sd_days,
        review_period_days=0.0,
        order_cost=order_cost,
        holding_cost=holding_cost,
        **extra,
    )
    _check_demand(b)
    require_positive("order_cost", b["order_cost"], "$/order")
    require_positive("holding_cost", b["holding_cost"], "$/unit/year")
    if "shortage_cost_per_unit" in extra:
        require_positive("shortage_cost_per_unit", b["shortage_cost_per_unit"], "$/unit short")
    if "fill_rate" in extra:
        require_probability("fill_rate", b["fill_rate"])
    if "service_level" in extra:
        require_probability("service_level", b["service_level"])
    return b


def _one_of(**criteria) -> str:
    given = [k for k, v in criteria.items() if v is not None]
    if len(given) != 1:
        names = ", ".join(criteria)
        raise ValueError(f"give exactly one of {names}; got {given or 'none'}")
    return given[0]


def _cost_parts(q, s, lam, mean, sd, k_cost, h, p):
    """Annual ordering, holding, shortage cost and n(s), safely for Q = 0 / sd = 0."""
    pos_sd = sd > 0
    k = np.where(pos_sd, (s - mean) / np.where(pos_sd, sd, 1.0), 0.0)
    g, tail = _normal_loss_parts(k)
    n = np.where(pos_sd, sd * g, np.maximum(mean - s, 0.0))
    csl = np.where(pos_sd, 1.0 - tail, np.where(s >= mean, 1.0, 0.0))
    has_q = q > 0
    safe_q = np.where(has_q, q, 1.0)
    ordering = np.where(has_q, k_cost * lam / safe_q, 0.0)
    holding = h * (q / 2.0 + s - mean)
    shortage = np.where(has_q, p * lam * n / safe_q, 0.0)
    fill = np.where(has_q, np.maximum(1.0 - n / safe_q, 0.0), 1.0)
    return ordering, holding, shortage, n, k, csl, fill


def _sq_result(b, q, s, lam, mean, sd, p, iterations, converged) -> SQPolicy:
    ordering, holding, shortage, n, k, csl, fill = _cost_parts(
        q, s, lam, mean, sd, b["order_cost"], b["holding_cost"], p
    )
    return SQPolicy(
        reorder_point=b.wrap(s, "reorder_point"),
        order_quantity=b.wrap(q, "order_quantity"),
        safety_stock=b.wrap(s - mean, "safety_stock"),
        safety_factor=b.wrap(k, "safety_factor"),
        lead_time_demand_mean=b.wrap(mean, "lead_time_demand_mean"),
        lead_time_demand_sd=b.wrap(sd, "lead_time_demand_sd"),
        annual_ordering_cost=b.wrap(ordering, "annual_ordering_cost"),
        annual_holding_cost=b.wrap(holding, "annual_holding_cost"),
        annual_shortage_cost=b.wrap(shortage, "annual_shortage_cost"),
        annual_cost=b.wrap(ordering + holding + shortage, "annual_cost"),
        cycle_service_level=b.wrap(csl, "cycle_service_level"),
        fill_rate=b.wrap(fill, "fill_rate"),
        expected_shortage_per_cycle=b.wrap(n, "expected_shortage_per_cycle"),
        iterations=b.wrap(iterations, "iterations"),
        converged=b.wrap(converged, "converged"),
    )


# --------------------------------------------------------------------------- (s, Q)
def sq_cost(
    reorder_point: Any,
    order_quantity: Any,
    *,
    demand_mean: Any,
    demand_sd: Any,
    lead_time_days: Any,
    order_cost: Any,
    holding_cost: Any,
    shortage_cost_per_unit: Any = None,
    lead_time_sd_days: Any = 0.0,
    days_per_year: float = 365.0,
    stockout_cost: Any = None,
) -> SQCost:
    """Expected annual cost of a continuous-review (s, Q) policy under normal demand.

    Parameters
    ----------
    reorder_point : numeric
        Reorder point [units], s (R).
    order_quantity : numeric
        Order quantity [units], Q. Must be > 0.
    demand_mean, demand_sd : numeric
        Daily demand mean and sd [units/day], mu_d and sigma_d.
    lead_time_days, lead_time_sd_days : numeric
        Lead time mean and sd [days], L and sigma_LT.
    order_cost : numeric
        Cost per order [$/order], K.
    holding_cost : numeric
        Holding cost [$/unit/year], h.
    shortage_cost_per_unit : numeric, default 0
        Cost per unit short [$/unit short], p, charged once per unit backordered (not
        per unit per year: that is ``backorder_cost_per_unit_year`` of :func:`base_stock`).
    days_per_year : float, default 365
        [days/year], for the annual demand D = days_per_year * mu_d.
    stockout_cost : numeric, optional
        Deprecated name of ``shortage_cost_per_unit``.

    Returns
    -------
    SQCost
        ``annual_ordering_cost``, ``annual_holding_cost``, ``annual_shortage_cost``
        and their sum ``annual_cost`` [$/year].

    Raises
    ------
    ValueError
        On negative demand statistics, non-positive lead time, costs or Q.

    Notes
    -----
    .. math:: G(Q, R) = h\\left(\\frac{Q}{2} + R - \\mu_L\\right)
              + \\frac{K D}{Q} + \\frac{p\\,D\\,n(R)}{Q}

    The Hadley-Whitin approximate cost of Nahmias [1]_ ((Q, R) model section);
    Eq. (5.16) in Snyder and Shen [2]_, who call it the expected-inventory-level approximation). The
    holding term uses the mean inventory Q/2 + R - mu_L and ignores the small
    backorder correction.

    References
    ----------
    .. [1] Nahmias and Olsen (2015), sec. 5.4.
    .. [2] Snyder and Shen (2019), sec. 5.3.

    Examples
    --------
    Snyder and Shen, Example 5.2 (EIL approximation): lambda = 1,300 a year, tau = 150,
    L = 1/12 year, K = 8, h = 0.225, p = 7.5: cost 95.45 at (r, Q) = (213.97, 318.59).

    >>> c = sq_cost(213.9704, 318.5902, demand_mean=1300 / 365, demand_sd=150 / 365**0.5,
    ...             lead_time_days=365 / 12, order_cost=8, holding_cost=0.225,
    ...             shortage_cost_per_unit=7.5)
    >>> round(c.annual_cost, 2)
    95.45
    """
    p_short = renamed(
        "shortage_cost_per_unit", shortage_cost_per_unit, "stockout_cost", stockout_cost,
        "$/unit short",
    )  # fmt: skip
    b = _sq_inputs(
        demand_mean,
        demand_sd,
        lead_time_days,
        lead_time_sd_days,
        order_cost,
        holding_cost,
        days_per_year,
        reorder_point=reorder_point,
        order_quantity=order_quantity,
        shortage_cost_nonneg=0.0 if p_short is None else p_short,
    )
    require_positive("order_quantity", b["order_quantity"], "units")
    require_nonnegative("shortage_cost_per_unit", b["shortage_cost_nonneg"], "$/unit short")
    mean, sd = _ltd(
        b["demand_mean"], b["demand_sd"], b["lead_time_days"], b["lead_time_sd_days"], 0
    )
    lam = b["demand_mean"] * float(days_per_year)
    ordering, holding, shortage, *_ = _cost_parts(
        b["order_quantity"],
        b["reorder_point"],
        lam,
        mean,
        sd,
        b["order_cost"],
        b["holding_cost"],
        b["shortage_cost_nonneg"],
    )
    return SQCost(
        b.wrap(ordering, "annual_ordering_cost"),
        b.wrap(holding, "annual_holding_cost"),
        b.wrap(shortage, "annual_shortage_cost"),
        b.wrap(ordering + holding + shortage, "annual_cost"),
    )


def sq_optimal(
    demand_mean: Any,
    demand_sd: Any,
    *,
    lead_time_days: Any,
    order_cost: Any,
    holding_cost: Any,
    shortage_cost_per_unit: Any = None,
    fill_rate: Any = None,
    lead_time_sd_days: Any = 0.0,
    days_per_year: float = 365.0,
    tol: float = 1e-6,
    max_iter: int = 100,
    stockout_cost: Any = None,
) -> SQPolicy:
    """(s, Q) minimising the Hadley-Whitin approximate cost with a cost per unit short.

    The model optimised (with ``shortage_cost_per_unit``) is the approximate one of Hadley and
    Whitin [3]_ as taught by Nahmias [1]_ ((Q, R) model) and by Snyder and Shen [4]_
    (Eq. (5.16), the "expected-inventory-level" approximation, Algorithm 5.1): a cost
    p charged **once per unit short**, holding charged on Q/2 + s - mu_L (backorders
    ignored), normal lead-time demand. It is *not* the exact (r, Q) model with a
    backorder cost per unit per year; for that use
    :func:`workbench.policy.rq_optimal` (exact optimum), :func:`workbench.policy.rq_cost`
    (exact cost), or :func:`workbench.policy.rq_poisson_optimal` for Poisson demand.
    With ``fill_rate`` it is the fill-rate-constrained version of the same model.

    Parameters
    ----------
    demand_mean : numeric
        Mean daily demand [units/day], mu_d (annual demand D = days_per_year mu_d).
    demand_sd : numeric
        Standard deviation of daily demand [units/day], sigma_d.
    lead_time_days : numeric
        Mean lead time [days], L. Must be > 0.
    order_cost : numeric
        Fixed cost per order [$/order], K. Must be > 0.
    holding_cost : numeric
        Holding cost [$/unit/year], h. Must be > 0.
    shortage_cost_per_unit : numeric, optional
        Cost per unit short [$/unit short], p, charged once per unit backordered (not
        per unit per year). Give this *or* ``fill_rate``.
    fill_rate : numeric, optional
        Required fill rate [fraction in (0, 1)], beta (type 2 service).
    lead_time_sd_days : numeric, default 0
        Standard deviation of the lead time [days], sigma_LT.
    days_per_year : float, default 365
        [days/year].
    tol : float, default 1e-6
        Convergence tolerance [units]: a SKU stops when both Q and s move by less.
    max_iter : int, default 100
        Iteration cap; SKUs that have not converged are flagged in ``converged``.
    stockout_cost : numeric, optional
        Deprecated name of ``shortage_cost_per_unit``.

    Returns
    -------
    SQPolicy
        Reorder point, order quantity, safety stock, annual cost parts, service
        measures, iterations and convergence flag per SKU.

    Raises
    ------
    ValueError
        Unless exactly one of ``shortage_cost_per_unit`` and ``fill_rate`` is given; on
        non-positive costs, lead time, ``tol`` or ``max_iter``; negative demand
        statistics; a fill rate outside (0, 1).

    Notes
    -----
    Stockout cost (Hadley-Whitin; Nahmias [1]_, (Q, R) model; Eqs. (5.17)-(5.18)
    in Snyder and Shen [4]_, Algorithm 5.1): start
    at Q = EOQ and alternate

    .. math::

        1 - F(R) = \\frac{Q h}{p D}, \\qquad
        Q = \\sqrt{\\frac{2 D\\,[K + p\\,n(R)]}{h}}

    with n(R) = sigma_L G(k). Fill rate (Nahmias [1]_ sec. 5.5; SPT [2]_ sec. 6.7):
    alternate n(R) = (1 - beta) Q and

    .. math::

        Q = \\frac{n(R)}{1 - F(R)}
            + \\sqrt{\\frac{2 K D}{h} + \\left(\\frac{n(R)}{1 - F(R)}\\right)^2}.

    The reorder point is kept at or above the mean lead-time demand (k >= 0):
    when shortages are so cheap that Q h / (p D) > 1/2, or the fill rate is met
    without safety stock, the result is the best policy with k = 0 (Q from the
    same equations with k = 0; for a fill rate Q = max(EOQ, sigma_L G(0) / (1 - beta))).
    This keeps the cost model in the region where it is accurate and convex.
    Every iteration runs as array operations over the SKUs still moving; converged
    SKUs drop out. Zero-demand SKUs get Q = s = 0 and zero cost.

    References
    ----------
    .. [1] Nahmias and Olsen (2015), ch. 5, the (Q, R) model and service levels.
    .. [2] Silver, Pyke and Thomas (2017), ch. 6.
    .. [3] Hadley and Whitin (1963), ch. 4.
    .. [4] Snyder and Shen (2019), ch. 5, the EIL approximation.

    See Also
    --------
    workbench.policy.rq_optimal : the exact (r, Q) optimum, backorder cost per unit per year.
    workbench.policy.rq_loss_function_approx, workbench.policy.rq_eoqb_approx :
        its approximations.

    Examples
    --------
    Nahmias, Harvey's Specialty Shop: D = 200 jars a year, K = $50, h = $2,
    p = $25, lead-time demand 100 (sd 25) over six months. The book, rounding z to
    two decimals, stops at Q = 111, R = 143.

    >>> r = sq_optimal(200 / 365, 25 / 182.5**0.5, lead_time_days=182.5, order_cost=50,
    ...                holding_cost=2, shortage_cost_per_unit=25)
    >>> round(r.order_quantity, 1), round(r.reorder_point, 1)
    (110.8, 142.6)
    """
    shortage_cost_per_unit = renamed(
        "shortage_cost_per_unit", shortage_cost_per_unit, "stockout_cost", stockout_cost,
        "$/unit short",
    )  # fmt: skip
    kind = _one_of(shortage_cost_per_unit=shortage_cost_per_unit, fill_rate=fill_rate)
    if not (tol > 0):
        raise ValueError(f"tol must be > 0 [units]; got {tol!r}")
    if int(max_iter) != max_iter or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}")
    b = _sq_inputs(
        demand_mean,
        demand_sd,
        lead_time_days,
        lead_time_sd_days,
        order_cost,
        holding_cost,
        days_per_year,
        shortage_cost_per_unit=shortage_cost_per_unit,
        fill_rate=fill_rate,
    )
    mu_d = b["demand_mean"]
    mean, sd = _ltd(mu_d, b["demand_sd"], b["lead_time_days"], b["lead_time_sd_days"], 0)
    lam = mu_d * float(days_per_year)
    k_cost, h = b["order_cost"], b["holding_cost"]
    eoq = np.sqrt(2.0 * k_cost * lam / h)
    shape = np.shape(mean)
    # work on flat 1-D copies; reshape at the end
    lam_f, sd_f, mean_f, eoq_f = (
        np.ravel(np.asarray(x, dtype=float)) for x in (lam, sd, mean, eoq)
    )
    h_f, k_f = np.ravel(np.broadcast_to(h, shape)), np.ravel(np.broadcast_to(k_cost, shape))
    q_f = eoq_f.copy()
    s_f = mean_f.copy()
    it_f = np.zeros(q_f.shape, dtype=np.int64)
    conv_f = np.ones(q_f.shape, dtype=bool)
    p = b["shortage_cost_per_unit"] if kind == "shortage_cost_per_unit" else np.zeros(shape)
    if kind == "shortage_cost_per_unit":
        p_f = np.ravel(np.broadcast_to(p, shape))
    else:
        one_minus_beta = 1.0 - np.ravel(np.broadcast_to(b["fill_rate"], shape))

    # SKUs to iterate: positive demand and variability, all inputs finite
    finite = np.isfinite(lam_f) & np.isfinite(sd_f) & np.isfinite(eoq_f)
    finite &= np.isfinite(p_f) if kind == "shortage_cost_per_unit" else np.isfinite(one_minus_beta)
    active = np.flatnonzero(finite & (lam_f > 0) & (sd_f > 0))
    q_f[~finite] = np.nan
    s_f[~finite] = np.nan
    conv_f[active] = False

    idx = active
    for _ in range(int(max_iter)):
        if idx.size == 0:
            break
        qi, sdi, lami = q_f[idx], sd_f[idx], lam_f[idx]
        if kind == "shortage_cost_per_unit":
            pi = p_f[idx]
            tail = qi * h_f[idx] / (pi * lami)  # 1 - F(R)
            k = np.where(tail < 0.5, special.ndtri(1.0 - np.minimum(tail, 0.5)), 0.0)
            g, _ = _normal_loss_parts(k)
            n = sdi * g
            q_new = np.sqrt(2.0 * lami * (k_f[idx] + pi * n) / h_f[idx])
        else:
            omb = one_minus_beta[idx]
            n_target = omb * qi
            k = _normal_loss_inverse(n_target / sdi)
            # k <= 0 (to rounding): the fill rate is met without safety stock at this Q
            k = np.where(k > 1e-9, k, 0.0)
            _, tail = _normal_loss_parts(k)
            ratio = n_target / tail
            q_bound = np.maximum(eoq_f[idx], sdi * _INV_G0_SCALE / omb)
            q_new = np.where(
                k > 0,
                ratio + np.sqrt(2.0 * k_f[idx] * lami / h_f[idx] + ratio * ratio),
                q_bound,
            )
        s_new = mean_f[idx] + k * sdi
        done = (np.abs(q_new - qi) <= tol) & (np.abs(s_new - s_f[idx]) <= tol)
        q_f[idx] = q_new
        s_f[idx] = s_new
        it_f[idx] += 1
        conv_f[idx[done]] = True
        idx = idx[~done]

    if kind == "fill_rate":
        # the reorder point that meets the fill rate exactly for the final Q
        sel = active
        k = np.maximum(_normal_loss_inverse(one_minus_beta[sel] * q_f[sel] / sd_f[sel]), 0.0)
        s_f[sel] = mean_f[sel] + k * sd_f[sel]
    q, s = q_f.reshape(shape), s_f.reshape(shape)
    iterations, converged = it_f.reshape(shape), conv_f.reshape(shape)
    return _sq_result(b, q, s, lam, mean, sd, p, iterations, converged)


_INV_G0_SCALE = 1.0 / np.sqrt(2.0 * np.pi)  # G(0)


def sq_approx(
    demand_mean: Any,
    demand_sd: Any,
    *,
    lead_time_days: Any,
    order_cost: Any,
    holding_cost: Any,
    shortage_cost_per_unit: Any = None,
    fill_rate: Any = None,
    service_level: Any = None,
    lead_time_sd_days: Any = 0.0,
    days_per_year: float = 365.0,
    stockout_cost: Any = None,
) -> SQPolicy:
    """The simple (s, Q) approximation: Q = EOQ, then the reorder point for that Q.

    Parameters
    ----------
    demand_mean, demand_sd, lead_time_days, order_cost, holding_cost, \
lead_time_sd_days, days_per_year
        As in :func:`sq_optimal`.
    shortage_cost_per_unit : numeric, optional
        Cost per unit short [$/unit short], p (once per unit backordered): k from
        1 - F(s) = Q h / (p D).
    fill_rate : numeric, optional
        Fill rate [fraction], beta: k from G(k) = Q (1 - beta) / sigma_L.
    service_level : numeric, optional
        Cycle service level [fraction], alpha: k = Phi^-1(alpha).
        Give exactly one of the three.
    stockout_cost : numeric, optional
        Deprecated name of ``shortage_cost_per_unit``.

    Returns
    -------
    SQPolicy
        As :func:`sq_optimal`; ``annual_shortage_cost`` is 0 unless
        ``shortage_cost_per_unit`` is given; ``iterations`` is 0.

    Raises
    ------
    ValueError
        Unless exactly one criterion is given; as :func:`sq_optimal` otherwise.

    Notes
    -----
    The sequential approach of SPT [1]_ sec. 6.7 (and the first step of
    Nahmias's iteration [2]_): Q = sqrt(2 K D / h) ignoring uncertainty, then
    s = mu_L + k sigma_L with k from the chosen criterion, clipped at 0. The gap to
    the optimum is small when the EOQ is large against sigma_L and grows as shortages
    get dearer; it is never cheaper than :func:`sq_optimal` under the same cost.

    References
    ----------
    .. [1] Silver, Pyke and Thomas (2017), sec. 6.7.
    .. [2] Nahmias and Olsen (2015), sec. 5.4.

    Examples
    --------
    Snyder and Shen, Example 5.5 (EOQ + safety stock): Q = EOQ = 304.05 and r at the
    critical fractile p / (p + h) = 7.5 / 7.725 of lead-time demand: r = 190.34.

    >>> r = sq_approx(1300 / 365, 150 / 365**0.5, lead_time_days=365 / 12, order_cost=8,
    ...               holding_cost=0.225, service_level=7.5 / 7.725)
    >>> round(r.order_quantity, 2), round(r.reorder_point, 2)
    (304.05, 190.34)
    """
    shortage_cost_per_unit = renamed(
        "shortage_cost_per_unit", shortage_cost_per_unit, "stockout_cost", stockout_cost,
        "$/unit short",
    )  # fmt: skip
    kind = _one_of(
        shortage_cost_per_unit=shortage_cost_per_unit,
        fill_rate=fill_rate,
        service_level=service_level,
    )
    b = _sq_inputs(
        demand_mean,
        demand_sd,
        lead_time_days,
        lead_time_sd_days,
        order_cost,
        holding_cost,
        days_per_year,
        shortage_cost_per_unit=shortage_cost_per_unit,
        fill_rate=fill_rate,
        service_level=service_level,
    )
    mu_d = b["demand_mean"]
    mean, sd = _ltd(mu_d, b["demand_sd"], b["lead_time_days"], b["lead_time_sd_days"], 0)
    lam = mu_d * float(days_per_year)
    h = b["holding_cost"]
    q = np.sqrt(2.0 * b["order_cost"] * lam / h)
    pos = (sd > 0) & (lam > 0)
    safe_sd = np.where(pos, sd, 1.0)
    p = np.zeros(mean.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "shortage_cost_per_unit":
            p = b["shortage_cost_per_unit"]
            tail = np.where(pos, q * h / (p * np.where(pos, lam, 1.0)), 1.0)
            k = np.where(tail < 0.5, special.ndtri(1.0 - np.minimum(tail, 0.5)), 0.0)
        elif kind == "fill_rate":
            k = _normal_loss_inverse(np.where(pos, q * (1.0 - b["fill_rate"]) / safe_sd, 1.0))
        else:
            k = special.ndtri(b["service_level"])
    k = np.where(pos, np.where(k < 0, 0.0, k), np.where(np.isnan(k), np.nan, 0.0))
    s = mean + k * sd
    zeros = np.zeros(mean.shape, dtype=np.int64)
    return _sq_result(b, q, s, lam, mean, sd, p, zeros, np.ones(mean.shape, dtype=bool))


# --------------------------------------------------------------------------- (s, S)
class SSPolicy(NamedTuple):
    """An (s, S) min-max policy per SKU.

    Attributes
    ----------
    reorder_point : numeric
        s [units]: order when the inventory position falls to s or below.
    order_up_to : numeric
        S = s + Q [units]: order enough to bring the position back to S.
    order_quantity : numeric
        Q = S - s [units] (EOQ unless given).
    safety_stock : numeric
        s - mu_L [units].
    lead_time_demand_mean, lead_time_demand_sd : numeric
        Demand over the protection interval [units].
    cycle_service_level, fill_rate : numeric
        Achieved service (ignoring undershoot) [fraction].
    expected_shortage_per_cycle : numeric
        [units].
    stockouts_per_year : numeric
        [1/year].
    """

    reorder_point: Any
    order_up_to: Any
    order_quantity: Any
    safety_stock: Any
    lead_time_demand_mean: Any
    lead_time_demand_sd: Any
    cycle_service_level: Any
    fill_rate: Any
    expected_shortage_per_cycle: Any
    stockouts_per_year: Any


def ss_policy(
    demand_mean: Any,
    demand_sd: Any,
    *,
    lead_time_days: Any,
    service_level: Any = 0.95,
    service_type: str = "cycle",
    order_quantity: Any = None,
    order_cost: Any = None,
    holding_cost: Any = None,
    lead_time_sd_days: Any = 0.0,
    review_period_days: Any = 0.0,
    distribution: str = "normal",
    days_per_year: float = 365.0,
) -> SSPolicy:
    """(s, S) min-max policy: s from the reorder point, S = s + Q.

    Parameters
    ----------
    demand_mean, demand_sd, lead_time_days, lead_time_sd_days, service_level, \
service_type, distribution, review_period_days, days_per_year
        As in :func:`workbench.policy.service.reorder_point`; a review period > 0
        gives the periodic (R, s, S) policy, protected over L + R.
    order_quantity : numeric, optional
        Q = S - s [units]. If omitted, the EOQ from ``order_cost`` and ``holding_cost``.
    order_cost : numeric, optional
        [$/order], K; needed when ``order_quantity`` is omitted.
    holding_cost : numeric, optional
        [$/unit/year], h; needed when ``order_quantity`` is omitted.

    Returns
    -------
    SSPolicy
        s, S, Q, safety stock and the service measures.

    Raises
    ------
    ValueError
        If neither ``order_quantity`` nor both costs are given, or as
        :func:`~workbench.policy.service.reorder_point`.

    Notes
    -----
    The simple approximation of SPT [1]_ sec. 7.1-7.2: set s as the reorder point
    of an (s, Q) system and S = s + Q with Q = EOQ = sqrt(2 K D / h). It ignores
    the *undershoot* (how far below s the inventory position is when an order is
    triggered, as happens with lumpy demand or periodic review), so the achieved
    service is somewhat lower than reported when transactions are large against
    S - s; SPT add the expected undershoot to s, and the power approximation
    (Ehrhardt 1979; :func:`ss_power`) sets both numbers from the costs. For the
    simulator's ``"sS"`` policy, reviewed every day, use
    :func:`~workbench.policy.undershoot.periodic_reorder_point` with ``policy="sS"``,
    which includes the undershoot exactly: with daily demand N(20, 6^2), L = 4 days and
    S - s = 60, the s planned here for 95 % cycle service delivers about 74 %.

    References
    ----------
    .. [1] Silver, Pyke and Thomas (2017), sec. 7.1-7.2.

    Examples
    --------
    Heizer and Render, Memorial Hospital reorder point (366.45) with a 200-unit order:

    >>> p = ss_policy(350, 10, lead_time_days=1, service_level=0.95, order_quantity=200)
    >>> round(p.reorder_point, 2), round(p.order_up_to, 2)
    (366.45, 566.45)
    """
    if order_quantity is None:
        if order_cost is None or holding_cost is None:
            raise ValueError(
                "give order_quantity [units], or order_cost [$/order] and holding_cost "
                "[$/unit/year] for the EOQ"
            )
        b = broadcast(demand_mean=demand_mean, order_cost=order_cost, holding_cost=holding_cost)
        require_nonnegative("demand_mean", b["demand_mean"], "units/day")
        require_positive("order_cost", b["order_cost"], "$/order")
        require_positive("holding_cost", b["holding_cost"], "$/unit/year")
        lam = b["demand_mean"] * float(days_per_year)
        eoq = np.sqrt(2.0 * b["order_cost"] * lam / b["holding_cost"])
        # a zero-demand SKU has EOQ 0: keep Q > 0 for the reorder-point call, then zero it
        order_quantity = b.wrap(np.where(eoq > 0, eoq, 1.0))
        zero_q = eoq == 0
    else:
        zero_q = False
    r = reorder_point(
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
    )
    q = np.where(zero_q, 0.0, np.asarray(order_quantity, dtype=float))
    s = np.asarray(r.reorder_point, dtype=float)
    big_s = s + q

    def like(values, name):
        return _like(r.reorder_point, values, name)

    return SSPolicy(
        reorder_point=r.reorder_point,
        order_up_to=like(big_s, "order_up_to"),
        order_quantity=like(np.broadcast_to(q, s.shape), "order_quantity"),
        safety_stock=r.safety_stock,
        lead_time_demand_mean=r.lead_time_demand_mean,
        lead_time_demand_sd=r.lead_time_demand_sd,
        cycle_service_level=r.cycle_service_level,
        fill_rate=r.fill_rate,
        expected_shortage_per_cycle=r.expected_shortage_per_cycle,
        stockouts_per_year=r.stockouts_per_year,
    )


def _backorder_rate(per_year, per_unit, deprecated, *, required: bool) -> dict:
    """The backorder cost as given: {"backorder_cost_per_unit_year": ...} or
    {"shortage_cost_per_unit": ...} (one of them), for :func:`broadcast`."""
    per_year = renamed(
        "backorder_cost_per_unit_year", per_year, "backorder_cost", deprecated, "$/unit/year"
    )
    if per_year is not None and per_unit is not None:
        raise ValueError(
            "give backorder_cost_per_unit_year [$/unit/year] or shortage_cost_per_unit "
            "[$/unit short], not both"
        )
    if per_year is not None:
        return {"backorder_cost_per_unit_year": per_year}
    if per_unit is not None:
        return {"shortage_cost_per_unit": per_unit}
    if required:
        raise ValueError(
            "give backorder_cost_per_unit_year [$/unit/year] or shortage_cost_per_unit "
            "[$/unit short]"
        )
    return {}


def _backorder_rate_array(b, review_period_days: np.ndarray, days_per_year) -> np.ndarray:
    """Validate the backorder cost in ``b`` and return it in [$/unit/year]."""
    if "backorder_cost_per_unit_year" in b.arrays:
        rate = b["backorder_cost_per_unit_year"]
        require_positive("backorder_cost_per_unit_year", rate, "$/unit/year")
        return rate
    p = b["shortage_cost_per_unit"]
    require_positive("shortage_cost_per_unit", p, "$/unit short")
    require_positive("review_period_days (with shortage_cost_per_unit)", review_period_days, "days")
    # charged once per review period a unit stays backordered: per year, p / R
    return p * float(days_per_year) / review_period_days


def ss_power(
    demand_mean: Any,
    demand_sd: Any,
    *,
    review_period_days: Any,
    lead_time_days: Any,
    order_cost: Any,
    holding_cost: Any,
    backorder_cost_per_unit_year: Any = None,
    shortage_cost_per_unit: Any = None,
    lead_time_sd_days: Any = 0.0,
    days_per_year: float = 365.0,
    backorder_cost: Any = None,
) -> SSPolicy:
    """Periodic-review (s, S) policy by the revised power approximation.

    Parameters
    ----------
    demand_mean, demand_sd : numeric
        Daily demand mean and sd [units/day], mu_d and sigma_d.
    review_period_days : numeric
        Review period [days], the "period" of the model. Must be > 0.
    lead_time_days : numeric
        Lead time [days], L. Must be >= 0 (0 is the textbook's no-lead-time case).
    order_cost : numeric
        Fixed cost per order [$/order], K.
    holding_cost : numeric
        [$/unit/year], h (charged per period as h R / days_per_year).
    backorder_cost_per_unit_year : numeric, optional
        Backorder cost [$/unit/year] per unit backordered per year, p (per period as
        p R / days_per_year).
    shortage_cost_per_unit : numeric, optional
        Instead of the above: cost [$/unit short] charged per unit backordered at the
        end of a review period, p' (the model's per-period p itself), converted as
        p = p' days_per_year / R. With L = 0 every unit short is backordered at the end
        of one period only, so this is exactly a cost per unit short. Give one of the two.
    lead_time_sd_days : numeric, default 0
        [days].
    days_per_year : float, default 365
        [days/year].
    backorder_cost : numeric, optional
        Deprecated name of ``backorder_cost_per_unit_year``.

    Returns
    -------
    SSPolicy
        s, S, Q = S - s, safety stock s - mu_L and the normal-approximation service
        measures of s (which ignore undershoot).

    Raises
    ------
    ValueError
        On non-positive costs or review period, negative demand statistics or
        lead time.

    Notes
    -----
    With per-period demand mu and the protection interval L + R (mean mu_L, sd sigma_L):

    .. math::

        Q_p = 1.30\\,\\mu^{0.494}\\left(\\frac{K}{h}\\right)^{0.506}
              \\left(1 + \\frac{\\sigma_L^2}{\\mu^2}\\right)^{0.116},\\qquad
        z = \\sqrt{\\frac{Q_p h}{\\sigma_L p}}

        s = 0.973\\,\\mu_L + \\sigma_L\\left(\\frac{0.183}{z} + 1.063 - 2.192 z\\right),
        \\qquad S = s + Q_p

    Eqs. (4.77)-(4.80) in Snyder and Shen [1]_, after Ehrhardt and Mosier [2]_.
    The original paper adds a rule for Q_p / mu <= 1.5 (cap s and S at the
    newsvendor level); like the book, this function does not apply it. Items
    with zero demand or zero variability get s = mu_L and S = s + Q_p.

    References
    ----------
    .. [1] Snyder and Shen (2019), sec. 4.6, the power approximation.
    .. [2] R. Ehrhardt and C. Mosier, "A revision of the power approximation for
       computing (s, S) policies", *Management Science* 30(5), 618-622, 1984.

    Examples
    --------
    Snyder and Shen, Example 4.7 (as printed by the book's code): h = 0.18, p = 0.70,
    K = 2.5, demand N(50, 8^2) per period, no lead time: s = 40.19, S = 74.29. One
    period of 365 days:

    >>> r = ss_power(50 / 365, 8 / 365**0.5, review_period_days=365, lead_time_days=0,
    ...              order_cost=2.5, holding_cost=0.18, backorder_cost_per_unit_year=0.70)
    >>> round(r.reorder_point, 2), round(r.order_up_to, 2)
    (40.19, 74.29)
    """
    require_positive("days_per_year", np.asarray(days_per_year, dtype=float), "days/year")
    backorder_cost = _backorder_rate(
        backorder_cost_per_unit_year, shortage_cost_per_unit, backorder_cost, required=True
    )
    b = broadcast(
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        review_period_days=review_period_days,
        lead_time_days=lead_time_days,
        lead_time_sd_days=lead_time_sd_days,
        order_cost=order_cost,
        holding_cost=holding_cost,
        **backorder_cost,
    )
    require_nonnegative("demand_mean", b["demand_mean"], "units/day")
    require_nonnegative("demand_sd", b["demand_sd"], "units/day")
    require_positive("review_period_days", b["review_period_days"], "days")
    require_nonnegative("lead_time_days", b["lead_time_days"], "days")
    require_nonnegative("lead_time_sd_days", b["lead_time_sd_days"], "days")
    require_positive("order_cost", b["order_cost"], "$/order")
    require_positive("holding_cost", b["holding_cost"], "$/unit/year")
    mu_d, rp = b["demand_mean"], b["review_period_days"]
    per = rp / float(days_per_year)
    p_year = _backorder_rate_array(b, rp, days_per_year)
    h, p = b["holding_cost"] * per, p_year * per
    mu = mu_d * rp  # demand per period
    mean, sd = _ltd(mu_d, b["demand_sd"], b["lead_time_days"], b["lead_time_sd_days"], rp)
    pos_mu, pos_sd = mu > 0, sd > 0
    safe_mu = np.where(pos_mu, mu, 1.0)
    q = np.where(
        pos_mu,
        1.30 * safe_mu**0.494 * (b["order_cost"] / h) ** 0.506 * (1 + (sd / safe_mu) ** 2) ** 0.116,
        0.0,
    )
    ok = pos_mu & pos_sd
    z = np.sqrt(np.where(ok, q * h / (np.where(ok, sd, 1.0) * p), 1.0))
    s = np.where(ok, 0.973 * mean + sd * (0.183 / z + 1.063 - 2.192 * z), mean)
    k = np.where(pos_sd, (s - mean) / np.where(pos_sd, sd, 1.0), 0.0)
    g, tail = _normal_loss_parts(k)
    n = np.where(pos_sd, sd * g, 0.0)
    csl = np.where(pos_sd, 1.0 - tail, 1.0)
    safe_q = np.where(q > 0, q, 1.0)
    fill = np.where(q > 0, np.maximum(1.0 - n / safe_q, 0.0), 1.0)
    stockouts = np.where(q > 0, (1.0 - csl) * mu_d * float(days_per_year) / safe_q, 0.0)
    return SSPolicy(
        reorder_point=b.wrap(s, "reorder_point"),
        order_up_to=b.wrap(s + q, "order_up_to"),
        order_quantity=b.wrap(q, "order_quantity"),
        safety_stock=b.wrap(s - mean, "safety_stock"),
        lead_time_demand_mean=b.wrap(mean, "lead_time_demand_mean"),
        lead_time_demand_sd=b.wrap(sd, "lead_time_demand_sd"),
        cycle_service_level=b.wrap(csl, "cycle_service_level"),
        fill_rate=b.wrap(fill, "fill_rate"),
        expected_shortage_per_cycle=b.wrap(n, "expected_shortage_per_cycle"),
        stockouts_per_year=b.wrap(stockouts, "stockouts_per_year"),
    )


def _like(template: Any, values: np.ndarray, name: str) -> Any:
    """Return ``values`` in the type of ``template`` (float, ndarray or Series)."""
    import pandas as pd

    if isinstance(template, pd.Series):
        return pd.Series(np.asarray(values, dtype=float), index=template.index, name=name)
    if isinstance(template, np.ndarray):
        return np.asarray(values, dtype=float)
    return float(np.asarray(values))


# --------------------------------------------------------------------------- (R, S)
class RSPolicy(NamedTuple):
    """A periodic-review (R, S) order-up-to policy per SKU.

    Attributes
    ----------
    order_up_to : numeric
        S [units]: every R days order S minus the inventory position.
    safety_stock : numeric
        S - mu_{R+L} [units].
    safety_factor : numeric
        k [standard deviations].
    review_period_days : numeric
        R [days].
    protection_demand_mean, protection_demand_sd : numeric
        Demand over the protection interval R + L [units].
    average_order_quantity : numeric
        mu_d R [units].
    cycle_service_level, fill_rate : numeric
        Achieved service per review cycle [fraction].
    expected_shortage_per_cycle : numeric
        [units].
    stockouts_per_year : numeric
        (1 - CSL) days_per_year / R [1/year].
    """

    order_up_to: Any
    safety_stock: Any
    safety_factor: Any
    review_period_days: Any
    protection_demand_mean: Any
    protection_demand_sd: Any
    average_order_quantity: Any
    cycle_service_level: Any
    fill_rate: Any
    expected_shortage_per_cycle: Any
    stockouts_per_year: Any


def rs_policy(
    demand_mean: Any,
    demand_sd: Any,
    *,
    review_period_days: Any,
    lead_time_days: Any,
    service_level: Any = 0.95,
    service_type: str = "cycle",
    lead_time_sd_days: Any = 0.0,
    distribution: str = "normal",
    days_per_year: float = 365.0,
) -> RSPolicy:
    """Periodic-review (R, S) order-up-to level.

    Parameters
    ----------
    demand_mean, demand_sd : numeric
        Daily demand mean and sd [units/day], mu_d and sigma_d.
    review_period_days : numeric
        Review period [days], R (T in Chopra and Meindl). Must be > 0.
    lead_time_days, lead_time_sd_days : numeric
        Lead time mean and sd [days], L and sigma_LT.
    service_level : numeric, default 0.95
        Cycle service level or fill rate [fraction in (0, 1)].
    service_type : {"cycle", "fill_rate"}, default "cycle"
        As in :func:`~workbench.policy.service.reorder_point`; for a fill rate the
        average order mu_d R plays the part of Q.
    distribution : {"normal", "poisson"}, default "normal"
        Demand distribution over R + L.
    days_per_year : float, default 365
        [days/year].

    Returns
    -------
    RSPolicy
        Order-up-to level S, safety stock and service measures.

    Raises
    ------
    ValueError
        If ``review_period_days`` is not > 0, or as
        :func:`~workbench.policy.service.reorder_point`.

    Notes
    -----
    .. math:: S = \\mu_d (R + L) + k\\,\\sigma_{R+L}

    SPT [1]_, the (R, S) system: an order placed now arrives after L, and the
    next one can arrive only R + L later, so S must cover demand over R + L. The
    fill rate solves G(k) = mu_d R (1 - beta) / sigma_{R+L} (the textbook form, which
    leaves out the small E[(D_L - S)^+] of units already short when an order arrives;
    :func:`~workbench.policy.undershoot.periodic_service` has the exact one). An item
    with zero mean demand gets S = 0.

    Timing convention (shared with the simulator's ``"RS"`` policy, ``docs/timing.md``):
    in each bucket orders due arrive first, then on a review day the position is raised
    to S, then the bucket's demand is served; an order placed in bucket t arrives at
    the start of bucket t + L. The level just before the next receipt, at t + R + L, is
    S minus the demand of the R + L buckets t, ..., t + R + L - 1, which is what the
    cycle service level counts. R = 1 day is :func:`base_stock` with daily review.

    References
    ----------
    .. [1] Silver, Pyke and Thomas (2017), sec. 7.4.
    .. [2] Chopra and Meindl (2016), ch. 12, periodic review.

    Examples
    --------
    Chopra and Meindl, Lego at Walmart, periodic review: weekly demand 2,500 (sd 500),
    L = 2 weeks, review every 4 weeks, CSL 90 %: safety inventory 1,570,
    order-up-to 16,570 (per day: 2,500 / 7 and 500 / sqrt(7)).

    >>> p = rs_policy(2500 / 7, 500 / 7**0.5, review_period_days=28, lead_time_days=14,
    ...               service_level=0.90)
    >>> round(p.safety_stock), round(p.order_up_to)
    (1570, 16570)
    """
    b = broadcast(
        demand_mean=demand_mean, demand_sd=demand_sd, review_period_days=review_period_days
    )
    require_positive("review_period_days", b["review_period_days"], "days")
    require_nonnegative("demand_mean", b["demand_mean"], "units/day")
    mu_d, rp = b["demand_mean"], b["review_period_days"]
    avg_q = mu_d * rp
    pos = avg_q > 0
    if service_type == "fill_rate":
        # zero-mean items: no orders, no stock (Q placeholder 1, sd 0 -> k = 0)
        demand_sd = b.wrap(np.where(pos, b["demand_sd"], 0.0))
    r = reorder_point(
        demand_mean,
        demand_sd,
        lead_time_days=lead_time_days,
        lead_time_sd_days=lead_time_sd_days,
        service_level=service_level,
        service_type=service_type,
        order_quantity=b.wrap(np.where(pos, avg_q, 1.0)),
        distribution=distribution,
        review_period_days=review_period_days,
        days_per_year=days_per_year,
    )
    return RSPolicy(
        order_up_to=r.reorder_point,
        safety_stock=r.safety_stock,
        safety_factor=r.safety_factor,
        review_period_days=_like(r.reorder_point, np.broadcast_to(rp, avg_q.shape), "R"),
        protection_demand_mean=r.lead_time_demand_mean,
        protection_demand_sd=r.lead_time_demand_sd,
        average_order_quantity=_like(r.reorder_point, avg_q, "average_order_quantity"),
        cycle_service_level=r.cycle_service_level,
        fill_rate=r.fill_rate,
        expected_shortage_per_cycle=r.expected_shortage_per_cycle,
        stockouts_per_year=r.stockouts_per_year,
    )


# --------------------------------------------------------------------------- base stock
class BaseStockPolicy(NamedTuple):
    """A base-stock (order-up-to, one-for-one) policy per SKU, chosen or given.

    Attributes
    ----------
    order_up_to : numeric
        Base-stock level S [units].
    safety_stock : numeric
        S - mu_{L+R} [units].
    safety_factor : numeric
        z = (S - mu_{L+R}) / sigma_{L+R} [standard deviations].
    lead_time_demand_mean, lead_time_demand_sd : numeric
        Demand over the protection interval L + R [units], mu_{L+R} and sigma_{L+R}
        (R = ``review_period_days``; with R = 0 the lead time alone).
    cycle_service_level : numeric
        P(D_{L+R} <= S) [fraction].
    expected_backorders : numeric
        E[(D_{L+R} - S)+] = sigma_{L+R} G(z) [units], backorders at the end of a review
        period.
    expected_on_hand : numeric
        E[(S - D_{L+R})+] = S - mu_{L+R} + E[backorders] [units].
    annual_cost : numeric
        h E[on hand] + b E[backorders] [$/year]; NaN unless both costs were given.
    fill_rate : numeric
        Fraction of demand met from stock [fraction],
        1 - (E[(D_{L+R} - S)+] - E[(D_L - S)+]) / (mu_d R) for R > 0; NaN for R = 0
        (continuous review: see Notes) and 1 with no demand.
    annual_holding_cost : numeric
        h E[on hand] [$/year]; NaN unless ``holding_cost`` was given.
    annual_backorder_cost : numeric
        b E[backorders] [$/year]; NaN unless a backorder cost was given.
    """

    order_up_to: Any
    safety_stock: Any
    safety_factor: Any
    lead_time_demand_mean: Any
    lead_time_demand_sd: Any
    cycle_service_level: Any
    expected_backorders: Any
    expected_on_hand: Any
    annual_cost: Any
    fill_rate: Any = None
    annual_holding_cost: Any = None
    annual_backorder_cost: Any = None


def base_stock(
    demand_mean: Any,
    demand_sd: Any,
    *,
    lead_time_days: Any,
    service_level: Any = None,
    order_up_to: Any = None,
    holding_cost: Any = None,
    backorder_cost_per_unit_year: Any = None,
    shortage_cost_per_unit: Any = None,
    lead_time_sd_days: Any = 0.0,
    review_period_days: Any = 1.0,
    days_per_year: float = 365.0,
    backorder_cost: Any = None,
) -> BaseStockPolicy:
    """Base-stock level S = mu_{L+R} + z sigma_{L+R}, or the service and cost of a given S.

    Parameters
    ----------
    demand_mean, demand_sd : numeric
        Daily demand mean and sd [units/day].
    lead_time_days, lead_time_sd_days : numeric
        Lead time mean and sd [days], L (>= 0) and sigma_LT.
    service_level : numeric, optional
        Cycle service level alpha [fraction in (0, 1)]: z = Phi^-1(alpha).
    order_up_to : numeric, optional
        A given base-stock level S [units] to evaluate. The costs are then optional: the
        service measures are always returned, the costs when costs are given.
    holding_cost : numeric, optional
        [$/unit/year], h. With a backorder cost (and no ``service_level`` or
        ``order_up_to``) it sets alpha = b / (b + h).
    backorder_cost_per_unit_year : numeric, optional
        Backorder cost [$/unit/year], b: per unit backordered per year (Snyder and Shen's
        p), charged on the backorders at the end of each review period.
    shortage_cost_per_unit : numeric, optional
        Instead of b: cost [$/unit short] charged per unit backordered at the end of a
        review period, p', converted as b = p' days_per_year / R. With L = 0 every unit
        short is backordered at the end of one period only, so this is exactly a cost
        per unit short; with L > 0 a unit short is charged once per review it waits.
        Needs R > 0.
    review_period_days : numeric, default 1
        R [days] (>= 0): the stock is reviewed, and one order placed, every R days. The
        default 1 is the daily review of the simulator's base-stock policy; 0 gives the
        continuous-review textbook formula on the lead time alone. L + R must be > 0.
    days_per_year : float, default 365
        [days/year], converting a cost per unit short into a cost per unit per year.
    backorder_cost : numeric, optional
        Deprecated name of ``backorder_cost_per_unit_year``.

    Returns
    -------
    BaseStockPolicy
        S, safety stock, service (cycle service level, fill rate), expected backorders
        and on-hand stock, and the annual cost and its parts (NaN without costs).

    Raises
    ------
    ValueError
        Unless exactly one of ``service_level``, ``order_up_to`` and the cost pair
        chooses S; on both backorder costs; on a non-positive cost or a service level
        outside (0, 1); on negative demand statistics, lead time or review period, or
        L + R = 0.

    Notes
    -----
    .. math::

        S^* = \\mu_{L+R} + \\Phi^{-1}\\!\\left(\\frac{b}{b + h}\\right)\\sigma_{L+R},\\qquad
        g(S) = h\\,E[(S - D_{L+R})^+] + b\\,E[(D_{L+R} - S)^+]

    Snyder and Shen [1]_, base-stock policy with normal demand (the base-stock
    level is the newsvendor solution for the protection-interval demand, and g(S)
    the expected cost of any S); SPT [2]_ sec. 7.4, the (R, S) system with R = one
    period. The fill rate counts the units short in a review period: the backorders
    at its end less those already due before its order could arrive,
    E[(D_{L+R} - S)+] - E[(D_L - S)+] (SPT sec. 7.4); for R = 0 (continuous review,
    one-for-one) it is not defined by this formula and is NaN.

    Timing convention (shared with the simulator, ``docs/timing.md``): in each bucket
    orders due arrive first, then the position is reviewed and raised to S, then the
    bucket's demand is served. An order placed in bucket t arrives at the start of
    bucket t + L; the next one, placed a review later, at t + R + L. So S must cover the
    demand of L + R buckets: with daily review and L = 0 (the textbook's period with
    instant delivery), one day. Demand over L + R has mean mu_d (L + R) and variance
    (L + R) sigma_d^2 + mu_d^2 sigma_LT^2.

    References
    ----------
    .. [1] Snyder and Shen (2019), sec. 4.3-4.4.
    .. [2] Silver, Pyke and Thomas (2017), sec. 7.4.

    Examples
    --------
    Snyder and Shen, Example 4.3: h = 0.18, b = 0.70, demand N(50, 8^2) per period,
    orders arriving at once (L = 0) and one period of demand to cover: S* = 56.60,
    expected cost 1.9976. One period is one day here:

    >>> p = base_stock(50, 8, lead_time_days=0, holding_cost=0.18,
    ...                backorder_cost_per_unit_year=0.70)
    >>> round(p.order_up_to, 2), round(p.annual_cost, 4)
    (56.6, 1.9976)

    The cost of the non-optimal S = 40 (Snyder and Shen, Example 4.3), and the service
    of S = 60 without any cost:

    >>> p = base_stock(50, 8, lead_time_days=0, order_up_to=40, holding_cost=0.18,
    ...                backorder_cost_per_unit_year=0.70)
    >>> round(p.annual_cost, 4)
    7.3561
    >>> p = base_stock(50, 8, lead_time_days=0, order_up_to=60)
    >>> round(p.cycle_service_level, 4), round(p.fill_rate, 4), p.annual_cost
    (0.8944, 0.9919, nan)
    """
    backorder = _backorder_rate(
        backorder_cost_per_unit_year, shortage_cost_per_unit, backorder_cost, required=False
    )
    costs = holding_cost is not None or bool(backorder)
    chosen = [name for name, v in (("service_level", service_level),
                                   ("order_up_to", order_up_to)) if v is not None]  # fmt: skip
    if len(chosen) > 1 or (not chosen and not (holding_cost is not None and backorder)):
        raise ValueError(
            "give one of service_level, order_up_to [units], or holding_cost "
            "[$/unit/year] with backorder_cost_per_unit_year [$/unit/year] or "
            "shortage_cost_per_unit [$/unit short]"
            + (f"; got {', '.join(chosen)}" if len(chosen) > 1 else "")
        )
    if service_level is not None and costs:
        raise ValueError(
            "give either service_level or the costs (holding_cost with a backorder cost); "
            "with a given order_up_to [units] the costs price it"
        )
    extra: dict[str, Any] = dict(backorder)
    if holding_cost is not None:
        extra["holding_cost"] = holding_cost
    if service_level is not None:
        extra["service_level"] = service_level
    if order_up_to is not None:
        extra["order_up_to"] = order_up_to
    require_positive("days_per_year", np.asarray(days_per_year, dtype=float), "days/year")
    b = broadcast(
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time_days=lead_time_days,
        lead_time_sd_days=lead_time_sd_days,
        review_period_days=review_period_days,
        **extra,
    )
    require_nonnegative("demand_mean", b["demand_mean"], "units/day")
    require_nonnegative("demand_sd", b["demand_sd"], "units/day")
    require_nonnegative("lead_time_days", b["lead_time_days"], "days")
    require_nonnegative("lead_time_sd_days", b["lead_time_sd_days"], "days")
    require_nonnegative("review_period_days", b["review_period_days"], "days")
    require(
        "lead_time_days + review_period_days",
        b["lead_time_days"] + b["review_period_days"],
        b["lead_time_days"] + b["review_period_days"] > 0,
        "> 0 (the protection interval)",
        "days",
    )
    nan = np.full(b.shape, np.nan)
    h = b["holding_cost"] if holding_cost is not None else nan
    if holding_cost is not None:
        require_positive("holding_cost", h, "$/unit/year")
    rate = _backorder_rate_array(b, b["review_period_days"], days_per_year) if backorder else nan
    mean, sd = _ltd(
        b["demand_mean"],
        b["demand_sd"],
        b["lead_time_days"],
        b["lead_time_sd_days"],
        b["review_period_days"],
    )
    pos = sd > 0
    safe_sd = np.where(pos, sd, 1.0)
    if order_up_to is not None:
        big_s = b["order_up_to"]
        z = np.where(pos, (big_s - mean) / safe_sd, 0.0)
    else:
        if service_level is not None:
            require_probability("service_level", b["service_level"])
            alpha = b["service_level"]
        else:
            alpha = rate / (rate + h)
        z = np.where(pos, special.ndtri(alpha), 0.0)
        big_s = mean + z * sd
    g, tail = _normal_loss_parts(z)
    backorders = np.where(pos, sd * g, np.maximum(mean - big_s, 0.0))
    on_hand = big_s - mean + backorders
    csl = np.where(pos, 1.0 - tail, (big_s >= mean).astype(float))
    csl = np.where(np.isnan(sd) | np.isnan(big_s), np.nan, csl)
    # units short per review: backorders at its end less those due before its order lands
    mean_l, sd_l = _ltd(
        b["demand_mean"], b["demand_sd"], b["lead_time_days"], b["lead_time_sd_days"], 0.0
    )
    pos_l = sd_l > 0
    g_l, _ = _normal_loss_parts(np.where(pos_l, (big_s - mean_l) / np.where(pos_l, sd_l, 1.0), 0))
    early = np.where(pos_l, sd_l * g_l, np.maximum(mean_l - big_s, 0.0))
    per_review = b["demand_mean"] * b["review_period_days"]
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = 1.0 - (backorders - early) / per_review
    fill = np.where(per_review > 0, np.clip(fill, 0.0, 1.0), np.where(
        b["review_period_days"] > 0, 1.0, np.nan))  # fmt: skip
    fill = np.where(np.isnan(per_review) | np.isnan(big_s), np.nan, fill)
    holding = h * on_hand
    backordering = rate * backorders
    return BaseStockPolicy(
        order_up_to=b.wrap(big_s, "order_up_to"),
        safety_stock=b.wrap(big_s - mean, "safety_stock"),
        safety_factor=b.wrap(z, "safety_factor"),
        lead_time_demand_mean=b.wrap(mean, "lead_time_demand_mean"),
        lead_time_demand_sd=b.wrap(sd, "lead_time_demand_sd"),
        cycle_service_level=b.wrap(csl, "cycle_service_level"),
        expected_backorders=b.wrap(backorders, "expected_backorders"),
        expected_on_hand=b.wrap(on_hand, "expected_on_hand"),
        annual_cost=b.wrap(holding + backordering, "annual_cost"),
        fill_rate=b.wrap(fill, "fill_rate"),
        annual_holding_cost=b.wrap(holding, "annual_holding_cost"),
        annual_backorder_cost=b.wrap(backordering, "annual_backorder_cost"),
    )
