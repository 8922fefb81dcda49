"""Stock aging and expiry risk.

*Aging* sorts the stock on hand into age buckets (days since the lot was
received), by units and by value: old stock ties up money and is the first
candidate for markdowns and write-offs.

*Expiry risk* asks, for perishables, which units will pass their expiry date
before they are likely to be sold at the current demand rate, if the stock is
issued first-expired-first-out (FEFO): those units, and their cost, are at risk.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np
import pandas as pd

from .fifo import _check_quantity, _require_columns

__all__ = [
    "DEFAULT_AGE_BUCKETS",
    "Aging",
    "age_bucket_labels",
    "expiry_risk",
    "fill_expiry_dates",
    "stock_aging",
]

#: Upper edges [days] of the default age buckets 0-30, 31-90, 91-180, 181-365, >365.
DEFAULT_AGE_BUCKETS = (30, 90, 180, 365)


class Aging(NamedTuple):
    """Result of :func:`stock_aging`.

    Attributes
    ----------
    lots : pandas.DataFrame
        The lots on hand with ``age_days`` [days], ``bucket`` (ordered
        Categorical) and ``value`` [$].
    units : pandas.DataFrame
        Units [units] per group (rows) and bucket (columns), zeros filled.
    value : pandas.DataFrame
        Value at cost [$] per group and bucket.
    totals : pandas.DataFrame
        Indexed by bucket: ``units``, ``value`` [$] and ``value_share`` [-].
    excluded : int
        Lots received after ``as_of`` (not on hand yet), left out.
    as_of : pandas.Timestamp
        The date the ages were measured at (the given ``as_of``, else the latest
        receipt).
    """

    lots: pd.DataFrame
    units: pd.DataFrame
    value: pd.DataFrame
    totals: pd.DataFrame
    excluded: int
    as_of: pd.Timestamp


def age_bucket_labels(buckets_days=DEFAULT_AGE_BUCKETS) -> list[str]:
    """Labels of the age buckets closed by ``buckets_days``.

    >>> age_bucket_labels((30, 90, 180, 365))
    ['0-30', '31-90', '91-180', '181-365', '>365']
    """
    edges = [int(e) for e in buckets_days]
    if not edges or any(b <= a for a, b in itertools.pairwise(edges)) or edges[0] < 0:
        raise ValueError(
            f"buckets_days must be increasing whole days >= 0 [days]; got {list(buckets_days)}"
        )
    lows = [0] + [e + 1 for e in edges[:-1]]
    return [f"{lo}-{hi}" for lo, hi in zip(lows, edges, strict=True)] + [f">{edges[-1]}"]


def _as_of(lots: pd.DataFrame, as_of, column: str) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of)
    if len(lots) and column in lots and lots[column].notna().any():
        return pd.Timestamp(pd.to_datetime(lots[column]).max())
    return pd.Timestamp.today().normalize()


def stock_aging(
    lots: pd.DataFrame,
    *,
    as_of=None,
    buckets_days=DEFAULT_AGE_BUCKETS,
    by: str = "sku",
) -> Aging:
    """Stock on hand by age bucket, in units and value.

    Parameters
    ----------
    lots : pandas.DataFrame
        Lots on hand: ``sku``, ``received_date``, ``quantity`` [units],
        ``unit_cost`` [$/unit] (and the ``by`` column).
    as_of : date-like, optional
        The date ages are measured at; default the latest ``received_date``. The
        lots table alone does not know where the data ends: when the history runs
        past the last receipt (it usually does) the default understates every
        age, so pass the end of the data (``wb.weekly_review`` and the dashboard
        pass the end of the demand history). ``Aging.as_of`` says which date was
        used.
    buckets_days : sequence of int
        Increasing upper edges of the buckets [days]; default (30, 90, 180, 365)
        gives 0-30, 31-90, 91-180, 181-365 and >365 days.
    by : str
        Column to group rows by (``"sku"``, ``"location"``, ``"inventory_type"``
        if the lots carry it...).

    Returns
    -------
    Aging
        Per-lot ages, units and value per group and bucket, totals per bucket.

    Raises
    ------
    ValueError
        If a column is missing, a quantity is negative, or the buckets are not
        increasing.

    Notes
    -----
    Age :math:`a = t_{as\\ of} - t_{received}` in whole days; a lot of age
    :math:`a` falls in the first bucket whose upper edge is :math:`\\ge a`.

    Examples
    --------
    >>> import pandas as pd
    >>> lots = pd.DataFrame({"sku": ["a", "a", "b"], "quantity": [10.0, 5, 2],
    ...     "unit_cost": [2.0, 2, 50],
    ...     "received_date": pd.to_datetime(["2026-10-01", "2026-05-01", "2025-06-01"])})
    >>> # ages 30, 183 and 517 days
    >>> aging = stock_aging(lots, as_of="2026-10-31")
    >>> aging.totals["value"].tolist()
    [20.0, 0.0, 0.0, 10.0, 100.0]
    """
    labels = age_bucket_labels(buckets_days)
    _require_columns(lots, "lots", ("sku", "received_date", "quantity", "unit_cost", by))
    qty = lots["quantity"].to_numpy(dtype=float, na_value=np.nan)
    _check_quantity(qty, "lots.quantity")
    when = _as_of(lots, as_of, "received_date")
    age = (when - pd.to_datetime(lots["received_date"])).dt.days.to_numpy()
    future = age < 0
    frame = lots.loc[~future].copy()
    age = age[~future]
    edges = np.asarray([int(e) for e in buckets_days])
    idx = np.searchsorted(edges, age, side="left")
    frame["age_days"] = age
    frame["bucket"] = pd.Categorical.from_codes(idx, categories=labels, ordered=True)
    frame["value"] = frame["quantity"].to_numpy(dtype=float) * frame["unit_cost"].to_numpy(
        dtype=float
    )
    grouped = frame.groupby([by, "bucket"], observed=False, sort=True)
    units = grouped["quantity"].sum().unstack("bucket").fillna(0.0)
    value = grouped["value"].sum().unstack("bucket").fillna(0.0)
    by_bucket = frame.groupby("bucket", observed=False)[["quantity", "value"]].sum()
    totals = by_bucket.rename(columns={"quantity": "units"})
    total_value = totals["value"].sum()
    totals["value_share"] = totals["value"] / total_value if total_value > 0 else 0.0
    return Aging(frame.reset_index(drop=True), units, value, totals, int(future.sum()), when)


def fill_expiry_dates(lots: pd.DataFrame, *, shelf_life_days: pd.Series | float) -> pd.DataFrame:
    """Date the lots that have no expiry date from their item's shelf life.

    Parameters
    ----------
    lots : pandas.DataFrame
        ``sku``, ``received_date`` and optionally ``expiry_date``.
    shelf_life_days : pandas.Series or float
        Shelf life from receipt [days] per sku (e.g. ``items.set_index("sku")
        ["shelf_life_days"]``) or one for all; NaN or missing: does not expire.

    Returns
    -------
    pandas.DataFrame
        A copy of ``lots`` with ``expiry_date`` = ``received_date`` + shelf life
        where it was missing, and ``expiry_from_shelf_life`` (bool) marking them.

    Raises
    ------
    ValueError
        If a column is missing or a shelf life is <= 0.

    Examples
    --------
    >>> import pandas as pd
    >>> lots = pd.DataFrame({"sku": ["milk", "milk"], "quantity": [1.0, 1.0],
    ...     "received_date": pd.to_datetime(["2026-10-01", "2026-10-02"]),
    ...     "expiry_date": pd.to_datetime(["2026-10-05", None])})
    >>> fill_expiry_dates(lots, shelf_life_days=pd.Series({"milk": 7}))["expiry_date"].tolist()
    [Timestamp('2026-10-05 00:00:00'), Timestamp('2026-10-09 00:00:00')]
    """
    _require_columns(lots, "lots", ("sku", "received_date"))
    sku = lots["sku"].astype(str)
    if isinstance(shelf_life_days, pd.Series):
        life_map = shelf_life_days.copy()
        life_map.index = life_map.index.astype(str)
        life = sku.map(life_map).to_numpy(dtype=float, na_value=np.nan)
    else:
        life = np.full(len(lots), float(shelf_life_days))
    if np.any(life <= 0):
        shown = ", ".join(f"{v:g}" for v in life[life <= 0][:3])
        raise ValueError(f"shelf_life_days must be > 0 [days] (or NaN: no expiry); got {shown}")
    out = lots.copy()
    given = (
        pd.to_datetime(out["expiry_date"])
        if "expiry_date" in out
        else pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    )
    estimated = pd.to_datetime(out["received_date"]) + pd.to_timedelta(life, unit="D")
    fill = given.isna() & estimated.notna()
    out["expiry_date"] = given.where(~fill, estimated)
    out["expiry_from_shelf_life"] = fill.to_numpy()
    return out


def expiry_risk(
    lots: pd.DataFrame,
    daily_demand: pd.Series | float,
    *,
    as_of=None,
    shelf_life_days: pd.Series | float | None = None,
) -> pd.DataFrame:
    """Units that will expire before they sell at the current demand rate (FEFO).

    Parameters
    ----------
    lots : pandas.DataFrame
        Lots on hand: ``sku``, ``quantity`` [units], ``unit_cost`` [$/unit],
        ``expiry_date`` (lots without one are never at risk and are left out),
        optionally ``lot_id``, ``location``, ``received_date``.
    daily_demand : pandas.Series or float
        Expected demand rate r [units/day] per SKU (a Series indexed by sku, e.g.
        ``wb.demand_stats(ds)["daily_mean"]``) or one rate for all; SKUs missing
        from the Series have rate 0.
    as_of : date-like, optional
        Today; default the latest ``received_date`` (or expiry) in ``lots``.
    shelf_life_days : pandas.Series or float, optional
        Shelf life from receipt [days] by sku (the items' ``shelf_life_days``):
        lots without an ``expiry_date`` are dated ``received_date`` + shelf life
        (:func:`fill_expiry_dates`); without it they are never at risk.

    Returns
    -------
    pandas.DataFrame
        One row per dated lot, FEFO order within SKU, sorted by ``value_at_risk``
        descending: ``sku``, ``lot_id``, ``location``, ``expiry_date``,
        ``days_to_expiry`` [days], ``quantity`` [units], ``unit_cost`` [$/unit],
        ``units_ahead`` [units] (dated stock expiring earlier), ``daily_demand``
        [units/day], ``sell_through_days`` [days] to sell this lot and those ahead,
        ``units_at_risk`` [units], ``value_at_risk`` [$], ``expired`` (bool),
        ``expiry_from_shelf_life`` (bool: dated from the shelf life).

    Raises
    ------
    ValueError
        If a column is missing, a quantity or rate is negative or NaN.

    Notes
    -----
    With lots of one SKU in expiry order, :math:`C_k` the cumulative quantity
    through lot :math:`k`, :math:`e_k` its days to expiry and :math:`r` the
    demand rate, the units of lot :math:`k` still unsold at expiry are

    .. math:: u_k = \\min\\big(q_k, \\max(0, C_k - r\\,\\max(e_k, 0))\\big).

    Lots already expired (:math:`e_k \\le 0`) are wholly at risk. Earlier lots
    are assumed sold in full before later ones (units discarded from an earlier
    lot do not speed up later ones), which slightly overstates the risk of the
    later lots: a conservative estimate.

    Examples
    --------
    Milk at 10 units a day: lot 1 (50 units) expires in 3 days, lot 2 (40) in
    6 days. By day 3, 30 units are sold: 20 of lot 1 expire. By day 6, 60 of the
    90 are sold: 30 of lot 2 expire.

    >>> import pandas as pd
    >>> lots = pd.DataFrame({"sku": "milk", "lot_id": ["1", "2"], "quantity": [50.0, 40],
    ...     "unit_cost": [1.0, 1.0],
    ...     "expiry_date": pd.to_datetime(["2026-11-03", "2026-11-06"])})
    >>> risk = expiry_risk(lots, 10.0, as_of="2026-10-31")
    >>> risk.sort_values("lot_id")["units_at_risk"].tolist()
    [20.0, 30.0]
    """
    if shelf_life_days is not None:
        lots = fill_expiry_dates(lots, shelf_life_days=shelf_life_days)
    elif "expiry_date" in lots and "expiry_from_shelf_life" not in lots:
        lots = lots.assign(expiry_from_shelf_life=False)
    _require_columns(lots, "lots", ("sku", "quantity", "unit_cost", "expiry_date"))
    qty_all = lots["quantity"].to_numpy(dtype=float, na_value=np.nan)
    _check_quantity(qty_all, "lots.quantity")
    when = as_of
    if when is None:
        col = "received_date" if "received_date" in lots else "expiry_date"
        when = _as_of(lots, None, col)
    when = pd.Timestamp(when)
    dated = lots[pd.to_datetime(lots["expiry_date"]).notna()].copy()
    dated["sku"] = dated["sku"].astype(str)
    dated["expiry_date"] = pd.to_datetime(dated["expiry_date"])
    dated = dated.sort_values(["sku", "expiry_date"], kind="stable").reset_index(drop=True)
    if isinstance(daily_demand, pd.Series):
        rate_map = daily_demand.copy()
        rate_map.index = rate_map.index.astype(str)
        rate = dated["sku"].map(rate_map).to_numpy(dtype=float, na_value=np.nan)
        rate = np.where(np.isnan(rate) & ~dated["sku"].isin(rate_map.index).to_numpy(), 0.0, rate)
    else:
        rate = np.full(len(dated), float(daily_demand))
    if np.any(np.isnan(rate)) or np.any(rate < 0):
        raise ValueError("daily_demand must be a number >= 0 [units/day] for every SKU")
    qty = dated["quantity"].to_numpy(dtype=float)
    cum = dated.groupby("sku", sort=False)["quantity"].cumsum().to_numpy(dtype=float)
    days = (dated["expiry_date"] - when).dt.days.to_numpy()
    sold_by_expiry = rate * np.maximum(days, 0)
    at_risk = np.minimum(qty, np.maximum(0.0, cum - sold_by_expiry))
    at_risk = np.where(days <= 0, qty, at_risk)
    cost = dated["unit_cost"].to_numpy(dtype=float)
    # a demand rate too small for float division (e.g. 1e-310) never sells the lot: inf days
    with np.errstate(over="ignore"):
        sell_through = np.divide(cum, rate, out=np.full(len(dated), np.inf), where=rate > 0)
    out = pd.DataFrame(
        {
            "sku": dated["sku"].astype("str"),
            "lot_id": dated["lot_id"] if "lot_id" in dated else np.arange(len(dated)),
            "location": dated["location"] if "location" in dated else pd.NA,
            "expiry_date": dated["expiry_date"],
            "days_to_expiry": days,
            "quantity": qty,
            "unit_cost": cost,
            "units_ahead": cum - qty,
            "daily_demand": rate,
            "sell_through_days": sell_through,
            "units_at_risk": at_risk,
            "value_at_risk": at_risk * cost,
            "expired": days <= 0,
            "expiry_from_shelf_life": dated["expiry_from_shelf_life"].to_numpy(dtype=bool),
        }
    )
    return out.sort_values(
        ["value_at_risk", "days_to_expiry"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
