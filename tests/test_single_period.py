"""Tests for workbench.policy.single_period: published cases, properties, inputs, validation.

Published figures were recomputed from the formulas before use; comments say where the
book rounds (usually z read from a normal table to two decimals).

Provenance: the O'Neill data are those of the task brief; the Snyder & Shen examples
match the doctests of the author's library (stockpyl, src/stockpyl/newsvendor.py); the
52 weeks of Mac's demand were found in lecture notes quoting Nahmias and reproduce his
mean 11.73 and sd 4.74 exactly, while Mac's prices (25, 75 and 10 cents) are recalled
from the book, not re-read.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from workbench.policy.single_period import NewsvendorResult, newsvendor

# Nahmias, Production and Operations Analysis, sec. 5.3 (Mac's newsstand): weekly demand
# for the magazine over 52 weeks; the book's mean 11.73 and sd 4.74 are recomputed from
# it (sample sd, ddof=1) in test_mac_sample_moments.
MAC_WEEKS = np.array(
    [15, 19, 9, 12, 9, 22, 14, 11, 6, 11, 9, 18, 10, 5, 4, 17, 18, 14, 15, 8, 9, 4, 6, 7, 12,
     15, 15, 19, 4, 7, 8, 11, 0, 14, 12, 9, 10, 8, 9, 16, 8, 11, 11, 18, 15, 17, 19, 14, 14,
     17, 13, 12],
    dtype=float,
)  # fmt: skip
# Mac pays 25 cents, sells at 75 cents, gets 10 cents for a leftover: c_u = 0.50,
# c_o = 0.15, critical ratio 0.50 / 0.65 = 0.77.
MAC_COSTS = {"price": 0.75, "unit_cost": 0.25, "salvage_value": 0.10}


def msg(text: str) -> str:
    return re.escape(text)


def test_mac_sample_moments():
    assert len(MAC_WEEKS) == 52
    assert_allclose(MAC_WEEKS.mean(), 11.73, atol=5e-3)
    assert_allclose(MAC_WEEKS.std(ddof=1), 4.74, atol=5e-3)


CASES = [
    # (kwargs, expected fields, rtol)
    pytest.param(
        {"demand_mean": 3192, "demand_sd": 1181, "price": 190, "unit_cost": 110,
         "salvage_value": 90},
        {"critical_ratio": 0.8, "order_quantity": 4196, "underage_cost": 80,
         "overage_cost": 20},
        3e-3,  # loose on purpose: the book reads z off a table to two decimals (round-up
        # rule z = 0.85 -> 4,196; z = 0.84 -> 4,184); the exact z = 0.8416 gives 4,186
        id="Cachon&Terwiesch ch14 O'Neill Hammer 3/2: CR=0.8, Q~4196",
    ),
    pytest.param(
        {"demand_mean": 50, "demand_sd": 8, "underage_cost": 0.70, "overage_cost": 0.18},
        {"order_quantity": 56.60, "expected_cost": 1.9976, "critical_ratio": 0.7955},
        1e-4,  # book to 2-4 decimals: S* = 56.6040, g* = 1.99761
        id="Snyder&Shen Example 4.3: N(50,8) h=0.18 p=0.70 -> S*=56.60 g*=2.00",
    ),
    pytest.param(
        {"demand_mean": 50, "demand_sd": 8, "underage_cost": 0.70, "overage_cost": 0.18,
         "order_quantity": 60},
        {"order_quantity": 60, "expected_cost": 2.156},
        1e-4,  # cost of the non-optimal S = 60: 2.15613
        id="Snyder&Shen Example 4.1: cost of S=60 is 2.156",
    ),
    pytest.param(
        {"demand_mean": 6, "distribution": "poisson", "underage_cost": 4, "overage_cost": 1},
        {"order_quantity": 8, "expected_cost": 3.570, "critical_ratio": 0.8},
        1e-4,  # g(8) = 3.57011
        id="Snyder&Shen Example 4.7: Poisson(6) h=1 p=4 -> S*=8 g=3.570",
    ),
    pytest.param(
        {"demand_mean": 50, "distribution": "poisson", "underage_cost": 0.70,
         "overage_cost": 0.18},
        {"order_quantity": 56, "expected_cost": 1.7972},
        1e-4,  # Snyder & Shen's Example 4.3 data with Poisson demand (stockpyl doctest)
        id="Snyder&Shen sec4.3 Poisson(50) h=0.18 p=0.70 -> S*=56 g=1.797",
    ),
    pytest.param(
        {"demand_mean": 11.73, "demand_sd": 4.74, **MAC_COSTS},
        {"critical_ratio": 0.77, "order_quantity": 15.24},
        2e-3,  # book: z = 0.74 from the table, Q = 15.24 (exact z 0.7363 -> 15.22), buy 15
        id="Nahmias sec5.3 Mac's newsstand, normal fit: CR=0.77, Q=15.24",
    ),
    pytest.param(
        {"demand_samples": MAC_WEEKS, **MAC_COSTS},
        {"order_quantity": 15, "in_stock_probability": 41 / 52},
        1e-12,  # F(14) = 36/52 = 0.69 < 0.77 <= F(15) = 41/52 = 0.79: exact
        id="Nahmias sec5.3 Mac's newsstand, empirical 52 weeks: Q=15",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "expected", "rtol"), CASES)
def test_published(kwargs, expected, rtol):
    r = newsvendor(**kwargs)
    assert isinstance(r, NewsvendorResult)
    for field, value in expected.items():
        tol = 5e-3 if field == "critical_ratio" else rtol  # books print CR to 2 digits
        assert_allclose(getattr(r, field), value, rtol=tol, err_msg=field)


def test_oneill_exact_and_profit_identity():
    """O'Neill with the exact z: expected profit equals the price-based accounting."""
    r = newsvendor(3192, 1181, price=190, unit_cost=110, salvage_value=90)
    z = stats.norm.ppf(0.8)
    assert_allclose(r.order_quantity, 3192 + z * 1181, rtol=1e-12)
    profit = 190 * r.expected_sales + 90 * r.expected_leftover - 110 * r.order_quantity
    assert_allclose(r.expected_profit, profit, rtol=1e-12)
    # loss function: E[lost] = sigma * G(z) with G(0.8416) = 0.1120
    g = stats.norm.pdf(z) - z * stats.norm.sf(z)
    assert_allclose(r.expected_lost_sales, 1181 * g, rtol=1e-12)


def test_shortage_penalty_raises_quantity_and_is_charged():
    base = newsvendor(100, 20, price=10, unit_cost=6)
    pen = newsvendor(100, 20, price=10, unit_cost=6, shortage_penalty=2)
    assert_allclose(pen.underage_cost, 6)
    assert pen.order_quantity > base.order_quantity
    profit = 10 * pen.expected_sales - 6 * pen.order_quantity - 2 * pen.expected_lost_sales
    assert_allclose(pen.expected_profit, profit, rtol=1e-12)


def test_empirical_weights():
    # weight 3 on the high outcome moves the fractile up
    r = newsvendor(demand_samples=[10, 20], sample_weights=[1, 3], underage_cost=1,
                   overage_cost=1)  # fmt: skip
    assert r.order_quantity == 20
    assert_allclose(r.in_stock_probability, 1.0)
    assert_allclose(r.expected_leftover, 0.25 * 10)
    u = newsvendor(demand_samples=[10, 20], underage_cost=1, overage_cost=1)
    assert u.order_quantity == 10  # F(10) = 0.5 >= 0.5
    # integer weights equal repeated samples
    rep = newsvendor(demand_samples=[10, 20, 20, 20], underage_cost=1, overage_cost=1)
    assert rep.order_quantity == r.order_quantity
    assert_allclose(rep.expected_cost, r.expected_cost, rtol=1e-12)


def test_empirical_rows_per_item_keep_index():
    frame = pd.DataFrame([MAC_WEEKS, 2 * MAC_WEEKS], index=pd.Index(["mag", "big"], name="sku"))
    r = newsvendor(demand_samples=frame, **MAC_COSTS)
    assert isinstance(r.order_quantity, pd.Series)
    assert r.order_quantity.index.equals(frame.index)
    assert_allclose(r.order_quantity, [15, 30])
    arr = newsvendor(demand_samples=frame.to_numpy(), underage_cost=[0.5, 0.5], overage_cost=0.15)
    assert_allclose(arr.order_quantity, [15, 30])
    # one history, several cost scenarios
    many = newsvendor(demand_samples=MAC_WEEKS, underage_cost=[0.5, 0.1], overage_cost=0.15)
    assert_allclose(many.order_quantity, [15, 10])  # CR 0.4 -> F(10) = 0.40 >= 0.4


# ------------------------------------------------------------------ properties

ratios = st.floats(0.01, 0.99)


@settings(max_examples=50, deadline=None)
@given(a=ratios, b=ratios, mean=st.floats(0, 1e4), sd=st.floats(0, 1e3))
def test_property_quantity_rises_with_ratio_normal(a, b, mean, sd):
    lo, hi = sorted([a, b])
    q = newsvendor(mean, sd, underage_cost=[lo, hi], overage_cost=[1 - lo, 1 - hi])
    assert q.order_quantity[0] <= q.order_quantity[1] + 1e-9


@settings(max_examples=50, deadline=None)
@given(a=ratios, b=ratios, mean=st.floats(0, 500))
def test_property_quantity_rises_with_ratio_poisson(a, b, mean):
    lo, hi = sorted([a, b])
    q = newsvendor(mean, distribution="poisson", underage_cost=[lo, hi],
                   overage_cost=[1 - lo, 1 - hi])  # fmt: skip
    assert q.order_quantity[0] <= q.order_quantity[1]


@settings(max_examples=50, deadline=None)
@given(a=ratios, b=ratios, sample=st.lists(st.integers(0, 100), min_size=1, max_size=30))
def test_property_quantity_rises_with_ratio_empirical(a, b, sample):
    lo, hi = sorted([a, b])
    q = newsvendor(demand_samples=sample, underage_cost=[lo, hi], overage_cost=[1 - lo, 1 - hi])
    assert q.order_quantity[0] <= q.order_quantity[1]


@settings(max_examples=80, deadline=None)
@given(mean=st.floats(0, 1e6), cr=st.floats(1e-9, 1 - 1e-9))
def test_property_poisson_quantile_matches_scipy(mean, cr):
    """Our stepping quantile is the smallest integer q with F(q) >= ratio, as scipy's."""
    r = newsvendor(mean, distribution="poisson", underage_cost=cr, overage_cost=1 - cr)
    assert r.order_quantity == stats.poisson.ppf(r.critical_ratio, mean)
    if mean > 0:
        lost = mean * stats.poisson.sf(r.order_quantity - 1, mean) - r.order_quantity * (
            stats.poisson.sf(r.order_quantity, mean)
        )
        assert_allclose(r.expected_lost_sales, max(lost, 0.0), rtol=1e-7, atol=1e-9)


def test_poisson_loss_at_a_non_integer_quantity():
    d = np.arange(200)
    p = stats.poisson.pmf(d, 3.0)
    r = newsvendor(3.0, distribution="poisson", underage_cost=1, overage_cost=1,
                   order_quantity=2.5)  # fmt: skip
    assert_allclose(r.expected_lost_sales, np.sum(np.maximum(d - 2.5, 0) * p), rtol=1e-12)
    assert_allclose(r.expected_leftover, np.sum(np.maximum(2.5 - d, 0) * p), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    mean=st.floats(1, 1e3),
    cv=st.floats(0.05, 1),
    cu=st.floats(0.1, 10),
    co=st.floats(0.1, 10),
    dist=st.sampled_from(["normal", "poisson"]),
)
def test_property_optimum_beats_neighbours_and_balances(mean, cv, cu, co, dist):
    kw = {"underage_cost": cu, "overage_cost": co}
    if dist == "normal":
        kw.update(demand_mean=mean, demand_sd=cv * mean)
        step = 0.05 * cv * mean
    else:
        kw.update(demand_mean=mean, distribution="poisson")
        step = 1.0
    best = newsvendor(**kw)
    q = best.order_quantity
    around = newsvendor(**kw, order_quantity=[max(q - step, 0), q + step])
    assert np.all(best.expected_cost <= around.expected_cost * (1 + 1e-9) + 1e-12)
    # bookkeeping identities
    assert_allclose(best.expected_sales + best.expected_lost_sales, mean, rtol=1e-9)
    assert_allclose(
        best.expected_leftover - best.expected_lost_sales, q - mean, rtol=1e-9, atol=1e-9
    )
    assert_allclose(best.expected_profit, cu * mean - best.expected_cost, rtol=1e-9)


# ------------------------------------------------------------------ input types


def test_scalar_gives_floats():
    r = newsvendor(50, 8, underage_cost=0.7, overage_cost=0.18)
    assert all(type(v) is float for v in r)


@pytest.mark.parametrize("kind", ["list", "ndarray"])
def test_list_and_array(kind):
    means = [50, 100] if kind == "list" else np.array([50.0, 100.0])
    r = newsvendor(means, 8, underage_cost=0.7, overage_cost=0.18)
    assert isinstance(r.order_quantity, np.ndarray)
    assert_allclose(r.order_quantity - np.asarray(means), 6.60395592743389, rtol=1e-9)


@pytest.mark.parametrize("dist", ["normal", "poisson"])
def test_series_keeps_index(dist):
    idx = pd.Index(["a", "b", "c"], name="sku")
    mean = pd.Series([50.0, 0.0, 3.0], index=idx)
    kw = {"demand_sd": pd.Series([8.0, 0.0, 1.0], index=idx)} if dist == "normal" else {}
    r = newsvendor(mean, distribution=dist, underage_cost=0.7, overage_cost=0.18, **kw)
    for field in r:
        assert isinstance(field, pd.Series) and field.index.equals(idx)
    assert r.order_quantity.name == "order_quantity"
    assert r.order_quantity["b"] == 0 and r.expected_cost["b"] == 0  # no demand, no stock


def test_nan_and_empty():
    r = newsvendor([np.nan, 50], 8, underage_cost=0.7, overage_cost=0.18)
    assert np.isnan(r.order_quantity[0]) and np.isnan(r.expected_cost[0])
    assert_allclose(r.order_quantity[1], 56.60395592743389)
    p = newsvendor([np.nan, 6], distribution="poisson", underage_cost=4, overage_cost=1)
    assert np.isnan(p.order_quantity[0]) and p.order_quantity[1] == 8
    e = newsvendor(np.array([]), np.array([]), underage_cost=1, overage_cost=1)
    assert e.order_quantity.shape == (0,)


def test_zero_sd_and_zero_demand_without_warnings():
    with np.errstate(all="raise"):
        r = newsvendor([40, 0], 0, underage_cost=1, overage_cost=1)
    assert_allclose(r.order_quantity, [40, 0])
    assert_allclose(r.expected_cost, 0)
    assert_allclose(r.fill_rate, 1)
    assert_allclose(r.in_stock_probability, 1)


# ------------------------------------------------------------------ validation

COSTS = {"underage_cost": 1, "overage_cost": 1}
VALIDATION = [
    ({"demand_mean": 5, "demand_sd": 1, "distribution": "gamma", **COSTS},
     "distribution must be 'normal', 'lognormal', 'poisson' or 'empirical'; got 'gamma'"),
    ({"demand_mean": 5, "distribution": "lognormal", **COSTS},
     "demand_sd is required for lognormal demand"),
    ({"demand_mean": 5, "demand_sd": -1, "distribution": "lognormal", **COSTS},
     "demand_sd must be >= 0 [units]; got -1"),
    ({"demand_mean": 5, "demand_sd": 1, "order_quantity": 4, "underage_cost": 1},
     "underage_cost and overage_cost must be given together"),
    ({"demand_mean": 5, "demand_sd": 1}, "give the costs: underage_cost and overage_cost"),
    ({"demand_mean": 5, "demand_sd": 1, "underage_cost": 1},
     "underage_cost and overage_cost must be given together"),
    ({"demand_mean": 5, "demand_sd": 1, "price": 2}, "price and unit_cost must be given together"),
    ({"demand_mean": 5, "demand_sd": 1, "price": 2, **COSTS},
     "give either underage_cost and overage_cost, or price and unit_cost"),
    ({"demand_mean": 5, "demand_sd": 1, "salvage_value": 2, **COSTS},
     "give either underage_cost and overage_cost, or price and unit_cost"),
    ({"demand_mean": 5, "demand_sd": 1, "underage_cost": 0, "overage_cost": 1},
     "underage_cost must be > 0 [$/unit]; got 0"),
    ({"demand_mean": 5, "demand_sd": 1, "underage_cost": 1, "overage_cost": -1},
     "overage_cost must be > 0 [$/unit]; got -1"),
    ({"demand_mean": 5, "demand_sd": 1, "price": 100, "unit_cost": 110},
     "price must be > unit_cost [$/unit]; got 100"),
    ({"demand_mean": 5, "demand_sd": 1, "price": 190, "unit_cost": 110, "salvage_value": 120},
     "salvage_value must be < unit_cost [$/unit]; got 120"),
    ({"demand_mean": 5, "demand_sd": 1, "price": 190, "unit_cost": -1},
     "unit_cost must be >= 0 [$/unit]; got -1"),
    ({"demand_mean": 5, "demand_sd": 1, "price": 190, "unit_cost": 110, "shortage_penalty": -1},
     "shortage_penalty must be >= 0 [$/unit]; got -1"),
    ({"demand_mean": -5, "demand_sd": 1, **COSTS}, "demand_mean must be >= 0 [units]; got -5"),
    ({"demand_mean": 5, "demand_sd": -1, **COSTS}, "demand_sd must be >= 0 [units]; got -1"),
    ({"demand_mean": 5, "demand_sd": 1, "order_quantity": -1, **COSTS},
     "order_quantity must be >= 0 [units]; got -1"),
    ({"demand_mean": 5, **COSTS}, "demand_sd is required for normal demand"),
    ({"demand_sd": 5, **COSTS}, "demand_mean is required for normal demand"),
    ({"demand_mean": 5, "demand_sd": 1, "distribution": "poisson", **COSTS},
     "demand_sd does not apply to Poisson demand"),
    ({"demand_mean": -1, "distribution": "poisson", **COSTS},
     "demand_mean must be >= 0 [units]; got -1"),
    ({"distribution": "empirical", **COSTS}, "distribution='empirical' needs demand_samples"),
    ({"demand_mean": 5, "demand_samples": [1, 2], **COSTS},
     "demand_samples replaces demand_mean and demand_sd"),
    ({"demand_mean": 5, "demand_sd": 1, "sample_weights": [1], **COSTS},
     "demand_samples and sample_weights apply only to distribution='empirical'"),
    ({"demand_samples": [], **COSTS}, "demand_samples must not be empty"),
    ({"demand_samples": [1, np.nan], **COSTS}, "demand_samples must not contain NaN"),
    ({"demand_samples": [1, -2], **COSTS}, "demand_samples must be >= 0 [units]; got -2"),
    ({"demand_samples": [[[1]]], **COSTS}, "demand_samples must be 1-D (one item's history)"),
    ({"demand_samples": ["x"], **COSTS}, "demand_samples must be numeric"),
    ({"demand_samples": [1, 2], "sample_weights": [1, 2, 3], **COSTS},
     "sample_weights of shape (3,) do not match demand_samples of shape (2,)"),
    ({"demand_samples": [1, 2], "sample_weights": [1, -1], **COSTS},
     "sample_weights must be >= 0; got -1"),
    ({"demand_samples": [1, 2], "sample_weights": [0, 0], **COSTS},
     "sample_weights must be summing to > 0 for each item"),
    ({"demand_samples": [1, 2], "sample_weights": [1, np.nan], **COSTS},
     "sample_weights must not contain NaN"),
    ({"demand_samples": [[1, 2], [3, 4]], "underage_cost": [1, 1, 1], "overage_cost": 1},
     "inputs cannot be broadcast together"),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "message"), VALIDATION, ids=[m for _, m in VALIDATION])
def test_validation_messages(kwargs, message):
    with pytest.raises(ValueError, match=msg(message)):
        newsvendor(**kwargs)


# ----------------------------------------------------------------------------- lognormal demand
# and the cost of a given quantity. Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd
# ed., ch. 4; the values to 15 digits are those of the test suite of Snyder's own library
# (stockpyl, tests/test_newsvendor.py), which solves the same exact formulas: 1e-9 relative.
LOGNORMAL_MEAN = np.exp(6 + 0.3**2 / 2)  # Problem 4.8(b): ln D ~ N(6, 0.3^2)
LOGNORMAL_SD = LOGNORMAL_MEAN * np.sqrt(np.expm1(0.3**2))
GIVEN_QUANTITY_CASES = [
    pytest.param(dict(demand_mean=LOGNORMAL_MEAN, demand_sd=LOGNORMAL_SD,
                      distribution="lognormal", underage_cost=0.1765, overage_cost=1),
                 295.6266448071368, 29.44254358213529,
                 id="Snyder&Shen Problem 4.8(b) lognormal: S*=295.627 g=29.4425"),
    pytest.param(dict(demand_mean=LOGNORMAL_MEAN, demand_sd=LOGNORMAL_SD,
                      distribution="lognormal", underage_cost=0.1765, overage_cost=1,
                      order_quantity=350),
                 350, 34.588836685654854,
                 id="Snyder&Shen Problem 4.8(b) lognormal: g(350)=34.5888"),
    pytest.param(dict(demand_mean=50, demand_sd=8, underage_cost=0.7, overage_cost=0.18,
                      order_quantity=40),
                 40, 7.356131552870388, id="Snyder&Shen Example 4.3: g(40)=7.3561"),
    pytest.param(dict(demand_mean=900, demand_sd=60, underage_cost=129 - 65 + 15,
                      overage_cost=65 - 22),
                 922.7214038234755, 2718.196781782411,
                 id="Snyder&Shen Problem 4.1: S*=922.72 g=2718.20"),
    pytest.param(dict(demand_mean=900, demand_sd=60, underage_cost=129 - 65 + 15,
                      overage_cost=65 - 22, order_quantity=1040),
                 1040, 6044.298415188692, id="Snyder&Shen Problem 4.1: g(1040)=6044.30"),
    pytest.param(dict(demand_mean=6, distribution="poisson", underage_cost=4, overage_cost=1,
                      order_quantity=5),
                 5, 6.590296024616344, id="Snyder&Shen Example 4.7: Poisson g(5)=6.5903"),
    pytest.param(dict(demand_mean=18, distribution="poisson", underage_cost=270,
                      overage_cost=200),
                 19, 786.0884409351115, id="Snyder&Shen Problem 4.8(a): S*=19 g=786.09"),
    pytest.param(dict(demand_mean=18, distribution="poisson", underage_cost=270,
                      overage_cost=200, order_quantity=13),
                 13, 1445.751062891969, id="Snyder&Shen Problem 4.8(a): g(13)=1445.75"),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "quantity", "cost"), GIVEN_QUANTITY_CASES)
def test_snyder_shen_optimal_and_given_quantities(kwargs, quantity, cost):
    r = newsvendor(**kwargs)
    assert_allclose(r.order_quantity, quantity, rtol=1e-9)
    assert_allclose(r.expected_cost, cost, rtol=1e-9)


@pytest.mark.parametrize("q", [0.0, 1.0, 80.0, 120.0, 400.0])
@pytest.mark.parametrize(("mean", "sd"), [(100.0, 30.0), (100.0, 150.0), (5.0, 1.0)])
def test_lognormal_against_scipy_integration(mean, sd, q):
    from scipy import integrate

    sigma = np.sqrt(np.log1p((sd / mean) ** 2))
    dist = stats.lognorm(sigma, scale=mean * np.exp(-0.5 * sigma**2))
    assert_allclose(dist.mean(), mean, rtol=1e-12)
    assert_allclose(dist.std(), sd, rtol=1e-12)
    lost, _ = integrate.quad(lambda x: (x - q) * dist.pdf(x), q, np.inf, epsabs=1e-12,
                             epsrel=1e-12, limit=200)  # fmt: skip
    r = newsvendor(mean, sd, distribution="lognormal", order_quantity=q)
    assert_allclose(r.expected_lost_sales, lost, rtol=1e-8, atol=1e-10)
    assert_allclose(r.in_stock_probability, dist.cdf(q), rtol=1e-12, atol=1e-300)
    assert_allclose(r.expected_leftover, q - mean + lost, rtol=1e-8, atol=1e-9)


def test_lognormal_optimum_is_the_fractile_and_beats_neighbours():
    mean, sd = np.array([100.0, 20.0, 3.0]), np.array([40.0, 30.0, 0.5])
    r = newsvendor(mean, sd, distribution="lognormal", underage_cost=3.0, overage_cost=1.0)
    sigma = np.sqrt(np.log1p((sd / mean) ** 2))
    expect = stats.lognorm(sigma, scale=mean * np.exp(-0.5 * sigma**2)).ppf(0.75)
    assert_allclose(r.order_quantity, expect, rtol=1e-12)
    assert_allclose(r.in_stock_probability, 0.75, rtol=1e-12)
    for f in (0.99, 1.01):
        other = newsvendor(mean, sd, distribution="lognormal", underage_cost=3.0,
                           overage_cost=1.0, order_quantity=r.order_quantity * f)  # fmt: skip
        assert np.all(other.expected_cost > r.expected_cost)


def test_lognormal_edge_cases_and_near_normal_limit():
    r = newsvendor([10.0, 0.0, np.nan], [0.0, 0.0, 1.0], distribution="lognormal",
                   underage_cost=2, overage_cost=1)  # fmt: skip
    assert r.order_quantity[0] == 10.0 and r.expected_lost_sales[0] == 0.0
    assert r.order_quantity[1] == 0.0 and r.fill_rate[1] == 1.0
    assert np.isnan(r.order_quantity[2]) and np.isnan(r.expected_cost[2])
    # a small coefficient of variation is nearly normal
    ln = newsvendor(1000.0, 10.0, distribution="lognormal", underage_cost=3, overage_cost=1)
    nn = newsvendor(1000.0, 10.0, underage_cost=3, overage_cost=1)
    assert_allclose(ln.order_quantity, nn.order_quantity, rtol=1e-4)
    assert_allclose(ln.expected_cost, nn.expected_cost, rtol=2e-2)


@pytest.mark.parametrize("dist", ["normal", "lognormal", "poisson", "empirical"])
def test_given_quantity_without_costs_returns_service_only(dist):
    kw = {
        "empirical": dict(demand_samples=MAC_WEEKS),
        "poisson": dict(demand_mean=[3.0, 12.0], distribution="poisson"),
    }.get(dist, dict(demand_mean=[50.0, 12.0], demand_sd=[8.0, 4.0], distribution=dist))
    q = 11.0 if dist == "empirical" else [55.0, 13.0] if dist != "poisson" else [4.0, 12.0]
    bare = newsvendor(**kw, order_quantity=q)
    costed = newsvendor(**kw, order_quantity=q, underage_cost=4, overage_cost=1)
    for field in (
        "order_quantity",
        "expected_sales",
        "expected_leftover",
        "expected_lost_sales",
        "in_stock_probability",
        "fill_rate",
    ):
        assert_allclose(getattr(bare, field), getattr(costed, field), rtol=0, atol=0)
    for field in (
        "critical_ratio",
        "expected_cost",
        "expected_profit",
        "underage_cost",
        "overage_cost",
    ):
        assert np.all(np.isnan(getattr(bare, field)))
    # the optimum still needs costs
    with pytest.raises(ValueError, match="give the costs"):
        newsvendor(**kw)
