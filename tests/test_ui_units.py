"""Panels label one item's quantities in its own unit (litres, kg), "units" otherwise."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.ui._common import sku_units, unit_label
from workbench.ui.abc_panel import ABCPanel
from workbench.ui.eoq_panel import EOQPanel
from workbench.ui.safety_panel import SafetyPanel
from workbench.ui.stock_panel import _exception_html


@pytest.fixture(scope="module")
def shop() -> wb.Dataset:
    """Five items in litres, kg and plain units; O1 has no lead time."""
    items = pd.DataFrame(
        {
            "sku": ["M1", "F1", "J1", "O1", "S1"],
            "name": ["Whole milk", "Flour", "Jar", "Olive oil", "Sugar"],
            "inventory_type": [
                "finished_good",
                "raw_material",
                "raw_material",
                "finished_good",
                "raw_material",
            ],
            "unit": ["litres", "kg", "each", "litres", None],
            "unit_cost": [1.10, 0.80, 0.30, 6.50, 0.95],
            "lead_time_days": [5.0, 2.0, 3.0, np.nan, 4.0],
        }
    )
    days = pd.date_range("2026-01-01", periods=90)
    rng = np.random.default_rng(7)
    demand = pd.DataFrame(
        {
            "date": np.repeat(days, 5),
            "sku": list(items["sku"]) * len(days),
            "quantity": rng.integers(1, 20, 5 * len(days)),
        }
    )
    return wb.Dataset.from_tables({"items": items, "demand": demand})


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def test_unit_labels():
    assert [unit_label(u) for u in ("kg", " litres ", "each", "EA", "", None, np.nan)] == [
        "kg",
        "litres",
        "units",
        "units",
        "units",
        "units",
        "units",
    ]
    items = pd.DataFrame({"sku": ["a", "b", "c"], "unit": ["kg", None, "each"]})
    assert sku_units(items).to_dict() == {"a": "kg", "b": "units", "c": "units"}
    assert sku_units(items.drop(columns="unit")).tolist() == ["units"] * 3


def test_eoq_panel_uses_the_items_unit(shop):
    p = EOQPanel(shop, sku="F1")
    assert p.result["unit"] == "kg"
    assert "Q* [kg]" in text_of(p.numbers.value)
    assert text_of(p.numbers.value).rstrip().endswith("kg")  # the 5 % band
    assert p.demand.description == "Annual demand D [kg a year]"
    assert p.unit_cost.description == "Unit cost c [$/kg]"
    assert p.fig.layout.xaxis.title.text == "order quantity Q [kg]"
    p.sku.value = "J1"  # "each": plain units
    assert "Q* [units]" in text_of(p.numbers.value)
    assert p.fig.layout.xaxis.title.text == "order quantity Q [units]"
    assert p.unit_cost.description == "Unit cost c [$/unit]"
    p.sku.value = "(free parameters)"
    assert p.result["unit"] == "units"


def test_safety_panel_uses_the_items_unit_and_flags_an_unplanned_item(shop):
    p = SafetyPanel(shop, sku="M1")
    text = text_of(p.numbers.value)
    assert "Safety stock [litres]" in text and "Reorder point s [litres]" in text
    assert p.order_quantity.description == "Order quantity Q [litres]"
    assert p.fig.layout.xaxis.title.text == "litres demanded during L"
    assert p.fig.data[4].name == "safety stock [litres]"
    assert "not planned" not in text
    p.sku.value = "O1"  # no lead time: the panel shows the slider's lead time
    text = text_of(p.numbers.value)
    assert "O1 is not planned: it has no lead time" in text
    assert "not the plan's" in text
    p.sku.value = "S1"  # blank unit
    assert "Safety stock [units]" in text_of(p.numbers.value)


def test_abc_table_shows_each_items_unit(shop):
    p = ABCPanel(shop)
    table = p.result.set_index("sku")["unit"].to_dict()
    assert table == {"M1": "litres", "F1": "kg", "J1": "units", "O1": "litres", "S1": "units"}
    text = text_of(p.table.value)
    assert "demand a year unit" in text and "units/yr" not in text
    assert re.search(r"F1 Flour .* kg ", text)


def test_stock_exception_tables_gain_a_unit_column():
    table = pd.DataFrame({"on_hand_units": [3.0, 4.0]}, index=pd.Index(["F1", "J1"], name="sku"))
    units = pd.Series({"F1": "kg", "J1": "units"})
    out = _exception_html("dead_stock", table, "2026-03-31", 10, units)
    assert "<th>SKU</th><th>unit</th><th>on hand units</th>" in out
    assert "<td>F1</td><td>kg</td>" in out
    # all plain units: no column that says nothing
    plain = _exception_html("dead_stock", table, "2026-03-31", 10, units.replace("kg", "units"))
    assert "<th>unit</th>" not in plain
