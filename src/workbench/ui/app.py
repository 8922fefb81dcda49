"""The dashboard: the panels composed in tabs, Data first.

:class:`Dashboard` holds the current dataset, scenario and plan as traits. When the
dataset changes (an upload in the Data tab, the sample button) it recomputes the plan
and tells every panel: a panel with ``set_dataset(ds)`` gets the new dataset, one with
``set_plan(plan)`` the new plan. Panels never call ``display()``; the notebook displays
the dashboard.

Adding a panel is one line in :data:`TABS`::

    TabSpec("EOQ", lambda d: EOQPanel(d.dataset)),
    TabSpec("Stock age", lambda d: AgingPanel(d.dataset), needs=("lots",)),

``needs`` names the optional tables the panel cannot work without; when the loaded
data lacks one, the tab shows what is missing instead of the panel (and the panel is
built as soon as data with those tables is loaded). ``needs_columns`` does the same for
optional columns: a function of the dataset that says what is missing, or None::

    TabSpec("Today vs recommended", ..., needs_columns=today_settings_missing),
"""

from __future__ import annotations

import contextlib
import html
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import traitlets
from ipywidgets.widgets.widget_string import HTMLStyle
from plotly.subplots import make_subplots

import workbench as wb

from ..data import INVENTORY_TYPES
from . import _common
from ._common import (
    CSS,
    TYPE_LABELS,
    Panel,
    active_scenario_html,
    add_chart_sentence,
    figure_widget,
    fmt_int,
    fmt_money,
    fmt_pct,
    html_table,
    plotly_template,
    short_history_html,
    sync_figures,
    unplanned_html,
    unplanned_reasons,
)
from ._source import source_label
from .abc_panel import ABCPanel
from .data_panel import DataPanel
from .eoq_panel import EOQPanel
from .forecast_panel import forecast_tab
from .mrp_panel import PURPOSE as MRP_PURPOSE
from .mrp_panel import MRPPanel
from .replenishment_panel import ReplenishmentPanel, SuppliersPanel
from .safety_panel import SafetyPanel
from .scenario_panel import ScenarioPanel
from .stock_panel import StockPanel
from .today_panel import TodayPanel, today_settings_missing
from .tradeoff_panel import TradeoffPanel

__all__ = [
    "TABS",
    "Dashboard",
    "SummaryPanel",
    "TabSpec",
    "compute_plan",
    "default_dataset",
    "preload_first_page",
    "warm_up_charts",
]


def sample_data_dir() -> Path:
    """The shipped ``sample_data/`` folder (``src/workbench/../../sample_data``)."""
    return Path(__file__).resolve().parents[3] / "sample_data"


def default_dataset(path: str | os.PathLike | None = None):
    """The dataset the dashboard opens with.

    ``path`` if given, else the ``WORKBENCH_DATA`` environment variable set by
    ``workbench serve --data``, else the shipped ``sample_data/`` folder, else the
    generated sample business (same seed as the shipped folder).
    """
    path = path or os.environ.get("WORKBENCH_DATA") or None
    preloaded = _PRELOADED.pop("dataset", None)
    if preloaded is not None and preloaded[0] == _data_stamp(path):
        return preloaded[1]
    if path:
        return wb.load_dataset(path)
    folder = sample_data_dir()
    if (folder / "items.csv").is_file() or (folder / "items.parquet").is_file():
        return wb.load_dataset(folder)
    return wb.sample_dataset()


def _only_mrp_changed(old, new, plan: pd.DataFrame) -> bool:
    """Whether ``new`` differs from ``old``, the scenario ``plan`` was made with, only in
    ``lot_sizing`` (used by MRP alone, not by :func:`workbench.plan`)."""
    try:
        return (
            old is not None
            and new is not None
            and plan.attrs.get("scenario") == old.to_dict()
            and old.replace(lot_sizing=new.lot_sizing) == new
        )
    except (AttributeError, TypeError, ValueError):
        return False


def compute_plan(dataset, scenario=None) -> pd.DataFrame | None:
    """The plan for a dataset under a scenario (``wb.plan``), or None when it cannot be
    computed (the dashboard then shows why instead of failing)."""
    plan = getattr(wb, "plan", None)
    if dataset is None or plan is None:
        return None
    preloaded = _PRELOADED.pop("plan", None)
    if preloaded is not None and preloaded[0] is dataset and preloaded[1] == scenario:
        return preloaded[2]
    return plan(dataset) if scenario is None else plan(dataset, scenario)


#: What :func:`preload_first_page` made, each handed out once: "dataset" -> (stamp,
#: dataset), "plan" -> (dataset, scenario, plan).
_PRELOADED: dict[str, tuple] = {}


def _data_stamp(path: str | os.PathLike | None) -> tuple | None:
    """The dataset's files as (path, size, mtime) rows: changes when a file does. ``None``
    (never equal to a stamp) if they cannot be listed."""
    folder = Path(path) if path else sample_data_dir()
    try:
        files = sorted(folder.iterdir()) if folder.is_dir() else [folder]
        return tuple((str(f), st.st_size, st.st_mtime_ns) for f in files for st in [f.stat()])
    except OSError:
        return None


def preload_first_page() -> float:
    """Load the dashboard's dataset and plan before any page asks for them; return seconds.

    The fork server (:mod:`workbench.forkserver`) calls this before it forks kernels:
    each kernel's first :class:`Dashboard` then takes them from here (once, and only while
    the files are unchanged: their sizes and modification times are compared) instead of
    reading the files and planning again, and the arrays stay shared between kernels. It
    also imports what the first page uses (anywidget, pyarrow's CSV reader). A dataset
    that fails to load is left for the page to report.
    """
    import time

    t0 = time.perf_counter()
    import anywidget  # noqa: F401  (the idle signal of a lazy dashboard)
    import pyarrow.csv  # noqa: F401

    path = os.environ.get("WORKBENCH_DATA") or None
    stamp = _data_stamp(path)
    try:
        dataset = default_dataset(path)
        scenario = _default_scenario()
        plan = compute_plan(dataset, scenario)
    except Exception:
        return time.perf_counter() - t0
    _PRELOADED["dataset"] = (stamp, dataset)
    _PRELOADED["plan"] = (dataset, scenario, plan)
    # The Data tab's downloads, made once here for every page: the templates and the
    # plan's CSV link (0.4 + 0.15 s of each kernel's first page otherwise).
    from . import data_panel

    with contextlib.suppress(Exception):  # a failure is the page's to report
        data_panel.templates_html()
        if plan is not None and len(plan):
            data_panel.plan_download_html(plan)
    return time.perf_counter() - t0


# --------------------------------------------------------------------------- summary tab


def _summary_frames(ds) -> dict[str, pd.DataFrame | pd.Series]:
    """The numbers behind the Summary tab, computed with groupby (no per-SKU loop)."""
    items = ds.items
    types = items["inventory_type"].astype("string")
    counts = types.value_counts().reindex(list(INVENTORY_TYPES), fill_value=0)

    unit_cost = pd.Series(items["unit_cost"].to_numpy(float), index=items["sku"].astype(str))
    type_of = pd.Series(types.to_numpy(), index=items["sku"].astype(str))

    stock_value = pd.Series(0.0, index=list(INVENTORY_TYPES))
    has_lots = ds.lots is not None and len(ds.lots) > 0
    if has_lots:
        lots = ds.lots
        sku = lots["sku"].astype(str)
        cost = lots["unit_cost"] if "unit_cost" in lots else sku.map(unit_cost)
        cost = pd.Series(np.asarray(cost, float), index=lots.index).fillna(sku.map(unit_cost))
        value = lots["quantity"].astype(float) * cost
        stock_value = (
            value.groupby(sku.map(type_of).to_numpy())
            .sum()
            .reindex(list(INVENTORY_TYPES), fill_value=0.0)
        )

    demand = ds.demand
    dsku = demand["sku"].astype(str)
    dvalue = demand["quantity"].astype(float).to_numpy() * dsku.map(unit_cost).to_numpy(float)
    frame = pd.DataFrame(
        {"date": pd.to_datetime(demand["date"]), "type": dsku.map(type_of), "value": dvalue}
    )
    weekly = (
        frame.groupby([pd.Grouper(key="date", freq="W-MON", label="left", closed="left"), "type"])[
            "value"
        ]
        .sum()
        .unstack("type")
        .reindex(columns=list(INVENTORY_TYPES))
        .fillna(0.0)
    )
    start, end = (pd.Timestamp(t) for t in ds.demand_period)
    # Only whole weeks: a partial first or last week would look like a collapse in demand.
    whole = (weekly.index >= start) & (weekly.index + pd.Timedelta(days=6) <= end)
    if whole.any():
        weekly = weekly[whole]
    days = max((end - start).days + 1, 1)
    annual_value = float(np.nansum(dvalue)) * 365.0 / days
    return {
        "counts": counts,
        "stock_value": stock_value,
        "has_lots": has_lots,
        "weekly": weekly,
        "annual_value": annual_value,
    }


#: What the Summary's stock-value chart says when the data has no lots table.
NO_LOTS_SENTENCE = (
    "No stock on hand loaded: add a lots table (what is on hand, lot by lot)<br>"
    "in the Data tab to see the stock value by inventory type here."
)


class SummaryPanel(Panel):
    """What is in the dataset: items by inventory type, stock value, demand over time,
    and what the plan gives (for the items it could plan).

    Parameters
    ----------
    dataset : workbench.Dataset
    plan : pandas.DataFrame, optional
        The plan (``wb.plan``) whose totals are shown; default ``wb.plan(dataset)``.
        :meth:`set_plan` replaces it.

    Attributes
    ----------
    summary : dict
        The numbers shown (trait): counts and stock value by inventory type, weekly
        demand value by type, annual demand value at cost.
    plan_summary : dict
        ``wb.plan_summary`` of the plan (trait; empty without a plan). Its money and
        service figures cover the planned items only (``skus_planned`` of ``skus``).
    """

    summary = traitlets.Dict()
    plan_summary = traitlets.Dict()

    def __init__(self, dataset, *, plan: pd.DataFrame | None = None, **kwargs):
        self.kpis = widgets.HTML()
        self.plan_kpis = widgets.HTML()
        self.plan_kpis.add_class("wb-plan-kpis")
        labels = [TYPE_LABELS[t] for t in INVENTORY_TYPES]
        base = make_subplots(
            rows=1,
            cols=2,
            subplot_titles=("Items by inventory type", "Stock value on hand at cost ($)"),
        )
        base.add_trace(go.Bar(x=labels, y=[0] * 4, name="items", showlegend=False), 1, 1)
        base.add_trace(go.Bar(x=labels, y=[0] * 4, name="stock value", showlegend=False), 1, 2)
        base.update_layout(
            template=plotly_template(), height=320, margin=dict(l=50, r=20, t=50, b=40)
        )
        # Shown in place of the stock-value chart when there is no lots table (empty
        # axes from -1 to 1 said nothing).
        add_chart_sentence(
            base, NO_LOTS_SENTENCE, name="no-lots", xref="x2 domain", yref="y2 domain",
            visible=False,
        )  # fmt: skip
        # All traces exist before the FigureWidget is made (STACK.md pitfall 2).
        self.types_fig = figure_widget(base)
        self.demand_fig = figure_widget(
            data=[go.Scatter(x=[], y=[], mode="lines", name=lab) for lab in labels],
            layout=go.Layout(
                title="Weekly demand at cost ($) by inventory type",
                template=plotly_template(),
                height=340,
                margin=dict(l=60, r=20, t=50, b=40),
                legend=dict(orientation="h", y=-0.15),
            ),
        )
        self.types_fig.layout.meta = "summary-types"
        self.demand_fig.layout.meta = "summary-demand"
        super().__init__(
            children=[self.kpis, self.plan_kpis, self.types_fig, self.demand_fig], **kwargs
        )
        self.add_class("wb-summary-panel")
        self.set_dataset(dataset)
        if plan is None:
            try:
                plan = compute_plan(dataset)
            except Exception:  # shown as "the plan could not be computed"
                plan = None
        self.set_plan(plan)

    def set_plan(self, plan: pd.DataFrame | None) -> None:
        """Show the plan's totals; they say how many items they cover, and the items
        that could not be planned are listed. With no item planned there are no totals
        (not a fill rate of 100 % and $0 of stock): the panel says why instead."""
        if plan is None:
            self.plan_summary = {}
            self.plan_kpis.value = (
                "<h3 style='margin:8px 0 4px 0'>The plan</h3><div class='wb-unavailable "
                "wb-no-plan'>The plan could not be computed for this data.</div>"
            )
            return
        s = wb.plan_summary(plan)
        self.plan_summary = {
            k: (list(v) if isinstance(v, tuple) else v.item() if hasattr(v, "item") else v)
            for k, v in s.items()
        }
        self.plan_kpis.value = _plan_kpis_html(s, plan)

    def set_dataset(self, dataset) -> None:
        """Recompute the numbers and update the figures in place."""
        s = _summary_frames(dataset)
        start, end = dataset.demand_period
        with self.types_fig.batch_update():
            self.types_fig.data[0].y = s["counts"].to_numpy()
            self.types_fig.data[1].y = s["stock_value"].to_numpy()
            lots = bool(s["has_lots"])
            self.types_fig.data[1].visible = lots
            self.types_fig.layout.xaxis2.visible = lots
            self.types_fig.layout.yaxis2.visible = lots
            for note in self.types_fig.layout.annotations:
                if note.name == "no-lots":
                    note.visible = not lots
        weekly = s["weekly"]
        with self.demand_fig.batch_update():
            for trace, t in zip(self.demand_fig.data, INVENTORY_TYPES, strict=True):
                trace.x = weekly.index.to_pydatetime()
                trace.y = weekly[t].to_numpy()
        stock = (
            fmt_money(s["stock_value"].sum())
            if s["has_lots"]
            else '<span class="wb-unavailable">no lots table loaded</span>'
        )
        rows = [
            ("SKUs", fmt_int(len(dataset.items))),
            ("Demand rows", fmt_int(len(dataset.demand))),
            (
                "Demand period",
                f"{pd.Timestamp(start):%Y-%m-%d} to {pd.Timestamp(end):%Y-%m-%d}",
            ),
            ("Annual demand at cost", fmt_money(s["annual_value"])),
            ("Stock value on hand", stock),
        ]
        cells = "".join(
            f"<tr><th>{html.escape(k)}</th><td class='num'>{v}</td></tr>" for k, v in rows
        )
        self.kpis.value = f"<table class='wb-table wb-kpis'>{cells}</table>"
        self.summary = {
            "counts": s["counts"].to_dict(),
            "stock_value": s["stock_value"].to_dict(),
            "annual_value": s["annual_value"],
            "weeks": len(weekly),
        }


def _plan_kpis_html(s: pd.Series, plan: pd.DataFrame) -> str:
    """The plan's totals, saying how many items they cover, or why there are none."""
    head = "<h3 style='margin:8px 0 4px 0'>The plan</h3>"
    n, total = int(s["skus_planned"]), int(s["skus"])
    if total == 0:
        return head + "<div class='wb-unavailable wb-no-plan'>No items to plan.</div>"
    if n == 0:
        why = wb.unplanned_items(plan)
        hint = (
            " Give each item a lead time (the lead_time_days column of items, or a supplier "
            "with one) and load the data again."
            if (why["reason"] == wb.UNPLANNED_REASONS["lead_time"]).any()
            else ""
        )
        table = why.reset_index().rename(columns={"sku": "SKU"})
        return (
            head + "<div class='wb-error wb-no-plan'><b>No item could be planned:</b> "
            f"{html.escape(unplanned_reasons(plan))}, so there is no order quantity, "
            f"safety stock, investment or fill rate to show.{html.escape(hint)}</div>"
            + html_table(table, max_rows=20, css_class="wb-table wb-unplanned-table")
        )
    cover = f"{fmt_int(n)} of {fmt_int(total)} items"
    rows = [
        ("Items planned", f"<span class='wb-planned'>{cover}</span>"),
        ("Investment (average stock at cost)", fmt_money(s["investment"])),
        ("Expected fill rate", fmt_pct(s["fill_rate"], 2)),
        ("Annual ordering + holding cost", fmt_money(s["annual_cost"])),
    ]
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td class='num'>{v}</td></tr>" for k, v in rows)
    note = (
        ""
        if n == total
        else f"<div class='wb-note wb-plan-cover'>The figures cover the {cover} that could "
        "be planned; the others are listed below.</div>"
    )
    return (
        head
        + f"<table class='wb-table wb-plan-table'>{cells}</table>"
        + note
        + unplanned_html(plan)
        + short_history_html(plan)
    )


# --------------------------------------------------------------------------- dashboard


@dataclass(frozen=True)
class TabSpec:
    """One tab: its title, how to build its panel from the dashboard, the optional
    tables it needs."""

    title: str
    build: Callable[[Dashboard], widgets.Widget]
    needs: tuple[str, ...] = ()
    #: dataset -> what optional columns the panel misses (a phrase), or None when it has them
    needs_columns: Callable[[object], str | None] | None = None
    #: What the tab is for, one line in a manager's words (listed on the Data tab)
    purpose: str = ""


#: The tabs, in order. Add a panel with one line.
TABS: list[TabSpec] = [
    TabSpec(
        "Data",
        lambda d: d.data_panel,
        purpose="load your files (or the sample business) and download the plan",
    ),
    TabSpec(
        "Summary",
        lambda d: SummaryPanel(d.dataset, plan=d.plan),
        purpose="what is in your data, and what the plan invests and delivers",
    ),
    TabSpec(
        "EOQ",
        lambda d: EOQPanel(d.dataset),
        purpose="how much to order at a time (economic order quantity) and what it costs",
    ),
    TabSpec(
        "Safety stock",
        lambda d: SafetyPanel(d.dataset),
        purpose="the buffer and reorder point each item needs for its service target",
    ),
    TabSpec(
        "ABC / XYZ",
        lambda d: ABCPanel(d.dataset),
        purpose="which items matter most (ABC, by value) and how steady their demand is",
    ),
    TabSpec(
        "Forecast",
        forecast_tab,
        purpose="each item's demand forecast, how well each model did, and planning from it",
    ),
    TabSpec(
        "Stockout trade-offs",
        lambda d: TradeoffPanel(d.dataset, scenario=d.scenario),
        purpose="how much more stock buys how much more service",
    ),
    TabSpec(
        "Today vs recommended",
        lambda d: TodayPanel(d.dataset, plan=d.plan),
        needs_columns=today_settings_missing,
        purpose="your reorder settings today against the recommended ones, in money and service",
    ),
    TabSpec(
        "Stock & review",
        lambda d: StockPanel(d.dataset, plan=d.plan),
        needs=("lots",),
        purpose="the weekly review: stock-outs, dead and expiring stock, count gaps, valuation, "
        "stock age",
    ),
    TabSpec(
        "Replenishment",
        lambda d: ReplenishmentPanel(d.dataset, plan=d.plan),
        needs=("lots",),
        purpose="what to order today, from whom: the order list (urgent items first) with "
        "quantities you can change, and the draft purchase orders to download",
    ),
    TabSpec(
        "Suppliers",
        lambda d: SuppliersPanel(d.dataset),
        needs=("purchase_orders",),
        purpose="how reliable each supplier is: lead times achieved against quoted, "
        "on-time delivery, open and overdue orders",
    ),
    TabSpec(
        "MRP",
        lambda d: MRPPanel(d.dataset, scenario=d.scenario),
        needs=("bom",),
        purpose=MRP_PURPOSE,
    ),
    TabSpec(
        "Scenarios",
        lambda d: d.scenario_panel,
        purpose="save, compare and apply sets of settings (service targets, costs, policy)",
    ),
]


class Dashboard(Panel):
    """The workbench dashboard: a header and one tab per panel, Data first.

    Parameters
    ----------
    dataset : workbench.Dataset, optional
        Default :func:`default_dataset` (``WORKBENCH_DATA`` or the sample business).
    tabs : list of TabSpec, optional
        Default :data:`TABS`.
    lazy : bool, default False
        Build a tab's panel only when the tab is first opened (the Voila app does this:
        the first page then carries only the Data tab's widgets, not every chart).
        Until then the tab holds a placeholder, :attr:`panels` holds that placeholder,
        and :meth:`panel` builds on demand. In a Voila kernel a lazy dashboard calls
        :func:`warm_up_charts` once its first page is drawn and the browser is idle, so
        the first chart tab opens sooner (not before the page: the warm-up holds about
        18 MB of plotly's graph-object validators that the first page does not use).

    Attributes
    ----------
    dataset : traitlet
        The current dataset; setting it updates every panel.
    scenario : traitlet
        The current scenario (``wb.Scenario``) or None for the defaults.
    plan : traitlet
        ``wb.plan(dataset, scenario)``: one row per SKU, or None if it cannot be made.
    panels : dict
        Tab title -> panel widget.
    """

    dataset = traitlets.Any(allow_none=True)
    scenario = traitlets.Any(allow_none=True)
    plan = traitlets.Any(allow_none=True)

    def __init__(
        self, dataset=None, *, tabs: list[TabSpec] | None = None, lazy: bool = False, **kwargs
    ):
        if dataset is None:
            dataset = default_dataset()
        self.specs = list(TABS if tabs is None else tabs)
        self.lazy = lazy
        self._slots: dict[str, widgets.Box] = {}
        self.header = widgets.HTML()
        self.status = widgets.HTML()
        self.tab = widgets.Tab()
        self.tab.add_class("wb-tabs")
        super().__init__(children=[self.header, self.tab, self.status], **kwargs)
        self.add_class("wb-dashboard")
        self.set_trait("dataset", dataset)
        self.scenario = _default_scenario()
        self.plan = self._safe_plan()
        # The two panels the dashboard itself talks to; the Scenarios panel is made when
        # first needed (:attr:`scenario_panel`): in the lazy Voila app, its 76 widgets would
        # otherwise be half of what the first page loads.
        self.data_panel = DataPanel(dataset, plan=self.plan)
        self.data_panel.observe(self._on_panel_dataset, names="dataset")
        self.data_panel.set_tab_guide([(s.title, s.purpose) for s in self.specs])
        self._scenario_panel: ScenarioPanel | None = None
        self.panels: dict[str, widgets.Widget] = {}
        self._build_tabs()
        self._update_header()
        self.tab.observe(self._on_select, names="selected_index")
        self._preloaded = None  # the hidden FigureWidget that loads plotly.js, once asked
        self._warmed_up = False  # warm_up_charts() ran (once the first page is idle)
        if lazy and _common._share_bundle_here():
            # Once the first page is drawn and the browser is idle, it asks for plotly's
            # bundle (see _idle_signal); the first chart tab then waits for less.
            signal = _idle_signal()
            signal.on_msg(self._on_browser_idle)
            self.children = (*self.children, signal)
        self.observe(self._on_dataset, names="dataset")
        self.observe(self._on_scenario, names="scenario")
        self.observe(self._on_plan, names="plan")

    @property
    def scenario_panel(self) -> ScenarioPanel:
        """The Scenarios tab's panel, made on first use with the current data and scenario."""
        if self._scenario_panel is None:
            self._scenario_panel = ScenarioPanel(self.dataset, scenario=self.scenario)
            self._scenario_panel.set_plan(self.plan)
            self._scenario_panel.observe(self._on_applied, names="applied")
        return self._scenario_panel

    # -- building
    def _missing(self, spec: TabSpec) -> list[str]:
        """The missing tables, then what the columns check says is missing."""
        out = [t for t in spec.needs if not self.dataset.has(t)]
        if not out and spec.needs_columns is not None:
            lacking = spec.needs_columns(self.dataset)
            if lacking:
                out.append(lacking)
        return out

    def _build_one(self, spec: TabSpec) -> widgets.Widget:
        missing = self._missing(spec)
        if missing and not any(t in spec.needs for t in missing):
            return widgets.HTML(
                f'<div class="wb-unavailable wb-needs">{html.escape(spec.title)} needs '
                f"{html.escape(missing[0])}, which the loaded data does not have. Add them to "
                "the file you load in the Data tab (or use the sample business) to enable "
                "this tab.</div>"
            )
        if missing:
            need = ", ".join(missing)
            return widgets.HTML(
                f'<div class="wb-unavailable wb-needs">{html.escape(spec.title)} needs the '
                f"{html.escape(need)} table{'s' if len(missing) > 1 else ''}, which the loaded "
                "data does not have. Upload it in the Data tab (or use the sample business) "
                "to enable this tab.</div>"
            )
        try:
            panel = spec.build(self)
        except Exception as exc:  # one broken panel must not take the dashboard down
            return widgets.HTML(_panel_error(spec.title, exc))
        if isinstance(panel, traitlets.HasTraits) and panel.has_trait("activated"):
            # a panel that can make its settings the active scenario (Trade-offs)
            panel.observe(self._on_applied, names="activated")
        return panel

    def _build_tabs(self) -> None:
        children, titles = [], []
        for i, spec in enumerate(self.specs):
            panel = self.panels.get(spec.title)
            missing = self._missing(spec)
            if missing:
                # The loaded data cannot support this tab (any more): say so rather than
                # keep showing a panel built on earlier data.
                panel = self._build_one(spec)
            elif panel is None or isinstance(panel, widgets.HTML):
                if self.lazy and i != (self.tab.selected_index or 0):
                    panel = self._placeholder()
                else:
                    panel = self._build_one(spec)
                    sync_figures(panel)  # it may be built after the dashboard is on the page
            self.panels[spec.title] = panel
            children.append(self._slot(spec.title, panel) if self.lazy else panel)
            titles.append(spec.title + (" (n/a)" if missing else ""))
        if tuple(children) != tuple(self.tab.children):
            self.tab.children = children
        self.tab.titles = titles

    def _placeholder(self) -> _Placeholder:
        """The one placeholder every unopened tab of a lazy dashboard shows (one widget
        model displayed in each tab's container: the first page carried one per tab)."""
        looks = self.__dict__.setdefault("_looks", {})
        if "placeholder widget" not in looks:
            looks["placeholder widget"] = _Placeholder(
                '<div class="wb-note">This tab is being prepared…</div>',
                **self._shared_look("placeholder"),
            )
        return looks["placeholder widget"]

    def _shared_look(self, role: str) -> dict:
        """One Layout (and HTMLStyle) shared by all the lazy slots, and one by all the
        placeholders, made once per dashboard: each tab then costs the first page two
        widget models instead of five (nothing changes these after they are made)."""
        looks = self.__dict__.setdefault("_looks", {})
        if role not in looks:
            looks[role] = {"layout": widgets.Layout()}
            if role == "placeholder":
                looks[role]["style"] = HTMLStyle()
        return looks[role]

    def _slot(self, title: str, panel: widgets.Widget) -> widgets.Box:
        """The lazy dashboard's fixed container for a tab. The Tab's children never change
        after the first build (a replaced child of a Tab stays hidden in the browser);
        the panel replaces the placeholder inside the container instead."""
        slot = self._slots.get(title)
        if slot is None:
            slot = self._slots[title] = widgets.VBox(**self._shared_look("slot"))
            slot.add_class("wb-slot")
        if tuple(slot.children) != (panel,):
            slot.children = (panel,)
        return slot

    def _on_browser_idle(self, _widget, content, _buffers) -> None:
        """Warm up the charts (:func:`warm_up_charts`) and make the FigureWidget that
        carries plotly's bundle (see figure_widget) now, hidden, unless a chart tab
        already made one: the browser loads and compiles the 5 MB bundle while the user
        reads the first page, and the chart tabs' figures only wait for it."""
        if not isinstance(content, dict) or content.get("event") != "idle":
            return
        if not self._warmed_up:
            self._warmed_up = True
            warm_up_charts()
        owner = _common._bundle_owner[0] if _common._bundle_owner else None
        if self._preloaded is None and (owner is None or getattr(owner, "comm", None) is None):
            self._preloaded = figure_widget(preload=True)

    def _on_select(self, change) -> None:
        i = change.new
        if i is not None and isinstance(self.panels.get(self.specs[i].title), _Placeholder):
            self._build_tabs()

    def panel(self, title: str) -> widgets.Widget:
        """The panel of the tab called ``title``, built now if it was still a placeholder."""
        if isinstance(self.panels.get(title), _Placeholder):
            self.tab.selected_index = [s.title for s in self.specs].index(title)
        return self.panels[title]

    def _update_header(self) -> None:
        ds = self.dataset
        self.header.value = (
            CSS + "<h2 style='margin:4px 0'>Inventory Workbench</h2>"
            f"<div class='wb-note wb-source'>Data: {html.escape(source_label(ds.source))} · "
            f"{fmt_int(len(ds.items))} SKUs</div>" + active_scenario_html(self.plan)
        )

    # -- reacting
    def _safe_plan(self):
        try:
            return compute_plan(self.dataset, self.scenario)
        except Exception as exc:
            self.status.value = _panel_error("Plan", exc)
            return None

    def _on_panel_dataset(self, change) -> None:
        if change.new is not None and change.new is not self.dataset:
            self.dataset = change.new

    def _on_applied(self, change) -> None:
        if change.new is not None:
            self.scenario = change.new

    def _on_dataset(self, change) -> None:
        self.status.value = ""
        self._update_header()
        for title, panel in list(self.panels.items()):
            spec = next(s for s in self.specs if s.title == title)
            if self._missing(spec) or isinstance(panel, widgets.HTML):
                continue
            self._call(title, panel, "set_dataset", change.new)
        sp = self._scenario_panel  # made through the attribute before its tab was opened
        if sp is not None and all(p is not sp for p in self.panels.values()):
            self._call("Scenarios", sp, "set_dataset", change.new)
        self._build_tabs()  # builds tabs that the new data now supports
        self.plan = self._safe_plan()

    def _on_scenario(self, change) -> None:
        if self._scenario_panel is not None:
            self._scenario_panel.set_scenario(change.new)
        plan = self.plan
        if plan is not None and _only_mrp_changed(change.old, change.new, plan):
            # the MRP lot-sizing rule does not change the reorder-point plan: the same
            # plan, now carrying the new scenario (the tabs read it from plan.attrs)
            same = plan.copy(deep=False)
            same.attrs = {**plan.attrs, "scenario": change.new.to_dict()}
            self.plan = same
            return
        self.plan = self._safe_plan()

    def _on_plan(self, change) -> None:
        self._update_header()
        for title, panel in self.panels.items():
            self._call(title, panel, "set_plan", change.new)
        sp = self._scenario_panel  # made through the attribute before its tab was opened
        if sp is not None and all(p is not sp for p in self.panels.values()):
            self._call("Scenarios", sp, "set_plan", change.new)

    def _call(self, title, panel, method, value) -> None:
        fn = getattr(panel, method, None)
        if fn is None:
            return
        try:
            fn(value)
        except Exception as exc:
            self.status.value += _panel_error(title, exc)


def warm_up_charts() -> None:
    """Do now what the first chart would otherwise do when its tab is opened: import
    plotly's FigureWidget (with anywidget), load the chart template, make the graph
    objects' validators, read plotly's widget bundle. No widget is made, so nothing is
    sent to a page. About 0.3-0.4 s; opening the first chart tab then builds its panel in
    about 0.1 s instead of 0.6 s (EOQ, sample data, 2-core machine)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    template = plotly_template()
    go.FigureWidget  # noqa: B018  (plotly imports it, and anywidget, on first access)
    pio.templates[template]
    go.Figure(
        data=[go.Scatter(x=[0], y=[0]), go.Bar(x=[0], y=[0])], layout=go.Layout(template=template)
    )
    if _common._share_bundle_here():
        _common._figure_class("owner")
        _common._figure_class("loader")


#: The browser side of :func:`_idle_signal`: once the first page shows what is loaded
#: (the Data tab's summary table, or after 20 s at most), it waits until no other page
#: is loading (under ``workbench serve``: ``workbench.voila_app.QuietHandler``; elsewhere
#: that request fails at once), then for a moment in which the page has nothing else to
#: do, and tells the kernel. Earlier (as soon as this view was drawn) the 5 MB bundle
#: competed with drawing the first page, and the warm-up with other pages loading.
#:
#: A tab clicked before that (a chart tab opened at once) starts importing the bundle
#: itself (``bundle_url``, the URL the figure that carries it imports: the same module,
#: loaded once) while the kernel builds the tab: the bundle used to be asked for only when
#: the tab's figure reached the page, 0.4 s after the click, and took 1.5 s more to load.
#: Once the kernel has been told, its hidden figure brings the bundle (from another URL)
#: and the click imports nothing.
_IDLE_ESM = """
export default {
  render({ model }) {
    const t0 = performance.now();
    const early = (e) => {
      const url = model.get("bundle_url");
      const tab = e.target && e.target.closest && e.target.closest(".wb-tabs .lm-TabBar-tab");
      const g = globalThis;
      if (!tab || tab.classList.contains("lm-mod-current") || !url) return;
      if (!g.__workbenchPlotly && !g.__workbenchEarly) {  // else the bundle is on its way
        g.__workbenchEarly = import(new URL(url, document.baseURI).href).catch(() => {});
      }
      stop();
    };
    const stop = () => {
      document.removeEventListener("pointerdown", early, true);
      document.removeEventListener("keydown", early, true);
    };
    document.addEventListener("pointerdown", early, true);
    document.addEventListener("keydown", early, true);
    const tell = () => { stop(); model.send({ event: "idle" }); };
    const idle = window.requestIdleCallback || ((f) => setTimeout(f, 300));
    const quiet = () => {
      const config = document.getElementById("jupyter-config-data");
      if (!config || !document.body.dataset.voila) return Promise.resolve();
      const base = JSON.parse(config.textContent).baseUrl || "/";
      return fetch(base + "workbench/api/quiet", { credentials: "same-origin" }).catch(() => {});
    };
    const wait = () => {
      if (!document.querySelector(".wb-data-summary table") && performance.now() - t0 < 20000) {
        setTimeout(wait, 200);
        return;
      }
      setTimeout(() => quiet().then(() => idle(tell, { timeout: 3000 })), 500);
    };
    wait();
  },
};
"""


def _idle_signal() -> widgets.Widget:
    """An invisible widget that sends ``{"event": "idle"}`` to the kernel once the page
    that shows it is drawn and idle (anywidget, a few lines of JavaScript)."""
    import anywidget

    class IdleSignal(anywidget.AnyWidget):
        _esm = _IDLE_ESM
        bundle_url = traitlets.Unicode("").tag(sync=True)

    signal = IdleSignal(
        layout=widgets.Layout(display="none"), bundle_url=_common._bundle_url() or ""
    )
    signal.add_class("wb-idle-signal")
    return signal


class _Placeholder(widgets.HTML):
    """Stands in a lazy dashboard's tab until the tab is first opened."""


def _default_scenario():
    scenario = getattr(wb, "Scenario", None)
    return None if scenario is None else scenario()


#: Tracebacks of the last unexpected panel failures (for debugging; not shown in the page).
_ERRORS: list[str] = []


def _panel_error(title: str, exc: BaseException) -> str:
    """A short readable note for an unexpected failure (the traceback goes to the log)."""
    _ERRORS.append("".join(traceback.format_exception(exc)))
    del _ERRORS[:-20]
    return (
        f'<div class="wb-error"><h4>{html.escape(title)}: something went wrong</h4>'
        f"<div>{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</div></div>"
    )
