"""Safety stock and service level: the lead-time demand distribution, the reorder point,
and what each extra point of service costs.

Every number comes from :func:`workbench.reorder_point` (safety factor, safety stock,
reorder point, achieved cycle service and fill rate, stockouts a year) and
:func:`workbench.lead_time_demand`; the curve of safety stock against the service level
is :func:`workbench.reorder_point` called once on a grid of targets.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import traitlets
from plotly.subplots import make_subplots

import workbench as wb

from ._common import (
    figure_widget,
    fmt_money,
    fmt_number,
    fmt_pct,
    palette,
    plotly_template,
    sku_units,
    unplanned_items_of,
)
from .eoq_panel import (
    FREE,
    SkuPanel,
    controls_beside,
    nice_ceil,
    nice_step,
    set_range,
    sku_options,
    slider,
    top_sku,
    update_figure,
)

__all__ = ["SERVICE_GRID", "SafetyPanel"]

#: Targets on the x axis of the safety-stock curve.
SERVICE_GRID = np.round(np.linspace(0.50, 0.999, 120), 4)

#: Teaching defaults: Heizer & Render's Circuit Town 9-volt batteries, 150 packs a day
#: (sd 16), lead time 5 days (sd 1); Q and costs chosen for the example.
TEACHING = {
    "demand_mean": 150.0,
    "demand_sd": 16.0,
    "lead_time_days": 5.0,
    "lead_time_sd_days": 1.0,
    "order_quantity": 1500.0,
    "unit_cost": 4.0,
    "holding_cost_rate": 0.25,
    "service_level": 0.95,
}


class SafetyPanel(SkuPanel):
    """Safety stock against the service level, for one SKU or free parameters.

    Parameters
    ----------
    dataset : workbench.Dataset, optional
        With a dataset, a dropdown opens one SKU with its inputs from ``wb.plan``:
        daily demand mean and sd, lead time and its sd, Q, unit cost, H and the
        service target (:meth:`set_plan` gives the dashboard's plan instead).
    sku : str, optional
        The SKU opened first (default: the largest annual value at cost).
    service_type : {"cycle", "fill_rate"}, default "cycle"
    **params
        Free parameters (see :data:`TEACHING`): ``demand_mean``, ``demand_sd``
        [units/day], ``lead_time_days``, ``lead_time_sd_days`` [days],
        ``order_quantity`` [units], ``unit_cost`` [$/unit], ``holding_cost_rate``
        [1/year], ``service_level`` [fraction]. Other keywords go to the VBox.

    Attributes
    ----------
    result : dict (trait)
        The inputs and the fields of ``wb.reorder_point``'s result (``reorder_point``,
        ``safety_stock``, ``safety_factor``, ``lead_time_demand_mean``,
        ``lead_time_demand_sd``, ``cycle_service_level``, ``fill_rate``, ``unit`` (the
        SKU's unit of measure, "units" without one),
        ``expected_shortage_per_cycle``, ``stockouts_per_year``) and
        ``safety_stock_holding_cost`` [$/year] = safety stock x H, and
        ``plan_reorder_point`` [units], the plan's own reorder point for the opened SKU
        (daily review with the undershoot and the SKU's distribution; NaN with free
        parameters), shown beside the textbook figure.
    fig : FigureWidget
        Left, the lead-time demand: 0 its pdf, 1 the stockout tail beyond s, 2 the
        reorder point, 3 the mean. Right: 4 safety stock against the target (its
        holding cost [$/year] in the hover, ``customdata``), 5 the current target.
    """

    result = traitlets.Dict()

    def __init__(self, dataset=None, *, sku: str | None = None, service_type="cycle", **params):
        self._free = {**TEACHING, **{k: float(v) for k, v in params.items() if k in TEACHING}}
        self._hold = False
        self._items = None
        self.sku = widgets.Dropdown(
            options=[(FREE, FREE)],
            value=FREE,
            description="SKU",
            style={"description_width": "40px"},
            layout=widgets.Layout(width="420px"),
        )
        self.sku.add_class("ss-sku")
        self.service_type = widgets.ToggleButtons(
            options=[("Cycle service level", "cycle"), ("Fill rate", "fill_rate")],
            value=service_type,
            description="Target is a",
            tooltip="What the service level target means: cycle service level or fill rate",
            style={"button_width": "150px", "description_width": "170px"},
        )
        self.service_type.add_class("ss-service-type")
        self.service_level = slider(
            "Service level target", 0.95, 0.5, 0.999, 0.001, "ss-service-level", percent=True
        )
        self.demand_mean = slider(
            "Daily demand mean [units]", 150, 0, 500, 1, "ss-demand-mean", unit=""
        )
        self.demand_sd = slider("Daily demand sd [units]", 16, 0, 100, 0.5, "ss-demand-sd", unit="")
        self.lead_time = slider("Lead time L [days]", 5, 0.5, 60, 0.5, "ss-lead-time", unit="")
        self.lead_time_sd = slider("Lead time sd [days]", 1, 0, 20, 0.1, "ss-lead-time-sd", unit="")
        self.order_quantity = slider(
            "Order quantity Q [units]", 1500, 1, 5000, 1, "ss-order-qty", unit=""
        )
        self.unit_cost = slider("Unit cost c [$/unit]", 4, 0.05, 20, 0.05, "ss-unit-cost", unit="")
        self.holding_rate = slider(
            "Holding cost i, a year", 0.25, 0.01, 1.0, 0.01, "ss-holding-rate", percent=True
        )
        self.formula = widgets.HTML()
        self.formula.add_class("ss-formula")
        self.numbers = widgets.HTML()
        self.numbers.add_class("ss-numbers")

        base = make_subplots(
            rows=1,
            cols=2,
            subplot_titles=("Demand over the lead time", "Safety stock against the target"),
            horizontal_spacing=0.12,
        )
        dist = [
            go.Scatter(x=[], y=[], mode="lines", name="lead-time demand"),
            go.Scatter(
                x=[],
                y=[],
                mode="lines",
                fill="tozeroy",
                name="stockout: demand above s",
                line=dict(width=0.5, color=palette()["bad"]),
                fillcolor="rgba(192,57,43,0.35)",
            ),
            go.Scatter(
                x=[], y=[], mode="lines", name="reorder point s", line=dict(color=palette()["ink"])
            ),
            go.Scatter(
                x=[],
                y=[],
                mode="lines",
                name="mean μ_L",
                line=dict(dash="dot", color=palette()["muted"]),
            ),
        ]
        for t in dist:
            base.add_trace(t, row=1, col=1)
        # One curve: its holding cost is safety stock x H, the same curve on another
        # scale (drawn on a second axis it lay exactly on top of it), so the $ a year
        # travel in the hover and in the table instead.
        base.add_trace(
            go.Scatter(
                x=[],
                y=[],
                mode="lines",
                name="safety stock [units]",
                hovertemplate="%{x:.1%} target: %{y:,.1f} units, $%{customdata:,.0f} a year"
                "<extra></extra>",
            ),
            row=1,
            col=2,
        )
        base.add_trace(
            go.Scatter(x=[], y=[], mode="markers", name="current target", marker=dict(size=12)),
            row=1,
            col=2,
        )
        base.update_xaxes(title_text="units demanded during L", row=1, col=1)
        base.update_yaxes(title_text="probability density", rangemode="tozero", row=1, col=1)
        base.update_xaxes(title_text="cycle service level target", tickformat=".0%", row=1, col=2)
        base.update_yaxes(title_text="safety stock [units]", rangemode="tozero", row=1, col=2)
        base.update_layout(
            template=plotly_template(),
            height=420,
            margin=dict(l=60, r=60, t=50, b=45),
            legend=dict(orientation="h", y=-0.22),
            meta="ss-chart",
        )
        # One FigureWidget for both charts (each one ships plotly.js to the page), all
        # traces present before it is made (STACK.md pitfall 2).
        self.fig = figure_widget(base)
        controls = widgets.VBox(
            [
                self.sku,
                self.service_type,
                *(w.row for w in self.inputs()),
            ]
        )
        super().__init__(
            children=[
                controls_beside(controls, widgets.VBox([self.formula, self.numbers])),
                self.fig,
            ],
            **kwargs_without(params),
        )
        self.add_class("ss-panel")
        for w in self.inputs():
            w.observe(self._on_change, names="value")
        self.service_type.observe(self._on_change, names="value")
        self.sku.observe(self._on_sku, names="value")
        self._apply_values(self._free)
        self.set_dataset(dataset, sku=sku)

    def inputs(self) -> list[widgets.FloatSlider]:
        return [
            self.service_level,
            self.demand_mean,
            self.demand_sd,
            self.lead_time,
            self.lead_time_sd,
            self.order_quantity,
            self.unit_cost,
            self.holding_rate,
        ]

    # -- data
    def set_dataset(self, dataset, *, sku: str | None = None) -> None:
        """Offer the SKUs of ``dataset`` (None: free parameters only) and open ``sku``.

        The SKU's inputs come from ``wb.plan(dataset)`` (until :meth:`set_plan` gives the
        dashboard's plan), so the panel shows the plan's numbers for it.
        """
        self._units = None if dataset is None else sku_units(dataset.items)
        self.set_plan(None if dataset is None else wb.plan(dataset), sku=sku)

    def set_plan(self, plan, *, sku: str | None = None) -> None:
        """Take the SKUs' inputs from a ``wb.plan`` frame (the dashboard's current plan):
        daily demand mean and sd, lead time and its sd, Q, unit cost, H, the service
        target and (from ``plan.attrs["scenario"]``) the service type."""
        self._hold = True
        current = self.sku.value
        if plan is None or len(plan) == 0:
            self._items = None
            self.sku.options = [(FREE, FREE)]
            self.sku.value = FREE
        else:
            self._items = plan
            kind = (plan.attrs.get("scenario") or {}).get("service_type")
            if kind in ("cycle", "fill_rate"):
                self.service_type.value = kind
            self.sku.options = sku_options(plan)
            if sku is None:
                sku = current if current in plan.index else top_sku(plan)
            self.sku.value = sku if sku in plan.index else FREE
        self._hold = False
        self._on_sku(None)

    def sku_parameters(self, sku: str) -> dict:
        """The panel's inputs for one SKU of the plan (a figure the plan could not
        compute, NaN, keeps the control's current value)."""
        row = self._items.loc[sku]

        def num(col, default):
            try:
                v = float(row.get(col, np.nan))
            except (TypeError, ValueError):
                return default
            return v if np.isfinite(v) else default

        cost = num("unit_cost", float(self.unit_cost.value))
        h = num("holding_cost", np.nan)
        rate = h / cost if np.isfinite(h) and cost > 0 else float(self.holding_rate.value)
        return {
            "demand_mean": num("daily_mean", 0.0),
            "demand_sd": num("daily_sd", 0.0),
            "lead_time_days": num("lead_time_days", float(self.lead_time.value)),
            "lead_time_sd_days": num("lead_time_sd_days", 0.0),
            "order_quantity": max(num("order_quantity", 1.0), 1.0),
            "unit_cost": cost,
            "holding_cost_rate": rate,
            "service_level": num("service_target", float(self.service_level.value)),
        }

    def _apply_values(self, p: dict) -> None:
        self._hold = True
        try:
            hi = nice_ceil(4 * max(p["demand_mean"], 0.1))
            set_range(self.demand_mean, p["demand_mean"], 0.0, hi, nice_step(hi / 1000))
            hi = nice_ceil(4 * max(p["demand_sd"], p["demand_mean"], 0.1))
            set_range(self.demand_sd, p["demand_sd"], 0.0, hi, nice_step(hi / 1000))
            hi = nice_ceil(max(3 * p["lead_time_days"], 10))
            set_range(self.lead_time, p["lead_time_days"], 0.5, hi, 0.5)
            hi = nice_ceil(max(4 * p["lead_time_sd_days"], 5))
            set_range(self.lead_time_sd, p["lead_time_sd_days"], 0.0, hi, 0.1)
            hi = nice_ceil(4 * max(p["order_quantity"], 1))
            step = nice_step(hi / 1000)
            set_range(self.order_quantity, p["order_quantity"], step, hi, step)
            hi = nice_ceil(4 * max(p["unit_cost"], 0.01))
            step = nice_step(hi / 1000)
            set_range(self.unit_cost, p["unit_cost"], step, hi, step)
            set_range(self.holding_rate, p["holding_cost_rate"], 0.01, 1.0, 0.01)
            level = min(max(p["service_level"], 0.5), 0.999)
            set_range(self.service_level, level, 0.5, 0.999, 0.001)
        finally:
            self._hold = False

    # -- the numbers
    def parameters(self) -> dict:
        """The current inputs as keyword arguments of ``wb.reorder_point`` plus the costs."""
        return {
            "demand_mean": float(self.demand_mean.value),
            "demand_sd": float(self.demand_sd.value),
            "lead_time_days": float(self.lead_time.value),
            "lead_time_sd_days": float(self.lead_time_sd.value),
            "service_level": float(self.service_level.value),
            "service_type": self.service_type.value,
            "order_quantity": float(self.order_quantity.value),
            "unit_cost": float(self.unit_cost.value),
            "holding_cost_rate": float(self.holding_rate.value),
        }

    def _reorder_point(self, p: dict, service_level):
        return wb.reorder_point(
            p["demand_mean"],
            p["demand_sd"],
            lead_time_days=p["lead_time_days"],
            lead_time_sd_days=p["lead_time_sd_days"],
            service_level=service_level,
            service_type=p["service_type"],
            order_quantity=p["order_quantity"],
        )

    def update(self) -> None:
        """Recompute from the controls and redraw."""
        p = self.parameters()
        h = p["holding_cost_rate"] * p["unit_cost"]  # H = i c, as wb.plan does
        r = self._reorder_point(p, p["service_level"])
        unit = self.unit()
        res = {"unit": unit, **p, **{k: float(v) for k, v in r._asdict().items()}}
        for w, text in (
            (self.demand_mean, "Daily demand mean"),
            (self.demand_sd, "Daily demand sd"),
            (self.order_quantity, "Order quantity Q"),
        ):
            w.description = f"{text} [{unit}]"
        res["holding_cost"] = h
        res["safety_stock_holding_cost"] = res["safety_stock"] * h
        curve = self._reorder_point(p, SERVICE_GRID)
        mu, sd, s = res["lead_time_demand_mean"], res["lead_time_demand_sd"], res["reorder_point"]

        if sd > 0:
            from scipy.stats import norm  # here, not at import: keeps kernel start fast

            x = np.linspace(max(mu - 4 * sd, 0.0), mu + 4.5 * sd, 300)
            y = norm.pdf(x, loc=mu, scale=sd)
            top = float(y.max())
            xt = np.concatenate([[s], x[x >= s]])
            yt = norm.pdf(xt, loc=mu, scale=sd)
        else:  # no uncertainty: all the mass at the mean
            x, y, top = np.array([mu, mu]), np.array([0.0, 1.0]), 1.0
            xt, yt = np.array([]), np.array([])
        safety = np.asarray(curve.safety_stock)
        kind = "fill rate" if p["service_type"] == "fill_rate" else "cycle service level"
        update_figure(
            self.fig,
            {
                0: dict(x=x, y=y),
                1: dict(x=xt, y=yt),
                2: dict(x=[s, s], y=[0, top * 1.05]),
                3: dict(x=[mu, mu], y=[0, top * 1.05]),
                4: dict(
                    x=SERVICE_GRID,
                    y=safety,
                    customdata=safety * h,
                    name=f"safety stock [{unit}]",
                    hovertemplate="%{x:.1%} target: %{y:,.1f} "
                    + html.escape(unit)
                    + ", $%{customdata:,.0f} a year<extra></extra>",
                ),
                5: dict(x=[p["service_level"]], y=[res["safety_stock"]]),
            },
            {
                "xaxis2.title.text": f"{kind} target",
                "xaxis.title.text": f"{unit} demanded during L",
                "yaxis2.title.text": f"safety stock [{unit}]",
            },
        )
        res["plan_reorder_point"] = self._plan_value("reorder_point")
        self.formula.value = _formula_html(res)
        self.numbers.value = _numbers_html(res) + self._plan_note(res) + self._unplanned_note()
        self.result = res

    def _plan_value(self, column: str) -> float:
        """The opened SKU's figure in the plan (NaN with free parameters)."""
        sku = self.sku.value
        if sku == FREE or self._items is None or sku not in self._items.index:
            return float("nan")
        if column not in self._items.columns:
            return float("nan")
        try:
            return float(self._items.at[sku, column])
        except (TypeError, ValueError):
            return float("nan")

    def _plan_note(self, res: dict) -> str:
        """What the plan itself does for this SKU, beside the textbook formula: it reviews
        once a bucket, so it adds the undershoot, and it may use another distribution."""
        s = res["plan_reorder_point"]
        if not np.isfinite(s):
            return ""
        row = self._items.loc[self.sku.value]
        dist = html.escape(str(row.get("distribution", "normal")))
        klass = row.get("demand_class")
        klass = f" for {html.escape(str(klass))} demand" if isinstance(klass, str) else ""
        under = self._plan_value("expected_undershoot")
        under_text = (
            f" plus the expected undershoot E[U] = {fmt_number(under, 1)} "
            f"{html.escape(res['unit'])}"
            " (what demand takes below s before the daily review sees it)"
            if np.isfinite(under) and under > 0
            else ""
        )
        return (
            f"<div class='wb-note ss-plan-note'>The plan reorders at "
            f"<b class='ss-plan-reorder-point'>s = {fmt_number(s, 1)}</b>: the formula above "
            "is the textbook one for continuous review; the plan reviews stock once a day"
            f"{under_text}, and uses the {dist} distribution{klass}, so that the service "
            "it promises is the service a simulation of it delivers.</div>"
        )

    def _unplanned_note(self) -> str:
        """A SKU the plan could not plan is shown with the controls' values for what it
        lacks (a lead time...): say so, so these numbers are not taken as the plan's."""
        sku = self.sku.value
        if sku == FREE or self._items is None or sku not in self._items.index:
            return ""
        why = unplanned_items_of(self._items, sku)
        if not why:
            return ""
        return (
            f"<div class='wb-error ss-unplanned'>{html.escape(str(sku))} is not planned: it "
            f"has {html.escape(why)}. The numbers above use the sliders' values instead; "
            "they are not the plan's.</div>"
        )


def kwargs_without(params: dict) -> dict:
    """Widget keyword arguments: everything passed that is not a model parameter."""
    return {k: v for k, v in params.items() if k not in TEACHING}


def _formula_html(r: dict) -> str:
    if r["service_type"] == "fill_rate":
        k_rule = "k solves G(k) = Q (1 − β) / σ_L"
    else:
        k_rule = "k = Φ⁻¹(α)"
    return (
        "<div style='font-size:15px;margin:4px 0'>s = μ_L + k σ_L = "
        f"{fmt_number(r['lead_time_demand_mean'], 1)} + {fmt_number(r['safety_factor'], 3)} × "
        f"{fmt_number(r['lead_time_demand_sd'], 2)} = "
        f"<b class='ss-reorder-point'>{fmt_number(r['reorder_point'], 1)}</b></div>"
        "<div class='wb-note'>μ_L = μ_d L; σ_L = √(L σ_d² + μ_d² σ_LT²); "
        f"{html.escape(k_rule)}; safety stock = k σ_L.</div>"
    )


def _numbers_html(r: dict) -> str:
    unit = html.escape(r.get("unit", "units"))
    rows = [
        (
            f"Safety stock [{unit}]",
            f"<span class='ss-safety-stock'>{fmt_number(r['safety_stock'], 1)}</span>",
        ),
        (f"Reorder point s [{unit}]", fmt_number(r["reorder_point"], 1)),
        ("Safety factor k", fmt_number(r["safety_factor"], 3)),
        (
            "Lead-time demand μ_L, σ_L",
            f"{fmt_number(r['lead_time_demand_mean'], 1)}, "
            f"{fmt_number(r['lead_time_demand_sd'], 2)}",
        ),
        ("Cycle service level", fmt_pct(r["cycle_service_level"], 2)),
        ("Fill rate (with Q)", fmt_pct(r["fill_rate"], 2)),
        ("Stockouts per year", fmt_number(r["stockouts_per_year"], 2)),
        ("Holding cost of safety stock", f"{fmt_money(r['safety_stock_holding_cost'], 2)} a year"),
    ]
    cells = "".join(f"<tr><th>{k}</th><td class='num'>{v}</td></tr>" for k, v in rows)
    return f"<table class='wb-table ss-table'>{cells}</table>"
