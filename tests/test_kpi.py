"""Tests for workbench.stock.kpi: KPI calculators, stockout estimate, value history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from workbench.stock.kpi import (
    carrying_cost,
    days_of_supply,
    fill_rate,
    gmroi,
    inventory_turnover,
    sell_through,
    stock_on_hand,
    stock_value_history,
    stockout_estimate,
)

CASES = [
    # (function, args, kwargs, expected, note)
    (inventory_turnover, (10e6, 2e6), {}, 5.0, "COGS $10M on $2M of stock: 5 turns"),
    (days_of_supply, (120.0, 4.0), {}, 30.0, "120 units at 4 a day"),
    (sell_through, (80.0, 20.0), {}, 0.8, "80 sold, 20 left"),
    (fill_rate, (950.0, 1000.0), {}, 0.95, "950 of 1,000 units from stock"),
    (carrying_cost, (100_000.0,), {"holding_cost_rate": 0.25}, 25_000.0, "25 % a year"),
    (carrying_cost, (100_000.0,), {"holding_cost_rate": 0.25, "days": 73}, 5_000.0, "1/5 year"),
    (gmroi, (300_000.0, 100_000.0), {}, 3.0, "$3 margin per $ of stock"),
    (gmroi, (-50.0, 100.0), {}, -0.5, "a loss gives a negative GMROI"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "expected", "note"), CASES)
def test_values_by_hand(func, args, kwargs, expected, note):
    assert_allclose(func(*args, **kwargs), expected, rtol=1e-12)


@pytest.mark.parametrize(("func", "args", "kwargs", "expected", "note"), CASES)
def test_input_types(func, args, kwargs, expected, note):
    scalar = func(*args, **kwargs)
    assert isinstance(scalar, float)
    as_list = func(*[[a, a] for a in args], **kwargs)
    assert isinstance(as_list, np.ndarray)
    assert_allclose(as_list, [expected, expected])
    arr = func(*[np.array([a, a]) for a in args], **kwargs)
    assert_allclose(arr, [expected, expected])
    idx = pd.Index(["x", "y"], name="sku")
    ser = func(*[pd.Series([a, a], index=idx) for a in args], **kwargs)
    assert isinstance(ser, pd.Series)
    assert ser.index.equals(idx)
    assert_allclose(ser.to_numpy(), [expected, expected])


@pytest.mark.parametrize(("func", "args", "kwargs", "expected", "note"), CASES)
def test_nan_and_empty(func, args, kwargs, expected, note):
    out = func(*[[a, np.nan] for a in args], **kwargs)
    assert np.isnan(out[1]) and not np.isnan(out[0])
    assert func(*[[] for _ in args], **kwargs).shape == (0,)


def test_zero_denominators():
    assert np.isinf(inventory_turnover(10.0, 0.0))
    assert np.isnan(inventory_turnover(0.0, 0.0))
    assert np.isinf(days_of_supply(5.0, 0.0))
    assert np.isnan(days_of_supply(0.0, 0.0))
    assert np.isnan(sell_through(0.0, 0.0))
    assert np.isnan(fill_rate(0.0, 0.0))
    assert np.isnan(gmroi(10.0, 0.0))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: inventory_turnover(-1.0, 5.0), r"cogs must be >= 0 \[\$\]; got -1"),
        (
            lambda: inventory_turnover(1.0, -5.0),
            r"average_inventory_value must be >= 0 \[\$\]; got -5",
        ),
        (lambda: days_of_supply(-1.0, 5.0), r"on_hand must be >= 0 \[units\]; got -1"),
        (lambda: days_of_supply(1.0, -5.0), r"daily_demand must be >= 0 \[units/day\]; got -5"),
        (lambda: sell_through(-2.0, 1.0), r"units_sold must be >= 0 \[units\]; got -2"),
        (lambda: sell_through(2.0, -1.0), r"units_on_hand_end must be >= 0 \[units\]; got -1"),
        (lambda: fill_rate(11.0, 10.0), r"units_shipped must be <= units_demanded \[units\]"),
        (lambda: fill_rate(-1.0, 10.0), r"units_shipped must be >= 0 \[units\]"),
        (lambda: fill_rate(1.0, -10.0), r"units_demanded must be >= 0 \[units\]"),
        (
            lambda: carrying_cost(1.0, holding_cost_rate=-0.2),
            r"holding_cost_rate must be >= 0 \[1/year\]; got -0.2",
        ),
        (
            lambda: carrying_cost(-1.0, holding_cost_rate=0.2),
            r"inventory_value must be >= 0 \[\$\]; got -1",
        ),
        (
            lambda: carrying_cost(1.0, holding_cost_rate=0.2, days=-7),
            r"days must be >= 0 \[days\]; got -7",
        ),
        (lambda: gmroi(1.0, -3.0), r"average_inventory_value must be >= 0 \[\$\]; got -3"),
    ],
)
def test_messages(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=50, deadline=None)
@given(st.floats(1e-3, 1e6), st.floats(1e-3, 1e6))
def test_days_of_supply_is_365_over_annual_turns(value, annual_cogs):
    turns = inventory_turnover(annual_cogs, value)
    dos = days_of_supply(value, annual_cogs / 365.0)
    assert_allclose(dos, 365.0 / turns, rtol=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 1e6), st.floats(0, 1e6))
def test_sell_through_and_fill_rate_are_fractions(a, b):
    st_ = sell_through(a, b)
    assert np.isnan(st_) or 0.0 <= st_ <= 1.0
    fr = fill_rate(min(a, b), max(a, b))
    assert np.isnan(fr) or 0.0 <= fr <= 1.0


# --- tables ------------------------------------------------------------------------------


def test_stock_on_hand_as_of_and_every_sku():
    lots = pd.DataFrame(
        {
            "sku": ["a", "a", "b"],
            "quantity": [2.0, 3.0, 1.0],
            "unit_cost": [1.0, 2.0, 5.0],
            "received_date": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
        }
    )
    soh = stock_on_hand(lots, skus=["a", "b", "c"], as_of="2026-02-15")
    assert_allclose(soh["on_hand_units"], [5.0, 0.0, 0.0])
    assert_allclose(soh["on_hand_value"], [8.0, 0.0, 0.0])
    assert soh.loc["a", "oldest_receipt"] == pd.Timestamp("2026-01-01")
    assert_allclose(stock_on_hand(None, skus=["z"])["on_hand_units"], [0.0])


def _daily(sku, start, end, qty=1.0, holes=()):
    days = pd.date_range(start, end)
    keep = np.ones(len(days), bool)
    for lo, hi in holes:
        keep &= ~((days >= lo) & (days <= hi))
    return pd.DataFrame({"date": days[keep], "sku": sku, "quantity": qty})


def test_stockout_estimate_by_hand():
    demand = pd.concat(
        [
            # sells 5 a day but for a 15-day hole: flagged (z = 15/90, z^15 tiny)
            _daily("hole", "2026-01-01", "2026-03-31", 5.0, holes=[("2026-02-01", "2026-02-15")]),
            # launched on 1 March: the 59 days before are not a stockout
            _daily("new", "2026-03-01", "2026-03-31", 1.0),
            # empty shelf since its last sale on 26 March: 5 days out, still out
            _daily("empty", "2026-01-01", "2026-03-26", 2.0),
            # an intermittent item selling every 10th day: gaps of 9 days are normal
            _daily("lumpy", "2026-01-01", "2026-03-31", 3.0).iloc[::10],
        ]
    )
    on_hand = pd.Series({"hole": 10.0, "new": 4.0, "empty": 0.0, "lumpy": 6.0, "none": 1.0})
    est = stockout_estimate(demand, on_hand=on_hand, start="2026-01-01", end="2026-03-31")
    assert list(est.index) == ["hole", "new", "empty", "lumpy", "none"]
    assert_allclose(est["stockout_days"], [15, 0, 5, 0, 0])
    assert_allclose(est["stockout_incidents"], [1, 0, 1, 0, 0])
    assert list(est["out_of_stock_now"]) == [False, False, True, False, False]
    assert_allclose(est.loc["hole", "units_sold"], 5.0 * 75)
    assert_allclose(est.loc["hole", "daily_rate"], 5.0)  # over the 75 open days
    assert_allclose(est.loc["hole", "lost_units_est"], 75.0)
    assert_allclose(est.loc["hole", "fill_rate_est"], 375 / 450)
    assert_allclose(est.loc["empty", "lost_units_est"], 10.0)
    assert np.isnan(est.loc["none", "fill_rate_est"])


def test_stockout_estimate_bad_inputs():
    demand = _daily("a", "2026-01-01", "2026-01-10")
    with pytest.raises(ValueError, match=r"alpha must be strictly between 0 and 1"):
        stockout_estimate(
            demand, on_hand=pd.Series({"a": 1.0}), start="2026-01-01", end="2026-01-10", alpha=1.5
        )
    with pytest.raises(ValueError, match=r"end must be on or after start"):
        stockout_estimate(
            demand, on_hand=pd.Series({"a": 1.0}), start="2026-01-10", end="2026-01-01"
        )


def test_stock_value_history_by_hand():
    receipts = pd.DataFrame(
        {
            "sku": ["a", "b", "a"],
            "received_date": pd.to_datetime(["2026-01-02", "2026-01-03", "2025-12-01"]),
            "quantity": [10.0, 4.0, 99.0],  # the December receipt is before the span
        }
    )
    issues = pd.DataFrame(
        {
            "sku": ["a", "b", "c"],
            "date": pd.to_datetime(["2026-01-04", "2026-01-04", "2026-01-04"]),
            "quantity": [2.0, 1.0, 50.0],  # c is not in on_hand_value: ignored
        }
    )
    hist = stock_value_history(
        pd.Series({"a": 30.0, "b": 9.0}),
        receipts,
        issues,
        unit_cost=pd.Series({"a": 1.0, "b": 3.0}),
        group=pd.Series({"a": "raw", "b": "raw"}),
        start="2026-01-01",
        end="2026-01-05",
        freq="D",
    )
    # end of day 5: 39; day 4: 39 (issues on 4th happened that day); day 3 before the
    # issues: 39 + 2 + 3 = 44; day 2 before b's receipt: 44 - 12 = 32; day 1: 32 - 10 = 22
    assert_allclose(hist["raw"], [22.0, 32.0, 44.0, 39.0, 39.0])
