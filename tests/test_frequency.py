"""Demand in days, weeks or months: detection, stated buckets, re-bucketing, and the same
business seen daily, weekly and monthly giving the same statistics, plan and simulation.

The consistency tests build one seeded daily business (40 SKUs, gamma daily demand,
2024-01-01, a Monday and a 1st, to 2026-05-31, a Sunday and a month end: 882 days, exactly
126 weeks and 29 months) and sum it to weeks and months with ``Dataset.with_frequency``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.data import DataError, Dataset, load_dataset, load_uploaded
from workbench.data.frequency import (
    BUCKET_DAYS,
    bucket_end,
    check_frequency,
    detect_frequency,
    normalize_frequency,
)

# ----------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (pd.date_range("2023-01-01", periods=36, freq="MS"), "M"),  # the 1st of each month
        (pd.date_range("2023-01-31", periods=24, freq="ME"), "M"),  # month ends
        (pd.date_range("2025-01-06", periods=20, freq="7D"), "W"),  # Mondays
        (pd.DatetimeIndex(["2025-01-01", "2025-01-15", "2025-03-05"]), "W"),  # Wednesdays, gaps
        (pd.date_range("2025-01-01", periods=60, freq="D"), "D"),
        (pd.date_range("2025-01-01", periods=30, freq="2D"), "D"),  # every other day
        (pd.DatetimeIndex(["2025-01-01", "2025-01-31"]), "D"),  # a 1st and a month end
        (pd.DatetimeIndex(["2025-03-01"]), "D"),  # one date: nothing to tell, days
        (pd.DatetimeIndex([]), "D"),
    ],
)
def test_detect_frequency(dates, expected):
    assert detect_frequency(dates)[0] == expected


def test_detect_frequency_reason_counts_dates():
    dates = pd.date_range("2023-01-01", periods=36, freq="MS").repeat(3)  # 3 SKUs a month
    assert detect_frequency(dates) == ("M", "all 36 dates are the 1st of a month")


def test_normalize_frequency():
    assert [normalize_frequency(x) for x in ("d", "weekly", "Month", "ME")] == ["D", "W", "M", "M"]
    with pytest.raises(ValueError, match=r"frequency must be 'D'.*got 'Q'"):
        normalize_frequency("Q")


def test_check_frequency_names_dates_that_share_a_bucket():
    days = pd.date_range("2025-01-06", periods=10, freq="D")
    assert check_frequency(days, "D") is None
    where, why = check_frequency(days, "W")
    assert where == "2025-01-06 and 2025-01-07" and "1 days apart" in why
    where, why = check_frequency(pd.DatetimeIndex(["2025-01-01", "2025-01-15"]), "M")
    assert where == "2025-01-01 and 2025-01-15" and "same month" in why


def test_bucket_end():
    assert bucket_end("2025-12-01", "M") == pd.Timestamp("2025-12-31")
    assert bucket_end("2025-12-01", "W") == pd.Timestamp("2025-12-07")
    assert bucket_end("2025-12-01", "D") == pd.Timestamp("2025-12-01")


# ----------------------------------------------------------------------------- loading


def _items(skus) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sku": list(skus),
            "unit_cost": 2.0,
            "inventory_type": "finished_good",
            "lead_time_days": 28.0,
        }
    )


def _monthly_tables() -> dict[str, pd.DataFrame]:
    months = pd.date_range("2023-01-01", periods=36, freq="MS")
    demand = pd.DataFrame({"date": months, "sku": "A", "quantity": np.arange(36) % 5 + 10.0})
    return {"items": _items(["A"]), "demand": demand}


def test_load_detects_monthly_and_notes_it(tmp_path):
    folder = Dataset.from_tables(_monthly_tables()).to_folder(tmp_path / "m")
    ds = load_dataset(folder)
    assert ds.demand_frequency == "M"
    assert "demand read as monthly buckets (all 36 dates are the 1st of a month)" in ds.notes
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert load_uploaded(files).demand_frequency == "M"  # save / restore keeps it


def test_load_with_stated_frequency(tmp_path):
    folder = Dataset.from_tables(_monthly_tables()).to_folder(tmp_path / "m")
    ds = load_dataset(folder, frequency="D")  # the user says: these are real days
    assert ds.demand_frequency == "D"
    assert any(n.startswith("demand read as daily buckets (as stated") for n in ds.notes)


def test_stated_frequency_inconsistent_with_dates_is_a_data_error(tmp_path):
    days = pd.date_range("2025-01-06", periods=30, freq="D")
    tables = {
        "items": _items(["A"]),
        "demand": pd.DataFrame({"date": days, "sku": "A", "quantity": 1.0}),
    }
    folder = Dataset.from_tables(tables).to_folder(tmp_path / "d")
    with pytest.raises(DataError) as err:
        load_dataset(folder, frequency="W")
    text = str(err.value)
    assert "demand.csv" in text and "column 'date'" in text
    assert "2025-01-06 and 2025-01-07" in text and "weekly dates" in text
    with pytest.raises(DataError, match="frequency must be"):
        Dataset.from_tables(tables, frequency="fortnightly")


def test_constructor_without_frequency_detects_it():
    tables = _monthly_tables()
    ds = Dataset({"items": tables["items"], "demand": tables["demand"]})
    assert ds.demand_frequency == "M"
    assert Dataset(dict(tables), frequency="D").demand_frequency == "D"


def test_sample_dataset_is_daily():
    assert wb.sample_dataset(n_skus=80, years=1, seed=1).demand_frequency == "D"


def test_with_frequency_coarser_sums_finer_only_where_dates_fit():
    m = Dataset.from_tables(_monthly_tables())
    assert m.with_frequency("D").demand_frequency == "D"  # stated: real days
    with pytest.raises(ValueError, match="does not fit the demand dates"):
        m.with_frequency("W")  # the 1st of each month is not one weekday
    days = pd.date_range("2025-01-01", "2025-03-31")  # a Wednesday to a Monday
    d = Dataset.from_tables(
        {
            "items": _items(["A"]),
            "demand": pd.DataFrame({"date": days, "sku": "A", "quantity": 1.0}),
        }
    )
    w = d.with_frequency("W")
    assert w.demand_frequency == "W" and (w.demand["date"].dt.day_of_week == 0).all()
    assert w.demand["quantity"].sum() == 90 and w.demand["quantity"].iloc[0] == 5  # Wed-Sun
    assert w.notes[-1] == "demand summed from daily to weekly buckets"
    mm = d.with_frequency("monthly")
    assert mm.demand["quantity"].tolist() == [31.0, 28.0, 31.0]
    assert d.demand_frequency == "D" and len(d.demand) == 90  # the original is untouched


# ----------------------------------------------------------------------------- one business


START, END = "2024-01-01", "2026-05-31"  # a Monday and a 1st; a Sunday and a month end


@pytest.fixture(scope="module")
def business() -> dict[str, Dataset]:
    rng = np.random.default_rng(7)
    n = 40
    days = pd.date_range(START, END)
    mu = rng.uniform(2, 30, n)
    d = rng.gamma(4.0, mu / 4.0, size=(len(days), n)).round()
    skus = [f"S{i:02d}" for i in range(n)]
    demand = pd.DataFrame(
        {"date": np.repeat(days, n), "sku": np.tile(skus, len(days)), "quantity": d.ravel()}
    )
    items = _items(skus).assign(unit_cost=rng.uniform(1, 50, n), order_cost=50.0)
    daily = Dataset.from_tables({"items": items, "demand": demand})
    out = {"D": daily}
    for f in ("W", "M"):  # summed, then read back from tables as a user's file would be
        summed = daily.with_frequency(f)
        out[f] = Dataset.from_tables({"items": items, "demand": summed.demand})
    return out


def test_business_buckets_detected(business):
    assert {f: ds.demand_frequency for f, ds in business.items()} == {"D": "D", "W": "W", "M": "M"}
    assert len(business["W"].demand) == 40 * 126 and len(business["M"].demand) == 40 * 29


def test_stats_agree_across_buckets(business):
    s = {f: wb.demand_stats(ds) for f, ds in business.items()}
    assert (s["W"]["bucket"] == "W").all() and (s["M"]["n_buckets"] == 29).all()
    assert (s["M"]["n_days"] == 882).all() and (s["W"]["n_days"] == 882).all()
    # the same units over the same 882 days: weekly years are 365.25 days, monthly years
    # 12 months of 29 (of 882 days): the only differences are those calendars
    assert_allclose(s["W"]["annual_demand"] / s["D"]["annual_demand"], 365.25 / 365, rtol=1e-12)
    assert_allclose(s["M"]["annual_demand"] / s["D"]["annual_demand"], 1.0, rtol=2e-4)
    assert_allclose(s["W"]["mean_per_bucket"], s["D"]["daily_mean"] * 7, rtol=1e-12)
    # iid days: the per-day sd from weeks and months estimates the same sd; its relative
    # standard error is about 1 / sqrt(2 (N - 1)): 6.3 % with 126 weeks, 13 % with 29
    # months. Four standard errors per SKU; the mean over 40 SKUs within 3 of its own.
    for f, n in (("W", 126), ("M", 29)):
        ratio = s[f]["daily_sd"] / s["D"]["daily_sd"]
        se = 1 / np.sqrt(2 * (n - 1))
        assert (abs(ratio - 1) < 4 * se).all(), (f, ratio.describe())
        assert abs(ratio.mean() - 1) < 3 * se / np.sqrt(40) + 0.01, (f, ratio.mean())
    # cv is of the bucket: aggregating iid days divides it by about sqrt(bucket days)
    assert_allclose(
        (s["M"]["cv"] / s["D"]["cv"]).median(), 1 / np.sqrt(BUCKET_DAYS["M"]), rtol=0.15
    )


@pytest.mark.parametrize(
    "scenario", [wb.Scenario(), wb.Scenario(policy="RS", review_period_days=7.0)], ids=str
)
def test_plan_agrees_across_buckets(business, scenario):
    p = {f: wb.plan(ds, scenario) for f, ds in business.items()}
    for f in ("W", "M"):
        assert (p[f]["demand_bucket"] == f).all()
        # annual demand, EOQ and the mean lead-time demand: calendars only (a week-year is
        # 365.25 days; these 29 months have 882 days where 29 average months have 882.7)
        for col in ("annual_demand", "eoq", "lead_time_demand_mean"):
            assert_allclose(p[f][col] / p["D"][col], 1.0, rtol=1e-3, err_msg=f"{f} {col}")
        # the reorder point adds k sigma_L: within the sd's sampling error (see above);
        # safety stock is 4-15 % of it here
        assert_allclose(p[f]["reorder_point"] / p["D"]["reorder_point"], 1.0, rtol=0.08)
        assert_allclose(p[f]["expected_fill_rate"], p["D"]["expected_fill_rate"], atol=0.01)


def test_weekly_simulation_equals_daily_with_weekly_review(business):
    """Weekly review of weekly data, lead time 4 weeks: a weekly run is the daily run.

    Reviews fall on Mondays (day 0 is a Monday) and receipts arrive on Mondays, so the
    units short in a week are the same whether the week is simulated day by day or as
    one bucket (with the same plan)."""
    plan = wb.plan(business["D"], wb.Scenario(policy="RS", review_period_days=7.0))
    daily = wb.simulate(business["D"], plan=plan, policy="plan", rng=1).summary
    weekly = wb.simulate(business["W"], plan=plan, policy="plan", rng=1).summary
    assert_allclose(weekly["demand"], daily["demand"], rtol=1e-12)
    assert_allclose(weekly["filled"], daily["filled"], rtol=1e-9)
    assert (daily["fill_rate"] < 1).any()  # the comparison has stockouts to compare


@pytest.mark.parametrize("lead_time", [28.0, 61.0])
def test_monthly_simulation_delivers_the_monthly_plan(business, lead_time):
    """Monthly review of monthly data: the simulated fill rate is the planned one.

    The run rounds the lead time to whole months (28 days: 1, 61 days: 2); the plan uses
    it unrounded. Over 40 SKUs x 29 months the aggregate differs by under a point."""
    m = business["M"]
    items = m.items.assign(lead_time_days=lead_time)
    ds = Dataset(dict(m.tables, items=items), frequency="M")
    p = wb.plan(ds, wb.Scenario(policy="RS", review_period_days=365.25 / 12))
    s = wb.simulate(ds, plan=p, policy="plan", rng=1).summary
    planned = (p["expected_fill_rate"] * p["annual_demand"]).sum() / p["annual_demand"].sum()
    simulated = s["filled"].sum() / s["demand"].sum()
    assert abs(simulated - planned) < 0.01, (simulated, planned)


def test_monthly_read_as_days_was_wrong(business):
    """The bug this fixes: monthly sums read as one sale on the 1st and 29 empty days."""
    right = wb.plan(business["M"])
    wrong = wb.plan(business["M"].with_frequency("D"))  # what loading did before
    ratio = wrong["safety_stock"] / right["safety_stock"]
    assert ratio.min() > 2  # several times too much safety stock
    assert (wrong["xyz"] == "Z").all() and not (right["xyz"] == "Z").all()


@pytest.mark.parametrize("freq", ["W", "M"])
def test_weekly_review_on_bucketed_data(business, freq):
    ds = business[freq]
    review = wb.weekly_review(ds, wb.plan(ds))
    end = pd.Timestamp(END)
    assert any("buckets" in n and str(end.date()) in n for n in review.notes)
    kpis = review.by_sku
    daily = wb.weekly_review(business["D"], wb.plan(business["D"])).by_sku
    # a year of sales ending on the history's last day: the same units either way
    # (monthly: 12 whole months; weekly: 52 whole weeks, 364 of the 365 days)
    assert_allclose(kpis["units_sold"].sum() / daily["units_sold"].sum(), 1.0, rtol=0.01)
    # every SKU sells every week and month: no stockout inferred from runs of empty buckets
    assert (kpis["stockout_days"] == 0).all()


def test_simulated_frontier_on_weekly_data(business):
    ds = business["W"]
    st = wb.demand_stats(ds)
    t = wb.simulated_frontier(
        ds,
        demand_mean=st["daily_mean"].to_numpy(),
        demand_sd=st["daily_sd"].to_numpy(),
        lead_time_days=28.0,
        order_quantity=st["daily_mean"].to_numpy() * 28,
        unit_cost=1.0,
        service_levels=[0.95],
        rng=1,
    )
    row = t[t["class"] == "all"].iloc[0]
    # (s, Q) reviewed once a week protects L + 1 week with stock for L: it fills less
    # than the continuous-review formula promises, but not far off
    assert 0.8 < row["simulated_fill_rate"] <= row["expected_fill_rate"] + 0.005
