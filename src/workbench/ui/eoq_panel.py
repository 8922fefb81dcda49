"""The EOQ explorer: move demand, order cost and holding cost, watch Q* and the cost curves.

Opened for one SKU of a dataset (a dropdown) or with free parameters for teaching. Every
number comes from the calculators: :func:`workbench.eoq` (Q*, orders a year, cycle time,
annual cost), :func:`workbench.eoq_cost` (the curves), :func:`workbench.eoq_flat_range`
(the band within 5 % of the minimum) and :func:`workbench.all_units_discount` (optional
price breaks).
"""

from __future__ import annotations

import html
import math

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import traitlets

import workbench as wb

from ._common import (
    Panel,
    figure_widget,
    fmt_money,
    fmt_number,
    palette,
    plotly_template,
    sku_units,
    typed_slider_row,
)

__all__ = [
    "EOQPanel",
    "controls_beside",
    "parse_price_breaks",
    "sku_options",
    "sku_table",
    "top_sku",
    "update_figure",
]

#: Points on the Q axis of the cost chart.
GRID_POINTS = 200
#: The flat-bottom band: order quantities costing at most this much more than the minimum.
FLAT_TOLERANCE = 0.05

#: Height of the cost chart [px], alone and with the price-break chart below it.
HEIGHT = 430
HEIGHT_WITH_BREAKS = 640
#: The price-break chart's height without price breaks: a sliver at the bottom (a zero
#: height stops plotly drawing any trace; a hidden chart over the cost chart hid its lower
#: part and took its hover).
HIDDEN_DOMAIN = [0, 0.001]

FREE = "(free parameters)"

#: Axis ranges kept while a slider moves (a new range makes plotly.js lay the axes out
#: again, which doubled a slider step's redraw): the Q axis keeps its end while that stays
#: within these multiples of the new default end (3 Q*); the cost axis keeps its top while
#: the curve's highest shown point stays between these fractions of it.
STICKY_X = (0.8, 1.2)
STICKY_Y = (0.75, 1.0)
#: The cost axis's top over the highest point shown.
Y_PAD = 1.05

#: The teaching defaults: Heizer & Render's Sharp, Inc. needles, D = 1,000 a year,
#: S = $10, H = 25 % of $2 = $0.50 a unit a year, so Q* = 200.
TEACHING = {
    "annual_demand": 1000.0,
    "order_cost": 10.0,
    "holding_cost_rate": 0.25,
    "unit_cost": 2.0,
}


def nice_ceil(x: float) -> float:
    """The 1-2-5 number at or above ``x`` (a slider maximum): ``nice_ceil(3.7) == 5.0``."""
    if not np.isfinite(x) or x <= 0:
        return 1.0
    base = 10.0 ** math.floor(math.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * base >= x * (1 - 1e-12):
            return m * base
    return 10 * base  # pragma: no cover


def nice_step(x: float) -> float:
    """The 1-2-5 number nearest below ``x`` (a slider step): ``nice_step(3.7) == 2.0``."""
    if not np.isfinite(x) or x <= 0:
        return 1.0
    exp = math.floor(math.log10(x))
    base = 10.0**exp
    for m in (5.0, 2.0, 1.0):
        if m * base <= x:
            return m * base
    return base  # pragma: no cover


def controls_beside(controls: widgets.Box, side: widgets.Widget) -> widgets.HBox:
    """The column of controls with the readouts beside it.

    The column never gets narrower than its widest control (``min-width: min-content``):
    a long note beside it squeezed the Safety stock column to about 290 px and cut its
    type-in boxes. The readouts take the rest of the width (their text wraps, their
    table stays whole), and when the window is too narrow for both they move below.

    Examples
    --------
    >>> row = controls_beside(widgets.VBox(), widgets.HTML("a note"))
    >>> row.children[0].layout.min_width, row.layout.flex_flow
    ('min-content', 'row wrap')
    """
    controls.layout.min_width = "min-content"
    controls.layout.flex = "0 0 auto"
    controls.layout.margin = "0 16px 0 0"
    side.layout.flex = "1 1 340px"
    side.layout.min_width = "340px"  # its table whole; narrower, it goes below the controls
    row = widgets.HBox([controls, side], layout=widgets.Layout(flex_flow="row wrap"))
    row.add_class("wb-controls-beside")
    controls.add_class("wb-controls")
    return row


def slider(
    description,
    value,
    lo,
    hi,
    step,
    css,
    *,
    fmt=".2f",
    width="400px",
    percent: bool = False,
    unit: str | None = None,
):
    """A FloatSlider that updates on release.

    With ``percent`` or a ``unit`` (even ""), the slider gets a type-in box beside it
    (:func:`~workbench.ui._common.typed_slider_row`): its value shown in full, as a
    percentage when ``percent``, and typed exactly; put ``slider.row`` in the layout.
    Without, the slider keeps its own readout (``fmt``) and is placed itself.
    """
    s = widgets.FloatSlider(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=description,
        readout_format=fmt,
        continuous_update=False,
        style={"description_width": "200px"},
        layout=widgets.Layout(width=width),
    )
    s.add_class(css)
    if percent or unit is not None:
        # the readout moves into the box: the track gets its room (a longer track is a
        # finer slider)
        s.layout.width = "490px"
        s.style.description_width = "200px"  # "Daily demand mean [units]" whole
        typed_slider_row(s, percent=percent, unit=unit or "")
    return s


def set_range(s: widgets.FloatSlider, value: float, lo: float, hi: float, step: float) -> None:
    """Give a slider a new range and value without it clamping the value on the way."""
    s.min = min(s.min, lo)
    s.max = max(s.max, hi)
    s.step = step
    s.value = value
    s.min, s.max = lo, hi


def update_figure(
    fig, traces: dict[int, dict], layout: dict | None = None, *, fixed_axes: bool = False
) -> None:
    """Update a FigureWidget's traces and layout with one browser redraw.

    ``traces`` maps a trace index to its new properties (top-level names such as ``x``,
    ``y``, ``hovertext``, ``visible``); ``layout`` holds dotted layout paths
    (``"yaxis.range"``). Traces whose new values equal their current ones are left out;
    the others and the layout go to the browser as one ``Plotly.update``, so a slider
    step redraws the chart once instead of once per trace (the EOQ chart was redrawn 7
    times, about 60 ms each in chromium on a 2-core machine, before its last curve was in
    place).

    Layout paths whose new value equals the figure's current one are left out too: a
    relayout (even of an unchanged height, domain or title) makes plotly.js lay the axes
    out again, which cost as much as redrawing the traces.

    With ``fixed_axes`` (every axis has a set range, none autoranges), a step that
    changes only the traces' points (``x``, ``y``) and no layout is sent as a
    ``Plotly.animate`` that redraws the traces alone (:data:`REDRAW_TRACES`).

    Every trace in the message carries every name in it: a name a trace does not set
    is sent with the trace's current value (None, i.e. plotly's default, when unset;
    a trace hidden from the legend stays hidden). plotly's ``batch_update()`` would instead
    send it as "undefined", and plotly.js then keeps the new data without redrawing that
    trace (the ABC cut-off line stayed put in chromium).
    """
    from plotly.basedatatypes import BasePlotlyType

    values: dict[int, dict] = {}
    for i, props in traces.items():
        trace = fig.data[i]
        if not all(k in trace._valid_props for k in props):  # a nested path: plotly's way
            with fig.batch_update():
                trace.update(**props)
            continue
        new = {k: trace._get_validator(k).validate_coerce(v) for k, v in props.items()}
        if not all(BasePlotlyType._vals_equal(trace[k], v) for k, v in new.items()):
            values[i] = new
    layout = _changed_layout(fig, layout or {})
    if values:
        idx = sorted(values)
        names = sorted({k for v in values.values() for k in v})
        restyle = {
            k: [values[i][k] if k in values[i] else fig.data[i][k] for i in idx] for k in names
        }
        if (
            fixed_axes
            and not layout
            and set(names) <= DATA_ONLY
            and hasattr(fig, "_send_animate_msg")
        ):
            # New points only, axes as they are: plotly.js redraws just the traces
            fig._perform_plotly_update(restyle, None, idx)
            fig._send_animate_msg(
                [{k: values[i][k] for k in names} for i in idx], {}, idx, REDRAW_TRACES
            )
            return
        fig.plotly_update(restyle_data=restyle, relayout_data=layout or None, trace_indexes=idx)
    elif layout:
        fig.plotly_update(relayout_data=layout)


#: Trace properties :func:`update_figure` may change by redrawing the traces alone.
DATA_ONLY = {"x", "y"}
#: ``Plotly.animate`` options that draw new points at once and redraw only the traces
#: (``frame.redraw`` false): no axes, legend or margins laid out again, which was most
#: of a slider step's redraw in chromium.
REDRAW_TRACES = {
    "transition": {"duration": 0},
    "frame": {"duration": 0, "redraw": False},
    "mode": "immediate",
}


def _changed_layout(fig, layout: dict) -> dict:
    """The entries of ``layout`` (dotted paths) whose value differs from ``fig``'s.

    Read from the figure's plain layout dict: plotly's own path lookup
    (``fig.layout["xaxis.range"]``) took more time than the rest of a slider step.
    """
    from plotly.basedatatypes import BasePlotlyType

    out = {}
    for path, value in layout.items():
        current = fig._layout
        for key in path.split("."):
            current = current.get(key) if isinstance(current, dict) else None
        as_read = tuple(value) if isinstance(value, list | tuple | np.ndarray) else value
        if isinstance(current, list):
            current = tuple(current)
        if current is None or not BasePlotlyType._vals_equal(current, as_read):
            out[path] = value
    return out


def parse_price_breaks(text: str) -> list[tuple[float, float]] | None:
    """Parse ``"0:5.00, 1000:4.80, 2000:4.75"`` (min quantity : unit price) into a list.

    Blank text gives None (no discount). Separators ``,`` ``;`` or new lines; ``=`` or
    whitespace also separate a quantity from its price. Raises ValueError naming the
    piece it could not read; the schedule itself is checked by
    :func:`workbench.all_units_discount`.

    Examples
    --------
    >>> parse_price_breaks("0:5, 1000:4.8; 2000 4.75")
    [(0.0, 5.0), (1000.0, 4.8), (2000.0, 4.75)]
    >>> parse_price_breaks("  ") is None
    True
    """
    pieces = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",")]
    pieces = [p for p in pieces if p]
    if not pieces:
        return None
    out = []
    for p in pieces:
        parts = p.replace(":", " ").replace("=", " ").split()
        try:
            if len(parts) != 2:
                raise ValueError
            out.append((float(parts[0]), float(parts[1])))
        except ValueError:
            raise ValueError(
                f"price break {p!r} is not 'min_quantity:unit_price' (e.g. 1000:4.80)"
            ) from None
    return out


def sku_table(dataset) -> pd.DataFrame:
    """The items of ``dataset`` indexed by SKU, with ``wb.demand_stats`` columns joined
    (annual_demand, daily_mean, daily_sd, cv)."""
    stats = wb.demand_stats(dataset)
    items = dataset.items.set_index(dataset.items["sku"].astype(str))
    cols = [c for c in ("annual_demand", "daily_mean", "daily_sd", "cv") if c in stats]
    joined = stats[cols].reindex(items.index)
    return items.assign(**{c: joined[c].to_numpy(float) for c in cols})


def sku_options(items: pd.DataFrame) -> list[tuple[str, str]]:
    """Dropdown options: the free parameters first, then "sku · name" for each SKU."""
    names = items["name"].astype(str) if "name" in items else items.index.to_series()
    return [(FREE, FREE)] + [(f"{s} · {n}", s) for s, n in zip(items.index, names, strict=True)]


def top_sku(items: pd.DataFrame) -> str:
    """The SKU with the largest annual value at cost (D c): the one worth a look first."""
    if not len(items):
        return FREE
    value = pd.Series(
        items["annual_demand"].to_numpy(float) * items["unit_cost"].to_numpy(float),
        index=items.index,
    )
    return str(value.fillna(0).idxmax())


class SkuPanel(Panel):
    """A panel whose controls follow one SKU of the dataset or, with the FREE entry of its
    ``sku`` dropdown, free teaching parameters (the EOQ and safety-stock panels).

    A subclass provides ``sku`` (the dropdown), ``_items`` (None without a dataset),
    ``_free`` (the free parameters), ``sku_parameters(sku)``, ``_apply_values(p)`` (sets
    the controls with ``_hold`` raised) and ``update()``.
    """

    _hold = False  # raised while the panel sets its own controls
    _units = None  # SKU -> unit label (sku_units), from the dataset's items

    def unit(self) -> str:
        """The unit of the SKU shown ("kg", "litres"...), "units" for the free
        parameters or an item without one."""
        sku = self.sku.value
        units = self._units
        if sku == FREE or units is None or sku not in units.index:
            return "units"
        return str(units.loc[sku])

    def _on_sku(self, _change) -> None:
        if self._hold:
            return
        if self.sku.value == FREE or self._items is None:
            self._apply_values(self._free)
        else:
            self._apply_values(self.sku_parameters(self.sku.value))
        self.update()

    def _on_change(self, _change) -> None:
        if not self._hold:
            self.update()


class EOQPanel(SkuPanel):
    """EOQ explorer: cost curves against Q with Q* and the flat-bottom band.

    Parameters
    ----------
    dataset : workbench.Dataset, optional
        With a dataset, a dropdown opens one SKU (its annual demand from
        ``wb.demand_stats``, its order cost, holding cost rate and unit cost from
        ``items``). Without one, free parameters for teaching.
    sku : str, optional
        The SKU opened first. Default: the SKU with the largest annual value; without
        a dataset, the free parameters.
    annual_demand, order_cost, holding_cost_rate, unit_cost : float
        Free parameters [units/year], [$/order], [1/year], [$/unit]; default Heizer &
        Render's Sharp, Inc. (Q* = 200).
    price_breaks : str or sequence of (min_quantity, unit_price), optional
        All-units discount schedule, e.g. ``"0:5, 1000:4.8, 2000:4.75"``.
    days_per_year : float, default 365
        For the cycle time [days/year].

    Attributes
    ----------
    result : dict (trait)
        The numbers shown: ``unit`` (the SKU's unit of measure, "units" without one:
        the quantities' unit), ``annual_demand``, ``order_cost``, ``holding_cost_rate``,
        ``unit_cost``, ``holding_cost`` (H = rate x unit cost), ``order_quantity``
        (Q*), ``orders_per_year``, ``cycle_time_days``, ``annual_cost``,
        ``annual_ordering_cost``, ``annual_holding_cost``, ``flat_lower``,
        ``flat_upper``; with price breaks also ``discount_order_quantity``,
        ``discount_unit_price`` and ``discount_annual_cost`` (purchase included).
    fig : plotly.graph_objects.FigureWidget
        Traces: 0 ordering, 1 holding, 2 total cost, 3 the 5 % band, 4 Q* (marker),
        5 Q* (vertical line), 6 total cost with purchase under the price breaks
        and 7 the discount optimum, both on a second chart below (``xaxis2``,
        ``yaxis2``, shown only with price breaks) on the same Q axis.
    """

    result = traitlets.Dict()

    def __init__(
        self,
        dataset=None,
        *,
        sku: str | None = None,
        annual_demand: float = TEACHING["annual_demand"],
        order_cost: float = TEACHING["order_cost"],
        holding_cost_rate: float = TEACHING["holding_cost_rate"],
        unit_cost: float = TEACHING["unit_cost"],
        price_breaks=None,
        days_per_year: float = 365.0,
        **kwargs,
    ):
        self.days_per_year = float(days_per_year)
        self._free = {
            "annual_demand": float(annual_demand),
            "order_cost": float(order_cost),
            "holding_cost_rate": float(holding_cost_rate),
            "unit_cost": float(unit_cost),
        }
        self._hold = False
        self._items = None
        self._plan = None
        self.sku = widgets.Dropdown(
            options=[(FREE, FREE)],
            value=FREE,
            description="SKU",
            style={"description_width": "40px"},
            layout=widgets.Layout(width="420px"),
        )
        self.sku.add_class("eoq-sku")
        self.demand = slider(
            "Annual demand D [units a year]", 1000, 0, 5000, 10, "eoq-demand", unit=""
        )
        self.order_cost = slider(
            "Order cost S [$/order]", 10, 0.5, 100, 0.5, "eoq-order-cost", unit=""
        )
        self.holding_rate = slider(
            "Holding cost i, a year",
            0.25,
            0.01,
            1.0,
            0.01,
            "eoq-holding-rate",
            percent=True,
        )
        self.unit_cost = slider(
            "Unit cost c [$/unit]", 2.0, 0.05, 20, 0.05, "eoq-unit-cost", unit=""
        )
        self.breaks = widgets.Text(
            value="",
            description="Price breaks",
            placeholder="min qty:price, e.g. 0:5.00, 1000:4.80, 2000:4.75",
            continuous_update=False,
            style={"description_width": "90px"},
            layout=widgets.Layout(width="520px"),
        )
        self.breaks.add_class("eoq-breaks")
        self.formula = widgets.HTML()
        self.formula.add_class("eoq-formula")
        self.numbers = widgets.HTML()
        self.numbers.add_class("eoq-numbers")
        self.message = widgets.HTML()
        self.message.add_class("eoq-message")

        # All traces exist before the FigureWidget is made (STACK.md pitfall 2).
        self.fig = figure_widget(
            data=[
                go.Scatter(x=[], y=[], mode="lines", name="ordering S·D/Q"),
                go.Scatter(x=[], y=[], mode="lines", name="holding H·Q/2"),
                go.Scatter(x=[], y=[], mode="lines", name="total", line=dict(width=3)),
                go.Scatter(
                    x=[],
                    y=[],
                    mode="lines",
                    fill="toself",
                    name=f"within {FLAT_TOLERANCE:.0%} of min",
                    line=dict(width=0),
                    fillcolor="rgba(46,139,87,0.15)",
                    hoverinfo="skip",
                ),
                go.Scatter(
                    x=[], y=[], mode="markers", name="Q*", marker=dict(size=11, symbol="diamond")
                ),
                go.Scatter(
                    x=[],
                    y=[],
                    mode="lines",
                    showlegend=False,
                    line=dict(dash="dot", color=palette()["muted"]),
                ),
                go.Scatter(
                    x=[],
                    y=[],
                    mode="lines",
                    name="total incl. purchase (price breaks)",
                    xaxis="x2",
                    yaxis="y2",
                    line=dict(dash="dash"),
                    visible=False,
                ),
                go.Scatter(
                    x=[],
                    y=[],
                    mode="markers",
                    name="best with discounts",
                    xaxis="x2",
                    yaxis="y2",
                    marker=dict(size=12, symbol="star"),
                    visible=False,
                ),
            ],
            layout=go.Layout(
                title="Annual cost against order quantity",
                template=plotly_template(),
                height=HEIGHT,
                margin=dict(l=60, r=60, t=50, b=50),
                xaxis=dict(title="order quantity Q [units]", automargin=False),
                yaxis=dict(
                    title="$ per year",
                    automargin=False,
                    rangemode="tozero",
                    domain=[0, 1],
                    tickprefix="$",
                    tickformat=",.0f",
                ),
                # The cost with purchase under price breaks is another quantity, ten
                # times larger: its own chart below on the same Q axis, not a second
                # y axis over the first (its curve crossed the others, odd ticks).
                xaxis2=dict(matches="x", anchor="y2", visible=False),
                yaxis2=dict(
                    title="$ per year incl. purchase",
                    tickprefix="$",
                    tickformat=",.0f",
                    anchor="x2",
                    domain=HIDDEN_DOMAIN,
                    visible=False,
                ),
                legend=dict(orientation="h", y=-0.18),
                meta="eoq-chart",
            ),
        )
        controls = widgets.VBox(
            [
                self.sku,
                *(w.row for w in (self.demand, self.order_cost, self.holding_rate)),
                self.unit_cost.row,
            ]
        )
        super().__init__(
            children=[
                controls_beside(controls, widgets.VBox([self.formula, self.numbers])),
                self.breaks,
                self.message,
                self.fig,
            ],
            **kwargs,
        )
        self.add_class("eoq-panel")
        if price_breaks is not None:
            self.breaks.value = (
                price_breaks
                if isinstance(price_breaks, str)
                else ", ".join(f"{q:g}:{p:g}" for q, p in price_breaks)
            )
        for w in (self.demand, self.order_cost, self.holding_rate, self.unit_cost, self.breaks):
            w.observe(self._on_change, names="value")
        self.sku.observe(self._on_sku, names="value")
        self._apply_values(self._free)
        self.set_dataset(dataset, sku=sku)

    # -- data
    def set_dataset(self, dataset, *, sku: str | None = None) -> None:
        """Offer the SKUs of ``dataset`` in the dropdown and open ``sku`` (default: the
        SKU with the largest annual value at cost). None: free parameters only."""
        if dataset is None:
            self._items = None
            self._units = None
            self._hold = True
            self.sku.options = [(FREE, FREE)]
            self.sku.value = FREE
            self._hold = False
            self._on_sku(None)
            return
        items = sku_table(dataset)
        self._items = items
        self._units = sku_units(dataset.items)
        options = sku_options(items)
        if sku is None:
            sku = top_sku(items)
        self._hold = True
        self.sku.options = options
        self.sku.value = sku if sku in items.index else FREE
        self._hold = False
        self._on_sku(None)

    def set_plan(self, plan) -> None:
        """Follow the dashboard's plan: a SKU then opens with the plan's annual demand
        (after the scenario's demand multiplier), order cost and holding cost (a
        scenario may override the items' own), so Q* is the plan's ``eoq``. The SKU
        shown is reopened; None goes back to the items' own figures."""
        self._plan = plan
        if self._items is not None and self.sku.value != FREE:
            self._on_sku(None)

    def sku_parameters(self, sku: str) -> dict:
        """Annual demand, order cost, holding cost rate and unit cost of one SKU: from
        the plan given to :meth:`set_plan` if it has the SKU, else from the items and
        demand history (blank order costs and rates take ``wb.plan``'s defaults, $50
        and 25 %)."""
        row = self._items.loc[sku]

        def num(r, col, default):
            try:
                v = float(r.get(col, np.nan))
            except (TypeError, ValueError):
                return default
            return v if np.isfinite(v) else default

        out = {
            "annual_demand": num(row, "annual_demand", 0.0),
            "order_cost": num(row, "order_cost", 50.0),
            "holding_cost_rate": num(row, "holding_cost_rate", 0.25),
            "unit_cost": num(row, "unit_cost", 1.0),
        }
        plan = self._plan
        if plan is not None and sku in plan.index:
            prow = plan.loc[sku]
            out["annual_demand"] = num(prow, "annual_demand", out["annual_demand"])
            out["order_cost"] = num(prow, "order_cost", out["order_cost"])
            h, c = num(prow, "holding_cost", np.nan), num(prow, "unit_cost", out["unit_cost"])
            if np.isfinite(h) and c > 0:
                out["unit_cost"], out["holding_cost_rate"] = c, h / c
        return out

    def _apply_values(self, p: dict) -> None:
        """Set the sliders to ``p`` with ranges around the values (one update after)."""
        self._hold = True
        try:
            d = max(p["annual_demand"], 1.0)
            hi = nice_ceil(4 * d)
            set_range(self.demand, p["annual_demand"], 0.0, hi, nice_step(hi / 1000))
            s = max(p["order_cost"], 0.01)
            hi = nice_ceil(4 * s)
            step = nice_step(hi / 1000)
            set_range(self.order_cost, p["order_cost"], step, hi, step)
            set_range(self.holding_rate, p["holding_cost_rate"], 0.01, 1.0, 0.01)
            c = max(p["unit_cost"], 0.01)
            hi = nice_ceil(4 * c)
            step = nice_step(hi / 1000)
            set_range(self.unit_cost, p["unit_cost"], step, hi, step)
        finally:
            self._hold = False

    # -- the numbers
    def parameters(self) -> dict:
        """The current inputs: annual_demand, order_cost, holding_cost_rate, unit_cost."""
        return {
            "annual_demand": float(self.demand.value),
            "order_cost": float(self.order_cost.value),
            "holding_cost_rate": float(self.holding_rate.value),
            "unit_cost": float(self.unit_cost.value),
        }

    def update(self) -> None:
        """Recompute from the controls and redraw (called on every control change)."""
        p = self.parameters()
        d, s = p["annual_demand"], p["order_cost"]
        h = p["holding_cost_rate"] * p["unit_cost"]  # H = i c, as wb.plan does
        r = wb.eoq(d, order_cost=s, holding_cost=h, days_per_year=self.days_per_year)
        q = float(r.order_quantity)
        unit = self.unit()
        self.demand.description = f"Annual demand D [{unit} a year]"
        self.unit_cost.description = f"Unit cost c [$/{_per(unit)}]"
        res = {
            "unit": unit,
            **p,
            "holding_cost": h,
            "order_quantity": q,
            "orders_per_year": float(r.orders_per_year),
            "cycle_time_days": float(r.cycle_time_days),
            "annual_cost": float(r.annual_cost),
            "annual_ordering_cost": float(r.annual_ordering_cost),
            "annual_holding_cost": float(r.annual_holding_cost),
            "flat_lower": np.nan,
            "flat_upper": np.nan,
        }
        message = ""
        disc = None
        try:
            breaks = parse_price_breaks(self.breaks.value)
            if breaks is not None:
                disc = wb.all_units_discount(
                    d,
                    order_cost=s,
                    holding_cost_rate=p["holding_cost_rate"],
                    price_breaks=breaks,
                )
                res.update(
                    discount_order_quantity=float(disc.order_quantity),
                    discount_unit_price=float(disc.unit_price),
                    discount_annual_cost=float(disc.annual_cost),
                )
        except ValueError as exc:
            message = f'<div class="wb-error">{html.escape(str(exc))}</div>'
            breaks = None

        traces: dict[int, dict] = {}
        layout: dict = {}
        if q > 0:
            flat = wb.eoq_flat_range(FLAT_TOLERANCE, optimal_quantity=q)
            res["flat_lower"], res["flat_upper"] = float(flat.lower), float(flat.upper)
            top = 3.0 * q
            if disc is not None:
                top = max(top, 1.5 * float(disc.order_quantity), 1.2 * breaks[-1][0])
            else:
                top = _kept(self.fig.layout.xaxis.range, top, STICKY_X)
            grid = np.linspace(top / GRID_POINTS, top, GRID_POINTS)
            c = wb.eoq_cost(grid, annual_demand=d, order_cost=s, holding_cost=h)
            ymax = float(np.max(c.total[grid >= q / 3])) if np.any(grid >= q / 3) else 1.0
            ymax = _kept(self.fig.layout.yaxis.range, ymax * Y_PAD, STICKY_Y, fits=ymax) / Y_PAD
            lo, hi = res["flat_lower"], res["flat_upper"]
            traces[0] = dict(x=grid, y=c.ordering)
            traces[1] = dict(x=grid, y=c.holding)
            traces[2] = dict(x=grid, y=c.total)
            traces[3] = dict(x=[lo, hi, hi, lo, lo], y=[0, 0, ymax, ymax, 0])
            traces[4] = dict(x=[q], y=[res["annual_cost"]])
            traces[5] = dict(x=[q, q], y=[0, res["annual_cost"]])
            layout = {
                "yaxis.range": [0, ymax * Y_PAD],
                "xaxis.range": [0, top],
                "margin.l": _left_margin(ymax * Y_PAD),
            }
        else:
            traces.update({i: dict(x=[], y=[]) for i in range(6)})
            message += '<div class="wb-note">No demand: nothing to order (Q* = 0, no cost).</div>'
        if disc is not None and q > 0:
            prices = np.array([b[1] for b in breaks])
            starts = np.array([b[0] for b in breaks])
            idx = np.clip(np.searchsorted(starts, grid, side="right") - 1, 0, None)
            price = prices[idx]
            cd = wb.eoq_cost(
                grid, annual_demand=d, order_cost=s, holding_cost=p["holding_cost_rate"] * price
            )
            below = grid < starts[0]  # below the first break: no price quoted
            total = np.where(below, np.nan, cd.total + d * price)
            traces[6] = dict(x=grid, y=total, visible=True)
            # Its range as the cost chart's: from Q*/3 on (the cost of tiny orders
            # would flatten the rest); plotly then picks round ticks.
            shown = total[(grid >= q / 3) & np.isfinite(total)]
            if shown.size:
                lo2, hi2 = float(shown.min()), float(shown.max())
                pad = max(0.05 * (hi2 - lo2), 0.005 * abs(hi2), 1e-9)
                layout["yaxis2.range"] = [lo2 - pad, hi2 + pad]
            traces[7] = dict(
                x=[float(disc.order_quantity)], y=[float(disc.annual_cost)], visible=True
            )
        breaks_shown = disc is not None and q > 0
        layout.update(
            {
                "height": HEIGHT_WITH_BREAKS if breaks_shown else HEIGHT,
                "yaxis.domain": [0.5, 1] if breaks_shown else [0, 1],
                "yaxis2.domain": [0, 0.34] if breaks_shown else HIDDEN_DOMAIN,
                "yaxis2.visible": breaks_shown,
                "xaxis2.visible": breaks_shown,
                "xaxis2.title.text": f"order quantity Q [{unit}]" if breaks_shown else "",
            }
        )
        if not breaks_shown:
            traces[6] = dict(x=[], y=[], visible=False)
            traces[7] = dict(x=[], y=[], visible=False)
        layout["xaxis.title.text"] = f"order quantity Q [{unit}]"
        update_figure(self.fig, traces, layout, fixed_axes=q > 0)

        self.formula.value = _formula_html(res)
        self.numbers.value = _numbers_html(res)
        self.message.value = message
        self.result = res


def _kept(current, new: float, band: tuple[float, float], *, fits: float | None = None) -> float:
    """The end of an axis range: the current one (``current[1]``) while it lies within
    ``band`` times ``new`` (with ``fits``: while ``fits`` lies within ``band`` times the
    current end), else ``new``.

    Examples
    --------
    >>> _kept((0, 310.0), 300.0, (0.8, 1.2)), _kept((0, 400.0), 300.0, (0.8, 1.2))
    (310.0, 300.0)
    >>> _kept((0, 10.0), 9.0, (0.75, 1.0), fits=8.0), _kept((0, 10.0), 12.0, (0.75, 1.0), fits=11.0)
    (10.0, 12.0)
    """
    if current is None or len(current) != 2 or not np.isfinite(new):
        return new
    end = float(current[1])
    if not (np.isfinite(end) and end > 0):
        return new
    if fits is None:
        return end if band[0] * new <= end <= band[1] * new else new
    return end if band[0] * end <= fits <= band[1] * end else new


def _left_margin(top: float) -> int:
    """Left margin [px] that holds the cost axis's widest tick label ("$12,000") and its
    title: the axis does not measure its labels (``automargin`` off, which made plotly.js
    redraw the chart a second time when the labels changed)."""
    return max(60, 30 + 7 * len(f"${top:,.0f}"))


def _formula_html(r: dict) -> str:
    return (
        "<div class='eoq-formula-text' style='font-size:15px;margin:4px 0'>"
        "Q* = √(2 D S / H) = √(2 × "
        f"{fmt_number(r['annual_demand'], 2)} × {fmt_number(r['order_cost'], 2)} / "
        f"{fmt_number(r['holding_cost'], 4)}) = "
        f"<b class='eoq-qstar'>{fmt_number(r['order_quantity'], 1)}</b></div>"
        f"<div class='wb-note'>H = i c: holding cost rate × unit cost "
        f"($ per {html.escape(_per(r.get('unit', 'units')))} a year). "
        "At Q* ordering cost S D / Q equals holding cost H Q / 2.</div>"
    )


def _per(unit: str) -> str:
    """The unit after "per": "unit" for "units" ($/unit), else the unit itself ($/kg)."""
    return "unit" if unit == "units" else unit


def _numbers_html(r: dict) -> str:
    unit = html.escape(r.get("unit", "units"))
    rows = [
        (f"Q* [{unit}]", f"<span class='eoq-q'>{fmt_number(r['order_quantity'], 1)}</span>"),
        ("Orders per year", fmt_number(r["orders_per_year"], 2)),
        ("Cycle time [days]", fmt_number(r["cycle_time_days"], 1)),
        ("Annual ordering cost", fmt_money(r["annual_ordering_cost"], 2)),
        ("Annual holding cost", fmt_money(r["annual_holding_cost"], 2)),
        ("Annual cost", f"<span class='eoq-cost'>{fmt_money(r['annual_cost'], 2)}</span>"),
        (
            f"Within {FLAT_TOLERANCE:.0%} of min",
            f"{fmt_number(r['flat_lower'], 0)} to {fmt_number(r['flat_upper'], 0)} {unit}",
        ),
    ]
    if "discount_order_quantity" in r:
        rows += [
            ("Best Q with price breaks", fmt_number(r["discount_order_quantity"], 1)),
            ("at unit price", fmt_money(r["discount_unit_price"], 2)),
            ("Annual cost incl. purchase", fmt_money(r["discount_annual_cost"], 2)),
        ]
    cells = "".join(f"<tr><th>{k}</th><td class='num'>{v}</td></tr>" for k, v in rows)
    return f"<table class='wb-table eoq-table'>{cells}</table>"
