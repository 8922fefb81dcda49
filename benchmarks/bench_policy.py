"""Benchmark the (s, Q) optimizer and the reorder point over many SKUs.

Run: .venv/bin/python benchmarks/bench_policy.py [--skus 100000] [--loop-sample 300]

Prints wall times (best of a few repeats) for
- ``sq_optimal`` on 100,000 SKUs, with a stockout cost and with a fill rate;
- ``reorder_point`` on 1,000,000 SKUs, cycle service and fill rate;
- the same ``sq_optimal`` computation written the usual way, as a per-SKU Python
  loop over a scalar implementation calling scipy.stats, timed on a sample and
  scaled to the full count, with the speed-up ratio and the largest difference
  between the two answers.
The machine is shared: treat the figures as indicative.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from scipy import optimize, stats

from workbench.policy.review import sq_optimal
from workbench.policy.service import reorder_point


def make_skus(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """A plausible random portfolio: daily demand, variability, lead times and costs."""
    rng = np.random.default_rng(seed)
    mu = rng.gamma(1.5, 5.0, n)
    return dict(
        demand_mean=mu,
        demand_sd=mu * rng.uniform(0.2, 1.5, n),
        lead_time_days=rng.uniform(2, 60, n),
        order_cost=rng.uniform(10, 200, n),
        holding_cost=rng.uniform(0.5, 20, n),
        shortage_cost_per_unit=rng.uniform(5, 500, n),
        fill_rate=rng.uniform(0.85, 0.995, n),
        service_level=rng.uniform(0.80, 0.995, n),
    )


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


# ----------------------------------------------------------------------------- scalar version
def _loss(z: float) -> float:
    return stats.norm.pdf(z) - z * stats.norm.sf(z)


def scalar_sq_stockout(mu, sd, lt, k, h, p, tol=1e-6, max_iter=100):
    """One SKU, Hadley-Whitin iteration, scalar scipy calls (the textbook loop)."""
    lam = mu * 365.0
    m, s = mu * lt, sd * math.sqrt(lt)
    q = math.sqrt(2 * k * lam / h)
    r = m
    for _ in range(max_iter):
        tail = q * h / (p * lam)
        z = stats.norm.ppf(1 - tail) if tail < 0.5 else 0.0
        r_new = m + z * s
        q_new = math.sqrt(2 * lam * (k + p * s * _loss(z)) / h)
        done = abs(q_new - q) <= tol and abs(r_new - r) <= tol
        q, r = q_new, r_new
        if done:
            break
    return r, q


def scalar_sq_fill_rate(mu, sd, lt, k, h, beta, tol=1e-6, max_iter=100):
    """One SKU, Nahmias fill-rate iteration, G^-1 by scipy.optimize.brentq."""
    lam = mu * 365.0
    m, s = mu * lt, sd * math.sqrt(lt)
    eoq = math.sqrt(2 * k * lam / h)
    q, r = eoq, m
    for _ in range(max_iter):
        target = (1 - beta) * q / s
        if target >= _loss(0.0) - 1e-15:
            z = 0.0
        else:
            z = optimize.brentq(lambda x, t=target: _loss(x) - t, 0.0, 40.0, xtol=1e-14)
        if z > 1e-9:
            ratio = (1 - beta) * q / stats.norm.sf(z)
            q_new = ratio + math.sqrt(2 * k * lam / h + ratio * ratio)
        else:
            z = 0.0
            q_new = max(eoq, s * _loss(0.0) / (1 - beta))
        r_new = m + z * s
        done = abs(q_new - q) <= tol and abs(r_new - r) <= tol
        q, r = q_new, r_new
        if done:
            break
    return r, q


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skus", type=int, default=100_000)
    ap.add_argument("--rop-skus", type=int, default=1_000_000)
    ap.add_argument("--loop-sample", type=int, default=300)
    args = ap.parse_args()

    n = args.skus
    d = make_skus(n)
    common = {k: d[k] for k in ("lead_time_days", "order_cost", "holding_cost")}

    def run_stockout():
        return sq_optimal(
            d["demand_mean"],
            d["demand_sd"],
            shortage_cost_per_unit=d["shortage_cost_per_unit"],
            **common,
        )

    def run_fill():
        return sq_optimal(d["demand_mean"], d["demand_sd"], fill_rate=d["fill_rate"], **common)

    res_p = run_stockout()
    res_b = run_fill()
    t_p = best_of(run_stockout)
    t_b = best_of(run_fill)
    print(
        f"sq_optimal, {n:,} SKUs, stockout cost : {t_p:8.3f} s  "
        f"(max {int(res_p.iterations.max())} iterations, "
        f"all converged: {bool(res_p.converged.all())})"
    )
    print(
        f"sq_optimal, {n:,} SKUs, fill rate     : {t_b:8.3f} s  "
        f"(max {int(res_b.iterations.max())} iterations, "
        f"all converged: {bool(res_b.converged.all())})"
    )

    m = args.rop_skus
    e = make_skus(m, seed=1)
    t_c = best_of(
        lambda: reorder_point(
            e["demand_mean"],
            e["demand_sd"],
            lead_time_days=e["lead_time_days"],
            service_level=e["service_level"],
        ),
        2,
    )
    q = np.sqrt(2 * e["order_cost"] * e["demand_mean"] * 365 / e["holding_cost"])
    t_f = best_of(
        lambda: reorder_point(
            e["demand_mean"],
            e["demand_sd"],
            lead_time_days=e["lead_time_days"],
            service_level=e["fill_rate"],
            service_type="fill_rate",
            order_quantity=q,
        ),
        2,
    )
    print(f"reorder_point, {m:,} SKUs, cycle     : {t_c:8.3f} s")
    print(f"reorder_point, {m:,} SKUs, fill rate : {t_f:8.3f} s")

    k = min(args.loop_sample, n)
    for label, scalar, crit, res, t_vec in (
        ("stockout cost", scalar_sq_stockout, "shortage_cost_per_unit", res_p, t_p),
        ("fill rate", scalar_sq_fill_rate, "fill_rate", res_b, t_b),
    ):
        t = time.perf_counter()
        out = [
            scalar(
                d["demand_mean"][i],
                d["demand_sd"][i],
                d["lead_time_days"][i],
                d["order_cost"][i],
                d["holding_cost"][i],
                d[crit][i],
            )
            for i in range(k)
        ]
        t_loop = (time.perf_counter() - t) * n / k
        r_loop = np.array([o[0] for o in out])
        q_loop = np.array([o[1] for o in out])
        diff = max(
            np.max(np.abs(r_loop - res.reorder_point[:k])),
            np.max(np.abs(q_loop - res.order_quantity[:k])),
        )
        print(
            f"per-SKU scalar loop ({label}), {k} SKUs scaled to {n:,}: {t_loop:8.1f} s  "
            f"-> vectorized is {t_loop / t_vec:,.0f}x faster "
            f"(largest difference in s or Q: {diff:.2e} units)"
        )


if __name__ == "__main__":
    main()
