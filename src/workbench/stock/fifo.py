"""Lot consumption: which lot each issued unit came from (FIFO, FEFO, LIFO).

A *lot* (or cost layer) is a quantity of one SKU received on a date at a unit
cost. Issues (sales, consumption) draw units out of the lots in a fixed order:

* ``"fifo"``: first in, first out, by ``received_date`` (the oldest lot goes first);
* ``"fefo"``: first expired, first out, by ``expiry_date`` (lots without an
  expiry date go after the dated ones, oldest first), the rule for perishables.
  A lot can be issued up to and including its expiry date; what is left of it
  when a later issue comes is written off (``Consumption.expired``), never issued;
* ``"lifo"``: last in, first out, by ``received_date`` descending.

Lots received the same day (or without dates) are received in row order: FIFO
takes the earlier row first, LIFO the later row first.

The engine is linear-logarithmic in lots + issues for all SKUs at once (no
Python loop over SKUs, no re-scans). Per SKU, lay the lots end to end on a line
in consumption order: lot *k* occupies ``(L[k-1], L[k]]`` where ``L`` is the
cumulative lot quantity. Lay the issues end to end on the same line: issue *j*
occupies ``(D[j-1], D[j]]``. Merging the two sorted sets of end points cuts the
line into segments that each belong to exactly one lot and one issue; the
quantity of the segment is what that issue took from that lot. For all SKUs at
once, each SKU's cumulative sums are shifted by an offset (the sum of the
previous SKUs' spans) so that the concatenated lot ends and issue ends are each
globally sorted; two ``np.searchsorted`` calls then merge them (the position of
every end point among the others), and the lot and issue owning each segment
follow from the same counts. Segment lengths are taken from the unshifted,
per-SKU cumulative sums: the offsets only decide the order of end points, which
they could swap only for points closer than float rounding of the running total
(then a sliver of that size changes hands). Segments past the
last lot are unmet demand (shortfall); segments past the last issue are what
remains of the lots.

Timing convention: the consumption is a *quantity* matching, as in periodic
costing. An issue dated before a lot was received can still draw from that lot
when there is nothing older left: it is a backorder filled from the next
receipt, the rule every costing method of :mod:`workbench.stock.valuation`
follows. Periodic and perpetual FIFO therefore agree; LIFO here is periodic LIFO
(perpetual LIFO is ``inventory_valuation(..., method="lifo_perpetual")``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["CONSUMPTION_RULES", "Consumption", "consume_lots"]

#: Consumption orders understood by :func:`consume_lots`.
CONSUMPTION_RULES = ("fifo", "fefo", "lifo")

_TINY = 1e-9  # segments shorter than this (relative to their position) are float noise


class Consumption(NamedTuple):
    """Result of :func:`consume_lots`.

    Attributes
    ----------
    allocations : pandas.DataFrame
        One row per (issue, lot) piece: ``sku``, ``lot_id``, ``date`` (of the
        issue), ``quantity`` [units], ``unit_cost`` [$/unit], ``cost`` [$],
        ``received_date`` (of the lot).
    remaining : pandas.DataFrame
        The lots after the issues, in consumption order, with ``quantity``
        reduced to what is left (lots used up are dropped unless
        ``keep_empty=True``) and ``value`` = quantity x unit_cost [$].
    cogs : pandas.DataFrame
        Cost of goods sold per ``sku`` and ``period``: ``quantity`` [units] and
        ``cogs`` [$].
    shortfall : pandas.DataFrame
        Demand that no lot could meet: ``sku``, ``date``, ``quantity`` [units].
    expired : pandas.DataFrame
        FEFO only: what was left of lots that had expired by the date of a later
        issue, written off instead of issued: ``sku``, ``lot_id``, ``expiry_date``,
        ``date`` (of the issue that passed the lot), ``quantity`` [units],
        ``unit_cost`` [$/unit], ``cost`` [$]. Empty for FIFO and LIFO.
    """

    allocations: pd.DataFrame
    remaining: pd.DataFrame
    cogs: pd.DataFrame
    shortfall: pd.DataFrame
    expired: pd.DataFrame


def _require_columns(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} must have columns {list(columns)}; missing {missing} "
            f"(has {list(frame.columns)})"
        )


def _check_quantity(values: np.ndarray, name: str) -> None:
    nan = np.isnan(values)
    if np.any(nan):
        raise ValueError(
            f"{name} must be a number >= 0 [units]; got NaN in {int(nan.sum())} row(s)"
        )
    neg = values < 0
    if np.any(neg):
        shown = ", ".join(f"{v:g}" for v in values[neg][:3])
        raise ValueError(f"{name} must be >= 0 [units]; got {shown} in {int(neg.sum())} row(s)")


def _group_cumsum(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting at each new code (codes sorted)."""
    if len(values) == 0:
        return values.astype(float)
    return pd.Series(values).groupby(codes, sort=False).cumsum().to_numpy(dtype=float)


def _match(
    lot_code: np.ndarray,
    lot_qty: np.ndarray,
    dem_code: np.ndarray,
    dem_qty: np.ndarray,
    n_codes: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut lots (sorted by code, in consumption order) against issues (sorted by code, date).

    Returns ``(lot_index, issue_index, quantity)`` per segment; ``lot_index`` is
    -1 for unmet demand and ``issue_index`` -1 for what is left of a lot.
    """
    n_lot, n_dem = len(lot_qty), len(dem_qty)
    lot_end = _group_cumsum(lot_code, lot_qty)
    dem_end = _group_cumsum(dem_code, dem_qty)
    lot_total = np.bincount(lot_code, weights=lot_qty, minlength=n_codes)
    dem_total = np.bincount(dem_code, weights=dem_qty, minlength=n_codes)
    # offset each SKU's cumulative sums so that both concatenations are globally sorted
    span = np.maximum(lot_total, dem_total) + 1.0
    offset = np.concatenate([[0.0], np.cumsum(span)[:-1]])
    lot_key = offset[lot_code] + lot_end
    dem_key = offset[dem_code] + dem_end
    # merge the two sorted lists of end points (ties: the lot end first)
    dems_before_lot = np.searchsorted(dem_key, lot_key, side="left")
    lots_before_dem = np.searchsorted(lot_key, dem_key, side="right")
    del lot_key, dem_key, offset
    n = n_lot + n_dem
    idx = np.int32 if n < 2**31 - 1 else np.int64
    # first lot / issue of the next SKU, per SKU
    lot_stop = np.searchsorted(lot_code, np.arange(1, n_codes + 1), side="left").astype(idx)
    dem_stop = np.searchsorted(dem_code, np.arange(1, n_codes + 1), side="left").astype(idx)
    # scatter both lists into merged order; each end point closes one segment, owned by
    # the lot and the issue still open there (a lot end closes its own lot's segment,
    # inside the first issue not finished yet; and vice versa)
    at_lot = np.arange(n_lot, dtype=idx) + dems_before_lot.astype(idx)
    at_dem = np.arange(n_dem, dtype=idx) + lots_before_dem.astype(idx)
    pos = np.empty(n)
    code = np.empty(n, dtype=idx)
    lot_index = np.empty(n, dtype=idx)
    dem_index = np.empty(n, dtype=idx)
    pos[at_lot], pos[at_dem] = lot_end, dem_end
    code[at_lot], code[at_dem] = lot_code, dem_code
    lot_index[at_lot] = np.arange(n_lot, dtype=idx)
    lot_index[at_dem] = lots_before_dem
    dem_index[at_lot] = dems_before_lot
    dem_index[at_dem] = np.arange(n_dem, dtype=idx)
    del at_lot, at_dem, dems_before_lot, lots_before_dem, lot_end, dem_end
    length = np.empty(n)
    length[:1] = pos[:1]
    np.subtract(pos[1:], pos[:-1], out=length[1:])
    first = np.flatnonzero(code[1:] != code[:-1]) + 1
    length[first] = pos[first]
    keep = length > _TINY * np.maximum(1.0, np.abs(pos))
    del pos, first
    code = code[keep]
    lot_index = lot_index[keep]
    dem_index = dem_index[keep]
    length = length[keep]
    lot_index[lot_index >= lot_stop[code]] = -1
    dem_index[dem_index >= dem_stop[code]] = -1
    return lot_index, dem_index, length


def _sum_by(code: np.ndarray, sub: np.ndarray, *values: np.ndarray):
    """Sums of ``values`` per (code, sub) pair, sorted; no sort when already in order."""
    code, sub = np.asarray(code), np.asarray(sub)
    if len(code) > 1:
        in_order = np.all(
            (code[1:] > code[:-1]) | ((code[1:] == code[:-1]) & (sub[1:] >= sub[:-1]))
        )
        if not in_order:
            order = np.lexsort((sub, code))
            code, sub = code[order], sub[order]
            values = tuple(np.asarray(v)[order] for v in values)
    if len(code) == 0:
        return code, sub, tuple(np.asarray(v, dtype=float) for v in values)
    starts = np.flatnonzero(
        np.concatenate([[True], (code[1:] != code[:-1]) | (sub[1:] != sub[:-1])])
    )
    sums = tuple(np.add.reduceat(np.asarray(v, dtype=float), starts) for v in values)
    return code[starts], sub[starts], sums


def _ns(dates) -> np.ndarray:
    """Datetimes as int64 nanoseconds (NaT is the int64 minimum), whatever the unit."""
    return pd.to_datetime(dates).to_numpy().astype("datetime64[ns]").view(np.int64)


def _expired_gaps(
    lot_code: np.ndarray,
    lot_qty: np.ndarray,
    expiry: np.ndarray,
    dem_code: np.ndarray,
    dem_qty: np.ndarray,
    dem_date: np.ndarray,
) -> np.ndarray:
    """Units of expired lots to write off just before each issue (FEFO order).

    Lots (sorted by code, then expiry) and issues (sorted by code, date) are
    int64-ns dated. Per SKU, ``E_j`` is the cumulative quantity of the lots that
    expired before issue ``j``'s date (a prefix in FEFO order). The consumption
    cursor then follows :math:`C_j = \\max(C_{j-1}, E_j) + q_j`, that is
    :math:`C_j = D_j + \\max(0, \\max_{i \\le j}(E_i - D_{i-1}))` with
    :math:`D` the cumulative issues: one grouped cumulative maximum. The gap
    :math:`C_j - q_j - C_{j-1}` is what expired unissued before issue ``j``.
    """
    never = np.iinfo(np.int64).max
    nat = np.iinfo(np.int64).min
    exp = np.where(expiry == nat, never, expiry)
    stamps = np.unique(np.concatenate([exp, dem_date]))
    width = np.int64(len(stamps))
    lot_key = lot_code.astype(np.int64) * width + np.searchsorted(stamps, exp)
    dem_key = dem_code.astype(np.int64) * width + np.searchsorted(stamps, dem_date)
    # lots of the issue's SKU that expired strictly before its date (usable on the day)
    upto = np.searchsorted(lot_key, dem_key, side="left")
    start = np.searchsorted(lot_code, dem_code, side="left")
    lot_end = _group_cumsum(lot_code, lot_qty)
    expired_end = np.where(upto > start, lot_end[np.maximum(upto - 1, 0)], 0.0)
    dem_end = _group_cumsum(dem_code, dem_qty)
    lead = pd.Series(expired_end - (dem_end - dem_qty)).groupby(dem_code, sort=False).cummax()
    cursor = dem_end + np.maximum(lead.to_numpy(), 0.0)
    prev = np.concatenate([[0.0], cursor[:-1]])
    prev[np.flatnonzero(np.concatenate([[True], dem_code[1:] != dem_code[:-1]]))] = 0.0
    gap = cursor - dem_qty - prev
    return np.where(gap > _TINY * np.maximum(1.0, cursor), gap, 0.0)


def _as_int64(dates) -> np.ndarray:
    """Datetimes as int64 (any unit; NaT is the int64 minimum)."""
    return pd.to_datetime(dates).to_numpy().view(np.int64)


def _lot_order(lots: pd.DataFrame, code: np.ndarray, rule: str) -> np.ndarray:
    """Positions of ``lots`` sorted by SKU code, then in consumption order."""
    nat = np.iinfo(np.int64).min
    big = np.iinfo(np.int64).max
    # ties (same received_date, or no dates): the row order is the order of receipt,
    # so FIFO takes the earlier row first and LIFO the later row first
    row = np.arange(len(lots))
    keys: list[np.ndarray] = [-row if rule == "lifo" else row]
    if "received_date" in lots:
        received = _as_int64(lots["received_date"])
        if rule == "lifo":
            keys.append(np.where(received == nat, big, -received))
        else:
            keys.append(np.where(received == nat, big, received))
    if rule == "fefo" and "expiry_date" in lots:
        expiry = _as_int64(lots["expiry_date"])
        keys.append(np.where(expiry == nat, big, expiry))
    keys.append(code)
    return np.lexsort(tuple(keys))


def consume_lots(
    lots: pd.DataFrame,
    demand: pd.DataFrame,
    *,
    rule: str = "fifo",
    period: str = "M",
    keep_empty: bool = False,
) -> Consumption:
    """Issue demand against lots in FIFO, FEFO or LIFO order, for every SKU at once.

    Parameters
    ----------
    lots : pandas.DataFrame
        Lots (cost layers) available: ``sku``, ``quantity`` [units], ``unit_cost``
        [$/unit], and optionally ``lot_id``, ``received_date``, ``expiry_date``,
        ``location`` (kept in ``remaining``).
    demand : pandas.DataFrame
        Issues to meet, ``sku``, ``date``, ``quantity`` [units]; served in date order.
    rule : {"fifo", "fefo", "lifo"}
        Consumption order (see the module notes). ``"fefo"`` falls back to FIFO
        for lots without an expiry date and never issues a lot after its expiry
        date (the rest of it goes to ``expired``); FIFO and LIFO ignore expiry.
    period : str
        pandas period alias for the COGS table (``"M"`` month, ``"W"`` week, ``"Q"``,
        ``"Y"``, ``"D"``).
    keep_empty : bool
        Keep used-up lots in ``remaining`` with quantity 0.

    Returns
    -------
    Consumption
        ``allocations`` (the lot each issued unit came from), ``remaining`` lots,
        ``cogs`` per SKU and period, ``shortfall`` (demand with no stock) and
        ``expired`` (FEFO write-offs). Lots past expiry that no later issue
        reached stay in ``remaining`` (see :func:`~workbench.stock.aging.expiry_risk`).

    Raises
    ------
    ValueError
        If a column is missing, a quantity is negative or NaN, or ``rule`` is unknown.

    Notes
    -----
    Per SKU with lots in consumption order, lot :math:`k` covers the units
    :math:`(L_{k-1}, L_k]` with :math:`L_k = \\sum_{i \\le k} q_i`, and issue
    :math:`j` the units :math:`(D_{j-1}, D_j]`. Issue :math:`j` takes from lot
    :math:`k` the overlap :math:`\\max(0, \\min(L_k, D_j) - \\max(L_{k-1}, D_{j-1}))`;
    COGS is :math:`\\sum` overlap :math:`\\times c_k`. This is FIFO as defined in
    [1]_ (ch. 8, "First-in, first-out"); the cost of a period's issues is the
    same under periodic and perpetual FIFO.

    References
    ----------
    .. [1] Kieso, D. E., Weygandt, J. J. and Warfield, T. D., *Intermediate
       Accounting*, Wiley, ch. 8 "Valuation of inventories: a cost-basis approach".

    Examples
    --------
    Houston Electronics (Weygandt, Kimmel & Kieso, *Accounting Principles*, ch. 6):
    1,000 units available at $10, $11, $12, $13; 550 sold. FIFO COGS is $6,200
    and the 450 units left are 400 at $13 and 50 at $12.

    >>> import pandas as pd
    >>> lots = pd.DataFrame({"sku": "astro", "lot_id": ["jan", "apr", "aug", "nov"],
    ...     "received_date": pd.to_datetime(["2026-01-01", "2026-04-15", "2026-08-24",
    ...                                      "2026-11-27"]),
    ...     "quantity": [100.0, 200, 300, 400], "unit_cost": [10.0, 11, 12, 13]})
    >>> sold = pd.DataFrame({"sku": ["astro"], "date": pd.to_datetime(["2026-12-31"]),
    ...                      "quantity": [550.0]})
    >>> result = consume_lots(lots, sold)
    >>> float(result.allocations["cost"].sum())
    6200.0
    >>> result.remaining[["lot_id", "quantity"]].to_numpy().tolist()
    [['aug', 50.0], ['nov', 400.0]]
    """
    if rule not in CONSUMPTION_RULES:
        raise ValueError(f"rule must be one of {CONSUMPTION_RULES}; got {rule!r}")
    _require_columns(lots, "lots", ("sku", "quantity", "unit_cost"))
    _require_columns(demand, "demand", ("sku", "date", "quantity"))
    lot_qty0 = lots["quantity"].to_numpy(dtype=float, na_value=np.nan)
    dem_qty0 = demand["quantity"].to_numpy(dtype=float, na_value=np.nan)
    _check_quantity(lot_qty0, "lots.quantity")
    _check_quantity(dem_qty0, "demand.quantity")
    n_lots = len(lots)
    skus = pd.concat([lots["sku"].astype("str"), demand["sku"].astype("str")], ignore_index=True)
    codes, uniques = pd.factorize(skus, sort=True)
    del skus
    n_codes = len(uniques)
    order = _lot_order(lots, codes[:n_lots], rule)
    lots = lots.iloc[order].reset_index(drop=True)
    lot_code = codes[:n_lots][order]
    lot_qty = lot_qty0[order]
    dem_date0 = _as_int64(demand["date"])
    dorder = np.lexsort((dem_date0, codes[n_lots:]))
    dem_code = codes[n_lots:][dorder]
    dem_qty = dem_qty0[dorder]
    dem_date = dem_date0[dorder]
    del codes, dem_date0
    n_dem = len(dem_qty)
    written = np.zeros(n_dem, dtype=bool)
    if rule == "fefo" and "expiry_date" in lots and n_lots and n_dem:
        gap = _expired_gaps(
            lot_code,
            lot_qty,
            _ns(lots["expiry_date"]),
            dem_code,
            dem_qty,
            _ns(demand["date"])[dorder],
        )
        if np.any(gap > 0):
            # a write-off of the expired stock goes just before each issue that passes it
            dem_code = np.repeat(dem_code, 2)
            dem_date = np.repeat(dem_date, 2)
            dem_qty = np.column_stack([gap, dem_qty]).ravel()
            written = np.tile([True, False], n_dem)
    li, di, qty = _match(lot_code, lot_qty, dem_code, dem_qty, n_codes)
    if len(written):
        issue = (di >= 0) & ~written[np.maximum(di, 0)]
        off = (di >= 0) & written[np.maximum(di, 0)]
    else:
        issue, off = di >= 0, np.zeros(len(di), dtype=bool)

    lot_cost = lots["unit_cost"].to_numpy(dtype=float, na_value=np.nan)
    lot_ids = lots["lot_id"].array if "lot_id" in lots else np.arange(n_lots)
    received = (
        pd.to_datetime(lots["received_date"]).to_numpy()
        if "received_date" in lots
        else np.full(n_lots, np.datetime64("NaT"), "datetime64[ns]")
    )
    dem_dtype = pd.to_datetime(demand["date"]).dtype
    as_date = np.dtype(dem_dtype) if isinstance(dem_dtype, np.dtype) else np.dtype("M8[ns]")

    used = (li >= 0) & issue
    a_lot, a_dem, a_qty = li[used], di[used], qty[used]
    a_code = lot_code[a_lot]
    a_date = dem_date[a_dem]
    allocations = pd.DataFrame(
        {
            "sku": uniques.take(a_code).array,
            "lot_id": lot_ids.take(a_lot) if hasattr(lot_ids, "take") else lot_ids[a_lot],
            "date": a_date.view(as_date),
            "quantity": a_qty,
            "unit_cost": lot_cost[a_lot],
            "cost": a_qty * lot_cost[a_lot],
            "received_date": received[a_lot],
        }
    )

    left = (li >= 0) & (di < 0)
    left_qty = np.bincount(li[left], weights=qty[left], minlength=n_lots)
    remaining = lots.assign(quantity=left_qty)
    remaining["value"] = left_qty * lot_cost
    if not keep_empty:
        remaining = remaining[left_qty > 0].reset_index(drop=True)

    short = (li < 0) & ~off
    s_code, s_date, (s_qty,) = _sum_by(dem_code[di[short]], dem_date[di[short]], qty[short])
    shortfall = pd.DataFrame(
        {
            "sku": uniques.take(s_code).array,
            "date": s_date.view(as_date),
            "quantity": s_qty,
        }
    )

    ordinal = pd.PeriodIndex(pd.DatetimeIndex(allocations["date"]), freq=period).asi8
    c_code, c_period, (c_qty, c_cost) = _sum_by(
        a_code, ordinal, a_qty, allocations["cost"].to_numpy()
    )
    cogs = pd.DataFrame(
        {
            "sku": uniques.take(c_code).array,
            "period": pd.PeriodIndex.from_ordinals(c_period, freq=period),
            "quantity": c_qty,
            "cogs": c_cost,
        }
    )
    gone = (li >= 0) & off
    e_lot = li[gone]
    expired = pd.DataFrame(
        {
            "sku": uniques.take(lot_code[e_lot]).array,
            "lot_id": lot_ids.take(e_lot) if hasattr(lot_ids, "take") else lot_ids[e_lot],
            "expiry_date": pd.to_datetime(lots["expiry_date"]).to_numpy()[e_lot]
            if "expiry_date" in lots
            else np.full(len(e_lot), np.datetime64("NaT"), "datetime64[ns]"),
            "date": dem_date[di[gone]].view(as_date),
            "quantity": qty[gone],
            "unit_cost": lot_cost[e_lot],
            "cost": qty[gone] * lot_cost[e_lot],
        }
    )
    return Consumption(allocations, remaining, cogs, shortfall, expired)
