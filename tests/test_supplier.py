"""Supplier performance (workbench.replenish.supplier) on a PO table known by hand."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.replenish.supplier import _distinct_per_group, _group_quantile, _pair_codes

NaT = pd.NaT


def _tables() -> dict[str, pd.DataFrame]:
    """Three items, three suppliers, nine PO lines; measured at 2026-03-31 (demand end).

    a: main supplier S1, quoted 5 days; b: S1, 10 days; c: S2, 7 days, unit cost 3.
    Suppliers: S1 quotes 6, S2 quotes 6, S3 quotes 3 and has no orders.
    """
    items = pd.DataFrame(
        {
            "sku": ["a", "b", "c"],
            "inventory_type": ["raw_material"] * 3,
            "unit_cost": [2.0, 1.0, 3.0],
            "supplier_id": ["S1", "S1", "S2"],
            "lead_time_days": [5.0, 10.0, 7.0],
        }
    )
    demand = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-01", "2026-03-31"]),
            "sku": ["a", "a"],
            "quantity": [1.0, 1.0],
        }
    )
    suppliers = pd.DataFrame(
        {
            "supplier_id": ["S1", "S2", "S3"],
            "name": ["One", "Two", "Three"],
            "lead_time_days": [6.0, 6.0, 3.0],
        }
    )
    d = pd.to_datetime
    po = pd.DataFrame(
        [
            # po, sku, supplier, ordered, promised, received, qty, unit cost
            ("P0", "a", "S1", "2025-01-15", "2025-01-20", "2025-06-01", 99.0, 2.0),  # outside
            ("P1", "a", "S1", "2026-01-01", "2026-01-06", "2026-01-05", 10.0, 2.0),
            ("P2", "a", "S1", "2026-01-10", "2026-01-15", "2026-01-18", 20.0, 2.0),
            ("P2", "b", "S1", "2026-01-10", "2026-01-20", "2026-01-20", 30.0, 1.0),
            ("P4", "b", "S1", "2026-03-01", "2026-03-11", None, 40.0, 1.0),
            ("P5", "a", "S1", "2026-03-25", "2026-04-05", None, 5.0, 2.0),
            ("P6", "c", "S2", "2026-02-01", None, "2026-02-10", 8.0, np.nan),
            ("P7", "c", None, "2026-03-20", None, None, 4.0, np.nan),
            ("P8", "a", "S2", "2026-02-15", "2026-02-20", "2026-02-22", 6.0, 2.5),
        ],
        columns=[
            "po_id", "sku", "supplier_id", "order_date", "promised_date", "received_date",
            "quantity", "unit_cost",
        ],
    )  # fmt: skip
    for c in ("order_date", "promised_date", "received_date"):
        po[c] = d(po[c])
    return {
        "items": items,
        "demand": demand,
        "suppliers": suppliers,
        "purchase_orders": po,
    }


@pytest.fixture(scope="module")
def perf() -> wb.SupplierPerformance:
    return wb.supplier_performance(wb.Dataset.from_tables(_tables()))


def test_as_of_defaults_to_end_of_demand_and_window_drops_old_lines(perf):
    assert perf.as_of == pd.Timestamp("2026-03-31")
    # P0 (ordered 2025-01-15) is before 2025-03-31 + 1 day: not counted in S1's lines
    assert perf.by_supplier.loc["S1", "lines"] == 5


def test_supplier_s1_by_hand(perf):
    """S1: lines P1a, P2a, P2b, P4b, P5a (4 orders: P1, P2, P4, P5).

    Received by 03-31: P1a (lead time 01-01 -> 01-05 = 4 d), P2a (8 d), P2b (10 d).
    Mean 22/3 = 7.333; sd: deviations -3.333, 0.667, 2.667, squares sum 18.667,
    / (3 - 1) = 9.333, sqrt = 3.055; p90 of [4, 8, 10]: position 0.9 x 2 = 1.8 ->
    8 + 0.8 x (10 - 8) = 9.6. Quotes: items a 5, a 5, b 10 (S1 is their main supplier)
    -> mean 6.667, bias ((4-5) + (8-5) + (10-10)) / 3 = 0.667.
    Judged: the 3 received lines + P4b (promised 03-11, open on 03-31: overdue); P5a
    (promised 04-05) not yet due. On time: P1a (05 <= 06), P2b (20 <= 20): 2 of 4
    lines = 0.5; units 10 + 30 = 40 of 10 + 20 + 30 + 40 = 100 -> 0.4. Late: P2a,
    3 days. Open: P4b 40 x $1 + P5a 5 x $2 = $50; overdue P4b: 40 units, $40.
    """
    s = perf.by_supplier.loc["S1"]
    assert s["name"] == "One"
    got = s[
        [
            "orders", "lines", "units_ordered", "received_lines", "lead_time_mean",
            "lead_time_sd", "lead_time_p90", "quoted_lead_time", "lead_time_bias",
            "judged_lines", "on_time_rate_lines", "on_time_rate_qty", "otif_rate",
            "late_lines", "avg_days_late", "open_lines", "open_units", "open_value",
            "overdue_lines", "overdue_units", "overdue_value",
        ]
    ].to_numpy(dtype=float)  # fmt: skip
    want = [
        4, 5, 105, 3, 22 / 3,
        np.sqrt(28 / 3), 9.6, 20 / 3, 2 / 3,
        4, 0.5, 0.4, 0.5,
        1, 3.0, 2, 45, 50,
        1, 40, 40,
    ]  # fmt: skip
    assert_allclose(got, want, rtol=1e-12)
    assert s["history"] == "few receipts"


def test_supplier_s2_by_hand_fallbacks(perf):
    """S2: P6c, P8a, and P7c (blank supplier: item c's main supplier S2).

    P6c: no promise -> order 02-01 + quote 7 (item c, main supplier S2) = 02-08;
    received 02-10: lead time 9, 2 days late. P8a: a is S1's item, so the quote is
    S2's 6 days; promised 02-20, received 02-22: lead time 7, 2 days late.
    Mean 8, sd sqrt(2), p90 7 + 0.9 x 2 = 8.8; quotes 7 and 6 -> 6.5, bias
    ((9-7) + (7-6)) / 2 = 1.5. P7c: no promise -> 03-20 + 7 = 03-27 < 03-31, open:
    overdue, 4 units valued at item c's $3 (blank line cost) = $12.
    All 3 judged lines late: on-time 0.0 (a measured 0 %, not NaN).
    """
    s = perf.by_supplier.loc["S2"]
    got = s[
        [
            "orders", "lines", "received_lines", "lead_time_mean", "lead_time_sd",
            "lead_time_p90", "quoted_lead_time", "lead_time_bias", "judged_lines",
            "on_time_rate_lines", "on_time_rate_qty", "late_lines", "avg_days_late",
            "overdue_lines", "overdue_units", "overdue_value",
        ]
    ].to_numpy(dtype=float)  # fmt: skip
    want = [3, 3, 2, 8.0, np.sqrt(2), 8.8, 6.5, 1.5, 3, 0.0, 0.0, 2, 2.0, 1, 4, 12]
    assert_allclose(got, want, rtol=1e-12)


def test_supplier_without_history_is_nan_not_zero_or_one(perf):
    s = perf.by_supplier.loc["S3"]
    assert s["history"] == "no history"
    assert s["lines"] == 0 and s["open_lines"] == 0
    for col in (
        "lead_time_mean", "lead_time_sd", "lead_time_p90", "lead_time_bias",
        "on_time_rate_qty", "on_time_rate_lines", "otif_rate", "avg_days_late",
    ):  # fmt: skip
        assert np.isnan(s[col]), col
    assert any("no history" in n for n in perf.notes)


def test_only_overdue_lines_is_still_no_history():
    """A supplier whose only line is overdue has received nothing: rates NaN (unknown),
    not 0 %, and the overdue line is still reported."""
    t = _tables()
    t["purchase_orders"] = t["purchase_orders"].iloc[[4]]  # P4b only (overdue)
    s = wb.supplier_performance(wb.Dataset.from_tables(t)).by_supplier.loc["S1"]
    assert s["history"] == "no history"
    assert np.isnan(s["on_time_rate_lines"]) and s["overdue_units"] == 40


def test_by_supplier_sku_by_hand(perf):
    """(S1, b): P2b received on time (30 units), P4b overdue (40): 30 / 70 by units.
    (S2, a): P8a alone, lead time 7. Pairs: (S1,a), (S1,b), (S2,a), (S2,c)."""
    p = perf.by_supplier_sku
    assert sorted(p.index) == [("S1", "a"), ("S1", "b"), ("S2", "a"), ("S2", "c")]
    assert_allclose(p.loc[("S1", "b"), "on_time_rate_qty"], 30 / 70)
    assert p.loc[("S1", "b"), "orders"] == 2
    assert p.loc[("S2", "a"), "lead_time_mean"] == 7.0
    assert np.isnan(p.loc[("S2", "a"), "lead_time_sd"])  # one receipt: no spread
    # per-pair lines add up to the supplier's
    assert p["lines"].groupby(level=0).sum().to_dict() == {"S1": 5.0, "S2": 3.0}


def test_as_of_earlier_sees_lines_open_then():
    """At 2026-01-17 P2a (received 01-18) is open and overdue (promised 01-15); lines
    ordered later are not yet placed."""
    perf = wb.supplier_performance(wb.Dataset.from_tables(_tables()), as_of="2026-01-17")
    s = perf.by_supplier.loc["S1"]
    assert s["lines"] == 3  # P1a, P2a, P2b
    assert s["received_lines"] == 1 and s["overdue_lines"] == 1 and s["overdue_units"] == 20
    assert s["open_lines"] == 2  # P2b not yet due (promised 01-20)


def test_no_purchase_orders_table_every_supplier_no_history():
    t = _tables()
    del t["purchase_orders"]
    perf = wb.supplier_performance(wb.Dataset.from_tables(t))
    assert (perf.by_supplier["history"] == "no history").all()
    assert list(perf.by_supplier.index) == ["S1", "S2", "S3"]
    assert perf.by_supplier_sku.empty


@pytest.mark.parametrize("bad", [0, -5, 1.5, "365"])
def test_window_days_must_be_positive_whole(bad):
    ds = wb.Dataset.from_tables(_tables())
    with pytest.raises(ValueError, match=r"window_days must be a whole number > 0 \[days\]"):
        wb.supplier_performance(ds, window_days=bad)


# ---- bad input: the loader refuses it, naming the row --------------------------------


def _problems(t) -> pd.DataFrame:
    with pytest.raises(wb.DataError) as err:
        wb.Dataset.from_tables(t)
    return err.value.to_frame()


def test_received_before_ordered_is_refused_naming_the_row():
    t = _tables()
    t["purchase_orders"].loc[2, "received_date"] = pd.Timestamp("2026-01-01")  # P2a, row 3
    f = _problems(t)
    hit = f[f["column"] == "received_date"]
    assert hit["row"].tolist() == [3]


def test_negative_quantity_is_refused_naming_the_row():
    t = _tables()
    t["purchase_orders"].loc[5, "quantity"] = -5.0  # P5a, row 6
    f = _problems(t)
    assert f.loc[f["column"] == "quantity", "row"].tolist() == [6]


def test_unknown_supplier_is_refused_naming_the_row():
    t = _tables()
    t["purchase_orders"].loc[1, "supplier_id"] = "S9"  # P1a, row 2
    f = _problems(t)
    assert f.loc[f["column"] == "supplier_id", "row"].tolist() == [2]
    assert f["value"].astype(str).str.contains("S9").any()


def test_repeated_line_is_refused_so_one_receipt_per_line():
    """The documented partial-delivery convention rests on this: (po_id, sku) is the
    key, so a second receipt of P1a is refused, not silently summed."""
    t = _tables()
    po = t["purchase_orders"]
    t["purchase_orders"] = pd.concat([po, po.iloc[[1]]], ignore_index=True)
    _problems(t)


def test_split_delivery_as_two_lines_each_judged_on_its_own_date():
    """A split delivery recorded as P1 (10 on time) and P1/2 (5 received 01-09, after
    the 01-06 promise): S1 gains a line and a late line, and by units the on-time rate
    is (40) / (100 + 5) as documented."""
    t = _tables()
    po = t["purchase_orders"]
    extra = po.iloc[[1]].copy()
    extra["po_id"] = "P1/2"
    extra["quantity"] = 5.0
    extra["received_date"] = pd.Timestamp("2026-01-09")
    t["purchase_orders"] = pd.concat([po, extra], ignore_index=True)
    s = wb.supplier_performance(wb.Dataset.from_tables(t)).by_supplier.loc["S1"]
    assert s["lines"] == 6 and s["late_lines"] == 2
    assert_allclose(s["on_time_rate_qty"], 40 / 105)


def test_group_quantile_matches_numpy():
    rng = np.random.default_rng(0)
    g = rng.integers(0, 7, 200)
    x = rng.gamma(2.0, 3.0, 200)
    got = _group_quantile(g, x, 0.9, 8)
    want = [np.quantile(x[g == i], 0.9) for i in range(7)]
    assert_allclose(got[:7], want, rtol=1e-12)
    assert np.isnan(got[7])


def test_group_quantile_of_whole_numbers_matches_numpy():
    # whole-number values (lead times from dates): counted per (group, value) cell when
    # there are few groups, else the sort-of-values path; huge values would make the
    # combined key merge groups: the two-key sort
    rng = np.random.default_rng(1)
    for groups in (50, 900):
        g = rng.integers(0, groups, 3000)
        for x in (rng.integers(-3, 40, 3000).astype(float), rng.integers(0, 9, 3000) * 2.0**50):
            got = _group_quantile(g, x, 0.9, groups + 2)
            want = [
                np.quantile(x[g == i], 0.9) if (g == i).any() else np.nan for i in range(groups)
            ]
            assert_allclose(got[:groups], want, rtol=1e-12)
            assert np.isnan(got[groups:]).all()


def test_pair_codes_match_a_sorted_factorize():
    # (supplier, SKU) pair codes: the shortcut when each SKU has one supplier, the hash
    # when some SKU is bought from two
    rng = np.random.default_rng(4)
    k = rng.integers(0, 40, 500)
    for s in ((k * 7) % 5, np.where(rng.random(500) < 0.05, 4, (k * 7) % 5)):
        got = _pair_codes(s.astype(np.int64), k, 45)
        want = pd.factorize(s * 45 + k, sort=True)
        assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()


def test_distinct_per_group_matches_sets():
    # orders per supplier: a purchase order counts once for each supplier on its lines,
    # whether every order has one supplier (the shortcut) or some have two (the hash)
    rng = np.random.default_rng(2)
    for spread in (False, True):
        key = rng.integers(0, 300, 2000)
        g = key % 9 if not spread else np.where(rng.random(2000) < 0.1, key % 7, key % 9)
        want = [len(set(key[g == i])) for i in range(10)]
        for shortcut in (False, True):
            got = _distinct_per_group(g, key, 10, key_in_one_group=shortcut)
            assert got.tolist() == want


def test_sample_business_invariants():
    ds = wb.sample_dataset(n_skus=80, years=1, seed=7)
    perf = wb.supplier_performance(ds)
    s = perf.by_supplier
    assert list(s.index) == ds.suppliers["supplier_id"].astype(str).tolist()
    measured = s["history"] != "no history"
    assert measured.any()
    for col in ("on_time_rate_qty", "on_time_rate_lines", "otif_rate"):
        v = s.loc[measured, col]
        assert ((v >= 0) & (v <= 1)).all(), col
    assert (s.loc[measured, "lead_time_mean"] > 0).all()
    assert (s["overdue_units"] <= s["open_units"]).all()
    assert (s["received_lines"] + s["open_lines"] == s["lines"]).all()
    # per-pair totals equal the supplier totals
    pairs = perf.by_supplier_sku.groupby(level=0)[["lines", "open_value"]].sum()
    assert_allclose(pairs.to_numpy(), s.loc[pairs.index, ["lines", "open_value"]].to_numpy())


def test_without_suppliers_table_suppliers_come_from_lines_and_items():
    """No suppliers table: S1 and S2 are taken from the PO lines and items (sorted);
    P8a (from S2, which now has no quote) is judged against item a's 5 days."""
    t = _tables()
    del t["suppliers"]
    perf = wb.supplier_performance(wb.Dataset.from_tables(t))
    s = perf.by_supplier
    assert list(s.index) == ["S1", "S2"] and s["name"].tolist() == ["", ""]
    assert s["lines"].tolist() == [5.0, 3.0]
    assert_allclose(perf.by_supplier_sku.loc[("S2", "a"), "lead_time_bias"], 7 - 5)


def test_measured_lead_times_by_hand():
    """a (main supplier S1): P1a 4 days, P2a 8 days -> mean 6, sd sqrt(((4-6)^2 +
    (8-6)^2) / 1) = sqrt(8); P8a from S2 is not its main supplier's. b and c have one
    receipt each: below min_receipts = 2, they keep their quotes (10 and 7 days, sd 0)."""
    lt = wb.measured_lead_times(wb.Dataset.from_tables(_tables()), min_receipts=2)
    assert list(lt.index) == ["a", "b", "c"]
    assert lt["lead_time_source"].tolist() == ["history", "quoted", "quoted"]
    assert_allclose(lt["lead_time_days"], [6.0, 10.0, 7.0])
    assert_allclose(lt["lead_time_sd_days"], [np.sqrt(8), 0.0, 0.0])
    assert lt["receipts"].tolist() == [2.0, 1.0, 1.0]
    # the documented default minimum (5 receipts): every SKU falls back to its quote
    default = wb.measured_lead_times(wb.Dataset.from_tables(_tables()))
    assert (default["lead_time_source"] == "quoted").all()


def test_measured_lead_times_pool_suppliers_of_an_item_without_a_main_one():
    """a with no main supplier pools S1's 4 and 8 days and S2's 7: mean 19/3, sd
    sqrt((16 + 64 + 49 - 3 (19/3)^2) / 2) = sqrt(13/3)."""
    t = _tables()
    t["items"]["supplier_id"] = [None, "S1", "S2"]
    t["purchase_orders"] = t["purchase_orders"][t["purchase_orders"]["sku"] == "a"]
    lt = wb.measured_lead_times(wb.Dataset.from_tables(t), min_receipts=3)
    assert lt.loc["a", "lead_time_source"] == "history"
    assert_allclose(lt.loc["a", ["lead_time_days", "lead_time_sd_days"]].to_numpy(dtype=float),
                    [19 / 3, np.sqrt(13 / 3)])  # fmt: skip


def test_measured_lead_times_min_receipts_must_be_at_least_two():
    with pytest.raises(ValueError, match=r"min_receipts must be a whole number >= 2 \[lines\]"):
        wb.measured_lead_times(wb.Dataset.from_tables(_tables()), min_receipts=1)
