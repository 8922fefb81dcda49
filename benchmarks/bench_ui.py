"""Python-side latency of the panels: a slider change until the figures are updated.

Run: .venv/bin/python benchmarks/bench_ui.py [n_skus] [repeats]

For each case a control is set (alternating between two values so that every set is a
real change) and the time until the observer returned is taken: the calculators, the
``fig.batch_update()`` and the widget messages, which are JSON-serialized by a
recording comm as a kernel would (nothing is sent). The goal is under 100 ms for the EOQ
panel and for the trade-off frontier on a 10,000-SKU dataset. Prints median and p90 over
the repeats, and the bytes sent per change. The machine is shared: timings are noisy.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import comm
import numpy as np
from comm.base_comm import BaseComm

GOAL_MS = 100.0


class RecordingComm(BaseComm):
    """A comm that serializes what it would send (JSON + binary buffers) and counts it."""

    sent_bytes = 0

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        text = json.dumps(data, default=str, separators=(",", ":"))
        RecordingComm.sent_bytes += len(text) + sum(len(memoryview(b)) for b in buffers or ())


comm.create_comm = lambda *a, **k: RecordingComm(*a, **k)

import workbench as wb  # noqa: E402  (after the comm is in place)
from workbench.ui.abc_panel import ABCPanel  # noqa: E402
from workbench.ui.eoq_panel import EOQPanel  # noqa: E402
from workbench.ui.safety_panel import SafetyPanel  # noqa: E402
from workbench.ui.tradeoff_panel import TradeoffPanel  # noqa: E402


def time_changes(control, values, repeats: int) -> tuple[list[float], float]:
    """Set ``control.value`` to the values in turn ``repeats`` times; ms per change and
    the mean bytes sent per change."""
    times = []
    control.value = values[-1]
    RecordingComm.sent_bytes = 0
    for i in range(repeats):
        v = values[i % len(values)]
        t0 = time.perf_counter()
        control.value = v
        times.append((time.perf_counter() - t0) * 1000)
    return times, RecordingComm.sent_bytes / repeats


def report(name: str, times: list[float], sent: float, goal: bool) -> None:
    med = statistics.median(times)
    p90 = float(np.percentile(times, 90))
    flag = ("ok" if p90 < GOAL_MS else "OVER GOAL") if goal else ""
    print(
        f"{name:<58} median {med:7.1f} ms   p90 {p90:7.1f} ms   "
        f"{sent / 1024:8.1f} KiB/change  {flag}"
    )


def main(n_skus: int = 10_000, repeats: int = 30) -> None:
    print(f"slider change -> figures updated, {repeats} changes per case, goal < {GOAL_MS:.0f} ms")
    t0 = time.perf_counter()
    ds = wb.sample_dataset(n_skus=n_skus, years=1)
    print(
        f"dataset: {n_skus:,} SKUs, {len(ds.demand):,} demand rows "
        f"(generated in {time.perf_counter() - t0:.1f} s)"
    )

    t0 = time.perf_counter()
    eoq_free = EOQPanel()
    print(f"build EOQPanel (free parameters, first FigureWidget): {time.perf_counter() - t0:.2f} s")
    report(
        "EOQ, free parameters: annual demand",
        *time_changes(eoq_free.demand, [1500.0, 2500.0], repeats),
        goal=True,
    )

    t0 = time.perf_counter()
    eoq = EOQPanel(ds)
    print(f"build EOQPanel({n_skus:,} SKUs): {time.perf_counter() - t0:.2f} s")
    d = eoq.demand.value
    report(
        f"EOQ, one SKU of {n_skus:,}: annual demand",
        *time_changes(eoq.demand, [d + eoq.demand.step, d], repeats),
        goal=True,
    )
    report(
        f"EOQ, one SKU of {n_skus:,}: holding cost rate",
        *time_changes(eoq.holding_rate, [0.3, 0.2], repeats),
        goal=True,
    )

    t0 = time.perf_counter()
    trade = TradeoffPanel(ds)
    print(f"build TradeoffPanel({n_skus:,} SKUs): {time.perf_counter() - t0:.2f} s")
    report(
        f"Frontier, {n_skus:,} SKUs: holding rate (plan + frontier)",
        *time_changes(trade.holding_rate, [0.3, 0.2], repeats),
        goal=True,
    )
    report(
        f"Frontier, {n_skus:,} SKUs: class A target (plan + point)",
        *time_changes(trade.targets["A"], [0.99, 0.97], repeats),
        goal=True,
    )

    t0 = time.perf_counter()
    safety = SafetyPanel(ds)
    print(f"build SafetyPanel({n_skus:,} SKUs): {time.perf_counter() - t0:.2f} s")
    report(
        "Safety stock, one SKU: service level",
        *time_changes(safety.service_level, [0.99, 0.95], repeats),
        goal=False,
    )

    t0 = time.perf_counter()
    abc = ABCPanel(ds)
    print(f"build ABCPanel({n_skus:,} SKUs): {time.perf_counter() - t0:.2f} s")
    report(
        f"ABC, {n_skus:,} SKUs: A cut-off (Pareto of every SKU)",
        *time_changes(abc.cutoff_a, [0.7, 0.8], max(5, repeats // 3)),
        goal=False,
    )

    t0 = time.perf_counter()
    sim = trade.run_simulation()
    print(
        f"Run simulation button, {n_skus:,} SKUs x {sim['run'].days} days "
        f"(5 targets + the scenario): {time.perf_counter() - t0:.2f} s"
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
