"""The MRP tab: what to buy or make, and when, from the bill of materials.

The panel runs material requirements planning (:func:`workbench.mrp`) on the dataset
with the lot-sizing rule and the horizon the manager picks, and shows, top-down:

1. the plan in a few numbers and the action messages (release now, expedite, defer,
   cancel, past due) first, as they need someone today;
2. the planned orders by week and supplier, with a CSV and an Excel download of the
   list (formula-safe, :mod:`workbench.data._safe_export`);
3. one item's time-phased record (gross requirements, scheduled receipts, projected on
   hand, net requirements, planned order receipts and releases, week by week) as a
   table and a chart;
4. the MRO supplies, planned by their reorder points rather than by MRP, listed apart.

Every number comes from :func:`workbench.mrp`; the panel only selects, formats and
draws.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import traitlets

import workbench as wb

from ._common import (
    Panel,
    download_link,
    error_html,
    figure_widget,
    fmt_int,
    fmt_money,
    fmt_number,
    frame_to_csv_bytes,
    frame_to_excel_bytes,
    html_table,
    on_click,
    plotly_template,
    sku_units,
)
from .accessibility import value_text_span, value_text_spec

__all__ = [
    "ACTION_LABELS",
    "COLORS",
    "METHOD_LABELS",
    "PURPOSE",
    "RECORD_ROWS",
    "MRPPanel",
    "actions_table",
    "mro_table",
    "mrp_downloads",
    "planned_orders_table",
    "record_table",
    "run_mrp",
]

#: The tab's purpose in one line, in a manager's words (the Data tab lists every tab's).
PURPOSE = (
    "what to buy or make and when, from the bill of materials and the production schedule: "
    "action messages first, planned orders by week and supplier, each item's week-by-week "
    "record"
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Lot-sizing rule -> how the manager reads it.
METHOD_LABELS = {
    "lot_for_lot": "Lot-for-lot: order exactly what each week needs",
    "fixed_order_quantity": "Fixed quantity: today's order size (EOQ where none)",
    "eoq": "Economic order quantity (EOQ)",
    "periodic_order_quantity": "Periodic order: cover the weeks one EOQ lasts",
    "wagner_whitin": "Least total cost (Wagner-Whitin, optimal)",
    "silver_meal": "Silver-Meal: lowest cost per week covered",
    "least_unit_cost": "Least unit cost: lowest cost per unit",
    "part_period_balancing": "Part-period balancing: holding about equal to ordering",
}

#: Action message (``MRPResult.actions["action"]``) -> (urgency, plain words).
ACTION_LABELS = {
    "past due": (0, "Past due"),
    "expedite": (1, "Expedite"),
    "release now": (2, "Release now"),
    "cancel": (3, "Cancel"),
    "defer": (4, "Defer"),
}

#: Rows of the time-phased record: (column of ``MRPResult.records``, label).
RECORD_ROWS = (
    ("gross_requirements", "Gross requirements"),
    ("scheduled_receipts", "Scheduled receipts (open orders)"),
    ("projected_on_hand", "Projected on hand (end of week)"),
    ("net_requirements", "Net requirements"),
    ("planned_receipts", "Planned order receipts"),
    ("planned_releases", "Planned order releases"),
)

#: Columns of the item's chart (one trace each, in :data:`COLORS`).
_CHART_COLUMNS = (
    "gross_requirements",
    "scheduled_receipts",
    "planned_receipts",
    "projected_on_hand",
)

#: Trace colours: plotly's qualitative palette as the other tabs use it, with a darker
#: orange, so that each has a contrast above 3:1 on the light (white) and the dark
#: (rgb(17,17,17)) chart backgrounds (WCAG 2.1 relative luminance; issue 17).
COLORS = ("#1f77b4", "#2ca02c", "#d35400", "#9467bd")

#: SKUs, dates and numbers never wrap ("RM-/0045"); the last column (the engine's words
#: in the action list) does.
_STYLE = (
    "<style>.wb-mrp .wb-table td, .wb-mrp .wb-table th { white-space: nowrap; } "
    ".wb-mrp-actions .wb-table td:last-child { white-space: normal; }</style>"
)

HORIZONS = (4, 104)  # weeks, the horizon control's range

_ORDER_COLUMNS = [
    "Release week",
    "Supplier",
    "SKU",
    "Name",
    "Buy or make",
    "Quantity",
    "Unit",
    "Due week",
    "Value at cost",
    "Order",
]


def run_mrp(dataset, scenario=None, *, method: str, horizon: int):
    """``wb.mrp`` in weeks with the tab's lot-sizing rule for every item without its own
    (``items.lot_sizing``) and the tab's horizon. The tab's rule is the active
    scenario's ``lot_sizing`` (:class:`MRPPanel` keeps the two together); it is passed
    as the ``lot_sizing`` argument, so the summary's ``lot_sizing_source`` reads "plan"."""
    return wb.mrp(dataset, scenario, horizon=int(horizon), bucket="W", lot_sizing=method)


def _rule_of(scenario) -> str:
    """The scenario's lot-sizing rule (lot-for-lot without a scenario or one unknown)."""
    rule = getattr(scenario, "lot_sizing", None)
    return rule if rule in METHOD_LABELS else "lot_for_lot"


def _default_horizon() -> int:
    from ..mrp import engine

    return int(getattr(engine, "DEFAULT_HORIZON", {}).get("W", 26))


def _is_blank(x) -> bool:
    try:
        return x is None or bool(pd.isna(x)) or str(x) == ""
    except (TypeError, ValueError):
        return False


def _weeks(values) -> np.ndarray:
    """:func:`_week` of many dates at once."""
    return pd.to_datetime(pd.Series(values)).dt.strftime("%d %b %Y").fillna("–").to_numpy()


def _late(values, first) -> np.ndarray:
    """Release weeks, with "(late)" after those before the first planned week."""
    dates = pd.to_datetime(pd.Series(values))
    late = (dates < first).to_numpy() if first is not None else np.zeros(len(dates), bool)
    return np.where(late, _weeks(dates).astype(object) + " (late)", _weeks(dates))


def _week(x) -> str:
    """A bucket's first day as the tab writes it: "02 Nov 2026"."""
    if _is_blank(x):
        return "–"
    return f"{pd.Timestamp(x):%d %b %Y}"


def _names(dataset) -> pd.Series:
    items = dataset.items
    return pd.Series(
        items["name"].astype(object).fillna("").to_numpy(), index=items["sku"].astype(str)
    )


def _supplier_names(dataset) -> pd.Series:
    sup = getattr(dataset, "suppliers", None)
    if isinstance(sup, pd.DataFrame) and {"supplier_id", "name"} <= set(sup.columns):
        return pd.Series(
            sup["name"].astype(object).fillna("").to_numpy(), index=sup["supplier_id"].astype(str)
        )
    return pd.Series(dtype=object)


def planned_orders_table(result, dataset) -> pd.DataFrame:
    """The planned orders as the tab lists them: by release week, then supplier.

    Columns: Release week, Supplier (its name where the suppliers table has one; "Made
    in house" for production), SKU, Name, Buy or make, Quantity, Unit, Due week (dates
    of the buckets' first days), Value at cost [$], Order (the planned order's id).
    """
    po = result.planned_orders
    if po is None or len(po) == 0:
        return pd.DataFrame(columns=_ORDER_COLUMNS)
    sku = po["sku"].astype(str)
    kind = po["kind"].astype(str).to_numpy()
    sup_names = _supplier_names(dataset)
    supplier = [
        "Made in house"
        if k == "production"
        else ("–" if _is_blank(s) else str(sup_names.get(str(s), "")) or str(s))
        for k, s in zip(kind, po["supplier"].astype(object), strict=True)
    ]
    name = po["name"].astype(object) if "name" in po else sku.map(_names(dataset))
    table = pd.DataFrame(
        {
            "Release week": pd.to_datetime(po["release_date"]).to_numpy(),
            "Supplier": supplier,
            "SKU": sku.to_numpy(),
            "Name": name.fillna("").to_numpy(),
            "Buy or make": np.where(kind == "production", "Make", "Buy"),
            "Quantity": po["quantity"].to_numpy(float),
            "Unit": sku.map(sku_units(dataset.items)).fillna("units").to_numpy(),
            "Due week": pd.to_datetime(po["due_date"]).to_numpy(),
            "Value at cost": po["value"].to_numpy(float),
            "Order": po["order_id"].astype(str).to_numpy(),
        }
    )
    return table.sort_values(["Release week", "Supplier", "SKU"], kind="stable", ignore_index=True)


def actions_table(result, dataset) -> pd.DataFrame:
    """The action messages, most urgent first (past due, expedite, release now, cancel,
    defer), in plain words: Action, SKU, Name, Order, Planned for, Needed by, Quantity,
    What to do."""
    act = result.actions
    cols = ["Action", "SKU", "Name", "Order", "Planned for", "Needed by", "Quantity", "What to do"]
    if act is None or len(act) == 0:
        return pd.DataFrame(columns=cols)
    code = act["action"].astype(str)
    rank = code.map(lambda c: ACTION_LABELS.get(c, (9, c))[0]).to_numpy()
    sku = act["sku"].astype(str)
    out = pd.DataFrame(
        {
            "Action": code.map(lambda c: ACTION_LABELS.get(c, (9, c.capitalize()))[1]).to_numpy(),
            "SKU": sku.to_numpy(),
            "Name": sku.map(_names(dataset)).fillna("").to_numpy(),
            "Order": act["reference"].astype(object).fillna("").to_numpy(),
            "Planned for": _weeks(act["date"]),
            "Needed by": _weeks(act["new_date"]),
            "Quantity": act["quantity"].to_numpy(float),
            "What to do": act["message"].astype(object).fillna("").to_numpy(),
        }
    )
    return out.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)


def record_table(result, sku: str) -> pd.DataFrame:
    """One item's time-phased record: the rows of :data:`RECORD_ROWS` [units], one column
    per week (its first day), as the textbooks draw it."""
    rec = result.records
    rows = rec[rec["sku"].astype(str) == str(sku)].sort_values("period")
    data = {label: rows[col].to_numpy(float) for col, label in RECORD_ROWS}
    return pd.DataFrame(data, index=[_week(p) for p in rows["period"]]).T


def mrp_downloads(result, dataset, *, excel: bool = True) -> dict[str, tuple[bytes, str]]:
    """The planned orders (CSV), and in Excel also the action messages and the MRO items
    to reorder, as bytes: {"csv": (bytes, mime), "xlsx": (bytes, mime)}. The columns are
    the tab's; dates are ISO (YYYY-MM-DD). Both are guarded against formula injection
    (:mod:`workbench.data._safe_export`). ``excel=False`` leaves the Excel file out (it
    takes seconds for a thousand orders)."""
    orders = planned_orders_table(result, dataset)
    for col in ("Release week", "Due week"):
        orders[col] = pd.to_datetime(orders[col]).dt.strftime("%Y-%m-%d")
    out = {"csv": (frame_to_csv_bytes(orders), "text/csv")}
    if excel:
        out["xlsx"] = (
            frame_to_excel_bytes(
                {
                    "planned orders": orders,
                    "action messages": actions_table(result, dataset),
                    "MRO to reorder": mro_table(result, dataset),
                }
            ),
            XLSX_MIME,
        )
    return out


def mro_table(result, dataset) -> pd.DataFrame:
    """MRO supplies at or below their reorder point (planned apart from MRP): SKU, Name,
    On hand, On order, Reorder point, Order quantity, Unit, Rule."""
    mro = getattr(result, "mro_items", None)
    cols = ["SKU", "Name", "On hand", "On order", "Reorder point", "Order quantity", "Unit"]
    if mro is None or len(mro) == 0:
        return pd.DataFrame(columns=[*cols, "Rule"])
    mro = mro[mro["reorder"].astype(bool)]
    sku = mro["sku"].astype(str)
    return pd.DataFrame(
        {
            "SKU": sku.to_numpy(),
            "Name": mro["name"].astype(object).fillna("").to_numpy(),
            "On hand": mro["on_hand"].to_numpy(float),
            "On order": mro["on_order"].to_numpy(float),
            "Reorder point": mro["reorder_point"].to_numpy(float),
            "Order quantity": mro["order_quantity"].to_numpy(float),
            "Unit": sku.map(sku_units(dataset.items)).fillna("units").to_numpy(),
            "Rule": mro["rule"].astype(object).fillna("").to_numpy(),
        }
    )


def _qty(x) -> str:
    return fmt_number(x, 0 if float(x).is_integer() else 1)


_QTY_COLUMNS = ("Quantity", "On hand", "On order", "Reorder point", "Order quantity")


def _formats(table: pd.DataFrame) -> dict:
    out = {c: _qty for c in table.columns if c in _QTY_COLUMNS}
    if "Value at cost" in table.columns:
        out["Value at cost"] = fmt_money
    return out


class MRPPanel(Panel):
    """The MRP tab: action messages, planned orders by week and supplier, an item's record.

    Parameters
    ----------
    dataset : workbench.Dataset
        With a ``bom`` table (and usually ``schedule``, ``lots``, ``purchase_orders``).
    scenario : workbench.Scenario, optional
        The dashboard's active scenario (its name is shown; :func:`workbench.mrp` uses
        its demand source, multipliers and cost overrides). Its ``lot_sizing`` is the
        rule the lot-sizing control starts on and follows.

    Attributes
    ----------
    result : traitlet
        The last :class:`workbench.MRPResult`, or None when MRP could not run (the
        panel then shows why).
    activated : wb.Scenario or None (trait)
        The scenario with the rule picked on the lot-sizing control, set when the
        manager picks one; the dashboard observes it and makes it the active scenario.
    """

    result = traitlets.Any(allow_none=True)
    activated = traitlets.Any(allow_none=True)

    def __init__(self, dataset, *, scenario=None, **kwargs):
        self.dataset = dataset
        self.scenario = scenario
        self._hold = False
        self.intro = widgets.HTML(
            _STYLE + '<div class="wb-intro"><b>Material requirements planning.</b> What to buy or '
            "make, and when: the production schedule of each finished good is exploded "
            "through the bill of materials, netted week by week against stock on hand and "
            "open purchase and production orders, and every shortfall becomes a planned "
            "order, released one lead time (in whole weeks, to the nearest week) before it "
            "is due. The lot-sizing rule decides how many weeks one order covers; an item "
            "with its own rule in the items table (column lot_sizing) keeps it, the others "
            "take the rule picked here, which becomes the active scenario's rule (the "
            "Scenarios tab saves and compares it with the other settings); each order "
            "respects the item's minimum order and pack size.</div>"
        )
        self.method = widgets.Dropdown(
            options=[(METHOD_LABELS[m], m) for m in wb.LOT_SIZING_METHODS],
            value=_rule_of(scenario),
            description="Lot sizing",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="460px"),
        )
        lo, hi = HORIZONS
        start = min(max(_default_horizon(), lo), hi)
        self.horizon = widgets.IntSlider(
            value=start,
            min=lo,
            max=hi,
            step=1,
            description="Horizon",
            continuous_update=False,
            readout=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="300px"),
        )
        self.horizon_box = widgets.BoundedIntText(
            value=start, min=lo, max=hi, layout=widgets.Layout(width="80px")
        )
        self.horizon_box.description = "Horizon in weeks"  # read by screen readers
        self.horizon_box.style.description_width = "0px"
        self._link = widgets.jslink((self.horizon, "value"), (self.horizon_box, "value"))
        self.horizon_box.observe(self._on_box, names="value")
        # "weeks" after the box; a screen reader reads the slider as "12 weeks"
        spec = value_text_spec("Horizon [weeks]", step=1)
        self.horizon_unit = widgets.HTML("weeks" + value_text_span(start, spec))
        self.horizon_unit.add_class("wb-typed-unit")
        self.horizon.observe(
            lambda c: setattr(self.horizon_unit, "value", "weeks" + value_text_span(c.new, spec)),
            names="value",
        )
        self.kpis = widgets.HTML()
        self.kpis.add_class("wb-mrp-kpis")
        self.actions_html = widgets.HTML()
        self.actions_html.add_class("wb-mrp-actions")
        self.downloads = widgets.HTML()
        self.downloads.add_class("wb-mrp-downloads")
        self.excel_button = widgets.Button(
            description="Prepare the Excel file",
            tooltip="Planned orders, action messages and MRO items to reorder, one sheet each",
            icon="file-excel-o",
            layout=widgets.Layout(width="auto"),
        )
        self.excel_link = widgets.HTML()
        self.excel_link.add_class("wb-mrp-excel")
        self.orders_html = widgets.HTML()
        self.orders_html.add_class("wb-mrp-orders")
        self.mro_html = widgets.HTML()
        self.mro_html.add_class("wb-mrp-mro")
        self.item = widgets.Dropdown(
            options=[], description="Item", layout=widgets.Layout(width="460px")
        )
        self.item_note = widgets.HTML()
        self.record_html = widgets.HTML()
        self.record_html.add_class("wb-mrp-record")
        self.fig = figure_widget(
            data=[
                go.Bar(x=[], y=[], name="Gross requirements", marker_color=COLORS[0]),
                go.Bar(x=[], y=[], name="Scheduled receipts", marker_color=COLORS[1]),
                go.Bar(x=[], y=[], name="Planned receipts", marker_color=COLORS[2]),
                go.Scatter(
                    x=[],
                    y=[],
                    name="Projected on hand",
                    mode="lines+markers",
                    line=dict(shape="hv", width=3, color=COLORS[3]),
                ),
            ],
            layout=go.Layout(
                template=plotly_template(),
                height=380,
                barmode="group",
                margin=dict(l=60, r=20, t=50, b=40),
                yaxis=dict(title="units", rangemode="tozero"),
                xaxis=dict(title="week starting"),
                legend=dict(orientation="h", y=-0.25),
                autosize=True,
            ),
        )
        self.fig.layout.meta = "mrp-record"
        super().__init__(
            children=[
                self.intro,
                widgets.HBox([self.method, self.horizon, self.horizon_box, self.horizon_unit]),
                self.kpis,
                self.actions_html,
                widgets.HBox([self.downloads, self.excel_button, self.excel_link]),
                self.orders_html,
                self.mro_html,
                widgets.HTML("<h4>One item, week by week</h4>"),
                self.item,
                self.item_note,
                self.record_html,
                self.fig,
            ],
            **kwargs,
        )
        self.add_class("wb-mrp")
        self.method.observe(self._on_method, names="value")
        self.horizon.observe(lambda _c: self.run(), names="value")
        self._quiet = False
        self.item.observe(lambda _c: None if self._quiet else self._render_item(), names="value")
        on_click(self.excel_button, self._make_excel, self.excel_link, title="No Excel file")
        self.run()

    def _on_box(self, change) -> None:
        # the jslink keeps slider and box together in the browser; in the kernel (tests,
        # a notebook driving the box) the box moves the slider, which reruns the plan
        if self.horizon.value != change.new:
            self.horizon.value = change.new

    def _make_excel(self) -> None:
        """The Excel download of the current plan, made when asked (:func:`mrp_downloads`)."""
        if self.result is None:
            return
        data, mime = mrp_downloads(self.result, self.dataset)["xlsx"]
        self.excel_link.value = download_link(
            data, "mrp_planned_orders.xlsx", "Download orders, actions and MRO (Excel)", mime
        )

    # -- dashboard hooks
    def set_dataset(self, dataset) -> None:
        self.dataset = dataset
        self.run()

    def set_plan(self, plan) -> None:
        """The dashboard's plan carries its scenario; rerun when the scenario changed,
        with the lot-sizing control on the scenario's rule."""
        sc = None if plan is None else plan.attrs.get("scenario")
        if sc and (self.scenario is None or sc != self.scenario.to_dict()):
            self.scenario = wb.Scenario.from_dict(sc)
            self._hold = True
            try:
                self.method.value = _rule_of(self.scenario)
            finally:
                self._hold = False
            self.run()

    def _on_method(self, change) -> None:
        """A rule picked on the control: plan with it and make it the active scenario's."""
        if self._hold:
            return
        base = self.scenario if self.scenario is not None else wb.Scenario()
        if getattr(base, "lot_sizing", None) != change.new:
            base = base.replace(lot_sizing=change.new)
        self.scenario = base
        self.run()
        self.activated = base

    # -- computing
    def run(self) -> None:
        """Run MRP with the chosen rule and horizon and redraw everything."""
        try:
            result = run_mrp(
                self.dataset, self.scenario, method=self.method.value, horizon=self.horizon.value
            )
        except Exception as exc:  # bad data (DataError lists the rows) or a bad setting
            self.result = None
            self.kpis.value = error_html(exc, title="MRP could not plan this data")
            for w in (
                self.actions_html,
                self.orders_html,
                self.downloads,
                self.excel_link,
                self.mro_html,
            ):
                w.value = ""
            self.excel_button.layout.display = "none"
            self._quiet = True
            self.item.options = []
            self._quiet = False
            self._render_item()
            return
        self.result = result
        self._render()

    # -- drawing
    def _render(self) -> None:
        res, ds = self.result, self.dataset
        orders = planned_orders_table(res, ds)
        actions = actions_table(res, ds)
        first = pd.Timestamp(res.periods[0]) if len(res.periods) else None
        name = getattr(self.scenario, "name", None) or "baseline"
        planned = res.summary["planned"].astype(bool) if len(res.summary) else pd.Series([])
        release_now = int((orders["Release week"] <= first).sum()) if first is not None else 0
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in res.notes)
        own = res.summary.get("lot_sizing_source")
        n_own = int(((own == "item") & planned).sum()) if own is not None else 0
        own_text = (
            f" ({fmt_int(n_own)} item{'s' if n_own != 1 else ''} keep their own rule from the "
            "items table)"
            if n_own
            else ""
        )
        self.kpis.value = (
            '<div class="wb-kpis">'
            f"Scenario <b>{html.escape(str(name))}</b> · "
            f"{html.escape(METHOD_LABELS[self.method.value])}{own_text} · "
            f"{fmt_int(self.horizon.value)} weeks from {_week(first)} (stock and open "
            f"orders as of {_week(res.as_of)}).<br>"
            f"<b>{fmt_int(len(orders))}</b> planned orders for {fmt_int(int(planned.sum()))} "
            f"items: {fmt_int(int((orders['Buy or make'] == 'Buy').sum()))} to buy, "
            f"{fmt_int(int((orders['Buy or make'] == 'Make').sum()))} to make, worth "
            f"<b>{fmt_money(float(np.nansum(orders['Value at cost'])))}</b> at cost; "
            f"<b>{fmt_int(release_now)}</b> to release this week or already late; "
            f"<b>{fmt_int(len(actions))}</b> action messages.</div>"
            + (f"<ul class='wb-note wb-mrp-notes'>{notes}</ul>" if notes else "")
        )
        if len(actions):
            self.actions_html.value = (
                f"<h4>Action messages ({fmt_int(len(actions))}), most urgent first</h4>"
                + html_table(actions, max_rows=30, formatters=_formats(actions))
            )
        else:
            self.actions_html.value = (
                "<h4>Action messages</h4><div class='wb-ok'>None: nothing is past due and no "
                "open order needs to be moved or cancelled.</div>"
            )
        if len(orders):
            by = (
                orders.groupby(["Release week", "Supplier"], sort=True)
                .agg(Orders=("SKU", "size"), Value=("Value at cost", "sum"))
                .reset_index()
                .rename(columns={"Value": "Value at cost"})
            )
            by["Release week"] = _late(by["Release week"], first)
            shown = orders.assign(
                **{"Release week": _late(orders["Release week"], first)},
                **{"Due week": _weeks(orders["Due week"])},
            )
            self.orders_html.value = (
                "<h4>Orders to place, by week and supplier</h4>"
                + html_table(by, max_rows=20, formatters=_formats(by))
                + f"<h4>Planned orders ({fmt_int(len(orders))})</h4>"
                + html_table(shown, max_rows=40, formatters=_formats(shown))
            )
            csv, mime = mrp_downloads(res, ds, excel=False)["csv"]
            self.downloads.value = download_link(
                csv, "mrp_planned_orders.csv", "Download planned orders (CSV)", mime
            )
            self.excel_button.layout.display = None
        else:
            self.orders_html.value = (
                "<h4>Planned orders</h4><div class='wb-note'>No order is needed in the "
                "horizon: stock and open orders cover every requirement.</div>"
            )
            self.downloads.value = ""
            self.excel_button.layout.display = "none"
        self.excel_link.value = ""
        mro = mro_table(res, ds)
        n_mro = len(getattr(res, "mro_items", []))
        self.mro_html.value = (
            f"<h4>MRO supplies ({fmt_int(n_mro)}), planned by reorder point, not by MRP</h4>"
            + (
                f"<div>{fmt_int(len(mro))} at or below their reorder point:</div>"
                + html_table(mro, max_rows=20, formatters=_formats(mro))
                if len(mro)
                else "<div class='wb-note'>None at or below its reorder point.</div>"
            )
            if n_mro
            else ""
        )
        self._item_options(orders, actions)
        self._render_item()

    def _item_options(self, orders: pd.DataFrame, actions: pd.DataFrame) -> None:
        res = self.result
        names = _names(self.dataset)
        skus = [str(s) for s in pd.unique(res.records["sku"].astype(str))]
        busy = set(orders["SKU"]) | set(actions["SKU"])
        ordered = sorted(skus, key=lambda s: (s not in busy, s))  # items with orders first
        options = [(f"{s} · {names.get(s, '')}" if names.get(s, "") else s, s) for s in ordered]
        keep = self.item.value if self.item.value in set(skus) else None
        self._quiet = True  # one redraw below, not one per option change
        try:
            self.item.options = options
            self.item.value = keep if keep is not None else (ordered[0] if ordered else None)
        finally:
            self._quiet = False

    def _render_item(self) -> None:
        res, sku = self.result, self.item.value
        if res is None or sku is None:
            self.record_html.value = ""
            self.item_note.value = (
                "<div class='wb-note'>No item to show: MRP planned no item.</div>"
                if res is not None
                else ""
            )
            with self.fig.batch_update():
                for trace in self.fig.data:
                    trace.x, trace.y = [], []
                self.fig.layout.title = "Pick an item to see its weeks"
            return
        table = record_table(res, sku)
        unit = str(sku_units(self.dataset.items).get(sku, "units"))
        facts = [html.escape(str(_names(self.dataset).get(sku, "")))]
        if sku in res.summary.index:
            row = res.summary.loc[sku]
            kind = "made in house" if row.get("kind") == "production" else "bought"
            lead = int(row["lead_time_periods"])
            facts.append(
                f"{kind}, lead time {fmt_int(lead)} week{'s' if lead != 1 else ''}"
                + (" (released in the week it is due)" if lead == 0 else "")
            )
            rule = row.get("lot_sizing")
            if not _is_blank(rule):
                whose = (
                    "its own rule from the items table"
                    if row.get("lot_sizing_source") == "item"
                    else "the rule picked above"
                )
                label = METHOD_LABELS.get(str(rule), str(rule)).split(":")[0]
                facts.append(f"lot sizing: {html.escape(label)} ({whose})")
            facts.append(f"on hand {_qty(row['on_hand'])} {html.escape(unit)}")
            if row.get("safety_stock", 0) > 0:
                facts.append(f"safety stock {_qty(row['safety_stock'])}")
        self.item_note.value = (
            f"<div class='wb-note'>{html.escape(sku)}: {' · '.join(facts)}. Quantities in "
            f"{html.escape(unit)}; each column is a week, named by its Monday.</div>"
        )
        self.record_html.value = (
            "<div style='overflow-x:auto'>"
            + html_table(
                table.rename_axis("Week starting"),
                index=True,
                max_rows=10,
                formatters={c: _qty for c in table.columns},
            )
            + "</div>"
        )
        rec = res.records[res.records["sku"].astype(str) == sku].sort_values("period")
        x = [pd.Timestamp(p).to_pydatetime() for p in rec["period"]]
        with self.fig.batch_update():
            for trace, col in zip(self.fig.data, _CHART_COLUMNS, strict=True):
                trace.x = x
                trace.y = rec[col].to_numpy(float)
            self.fig.layout.title = f"{sku}: requirements, receipts and stock by week"
            self.fig.layout.yaxis.title = unit
