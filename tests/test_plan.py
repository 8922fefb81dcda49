"""Tests for the per-SKU plan: plan_from_stats, plan, plan_summary, compare_scenarios.

Every figure of the hand-made dataset is recomputed here independently (scipy.stats.norm
and the textbook formulas), not with workbench's own service-level code.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.stats import norm

import workbench as wb
from workbench.scenario import (
    PLAN_COLUMNS,
    Scenario,
    compare_scenarios,
    plan,
    plan_changes,
    plan_from_stats,
    plan_summary,
    unplanned_items,
)

# ---------------------------------------------------------------- hand-made dataset


def three_skus() -> tuple[pd.DataFrame, pd.DataFrame]:
    """P1: fast mover sold in packs of 12; P2: slow, random lead time, MOQ 500 and its
    own 99 % target; P3: dead (no demand)."""
    items = pd.DataFrame(
        {
            "sku": ["P1", "P2", "P3"],
            "name": ["fast", "slow", "dead"],
            "inventory_type": pd.Categorical(["finished_good", "raw_material", "mro"]),
            "unit_cost": [10.0, 2.0, 5.0],
            "lead_time_days": [9.0, 4.0, 6.0],
            "lead_time_sd_days": [0.0, 1.0, 0.0],
            "order_cost": [50.0, 20.0, 30.0],
            "holding_cost_rate": [0.2, 0.25, 0.2],
            "min_order_qty": [1.0, 500.0, 10.0],
            "pack_size": [12.0, 1.0, 5.0],
            "service_level": [np.nan, 0.99, np.nan],
        }
    )
    stats = pd.DataFrame(
        {
            "annual_demand": [3650.0, 365.0, 0.0],
            "daily_mean": [10.0, 1.0, 0.0],
            "daily_sd": [3.0, 1.0, 0.0],
            "cv": [0.3, 1.0, np.nan],
        },
        index=pd.Index(["P1", "P2", "P3"], name="sku"),
    )
    return items, stats


def loss(z: float) -> float:
    """Standard normal loss G(z) = phi(z) - z (1 - Phi(z))."""
    return norm.pdf(z) - z * norm.sf(z)


def expected_row(
    *, d, mu, sd, lt, lt_sd, c, s_cost, rate, q, target, policy="sQ", review=0.0
) -> dict:
    """Textbook figures for one SKU, cycle service level, from first principles."""
    h = rate * c
    p = lt + review
    ltd_mean = mu * p
    ltd_sd = math.sqrt(p * sd**2 + mu**2 * lt_sd**2)
    z = norm.ppf(target)
    ss = z * ltd_sd
    rop = ltd_mean + ss
    if policy == "RS":
        orders = 365 / review
        avg_q = mu * review
        up_to = rop
    else:
        orders = d / q
        avg_q = q
        up_to = rop + q
    return {
        "holding_cost": h,
        "lead_time_demand_mean": ltd_mean,
        "lead_time_demand_sd": ltd_sd,
        "safety_factor": z,
        "safety_stock": ss,
        "reorder_point": rop,
        "order_up_to": up_to,
        "orders_per_year": orders,
        "annual_ordering_cost": s_cost * orders,
        "cycle_stock_holding_cost": h * avg_q / 2,
        "safety_stock_holding_cost": h * ss,
        "annual_cost": s_cost * orders + h * avg_q / 2 + h * ss,
        "cycle_service_level": target,
        "expected_fill_rate": 1 - ltd_sd * loss(z) / avg_q,
        "stockouts_per_year": (1 - target) * orders,
        "average_inventory": avg_q / 2 + ss,
        "average_inventory_value": (avg_q / 2 + ss) * c,
    }


P1 = dict(d=3650.0, mu=10.0, sd=3.0, lt=9.0, lt_sd=0.0, c=10.0, s_cost=50.0, rate=0.2)
P2 = dict(d=365.0, mu=1.0, sd=1.0, lt=4.0, lt_sd=1.0, c=2.0, s_cost=20.0, rate=0.25)


def check_row(row: pd.Series, expected: dict) -> None:
    for col, value in expected.items():
        # 1e-9: the same formulas, only summation order and scipy's ndtri vs ppf differ
        assert_allclose(row[col], value, rtol=1e-9, atol=1e-12, err_msg=col)


# The columns that do not depend on the reorder point (the same under any review).
_NOT_S = ("holding_cost", "orders_per_year", "annual_ordering_cost")


def check_periodic_row(row: pd.Series, spec: dict, q: float, target: float, policy="sQ",
                       review=1.0, service_type="cycle") -> None:  # fmt: skip
    """s from the undershoot-aware calculator (tested on published cases in
    test_undershoot.py); the rest of the row from it by the plan's documented identities."""
    r = wb.periodic_reorder_point(
        spec["mu"], spec["sd"], order_quantity=q, lead_time_days=spec["lt"],
        lead_time_sd_days=spec["lt_sd"], review_period_days=review, service_level=target,
        service_type=service_type, policy=policy,
    )  # fmt: skip
    h = spec["rate"] * spec["c"]
    mu_l = spec["mu"] * spec["lt"]
    ss = r.reorder_point - r.expected_undershoot - mu_l
    cycle = q / 2 + r.expected_undershoot - spec["mu"] * review / 2
    check_row(
        row,
        {
            "reorder_point": r.reorder_point,
            "order_up_to": r.reorder_point + q,
            "expected_undershoot": r.expected_undershoot,
            "cycle_service_level": r.cycle_service_level,
            "expected_fill_rate": r.fill_rate,
            "lead_time_demand_mean": mu_l,
            "safety_stock": ss,
            "safety_stock_holding_cost": h * ss,
            "cycle_stock_holding_cost": h * cycle,
            "average_inventory": ss + cycle,
        },
    )


def test_three_skus_daily_review():
    """Was test_three_skus_continuous_review: it pinned the continuous-review reorder
    point mu_L + z sigma_L, which the simulator's daily review does not deliver (issue 11).
    The EOQ, classes and targets are unchanged; s is now the undershoot-aware one."""
    items, stats = three_skus()
    p = plan_from_stats(items, stats, Scenario(distribution="normal"))
    assert list(p.columns) == list(PLAN_COLUMNS)
    assert p.index.tolist() == ["P1", "P2", "P3"] and p.index.name == "sku"
    # P1: EOQ sqrt(2 * 3650 * 50 / 2) = 427.2 -> 36 packs of 12 = 432
    assert_allclose(p.loc["P1", "eoq"], math.sqrt(2 * 3650 * 50 / 2.0), rtol=1e-12)
    assert p.loc["P1", "order_quantity"] == 432.0
    # P2: EOQ sqrt(2 * 365 * 20 / 0.5) = 170.9 -> raised to the MOQ of 500
    assert_allclose(p.loc["P2", "eoq"], math.sqrt(2 * 365 * 20 / 0.5), rtol=1e-12)
    assert p.loc["P2", "order_quantity"] == 500.0
    # classes: P1 holds 98 % of the value (A); P2 crosses 95 % (C); P3 has none (C)
    assert p["abc"].astype(str).tolist() == ["A", "C", "C"]
    assert p["xyz"].astype(str).tolist() == ["X", "Y", "Z"]
    # targets: P1 its class's (A, 0.98); P2 its own (0.99); P3 its class's (C, 0.90)
    assert p["service_target"].tolist() == [0.98, 0.99, 0.90]
    assert p["target_source"].astype(str).tolist() == ["class", "item", "class"]
    for sku, spec, q, target in (("P1", P1, 432.0, 0.98), ("P2", P2, 500.0, 0.99)):
        row = p.loc[sku]
        full = expected_row(**spec, q=q, target=target)
        check_row(row, {k: full[k] for k in _NOT_S})
        check_periodic_row(row, spec, q, target)
        # the undershoot raises s above the continuous-review reorder point
        assert row["reorder_point"] > full["reorder_point"]
    assert (p["review_period_days"] == 1.0).all()  # R = 0: daily review
    # passthrough keeps dtypes
    assert isinstance(p["inventory_type"].dtype, pd.CategoricalDtype)
    assert p.loc["P2", "name"] == "slow"
    assert p.attrs["scenario"] == Scenario(distribution="normal").to_dict()


def test_dead_item_gives_finite_zeros_without_warnings():
    items, stats = three_skus()
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        p = plan_from_stats(items, stats)
    dead = p.loc["P3"]
    text = ["name", "category", "inventory_type", "abc", "xyz", "target_source"]
    text += ["demand_class", "distribution", "lead_time_source", "demand_source"]
    numeric = dead.drop([*text, "demand_bucket", "history_note"])
    numeric = numeric.drop(["cv"]).astype(float)  # cv is NaN by definition: no demand
    assert np.all(np.isfinite(numeric.to_numpy()))
    for col in (
        "eoq",
        "order_quantity",
        "orders_per_year",
        "safety_stock",
        "reorder_point",
        "order_up_to",
        "annual_cost",
        "stockouts_per_year",
        "average_inventory_value",
    ):
        assert dead[col] == 0.0, col
    assert dead["expected_fill_rate"] == 1.0 and dead["cycle_service_level"] == 1.0


@pytest.mark.parametrize("review", [7.0, 30.0])
def test_three_skus_periodic_review_rs(review):
    items, stats = three_skus()
    # the textbook normal model (P2 is erratic: "auto" would give it a gamma)
    sc = Scenario(policy="RS", review_period_days=review, distribution="normal")
    p = plan_from_stats(items, stats, sc)
    check_row(p.loc["P1"], expected_row(**P1, q=432.0, target=0.98, policy="RS", review=review))
    check_row(p.loc["P2"], expected_row(**P2, q=500.0, target=0.99, policy="RS", review=review))
    assert p.loc["P3", "orders_per_year"] == 0 and p.loc["P3", "order_up_to"] == 0
    assert (p["review_period_days"] == review).all()


def test_three_skus_ss_and_periodic_sq():
    """Was: (R, s, S) and (R, s, Q) gave the same figures (mu_{L+R} + z sigma_{L+R});
    now each has its own undershoot (issue 11)."""
    items, stats = three_skus()
    sc = Scenario(policy="sS", review_period_days=7, distribution="normal")
    p = plan_from_stats(items, stats, sc)
    check_periodic_row(p.loc["P1"], P1, 432.0, 0.98, policy="sS", review=7.0)
    sq = plan_from_stats(items, stats, sc.replace(policy="sQ"))
    check_periodic_row(sq.loc["P1"], P1, 432.0, 0.98, policy="sQ", review=7.0)
    # (s, S) orders Q + U: fewer orders a year than (s, Q)
    assert p.loc["P1", "orders_per_year"] < sq.loc["P1", "orders_per_year"]
    assert p.attrs["scenario"]["policy"] == "sS" and sq.attrs["scenario"]["policy"] == "sQ"


def test_fill_rate_service_type():
    """Was: the continuous formula G(k) = Q (1 - beta) / sigma_L (SPT Eq. (6.20)) with the
    safety stock clipped at 0; now the periodic-review fill rate meets the target exactly
    (normal) or as the smallest whole s (gamma, for erratic P2)."""
    items, stats = three_skus()
    p = plan_from_stats(items, stats, Scenario(service_type="fill_rate"))
    assert p["distribution"].astype(str).tolist()[:2] == ["normal", "gamma"]
    check_periodic_row(p.loc["P1"], P1, 432.0, 0.98, service_type="fill_rate")
    assert_allclose(p.loc["P1", "expected_fill_rate"], 0.98, rtol=1e-7)
    p2 = p.loc["P2"]
    assert p2["expected_fill_rate"] >= 0.99 and p2["reorder_point"] == round(p2["reorder_point"])
    one_less = wb.periodic_service_pmf(
        p2["reorder_point"] - 1, 500, period_pmf=wb.gamma_pmf([1.0], [1.0]),
        lead_time_demand_pmf=wb.lead_time_demand_distribution(
            "gamma_discrete", bucket_mean=[1.0], bucket_sd=[1.0], lead_time_buckets=[4.0],
            lead_time_sd_buckets=[1.0]).pmf,
    )  # fmt: skip
    assert one_less.fill_rate < 0.99


def test_sku_as_index_and_extra_stats_rows():
    items, stats = three_skus()
    a = plan_from_stats(items, stats)
    b = plan_from_stats(items.set_index("sku"), stats)
    pd.testing.assert_frame_equal(a, b)
    extra = pd.concat([stats.iloc[::-1], stats.rename(index={"P1": "ZZ"}).iloc[:1]])
    c = plan_from_stats(items, extra)
    pd.testing.assert_frame_equal(a, c)


# ---------------------------------------------------------------- published cases


def one_sku(**item) -> pd.DataFrame:
    base = {"sku": ["x"], "unit_cost": [1.0], "lead_time_days": [1.0]}
    base.update({k: [v] for k, v in item.items()})
    return pd.DataFrame(base)


def one_stat(annual: float, sd: float = 0.0, days: float = 365.0) -> pd.DataFrame:
    return pd.DataFrame(
        {"annual_demand": [annual], "daily_mean": [annual / days], "daily_sd": [sd]},
        index=pd.Index(["x"], name="sku"),
    )


def test_sharp_inc_eoq():
    """Heizer & Render, ch. 12, Sharp, Inc.: D = 1,000, S = $10, H = $0.50 -> Q* = 200,
    5 orders a year, $50 ordering + $50 holding."""
    items = one_sku(unit_cost=2.0, order_cost=10.0, holding_cost_rate=0.25)
    row = plan_from_stats(items, one_stat(1000.0)).loc["x"]
    assert_allclose(
        row[["eoq", "order_quantity", "orders_per_year"]].astype(float), [200, 200, 5], rtol=1e-12
    )
    assert_allclose(row["annual_ordering_cost"], 50.0, rtol=1e-12)
    assert_allclose(row["cycle_stock_holding_cost"], 50.0, rtol=1e-12)
    # plus the safety stock s - E[U] - mu_L held at $0.50 (daily review: s covers U)
    assert_allclose(row["annual_cost"], 100.0 + 0.5 * row["safety_stock"], rtol=1e-12)


def test_memorial_hospital_reorder_point():
    """Heizer & Render, ch. 12, Memorial Hospital: lead-time demand 350 (sd 10), 95 % cycle
    service -> safety stock 16.45 (book 16.5 with z = 1.65), reorder point 366.45."""
    # the continuous-review calculator reproduces the book (0.005: printed to two decimals)
    r = wb.reorder_point(350.0, 10.0, lead_time_days=1.0, service_level=0.95)
    assert_allclose(r.safety_stock, 16.45, atol=0.005)
    assert_allclose(r.reorder_point, 366.45, atol=0.005)
    # the plan, for daily review, covers the undershoot too (was: pinned to 366.45)
    items = one_sku(unit_cost=1.0, lead_time_days=1.0, service_level=0.95)
    row = plan_from_stats(items, one_stat(350 * 365, sd=10.0, days=365)).loc["x"]
    assert row["reorder_point"] > 366.45 + 0.5 * 350 * 0.9
    assert_allclose(row["cycle_service_level"], 0.95, rtol=1e-7)


@pytest.mark.parametrize(
    ("annual", "order_cost", "holding", "moq", "pack", "expected"),
    [
        (1000, 10, 0.5, 1, 1, 200),  # Sharp, Inc.: EOQ exactly 200
        (1000, 10, 0.5, 1, 12, 204),  # 16.7 packs -> 17 packs of 12
        (1000, 10, 0.5, 1, 50, 200),  # an exact multiple stays (no extra pack)
        (1000, 10, 0.5, 1, 40, 200),  # 5 packs of 40
        (1000, 10, 0.5, 250, 1, 250),  # raised to the MOQ
        (1000, 10, 0.5, 250, 100, 300),  # MOQ not a pack multiple: 3 packs
        (1000, 10, 0.5, 0, 0.5, 200),  # fractional packs (kg): 400 half-kilos
        (1000, 10, 0.5, 0, 7.5, 202.5),  # 26.7 -> 27 packs of 7.5
        (1000, 10, 0.5, 1000, 1, 1000),  # MOQ above a year's demand still applies
        (10, 10, 0.5, 0, 1, 20),  # EOQ of 20 units
        (2, 10, 0.5, 0, 1, 9),  # EOQ 8.94 -> 9 whole units
    ],
)
def test_order_quantity_rounding(annual, order_cost, holding, moq, pack, expected):
    items = one_sku(
        unit_cost=holding / 0.25, order_cost=order_cost, min_order_qty=moq, pack_size=pack
    )
    row = plan_from_stats(items, one_stat(annual)).loc["x"]
    assert_allclose(row["order_quantity"], expected, rtol=1e-12)
    assert_allclose(row["eoq"], math.sqrt(2 * annual * order_cost / holding), rtol=1e-12)
    assert row["order_quantity"] >= max(row["eoq"], moq) - 1e-9
    assert row["order_quantity"] - pack < max(row["eoq"], moq)  # the smallest such multiple


# ---------------------------------------------------------------- edge cases


def test_zero_costs_and_zero_lead_time():
    items = pd.DataFrame(
        {
            "sku": ["free-order", "free-hold", "instant", "nolt"],
            "unit_cost": [1.0, 0.0, 1.0, 1.0],
            "lead_time_days": [5.0, 5.0, 0.0, np.nan],
            "order_cost": [0.0, 10.0, 10.0, 10.0],
            "pack_size": [6.0, 1.0, 1.0, 1.0],
        }
    )
    stats = pd.DataFrame(
        {"annual_demand": [365.0] * 4, "daily_mean": [1.0] * 4, "daily_sd": [1.0] * 4},
        index=items["sku"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = plan_from_stats(items, stats)
    # no order cost: Q* = 0, so one pack
    assert p.loc["free-order", "eoq"] == 0 and p.loc["free-order", "order_quantity"] == 6
    assert p.loc["free-order", "annual_ordering_cost"] == 0
    # no holding cost: one order a year; nothing to pay for stock
    assert p.loc["free-hold", "order_quantity"] == 365
    assert p.loc["free-hold", "average_inventory_value"] == 0
    assert p.loc["free-hold", "safety_stock"] > 0  # the stock is still needed
    # zero lead time, daily review: the stock covers the undershoot (was: s = 0, no risk)
    assert p.loc["instant", "reorder_point"] > 0
    assert p.loc["instant", "cycle_service_level"] >= 0.9
    # missing lead time: NaN stock figures for that SKU only
    assert np.isnan(p.loc["nolt", "reorder_point"]) and np.isnan(p.loc["nolt", "safety_stock"])
    assert p.drop(index="nolt")["reorder_point"].notna().all()
    assert plan_summary(p)["skus_unplanned"] == 1


def test_empty_items():
    items, stats = three_skus()
    p = plan_from_stats(items.iloc[:0], stats.iloc[:0])
    assert len(p) == 0 and list(p.columns) == list(PLAN_COLUMNS)
    s = plan_summary(p)
    assert s["skus"] == 0 and s["investment"] == 0 and s["fill_rate"] == 1.0


def test_minimal_items_table_uses_documented_defaults():
    items = pd.DataFrame({"sku": ["x"], "unit_cost": [4.0], "lead_time_days": [3.0]})
    row = plan_from_stats(items, one_stat(1000.0)).loc["x"]
    # order cost 50, holding 25 % of 4 = 1, MOQ 1, pack 1, lead-time sd 0
    assert row["order_cost"] == 50 and row["holding_cost"] == 1.0
    assert row["order_quantity"] == math.ceil(math.sqrt(2 * 1000 * 50 / 1.0))
    assert pd.isna(row["name"]) and row["lead_time_sd_days"] == 0


# ---------------------------------------------------------------- scenario levers


def test_multipliers_and_overrides():
    items, stats = three_skus()
    base = plan_from_stats(items, stats)
    p = plan_from_stats(
        items,
        stats,
        Scenario(
            demand_multiplier=1.2,
            lead_time_multiplier=2.0,
            holding_cost_rate=0.3,
            order_cost=80.0,
            use_item_service_levels=False,
        ),
    )
    assert_allclose(p["annual_demand"], base["annual_demand"] * 1.2, rtol=1e-15)
    assert_allclose(p["daily_sd"], base["daily_sd"] * 1.2, rtol=1e-15)
    assert_allclose(p["lead_time_days"], base["lead_time_days"] * 2, rtol=1e-15)
    assert_allclose(p["lead_time_sd_days"], base["lead_time_sd_days"] * 2, rtol=1e-15)
    assert_allclose(p["holding_cost"], items["unit_cost"].to_numpy() * 0.3, rtol=1e-15)
    assert (p["order_cost"] == 80).all()
    assert p.loc["P2", "service_target"] == 0.90  # its class (C), not its own 0.99
    assert (p["target_source"] == "class").all()
    spec = dict(P1, d=3650 * 1.2, mu=12.0, sd=3.6, lt=18.0, s_cost=80.0, rate=0.3)
    q = 12 * math.ceil(math.sqrt(2 * 3650 * 1.2 * 80 / 3.0) / 12)
    check_row(p.loc["P1"], {k: expected_row(**spec, q=float(q), target=0.98)[k] for k in _NOT_S})
    check_periodic_row(p.loc["P1"], spec, float(q), 0.98)


def test_zero_demand_multiplier_gives_zero_plan():
    items, stats = three_skus()
    p = plan_from_stats(items, stats, Scenario(demand_multiplier=0.0))
    assert (p["order_quantity"] == 0).all() and (p["average_inventory_value"] == 0).all()
    assert (p["abc"] == "C").all()


@settings(max_examples=40, deadline=None, derandomize=True)  # the same examples every run
@given(
    data=st.data(),
    n=st.integers(min_value=1, max_value=25),
    stype=st.sampled_from(["cycle", "fill_rate"]),
    policy=st.sampled_from(["sQ", "RS"]),
)
def test_higher_service_target_never_lowers_reorder_point_or_investment(data, n, stype, policy):
    floats = st.floats(min_value=0.0, max_value=50.0)
    mu = np.array(data.draw(st.lists(floats, min_size=n, max_size=n)))
    cv = np.array(data.draw(st.lists(st.floats(0, 3), min_size=n, max_size=n)))
    lt = np.array(data.draw(st.lists(st.floats(0.5, 60), min_size=n, max_size=n)))
    cost = np.array(data.draw(st.lists(st.floats(0.01, 500), min_size=n, max_size=n)))
    items = pd.DataFrame(
        {"sku": [f"s{i}" for i in range(n)], "unit_cost": cost, "lead_time_days": lt}
    )
    stats = pd.DataFrame(
        {"annual_demand": mu * 365, "daily_mean": mu, "daily_sd": mu * cv},
        index=items["sku"],
    )
    low = data.draw(st.lists(st.floats(0.5, 0.99), min_size=3, max_size=3))
    bump = data.draw(st.lists(st.floats(0.0, 0.009), min_size=3, max_size=3))
    high = [a + b for a, b in zip(low, bump, strict=True)]
    base = Scenario(
        service_type=stype,
        policy=policy,
        review_period_days=7.0 if policy == "RS" else 0.0,
        service_targets=dict(zip("ABC", low, strict=True)),
    )
    more = base.replace(service_targets=dict(zip("ABC", high, strict=True)))
    a, b = plan_from_stats(items, stats, base), plan_from_stats(items, stats, more)
    # 1e-6: the periodic-review reorder point is solved to ~1e-9 of its scale (sd, Q)
    tol = 1e-6 * (1 + np.abs(a["reorder_point"].to_numpy()) + a["order_quantity"].to_numpy())
    assert np.all(b["reorder_point"].to_numpy() >= a["reorder_point"].to_numpy() - tol)
    assert np.all(b["safety_stock"].to_numpy() >= a["safety_stock"].to_numpy() - tol)
    inv_a, inv_b = plan_summary(a)["investment"], plan_summary(b)["investment"]
    # the same solver tolerance, valued at cost, summed over the SKUs (hypothesis found a
    # SKU with daily demand 1e-83 whose stock moved by 7e-7 units within it)
    assert inv_b >= inv_a - float(np.sum(tol * cost)) - 1e-9 * (1 + inv_a)
    assert np.all(np.isfinite(b[["reorder_point", "annual_cost"]].to_numpy()))


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda i, s: (i.drop(columns="unit_cost"), s), r"items must have a column 'unit_cost'"),
        (
            lambda i, s: (i.drop(columns="lead_time_days"), s),
            r"items must have a column 'lead_time_days'",
        ),
        (
            lambda i, s: (i.assign(sku=["P1", "P1", "P3"]), s),
            r"items has duplicated SKUs: \['P1'\]",
        ),
        (lambda i, s: (i, s.drop(columns="daily_sd")), r"stats must have a column 'daily_sd'"),
        (
            lambda i, s: (i, s.drop(index="P2")),
            r"stats has no row for 1 SKU\(s\) of items, e.g. \['P2'\]",
        ),
        (
            lambda i, s: (i.assign(unit_cost=[1.0, -2.0, 1.0]), s),
            r"items unit_cost must be >= 0 \[\$/unit\]; got P2=-2 \(1 SKU\(s\)\)",
        ),
        (
            lambda i, s: (i.assign(order_cost=[-1.0, 1.0, 1.0]), s),
            r"items order_cost must be >= 0 \[\$/order\]; got P1=-1",
        ),
        (
            lambda i, s: (i.assign(lead_time_days=[-1.0, 1.0, 1.0]), s),
            r"items lead_time_days must be >= 0 \[days\]",
        ),
        (
            lambda i, s: (i.assign(pack_size=[12.0, 0.0, 1.0]), s),
            r"items pack_size must be > 0 \[units\]; got 0 for SKU P2",
        ),
        (
            lambda i, s: (i.assign(service_level=[1.5, np.nan, np.nan]), s),
            r"items service_level must be strictly between 0 and 1 .*got 1.5 for SKU P1",
        ),
        (
            lambda i, s: (i, s.assign(daily_sd=[-1.0, 0.0, 0.0])),
            r"stats daily_sd must be >= 0 \[units/day\]; got P1=-1",
        ),
        (
            lambda i, s: (i.assign(unit_cost=["a", "b", "c"]), s),
            r"column 'unit_cost' must be numeric",
        ),
        (
            lambda i, s: (i, s.rename(index={"P3": "P1"})),
            r"stats has duplicated SKUs: \['P1'\]",
        ),
        (
            lambda i, s: (i.assign(sku=["P1", "P2", "P1"]), s.rename(index={"P3": "P1"})),
            r"items has duplicated SKUs: \['P1'\]",  # also when stats are indexed alike
        ),
    ],
)
def test_plan_from_stats_validation(change, match):
    items, stats = change(*three_skus())
    with pytest.raises(ValueError, match=match):
        plan_from_stats(items, stats)


def test_scenario_must_be_a_scenario():
    items, stats = three_skus()
    with pytest.raises(ValueError, match=r"scenario must be a Scenario or None; got dict"):
        plan_from_stats(items, stats, {"name": "x"})


# ---------------------------------------------------------------- summary


def test_plan_summary_covers_only_the_planned_skus_and_names_the_others():
    items, stats = three_skus()
    items.loc[1, "lead_time_days"] = np.nan  # P2 "slow" cannot be planned
    p = plan_from_stats(items, stats)
    s = plan_summary(p)
    assert (s["skus"], s["skus_planned"], s["skus_unplanned"]) == (3, 2, 1)
    assert s["unplanned_skus"] == ("P2",)
    rest = p.drop(index="P2")
    # every money and service figure is the total of the planned SKUs alone: P2's
    # ordering cost (finite: its Q needs no lead time) is not counted either
    assert_allclose(s["investment"], rest["average_inventory_value"].sum(), rtol=1e-12)
    assert_allclose(s["annual_ordering_cost"], rest["annual_ordering_cost"].sum(), rtol=1e-12)
    assert p.loc["P2", "annual_ordering_cost"] > 0
    w = rest["annual_demand"]
    assert_allclose(s["fill_rate"], (rest["expected_fill_rate"] * w).sum() / w.sum(), rtol=1e-12)
    why = unplanned_items(p)
    assert why.index.tolist() == ["P2"]
    assert why.loc["P2", "name"] == "slow" and why.loc["P2", "reason"] == "no lead time"


def test_plan_summary_of_a_plan_with_nothing_planned_has_no_figures():
    """Before: fill rate 1.0 and investment $0 for five SKUs without a lead time."""
    items, stats = three_skus()
    items["lead_time_days"] = np.nan
    s = plan_summary(plan_from_stats(items, stats))
    assert (s["skus_planned"], s["skus_unplanned"]) == (0, 3)
    assert s["unplanned_skus"] == ("P1", "P2", "P3")
    for name in ("investment", "fill_rate", "annual_cost", "safety_stock_value", "turns"):
        assert np.isnan(s[name]), name
    assert s["annual_demand_value"] > 0  # demand is known even when nothing is planned


def test_unplanned_items_reasons():
    items, stats = three_skus()
    stats.loc["P1", "daily_sd"] = np.nan  # a one-day history
    stats.loc["P3", ["annual_demand", "daily_mean", "daily_sd"]] = np.nan
    items.loc[1, "lead_time_days"] = np.nan
    why = unplanned_items(plan_from_stats(items, stats))
    assert why["reason"].to_dict() == {
        "P1": "too little demand history to measure demand variability",
        "P2": "no lead time",
        "P3": "no demand statistics",
    }
    assert unplanned_items(plan_from_stats(*three_skus())).empty


def test_plan_summary_totals():
    items, stats = three_skus()
    p = plan_from_stats(items, stats)
    s = plan_summary(p)
    assert s["skus"] == 3 and s.name == "baseline"
    assert_allclose(s["investment"], p["average_inventory_value"].sum(), rtol=1e-12)
    assert_allclose(s["investment"], s["safety_stock_value"] + s["cycle_stock_value"], rtol=1e-12)
    assert_allclose(s["safety_stock_value"], (p["safety_stock"] * p["unit_cost"]).sum())
    assert_allclose(
        s["annual_cost"],
        s["annual_ordering_cost"] + s["cycle_stock_holding_cost"] + s["safety_stock_holding_cost"],
        rtol=1e-12,
    )
    w = p["annual_demand"]
    assert_allclose(s["fill_rate"], (p["expected_fill_rate"] * w).sum() / w.sum(), rtol=1e-12)
    assert (s["skus_A"], s["skus_B"], s["skus_C"]) == (1, 0, 2)
    assert_allclose(s["turns"], (36500 + 730) / s["investment"], rtol=1e-12)


# ---------------------------------------------------------------- on a Dataset


@pytest.fixture(scope="module")
def sample():
    return wb.sample_dataset(n_skus=80, years=1, seed=7)


def test_plan_on_sample_dataset(sample, monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = plan(sample)
    assert p.index.tolist() == sample.items["sku"].tolist()
    hist = wb.bucket_demand(sample.demand, end=sample.demand_period[1], skus=sample.items["sku"])
    pd.testing.assert_frame_equal(
        p, plan_from_stats(sample.items, wb.demand_stats(sample), history=hist)
    )
    # a big plan reads its statistics and history, its demand classes and its model and
    # size groups on threads: the same plan, bit for bit
    from workbench import scenario
    from workbench.planning import distribution_choice, reorder_point

    monkeypatch.setattr(scenario, "_THREADED_ROWS", 0)
    monkeypatch.setattr(distribution_choice, "_THREADED_CELLS", 0)
    monkeypatch.setattr(reorder_point, "_THREADED_SKUS", 0)
    monkeypatch.setattr(reorder_point.os, "cpu_count", lambda: 2)
    pd.testing.assert_frame_equal(plan(sample), p, check_exact=True)
    # classes and models per SKU; the intermittent ones bootstrap their own history
    assert set(p["demand_class"].astype(str)) <= {"smooth", "erratic", "intermittent", "lumpy",
                                                  "none"}  # fmt: skip
    inter = p.loc[p["demand_class"] == "intermittent", "distribution"].astype(str)
    assert inter.isin(["empirical", "normal (large demand)"]).all()
    assert (inter == "empirical").any()
    key = [
        "order_quantity",
        "safety_stock",
        "reorder_point",
        "annual_cost",
        "average_inventory_value",
        "expected_fill_rate",
        "stockouts_per_year",
    ]
    assert np.all(np.isfinite(p[key].to_numpy()))
    assert (p["order_quantity"] >= 0).all() and (p["average_inventory"] >= 0).all()
    moving = p["annual_demand"] > 0
    q = p.loc[moving, "order_quantity"]
    packs = q / sample.items.set_index("sku").loc[q.index, "pack_size"]
    assert_allclose(packs, np.round(packs), atol=1e-9)  # whole packs
    # the classes feed the ABC-XYZ matrix directly
    m = wb.abc_xyz_matrix(p["abc"], p["xyz"], p["annual_value"])
    assert len(m) == 9 and m["count"].sum() == len(p)
    assert_allclose(m["value"].sum(), p["annual_value"].sum(), rtol=1e-12)


def test_plan_as_of(sample):
    start = sample.demand_period[0]
    as_of = start + pd.Timedelta(days=180)
    p = plan(sample, as_of=as_of)
    stats = wb.demand_stats(sample, period=(start, as_of))
    assert (stats["window_end"] == as_of).all()  # every window ends on as_of
    assert stats["n_days"].max() == 181 and (stats["n_days"] <= 181).all()
    hist = wb.bucket_demand(sample.demand, end=as_of, skus=sample.items["sku"])
    pd.testing.assert_frame_equal(p, plan_from_stats(sample.items, stats, history=hist))
    with pytest.raises(ValueError, match=r"as_of must be on or after the first demand date"):
        plan(sample, as_of=start - pd.Timedelta(days=1))


def test_compare_scenarios(sample):
    scenarios = [
        Scenario("baseline"),
        Scenario("service up", service_targets={"A": 0.995, "B": 0.98, "C": 0.95}),
        Scenario("weekly RS", policy="RS", review_period_days=7),
        Scenario("demand +20%", demand_multiplier=1.2),
    ]
    table = compare_scenarios(sample, scenarios)
    assert list(table.columns) == [s.name for s in scenarios]
    stats = wb.demand_stats(sample)
    for s in scenarios:
        expected = plan_summary(plan(sample, s))
        assert_allclose(float(table.loc["investment", s.name]), expected["investment"])
    base = plan(sample, scenarios[0])
    up = plan(sample, scenarios[1])
    changed = ~np.isclose(up["reorder_point"], base["reorder_point"], rtol=1e-9, atol=1e-9)
    assert table.loc["reorder_point_changes", "service up"] == changed.sum() > 0
    assert table.loc["reorder_point_changes", "baseline"] == 0
    assert table.loc["investment_change", "baseline"] == 0
    assert table.loc["investment_change", "service up"] > 0
    assert table.loc["abc_changes", "demand +20%"] == 0  # uniform growth keeps classes
    # the SKUs themselves
    changes = plan_changes(base, up)
    assert sorted(changes.index) == sorted(base.index[changed])
    assert table.loc["skus_changed", "service up"] == len(changes)
    assert_allclose(
        changes["reorder_point_after"].to_numpy(dtype=float),
        up.loc[changes.index, "reorder_point"].to_numpy(),
    )
    assert_allclose(
        changes["reorder_point_before"].to_numpy(dtype=float),
        base.loc[changes.index, "reorder_point"].to_numpy(),
    )
    assert_allclose(
        changes["investment_change"].sum(), table.loc["investment_change", "service up"]
    )
    assert np.all(np.diff(np.abs(changes["investment_change"].to_numpy())) <= 0)
    assert len(plan_changes(base, base)) == 0
    # a mapping names the columns; reusing stats gives the same answer
    hist = wb.bucket_demand(sample.demand, end=sample.demand_period[1], skus=sample.items["sku"])
    again = compare_scenarios(
        sample.items, {"a": scenarios[0], "b": scenarios[1]}, stats=stats, history=hist
    )
    assert list(again.columns) == ["a", "b"]
    assert_allclose(
        again.loc["investment"].astype(float), table.loc["investment"].iloc[:2].astype(float)
    )


def test_plan_changes_class_and_reindex():
    items, stats = three_skus()
    base = plan_from_stats(items, stats)
    # a higher second cut-off (0.99) lifts P2 (98.0 % ahead of it) from C to B; its own
    # 99 % target still applies, so only its class changes
    other = plan_from_stats(items, stats, Scenario(abc_cutoffs=(0.5, 0.99)))
    changes = plan_changes(base, other.iloc[::-1])  # order does not matter
    assert changes.loc["P2", "abc_before"] == "C" and changes.loc["P2", "abc_after"] == "B"
    assert "P3" not in changes.index  # dead item: class C either way, nothing to order
    with pytest.raises(ValueError, match=r"plan_changes needs two plans of the same SKUs"):
        plan_changes(base, other.iloc[:2])


@pytest.mark.parametrize(
    ("scenarios", "match"),
    [
        ([], r"scenarios must hold at least one Scenario; got none"),
        ([Scenario(), Scenario()], r"scenario names must be distinct; repeated: \['baseline'\]"),
        ([Scenario(), "hi"], r"scenarios must be Scenario objects; got str"),
    ],
)
def test_compare_scenarios_validation(sample, scenarios, match):
    with pytest.raises(ValueError, match=match):
        compare_scenarios(sample, scenarios)


# ---------------------------------------------------------------- numbers at the far ends


def _one_sku(**item) -> tuple[pd.DataFrame, pd.DataFrame]:
    items = pd.DataFrame({"sku": ["X"], "unit_cost": [5.0], "lead_time_days": [4.0], **{
        k: [v] for k, v in item.items()
    }})  # fmt: skip
    stats = pd.DataFrame(
        {"annual_demand": [3650.0], "daily_mean": [10.0], "daily_sd": [3.0]},
        index=pd.Index(["X"], name="sku"),
    )
    return items, stats


@pytest.mark.parametrize("policy", ["sQ", "sS", "RS"])
@pytest.mark.parametrize(
    "item",
    [
        {"holding_cost_rate": 5e-324},  # before: eoq inf (2DS/H overflows)
        {"holding_cost_rate": 1e-300, "order_cost": 1e9},  # before: eoq 1.2e157, s NaN
        {"unit_cost": 1e-300, "holding_cost_rate": 1e-4},
    ],
    ids=lambda d: ",".join(f"{k}={v}" for k, v in d.items()),
)
def test_eoq_is_capped_at_the_largest_order_quantity(item, policy):
    """A holding cost near zero sends sqrt(2DS/H) to 1e150 or inf: the plan orders at most
    MAX_ORDER_QUANTITY (1e12 units, the largest quantity the data model holds)."""
    from workbench.scenario import MAX_ORDER_QUANTITY

    sc = Scenario(policy=policy, review_period_days=7 if policy == "RS" else 0)
    frame = plan_from_stats(*_one_sku(**item), sc)
    p = frame.loc["X"]
    assert MAX_ORDER_QUANTITY == 1e12
    if policy != "RS":
        assert p["eoq"] == MAX_ORDER_QUANTITY and p["order_quantity"] == MAX_ORDER_QUANTITY
    numbers = frame.select_dtypes("number").drop(columns="cv")
    assert np.isfinite(numbers.to_numpy(float)).all(), numbers.T


def test_a_pack_too_small_to_count_is_not_rounded_to():
    """Before: pack_size 5e-324 made Q* / pack overflow to inf packs and Q inf."""
    p = plan_from_stats(*_one_sku(pack_size=5e-324)).loc["X"]
    assert_allclose(p["order_quantity"], math.sqrt(2 * 3650 * 50 / 1.25), rtol=1e-12)
    assert np.isfinite(p["average_inventory_value"])


def test_a_lead_time_with_a_very_long_tail_is_planned_as_normal():
    """Before: a 4-day lead time with an sd of 10 years made a lead-time pmf of 17 million
    days for a slow, discrete SKU, and the plan raised (max_cells)."""
    items, stats = _one_sku(lead_time_sd_days=3650.0)
    stats.loc["X"] = [0.5, 0.5 / 365, 0.05]  # one unit every two years
    p = plan_from_stats(items, stats, Scenario(distribution="poisson")).loc["X"]
    assert p["distribution"] == "normal (long lead times)"
    assert np.isfinite(p["reorder_point"])
