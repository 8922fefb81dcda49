"""Bad input: one test per kind, each asserting the file, row, column and value named.

Row numbers are as the user sees them: in a CSV the header is line 1, so the first data
row is row 2; in Excel the sheet's row number; in Parquet the 1-based record number.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.data import DataError, Dataset, Problem, load_dataset, load_uploaded

ITEMS = (
    "sku,name,inventory_type,unit_cost,service_level,supplier_id\n"
    "A,Jam,finished_good,2.5,0.95,S1\n"  # row 2
    "B,Sugar,raw_material,1.2,,S1\n"  # row 3
    "C,Lid,raw_material,0.1,0.9,\n"  # row 4
    "D,Glue,mro,7,,\n"  # row 5
)
DEMAND = (
    "date,sku,quantity\n"
    "2026-01-01,A,3\n"  # row 2
    "2026-01-01,B,10\n"  # row 3
    "2026-01-02,A,1\n"  # row 4
    "2026-01-03,C,2\n"  # row 5
)


def load(**files: str | bytes) -> Dataset:
    """Load CSV texts given as table=text (items and demand default to the valid ones)."""
    files = {"items": ITEMS, "demand": DEMAND, **files}
    payload = {}
    for name, text in files.items():
        if text is None:
            continue
        fname = name if "." in name else f"{name}.csv"
        payload[fname] = text.encode() if isinstance(text, str) else text
    return load_uploaded(payload)


def problems_of(**files) -> list[Problem]:
    with pytest.raises(DataError) as info:
        load(**files)
    return info.value.problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_base_loads():
    ds = load()
    assert len(ds.items) == 4 and len(ds.demand) == 4


def test_missing_required_column():
    p = only(problems_of(items=ITEMS.replace(",unit_cost", ",cost_price")))
    assert (p.file, p.row, p.column) == ("items.csv", None, "unit_cost")
    assert "a column named 'unit_cost'" in p.expected and "'cost_price'" in p.expected


def test_missing_key_column_reported_once():
    """No sku column in items: one problem, not one per demand row 'unknown SKU'."""
    p = only(problems_of(items=ITEMS.replace("sku,name", "code,name")))
    assert (p.file, p.row, p.column) == ("items.csv", None, "sku")


def test_unparseable_number():
    p = only(problems_of(demand=DEMAND.replace("2026-01-01,B,10", "2026-01-01,B,ten")))
    assert (p.file, p.row, p.column, p.value) == ("demand.csv", 3, "quantity", "ten")
    assert p.expected.startswith("a number")


def test_unparseable_date():
    p = only(problems_of(demand=DEMAND.replace("2026-01-02,A", "2026-02-30,A")))
    assert (p.file, p.row, p.column, p.value) == ("demand.csv", 4, "date", "2026-02-30")
    assert "a date" in p.expected


def test_negative_quantity():
    p = only(problems_of(demand=DEMAND.replace("2026-01-03,C,2", "2026-01-03,C,-2")))
    # value as read: text, or the number when the fast reader parsed the column
    assert (p.file, p.row, p.column, str(p.value)) == ("demand.csv", 5, "quantity", "-2")
    assert p.expected == "a number ≥ 0 and ≤ 1,000,000,000,000"


def test_negative_cost():
    p = only(problems_of(items=ITEMS.replace("D,Glue,mro,7", "D,Glue,mro,-7")))
    assert (p.file, p.row, p.column, str(p.value)) == ("items.csv", 5, "unit_cost", "-7")


def test_duplicate_key():
    p = only(problems_of(items=ITEMS + "B,Sugar again,raw_material,1.3,,\n"))
    assert (p.file, p.row, p.column, p.value) == ("items.csv", 6, "sku", "B")
    assert "already on row 3" in p.expected


def test_demand_for_unknown_sku():
    p = only(problems_of(demand=DEMAND + "2026-01-03,ZZ,1\n"))
    assert (p.file, p.row, p.column, p.value) == ("demand.csv", 6, "sku", "ZZ")
    assert p.expected == "a sku listed in items.csv"


def test_lots_for_unknown_sku():
    lots = "sku,lot_id,received_date,quantity\nA,L1,2025-12-01,5\nQ,L2,2025-12-02,4\n"
    p = only(problems_of(lots=lots))
    assert (p.file, p.row, p.column, p.value) == ("lots.csv", 3, "sku", "Q")


def test_unknown_inventory_type():
    p = only(problems_of(items=ITEMS.replace("C,Lid,raw_material", "C,Lid,gizmo")))
    assert (p.file, p.row, p.column, p.value) == ("items.csv", 4, "inventory_type", "gizmo")
    assert "raw_material, wip, finished_good, mro" in p.expected


def test_bom_cycle():
    bom = (
        "parent_sku,component_sku,quantity_per\n"
        "A,B,1\n"  # row 2: not on the cycle
        "B,C,2\n"  # row 3: B -> C -> B
        "C,B,1\n"  # row 4
        "A,D,1\n"  # row 5: not on the cycle
    )
    probs = problems_of(bom=bom)
    assert [(p.file, p.row) for p in probs] == [("bom.csv", 3), ("bom.csv", 4)]
    assert "without cycles" in probs[0].expected and "B -> C" in probs[0].expected


def test_bom_self_reference():
    p = only(problems_of(bom="parent_sku,component_sku,quantity_per\nA,A,1\n"))
    assert (p.row, p.column, p.value) == (2, "component_sku", "A")


@pytest.mark.parametrize("value", ["1.2", "0", "1", "-0.5"])
def test_service_level_outside_0_1(value):
    p = only(
        problems_of(
            items=ITEMS.replace("A,Jam,finished_good,2.5,0.95", f"A,Jam,finished_good,2.5,{value}")
        )
    )
    assert (p.file, p.row, p.column, p.value) == ("items.csv", 2, "service_level", value)
    assert p.expected == "a number > 0 and < 1"


def test_empty_file():
    p = only(problems_of(demand=b""))
    assert (p.file, p.row, p.column) == ("demand.csv", None, None)
    assert "empty" in p.expected


def test_header_only_required_table():
    p = only(problems_of(demand="date,sku,quantity\n"))
    assert p.file == "demand.csv" and "at least one data row" in p.expected


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "PDF"),
        (bytes(range(256)) * 8, "binary"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00garbage", "zip or Excel"),
    ],
)
def test_not_a_table(content, words):
    p = only(problems_of(demand=content))
    assert p.file == "demand.csv" and words in p.expected


def test_corrupt_workbook_and_zip():
    p = only(problems_of(items=None, demand=None, **{"shop.xlsx": b"not really a workbook"}))
    assert p.file == "shop.xlsx" and "Excel workbook" in p.expected
    p = only(problems_of(items=None, demand=None, **{"shop.zip": b"PK\x03\x04broken"}))
    assert p.file == "shop.zip" and "zip" in p.expected


def test_corrupt_parquet():
    probs = problems_of(demand=None, **{"demand.parquet": b"PAR1 not parquet PAR1"})
    assert probs[0].file == "demand.parquet" and "Parquet" in probs[0].expected


def test_unknown_file_ignored_but_reported():
    ds = load(**{"prices 2025.csv": "a,b\n1,2\n"})
    assert "prices 2025.csv" in ds.report["table"].tolist()
    assert any("prices 2025.csv" in n for n in ds.notes)


def test_unknown_column_ignored_but_noted():
    ds = load(items=ITEMS.replace("sku,name", "sku,colour").replace("A,Jam", "A,red"))
    assert any("'colour'" in n for n in ds.notes)
    assert "colour" not in ds.items.columns


def test_missing_required_table():
    p = only(problems_of(demand=None))
    assert p.file == "(dataset)" and "'demand'" in p.expected


def test_wrong_number_of_values():
    p = only(problems_of(demand=DEMAND + "2026-01-04,A,1,9\n"))
    assert (p.file, p.row, p.value) == ("demand.csv", 6, "2026-01-04,A,1,9")
    assert "3 values" in p.expected


def test_row_numbers_count_blank_lines():
    text = DEMAND.replace("2026-01-02,A,1\n", "\n\n2026-01-02,A,x\n")
    p = only(problems_of(demand=text))
    assert (p.row, p.value) == (6, "x")  # header 1, rows 2-3, blank 4-5, this one 6


def test_header_named_as_written():
    text = DEMAND.replace("date,sku,quantity", "Date, SKU ,Qty").replace("B,10", "B,lots")
    p = only(problems_of(demand=text))
    assert (p.column, p.row, p.value) == ("Qty", 3, "lots")


def test_every_problem_listed_not_only_first():
    demand = DEMAND.replace("A,3", "A,x").replace("2026-01-03", "someday") + "2026-01-04,Q,1\n"
    items = ITEMS.replace("D,Glue,mro,7", "D,Glue,spares,-7")
    probs = problems_of(items=items, demand=demand)
    found = {(p.file, p.row, p.column) for p in probs}
    assert found == {
        ("items.csv", 5, "inventory_type"),
        ("items.csv", 5, "unit_cost"),
        ("demand.csv", 2, "quantity"),
        ("demand.csv", 5, "date"),
        ("demand.csv", 6, "sku"),
    }


def test_message_readable_and_frame():
    with pytest.raises(DataError) as info:
        load(demand=DEMAND.replace("B,10", "B,abc"))
    err = info.value
    expected = "a number ≥ 0 and ≤ 1,000,000,000,000"
    assert f"demand.csv, row 3, column 'quantity': got 'abc', expected {expected}" in str(err)
    frame = err.to_frame()
    assert list(frame.columns) == ["file", "sheet", "row", "column", "value", "expected"]
    assert frame.loc[0, "row"] == 3
    assert isinstance(err, ValueError)  # callers catching ValueError see it too


def test_many_problems_are_summarised():
    rows = "".join(f"2026-01-01,A,bad{i}\n" for i in range(1500))
    with pytest.raises(DataError) as info:
        load(demand="date,sku,quantity\n" + rows)
    probs = info.value.problems
    assert len(probs) == 1001
    assert "500 more rows" in probs[-1].expected and "rows 1002 to 1501" in probs[-1].expected
    assert "... and 976 more" in str(info.value)


def test_purchase_received_before_ordered():
    pos = (
        "po_id,sku,order_date,received_date,quantity\n"
        "P1,A,2025-11-20,2025-11-30,5\n"
        "P2,B,2025-11-20,2025-11-10,5\n"
    )
    p = only(problems_of(purchase_orders=pos))
    assert (p.file, p.row, p.column, p.value) == (
        "purchase_orders.csv",
        3,
        "received_date",
        "2025-11-10",
    )
    assert "on or after order_date (2025-11-20)" in p.expected


def test_excel_rows_are_sheet_rows(tmp_path):
    path = tmp_path / "shop.xlsx"
    items = pd.read_csv(io.StringIO(ITEMS))
    demand = pd.read_csv(io.StringIO(DEMAND), dtype=str)
    demand.loc[2, "quantity"] = "a few"
    with pd.ExcelWriter(path) as w:
        items.to_excel(w, sheet_name="Items", index=False)
        demand.to_excel(w, sheet_name="demand", index=False, startrow=2)  # header on row 3
    with pytest.raises(DataError) as info:
        load_dataset(path)
    p = only(info.value.problems)
    assert (p.file, p.sheet, p.row, p.column, p.value) == (
        "shop.xlsx",
        "demand",
        6,
        "quantity",
        "a few",
    )
    assert "shop.xlsx, sheet 'demand', row 6" in str(info.value)


def test_parquet_rows_are_record_numbers(tmp_path):
    (tmp_path / "items.csv").write_text(ITEMS)
    demand = pd.read_csv(io.StringIO(DEMAND))
    demand.loc[3, "quantity"] = -1.0
    demand.to_parquet(tmp_path / "demand.parquet")
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path)
    p = only(info.value.problems)
    assert (p.file, p.row, p.column, p.value) == ("demand.parquet", 4, "quantity", -1.0)


def test_two_files_for_one_table(tmp_path):
    (tmp_path / "items.csv").write_text(ITEMS)
    (tmp_path / "demand.csv").write_text(DEMAND)
    pd.read_csv(io.StringIO(DEMAND)).to_parquet(tmp_path / "demand.parquet")
    with pytest.raises(DataError, match="one source for table 'demand'"):
        load_dataset(tmp_path)


def test_path_that_is_not_a_dataset(tmp_path):
    with pytest.raises(DataError, match="this path does not exist"):
        load_dataset(tmp_path / "nowhere")
    (tmp_path / "items.csv").write_text(ITEMS)
    with pytest.raises(DataError, match="this path is a single file"):
        load_dataset(tmp_path / "items.csv")


def test_from_tables_names_table_and_position():
    items = pd.read_csv(io.StringIO(ITEMS))
    items.loc[1, "unit_cost"] = np.nan
    with pytest.raises(DataError) as info:
        Dataset.from_tables({"items": items, "demand": pd.read_csv(io.StringIO(DEMAND))})
    p = only(info.value.problems)
    assert (p.file, p.row, p.column) == ("table 'items'", 2, "unit_cost")
    assert p.expected == "a value (this column is required)"


# ---------------------------------------------------------------------- property test

JUNK = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "-1", "abc", "1e999", "nan", "2026-99-99", '"', "\n", ",,", "NULL"]),
)


@st.composite
def corrupted(draw) -> tuple[str, bytes]:
    """One of the two files, with one to three random corruptions applied."""
    table = draw(st.sampled_from(["items", "demand"]))
    lines = (ITEMS if table == "items" else DEMAND).splitlines()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["cell", "delete", "rename", "truncate", "garbage"]))
        if kind == "cell" and len(lines) > 1:
            r = draw(st.integers(0, len(lines) - 1))
            cells = lines[r].split(",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(JUNK)
            lines[r] = ",".join(cells)
        elif kind == "delete" and lines:
            del lines[draw(st.integers(0, len(lines) - 1))]
        elif kind == "rename" and lines:
            cells = lines[0].split(",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.text(max_size=8))
            lines[0] = ",".join(cells)
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    kind = draw(st.sampled_from(["none", "truncate", "garbage"]))
    if kind == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif kind == "garbage":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=40)) + data[at:]
    return table, data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrupted())
def test_random_corruption_loads_or_raises_data_error(case):
    table, data = case
    try:
        ds = load(**{table: data})
    except DataError as err:
        assert err.problems
        assert not any("internal error" in p.expected for p in err.problems), err
        assert all(isinstance(p.file, str) and p.expected for p in err.problems)
    else:
        assert isinstance(ds, Dataset) and len(ds.items) >= 1


@pytest.fixture(scope="module")
def binary_files(tmp_path_factory) -> dict[str, bytes]:
    ds = load()
    folder = tmp_path_factory.mktemp("bin")
    ds.to_folder(folder / "pq", format="parquet")
    return {
        "xlsx": ds.to_excel(folder / "shop.xlsx").read_bytes(),
        "parquet": (folder / "pq" / "demand.parquet").read_bytes(),
        "items.parquet": (folder / "pq" / "items.parquet").read_bytes(),
    }


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    kind=st.sampled_from(["xlsx", "parquet"]),
    cut=st.floats(0, 1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=12),
)
def test_damaged_workbook_or_parquet_raises_data_error(binary_files, kind, cut, flips):
    """Truncated or bit-flipped Excel and Parquet files: a DataError or a dataset."""
    data = bytearray(binary_files[kind])
    for where, byte in flips:
        data[int(where * (len(data) - 1))] = byte
    if cut < 0.9:
        data = data[: int(cut * len(data))]
    if kind == "xlsx":
        files = {"shop.xlsx": bytes(data)}
    else:
        files = {"items.parquet": binary_files["items.parquet"], "demand.parquet": bytes(data)}
    try:
        load_uploaded(files)
    except DataError as err:
        assert not any("internal error" in p.expected for p in err.problems), err


def test_text_longer_than_an_excel_cell_is_refused_at_load():
    """Before: a 40,000-character SKU loaded, and to_excel cut it silently to 32,767."""
    sku = "S" * 40_000
    items = f"sku,name,inventory_type,unit_cost\n{sku},x,finished_good,1\nB,ok,finished_good,2\n"
    demand = f"sku,date,quantity\n{sku},2026-01-01,1\nB,2026-01-01,2\n"
    with pytest.raises(DataError) as err:
        load_uploaded({"items.csv": items.encode(), "demand.csv": demand.encode()})
    problems = [p for p in err.value.problems if "32,767" in p.expected]
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("items.csv", 2, "sku"),
        ("demand.csv", 2, "sku"),
    ]
    assert problems[0].value == "S" * 24 + "... (40,000 characters)"  # shown cut
    assert "the most an Excel cell holds" in str(err.value)
    ok = "S" * 32_767  # exactly a cell: accepted
    load_uploaded(
        {
            "items.csv": items.replace(sku, ok).encode(),
            "demand.csv": demand.replace(sku, ok).encode(),
        }
    )


def test_loader_removes_the_export_guard_apostrophe():
    items = (
        "sku,name,inventory_type,unit_cost\n"
        "'=A1,'@x,finished_good,1\n"
        "B,'plain,finished_good,2\n"
        "C,''+1,finished_good,3\n"
    )
    demand = "sku,date,quantity\n'=A1,2026-01-01,1\nB,2026-01-01,2\n"
    ds = load_uploaded({"items.csv": items.encode(), "demand.csv": demand.encode()})
    assert ds.items["sku"].tolist() == ["=A1", "B", "C"]
    assert ds.items["name"].tolist() == ["@x", "'plain", "'+1"]  # only one apostrophe goes
    assert ds.demand["sku"].tolist() == ["=A1", "B"]


# ------------------------------------------------------------- values too large to plan with

#: A valid one-row file per table: the column under test is set (or added) on its row 2.
_ONE_ROW = {
    "items": {
        "sku": "A", "inventory_type": "finished_good", "unit_cost": "2.5",
    },
    "lots": {"sku": "A", "lot_id": "L1", "received_date": "2026-01-01", "quantity": "5"},
    "suppliers": {"supplier_id": "S1", "lead_time_days": "5"},
    "purchase_orders": {
        "po_id": "P1", "sku": "A", "order_date": "2026-01-01", "quantity": "5",
    },
    "bom": {"parent_sku": "A", "component_sku": "B", "quantity_per": "2"},
    "counts": {"count_date": "2026-01-03", "sku": "A", "counted_qty": "4"},
    "schedule": {"sku": "A", "period_start": "2026-01-05", "quantity": "10"},
    "production_orders": {"order_id": "W1", "sku": "A", "due_date": "2026-01-05",
                          "quantity": "10"},
}  # fmt: skip

#: Every number column with the upper limit it is given, by kind of value: money 1e9 $ a
#: unit or an order, quantities 1e12 units, lead times 3650 days, shelf life 36,500 days,
#: the holding rate 100 a year (the Scenario's own bounds), fractions 1.
LIMITS = [
    *[("items", c, 1e9) for c in ("unit_cost", "price", "order_cost")],
    ("lots", "unit_cost", 1e9),
    ("purchase_orders", "unit_cost", 1e9),
    ("suppliers", "min_order_value", 1e9),
    *[("items", c, 3650.0) for c in ("lead_time_days", "lead_time_sd_days")],
    *[("suppliers", c, 3650.0) for c in ("lead_time_days", "lead_time_sd_days")],
    ("items", "shelf_life_days", 36500.0),
    ("items", "holding_cost_rate", 100.0),
    *[
        ("items", c, 1e12)
        for c in (
            "min_order_qty",
            "pack_size",
            "current_reorder_point",
            "current_order_quantity",
            "current_min",
            "current_max",
        )
    ],
    ("demand", "quantity", 1e12),
    ("lots", "quantity", 1e12),
    ("purchase_orders", "quantity", 1e12),
    ("bom", "quantity_per", 1e12),
    ("counts", "counted_qty", 1e12),
    ("schedule", "quantity", 1e12),
    ("production_orders", "quantity", 1e12),
]


def _with_value(table: str, column: str, value: str) -> dict[str, str]:
    """Files for load(): the valid base, plus ``table`` with ``column`` = ``value`` on row 2."""
    if table in ("items", "demand"):
        base = ITEMS if table == "items" else DEMAND
        frame = pd.read_csv(io.StringIO(base), dtype=str, keep_default_na=False)
        frame[column] = frame[column] if column in frame.columns else ""
        frame.loc[0, column] = value
        if column == "current_max":  # a max needs its min
            frame["current_min"] = ["0", "", "", ""]
        return {table: frame.to_csv(index=False)}
    row = {**_ONE_ROW[table], column: value}
    return {table: ",".join(row) + "\n" + ",".join(row.values()) + "\n"}


@pytest.mark.parametrize(("table", "column", "limit"), LIMITS, ids=lambda x: str(x))
def test_a_value_above_its_limit_is_refused_at_load(table, column, limit):
    """Before: 1e308 in any of these loaded, and the plan then held inf (issue 16)."""
    p = only(problems_of(**_with_value(table, column, "1e308")))
    assert (p.file, p.row, p.column) == (f"{table}.csv", 2, column)
    assert float(p.value) == 1e308
    shown = f"{limit:,.0f}"
    assert p.expected.startswith("a number") and p.expected.endswith(f"≤ {shown}"), p.expected
    message = str(DataError([p]))
    assert f"{table}.csv, row 2, column '{column}'" in message and f"≤ {shown}" in message


@pytest.mark.parametrize(("table", "column", "limit"), LIMITS, ids=lambda x: str(x))
def test_a_value_at_its_limit_loads(table, column, limit):
    ds = load(**_with_value(table, column, repr(limit)))
    assert float(ds.tables[table][column].iloc[0]) == limit


def test_every_number_column_has_an_upper_limit():
    """No number column is left open-ended: an unbounded one is how inf reached the plan."""
    from workbench.data import SCHEMAS

    numbers = {(t.name, c.name) for t in SCHEMAS.values() for c in t.columns if c.dtype == "float"}
    unbounded = {tc for tc in numbers if SCHEMAS[tc[0]].by_name[tc[1]].max is None}
    assert unbounded == set()
    assert {(t, c) for t, c, _ in LIMITS} | {
        (t, c) for t, c in numbers if SCHEMAS[t].by_name[c].max == 1
    } == numbers
