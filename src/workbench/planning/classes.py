"""ABC by annual value, XYZ by the coefficient of variation, and the service target.

ABC ranks the annual value D c (a NaN value ranks as zero, last class); XYZ the cv.
The service target is the item's own ``service_level`` when given and the scenario
uses item service levels, else its ABC class's target ([HR] ch. 12).

References
----------
.. [HR] J. Heizer, B. Render and C. Munson, *Operations Management*, 12th ed.,
   Pearson, 2017, ch. 12 (EOQ, reorder point, safety stock, ABC analysis).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..policy.classify import abc_classify, xyz_classify
from .inputs import _column

if TYPE_CHECKING:  # the stages take a Scenario; scenario.py imports them
    from ..scenario import Scenario


def _classes(
    items: pd.DataFrame,
    sc: Scenario,
    d: SimpleNamespace,
    it: SimpleNamespace,
    n: int,
    given_abc: Any = None,
) -> SimpleNamespace:
    """ABC (by annual value, or as given), XYZ (by cv) and the service target: the
    item's, else its class's."""
    value = d.annual * it.cost
    if given_abc is None:
        abc = abc_classify(
            np.nan_to_num(value, nan=0.0),
            cutoffs=sc.abc_cutoffs,
            labels=sc.abc_labels,
            rule=sc.abc_rule,
        )["class"].array
    else:
        abc = _given_abc(given_abc, it.sku, sc)
    xyz = xyz_classify(d.cv, cutoffs=sc.xyz_cutoffs, labels=sc.xyz_labels).array
    class_target = np.array([sc.service_targets[c] for c in sc.abc_labels])[abc.codes]
    if sc.use_item_service_levels and "service_level" in items.columns:
        own = _column(items, "service_level", None, n)
        bad = ~np.isnan(own) & ~((own > 0) & (own < 1))
        if np.any(bad):
            raise ValueError(
                "items service_level must be strictly between 0 and 1 (a fraction, e.g. "
                f"0.95); got {own[bad][0]:g} for SKU {it.sku[bad][0]!s}"
            )
        from_item = ~np.isnan(own)
        target = np.where(from_item, own, class_target)
    else:
        from_item = np.zeros(n, dtype=bool)
        target = class_target
    return SimpleNamespace(value=value, abc=abc, xyz=xyz, target=target, from_item=from_item)


def _given_abc(given: Any, sku: pd.Index, sc: Scenario) -> pd.Categorical:
    """Given ABC classes as the plan's ordered Categorical, aligned on ``sku``."""
    values = given.reindex(sku) if isinstance(given, pd.Series) else pd.Series(list(given))
    if len(values) != len(sku):
        raise ValueError(f"abc must give one class per SKU ({len(sku)}); got {len(values)}")
    labels = pd.Index(list(sc.abc_labels), dtype=object)  # as abc_classify's categories
    out = pd.Categorical(values.to_numpy(dtype=object), categories=labels, ordered=True)
    bad = out.isna() & values.notna().to_numpy()
    if out.isna().any():
        at = int(np.flatnonzero(out.isna())[0])
        what = repr(values.iloc[at]) if bad.any() else "no class"
        raise ValueError(
            f"abc must be one of {', '.join(sc.abc_labels)} for every SKU; got {what} "
            f"for SKU {sku[at]!s}"
        )
    return out
