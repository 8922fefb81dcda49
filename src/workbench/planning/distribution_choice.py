"""The demand class of every SKU and the lead-time demand model it is planned with.

Syntetos-Boylan-Croston classes from the average inter-demand interval (ADI) and the
squared cv of the non-zero bucket demands (cut-offs 1.32 and 0.49, the scenario's
``class_cutoffs``): smooth, erratic, intermittent, lumpy, or "none" (one sale or
none). With ``distribution="auto"`` every class is planned from the SKU's own daily
history (the "empirical" bootstrap); without a daily history, normal for smooth,
gamma for erratic and negative binomial for the others
(:func:`workbench.policy.choose_distribution`).

References
----------
.. [SB] A. A. Syntetos, J. E. Boylan and J. D. Croston, "On the categorization of
   demand patterns", *J. Oper. Res. Soc.* 56(5), 2005, 495-503.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..policy._loops import loop
from ..policy.demand_class import BucketDemand, demand_class
from ..policy.distributions import choose_distribution
from .inputs import _stat

if TYPE_CHECKING:  # the stages take a Scenario; scenario.py imports them
    from ..scenario import Scenario

_DEMAND_CLASSES = ("smooth", "erratic", "intermittent", "lumpy", "none")


def _history_rows(history: BucketDemand | None, sku: pd.Index) -> tuple[np.ndarray, bool]:
    """Row of each SKU in ``history`` (-1: none) and whether the buckets are days."""
    if history is None:
        return np.full(len(sku), -1), False
    rows = pd.Index(history.skus).get_indexer(sku)
    freq = getattr(history.periods, "freqstr", "") or ""
    return rows, freq.upper().startswith("D")


#: History cells (SKUs x buckets) from which :func:`_adi_cv2` splits the rows between
#: two threads (10,000 SKUs x 730 days: 7.3 million).
_THREADED_CELLS = 2_000_000


def _adi_cv2(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ADI and CV^2 of every row of the history ``q``, as
    :func:`workbench.policy.demand_class._size_pattern` gives them.

    A compiled pass along each row (:func:`workbench.policy._compiled.adi_cv2`) once
    numba is loaded or for a large history, else numpy's (:func:`_size_pattern`: four
    SKUs x buckets temporaries, 130 MB for 10,000 SKUs x 730 days, whose fresh pages
    cost more than the sums). Each row's figures are sums along that row only, so a
    large history is computed as two blocks of rows on two threads (the compiled loop
    and numpy's passes run without the GIL), with the same results.
    """
    n = q.shape[0]
    adi, cv2 = np.empty(n), np.empty(n)
    run = loop("adi_cv2", q.size)
    q = np.ascontiguousarray(q, dtype=float)
    if q.size < _THREADED_CELLS or n < 2 or (os.cpu_count() or 1) < 2:
        with np.errstate(invalid="ignore", divide="ignore"):
            run(q, adi, cv2)
        return adi, cv2
    half = n // 2

    def part(rows: slice) -> None:
        with np.errstate(invalid="ignore", divide="ignore"):
            run(q[rows], adi[rows], cv2[rows])

    with ThreadPoolExecutor(1) as pool:
        second = pool.submit(part, slice(half, None))
        part(slice(None, half))
        second.result()
    return adi, cv2


def _demand_classes(
    st: pd.DataFrame,
    sku: pd.Index,
    sc: Scenario,
    history: BucketDemand | None,
    d: SimpleNamespace,
) -> SimpleNamespace:
    """Syntetos-Boylan-Croston class and the lead-time demand model of every SKU.

    With a history: ADI and the CV^2 of the non-zero bucket demands
    (:func:`workbench.policy.demand_pattern`). Without: from the moments of demand per
    bucket, p = 1 / ADI buckets with demand and per-bucket cv c, by the identity
    CV^2 = p (1 + c^2) - 1 for independent buckets.
    """
    adi_cut, cv2_cut = sc.class_cutoffs
    n = len(sku)
    rows, daily = _history_rows(history, sku)
    if history is not None:
        # demand_pattern's mean_interval and cv2, without its other columns
        h_adi, h_cv2 = _adi_cv2(history.quantity)
        adi = np.full(n, np.nan)
        cv2 = np.full(n, np.nan)
        have = rows >= 0
        adi[have] = h_adi[rows[have]]
        cv2[have] = h_cv2[rows[have]]
    else:
        adi = _stat(st, "mean_interval_buckets") if "mean_interval_buckets" in st else np.ones(n)
        if "mean_per_bucket" in st and "sd_per_bucket" in st:
            m, s = _stat(st, "mean_per_bucket"), _stat(st, "sd_per_bucket")
        else:
            m, s = d.mu, d.sd
        c2 = np.full(n, np.nan)
        with np.errstate(under="ignore", over="ignore"):
            m2 = m * m
            np.divide(s * s, m2, out=c2, where=m2 > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            cv2 = np.maximum((1.0 + c2) / adi - 1.0, 0.0)
        adi = np.where(m > 0, adi, np.nan)
    klass = np.asarray(demand_class(adi, cv2, adi_cutoff=adi_cut, cv2_cutoff=cv2_cut), dtype=object)
    if sc.distribution == "auto":
        model = np.asarray(choose_distribution(klass.astype(str)), dtype=object)
    else:
        model = np.full(n, sc.distribution, dtype=object)
    # the bootstrap needs the SKU's own daily demand; without it, the normal for smooth
    # demand (the textbook's choice), the gamma for erratic and a count model for the others
    has_days = daily & (rows >= 0)
    no_days = (model == "empirical") & ~has_days
    label = model.copy()
    fallback = np.where(
        klass == "smooth", "normal", np.where(klass == "erratic", "gamma", "negbin")
    )
    model[no_days] = fallback[no_days]
    # the normal and the gamma are the two-moment choices for their classes: no note needed
    note = np.where(klass == "erratic", "gamma", "negbin (no daily history)")
    label[no_days] = np.where(klass == "smooth", "normal", note)[no_days]
    return SimpleNamespace(klass=klass, model=model, label=label, rows=rows, history=history)
