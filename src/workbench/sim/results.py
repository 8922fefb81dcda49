"""The result of :func:`workbench.sim.simulate`: :class:`SimulationResult`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SimulationResult:
    """What a simulation run delivered.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per SKU (index ``sku``). Columns:

        ``demand`` [units], ``filled`` [units served from stock on the day they
        were demanded], ``short`` [units not served on their day: backordered or
        lost], ``fill_rate`` (filled / demand; NaN without demand),
        ``cycles`` (completed replenishment cycles: intervals between two
        consecutive receipts), ``stockout_cycles`` (cycles in which a day ended
        with backorders or lost demand),
        ``cycle_service_level`` (1 - stockout_cycles / cycles; NaN if no cycle
        completed), ``stockout_days`` (days with any short unit),
        ``stockout_events`` (runs of consecutive stockout days),
        ``avg_on_hand`` [units] (time average: mean over days of the on-hand
        after receipts and at the end of the day), ``avg_on_hand_value`` [$],
        ``avg_backorders`` [units, end of day], ``orders`` (orders placed),
        ``units_ordered``, ``units_received`` [units], ``lost_units``
        [units, lost-sales runs], ``ordering_cost``, ``holding_cost``,
        ``shortage_cost``, ``total_cost`` [$ over the simulated days],
        ``start_on_hand``, ``end_on_hand``, ``end_backorders``,
        ``end_on_order`` [units].
    trace : pandas.DataFrame or None
        Per day and traced SKU (only if ``trace_skus`` was given): ``sku``,
        ``day`` (0-based), ``date`` (for replays of dated history), ``demand``,
        ``receipts``, ``orders`` (units ordered that day), ``shipped``,
        ``filled``, ``on_hand``, ``backorders``, ``on_order`` (end of day)
        [units].
    days : int
        Days simulated (fewer than ``days_requested`` if stopped).
    days_requested : int
    completed : bool
        False when the run was stopped early; the statistics then cover ``days``.
    elapsed_seconds : float
    settings : dict
        The run's settings (policy, demand model, unmet, lead-time model, ...) and
        counters such as ``lead_times_capped`` (random lead times above the ring
        buffer's horizon, set to the horizon).
    batches : dict or None
        With ``simulate(..., batches=K)``, K > 1: each batch's totals, arrays of shape
        (K, SKUs) in the order of ``summary``: ``demand``, ``filled``, ``short``
        [units], ``cycles`` and ``stockout_cycles`` (cycles closed in the batch),
        ``stockout_days``, ``orders``. Summed over the batches they are the
        ``summary``'s columns. None otherwise.
    """

    summary: pd.DataFrame
    trace: pd.DataFrame | None
    days: int
    days_requested: int
    completed: bool
    elapsed_seconds: float
    settings: dict = field(default_factory=dict)
    batches: dict | None = None

    @property
    def stopped(self) -> bool:
        """True if the run was stopped before ``days_requested``."""
        return not self.completed

    @property
    def sku_days_per_second(self) -> float:
        """Throughput of the run [SKU-days/s]."""
        return len(self.summary) * self.days / max(self.elapsed_seconds, 1e-12)

    def totals(self) -> pd.Series:
        """Portfolio figures: demand-weighted fill rate, total costs, average value."""
        s = self.summary
        demand = s["demand"].sum()
        cycles = s["cycles"].sum()
        return pd.Series(
            {
                "skus": float(len(s)),
                "days": float(self.days),
                "demand": demand,
                "fill_rate": s["filled"].sum() / demand if demand > 0 else np.nan,
                "cycle_service_level": 1 - s["stockout_cycles"].sum() / cycles
                if cycles > 0
                else np.nan,
                "stockout_days": s["stockout_days"].sum(),
                "avg_on_hand_value": s["avg_on_hand_value"].sum(),
                "orders": s["orders"].sum(),
                "ordering_cost": s["ordering_cost"].sum(),
                "holding_cost": s["holding_cost"].sum(),
                "shortage_cost": s["shortage_cost"].sum(),
                "total_cost": s["total_cost"].sum(),
            }
        )
