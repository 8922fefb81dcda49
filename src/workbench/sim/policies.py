"""Policy names of :func:`workbench.sim.simulate`: the accepted spellings, and the
per-SKU policies of a plan table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

#: Policy names accepted by :func:`simulate` (case and punctuation are ignored,
#: so "(s, Q)", "sQ" and "s_q" are the same).
POLICIES = ("sQ", "sS", "RS", "RsS", "base_stock", "plan")

_ALIASES = {
    "sq": "sQ",
    "rq": "sQ",
    "ss": "sS",
    "rs": "RS",
    "orderupto": "RS",
    "rss": "RsS",
    "basestock": "base_stock",
    "plan": "plan",
    "asplanned": "plan",
}


def _policy_name(name: Any) -> str:
    key = "".join(ch for ch in str(name).lower() if ch.isalnum())
    if key not in _ALIASES:
        raise ValueError(
            f"policy must be one of {', '.join(POLICIES)} (or a per-SKU array of them); "
            f"got {name!r}"
        )
    return _ALIASES[key]


def _plan_policies(plan: pd.DataFrame, skus: pd.Index) -> np.ndarray:
    """Per-SKU policy names from a plan table (its ``policy`` column or inferred)."""
    frame = plan.reindex(skus.astype(plan.index.dtype, copy=False))
    missing = frame.isna().all(axis=1).to_numpy()
    if missing.any():
        shown = ", ".join(map(str, skus[missing][:5]))
        raise ValueError(f"plan has no row for {int(missing.sum())} SKU(s): {shown}")
    if "policy" in frame.columns:
        return np.array([_policy_name(x) for x in frame["policy"]], dtype=object)
    scenario = plan.attrs.get("scenario") if isinstance(plan.attrs, dict) else None
    if isinstance(scenario, Mapping) and scenario.get("policy"):
        # wb.plan: one policy for every SKU, in frame.attrs["scenario"]["policy"]
        return np.full(len(frame), _policy_name(scenario["policy"]), dtype=object)

    def col(name: str) -> np.ndarray:
        if name in frame.columns:
            return frame[name].to_numpy(dtype=float, na_value=np.nan)
        return np.full(len(frame), np.nan)

    R, Q, S, s = (
        col("review_period_days"),
        col("order_quantity"),
        col("order_up_to"),
        col("reorder_point"),
    )
    periodic = np.nan_to_num(R, nan=1.0) > 1
    out = np.where(
        periodic & np.isfinite(S),
        np.where(np.isfinite(s), "RsS", "RS"),
        np.where(
            np.isfinite(Q) & np.isfinite(s), "sQ", np.where(np.isfinite(s), "sS", "base_stock")
        ),
    )
    return out.astype(object)
