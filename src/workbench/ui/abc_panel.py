"""ABC / XYZ: move the cut-offs, pick the criterion, see the Pareto chart and the classes.

Classes come from :func:`workbench.abc_classify` (ABC by the criterion) and
:func:`workbench.xyz_classify` (XYZ by the coefficient of variation of daily demand), the
matrix from :func:`workbench.abc_xyz_matrix`, the per-class suggestions from
:func:`workbench.cycle_count_frequency` and :func:`workbench.class_service_levels`.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import traitlets

import workbench as wb

from ._common import (
    PALETTES,
    Panel,
    figure_widget,
    fmt_int,
    fmt_money,
    fmt_number,
    fmt_pct,
    html_table,
    palette,
    plotly_template,
    sku_units,
)
from .eoq_panel import sku_table, slider, update_figure

__all__ = ["CLASS_COLORS", "CRITERIA", "SORT_KEYS", "ABCPanel", "criterion_values"]

LABELS = ("A", "B", "C")
#: The classes' colours in the light theme (the charts take the current theme's,
#: ``palette()["classes"]``); every legend also names the class.
CLASS_COLORS = dict(PALETTES["light"]["classes"])

#: Criterion key -> label of the dropdown.
CRITERIA = {
    "value": "Annual consumption value D·c ($ a year)",
    "units": "Annual units D (units a year)",
    "margin": "Annual margin D·(price − c) ($ a year)",
}

#: Sort key -> (label, column, ascending).
SORT_KEYS = {
    "rank": ("Rank by the criterion", "rank", True),
    "sku": ("SKU", "sku", True),
    "name": ("Name", "name", True),
    "annual_demand": ("Annual units (high first)", "annual_demand", False),
    "unit_cost": ("Unit cost (high first)", "unit_cost", False),
    "cv": ("Demand variability cv (high first)", "cv", False),
}

TABLE_ROWS = 40


def criterion_values(items: pd.DataFrame, criterion: str) -> pd.Series:
    """The ABC criterion per SKU from a :func:`~workbench.ui.eoq_panel.sku_table`.

    ``value`` = annual demand x unit cost; ``units`` = annual demand; ``margin`` =
    annual demand x (price - unit cost). A figure that cannot be computed (no unit cost,
    no price: raw materials are not sold) counts as 0, and so does a negative margin
    (an item sold at a loss brings no margin to rank): ``abc_classify`` ranks only
    values >= 0.
    """
    d = items["annual_demand"].to_numpy(float)
    if criterion == "value":
        v = d * items["unit_cost"].to_numpy(float)
    elif criterion == "units":
        v = d
    elif criterion == "margin":
        v = d * (items["price"].to_numpy(float) - items["unit_cost"].to_numpy(float))
    else:
        raise ValueError(f"criterion must be one of {sorted(CRITERIA)}; got {criterion!r}")
    v = np.where(np.isfinite(v), np.maximum(v, 0.0), 0.0)
    return pd.Series(v, index=items.index, name=criterion)


class ABCPanel(Panel):
    """ABC-XYZ classification with cut-off sliders, criterion, Pareto chart and tables.

    Parameters
    ----------
    dataset : workbench.Dataset
    cutoffs : (float, float), default (0.80, 0.95)
        Cumulative shares closing classes A and B.
    criterion : {"value", "units", "margin"}, default "value"
        "margin" is offered only when the items have a ``price``.

    Attributes
    ----------
    counts : dict (trait)
        Items per class, e.g. ``{"A": 40, "B": 55, "C": 155}``.
    result : DataFrame (trait)
        One row per SKU: ``sku``, ``name``, ``criterion`` (the value ranked),
        ``class``, ``share``, ``cumulative_share``, ``rank`` (from
        ``wb.abc_classify``), ``xyz``, ``annual_demand``, ``unit`` (the item's unit of
        measure, "units" without one), ``unit_cost``, ``cv``, ``counts_per_year``,
        ``service_level``.
    matrix : DataFrame (trait)
        ``wb.abc_xyz_matrix`` of the current classes, valued by the criterion.
    fig : FigureWidget
        Pareto chart: 0-2 bars of classes A, B, C by rank; 3 cumulative share (right
        axis); 4-5 the A and B cut-offs.
    """

    counts = traitlets.Dict()
    result = traitlets.Any()
    matrix = traitlets.Any()

    def __init__(self, dataset, *, cutoffs=(0.8, 0.95), criterion: str = "value", **kwargs):
        self._hold = False
        self.cutoff_a = slider(
            "A closes at cumulative", cutoffs[0], 0.3, 0.95, 0.01, "abc-cutoff-a", percent=True
        )
        self.cutoff_b = slider(
            "B closes at cumulative", cutoffs[1], 0.5, 0.99, 0.01, "abc-cutoff-b", percent=True
        )
        self.criterion = widgets.Dropdown(
            options=[(label, key) for key, label in CRITERIA.items()],
            value="value",
            description="Criterion",
            style={"description_width": "170px"},
            layout=widgets.Layout(width="520px"),
        )
        self.criterion.add_class("abc-criterion")
        self.sort = widgets.Dropdown(
            options=[(lab, key) for key, (lab, _, _) in SORT_KEYS.items()],
            value="rank",
            description="Sort by",
        )
        self.sort.add_class("abc-sort")
        self.filter = widgets.Dropdown(
            options=[("All classes", "all")] + [(f"Class {c}", c) for c in LABELS],
            value="all",
            description="Show",
        )
        self.filter.add_class("abc-filter")
        self.summary = widgets.HTML()
        self.summary.add_class("abc-counts")
        self.matrix_html = widgets.HTML()
        self.matrix_html.add_class("abc-matrix")
        self.policy_html = widgets.HTML()
        self.policy_html.add_class("abc-policy")
        self.table = widgets.HTML()
        self.table.add_class("abc-table")
        colors = palette()
        classes = colors["classes"]
        self.fig = figure_widget(
            data=[go.Bar(x=[], y=[], name=f"class {c}", marker_color=classes[c]) for c in LABELS]
            + [
                go.Scatter(
                    x=[],
                    y=[],
                    mode="lines",
                    name="cumulative share",
                    yaxis="y2",
                    line=dict(color=colors["ink"], width=2),
                ),
                go.Scatter(
                    x=[],
                    y=[],
                    mode="lines",
                    name="A cut-off",
                    yaxis="y2",
                    line=dict(dash="dot", color=classes["A"]),
                ),
                go.Scatter(
                    x=[],
                    y=[],
                    mode="lines",
                    name="B cut-off",
                    yaxis="y2",
                    line=dict(dash="dot", color=classes["B"]),
                ),
            ],
            layout=go.Layout(
                title="Pareto chart: items ranked by the criterion",
                template=plotly_template(),
                height=430,
                bargap=0,
                margin=dict(l=70, r=60, t=50, b=75),
                xaxis=dict(title="items, largest first"),
                yaxis=dict(title="criterion per item"),
                yaxis2=dict(
                    title="cumulative share",
                    overlaying="y",
                    side="right",
                    range=[0, 1.02],
                    tickformat=".0%",
                    # round ticks, and no "0%" beside the rank axis's last label
                    tickvals=[0.2, 0.4, 0.6, 0.8, 1.0],
                    showgrid=False,
                ),
                # below the rank axis's title, not over it
                legend=dict(orientation="h", y=-0.3),
                meta="abc-pareto",
            ),
        )
        super().__init__(
            children=[
                widgets.HBox(
                    [
                        widgets.VBox([self.criterion, self.cutoff_a.row, self.cutoff_b.row]),
                        self.summary,
                    ]
                ),
                self.fig,
                widgets.HBox([self.matrix_html, self.policy_html]),
                widgets.HBox([self.sort, self.filter]),
                self.table,
            ],
            **kwargs,
        )
        self.add_class("abc-panel")
        self.cutoff_a.observe(self._on_cutoff_a, names="value")
        self.cutoff_b.observe(self._on_cutoff_b, names="value")
        self.criterion.observe(self._on_change, names="value")
        self.sort.observe(self._on_table, names="value")
        self.filter.observe(self._on_table, names="value")
        self._initial_criterion = criterion
        self.set_dataset(dataset)

    # -- data
    def set_dataset(self, dataset) -> None:
        """Classify the items of ``dataset`` (demand statistics from ``wb.demand_stats``)."""
        self._items = sku_table(dataset)
        has_price = "price" in self._items and bool(
            np.isfinite(self._items["price"].to_numpy(float)).any()
        )
        keys = [k for k in CRITERIA if k != "margin" or has_price]
        self._hold = True
        current = self.criterion.value if hasattr(self, "_classified") else self._initial_criterion
        self.criterion.options = [(CRITERIA[k], k) for k in keys]
        self.criterion.value = current if current in keys else "value"
        self._hold = False
        self._classified = True
        self.update()

    def set_plan(self, plan) -> None:
        """Take the A and B cut-offs of the dashboard's scenario
        (``plan.attrs["scenario"]["abc_cutoffs"]``) when it has exactly two."""
        cut = ((plan.attrs.get("scenario") or {}).get("abc_cutoffs")) if plan is not None else None
        if cut is None or len(cut) != 2 or tuple(map(float, cut)) == self.cutoffs:
            return
        self._hold = True
        self.cutoff_b.value = float(cut[1])
        self.cutoff_a.value = float(cut[0])
        self._hold = False
        self.update()

    # -- reacting
    def _on_cutoff_a(self, change) -> None:
        if self._hold:
            return
        if self.cutoff_b.value <= change.new:  # keep A < B: push B up
            self._hold = True
            self.cutoff_b.value = min(round(change.new + 0.01, 4), self.cutoff_b.max)
            self._hold = False
        self.update()

    def _on_cutoff_b(self, change) -> None:
        if self._hold:
            return
        if self.cutoff_a.value >= change.new:  # keep A < B: push A down
            self._hold = True
            self.cutoff_a.value = max(round(change.new - 0.01, 4), self.cutoff_a.min)
            self._hold = False
        self.update()

    def _on_change(self, _change) -> None:
        if not self._hold:
            self.update()

    def _on_table(self, _change) -> None:
        if not self._hold and self.result is not None:
            self.table.value = self.table_html()

    # -- the numbers
    @property
    def cutoffs(self) -> tuple[float, float]:
        return (float(self.cutoff_a.value), float(self.cutoff_b.value))

    def update(self) -> None:
        """Classify with the current criterion and cut-offs; redraw everything."""
        items = self._items
        values = criterion_values(items, self.criterion.value)
        abc = wb.abc_classify(values, cutoffs=self.cutoffs)
        xyz = wb.xyz_classify(items["cv"])
        classes = abc["class"]
        frame = pd.DataFrame(
            {
                "sku": items.index.astype(str),
                "name": items["name"].astype(str).to_numpy() if "name" in items else "",
                "criterion": values.to_numpy(),
                "class": classes.astype(str).to_numpy(),
                "share": abc["share"].to_numpy(),
                "cumulative_share": abc["cumulative_share"].to_numpy(),
                "rank": abc["rank"].to_numpy(),
                "xyz": xyz.astype(str).to_numpy(),
                "annual_demand": items["annual_demand"].to_numpy(float),
                "unit": sku_units(items).to_numpy(),
                "unit_cost": items["unit_cost"].to_numpy(float),
                "cv": items["cv"].to_numpy(float),
                "counts_per_year": wb.cycle_count_frequency(classes).to_numpy(),
                "service_level": wb.class_service_levels(classes).to_numpy(),
            }
        )
        matrix = wb.abc_xyz_matrix(classes, xyz, values)
        ranked = frame.sort_values("rank")
        traces: dict[int, dict] = {}
        for i, c in enumerate(LABELS):
            part = ranked[ranked["class"] == c]
            traces[i] = dict(
                x=part["rank"].to_numpy(),
                y=part["criterion"].to_numpy(),
                hovertext=part["sku"].to_numpy(),
            )
        n = len(ranked)
        a, b = self.cutoffs
        traces[3] = dict(x=ranked["rank"].to_numpy(), y=ranked["cumulative_share"].to_numpy())
        traces[4] = dict(x=[0.5, n + 0.5], y=[a, a])
        traces[5] = dict(x=[0.5, n + 0.5], y=[b, b])
        money = self.criterion.value != "units"
        update_figure(
            self.fig,
            traces,
            {
                "yaxis.title.text": CRITERIA[self.criterion.value].split(" [")[0],
                "yaxis.tickprefix": "$" if money else "",
            },
        )
        counts = {c: int((frame["class"] == c).sum()) for c in LABELS}
        self.summary.value = self._summary_html(frame, counts)
        self.matrix_html.value = _matrix_html(matrix, self.criterion.value)
        self.policy_html.value = _policy_html(frame)
        self.result = frame
        self.matrix = matrix
        self.counts = counts
        self.table.value = self.table_html()

    def shown_table(self) -> pd.DataFrame:
        """The item table as shown: filtered by class and sorted by the sort key."""
        frame = self.result
        if self.filter.value != "all":
            frame = frame[frame["class"] == self.filter.value]
        _, col, asc = SORT_KEYS[self.sort.value]
        return frame.sort_values([col, "rank"], ascending=[asc, True], na_position="last")

    def table_html(self) -> str:
        shown = self.shown_table()
        money = self.criterion.value != "units"
        cols = {
            "rank": "rank",
            "sku": "SKU",
            "name": "name",
            "class": "ABC",
            "xyz": "XYZ",
            "criterion": "criterion",
            "share": "share",
            "cumulative_share": "cumulative",
            "annual_demand": "demand a year",
            "unit": "unit",
            "unit_cost": "unit cost",
            "cv": "cv",
            "counts_per_year": "counts a year",
            "service_level": "service target",
        }
        out = shown[list(cols)].rename(columns=cols)
        formatters = {
            "criterion": (lambda v: fmt_money(v)) if money else (lambda v: fmt_number(v)),
            "share": lambda v: fmt_pct(v, 2),
            "cumulative": lambda v: fmt_pct(v, 1),
            "demand a year": lambda v: fmt_number(v),
            "unit cost": lambda v: fmt_money(v, 2),
            "cv": lambda v: fmt_number(v, 2),
            "service target": lambda v: fmt_pct(v, 0),
        }
        return html_table(out, max_rows=TABLE_ROWS, formatters=formatters, css_class="wb-table")

    def _summary_html(self, frame: pd.DataFrame, counts: dict) -> str:
        share = frame.groupby("class")["share"].sum()
        money = self.criterion.value != "units"
        total = frame["criterion"].sum()
        parts = [
            f"<div class='abc-count abc-count-{c}'><b>{c}</b>: "
            f"<span class='abc-n'>{counts[c]}</span> items, "
            f"{fmt_pct(share.get(c, 0.0))} of the criterion</div>"
            for c in LABELS
        ]
        total_txt = fmt_money(total) if money else fmt_number(total)
        return (
            "<div style='margin:4px 12px'>"
            f"<div class='wb-note'>{fmt_int(len(frame))} SKUs, total {total_txt}</div>"
            + "".join(parts)
            + "</div>"
        )


def _matrix_html(matrix: pd.DataFrame, criterion: str) -> str:
    money = criterion != "units"
    count = matrix["count"].unstack()
    value = matrix["value"].unstack()
    vshare = matrix["value_share"].unstack()
    head = "".join(f"<th>{html.escape(str(x))}</th>" for x in count.columns)
    rows = []
    for a in count.index:
        cells = "".join(
            f"<td class='num abc-cell abc-cell-{a}{x}'>{fmt_int(count.loc[a, x])} items<br>"
            f"{fmt_money(value.loc[a, x]) if money else fmt_number(value.loc[a, x])}"
            f" ({fmt_pct(vshare.loc[a, x])})</td>"
            for x in count.columns
        )
        rows.append(f"<tr><th>{html.escape(str(a))}</th>{cells}</tr>")
    return (
        "<div style='margin-right:16px'><b>ABC × XYZ</b> "
        "<span class='wb-note'>(how steady demand is, its sd ÷ mean: X up to 0.5, Y up to 1, "
        "Z above)</span>"
        f"<table class='wb-table'><thead><tr><th></th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _policy_html(frame: pd.DataFrame) -> str:
    g = frame.groupby("class", sort=True)
    table = pd.DataFrame(
        {
            "class": list(LABELS),
            "items": [int((frame["class"] == c).sum()) for c in LABELS],
            "counts a year each": [g["counts_per_year"].first().get(c, np.nan) for c in LABELS],
            "counts a year": [g["counts_per_year"].sum().get(c, 0.0) for c in LABELS],
            "service target": [g["service_level"].first().get(c, np.nan) for c in LABELS],
        }
    )
    per_day = table["counts a year"].sum() / 250
    return (
        "<div><b>Suggested policy per class</b>"
        + html_table(
            table,
            formatters={"service target": lambda v: fmt_pct(v, 0)},
        )
        + f"<div class='wb-note'>Cycle counting: about {fmt_number(per_day, 1)} counts a "
        "working day (250 a year); A monthly, B quarterly, C yearly. Service targets: the default "
        "target of each class.</div></div>"
    )
