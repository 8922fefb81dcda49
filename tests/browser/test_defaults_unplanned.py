"""Real-world files in the browser: the values filled in and the items that cannot be
planned are shown in the Data tab, and the Summary's figures say whom they cover."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

ITEMS = (
    "sku,name,inventory_type,unit,unit_cost,lead_time_days\n"
    "M1,Whole milk,finished_good,litres,1.10,5\n"
    "F1,Flour,raw_material,kg,0.80,\n"
    "J1,Jar,raw_material,each,0.30,3\n"
)


def shop_files() -> dict[str, bytes]:
    """Three items, no cost columns (defaults filled in), Flour without a lead time."""
    demand = ["date,sku,quantity"]
    for day in range(1, 29):
        for k, sku in enumerate(("M1", "F1", "J1")):
            demand.append(f"2026-02-{day:02d},{sku},{(day * (k + 3)) % 7 + 1}")
    return {"items.csv": ITEMS.encode(), "demand.csv": ("\n".join(demand) + "\n").encode()}


def test_filled_defaults_and_unplanned_items_are_shown(dashboard, open_tab, artifact):
    page = dashboard
    with page.expect_file_chooser() as chooser:
        page.locator("button.wb-upload").click()
    chooser.value.set_files(
        [{"name": n, "mimeType": "text/csv", "buffer": b} for n, b in shop_files().items()]
    )
    page.locator(".wb-message .wb-ok", has_text="3 SKUs").wait_for()
    defaults = page.locator(".wb-defaults")
    defaults.get_by_text("holding_cost_rate: 25 % a year for all 3 items").wait_for()
    assert "order_cost: $50 per order for all 3 items (no column in items.csv)" in (
        defaults.inner_text()
    )
    unplanned = page.locator(".wb-data-unplanned")
    unplanned.get_by_text("1 of 3 items cannot be planned:").wait_for()
    assert "Flour" in unplanned.inner_text() and "no lead time" in unplanned.inner_text()
    page.screenshot(path=artifact("data-defaults-unplanned.png"), full_page=True)

    summary = open_tab(page, "Summary")
    plan = summary.locator(".wb-plan-kpis")
    plan.get_by_text("2 of 3 items").first.wait_for()
    text = plan.inner_text()
    assert "The figures cover the 2 of 3 items that could be planned" in text
    assert "F1" in text and "Flour" in text
    page.screenshot(path=artifact("summary-unplanned.png"), full_page=True)
    assert [e for e in page.js_errors if "[anywidget] Failed to initialize" not in e] == []
