"""The "Today vs recommended" tab headless: tables in $ and %, views, simulation, greying."""

from __future__ import annotations

import html
import re

import pytest

import workbench as wb
from workbench.ui import Dashboard
from workbench.ui.today_panel import TodayPanel, today_settings_missing


@pytest.fixture(scope="module")
def small():
    return wb.sample_dataset(n_skus=80, years=1, seed=5)


@pytest.fixture(scope="module")
def bare(small):
    """The same business without today's settings."""
    items = small.items.drop(columns=list(wb.TODAY_COLUMNS))
    return wb.Dataset.from_tables({"items": items, "demand": small.demand}, source="bare")


def test_panel_shows_money_freed_in_dollars_and_service_in_percent(small):
    p = TodayPanel(small)
    ev = p.evaluation
    assert ev is not None and "sim_today_fill_rate" not in ev.skus.columns  # formulas first
    kpis = p.kpis.value
    assert html.escape(ev.note) in kpis
    tot = ev.classes.loc["total"]
    assert f"${abs(tot['money_freed']):,.0f}" in kpis
    assert f"{100 * tot['today_fill_rate']:.1f} %" in kpis
    assert "Money freed (+) / needed (−)" in p.classes_html.value
    for label in ("A", "B", "C", "total"):
        assert f"<td>{label}</td>" in p.classes_html.value
    skus = p.skus_html.value
    assert "Money freed (+) / needed (−)" in skus and "Fill rate today" in skus
    assert re.search(r"<td class=\"num\">-?\$[\d,]+ (freed|needed)</td>", skus)
    assert re.search(r"<td class=\"num\">\d+\.\d %</td>", skus)
    assert re.search(r"<td class=\"num\">[+-]\d+\.\d pts</td>", skus)


def test_views_filter_the_sku_table(small):
    p = TodayPanel(small)
    s = p.evaluation.skus
    p.view.value = "high"
    assert "money the recommendation frees" in p.skus_html.value
    assert "needed</td>" not in p.skus_html.value
    p.view.value = "none"
    n_none = int((s["today_kind"] == "none").sum())
    assert f"Items without settings today ({n_none})" in p.skus_html.value
    p.view.value = "low"
    assert "service the recommendation gains" in p.skus_html.value


def test_simulation_button_adds_the_simulated_figures(small):
    p = TodayPanel(small)
    p.simulate_button.click()
    ev = p.evaluation
    assert "sim_today_fill_rate" in ev.skus.columns
    assert "Simulated" in p.kpis.value and "same draws" in p.sim_status.value
    assert "Simulated fill today" in p.classes_html.value


def test_scenario_comes_from_the_dashboards_plan(small):
    sc = wb.Scenario("tight", service_targets={"A": 0.995, "B": 0.99, "C": 0.98})
    plan = wb.plan(small, sc)
    p = TodayPanel(small, plan=plan)
    assert p.evaluation.settings["scenario"] == "tight"
    base = TodayPanel(small).evaluation.classes.loc["total", "recommended_money"]
    assert p.evaluation.classes.loc["total", "recommended_money"] > base


def test_dashboard_greys_the_tab_out_without_settings(small, bare):
    assert today_settings_missing(small) is None
    assert "current_reorder_point" in today_settings_missing(bare)
    d = Dashboard(bare)
    i = [s.title for s in d.specs].index("Today vs recommended")
    assert d.tab.titles[i] == "Today vs recommended (n/a)"
    assert html.escape("needs today's reorder settings") in d.panels["Today vs recommended"].value
    assert d.tab.titles[-1] == "Scenarios"
    d.dataset = small  # settings arrive: the panel is built
    assert d.tab.titles[i] == "Today vs recommended"
    assert isinstance(d.panels["Today vs recommended"], TodayPanel)
    d.dataset = bare  # and go again
    assert d.tab.titles[i] == "Today vs recommended (n/a)"


def test_dashboard_scenario_change_reaches_the_panel(small):
    d = Dashboard(small)
    panel = d.panels["Today vs recommended"]
    before = panel.evaluation.classes.loc["total", "recommended_money"]
    d.scenario = wb.Scenario("rate", holding_cost_rate=0.5)
    assert panel.evaluation.settings["scenario"] == "rate"
    assert panel.evaluation.classes.loc["total", "recommended_money"] < before


def test_simulation_button_shows_an_error_and_stays_usable(small, monkeypatch):
    """Before: an exception other than ValueError in the click handler was only logged by
    ipywidgets: the user saw nothing happen."""
    p = TodayPanel(small)

    def boom(*args, **kwargs):
        raise RuntimeError("kernel out of memory")

    monkeypatch.setattr(wb, "evaluate_policy", boom)
    p.simulate_button.click()
    assert "The simulation failed" in p.sim_status.value
    assert "RuntimeError: kernel out of memory" in p.sim_status.value
    assert not p.simulate_button.disabled
