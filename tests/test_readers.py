"""Real-world files: workbooks with title rows, formulas, merged cells; odd encodings.

Each test builds the kind of file a shop exports (with openpyxl, as a program that does
not compute formulas would) and checks the problem names the file, sheet, row and cell,
or that the file loads with the user's row numbers intact.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from workbench.data import DataError, Problem, load_dataset, load_uploaded

ITEMS = [
    ["sku", "name", "inventory_type", "unit_cost"],
    ["A", "Crème brûlée", "finished_good", 2.5],
    ["B", "Sugar", "raw_material", 1.2],
    ["C", "Lid", "raw_material", 0.1],
]
DEMAND = [
    ["date", "sku", "quantity"],
    ["2026-01-01", "A", 3],
    ["2026-01-01", "B", 10],
    ["2026-01-02", "A", 1],
    ["2026-01-03", "C", 2],
]


def _csv(rows: list[list], sep: str = ",") -> str:
    return "".join(sep.join(str(v) for v in r) + "\n" for r in rows)


def _workbook(sheets: dict[str, list[list]], path=None) -> bytes:
    """An .xlsx written by openpyxl (no cached formula values), one sheet per entry."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    if path is not None:
        path.write_bytes(buf.getvalue())
    return buf.getvalue()


def _problems(files: dict[str, bytes]) -> list[Problem]:
    with pytest.raises(DataError) as info:
        load_uploaded(files)
    return info.value.problems


# --------------------------------------------------------------------- one table, one source


def test_two_sheets_for_one_table_is_a_problem_naming_both():
    """'sales' is an alias of demand: before, the last sheet silently won."""
    book = _workbook({"items": ITEMS, "demand": DEMAND, "sales": DEMAND[:2]})
    problems = _problems({"shop.xlsx": book})
    assert len(problems) == 1, problems
    p = problems[0]
    assert (p.file, p.sheet, p.row) == ("shop.xlsx", "sales", None)
    assert "one source for table 'demand'" in p.expected
    assert "shop.xlsx [demand]" in p.expected


def test_file_and_sheet_for_one_table_in_a_zip():
    """A zip with items.csv and a workbook holding an items sheet."""
    book = _workbook({"items": ITEMS, "demand": DEMAND})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("items.csv", _csv(ITEMS))
        zf.writestr("shop.xlsx", book)
    problems = _problems({"shop.zip": buf.getvalue()})
    assert len(problems) == 1, problems
    p = problems[0]
    assert (p.file, p.sheet) == ("shop.xlsx", "items")
    assert "but items.csv is also that table" in p.expected


# --------------------------------------------------------------------- Excel cells


def test_formula_without_saved_value_names_sheet_and_cell():
    """openpyxl saves formulas without results: before, the cell became the default."""
    items = [[*ITEMS[0], "order_cost"]] + [[*r, 40] for r in ITEMS[1:]]
    items[2][4] = "=E2*2"  # row 3, column E
    book = _workbook({"items": items, "demand": DEMAND})
    problems = _problems({"shop.xlsx": book})
    assert len(problems) == 1, problems
    p = problems[0]
    assert (p.file, p.sheet, p.row, p.column) == ("shop.xlsx", "items", 3, "order_cost")
    assert "cell E3 is a formula with no saved value" in p.expected
    assert "open the file in Excel and save it, or paste values" in p.expected


def test_formula_with_saved_value_is_read(tmp_path):
    """A formula Excel computed carries its value: calamine reads it."""
    book = _workbook({"items": ITEMS, "demand": DEMAND})
    with zipfile.ZipFile(io.BytesIO(book)) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    demand_xml = next(n for n in parts if n.endswith("sheet2.xml"))
    xml = parts[demand_xml].decode()
    start = xml.index('<c r="C2"')
    end = xml.index("</c>", start) + 4
    parts[demand_xml] = (xml[:start] + '<c r="C2"><f>1+2</f><v>3</v></c>' + xml[end:]).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for n, data in parts.items():
            zout.writestr(n, data)
    ds = load_uploaded({"shop.xlsx": out.getvalue()})
    assert ds.demand["quantity"].tolist()[:1] == [3.0]


def test_merged_cells_in_a_data_column():
    """Only the top-left cell of a merge holds the value; the others read as blank."""
    path = io.BytesIO(_workbook({"items": ITEMS, "demand": DEMAND}))
    wb = openpyxl.load_workbook(path)
    wb["demand"].merge_cells("B4:B5")  # sku of rows 4 and 5
    buf = io.BytesIO()
    wb.save(buf)
    problems = _problems({"shop.xlsx": buf.getvalue()})
    merged = [p for p in problems if "merged" in p.expected]
    assert len(merged) == 1, problems
    p = merged[0]
    assert (p.file, p.sheet, p.row, p.column) == ("shop.xlsx", "demand", 4, "sku")
    assert "B4:B5 are merged cells" in p.expected and "unmerge them" in p.expected


def test_merged_title_above_the_header_is_fine(tmp_path):
    title = [["Demand report", None, None], ["as of 2026-01-05"], []]
    path = tmp_path / "shop.xlsx"
    _workbook({"items": ITEMS, "demand": title + DEMAND}, path)
    wb = openpyxl.load_workbook(path)
    wb["demand"].merge_cells("A1:C1")
    wb.save(path)
    ds = load_dataset(path)
    assert len(ds.demand) == 4


def test_title_rows_above_the_excel_header_are_skipped(tmp_path):
    """A report title, a date line and a blank row: the header is on row 4."""
    title = [["Item master"], ["Exported 2026-01-05 08:00"], []]
    items = [r[:] for r in ITEMS]
    items[3][3] = -1  # row 3 of the table, row 7 of the sheet
    path = tmp_path / "shop.xlsx"
    _workbook({"items": title + items, "demand": DEMAND}, path)
    with pytest.raises(DataError) as info:
        load_dataset(path)
    p = info.value.problems[0]
    assert (p.file, p.sheet, p.row, p.column, p.value) == ("shop.xlsx", "items", 7, "unit_cost", -1)
    items[3][3] = 0.1
    _workbook({"items": title + items, "demand": DEMAND}, path)
    ds = load_dataset(path)
    assert ds.items["sku"].tolist() == ["A", "B", "C"]
    assert "shop.xlsx [items]: started at row 4 (the header); rows 1-3 above it skipped" in (
        ds.notes
    )


def test_header_not_found_says_how_many_rows_to_delete(tmp_path):
    """The header lacks a required column: the first row is read, with a hint."""
    title = [["Item master"], ["Exported 2026-01-05"]]
    items = [["sku", "name", "inventory_type", "cost price"]] + [r[:] for r in ITEMS[1:]]
    problems = _problems({"shop.xlsx": _workbook({"items": title + items, "demand": DEMAND})})
    hint = [p for p in problems if "rows above the header" in p.expected]
    assert len(hint) == 1, problems
    assert (hint[0].sheet, hint[0].row) == ("items", 3)
    assert "lacks 'unit_cost'" in hint[0].expected
    assert "delete the 2 rows above the header" in hint[0].expected


def test_title_lines_above_the_csv_header_keep_row_numbers():
    text = "Demand export\nStore 12;2026-01-05\n\n" + _csv(DEMAND).replace(
        "2026-01-02,A,1", "2026-01-02,A,x"
    )
    problems = _problems({"items.csv": _csv(ITEMS).encode(), "demand.csv": text.encode()})
    assert len(problems) == 1, problems
    p = problems[0]
    assert (p.file, p.row, p.column, p.value) == ("demand.csv", 7, "quantity", "x")
    ok = text.replace("2026-01-02,A,x", "2026-01-02,A,1").encode()
    ds = load_uploaded({"items.csv": _csv(ITEMS).encode(), "demand.csv": ok})
    assert len(ds.demand) == 4
    assert "demand.csv: started at row 4 (the header); rows 1-3 above it skipped" in ds.notes


def test_excel_dates_numbers_and_text_keep_their_types(tmp_path):
    """Date cells arrive as dates, numbers as numbers, SKUs with zeros as text."""
    import datetime as dt

    items = [ITEMS[0], ["007", "Bond", "finished_good", 7.0]]
    demand = [DEMAND[0], [dt.date(2026, 1, 1), "007", 2], [dt.datetime(2026, 1, 2, 0, 0), "007", 4]]
    path = tmp_path / "shop.xlsx"
    _workbook({"items": items, "demand": demand}, path)
    ds = load_dataset(path)
    assert ds.items["sku"].tolist() == ["007"]
    assert ds.demand["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-01", "2026-01-02"]
    assert ds.demand["quantity"].tolist() == [2.0, 4.0]


# --------------------------------------------------------------------- encodings


def test_utf8_with_one_stray_byte_is_read_as_utf8_and_the_row_reported():
    """Before, one Windows byte made the whole file cp1252: 'CrÃ¨me'."""
    data = _csv(ITEMS).encode("utf-8").replace(b"Sugar", b"Sugar \x96 white")
    problems = _problems({"items.csv": data, "demand.csv": _csv(DEMAND).encode()})
    assert len(problems) == 1, problems
    p = problems[0]
    assert (p.file, p.row) == ("items.csv", 3)
    assert "\ufffd" in p.value and "not UTF-8" in p.expected


def test_windows_1252_file_is_read_as_such_with_a_note():
    data = _csv(ITEMS, sep=";").encode("cp1252")
    ds = load_uploaded({"items.csv": data, "demand.csv": _csv(DEMAND).encode()})
    assert ds.items["name"].iloc[0] == "Crème brûlée"
    assert "items.csv: read as Windows-1252 text (not UTF-8)" in ds.notes


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_unicode_text_export_is_read(codec):
    """Excel's 'Unicode text': UTF-16 with a byte-order mark, tab-separated."""
    bom = "\ufeff".encode(codec)
    data = bom + _csv(ITEMS, sep="\t").replace("\n", "\r\n").encode(codec)
    ds = load_uploaded({"items.txt": data, "demand.csv": _csv(DEMAND).encode()})
    assert ds.items["name"].tolist() == ["Crème brûlée", "Sugar", "Lid"]
    assert "items.txt: read as UTF-16 text (not UTF-8)" in ds.notes


def test_utf16_row_numbers_are_file_lines():
    data = _csv(DEMAND, sep="\t").replace("\t3\n", "\t-3\n")
    problems = _problems({"items.csv": _csv(ITEMS).encode(), "demand.txt": data.encode("utf-16")})
    assert [(p.file, p.row, p.column) for p in problems] == [("demand.txt", 2, "quantity")]


def test_sheet_rows_survive_a_roundtrip_through_pandas(tmp_path):
    """A workbook written by pandas (openpyxl) loads to the same values."""
    path = tmp_path / "shop.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame(ITEMS[1:], columns=ITEMS[0]).to_excel(w, sheet_name="items", index=False)
        pd.DataFrame(DEMAND[1:], columns=DEMAND[0]).to_excel(w, sheet_name="demand", index=False)
    ds = load_dataset(path)
    assert ds.items["unit_cost"].tolist() == [2.5, 1.2, 0.1]
    assert ds.demand["sku"].tolist() == ["A", "B", "A", "C"]


# --------------------------------------------------------------------------- Parquet keys
# A Parquet file's foreign-key columns (a demand table's SKUs) are read dictionary-encoded:
# the checks run on the distinct values; these tests pin that nothing is lost on the way.


def _parquet(columns: dict, row_group_size: int | None = None) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf, row_group_size=row_group_size)
    return buf.getvalue()


def _items_parquet(skus: list) -> bytes:
    n = len(skus)
    return _parquet({"sku": skus, "inventory_type": ["finished_good"] * n, "unit_cost": [1.0] * n})


def _demand_parquet(skus: list, row_group_size: int | None = None) -> bytes:
    n = len(skus)
    dates = pd.date_range("2026-01-01", periods=n).to_numpy().astype("datetime64[us]")
    return _parquet(
        {"date": dates, "sku": skus, "quantity": [1.0] * n}, row_group_size=row_group_size
    )


def test_parquet_padded_skus_are_trimmed_and_loaded_as_text():
    skus = [" A", "B ", "A", "\u00a0C", "C"]
    ds = load_uploaded(
        {
            "items.parquet": _items_parquet(["A", "B", "C"]),
            "demand.parquet": _demand_parquet(skus, row_group_size=2),  # 3 dictionaries
        }
    )
    assert ds.demand["sku"].tolist() == ["A", "B", "A", "C", "C"]
    assert ds.demand["sku"].dtype == pd.StringDtype(na_value=float("nan"))  # not a category


def test_parquet_unknown_and_blank_skus_are_reported_with_rows():
    skus = ["A", "X", "A", "  ", None, "X"]
    probs = _problems(
        {
            "items.parquet": _items_parquet(["A", "B"]),
            "demand.parquet": _demand_parquet(skus, row_group_size=4),
        }
    )
    unknown = [(p.file, p.row, p.column, p.value) for p in probs if "listed in" in p.expected]
    assert unknown == [("demand.parquet", 2, "sku", "X"), ("demand.parquet", 6, "sku", "X")]
    blank = [(p.row, p.column) for p in probs if "required" in p.expected]
    assert blank == [(4, "sku"), (5, "sku")]


def test_parquet_duplicate_sku_days_are_summed_and_reported():
    n = 4
    data = _parquet(
        {
            "date": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-01-02", "2026-01-01"]),
            "sku": [" A", "A", "A", "B"],  # " A" and "A" are one SKU once trimmed
            "quantity": [1.0, 2.0, 4.0, 8.0][:n],
        }
    )
    ds = load_uploaded({"items.parquet": _items_parquet(["A", "B"]), "demand.parquet": data})
    got = ds.demand.sort_values(["sku", "date"])
    assert got["sku"].tolist() == ["A", "A", "B"]
    assert got["quantity"].tolist() == [3.0, 4.0, 8.0]
    assert ds.report["rows"].tolist() == [1]


def test_parquet_sku_column_already_dictionary_encoded():
    import pyarrow as pa

    skus = pa.array(["00123", "B", "00123"]).dictionary_encode()
    ds = load_uploaded(
        {
            "items.parquet": _items_parquet(["00123", "B"]),
            "demand.parquet": _demand_parquet(skus),
        }
    )
    assert ds.demand["sku"].tolist() == ["00123", "B", "00123"]  # leading zeros kept


def test_parquet_integer_skus_become_text():
    ds = load_uploaded(
        {
            "items.parquet": _items_parquet(["123", "7"]),
            "demand.parquet": _demand_parquet([123, 7, 123]),
        }
    )
    assert ds.demand["sku"].tolist() == ["123", "7", "123"]
    assert ds.demand["sku"].dtype == pd.StringDtype(na_value=float("nan"))


def test_parquet_text_skus_keep_leading_zeros_and_hint_when_items_lost_them():
    probs = _problems(
        {
            "items.parquet": _items_parquet(["123"]),
            "demand.parquet": _demand_parquet(["00123", "123"]),
        }
    )
    assert [(p.row, p.value) for p in probs] == [(1, "00123")]
    assert "leading zeros differ" in probs[0].expected


def test_parquet_invalid_utf8_in_a_sku_dictionary_is_unreadable():
    import pyarrow as pa

    good = _demand_parquet(["AAAA", "BBBB"])
    bad = good.replace(b"BBBB", b"B\xffBB")
    assert bad != good
    probs = _problems({"items.parquet": _items_parquet(["AAAA"]), "demand.parquet": bad})
    assert any(p.file == "demand.parquet" and "readable Parquet" in p.expected for p in probs)
    assert pa  # pyarrow is what the reader uses


def test_parquet_foreign_keys_are_read_as_categories_and_checked_on_distinct_values():
    from workbench.data._readers import collect_sources
    from workbench.data._validate import Validator, table_schema

    got = collect_sources({"demand.parquet": _demand_parquet([" A", "B", "A", None])})
    raw = got.raws[0].frame
    assert isinstance(raw["sku"].dtype, pd.CategoricalDtype)  # 3 distinct strings, int codes
    assert isinstance(raw["date"].dtype, type(pd.Series(pd.to_datetime(["2026"])).dtype))
    loc = Validator().coerce(table_schema("demand"), raw, "demand.parquet", None, got.raws[0].rows)
    codes, uniques = loc.codes["sku"]
    assert uniques.tolist() == ["A", "B"]  # " A" trimmed into "A"
    assert codes.tolist() == [0, 1, 0, -1]
    assert loc.frame["sku"].tolist()[:3] == ["A", "B", "A"]
