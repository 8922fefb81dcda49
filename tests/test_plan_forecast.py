"""Scenario(demand_source="forecast"): the plan protects against the forecast's error.

Hand cases: SKU "t" sells 10 + 0.1 i on day i, a straight line that Holt's method fits
exactly, so its forecast over the protection interval is the sum of the line's next
values and its backtested error 0; a history-based plan would use the year's mean
instead. SKU "n" sells about 50 a day (normal noise, sd 5): its (R, S) level is the
forecast plus z sigma_P. SKU "short" has 20 days of history, too few for 3 backtest
windows; SKU "one" a single demand: both fall back to history.
"""

from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.forecasting.protection import (
    MIN_WINDOWS,
    empty_forecast,
    forecast_demand,
    protection_demand,
)
from workbench.policy.demand_class import BucketDemand
from workbench.scenario import PLAN_COLUMNS, Scenario, plan_from_stats

DAYS = pd.date_range("2025-01-01", periods=365, freq="D")


def _dataset() -> wb.Dataset:
    rng = np.random.default_rng(7)
    i = np.arange(len(DAYS), dtype=float)
    series = {
        "t": 10.0 + 0.1 * i,
        "n": np.round(np.maximum(rng.normal(50.0, 5.0, len(DAYS)), 0.0)),
        "short": np.where(i >= 345, 4.0, 0.0),
        "one": np.where(i == 200, 9.0, 0.0),
    }
    rows = [(d, s, q) for s, ys in series.items() for d, q in zip(DAYS, ys, strict=True) if q > 0]
    demand = pd.DataFrame(rows, columns=["date", "sku", "quantity"])
    items = pd.DataFrame(
        {
            "sku": list(series),
            "inventory_type": ["finished_good"] * 4,
            "unit_cost": [5.0, 2.0, 1.0, 1.0],
            "lead_time_days": [5.0, 4.0, 3.0, 4.0],
        }
    )
    return wb.Dataset.from_tables({"items": items, "demand": demand})


@pytest.fixture(scope="module")
def ds():
    return _dataset()


@pytest.fixture(scope="module")
def inputs(ds):
    """Stats, history and forecasts: Holt for the trend "t", SES for the others."""
    hist = wb.demand_history(ds)
    holt = forecast_demand(hist, model="holt")
    ses = forecast_demand(hist, model="ses")
    rows = np.asarray(hist.skus == "t")
    mix = ses._replace(
        **{
            k: np.where(rows[:, None], getattr(holt, k), getattr(ses, k))
            for k in ("cum_forecast", "cum_mse", "cum_bias", "n_windows")
        },
        model=np.where(rows, "holt", ses.model),
    )
    return wb.demand_stats(ds), hist, mix


def _plan(ds, inputs, scenario):
    stats, hist, fc = inputs
    return plan_from_stats(ds.items, stats, scenario, history=hist, forecast=fc)


def test_history_source_ignores_the_forecast_and_says_so(ds, inputs):
    stats, hist, fc = inputs
    base = plan_from_stats(ds.items, stats, Scenario(), history=hist)
    with_fc = plan_from_stats(ds.items, stats, Scenario(), history=hist, forecast=fc)
    pd.testing.assert_frame_equal(base, with_fc)
    assert list(base.columns) == list(PLAN_COLUMNS)
    assert (base["demand_source"] == "history").all()
    assert list(base["demand_source"].cat.categories) == ["history", "forecast"]


def test_trend_is_planned_from_its_forecast(ds, inputs):
    """(R, S) with R = 7, L = 5: P = 12 days; the line's next 12 values from day 365 sum
    to 12 x 10 + 0.1 (365 + ... + 376) = 120 + 444.6 = 564.6, error 0."""
    sc = Scenario(policy="RS", review_period_days=7.0, demand_source="forecast")
    p = _plan(ds, inputs, sc).loc["t"]
    hist = _plan(ds, inputs, sc.replace(demand_source="history")).loc["t"]
    assert p["demand_source"] == "forecast"
    assert_allclose(p["lead_time_demand_mean"], 564.6, rtol=1e-6)
    assert p["lead_time_demand_sd"] < 1e-3
    assert_allclose(p["order_up_to"], 564.6, rtol=1e-4)
    # the year's mean (10 + 0.1 x 182 = 28.2 a day) would under-protect a rising trend
    assert_allclose(hist["lead_time_demand_mean"], 12 * 28.2, rtol=1e-9)
    # annual demand, classes and the order quantity stay the history's
    for col in ("annual_demand", "daily_mean", "abc", "eoq"):
        assert p[col] == hist[col]


def test_order_up_to_is_forecast_plus_z_sigma(ds, inputs):
    fc = inputs[2]
    sc = Scenario(
        policy="RS", review_period_days=7.0, demand_source="forecast", distribution="normal"
    )
    p = _plan(ds, inputs, sc).loc["n"]
    pr = protection_demand(fc, [11.0], ["n"]).loc["n"]
    assert p["demand_source"] == "forecast" and pr["n_windows"] >= MIN_WINDOWS
    assert_allclose(p["lead_time_demand_mean"], pr["forecast"], rtol=1e-12)
    assert_allclose(p["lead_time_demand_sd"], pr["error_rmse"], rtol=1e-12)
    z = NormalDist().inv_cdf(p["service_target"])
    assert_allclose(p["order_up_to"], pr["forecast"] + z * pr["error_rmse"], rtol=1e-6)
    assert p["distribution"] == "normal (forecast)"


def test_fallbacks_to_history_are_reported(ds, inputs):
    p = _plan(ds, inputs, Scenario(demand_source="forecast"))
    assert p.loc[["t", "n"], "demand_source"].eq("forecast").all()
    assert p.loc[["short", "one"], "demand_source"].eq("history").all()
    hist = _plan(ds, inputs, Scenario())
    for sku in ("short", "one"):
        assert_allclose(p.loc[sku, "reorder_point"], hist.loc[sku, "reorder_point"])
    pr = protection_demand(inputs[2], [3.0, 4.0], ["short", "one"])
    assert pr.loc["short", "note"] == f"fewer than {MIN_WINDOWS} backtest windows"
    assert pr.loc["one", "note"] == "fewer than 2 demands"
    assert pr[["daily_mean", "daily_sd"]].isna().all().all()


def test_plan_computes_the_forecast_itself(ds):
    p = wb.plan(ds, Scenario(demand_source="forecast"))
    assert p.loc[["t", "n"], "demand_source"].eq("forecast").all()
    assert not p["reorder_point"].isna().any()
    cmp = wb.compare_scenarios(ds, [Scenario(), Scenario("fc", demand_source="forecast")])
    assert cmp.loc["reorder_point_changes", "fc"] >= 1


def test_forecast_source_needs_the_forecast(ds, inputs):
    stats, hist, _ = inputs
    with pytest.raises(ValueError, match="demand_source='forecast' needs the forecasts"):
        plan_from_stats(ds.items, stats, Scenario(demand_source="forecast"), history=hist)


def test_demand_multiplier_scales_the_forecast(ds, inputs):
    sc = Scenario(policy="RS", review_period_days=7.0, demand_source="forecast")
    a = _plan(ds, inputs, sc).loc["t"]
    b = _plan(ds, inputs, sc.replace(demand_multiplier=2.0)).loc["t"]
    assert_allclose(b["lead_time_demand_mean"], 2 * a["lead_time_demand_mean"], rtol=1e-12)


def test_no_forecast_at_all_plans_from_history(ds, inputs):
    stats, hist, _ = inputs
    p = plan_from_stats(
        ds.items, stats, Scenario(demand_source="forecast"), history=hist,
        forecast=empty_forecast(),
    )  # fmt: skip
    assert (p["demand_source"] == "history").all()
    base = plan_from_stats(ds.items, stats, Scenario(), history=hist)
    assert_allclose(p["reorder_point"], base["reorder_point"])


# ---------------------------------------------------------------- protection_demand


def _line_bucket(n_days=40):
    y = np.arange(1.0, n_days + 1.0)[None, :]
    return BucketDemand(
        pd.Index(["a"], name="sku"), pd.period_range("2026-01-01", periods=n_days, freq="D"),
        y, np.array([0]),
    )  # fmt: skip


def test_naive_cumulative_error_by_hand():
    """Naive on y_t = t: from any origin the forecast y_{o-1} misses y_{o+i} by i + 1,
    so the error summed over j days is -j (j + 1) / 2 at every origin: RMSE 1, 3, 6, 10
    for j = 1..4, bias minus that."""
    fc = forecast_demand(_line_bucket(), model="naive", max_days=4, windows=3, step=1)
    assert fc.cum_forecast.shape == (1, 5)
    assert_allclose(fc.cum_forecast[0], [0, 40, 80, 120, 160])
    assert_allclose(np.sqrt(fc.cum_mse[0, 1:]), [1, 3, 6, 10])
    assert_allclose(fc.cum_bias[0, 1:], [-1, -3, -6, -10])
    assert (fc.n_windows[0, 1:] == 3).all()
    # halfway between 2 and 3 days: the sum and the mean square error interpolated
    pr = protection_demand(fc, [2.5])
    rmse = np.sqrt((9.0 + 36.0) / 2)
    assert_allclose(pr.loc["a", ["forecast", "error_rmse"]].astype(float), [100.0, rmse])
    assert_allclose(pr.loc["a", "daily_mean"], 40.0)
    assert_allclose(pr.loc["a", "daily_sd"], rmse / np.sqrt(2.5))


def test_protection_beyond_the_scored_horizon_falls_back():
    fc = forecast_demand(_line_bucket(), model="naive", max_days=4, windows=3, step=1)
    pr = protection_demand(fc, [5.0, 0.0, np.nan, 1.0], ["a", "a", "a", "zz"])
    assert pr["demand_source"].eq("history").all()
    assert list(pr["note"]) == [
        "protection interval beyond 4 days scored",
        "no protection interval",
        "no lead time",
        "no demand history",
    ]


def test_forecast_demand_bad_arguments():
    bd = _line_bucket()
    with pytest.raises(ValueError, match="max_days must be > 0"):
        forecast_demand(bd, max_days=0)
    with pytest.raises(ValueError, match="windows must be >= 1"):
        forecast_demand(bd, windows=0)
    with pytest.raises(ValueError, match="step must be >= 1"):
        forecast_demand(bd, step=0)
    with pytest.raises(ValueError, match="model must be 'auto' or one of"):
        forecast_demand(bd, model="arima")
