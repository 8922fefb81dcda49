"""Tests for workbench.policy.review: (s, Q), (s, S), (R, S) and base-stock policies.

Published cases name their book and example; every number was recomputed from the
formula, and where a book rounds (z to two decimals, Q and R to whole units) the
tolerance says so.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from workbench.policy.review import (
    BaseStockPolicy,
    RSPolicy,
    SQPolicy,
    SSPolicy,
    base_stock,
    rs_policy,
    sq_approx,
    sq_cost,
    sq_optimal,
    ss_policy,
    ss_power,
)
from workbench.policy.service import normal_loss, reorder_point

# Nahmias, Production and Operations Analysis, ch. 5, Harvey's Specialty Shop: mustard at
# $10 a jar, 20 % a year -> h = $2; K = $50; p = $25 a jar short; 100 jars (sd 25) over a
# six-month lead time, so D = 200 a year. Per day over 182.5 days:
HARVEY = dict(
    demand_mean=200 / 365,
    demand_sd=25 / np.sqrt(182.5),
    lead_time_days=182.5,
    order_cost=50,
    holding_cost=2,
)
# Snyder & Shen, Fundamentals of Supply Chain Theory, ch. 5, Examples 5.1-5.5: lambda = 1,300
# a year (sd 150 a year), L = 1/12 year, K = 8, h = 0.225, p = 7.5. Per day:
SNYDER = dict(
    demand_mean=1300 / 365,
    demand_sd=150 / np.sqrt(365),
    lead_time_days=365 / 12,
    order_cost=8,
    holding_cost=0.225,
)
# Chopra & Meindl, Supply Chain Management, safety-inventory chapter, Lego at Walmart:
# weekly demand 2,500 (sd 500), lead time 2 weeks. Per day:
LEGO = dict(demand_mean=2500 / 7, demand_sd=500 / np.sqrt(7), lead_time_days=14)


# ----------------------------------------------------------------------------- published cases


def test_harvey_cost_optimal_sq():
    # Nahmias, Harvey's Specialty Shop (Q, R) example: the book iterates with z read to two
    # decimals and stops at Q = 111, R = 143; exact iteration gives 110.77 and 142.57.
    r = sq_optimal(**HARVEY, shortage_cost_per_unit=25)
    assert_allclose(r.order_quantity, 111, atol=0.5)
    assert_allclose(r.reorder_point, 143, atol=0.5)
    assert_allclose(r.safety_stock, 43, atol=0.5)  # the book's safety stock, 143 - 100
    # the fixed point satisfies both optimality conditions exactly
    assert_allclose(1 - stats.norm.cdf(r.safety_factor), r.order_quantity * 2 / (25 * 200))
    n = 25 * normal_loss(r.safety_factor)
    assert_allclose(r.order_quantity, np.sqrt(2 * 200 * (50 + 25 * n) / 2), rtol=1e-8)
    assert r.converged


def test_harvey_first_iteration_is_the_approximation():
    # Nahmias, Harvey's first step: Q0 = EOQ = 100, 1 - F(R) = 100 * 2 / (25 * 200) = 0.04,
    # z = 1.75 -> R = 143.75 (book: 144)
    r = sq_approx(**HARVEY, shortage_cost_per_unit=25)
    assert_allclose(r.order_quantity, 100.0, rtol=1e-12)
    assert_allclose(r.reorder_point, 144, atol=0.3)
    assert_allclose(r.reorder_point, 100 + 25 * stats.norm.ppf(0.96), rtol=1e-12)
    assert r.iterations == 0


def test_harvey_type2_with_eoq():
    # Nahmias, Harvey's type 2 service 98 % with Q = EOQ = 100: n(R) = 2, L(z) = 0.08,
    # z = 1.02 -> R = 125.5 (table z; exact 1.0212 -> 125.53)
    r = sq_approx(**HARVEY, fill_rate=0.98)
    assert_allclose(r.reorder_point, 125.5, atol=0.1)
    assert_allclose(r.fill_rate, 0.98, rtol=1e-10)


def test_harvey_fill_rate_optimal_satisfies_nahmias_conditions():
    # Nahmias sec. 5.5: Q = n/(1-F) + sqrt(2 K D / h + (n/(1-F))^2) with n(R) = (1 - beta) Q
    r = sq_optimal(**HARVEY, fill_rate=0.98)
    n = 0.02 * r.order_quantity
    assert_allclose(r.expected_shortage_per_cycle, n, rtol=1e-9)
    tail = stats.norm.sf(r.safety_factor)
    expected_q = n / tail + np.sqrt(2 * 50 * 200 / 2 + (n / tail) ** 2)
    assert_allclose(r.order_quantity, expected_q, rtol=1e-6)
    assert r.annual_cost <= sq_approx(**HARVEY, fill_rate=0.98).annual_cost


SNYDER_CASES = [
    # (source, function, kwargs, reorder point, order quantity, cost); values as printed by
    # the book's companion code (stockpyl) to 2 decimals
    (
        "Snyder & Shen Example 5.2, EIL (Hadley-Whitin) approximation",
        sq_optimal,
        dict(shortage_cost_per_unit=7.5),
        213.97,
        318.59,
        95.45,
    ),
    (
        "Snyder & Shen Example 5.5, EOQ + SS (r at the critical fractile p / (p + h))",
        sq_approx,
        dict(service_level=7.5 / 7.725),
        190.34,
        304.05,
        None,
    ),
]


@pytest.mark.parametrize(
    ("source", "func", "kwargs", "r", "q", "cost"), SNYDER_CASES, ids=["ex5.2", "ex5.5"]
)
def test_snyder_shen_rq(source, func, kwargs, r, q, cost):
    res = func(**SNYDER, **kwargs)
    assert_allclose(res.reorder_point, r, atol=0.005)  # printed to 2 decimals
    assert_allclose(res.order_quantity, q, atol=0.005)
    if cost is not None:
        assert_allclose(res.annual_cost, cost, atol=0.005)


def test_snyder_shen_eil_cost_function():
    # Snyder & Shen Example 5.2: g(r, Q) = h (r - mu + Q/2) + K lambda / Q + p lambda n(r) / Q
    c = sq_cost(213.97044, 318.59018, **SNYDER, shortage_cost_per_unit=7.5)
    assert_allclose(c.annual_cost, 95.45, atol=0.005)
    assert_allclose(c.annual_ordering_cost, 8 * 1300 / 318.59018, rtol=1e-6)


def test_snyder_shen_base_stock():
    # Snyder & Shen Example 4.3: h = 0.18, p = 0.70, D ~ N(50, 8^2) per period, no lead
    # time: S* = 56.60, cost 1.9976. With the timing convention (review, then demand; an
    # order arrives L buckets later) the book's L = 0 covers one period of demand.
    p = base_stock(50, 8, lead_time_days=0, holding_cost=0.18, backorder_cost_per_unit_year=0.70)
    assert isinstance(p, BaseStockPolicy)
    assert_allclose(p.order_up_to, 56.60, atol=0.005)
    assert_allclose(p.annual_cost, 1.9976, atol=5e-5)
    assert_allclose(p.cycle_service_level, 0.70 / 0.88, rtol=1e-12)


def test_chopra_lego_periodic_review():
    # Chopra & Meindl, Lego at Walmart, periodic review every 4 weeks, CSL 0.90:
    # sigma_{T+L} = sqrt(6) * 500 = 1,225, safety inventory 1,570, order-up-to 16,570
    p = rs_policy(
        LEGO["demand_mean"],
        LEGO["demand_sd"],
        lead_time_days=14,
        review_period_days=28,
        service_level=0.90,
    )
    assert isinstance(p, RSPolicy)
    assert_allclose(p.protection_demand_sd, 1225, atol=0.5)
    assert_allclose(p.safety_stock, 1570, atol=0.5)
    assert_allclose(p.order_up_to, 16570, atol=0.5)
    assert_allclose(p.average_order_quantity, 10000, rtol=1e-12)


def test_chopra_lego_fill_rate():
    # Chopra & Meindl, Lego at Walmart, continuous review with Q = 10,000 and a 97.5 % fill
    # rate: ESC = 250, sigma_L = 707, safety inventory 67 (book, whole units)
    p = ss_policy(**LEGO, service_level=0.975, service_type="fill_rate", order_quantity=10000)
    assert_allclose(p.safety_stock, 67, atol=0.6)
    assert_allclose(p.expected_shortage_per_cycle, 250, rtol=1e-9)
    assert_allclose(p.order_up_to, p.reorder_point + 10000)


def test_snyder_shen_power_approximation():
    # Snyder & Shen Example 4.7, revised power approximation (Ehrhardt & Mosier 1984):
    # h = 0.18, p = 0.70, K = 2.5, N(50, 8^2) per period, no lead time; the book's code
    # prints s = 40.19461695647407, S = 74.29017010980579. One period = 365 days here.
    r = ss_power(
        50 / 365,
        8 / np.sqrt(365),
        review_period_days=365,
        lead_time_days=0,
        order_cost=2.5,
        holding_cost=0.18,
        backorder_cost_per_unit_year=0.70,
    )
    assert_allclose(r.reorder_point, 40.19461695647407, rtol=1e-12)
    assert_allclose(r.order_up_to, 74.29017010980579, rtol=1e-12)
    # recomputed: Q = 1.30 * 50^0.494 * (2.5/0.18)^0.506 * (1 + (8/50)^2)^0.116
    q = 1.30 * 50**0.494 * (2.5 / 0.18) ** 0.506 * (1 + (8 / 50) ** 2) ** 0.116
    assert_allclose(r.order_quantity, q, rtol=1e-12)


def test_power_approximation_scales_costs_to_the_period():
    # weekly review: the period is 7 days, so costs per period are h 7/365 and p 7/365,
    # mu = 70 a period, and the protection interval L + R = 12 days
    a = ss_power(
        10.0,
        3.0,
        review_period_days=7,
        lead_time_days=5,
        order_cost=40,
        holding_cost=2.0,
        backorder_cost_per_unit_year=30.0,
    )
    h, p, mu, sd_l = 2.0 * 7 / 365, 30.0 * 7 / 365, 70.0, 3.0 * np.sqrt(12)
    q = 1.30 * mu**0.494 * (40 / h) ** 0.506 * (1 + sd_l**2 / mu**2) ** 0.116
    z = np.sqrt(q * h / (sd_l * p))
    s = 0.973 * 120.0 + sd_l * (0.183 / z + 1.063 - 2.192 * z)
    assert_allclose(a.lead_time_demand_mean, 120.0)
    assert_allclose(a.lead_time_demand_sd, sd_l)
    assert_allclose(a.reorder_point, s, rtol=1e-12)
    assert_allclose(a.order_up_to, s + q, rtol=1e-12)


def test_memorial_hospital_ss_policy_with_eoq():
    # Heizer & Render: Memorial Hospital reorder point 366.45 (book 366.5); with the
    # Sharp, Inc. EOQ inputs (D = 1,000, S = $10, H = $0.50) Q = 200, so S = 566.45.
    p = ss_policy(
        350,
        10,
        lead_time_days=1,
        service_level=0.95,
        order_cost=10,
        holding_cost=0.5,
        days_per_year=1000 / 350,
    )
    assert isinstance(p, SSPolicy)
    assert_allclose(p.reorder_point, 366.45, atol=0.005)
    assert_allclose(p.order_quantity, 200, rtol=1e-12)
    assert_allclose(p.order_up_to, 566.45, atol=0.005)


# ----------------------------------------------------------------------------- properties

sku = dict(
    mu=st.floats(0.05, 200),
    cv=st.floats(0.05, 2.0),
    lt=st.floats(1, 90),
    k_cost=st.floats(1, 500),
    h=st.floats(0.1, 50),
)


@settings(max_examples=50, deadline=None)
@given(**sku, ratio=st.floats(1.5, 200))
def test_optimal_no_costlier_than_approx_or_grid_neighbours(mu, cv, lt, k_cost, h, ratio):
    kw = dict(lead_time_days=lt, order_cost=k_cost, holding_cost=h)
    p = h * ratio
    opt = sq_optimal(mu, mu * cv, shortage_cost_per_unit=p, tol=1e-9, **kw)
    assert opt.converged
    approx = sq_approx(mu, mu * cv, shortage_cost_per_unit=p, **kw)
    assert opt.annual_cost <= approx.annual_cost * (1 + 1e-9)
    step = 1e-3 * max(opt.order_quantity, 1.0)
    for dq in (-step, 0.0, step):
        for ds in (-step, 0.0, step):
            s = opt.reorder_point + ds
            if s < opt.lead_time_demand_mean - 1e-12:  # the model keeps s >= mu_L
                continue
            c = sq_cost(
                s,
                opt.order_quantity + dq,
                demand_mean=mu,
                demand_sd=mu * cv,
                shortage_cost_per_unit=p,
                **kw,
            ).annual_cost
            assert opt.annual_cost <= c * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(**sku, beta=st.floats(0.5, 0.999))
def test_fill_rate_optimal_meets_target_and_beats_neighbours(mu, cv, lt, k_cost, h, beta):
    kw = dict(lead_time_days=lt, order_cost=k_cost, holding_cost=h)
    opt = sq_optimal(mu, mu * cv, fill_rate=beta, tol=1e-9, **kw)
    assert opt.converged
    assert opt.fill_rate >= beta - 1e-9
    approx = sq_approx(mu, mu * cv, fill_rate=beta, **kw)
    assert opt.annual_cost <= approx.annual_cost * (1 + 1e-9)
    # neighbours along the constraint: for Q' = Q (1 +- 1e-3), the cheapest feasible s
    for f in (1 - 1e-3, 1 + 1e-3):
        q = opt.order_quantity * f
        s = reorder_point(
            mu,
            mu * cv,
            lead_time_days=lt,
            service_level=beta,
            service_type="fill_rate",
            order_quantity=q,
        ).reorder_point
        c = sq_cost(s, q, demand_mean=mu, demand_sd=mu * cv, **kw).annual_cost
        assert opt.annual_cost <= c * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(
    mu=st.one_of(st.just(0.0), st.floats(1e-6, 100)),  # no subnormals: EOQ loses digits there
    lt=st.floats(1, 60),
    k_cost=st.floats(1, 100),
    h=st.floats(0.1, 10),
)
def test_zero_variability_gives_eoq_and_zero_safety_stock(mu, lt, k_cost, h):
    for crit in (dict(shortage_cost_per_unit=10 * h), dict(fill_rate=0.99)):
        r = sq_optimal(mu, 0.0, lead_time_days=lt, order_cost=k_cost, holding_cost=h, **crit)
        assert r.safety_stock == 0.0
        assert_allclose(r.order_quantity, np.sqrt(2 * k_cost * mu * 365 / h), rtol=1e-12)


def test_vectorized_matches_one_sku_at_a_time():
    rng = np.random.default_rng(7)
    n = 40
    mu = rng.gamma(1.5, 5, n)
    kw = dict(
        lead_time_days=rng.uniform(2, 60, n),
        order_cost=rng.uniform(10, 200, n),
        holding_cost=rng.uniform(0.5, 20, n),
    )
    sd = mu * rng.uniform(0.2, 1.5, n)
    for crit in (dict(shortage_cost_per_unit=kw["holding_cost"] * 20), dict(fill_rate=0.95)):
        vec = sq_optimal(mu, sd, **kw, **crit)
        for i in range(n):
            one = sq_optimal(
                mu[i],
                sd[i],
                **{k: v[i] for k, v in kw.items()},
                **{k: np.asarray(v).reshape(-1)[i % np.size(v)] for k, v in crit.items()},
            )
            assert_allclose(vec.order_quantity[i], one.order_quantity, rtol=1e-12)
            assert_allclose(vec.reorder_point[i], one.reorder_point, rtol=1e-12)
            assert vec.iterations[i] == one.iterations


def test_cheap_shortages_keep_reorder_point_at_mean():
    # Q h / (p D) > 1/2: stocking out in most cycles would pay; the model stops at k = 0
    r = sq_optimal(
        10.0, 5.0, lead_time_days=10, order_cost=100, holding_cost=5, shortage_cost_per_unit=0.5
    )
    assert r.safety_stock == 0.0 and r.safety_factor == 0.0
    assert r.converged


def test_rs_protection_interval_and_fill_rate():
    p = rs_policy(10.0, 3.0, review_period_days=7, lead_time_days=3, service_level=0.95)
    assert_allclose(p.protection_demand_mean, 100.0)
    assert_allclose(p.protection_demand_sd, 3.0 * np.sqrt(10))
    f = rs_policy(
        10.0,
        3.0,
        review_period_days=7,
        lead_time_days=3,
        service_level=0.99,
        service_type="fill_rate",
    )
    # G(k) = mu R (1 - beta) / sigma_{R+L}
    assert_allclose(f.expected_shortage_per_cycle, 70 * 0.01, rtol=1e-9)
    assert_allclose(f.stockouts_per_year, (1 - f.cycle_service_level) * 365 / 7, rtol=1e-9)


def test_base_stock_service_level_form():
    # review_period_days=0: the continuous-review formula on the lead time alone
    p = base_stock(20.0, 4.0, lead_time_days=9, service_level=0.95, review_period_days=0)
    assert_allclose(p.order_up_to, 180 + stats.norm.ppf(0.95) * 12)
    assert np.isnan(p.annual_cost)
    assert_allclose(p.expected_on_hand, p.safety_stock + p.expected_backorders)


def test_base_stock_daily_review_covers_lead_time_plus_one_day():
    # the default is the simulator's daily review: S covers L + 1 days of demand
    p = base_stock(20.0, 4.0, lead_time_days=9, service_level=0.95)
    assert_allclose(p.lead_time_demand_mean, 200.0)
    assert_allclose(p.lead_time_demand_sd, 4.0 * np.sqrt(10))
    assert_allclose(p.order_up_to, 200 + stats.norm.ppf(0.95) * 4.0 * np.sqrt(10))
    # a weekly review protects L + 7 days, with lead-time variability as usual
    w = base_stock(
        20.0, 4.0, lead_time_days=9, lead_time_sd_days=2, review_period_days=7, service_level=0.9
    )
    assert_allclose(w.lead_time_demand_sd, np.sqrt(16 * 16 + 400 * 4))
    # the base-stock policy is the (R, S) policy with R = 1 day
    r = rs_policy(20.0, 4.0, review_period_days=1, lead_time_days=9, service_level=0.95)
    assert_allclose(p.order_up_to, r.order_up_to, rtol=1e-12)


def test_base_stock_needs_a_protection_interval():
    with pytest.raises(ValueError, match=r"lead_time_days \+ review_period_days must be > 0"):
        base_stock(5.0, 1.0, lead_time_days=0, review_period_days=0, service_level=0.9)
    with pytest.raises(ValueError, match=r"review_period_days must be >= 0 \[days\]"):
        base_stock(5.0, 1.0, lead_time_days=2, review_period_days=-1, service_level=0.9)


# ----------------------------------------------------------------------------- input types


def test_scalar_in_gives_floats_out():
    r = sq_optimal(
        5.0, 2.0, lead_time_days=7, order_cost=20, holding_cost=1, shortage_cost_per_unit=10
    )
    assert isinstance(r, SQPolicy)
    for name, v in r._asdict().items():
        assert np.ndim(v) == 0, name
        assert isinstance(v, float | int | bool), name


def test_list_ndarray_series():
    for mu in ([5.0, 8.0], np.array([5.0, 8.0])):
        r = sq_optimal(mu, 2.0, lead_time_days=7, order_cost=20, holding_cost=1, fill_rate=0.97)
        assert isinstance(r.order_quantity, np.ndarray) and r.order_quantity.shape == (2,)
    idx = pd.Index(["X1", "X2", "X3"], name="sku")
    mu = pd.Series([5.0, 0.0, 8.0], index=idx)
    for res in (
        sq_optimal(
            mu, 2.0, lead_time_days=7, order_cost=20, holding_cost=1, shortage_cost_per_unit=9
        ),
        sq_approx(mu, 2.0, lead_time_days=7, order_cost=20, holding_cost=1, service_level=0.9),
        ss_policy(mu, 2.0, lead_time_days=7, order_cost=20, holding_cost=1),
        rs_policy(mu, 2.0, review_period_days=7, lead_time_days=7, service_type="fill_rate"),
        base_stock(mu, 2.0, lead_time_days=7, service_level=0.9),
        ss_power(
            mu,
            2.0,
            review_period_days=7,
            lead_time_days=7,
            order_cost=20,
            holding_cost=1,
            backorder_cost_per_unit_year=10,
        ),
    ):
        for name, v in res._asdict().items():
            assert isinstance(v, pd.Series), (type(res).__name__, name)
            assert v.index.equals(idx)


def test_nan_and_empty():
    r = sq_optimal(
        [5.0, np.nan],
        2.0,
        lead_time_days=7,
        order_cost=20,
        holding_cost=1,
        shortage_cost_per_unit=10,
    )
    assert np.isnan(r.order_quantity[1]) and np.isfinite(r.order_quantity[0])
    e = sq_optimal(
        np.array([]), np.array([]), lead_time_days=7, order_cost=20, holding_cost=1, fill_rate=0.9
    )
    assert all(np.asarray(v).shape == (0,) for v in e)


def test_zero_demand_items_cost_nothing_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for crit in (dict(shortage_cost_per_unit=10.0), dict(fill_rate=0.95)):
            r = sq_optimal(0.0, 0.0, lead_time_days=7, order_cost=20, holding_cost=1, **crit)
            assert r.order_quantity == 0.0 and r.reorder_point == 0.0 and r.annual_cost == 0.0
            assert r.fill_rate == 1.0
        a = sq_approx(0.0, 0.0, lead_time_days=7, order_cost=20, holding_cost=1, fill_rate=0.9)
        assert a.annual_cost == 0.0 and a.reorder_point == 0.0
        s = ss_policy(0.0, 0.0, lead_time_days=7, order_cost=20, holding_cost=1)
        assert s.order_up_to == 0.0 and s.order_quantity == 0.0
        p = rs_policy(0.0, 0.0, review_period_days=7, lead_time_days=3, service_type="fill_rate")
        assert p.order_up_to == 0.0
        w = ss_power(
            0.0,
            0.0,
            review_period_days=7,
            lead_time_days=3,
            order_cost=20,
            holding_cost=1,
            backorder_cost_per_unit_year=10,
        )
        assert w.order_up_to == 0.0 and w.reorder_point == 0.0


# ----------------------------------------------------------------------------- validation

SQ = dict(demand_mean=5.0, demand_sd=2.0, lead_time_days=7.0, order_cost=20.0, holding_cost=1.0)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (dict(), r"give exactly one of shortage_cost_per_unit, fill_rate; got none"),
        (
            dict(shortage_cost_per_unit=5, fill_rate=0.9),
            r"give exactly one of .*\['shortage_cost_per_unit', ",
        ),
        (
            dict(shortage_cost_per_unit=0.0),
            r"shortage_cost_per_unit must be > 0 \[\$/unit short\]; got 0",
        ),
        (dict(fill_rate=1.2), r"fill_rate must be strictly between 0 and 1 .*got 1.2"),
        (
            dict(shortage_cost_per_unit=5, order_cost=-1.0),
            r"order_cost must be > 0 \[\$/order\]; got -1",
        ),
        (
            dict(shortage_cost_per_unit=5, holding_cost=0.0),
            r"holding_cost must be > 0 \[\$/unit/year\]; got 0",
        ),
        (
            dict(shortage_cost_per_unit=5, demand_sd=-1.0),
            r"demand_sd must be >= 0 \[units/day\]; got -1",
        ),
        (
            dict(shortage_cost_per_unit=5, lead_time_days=0.0),
            r"lead_time_days must be > 0 \[days\]; got 0",
        ),
        (
            dict(shortage_cost_per_unit=5, lead_time_sd_days=-1.0),
            r"lead_time_sd_days must be >= 0 \[days\]; got -1",
        ),
        (dict(shortage_cost_per_unit=5, tol=0.0), r"tol must be > 0 \[units\]; got 0.0"),
        (dict(shortage_cost_per_unit=5, max_iter=0), r"max_iter must be a positive integer; got 0"),
        (
            dict(shortage_cost_per_unit=5, days_per_year=-365),
            r"days_per_year must be > 0 \[days/year\]; got -365",
        ),
    ],
)
def test_sq_optimal_validation(override, message):
    with pytest.raises(ValueError, match=message):
        sq_optimal(**{**SQ, **override})


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (dict(), r"give exactly one of shortage_cost_per_unit, fill_rate, service_level; got none"),
        (dict(service_level=0.0), r"service_level must be strictly between 0 and 1"),
        (dict(fill_rate=0.9, service_level=0.9), r"give exactly one of"),
    ],
)
def test_sq_approx_validation(override, message):
    with pytest.raises(ValueError, match=message):
        sq_approx(**{**SQ, **override})


def test_sq_cost_validation():
    kw = dict(demand_mean=5.0, demand_sd=2.0, lead_time_days=7.0, order_cost=20.0, holding_cost=1.0)
    with pytest.raises(ValueError, match=r"order_quantity must be > 0 \[units\]; got 0"):
        sq_cost(40.0, 0.0, **kw)
    with pytest.raises(
        ValueError, match=r"shortage_cost_per_unit must be >= 0 \[\$/unit short\]; got -1"
    ):
        sq_cost(40.0, 10.0, shortage_cost_per_unit=-1.0, **kw)


def test_policy_validation_messages():
    with pytest.raises(ValueError, match=r"give order_quantity \[units\], or order_cost"):
        ss_policy(5.0, 1.0, lead_time_days=3, order_cost=10)
    with pytest.raises(ValueError, match=r"holding_cost must be > 0 \[\$/unit/year\]; got -2"):
        ss_policy(5.0, 1.0, lead_time_days=3, order_cost=10, holding_cost=-2)
    with pytest.raises(ValueError, match=r"service_level must be strictly between 0 and 1"):
        ss_policy(5.0, 1.0, lead_time_days=3, order_quantity=10, service_level=1.5)
    with pytest.raises(ValueError, match=r"review_period_days must be > 0 \[days\]; got 0"):
        rs_policy(5.0, 1.0, review_period_days=0, lead_time_days=3)
    with pytest.raises(ValueError, match=r"lead_time_days must be > 0 \[days\]; got -3"):
        rs_policy(5.0, 1.0, review_period_days=7, lead_time_days=-3)
    with pytest.raises(ValueError, match=r"give one of service_level, order_up_to \[units\]"):
        base_stock(5.0, 1.0, lead_time_days=3)
    with pytest.raises(ValueError, match=r"give either service_level or the costs"):
        base_stock(5.0, 1.0, lead_time_days=3, service_level=0.9, holding_cost=1.0)
    with pytest.raises(ValueError, match=r"give one of service_level, order_up_to \[units\]"):
        base_stock(5.0, 1.0, lead_time_days=3, holding_cost=1.0)
    with pytest.raises(ValueError, match=r"; got service_level, order_up_to"):
        base_stock(5.0, 1.0, lead_time_days=3, service_level=0.9, order_up_to=20)
    with pytest.raises(ValueError, match=r"or shortage_cost_per_unit \[\$/unit short\], not both"):
        base_stock(5.0, 1.0, lead_time_days=3, holding_cost=1.0, shortage_cost_per_unit=2,
                   backorder_cost_per_unit_year=3)  # fmt: skip
    with pytest.raises(ValueError, match=r"review_period_days \(with shortage_cost_per_unit\)"):
        base_stock(5.0, 1.0, lead_time_days=3, holding_cost=1.0, shortage_cost_per_unit=2,
                   review_period_days=0)  # fmt: skip
    with pytest.raises(
        ValueError, match=r"backorder_cost_per_unit_year must be > 0 \[\$/unit/year\]; got 0"
    ):
        base_stock(5.0, 1.0, lead_time_days=3, holding_cost=1.0, backorder_cost_per_unit_year=0.0)
    with pytest.raises(ValueError, match=r"service_level must be strictly between 0 and 1"):
        base_stock(5.0, 1.0, lead_time_days=3, service_level=1.0)
    power = dict(
        review_period_days=7,
        lead_time_days=3,
        order_cost=20,
        holding_cost=1,
        backorder_cost_per_unit_year=10,
    )
    with pytest.raises(ValueError, match=r"lead_time_days must be >= 0 \[days\]; got -1"):
        ss_power(5.0, 1.0, **{**power, "lead_time_days": -1})
    with pytest.raises(
        ValueError, match=r"backorder_cost_per_unit_year must be > 0 \[\$/unit/year\]; got 0"
    ):
        ss_power(5.0, 1.0, **{**power, "backorder_cost_per_unit_year": 0})
    with pytest.raises(ValueError, match=r"review_period_days must be > 0 \[days\]; got 0"):
        ss_power(5.0, 1.0, **{**power, "review_period_days": 0})


def test_base_stock_and_rs_deliver_their_cycle_service_in_the_simulator():
    # The promise under the shared timing convention: the simulator's daily base-stock
    # policy and its (R, S) policy deliver the planned 95 % cycle service (12 independent
    # replications of 12,000 days; within 3 standard errors). The old continuous-review
    # base stock (lead time alone, review_period_days=0) delivers far less.
    import workbench as wb

    reps, days, warm = 12, 12_000, 500
    rng = np.random.default_rng(3)
    demand = np.maximum(rng.normal(20.0, 6.0, (days + warm, 3 * reps)), 0.0)
    daily = base_stock(20.0, 6.0, lead_time_days=3, service_level=0.95).order_up_to
    old = base_stock(20.0, 6.0, lead_time_days=3, service_level=0.95, review_period_days=0)
    weekly = rs_policy(20.0, 6.0, review_period_days=7, lead_time_days=3, service_level=0.95)
    res = wb.simulate(
        demand,
        policy=np.repeat(["base_stock", "base_stock", "RS"], reps),
        order_up_to=np.repeat([daily, old.order_up_to, weekly.order_up_to], reps),
        review_period_days=np.repeat([1, 1, 7], reps),
        lead_time_days=3,
        lead_time_sd_days=0.0,
        warmup_days=warm,
        engine="numpy",
        progress=False,
        rng=0,
    )
    csl = res.summary["cycle_service_level"].to_numpy().reshape(3, reps)
    mean, se = csl.mean(axis=1), csl.std(axis=1, ddof=1) / np.sqrt(reps)
    assert abs(mean[0] - 0.95) <= 3 * se[0], (mean, se)
    assert abs(mean[2] - 0.95) <= 3 * se[2], (mean, se)
    assert 0.95 - mean[1] > 0.3  # the lead-time-only level: about 40 %


# ----------------------------------------------------------------------------- a given S, and
# the stockout-cost units. Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed., ch. 4
# (base stock with normal demand, one period = one day here); the 15-digit values are those of
# the test suite of Snyder's own library (stockpyl, tests/test_newsvendor.py), which solves the
# same exact formulas: 1e-9 relative.
BASE_STOCK_CASES = [
    pytest.param(dict(lead_time_days=0), None, 56.603955927433887, 1.997605193176645,
                 id="Snyder&Shen Example 4.3: S*=56.604 g=1.9976"),
    pytest.param(dict(lead_time_days=0), 40, 40, 7.356131552870388,
                 id="Snyder&Shen Example 4.3: g(40)=7.3561"),
    pytest.param(dict(lead_time_days=4), None, 264.7668943741548, 4.466781004149578,
                 id="Snyder&Shen Example 4.4 (L=4): S*=264.767 g=4.4668"),
    pytest.param(dict(lead_time_days=4), 180, 180, 49.000164748034095,
                 id="Snyder&Shen Example 4.4 (L=4): g(180)=49.0002"),
]  # fmt: skip


@pytest.mark.parametrize(("kw", "given", "level", "cost"), BASE_STOCK_CASES)
def test_base_stock_optimal_and_given_level_snyder_shen(kw, given, level, cost):
    p = base_stock(50, 8, **kw, order_up_to=given, holding_cost=0.18,
                   backorder_cost_per_unit_year=0.70)  # fmt: skip
    assert_allclose(p.order_up_to, level, rtol=1e-9)
    assert_allclose(p.annual_cost, cost, rtol=1e-9)
    assert_allclose(p.annual_holding_cost + p.annual_backorder_cost, p.annual_cost, rtol=1e-14)


def test_base_stock_given_level_without_costs_gives_service_only():
    levels = np.array([40.0, 56.6, 60.0, 75.0])
    bare = base_stock(50, 8, lead_time_days=0, order_up_to=levels)
    costed = base_stock(50, 8, lead_time_days=0, order_up_to=levels, holding_cost=0.18,
                        backorder_cost_per_unit_year=0.70)  # fmt: skip
    for f in ("order_up_to", "cycle_service_level", "fill_rate", "expected_backorders",
              "expected_on_hand", "safety_factor"):  # fmt: skip
        assert_allclose(getattr(bare, f), getattr(costed, f), rtol=0, atol=0)
    assert np.all(np.isnan(bare.annual_cost)) and np.all(np.isnan(bare.annual_holding_cost))
    assert_allclose(bare.cycle_service_level, stats.norm.cdf((levels - 50) / 8), rtol=1e-12)
    # L = 0, one-day review: every backorder at the day's end is that day's shortage
    assert_allclose(bare.fill_rate, 1 - 8 * normal_loss((levels - 50) / 8) / 50, rtol=1e-12)
    # a given S that the costs would choose is priced like the optimum
    opt = base_stock(50, 8, lead_time_days=0, holding_cost=0.18, backorder_cost_per_unit_year=0.7)
    again = base_stock(50, 8, lead_time_days=0, order_up_to=opt.order_up_to, holding_cost=0.18,
                       backorder_cost_per_unit_year=0.7)  # fmt: skip
    assert_allclose(again.annual_cost, opt.annual_cost, rtol=1e-12)


def test_base_stock_cost_is_minimal_at_the_optimum_and_fill_rate_counts_new_shortages():
    kw = dict(lead_time_days=6, review_period_days=7, holding_cost=2.0,
              backorder_cost_per_unit_year=40.0)  # fmt: skip
    opt = base_stock(10.0, 3.0, **kw)
    for d in (-2.0, -0.5, 0.5, 2.0):
        other = base_stock(10.0, 3.0, order_up_to=opt.order_up_to + d, **kw)
        assert other.annual_cost > opt.annual_cost
    # fill rate: units short in a week = E[(D_13 - S)+] - E[(D_6 - S)+], over 70 a week
    s = opt.order_up_to
    short = 3 * np.sqrt(13) * normal_loss((s - 130) / (3 * np.sqrt(13))) - 3 * np.sqrt(
        6
    ) * normal_loss((s - 60) / (3 * np.sqrt(6)))
    assert_allclose(opt.fill_rate, 1 - short / 70, rtol=1e-12)
    assert np.isnan(base_stock(10.0, 3.0, lead_time_days=6, review_period_days=0,
                               service_level=0.9).fill_rate)  # fmt: skip


def test_shortage_cost_per_unit_is_charged_once_per_review_backordered():
    # b [$/unit/year] = p' [$/unit short] * days_per_year / R: with R = 7 and p' = 3,
    # b = 3 * 365 / 7; with L = 0 each unit short is backordered at one review's end only
    per_unit = base_stock(10.0, 3.0, lead_time_days=0, review_period_days=7, holding_cost=2.0,
                          shortage_cost_per_unit=3.0)  # fmt: skip
    per_year = base_stock(10.0, 3.0, lead_time_days=0, review_period_days=7, holding_cost=2.0,
                          backorder_cost_per_unit_year=3.0 * 365 / 7)  # fmt: skip
    assert_allclose(per_unit.order_up_to, per_year.order_up_to, rtol=1e-14)
    assert_allclose(per_unit.annual_cost, per_year.annual_cost, rtol=1e-14)
    # the annual shortage cost is p' times the units short a year
    units_short_a_year = (1 - per_unit.fill_rate) * 10.0 * 365
    assert_allclose(per_unit.annual_backorder_cost, 3.0 * units_short_a_year, rtol=1e-12)
    # ss_power accepts the same pair
    kw = dict(review_period_days=7, lead_time_days=3, order_cost=20, holding_cost=1)
    a = ss_power(5.0, 1.0, **kw, shortage_cost_per_unit=2.0)
    b = ss_power(5.0, 1.0, **kw, backorder_cost_per_unit_year=2.0 * 365 / 7)
    assert_allclose(a.reorder_point, b.reorder_point, rtol=1e-14)


def test_deprecated_cost_names_still_work_with_a_warning():
    new = sq_optimal(**HARVEY, shortage_cost_per_unit=25)
    with pytest.warns(DeprecationWarning, match=r"stockout_cost is deprecated; call it "
                      r"shortage_cost_per_unit \[\$/unit short\]"):  # fmt: skip
        old = sq_optimal(**HARVEY, stockout_cost=25)
    assert_allclose(old.reorder_point, new.reorder_point, rtol=0)
    with pytest.warns(DeprecationWarning, match="stockout_cost is deprecated"):
        old_approx = sq_approx(**HARVEY, stockout_cost=25)
    assert_allclose(old_approx.reorder_point, sq_approx(**HARVEY, shortage_cost_per_unit=25)
                    .reorder_point, rtol=0)  # fmt: skip
    with pytest.warns(DeprecationWarning, match="stockout_cost is deprecated"):
        c = sq_cost(200.0, 100.0, **HARVEY, stockout_cost=25)
    assert c == sq_cost(200.0, 100.0, **HARVEY, shortage_cost_per_unit=25)
    with pytest.warns(DeprecationWarning, match="backorder_cost is deprecated; call it "
                      r"backorder_cost_per_unit_year \[\$/unit/year\]"):  # fmt: skip
        p = base_stock(50, 8, lead_time_days=0, holding_cost=0.18, backorder_cost=0.70)
    assert_allclose(p.order_up_to, 56.603955927433887, rtol=1e-9)
    with pytest.warns(DeprecationWarning, match="backorder_cost is deprecated"):
        ss_power(5.0, 1.0, review_period_days=7, lead_time_days=3, order_cost=20,
                 holding_cost=1, backorder_cost=10)  # fmt: skip
    with pytest.raises(ValueError, match=r"give shortage_cost_per_unit .* only; stockout_cost"):
        sq_optimal(**HARVEY, shortage_cost_per_unit=25, stockout_cost=25)


def test_ss_power_needs_one_backorder_cost():
    kw = dict(review_period_days=7, lead_time_days=3, order_cost=20, holding_cost=1)
    with pytest.raises(ValueError, match=r"give backorder_cost_per_unit_year \[\$/unit/year\] or "):
        ss_power(5.0, 1.0, **kw)
    with pytest.raises(ValueError, match=r"not both"):
        ss_power(5.0, 1.0, **kw, backorder_cost_per_unit_year=3.0, shortage_cost_per_unit=1.0)
    with pytest.raises(ValueError, match=r"shortage_cost_per_unit must be > 0 \[\$/unit short\]"):
        ss_power(5.0, 1.0, **kw, shortage_cost_per_unit=0.0)
