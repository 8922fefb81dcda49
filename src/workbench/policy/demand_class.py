"""Demand classes: smooth, erratic, intermittent and lumpy (Syntetos-Boylan-Croston).

A SKU's demand per bucket (day, week or month) is described by two numbers:

- the *average inter-demand interval* ADI [buckets], how many buckets pass on average
  between two buckets with demand (1 for an item sold in every bucket);
- the *squared coefficient of variation of the non-zero demand sizes* CV^2 [-].

Syntetos, Boylan and Croston [1]_ cut the (ADI, CV^2) plane at ADI = 1.32 and
CV^2 = 0.49 into four classes:

=============  ==============  ================
class          ADI             CV^2
=============  ==============  ================
smooth         <= 1.32         <= 0.49
erratic        <= 1.32         > 0.49
intermittent   > 1.32          <= 0.49
lumpy          > 1.32          > 0.49
=============  ==============  ================

The cut-offs come from comparing the mean squared error of Croston's method and the
Syntetos-Boylan approximation; Kostenko and Hyndman [2]_ show the exact boundary is
a curve and give an approximation. Here the cut-offs are parameters. The class picks
the distribution a plan uses (:func:`workbench.policy.choose_distribution`).

Functions
---------
- :func:`demand_class`: the class from ADI and CV^2 (pure, vectorised).
- :func:`bucket_demand`: a long demand table (date, sku, quantity) as a padded matrix
  of demand per SKU and bucket, each SKU's window starting at its first demand.
- :func:`demand_pattern`: ADI, CV^2 and the class for every SKU of a demand table.

References
----------
.. [1] A. A. Syntetos, J. E. Boylan and J. D. Croston, "On the categorization of
   demand patterns", *Journal of the Operational Research Society* 56(5), 495-503, 2005.
.. [2] E. Kostenko and R. J. Hyndman, "A note on the categorization of demand
   patterns", *Journal of the Operational Research Society* 57(10), 1256-1257, 2006.
.. [3] N. Kourentzes and F. Petropoulos, *tsintermittent*: intermittent time series
   forecasting, R package (function ``idclass``, type ``"SBC"``), CRAN.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .._numeric import broadcast, group_extreme, index_in, require_positive

__all__ = [
    "ADI_CUTOFF",
    "CV2_CUTOFF",
    "DEMAND_CLASSES",
    "BucketDemand",
    "bucket_demand",
    "demand_class",
    "demand_pattern",
]

#: Syntetos-Boylan-Croston cut-off on the average inter-demand interval [buckets].
ADI_CUTOFF = 1.32
#: Syntetos-Boylan-Croston cut-off on the squared CV of non-zero demand sizes [-].
CV2_CUTOFF = 0.49
#: The four classes, plus "none" for a SKU whose ADI or CV^2 is unknown (NaN).
DEMAND_CLASSES = ("smooth", "erratic", "intermittent", "lumpy", "none")


def demand_class(
    mean_interval: Any,
    cv2: Any,
    *,
    adi_cutoff: float = ADI_CUTOFF,
    cv2_cutoff: float = CV2_CUTOFF,
) -> Any:
    """Syntetos-Boylan-Croston demand class from ADI and CV^2.

    Parameters
    ----------
    mean_interval : numeric
        Average inter-demand interval ADI [buckets], >= 1 for real data (1: demand in
        every bucket).
    cv2 : numeric
        Squared coefficient of variation of the non-zero demand sizes [-], >= 0.
    adi_cutoff : float, default 1.32
        ADI above which demand is intermittent or lumpy [buckets].
    cv2_cutoff : float, default 0.49
        CV^2 above which demand is erratic or lumpy [-].

    Returns
    -------
    str or numpy.ndarray of str or pandas.Series
        ``"smooth"``, ``"erratic"``, ``"intermittent"`` or ``"lumpy"`` per element;
        ``"none"`` where ADI or CV^2 is NaN (no demand, or one demand only, so the
        variation of sizes is unknown). Same shape as the broadcast inputs; a Series in
        gives a Series out with its index.

    Raises
    ------
    ValueError
        If a cut-off is not > 0.

    Notes
    -----
    .. math::

        \\text{intermittent side} \\iff ADI > c_{ADI}, \\qquad
        \\text{variable side} \\iff CV^2 > c_{CV^2}

    with :math:`c_{ADI} = 1.32` and :math:`c_{CV^2} = 0.49` from Syntetos, Boylan and
    Croston [1]_. A value exactly on a cut-off falls on the smooth side, as in the
    ``idclass(type="SBC")`` function of the R package tsintermittent [2]_, which uses
    SBA where ``p > 1.32 | CV^2 > 0.49``.

    References
    ----------
    .. [1] Syntetos, Boylan and Croston (2005), JORS 56(5) 495-503, fig. 2.
    .. [2] Kourentzes and Petropoulos, R package tsintermittent, ``idclass``.

    Examples
    --------
    >>> demand_class([1.1, 1.1, 2.0, 2.0], [0.2, 0.8, 0.2, 0.8]).tolist()
    ['smooth', 'erratic', 'intermittent', 'lumpy']
    >>> demand_class(1.32, 0.49)
    'smooth'
    """
    require_positive("adi_cutoff", np.asarray(adi_cutoff, dtype=float), "buckets")
    require_positive("cv2_cutoff", np.asarray(cv2_cutoff, dtype=float), "-")
    b = broadcast(mean_interval=mean_interval, cv2=cv2)
    adi, v = b["mean_interval"], b["cv2"]
    sparse = adi > adi_cutoff
    variable = v > cv2_cutoff
    out = np.where(
        sparse,
        np.where(variable, "lumpy", "intermittent"),
        np.where(variable, "erratic", "smooth"),
    ).astype("<U12")
    out = np.where(np.isnan(adi) | np.isnan(v), "none", out)
    if b.scalar:
        return str(out[()])
    return b.wrap(out, "demand_class")


class BucketDemand(NamedTuple):
    """Demand per SKU and bucket, as a padded matrix.

    Attributes
    ----------
    skus : pandas.Index
        The SKUs, one per row (named ``sku``).
    periods : pandas.PeriodIndex
        The buckets, one per column, from the first bucket with demand of any SKU to
        ``end``.
    quantity : numpy.ndarray
        Demand [units/bucket], shape (n_sku, n_bucket). NaN before the SKU's first
        bucket with positive demand (outside its window), 0 for a bucket of its window
        without demand. A SKU without any positive demand has a row of NaN.
    first : numpy.ndarray
        Column of each SKU's first bucket with positive demand (int; n_bucket if none).
    """

    skus: pd.Index
    periods: pd.PeriodIndex
    quantity: np.ndarray
    first: np.ndarray


def bucket_demand(
    demand: pd.DataFrame,
    *,
    freq: str = "D",
    end: Any = None,
    skus: Any = None,
) -> BucketDemand:
    """Sum a long demand table into a matrix of demand per SKU and bucket.

    Parameters
    ----------
    demand : pandas.DataFrame
        Columns ``date``, ``sku``, ``quantity`` [units]; several rows of one SKU in one
        bucket are summed. Rows with a missing date or quantity are ignored.
    freq : str, default "D"
        Bucket length as a pandas period alias: ``"D"`` (day), ``"W"`` (week ending
        Sunday; ``"W-SAT"`` etc. for others), ``"M"`` (calendar month).
    end : date-like, optional
        Last day of the data; its bucket is the last column. Default: the last date in
        ``demand``. Later rows are ignored. The last bucket may be partial (for
        example a week cut by ``end``); pass an ``end`` on a bucket boundary to avoid it.
    skus : sequence, optional
        SKUs to return, in this order (rows of SKUs without demand are NaN). Default:
        the SKUs of ``demand`` in order of first appearance.

    Returns
    -------
    BucketDemand
        ``skus``, ``periods``, the ``quantity`` matrix [units/bucket] and ``first``.

    Raises
    ------
    ValueError
        If a column is missing or ``freq`` is not a pandas period alias.

    Notes
    -----
    Each SKU's window runs from its first bucket with positive demand to the end of
    the data, so a SKU introduced late is not charged with zero demand for the
    buckets before it existed, and a SKU that stopped selling keeps its trailing zero
    buckets. Built with one ``numpy.bincount`` over (SKU, bucket) codes: no loop over
    SKUs. Memory: n_sku x n_bucket floats (10 000 SKUs x 1 100 days: 88 MB).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"date": pd.to_datetime(["2026-01-02", "2026-01-04"]),
    ...                   "sku": ["A", "A"], "quantity": [4.0, 2.0]})
    >>> bucket_demand(d, end="2026-01-05").quantity.tolist()
    [[4.0, 0.0, 2.0, 0.0]]
    """
    missing = [c for c in ("date", "sku", "quantity") if c not in demand.columns]
    if missing:
        raise ValueError(f"demand must have columns date, sku, quantity; missing {missing}")
    dates = pd.to_datetime(demand["date"])
    qty = demand["quantity"].to_numpy(dtype=float, na_value=np.nan)
    try:
        if str(freq).upper() == "D":  # a day's period ordinal is its day since 1970-01-01
            day = dates.to_numpy()  # its own unit (a pass less than through ns)
            if day.dtype.kind != "M":  # time-zone aware: UTC
                day = dates.to_numpy(dtype="datetime64[ns]")
            day = day.astype("datetime64[D]")
            ordinal = np.where(np.isnat(day), np.iinfo(np.int64).min, day.astype(np.int64))
        else:
            ordinal = dates.dt.to_period(freq).array.asi8
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"freq must be a pandas period alias such as 'D', 'W', 'M'; got {freq!r}"
        ) from exc
    keep = ~dates.isna().to_numpy() & ~np.isnan(qty)
    if end is not None:
        end_ord = pd.Period(pd.Timestamp(end), freq=freq).ordinal
    elif keep.any():
        end_ord = int(ordinal[keep].max())
    else:
        end_ord = None
    if skus is None:
        codes, uniques = pd.factorize(demand["sku"])
        index = pd.Index(uniques, name="sku")
    else:
        index = pd.Index(skus, name="sku")
        if index.is_unique:  # one hash lookup a row (pyarrow's for Arrow strings)
            codes = index_in(demand["sku"], index)
        else:
            codes = index.get_indexer_for(demand["sku"])
    return _bucket_from_rows(ordinal, keep, qty, codes, index, freq, end_ord)


def _bucket_from_rows(
    ordinal: np.ndarray,
    keep: np.ndarray,
    qty: np.ndarray,
    codes: np.ndarray,
    index: pd.Index,
    freq: str,
    end_ord: int | None,
) -> BucketDemand:
    """:func:`bucket_demand` from the demand table's rows already read: each row's
    bucket (period ordinal), whether it has a date and a quantity (``keep``), its
    quantity and SKU code (position in ``index``, -1 if not in it); ``end_ord`` the
    last bucket's ordinal (None: no dated row). The plan reads the table once for this
    and its statistics (:func:`workbench.demand_stats`)."""
    if end_ord is not None:
        keep = keep & (ordinal <= end_ord)
    keep = keep & (codes >= 0)
    n_sku = len(index)
    pos = keep & (qty > 0)
    if end_ord is None or not pos.any():
        periods = pd.PeriodIndex([], freq=freq)
        quantity = np.full((n_sku, 0), np.nan)
        return BucketDemand(index, periods, quantity, np.zeros(n_sku, np.int64))
    start_ord = int(ordinal[pos].min())
    n_bucket = end_ord - start_ord + 1
    # rows before any positive demand (zeros, returns) carry no window
    inside = keep & (ordinal >= start_ord)
    if inside.all():  # no masked copies of the whole table
        cell, weight = codes * n_bucket + (ordinal - start_ord), qty
    else:
        cell = codes[inside] * n_bucket + (ordinal[inside] - start_ord)
        weight = qty[inside]
    flat = np.bincount(cell, weights=weight, minlength=n_sku * n_bucket)
    quantity = flat.reshape(n_sku, n_bucket)
    first = np.full(n_sku, n_bucket, dtype=np.int64)
    group_extreme(np.minimum, first, codes[pos], ordinal[pos] - start_ord)
    quantity[np.arange(n_bucket)[None, :] < first[:, None]] = np.nan
    periods = pd.period_range(
        start=pd.Period(ordinal=start_ord, freq=freq), periods=n_bucket, freq=freq
    )
    return BucketDemand(index, periods, quantity, first)


def _size_pattern(q: np.ndarray):
    """ADI and CV^2 of the positive bucket demands of a (SKU x bucket) matrix ``q``
    (NaN outside each SKU's window), as :func:`demand_pattern` reports them; also
    returns the counts, the mean size, the zero-filled matrix, the window mask and a
    scratch matrix for its other moments. Callers needing only ADI and CV^2 (the plan's
    demand classes) skip the rest."""
    in_window = ~np.isnan(q)
    n = in_window.sum(axis=1)
    z = np.where(in_window, q, 0.0)
    positive = z > 0
    k = positive.sum(axis=1)
    # one scratch matrix for the masked deviations (a mask multiplies by 1 or 0: the
    # same sums as np.where; a row it turns NaN has k or n too small to be reported)
    buf = np.multiply(z, positive, out=np.empty_like(z))
    size_sum = buf.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_size = size_sum / k
        np.subtract(z, mean_size[:, None], out=buf)
        buf *= positive
        buf *= buf
        var_size = buf.sum(axis=1) / (k - 1)
        cv2 = np.where(k >= 2, var_size / mean_size**2, np.nan)
        adi = np.where(k >= 1, n / k, np.nan)
    return n, k, mean_size, adi, cv2, z, in_window, buf


def demand_pattern(
    demand: pd.DataFrame | BucketDemand,
    *,
    freq: str = "D",
    end: Any = None,
    skus: Any = None,
    adi_cutoff: float = ADI_CUTOFF,
    cv2_cutoff: float = CV2_CUTOFF,
) -> pd.DataFrame:
    """ADI, CV^2 of non-zero demand sizes and the demand class of every SKU.

    Parameters
    ----------
    demand : pandas.DataFrame or BucketDemand
        A long demand table (``date``, ``sku``, ``quantity``), summed into buckets by
        :func:`bucket_demand`, or its result.
    freq, end, skus
        As in :func:`bucket_demand` (ignored when ``demand`` is a BucketDemand).
    adi_cutoff, cv2_cutoff : float
        As in :func:`demand_class`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sku``, with columns:

        - ``n_buckets`` [buckets]: length of the SKU's window, from its first bucket
          with positive demand to the end (0 if none)
        - ``n_demand_buckets`` [buckets]: buckets of the window with positive demand
        - ``mean_interval`` [buckets]: ADI = n_buckets / n_demand_buckets (NaN if none)
        - ``mean_size`` [units]: mean of the positive bucket demands
        - ``cv2`` [-]: squared coefficient of variation of the positive bucket demands,
          sample variance (ddof = 1) over the squared mean; NaN with fewer than two
        - ``bucket_mean`` [units/bucket]: mean demand per bucket over the window
        - ``bucket_sd`` [units/bucket]: its sample standard deviation (ddof = 1)
        - ``demand_class``: :func:`demand_class` of ``mean_interval`` and ``cv2``

    Notes
    -----
    With :math:`N` buckets in the window and :math:`n` of them with demand sizes
    :math:`z_1..z_n > 0`:

    .. math::

        ADI = \\frac{N}{n}, \\qquad
        CV^2 = \\frac{\\frac{1}{n-1}\\sum_j (z_j - \\bar z)^2}{\\bar z^2}

    ADI is the mean of the intervals between buckets with demand when the window is
    read from its end backwards (the first interval runs from the end of the data to
    the last demand): the same as the ``p`` of tsintermittent's ``idclass`` [1]_ on
    the reversed window, which counts its first interval from the start of the series.
    Counting from the first demand to the end keeps the zero buckets after a SKU's
    last sale (an item that stopped selling looks sparse, as it should) and ignores
    the time before its first sale (when it may not have existed). The CV^2 uses the
    sample standard deviation, as tsintermittent does.

    A "bucket with demand" has positive net demand; negative net demand (returns)
    counts as zero demand in the classification but stays in ``bucket_mean``.

    References
    ----------
    .. [1] Kourentzes and Petropoulos, R package tsintermittent, ``idclass``.
    .. [2] Syntetos, Boylan and Croston (2005), JORS 56(5) 495-503.

    Examples
    --------
    Demand 0, 3, 0, 0, 5, 0 over six days: the window is the five days from the first
    sale, two with demand, so ADI = 5 / 2 = 2.5; the sizes 3 and 5 have mean 4 and
    sample variance 2, so CV^2 = 2 / 16 = 0.125: intermittent.

    >>> import pandas as pd
    >>> d = pd.DataFrame({"date": pd.date_range("2026-01-01", periods=6),
    ...                   "sku": "A", "quantity": [0, 3, 0, 0, 5, 0]})
    >>> p = demand_pattern(d).loc["A"]
    >>> float(p.mean_interval), float(p.cv2), p.demand_class
    (2.5, 0.125, 'intermittent')
    """
    bd = (
        demand
        if isinstance(demand, BucketDemand)
        else bucket_demand(demand, freq=freq, end=end, skus=skus)
    )
    q = bd.quantity
    n, k, mean_size, adi, cv2, z, in_window, buf = _size_pattern(q)
    with np.errstate(invalid="ignore", divide="ignore"):
        bucket_mean = np.where(n >= 1, z.sum(axis=1) / n, np.nan)
        np.subtract(z, bucket_mean[:, None], out=buf)
        buf *= in_window
        buf *= buf
        bucket_sd = np.where(n >= 2, np.sqrt(buf.sum(axis=1) / (n - 1)), np.nan)
    out = pd.DataFrame(
        {
            "n_buckets": n.astype(np.int64),
            "n_demand_buckets": k.astype(np.int64),
            "mean_interval": adi,
            "mean_size": np.where(k >= 1, mean_size, np.nan),
            "cv2": cv2,
            "bucket_mean": bucket_mean,
            "bucket_sd": bucket_sd,
            "demand_class": demand_class(adi, cv2, adi_cutoff=adi_cutoff, cv2_cutoff=cv2_cutoff),
        },
        index=bd.skus,
    )
    return out
