"""The order list (workbench.replenish.replenishment): each rule by hand, properties,
and the sample business."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb

AS_OF = pd.Timestamp("2026-01-31")


def _dataset() -> wb.Dataset:
    """Eight SKUs, demand to 2026-01-31, lots on hand then, a few open POs.

    sku  on hand  open POs (qty, promised)      notes
    a    12       5 on 2026-02-04               MOQ 50, packs of 12, price 10
    b    25       -
    c    10       20 on 2026-02-08
    d    0        -                             out of stock
    e    50       10 on 2026-01-20 (overdue)
    f    3        -                             below safety stock 5
    g    200      -                             over-stocked
    h    4        6 on 2026-02-10               no demand since 2025-01-01: dead
    """
    skus = list("abcdefgh")
    items = pd.DataFrame(
        {
            "sku": skus,
            "inventory_type": ["finished_good"] * 8,
            "unit_cost": 2.0,
            "price": [10.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0],
            "supplier_id": ["S1", "S1", "S2", "S2", "S1", "S1", "S2", "S1"],
            "lead_time_days": 5.0,
            "min_order_qty": [50.0, 1, 1, 1, 1, 1, 1, 1],
            "pack_size": [12.0, 1, 1, 1, 1, 1, 1, 1],
        }
    )
    d = pd.to_datetime
    demand = pd.DataFrame(
        {
            "date": d(["2025-01-01"] * 8 + ["2026-01-31"] * 7),
            "sku": skus + list("abcdefg"),
            "quantity": 1.0,
        }
    )
    lots = pd.DataFrame(
        {
            "sku": skus,
            "lot_id": [f"L{s}" for s in skus],
            "received_date": d("2026-01-10"),
            "quantity": [12.0, 25, 10, 0, 50, 3, 200, 4],
        }
    )
    po = pd.DataFrame(
        {
            "po_id": ["P1", "P2", "P3", "P4"],
            "sku": ["a", "c", "e", "h"],
            "supplier_id": ["S1", "S2", "S1", "S1"],
            "order_date": d(["2026-01-30", "2026-01-25", "2026-01-02", "2026-01-28"]),
            "promised_date": d(["2026-02-04", "2026-02-08", "2026-01-20", "2026-02-10"]),
            "quantity": [5.0, 20, 10, 6],
            "unit_cost": 2.0,
        }
    )
    suppliers = pd.DataFrame({"supplier_id": ["S1", "S2"], "name": ["One", "Two"]})
    return wb.Dataset.from_tables(
        {"items": items, "demand": demand, "lots": lots, "purchase_orders": po,
         "suppliers": suppliers}
    )  # fmt: skip


def _plan() -> pd.DataFrame:
    """s, S, safety stock, demand per day, lead time and review (days), by hand."""
    return pd.DataFrame(
        {
            "reorder_point": [20.0, 10, 30, 5, 10, 2, 10, 0],
            "order_up_to": [60.0, 30, 50, 15, 40, 12, 40, 0],
            "safety_stock": [5.0, 2, 5, 1, 2, 5, 2, 0],
            "daily_mean": [3.0, 4, 2, 1, 1, 0.5, 1, 0],
            "lead_time_days": [5.0, 7, 9, 5, 5, 5, 5, 5],
            "review_period_days": 1.0,
            "abc": list("ABCABCAB"),
        },
        index=pd.Index(list("abcdefgh"), name="sku"),
    )


@pytest.fixture(scope="module")
def result() -> wb.Replenishment:
    return wb.replenishment(_dataset(), plan=_plan())


def test_position_and_order_now_by_hand(result):
    """a: IP = 12 on hand + 5 on order - 0 backorders = 17 <= s = 20: order.
    b: IP = 25 > 10: no order. c: IP = 10 + 20 = 30 <= s = 30: order (at s orders)."""
    r = result.lines
    assert result.as_of == AS_OF
    assert_allclose(r.loc[["a", "b", "c"], "inventory_position"], [17.0, 25.0, 30.0])
    assert r.loc[["a", "b", "c"], "order_now"].tolist() == [True, False, True]
    assert (r["backorders"] == 0).all()


def test_need_moq_pack_rounding_by_hand(result):
    """a: need S - IP = 60 - 17 = 43; MOQ 50 -> 50; packs of 12 -> 5 packs = 60.
    c: need 50 - 30 = 20, MOQ 1 and pack 1 leave it: rounded by the need.
    d: need 15 - 0 = 15."""
    r = result.lines
    a = r.loc["a"]
    assert (a["need"], a["qty_after_moq"], a["qty_after_pack"], a["suggested_qty"]) == (
        43.0, 50.0, 60.0, 60.0
    )  # fmt: skip
    assert a["rounded_by"] == "pack"
    assert r.loc["c", "suggested_qty"] == 20.0 and r.loc["c", "rounded_by"] == "need"
    assert r.loc["d", "suggested_qty"] == 15.0
    assert r.loc["b", "suggested_qty"] == 0.0 and r.loc["b", "rounded_by"] == ""
    assert r.loc["a", "order_value"] == 60 * 2.0  # no price breaks: item unit_cost


def test_moq_sets_the_quantity_when_pack_adds_nothing():
    """need 43, MOQ 50, pack 10: 50 is already 5 packs -> rounded by the MOQ."""
    ds = _dataset()
    ds.items.loc[0, "pack_size"] = 10.0
    r = wb.replenishment(ds, plan=_plan()).lines.loc["a"]
    assert r["suggested_qty"] == 50.0 and r["rounded_by"] == "moq"


def test_order_by_date_by_hand(result):
    """b: IP 25, s 10, 4 a day: ceil((25 - 10) / 4) = 4 days -> 2026-02-04 (end of
    02-03: 25 - 12 = 13 > 10; end of 02-04: 9 <= 10). a (already below s): today.
    h (no demand): NaT."""
    r = result.lines
    assert r.loc["b", "order_by"] == pd.Timestamp("2026-02-04")
    assert r.loc["a", "order_by"] == AS_OF
    assert pd.isna(r.loc["h", "order_by"])


def test_sells_out_in_with_inbound_receipt_by_hand(result):
    """a: 12 on hand at 3 a day; 5 arrive 02-04, on the shelf at the start of that day,
    3 days after the end of 01-31 (12 - 9 = 3 left) -> 8, gone 8/3 days later:
    3 + 8/3 = 5.667 days. c: 10 at 2 a day runs out after 5 days, before its receipt
    (02-08, 7 days on): 5 days. b: no receipt, 25 / 4 = 6.25. d: 0."""
    r = result.lines["sells_out_in_days"]
    assert_allclose(r[["a", "c", "b", "d"]], [17 / 3, 5.0, 6.25, 0.0])
    assert np.isinf(r["h"])


def test_lost_if_we_wait_by_hand(result):
    """Horizon R + L. a: 1 + 5 = 6 days, shelf empty from 5.667: 3 x 0.333 = 1 unit,
    $10 revenue. b: 1 + 7 = 8 days, empty from 6.25: 4 x 1.75 = 7 units, $35.
    c: 1 + 9 = 10 days, empty from day 5 until the receipt at day 7: 2 x 2 = 4 units
    (the 20 received then last past day 10)."""
    r = result.lines
    assert_allclose(r.loc[["a", "b", "c"], "lost_units_if_wait"], [1.0, 7.0, 4.0], atol=1e-12)
    assert_allclose(r.loc[["a", "b"], "lost_revenue_if_wait"], [10.0, 35.0], atol=1e-12)


def test_exceptions_by_hand_and_first(result):
    r = result.lines
    assert r.loc["d", "exception"] == "out_of_stock"
    assert r.loc["e", "exception"] == "overdue_po"  # promised 01-20, still open
    assert r.loc["f", "exception"] == "below_safety_stock"  # 3 < 5
    assert r.loc["g", "exception"] == "over_stocked"  # 200 > 2 x 40
    assert r.loc["h", "exception"] == "dead_stock_ordered"  # no sale since 2025, on order
    assert r.loc[["a", "b", "c"], "exception"].tolist() == ["", "", ""]
    # exceptions first in that order, then the SKUs to order (earliest first), then the rest
    assert list(r.index) == ["d", "e", "f", "g", "h", "a", "c", "b"]


def test_draft_orders_per_supplier_with_totals(result):
    """S1: a 60 x $2 = $120 (f is below safety stock but IP 3 > s = 2: not ordered).
    S2: c 20 + d 15 = 35 units, $70."""
    dr = result.draft_orders
    assert list(dr.index) == ["S1", "S2"]
    assert dr.loc["S1", "name"] == "One"
    assert_allclose(dr[["lines", "units", "value"]].to_numpy(), [[1, 60, 120], [2, 35, 70]])
    assert dr["min_order_value"].isna().all() and not dr["below_min_order_value"].any()
    assert (dr["short_of_min_order_value"] == 0).all()


def test_draft_order_below_the_suppliers_minimum_order_value():
    """S1's draft is $120 and S2's $70 (above); with minimums of $150 and $50, S1 is
    short by $150 - $120 = $30 and S2 is not."""
    ds = _dataset()
    sup = ds.suppliers.assign(min_order_value=[150.0, 50.0])
    tables = {**ds.tables, "suppliers": sup}
    dr = wb.replenishment(wb.Dataset.from_tables(tables), plan=_plan()).draft_orders
    assert_allclose(dr["min_order_value"].to_numpy(), [150.0, 50.0])
    assert dr["below_min_order_value"].tolist() == [True, False]
    assert_allclose(dr["short_of_min_order_value"].to_numpy(), [30.0, 0.0])


def _one_sku(daily: float) -> tuple[wb.Dataset, pd.DataFrame]:
    ds = _dataset()
    plan = _plan()
    plan.loc["a", "daily_mean"] = daily
    plan["annual_demand"] = plan["daily_mean"] * 365
    return ds, plan


def test_price_break_taken_when_it_lowers_annual_cost():
    """a orders 60 at $2 (D = 3 x 365 = 1095, S_o = $50, i = 0.25). Breaks 100 @ $1.80
    and 200 @ $1.60 rounded up to packs of 12: 108 and 204.
    TC(60) = 1095 x 50 / 60 + 0.25 x 2 x 60 / 2 + 2 x 1095 = 3117.50;
    TC(108) = 506.94 + 24.30 + 1971.00 = 2502.24; TC(204) = 268.38 + 40.80 + 1752.00 =
    2061.18: order 204 at $1.60, no break beyond."""
    ds, plan = _one_sku(3.0)
    breaks = pd.DataFrame({"sku": ["a", "a"], "min_qty": [100.0, 200.0], "unit_cost": [1.8, 1.6]})
    r = wb.replenishment(ds, plan=plan, price_breaks=breaks).lines.loc["a"]
    assert (r["suggested_qty"], r["unit_price"], r["rounded_by"]) == (204.0, 1.6, "price_break")
    assert_allclose(r["order_value"], 204 * 1.6)
    assert np.isnan(r["next_break_qty"]) and np.isnan(r["next_break_saving"])


def test_price_break_not_taken_and_saving_reported():
    """Slow mover, 0.1 a day (D = 36.5): TC(60 @ $2) = 30.42 + 15 + 73 = 118.42;
    TC(1008 @ $1.95) = 1.81 + 245.70 + 71.18 = 318.69: keep 60. Reaching the break
    (1,000 -> 1,008 in packs) would save 1008 x (2 - 1.95) = $50.40 on the order."""
    ds, plan = _one_sku(0.1)
    breaks = pd.DataFrame({"sku": ["a"], "min_qty": [1000.0], "unit_cost": [1.95]})
    r = wb.replenishment(ds, plan=plan, price_breaks=breaks).lines.loc["a"]
    assert (r["suggested_qty"], r["unit_price"], r["rounded_by"]) == (60.0, 2.0, "pack")
    assert_allclose([r["next_break_qty"], r["next_break_price"]], [1008.0, 1.95])
    assert_allclose(r["next_break_saving"], 50.4)


def test_bad_parameters_raise_naming_them():
    ds = _dataset()
    with pytest.raises(ValueError, match=r"overstock_ratio must be > 1 \[-\]; got 1"):
        wb.replenishment(ds, plan=_plan(), overstock_ratio=1)
    with pytest.raises(ValueError, match=r"dead_days must be a whole number > 0 \[days\]"):
        wb.replenishment(ds, plan=_plan(), dead_days=0)
    with pytest.raises(ValueError, match="missing min_qty"):
        wb.replenishment(ds, plan=_plan(), price_breaks=pd.DataFrame({"sku": [], "unit_cost": []}))
    bad = pd.DataFrame({"sku": ["a"], "min_qty": [-1.0], "unit_cost": [1.0]})
    with pytest.raises(ValueError, match=r"price_breaks.min_qty must be a number >= 0 \[units\]"):
        wb.replenishment(ds, plan=_plan(), price_breaks=bad)


def _random_business(seed: int, n: int = 300) -> tuple[wb.Dataset, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    skus = [f"S{i:04d}" for i in range(n)]
    pack = rng.choice([0.5, 1.0, 6.0, 12.0, 7.0], n)
    items = pd.DataFrame(
        {
            "sku": skus,
            "inventory_type": "raw_material",
            "unit_cost": rng.uniform(1, 20, n).round(2),
            "lead_time_days": rng.integers(1, 30, n).astype(float),
            "min_order_qty": rng.choice([0.0, 1.0, 10.0, 25.0, 100.0], n),
            "pack_size": pack,
        }
    )
    demand = pd.DataFrame({"date": pd.Timestamp("2026-01-31"), "sku": skus, "quantity": 1.0})
    lots = pd.DataFrame(
        {
            "sku": skus,
            "lot_id": [f"L{i}" for i in range(n)],
            "received_date": pd.Timestamp("2026-01-01"),
            "quantity": rng.integers(0, 80, n).astype(float),
        }
    )
    m = n // 2
    po = pd.DataFrame(
        {
            "po_id": [f"P{i}" for i in range(m)],
            "sku": rng.choice(skus, m, replace=False),
            "order_date": pd.Timestamp("2026-01-20"),
            "promised_date": pd.Timestamp("2026-01-20")
            + pd.to_timedelta(rng.integers(0, 25, m), "D"),
            "quantity": rng.integers(1, 40, m).astype(float),
        }
    )
    s = rng.uniform(0, 60, n).round(1)
    plan = pd.DataFrame(
        {
            "reorder_point": s,
            "order_up_to": s + rng.uniform(0, 90, n).round(1),
            "safety_stock": s * 0.3,
            "daily_mean": rng.uniform(0, 5, n),
        },
        index=pd.Index(skus, name="sku"),
    )
    ds = wb.Dataset.from_tables({"items": items, "demand": demand, "lots": lots,
                                 "purchase_orders": po})  # fmt: skip
    return ds, plan


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_properties_of_the_rounded_quantity(seed):
    ds, plan = _random_business(seed)
    r = wb.replenishment(ds, plan=plan).lines
    buy = r[r["order_now"]]
    assert len(buy) > 20  # the property is exercised
    q = buy["suggested_qty"]
    assert (q >= buy["need"] - 1e-9).all()
    assert (q >= buy["min_order_qty"] - 1e-9).all()
    packs = q / buy["pack_size"]
    assert_allclose(packs, np.round(packs), atol=1e-9)
    # ordering up to S puts the position back at or above the reorder point (and S)
    assert (buy["position_after_order"] >= buy["reorder_point"]).all()
    assert (buy["position_after_order"] >= buy["order_up_to"] - 1e-9).all()
    # smallest such multiple: one pack less would fall short of the need or the MOQ
    less = q - buy["pack_size"]
    assert ((less < buy["need"] - 1e-9) | (less < buy["min_order_qty"] - 1e-9)).all()
    # nothing suggested where the position is above s
    assert (r.loc[~r["order_now"], "suggested_qty"] == 0).all()
    assert (r.loc[r["inventory_position"] > r["reorder_point"], "order_now"] == False).all()  # noqa: E712


def test_sample_business_invariants():
    ds = wb.sample_dataset(n_skus=80, years=1, seed=7)
    res = wb.replenishment(ds)
    r = res.lines
    assert sorted(r.index) == sorted(ds.items["sku"].astype(str))
    rank = r["exception"].map({e: i for i, e in enumerate(wb.EXCEPTIONS)}).fillna(99)
    assert rank.is_monotonic_increasing
    buy = r[r["order_now"]]
    assert len(buy) > 0
    assert (buy["suggested_qty"] >= buy["need"] - 1e-9).all()
    assert (buy["position_after_order"] >= buy["reorder_point"]).all()
    assert (r["sells_out_in_days"] >= 0).all() and (r["lost_units_if_wait"] >= 0).all()
    assert (r["inventory_position"] == r["on_hand"] + r["on_order"]).all()
    # the draft orders hold exactly the suggested lines
    assert_allclose(res.draft_orders["value"].sum(), r["order_value"].sum())
    assert res.draft_orders["lines"].sum() == int((r["suggested_qty"] > 0).sum())
    known = set(ds.suppliers["supplier_id"].astype(str)) | {"(none)"}
    assert set(res.draft_orders.index) <= known


def test_earlier_as_of_rolls_stock_back_and_drops_later_orders():
    """At the end of 2026-01-30 a had 12 + 1 sold on 01-31 = 13 on hand (stock_as_of
    rolls the lots back); P1 (ordered 01-30) is on order, P2..P4 too; at 01-29 P1 is
    not yet placed."""
    ds = _dataset()
    r = wb.replenishment(ds, plan=_plan(), as_of="2026-01-30").lines
    assert r.loc["a", "on_hand"] == 13.0 and r.loc["a", "on_order"] == 5.0
    r = wb.replenishment(ds, plan=_plan(), as_of="2026-01-29").lines
    assert r.loc["a", "on_order"] == 0.0


def test_on_hand_at_the_snapshot_equals_stock_as_of():
    ds = wb.sample_dataset(n_skus=80, years=1, seed=7)
    plan = pd.DataFrame(
        {"reorder_point": 0.0, "order_up_to": 0.0, "daily_mean": 0.0},
        index=pd.Index(ds.items["sku"].astype(str), name="sku"),
    )
    got = wb.replenishment(ds, plan=plan).lines["on_hand"]
    want = wb.stock_as_of(ds).by_sku["on_hand_units"]
    assert_allclose(got.reindex(want.index).to_numpy(), want.to_numpy())


def test_sold_in_window_by_runs_equals_the_row_lookup():
    # the dead-stock check reads a demand table grouped by SKU run by run; shuffled it
    # looks rows up one by one: the same answer, also for a SKU missing from items
    from workbench.replenish.replenishment import _coder, _sold_in

    rng = np.random.default_rng(5)
    skus = pd.Index([f"S{i:03d}" for i in range(300)], name="sku")
    rows = pd.Series(np.repeat([*skus[:250], "ghost"], 40), dtype="str")
    window = rng.random(len(rows)) < 0.02
    want = np.zeros(len(skus), bool)
    for name in rows[window]:
        if name in skus:
            want[skus.get_loc(name)] = True
    assert want.any() and not want.all()
    codes_of = _coder(skus)
    assert _sold_in(rows, window, codes_of, len(skus)).tolist() == want.tolist()
    order = rng.permutation(len(rows))
    shuffled = rows.iloc[order].reset_index(drop=True)
    assert _sold_in(shuffled, window[order], codes_of, len(skus)).tolist() == want.tolist()
