"""Benchmark lot sizing: every rule on many items' weekly net requirements.

Run: PYTHONPATH=src .venv/bin/python benchmarks/bench_lot_sizing.py [--items 10000]
     [--periods 52] [--loop-sample 200]

Prints, per rule, the wall and CPU time (best of 3, after a warm-up call that compiles
or loads the numba kernel) of one :func:`workbench.lot_size` call on ``--items`` x
``--periods`` requirements (lumpy: a Poisson requirement in about 60 % of the weeks,
MOQ, pack and a maximum on every item), the items per second, and for Wagner-Whitin
and Silver-Meal the ratio to a per-item Python loop (one call per item, timed on
``--loop-sample`` items and scaled). The machine is shared: treat the figures as
indicative.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from workbench.mrp.lot_sizing import LOT_SIZING_METHODS, lot_size


def make(n: int, t: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    req = rng.poisson(rng.gamma(2.0, 20.0, (n, 1)), (n, t)) * (rng.random((n, t)) < 0.6)
    return {
        "requirements": req.astype(float),
        "order_cost": rng.uniform(10, 300, n),
        "holding_cost": rng.uniform(0.01, 1.0, n),
        "min_order_qty": rng.choice([0.0, 10.0, 50.0], n),
        "pack_size": rng.choice([1.0, 6.0, 12.0], n),
        "max_order_qty": rng.choice([np.inf, 600.0], n),  # inf: no maximum
        "fixed_order_qty": rng.uniform(50, 300, n),
    }


def best_of(fn, repeats: int = 3) -> tuple[float, float]:
    """Best wall and CPU time [s] of ``repeats`` runs."""
    walls, cpus = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--periods", type=int, default=52)
    ap.add_argument("--loop-sample", type=int, default=200)
    args = ap.parse_args()
    data = make(args.items, args.periods)
    lot_size(data["requirements"][:2], method="ww", order_cost=1.0, holding_cost=1.0)  # warm-up
    print(f"lot sizing, {args.items:,} items x {args.periods} periods (best of 3)")
    print(f"{'method':<26}{'wall s':>8}{'cpu s':>8}{'items/s':>12}{'loop ratio':>12}")
    for method in LOT_SIZING_METHODS:
        kw = {k: v for k, v in data.items() if k != "fixed_order_qty"}
        if method == "fixed_order_quantity":
            kw["fixed_order_qty"] = data["fixed_order_qty"]
        wall, cpu = best_of(lambda m=method, kw=kw: lot_size(method=m, **kw))
        ratio = ""
        if method in ("wagner_whitin", "silver_meal"):
            k = min(args.loop_sample, args.items)

            def loop(m=method, kw=kw, k=k):
                for i in range(k):
                    lot_size(
                        kw["requirements"][i],
                        method=m,
                        **{n: v[i] for n, v in kw.items() if n != "requirements"},
                    )

            lw, _ = best_of(loop, repeats=1)
            ratio = f"{lw * args.items / k / wall:.0f}x"
        print(f"{method:<26}{wall:>8.3f}{cpu:>8.3f}{args.items / wall:>12,.0f}{ratio:>12}")


if __name__ == "__main__":
    main()
