"""Bad input to wb.forecast, wb.backtest and wb.forecast_demand (issue 12): too short a
history for a seasonal model, an all-zero series, a horizon of 0, a negative value. Each
gives a clear error or a documented fallback, and never NaN in a forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.data.errors import DataError
from workbench.forecasting import MODELS, forecast_demand, protection_demand
from workbench.policy.demand_class import BucketDemand


def _bucket(rows, freq="D"):
    q = np.asarray(rows, dtype=float)
    finite = ~np.isnan(q)
    first = np.where(finite.any(axis=1), finite.argmax(axis=1), q.shape[1])
    return BucketDemand(
        pd.Index([f"S{i}" for i in range(len(q))], name="sku"),
        pd.period_range("2026-01-05", periods=q.shape[1], freq=freq),
        q,
        first.astype(np.int64),
    )


def _dataset(quantities: dict[str, list[float]]) -> wb.Dataset:
    n = max(len(v) for v in quantities.values())
    days = pd.date_range("2026-01-01", periods=n, freq="D")
    rows = [(days[i], s, q) for s, v in quantities.items() for i, q in enumerate(v) if q != 0]
    items = pd.DataFrame(
        {
            "sku": list(quantities),
            "inventory_type": "finished_good",
            "unit_cost": 1.0,
            "lead_time_days": 3.0,
        }
    )
    demand = pd.DataFrame(rows, columns=["date", "sku", "quantity"])
    return wb.Dataset.from_tables({"items": items, "demand": demand})


def _no_nan(r: wb.ForecastResult) -> None:
    num = r.forecast.drop(columns=["sku", "period"])
    assert not num.isna().any().any()
    assert (num.drop(columns=["step"]) >= 0).all().all()


@pytest.fixture(scope="module")
def ds():
    rng = np.random.default_rng(2)
    return _dataset(
        {
            "long": list(rng.poisson(5.0, 120).astype(float)),
            "short": [0.0] * 110 + [3.0, 4.0, 0.0, 5.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0],
            "zero": [0.0] * 119 + [0.0],  # an item that never sold
            "once": [0.0] * 60 + [7.0] + [0.0] * 59,
        }
    )


@pytest.mark.parametrize("model", ["holt_winters_additive", "holt_winters_multiplicative"])
def test_short_history_for_a_season_falls_back_to_ses(ds, model):
    """10 days of history, a weekly season needs 2 seasons (14 days): SES, said in note."""
    r = wb.forecast(ds, model=model, horizon=14)
    _no_nan(r)
    assert r.models.loc["short", "model"] == "ses"
    assert r.models.loc["short", "note"] == "fewer than 2 seasons (14 buckets): ses"
    assert r.models.loc["long", "model"].startswith("holt_winters")


def test_seasonal_naive_with_less_than_a_season_is_naive():
    r = wb.forecast(_bucket([[np.nan] * 10 + [3.0, 4.0, 5.0]]), model="seasonal_naive", horizon=3)
    assert r.models.loc["S0", "model"] == "naive"
    assert r.models.loc["S0", "note"].startswith("less than one season")
    assert (r.forecast["forecast"] == 5.0).all()


@pytest.mark.parametrize("model", ["auto", *MODELS])
def test_all_zero_series_forecasts_zero_without_nan(ds, model):
    r = wb.forecast(ds, model=model, horizon=7)
    _no_nan(r)
    z = r.forecast[r.forecast["sku"] == "zero"]
    assert (z[["forecast", "lo_95", "hi_95"]] == 0).all().all()


def test_all_zero_series_backtests_to_no_window_and_plans_from_history(ds):
    b = wb.backtest(ds, models=["ses", "croston"], horizon=7, windows=3)
    assert (b.loc["zero", "n_windows"] == 0).all()  # documented: NaN errors, no window
    fc = forecast_demand(ds)
    assert np.isfinite(fc.cum_forecast).all()
    pr = protection_demand(fc, 3.0, ["zero", "once", "long"])
    assert list(pr["demand_source"]) == ["history", "history", "forecast"]
    assert pr.loc["zero", "note"] == "fewer than 2 demands"
    p = wb.plan(ds, wb.Scenario(demand_source="forecast"))
    assert p.loc["zero", "reorder_point"] == 0 and p.loc["zero", "demand_source"] == "history"


@pytest.mark.parametrize("horizon", [0, -1, 2.5, True])
def test_horizon_must_be_a_positive_integer(ds, horizon):
    with pytest.raises(ValueError, match=r"horizon must be an integer >= 1 \[buckets\]"):
        wb.forecast(ds, model="ses", horizon=horizon)
    with pytest.raises(ValueError, match=r"horizon must be an integer >= 1 \[buckets\]"):
        wb.backtest(ds, models=["ses"], horizon=horizon)


def test_negative_demand_in_a_file_names_row_column_and_value():
    with pytest.raises(DataError, match=r"row 3, column 'quantity': got -3"):
        _dataset({"a": [1.0, 2.0, -3.0, 1.0]})


def test_negative_or_nan_demand_in_a_matrix_names_sku_and_bucket():
    bd = _bucket([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, -3.0, 4.0]])
    for call in (
        lambda: wb.forecast(bd, model="ses", horizon=2),
        lambda: wb.backtest(bd, models=["naive"], horizon=1),
        lambda: forecast_demand(bd),
    ):
        with pytest.raises(ValueError, match=r"demand of SKU S1 in 2026-01-07 is -3.0"):
            call()
    bd = _bucket([[1.0, np.nan, 3.0, 4.0]])
    with pytest.raises(ValueError, match=r"demand of SKU S0 in 2026-01-06 is nan"):
        wb.forecast(bd, model="ses", horizon=2)
