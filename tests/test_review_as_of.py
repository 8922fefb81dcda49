"""Tests for workbench.stock.review.stock_as_of and weekly_review(as_of=...) before the
snapshot: the stock of an earlier week is rolled back from the lots, not the lots that
happened to be received by then.

The hand-built business's stock on 1 March is worked out by hand from its receipts and
issues; the sample business's is checked against an independent plain-pandas roll-back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.stock.review import STOCK_BASES, stock_as_of, weekly_review

SNAPSHOT = pd.Timestamp("2026-03-31")  # last demand day: the lots are as of it
T = pd.Timestamp("2026-03-01")  # the earlier review date


def _daily(sku, start, end, qty):
    days = pd.date_range(start, end)
    return pd.DataFrame({"date": days, "sku": sku, "quantity": float(qty)})


@pytest.fixture(scope="module")
def business():
    """Five items whose stock at the end of 1 March is known by hand.

    rm1 (bought, $2): 50 received 10 Jan @ $2.00, 40 received 10 Mar @ $2.20; uses 2 a
        day all period, so 60 in 2-31 Mar; 30 on hand at the snapshot (a lot of 10 Mar).
        On 1 Mar: 30 + 60 - 40 = 50 units, at the last price paid by then, $2.00: $100.
    fg1 (made, $4): lots of 20 Feb (5 left @ $4), 15 Mar (20 @ $4.5), 28 Mar (10 @ $4.5);
        sells 1 a day, 30 in March after the 1st. On 1 Mar it held only the 20 Feb batch:
        5 + 30 sold since = 35 units, at that batch's cost $4: $140 (first in, first out:
        the batches of 15 and 28 Mar are still whole).
    fg2 (made, $3): one lot of 20 Mar (12 @ $3) and sales of 2 a day; its batches made
        and sold in March are not in the data: estimated at min(12, 60 sold) = 12.
    rm2 (bought, $1): 100 received 15 Mar, 10 used since, nothing on hand: the records
        do not reconcile (0 + 10 - 100 < 0), counted as 0.
    dead1 (made, $10): 5 on hand since June 2025, no demand since: 5 on 1 Mar too.
    """
    items = pd.DataFrame(
        {
            "sku": ["rm1", "fg1", "fg2", "rm2", "dead1"],
            "inventory_type": ["raw_material", "finished_good", "finished_good", "mro", "wip"],
            "unit_cost": [2.0, 4.0, 3.0, 1.0, 10.0],
            "price": [np.nan, 10.0, 8.0, np.nan, np.nan],
            "lead_time_days": [10.0, 3.0, 3.0, 5.0, 5.0],
        }
    )
    demand = pd.concat(
        [
            _daily("rm1", "2026-01-01", "2026-03-31", 2),
            _daily("fg1", "2026-01-01", "2026-03-31", 1),
            _daily("fg2", "2026-01-01", "2026-03-31", 2),
            pd.DataFrame(
                {
                    "date": pd.to_datetime(["2026-03-20", "2026-01-05"]),
                    "sku": ["rm2", "dead1"],
                    "quantity": [10.0, 1.0],
                }
            ),
        ],
        ignore_index=True,
    )
    lots = pd.DataFrame(
        {
            "sku": ["rm1", "fg1", "fg1", "fg1", "fg2", "dead1"],
            "lot_id": ["L1", "L2", "L3", "L4", "L5", "L6"],
            "received_date": pd.to_datetime(
                [
                    "2026-03-10",
                    "2026-02-20",
                    "2026-03-15",
                    "2026-03-28",
                    "2026-03-20",
                    "2025-06-01",
                ]
            ),
            "quantity": [30.0, 5.0, 20.0, 10.0, 12.0, 5.0],
            "unit_cost": [2.2, 4.0, 4.5, 4.5, 3.0, 10.0],
        }
    )
    purchase_orders = pd.DataFrame(
        {
            "po_id": ["P1", "P2", "P3"],
            "sku": ["rm1", "rm1", "rm2"],
            "order_date": pd.to_datetime(["2026-01-01", "2026-03-01", "2026-03-05"]),
            "received_date": pd.to_datetime(["2026-01-10", "2026-03-10", "2026-03-15"]),
            "quantity": [50.0, 40.0, 100.0],
            "unit_cost": [2.0, 2.2, 1.0],
        }
    )
    return wb.Dataset.from_tables(
        {"items": items, "demand": demand, "lots": lots, "purchase_orders": purchase_orders},
        source="hand-built",
    )


BY_HAND = pd.DataFrame(
    {
        "on_hand_units": [50.0, 35.0, 12.0, 0.0, 5.0],
        "on_hand_value": [100.0, 140.0, 36.0, 0.0, 50.0],
        "basis": ["purchase_orders", "lots_fifo", "estimated", "unreconciled", "lots_fifo"],
    },
    index=pd.Index(["rm1", "fg1", "fg2", "rm2", "dead1"], name="sku"),
)


def test_stock_as_of_by_hand(business):
    stock = stock_as_of(business, T)
    assert stock.snapshot == SNAPSHOT
    got = stock.by_sku
    assert list(got.index) == list(BY_HAND.index)
    assert_allclose(got["on_hand_units"], BY_HAND["on_hand_units"], rtol=1e-12)
    assert_allclose(got["on_hand_value"], BY_HAND["on_hand_value"], rtol=1e-12)
    assert got["basis"].tolist() == BY_HAND["basis"].tolist()
    assert set(got["basis"]) <= set(STOCK_BASES)


def test_notes_count_each_basis(business):
    notes = " ".join(stock_as_of(business, T).notes)
    assert "rolled back from the lots at the snapshot (2026-03-31)" in notes
    # $100 of $326 bought on POs, $190 on complete FIFO roll-backs, $36 estimated
    assert "1 SKUs (31% of the stock value): rolled back" in notes
    assert "2 SKUs (58% of the stock value): rolled back" in notes
    assert "1 SKUs (11% of the stock value): produced item" in notes
    assert "1 SKUs: roll-back negative" in notes


def test_snapshot_date_takes_the_lots(business):
    for when in (None, SNAPSHOT, SNAPSHOT + pd.Timedelta(days=3)):
        stock = stock_as_of(business, when)
        assert (stock.by_sku["basis"] == "snapshot").all()
        assert stock.notes == ()
        assert_allclose(stock.by_sku["on_hand_units"], [30.0, 35.0, 12.0, 0.0, 5.0])
        assert_allclose(stock.by_sku["on_hand_value"], [66.0, 155.0, 36.0, 0.0, 50.0], rtol=1e-12)


def test_weekly_review_reports_the_rolled_back_stock(business):
    review = weekly_review(business, as_of=T, period_days=60)  # 1 Jan to 1 Mar
    kpis = review.by_sku
    assert_allclose(kpis["on_hand_units"], BY_HAND["on_hand_units"], rtol=1e-12)
    assert_allclose(kpis["on_hand_value"], BY_HAND["on_hand_value"], rtol=1e-12)
    assert kpis["stock_basis"].tolist() == BY_HAND["basis"].tolist()
    assert review.headline["stock value [$]"] == pytest.approx(326.0, rel=1e-12)
    assert review.headline["stock units"] == pytest.approx(102.0, rel=1e-12)
    # rm1 had 50 on the shelf on 1 Mar: not out of stock (the lots received by then: none)
    assert not kpis.loc["rm1", "out_of_stock_now"]
    assert "rm1" not in review.stockouts.index
    # rm1 covers 50 / 2 = 25 days; fg1 35 days
    assert_allclose(kpis.loc[["rm1", "fg1"], "days_of_supply"], [25.0, 35.0], rtol=1e-12)
    notes = " ".join(review.notes)
    assert "Stock on hand at 2026-03-01 is rolled back" in notes
    assert "Aging and expiring lots at 2026-03-01 are the lots still held" in notes
    assert "Stock on hand is the lots received" not in notes


def test_sku_kpis_uses_the_same_stock(business):
    kpis = wb.sku_kpis(business, as_of=T)
    assert_allclose(kpis["on_hand_value"], BY_HAND["on_hand_value"], rtol=1e-12)


def test_stock_value_history_starts_from_the_rolled_back_stock(business):
    # rm1 is the only bought SKU: its value on 1 Mar is the review's, and a week earlier
    # (22 Feb) 14 more units were on hand at the item cost of $2: $128.
    review = weekly_review(business, as_of=T)
    hist = review.stock_value_history["raw_material"]
    assert hist.index[-1] == pd.Timestamp("2026-03-01")
    assert hist.iloc[-1] == pytest.approx(100.0, rel=1e-12)
    assert hist.loc["2026-02-22"] == pytest.approx(128.0, rel=1e-12)


# --- the sample business -------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return wb.load_dataset("sample_data")


def _plain_roll_back(ds, t):
    """Units per SKU at the end of day t, from the tables with plain pandas."""
    end = ds.demand_period[1]
    items = ds.items.assign(sku=ds.items["sku"].astype(str)).set_index("sku")
    lots = ds.lots.assign(sku=ds.lots["sku"].astype(str))
    po = ds.purchase_orders.assign(sku=ds.purchase_orders["sku"].astype(str))
    dem = ds.demand.assign(sku=ds.demand["sku"].astype(str))
    got = po[po["received_date"].notna()]
    bought = items.index.isin(got["sku"].unique())

    def total(frame, mask, col="quantity"):
        return frame[mask].groupby("sku")[col].sum().reindex(items.index, fill_value=0.0)

    now = total(lots, lots["received_date"] <= end)
    issued = total(dem, (dem["date"] > t) & (dem["date"] <= end))
    po_in = total(got, (got["received_date"] > t) & (got["received_date"] <= end))
    lots_in = total(lots, lots["received_date"] > t)
    held = total(lots, lots["received_date"] <= t)
    by_po = (now + issued - po_in).clip(lower=0.0)
    by_lots = now + issued - lots_in
    complete = (held > 0) | (issued == 0)
    made = by_lots.where(complete, np.minimum(now, by_lots))
    return pd.Series(np.where(bought, by_po, made), index=items.index), items


def test_sample_end_date_unchanged(sample):
    review = weekly_review(sample)
    lots = sample.lots
    plain = (lots["quantity"] * lots["unit_cost"]).groupby(lots["sku"].astype(str)).sum()
    kpis = review.by_sku
    assert (kpis["stock_basis"] == "snapshot").all()
    assert_allclose(kpis["on_hand_value"], plain.reindex(kpis.index, fill_value=0.0), rtol=1e-12)
    assert review.headline["stock value [$]"] == pytest.approx(plain.sum(), rel=1e-12)
    # the stockouts at the snapshot are the calculator's on the lots' units
    end = sample.demand_period[1]
    est = wb.stockout_estimate(
        sample.demand,
        on_hand=kpis["on_hand_units"],
        start=end - pd.Timedelta(days=364),
        end=end,
    )
    assert review.headline["stockout incidents"] == est["stockout_incidents"].sum()
    assert "Stock on hand is the lots received on or before the review date." in review.notes


def test_sample_eight_weeks_back_is_rolled_back(sample):
    end = sample.demand_period[1]
    t = end - pd.Timedelta(weeks=8)
    now = weekly_review(sample)
    then = weekly_review(sample, as_of=t)
    units, items = _plain_roll_back(sample, t)
    kpis = then.by_sku
    assert_allclose(kpis["on_hand_units"], units.reindex(kpis.index), rtol=1e-9, atol=1e-9)
    # value: each SKU's cost basis differs a little from its item cost (prices rose about
    # 4 % a year), so the plain roll-back at item cost agrees to within 5 %
    plain_value = float((units * items["unit_cost"]).sum())
    value = then.headline["stock value [$]"]
    assert value == pytest.approx(plain_value, rel=0.05)
    # the bug this guards against: only today's lots received by then ($103k of $240k)
    received_by_then = wb.stock_on_hand(sample.lots, as_of=t)["on_hand_value"].sum()
    assert value > 1.5 * received_by_then
    assert 0.7 < value / now.headline["stock value [$]"] < 1.3
    # and no flood of empty shelves: out-of-stock items 8 weeks back are as rare as now
    assert then.headline["out of stock now"] <= 3 * max(now.headline["out of stock now"], 5)
    assert abs(len(then.stockouts) - len(now.stockouts)) <= 0.25 * len(now.stockouts)


def test_estimate_capped_by_the_units_issued_since():
    # Every unit on hand today arrived after 1 Mar, so on 1 Mar the item held at most what
    # it has issued since (5), however much is on the shelf now (12).
    ds = wb.Dataset.from_tables(
        {
            "items": pd.DataFrame(
                {"sku": ["fg3"], "inventory_type": ["finished_good"], "unit_cost": [3.0]}
            ),
            "demand": pd.DataFrame(
                {
                    "date": pd.to_datetime(["2026-01-01", "2026-03-25", "2026-03-31"]),
                    "sku": "fg3",
                    "quantity": [1.0, 5.0, 0.0],
                }
            ),
            "lots": pd.DataFrame(
                {
                    "sku": ["fg3"],
                    "lot_id": ["L1"],
                    "received_date": pd.to_datetime(["2026-03-20"]),
                    "quantity": [12.0],
                    "unit_cost": [3.5],
                }
            ),
        }
    )
    row = stock_as_of(ds, T).by_sku.loc["fg3"]
    assert row["basis"] == "estimated"
    assert row["on_hand_units"] == 5.0
    assert row["on_hand_value"] == pytest.approx(17.5, rel=1e-12)
    # after the lot of 20 Mar came in, the roll-back through the lots is complete: 12
    row = stock_as_of(ds, "2026-03-26").by_sku.loc["fg3"]
    assert (row["basis"], row["on_hand_units"]) == ("lots_fifo", 12.0)
