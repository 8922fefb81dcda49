"""Today's reorder settings against the recommended plan (workbench.evaluate)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.data import DataError
from workbench.evaluate import _analytic_service, todays_settings


def _dataset(items: dict, demand: np.ndarray, start: str = "2024-01-01") -> wb.Dataset:
    """A dataset from item columns and a (days, SKUs) matrix of daily demand."""
    items = pd.DataFrame(items)
    days, n = demand.shape
    dates = pd.date_range(start, periods=days)
    table = pd.DataFrame(
        {
            "date": np.repeat(dates, n),
            "sku": np.tile(items["sku"].to_numpy(), days),
            "quantity": demand.ravel(),
        }
    )
    return wb.Dataset.from_tables({"items": items, "demand": table}, frequency="D")


@pytest.fixture(scope="module")
def constant():
    """Two SKUs with 4 units a day, lead time 5 days: "a" has today's (s, Q) =
    (24, 200), "b" has no settings."""
    return _dataset(
        {
            "sku": ["a", "b"],
            "inventory_type": ["finished_good", "finished_good"],
            "unit_cost": [2.0, 3.0],
            "lead_time_days": [5.0, 5.0],
            "order_cost": [10.0, 10.0],
            "holding_cost_rate": [0.25, 0.25],
            "current_reorder_point": [24.0, np.nan],
            "current_order_quantity": [200.0, np.nan],
        },
        np.full((600, 2), 4.0),
    )


@pytest.fixture(scope="module")
def too_low():
    """40 alike SKUs, normal daily demand (mean 20, sd 6, whole units), lead time 4
    days; today s = 80 (the lead-time demand: no safety stock), Q = 200."""
    n, days = 40, 730
    rng = np.random.default_rng(5)
    demand = np.maximum(np.rint(rng.normal(20.0, 6.0, (days, n))), 0.0)
    skus = [f"S{i:02d}" for i in range(n)]
    return _dataset(
        {
            "sku": skus,
            "inventory_type": "finished_good",
            "unit_cost": 10.0,
            "lead_time_days": 4.0,
            "order_cost": 50.0,
            "holding_cost_rate": 0.25,
            "current_reorder_point": 80.0,
            "current_order_quantity": 200.0,
        },
        demand,
    )


def test_hand_checkable_constant_demand(constant):
    """4 a day, L = 5, s = 24 = d (L + 1), Q = 200: the stock at the end of the day an
    order arrives is 0, never negative; the position after a review runs over
    28, 32, ..., 224 (mean 126), so the mean of the stock after receipts and at the end
    of the day is 126 - 4 * 6 + 4 / 2 = 104 = Q/2 + s - d L. No stockout, 7.3 orders a
    year ($73), holding 104 x $2 x 0.25 = $52."""
    ev = wb.evaluate_policy(
        constant, method="replay", horizon_days=550, warmup_days=50, seed=0
    )  # 500 counted days: ten whole 50-day cycles
    a = ev.skus.loc["a"]
    assert a["today_kind"] == "sQ"
    assert (a["today_cycle_service"], a["today_fill_rate"]) == (1.0, 1.0)
    assert a["today_average_stock"] == pytest.approx(104.0, abs=1e-9)
    assert a["today_money"] == pytest.approx(208.0, abs=1e-9)
    assert a["today_ordering_cost"] == pytest.approx(10 * 4 * 365 / 200)
    assert a["today_holding_cost"] == pytest.approx(104 * 2 * 0.25)
    assert a["sim_today_fill_rate"] == 1.0 and a["sim_today_cycle_service"] == 1.0
    assert a["sim_today_average_stock"] == pytest.approx(104.0, abs=1e-9)


def test_sku_without_settings_is_listed_not_counted(constant):
    """Before: an item without settings would have read as $0 of stock and 100 %."""
    ev = wb.evaluate_policy(constant, simulate=False)
    b = ev.skus.loc["b"]
    assert b["today_kind"] == "none" and not b["compared"]
    for col in ("today_money", "today_fill_rate", "money_freed", "fill_rate_change"):
        assert np.isnan(b[col]), col
    assert b["recommended_money"] > 0  # the recommendation is still shown
    assert ev.note == "1 of 2 items have today's settings"
    tot = ev.classes.loc["total"]
    assert (tot["items"], tot["items_with_settings"], tot["compared"]) == (2, 1, 1)
    assert tot["today_money"] == pytest.approx(ev.skus.loc["a", "today_money"])
    assert tot["recommended_money"] == pytest.approx(ev.skus.loc["a", "recommended_money"])


def test_too_low_reorder_point_serves_less_and_the_simulation_agrees(too_low):
    """s at the bare lead-time demand fills less than the plan; the formulas match a
    3-year simulation of 40 alike SKUs within sampling error."""
    ev = wb.evaluate_policy(too_low, horizon_days=3 * 365, seed=1)
    s = ev.skus
    assert (s["today_reorder_point"] < s["recommended_reorder_point"]).all()
    assert (s["today_fill_rate"] < s["recommended_fill_rate"] - 0.03).all()
    assert (s["fill_rate_change"] > 3).all()  # points gained by the recommendation
    n = len(s)
    for who in ("today", "recommended"):
        sim = s[f"sim_{who}_fill_rate"]
        se = sim.std() / np.sqrt(n)  # the SKUs are independent replicas
        # 3 standard errors, plus 0.002 for the normal approximation of whole units
        assert abs(sim.mean() - s[f"{who}_fill_rate"].mean()) < 3 * se + 0.002, who
        stock = s[f"sim_{who}_average_stock"]
        se = stock.std() / np.sqrt(n)
        assert abs(stock.mean() - s[f"{who}_average_stock"].mean()) < 3 * se + 1.0, who
        # the cycle service rests on a normal undershoot: a looser, stated tolerance
        assert abs(s[f"sim_{who}_cycle_service"].mean() - s[f"{who}_cycle_service"].mean()) < 0.05
    assert (s["sim_fill_rate_change"] > 0).all()


def test_min_max_with_random_demand_agrees_with_the_simulation(too_low):
    """min 80, max 280 on the same demand: orders of Q + undershoot, the position after
    a review often at the max; formulas within sampling error of the simulation."""
    items = too_low.items.assign(
        current_reorder_point=np.nan, current_order_quantity=np.nan, current_min=80.0,
        current_max=280.0,
    )  # fmt: skip
    mm = wb.Dataset.from_tables({"items": items, "demand": too_low.demand}, frequency="D")
    s = wb.evaluate_policy(mm, horizon_days=3 * 365, seed=1).skus
    assert (s["today_kind"] == "minmax").all()
    n = len(s)
    for col, extra in (("fill_rate", 0.003), ("average_stock", 1.0)):
        sim = s[f"sim_today_{col}"]
        assert abs(sim.mean() - s[f"today_{col}"].mean()) < 3 * sim.std() / np.sqrt(n) + extra
    # the undershoot (about 11 units a cycle) makes fewer, larger orders than D / 200
    assert (s["today_ordering_cost"] < 50.0 * s["annual_demand"] / 200.0).all()


def test_money_freed_is_the_difference_of_average_inventory_values(too_low):
    ev = wb.evaluate_policy(too_low, simulate=False)
    s = ev.skus
    assert_allclose(s["money_freed"], s["today_money"] - s["recommended_money"])
    assert_allclose(s["today_money"], s["today_average_stock"] * s["unit_cost"])
    assert_allclose(s["cost_saving"], s["today_annual_cost"] - s["recommended_annual_cost"])
    # s too low but Q far below the EOQ: the recommendation ties up more money
    assert (s["money_freed"] < 0).all() and (s["cost_saving"] > 0).all()


def test_same_settings_give_no_difference_by_common_random_numbers(too_low):
    """Today = recommended: the two simulations see the same demand, so every
    simulated difference is exactly zero (not just small)."""
    p = wb.plan(too_low)
    items = too_low.items.assign(
        current_reorder_point=p["reorder_point"].to_numpy(),
        current_order_quantity=p["order_quantity"].to_numpy(),
    )
    same = wb.Dataset.from_tables({"items": items, "demand": too_low.demand}, frequency="D")
    ev = wb.evaluate_policy(same, plan_df=p, horizon_days=365, seed=3)
    assert (ev.skus["sim_money_freed"] == 0).all()
    assert (ev.skus["sim_fill_rate_change"] == 0).all()
    assert_allclose(ev.skus["money_freed"], 0.0, atol=1e-9)


def test_class_totals_add_up():
    ds = wb.sample_dataset(n_skus=120, years=1, seed=11)
    ev = wb.evaluate_policy(ds, simulate=False)
    s, c = ev.skus, ev.classes
    assert list(c.index) == ["A", "B", "C", "total"]
    compared = s[s["compared"]]
    for col in ("today_money", "recommended_money", "money_freed", "cost_saving"):
        by_class = compared.groupby(compared["abc"].astype(str))[col].sum()
        assert_allclose(c.loc[["A", "B", "C"], col], by_class.reindex(["A", "B", "C"]))
        assert c.loc["total", col] == pytest.approx(compared[col].sum())
    w = compared["annual_demand"]
    fill = (compared["today_fill_rate"] * w).sum() / w.sum()
    assert c.loc["total", "today_fill_rate"] == pytest.approx(fill)
    assert c.loc["total", "fill_rate_change"] == pytest.approx(
        100 * (c.loc["total", "recommended_fill_rate"] - fill)
    )
    assert c["items"].iloc[:3].sum() == c.loc["total", "items"] == len(ds.items)
    n_set = int((s["today_kind"] != "none").sum())
    assert ev.note.startswith(f"{n_set} of {len(ds.items)} items have today's settings")


def test_min_max_rule_is_evaluated_as_s_and_max_minus_min(constant):
    items = constant.items.assign(
        current_reorder_point=np.nan,
        current_order_quantity=np.nan,
        current_min=[24.0, np.nan],
        current_max=[224.0, np.nan],
    )
    mm = wb.Dataset.from_tables({"items": items, "demand": constant.demand}, frequency="D")
    ev = wb.evaluate_policy(mm, method="replay", horizon_days=550, warmup_days=50)
    a = ev.skus.loc["a"]
    assert a["today_kind"] == "minmax"
    assert (a["today_reorder_point"], a["today_order_quantity"]) == (24.0, 200.0)
    assert a["today_average_stock"] == pytest.approx(104.0)
    assert a["sim_today_average_stock"] == pytest.approx(104.0)  # constant: no undershoot
    assert a["sim_today_fill_rate"] == 1.0


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        ({"current_min": [5.0, np.nan], "current_max": [3.0, np.nan]}, r"max <= min.*\ba\b"),
        ({"current_min": [5.0, np.nan], "current_max": [5.0, np.nan]}, r"max <= min.*\ba\b"),
        ({"current_reorder_point": [np.nan, 4.0]}, r"SKU\(s\) b has a current_reorder_point but"),
        ({"current_max": [np.nan, 4.0]}, r"SKU\(s\) b has a current_max but no current_min"),
        (
            {
                "current_reorder_point": [1.0, np.nan],
                "current_order_quantity": [2.0, np.nan],
                "current_min": [1.0, np.nan],
                "current_max": [3.0, np.nan],
            },
            r"SKU\(s\) a has both",
        ),
        (
            {"current_reorder_point": [-1.0, np.nan], "current_order_quantity": [2.0, np.nan]},
            r"current_reorder_point must be >= 0 \[units\]; got a \(-1\)",
        ),
        (
            {"current_reorder_point": [1.0, np.nan], "current_order_quantity": [0.0, np.nan]},
            r"current_order_quantity must be > 0 \[units\]; got a \(0\)",
        ),
    ],
)
def test_bad_settings_name_the_sku(columns, match):
    items = pd.DataFrame({"sku": ["a", "b"], **columns})
    with pytest.raises(ValueError, match=match):
        todays_settings(items)


def test_negative_reorder_point_is_a_data_error_at_load(tmp_path):
    pd.DataFrame(
        {
            "sku": ["a"],
            "inventory_type": ["finished_good"],
            "unit_cost": [1.0],
            "lead_time_days": [3.0],
            "current_reorder_point": [-5.0],
            "current_order_quantity": [10.0],
        }
    ).to_csv(tmp_path / "items.csv", index=False)
    pd.DataFrame({"date": ["2025-01-01"], "sku": ["a"], "quantity": [1.0]}).to_csv(
        tmp_path / "demand.csv", index=False
    )
    with pytest.raises(DataError) as err:
        wb.load_dataset(tmp_path)
    assert "current_reorder_point" in str(err.value) and "-5" in str(err.value)


def test_header_aliases_read_a_shops_item_master():
    table = wb.SCHEMAS["items"]
    assert table.match_header("Reorder Point") == "current_reorder_point"
    assert table.match_header("Reorder Qty") == "current_order_quantity"
    assert table.match_header("Min Stock") == "current_min"


def test_periodic_scenarios_are_refused(constant):
    with pytest.raises(ValueError, match="reviewed every bucket"):
        wb.evaluate_policy(constant, wb.Scenario(policy="RS", review_period_days=7))
    with pytest.raises(ValueError, match="method must be one of"):
        wb.evaluate_policy(constant, method="bootstrap")


def test_analytic_service_properties():
    """Service rises and stock rises with s; no demand is full service."""
    s = np.linspace(0.0, 200.0, 21)
    n = s.size
    csl, fill, stock, order = _analytic_service(
        bucket_mean=np.full(n, 10.0),
        bucket_sd=np.full(n, 4.0),
        lead_time_buckets=np.full(n, 5.0),
        lead_time_sd_buckets=np.full(n, 1.0),
        reorder_point=s,
        order_quantity=np.full(n, 100.0),
    )
    assert (np.diff(csl) >= 0).all() and (np.diff(fill) >= 0).all() and (np.diff(stock) > 0).all()
    assert csl[10] < csl[11] < 1.0  # strictly rising until it saturates
    assert (stock >= 0).all() and fill[-1] > 0.999 and csl[0] < 0.01
    assert (order == 100.0).all()  # (s, nQ): orders of Q
    csl0, fill0, stock0, _ = _analytic_service(
        bucket_mean=np.array([0.0]),
        bucket_sd=np.array([0.0]),
        lead_time_buckets=np.array([3.0]),
        lead_time_sd_buckets=np.array([0.0]),
        reorder_point=np.array([5.0]),
        order_quantity=np.array([10.0]),
    )
    assert (csl0[0], fill0[0], stock0[0]) == (1.0, 1.0, 10.0)


def test_analytic_service_computes_each_skus_service_once(monkeypatch):
    """Random demand goes to periodic_service only, constant or no demand to the closed
    forms only (before, the closed forms ran for every SKU and were then overwritten)."""
    import workbench.evaluate as ev_mod

    seen = {"periodic": 0, "closed": 0}
    real_periodic, real_closed = ev_mod.periodic_service, ev_mod._approximate_service

    def periodic(s, q, **kw):
        seen["periodic"] += np.size(s)
        return real_periodic(s, q, **kw)

    def closed(*args):
        seen["closed"] += np.size(args[0])
        return real_closed(*args)

    monkeypatch.setattr(ev_mod, "periodic_service", periodic)
    monkeypatch.setattr(ev_mod, "_approximate_service", closed)
    mu = np.array([10.0, 10.0, 10.0, 0.0, 5.0])
    sd = np.array([4.0, 4.0, 0.0, 0.0, 2.0])
    csl, fill, _, _ = _analytic_service(
        bucket_mean=mu,
        bucket_sd=sd,
        lead_time_buckets=np.full(5, 3.0),
        lead_time_sd_buckets=np.zeros(5),
        reorder_point=np.array([40.0, 40.0, 35.0, 5.0, 20.0]),
        order_quantity=np.full(5, 50.0),
        min_max=np.array([False, True, False, False, False]),
    )
    assert seen == {"periodic": 3, "closed": 2}  # each SKU once
    want = real_periodic(
        np.array([40.0, 20.0]), np.array([50.0, 50.0]), demand_mean=np.array([10.0, 5.0]),
        demand_sd=np.array([4.0, 2.0]), lead_time_days=3.0, review_period_days=1.0,
    )  # fmt: skip
    assert_allclose(fill[[0, 4]], want.fill_rate, rtol=1e-12)
    assert_allclose(csl[[0, 4]], want.cycle_service_level, rtol=1e-12)
    # constant demand 10 a bucket, L = 3, s = 35: the position that orders is uniform on
    # (25, 35], so P(U <= s - mu L) = 5 / 10
    assert_allclose(csl[2], 0.5, rtol=1e-12)
    assert (csl[3], fill[3]) == (1.0, 1.0)  # no demand


def test_sample_business_has_settings_some_too_high_some_too_low():
    ds = wb.sample_dataset()
    items = ds.items
    for col in wb.TODAY_COLUMNS:
        assert col in items.columns
    ev = wb.evaluate_policy(ds, simulate=False)
    s = ev.skus[ev.skus["compared"]]
    assert set(s["today_kind"]) == {"sQ", "minmax"}
    assert (ev.skus["today_kind"] == "none").sum() > 0
    high = s["today_reorder_point"] > 1.2 * s["recommended_reorder_point"]
    low = s["today_reorder_point"] < 0.8 * s["recommended_reorder_point"]
    assert high.sum() >= 20 and low.sum() >= 20
    assert (s["fill_rate_change"] > 1).sum() >= 10  # too low: service lost today
    assert (s["money_freed"] > 0).sum() >= 5  # too high: money to free
    assert set(items.loc[items["inventory_type"] == "wip", "current_min"].isna()) == {True}
