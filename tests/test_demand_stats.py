"""demand_stats on hand-made tables whose answers are worked out by hand below."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import workbench as wb
from workbench.data import Dataset, demand_stats

# Period 2026-03-01 .. 2026-03-10 (N = 10 days), set by the first and last row overall.
# A: 5 on day 1, 3 on day 4, 2 on day 10 (two rows on day 4: 1 + 2, summed)
#    daily series 5,0,0,3,0,0,0,0,0,2: sum 10, mean 1.0
#    squared deviations: 16 + 4 + 1 + 7 * 1 = 28 -> sd = sqrt(28 / 9)
#    demand days 1, 4, 10: intervals 3 and 6 -> ADI 4.5; zero days 7/10
# B: 1 every day of days 2..9 (8 days); sold every day (ADI 1), so its window starts at its
#    first sale: days 2..10 (N = 9): mean 8/9, deviations 8 / 81 + 64 / 81 = 72 / 81
#    sd = sqrt(72 / 81 / 8) = 1/3; zero days 1/9
# C: one row with quantity 0 on day 5 -> no demand at all (zero-quantity rows count as zero)
# D: one demand of 7 on day 6: mean 0.7, sd sqrt((6.3^2 + 9 * 0.49) / 9); ADI = N = 10
# E: in items only -> zeros, NaN cv and ADI, NaT dates
DEMAND = pd.DataFrame(
    {
        "date": pd.to_datetime(
            ["2026-03-01", "2026-03-04", "2026-03-04", "2026-03-10", "2026-03-05", "2026-03-06"]
            + [f"2026-03-0{d}" for d in range(2, 10)]
        ),
        "sku": ["A", "A", "A", "A", "C", "D"] + ["B"] * 8,
        "quantity": [5.0, 1, 2, 2, 0, 7] + [1.0] * 8,
    }
)
ITEMS = pd.DataFrame(
    {
        "sku": ["A", "B", "C", "D", "E"],
        "unit_cost": 1.0,
        "inventory_type": "finished_good",
    }
)

EXPECTED = pd.DataFrame(
    {
        "daily_mean": [1.0, 8 / 9, 0.0, 0.7, 0.0],
        "daily_sd": [
            np.sqrt(28 / 9),
            1 / 3,
            0.0,
            np.sqrt((6.3**2 + 9 * 0.49) / 9),
            0.0,
        ],
        "zero_day_share": [0.7, 1 / 9, 1.0, 0.9, 1.0],
        "mean_interval_days": [4.5, 1.0, np.nan, 10.0, np.nan],
        "n_demand_days": [3, 8, 0, 1, 0],
    },
    index=pd.Index(["A", "B", "C", "D", "E"], name="sku"),
)


@pytest.fixture(scope="module")
def stats() -> pd.DataFrame:
    ds = Dataset.from_tables({"items": ITEMS, "demand": DEMAND})
    return demand_stats(ds)


def test_columns_and_index(stats):
    assert list(stats.columns)[:9] == [
        "annual_demand",
        "daily_mean",
        "daily_sd",
        "cv",
        "zero_day_share",
        "mean_interval_days",
        "first_date",
        "last_date",
        "n_days",
    ]
    assert stats.index.tolist() == ["A", "B", "C", "D", "E"]  # every SKU of items, in order
    assert stats.index.name == "sku"


@pytest.mark.parametrize(
    "column", ["daily_mean", "daily_sd", "zero_day_share", "mean_interval_days"]
)
def test_hand_computed_values(stats, column):
    assert_allclose(stats[column], EXPECTED[column], rtol=1e-12, atol=1e-15)


def test_counts_and_dates(stats):
    assert stats["n_days"].tolist() == [10, 9, 10, 10, 10]  # B's window starts on day 2
    assert stats["n_demand_days"].tolist() == EXPECTED["n_demand_days"].tolist()
    assert stats.loc["A", "first_date"] == pd.Timestamp("2026-03-01")
    assert stats.loc["A", "last_date"] == pd.Timestamp("2026-03-10")
    assert stats.loc["B", "first_date"] == pd.Timestamp("2026-03-02")
    assert pd.isna(stats.loc["C", "first_date"]) and pd.isna(stats.loc["E", "last_date"])


def test_annual_and_cv(stats):
    assert_allclose(stats["annual_demand"], stats["daily_mean"] * 365, rtol=1e-15)
    assert_allclose(stats.loc["A", "cv"], np.sqrt(28 / 9) / 1.0, rtol=1e-12)
    assert stats[["cv"]].loc[["C", "E"]].isna().all().all()  # no demand: cv undefined


def test_matches_pandas_reference(stats):
    """Cross-check mean and sd with a plain pandas computation over a full daily grid
    (B over its own window, from its first sale on 2026-03-02)."""
    grid = (
        DEMAND.groupby(["sku", "date"])["quantity"]
        .sum()
        .unstack("sku")
        .reindex(pd.date_range("2026-03-01", "2026-03-10"), fill_value=0)
        .fillna(0)
    )
    grid.loc[:"2026-03-01", "B"] = np.nan  # before B's window
    assert_allclose(stats.loc[grid.columns, "daily_mean"], grid.mean(), rtol=1e-12)
    assert_allclose(stats.loc[grid.columns, "daily_sd"], grid.std(ddof=1), rtol=1e-12)


def test_demand_frame_and_period():
    got = demand_stats(DEMAND, period=("2026-03-01", "2026-03-05"))
    assert got.index.tolist() == ["A", "C", "D", "B"]  # order of first appearance
    assert got["n_days"].tolist() == [5, 5, 5, 4]  # B from its first sale, day 2
    # A in the first five days: 5, 0, 0, 3, 0 -> mean 1.6
    assert_allclose(got.loc["A", "daily_mean"], 1.6, rtol=1e-12)
    assert got.loc["D", "n_demand_days"] == 0  # its demand is on day 6, outside the period


def test_bad_inputs():
    with pytest.raises(ValueError, match="must have columns date, sku, quantity"):
        demand_stats(DEMAND.drop(columns="quantity"))
    with pytest.raises(ValueError, match="period must end on or after its start"):
        demand_stats(DEMAND, period=("2026-03-05", "2026-03-01"))
    with pytest.raises(ValueError, match="must be a Dataset or a demand DataFrame"):
        demand_stats([1, 2, 3])


def test_empty_demand():
    empty = pd.DataFrame(
        {"date": pd.to_datetime([]), "sku": pd.Series([], dtype=str), "quantity": []}
    )
    got = demand_stats(empty)
    assert got.empty and got.columns[0] == "annual_demand"


def test_exported_at_top_level():
    assert wb.demand_stats is demand_stats


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 29), st.sampled_from("ABCD"), st.integers(0, 20)),
        min_size=1,
        max_size=60,
    )
)
def test_property_matches_dense_grid(rows):
    """Any demand table: mean, sd, zero share and ADI equal those of the dense daily grid
    over each SKU's window (from its first sale less round(ADI) - 1 days, with at least
    two sale days; else from the start)."""
    frame = pd.DataFrame(rows, columns=["day", "sku", "quantity"])
    frame["date"] = pd.Timestamp("2026-01-01") + pd.to_timedelta(frame["day"], unit="D")
    got = demand_stats(
        frame[["date", "sku", "quantity"]].astype({"quantity": float}), frequency="D"
    )
    start, end = frame["date"].min(), frame["date"].max()
    grid = (
        frame.groupby(["date", "sku"])["quantity"]
        .sum()
        .unstack("sku")
        .reindex(pd.date_range(start, end))
        .fillna(0.0)
    )
    for sku in grid.columns:
        days = np.flatnonzero(grid[sku].to_numpy() > 0)
        if len(days) >= 2:
            lead_in = int(np.rint((days[-1] - days[0]) / (len(days) - 1))) - 1
            grid.iloc[: max(days[0] - lead_in, 0), grid.columns.get_loc(sku)] = np.nan
    assert_allclose(got.loc[grid.columns, "n_buckets"], grid.notna().sum(), rtol=0)
    assert_allclose(got.loc[grid.columns, "daily_mean"], grid.mean(), rtol=1e-9)
    if len(grid) > 1:
        assert_allclose(got.loc[grid.columns, "daily_sd"], grid.std(ddof=1), rtol=1e-9, atol=1e-12)
    assert_allclose(
        got.loc[grid.columns, "zero_day_share"], (grid <= 0).sum() / grid.notna().sum(), rtol=1e-12
    )
    for sku in grid.columns:
        days = np.flatnonzero(grid[sku].to_numpy() > 0)
        if len(days) >= 2:
            assert_allclose(got.loc[sku, "mean_interval_days"], np.diff(days).mean(), rtol=1e-12)
