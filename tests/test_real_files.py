"""Real-world files read right (issue 10): dates, separators, headers, aliases, stray rows.

Each fixture is what a spreadsheet or an ERP export really writes; each test names the
silent misread it prevents. Problems are checked down to file, row, column and value.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pandas as pd
import pytest

from workbench.data import DataError, Dataset, Problem, load_dataset, load_uploaded

ITEMS = (
    "sku,name,inventory_type,unit_cost\n"
    "A,Jam,finished_good,2.5\n"
    "B,Sugar,raw_material,1.2\n"
    "00123,Lid,raw_material,0.1\n"
)


def load(dayfirst=None, decimal=None, **files: str | bytes) -> Dataset:
    """Load CSV texts given as table=text (items defaults to ITEMS)."""
    files = {"items": ITEMS, **files}
    payload = {}
    for name, text in files.items():
        fname = name if "." in name else f"{name}.csv"
        payload[fname] = text.encode() if isinstance(text, str) else text
    options = {k: v for k, v in (("dayfirst", dayfirst), ("decimal", decimal)) if v is not None}
    return load_uploaded(payload, **options)


def problems_of(**files) -> list[Problem]:
    with pytest.raises(DataError) as info:
        load(**files)
    return info.value.problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def demand_csv(dates: list[str], sep: str = ",") -> str:
    lines = [sep.join(["date", "sku", "quantity"])]
    lines += [sep.join([d, "A", "1"]) for d in dates]
    return "\n".join(lines) + "\n"


def days(ds: Dataset) -> list[str]:
    return sorted(ds.demand["date"].dt.strftime("%Y-%m-%d").unique().tolist())


# ---------------------------------------------------------------------- dates


def test_day_first_column_is_read_day_first_in_every_row():
    """13/01 proves day/month/year, so 03/02 is 3 February (it was read as March 2)."""
    ds = load(demand=demand_csv(["13/01/2026", "03/02/2026", "28/02/2026"]))
    assert days(ds) == ["2026-01-13", "2026-02-03", "2026-02-28"]


def test_month_first_column_is_read_month_first_in_every_row():
    ds = load(demand=demand_csv(["01/13/2026", "02/03/2026", "2/28/2026"]))
    assert days(ds) == ["2026-01-13", "2026-02-03", "2026-02-28"]


def test_ambiguous_column_asks_for_dayfirst():
    text = demand_csv(["03/04/2026", "04/05/2026", "05/06/2026"])
    p = only(problems_of(demand=text))
    assert (p.file, p.row, p.column, p.value) == ("demand.csv", None, "date", "03/04/2026")
    assert "dayfirst=True for 03/04/2026 = 3 April" in p.expected
    assert "dayfirst=False for March 4" in p.expected
    assert "date order in the Data tab" in p.expected
    assert days(load(demand=text, dayfirst=True)) == ["2026-04-03", "2026-05-04", "2026-06-05"]
    assert days(load(demand=text, dayfirst=False)) == ["2026-03-04", "2026-04-05", "2026-05-06"]


def test_same_day_and_month_everywhere_is_not_ambiguous():
    assert days(load(demand=demand_csv(["01/01/2026", "05/05/2026"]))) == [
        "2026-01-01",
        "2026-05-05",
    ]


def test_contradicting_dates_quote_one_row_of_each_order():
    text = demand_csv(["13/01/2026", "03/02/2026", "01/14/2026"])
    got = problems_of(demand=text)
    assert [(p.file, p.row, p.column, p.value) for p in got] == [
        ("demand.csv", 2, "date", "13/01/2026"),
        ("demand.csv", 4, "date", "01/14/2026"),
    ]
    assert "day/month/year, but row 4 ('01/14/2026') is month/day/year" in got[0].expected


def test_dotted_dates_are_day_first_by_convention():
    text = demand_csv(["03.04.2026", "04.05.26"], sep=";")
    assert days(load(demand=text)) == ["2026-04-03", "2026-05-04"]
    assert days(load(demand=text, dayfirst=False)) == ["2026-03-04", "2026-04-05"]


def test_explicit_dayfirst_refuses_dates_that_cannot_be_that_order():
    p = only(problems_of(demand=demand_csv(["03/04/2026", "04/13/2026"]), dayfirst=True))
    assert (p.row, p.value) == (3, "04/13/2026")
    assert "day/month/year" in p.expected


def test_each_date_column_is_decided_on_its_own():
    """Order dates day first, receipt dates month first: two columns, two decisions."""
    pos = (
        "po_id,sku,order_date,received_date,quantity\n"
        "P1,A,13/01/2026,01/20/2026,5\n"
        "P2,B,02/03/2026,03/05/2026,5\n"
    )
    ds = load(demand=demand_csv(["2026-01-01"]), purchase_orders=pos)
    po = ds.purchase_orders
    assert po["order_date"].tolist() == [pd.Timestamp("2026-01-13"), pd.Timestamp("2026-03-02")]
    assert po["received_date"].tolist() == [
        pd.Timestamp("2026-01-20"),
        pd.Timestamp("2026-03-05"),
    ]


def test_iso_dates_times_and_yyyymmdd_always_read():
    text = demand_csv(["2026-01-02", "2026-01-03T10:30:00", "2026/1/4", "20260105"])
    assert days(load(demand=text)) == ["2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"]


def test_plain_number_in_a_csv_date_column_is_an_error_not_a_date():
    p = only(problems_of(demand=demand_csv(["2026-01-02", "46025"])))
    assert (p.row, p.column, p.value) == (3, "date", "46025")
    assert "plain number is not read as a date" in p.expected


def excel_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        for name, frame in frames.items():
            frame.to_excel(w, sheet_name=name, index=False)
    return buf.getvalue()


def test_excel_serial_numbers_in_a_date_column_are_dates():
    """A date column whose cells lost their date format holds serials (46024 = 2026-01-02)."""
    items = pd.read_csv(io.StringIO(ITEMS), dtype=str)
    demand = pd.DataFrame(
        {
            "date": [46024, 46025.0, dt.datetime(2026, 1, 5), "13/01/2026"],
            "sku": ["A", "A", "B", "B"],
            "quantity": [1, 2, 3, 4],
        }
    )
    ds = load_uploaded({"shop.xlsx": excel_bytes({"items": items, "demand": demand})})
    assert days(ds) == ["2026-01-02", "2026-01-03", "2026-01-05", "2026-01-13"]


def test_object_columns_of_date_objects_and_text_as_calamine_gives_them():
    """python-calamine and openpyxl yield datetime, date, float and str cells."""
    items = pd.read_csv(io.StringIO(ITEMS), dtype=str)
    demand = pd.DataFrame(
        {
            "date": pd.Series(
                [dt.date(2026, 1, 2), dt.datetime(2026, 1, 3, 8), "14/01/2026", None],
                dtype=object,
            ),
            "sku": ["A", "A", "B", "B"],
            "quantity": [1, 2, 3, 4],
        }
    )
    with pytest.raises(DataError) as info:
        Dataset.from_tables({"items": items, "demand": demand})
    assert [(p.row, p.column) for p in info.value.problems] == [(4, "date")]  # the blank
    demand.loc[3, "date"] = "15/01/2026"
    ds = Dataset.from_tables({"items": items, "demand": demand})
    assert days(ds) == ["2026-01-02", "2026-01-03", "2026-01-14", "2026-01-15"]


def test_dates_before_1900_are_errors_in_every_table():
    lots = "sku,lot_id,received_date,quantity\nA,L1,2026-01-01,5\nB,L2,1899-12-31,5\n"
    p = only(problems_of(demand=demand_csv(["2026-01-01"]), lots=lots))
    assert (p.file, p.row, p.column, p.value) == ("lots.csv", 3, "received_date", "1899-12-31")
    assert "on or after 1900-01-01" in p.expected


def two_years(extra: list[str]) -> str:
    history = pd.date_range("2024-01-01", "2025-12-31").strftime("%Y-%m-%d").tolist()
    return demand_csv(history + extra)


def test_stray_demand_date_far_from_the_history_is_an_error():
    """One 1990 row would stretch two years of history to 36 and divide daily demand."""
    got = problems_of(demand=two_years(["1990-06-30"]))
    p = only(got)
    assert (p.file, p.row, p.column, p.value) == ("demand.csv", 733, "date", "1990-06-30")
    assert "a date within the history (2024-01-01 to 2025-12-31)" in p.expected
    assert "34 years away" in p.expected


def test_stray_date_in_the_future_and_in_1700():
    got = problems_of(demand=two_years(["2099-01-01", "1700-01-01"]))
    assert [(p.row, p.value) for p in got] == [(733, "2099-01-01"), (734, "1700-01-01")]
    assert "73 years away" in got[0].expected
    assert "on or after 1900-01-01" in got[1].expected


def test_a_real_gap_in_the_history_is_kept():
    """Two stretches more than a year apart, each with many rows: not stray."""
    early = pd.date_range("2020-01-01", periods=100).strftime("%Y-%m-%d").tolist()
    ds = load(demand=two_years(early))
    assert ds.demand_period[0] == pd.Timestamp("2020-01-01")


# ---------------------------------------------------------------------- numbers


def test_decimal_comma_with_three_decimals_and_thousands_dots():
    """0,125 loaded as 125 and 1.234 as 1.234; the column's 12,5 proves the decimal comma."""
    text = "date;sku;quantity\n2026-01-01;A;0,125\n2026-01-02;A;1.234\n2026-01-03;A;12,5\n"
    ds = load(demand=text)
    assert ds.demand["quantity"].tolist() == [0.125, 1234.0, 12.5]


def test_semicolon_file_reads_lone_dotted_thousands_as_thousands():
    """Only 1.234-style cells: the semicolon file says decimal comma (was 1.234, 2.5)."""
    text = "date;sku;quantity\n2026-01-01;A;1.234\n2026-01-02;A;2.500\n"
    ds = load(demand=text)
    assert ds.demand["quantity"].tolist() == [1234.0, 2500.0]


def test_semicolon_file_with_decimal_points_keeps_the_fast_typed_read(monkeypatch):
    """0.25 cannot be a thousands-dotted number: the typed read stands, no text re-read."""
    import workbench.data._readers as readers

    def no_reread(*args, **kwargs):
        raise AssertionError("the file was read again as text")

    monkeypatch.setattr(readers, "_slow_csv", no_reread)
    text = "date;sku;quantity\n2026-01-01;A;0.25\n2026-01-02;A;1.234\n"
    ds = load(items="sku;inventory_type;unit_cost\nA;finished_good;2\n", demand=text)
    assert ds.demand["quantity"].tolist() == [0.25, 1.234]


def test_floats_prove_a_decimal_point():
    from workbench.data._validate import _floats_prove_point

    assert _floats_prove_point(np.array([1.234, 0.5]))  # 0.5 is no thousands group
    assert _floats_prove_point(np.array([1234.5]))  # nor is a 4-digit lead
    assert _floats_prove_point(np.array([2.1234, np.nan]))  # nor 4 decimals
    assert not _floats_prove_point(np.array([1.234, 2.5, 7.0, np.nan]))  # 2.5 may be 2.500


def test_comma_file_keeps_decimal_points():
    text = 'date,sku,quantity\n2026-01-01,A,1.234\n2026-01-02,A,"1,500"\n'
    ds = load(demand=text)
    assert ds.demand["quantity"].tolist() == [1.234, 1500.0]


def test_ambiguous_separator_asks_for_decimal():
    text = "date\tsku\tquantity\n2026-01-01\tA\t1.234\n2026-01-02\tA\t2.500\n"
    p = only(problems_of(demand=text))
    assert (p.file, p.row, p.column, p.value) == ("demand.csv", None, "quantity", "1.234")
    assert "decimal='.' for 1.234 or decimal=',' for 1234" in p.expected
    assert "decimal separator in the Data tab" in p.expected
    whole_costs = "sku,inventory_type,unit_cost\nA,finished_good,2\n"  # read either way
    got = load(items=whole_costs, demand=text, decimal=",")
    assert got.demand["quantity"].tolist() == [1234.0, 2500.0]
    assert load(demand=text, decimal=".").demand["quantity"].tolist() == [1.234, 2.5]


def test_column_mixing_decimal_point_and_comma_is_reported():
    text = "date\tsku\tquantity\n2026-01-01\tA\t12.5\n2026-01-02\tA\t3\n2026-01-03\tA\t7,25\n"
    got = problems_of(demand=text)
    assert [(p.row, p.column, p.value) for p in got] == [
        (2, "quantity", "12.5"),
        (4, "quantity", "7,25"),
    ]
    assert "decimal point, but row 4 ('7,25') is written with a decimal comma" in got[0].expected


def test_explicit_decimal_comma_refuses_a_decimal_point():
    text = "date\tsku\tquantity\n2026-01-01\tA\t0,5\n2026-01-02\tA\t12.5\n"
    p = only([p for p in problems_of(demand=text, decimal=",") if p.file == "demand.csv"])
    assert (p.row, p.value) == (3, "12.5")
    assert "decimal comma" in p.expected
    typed = "date,sku,quantity\n2026-01-01,A,0.25\n2026-01-02,A,1.234\n"  # pyarrow: floats
    p = only([p for p in problems_of(demand=typed, decimal=",") if p.file == "demand.csv"])
    assert (p.row, p.value) == (2, "0.25")


def test_european_money_and_percent():
    items = (
        "sku;inventory_type;unit_cost;service_level\n"
        "A;finished_good;1.234,50 €;95 %\n"
        "B;raw_material;€ 0,80;97,5%\n"
        "00123;raw_material;12;0,9\n"
    )
    ds = load(items=items, demand=demand_csv(["2026-01-01"]))
    assert ds.items["unit_cost"].tolist() == [1234.5, 0.8, 12.0]
    assert ds.items["service_level"].tolist() == pytest.approx([0.95, 0.975, 0.9])


def test_numbers_that_are_numbers_are_never_reparsed(tmp_path):
    """Excel numeric cells stay as they are even with decimal=','."""
    items = pd.read_csv(io.StringIO(ITEMS), dtype={"sku": str})
    demand = pd.DataFrame({"date": ["2026-01-01"], "sku": ["A"], "quantity": [1.234]})
    data = excel_bytes({"items": items, "demand": demand})
    ds = load_uploaded({"shop.xlsx": data}, decimal=",")
    assert ds.demand["quantity"].tolist() == [1.234]


def test_invalid_options_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="dayfirst must be None, True or False; got 'yes'"):
        load_dataset(tmp_path, dayfirst="yes")
    with pytest.raises(ValueError, match=re.escape("decimal must be None, '.' or ','; got ';'")):
        load_uploaded({"items.csv": b""}, decimal=";")
    with pytest.raises(ValueError, match="decimal"):
        Dataset.from_tables({}, decimal="comma")


# ---------------------------------------------------------------------- headers


def test_amount_is_not_a_quantity():
    """'amount' is money in most exports: it used to be read as units sold."""
    text = "date,sku,amount\n2026-01-01,A,250.00\n"
    p = only(problems_of(demand=text))
    assert (p.file, p.column) == ("demand.csv", "quantity")
    assert "found columns: 'date', 'sku', 'amount'" in p.expected


def test_second_name_for_a_column_is_ignored_with_a_note():
    text = "date,sku,qty,units_sold\n2026-01-01,A,3,300\n"
    ds = load(demand=text)
    assert ds.demand["quantity"].tolist() == [3.0]
    assert (
        "demand.csv: column 'qty' used as quantity; 'units_sold' (also a name for quantity) "
        "ignored" in ds.notes
    )


def test_canonical_name_wins_over_an_alias():
    items = "item_id,sku,inventory_type,unit_cost\nX1,A,finished_good,1\nX2,00123,mro,2\n"
    ds = load(items=items, demand=demand_csv(["2026-01-01"]))
    assert ds.items["sku"].tolist() == ["A", "00123"]
    assert any("column 'sku' used as sku; 'item_id'" in n for n in ds.notes)


def test_two_headers_that_are_the_same_name_are_still_an_error():
    text = "date,sku,Qty,qty.\n2026-01-01,A,3,4\n"
    p = only(problems_of(demand=text))
    assert (p.column, p.row) == ("qty.", None)
    assert "one column for 'quantity', but 'Qty' is also that column" in p.expected


def test_headers_with_punctuation_and_units():
    items = (
        "Item No.,Name,Inventory Type,Unit Cost ($),Price (€),Lead Time (days)\n"
        "A,Jam,Finished-Good,2.5,6,4\n"
        "00123,Lid,raw material,0.1,,7\n"
    )
    demand = "Date,Item #,Qty.\n2026-01-01,A,3\n"
    ds = load(items=items, demand=demand)
    assert ds.items["unit_cost"].tolist() == [2.5, 0.1]
    assert ds.items["price"].iloc[0] == 6.0
    assert ds.items["lead_time_days"].tolist() == [4.0, 7.0]
    assert ds.items["inventory_type"].tolist() == ["finished_good", "raw_material"]
    assert ds.demand["quantity"].tolist() == [3.0]
    assert not any("ignored column" in n for n in ds.notes)


def test_header_unit_that_contradicts_the_column_is_an_error():
    items = "sku,inventory_type,unit_cost,Lead Time (weeks)\nA,finished_good,1,2\n00123,mro,1,\n"
    p = only(problems_of(items=items, demand=demand_csv(["2026-01-01"])))
    assert (p.file, p.column) == ("items.csv", "Lead Time (weeks)")
    assert "in days, but the header says weeks" in p.expected


# ---------------------------------------------------------------------- keys


def test_sku_that_lost_its_leading_zeros_gets_a_hint():
    text = "date,sku,quantity\n2026-01-01,123,3\n2026-01-01,999,1\n"
    got = problems_of(demand=text)
    assert [(p.row, p.column, p.value) for p in got] == [(2, "sku", "123"), (3, "sku", "999")]
    assert got[0].expected == (
        "a sku listed in items.csv (items.csv has '00123': leading zeros differ; keep the "
        "SKU column as text in your spreadsheet)"
    )
    assert got[1].expected == "a sku listed in items.csv"


# ---------------------------------------------------------------------- speed


def test_many_rows_few_distinct_dates_parse_per_distinct_value(monkeypatch):
    """A big column of day/month/year text is parsed once per distinct day, not per row."""
    import workbench.data._validate as validate

    calls = []
    real = pd.to_datetime

    def spy(arg, *args, **kwargs):
        calls.append(len(arg) if hasattr(arg, "__len__") else 1)
        return real(arg, *args, **kwargs)

    monkeypatch.setattr(validate.pd, "to_datetime", spy)
    rng = np.random.default_rng(7)
    text = pd.Series(pd.date_range("2025-01-01", periods=400).strftime("%d/%m/%Y"))
    column = text.iloc[rng.integers(0, 400, 200_000)].reset_index(drop=True)
    parsed = validate._to_date(column.astype(validate.STR))
    assert not parsed.bad.any() and parsed.values.notna().all()
    assert max(calls) <= 400
