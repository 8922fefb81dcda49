"""The Replenishment and Suppliers tabs: what to order today, and how reliable suppliers are.

:class:`ReplenishmentPanel` shows :func:`workbench.replenishment`'s order list, items that
need attention first, filtered by supplier and ABC class, a page at a time. Each order
quantity can be changed; the totals and the draft purchase orders per supplier follow,
and they download as CSV and Excel (written through :mod:`workbench.data._safe_export`,
so a SKU or name never runs as a spreadsheet formula).

:class:`SuppliersPanel` shows :func:`workbench.supplier_performance`'s scorecard and, for
the supplier picked, the spread of the lead times it actually achieved (received -
ordered, the purchase-order lines received in the last 365 days) against the lead time it
quoted.

Neither panel imports numba: the first page of the dashboard stays free of it.
"""

from __future__ import annotations

import html
import math
import re

import ipywidgets as widgets
import numpy as np
import pandas as pd
import traitlets

import workbench as wb

from ._common import (
    Panel,
    current_theme,
    download_link,
    figure_widget,
    fmt_int,
    fmt_money,
    fmt_number,
    fmt_pct,
    frame_to_csv_bytes,
    frame_to_excel_bytes,
    html_table,
    on_click,
    plotly_template,
    sku_units,
)

__all__ = [
    "EXCEPTION_LABELS",
    "NO_SUPPLIER",
    "PAGE_SIZE",
    "ReplenishmentPanel",
    "SuppliersPanel",
    "lead_time_lines",
]

#: Rows of the order list per page.
PAGE_SIZE = 20

#: The draft-order key of lines whose item names no supplier (made in-house, or not said).
NO_SUPPLIER = "(none)"

#: What each exception of :func:`workbench.replenishment` means, in a manager's words.
EXCEPTION_LABELS = {
    "out_of_stock": "Out of stock",
    "overdue_po": "Order overdue",
    "below_safety_stock": "Below safety stock",
    "over_stocked": "Over-stocked",
    "dead_stock_ordered": "No sales, still ordered",
}

_EXCEPTION_HELP = {
    "out_of_stock": "nothing on hand while it sells",
    "overdue_po": "an open purchase order is past its promised date",
    "below_safety_stock": "less on hand than the safety stock",
    "over_stocked": "on hand plus on order above twice the order-up-to level",
    "dead_stock_ordered": "no sale in 180 days, yet on order or suggested",
}

_ROUNDED = {
    "need": "",
    "moq": "min. order",
    "pack": "whole packs",
    "price_break": "price break",
}

_VIEWS = (
    ("Needs attention or to order", "act"),
    ("To order today", "order"),
    ("Needs attention", "attention"),
    ("All items", "all"),
)

#: Widths of the order list's columns (CSS grid), the quantity box and the value.
_GRID = "140px 110px 36px 130px 80px 86px 82px 70px 70px 112px"
_CSS = f"""
<style>
.wb-rp-row {{ display: grid; grid-template-columns: {_GRID}; column-gap: 6px;
  align-items: center; font-size: 13px; line-height: 1.3; padding: 2px 4px; min-height: 30px;
  border-bottom: 1px solid rgba(127,127,127,0.3); }}
.wb-rp-head {{ font-weight: 600; background: rgba(127,127,127,0.15); }}
.wb-rp-row .num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.wb-rp-row small {{ display: block; opacity: 0.75; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }}
.wb-rp-row .sku {{ white-space: nowrap; }}
.wb-rp-flag {{ border-left: 4px solid #c0392b; padding-left: 4px; }}
.wb-rp-qty {{ width: 100px; }}
.wb-rp-qty .widget-label {{ width: 0; min-width: 0; margin: 0; padding: 0;
  overflow: hidden; }}
.wb-rp-value {{ width: 100px; text-align: right; font-variant-numeric: tabular-nums;
  font-size: 13px; }}
.wb-rp-edited input {{ font-weight: 700; }}
.wb-rp-value small {{ display: block; font-size: 11px; line-height: 1.2; opacity: 0.8;
  text-align: right; }}
</style>
"""


def _date(x) -> str:
    return "–" if x is None or pd.isna(x) else f"{pd.Timestamp(x):%a %d %b %Y}"


def _days(x) -> str:
    if x is None or pd.isna(x):
        return "–"
    if math.isinf(float(x)):
        return "no demand"
    if float(x) <= 0:
        return "now"
    d = float(x)
    return f"{d:,.0f} day{'s' if round(d) != 1 else ''}" if d >= 1 else "under a day"


def _qty(x, unit: str) -> str:
    if x is None or pd.isna(x):
        return "–"
    digits = 0 if float(x).is_integer() or abs(float(x)) >= 100 else 1
    if unit == "units" and float(x) == 1:
        unit = "unit"
    return f"{fmt_number(x, digits)} {html.escape(unit)}"


def _supplier_label(sid, name) -> str:
    if sid == NO_SUPPLIER or sid is None or (isinstance(sid, float) and math.isnan(sid)):
        return "No supplier (made in-house or not named)"
    name = "" if name is None or pd.isna(name) else str(name)
    return f"{name} ({sid})" if name and name != str(sid) else str(sid)


def _sheet_names(keys: list[str]) -> list[str]:
    """Excel sheet names for supplier ids: the characters Excel refuses replaced, cut to
    31 characters, made unique."""
    out, seen = [], set()
    for key in keys:
        base = re.sub(r"[\[\]:*?/\\']", "_", str(key)).strip() or "supplier"
        base = base[:28]
        name, k = base, 2
        while name.lower() in seen or name.lower() == "summary":
            name = f"{base[:25]}~{k}"
            k += 1
        seen.add(name.lower())
        out.append(name)
    return out


class ReplenishmentPanel(Panel):
    """Today's order list, with editable quantities, and the draft purchase orders.

    Parameters
    ----------
    dataset : workbench.Dataset
        With ``lots`` (stock on hand); ``purchase_orders`` (open orders) and
        ``suppliers`` (names, minimum order values) when present.
    plan : pandas.DataFrame, optional
        The dashboard's plan (``wb.plan``); default ``wb.plan(dataset)``.

    Attributes
    ----------
    result : traitlet
        The :class:`workbench.Replenishment` shown, or None when it cannot be made.
    edits : traitlet
        SKU -> the order quantity typed in [units] (replacing the suggested one).
    """

    result = traitlets.Any(allow_none=True)
    edits = traitlets.Dict()

    def __init__(self, dataset, *, plan: pd.DataFrame | None = None, **kwargs):
        self.dataset = dataset
        self.plan = plan
        self.page = 0
        self.intro = widgets.HTML(
            _CSS + '<div class="wb-intro"><b>What to order today.</b> One line per item '
            "that needs attention or reaches its reorder point: items out of stock, with an "
            "overdue order, below safety stock, over-stocked or still ordered without "
            "sales come first, then the items to order, the most urgent first. The "
            "suggested quantity brings stock on hand plus on order up to the plan's "
            "order-up-to level, raised to the minimum order and rounded up to whole packs. "
            "Change any quantity: the totals and the draft purchase orders follow.</div>"
        )
        self.summary = widgets.HTML()
        self.summary.add_class("wb-rp-summary")
        self.view = widgets.Dropdown(
            options=_VIEWS,
            value="act",
            description="Show",
            style={"description_width": "60px"},
            layout=widgets.Layout(width="330px"),
        )
        self.supplier = widgets.Dropdown(
            options=[("All suppliers", "")],
            value="",
            description="Supplier",
            style={"description_width": "70px"},
            layout=widgets.Layout(width="380px"),
        )
        self.abc = widgets.Dropdown(
            options=[("All classes", ""), ("A", "A"), ("B", "B"), ("C", "C")],
            value="",
            description="ABC class",
            style={"description_width": "75px"},
            layout=widgets.Layout(width="210px"),
        )
        for w in (self.view, self.supplier, self.abc):
            w.observe(self._on_filter, names="value")
        self.head_cells = widgets.HTML()
        self.head = widgets.HBox(
            [
                self.head_cells,
                widgets.HTML(
                    "<div class='wb-rp-row wb-rp-head' style='display:block'>Order quantity</div>",
                    layout=widgets.Layout(width="100px"),
                ),
                widgets.HTML(
                    "<div class='wb-rp-row wb-rp-head' style='display:block;text-align:right'>"
                    "Value</div>",
                    layout=widgets.Layout(width="100px"),
                ),
            ]
        )
        self.rows: list[tuple[widgets.HTML, widgets.BoundedFloatText, widgets.HTML]] = []
        self.row_boxes: list[widgets.HBox] = []
        self._row_sku: list[str | None] = [None] * PAGE_SIZE
        self._quiet = False
        for i in range(PAGE_SIZE):
            cells = widgets.HTML()
            qty = widgets.BoundedFloatText(
                value=0.0,
                min=0.0,
                max=1e12,
                step=1.0,
                description="Order quantity",
                style={"description_width": "0px"},
                layout=widgets.Layout(width="100px"),
            )
            qty.add_class("wb-rp-qty")
            value = widgets.HTML()
            value.add_class("wb-rp-value")
            qty.observe(lambda c, i=i: self._on_qty(i, c), names="value")
            box = widgets.HBox([cells, qty, value], layout=widgets.Layout(display="none"))
            box.add_class("wb-rp-line")
            self.rows.append((cells, qty, value))
            self.row_boxes.append(box)
        self.empty = widgets.HTML()
        self.empty.add_class("wb-rp-empty")
        self.prev_button = widgets.Button(
            description="Previous", icon="arrow-left", tooltip="Previous page of the list"
        )
        self.next_button = widgets.Button(
            description="Next", icon="arrow-right", tooltip="Next page of the list"
        )
        self.prev_button.on_click(lambda _b: self._turn(-1))
        self.next_button.on_click(lambda _b: self._turn(+1))
        self.page_label = widgets.HTML()
        self.reset_button = widgets.Button(
            description="Undo my changes",
            icon="undo",
            tooltip="Put every quantity back to the suggested one",
        )
        self.reset_button.on_click(lambda _b: self.reset_edits())
        self.totals = widgets.HTML()
        self.totals.add_class("wb-rp-totals")
        self.drafts = widgets.HTML()
        self.drafts.add_class("wb-rp-drafts")
        self.downloads = widgets.HTML()
        self.downloads.add_class("wb-rp-downloads")
        self.excel_button = widgets.Button(
            description="Make the Excel file",
            icon="file-excel-o",
            tooltip="The draft purchase orders as an Excel workbook, one sheet per supplier",
        )
        self.excel_button.add_class("wb-rp-excel-button")
        self.excel = widgets.HTML()
        self.excel.add_class("wb-rp-excel")
        on_click(
            self.excel_button, self.make_excel, self.excel, title="The Excel file could not be made"
        )
        self.legend = widgets.HTML(
            '<div class="wb-note wb-rp-legend"><b>Needs attention</b> (marked with a bar '
            "and named in words): "
            + "; ".join(f"<i>{EXCEPTION_LABELS[k]}</i>: {v}" for k, v in _EXCEPTION_HELP.items())
            + ". <b>Order by</b>: the day stock on hand plus on order reaches the reorder "
            "point at the forecast demand. <b>Sells out in</b>: days until the shelf is "
            "empty, counting open orders on their promised dates.</div>"
        )
        super().__init__(
            children=[
                self.intro,
                self.summary,
                widgets.HBox([self.view, self.supplier, self.abc]),
                self.totals,
                self.head,
                *self.row_boxes,
                self.empty,
                widgets.HBox([self.prev_button, self.page_label, self.next_button]),
                self.legend,
                widgets.HTML("<h4 style='margin:10px 0 4px 0'>Draft purchase orders</h4>"),
                self.drafts,
                widgets.HBox(
                    [self.downloads, self.excel_button, self.excel, self.reset_button],
                    layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
                ),
            ],
            **kwargs,
        )
        self.add_class("wb-replenishment")
        self.run()

    # -- dashboard hooks
    def set_dataset(self, dataset) -> None:
        self.dataset = dataset
        self.plan = None
        self.run()

    def set_plan(self, plan) -> None:
        self.plan = plan
        self.run()

    # -- computing
    def run(self) -> None:
        """Make the order list from the dataset and plan, forget the edits, redraw."""
        self.edits = {}
        self.page = 0
        try:
            self.result = wb.replenishment(self.dataset, plan=self.plan)
        except Exception as exc:  # shown, never swallowed
            self.result = None
            self.summary.value = (
                '<div class="wb-error"><h4>The order list could not be made</h4>'
                f"<div>{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</div></div>"
            )
            self._hide_rows()
            self.totals.value = self.drafts.value = self.downloads.value = ""
            self.empty.value = ""
            return
        lines = self.result.lines
        self._units = sku_units(self.dataset.items)
        self._sup_names = self._supplier_names()
        sup = lines["supplier_id"].astype(object).where(lines["supplier_id"].notna(), NO_SUPPLIER)
        self._sup = sup.astype(str)
        keys = sorted(set(self._sup), key=lambda k: (k == NO_SUPPLIER, k))
        options = [("All suppliers", "")] + [
            (_supplier_label(k, self._sup_names.get(k)), k) for k in keys
        ]
        self._quiet = True
        try:
            old = self.supplier.value
            self.supplier.options = options
            self.supplier.value = old if old in dict((v, 0) for _, v in options) else ""
        finally:
            self._quiet = False
        self._render_summary()
        self._render()

    def _supplier_names(self) -> dict[str, str]:
        sup = self.dataset.suppliers
        if sup is None or "name" not in sup.columns:
            return {}
        return dict(
            zip(sup["supplier_id"].astype(str), sup["name"].astype(object).fillna(""), strict=True)
        )

    def quantities(self) -> pd.Series:
        """The order quantity of every SKU [units]: the typed one where edited, else the
        suggested one."""
        q = self.result.lines["suggested_qty"].astype(float).copy()
        if self.edits:
            e = pd.Series(self.edits, dtype=float)
            q.loc[e.index] = e.to_numpy()
        return q

    def order_lines(self) -> pd.DataFrame:
        """The lines of the draft purchase orders (quantity > 0, edits applied), by supplier
        then order-by date: what the downloads hold, in the downloads' columns."""
        r = self.result.lines
        q = self.quantities()
        buy = q > 0
        if self.supplier.value:
            buy &= (self._sup == self.supplier.value).to_numpy()
        rows = r.loc[buy]
        qty = q[buy]
        price = rows["unit_price"].astype(float)
        sup = self._sup[buy]
        out = pd.DataFrame(
            {
                "supplier_id": sup.to_numpy(),
                "supplier": [self._sup_names.get(s, "") for s in sup],
                "sku": rows.index.astype(str),
                "name": rows["name"].astype(object).fillna("").to_numpy(),
                "unit": self._units.reindex(rows.index.astype(str)).fillna("units").to_numpy(),
                "quantity": qty.to_numpy(),
                "suggested_quantity": rows["suggested_qty"].to_numpy(dtype=float),
                "unit_price": price.to_numpy(),
                "value": (qty * price.fillna(0.0)).to_numpy(),
                "order_by": pd.to_datetime(rows["order_by"]).dt.normalize().to_numpy(),
                "needs_attention": [EXCEPTION_LABELS.get(e, "") for e in rows["exception"]],
            }
        )
        none_last = (out["supplier_id"] == NO_SUPPLIER).to_numpy()
        order = np.lexsort((np.arange(len(out)), out["supplier_id"].to_numpy(), none_last))
        return out.iloc[order].reset_index(drop=True)

    def draft_orders(self) -> pd.DataFrame:
        """One row per supplier of :meth:`order_lines`: lines, units, value [$], the
        supplier's minimum order value [$] and how much the order is short of it [$]."""
        lines = self.order_lines()
        g = lines.groupby("supplier_id", sort=False)
        out = pd.DataFrame(
            {"lines": g.size(), "units": g["quantity"].sum(), "value": g["value"].sum()}
        )
        mov = pd.Series(np.nan, index=out.index)
        sup = self.dataset.suppliers
        if sup is not None and "min_order_value" in sup.columns:
            mov = pd.to_numeric(
                sup.set_index(sup["supplier_id"].astype(str))["min_order_value"], errors="coerce"
            ).reindex(out.index)
        out["min_order_value"] = mov.to_numpy(dtype=float)
        short = out["min_order_value"] - out["value"]
        out["short_of_min_order_value"] = np.where(short > 0, short, 0.0)
        out.index.name = "supplier_id"
        return out

    def shown_lines(self) -> pd.DataFrame:
        """The rows of the order list under the current view and filters (all pages)."""
        r = self.result.lines
        q = self.quantities()
        attention = (r["exception"] != "").to_numpy()
        order = (q > 0).to_numpy() | r.index.isin(list(self.edits))
        keep = np.array(
            {
                "act": attention | order,
                "order": order,
                "attention": attention,
                "all": np.ones(len(r), bool),
            }[self.view.value],
            dtype=bool,
        )
        if self.supplier.value:
            keep &= (self._sup == self.supplier.value).to_numpy()
        if self.abc.value:
            keep &= (r["abc"].astype(str) == self.abc.value).to_numpy()
        return r.loc[keep]

    # -- reacting
    def _on_filter(self, _change=None) -> None:
        if self._quiet or self.result is None:
            return
        self.page = 0
        self._render()

    def _turn(self, step: int) -> None:
        self.page += step
        self._render()

    def _on_qty(self, i: int, change) -> None:
        if self._quiet or self.result is None:
            return
        sku = self._row_sku[i]
        if sku is None:
            return
        self.set_quantity(sku, change.new)

    def set_quantity(self, sku: str, quantity: float) -> None:
        """Order ``quantity`` [units] of ``sku`` instead of the suggestion; the totals,
        the draft orders and the downloads follow."""
        q = float(quantity)
        if not (q >= 0 and math.isfinite(q)):
            raise ValueError(f"an order quantity is a number >= 0 [units]; got {quantity!r}")
        suggested = float(self.result.lines.loc[sku, "suggested_qty"])
        edits = dict(self.edits)
        if q == suggested:
            edits.pop(sku, None)
        else:
            edits[sku] = q
        self.edits = edits
        self._render_rows()
        self._render_totals()

    def reset_edits(self) -> None:
        """Put every quantity back to the suggested one."""
        self.edits = {}
        self._render()

    # -- drawing
    def _render_summary(self) -> None:
        res = self.result
        r = res.lines
        attention = int((r["exception"] != "").sum())
        counts = r["exception"].value_counts()
        parts = [
            f"{fmt_int(counts[k])} {EXCEPTION_LABELS[k].lower()}"
            for k in EXCEPTION_LABELS
            if counts.get(k, 0)
        ]
        scen = (self.plan.attrs.get("scenario") or {}).get("name") if self.plan is not None else ""
        scen = f" under the scenario <b>{html.escape(str(scen))}</b>" if scen else ""
        po = (
            ""
            if self.dataset.has("purchase_orders")
            else (" The data has no purchase orders: nothing counts as on order.")
        )
        self.summary.value = (
            f'<div class="wb-kpis">Order list for the end of <b>{_date(res.as_of)}</b> '
            f"(the last day of the demand history){scen}: <b>{fmt_int(r['order_now'].sum())}"
            f"</b> of {fmt_int(len(r))} items to order; <b>{fmt_int(attention)}</b> need "
            f"attention{' (' + ', '.join(parts) + ')' if parts else ''}.{po}</div>"
        )

    def _hide_rows(self) -> None:
        for box in self.row_boxes:
            box.layout.display = "none"
        self._row_sku = [None] * PAGE_SIZE
        self.head.layout.display = "none"
        self.page_label.value = ""
        self.prev_button.disabled = self.next_button.disabled = True

    def _render(self) -> None:
        self._render_rows()
        self._render_totals()

    def _render_rows(self) -> None:
        shown = self.shown_lines()
        n = len(shown)
        pages = max(1, math.ceil(n / PAGE_SIZE))
        self.page = min(max(self.page, 0), pages - 1)
        if n == 0:
            self._hide_rows()
            self.empty.value = f'<div class="wb-unavailable wb-note">{self._empty_text()}</div>'
            return
        self.empty.value = ""
        start = self.page * PAGE_SIZE
        page = shown.iloc[start : start + PAGE_SIZE]
        self.head_cells.value = (
            '<div class="wb-rp-row wb-rp-head" role="row">'
            "<span>Item</span><span>Supplier</span><span>Class</span>"
            "<span>Needs attention</span><span class='num'>On hand</span>"
            "<span class='num'>On hand + on order</span><span class='num'>Reorder point</span>"
            "<span>Order by</span><span>Sells out in</span><span class='num'>Suggested</span>"
            "</div>"
        )
        self.head.layout.display = ""
        q = self.quantities()
        self._quiet = True
        try:
            for k, (box, (cells, qty, value)) in enumerate(
                zip(self.row_boxes, self.rows, strict=True)
            ):
                if k >= len(page):
                    box.layout.display = "none"
                    self._row_sku[k] = None
                    continue
                sku = str(page.index[k])
                row = page.iloc[k]
                self._row_sku[k] = sku
                box.layout.display = ""
                cells.value = self._cells_html(sku, row)
                qty.value = float(q[sku])
                qty.description = f"Order quantity for {sku}"
                qty.tooltip = f"Order quantity for {sku} [{self._unit(sku)}]"
                if sku in self.edits:
                    qty.add_class("wb-rp-edited")
                else:
                    qty.remove_class("wb-rp-edited")
                value.value = self._value_html(sku, row, float(q[sku]))
        finally:
            self._quiet = False
        self.page_label.value = (
            f"<span class='wb-note' style='padding:0 8px'>Items {fmt_int(start + 1)}–"
            f"{fmt_int(start + len(page))} of {fmt_int(n)} (page {self.page + 1} of "
            f"{pages})</span>"
        )
        self.prev_button.disabled = self.page == 0
        self.next_button.disabled = self.page >= pages - 1

    def _empty_text(self) -> str:
        filters = []
        if self.supplier.value:
            filters.append("from " + html.escape(self._selected_label()))
        if self.abc.value:
            filters.append(f"in class {html.escape(self.abc.value)}")
        where = (" " + " and ".join(filters)) if filters else ""
        if self.view.value == "attention":
            return f"No item{where} needs attention today."
        if self.view.value == "all":
            return f"No item{where}."
        return (
            f"Nothing{where} to order today: stock on hand plus on order is above the "
            "reorder point for every item, and none needs attention."
            + (" Choose “All suppliers” and “All classes” to see the rest." if filters else "")
        )

    def _selected_label(self) -> str:
        sid = self.supplier.value
        return _supplier_label(sid, self._sup_names.get(sid))

    def _unit(self, sku: str) -> str:
        return str(self._units.get(sku, "units"))

    def _cells_html(self, sku: str, row: pd.Series) -> str:
        unit = self._unit(sku)
        exc = str(row["exception"])
        name = "" if pd.isna(row["name"]) else str(row["name"])
        sid = self._sup.get(sku, NO_SUPPLIER)
        sup = "none" if sid == NO_SUPPLIER else html.escape(self._sup_names.get(sid) or sid)
        abc = "" if pd.isna(row["abc"]) else html.escape(str(row["abc"]))
        flag = (
            f"<span class='wb-rp-flag'>{html.escape(EXCEPTION_LABELS[exc])}</span>"
            if exc
            else "<span class='wb-note'>–</span>"
        )
        rounded = _ROUNDED.get(str(row["rounded_by"]), "")
        sugg = _qty(row["suggested_qty"], unit) if row["suggested_qty"] > 0 else "none"
        need = (
            f"<small title='needed {fmt_number(row['need'], 0)}, rounded up to {rounded}'>"
            f"needs {fmt_number(row['need'], 0)}, {rounded}</small>"
            if rounded and row["suggested_qty"] > 0
            else ""
        )
        order_by = row["order_by"]
        if pd.isna(order_by):
            when = "–"
        elif pd.Timestamp(order_by) <= self.result.as_of:
            when = "<b>today</b>"
        else:
            when = f"{pd.Timestamp(order_by):%d %b %Y}"
        return (
            '<div class="wb-rp-row" role="row">'
            f"<span class='sku'>{html.escape(sku)}<small title='{html.escape(name)}'>"
            f"{html.escape(name)}</small></span>"
            f"<span><small title='{sup}'>{sup}</small></span>"
            f"<span>{abc}</span><span>{flag}</span>"
            f"<span class='num'>{_qty(row['on_hand'], unit)}</span>"
            f"<span class='num'>{_qty(row['inventory_position'], unit)}</span>"
            f"<span class='num'>{_qty(row['reorder_point'], unit)}</span>"
            f"<span>{when}</span><span>{_days(row['sells_out_in_days'])}</span>"
            f"<span class='num'>{sugg}{need}</span></div>"
        )

    def _value_html(self, sku: str, row: pd.Series, q: float) -> str:
        price = row["unit_price"]
        value = fmt_money(q * price, 2) if not pd.isna(price) else "no unit cost"
        notes = []
        if q > 0 and q < float(row["min_order_qty"]):
            notes.append(f"below the minimum order of {fmt_number(row['min_order_qty'])}")
        pack = float(row["pack_size"])
        if q > 0 and pack > 1 and not math.isclose(q / pack, round(q / pack), abs_tol=1e-9):
            notes.append(f"not whole packs of {fmt_number(pack)}")
        note = f"<small class='wb-rp-check'>{'; '.join(notes)}</small>" if notes else ""
        return f"<span title='Order value at unit cost'>{value}</span>{note}"

    def _render_totals(self) -> None:
        if self.result is None:
            return
        lines = self.order_lines()
        drafts = self.draft_orders()
        edited = len(self.edits)
        changed = (
            f" ({fmt_int(edited)} quantit{'ies' if edited != 1 else 'y'} changed by you)"
            if edited
            else ""
        )
        scope = (
            " from "
            + html.escape(
                _supplier_label(self.supplier.value, self._sup_names.get(self.supplier.value))
            )
            if self.supplier.value
            else ""
        )
        self.totals.value = (
            f'<div class="wb-kpis wb-rp-total">To order{scope}: <b>{fmt_int(len(lines))}</b> '
            f"lines, <b>{fmt_money(lines['value'].sum(), 2)}</b> at unit cost, on "
            f"{fmt_int(len(drafts))} purchase order{'s' if len(drafts) != 1 else ''}"
            f"{changed}.</div>"
        )
        if drafts.empty:
            self.drafts.value = (
                '<div class="wb-unavailable wb-note">No purchase order to draft: no item is '
                "to be ordered"
                + (" from this supplier" if self.supplier.value else "")
                + ". Type a quantity in the list to add one.</div>"
            )
            self.downloads.value = self.excel.value = ""
            self.excel_button.disabled = True
            return
        table = pd.DataFrame(
            {
                "Supplier": [_supplier_label(k, self._sup_names.get(k)) for k in drafts.index],
                "Lines": drafts["lines"].to_numpy(),
                "Order value": drafts["value"].to_numpy(),
                "Minimum order value": drafts["min_order_value"].to_numpy(),
                "Short of the minimum": drafts["short_of_min_order_value"].to_numpy(),
            }
        )
        money = lambda x: fmt_money(x, 2)  # noqa: E731
        short = lambda x: fmt_money(x, 2) if x > 0 else "–"  # noqa: E731
        self.drafts.value = html_table(
            table,
            max_rows=200,
            css_class="wb-table wb-rp-draft-table",
            formatters={
                "Order value": money,
                "Minimum order value": money,
                "Short of the minimum": short,
            },
        ) + (
            '<div class="wb-note">A blank minimum: the supplier has none in the data '
            "(suppliers.min_order_value).</div>"
            if drafts["min_order_value"].isna().any()
            else ""
        )
        self.downloads.value = self._downloads_html(lines, drafts)

    def _stem(self) -> str:
        sid = self.supplier.value
        stem = f"draft-po-{re.sub(r'[^A-Za-z0-9_-]+', '_', sid)}" if sid else "draft-pos"
        return f"{stem}-{self.result.as_of:%Y-%m-%d}"

    def _downloads_html(self, lines: pd.DataFrame, drafts: pd.DataFrame) -> str:
        """The CSV link (made at once); the Excel file is made on the button, so a long
        list does not write a workbook at every change of a quantity."""
        self.excel.value = ""  # an earlier workbook no longer matches the list
        self.excel_button.disabled = False
        what = "this supplier's draft order" if self.supplier.value else "the draft orders"
        return download_link(
            frame_to_csv_bytes(lines),
            f"{self._stem()}.csv",
            f"Download {what} (CSV, one row per line)",
            "text/csv",
            css_class="wb-rp-csv",
        )

    def make_excel(self) -> str:
        """Write the draft purchase orders shown (edits and supplier filter applied) as an
        .xlsx workbook and show its link; returns the link."""
        lines = self.order_lines()
        drafts = self.draft_orders()
        self.excel.value = download_link(
            self.excel_bytes(lines, drafts),
            f"{self._stem()}.xlsx",
            "Download the Excel file (a sheet per supplier)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            css_class="wb-rp-xlsx",
        )
        return self.excel.value

    def excel_bytes(self, lines: pd.DataFrame, drafts: pd.DataFrame) -> bytes:
        """The workbook: a Summary sheet (one row per supplier) and one sheet per
        supplier with its lines."""
        summary = drafts.reset_index()
        summary.insert(1, "supplier", [self._sup_names.get(k, "") for k in summary["supplier_id"]])
        frames = {"Summary": summary}
        keys = list(drafts.index)
        for key, sheet in zip(keys, _sheet_names(keys), strict=True):
            frames[sheet] = lines.loc[lines["supplier_id"] == key].reset_index(drop=True)
        return frame_to_excel_bytes(frames)


# --------------------------------------------------------------------------- suppliers


def lead_time_lines(dataset, *, as_of=None, window_days: int = 365) -> pd.DataFrame:
    """The received purchase-order lines behind the lead-time figures of
    :func:`workbench.supplier_performance`: columns ``supplier_id`` (the line's, blank:
    the item's main supplier) and ``lead_time_days`` (received - ordered) [days], for the
    lines ordered in the ``window_days`` days to ``as_of`` and received by then."""
    from ..replenish.supplier import _history_end

    po = dataset.purchase_orders
    if po is None or len(po) == 0:
        return pd.DataFrame({"supplier_id": pd.Series(dtype=object), "lead_time_days": []})
    end = pd.Timestamp(as_of) if as_of is not None else _history_end(dataset)
    ordered = pd.to_datetime(po["order_date"])
    received = pd.to_datetime(po["received_date"])
    keep = np.array(
        (ordered > end - pd.Timedelta(days=window_days))
        & (ordered <= end)
        & received.notna()
        & (received <= end),
        dtype=bool,
    )
    sup = po["supplier_id"].astype(object) if "supplier_id" in po.columns else None
    main = dataset.items.set_index(dataset.items["sku"].astype(str))
    if "supplier_id" in main.columns:
        fallback = po["sku"].astype(str).map(main["supplier_id"].astype(object))
        sup = fallback if sup is None else sup.where(sup.notna(), fallback)
    if sup is None:
        sup = pd.Series(None, index=po.index, dtype=object)
    keep &= sup.notna().to_numpy()
    days = (received - ordered).dt.total_seconds().to_numpy() / 86400.0
    return pd.DataFrame(
        {"supplier_id": sup.to_numpy()[keep].astype(str), "lead_time_days": days[keep]}
    )


def _theme_colors() -> dict[str, str]:
    """Trace colours with a contrast of at least 3:1 against the theme's background."""
    dark = current_theme() == "dark"  # plotly_template() is workbench_dark then
    return {
        "actual": "#5dade2" if dark else "#1f77b4",
        "quoted": "#ff9f43" if dark else "#c0392b",
        "mean": "#e0e0e0" if dark else "#333333",
    }


class SuppliersPanel(Panel):
    """The supplier scorecard, and each supplier's lead times against its quote.

    Parameters
    ----------
    dataset : workbench.Dataset
        With ``purchase_orders``; ``suppliers`` for names and quoted lead times.

    Attributes
    ----------
    performance : traitlet
        The :class:`workbench.SupplierPerformance` shown, or None.
    """

    performance = traitlets.Any(allow_none=True)

    def __init__(self, dataset, **kwargs):
        import plotly.graph_objects as go

        self.dataset = dataset
        self.intro = widgets.HTML(
            "<style>.wb-sp-table td.num { white-space: nowrap; } .wb-sp-table { font-size: "
            "12px; } .wb-sp-table th { vertical-align: bottom; }</style>"
            '<div class="wb-intro"><b>How reliable each supplier is</b>, measured from the '
            "purchase orders of the last 365 days: how long deliveries really took "
            "(received minus ordered) against the lead time quoted, the share delivered by "
            "the promised date, and the orders still open or overdue. A supplier without a "
            "delivery in that year shows “no deliveries”, never 0 % or 100 %.</div>"
        )
        self.summary = widgets.HTML()
        self.scorecard = widgets.HTML()
        self.scorecard.add_class("wb-sp-scorecard")
        self.pick = widgets.Dropdown(
            description="Lead times of",
            style={"description_width": "100px"},
            layout=widgets.Layout(width="460px"),
        )
        self.pick.observe(lambda _c: self._render_chart(), names="value")
        self.chart_note = widgets.HTML()
        self.chart_note.add_class("wb-sp-chart-note")
        c = _theme_colors()
        self.fig = figure_widget(
            data=[
                go.Histogram(
                    x=[],
                    name="actual lead times",
                    marker_color=c["actual"],
                    xbins=dict(size=1),
                    hovertemplate="%{x} days: %{y} deliveries<extra></extra>",
                ),
                go.Scatter(
                    x=[],
                    y=[],
                    mode="lines",
                    name="quoted lead time",
                    line=dict(color=c["quoted"], dash="dash", width=3),
                ),
                go.Scatter(
                    x=[],
                    y=[],
                    mode="lines",
                    name="actual mean",
                    line=dict(color=c["mean"], width=2),
                ),
            ],
            layout=go.Layout(
                template=plotly_template(),
                height=340,
                autosize=True,
                margin=dict(l=60, r=20, t=50, b=50),
                xaxis=dict(title="Lead time, order to receipt (days)", rangemode="tozero"),
                yaxis=dict(title="Deliveries (PO lines)", rangemode="tozero"),
                legend=dict(orientation="h", y=1.12),
                bargap=0.05,
                meta="supplier-lead-times",
            ),
        )
        self.fig_box = widgets.VBox([self.fig])
        super().__init__(
            children=[
                self.intro,
                self.summary,
                self.scorecard,
                self.pick,
                self.chart_note,
                self.fig_box,
            ],
            **kwargs,
        )
        self.add_class("wb-suppliers")
        self.set_dataset(dataset)

    def set_dataset(self, dataset) -> None:
        self.dataset = dataset
        try:
            self.performance = wb.supplier_performance(dataset)
        except Exception as exc:  # shown, never swallowed
            self.performance = None
            self.summary.value = (
                '<div class="wb-error"><h4>The scorecard could not be made</h4>'
                f"<div>{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</div></div>"
            )
            self.scorecard.value = ""
            return
        self._lines = lead_time_lines(dataset, as_of=self.performance.as_of)
        self._render_scorecard()
        sp = self.performance.by_supplier
        options = [(_supplier_label(k, sp.loc[k, "name"]), str(k)) for k in sp.index]
        measured = [v for (_, v) in options if sp.loc[v, "history"] != "no history"]
        old = self.pick.value
        self.pick.options = options
        if old in dict((v, 0) for _, v in options):
            self.pick.value = old
        elif measured:
            self.pick.value = measured[0]
        self._render_chart()

    def scorecard_table(self) -> pd.DataFrame:
        """The scorecard as shown: one row per supplier, labelled columns (numbers, not
        yet formatted)."""
        sp = self.performance.by_supplier
        none = sp["history"] == "no history"
        history = np.where(
            none,
            "no deliveries",
            np.where(sp["history"] == "few receipts", "few deliveries", "measured"),
        )
        return pd.DataFrame(
            {
                "Supplier": [_supplier_label(k, sp.loc[k, "name"]) for k in sp.index],
                "Orders": sp["orders"].to_numpy(),
                "Deliveries": sp["received_lines"].to_numpy(),
                "Lead time quoted": sp["quoted_lead_time"].to_numpy(),
                "Actual (mean)": sp["lead_time_mean"].to_numpy(),
                "Spread (sd)": sp["lead_time_sd"].to_numpy(),
                "9 in 10 within": sp["lead_time_p90"].to_numpy(),
                "Slower (+) / faster (−)": sp["lead_time_bias"].to_numpy(),
                "On time (by units)": sp["on_time_rate_qty"].to_numpy(),
                "On time in full (by line)": sp["otif_rate"].to_numpy(),
                "Average days late": sp["avg_days_late"].to_numpy(),
                "Open lines": sp["open_lines"].to_numpy(),
                "Open value": sp["open_value"].to_numpy(),
                "Overdue lines": sp["overdue_lines"].to_numpy(),
                "Overdue value": sp["overdue_value"].to_numpy(),
                "History": history,
            }
        )

    def _render_scorecard(self) -> None:
        perf = self.performance
        sp = perf.by_supplier
        measured = int((sp["history"] != "no history").sum())
        overdue = sp["overdue_lines"].sum()
        self.summary.value = (
            f'<div class="wb-kpis">{fmt_int(len(sp))} suppliers, {fmt_int(measured)} with '
            f"deliveries in the 365 days to {_date(perf.as_of)}; {fmt_int(overdue)} open "
            f"order line{'s' if overdue != 1 else ''} overdue, worth "
            f"{fmt_money(sp['overdue_value'].sum())}.</div>"
        )

        def days(x):
            return f"{x:,.1f} days"

        def signed(x):
            if abs(x) < 0.05:  # not "-0.0 days"
                return "0.0 days"
            return f"{x:+,.1f} days".replace("-", "−")

        table = self.scorecard_table()
        self.scorecard.value = html_table(
            table,
            max_rows=500,
            css_class="wb-table wb-sp-table",
            formatters={
                "Lead time quoted": days,
                "Actual (mean)": days,
                "Spread (sd)": days,
                "9 in 10 within": days,
                "Slower (+) / faster (−)": signed,
                "On time (by units)": fmt_pct,
                "On time in full (by line)": fmt_pct,
                "Average days late": days,
                "Open value": fmt_money,
                "Overdue value": fmt_money,
            },
        ) + (
            '<div class="wb-note">A blank: not measurable (no delivery in the year, or no '
            "late line). Average days late: over the lines that came late. “9 in 10 "
            "within”: 90 % of deliveries arrived within this many "
            "days of the order. On time: received on or before the promised date.</div>"
        )

    def _render_chart(self) -> None:
        if self.performance is None:
            return
        key = self.pick.value
        sp = self.performance.by_supplier
        if key is None or key not in sp.index:
            self.chart_note.value = ""
            return
        x = self._lines.loc[self._lines["supplier_id"] == key, "lead_time_days"].to_numpy()
        quoted = sp.loc[key, "quoted_lead_time"]
        label = html.escape(_supplier_label(key, sp.loc[key, "name"]))
        with self.fig.batch_update():
            self.fig.data[0].x = x
            if len(x):
                top = float(np.bincount(np.round(x).astype(int)).max()) * 1.05
                mean = float(np.mean(x))
                self.fig.data[2].x, self.fig.data[2].y = [mean, mean], [0, top]
                if not pd.isna(quoted):
                    self.fig.data[1].x, self.fig.data[1].y = [quoted, quoted], [0, top]
                else:
                    self.fig.data[1].x, self.fig.data[1].y = [], []
            else:
                for t in self.fig.data[1:]:
                    t.x, t.y = [], []
            self.fig.layout.title = f"Lead times of {_supplier_label(key, sp.loc[key, 'name'])}"
        if len(x) == 0:
            self.chart_note.value = (
                f'<div class="wb-unavailable">{label} has no delivery received in the 365 '
                "days measured, so there is no lead time to chart. Its quoted lead time is "
                f"{'not given' if pd.isna(quoted) else days_text(quoted)}.</div>"
            )
            self.fig_box.layout.display = "none"
            return
        self.fig_box.layout.display = ""
        bias = sp.loc[key, "lead_time_bias"]
        compare = (
            ""
            if pd.isna(bias)
            else f" On average {days_text(abs(bias))} "
            f"{'slower' if bias > 0 else 'faster'} than quoted."
            if abs(bias) >= 0.05
            else " On average as quoted."
        )
        self.chart_note.value = (
            f'<div class="wb-note">{label}: {fmt_int(len(x))} deliveries; bars: how many '
            f"took each number of days; solid line: their mean, {days_text(np.mean(x))}; "
            "dashed line: the lead time quoted, "
            f"{'not given' if pd.isna(quoted) else days_text(quoted)}.{compare}</div>"
        )


def days_text(x) -> str:
    """A number of days in words: ``days_text(1) == '1 day'``, ``'12.5 days'``."""
    x = float(x)
    return "1 day" if x == 1 else f"{x:,.1f} days".replace(".0 days", " days")
