"""Notebook 08_mrp: committed clean, thin, and calling the package it teaches.

The notebook itself runs under nbval (``make notebooks``); these checks are fast.
"""

import json
from pathlib import Path

import pandas as pd

import workbench as wb

NB = Path(__file__).resolve().parents[1] / "notebooks" / "08_mrp.ipynb"


def _cells() -> list[dict]:
    return json.loads(NB.read_text(encoding="utf-8"))["cells"]


def test_stripped_and_without_definitions():
    for cell in _cells():
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
            src = "".join(cell["source"])
            assert "def " not in src and "class " not in src


def test_calls_the_package_it_teaches():
    code = " ".join("".join(c["source"]) for c in _cells() if c["cell_type"] == "code")
    for call in ("wb.mrp(", "wb.lot_size(", ".record(", ".pegging", ".actions",
                 'lot_sizing="wagner_whitin"', ".mro_items", "../sample_data"):  # fmt: skip
        assert call in code, call


def test_what_the_text_says_of_the_toy_product_is_true():
    """The markdown's figures for the three-level product: 20 A in stock leave 30 to make
    for week 8, E is on two levels (code 2), the open order of E is expedited."""
    text = " ".join("".join(c["source"]) for c in _cells() if c["cell_type"] == "markdown")
    text = " ".join(text.split())
    assert "only 30 are made for week 8" in text and "low-level code is 2" in text
    code = "".join(
        next(
            "".join(c["source"])
            for c in _cells()
            if "wb.Dataset.from_tables" in "".join(c["source"])
        )
    )
    scope: dict = {"pd": pd, "wb": wb}
    exec(code.rsplit("\n", 2)[0], scope)  # the cell without its display line
    plan = scope["plan"]
    assert plan.record("A").loc["planned_receipts"].tolist()[7] == 30
    assert plan.summary.loc["E", "low_level_code"] == 2
    assert plan.actions.set_index("sku").loc["E", "action"] == "expedite"


def test_lot_for_lot_costs_what_the_text_says():
    """Heizer & Render's example as the notebook states it: 7 set-ups, $700 lot-for-lot;
    Wagner-Whitin no dearer than any other rule."""
    text = " ".join(" ".join("".join(c["source"]) for c in _cells()).split())
    assert "Lot-for-lot costs 7 set-ups, \\$700" in text
    need = [0, 30, 40, 0, 10, 40, 30, 0, 30, 55]
    assert f"need = {need}" in text
    l4l = wb.lot_size(need, method="lot_for_lot", order_cost=100, holding_cost=1)
    assert (l4l.receipts > 0).sum() == 7 and l4l.total_cost == 700
    ww = wb.lot_size(need, method="wagner_whitin", order_cost=100, holding_cost=1).total_cost
    for m in wb.LOT_SIZING_METHODS:
        if m != "fixed_order_quantity":
            assert ww <= wb.lot_size(need, method=m, order_cost=100, holding_cost=1).total_cost
