"""Notebook 09_replenishment: committed clean, and what it says of the dashboard is true.

The notebook itself runs under nbval (``make notebooks``); these checks are fast.
"""

import json
from pathlib import Path

from workbench.ui.app import TABS

NB = Path(__file__).resolve().parents[1] / "notebooks" / "09_replenishment.ipynb"


def _cells() -> list[dict]:
    return json.loads(NB.read_text(encoding="utf-8"))["cells"]


def test_stripped_and_without_definitions():
    for cell in _cells():
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
            src = "".join(cell["source"])
            assert "def " not in src and "class " not in src


def test_what_it_says_of_the_dashboard_is_true():
    """The notebook names the Replenishment and Suppliers tabs: they exist, and the
    Replenishment panel has what the sentence claims (filters, editable quantities,
    CSV and Excel downloads)."""
    text = " ".join("".join(c["source"]) for c in _cells() if c["cell_type"] == "markdown")
    assert "the **Replenishment** tab shows this order list" in text
    assert "the **Suppliers** tab shows the scorecards" in text
    titles = [t.title for t in TABS]
    assert "Replenishment" in titles and "Suppliers" in titles
    from workbench.ui.replenishment_panel import ReplenishmentPanel

    for name in ("supplier", "abc", "set_quantity", "excel_bytes", "order_lines"):
        assert (
            hasattr(ReplenishmentPanel, name)
            or name in ReplenishmentPanel.__init__.__code__.co_names
        )


def test_calls_the_package_it_teaches():
    code = " ".join("".join(c["source"]) for c in _cells() if c["cell_type"] == "code")
    for call in ("wb.replenishment(", "wb.supplier_performance(", 'lead_time_source="history"',
                 "rounded_by", "draft_orders"):  # fmt: skip
        assert call in code, call
