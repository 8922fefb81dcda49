"""Scenario(lead_time_source="history"): the plan's lead times measured from purchase orders.

A hand case: SKU "a" has five received lines from its main supplier (lead times 4, 6, 8,
10 and 12 days: mean 8, sample sd sqrt(10)), enough for the documented minimum of
wb.MIN_RECEIPTS = 5; SKU "b" has two, so it keeps its quote.
"""

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.scenario import PLAN_COLUMNS, Scenario


def _dataset() -> wb.Dataset:
    items = pd.DataFrame(
        {
            "sku": ["a", "b"],
            "inventory_type": ["raw_material"] * 2,
            "unit_cost": [2.0, 1.0],
            "supplier_id": ["S1", "S1"],
            "lead_time_days": [3.0, 5.0],  # quoted; no quoted sd (0)
        }
    )
    days = pd.date_range("2025-04-01", "2026-03-31", freq="D")
    # each SKU sells 8, 12, 8, 12... a day: mean 10, sd about 2
    qty = np.repeat(np.tile([8.0, 12.0], len(days))[: len(days)], 2)
    demand = pd.DataFrame(
        {"date": np.repeat(days, 2), "sku": np.tile(["a", "b"], len(days)), "quantity": qty}
    )
    suppliers = pd.DataFrame({"supplier_id": ["S1"], "name": ["One"], "lead_time_days": [4.0]})
    ordered = pd.to_datetime(
        ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02", "2026-02-09",
         "2026-02-16"]
    )  # fmt: skip
    lead = np.array([4, 6, 8, 10, 12, 9, 9])
    po = pd.DataFrame(
        {
            "po_id": [f"P{i}" for i in range(7)],
            "sku": ["a"] * 5 + ["b"] * 2,
            "supplier_id": "S1",
            "order_date": ordered,
            "received_date": ordered + pd.to_timedelta(lead, unit="D"),
            "quantity": 50.0,
        }
    )
    return wb.Dataset.from_tables(
        {"items": items, "demand": demand, "suppliers": suppliers, "purchase_orders": po}
    )


@pytest.fixture(scope="module")
def plans() -> tuple[pd.DataFrame, pd.DataFrame]:
    ds = _dataset()
    base = Scenario(distribution="normal")
    return wb.plan(ds, base), wb.plan(ds, base.replace(lead_time_source="history"))


def test_history_uses_measured_lead_time_where_enough_receipts(plans):
    quoted, hist = plans
    assert hist["lead_time_source"].astype(str).tolist() == ["history", "quoted"]
    assert quoted["lead_time_source"].astype(str).tolist() == ["quoted", "quoted"]
    # a: measured mean 8 days and sample sd sqrt(((-4)^2 + (-2)^2 + 0 + 2^2 + 4^2) / 4)
    assert_allclose(hist.loc["a", ["lead_time_days", "lead_time_sd_days"]].astype(float),
                    [8.0, np.sqrt(10.0)])  # fmt: skip
    # b: two receipts (9 days each) < 5: the quote, 5 days and sd 0
    assert_allclose(hist.loc["b", ["lead_time_days", "lead_time_sd_days"]].astype(float),
                    [5.0, 0.0])  # fmt: skip


def test_history_moves_the_reorder_point_by_the_lead_time_demand(plans):
    """Lead-time demand of a: mean mu_d L = 8 mu_d and variance L sigma_d^2 + mu_d^2
    sigma_L^2 = 8 sigma_d^2 + 10 mu_d^2 ([SPT] ch. 6); quoted (3 days, sd 0): 3 mu_d and
    3 sigma_d^2. mu_d is about 10 (183 days of 8, 182 of 12), sigma_d about 2."""
    quoted, hist = plans
    mu, sd = hist.loc["a", "daily_mean"], hist.loc["a", "daily_sd"]
    assert_allclose([mu, sd], [(183 * 8 + 182 * 12) / 365, 2.0], rtol=1e-2)
    assert_allclose(hist.loc["a", "lead_time_demand_mean"], 8 * mu)
    assert_allclose(hist.loc["a", "lead_time_demand_sd"], np.sqrt(8 * sd**2 + mu**2 * 10.0))
    assert_allclose(quoted.loc["a", "lead_time_demand_mean"], 3 * mu)
    assert_allclose(quoted.loc["a", "lead_time_demand_sd"], np.sqrt(3 * sd**2))
    assert hist.loc["a", "reorder_point"] > quoted.loc["a", "reorder_point"] + 50
    # b kept its quote: its plan is unchanged
    for col in ("reorder_point", "safety_stock", "order_up_to"):
        assert_allclose(hist.loc["b", col], quoted.loc["b", col])


def test_lead_time_multiplier_applies_to_measured_lead_times():
    ds = _dataset()
    p = wb.plan(ds, Scenario(distribution="normal", lead_time_source="history",
                             lead_time_multiplier=2.0))  # fmt: skip
    assert_allclose(p["lead_time_days"], [16.0, 10.0])
    assert_allclose(p.loc["a", "lead_time_sd_days"], 2 * np.sqrt(10.0))


def test_as_of_before_the_receipts_falls_back_to_quotes():
    p = wb.plan(_dataset(), Scenario(lead_time_source="history"), as_of="2026-01-31")
    # by 31 Jan only four of a's lines (4, 6, 8, 10 days) are received: below 5
    assert p["lead_time_source"].astype(str).tolist() == ["quoted", "quoted"]
    assert_allclose(p["lead_time_days"], [3.0, 5.0])


def test_compare_scenarios_honours_the_source():
    ds = _dataset()
    base = Scenario(name="quoted", distribution="normal")
    table = wb.compare_scenarios(ds, [base, base.replace(name="history",
                                                         lead_time_source="history")])  # fmt: skip
    assert table.loc["reorder_point_changes", "history"] == 1  # a only


def test_plan_column_and_default():
    assert Scenario().lead_time_source == "quoted"
    assert PLAN_COLUMNS.index("lead_time_source") == PLAN_COLUMNS.index("lead_time_sd_days") + 1


def test_json_round_trip():
    s = Scenario(name="measured", lead_time_source="history")
    text = s.to_json()
    assert json.loads(text)["lead_time_source"] == "history"
    assert Scenario.from_json(text) == s
    assert Scenario.from_json('{"name": "old file"}').lead_time_source == "quoted"


@pytest.mark.parametrize("bad", ["measured", "", None, 1])
def test_validation_message(bad):
    with pytest.raises(
        ValueError,
        match=r"lead_time_source must be one of \('quoted', 'history'\) .*; got " + repr(bad)
        if bad != ""
        else r"lead_time_source must be one of .*; got ''",
    ):
        Scenario(lead_time_source=bad)


def test_plan_from_stats_without_history_refuses_history():
    items = pd.DataFrame({"sku": ["a"], "unit_cost": [1.0], "lead_time_days": [5.0]})
    stats = pd.DataFrame({"annual_demand": [365.0], "daily_mean": [1.0], "daily_sd": [1.0]},
                         index=pd.Index(["a"], name="sku"))  # fmt: skip
    with pytest.raises(ValueError, match=r"lead_time_source='history' needs the purchase-order"):
        wb.plan_from_stats(items, stats, Scenario(lead_time_source="history"))
