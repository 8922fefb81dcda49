"""The dashboard as a manager reads it (issue 17), headless: one active scenario whose
name and figures agree on every tab, readable slider readouts, first-screen orientation,
the scenario comparison in words, chart colours readable in both themes, empty charts
replaced by a sentence."""

from __future__ import annotations

import html
import io
import itertools
import re

import ipywidgets as widgets
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.data import SCHEMAS
from workbench.ui import Dashboard, SummaryPanel
from workbench.ui._common import (
    PALETTES,
    contrast_ratio,
    decode_data_uri,
    fmt_money,
    fmt_pct,
    typed_slider_row,
)
from workbench.ui.abc_panel import ABCPanel
from workbench.ui.accessibility import ACCESSIBILITY_ESM, format_value_text, value_text_spec
from workbench.ui.data_panel import template_csv, templates_html
from workbench.ui.eoq_panel import EOQPanel
from workbench.ui.safety_panel import SafetyPanel
from workbench.ui.scenario_panel import ScenarioPanel, comparison_html
from workbench.ui.tradeoff_panel import TradeoffPanel


@pytest.fixture(scope="module")
def small():
    return wb.sample_dataset(n_skus=80, years=1, seed=5)


def href_of(markup: str, css: str) -> str:
    m = re.search(rf'<a class="[^"]*{css}[^"]*" download="[^"]+" href="([^"]+)"', markup)
    assert m, markup[:200]
    return m.group(1)


def text_of(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", markup)


# --------------------------------------------------------------------------- 2. one scenario


def investment_of_download(d: Dashboard) -> float:
    csv = decode_data_uri(href_of(d.data_panel.downloads.value, "wb-plan-csv"))
    plan = pd.read_csv(io.BytesIO(csv))
    return float(plan["average_inventory_value"].sum())


def test_every_tab_shows_the_active_scenario_with_the_same_investment(small):
    d = Dashboard(small)
    expected = wb.plan_summary(wb.plan(small, wb.Scenario()))["investment"]
    trade = d.panels["Stockout trade-offs"]
    # Trade-offs starts from the active scenario (items' own service levels included),
    # so its investment is the plan's, not a different baseline.
    assert trade.item_levels.value is True
    assert_allclose(trade.result["investment"], expected, rtol=1e-12)
    assert_allclose(investment_of_download(d), expected, rtol=1e-9)
    money = fmt_money(expected)
    assert "baseline" in text_of(d.header.value) and money in d.header.value
    assert "baseline" in trade.numbers.value and money in trade.numbers.value
    assert "the active scenario" in trade.numbers.value
    d.scenario_panel.set_plan(d.plan)
    assert "baseline" in d.scenario_panel.active.value and money in d.scenario_panel.active.value
    assert money in d.data_panel.downloads.value


def test_make_this_the_active_scenario_from_tradeoffs(small):
    d = Dashboard(small)
    trade = d.panels["Stockout trade-offs"]
    trade.targets["A"].value = 0.995
    assert "not active yet" in trade.numbers.value
    assert d.scenario.name == "baseline"  # moving a slider alone changes nothing else
    trade.activate_button.click()
    assert d.scenario.name == "baseline (trade-offs)"
    assert d.scenario.service_targets["A"] == pytest.approx(0.995)
    investment = wb.plan_summary(d.plan)["investment"]
    assert_allclose(trade.result["investment"], investment, rtol=1e-12)
    assert_allclose(investment_of_download(d), investment, rtol=1e-9)
    for markup in (d.header.value, trade.numbers.value, d.data_panel.downloads.value):
        assert "baseline (trade-offs)" in markup and fmt_money(investment) in markup
    assert "the active scenario" in trade.numbers.value
    # the Scenarios tab shows it too, made after the change
    assert "baseline (trade-offs)" in d.scenario_panel.active.value


def test_a_scenario_applied_in_scenarios_reaches_tradeoffs(small):
    d = Dashboard(small)
    sp = d.scenario_panel
    sp.editors["lead_time_multiplier"].value = "2"
    sp.name.value = "slow suppliers"
    sp.apply_button.click()
    assert d.scenario.name == "slow suppliers"
    trade = d.panels["Stockout trade-offs"]
    investment = wb.plan_summary(d.plan)["investment"]
    assert_allclose(trade.result["investment"], investment, rtol=1e-12)
    assert "slow suppliers" in trade.numbers.value and "the active scenario" in trade.numbers.value
    assert "slow suppliers" in sp.active.value and fmt_money(investment) in sp.active.value


# --------------------------------------------------------------------------- 1. readouts


def sliders_of(widget):
    stack, out = [widget], []
    while stack:
        w = stack.pop()
        if isinstance(w, widgets.FloatSlider):
            out.append(w)
        stack.extend(getattr(w, "children", None) or ())
    return out


@pytest.mark.parametrize("make", [EOQPanel, SafetyPanel, ABCPanel, TradeoffPanel])
def test_every_slider_has_a_full_readout_box(small, make):
    panel = make(small)
    found = sliders_of(panel)
    assert found
    for s in found:
        scale = 100 if s.percent else 1
        assert s.readout is False and s.row in _ancestors(panel, s)
        assert s.box.value == pytest.approx(s.value * scale, abs=0.005), s.description
        assert "[1/yr]" not in s.description
        unit = s.row.children[2].value
        if s.percent:
            assert text_of(unit) == "%"
        # what a screen reader reads of the slider: the box's value with its unit
        spoken = value_text_of(unit)
        assert float(re.sub(r"[^0-9.\-]", "", spoken.split(" ")[0])) == s.box.value, spoken
        assert spoken.endswith(" %") == bool(s.percent), spoken
        assert spoken.startswith("$") == ("[$/" in s.description), (s.description, spoken)


def value_text_of(unit_html: str) -> str:
    """The text the page's script gives a slider handle as ``aria-valuetext``, from the
    ``wb-valuetext`` span of its row (as :mod:`workbench.ui.accessibility` reads it)."""
    m = re.search(r'<span class="wb-valuetext"([^>]*)>', unit_html)
    assert m, unit_html
    attrs = {k: html.unescape(v) for k, v in re.findall(r'data-(\w+)="([^"]*)"', m.group(1))}
    spec = {
        "scale": float(attrs["scale"]),
        "digits": int(attrs["digits"]),
        "prefix": attrs["prefix"],
        "suffix": attrs["suffix"],
    }
    return format_value_text(float(attrs["value"]), spec)


def _ancestors(root, target):
    stack, parents = [(root, [])], []
    while stack:
        w, path = stack.pop()
        if w is target:
            parents = path
            break
        for c in getattr(w, "children", None) or ():
            stack.append((c, [*path, w]))
    return parents


def test_percent_sliders_show_percent_and_take_typed_values(small):
    panel = TradeoffPanel(small)
    rate, target = panel.holding_rate, panel.targets["A"]
    assert rate.percent and target.percent
    assert target.box.value == pytest.approx(100 * target.value)
    target.box.value = 99.5  # typed: moves the slider, the point follows
    assert target.value == pytest.approx(0.995)
    assert panel.scenario.service_targets["A"] == pytest.approx(0.995)
    target.box.value = 150  # beyond the range: clamped, and the box says where it is
    assert target.value == pytest.approx(target.max)
    assert target.box.value == pytest.approx(100 * target.max)
    rate.value = 0.07
    assert rate.box.value == 7.0  # not 7.000000000000001


def test_typed_row_of_a_plain_slider_keeps_its_unit():
    s = widgets.FloatSlider(value=12.5, min=0, max=100, step=0.5, description="Lead time")
    row = typed_slider_row(s, unit="days")
    assert text_of(row.children[2].value) == "days" and s.box.value == 12.5
    assert value_text_of(row.children[2].value) == "12.5 days"
    s.value = 40
    assert value_text_of(row.children[2].value) == "40 days"  # follows the slider
    assert "Lead time" in s.box.tooltip
    s.box.value = 30
    assert s.value == 30


# --------------------------------------------------------------------------- 5. first screen


def test_first_screen_says_what_the_workbench_answers_and_each_tab_is_for(small):
    d = Dashboard(small)
    p = d.data_panel
    text = html.unescape(text_of(p.orientation.value))
    assert "What the workbench answers" in text
    for spec in d.specs:  # every tab has its purpose listed (TabSpec.purpose)
        assert spec.purpose, spec.title
        assert f"{spec.title}: {spec.purpose}" in text
    # the plan download comes before the upload controls and the loaded-data summary
    order = list(p.children)
    downloads = order.index(p.downloads)
    assert downloads < order.index(p.intro) < order.index(p.summary)
    assert "(0)" not in p.upload.description


@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_each_template_has_the_columns_and_an_example_row_that_loads(table):
    frame = pd.read_csv(io.BytesIO(template_csv(table)), dtype=str, keep_default_na=False)
    schema = SCHEMAS[table]
    assert list(frame.columns[: len(schema.required_columns)]) == list(schema.required_columns)
    assert set(frame.columns) == set(schema.column_names)
    assert len(frame) == 1
    for col in schema.required_columns:  # the example fills every required column
        assert frame[col].iloc[0] != "", (table, col)


def test_items_and_demand_templates_load_as_a_dataset():
    ds = wb.load_uploaded(
        {"items.csv": template_csv("items"), "demand.csv": template_csv("demand")}
    )
    assert len(ds.items) == 1 and len(ds.demand) == 1


def test_templates_section_links_every_table_with_its_required_columns():
    markup = templates_html()
    for name, schema in SCHEMAS.items():
        assert f'download="{name}.csv"' in markup
        assert html.escape(", ".join(schema.required_columns)) in markup


# --------------------------------------------------------------------------- 3. comparison


def test_comparison_reads_as_a_manager_reads_it(small):
    sp = ScenarioPanel(small)
    sp.save("baseline")
    sp.editors["lead_time_multiplier"].value = "2"
    sp.save("slow suppliers")
    table = sp.compare(["baseline", "slow suppliers"])
    markup = sp.table.value
    text = html.unescape(text_of(markup))
    assert "index" not in text and "skus_planned" not in text and "fill_rate" not in text
    assert "Investment (average stock at cost)" in text and "Expected fill rate" in text
    base = table["baseline"]
    assert fmt_money(base["investment"]) in text
    assert f"{100 * base['fill_rate']:.2f} %" in text
    # the better investment (lower) and fill rate (higher) are marked in words
    row = re.search(r"<tr data-row='investment'>.*?</tr>", markup).group(0)
    best = 0 if base["investment"] < table["slow suppliers"]["investment"] else 1
    cells = re.findall(r"<td class='([^']*)'>", row)
    assert "wb-best" in cells[best] and "wb-best" not in cells[1 - best]
    assert "✓ best" in row and "wb-diff" in cells[1]
    # the items whose reorder point changes are listed with their effect
    changes = wb.plan_changes(
        wb.plan(small, sp.scenarios["baseline"]), wb.plan(small, sp.scenarios["slow suppliers"])
    )
    assert f"{len(changes):,} items change" in text
    top = changes.index[0]
    line = re.search(rf"<td>{re.escape(str(top))}</td>.*?</tr>", markup).group(0)
    assert "→" in line and fmt_money(changes["investment_change"].iloc[0]) in line


def test_comparison_rows_not_known_keep_a_readable_label():
    table = pd.DataFrame({"a": [1.0, 0.5], "b": [2.0, 0.5]}, index=["skus_D", "new_figure"])
    text = text_of(comparison_html(table))
    assert "items in class D" in text and "New figure" in text


# --------------------------------------------------------------------------- 4. colours


def trace_colors(fig) -> list[tuple[str, str]]:
    """(trace name, colour) of every line and marker of a figure: the colour set on the
    trace, else the template's colorway by trace position (as plotly.js assigns them)."""
    colorway = list(fig.layout.template.layout.colorway)
    out = []
    for i, t in enumerate(fig.data):
        if getattr(t, "type", "") in ("bar", "histogram", "box"):
            c = t.marker.color
        elif "lines" in (getattr(t, "mode", None) or "") and t.line.width != 0:
            c = t.line.color
        else:
            c = t.marker.color
        if c is None:
            c = colorway[i % len(colorway)]
        if isinstance(c, str):
            out.append((t.name or f"trace {i}", c))
    return out


def figures_of(widget):
    stack, out = [widget], []
    while stack:
        w = stack.pop()
        if hasattr(w, "_data") and hasattr(w, "layout") and hasattr(w, "data"):
            out.append(w)
        stack.extend(getattr(w, "children", None) or ())
    return out


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_trace_is_readable_on_its_background(small, theme, monkeypatch):
    """Contrast above 3:1, and colour never the only carrier of meaning."""
    monkeypatch.setenv("WORKBENCH_THEME", theme)
    d = Dashboard(small)
    background = PALETTES[theme]["background"]
    checked = 0
    for title, panel in d.panels.items():
        for fig in figures_of(panel):
            assert fig.layout.template.layout.plot_bgcolor == background
            for name, color in trace_colors(fig):
                ratio = contrast_ratio(color, background)
                assert ratio > 3.0, f"{title}: {name} {color} on {background}: {ratio:.2f}"
                checked += 1
    assert checked > 20
    assert_colour_is_never_the_only_carrier_of_meaning(d, theme)


def assert_colour_is_never_the_only_carrier_of_meaning(d: Dashboard, theme: str) -> None:
    """Issue 17.11: every trace in a legend says what it is in words, a chart with more
    than one is drawn with its legend, and the ABC classes' colours are named ("class A")
    in the colour of that class (a reader who cannot tell blue from orange reads the
    legend; the class counts beside the chart name the classes too)."""
    legends = 0
    for title, panel in d.panels.items():
        for fig in figures_of(panel):
            shown = [t for t in fig.data if t.showlegend is not False]
            unnamed = [t.type for t in shown if not (t.name or "").strip()]
            assert unnamed == [], f"{title} {fig.layout.meta}: traces without a name"
            if len(shown) >= 2:
                assert fig.layout.showlegend is not False, f"{title} {fig.layout.meta}"
                legends += 1
            hidden = [t for t in fig.data if t.showlegend is False and (t.name or "").strip()]
            # a trace kept out of the legend is in a chart whose subplots are titled, or
            # it is the lower edge of a named band drawn in the same colour
            for t in hidden:
                titled = len(fig.layout.annotations) > 0
                paired = any(
                    u.showlegend is not False and (t.name or "") in (u.name or "") + ", low"
                    for u in fig.data
                )
                assert titled or paired, f"{title} {fig.layout.meta}: {t.name} not in a legend"
    assert legends >= 8
    abc = d.panels["ABC / XYZ"]
    pareto = next(f for f in figures_of(abc) if f.layout.meta == "abc-pareto")
    for c, color in PALETTES[theme]["classes"].items():
        bars = [t for t in pareto.data if t.type == "bar" and t.marker.color == color]
        assert [t.name for t in bars] == [f"class {c}"], (theme, c)
    assert all(f"<b>{c}</b>: " in abc.summary.value for c in "ABC")  # beside the chart


def test_the_palettes_pass_3_to_1_and_the_class_colours_differ():
    for theme, p in PALETTES.items():
        for c in [*p["series"], *p["classes"].values(), p["ink"], p["muted"], p["bad"]]:
            assert contrast_ratio(c, p["background"]) > 3.0, (theme, c)
        assert len(set(p["classes"].values())) == 3
    # the published examples of WCAG 2.1: black on white 21:1, #767676 on white 4.54:1
    assert contrast_ratio("#000", "#fff") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


# --------------------------------------------------------------------------- 6. empty charts


def test_summary_says_what_to_do_without_a_lots_table(small):
    no_lots = wb.load_uploaded(
        {
            "items.csv": small.items.to_csv(index=False).encode(),
            "demand.csv": small.demand.to_csv(index=False).encode(),
        }
    )
    assert not no_lots.has("lots")
    fig = SummaryPanel(no_lots).types_fig
    note = next(a for a in fig.layout.annotations if a.name == "no-lots")
    assert note.visible and "lots table" in note.text
    assert fig.layout.xaxis2.visible is False and fig.data[1].visible is False
    with_lots = SummaryPanel(small).types_fig
    assert next(a for a in with_lots.layout.annotations if a.name == "no-lots").visible is False
    assert with_lots.layout.yaxis2.visible is not False


def test_tradeoffs_stock_chart_is_a_sentence_until_the_simulation_runs(small):
    panel = TradeoffPanel(small)
    note = next(a for a in panel.fig.layout.annotations if a.name == "no-trace")
    assert note.visible is not False and "Run simulation" in note.text
    assert panel.fig.layout.xaxis2.visible is False
    panel.run_simulation()
    note = next(a for a in panel.fig.layout.annotations if a.name == "no-trace")
    assert note.visible is False and panel.fig.layout.xaxis2.visible is True
    assert len(panel.fig.data[5].x) > 0


# --------------------------------------------------------------------------- 7. layout


def drawn_curves(fig) -> list[tuple[tuple, tuple]]:
    """(x, y) of every drawn line of a figure, normalised by its largest y: two curves of
    which one is the other times a constant (safety stock and its holding cost) coincide
    on autoscaled axes."""
    out = []
    for t in fig.data:
        if t.visible is False or t.y is None or len(t.y) < 3:
            continue
        y = [float(v) for v in t.y]
        top = max(abs(v) for v in y) or 1.0
        out.append((tuple(float(v) for v in t.x), tuple(round(v / top, 9) for v in y)))
    return out


def test_safety_stock_chart_draws_no_curve_twice(small):
    panel = SafetyPanel(small)
    curves = drawn_curves(panel.fig)
    assert len(curves) == len(set(curves)) > 1
    assert "yaxis3" not in panel.fig.layout  # one axis per quantity: no second y axis
    h = panel.result["holding_cost"]
    assert_allclose(panel.fig.data[4].customdata, [y * h for y in panel.fig.data[4].y])
    assert "a year" in panel.fig.data[4].hovertemplate


def test_price_break_cost_has_its_own_chart_not_a_second_axis_over_the_first():
    # Wohl's Discount Store (Heizer & Render): with purchase, $24,725 a year against
    # about $700 without; on a right axis over the cost chart its curve crossed the others.
    p = EOQPanel(annual_demand=5000, order_cost=49, holding_cost_rate=0.2, unit_cost=5.0)
    layout = p.fig.layout
    assert layout.yaxis2.visible is False and tuple(layout.yaxis.domain) == (0, 1)
    # hidden, a sliver: zero height stopped plotly drawing any trace; over the cost
    # chart it hid the chart's lower part
    assert 0 < layout.yaxis2.domain[1] - layout.yaxis2.domain[0] < 0.01
    p.breaks.value = "0:5.00, 1000:4.80, 2000:4.75"
    layout = p.fig.layout
    assert layout.yaxis2.visible is True and layout.xaxis2.visible is True
    for axis in (layout.yaxis, layout.yaxis2):
        assert axis.overlaying is None  # no axis drawn over another one
    low, high = sorted([tuple(layout.yaxis.domain), tuple(layout.yaxis2.domain)])
    assert low[1] < high[0]  # one chart above the other
    assert layout.xaxis2.matches == "x"  # the same order quantities
    assert all(p.fig.data[i].yaxis == "y2" and p.fig.data[i].xaxis == "x2" for i in (6, 7))
    p.breaks.value = ""
    assert p.fig.layout.yaxis2.visible is False and tuple(p.fig.layout.yaxis.domain) == (0, 1)


# --------------------------------------------------------------------------- 9. progress


def test_simulation_progress_moves_from_the_start_and_the_gap_is_explained(small):
    panel = TradeoffPanel(small)
    seen, steps = [], []
    panel.progress.observe(lambda c: seen.append(c.new), names="value")
    panel.status.observe(lambda c: steps.append(html.unescape(text_of(c.new))), names="value")
    panel.run_simulation()
    assert seen[0] > 0  # the bar moves as soon as the button is pressed
    assert seen[-1] == 1.0
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(seen))
    assert len(seen) >= 5
    assert any("Reading the demand history" in s for s in steps)
    assert any("Checking the plan's promise" in s for s in steps)
    assert "Why simulated and formula differ" in panel.status.value


# --------------------------------------------------------------------------- 11. labels


CONTROLS = (
    widgets.Dropdown,
    widgets.SelectMultiple,
    widgets.Select,
    widgets.Text,
    widgets.FloatText,
    widgets.Checkbox,
    widgets.FloatSlider,
    widgets.IntSlider,
    widgets.ToggleButtons,
    widgets.Button,
    widgets.FileUpload,
    widgets.FloatProgress,
)


def test_every_control_has_a_label_a_screen_reader_reads(small):
    d = Dashboard(small)
    d.scenario_panel  # noqa: B018  (built on first use)
    unlabelled = []
    stack = [d, d.scenario_panel]
    while stack:
        w = stack.pop()
        if isinstance(w, CONTROLS):
            label = (getattr(w, "description", "") or "").strip()
            tip = (getattr(w, "tooltip", None) or "").strip()
            if not (label or tip):
                unlabelled.append((type(w).__name__, w._dom_classes))
        stack.extend(getattr(w, "children", None) or ())
    assert unlabelled == []


def test_sliders_are_read_with_their_units_as_the_box_shows_them(small):
    """ipywidgets' handle reads "0.9500000000000001" where the box shows 95 %: the value
    text the page's script writes (issue 17.11) is the box's number with its unit."""
    cases = [
        (value_text_spec("Service target, class A", percent=True, step=0.001), 0.98, "98 %"),
        (value_text_spec("Service target", percent=True, step=0.001), 0.9505, "95.05 %"),
        (value_text_spec("Holding cost i, a year", percent=True, step=0.01), 0.07, "7 %"),
        (value_text_spec("Order cost S [$/order]", step=0.5), 76.16, "$76.16 per order"),
        (value_text_spec("Annual demand D [units a year]", step=10), 63160, "63,160 units a year"),
        (value_text_spec("Lead time sd [days]", step=0.1), 0.6000000000000001, "0.6 days"),
        (value_text_spec("Horizon [weeks]", step=1), 26, "26 weeks"),
        (value_text_spec("Anything"), 1234.5, "1,234.5"),
    ]
    for spec, value, text in cases:
        assert format_value_text(value, spec) == text
    # a slider whose step changes (a SKU chosen) keeps reading as many decimals as its box
    s = widgets.FloatSlider(value=0.5, min=0, max=1, step=0.1, description="Lead time [days]")
    row = typed_slider_row(s, unit="")
    s.step = 0.001
    s.value = 0.123
    assert value_text_of(row.children[2].value) == "0.123 days" and s.box.value == 0.123


def test_a_displayed_panel_brings_the_slider_script_once(small):
    panel = EOQPanel(small)
    panel._repr_mimebundle_()
    panel._repr_mimebundle_()  # displayed twice: still one
    scripts = [c for c in panel.children if "wb-accessibility" in c._dom_classes]
    assert len(scripts) == 1 and scripts[0]._esm == ACCESSIBILITY_ESM
    assert scripts[0].layout.display == "none"
    # the script sets what ipywidgets leaves out: the name, the text and the number
    for attr in ("aria-label", "aria-valuetext", "aria-valuenow", "aria-valuemin"):
        assert f'"{attr}"' in ACCESSIBILITY_ESM
    d = Dashboard(small)
    d._repr_mimebundle_()
    assert sum("wb-accessibility" in c._dom_classes for c in d.children) == 1


def test_scenario_editor_speaks_words_and_percentages(small):
    sp = ScenarioPanel(small)
    assert sp.targets["A"].value == "98"  # not 0.98
    labels = dict((v, k) for k, v in sp.choices["policy"].options)
    assert set(labels) == set(wb.SCENARIO_POLICIES)  # only what a scenario takes
    assert labels["sQ"] == "Reorder point, fixed order quantity (sQ)"
    assert dict((v, k) for k, v in sp.choices["service_type"].options)["fill_rate"] == "Fill rate"
    assert sp.edited().service_targets == wb.Scenario().service_targets


def test_scenario_editor_labels_say_units_and_take_the_holding_cost_in_percent(small):
    sp = ScenarioPanel(small)
    labels = {name: box.description for name, box in sp.editors.items()}
    assert all("_" not in label for label in labels.values()), labels
    assert labels["holding_cost_rate"] == "Holding cost a year, % of unit cost"
    assert labels["order_cost"] == "Order cost, $ per order"
    assert sp.choices["policy"].description == "Ordering rule"
    sp.editors["holding_cost_rate"].value = "30"
    sp.editors["order_cost"].value = "$1,250"
    scn = sp.save("dear stock")
    assert scn.holding_cost_rate == pytest.approx(0.30) and scn.order_cost == 1250.0
    fresh = ScenarioPanel(small, scenario=scn)
    assert fresh.editors["holding_cost_rate"].value == "30"  # not 0.3
    assert fresh.editors["order_cost"].value == "1250"


# --------------------------------------------------------------------------- 8. words


#: A number printed with more than four decimals ("0.998612", "273890.57123").
RAW_FLOAT = re.compile(r"(?<![\w.#%-])-?\d+\.\d{5,}(?![\w.])")
#: A code name: snake_case ("fill_rate", "skus_planned") or the package's own ("wb.plan").
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
CODE = re.compile(r"\bwb\.[a-z_]+")


def shown_texts(widget):
    """(where, text) of what a panel puts on the screen: every HTML widget's text (style
    sheets and links' addresses left out), its table headers apart, and every control's
    label and choices."""
    stack = [widget]
    while stack:
        w = stack.pop()
        stack.extend(getattr(w, "children", None) or ())
        cls = " ".join(getattr(w, "_dom_classes", ())) or type(w).__name__
        if isinstance(w, widgets.HTML | widgets.HTMLMath | widgets.Label):
            markup = re.sub(r"<style.*?</style>", "", str(w.value), flags=re.S)
            for th in re.findall(r"<th[^>]*>(.*?)</th>", markup, flags=re.S):
                yield f"{cls} header", html.unescape(text_of(th))
            # tags as spaces: a cell's number must not run into the cell before it
            yield cls, html.unescape(re.sub(r"<[^>]+>", " ", markup))
        label = getattr(w, "description", None)
        if isinstance(label, str) and label and not isinstance(w, widgets.HTML):
            yield f"{cls} label", label
        for option in getattr(w, "_options_labels", ()) or ():
            yield f"{cls} choice", str(option)


def test_no_tab_shows_raw_floats_code_names_or_snake_case_headers(small):
    d = Dashboard(small)
    sp = d.scenario_panel
    sp.save("baseline")
    sp.editors["lead_time_multiplier"].value = "2"
    sp.save("slow suppliers")
    sp.compare(["baseline", "slow suppliers"])  # the comparison and the changed items
    panels = {**d.panels, "Scenarios": sp}
    assert len(panels) >= 12
    problems = []
    for title, panel in panels.items():
        for where, text in shown_texts(panel):
            for m in RAW_FLOAT.findall(text):
                problems.append((title, where, "raw number", m))
            for m in CODE.findall(text):
                problems.append((title, where, "code name", m))
            if where.endswith(("header", "label", "choice")):
                for m in SNAKE.findall(text):
                    problems.append((title, where, "snake_case", m))
    assert problems == []


def test_the_scan_finds_what_it_looks_for():
    # the scan above can fail: a raw fraction, a code name and a snake_case header
    box = widgets.VBox(
        [
            widgets.HTML("<table><tr><th>fill_rate</th></tr><tr><td>0.998612</td></tr></table>"),
            widgets.HTML("see wb.period_movements"),
            widgets.FloatSlider(description="holding_cost_rate"),
        ]
    )
    found = list(shown_texts(box))
    assert any(RAW_FLOAT.search(t) for _, t in found)
    assert any(CODE.search(t) for _, t in found)
    assert [SNAKE.findall(t) for w, t in found if w.endswith(("header", "label"))] == [
        ["holding_cost_rate"],
        ["fill_rate"],
    ]
    assert not RAW_FLOAT.search("$1,234.57, 98.25 %, 0.9986, x1.00001y, #ff00aa11")


def test_the_active_fill_rate_reads_the_same_on_every_tab(small):
    # the header and Summary said 99.7 % while Trade-offs said 99.75 % for the same plan
    d = Dashboard(small)
    expected = fmt_pct(wb.plan_summary(d.plan)["fill_rate"], 2)
    summary = " ".join(t for _, t in shown_texts(d.panels["Summary"]))
    trade = d.panels["Stockout trade-offs"]
    assert expected in text_of(d.header.value)
    assert f"Expected fill rate {expected}" in re.sub(r"\s+", " ", summary)
    assert expected in text_of(trade.numbers.value)
