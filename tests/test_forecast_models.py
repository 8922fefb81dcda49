"""Forecasting models (workbench.forecasting.forecast_matrix) against published values,
hand-computed recursions and properties.

Where a test computes a recursion "by hand" it is written in the component form of
FPP3 (Hyndman and Athanasopoulos, Forecasting: Principles and Practice, 3rd ed.,
ch. 8), not the error-correction form the kernels use, so the two are independent.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from workbench.forecasting import MODELS, forecast_matrix

# FPP2 (Hyndman and Athanasopoulos 2018, 2nd ed.), sec. 7.1: Saudi Arabia oil
# production 1996-2013 [millions of tonnes], ``window(oil, start = 1996)``.
OIL = [
    445.3641, 453.1950, 454.4096, 422.3789, 456.0371, 440.3866, 425.1944, 486.2052,
    500.4291, 521.2759, 508.9476, 488.8889, 509.8706, 456.7229, 473.8166, 525.9509,
    549.8338, 542.3405,
]  # fmt: skip


# ----------------------------------------------------------------- published values


def test_ses_oil_fitted_parameters_fpp2():
    """FPP2 sec. 7.1: ``ses(oildata)`` estimates alpha = 0.8339, l0 = 446.5868."""
    r = forecast_matrix(OIL, model="ses", horizon=3)
    assert_allclose(r.params["alpha"][0], 0.8339, atol=1e-3)
    assert_allclose(r.params["level0"][0], 446.5868, atol=0.05)  # flat SSE in l0


def test_ses_oil_forecast_and_intervals_fpp2():
    """FPP2 sec. 7.1, the forecast table of ``ses(oildata, h = 5)`` (printed to one
    decimal): 542.7 [504.5, 580.9] 80 %, [484.2, 601.1] 95 % in 2014; [492.9, 592.5],
    [466.6, 618.8] in 2015; [483.6, 601.8], [452.3, 633.1] in 2016."""
    r = forecast_matrix(OIL, model="ses", horizon=3, level=(80, 95))
    assert_allclose(r.mean[0], 542.68, atol=0.01)
    assert_allclose(r.lower[0, 0], [504.5, 492.9, 483.6], atol=0.06)
    assert_allclose(r.upper[0, 0], [580.9, 592.5, 601.8], atol=0.06)
    assert_allclose(r.lower[1, 0], [484.2, 466.6, 452.3], atol=0.06)
    assert_allclose(r.upper[1, 0], [601.1, 618.8, 633.1], atol=0.06)


def test_ses_oil_given_parameters_fpp2():
    """FPP2 sec. 7.1: with alpha = 0.8339 and l0 = 446.5868 the forecast is 542.68."""
    r = forecast_matrix(OIL, model="ses", horizon=1, params={"alpha": 0.8339, "level0": 446.5868})
    assert_allclose(r.mean[0, 0], 542.68, atol=0.005)


def test_holt_hand_recursion():
    """Holt's linear method, FPP3 sec. 8.2 component form, alpha = 0.5, beta* = 0.6
    (error-correction beta = alpha beta* = 0.3), l0 = 9, b0 = 1, on 10, 12, 13, 15, 16:
    levels 10, 11.5, 12.9, 14.63, 16.106 and trends 1, 1.3, 1.36, 1.582, 1.5184 by hand,
    so forecasts 16.106 + 1.5184 h: 17.6244, 19.1428, 20.6612."""
    y = [10, 12, 13, 15, 16]
    r = forecast_matrix(
        y, model="holt", horizon=3, params=dict(alpha=0.5, beta=0.3, level0=9, trend0=1)
    )
    assert_allclose(r.mean[0], [17.6244, 19.1428, 20.6612], rtol=1e-12)


def _component_form(y, alpha, beta_star, gamma, phi, l0, b0, s0, season):
    """FPP3 sec. 8.2-8.3 component form (damped trend, additive / multiplicative)."""
    m = len(s0)
    lv, b, s = l0, b0, list(s0)
    for t, yt in enumerate(y):
        st = s[t % m]
        if season == "mul":
            new_l = alpha * yt / st + (1 - alpha) * (lv + phi * b)
            s[t % m] = gamma * yt / (lv + phi * b) + (1 - gamma) * st
        elif season == "add":
            new_l = alpha * (yt - st) + (1 - alpha) * (lv + phi * b)
            s[t % m] = gamma * (yt - lv - phi * b) + (1 - gamma) * st
        else:
            new_l = alpha * yt + (1 - alpha) * (lv + phi * b)
        b = beta_star * (new_l - lv) + (1 - beta_star) * phi * b
        lv = new_l
    n = len(y)
    out = []
    for h in range(1, 4):
        damp = sum(phi**j for j in range(1, h + 1))
        base = lv + damp * b
        if season == "mul":
            out.append(base * s[(n + h - 1) % m])
        elif season == "add":
            out.append(base + s[(n + h - 1) % m])
        else:
            out.append(base)
    return out


def test_damped_matches_fpp3_component_form():
    """Damped trend, FPP3 sec. 8.2: alpha 0.6, beta* 0.5, phi 0.9, l0 20, b0 2."""
    y = [22.0, 25, 24, 28, 30, 29, 33]
    expect = _component_form(y, 0.6, 0.5, 0.0, 0.9, 20.0, 2.0, [0.0], "none")
    r = forecast_matrix(
        y, model="damped", horizon=3,
        params=dict(alpha=0.6, beta=0.3, phi=0.9, level0=20, trend0=2),
    )  # fmt: skip
    assert_allclose(r.mean[0], expect, rtol=1e-12)


SEASONAL = [12.0, 18, 25, 14, 15, 20, 28, 16, 17, 23, 31, 18, 19, 26, 33, 20]


@pytest.mark.parametrize("model,season", [("holt_winters_additive", "add"),
                                          ("holt_winters_multiplicative", "mul")])  # fmt: skip
def test_holt_winters_matches_fpp3_component_form(model, season):
    """Holt-Winters, FPP3 sec. 8.3 (additive and multiplicative), alpha 0.4, beta* 0.25,
    gamma 0.3, m = 4, with the initial states of Hyndman et al. (2008) sec. 2.6.1 as
    the kernel computes them (level: mean of the first season; trend: difference of the
    first two seasons' means / m; season: first season minus / over the level)."""
    m = 4
    y = np.array(SEASONAL)
    l0 = y[:m].mean()
    b0 = (y[m : 2 * m].mean() - l0) / m
    s0 = y[:m] / l0 if season == "mul" else y[:m] - l0
    expect = _component_form(y, 0.4, 0.25, 0.3, 1.0, l0, b0, s0, season)
    r = forecast_matrix(
        y, model=model, horizon=3, season_length=m, params=dict(alpha=0.4, beta=0.1, gamma=0.3)
    )
    assert_allclose(r.mean[0], expect, rtol=1e-12)


def test_holt_variance_fpp3_table():
    """FPP3 sec. 8.7 (table of forecast variances), ETS(A,A,N):
    sigma_h^2 = sigma^2 [1 + (h-1)(alpha^2 + alpha beta h + beta^2 h (2h-1) / 6)]."""
    y = [10, 12, 13, 15, 16, 18, 19, 22]
    a, b = 0.5, 0.3
    r = forecast_matrix(
        y, model="holt", horizon=5, level=(95,), params=dict(alpha=a, beta=b, level0=9, trend0=1)
    )
    h = np.arange(1, 6)
    var = r.sigma[0] ** 2 * (1 + (h - 1) * (a * a + a * b * h + b * b * h * (2 * h - 1) / 6))
    assert_allclose((r.upper[0, 0] - r.mean[0]) / 1.959963984540054, np.sqrt(var), rtol=1e-9)


def test_ses_variance_fpp3_table():
    """FPP3 sec. 8.7, ETS(A,N,N): sigma_h^2 = sigma^2 [1 + alpha^2 (h-1)]."""
    r = forecast_matrix(OIL, model="ses", horizon=4, level=(80,))
    a = r.params["alpha"][0]
    h = np.arange(1, 5)
    sd = r.sigma[0] * np.sqrt(1 + a * a * (h - 1))
    assert_allclose(r.upper[0, 0] - r.mean[0], 1.2815515655446004 * sd, rtol=1e-9)


INTERMITTENT = [3.0, 0, 0, 5, 0, 4]


def test_croston_hand_recursion():
    """Croston (1972), alpha 0.1 on 3, 0, 0, 5, 0, 4 (started at the first demand, size 3,
    interval 1): sizes 3.2, 3.28 and intervals 1.2, 1.28 after the demands of 5 (interval
    3) and 4 (interval 2), by hand: forecast 3.28 / 1.28 = 2.5625 per bucket."""
    r = forecast_matrix(INTERMITTENT, model="croston", horizon=2)
    assert_allclose(r.mean[0], [2.5625, 2.5625], rtol=1e-12)


def test_sba_hand_recursion():
    """Syntetos and Boylan (2005): Croston's ratio times 1 - alpha/2 = 0.95: 2.434375."""
    r = forecast_matrix(INTERMITTENT, model="sba", horizon=1, params={"alpha": 0.1})
    assert_allclose(r.mean[0, 0], 2.5625 * 0.95, rtol=1e-12)


def test_tsb_hand_recursion():
    """Teunter, Syntetos and Babai (2011), alpha 0.1, beta 0.2 on 3, 0, 0, 5, 0, 4: the
    probability 1 -> 0.8 -> 0.64 -> 0.712 -> 0.5696 -> 0.65568 and the size 3 -> 3.2 ->
    3.28 by hand: forecast 0.65568 x 3.28 = 2.1506304."""
    r = forecast_matrix(INTERMITTENT, model="tsb", horizon=1, params={"alpha": 0.1, "beta": 0.2})
    assert_allclose(r.mean[0, 0], 2.1506304, rtol=1e-12)


def test_croston_and_sba_given_initial_interval_hand_recursion():
    """``interval0`` is the interval state at the first demand (the R forecast package's
    ``croston`` starts it at the first demand's distance from the series' start): with
    interval0 = 3 on 3, 0, 0, 5, 0, 4, alpha 0.1, the intervals run 3 -> 3 -> 2.9 (size as
    before, 3.28): forecast 3.28 / 2.9; NaN is the default start (interval 1)."""
    r = forecast_matrix(INTERMITTENT, model="croston", horizon=1, params={"interval0": 3.0})
    assert_allclose(r.mean[0, 0], 3.28 / (0.9 * (0.9 * 3 + 0.3) + 0.2), rtol=1e-12)
    assert_allclose(3.28 / (0.9 * (0.9 * 3 + 0.3) + 0.2), 3.28 / 2.9, rtol=1e-12)
    r = forecast_matrix(INTERMITTENT, model="sba", horizon=1, params={"interval0": 3.0})
    assert_allclose(r.mean[0, 0], 0.95 * 3.28 / 2.9, rtol=1e-12)
    r = forecast_matrix(INTERMITTENT, model="croston", horizon=1, params={"interval0": np.nan})
    assert_allclose(r.mean[0, 0], 2.5625, rtol=1e-12)


def test_tsb_given_initial_probability_hand_recursion():
    """``prob0`` is TSB's probability at the window's first bucket, the recursion then
    running over the zeros before the first demand (as tsintermittent's ``tsb``): on
    0, 0, 3, 0, 0, 5, 0, 4 with prob0 0.5, alpha 0.1, beta 0.2 the probability runs 0.5 ->
    0.4 -> 0.52 -> 0.416 -> 0.3328 -> 0.46624 -> 0.372992 -> 0.4983936 by hand and the
    size 3 -> 3.2 -> 3.28 (from the first demand): 0.4983936 x 3.28."""
    y = [0.0, 0.0, *INTERMITTENT]
    r = forecast_matrix(y, model="tsb", horizon=1,
                        params={"alpha": 0.1, "beta": 0.2, "prob0": 0.5})  # fmt: skip
    assert_allclose(r.mean[0, 0], 0.4983936 * 3.28, rtol=1e-12)


@pytest.mark.parametrize(
    ("params", "message"),
    [({"interval0": 0.5}, r"interval0 must be >= 1 \[buckets\]"),
     ({"prob0": 1.5}, r"prob0 must be in \[0, 1\]"),
     ({"prob0": -0.1}, r"prob0 must be in \[0, 1\]")],
)  # fmt: skip
def test_intermittent_initial_states_out_of_range(params, message):
    with pytest.raises(ValueError, match=message):
        forecast_matrix(INTERMITTENT, model="croston", horizon=1, params=params)


def test_adida_and_imapa_with_the_first_aggregate_as_initial_level():
    """``aggregate_init="first"``: each aggregate series' SES starts at its first bucket
    (SES given level0 = that bucket); IMAPA is the mean over the levels 1..k."""
    y = np.array([2.0, 0, 0, 4, 0, 1, 3, 0, 0, 2, 5, 0, 1])
    want = []
    for k in (1, 2):
        agg = y[len(y) % k :].reshape(-1, k).sum(axis=1)
        p = {"alpha": 0.3, "level0": agg[0]}
        want.append(forecast_matrix(agg, model="ses", horizon=1, params=p).mean[0, 0] / k)
    kw = dict(horizon=1, aggregation=2, aggregate_init="first", aggregate_alpha=[[0.3, 0.3]])
    assert_allclose(forecast_matrix(y, model="adida", **kw).mean[0, 0], want[1], rtol=1e-12)
    assert_allclose(forecast_matrix(y, model="imapa", **kw).mean[0, 0], np.mean(want), rtol=1e-12)
    with pytest.raises(ValueError, match="aggregate_init must be 'least_squares' or 'first'"):
        forecast_matrix(y, model="adida", horizon=1, aggregate_init="mean")


def test_adida_is_ses_on_the_aggregate():
    """ADIDA (Nikolopoulos et al. 2011) at k = 2: SES on the sums of pairs counted back
    from the end, divided by 2."""
    y = np.array([2.0, 0, 0, 4, 0, 1, 3, 0, 0, 2, 5, 0, 1])
    agg = y[1:].reshape(-1, 2).sum(axis=1)
    ses = forecast_matrix(agg, model="ses", horizon=1)
    r = forecast_matrix(y, model="adida", horizon=2, aggregation=2)
    assert_allclose(r.mean[0], ses.mean[0, 0] / 2, rtol=1e-6)
    assert_allclose(r.params["alpha"][0], ses.params["alpha"][0], atol=1e-4)


def test_imapa_is_mean_of_adida_levels():
    """IMAPA (Petropoulos and Kourentzes 2015): the mean of ADIDA at k = 1..K."""
    y = np.array([2.0, 0, 0, 4, 0, 1, 3, 0, 0, 2, 5, 0, 1, 0, 0, 3])
    parts = [forecast_matrix(y, model="adida", horizon=1, aggregation=k).mean[0, 0]
             for k in (1, 2, 3)]  # fmt: skip
    r = forecast_matrix(y, model="imapa", horizon=1, aggregation=3)
    assert_allclose(r.mean[0, 0], np.mean(parts), rtol=1e-12)


def test_naive_and_seasonal_naive_fpp3_table_5_2():
    """FPP3 sec. 5.5, table 5.2: naive sigma_h = sigma sqrt(h); seasonal naive
    sigma_h = sigma sqrt(k + 1), k = floor((h - 1) / m)."""
    y = np.array(SEASONAL)
    r = forecast_matrix(y, model="naive", horizon=3, level=(80,))
    sig = np.sqrt(np.mean(np.diff(y) ** 2))
    assert_allclose(r.mean[0], 20.0)
    assert_allclose(r.upper[0, 0] - 20, 1.2815515655446004 * sig * np.sqrt([1, 2, 3]))
    r = forecast_matrix(y, model="seasonal_naive", horizon=6, season_length=4, level=(80,))
    assert_allclose(r.mean[0], [19, 26, 33, 20, 19, 26])
    sig = np.sqrt(np.mean((y[4:] - y[:-4]) ** 2))
    k = np.floor((np.arange(1, 7) - 1) / 4)
    assert_allclose(r.upper[0, 0] - r.mean[0], 1.2815515655446004 * sig * np.sqrt(k + 1))


def test_moving_average():
    """The mean of the last ``window`` buckets; all of them when fewer."""
    r = forecast_matrix([1.0, 2, 3, 4, 5, 6], model="moving_average", horizon=2, window=3)
    assert_allclose(r.mean[0], [5.0, 5.0])
    r = forecast_matrix([1.0, 2, 3, 4, 5, 6], model="moving_average", horizon=1, window=10)
    assert_allclose(r.mean[0], [3.5])


def test_holt_fits_a_straight_line_exactly():
    """On y = 5 + 2t the least-squares initial states give a zero-error fit."""
    y = 5.0 + 2.0 * np.arange(20)
    r = forecast_matrix(y, model="holt", horizon=3)
    assert_allclose(r.mean[0], 5.0 + 2.0 * np.arange(20, 23), rtol=1e-6)
    assert r.sigma[0] < 1e-6


# ----------------------------------------------------------------- properties

ALL = list(MODELS)


@pytest.mark.parametrize("model", [m for m in ALL if m != "sba"])
def test_constant_series_forecasts_the_constant(model):
    r = forecast_matrix(np.full(30, 4.0), model=model, horizon=5, season_length=7)
    assert_allclose(r.mean, 4.0, rtol=1e-6)


def test_sba_on_a_constant_series_keeps_its_correction():
    """SBA's factor 1 - alpha/2 is part of the method (Syntetos and Boylan 2005), so on
    demand in every bucket it forecasts 0.95 of the constant (alpha 0.1): by design."""
    r = forecast_matrix(np.full(30, 4.0), model="sba", horizon=2)
    assert_allclose(r.mean, 3.8, rtol=1e-12)


def test_ses_alpha_one_is_naive():
    rng = np.random.default_rng(1)
    y = rng.gamma(2.0, 3.0, size=(5, 40))
    ses = forecast_matrix(y, model="ses", horizon=4, params={"alpha": 1.0, "level0": 0.0})
    naive = forecast_matrix(y, model="naive", horizon=4)
    assert_allclose(ses.mean, naive.mean, rtol=1e-12)


def test_croston_without_zeros_is_ses():
    """Every interval is 1, so Croston's size recursion is SES started at y_0."""
    rng = np.random.default_rng(2)
    y = rng.gamma(2.0, 3.0, size=(6, 50)) + 0.1
    c = forecast_matrix(y, model="croston", horizon=3, params={"alpha": 0.2})
    s = forecast_matrix(y, model="ses", horizon=3, params={"alpha": 0.2, "level0": y[:, 0]})
    assert_allclose(c.mean, s.mean, rtol=1e-12)


@pytest.mark.parametrize("model", ALL)
def test_intervals_widen_with_horizon_and_are_ordered(model):
    rng = np.random.default_rng(3)
    y = rng.poisson(rng.uniform(0.3, 6, size=(20, 1)), size=(20, 84)).astype(float)
    y[:, 0] += 1  # a demand in the first bucket of the window
    r = forecast_matrix(y, model=model, horizon=10, season_length=7, level=(80, 95))
    width80 = r.upper[0] - r.lower[0]
    width95 = r.upper[1] - r.lower[1]
    assert np.all(width95 >= width80 - 1e-9)
    assert np.all(r.lower >= 0) and np.all(r.mean >= 0)
    assert np.all(r.lower[1] <= r.upper[1])
    unclipped = (r.lower[1] > 0).all(axis=1)  # clipping at zero may narrow a band
    assert np.all(np.diff(width95[unclipped], axis=1) >= -1e-9)
    assert not np.isnan(r.mean).any() and not np.isnan(r.upper).any()


def test_forecasts_non_negative_on_a_falling_trend():
    y = 60.0 - 3.0 * np.arange(20)  # ends at 3, falling by 3 per bucket
    r = forecast_matrix(y, model="holt", horizon=10, level=(95,))
    assert np.all(r.mean >= 0) and np.all(r.lower >= 0)
    assert_allclose(r.mean[0, :2], [0.0, 0.0], atol=1e-6)  # 0 and -3, clipped


def test_fits_every_sku_with_its_own_window():
    """A ragged start: the padded NaN before a SKU's first bucket is not read."""
    y = np.array([OIL, [np.nan] * 6 + OIL[6:]])
    r = forecast_matrix(y, model="ses", horizon=1)
    alone = forecast_matrix(OIL[6:], model="ses", horizon=1)
    assert_allclose(r.mean[1], alone.mean[0], rtol=1e-10)
    assert_allclose(r.params["alpha"][0], 0.8339, atol=1e-3)


# ----------------------------------------------------------------- bad input


def test_too_short_for_a_season_falls_back():
    r = forecast_matrix(np.arange(1.0, 10), model="holt_winters_additive", horizon=3,
                        season_length=7)  # fmt: skip
    assert r.model[0] == "ses" and "fewer than 2 seasons" in r.note[0]
    r = forecast_matrix([1.0, 2, 3], model="seasonal_naive", horizon=3, season_length=7)
    assert r.model[0] == "naive"
    assert not np.isnan(r.mean).any()


def test_multiplicative_season_with_zero_falls_back_to_additive():
    y = np.array(SEASONAL)
    y[5] = 0
    r = forecast_matrix(y, model="holt_winters_multiplicative", horizon=3, season_length=4)
    assert r.model[0] == "holt_winters_additive" and "zero" in r.note[0]


@pytest.mark.parametrize("model", ALL)
def test_all_zero_and_empty_rows_forecast_zero(model):
    y = np.zeros((2, 30))
    y[1] = np.nan  # no window at all
    r = forecast_matrix(y, model=model, horizon=4, season_length=7)
    assert_allclose(r.mean, 0.0)
    assert_allclose(r.upper, 0.0)
    assert "no history" in r.note[1]


def test_horizon_zero_raises():
    with pytest.raises(ValueError, match=r"horizon must be an integer >= 1 \[buckets\]; got 0"):
        forecast_matrix(OIL, model="ses", horizon=0)


def test_negative_demand_raises():
    with pytest.raises(ValueError, match=r"demand must be >= 0 \[units/bucket\]; got -1.0"):
        forecast_matrix([1.0, -1.0, 2.0], model="ses", horizon=1)


def test_nan_inside_window_raises():
    with pytest.raises(ValueError, match="finite inside each SKU's window; row 0 column 1"):
        forecast_matrix([1.0, np.nan, 2.0], model="ses", horizon=1)


def test_bad_level_and_model_raise():
    with pytest.raises(ValueError, match=r"level must be in \(0, 100\)"):
        forecast_matrix(OIL, model="ses", horizon=1, level=(100,))
    with pytest.raises(ValueError, match="model must be one of"):
        forecast_matrix(OIL, model="arima", horizon=1)


def _croston_errors(x, alpha):
    """One-step errors of Croston (started at the first demand) by hand recursion."""
    z, p, q, err = x[0], 1.0, 1, []
    for v in x[1:]:
        err.append(v - z / p)
        if v > 0:
            z, p, q = z + alpha * (v - z), p + alpha * (q - p), 1
        else:
            q += 1
    return np.array(err)


def test_intermittent_interval_quantiles_match_numpy():
    """The empirical intervals use numpy's default (linear) quantiles of the one-step
    errors, found by selection rather than a sort: checked on integer demand (many tied
    errors) and on windows of 2 to 400 buckets."""
    rng = np.random.default_rng(7)
    n_t = 400
    y = rng.poisson(2.0, (6, n_t)) * (rng.random((6, n_t)) < 0.3) + 0.0
    first = np.array([0, 150, 300, 390, 397, 398])
    y[np.arange(n_t)[None, :] < first[:, None]] = np.nan
    y[np.arange(6), first] += 1.0
    level = (50, 80, 95, 99)
    r = forecast_matrix(y, model="croston", horizon=3, level=level, params={"alpha": 0.1})
    for i in range(6):
        err = _croston_errors(y[i, first[i] :], 0.1)
        for j, lv in enumerate(level):
            lo, hi = np.quantile(err, [(1 - lv / 100) / 2, 1 - (1 - lv / 100) / 2])
            assert_allclose(r.lower[j, i], np.maximum(r.mean[i] + lo * np.sqrt([1, 2, 3]), 0))
            assert_allclose(r.upper[j, i], np.maximum(r.mean[i] + hi * np.sqrt([1, 2, 3]),
                                                      r.lower[j, i]))  # fmt: skip


def test_holt_winters_fits_smoothing_on_the_last_52_seasons():
    """The seasonal models fit alpha, beta, gamma on the last 52 seasons only: history
    before them changes the forecast (the states) but not the fitted parameters."""
    rng = np.random.default_rng(3)
    t = np.arange(500)
    y = 20 + 5 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, 500)
    y2 = y.copy()
    y2[:100] = 40 + rng.normal(0, 5, 100)
    r = forecast_matrix(np.vstack([y, y2]), model="holt_winters_additive", horizon=7,
                        season_length=7)  # fmt: skip
    for k in ("alpha", "beta", "gamma"):
        assert_allclose(r.params[k][0], r.params[k][1], rtol=1e-12)
    assert not np.allclose(r.mean[0], r.mean[1])


@pytest.mark.parametrize("model", ["ses", "holt", "damped"])
def test_non_seasonal_fit_smoothing_on_the_last_364_buckets(model):
    """With the initial states fitted, the non-seasonal models fit their smoothing on the
    last 364 buckets: earlier history does not change the fitted parameters."""
    rng = np.random.default_rng(5)
    y = 30 + np.cumsum(rng.normal(0, 1, 500))
    y2 = y.copy()
    y2[:100] = 60 + rng.normal(0, 5, 100)
    r = forecast_matrix(np.vstack([y, y2]), model=model, horizon=3)
    for k in ("alpha", "beta", "phi"):
        assert_allclose(r.params[k][0], r.params[k][1], rtol=1e-12)


@pytest.mark.parametrize(
    ("model", "names"),
    [
        ("holt", ("alpha", "beta")),
        ("damped", ("alpha", "beta", "phi")),
        ("holt_winters_additive", ("alpha", "beta", "gamma")),
        ("holt_winters_multiplicative", ("alpha", "beta", "gamma")),
    ],
)
def test_fitted_smoothing_is_a_minimum_of_the_sse(model, names):
    """The fit is a minimum: moving any fitted parameter by +-0.02 (inside the region)
    does not lower the SSE by more than 0.1 % (the fit stops once a step gains less than
    1e-4 of the SSE, so in a flat valley, e.g. along phi, it can stop a little short:
    1.4e-4 here for the damped trend). Every point is evaluated with its parameters
    given, so the SSE (sigma^2 x the same degrees of freedom) is comparable."""
    rng = np.random.default_rng(11)
    t = np.arange(300)
    if "gamma" in names:
        y = 50 + 0.05 * t + 6 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 3, 300)
    else:  # a local trend: the optimum is inside the region
        y = 50 + np.cumsum(rng.normal(0.1, 1, 300)) + rng.normal(0, 2, 300)
    fit = forecast_matrix(y, model=model, horizon=1, season_length=7)
    best = {k: float(fit.params[k][0]) for k in names}
    points = [best]
    for k in names:
        for d in (-0.02, 0.02):
            p = dict(best, **{k: best[k] + d})
            ok = (
                1e-4 <= p["alpha"] <= 0.9999
                and 0 <= p["beta"] <= p["alpha"]
                and 0 <= p.get("gamma", 0.0) <= 1 - p["alpha"]
                and 0.8 <= p.get("phi", 0.9) <= 0.98
            )
            if ok:
                points.append(p)
    rows = np.tile(y, (len(points), 1))
    given = {k: np.array([p[k] for p in points]) for k in names}
    r = forecast_matrix(rows, model=model, horizon=1, season_length=7, params=given)
    sse = r.sigma**2
    assert len(points) >= 1 + len(names)
    assert (sse[0] <= sse[1:] * (1 + 1e-3)).all()


def test_start_is_a_warm_start_of_the_fit():
    """Starting the fit at its own optimum gives the same optimum (within the stopping
    tolerance), and a start outside the region is clipped into it."""
    rng = np.random.default_rng(12)
    y = 40 + np.cumsum(rng.normal(0, 1, 250))
    cold = forecast_matrix(y, model="damped", horizon=5)
    st = {k: cold.params[k] for k in ("alpha", "beta", "phi")}
    warm = forecast_matrix(y, model="damped", horizon=5, start=st)
    assert_allclose(warm.sigma, cold.sigma, rtol=1e-3)
    odd = forecast_matrix(y, model="damped", horizon=5, start={"alpha": 3.0, "phi": 0.1})
    assert 0 < odd.params["alpha"][0] < 1 and 0.8 <= odd.params["phi"][0] <= 0.98
    with pytest.raises(ValueError, match="start has unknown keys"):
        forecast_matrix(y, model="damped", horizon=5, start={"gama": 0.1})


def test_season0_is_checked_and_used():
    """``season0`` needs m values per SKU; given with level0 and trend0 it starts the
    recursion (no heuristic, no fallback for a short history): with alpha = beta = gamma
    = 0 the forecast is level0 + h trend0 + season0 of the bucket."""
    y = [10.0, 12.0, 9.0]  # shorter than two seasons
    with pytest.raises(ValueError, match="season0 must hold season_length=4"):
        forecast_matrix(y, model="holt_winters_additive", horizon=4, season_length=4,
                        params={"season0": [1.0, 2.0]})  # fmt: skip
    p = dict(alpha=0.0, beta=0.0, gamma=0.0, level0=10.0, trend0=0.5, season0=[1, -1, 2, -2])
    r = forecast_matrix(y, model="holt_winters_additive", horizon=4, season_length=4, params=p)
    assert r.note[0] == "" and r.model[0] == "holt_winters_additive"
    # three buckets used seasons 0..2; the next is season 3, then 0, 1, 2
    expected = [10 + 0.5 * h + [1, -1, 2, -2][(h - 1) % 4] for h in range(4, 8)]
    assert_allclose(r.mean[0], expected)


def test_no_levels_skips_the_intervals_not_the_forecast():
    """``level=()`` (what a backtest uses) gives the same point forecasts without
    intervals."""
    rng = np.random.default_rng(13)
    y = rng.poisson(2.0, (4, 60)) * (rng.random((4, 60)) < 0.4)
    for model in ("croston", "imapa", "holt"):
        a = forecast_matrix(y, model=model, horizon=3)
        b = forecast_matrix(y, model=model, horizon=3, level=())
        assert_allclose(b.mean, a.mean, rtol=1e-12)
        assert b.lower.shape == (0, 4, 3) and b.upper.shape == (0, 4, 3)
