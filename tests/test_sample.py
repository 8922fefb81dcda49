"""Tests for the sample business generator (workbench.data.sample).

The generator makes up data, so there is no published value to reproduce: these tests
check the promises of issue 2 and DESIGN.md (reproducibility, the committed folder equals
a fresh generation, all four inventory types, a valid acyclic BOM whose consumption
follows production, ABC skew, intermittent and dead items, late POs, count
discrepancies, expiring lots, seasonality) and the data-model contract of every table.
Properties that do not need the default size run on small businesses to stay fast.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.data import SCHEMAS, Dataset, load_dataset
from workbench.data.sample import (
    _batch_forward,
    _first_crossing,
    _round_cumulative,
    main,
    sample_dataset,
    sample_tables,
)

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO / "sample_data"
END = pd.Timestamp("2026-10-31")


@pytest.fixture(scope="module")
def default() -> dict[str, pd.DataFrame]:
    """The tables at the default arguments (what sample_data/ holds)."""
    return sample_tables()


@pytest.fixture(scope="module")
def small() -> dict[str, pd.DataFrame]:
    return sample_tables(n_skus=120, years=1, seed=11)


def annual_value(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Consumption value over the last 365 days [$/year] per SKU (every SKU in items)."""
    items, demand = tables["items"], tables["demand"]
    end = demand["date"].max()
    recent = demand[demand["date"] > end - pd.Timedelta(days=365)]
    qty = recent.groupby("sku")["quantity"].sum().reindex(items["sku"], fill_value=0.0)
    return qty * items.set_index("sku")["unit_cost"]


def zero_day_share(tables: dict[str, pd.DataFrame]) -> pd.Series:
    items, demand = tables["items"], tables["demand"]
    n_days = (demand["date"].max() - demand["date"].min()).days + 1
    days = demand.groupby("sku").size().reindex(items["sku"], fill_value=0)
    return 1.0 - days / n_days


# ------------------------------------------------------------------ reproducibility


def test_same_seed_gives_equal_tables():
    a = sample_tables(n_skus=100, years=1, seed=5)
    b = sample_tables(n_skus=100, years=1, seed=5)
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def test_other_seed_gives_other_tables():
    a = sample_tables(n_skus=100, years=1, seed=5)
    b = sample_tables(n_skus=100, years=1, seed=6)
    assert not a["demand"].equals(b["demand"])
    assert not a["items"]["unit_cost"].equals(b["items"]["unit_cost"])


def test_generator_argument_accepted():
    a = sample_tables(n_skus=100, years=1, seed=np.random.default_rng(3))
    b = sample_tables(n_skus=100, years=1, seed=3)
    pd.testing.assert_frame_equal(a["demand"], b["demand"])


def test_committed_sample_data_equals_fresh_generation(tmp_path):
    """sample_data/*.csv is byte for byte what the default arguments write."""
    fresh = sample_dataset().to_folder(tmp_path / "fresh", format="csv")
    written = sorted(p.name for p in Path(fresh).glob("*.csv"))
    committed = sorted(p.name for p in SAMPLE_DIR.glob("*.csv"))
    assert written == committed, "regenerate: python -m workbench.data.sample sample_data"
    for name in written:
        assert (Path(fresh) / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), (
            f"sample_data/{name} differs from a fresh generation; regenerate it with "
            "python -m workbench.data.sample sample_data"
        )


def test_committed_folder_is_small():
    size = sum(p.stat().st_size for p in SAMPLE_DIR.glob("*"))
    assert 0 < size < 10 * 2**20


def test_command_line_writes_a_loadable_folder(tmp_path, capsys):
    out = tmp_path / "biz"
    assert main([str(out), "--n-skus", "90", "--years", "1", "--seed", "4"]) == 0
    assert "wrote" in capsys.readouterr().out
    loaded = load_dataset(out)
    assert loaded.equals(sample_dataset(n_skus=90, years=1, seed=4))


def test_command_line_rejects_bad_size(tmp_path):
    with pytest.raises(SystemExit):
        main([str(tmp_path / "x"), "--n-skus", "5"])


# ------------------------------------------------------------------ the contract


def test_sample_dataset_is_a_clean_dataset():
    ds = sample_dataset(n_skus=100, years=1, seed=8)
    assert isinstance(ds, Dataset)
    assert ds.source == "sample business (seed=8)"
    for name in SCHEMAS:
        assert ds.has(name), name
    assert ds.report.empty  # nothing excluded: no zero rows, no duplicates
    assert ds.demand_period == (pd.Timestamp("2025-11-01"), END)


def test_tables_have_the_data_model_columns(small):
    assert set(small) == set(SCHEMAS)
    for name, table in SCHEMAS.items():
        assert list(small[name].columns) == table.column_names, name


@pytest.mark.parametrize("n_skus", [80, 137, 1000])
def test_item_count_and_unique_skus(n_skus):
    items = sample_tables(n_skus=n_skus, years=1, seed=1)["items"]
    assert len(items) == n_skus
    assert items["sku"].is_unique
    assert str(items["sku"].dtype) == "string"


def test_demand_convention(default):
    d = default["demand"]
    assert d["date"].min() == pd.Timestamp("2024-11-01")  # two years of days
    assert d["date"].max() == END
    q = d["quantity"].to_numpy()
    assert (q > 0).all()  # zero-demand days are omitted
    np.testing.assert_array_equal(q, np.round(q))  # whole units
    assert not d.duplicated(["date", "sku"]).any()
    assert d["sku"].isin(default["items"]["sku"]).all()


def test_end_date_moves_the_history():
    d = sample_tables(n_skus=80, years=1, seed=1, end_date="2025-03-31")["demand"]
    assert d["date"].max() == pd.Timestamp("2025-03-31")
    assert d["date"].min() == pd.Timestamp("2024-04-01")


# ------------------------------------------------------------------ the business


def test_all_four_inventory_types(small):
    types = small["items"]["inventory_type"].value_counts()
    assert set(types.index) == {"raw_material", "wip", "finished_good", "mro"}
    assert (types > 0).all()


def test_item_columns_make_sense(default):
    it = default["items"]
    fg = it["inventory_type"] == "finished_good"
    assert (it.loc[fg, "price"] > it.loc[fg, "unit_cost"]).all()  # sold at a margin
    assert it.loc[~fg, "price"].isna().all()
    bought = it["inventory_type"].isin(["raw_material", "mro"])
    assert it.loc[bought, "supplier_id"].notna().all()
    assert it.loc[~bought, "supplier_id"].isna().all()  # made in the workshop
    assert it["supplier_id"].dropna().isin(default["suppliers"]["supplier_id"]).all()
    for col in ("unit_cost", "order_cost", "holding_cost_rate", "min_order_qty", "pack_size"):
        assert (it[col] > 0).all(), col
    assert (it["lead_time_days"] >= 1).all()
    assert (it["min_order_qty"] % it["pack_size"] == 0).all()
    sl = it["service_level"]
    assert sl.isna().any() and sl.notna().any()  # some targets left blank on purpose
    assert ((sl.dropna() > 0) & (sl.dropna() < 1)).all()
    assert it["shelf_life_days"].notna().any() and it["shelf_life_days"].isna().any()


def test_suppliers_differ_in_lead_time_and_reliability(default):
    s = default["suppliers"]
    assert s["supplier_id"].is_unique
    assert s["lead_time_days"].max() >= 3 * s["lead_time_days"].min()
    assert s["on_time_rate"].max() - s["on_time_rate"].min() >= 0.15


def test_bom_references_valid_skus_and_levels(default):
    bom, it = default["bom"], default["items"]
    types = it.set_index("sku")["inventory_type"]
    assert bom["parent_sku"].isin(it["sku"]).all()
    assert bom["component_sku"].isin(it["sku"]).all()
    assert not bom.duplicated(["parent_sku", "component_sku"]).any()
    assert (bom["quantity_per"] > 0).all()
    assert ((bom["scrap_rate"] >= 0) & (bom["scrap_rate"] < 0.2)).all()
    parent_t = types[bom["parent_sku"]].to_numpy()
    comp_t = types[bom["component_sku"]].to_numpy()
    assert set(parent_t) == {"finished_good", "wip"}
    assert set(comp_t) == {"wip", "raw_material"}  # WIP links raw materials to goods
    # Every finished good has a recipe; every WIP is made from raw materials.
    assert set(it.loc[it["inventory_type"] == "finished_good", "sku"]) <= set(bom["parent_sku"])
    wip_rows = bom[parent_t == "wip"]
    assert (types[wip_rows["component_sku"]] == "raw_material").all()


def test_bom_is_acyclic(default):
    """Peel parents with no remaining components; a cycle would leave rows behind."""
    edges = default["bom"][["parent_sku", "component_sku"]].to_numpy()
    remaining = {tuple(e) for e in edges}
    for _ in range(len(remaining) + 1):
        parents = {p for p, _ in remaining}
        leaves = {p for p in parents if all(c not in parents for q, c in remaining if q == p)}
        if not leaves:
            break
        remaining = {(p, c) for p, c in remaining if p not in leaves}
    assert not remaining


def test_consumption_follows_production_through_the_bom(default):
    """Raw materials used ~= finished goods sold x quantity_per x (1 + scrap), per kind.

    Exploding sales through both BOM levels gives the materials the sales needed. Totals
    are compared per category over the whole history (a replaced material's earlier use
    is in the same category). Tolerance 10 %: production runs in batches that cover up
    to four weeks ahead, the first weeks come from opening stock, and daily use is
    rounded to whole units.
    """
    it, bom, d = default["items"], default["bom"], default["demand"]
    sold = d.groupby("sku")["quantity"].sum()
    types = it.set_index("sku")["inventory_type"]
    b = bom.assign(q=bom["quantity_per"] * (1 + bom["scrap_rate"]))
    fg_rows = b[types[b["parent_sku"]].to_numpy() == "finished_good"]
    level1 = fg_rows.assign(
        need=fg_rows["q"] * sold.reindex(fg_rows["parent_sku"]).fillna(0).values
    )
    need = level1.groupby("component_sku")["need"].sum()
    wip_rows = b[types[b["parent_sku"]].to_numpy() == "wip"]
    wip_need = need.reindex(wip_rows["parent_sku"]).fillna(0).to_numpy()
    level2 = wip_rows.assign(need=wip_rows["q"] * wip_need)
    rm_need = pd.concat([level1, level2]).groupby("component_sku")["need"].sum()
    rm = it[it["inventory_type"] == "raw_material"].set_index("sku")
    expected = rm_need.reindex(rm.index).fillna(0).groupby(rm["category"]).sum()
    used = sold.reindex(rm.index).fillna(0).groupby(rm["category"]).sum()
    in_bom = expected[expected > 0].index
    np.testing.assert_allclose(used[in_bom], expected[in_bom], rtol=0.10)
    # And WIP use follows finished-good sales (one level).
    wip_used = sold.reindex(need.index[types[need.index] == "wip"]).fillna(0)
    np.testing.assert_allclose(wip_used.sum(), need[wip_used.index].sum(), rtol=0.10)


@pytest.mark.parametrize("seed", [2026, 1, 99])
def test_abc_skew(seed, request):
    """Top 20 % of items by annual consumption value hold 65-90 % of it (Pareto-like)."""
    if seed == 2026:
        tables = request.getfixturevalue("default")
    else:
        tables = sample_tables(seed=seed, years=1)
    value = np.sort(annual_value(tables).to_numpy())[::-1]
    top = round(0.2 * len(value))
    share = value[:top].sum() / value.sum()
    assert 0.65 <= share <= 0.90, share


def test_intermittent_items(default):
    share = zero_day_share(default)
    types = default["items"].set_index("sku")["inventory_type"]
    slow = share[share > 0.5]
    assert len(slow) >= 10
    assert (types[slow.index] == "finished_good").sum() >= 5  # slow-moving products too
    assert (share < 0.1).any()  # and fast movers


def test_dead_items(default):
    """A few items sold or used before, nothing in the last six months, still in stock."""
    d = default["demand"]
    last = d.groupby("sku")["date"].max()
    dead = last[last < END - pd.Timedelta(days=182)].index
    assert 3 <= len(dead) <= 0.15 * len(default["items"])
    types = default["items"].set_index("sku")["inventory_type"]
    assert "finished_good" in set(types[dead])
    on_hand = default["lots"].groupby("sku")["quantity"].sum()
    assert (on_hand.reindex(dead).fillna(0) > 0).sum() >= 3  # dead stock to find


def test_launches_and_trends_exist(default):
    d = default["demand"]
    fg = d[d["sku"].str.startswith("FG-")]
    first = fg.groupby("sku")["date"].min()
    assert (first > pd.Timestamp("2025-03-01")).any()  # products launched during the history


def test_weekly_seasonality_in_finished_goods(default):
    d = default["demand"]
    fg = d[d["sku"].str.startswith("FG-")]
    by_day = fg.groupby(fg["date"].dt.day_of_week)["quantity"].sum()
    assert by_day.max() / by_day.min() > 1.25
    assert by_day.idxmax() == 0  # Monday: orders placed over the weekend


def test_yearly_seasonality_in_finished_goods(default):
    d = default["demand"]
    fg = d[d["sku"].str.startswith("FG-")]
    by_month = fg.groupby(fg["date"].dt.month)["quantity"].sum()
    assert by_month[12] > 1.6 * by_month[7]  # the holiday peak


def test_purchase_orders(default):
    po, it = default["purchase_orders"], default["items"]
    assert po["po_id"].is_unique
    types = it.set_index("sku")["inventory_type"]
    assert types[po["sku"]].isin(["raw_material", "mro"]).all()
    assert (po["promised_date"] > po["order_date"]).all()
    assert (po["order_date"] <= END).all()
    received = po["received_date"].dropna()
    assert (received <= END).all()  # as of end_date; later ones are still open
    late = po["received_date"] > po["promised_date"]
    assert 0.03 <= late.mean() <= 0.4
    assert po["received_date"].isna().sum() >= 1  # open orders for MRP
    pack = it.set_index("sku")["pack_size"]
    assert (po["quantity"] % pack[po["sku"]].to_numpy() == 0).all()


def test_less_reliable_suppliers_are_late_more_often(default):
    po = default["purchase_orders"].dropna(subset=["received_date"])
    late = (po["received_date"] > po["promised_date"]).groupby(po["supplier_id"]).mean()
    rate = default["suppliers"].set_index("supplier_id")["on_time_rate"].reindex(late.index)
    assert np.corrcoef(late, rate)[0, 1] < 0


def test_lots_as_of_end_date(default):
    lots, it = default["lots"], default["items"]
    assert lots["lot_id"].is_unique
    assert (lots["quantity"] > 0).all()
    assert (lots["received_date"] <= END).all()
    shelf = it.set_index("sku")["shelf_life_days"].reindex(lots["sku"]).to_numpy()
    has = ~np.isnan(shelf)
    np.testing.assert_array_equal(lots["expiry_date"].notna().to_numpy(), has)
    days = (lots["expiry_date"] - lots["received_date"]).dt.days.to_numpy()[has]
    np.testing.assert_array_equal(days, shelf[has])
    age = (END - lots["received_date"]).dt.days
    assert age.max() > 180 and age.min() < 14  # aged stock and fresh receipts


def test_some_lots_expire_within_30_days(default):
    exp = default["lots"]["expiry_date"]
    soon = (exp >= END) & (exp <= END + pd.Timedelta(days=30))
    assert soon.sum() >= 2
    assert (exp < END).sum() >= 1  # and some are already past their date


def test_count_disagrees_with_records_for_some_items(default):
    counts, lots = default["counts"], default["lots"]
    assert (abs(counts["count_date"] - END) <= pd.Timedelta(days=7)).all()
    assert not counts.duplicated(["sku", "location"]).any()
    book = lots.groupby(["sku", "location"])["quantity"].sum()
    key = pd.MultiIndex.from_frame(counts[["sku", "location"]])
    recorded = book.reindex(key).fillna(0.0).to_numpy()
    differs = counts["counted_qty"].to_numpy() != recorded
    assert 0.05 <= differs.mean() <= 0.4  # record accuracy 60-95 %
    assert (counts["counted_qty"] >= 0).all()
    np.testing.assert_array_equal(counts["counted_qty"], np.round(counts["counted_qty"]))


def test_schedule_for_active_finished_goods(default):
    s, d, it = default["schedule"], default["demand"], default["items"]
    types = it.set_index("sku")["inventory_type"]
    assert (types[s["sku"]] == "finished_good").all()
    assert (s["period_start"] > END).all()
    assert (s["period_start"].dt.day_of_week == 0).all()  # weekly buckets from Monday
    assert (s["quantity"] > 0).all()
    last = d.groupby("sku")["date"].max()
    dead = last[last < END - pd.Timedelta(days=182)].index
    assert not s["sku"].isin(dead).any()
    # The schedule follows the coming holiday peak: December weeks above January's.
    week = s.groupby("period_start")["quantity"].sum()
    assert week[week.index.month == 12].mean() > week[week.index.month == 1].mean()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_skus=st.integers(80, 400),
    years=st.integers(1, 2),
    seed=st.integers(0, 2**32 - 1),
    end=st.dates(pd.Timestamp("2020-01-01").date(), pd.Timestamp("2030-12-31").date()),
)
def test_any_size_seed_and_end_date_gives_a_valid_dataset(n_skus, years, seed, end):
    """Whatever the arguments, the tables pass the data layer's validation."""
    ds = sample_dataset(n_skus=n_skus, years=years, seed=seed, end_date=str(end))
    assert len(ds.items) == n_skus
    assert ds.demand_period[1] == pd.Timestamp(end)
    assert set(ds.items["inventory_type"]) == {"raw_material", "wip", "finished_good", "mro"}
    assert (ds.lots["quantity"] > 0).all()
    assert (ds.lots["received_date"] <= pd.Timestamp(end)).all()
    assert ds.report.empty


# ------------------------------------------------------------------ building blocks


def test_batch_forward_makes_what_is_used_until_the_next_run():
    """Runs on days 1, 3, 5 (every 2 days from day 1) cover days 1-2, 3-4 and 5."""
    demand = np.array([[1.0, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1]])
    made = _batch_forward(demand, np.array([2, 7]), np.array([1, 0]))
    np.testing.assert_array_equal(made, [[0, 5, 0, 9, 0, 6], [6, 0, 0, 0, 0, 0]])


def test_batch_forward_conserves_demand_after_the_first_run():
    rng = np.random.default_rng(0)
    demand = rng.poisson(3.0, (50, 200)).astype(float)
    period, offset = rng.choice([7, 14, 28], 50), rng.integers(0, 7, 50)
    made = _batch_forward(demand, period, offset)
    covered = np.array([demand[i, offset[i] :].sum() for i in range(50)])
    np.testing.assert_allclose(made.sum(axis=1), covered)
    assert (made >= 0).all()


def test_round_cumulative_keeps_running_totals_within_half_a_unit():
    x = np.random.default_rng(1).uniform(0, 2.3, (20, 100))
    r = _round_cumulative(x)
    np.testing.assert_array_equal(r, np.round(r))
    assert np.abs(np.cumsum(r, axis=1) - np.cumsum(x, axis=1)).max() <= 0.5 + 1e-9


def test_first_crossing_matches_a_loop():
    rng = np.random.default_rng(2)
    cum = np.cumsum(rng.poisson(2.0, (6, 30)), axis=1).astype(float)
    rows = np.repeat(np.arange(6), 4)
    thresholds = rng.uniform(0, 70, len(rows))
    got = _first_crossing(cum, thresholds, rows)
    want = [int(np.searchsorted(cum[r], th)) for r, th in zip(rows, thresholds, strict=True)]
    np.testing.assert_array_equal(got, want)


# ------------------------------------------------------------------ bad arguments


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_skus": 10}, r"n_skus must be an integer >= 80 \[SKUs\]; got 10"),
        ({"n_skus": 250.5}, r"n_skus must be an integer >= 80 \[SKUs\]; got 250.5"),
        ({"years": 0}, r"years must be an integer >= 1 \[years\]; got 0"),
        ({"end_date": "not a date"}, r"end_date must be a date .*; got 'not a date'"),
        ({"seed": "abc"}, r"seed must be None, an int or a numpy Generator; got 'abc'"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sample_tables(**kwargs)
