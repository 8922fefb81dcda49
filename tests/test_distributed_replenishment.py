"""workbench.distributed.replenishment: the order list partition by partition equals the
in-memory ``wb.replenishment`` (issue 18).

Small data: the sample business (its demand split by date into two files, so a SKU's
history spans both) on Dask's local scheduler and on a LocalCluster of 2 processes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import workbench as wb

dd = pytest.importorskip("dask.dataframe")
wd = pytest.importorskip("workbench.distributed")


def _write(ds: wb.Dataset, root: Path, cuts: int = 2, stock: bool = True) -> Path:
    """The dataset as a catalog folder: items, demand split by date into ``cuts`` files,
    and (``stock``) lots, purchase orders and suppliers as Parquet files."""
    (root / "demand").mkdir(parents=True)
    ds.items.to_parquet(root / "items.parquet", index=False)
    dates = np.sort(ds.demand["date"].unique())
    edges = [dates[int(len(dates) * k / cuts)] for k in range(1, cuts)]
    labels = np.searchsorted(np.array(edges), ds.demand["date"].to_numpy(), side="right")
    for k in range(cuts):
        ds.demand[labels == k].to_parquet(root / "demand" / f"part-{k}.parquet", index=False)
    if stock:
        for name in ("lots", "purchase_orders", "suppliers"):
            ds.tables[name].to_parquet(root / f"{name}.parquet", index=False)
    return root


def _same(got: wb.Replenishment, want: wb.Replenishment, rtol: float = 1e-7) -> None:
    assert got.lines.index.equals(want.lines.index)  # the same order: exceptions first
    pd.testing.assert_frame_equal(
        got.lines, want.lines, check_exact=False, rtol=rtol, check_dtype=False
    )
    pd.testing.assert_frame_equal(got.draft_orders, want.draft_orders, check_exact=False, rtol=rtol)
    assert got.as_of == want.as_of
    assert got.notes == want.notes


@pytest.fixture(scope="module")
def sample():
    return wb.sample_dataset()


@pytest.fixture(scope="module")
def sample_folder(sample, tmp_path_factory):
    return _write(sample, tmp_path_factory.mktemp("catalog"))


def test_the_list_equals_the_in_memory_list_on_the_sample_business(sample, sample_folder):
    cat = wd.read_catalog(sample_folder, npartitions=3)
    seen = []
    got = wd.replenishment(cat, progress=lambda done, total: seen.append(done))
    want = wb.replenishment(sample)
    _same(got, want)
    assert got.lines["order_now"].sum() > 10 and len(got.draft_orders) > 1  # not vacuous
    assert got.lines["exception"].ne("").sum() > 10
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen)


def test_a_scenario_a_given_plan_price_breaks_and_another_day(sample, sample_folder):
    sc = wb.Scenario(service_targets={"A": 0.99, "B": 0.97, "C": 0.9}, policy="sS")
    _same(wd.replenishment(sample_folder, sc), wb.replenishment(sample, sc))
    plan = wb.plan(sample)
    items = sample.items
    breaks = pd.DataFrame(
        {
            "sku": np.repeat(items["sku"].to_numpy(), 2),
            "min_qty": np.tile([50.0, 200.0], len(items)),
            "unit_cost": np.repeat(items["unit_cost"].to_numpy(), 2)
            * np.tile([0.97, 0.9], len(items)),
        }
    )
    day = sample.demand_period[1] - pd.Timedelta(days=20)
    got = wd.replenishment(sample_folder, plan=plan, price_breaks=breaks, as_of=day)
    want = wb.replenishment(sample, plan=plan, price_breaks=breaks, as_of=day)
    _same(got, want, rtol=0)
    assert (got.lines["rounded_by"] == "price_break").any()
    with pytest.raises(ValueError, match="needs plan="):
        wd.replenishment(sample_folder, as_of=day)


def test_stock_tables_given_as_frames_and_skus_without_demand(tmp_path):
    days = pd.date_range("2026-01-01", periods=90)
    items = pd.DataFrame(
        {
            "sku": ["a", "b", "idle"],
            "unit_cost": [2.0, 5.0, 3.0],
            "lead_time_days": [4.0, 7.0, 5.0],
            "inventory_type": "finished_good",
            "supplier_id": ["S1", "S2", "S1"],
            "min_order_qty": [10.0, 1.0, 1.0],
            "pack_size": [6.0, 1.0, 1.0],
        }
    )
    rng = np.random.default_rng(3)
    demand = pd.DataFrame(
        {
            "date": np.tile(days, 2),
            "sku": np.repeat(["a", "b"], len(days)),
            "quantity": rng.poisson([[4.0], [0.3]], (2, len(days))).ravel().astype(float),
        }
    )
    tables = {
        "items": items,
        "demand": demand,
        "lots": pd.DataFrame(
            {"sku": ["a", "b", "idle"], "lot_id": ["L1", "L2", "L3"], "quantity": [3.0, 9.0, 4.0],
             "received_date": pd.to_datetime(["2026-03-01"] * 3)}
        ),
        "suppliers": pd.DataFrame({"supplier_id": ["S1", "S2"], "name": ["One", "Two"]}),
        "purchase_orders": pd.DataFrame(
            {"po_id": ["P1", "P2"], "sku": ["a", "idle"], "supplier_id": ["S1", "S1"],
             "order_date": pd.to_datetime(["2026-03-20", "2026-03-25"]),
             "promised_date": pd.to_datetime(["2026-03-24", "2026-04-20"]),
             "quantity": [12.0, 5.0]}
        ),
    }  # fmt: skip
    ds = wb.Dataset.from_tables(tables)
    folder = _write(ds, tmp_path, stock=False)
    cat = wd.read_catalog(folder, npartitions=8)  # at most 2 partitions hold rows
    got = wd.replenishment(
        cat, lots=ds.lots, purchase_orders=ds.purchase_orders, suppliers=ds.suppliers
    )
    want = wb.replenishment(ds)
    _same(got, want)
    assert got.lines.loc["a", "on_order"] == 12 and got.lines.loc["idle", "on_hand"] == 4
    assert got.lines.loc["idle", "dead_stock_ordered"]


def test_a_po_received_before_it_was_ordered_is_named(sample, tmp_path):
    po = sample.purchase_orders.copy()
    po.loc[3, "received_date"] = po.loc[3, "order_date"] - pd.Timedelta(days=2)
    folder = _write(sample, tmp_path)
    po.to_parquet(folder / "purchase_orders.parquet", index=False)
    with pytest.raises(wb.DataError, match="received_date"):
        wd.replenishment(folder)


def test_on_a_local_cluster_of_two_processes_the_list_is_the_same(sample, sample_folder):
    with wd.local_cluster(n_workers=2, memory_limit="2GB") as client:
        got = wd.replenishment(sample_folder, client=client)
    _same(got, wb.replenishment(sample))


def test_workbench_plan_command_writes_the_replenishment_list(sample, sample_folder, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "plan", "--data", str(sample_folder),
         "--out", str(tmp_path / "plan"), "--replenishment", str(tmp_path / "repl"),
         "--workers", "1", "--memory-limit", "2GB"],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "replenishment [" in out.stderr
    want = wb.replenishment(sample)
    lines = pd.read_parquet(tmp_path / "repl" / "lines.parquet")
    drafts = pd.read_parquet(tmp_path / "repl" / "draft_orders.parquet")
    assert lines.index.tolist() == want.lines.index.tolist()
    pd.testing.assert_series_equal(lines["suggested_qty"], want.lines["suggested_qty"])
    pd.testing.assert_frame_equal(drafts, want.draft_orders, check_exact=False, rtol=1e-7)
