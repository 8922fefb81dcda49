"""Benchmark: supplier performance and the replenishment list at scale.

A synthetic business of N SKUs (default 100,000) bought from 200 suppliers, with a
year of purchase-order history (about 8 lines per SKU: ~800,000 lines, ~10 % still
open, ~15 % late), one lot on hand per SKU, weekly demand over the year (52 rows per
SKU) and a plan frame (reorder point, order-up-to, safety stock, daily demand) made
outside the timing (``wb.plan`` is measured by ``bench_plan.py``). Goals: each step
under 1 s. Measured, each with wall time, CPU time (the process's own, which a busy
machine inflates less than the wall time) and peak memory:

1. ``wb.supplier_performance`` (per supplier and per supplier x SKU);
2. ``wb.replenishment`` with the plan given (stock, open POs, rounding, dates,
   exceptions, draft POs), without and with price breaks (two per SKU).

Each step runs in a forked child process of a parent that has imported ``workbench``
but called nothing, twice: the **first call** (what a user waits for: lazy imports,
first use of caches and memory the process must fault in all count) and a **warm
call** (the same again). Before each call the child's high-water mark is reset
(``/proc/self/clear_refs``), so the peak resident memory is that call's own: reported
as the peak (VmHWM) and as the increase over the resident size at its start. The
machine's load average is printed with the figures (a loaded machine inflates the
wall time far more than the CPU time). The Dataset is built with the constructor (no
validation: the data is generated clean) outside the timing.

Usage::

    .venv/bin/python benchmarks/bench_replenishment.py            # 100,000 SKUs
    .venv/bin/python benchmarks/bench_replenishment.py 2000       # a quick run
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

END = pd.Timestamp("2026-12-31")
N_SUPPLIERS = 200
LINES_PER_SKU = 8


def make_business(n_skus: int, seed: int = 7) -> tuple[wb.Dataset, pd.DataFrame, pd.DataFrame]:
    """Dataset, plan frame and price breaks, vectorized."""
    rng = np.random.default_rng(seed)
    sku = pd.array([f"SKU-{i:06d}" for i in range(n_skus)], dtype="str")
    sup_ids = pd.array([f"V{i:03d}" for i in range(N_SUPPLIERS)], dtype="str")
    item_sup = rng.integers(0, N_SUPPLIERS, n_skus)
    lead = rng.integers(3, 30, n_skus).astype(float)
    cost = np.round(rng.lognormal(2.0, 1.0, n_skus), 2) + 0.5
    rate = rng.gamma(2.0, 1.0, n_skus)  # units/day
    items = pd.DataFrame(
        {
            "sku": sku,
            "name": sku,
            "inventory_type": pd.Categorical(
                np.where(rng.random(n_skus) < 0.5, "finished_good", "raw_material")
            ),
            "unit_cost": cost,
            "price": np.round(cost * rng.uniform(1.3, 3.0, n_skus), 2),
            "supplier_id": sup_ids[item_sup],
            "lead_time_days": lead,
            "lead_time_sd_days": 0.0,
            "order_cost": 50.0,
            "holding_cost_rate": 0.25,
            "min_order_qty": rng.choice([1.0, 10.0, 50.0], n_skus),
            "pack_size": rng.choice([1.0, 6.0, 12.0], n_skus),
        }
    )
    suppliers = pd.DataFrame(
        {
            "supplier_id": sup_ids,
            "name": sup_ids,
            "lead_time_days": rng.integers(3, 30, N_SUPPLIERS).astype(float),
        }
    )
    # purchase orders: LINES_PER_SKU a year per SKU, 3 lines per PO on average
    m = n_skus * LINES_PER_SKU
    line_item = np.repeat(np.arange(n_skus), LINES_PER_SKU)
    day = rng.integers(0, 365, m)
    order_date = END - pd.to_timedelta(364 - day, "D")
    promised = order_date + pd.to_timedelta(lead[line_item], "D")
    delay = np.where(rng.random(m) < 0.15, rng.geometric(0.3, m), -rng.integers(0, 2, m))
    received = (promised + pd.to_timedelta(delay, "D")).to_numpy()
    received = np.where(received > END.to_datetime64(), np.datetime64("NaT"), received)
    po = pd.DataFrame(
        {
            "po_id": pd.array(
                np.char.add("PO-", (np.arange(m) // 3).astype(str)).astype(object), dtype="str"
            ),
            "sku": sku[line_item],
            "supplier_id": sup_ids[item_sup[line_item]],
            "order_date": order_date,
            "promised_date": promised,
            "received_date": pd.to_datetime(received),
            "quantity": np.ceil(rate[line_item] * 30),
            "unit_cost": cost[line_item],
        }
    )
    lots = pd.DataFrame(
        {
            "sku": sku,
            "lot_id": pd.array([f"L{i}" for i in range(n_skus)], dtype="str"),
            "received_date": END - pd.Timedelta(days=20),
            "quantity": np.floor(rate * rng.uniform(0, 40, n_skus)),
            "unit_cost": cost,
            "expiry_date": pd.NaT,
            "location": "main",
        }
    )
    weeks = pd.date_range(END - pd.Timedelta(days=7 * 51), periods=52, freq="7D")
    dead = rng.random(n_skus) < 0.03
    qty = rng.poisson(np.repeat(rate * 7, 52)).astype(float)
    qty[np.repeat(dead, 52) & (np.tile(np.arange(52), n_skus) > 20)] = 0.0
    demand = pd.DataFrame(
        {
            "date": np.tile(weeks.to_numpy(), n_skus),
            "sku": sku[np.repeat(np.arange(n_skus), 52)],
            "quantity": qty,
        }
    )
    ds = wb.Dataset(
        {
            "items": items,
            "demand": demand,
            "lots": lots,
            "suppliers": suppliers,
            "purchase_orders": po,
        },
        frequency="W",
    )
    s = np.round(rate * (lead + 5), 1)
    q = np.ceil(rate * 30)
    plan = pd.DataFrame(
        {
            "reorder_point": s,
            "order_up_to": s + q,
            "safety_stock": rate * 5,
            "daily_mean": rate,
            "annual_demand": rate * 365,
            "lead_time_days": lead,
            "review_period_days": 1.0,
            "order_cost": 50.0,
            "abc": pd.Categorical(rng.choice(["A", "B", "C"], n_skus)),
        },
        index=pd.Index(np.asarray(sku, dtype=object), name="sku"),
    )
    breaks = pd.DataFrame(
        {
            "sku": np.repeat(np.asarray(sku, dtype=object), 2),
            "min_qty": np.column_stack([q * 2, q * 5]).ravel(),
            "unit_cost": np.column_stack([cost * 0.97, cost * 0.93]).ravel(),
        }
    )
    return ds, plan, breaks


def _status_mib(key: str = "VmRSS") -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _rss_mib() -> float:
    return _status_mib("VmRSS")


def _timed(func, args, kwargs) -> tuple[object, dict]:
    try:  # reset the high-water mark (Linux), so the peak is this call's
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    start_rss = _rss_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    result = func(*args, **kwargs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _status_mib("VmHWM")
    if peak != peak:  # no /proc: fall back to getrusage
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result, {"wall": wall, "cpu": cpu, "peak": peak, "start": start_rss}


def measure(label: str, func, *args, report=None, **kwargs) -> dict:
    """Run ``func`` twice in a forked child (first and warm call); print wall and CPU
    time and peak memory of each; return the figures."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        result, first = _timed(func, args, kwargs)
        del result
        result, warm = _timed(func, args, kwargs)
        text = report(result) if report else ""
        with os.fdopen(write_end, "w") as out:
            json.dump({"first": first, "warm": warm, "text": text}, out)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as inp:
        data = json.load(inp)
    os.waitpid(pid, 0)
    load = os.getloadavg()[0]
    for call in ("first", "warm"):
        d = data[call]
        print(
            f"{label:<30s} {call:<5s} {d['wall']:6.2f} s wall {d['cpu']:6.2f} s CPU   "
            f"peak {d['peak']:8,.0f} MiB (+{d['peak'] - d['start']:,.0f} over the start "
            f"of the call)   load {load:.1f}"
        )
    if data["text"]:
        print(data["text"])
    return data


def _perf_report(perf) -> str:
    s = perf.by_supplier
    return (
        f"    {len(s)} suppliers, {len(perf.by_supplier_sku):,} supplier x SKU rows; "
        f"median on-time by units {s['on_time_rate_qty'].median():.1%}, "
        f"{int(s['overdue_lines'].sum()):,} overdue lines"
    )


def _repl_report(res) -> str:
    r = res.lines
    counts = r["exception"].value_counts()
    return (
        f"    {int(r['order_now'].sum()):,} SKUs to order, {len(res.draft_orders)} draft POs "
        f"${res.draft_orders['value'].sum():,.0f}; exceptions "
        + ", ".join(f"{k or 'none'} {v:,}" for k, v in counts.items())
    )


def main(n_skus: int) -> None:
    t0 = time.perf_counter()
    ds, plan, breaks = make_business(n_skus)
    print(
        f"{n_skus:,} SKUs, {len(ds.purchase_orders):,} PO lines, {len(ds.demand):,} demand "
        f"rows: built in {time.perf_counter() - t0:.1f} s, RSS {_rss_mib():,.0f} MiB"
    )
    measure("supplier_performance", wb.supplier_performance, ds, report=_perf_report)
    measure("replenishment (plan given)", wb.replenishment, ds, plan=plan, report=_repl_report)
    measure(
        "replenishment + price breaks",
        wb.replenishment,
        ds,
        plan=plan,
        price_breaks=breaks,
        report=_repl_report,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
