"""Tests for workbench.policy.service: loss functions, lead-time demand, reorder points.

Published cases name their book and example. Every number was recomputed from the
formula; where a book rounds z (1.65 for 1.645, 2.05 for 2.054) the tolerance says so.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from workbench.policy.service import (
    LeadTimeDemand,
    ReorderPoint,
    lead_time_demand,
    normal_loss,
    normal_loss2,
    normal_loss_inverse,
    poisson_loss,
    poisson_loss2,
    poisson_service_level,
    reorder_point,
    safety_stock,
)

# Harvey's Specialty Shop (Nahmias, Production and Operations Analysis, ch. 5): 100 jars
# over a six-month lead time (sd 25), i.e. 200 a year. Expressed per day over 182.5 days.
HARVEY = dict(demand_mean=100 / 182.5, demand_sd=25 / np.sqrt(182.5), lead_time_days=182.5)

# ----------------------------------------------------------------------------- published cases

# Standard normal loss table: textbook_cases.md; SPT appendix B; Nahmias table A-4.
LOSS_TABLE = [
    (0.0, 0.39894),
    (0.5, 0.19780),
    (1.0, 0.08332),
    (1.5, 0.02931),
    (2.0, 0.00849),
    (2.5, 0.00200),
]


@pytest.mark.parametrize(("z", "expected"), LOSS_TABLE)
def test_normal_loss_table(z, expected):
    # table printed to 5 decimals
    assert_allclose(normal_loss(z), expected, atol=5e-6)


@pytest.mark.parametrize(("z", "loss"), LOSS_TABLE)
def test_normal_loss_inverse_table(z, loss):
    # the table's 5-decimal rounding moves z by up to 5e-6 / (1 - Phi(z)) = 8e-4 at z = 2.5
    assert_allclose(normal_loss_inverse(loss), z, atol=1e-3)


# (source, kwargs, book reorder point, recomputed reorder point, book's rounding tolerance)
ROP_CASES = [
    (
        "Heizer & Render, Memorial Hospital (LTD 350, sd 10, 95 %): book z = 1.65 -> 366.5",
        dict(demand_mean=350, demand_sd=10, lead_time_days=1, service_level=0.95),
        366.5,
        350 + stats.norm.ppf(0.95) * 10,
        0.06,
    ),
    (
        "Heizer & Render, Circuit Town iPods (15/day sd 5, L 2 days, 90 %): book 39",
        dict(demand_mean=15, demand_sd=5, lead_time_days=2, service_level=0.90),
        39.0,
        30 + stats.norm.ppf(0.90) * 5 * np.sqrt(2),
        0.1,
    ),
    (
        "Heizer & Render, Circuit Town cameras (10/day, L 6 sd 1 day, 98 %): book 80.55 ~ 81",
        dict(
            demand_mean=10, demand_sd=0, lead_time_days=6, lead_time_sd_days=1, service_level=0.98
        ),
        80.55,
        60 + stats.norm.ppf(0.98) * 10,
        0.02,
    ),
    (
        "Heizer & Render, Circuit Town 9-volt batteries (150/day sd 16, L 5 sd 1, 95 %): "
        "book z = 1.65 -> 1,004",
        dict(
            demand_mean=150, demand_sd=16, lead_time_days=5, lead_time_sd_days=1, service_level=0.95
        ),
        1004.0,
        750 + stats.norm.ppf(0.95) * np.sqrt(5 * 16**2 + 150**2),
        0.8,
    ),
    (
        "Heizer & Render, Electronic Assemblies (8,000 a year over 250 days, L 3): ROP 96",
        dict(demand_mean=8000 / 250, demand_sd=0, lead_time_days=3, service_level=0.95),
        96.0,
        96.0,
        1e-9,
    ),
    (
        "Nahmias, Harvey's Specialty Shop, type 1 service 98 %: book z = 2.05 -> R = 151",
        dict(**HARVEY, service_level=0.98),
        151.0,
        100 + stats.norm.ppf(0.98) * 25,
        0.4,
    ),
    (
        "Nahmias, Harvey's Specialty Shop, type 2 service 98 %, Q = EOQ = 100: L(z) = 0.08, "
        "book z = 1.02 -> R = 125.5",
        dict(**HARVEY, service_level=0.98, service_type="fill_rate", order_quantity=100),
        125.5,
        None,
        0.1,
    ),
]


@pytest.mark.parametrize(
    ("source", "kwargs", "book", "recomputed", "tol"), ROP_CASES, ids=[c[0][:40] for c in ROP_CASES]
)
def test_reorder_point_published(source, kwargs, book, recomputed, tol):
    r = reorder_point(**kwargs)
    assert_allclose(r.reorder_point, book, atol=tol)
    if recomputed is not None:
        assert_allclose(r.reorder_point, recomputed, rtol=1e-12)
    assert_allclose(r.safety_stock, r.reorder_point - r.lead_time_demand_mean, rtol=1e-12)


def test_memorial_hospital_safety_stock():
    # Heizer & Render, Memorial Hospital: 16.45 units (16.5 in the book with z = 1.65)
    r = safety_stock(350, 10, lead_time_days=1, service_level=0.95)
    assert_allclose(r.safety_stock, 16.45, atol=0.005)
    assert_allclose(r.safety_factor, 1.6449, atol=1e-4)
    assert_allclose(r.cycle_service_level, 0.95, rtol=1e-12)


def test_batteries_lead_time_demand_sd():
    # Heizer & Render, Circuit Town batteries: sigma_dLT = sqrt(5 * 16^2 + 150^2 * 1^2) = 154.2
    ltd = lead_time_demand(150, 16, lead_time_days=5, lead_time_sd_days=1)
    assert isinstance(ltd, LeadTimeDemand)
    assert_allclose(ltd.mean, 750.0)
    assert_allclose(ltd.sd, 154.2, atol=0.05)


def test_harvey_fill_rate_achieved_and_stockouts():
    # Nahmias, Harvey's type 2 case: the achieved fill rate is the 98 % target, the cycle
    # service level is Phi(1.0212) = 0.846; with 2 orders a year, (1 - CSL) * 2 stockouts.
    r = reorder_point(**HARVEY, service_level=0.98, service_type="fill_rate", order_quantity=100)
    assert_allclose(r.fill_rate, 0.98, rtol=1e-10)
    assert_allclose(r.expected_shortage_per_cycle, 2.0, rtol=1e-10)
    assert_allclose(r.safety_factor, 1.0212, atol=5e-5)
    assert_allclose(r.cycle_service_level, stats.norm.cdf(r.safety_factor), rtol=1e-12)
    assert_allclose(r.stockouts_per_year, (1 - r.cycle_service_level) * 200 / 100, rtol=1e-9)


def test_harvey_type1_stockouts_per_year():
    # Nahmias, Harvey's type 1 at 98 % with Q = 100 and 200 jars a year: 0.02 * 2 = 0.04
    r = reorder_point(**HARVEY, service_level=0.98, order_quantity=100)
    assert_allclose(r.stockouts_per_year, 0.04, rtol=1e-9)
    assert_allclose(r.fill_rate, 1 - 25 * normal_loss(stats.norm.ppf(0.98)) / 100, rtol=1e-12)


# ----------------------------------------------------------------------------- loss functions


def test_normal_loss_matches_definition():
    z = np.linspace(-6, 6, 121)
    direct = stats.norm.pdf(z) - z * stats.norm.sf(z)
    assert_allclose(normal_loss(z), direct, rtol=1e-12, atol=1e-15)


def test_normal_loss_far_tail_relative_accuracy():
    # G(z) ~ phi(z) / z^2 (1 - 3/z^2 + 15/z^4 - ...): compare at z = 20 and 30
    for z in (20.0, 30.0):
        asym = stats.norm.pdf(z) / z**2 * (1 - 3 / z**2 + 15 / z**4 - 105 / z**6)
        assert_allclose(normal_loss(z), asym, rtol=1e-7)


def test_normal_loss_inverse_accuracy_on_grid():
    z = np.linspace(-30, 37, 20001)  # G(37) = 1e-300 is still a normal float
    assert_allclose(normal_loss_inverse(normal_loss(z)), z, atol=1e-10)


@given(st.floats(min_value=-50, max_value=37, allow_nan=False))
def test_normal_loss_inverse_roundtrip(z):
    assert abs(normal_loss_inverse(normal_loss(z)) - z) <= 1e-10


@pytest.mark.parametrize(
    ("s", "mean"),
    [(0, 2.0), (3, 2.0), (2.5, 2.0), (-1.5, 2.0), (7, 0.3), (40, 35.0), (0, 0.0), (5, 0.0)],
)
def test_poisson_loss_against_summation(s, mean):
    x = np.arange(0, 400)
    brute = np.sum(np.clip(x - s, 0, None) * stats.poisson.pmf(x, mean))
    assert_allclose(poisson_loss(s, mean=mean), brute, rtol=1e-12, atol=1e-15)


def test_poisson_service_level_is_cdf():
    assert_allclose(poisson_service_level([0, 2, 4], mean=2.0), stats.poisson.cdf([0, 2, 4], 2.0))


# ----------------------------------------------------------------------------- Poisson demand


@pytest.mark.parametrize("alpha", [0.5, 0.8, 0.9, 0.95, 0.99])
@pytest.mark.parametrize("mean", [0.2, 1.0, 3.7, 12.0])
def test_poisson_cycle_is_smallest_integer(alpha, mean):
    r = reorder_point(mean, 0.0, lead_time_days=1, service_level=alpha, distribution="poisson")
    s = r.reorder_point
    assert s == np.floor(s)
    assert stats.poisson.cdf(s, mean) >= alpha - 1e-12
    if s > 0:  # the smallest integer: one less misses the target
        assert stats.poisson.cdf(s - 1, mean) < alpha
    assert_allclose(r.cycle_service_level, stats.poisson.cdf(s, mean))
    assert_allclose(r.lead_time_demand_sd, np.sqrt(mean))


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.95, 0.99, 0.999])
@pytest.mark.parametrize(("mean", "q"), [(0.4, 2.0), (3.0, 5.0), (12.0, 10.0), (50.0, 100.0)])
def test_poisson_fill_rate_is_smallest_integer(beta, mean, q):
    r = reorder_point(
        mean,
        0.0,
        lead_time_days=1,
        service_level=beta,
        service_type="fill_rate",
        order_quantity=q,
        distribution="poisson",
    )
    s = r.reorder_point
    assert s == np.floor(s)
    assert poisson_loss(s, mean=mean) <= q * (1 - beta) + 1e-12
    assert r.fill_rate >= beta - 1e-12
    if s > 0:
        assert poisson_loss(s - 1, mean=mean) > q * (1 - beta)


def test_poisson_slow_mover_gets_the_smallest_integer_not_the_means_ceiling():
    # Issue 15: mean 0.05 at 95 %: s = 0 already gives P(X <= 0) = e^-0.05 = 0.951, but the
    # old default clip raised s to ceil(0.05) = 1. The newsvendor gives 0 for the same data.
    from workbench.policy.single_period import newsvendor

    r = reorder_point(0.05, 0.0, lead_time_days=1, service_level=0.95, distribution="poisson")
    assert r.reorder_point == 0.0
    assert_allclose(r.cycle_service_level, np.exp(-0.05), rtol=1e-12)
    assert_allclose(r.safety_stock, -0.05)
    nv = newsvendor(0.05, distribution="poisson", underage_cost=0.95, overage_cost=0.05)
    assert nv.order_quantity == r.reorder_point
    # the old behaviour on request
    old = reorder_point(
        0.05, 0.0, lead_time_days=1, service_level=0.95, distribution="poisson", clip_negative=True
    )
    assert old.reorder_point == 1.0
    # normal demand keeps clipping a negative safety stock by default
    n = reorder_point(
        100.0, 10.0, lead_time_days=1, service_level=0.5, service_type="fill_rate",
        order_quantity=1000, distribution="normal",
    )  # fmt: skip
    assert n.safety_stock == 0.0


def test_poisson_vectorized_matches_scalar_calls():
    means = np.array([0.0, 0.3, 2.0, 9.5, 40.0])
    betas = np.array([0.9, 0.95, 0.99, 0.8, 0.97])
    vec = reorder_point(
        means,
        0,
        lead_time_days=1,
        service_level=betas,
        service_type="fill_rate",
        order_quantity=4.0,
        distribution="poisson",
    )
    one = [
        reorder_point(
            m,
            0,
            lead_time_days=1,
            service_level=b,
            service_type="fill_rate",
            order_quantity=4.0,
            distribution="poisson",
        ).reorder_point
        for m, b in zip(means, betas, strict=True)
    ]
    assert_allclose(vec.reorder_point, one)


# ----------------------------------------------------------------------------- properties

levels = st.floats(min_value=0.01, max_value=0.999)


@settings(max_examples=60, deadline=None)
@given(
    a=levels,
    b=levels,
    mu=st.floats(0, 500),
    sd=st.floats(0, 100),
    lt=st.floats(0.1, 90),
    lt_sd=st.floats(0, 10),
    q=st.floats(1, 5000),
    kind=st.sampled_from(["cycle", "fill_rate"]),
    dist=st.sampled_from(["normal", "poisson"]),
)
def test_safety_stock_never_falls_as_service_rises(a, b, mu, sd, lt, lt_sd, q, kind, dist):
    lo, hi = sorted((a, b))
    if dist == "poisson":
        lt_sd = 0.0
    kw = dict(
        lead_time_days=lt,
        lead_time_sd_days=lt_sd,
        service_type=kind,
        order_quantity=q,
        distribution=dist,
    )
    s_lo = safety_stock(mu, sd, service_level=lo, **kw).safety_stock
    s_hi = safety_stock(mu, sd, service_level=hi, **kw).safety_stock
    assert s_hi >= s_lo - 1e-9 * max(1.0, abs(s_lo))


@settings(max_examples=60, deadline=None)
@given(a=levels, b=levels, sd=st.floats(0.01, 100), q=st.floats(1, 1000))
def test_fill_rate_rises_with_safety_stock(a, b, sd, q):
    lo, hi = sorted((a, b))
    r_lo = reorder_point(10.0, sd, lead_time_days=5, service_level=lo, order_quantity=q)
    r_hi = reorder_point(10.0, sd, lead_time_days=5, service_level=hi, order_quantity=q)
    assert r_hi.safety_stock >= r_lo.safety_stock
    assert r_hi.fill_rate >= r_lo.fill_rate - 1e-12


@settings(max_examples=40, deadline=None)
@given(
    mu=st.floats(0, 1000),
    lt=st.floats(0.1, 60),
    rp=st.floats(0, 30),
    alpha=levels,
    kind=st.sampled_from(["cycle", "fill_rate"]),
)
def test_zero_variability_gives_zero_safety_stock(mu, lt, rp, alpha, kind):
    r = reorder_point(
        mu,
        0.0,
        lead_time_days=lt,
        review_period_days=rp,
        service_level=alpha,
        service_type=kind,
        order_quantity=50.0,
    )
    assert r.safety_stock == 0.0
    assert_allclose(r.reorder_point, mu * (lt + rp))
    assert r.expected_shortage_per_cycle == 0.0
    assert r.cycle_service_level == 1.0
    assert r.fill_rate == 1.0


@settings(max_examples=60, deadline=None)
@given(beta=st.floats(0.5, 0.9999), sd=st.floats(0.1, 200), q=st.floats(1, 2000))
def test_fill_rate_target_is_met_exactly_when_safety_stock_positive(beta, sd, q):
    r = reorder_point(
        1.0, sd, lead_time_days=1, service_level=beta, service_type="fill_rate", order_quantity=q
    )
    if r.safety_factor > 0:
        assert_allclose(r.fill_rate, beta, rtol=1e-9)
    else:  # clipped: the target is exceeded with no safety stock
        assert r.fill_rate >= beta - 1e-12


def test_negative_safety_stock_clipped_by_default_and_allowed_on_request():
    # a 50 % fill rate with Q = 1,000 against sigma_L = 10 needs G(k) = 50: k = -50
    kw = dict(lead_time_days=1, service_level=0.5, service_type="fill_rate", order_quantity=1000)
    clipped = reorder_point(100.0, 10.0, **kw)
    assert clipped.safety_stock == 0.0
    assert clipped.fill_rate > 0.99
    raw = reorder_point(100.0, 10.0, clip_negative=False, **kw)
    assert_allclose(raw.safety_factor, -50.0, atol=1e-9)
    assert_allclose(raw.safety_stock, -500.0, atol=1e-7)


def test_review_period_widens_protection_interval():
    # SPT sec. 6.9: (R, S) protects over R + L
    r = reorder_point(10.0, 3.0, lead_time_days=4, review_period_days=5, service_level=0.95)
    assert_allclose(r.lead_time_demand_mean, 90.0)
    assert_allclose(r.lead_time_demand_sd, 3.0 * 3.0)


# ----------------------------------------------------------------------------- input types


def test_scalar_in_gives_floats_out():
    r = reorder_point(10, 2, lead_time_days=4, order_quantity=50)
    assert isinstance(r, ReorderPoint)
    assert all(isinstance(v, float) for v in r)


def test_list_and_ndarray_in_give_ndarray_out():
    for mu in ([10.0, 20.0], np.array([10.0, 20.0])):
        r = reorder_point(mu, 2.0, lead_time_days=[4, 9])
        assert isinstance(r.reorder_point, np.ndarray)
        assert r.reorder_point.shape == (2,)
        assert_allclose(r.lead_time_demand_mean, [40.0, 180.0])


def test_series_in_gives_series_out_with_index():
    idx = pd.Index(["A-1", "B-7", "C-3"], name="sku")
    mu = pd.Series([10.0, 0.0, 3.0], index=idx)
    r = reorder_point(mu, 2.0, lead_time_days=5, order_quantity=40)
    for field in r:
        assert isinstance(field, pd.Series)
        assert field.index.equals(idx)
    assert r.reorder_point.name == "reorder_point"
    ltd = lead_time_demand(mu, 1.0, lead_time_days=2)
    assert ltd.sd.index.equals(idx)


def test_nan_propagates_and_empty_is_empty():
    r = reorder_point([10.0, np.nan], [2.0, 1.0], lead_time_days=4, order_quantity=30)
    assert np.isnan(r.reorder_point[1]) and np.isfinite(r.reorder_point[0])
    assert np.isnan(normal_loss_inverse([np.nan, 0.1])[0])
    e = reorder_point(
        np.array([]), np.array([]), lead_time_days=3, service_type="fill_rate", order_quantity=10
    )
    assert all(np.asarray(v).shape == (0,) for v in e)
    assert normal_loss(np.array([])).shape == (0,)


def test_zero_demand_item_gives_zero_stock_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for dist in ("normal", "poisson"):
            for kind in ("cycle", "fill_rate"):
                r = reorder_point(
                    0.0,
                    0.0,
                    lead_time_days=7,
                    service_level=0.95,
                    service_type=kind,
                    order_quantity=10,
                    distribution=dist,
                )
                assert r.reorder_point == 0.0 and r.safety_stock == 0.0
                assert r.fill_rate == 1.0 and r.stockouts_per_year == 0.0
                assert not any(np.isnan(v) for v in r)


def test_without_order_quantity_fill_rate_and_stockouts_are_nan():
    r = reorder_point(10.0, 2.0, lead_time_days=3)
    assert np.isnan(r.fill_rate) and np.isnan(r.stockouts_per_year)
    assert np.isfinite(r.expected_shortage_per_cycle)


# ----------------------------------------------------------------------------- validation

BASE = dict(demand_mean=10.0, demand_sd=2.0, lead_time_days=5.0)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (dict(service_level=1.0), r"service_level must be strictly between 0 and 1 .*got 1"),
        (dict(service_level=0.0), r"service_level must be strictly between 0 and 1 .*got 0"),
        (dict(service_level=[0.9, 95]), r"service_level .*got 95 at 1 position"),
        (dict(demand_sd=-1.0), r"demand_sd must be >= 0 \[units/day\]; got -1"),
        (dict(demand_mean=-3.0), r"demand_mean must be >= 0 \[units/day\]; got -3"),
        (dict(lead_time_days=0.0), r"lead_time_days must be > 0 \[days\]; got 0"),
        (dict(lead_time_sd_days=-2.0), r"lead_time_sd_days must be >= 0 \[days\]; got -2"),
        (dict(review_period_days=-7.0), r"review_period_days must be >= 0 \[days\]; got -7"),
        (dict(service_type="fill_rate"), r"order_quantity is required for service_type="),
        (
            dict(service_type="fill_rate", order_quantity=0.0),
            r"order_quantity must be > 0 \[units\]; got 0",
        ),
        (dict(order_quantity=-5.0), r"order_quantity must be > 0 \[units\]; got -5"),
        (dict(service_type="type1"), r"service_type must be one of \('cycle', 'fill_rate'\)"),
        (dict(distribution="gamma"), r"distribution must be one of \('normal', 'poisson'\)"),
        (
            dict(distribution="poisson", lead_time_sd_days=1.0),
            r"lead_time_sd_days must be 0 for distribution='poisson'.*\[days\]; got 1",
        ),
        (dict(days_per_year=0), r"days_per_year must be > 0 \[days/year\]; got 0"),
    ],
)
def test_reorder_point_validation(override, message):
    with pytest.raises(ValueError, match=message):
        reorder_point(**{**BASE, **override})
    with pytest.raises(ValueError, match=message):
        safety_stock(**{**BASE, **override})


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (dict(demand_sd=-1.0), r"demand_sd must be >= 0 \[units/day\]; got -1"),
        (dict(lead_time_days=-1.0), r"lead_time_days must be > 0 \[days\]; got -1"),
        (dict(lead_time_sd_days=-0.5), r"lead_time_sd_days must be >= 0 \[days\]; got -0.5"),
    ],
)
def test_lead_time_demand_validation(override, message):
    with pytest.raises(ValueError, match=message):
        lead_time_demand(**{**BASE, **override})


def test_loss_validation():
    with pytest.raises(ValueError, match=r"loss must be > 0 \[standard deviations\]; got 0"):
        normal_loss_inverse(0.0)
    with pytest.raises(ValueError, match=r"loss must be > 0 \[standard deviations\]; got -0.1"):
        normal_loss_inverse([0.2, -0.1])
    with pytest.raises(ValueError, match=r"mean must be >= 0 \[units\]; got -2"):
        poisson_loss(1, mean=-2.0)
    with pytest.raises(ValueError, match=r"mean must be >= 0 \[units\]; got -1"):
        poisson_service_level(1, mean=-1.0)
    with pytest.raises(ValueError, match=r"z must be numeric"):
        normal_loss("high")


def test_loss_extremes_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_allclose(normal_loss([1e200, -1e200, 50.0]), [0.0, 1e200, 0.0])
        z = normal_loss_inverse([1e300, 1e-320, 25.0])
        assert_allclose(z[0], -1e300)
        assert 37 < z[1] < 39  # subnormal target: z only to a few digits
        assert_allclose(z[2], -25.0, atol=1e-12)


def test_poisson_ppf_matches_scipy():
    # the one Poisson quantile that reorder_point and newsvendor share
    from workbench.policy.service import _poisson_quantile

    rng = np.random.default_rng(11)
    mean = np.concatenate([rng.uniform(0, 3, 3000), rng.uniform(0, 2000, 3000), [0.0, 1e-9]])
    alpha = rng.uniform(0.01, 0.9999, mean.size)
    q, cdf = _poisson_quantile(alpha, mean)
    assert np.array_equal(q, stats.poisson.ppf(alpha, mean))
    np.testing.assert_allclose(cdf, stats.poisson.cdf(q, mean), rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------- second-order loss

# Snyder & Shen, Fundamentals of Supply Chain Theory (2nd ed.), appendix C, Eqs. (C.19) and
# (C.24) for the normal, Zipkin (2000) sec. C.2.3.4 for the Poisson: the values are those
# of the test suite of Snyder's own library (stockpyl, tests/test_loss_functions.py), to
# its 15 digits; they are exact formulas, so 1e-9 relative.
NORMAL_LOSS2_CASES = [
    (-1.4, 0.0, 1.0, 1.465289370279040),
    (0.3, 0.0, 1.0, 0.151030102587942),
    (3.1, 0.0, 1.0, 6.956550901328958e-05),
    (11.0, 8.0, 3.0, 0.339029025046969),
    (10.5, 15.0, 5.0, 21.454098725390558),
]
POISSON_LOSS2_CASES = [(18, 15.0, 0.848340302917794), (5, 7.0, 4.040829435261403)]


@pytest.mark.parametrize(("x", "mean", "sd", "expected"), NORMAL_LOSS2_CASES)
def test_normal_loss2_published(x, mean, sd, expected):
    assert_allclose(normal_loss2(x, mean=mean, sd=sd), expected, rtol=1e-9)


@pytest.mark.parametrize(("s", "mean", "expected"), POISSON_LOSS2_CASES)
def test_poisson_loss2_published(s, mean, expected):
    assert_allclose(poisson_loss2(s, mean=mean), expected, rtol=1e-9)


def test_normal_loss2_is_half_the_expected_squared_shortfall():
    from scipy import integrate

    for z in (-6.0, -2.0, -0.5, 0.0, 0.7, 2.5, 5.0, 8.0):
        ref, _ = integrate.quad(
            lambda x, z=z: 0.5 * (x - z) ** 2 * stats.norm.pdf(x), z, np.inf, epsabs=0,
            epsrel=1e-13,
        )  # fmt: skip
        assert_allclose(normal_loss2(z), ref, rtol=1e-9)
    assert normal_loss2(0.0) == 0.25  # E[Z^2] / 4
    # far tail: G2(z) ~ phi(z) / z^3 (1 - 6/z^2 + 45/z^4)
    z = 25.0
    assert_allclose(normal_loss2(z), stats.norm.pdf(z) / z**3 * (1 - 6 / z**2 + 45 / z**4),
                    rtol=1e-5)  # fmt: skip


def test_normal_loss2_properties():
    z = np.linspace(-8, 8, 3201)
    g2 = normal_loss2(z)
    # symmetry G2(z) + G2(-z) = E[(Z - z)^2] / 2 = (1 + z^2) / 2
    assert_allclose(g2 + normal_loss2(-z), 0.5 * (1 + z**2), rtol=1e-13)
    # its derivative is minus the first-order loss (trapezoid over a fine grid)
    step = z[1] - z[0]
    assert_allclose(-np.diff(g2) / step, 0.5 * (normal_loss(z[1:]) + normal_loss(z[:-1])),
                    atol=1e-5)  # fmt: skip
    assert np.all(np.diff(g2) < 0) and np.all(g2 > 0)
    # scaling: n2(x; mu, sigma) = sigma^2 G2((x - mu) / sigma); sd = 0 is the point mass
    assert_allclose(normal_loss2(13.0, mean=10.0, sd=2.0), 4 * normal_loss2(1.5), rtol=1e-14)
    assert normal_loss2([4.0, 12.0], mean=10.0, sd=0.0).tolist() == [18.0, 0.0]


@pytest.mark.parametrize("mean", [0.0, 0.3, 2.0, 7.0, 40.0])
def test_poisson_loss2_against_summation_and_pmf_loss2(mean):
    from workbench.policy.distributions import pmf_loss2, poisson_pmf

    x = np.arange(0, 400)
    f = stats.poisson.pmf(x, mean)
    s = np.arange(-3, 60)
    brute = [0.5 * np.sum(np.clip(x - k, 0, None) * np.clip(x - k - 1, 0, None) * f) for k in s]
    assert_allclose(poisson_loss2(s, mean=mean), brute, rtol=1e-10, atol=1e-14)
    # n2(s) = sum over j > s of the first-order loss n(j)
    tail = [np.sum(poisson_loss(np.arange(k + 1, 400), mean=mean)) for k in s]
    assert_allclose(poisson_loss2(s, mean=mean), tail, rtol=1e-10, atol=1e-14)
    if mean > 0:
        pmf = poisson_pmf([mean])
        # poisson_pmf cuts the tail (and pmf_loss2 is 0 at its last cells): agreement is
        # absolute, away from the cut (the cut mass 1e-12 times s^2 leaves ~1e-7 at mean 40)
        k = np.arange(0, pmf.shape[1] - 3)
        assert_allclose(poisson_loss2(k, mean=mean), pmf_loss2(np.repeat(pmf, k.size, 0), k),
                        rtol=1e-6, atol=1e-6)  # fmt: skip


def test_second_order_loss_input_types_and_validation():
    z = pd.Series([0.0, 1.0], index=["a", "b"])
    out = normal_loss2(z)
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b"]
    assert isinstance(normal_loss2(0.5), float)
    assert np.isnan(normal_loss2(np.nan))
    p = poisson_loss2(pd.Series([1, 2], index=["x", "y"]), mean=2.0)
    assert isinstance(p, pd.Series) and list(p.index) == ["x", "y"]
    assert np.isnan(poisson_loss2(np.nan, mean=2.0))
    with pytest.raises(ValueError, match=r"sd must be >= 0 \[units\]; got -1"):
        normal_loss2(1.0, sd=-1.0)
    with pytest.raises(ValueError, match=r"s must be a whole number \[units\]; got 1.5"):
        poisson_loss2(1.5, mean=2.0)
    with pytest.raises(ValueError, match=r"mean must be >= 0 \[units\]"):
        poisson_loss2(1, mean=-2.0)
