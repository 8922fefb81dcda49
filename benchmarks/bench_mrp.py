"""Benchmark: a full MRP regeneration at scale.

A synthetic business of N items (default 10,000) in a four-level BOM: 10 % finished
goods, 20 % level-1 subassemblies, 30 % level-2 parts and 40 % level-3 raw materials.
Every parent has three components on the next level and one two levels down (so low-level
codes matter: a part is used at two levels), every component has a parent. The master
production schedule gives every finished good a quantity in each of 52 weekly buckets;
each item has a lot on hand, a tenth of the raw materials an open purchase order. Goal:
a full regeneration of the 52-week plan (explosion, netting, lot sizing, planned
orders, actions, pegging) in under 2 s, with lot-for-lot and with Wagner-Whitin on
every item.

Measured: wall time (best of three runs) and CPU time of ``wb.mrp``, and the peak of
the memory numpy and pandas allocate during one run (``tracemalloc``, a separate run,
since tracing slows allocation). The Dataset is built with the constructor (clean,
generated data: no validation) outside the timing.

Usage::

    .venv/bin/python benchmarks/bench_mrp.py            # 10,000 items
    .venv/bin/python benchmarks/bench_mrp.py 2000       # a quick run
    .venv/bin/python benchmarks/bench_mrp.py --sample   # the sample business's plan

``--sample`` prints how meaningful the plan of ``sample_data/`` is: planned orders and
how many are past due (by inventory type), with and without its open production orders,
with lead times offset to the nearest week (the default) and rounded up.
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

import workbench as wb

AS_OF = pd.Timestamp("2026-12-27")  # a Sunday: 52 buckets from Monday 2026-12-28
WEEKS = 52
SHARES = (0.1, 0.2, 0.3, 0.4)  # items per BOM level, level 0 = finished goods
GOAL_S = 2.0


def make_business(n_items: int, seed: int = 13) -> wb.Dataset:
    """A four-level business, vectorised."""
    rng = np.random.default_rng(seed)
    counts = np.floor(np.array(SHARES) * n_items).astype(int)
    counts[-1] = n_items - counts[:-1].sum()
    level = np.repeat(np.arange(4), counts)
    first = np.r_[0, np.cumsum(counts)]
    sku = np.array([f"I{i:06d}" for i in range(n_items)], dtype=object)
    kinds = np.array(["finished_good", "wip", "wip", "raw_material"])[level]
    # edges: each parent of level L gets 3 components of level L + 1 and one of L + 2;
    # component j of level L+1 also gets the parent (j mod parents) so nobody is orphaned
    par, comp = [], []
    for lv in range(3):
        p = np.arange(first[lv], first[lv + 1])
        kids = rng.integers(first[lv + 1], first[lv + 2], (len(p), 3))
        par.append(np.repeat(p, 3))
        comp.append(kids.ravel())
        c = np.arange(first[lv + 1], first[lv + 2])
        par.append(first[lv] + (c - first[lv + 1]) % counts[lv])
        comp.append(c)
        if lv < 2:
            par.append(p)
            comp.append(rng.integers(first[lv + 2], first[lv + 3], len(p)))
    par, comp = np.concatenate(par), np.concatenate(comp)
    key = np.unique(par.astype(np.int64) * n_items + comp)
    par, comp = key // n_items, key % n_items
    bom = pd.DataFrame(
        {
            "parent_sku": sku[par],
            "component_sku": sku[comp],
            "quantity_per": rng.choice([1.0, 2.0, 4.0], len(par)),
            "scrap_rate": rng.choice([0.0, 0.0, 0.02, 0.05], len(par)),
        }
    )
    cost = np.round(rng.lognormal(1.5, 0.8, n_items), 2) + 0.1
    items = pd.DataFrame(
        {
            "sku": sku,
            "name": sku,
            "inventory_type": kinds,
            "unit_cost": cost,
            "supplier_id": np.where(level == 3, "V1", None),
            "lead_time_days": rng.choice([0.0, 7.0, 14.0, 21.0], n_items),
            "lead_time_sd_days": 0.0,
            "order_cost": rng.uniform(20, 200, n_items),
            "holding_cost_rate": 0.25,
            "min_order_qty": 0.0,
            "pack_size": rng.choice([1.0, 1.0, 5.0, 10.0], n_items),
            "current_order_quantity": np.nan,
        }
    )
    fg = np.flatnonzero(level == 0)
    weeks = AS_OF + pd.to_timedelta(1 + 7 * np.arange(WEEKS), "D")
    schedule = pd.DataFrame(
        {
            "sku": np.repeat(sku[fg], WEEKS),
            "period_start": np.tile(weeks.to_numpy(), len(fg)),
            "quantity": rng.poisson(20.0, len(fg) * WEEKS).astype(float),
        }
    )
    lots = pd.DataFrame(
        {
            "sku": sku,
            "lot_id": np.array([f"L{i}" for i in range(n_items)], dtype=object),
            "received_date": AS_OF - pd.Timedelta(days=10),
            "quantity": rng.integers(0, 200, n_items).astype(float),
            "expiry_date": pd.NaT,
        }
    )
    raw = np.flatnonzero(level == 3)
    open_ = rng.choice(raw, size=max(1, len(raw) // 10), replace=False)
    po = pd.DataFrame(
        {
            "po_id": np.array([f"PO{i}" for i in range(len(open_))], dtype=object),
            "sku": sku[open_],
            "supplier_id": "V1",
            "order_date": AS_OF - pd.Timedelta(days=5),
            "promised_date": AS_OF + pd.to_timedelta(rng.integers(1, 60, len(open_)), "D"),
            "received_date": pd.NaT,
            "quantity": rng.integers(50, 500, len(open_)).astype(float),
        }
    )
    demand = pd.DataFrame({"date": [AS_OF], "sku": [sku[0]], "quantity": [1.0]})
    return wb.Dataset(
        {
            "items": items,
            "demand": demand,
            "bom": bom,
            "schedule": schedule,
            "lots": lots,
            "purchase_orders": po,
        },
        frequency="W",
    )


def run(ds: wb.Dataset, method: str) -> tuple[float, float, float, wb.MRPResult]:
    """Best wall time and its CPU time of three runs, and the traced peak [MiB]."""
    best, cpu, res = np.inf, np.nan, None
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        res = wb.mrp(ds, horizon=WEEKS, as_of=AS_OF, lot_sizing=method)
        wall = time.perf_counter() - t0
        if wall < best:
            best, cpu = wall, time.process_time() - c0
    tracemalloc.start()
    wb.mrp(ds, horizon=WEEKS, as_of=AS_OF, lot_sizing=method)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, cpu, peak, res


def main(n_items: int = 10_000) -> None:
    ds = make_business(n_items)
    print(
        f"MRP regeneration: {n_items:,} items, {len(ds.bom):,} BOM lines (4 levels), "
        f"{WEEKS} weekly buckets, {len(ds.schedule):,} schedule rows"
    )
    wb.mrp(ds, horizon=4, as_of=AS_OF)  # warm-up (imports)
    methods = ["lot_for_lot", "wagner_whitin"]
    for method in methods:
        try:
            wb.mrp(ds, horizon=4, as_of=AS_OF, lot_sizing=method)  # compile the kernels
        except ValueError as exc:
            print(f"  {method:14s} not available here: {exc}")
            continue
        wall, cpu, peak, res = run(ds, method)
        print(
            f"  {method:14s} {wall:6.2f} s wall ({cpu:5.2f} s CPU), goal {GOAL_S:.0f} s: "
            f"{wall / GOAL_S:4.2f} x the goal; {wall / n_items * 1e6:6.1f} us/item; "
            f"peak traced memory {peak:6.0f} MiB; {len(res.planned_orders):,} planned "
            f"orders, {len(res.records):,} record rows, {len(res.pegging):,} pegging rows"
        )


def sample_plan(folder: str = "sample_data") -> None:
    """Past-due planned orders of the sample business's default plan (26 weeks)."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / folder
    ds = wb.load_dataset(path)
    types = ds.items.set_index("sku")["inventory_type"].astype(str)
    without = wb.Dataset(
        {k: v for k, v in ds.tables.items() if k != "production_orders"},
        frequency=ds.demand_frequency,
    )
    n_prod = 0 if ds.production_orders is None else len(ds.production_orders)
    print(f"Sample business plan ({path.name}, {n_prod} open production orders), 26 weeks")
    for label, data in (("with production orders", ds), ("without them", without)):
        for rounding in ("nearest", "up"):
            res = wb.mrp(data, lead_time_rounding=rounding)
            po = res.planned_orders
            late = po[po["past_due"]]
            by = late["sku"].astype(str).map(types).value_counts().to_dict()
            print(
                f"  {label:23s} lead times {rounding:7s}: {len(po):5,} planned orders, "
                f"{len(late):4,} past due ({100 * len(late) / max(len(po), 1):4.1f} %) {by}"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--sample"]:
        sample_plan()
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
