"""Loading and writing datasets: round trips through CSV, Parquet, Excel and zip."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.data import Dataset, load_dataset, load_uploaded

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def small_tables() -> dict[str, pd.DataFrame]:
    """A hand-made business with all nine tables, written as a user would."""
    items = pd.DataFrame(
        {
            "SKU": ["00123", "B-2", "C3", "D4", "E5"],
            "Name": ["Jam jar", "Sugar", "Lid", "Glue", "Jam (wip)"],
            "inventory_type": ["finished_good", "raw_material", "raw_material", "mro", "wip"],
            "unit_cost": [2.5, 1.2, 0.1, 7.0, 1.9],
            "price": [6.0, None, None, None, None],
            "supplier_id": ["S1", "S1", "S2", None, None],
            "lead_time_days": [None, 5, 10, 3, 1],
            "service_level": [0.95, None, 0.9, None, None],
            "shelf_life_days": [365, 720, None, None, 30],
        }
    )
    demand = pd.DataFrame(
        {
            "date": ["2026-01-01", "2026-01-01", "2026-01-02", "2026-01-04", "2026-01-05"],
            "sku": ["00123", "B-2", "00123", "00123", "D4"],
            "quantity": [3, 10.5, 0, 4, 1],
        }
    )
    lots = pd.DataFrame(
        {
            "sku": ["00123", "00123", "B-2"],
            "lot_id": ["L1", "L2", "L3"],
            "received_date": ["2025-12-01", "2025-12-20", "2025-11-30"],
            "quantity": [10, 5, 40],
            "unit_cost": [2.4, 2.5, 1.2],
            "expiry_date": ["2026-12-01", None, "2027-11-30"],
            "location": ["A1", "A1", "B7"],
        }
    )
    suppliers = pd.DataFrame(
        {
            "supplier_id": ["S1", "S2"],
            "name": ["Sweet Co", "Caps Ltd"],
            "lead_time_days": [7, 14],
            "lead_time_sd_days": [1.5, 3],
            "on_time_rate": [0.9, 0.75],
        }
    )
    purchase_orders = pd.DataFrame(
        {
            "po_id": ["P1", "P1", "P2"],
            "sku": ["B-2", "C3", "B-2"],
            "supplier_id": ["S1", "S2", "S1"],
            "order_date": ["2025-11-20", "2025-11-20", "2026-01-02"],
            "promised_date": ["2025-11-27", "2025-12-04", "2026-01-09"],
            "received_date": ["2025-11-30", "2025-12-04", None],
            "quantity": [50, 500, 60],
            "unit_cost": [1.2, 0.1, 1.25],
        }
    )
    bom = pd.DataFrame(
        {
            "parent_sku": ["00123", "00123", "E5"],
            "component_sku": ["E5", "C3", "B-2"],
            "quantity_per": [1, 1, 0.3],
            "scrap_rate": [0.0, 0.02, 0.05],
        }
    )
    counts = pd.DataFrame(
        {
            "count_date": ["2026-01-05", "2026-01-05"],
            "sku": ["00123", "B-2"],
            "location": ["A1", "B7"],
            "counted_qty": [14, 39],
        }
    )
    schedule = pd.DataFrame(
        {
            "sku": ["00123", "00123"],
            "period_start": ["2026-01-05", "2026-01-12"],
            "quantity": [20, 25],
        }
    )
    production_orders = pd.DataFrame(
        {
            "order_id": ["W1", "W2"],
            "sku": ["E5", "00123"],
            "start_date": ["2026-01-02", "2026-01-05"],
            "due_date": ["2026-01-03", "2026-01-07"],
            "received_date": ["2026-01-03", None],
            "quantity": [30, 20],
        }
    )
    return {
        "items": items,
        "demand": demand,
        "lots": lots,
        "suppliers": suppliers,
        "purchase_orders": purchase_orders,
        "bom": bom,
        "counts": counts,
        "schedule": schedule,
        "production_orders": production_orders,
    }


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return Dataset.from_tables(small_tables(), source="hand-made")


def test_from_tables_types(ds):
    assert ds.items["sku"].tolist() == ["00123", "B-2", "C3", "D4", "E5"]  # zeros kept
    assert isinstance(ds.items["sku"].dtype, pd.StringDtype)
    assert isinstance(ds.demand["sku"].dtype, pd.StringDtype)
    assert ds.demand["date"].dtype.kind == "M"
    assert ds.demand["quantity"].dtype == np.float64
    assert ds.items["inventory_type"].cat.categories.tolist() == list(wb.INVENTORY_TYPES)
    assert isinstance(ds.items.index, pd.RangeIndex)
    assert ds.lots["expiry_date"].isna().tolist() == [False, True, False]
    assert list(ds.items.columns) == wb.SCHEMAS["items"].column_names


def test_tables_and_has(ds):
    assert list(ds.tables) == list(wb.SCHEMAS)
    assert all(ds.has(name) for name in wb.SCHEMAS)
    assert ds.bom is ds.tables["bom"]
    only = Dataset.from_tables({k: small_tables()[k] for k in ("items", "demand")})
    assert not only.has("lots") and only.lots is None
    with pytest.raises(ValueError, match="name must be one of"):
        only.has("sales")


def test_demand_period(ds):
    start, end = ds.demand_period
    assert start == pd.Timestamp("2026-01-01") and end == pd.Timestamp("2026-01-05")


def test_defaults_and_supplier_lead_times(ds):
    items = ds.items.set_index("sku")
    # blank lead time taken from the supplier S1 (7 days); others kept
    assert items.loc["00123", "lead_time_days"] == 7
    assert items.loc["B-2", "lead_time_days"] == 5
    # lead_time_sd_days: from the supplier when it has one, else the default 0
    assert items.loc["C3", "lead_time_sd_days"] == 3
    assert items.loc["D4", "lead_time_sd_days"] == 0
    assert (items["holding_cost_rate"] == 0.25).all()
    assert (items["pack_size"] == 1).all()
    assert ds.report.empty
    assert list(ds.report.columns) == ["table", "rows", "reason"]


def test_header_aliases_and_case():
    tables = small_tables()
    tables["demand"] = tables["demand"].rename(
        columns={"date": " Date ", "sku": "Item_ID", "quantity": "QTY"}
    )
    got = Dataset.from_tables(tables)
    assert list(got.demand.columns) == ["date", "sku", "quantity"]
    assert got.demand["quantity"].sum() == pytest.approx(18.5)


def test_duplicate_demand_rows_are_summed_and_reported():
    tables = small_tables()
    extra = pd.DataFrame({"date": ["2026-01-01"], "sku": ["00123"], "quantity": [2]})
    tables["demand"] = pd.concat([tables["demand"], extra], ignore_index=True)
    got = Dataset.from_tables(tables)
    assert len(got.demand) == 5
    row = got.demand[(got.demand.sku == "00123") & (got.demand.date == "2026-01-01")]
    assert row["quantity"].tolist() == [5.0]
    assert got.report.loc[0, "table"] == "demand" and got.report.loc[0, "rows"] == 1


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_folder_round_trip(ds, tmp_path, fmt):
    folder = ds.to_folder(tmp_path / fmt, format=fmt)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.{fmt}" for n in wb.SCHEMAS)
    back = load_dataset(folder)
    assert back.equals(ds)
    assert back.report.empty


def test_excel_round_trip(ds, tmp_path):
    path = ds.to_excel(tmp_path / "shop.xlsx")
    back = load_dataset(path)
    assert back.equals(ds)


def test_zip_and_upload_round_trip(ds, tmp_path):
    folder = ds.to_folder(tmp_path / "csv")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, arcname=f"export/{f.name}")
    zpath = tmp_path / "shop.zip"
    zpath.write_bytes(buf.getvalue())
    assert load_dataset(zpath).equals(ds)
    assert load_uploaded({"shop.zip": buf.getvalue()}).equals(ds)
    files = {f.name: f.read_bytes() for f in folder.iterdir()}
    assert load_uploaded(files).equals(ds)
    xlsx = ds.to_excel(tmp_path / "shop.xlsx")
    assert load_uploaded({"shop.xlsx": xlsx.read_bytes()}).equals(ds)


def test_equals_detects_a_change(ds):
    tables = dict(ds.tables)
    changed = tables["demand"].copy()
    changed.loc[0, "quantity"] += 1
    tables["demand"] = changed
    assert not ds.equals(Dataset(tables))
    assert not ds.equals("not a dataset")
    assert not ds.equals(Dataset({"items": ds.items, "demand": ds.demand}))


def test_user_formats(tmp_path):
    """Semicolons, Windows encoding, BOM, currency, thousands, percent and US dates.

    The semicolon file writes its numbers the European way throughout (a column mixing
    ``$1,234.50`` and ``12,5`` is an error now: see test_real_files.py).
    """
    (tmp_path / "items.csv").write_bytes(
        "SKU;Name;Inventory Type;Unit Cost;Service Level\n"
        "A1;Crème brûlée;Finished Good;1.234,50 €;95%\n"
        "B2;Wax;raw_material;12,5;0,9\n".encode("cp1252")
    )
    (tmp_path / "demand.csv").write_bytes(
        b"\xef\xbb\xbfDate,SKU,Qty\n10/31/2026,A1,2\n11/01/2026,A1,3\n"
    )
    (tmp_path / "notes.txt").write_text("ignore me")
    got = load_dataset(tmp_path)
    item = got.items.iloc[0]
    assert item["name"] == "Crème brûlée"
    assert item["unit_cost"] == 1234.5
    assert item["service_level"] == pytest.approx(0.95)
    assert item["inventory_type"] == "finished_good"
    assert got.items.loc[1, "unit_cost"] == 12.5 and got.items.loc[1, "service_level"] == 0.9
    assert got.demand["date"].tolist() == [pd.Timestamp("2026-10-31"), pd.Timestamp("2026-11-01")]
    assert any("notes.txt" in n for n in got.notes)
    assert "notes.txt" in got.report["table"].tolist()


def test_blank_lines_are_skipped(tmp_path):
    ds = Dataset.from_tables({k: small_tables()[k] for k in ("items", "demand")})
    ds.to_folder(tmp_path)
    text = (tmp_path / "demand.csv").read_text()
    (tmp_path / "demand.csv").write_text(text.replace("\n", "\n\n", 2) + "\n\n")
    assert load_dataset(tmp_path).equals(ds)


def test_to_excel_refuses_too_many_rows(tmp_path):
    big = pd.DataFrame(
        {"date": pd.Timestamp("2026-01-01"), "sku": "00123", "quantity": np.ones(1_048_576)}
    )
    ds = Dataset({"items": small_tables()["items"], "demand": big})
    with pytest.raises(ValueError, match="an Excel sheet holds at most"):
        ds.to_excel(tmp_path / "big.xlsx")


def test_to_folder_bad_format(ds, tmp_path):
    with pytest.raises(ValueError, match="format must be 'csv' or 'parquet'; got 'xls'"):
        ds.to_folder(tmp_path, format="xls")


@pytest.mark.skipif(not (SAMPLE / "items.csv").exists(), reason="sample_data/ not generated yet")
def test_shipped_sample_loads_without_errors():
    got = load_dataset(SAMPLE)
    assert got.has("items") and got.has("demand")
    assert len(got.items) > 0 and len(got.demand) > 0
    assert got.report.empty, got.report


@pytest.mark.skipif(not (SAMPLE / "items.csv").exists(), reason="sample_data/ not generated yet")
def test_shipped_sample_round_trips_through_parquet(tmp_path):
    got = load_dataset(SAMPLE)
    assert load_dataset(got.to_folder(tmp_path, format="parquet")).equals(got)


def test_upload_accepts_memoryview(ds, tmp_path):
    """ipywidgets' FileUpload gives memoryview contents."""
    folder = ds.to_folder(tmp_path)
    files = {f.name: memoryview(f.read_bytes()) for f in folder.iterdir()}
    assert load_uploaded(files).equals(ds)


def test_empty_upload():
    with pytest.raises(wb.DataError, match="at least one file"):
        load_uploaded({})


@pytest.mark.parametrize("order", ["sku-date", "date-sku", "shuffled"])
def test_duplicate_count_matches_pandas(order):
    """The neighbour shortcut for sorted files counts the same duplicates as hashing."""
    from workbench.data.dataset import _count_duplicates

    rng = np.random.default_rng(7)
    codes = rng.integers(-1, 30, 2000)
    day = rng.integers(0, 60, 2000)
    if order == "sku-date":
        idx = np.lexsort((day, codes))
    elif order == "date-sku":
        idx = np.lexsort((codes, day))
    else:
        idx = rng.permutation(2000)
    codes, day = codes[idx], day[idx]
    expected = pd.DataFrame({"c": codes, "d": day}).duplicated().sum()
    assert _count_duplicates(codes, day) == expected > 0
    # in blocks of 7 rows (the default is a million): steps across blocks count too
    assert _count_duplicates(codes, day + 20_000, chunk=7) == expected
    # days spread over 27,000 years: too many possible keys for flags, so they are hashed
    assert _count_duplicates(codes, day * 10**5, chunk=7) == expected


def test_categorical_and_numeric_sku_columns_become_text():
    items = pd.DataFrame(
        {"sku": pd.Categorical(["A", " B"]), "unit_cost": [1, 2], "inventory_type": "wip"}
    )
    demand = pd.DataFrame(
        {"date": pd.to_datetime(["2026-01-01"]), "sku": pd.Categorical(["B"]), "quantity": [1]}
    )
    got = Dataset.from_tables({"items": items, "demand": demand})
    assert got.items["sku"].tolist() == ["A", "B"]
    assert isinstance(got.demand["sku"].dtype, pd.StringDtype)
    numeric = Dataset.from_tables(
        {
            "items": pd.DataFrame({"sku": [101, 102], "unit_cost": 1.0, "inventory_type": "mro"}),
            "demand": pd.DataFrame({"date": ["2026-01-01"], "sku": [101.0], "quantity": [2]}),
        }
    )
    assert numeric.items["sku"].tolist() == ["101", "102"]
    assert numeric.demand["sku"].tolist() == ["101"]  # 101.0 read as the SKU 101


def test_times_of_day_are_dropped_and_same_day_rows_summed():
    items = pd.DataFrame({"sku": ["A"], "unit_cost": [1.0], "inventory_type": ["wip"]})
    demand = pd.DataFrame(
        {
            "date": ["2026-01-01 10:00", "2026-01-01 18:30", "2026-01-02 00:00"],
            "sku": ["A", "A", "A"],
            "quantity": [1, 2, 3],
        }
    )
    got = Dataset.from_tables({"items": items, "demand": demand})
    assert got.demand["date"].tolist() == [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-02")]
    assert got.demand["quantity"].tolist() == [3.0, 3.0]
    assert got.report["rows"].tolist() == [1]
    assert any("times of day dropped" in n for n in got.notes)


# --------------------------------------------------------------------------- safe exports

EVIL_SKUS = {"C3": "=cmd|' /C calc'!A0", "D4": '=HYPERLINK("http://x","a")'}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def evil_tables() -> dict[str, pd.DataFrame]:
    """small_tables with SKUs and names a spreadsheet would run as formulas (issue 16),
    control characters and a carriage return."""
    tables = small_tables()
    for frame in tables.values():
        for col in frame.columns:
            if col.lower() in ("sku", "parent_sku", "component_sku"):
                frame[col] = frame[col].replace(EVIL_SKUS)
    tables["items"]["Name"] = ["+1+1", "-2+3", "@SUM(A1)", "bell\x07 vt\x0b", "a\rb"]
    tables["suppliers"]["name"] = ["=1+1", "lit_x0041_"]
    return tables


def test_to_folder_writes_no_live_formula_and_round_trips(tmp_path):
    """Before: to_folder wrote =cmd|... as is, a live formula once the CSV is opened."""
    import csv

    ds = Dataset.from_tables(evil_tables())
    assert ds.items["sku"].tolist()[2:4] == list(EVIL_SKUS.values())
    folder = ds.to_folder(tmp_path / "evil")
    for path in folder.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(TRIGGERS) or _plain_number(cell), (path, cell)
    text = (folder / "items.csv").read_text(encoding="utf-8")
    assert "'=cmd|' /C calc'!A0" in text and "-2+3" not in text.replace("'-2+3", "")
    back = load_dataset(folder)
    assert back.equals(ds)  # the loader removes the guard's apostrophe
    assert back.items["name"].tolist() == ["+1+1", "-2+3", "@SUM(A1)", "bell\x07 vt\x0b", "a\rb"]
    assert (back.demand["quantity"] >= 0).all() and back.items["unit_cost"].dtype == float


def _plain_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_to_excel_writes_text_cells_and_round_trips(tmp_path):
    """Before: a name holding BEL or VT made openpyxl raise IllegalCharacterError."""
    ds = Dataset.from_tables(evil_tables())
    path = ds.to_excel(tmp_path / "evil.xlsx")
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert all(b"<f>" not in zf.read(n) for n in sheets)  # no formula anywhere
    assert load_dataset(path).equals(ds)
