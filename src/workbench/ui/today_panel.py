"""The "Today vs recommended" tab: the reorder settings the shop uses now, against the plan.

The items' optional columns ``current_reorder_point`` and ``current_order_quantity`` (or
``current_min`` and ``current_max``) are today's settings. The panel shows, per ABC class
and per SKU, the money each policy ties up and the service it gives
(``wb.evaluate_policy``): money freed (+) or needed (-) by moving to the recommendation,
service gained or lost in points, and, on request, a simulation of both policies on the
same demand to check the formulas.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import pandas as pd
import traitlets

import workbench as wb

from ._common import Panel, fmt_int, fmt_money, fmt_pct, html_table, on_click

__all__ = ["TodayPanel", "today_settings_missing"]

_PAIRS = (
    ("current_reorder_point", "current_order_quantity"),
    ("current_min", "current_max"),
)

INTRO = (
    '<div class="wb-intro"><b>Today against recommended.</b> The reorder settings your '
    "items carry today (a reorder point and order quantity, or a min and a max) beside "
    "the plan: the money each ties up (average stock at unit cost), the share of demand "
    "each serves from stock (fill rate) and its ordering and holding cost a year. "
    "<i>Money freed</i> is today's money minus the recommended: positive frees cash, "
    "negative needs more. <i>Service change</i> is the recommended fill rate minus "
    "today's, in points. Items without settings today are listed apart, never counted "
    "as $0 or 100 %.</div>"
)

_VIEWS = (
    ("Largest money differences", "all"),
    ("Too much stock today: money to free", "high"),
    ("Too little today: service lost", "low"),
    ("Items without settings today", "none"),
)


def today_settings_missing(dataset) -> str | None:
    """What the tab misses in ``dataset``: None when some item has today's settings
    (both columns of a pair filled), otherwise a phrase naming the columns."""
    items = getattr(dataset, "items", None)
    if isinstance(items, pd.DataFrame):
        for pair in _PAIRS:
            if (
                all(c in items.columns for c in pair)
                and items[list(pair)].notna().all(axis=1).any()
            ):
                return None
    return (
        "today's reorder settings (items columns current_reorder_point and "
        "current_order_quantity, or current_min and current_max)"
    )


def _points(x) -> str:
    """A change given in percentage points, signed; a change that rounds to nothing
    reads "0.0 pts" (not "-0.0 pts").

    Examples
    --------
    >>> _points(3.12), _points(-0.004), _points(-2.1)
    ('+3.1 pts', '0.0 pts', '-2.1 pts')
    """
    if x is None or pd.isna(x):
        return "–"
    points = round(float(x), 1)
    return "0.0 pts" if points == 0 else f"{points:+.1f} pts"


def _rules(rows: pd.DataFrame, which: str) -> list[str]:
    """Each row's rule in words, for ``which`` = "today" or "recommended"."""
    return [
        _rule(k, a, b)
        for k, a, b in zip(
            rows[f"{which}_kind"],
            rows[f"{which}_reorder_point"],
            rows[f"{which}_order_quantity"],
            strict=True,
        )
    ]


def _rule(kind, s, q) -> str:
    if kind == "sQ":
        return f"s {s:,.0f}, Q {q:,.0f}"
    if kind == "minmax":
        return f"min {s:,.0f}, max {s + q:,.0f}"
    return "none"


def _freed(x) -> str:
    if x is None or pd.isna(x):
        return "–"
    return fmt_money(x) + (" freed" if x > 0 else " needed" if x < 0 else "")


def _formatters(table: pd.DataFrame, *, freed=_freed) -> dict:
    """Cell formats by column label: money in $, fill rates in %, changes in points."""
    out = {}
    for col in table.columns:
        if col.startswith("Money freed"):
            out[col] = freed
        elif col.startswith("Money") or col.startswith("Cost"):
            out[col] = fmt_money
        elif "fill" in col.lower():
            out[col] = fmt_pct
        elif col == "Service change":
            out[col] = _points
    return out


class TodayPanel(Panel):
    """Today's reorder settings against the recommended plan.

    Parameters
    ----------
    dataset : workbench.Dataset
        Items with today's settings (see :func:`today_settings_missing`).
    plan : pandas.DataFrame, optional
        The dashboard's plan (``wb.plan``); its scenario (``plan.attrs["scenario"]``)
        is the recommendation's. Default: ``wb.plan(dataset)``.

    Attributes
    ----------
    evaluation : traitlet
        The last ``wb.evaluate_policy`` result (a ``PolicyEvaluation``) or None.
    """

    evaluation = traitlets.Any(allow_none=True)

    def __init__(self, dataset, *, plan: pd.DataFrame | None = None, **kwargs):
        self.dataset = dataset
        self.plan = plan
        self.intro = widgets.HTML(INTRO)
        self.kpis = widgets.HTML()
        self.kpis.add_class("wb-today-kpis")
        self.classes_html = widgets.HTML()
        self.classes_html.add_class("wb-today-classes")
        self.view = widgets.Dropdown(
            options=_VIEWS, value="all", description="Show", layout=widgets.Layout(width="420px")
        )
        self.skus_html = widgets.HTML()
        self.skus_html.add_class("wb-today-skus")
        self.simulate_button = widgets.Button(
            description="Check by simulation",
            tooltip="Simulate both policies for three years on resampled demand (same draws)",
            icon="play",
        )
        self.sim_status = widgets.HTML()
        super().__init__(
            children=[
                self.intro,
                self.kpis,
                widgets.HBox([self.simulate_button, self.sim_status]),
                self.classes_html,
                self.view,
                self.skus_html,
            ],
            **kwargs,
        )
        self.add_class("wb-today")
        self.view.observe(lambda _c: self._render_skus(), names="value")
        on_click(
            self.simulate_button,
            lambda: self.run(simulate=True),
            self.sim_status,
            title="The simulation failed",
        )
        self.run(simulate=False)

    # -- dashboard hooks
    def set_dataset(self, dataset) -> None:
        self.dataset = dataset
        self.plan = None
        self.run(simulate=False)

    def set_plan(self, plan) -> None:
        self.plan = plan
        self.run(simulate=False)

    # -- computing
    def _scenario(self):
        if self.plan is not None and self.plan.attrs.get("scenario"):
            return wb.Scenario.from_dict(self.plan.attrs["scenario"])
        return None

    def run(self, *, simulate: bool) -> None:
        """Evaluate (and with ``simulate`` also simulate) and redraw."""
        missing = today_settings_missing(self.dataset)
        if missing:
            self.evaluation = None
            self.kpis.value = (
                f'<div class="wb-unavailable">The loaded data has no {html.escape(missing)}.</div>'
            )
            self.classes_html.value = self.skus_html.value = self.sim_status.value = ""
            return
        try:
            ev = wb.evaluate_policy(
                self.dataset, self._scenario(), plan_df=self.plan, simulate=simulate
            )
        except ValueError as exc:
            self.evaluation = None
            self.kpis.value = f'<div class="wb-error">{html.escape(str(exc))}</div>'
            self.classes_html.value = self.skus_html.value = ""
            return
        self.evaluation = ev
        if simulate:
            st = ev.settings
            self.sim_status.value = (
                f'<span class="wb-note">Simulated {fmt_int(st.get("simulated_skus", 0))} items '
                f"over {fmt_int(st.get('horizon_buckets', 0))} buckets (after a warm-up of "
                f"{fmt_int(st.get('warmup_buckets', 0))}), resampled demand, the same draws "
                "for both policies.</span>"
            )
        else:
            self.sim_status.value = ""
        self._render()

    # -- drawing
    def _render(self) -> None:
        ev = self.evaluation
        tot = ev.classes.loc["total"]
        lines = [f"<b>{html.escape(ev.note)}.</b>"]
        if tot["compared"] > 0:
            freed = tot["money_freed"]
            verb = "frees" if freed > 0 else "needs"
            lines.append(
                f"Money tied up: today {fmt_money(tot['today_money'])}, recommended "
                f"{fmt_money(tot['recommended_money'])}; the recommendation {verb} "
                f"<b>{fmt_money(abs(freed))}</b>."
            )
            lines.append(
                f"Fill rate: today {fmt_pct(tot['today_fill_rate'])}, recommended "
                f"{fmt_pct(tot['recommended_fill_rate'])} "
                f"(<b>{_points(tot['fill_rate_change'])}</b>)."
            )
            lines.append(
                f"Ordering and holding cost a year: today {fmt_money(tot['today_annual_cost'])}, "
                f"recommended {fmt_money(tot['recommended_annual_cost'])} (saving "
                f"{fmt_money(tot['cost_saving'])})."
            )
            if "sim_today_fill_rate" in ev.classes.columns:
                lines.append(
                    f"Simulated: fill rate today {fmt_pct(tot['sim_today_fill_rate'])}, "
                    f"recommended {fmt_pct(tot['sim_recommended_fill_rate'])}; money today "
                    f"{fmt_money(tot['sim_today_money'])}, recommended "
                    f"{fmt_money(tot['sim_recommended_money'])}."
                )
        self.kpis.value = '<div class="wb-kpis">' + "<br>".join(lines) + "</div>"
        self._render_classes()
        self._render_skus()

    def _render_classes(self) -> None:
        c = self.evaluation.classes
        sim = "sim_today_fill_rate" in c.columns
        table = pd.DataFrame(
            {
                "Class": [str(i) for i in c.index],
                "Items": c["items"].to_numpy(),
                "With settings today": c["items_with_settings"].to_numpy(),
                "Money today": c["today_money"].to_numpy(),
                "Money recommended": c["recommended_money"].to_numpy(),
                "Money freed (+) / needed (−)": c["money_freed"].to_numpy(),
                "Fill rate today": c["today_fill_rate"].to_numpy(),
                "Fill rate recommended": c["recommended_fill_rate"].to_numpy(),
                "Service change": c["fill_rate_change"].to_numpy(),
                "Cost saving a year": c["cost_saving"].to_numpy(),
            }
        )
        if sim:
            table["Simulated fill today"] = c["sim_today_fill_rate"].to_numpy()
            table["Simulated fill recommended"] = c["sim_recommended_fill_rate"].to_numpy()
        self.classes_html.value = "<h4>By ABC class</h4>" + html_table(
            table, max_rows=20, formatters=_formatters(table, freed=fmt_money)
        )

    def _render_skus(self) -> None:
        ev = self.evaluation
        if ev is None:
            return
        s = ev.skus
        view = self.view.value
        if view == "none":
            rows = s[s["today_kind"] == "none"]
            table = pd.DataFrame(
                {
                    "SKU": rows.index.astype(str),
                    "Name": rows["name"].astype(object).fillna("").to_numpy(),
                    "Class": rows["abc"].astype(str).to_numpy(),
                    "Recommended": _rules(rows, "recommended"),
                    "Money recommended": rows["recommended_money"].to_numpy(),
                }
            )
            title = f"Items without settings today ({fmt_int(len(rows))})"
            self.skus_html.value = f"<h4>{title}</h4>" + html_table(
                table, max_rows=25, formatters=_formatters(table)
            )
            return
        rows = s[s["compared"]]
        if view == "high":
            rows = rows[rows["money_freed"] > 0].sort_values("money_freed", ascending=False)
            title = "Too much stock today: money the recommendation frees"
        elif view == "low":
            rows = rows[rows["fill_rate_change"] > 0.5].sort_values(
                "fill_rate_change", ascending=False
            )
            title = "Too little today: service the recommendation gains"
        else:
            order = np.argsort(-np.abs(rows["money_freed"].to_numpy()), kind="stable")
            rows = rows.iloc[order]
            title = "Largest differences in money tied up"
        table = pd.DataFrame(
            {
                "SKU": rows.index.astype(str),
                "Name": rows["name"].astype(object).fillna("").to_numpy(),
                "Class": rows["abc"].astype(str).to_numpy(),
                "Today": _rules(rows, "today"),
                "Recommended": _rules(rows, "recommended"),
                "Money today": rows["today_money"].to_numpy(),
                "Money recommended": rows["recommended_money"].to_numpy(),
                "Money freed (+) / needed (−)": rows["money_freed"].to_numpy(),
                "Fill rate today": rows["today_fill_rate"].to_numpy(),
                "Fill rate recommended": rows["recommended_fill_rate"].to_numpy(),
                "Service change": rows["fill_rate_change"].to_numpy(),
            }
        )
        if "sim_today_fill_rate" in rows.columns:
            table["Simulated fill today"] = rows["sim_today_fill_rate"].to_numpy()
            table["Simulated fill recommended"] = rows["sim_recommended_fill_rate"].to_numpy()
        head = f"<h4>{html.escape(title)} ({fmt_int(len(rows))} items)</h4>"
        self.skus_html.value = head + html_table(
            table, max_rows=25, formatters=_formatters(table, freed=_freed)
        )
