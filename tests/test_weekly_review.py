"""Tests for workbench.stock.review: sku_kpis and weekly_review on a hand-built business."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.stock.review import WeeklyReview, sku_kpis, weekly_review

AS_OF = pd.Timestamp("2026-03-31")  # period of 90 days: 1 Jan to 31 Mar 2026


def _daily(sku, start, end, qty, holes=()):
    days = pd.date_range(start, end)
    keep = np.ones(len(days), bool)
    for lo, hi in holes:
        keep &= ~((days >= lo) & (days <= hi))
    return pd.DataFrame({"date": days[keep], "sku": sku, "quantity": float(qty)})


@pytest.fixture(scope="module")
def business():
    """Four items whose KPIs are worked out by hand in the tests below.

    fg1 (finished good, $4 cost, $10 price): sells 2 a day all period; 60 on hand.
    rm1 (raw material, $2): uses 5 a day but for a 15-day hole in February; 20 on
        hand and 100 on an open purchase order.
    dead1 (MRO, $10): 5 on hand, last used on 1 Aug 2025.
    slow1 (MRO, $3): 10 on hand, last used on 15 Dec 2025.
    """
    items = pd.DataFrame(
        {
            "sku": ["fg1", "rm1", "dead1", "slow1"],
            "inventory_type": ["finished_good", "raw_material", "mro", "mro"],
            "unit_cost": [4.0, 2.0, 10.0, 3.0],
            "price": [10.0, np.nan, np.nan, np.nan],
            "holding_cost_rate": [0.25, 0.2, 0.2, 0.2],
            "lead_time_days": [5.0, 10.0, 7.0, 7.0],
        }
    )
    demand = pd.concat(
        [
            _daily("fg1", "2026-01-01", "2026-03-31", 2),
            _daily("rm1", "2026-01-01", "2026-03-31", 5, holes=[("2026-02-01", "2026-02-15")]),
            pd.DataFrame(
                {
                    "date": pd.to_datetime(["2025-08-01", "2025-12-15"]),
                    "sku": ["dead1", "slow1"],
                    "quantity": [1.0, 1.0],
                }
            ),
        ],
        ignore_index=True,
    )
    lots = pd.DataFrame(
        {
            "sku": ["fg1", "rm1", "dead1", "slow1"],
            "lot_id": ["L1", "L2", "L3", "L4"],
            "received_date": pd.to_datetime(
                ["2026-03-20", "2026-03-25", "2025-06-01", "2025-12-01"]
            ),
            "quantity": [60.0, 20.0, 5.0, 10.0],
            "unit_cost": [4.0, 2.0, 10.0, 3.0],
            "expiry_date": pd.to_datetime([None, "2026-04-03", None, None]),
            "location": ["FULFILMENT", "STORES", "MAINTENANCE", "MAINTENANCE"],
        }
    )
    purchase_orders = pd.DataFrame(
        {
            "po_id": ["P1", "P2"],
            "sku": ["rm1", "rm1"],
            "supplier_id": ["S1", "S1"],
            "order_date": pd.to_datetime(["2026-03-01", "2026-03-28"]),
            "promised_date": pd.to_datetime(["2026-03-11", "2026-04-07"]),
            "received_date": pd.to_datetime(["2026-03-25", None]),
            "quantity": [20.0, 100.0],
            "unit_cost": [2.0, 2.0],
        }
    )
    suppliers = pd.DataFrame(
        {"supplier_id": ["S1"], "name": ["Supplier"], "lead_time_days": [10.0]}
    )
    counts = pd.DataFrame(
        {
            "count_date": AS_OF,
            "sku": ["fg1", "rm1"],
            "location": ["FULFILMENT", "STORES"],
            "counted_qty": [58.0, 20.0],
        }
    )
    return wb.Dataset.from_tables(
        {
            "items": items,
            "demand": demand,
            "lots": lots,
            "purchase_orders": purchase_orders,
            "suppliers": suppliers,
            "counts": counts,
        },
        source="hand-built",
    )


PLAN = pd.DataFrame(
    {
        "reorder_point": [10.0, 150.0, 0.0, 0.0],
        "order_up_to": [50.0, 300.0, 5.0, 10.0],
        "order_quantity": [40.0, 150.0, 1.0, 1.0],
        "abc": ["A", "B", "C", "C"],
    },
    index=pd.Index(["fg1", "rm1", "dead1", "slow1"], name="sku"),
)


def test_sku_kpis_by_hand(business):
    k = sku_kpis(business, as_of=AS_OF, period_days=90)
    fg, rm = k.loc["fg1"], k.loc["rm1"]
    # fg1: 180 sold, COGS $720 in 90 days = $2,920 a year on $240 of stock
    assert_allclose(fg["units_sold"], 180)
    assert_allclose(fg["annual_cogs"], 720 * 365 / 90)
    assert_allclose(fg["turnover"], 2920 / 240)
    assert_allclose(fg["days_of_supply"], 30.0)
    assert_allclose(fg["sell_through"], 0.75)
    assert_allclose(fg["carrying_cost"], 60.0)
    assert_allclose(fg["gmroi"], 6 * 180 * 365 / 90 / 240)  # $4,380 margin a year
    assert_allclose(fg["stockout_days"], 0)
    # rm1: 375 used over 75 open days; the 15-day hole is a stockout, 75 units lost
    assert_allclose(rm["units_sold"], 375)
    assert_allclose(rm["stockout_days"], 15)
    assert_allclose(rm["stockout_incidents"], 1)
    assert_allclose(rm["lost_units_est"], 75)
    assert_allclose(rm["fill_rate_est"], 375 / 450)
    assert_allclose(rm["on_order_units"], 100)
    assert_allclose(rm["inventory_position"], 120)
    assert np.isnan(rm["gmroi"])  # GMROI is for finished goods
    # without a plan the reorder point is lead-time demand: 375/90 x 10 = 41.7 < 120
    assert_allclose(rm["reorder_point"], 375 / 90 * 10)
    assert not rm["at_or_below_reorder_point"]
    assert list(k.index[k["dead"]]) == ["dead1"]
    assert list(k.index[k["slow"]]) == ["slow1"]
    assert_allclose(k.loc["dead1", "days_since_issue"], (AS_OF - pd.Timestamp("2025-08-01")).days)
    assert k["excess_units"].isna().all()


def test_plan_drives_reorder_and_excess(business):
    k = sku_kpis(business, PLAN, as_of=AS_OF, period_days=90)
    assert list(k.index[k["at_or_below_reorder_point"]]) == ["rm1"]  # 120 <= 150
    assert_allclose(k["excess_units"], [10, 0, 0, 0])  # fg1: 60 on hand vs 50
    assert_allclose(k.loc["fg1", "excess_value"], 40.0)
    assert list(k["abc"]) == ["A", "B", "C", "C"]


def test_weekly_review_headline_and_exceptions(business):
    r = weekly_review(business, PLAN, as_of=AS_OF, period_days=90)
    assert isinstance(r, WeeklyReview)
    h = r.headline
    assert_allclose(h["stock value [$]"], 240 + 40 + 50 + 30)
    annual = (720 + 750) * 365 / 90
    assert_allclose(h["annual COGS [$/year]"], annual)
    assert_allclose(h["turnover [turns/year]"], annual / 360)
    assert_allclose(h["fill rate, estimated [fraction]"], 555 / 630)
    assert_allclose(h["carrying cost [$/year]"], 60 + 8 + 10 + 6)
    assert_allclose(h["dead stock value [$]"], 50.0)
    assert_allclose(h["slow-moving value [$]"], 30.0)
    assert_allclose(h["excess value [$]"], 40.0)
    assert h["items to reorder"] == 1
    # count: fg1 58 vs 60 (out of A's 0.2 %), rm1 exact -> 50 %
    assert_allclose(h["record accuracy [fraction]"], 0.5)
    # rm1's lot expires in 3 days; at 375/90 a day only 12.5 of 20 sell in time
    assert_allclose(h["expiry value at risk [$]"], (20 - 375 / 90 * 3) * 2.0)

    assert list(r.stockouts.index) == ["rm1"]
    assert list(r.to_reorder.index) == ["rm1"]
    assert_allclose(r.to_reorder.loc["rm1", "suggested_order_units"], 300 - 120)
    assert list(r.dead_stock.index) == ["dead1"]
    assert list(r.slow_moving.index) == ["slow1"]
    assert list(r.excess.index) == ["fg1"]
    assert list(r.count_discrepancies["sku"]) == ["fg1"]
    assert list(r.expiring_lots["lot_id"]) == ["L2"]
    assert set(r.exceptions) == {
        "stockouts",
        "to_reorder",
        "dead_stock",
        "slow_moving",
        "excess",
        "count_discrepancies",
        "expiring_lots",
    }


def test_by_type_and_class_add_up(business):
    r = weekly_review(business, PLAN, as_of=AS_OF, period_days=90)
    for table in (r.by_type, r.by_class):
        assert_allclose(table["on_hand_value"].sum(), r.headline["stock value [$]"])
        assert_allclose(table["value_share"].sum(), 1.0)
    assert_allclose(r.by_type.loc["mro", "dead_value"], 50.0)
    assert_allclose(r.by_type.loc["finished_good", "turnover"], 2920 / 240)
    assert_allclose(r.aging.to_numpy().sum(), 360.0)


def test_value_history_rolls_back_purchased_items(business):
    r = weekly_review(business, as_of=AS_OF, period_days=90)
    # only rm1 is bought on purchase orders; its value at the end is $40
    assert list(r.stock_value_history.columns) == ["raw_material"]
    assert_allclose(r.stock_value_history["raw_material"].iloc[-1], 40.0)


def test_summary_text_and_notes(business):
    r = weekly_review(business, as_of=AS_OF, period_days=90)
    text = r.summary()
    assert "Weekly review as of 2026-03-31" in text
    assert "stockouts: 1" in text
    assert "n/a" in text  # excess without a plan
    assert any("No plan given" in n for n in r.notes)


def test_without_optional_tables():
    ds = wb.Dataset.from_tables(
        {
            "items": pd.DataFrame(
                {"sku": ["a"], "inventory_type": ["finished_good"], "unit_cost": [1.0]}
            ),
            "demand": _daily("a", "2026-01-01", "2026-01-31", 1),
        }
    )
    r = weekly_review(ds)
    assert r.headline["stock value [$]"] == 0.0
    assert r.count_discrepancies.empty and r.expiring_lots.empty
    assert r.stock_value_history.empty
    # nothing on hand and selling every day: out of stock now
    assert r.headline["out of stock now"] == 1


def test_bad_parameters(business):
    with pytest.raises(ValueError, match=r"period_days must be a whole number > 0 \[days\]"):
        weekly_review(business, period_days=0)
    with pytest.raises(ValueError, match=r"dead_days must be a whole number > 0 \[days\]"):
        sku_kpis(business, dead_days=-3)
    with pytest.raises(ValueError, match=r"expiry_days must be a whole number >= 0 \[days\]"):
        weekly_review(business, expiry_days=-1)


def test_runs_on_the_sample_business():
    ds = wb.sample_dataset(n_skus=80, years=1, seed=5)
    plan = wb.plan(ds)
    r = wb.weekly_review(ds, plan)
    assert len(r.by_sku) == len(ds.items)
    assert_allclose(r.by_type["on_hand_value"].sum(), ds.lots.eval("quantity * unit_cost").sum())
    assert 0 <= r.headline["record accuracy [fraction]"] <= 1


def test_counts_without_location_are_audited(business):
    # issue 15 defect 3: counts whose optional location column is absent (or blank) were
    # dropped and the record accuracy showed n/a
    counts = business.counts.drop(columns="location")
    ds = wb.Dataset.from_tables({**business.tables, "counts": counts}, source="hand-built")
    r = weekly_review(ds, PLAN, as_of=AS_OF, period_days=90)
    assert_allclose(r.headline["record accuracy [fraction]"], 0.5)
    assert list(r.count_discrepancies["sku"]) == ["fg1"]
    blank = business.counts.astype({"location": object})
    blank["location"] = None
    ds = wb.Dataset.from_tables({**business.tables, "counts": blank}, source="hand-built")
    r = weekly_review(ds, PLAN, as_of=AS_OF, period_days=90)
    assert_allclose(r.headline["record accuracy [fraction]"], 0.5)


def test_shelf_life_dates_lots_without_an_expiry_in_the_review(business):
    # issue 15 defect 5: items.shelf_life_days was never used. fg1's lot (no expiry
    # date) was received on 20 Mar; with a 10-day shelf life it expired on 30 Mar.
    items = business.items.assign(shelf_life_days=[10.0, np.nan, np.nan, np.nan])
    ds = wb.Dataset.from_tables({**business.tables, "items": items}, source="hand-built")
    r = weekly_review(ds, PLAN, as_of=AS_OF, period_days=90)
    lots = r.expiring_lots.set_index("lot_id")
    assert list(lots.index) == ["L1", "L2"]
    assert lots.loc["L1", "expiry_date"] == pd.Timestamp("2026-03-30")
    assert bool(lots.loc["L1", "expired"]) and bool(lots.loc["L1", "expiry_from_shelf_life"])
    assert_allclose(r.headline["expiry value at risk [$]"], 60 * 4.0 + (20 - 375 / 90 * 3) * 2.0)
