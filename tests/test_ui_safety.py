"""The safety-stock panel headless: each control moves the trait, the text and the
figures as wb.reorder_point / wb.lead_time_demand say."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import workbench as wb
from workbench.ui.safety_panel import SERVICE_GRID, SafetyPanel


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def expected(panel, service_level=None):
    p = panel.parameters()
    return wb.reorder_point(
        p["demand_mean"],
        p["demand_sd"],
        lead_time_days=p["lead_time_days"],
        lead_time_sd_days=p["lead_time_sd_days"],
        service_level=p["service_level"] if service_level is None else service_level,
        service_type=p["service_type"],
        order_quantity=p["order_quantity"],
    )


@pytest.fixture(scope="module")
def shipped():
    return wb.load_dataset("sample_data")


def test_teaching_defaults_are_circuit_town():
    # Heizer & Render, Circuit Town 9-volt batteries: 150 a day (sd 16), L = 5 (sd 1):
    # sigma_L = sqrt(5 * 16^2 + 150^2 * 1^2) = 154.2 (wb.lead_time_demand's doctest).
    p = SafetyPanel()
    assert_allclose(p.result["lead_time_demand_mean"], 750.0)
    assert_allclose(p.result["lead_time_demand_sd"], 154.2, atol=0.05)  # book rounds to 0.1
    assert_allclose(p.result["safety_factor"], stats.norm.ppf(0.95), rtol=1e-9)
    assert "154.21" in text_of(p.formula.value)


@pytest.mark.parametrize(
    "control, value",
    [
        ("service_level", 0.99),
        ("demand_sd", 40.0),
        ("lead_time", 10.0),
        ("lead_time_sd", 2.5),
        ("demand_mean", 200.0),
    ],
)
def test_each_control_moves_safety_stock(control, value):
    p = SafetyPanel()
    before = p.result["safety_stock"]
    before_curve = np.array(p.fig.data[4].y)
    getattr(p, control).value = value
    r = expected(p)
    assert p.result["safety_stock"] != before
    assert_allclose(p.result["safety_stock"], r.safety_stock, rtol=1e-12)
    assert_allclose(p.result["reorder_point"], r.reorder_point, rtol=1e-12)
    assert f"{r.reorder_point:,.1f}" in text_of(p.formula.value)
    assert f"{r.safety_stock:,.1f}" in text_of(p.numbers.value)
    if control != "service_level":  # the curve moves with the item, not with the target
        assert not np.allclose(before_curve, np.array(p.fig.data[4].y))


def test_curve_is_reorder_point_on_the_grid_and_marks_the_target():
    p = SafetyPanel()
    p.service_level.value = 0.9
    h = p.result["holding_cost"]
    grid = expected(p, SERVICE_GRID)
    assert_allclose(p.fig.data[4].x, SERVICE_GRID)
    assert_allclose(p.fig.data[4].y, grid.safety_stock, rtol=1e-12)
    # Its holding cost is the same curve times H: carried in the hover, not drawn.
    assert_allclose(p.fig.data[4].customdata, np.asarray(grid.safety_stock) * h, rtol=1e-12)
    assert_allclose(p.fig.data[5].x, [0.9])
    assert_allclose(p.fig.data[5].y, [expected(p).safety_stock], rtol=1e-12)
    # Safety stock never falls as the service level rises.
    assert np.all(np.diff(np.asarray(p.fig.data[4].y)) >= 0)
    assert_allclose(p.result["safety_stock_holding_cost"], p.result["safety_stock"] * h)


def test_distribution_tail_starts_at_the_reorder_point():
    p = SafetyPanel()
    mu, sd, s = (
        p.result[k] for k in ("lead_time_demand_mean", "lead_time_demand_sd", "reorder_point")
    )
    x = np.asarray(p.fig.data[0].x)
    assert_allclose(p.fig.data[0].y, stats.norm.pdf(x, mu, sd), rtol=1e-12)
    tail = np.asarray(p.fig.data[1].x)
    assert tail[0] == pytest.approx(s) and tail.min() >= s - 1e-9
    assert_allclose(p.fig.data[2].x, [s, s])
    # The shaded tail's probability is 1 - alpha for a cycle target.
    assert 1 - stats.norm.cdf(s, mu, sd) == pytest.approx(0.05, abs=1e-9)
    p.service_level.value = 0.8
    assert p.fig.data[1].x[0] == pytest.approx(expected(p).reorder_point)


def test_fill_rate_toggle():
    # Nahmias, Harvey's Specialty Shop: 98 % fill rate with Q = 100 gives R = 125.5
    # (wb.reorder_point's doctest, the item per day over a 182.5-day lead time).
    p = SafetyPanel(
        demand_mean=100 / 182.5,
        demand_sd=25 / 182.5**0.5,
        lead_time_days=182.5,
        lead_time_sd_days=0.0,
        order_quantity=100.0,
        service_level=0.98,
    )
    cycle_ss = p.result["safety_stock"]
    p.service_type.value = "fill_rate"
    assert p.result["service_type"] == "fill_rate"
    assert_allclose(p.result["reorder_point"], 125.5, atol=0.05)  # book rounds to 0.1
    assert_allclose(p.result["fill_rate"], 0.98, rtol=1e-6)
    assert p.result["safety_stock"] < cycle_ss
    assert "G(k)" in text_of(p.formula.value)
    assert p.fig.layout.xaxis2.title.text == "fill rate target"


def test_no_uncertainty_gives_no_safety_stock():
    p = SafetyPanel()
    p.demand_sd.value = 0.0
    p.lead_time_sd.value = 0.0
    assert p.result["safety_stock"] == 0.0
    assert len(p.fig.data[1].x) == 0


def test_opens_a_sku_as_the_plan_does(shipped):
    p = SafetyPanel(shipped)
    plan = wb.plan(shipped)
    sku = p.sku.value
    assert sku != "(free parameters)"

    def textbook(row, service_type="cycle"):  # the continuous-review formula the panel teaches
        return wb.reorder_point(
            row["daily_mean"],
            row["daily_sd"],
            lead_time_days=row["lead_time_days"],
            lead_time_sd_days=row["lead_time_sd_days"],
            service_level=row["service_target"],
            service_type=service_type,
            order_quantity=max(row["order_quantity"], 1.0),
        ).reorder_point

    row = plan.loc[sku]
    assert_allclose(p.result["reorder_point"], textbook(row), rtol=1e-9)
    # beside it, the plan's own reorder point (daily review, undershoot, its distribution)
    assert_allclose(p.result["plan_reorder_point"], row["reorder_point"], rtol=1e-12)
    assert f"s = {row['reorder_point']:,.1f}" in p.numbers.value
    for other in plan.index[[3, 40, 120, 200]]:  # items with and without their own level
        p.sku.value = other
        assert_allclose(p.result["reorder_point"], textbook(plan.loc[other]), rtol=1e-9)
        assert_allclose(p.result["plan_reorder_point"], plan.loc[other, "reorder_point"])
        assert_allclose(p.result["service_level"], plan.loc[other, "service_target"])
    # The dashboard's plan under a fill-rate scenario: the toggle follows it.
    fr = wb.plan(shipped, wb.Scenario(service_type="fill_rate"))
    p.set_plan(fr)
    assert p.service_type.value == "fill_rate" and p.sku.value == other
    assert_allclose(p.result["reorder_point"], textbook(fr.loc[other], "fill_rate"), rtol=1e-9)
    assert_allclose(p.result["plan_reorder_point"], fr.loc[other, "reorder_point"])
    p.set_dataset(None)
    assert p.sku.value == "(free parameters)"
    assert_allclose(p.result["lead_time_demand_mean"], 750.0)
    assert np.isnan(p.result["plan_reorder_point"]) and "ss-plan-note" not in p.numbers.value


def test_panel_contract():
    p = SafetyPanel()
    assert "ss-panel" in p._dom_classes and "ss-service-level" in p.service_level._dom_classes
    assert len(p.fig.data) == 6  # one FigureWidget: each one ships plotly.js to the page
