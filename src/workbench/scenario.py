"""Scenarios and the per-SKU plan: what to order, when, and what it costs.

A :class:`Scenario` is a small, named, serializable set of planning parameters
(holding-cost rate, order cost, service targets by class, lead-time and demand
multipliers, review period, policy). :func:`plan` applies one to a dataset and
returns one row per SKU: demand statistics, ABC and XYZ classes, the service
target, the order quantity, safety stock, reorder point, order-up-to level, the
annual costs, the service expected and the money tied up in stock.
:func:`plan_summary` totals a plan; :func:`compare_scenarios` puts several
scenarios side by side.

Everything is vectorized over SKUs: no loop over SKUs, one calculator call per demand
model (and size class). The reorder points are those the simulator delivers under daily
(or R-day) review, undershoot included; that costs about 0.12 ms of CPU a SKU (the
generated 10,000-SKU business in about 1.2 s once numba is loaded, mostly compounding the
bootstrapped daily pmfs over the lead times; see ``benchmarks/bench_plan.py`` and
``benchmarks/bench_promise.py --check-speed``), against microseconds for the textbook
formulas.
The plan's stages (inputs, classes, demand model, order quantity, reorder point, costs)
are the small modules of :mod:`workbench.planning`.

References
----------
.. [SPT] E. A. Silver, D. F. Pyke and D. J. Thomas, *Inventory and Production
   Management in Supply Chains*, 4th ed., CRC Press, 2017, ch. 4 (EOQ), ch. 6
   ((s, Q), (R, S) and (s, S) systems, safety stock and service measures).
.. [HR] J. Heizer, B. Render and C. Munson, *Operations Management*, 12th ed.,
   Pearson, 2017, ch. 12 (EOQ, reorder point, safety stock, ABC analysis).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ._numeric import index_in
from .mrp.lot_sizing import LOT_SIZING_METHODS
from .planning.classes import _classes
from .planning.columns import PLAN_COLUMNS, _assemble
from .planning.costs import _costs
from .planning.demand_source import DEMAND_SOURCES, _demand_source
from .planning.distribution_choice import _demand_classes
from .planning.inputs import LEAD_TIME_SOURCES, _aligned_stats, _demand, _item_inputs

# MAX_ORDER_QUANTITY and NEGLIGIBLE_DEMAND stay importable from here, as before the split
from .planning.order_quantity import MAX_ORDER_QUANTITY, _order_quantity  # noqa: F401
from .planning.reorder_point import NEGLIGIBLE_DEMAND, _reorder_points  # noqa: F401
from .policy.classify import ABC_RULES
from .policy.demand_class import ADI_CUTOFF, CV2_CUTOFF, BucketDemand, bucket_demand

__all__ = [
    "DEMAND_SOURCES",
    "JSON_MAX_CHARS",
    "JSON_MAX_DEPTH",
    "LEAD_TIME_SOURCES",
    "PLAN_COLUMNS",
    "SCENARIO_BOUNDS",
    "SCENARIO_DISTRIBUTIONS",
    "SCENARIO_POLICIES",
    "SERVICE_TYPES",
    "UNPLANNED_REASONS",
    "Scenario",
    "catalog_abc",
    "compare_scenarios",
    "demand_history",
    "load_json",
    "plan",
    "plan_changes",
    "plan_from_stats",
    "plan_summary",
    "unplanned_items",
]


#: Replenishment policies understood by :func:`plan` (``wb.POLICIES`` is the simulator's).
SCENARIO_POLICIES = ("sQ", "sS", "RS")

#: Demand models a scenario may ask for; "auto" chooses one per SKU by its demand class.
SCENARIO_DISTRIBUTIONS = ("auto", "normal", "gamma", "poisson", "negbin", "empirical")

#: Service measures: cycle service level (type 1) or fill rate (type 2).
SERVICE_TYPES = ("cycle", "fill_rate")

_DEFAULT_TARGETS = {"A": 0.98, "B": 0.95, "C": 0.90}


#: Accepted range of each numeric scenario field: (low, low included, high, unit); the high
#: end always included. The ends are far beyond any real what-if, and inside them every
#: plan figure stays a finite number (tests/test_scenario.py checks the corners).
SCENARIO_BOUNDS: Mapping[str, tuple[float, bool, float, str]] = MappingProxyType(
    {
        # 0.01 % to 10,000 % of the unit cost a year
        "holding_cost_rate": (1e-4, True, 100.0, "1/year"),
        # up to a billion dollars an order
        "order_cost": (0.0, False, 1e9, "$/order"),
        # a hundredth to a hundred times the lead time
        "lead_time_multiplier": (0.01, True, 100.0, "-"),
        # no demand to a thousand times the demand
        "demand_multiplier": (0.0, True, 1000.0, "-"),
        # up to ten years between reviews
        "review_period_days": (0.0, True, 3650.0, "days"),
    }
)

#: Longest scenario JSON document read [characters] and deepest nesting of arrays and
#: objects in it: a scenario file (an array of scenarios of flat fields) has depth 3.
JSON_MAX_CHARS = 10_000_000
JSON_MAX_DEPTH = 20


def _abc_labels(n_cutoffs: int) -> tuple[str, ...]:
    return tuple("ABCDEFGHIJ"[: n_cutoffs + 1])


def _xyz_labels(n_cutoffs: int) -> tuple[str, ...]:
    return ("X", "Y", "Z") if n_cutoffs == 2 else tuple(f"V{i + 1}" for i in range(n_cutoffs + 1))


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A named set of planning parameters, applied to a dataset by :func:`plan`.

    Parameters
    ----------
    name : str, default "baseline"
        Short name shown in comparisons (non-empty).
    description : str, default ""
        Free text: what this what-if is about.
    holding_cost_rate : float, optional
        Holding cost as a fraction of unit cost per year [1/year], i, from 0.0001 to
        100, for every SKU. None: each item's own ``holding_cost_rate``.
    order_cost : float, optional
        Fixed cost per order or setup [$/order], S, > 0 and at most 1e9, for every
        SKU. None: each item's own ``order_cost``.
    service_targets : mapping of class -> float, default {"A": 0.98, "B": 0.95, "C": 0.90}
        Service target per ABC class [fraction in (0, 1)]; one for every ABC class
        (A, B, C... as many as ``len(abc_cutoffs) + 1``).
    service_type : {"cycle", "fill_rate"}, default "cycle"
        What the targets mean: cycle service level (probability of no stockout per
        replenishment cycle, type 1) or fill rate (fraction of demand met from
        stock, type 2).
    use_item_service_levels : bool, default True
        When True, an item's own ``service_level`` (if not blank) takes precedence
        over its class target; it is read as a target of ``service_type``.
    lead_time_multiplier : float, default 1.0
        Scales every lead time and its standard deviation [-], 0.01 to 100 ("lead time
        x2").
    demand_multiplier : float, default 1.0
        Scales daily demand mean and standard deviation and annual demand [-], 0 to
        1000 ("demand +20 %" is 1.2).
    review_period_days : float, default 0.0
        Review period R [days], 0 to 3650 (ten years). 0 means "as often as possible": daily review,
        the finest the demand data show; the plan is made for R_eff = max(R, 1 day).
        Required > 0 for ``policy="RS"``.
    policy : {"sQ", "sS", "RS"}, default "sQ"
        ``"sQ"``: at a review with the inventory position at or below s, order the
        multiple of Q (the rounded EOQ) that lifts it above s. ``"sS"``: order up to
        S = s + Q when at or below s. ``"RS"``: every R days order up to S
        (protection interval L + R). For "sQ" and "sS" the reorder point allows for
        the undershoot below s at a review every R_eff days.
    distribution : {"auto", "normal", "gamma", "poisson", "negbin", "empirical"}
        Model of demand for the reorder point, default "auto": by demand class,
        every class (smooth, erratic, intermittent, lumpy and too little demand to
        classify) -> empirical, the bootstrap of the SKU's own daily history
        (without one: normal for smooth, gamma for erratic, negbin for the others; see
        :func:`workbench.policy.choose_distribution` for why not the normal for
        smooth demand).
    class_cutoffs : tuple of float, default (1.32, 0.49)
        Syntetos-Boylan-Croston cut-offs (ADI [buckets], CV^2 of non-zero demand
        sizes [-]) of the demand classes.
    abc_cutoffs : tuple of float, default (0.8, 0.95)
        Cumulative shares of annual consumption value closing the ABC classes.
    abc_rule : str, default "crossing_item_in_upper_class"
        Where the item that crosses a cut-off goes (see :func:`abc_classify`).
    xyz_cutoffs : tuple of float, default (0.5, 1.0)
        Coefficient-of-variation cut-offs of the XYZ classes.
    lead_time_source : {"quoted", "history"}, default "quoted"
        Where each SKU's lead-time mean and standard deviation come from: the items
        table's ``lead_time_days`` and ``lead_time_sd_days`` (the supplier's quote), or,
        with "history", the received purchase-order lines of the year up to ``as_of``
        (:func:`workbench.measured_lead_times`: mean and sample sd of received minus
        ordered [days]) for SKUs with at least :data:`workbench.MIN_RECEIPTS` (5)
        receipts, the quote for the others. :func:`plan` does this; the plan's
        ``lead_time_source`` column says which source each SKU used. The lead-time
        multiplier applies to either.
    demand_source : {"history", "forecast"}, default "history"
        Where each SKU's demand over the protection interval comes from: the
        history's mean and standard deviation, or, with "forecast", the forecast summed
        over the protection interval (lead time, plus the review period for "RS") and
        the root mean squared error of that sum in a rolling-origin backtest
        (:func:`workbench.forecast_demand`). SKUs the forecast cannot serve (fewer than
        2 demands, fewer than 3 backtest windows, an interval beyond 120 days) keep
        the history. The plan's ``demand_source`` column says which source each SKU
        used; see :func:`plan_from_stats`.
    lot_sizing : str, default "lot_for_lot"
        The MRP lot-sizing rule (:func:`workbench.mrp`), one of
        :data:`workbench.LOT_SIZING_METHODS`: "lot_for_lot", "fixed_order_quantity",
        "eoq", "periodic_order_quantity", "wagner_whitin", "silver_meal",
        "least_unit_cost" or "part_period_balancing". It sizes the planned orders of
        every item without its own rule (the items table's ``lot_sizing``) when
        :func:`workbench.mrp` is given this scenario and no ``lot_sizing`` argument;
        :func:`plan` (reorder points) does not use it.

    Raises
    ------
    ValueError
        On any invalid field; the message names the field, the constraint, the
        unit and the value. The numeric fields' ranges are in :data:`SCENARIO_BOUNDS`:
        beyond them a plan would overflow to inf or NaN (``order_cost=1e308`` made every
        EOQ infinite) long before any real what-if needs them.

    Examples
    --------
    >>> s = Scenario("lead time x2", lead_time_multiplier=2.0)
    >>> Scenario.from_json(s.to_json()) == s
    True
    >>> s.replace(service_type="fill_rate").service_type
    'fill_rate'
    """

    name: str = "baseline"
    description: str = ""
    holding_cost_rate: float | None = None
    order_cost: float | None = None
    service_targets: Mapping[str, float] = dataclasses.field(
        default_factory=lambda: dict(_DEFAULT_TARGETS)
    )
    service_type: str = "cycle"
    use_item_service_levels: bool = True
    lead_time_multiplier: float = 1.0
    demand_multiplier: float = 1.0
    review_period_days: float = 0.0
    policy: str = "sQ"
    abc_cutoffs: tuple[float, ...] = (0.8, 0.95)
    abc_rule: str = "crossing_item_in_upper_class"
    xyz_cutoffs: tuple[float, ...] = (0.5, 1.0)
    distribution: str = "auto"
    class_cutoffs: tuple[float, float] = (ADI_CUTOFF, CV2_CUTOFF)
    lead_time_source: str = "quoted"
    demand_source: str = "history"
    lot_sizing: str = "lot_for_lot"

    def __post_init__(self) -> None:
        def fail(msg: str) -> None:
            raise ValueError(msg)

        if not isinstance(self.name, str) or not self.name.strip():
            fail(f"name must be a non-empty string; got {self.name!r}")
        if not isinstance(self.description, str):
            fail(f"description must be a string; got {self.description!r}")
        for field, (lo, lo_inclusive, hi, unit) in SCENARIO_BOUNDS.items():
            v = getattr(self, field)
            if v is None and field in ("holding_cost_rate", "order_cost"):
                continue
            ok = (
                _is_number(v)
                and math.isfinite(v)
                and (v >= lo if lo_inclusive else v > lo)
                and v <= hi
            )
            if not ok:
                own = (
                    " or None (use each item's own)"
                    if field in ("holding_cost_rate", "order_cost")
                    else ""
                )
                fail(
                    f"{field} must be {'>=' if lo_inclusive else '>'} {lo:g} and <= {hi:g} "
                    f"[{unit}]{own}; got {v!r}"
                )
        if self.service_type not in SERVICE_TYPES:
            fail(f"service_type must be one of {SERVICE_TYPES}; got {self.service_type!r}")
        if self.policy not in SCENARIO_POLICIES:
            fail(f"policy must be one of {SCENARIO_POLICIES}; got {self.policy!r}")
        if self.policy == "RS" and not self.review_period_days > 0:
            fail(
                "review_period_days must be > 0 [days] for policy='RS' (order up to S every "
                f"R days); got {self.review_period_days!r}"
            )
        if not isinstance(self.use_item_service_levels, bool):
            fail(
                "use_item_service_levels must be True or False; "
                f"got {self.use_item_service_levels!r}"
            )
        if self.distribution not in SCENARIO_DISTRIBUTIONS:
            fail(f"distribution must be one of {SCENARIO_DISTRIBUTIONS}; got {self.distribution!r}")
        if self.lead_time_source not in LEAD_TIME_SOURCES:
            fail(
                f"lead_time_source must be one of {LEAD_TIME_SOURCES} (the items' quoted lead "
                f"times or those measured from purchase orders); got {self.lead_time_source!r}"
            )
        if self.demand_source not in DEMAND_SOURCES:
            fail(
                f"demand_source must be one of {DEMAND_SOURCES} (the history's mean and "
                f"sd, or the forecast and its backtested error); got {self.demand_source!r}"
            )
        if self.lot_sizing not in LOT_SIZING_METHODS:
            fail(
                f"lot_sizing must be one of {LOT_SIZING_METHODS} (the MRP rule that sizes "
                f"planned orders); got {self.lot_sizing!r}"
            )
        cuts = self.class_cutoffs
        if (
            isinstance(cuts, str | bytes | Mapping)
            or not isinstance(cuts, Iterable)
            or len(tuple(cuts)) != 2
            or not all(_is_number(c) and math.isfinite(c) and c > 0 for c in tuple(cuts))
        ):
            fail(
                "class_cutoffs must be two numbers > 0: (ADI [buckets], CV^2 [-]), "
                f"e.g. (1.32, 0.49); got {cuts!r}"
            )
        object.__setattr__(self, "class_cutoffs", tuple(float(c) for c in cuts))
        if self.abc_rule not in ABC_RULES:
            fail(f"abc_rule must be one of {ABC_RULES}; got {self.abc_rule!r}")
        for field, upper in (("abc_cutoffs", 1.0), ("xyz_cutoffs", math.inf)):
            raw = getattr(self, field)
            if isinstance(raw, str | bytes | Mapping) or not isinstance(raw, Iterable):
                fail(f"{field} must be a sequence of numbers; got {raw!r}")
            raw = tuple(raw)
            if not all(_is_number(c) for c in raw):
                fail(f"{field} must be a sequence of numbers; got {raw!r}")
            cuts = tuple(float(c) for c in raw)
            if not cuts or any(not (0 < c < upper) for c in cuts):
                bound = "strictly between 0 and 1" if upper == 1.0 else "> 0 and finite"
                fail(f"{field} must be a non-empty sequence of numbers {bound}; got {raw!r}")
            if any(b <= a for a, b in itertools.pairwise(cuts)):
                fail(f"{field} must be strictly increasing; got {raw!r}")
            object.__setattr__(self, field, cuts)
        if not isinstance(self.service_targets, Mapping):
            fail(f"service_targets must be a mapping class -> level; got {self.service_targets!r}")
        targets = {}
        for k, t in self.service_targets.items():
            if not (_is_number(t) and 0 < t < 1):
                fail(
                    f"service_targets[{k!r}] must be strictly between 0 and 1 "
                    f"(a fraction, e.g. 0.95); got {t!r}"
                )
            targets[str(k)] = float(t)
        missing = [c for c in self.abc_labels if c not in targets]
        if missing:
            fail(
                f"service_targets must give a target for every ABC class {list(self.abc_labels)}; "
                f"missing {missing}"
            )
        object.__setattr__(self, "service_targets", MappingProxyType(targets))

    # ------------------------------------------------------------------ derived

    @property
    def abc_labels(self) -> tuple[str, ...]:
        """ABC class names: A, B, C (one more than ``abc_cutoffs``)."""
        return _abc_labels(len(self.abc_cutoffs))

    @property
    def xyz_labels(self) -> tuple[str, ...]:
        """XYZ class names: X, Y, Z for two cut-offs (V1, V2... otherwise)."""
        return _xyz_labels(len(self.xyz_cutoffs))

    def __hash__(self) -> int:
        return hash(self.to_json())

    # ------------------------------------------------------------------ serialization

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict of every field (tuples become lists)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, Mapping):
                v = dict(v)
            elif isinstance(v, tuple):
                v = list(v)
            out[f.name] = v
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Build a scenario from :meth:`to_dict` output; missing fields take defaults.

        Raises
        ------
        ValueError
            If ``data`` is not a mapping, has unknown keys (named) or invalid values.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"a scenario must be a mapping of field -> value; got {data!r}")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown scenario field(s) {unknown}; known: {sorted(names)}")
        kwargs = dict(data)
        for field in ("abc_cutoffs", "xyz_cutoffs", "class_cutoffs"):
            if isinstance(kwargs.get(field), list):
                kwargs[field] = tuple(kwargs[field])
        return cls(**kwargs)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The scenario as a JSON document (see :meth:`from_json`)."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Scenario:
        """Read a scenario from a JSON document written by :meth:`to_json`.

        Raises
        ------
        ValueError
            If the text is not valid JSON (with the position), too long or too deeply
            nested (see :func:`load_json`), or not a valid scenario.
        """
        return cls.from_dict(load_json(text))

    def save(self, path: str | os.PathLike) -> Path:
        """Write the scenario as JSON to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.write_text(self.to_json() + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> Scenario:
        """Read a scenario saved with :meth:`save`."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def replace(self, **changes: Any) -> Scenario:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


def load_json(text: str | bytes) -> Any:
    """Parse a scenario JSON document, refusing what no scenario file looks like.

    Parameters
    ----------
    text : str or bytes
        The document (bytes are read as UTF-8).

    Raises
    ------
    ValueError
        If the text is longer than :data:`JSON_MAX_CHARS` characters, nests arrays and
        objects deeper than :data:`JSON_MAX_DEPTH` (Python's parser would raise a bare
        RecursionError on a few thousand levels), is not UTF-8 or not valid JSON.

    Examples
    --------
    >>> load_json('{"name": "x"}')
    {'name': 'x'}
    >>> load_json("[" * 5000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: scenario JSON nests arrays and objects 5,000 levels deep; ...
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"scenario JSON is not UTF-8 text: {exc}") from None
    if not isinstance(text, str):
        raise ValueError(f"scenario JSON must be text; got {type(text).__name__}")
    if len(text) > JSON_MAX_CHARS:
        raise ValueError(
            f"scenario JSON has {len(text):,} characters; at most {JSON_MAX_CHARS:,} are read"
        )
    depth = _json_depth(text)
    if depth > JSON_MAX_DEPTH:
        raise ValueError(
            f"scenario JSON nests arrays and objects {depth:,} levels deep; a scenario file "
            f"needs no more than 3, and at most {JSON_MAX_DEPTH} are read"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"scenario JSON is not valid: {exc}") from None
    except RecursionError:  # cannot happen within JSON_MAX_DEPTH; kept as a guard
        raise ValueError("scenario JSON is nested too deeply") from None


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _json_depth(text: str) -> int:
    """Deepest nesting of ``[`` and ``{`` outside strings (vectorised over characters)."""
    bare = _JSON_STRING.sub('""', text)
    codes = np.frombuffer(bare.encode("utf-8"), dtype=np.uint8)
    step = np.isin(codes, (ord("["), ord("{"))).astype(np.int64)
    step -= np.isin(codes, (ord("]"), ord("}")))
    return int(np.cumsum(step).max(initial=0))


# ---------------------------------------------------------------------------- the plan


def plan_from_stats(
    items: pd.DataFrame,
    stats: pd.DataFrame,
    scenario: Scenario | None = None,
    *,
    history: BucketDemand | None = None,
    forecast: Any = None,
    abc: Any = None,
) -> pd.DataFrame:
    """The per-SKU plan from an items table and a demand-statistics table.

    Parameters
    ----------
    items : pandas.DataFrame
        One row per SKU with a ``sku`` column (or an index of SKUs) and columns
        ``unit_cost`` [$/unit] and ``lead_time_days`` [days]; optional
        ``lead_time_sd_days`` [days] (blank: 0), ``order_cost`` [$/order] (blank:
        50), ``holding_cost_rate`` [1/year] (blank: 0.25), ``min_order_qty``
        [units] (blank: 1), ``pack_size`` [units] (blank: 1), ``service_level``
        [fraction] (blank: the class target), and ``name``, ``category``,
        ``inventory_type`` (passed through).
    stats : pandas.DataFrame
        Indexed by SKU (every SKU of ``items``) with columns ``annual_demand``
        [units/year], ``daily_mean`` and ``daily_sd`` [units/day], and optionally
        ``cv`` [-] (else daily_sd / daily_mean), ``mean_interval_buckets``,
        ``mean_per_bucket``, ``sd_per_bucket`` (for the demand class when there is no
        ``history``), ``bucket``, ``short_history`` and ``history_note``, as from
        ``wb.demand_stats``.
    scenario : Scenario, optional
        Parameters; default ``Scenario()``.
    history : BucketDemand, optional
        Demand per SKU and bucket (:func:`workbench.policy.bucket_demand`) over the
        window of ``stats``; :func:`plan` passes it. It gives the demand class
        (:func:`workbench.policy.demand_pattern`) and, for daily data, the bootstrap
        of the "empirical" distribution. Without it the class comes from the moments
        in ``stats`` and "empirical" falls back to "negbin" (the ``distribution``
        column says so).
    forecast : workbench.forecasting.ProtectionForecast, optional
        The forecasts and backtested errors of :func:`workbench.forecast_demand`, for
        ``scenario.demand_source="forecast"`` (required then; ignored otherwise).
        Computed once per dataset, it serves any lead time, review period and policy,
        so a caller planning many scenarios passes the same one.
    abc : array-like or pandas.Series, optional
        The ABC class of each SKU (labels of ``scenario.abc_labels``; a Series is
        aligned on SKU), instead of classifying the SKUs of ``items`` among
        themselves. ABC ranks a SKU against the whole catalog, so a caller that plans a
        catalog in parts (:mod:`workbench.distributed`) classifies it once with
        :func:`catalog_abc` and passes the classes to every part.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sku`` in the order of ``items``, columns :data:`PLAN_COLUMNS`:

        - item: ``name``, ``category``, ``inventory_type``, ``unit_cost`` [$/unit];
        - demand (after the demand multiplier): ``annual_demand`` D [units/year],
          ``daily_mean``, ``daily_sd`` [units/day], ``cv`` [-];
        - ``annual_value`` D c [$/year]; ``abc``, ``xyz`` (ordered Categoricals);
        - ``demand_class`` ("smooth", "erratic", "intermittent", "lumpy" or "none")
          and ``distribution`` (the model the reorder point was computed with:
          "normal", "gamma", "poisson", "negbin", "empirical", or a fallback with its
          reason in brackets, e.g. "negbin (no daily history)");
        - ``service_target`` [fraction] and ``target_source`` ("item" or "class");
        - ``lead_time_days``, ``lead_time_sd_days`` (after the multiplier),
          ``lead_time_source`` ("quoted" or "history": the items' own
          ``lead_time_source`` column, which :func:`plan` sets, else "quoted"),
          ``review_period_days`` R_eff = max(R, 1) [days] (the review the reorder
          point is planned for); ``order_cost`` S [$/order];
          ``holding_cost`` H = i c [$/unit/year];
        - ``eoq`` sqrt(2DS/H), at most :data:`MAX_ORDER_QUANTITY` [units], and
          ``order_quantity`` Q after pack size and MOQ [units]; ``orders_per_year``
          [1/year];
        - ``lead_time_demand_mean``, ``lead_time_demand_sd`` [units]: demand over the
          lead time L ("sQ", "sS") or L + R ("RS"); ``safety_factor`` k = safety
          stock / lead_time_demand_sd; ``safety_stock`` [units] (the stock expected
          just before an order arrives), ``reorder_point`` s [units],
          ``order_up_to`` S [units], ``expected_undershoot`` E[U] [units];
        - ``annual_ordering_cost``, ``cycle_stock_holding_cost``,
          ``safety_stock_holding_cost``, ``annual_cost`` (their sum) [$/year];
        - ``cycle_service_level``, ``expected_fill_rate`` [fraction] (what the
          simulator delivers, undershoot included), ``stockouts_per_year`` [1/year];
        - ``average_inventory`` [units] and ``average_inventory_value`` [$] (the
          money tied up);
        - ``demand_bucket`` ("D", "W" or "M": the bucket the demand statistics were
          measured in), ``short_history`` (bool) and ``history_note`` (why the SKU's
          history is short, "" otherwise), from the stats (default "D", False, "");
        - ``demand_source`` ("history" or "forecast"): where the SKU's demand over the
          protection interval came from (see Notes).

        ``frame.attrs["scenario"]`` holds ``scenario.to_dict()``.

    Raises
    ------
    ValueError
        If a required column is missing, SKUs are duplicated or missing from
        ``stats``, a cost, quantity or demand figure is negative, a pack size is
        not > 0, or the scenario's ``lead_time_source`` is "history" and ``items`` has
        no ``lead_time_source`` column (the measured lead times need the purchase
        orders: call :func:`plan`, or pass items whose lead-time columns come from
        :func:`workbench.measured_lead_times`, with its ``lead_time_source``), or
        the scenario's ``demand_source`` is "forecast" and no ``forecast`` is given.

    Notes
    -----
    Timing (the simulator's, ``docs/timing.md``). Each bucket: receipts arrive at the
    start; the inventory position is reviewed and an order placed; then the demand.
    An order placed with lead time L arrives L later, so a policy reviewed every R
    protects L + R. The plan is made for review every R_eff = max(R, 1 day): R = 0
    ("as often as possible") is daily review, the finest the demand data show, and
    the simulator's (s, Q) rule orders nQ.

    The stages, each a small module of :mod:`workbench.planning`:

    1. Demand and classes (:mod:`~workbench.planning.inputs`,
       :mod:`~workbench.planning.classes`,
       :mod:`~workbench.planning.distribution_choice`). ABC ranks ``annual_value``
       (NaN value ranks as zero, last class); XYZ the cv. The service target is
       ``items.service_level`` when given and ``scenario.use_item_service_levels``,
       else the class target. The
       Syntetos-Boylan-Croston class comes from ADI and the CV^2 of non-zero bucket
       demands (``scenario.class_cutoffs``); with ``scenario.distribution="auto"``
       every class -> empirical, or without a daily history normal for smooth,
       gamma for erratic and negbin for the others
       (:func:`workbench.policy.choose_distribution`). Weekly or monthly statistics
       enter through their per-day equivalents (mean / b, sd / sqrt(b) for buckets of
       b days), so lead times and review periods stay in days.
    2. Order quantity (:mod:`~workbench.planning.order_quantity`). Q* = sqrt(2 D S /
       H) (Eq. (12-1) in [HR]), then the smallest multiple of ``pack_size`` that is at least both Q*
       and ``min_order_qty``. No demand: Q = 0; a zero order cost: one pack or the
       MOQ; a zero holding cost: Q* = D. Q* is at most :data:`MAX_ORDER_QUANTITY`
       (1e12 units: a holding cost near zero would make it grow without bound, to inf);
       a pack too small to count in floating point (more than 2^52 packs) is not
       rounded to.
    3. Reorder point (:mod:`~workbench.planning.reorder_point`, on the pmfs of
       :mod:`~workbench.planning.demand_pmf`; "RS":
       :mod:`~workbench.planning.order_up_to`). For "sQ" and "sS" the smallest s whose
       cycle service P(D_L + U <= s) or fill rate under periodic review meets
       the target, U the undershoot (E[U] ~ E[D_R^2] / (2 E[D_R])):
       :func:`workbench.policy.periodic_reorder_point` for normal demand, its pmf
       version (exact, whole units) for the discrete models, one call per model and
       size class, never per SKU. "sS" keeps S - s = Q. Discrete SKUs whose demand
       over L + R reaches beyond 1,000 units count it in steps of h = ceil(top /
       1,000) units (the empirical days split between neighbouring steps keeping the
       mean; gamma, Poisson and negative binomial as a gamma on the steps with the
       same mean and sd), so the pmf stays short and s is a multiple of h: the
       normal model in their place understates the upper tail of skewed daily demand
       and delivered 2-3 points less cycle service than planned. For "RS", S covers
       demand over L + R (:func:`workbench.reorder_point`, [SPT] ch. 6, for normal demand;
       :func:`workbench.policy.ltd_reorder_point` for the others) with the average
       order mu_d R; it is reported as both ``reorder_point`` and ``order_up_to``. Its
       cycle service counts replenishment cycles (receipt to receipt, as the
       simulator does): a review after no demand places no order, so with p0 =
       P(D_R = 0) > 0 (whole-unit models) the cycle an order closes needs S to cover
       D_R given D_R > 0 plus D_L, P = (P(D_{L+R} <= S) - p0 P(D_L <= S)) / (1 - p0),
       and S is the smallest meeting the target on that
       (:func:`~workbench.planning.order_up_to._cycle_ltd`); for demand on every day
       (the normal) it is P(D_{L+R} <= S).
       The lead-time demand has mean mu_d L and variance L sigma_d^2 + mu_d^2
       sigma_LT^2 ([SPT] ch. 6), or the model's distribution with a gamma lead time.
    4. Costs and stock (:mod:`~workbench.planning.costs`); the frame:
       :mod:`~workbench.planning.columns`. Ordering S D / (Q + E[U] for "sS") or S 365
       / R for "RS". Safety stock SS = s - E[U] - mu_L (RS: S - mu_{L+R}), held at H.
       The average stock is the stationary average net stock at mid-bucket,
       s + Q / 2 - mu_L - mu_R / 2 = SS + Q / 2 + (E[U] - mu_R / 2) (exact for
       (s, nQ) with continuous demand; for (s, S) it takes the position uniform
       between s and S, an approximation good when Q is several days of demand), at
       least 0; the cycle stock Q / 2 + E[U] - mu_R / 2 (mu_d R / 2 for "RS") is held
       at H. On-hand stock exceeds the net stock by the expected backorders, small at
       the targets planned. Stockouts per year = (1 - CSL) x orders per year.

    Forecast as demand source (``scenario.demand_source="forecast"``,
    :mod:`~workbench.planning.demand_source`). For each SKU the
    protection interval P is L ("sQ", "sS") or L + R_eff ("RS") [days], and
    :func:`workbench.forecasting.protection_demand` gives the forecast F(P) summed over
    it and sigma_P, the root mean squared error of that sum in a rolling-origin
    backtest ([SPT] ch. 4: safety stock against the forecast error over the lead time).
    The reorder point is then computed as above from the per-day figures
    mu_f = F(P) / P and sigma_f = sigma_P / sqrt(P), whose sums over P are F(P) and
    sigma_P (plus mu_f^2 sigma_LT^2 with a random lead time), with the normal model:
    s = F(P) + k sigma_P, [SPT]'s (a scenario's own distribution is kept unless it is
    "auto" or "empirical": the bootstrap resamples the history, not the forecast; a
    gamma on a near-zero forecast with a large error puts its mass at 0 and far out).
    The demand's annual figures, classes and order quantity stay those of the
    history. A SKU falls back to its history, and says so in ``demand_source``, when
    the forecast cannot serve it: fewer than 2 demands, no or zero lead time, an
    interval beyond the forecast's ``max_days``, or fewer than
    :data:`workbench.forecasting.protection.MIN_WINDOWS` (3) backtest origins scored.

    Items with no demand get finite zeros: no order, no stock, no cost, fill rate and
    cycle service level 1, no stockouts; a daily demand below :data:`NEGLIGIBLE_DEMAND`
    (1e-9 units a day) gets the same reorder point 0 and service 1, since no solver
    resolves it. A missing lead time or demand sd (NaN, e.g. a
    one-day history) gives NaN stock figures for that SKU only (counted by
    :func:`plan_summary` as ``skus_unplanned``).

    Examples
    --------
    Heizer & Render's Sharp, Inc. needles (D = 1,000 a year, S = $10, H = $0.50)
    with no demand variability: EOQ 200, five orders a year, $50 + $50; reviewed
    daily, the position falls up to a day's demand below s before the order, so s is
    the 7-day lead-time demand 19.18 plus 98 % of a day's 2.74 (the A-class target):

    >>> import pandas as pd
    >>> items = pd.DataFrame({"sku": ["needle"], "unit_cost": [2.0], "lead_time_days": [7.0],
    ...                       "order_cost": [10.0], "holding_cost_rate": [0.25]})
    >>> stats = pd.DataFrame({"annual_demand": [1000.0], "daily_mean": [1000 / 365],
    ...                       "daily_sd": [0.0]}, index=pd.Index(["needle"], name="sku"))
    >>> p = plan_from_stats(items, stats).loc["needle"]
    >>> float(p["order_quantity"]), float(p["orders_per_year"])
    (200.0, 5.0)
    >>> float(p["annual_ordering_cost"]), round(float(p["cycle_stock_holding_cost"]), 6)
    (50.0, 50.0)
    >>> round(float(p["reorder_point"]), 2), p["distribution"]
    (21.86, 'normal')
    """
    sc = scenario if scenario is not None else Scenario()
    if not isinstance(sc, Scenario):
        raise ValueError(f"scenario must be a Scenario or None; got {type(sc).__name__}")
    if sc.lead_time_source == "history" and "lead_time_source" not in items.columns:
        raise ValueError(
            "lead_time_source='history' needs the purchase-order history: call "
            "wb.plan(dataset, scenario), or pass items with the lead times of "
            "wb.measured_lead_times(dataset) and its lead_time_source column"
        )
    if sc.demand_source == "forecast" and forecast is None:
        raise ValueError(
            "demand_source='forecast' needs the forecasts: call wb.plan(dataset, scenario), "
            "or pass forecast=wb.forecast_demand(dataset)"
        )
    sku, st = _aligned_stats(items, stats)
    n = len(sku)
    d = _demand(st, sku, sc)
    it = _item_inputs(items, sku, sc, n)
    cls = _classes(items, sc, d, it, n, given_abc=abc)
    dcls = _demand_classes(st, sku, sc, history, d)
    q_star, q = _order_quantity(d.annual, it.order_cost, it.hold, it.moq, it.pack)
    d_rp, dcls, source = _demand_source(sc, sku, d, it, dcls, forecast)
    rp = _reorder_points(sc, d_rp, it, q, cls.target, dcls)
    c = _costs(sc, d_rp, it, q, rp)
    return _assemble(items, st, sc, sku, d, it, cls, dcls, q_star, q, rp, c, source)


def catalog_abc(items: pd.DataFrame, stats: pd.DataFrame, scenario: Scenario | None = None):
    """The ABC class of every SKU of a catalog, as :func:`plan_from_stats` ranks them.

    Parameters
    ----------
    items, stats, scenario
        As for :func:`plan_from_stats`: the whole catalog's items and demand statistics
        (small: one row per SKU), however the demand itself is partitioned.

    Returns
    -------
    pandas.Series
        Ordered Categorical of ``scenario.abc_labels``, indexed by SKU in items order;
        pass it as ``plan_from_stats(..., abc=)`` to plan the catalog part by part.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"sku": ["a", "b", "c"], "unit_cost": [1.0, 1.0, 1.0],
    ...                       "lead_time_days": [5.0, 5.0, 5.0]})
    >>> stats = pd.DataFrame({"annual_demand": [900.0, 80.0, 20.0],
    ...                       "daily_mean": [900 / 365, 80 / 365, 20 / 365],
    ...                       "daily_sd": [1.0, 1.0, 1.0]}, index=pd.Index(["a", "b", "c"]))
    >>> catalog_abc(items, stats).tolist()
    ['A', 'B', 'C']
    """
    sc = scenario if scenario is not None else Scenario()
    sku, st = _aligned_stats(items, stats)
    n = len(sku)
    d = _demand(st, sku, sc)
    it = _item_inputs(items, sku, sc, n)
    return pd.Series(_classes(items, sc, d, it, n).abc, index=sku, name="abc")


def _demand_stats(dataset: Any, as_of: Any) -> pd.DataFrame:
    from .data import demand_stats

    if as_of is None:
        return demand_stats(dataset)
    start = dataset.demand_period[0]
    as_of = pd.Timestamp(as_of)
    if pd.isna(start) or as_of < start:
        raise ValueError(f"as_of must be on or after the first demand date {start}; got {as_of}")
    return demand_stats(dataset, period=(start, as_of))


def demand_history(dataset: Any, as_of: Any = None) -> BucketDemand | None:
    """Demand per SKU and bucket of a dataset up to ``as_of``, as :func:`plan` passes it
    to :func:`plan_from_stats` (``history=``); None without demand.

    A caller that plans many scenarios from the same statistics (a dashboard slider)
    computes this once and passes it on, so its plans equal :func:`plan`'s.
    """
    return _history(dataset, as_of)


def _history(dataset: Any, as_of: Any) -> BucketDemand | None:
    """Demand per SKU and bucket of the dataset up to ``as_of`` (None without demand)."""
    demand = dataset.demand
    if demand is None or len(demand) == 0:
        return None
    end = dataset.demand_period[1] if as_of is None else pd.Timestamp(as_of)
    sku = dataset.items["sku"] if "sku" in dataset.items.columns else dataset.items.index
    return bucket_demand(demand, freq=dataset.demand_frequency, end=end, skus=sku)


#: Demand rows from which :func:`_stats_and_history` computes the statistics and the
#: history on two threads (3 million rows: about 0.25 s each).
_THREADED_ROWS = 500_000


def _stats_and_history(dataset: Any, as_of: Any = None) -> tuple[pd.DataFrame, BucketDemand | None]:
    """:func:`workbench.demand_stats` and :func:`demand_history` of a dataset up to
    ``as_of``, as :func:`plan` uses them: for daily data over the whole history the
    demand table is read once (dates to days, quantities, SKU codes) and both are
    computed from those rows, equal to the two calls; otherwise the two calls."""
    demand, items = dataset.demand, dataset.items
    freq = dataset.demand_frequency
    day = None
    if (
        as_of is None
        and demand is not None
        and len(demand)
        and str(freq).upper() == "D"
        and "sku" in items.columns
        and all(c in demand.columns for c in ("date", "sku", "quantity"))
    ):
        day = pd.to_datetime(demand["date"]).to_numpy()
        skus = pd.Index(items["sku"])
        if day.dtype.kind != "M" or not skus.is_unique:  # time zones, repeated SKUs
            day = None
    if day is None:
        history = _history(dataset, as_of)
        return _demand_stats(dataset, as_of), history
    from .data.stats import _stats_from_rows
    from .policy.demand_class import _bucket_from_rows

    day = day.astype("datetime64[D]")
    qty = demand["quantity"].to_numpy(dtype=float, na_value=np.nan)
    codes = index_in(demand["sku"], skus)
    nat = np.isnat(day)
    ordinal = np.where(nat, np.iinfo(np.int64).min, day.astype(np.int64))
    # the last day of the table (its demand_period's end, without a second pass of pandas)
    end_ord = int(ordinal.max()) if not nat.all() else None
    args = (ordinal, ~nat & ~np.isnan(qty), qty, codes, skus.rename("sku"), freq, end_ord)
    if len(day) < _THREADED_ROWS or (os.cpu_count() or 1) < 2:
        stats = _stats_from_rows(day, qty, codes, skus, items, "D", None)
        return stats, _bucket_from_rows(*args)
    # both read the same rows and write nothing they share; numpy's passes over millions
    # of rows run without the GIL, so the two overlap on a second core
    with ThreadPoolExecutor(1) as pool:
        history = pool.submit(_bucket_from_rows, *args)
        stats = _stats_from_rows(day, qty, codes, skus, items, "D", None)
        return stats, history.result()


def plan(dataset: Any, scenario: Scenario | None = None, *, as_of: Any = None) -> pd.DataFrame:
    """The per-SKU plan of a dataset under a scenario.

    Parameters
    ----------
    dataset : workbench.Dataset
        The business: its ``items`` and ``demand`` tables are used, and with
        ``scenario.lead_time_source="history"`` its ``purchase_orders``.
    scenario : Scenario, optional
        Parameters; default ``Scenario()``. With ``lead_time_source="history"`` each
        SKU's ``lead_time_days`` and ``lead_time_sd_days`` are those of
        ``wb.measured_lead_times(dataset, as_of=as_of)``: the mean and sample sd of
        the lead times of its received lines in the 365 days up to ``as_of``, when it
        has at least 5 (:data:`workbench.MIN_RECEIPTS`), else the quote; the plan's
        ``lead_time_source`` column says which.
    as_of : date-like, optional
        Plan with the demand history (and purchase-order history) up to and including
        this date only.

    Returns
    -------
    pandas.DataFrame
        One row per SKU of ``dataset.items``: see :func:`plan_from_stats`, which this
        calls with ``wb.demand_stats(dataset)`` and the demand per bucket as
        ``history`` (for the demand classes and the bootstrap).

    Notes
    -----
    Timing: each bucket, receipts arrive first, then the inventory position is
    reviewed and an order placed, then the demand comes; an order placed with lead
    time L arrives L later, so a policy reviewed every R protects L + R
    (``docs/timing.md``). The plan is made for review every max(R, 1) days.

    Examples
    --------
    >>> import workbench as wb
    >>> ds = wb.sample_dataset(n_skus=80, years=1, seed=1)
    >>> p = wb.plan(ds, wb.Scenario(service_targets={"A": 0.99, "B": 0.95, "C": 0.9}))
    >>> len(p) == len(ds.items), bool(p["average_inventory_value"].notna().all())
    (True, True)
    """
    stats, history = _stats_and_history(dataset, as_of)
    return plan_from_stats(
        _planning_items(dataset, scenario, as_of),
        stats,
        scenario,
        history=history,
        forecast=_forecast(scenario, history),
    )


def _forecast(scenario: Scenario | None, history: BucketDemand | None) -> Any:
    """The forecasts a "forecast" demand source needs (None otherwise, or without demand)."""
    if scenario is None or scenario.demand_source != "forecast":
        return None
    from .forecasting.protection import empty_forecast, forecast_demand

    if history is None:  # no demand at all: every SKU plans from its (empty) history
        return empty_forecast()
    return forecast_demand(history)


def _planning_items(dataset: Any, scenario: Scenario | None, as_of: Any) -> pd.DataFrame:
    """The dataset's items, with measured lead times when the scenario asks for history."""
    items = dataset.items
    if scenario is None or scenario.lead_time_source != "history":
        return items
    from .replenish.supplier import measured_lead_times  # replenish imports the plan

    m = measured_lead_times(dataset, as_of=as_of)
    return items.assign(
        lead_time_days=m["lead_time_days"].to_numpy(),
        lead_time_sd_days=m["lead_time_sd_days"].to_numpy(),
        lead_time_source=m["lead_time_source"].to_numpy(),
    )


#: Why a SKU could not be planned, by the first missing input (see :func:`unplanned_items`).
UNPLANNED_REASONS = {
    "lead_time": "no lead time",
    "demand": "no demand statistics",
    "demand_sd": "too little demand history to measure demand variability",
    "other": "a missing input for the reorder point",
}


def unplanned_items(plan_df: pd.DataFrame) -> pd.DataFrame:
    """The SKUs of a plan that could not be planned, and why.

    A SKU is unplanned when its reorder point is NaN: an input the safety stock needs
    is missing (a blank lead time above all). Its stock figures are then NaN and
    :func:`plan_summary` leaves it out of every total.

    Parameters
    ----------
    plan_df : pandas.DataFrame
        A frame from :func:`plan` or :func:`plan_from_stats`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sku`` (the plan's order), columns ``name`` (the item's name, or
        "" without one) and ``reason``: one of :data:`UNPLANNED_REASONS`' values, for
        the first missing input among lead time, demand statistics and demand
        standard deviation. Empty when every SKU was planned.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> items = pd.DataFrame({"sku": ["a", "b"], "name": ["Milk", "Flour"],
    ...                       "unit_cost": [1.0, 2.0], "lead_time_days": [5.0, np.nan]})
    >>> stats = pd.DataFrame({"annual_demand": [365.0, 365.0], "daily_mean": [1.0, 1.0],
    ...                       "daily_sd": [1.0, 1.0]}, index=items["sku"])
    >>> unplanned_items(plan_from_stats(items, stats)).to_dict("index")
    {'b': {'name': 'Flour', 'reason': 'no lead time'}}
    """
    p = plan_df
    out = p.loc[p["reorder_point"].isna().to_numpy(), []]
    if "name" in p.columns:
        name = p.loc[out.index, "name"].astype(object).where(lambda x: x.notna(), "")
        out["name"] = name.astype(str).to_numpy()
    else:
        out["name"] = ""

    def missing(col: str) -> np.ndarray:
        if col not in p.columns:
            return np.zeros(len(out), dtype=bool)
        return np.isnan(p.loc[out.index, col].to_numpy(dtype=float, na_value=np.nan))

    reason = np.select(
        [
            missing("lead_time_days"),
            missing("daily_mean") | missing("annual_demand"),
            missing("daily_sd"),
        ],
        [UNPLANNED_REASONS[k] for k in ("lead_time", "demand", "demand_sd")],
        UNPLANNED_REASONS["other"],
    )
    out["reason"] = reason.astype(object)
    out.index.name = "sku"
    return out


def plan_summary(plan_df: pd.DataFrame) -> pd.Series:
    """Portfolio totals of a plan (for the dashboard and scenario comparison).

    Parameters
    ----------
    plan_df : pandas.DataFrame
        A frame from :func:`plan` or :func:`plan_from_stats`.

    Returns
    -------
    pandas.Series
        ``skus`` (all SKUs of the plan); ``skus_planned`` and ``skus_unplanned`` (SKUs
        with a NaN reorder point: an input is missing, e.g. no lead time; see
        :func:`unplanned_items`) and ``unplanned_skus`` (a tuple of those SKUs, in the
        plan's order). The money and service figures cover the planned SKUs only:
        ``investment`` (total average inventory value [$]),
        ``safety_stock_value`` and ``cycle_stock_value`` [$];
        ``annual_ordering_cost``, ``cycle_stock_holding_cost``,
        ``safety_stock_holding_cost``, ``annual_cost`` [$/year];
        ``fill_rate`` (weighted by annual demand; 1 if there is no demand);
        ``stockouts_per_year``; ``turns`` (annual demand value of the planned SKUs /
        investment). When the plan has SKUs but none could be planned, all of these
        are NaN, not a reassuring $0 and 100 %. ``annual_demand_value`` [$/year]
        covers every SKU; ``skus_<class>`` counts each ABC class.
    """
    p = plan_df
    unplanned = p["reorder_point"].isna().to_numpy()
    planned = ~unplanned
    n_planned = int(planned.sum())

    def col(name: str) -> np.ndarray:
        return p[name].to_numpy(dtype=float, na_value=np.nan)[planned]

    cost = col("unit_cost")
    d = np.nan_to_num(col("annual_demand"))
    fill = col("expected_fill_rate")
    ok = ~np.isnan(fill)
    weight = d[ok].sum()
    fill_rate = float((fill[ok] * d[ok]).sum() / weight) if weight > 0 else 1.0
    investment = float(np.nansum(col("average_inventory_value")))
    value = float(np.nansum(p["annual_value"].to_numpy(dtype=float)))
    planned_value = float(np.nansum(col("annual_value")))
    out = {
        "skus": len(p),
        "skus_planned": n_planned,
        "skus_unplanned": len(p) - n_planned,
        "unplanned_skus": tuple(p.index[unplanned].astype(str)),
        "investment": investment,
        "safety_stock_value": float(np.nansum(col("safety_stock") * cost)),
        "cycle_stock_value": float(
            np.nansum((col("average_inventory") - col("safety_stock")) * cost)
        ),
    }
    for name in (
        "annual_ordering_cost",
        "cycle_stock_holding_cost",
        "safety_stock_holding_cost",
        "annual_cost",
    ):
        out[name] = float(np.nansum(col(name)))
    out["fill_rate"] = fill_rate
    out["stockouts_per_year"] = float(np.nansum(col("stockouts_per_year")))
    out["turns"] = planned_value / investment if investment > 0 else 0.0
    if n_planned == 0 and len(p) > 0:  # nothing planned: no figure to show
        for name in (
            "investment",
            "safety_stock_value",
            "cycle_stock_value",
            "annual_ordering_cost",
            "cycle_stock_holding_cost",
            "safety_stock_holding_cost",
            "annual_cost",
            "fill_rate",
            "stockouts_per_year",
            "turns",
        ):
            out[name] = np.nan
    out["annual_demand_value"] = value
    counts = p["abc"].value_counts(sort=False)
    for label, c in counts.items():
        out[f"skus_{label}"] = int(c)
    return pd.Series(out, name=p.attrs.get("scenario", {}).get("name"), dtype=object)


def plan_changes(base: pd.DataFrame, other: pd.DataFrame, *, rtol: float = 1e-9) -> pd.DataFrame:
    """The SKUs whose class, order quantity or reorder point differ between two plans.

    Parameters
    ----------
    base, other : pandas.DataFrame
        Plans of the same SKUs (from :func:`plan` or :func:`plan_from_stats`).
    rtol : float, default 1e-9
        Relative tolerance under which two quantities count as equal (with an
        absolute tolerance of the same size).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``sku``, only the SKUs that changed, with ``abc_before``,
        ``abc_after``, ``xyz_before``, ``xyz_after``, ``order_quantity_before``,
        ``order_quantity_after``, ``reorder_point_before``, ``reorder_point_after``
        [units] and ``investment_change`` (average inventory value, after minus
        before [$]), sorted by the size of the investment change, largest first.

    Raises
    ------
    ValueError
        If the plans do not hold the same SKUs.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"sku": ["a", "b"], "unit_cost": [10.0, 1.0],
    ...                       "lead_time_days": [5.0, 5.0]})
    >>> stats = pd.DataFrame({"annual_demand": [3650.0, 365.0], "daily_mean": [10.0, 1.0],
    ...                       "daily_sd": [2.0, 1.0]}, index=items["sku"])
    >>> base = plan_from_stats(items, stats)
    >>> slower = plan_from_stats(items, stats, Scenario(lead_time_multiplier=2.0))
    >>> plan_changes(base, slower).index.tolist()
    ['a', 'b']
    """
    if not base.index.equals(other.index):
        if len(base.index) != len(other.index) or not base.index.isin(other.index).all():
            raise ValueError("plan_changes needs two plans of the same SKUs")
        other = other.reindex(base.index)
    changed = np.zeros(len(base), dtype=bool)
    for col in ("abc", "xyz"):
        changed |= (base[col].astype(object) != other[col].astype(object)).to_numpy()
    for col in ("order_quantity", "reorder_point"):
        a, b = base[col].to_numpy(dtype=float), other[col].to_numpy(dtype=float)
        same = np.isclose(a, b, rtol=rtol, atol=rtol) | (np.isnan(a) & np.isnan(b))
        changed |= ~same
    out = pd.DataFrame(index=base.index[changed])
    for col in ("abc", "xyz", "order_quantity", "reorder_point"):
        out[f"{col}_before"] = base[col].to_numpy()[changed]
        out[f"{col}_after"] = other[col].to_numpy()[changed]
    out["investment_change"] = (
        other["average_inventory_value"].to_numpy(dtype=float)[changed]
        - base["average_inventory_value"].to_numpy(dtype=float)[changed]
    )
    order = np.argsort(-np.abs(np.nan_to_num(out["investment_change"].to_numpy())), kind="stable")
    return out.iloc[order]


def compare_scenarios(
    dataset: Any,
    scenarios: Iterable[Scenario] | Mapping[str, Scenario],
    *,
    as_of: Any = None,
    stats: pd.DataFrame | None = None,
    history: BucketDemand | None = None,
    forecast: Any = None,
) -> pd.DataFrame:
    """Scenarios side by side: portfolio totals and what changes against the first.

    Parameters
    ----------
    dataset : workbench.Dataset or pandas.DataFrame
        The dataset (or, with ``stats``, an items table).
    scenarios : iterable of Scenario (or mapping name -> Scenario)
        At least one; the first is the reference for the change counts. Names
        must be distinct.
    as_of : date-like, optional
        As in :func:`plan`.
    stats : pandas.DataFrame, optional
        Demand statistics to reuse (then ``dataset`` may be an items table).
    history : BucketDemand, optional
        With ``stats``: the demand per bucket, as in :func:`plan_from_stats` (computed
        from the dataset when ``stats`` is not given).
    forecast : workbench.forecasting.ProtectionForecast, optional
        For scenarios with ``demand_source="forecast"``, as in :func:`plan_from_stats`;
        computed from the dataset when needed and not given.

    Returns
    -------
    pandas.DataFrame
        One column per scenario (its name); rows are the :func:`plan_summary`
        figures, then ``skus_changed`` (SKUs listed by :func:`plan_changes` against the
        first scenario), ``abc_changes``, ``xyz_changes``, ``order_quantity_changes``,
        ``reorder_point_changes`` (SKUs whose value differs from the first scenario's,
        by more than 1e-9 relative) and ``investment_change`` [$] against the first.
        Call :func:`plan_changes` on two plans for the SKUs themselves.

    Raises
    ------
    ValueError
        If no scenario is given, one is not a Scenario, or two share a name.
    """
    if isinstance(scenarios, Mapping):
        scenarios = [s.replace(name=str(k)) for k, s in scenarios.items()]
    scenarios = list(scenarios)
    if not scenarios:
        raise ValueError("scenarios must hold at least one Scenario; got none")
    for s in scenarios:
        if not isinstance(s, Scenario):
            raise ValueError(f"scenarios must be Scenario objects; got {type(s).__name__}")
    names = [s.name for s in scenarios]
    dup = sorted({x for x in names if names.count(x) > 1})
    if dup:
        raise ValueError(f"scenario names must be distinct; repeated: {dup}")
    if stats is None:
        stats, history = _stats_and_history(dataset, as_of)
    if forecast is None and not isinstance(dataset, pd.DataFrame):
        wants = [s for s in scenarios if s.demand_source == "forecast"]
        if wants:
            hist = history if history is not None else _history(dataset, as_of)
            forecast = _forecast(wants[0], hist)
    if isinstance(dataset, pd.DataFrame):
        plans = [
            plan_from_stats(dataset, stats, s, history=history, forecast=forecast)
            for s in scenarios
        ]
    else:
        plans = [
            plan_from_stats(
                _planning_items(dataset, s, as_of), stats, s, history=history, forecast=forecast
            )
            for s in scenarios
        ]
    base = plans[0]
    base_investment = plan_summary(base)["investment"]
    cols = {}
    for s, p in zip(scenarios, plans, strict=True):
        summary = plan_summary(p)
        changes = plan_changes(base, p)
        summary["skus_changed"] = len(changes)
        for col in ("abc", "xyz", "order_quantity", "reorder_point"):
            a, b = changes[f"{col}_before"], changes[f"{col}_after"]
            if col in ("abc", "xyz"):
                diff = a.astype(object) != b.astype(object)
            else:
                a, b = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
                diff = ~(np.isclose(a, b, rtol=1e-9, atol=1e-9) | (np.isnan(a) & np.isnan(b)))
            summary[f"{col}_changes"] = int(np.sum(diff))
        summary["investment_change"] = summary["investment"] - base_investment
        cols[s.name] = summary
    return pd.DataFrame(cols)
