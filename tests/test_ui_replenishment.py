"""The Replenishment and Suppliers tabs headless: what is shown, editing a quantity, the
downloads (formula-safe, and they load back), the empty states and greying out."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.ui import Dashboard
from workbench.ui._common import decode_data_uri
from workbench.ui.replenishment_panel import (
    EXCEPTION_LABELS,
    NO_SUPPLIER,
    PAGE_SIZE,
    ReplenishmentPanel,
    SuppliersPanel,
    lead_time_lines,
)


@pytest.fixture(scope="module")
def small():
    return wb.sample_dataset(n_skus=80, years=1, seed=5)


@pytest.fixture(scope="module")
def plan(small):
    return wb.plan(small)


@pytest.fixture
def panel(small, plan):
    return ReplenishmentPanel(small, plan=plan)


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def link(markup: str, css: str) -> tuple[str, bytes]:
    m = re.search(rf'class="wb-download {css}" download="([^"]+)" href="([^"]+)"', markup)
    assert m, markup[:300]
    return m.group(1), decode_data_uri(m.group(2))


# --------------------------------------------------------------------------- the order list


def test_order_list_is_the_package_result_attention_first(small, plan, panel):
    res = wb.replenishment(small, plan=plan)
    pd.testing.assert_frame_equal(panel.result.lines, res.lines)
    shown = panel.shown_lines()
    attention = shown["exception"] != ""
    # items needing attention first, then those to order; nothing else in the default view
    assert attention.any() and not attention.iloc[attention.sum() :].any()
    assert (shown["order_now"] | attention).all()
    expected = int(((res.lines["exception"] != "") | (res.lines["suggested_qty"] > 0)).sum())
    assert len(shown) == expected
    # the first row on the page is the first line of the list, its attention in words
    sku = str(shown.index[0])
    cells = panel.rows[0][0].value
    assert sku in cells and EXCEPTION_LABELS[shown["exception"].iloc[0]] in cells
    assert panel.rows[0][1].value == shown["suggested_qty"].iloc[0]
    assert panel.rows[0][1].description == f"Order quantity for {sku}"  # read by screen readers
    assert f"of {len(shown):,} (page 1 of" in panel.page_label.value
    summary = text_of(panel.summary.value)
    assert f"{int(res.lines['order_now'].sum()):,} of {len(res.lines):,} items to order" in summary


def test_rows_show_units_dates_and_money(small, panel):
    shown = panel.shown_lines()
    unit = wb.ui._common.sku_units(small.items)
    for k in range(min(PAGE_SIZE, len(shown))):
        sku = str(shown.index[k])
        row = shown.iloc[k]
        cells = text_of(panel.rows[k][0].value)
        for x in (row["on_hand"], row["reorder_point"]):
            u = "unit" if unit[sku] == "units" and x == 1 else unit[sku]
            digits = 0 if float(x).is_integer() or abs(x) >= 100 else 1
            assert f"{x:,.{digits}f} {u}" in cells
        if pd.Timestamp(row["order_by"]) <= panel.result.as_of:
            assert "today" in cells
        value = text_of(panel.rows[k][2].value)
        assert value == f"${row['suggested_qty'] * row['unit_price']:,.2f}"


def test_filters_by_supplier_and_class(panel):
    r = panel.result.lines
    sup = panel.supplier.options[1][1]
    panel.supplier.value = sup
    shown = panel.shown_lines()
    assert len(shown) and (shown["supplier_id"].astype(str) == sup).all()
    assert all(sup == v for v in panel.order_lines()["supplier_id"])
    panel.supplier.value = ""
    panel.abc.value = "A"
    shown = panel.shown_lines()
    assert (shown["abc"] == "A").all()
    assert len(shown) == int(
        (((r["exception"] != "") | (r["suggested_qty"] > 0)) & (r["abc"] == "A")).sum()
    )
    panel.view.value = "attention"
    assert (panel.shown_lines()["exception"] != "").all()


def test_editing_a_quantity_updates_the_totals_and_drafts(panel):
    lines = panel.order_lines()
    before = lines["value"].sum()
    row = lines.iloc[0]
    sku, sup = row["sku"], row["supplier_id"]
    drafts = panel.draft_orders()
    # type 10 more units into the row's box, as a user would
    shown = panel.shown_lines()
    k = list(shown.index.astype(str)).index(sku) if sku in shown.index else None
    if k is not None and k < PAGE_SIZE:
        panel.rows[k][1].value = row["quantity"] + 10
    else:
        panel.set_quantity(sku, row["quantity"] + 10)
    assert panel.edits == {sku: row["quantity"] + 10}
    after = panel.order_lines()
    assert_allclose(after["value"].sum(), before + 10 * row["unit_price"])
    assert_allclose(
        panel.draft_orders().loc[sup, "value"], drafts.loc[sup, "value"] + 10 * row["unit_price"]
    )
    assert f"${before + 10 * row['unit_price']:,.2f}" in panel.totals.value
    assert "1 quantity changed by you" in panel.totals.value
    # an edit to 0 drops the line from the draft; undo brings everything back
    panel.set_quantity(sku, 0)
    assert sku not in set(panel.order_lines()["sku"])
    panel.reset_edits()
    assert panel.edits == {}
    assert_allclose(panel.order_lines()["value"].sum(), before)


def test_a_quantity_off_the_pack_or_below_the_moq_is_pointed_out(small, plan):
    p = ReplenishmentPanel(small, plan=plan)
    shown = p.shown_lines()
    k = next(
        i
        for i in range(min(PAGE_SIZE, len(shown)))
        if shown["pack_size"].iloc[i] > 1 and shown["min_order_qty"].iloc[i] > 1
    )
    row = shown.iloc[k]
    p.rows[k][1].value = float(row["pack_size"]) - 1  # below a pack and the MOQ
    note = text_of(p.rows[k][2].value)
    assert f"not whole packs of {row['pack_size']:,.0f}" in note
    assert f"below the minimum order of {row['min_order_qty']:,.0f}" in note


def test_a_negative_quantity_is_refused(panel):
    sku = str(panel.shown_lines().index[0])
    with pytest.raises(ValueError, match="number >= 0"):
        panel.set_quantity(sku, -1)
    assert panel.rows[0][1].min == 0  # the box itself does not go below 0


# --------------------------------------------------------------------------- downloads


def test_csv_download_is_the_draft_lines_and_loads_back(panel):
    panel.set_quantity(str(panel.order_lines()["sku"].iloc[0]), 7)
    name, data = link(panel.downloads.value, "wb-rp-csv")
    assert name.startswith("draft-pos-") and name.endswith(".csv")
    back = pd.read_csv(io.BytesIO(data), keep_default_na=False)
    lines = panel.order_lines()
    assert back["sku"].tolist() == lines["sku"].tolist()
    assert_allclose(back["quantity"], lines["quantity"])
    assert_allclose(back["value"], lines["value"])
    assert back["quantity"].iloc[0] == 7


def test_excel_download_has_a_sheet_per_supplier(panel):
    panel.excel_button.click()
    name, data = link(panel.excel.value, "wb-rp-xlsx")
    assert name.endswith(".xlsx")
    sheets = pd.read_excel(io.BytesIO(data), engine="calamine", sheet_name=None)
    drafts = panel.draft_orders()
    summary = sheets.pop("Summary")
    assert summary["supplier_id"].astype(str).tolist() == [str(k) for k in drafts.index]
    assert_allclose(summary["value"], drafts["value"])
    assert len(sheets) == len(drafts)
    assert sum(len(s) for s in sheets.values()) == len(panel.order_lines())
    # a changed quantity takes the old workbook away (it no longer matches)
    panel.set_quantity(str(panel.order_lines()["sku"].iloc[0]), 3)
    assert panel.excel.value == "" and not panel.excel_button.disabled


def test_downloads_are_formula_safe_and_round_trip(small):
    """A SKU, a name and a supplier name that a spreadsheet would run as formulas are
    written as text and read back unchanged."""
    evil_sku, evil_name, evil_sup = "=1+1", '=HYPERLINK("http://x","a")', "@SUM(A1)"
    items = small.items.copy()
    first = items.index[items["supplier_id"].notna()][0]
    old_sku = items.loc[first, "sku"]
    items.loc[first, "name"] = evil_name
    items["sku"] = items["sku"].astype(object)
    items.loc[first, "sku"] = evil_sku
    tables = dict(small.tables)
    tables["items"] = items
    for t in ("demand", "lots", "purchase_orders"):
        frame = tables[t].copy()
        frame["sku"] = frame["sku"].astype(object).where(frame["sku"] != old_sku, evil_sku)
        tables[t] = frame
    for t in ("bom", "counts", "schedule"):
        tables.pop(t, None)
    sup = tables["suppliers"].copy()
    sid = items.loc[first, "supplier_id"]
    sup["name"] = sup["name"].astype(object).where(sup["supplier_id"] != sid, evil_sup)
    tables["suppliers"] = sup
    ds = wb.Dataset.from_tables(tables)
    p = ReplenishmentPanel(ds)
    p.set_quantity(evil_sku, 5)
    p.supplier.value = str(sid)
    lines = p.order_lines()
    assert evil_sku in set(lines["sku"])
    _, csv = link(p.downloads.value, "wb-rp-csv")
    text = csv.decode("utf-8")
    assert ",'=1+1," in text and "'=HYPERLINK" in text and "'@SUM(A1)" in text
    back = wb.data._safe_export.unguard_series(
        pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False)["sku"]
    )
    assert back.tolist() == lines["sku"].tolist()
    p.excel_button.click()
    _, xlsx = link(p.excel.value, "wb-rp-xlsx")
    sheets = pd.read_excel(io.BytesIO(xlsx), engine="calamine", sheet_name=None, dtype=str)
    sheet = next(v for k, v in sheets.items() if k != "Summary")
    assert evil_sku in set(sheet["sku"]) and evil_name in set(sheet["name"])
    assert evil_sup in set(sheets["Summary"]["supplier"])
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def test_min_order_value_shortfall_is_shown(small, plan):
    sup = small.suppliers.copy()
    sup["min_order_value"] = 1e7  # no draft reaches it
    ds = wb.Dataset.from_tables({**small.tables, "suppliers": sup})
    p = ReplenishmentPanel(ds, plan=plan)
    drafts = p.draft_orders()
    named = drafts.index != NO_SUPPLIER
    assert_allclose(drafts.loc[named, "short_of_min_order_value"], 1e7 - drafts.loc[named, "value"])
    assert "Short of the minimum" in p.drafts.value
    k = drafts.index[named][0]
    assert f"${1e7 - drafts.loc[k, 'value']:,.2f}" in p.drafts.value


# --------------------------------------------------------------------------- empty states


def test_nothing_to_order_is_said_in_words(small, plan):
    calm = plan.copy()
    calm["reorder_point"] = -1.0
    calm["order_up_to"] = 0.0
    calm["safety_stock"] = 0.0
    calm["daily_mean"] = 0.0
    p = ReplenishmentPanel(small, plan=calm)
    p.view.value = "order"
    assert all(b.layout.display == "none" for b in p.row_boxes)
    assert "Nothing to order today" in p.empty.value
    assert "No purchase order to draft" in p.drafts.value and p.downloads.value == ""
    assert p.excel_button.disabled


def test_dashboard_has_both_tabs_with_their_purpose(small):
    d = Dashboard(small)
    assert "Replenishment" in d.tab.titles and "Suppliers" in d.tab.titles
    assert isinstance(d.panels["Replenishment"], ReplenishmentPanel)
    assert isinstance(d.panels["Suppliers"], SuppliersPanel)
    guide = text_of(d.data_panel.orientation.value)  # the first screen's orientation
    assert "What each tab is for" in guide
    assert "Replenishment : what to order today" in guide
    assert "Suppliers : how reliable each supplier is" in guide
    # the panel follows the dashboard's plan (one source for the scenario)
    assert d.panels["Replenishment"].plan is d.plan


def test_tabs_grey_out_without_their_tables(small):
    bare = wb.Dataset.from_tables({"items": small.items, "demand": small.demand})
    d = Dashboard(bare)
    i = d.tab.titles.index("Replenishment (n/a)")
    assert "needs the lots table" in d.tab.children[i].value
    j = d.tab.titles.index("Suppliers (n/a)")
    assert "needs the purchase_orders table" in d.tab.children[j].value


# --------------------------------------------------------------------------- suppliers


def test_scorecard_is_the_package_result_formatted(small):
    p = SuppliersPanel(small)
    sp = wb.supplier_performance(small).by_supplier
    pd.testing.assert_frame_equal(p.performance.by_supplier, sp)
    k = sp.index[sp["history"] == "measured"][0]
    row = sp.loc[k]
    table = p.scorecard.value
    assert f"{row['lead_time_mean']:,.1f} days" in table
    assert f"{100 * row['on_time_rate_qty']:.1f} %" in table
    assert "Slower (+) / faster (−)" in table


def test_a_supplier_without_deliveries_says_so(small):
    sup = pd.concat(
        [small.suppliers, pd.DataFrame({"supplier_id": ["S999"], "name": ["New Vendor"]})],
        ignore_index=True,
    )
    ds = wb.Dataset.from_tables({**small.tables, "suppliers": sup})
    p = SuppliersPanel(ds)
    table = p.scorecard_table()
    row = table.loc[table["Supplier"] == "New Vendor (S999)"].iloc[0]
    assert row["History"] == "no deliveries" and np.isnan(row["On time (by units)"])
    html_row = re.search(r"<tr><td>New Vendor \(S999\)</td>.*?</tr>", p.scorecard.value)
    assert "no deliveries" in html_row.group(0) and "0.0 %" not in html_row.group(0)
    p.pick.value = "S999"
    assert "has no delivery received" in p.chart_note.value
    assert p.fig_box.layout.display == "none"


def test_lead_time_chart_is_the_suppliers_received_lines(small):
    p = SuppliersPanel(small)
    sp = p.performance.by_supplier
    k = sp.index[sp["history"] == "measured"][0]
    p.pick.value = str(k)
    x = np.asarray(p.fig.data[0].x, dtype=float)
    assert len(x) == int(sp.loc[k, "received_lines"])
    assert_allclose(x.mean(), sp.loc[k, "lead_time_mean"])
    assert_allclose(p.fig.data[1].x, [sp.loc[k, "quoted_lead_time"]] * 2)
    assert p.fig.data[1].name == "quoted lead time" and p.fig.data[2].name == "actual mean"
    assert "deliveries" in p.chart_note.value and "dashed line" in p.chart_note.value
    lines = lead_time_lines(small)
    assert len(lines) == int(sp["received_lines"].sum())


def test_chart_colours_read_in_both_themes(small, monkeypatch):
    from workbench.ui.replenishment_panel import _theme_colors

    def lum(hexcolor: str) -> float:
        rgb = [int(hexcolor[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    def contrast(a: str, b: str) -> float:
        hi, lo = sorted((lum(a), lum(b)), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    for theme, background in (("light", "#ffffff"), ("dark", "#111111")):
        monkeypatch.setenv("WORKBENCH_THEME", theme)
        for name, colour in _theme_colors().items():
            assert contrast(colour, background) > 3, (theme, name, colour)
