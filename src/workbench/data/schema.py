"""Table schemas of the workbench data model.

Each of the nine tables of the data model (``DESIGN.md``) is described by a
:class:`Table` made of :class:`Column` objects: the column's name, its type, whether it
is required, its allowed range or values, its unit, a one-line meaning and the other
header names accepted for it. The loaders validate against :data:`SCHEMAS`, and the data
dictionary (``sample_data/README.md``) is generated from it, so the two cannot drift.

Conventions
-----------
- Only the ``items`` and ``demand`` tables are required; the others are optional.
- A *required* column must be present and may not have blank cells. An *optional* column
  may be missing or have blank cells; blanks are filled with the column's ``default`` when
  it has one (documented in the dictionary), otherwise left missing (NaN / NaT / <NA>).
- Header names are matched case-insensitively after trimming surrounding spaces; inner
  spaces and hyphens count as underscores (``"Unit Cost"`` is ``unit_cost``); a unit in
  parentheses or brackets at the end and punctuation around the name are dropped
  (``"Unit Cost ($)"``, ``"Qty."``, ``"Item #"``), but a unit that contradicts the
  column's (``"Lead Time (weeks)"``) is an error. Each column also accepts the aliases
  listed in its schema (``"SKU"``, ``"item_id"``, ``"qty"`` ...); when two headers name
  one column, the canonical name wins over an alias and an earlier alias over a later one,
  and the other header is ignored with a note (two headers that are the same once
  normalized are an error).
- Types: ``string`` (pandas string dtype; numbers in a SKU column are read as text, so
  ``"00123"`` keeps its zeros), ``float`` (all quantities and money, float64),
  ``int`` (whole numbers, stored as float64 so blanks stay NaN), ``date`` (datetime64),
  ``category`` (a string restricted to ``allowed`` values, stored as a pandas Categorical).
- Every number column has an upper limit, far beyond any real business and low enough that
  every figure computed from the values stays a finite number (a value of 1e308 made the
  plan's EOQ and costs inf): money :data:`MAX_MONEY` (a billion dollars a unit or an
  order), quantities :data:`MAX_QUANTITY` (a trillion units), lead times
  :data:`MAX_LEAD_TIME_DAYS` (ten years), shelf life :data:`MAX_SHELF_LIFE_DAYS` (a
  century; longer: leave it blank), the holding-cost rate :data:`MAX_HOLDING_COST_RATE`
  (10,000 % a year, the Scenario's own bound) and fractions 1. A value above its limit is
  a :class:`~workbench.data.errors.DataError` naming the file, row, column, value and the
  allowed range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "INVENTORY_TYPES",
    "LOT_SIZING_RULES",
    "MAX_HOLDING_COST_RATE",
    "MAX_LEAD_TIME_DAYS",
    "MAX_MONEY",
    "MAX_QUANTITY",
    "MAX_SHELF_LIFE_DAYS",
    "SCHEMAS",
    "Column",
    "Table",
    "header_unit",
    "normalize_header",
    "normalize_name",
]

#: The four inventory types of the data model, in the order used for display.
INVENTORY_TYPES: tuple[str, ...] = ("raw_material", "wip", "finished_good", "mro")

#: The lot-sizing rules an item may name in ``items.lot_sizing``; the MRP package's
#: :data:`workbench.LOT_SIZING_METHODS` is this tuple (defined here so that the loader does
#: not import the MRP package).
LOT_SIZING_RULES: tuple[str, ...] = (
    "lot_for_lot",
    "fixed_order_quantity",
    "eoq",
    "periodic_order_quantity",
    "wagner_whitin",
    "silver_meal",
    "least_unit_cost",
    "part_period_balancing",
)

#: Largest money value [$/unit, $/order]: a billion dollars, more than any one unit or order
#: of stock costs; with :data:`MAX_QUANTITY` an annual value stays below 1e27 $.
MAX_MONEY = 1e9
#: Largest quantity [units]: a trillion units a day, a lot, an order or a count.
MAX_QUANTITY = 1e12
#: Longest lead time and lead-time standard deviation [days]: ten years.
MAX_LEAD_TIME_DAYS = 3650.0
#: Longest shelf life [days]: a century (an item that keeps longer does not expire: blank).
MAX_SHELF_LIFE_DAYS = 36500.0
#: Highest holding-cost rate [1/year]: 10,000 % of the unit cost a year, the upper bound of
#: ``Scenario.holding_cost_rate`` (:data:`workbench.scenario.SCENARIO_BOUNDS`).
MAX_HOLDING_COST_RATE = 100.0

Dtype = Literal["string", "float", "int", "date", "category"]


def normalize_name(name: Any) -> str:
    """Normalize a header or a category value for matching.

    Lower-cases, trims surrounding spaces and turns inner runs of spaces, hyphens and
    dots into one underscore.

    Examples
    --------
    >>> normalize_name("  Unit Cost ")
    'unit_cost'
    >>> normalize_name("Finished-Good")
    'finished_good'
    """
    return re.sub(r"[\s\-.]+", "_", str(name).strip().lower())


_UNIT_SUFFIX = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]\s*$")


def normalize_header(name: Any) -> str:
    """Normalize a column header for matching: :func:`normalize_name` after dropping a
    unit in parentheses or brackets at the end and punctuation around the name.

    ``#`` reads as "no" (number), so ``Item #`` and ``Item No.`` are both ``item_no``.

    Examples
    --------
    >>> normalize_header("Unit Cost ($)")
    'unit_cost'
    >>> normalize_header("Lead Time [days]"), normalize_header("Qty."), normalize_header("Item #")
    ('lead_time', 'qty', 'item_no')
    """
    text = _UNIT_SUFFIX.sub("", str(name).strip())
    text = text.replace("#", " no ").replace("/", " ")
    text = re.sub(r"^[^\w]+|[^\w]+$", "", text.strip())
    return normalize_name(text)


def header_unit(name: Any) -> str | None:
    """The unit written in parentheses or brackets at the end of a header, or None.

    Examples
    --------
    >>> header_unit("Lead Time (weeks)"), header_unit("SKU")
    ('weeks', None)
    """
    m = _UNIT_SUFFIX.search(str(name).strip())
    return m.group(1).strip().lower() if m and m.group(1).strip() else None


#: Units a header may name for a column with this unit; other time or money units named in
#: a header are refused (a lead time in weeks is not read as days).
_TIME_UNITS = {
    "d": "days", "day": "days", "days": "days", "dys": "days",
    "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
    "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
    "mo": "months", "mos": "months", "month": "months", "months": "months",
    "y": "years", "yr": "years", "yrs": "years", "year": "years", "years": "years",
}  # fmt: skip
_CENTS = {"cents", "cent", "¢", "c", "ct", "cts", "pence", "p"}


def unit_conflict(column: Column, unit: str | None) -> str | None:
    """Why a header's unit does not fit ``column`` (None when it fits or says nothing).

    Examples
    --------
    >>> lead = SCHEMAS["items"].by_name["lead_time_days"]
    >>> unit_conflict(lead, "days") is None, unit_conflict(lead, "weeks")
    (True, 'weeks')
    """
    if not unit:
        return None
    word = unit.strip().lower().rstrip(".")
    if column.unit == "days" and word in _TIME_UNITS and _TIME_UNITS[word] != "days":
        return _TIME_UNITS[word]
    if column.unit.startswith("$") and word in _CENTS:
        return "cents"
    return None


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Attributes
    ----------
    name : str
        Canonical (snake_case) column name.
    dtype : {"string", "float", "int", "date", "category"}
        Stored type (see the module notes).
    required : bool
        Must be present and non-blank in every row.
    meaning : str
        One-line meaning, shown in the data dictionary.
    unit : str
        Unit of measure ("" for none), e.g. ``"$/unit"``, ``"days"``.
    min, max : float or None
        Allowed range for numbers.
    min_inclusive, max_inclusive : bool
        Whether the bounds themselves are allowed.
    allowed : tuple of str or None
        Allowed values of a category column.
    default : Any
        Value used where an optional column is missing or blank (None: left missing).
    aliases : tuple of str
        Other header names accepted for this column (already normalized).
    references : str or None
        ``"table.column"`` this column must match (a foreign key), e.g. ``"items.sku"``.
    """

    name: str
    dtype: Dtype
    required: bool = False
    meaning: str = ""
    unit: str = ""
    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True
    allowed: tuple[str, ...] | None = None
    default: Any = None
    aliases: tuple[str, ...] = ()
    references: str | None = None

    def describe_range(self) -> str:
        """Human-readable allowed range, e.g. ``"≥ 0"`` or ``"> 0 and < 1"``."""
        if self.allowed is not None:
            return "one of " + ", ".join(self.allowed)
        parts = []
        if self.min is not None:
            parts.append(f"{'≥' if self.min_inclusive else '>'} {_fmt(self.min)}")
        if self.max is not None:
            parts.append(f"{'≤' if self.max_inclusive else '<'} {_fmt(self.max)}")
        return " and ".join(parts)

    def expected(self) -> str:
        """What a valid cell looks like, in words a store manager reads."""
        base = {
            "string": "a text value",
            "float": "a number",
            "int": "a whole number",
            "date": "a date such as 2026-10-31",
            "category": "one of " + ", ".join(self.allowed or ()),
        }[self.dtype]
        rng = self.describe_range() if self.dtype in ("float", "int") else ""
        return f"{base} {rng}".strip()


def _fmt(x: float) -> str:
    """``0`` -> ``"0"``, ``0.5`` -> ``"0.5"``, ``1e9`` -> ``"1,000,000,000"`` (whole numbers
    with thousands separators, so a limit reads as written, not as ``1e+09``)."""
    return f"{x:,.0f}" if float(x).is_integer() and abs(x) >= 1e3 else f"{x:g}"


@dataclass(frozen=True)
class Table:
    """One table of the data model.

    Attributes
    ----------
    name : str
        Table name, also the file name (``items.csv``) or sheet name.
    columns : tuple of Column
    key : tuple of str
        Columns that identify a row; duplicates are an error (``demand`` is the exception:
        several rows for the same SKU and day are summed, and the merge is reported).
    required : bool
        Whether every dataset must have this table.
    row : str
        What one row is ("SKU", "SKU and day", ...).
    meaning : str
        One-line description of the table.
    aliases : tuple of str
        Other file or sheet names accepted for this table.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = False
    row: str = ""
    meaning: str = ""
    aliases: tuple[str, ...] = ()
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})

    @property
    def column_names(self) -> list[str]:
        """Canonical column names in schema order."""
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]

    def match_header(self, header: str) -> str | None:
        """Canonical column name for a header as written in a file, or None.

        Matched after :func:`normalize_header`: ``"Unit Cost ($)"`` is ``unit_cost``,
        ``"Qty."`` is ``quantity``, ``"Item #"`` is ``sku``.
        """
        norm = normalize_header(header)
        for col in self.columns:
            if norm == col.name or norm in col.aliases:
                return col.name
        return None

    def header_rank(self, header: str) -> int:
        """How directly ``header`` names its column: 0 for the canonical name, then 1, 2 ...
        in the order of the column's aliases (used when two headers name one column)."""
        norm = normalize_header(header)
        col = self.by_name[self.match_header(header) or ""]
        return 0 if norm == col.name else 1 + col.aliases.index(norm)


_SKU_ALIASES = (
    "item_id",
    "item",
    "item_code",
    "item_no",
    "item_number",
    "sku_no",
    "product_id",
    "product",
    "part_no",
    "part_number",
)
#: Not "amount": in most exports an amount is money, not units.
_QTY_ALIASES = ("qty", "units", "quantity_sold", "qty_sold", "units_sold")


def _sku(meaning: str = "SKU (stock-keeping unit) code; must appear in items") -> Column:
    return Column("sku", "string", True, meaning, aliases=_SKU_ALIASES, references="items.sku")


_ITEMS = Table(
    "items",
    (
        Column(
            "sku",
            "string",
            True,
            "SKU (stock-keeping unit) code, unique; text, so leading zeros are kept",
            aliases=_SKU_ALIASES,
        ),
        Column("name", "string", False, "Item description", aliases=("description", "item_name")),
        Column("category", "string", False, "Product family or group", aliases=("group",)),
        Column(
            "inventory_type",
            "category",
            True,
            "raw_material, wip (work in progress), finished_good or mro (maintenance, "
            "repair and operating supplies)",
            allowed=INVENTORY_TYPES,
            aliases=("type", "inv_type", "item_type"),
        ),
        Column(
            "unit",
            "string",
            False,
            "Unit of measure (each, kg, m, box ...)",
            default="each",
            aliases=("uom", "unit_of_measure"),
        ),
        Column(
            "unit_cost",
            "float",
            True,
            "Purchase or production cost of one unit",
            "$/unit",
            min=0,
            max=MAX_MONEY,
            aliases=("cost", "standard_cost"),
        ),
        Column(
            "price",
            "float",
            False,
            "Selling price of one unit (finished goods)",
            "$/unit",
            min=0,
            max=MAX_MONEY,
            aliases=("sell_price", "sales_price", "selling_price"),
        ),
        Column(
            "supplier_id",
            "string",
            False,
            "Main supplier; matches suppliers.supplier_id",
            aliases=("supplier", "vendor", "vendor_id"),
            references="suppliers.supplier_id",
        ),
        Column(
            "lead_time_days",
            "float",
            False,
            "Replenishment lead time; blank: the supplier's lead_time_days, else missing",
            "days",
            min=0,
            max=MAX_LEAD_TIME_DAYS,
            aliases=("lead_time", "lt_days"),
        ),
        Column(
            "lead_time_sd_days",
            "float",
            False,
            "Standard deviation of the lead time; blank: the supplier's, else 0",
            "days",
            min=0,
            max=MAX_LEAD_TIME_DAYS,
            default=0.0,
            aliases=("lead_time_sd",),
        ),
        Column(
            "order_cost",
            "float",
            False,
            "Fixed cost of placing one order or one production setup (S)",
            "$/order",
            min=0,
            max=MAX_MONEY,
            default=50.0,
            aliases=("ordering_cost", "setup_cost"),
        ),
        Column(
            "holding_cost_rate",
            "float",
            False,
            "Yearly cost of holding stock as a fraction of unit cost (i)",
            "1/year",
            min=0,
            max=MAX_HOLDING_COST_RATE,
            default=0.25,
            aliases=("holding_rate", "carrying_cost_rate"),
        ),
        Column(
            "min_order_qty",
            "float",
            False,
            "Minimum order quantity (MOQ)",
            "units",
            min=0,
            max=MAX_QUANTITY,
            default=1.0,
            aliases=("moq", "min_order_quantity"),
        ),
        Column(
            "pack_size",
            "float",
            False,
            "Orders are placed in multiples of this",
            "units",
            min=0,
            max=MAX_QUANTITY,
            min_inclusive=False,
            default=1.0,
            aliases=("pack", "case_size", "order_multiple"),
        ),
        Column(
            "shelf_life_days",
            "float",
            False,
            "Shelf life from receipt (perishables); blank: does not expire",
            "days",
            min=0,
            max=MAX_SHELF_LIFE_DAYS,
            min_inclusive=False,
            aliases=("shelf_life",),
        ),
        Column(
            "service_level",
            "float",
            False,
            "Target cycle service level (probability of no stockout per cycle); "
            "blank: the dashboard's setting",
            "fraction",
            min=0,
            max=1,
            min_inclusive=False,
            max_inclusive=False,
            aliases=("target_service_level",),
        ),
        Column(
            "introduced",
            "date",
            False,
            "First day the item was on sale; its demand statistics start here "
            "(blank: its first demand)",
            aliases=("launch_date", "introduction_date"),
        ),
        Column(
            "discontinued",
            "date",
            False,
            "Last day the item was on sale; its demand statistics end here "
            "(blank: the end of the demand history)",
            aliases=("discontinued_date", "end_of_life"),
        ),
        Column(
            "current_reorder_point",
            "float",
            False,
            "Today's reorder point s: the shop orders when the stock on hand plus on order "
            "falls to this (with current_order_quantity; blank: no such setting)",
            "units",
            min=0,
            max=MAX_QUANTITY,
            aliases=("reorder_point", "rop", "reorder_level", "current_rop"),
        ),
        Column(
            "current_order_quantity",
            "float",
            False,
            "Today's order quantity Q, ordered each time the reorder point is reached "
            "(with current_reorder_point)",
            "units",
            min=0,
            max=MAX_QUANTITY,
            min_inclusive=False,
            aliases=("reorder_quantity", "reorder_qty", "current_q"),
        ),
        Column(
            "current_min",
            "float",
            False,
            "Today's min of a min/max rule: order when stock on hand plus on order is at or "
            "below it (with current_max; instead of a reorder point and quantity)",
            "units",
            min=0,
            max=MAX_QUANTITY,
            aliases=("min_stock", "minimum_stock"),
        ),
        Column(
            "current_max",
            "float",
            False,
            "Today's max of a min/max rule: order up to it; must be above current_min",
            "units",
            min=0,
            max=MAX_QUANTITY,
            min_inclusive=False,
            aliases=("max_stock", "maximum_stock"),
        ),
        Column(
            "lot_sizing",
            "category",
            False,
            "MRP lot-sizing rule of this item, overriding the plan's rule for it: "
            + ", ".join(LOT_SIZING_RULES)
            + " (blank: the plan's rule)",
            allowed=LOT_SIZING_RULES,
            aliases=("lot_sizing_rule", "lot_size_rule", "lot_rule"),
        ),
    ),
    key=("sku",),
    required=True,
    row="SKU",
    meaning="Item master: what each SKU is and what it costs",
    aliases=("item", "products", "item_master", "skus"),
)

_DEMAND = Table(
    "demand",
    (
        Column(
            "date", "date", True, "Day of the demand", aliases=("day", "demand_date", "sales_date")
        ),
        _sku(),
        Column(
            "quantity",
            "float",
            True,
            "Units sold (finished goods) or consumed (other types) that day",
            "units",
            min=0,
            max=MAX_QUANTITY,
            aliases=_QTY_ALIASES,
        ),
    ),
    key=("date", "sku"),
    required=True,
    row="SKU and day (days without a row mean zero demand)",
    meaning="Daily demand history",
    aliases=("sales", "consumption", "demand_history"),
)

_LOTS = Table(
    "lots",
    (
        _sku(),
        Column(
            "lot_id",
            "string",
            True,
            "Lot or batch number, unique",
            aliases=("lot", "batch", "batch_id", "lot_no"),
        ),
        Column("received_date", "date", True, "Day the lot was received", aliases=("received",)),
        Column(
            "quantity",
            "float",
            True,
            "Units of the lot still on hand",
            "units",
            min=0,
            max=MAX_QUANTITY,
            aliases=("qty", "on_hand", "qty_on_hand"),
        ),
        Column(
            "unit_cost",
            "float",
            False,
            "Cost of one unit of this lot",
            "$/unit",
            min=0,
            max=MAX_MONEY,
            aliases=("cost",),
        ),
        Column(
            "expiry_date",
            "date",
            False,
            "Day the lot expires; blank: does not expire",
            aliases=("expiry", "expiration_date", "best_before"),
        ),
        Column("location", "string", False, "Warehouse or bin", aliases=("bin", "warehouse")),
    ),
    key=("lot_id",),
    row="lot on hand",
    meaning="Stock on hand, lot by lot, as of the end of the demand history",
    aliases=("stock", "on_hand", "inventory"),
)

_SUPPLIERS = Table(
    "suppliers",
    (
        Column(
            "supplier_id",
            "string",
            True,
            "Supplier code, unique",
            aliases=("supplier", "vendor", "vendor_id"),
        ),
        Column("name", "string", False, "Supplier name", aliases=("supplier_name",)),
        Column(
            "lead_time_days",
            "float",
            False,
            "Quoted lead time",
            "days",
            min=0,
            max=MAX_LEAD_TIME_DAYS,
            aliases=("lead_time",),
        ),
        Column(
            "lead_time_sd_days",
            "float",
            False,
            "Standard deviation of the lead time",
            "days",
            min=0,
            max=MAX_LEAD_TIME_DAYS,
            aliases=("lead_time_sd",),
        ),
        Column(
            "on_time_rate",
            "float",
            False,
            "Share of deliveries on or before promise",
            "fraction",
            min=0,
            max=1,
            aliases=("otd", "on_time"),
        ),
        Column(
            "min_order_value",
            "float",
            False,
            "Smallest order the supplier accepts, in money at unit cost; a draft order "
            "below it is flagged (blank: none)",
            "$",
            min=0,
            max=MAX_MONEY,
            aliases=("minimum_order_value", "mov", "min_order_amount"),
        ),
    ),
    key=("supplier_id",),
    row="supplier",
    meaning="Suppliers and their lead times",
    aliases=("vendors",),
)

_PURCHASE_ORDERS = Table(
    "purchase_orders",
    (
        Column(
            "po_id",
            "string",
            True,
            "Purchase order number",
            aliases=("po", "po_number", "order_id"),
        ),
        _sku(),
        Column(
            "supplier_id",
            "string",
            False,
            "Supplier; matches suppliers.supplier_id",
            aliases=("supplier", "vendor"),
            references="suppliers.supplier_id",
        ),
        Column("order_date", "date", True, "Day the order was placed", aliases=("ordered",)),
        Column(
            "promised_date",
            "date",
            False,
            "Delivery day promised by the supplier",
            aliases=("promised", "due_date"),
        ),
        Column(
            "received_date",
            "date",
            False,
            "Day received; blank: still open",
            aliases=("received", "delivery_date"),
        ),
        Column(
            "quantity",
            "float",
            True,
            "Units ordered",
            "units",
            min=0,
            max=MAX_QUANTITY,
            aliases=_QTY_ALIASES,
        ),
        Column(
            "unit_cost",
            "float",
            False,
            "Price paid per unit",
            "$/unit",
            min=0,
            max=MAX_MONEY,
            aliases=("cost", "price"),
        ),
    ),
    key=("po_id", "sku"),
    row="PO line",
    meaning="Purchase-order history and open orders (lead-time history)",
    aliases=("pos", "orders", "purchase_order"),
)

_BOM = Table(
    "bom",
    (
        Column(
            "parent_sku",
            "string",
            True,
            "SKU made; must appear in items",
            aliases=("parent", "assembly"),
            references="items.sku",
        ),
        Column(
            "component_sku",
            "string",
            True,
            "SKU consumed; must appear in items",
            aliases=("component", "child", "child_sku"),
            references="items.sku",
        ),
        Column(
            "quantity_per",
            "float",
            True,
            "Units of component per unit of parent",
            "units/unit",
            min=0,
            max=MAX_QUANTITY,
            min_inclusive=False,
            aliases=("qty_per", "quantity", "qty"),
        ),
        Column(
            "scrap_rate",
            "float",
            False,
            "Share of the component lost in production",
            "fraction",
            min=0,
            max=1,
            max_inclusive=False,
            default=0.0,
            aliases=("scrap",),
        ),
    ),
    key=("parent_sku", "component_sku"),
    row="parent-component pair",
    meaning="Bill of materials; must have no cycles",
    aliases=("bill_of_materials", "boms"),
)

_COUNTS = Table(
    "counts",
    (
        Column("count_date", "date", True, "Day of the physical count", aliases=("date",)),
        _sku(),
        Column(
            "location", "string", False, "Warehouse or bin counted", aliases=("bin", "warehouse")
        ),
        Column(
            "counted_qty",
            "float",
            True,
            "Units found on the shelf",
            "units",
            min=0,
            max=MAX_QUANTITY,
            aliases=("counted", "count", "qty", "quantity"),
        ),
    ),
    key=("count_date", "sku", "location"),
    row="physical count of a SKU at a location",
    meaning="Physical (cycle) counts, to compare with the records",
    aliases=("count", "stock_count", "cycle_counts"),
)

_SCHEDULE = Table(
    "schedule",
    (
        _sku(),
        Column(
            "period_start",
            "date",
            True,
            "First day of the planning period",
            aliases=("period", "date", "week", "week_start"),
        ),
        Column(
            "quantity",
            "float",
            True,
            "Units of the SKU to produce in the period",
            "units",
            min=0,
            max=MAX_QUANTITY,
            aliases=_QTY_ALIASES,
        ),
    ),
    key=("sku", "period_start"),
    row="SKU and period",
    meaning="Master production schedule (input to MRP)",
    aliases=("mps", "master_schedule", "production_schedule"),
)

_PRODUCTION_ORDERS = Table(
    "production_orders",
    (
        Column(
            "order_id",
            "string",
            True,
            "Production (work) order number, unique",
            aliases=(
                "production_order",
                "production_order_id",
                "work_order",
                "work_order_id",
                "wo",
                "wo_id",
                "job",
                "job_id",
            ),
        ),
        _sku(
            "SKU made; must appear in items and be made in house: a parent_sku in bom "
            "(without a bom: not a raw material or MRO supply)"
        ),
        Column(
            "start_date",
            "date",
            False,
            "Day the order was or will be released to the workshop; blank: due_date less "
            "the item's lead_time_days",
            aliases=("start", "release_date", "released"),
        ),
        Column(
            "due_date",
            "date",
            True,
            "Day the finished quantity is due into stock",
            aliases=("due", "finish_date", "completion_date"),
        ),
        Column(
            "received_date",
            "date",
            False,
            "Day the order was completed into stock; blank: still open (a scheduled "
            "receipt for MRP)",
            aliases=("received", "completed", "completed_date"),
        ),
        Column(
            "quantity",
            "float",
            True,
            "Units to make",
            "units",
            min=0,
            max=MAX_QUANTITY,
            aliases=_QTY_ALIASES,
        ),
    ),
    key=("order_id",),
    row="production order",
    meaning="Open and past production (work) orders; open ones are MRP's scheduled receipts "
    "of made items",
    aliases=("work_orders", "production_order", "manufacturing_orders", "jobs"),
)

#: All tables of the data model by name, in dictionary order.
SCHEMAS: dict[str, Table] = {
    t.name: t
    for t in (
        _ITEMS,
        _DEMAND,
        _LOTS,
        _SUPPLIERS,
        _PURCHASE_ORDERS,
        _BOM,
        _COUNTS,
        _SCHEDULE,
        _PRODUCTION_ORDERS,
    )
}


def table_for_name(name: str) -> str | None:
    """Canonical table name for a file or sheet name (without extension), or None."""
    norm = normalize_name(name)
    for t in SCHEMAS.values():
        if norm == t.name or norm in t.aliases:
            return t.name
    return None
