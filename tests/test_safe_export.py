"""The export guard (workbench.data._safe_export): no exported cell runs as a formula.

Payloads from OWASP's "CSV Injection" page (https://owasp.org/www-community/attacks/
CSV_Injection) and the two of issue 16.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
import python_calamine
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.data._safe_export import (
    EXCEL_CELL_MAX_CHARS,
    csv_bytes,
    excel_bytes,
    guard_frame,
    guard_text,
    unguard_series,
    unguard_text,
)

EVIL = [
    '=HYPERLINK("http://x","a")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","a")', '\'=HYPERLINK("http://x","a")'),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=x", "''=x"),  # an apostrophe the user wrote survives the round trip
        ("''-x", "'''-x"),
        # not formulas: written as they are
        ("-5", "-5"),
        ("+1.5e3", "+1.5e3"),
        ("-\u0665", "'-\u0665"),  # an Arabic-Indic digit is no number to a spreadsheet
        (".5", ".5"),
        ("SKU-5", "SKU-5"),
        ("'plain", "'plain"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_guard_text_table(value, written):
    assert guard_text(value) == written
    assert unguard_text(written) == value


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\rab1.e \u0665")), max_size=8) | st.text())
def test_unguard_inverts_guard(value):
    assert unguard_text(guard_text(value)) == value
    s = pd.Series([value, None], dtype=pd.StringDtype(na_value=np.nan))
    guarded = guard_frame(pd.DataFrame({"t": s}))["t"]
    assert guarded.iloc[0] == guard_text(value)  # vectorised and per-value agree
    assert unguard_series(guarded).iloc[0] == value


@pytest.mark.parametrize("dtype", [object, pd.StringDtype(na_value=np.nan), "category"])
def test_csv_cells_never_start_a_formula(dtype):
    frame = pd.DataFrame({"sku": pd.Series([*EVIL, "-5"], dtype=dtype), "qty": [-5.0] * 7 + [1.5]})
    text = csv_bytes(frame).decode("utf-8")
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    for cell in back["sku"]:
        assert cell[0] not in "=+-@\t\r" or cell == "-5", cell
    # number columns stay numbers: a negative quantity is not escaped
    assert back["qty"].tolist() == [-5.0] * 7 + [1.5]
    assert ",-5.0\n" in text
    assert unguard_series(back["sku"].astype(str)).tolist() == [*EVIL, "-5"]


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_excel_text_is_text_not_a_formula():
    frame = pd.DataFrame({"name": EVIL, "qty": np.arange(len(EVIL)) - 3.0})
    data = excel_bytes({"plan": frame})
    assert "<f>" not in _sheet_xml(data)  # no formula anywhere
    ws = openpyxl.load_workbook(io.BytesIO(data))["plan"]
    cells = [ws.cell(row=r, column=1) for r in range(2, len(EVIL) + 2)]
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells)  # and stays text when edited in Excel
    assert [ws.cell(row=r, column=2).value for r in range(2, 5)] == [-3, -2, -1]
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name("plan").to_python()
    assert [r[0] for r in rows[1:]] == EVIL  # exactly, no apostrophe added


def test_excel_control_characters_are_escaped_and_read_back():
    """Before: openpyxl raised IllegalCharacterError for BEL and VT (issue 16)."""
    names = ["bell\x07here", "vertical\x0btab", "nul\x00", "lit_x0041_", "tab\tand\nline", "cr\r"]
    data = excel_bytes({"plan": pd.DataFrame({"name": names})})
    xml = _sheet_xml(data)
    assert "bell_x0007_here" in xml and "vertical_x000B_tab" in xml
    assert "lit_x005F_x0041_" in xml  # a literal escape is escaped itself
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name("plan").to_python()
    assert [r[0] for r in rows[1:]] == names


def test_excel_refuses_text_longer_than_a_cell():
    frame = pd.DataFrame({"sku": ["ok", "x" * (EXCEL_CELL_MAX_CHARS + 1)]})
    with pytest.raises(ValueError, match=r"table plan, column sku, row 2: .* 32,768 characters"):
        excel_bytes({"plan": frame})
    excel_bytes({"plan": frame.assign(sku=["ok", "x" * EXCEL_CELL_MAX_CHARS])})  # fits


def test_excel_missing_infinite_and_dates():
    frame = pd.DataFrame(
        {
            "x": [1.0, np.nan, np.inf],
            "when": pd.to_datetime(["2026-01-01", None, "2026-03-01"]).tz_localize("UTC"),
            "n": pd.array([1, None, 3], dtype="Int64"),
        }
    )
    ws = openpyxl.load_workbook(io.BytesIO(excel_bytes({"s": frame})))["s"]
    assert [c.value for c in ws["A"]][1:] == [1, None, "inf"]
    assert ws["B2"].value == pd.Timestamp("2026-01-01").to_pydatetime() and ws["B3"].value is None
    assert [c.value for c in ws["C"]][1:] == [1, None, 3]


def test_unguard_series_fast_path_and_slices():
    """The first-byte check must see values in any chunk and slice of an Arrow column."""
    str_dtype = pd.StringDtype(na_value=np.nan)
    s = pd.Series(["SKU-1", "'=x", None, "", "'plain", "''@y"], dtype=str_dtype)
    got = unguard_series(s)
    assert got.iloc[1] == "=x" and got.iloc[5] == "'@y" and got.iloc[4] == "'plain"
    assert unguard_series(s.iloc[5:]).tolist() == ["'@y"]
    clean = pd.Series(["a", "b", None], dtype=str_dtype)
    assert unguard_series(clean) is clean  # nothing to do: the same column, no copy
