"""Tests for workbench.stock.valuation: FIFO, LIFO, weighted and moving average."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from workbench.stock.valuation import VALUATION_METHODS, compare_valuation, inventory_valuation


def _buys(sku, dates, qty, cost):
    return pd.DataFrame(
        {
            "sku": sku,
            "date": pd.to_datetime(dates),
            "quantity": np.asarray(qty, float),
            "unit_cost": np.asarray(cost, float),
        }
    )


def _sold(sku, dates, qty):
    return pd.DataFrame(
        {"sku": sku, "date": pd.to_datetime(dates), "quantity": np.asarray(qty, float)}
    )


# Kieso, Weygandt & Warfield, Intermediate Accounting, ch. 8, "Call-Mart Inc.":
# March 2 buy 2,000 @ $4.00; March 15 buy 6,000 @ $4.40; March 19 issue 4,000;
# March 30 buy 2,000 @ $4.75. Goods available 10,000 units, $43,900.
CALL_MART = dict(
    purchases=_buys(
        "cm", ["2026-03-02", "2026-03-15", "2026-03-30"], [2000, 6000, 2000], [4.0, 4.4, 4.75]
    ),
    issues=_sold("cm", ["2026-03-19"], [4000]),
    opening=None,
)
# Weygandt, Kimmel & Kieso, Accounting Principles, ch. 6, "Houston Electronics"
# (Astro condensers): beginning 100 @ $10; buys 200 @ $11, 300 @ $12, 400 @ $13;
# 550 units sold; goods available 1,000 units, $12,000.
HOUSTON = dict(
    purchases=_buys(
        "astro", ["2026-04-15", "2026-08-24", "2026-11-27"], [200, 300, 400], [11, 12, 13]
    ),
    issues=_sold("astro", ["2026-12-31"], [550]),
    opening=pd.DataFrame({"sku": ["astro"], "quantity": [100.0], "unit_cost": [10.0]}),
)
# Weygandt, Kimmel & Kieso, Accounting Principles, ch. 6 problem, "Farman Appliance
# Mart" (perpetual, Model 25 Sureshot camera): May 1 buy 7 @ $150; May 4 sell 4;
# May 8 buy 8 @ $170; May 12 sell 5; May 15 buy 6 @ $185; May 20 sell 3; May 25 sell 4.
FARMAN = dict(
    purchases=_buys("cam", ["2026-05-01", "2026-05-08", "2026-05-15"], [7, 8, 6], [150, 170, 185]),
    issues=_sold("cam", ["2026-05-04", "2026-05-12", "2026-05-20", "2026-05-25"], [4, 5, 3, 4]),
    opening=None,
)

FARMAN_MA = 5 * (6 * 1810 / 11 + 1110) / 12  # $873.86

PUBLISHED = [
    # (case, method, COGS, closing value, tolerance, source)
    ("Call-Mart", CALL_MART, "fifo", 16800.0, 27100.0, 1e-9),
    ("Call-Mart", CALL_MART, "weighted_average", 17560.0, 26340.0, 1e-9),  # $4.39/unit
    ("Call-Mart", CALL_MART, "lifo", 18300.0, 25600.0, 1e-9),
    ("Call-Mart", CALL_MART, "moving_average", 17200.0, 26700.0, 1e-9),  # $4.30 then $4.45
    ("Houston", HOUSTON, "fifo", 6200.0, 5800.0, 1e-9),
    ("Houston", HOUSTON, "weighted_average", 6600.0, 5400.0, 1e-9),  # $12.00/unit
    ("Houston", HOUSTON, "lifo", 7000.0, 5000.0, 1e-9),
    ("Farman", FARMAN, "fifo", 3520.0 - 925.0, 925.0, 1e-9),  # ending 5 @ $185
    # moving average recomputed unrounded: $1,810/11 after May 8, then
    # (6 x 1,810/11 + $1,110)/12 = $174.7727 after May 15; the book rounds the
    # intermediate averages ($164.55, $174.775) and shows $874
    ("Farman", FARMAN, "moving_average", 3520.0 - FARMAN_MA, FARMAN_MA, 1e-9),
]


@pytest.mark.parametrize(
    ("name", "case", "method", "cogs", "closing", "rtol"),
    PUBLISHED,
    ids=[f"{c[0]}-{c[2]}" for c in PUBLISHED],
)
def test_published_cases(name, case, method, cogs, closing, rtol):
    row = inventory_valuation(
        case["purchases"], case["issues"], opening=case["opening"], method=method
    ).iloc[0]
    assert_allclose(row["cogs"], cogs, rtol=rtol)
    assert_allclose(row["closing_value"], closing, rtol=rtol)


def test_farman_goods_available():
    # 7 x $150 + 8 x $170 + 6 x $185 = $1,050 + $1,360 + $1,110 = $3,520
    row = inventory_valuation(FARMAN["purchases"], FARMAN["issues"], method="fifo").iloc[0]
    assert_allclose(row["purchases_value"], 3520.0)
    assert_allclose(row["closing_units"], 5.0)


def test_farman_book_rounding():
    row = inventory_valuation(FARMAN["purchases"], FARMAN["issues"], method="moving_average")
    # published $874 is rounded to the dollar
    assert_allclose(row["closing_value"].iloc[0], 874.0, atol=0.5)


def test_compare_totals_and_explanation_houston():
    cmp = compare_valuation(**HOUSTON, price=21.0)
    assert list(cmp.totals.index) == ["fifo", "weighted_average", "lifo"]
    assert_allclose(cmp.totals["cogs"], [6200, 6600, 7000])
    assert_allclose(cmp.totals["revenue"], [550 * 21.0] * 3)
    assert_allclose(cmp.totals["gross_profit"], 550 * 21.0 - cmp.totals["cogs"])
    assert "FIFO gives the lowest COGS" in cmp.explanation
    assert "rose for 1 SKU" in cmp.explanation
    assert "weighted_average" not in cmp.explanation
    assert "Periodic LIFO the highest" in cmp.explanation


def test_price_as_series_by_sku():
    case = {**HOUSTON}
    cmp = compare_valuation(**case, price=pd.Series({"astro": 20.0}), methods=("fifo",))
    assert_allclose(cmp.totals.loc["fifo", "revenue"], 11000.0)


def test_shortfall_is_not_costed():
    row = inventory_valuation(
        _buys("a", ["2026-01-01"], [5], [2.0]), _sold("a", ["2026-01-05"], [8]), method="lifo"
    ).iloc[0]
    assert_allclose([row["cogs_units"], row["shortfall_units"], row["cogs"]], [5, 3, 10])


def test_sku_only_in_issues_or_only_in_opening():
    opening = pd.DataFrame({"sku": ["keep"], "quantity": [3.0], "unit_cost": [7.0]})
    out = inventory_valuation(
        _buys("a", ["2026-01-01"], [5], [2.0]),
        _sold("ghost", ["2026-01-05"], [1]),
        opening=opening,
        method="weighted_average",
    ).set_index("sku")
    assert_allclose(out.loc["keep", "closing_value"], 21.0)
    assert_allclose(out.loc["ghost", "shortfall_units"], 1.0)
    assert_allclose(out.loc["a", "closing_value"], 10.0)


def test_received_date_accepted_for_purchases():
    buys = CALL_MART["purchases"].rename(columns={"date": "received_date"})
    row = inventory_valuation(buys, CALL_MART["issues"], method="fifo").iloc[0]
    assert_allclose(row["cogs"], 16800.0)


def test_empty_period():
    out = inventory_valuation(
        CALL_MART["purchases"].iloc[:0], CALL_MART["issues"].iloc[:0], method="fifo"
    )
    assert out.empty
    assert "closing_value" in out.columns


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match=r"method must be one of"):
        inventory_valuation(**CALL_MART, method="hifo")
    with pytest.raises(ValueError, match=r"purchases must have a 'date'"):
        inventory_valuation(CALL_MART["purchases"].drop(columns="date"), CALL_MART["issues"])
    with pytest.raises(ValueError, match=r"unit_cost must be a number >= 0 \[\$/unit\]"):
        inventory_valuation(CALL_MART["purchases"].assign(unit_cost=-1.0), CALL_MART["issues"])
    with pytest.raises(ValueError, match=r"issues.quantity must be >= 0 \[units\]"):
        inventory_valuation(CALL_MART["purchases"], CALL_MART["issues"].assign(quantity=-5.0))
    with pytest.raises(ValueError, match=r"issues must have columns"):
        inventory_valuation(CALL_MART["purchases"], CALL_MART["issues"].drop(columns="sku"))


@st.composite
def _period(draw, rising=False):
    rows, sales = [], []
    n_sku = draw(st.integers(1, 3))
    for s in range(n_sku):
        n = draw(st.integers(0, 5))
        costs = [draw(st.floats(0.5, 50.0)) for _ in range(n)]
        if rising:
            costs.sort()
        for k, c in enumerate(costs):
            rows.append((f"s{s}", k * 7, draw(st.integers(0, 40)), c))
        for _ in range(draw(st.integers(0, 5))):
            sales.append((f"s{s}", draw(st.integers(0, 40)), draw(st.integers(0, 30))))
    start = pd.Timestamp("2026-01-01")
    buys = pd.DataFrame(rows, columns=["sku", "day", "quantity", "unit_cost"])
    buys["date"] = start + pd.to_timedelta(buys["day"], "D")
    buys["quantity"] = buys["quantity"].astype(float)
    buys["unit_cost"] = buys["unit_cost"].astype(float)
    sold = pd.DataFrame(sales, columns=["sku", "day", "quantity"])
    sold["date"] = start + pd.to_timedelta(sold["day"], "D")
    sold["quantity"] = sold["quantity"].astype(float)
    opening = None
    if draw(st.booleans()) and n_sku:
        first_cost = 0.1 if rising else draw(st.floats(0.5, 50.0))
        opening = pd.DataFrame(
            {"sku": ["s0"], "quantity": [float(draw(st.integers(0, 30)))], "unit_cost": first_cost}
        )
    return buys, sold, opening


@settings(max_examples=25, deadline=None)
@given(_period())
def test_invariant_opening_plus_purchases_equals_cogs_plus_closing(case):
    buys, sold, opening = case
    for method in VALUATION_METHODS:
        out = inventory_valuation(buys, sold, opening=opening, method=method)
        lhs = out["opening_value"] + out["purchases_value"]
        rhs = out["cogs"] + out["closing_value"]
        assert_allclose(lhs, rhs, rtol=1e-9, atol=1e-6)
        assert (out["closing_value"] >= -1e-6).all()
        assert (out["cogs"] >= -1e-6).all()
        units = out["opening_units"] + out["purchased_units"]
        assert_allclose(units, out["cogs_units"] + out["closing_units"], atol=1e-9)
        assert (out["cogs_units"] <= out["issued_units"] + 1e-9).all()


@settings(max_examples=25, deadline=None)
@given(_period(rising=True))
def test_rising_costs_rank_fifo_below_average_below_lifo(case):
    buys, sold, opening = case
    cogs = {
        m: inventory_valuation(buys, sold, opening=opening, method=m).set_index("sku")["cogs"]
        for m in ("fifo", "weighted_average", "lifo")
    }
    tol = 1e-6
    assert (cogs["fifo"] <= cogs["weighted_average"] + tol).all()
    assert (cogs["weighted_average"] <= cogs["lifo"] + tol).all()


def _tiny_dataset():
    import workbench as wb

    items = pd.DataFrame(
        {
            "sku": ["rm", "fg"],
            "inventory_type": ["raw_material", "finished_good"],
            "unit_cost": [5.0, 9.0],
        }
    )
    demand = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-01-10", "2026-02-10", "2026-02-10"]),
            "sku": ["rm", "rm", "fg"],
            "quantity": [30.0, 50.0, 1.0],
        }
    )
    pos = pd.DataFrame(
        {
            "po_id": ["p0", "p1", "p2"],
            "sku": ["rm"] * 3,
            "supplier_id": ["s"] * 3,
            "order_date": pd.to_datetime(["2025-12-01", "2026-01-20", "2026-02-20"]),
            "promised_date": pd.to_datetime(["2025-12-10", "2026-02-01", "2026-03-01"]),
            "received_date": pd.to_datetime(["2025-12-10", "2026-02-01", None]),
            "quantity": [100.0, 40.0, 10.0],
            "unit_cost": [4.0, 4.5, 4.8],
        }
    )
    lots = pd.DataFrame(
        {
            "sku": ["rm", "fg"],
            "lot_id": ["a", "b"],
            "received_date": pd.to_datetime(["2026-02-01", "2026-01-05"]),
            "quantity": [25.0, 3.0],
            "unit_cost": [4.5, 9.0],
            "location": ["S", "F"],
        }
    )
    suppliers = pd.DataFrame({"supplier_id": ["s"], "name": ["S"], "lead_time_days": [5.0]})
    return wb.Dataset.from_tables(
        {
            "items": items,
            "demand": demand,
            "purchase_orders": pos,
            "lots": lots,
            "suppliers": suppliers,
        }
    )


def test_period_movements_rolls_opening_back():
    from workbench.stock.valuation import period_movements

    m = period_movements(_tiny_dataset(), start="2026-01-01", end="2026-02-28")
    # rm: 25 at end + 80 issued - 40 received = 65 opening, at the December price $4
    assert m.opening[["sku", "quantity", "unit_cost"]].to_numpy().tolist() == [["rm", 65.0, 4.0]]
    assert_allclose(m.purchases["quantity"], [40.0])  # the open PO is not a receipt
    assert_allclose(m.issues["quantity"].sum(), 80.0)
    assert m.excluded.set_index("sku").loc["fg", "reason"].startswith("no purchase receipts")
    # FIFO closing: 25 units from the February layer at $4.50 = today's lot
    row = inventory_valuation(m.purchases, m.issues, opening=m.opening).iloc[0]
    assert_allclose(row["closing_value"], 25 * 4.5)
    with pytest.raises(ValueError, match=r"end must be on or after start"):
        period_movements(_tiny_dataset(), start="2026-02-01", end="2026-01-01")


# The perpetual case of issue 15 (the textbook example quoted there): opening 200 @ $5,
# sell 150, buy 300 @ $6, sell 250, buy 400 @ $7, sell 350, buy 100 @ $8.
# Periodic LIFO COGS: 100 x 8 + 400 x 7 + 250 x 6 = $5,100.
# Perpetual LIFO COGS: 150 x 5 + 250 x 6 + 350 x 7 = $4,700.
# Moving average: 150 x 5 + 250 x 2,050/350 + 350 x (100 x 2,050/350 + 2,800)/500
# = 750 + 1,464.29 + 2,370.00 = $4,584.29.
ISSUE15 = dict(
    purchases=_buys(
        "t", ["2026-01-10", "2026-01-20", "2026-01-30"], [300, 400, 100], [6.0, 7.0, 8.0]
    ),
    issues=_sold("t", ["2026-01-05", "2026-01-15", "2026-01-25"], [150, 250, 350]),
    opening=pd.DataFrame({"sku": ["t"], "quantity": [200.0], "unit_cost": [5.0]}),
)
ISSUE15_MA = 750 + 250 * 2050 / 350 + 350 * (100 * 2050 / 350 + 2800) / 500

# Weygandt, Kimmel & Kieso, Accounting Principles, ch. 6 appendix 6A (perpetual
# inventory), Houston Electronics: Jan 1 beginning 100 @ $10; Apr 15 buy 200 @ $11;
# Aug 24 buy 300 @ $12; Sep 10 sell 550; Nov 27 buy 400 @ $13.
# Perpetual FIFO COGS $6,200 (ending $5,800); perpetual LIFO: the Sep 10 sale takes
# 300 @ $12 + 200 @ $11 + 50 @ $10 = $6,300 (ending 50 @ $10 + 400 @ $13 = $5,700);
# moving average: $6,800 / 600 = $11.333 on Sep 10, COGS $6,233, ending $5,767.
HOUSTON_PERPETUAL = dict(
    purchases=_buys(
        "astro", ["2026-04-15", "2026-08-24", "2026-11-27"], [200, 300, 400], [11, 12, 13]
    ),
    issues=_sold("astro", ["2026-09-10"], [550]),
    opening=pd.DataFrame({"sku": ["astro"], "quantity": [100.0], "unit_cost": [10.0]}),
)

PERPETUAL = [
    ("issue 15", ISSUE15, "lifo", 5100.0, 1e-12),
    ("issue 15", ISSUE15, "lifo_perpetual", 4700.0, 1e-12),
    ("issue 15", ISSUE15, "moving_average", ISSUE15_MA, 1e-12),
    ("issue 15", ISSUE15, "fifo", 150 * 5 + 50 * 5 + 200 * 6 + 100 * 6 + 250 * 7, 1e-12),
    # Kieso, Weygandt & Warfield, Intermediate Accounting, ch. 8, Call-Mart Inc.,
    # perpetual LIFO: the March 19 issue takes 4,000 of the 6,000 @ $4.40; ending
    # 2,000 @ $4.00 + 2,000 @ $4.40 + 2,000 @ $4.75 = $26,300, COGS $17,600
    ("Call-Mart", CALL_MART, "lifo_perpetual", 17600.0, 1e-12),
    ("Houston perpetual", HOUSTON_PERPETUAL, "fifo", 6200.0, 1e-12),
    ("Houston perpetual", HOUSTON_PERPETUAL, "lifo_perpetual", 6300.0, 1e-12),
    ("Houston perpetual", HOUSTON_PERPETUAL, "moving_average", 550 * 6800 / 600, 1e-12),
]


@pytest.mark.parametrize(
    ("name", "case", "method", "cogs", "rtol"),
    PERPETUAL,
    ids=[f"{c[0]}-{c[2]}" for c in PERPETUAL],
)
def test_perpetual_published_cases(name, case, method, cogs, rtol):
    row = inventory_valuation(
        case["purchases"], case["issues"], opening=case["opening"], method=method
    ).iloc[0]
    assert_allclose(row["cogs"], cogs, rtol=rtol)
    assert_allclose(row["shortfall_units"], 0.0, atol=1e-12)
    assert_allclose(
        row["cogs"] + row["closing_value"], row["opening_value"] + row["purchases_value"]
    )


def test_houston_perpetual_book_rounding():
    # the book shows moving-average COGS $6,233 and ending $5,767, LIFO ending $5,700
    out = compare_valuation(
        **HOUSTON_PERPETUAL, methods=("moving_average", "lifo_perpetual")
    ).totals
    assert_allclose(out.loc["moving_average", ["cogs", "closing_value"]], [6233, 5767], atol=0.5)
    assert_allclose(out.loc["lifo_perpetual", "closing_value"], 5700.0)


def test_undated_opening_goes_before_the_skus_own_first_event_whatever_the_other_skus():
    # issue 15 defect 1: the opening layers were dated the day before the earliest
    # purchase of any SKU, so the January 5 sale came before them (lost, 150 short)
    alone = inventory_valuation(**ISSUE15, method="moving_average").iloc[0]
    assert_allclose(alone["cogs"], ISSUE15_MA, rtol=1e-12)  # $4,584.29
    assert_allclose(alone["shortfall_units"], 0.0)
    other = _buys("other", ["2025-06-01"], [10], [1.0])
    later = _buys("other", ["2026-12-01"], [10], [1.0])
    for extra in (other, later):
        both = inventory_valuation(
            pd.concat([ISSUE15["purchases"], extra], ignore_index=True),
            ISSUE15["issues"],
            opening=ISSUE15["opening"],
            method="moving_average",
        ).set_index("sku")
        assert_allclose(both.loc["t", "cogs"], alone["cogs"], rtol=1e-12)


def test_lifo_takes_the_later_of_same_day_and_opening_layers_first():
    # issue 15 defect 2: opening rows 100 @ $4 then 100 @ $5, buy 50 @ $6, sell 120:
    # LIFO charges 50 x 6 + 70 x 5 = $650 (not 50 x 6 + 70 x 4 = $580)
    opening = pd.DataFrame({"sku": "x", "quantity": [100.0, 100.0], "unit_cost": [4.0, 5.0]})
    buys = _buys("x", ["2026-02-01"], [50], [6.0])
    sold = _sold("x", ["2026-02-10"], [120])
    for method in ("lifo", "lifo_perpetual"):
        row = inventory_valuation(buys, sold, opening=opening, method=method).iloc[0]
        assert_allclose(row["cogs"], 650.0)
    # same-day receipts: the later row is the later receipt, taken first by LIFO
    same_day = _buys("x", ["2026-02-01", "2026-02-01"], [10, 10], [1.0, 2.0])
    for method in ("lifo", "lifo_perpetual"):
        row = inventory_valuation(same_day, _sold("x", ["2026-02-02"], [10]), method=method)
        assert_allclose(row["cogs"].iloc[0], 20.0)
    row = inventory_valuation(same_day, _sold("x", ["2026-02-02"], [10]), method="fifo")
    assert_allclose(row["cogs"].iloc[0], 10.0)


@pytest.mark.parametrize("method", VALUATION_METHODS)
def test_a_sale_before_its_receipt_is_a_backorder_under_every_method(method):
    # issue 15 defect 4: one rule for all methods. 100 sold on Jan 1, 100 bought on
    # Jan 10 at $3: the sale is backordered and filled by the receipt at its cost.
    row = inventory_valuation(
        _buys("b", ["2026-01-10"], [100], [3.0]), _sold("b", ["2026-01-01"], [100]), method=method
    ).iloc[0]
    assert_allclose(
        row[["cogs_units", "cogs", "closing_units", "closing_value", "shortfall_units"]].astype(
            float
        ),
        [100, 300, 0, 0, 0],
    )
    # 20 on hand at $4, sell 50 (30 backordered), buy 100 @ $6 (fills the 30 first),
    # buy 10 more: only what no receipt of the period covers is short
    opening = pd.DataFrame({"sku": ["b"], "quantity": [20.0], "unit_cost": [4.0]})
    buys = _buys("b", ["2026-01-10"], [100], [6.0])
    sold = _sold("b", ["2026-01-05", "2026-01-20"], [50, 90])
    row = inventory_valuation(buys, sold, opening=opening, method=method).iloc[0]
    assert_allclose(row["cogs_units"], 120.0)
    assert_allclose(row["shortfall_units"], 20.0)
    assert_allclose(row["closing_units"], 0.0)
    assert_allclose(row["cogs"], 20 * 4 + 100 * 6)


def test_one_comparison_gives_the_same_closing_units_under_every_method():
    buys = _buys(["b", "b"], ["2026-01-10", "2026-01-12"], [100, 40], [3.0, 3.5])
    sold = _sold(["b", "b"], ["2026-01-01", "2026-01-11"], [100, 30])
    out = compare_valuation(buys, sold, methods=VALUATION_METHODS).by_sku.set_index("method")
    assert_allclose(out["closing_units"], [10.0] * len(VALUATION_METHODS))
    assert_allclose(out["shortfall_units"], [0.0] * len(VALUATION_METHODS))


@settings(max_examples=25, deadline=None)
@given(_period())
def test_every_method_leaves_the_same_units_and_lifo_perpetual_matches_periodic_at_period_end(
    case,
):
    buys, sold, opening = case
    out = compare_valuation(buys, sold, opening=opening, methods=VALUATION_METHODS).by_sku
    for _, group in out.groupby("sku"):
        assert_allclose(group["closing_units"], group["closing_units"].iloc[0], atol=1e-9)
        assert_allclose(group["shortfall_units"], group["shortfall_units"].iloc[0], atol=1e-9)
    # every issue after every receipt: perpetual and periodic LIFO are the same
    late = sold.assign(date=pd.Timestamp("2027-01-01"))
    p = inventory_valuation(buys, late, opening=opening, method="lifo")
    q = inventory_valuation(buys, late, opening=opening, method="lifo_perpetual")
    assert_allclose(p["cogs"], q["cogs"], rtol=1e-9, atol=1e-9)


def test_rolled_back_opening_is_costed_by_each_method():
    # issue 15 defect 5: the rolled-back opening stock was costed at the last purchase
    # price ($4) whatever the method. Before 1 Jan rm was bought 50 @ $3 (Nov) and
    # 100 @ $4 (Dec); the averages cost the opening at $550 / 150 = $3.667 a unit.
    import workbench as wb
    from workbench.stock.valuation import period_movements

    ds = _tiny_dataset()
    po = ds.purchase_orders
    nov = po.iloc[[0]].assign(
        po_id="pn",
        order_date=pd.Timestamp("2025-10-20"),
        promised_date=pd.Timestamp("2025-11-01"),
        received_date=pd.Timestamp("2025-11-01"),
        quantity=50.0,
        unit_cost=3.0,
    )
    demand = pd.concat(  # 50 more issued in the period: the roll-back stays at 65
        [ds.demand, ds.demand.iloc[[0]].assign(quantity=50.0)], ignore_index=True
    )
    purchases = pd.concat([po, nov], ignore_index=True)
    tables = {**ds.tables, "purchase_orders": purchases, "demand": demand}
    ds = wb.Dataset.from_tables(tables)
    m = period_movements(ds, start="2026-01-01", end="2026-02-28")
    row = m.opening.set_index("sku").loc["rm"]
    assert_allclose(row["quantity"], 115.0)
    # 115 rolled back: FIFO the newest 100 @ $4 + 15 @ $3; LIFO 50 @ $3 + 65 @ $4
    assert_allclose(row["unit_cost"], (400 + 45) / 115)
    assert_allclose(row["unit_cost_lifo"], (150 + 260) / 115)
    assert_allclose(row["unit_cost_weighted_average"], 550 / 150)
    cmp = compare_valuation(m.purchases, m.issues, opening=m.opening, methods=VALUATION_METHODS)
    assert_allclose(
        cmp.totals["opening_value"],
        [445.0, 115 * 550 / 150, 410.0, 410.0, 115 * 550 / 150],
    )


def test_period_movements_costs_only_the_methods_asked_for():
    from workbench.stock.valuation import period_movements

    m = period_movements(_tiny_dataset(), start="2026-01-01", end="2026-02-28", methods=("lifo",))
    assert [c for c in m.opening.columns if c.startswith("unit_cost")] == [
        "unit_cost",
        "unit_cost_lifo",
    ]
    with pytest.raises(ValueError, match=r"methods must be among"):
        period_movements(_tiny_dataset(), start="2026-01-01", end="2026-02-28", methods=("x",))
