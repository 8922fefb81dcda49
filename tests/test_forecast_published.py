"""Forecasting models against worked examples printed in published sources.

Each test names its source and copies the data and the printed figures from it; the
figures were not computed with this package. Printed figures are rounded, so each
comparison allows half a unit of the last printed digit (more where the source rounds
its intermediate values, said in the test).

Further published cases live in ``tests/test_forecast_models.py`` (FPP2's Saudi oil
SES: fitted parameters, forecast and intervals; FPP3's variance tables). Cases derived
by hand from a paper's recursion, where no worked numbers were found, are labelled so.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from workbench.forecasting import forecast_matrix


def one_step_path(y, **kw) -> np.ndarray:
    """The one-step forecast of y[k] from y[:k], k = 1..n (the last one forecasts the
    bucket after the data): one call, each prefix right-aligned in its own row."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    rows = np.full((n, n), np.nan)
    for k in range(1, n + 1):
        rows[k - 1, n - k :] = y[:k]
    first = n - np.arange(1, n + 1)
    return forecast_matrix(rows, horizon=1, first=first, **kw).mean[:, 0]


# Quarterly sales 1990-1995 of the NIST/SEMATECH e-Handbook of Statistical Methods,
# sec. 6.4.3.5 (the triple exponential smoothing example), as reproduced with simple
# exponential smoothing forecasts in the spreadsheet "Exponential Smoothing Example"
# (Scribd document 478748477): F_2 = y_1, forecasts printed to whole units.
NIST_SALES = [
    362, 385, 432, 341, 382, 409, 498, 387, 473, 513, 582, 474,
    544, 582, 681, 557, 628, 707, 773, 592, 627, 725, 854, 661,
]  # fmt: skip


def test_ses_alpha_045_nist_sales_spreadsheet():
    """alpha = 0.45: forecasts of quarters 2..25 as printed."""
    printed = [
        362, 372, 399, 373, 377, 391, 439, 416, 442, 474, 522, 501,
        520, 548, 608, 585, 604, 651, 706, 655, 642, 679, 758, 714,
    ]  # fmt: skip
    f = one_step_path(NIST_SALES, model="ses", params={"alpha": 0.45, "level0": 362.0})
    assert_allclose(f, printed, atol=0.5)


def test_ses_alpha_005_nist_sales_spreadsheet():
    """alpha = 0.05: forecasts of quarters 2..25 as printed."""
    printed = [
        362, 363, 367, 365, 366, 368, 375, 375, 380, 387, 397, 401,
        408, 416, 430, 436, 446, 459, 474, 480, 488, 499, 517, 524,
    ]  # fmt: skip
    f = one_step_path(NIST_SALES, model="ses", params={"alpha": 0.05, "level0": 362.0})
    assert_allclose(f, printed, atol=0.5)


# S. Wong, "Time Series Forecasting Exercise: Simple Exponential Smoothing",
# wongsteve.com/Exponential_Smoothing.htm: alpha = 0.3, F_2 = y_1.
WONG = [99, 88, 50, 58, 62, 60, 55, 62, 71, 65]


def test_ses_alpha_03_wong_exercise_forecasts():
    """Printed forecasts of periods 2..10 (one decimal) and of period 11: 65.42 (computed
    there from the rounded 65.6, so to 0.02)."""
    f = one_step_path(WONG, model="ses", params={"alpha": 0.3, "level0": 99.0})
    assert_allclose(f[:-1], [99.0, 95.7, 82.0, 74.8, 71.0, 67.7, 63.9, 63.3, 65.6], atol=0.05)
    assert_allclose(f[-1], 65.42, atol=0.02)


def test_ses_alpha_03_wong_exercise_error_measures():
    """The same table's errors of periods 2..10: bias -12.43, MAD 14.14, MSE 365.80
    (from the rounded forecasts, so to 0.1)."""
    f = one_step_path(WONG, model="ses", params={"alpha": 0.3, "level0": 99.0})
    e = np.asarray(WONG[1:], float) - f[:-1]  # actual - forecast, periods 2..10
    assert_allclose([e.mean(), np.abs(e).mean(), (e * e).mean()], [-12.43, 14.14, 365.80],
                    atol=0.1)  # fmt: skip


# A textbook exercise (Anderson, Sweeney and Williams, *Statistics for Business and
# Economics*, ch. 17, "consider the following time series data"), as solved at
# justaaa.com/statistics-and-probability/57877: months 1..7.
ASW = [23, 13, 21, 13, 19, 21, 17]


def test_moving_average_3_asw_exercise():
    """Three-month moving average: forecasts of months 4..7 19.00, 15.67, 17.67, 17.67,
    MSE 14.67, forecast of month 8 19.00."""
    f = one_step_path(ASW, model="moving_average", window=3)
    assert_allclose(f[2:], [19.00, 15.67, 17.67, 17.67, 19.00], atol=0.005)
    e = np.asarray(ASW[3:], float) - f[2:-1]
    assert_allclose((e * e).mean(), 14.67, atol=0.005)


def test_ses_alpha_02_asw_exercise():
    """alpha = 0.2 with F_2 = y_1: forecasts of months 2..7 23, 21, 21, 19.40, 19.32,
    19.66, MSE 29.01, forecast of month 8 19.13 (computed there from the rounded 19.66:
    exactly 19.1248, so to 0.01)."""
    f = one_step_path(ASW, model="ses", params={"alpha": 0.2, "level0": 23.0})
    assert_allclose(f[:-1], [23, 21, 21, 19.40, 19.32, 19.66], atol=0.005)
    e = np.asarray(ASW[1:], float) - f[:-1]
    assert_allclose((e * e).mean(), 29.01, atol=0.005)
    assert_allclose(f[-1], 19.13, atol=0.01)


# ------------------------------------------------------ intermittent models


# Croston (1972), and the R forecast package's ``croston()`` (Hyndman et al.): on demand,
# size z and interval p are smoothed with alpha; between demands they are kept; the
# forecast is z / p. SBA multiplies it by 1 - alpha/2 (Syntetos and Boylan 2005, eq. 6).
SPARSE = [0, 0, 3, 0, 0, 0, 2, 0, 5, 0, 0, 1, 0, 0, 0, 0, 4, 0, 0, 3]  # forecast's test-croston.R


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.2, 0.5])
def test_sba_is_croston_times_one_minus_half_alpha_syntetos_boylan_2005(alpha):
    """Syntetos and Boylan (2005), IJF 21(2), eq. 6: the SBA estimate is (1 - alpha/2) times
    Croston's, for any alpha; the R forecast package's tests check Croston > SBA on this
    series (test-croston.R)."""
    c = forecast_matrix(SPARSE, model="croston", horizon=3, params={"alpha": alpha}).mean
    s = forecast_matrix(SPARSE, model="sba", horizon=3, params={"alpha": alpha}).mean
    assert_allclose(s, c * (1 - alpha / 2), rtol=1e-12)
    assert (c > s).all()


def test_croston_hand_derived_on_the_r_forecast_test_series():
    """Hand-derived (no printed output found): the series of the R forecast package's
    test-croston.R from its first demand (3, interval 1 by this package's start), alpha
    0.1: demands 2, 5, 1, 4, 3 after intervals 4, 2, 3, 5, 3 give
    z = 3 -> 2.9 -> 3.11 -> 2.899 -> 3.0091 -> 3.00819,
    p = 1 -> 1.3 -> 1.37 -> 1.533 -> 1.8797 -> 1.99173, forecast z / p."""
    z, p = 3.0, 1.0
    for size, gap in ((2, 4), (5, 2), (1, 3), (4, 5), (3, 3)):
        z = 0.1 * size + 0.9 * z
        p = 0.1 * gap + 0.9 * p
    assert_allclose([z, p], [3.00819, 1.99173], rtol=1e-12)
    r = forecast_matrix(SPARSE, model="croston", horizon=1, params={"alpha": 0.1})
    assert_allclose(r.mean[0, 0], 3.00819 / 1.99173, rtol=1e-12)


def test_tsb_hand_derived_teunter_syntetos_babai_2011():
    """Hand-derived from Teunter, Syntetos and Babai (2011), EJOR 214(3), eqs. 4-6 (no
    worked numbers in the paper): every bucket the probability pi <- pi + beta (1[y>0] - pi),
    on demand the size z <- z + alpha (y - z); forecast pi z. On 2, 0, 0, 4 (alpha 0.2,
    beta 0.1, from pi = 1, z = 2): pi 1 -> 0.9 -> 0.81 -> 0.829, z 2 -> 2.4, 0.829 x 2.4."""
    r = forecast_matrix([2.0, 0, 0, 4], model="tsb", horizon=2, params={"alpha": 0.2, "beta": 0.1})
    assert_allclose(r.mean[0], [0.829 * 2.4] * 2, rtol=1e-12)
