"""Inventory KPIs: turnover, days of supply, sell-through, fill rate, carrying cost,
GMROI, and stockouts estimated from the demand history.

The ratio calculators take numeric inputs (scalar, list, ndarray or Series,
broadcast together; a Series in gives a Series out). The table builders work
on the data model's tables for every SKU at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._numeric import broadcast, index_in, require, require_nonnegative
from ..data.frequency import BUCKET_DAYS, bucket_index, normalize_frequency

__all__ = [
    "carrying_cost",
    "days_of_supply",
    "fill_rate",
    "gmroi",
    "inventory_turnover",
    "sell_through",
    "stock_on_hand",
    "stock_value_history",
    "stockout_estimate",
]


def _sku_codes(skus: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each SKU of ``skus`` in ``index`` (-1 if absent), fast on Arrow strings."""
    return index_in(skus.astype("str"), index)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with 0/0 -> NaN and x/0 -> inf (x > 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(num, den)
    return np.where((den == 0) & (num == 0), np.nan, out)


def inventory_turnover(cogs, average_inventory_value):
    """Inventory turnover: cost of goods sold over average inventory at cost.

    Parameters
    ----------
    cogs : numeric
        Cost of goods sold over the period [$/period] (annual COGS gives turns a year).
    average_inventory_value : numeric
        Average inventory at cost over the same period [$].

    Returns
    -------
    numeric
        Turns [1/period]; inf with stock-free sales, NaN when both are 0.

    Raises
    ------
    ValueError
        If an input is negative.

    Notes
    -----
    :math:`\\text{turnover} = \\text{COGS} / \\bar I` and weeks of supply
    :math:`= \\bar I / (\\text{COGS}/52)`, the supply-chain performance measures of [1]_.

    References
    ----------
    .. [1] Heizer, J., Render, B. and Munson, C., *Operations Management*, Pearson,
       supplement 11 "Supply chain management analytics".

    Examples
    --------
    COGS of $10 million a year on an average inventory of $2 million: 5 turns a
    year (73 days of supply).

    >>> inventory_turnover(10_000_000, 2_000_000)
    5.0
    """
    b = broadcast(cogs=cogs, average_inventory_value=average_inventory_value)
    require_nonnegative("cogs", b["cogs"], "$")
    require_nonnegative("average_inventory_value", b["average_inventory_value"], "$")
    return b.wrap(_ratio(b["cogs"], b["average_inventory_value"]), "turnover")


def days_of_supply(on_hand, daily_demand):
    """How many days the stock on hand lasts at the demand rate.

    Parameters
    ----------
    on_hand : numeric
        Stock on hand [units] (or its value [$] with demand at cost [$/day]).
    daily_demand : numeric
        Demand rate [units/day].

    Returns
    -------
    numeric
        Days of supply [days]; inf with stock and no demand, NaN with neither.

    Raises
    ------
    ValueError
        If an input is negative.

    Notes
    -----
    :math:`DOS = I / d`; with annual turns :math:`T`, :math:`DOS = 365/T`.

    Examples
    --------
    >>> days_of_supply([120.0, 0.0, 5.0], [4.0, 0.0, 0.0]).tolist()
    [30.0, nan, inf]
    """
    b = broadcast(on_hand=on_hand, daily_demand=daily_demand)
    require_nonnegative("on_hand", b["on_hand"], "units")
    require_nonnegative("daily_demand", b["daily_demand"], "units/day")
    return b.wrap(_ratio(b["on_hand"], b["daily_demand"]), "days_of_supply")


def sell_through(units_sold, units_on_hand_end):
    """Sell-through: share of the stock available in a period that was sold.

    Parameters
    ----------
    units_sold : numeric
        Units sold in the period [units].
    units_on_hand_end : numeric
        Units left at the end of the period [units].

    Returns
    -------
    numeric
        Sell-through [fraction]; NaN with neither sales nor stock.

    Raises
    ------
    ValueError
        If an input is negative.

    Notes
    -----
    :math:`ST = S / (I_0 + R) = S / (S + I_1)`, since what was available
    (opening stock plus receipts) was either sold or is still on hand.

    Examples
    --------
    100 units received, 80 sold, 20 left: 80 % sell-through.

    >>> sell_through(80, 20)
    0.8
    """
    b = broadcast(units_sold=units_sold, units_on_hand_end=units_on_hand_end)
    require_nonnegative("units_sold", b["units_sold"], "units")
    require_nonnegative("units_on_hand_end", b["units_on_hand_end"], "units")
    s = b["units_sold"]
    return b.wrap(_ratio(s, s + b["units_on_hand_end"]), "sell_through")


def fill_rate(units_shipped, units_demanded):
    """Fill rate (type 2 service): share of demand met from stock.

    Parameters
    ----------
    units_shipped : numeric
        Demand met from stock [units].
    units_demanded : numeric
        Total demand [units], >= units_shipped.

    Returns
    -------
    numeric
        Fill rate [fraction]; NaN without demand.

    Raises
    ------
    ValueError
        If an input is negative or more was shipped than demanded.

    Notes
    -----
    :math:`\\beta = 1 - \\text{short}/D` (Silver, Pyke & Thomas, *Inventory and
    Production Management in Supply Chains*, ch. 6, "P2 service").

    Examples
    --------
    >>> fill_rate(950, 1000)
    0.95
    """
    b = broadcast(units_shipped=units_shipped, units_demanded=units_demanded)
    require_nonnegative("units_shipped", b["units_shipped"], "units")
    require_nonnegative("units_demanded", b["units_demanded"], "units")
    require(
        "units_shipped",
        b["units_shipped"],
        ~(b["units_shipped"] > b["units_demanded"] * (1 + 1e-12)),
        "<= units_demanded",
        "units",
    )
    d = b["units_demanded"]
    return b.wrap(np.where(d > 0, _ratio(b["units_shipped"], d), np.nan), "fill_rate")


def carrying_cost(inventory_value, *, holding_cost_rate, days=365.0):
    """Cost of carrying stock: value times the holding-cost rate, for ``days``.

    Parameters
    ----------
    inventory_value : numeric
        Average inventory at cost [$].
    holding_cost_rate : numeric
        Holding cost i as a fraction of unit cost per year [1/year].
    days : numeric
        Length of the period [days]; default a year.

    Returns
    -------
    numeric
        Carrying cost [$ over the period].

    Raises
    ------
    ValueError
        If an input is negative.

    Notes
    -----
    :math:`C_h = i \\, \\bar I \\cdot \\text{days}/365` (the H = iC of the EOQ
    model applied to the average stock).

    Examples
    --------
    $100,000 of stock at 25 % a year costs $25,000 a year, $479.45 over 7 days.

    >>> carrying_cost(100_000, holding_cost_rate=0.25)
    25000.0
    >>> round(carrying_cost(100_000, holding_cost_rate=0.25, days=7), 2)
    479.45
    """
    b = broadcast(inventory_value=inventory_value, holding_cost_rate=holding_cost_rate, days=days)
    require_nonnegative("inventory_value", b["inventory_value"], "$")
    require_nonnegative("holding_cost_rate", b["holding_cost_rate"], "1/year")
    require_nonnegative("days", b["days"], "days")
    out = b["inventory_value"] * b["holding_cost_rate"] * b["days"] / 365.0
    return b.wrap(out, "carrying_cost")


def gmroi(gross_margin, average_inventory_value):
    """Gross margin return on inventory investment.

    Parameters
    ----------
    gross_margin : numeric
        Gross margin over the period, sales - COGS [$/period] (may be negative).
    average_inventory_value : numeric
        Average inventory at cost [$].

    Returns
    -------
    numeric
        GMROI [$ margin per $ of stock per period]; NaN without stock.

    Raises
    ------
    ValueError
        If the inventory value is negative.

    Notes
    -----
    :math:`GMROI = \\text{gross margin} / \\bar I_{cost}` (Levy & Weitz,
    *Retailing Management*, the merchandise-planning chapter).

    Examples
    --------
    $300,000 margin a year on $100,000 of stock at cost: GMROI 3.

    >>> gmroi(300_000, 100_000)
    3.0
    """
    b = broadcast(gross_margin=gross_margin, average_inventory_value=average_inventory_value)
    require_nonnegative("average_inventory_value", b["average_inventory_value"], "$")
    inv = b["average_inventory_value"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(inv > 0, b["gross_margin"] / inv, np.nan)
    return b.wrap(out, "gmroi")


# --- tables ------------------------------------------------------------------------------


def stock_on_hand(lots: pd.DataFrame | None, *, skus=None, as_of=None) -> pd.DataFrame:
    """Units and value on hand per SKU from the lots.

    Parameters
    ----------
    lots : pandas.DataFrame or None
        ``sku``, ``quantity`` [units], ``unit_cost`` [$/unit], optionally
        ``received_date`` (lots received after ``as_of`` are left out).
    skus : sequence of str, optional
        Every SKU to report (zeros where there are no lots), in this order.
    as_of : date-like, optional
        The date of the snapshot.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sku``: ``on_hand_units`` [units], ``on_hand_value`` [$],
        ``lots`` (count), ``oldest_receipt`` (date).

    Examples
    --------
    >>> import pandas as pd
    >>> lots = pd.DataFrame({"sku": ["a", "a", "b"], "quantity": [2.0, 3, 1],
    ...                      "unit_cost": [1.0, 2, 5]})
    >>> stock_on_hand(lots, skus=["a", "b", "c"])["on_hand_value"].tolist()
    [8.0, 5.0, 0.0]
    """
    if lots is None or len(lots) == 0:
        frame = pd.DataFrame(
            {
                "on_hand_units": pd.Series(dtype=float),
                "on_hand_value": pd.Series(dtype=float),
                "lots": pd.Series(dtype=float),
                "oldest_receipt": pd.Series(dtype="datetime64[ns]"),
            }
        ).set_axis(pd.Index([], dtype="str", name="sku"))
    else:
        if as_of is not None and "received_date" in lots:
            lots = lots[~(pd.to_datetime(lots["received_date"]) > pd.Timestamp(as_of))]
        q = lots["quantity"].to_numpy(dtype=float, na_value=np.nan)
        c = lots["unit_cost"].to_numpy(dtype=float, na_value=np.nan)
        work = pd.DataFrame(
            {
                "sku": lots["sku"].astype(str).to_numpy(),
                "on_hand_units": q,
                "on_hand_value": q * c,
                "lots": 1,
                "oldest_receipt": pd.to_datetime(lots["received_date"]).to_numpy()
                if "received_date" in lots
                else np.datetime64("NaT", "ns"),
            }
        )
        frame = work.groupby("sku").agg(
            on_hand_units=("on_hand_units", "sum"),
            on_hand_value=("on_hand_value", "sum"),
            lots=("lots", "sum"),
            oldest_receipt=("oldest_receipt", "min"),
        )
    if skus is not None:
        index = pd.Index(pd.array(list(skus), dtype="str"), name="sku")
        frame = frame.reindex(index)
        frame[["on_hand_units", "on_hand_value", "lots"]] = frame[
            ["on_hand_units", "on_hand_value", "lots"]
        ].fillna(0.0)
    frame.index.name = "sku"
    return frame


def stockout_estimate(
    demand: pd.DataFrame,
    *,
    on_hand: pd.Series,
    start,
    end,
    alpha: float = 0.01,
    frequency: str = "D",
) -> pd.DataFrame:
    """Stockout days and incidents inferred from gaps in the demand history.

    Sales histories record what was sold, not what was asked for, and the data
    model has no daily stock history. This estimate flags a run of days without
    sales as a stockout when such a run is too long to be chance for that item,
    and the current silence of an item whose shelf is empty.

    Parameters
    ----------
    demand : pandas.DataFrame
        ``date``, ``sku``, ``quantity`` [units] (days without a row are zero).
    on_hand : pandas.Series
        Units on hand now, indexed by sku (the SKUs to report).
    start, end : date-like
        The period reviewed, inclusive.
    alpha : float
        Chance below which a run of zero days is called a stockout [probability].
    frequency : {"D", "W", "M"}, default "D"
        The demand bucket (``Dataset.demand_frequency``). With weeks or months the
        runs are counted in buckets (a run of empty weeks or months), then reported in
        days (a week is 7 days, a month 365.25 / 12); ``demand_days`` counts buckets
        with sales.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``on_hand``: ``units_sold`` [units], ``demand_days``,
        ``daily_rate`` [units/day] (over the days not flagged), ``stockout_days``
        [days], ``stockout_incidents``, ``out_of_stock_now`` (bool),
        ``lost_units_est`` [units], ``fill_rate_est`` [fraction].

    Raises
    ------
    ValueError
        If ``alpha`` is not strictly between 0 and 1 or the period is empty.

    Notes
    -----
    With :math:`N` days in the period and :math:`n` of them with sales, a day
    has no sale with probability :math:`z = 1 - n/N`. A run of :math:`g`
    zero-sale days between two sales is flagged when :math:`z^g < \\alpha`,
    i.e. :math:`g > \\ln\\alpha / \\ln z` (independent days). The run before
    the first sale is ignored (a launch); the run after the last sale counts
    as a stockout only when nothing is on hand now, and then always (the item
    is out of stock now). Lost units are the flagged days times the sales rate
    of the other days; the fill rate estimate is sold / (sold + lost).

    Examples
    --------
    An item selling every day but for a 10-day hole, and an item with an empty
    shelf since its last sale 5 days before the end:

    >>> import pandas as pd
    >>> days = pd.date_range("2026-01-01", "2026-03-31")
    >>> a = pd.DataFrame({"date": days[(days < "2026-02-01") | (days > "2026-02-10")],
    ...                   "sku": "a", "quantity": 2.0})
    >>> b = pd.DataFrame({"date": days[:-5], "sku": "b", "quantity": 1.0})
    >>> est = stockout_estimate(pd.concat([a, b]), on_hand=pd.Series({"a": 5.0, "b": 0.0}),
    ...                         start="2026-01-01", end="2026-03-31")
    >>> est[["stockout_days", "stockout_incidents", "lost_units_est"]].to_numpy().tolist()
    [[10.0, 1.0, 20.0], [5.0, 1.0, 5.0]]
    """
    if not (0 < alpha < 1):
        raise ValueError(f"alpha must be strictly between 0 and 1 [probability]; got {alpha}")
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    n_days = (end - start).days + 1
    if n_days < 1:
        raise ValueError(f"end must be on or after start; got {start.date()} to {end.date()}")
    freq = normalize_frequency(frequency)
    dates = pd.to_datetime(demand["date"])
    if freq == "W" and len(dates):  # weeks start on the weekday of the dates
        start = start + pd.Timedelta(days=(dates.iloc[0].day_of_week - start.day_of_week) % 7)
    if freq != "D":  # count buckets instead of days (the last one whole)
        n_days = max(int(bucket_index(np.array([end]), freq, start)[0]) + 1, 1)
    index = pd.Index(on_hand.index.astype(str), name="sku")
    n_sku = len(index)
    qty_all = demand["quantity"].to_numpy(dtype=float, na_value=0.0)
    code_all = _sku_codes(demand["sku"], index)
    inside = (
        (dates >= start).to_numpy() & (dates <= end).to_numpy() & (qty_all > 0) & (code_all >= 0)
    )
    # one value per (SKU, day): sort a single int64 key and sum duplicate days
    if freq == "D":
        pos = (dates[inside] - start).dt.days.to_numpy()
    else:
        pos = bucket_index(dates[inside], freq, start)
    key = code_all[inside] * np.int64(n_days) + pos
    qty_in = qty_all[inside]
    del code_all, inside
    order = np.argsort(key, kind="stable")
    key = key[order]
    qty_in = qty_in[order]
    del order
    if len(key):
        starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        qty_day = np.add.reduceat(qty_in, starts)
        key = key[starts]
    else:
        qty_day = qty_in
    del qty_in
    code = key // n_days
    day = key - code * n_days
    del key
    sold = pd.Series(np.bincount(code, weights=qty_day, minlength=n_sku), index)
    n_dem = np.bincount(code, minlength=n_sku)
    last_day = np.full(n_sku, np.nan)
    if len(code):
        ends = np.flatnonzero(np.append(code[1:] != code[:-1], True))
        last_day[code[ends]] = day[ends]
    z = 1.0 - n_dem / n_days
    with np.errstate(divide="ignore", invalid="ignore"):
        threshold = np.where((z > 0) & (z < 1), np.log(alpha) / np.log(z), np.inf)
    # gaps between successive sale days
    same = np.zeros(len(code), bool)
    same[1:] = code[1:] == code[:-1]
    gap = np.zeros(len(code))
    gap[1:] = day[1:] - day[:-1] - 1
    flagged = same & (gap > threshold[code]) & (gap > 0)
    days_internal = np.bincount(code[flagged], weights=gap[flagged], minlength=len(index))
    runs_internal = np.bincount(code[flagged], minlength=len(index))
    stock = on_hand.to_numpy(dtype=float)
    out_now = (stock <= 0) & (n_dem > 0)
    trailing = np.where(out_now, (n_days - 1) - np.nan_to_num(last_day), 0.0)
    stockout_days = days_internal + trailing
    incidents = runs_internal + out_now
    open_days = n_days - stockout_days
    rate = np.divide(sold.to_numpy(), open_days, out=np.zeros(len(index)), where=open_days > 0)
    lost = rate * stockout_days
    if freq != "D":  # buckets to days
        rate = rate / BUCKET_DAYS[freq]
        stockout_days = stockout_days * BUCKET_DAYS[freq]
    total = sold.to_numpy() + lost
    fill = np.divide(sold.to_numpy(), total, out=np.full(len(index), np.nan), where=total > 0)
    return pd.DataFrame(
        {
            "units_sold": sold.to_numpy(),
            "demand_days": n_dem,
            "daily_rate": rate,
            "stockout_days": stockout_days,
            "stockout_incidents": incidents.astype(float),
            "out_of_stock_now": out_now,
            "lost_units_est": lost,
            "fill_rate_est": fill,
        },
        index=index,
    )


def stock_value_history(
    on_hand_value: pd.Series,
    receipts: pd.DataFrame,
    issues: pd.DataFrame,
    *,
    unit_cost: pd.Series,
    group: pd.Series,
    start,
    end,
    freq: str = "W-SUN",
) -> pd.DataFrame:
    """Stock value by group over time, rolled back from today's stock.

    Parameters
    ----------
    on_hand_value : pandas.Series
        Value on hand at ``end`` [$] by sku: the SKUs to include.
    receipts : pandas.DataFrame
        ``sku``, ``date`` (or ``received_date``), ``quantity`` [units] received.
    issues : pandas.DataFrame
        ``sku``, ``date``, ``quantity`` [units] issued.
    unit_cost : pandas.Series
        Cost [$/unit] by sku to value the movements.
    group : pandas.Series
        Group by sku (e.g. inventory type).
    start, end : date-like
        The span to reconstruct.
    freq : str
        Sampling of the result (pandas offset alias), default weekly on Sundays.

    Returns
    -------
    pandas.DataFrame
        Index the sample dates (end of day), one column per group [$].

    Notes
    -----
    :math:`V(t) = V(end) - \\sum_{t < \\tau \\le end} c\\,(r_\\tau - s_\\tau)`:
    stock at cost rolled back through the receipts :math:`r` and issues
    :math:`s` after :math:`t`. It is only as good as the receipts it is given:
    include only SKUs whose every receipt is recorded (bought items with
    purchase orders); produced items need their production receipts.

    Examples
    --------
    >>> import pandas as pd
    >>> v = stock_value_history(
    ...     pd.Series({"a": 100.0}),
    ...     pd.DataFrame({"sku": ["a"], "date": pd.to_datetime(["2026-01-03"]),
    ...                   "quantity": [10.0]}),
    ...     pd.DataFrame({"sku": ["a"], "date": pd.to_datetime(["2026-01-05"]),
    ...                   "quantity": [4.0]}),
    ...     unit_cost=pd.Series({"a": 5.0}), group=pd.Series({"a": "rm"}),
    ...     start="2026-01-01", end="2026-01-06", freq="D")
    >>> v["rm"].tolist()
    [70.0, 70.0, 120.0, 120.0, 100.0, 100.0]
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    skus = pd.Index(on_hand_value.index.astype(str))
    cost = unit_cost.set_axis(unit_cost.index.astype(str)).reindex(skus).fillna(0.0)
    grp = group.set_axis(group.index.astype(str)).reindex(skus).astype(str)

    def flows(frame: pd.DataFrame, sign: float) -> pd.DataFrame:
        when = pd.to_datetime(frame["date"] if "date" in frame else frame["received_date"])
        sku = frame["sku"].astype(str)
        keep = sku.isin(skus).to_numpy() & (when > start).to_numpy() & (when <= end).to_numpy()
        s = sku[keep].to_numpy()
        return pd.DataFrame(
            {
                "group": grp.reindex(s).to_numpy(),
                "date": when[keep].dt.normalize().to_numpy(),
                "value": sign
                * frame["quantity"].to_numpy(dtype=float)[keep]
                * cost.reindex(s).to_numpy(),
            }
        )

    net = pd.concat([flows(receipts, 1.0), flows(issues, -1.0)], ignore_index=True)
    days = pd.date_range(start, end, freq="D")
    per_day = (
        net.pivot_table(index="date", columns="group", values="value", aggfunc="sum")
        .reindex(days, fill_value=0.0)
        .fillna(0.0)
    )
    groups = sorted(grp.unique())
    per_day = per_day.reindex(columns=groups, fill_value=0.0)
    end_value = on_hand_value.set_axis(skus).groupby(grp.to_numpy()).sum().reindex(groups)
    # value at end of day t = end value - net flows on days after t
    after = per_day[::-1].cumsum()[::-1].shift(-1, fill_value=0.0)
    history = end_value.to_numpy()[None, :] - after.to_numpy()
    out = pd.DataFrame(history, index=days, columns=groups)
    if freq != "D":
        out = out.resample(freq).last()
    out.index.name = "date"
    return out
