"""Benchmark: do plans keep their promise? Planned against simulated service by class.

Run: ``.venv/bin/python benchmarks/bench_promise.py`` (``--quick``: the default
horizon only, no long runs; ``--skus`` for the generated business's size;
``--check-speed``: only ``plan_check``'s CPU and wall time on the generated business).

For the sample business (``wb.load_dataset("sample_data")``) and a generated
10,000-SKU business (``wb.sample_dataset(n_skus=10000, years=2)``, smooth, erratic,
intermittent and lumpy items), per ABC class and per demand class:

- mean planned fill rate and cycle service level against the simulated ones
  (:func:`workbench.plan_check`, demand resampled from each SKU's own history window,
  8 replications, each SKU simulated long enough that the class means' fill-rate
  and cycle-service standard errors are under 0.2 points where the time cap allows;
  demand class "none", SKUs with one sale or none, is left out of that rule), the gaps
  (simulated - planned, in points) and the share of SKUs outside 3 standard errors;
- the same gaps for the old normal-only plan (``Scenario(distribution="normal")``
  when the scenario has that field; otherwise the current plan is the normal-only
  one and its gaps are the same);
- ``plan_check``'s run time with default settings on the 10,000 SKUs (goal < 2 s wall
  on a quiet 2-core machine; CPU time printed too: the simulator and parts of the plan
  run on two threads).

Goals printed beside the figures: |fill-rate gap| <= 0.5 points and
|cycle-service gap| <= 1 point per class. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

import numpy as np
import pandas as pd

import workbench as wb

GOAL_FILL_PTS = 0.5
GOAL_CSL_PTS = 1.0
GOAL_SECONDS = 2.0
TARGET_SE_PTS = 0.2
MAX_SKU_DAYS = 200e6  # cap on one long check (some tens of seconds on a 2-core box)


def _has_distribution() -> bool:
    return "distribution" in {f.name for f in dataclasses.fields(wb.Scenario)}


def long_check(ds, plan, *, quick: bool, seed: int = 1) -> wb.PlanCheck:
    """plan_check long enough for class-mean SEs under 0.2 points, both measures (capped)."""
    pilot = wb.plan_check(ds, plan=plan, seed=seed, progress=False)
    if quick:
        return pilot
    c = pilot.classes
    # demand class "none" (no demand pattern: one sale or none in the window) is left out
    rows = (c["group"] != "all") & (c["class"] != "none")
    se = c.loc[rows, ["fill_rate_se", "cycle_service_se"]].to_numpy().max() * 100
    factor = max(1.0, (se / (0.95 * TARGET_SE_PTS)) ** 2)
    n, K = pilot.settings["skus_checked"], pilot.settings["replications"]
    horizon = int(pilot.settings["horizon_days"] * factor)
    horizon = int(min(horizon, MAX_SKU_DAYS / max(n * K, 1)))
    if horizon <= pilot.settings["horizon_days"]:
        return pilot
    return wb.plan_check(ds, plan=plan, seed=seed, horizon_days=horizon, progress=False)


def _pts(x: float) -> str:
    return "   n/a" if not np.isfinite(x) else f"{100 * x:+6.2f}"


def report(name: str, check: wb.PlanCheck, old: wb.PlanCheck | None, note: str) -> None:
    s = check.settings
    print(
        f"\n== {name}: {s['skus_checked']} SKUs checked ({s['skus_skipped']} skipped), "
        f"{s['replications']} x {s['horizon_days']} days after {s['warmup_days']} warm-up, "
        f"model {s['demand_model']!r}"
    )
    print(
        f"{'group':<13}{'class':<13}{'n':>6} | {'fill plan':>9}{'sim':>8}{'±SE':>6}"
        f"{'gap':>7} {'ok':>3} | {'CSL plan':>9}{'sim':>8}{'±SE':>6}{'gap':>7} {'ok':>3} |"
        f"{'>3SE':>6} | old plan gaps: fill    CSL"
    )
    old_c = None if old is None else old.classes.set_index(["group", "class"])
    for _, r in check.classes.iterrows():
        fill_ok = abs(r["fill_rate_gap"]) * 100 <= GOAL_FILL_PTS
        csl_ok = abs(r["cycle_service_gap"]) * 100 <= GOAL_CSL_PTS
        line = (
            f"{r['group']:<13}{r['class']:<13}{int(r['n_skus']):>6} | "
            f"{100 * r['planned_fill_rate']:8.2f}%{100 * r['simulated_fill_rate']:7.2f}%"
            f"{100 * r['fill_rate_se']:6.2f}{_pts(r['fill_rate_gap'])}"
            f" {'yes' if fill_ok else 'NO':>3}"
            f" | {100 * r['planned_cycle_service']:8.2f}%{100 * r['simulated_cycle_service']:7.2f}%"
            f"{100 * r['cycle_service_se']:6.2f}{_pts(r['cycle_service_gap'])}"
            f" {'yes' if csl_ok else 'NO':>3} |{100 * r['share_outside']:5.1f}% |"
        )
        if old_c is not None and (r["group"], r["class"]) in old_c.index:
            o = old_c.loc[(r["group"], r["class"])]
            line += f"       {_pts(o['fill_rate_gap'])} {_pts(o['cycle_service_gap'])}"
        print(line)
    k = check.skus
    gaps = ", ".join(
        f"{m} sd {100 * g.std():.2f} pts (5-95 %: {100 * g.quantile(0.05):+.2f}"
        f" to {100 * g.quantile(0.95):+.2f})"
        for m, g in ((m, k[f"{m}_gap"]) for m in ("fill_rate", "cycle_service"))
    )
    print(f"per-SKU gaps: {gaps}; outside 3 SE: {100 * (~k['within']).mean():.2f} % of {len(k)}")
    counts = check.reason_counts()
    if len(counts):
        print("outside 3 SE, by reason: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"goals: |fill gap| <= {GOAL_FILL_PTS} pts, |CSL gap| <= {GOAL_CSL_PTS} pt per class")
    print(note)


def business(name: str, ds, *, quick: bool) -> None:
    current = wb.plan(ds)
    t = time.perf_counter()
    check = long_check(ds, current, quick=quick)
    elapsed = time.perf_counter() - t
    if _has_distribution():
        old = long_check(ds, wb.plan(ds, wb.Scenario(distribution="normal")), quick=quick)
        note = "old plan: Scenario(distribution='normal')"
    else:
        old = check
        note = "old plan: the current plan (Scenario has no 'distribution' field yet)"
    report(name, check, old, f"{note}; long check took {elapsed:.1f} s")


def timing(ds, repeat: int) -> None:
    wb.plan_check(ds, replications=2, horizon_days=30, progress=False)  # kernel loaded
    times = []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        check = wb.plan_check(ds, progress=False)
        times.append((time.perf_counter() - t0, time.process_time() - c0))
    wall = min(t[0] for t in times)
    cpu = min(t[1] for t in times)
    s = check.settings
    # one run: the replications are its consecutive batches after one warm-up
    sku_days = s["skus_checked"] * (s["replications"] * s["horizon_days"] + s["warmup_days"])
    print(
        f"\nplan_check defaults on {len(ds.items):,} SKUs ({s['replications']} x "
        f"{s['horizon_days']} days after {s['warmup_days']} warm-up = {sku_days / 1e6:.1f} M "
        f"SKU-days): {wall:.2f} s wall, {cpu:.2f} s CPU (best of {repeat}); goal < "
        f"{GOAL_SECONDS:.0f} s: {'met' if wall < GOAL_SECONDS else 'NOT met'} on wall, "
        f"{'met' if cpu < GOAL_SECONDS else 'NOT met'} on CPU "
        f"({cpu / GOAL_SECONDS:.2f} x the goal), load {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="default horizon only, one repeat")
    ap.add_argument("--skus", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument(
        "--check-speed",
        action="store_true",
        help="only plan_check's run time on the generated business (CPU and wall)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="repeats of the timing")
    args = ap.parse_args()
    pd.set_option("display.width", 200)
    if args.check_speed:
        t = time.perf_counter()
        big = wb.sample_dataset(n_skus=args.skus, years=2, seed=args.seed)
        print(f"(generated {args.skus:,} SKUs x 2 years in {time.perf_counter() - t:.1f} s)")
        timing(big, args.repeat)
        return
    sample = wb.load_dataset("sample_data")
    business("sample business", sample, quick=args.quick)
    t = time.perf_counter()
    big = wb.sample_dataset(n_skus=args.skus, years=2, seed=args.seed)
    print(f"\n(generated {args.skus:,} SKUs x 2 years in {time.perf_counter() - t:.1f} s)")
    timing(big, 1 if args.quick else 3)
    business(f"generated business ({args.skus:,} SKUs, seed {args.seed})", big, quick=args.quick)


if __name__ == "__main__":
    main()
