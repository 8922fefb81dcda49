"""Tests for workbench.stock.fifo: lot consumption in FIFO, FEFO and LIFO order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from workbench.stock.fifo import consume_lots


def _lots(sku, qty, cost, received, expiry=None, lot_id=None):
    frame = pd.DataFrame(
        {
            "sku": sku,
            "lot_id": lot_id if lot_id is not None else [f"L{i}" for i in range(len(qty))],
            "received_date": pd.to_datetime(received),
            "quantity": np.asarray(qty, float),
            "unit_cost": np.asarray(cost, float),
        }
    )
    if expiry is not None:
        frame["expiry_date"] = pd.to_datetime(expiry)
    return frame


def _demand(sku, dates, qty):
    return pd.DataFrame(
        {"sku": sku, "date": pd.to_datetime(dates), "quantity": np.asarray(qty, float)}
    )


# Houston Electronics, Weygandt, Kimmel & Kieso, Accounting Principles, ch. 6
# (Illustrations 6-5 and 6-8): 100 @ $10, 200 @ $11, 300 @ $12, 400 @ $13; 550 sold.
HOUSTON = _lots(
    "astro",
    [100, 200, 300, 400],
    [10, 11, 12, 13],
    ["2026-01-01", "2026-04-15", "2026-08-24", "2026-11-27"],
)
HOUSTON_SOLD = _demand("astro", ["2026-12-31"], [550])


@pytest.mark.parametrize(
    ("rule", "cogs", "left"),
    [
        # FIFO: COGS $6,200, ending 400 @ $13 + 50 @ $12 = $5,800 (Illustration 6-5)
        ("fifo", 6200.0, 5800.0),
        # periodic LIFO: COGS $7,000, ending 100 @ $10 + 200 @ $11 + 150 @ $12 = $5,000
        ("lifo", 7000.0, 5000.0),
    ],
)
def test_houston_electronics(rule, cogs, left):
    result = consume_lots(HOUSTON, HOUSTON_SOLD, rule=rule)
    # whole dollars in the book, exact here
    assert_allclose(result.allocations["cost"].sum(), cogs, rtol=1e-12)
    assert_allclose(result.remaining["value"].sum(), left, rtol=1e-12)
    assert_allclose(result.cogs["cogs"].sum(), cogs, rtol=1e-12)
    assert result.shortfall.empty


def test_allocation_names_each_lot_in_order():
    lots = _lots("a", [5, 5], [1, 2], ["2026-01-01", "2026-02-01"], lot_id=["old", "new"])
    dem = _demand("a", ["2026-03-01", "2026-03-05"], [3, 4])
    alloc = consume_lots(lots, dem).allocations
    assert alloc[["lot_id", "quantity"]].to_numpy().tolist() == [
        ["old", 3.0],
        ["old", 2.0],
        ["new", 2.0],
    ]
    assert list(alloc["date"].dt.day) == [1, 5, 5]
    assert_allclose(alloc["cost"], [3.0, 2.0, 4.0])


def test_fefo_takes_the_earliest_expiry_first_and_undated_lots_last():
    lots = _lots(
        "milk",
        [5, 5, 5],
        [1, 2, 3],
        ["2026-01-01", "2026-02-01", "2025-12-01"],
        expiry=["2026-06-01", "2026-05-01", None],
        lot_id=["a", "b", "c"],
    )
    dem = _demand("milk", ["2026-03-01"], [12])
    alloc = consume_lots(lots, dem, rule="fefo").allocations
    assert list(alloc["lot_id"]) == ["b", "a", "c"]
    assert_allclose(alloc["quantity"], [5, 5, 2])
    # FIFO would have started with the undated December lot
    assert consume_lots(lots, dem, rule="fifo").allocations["lot_id"].iloc[0] == "c"


def test_shortfall_and_skus_without_lots_or_demand():
    lots = _lots(["a", "c"], [3, 4], [1, 5], ["2026-01-01", "2026-01-01"])
    dem = _demand(["a", "a", "d"], ["2026-02-01", "2026-02-03", "2026-02-01"], [2, 2, 7])
    res = consume_lots(lots, dem)
    short = res.shortfall.set_index(["sku", "date"])["quantity"]
    assert_allclose(short.loc[("a", pd.Timestamp("2026-02-03"))], 1.0)
    assert_allclose(short.loc[("d", pd.Timestamp("2026-02-01"))], 7.0)
    assert res.remaining["sku"].tolist() == ["c"]
    assert_allclose(res.remaining["quantity"], [4.0])


def test_cogs_by_period():
    lots = _lots("a", [10, 10], [1, 3], ["2026-01-01", "2026-01-15"])
    dem = _demand("a", ["2026-01-20", "2026-02-10", "2026-02-11"], [8, 4, 4])
    cogs = consume_lots(lots, dem, period="M").cogs
    assert cogs["period"].astype(str).tolist() == ["2026-01", "2026-02"]
    assert_allclose(cogs["quantity"], [8, 8])
    assert_allclose(cogs["cogs"], [8.0, 2 * 1 + 6 * 3])


def test_keep_empty_keeps_used_up_lots():
    res = consume_lots(HOUSTON, HOUSTON_SOLD, keep_empty=True)
    assert len(res.remaining) == 4
    assert_allclose(res.remaining["quantity"], [0, 0, 50, 400])


def test_empty_inputs():
    res = consume_lots(HOUSTON.iloc[:0], HOUSTON_SOLD.iloc[:0])
    assert res.allocations.empty and res.remaining.empty and res.cogs.empty
    res = consume_lots(HOUSTON, HOUSTON_SOLD.iloc[:0])
    assert_allclose(res.remaining["quantity"].sum(), 1000.0)
    res = consume_lots(HOUSTON.iloc[:0], HOUSTON_SOLD)
    assert_allclose(res.shortfall["quantity"].sum(), 550.0)


def test_sku_as_object_or_string_dtype_gives_the_same_answer():
    a = consume_lots(HOUSTON.astype({"sku": object}), HOUSTON_SOLD.astype({"sku": object}))
    b = consume_lots(HOUSTON, HOUSTON_SOLD)
    assert_allclose(a.allocations["cost"], b.allocations["cost"])


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match=r"rule must be one of"):
        consume_lots(HOUSTON, HOUSTON_SOLD, rule="hifo")
    with pytest.raises(ValueError, match=r"lots must have columns .*missing \['unit_cost'\]"):
        consume_lots(HOUSTON.drop(columns="unit_cost"), HOUSTON_SOLD)
    with pytest.raises(ValueError, match=r"demand must have columns .*missing \['date'\]"):
        consume_lots(HOUSTON, HOUSTON_SOLD.drop(columns="date"))
    bad = HOUSTON_SOLD.assign(quantity=-1.0)
    with pytest.raises(ValueError, match=r"demand.quantity must be >= 0 \[units\]; got -1"):
        consume_lots(HOUSTON, bad)
    with pytest.raises(ValueError, match=r"lots.quantity must be a number >= 0 \[units\]; got NaN"):
        consume_lots(HOUSTON.assign(quantity=np.nan), HOUSTON_SOLD)
    with pytest.raises(ValueError, match=r"lots must be a pandas DataFrame"):
        consume_lots([1, 2], HOUSTON_SOLD)


def _reference(lots: pd.DataFrame, demand: pd.DataFrame) -> dict:
    """A plain loop FIFO (test oracle only): {(issue row, lot_id): quantity}."""
    out: dict = {}
    for sku in sorted(set(demand["sku"])):
        stock = lots[lots["sku"] == sku].sort_values("received_date", kind="stable")
        layers = [[lid, q] for lid, q in zip(stock["lot_id"], stock["quantity"], strict=True)]
        issues = demand[demand["sku"] == sku].sort_values("date", kind="stable")
        for row, need in zip(issues.index, issues["quantity"], strict=True):
            for layer in layers:
                take = min(layer[1], need)
                if take > 0:
                    out[(row, layer[0])] = out.get((row, layer[0]), 0.0) + take
                    layer[1] -= take
                    need -= take
    return out


@st.composite
def _scenario(draw):
    n_sku = draw(st.integers(1, 4))
    lot_rows, dem_rows = [], []
    for s in range(n_sku):
        for k in range(draw(st.integers(0, 5))):
            lot_rows.append(
                (f"s{s}", f"s{s}-{k}", k, draw(st.integers(0, 20)), draw(st.integers(1, 9)))
            )
        for d in range(draw(st.integers(0, 5))):
            dem_rows.append((f"s{s}", d, draw(st.integers(0, 25))))
    lots = pd.DataFrame(lot_rows, columns=["sku", "lot_id", "day", "quantity", "unit_cost"])
    lots["received_date"] = pd.Timestamp("2026-01-01") + pd.to_timedelta(lots["day"], "D")
    lots["quantity"] = lots["quantity"].astype(float)
    lots["unit_cost"] = lots["unit_cost"].astype(float)
    dem = pd.DataFrame(dem_rows, columns=["sku", "day", "quantity"])
    dem["date"] = pd.Timestamp("2026-03-01") + pd.to_timedelta(dem["day"], "D")
    dem["quantity"] = dem["quantity"].astype(float)
    # shuffle rows: the engine must not rely on input order
    perm = draw(st.permutations(range(len(lots)))) if len(lots) else []
    return lots.iloc[list(perm)].reset_index(drop=True), dem


@settings(max_examples=40, deadline=None)
@given(_scenario())
def test_fifo_matches_a_plain_loop_and_conserves_units(case):
    lots, dem = case
    res = consume_lots(lots, dem)
    got: dict = {}
    issue_rows = dem.sort_values(["sku", "date"], kind="stable")
    # allocation rows carry the issue date; map (sku, date) back to the issue row
    rows = zip(issue_rows.index, issue_rows["sku"], issue_rows["date"], strict=True)
    key = {(s, d): r for r, s, d in rows}
    for s, d, lid, q in res.allocations[["sku", "date", "lot_id", "quantity"]].itertuples(
        index=False
    ):
        got[(key[(s, d)], lid)] = got.get((key[(s, d)], lid), 0.0) + q
    want = _reference(lots, dem)
    assert got.keys() == want.keys()
    assert_allclose([got[k] for k in want], [want[k] for k in want])
    # units are conserved per SKU: lots = allocated + remaining; demand = allocated + short
    for sku in set(lots["sku"]) | set(dem["sku"]):
        have = lots.loc[lots["sku"] == sku, "quantity"].sum()
        need = dem.loc[dem["sku"] == sku, "quantity"].sum()
        used = res.allocations.loc[res.allocations["sku"] == sku, "quantity"].sum()
        left = res.remaining.loc[res.remaining["sku"] == sku, "quantity"].sum()
        short = res.shortfall.loc[res.shortfall["sku"] == sku, "quantity"].sum()
        assert_allclose(used, min(have, need), atol=1e-9)
        assert_allclose(used + left, have, atol=1e-9)
        assert_allclose(used + short, need, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(_scenario())
def test_lifo_leaves_the_oldest_lots(case):
    lots, dem = case
    res = consume_lots(lots, dem, rule="lifo", keep_empty=True)
    # per SKU, remaining lots in LIFO order (newest first): full lots are never
    # consumed before a newer lot is used up
    for _, group in res.remaining.groupby("sku"):
        orig = group["lot_id"].map(lots.set_index("lot_id")["quantity"]).to_numpy()
        used = orig - group["quantity"].to_numpy()
        touched = np.flatnonzero(used > 1e-12)
        if len(touched):
            assert np.all(used[: touched[-1]] >= orig[: touched[-1]] - 1e-9)


def test_fractional_quantities_do_not_leave_float_crumbs():
    lots = _lots("a", [0.1, 0.2, 0.3], [1, 1, 1], ["2026-01-01", "2026-01-02", "2026-01-03"])
    dem = _demand("a", ["2026-02-01", "2026-02-02"], [0.3, 0.3])
    res = consume_lots(lots, dem)
    assert res.remaining.empty
    assert res.shortfall.empty
    assert_allclose(res.allocations["quantity"].sum(), 0.6)


def test_fefo_skips_lots_expired_before_the_issue_and_reports_them():
    # issue 15 defect 5: FEFO issued already expired lots. Lot a (10) expires on Jan 5,
    # lot b (10) on Jan 20. Jan 3: 5 from a. Jan 10: a has expired, its 5 left are
    # written off, the 8 come from b. A lot can be issued on its expiry day.
    lots = _lots(
        "milk",
        [10, 10, 4],
        [1.0, 2.0, 3.0],
        ["2026-01-01", "2026-01-01", "2026-01-01"],
        expiry=["2026-01-05", "2026-01-20", "2026-01-20"],
        lot_id=["a", "b", "c"],
    )
    dem = _demand("milk", ["2026-01-03", "2026-01-10", "2026-01-20"], [5, 8, 3])
    res = consume_lots(lots, dem, rule="fefo")
    assert res.allocations[["lot_id", "quantity"]].to_numpy().tolist() == [
        ["a", 5.0],
        ["b", 8.0],
        ["b", 2.0],
        ["c", 1.0],
    ]
    assert res.expired[["lot_id", "quantity"]].to_numpy().tolist() == [["a", 5.0]]
    assert_allclose(res.expired["cost"], [5.0])
    assert res.expired["expiry_date"].iloc[0] == pd.Timestamp("2026-01-05")
    assert res.remaining[["lot_id", "quantity"]].to_numpy().tolist() == [["c", 3.0]]
    # units: lots = issued + expired + remaining
    assert_allclose(res.allocations["quantity"].sum() + res.expired["quantity"].sum() + 3.0, 24.0)
    # an issue larger than the unexpired stock is short, not served from expired lots
    late = consume_lots(lots, _demand("milk", ["2026-01-25"], [5]), rule="fefo")
    assert late.allocations.empty
    assert_allclose(late.shortfall["quantity"].sum(), 5.0)
    assert_allclose(late.expired["quantity"].sum(), 24.0)
    # FIFO and LIFO do not look at expiry dates
    assert consume_lots(lots, dem, rule="fifo").expired.empty


@pytest.mark.parametrize("seed", range(20))
def test_fefo_never_issues_an_expired_lot_and_conserves_units(seed):
    rng = np.random.default_rng(seed)
    n_lot, n_dem = rng.integers(1, 12), rng.integers(1, 12)
    day = pd.Timestamp("2026-01-01")
    expiry = day + pd.to_timedelta(rng.integers(0, 30, n_lot), "D")
    lots = _lots(
        rng.choice(["a", "b"], n_lot),
        rng.integers(0, 10, n_lot),
        rng.uniform(1, 5, n_lot),
        [day] * n_lot,
        expiry=np.where(rng.random(n_lot) < 0.2, pd.NaT, expiry),
    )
    dem = _demand(
        rng.choice(["a", "b"], n_dem),
        day + pd.to_timedelta(rng.integers(0, 35, n_dem), "D"),
        rng.integers(0, 8, n_dem),
    )
    res = consume_lots(lots, dem, rule="fefo")
    alloc = res.allocations.merge(lots[["lot_id", "expiry_date"]], on="lot_id")
    assert not (alloc["expiry_date"] < alloc["date"]).any()
    for sku in ("a", "b"):
        have = lots.loc[lots["sku"] == sku, "quantity"].sum()
        need = dem.loc[dem["sku"] == sku, "quantity"].sum()
        used = res.allocations.loc[res.allocations["sku"] == sku, "quantity"].sum()
        gone = res.expired.loc[res.expired["sku"] == sku, "quantity"].sum()
        left = res.remaining.loc[res.remaining["sku"] == sku, "quantity"].sum()
        short = res.shortfall.loc[res.shortfall["sku"] == sku, "quantity"].sum()
        assert_allclose(used + gone + left, have, atol=1e-9)
        assert_allclose(used + short, need, atol=1e-9)
