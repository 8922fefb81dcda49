"""Benchmark the data layer: loading big demand tables and demand_stats.

Measures, each in a fresh Python process so that peak memory is its own:

1. ``load_dataset`` on a folder with a ROWS-row ``demand.parquet`` (default 10 million),
2. ``load_dataset`` on a folder with a ROWS/10-row ``demand.csv`` (default 1 million),
3. ``demand_stats`` on a ROWS-row demand table already in memory,

and, as references, plain ``pandas.read_parquet`` / ``pandas.read_csv(engine="pyarrow")``
on the same files, so the cost of validation shows as a ratio.

Prints wall time, CPU time (user + system, all threads: steadier than wall time on a
shared machine), rows per second, peak resident memory of the child during the measured
call (Linux VmHWM, reset just before the call; elsewhere ``ru_maxrss``) and its increase
over the memory in use just before the call (after imports and, for case 3, after building
the table). Run::

    .venv/bin/python benchmarks/bench_data.py            # 10 M / 1 M rows
    .venv/bin/python benchmarks/bench_data.py 1000000    # a quick run: 1 M / 100 k rows
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_SKUS = 10_000


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _reset_peak() -> float:
    """Reset the peak-RSS counter (Linux) and return the current RSS in MB."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    now = _status_mb("VmRSS")
    return now if now is not None else _peak_mb()


def _peak_mb() -> float:
    """Peak RSS in MB since the last reset (VmHWM), else the process's ru_maxrss."""
    hwm = _status_mb("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_demand(rows: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items and a demand table of about ``rows`` rows: N_SKUS SKUs over rows/N_SKUS days."""
    rng = np.random.default_rng(seed)
    n_skus = min(N_SKUS, max(rows // 100, 1))
    days = int(np.ceil(rows / n_skus))
    skus = np.array([f"SKU-{i:06d}" for i in range(n_skus)])
    items = pd.DataFrame(
        {
            "sku": skus,
            "inventory_type": "finished_good",
            "unit_cost": np.round(rng.lognormal(1.5, 1.0, n_skus), 2),
        }
    )
    dates = pd.date_range("2020-01-01", periods=days).to_numpy()
    idx = np.arange(n_skus * days)[:rows]
    demand = pd.DataFrame(
        {
            "date": dates[idx % days],
            "sku": pd.array(skus[idx // days], dtype="str"),
            "quantity": rng.poisson(3.0, rows).astype(float),
        }
    )
    return items, demand


def _child(case: str, folder: str, rows: int) -> None:
    import workbench as wb

    if case == "stats":
        items, demand = make_demand(rows)
        ds = wb.Dataset({"items": items, "demand": demand})
        base = _reset_peak()
        c0, t0 = _cpu(), time.perf_counter()
        out = wb.demand_stats(ds)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        n = len(demand)
        assert len(out) == len(items)
    elif case.startswith("raw-"):  # reference: pandas alone, no validation
        path = Path(folder) / ("demand.parquet" if case == "raw-parquet" else "demand.csv")
        base = _reset_peak()
        c0, t0 = _cpu(), time.perf_counter()
        if case == "raw-parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, engine="pyarrow")
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        n = len(frame)
    else:
        base = _reset_peak()
        c0, t0 = _cpu(), time.perf_counter()
        ds = wb.load_dataset(folder)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        n = len(ds.demand)
    print(json.dumps({"wall": wall, "cpu": cpu, "peak": _peak_mb(), "base": base, "rows": n}))


def _run(case: str, folder: Path, rows: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", case, str(folder), str(rows)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "rows",
        nargs="?",
        type=int,
        default=10_000_000,
        help="demand rows for Parquet and demand_stats (CSV gets rows/10)",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, folder, rows = args.child
        _child(case, folder, int(rows))
        return

    rows = args.rows
    print(f"bench_data: {rows:,} rows (Parquet, demand_stats), {rows // 10:,} rows (CSV)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        items, demand = make_demand(rows)
        (tmp / "pq").mkdir()
        items.to_csv(tmp / "pq" / "items.csv", index=False)
        demand.to_parquet(tmp / "pq" / "demand.parquet", index=False)
        items_c, demand_c = make_demand(rows // 10)
        (tmp / "csv").mkdir()
        items_c.to_csv(tmp / "csv" / "items.csv", index=False)
        demand_c.to_csv(tmp / "csv" / "demand.csv", index=False)
        del demand, demand_c
        size_pq = (tmp / "pq" / "demand.parquet").stat().st_size / 2**20
        size_csv = (tmp / "csv" / "demand.csv").stat().st_size / 2**20
        print(
            f"  (test files written in {time.perf_counter() - t0:.1f} s: "
            f"demand.parquet {size_pq:.0f} MB, demand.csv {size_csv:.0f} MB)"
        )
        print(
            f"  {'case':<34}{'rows':>12}{'wall s':>9}{'CPU s':>8}{'M rows/s':>10}"
            f"{'peak RSS MB':>13}{'+ over base':>13}"
        )
        results = {}
        for case, label, folder, n in [
            ("raw-parquet", "  reference: pandas.read_parquet", tmp / "pq", rows),
            ("parquet", "load_dataset, demand.parquet", tmp / "pq", rows),
            ("raw-csv", "  reference: read_csv(pyarrow)", tmp / "csv", rows // 10),
            ("csv", "load_dataset, demand.csv", tmp / "csv", rows // 10),
            ("stats", "demand_stats (in memory)", tmp, rows),
        ]:
            r = results[case] = _run(case, folder, n)
            print(
                f"  {label:<34}{r['rows']:>12,}{r['wall']:>9.2f}{r['cpu']:>8.2f}"
                f"{r['rows'] / r['wall'] / 1e6:>10.2f}{r['peak']:>13.0f}"
                f"{r['peak'] - r['base']:>13.0f}"
            )
        for kind in ("parquet", "csv"):
            ours, ref = results[kind], results[f"raw-{kind}"]
            print(
                f"  load_dataset / plain read ({kind}): CPU x{ours['cpu'] / ref['cpu']:.1f}, "
                f"wall x{ours['wall'] / ref['wall']:.1f} (validation and coercion overhead)"
            )


if __name__ == "__main__":
    main()
