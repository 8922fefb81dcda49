"""The Forecast tab in the Voila dashboard, driven in Debian's chromium.

Opening the tab draws the history, fitted values, forecast and ranges of the item with
the largest demand at cost, with the model ``wb.forecast`` chose and every model's
tested errors; picking another item redraws the chart and shows that item's model and
forecast total. Fixtures are in conftest.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import workbench as wb
from workbench.forecasting import MODELS
from workbench.ui.forecast_panel import MODEL_LABELS

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
#: The tab's first build forecasts and backtests every item (numba kernels loaded from
#: the cache): seconds on a quiet machine, much more on a loaded one.
BUILD_MS = 240_000
REDRAW_MS = 60_000
#: The tab's plotly chart (anywidget's figure does not carry the widget's CSS classes).
CHART = ".wb-forecast-panel .js-plotly-plot"


@pytest.fixture(scope="module")
def sample_forecast():
    ds = wb.load_dataset(REPO / "sample_data")
    return wb.forecast(ds)


def sku_of(label: str) -> str:
    """The SKU of a dropdown option "SKU · name" (the page writes its spaces as nbsp)."""
    return label.replace("\xa0", " ").split(" · ")[0].strip()


def total_shown(panel) -> float:
    text = panel.locator(".wb-fc-numbers").inner_text().replace("\xa0", " ")
    found = re.search(r"([\d,.]+) \S+ in total", text)  # in the item's unit
    assert found, text
    return float(found.group(1).replace(",", ""))


def test_forecast_tab_shows_the_chart_and_numbers_and_follows_the_item(
    dashboard, open_tab, artifact, sample_forecast
):
    page = dashboard
    open_tab(page, "Forecast")
    panel = page.locator(".wb-forecast-panel")
    panel.locator(".wb-fc-backtest-table").wait_for(timeout=BUILD_MS)
    panel.locator(".js-plotly-plot path.js-line").first.wait_for(timeout=BUILD_MS)
    page.wait_for_function(
        "(sel) => Array.from(document.querySelectorAll(sel + ' path.js-line'))"
        ".filter(p => (p.getAttribute('d') || '').length > 20).length >= 3",
        arg=CHART,
        timeout=REDRAW_MS,
    )  # history, fitted and forecast drawn with data
    models = sample_forecast.models

    select = panel.locator(".wb-fc-sku select")
    first_label = select.locator("option:checked").inner_text()
    sku0 = sku_of(first_label)
    numbers = panel.locator(".wb-fc-numbers").inner_text()
    assert MODEL_LABELS[models.loc[sku0, "model"]] in numbers
    assert "units per day" in numbers and "80 % range" in numbers
    f = sample_forecast.forecast
    assert total_shown(panel) == pytest.approx(
        f.loc[f["sku"] == sku0, "forecast"].sum(), rel=5e-3, abs=5e-3
    )
    rows = panel.locator(".wb-fc-backtest-table tbody tr")
    assert rows.count() == len(MODELS)
    assert panel.locator(".wb-fc-backtest-table .wb-fc-used").count() == 1
    assert sku0 in panel.locator(".js-plotly-plot .gtitle").text_content()
    legend = panel.locator(".js-plotly-plot .legendtext").all_text_contents()
    assert {"demand (history)", "forecast", "80 % range", "95 % range"} <= set(legend)
    page.screenshot(path=artifact("forecast-first-item.png"), full_page=True)

    # Another item, with another model: the chart and the numbers follow.
    labels = select.locator("option").all_inner_texts()
    other = next(
        lab for lab in labels[1:] if models.loc[sku_of(lab), "model"] != models.loc[sku0, "model"]
    )
    sku1 = sku_of(other)
    title0 = panel.locator(".js-plotly-plot .gtitle").text_content()
    select.select_option(label=other)
    page.wait_for_function(
        "([sel, old, sku]) => { const t = document.querySelector(sel + ' .gtitle');"
        " return t && t.textContent !== old && t.textContent.includes(sku); }",
        arg=[CHART, title0, sku1],
        timeout=REDRAW_MS,
    )
    page.wait_for_function(
        "(label) => { const e = document.querySelector('.wb-fc-numbers');"
        " return e && e.innerText.includes(label); }",
        arg=MODEL_LABELS[models.loc[sku1, "model"]],
        timeout=REDRAW_MS,
    )
    assert total_shown(panel) == pytest.approx(
        f.loc[f["sku"] == sku1, "forecast"].sum(), rel=5e-3, abs=5e-3
    )
    assert panel.locator(".wb-fc-backtest-table tbody tr").count() == len(MODELS)
    page.screenshot(path=artifact("forecast-other-item.png"), full_page=True)
    errors = [e for e in page.js_errors if "anywidget" in e or "Error" in e]
    assert errors == [], f"JavaScript errors in the page: {errors[:3]}"
