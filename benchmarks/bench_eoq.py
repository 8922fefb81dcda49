"""Speed of the EOQ-family and newsvendor calculators across many SKUs.

Run: .venv/bin/python benchmarks/bench_eoq.py [n_skus]

Prints the best of a few wall-clock timings for each vectorized call, and for a
per-SKU Python loop over a sample (scalar formulas, scipy for the quantiles), the
speed-up ratio. Timings on a shared machine are noisy; compare ratios.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
from scipy import stats

import workbench as wb


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def loop_eoq(d, s, h):
    return [math.sqrt(2 * di * si / hi) for di, si, hi in zip(d, s, h, strict=True)]


def loop_all_units(d, s, r, table):
    out = []
    for di, si, ri in zip(d, s, r, strict=True):
        best = (math.inf, 0.0)
        for i, (qmin, price) in enumerate(table):
            qmax = table[i + 1][0] if i + 1 < len(table) else math.inf
            q = math.sqrt(2 * di * si / (ri * price))
            if q >= qmax:
                continue
            q = max(q, qmin)
            cost = di * price + si * di / q + ri * price * q / 2
            best = min(best, (cost, q))
        out.append(best[1])
    return out


def loop_newsvendor(mu, sd, cu, co):
    return [stats.norm.ppf(u / (u + o), m, s) for m, s, u, o in zip(mu, sd, cu, co, strict=True)]


def loop_newsvendor_poisson(mu, cu, co):
    return [stats.poisson.ppf(u / (u + o), m) for m, u, o in zip(mu, cu, co, strict=True)]


def main(n: int = 1_000_000) -> None:
    rng = np.random.default_rng(0)
    d = rng.gamma(2.0, 2000.0, n)
    s = rng.uniform(5, 200, n)
    cost = rng.uniform(0.5, 500, n)
    rate = rng.uniform(0.1, 0.35, n)
    h = rate * cost
    table = [(0, 1.00), (500, 0.97), (2000, 0.95), (10_000, 0.92)]
    sample = 2_000
    print(f"{n:,} SKUs (per-SKU loop on a sample of {sample:,}, scaled up)")
    rows = []

    def row(name, vec, loop=None):
        t = best_of(vec)
        if loop is None:
            rows.append((name, t, None))
            return
        t_loop = best_of(loop, repeat=1) * n / sample
        rows.append((name, t, t_loop))

    def all_units():
        return wb.all_units_discount(
            d, order_cost=s, holding_cost_rate=rate, price_breaks=table, candidates=False
        )

    def incremental():
        return wb.incremental_discount(
            d, order_cost=s, holding_cost_rate=rate, price_breaks=table, candidates=False
        )

    def jit():
        return wb.jit_vs_batch(
            d, unit_cost=cost, holding_cost_rate=rate, batch_order_cost=s, jit_order_cost=s / 10
        )

    q = np.sqrt(2 * d * s / h)
    mu, sd = d / 52, d / 52 * rng.uniform(0.1, 1.0, n)
    cu, co = cost * rng.uniform(0.2, 1.0, n), cost * rng.uniform(0.1, 0.5, n)
    m = n // 100
    hist = rng.poisson(mu[:m, None], (m, 104)).astype(float)

    row("numpy bare sqrt(2DS/H) (reference)", lambda: np.sqrt(2 * d * s / h))
    row(
        "eoq",
        lambda: wb.eoq(d, order_cost=s, holding_cost=h),
        lambda: loop_eoq(d[:sample], s[:sample], h[:sample]),
    )
    row("eoq_cost (one Q per SKU)", lambda: wb.eoq_cost(q, annual_demand=d, order_cost=s,
                                                         holding_cost=h))  # fmt: skip
    row("eoq_backorders", lambda: wb.eoq_backorders(
        d, order_cost=s, holding_cost=h, backorder_cost_per_unit_year=4 * h))  # fmt: skip
    row("epq", lambda: wb.epq(d, setup_cost=s, holding_cost=h, production_rate=3 * d))
    row(
        "all_units_discount (4 breaks)",
        all_units,
        lambda: loop_all_units(d[:sample], s[:sample], rate[:sample], table),
    )
    row("incremental_discount (4 breaks)", incremental)
    row("jit_vs_batch", jit)
    row(
        "newsvendor normal",
        lambda: wb.newsvendor(mu, sd, underage_cost=cu, overage_cost=co),
        lambda: loop_newsvendor(mu[:sample], sd[:sample], cu[:sample], co[:sample]),
    )
    row(
        "newsvendor poisson",
        lambda: wb.newsvendor(mu, distribution="poisson", underage_cost=cu, overage_cost=co),
        lambda: loop_newsvendor_poisson(mu[:sample], cu[:sample], co[:sample]),
    )
    row(
        f"newsvendor empirical ({m:,} items x 104 weeks)",
        lambda: wb.newsvendor(demand_samples=hist, underage_cost=cu[:m], overage_cost=co[:m]),
    )

    width = max(len(r[0]) for r in rows)
    print(f"{'call':<{width}}  {'vectorized':>11}  {'loop (est.)':>11}  {'speed-up':>8}")
    for name, t, t_loop in rows:
        loop_txt = f"{t_loop:10.2f}s" if t_loop is not None else f"{'':>11}"
        ratio = f"{t_loop / t:7.0f}x" if t_loop is not None else ""
        print(f"{name:<{width}}  {t:10.4f}s  {loop_txt}  {ratio:>8}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
