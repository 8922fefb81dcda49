"""``python -m workbench.sim``: compile the simulator's numba kernel now, and cache it.

``make install`` runs this, so that the first simulation (in a notebook or on the
dashboard's button) does not wait for the compiler; it also compiles the perpetual
LIFO kernel of ``workbench.stock.valuation``, so that the first render of the stock
tab does not, the lot-sizing kernel of ``workbench.mrp`` (the MRP tab), and the plan's
compiled loops (``workbench.policy._compiled``: a plan too big for their numpy twins, an
uploaded business of thousands of SKUs or ``plan_check``). Compiling takes 10-20 s on a
2-core machine; with the cache in place, this command takes under a second.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd


def main() -> None:
    start = time.perf_counter()
    from .simulate import simulate

    for dtype in (np.float64, np.float32):
        simulate(
            np.ones((3, 2)), reorder_point=1, order_quantity=2, lead_time_days=1,
            lead_time_sd_days=[0.0, 0.5], rng=0, progress=False, dtype=dtype,
        )  # fmt: skip
    for model in ("normal", "gamma", "poisson", "negative_binomial", "resample"):
        simulate(
            np.ones((3, 2)),
            demand_model=model,
            demand_mean=2.0,
            demand_sd=3.0,
            days=3,
            reorder_point=1,
            order_quantity=2,
            lead_time_days=1,
            rng=0,
            progress=False,
        )  # fmt: skip  (the in-kernel demand draws and the alias-table builder)
    from ..stock.valuation import inventory_valuation

    one = pd.DataFrame({"sku": ["x"], "date": [pd.Timestamp("2026-01-01")], "quantity": [1.0]})
    inventory_valuation(one.assign(unit_cost=1.0), one, method="lifo_perpetual")  # stock tab
    __import__("workbench.forecasting", fromlist=["warm_up"]).warm_up()  # forecasting kernels
    from ..mrp.lot_sizing import lot_size

    lot_size([1.0, 2.0], method="wagner_whitin", order_cost=1.0, holding_cost=1.0)  # MRP tab
    # the plan's compiled loops: once their module is loaded, every plan uses them
    __import__("workbench.policy._compiled")
    from ..data.sample import sample_dataset
    from ..scenario import plan

    plan(sample_dataset())
    print(f"workbench.sim: simulator kernel ready in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
