"""Tests for workbench.policy.rq: the exact (r, Q) model with a backorder cost per unit
per year, normal and Poisson demand.

Published cases are Snyder and Shen, *Fundamentals of Supply Chain Theory*, 2nd ed.
(2019), ch. 5 (examples and end-of-chapter problems). The book prints rounded figures;
the full digits compared here are those of the book's companion package stockpyl
(L. V. Snyder, github.com/LarrySnyder/stockpyl, tests/test_rq.py and the doctests of
src/stockpyl/rq.py), which computes the same quantities by quadrature, bisection and
fsolve. The instances are stated per year; the package takes demand per day, so
lambda -> lambda / 365 [units/day], tau -> tau / sqrt(365), L -> 365 L [days].
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import integrate, optimize, stats

from workbench.policy import (
    RQCost,
    RQPolicy,
    rq_cost,
    rq_eoqb_approx,
    rq_loss_function_approx,
    rq_optimal,
    rq_optimal_r_for_q,
    rq_poisson_cost,
    rq_poisson_optimal,
)


def _instance(h, p, k, lam, tau, lead_years):
    """A Snyder-Shen (r, Q) instance in the package's units."""
    return dict(
        demand_mean=lam / 365,
        demand_sd=tau / np.sqrt(365),
        lead_time_days=365 * lead_years,
        order_cost=k,
        holding_cost=h,
        backorder_cost_per_unit_year=p,
    )


# Snyder and Shen, Example 5.1 (also 5.2-5.6): h = 0.225, p = 7.5, K = 8, lambda = 1,300,
# tau = 150, L = 1/12 year.
EX_5_1 = _instance(0.225, 7.5, 8, 1300, 150, 1 / 12)
# Problem 5.1: h = 3.1, p = 45, K = 50, lambda = 800, tau = 40, L = 4 days.
PR_5_1 = _instance(3.1, 45, 50, 800, 40, 4 / 365)
# Problem 5.3: h = 1.5 / 7, p = 40, K = 85, lambda = 192, tau = 17.4, L = 3.
PR_5_3 = _instance(1.5 / 7, 40, 85, 192, 17.4, 3)
INSTANCES = {"Example 5.1": EX_5_1, "Problem 5.1": PR_5_1, "Problem 5.3": PR_5_3}


def _no(inst, *names):
    return {k: v for k, v in inst.items() if k not in names}


def _solver_args(inst):
    return inst["demand_mean"], inst["demand_sd"], _no(inst, "demand_mean", "demand_sd")


# --------------------------------------------------------------------------- exact cost
@pytest.mark.parametrize(
    "name, r, q, expected",
    [
        # Snyder and Shen Example 5.1: g(126.8, 328.5) = 78.07 (the optimum); stockpyl digits
        ("Example 5.1", 126.8, 328.5, 78.071162509282942),
        ("Example 5.1", 100, 250, 87.346478028174985),
        # Problem 5.1: the answer (-1.9859, 166.95) costs 484.21
        ("Problem 5.1", -1.9859, 166.95, 484.2110418415538),
        ("Problem 5.1", 100, 250, 830.3219178082192),
    ],
)
def test_rq_cost_snyder_shen(name, r, q, expected):
    c = rq_cost(r, q, **INSTANCES[name])
    assert isinstance(c, RQCost)
    assert_allclose(c.annual_cost, expected, rtol=1e-9)  # exact model: closed form vs quad


def test_rq_cost_equals_the_integral_of_the_newsvendor_cost():
    # Eq. (5.7): (K lambda + integral_r^{r+Q} g(y) dy) / Q, integrated numerically here
    inst, r, q = PR_5_3, 600.0, 380.0
    mu, sigma = 192 * 3, 17.4 * np.sqrt(3)
    h, p = 1.5 / 7, 40.0
    dist = stats.norm(mu, sigma)

    def g(y):
        n = sigma * (stats.norm.pdf((y - mu) / sigma) - (y - mu) / sigma * dist.sf(y))
        return h * (y - mu) + (h + p) * n

    integral = integrate.quad(g, r, r + q, epsabs=1e-12, epsrel=1e-13)[0]
    c = rq_cost(r, q, **inst)
    assert_allclose(c.annual_cost, (85 * 192 + integral) / q, rtol=1e-10)
    parts = c.annual_ordering_cost + c.annual_holding_cost + c.annual_backorder_cost
    assert_allclose(parts, c.annual_cost, rtol=1e-14)
    # on hand minus backorders is the mean net inventory r + Q/2 - mu_L
    assert_allclose(c.average_on_hand - c.average_backorders, r + q / 2 - mu, rtol=1e-12)


# --------------------------------------------------------------------------- r(Q)
@pytest.mark.parametrize(
    "name, q, expected",
    [
        # Snyder and Shen Example 5.2 data, r(Q) by Eq. (5.9) (stockpyl's digits)
        ("Example 5.1", 318, 127.7880348669655),
        ("Example 5.1", 150, 147.1949581740714),
        ("Example 5.1", 750, 99.853773396165280),
        ("Example 5.1", 300, 129.4272799263067),
        ("Problem 5.1", 318, -11.727678833180178),
        ("Problem 5.1", 150, -0.885130303271656),
        ("Problem 5.1", 750, -39.569675038859785),
        ("Problem 5.3", 318, 612.1331312304716),
        ("Problem 5.3", 150, 622.5171783526781),
        ("Problem 5.3", 750, 598.4126476551643),
    ],
)
def test_rq_optimal_r_for_q_snyder_shen(name, q, expected):
    r = rq_optimal_r_for_q(q, **_no(INSTANCES[name], "order_cost"))
    # stockpyl stops its bisection at |g(r) - g(r + Q)| < 1e-6: r to ~1e-7 units
    assert_allclose(r, expected, rtol=1e-6)


def test_r_for_q_minimises_the_cost_over_r():
    inst = PR_5_3
    for q in (50.0, 300.0, 2000.0):
        r = rq_optimal_r_for_q(q, **_no(inst, "order_cost"))
        best = optimize.minimize_scalar(
            lambda x, q=q: rq_cost(x, q, **inst).annual_cost,
            bracket=(r - 50, r + 50),
            tol=1e-12,
        )
        assert_allclose(r, best.x, atol=1e-4)
        assert rq_cost(r, q, **inst).annual_cost <= best.fun * (1 + 1e-14)


# --------------------------------------------------------------------------- approximations
@pytest.mark.parametrize(
    "name, r, q",
    [
        # Snyder and Shen Example 5.4 / Problem 5.1(b) / 5.3(b): EOQB + r(Q)
        ("Example 5.1", 1.286378144242710e02, 3.085737801203754e02),
        ("Problem 5.1", -1.929822185100239, 1.660850065197970e02),
        ("Problem 5.3", 6.090252058220594e02, 3.913259510944808e02),
    ],
)
def test_rq_eoqb_approx_snyder_shen(name, r, q):
    dm, ds, rest = _solver_args(INSTANCES[name])
    a = rq_eoqb_approx(dm, ds, **rest)
    assert_allclose(a.order_quantity, q, rtol=1e-12)  # closed form
    assert_allclose(a.reorder_point, r, rtol=1e-6)  # stockpyl's bisection tolerance


@pytest.mark.parametrize(
    "name, r, q",
    [
        # Snyder and Shen Example 5.6 / Problem 5.1(d) / 5.3(d): loss-function approximation
        ("Example 5.1", 1.268670642878315e02, 3.284491413581765e02),
        ("Problem 5.1", -1.985868645048718, 1.669501022040942e02),
        ("Problem 5.3", 6.085445118000358e02, 4.038060023373138e02),
    ],
)
def test_rq_loss_function_approx_snyder_shen(name, r, q):
    dm, ds, rest = _solver_args(INSTANCES[name])
    a = rq_loss_function_approx(dm, ds, **rest)
    assert isinstance(a, RQPolicy)
    assert bool(a.converged)
    # stockpyl iterates fsolve to 1e-6 and tests to 5 (5.3: 4) decimals
    assert_allclose(a.order_quantity, q, rtol=1e-6)
    assert_allclose(a.reorder_point, r, rtol=1e-6)


# --------------------------------------------------------------------------- exact optimum
def test_rq_optimal_example_5_1():
    dm, ds, rest = _solver_args(EX_5_1)
    o = rq_optimal(dm, ds, **rest)
    assert bool(o.converged)
    # the book: (r*, Q*) = (126.8, 328.5), g* = 78.07 (rounded)
    assert_allclose([o.reorder_point, o.order_quantity], [126.8, 328.5], atol=0.07)
    assert_allclose(o.annual_cost, 78.07, atol=0.005)
    # here n2(r + Q) is ~1e-15, so the exact optimum is the loss-function fixed point of
    # Example 5.6 (stockpyl digits, fsolve to 1e-6)
    assert_allclose(o.reorder_point, 1.268670642878315e02, rtol=1e-6)
    assert_allclose(o.order_quantity, 3.284491413581765e02, rtol=1e-6)


@pytest.mark.parametrize("name", list(INSTANCES))
def test_rq_optimal_meets_the_optimality_conditions(name):
    inst = INSTANCES[name]
    dm, ds, rest = _solver_args(inst)
    o = rq_optimal(dm, ds, **rest)
    r, q = o.reorder_point, o.order_quantity
    # g(r) = g(r + Q) = C*: r is r(Q) and the cost equals g at the window's ends
    assert_allclose(r, rq_optimal_r_for_q(q, **_no(inst, "order_cost")), rtol=1e-9, atol=1e-9)
    c = o.annual_cost
    for dr, dq in ((0, 1e-3), (0, -1e-3), (1e-3, 0), (-1e-3, 0), (1e-3, 1e-3)):
        assert rq_cost(r + dr, q + dq, **inst).annual_cost >= c * (1 - 1e-14)
    assert c <= rq_loss_function_approx(dm, ds, **rest).annual_cost * (1 + 1e-14)
    assert c <= rq_eoqb_approx(dm, ds, **rest).annual_cost * (1 + 1e-14)


def test_rq_optimal_agrees_with_a_general_minimiser_where_the_approximation_errs():
    # large sigma_L against Q: n2(r + Q) matters and the loss-function approximation is off
    rng = np.random.default_rng(7)
    n = 12
    inst = dict(
        demand_mean=rng.uniform(0.5, 20, n),
        demand_sd=rng.uniform(2, 40, n),
        lead_time_days=rng.uniform(5, 60, n),
        order_cost=rng.uniform(1, 50, n),
        holding_cost=rng.uniform(1, 20, n),
        backorder_cost_per_unit_year=rng.uniform(1, 200, n),
    )
    dm, ds, rest = _solver_args(inst)
    o = rq_optimal(dm, ds, **rest)
    approx = rq_loss_function_approx(dm, ds, **rest)
    assert np.all(o.converged)
    assert np.max(approx.annual_cost / o.annual_cost - 1) > 1e-4  # the case is a real test
    for i in range(n):
        one = {k: v[i] for k, v in inst.items()}
        r_i, q_i = o.reorder_point[i], o.order_quantity[i]
        # an independent check: no point of a fine grid around the optimum is cheaper
        rr, qq = np.meshgrid(
            r_i + np.linspace(-0.2, 0.2, 161) * (q_i + ds[i]), q_i * np.linspace(0.8, 1.2, 161)
        )
        grid = rq_cost(rr.ravel(), qq.ravel(), **one).annual_cost
        assert o.annual_cost[i] <= grid.min() * (1 + 1e-13)
        # and a scalar minimiser over Q of C(r(Q), Q)
        no_k = _no(one, "order_cost")
        best = optimize.minimize_scalar(
            lambda x, one=one, no_k=no_k: (
                rq_cost(rq_optimal_r_for_q(x, **no_k), x, **one).annual_cost
            ),
            bounds=(0.5 * q_i, 2 * q_i),
            method="bounded",
            options=dict(xatol=1e-9),
        )
        assert o.annual_cost[i] <= best.fun * (1 + 1e-13)
        assert_allclose(o.annual_cost[i], best.fun, rtol=1e-10)
        assert_allclose(q_i, best.x, rtol=1e-4)  # C is flat in Q at its minimum


def test_rq_optimal_with_deterministic_lead_time_demand_is_the_eoq_with_backorders():
    # sigma_L = 0: Q* = sqrt(2 K lambda (h + p) / (h p)), r* = mu_L - Q* h / (h + p)
    # (Snyder and Shen Eqs. (3.27)-(3.28) with the reorder point shifted by mu_L)
    inst = dict(EX_5_1, demand_sd=0.0)
    dm, ds, rest = _solver_args(inst)
    o = rq_optimal(dm, ds, **rest)
    h, p, k, lam = 0.225, 7.5, 8.0, 1300.0
    q = np.sqrt(2 * k * lam * (h + p) / (h * p))
    assert_allclose(o.order_quantity, q, rtol=1e-10)
    assert_allclose(o.reorder_point, 1300 / 12 - q * h / (h + p), rtol=1e-10)
    assert_allclose(o.annual_cost, np.sqrt(2 * k * lam * h * p / (h + p)), rtol=1e-10)


def test_rq_is_vectorised_and_keeps_series_index():
    names = list(INSTANCES)
    cols = {k: pd.Series([INSTANCES[n][k] for n in names], index=names) for k in EX_5_1}
    dm, ds, rest = _solver_args(cols)
    o = rq_optimal(dm, ds, **rest)
    assert isinstance(o.reorder_point, pd.Series)
    assert list(o.reorder_point.index) == names
    for n in names:
        one = rq_optimal(*_solver_args(INSTANCES[n])[:2], **_solver_args(INSTANCES[n])[2])
        assert_allclose(o.reorder_point[n], one.reorder_point, rtol=1e-12)
        assert_allclose(o.annual_cost[n], one.annual_cost, rtol=1e-14)
    c = rq_cost(np.array([126.8, 100.0]), np.array([328.5, 250.0]), **EX_5_1)
    assert_allclose(c.annual_cost, [78.071162509282942, 87.346478028174985], rtol=1e-9)


def test_rq_zero_demand_orders_nothing():
    o = rq_optimal(
        np.array([0.0, 1300 / 365]),
        np.array([0.0, 150 / np.sqrt(365)]),
        **_no(EX_5_1, "demand_mean", "demand_sd"),
    )
    assert o.order_quantity[0] == 0 and o.reorder_point[0] == 0 and o.annual_cost[0] == 0
    assert o.order_quantity[1] > 0


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: rq_cost(1, 0, **EX_5_1), r"order_quantity must be > 0 \[units\]"),
        (
            lambda: rq_cost(1, 5, **dict(EX_5_1, backorder_cost_per_unit_year=0)),
            r"backorder_cost_per_unit_year must be > 0 \[\$/unit/year\]",
        ),
        (
            lambda: rq_optimal(1, -1, **_no(EX_5_1, "demand_mean", "demand_sd")),
            r"demand_sd must be >= 0",
        ),
        (
            lambda: rq_poisson_cost(1.5, 5, **_no(EX_5_1, "demand_sd")),
            r"reorder_point must be a whole number",
        ),
        (
            lambda: rq_optimal(1, 1, tol=0, **_no(EX_5_1, "demand_mean", "demand_sd")),
            r"tol must be > 0",
        ),
    ],
)
def test_rq_rejects_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --------------------------------------------------------------------------- Poisson
# Snyder and Shen Example 5.8: h = 20, p = 150, K = 100, lambda = 1.5, L = 2;
# Problem 5.2: h = 4, p = 28, K = 4, lambda = 12, L = 0.5.
EX_5_8 = dict(
    demand_mean=1.5 / 365,
    lead_time_days=730,
    order_cost=100,
    holding_cost=20,
    backorder_cost_per_unit_year=150,
)
PR_5_2 = dict(
    demand_mean=12 / 365,
    lead_time_days=365 / 2,
    order_cost=4,
    holding_cost=4,
    backorder_cost_per_unit_year=28,
)


@pytest.mark.parametrize(
    "inst, r, q, expected",
    [
        (EX_5_8, 3, 5, 1.079235806331498e02),  # Example 5.8, the optimum: 107.92
        (EX_5_8, 8, 12, 2.425281637662021e02),
        (PR_5_2, 6, 7, 28.241312842169155),  # Problem 5.2, the optimum: 28.24
        (PR_5_2, 3, 9, 34.264154469469503),
    ],
)
def test_rq_poisson_cost_snyder_shen(inst, r, q, expected):
    assert_allclose(rq_poisson_cost(r, q, **inst).annual_cost, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "inst, r, q, cost",
    [(EX_5_8, 3, 5, 1.079235806331498e02), (PR_5_2, 6, 7, 28.241312842169155)],
)
def test_rq_poisson_optimal_snyder_shen(inst, r, q, cost):
    o = rq_poisson_optimal(**inst)
    assert (o.reorder_point, o.order_quantity) == (r, q)
    assert_allclose(o.annual_cost, cost, rtol=1e-12)


def test_rq_poisson_cost_is_the_direct_sum_and_its_parts_add_up():
    mu, lam, h, p, k = 3.0, 1.5, 20.0, 150.0, 100.0
    d = np.arange(200)
    pmf = stats.poisson.pmf(d, mu)
    for r, q in ((-4, 3), (0, 1), (3, 5), (10, 40)):
        ys = np.arange(r + 1, r + q + 1)
        g = [h * pmf @ np.maximum(y - d, 0) + p * pmf @ np.maximum(d - y, 0) for y in ys]
        c = rq_poisson_cost(r, q, **EX_5_8)
        assert_allclose(c.annual_cost, (k * lam + sum(g)) / q, rtol=1e-12)
        fill = np.mean([stats.poisson.cdf(y - 1, mu) for y in ys])
        assert_allclose(c.in_stock_probability, fill, rtol=1e-12)


def test_rq_poisson_optimal_matches_enumeration_for_many_skus_at_once():
    rng = np.random.default_rng(3)
    n = 25
    inst = dict(
        demand_mean=rng.uniform(0.005, 2, n),
        lead_time_days=rng.uniform(1, 40, n),
        order_cost=rng.uniform(1, 300, n),
        holding_cost=rng.uniform(0.5, 20, n),
        backorder_cost_per_unit_year=rng.uniform(1, 400, n),
    )
    o = rq_poisson_optimal(**inst)
    assert np.all(o.converged)
    for i in range(n):
        one = {k: v[i] for k, v in inst.items()}
        r0 = int(o.reorder_point[i])
        rr, qq = np.meshgrid(
            np.arange(r0 - 20, r0 + 21), np.arange(1, 2 * int(o.order_quantity[i]) + 10)
        )
        best = rq_poisson_cost(rr.ravel(), qq.ravel(), **one).annual_cost.min()
        assert o.annual_cost[i] <= best * (1 + 1e-13)


def test_rq_nan_and_empty_inputs():
    rest = _no(EX_5_1, "demand_mean", "demand_sd")
    o = rq_optimal(np.array([1300 / 365, np.nan]), np.array([150 / np.sqrt(365), 1.0]), **rest)
    assert np.isfinite(o.reorder_point[0]) and np.isnan(o.reorder_point[1])
    assert rq_optimal(np.array([]), np.array([]), **rest).reorder_point.shape == (0,)
    p = rq_poisson_optimal(np.array([1.5 / 365, np.nan]), **_no(EX_5_8, "demand_mean"))
    assert p.reorder_point[0] == 3 and np.isnan(p.reorder_point[1])
    assert rq_poisson_optimal(np.array([]), **_no(EX_5_8, "demand_mean")).order_quantity.size == 0


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    mean=st.floats(0.05, 50),
    cv=st.floats(0.05, 3),
    lead=st.floats(1, 90),
    k=st.floats(0.5, 500),
    h=st.floats(0.05, 20),
    ratio=st.floats(0.1, 200),
)
def test_rq_properties(mean, cv, lead, k, h, ratio):
    inst = dict(
        lead_time_days=lead, order_cost=k, holding_cost=h, backorder_cost_per_unit_year=h * ratio
    )
    o = rq_optimal(mean, mean * cv, **inst)
    assert bool(o.converged)
    # the exact optimum is never dearer than the approximations (their exact cost)
    for approx in (rq_loss_function_approx, rq_eoqb_approx):
        assert o.annual_cost <= approx(mean, mean * cv, **inst).annual_cost * (1 + 1e-12)
    assert 0 <= o.in_stock_probability <= 1 and o.average_on_hand >= 0
    # r(Q) falls and r(Q) + Q rises as Q grows (Zipkin ch. 6)
    qs = o.order_quantity * np.array([0.25, 0.5, 1.0, 2.0, 4.0])
    r = rq_optimal_r_for_q(qs, demand_mean=mean, demand_sd=mean * cv, **_no(inst, "order_cost"))
    assert np.all(np.diff(r) <= 1e-9 * (1 + np.abs(r[1:])))
    assert np.all(np.diff(r + qs) >= 0)
