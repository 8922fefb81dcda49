"""wb.forecast and wb.backtest on datasets and bucketed demand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.forecasting import AUTO_CANDIDATES, MODELS
from workbench.policy.demand_class import BucketDemand


@pytest.fixture(scope="module")
def ds():
    return wb.sample_dataset(n_skus=80, years=1, seed=3)


def _bucket(rows, start="2026-01-01", freq="D"):
    q = np.asarray(rows, dtype=float)
    first = np.where(~np.isnan(q).all(axis=1), (~np.isnan(q)).argmax(axis=1), q.shape[1])
    return BucketDemand(
        pd.Index([f"S{i}" for i in range(len(q))], name="sku"),
        pd.period_range(start, periods=q.shape[1], freq=freq),
        q,
        first.astype(np.int64),
    )


def test_forecast_frame_and_models(ds):
    r = wb.forecast(ds, model="auto", horizon=14)
    f, m = r.forecast, r.models
    assert list(f.columns) == [
        "sku", "period", "step", "forecast", "lo_80", "hi_80", "lo_95", "hi_95",
    ]  # fmt: skip
    n = len(ds.items)
    assert len(f) == 14 * n and len(m) == n
    assert not f.isna().any().any()
    num = f[["forecast", "lo_80", "hi_80", "lo_95", "hi_95"]]
    assert (num >= 0).all().all()
    assert (f["lo_95"] <= f["lo_80"] + 1e-9).all() and (f["hi_80"] <= f["hi_95"] + 1e-9).all()
    last = wb.demand_history(ds).periods[-1]
    assert f["period"].iloc[0] == last + 1 and f["period"].iloc[13] == last + 14
    for cls, cands in AUTO_CANDIDATES.items():
        chosen = m.loc[m["demand_class"] == cls, "model"]
        assert chosen.isin(cands).all(), cls
    assert set(m["model"]) <= set(MODELS)
    assert m["note"].str.startswith("auto").any()


def test_forecast_one_model_and_as_of(ds):
    as_of = pd.Timestamp(ds.demand_period[1]) - pd.Timedelta(days=30)
    r = wb.forecast(ds, model="tsb", horizon=3, level=(90,), as_of=as_of)
    assert {"lo_90", "hi_90"} <= set(r.forecast.columns)
    assert r.forecast["period"].iloc[0] == pd.Period(as_of, freq="D") + 1
    assert (r.models["model"] == "tsb").all()
    empty = r.models["note"].str.startswith("no history")
    assert (r.models.loc[~empty, "alpha"] == 0.1).all()
    assert (r.forecast.set_index("sku").loc[r.models.index[empty], "forecast"] == 0).all()


def test_forecast_default_horizon_by_bucket():
    bd = _bucket([[3.0, 1, 4, 1, 5, 9, 2, 6]], freq="M")
    r = wb.forecast(bd, model="ses")
    assert r.forecast["step"].max() == 6  # DEFAULT_HORIZON["M"]


def test_backtest_hand_computed():
    """Naive on 1..8, horizon 2, two windows 2 apart: origins after 4 and 6; forecasts
    4 and 6 against 5, 6 and 7, 8: errors -1, -2 twice; the naive scale is 1."""
    bd = _bucket([np.arange(1.0, 9.0)])
    b = wb.backtest(bd, models=["naive"], horizon=2, windows=2, step=2)
    row = b.loc[("S0", "naive")]
    assert_allclose(row["mae"], 1.5)
    assert_allclose(row["rmse"], np.sqrt(2.5))
    assert_allclose(row["bias"], -1.5)
    assert_allclose(row["mase"], 1.5)
    assert_allclose([row["cum_bias"], row["cum_mae"], row["cum_rmse"], row["cum_sd"]],
                    [-3, 3, 3, 0])  # fmt: skip
    assert row["n_windows"] == 2
    b1 = wb.backtest(bd, models=["naive"], horizon=2, windows=2, step=2, protection_buckets=1)
    assert_allclose(b1.loc[("S0", "naive"), "cum_bias"], -1)


def test_backtest_all_models_on_dataset(ds):
    b = wb.backtest(ds, horizon=7, windows=3)
    assert list(b.index.names) == ["sku", "model"]
    assert len(b) == len(ds.items) * len(MODELS)
    has = b["n_windows"] > 0
    assert has.mean() > 0.5
    assert not b.loc[has, ["mae", "rmse", "bias", "cum_bias", "cum_rmse"]].isna().any().any()


def test_backtest_short_sku_has_no_window():
    bd = _bucket([np.arange(1.0, 13.0), [np.nan] * 10 + [1.0, 2.0]])
    b = wb.backtest(bd, models=["ses"], horizon=2, windows=2)
    assert b.loc[("S1", "ses"), "n_windows"] == 0
    assert np.isnan(b.loc[("S1", "ses"), "mae"])


def test_backtest_bad_arguments():
    bd = _bucket([np.arange(1.0, 9.0)])
    with pytest.raises(ValueError, match="windows must be >= 1"):
        wb.backtest(bd, horizon=2, windows=0)
    with pytest.raises(ValueError, match="protection_buckets must be in"):
        wb.backtest(bd, horizon=2, protection_buckets=3)
    with pytest.raises(ValueError, match="too short"):
        wb.backtest(bd, horizon=3, windows=3)
    with pytest.raises(ValueError, match="models must be among"):
        wb.backtest(bd, models=["arima"], horizon=2)


def test_warm_up_runs_every_model():
    from workbench.forecasting import warm_up

    warm_up()  # compiles (or loads) each kernel; python -m workbench.sim calls it


def test_subpackage_is_not_shadowed_by_the_function():
    import types

    import workbench.forecasting.models as models

    assert isinstance(models, types.ModuleType)
    assert isinstance(wb.forecasting, types.ModuleType) and callable(wb.forecast)
    assert wb.forecast is wb.forecasting.forecast


def test_backtest_reuses_the_additive_fit_for_the_multiplicative_fallback():
    """A SKU with a zero in its window is forecast by the additive season in place of the
    multiplicative one; the backtest takes it from the additive model's run (the same
    fit) instead of fitting it again: its scores are the same either way. (A SKU without
    a zero gets the multiplicative fit warm-started from the additive one's when both are
    evaluated: the same model, a fit within a few per mille.)"""
    rng = np.random.default_rng(4)
    t = np.arange(70)
    season = 10 + 3 * np.sin(2 * np.pi * t / 7)
    rows = [rng.poisson(season).astype(float), rng.poisson(season).astype(float) + 1.0]
    rows[0][[20, 33]] = 0.0  # zeros: the multiplicative model falls back
    bd = _bucket(rows)
    hw = ["holt_winters_additive", "holt_winters_multiplicative"]
    both = wb.backtest(bd, models=hw, horizon=7, windows=1)
    alone = wb.backtest(bd, models=hw[1:], horizon=7, windows=1)
    cols = ["mae", "rmse", "bias", "cum_rmse"]
    assert_allclose(both.loc[("S0", hw[1]), cols], alone.loc[("S0", hw[1]), cols], rtol=1e-12)
    assert_allclose(both.loc[("S1", hw[1]), cols], alone.loc[("S1", hw[1]), cols], rtol=0.01)
    assert_allclose(both.loc[("S0", hw[1]), cols], both.loc[("S0", hw[0]), cols], rtol=1e-12)


def test_auto_does_not_pick_a_near_zero_forecast_for_lumpy_items():
    """Lumpy demand that goes on (a Bernoulli chance of 2-8 % a day, gamma sizes; seeded)
    often has a quiet last window: choosing by one-window RMSE then picks the lowest
    forecast, typically TSB decayed in the gap, near zero while the item still sells.
    ``auto`` scores the intermittent candidates on the summed demand over three windows
    and skips one whose forecast is below ``AUTO_FLOOR`` of the recent demand rate."""
    from workbench.forecasting import AUTO_FLOOR, forecast_matrix

    rng = np.random.default_rng(0)
    n, t_all, h = 200, 730, 28
    p = rng.uniform(0.02, 0.08, (n, 1))
    y = np.round(
        (rng.random((n, t_all)) < p) * rng.gamma(1.0, rng.uniform(10, 60, (n, 1)), (n, t_all))
    )
    bd = _bucket(y)
    cands = AUTO_CANDIDATES["lumpy"]
    rate = y[:, -3 * h :].mean(axis=1)  # the last three horizons
    # the trap: the candidate with the lowest one-window RMSE, refitted on all the data
    rmse = wb.backtest(bd, models=cands, horizon=h, windows=1)["rmse"].unstack()[list(cands)]
    old = np.array(cands)[np.argmin(rmse.to_numpy(), axis=1)]
    old_mean = np.array(
        [forecast_matrix(y[i], model=old[i], horizon=h).mean.mean() for i in range(n)]
    )
    trapped = (old_mean < 0.1 * rate) & ((y[:, -3 * h :] > 0).sum(axis=1) >= 2)
    assert trapped.sum() >= 5  # the test series do set the trap
    r = wb.forecast(bd, model="auto", horizon=h)
    assert set(r.models["demand_class"]) <= {"lumpy", "intermittent"}
    mean = r.forecast.groupby("sku", sort=False)["forecast"].mean().to_numpy()
    assert (mean[trapped] >= AUTO_FLOOR * rate[trapped]).all()
    assert (mean >= 0.1 * rate).mean() > 0.95
