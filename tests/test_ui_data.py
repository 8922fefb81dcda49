"""The Data panel headless: uploads, the readable error table, the plan downloads."""

from __future__ import annotations

import datetime
import html
import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.ui import DataPanel
from workbench.ui._common import (
    decode_data_uri,
    error_table_html,
    fmt_money,
    fmt_number,
    fmt_pct,
    html_table,
    problems_frame,
    uploaded_files,
)
from workbench.ui.data_panel import plan_downloads


@pytest.fixture(scope="module")
def small():
    """A small coherent business (80 SKUs, one year) from the sample generator."""
    return wb.sample_dataset(n_skus=80, years=1, seed=5)


@pytest.fixture(scope="module")
def shipped():
    return wb.load_dataset("sample_data")


@pytest.fixture(scope="module")
def small_files(small, tmp_path_factory):
    """The small business as uploaded CSV files (name -> bytes)."""
    folder = small.to_folder(tmp_path_factory.mktemp("small"), format="csv")
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def broken_files(small_files) -> dict[str, bytes]:
    """items.csv and demand.csv with 'abc' as the quantity of demand.csv's line 3."""
    demand = small_files["demand.csv"].decode().splitlines()
    header = demand[0].split(",")
    q = header.index("quantity")
    cells = demand[2].split(",")
    cells[q] = "abc"
    demand[2] = ",".join(cells)
    return {
        "items.csv": small_files["items.csv"],
        "demand.csv": ("\n".join(demand) + "\n").encode(),
    }


def upload_value(files: dict[str, bytes]) -> tuple[dict, ...]:
    """What ipywidgets 8's FileUpload holds after the browser sent these files."""
    return tuple(
        {
            "name": name,
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
        }
        for name, content in files.items()
    )


def text_of(markup: str) -> str:
    """The visible text of some HTML, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def href_of(html: str, css: str) -> str:
    m = re.search(rf'<a class="[^"]*{css}[^"]*" download="[^"]+" href="([^"]+)"', html)
    assert m, f"no {css} link in {html[:200]!r}"
    return m.group(1)


# --------------------------------------------------------------------------- uploads


def test_broken_csv_shows_the_error_table_and_keeps_the_data(shipped, small_files):
    panel = DataPanel(shipped)
    before = panel.dataset
    assert panel.load_files(broken_files(small_files)) is False
    assert panel.dataset is before
    assert isinstance(panel.error, wb.DataError)
    text = text_of(panel.message.value)
    assert "could not be loaded" in text and "data in use has not changed" in text
    # one table row naming file, row as seen in the file (header is line 1), column, value
    assert re.search(r"demand\.csv 3 quantity 'abc' \S", text), text
    assert "Traceback" not in panel.message.value
    for col in ("file", "row", "column", "value", "expected"):
        assert f"<th>{col}</th>" in panel.message.value


def test_upload_widget_value_goes_through_the_same_handler(shipped, small_files):
    panel = DataPanel(shipped)
    panel.upload.value = upload_value(broken_files(small_files))
    assert isinstance(panel.error, wb.DataError)
    assert "demand.csv" in panel.message.value
    assert panel.upload.value == ()  # cleared so the same file can be sent again


def test_valid_upload_replaces_the_dataset(shipped, small, small_files):
    panel = DataPanel(shipped)
    seen = []
    panel.observe(lambda ch: seen.append(ch.new), names="dataset")
    panel.upload.value = upload_value(small_files)
    assert panel.error is None
    assert len(seen) == 1 and panel.dataset is seen[0]
    assert panel.dataset is not shipped
    assert panel.dataset.equals(small)  # what was written is what was loaded
    assert f"{len(small.items)} SKUs" in text_of(panel.summary.value)
    assert "wb-ok" in panel.message.value


@pytest.mark.parametrize("kind", ["zip", "xlsx"])
def test_zip_and_excel_uploads_load(shipped, small, small_files, tmp_path, kind):
    if kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for name, content in small_files.items():
                zf.writestr(name, content)
        files = {"business.zip": buf.getvalue()}
    else:
        files = {"business.xlsx": small.to_excel(tmp_path / "b.xlsx").read_bytes()}
    panel = DataPanel(shipped)
    assert panel.load_files(files), panel.message.value
    assert len(panel.dataset.items) == len(small.items)


def test_not_a_table_is_reported_not_raised(shipped):
    panel = DataPanel(shipped)
    assert panel.load_files({"items.csv": b"\x00\x01\x02 not a table", "demand.csv": b""}) is False
    assert "items.csv" in panel.message.value or "demand.csv" in panel.message.value
    assert panel.dataset is shipped


def test_sample_button_loads_the_sample(small, shipped):
    panel = DataPanel(small, sample=lambda: shipped)
    panel.sample_button.click()
    assert panel.dataset is shipped
    assert "sample business" in panel.message.value


def test_summary_lists_tables_period_and_exclusions(shipped):
    panel = DataPanel(shipped)
    text = text_of(panel.summary.value)
    start, end = shipped.demand_period
    assert f"{start:%Y-%m-%d}" in text and f"{end:%Y-%m-%d}" in text
    for name, table in shipped.tables.items():
        assert f"{name} {len(table):,}" in text
    assert "excluded" in text


def test_missing_optional_tables_are_explained(small):
    items_demand = wb.Dataset.from_tables({"items": small.items, "demand": small.demand})
    panel = DataPanel(items_demand)
    caps = text_of(panel.capabilities.value)
    assert "not available, needs the lots table" in caps
    assert "where there is none: not available, needs the bom table" in caps
    assert "Replenishment: today's order list and draft purchase orders: not available" in caps
    assert "Supplier scorecards" in caps
    assert "cancel messages: not available, needs the bom and production_orders tables" in caps
    assert caps.count("not available") == 8
    full = text_of(DataPanel(small).capabilities.value)
    assert "not available" not in full


# --------------------------------------------------------------------------- downloads


def test_plan_csv_link_decodes_to_the_plan(small):
    plan = wb.plan(small)
    panel = DataPanel(small, plan=plan)
    data = decode_data_uri(href_of(panel.downloads.value, "wb-plan-csv"))
    back = pd.read_csv(io.BytesIO(data))
    assert len(back) == len(plan) == len(small.items)
    assert back.columns[0] == "sku"
    assert list(back["sku"]) == list(plan.index)
    np.testing.assert_allclose(back["reorder_point"], plan["reorder_point"], rtol=1e-12)
    assert 'download="plan.csv"' in panel.downloads.value


def test_plan_excel_is_made_on_request(small):
    plan = wb.plan(small)
    panel = DataPanel(small, plan=plan)
    assert panel.excel.value == "" and not panel.excel_button.disabled
    panel.excel_button.click()
    data = decode_data_uri(href_of(panel.excel.value, "wb-plan-xlsx"))
    back = pd.read_excel(io.BytesIO(data), sheet_name="plan")
    assert back.shape == (len(plan), len(plan.columns) + 1)
    np.testing.assert_allclose(back["order_quantity"], plan["order_quantity"], rtol=1e-12)
    panel.set_plan(plan.head(3))  # a new plan invalidates the old file
    assert panel.excel.value == ""


def test_no_plan_says_so(small):
    panel = DataPanel(small, plan=None)
    assert "No plan yet" in panel.downloads.value
    assert panel.excel_button.disabled


# --------------------------------------------------------------------------- safe downloads

EVIL_NAMES = [
    '=HYPERLINK("http://x","a")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "bell\x07 vt\x0b",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def evil_plan(small):
    """A plan whose SKUs and names a spreadsheet would run as formulas (issue 16)."""
    plan = wb.plan(small).head(len(EVIL_NAMES)).copy()
    plan["name"] = EVIL_NAMES
    plan.index = pd.Index(["=cmd|' /C calc'!A0", *plan.index[1:]], name=plan.index.name)
    return plan


def _no_formula_cells(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        return all(b"<f>" not in zf.read(n) for n in sheets)


def test_plan_csv_download_writes_no_live_formula(small, evil_plan):
    """Before: the plan CSV passed =..., +..., -..., @... and tab cells through as is."""
    import csv

    panel = DataPanel(small, plan=evil_plan)
    data = decode_data_uri(href_of(panel.downloads.value, "wb-plan-csv"))
    for row in csv.reader(io.StringIO(data.decode("utf-8"))):
        for cell in row:
            try:
                float(cell)  # a number, negative ones included, is not escaped
            except ValueError:
                assert not cell.startswith(TRIGGERS), cell
    assert data == plan_downloads(evil_plan)["csv"][0]
    from workbench.data._safe_export import unguard_series

    back = pd.read_csv(io.BytesIO(data))
    assert unguard_series(back["name"].astype(str)).tolist() == EVIL_NAMES
    assert back["sku"].iloc[0] == "'=cmd|' /C calc'!A0"
    np.testing.assert_allclose(back["reorder_point"], evil_plan["reorder_point"], rtol=1e-12)


def test_plan_excel_download_writes_text_not_formulas(small, evil_plan):
    """Before: plan.xlsx held =HYPERLINK(...) as a live formula, and the BEL/VT name made
    the button raise IllegalCharacterError: it stayed disabled and nothing was shown."""
    import python_calamine

    panel = DataPanel(small, plan=evil_plan)
    panel.excel_button.click()
    assert not panel.excel_button.disabled
    assert "wb-error" not in panel.excel.value
    data = decode_data_uri(href_of(panel.excel.value, "wb-plan-xlsx"))
    assert _no_formula_cells(data)
    assert _no_formula_cells(plan_downloads(evil_plan)["xlsx"][0])
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name("plan").to_python()
    names = [r[rows[0].index("name")] for r in rows[1:]]
    assert names == EVIL_NAMES  # exact text, control characters included
    assert rows[1][0] == "=cmd|' /C calc'!A0"


def test_error_in_the_excel_button_is_shown_and_the_button_enabled(small, monkeypatch):
    """Before: ipywidgets logged an exception raised in a click handler and the user saw
    nothing, with the button left disabled."""
    import workbench.ui.data_panel as data_panel

    def boom(frames):
        raise RuntimeError("disk full")

    panel = DataPanel(small, plan=wb.plan(small))
    monkeypatch.setattr(data_panel, "frame_to_excel_bytes", boom)
    panel.excel_button.click()
    assert not panel.excel_button.disabled
    shown = html.unescape(panel.excel.value)
    assert "The Excel file could not be made" in shown and "RuntimeError: disk full" in shown


def test_on_click_shows_any_error_and_restores_the_button():
    import ipywidgets as widgets

    from workbench.ui._common import on_click

    button, message = widgets.Button(), widgets.HTML()
    seen = []

    def handler():
        seen.append(button.disabled)  # disabled while it runs
        raise wb.DataError([wb.data.Problem("items.csv", None, 3, "sku", "x", "a SKU")])

    on_click(button, handler, message, title="Nope")
    button.click()
    assert seen == [True] and not button.disabled
    assert "Nope" in message.value and "items.csv" in message.value  # a DataError as a table
    message.value = ""
    on_click(widgets.Button(), lambda: None, message, title="fine")
    assert message.value == ""


# --------------------------------------------------------------------------- helpers


def test_problems_frame_and_error_table_from_any_exception():
    frame = problems_frame(ValueError("boom"))
    assert list(frame.columns[:6]) == ["file", "sheet", "row", "column", "value", "expected"]
    assert frame.loc[0, "expected"] == "boom"
    out = error_table_html(ValueError("<b>boom</b>"), title="T")
    assert "&lt;b&gt;boom&lt;/b&gt;" in out and "1 problem found" in out


def test_error_table_drops_empty_sheet_column_keeps_row_integers():
    err = wb.DataError(
        [
            wb.Problem("demand.csv", None, 14, "quantity", "abc", "a number ≥ 0"),
            wb.Problem("items.csv", None, None, "sku", None, "a column named sku"),
        ]
    )
    out = error_table_html(err)
    assert "<th>sheet</th>" not in out
    assert "<td>14</td>" in out and "14.0" not in out
    assert "2 problems found" in out


def test_uploaded_files_accepts_widget_value_and_dicts():
    value = upload_value({"a.csv": b"x"})
    assert uploaded_files(value) == {"a.csv": b"x"}
    assert uploaded_files({"b.csv": bytearray(b"y")}) == {"b.csv": b"y"}
    assert uploaded_files(()) == {}


@pytest.mark.parametrize(
    ("fn", "x", "expected"),
    [
        (fmt_number, 1234.5678, "1,235"),
        (fmt_number, np.nan, "–"),
        (fmt_number, np.inf, "∞"),
        (fmt_money, 1234.6, "$1,235"),
        (fmt_money, -5, "-$5"),
        (fmt_pct, 0.953, "95.3 %"),
        (fmt_pct, None, "–"),
    ],
)
def test_formatters(fn, x, expected):
    assert fn(x) == expected


def test_html_table_escapes_and_truncates():
    df = pd.DataFrame({"a": range(5), "b": ["<script>"] * 5})
    out = html_table(df, max_rows=2)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert out.count("<tr>") == 3 and "3 more rows" in out


# --------------------------------------------------------------------------- filled in, not planned


def rough_files(*, lead_times: bool = True) -> dict[str, bytes]:
    """A shop's own export: five items with units, no cost-rate or order-cost column,
    blank lead-time sds, and (with ``lead_times``) two items without a lead time; without
    it, no lead-time column at all. Demand for 60 days."""
    lt = ["5", "", "3", "", "4"] if lead_times else None
    header = "sku,name,inventory_type,unit,unit_cost" + (",lead_time_days" if lt else "")
    header += ",lead_time_sd_days"
    rows = [
        ("M1", "Whole milk", "finished_good", "litres", "1.10"),
        ("F1", "Flour", "raw_material", "kg", "0.80"),
        ("J1", "Jar", "raw_material", "each", "0.30"),
        ("O1", "Olive oil", "finished_good", "litres", "6.50"),
        ("S1", "Sugar", "raw_material", "", "0.95"),
    ]
    lines = [header]
    for i, r in enumerate(rows):
        lines.append(",".join(r) + (f",{lt[i]}" if lt else "") + ("," if i else ",1"))
    demand = ["date,sku,quantity"]
    for day in pd.date_range("2026-01-01", periods=60):
        for k, r in enumerate(rows):
            demand.append(f"{day:%Y-%m-%d},{r[0]},{(day.day * (k + 2)) % 9 + 1}")
    return {
        "items.csv": ("\n".join(lines) + "\n").encode(),
        "demand.csv": ("\n".join(demand) + "\n").encode(),
    }


def test_data_tab_lists_the_values_filled_in_in_words(shipped):
    panel = DataPanel(shipped)
    assert panel.load_files(rough_files()), panel.message.value
    text = text_of(panel.defaults.value)
    assert "Values filled in" in text
    assert "holding_cost_rate: 25 % a year for all 5 items (no column in items.csv)" in text
    assert "order_cost: $50 per order for all 5 items (no column in items.csv)" in text
    assert "lead_time_sd_days: 0 days for 4 of 5 items" in text
    assert "unit: each for 1 of 5 items" in text
    # data that gives every column: nothing to list
    full = DataPanel(wb.sample_dataset(n_skus=80, years=1, seed=5))
    assert "No values were filled in" in text_of(full.defaults.value)


def test_data_tab_lists_the_items_that_cannot_be_planned():
    ds = wb.load_uploaded(rough_files())
    panel = DataPanel(ds, plan=wb.plan(ds))
    text = text_of(panel.unplanned.value)
    assert "2 of 5 items cannot be planned: 2 items have no lead time" in text, text
    assert "F1 Flour no lead time" in text and "O1 Olive oil no lead time" in text
    assert "M1" not in text
    panel.set_plan(wb.plan(wb.sample_dataset(n_skus=80, years=1, seed=5)))
    assert panel.unplanned.value == ""  # every item planned: nothing to say


# --------------------------------------------------------------------------- reading options

AMBIGUOUS_ITEMS = (
    b"sku,name,inventory_type,unit_cost,lead_time_days\n"
    b"A,Jam,finished_good,2.5,7\nB,Tea,finished_good,1.0,14\n"
)


def _ambiguous_demand() -> bytes:
    """Day/month/year dates where every day and month is <= 12: either order reads."""
    rows = ["date,sku,quantity"]
    for month in (1, 2, 3):
        for day in (3, 4, 5, 6):
            rows.append(f"{day:02d}/{month:02d}/2026,A,{day + month}")
            rows.append(f"{day:02d}/{month:02d}/2026,B,1")
    return ("\n".join(rows) + "\n").encode()


def test_date_order_choice_rereads_the_upload(shipped):
    panel = DataPanel(shipped)
    files = {"items.csv": AMBIGUOUS_ITEMS, "demand.csv": _ambiguous_demand()}
    assert not panel.load_files(files)
    assert panel.dataset is shipped  # the data in use did not change
    assert "dayfirst" in text_of(panel.message.value)
    panel.date_order.value = True  # Day first: the tab reads the same upload again
    assert panel.error is None, text_of(panel.message.value)
    dates = panel.dataset.demand["date"]
    assert dates.min() == pd.Timestamp("2026-01-03") and dates.max() == pd.Timestamp("2026-03-06")
    panel.date_order.value = False  # Month first: 03/01 is March 1
    assert panel.dataset.demand["date"].min() == pd.Timestamp("2026-03-01")


def test_decimal_choice_rereads_the_upload(shipped):
    demand = "date\tsku\tquantity\n2026-01-05\tA\t1.234\n2026-01-06\tA\t2.500\n"
    items = b"sku\tinventory_type\tunit_cost\nA\tfinished_good\t2\nB\tfinished_good\t3\n"
    files = {"items.csv": items, "demand.csv": demand.encode()}  # the choice is for both
    panel = DataPanel(shipped)
    assert not panel.load_files(files)
    assert "decimal" in text_of(panel.message.value)
    panel.decimal.value = ","
    assert panel.error is None, text_of(panel.message.value)
    assert sorted(panel.dataset.demand["quantity"]) == [1234.0, 2500.0]
    panel.decimal.value = "."
    assert sorted(panel.dataset.demand["quantity"]) == [1.234, 2.5]


def test_demand_bucket_is_shown_and_changeable(small):
    panel = DataPanel(small)
    assert panel.bucket.value == "D"
    assert "daily buckets" in text_of(panel.summary.value)
    panel.bucket.value = "M"  # daily data summed into months
    assert panel.error is None, text_of(panel.message.value)
    monthly = panel.dataset
    assert monthly.demand_frequency == "M"
    assert (monthly.demand["date"].dt.day == 1).all()
    assert monthly.demand["quantity"].sum() == pytest.approx(small.demand["quantity"].sum())
    assert "monthly buckets" in text_of(panel.summary.value)
    # months cannot be read as weeks (the 1st of each month falls on different weekdays)
    panel.bucket.value = "W"
    assert panel.error is not None and panel.dataset is monthly
    assert panel.bucket.value == "M"  # the control shows the bucket really in use
    assert "cannot be read per week" in text_of(panel.message.value)


def test_loader_notes_are_shown(shipped):
    items = b"sku,name,inventory_type,unit_cost,colour\nA,Jam,finished_good,2.5,red\n"
    demand = b"date,sku,qty,units_sold\n2026-01-05,A,3,9\n2026-01-06,A,1,9\n"
    panel = DataPanel(shipped)
    assert panel.load_files({"items.csv": items, "demand.csv": demand}), panel.message.value
    text = text_of(panel.summary.value)
    assert "Notes from reading the files" in text
    assert "colour" in text and "units_sold" in text
