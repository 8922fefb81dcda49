"""The Forecast tab: each item's demand history, the model's fitted values, its forecast
with 80 % and 95 % ranges, how every model did when tested on the past, and the switch
that plans reorder points from the forecast instead of the history.

Everything comes from the package: :func:`workbench.forecast` (``model="auto"``: per
item the model of its demand class with the lowest tested error),
:func:`workbench.backtest` (three rolling origins over the last three horizons) and
:func:`workbench.forecasting.fitted_values`. Both run once per dataset for every item
at once; picking another item only redraws. The plan-source switch replaces the
dashboard's scenario by one with ``demand_source`` "history" or "forecast", so every
tab's plan follows.

numba (the forecasting kernels) is imported when the panel is first built, not when this
module is imported: the dashboard's first page stays free of it.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import traitlets

import workbench as wb

from ._common import Panel, figure_widget, fmt_int, fmt_number, plotly_template, sku_units

__all__ = [
    "CLASS_WORDS",
    "FORECAST_COLORS",
    "MODEL_LABELS",
    "SOURCE_OPTIONS",
    "ForecastPanel",
    "forecast_tab",
]

#: Plain names of the models (:data:`workbench.forecasting.MODELS`).
MODEL_LABELS = {
    "naive": "Naive (repeat the last period)",
    "seasonal_naive": "Seasonal naive (repeat the last season)",
    "moving_average": "Moving average",
    "ses": "Simple exponential smoothing",
    "holt": "Holt (level and trend)",
    "damped": "Damped trend",
    "holt_winters_additive": "Holt-Winters (season added)",
    "holt_winters_multiplicative": "Holt-Winters (season in proportion)",
    "croston": "Croston (intermittent demand)",
    "sba": "Syntetos-Boylan (intermittent demand)",
    "tsb": "Teunter-Syntetos-Babai (intermittent demand)",
    "adida": "ADIDA (forecast on totals of several periods)",
    "imapa": "IMAPA (average of several ADIDA totals)",
}

#: The demand classes of :func:`workbench.demand_pattern`, in words.
CLASS_WORDS = {
    "smooth": "Smooth: demand in most periods, sizes steady",
    "erratic": "Erratic: demand in most periods, sizes vary a lot",
    "intermittent": "Intermittent: many periods without demand, sizes steady",
    "lumpy": "Lumpy: many periods without demand, sizes vary a lot",
    "none": "Too little history: fewer than two demands",
}

#: The plan-source switch: (label, ``Scenario.demand_source``).
SOURCE_OPTIONS = [
    ("the history: past average demand and its variability", "history"),
    ("the forecast: forecast demand and its tested error", "forecast"),
]

#: Line colours, readable on the light (white) and dark (#111111) chart backgrounds
#: (contrast above 3:1 on both, checked in tests/test_ui_forecast.py).
FORECAST_COLORS = {"history": "#808080", "fitted": "#d2691e", "forecast": "#1f77b4"}
_BANDS = {80: "rgba(31,119,180,0.35)", 95: "rgba(31,119,180,0.15)"}

_BUCKET_WORDS = {"D": "day", "W": "week", "M": "month"}
#: History shown on the chart at first [buckets] (the rest is a zoom-out away).
_SHOWN = {"D": 182, "W": 78, "M": 36}


def forecast_tab(dashboard) -> ForecastPanel:
    """The Forecast tab of a :class:`workbench.ui.Dashboard`: the panel on the
    dashboard's data, plan and scenario; its plan-source switch sets the dashboard's
    scenario (which re-plans every tab)."""
    from . import _common

    owner = _common._bundle_owner[0] if _common._bundle_owner else None
    if (
        _common._share_bundle_here()
        and (owner is None or getattr(owner, "comm", None) is None)
        and getattr(dashboard, "_preloaded", "absent") is None
    ):
        # Let the dashboard's hidden figure carry plotly's bundle (what it does once the
        # first page is idle): when this tab's figure carried it, being the page's first
        # chart, it was drawn empty now and then (chromium, Voila, a loaded machine).
        dashboard._preloaded = _common.figure_widget()
    panel = ForecastPanel(dashboard.dataset, scenario=dashboard.scenario, plan=dashboard.plan)

    def adopt(change) -> None:
        if change.new is not None and change.new != dashboard.scenario:
            dashboard.scenario = change.new

    panel.observe(adopt, names="applied")
    return panel


class ForecastPanel(Panel):
    """Forecasts per item or per demand class, the tested errors of every model, and
    the plan's demand source.

    Parameters
    ----------
    dataset : workbench.Dataset
        Its demand (bucketed as the plan buckets it, :func:`workbench.demand_history`)
        is forecast; :meth:`set_dataset` replaces it.
    scenario : workbench.Scenario, optional
        The active scenario (default ``wb.Scenario()``); its ``demand_source`` sets the
        switch.
    plan : pandas.DataFrame, optional
        The active plan; its ``demand_source`` column (when it has one) says which
        source each item used. :meth:`set_plan` replaces it.

    Attributes
    ----------
    shown : dict
        What the panel shows (trait): ``view`` ("sku" or "class"), ``sku`` or
        ``demand_class``, ``model``, ``model_label``, ``unit``, ``bucket``,
        ``horizon`` [buckets], ``history_mean`` and ``forecast_mean`` [unit per bucket],
        ``forecast_total`` [unit over the horizon], ``backtest`` (rows of the table).
    applied : wb.Scenario or None
        The scenario with the demand source chosen on the switch (trait); the
        dashboard observes it (:func:`forecast_tab`).
    """

    shown = traitlets.Dict()
    applied = traitlets.Any(allow_none=True)

    def __init__(self, dataset, *, scenario=None, plan: pd.DataFrame | None = None, **kwargs):
        self._compute(dataset)  # the slow part, before any widget is made
        self.scenario = scenario if scenario is not None else wb.Scenario()
        self._plan = plan
        self._hold = False
        self.intro = widgets.HTML(
            "<h3 style='margin:4px 0'>Demand forecast</h3>"
            "<div>For one item (or all items of a demand class): its demand history, what "
            "the model would have forecast for each past period (fitted), the forecast "
            "ahead with the ranges demand should fall in 80 % and 95 % of the time, and how "
            "each model did when tested on the last periods of the history.</div>"
        )
        self.view = widgets.ToggleButtons(
            options=[("One item", "sku"), ("A demand class", "class")],
            value="sku",
            description="Show",
            tooltips=["Forecast of one item", "Forecast of all items of a demand class"],
            style={"description_width": "90px", "button_width": "130px"},
        )
        self.view.add_class("wb-fc-view")
        self.sku = widgets.Dropdown(
            description="Item", style={"description_width": "90px"}, layout={"width": "420px"}
        )
        self.sku.add_class("wb-fc-sku")
        self.klass = widgets.Dropdown(
            description="Demand class",
            style={"description_width": "90px"},
            layout={"width": "420px", "display": "none"},
        )
        self.klass.add_class("wb-fc-class")
        self.message = widgets.HTML()
        self.message.add_class("wb-fc-message")
        self.numbers = widgets.HTML()
        self.numbers.add_class("wb-fc-numbers")
        self.backtest_html = widgets.HTML()
        self.backtest_html.add_class("wb-fc-backtest")
        self.source = widgets.RadioButtons(
            options=SOURCE_OPTIONS,
            value=self._source_of(self.scenario),
            description="Plan from",
            style={"description_width": "90px"},
            layout={"width": "auto"},
        )
        self.source.add_class("wb-fc-source")
        self.source_note = widgets.HTML()
        self.source_note.add_class("wb-fc-source-note")
        self.fig = figure_widget(data=_traces(), layout=_layout())
        self.fig.layout.meta = "forecast"
        # The figure is a direct child of the panel: nested one Box deeper, plotly did not
        # draw it in the lazily built tab until the window was resized.
        self.fig.add_class("wb-fc-chart")
        self.controls = widgets.VBox(
            [widgets.HBox([self.view]), widgets.HBox([self.sku, self.klass])]
        )
        plan_box = widgets.VBox(
            [
                widgets.HTML(
                    "<h3 style='margin:8px 0 4px 0'>Plan reorder points from</h3>"
                    "<div class='wb-note'>This sets the active scenario: the reorder points "
                    "and safety stocks of every tab follow.</div>"
                ),
                self.source,
                self.source_note,
            ]
        )
        self.empty = widgets.HTML()
        self.empty.add_class("wb-fc-empty")
        super().__init__(
            children=[
                self.intro,
                self.empty,
                self.controls,
                self.message,
                self.fig,
                self.numbers,
                self.backtest_html,
                plan_box,
            ],
            **kwargs,
        )
        self.add_class("wb-forecast-panel")
        self.view.observe(self._on_view, names="value")
        self.sku.observe(self._on_pick, names="value")
        self.klass.observe(self._on_pick, names="value")
        self.source.observe(self._on_source, names="value")
        self._refresh()
        self._show_source()

    # -- data
    def set_dataset(self, dataset) -> None:
        """Forecast and backtest every item of ``dataset`` (once), then redraw."""
        self._compute(dataset)
        self._refresh()

    def _compute(self, dataset) -> None:
        """The forecasts and backtests of every item (no widget is touched)."""
        self.dataset = dataset
        self._bd = bd = wb.demand_history(dataset) if dataset is not None else None
        self._result = self._backtest = None
        self._backtest_note = ""
        if (
            bd is None
            or len(bd.skus) == 0
            or bd.quantity.shape[1] < 2
            or (bd.first >= bd.quantity.shape[1]).all()
        ):
            return
        self._freq = _freq(bd)
        self._result = wb.forecast(bd)
        self._horizon = int(self._result.forecast["step"].max())
        self._backtest, self._backtest_note = _backtest(bd, self._horizon)

    def _refresh(self) -> None:
        """Fill the controls for the computed data and draw the first item."""
        bd, dataset = self._bd, self.dataset
        if self._result is None:
            self.empty.value = (
                "<div class='wb-unavailable wb-fc-none'>There is no demand history to "
                "forecast. Load a demand table with at least two periods of demand in the "
                "Data tab (or use the sample business).</div>"
            )
            self.controls.layout.display = "none"
            self.message.value = self.numbers.value = self.backtest_html.value = ""
            self._blank("No demand history to draw: load a demand table in the Data tab.")
            self.shown = {}
            return
        self.empty.value = ""
        self.controls.layout.display = None
        items = dataset.items
        sku_text = items["sku"].astype(str) if "sku" in items.columns else items.index.astype(str)
        names = (
            pd.Series(items["name"].astype(str).to_numpy(), index=sku_text)
            if "name" in items.columns
            else pd.Series(dtype=object)
        )
        self._units = sku_units(items)
        cost = (
            items["unit_cost"] if "unit_cost" in items.columns else pd.Series(np.nan, items.index)
        )
        self._cost = pd.Series(np.asarray(cost, float), index=sku_text)
        skus = [str(s) for s in bd.skus]
        self._row = {s: i for i, s in enumerate(skus)}
        klass = self._result.models["demand_class"].astype(str)
        order = np.argsort(-np.nan_to_num(np.nansum(bd.quantity, axis=1) * self._cost_of(skus)))
        options = []
        for i in order:  # highest demand at cost first: the items that matter come first
            s = skus[i]
            name = names.get(s, "")
            options.append((f"{s} · {name}" if name else s, s))
        counts = klass.value_counts()
        classes = [c for c in CLASS_WORDS if counts.get(c, 0) > 0]
        self._hold = True
        self.sku.options = options
        self.sku.value = options[0][1]
        self.klass.options = [
            (f"{CLASS_WORDS[c].split(':')[0]} ({fmt_int(counts[c])} items)", c) for c in classes
        ]
        self.klass.value = classes[0]
        self._hold = False
        self.update()

    def _cost_of(self, skus) -> np.ndarray:
        return self._cost.reindex(skus).to_numpy(float)

    def set_plan(self, plan) -> None:
        """The dashboard's plan: move the switch to its scenario's demand source (without
        applying it again) and say which source its items used."""
        self._plan = plan
        d = plan.attrs.get("scenario") if plan is not None else None
        if d:
            self.scenario = wb.Scenario.from_dict(d)
            self._hold = True
            self.source.value = self._source_of(self.scenario)
            self._hold = False
        self._show_source()

    # -- reacting
    def _on_view(self, change) -> None:
        one = change.new == "sku"
        self.sku.layout.display = None if one else "none"
        self.klass.layout.display = "none" if one else None
        self.update()

    def _on_pick(self, _change) -> None:
        if not self._hold:
            self.update()

    def _on_source(self, change) -> None:
        if self._hold or change.new is None:
            return
        self.scenario = self.scenario.replace(demand_source=change.new)
        self.applied = self.scenario
        self._show_source()

    @staticmethod
    def _source_of(scenario) -> str:
        value = getattr(scenario, "demand_source", "history")
        return value if value in dict(SOURCE_OPTIONS).values() else "history"

    def _show_source(self) -> None:
        plan = self._plan
        name = html.escape(str(getattr(self.scenario, "name", "") or "baseline"))
        head = f"Active scenario: <b>{name}</b>. "
        if plan is None or len(plan) == 0:
            self.source_note.value = f"<div class='wb-note'>{head}There is no plan yet.</div>"
            return
        if "demand_source" in plan.columns:
            used = plan["demand_source"].astype(str).value_counts()
        else:  # a plan that does not report it is made from the history
            used = pd.Series({"history": len(plan)})
        parts = [
            f"the {html.escape(k)} for {fmt_int(v)} item{'s' if v != 1 else ''}"
            for k, v in used.items()
        ]
        wanted = self._source_of(self.scenario)
        other = int(len(plan) - used.get(wanted, 0))
        why = (
            f" ({fmt_int(other)} item{'s' if other != 1 else ''} could not use the {wanted}: "
            "too short a history to test a forecast, or no demand)"
            if wanted == "forecast" and 0 < other < len(plan)
            else ""
        )
        self.source_note.value = (
            f"<div class='wb-note'>{head}The plan in every tab uses {', '.join(parts)}{why}.</div>"
        )

    # -- drawing
    def update(self) -> None:
        """Redraw the chart, the numbers and the backtest table for the current pick."""
        if self._result is None:
            return
        if self.view.value == "class":
            self._show_class(self.klass.value)
        else:
            self._show_sku(self.sku.value)

    def _show_sku(self, sku: str) -> None:
        bd, res = self._bd, self._result
        i = self._row[sku]
        y = bd.quantity[i]
        first = int(bd.first[i])
        unit = str(self._units.get(sku, "units"))
        per = _BUCKET_WORDS.get(self._freq, "period")
        row = res.models.iloc[i]
        model = str(row["model"])
        fc = res.forecast.iloc[i * self._horizon : (i + 1) * self._horizon]
        bt = None if self._backtest is None else self._backtest.xs(sku, level="sku")
        if first >= len(y):
            self.message.value = (
                f"<div class='wb-unavailable wb-fc-no-history'>{html.escape(sku)} has no "
                "demand in the history, so there is nothing to forecast from: its forecast is "
                f"0 {html.escape(unit)} per {per}.</div>"
            )
            self._blank(f"{sku} has no demand in the history: nothing to draw.")
            self.numbers.value = ""
            self.backtest_html.value = ""
            self.shown = {"view": "sku", "sku": sku, "model": model, "unit": unit}
            return
        fitted = wb_fitted(y, row, first)
        x_hist = bd.periods.to_timestamp()
        x_fc = pd.PeriodIndex(fc["period"]).to_timestamp()
        self._draw(
            x_hist[first:],
            y[first:],
            fitted[first:],
            x_fc,
            fc,
            ytitle=f"Demand ({unit} per {per})",
            title=f"{sku}: demand per {per}, fitted values and forecast",
        )
        recent = y[max(first, len(y) - self._horizon) :]
        hist_mean = float(np.mean(recent))
        total = float(fc["forecast"].sum())
        cum = np.nan
        if bt is not None and model in bt.index:
            cum = float(bt.loc[model, "cum_rmse"])
        klass = str(row["demand_class"])
        rows = [
            ("Demand class", html.escape(CLASS_WORDS.get(klass, klass))),
            ("Model used", html.escape(MODEL_LABELS.get(model, model)) + _why(row, klass)),
            (
                f"Average demand, last {fmt_int(len(recent))} {per}s",
                f"{_q(hist_mean)} {html.escape(unit)} per {per}",
            ),
            (
                f"Forecast, next {fmt_int(self._horizon)} {per}s",
                f"{_q(total / self._horizon)} {html.escape(unit)} per {per} on average, "
                f"{_q(total)} {html.escape(unit)} in total",
            ),
            (
                f"Forecast for the next {per}",
                f"{_q(fc['forecast'].iloc[0])} {html.escape(unit)}; 80 % range "
                f"{_q(fc['lo_80'].iloc[0])} to {_q(fc['hi_80'].iloc[0])}, 95 % range "
                f"{_q(fc['lo_95'].iloc[0])} to {_q(fc['hi_95'].iloc[0])}",
            ),
            (
                f"Tested miss on a {fmt_int(self._horizon)}-{per} total",
                f"± {_q(cum)} {html.escape(unit)} (root mean square over the tests; what "
                "safety stock must cover when planning from the forecast)"
                if np.isfinite(cum)
                else "<span class='wb-unavailable'>not tested: too short a history</span>",
            ),
        ]
        self.numbers.value = _kv_table(rows)
        table = _backtest_rows(bt, model, klass) if bt is not None else []
        self.backtest_html.value = self._backtest_table(table, unit, per)
        self.message.value = (
            "<div class='wb-note'>The fitted line is what the model would have forecast for "
            f"each past {per} from the {per}s before it. Showing the last "
            f"{fmt_int(_SHOWN.get(self._freq, 52))} {per}s; zoom out on the chart for the whole "
            "history.</div>"
        )
        self.shown = {
            "view": "sku",
            "sku": sku,
            "demand_class": klass,
            "model": model,
            "model_label": MODEL_LABELS.get(model, model),
            "unit": unit,
            "bucket": per,
            "horizon": self._horizon,
            "history_mean": hist_mean,
            "forecast_mean": total / self._horizon,
            "forecast_total": total,
            "next": float(fc["forecast"].iloc[0]),
            "cum_rmse": cum,
            "backtest": table,
        }

    def _show_class(self, klass: str) -> None:
        bd, res = self._bd, self._result
        models = res.models
        sel = (models["demand_class"].astype(str) == klass).to_numpy()
        skus = [str(s) for s in bd.skus[sel]]
        per = _BUCKET_WORDS.get(self._freq, "period")
        cost = np.nan_to_num(self._cost_of(skus))
        hist = np.nansum(bd.quantity[sel] * cost[:, None], axis=0)
        fc = res.forecast[res.forecast["sku"].astype(str).isin(skus)]
        fc_cost = fc["forecast"].to_numpy() * np.repeat(cost, self._horizon)
        total = pd.Series(fc_cost).groupby(fc["step"].to_numpy()).sum().to_numpy()
        x_fc = pd.period_range(bd.periods[-1] + 1, periods=self._horizon).to_timestamp()
        start = int(bd.first[sel].min()) if sel.any() else 0
        self._draw(
            bd.periods.to_timestamp()[start:],
            hist[start:],
            None,
            x_fc,
            pd.DataFrame({"forecast": total}),
            ytitle=f"Demand at cost ($ per {per})",
            title=f"{CLASS_WORDS[klass].split(':')[0]} items: demand at cost per {per}",
        )
        chosen = models.loc[sel, "model"].astype(str).value_counts()
        used = ", ".join(
            f"{html.escape(MODEL_LABELS.get(m, m))} for {fmt_int(n)}" for m, n in chosen.items()
        )
        recent = hist[-self._horizon :]
        rows = [
            ("Demand class", html.escape(CLASS_WORDS.get(klass, klass))),
            ("Items", fmt_int(len(skus))),
            ("Models used", used),
            (
                f"Average demand at cost, last {fmt_int(len(recent))} {per}s",
                f"${fmt_number(recent.mean(), 2)} per {per}",
            ),
            (
                f"Forecast at cost, next {fmt_int(self._horizon)} {per}s",
                f"${fmt_number(total.mean(), 2)} per {per} on average, "
                f"${fmt_number(total.sum(), 0)} in total",
            ),
        ]
        self.numbers.value = _kv_table(rows)
        table = _class_rows(self._backtest, skus, chosen)
        self.backtest_html.value = _class_table(table, self._backtest_note)
        self.message.value = (
            "<div class='wb-note'>A class adds up items with different units, so it is shown "
            "as demand at cost. The ranges are shown for one item only: the range of a total "
            "is not the sum of the items' ranges.</div>"
        )
        self.shown = {
            "view": "class",
            "demand_class": klass,
            "items": len(skus),
            "unit": "$",
            "bucket": per,
            "horizon": self._horizon,
            "history_mean": float(recent.mean()),
            "forecast_mean": float(total.mean()),
            "forecast_total": float(total.sum()),
            "models": chosen.to_dict(),
            "backtest": table,
        }

    def _blank(self, sentence: str) -> None:
        """An empty chart that says why in a sentence (no empty axes)."""
        with self.fig.batch_update():
            for t in self.fig.data:
                t.x, t.y = [], []
            self.fig.layout.title.text = ""
            self.fig.layout.xaxis.visible = self.fig.layout.yaxis.visible = False
            self.fig.layout.annotations = [
                dict(
                    text=html.escape(sentence), showarrow=False, xref="paper", yref="paper",
                    x=0.5, y=0.5, font=dict(size=15),
                )
            ]  # fmt: skip

    def _draw(self, x_hist, y_hist, fitted, x_fc, fc, *, ytitle: str, title: str) -> None:
        shown = _SHOWN.get(self._freq, 52)
        # Dates as ISO text: the widget's first state is sent as plain JSON, which has no
        # Timestamp (the figure then stayed empty in the browser).
        x_hist = list(pd.DatetimeIndex(x_hist).strftime("%Y-%m-%d"))
        x_fc = list(pd.DatetimeIndex(x_fc).strftime("%Y-%m-%d"))
        x0 = x_hist[max(len(x_hist) - shown, 0)] if len(x_hist) else None
        bands = {lv: (fc.get(f"lo_{lv}"), fc.get(f"hi_{lv}")) for lv in (95, 80)}
        with self.fig.batch_update():
            d = self.fig.data
            d[0].x, d[0].y = x_hist, np.asarray(y_hist, float)
            if fitted is None:
                d[1].x, d[1].y, d[1].visible = [], [], False
            else:
                d[1].x, d[1].y, d[1].visible = x_hist, np.asarray(fitted, float), True
            for k, lv in enumerate((95, 80)):
                lo, hi = bands[lv]
                lo_t, hi_t = d[2 + 2 * k], d[3 + 2 * k]
                if lo is None:
                    lo_t.x = lo_t.y = hi_t.x = hi_t.y = []
                    lo_t.visible = hi_t.visible = False
                else:
                    lo_t.x, lo_t.y = x_fc, lo.to_numpy(float)
                    hi_t.x, hi_t.y = x_fc, hi.to_numpy(float)
                    lo_t.visible = hi_t.visible = True
            d[6].x, d[6].y = x_fc, fc["forecast"].to_numpy(float)
            self.fig.layout.annotations = []
            self.fig.layout.xaxis.visible = self.fig.layout.yaxis.visible = True
            self.fig.layout.yaxis.title.text = ytitle
            self.fig.layout.title.text = title
            if x0 is not None and len(x_fc):
                self.fig.layout.xaxis.range = [x0, x_fc[-1]]

    def _backtest_table(self, rows: list[dict], unit: str, per: str) -> str:
        head = "<h3 style='margin:8px 0 4px 0'>How each model did on the past</h3>"
        if not rows:
            return head + (
                "<div class='wb-unavailable wb-fc-no-backtest'>The models could not be "
                f"tested: the history is too short. {html.escape(self._backtest_note)}</div>"
            )
        u = html.escape(unit)
        cols = [
            ("Model", None),
            (f"Average miss ({u} per {per})", "mae"),
            (f"Root mean square miss ({u} per {per})", "rmse"),
            ("Miss against the naive forecast (below 1 beats it)", "mase"),
            (f"Bias ({u} per {per}; above 0 forecasts too much)", "bias"),
            (f"Root mean square miss on the {fmt_int(self._horizon)}-{per} total ({u})", "cum"),
        ]
        body = []
        for r in rows:
            cells = [
                f"<td>{html.escape(r['label'])}"
                + (" <b class='wb-fc-used'>✓ used</b>" if r["used"] else "")
                + ("" if r["candidate"] else " <span class='wb-note'>(not for this class)</span>")
                + "</td>"
            ]
            for _, key in cols[1:]:
                digits = 2
                cells.append(f"<td class='num'>{fmt_number(r[key], digits)}</td>")
            cls = " class='wb-fc-chosen' style='font-weight:bold'" if r["used"] else ""
            body.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
        header = "".join(f"<th>{c}</th>" for c, _ in cols)
        return (
            head + f"<table class='wb-table wb-fc-backtest-table'><thead><tr>{header}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
            f"<div class='wb-note'>{html.escape(self._backtest_note)} Sorted by the root mean "
            "square miss. The model used is chosen among the models made for the item's demand "
            f"class: for steady demand by its miss on the last {fmt_int(self._horizon)} {per}s; "
            f"for intermittent and lumpy demand by the miss of its {fmt_int(self._horizon)}-{per} "
            "total over the last three such stretches, leaving out a forecast below a quarter "
            "of the recent demand.</div>"
        )


# --------------------------------------------------------------------------- helpers


def _freq(bd) -> str:
    return (bd.periods.freqstr if len(bd.periods) else "D")[0].upper()


def _q(x) -> str:
    """A quantity: two decimals below 10, one below 100, whole numbers above."""
    if x is None or not np.isfinite(x):
        return "–"
    a = abs(float(x))
    if a < 0.005:
        return "0"
    return fmt_number(x, 2 if a < 10 else 1 if a < 100 else 0)


def _kv_table(rows) -> str:
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table class='wb-table wb-kpis wb-fc-kpis'>{cells}</table>"


def _why(row, klass: str) -> str:
    note = str(row.get("note", "") or "")
    if "lowest backtest" in note:
        text = f"the lowest tested miss among the models for {klass} demand"
    elif "class default" in note:
        text = f"the usual model for {klass} demand (too short a history to test)"
    elif "fewer than 2 demands" in note:
        text = "fewer than two demands: the last period repeated"
    elif note:
        text = note
    else:
        return ""
    return f" <span class='wb-note'>({html.escape(text)})</span>"


def wb_fitted(y: np.ndarray, row: pd.Series, first: int) -> np.ndarray:
    """Fitted values of one item with the parameters :func:`workbench.forecast` chose."""
    from workbench.forecasting import fitted_values

    params = {
        k: float(row[k])
        for k in ("alpha", "beta", "gamma", "phi", "level0", "trend0")
        if k in row and pd.notna(row[k])
    }
    model = str(row["model"])
    if model in ("adida", "imapa"):
        params = {}  # they fit their aggregate series' alpha at each origin
    window = int(row["window"]) if pd.notna(row.get("window")) else 7
    agg = int(row["aggregation"]) if pd.notna(row.get("aggregation")) else None
    return fitted_values(
        y, model=model, params=params, first=first, season_length=int(row["season_length"]),
        window=window, aggregation=agg, last=1100,
    )  # fmt: skip


def _backtest(bd, horizon: int) -> tuple[pd.DataFrame | None, str]:
    """Three windows if the history allows, else fewer; None with a reason if none."""
    per = _BUCKET_WORDS.get(_freq(bd), "period")
    for windows in (3, 2, 1):
        try:
            bt = wb.backtest(bd, horizon=horizon, windows=windows)
        except ValueError:
            continue
        periods = "period" if windows == 1 else f"{windows} periods"
        return bt, (
            f"Tested on the last {periods} of {fmt_int(horizon)} {per}s: each model forecast "
            f"every period from the {per}s before it, compared with the demand that came."
        )
    return None, f"Testing needs more than {fmt_int(horizon + 2)} {per}s of history."


def _backtest_rows(bt: pd.DataFrame, used: str, klass: str) -> list[dict]:
    """The backtest of one item as table rows, sorted by RMSE (untested models last)."""
    from workbench.forecasting import AUTO_CANDIDATES

    if bt is None or bt["n_windows"].max() == 0:
        return []
    cands = AUTO_CANDIDATES.get(klass, ())
    out = [
        {
            "model": m,
            "label": MODEL_LABELS.get(m, m),
            "used": m == used,
            "candidate": m in cands or m == used,
            "mae": float(r["mae"]),
            "rmse": float(r["rmse"]),
            "mase": float(r["mase"]),
            "bias": float(r["bias"]),
            "cum": float(r["cum_rmse"]),
        }
        for m, r in bt.iterrows()
    ]
    return sorted(out, key=lambda r: (not np.isfinite(r["rmse"]), r["rmse"]))


def _class_rows(bt: pd.DataFrame | None, skus: list[str], chosen: pd.Series) -> list[dict]:
    """Per model over a class's items: median MASE, and for how many items the model
    had the lowest tested RMSE and is used (MASE is scale-free, so items with
    different units can be summarised together)."""
    if bt is None or not skus:
        return []
    sub = bt[bt.index.get_level_values("sku").astype(str).isin(skus)]
    sub = sub[sub["n_windows"] > 0]
    if len(sub) == 0:
        return []
    rmse = sub["rmse"].unstack("model")
    best = rmse.idxmin(axis=1, skipna=True).dropna().value_counts()
    mase = sub["mase"].groupby(level="model").median()
    out = [
        {
            "model": m,
            "label": MODEL_LABELS.get(m, m),
            "mase": float(mase.get(m, np.nan)),
            "best": int(best.get(m, 0)),
            "used": int(chosen.get(m, 0)),
        }
        for m in mase.index
    ]
    return sorted(out, key=lambda r: (not np.isfinite(r["mase"]), r["mase"]))


def _class_table(rows: list[dict], note: str) -> str:
    head = "<h3 style='margin:8px 0 4px 0'>How each model did on the past</h3>"
    if not rows:
        return head + (
            "<div class='wb-unavailable wb-fc-no-backtest'>The models could not be tested: "
            f"the history is too short. {html.escape(note)}</div>"
        )
    body = "".join(
        f"<tr><td>{html.escape(r['label'])}</td><td class='num'>{fmt_number(r['mase'], 2)}</td>"
        f"<td class='num'>{fmt_int(r['best'])}</td><td class='num'>{fmt_int(r['used'])}</td></tr>"
        for r in rows
    )
    return (
        head + "<table class='wb-table wb-fc-backtest-table'><thead><tr><th>Model</th>"
        "<th>Median miss against the naive forecast (below 1 beats it)</th>"
        "<th>Items where it missed least</th><th>Items that use it</th></tr></thead>"
        f"<tbody>{body}</tbody></table><div class='wb-note'>{html.escape(note)} Sorted by "
        "the median miss against the naive forecast.</div>"
    )


def _traces() -> list:
    """All the chart's traces, made before the FigureWidget (STACK.md pitfall 2):
    0 history, 1 fitted, 2-3 the 95 % range, 4-5 the 80 % range, 6 the forecast."""
    c = FORECAST_COLORS
    out: list[Any] = [
        go.Scatter(
            x=[], y=[], mode="lines", name="demand (history)", line=dict(color=c["history"])
        ),
        go.Scatter(
            x=[],
            y=[],
            mode="lines",
            name="fitted (forecast one period ahead)",
            line=dict(color=c["fitted"], dash="dot"),
        ),
    ]
    for lv in (95, 80):
        out += [
            go.Scatter(
                x=[],
                y=[],
                mode="lines",
                line=dict(width=0),
                showlegend=False,
                hoverinfo="skip",
                name=f"{lv} % range, low",
            ),
            go.Scatter(
                x=[],
                y=[],
                mode="lines",
                line=dict(width=0),
                fill="tonexty",
                fillcolor=_BANDS[lv],
                name=f"{lv} % range",
            ),
        ]
    out.append(
        go.Scatter(
            x=[], y=[], mode="lines", name="forecast", line=dict(color=c["forecast"], width=2.5)
        )
    )
    return out


def _layout() -> go.Layout:
    return go.Layout(
        template=plotly_template(),
        height=380,
        autosize=True,
        margin=dict(l=60, r=20, t=50, b=40),
        xaxis=dict(title=dict(text="Date")),
        yaxis=dict(title=dict(text="Demand"), rangemode="tozero"),
        legend=dict(orientation="h", y=-0.18),
        title=dict(text="Demand and forecast"),
    )
