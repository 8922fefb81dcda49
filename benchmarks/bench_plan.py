"""Benchmark: the per-SKU plan (wb.plan_from_stats) on 1,000,000 synthetic SKUs.

Prints the wall time (best of a few runs) and the peak memory traced during one run,
then times the same computation written as a per-SKU Python loop calling scipy's scalar
functions on a sample of SKUs and prints the speed-up ratio.

Run: ``.venv/bin/python benchmarks/bench_plan.py [n_skus] [loop_sample]``
Goal (issue 3): under 1 second for 1,000,000 SKUs on the 2-core machine. Since the plan
became undershoot-aware (issue 11) the normal route solves for each SKU's reorder point
numerically and the "auto" route builds discrete distributions: both are far slower than
the closed-form plan this goal was set for (see the closing notes).
"""

from __future__ import annotations

import gc
import math
import os
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

import workbench as wb

N_SKUS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
LOOP_SAMPLE = int(sys.argv[2]) if len(sys.argv) > 2 else 300
REPEATS = 3


def synthetic(n: int, seed: int = 2026) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items and demand statistics for n SKUs: a long tail of demand, 5 % dead items."""
    rng = np.random.default_rng(seed)
    sku = pd.Index([f"S{i:07d}" for i in range(n)], dtype="str", name="sku")
    mu = rng.lognormal(0.0, 1.5, n)
    mu[rng.random(n) < 0.05] = 0.0
    cv = rng.uniform(0.2, 2.0, n)
    items = pd.DataFrame(
        {
            "sku": sku,
            "inventory_type": pd.Categorical(
                rng.choice(["raw_material", "wip", "finished_good", "mro"], n)
            ),
            "unit_cost": np.round(rng.lognormal(2.0, 1.0, n), 2),
            "lead_time_days": rng.integers(1, 30, n).astype(float),
            "lead_time_sd_days": rng.uniform(0, 3, n),
            "order_cost": rng.uniform(20, 150, n),
            "holding_cost_rate": rng.uniform(0.15, 0.35, n),
            "min_order_qty": rng.choice([1.0, 10.0, 50.0], n),
            "pack_size": rng.choice([1.0, 6.0, 12.0, 24.0], n),
            "service_level": np.where(rng.random(n) < 0.1, 0.99, np.nan),
        }
    )
    stats = pd.DataFrame(
        {
            "annual_demand": mu * 365,
            "daily_mean": mu,
            "daily_sd": mu * cv,
            "cv": np.where(mu > 0, cv, np.nan),
        },
        index=sku,
    )
    return items, stats


# ------------------------------------------------------------------ scalar reference


def plan_one(
    d, mu, sd, lt, lt_sd, c, s_cost, rate, moq, pack, target
) -> tuple[float, float, float]:
    """One SKU the way a per-SKU script would do it ((s, Q) reviewed daily, cycle service,
    normal demand): Q, safety stock and the undershoot-aware reorder point."""
    if d <= 0:
        return 0.0, 0.0, 0.0
    h = rate * c
    q_star = math.sqrt(2 * d * s_cost / h)
    q = math.ceil(max(q_star, moq) / pack * (1 - 1e-12)) * pack
    r = wb.periodic_reorder_point(
        mu, sd, order_quantity=q, lead_time_days=lt, lead_time_sd_days=lt_sd,
        review_period_days=1.0, service_level=target,
    )  # fmt: skip
    return q, float(r.safety_stock), float(r.reorder_point)


def scalar_loop(items: pd.DataFrame, stats: pd.DataFrame, targets: np.ndarray) -> np.ndarray:
    out = np.empty((len(items), 3))
    cols = [
        stats["annual_demand"].to_numpy(),
        stats["daily_mean"].to_numpy(),
        stats["daily_sd"].to_numpy(),
        items["lead_time_days"].to_numpy(),
        items["lead_time_sd_days"].to_numpy(),
        items["unit_cost"].to_numpy(),
        items["order_cost"].to_numpy(),
        items["holding_cost_rate"].to_numpy(),
        items["min_order_qty"].to_numpy(),
        items["pack_size"].to_numpy(),
        targets,
    ]
    for i, args in enumerate(zip(*cols, strict=True)):
        out[i] = plan_one(*(float(a) for a in args))
    return out


def main() -> None:
    print(
        f"workbench plan benchmark: {N_SKUS:,} SKUs, numpy {np.__version__}, "
        f"pandas {pd.__version__}"
    )
    t0 = time.perf_counter()
    items, stats = synthetic(N_SKUS)
    print(f"  synthetic data built in {time.perf_counter() - t0:.2f} s")
    scenario = wb.Scenario(distribution="normal")  # the loop below checks the normal route

    times, cpu = [], []
    for _ in range(REPEATS):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        p = wb.plan_from_stats(items, stats, scenario)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    best = min(times)
    print(
        f"  plan_from_stats: wall best {best:.3f} s of {REPEATS} "
        f"(runs: {', '.join(f'{t:.3f}' for t in times)}; the first one includes the "
        f"SKU-uniqueness check that pandas then caches), {best / N_SKUS * 1e9:.0f} ns/SKU"
    )
    print(
        f"  plan_from_stats: CPU time best {min(cpu):.3f} s (single-threaded NumPy: wall time "
        f"on an idle core is about this; the gap is other load on the machine, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); goal < 1 s"
    )
    t0 = time.perf_counter()
    summary = wb.plan_summary(p)
    print(
        f"  plan_summary: {time.perf_counter() - t0:.3f} s; "
        f"investment ${summary['investment']:,.0f}, fill rate {summary['fill_rate']:.4f}"
    )

    del p
    gc.collect()
    tracemalloc.start()
    p = wb.plan_from_stats(items, stats, scenario)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result_mb = p.memory_usage(deep=False).sum() / 2**20
    print(
        f"  peak memory traced during plan_from_stats: {peak / 2**20:,.0f} MiB "
        f"(the result itself: {result_mb:,.0f} MiB, {len(p.columns)} columns)"
    )

    # per-SKU loop on a sample, checked against the vectorized answer
    n = min(LOOP_SAMPLE, N_SKUS)
    sub_items, sub_stats = items.iloc[:n], stats.iloc[:n]
    targets = p["service_target"].to_numpy()[:n]
    t0 = time.perf_counter()
    ref = scalar_loop(sub_items, sub_stats, targets)
    loop = time.perf_counter() - t0
    got = p[["order_quantity", "safety_stock", "reorder_point"]]
    # the reorder point is a root found to the solver's tolerance, per SKU or vectorized
    np.testing.assert_allclose(got.to_numpy()[:n], ref, rtol=1e-6, atol=1e-6)
    per_sku = loop / n
    print(
        f"  per-SKU Python loop (scalar scipy) on {n:,} SKUs: {loop:.2f} s, "
        f"{per_sku * 1e6:.0f} us/SKU -> {per_sku * N_SKUS:,.0f} s for {N_SKUS:,} (extrapolated)"
    )
    print(
        f"  speed-up of the vectorized plan: {per_sku * N_SKUS / best:,.0f}x "
        "(same Q, SS and ROP to 1e-6)"
    )
    t0 = time.perf_counter()
    auto = wb.plan_from_stats(items, stats, wb.Scenario())
    print(
        f"  plan_from_stats with distribution='auto' (classes from the moments; gamma and "
        f"negative binomial pmfs): {time.perf_counter() - t0:.2f} s; "
        + ", ".join(f"{k}: {v:,}" for k, v in auto["distribution"].value_counts().items())
    )


if __name__ == "__main__":
    main()
