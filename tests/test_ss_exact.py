"""Tests for workbench.policy.ss_exact: periodic-review (s, S) under Poisson demand.

Published cases: Snyder and Shen, *Fundamentals of Supply Chain Theory*, 2nd ed. (2019),
Example 4.7 and Problem 4.31 (full digits from the book's companion package stockpyl,
github.com/LarrySnyder/stockpyl, tests/test_ss.py), and the table of optimal policies in
Zheng and Federgruen, "Finding optimal (s, S) policies is about as simple as evaluating
a single policy", Operations Research 39(4), 1991 (K = 64, h = 1, p = 9, Poisson means
10 to 75; the costs printed to three decimals).

The books state costs per period; a review period of 365 days makes the package's costs
per year equal to costs per period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from workbench.policy import (
    SSPoissonCost,
    SSPoissonPolicy,
    ss_poisson_cost,
    ss_poisson_optimal,
)

PERIOD = dict(review_period_days=365)  # one period a year: per-year costs are per period


def _case(mean, k, h, p):
    return dict(
        demand_mean=mean / 365, order_cost=k, holding_cost=h, backorder_cost_per_unit_year=p
    )


EX_4_7 = _case(6, 5, 1, 4)  # Snyder and Shen Example 4.7: mean 6, K = 5, h = 1, p = 4
PR_4_31 = _case(4, 150, 40, 125)  # Problem 4.31: mean 4, K = 150, h = 40, p = 125


@pytest.mark.parametrize(
    "inst, s, big_s, expected",
    [
        (EX_4_7, 4, 10, 8.034111561471644),  # the optimum of Example 4.7
        (EX_4_7, 6, 18, 10.193798671644046),
        (PR_4_31, 4, 10, 2.622755613772775e02),
        (PR_4_31, 2, 7, 2.235748295669688e02),  # the optimum of Problem 4.31
    ],
)
def test_ss_poisson_cost_snyder_shen(inst, s, big_s, expected):
    c = ss_poisson_cost(s, big_s, **inst, **PERIOD)
    assert isinstance(c, SSPoissonCost)
    assert_allclose(c.annual_cost, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "inst, s, big_s, cost",
    [(EX_4_7, 4, 10, 8.034111561471644), (PR_4_31, 2, 7, 2.235748295669688e02)],
)
def test_ss_poisson_optimal_snyder_shen(inst, s, big_s, cost):
    args = {k: v for k, v in inst.items() if k != "demand_mean"}
    o = ss_poisson_optimal(inst["demand_mean"], **args, **PERIOD)
    assert isinstance(o, SSPoissonPolicy)
    assert (o.reorder_point, o.order_up_to) == (s, big_s)
    assert_allclose(o.annual_cost, cost, rtol=1e-12)


# Zheng and Federgruen (1991), Table I: K = 64, h = 1, p = 9, Poisson demand
ZF_MEAN = [*range(10, 80, 5), 21, 22, 23, 24, 51, 52, 59, 61, 63, 64]
ZF_S = [6, 10, 14, 19, 23, 28, 33, 37, 42, 47, 52, 56, 62, 67,
        15, 16, 17, 18, 43, 44, 51, 52, 54, 55]  # fmt: skip
ZF_BIG_S = [40, 49, 62, 56, 66, 77, 87, 97, 108, 118, 129, 75, 81, 86, 65, 68, 52, 54, 110, 112,
            126, 131, 73, 74]  # fmt: skip
ZF_COST = [35.022, 42.698, 49.173, 54.262, 57.819, 61.215, 64.512, 67.776, 70.975, 74.149,
           77.306, 78.518, 79.037, 79.554, 50.406, 51.632, 52.757, 53.518, 71.611, 72.246,
           76.679, 77.929, 78.287, 78.402]  # fmt: skip


def test_ss_poisson_optimal_reproduces_zheng_federgruen_table_in_one_call():
    mean = np.array(ZF_MEAN, dtype=float)
    o = ss_poisson_optimal(
        mean / 365, order_cost=64, holding_cost=1, backorder_cost_per_unit_year=9, **PERIOD
    )
    assert_allclose(o.reorder_point, ZF_S, rtol=0, atol=0)
    assert_allclose(o.order_up_to, ZF_BIG_S, rtol=0, atol=0)
    # printed to three decimals: |error| <= 0.0005
    assert_allclose(o.annual_cost, ZF_COST, rtol=0, atol=5e-4 + 1e-12)
    c = ss_poisson_cost(
        ZF_S, ZF_BIG_S, demand_mean=mean / 365, order_cost=64, holding_cost=1,
        backorder_cost_per_unit_year=9, **PERIOD,
    )  # fmt: skip
    assert_allclose(c.annual_cost, o.annual_cost, rtol=1e-13)


def _brute_cost(s, big_s, mean, k, h, p, lead=0):
    """c(s, S) from the stationary distribution of the position (a Markov chain on
    s + 1, ..., S), independently of the renewal recursion."""
    states = np.arange(s + 1, big_s + 1)
    n = states.size
    pmf = stats.poisson.pmf(np.arange(big_s - s + 1), mean)
    tran = np.zeros((n, n))
    for a, y in enumerate(states):
        for b, z in enumerate(states):
            if z <= y:
                tran[a, b] += pmf[y - z]
        tran[a, -1] += stats.poisson.sf(y - s - 1, mean)  # fall to s or below: up to S
    w, v = np.linalg.eig(tran.T)
    pi = np.real(v[:, np.argmin(np.abs(w - 1))])
    pi /= pi.sum()
    # P(order in a period) = P(position after the period's demand <= s)
    order = sum(pi[a] * stats.poisson.sf(y - s - 1, mean) for a, y in enumerate(states))
    d = np.arange(400)
    dl = stats.poisson.pmf(d, mean * (lead + 1))
    g = [h * dl @ np.maximum(y - d, 0) + p * dl @ np.maximum(d - y, 0) for y in states]
    return k * order + pi @ np.array(g)


def test_ss_poisson_cost_matches_the_markov_chain_with_lead_time():
    for s, big_s, mean, lead in ((3, 9, 2.5, 0), (-1, 4, 0.7, 2), (10, 30, 6.0, 1)):
        c = ss_poisson_cost(
            s, big_s, demand_mean=mean / 7, review_period_days=7, lead_time_days=7 * lead,
            order_cost=20, holding_cost=52, backorder_cost_per_unit_year=520,
            days_per_year=364,
        )  # fmt: skip
        # per period: h = 1, p = 10; 52 periods a year
        expected = _brute_cost(s, big_s, mean, 20, 1.0, 10.0, lead) * 52
        assert_allclose(c.annual_cost, expected, rtol=1e-10)


def test_ss_poisson_optimal_beats_every_pair_nearby():
    rng = np.random.default_rng(5)
    n = 30
    inst = dict(
        demand_mean=rng.uniform(0.05, 1.5, n),
        review_period_days=rng.choice([1.0, 7.0], n),
        lead_time_days=rng.integers(0, 3, n) * 7.0,
        order_cost=rng.uniform(5, 100, n),
        holding_cost=rng.uniform(5, 50, n),
        backorder_cost_per_unit_year=rng.uniform(20, 500, n),
    )
    o = ss_poisson_optimal(**inst)
    for i in range(n):
        one = {k: v[i] for k, v in inst.items()}
        s0, big0 = int(o.reorder_point[i]), int(o.order_up_to[i])
        ss, bb = np.meshgrid(np.arange(s0 - 6, s0 + 7), np.arange(big0 - 10, big0 + 11))
        keep = bb > ss
        grid = ss_poisson_cost(ss[keep], bb[keep], **one).annual_cost
        assert o.annual_cost[i] <= grid.min() * (1 + 1e-12)


def test_ss_poisson_parts_series_and_no_demand():
    mean = pd.Series([6 / 365, 0.0], index=["A", "B"])
    o = ss_poisson_optimal(
        mean, order_cost=5, holding_cost=1, backorder_cost_per_unit_year=4, **PERIOD
    )
    assert list(o.reorder_point.index) == ["A", "B"]
    parts = o.annual_ordering_cost + o.annual_holding_cost + o.annual_backorder_cost
    assert_allclose(parts, o.annual_cost, rtol=1e-14)
    assert (o.reorder_point["B"], o.order_up_to["B"], o.annual_cost["B"]) == (-1, 0, 0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(reorder_point=4.5), r"reorder_point must be a whole number \[units\]"),
        (dict(order_up_to=4), r"order_up_to must be > reorder_point \[units\]"),
        (dict(review_period_days=0), r"review_period_days must be > 0 \[days\]"),
        (dict(backorder_cost_per_unit_year=-1), r"backorder_cost_per_unit_year must be > 0"),
    ],
)
def test_ss_poisson_cost_rejects_bad_inputs(kwargs, match):
    args = dict(reorder_point=4, order_up_to=10, **EX_4_7, **PERIOD)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        ss_poisson_cost(**args)
