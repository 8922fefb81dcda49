"""Supplier performance: how long each supplier really takes and how reliable it is.

:func:`supplier_performance` measures, from the ``purchase_orders`` table, per supplier
and per supplier and SKU: lead times actually achieved (received - ordered) against the
quoted lead time, on-time and on-time-in-full delivery, lateness, and the open and
overdue orders. Every figure is computed with grouped numpy reductions over all PO lines
at once (no loop over suppliers or SKUs).

Conventions
-----------
- **Window.** Lines ordered in the ``window_days`` days ending ``as_of``
  (``as_of - window_days < order_date <= as_of``). A line is *received* when its
  ``received_date`` is on or before ``as_of``; otherwise it is *open* (as seen that day).
- **Supplier of a line.** Its ``supplier_id``; blank: the item's main supplier. A line
  with neither is left out and counted in ``notes``.
- **Quoted lead time** of a line: the item's ``lead_time_days`` when the line's supplier
  is the item's main supplier (or the item names none), else the supplier's
  ``lead_time_days``, else the item's.
- **Promise** of a line: ``promised_date``; blank: ``order_date`` + the quoted lead time.
  A line is *on time* when received on or before its promise; *overdue* when open and its
  promise is before ``as_of``. A line counts towards the on-time rates once it is
  received or overdue (an open line not yet due is not judged).
- **Partial deliveries.** The data model records one receipt per PO line: the table's key
  is (``po_id``, ``sku``) and the loader refuses a repeated pair, and ``quantity`` is the
  quantity ordered and received on ``received_date``. A delivery split over several days
  is therefore recorded as separate lines (e.g. ``PO-7`` and ``PO-7/2``), each judged on
  its own date; a line is *in full* when it is received, so the on-time-in-full rate by
  line equals the on-time rate by line. A short shipment the supplier never completes
  is recorded by entering the quantity actually received.
- **No history.** A supplier (or supplier and SKU) with no received line in the window
  has NaN lead-time statistics and rates and ``history == "no history"``: never 0 % or
  100 %. One with fewer than :data:`MIN_RECEIPTS` receipts is ``"few receipts"``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .._numeric import index_in

__all__ = [
    "MIN_RECEIPTS",
    "SUPPLIER_COLUMNS",
    "SupplierPerformance",
    "measured_lead_times",
    "supplier_performance",
]

#: Fewer received lines than this in the window: ``history == "few receipts"``.
MIN_RECEIPTS = 5

#: Columns of both frames of :class:`SupplierPerformance` (after ``name`` / ``sku``).
SUPPLIER_COLUMNS = (
    "orders",
    "lines",
    "units_ordered",
    "received_lines",
    "lead_time_mean",
    "lead_time_sd",
    "lead_time_p90",
    "quoted_lead_time",
    "lead_time_bias",
    "judged_lines",
    "on_time_rate_qty",
    "on_time_rate_lines",
    "otif_rate",
    "late_lines",
    "avg_days_late",
    "open_lines",
    "open_units",
    "open_value",
    "overdue_lines",
    "overdue_units",
    "overdue_value",
    "history",
)


class SupplierPerformance(NamedTuple):
    """Result of :func:`supplier_performance`.

    Attributes
    ----------
    by_supplier : pandas.DataFrame
        Indexed by ``supplier_id`` (every supplier of the suppliers table, in its order,
        then any other supplier named on a PO line), columns ``name`` and
        :data:`SUPPLIER_COLUMNS` (see :func:`supplier_performance`).
    by_supplier_sku : pandas.DataFrame
        Indexed by (``supplier_id``, ``sku``) for every pair with a PO line in the
        window, the same columns without ``name``.
    as_of : pandas.Timestamp
        The day the figures are measured at (end of day).
    notes : tuple of str
        The window, and lines left out and why.
    """

    by_supplier: pd.DataFrame
    by_supplier_sku: pd.DataFrame
    as_of: pd.Timestamp
    notes: tuple[str, ...]


def _history_end(dataset) -> pd.Timestamp:
    """Last day the demand history covers (as ``stock.review._history_end``), from one
    integer maximum over the dates rather than pandas' NaT-aware min and max."""
    from ..data.frequency import bucket_end

    dates = dataset.demand["date"]
    arr = dates.to_numpy()
    if not np.issubdtype(arr.dtype, np.datetime64) or len(arr) == 0:
        from ..stock.review import _history_end as end

        return end(dataset)
    last = arr.view(np.int64).max()  # NaT is the smallest int64: never the maximum
    if last == np.iinfo(np.int64).min:
        return pd.Timestamp(pd.NaT)
    last = pd.Timestamp(np.int64(last).view(arr.dtype))
    return bucket_end(last, getattr(dataset, "demand_frequency", "D"))


def _group_quantile(group: np.ndarray, x: np.ndarray, q: float, n: int) -> np.ndarray:
    """Per-group ``q`` quantile of ``x`` (linear interpolation, numpy's default); NaN for
    an empty group. One sort of a combined key (group, then value), no loop.

    The key is ``group * span + (x - min(x))`` with ``span > max(x) - min(x)``, so groups
    never overlap while the key stays below 2**53 (its rounding error then is under 1).
    When every ``x`` is a whole number (lead times from dates) the key is exact: with no
    more (group, value) cells than values (few groups, e.g. suppliers) the values are
    counted per cell and the k-th smallest found in the cumulative counts; otherwise they
    are read back from the sorted keys (a sort of values, about four times faster than
    ``argsort``). Other values: ``argsort`` of the key; beyond 2**53 a two-key
    ``lexsort``.
    """
    out = np.full(n, np.nan)
    if len(x) == 0:
        return out
    lo_x = float(np.min(x))
    span = float(np.max(x)) - lo_x + 1.0
    count = np.bincount(group, minlength=n)
    start = np.cumsum(count) - count
    has = np.flatnonzero(count)
    pos = start[has] + q * (count[has] - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, start[has] + count[has] - 1)
    frac = pos - lo
    whole = span * n < 2.0**53 and np.array_equal(x, np.round(x))
    if whole and span * n <= len(x):  # few (group, value) cells: count them, no sort
        cells = np.cumsum(np.bincount(group * int(span) + (x - lo_x).astype(np.int64)))
        base = has * int(span) - lo_x  # the k-th smallest is in the first cell past rank k
        x_lo = np.searchsorted(cells, lo, side="right") - base
        x_hi = np.searchsorted(cells, hi, side="right") - base
    elif span * n >= 2.0**53:  # the combined key could merge groups: sort by two keys
        xs = x[np.lexsort((x, group))]
        x_lo, x_hi = xs[lo], xs[hi]
    elif whole:
        ks = np.sort(group * span + (x - lo_x))  # exact: x = key - group * span + min(x)
        base = has * span - lo_x
        x_lo, x_hi = ks[lo] - base, ks[hi] - base
    else:
        xs = x[np.argsort(group * span + (x - lo_x))]
        x_lo, x_hi = xs[lo], xs[hi]
    out[has] = x_lo + frac * (x_hi - x_lo)
    return out


def _pair_codes(s: np.ndarray, k: np.ndarray, n_sku: int) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(s * n_sku + k, sort=True)``: a code per (supplier, SKU) pair, pairs
    sorted by supplier then SKU. When each SKU is bought from one supplier (checked from
    its smallest and largest supplier code) the pairs are the SKUs: no hashing."""
    if len(k):
        lo = np.full(n_sku, np.iinfo(np.int64).max)
        hi = np.full(n_sku, -1, dtype=np.int64)
        np.minimum.at(lo, k, s)
        np.maximum.at(hi, k, s)
        ks = np.flatnonzero(hi >= 0)
        if np.array_equal(lo[ks], hi[ks]):
            uniq = lo[ks] * n_sku + ks
            order = np.argsort(uniq, kind="stable")
            code = np.empty(n_sku, dtype=np.intp)
            code[ks[order]] = np.arange(len(ks))
            return code[k], uniq[order]
    return pd.factorize(s * n_sku + k, sort=True)


def _days(values) -> np.ndarray:
    """Dates as float days since 1970-01-01, NaN for NaT (no datetime conversions)."""
    arr = np.asarray(pd.to_datetime(values).to_numpy())
    unit = np.datetime_data(arr.dtype)[0]
    per_day = np.timedelta64(1, "D") / np.timedelta64(1, unit)
    i = arr.view(np.int64)
    out = i / per_day
    out[i == np.iinfo(np.int64).min] = np.nan
    return out


def _distinct_per_group(
    g: np.ndarray, key: np.ndarray, n: int, *, key_in_one_group: bool = False
) -> np.ndarray:
    """How many distinct ``key`` values (codes 0..) each group 0..n-1 has (hash, no sort).

    With ``key_in_one_group`` (expected: each purchase order is from one supplier), this
    is checked from each key's smallest and largest group and, when true, the answer is
    the number of keys per group, without hashing the (group, key) pairs.
    """
    width = int(key.max(initial=0)) + 1
    if key_in_one_group and len(g):
        lo = np.full(width, n, dtype=np.int64)
        hi = np.full(width, -1, dtype=np.int64)
        np.minimum.at(lo, key, g)
        np.maximum.at(hi, key, g)
        met = hi >= 0
        if np.array_equal(lo[met], hi[met]):
            return np.bincount(lo[met], minlength=n)
    pairs = pd.unique(g.astype(np.int64) * width + key)
    return np.bincount(pairs // width, minlength=n)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


#: A line's state, the columns of the per-state sums in :func:`_group_sums`.
_ON_TIME, _LATE, _NO_PROMISE, _OVERDUE, _NOT_DUE = range(5)


def _group_sums(g: np.ndarray, n: int, line: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Group sums (groups ``g`` in 0..n-1) of every count, quantity and value a metric needs.

    Each line is in one of five states: received on time, received late, received with
    no promise, open and overdue, open and not yet due. Counts, units and values are
    summed per (group, state) in one ``bincount`` each, and every count or sum of
    :func:`_metrics` is a sum of some states' columns; lead-time sums take one
    ``bincount`` each. Nine passes over the lines instead of one per metric.
    """
    state = line["state"]
    gs = g * 5 + state

    def per_state(weights=None) -> np.ndarray:
        counts = np.bincount(gs, weights=weights, minlength=5 * n)
        return counts.reshape(n, 5).astype(float, copy=False)

    def per_group(weights: np.ndarray) -> np.ndarray:
        return np.bincount(g, weights=weights, minlength=n)

    lines, units, value = per_state(), per_state(line["qty"]), per_state(line["value"])
    lt = line["lead_time"]
    judged = [_ON_TIME, _LATE, _OVERDUE]
    return {
        "lines": lines.sum(axis=1),
        "units_ordered": units.sum(axis=1),
        "received_lines": lines[:, :_OVERDUE].sum(axis=1),
        "lt_sum": per_group(lt),
        "lt_sq": per_group(lt * lt),
        "n_quote": per_group(line["with_quote"]),
        "quote_sum": per_group(line["quote"]),
        "bias_sum": per_group(line["bias"]),
        "judged_lines": lines[:, judged].sum(axis=1),
        "judged_units": units[:, judged].sum(axis=1),
        "on_time_lines": lines[:, _ON_TIME],
        "on_time_units": units[:, _ON_TIME],
        "late_lines": lines[:, _LATE],
        "late_days": per_group(line["days_late"]),
        "open_lines": lines[:, _OVERDUE:].sum(axis=1),
        "open_units": units[:, _OVERDUE:].sum(axis=1),
        "open_value": value[:, _OVERDUE:].sum(axis=1),
        "overdue_lines": lines[:, _OVERDUE],
        "overdue_units": units[:, _OVERDUE],
        "overdue_value": value[:, _OVERDUE],
    }


def _metrics(sums: dict[str, np.ndarray], orders: np.ndarray, p90: np.ndarray) -> dict:
    """Every column of :data:`SUPPLIER_COLUMNS` from the group sums.

    The sample standard deviation comes from the sums of x and x^2:
    s^2 = (sum x^2 - n mean^2) / (n - 1), clipped at 0 against rounding.
    """
    n_rec = sums["received_lines"]
    lt_mean = _ratio(sums["lt_sum"], n_rec)
    var = _ratio(sums["lt_sq"] - n_rec * np.nan_to_num(lt_mean) ** 2, n_rec - 1)
    n_quote = sums["n_quote"]
    out = {
        "orders": orders.astype(float),
        "lines": sums["lines"],
        "units_ordered": sums["units_ordered"],
        "received_lines": n_rec,
        "lead_time_mean": lt_mean,
        "lead_time_sd": np.sqrt(np.maximum(var, 0.0)),
        "lead_time_p90": p90,
        "quoted_lead_time": _ratio(sums["quote_sum"], n_quote),
        "lead_time_bias": _ratio(sums["bias_sum"], n_quote),
        "judged_lines": sums["judged_lines"],
        "on_time_rate_qty": _ratio(sums["on_time_units"], sums["judged_units"]),
        "on_time_rate_lines": _ratio(sums["on_time_lines"], sums["judged_lines"]),
        "late_lines": sums["late_lines"],
        "avg_days_late": _ratio(sums["late_days"], sums["late_lines"]),
    }
    for k in (
        "open_lines", "open_units", "open_value", "overdue_lines", "overdue_units",
        "overdue_value",
    ):  # fmt: skip
        out[k] = sums[k]
    # every received line is in full (one receipt per line, module notes)
    out["otif_rate"] = out["on_time_rate_lines"].copy()
    no_rec = n_rec == 0
    for col in ("on_time_rate_qty", "on_time_rate_lines", "otif_rate"):
        out[col] = np.where(no_rec, np.nan, out[col])  # judged only on overdue lines: unknown
    labels = np.array(["measured", "few receipts", "no history"], dtype=object)
    out["history"] = labels[np.where(no_rec, 2, (n_rec < MIN_RECEIPTS).astype(np.int64))]
    return {c: out[c] for c in SUPPLIER_COLUMNS}


def _window_lines(
    po: pd.DataFrame,
    items: pd.DataFrame,
    skus: pd.Index,
    sups: pd.DataFrame | None,
    sup_ids: pd.Index,
    end_d: float,
    window_days: int,
) -> tuple[dict[str, np.ndarray], pd.Index, list[str]]:
    """The PO lines measured (ordered in the window, with a supplier and a known SKU), as
    the per-line arrays :func:`_group_sums` and the quantiles need.

    Returns the arrays (``supplier`` and ``sku`` codes, ``state``, ``received``, ``qty``,
    ``value`` [$], ``lead_time`` [days] (0 when open), ``with_quote``, ``quote`` and
    ``bias`` [days] (0 without a quote), ``days_late`` (0 unless late), ``po`` codes), the
    suppliers (the table's, then other ids met) and notes. Kept apart from
    :func:`supplier_performance` so the many intermediate arrays are freed on return: at
    800,000 lines each is 6 MB, and memory a first call must fault in is time.
    """
    notes: list[str] = []
    o = _days(po["order_date"])
    keep = (o > end_d - window_days) & (o <= end_d)
    k = index_in(po["sku"].astype("str"), items["sku"].astype("str"))  # skus' order
    # supplier codes: the suppliers table first, then other ids met on lines or items
    # (only without a suppliers table or on unvalidated data)
    has_sup = "supplier_id" in po.columns
    item_has = "supplier_id" in items.columns
    suppliers = pd.Index(np.asarray(sup_ids, dtype=object), dtype=object)
    po_sup = po["supplier_id"].astype("str") if has_sup else None
    item_sup = items["supplier_id"].astype("str") if item_has else None

    def lookup() -> tuple[np.ndarray, np.ndarray]:
        line_codes = index_in(po_sup, suppliers) if has_sup else np.full(len(po), -1)
        item_codes = index_in(item_sup, suppliers) if item_has else np.full(len(skus), -1)
        return line_codes, item_codes

    s, item_s = lookup()
    unknown_line = (s < 0) & po_sup.notna().to_numpy() if has_sup else np.zeros(0, bool)
    unknown_item = (item_s < 0) & item_sup.notna().to_numpy() if item_has else np.zeros(0, bool)
    if unknown_line.any() or unknown_item.any():
        met = []
        if has_sup:
            met.append(np.asarray(po_sup[unknown_line], dtype=object))
        if item_has:
            met.append(np.asarray(item_sup[unknown_item], dtype=object))
        extra = np.sort(pd.unique(np.concatenate(met).astype(str)))
        suppliers = suppliers.append(pd.Index(extra, dtype=object))
        s, item_s = lookup()
    item_s_line = np.where(k >= 0, item_s[np.maximum(k, 0)], -1)
    s = np.where(s >= 0, s, item_s_line)
    ok = (s >= 0) & (k >= 0)
    left_out = int((keep & ~ok).sum())
    if left_out:
        notes.append(
            f"{left_out:,} PO lines left out: no supplier on the line or the item, "
            "or a SKU not in items."
        )
    ok &= keep
    sel = None if ok.all() else np.flatnonzero(ok)  # None: every line (no copies)

    def take(a: np.ndarray) -> np.ndarray:
        return a if sel is None else a[sel]

    k, o, s, item_s_line = take(k), take(o), take(s), take(item_s_line)

    # quoted lead time per line
    item_lt = (
        items["lead_time_days"].to_numpy(dtype=float, na_value=np.nan)
        if "lead_time_days" in items.columns
        else np.full(len(skus), np.nan)
    )
    sup_lt = np.full(len(suppliers), np.nan)
    if sups is not None and "lead_time_days" in sups.columns:
        sup_lt[: len(sup_ids)] = sups["lead_time_days"].to_numpy(dtype=float, na_value=np.nan)
    own = (item_s_line < 0) | (item_s_line == s)
    lt_item, lt_sup = item_lt[k], sup_lt[s]
    quoted = np.where(
        own & ~np.isnan(lt_item), lt_item, np.where(np.isnan(lt_sup), lt_item, lt_sup)
    )

    r = take(_days(po["received_date"]))
    rec = r <= end_d  # NaN (open) is False
    promised = take(_days(po["promised_date"])) if "promised_date" in po.columns else o * np.nan
    promise = np.where(np.isnan(promised), o + quoted, promised)
    has_promise = ~np.isnan(promise)
    state = np.where(
        rec,
        np.where(r <= promise, _ON_TIME, np.where(has_promise, _LATE, _NO_PROMISE)),
        np.where(has_promise & (promise < end_d), _OVERDUE, _NOT_DUE),
    ).astype(np.int8)
    qty = take(po["quantity"].to_numpy(dtype=float, na_value=0.0))
    cost_line = (
        take(po["unit_cost"].to_numpy(dtype=float, na_value=np.nan))
        if "unit_cost" in po.columns
        else np.full(len(qty), np.nan)
    )
    item_cost = items["unit_cost"].to_numpy(dtype=float, na_value=np.nan)[k]
    lead_time = np.where(rec, r - o, 0.0)
    with_quote = rec & ~np.isnan(quoted)
    no_promise = int((state == _NO_PROMISE).sum())
    if no_promise:
        notes.append(
            f"{no_promise:,} received lines have no promised date and no quoted lead time: "
            "not judged on time."
        )
    line = {
        "supplier": s.astype(np.int64, copy=False),
        "sku": k,
        "state": state,
        "received": rec,
        "qty": qty,
        "value": qty * np.where(np.isnan(cost_line), np.nan_to_num(item_cost), cost_line),
        "lead_time": lead_time,
        "with_quote": with_quote,
        "quote": np.where(with_quote, quoted, 0.0),
        "bias": np.where(with_quote, lead_time - np.nan_to_num(quoted), 0.0),
        "days_late": np.where(state == _LATE, r - promise, 0.0),
        "po": take(pd.factorize(po["po_id"])[0].astype(np.int64, copy=False)),
    }
    return line, suppliers, notes


def supplier_performance(dataset, *, as_of=None, window_days: int = 365) -> SupplierPerformance:
    """Lead-time, on-time and open-order scorecard per supplier and per supplier and SKU.

    Parameters
    ----------
    dataset : workbench.Dataset
        Uses ``purchase_orders`` (without it every supplier has no history), ``items``
        (main supplier, quoted lead time, unit cost) and ``suppliers`` when present.
    as_of : date-like, optional
        The day measured at (end of day); default the last day of the demand history.
    window_days : int, default 365
        Lines ordered in this many days ending ``as_of`` are measured [days].

    Returns
    -------
    SupplierPerformance
        ``by_supplier`` and ``by_supplier_sku`` with the columns :data:`SUPPLIER_COLUMNS`:

        - ``orders`` distinct ``po_id``, ``lines`` PO lines, ``units_ordered`` [units];
        - ``received_lines``; over them the actual lead time (received - ordered)
          ``lead_time_mean``, ``lead_time_sd`` (sample, n - 1), ``lead_time_p90``
          (linear interpolation) [days]; ``quoted_lead_time`` (mean quote of those
          lines) and ``lead_time_bias`` = mean(actual - quoted) [days], > 0 when the
          supplier is slower than quoted;
        - ``judged_lines`` (received or overdue); ``on_time_rate_qty`` = units on lines
          received by their promise / units on judged lines; ``on_time_rate_lines`` and
          ``otif_rate`` (on-time-in-full by line; equal here, module notes) [fraction];
        - ``late_lines`` (received after the promise) and ``avg_days_late`` [days];
        - ``open_lines``, ``open_units``, ``open_value`` [$] (units x the line's
          ``unit_cost``, blank: the item's) and the same for ``overdue_`` lines (open,
          promise before ``as_of``);
        - ``history``: "no history" (no received line: lead times and rates NaN),
          "few receipts" (fewer than :data:`MIN_RECEIPTS`) or "measured".

    Raises
    ------
    ValueError
        If ``window_days`` is not a whole number > 0.

    Notes
    -----
    The conventions (window, promise, partial deliveries) are in the module docstring.
    The on-time rate by quantity is the "on-time delivery" of [1] weighted by units;
    OTIF follows [2]. Bad rows (a receipt before the order, a negative quantity, a
    supplier missing from the suppliers table) are refused by the loader
    (:class:`workbench.data.DataError` naming the row).

    References
    ----------
    .. [1] Chopra, S. and Meindl, P. *Supply Chain Management*, 6th ed., ch. 15
       (supplier scoring and assessment).
    .. [2] APICS Dictionary, "on-time in-full (OTIF)".

    Examples
    --------
    Two lines of supplier S1, both promised after 5 days: one received in 4 days, one
    in 8 (3 days late); lead time mean 6, on time 1 line of 2 and 10 of 30 units.

    >>> import pandas as pd
    >>> import workbench as wb
    >>> ds = wb.Dataset.from_tables({
    ...     "items": pd.DataFrame({"sku": ["a"], "inventory_type": ["raw_material"],
    ...                            "unit_cost": [2.0], "supplier_id": ["S1"]}),
    ...     "demand": pd.DataFrame({"date": pd.to_datetime(["2026-01-01", "2026-01-31"]),
    ...                             "sku": "a", "quantity": [1.0, 1.0]}),
    ...     "suppliers": pd.DataFrame({"supplier_id": ["S1"], "lead_time_days": [5.0]}),
    ...     "purchase_orders": pd.DataFrame({"po_id": ["P1", "P2"], "sku": ["a", "a"],
    ...         "supplier_id": ["S1", "S1"],
    ...         "order_date": pd.to_datetime(["2026-01-02", "2026-01-10"]),
    ...         "promised_date": pd.to_datetime(["2026-01-07", "2026-01-15"]),
    ...         "received_date": pd.to_datetime(["2026-01-06", "2026-01-18"]),
    ...         "quantity": [10.0, 20.0]})})
    >>> s = wb.supplier_performance(ds).by_supplier.loc["S1"]
    >>> float(s["lead_time_mean"]), float(s["on_time_rate_lines"]), float(s["avg_days_late"])
    (6.0, 0.5, 3.0)
    >>> round(float(s["on_time_rate_qty"]), 4)
    0.3333
    """
    if not (isinstance(window_days, int | np.integer) and window_days > 0):
        raise ValueError(f"window_days must be a whole number > 0 [days]; got {window_days!r}")
    end = pd.Timestamp(as_of) if as_of is not None else _history_end(dataset)
    start = end - pd.Timedelta(days=int(window_days))
    window_days = int(window_days)
    items = dataset.items
    skus = pd.Index(items["sku"].astype(str).to_numpy(), name="sku")
    sups = dataset.suppliers
    sup_ids = (
        pd.Index(sups["supplier_id"].astype(str).to_numpy())
        if sups is not None
        else pd.Index([], dtype=object)
    )
    notes = [
        f"Purchase-order lines ordered from {(start + pd.Timedelta(days=1)).date()} to "
        f"{end.date()} ({window_days} days), seen at the end of {end.date()}."
    ]
    po = dataset.purchase_orders
    if po is None:
        po = pd.DataFrame(
            {
                "po_id": pd.Series(dtype=str),
                "sku": pd.Series(dtype=str),
                "supplier_id": pd.Series(dtype=str),
                "order_date": pd.Series(dtype="datetime64[ns]"),
                "promised_date": pd.Series(dtype="datetime64[ns]"),
                "received_date": pd.Series(dtype="datetime64[ns]"),
                "quantity": pd.Series(dtype=float),
                "unit_cost": pd.Series(dtype=float),
            }
        )
        notes.append("No purchase_orders table: no supplier has a history.")

    end_d = float(_days(pd.Series([end]))[0])
    line, suppliers, line_notes = _window_lines(po, items, skus, sups, sup_ids, end_d, window_days)
    notes += line_notes

    # sums per supplier x SKU over the lines, then per supplier over those pairs
    s, rec = line["supplier"], line["received"]
    g, uniq = _pair_codes(s, line["sku"], len(skus))
    pair_sums = _group_sums(g, len(uniq), line)
    pair_sup = (uniq // len(skus)).astype(np.int64)
    sup_sums = {
        key: np.bincount(pair_sup, weights=v, minlength=len(suppliers))
        for key, v in pair_sums.items()
    }
    po_code, lt_rec = line["po"], line["lead_time"][rec]
    by_sup = pd.DataFrame(
        _metrics(
            sup_sums,
            _distinct_per_group(s, po_code, len(suppliers), key_in_one_group=True),
            _group_quantile(s[rec], lt_rec, 0.9, len(suppliers)),
        ),
        index=suppliers,
    )
    by_sup.index.name = "supplier_id"
    names = np.full(len(suppliers), "", dtype=object)
    if sups is not None and "name" in sups.columns:
        names[: len(sup_ids)] = sups["name"].astype(object).fillna("").to_numpy()
    by_sup.insert(0, "name", names)

    by_pair = pd.DataFrame(
        _metrics(
            pair_sums,
            _distinct_per_group(g, po_code, len(uniq)),
            _group_quantile(g[rec], lt_rec, 0.9, len(uniq)),
        ),
        index=pd.MultiIndex(
            levels=[suppliers, skus],
            codes=[pair_sup, uniq % len(skus)],
            names=["supplier_id", "sku"],
            verify_integrity=False,
        ),
    )
    n_none = int((by_sup["history"] == "no history").sum())
    if n_none:
        notes.append(f"{n_none} suppliers have no received line in the window: no history.")
    return SupplierPerformance(by_sup, by_pair, end, tuple(notes))


def measured_lead_times(
    dataset, *, as_of=None, window_days: int = 365, min_receipts: int = MIN_RECEIPTS
) -> pd.DataFrame:
    """Each SKU's lead time from its purchase-order history, falling back to the quote.

    The lead-time figures a plan needs (what ``Scenario(lead_time_source="history")`` is to
    use, issue 14): for each item, the receipts of its lines from its main supplier (any
    supplier when the item names none) in the window, from :func:`supplier_performance`.

    Parameters
    ----------
    dataset : workbench.Dataset
        As for :func:`supplier_performance`.
    as_of : date-like, optional
        As for :func:`supplier_performance`.
    window_days : int, default 365
        As for :func:`supplier_performance` [days].
    min_receipts : int, default :data:`MIN_RECEIPTS`
        Fewest received lines for the measured figures to be used (at least 2, so that
        a standard deviation exists) [lines].

    Returns
    -------
    pandas.DataFrame
        Indexed by sku in items order: ``lead_time_days`` and ``lead_time_sd_days``
        [days] (measured mean and sample sd, or the items table's quote), ``receipts``
        (received lines measured) and ``lead_time_source`` ("history" or "quoted").

    Raises
    ------
    ValueError
        If ``min_receipts`` is not a whole number >= 2 (or ``window_days`` is bad).
    """
    if not (isinstance(min_receipts, int | np.integer) and min_receipts >= 2):
        raise ValueError(f"min_receipts must be a whole number >= 2 [lines]; got {min_receipts!r}")
    perf = supplier_performance(dataset, as_of=as_of, window_days=window_days)
    items = dataset.items
    skus = pd.Index(items["sku"].astype(str).to_numpy(), name="sku")
    pairs = perf.by_supplier_sku
    quoted = (
        items["lead_time_days"].to_numpy(dtype=float, na_value=np.nan)
        if "lead_time_days" in items.columns
        else np.full(len(skus), np.nan)
    )
    quoted_sd = (
        items["lead_time_sd_days"].to_numpy(dtype=float, na_value=np.nan)
        if "lead_time_sd_days" in items.columns
        else np.zeros(len(skus))
    )
    n = np.zeros(len(skus))
    mean = np.full(len(skus), np.nan)
    sd = np.full(len(skus), np.nan)
    if len(pairs):
        sup_of_pair = pairs.index.get_level_values(0).to_numpy(dtype=object)
        sku_of_pair = pairs.index.get_level_values(1).to_numpy(dtype=object)
        item_sup = (
            items["supplier_id"].astype(object).to_numpy()
            if "supplier_id" in items.columns
            else np.full(len(skus), None, dtype=object)
        )
        code = skus.get_indexer(sku_of_pair)
        main = item_sup[code]
        own = pd.isna(main) | (main == sup_of_pair)
        # an item without a main supplier: pool its pairs (sums of n, x and x^2)
        r = pairs["received_lines"].to_numpy(dtype=float)
        m = np.nan_to_num(pairs["lead_time_mean"].to_numpy(dtype=float))
        v = np.nan_to_num(pairs["lead_time_sd"].to_numpy(dtype=float)) ** 2
        sx = r * m
        sxx = (r - 1).clip(0) * v + r * m * m
        n = np.bincount(code[own], weights=r[own], minlength=len(skus))
        tx = np.bincount(code[own], weights=sx[own], minlength=len(skus))
        txx = np.bincount(code[own], weights=sxx[own], minlength=len(skus))
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(n > 0, tx / n, np.nan)
            sd = np.sqrt(np.maximum(np.where(n > 1, (txx - n * mean**2) / (n - 1), np.nan), 0))
    use = n >= min_receipts
    return pd.DataFrame(
        {
            "lead_time_days": np.where(use, mean, quoted),
            "lead_time_sd_days": np.where(use, sd, quoted_sd),
            "receipts": n,
            "lead_time_source": np.where(use, "history", "quoted").astype(object),
        },
        index=skus,
    )
