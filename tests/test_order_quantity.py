"""Tests for workbench.policy.order_quantity: published cases, properties, input types, validation.

Every published figure below was recomputed from its formula before being used; where
the book rounds, the comment says so and the tolerance covers the rounding only.

Provenance of the inputs: Sharp, Nathan and Wohl's come from the project's
shared/reference/textbook_cases.md; the Snyder & Shen examples match the doctests of the
author's own library (stockpyl, src/stockpyl/eoq.py). Nahmias' pencils, Chopra & Meindl's
Best Buy and Drugs Online, the Silver-Pyke-Thomas illustration and PCP formula, and
Heizer & Render's Crate Furniture were taken from the books as remembered, not re-read:
each recomputes to the round published answer, but check the page if one ever fails.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from workbench.policy.order_quantity import (
    DiscountResult,
    EOQResult,
    all_units_discount,
    eoq,
    eoq_backorders,
    eoq_cost,
    eoq_cost_penalty,
    eoq_flat_range,
    epq,
    incremental_discount,
    jit_vs_batch,
    setup_cost_for_lot_size,
)

pos = st.floats(min_value=1e-2, max_value=1e5, allow_nan=False, allow_infinity=False)

WOHLS = [(0, 5.00), (1000, 4.80), (2000, 4.75)]  # Heizer & Render, Wohl's Discount Store
DRUGS_ONLINE = [(0, 3.00), (5000, 2.96), (10000, 2.92)]  # Chopra & Meindl, Drugs Online


def msg(text: str) -> str:
    """A `match=` pattern for a literal message fragment."""
    return re.escape(text)


# ------------------------------------------------------------ published: EOQ

EOQ_CASES = [
    # (D, S, H, days/year, Q*, orders/yr, annual cost, cycle time [days], rtol)
    pytest.param(
        1000, 10, 0.5, 250, 200, 5, 100, 50, 1e-12,
        # exact: sqrt(2*1000*10/0.5) = 200; $50 + $50; 250 working days / 5 orders
        id="Heizer&Render ch12 Sharp Inc needles: Q=200, N=5, TC=$100, T=50 days",
    ),
    pytest.param(
        1300, 8, 0.225, 365, 304.05, 1300 / 304.0467800264368, 68.41, 304.05 / 1300 * 365, 5e-5,
        # book prints 2 decimals: Q* = 304.0468, g* = 68.4105
        id="Snyder&Shen Example 3.1: K=8 h=0.225 lambda=1300 -> Q=304.05 g=68.41",
    ),
    pytest.param(
        60 * 52, 12, 0.25 * 0.02, 365, 3870, 3120 / 3870, 19.35, 1.24 * 365, 2e-3,
        # 60 pencils/week, $12/order, 25 %/yr of $0.02: Q* = 3869.9, book rounds to 3,870
        # and T = Q/lambda = 1.24 years (1.2404); cost sqrt(2*12*3120*0.005) = 19.35
        id="Nahmias sec4.5 Example (no. 2 pencils, campus bookstore): Q=3870, T=1.24 yr",
    ),
    pytest.param(
        12 * 1000, 4000, 0.2 * 500, 365, 980, 12.25, 97980, 0.98 / 12 * 365, 5e-4,
        # 1,000 computers/month, S=$4,000, h=20 % of $500: Q* = 979.8 (book 980),
        # 12.25 orders a year, ordering+holding $97,980 (exact 97,979.6)
        id="Chopra&Meindl ch11 Best Buy computers: Q=980, n=12.25, cost=$97,980",
    ),
    pytest.param(
        2400, 3.20, 0.24 * 0.40, 365, 400, 6, 38.40, 365 / 6, 1e-12,
        # exact: sqrt(2*3.2*2400/0.096) = 400 (a two-month supply); cost = 400*0.096
        id="Silver-Pyke-Thomas ch4 numerical illustration: D=2400 A=3.20 v=0.40 r=0.24 -> 400",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("demand", "s", "h", "days", "q", "n", "cost", "t", "rtol"), EOQ_CASES)
def test_eoq_published(demand, s, h, days, q, n, cost, t, rtol):
    r = eoq(demand, order_cost=s, holding_cost=h, days_per_year=days)
    assert isinstance(r, EOQResult)
    assert_allclose(r.order_quantity, q, rtol=rtol)
    assert_allclose(r.orders_per_year, n, rtol=rtol)
    assert_allclose(r.annual_cost, cost, rtol=rtol)
    assert_allclose(r.cycle_time_days, t, rtol=rtol)
    # ordering equals holding at the optimum
    assert_allclose(r.annual_ordering_cost, r.annual_holding_cost, rtol=1e-12)


def test_eoq_cost_curve_sharp():
    """Heizer & Render, Sharp Inc.: the cost table around Q* = 200."""
    q = np.array([100.0, 200.0, 400.0])
    c = eoq_cost(q, annual_demand=1000, order_cost=10, holding_cost=0.5)
    assert_allclose(c.ordering, [100, 50, 25], rtol=1e-12)
    assert_allclose(c.holding, [25, 50, 100], rtol=1e-12)
    assert_allclose(c.total, c.ordering + c.holding, rtol=1e-12)


def test_eoq_cost_grid_against_items_gives_table():
    q = np.array([[100.0], [200.0]])  # (2, 1) grid against 3 items -> (2, 3)
    c = eoq_cost(q, annual_demand=[1000, 2000, 4000], order_cost=10, holding_cost=0.5)
    assert c.total.shape == (2, 3)
    assert_allclose(c.total[1], 10 * np.array([1000, 2000, 4000]) / 200 + 50)


# ------------------------------------------------------- published: EPQ, backorders


def test_epq_nathan_manufacturing():
    """Heizer & Render ch12, Nathan Manufacturing hubcaps: Q* = 282.8.

    The book gives daily rates (d = 4, p = 8 a day) and D = 1,000 a year; our
    production_rate is per year like annual_demand, and only the ratio d/p enters Q*.
    """
    book = np.sqrt(2 * 1000 * 10 / (0.5 * (1 - 4 / 8)))  # the book's formula with d/p
    assert_allclose(book, 282.8, rtol=2e-4)  # the book rounds to one decimal
    for days in (250, 365, 1000 / 4):  # any year length: p_annual = D * (8 / 4)
        r = epq(1000, setup_cost=10, holding_cost=0.5, production_rate=1000 * 8 / 4,
                days_per_year=days)  # fmt: skip
        assert_allclose(r.order_quantity, book, rtol=1e-12)
    # with 250 working days p = 8 x 250 = 2,000 a year: a run of Q/p = 35.4 days
    r = epq(1000, setup_cost=10, holding_cost=0.5, production_rate=2000, days_per_year=250)
    assert_allclose(r.run_time_days, book / 8, rtol=1e-12)
    assert_allclose(r.max_inventory, book * (1 - 4 / 8), rtol=1e-12)
    assert_allclose(r.annual_setup_cost, r.annual_holding_cost, rtol=1e-12)


def test_epq_snyder_shen():
    """Snyder & Shen sec. 3.5 EPQ instance (stockpyl's doctest): K=8, h=0.225,
    lambda=1300, mu=1700 -> Q* = 626.81, g* = 33.18 (recomputed: 626.8085, 33.1840)."""
    r = epq(1300, setup_cost=8, holding_cost=0.225, production_rate=1700)
    assert_allclose(r.order_quantity, 626.81, rtol=1e-5)
    assert_allclose(r.annual_cost, 33.18, rtol=2e-4)


def test_eoq_backorders_snyder_shen_example_3_8():
    """Snyder & Shen Example 3.8: K=8, h=0.225, p=5, lambda=1300.

    Q* = sqrt(2 K lambda (h+p)/(h p)) = 310.81, x* = h/(h+p) = 0.0431,
    g* = sqrt(2 K lambda h p/(h+p)) = 66.92 (book to 2-4 decimals).
    """
    r = eoq_backorders(1300, order_cost=8, holding_cost=0.225, backorder_cost_per_unit_year=5)
    assert_allclose(r.order_quantity, 310.81, rtol=2e-5)
    assert_allclose(r.fraction_backordered, 0.0431, rtol=1e-3)
    assert_allclose(r.annual_cost, 66.92, rtol=1e-4)
    assert_allclose(r.max_backorder, r.order_quantity * 0.225 / 5.225, rtol=1e-12)
    assert_allclose(r.max_inventory + r.max_backorder, r.order_quantity, rtol=1e-12)
    # ordering cost equals holding + backorder cost at the optimum
    assert_allclose(
        r.annual_ordering_cost, r.annual_holding_cost + r.annual_backorder_cost, rtol=1e-12
    )


def test_backorders_and_epq_tend_to_eoq():
    base = eoq(1000, order_cost=10, holding_cost=0.5)
    bo = eoq_backorders(1000, order_cost=10, holding_cost=0.5, backorder_cost_per_unit_year=1e12)
    ep = epq(1000, setup_cost=10, holding_cost=0.5, production_rate=1e15)
    assert_allclose(bo.order_quantity, base.order_quantity, rtol=1e-9)
    assert_allclose(ep.order_quantity, base.order_quantity, rtol=1e-9)
    assert bo.max_backorder < 1e-6


# ------------------------------------------------------------ published: discounts


def test_all_units_wohls():
    """Heizer & Render ch12, Wohl's Discount Store: order 1,000 at $4.80, $24,725.

    Book EOQs 700, 714, 718 (rounded from 700.0, 714.4, 718.2); adjusted Q 700, 1000,
    2000; costs $25,700, $24,725, $24,822.50 (exact with Q = 700).
    """
    r = all_units_discount(5000, order_cost=49, holding_cost_rate=0.2, price_breaks=WOHLS)
    assert isinstance(r, DiscountResult)
    assert r.order_quantity == 1000
    assert r.unit_price == 4.80
    assert_allclose(r.annual_cost, 24725, rtol=1e-12)
    assert_allclose(
        r.annual_cost, r.annual_purchase_cost + r.annual_ordering_cost + r.annual_holding_cost
    )
    c = r.candidates
    assert_allclose(c["eoq"], [700, 714, 718], atol=0.5)  # book rounds to units
    assert_allclose(c["order_quantity"], [700, 1000, 2000], rtol=1e-12)
    assert_allclose(c["annual_cost"], [25700, 24725, 24822.5], rtol=1e-12)
    assert c["feasible"].tolist() == [True, False, False]
    assert c["optimal"].tolist() == [False, True, False]
    assert c.index.name == "break"


def test_all_units_drugs_online():
    """Chopra & Meindl ch11, Drugs Online vitamins (all-unit discount): 10,000 bottles a
    month, S = $100, h = 20 %; $3.00 below 5,000, $2.96 to 10,000, $2.92 beyond.
    EOQs 6,325 (above its range: ignored), 6,367 (feasible, TC $358,969), 6,411 (raised
    to 10,000, TC $354,520 = optimum). Recomputed exactly; book rounds to dollars."""
    r = all_units_discount(120_000, order_cost=100, holding_cost_rate=0.2,
                           price_breaks=DRUGS_ONLINE)  # fmt: skip
    assert r.order_quantity == 10000
    assert_allclose(r.annual_cost, 354_520, rtol=1e-12)
    c = r.candidates
    assert_allclose(c["eoq"], [6325, 6367, 6411], atol=0.5)
    assert np.isnan(c["annual_cost"].iloc[0])  # EOQ above its range: dominated
    assert_allclose(c["annual_cost"].iloc[1], 358_969, atol=0.5)


def test_incremental_drugs_online():
    """Chopra & Meindl ch11, Drugs Online with incremental (marginal-unit) discounts:
    candidates Q = 5,000 (TC $363,900), 10,000 (EOQ 11,028 clipped; TC $361,780) and
    16,961 (TC $360,365, the optimum). Recomputed; book rounds to units and dollars."""
    r = incremental_discount(120_000, order_cost=100, holding_cost_rate=0.2,
                             price_breaks=DRUGS_ONLINE)  # fmt: skip
    assert_allclose(r.order_quantity, 16_961, atol=0.5)
    assert_allclose(r.annual_cost, 360_365, atol=0.5)
    assert r.unit_price == 2.92
    c = r.candidates
    assert_allclose(c["order_quantity"], [5000, 10000, 16961], atol=0.5)
    assert_allclose(c["annual_cost"], [363_900, 361_780, 360_365], atol=0.5)
    assert_allclose(c["eoq"].iloc[1], 11_028, atol=0.5)


# ---------------------------------------------------- published: flat bottom, JIT

PCP_CASES = [
    # Silver, Pyke & Thomas ch4: PCP = 50 p^2 / (1 + p) percent for Q = (1 + p) Q*
    pytest.param(1.5, 50 * 0.25 / 1.5 / 100, id="SPT ch4 PCP: Q 50% above EOQ -> +8.33%"),
    pytest.param(2.0, 0.25, id="SPT ch4 PCP: twice the EOQ -> +25%"),
    pytest.param(0.5, 0.25, id="SPT ch4 PCP: half the EOQ -> +25%"),
]


@pytest.mark.parametrize(("ratio", "penalty"), PCP_CASES)
def test_cost_penalty_published(ratio, penalty):
    assert_allclose(eoq_cost_penalty(ratio * 200, optimal_quantity=200), penalty, rtol=1e-12)
    # and it is what eoq_cost says
    c = eoq_cost([ratio * 200, 200], annual_demand=1000, order_cost=10, holding_cost=0.5)
    assert_allclose(c.total[0] / c.total[1] - 1, penalty, rtol=1e-12)


def test_flat_range_bounds_hit_tolerance():
    r = eoq_flat_range(0.05, optimal_quantity=200)
    assert_allclose([r.lower / 200, r.upper / 200], [0.7298, 1.3702], atol=1e-4)
    assert_allclose(eoq_cost_penalty([r.lower, r.upper], optimal_quantity=200), 0.05)
    assert_allclose(r.lower * r.upper, 200**2, rtol=1e-12)
    z = eoq_flat_range(0.0)
    assert (z.lower, z.upper) == (1.0, 1.0)


def test_setup_cost_for_lot_size_crate_furniture():
    """Heizer & Render ch16 (JIT), Crate Furniture: D = 400 a year, d = 2 and p = 4 a
    day, H = $20, desired lot 40 -> S = H Q^2 (1 - d/p) / (2 D) = $20 (exact)."""
    s = setup_cost_for_lot_size(40, annual_demand=400, holding_cost=20, production_rate=800)
    assert_allclose(s, 20.0, rtol=1e-12)
    # and at that setup cost the EPQ is the desired lot
    q = epq(400, setup_cost=s, holding_cost=20, production_rate=800).order_quantity
    assert_allclose(q, 40, rtol=1e-12)
    # without a production rate it inverts the EOQ: Sharp Inc. (Q=200 needs S=$10)
    assert_allclose(setup_cost_for_lot_size(200, annual_demand=1000, holding_cost=0.5), 10)


def test_jit_vs_batch_square_root_law():
    """Sharp Inc. at $5 and I = 10 %: cutting setup cost 4x halves lot and cost."""
    c = jit_vs_batch(1000, unit_cost=5, holding_cost_rate=0.1, batch_order_cost=10,
                     jit_order_cost=2.5)  # fmt: skip
    assert_allclose(c.batch.order_quantity, 200)
    assert_allclose(c.jit.order_quantity, 100)
    assert_allclose(c.batch.annual_cost - c.batch.annual_purchase_cost, 100)
    assert_allclose(c.jit.annual_cost - c.jit.annual_purchase_cost, 50)
    assert_allclose(c.jit_saving, 50)
    assert c.jit_cheaper is True
    assert_allclose(c.breakeven_jit_order_cost, 10)  # same price: pays below batch cost
    assert_allclose(c.stock_reduction, 0.5)
    assert_allclose(c.batch.average_stock, 100)
    assert_allclose(c.jit.average_stock_value, 5 * 50)


def test_jit_fixed_deliveries_and_price_premium():
    # weekly deliveries at $1 each, but the JIT supplier charges $5.02 instead of $5
    c = jit_vs_batch(1000, unit_cost=5, holding_cost_rate=0.1, batch_order_cost=10,
                     jit_order_cost=1, jit_deliveries_per_year=52, jit_unit_cost=5.02)  # fmt: skip
    qj = 1000 / 52
    expected = 52 * 1 + 0.1 * 5.02 * qj / 2 + 1000 * 5.02
    assert_allclose(c.jit.order_quantity, qj)
    assert_allclose(c.jit.annual_cost, expected)
    assert_allclose(c.jit_saving, 5100 - expected)
    # at the break-even order cost both cost the same
    e = jit_vs_batch(1000, unit_cost=5, holding_cost_rate=0.1, batch_order_cost=10,
                     jit_order_cost=c.breakeven_jit_order_cost, jit_deliveries_per_year=52,
                     jit_unit_cost=5.02)  # fmt: skip
    assert_allclose(e.jit_saving, 0, atol=1e-9)
    # a premium larger than the whole batch ordering + holding cost: JIT never pays
    n = jit_vs_batch(1000, unit_cost=5, holding_cost_rate=0.1, batch_order_cost=10,
                     jit_order_cost=0, jit_unit_cost=5.2)  # fmt: skip
    assert np.isnan(n.breakeven_jit_order_cost)
    assert n.jit_cheaper is False


def test_jit_to_frame_for_the_dashboard():
    one = jit_vs_batch(1000, unit_cost=5, holding_cost_rate=0.1, batch_order_cost=10,
                       jit_order_cost=2.5).to_frame()  # fmt: skip
    assert one.index.tolist() == ["batch", "jit"]
    assert_allclose(one["annual_cost"], [5100, 5050])
    idx = pd.Index(["a", "b", "c"], name="sku")
    many = jit_vs_batch(pd.Series([1000.0, 2000.0, 0.0], index=idx), unit_cost=5,
                        holding_cost_rate=0.1, batch_order_cost=10, jit_order_cost=2.5)  # fmt: skip
    frame = many.to_frame()
    assert frame.index.names == ["plan", "sku"] and len(frame) == 6
    assert_allclose(frame.loc[("jit", "a"), "order_quantity"], 100)
    assert frame.loc[("batch", "c"), "annual_cost"] == 0  # no demand, no cost
    arr = jit_vs_batch(1000, unit_cost=5, holding_cost_rate=0.1, batch_order_cost=10,
                       jit_order_cost=[1, 2.5]).to_frame()  # fmt: skip
    assert len(arr) == 4


# ------------------------------------------------------------------ properties


@settings(max_examples=60, deadline=None)
@given(d=pos, s=pos, h=pos)
def test_property_eoq_minimizes_cost(d, s, h):
    r = eoq(d, order_cost=s, holding_cost=h)
    grid = r.order_quantity * np.geomspace(0.05, 20, 201)
    curve = eoq_cost(grid, annual_demand=d, order_cost=s, holding_cost=h).total
    assert r.annual_cost <= curve.min() * (1 + 1e-12)
    assert_allclose(r.annual_ordering_cost, r.annual_holding_cost, rtol=1e-9)
    at = eoq_cost(r.order_quantity, annual_demand=d, order_cost=s, holding_cost=h)
    assert_allclose(at.total, r.annual_cost, rtol=1e-12)
    # eoq() uses the balance identity; eoq_cost() computes S D / Q independently
    assert_allclose(at.ordering, at.holding, rtol=1e-12)
    assert_allclose(r.orders_per_year, d / r.order_quantity, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(x=st.floats(-5, 5), qs=pos)
def test_property_penalty_symmetric_in_log(x, qs):
    up = eoq_cost_penalty(qs * np.exp(x), optimal_quantity=qs)
    down = eoq_cost_penalty(qs * np.exp(-x), optimal_quantity=qs)
    assert_allclose(up, down, rtol=1e-9, atol=1e-15)
    assert up >= 0
    assert eoq_cost_penalty(qs, optimal_quantity=qs) == 0


@settings(max_examples=40, deadline=None)
@given(t=st.floats(0, 3), qs=pos)
def test_property_flat_range(t, qs):
    r = eoq_flat_range(t, optimal_quantity=qs)
    assert r.lower <= qs <= r.upper
    assert_allclose(eoq_cost_penalty([r.lower, r.upper], optimal_quantity=qs), t, atol=1e-9)


def _true_cost_all_units(q, d, s, rate, table):
    qmin = np.array([b[0] for b in table])
    price = np.array([b[1] for b in table])[np.searchsorted(qmin, q, side="right") - 1]
    return d * price + s * d / q + rate * price * q / 2


def _true_cost_incremental(q, d, s, rate, table):
    qmin = np.array([b[0] for b in table] + [np.inf])
    price = np.array([b[1] for b in table])
    value = np.zeros_like(q, dtype=float)
    for i in range(len(price)):  # reference implementation: a loop is fine here
        value += price[i] * np.clip(q - qmin[i], 0, qmin[i + 1] - qmin[i])
    return s * d / q + d * value / q + rate * value / 2


tables = st.lists(st.tuples(st.floats(1, 500), st.floats(0.0, 0.3)), min_size=1, max_size=4).map(
    lambda rows: [
        (float(q), float(p))
        for q, p in zip(
            np.concatenate([[0.0], np.cumsum([r[0] for r in rows[1:]])]),
            10 * np.cumprod([1 - r[1] for r in rows]),
            strict=True,
        )
    ]
)


@settings(max_examples=60, deadline=None)
@given(d=st.floats(10, 1e5), s=st.floats(1, 500), rate=st.floats(0.05, 0.5), table=tables)
def test_property_discount_optimum_beats_every_breakpoint(d, s, rate, table):
    breaks = np.array([*(q for q, _ in table[1:]), 1.0])  # every break (and Q = 1)
    grid = np.concatenate([breaks, np.geomspace(1, 1e6, 400)])
    au = all_units_discount(d, order_cost=s, holding_cost_rate=rate, price_breaks=table)
    best = _true_cost_all_units(grid, d, s, rate, table).min()
    assert au.annual_cost <= best * (1 + 1e-9)
    assert_allclose(
        _true_cost_all_units(np.array([au.order_quantity]), d, s, rate, table)[0],
        au.annual_cost,
        rtol=1e-9,
    )
    inc = incremental_discount(d, order_cost=s, holding_cost_rate=rate, price_breaks=table)
    best = _true_cost_incremental(grid, d, s, rate, table).min()
    assert inc.annual_cost <= best * (1 + 1e-9)
    assert_allclose(
        _true_cost_incremental(np.array([inc.order_quantity]), d, s, rate, table)[0],
        inc.annual_cost,
        rtol=1e-9,
    )
    # an incremental schedule never beats the all-units one with the same prices
    assert au.annual_cost <= inc.annual_cost * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(d=pos, c=pos, rate=st.floats(0.01, 1), sb=pos, sj=st.floats(0, 1e4))
# Purchases of $9e9 a year against $2 of ordering + holding once cancelled to 1e-9.
@example(d=95541.0, c=95543.0, rate=0.01171875, sb=0.01, sj=0.0)
def test_property_jit_breakeven(d, c, rate, sb, sj):
    r = jit_vs_batch(d, unit_cost=c, holding_cost_rate=rate, batch_order_cost=sb,
                     jit_order_cost=sj)  # fmt: skip
    assert_allclose(r.breakeven_jit_order_cost, sb, rtol=1e-9)  # same price: S_j = S_b
    assert r.jit_cheaper == (sj < sb) or np.isclose(sj, sb)


# ------------------------------------------------------------------ input types


def test_scalar_returns_floats():
    r = eoq(1000, order_cost=10, holding_cost=0.5)
    assert all(type(v) is float for v in r)


def test_list_and_ndarray_return_arrays():
    for demand in ([1000, 4000], np.array([1000.0, 4000.0])):
        r = eoq(demand, order_cost=10, holding_cost=0.5)
        assert isinstance(r.order_quantity, np.ndarray)
        assert_allclose(r.order_quantity, [200, 400])


def test_series_keeps_index():
    idx = pd.Index(["A-1", "B-2"], name="sku")
    d = pd.Series([1000.0, 4000.0], index=idx)
    h = pd.Series([0.5, 0.5], index=idx)
    for r in (
        eoq(d, order_cost=10, holding_cost=h),
        eoq_backorders(d, order_cost=10, holding_cost=h, backorder_cost_per_unit_year=5),
        epq(d, setup_cost=10, holding_cost=h, production_rate=1e4),
    ):
        assert isinstance(r.order_quantity, pd.Series)
        assert r.order_quantity.index.equals(idx)
        assert r.annual_cost.name == "annual_cost"
    q = eoq(d, order_cost=10, holding_cost=0.5).order_quantity  # 200 and 400
    c = eoq_cost(q, annual_demand=d, order_cost=10, holding_cost=0.5)
    assert c.total.index.equals(idx)
    assert_allclose(c.total, [100, 200])


def test_series_index_mismatch_raises():
    a = pd.Series([1.0, 2.0], index=["x", "y"])
    b = pd.Series([1.0, 2.0], index=["y", "x"])
    with pytest.raises(ValueError, match=msg("holding_cost is a Series whose index differs")):
        eoq(a, order_cost=10, holding_cost=b)


def test_nan_propagates_and_empty_is_empty():
    r = eoq([np.nan, 1000], order_cost=10, holding_cost=0.5)
    assert np.isnan(r.order_quantity[0]) and np.isnan(r.annual_cost[0])
    assert np.isnan(r.cycle_time_days[0])
    assert_allclose(r.order_quantity[1], 200)
    e = eoq(np.array([]), order_cost=10, holding_cost=0.5)
    assert e.order_quantity.shape == (0,)
    assert all_units_discount([], order_cost=1, holding_cost_rate=0.2,
                              price_breaks=WOHLS).order_quantity.shape == (0,)  # fmt: skip
    assert np.isnan(eoq_cost(np.nan, annual_demand=1, order_cost=1, holding_cost=1).total)


def test_zero_demand_no_nan_no_warning():
    with np.errstate(all="raise"):
        r = eoq(0, order_cost=10, holding_cost=0.5)
        assert (r.order_quantity, r.annual_cost, r.orders_per_year) == (0.0, 0.0, 0.0)
        assert r.cycle_time_days == np.inf
        c = eoq_cost(0, annual_demand=0, order_cost=10, holding_cost=0.5)
        assert c.total == 0
        assert eoq_cost(0, annual_demand=5, order_cost=10, holding_cost=0.5).total == np.inf
        b = eoq_backorders(0, order_cost=1, holding_cost=1, backorder_cost_per_unit_year=1)
        assert b.annual_cost == 0 and b.order_quantity == 0
        p = epq(0, setup_cost=1, holding_cost=1, production_rate=10)
        assert p.annual_cost == 0 and p.order_quantity == 0
        a = all_units_discount(0, order_cost=49, holding_cost_rate=0.2,
                               price_breaks=[(1, 5.0), (1000, 4.8)])  # fmt: skip
        assert (a.order_quantity, a.annual_cost) == (0.0, 0.0)


def test_discount_vectorized_and_per_item_tables():
    d = pd.Series([5000.0, 120_000.0], index=pd.Index(["w", "v"], name="sku"))
    frame = pd.DataFrame(WOHLS, columns=["min_quantity", "unit_price"])
    shared = all_units_discount(d, order_cost=[49, 100], holding_cost_rate=0.2, price_breaks=frame)
    assert shared.order_quantity.index.equals(d.index)
    assert shared.candidates.index.names == ["sku", "break"]
    assert len(shared.candidates) == 6
    # per-item tables, the second padded with a NaN row
    tables = np.array([WOHLS, [*DRUGS_ONLINE[:2], (np.nan, np.nan)]], dtype=float)
    per = all_units_discount([5000, 120_000], order_cost=[49, 100], holding_cost_rate=0.2,
                             price_breaks=tables)  # fmt: skip
    assert_allclose(per.order_quantity, [1000, np.sqrt(2 * 120_000 * 100 / (0.2 * 2.96))])
    assert len(per.candidates) == 5  # padding rows dropped
    single = all_units_discount(120_000, order_cost=100, holding_cost_rate=0.2,
                                price_breaks=DRUGS_ONLINE[:2])  # fmt: skip
    assert_allclose(per.annual_cost[1], single.annual_cost)
    full = incremental_discount([120_000, 120_000], order_cost=100, holding_cost_rate=0.2,
                                price_breaks=[DRUGS_ONLINE, DRUGS_ONLINE])  # fmt: skip
    assert_allclose(full.order_quantity, 16_961, atol=0.5)


# ------------------------------------------------------------------ validation

VALIDATION = [
    (lambda: eoq(-1, order_cost=10, holding_cost=0.5),
     "annual_demand must be >= 0 [units/year]; got -1"),
    (lambda: eoq(1, order_cost=0, holding_cost=0.5), "order_cost must be > 0 [$/order]; got 0"),
    (lambda: eoq(1, order_cost=1, holding_cost=[0.5, -0.2]),
     "holding_cost must be > 0 [$/unit/year]; got -0.2 at 1 position(s)"),
    (lambda: eoq(1, order_cost=1, holding_cost=1, days_per_year=0),
     "days_per_year must be > 0 [days/year]; got 0"),
    (lambda: eoq([1, 2], order_cost=[1, 2, 3], holding_cost=1),
     "inputs cannot be broadcast together"),
    (lambda: eoq("many", order_cost=1, holding_cost=1), "annual_demand must be numeric"),
    (lambda: eoq_cost(-1, annual_demand=1, order_cost=1, holding_cost=1),
     "order_quantity must be >= 0 [units]; got -1"),
    (lambda: eoq_cost(1, annual_demand=-1, order_cost=1, holding_cost=1),
     "annual_demand must be >= 0 [units/year]; got -1"),
    (lambda: eoq_cost(1, annual_demand=1, order_cost=-1, holding_cost=1),
     "order_cost must be >= 0 [$/order]; got -1"),
    (lambda: eoq_cost(1, annual_demand=1, order_cost=1, holding_cost=-1),
     "holding_cost must be >= 0 [$/unit/year]; got -1"),
    (lambda: eoq_backorders(1, order_cost=1, holding_cost=1, backorder_cost_per_unit_year=0),
     "backorder_cost_per_unit_year must be > 0 [$/unit/year]; got 0"),
    (lambda: epq(1, setup_cost=0, holding_cost=1, production_rate=2),
     "setup_cost must be > 0 [$/setup]; got 0"),
    (lambda: epq(1, setup_cost=1, holding_cost=1, production_rate=-2),
     "production_rate must be > 0 [units/year]; got -2"),
    (lambda: epq(10, setup_cost=1, holding_cost=1, production_rate=10),
     "production_rate must be > annual_demand [units/year]; got 10"),
    (lambda: setup_cost_for_lot_size(-1, annual_demand=1, holding_cost=1),
     "order_quantity must be >= 0 [units]; got -1"),
    (lambda: setup_cost_for_lot_size(1, annual_demand=0, holding_cost=1),
     "annual_demand must be > 0 [units/year]; got 0"),
    (lambda: setup_cost_for_lot_size(1, annual_demand=5, holding_cost=1, production_rate=4),
     "production_rate must be > annual_demand [units/year]; got 4"),
    (lambda: eoq_cost_penalty(0, optimal_quantity=1), "order_quantity must be > 0 [units]; got 0"),
    (lambda: eoq_cost_penalty(1, optimal_quantity=-1),
     "optimal_quantity must be > 0 [units]; got -1"),
    (lambda: eoq_flat_range(-0.1), "tolerance must be >= 0 [fraction]; got -0.1"),
    (lambda: eoq_flat_range(0.1, optimal_quantity=0),
     "optimal_quantity must be > 0 [units]; got 0"),
    (lambda: all_units_discount(1, order_cost=1, holding_cost_rate=0, price_breaks=WOHLS),
     "holding_cost_rate must be > 0 [1/year]; got 0"),
    (lambda: all_units_discount(-1, order_cost=1, holding_cost_rate=0.2, price_breaks=WOHLS),
     "annual_demand must be >= 0 [units/year]; got -1"),
    (lambda: incremental_discount(1, order_cost=0, holding_cost_rate=0.2, price_breaks=WOHLS),
     "order_cost must be > 0 [$/order]; got 0"),
    (lambda: all_units_discount(1, order_cost=1, holding_cost_rate=0.2,
                                price_breaks=[(0, 5), (1000, 5.5)]),
     "price_breaks unit_price must be non-increasing in min_quantity [$/unit]; got 0.5"),
    (lambda: incremental_discount(1, order_cost=1, holding_cost_rate=0.2,
                                  price_breaks=[(0, 5), (10, 4), (20, 4.5)]),
     "price_breaks unit_price must be non-increasing in min_quantity [$/unit]; got 0.5"),
    (lambda: all_units_discount(1, order_cost=1, holding_cost_rate=0.2,
                                price_breaks=[(0, 5), (0, 4)]),
     "price_breaks min_quantity must be strictly increasing [units]; got 0"),
    (lambda: incremental_discount(1, order_cost=1, holding_cost_rate=0.2,
                                  price_breaks=[(-1, 5)]),
     "price_breaks min_quantity must be >= 0 [units]; got -1"),
    (lambda: incremental_discount(1, order_cost=1, holding_cost_rate=0.2,
                                  price_breaks=[(0, 0)]),
     "price_breaks unit_price must be > 0 [$/unit]; got 0"),
    (lambda: all_units_discount(1, order_cost=1, holding_cost_rate=0.2, price_breaks=[5, 4]),
     "price_breaks must be a sequence of (min_quantity, unit_price) pairs"),
    (lambda: all_units_discount(1, order_cost=1, holding_cost_rate=0.2, price_breaks=[]),
     "price_breaks must be a sequence of (min_quantity, unit_price) pairs"),
    (lambda: all_units_discount(1, order_cost=1, holding_cost_rate=0.2,
                                price_breaks=[("a", "b")]),
     "price_breaks must be a sequence of (min_quantity, unit_price) pairs; got"),
    (lambda: all_units_discount(1, order_cost=1, holding_cost_rate=0.2,
                                price_breaks=pd.DataFrame({"qty": [0], "unit_price": [1]})),
     "price_breaks DataFrame needs columns 'min_quantity' and 'unit_price'; missing"),
    (lambda: all_units_discount(1, order_cost=1, holding_cost_rate=0.2,
                                price_breaks=[(0, 5), (10, np.nan)]),
     "price_breaks rows must be complete"),
    (lambda: all_units_discount(1, order_cost=1, holding_cost_rate=0.2,
                                price_breaks=[(np.nan, np.nan), (10, 4)]),
     "price_breaks: the first break of each table must not be NaN"),
    (lambda: all_units_discount(1, order_cost=1, holding_cost_rate=0.2,
                                price_breaks=[(0, 5), (np.nan, np.nan), (10, 4)]),
     "price_breaks: NaN padding rows must come last"),
    (lambda: all_units_discount([1, 2, 3], order_cost=1, holding_cost_rate=0.2,
                                price_breaks=[WOHLS, WOHLS]),
     "do not match the items' shape (3,)"),
    (lambda: all_units_discount(1, order_cost=1, holding_cost_rate=0.2,
                                price_breaks=[WOHLS, WOHLS]),
     "price_breaks have more item dimensions (2,) than the other inputs ()"),
    (lambda: jit_vs_batch(1, unit_cost=0, holding_cost_rate=0.1, batch_order_cost=1,
                          jit_order_cost=1), "unit_cost must be > 0 [$/unit]; got 0"),
    (lambda: jit_vs_batch(-1, unit_cost=1, holding_cost_rate=0.1, batch_order_cost=1,
                          jit_order_cost=1), "annual_demand must be >= 0 [units/year]; got -1"),
    (lambda: jit_vs_batch(1, unit_cost=1, holding_cost_rate=-0.1, batch_order_cost=1,
                          jit_order_cost=1), "holding_cost_rate must be > 0 [1/year]; got -0.1"),
    (lambda: jit_vs_batch(1, unit_cost=1, holding_cost_rate=0.1, batch_order_cost=0,
                          jit_order_cost=1), "batch_order_cost must be > 0 [$/order]; got 0"),
    (lambda: jit_vs_batch(1, unit_cost=1, holding_cost_rate=0.1, batch_order_cost=1,
                          jit_order_cost=-1), "jit_order_cost must be >= 0 [$/order]; got -1"),
    (lambda: jit_vs_batch(1, unit_cost=1, holding_cost_rate=0.1, batch_order_cost=1,
                          jit_order_cost=1, jit_unit_cost=0),
     "jit_unit_cost must be > 0 [$/unit]; got 0"),
    (lambda: jit_vs_batch(1, unit_cost=1, holding_cost_rate=0.1, batch_order_cost=1,
                          jit_order_cost=1, jit_deliveries_per_year=0),
     "jit_deliveries_per_year must be > 0 [1/year]; got 0"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "message"), VALIDATION, ids=[m for _, m in VALIDATION])
def test_validation_messages(call, message):
    with pytest.raises(ValueError, match=msg(message)):
        call()


def test_nan_parameters_pass_validation():
    # NaN is "unknown", not invalid: it propagates instead of raising
    r = eoq(1000, order_cost=np.nan, holding_cost=0.5)
    assert np.isnan(r.order_quantity)
    a = all_units_discount([np.nan, 5000], order_cost=49, holding_cost_rate=0.2,
                           price_breaks=WOHLS)  # fmt: skip
    assert np.isnan(a.order_quantity[0]) and a.order_quantity[1] == 1000


def test_eoq_backorders_with_a_cost_per_unit_short_too():
    # Hadley & Whitin's model with a fixed (pi, $/unit short) and a time-weighted
    # (B, $/unit/year) backorder cost: compare with a brute-force grid over (Q, b).
    d, k, h, bb, pi = 1300.0, 8.0, 0.225, 5.0, 0.02
    r = eoq_backorders(d, order_cost=k, holding_cost=h, backorder_cost_per_unit_year=bb,
                       shortage_cost_per_unit=pi)  # fmt: skip
    q, b = np.meshgrid(np.linspace(250, 400, 1501), np.linspace(0, 40, 4001), indexing="ij")
    cost = k * d / q + h * (q - b) ** 2 / (2 * q) + bb * b**2 / (2 * q) + pi * d * b / q
    i = np.unravel_index(np.argmin(cost), cost.shape)
    assert_allclose(r.order_quantity, q[i], atol=0.1)  # grid step 0.1
    assert_allclose(r.max_backorder, b[i], atol=0.01)
    assert_allclose(r.annual_cost, cost[i], rtol=1e-7)
    assert r.annual_cost <= cost.min() + 1e-9
    assert_allclose(r.fraction_backordered, r.max_backorder / r.order_quantity, rtol=1e-12)
    # pi = 0 is Snyder & Shen's model; a large pi makes backordering pay nothing: the EOQ
    base = eoq_backorders(d, order_cost=k, holding_cost=h, backorder_cost_per_unit_year=bb)
    zero = eoq_backorders(d, order_cost=k, holding_cost=h, backorder_cost_per_unit_year=bb,
                          shortage_cost_per_unit=0.0)  # fmt: skip
    assert zero == base
    big = eoq_backorders(d, order_cost=k, holding_cost=h, backorder_cost_per_unit_year=bb,
                         shortage_cost_per_unit=1.0)  # fmt: skip
    assert big.max_backorder == 0.0
    assert_allclose(big.order_quantity, eoq(d, order_cost=k, holding_cost=h).order_quantity,
                    rtol=1e-12)  # fmt: skip
    with pytest.raises(ValueError, match=r"backorder_cost_per_unit_year \[\$/unit/year\] is req"):
        eoq_backorders(d, order_cost=k, holding_cost=h, shortage_cost_per_unit=1.0)
    with pytest.warns(DeprecationWarning, match="backorder_cost is deprecated"):
        old = eoq_backorders(d, order_cost=k, holding_cost=h, backorder_cost=bb)
    assert old == base
