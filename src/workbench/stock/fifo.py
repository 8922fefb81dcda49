"""Lot consumption: which lot each issued unit came from (FIFO, FEFO, LIFO).

A *lot* (or cost layer) is a quantity of one SKU received on a date at a unit
cost. Issues (sales, consumption) draw units out of the lots in a fixed order:

* ``"fifo"``: first in, first out, by ``received_date`` (the oldest lot goes first);
* ``"fefo"``: first expired, first out, by ``expiry_date`` (lots without an
  expiry date go after the dated ones, oldest first), the rule for perishables;
* ``"lifo"``: last in, first out, by ``received_date`` descending.

The engine is linear-logarithmic in lots + issues for all SKUs at once (no
Python loop over SKUs, no re-scans). Per SKU, lay the lots end to end on a line
in consumption order: lot *k* occupies ``(L[k-1], L[k]]`` where ``L`` is the
cumulative lot quantity. Lay the issues end to end on the same line: issue *j*
occupies ``(D[j-1], D[j]]``. Merging the two sorted sets of end points cuts the
line into segments that each belong to exactly one lot and one issue; the
quantity of the segment is what that issue took from that lot. The merge is
one ``np.lexsort`` on ``(sku, position)`` for every SKU together (equivalent to
offsetting each SKU's cumulative sums so the concatenation is globally sorted,
without the loss of precision of adding large offsets), and the lot and issue
owning each segment are counted with cumulative sums. Segments past the last
lot are unmet demand (shortfall); segments past the last issue are what
remains of the lots.

Timing convention: the consumption is a *quantity* matching, as in periodic
costing. An issue dated before a lot was received can still draw from that lot
when there is nothing older left (it behaves as a back-order filled from the
next receipt). With no back-orders, periodic and perpetual FIFO agree; LIFO here
is periodic LIFO (see :mod:`workbench.stock.valuation`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["RULES", "Consumption", "consume_lots"]

#: Consumption orders understood by :func:`consume_lots`.
RULES = ("fifo", "fefo", "lifo")

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
    """

    allocations: pd.DataFrame
    remaining: pd.DataFrame
    cogs: pd.DataFrame
    shortfall: pd.DataFrame


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
    lot_code: np.ndarray, lot_qty: np.ndarray, dem_code: np.ndarray, dem_qty: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut lots (sorted by code, in consumption order) against issues (sorted by code, date).

    Returns ``(lot_index, issue_index, quantity)`` per segment; ``lot_index`` is
    -1 for unmet demand and ``issue_index`` -1 for what is left of a lot.
    """
    n_lot, n_dem = len(lot_qty), len(dem_qty)
    lot_end = _group_cumsum(lot_code, lot_qty)
    dem_end = _group_cumsum(dem_code, dem_qty)
    code = np.concatenate([lot_code, dem_code])
    pos = np.concatenate([lot_end, dem_end])
    is_lot = np.concatenate([np.ones(n_lot, np.int64), np.zeros(n_dem, np.int64)])
    order = np.lexsort((1 - is_lot, pos, code))  # ties: the lot end first
    code, pos, is_lot = code[order], pos[order], is_lot[order]
    is_dem = 1 - is_lot
    new_code = np.ones(len(code), bool)
    new_code[1:] = code[1:] != code[:-1]
    prev = np.empty_like(pos)
    prev[0:1] = 0.0
    prev[1:] = pos[:-1]
    prev[new_code] = 0.0
    length = pos - prev
    # how many lot ends / issue ends precede each event within its code
    lots_before = np.cumsum(is_lot) - is_lot
    dems_before = np.cumsum(is_dem) - is_dem
    start = np.flatnonzero(new_code)
    run = np.diff(np.append(start, len(code)))
    k = lots_before - np.repeat(lots_before[start], run)
    j = dems_before - np.repeat(dems_before[start], run)
    lot_first = np.searchsorted(lot_code, code, side="left")
    lot_count = np.searchsorted(lot_code, code, side="right") - lot_first
    dem_first = np.searchsorted(dem_code, code, side="left")
    dem_count = np.searchsorted(dem_code, code, side="right") - dem_first
    lot_index = np.where(k < lot_count, lot_first + k, -1)
    dem_index = np.where(j < dem_count, dem_first + j, -1)
    keep = length > _TINY * np.maximum(1.0, np.abs(pos))
    return lot_index[keep], dem_index[keep], length[keep]


def _lot_order(lots: pd.DataFrame, rule: str) -> pd.DataFrame:
    received = pd.to_datetime(lots["received_date"]) if "received_date" in lots else None
    keys: dict[str, object] = {"_sku": lots["sku"].astype(str)}
    if rule == "fefo" and "expiry_date" in lots:
        expiry = pd.to_datetime(lots["expiry_date"])
        keys["_no_expiry"] = expiry.isna()
        keys["_expiry"] = expiry
    if received is not None:
        keys["_received"] = received
    keys["_row"] = np.arange(len(lots))
    frame = pd.DataFrame(keys, index=lots.index)
    ascending = [True] * len(keys)
    if rule == "lifo":
        ascending = [True] + [False] * (len(keys) - 1)
    order = frame.sort_values(list(keys), ascending=ascending, kind="stable").index
    return lots.loc[order]


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
        for lots without an expiry date.
    period : str
        pandas period alias for the COGS table (``"M"`` month, ``"W"`` week, ``"Q"``,
        ``"Y"``, ``"D"``).
    keep_empty : bool
        Keep used-up lots in ``remaining`` with quantity 0.

    Returns
    -------
    Consumption
        ``allocations`` (the lot each issued unit came from), ``remaining`` lots,
        ``cogs`` per SKU and period, and ``shortfall`` (demand with no stock).

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
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}; got {rule!r}")
    _require_columns(lots, "lots", ("sku", "quantity", "unit_cost"))
    _require_columns(demand, "demand", ("sku", "date", "quantity"))
    lots = _lot_order(lots, rule)
    demand = demand.assign(_sku=demand["sku"].astype(str), _row=np.arange(len(demand)))
    demand = demand.sort_values(["_sku", "date", "_row"], kind="stable")
    lot_qty = lots["quantity"].to_numpy(dtype=float, na_value=np.nan)
    dem_qty = demand["quantity"].to_numpy(dtype=float, na_value=np.nan)
    _check_quantity(lot_qty, "lots.quantity")
    _check_quantity(dem_qty, "demand.quantity")

    lot_sku = lots["sku"].astype(str).to_numpy()
    dem_sku = demand["_sku"].to_numpy()
    codes, uniques = pd.factorize(np.concatenate([lot_sku, dem_sku]), sort=True)
    lot_code, dem_code = codes[: len(lot_sku)], codes[len(lot_sku) :]
    li, di, qty = _match(lot_code, lot_qty, dem_code, dem_qty)

    lot_cost = lots["unit_cost"].to_numpy(dtype=float, na_value=np.nan)
    lot_ids = lots["lot_id"].to_numpy() if "lot_id" in lots else np.arange(len(lots))
    received = (
        pd.to_datetime(lots["received_date"]).to_numpy()
        if "received_date" in lots
        else np.full(len(lots), np.datetime64("NaT"), "datetime64[ns]")
    )
    dem_date = pd.to_datetime(demand["date"]).to_numpy()

    used = (li >= 0) & (di >= 0)
    a_lot, a_dem, a_qty = li[used], di[used], qty[used]
    allocations = pd.DataFrame(
        {
            "sku": pd.array(lot_sku[a_lot], dtype="str"),
            "lot_id": lot_ids[a_lot],
            "date": dem_date[a_dem],
            "quantity": a_qty,
            "unit_cost": lot_cost[a_lot],
            "cost": a_qty * lot_cost[a_lot],
            "received_date": received[a_lot],
        }
    )

    left = (li >= 0) & (di < 0)
    left_qty = np.bincount(li[left], weights=qty[left], minlength=len(lots))
    remaining = lots.reset_index(drop=True).assign(quantity=left_qty)
    remaining["value"] = left_qty * lot_cost
    if not keep_empty:
        remaining = remaining[left_qty > 0].reset_index(drop=True)

    short = li < 0
    shortfall = (
        pd.DataFrame(
            {
                "sku": pd.array(dem_sku[di[short]], dtype="str"),
                "date": dem_date[di[short]],
                "quantity": qty[short],
            }
        )
        .groupby(["sku", "date"], as_index=False, sort=True)["quantity"]
        .sum()
    )

    cogs = (
        allocations.assign(period=allocations["date"].dt.to_period(period))
        .groupby(["sku", "period"], as_index=False, sort=True)
        .agg(quantity=("quantity", "sum"), cogs=("cost", "sum"))
    )
    del uniques
    return Consumption(allocations, remaining, cogs, shortfall)
