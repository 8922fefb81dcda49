"""The Replenishment and Suppliers tabs in chromium: typing an order quantity updates the
totals and the download; the scorecard and the lead-time chart draw. Fixtures in
conftest.py; screenshots under test-artifacts/."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from workbench.ui._common import decode_data_uri

pytestmark = pytest.mark.browser

WAIT_MS = 60_000  # a shared 2-core machine: a kernel round trip can take seconds


def test_typing_a_quantity_updates_the_totals_and_the_csv(dashboard, open_tab, artifact):
    page = dashboard
    open_tab(page, "Replenishment")
    panel = page.locator(".wb-replenishment")
    total = panel.locator(".wb-rp-total")
    total.wait_for(timeout=WAIT_MS)
    before = total.inner_text()
    assert re.search(r"\$[\d,]+\.\d\d at unit cost", before)
    href0 = panel.locator("a.wb-rp-csv").get_attribute("href")
    first = panel.locator(".wb-rp-line").first
    sku = first.locator(".sku").inner_text().split("\n")[0].strip()
    # the box is labelled for screen readers with its SKU
    box = page.get_by_label(f"Order quantity for {sku}")
    old = float(box.input_value())
    box.fill(str(int(old) + 1000))
    box.press("Enter")
    page.wait_for_function(
        "([sel, old]) => { const e = document.querySelector(sel);"
        " return e && e.innerText.trim() !== old; }",
        arg=[".wb-rp-total", before.strip()],
        timeout=WAIT_MS,
    )
    after = total.inner_text()
    assert "1 quantity changed by you" in after
    page.wait_for_function(  # the link is redrawn after the totals
        "old => { const a = document.querySelector('a.wb-rp-csv');"
        " return a && a.getAttribute('href') !== old; }",
        arg=href0,
        timeout=WAIT_MS,
    )
    href = panel.locator("a.wb-rp-csv").get_attribute("href")
    lines = pd.read_csv(io.BytesIO(decode_data_uri(href)), dtype={"sku": str})
    assert float(lines.loc[lines["sku"] == sku, "quantity"].iloc[0]) == old + 1000
    page.screenshot(path=artifact("replenishment.png"), full_page=True)
    assert [e for e in page.js_errors if "[anywidget] Failed to initialize" not in e] == []


def test_suppliers_tab_draws_the_scorecard_and_lead_times(dashboard, open_tab, artifact):
    page = dashboard
    open_tab(page, "Suppliers")
    panel = page.locator(".wb-suppliers")
    panel.locator(".wb-sp-table").wait_for(timeout=WAIT_MS)
    assert "days" in panel.locator(".wb-sp-table").inner_text()
    panel.locator(".js-plotly-plot").first.wait_for(timeout=WAIT_MS)
    page.screenshot(path=artifact("suppliers-drawing.png"), full_page=True)
    panel.locator(".js-plotly-plot .bars path").first.wait_for(timeout=WAIT_MS)
    assert panel.locator(".js-plotly-plot .bars path").count() >= 1
    assert "quoted lead time" in panel.locator(".js-plotly-plot .legend").text_content()
    page.screenshot(path=artifact("suppliers.png"), full_page=True)
    assert [e for e in page.js_errors if "[anywidget] Failed to initialize" not in e] == []
