"""The dashboard headless: tabs, the Summary numbers, data changes, scenarios."""

from __future__ import annotations

import json
import re

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly
import plotly.io as pio
import pytest

import workbench as wb
from workbench.ui import (
    TABS,
    Dashboard,
    ScenarioPanel,
    SummaryPanel,
    TabSpec,
    _common,
    app,
    default_dataset,
)
from workbench.ui._common import decode_data_uri, sync_figures
from workbench.ui.scenario_panel import scenarios_from_json, scenarios_to_json


@pytest.fixture(scope="module")
def small():
    return wb.sample_dataset(n_skus=80, years=1, seed=5)


@pytest.fixture(scope="module")
def other():
    return wb.sample_dataset(n_skus=90, years=1, seed=6)


def href_of(markup: str, css: str) -> str:
    m = re.search(rf'<a class="[^"]*{css}[^"]*" download="[^"]+" href="([^"]+)"', markup)
    assert m, markup[:200]
    return m.group(1)


# --------------------------------------------------------------------------- dashboard


def test_tabs_in_order_data_first(small):
    d = Dashboard(small)
    assert d.tab.titles[:2] == ("Data", "Summary")
    assert d.tab.titles[-1] == "Scenarios"
    assert {"EOQ", "Safety stock", "ABC / XYZ", "Stockout trade-offs"} <= set(d.tab.titles)
    assert d.panels["Data"] is d.data_panel and d.tab.children[0] is d.data_panel
    assert d.dataset is small
    assert isinstance(d.scenario, wb.Scenario)
    assert len(d.plan) == len(small.items)
    assert d.status.value == ""


def test_summary_numbers_are_the_groupby_of_the_data(small):
    panel = SummaryPanel(small)
    items = small.items
    expected_counts = items["inventory_type"].value_counts()
    for t, n in panel.summary["counts"].items():
        assert n == expected_counts.get(t, 0)
    np.testing.assert_array_equal(
        panel.types_fig.data[0].y, [panel.summary["counts"][t] for t in panel.summary["counts"]]
    )
    cost = small.lots["sku"].map(items.set_index("sku")["unit_cost"])
    lot_cost = small.lots["unit_cost"].fillna(cost)
    value = (
        (small.lots["quantity"] * lot_cost)
        .groupby(small.lots["sku"].map(items.set_index("sku")["inventory_type"]))
        .sum()
    )
    for t, v in panel.summary["stock_value"].items():
        np.testing.assert_allclose(v, value.get(t, 0.0), rtol=1e-9)
    # weekly demand at cost: four traces, whole weeks only, summing to the demand value
    assert len(panel.demand_fig.data) == 4
    weeks = pd.DatetimeIndex(panel.demand_fig.data[0].x)
    assert len(weeks) == panel.summary["weeks"] > 40
    start, end = weeks[0], weeks[-1] + pd.Timedelta(days=6)
    dem = small.demand[(small.demand["date"] >= start) & (small.demand["date"] <= end)]
    total = (dem["quantity"] * dem["sku"].map(items.set_index("sku")["unit_cost"])).sum()
    shown = sum(np.sum(tr.y) for tr in panel.demand_fig.data)
    np.testing.assert_allclose(shown, total, rtol=1e-9)


def test_figures_show_updated_data_when_the_panel_is_displayed(small):
    """Pitfall 2's cousin: data set before display must reach the page."""
    panel = SummaryPanel(small)
    fig = panel.types_fig
    # the figure's state follows its updates before display too (it was the creation
    # data, [0, 0, 0, 0], until figures kept their state everywhere)
    assert list(fig._widget_data[0]["y"]) == list(fig.data[0].y) != [0, 0, 0, 0]
    panel._repr_mimebundle_()
    assert list(fig._widget_data[0]["y"]) == list(fig.data[0].y)
    assert sync_figures(widgets.VBox([widgets.VBox([panel])])) == 2


def test_new_dataset_reaches_every_panel_and_the_plan(small, other):
    d = Dashboard(small)
    d.dataset = other
    assert d.panels["Summary"].summary["counts"] == SummaryPanel(other).summary["counts"]
    assert len(d.plan) == len(other.items)
    assert d.data_panel.dataset is other
    assert f"{len(other.items)} SKUs" in d.header.value
    assert d.scenario_panel.dataset is other
    csv = decode_data_uri(href_of(d.data_panel.downloads.value, "wb-plan-csv"))
    assert csv.count(b"\n") == len(other.items) + 1


def test_upload_in_the_data_tab_replaces_the_dashboard_dataset(small, other, tmp_path):
    d = Dashboard(small)
    folder = other.to_folder(tmp_path / "other")
    files = {p.name: p.read_bytes() for p in folder.glob("*.csv")}
    assert d.data_panel.load_files(files)
    assert d.dataset is d.data_panel.dataset
    assert len(d.dataset.items) == len(other.items)
    assert len(d.plan) == len(other.items)


class _NeedsLots(widgets.VBox):
    built = 0

    def __init__(self, ds):
        type(self).built += 1
        super().__init__([widgets.HTML(f"lots: {len(ds.lots)}")])


def test_tab_needing_a_missing_table_explains_then_appears(small):
    bare = wb.Dataset.from_tables({"items": small.items, "demand": small.demand})
    tabs = [*TABS, TabSpec("Stock age", lambda d: _NeedsLots(d.dataset), needs=("lots",))]
    _NeedsLots.built = 0
    d = Dashboard(bare, tabs=tabs)
    assert d.tab.titles[-1] == "Stock age (n/a)"
    assert "needs the lots table" in d.panels["Stock age"].value
    assert _NeedsLots.built == 0
    d.dataset = small
    assert d.tab.titles[-1] == "Stock age"
    assert isinstance(d.panels["Stock age"], _NeedsLots) and _NeedsLots.built == 1


def test_a_broken_panel_does_not_take_the_dashboard_down(small):
    def broken(_d):
        raise RuntimeError("panel exploded")

    d = Dashboard(small, tabs=[*TABS, TabSpec("Broken", broken)])
    assert "panel exploded" in d.panels["Broken"].value
    assert "Traceback" not in d.panels["Broken"].value
    assert d.tab.titles == (*(s.title for s in TABS), "Broken")


def test_dark_theme_uses_the_dark_template(small, monkeypatch):
    monkeypatch.setenv("WORKBENCH_THEME", "dark")
    fig = SummaryPanel(small).types_fig
    # plotly_dark with the workbench's readable colorway (issue 17.4)
    assert fig.layout.template.layout.paper_bgcolor == _common.PALETTES["dark"]["background"]
    assert (
        fig.layout.template.layout.xaxis.linecolor
        == pio.templates["plotly_dark"].layout.xaxis.linecolor
    )


def test_default_dataset_reads_workbench_data(small, tmp_path, monkeypatch):
    folder = small.to_folder(tmp_path / "mine")
    monkeypatch.setenv("WORKBENCH_DATA", str(folder))
    ds = default_dataset()
    assert ds.equals(small)
    monkeypatch.delenv("WORKBENCH_DATA")
    assert len(default_dataset().items) == len(wb.load_dataset("sample_data").items)


# --------------------------------------------------------------------------- scenarios


def test_save_compare_and_apply_scenarios(small):
    d = Dashboard(small)
    sp = d.scenario_panel
    sp.targets["A"].value = "0.9"
    sp.targets["B"].value = "0.9"
    sp.targets["C"].value = "0.85"
    low = sp.save("low service")
    sp.targets["A"].value = "99.5"  # percentages are understood
    sp.targets["B"].value = "0.99"
    sp.targets["C"].value = "0.98"
    high = sp.save("high service")
    assert high.service_targets["A"] == 0.995
    assert set(sp.scenarios) == {"low service", "high service"}
    table = sp.compare(["low service", "high service"])
    assert list(table.columns) == ["low service", "high service"]
    # more service costs more inventory (safety stock rises with the service level)
    assert table.loc["investment", "high service"] > table.loc["investment", "low service"]
    assert "high service" in sp.table.value
    before = d.plan["safety_stock"].sum()
    sp.apply()
    assert d.scenario == sp.applied and d.scenario.service_targets["C"] == 0.98
    pd.testing.assert_frame_equal(d.plan, wb.plan(small, d.scenario))
    assert d.plan["safety_stock"].sum() > before
    low_again = wb.plan(small, low)
    assert low_again["safety_stock"].sum() < d.plan["safety_stock"].sum()


def test_compare_needs_two_or_three(small):
    sp = ScenarioPanel(small)
    sp.save("one")
    assert sp.compare(["one"]) is None
    assert "two or three" in sp.message.value


def test_invalid_fields_are_reported_not_raised(small):
    sp = ScenarioPanel(small)
    sp.editors["holding_cost_rate"].value = "-1"  # a percentage a year
    assert sp.save("bad") is None
    assert "“Holding cost a year, % of unit cost” must be from 0.01 to 10,000 (%)" in (
        sp.message.value
    )
    sp.editors["holding_cost_rate"].value = "abc"
    assert sp.save("bad") is None
    assert "“Holding cost a year, % of unit cost” must be a number" in sp.message.value
    assert "upload it again" not in sp.message.value  # not a file's problem
    sp.editors["holding_cost_rate"].value = ""
    sp.editors["order_cost"].value = "-5"  # the scenario's own check, in the editor's words
    assert sp.save("bad") is None
    assert "“Order cost, $ per order” must be &gt; 0" in sp.message.value
    assert "order_cost" not in sp.message.value
    sp.editors["order_cost"].value = ""
    sp.editors["holding_cost_rate"].value = ""
    assert sp.save("") is None and "name" in sp.message.value
    assert sp.scenarios == {}


def test_export_and_import_json_round_trip(small):
    sp = ScenarioPanel(small)
    sp.editors["demand_multiplier"].value = "1.2"
    sp.save("demand +20 %")
    sp.editors["lead_time_multiplier"].value = "2"
    sp.save("lead time x2")
    data = decode_data_uri(href_of(sp.export.value, "wb-scn-json"))
    back = scenarios_from_json(data)
    assert back == list(sp.scenarios.values())
    assert back[1].lead_time_multiplier == 2.0 and back[1].demand_multiplier == 1.2
    fresh = ScenarioPanel(small)
    assert fresh.import_json(data) == back
    assert fresh.scenarios == sp.scenarios
    assert fresh.import_json(b"{not json") == []
    assert "not a JSON file" in fresh.message.value
    assert scenarios_from_json(scenarios_to_json([back[0]])) == [back[0]]


def _figures(widget):
    out, stack = [], [widget]
    while stack:
        w = stack.pop()
        if hasattr(w, "_widget_data"):
            out.append(w)
        stack.extend(getattr(w, "children", None) or ())
    return out


def test_in_voila_one_figure_carries_plotly_bundle(small, monkeypatch):
    """8 FigureWidgets would send 8 copies of plotly's 5 MB bundle; in Voila one does."""
    monkeypatch.setenv("VOILA_KERNEL_ID", "test")
    monkeypatch.setattr(_common, "_bundle_owner", [])
    d = Dashboard(small)
    figs = _figures(d)
    assert len(figs) >= 2
    d._repr_mimebundle_()
    sizes = sorted(len(f._esm) for f in figs)
    owners = [f for f in figs if _common._is_owner_esm(f._esm)]
    assert len(owners) == 1 and sizes[-1] > 1_000_000
    assert all(f._esm == _common._LOADER for f in figs if f is not owners[0])
    # a panel built later (new tab) waits for the same owner
    later = SummaryPanel(small)
    later._repr_mimebundle_()
    assert {f._esm for f in _figures(later)} == {_common._LOADER}


def test_in_voila_figures_open_with_their_final_bundle(small, monkeypatch):
    """The owner opens its comm with the bundle, the others with the loader: nothing is
    re-sent when the dashboard is displayed (a changed _esm is another 5 MB message)."""
    import plotly.graph_objects as go

    monkeypatch.setenv("VOILA_KERNEL_ID", "test")
    monkeypatch.setattr(_common, "_bundle_owner", [])
    d = Dashboard(small)
    figs = _figures(d)
    assert all(isinstance(f, go.FigureWidget) for f in figs)
    changes = []
    for f in figs:
        f.observe(changes.append, names="_esm")
    d._repr_mimebundle_()
    later = SummaryPanel(small)
    later._repr_mimebundle_()
    assert changes == []
    assert [_common._is_owner_esm(f._esm) for f in figs].count(True) == 1
    assert {f._esm for f in _figures(later)} == {_common._LOADER}


def test_under_workbench_serve_the_owner_imports_the_served_bundle(small, monkeypatch):
    """``workbench serve`` serves plotly's bundle as a static file: the owner then sends
    a few lines that import it from the server's URL, not 5 MB through the websocket."""
    url = "/base/workbench/static/plotly/widgetbundle.js?v=" + plotly.__version__
    monkeypatch.setenv("VOILA_KERNEL_ID", "test")
    monkeypatch.setenv(_common.BUNDLE_URL_ENV, url)
    monkeypatch.setattr(_common, "_bundle_owner", [])
    monkeypatch.setattr(_common, "_figure_classes", {})
    d = Dashboard(small)
    figs = _figures(d)
    d._repr_mimebundle_()
    owners = [f for f in figs if f._esm != _common._LOADER]
    assert len(owners) == 1 and len(figs) >= 2
    esm = owners[0]._esm
    assert len(esm) < 20_000 and json.dumps(url) in esm and "import(" in esm
    assert "__workbenchPlotly.resolve(mod)" in esm and "export default" in esm
    # a later owner (the first one closed) imports it the same way
    owners[0].close()
    rest = [f for f in figs if f is not owners[0]]
    _common.share_plotly_bundle(rest)
    assert [f._esm == esm for f in rest].count(True) == 1
    # the figure made only to bring the bundle ahead of need asks the server to send it
    # once no other page is loading; showing it does not change (re-send) its module
    monkeypatch.setattr(_common, "_bundle_owner", [])
    pre = _common.figure_widget(preload=True)
    pre._repr_mimebundle_()
    assert json.dumps(url + "&after=pages") in pre._esm
    assert _common.share_plotly_bundle([pre, *rest]) >= 0 and "&after=pages" in pre._esm


def test_outside_voila_figures_keep_their_bundle(small, monkeypatch):
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setattr(_common, "_bundle_owner", [])
    panel = SummaryPanel(small)
    panel._repr_mimebundle_()
    assert all(len(f._esm) > 1_000_000 for f in _figures(panel))


def test_tab_goes_back_to_the_notice_when_new_data_lacks_its_table(small):
    bare = wb.Dataset.from_tables({"items": small.items, "demand": small.demand})
    tabs = [*TABS, TabSpec("Stock age", lambda d: _NeedsLots(d.dataset), needs=("lots",))]
    d = Dashboard(small, tabs=tabs)
    assert isinstance(d.panels["Stock age"], _NeedsLots)
    d.dataset = bare  # an upload without lots must not leave the old panel on show
    assert d.tab.titles[-1] == "Stock age (n/a)"
    assert "needs the lots table" in d.panels["Stock age"].value
    assert d.tab.children[-1] is d.panels["Stock age"]


def test_tab_goes_back_to_its_notice_when_new_data_lacks_the_table(small):
    bare = wb.Dataset.from_tables({"items": small.items, "demand": small.demand})
    tabs = [*TABS, TabSpec("Stock age", lambda d: _NeedsLots(d.dataset), needs=("lots",))]
    d = Dashboard(small, tabs=tabs)
    assert isinstance(d.panels["Stock age"], _NeedsLots)
    d.dataset = bare  # no lots: the panel built on the old data must not stay
    assert d.tab.titles[-1] == "Stock age (n/a)"
    assert "needs the lots table" in d.panels["Stock age"].value
    d.dataset = small
    assert isinstance(d.panels["Stock age"], _NeedsLots) and d.tab.titles[-1] == "Stock age"


def test_lazy_dashboard_builds_a_tab_when_it_is_first_opened(small):
    tabs = [*TABS, TabSpec("Stock age", lambda d: _NeedsLots(d.dataset), needs=("lots",))]
    _NeedsLots.built = 0
    d = Dashboard(small, tabs=tabs, lazy=True)
    containers = d.tab.children
    assert d.tab.selected_index == 0 and d.panels["Data"] is d.data_panel
    assert _NeedsLots.built == 0
    assert "being prepared" in d.panels["Stock age"].value
    assert "being prepared" in d.panels["Summary"].value
    # one placeholder widget shown in every unopened tab (one model, not one per tab)
    assert d.panels["Summary"] is d.panels["EOQ"] is d.panels["Stock age"]
    d.tab.selected_index = len(tabs) - 1  # what a click on the tab does
    assert _NeedsLots.built == 1 and isinstance(d.panels["Stock age"], _NeedsLots)
    # The Tab keeps its children (a replaced child stays hidden in the browser); the
    # panel takes the placeholder's place inside the tab's container.
    assert d.tab.children[-1].children == (d.panels["Stock age"],)
    assert d.tab.selected_index == len(tabs) - 1
    summary = d.panel("Summary")  # built on demand, with the current data
    assert isinstance(summary, SummaryPanel)
    assert summary.summary["counts"] == SummaryPanel(small).summary["counts"]
    assert d.tab.titles == tuple(s.title for s in tabs)
    assert d.tab.children == containers


def test_lazy_dashboard_builds_an_unopened_tab_on_the_new_data(small, other):
    d = Dashboard(small, lazy=True)
    d.dataset = other  # the placeholders are not told; they build from the current data
    assert d.panel("Summary").summary["counts"] == SummaryPanel(other).summary["counts"]


def test_lazy_dashboard_makes_the_scenario_panel_when_its_tab_opens(small, other):
    """The first page of the Voila app carries no Scenarios widgets (76 of its 159)."""
    d = Dashboard(small, lazy=True)
    assert d._scenario_panel is None
    ids = {w.model_id for w in _widgets_under(d)}
    assert len(ids) < 100
    sp = d.panel("Scenarios")
    assert isinstance(sp, ScenarioPanel) and sp is d.scenario_panel
    assert sp.dataset is small
    d.dataset = other
    assert sp.dataset is other
    # made through the attribute before its tab was opened: still told about new data
    d2 = Dashboard(small, lazy=True)
    sp2 = d2.scenario_panel
    d2.dataset = other
    assert sp2.dataset is other and d2.panel("Scenarios") is sp2


def _widgets_under(root):
    seen, stack = {}, [root]
    while stack:
        w = stack.pop()
        if w.model_id in seen:
            continue
        seen[w.model_id] = w
        for name in w.keys:
            v = getattr(w, name, None)
            items = v if isinstance(v, list | tuple) else [v]
            stack.extend(x for x in items if isinstance(x, widgets.Widget))
    return list(seen.values())


def test_preheated_lazy_dashboard_warms_up_charts_once_the_page_is_idle(small, monkeypatch):
    """Not before the first page (issue 16: the warm-up's plotly validators are about
    18 MB of every kernel, which the Data tab does not use), but when the page says it
    is idle; the warm-up makes no figure (nothing goes to the page)."""
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setattr(_common, "_bundle_owner", [])
    monkeypatch.setattr(_common, "_figure_classes", {})
    calls = []
    real = app.warm_up_charts
    monkeypatch.setattr(app, "warm_up_charts", lambda: calls.append(1) or real())
    from ipywidgets.widgets.widget import _instances  # Widget.widgets is deprecated

    before = set(_instances)
    d = Dashboard(small, lazy=True)
    assert calls == [] and _common._figure_classes == {}
    d._on_browser_idle(d.children[-1], {"event": "idle"}, [])
    assert calls == [1] and set(_common._figure_classes) == {"owner", "loader"}
    new = [_instances[k] for k in set(_instances) - before]
    assert [w for w in new if hasattr(w, "_widget_data")] == [d._preloaded]
    d._on_browser_idle(d.children[-1], {"event": "idle"}, [])
    assert calls == [1]
    assert d.panel("EOQ").fig._esm == _common._LOADER


def test_in_voila_the_idle_page_gets_plotly_bundle_once(small, monkeypatch):
    """The lazy Voila app asks, once its first page is drawn and idle, for a hidden figure
    that carries plotly's bundle; the chart tabs' figures then only wait for it."""
    monkeypatch.setenv("VOILA_KERNEL_ID", "test")
    monkeypatch.setattr(_common, "_bundle_owner", [])
    d = Dashboard(small, lazy=True)
    signal = d.children[-1]
    assert "wb-idle-signal" in signal._dom_classes and signal.layout.display == "none"
    assert "requestIdleCallback" in signal._esm and ".wb-data-summary" in signal._esm
    assert signal.bundle_url == ""  # no server serving the bundle: a tab click imports nothing
    d._on_browser_idle(signal, {"event": "something else"}, [])
    assert d._preloaded is None
    d._on_browser_idle(signal, {"event": "idle"}, [])
    owner = d._preloaded
    assert owner is not None and _common._is_owner_esm(owner._esm)
    d._on_browser_idle(signal, {"event": "idle"}, [])
    assert d._preloaded is owner
    assert d.panel("EOQ").fig._esm == _common._LOADER
    # a chart tab opened before the page was idle already made the owner: no second one
    monkeypatch.setattr(_common, "_bundle_owner", [])
    d2 = Dashboard(small, lazy=True)
    first = d2.panel("EOQ").fig
    d2._on_browser_idle(d2.children[-1], {"event": "idle"}, [])
    assert d2._preloaded is None and _common._bundle_owner == [first]


def _assert_state_follows_updates(fig):
    """The figure's state (what a late-starting view draws) follows a restyle and a layout
    change in one batch, an added trace and a layout update."""
    with fig.batch_update():
        fig.data[0].y = [3, 4]
        fig.layout.title = "Q*"
    assert list(fig._widget_data[0]["y"]) == [3, 4]
    assert fig._widget_layout["title"]["text"] == "Q*"
    fig.add_scatter(x=[1], y=[5])
    assert len(fig._widget_data) == 2
    fig.update_layout(height=300)
    assert fig._widget_layout["height"] == 300


def test_in_voila_a_figure_state_follows_every_update(small, monkeypatch):
    """An update message reaches plotly's browser model only once its JavaScript has
    started; a model that starts late (a loaded page: the bundle takes seconds) drew the
    state sent at display, and the EOQ chart came up empty. The state must follow every
    update: a trace restyled, added, the layout changed, and a panel's own redraw."""
    monkeypatch.setenv("VOILA_KERNEL_ID", "test")
    monkeypatch.setattr(_common, "_bundle_owner", [])
    monkeypatch.setattr(_common, "_figure_classes", {})
    for _ in range(2):  # the owner, then a loader
        fig = _common.figure_widget(data=[{"type": "scatter", "x": [1, 2], "y": [0, 0]}])
        _assert_state_follows_updates(fig)
    d = Dashboard(small, lazy=True)
    panel = d.panel("EOQ")

    def as_json(data):
        return json.dumps(data, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)

    shown = as_json(panel.fig._widget_data)
    slider = next(
        w
        for w in _widgets_under(panel)
        if isinstance(w, widgets.FloatSlider) and w.max > w.min and w.value < w.max
    )
    slider.value = slider.max
    assert as_json(panel.fig._widget_data) != shown
    assert as_json(panel.fig._widget_data) == as_json(panel.fig._data)


def test_in_voila_the_state_stops_once_a_view_has_drawn_the_figure(monkeypatch):
    """Once a view reported what it drew (plotly's first trace deltas), the browser's
    model applies every update: the whole state is no longer copied and sent on each
    update (two deep copies and two messages of the figure a slider step)."""
    monkeypatch.setenv("VOILA_KERNEL_ID", "test")
    monkeypatch.setattr(_common, "_bundle_owner", [])
    monkeypatch.setattr(_common, "_figure_classes", {})
    fig = _common.figure_widget(data=[{"type": "scatter", "x": [1, 2], "y": [0, 0]}])
    sent = []
    fig.observe(lambda c: sent.append(c.new) if c.new is not None else None, "_py2js_update")
    fig._js2py_traceDeltas = {"trace_deltas": [], "trace_edit_id": 0}  # a view of no trace
    fig.plotly_update(restyle_data={"y": [[1, 1]]})
    assert list(fig._widget_data[0]["y"]) == [1, 1]  # not drawn yet: the state follows
    uid = fig.data[0].uid
    fig._js2py_traceDeltas = {"trace_deltas": [{"uid": uid}], "trace_edit_id": -1}
    fig.plotly_update(restyle_data={"y": [[3, 4]]})
    assert list(fig._widget_data[0]["y"]) == [1, 1]  # drawn: only the update goes
    assert list(sent[-1]["style_data"]["y"][0]) == [3, 4] and list(fig.data[0].y) == [3, 4]


@pytest.mark.parametrize(
    "env",
    [{"VOILA_KERNEL_ID": "test", "WORKBENCH_SHARED_PLOTLY": "0"}, {}],
    ids=["voila-unshared-bundle", "jupyterlab"],
)
def test_a_figure_with_its_own_bundle_keeps_its_state_too(env, monkeypatch):
    """Without the shared bundle (WORKBENCH_SHARED_PLOTLY=0, or a notebook in JupyterLab)
    every figure loads plotly's 5 MB bundle itself and starts as late: its state must
    follow every update as well (it did not: plain FigureWidgets came up empty)."""
    import plotly.graph_objects as go

    for name in ("VOILA_KERNEL_ID", "VOILA_PREHEAT", "WORKBENCH_SHARED_PLOTLY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(_common, "_bundle_owner", [])
    monkeypatch.setattr(_common, "_figure_classes", {})
    for _ in range(2):
        fig = _common.figure_widget(data=[{"type": "scatter", "x": [1, 2], "y": [0, 0]}])
        assert isinstance(fig, go.FigureWidget)
        assert fig._esm == _common._own_bundle_esm()  # plotly's own bundle, no loader
        assert json.dumps(_common._plotly_bundle()) in fig._esm
        _assert_state_follows_updates(fig)
    assert _common._bundle_owner == []


@pytest.mark.parametrize("url", [None, "/workbench/static/plotly/widgetbundle.js?v=1"])
def test_every_figure_module_lets_its_model_start_before_the_bundle_is_loaded(url, monkeypatch):
    """anywidget drops the messages of a model whose module has not loaded and started
    within 2 s (tests/browser/test_serving.py shows the empty chart this made). No
    figure's module may wait for plotly's bundle before its default export: no top-level
    await, and a bundle carried in the module is text imported later, not code compiled
    with the module."""
    if url is None:
        monkeypatch.delenv(_common.BUNDLE_URL_ENV, raising=False)
    else:
        monkeypatch.setenv(_common.BUNDLE_URL_ENV, url)
    bundle = json.dumps(_common._plotly_bundle())
    modules = {
        "owner": _common._owner_esm(),
        "preload": _common._owner_esm(deferred=True),
        "loader": _common._LOADER,
        "own bundle": _common._own_bundle_esm(),
    }
    for role, esm in modules.items():
        top = esm.split("export default () =>")[0].replace(bundle, '""')
        assert "export default () =>" in esm and "await" not in top, role
        assert "initialize(ctx)" in esm and "widget.render(ctx)" in esm, role
        carried = role == "own bundle" or (url is None and role in ("owner", "preload"))
        assert (bundle in esm) == carried, role
    assert _common._is_owner_esm(modules["owner"]) and not _common._is_owner_esm(_common._LOADER)


def test_outside_voila_no_idle_signal(small, monkeypatch):
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    d = Dashboard(small, lazy=True)
    assert d.children == (d.header, d.tab, d.status)


# --------------------------------------------------------------------------- plan coverage


def _rough(*, lead_times: bool) -> wb.Dataset:
    """Five items with units; two without a lead time, or (``lead_times=False``) no
    lead-time column at all; 60 days of demand."""
    items = pd.DataFrame(
        {
            "sku": ["M1", "F1", "J1", "O1", "S1"],
            "name": ["Whole milk", "Flour", "Jar", "Olive oil", "Sugar"],
            "inventory_type": [
                "finished_good",
                "raw_material",
                "raw_material",
                "finished_good",
                "raw_material",
            ],
            "unit": ["litres", "kg", "each", "litres", None],
            "unit_cost": [1.10, 0.80, 0.30, 6.50, 0.95],
        }
    )
    if lead_times:
        items["lead_time_days"] = [5.0, np.nan, 3.0, np.nan, 4.0]
    days = pd.date_range("2026-01-01", periods=60)
    rng = np.random.default_rng(3)
    demand = pd.DataFrame(
        {
            "date": np.repeat(days, 5),
            "sku": list(items["sku"]) * len(days),
            "quantity": rng.integers(1, 10, 5 * len(days)),
        }
    )
    return wb.Dataset.from_tables({"items": items, "demand": demand})


def _text(markup: str) -> str:
    import html as _html

    return re.sub(r"\s+", " ", _html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def test_summary_says_no_item_could_be_planned_instead_of_numbers():
    """Before: nothing planned still read as fill rate 100 % and $0 of stock."""
    panel = SummaryPanel(_rough(lead_times=False))
    text = _text(panel.plan_kpis.value)
    assert "No item could be planned: 5 items have no lead time" in text, text
    assert "lead_time_days" in text  # what to add
    assert "100.0 %" not in text and "$0" not in text and "Investment" not in text
    for sku, name in (("M1", "Whole milk"), ("S1", "Sugar")):
        assert f"{sku} {name} no lead time" in text
    assert panel.plan_summary["skus_planned"] == 0
    assert np.isnan(panel.plan_summary["fill_rate"])


def test_summary_figures_say_how_many_items_they_cover():
    ds = _rough(lead_times=True)
    plan = wb.plan(ds)
    panel = SummaryPanel(ds, plan=plan)
    text = _text(panel.plan_kpis.value)
    assert "Items planned 3 of 5 items" in text
    assert "The figures cover the 3 of 5 items that could be planned" in text
    investment = plan.drop(index=["F1", "O1"])["average_inventory_value"].sum()
    assert f"${investment:,.0f}" in text
    assert "F1 Flour no lead time" in text and "O1 Olive oil no lead time" in text
    assert panel.plan_summary["unplanned_skus"] == ["F1", "O1"]


def test_dashboard_summary_follows_the_plan_of_new_data(small):
    d = Dashboard(small)
    summary = d.panels["Summary"]
    assert "Items planned 80 of 80 items" in _text(summary.plan_kpis.value)
    assert "cannot be planned" not in _text(summary.plan_kpis.value)
    d.dataset = _rough(lead_times=False)
    assert "No item could be planned" in _text(summary.plan_kpis.value)
    assert "5 of 5 items cannot be planned" in _text(d.data_panel.unplanned.value)


def test_summary_lists_items_with_a_short_history():
    """An item launched three weeks before the end of the data is planned, and flagged."""
    days = pd.date_range("2025-01-01", "2025-12-31", freq="D")
    new = days[-21:]
    items = pd.DataFrame(
        {
            "sku": ["OLD", "NEW"],
            "name": ["Old soap", "New candle"],
            "inventory_type": ["finished_good"] * 2,
            "unit_cost": [2.0, 5.0],
            "lead_time_days": [7.0, 7.0],
        }
    )
    demand = pd.concat(
        [
            pd.DataFrame({"date": days, "sku": "OLD", "quantity": 3.0 + (days.day % 4)}),
            pd.DataFrame({"date": new, "sku": "NEW", "quantity": 2.0 + (new.day % 3)}),
        ]
    )
    ds = wb.Dataset.from_tables({"items": items, "demand": demand})
    panel = SummaryPanel(ds, plan=wb.plan(ds))
    text = _text(panel.plan_kpis.value)
    assert "1 item has a short history" in text, text
    assert "NEW New candle only 21 days of history (since 2025-12-11)" in text
    assert "OLD Old soap" not in text


def test_import_of_deeply_nested_json_says_why(small):
    """Before: the import showed Python's "maximum recursion depth exceeded"."""
    sp = ScenarioPanel(small)
    assert sp.import_json("[" * 100_000) == []
    assert "100,000 levels deep" in sp.message.value and "at most 20" in sp.message.value
    assert sp.scenarios == {}


def test_a_tab_clicked_before_the_page_is_idle_imports_the_bundle_the_owner_imports(
    small, monkeypatch
):
    """Under ``workbench serve`` the idle signal carries the bundle's URL, the very URL the
    figure that carries the bundle imports (one module, loaded once by the page)."""
    monkeypatch.setenv("VOILA_KERNEL_ID", "test")
    monkeypatch.setenv(_common.BUNDLE_URL_ENV, "/workbench/static/plotly/widgetbundle.js?v=1")
    monkeypatch.setattr(_common, "_bundle_owner", [])
    d = Dashboard(small, lazy=True)
    signal = d.children[-1]
    assert signal.bundle_url == "/workbench/static/plotly/widgetbundle.js?v=1"
    assert json.dumps(signal.bundle_url) in _common._owner_esm()
    assert "pointerdown" in signal._esm and "__workbenchPlotly" in signal._esm
