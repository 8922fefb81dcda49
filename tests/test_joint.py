"""Tests for workbench.policy.joint: joint replenishment (Silver's heuristic, power of two).

The published case is the joint replenishment example of Snyder's library (stockpyl,
instance ``scmo_jrp_ex``, solved by Silver's (1976) heuristic in stockpyl's
``tests/test_eoq.py`` and its documentation), to its 15 digits: the heuristic is a closed
formula, so 1e-9 relative. The power-of-two policy is checked against Roundy's bounds
(98 % with the base period chosen, 94 % with it fixed) and against a brute-force search.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import workbench
from workbench.policy.joint import (
    POWER_OF_TWO_BOUND_FIXED_BASE,
    POWER_OF_TWO_BOUND_OPTIMISED_BASE,
    JointReplenishment,
    joint_replenishment,
)

# stockpyl scmo_jrp_ex: K_0 = 600, K = (120, 840, 300), h = (160, 20, 50), D = 1 each.
# days_per_year=1 keeps the book's time unit for the intervals.
SCMO = dict(
    holding_cost=[160.0, 20.0, 50.0],
    minor_order_cost=[120.0, 840.0, 300.0],
    major_order_cost=600.0,
    days_per_year=1.0,
)


def family_cost(t, t0, k0, k, g):
    return k0 / t0 + np.sum(k / t + g * t)


def test_silver_heuristic_snyder_stockpyl_example():
    r = joint_replenishment([1.0, 1.0, 1.0], method="silver", **SCMO)
    assert isinstance(r, JointReplenishment)
    assert r.multiple.tolist() == [1.0, 3.0, 1.0]
    assert_allclose(r.order_quantity, [3.103164454170876, 9.309493362512628, 3.103164454170876],
                    rtol=1e-9)  # fmt: skip
    assert_allclose(r.family_cycle_days, 3.103164454170876, rtol=1e-9)
    assert_allclose(r.family_annual_cost, 837.8544026261366, rtol=1e-9)
    assert_allclose(r.annual_cost.sum() + 600 / r.family_cycle_days[0], 837.8544026261366,
                    rtol=1e-12)  # fmt: skip


def test_lower_bound_of_the_example_by_hand():
    # g = h D / 2 = (80, 10, 25), tau = K / g = (1.5, 84, 12). Item 1 joins the family
    # ((600 + 120) / 80 = 9 < tau of the next, 12); the others keep their own EOQ interval.
    r = joint_replenishment([1.0, 1.0, 1.0], **SCMO)
    lb = 2 * np.sqrt(720 * 80) + 2 * np.sqrt(300 * 25) + 2 * np.sqrt(840 * 10)
    assert_allclose(r.lower_bound, lb, rtol=1e-12)
    assert r.family_annual_cost[0] >= lb
    assert r.family_annual_cost[0] <= POWER_OF_TWO_BOUND_OPTIMISED_BASE * lb
    # Silver's heuristic is above the bound too
    s = joint_replenishment([1.0, 1.0, 1.0], method="silver", **SCMO)
    assert s.family_annual_cost[0] >= lb


def brute_force_power_of_two(d, h, k, k0, grid=20001):
    """Best power-of-two policy by scanning the base period over one octave."""
    g = h * d / 2
    best = np.inf
    # every T_i = 2^(x + k_i); for each x, each item (and the family) picks its own best k
    # given T_0 = min T_i: scan T_0 too, as 2^(x + j)
    for x in np.linspace(0, 1, grid, endpoint=False):
        for j in range(-12, 12):
            t0 = 2.0 ** (x + j)
            e = np.arange(0, 24)
            t = t0 * 2.0 ** e[None, :]
            c = k[:, None] / t + g[:, None] * t
            best = min(best, k0 / t0 + c.min(axis=1).sum())
    return best


def test_power_of_two_matches_a_brute_force_search():
    rng = np.random.default_rng(7)
    for _ in range(3):
        n = 5
        d = rng.uniform(50, 5000, n)
        h = rng.uniform(0.5, 10, n)
        k = rng.uniform(0, 80, n)
        k0 = rng.uniform(20, 300)
        r = joint_replenishment(d, holding_cost=h, minor_order_cost=k, major_order_cost=k0)
        brute = brute_force_power_of_two(d, h, k, k0, grid=2001)
        # the brute force scans a grid (and may let T_0 be shorter than every T_i): ours
        # is exact over the base period, so it is at most the grid's best plus its step
        assert r.family_annual_cost[0] <= brute * (1 + 1e-5)
        t = r.cycle_days / 365
        assert_allclose(
            family_cost(t, r.family_cycle_days[0] / 365, k0, k, h * d / 2),
            r.family_annual_cost[0], rtol=1e-12,
        )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
    fixed=st.booleans(),
)
def test_roundy_bounds_hold(n, seed, fixed):
    rng = np.random.default_rng(seed)
    d = rng.uniform(1, 10_000, n)
    h = rng.uniform(0.1, 50, n)
    k = rng.uniform(0, 200, n) * (rng.uniform(size=n) > 0.2)
    k0 = rng.uniform(1, 1000)
    if fixed:
        # a base period no longer than sqrt(2) times the shortest relaxed interval
        r0 = joint_replenishment(d, holding_cost=h, minor_order_cost=k, major_order_cost=k0)
        shortest = np.min(r0.family_cycle_days) * rng.uniform(0.3, 1.0)
        base = shortest / rng.uniform(0.71, 4.0)
        r = joint_replenishment(d, holding_cost=h, minor_order_cost=k, major_order_cost=k0,
                                base_period_days=base)  # fmt: skip
        bound = POWER_OF_TWO_BOUND_FIXED_BASE
        m = np.asarray(r.cycle_days) / base
        assert_allclose(m, 2.0 ** np.round(np.log2(m)), rtol=1e-9)
        assert np.all(m >= 1 - 1e-12)
    else:
        r = joint_replenishment(d, holding_cost=h, minor_order_cost=k, major_order_cost=k0)
        bound = POWER_OF_TWO_BOUND_OPTIMISED_BASE
    ratio = np.asarray(r.family_annual_cost)[0] / np.asarray(r.lower_bound)[0]
    assert 1 - 1e-12 <= ratio <= bound + 1e-12
    mult = np.asarray(r.multiple)
    assert_allclose(mult, 2.0 ** np.round(np.log2(mult)), rtol=1e-9)  # powers of two
    assert np.min(mult) == 1.0
    s = joint_replenishment(d, holding_cost=h, minor_order_cost=k, major_order_cost=k0,
                            method="silver")  # fmt: skip
    assert np.asarray(s.family_annual_cost)[0] >= np.asarray(s.lower_bound)[0] * (1 - 1e-12)
    sm = np.asarray(s.multiple)
    assert np.all(sm == np.round(sm)) and np.min(sm) == 1.0


def test_one_item_is_the_eoq_and_the_fixed_base_worst_case_is_tight():
    # one item: the family orders it every time; T = sqrt(2 (K_0 + K_1) / (h D))
    for method in ("power_of_two", "silver"):
        r = joint_replenishment([1200.0], holding_cost=[2.0], minor_order_cost=[10.0],
                                major_order_cost=50.0, method=method)  # fmt: skip
        assert_allclose(r.cycle_days, np.sqrt(2 * 60 / (2 * 1200)) * 365, rtol=1e-12)
        assert_allclose(r.family_annual_cost, np.sqrt(2 * 60 * 2 * 1200), rtol=1e-12)
        assert_allclose(r.family_annual_cost, r.lower_bound, rtol=1e-12)
    # a base period sqrt(2) times shorter than the EOQ interval: the rounding lands
    # exactly between base and 2 base, at Roundy's 3 / (2 sqrt 2) = 1.0607
    t_star = np.sqrt(2 * 60 / (2 * 1200)) * 365
    base = t_star / np.sqrt(2)
    r = joint_replenishment([1200.0], holding_cost=[2.0], minor_order_cost=[10.0],
                            major_order_cost=50.0, base_period_days=base)  # fmt: skip
    assert_allclose(r.family_annual_cost / r.lower_bound, POWER_OF_TWO_BOUND_FIXED_BASE,
                    rtol=1e-9)  # fmt: skip


def test_families_are_independent_and_rows_may_come_in_any_order():
    rng = np.random.default_rng(3)
    n = 12
    d = rng.uniform(10, 3000, n)
    h = rng.uniform(0.5, 8, n)
    k = rng.uniform(1, 40, n)
    fam = np.array(["acme", "bolt"] * 6)
    majors = {"acme": 120.0, "bolt": 35.0}
    both = joint_replenishment(d, holding_cost=h, minor_order_cost=k, major_order_cost=majors,
                               group=fam)  # fmt: skip
    for f, k0 in majors.items():
        sel = fam == f
        alone = joint_replenishment(d[sel], holding_cost=h[sel], minor_order_cost=k[sel],
                                    major_order_cost=k0)  # fmt: skip
        for field in JointReplenishment._fields:
            assert_allclose(getattr(both, field)[sel], getattr(alone, field), rtol=1e-12)
    perm = rng.permutation(n)
    shuffled = joint_replenishment(d[perm], holding_cost=h[perm], minor_order_cost=k[perm],
                                   major_order_cost=majors, group=fam[perm])  # fmt: skip
    for field in JointReplenishment._fields:
        assert_allclose(getattr(shuffled, field), getattr(both, field)[perm], rtol=1e-12)
    # one major cost per item, equal within a family, is the same as the mapping
    k0_items = np.where(fam == "acme", 120.0, 35.0)
    per_item = joint_replenishment(d, holding_cost=h, minor_order_cost=k, group=fam,
                                   major_order_cost=k0_items)  # fmt: skip
    assert_allclose(per_item.family_annual_cost, both.family_annual_cost, rtol=0)


def test_series_in_series_out_and_items_without_demand():
    idx = pd.Index(["A", "B", "C", "D"], name="sku")
    d = pd.Series([1000.0, 0.0, 300.0, np.nan], index=idx)
    r = joint_replenishment(d, holding_cost=2.0, minor_order_cost=5.0, major_order_cost=40.0)
    assert isinstance(r.cycle_days, pd.Series) and r.cycle_days.index.equals(idx)
    assert r.cycle_days["B"] == np.inf and r.order_quantity["B"] == 0.0
    assert r.annual_cost["B"] == 0.0 and np.isnan(r.multiple["B"])
    assert np.isnan(r.cycle_days["D"]) and np.isnan(r.family_annual_cost["D"])
    alone = joint_replenishment([1000.0, 300.0], holding_cost=2.0, minor_order_cost=5.0,
                                major_order_cost=40.0)  # fmt: skip
    assert_allclose(r.cycle_days[["A", "C"]], alone.cycle_days, rtol=1e-12)
    assert_allclose(r.family_annual_cost["A"], alone.family_annual_cost[0], rtol=1e-12)
    none = joint_replenishment([0.0, 0.0], holding_cost=1.0, minor_order_cost=1.0,
                               major_order_cost=10.0)  # fmt: skip
    assert np.all(none.family_annual_cost == 0.0) and np.all(np.isinf(none.family_cycle_days))
    one = joint_replenishment(100.0, holding_cost=1.0, minor_order_cost=1.0,
                              major_order_cost=10.0)  # fmt: skip
    assert isinstance(one.cycle_days, float)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(annual_demand=[-1.0]), r"annual_demand must be >= 0 \[units/year\]; got -1"),
        (dict(holding_cost=0.0), r"holding_cost must be > 0 \[\$/unit/year\]; got 0"),
        (dict(minor_order_cost=-2.0), r"minor_order_cost must be >= 0 \[\$/order\]; got -2"),
        (dict(major_order_cost=0.0), r"major_order_cost must be > 0 \[\$/order\]; got 0"),
        (dict(method="goyal"), r"method must be one of \('power_of_two', 'silver'\)"),
        (dict(base_period_days=0.0), r"base_period_days must be > 0 \[days\]; got 0"),
        (dict(method="silver", base_period_days=7.0), r"applies to method='power_of_two'"),
        (dict(group=["a"]), r"group must have one label per item \(2\); got 1"),
        (dict(group=["a", "a"], major_order_cost=[1.0, 2.0]), r"one value per group; 'a'"),
        (dict(group=["a", "b"], major_order_cost={"a": 1.0}), r"no value for group\(s\) \['b'\]"),
        (dict(major_order_cost={"a": 1.0}), r"needs group"),
    ],
)
def test_validation_messages(kwargs, message):
    base = dict(annual_demand=[10.0, 20.0], holding_cost=1.0, minor_order_cost=1.0,
                major_order_cost=5.0)  # fmt: skip
    with pytest.raises(ValueError, match=message):
        joint_replenishment(**{**base, **kwargs})


def test_exported_at_the_top_level():
    assert workbench.joint_replenishment is joint_replenishment
    assert "joint_replenishment" in workbench.__all__
