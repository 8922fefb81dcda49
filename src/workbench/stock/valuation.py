"""Inventory valuation: COGS and closing stock under FIFO, weighted average and LIFO.

Over a period each SKU starts with an opening stock (one or more cost layers),
receives purchases and issues units. Every costing method splits the same cost of
goods available between what was sold (COGS) and what is left (closing
inventory), so for every method and every SKU

    opening value + purchases = COGS + closing value.

They differ in *which* costs go to COGS:

* **FIFO** charges the oldest costs first; the closing stock carries the latest costs.
* **LIFO** (periodic, ``"lifo"``) charges the latest costs of the period first; the
  closing stock carries the oldest costs (allowed under US GAAP, not under IFRS).
* **Perpetual LIFO** (``"lifo_perpetual"``) charges each issue the newest layers on
  hand on its date, so a layer received after a sale is never charged to it.
* **Weighted average** (periodic) charges every unit the average cost of goods
  available, (opening value + purchases) / (opening units + purchased units).
* **Moving average** (perpetual) recomputes the average after each receipt and
  charges each issue the average on its date.

When purchase prices rise, FIFO gives the lowest COGS, hence the highest gross
profit and the highest closing inventory; LIFO the opposite; the averages fall
in between. When prices fall the order reverses. (Kieso, Weygandt & Warfield,
*Intermediate Accounting*, ch. 8.)

One ledger rule for every method:

* **Order of events.** Opening layers come before every purchase and issue of their
  SKU (undated ones the day before the SKU's first event); on one day receipts come
  before issues; same-day receipts, and opening rows, are received in row order
  (LIFO takes the later row first, FIFO the earlier).
* **A sale before its receipt is a backorder.** An issue larger than the stock on
  hand waits for the period's next receipts, which fill it first, at their own cost;
  only what no receipt of the period covers is ``shortfall_units`` (not costed).
  So every method leaves the same closing units, opening + purchases -
  min(issued, opening + purchases), and differs only in their cost.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .fifo import _check_quantity, _require_columns, consume_lots

__all__ = [
    "VALUATION_METHODS",
    "Movements",
    "ValuationComparison",
    "compare_valuation",
    "inventory_valuation",
    "period_movements",
]

#: Costing methods understood by :func:`inventory_valuation`.
VALUATION_METHODS = ("fifo", "weighted_average", "lifo", "lifo_perpetual", "moving_average")
#: The methods as the explanation names them (an accountant's words, not the codes).
METHOD_NAMES = {
    "fifo": "FIFO",
    "weighted_average": "Weighted average",
    "lifo": "Periodic LIFO",
    "lifo_perpetual": "Perpetual LIFO",
    "moving_average": "Moving average",
}

_COLUMNS = [
    "sku",
    "method",
    "opening_units",
    "opening_value",
    "purchased_units",
    "purchases_value",
    "issued_units",
    "cogs_units",
    "cogs",
    "closing_units",
    "closing_value",
    "shortfall_units",
    "closing_unit_cost",
]


class ValuationComparison(NamedTuple):
    """Result of :func:`compare_valuation`.

    Attributes
    ----------
    by_sku : pandas.DataFrame
        One row per SKU and method, the columns of :func:`inventory_valuation`.
    totals : pandas.DataFrame
        Indexed by method: ``opening_value``, ``purchases_value``, ``cogs``,
        ``closing_value`` [$], plus ``revenue`` and ``gross_profit`` [$] when
        prices were given.
    explanation : str
        Why the methods differ on this data (price trend and ranking).
    """

    by_sku: pd.DataFrame
    totals: pd.DataFrame
    explanation: str


def _dates(frame: pd.DataFrame, name: str) -> pd.Series:
    if "date" in frame:
        return pd.to_datetime(frame["date"])
    if "received_date" in frame:
        return pd.to_datetime(frame["received_date"])
    raise ValueError(f"{name} must have a 'date' (or 'received_date') column")


def _layers(
    opening: pd.DataFrame | None, purchases: pd.DataFrame, sold: pd.DataFrame
) -> pd.DataFrame:
    """Opening layers (first) and purchases as one lots table ordered by receipt.

    Every opening layer is dated before every event (purchase or issue) of its own
    SKU: an undated layer the day before the SKU's first event, a dated one no later
    than that (layers clamped to the same day keep their row order).
    """
    _require_columns(purchases, "purchases", ("sku", "quantity", "unit_cost"))
    p_date = _dates(purchases, "purchases")
    buys = pd.DataFrame(
        {
            "sku": purchases["sku"].astype("str").array,
            "received_date": p_date.to_numpy(),
            "quantity": purchases["quantity"].to_numpy(dtype=float, na_value=np.nan),
            "unit_cost": purchases["unit_cost"].to_numpy(dtype=float, na_value=np.nan),
            "_opening": False,
        }
    )
    if opening is None or len(opening) == 0:
        layers = buys
    else:
        _require_columns(opening, "opening", ("sku", "quantity", "unit_cost"))
        o_sku = opening["sku"].astype("str")
        # each SKU's first event, purchases and issues alike
        events = pd.concat(
            [
                buys[["sku", "received_date"]],
                sold[["sku", "date"]].set_axis(["sku", "received_date"], axis=1),
            ],
            ignore_index=True,
        )
        first = pd.to_datetime(events["received_date"]).groupby(events["sku"]).min()
        fallback = first.min() if len(first) and pd.notna(first.min()) else None
        fallback = pd.Timestamp("2000-01-01") if fallback is None else fallback
        # a SKU with no event of its own: any date will do, its layers meet nothing
        own = pd.Series(
            pd.to_datetime(first.reindex(o_sku.to_numpy()).to_numpy()), index=opening.index
        ).fillna(fallback)
        before = own - pd.Timedelta(days=1)
        given = (
            pd.to_datetime(opening["received_date"])
            if "received_date" in opening
            else pd.Series(pd.NaT, index=opening.index, dtype="datetime64[ns]")
        )
        # opening layers always go before the SKU's own purchases and issues
        o_date = given.where(given < own, before)
        layers = pd.concat(
            [
                pd.DataFrame(
                    {
                        "sku": o_sku.array,
                        "received_date": o_date.to_numpy(),
                        "quantity": opening["quantity"].to_numpy(dtype=float, na_value=np.nan),
                        "unit_cost": opening["unit_cost"].to_numpy(dtype=float, na_value=np.nan),
                        "_opening": True,
                    }
                ),
                buys,
            ],
            ignore_index=True,
        )
    _check_quantity(layers["quantity"].to_numpy(), "opening/purchases quantity")
    cost = layers["unit_cost"].to_numpy()
    if np.any(np.isnan(cost)) or np.any(cost < 0):
        raise ValueError("unit_cost must be a number >= 0 [$/unit] in opening and purchases")
    layers["lot_id"] = np.arange(len(layers))
    return layers


def _issues(issues: pd.DataFrame) -> pd.DataFrame:
    _require_columns(issues, "issues", ("sku", "quantity"))
    out = pd.DataFrame(
        {
            "sku": issues["sku"].astype("str").array,
            "date": _dates(issues, "issues").to_numpy(),
            "quantity": issues["quantity"].to_numpy(dtype=float, na_value=np.nan),
        }
    )
    _check_quantity(out["quantity"].to_numpy(), "issues.quantity")
    return out


def _base(layers: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """Per-SKU opening, purchases and issued totals (every SKU seen in either)."""
    value = layers["quantity"] * layers["unit_cost"]
    frame = pd.DataFrame(
        {
            "sku": layers["sku"],
            "opening_units": layers["quantity"].where(layers["_opening"], 0.0),
            "opening_value": value.where(layers["_opening"], 0.0),
            "purchased_units": layers["quantity"].where(~layers["_opening"], 0.0),
            "purchases_value": value.where(~layers["_opening"], 0.0),
        }
    )
    base = frame.groupby("sku", sort=True).sum()
    # factorize + bincount: much faster than a groupby on millions of Arrow strings
    codes, uniques = pd.factorize(issues["sku"])
    issued = pd.Series(
        np.bincount(codes, weights=issues["quantity"].to_numpy(dtype=float), minlength=len(uniques))
        if len(codes)
        else np.zeros(0),
        index=pd.Index(uniques, dtype="str", name="sku"),
        name="issued_units",
    ).sort_index()
    base = base.join(issued, how="outer").fillna(0.0)
    base.index = base.index.astype("str")
    return base


def _finish(base: pd.DataFrame, cogs_units, cogs, method: str) -> pd.DataFrame:
    out = base.copy()
    out["cogs_units"] = np.asarray(cogs_units, dtype=float)
    out["cogs"] = np.asarray(cogs, dtype=float)
    available_units = out["opening_units"] + out["purchased_units"]
    available_value = out["opening_value"] + out["purchases_value"]
    out["closing_units"] = available_units - out["cogs_units"]
    out["closing_value"] = available_value - out["cogs"]
    out["shortfall_units"] = out["issued_units"] - out["cogs_units"]
    units = out["closing_units"].to_numpy()
    out["closing_unit_cost"] = np.divide(
        out["closing_value"].to_numpy(),
        units,
        out=np.full(len(out), np.nan),
        where=units > 1e-12,
    )
    out["method"] = method
    out = out.rename_axis("sku").reset_index()
    return out[_COLUMNS]


def _affine_scan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x_k = a_k x_{k-1} + b_k from x_0 = 0 for all k, in log2(n) vectorized passes."""
    a, b = a.copy(), b.copy()
    shift = 1
    while shift < len(a):
        b[shift:] = a[shift:] * b[:-shift] + b[shift:]
        a[shift:] = a[shift:] * a[:-shift]
        shift *= 2
    return b


def _events(layers: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """Receipts and issues of every SKU in ledger order.

    Sorted by SKU, date, then opening layers, receipts, issues (a day's receipts
    come before its issues), and row order within those (the order of receipt).
    ``signed`` is +quantity for a receipt, -quantity for an issue.
    """
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "sku": layers["sku"],
                    "date": layers["received_date"],
                    "kind": np.where(layers["_opening"], 0, 1),
                    "signed": layers["quantity"],
                    "cost": layers["unit_cost"],
                }
            ),
            pd.DataFrame(
                {
                    "sku": issues["sku"],
                    "date": issues["date"],
                    "kind": 2,
                    "signed": -issues["quantity"],
                    "cost": np.nan,
                }
            ),
        ],
        ignore_index=True,
    ).sort_values(["sku", "date", "kind"], kind="stable", ignore_index=True)


def _moving_average(layers: pd.DataFrame, issues: pd.DataFrame, base: pd.DataFrame):
    """Perpetual moving-average COGS per SKU (receipts before issues on the same day).

    An issue beyond the stock on hand is backordered: the next receipts fill it
    first, at their own cost, and only the rest of a receipt joins the average.
    """
    events = _events(layers, issues)
    code = pd.factorize(events["sku"])[0]
    q = events["signed"].to_numpy()
    # on hand, negative while backordered
    after = events["signed"].groupby(code).cumsum().to_numpy()
    before = after - q
    on_hand = np.maximum(before, 0.0)
    receipt = events["kind"].to_numpy() < 2
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(receipt, on_hand / (on_hand + q), 1.0)
    w = np.where(np.isfinite(w), w, 0.0)
    cost = events["cost"].to_numpy()
    avg_at_receipts = _affine_scan(w[receipt], ((1.0 - w) * cost)[receipt])
    avg = np.full(len(events), np.nan)
    avg[receipt] = avg_at_receipts
    avg = pd.Series(avg).groupby(code).ffill().to_numpy()
    # an issue takes what is on hand at the average; a receipt fills the backorder at its cost
    from_stock = np.where(receipt, 0.0, np.minimum(-q, on_hand))
    backfilled = np.where(receipt, np.minimum(q, np.maximum(-before, 0.0)), 0.0)
    cogs_event = from_stock * np.nan_to_num(avg) + backfilled * np.nan_to_num(cost)
    sku = events["sku"].to_numpy()
    cogs_units = (
        pd.Series(from_stock + backfilled).groupby(sku).sum().reindex(base.index, fill_value=0.0)
    )
    cogs = pd.Series(cogs_event).groupby(sku).sum().reindex(base.index, fill_value=0.0)
    # closing value = closing units x last average, so the invariant holds by construction
    last = pd.DataFrame({"sku": sku, "units": np.maximum(after, 0.0), "avg": np.nan_to_num(avg)})
    last = last.groupby("sku").last().reindex(base.index)
    available = base["opening_value"] + base["purchases_value"]
    closing_value = (last["units"] * last["avg"]).fillna(0.0)
    # the scan is exact in arithmetic; put the rounding residue in COGS
    return cogs_units.to_numpy(), (available - closing_value).to_numpy(), cogs.to_numpy()


def _lifo_perpetual(layers: pd.DataFrame, issues: pd.DataFrame, base: pd.DataFrame):
    """Perpetual LIFO COGS units and cost per SKU of ``base`` (one compiled pass)."""
    from ._lifo_kernel import lifo_perpetual_kernel  # numba: compiled on first use only

    events = _events(layers, issues)
    code, uniques = pd.factorize(events["sku"])
    units, _, closing = lifo_perpetual_kernel(
        code.astype(np.int64),
        events["kind"].to_numpy() < 2,
        np.abs(events["signed"].to_numpy(dtype=float)),
        np.nan_to_num(events["cost"].to_numpy(dtype=float)),
        len(uniques),
    )
    index = pd.Index(uniques, dtype="str")
    units = pd.Series(units, index=index).reindex(base.index, fill_value=0.0)
    closing = pd.Series(closing, index=index).reindex(base.index, fill_value=0.0)
    available = base["opening_value"] + base["purchases_value"]
    # COGS from the identity, so that it holds to the last cent
    return units.to_numpy(), (available - closing).to_numpy()


def inventory_valuation(
    purchases: pd.DataFrame,
    issues: pd.DataFrame,
    *,
    opening: pd.DataFrame | None = None,
    method: str = "fifo",
) -> pd.DataFrame:
    """COGS and closing inventory per SKU for one period under one costing method.

    Parameters
    ----------
    purchases : pandas.DataFrame
        Receipts in the period: ``sku``, ``date`` (or ``received_date``),
        ``quantity`` [units], ``unit_cost`` [$/unit].
    issues : pandas.DataFrame
        Sales or consumption in the period: ``sku``, ``date``, ``quantity`` [units].
    opening : pandas.DataFrame, optional
        Opening stock as cost layers: ``sku``, ``quantity`` [units],
        ``unit_cost`` [$/unit], optionally ``received_date`` (order of the layers)
        and ``unit_cost_<method>`` [$/unit] (e.g. ``unit_cost_lifo``), the cost of
        the layer under that method, used instead of ``unit_cost`` when present
        (:func:`period_movements` gives one per method).
    method : {"fifo", "weighted_average", "lifo", "lifo_perpetual", "moving_average"}
        ``"lifo"`` and ``"weighted_average"`` are periodic, ``"lifo_perpetual"`` and
        ``"moving_average"`` perpetual; FIFO is the same either way.

    Returns
    -------
    pandas.DataFrame
        One row per SKU: ``sku``, ``method``, ``opening_units``, ``opening_value``,
        ``purchased_units``, ``purchases_value``, ``issued_units``, ``cogs_units``,
        ``cogs``, ``closing_units``, ``closing_value``, ``shortfall_units``
        (issues that no receipt of the period covers, not costed),
        ``closing_unit_cost``.

    Raises
    ------
    ValueError
        If ``method`` is unknown, a column is missing, or a quantity or cost is
        negative or NaN.

    Notes
    -----
    With :math:`I_0` opening and :math:`P` purchases at cost, COGS :math:`C` and
    closing :math:`I_1`: :math:`I_0 + P = C + I_1`, the cost-of-goods-sold
    identity of [1]_ (goods available for sale = COGS + ending inventory).
    Weighted average: :math:`\\bar c = (I_0 + P)/(n_0 + n_P)` and
    :math:`C = \\bar c \\min(s, n_0 + n_P)` for :math:`s` units issued.
    Moving average: after a receipt of :math:`q` at :math:`c` with :math:`Q`
    on hand, :math:`\\bar c \\leftarrow (Q \\bar c + q c)/(Q + q)`; issues are
    charged the current :math:`\\bar c`. Perpetual LIFO: each issue takes the
    newest layers on hand on its date.

    Timing, the same for every method (module notes): an issue larger than the
    stock on hand is backordered and filled first by the next receipts, at their
    cost (in the moving average the rest of such a receipt, alone on hand, sets
    :math:`\\bar c = c`); issues no receipt of the period covers are short. The
    periodic methods see only the period's totals, which gives the same units.

    References
    ----------
    .. [1] Kieso, D. E., Weygandt, J. J. and Warfield, T. D., *Intermediate
       Accounting*, Wiley, ch. 8 (the Call-Mart Inc. illustrations).
    .. [2] Weygandt, J. J., Kimmel, P. D. and Kieso, D. E., *Accounting
       Principles*, Wiley, ch. 6 (the Houston Electronics illustrations).

    Examples
    --------
    Call-Mart Inc. [1]_: purchases of 2,000 @ $4.00, 6,000 @ $4.40 and
    2,000 @ $4.75 in March, 4,000 units issued on March 19.

    >>> import pandas as pd
    >>> buys = pd.DataFrame({"sku": "x", "quantity": [2000.0, 6000, 2000],
    ...     "unit_cost": [4.00, 4.40, 4.75],
    ...     "date": pd.to_datetime(["2026-03-02", "2026-03-15", "2026-03-30"])})
    >>> sold = pd.DataFrame({"sku": ["x"], "date": pd.to_datetime(["2026-03-19"]),
    ...                      "quantity": [4000.0]})
    >>> for m in ("fifo", "weighted_average", "lifo", "moving_average"):
    ...     row = inventory_valuation(buys, sold, method=m).iloc[0]
    ...     print(f"{m:17s} COGS {row.cogs:9,.2f} closing {row.closing_value:9,.2f}")
    fifo              COGS 16,800.00 closing 27,100.00
    weighted_average  COGS 17,560.00 closing 26,340.00
    lifo              COGS 18,300.00 closing 25,600.00
    moving_average    COGS 17,200.00 closing 26,700.00

    Perpetual LIFO charges the March 19 issue the 4,000 newest units on hand that
    day (all at $4.40), not the March 30 purchase: COGS $17,600.

    >>> row = inventory_valuation(buys, sold, method="lifo_perpetual").iloc[0]
    >>> float(row.cogs)
    17600.0
    """
    if method not in VALUATION_METHODS:
        raise ValueError(f"method must be one of {VALUATION_METHODS}; got {method!r}")
    sold = _issues(issues)
    layers = _layers(_opening_for(opening, method), purchases, sold)
    return _value(layers, sold, _base(layers, sold), method)


def _opening_for(opening: pd.DataFrame | None, method: str) -> pd.DataFrame | None:
    """The opening layers costed for ``method``: its ``unit_cost_<method>`` if given."""
    column = f"unit_cost_{method}"
    if opening is None or column not in opening:
        return opening
    return opening.assign(unit_cost=opening[column].fillna(opening["unit_cost"]))


def _value(layers: pd.DataFrame, sold: pd.DataFrame, base: pd.DataFrame, method: str):
    """One method's per-SKU table from prepared layers, issues and totals."""
    if method == "weighted_average":
        units = base["opening_units"] + base["purchased_units"]
        value = base["opening_value"] + base["purchases_value"]
        cogs_units = np.minimum(base["issued_units"], units)
        avg = np.divide(value, units, out=np.zeros(len(units)), where=units.to_numpy() > 0)
        return _finish(base, cogs_units, cogs_units * avg, method)
    if method == "moving_average":
        cogs_units, cogs, _ = _moving_average(layers, sold, base)
        return _finish(base, cogs_units, cogs, method)
    if method == "lifo_perpetual":
        cogs_units, cogs = _lifo_perpetual(layers, sold, base)
        return _finish(base, cogs_units, cogs, method)
    if method == "lifo":
        # periodic LIFO: the period's whole issue quantity meets the newest layers first
        total = base.loc[base["issued_units"] > 0, ["issued_units"]].rename(
            columns={"issued_units": "quantity"}
        )
        total = total.rename_axis("sku").reset_index()
        total["date"] = sold["date"].max() if len(sold) else pd.Timestamp("2000-01-01")
        result = consume_lots(layers, total, rule="lifo")
    else:
        result = consume_lots(layers, sold, rule="fifo")
    # per SKU totals from the (small) SKU x period COGS table
    used = result.cogs.groupby("sku")[["quantity", "cogs"]].sum()
    used.index = used.index.astype("str")
    used = used.reindex(base.index, fill_value=0.0)
    return _finish(base, used["quantity"], used["cogs"], method)


def compare_valuation(
    purchases: pd.DataFrame,
    issues: pd.DataFrame,
    *,
    opening: pd.DataFrame | None = None,
    methods: tuple[str, ...] = ("fifo", "weighted_average", "lifo"),
    price: pd.Series | float | None = None,
) -> ValuationComparison:
    """Value one period under several costing methods side by side.

    Parameters
    ----------
    purchases, issues, opening : pandas.DataFrame
        As in :func:`inventory_valuation`.
    methods : tuple of str
        Methods to compare (any of :data:`VALUATION_METHODS`).
    price : pandas.Series or float, optional
        Selling price [$/unit], a Series indexed by sku or one number, to report
        revenue and gross profit per method.

    Returns
    -------
    ValuationComparison
        ``by_sku`` (long table), ``totals`` (one row per method) and a
        plain-language ``explanation`` of the differences.

    Raises
    ------
    ValueError
        As :func:`inventory_valuation`.

    Examples
    --------
    Houston Electronics [2]_ (in :func:`inventory_valuation`): beginning 100 @ $10,
    then 200 @ $11, 300 @ $12, 400 @ $13; 550 units sold (here at an assumed $21 a unit).

    >>> import pandas as pd
    >>> opening = pd.DataFrame({"sku": ["astro"], "quantity": [100.0], "unit_cost": [10.0]})
    >>> buys = pd.DataFrame({"sku": "astro", "quantity": [200.0, 300, 400],
    ...     "unit_cost": [11.0, 12, 13],
    ...     "date": pd.to_datetime(["2026-04-15", "2026-08-24", "2026-11-27"])})
    >>> sold = pd.DataFrame({"sku": ["astro"], "date": pd.to_datetime(["2026-12-31"]),
    ...                      "quantity": [550.0]})
    >>> cmp = compare_valuation(buys, sold, opening=opening, price=21.0)
    >>> cmp.totals[["cogs", "closing_value", "gross_profit"]].rename_axis(None)
                        cogs  closing_value  gross_profit
    fifo              6200.0         5800.0        5350.0
    weighted_average  6600.0         5400.0        4950.0
    lifo              7000.0         5000.0        4550.0
    """
    bad = [m for m in methods if m not in VALUATION_METHODS]
    if bad:
        raise ValueError(f"method must be one of {VALUATION_METHODS}; got {bad}")
    sold = _issues(issues)
    layers = _layers(opening, purchases, sold)
    base = _base(layers, sold)
    frames = []
    for m in methods:
        own = _opening_for(opening, m)
        if own is opening:
            frames.append(_value(layers, sold, base, m))
        else:  # the opening is costed for this method: its own layers and totals
            own_layers = _layers(own, purchases, sold)
            frames.append(_value(own_layers, sold, _base(own_layers, sold), m))
    by_sku = pd.concat(frames, ignore_index=True)
    sums = ["opening_value", "purchases_value", "cogs", "closing_value"]
    totals = by_sku.groupby("method", sort=False)[sums].sum()
    if price is not None:
        if isinstance(price, pd.Series):
            p = by_sku["sku"].map(price.set_axis(price.index.astype(str))).to_numpy(dtype=float)
        else:
            p = np.full(len(by_sku), float(price))
        revenue = (
            pd.Series(p * by_sku["cogs_units"].to_numpy())
            .groupby(by_sku["method"].to_numpy(), sort=False)
            .sum()
        )
        totals["revenue"] = revenue.reindex(totals.index).to_numpy()
        totals["gross_profit"] = totals["revenue"] - totals["cogs"]
    return ValuationComparison(by_sku, totals, _explain(purchases, opening, totals))


def _explain(purchases: pd.DataFrame, opening: pd.DataFrame | None, totals: pd.DataFrame) -> str:
    """Plain-language reading of a comparison."""
    lines = [
        "Every method splits the same cost of goods available between COGS and closing "
        "stock: opening value + purchases = COGS + closing value."
    ]
    if len(purchases):
        buys = purchases.assign(_d=_dates(purchases, "purchases")).sort_values("_d")
        first_cost = buys.groupby(buys["sku"].astype(str))["unit_cost"].first()
        last_cost = buys.groupby(buys["sku"].astype(str))["unit_cost"].last()
        if opening is not None and len(opening):
            first_cost = (
                opening.groupby(opening["sku"].astype(str))["unit_cost"]
                .mean()
                .combine_first(first_cost)
            )
        change = (last_cost - first_cost.reindex(last_cost.index)).dropna()
        rising, falling = int((change > 0).sum()), int((change < 0).sum())
        lines.append(f"Unit costs rose for {rising} SKU(s) and fell for {falling} over the period.")
    if len(totals) > 1:
        low, high = totals["cogs"].idxmin(), totals["cogs"].idxmax()
        name_low, name_high = (METHOD_NAMES.get(m, str(m)) for m in (low, high))
        lines.append(
            f"{name_low} gives the lowest COGS (${totals.loc[low, 'cogs']:,.0f}) and so the "
            f"highest profit and closing stock (${totals.loc[low, 'closing_value']:,.0f}); "
            f"{name_high} the highest COGS (${totals.loc[high, 'cogs']:,.0f}) and lowest "
            f"closing stock (${totals.loc[high, 'closing_value']:,.0f})."
        )
    lines.append(
        "With rising costs FIFO charges the old cheap layers to COGS and keeps the new dear "
        "ones in stock (higher profit, stock near replacement cost); LIFO does the reverse "
        "(lower profit and tax, stock at old costs); averages lie in between. Falling costs "
        "reverse the order."
    )
    return " ".join(lines)


def _rolled_back_cost(
    receipts: pd.DataFrame, units: pd.Series, fallback: pd.Series, *, newest_first: bool
) -> pd.Series:
    """Unit cost [$/unit] of ``units`` per SKU taken from the receipts before a period.

    FIFO leaves the newest receipts on hand (``newest_first=True``), LIFO the oldest;
    units beyond all receipts are costed at ``fallback``. One grouped cumulative sum.
    """
    order = receipts.sort_values(
        ["sku", "received_date"], ascending=[True, not newest_first], kind="stable"
    )
    qty = order["quantity"].to_numpy(dtype=float)
    ahead = order.groupby("sku")["quantity"].cumsum().to_numpy(dtype=float) - qty
    want = order["sku"].map(units).to_numpy(dtype=float, na_value=0.0)
    take = np.clip(want - ahead, 0.0, qty)
    value = (
        pd.Series(take * order["unit_cost"].to_numpy(dtype=float))
        .groupby(order["sku"].to_numpy())
        .sum()
    )
    taken = pd.Series(take).groupby(order["sku"].to_numpy()).sum()
    value = value.reindex(units.index, fill_value=0.0)
    taken = taken.reindex(units.index, fill_value=0.0)
    total = value + (units - taken).clip(lower=0.0) * fallback
    return (total / units.where(units > 0)).fillna(fallback)


class Movements(NamedTuple):
    """Result of :func:`period_movements`: the inputs of a valuation.

    Attributes
    ----------
    opening : pandas.DataFrame
        ``sku``, ``quantity`` [units], ``unit_cost`` [$/unit], ``received_date``.
    purchases : pandas.DataFrame
        ``sku``, ``date``, ``quantity`` [units], ``unit_cost`` [$/unit].
    issues : pandas.DataFrame
        ``sku``, ``date``, ``quantity`` [units].
    excluded : pandas.DataFrame
        SKUs left out and why (``sku``, ``reason``).
    """

    opening: pd.DataFrame
    purchases: pd.DataFrame
    issues: pd.DataFrame
    excluded: pd.DataFrame


def period_movements(
    dataset, *, start, end, methods: tuple[str, ...] = VALUATION_METHODS
) -> Movements:
    """Opening stock, purchases and issues of a period, from a dataset.

    The data model holds today's lots, the purchase orders and the demand, not
    the stock at the start of a period. For every SKU bought on purchase orders
    the opening quantity is rolled back from the stock at ``end``:

        opening = on hand at end + issued in the period - received in the period,

    one layer per SKU, costed by each method from the receipts before the period:
    FIFO (``unit_cost`` and ``unit_cost_fifo``) the newest receipts that make up
    the quantity, LIFO (``unit_cost_lifo``, ``unit_cost_lifo_perpetual``) the
    oldest, the weighted average (``unit_cost_weighted_average``) the average of
    all of them, the moving average (``unit_cost_moving_average``) the running
    average on the eve of the period (receipts and issues before it). Units
    beyond the receipts before the period, and SKUs with none, are costed at
    the last purchase price before the period (else the first in it, else the
    item's unit cost). :func:`compare_valuation` and :func:`inventory_valuation`
    use each method's column. Produced items (no purchase orders) have no
    receipt history and are excluded, as are SKUs whose roll-back is negative
    (records that do not reconcile); both are listed in ``excluded``.

    Parameters
    ----------
    dataset : workbench.Dataset
        With ``purchase_orders`` and ``demand``; ``lots`` for the stock at ``end``.
    start, end : date-like
        First and last day of the period (inclusive).
    methods : tuple of str
        Methods to cost the opening for (``unit_cost_<method>`` columns); default
        all of :data:`VALUATION_METHODS`. ``unit_cost`` (FIFO) is always given.

    Returns
    -------
    Movements
        ``opening``, ``purchases``, ``issues`` for :func:`compare_valuation`,
        and ``excluded``.

    Raises
    ------
    ValueError
        If the dataset has no purchase orders or ``end`` is before ``start``.
    """
    bad = [m for m in methods if m not in VALUATION_METHODS]
    if bad:
        raise ValueError(f"methods must be among {VALUATION_METHODS}; got {bad}")
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if end < start:
        raise ValueError(f"end must be on or after start; got {start.date()} to {end.date()}")
    po = dataset.purchase_orders
    if po is None or len(po) == 0:
        raise ValueError("period_movements needs a purchase_orders table")
    po = po.assign(sku=po["sku"].astype(str), received_date=pd.to_datetime(po["received_date"]))
    got = po[po["received_date"].notna()]
    bought = pd.Index(sorted(got["sku"].unique()))
    in_period = got[(got["received_date"] >= start) & (got["received_date"] <= end)]
    purchases = pd.DataFrame(
        {
            "sku": in_period["sku"].to_numpy(),
            "date": in_period["received_date"].to_numpy(),
            "quantity": in_period["quantity"].to_numpy(dtype=float),
            "unit_cost": in_period["unit_cost"].to_numpy(dtype=float),
        }
    )
    dem = dataset.demand
    when = pd.to_datetime(dem["date"])
    keep = (when >= start) & (when <= end) & dem["sku"].astype(str).isin(bought)
    issues = pd.DataFrame(
        {
            "sku": dem.loc[keep, "sku"].astype(str).to_numpy(),
            "date": when[keep].to_numpy(),
            "quantity": dem.loc[keep, "quantity"].to_numpy(dtype=float),
        }
    )
    lots = dataset.lots
    if lots is not None and len(lots):
        at_end = lots[~(pd.to_datetime(lots["received_date"]) > end)]
        closing = at_end.groupby(at_end["sku"].astype(str))["quantity"].sum()
    else:
        closing = pd.Series(dtype=float)
    closing = closing.reindex(bought, fill_value=0.0)
    received = purchases.groupby("sku")["quantity"].sum().reindex(bought, fill_value=0.0)
    issued = issues.groupby("sku")["quantity"].sum().reindex(bought, fill_value=0.0)
    opening_units = closing + issued - received
    before = got[got["received_date"] < start].sort_values("received_date")
    cost = before.groupby("sku")["unit_cost"].last()
    first_in = purchases.sort_values("date").groupby("sku")["unit_cost"].first()
    cost = cost.reindex(bought).fillna(first_in.reindex(bought))
    items = dataset.items.set_axis(dataset.items["sku"].astype(str))
    cost = cost.fillna(items["unit_cost"].reindex(bought)).fillna(0.0)
    negative = opening_units < -1e-9
    excluded = pd.concat(
        [
            pd.DataFrame(
                {
                    "sku": bought[negative.to_numpy()],
                    "reason": "stock at end + issues - receipts < 0 (records do not reconcile)",
                }
            ),
            pd.DataFrame(
                {
                    "sku": items.index[~items.index.isin(bought)],
                    "reason": "no purchase receipts (produced or never bought)",
                }
            ),
        ],
        ignore_index=True,
    )
    ok = bought[~negative.to_numpy()]
    units = opening_units.reindex(ok).clip(lower=0.0)
    fallback = cost.reindex(ok)
    pre = before[before["sku"].isin(ok)]
    fifo = _rolled_back_cost(pre, units, fallback, newest_first=True)
    lifo = _rolled_back_cost(pre, units, fallback, newest_first=False)
    pre_value = (pre["quantity"] * pre["unit_cost"]).groupby(pre["sku"]).sum()
    pre_units = pre.groupby("sku")["quantity"].sum()
    average = (pre_value / pre_units.where(pre_units > 0)).reindex(ok).fillna(fallback)
    # the moving average on the eve of the period, from the history before it
    early = (when < start) & dem["sku"].astype(str).isin(ok)
    if "moving_average" not in methods:
        early &= False
        pre = pre.iloc[:0]
    history = inventory_valuation(
        pd.DataFrame(
            {
                "sku": pre["sku"].to_numpy(),
                "date": pre["received_date"].to_numpy(),
                "quantity": pre["quantity"].to_numpy(dtype=float),
                "unit_cost": pre["unit_cost"].to_numpy(dtype=float),
            }
        ),
        pd.DataFrame(
            {
                "sku": dem.loc[early, "sku"].astype(str).to_numpy(),
                "date": when[early].to_numpy(),
                "quantity": dem.loc[early, "quantity"].to_numpy(dtype=float),
            }
        ),
        method="moving_average",
    ).set_index("sku")["closing_unit_cost"]
    moving = history.reindex(ok).fillna(fallback)
    by_method = {
        "fifo": fifo,
        "weighted_average": average,
        "lifo": lifo,
        "lifo_perpetual": lifo,
        "moving_average": moving,
    }
    opening = pd.DataFrame(
        {
            "sku": ok,
            "quantity": opening_units.reindex(ok).to_numpy(),
            "unit_cost": fifo.to_numpy(),
            "received_date": start - pd.Timedelta(days=1),
            **{f"unit_cost_{m}": by_method[m].to_numpy() for m in methods},
        }
    )
    opening = opening[opening["quantity"] > 0].reset_index(drop=True)
    purchases = purchases[purchases["sku"].isin(ok)].reset_index(drop=True)
    issues = issues[issues["sku"].isin(ok)].reset_index(drop=True)
    return Movements(opening, purchases, issues, excluded)
