"""Tests for workbench.stock.aging: age buckets and FEFO expiry risk."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from workbench.stock.aging import age_bucket_labels, expiry_risk, stock_aging

AS_OF = pd.Timestamp("2026-10-31")


def _lots(ages, qty, cost, sku=None, location=None):
    n = len(ages)
    return pd.DataFrame(
        {
            "sku": sku if sku is not None else [f"s{i}" for i in range(n)],
            "lot_id": [f"L{i}" for i in range(n)],
            "received_date": AS_OF - pd.to_timedelta(np.asarray(ages), "D"),
            "quantity": np.asarray(qty, float),
            "unit_cost": np.asarray(cost, float),
            "location": location if location is not None else "main",
        }
    )


@pytest.mark.parametrize(
    ("age", "bucket"),
    [
        (0, "0-30"),
        (30, "0-30"),  # the edge belongs to the lower bucket
        (31, "31-90"),
        (90, "31-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, "181-365"),
        (365, "181-365"),
        (366, ">365"),
        (2000, ">365"),
    ],
)
def test_bucket_edges(age, bucket):
    aging = stock_aging(_lots([age], [1], [1]), as_of=AS_OF)
    assert aging.lots["bucket"].iloc[0] == bucket
    assert aging.lots["age_days"].iloc[0] == age


def test_units_value_and_totals_by_hand():
    lots = _lots([10, 45, 45, 400], [10, 4, 6, 2], [2.0, 3.0, 3.0, 50.0], sku=["a", "a", "b", "b"])
    aging = stock_aging(lots, as_of=AS_OF)
    assert_allclose(aging.units.loc["a"].to_numpy(), [10, 4, 0, 0, 0])
    assert_allclose(aging.value.loc["b"].to_numpy(), [0, 18, 0, 0, 100])
    assert_allclose(aging.totals["units"], [10, 10, 0, 0, 2])
    assert_allclose(aging.totals["value"], [20, 30, 0, 0, 100])
    assert_allclose(aging.totals["value_share"].sum(), 1.0)
    assert list(aging.totals.index) == ["0-30", "31-90", "91-180", "181-365", ">365"]


def test_custom_buckets_and_grouping_by_location():
    lots = _lots([5, 20, 70], [1, 1, 1], [1, 2, 4], location=["x", "y", "y"])
    aging = stock_aging(lots, as_of=AS_OF, buckets_days=(7, 60), by="location")
    assert list(aging.value.columns) == ["0-7", "8-60", ">60"]
    assert_allclose(aging.value.loc["y"].to_numpy(), [0, 2, 4])


def test_lots_received_after_as_of_are_excluded_and_counted():
    lots = _lots([-3, 10], [5, 5], [1, 1])
    aging = stock_aging(lots, as_of=AS_OF)
    assert aging.excluded == 1
    assert_allclose(aging.totals["units"].sum(), 5)


def test_default_as_of_is_latest_receipt():
    lots = _lots([0, 40], [1, 1], [1, 1])
    assert stock_aging(lots).lots["age_days"].tolist() == [0, 40]


def test_empty_lots():
    aging = stock_aging(_lots([], [], []), as_of=AS_OF)
    assert aging.totals["units"].sum() == 0
    assert aging.excluded == 0


def test_aging_bad_inputs():
    with pytest.raises(ValueError, match=r"buckets_days must be increasing"):
        stock_aging(_lots([1], [1], [1]), as_of=AS_OF, buckets_days=(90, 30))
    with pytest.raises(ValueError, match=r"lots must have columns .*received_date"):
        stock_aging(_lots([1], [1], [1]).drop(columns="received_date"), as_of=AS_OF)
    with pytest.raises(ValueError, match=r"lots.quantity must be >= 0 \[units\]"):
        stock_aging(_lots([1], [-1], [1]), as_of=AS_OF)
    assert age_bucket_labels((7,)) == ["0-7", ">7"]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 800), st.integers(0, 50), st.floats(0, 100)),
        min_size=1,
        max_size=30,
    )
)
def test_aging_totals_add_up(rows):
    ages, qty, cost = zip(*rows, strict=True)
    lots = _lots(list(ages), list(qty), list(cost), sku=[f"s{a % 3}" for a in ages])
    aging = stock_aging(lots, as_of=AS_OF)
    value = (lots["quantity"] * lots["unit_cost"]).sum()
    assert_allclose(aging.totals["value"].sum(), value, rtol=1e-9, atol=1e-9)
    assert_allclose(aging.value.to_numpy().sum(), value, rtol=1e-9, atol=1e-9)
    assert_allclose(aging.units.to_numpy().sum(), lots["quantity"].sum())


def _dated(expiry_days, qty, cost=1.0, sku="milk"):
    n = len(qty)
    return pd.DataFrame(
        {
            "sku": sku,
            "lot_id": [f"L{i}" for i in range(n)],
            "received_date": AS_OF - pd.Timedelta(days=5),
            "quantity": np.asarray(qty, float),
            "unit_cost": cost,
            "expiry_date": [
                AS_OF + pd.Timedelta(days=d) if d is not None else pd.NaT for d in expiry_days
            ],
            "location": "cold",
        }
    )


def test_expiry_risk_by_hand():
    # 10/day. Lot A: 50 expiring in 3 days -> 30 sold, 20 at risk.
    # Lot B: 40 expiring in 6 days -> 60 of 90 sold, 30 at risk.
    # Lot C: 100 expiring in 30 days -> 300 >= 190, nothing at risk.
    lots = _dated([6, 3, 30], [40, 50, 100], cost=2.0)
    risk = expiry_risk(lots, pd.Series({"milk": 10.0}), as_of=AS_OF).set_index("lot_id")
    assert_allclose(risk.loc[["L1", "L0", "L2"], "units_at_risk"], [20, 30, 0])
    assert_allclose(risk.loc[["L1", "L0", "L2"], "units_ahead"], [0, 50, 90])
    assert_allclose(risk.loc["L0", "value_at_risk"], 60.0)
    assert_allclose(risk.loc["L2", "sell_through_days"], 19.0)


def test_expired_lots_and_zero_demand_are_wholly_at_risk():
    lots = pd.concat([_dated([-2], [7]), _dated([100], [5], sku="cheese")], ignore_index=True)
    lots["lot_id"] = ["old", "slow"]
    risk = expiry_risk(lots, pd.Series({"milk": 10.0}), as_of=AS_OF).set_index("lot_id")
    assert risk.loc["old", "expired"]
    assert_allclose(risk.loc["old", "units_at_risk"], 7)
    # cheese has no demand rate in the Series: rate 0, all at risk
    assert_allclose(risk.loc["slow", "units_at_risk"], 5)
    assert np.isinf(risk.loc["slow", "sell_through_days"])


def test_undated_lots_are_left_out_and_sorted_by_value_at_risk():
    lots = _dated([2, None, 1], [30, 10, 5], cost=[1.0, 1.0, 10.0])
    risk = expiry_risk(lots, 1.0, as_of=AS_OF)
    # FEFO: L2 (day 1) then L0 (day 2); L1 has no expiry date.
    # L2: 5 units, 1 sold by day 1 -> 4 at risk, $40.
    # L0: 35 through it, 2 sold by day 2 -> 30 at risk (the whole lot), $30.
    assert list(risk["lot_id"]) == ["L2", "L0"]
    assert_allclose(risk["units_at_risk"], [4.0, 30.0])
    assert_allclose(risk["value_at_risk"], [40.0, 30.0])


def test_expiry_risk_bad_inputs():
    lots = _dated([3], [1])
    with pytest.raises(ValueError, match=r"daily_demand must be a number >= 0 \[units/day\]"):
        expiry_risk(lots, -1.0, as_of=AS_OF)
    with pytest.raises(ValueError, match=r"lots must have columns .*expiry_date"):
        expiry_risk(lots.drop(columns="expiry_date"), 1.0, as_of=AS_OF)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-10, 60), st.integers(0, 40)), min_size=1, max_size=8),
    st.floats(0, 20),
)
def test_risk_is_bounded_and_falls_as_demand_rises(rows, rate):
    days, qty = zip(*rows, strict=True)
    lots = _dated(list(days), list(qty))
    low = expiry_risk(lots, rate, as_of=AS_OF).set_index("lot_id")
    high = expiry_risk(lots, rate + 5.0, as_of=AS_OF).set_index("lot_id")
    assert (low["units_at_risk"] >= -1e-12).all()
    assert (low["units_at_risk"] <= low["quantity"] + 1e-12).all()
    assert (high.loc[low.index, "units_at_risk"] <= low["units_at_risk"] + 1e-9).all()


def test_expiry_risk_with_a_vanishing_demand_rate_warns_nothing():
    # hypothesis drew st.floats(0, 20) = 5e-324 in test_risk_is_bounded_...: 3 / 5e-324
    # overflowed with a RuntimeWarning; the answer is inf days: it never sells
    lots = _dated([4, 9], [3, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        risk = expiry_risk(lots, 5e-324, as_of=AS_OF).set_index("lot_id")
    assert np.isinf(risk["sell_through_days"]).all()
    assert_allclose(risk.loc[["L0", "L1"], "units_at_risk"], [3.0, 2.0])  # none of it sells


def test_shelf_life_dates_lots_without_an_expiry():
    # issue 15 defect 5: items.shelf_life_days was never used. L1 has no expiry date;
    # received 5 days ago with a 7-day shelf life it expires in 2 days
    lots = _dated([2, None, 1], [30, 10, 5], cost=[1.0, 1.0, 10.0])
    shelf = pd.Series({"milk": 7.0})
    risk = expiry_risk(lots, 1.0, as_of=AS_OF, shelf_life_days=shelf).set_index("lot_id")
    assert risk.loc["L1", "expiry_date"] == AS_OF + pd.Timedelta(days=2)
    assert bool(risk.loc["L1", "expiry_from_shelf_life"])
    assert not risk.loc[["L0", "L2"], "expiry_from_shelf_life"].any()
    # FEFO: L2 (day 1, 5), then L0 and L1 (day 2, 30 + 10): 45 through them, 2 sold
    assert_allclose(risk.loc[["L2", "L0", "L1"], "units_ahead"], [0, 5, 35])
    assert_allclose(risk.loc["L1", "units_at_risk"], 10.0)
    # a SKU without a shelf life (NaN or missing) keeps its undated lots undated
    no_shelf = pd.Series({"milk": np.nan})
    risk = expiry_risk(lots, 1.0, as_of=AS_OF, shelf_life_days=no_shelf)
    assert "L1" not in risk["lot_id"].tolist()
    with pytest.raises(ValueError, match=r"shelf_life_days must be > 0 \[days\]"):
        expiry_risk(lots, 1.0, as_of=AS_OF, shelf_life_days=pd.Series({"milk": -1.0}))


def test_aging_reports_the_date_it_measured_ages_at():
    # issue 15 defect 5: without as_of the ages are measured at the latest receipt (the
    # lots table alone does not know where the data ends): the result says so
    lots = _lots([0, 40], [1, 1], [1, 1])
    assert stock_aging(lots).as_of == AS_OF
    assert stock_aging(lots, as_of="2026-11-30").as_of == pd.Timestamp("2026-11-30")
