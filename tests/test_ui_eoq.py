"""The EOQ explorer headless: move a control, the trait, the text and the curves follow
the calculators (wb.eoq, wb.eoq_cost, wb.eoq_flat_range, wb.all_units_discount)."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose

import workbench as wb
from workbench.ui.eoq_panel import EOQPanel, nice_ceil, nice_step, parse_price_breaks


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def shown_qstar(panel) -> float:
    m = re.search(r"class='eoq-qstar'>([\d,\.]+)<", panel.formula.value)
    return float(m.group(1).replace(",", ""))


@pytest.fixture(scope="module")
def shipped():
    return wb.load_dataset("sample_data")


def test_free_parameters_are_sharp_inc():
    # Heizer & Render, Sharp, Inc. (ch. 12): D = 1,000, S = $10, H = $0.50 -> Q* = 200.
    p = EOQPanel(days_per_year=250)
    assert p.sku.value == "(free parameters)"
    assert_allclose(p.result["order_quantity"], 200.0, rtol=1e-12)
    assert_allclose(p.result["orders_per_year"], 5.0, rtol=1e-12)
    assert_allclose(p.result["cycle_time_days"], 50.0, rtol=1e-12)
    assert_allclose(p.result["annual_cost"], 100.0, rtol=1e-12)
    assert shown_qstar(p) == 200.0
    assert "Q* = √(2 D S / H)" in text_of(p.formula.value)
    assert "$100.00" in text_of(p.numbers.value)


def test_moving_demand_updates_trait_text_and_curves():
    p = EOQPanel()
    before_total = np.array(p.fig.data[2].y)
    p.demand.value = 4000.0
    expected = wb.eoq(4000.0, order_cost=10.0, holding_cost=0.5)
    assert_allclose(p.result["order_quantity"], expected.order_quantity, rtol=1e-12)
    assert_allclose(p.result["annual_cost"], expected.annual_cost, rtol=1e-12)
    assert shown_qstar(p) == pytest.approx(round(float(expected.order_quantity), 1))
    # The curves are wb.eoq_cost on the plotted grid.
    grid = np.array(p.fig.data[2].x)
    c = wb.eoq_cost(grid, annual_demand=4000.0, order_cost=10.0, holding_cost=0.5)
    assert_allclose(p.fig.data[0].y, c.ordering, rtol=1e-12)
    assert_allclose(p.fig.data[1].y, c.holding, rtol=1e-12)
    assert_allclose(p.fig.data[2].y, c.total, rtol=1e-12)
    assert not np.array_equal(before_total, np.array(p.fig.data[2].y))
    # Q* is marked at the minimum of the total curve.
    assert_allclose(p.fig.data[4].x, [expected.order_quantity], rtol=1e-12)
    assert_allclose(p.fig.data[4].y, [expected.annual_cost], rtol=1e-12)
    assert grid[np.argmin(c.total)] == pytest.approx(
        expected.order_quantity, rel=0.02
    )  # grid step 1.5 %


@pytest.mark.parametrize(
    "control, value",
    [("order_cost", 40.0), ("holding_rate", 0.5), ("unit_cost", 8.0)],
)
def test_each_cost_slider_moves_qstar(control, value):
    p = EOQPanel()
    q0 = p.result["order_quantity"]
    getattr(p, control).value = value
    params = p.parameters()
    expected = wb.eoq(
        params["annual_demand"],
        order_cost=params["order_cost"],
        holding_cost=params["holding_cost_rate"] * params["unit_cost"],
    )
    assert p.result["order_quantity"] != q0
    assert_allclose(p.result["order_quantity"], expected.order_quantity, rtol=1e-12)


def test_flat_band_is_the_five_percent_range():
    p = EOQPanel()
    q = p.result["order_quantity"]
    flat = wb.eoq_flat_range(0.05, optimal_quantity=q)
    band = np.array(p.fig.data[3].x)
    assert_allclose([band.min(), band.max()], [flat.lower, flat.upper], rtol=1e-12)
    # Inside the band the total cost is within 5 % of the minimum (Eq. in eoq_flat_range).
    grid = np.array(p.fig.data[2].x)
    total = np.array(p.fig.data[2].y)
    inside = (grid >= flat.lower) & (grid <= flat.upper)
    assert inside.any() and np.all(total[inside] <= 1.05 * p.result["annual_cost"] + 1e-9)


def test_price_breaks_wohls_discount_store():
    # Heizer & Render, Wohl's Discount Store: D = 5,000, S = $49, I = 20 %,
    # $5.00 / $4.80 from 1,000 / $4.75 from 2,000 -> Q = 1,000 at $4.80, TC = $24,725.
    p = EOQPanel(annual_demand=5000, order_cost=49, holding_cost_rate=0.2, unit_cost=5.0)
    assert not p.fig.data[6].visible
    p.breaks.value = "0:5.00, 1000:4.80, 2000:4.75"
    assert p.result["discount_order_quantity"] == 1000.0
    assert p.result["discount_unit_price"] == 4.8
    assert_allclose(p.result["discount_annual_cost"], 24725.0, rtol=1e-12)
    assert p.fig.data[6].visible and p.fig.data[7].visible
    assert_allclose(p.fig.data[7].x, [1000.0])
    assert "$24,725.00" in text_of(p.numbers.value)
    # The dashed curve's minimum over the grid is no lower than the optimum.
    assert np.nanmin(np.array(p.fig.data[6].y, dtype=float)) >= 24725.0 - 1e-6


def test_bad_price_breaks_show_a_message_not_a_traceback():
    p = EOQPanel()
    p.breaks.value = "0:5, 1000:6"  # price rises with quantity
    assert "wb-error" in p.message.value
    assert "discount_order_quantity" not in p.result
    p.breaks.value = "abc"
    assert "min_quantity:unit_price" in text_of(p.message.value)
    p.breaks.value = ""
    assert p.message.value == ""


def test_zero_demand_shows_a_note():
    p = EOQPanel()
    p.demand.value = 0.0
    assert p.result["order_quantity"] == 0.0
    assert "No demand" in p.message.value
    assert len(p.fig.data[2].y) == 0


def test_opens_a_sku_of_the_dataset_as_the_plan_does(shipped):
    p = EOQPanel(shipped)
    plan = wb.plan(shipped)
    sku = p.sku.value
    stats = wb.demand_stats(shipped)
    value = stats["annual_demand"] * shipped.items.set_index("sku")["unit_cost"]
    assert sku == value.idxmax()
    assert_allclose(p.result["order_quantity"], plan.loc[sku, "eoq"], rtol=1e-12)
    assert_allclose(p.result["annual_demand"], plan.loc[sku, "annual_demand"], rtol=1e-12)
    # Another SKU: the sliders take its values.
    other = plan.index[5]
    p.sku.value = other
    assert_allclose(p.result["order_quantity"], plan.loc[other, "eoq"], rtol=1e-12)
    assert p.demand.min <= p.demand.value <= p.demand.max
    # One step of the slider (what the browser test's ArrowRight does).
    d0 = p.demand.value
    p.demand.value = d0 + p.demand.step
    params = p.parameters()
    expected = wb.eoq(
        d0 + p.demand.step,
        order_cost=params["order_cost"],
        holding_cost=params["holding_cost_rate"] * params["unit_cost"],
    )
    assert_allclose(p.result["order_quantity"], expected.order_quantity, rtol=1e-12)
    # Back to free parameters.
    p.sku.value = "(free parameters)"
    assert_allclose(p.result["order_quantity"], 200.0)


def test_set_dataset_none_and_back(shipped):
    p = EOQPanel(shipped, sku="FG-0001")
    assert p.sku.value == "FG-0001"
    p.set_dataset(None)
    assert p.sku.options == (("(free parameters)", "(free parameters)"),)
    assert_allclose(p.result["order_quantity"], 200.0)


def test_panel_contract():
    p = EOQPanel()
    assert "eoq-panel" in p._dom_classes
    assert "eoq-demand" in p.demand._dom_classes
    # All traces were passed to the constructor and are only updated (pitfall 2).
    assert len(p.fig.data) == 8


@pytest.mark.parametrize(
    "x, ceil, step", [(3.7, 5.0, 2.0), (1000, 1000, 1000), (0.031, 0.05, 0.02), (0, 1.0, 1.0)]
)
def test_nice_numbers(x, ceil, step):
    assert nice_ceil(x) == pytest.approx(ceil)
    assert nice_step(x) == pytest.approx(step)


def test_parse_price_breaks_messages():
    assert parse_price_breaks("0=5\n100=4") == [(0.0, 5.0), (100.0, 4.0)]
    with pytest.raises(ValueError, match=r"price break '1000' is not"):
        parse_price_breaks("0:5, 1000")


def test_set_plan_follows_the_scenario(shipped):
    p = EOQPanel(shipped)
    sku = p.sku.value
    plan = wb.plan(shipped, wb.Scenario(holding_cost_rate=0.4, demand_multiplier=1.5))
    p.set_plan(plan)
    assert p.sku.value == sku
    assert_allclose(p.result["order_quantity"], plan.loc[sku, "eoq"], rtol=1e-9)
    assert_allclose(p.result["holding_cost_rate"], 0.4, rtol=1e-12)
    p.set_plan(None)  # back to the items' own figures
    assert_allclose(p.result["order_quantity"], wb.plan(shipped).loc[sku, "eoq"], rtol=1e-9)


class _Sent(list):
    """(restyle, relayout, trace indexes) of each message, and in ``kinds`` whether it
    was a Plotly.update ("update") or a traces-only Plotly.animate ("animate")."""

    def __init__(self):
        super().__init__()
        self.kinds = []

    def clear(self):
        super().clear()
        self.kinds.clear()


def _recording(fig):
    """Record the Plotly.update and Plotly.animate messages a FigureWidget would send."""
    sent = _Sent()

    def update(restyle_data, relayout_data, trace_indexes=None, **kw):
        sent.append((restyle_data, relayout_data, list(trace_indexes)))
        sent.kinds.append("update")

    def animate(styles_data, relayout_data, trace_indexes, animation_opts):
        restyle = {k: [style[k] for style in styles_data] for k in styles_data[0]}
        sent.append((restyle, relayout_data, list(trace_indexes)))
        sent.kinds.append("animate")
        assert animation_opts["frame"]["redraw"] is False  # the traces alone redrawn

    fig._send_update_msg, fig._send_animate_msg = update, animate
    return sent


def test_update_figure_sends_one_message_without_undefined():
    """One Plotly.update for traces and layout (one redraw in the browser), and no
    "undefined" entries: a name a trace does not change or set goes with its current
    value (plotly.js does not redraw a trace whose entry is undefined)."""
    import plotly.graph_objects as go
    from plotly.basedatatypes import Undefined

    from workbench.ui.eoq_panel import update_figure

    fig = go.FigureWidget(
        data=[
            go.Scatter(x=[0, 1], y=[0, 1]),
            go.Scatter(x=[0, 1], y=[1, 0], visible="legendonly"),
            go.Scatter(x=[0, 1], y=[2, 2]),
        ]
    )
    sent = _recording(fig)
    update_figure(
        fig,
        {
            0: dict(x=[0, 1], y=[5, 6]),  # x as before, y new
            1: dict(x=[0, 2], y=[1, 0], hovertext=["a", "b"]),  # x new, sets hovertext
            2: dict(x=[0, 1], y=[2, 2]),  # nothing new: left out
        },
        {"yaxis.range": [0, 7]},
    )
    assert len(sent) == 1
    restyle, relayout, traces = sent[0]
    assert traces == [0, 1] and relayout == {"yaxis.range": [0, 7]}
    assert set(restyle) == {"x", "y", "hovertext"}
    for values in restyle.values():
        assert len(values) == 2 and not any(v is Undefined for v in values)
    assert list(restyle["x"][0]) == [0, 1] and list(restyle["x"][1]) == [0, 2]
    assert list(restyle["y"][0]) == [5, 6]
    assert restyle["hovertext"][0] is None and list(restyle["hovertext"][1]) == ["a", "b"]
    assert list(fig.data[0].y) == [5, 6] and list(fig.data[1].hovertext) == ["a", "b"]
    assert fig.data[1].visible == "legendonly"  # hidden from the legend: stays hidden
    assert tuple(fig.layout.yaxis.range) == (0, 7)
    sent.clear()
    update_figure(fig, {2: dict(x=[0, 1], y=[2, 2])}, {"xaxis.range": [0, 1]})
    assert [(r, lay) for r, lay, _ in sent] == [({}, {"xaxis.range": [0, 1]})]


def test_eoq_slider_step_is_one_message():
    p = EOQPanel()
    sent = _recording(p.fig)
    p.demand.value = p.demand.value + p.demand.step
    assert len(sent) == 1
    restyle, relayout, traces = sent[0]
    # the holding curve H Q / 2 does not depend on D: left out; 6, 7: no price breaks
    assert traces == [0, 2, 3, 4, 5] and set(restyle) == {"x", "y"}
    # a small step keeps the axes (plotly.js would lay them out again): no relayout,
    # and plotly.js redraws the traces alone
    assert not relayout and sent.kinds == ["animate"]
    assert_allclose(np.asarray(p.fig.data[2].y).min(), p.result["annual_cost"], rtol=1e-3)
    q, (_, top) = p.result["order_quantity"], p.fig.layout.xaxis.range
    assert 2.4 * q <= top <= 3.6 * q
    assert max(p.fig.data[2].y[np.asarray(p.fig.data[2].x) >= q / 3]) <= p.fig.layout.yaxis.range[1]
    sent.clear()
    p.demand.value = 4 * p.demand.value  # Q* doubles: new ranges around it
    (restyle, relayout, traces), q = sent[0], p.result["order_quantity"]
    assert relayout["xaxis.range"] == [0, 3 * q] and "yaxis.range" in relayout
    assert sent.kinds == ["update"]
    assert_allclose(np.asarray(p.fig.data[2].y).min(), p.result["annual_cost"], rtol=1e-3)
