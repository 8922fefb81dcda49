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

Prints wall and CPU seconds, peak memory per worker [MiB] and the Dask / in-memory ratio.
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


def _in_memory(root: Path, scenario: wb.Scenario) -> tuple[float, float, float]:
    """Wall and CPU seconds to load the catalog's files and plan it, and peak MiB."""
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
print(time.perf_counter() - t0, time.process_time() - c0,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall, cpu, peak = (float(x) for x in out.stdout.split()[-3:])
    return wall, cpu, peak


def _dask(root: Path, scenario: wb.Scenario, workers: int, memory_limit: str, parts: int | None):
    out = root.parent / (root.name + "-plan")
    with wd.local_cluster(n_workers=workers, memory_limit=memory_limit) as client:
        client.run(lambda: None)
        t0 = time.perf_counter()
        cat = wd.read_catalog(root, npartitions=parts, staging=root.parent / "staging")
        t_read = time.perf_counter() - t0
        t1 = time.perf_counter()
        wd.plan(cat, scenario, out=out)
        t_plan = time.perf_counter() - t1
        peaks = client.run(_peak_rss_mib)
        cpu = client.run(time.process_time)
    return t_read, t_plan, cat.npartitions, peaks, cpu


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
            t_read, t_plan, parts, peaks, cpu = _dask(
                root, scenario, args.workers, args.memory_limit, args.partitions
            )
            total = t_read + t_plan
            print(f"  dask: read+shuffle+stage {t_read:.1f} s, stats+plan {t_plan:.1f} s, "
                  f"total {total:.1f} s wall, {parts} partitions; worker CPU "
                  f"{sum(cpu.values()):.1f} s")  # fmt: skip
            for w, peak in sorted(peaks.items()):
                print(f"    peak memory {peak:,.0f} MiB  ({w})")
            if n == args.in_memory_skus:
                wall, cpu_mem, peak = _in_memory(root, scenario)
                print(f"  in memory: load + wb.plan {wall:.1f} s wall, {cpu_mem:.1f} s CPU, "
                      f"peak {peak:,.0f} MiB")  # fmt: skip
                print(f"  ratio dask / in-memory (wall): {total / wall:.2f}x  (goal <= 3x)")
            shutil.rmtree(root.parent / "staging", ignore_errors=True)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
