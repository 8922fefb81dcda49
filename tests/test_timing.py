"""The simulator's timing convention (docs/timing.md), pinned per policy and engine.

Each bucket: receive what is due, review the position and order (an order placed in
bucket t with lead time L arrives at the start of t + L; L = 0 at once), then serve
the bucket's demand. With a constant demand d the stock path is known exactly:

- base stock S (R = 1): the lowest end-of-bucket stock is S - d (L + 1);
- (R, S): S - d (L + R);
- (s, Q) with Q a multiple of d, and (s, S) with S - s a multiple of d: the order is
  placed in the bucket that starts with IP = s and the lowest end-of-bucket stock is
  s - d L.

Sources: Silver, Pyke & Thomas, *Inventory and Production Management in Supply
Chains*, 4th ed. (2017), ch. 6 (protection interval R + L); Snyder & Shen,
*Fundamentals of Supply Chain Theory*, 2nd ed. (2019), Example 4.3 (base-stock level
56.60 for one period of N(50, 8^2) demand, h = 0.18, p = 0.70).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

import workbench as wb

D = 4.0  # units per bucket
DAYS = 120
ENGINES = ["numba", "numpy"]
LEADS = [0, 1, 3, 7]


def run(policy: str, L: int, engine: str, unmet: str, **kw) -> wb.SimulationResult:
    return wb.simulate(
        np.full((DAYS, 1), D), policy=policy, lead_time_days=L, engine=engine, unmet=unmet,
        trace_skus="all", progress=False, **kw,
    )  # fmt: skip


def params(policy: str, L: int, slack: float) -> tuple[dict, float]:
    """Policy parameters whose lowest end-of-bucket stock is ``slack``, and that value."""
    if policy == "base_stock":
        return {"order_up_to": D * (L + 1) + slack}, slack
    if policy == "RS":
        R = 5
        return {"order_up_to": D * (L + R) + slack, "review_period_days": R}, slack
    s = D * L + slack
    if policy == "sQ":
        return {"reorder_point": s, "order_quantity": 6 * D}, slack
    return {"reorder_point": s, "order_up_to": s + 6 * D}, slack  # sS


@pytest.mark.parametrize("unmet", ["backorder", "lost"])
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("L", LEADS)
@pytest.mark.parametrize("policy", ["sQ", "sS", "RS", "base_stock"])
def test_exact_stock_path_under_constant_demand(policy, L, engine, unmet):
    kw, low = params(policy, L, slack=0.0)
    res = run(policy, L, engine, unmet, **kw)
    tr = res.trace
    orders, receipts = tr["orders"].to_numpy(), tr["receipts"].to_numpy()
    assert (orders > 0).sum() >= 10
    # the order of bucket t is received at the start of bucket t + L (L = 0: the same one)
    assert_array_equal(receipts[L:], orders[: DAYS - L])
    assert_array_equal(receipts[:L], 0.0)
    # the stock exactly covers the protection interval: no shortage, lowest stock 0
    assert res.summary["short"].iloc[0] == 0
    assert res.summary["fill_rate"].iloc[0] == 1.0
    assert tr["on_hand"].min() == low
    assert (tr["backorders"] == 0).all()
    # the review of an (s, .) policy sees IP = s exactly: the position before the
    # bucket's demand, at most s, and the first order is placed in bucket 6 (IP from s + 6d)
    if policy in ("sQ", "sS"):
        assert tr.loc[tr["orders"] > 0, "day"].iloc[0] == 6
        assert_array_equal(orders[orders > 0], 6 * D)


@pytest.mark.parametrize("unmet", ["backorder", "lost"])
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("L", LEADS)
@pytest.mark.parametrize("policy", ["sQ", "sS", "RS", "base_stock"])
def test_one_unit_less_gives_a_shortage(policy, L, engine, unmet):
    kw, _ = params(policy, L, slack=-1.0)
    res = run(policy, L, engine, unmet, **kw)
    assert res.summary["short"].iloc[0] > 0
    assert res.summary["fill_rate"].iloc[0] < 1.0


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("L", LEADS)
def test_base_stock_level_stays_put(engine, L):
    """Base stock S = d (L + 1) + 2: after L + 1 buckets each bucket starts with S - d L on
    hand after its receipt and ends with S - d (L + 1) = 2."""
    S = D * (L + 1) + 2
    res = run("base_stock", L, engine, "backorder", order_up_to=S, warmup_days=L + 1)
    tr = res.trace
    steady = tr[tr["day"] > L]
    assert (steady["on_hand"] == 2.0).all()
    assert (steady["receipts"] == D).all()
    assert (steady["on_order"] == D * L).all()
    # the time-average stock: (after receipts + end of bucket) / 2
    assert_allclose(res.summary["avg_on_hand"].iloc[0], (S - D * L + 2.0) / 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_lead_time_zero_is_the_newsvendor(engine):
    """Snyder & Shen Example 4.3: S = 56.60 for N(50, 8^2) with h = 0.18, p = 0.70.

    With L = 0 each bucket starts with S on hand (yesterday's demand reordered and
    received at once), so a bucket ends short with probability
    1 - Phi((56.60 - 50) / 8) = 1 - p / (p + h) = 0.2045.
    """
    h, p = 0.18, 0.70
    S = 50 + 8 * stats.norm.ppf(p / (p + h))
    assert_allclose(S, 56.60, atol=0.005)  # the book's figure
    n, days = 200, 500
    res = wb.simulate(
        demand_mean=[50.0] * n, demand_sd=8.0, days=days, policy="base_stock",
        order_up_to=S, lead_time_days=0, engine=engine, rng=7, progress=False,
        trace_skus=["0", "1"],
    )  # fmt: skip
    share = res.summary["stockout_days"].sum() / (n * days)
    se = np.sqrt(0.2045 * 0.7955 / (n * days))
    assert abs(share - (1 - p / (p + h))) < 4 * se
    tr = res.trace
    # every bucket starts with S on hand: on hand + backorders at the end = S - demand
    assert_allclose(tr["on_hand"] - tr["backorders"], S - tr["demand"], atol=1e-9)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("model", ["normal", "gamma"])
def test_random_lead_times_rounding_to_zero_are_zero(engine, model):
    """Mean 0.4, sd 0.3: most draws round to 0 buckets and arrive at once (they were
    raised to 1 before); none is negative."""
    n = 500
    res = wb.simulate(
        np.zeros((40, n)), reorder_point=0, order_quantity=1, lead_time_days=0.4,
        lead_time_sd_days=0.3, lead_time_model=model, initial_stock=0, engine=engine,
        trace_skus="all", rng=3, progress=False,
    )  # fmt: skip
    tr = res.trace
    lt = tr.loc[tr["receipts"] > 0, "day"].to_numpy()  # each SKU orders once, on day 0
    assert lt.size == n and lt.min() == 0
    want = {"normal": stats.norm(0.4, 0.3).cdf(0.5), "gamma": stats.gamma(
        (0.4 / 0.3) ** 2, scale=0.3**2 / 0.4).cdf(0.5)}[model]  # fmt: skip
    assert abs((lt == 0).mean() - want) < 4 * np.sqrt(want * (1 - want) / n)


@pytest.mark.parametrize("engine", ENGINES)
def test_fixed_lead_time_below_half_a_bucket_is_zero(engine):
    res = run("base_stock", 0, engine, "backorder", order_up_to=D)
    ref = wb.simulate(
        np.full((DAYS, 1), D), policy="base_stock", order_up_to=D, lead_time_days=0.4,
        engine=engine, trace_skus="all", progress=False,
    )  # fmt: skip
    assert_array_equal(ref.trace["receipts"], res.trace["receipts"])
    assert ref.summary["fill_rate"].iloc[0] == 1.0
