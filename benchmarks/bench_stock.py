"""Benchmark: FIFO lot consumption, valuation and the weekly review at scale.

A synthetic business of N SKUs (default 100,000) with 10 lots each, received
over the year before the period at rising unit costs, and a year of daily
demand (Poisson, about two thirds of days with a sale) that uses about 80 % of
the stock. Measured, each with wall time and peak memory:

1. ``wb.consume_lots`` (FIFO) of every issue against every lot;
2. ``wb.compare_valuation`` (FIFO, weighted average, LIFO) of the year;
3. ``wb.weekly_review`` of the same business (Dataset built outside the timing).

Each step runs in a forked child process, so its peak resident memory is its
own: reported as the peak and as the increase over the resident size at the
start of the step (the business itself is already in memory).

Usage::

    .venv/bin/python benchmarks/bench_stock.py            # 100,000 SKUs
    .venv/bin/python benchmarks/bench_stock.py 2000       # a quick run
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

import numpy as np
import pandas as pd

import workbench as wb

LOTS_PER_SKU = 10
START = pd.Timestamp("2026-01-01")
DAYS = 365


def make_business(n_skus: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Items, lots (10 per SKU) and a year of daily demand, vectorized."""
    rng = np.random.default_rng(seed)
    sku = np.array([f"SKU-{i:06d}" for i in range(n_skus)], dtype=object)
    cost = np.round(rng.lognormal(2.0, 1.0, n_skus), 2) + 0.5
    rate = rng.gamma(2.0, 1.0, n_skus)  # units/day
    kinds = np.array(["finished_good", "raw_material", "wip", "mro"], dtype=object)
    items = pd.DataFrame(
        {
            "sku": pd.array(sku, dtype="str"),
            "inventory_type": kinds[rng.integers(0, 4, n_skus)],
            "unit_cost": cost,
            "price": np.round(cost * rng.uniform(1.3, 3.0, n_skus), 2),
            "holding_cost_rate": 0.25,
            "lead_time_days": rng.integers(3, 30, n_skus).astype(float),
        }
    )
    # lots: received over the 360 days before the period, costs rising 5 % a year
    lot_item = np.repeat(np.arange(n_skus), LOTS_PER_SKU)
    offset = np.sort(rng.integers(1, 361, (n_skus, LOTS_PER_SKU)), axis=1)[:, ::-1].ravel()
    yearly_need = rate * DAYS / 0.8  # demand uses about 80 % of the stock
    lot_qty = np.ceil(yearly_need[lot_item] / LOTS_PER_SKU * rng.uniform(0.5, 1.5, len(lot_item)))
    lot_cost = np.round(cost[lot_item] * (1 - 0.05 * offset / 365), 4)
    lots = pd.DataFrame(
        {
            "sku": pd.array(sku[lot_item], dtype="str"),
            "lot_id": pd.array(
                np.char.add("L", np.arange(len(lot_item)).astype(str)).astype(object), dtype="str"
            ),
            "received_date": START - pd.to_timedelta(offset, "D"),
            "quantity": lot_qty,
            "unit_cost": lot_cost,
            "location": "MAIN",
        }
    )
    # demand: Poisson per SKU and day, zero days dropped
    qty = rng.poisson(rate[:, None], (n_skus, DAYS)).astype(np.float64)
    item_idx, day_idx = np.nonzero(qty)
    demand = pd.DataFrame(
        {
            "date": START + pd.to_timedelta(day_idx, "D"),
            "sku": pd.array(sku[item_idx], dtype="str"),
            "quantity": qty[item_idx, day_idx],
        }
    )
    return {"items": items, "lots": lots, "demand": demand}


def _rss_mib() -> float:
    """Current resident memory of this process [MiB]."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(label: str, func, *args, report=None, **kwargs) -> float:
    """Run ``func`` in a forked child; print wall time and peak memory; return the time.

    ``report(result)`` returns extra lines to print about the result.
    """
    start_rss = _rss_mib()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        t0 = time.perf_counter()
        result = func(*args, **kwargs)
        wall = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        text = report(result) if report else ""
        with os.fdopen(write_end, "w") as out:
            json.dump({"wall": wall, "peak": peak, "text": text}, out)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as inp:
        data = json.load(inp)
    os.waitpid(pid, 0)
    print(
        f"{label:<40s} {data['wall']:8.2f} s   peak {data['peak']:8,.0f} MiB "
        f"(+{data['peak'] - start_rss:,.0f})"
    )
    if data["text"]:
        print(data["text"])
    return data["wall"]


def _fifo_report(result) -> str:
    return (
        f"    {len(result.allocations):,} allocation rows, {len(result.remaining):,} lots "
        f"left, {len(result.cogs):,} SKU-month COGS rows"
    )


def _valuation_report(cmp) -> str:
    t = cmp.by_sku
    gap = t["opening_value"] + t["purchases_value"] - t["cogs"] - t["closing_value"]
    table = cmp.totals[["cogs", "closing_value"]].round(0).to_string()
    return (
        f"    invariant: max |opening + purchases - COGS - closing| = ${gap.abs().max():.2e}\n"
        + "    "
        + table.replace("\n", "\n    ")
    )


def _review_report(review) -> str:
    h = review.headline
    return (
        f"    stock value ${h['stock value [$]']:,.0f}, turnover "
        f"{h['turnover [turns/year]']:.2f}, {h['stockout incidents']:,.0f} stockout incidents"
    )


def main(argv: list[str]) -> None:
    n_skus = int(argv[1]) if len(argv) > 1 else 100_000
    t0 = time.perf_counter()
    tables = make_business(n_skus)
    lots, demand = tables["lots"], tables["demand"]
    print(
        f"{n_skus:,} SKUs, {len(lots):,} lots, {len(demand):,} demand rows "
        f"(generated in {time.perf_counter() - t0:.1f} s)"
    )
    print(f"resident memory with the business loaded: {_rss_mib():,.0f} MiB")
    print("-" * 78)
    t_fifo = measure(
        "consume_lots (FIFO), every issue", wb.consume_lots, lots, demand, report=_fifo_report
    )
    purchases = lots.rename(columns={"received_date": "date"})
    t_val = measure(
        "compare_valuation (FIFO, average, LIFO)",
        wb.compare_valuation,
        purchases,
        demand,
        report=_valuation_report,
    )
    t0 = time.perf_counter()
    ds = wb.Dataset.from_tables(tables, source="benchmark")
    print(f"{'(Dataset.from_tables, not in the review)':<40s} {time.perf_counter() - t0:8.2f} s")
    t_rev = measure("weekly_review", wb.weekly_review, ds, report=_review_report)
    rows = len(lots) + len(demand)
    print("-" * 78)
    print(
        f"FIFO: {rows / t_fifo / 1e6:.2f} M lots+issues a second; valuation of three methods "
        f"{t_val / t_fifo:.1f}x the FIFO time; review {t_rev / t_fifo:.1f}x"
    )


if __name__ == "__main__":
    main(sys.argv)
