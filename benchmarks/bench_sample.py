"""Benchmark the sample-business generator at 250, 10,000 and 100,000 SKUs.

Each case runs in a fresh Python process so that its peak memory is its own. For each
size it measures

1. ``sample_tables(n_skus, years)``: the generation alone (numpy over SKUs x days),
2. ``Dataset.from_tables(...)``: the validation and coercion that ``sample_dataset`` adds,

and prints wall time (and the child's CPU time, which the other engineers' load on the
shared cores does not inflate), demand rows, rows per second and the peak resident memory of the
child (Linux VmHWM, else ``ru_maxrss``) over the memory in use after the imports.
The brief's target: 100,000 SKUs x 1 year "in well under a minute". Run::

    .venv/bin/python benchmarks/bench_sample.py             # 250 x 2 y, 10k x 2 y, 100k x 1 y
    .venv/bin/python benchmarks/bench_sample.py --quick     # 250 and 10k only
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

CASES = [(250, 2), (10_000, 2), (100_000, 1)]


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _peak_mb() -> float:
    hwm = _status_mb("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(n_skus: int, years: int) -> dict:
    from workbench.data import Dataset
    from workbench.data.sample import sample_tables

    base = _status_mb("VmRSS") or _peak_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    tables = sample_tables(n_skus=n_skus, years=years, seed=2026)
    t1, c1 = time.perf_counter(), time.process_time()
    peak_gen = _peak_mb()
    Dataset.from_tables(tables, source="bench")
    t2 = time.perf_counter()
    return {
        "n_skus": n_skus,
        "years": years,
        "rows": len(tables["demand"]),
        "generate_s": t1 - t0,
        "generate_cpu_s": c1 - c0,
        "from_tables_s": t2 - t1,
        "peak_generate_mb": peak_gen - base,
        "peak_total_mb": _peak_mb() - base,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-SKU case")
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return
    cases = CASES[:2] if args.quick else CASES
    print("sample_dataset benchmark (each case in a fresh process; 2 shared cores: noisy)")
    header = (
        f"{'SKUs':>8} {'years':>5} {'demand rows':>12} {'generate s':>10} {'cpu s':>6} "
        f"{'rows/s':>11} {'peak MB':>8} {'+from_tables s':>14} {'peak MB':>8}"
    )
    print(header)
    results = []
    for n, y in cases:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n), str(y)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print(
            f"{r['n_skus']:>8,} {r['years']:>5} {r['rows']:>12,} {r['generate_s']:>10.2f} "
            f"{r['generate_cpu_s']:>6.2f} "
            f"{r['rows'] / r['generate_s']:>11,.0f} {r['peak_generate_mb']:>8.0f} "
            f"{r['from_tables_s']:>14.2f} {r['peak_total_mb']:>8.0f}"
        )
    if len(results) >= 2:
        a, b = results[0], results[-1]
        cells = (b["n_skus"] * b["years"]) / (a["n_skus"] * a["years"])
        print(
            f"scaling {a['n_skus']:,} -> {b['n_skus']:,} SKUs: {cells:,.0f}x SKU-days, "
            f"{b['generate_s'] / a['generate_s']:,.0f}x generation time"
        )


if __name__ == "__main__":
    main()
