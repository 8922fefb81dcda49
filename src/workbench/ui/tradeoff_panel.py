"""Stockout trade-offs: how much inventory each point of fill rate costs, for the portfolio.

The frontier is :func:`workbench.service_frontier` (investment against expected fill rate
when every SKU gets the same target); the current scenario, :func:`workbench.plan_from_stats`
with the panel's holding cost rate and class targets, is a point beside it
(:func:`workbench.plan_summary`). The "Run simulation" button replays the demand history
through :func:`workbench.simulated_frontier` and :func:`workbench.simulate` and overlays
what the policies actually delivered; one SKU's simulated stock is drawn with its stockouts.
The same button runs :func:`workbench.plan_check` (demand resampled from each SKU's own
history, replications as batches of one run) and sets the planned fill rate and cycle service level
per ABC class beside the simulated ones, with the standard error, the gap and, where a
SKU's gap is beyond three standard errors, why (the reasons counted per class).

Slider changes recompute only formulas (a few tens of milliseconds on 10,000 SKUs); the
simulation runs only on the button, with a progress bar.

On a Dask cluster: when the dashboard is given a scheduler (``workbench serve --dask
tcp://host:8786``, or ``$WORKBENCH_DASK``), the scenario's replay (:func:`wb.simulate` of
the plan over the history, every planned SKU) and the plan check run partition by
partition on that cluster (:func:`workbench.distributed.simulate`,
:func:`workbench.distributed.plan_check`), and the bar moves as the partitions finish;
the results are the ones made here, SKU for SKU (each SKU keeps its random streams). The
frontier's targets still run in the dashboard's kernel, and the chosen item's stock chart
comes from a replay of that item alone, which draws what it drew in the cluster's run.
"""

from __future__ import annotations

import html
import os
import time

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import traitlets
from plotly.subplots import make_subplots

import workbench as wb
from workbench.sim.results import SimulationResult

from ._common import (
    Panel,
    add_chart_sentence,
    figure_widget,
    fmt_int,
    fmt_money,
    fmt_number,
    fmt_pct,
    html_table,
    on_click,
    palette,
    plotly_template,
)
from .eoq_panel import controls_beside, slider, top_sku, update_figure

__all__ = ["CHECK_REPLICATIONS", "SIMULATED_LEVELS", "TRACE_ALL_UP_TO", "TradeoffPanel"]

#: Targets simulated along the frontier when the button is pressed.
SIMULATED_LEVELS = (0.80, 0.90, 0.95, 0.98, 0.99)
#: Datasets with at most this many SKUs keep every SKU's simulated trace (so the SKU
#: dropdown can show any of them after one run); larger ones trace the chosen SKU only.
TRACE_ALL_UP_TO = 2000
#: Replications of the plan check (wb.plan_check) run by the button.
CHECK_REPLICATIONS = 8
#: Why the simulated figures differ from the formulas', shown after a run.
GAP_WHY = (
    "Why simulated and formula differ: the formulas work from each item's average demand "
    "and its spread over the lead time; the simulation replays demand day by day, with "
    "its bursts and quiet spells. The gap is widest for items with a short history, lumpy "
    "or intermittent demand, an order size forced up by a minimum order or pack size, or "
    "few order cycles simulated. The table below gives the gap per class and, for items "
    "whose gap is beyond chance (three standard errors), which of these applies."
)
#: Where the progress bar stands as soon as the button is pressed (and twice that once the
#: history is read): it moves from the start.
PROGRESS_START = 0.03
#: What the simulated-stock chart says until a run traced the chosen item.
NO_TRACE_SENTENCE = (
    "Press “Run simulation” above to replay the demand history: the chosen item's "
    "stock,<br>its stockouts and its reorder point are drawn here."
)
#: Shares of the progress bar: the frontier's targets, the scenario's replay, the check.
_PROGRESS_WEIGHTS = (len(SIMULATED_LEVELS), 1.0, 2.0)
LABELS = ("A", "B", "C")


class TradeoffPanel(Panel):
    """Portfolio frontier (investment against fill rate) with the current scenario.

    Parameters
    ----------
    dataset : workbench.Dataset
    scenario : workbench.Scenario, optional
        The starting scenario (default ``wb.Scenario()``); the sliders override its
        holding cost rate and class targets. :meth:`set_plan` takes the dashboard's
        scenario from ``plan.attrs["scenario"]``.
    rng : int, default 2026
        Seed of the simulation (random lead times), so a run can be repeated.
    dask : distributed.Client or str, optional
        Run the scenario's replay and the plan check on this Dask cluster (a client, or a scheduler
        address); default the scheduler named by ``$WORKBENCH_DASK`` when it is set,
        else none: everything runs in the kernel.

    Attributes
    ----------
    scenario : wb.Scenario (trait)
        The scenario the sliders describe.
    activated : wb.Scenario or None (trait)
        The scenario last made the active one with the "Make this the active scenario"
        button (:meth:`activate`); the dashboard observes it.
    plan : DataFrame (trait)
        ``wb.plan_from_stats`` under that scenario.
    result : dict (trait)
        ``wb.plan_summary`` of the plan (``investment``, ``fill_rate``,
        ``safety_stock_value``, ``annual_cost``, ...) as floats.
    frontier : DataFrame (trait)
        ``wb.service_frontier(...).table`` for the planned SKUs.
    simulation : dict or None (trait)
        After a run: ``points`` (``wb.simulated_frontier`` table, class "all"),
        ``fill_rate`` and ``investment`` simulated for the current scenario, ``run``
        (the ``SimulationResult``), ``check`` (the ``wb.plan_check`` result of the
        plan: planned against simulated per SKU and class), ``scenario``.
    promise : HTML
        After a run, the planned against simulated table per ABC class from
        ``simulation["check"].classes`` and the reasons for gaps beyond 3 SE.
    fig : FigureWidget
        Top, the frontier: 0 the curve, 1 its knee, 2 the current scenario, 3
        simulated frontier points, 4 the simulated current scenario. Bottom, one SKU's
        simulated stock: 5 on hand, 6 backorders, 7 stockout days, 8 the reorder point.
    """

    scenario = traitlets.Any()
    activated = traitlets.Any(allow_none=True)
    plan = traitlets.Any()
    result = traitlets.Dict()
    frontier = traitlets.Any()
    simulation = traitlets.Any(allow_none=True)

    def __init__(self, dataset, *, scenario=None, rng: int = 2026, dask=None, **kwargs):
        self._hold = False
        self.rng = rng
        self.dask = dask
        self._frontier_key = None
        base = scenario if scenario is not None else wb.Scenario()
        self._base = base
        self.override_rate = widgets.Checkbox(
            value=base.holding_cost_rate is not None,
            description="Same holding cost rate for every SKU",
            indent=False,
        )
        self.override_rate.add_class("tradeoff-override-rate")
        self.holding_rate = slider(
            "Holding cost, a year",
            base.holding_cost_rate or 0.25,
            0.05,
            0.60,
            0.01,
            "tradeoff-holding-rate",
            percent=True,
        )
        self.targets = {
            c: slider(
                f"Service target, class {c}",
                float(base.service_targets.get(c, 0.95)),
                0.5,
                0.999,
                0.001,
                f"tradeoff-target-{c.lower()}",
                percent=True,
            )
            for c in LABELS
        }
        self.item_levels = widgets.Checkbox(
            value=bool(base.use_item_service_levels),
            description="Items' own service levels come first",
            indent=False,
        )
        self.item_levels.add_class("tradeoff-item-levels")
        self.activate_button = widgets.Button(
            description="Make this the active scenario",
            tooltip="Every tab, the plan download and the Scenarios tab then use these settings",
            layout=widgets.Layout(width="auto"),
        )
        self.activate_button.add_class("tradeoff-activate")
        self.run_button = widgets.Button(
            description="Run simulation", button_style="primary", icon=""
        )  # no icon: FontAwesome comes from a CDN (STACK.md pitfall 8)
        self.run_button.add_class("tradeoff-run")
        self.progress = widgets.FloatProgress(
            value=0.0,
            min=0.0,
            max=1.0,
            description="Progress",
            style={"description_width": "60px"},
            layout=widgets.Layout(width="300px"),
        )
        self.progress.add_class("tradeoff-progress")
        self.status = widgets.HTML()
        self.status.add_class("tradeoff-status")
        self.numbers = widgets.HTML()
        self.numbers.add_class("tradeoff-numbers")
        self.promise = widgets.HTML()
        self.promise.add_class("tradeoff-promise")
        self.sku = widgets.Dropdown(
            options=[], description="SKU", layout=widgets.Layout(width="420px")
        )
        self.sku.add_class("tradeoff-sku")
        frontier_traces = [
            go.Scatter(
                x=[],
                y=[],
                mode="lines+markers",
                name="same target for every SKU",
                marker=dict(size=4),
            ),
            go.Scatter(
                x=[],
                y=[],
                mode="markers",
                name="knee",
                marker=dict(size=12, symbol="circle-open", line=dict(width=2)),
            ),
            go.Scatter(
                x=[],
                y=[],
                mode="markers",
                name="current scenario (formulas)",
                marker=dict(size=14, symbol="star", color=palette()["accent"]),
            ),
            go.Scatter(
                x=[],
                y=[],
                mode="lines+markers",
                name="simulated, same target",
                marker=dict(size=8, symbol="x"),
                line=dict(dash="dot"),
            ),
            go.Scatter(
                x=[],
                y=[],
                mode="markers",
                name="current scenario (simulated)",
                marker=dict(
                    size=14, symbol="star-open", color=palette()["accent"], line=dict(width=2)
                ),
            ),
        ]
        trace_traces = [
            go.Scatter(x=[], y=[], mode="lines", name="on hand", line=dict(shape="hv")),
            go.Scatter(
                x=[],
                y=[],
                mode="lines",
                name="backorders",
                line=dict(shape="hv", color=palette()["bad"]),
            ),
            go.Scatter(
                x=[],
                y=[],
                mode="markers",
                name="stockout day",
                marker=dict(symbol="x", size=9, color=palette()["bad"]),
            ),
            go.Scatter(
                x=[],
                y=[],
                mode="lines",
                name="reorder point s",
                line=dict(dash="dot", color=palette()["ink"]),
            ),
        ]
        base = make_subplots(
            rows=2,
            cols=1,
            subplot_titles=(
                "Inventory investment against fill rate",
                "One item's simulated stock",
            ),
            vertical_spacing=0.14,
            row_heights=[0.58, 0.42],
        )
        for t in frontier_traces:
            base.add_trace(t, row=1, col=1)
        for t in trace_traces:
            base.add_trace(t, row=2, col=1)
        # In place of the empty stock chart until a run traced the chosen SKU.
        add_chart_sentence(
            base, NO_TRACE_SENTENCE, name="no-trace", xref="x2 domain", yref="y2 domain"
        )
        base.update_xaxes(title_text="average inventory at cost [$]", row=1, col=1)
        base.update_yaxes(title_text="fill rate (demand-weighted)", tickformat=".1%", row=1, col=1)
        base.update_yaxes(title_text="units", row=2, col=1, visible=False)
        base.update_xaxes(visible=False, row=2, col=1)  # shown once a run traced an item
        base.update_layout(
            template=plotly_template(),
            height=760,
            margin=dict(l=70, r=20, t=50, b=45),
            legend=dict(orientation="h", y=-0.08),
            meta="tradeoff-chart",
        )
        # One FigureWidget for both charts (each one ships plotly.js to the page), all
        # traces present before it is made (STACK.md pitfall 2).
        self.fig = figure_widget(base)
        controls = widgets.VBox(
            [
                self.override_rate,
                self.holding_rate.row,
                *(t.row for t in self.targets.values()),
                self.item_levels,
                self.activate_button,
                widgets.HBox([self.run_button, self.progress]),
                self.status,
            ]
        )
        super().__init__(
            children=[
                controls_beside(controls, self.numbers),
                self.promise,
                self.sku,
                self.fig,
            ],
            **kwargs,
        )
        self.add_class("tradeoff-panel")
        self.holding_rate.observe(self._on_rate, names="value")
        self.override_rate.observe(self._on_change, names="value")
        self.item_levels.observe(self._on_change, names="value")
        for s in self.targets.values():
            s.observe(self._on_change, names="value")
        self.sku.observe(self._on_sku, names="value")
        on_click(self.run_button, self.run_simulation, self.status, title="The simulation failed")
        on_click(
            self.activate_button,
            self.activate,
            self.status,
            title="The scenario could not be made the active one",
        )
        self.set_dataset(dataset)

    # -- data
    def set_dataset(self, dataset) -> None:
        """New data: demand statistics once, then plan, frontier and point."""
        self._dataset = dataset
        self._stats = wb.demand_stats(dataset)
        self._history = wb.demand_history(dataset)  # so the tab's plan is wb.plan's
        self._forecast = None  # forecast_demand's run, made once if a scenario plans from it
        self._frontier_key = None
        self.simulation = None
        self._clear_simulation()
        self.update()
        self._hold = True
        planned = self._planned(self.plan)
        self.sku.options = list(planned.index.astype(str))
        if len(planned):
            self.sku.value = top_sku(planned)
        self._hold = False

    def set_plan(self, plan) -> None:
        """The dashboard's plan: adopt its scenario (``plan.attrs["scenario"]``) as the
        starting point and move the sliders to its rate and targets."""
        if plan is None:
            return
        d = plan.attrs.get("scenario")
        if not d:
            return
        base = wb.Scenario.from_dict(d) if hasattr(wb.Scenario, "from_dict") else None
        if base is None:
            return
        self._base = base
        self._hold = True
        self.override_rate.value = base.holding_cost_rate is not None
        if base.holding_cost_rate is not None:
            self.holding_rate.value = float(base.holding_cost_rate)
        for c, s in self.targets.items():
            if c in base.service_targets:
                s.value = float(base.service_targets[c])
        self.item_levels.value = bool(base.use_item_service_levels)
        self._hold = False
        self.update()

    def is_active(self) -> bool:
        """Whether the sliders describe the dashboard's active scenario (the one
        :meth:`set_plan` last received) unchanged."""
        return self.current_scenario() == self._base

    def activate(self):
        """Make the sliders' scenario the dashboard's active one (the ``activated``
        trait, which the dashboard observes). A scenario that differs from the active
        one is named after it with " (trade-offs)" added. Returns the scenario."""
        scn = self.current_scenario()
        if scn != self._base:
            name = self._base.name
            if not name.endswith(" (trade-offs)"):
                name += " (trade-offs)"
            scn = scn.replace(name=name)
        self._base = scn
        self.scenario = scn
        self.activated = scn
        self.numbers.value = self._numbers_html()
        return scn

    # -- reacting
    def _on_rate(self, _change) -> None:
        if self._hold:
            return
        self._hold = True
        self.override_rate.value = True  # moving the slider means "use this rate"
        self._hold = False
        self.update()

    def _on_change(self, _change) -> None:
        if not self._hold:
            self.update()

    def _on_sku(self, _change) -> None:
        if not self._hold:
            self.draw_trace()

    # -- the numbers
    def current_scenario(self):
        """The base scenario with the sliders' holding cost rate and class targets."""
        targets = dict(self._base.service_targets)
        targets.update({c: float(s.value) for c, s in self.targets.items() if c in targets})
        return self._base.replace(
            name=self._base.name,
            holding_cost_rate=float(self.holding_rate.value) if self.override_rate.value else None,
            service_targets=targets,
            use_item_service_levels=bool(self.item_levels.value),
        )

    @staticmethod
    def _planned(plan: pd.DataFrame) -> pd.DataFrame:
        """The SKUs the frontier can use: finite inputs and something to order."""
        cols = ["daily_mean", "daily_sd", "lead_time_days", "order_quantity", "unit_cost"]
        ok = np.isfinite(plan[cols].to_numpy(float)).all(axis=1)
        ok &= plan["order_quantity"].to_numpy(float) > 0
        ok &= plan["lead_time_days"].to_numpy(float) > 0
        return plan[ok]

    def _plan(self, scenario) -> pd.DataFrame:
        """``wb.plan(dataset, scenario)`` from the statistics, history and forecast kept
        for the dataset (measured lead times and the forecast as the scenario asks)."""
        from ..scenario import _forecast, _planning_items

        if scenario.demand_source == "forecast" and self._forecast is None:
            self._forecast = _forecast(scenario, self._history)
        return wb.plan_from_stats(
            _planning_items(self._dataset, scenario, None),
            self._stats,
            scenario,
            history=self._history,
            forecast=self._forecast if scenario.demand_source == "forecast" else None,
        )

    def update(self) -> None:
        """Plan under the current scenario; frontier if Q changed; redraw the point."""
        scenario = self.current_scenario()
        plan = self._plan(scenario)
        summary = wb.plan_summary(plan)
        planned = self._planned(plan)
        key = (
            scenario.holding_cost_rate,
            scenario.order_cost,
            scenario.service_type,
            scenario.lead_time_multiplier,
            scenario.demand_multiplier,
            scenario.review_period_days,
            scenario.abc_cutoffs,
            len(plan),
        )
        traces: dict[int, dict] = {}
        if key != self._frontier_key:
            table = wb.service_frontier(
                planned["daily_mean"],
                planned["daily_sd"],
                lead_time_days=planned["lead_time_days"],
                order_quantity=planned["order_quantity"],
                unit_cost=planned["unit_cost"],
                lead_time_sd_days=planned["lead_time_sd_days"].fillna(0.0),
                review_period_days=planned["review_period_days"].fillna(0.0),
                abc_class=planned["abc"].astype(str),
                service_type=scenario.service_type,
            ).table
            whole = table[table["class"] == "all"]
            knee = whole[whole["is_knee"]]
            traces[0] = dict(
                x=whole["avg_inventory_value"].to_numpy(),
                y=whole["expected_fill_rate"].to_numpy(),
                hovertext=[f"target {t:.1%}" for t in whole["service_level"]],
            )
            traces[1] = dict(
                x=knee["avg_inventory_value"].to_numpy(), y=knee["expected_fill_rate"].to_numpy()
            )
            self.frontier = table
            self._frontier_key = key
        traces[2] = dict(x=[float(summary["investment"])], y=[float(summary["fill_rate"])])
        update_figure(self.fig, traces)
        self.scenario = scenario
        self.plan = plan
        self.result = {k: _plain(v) for k, v in summary.items()}
        self.numbers.value = self._numbers_html()

    def _numbers_html(self) -> str:
        r = self.result
        whole = self.frontier[self.frontier["class"] == "all"]
        # What one target for every SKU needs for the same fill rate (read off the curve).
        same = float(
            np.interp(
                r["fill_rate"],
                whole["expected_fill_rate"],
                whole["avg_inventory_value"],
                left=np.nan,
                right=np.nan,
            )
        )
        rows = [
            (
                "SKUs planned",
                f"<span class='tradeoff-planned'>{fmt_int(r['skus'] - r['skus_unplanned'])} "
                f"of {fmt_int(r['skus'])}</span>",
            ),
            (
                "Investment (average stock at cost)",
                f"<span class='tradeoff-investment'>{fmt_money(r['investment'])}</span>",
            ),
            ("of which safety stock", fmt_money(r["safety_stock_value"])),
            (
                "Expected fill rate",
                f"<span class='tradeoff-fill-rate'>{fmt_pct(r['fill_rate'], 2)}</span>",
            ),
            ("Stockouts per year", fmt_number(r["stockouts_per_year"], 0)),
            ("Annual ordering + holding cost", fmt_money(r["annual_cost"])),
            ("Same fill rate, one target for all", fmt_money(same)),
        ]
        sim = self.simulation
        if sim is not None:
            rows += [
                (
                    "Simulated fill rate",
                    f"<span class='tradeoff-sim-fill'>{fmt_pct(sim['fill_rate'], 2)}</span>",
                ),
                ("Simulated average stock", fmt_money(sim["investment"])),
            ]
        cells = "".join(f"<tr><th>{k}</th><td class='num'>{v}</td></tr>" for k, v in rows)
        name = html.escape(str(self._base.name))
        state = (
            "<span class='tradeoff-state wb-ok-text'>the active scenario</span>"
            if self.is_active()
            else "<span class='tradeoff-state'>changed here, not active yet: press "
            "“Make this the active scenario” to use it in every tab</span>"
        )
        return (
            "<div style='margin:4px 12px'><b>Scenario <span class='tradeoff-scenario-name'>"
            f"{name}</span></b> ({state})"
            f"<table class='wb-table tradeoff-table'>{cells}</table>"
            "<div class='wb-note'>The curve gives every SKU the same target; the star is "
            "the class targets (A, B, C). Below the curve: the same fill rate costs more "
            "than it must.</div></div>"
        )

    # -- simulation (the button)
    def run_simulation(self) -> dict | None:
        """Replay the demand history: the frontier's targets (``wb.simulated_frontier``)
        and the current scenario's plan (``wb.simulate``); overlay what they delivered."""
        self.run_button.disabled = True
        self.progress.bar_style = ""
        # The bar moves from the start: reading the history is its first share, and each
        # step says what it is doing (the first replay also prepares the simulator).
        self.progress.value = PROGRESS_START
        self._step("Reading the demand history…")
        try:
            planned = self._planned(self.plan)
            start, end = self._dataset.demand_period
            skus = list(planned.index.astype(str))
            matrix, _, dates = wb.daily_demand_matrix(
                self._dataset.demand, skus=skus, start=start, end=end
            )
            w = np.asarray(_PROGRESS_WEIGHTS, dtype=float)
            lo = 2 * PROGRESS_START
            edges = lo + (1.0 - lo) * np.concatenate([[0.0], np.cumsum(w) / w.sum()])
            self.progress.value = lo
            client = self._dask_client()
            where = "" if client is None else f" on the Dask cluster at {_address(client)}"
            steps = (
                f"Replaying the history at {len(SIMULATED_LEVELS)} service targets…",
                f"Replaying the history with the scenario's plan{where}…",
                f"Checking the plan's promise: {CHECK_REPLICATIONS} resampled histories{where}…",
            )

            def part(i):
                self._step(steps[i])
                self.progress.value = edges[i]

                def report(frac):
                    self.progress.value = edges[i] + (edges[i + 1] - edges[i]) * float(frac)

                return report

            first = part(0)

            points = wb.simulated_frontier(
                matrix,
                demand_mean=planned["daily_mean"].to_numpy(float),
                demand_sd=planned["daily_sd"].to_numpy(float),
                lead_time_days=planned["lead_time_days"].to_numpy(float),
                order_quantity=planned["order_quantity"].to_numpy(float),
                unit_cost=planned["unit_cost"].to_numpy(float),
                lead_time_sd_days=planned["lead_time_sd_days"].fillna(0.0).to_numpy(float),
                abc_class=planned["abc"].astype(str).to_numpy(),
                service_levels=SIMULATED_LEVELS,
                rng=self.rng,
                progress=first,
            )
            second = part(1)
            if client is None:
                trace = skus if len(skus) <= TRACE_ALL_UP_TO else [self.sku.value]
                run = wb.simulate(
                    matrix,
                    skus=skus,
                    policy="plan",
                    plan=planned,
                    lead_time_days=planned["lead_time_days"].to_numpy(float),
                    lead_time_sd_days=planned["lead_time_sd_days"].fillna(0.0).to_numpy(float),
                    unit_cost=planned["unit_cost"].to_numpy(float),
                    trace_skus=trace,
                    rng=self.rng,
                    progress=second,
                )
            else:
                run = self._replay_on_dask(client, planned, matrix, second)
            third = part(2)
            if client is None:
                check = wb.plan_check(
                    self._dataset,
                    plan=self.plan,
                    replications=CHECK_REPLICATIONS,
                    seed=self.rng,
                    progress=third,
                )
            else:
                check = self._check_on_dask(client, third)
        except Exception as exc:  # show it in the panel, keep the page alive
            self.progress.bar_style = "danger"
            self.status.value = (
                f"<div class='wb-error'>The simulation failed: "
                f"{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</div>"
            )
            return None
        finally:
            self.run_button.disabled = False
        s = run.summary
        demand = float(s["demand"].sum())
        whole = points[points["class"] == "all"]
        sim = {
            "points": whole.reset_index(drop=True),
            "fill_rate": float(s["filled"].sum()) / demand if demand > 0 else 1.0,
            "investment": float(s["avg_on_hand_value"].sum()),
            "run": run,
            "check": check,
            "dates": dates,
            "scenario": self.scenario,
        }
        update_figure(
            self.fig,
            {
                3: dict(
                    x=whole["simulated_avg_inventory_value"].to_numpy(),
                    y=whole["simulated_fill_rate"].to_numpy(),
                    hovertext=[f"target {t:.0%}" for t in whole["service_level"]],
                ),
                4: dict(x=[sim["investment"]], y=[sim["fill_rate"]]),
            },
        )
        self.simulation = sim
        self.progress.value = 1.0
        self.progress.bar_style = "success"
        self.status.value = (
            f"<span class='tradeoff-done'>Simulated {fmt_int(len(skus))} SKUs over "
            f"{fmt_int(run.days)} days of history in {run.elapsed_seconds:.1f} s"
            f"{html.escape(where)}.</span>"
            f"<div class='wb-note tradeoff-gap-why' style='max-width:560px'>{GAP_WHY}</div>"
        )
        self.numbers.value = self._numbers_html()
        self.promise.value = promise_html(check)
        self.draw_trace()
        return sim

    def _dask_client(self):
        """The Dask client the scenario's replay runs on, or None (in the kernel)."""
        if self.dask is not None and not isinstance(self.dask, str):
            return self.dask
        from ..cli import DASK_ENV

        address = self.dask or os.environ.get(DASK_ENV, "").strip()
        if not address:
            return None
        from ..distributed import dashboard_client  # dask: imported only when asked for

        return dashboard_client(address)

    def _replay_on_dask(self, client, planned: pd.DataFrame, matrix, report):
        """The scenario's replay, partition by partition on the cluster
        (:func:`workbench.distributed.simulate`), with the same inputs as the run in the
        kernel; the chosen item's trace from a replay of it alone, keyed as in the run."""
        from .. import distributed as wd

        t0 = time.perf_counter()
        skus = list(planned.index.astype(str))
        lead = planned["lead_time_days"].astype(float)
        lead_sd = planned["lead_time_sd_days"].fillna(0.0).astype(float)
        cost = planned["unit_cost"].astype(float)
        # what the kernel's run (a matrix, no items table) takes: the plan's lead times
        # and costs, the simulator's defaults for the rest
        same = dict(
            lead_time_days=lead,
            lead_time_sd_days=lead_sd,
            unit_cost=cost,
            holding_cost_rate=0.25,
            order_cost=0.0,
            min_order_qty=0.0,
            pack_size=0.0,
            frequency="D",
        )
        with client.as_current():
            cat = wd.catalog_from_dataset(self._dataset, skus)
            summary = wd.simulate(
                cat,
                plan=planned,
                rng=self.rng,
                progress=lambda done, total: report(done / total if total else 1.0),
                **same,
            )
        sku = str(self.sku.value)
        pos = skus.index(sku) if sku in skus else 0
        one = wb.simulate(
            matrix[:, [pos]],
            skus=[skus[pos]],
            policy="plan",
            plan=planned,
            lead_time_days=lead.to_numpy()[[pos]],
            lead_time_sd_days=lead_sd.to_numpy()[[pos]],
            unit_cost=cost.to_numpy()[[pos]],
            trace_skus=[skus[pos]],
            rng=self.rng,
            stream_keys=[pos],
            progress=False,
        )
        return SimulationResult(
            summary=summary,
            trace=one.trace,
            days=one.days,
            days_requested=one.days_requested,
            completed=True,
            elapsed_seconds=time.perf_counter() - t0,
            settings={**one.settings, "engine": "dask", "scheduler": _address(client)},
        )

    def _check_on_dask(self, client, report):
        """:func:`wb.plan_check` of the plan, partition by partition on the cluster
        (:func:`workbench.distributed.plan_check`: the same per-SKU and class tables)."""
        from .. import distributed as wd

        with client.as_current():
            return wd.plan_check(
                wd.catalog_from_dataset(self._dataset),
                plan=self.plan,
                replications=CHECK_REPLICATIONS,
                seed=self.rng,
                progress=lambda done, total: report(done / total if total else 1.0),
            )

    def _step(self, text: str) -> None:
        self.status.value = f"<span class='wb-note tradeoff-step'>{html.escape(text)}</span>"

    def _clear_simulation(self) -> None:
        update_figure(self.fig, {i: dict(x=[], y=[]) for i in range(3, len(self.fig.data))})
        self.progress.value = 0.0
        self.progress.bar_style = ""
        self.status.value = ""
        self.promise.value = ""
        self._show_trace_axes(False)

    def draw_trace(self) -> None:
        """Draw the chosen SKU's simulated stock (after a run that traced it)."""
        sim = self.simulation
        sku = self.sku.value
        trace = None if sim is None or sim["run"].trace is None else sim["run"].trace
        rows = None if trace is None else trace[trace["sku"].astype(str) == str(sku)]
        if rows is None or rows.empty:
            update_figure(self.fig, {i: dict(x=[], y=[]) for i in range(5, len(self.fig.data))})
            self._trace_title(
                "One item's simulated stock"
                if sim is None
                else f"{sku}: not traced in the last run (run the simulation again)"
            )
            self._show_trace_axes(False)
            return
        day = rows["day"].to_numpy()
        dates = sim["dates"]
        x = np.asarray(dates)[day] if dates is not None and len(dates) > day.max() else day
        short = rows["demand"].to_numpy(float) > rows["filled"].to_numpy(float) + 1e-9
        s = float(self.plan.loc[sku, "reorder_point"]) if sku in self.plan.index else np.nan
        update_figure(
            self.fig,
            {
                5: dict(x=x, y=rows["on_hand"].to_numpy(float)),
                6: dict(x=x, y=rows["backorders"].to_numpy(float)),
                7: dict(x=x[short], y=np.zeros(int(short.sum()))),
                8: dict(x=[x[0], x[-1]], y=[s, s]),
            },
        )
        n_out = int(short.sum())
        self._show_trace_axes(True)
        self._trace_title(
            f"{sku}: simulated stock, {n_out} stockout day{'s' if n_out != 1 else ''}"
        )

    def _show_trace_axes(self, show: bool) -> None:
        """The stock chart's axes with a trace; the sentence saying what to do without."""
        with self.fig.batch_update():
            self.fig.layout.xaxis2.visible = show
            self.fig.layout.yaxis2.visible = show
            for note in self.fig.layout.annotations:
                if note.name == "no-trace":
                    note.visible = not show

    def _trace_title(self, text: str) -> None:
        with self.fig.batch_update():
            self.fig.layout.annotations[1].text = text


def _pct2(x) -> str:
    return fmt_pct(x, 2)


def _pts(x) -> str:
    return "–" if not np.isfinite(x) else f"{100 * float(x):+.2f} pts"


def _se(x) -> str:
    return "–" if not np.isfinite(x) else f"± {100 * float(x):.2f}"


def promise_html(check) -> str:
    """Planned against simulated service per ABC class (``wb.plan_check``), with why.

    One row per ABC class and one for all SKUs: planned and simulated fill rate and
    cycle service level [%], the standard error of the simulated class mean [points],
    the gap (simulated - planned) [points], the share of SKUs whose gap is beyond three
    standard errors and, for those, the reasons counted.
    """
    c = check.classes
    rows = c[c["group"].isin(["abc", "all"])]
    skus = check.skus
    outside = skus[skus["reason"] != ""]
    why = {}
    for cls, part in outside.groupby(outside["abc"].astype(str)):
        why[cls] = part["reason"].value_counts()
    why["all"] = outside["reason"].value_counts()
    table = pd.DataFrame(
        {
            "Class": rows["class"].to_numpy(),
            "SKUs": rows["n_skus"].to_numpy(),
            "Fill rate planned": [_pct2(x) for x in rows["planned_fill_rate"]],
            "simulated": [_pct2(x) for x in rows["simulated_fill_rate"]],
            "± SE [pts]": [_se(x) for x in rows["fill_rate_se"]],
            "gap": [_pts(x) for x in rows["fill_rate_gap"]],
            "Cycle service planned": [_pct2(x) for x in rows["planned_cycle_service"]],
            "simulated ": [_pct2(x) for x in rows["simulated_cycle_service"]],
            "± SE [pts] ": [_se(x) for x in rows["cycle_service_se"]],
            "gap ": [_pts(x) for x in rows["cycle_service_gap"]],
            "Outside 3 SE": [fmt_pct(x, 0) for x in rows["share_outside"]],
            "Why (SKUs outside 3 SE)": [
                ", ".join(f"{k}: {v}" for k, v in why.get(cls, pd.Series(dtype=int)).items())
                for cls in rows["class"]
            ],
        }
    )
    s = check.settings
    notes = "; ".join(s.get("notes", []))
    return (
        "<div style='margin:4px 12px'><b>Does the plan keep its promise?</b> "
        "Planned service against simulated, per ABC class "
        f"({fmt_int(s['skus_checked'])} SKUs, {s['replications']} replications of "
        f"{fmt_int(s['horizon_days'])} days)."
        + html_table(table, css_class="wb-table tradeoff-promise-table")
        + "<div class='wb-note'>± SE: standard error of the simulated class mean. A SKU is "
        "outside when its gap exceeds three standard errors; the reasons are the first "
        f"that applies. {html.escape(notes)}</div></div>"
    )


def _plain(v):
    """A plan_summary value as a plain Python number (traits hold JSON-like values)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return int(f) if float(f).is_integer() and abs(f) < 2**53 else f


def _address(client) -> str:
    """The scheduler address of a Dask client, for the panel's sentences."""
    return str(getattr(getattr(client, "scheduler", None), "address", None) or "the cluster")
