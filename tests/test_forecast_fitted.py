"""workbench.forecasting.fitted_values: one-step-ahead in-sample forecasts, against a
published table, the fit's own sigma, hand recursions and properties."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from workbench.forecasting import fitted_values, forecast_matrix

# FPP2 (Hyndman and Athanasopoulos 2018, 2nd ed.), sec. 7.1: Saudi Arabia oil
# production 1996-2013 [millions of tonnes].
OIL = [
    445.3641, 453.1950, 454.4096, 422.3789, 456.0371, 440.3866, 425.1944, 486.2052,
    500.4291, 521.2759, 508.9476, 488.8889, 509.8706, 456.7229, 473.8166, 525.9509,
    549.8338, 542.3405,
]  # fmt: skip


def test_ses_oil_fitted_values_fpp2_table_7_1():
    """FPP2 sec. 7.1, table 7.1 ("Forecast" column, alpha = 0.8339, l0 = 446.5868,
    printed to two decimals): 1997 445.57, 1998 451.93, ... 2012 517.05."""
    published = [
        445.57, 451.93, 454.00, 427.63, 451.32, 442.20, 428.02, 476.54, 496.46, 517.15,
        510.31, 492.45, 506.98, 465.07, 472.36, 517.05,
    ]  # fmt: skip
    f = fitted_values(OIL, model="ses", params={"alpha": 0.8339, "level0": 446.5868})
    assert np.isnan(f[0])  # 1996's fitted value is l0, the start of the recursion
    assert_allclose(f[1:17], published, atol=0.02)


@pytest.mark.parametrize("model", ["ses", "holt", "damped"])
def test_fitted_values_give_back_the_fits_sigma(model):
    """sigma of the fit is sqrt(SSE / (n - parameters - states)) of its one-step errors
    (Hyndman et al. 2008, sec. 5.1): the fitted values reproduce it exactly."""
    y = np.array(OIL)
    r = forecast_matrix(y, model=model, horizon=1)
    p = {k: r.params[k][0] for k in ("alpha", "beta", "phi", "level0", "trend0")}
    p = {k: v for k, v in p.items() if not np.isnan(v)}
    f = fitted_values(y, model=model, params=p)
    first = p["level0"] + p.get("phi", 1.0) * p.get("trend0", 0.0)
    sse = np.nansum((y - f) ** 2) + (y[0] - first) ** 2
    n_par = {"ses": 2, "holt": 4, "damped": 5}[model]
    assert_allclose(np.sqrt(sse / (len(y) - n_par)), r.sigma[0], rtol=1e-9)


def test_last_fitted_value_path_ends_in_the_forecast():
    """The forecast from the whole history is the next step of the same recursion: the
    fitted value at t is the forecast made from the data up to t - 1."""
    rng = np.random.default_rng(4)
    y = rng.poisson(5.0, 60).astype(float)
    p = {"alpha": 0.3, "beta": 0.1, "level0": 5.0, "trend0": 0.0}
    f = fitted_values(y, model="holt", params=p)
    for t in (10, 30, 59):
        r = forecast_matrix(y[:t], model="holt", horizon=1, params=p)
        assert_allclose(f[t], r.mean[0, 0], rtol=1e-12)


def test_naive_seasonal_naive_and_croston_by_hand():
    y = np.array([np.nan, np.nan, 2.0, 0.0, 0.0, 3.0, 0.0, 1.0, 4.0, 0.0])
    assert_allclose(fitted_values(y, model="naive")[3:], y[2:-1])
    sn = fitted_values(y, model="seasonal_naive", season_length=3)
    assert np.isnan(sn[:5]).all()
    assert_allclose(sn[5:], y[2:-3])
    # Croston, alpha 0.1 for size and interval (Croston 1972), starting at the first
    # demand with size = that demand and interval 1.
    z, p, q, out = 2.0, 1.0, 1, []  # q: buckets since the last demand, this one included
    for t in range(3, 10):
        out.append(z / p)
        if y[t] > 0:
            z, p, q = z + 0.1 * (y[t] - z), p + 0.1 * (q - p), 1
        else:
            q += 1
    assert_allclose(fitted_values(y, model="croston")[3:], out, rtol=1e-12)


def test_holt_winters_fitted_only_after_two_seasons_and_never_negative():
    rng = np.random.default_rng(1)
    season = np.tile([1.0, 0.0, 6.0, 2.0], 8)
    y = np.maximum(season + rng.normal(0, 0.5, season.size), 0.0)
    r = forecast_matrix(y, model="holt_winters_additive", horizon=1, season_length=4)
    p = {k: r.params[k][0] for k in ("alpha", "beta", "gamma", "level0", "trend0")}
    f = fitted_values(y, model="holt_winters_additive", params=p, season_length=4)
    assert np.isnan(f[:8]).all() and np.isfinite(f[8:]).all() and (f[8:] >= 0).all()
    # it follows the season: the fitted peak buckets are the high ones
    assert f[8:][2::4].mean() > 3 * f[8:][1::4].mean()


def test_short_empty_and_last():
    assert np.isnan(fitted_values([np.nan, np.nan], model="ses")).all()
    assert np.isnan(fitted_values([4.0], model="naive")).all()
    y = np.arange(1.0, 21.0)
    f = fitted_values(y, model="naive", last=5)
    assert np.isnan(f[:15]).all()
    assert_allclose(f[15:], y[14:19])


def test_bad_input_raises():
    with pytest.raises(ValueError, match="1-D"):
        fitted_values(np.ones((2, 3)), model="naive")
    with pytest.raises(ValueError, match="model must be one of"):
        fitted_values([1.0, 2.0, 3.0], model="prophet")
    with pytest.raises(ValueError, match=">= 0"):
        fitted_values([1.0, -2.0, 3.0, 4.0], model="naive")
