"""The table schemas: complete against the data model, consistent, and documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.data import INVENTORY_TYPES, SCHEMAS, Column
from workbench.data.dictionary import data_dictionary_markdown
from workbench.data.schema import normalize_name, table_for_name

README = Path(__file__).resolve().parents[1] / "sample_data" / "README.md"

# The data model of DESIGN.md and the dataset contract, column for column, in order.
DATA_MODEL = {
    "items": "sku name category inventory_type unit unit_cost price supplier_id lead_time_days "
    "lead_time_sd_days order_cost holding_cost_rate min_order_qty pack_size shelf_life_days "
    "service_level introduced discontinued current_reorder_point current_order_quantity "
    "current_min current_max lot_sizing",
    "demand": "date sku quantity",
    "lots": "sku lot_id received_date quantity unit_cost expiry_date location",
    "suppliers": "supplier_id name lead_time_days lead_time_sd_days on_time_rate min_order_value",
    "purchase_orders": "po_id sku supplier_id order_date promised_date received_date quantity "
    "unit_cost",
    "bom": "parent_sku component_sku quantity_per scrap_rate",
    "counts": "count_date sku location counted_qty",
    "schedule": "sku period_start quantity",
    "production_orders": "order_id sku start_date due_date received_date quantity",
}


def test_tables_and_columns_match_the_data_model():
    assert list(SCHEMAS) == list(DATA_MODEL)
    for name, columns in DATA_MODEL.items():
        assert SCHEMAS[name].column_names == columns.split(), name


def test_only_items_and_demand_are_required():
    assert [t.name for t in SCHEMAS.values() if t.required] == ["items", "demand"]


def test_items_required_columns():
    assert set(SCHEMAS["items"].required_columns) >= {"sku", "unit_cost", "inventory_type"}


def test_inventory_types():
    assert INVENTORY_TYPES == ("raw_material", "wip", "finished_good", "mro")
    assert SCHEMAS["items"].by_name["inventory_type"].allowed == INVENTORY_TYPES


@pytest.mark.parametrize("table", list(SCHEMAS.values()), ids=list(SCHEMAS))
def test_table_is_consistent(table):
    names = table.column_names
    assert len(set(names)) == len(names)
    assert set(table.key) <= set(names)
    accepted = [n for c in table.columns for n in (c.name, *c.aliases)]
    assert len(set(accepted)) == len(accepted), "an alias would match two columns"
    for col in table.columns:
        assert col.meaning, col.name
        assert col.dtype in ("string", "float", "int", "date", "category")
        assert all(a == normalize_name(a) for a in col.aliases), "aliases must be normalized"
        if col.references:
            ref_table, ref_col = col.references.split(".")
            assert ref_col in SCHEMAS[ref_table].column_names
        if col.required:
            assert col.default is None, "a required column has no default"
        if col.default is not None and col.dtype == "float":
            assert col.min is None or col.default >= col.min


def test_sku_columns_are_text_everywhere():
    for table in SCHEMAS.values():
        for col in table.columns:
            if col.name.endswith("sku"):
                assert col.dtype == "string", (table.name, col.name)


def test_documented_defaults():
    items = SCHEMAS["items"].by_name
    assert items["holding_cost_rate"].default == 0.25
    assert items["lead_time_sd_days"].default == 0.0
    assert items["pack_size"].default == 1.0 and items["min_order_qty"].default == 1.0
    assert items["service_level"].default is None


def test_header_matching():
    items = SCHEMAS["items"]
    assert items.match_header("  SKU ") == "sku"
    assert items.match_header("Item_ID") == "sku"
    assert items.match_header("Unit Cost") == "unit_cost"
    assert items.match_header("colour") is None
    assert SCHEMAS["demand"].match_header("QTY") == "quantity"
    assert table_for_name("Purchase Orders") == "purchase_orders"
    assert table_for_name("sales") == "demand"
    assert table_for_name("prices") is None


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (Column("x", "float", min=0), "a number ≥ 0"),
        (
            Column("x", "float", min=0, max=1, min_inclusive=False, max_inclusive=False),
            "a number > 0 and < 1",
        ),
        (Column("x", "date"), "a date such as 2026-10-31"),
        (Column("x", "category", allowed=("a", "b")), "one of a, b"),
        (Column("x", "int", min=1), "a whole number ≥ 1"),
    ],
)
def test_expected_text(column, expected):
    assert column.expected() == expected


def test_readme_is_generated_from_schemas():
    """sample_data/README.md must be exactly what the schemas generate.

    If this fails, run: python -m workbench.data.dictionary
    """
    assert README.read_text(encoding="utf-8") == data_dictionary_markdown()


def test_dictionary_lists_every_column():
    text = data_dictionary_markdown()
    for table in SCHEMAS.values():
        assert f"## `{table.name}`" in text
        for col in table.columns:
            assert f"| `{col.name}` |" in text
