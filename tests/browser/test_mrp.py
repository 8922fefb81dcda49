"""The MRP tab in chromium: the action messages and the planned orders draw, the item's
chart draws its bars, picking another item redraws it, and the CSV link carries the
planned orders. Fixtures in conftest.py; screenshots under test-artifacts/."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from workbench.ui._common import decode_data_uri

pytestmark = pytest.mark.browser

WAIT_MS = 60_000  # a shared 2-core machine: a kernel round trip can take seconds


def test_mrp_tab_draws_actions_orders_and_the_item_chart(dashboard, open_tab, artifact):
    page = dashboard
    open_tab(page, "MRP")
    panel = page.locator(".wb-mrp")
    panel.locator(".wb-mrp-actions h4").wait_for(timeout=WAIT_MS)
    assert "Action messages" in panel.locator(".wb-mrp-actions").inner_text()
    assert "Orders to place, by week and supplier" in panel.locator(".wb-mrp-orders").inner_text()
    href = panel.locator(".wb-mrp-downloads a").get_attribute("href")
    orders = pd.read_csv(io.BytesIO(decode_data_uri(href)))
    assert len(orders) > 0 and {"Release week", "Supplier", "Quantity"} <= set(orders.columns)
    chart = panel.locator(".js-plotly-plot").first
    chart.locator(".bars path").first.wait_for(timeout=WAIT_MS)
    title0 = chart.locator(".gtitle").text_content()
    page.screenshot(path=artifact("mrp.png"), full_page=True)
    select = page.get_by_label("Item")
    options = select.locator("option").all_inner_texts()
    assert len(options) > 1
    select.select_option(index=1)
    page.wait_for_function(
        "old => { const t = document.querySelector('.wb-mrp .js-plotly-plot .gtitle');"
        " return t && t.textContent !== old; }",
        arg=title0,
        timeout=WAIT_MS,
    )
    sku = options[1].replace("\xa0", " ").split(" · ")[0]  # the browser keeps &nbsp;
    assert sku in chart.locator(".gtitle").text_content()
    assert [e for e in page.js_errors if "[anywidget] Failed to initialize" not in e] == []
