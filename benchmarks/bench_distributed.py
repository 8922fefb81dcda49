"""Benchmark: the out-of-core plan on Dask against the in-memory plan (issue 18).

Writes a generated catalog (all four demand classes; each SKU's history spread over
several files) as partitioned Parquet, then on a LocalCluster of worker processes with a
memory limit each: reads it (check, shuffle by SKU, stage), computes the demand
statistics and plans every SKU (``workbench.distributed.plan``, writing Parquet). The
in-memory path (load the same files, ``wb.plan``) runs on the largest size given with
``--in-memory-skus`` for the ratio.

Usage::

    python benchmarks/bench_distributed.py                  # 200,000 SKUs x 730 days
    python benchmarks/bench_distributed.py --skus 20000 --in-memory-skus 20000
    python benchmarks/bench_distributed.py --quick          # 5,000 x 120, for a smoke run
    python benchmarks/bench_distributed.py --skus 20000 --days 365 --in-memory-skus 20000 \
        --simulate 365                                      # and the plan simulated a year

Prints wall and CPU seconds, peak memory per worker [MiB] and the Dask / in-memory ratio.
With ``--simulate DAYS`` the plan is also simulated (``workbench.distributed.simulate``
against ``wb.simulate``, demand resampled from each SKU's history, DAYS days).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

import workbench as wb
from workbench import distributed as wd


def _peak_rss_mib() -> float:
    """Peak resident memory of this process [MiB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_memory(root: Path, scenario: wb.Scenario, sim_days: int = 0) -> tuple[float, ...]:
    """Wall and CPU seconds to load the catalog's files and plan it, peak MiB, and the
    wall and CPU seconds of simulating the plan ``sim_days`` days (0, 0 without)."""
    import subprocess
    import sys

    code = f"""
import time, resource, pandas as pd, workbench as wb
from pathlib import Path
root = Path({str(root)!r})
t0, c0 = time.perf_counter(), time.process_time()
demand = pd.concat(pd.read_parquet(f) for f in sorted((root / "demand").iterdir()))
ds = wb.Dataset.from_tables({{"items": pd.read_parquet(root / "items.parquet"), "demand": demand}})
p = wb.plan(ds, wb.Scenario.from_json({scenario.to_json(indent=None)!r}))
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
t1, c1 = time.perf_counter(), time.process_time()
if {sim_days}:
    wb.simulate(ds, policy="plan", plan=p, days={sim_days}, demand_model="bootstrap", rng=0,
                progress=False)
print(wall, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
      time.perf_counter() - t1, time.process_time() - c1)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return tuple(float(x) for x in out.stdout.split()[-5:])


def _dask(
    root: Path,
    scenario: wb.Scenario,
    workers: int,
    memory_limit: str,
    parts: int | None,
    sim_days: int = 0,
):
    out = root.parent / (root.name + "-plan")
    with wd.local_cluster(n_workers=workers, memory_limit=memory_limit) as client:
        client.run(lambda: None)
        t0 = time.perf_counter()
        cat = wd.read_catalog(root, npartitions=parts, staging=root.parent / "staging")
        t_read = time.perf_counter() - t0
        t1 = time.perf_counter()
        wd.plan(cat, scenario, out=out)
        t_plan = time.perf_counter() - t1
        t_sim = 0.0
        if sim_days:
            plan = pd.concat(pd.read_parquet(f) for f in sorted(out.glob("part.*.parquet")))
            cpu0 = client.run(time.process_time)
            t2 = time.perf_counter()
            wd.simulate(cat, plan=plan, days=sim_days, demand_model="bootstrap", rng=0)
            t_sim = time.perf_counter() - t2
            cpu1 = client.run(time.process_time)
            t_sim_cpu = sum(cpu1.values()) - sum(cpu0.values())
            print(f"  dask: simulate {sim_days} days {t_sim:.1f} s wall, worker CPU "
                  f"{t_sim_cpu:.1f} s")  # fmt: skip
        peaks = client.run(_peak_rss_mib)
        cpu = client.run(time.process_time)
    return t_read, t_plan, cat.npartitions, peaks, cpu, t_sim


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skus", type=int, default=200_000)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--files", type=int, default=24, help="demand files (e.g. one a month)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--partitions", type=int, default=None)
    ap.add_argument("--in-memory-skus", type=int, default=20_000)
    ap.add_argument("--quick", action="store_true", help="5,000 SKUs x 120 days")
    ap.add_argument(
        "--simulate", type=int, default=0, metavar="DAYS", help="also simulate the plan DAYS days"
    )
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp dir)")
    args = ap.parse_args()
    if args.quick:
        args.skus, args.days, args.files, args.in_memory_skus = 5_000, 120, 4, 5_000
    scenario = wb.Scenario()
    work = args.dir or Path(tempfile.mkdtemp(prefix="bench-distributed-"))
    try:
        sizes = (
            [args.skus]
            if args.in_memory_skus in (0, args.skus)
            else [args.in_memory_skus, args.skus]
        )
        print(f"LocalCluster: {args.workers} worker processes, {args.memory_limit} each")
        for n in sizes:
            root = work / f"catalog-{n}"
            t0 = time.perf_counter()
            wd.write_synthetic_catalog(root, n, args.days, files=args.files, seed=1)
            rows = sum(
                len(pd.read_parquet(f, columns=["sku"])) for f in (root / "demand").iterdir()
            )
            print(f"\n{n:,} SKUs x {args.days} days: {rows:,} demand rows in {args.files} files "
                  f"(written in {time.perf_counter() - t0:.1f} s)")  # fmt: skip
            t_read, t_plan, parts, peaks, cpu, t_sim = _dask(
                root, scenario, args.workers, args.memory_limit, args.partitions, args.simulate
            )
            total = t_read + t_plan
            print(f"  dask: read+shuffle+stage {t_read:.1f} s, stats+plan {t_plan:.1f} s, "
                  f"total {total:.1f} s wall, {parts} partitions; worker CPU "
                  f"{sum(cpu.values()):.1f} s")  # fmt: skip
            for w, peak in sorted(peaks.items()):
                print(f"    peak memory {peak:,.0f} MiB  ({w})")
            if n == args.in_memory_skus:
                wall, cpu_mem, peak, sim_wall, sim_cpu = _in_memory(root, scenario, args.simulate)
                print(f"  in memory: load + wb.plan {wall:.1f} s wall, {cpu_mem:.1f} s CPU, "
                      f"peak {peak:,.0f} MiB")  # fmt: skip
                print(f"  ratio dask / in-memory (wall): {total / wall:.2f}x  (goal <= 3x)")
                if args.simulate:
                    print(f"  in memory: wb.simulate {args.simulate} days {sim_wall:.1f} s "
                          f"wall, {sim_cpu:.1f} s CPU; ratio dask / in-memory (wall) "
                          f"{t_sim / sim_wall:.2f}x")  # fmt: skip
            shutil.rmtree(root.parent / "staging", ignore_errors=True)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
