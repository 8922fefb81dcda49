"""The trade-off panel headless: sliders move the scenario point and the frontier as
wb.plan_from_stats / plan_summary / service_frontier say; the button runs the simulation
with progress and overlays what it delivered, and sets wb.plan_check's planned against
simulated service per ABC class beside each other."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.ui.tradeoff_panel import SIMULATED_LEVELS, TradeoffPanel


@pytest.fixture(scope="module")
def shipped():
    return wb.load_dataset("sample_data")


@pytest.fixture(scope="module")
def stats(shipped):
    return wb.demand_stats(shipped)


@pytest.fixture
def panel(shipped):
    return TradeoffPanel(shipped)


def expected_summary(shipped, stats, scenario):
    """What wb.plan says for the scenario (the tab plans from the same history)."""
    summary = wb.plan_summary(wb.plan(shipped, scenario))
    history = wb.demand_history(shipped)
    same = wb.plan_summary(wb.plan_from_stats(shipped.items, stats, scenario, history=history))
    assert summary.equals(same)
    return summary


def test_default_point_is_the_scenarios_plan(panel, shipped, stats):
    scn = wb.Scenario()  # the tab starts from the scenario: items' own levels first
    s = expected_summary(shipped, stats, scn)
    assert panel.scenario == scn
    assert_allclose(panel.result["investment"], s["investment"], rtol=1e-12)
    assert_allclose(panel.result["fill_rate"], s["fill_rate"], rtol=1e-12)
    assert_allclose(panel.fig.data[2].x, [s["investment"]], rtol=1e-12)
    assert_allclose(panel.fig.data[2].y, [s["fill_rate"]], rtol=1e-12)
    assert f"${s['investment']:,.0f}" in panel.numbers.value


def test_frontier_is_service_frontier_of_the_plan(panel):
    p = panel.plan
    f = wb.service_frontier(
        p["daily_mean"],
        p["daily_sd"],
        lead_time_days=p["lead_time_days"],
        order_quantity=p["order_quantity"],
        unit_cost=p["unit_cost"],
        lead_time_sd_days=p["lead_time_sd_days"],
        review_period_days=p["review_period_days"],  # the plan reviews daily: L + 1 day
        abc_class=p["abc"].astype(str),
    ).table
    whole = f[f["class"] == "all"]
    assert_allclose(panel.fig.data[0].x, whole["avg_inventory_value"], rtol=1e-12)
    assert_allclose(panel.fig.data[0].y, whole["expected_fill_rate"], rtol=1e-12)
    assert len(panel.fig.data[1].x) == 1  # the knee
    # More investment buys more fill rate along the curve.
    assert np.all(np.diff(panel.fig.data[0].x) > 0)
    assert np.all(np.diff(panel.fig.data[0].y) > 0)


def test_class_target_moves_the_point_not_the_frontier(panel, shipped, stats):
    curve = np.array(panel.fig.data[0].x)
    before = panel.result["investment"]
    panel.targets["A"].value = 0.995
    scn = wb.Scenario(service_targets={"A": 0.995, "B": 0.95, "C": 0.90})
    s = expected_summary(shipped, stats, scn)
    assert panel.result["investment"] > before
    assert_allclose(panel.result["investment"], s["investment"], rtol=1e-12)
    assert_allclose(panel.fig.data[2].y, [s["fill_rate"]], rtol=1e-12)
    assert_allclose(panel.fig.data[0].x, curve)  # Q unchanged: same frontier


def test_holding_rate_moves_the_frontier(panel, shipped, stats):
    curve = np.array(panel.fig.data[0].x)
    assert not panel.override_rate.value
    panel.holding_rate.value = 0.45
    assert panel.override_rate.value  # moving the slider applies the rate
    scn = wb.Scenario(holding_cost_rate=0.45)
    s = expected_summary(shipped, stats, scn)
    assert_allclose(panel.result["investment"], s["investment"], rtol=1e-12)
    # Dearer holding -> smaller EOQs -> less cycle stock along the whole frontier.
    assert np.all(np.array(panel.fig.data[0].x) < curve)
    panel.override_rate.value = False
    assert_allclose(panel.fig.data[0].x, curve, rtol=1e-12)


def test_set_plan_adopts_the_dashboards_scenario(panel, shipped):
    scn = wb.Scenario(
        name="lean", holding_cost_rate=0.35, service_targets={"A": 0.97, "B": 0.93, "C": 0.85}
    )
    panel.set_plan(wb.plan(shipped, scn))
    assert panel.holding_rate.value == pytest.approx(0.35) and panel.override_rate.value
    assert panel.targets["C"].value == pytest.approx(0.85)
    assert panel.scenario.name == "lean"
    assert panel.scenario.holding_cost_rate == pytest.approx(0.35)


def test_run_simulation_with_progress(panel):
    seen = []
    panel.progress.observe(lambda c: seen.append(c.new), names="value")
    sim = panel.run_simulation()
    assert seen and seen[-1] == 1.0 and np.all(np.diff(seen) >= 0)
    assert panel.progress.bar_style == "success" and "Simulated 250 SKUs" in panel.status.value
    run = sim["run"].summary
    assert_allclose(sim["fill_rate"], run["filled"].sum() / run["demand"].sum())
    assert_allclose(panel.fig.data[4].x, [sim["investment"]])
    assert len(panel.fig.data[3].x) == len(SIMULATED_LEVELS)
    assert_allclose(panel.fig.data[3].y, sim["points"]["simulated_fill_rate"])
    assert 0.5 < sim["fill_rate"] <= 1.0
    assert "tradeoff-sim-fill" in panel.numbers.value
    # The chosen SKU's trace: stockout markers on the days demand went unserved.
    sku = panel.sku.value
    tr = sim["run"].trace
    rows = tr[tr["sku"] == sku]
    short = rows["demand"] > rows["filled"] + 1e-9
    assert_allclose(panel.fig.data[5].y, rows["on_hand"])
    assert len(panel.fig.data[7].x) == int(short.sum())
    assert_allclose(panel.fig.data[8].y[0], panel.plan.loc[sku, "reorder_point"])
    other = panel.sku.options[7]
    panel.sku.value = other
    assert other in panel.fig.layout.annotations[1].text
    # Same seed, same run.
    again = panel.run_simulation()
    assert again["fill_rate"] == sim["fill_rate"]


def test_simulation_failure_is_shown_not_raised(panel, monkeypatch):
    def boom(*a, **k):
        raise ValueError("no lead time")

    monkeypatch.setattr(wb, "simulated_frontier", boom)
    assert panel.run_simulation() is None
    assert "no lead time" in panel.status.value and panel.progress.bar_style == "danger"
    assert not panel.run_button.disabled


def test_set_dataset_clears_the_simulation(panel):
    panel.run_simulation()
    small = wb.sample_dataset(n_skus=80, years=1, seed=4)
    panel.set_dataset(small)
    assert panel.simulation is None and len(panel.fig.data[4].x) == 0
    assert panel.result["skus"] == 80 and len(panel.sku.options) <= 80


def test_button_shows_planned_against_simulated_from_plan_check(panel, shipped):
    seen = []
    panel.progress.observe(lambda c: seen.append(c.new), names="value")
    panel.run_button.click()
    assert panel.progress.bar_style == "success" and seen[-1] == 1.0
    assert np.all(np.diff(seen) >= 0)
    check = panel.simulation["check"]
    # the same check, run directly with the panel's plan and seed
    again = wb.plan_check(shipped, plan=panel.plan, replications=8, seed=panel.rng, progress=False)
    pd.testing.assert_frame_equal(check.classes, again.classes)
    shown = panel.promise.value
    assert "tradeoff-promise-table" in shown
    rows = check.classes[check.classes["group"] == "abc"].set_index("class")
    assert list(rows.index) == ["A", "B", "C"]
    for cls, r in rows.iterrows():
        assert f"<td>{cls}</td>" in shown
        for col in (
            "planned_fill_rate",
            "simulated_fill_rate",
            "planned_cycle_service",
            "simulated_cycle_service",
        ):
            assert f"{100 * r[col]:.2f} %" in shown, (cls, col)
        assert f"± {100 * r['fill_rate_se']:.2f}" in shown
        assert f"{100 * r['cycle_service_gap']:+.2f} pts" in shown
    # the SKUs beyond 3 SE are counted by reason per class; a right plan checked with
    # honest standard errors leaves few of them
    k = check.skus
    out = k[k["reason"] != ""]
    assert len(out) <= 0.05 * len(k)
    for (_, reason), n in out.groupby([out["abc"].astype(str), "reason"]).size().items():
        assert f"{reason}: {n}" in shown
    # a new dataset clears the table until the next run
    panel.set_dataset(wb.sample_dataset(n_skus=80, years=1, seed=4))
    assert panel.promise.value == ""


@pytest.mark.parametrize(
    "scenario",
    [
        wb.Scenario(name="from the forecast", demand_source="forecast"),
        wb.Scenario(name="measured lead times", lead_time_source="history"),
    ],
    ids=["demand_source=forecast", "lead_time_source=history"],
)
def test_the_tab_plans_as_wb_plan_whatever_the_sources(scenario):
    # The Forecast tab switches the active scenario to the forecast, and a scenario
    # imported in the Scenarios tab may measure lead times: the trade-offs plan is then
    # still wb.plan's (it raised "needs forecast=" before), so every tab's figures agree.
    ds = wb.sample_dataset(n_skus=80, years=1, seed=1)
    panel = TradeoffPanel(ds, scenario=scenario)
    want = wb.plan(ds, scenario)
    assert_allclose(
        panel.plan["reorder_point"].to_numpy(float), want["reorder_point"].to_numpy(float)
    )
    for col in ("demand_source", "lead_time_source"):
        assert panel.plan[col].astype(str).tolist() == want[col].astype(str).tolist()
