"""Tests for workbench.mrp.lot_sizing: published cases, properties, input types, validation.

Every published figure below was recomputed by hand from the stated data before use
(the arithmetic is in the comments). Provenance of the inputs:

- Jacobs & Chase, Operations and Supply Chain Management (ch. 21, MRP lot sizing):
  eight weeks of net requirements 50, 60, 70, 60, 95, 75, 60, 55, order cost $47,
  carrying cost 0.5 % a week of a $10 part (h = $0.05/unit/week); the book's totals are
  lot-for-lot $376, EOQ 351 units $171.05, least total cost / PPB $140.50, least unit
  cost $153.50. Taken from the book as remembered, each recomputed below.
- Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed., Example 3.9 and Problems
  3.27 and 3.29 (Wagner-Whitin): data and optimal costs as in the authors' library
  stockpyl (datasets and tests/test_wagner_whitin.py): $1,380, $424 and $423.
- Nahmias, Production and Operations Analysis, sect. 7.5 (the machine shop's computer
  casings): requirements 18, 30, 42, 5, 20, setup $80, h = $2/unit/week; Silver-Meal
  lots 48 (weeks 1-2), 47 (weeks 3-4), 20 (week 5), as reproduced on solutioninn.com.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import workbench as wb
from workbench.mrp.lot_sizing import LOT_SIZING_METHODS, LotSizeResult, lot_size

JC = [50, 60, 70, 60, 95, 75, 60, 55]
JC_COSTS = {"order_cost": 47.0, "holding_cost": 0.05}

# (source, method, requirements, order cost, holding cost, receipts, total cost)
PUBLISHED = [
    # 8 orders x $47 = $376, nothing held
    ("Jacobs & Chase L4L", "lot_for_lot", JC, 47, 0.05, JC, 376.0),
    # EOQ = sqrt(2 * 65.625 * 47 / 0.05) = 351.2 -> 351; orders in weeks 1 and 6;
    # ending stock 301+241+171+111+16+292+232+177 = 1541; 2*47 + 1541*0.05 = 171.05
    (
        "Jacobs & Chase EOQ",
        "eoq",
        JC,
        47,
        0.05,
        [351, 0, 0, 0, 0, 351, 0, 0],
        171.05,
    ),
    # EPP = 47 / 0.05 = 940 part-periods; weeks 1-5 hold 60+140+180+380 = 760 (week 6
    # would make 1135, farther from 940); weeks 6-8 hold 60+110 = 170;
    # 2*47 + (760+170)*0.05 = 140.50
    (
        "Jacobs & Chase PPB",
        "part_period_balancing",
        JC,
        47,
        0.05,
        [335, 0, 0, 0, 0, 190, 0, 0],
        140.50,
    ),
    # unit cost falls to 103.75/410 = 0.2530 covering weeks 1-6 and rises at week 7
    # (121.75/470 = 0.259); then weeks 7-8 at 49.75/115; 2*47 + 56.75 + 2.75 = 153.50
    (
        "Jacobs & Chase LUC",
        "least_unit_cost",
        JC,
        47,
        0.05,
        [410, 0, 0, 0, 0, 0, 115, 0],
        153.50,
    ),
    # 2 orders (210, 150) x $500 + $2 x (120 + 70) = 1380
    (
        "Snyder & Shen Example 3.9",
        "wagner_whitin",
        [90, 120, 80, 70],
        500,
        2,
        [210, 0, 150, 0],
        1380.0,
    ),
    # 3 x $120 + $0.8 x 80 = 424
    (
        "Snyder & Shen Problem 3.27",
        "wagner_whitin",
        [150, 100, 80, 200],
        120,
        0.8,
        [150, 180, 0, 200],
        424.0,
    ),
    # 3 x $100 + $0.1 x (580 + 650) = 423
    (
        "Snyder & Shen Problem 3.29",
        "wagner_whitin",
        [730, 580, 445, 650, 880],
        100,
        0.1,
        [1310, 0, 1095, 0, 880],
        423.0,
    ),
    # C(1)=80, C(2)=70, C(3)=102.67: stop, lot 48; from week 3 C(2)=45, C(3)=56.67:
    # lot 47; week 5: 20. 3 x $80 + $2 x (30 + 5) = 310
    (
        "Nahmias Silver-Meal",
        "silver_meal",
        [18, 30, 42, 5, 20],
        80,
        2,
        [48, 0, 47, 0, 20],
        310.0,
    ),
    # EPP = 80/2 = 40: weeks 1-2 hold 30 (weeks 1-3 would hold 114); from week 3 the
    # part-periods run 0, 5, 45: 45 is closer to 40 than 5, lot 67; 2 x 80 + 2 x 75 = 310
    (
        "Nahmias data, PPB by hand",
        "part_period_balancing",
        [18, 30, 42, 5, 20],
        80,
        2,
        [48, 0, 67, 0, 0],
        310.0,
    ),
    # Snyder & Shen Example 3.9 data, Silver-Meal by hand: C = 500, 370, 353.3, 370:
    # lot 290 for periods 1-3, then 70; 2 x 500 + 2 x (120 + 2 x 80) = 1560 > WW 1380
    (
        "Snyder & Shen 3.9 data, Silver-Meal by hand",
        "silver_meal",
        [90, 120, 80, 70],
        500,
        2,
        [290, 0, 0, 70],
        1560.0,
    ),
]


@pytest.mark.parametrize(
    "source, method, req, s, h, receipts, cost", PUBLISHED, ids=[p[0] for p in PUBLISHED]
)
def test_published_cases(source, method, req, s, h, receipts, cost):
    res = lot_size(req, method=method, order_cost=s, holding_cost=h)
    assert_allclose(res.receipts, receipts)
    assert_allclose(res.total_cost, cost, rtol=1e-12)  # the books' cents, exactly
    assert isinstance(res, LotSizeResult)


def test_jacobs_chase_eoq_lot_and_poq_interval():
    eoq = lot_size(JC, method="eoq", **JC_COSTS)
    assert eoq.lot_quantity == 351.0  # sqrt(123375) = 351.25, rounded to a unit
    poq = lot_size(JC, method="POQ", **JC_COSTS)
    # P = round(351.25 / 65.625) = round(5.35) = 5 weeks: lots of weeks 1-5 and 6-8
    assert poq.periods_per_order == 5.0
    assert_allclose(poq.receipts, [335, 0, 0, 0, 0, 190, 0, 0])


def test_fixed_order_quantity_orders_the_lot_or_the_need():
    res = lot_size([30, 0, 250, 40], method="FOQ", fixed_order_qty=100, order_cost=10)
    # week 1: 100 (70 left); week 3 needs 180 > 100: the need; week 4: 100
    assert_allclose(res.receipts, [100, 0, 180, 100])
    assert_allclose(res.ending_inventory, [70, 70, 0, 60])
    assert res.ordering_cost == 30.0


def test_aliases_and_names():
    assert len(LOT_SIZING_METHODS) == 8
    for alias, name in [
        ("L4L", "lot_for_lot"),
        ("ww", "wagner_whitin"),
        ("Silver-Meal", "silver_meal"),
    ]:
        assert lot_size([1, 2], method=alias).method == name
    assert wb.lot_size is lot_size and wb.LOT_SIZING_METHODS == LOT_SIZING_METHODS


# ----------------------------------------------------------------------------- properties


def _brute_force(req, s, h):
    """Cheapest plan by enumerating every set of order periods (period 1 always)."""
    n = len(req)
    best = np.inf
    for mask in itertools.product([0, 1], repeat=n - 1):
        starts = [0] + [t + 1 for t in range(n - 1) if mask[t]]
        cost = 0.0
        for a, b in zip(starts, [*starts[1:], n], strict=True):
            cost += (s if sum(req[a:b]) > 0 else 0) + h * sum((k - a) * req[k] for k in range(a, b))
        best = min(best, cost)
    return best


def _kw(method):
    return {"fixed_order_qty": 40.0} if method == "fixed_order_quantity" else {}


def test_wagner_whitin_is_optimal_against_enumeration():
    rng = np.random.default_rng(7)
    for _ in range(40):
        n = int(rng.integers(1, 9))
        req = rng.integers(0, 60, n) * (rng.random(n) < 0.8)
        s, h = float(rng.uniform(5, 200)), float(rng.uniform(0.1, 3))
        res = lot_size(req, method="wagner_whitin", order_cost=s, holding_cost=h)
        assert_allclose(res.total_cost, _brute_force(list(req), s, h), rtol=1e-9)


def test_wagner_whitin_never_costlier_than_any_rule_on_many_items():
    rng = np.random.default_rng(11)
    req = (rng.poisson(30, (300, 20)) * (rng.random((300, 20)) < 0.6)).astype(float)
    s = rng.uniform(1, 300, 300)
    h = rng.uniform(0.05, 2, 300)
    ww = lot_size(req, method="wagner_whitin", order_cost=s, holding_cost=h).total_cost
    for method in LOT_SIZING_METHODS:
        other = lot_size(req, method=method, order_cost=s, holding_cost=h, **_kw(method))
        assert np.all(ww <= other.total_cost + 1e-9), method
    # and strictly cheaper than lot-for-lot somewhere, so the check can fail
    l4l = lot_size(req, method="L4L", order_cost=s, holding_cost=h).total_cost
    assert np.any(ww < l4l - 1e-6)


@pytest.mark.parametrize("method", LOT_SIZING_METHODS)
def test_receipts_cover_requirements_and_respect_moq_pack_max(method):
    rng = np.random.default_rng(3)
    req = (rng.poisson(40, (200, 26)) * (rng.random((200, 26)) < 0.5)).astype(float)
    req[:5, 3] = 700.0  # a period needing more than the maximum
    moq, pack, cap = 60.0, 12.0, 290.0  # 290 holds 24 packs: 288
    res = lot_size(
        req,
        method=method,
        order_cost=rng.uniform(10, 200, 200),
        holding_cost=0.3,
        min_order_qty=moq,
        pack_size=pack,
        max_order_qty=cap,
        **_kw(method),
    )
    rec, orders = res.receipts, res.orders
    # never short: cumulative receipts cover cumulative requirements
    assert np.all(np.cumsum(rec, axis=1) >= np.cumsum(req, axis=1) - 1e-9)
    # inventory balance: ending = cumulative receipts - cumulative requirements
    assert_allclose(res.ending_inventory, np.cumsum(rec - req, axis=1), atol=1e-9)
    placed = orders > 0
    per_order = rec[placed] / orders[placed]
    assert np.all(rec[placed] >= moq) and np.all(per_order <= 288 + 1e-9)
    assert_allclose(rec / pack, np.round(rec / pack), atol=1e-9)  # whole packs
    # 700 less what is left from earlier lots (under 300) needs at least 2 orders
    assert np.all(orders[:5, 3] >= 2)
    assert np.all(rec[~placed] == 0)
    # costs add up
    assert_allclose(res.total_cost, res.ordering_cost + res.holding_cost)


@pytest.mark.parametrize("method", LOT_SIZING_METHODS)
def test_many_items_equal_one_at_a_time(method):
    rng = np.random.default_rng(5)
    req = (rng.poisson(20, (6, 12)) * (rng.random((6, 12)) < 0.7)).astype(float)
    s, h = rng.uniform(10, 100, 6), rng.uniform(0.1, 1, 6)
    many = lot_size(req, method=method, order_cost=s, holding_cost=h, pack_size=5, **_kw(method))
    for i in range(6):
        one = lot_size(
            req[i], method=method, order_cost=s[i], holding_cost=h[i], pack_size=5, **_kw(method)
        )
        assert_array_equal(many.receipts[i], one.receipts)
        assert many.total_cost[i] == one.total_cost


def test_lot_for_lot_without_constraints_is_the_requirement():
    req = np.array([[0, 3.5, 0, 8], [1, 1, 1, 1]])
    res = lot_size(req, method="lot_for_lot", order_cost=5, pack_size=0.5)
    assert_allclose(res.receipts, req)
    assert_allclose(res.total_cost, [10, 20])


def test_no_requirement_no_order():
    res = lot_size(np.zeros((3, 5)), method="wagner_whitin", order_cost=10, holding_cost=1)
    assert res.receipts.sum() == 0 and np.all(res.total_cost == 0)


def test_zero_holding_cost_orders_once():
    for method in ("eoq", "silver_meal", "part_period_balancing", "wagner_whitin", "POQ"):
        res = lot_size([5, 0, 7, 9], method=method, order_cost=10, holding_cost=0.0)
        assert_allclose(res.receipts, [21, 0, 0, 0], err_msg=method)


# ----------------------------------------------------------------------------- input types


def test_dataframe_and_series_keep_labels():
    frame = pd.DataFrame([[10, 0, 20], [5, 5, 5]], index=["A", "B"], columns=["w1", "w2", "w3"])
    res = lot_size(frame, method="wagner_whitin", order_cost=pd.Series([20.0, 1.0]), holding_cost=1)
    assert isinstance(res.receipts, pd.DataFrame)
    assert list(res.receipts.index) == ["A", "B"] and list(res.receipts.columns) == [
        "w1",
        "w2",
        "w3",
    ]
    assert isinstance(res.total_cost, pd.Series) and list(res.total_cost.index) == ["A", "B"]
    series = lot_size(frame.loc["A"], method="L4L", order_cost=3)
    assert isinstance(series.receipts, pd.Series) and list(series.receipts.index) == [
        "w1",
        "w2",
        "w3",
    ]
    assert series.total_cost == 6.0


def test_import_workbench_does_not_load_numba_until_lot_sizing_runs():
    code = (
        "import sys, workbench as wb; a = 'numba' in sys.modules; "
        "wb.lot_size([1, 2], method='ww', order_cost=1, holding_cost=1); "
        "print(a, 'numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "req, kwargs, match",
    [
        ([1, -2, 3], {}, r"requirements must be finite and >= 0 \[units\]; got -2 at period 1"),
        ([[1, 2], [3, np.nan]], {}, r"got nan at item 1, period 1"),
        ([[[1]]], {}, "1-D.*2-D"),
        (["a"], {}, "requirements must be numbers"),
        ([1], {"method": "magic"}, "method must be one of"),
        ([1], {"order_cost": -1}, r"order_cost must be >= 0 \[\$/order\]; got -1"),
        ([1], {"holding_cost": [1, 2]}, "holding_cost must be a scalar or one value per item"),
        ([1], {"pack_size": 0}, r"pack_size must be > 0 and finite \[units\]; got 0"),
        ([1], {"min_order_qty": -5}, "min_order_qty must be >= 0"),
        ([1], {"max_order_qty": 0}, r"max_order_qty must be > 0 \[units\]; got 0"),
        ([1], {"max_order_qty": 50, "min_order_qty": 60}, "at least one pack and the minimum"),
        ([1], {"max_order_qty": 5, "pack_size": 12}, "at least one pack"),
        ([1], {"method": "FOQ"}, "needs fixed_order_qty"),
        ([1], {"method": "FOQ", "fixed_order_qty": 0}, "fixed_order_qty must be > 0"),
        ([1], {"method": "POQ", "periods_per_order": 1.5}, "a whole number >= 1"),
        ([1], {"order_cost": "x"}, "order_cost must be a number"),
    ],
)
def test_bad_input_names_parameter_and_value(req, kwargs, match):
    with pytest.raises(ValueError, match=match):
        lot_size(req, **kwargs)
