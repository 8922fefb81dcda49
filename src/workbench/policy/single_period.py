"""Newsvendor (single-period) model: how much to buy for one selling season.

:func:`newsvendor` balances the cost of a unit left over (overage, c_o) against the
margin lost on a unit short (underage, c_u): the best quantity is the critical-ratio
fractile of the demand distribution, F(Q*) = c_u / (c_u + c_o). Demand may be normal
(mean, sd), lognormal (mean, sd; skewed, never negative), Poisson (mean; slow movers) or
empirical (a sample of past demands, optionally weighted). Normal, lognormal and Poisson
are vectorized across items; an empirical sample may be one item's history (1-D) or one
row per item (2-D). Given an ``order_quantity`` it evaluates that quantity instead, and
then the costs are optional: the service measures are always returned, the costs only
when costs are given.

References
----------
.. [CT] G. Cachon and C. Terwiesch, *Matching Supply with Demand*, 4th ed., McGraw-Hill,
   2019, ch. 14 "Betting on Uncertain Demand: The Newsvendor Model".
.. [N] S. Nahmias and T. L. Olsen, *Production and Operations Analysis*, 7th ed.,
   Waveland, 2015, sec. 5.3 "The Newsboy Model".
.. [SS] L. V. Snyder and Z.-J. M. Shen, *Fundamentals of Supply Chain Theory*, 2nd ed.,
   Wiley, 2019, sec. 4.3 "The Newsvendor Problem".
.. [P] E. L. Porteus, *Foundations of Stochastic Inventory Theory*, Stanford University
   Press, 2002, ch. 1.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import special

from .._numeric import Numeric, broadcast, require, require_nonnegative, require_positive
from .service import _poisson_cdf, _poisson_pmf, _poisson_quantile

__all__ = ["NewsvendorResult", "newsvendor"]

_DISTRIBUTIONS = ("normal", "lognormal", "poisson", "empirical")


class NewsvendorResult(NamedTuple):
    """Result of :func:`newsvendor` (each field a float, ndarray or Series)."""

    order_quantity: Any
    """Q* (or the ``order_quantity`` evaluated) [units]."""
    critical_ratio: Any
    """c_u / (c_u + c_o) [fraction]; NaN when a given quantity is evaluated without costs."""
    expected_profit: Any
    """margin x E[demand] - expected_cost [$]; with prices this is
    price E[sales] + salvage E[leftover] - unit_cost Q - shortage_penalty E[lost].
    NaN without costs."""
    expected_cost: Any
    """Expected mismatch cost c_o E[leftover] + c_u E[lost sales] [$]; NaN without costs."""
    expected_sales: Any
    """E[min(D, Q)] [units]."""
    expected_leftover: Any
    """E[(Q - D)+] [units]."""
    expected_lost_sales: Any
    """E[(D - Q)+] [units]."""
    in_stock_probability: Any
    """P(D <= Q) [fraction]."""
    fill_rate: Any
    """expected_sales / E[demand] [fraction]; 1 when there is no demand."""
    underage_cost: Any
    """c_u used [$/unit]; NaN without costs."""
    overage_cost: Any
    """c_o used [$/unit]; NaN without costs."""


def _costs(underage_cost, overage_cost, price, unit_cost, salvage_value, shortage_penalty, given_q):
    """Return keyword inputs for broadcast and whether prices were given (None: no costs,
    allowed only when a given quantity is evaluated)."""
    direct = underage_cost is not None or overage_cost is not None
    priced = price is not None or unit_cost is not None
    none = not direct and not priced and salvage_value is None and shortage_penalty is None
    if none and given_q:
        return {}, None
    if direct and (priced or salvage_value is not None or shortage_penalty is not None):
        raise ValueError(
            "give either underage_cost and overage_cost, or price and unit_cost "
            "(with optional salvage_value and shortage_penalty), not both"
        )
    if direct:
        if underage_cost is None or overage_cost is None:
            raise ValueError("underage_cost and overage_cost must be given together")
        return {"underage_cost": underage_cost, "overage_cost": overage_cost}, False
    if not priced:
        raise ValueError(
            "give the costs: underage_cost and overage_cost, or price and unit_cost "
            "(with optional salvage_value and shortage_penalty)"
        )
    if price is None or unit_cost is None:
        raise ValueError("price and unit_cost must be given together")
    return {
        "price": price,
        "unit_cost": unit_cost,
        "salvage_value": 0.0 if salvage_value is None else salvage_value,
        "shortage_penalty": 0.0 if shortage_penalty is None else shortage_penalty,
    }, True


def _cu_co(b, priced: bool | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate the cost inputs; return (c_u, c_o, margin), NaN when no costs were given."""
    if priced is None:
        nan = np.full(b.shape, np.nan)
        return nan, nan, nan
    if priced:
        price, cost = b["price"], b["unit_cost"]
        salvage, penalty = b["salvage_value"], b["shortage_penalty"]
        require_nonnegative("unit_cost", cost, "$/unit")
        require("price", price, price > cost, "> unit_cost", "$/unit")
        require("salvage_value", salvage, salvage < cost, "< unit_cost", "$/unit")
        require_nonnegative("shortage_penalty", penalty, "$/unit")
        margin = price - cost
        return margin + penalty, cost - salvage, margin
    cu, co = b["underage_cost"], b["overage_cost"]
    require_positive("underage_cost", cu, "$/unit")
    require_positive("overage_cost", co, "$/unit")
    return cu, co, cu


def _normal(mean, sd, cr, q_given):
    z_star = special.ndtri(cr)
    q = np.maximum(mean + z_star * sd, 0.0) if q_given is None else q_given
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (q - mean) / sd
    zero_sd = sd == 0
    z = np.where(zero_sd, 0.0, z)
    tail = special.ndtr(-z)
    loss = np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi) - z * tail  # G(z)
    lost = np.where(zero_sd, np.maximum(mean - q, 0.0), sd * loss)
    in_stock = np.where(zero_sd, (q >= mean).astype(float), 1.0 - tail)
    in_stock = np.where(np.isnan(sd) | np.isnan(mean) | np.isnan(q), np.nan, in_stock)
    return q, lost, in_stock


def _lognormal(mean, sd, cr, q_given):
    """Lognormal demand with the given mean and sd (not those of its logarithm)."""
    random = (sd > 0) & (mean > 0)
    m = np.where(random, mean, 1.0)
    sigma = np.sqrt(np.log1p(np.where(random, sd, 0.0) ** 2 / (m * m)))
    safe_sigma = np.where(random, sigma, 1.0)
    mu = np.log(m) - 0.5 * sigma * sigma
    if q_given is None:
        q = np.where(random, np.exp(mu + safe_sigma * special.ndtri(cr)), mean)
    else:
        q = q_given
    with np.errstate(divide="ignore"):
        w = (np.log(q) - mu) / safe_sigma  # -inf at q = 0
    # E[(D - q)+] = m (1 - Phi(w - sigma)) - q (1 - Phi(w))
    lost = m * special.ndtr(safe_sigma - w) - np.where(q > 0, q * special.ndtr(-w), 0.0)
    lost = np.where(random, np.maximum(lost, 0.0), np.maximum(mean - q, 0.0))
    in_stock = np.where(random, special.ndtr(w), (q >= mean).astype(float))
    nan = np.isnan(mean) | np.isnan(sd) | np.isnan(q)
    return q, np.where(nan, np.nan, lost), np.where(nan, np.nan, in_stock)


def _poisson(mean, cr, q_given):
    if q_given is None:
        q, cdf = _poisson_quantile(cr, mean)
    else:
        q = np.where(np.isnan(mean), np.nan, q_given)
        cdf = _poisson_cdf(q, mean)
    # E[(D - q)+] = mean P(D > q - 1) - q P(D > q)  (pdtr floors a non-integer q)
    below = (
        _poisson_cdf(q - 1.0, mean)
        if q_given is not None
        else cdf
        - np.where((q >= 0) & (mean > 0), _poisson_pmf(q, np.where(mean > 0, mean, 1.0)), 0.0)
    )
    lost = mean * (1.0 - below) - q * (1.0 - cdf)
    lost = np.maximum(lost, 0.0)  # rounding can leave -1e-16
    lost = np.where(mean == 0, 0.0, lost)
    in_stock = np.where(mean == 0, 1.0, cdf)
    return q, lost, in_stock


def _samples(demand_samples, sample_weights):
    """Return (values (..., m), weights (..., m), index or None)."""
    index = None
    if isinstance(demand_samples, pd.DataFrame):
        index = demand_samples.index
        values = demand_samples.to_numpy(dtype=float, na_value=np.nan)
    elif isinstance(demand_samples, pd.Series):
        values = demand_samples.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            values = np.asarray(demand_samples, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(
                f"demand_samples must be numeric (1-D history or 2-D items x history); "
                f"got {demand_samples!r}"
            ) from None
    if values.ndim not in (1, 2):
        raise ValueError(
            "demand_samples must be 1-D (one item's history) or 2-D (one row per item); "
            f"got {values.ndim} dimensions"
        )
    if values.shape[-1] == 0 or values.size == 0:
        raise ValueError("demand_samples must not be empty")
    if np.any(np.isnan(values)):
        raise ValueError("demand_samples must not contain NaN; drop or fill missing periods")
    require_nonnegative("demand_samples", values, "units")
    if sample_weights is None:
        weights = np.ones_like(values)
    else:
        w = sample_weights
        w = w.to_numpy(dtype=float) if isinstance(w, pd.Series | pd.DataFrame) else w
        w = np.asarray(w, dtype=float)
        try:
            weights = np.broadcast_to(w, values.shape)
        except ValueError:
            raise ValueError(
                f"sample_weights of shape {w.shape} do not match demand_samples of shape "
                f"{values.shape}"
            ) from None
        if np.any(np.isnan(weights)):
            raise ValueError("sample_weights must not contain NaN")
        require_nonnegative("sample_weights", weights)
        total = weights.sum(axis=-1)
        require("sample_weights", total, total > 0, "summing to > 0 for each item")
    return values, weights, index


def _empirical(values, weights, cr, q_given):
    order = np.argsort(values, axis=-1, kind="stable")
    v = np.take_along_axis(values, order, axis=-1)
    w = np.take_along_axis(weights, order, axis=-1)
    w = w / w.sum(axis=-1, keepdims=True)
    lead = np.broadcast_shapes(v.shape[:-1], np.shape(cr))
    v = np.broadcast_to(v, (*lead, v.shape[-1]))
    w = np.broadcast_to(w, v.shape)
    if q_given is None:
        cum = np.cumsum(w, axis=-1)
        # smallest observed demand whose cumulative probability reaches the ratio
        hit = cum >= np.asarray(cr)[..., None] - 1e-12
        idx = np.argmax(hit, axis=-1)[..., None]
        q = np.take_along_axis(v, idx, axis=-1)[..., 0]
    else:
        q = np.broadcast_to(q_given, lead)
    qe = np.asarray(q)[..., None]
    lost = np.sum(w * np.maximum(v - qe, 0.0), axis=-1)
    in_stock = np.sum(w * (v <= qe), axis=-1)
    mean = np.sum(w * v, axis=-1)
    return q, lost, in_stock, mean


def newsvendor(
    demand_mean: Numeric = None,
    demand_sd: Numeric = None,
    *,
    distribution: str | None = None,
    demand_samples: Numeric = None,
    sample_weights: Numeric = None,
    underage_cost: Numeric = None,
    overage_cost: Numeric = None,
    price: Numeric = None,
    unit_cost: Numeric = None,
    salvage_value: Numeric = None,
    shortage_penalty: Numeric = None,
    order_quantity: Numeric = None,
) -> NewsvendorResult:
    """Optimal one-off order quantity for uncertain demand (the newsvendor model).

    Parameters
    ----------
    demand_mean : numeric, optional
        Mean demand of the season [units], μ (λ for Poisson).
    demand_sd : numeric, optional
        Standard deviation of demand [units], σ (normal demand only).
    distribution : {"normal", "lognormal", "poisson", "empirical"}, optional
        Demand distribution. Default: "empirical" if ``demand_samples`` is given,
        otherwise "normal" (which needs ``demand_sd``). "lognormal" takes the mean and
        sd of demand itself (not of its logarithm) and suits skewed demand that cannot
        go negative.
    demand_samples : array-like, Series or DataFrame, optional
        Past demands treated as equally likely outcomes (or weighted by
        ``sample_weights``) [units]: 1-D for one item, 2-D with one row per item (a
        DataFrame keeps its index).
    sample_weights : array-like, optional
        Non-negative weights of the samples (e.g. more weight on recent seasons),
        broadcast against ``demand_samples``.
    underage_cost : numeric, optional
        Cost of each unit of demand short [$/unit], c_u (p in [SS]); give with
        ``overage_cost``. The costs (this pair, or ``price`` and ``unit_cost``) may be
        left out when ``order_quantity`` is given: the service measures are returned
        and the cost fields are NaN.
    overage_cost : numeric, optional
        Cost of each unit left over [$/unit], c_o (h in [SS]).
    price : numeric, optional
        Selling price [$/unit], p; with ``unit_cost`` instead of c_u, c_o:
        c_u = price - unit_cost + shortage_penalty, c_o = unit_cost - salvage_value.
    unit_cost : numeric, optional
        Purchase cost [$/unit], c.
    salvage_value : numeric, optional
        Value of a leftover unit [$/unit], v (default 0; negative for a disposal cost).
    shortage_penalty : numeric, optional
        Goodwill cost of a unit short beyond the lost margin [$/unit] (default 0).
    order_quantity : numeric, optional
        Evaluate this quantity [units] instead of the optimum (the cost of a given
        quantity, or with no costs its service alone).

    Returns
    -------
    NewsvendorResult
        ``order_quantity``, ``critical_ratio``, ``expected_profit``, ``expected_cost``,
        ``expected_sales``, ``expected_leftover``, ``expected_lost_sales``,
        ``in_stock_probability``, ``fill_rate``, ``underage_cost``, ``overage_cost``.

    Raises
    ------
    ValueError
        On missing or conflicting arguments (the message says what to give), an unknown
        ``distribution``, negative demand parameters, c_u or c_o <= 0 (price <=
        unit_cost, salvage_value >= unit_cost), empty or NaN samples, or bad weights.

    Notes
    -----
    Q* is the smallest Q with F(Q) >= c_u / (c_u + c_o) (Eq. (4.27) in [SS]; [N] sec.
    5.3; [CT] ch. 14; [P] Theorem 1.1).

    - Normal: Q* = max(0, μ + z σ), z = Φ^-1(c_u/(c_u+c_o)); expected lost sales
      σ G((Q-μ)/σ) with the standard normal loss function G(z) = φ(z) - z (1 - Φ(z)).
      Q* is not rounded. σ = 0 gives Q* = μ.
    - Lognormal: ln D ~ N(m, s^2) with s^2 = ln(1 + σ²/μ²) and m = ln μ - s²/2;
      Q* = exp(m + s z); lost sales μ (1 - Φ(w - s)) - Q (1 - Φ(w)), w = (ln Q - m)/s
      ([SS] sec. 4.3 and Problem 4.8). σ = 0 gives Q* = μ.
    - Poisson: Q* an integer; lost sales λ P(D >= Q) - Q P(D > Q).
    - Empirical: Q* one of the observed demands; expectations are weighted averages.

    Then leftover = Q - μ + lost sales, sales = μ - lost sales, and the expected
    mismatch cost is c_o leftover + c_u lost sales. NaN parameters give NaN results.

    Examples
    --------
    Cachon & Terwiesch's O'Neill Hammer 3/2 wetsuit: demand N(3192, 1181), price $190,
    cost $110, salvage $90, so c_u = 80, c_o = 20 and the critical ratio is 0.8:

    >>> r = newsvendor(3192, 1181, price=190, unit_cost=110, salvage_value=90)
    >>> round(r.critical_ratio, 2), round(r.order_quantity)
    (0.8, 4186)

    (the book reads z from a table to two decimals, so prints a slightly different Q).
    Snyder & Shen Example 4.7, Poisson(6) demand, h = 1, p = 4:

    >>> r = newsvendor(6, distribution="poisson", underage_cost=4, overage_cost=1)
    >>> r.order_quantity, round(r.expected_cost, 3)
    (8.0, 3.57)

    Snyder & Shen Problem 4.8(b): lognormal demand with ln D ~ N(6, 0.3^2), h = 1,
    p = 0.1765, so mean exp(6.045) and sd mean sqrt(exp(0.09) - 1): S* = 295.63 and
    g(S*) = 29.4425.

    >>> mean = np.exp(6 + 0.3**2 / 2); sd = mean * np.sqrt(np.expm1(0.3**2))
    >>> r = newsvendor(mean, sd, distribution="lognormal", underage_cost=0.1765,
    ...                overage_cost=1)
    >>> round(r.order_quantity, 2), round(r.expected_cost, 4)
    (295.63, 29.4425)

    The service of a given quantity needs no costs:

    >>> r = newsvendor(50, 8, order_quantity=60)
    >>> round(r.in_stock_probability, 4), round(r.fill_rate, 4), r.expected_cost
    (0.8944, 0.9919, nan)
    """
    if distribution is None:
        distribution = "empirical" if demand_samples is not None else "normal"
    if distribution not in _DISTRIBUTIONS:
        raise ValueError(
            "distribution must be 'normal', 'lognormal', 'poisson' or 'empirical'; "
            f"got {distribution!r}"
        )
    costs, priced = _costs(
        underage_cost,
        overage_cost,
        price,
        unit_cost,
        salvage_value,
        shortage_penalty,
        order_quantity is not None,
    )
    extra = {} if order_quantity is None else {"order_quantity": order_quantity}

    if distribution == "empirical":
        if demand_samples is None:
            raise ValueError("distribution='empirical' needs demand_samples")
        if demand_mean is not None or demand_sd is not None:
            raise ValueError("demand_samples replaces demand_mean and demand_sd; do not pass both")
        values, weights, index = _samples(demand_samples, sample_weights)
        lead = values.shape[:-1]
        anchor = pd.Series(np.zeros(lead[0]), index=index) if index is not None else None
        if anchor is None and lead:
            anchor = np.zeros(lead)
        b = broadcast(**costs, **extra, **({} if anchor is None else {"_items": anchor}))
        cu, co, margin = _cu_co(b, priced)
        cr = cu / (cu + co)
        q_in = None
        if order_quantity is not None:
            q_in = b["order_quantity"]
            require_nonnegative("order_quantity", q_in, "units")
        q, lost, in_stock, mean = _empirical(values, weights, cr, q_in)
    else:
        if demand_samples is not None or sample_weights is not None:
            raise ValueError(
                f"demand_samples and sample_weights apply only to distribution='empirical'; "
                f"got distribution={distribution!r}"
            )
        if demand_mean is None:
            raise ValueError(f"demand_mean is required for {distribution} demand")
        if distribution in ("normal", "lognormal") and demand_sd is None:
            raise ValueError(
                f"demand_sd is required for {distribution} demand (or pass "
                "distribution='poisson', or demand_samples for an empirical distribution)"
            )
        if distribution == "poisson" and demand_sd is not None:
            raise ValueError(
                "demand_sd does not apply to Poisson demand (its variance equals its mean)"
            )
        inputs = {"demand_mean": demand_mean}
        if distribution != "poisson":
            inputs["demand_sd"] = demand_sd
        b = broadcast(**inputs, **costs, **extra)
        mean = b["demand_mean"]
        require_nonnegative("demand_mean", mean, "units")
        cu, co, margin = _cu_co(b, priced)
        cr = cu / (cu + co)
        q_in = None
        if order_quantity is not None:
            q_in = b["order_quantity"]
            require_nonnegative("order_quantity", q_in, "units")
        if distribution == "normal":
            sd = b["demand_sd"]
            require_nonnegative("demand_sd", sd, "units")
            q, lost, in_stock = _normal(mean, sd, cr, q_in)
        elif distribution == "lognormal":
            sd = b["demand_sd"]
            require_nonnegative("demand_sd", sd, "units")
            q, lost, in_stock = _lognormal(mean, sd, cr, q_in)
        else:
            q, lost, in_stock = _poisson(mean, cr, q_in)

    leftover = np.maximum(q - mean + lost, 0.0)
    sales = mean - lost
    cost = co * leftover + cu * lost
    profit = margin * mean - cost
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(mean == 0, 1.0, sales / mean)
    w = b.wrap
    return NewsvendorResult(
        order_quantity=w(q, "order_quantity"),
        critical_ratio=w(cr, "critical_ratio"),
        expected_profit=w(profit, "expected_profit"),
        expected_cost=w(cost, "expected_cost"),
        expected_sales=w(sales, "expected_sales"),
        expected_leftover=w(leftover, "expected_leftover"),
        expected_lost_sales=w(lost, "expected_lost_sales"),
        in_stock_probability=w(in_stock, "in_stock_probability"),
        fill_rate=w(fill, "fill_rate"),
        underage_cost=w(cu, "underage_cost"),
        overage_cost=w(co, "overage_cost"),
    )
