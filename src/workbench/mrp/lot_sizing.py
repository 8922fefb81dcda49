"""Lot sizing: how much to order, and when, against time-phased net requirements.

:func:`lot_size` turns net requirements per period (one item's row, or an items x
periods matrix) into planned order receipts with one of eight rules, each respecting a
minimum order quantity, a pack multiple and a maximum, and reports the ordering and
holding cost of the plan. It is the lot-sizing step of MRP (:func:`workbench.mrp`) and
runs alone for teaching and comparison.

Conventions
-----------
- Requirements are *net*: what new orders must cover, period by period, with nothing
  on hand before the first period. A lot received in period ``t`` serves period ``t`` at
  once; what is left is carried and serves later periods first.
- Holding is charged on each period's ending inventory, ``holding_cost`` [$/unit/period]
  (Jacobs & Chase, ch. 21; Nahmias, sect. 7.2); ordering costs ``order_cost`` [$/order].
- Every lot is raised to the minimum order quantity, then up to a whole number of packs.
  A rule never plans a lot above the maximum when it can stop earlier; a single
  period needing more than the maximum gets several orders in that period, each at most
  the maximum (each costs ``order_cost``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..data.schema import LOT_SIZING_RULES

__all__ = ["LOT_SIZING_METHODS", "LotSizeResult", "lot_size"]

#: The lot-sizing rules, by name; :func:`lot_size` also accepts the aliases in
#: ``_ALIASES`` (``"L4L"``, ``"FOQ"``, ``"EOQ"``, ``"POQ"``, ``"WW"``, ``"SM"``,
#: ``"LUC"``, ``"PPB"``), case-insensitive.
LOT_SIZING_METHODS: tuple[str, ...] = LOT_SIZING_RULES

_ALIASES = {
    "l4l": "lot_for_lot",
    "lfl": "lot_for_lot",
    "lot-for-lot": "lot_for_lot",
    "foq": "fixed_order_quantity",
    "poq": "periodic_order_quantity",
    "ww": "wagner_whitin",
    "wagner-whitin": "wagner_whitin",
    "sm": "silver_meal",
    "silver-meal": "silver_meal",
    "luc": "least_unit_cost",
    "ppb": "part_period_balancing",
}


def _method_name(method: str) -> str:
    key = str(method).strip().lower()
    name = _ALIASES.get(key, key.replace("-", "_").replace(" ", "_"))
    if name not in LOT_SIZING_METHODS:
        raise ValueError(
            f"method must be one of {', '.join(LOT_SIZING_METHODS)} "
            f"(or L4L, FOQ, EOQ, POQ, WW, SM, LUC, PPB); got {method!r}"
        )
    return name


@dataclass(frozen=True)
class LotSizeResult:
    """A lot-sizing plan.

    The arrays have the shape of the requirements given (one row per item for a
    matrix; a DataFrame in gives DataFrames with its index and columns, a Series in
    gives Series); the costs are per item (a float for one item, an array or a Series
    indexed like the rows for many).

    Attributes
    ----------
    method : str
        The rule used (one of :data:`LOT_SIZING_METHODS`).
    receipts : ndarray or DataFrame
        Planned order receipts per period [units].
    orders : ndarray or DataFrame
        Number of orders placed per period (0, 1, or more when one period needs more
        than the maximum order quantity) [count].
    ending_inventory : ndarray or DataFrame
        Inventory left at the end of each period [units].
    ordering_cost, holding_cost, total_cost : float, ndarray or Series
        Order cost times the number of orders; holding cost times the sum of ending
        inventories; their sum [$ over the horizon].
    lot_quantity : float, ndarray or Series
        The fixed lot used by ``fixed_order_quantity`` and ``eoq`` (EOQ rounded to
        a whole unit) [units]; NaN for the other rules.
    periods_per_order : float, ndarray or Series
        The interval used by ``periodic_order_quantity`` [periods]; NaN otherwise.
    """

    method: str
    receipts: Any
    orders: Any
    ending_inventory: Any
    ordering_cost: Any
    holding_cost: Any
    total_cost: Any
    lot_quantity: Any
    periods_per_order: Any


def _per_item(name: str, value: Any, n: int, unit: str) -> np.ndarray:
    """``value`` (scalar or one per item) as a float array of length ``n``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number {unit}; got {value!r}") from None
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size not in (1, n)):
        raise ValueError(
            f"{name} must be a scalar or one value per item ({n}) {unit}; got shape {arr.shape}"
        )
    arr = np.broadcast_to(arr.reshape(-1) if arr.ndim else arr, (n,)).astype(float)
    bad = np.isnan(arr)
    if bad.any():
        raise ValueError(f"{name} must be a number {unit}; got NaN for item {int(np.argmax(bad))}")
    return arr


def _check(name: str, arr: np.ndarray, ok: np.ndarray, rule: str, unit: str) -> None:
    if not np.all(ok):
        i = int(np.argmin(ok))
        where = f" (item {i})" if arr.size > 1 else ""
        raise ValueError(f"{name} must be {rule} {unit}; got {arr[i]:g}{where}")


def lot_size(
    requirements: Any,
    *,
    method: str = "lot_for_lot",
    order_cost: Any = 0.0,
    holding_cost: Any = 0.0,
    min_order_qty: Any = 0.0,
    pack_size: Any = 1.0,
    max_order_qty: Any = None,
    fixed_order_qty: Any = None,
    periods_per_order: Any = None,
    demand_per_period: Any = None,
) -> LotSizeResult:
    """Plan order receipts against net requirements with a lot-sizing rule.

    Parameters
    ----------
    requirements : array_like, Series or DataFrame
        Net requirements per period [units], >= 0: one item (1-D) or items x periods
        (2-D; a DataFrame's rows are items, its columns periods).
    method : str, default "lot_for_lot"
        One of :data:`LOT_SIZING_METHODS`:

        - ``lot_for_lot``: each period's requirement is its own lot.
        - ``fixed_order_quantity``: a lot of ``fixed_order_qty`` whenever stock runs
          short (or the period's need if larger).
        - ``eoq``: as above with the EOQ ``sqrt(2 D S / h)``, D the mean
          requirement per period, rounded to a whole unit.
        - ``periodic_order_quantity``: a lot covering ``P`` periods,
          ``P = round(EOQ / D)`` (at least 1) unless ``periods_per_order`` is given.
        - ``wagner_whitin``: the cost-minimising plan (dynamic programming, Wagner &
          Whitin 1958); optimal when no minimum, pack or maximum binds.
        - ``silver_meal``: extend the lot while the cost per period covered falls.
        - ``least_unit_cost``: extend the lot while the cost per unit falls.
        - ``part_period_balancing``: extend the lot until its part-periods (units x
          periods held) are closest to the economic part-period ``S / h``.
    order_cost : float or array_like, default 0
        S, cost per order or setup [$/order], >= 0; scalar or one per item.
    holding_cost : float or array_like, default 0
        h, cost of holding one unit one period [$/unit/period], >= 0.
    min_order_qty : float or array_like, default 0
        Minimum order quantity [units], >= 0.
    pack_size : float or array_like, default 1
        Pack multiple [units], > 0: every lot is a whole number of packs.
    max_order_qty : float or array_like, optional
        Maximum order quantity [units] (inf or None: no maximum); must hold at least
        one pack and the minimum.
    fixed_order_qty : float or array_like, optional
        The lot for ``fixed_order_quantity`` [units], > 0 (required by that rule).
    periods_per_order : int or array_like, optional
        P for ``periodic_order_quantity`` [periods], >= 1; default from the EOQ.
    demand_per_period : float or array_like, optional
        D for the EOQ and POQ [units/period]; default each item's mean requirement
        over the horizon.

    Returns
    -------
    LotSizeResult
        Receipts, orders and ending inventory per period, and the plan's costs.

    Raises
    ------
    ValueError
        Unknown method; a requirement negative, NaN or infinite (naming item and
        period); a cost, quantity or pack out of range (naming the parameter, unit and
        value); ``fixed_order_quantity`` without ``fixed_order_qty``.

    Notes
    -----
    Cost of a plan: ``S * (number of orders) + h * sum_t I_t``, I_t the ending
    inventory of period t. The heuristics' stopping rules, for a lot ordered in period
    t covering t..j: Silver-Meal stops when ``(S + h sum_{k=t+1}^{j} (k-t) r_k) / (j-t+1)``
    first rises; least unit cost when the same cost divided by ``sum_{k=t}^{j} r_k``
    first rises; part-period balancing picks j whose ``sum (k-t) r_k`` is closest to
    ``S / h`` (ties to the shorter lot). Nahmias (2009), sect. 7.5; Jacobs & Chase
    (2018), ch. 21; Silver, Pyke & Thomas (2017), ch. 6.

    Each item is one compiled sequential pass (numba), all items in parallel; the
    Wagner-Whitin recursion is O(T^2) per item.

    References
    ----------
    .. [1] H. M. Wagner and T. M. Whitin, "Dynamic version of the economic lot size
       model," Management Science 5(1), 89-96, 1958.
    .. [2] S. Nahmias, Production and Operations Analysis, 6th ed., McGraw-Hill,
       2009, sect. 7.5.
    .. [3] F. R. Jacobs and R. B. Chase, Operations and Supply Chain Management,
       15th ed., McGraw-Hill, 2018, ch. 21.
    .. [4] L. V. Snyder and Z.-J. M. Shen, Fundamentals of Supply Chain Theory, 2nd
       ed., Wiley, 2019, sect. 3.7.

    Examples
    --------
    Snyder & Shen, Example 3.9 (S = 500, h = 2, demand 90, 120, 80, 70):

    >>> import workbench as wb
    >>> res = wb.lot_size([90, 120, 80, 70], method="wagner_whitin",
    ...                   order_cost=500, holding_cost=2)
    >>> res.receipts.tolist(), res.total_cost
    ([210.0, 0.0, 150.0, 0.0], 1380.0)
    """
    name = _method_name(method)
    index = columns = None
    kind = "array"
    if isinstance(requirements, pd.DataFrame):
        kind, index, columns = "frame", requirements.index, requirements.columns
        values = requirements.to_numpy(dtype=float)
    elif isinstance(requirements, pd.Series):
        kind, columns = "series", requirements.index
        values = requirements.to_numpy(dtype=float)
    else:
        try:
            values = np.asarray(requirements, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(
                f"requirements must be numbers [units]; got {requirements!r}"
            ) from None
    one = values.ndim == 1
    if values.ndim not in (1, 2):
        raise ValueError(
            "requirements must be one item's periods (1-D) or items x periods (2-D); "
            f"got {values.ndim} dimensions"
        )
    req = np.ascontiguousarray(values.reshape(1, -1) if one else values, dtype=float)
    n_items, n_periods = req.shape
    bad = ~np.isfinite(req) | (req < 0)
    if bad.any():
        i, t = (int(x) for x in np.argwhere(bad)[0])
        item = f"item {index[i] if index is not None else i}, " if not one else ""
        period = columns[t] if columns is not None else t
        raise ValueError(
            f"requirements must be finite and >= 0 [units]; got {req[i, t]:g} at "
            f"{item}period {period} ({int(bad.sum())} such values)"
        )

    s = _per_item("order_cost", order_cost, n_items, "[$/order]")
    h = _per_item("holding_cost", holding_cost, n_items, "[$/unit/period]")
    moq = _per_item("min_order_qty", min_order_qty, n_items, "[units]")
    pack = _per_item("pack_size", pack_size, n_items, "[units]")
    _check("order_cost", s, s >= 0, ">= 0", "[$/order]")
    _check("holding_cost", h, h >= 0, ">= 0", "[$/unit/period]")
    _check("min_order_qty", moq, moq >= 0, ">= 0", "[units]")
    _check("pack_size", pack, (pack > 0) & np.isfinite(pack), "> 0 and finite", "[units]")
    moq_packs = np.ceil(moq / pack - 1e-9) * pack
    if max_order_qty is None:
        cap = np.full(n_items, np.inf)
    else:
        cap = _per_item("max_order_qty", max_order_qty, n_items, "[units]")
        _check("max_order_qty", cap, cap > 0, "> 0", "[units]")
        cap = np.where(np.isfinite(cap), np.floor(cap / pack + 1e-9) * pack, np.inf)
        raw = _per_item("max_order_qty", max_order_qty, n_items, "[units]")
        _check(
            "max_order_qty",
            raw,
            (cap >= pack) & (cap >= moq_packs),
            "at least one pack and the minimum order quantity (in whole packs)",
            "[units]",
        )

    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (
            req.mean(axis=1)
            if demand_per_period is None
            else _per_item("demand_per_period", demand_per_period, n_items, "[units/period]")
        )
        _check("demand_per_period", rate, rate >= 0, ">= 0", "[units/period]")
        eoq = np.sqrt(np.where(h > 0, 2.0 * rate * s / h, np.inf))
    lot = np.full(n_items, np.nan)
    periods = np.ones(n_items, dtype=np.int64)
    periods_out = np.full(n_items, np.nan)
    if name == "fixed_order_quantity":
        if fixed_order_qty is None:
            raise ValueError("method 'fixed_order_quantity' needs fixed_order_qty [units]")
        lot = _per_item("fixed_order_qty", fixed_order_qty, n_items, "[units]")
        _check("fixed_order_qty", lot, lot > 0, "> 0", "[units]")
    elif name == "eoq":
        # Jacobs & Chase round the EOQ to a whole unit (351.2 -> 351)
        # h = 0 makes the EOQ infinite: one lot for the whole horizon
        lot = np.where(np.isfinite(eoq), np.maximum(np.rint(eoq), 1.0), req.sum(axis=1))
    elif name == "periodic_order_quantity":
        if periods_per_order is None:
            with np.errstate(divide="ignore", invalid="ignore"):
                p = np.where(rate > 0, np.rint(eoq / rate), n_periods)
            p = np.clip(np.nan_to_num(p, nan=n_periods, posinf=n_periods), 1, n_periods)
        else:
            p = _per_item("periods_per_order", periods_per_order, n_items, "[periods]")
            _check(
                "periods_per_order",
                p,
                (p >= 1) & (p == np.floor(p)),
                "a whole number >= 1",
                "[periods]",
            )
        periods = p.astype(np.int64)
        periods_out = p.astype(float)

    from . import _lot_kernels as k  # numba: imported on first use

    receipts = np.zeros_like(req)
    orders = np.zeros(req.shape, dtype=np.int64)
    ending = np.zeros_like(req)
    code = LOT_SIZING_METHODS.index(name)
    k.lot_size_rows(
        req,
        code,
        s,
        h,
        moq_packs,
        pack,
        cap,
        np.nan_to_num(lot, nan=0.0),
        periods,
        receipts,
        orders,
        ending,
    )
    ordering = s * orders.sum(axis=1)
    holding = h * ending.sum(axis=1)
    total = ordering + holding

    def rows(a: np.ndarray) -> Any:
        if kind == "frame":
            return pd.DataFrame(a, index=index, columns=columns)
        if one:
            return pd.Series(a[0], index=columns) if kind == "series" else a[0]
        return a

    def per(a: np.ndarray) -> Any:
        if one:
            return float(a[0])
        return pd.Series(a, index=index) if kind == "frame" else a

    return LotSizeResult(
        method=name,
        receipts=rows(receipts),
        orders=rows(orders),
        ending_inventory=rows(ending),
        ordering_cost=per(ordering),
        holding_cost=per(holding),
        total_cost=per(total),
        lot_quantity=per(lot),
        periods_per_order=per(periods_out),
    )
