"""Replenishment: what to order today, how much, from whom, and what needs attention first.

:func:`replenishment` turns a plan (:func:`workbench.plan`: reorder point s, order-up-to
S, safety stock, forecast daily demand) and the stock (lots on hand, open purchase orders)
into an order list, one row per SKU, and draft purchase orders per supplier. Every rule is
a vectorised array expression over all SKUs; the only loop is over the *rank* of an open
receipt (first, second ... open PO line of a SKU), a handful of passes for any number of
SKUs.

The rules, in order
-------------------
1. **Position.** Inventory position IP = on hand + on order - backorders. On hand is the
   stock at the end of ``as_of`` (:func:`workbench.stock_as_of`: the lots, rolled back
   for an earlier day); on order the PO lines ordered by ``as_of`` and not received by
   then. The data model records no backorders: the column is 0.
2. **Order now** when IP <= s (and the SKU has demand or a positive s) and S - IP > 0.
3. **Need** = S - IP (order up to S).
4. **MOQ and pack.** Quantity = the smallest multiple of ``pack_size`` that is at least
   max(need, ``min_order_qty``).
5. **Price breaks** (all-units discounts, when ``price_breaks`` is given): each break
   quantity above the packed quantity (rounded up to the pack) is a candidate; the
   candidate with the lowest annual cost TC(Q) = D S_o / Q + i p(Q) Q / 2 + p(Q) D
   (Heizer & Render, quantity-discount model [1]) is ordered. The columns also say what
   reaching the next break would save: ``next_break_saving`` = Q_next (p - p_next).
6. **Order-by date** = ``as_of`` + ceil((IP - s) / d) days: the first day at whose end the
   position, falling by the forecast daily demand d, is at or below s (``as_of`` when it
   already is; NaT without demand).
7. **Sells out in**: days until the stock on hand runs out at d a day, counting the open
   receipts: a line arrives on its promised date (blank: order date + the item's lead
   time; an overdue line, or one with neither, is expected the day after ``as_of``) and
   is on the shelf at the start of that day. Infinite without demand.
8. **Lost if we wait**: if nothing is ordered before the next review (R days), the next
   order arrives after R + L days; the units demanded in that horizon while the shelf is
   empty (lost sales, receipts as in 7) and, for items with a price, their revenue.
9. **Exceptions**, most urgent first (``exception`` names the first that applies):
   ``out_of_stock`` (nothing on hand, and demand or a positive s), ``overdue_po`` (an
   open line past its promise), ``below_safety_stock`` (on hand below the plan's safety
   stock), ``over_stocked`` (IP above ``overstock_ratio`` x S) and ``dead_stock_ordered``
   (no demand in the ``dead_days`` days to ``as_of`` but on order, ordered in those days,
   or suggested now).

References
----------
.. [1] Heizer, J. and Render, B. *Operations Management*, 11th ed., ch. 12, quantity
   discount models (all-units discounts: compute TC at each feasible break).
.. [2] Silver, E. A., Pyke, D. F. and Thomas, D. J. *Inventory and Production Management
   in Supply Chains*, 4th ed., ch. 6 (inventory position, order-up-to level).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .._numeric import index_in

__all__ = [
    "EXCEPTIONS",
    "Replenishment",
    "assemble_replenishment",
    "replenishment",
    "replenishment_lines",
]

#: Exceptions of :func:`replenishment`, most urgent first.
EXCEPTIONS = (
    "out_of_stock",
    "overdue_po",
    "below_safety_stock",
    "over_stocked",
    "dead_stock_ordered",
)

_EPS = 1e-9  # a need of 3.0000000001 packs is 3 packs, not 4 (float noise)


class Replenishment(NamedTuple):
    """Result of :func:`replenishment`.

    Attributes
    ----------
    lines : pandas.DataFrame
        One row per SKU, indexed by ``sku``, exceptions first, then the SKUs to order now
        (earliest order-by date first), then the rest (columns: :func:`replenishment`).
    draft_orders : pandas.DataFrame
        One row per supplier with a suggested line, indexed by ``supplier_id``:
        ``name``, ``lines``, ``units``, ``value`` [$], ``min_order_value`` [$] (NaN
        when the data has none; ``suppliers.min_order_value``), ``below_min_order_value``
        and ``short_of_min_order_value`` [$] (what the order lacks to reach the minimum, 0
        when it does or there is none). Lines of items with no supplier are under
        ``"(none)"``.
    as_of : pandas.Timestamp
        The day the list is made for (end of day).
    notes : tuple of str
        What was assumed and what is missing.
    """

    lines: pd.DataFrame
    draft_orders: pd.DataFrame
    as_of: pd.Timestamp
    notes: tuple[str, ...]


def _coder(skus: pd.Index):
    """A function giving each value's position in ``skus`` (-1 if absent), the hash
    table of ``skus`` built once (:func:`workbench._numeric.index_in` builds it per
    call)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        value_set = pa.array(np.asarray(skus, dtype=object), type=pa.large_string())
        opts = pc.SetLookupOptions(value_set)

        def codes(values: pd.Series) -> np.ndarray:
            chunked = getattr(values.astype("str").array, "_pa_array", None)
            if chunked is None:
                return index_in(values.astype("str"), skus)
            found = pc.index_in(chunked.cast(pa.large_string()), options=opts)
            return np.asarray(found.fill_null(-1).to_numpy(), dtype=np.int64)

        return codes
    except Exception:  # no pyarrow: pandas
        return lambda values: index_in(values.astype("str"), skus)


def _col(frame: pd.DataFrame, name: str, default: float, n: int) -> np.ndarray:
    if name in frame.columns:
        out = frame[name].to_numpy(dtype=float, na_value=np.nan)
        return np.where(np.isnan(out), default, out)
    return np.full(n, default)


def _round_up(qty: np.ndarray, pack: np.ndarray) -> np.ndarray:
    """Smallest multiple of ``pack`` >= ``qty`` (float noise of 1e-9 pack ignored)."""
    return np.ceil(qty / pack - _EPS) * pack


def _price_candidates(
    code: np.ndarray,
    qty: np.ndarray,
    breaks: pd.DataFrame,
    skus: pd.Index,
    base_price: np.ndarray,
    pack: np.ndarray,
    annual: np.ndarray,
    order_cost: np.ndarray,
    rate: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Chosen quantity and price, and the next break's quantity, price and saving, for
    the SKU codes ``code`` ordering ``qty`` (all arrays aligned with ``code``)."""
    bcode = index_in(breaks["sku"].astype("str"), skus)
    bq = breaks["min_qty"].to_numpy(dtype=float)
    bp = breaks["unit_cost"].to_numpy(dtype=float)
    ok = bcode >= 0
    pos_of = np.full(len(skus), -1)
    pos_of[code] = np.arange(len(code))
    row = pos_of[bcode[ok]]
    on = row >= 0
    b = pd.DataFrame({"row": row[on], "min_qty": bq[ok][on], "price": bp[ok][on]})
    # price at a quantity: the lowest of the base price and every break at or below it
    b = b.sort_values(["row", "min_qty"], kind="stable")
    b["price"] = np.minimum(b.groupby("row")["price"].cummin(), base_price[b["row"]])
    n = len(code)
    rows_all = np.arange(n)
    cand_row = np.concatenate([rows_all, b["row"].to_numpy()])
    b_q = _round_up(b["min_qty"].to_numpy(), pack[b["row"].to_numpy()])
    cand_q = np.concatenate([qty, b_q])
    keep = cand_q >= qty[cand_row] - _EPS
    cand_row, cand_q = cand_row[keep], cand_q[keep]
    price = _price_at(cand_row, cand_q, b, base_price)
    with np.errstate(divide="ignore", invalid="ignore"):
        tc = (
            annual[cand_row] * order_cost[cand_row] / cand_q
            + rate[cand_row] * price * cand_q / 2
            + price * annual[cand_row]
        )
    tc = np.where(np.isnan(tc), np.inf, tc)
    # lowest cost per row; ties to the smaller quantity
    order = np.lexsort((cand_q, tc, cand_row))
    first = np.ones(len(order), bool)
    first[1:] = cand_row[order][1:] != cand_row[order][:-1]
    best = order[first]
    chosen_q = qty.copy()
    chosen_p = base_price.copy()
    chosen_q[cand_row[best]] = cand_q[best]
    chosen_p[cand_row[best]] = price[best]
    # next break above the chosen quantity
    nxt_q = np.full(n, np.nan)
    nxt_p = np.full(n, np.nan)
    above = b_q > chosen_q[b["row"].to_numpy()] + _EPS
    bb = pd.DataFrame({"row": b["row"].to_numpy()[above], "q": b_q[above]})
    if len(bb):
        bb["p"] = _price_at(bb["row"].to_numpy(), bb["q"].to_numpy(), b, base_price)
        firsts = bb.sort_values(["row", "q"], kind="stable").groupby("row").first()
        nxt_q[firsts.index] = firsts["q"].to_numpy()
        nxt_p[firsts.index] = firsts["p"].to_numpy()
    saving = nxt_q * (chosen_p - nxt_p)
    return chosen_q, chosen_p, nxt_q, nxt_p, saving


def _price_at(
    row: np.ndarray, q: np.ndarray, b: pd.DataFrame, base_price: np.ndarray
) -> np.ndarray:
    """All-units price of row ``row`` at quantity ``q``: the (cumulative-minimum) price
    of the largest break at or below q, else the base price."""
    left = pd.DataFrame({"row": row, "q": q, "i": np.arange(len(row))}).sort_values("q")
    right = b.rename(columns={"min_qty": "q"}).sort_values("q")
    got = pd.merge_asof(left, right, on="q", by="row", direction="backward")
    out = np.empty(len(row))
    out[got["i"].to_numpy()] = got["price"].to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(out), base_price[row], out)


def _receipt_pass(
    on_hand: np.ndarray,
    d: np.ndarray,
    tau: np.ndarray,
    qty: np.ndarray,
    horizon: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Days until the shelf first runs out, and units lost in ``[0, horizon]`` days.

    ``tau`` and ``qty`` are (n, k) matrices of receipt times (days from the end of
    ``as_of``, inf for none) and quantities, sorted by time in each row. Lost sales:
    once empty, the shelf stays empty until the next receipt. A loop over the k
    receipt ranks, vectorised across SKUs.
    """
    n, k = tau.shape
    stock = on_hand.astype(float).copy()
    t = np.zeros(n)
    sells_out = np.full(n, np.inf)
    lost = np.zeros(n)
    tau_all = np.concatenate([tau, np.full((n, 1), np.inf)], axis=1)
    qty_all = np.concatenate([qty, np.zeros((n, 1))], axis=1)
    done = np.zeros(n, bool)  # past the last receipt: the rest was counted
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(k + 1):
            seg_end = tau_all[:, j]
            run_out = np.where(d > 0, t + stock / d, np.inf)
            first = np.isinf(sells_out) & (run_out < seg_end)
            sells_out = np.where(first, run_out, sells_out)
            h_end = np.minimum(seg_end, horizon)
            short = ~done & (h_end > run_out)
            lost += np.where(short, d * (h_end - np.maximum(run_out, t)), 0.0)
            done |= np.isinf(seg_end)
            used = np.where(np.isinf(seg_end), 0.0, d * (seg_end - t))
            stock = np.maximum(stock - np.nan_to_num(used), 0.0)
            t = np.where(np.isinf(seg_end), t, seg_end)
            stock = stock + qty_all[:, j]
    return sells_out, lost


def replenishment(
    dataset,
    scenario=None,
    *,
    as_of=None,
    plan: pd.DataFrame | None = None,
    price_breaks: pd.DataFrame | None = None,
    overstock_ratio: float = 2.0,
    dead_days: int = 180,
) -> Replenishment:
    """Today's order list: one row per SKU, exceptions first, and draft POs per supplier.

    Parameters
    ----------
    dataset : workbench.Dataset
        ``items`` and ``demand``; ``lots`` (stock on hand), ``purchase_orders`` (open
        orders) and ``suppliers`` (names) when present.
    scenario : Scenario, optional
        The plan's parameters (service targets, policy, review period ...); default
        ``Scenario()``. Ignored when ``plan`` is given.
    as_of : date-like, optional
        The day (end of day); default the last day of the demand history.
    plan : pandas.DataFrame, optional
        A plan already made (:func:`workbench.plan`, indexed by sku); default
        ``wb.plan(dataset, scenario, as_of=as_of)``. Columns used: ``reorder_point``,
        ``order_up_to``, ``safety_stock``, ``daily_mean``, ``annual_demand``,
        ``lead_time_days``, ``review_period_days``, ``order_cost``, ``abc``.
    price_breaks : pandas.DataFrame, optional
        All-units price breaks: columns ``sku``, ``min_qty`` [units] and ``unit_cost``
        [$/unit] (the price of every unit of an order of at least ``min_qty``). The
        item's ``unit_cost`` applies below the first break.
    overstock_ratio : float, default 2.0
        A SKU is over-stocked when its position exceeds this multiple of S [-].
    dead_days : int, default 180
        No demand in this many days ending ``as_of`` is dead stock [days].

    Returns
    -------
    Replenishment
        ``lines`` has, per SKU: ``name``, ``supplier_id``, ``abc``, ``inventory_type``;
        ``on_hand``, ``on_order``, ``backorders``, ``inventory_position`` [units];
        ``safety_stock``, ``reorder_point``, ``order_up_to`` [units] (from the plan);
        ``daily_demand`` [units/day]; ``order_now`` (bool); ``need`` = S - IP,
        ``min_order_qty``, ``pack_size``, ``qty_after_moq``, ``qty_after_pack``,
        ``suggested_qty`` [units] and ``rounded_by`` (the step that set the quantity:
        "need", "moq", "pack" or "price_break"; "" when nothing is ordered);
        ``unit_price`` [$/unit], ``order_value`` [$]; ``next_break_qty`` [units],
        ``next_break_price`` [$/unit], ``next_break_saving`` [$] (NaN without a next
        break); ``position_after_order`` [units]; ``order_by`` (date);
        ``sells_out_in_days`` [days]; ``lost_units_if_wait`` [units],
        ``lost_revenue_if_wait`` [$] (NaN without a price); one bool column per
        :data:`EXCEPTIONS`, ``exception`` (the first, "" for none).
        See :class:`Replenishment` for ``draft_orders``.

    Raises
    ------
    ValueError
        If ``overstock_ratio`` is not > 1, ``dead_days`` not a whole number > 0, or
        ``price_breaks`` lacks a column or has a negative or missing value.

    Notes
    -----
    The rules and their order are in the module docstring. Every figure is in units
    of the items table; the plan's demand is per day (``daily_mean``).

    Examples
    --------
    One SKU: s = 20, S = 60, 12 on hand, 5 on order: IP = 17 <= 20, need 43, MOQ 50,
    packs of 12 -> 60.

    >>> import pandas as pd
    >>> import workbench as wb
    >>> ds = wb.Dataset.from_tables({
    ...     "items": pd.DataFrame({"sku": ["a"], "inventory_type": ["raw_material"],
    ...         "unit_cost": [2.0], "lead_time_days": [5.0], "min_order_qty": [50.0],
    ...         "pack_size": [12.0]}),
    ...     "demand": pd.DataFrame({"date": pd.to_datetime(["2026-01-01", "2026-01-31"]),
    ...                             "sku": "a", "quantity": [1.0, 1.0]}),
    ...     "lots": pd.DataFrame({"sku": ["a"], "lot_id": ["L1"], "quantity": [12.0],
    ...         "received_date": pd.to_datetime(["2026-01-20"])}),
    ...     "purchase_orders": pd.DataFrame({"po_id": ["P1"], "sku": ["a"],
    ...         "order_date": pd.to_datetime(["2026-01-30"]),
    ...         "promised_date": pd.to_datetime(["2026-02-04"]), "quantity": [5.0]})})
    >>> plan = pd.DataFrame({"reorder_point": [20.0], "order_up_to": [60.0],
    ...     "safety_stock": [5.0], "daily_mean": [3.0]}, index=pd.Index(["a"], name="sku"))
    >>> row = wb.replenishment(ds, plan=plan).lines.loc["a"]
    >>> float(row["need"]), float(row["qty_after_moq"]), float(row["suggested_qty"])
    (43.0, 50.0, 60.0)
    >>> row["rounded_by"]
    'pack'
    """
    from ..stock.review import _history_end

    _checked_args(overstock_ratio, dead_days)
    end = pd.Timestamp(as_of) if as_of is not None else _history_end(dataset)
    if plan is None:
        from ..scenario import plan as make_plan

        plan = make_plan(dataset, scenario, as_of=as_of)
    lines = replenishment_lines(
        dataset,
        plan,
        as_of=end,
        price_breaks=price_breaks,
        overstock_ratio=overstock_ratio,
        dead_days=dead_days,
    )
    return assemble_replenishment(
        lines, dataset.suppliers, end, price_breaks_given=price_breaks is not None
    )


def replenishment_lines(
    dataset,
    plan: pd.DataFrame,
    *,
    as_of,
    price_breaks: pd.DataFrame | None = None,
    overstock_ratio: float = 2.0,
    dead_days: int = 180,
) -> pd.DataFrame:
    """The lines of :func:`replenishment`, one row per SKU in items order (not sorted).

    The per-SKU step of :func:`replenishment`, with the plan made and the day fixed:
    every figure of a line depends on its own SKU's plan, stock, open orders, price
    breaks and demand only, so the lines of a catalog can be made part by part
    (:func:`workbench.partition.part_replenishment`) and put together with
    :func:`assemble_replenishment`.

    Parameters
    ----------
    dataset : workbench.Dataset
        As for :func:`replenishment`.
    plan : pandas.DataFrame
        As for :func:`replenishment` (indexed by sku, or with a ``sku`` column).
    as_of : date-like
        The day (end of day).
    price_breaks, overstock_ratio, dead_days
        As for :func:`replenishment`.

    Returns
    -------
    pandas.DataFrame
        The columns of ``Replenishment.lines``, indexed by sku in items order.
    """
    ratio = _checked_args(overstock_ratio, dead_days)
    from ..stock.review import _history_end, stock_as_of

    end = pd.Timestamp(as_of)
    items = dataset.items
    skus = pd.Index(items["sku"].astype(str).to_numpy(), name="sku")
    n = len(skus)
    p = plan.set_index("sku") if "sku" in plan.columns else plan
    p = p.set_axis(p.index.astype(str)).reindex(skus)
    s = _col(p, "reorder_point", np.nan, n)
    big_s = _col(p, "order_up_to", np.nan, n)
    big_s = np.where(np.isnan(big_s), s, big_s)
    ss = _col(p, "safety_stock", 0.0, n)
    d = _col(p, "daily_mean", 0.0, n)
    annual = _col(p, "annual_demand", np.nan, n)
    annual = np.where(np.isnan(annual), d * 365.0, annual)
    review = np.maximum(_col(p, "review_period_days", 1.0, n), 1.0)
    lead_plan = _col(p, "lead_time_days", np.nan, n)
    item_lead = _col(items, "lead_time_days", np.nan, n)
    lead = np.where(np.isnan(lead_plan), item_lead, lead_plan)
    unplanned = np.isnan(s)

    # 1. position
    codes_of = _coder(skus)
    on_hand = _on_hand(dataset, end, skus, stock_as_of, _history_end, codes_of)
    on_order = np.zeros(n)
    overdue = np.zeros(n, bool)
    recent_po = np.zeros(n, bool)
    r_code = np.zeros(0, np.int64)
    r_tau = np.zeros(0)
    r_qty = np.zeros(0)
    po = dataset.purchase_orders
    if po is not None and len(po):
        ordered = pd.to_datetime(po["order_date"])
        received = pd.to_datetime(po["received_date"])
        placed = (ordered <= end).to_numpy()
        open_ = placed & (received.isna() | (received > end)).to_numpy()
        code = codes_of(po["sku"])
        recent = placed & (ordered > end - pd.Timedelta(days=dead_days)).to_numpy() & (code >= 0)
        recent_po[code[recent]] = True
        sel = open_ & (code >= 0)
        r_code = code[sel]
        r_qty = po["quantity"].to_numpy(dtype=float, na_value=0.0)[sel]
        on_order = np.bincount(r_code, weights=r_qty, minlength=n)
        promised = pd.to_datetime(po["promised_date"]).to_numpy()[sel].astype("datetime64[ns]")
        o = ordered.to_numpy()[sel].astype("datetime64[ns]")
        lt = item_lead[r_code]
        guess = o + np.round(np.nan_to_num(lt) * 86400e9).astype("timedelta64[ns]")
        arrive = np.where(np.isnat(promised), guess, promised)
        arrive = np.where(np.isnat(promised) & np.isnan(lt), np.datetime64("NaT"), arrive)
        end64 = np.datetime64(end.to_datetime64(), "ns")
        late = ~np.isnat(arrive) & (arrive < end64)
        overdue[r_code[late]] = True
        days = (arrive - end64) / np.timedelta64(1, "D")
        # on the shelf at the start of its day: (days - 1) after the end of as_of
        r_tau = np.where(np.isnan(days), 0.0, np.maximum(np.ceil(days) - 1.0, 0.0))
    backorders = np.zeros(n)
    position = on_hand + on_order - backorders

    # 2-4. order now, need, MOQ and pack
    moq = np.maximum(_col(items, "min_order_qty", 1.0, n), 0.0)
    pack = _col(items, "pack_size", 1.0, n)
    pack = np.where(pack > 0, pack, 1.0)
    raw_need = big_s - position
    order_now = (
        ~unplanned & (position <= s) & ((s > 0) | (d > 0)) & (np.nan_to_num(raw_need) > _EPS)
    )
    need = np.where(order_now, raw_need, 0.0)
    after_moq = np.where(order_now, np.maximum(need, moq), 0.0)
    after_pack = np.where(order_now, _round_up(after_moq, pack), 0.0)

    # 5. price breaks
    base_price = _col(items, "unit_cost", np.nan, n)
    qty = after_pack.copy()
    price = base_price.copy()
    nxt_q = np.full(n, np.nan)
    nxt_p = np.full(n, np.nan)
    saving = np.full(n, np.nan)
    if price_breaks is not None:
        _check_breaks(price_breaks)
        rows = np.flatnonzero(order_now)
        rate = _col(items, "holding_cost_rate", 0.25, n)
        oc = _col(p, "order_cost", np.nan, n)
        oc = np.where(np.isnan(oc), _col(items, "order_cost", 50.0, n), oc)
        q_c, p_c, nq, np_, sv = _price_candidates(
            rows, after_pack[rows], price_breaks, skus, base_price[rows], pack[rows],
            annual[rows], oc[rows], rate[rows],
        )  # fmt: skip
        qty[rows], price[rows] = q_c, p_c
        nxt_q[rows], nxt_p[rows], saving[rows] = nq, np_, sv
    rounded_by = np.select(
        [~order_now, qty > after_pack + _EPS, after_pack > after_moq + _EPS, moq > need],
        ["", "price_break", "pack", "moq"],
        "need",
    )
    # the MOQ step may also have been overtaken by the pack: "pack" when packing added units

    # 6. order-by date
    with np.errstate(divide="ignore", invalid="ignore"):
        days_to_s = np.where(d > 0, np.ceil((position - s) / d - _EPS), np.nan)
    days_to_s = np.where(position <= s, 0.0, days_to_s)
    days_to_s = np.where(unplanned, np.nan, days_to_s)
    order_by = end + pd.to_timedelta(days_to_s, unit="D")

    # 7-8. sells out in, lost if we wait
    if len(r_code):
        order = np.lexsort((r_tau, r_code))
        rc, rt, rq = r_code[order], r_tau[order], r_qty[order]
        counts = np.bincount(rc, minlength=n)
        rank = np.arange(len(rc)) - (np.cumsum(counts) - counts)[rc]
        k = int(counts.max())
        tau_m = np.full((n, k), np.inf)
        qty_m = np.zeros((n, k))
        tau_m[rc, rank] = rt
        qty_m[rc, rank] = rq
    else:
        tau_m, qty_m = np.zeros((n, 0)), np.zeros((n, 0))
    horizon = review + np.nan_to_num(lead)
    sells_out, lost = _receipt_pass(np.maximum(on_hand, 0.0), d, tau_m, qty_m, horizon)
    sale_price = _col(items, "price", np.nan, n)

    # 9. exceptions
    demand = dataset.demand
    dd = pd.to_datetime(demand["date"])
    window = ((dd > end - pd.Timedelta(days=dead_days)) & (dd <= end)).to_numpy()
    window = window & (demand["quantity"].to_numpy(dtype=float, na_value=0.0) > 0)
    sold_recently = _sold_in(demand["sku"], window, codes_of, n)
    flags = {
        "out_of_stock": (on_hand <= 0) & ((d > 0) | (np.nan_to_num(s) > 0)),
        "overdue_po": overdue,
        "below_safety_stock": (on_hand > 0) & (on_hand < ss),
        "over_stocked": (big_s > 0) & (position > ratio * big_s),
        "dead_stock_ordered": ~sold_recently & ((on_order > 0) | recent_po | (qty > 0)),
    }
    first = np.select([flags[e] for e in EXCEPTIONS], list(EXCEPTIONS), "")

    sup = (
        items["supplier_id"].astype(object).to_numpy()
        if "supplier_id" in items.columns
        else np.full(n, None, dtype=object)
    )
    lines = pd.DataFrame(
        {
            "name": items["name"].astype(object).to_numpy() if "name" in items else "",
            "supplier_id": sup,
            "abc": p["abc"].astype(object).to_numpy() if "abc" in p.columns else None,
            "inventory_type": items["inventory_type"].astype(object).to_numpy()
            if "inventory_type" in items
            else None,
            "on_hand": on_hand,
            "on_order": on_order,
            "backorders": backorders,
            "inventory_position": position,
            "safety_stock": ss,
            "reorder_point": s,
            "order_up_to": big_s,
            "daily_demand": d,
            "order_now": order_now,
            "need": need,
            "min_order_qty": moq,
            "pack_size": pack,
            "qty_after_moq": after_moq,
            "qty_after_pack": after_pack,
            "suggested_qty": qty,
            "rounded_by": rounded_by,
            "unit_price": price,
            "order_value": qty * np.nan_to_num(price),
            "next_break_qty": nxt_q,
            "next_break_price": nxt_p,
            "next_break_saving": saving,
            "position_after_order": position + qty,
            "order_by": order_by,
            "sells_out_in_days": sells_out,
            "lost_units_if_wait": lost,
            "lost_revenue_if_wait": lost * sale_price,
            **flags,
            "exception": first,
        },
        index=skus,
    )
    return lines


def assemble_replenishment(
    lines: pd.DataFrame,
    suppliers: pd.DataFrame | None,
    as_of,
    *,
    price_breaks_given: bool = False,
) -> Replenishment:
    """Sort the lines, write the notes and group the draft POs: the last step of
    :func:`replenishment`, also where lines made part by part come together.

    Parameters
    ----------
    lines : pandas.DataFrame
        :func:`replenishment_lines` of every SKU, in items order.
    suppliers : pandas.DataFrame or None
        The suppliers table (names, ``min_order_value``).
    as_of : date-like
        The day the lines were made for.
    price_breaks_given : bool
        Whether price breaks were given (a note says so when not).

    Returns
    -------
    Replenishment
        Lines sorted exceptions first (most urgent first), then the SKUs to order now
        (earliest order-by date first), then the rest, ties in items order.
    """
    end = pd.Timestamp(as_of)
    n = len(lines)
    rank_e = np.full(n, 99)
    for i, e in enumerate(EXCEPTIONS):
        rank_e[(lines["exception"] == e).to_numpy()] = i
    order_now = lines["order_now"].to_numpy(dtype=bool)
    days_to_s = ((lines["order_by"] - end) / pd.Timedelta(days=1)).to_numpy(
        dtype=float, na_value=np.nan
    )
    sort = np.lexsort((np.arange(n), np.nan_to_num(days_to_s, nan=np.inf), ~order_now, rank_e))
    lines = lines.iloc[sort]
    notes: list[str] = []
    unplanned = int(lines["reorder_point"].isna().sum())
    if unplanned:
        notes.append(
            f"{unplanned:,} SKUs have no reorder point in the plan (e.g. no lead "
            "time): not ordered."
        )
    notes.append("The data model records no backorders: counted as 0.")
    if not price_breaks_given:
        notes.append("No price breaks given: every line at the item's unit_cost.")
    for e in EXCEPTIONS:
        count = int(lines[e].sum())
        if count:
            notes.append(f"{count:,} SKUs {e.replace('_', ' ')}.")
    return Replenishment(lines, _draft_orders(lines, suppliers), end, tuple(notes))


def _sold_in(sku: pd.Series, window: np.ndarray, codes_of, n: int) -> np.ndarray:
    """Whether each SKU has a demand row flagged in ``window`` (bool per SKU).

    A demand table grouped by SKU (as the loader and most exports order it) is read by
    runs of equal SKUs: one string comparison of neighbours, one lookup per run and a
    logical-or per run, instead of selecting and looking up millions of rows (about a
    third of the time on 5 million rows). Other tables: the rows in the window looked up.
    """
    chunked = getattr(sku.array, "_pa_array", None)
    m = len(sku)
    if chunked is not None and m > 1:
        import pyarrow.compute as pc

        arr = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)

        def changes(stop: int) -> np.ndarray:
            diff = pc.not_equal(arr.slice(1, stop - 1), arr.slice(0, stop - 1)).fill_null(True)
            return np.concatenate([[True], diff.to_numpy(zero_copy_only=False)])

        probe = min(m, 65_536)
        if changes(probe).sum() <= probe // 8:  # long runs at the start: try them all
            starts = np.flatnonzero(changes(m))
            if len(starts) <= m // 8:
                head = codes_of(sku.iloc[starts])
                sold = np.logical_or.reduceat(window, starts) & (head >= 0)
                out = np.zeros(n, bool)
                out[head[sold]] = True
                return out
    code = codes_of(sku[window])
    return np.bincount(code[code >= 0], minlength=n) > 0


def _checked_args(overstock_ratio: float, dead_days: int) -> float:
    """The over-stock ratio as a float; ValueError for a bad ratio or dead-days window."""
    ratio = float(overstock_ratio)
    if not ratio > 1:
        raise ValueError(f"overstock_ratio must be > 1 [-]; got {overstock_ratio!r}")
    if not (isinstance(dead_days, int | np.integer) and dead_days > 0):
        raise ValueError(f"dead_days must be a whole number > 0 [days]; got {dead_days!r}")
    return ratio


def _on_hand(dataset, end, skus, stock_as_of, history_end, codes_of) -> np.ndarray:
    """Units on hand per SKU at the end of ``end``: :func:`workbench.stock_as_of`; on or
    after the lots' snapshot its sum of the lots received by then, computed here with one
    hash lookup and a bincount (the same figure, faster on 100,000 SKUs)."""
    lots = dataset.lots
    if lots is not None and len(lots) and end < history_end(dataset):
        return stock_as_of(dataset, end).by_sku["on_hand_units"].to_numpy(dtype=float)
    n = len(skus)
    if lots is None or len(lots) == 0:
        return np.zeros(n)
    code = codes_of(lots["sku"])
    ok = code >= 0
    if "received_date" in lots.columns:
        ok &= ~(pd.to_datetime(lots["received_date"]) > end).to_numpy()
    qty = lots["quantity"].to_numpy(dtype=float, na_value=0.0)
    return np.bincount(code[ok], weights=qty[ok], minlength=n)


def _check_breaks(breaks: pd.DataFrame) -> None:
    missing = [c for c in ("sku", "min_qty", "unit_cost") if c not in breaks.columns]
    if missing:
        raise ValueError(
            f"price_breaks must have columns sku, min_qty [units], unit_cost [$/unit]; "
            f"missing {', '.join(missing)}"
        )
    for c, unit in (("min_qty", "units"), ("unit_cost", "$/unit")):
        v = pd.to_numeric(breaks[c], errors="coerce").to_numpy(dtype=float)
        bad = np.isnan(v) | (v < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"price_breaks.{c} must be a number >= 0 [{unit}]; got "
                f"{breaks[c].iloc[i]!r} in row {i + 1}"
            )


def _draft_orders(lines: pd.DataFrame, suppliers: pd.DataFrame | None) -> pd.DataFrame:
    buy = lines.loc[lines["suggested_qty"] > 0]
    sup = buy["supplier_id"].astype(object).where(buy["supplier_id"].notna(), "(none)")
    g = buy.groupby(sup.to_numpy(), sort=True)
    out = pd.DataFrame(
        {
            "lines": g.size(),
            "units": g["suggested_qty"].sum(),
            "value": g["order_value"].sum(),
        }
    )
    out.index.name = "supplier_id"
    names = pd.Series("", index=out.index, dtype=object)
    mov = pd.Series(np.nan, index=out.index)
    if suppliers is not None:
        sx = suppliers.set_index(suppliers["supplier_id"].astype(str))
        if "name" in sx.columns:
            names = sx["name"].astype(object).reindex(out.index).fillna("")
        if "min_order_value" in sx.columns:
            mov = pd.to_numeric(sx["min_order_value"], errors="coerce").reindex(out.index)
    out.insert(0, "name", names.to_numpy())
    out["min_order_value"] = mov.to_numpy(dtype=float)
    out["below_min_order_value"] = (out["value"] < out["min_order_value"]).to_numpy()
    out["short_of_min_order_value"] = np.where(
        out["below_min_order_value"], out["min_order_value"] - out["value"], 0.0
    )
    return out
