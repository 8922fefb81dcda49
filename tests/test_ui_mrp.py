"""The MRP tab headless: actions first, orders by week and supplier, an item's record,
the controls, the downloads (formula-safe) and the dashboard's greying without a BOM."""

from __future__ import annotations

import html
import io
import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.ui import Dashboard
from workbench.ui._common import decode_data_uri
from workbench.ui.app import TABS
from workbench.ui.mrp_panel import (
    ACTION_LABELS,
    COLORS,
    METHOD_LABELS,
    PURPOSE,
    MRPPanel,
    actions_table,
    mrp_downloads,
    planned_orders_table,
    record_table,
)


@pytest.fixture(scope="module")
def small():
    return wb.sample_dataset(n_skus=80, years=1, seed=5)


@pytest.fixture(scope="module")
def panel(small):
    return MRPPanel(small)


def text_of(html_text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_text))


def _href(link_html: str) -> str:
    return re.search(r'href="([^"]+)"', link_html).group(1)


def test_headline_counts_equal_the_engine(panel, small):
    res = panel.result
    assert res is not None
    kpis = text_of(panel.kpis.value)
    assert "Scenario baseline" in kpis and METHOD_LABELS["lot_for_lot"] in kpis
    assert f"{len(res.planned_orders):,} planned orders" in kpis
    assert f"${res.planned_orders['value'].sum():,.0f} at cost" in kpis
    assert f"{len(res.actions):,} action messages" in kpis
    assert len(res.periods) == panel.horizon.value == 26  # the engine's default in weeks


def test_action_messages_come_first_most_urgent_first(panel, small):
    children = list(panel.children)
    assert children.index(panel.actions_html) < children.index(panel.mro_html)
    assert any(panel.orders_html is w for w in children)
    table = actions_table(panel.result, small)
    assert len(table) == len(panel.result.actions) > 0
    ranks = [next(r for r, w in ACTION_LABELS.values() if w == a) for a in table["Action"]]
    assert ranks == sorted(ranks)
    shown = text_of(panel.actions_html.value)
    assert f"Action messages ({len(table):,}), most urgent first" in shown
    assert table["Action"].iloc[0] in shown and "What to do" in shown


def test_planned_orders_by_week_and_supplier(panel, small):
    res = panel.result
    orders = planned_orders_table(res, small)
    assert len(orders) == len(res.planned_orders)
    assert orders["Release week"].is_monotonic_increasing
    assert_allclose(orders["Quantity"].sum(), res.planned_orders["quantity"].sum())
    made = orders["Buy or make"] == "Make"
    assert (orders.loc[made, "Supplier"] == "Made in house").all()
    names = set(small.suppliers["name"])
    assert set(orders.loc[~made, "Supplier"]) <= names | {"–"}  # supplier names, not ids
    shown = text_of(panel.orders_html.value)
    assert "Orders to place, by week and supplier" in shown
    assert re.search(r"\$[\d,]+", shown)
    late = (orders["Release week"] < res.periods[0]).sum()
    assert ("(late)" in shown) == (late > 0)


def test_item_record_table_and_chart_equal_the_records(panel, small):
    res = panel.result
    sku = str(res.planned_orders["sku"].astype(str).iloc[-1])
    panel.item.value = sku
    rec = res.records[res.records["sku"].astype(str) == sku].sort_values("period")
    table = record_table(res, sku)
    assert_allclose(table.loc["Gross requirements"].to_numpy(), rec["gross_requirements"])
    assert_allclose(table.loc["Planned order releases"].to_numpy(), rec["planned_releases"])
    assert_allclose(panel.fig.data[0].y, rec["gross_requirements"])
    assert_allclose(panel.fig.data[3].y, rec["projected_on_hand"])
    assert len(panel.fig.data[0].x) == len(res.periods)
    shown = text_of(panel.record_html.value)
    assert "Week starting" in shown and "Projected on hand (end of week)" in shown
    assert sku in panel.fig.layout.title.text


def test_items_with_orders_are_offered_first(panel):
    skus = [v for _, v in panel.item.options]
    busy = set(panel.result.planned_orders["sku"].astype(str))
    flags = [s in busy for s in skus]
    assert flags == sorted(flags, reverse=True)


def test_method_and_horizon_controls_rerun_the_plan(small):
    p = MRPPanel(small)
    l4l = p.result
    p.method.value = "wagner_whitin"
    ww = p.result
    s = ww.summary[ww.summary["planned"].astype(bool)]
    # the rule picked applies to every item without its own (items.lot_sizing)
    assert set(s.loc[s["lot_sizing_source"] == "plan", "lot_sizing"]) == {"wagner_whitin"}
    own = small.items.set_index("sku")["lot_sizing"].astype(object)
    mine = s[s["lot_sizing_source"] == "item"]
    assert len(mine) and (mine["lot_sizing"] == own.reindex(mine.index)).all()
    assert len(ww.planned_orders) < len(l4l.planned_orders)  # fewer, larger lots
    kpis = text_of(p.kpis.value)
    assert METHOD_LABELS["wagner_whitin"] in kpis
    assert f"({len(mine)} items keep their own rule from the items table)" in kpis
    # the item's note says which rule sized its orders, and whose it is
    sku = str(mine.index[0])
    p.item.value = sku
    note = text_of(p.item_note.value)
    assert "lot sizing: Periodic order (its own rule from the items table)" in note
    other = str(s.index[s["lot_sizing_source"] == "plan"][0])
    p.item.value = other
    assert "lot sizing: Least total cost (Wagner-Whitin, optimal) (the rule picked above)" in (
        text_of(p.item_note.value)
    )
    p.horizon_box.value = 8  # the type-in box beside the slider
    assert p.horizon.value == 8 and len(p.result.periods) == 8
    assert len(p.fig.data[0].x) == 8


def test_downloads_match_the_table_and_are_formula_safe(small, panel):
    sku = str(panel.result.planned_orders["sku"].iloc[0])  # an item with a planned order
    items = small.items.copy()
    items.loc[items["sku"] == sku, "name"] = '=HYPERLINK("http://x","y")'
    ds = wb.Dataset.from_tables(
        {
            t: (items if t == "items" else getattr(small, t))
            for t in ("items", "demand", "bom", "schedule", "lots", "purchase_orders", "suppliers")
        },
        source="formula test",
    )
    p = MRPPanel(ds)
    csv = pd.read_csv(io.BytesIO(decode_data_uri(_href(p.downloads.value))))
    table = planned_orders_table(p.result, ds)
    assert len(csv) == len(table)
    assert_allclose(csv["Quantity"].sum(), table["Quantity"].sum())
    assert csv["Release week"].iloc[0] == f"{table['Release week'].iloc[0]:%Y-%m-%d}"
    names = csv.loc[csv["SKU"] == sku, "Name"]
    assert len(names) > 0 and names.str.startswith("'=HYPERLINK").all()
    assert p.excel_link.value == ""  # made when asked
    p.excel_button.click()
    book = pd.read_excel(
        io.BytesIO(decode_data_uri(_href(p.excel_link.value))), sheet_name=None, engine="openpyxl"
    )
    assert list(book) == ["planned orders", "action messages", "MRO to reorder"]
    assert len(book["planned orders"]) == len(table)
    assert len(book["action messages"]) == len(p.result.actions)
    direct = mrp_downloads(p.result, ds, excel=False)
    assert set(direct) == {"csv"}


def test_mro_items_are_listed_apart(panel):
    mro = panel.result.mro_items
    assert len(mro) > 0
    shown = text_of(panel.mro_html.value)
    assert f"MRO supplies ({len(mro):,}), planned by reorder point, not by MRP" in shown
    assert not set(mro["sku"].astype(str)) & {v for _, v in panel.item.options}


def test_bad_data_shows_the_row_to_fix(small):
    items = small.items.copy()
    row = items.index[items["sku"] == "RM-0012"][0]
    items.loc[row, ["lead_time_days", "supplier_id"]] = [np.nan, None]
    ds = wb.Dataset.from_tables(
        {"items": items, "demand": small.demand, "bom": small.bom, "schedule": small.schedule},
        source="no lead time",
    )
    p = MRPPanel(ds)
    assert p.result is None
    shown = text_of(p.kpis.value)
    assert "MRP could not plan this data" in shown
    assert "lead_time_days" in shown and "RM-0012" in shown
    assert p.item.options == () and p.downloads.value == ""


def test_dashboard_has_the_tab_and_greys_it_without_a_bom(small):
    spec = next(s for s in TABS if s.title == "MRP")
    assert spec.needs == ("bom",)
    assert spec.purpose == PURPOSE
    no_bom = wb.Dataset.from_tables({"items": small.items, "demand": small.demand}, source="x")
    d = Dashboard(no_bom, tabs=[TABS[0], spec])
    assert d.tab.titles[-1] == "MRP (n/a)"
    assert "needs the bom table" in d.panels["MRP"].value
    assert html.escape(PURPOSE) in d.data_panel.orientation.value  # what each tab is for
    d.dataset = small
    assert d.tab.titles[-1] == "MRP" and isinstance(d.panels["MRP"], MRPPanel)


def _luminance(hex_color: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour."""
    c = np.array([int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(c @ [0.2126, 0.7152, 0.0722])


@pytest.mark.parametrize("background", ["#ffffff", "#111111"])  # plotly_white, plotly_dark
def test_trace_colours_read_on_both_themes(background, panel):
    bg = _luminance(background)
    for color in COLORS:
        hi, lo = sorted((_luminance(color), bg), reverse=True)
        assert (hi + 0.05) / (lo + 0.05) > 3.0, (color, background)
    used = [t.marker.color for t in panel.fig.data[:3]] + [panel.fig.data[3].line.color]
    assert used == list(COLORS)


def test_the_rule_follows_and_sets_the_active_scenario(small):
    scn = wb.Scenario("weekly lots", lot_sizing="wagner_whitin")
    p = MRPPanel(small, scenario=scn)
    assert p.method.value == "wagner_whitin"  # the control starts on the scenario's rule
    s = p.result.summary
    assert set(s.loc[s["lot_sizing_source"] == "plan", "lot_sizing"]) == {"wagner_whitin"}
    assert p.activated is None  # nothing picked yet
    p.method.value = "silver_meal"  # picking a rule makes it the scenario's
    assert p.activated == scn.replace(lot_sizing="silver_meal") == p.scenario
    assert "Scenario weekly lots" in text_of(p.kpis.value)
    # the dashboard's plan under another scenario moves the control, without activating
    plan = pd.DataFrame()
    plan.attrs["scenario"] = wb.Scenario("eoq lots", lot_sizing="eoq").to_dict()
    p.set_plan(plan)
    assert p.method.value == "eoq" and p.scenario.lot_sizing == "eoq"
    assert p.activated.lot_sizing == "silver_meal"
    s = p.result.summary
    assert set(s.loc[s["lot_sizing_source"] == "plan", "lot_sizing"]) == {"eoq"}


def test_the_dashboard_keeps_the_mrp_rule_in_the_active_scenario(small, monkeypatch):
    from workbench.ui import app
    from workbench.ui.scenario_panel import ScenarioPanel

    spec = next(s for s in TABS if s.title == "MRP")
    d = Dashboard(small, tabs=[TABS[0], spec])
    p, before = d.panels["MRP"], d.plan
    assert p.method.value == d.scenario.lot_sizing == "lot_for_lot"

    def replan(*_a, **_k):
        raise AssertionError("the rule of MRP does not change the reorder-point plan")

    monkeypatch.setattr(app, "compute_plan", replan)
    p.method.value = "wagner_whitin"
    assert d.scenario.lot_sizing == "wagner_whitin"
    assert d.plan.attrs["scenario"] == d.scenario.to_dict()  # the plan names its scenario
    pd.testing.assert_frame_equal(d.plan, before)  # the same figures, not planned again
    sp = d.scenario_panel
    assert isinstance(sp, ScenarioPanel)
    assert sp.choices["lot_sizing"].value == "wagner_whitin"
    assert sp.choices["lot_sizing"].description == "MRP lot sizing"
    assert dict((v, k) for k, v in sp.choices["lot_sizing"].options) == METHOD_LABELS
    # a rule applied from the Scenarios tab moves the MRP tab's control and its plan
    sp.choices["lot_sizing"].value = "periodic_order_quantity"
    sp.apply()
    assert d.scenario.lot_sizing == "periodic_order_quantity"
    assert p.method.value == "periodic_order_quantity"
    s = p.result.summary
    assert set(s.loc[s["lot_sizing_source"] == "plan", "lot_sizing"]) == {"periodic_order_quantity"}
