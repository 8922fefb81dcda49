"""The demand the reorder points protect: the history's, or per SKU the forecast's.

For each SKU the protection interval P is L ("sQ", "sS") or L + R_eff ("RS") [days];
:func:`workbench.forecasting.protection_demand` gives the forecast F(P) over it and
sigma_P, the root mean squared error of that sum in a rolling-origin backtest ([SPT]
ch. 4: safety stock against the forecast error over the lead time); the plan uses the
per-day mu_f = F(P) / P and sigma_f = sigma_P / sqrt(P).

References
----------
.. [SPT] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
   Management in Supply Chains*, 4th ed., CRC Press, 2017, ch. 4.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the stages take a Scenario; scenario.py imports them
    from ..scenario import Scenario

#: Where the demand the reorder point protects comes from (the plan's ``demand_source``).
DEMAND_SOURCES = ("history", "forecast")


def _demand_source(
    sc: Scenario,
    sku: pd.Index,
    d: SimpleNamespace,
    it: SimpleNamespace,
    dcls: SimpleNamespace,
    forecast: Any,
) -> tuple[SimpleNamespace, SimpleNamespace, pd.Categorical]:
    """The demand the reorder points protect: the history's, or per SKU the forecast's.

    With ``demand_source="forecast"`` the SKUs the forecast serves get the per-day mean
    F(P) / P and sd sigma_P / sqrt(P) of :func:`workbench.forecasting.protection_demand`
    (after the demand multiplier) and the normal model; the others
    keep the history's. Returns the demand, the classes and the per-SKU source.
    """
    n = len(sku)
    if sc.demand_source != "forecast":
        return d, dcls, pd.Categorical.from_codes(np.zeros(n, np.int8), categories=DEMAND_SOURCES)
    from ..forecasting.protection import protection_demand

    r_eff = max(float(sc.review_period_days), 1.0)
    days = it.lt + (r_eff if sc.policy == "RS" else 0.0)
    p = protection_demand(forecast, days, sku)
    use = (p["demand_source"] == "forecast").to_numpy()
    mu_f = p["daily_mean"].to_numpy(dtype=float) * d.m
    sd_f = p["daily_sd"].to_numpy(dtype=float) * d.m
    d_rp = SimpleNamespace(**vars(d))
    d_rp.mu = np.where(use, mu_f, d.mu)
    d_rp.sd = np.where(use, sd_f, d.sd)
    keep = sc.distribution not in ("auto", "empirical")
    fmodel = np.full(n, sc.distribution if keep else "normal", dtype=object)
    dcls = SimpleNamespace(**vars(dcls))
    dcls.model = np.where(use, fmodel, dcls.model)
    dcls.label = np.where(use, fmodel + " (forecast)", dcls.label)
    source = pd.Categorical.from_codes(use.astype(np.int8), categories=DEMAND_SOURCES)
    return d_rp, dcls, source
