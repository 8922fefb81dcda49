"""The Forecast tab headless: what it shows is what wb.forecast and wb.backtest give,
in words and formatted numbers; the plan-source switch sets the dashboard's scenario."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.forecasting import MODELS
from workbench.ui import Dashboard
from workbench.ui._common import fmt_number
from workbench.ui.forecast_panel import (
    CLASS_WORDS,
    FORECAST_COLORS,
    MODEL_LABELS,
    ForecastPanel,
)


@pytest.fixture(scope="module")
def small():
    return wb.sample_dataset(n_skus=80, years=1, seed=5)


@pytest.fixture(scope="module")
def panel(small):
    return ForecastPanel(small, plan=wb.plan(small))


@pytest.fixture(scope="module")
def expected(small):
    return wb.forecast(small), wb.backtest(small, horizon=28, windows=3)


def cells(markup: str) -> list[str]:
    return [
        html.unescape(re.sub("<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", markup)
    ]


def test_first_item_shows_the_forecast_of_the_package(panel, small, expected):
    fc, _ = expected
    s = panel.shown
    sku = s["sku"]
    assert s["view"] == "sku" and panel.sku.value == sku
    # The first item offered is the one with the largest demand at cost.
    bd = wb.demand_history(small)
    cost = small.items.set_index("sku")["unit_cost"].reindex(bd.skus).to_numpy()
    assert sku == str(bd.skus[np.argmax(np.nansum(bd.quantity, axis=1) * cost)])
    assert s["model"] == fc.models.loc[sku, "model"]
    mine = fc.forecast[fc.forecast["sku"] == sku]
    assert s["horizon"] == 28 and s["bucket"] == "day"
    assert_allclose(s["forecast_total"], mine["forecast"].sum(), rtol=1e-12)
    d = panel.fig.data
    assert_allclose(d[6].y, mine["forecast"].to_numpy(), rtol=1e-12)  # forecast line
    assert_allclose(d[2].y, mine["lo_95"].to_numpy(), rtol=1e-12)  # 95 % band
    assert_allclose(d[3].y, mine["hi_95"].to_numpy(), rtol=1e-12)
    assert_allclose(d[4].y, mine["lo_80"].to_numpy(), rtol=1e-12)  # 80 % band
    assert_allclose(d[5].y, mine["hi_80"].to_numpy(), rtol=1e-12)
    i = list(bd.skus.astype(str)).index(sku)
    hist = bd.quantity[i, bd.first[i] :]
    assert_allclose(d[0].y, hist)  # the history, from the item's first demand
    # fitted values from the second bucket (Holt-Winters: after its first two seasons)
    start = 2 * 7 if s["model"].startswith("holt_winters") else 1
    assert d[1].visible is not False and np.isfinite(np.asarray(d[1].y, float)[start:]).all()
    assert len(d[0].x) == len(d[1].x) == len(hist)
    assert pd.Timestamp(d[6].x[0]) == (bd.periods[-1] + 1).to_timestamp()
    assert d[0].name == "demand (history)" and d[6].name == "forecast"
    assert panel.fig.layout.yaxis.title.text == "Demand (units per day)"


def test_numbers_are_in_words_with_units(panel, expected):
    s = panel.shown
    text = html.unescape(re.sub("<[^>]+>", " ", panel.numbers.value))
    assert MODEL_LABELS[s["model"]] in text
    assert CLASS_WORDS[s["demand_class"]] in text
    total = float(re.search(r"([\d,.]+) units in total", text).group(1).replace(",", ""))
    assert total == pytest.approx(s["forecast_total"], rel=5e-3, abs=5e-3)
    assert "units per day" in text and "80 % range" in text and "95 % range" in text
    assert not re.search(r"\d\.\d{3,}", text)  # no raw floats
    _, bt = expected
    assert_allclose(s["cum_rmse"], bt.loc[(s["sku"], s["model"]), "cum_rmse"], rtol=1e-12)
    shown = float(re.search(r"± ([\d,.]+) units", text).group(1).replace(",", ""))
    assert shown == pytest.approx(s["cum_rmse"], rel=5e-3, abs=5e-3)  # rounded for reading


def test_backtest_table_has_every_model_formatted_and_the_used_one_marked(panel, expected):
    _, bt = expected
    s = panel.shown
    markup = panel.backtest_html.value
    assert markup.count("✓ used") == 1 and "wb-fc-chosen" in markup
    assert len(s["backtest"]) == len(MODELS)
    mine = bt.xs(s["sku"], level="sku")
    for row in s["backtest"]:
        assert_allclose(row["rmse"], mine.loc[row["model"], "rmse"], rtol=1e-12)
        assert_allclose(row["mase"], mine.loc[row["model"], "mase"], rtol=1e-12)
    rmse = [r["rmse"] for r in s["backtest"]]
    assert rmse == sorted(rmse)  # sorted by the root mean square miss
    values = cells(markup)
    first = s["backtest"][0]
    assert values[:6] == [
        first["label"] + (" ✓ used" if first["used"] else "")
        + ("" if first["candidate"] else " (not for this class)"),
        *(fmt_number(first[k], 2) for k in ("mae", "rmse", "mase", "bias", "cum")),
    ]  # fmt: skip
    head = html.unescape(markup)
    assert (
        "Average miss (units per day)" in head and "Tested on the last 3 periods of 28 days" in head
    )


def test_changing_the_item_redraws(small, expected):
    fc, _ = expected
    p = ForecastPanel(small)
    first = p.shown["sku"]
    y0 = np.asarray(p.fig.data[6].y).copy()
    other = next(
        v for _, v in p.sku.options if v != first and fc.models.loc[v, "model"] != p.shown["model"]
    )
    p.sku.value = other
    assert p.shown["sku"] == other and p.shown["model"] == fc.models.loc[other, "model"]
    mine = fc.forecast[fc.forecast["sku"] == other]["forecast"].to_numpy()
    assert_allclose(p.fig.data[6].y, mine, rtol=1e-12)
    assert not np.array_equal(y0, mine)
    assert p.fig.layout.title.text.startswith(other)


def test_class_view_adds_items_at_cost_without_ranges(small, expected):
    fc, _ = expected
    p = ForecastPanel(small)
    p.view.value = "class"
    assert p.klass.layout.display is None and p.sku.layout.display == "none"
    klass = p.klass.value
    members = fc.models.index[fc.models["demand_class"] == klass].astype(str)
    cost = small.items.set_index("sku")["unit_cost"]
    f = fc.forecast[fc.forecast["sku"].isin(members)]
    total = (f["forecast"] * f["sku"].map(cost)).sum()
    s = p.shown
    assert s["view"] == "class" and s["items"] == len(members) and s["unit"] == "$"
    assert_allclose(s["forecast_total"], total, rtol=1e-9)
    assert s["models"] == fc.models.loc[members, "model"].value_counts().to_dict()
    assert p.fig.data[1].visible is False and p.fig.data[3].visible is False
    assert "range of a total" in p.message.value
    assert p.fig.layout.yaxis.title.text == "Demand at cost ($ per day)"
    rows = s["backtest"]
    assert sum(r["used"] for r in rows) == len(members)
    assert sum(r["best"] for r in rows) <= len(members)


def test_empty_states_say_what_to_do(small):
    none = wb.Dataset.from_tables({"items": small.items, "demand": small.demand.assign(quantity=0)})
    p = ForecastPanel(none)
    assert "no demand history to forecast" in p.empty.value and "Data tab" in p.empty.value
    assert p.controls.layout.display == "none" and p.shown == {}
    assert "No demand history to draw" in p.fig.layout.annotations[0].text
    assert all(len(t.y) == 0 for t in p.fig.data)

    gone = str(small.items["sku"].iloc[3])
    ds = wb.Dataset.from_tables(
        {"items": small.items, "demand": small.demand[small.demand["sku"] != gone]}
    )
    p = ForecastPanel(ds)
    p.sku.value = gone
    assert "has no demand in the history" in p.message.value
    assert "no demand in the history" in p.fig.layout.annotations[0].text
    assert all(len(t.y) == 0 for t in p.fig.data) and p.fig.layout.xaxis.visible is False
    p.sku.value = p.sku.options[0][1]
    assert len(p.fig.layout.annotations) == 0 and len(p.fig.data[6].y) == 28


def test_controls_have_labels_and_colours_are_readable_in_both_themes(panel):
    for w in (panel.view, panel.sku, panel.klass, panel.source):
        assert w.description  # what a screen reader reads beside the control

    def lum(hex_colour: str) -> float:
        c = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
        c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return float(c @ [0.2126, 0.7152, 0.0722])

    def contrast(a: str, b: str) -> float:  # WCAG 2.1
        hi, lo = sorted((lum(a), lum(b)), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    for colour in FORECAST_COLORS.values():
        assert contrast(colour, "#ffffff") > 3 and contrast(colour, "#111111") > 3


def test_switch_sets_the_dashboards_scenario_and_follows_it(small):
    d = Dashboard(small)
    p = d.panels["Forecast"]
    assert isinstance(p, ForecastPanel) and "Forecast" in d.tab.titles
    assert p.source.value == "history"
    assert "Active scenario: <b>baseline</b>" in p.source_note.value
    assert f"uses the history for {len(small.items)} items" in p.source_note.value
    p.source.value = "forecast"
    assert d.scenario.demand_source == "forecast"
    assert d.plan.attrs["scenario"]["demand_source"] == "forecast"
    assert d.scenario_panel.current.demand_source == "forecast"
    d.scenario = wb.Scenario(name="cautious", demand_source="history")
    assert p.source.value == "history" and p.applied.demand_source == "forecast"
    assert "Active scenario: <b>cautious</b>" in p.source_note.value
    # The Data tab lists what the tab is for.
    assert "Demand forecasts per item" in d.data_panel.capabilities.value
    guide = html.unescape(d.data_panel.orientation.value)
    assert "Forecast" in guide and "each item's demand forecast" in guide


def test_switching_the_plans_demand_source_moves_the_reorder_points_in_the_other_tabs(small):
    d = Dashboard(small)
    before = d.plan["reorder_point"].to_numpy(float).copy()
    summary = dict(d.panels["Summary"].plan_summary)
    d.panels["Forecast"].source.value = "forecast"
    after = d.plan["reorder_point"].to_numpy(float)
    assert (d.plan["demand_source"] == "forecast").any()
    both = np.isfinite(before) & np.isfinite(after)
    assert both.any() and not np.allclose(before[both], after[both])
    assert d.panels["Summary"].plan_summary["investment"] != summary["investment"]
    assert "uses the forecast for" in d.panels["Forecast"].source_note.value


def test_module_import_does_not_import_numba():
    code = (
        "import sys; import workbench.ui.forecast_panel; "
        "print(sorted(m for m in ('numba', 'llvmlite') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
