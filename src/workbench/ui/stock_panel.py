"""Stock & review: the weekly review as a manager reads it, top-down.

1. The headline numbers of :func:`workbench.weekly_review` for an "as of" week.
2. The exception lists (stockouts, to reorder, dead stock, count discrepancies,
   expiring lots, slow-moving, excess), each with a CSV download.
3. Valuation: FIFO against weighted average against periodic and perpetual LIFO for
   a period (:func:`workbench.period_movements` then
   :func:`workbench.compare_valuation`, the methods of :data:`METHOD_LABELS`), with
   the calculator's explanation.
4. Charts: stock value by inventory type over time (the review's
   ``stock_value_history``) and the stock by age bucket (:func:`workbench.stock_aging`),
   in units or value.

Every number comes from the stock calculators; the panel only selects, formats and
draws. Reviews are cached per as-of date and valuations per period, so going back to
a week already seen is instant; the caches are emptied when the dataset or the plan
changes.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import traitlets

import workbench as wb

from ..data import INVENTORY_TYPES
from ._common import (
    TYPE_LABELS,
    Panel,
    download_link,
    figure_widget,
    fmt_int,
    fmt_money,
    fmt_number,
    fmt_pct,
    frame_to_csv_bytes,
    html_table,
    palette,
    plotly_template,
    sku_units,
)

__all__ = [
    "EXCEPTIONS",
    "HEADLINE_CARDS",
    "StockPanel",
    "as_of_options",
    "exception_csv",
    "valuation_heading",
    "valuation_periods",
]

#: Colours of the inventory types in the light theme; the charts take the current
#: theme's (:func:`type_colors`).
TYPE_COLORS = {
    "raw_material": "#1f5fbf",
    "wip": "#b35900",
    "finished_good": "#1e7d4f",
    "mro": "#7b3fb5",
}


def type_colors() -> dict[str, str]:
    """Inventory type -> colour in the current theme (the palette's first four series)."""
    return dict(zip(TYPE_COLORS, palette()["series"][:4], strict=True))


#: Exception list (attribute of WeeklyReview) -> (tab title, what it is).
EXCEPTIONS = {
    "stockouts": (
        "Stockouts",
        "Items that ran out in the period (estimated from gaps in sales): empty shelves "
        "first, by sales at risk per day.",
    ),
    "to_reorder": (
        "To reorder",
        "Inventory position (on hand + on order) at or below the reorder point: fewest "
        "days of cover first.",
    ),
    "dead_stock": (
        "Dead stock",
        "Stock with no issue for 180 days or more, largest value first.",
    ),
    "count_discrepancies": (
        "Miscounts",
        "Lines of the latest physical count outside the tolerance, largest variance value first.",
    ),
    "expiring_lots": (
        "Expiring lots",
        "Lots that will expire before they sell at the current rate (FEFO), or within "
        "30 days: largest value at risk first.",
    ),
    "slow_moving": (
        "Slow-moving",
        "Stock with no issue for 90 to 179 days, largest value first.",
    ),
    "excess": (
        "Excess",
        "Stock above the plan's order-up-to level, largest excess value first (needs a plan).",
    ),
}

#: Headline card: (label, key of WeeklyReview.headline, kind).
HEADLINE_CARDS = (
    ("Stock value", "stock value [$]", "money"),
    ("Turnover", "turnover [turns/year]", "turns"),
    ("Days of supply", "days of supply [days]", "days"),
    ("Fill rate (est.)", "fill rate, estimated [fraction]", "pct"),
    ("Out of stock now", "out of stock now", "items"),
    ("Dead stock value", "dead stock value [$]", "money"),
    ("Carrying cost", "carrying cost [$/year]", "money_year"),
)

#: The other headline numbers, in a small table under the cards.
HEADLINE_MORE = (
    ("Annual COGS", "annual COGS [$/year]", "money_year"),
    ("Stockout incidents in the period", "stockout incidents", "count"),
    ("Items to reorder", "items to reorder", "count"),
    ("Excess value", "excess value [$]", "money"),
    ("Slow-moving value", "slow-moving value [$]", "money"),
    ("Expiry value at risk", "expiry value at risk [$]", "money"),
    ("Record accuracy (latest count)", "record accuracy [fraction]", "pct"),
    ("GMROI, finished goods", "GMROI, finished goods [$/$/year]", "ratio"),
    ("Stock units", "stock units", "count"),
)

#: Costing method shown on the valuation table (column order) -> column heading.
#: The tab computes exactly these methods, and its heading lists them.
METHOD_LABELS = {
    "fifo": "FIFO",
    "weighted_average": "Weighted average",
    "lifo": "Periodic LIFO",
    "lifo_perpetual": "Perpetual LIFO",
}


def valuation_heading(labels: tuple[str, ...] = tuple(METHOD_LABELS.values())) -> str:
    """The valuation heading listing the methods shown, e.g. 'Valuation: FIFO,
    weighted average, periodic LIFO and perpetual LIFO' (a label keeps its capital
    only when its first word is an acronym)."""
    words = [w if w.split()[0].isupper() else w[:1].lower() + w[1:] for w in labels]
    listed = words[-1] if len(words) < 2 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"Valuation: {listed}"


_MONEY = {
    "on_hand_value",
    "carrying_cost",
    "lost_sales_value_est",
    "sales_at_risk_per_day",
    "suggested_order_value",
    "excess_value",
    "system_value",
    "counted_value",
    "variance_value",
    "abs_variance_value",
    "value_at_risk",
}
_PCT = {"fill_rate_est", "tolerance"}
_ONE_DECIMAL = {"daily_demand", "days_of_cover", "sell_through_days", "shortfall_to_reorder_point"}
_BOOL = {"out_of_stock_now", "expired", "within_tolerance"}


def _fmt(value, kind: str) -> str:
    if kind == "money":
        return fmt_money(value)
    if kind == "money_year":
        return fmt_money(value) + " a year"
    if kind == "pct":
        return fmt_pct(value)
    if kind == "turns":
        return fmt_number(value, 1) + " a year"
    if kind == "days":
        return fmt_number(value, 1) + " days"
    if kind == "ratio":
        return fmt_number(value, 2)
    return fmt_int(value)


def _plain(value):
    """A headline value as a plain Python number (NaN stays NaN)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def as_of_options(dataset, *, period_days: int = 365) -> list[str]:
    """The review dates offered: the last day of the demand history, then every 7 days
    back while a whole review period of history precedes the date ('YYYY-MM-DD', newest
    first)."""
    start, end = (pd.Timestamp(t).normalize() for t in dataset.demand_period)
    first = start + pd.Timedelta(days=period_days - 1)
    weeks = max((end - first).days // 7, 0)
    return [f"{end - pd.Timedelta(days=7 * k):%Y-%m-%d}" for k in range(weeks + 1)]


def valuation_periods(dataset) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """Label -> (start, end) of the periods offered for valuation.

    Every period ends on the last day of the demand history, the date of the stock
    snapshot (the lots): ``wb.period_movements`` rolls the opening stock back from it.
    """
    start, end = (pd.Timestamp(t).normalize() for t in dataset.demand_period)
    out = {}
    for months, label in ((12, "Last 12 months"), (6, "Last 6 months"), (3, "Last 3 months")):
        first = end - pd.DateOffset(months=months) + pd.Timedelta(days=1)
        if first >= start:
            out[f"{label} ({first:%Y-%m-%d} to {end:%Y-%m-%d})"] = (first, end)
    first = end - pd.DateOffset(months=1) + pd.Timedelta(days=1)
    out[f"Last month ({max(first, start):%Y-%m-%d} to {end:%Y-%m-%d})"] = (max(first, start), end)
    out[f"Whole history ({start:%Y-%m-%d} to {end:%Y-%m-%d})"] = (start, end)
    return out


def exception_csv(table: pd.DataFrame) -> bytes:
    """An exception list as CSV bytes, the SKU index (if any) as the first column,
    guarded against formula injection (:func:`frame_to_csv_bytes`)."""
    frame = table.reset_index() if table.index.name is not None else table
    return frame_to_csv_bytes(frame)


def _with_units(frame: pd.DataFrame, units: pd.Series | None) -> pd.DataFrame:
    """``frame`` with a ``unit`` column (each SKU's unit of measure) after its SKU and
    name, when the items give units other than plain "units" and the frame has a sku."""
    if units is None or "sku" not in frame.columns or "unit" in frame.columns:
        return frame
    if not (units != "units").any():
        return frame
    cols = list(frame.columns)
    where = cols.index("sku") + 1
    where += int(where < len(cols) and cols[where] == "name")
    out = frame.copy()
    out.insert(where, "unit", units.reindex(frame["sku"].astype(str)).fillna("units").to_numpy())
    return out


#: Column names of the exception tables a manager reads differently from the code.
_COLUMN_WORDS = {"sku": "SKU", "abc": "ABC class", "xyz": "XYZ class", "inventory_type": "type"}


def _column_words(col) -> str:
    """An exception table's column in words: "lost units (estimated)", "ABC class"."""
    name = str(col)
    if name in _COLUMN_WORDS:
        return _COLUMN_WORDS[name]
    if name.endswith("_est"):
        name = name[: -len("_est")] + " (estimated)"
    return name.replace("_", " ")


def _exception_html(
    key: str, table: pd.DataFrame, as_of: str, max_rows: int, units: pd.Series | None = None
) -> str:
    what = EXCEPTIONS[key][1]
    head = f"<div class='wb-note'>{html.escape(what)}</div>"
    if table is None or len(table) == 0:
        return head + f"<div class='stock-none stock-none-{key}'>None as of {as_of}.</div>"
    link = download_link(
        exception_csv(table),
        f"{key}_{as_of}.csv",
        f"Download all {len(table):,} rows (CSV)",
        "text/csv",
        css_class=f"stock-download stock-download-{key}",
    )
    frame = table.reset_index() if table.index.name is not None else table
    frame = _with_units(frame, units)
    formatters = {}
    for col in frame.columns:
        if col in _MONEY:
            formatters[col] = fmt_money
        elif col == "unit_cost":
            formatters[col] = lambda v: fmt_money(v, 2)
        elif col in _PCT:
            formatters[col] = fmt_pct
        elif col in _ONE_DECIMAL:
            formatters[col] = lambda v: fmt_number(v, 1)
        elif col in _BOOL:
            formatters[col] = lambda v: "yes" if v else "no"
        elif col == "inventory_type":  # "Raw material", not raw_material
            formatters[col] = lambda v: TYPE_LABELS.get(str(v), str(v))
    names = {c: _column_words(c) for c in frame.columns}
    body = html_table(
        frame.rename(columns=names),
        max_rows=max_rows,
        formatters={names[c]: f for c, f in formatters.items()},
        css_class=f"wb-table stock-table stock-table-{key}",
    )
    return head + link + body


class StockPanel(Panel):
    """The "Stock & review" tab: weekly review, exceptions, valuation, charts.

    Parameters
    ----------
    dataset : workbench.Dataset
        Needs ``lots`` for stock on hand, aging and expiry; ``purchase_orders`` for
        the valuation and the stock value history; ``counts`` for the count audit.
    plan : pandas.DataFrame, optional
        ``wb.plan(dataset)``: reorder points, order-up-to levels and ABC classes for
        the review (without one the review falls back as ``wb.weekly_review`` says).
    as_of : date-like, optional
        Initial review date; default the last day of the demand history.
    max_rows : int
        Rows shown per exception table (the CSV has them all).

    Attributes
    ----------
    headline : dict (trait)
        The review's headline numbers as plain numbers, keyed as
        ``WeeklyReview.headline`` (e.g. ``"stock value [$]"``), plus ``"as_of"``
        ('YYYY-MM-DD') and ``"stockout items"`` (items in the stockout list).
    review : WeeklyReview (trait)
        The current ``wb.weekly_review(dataset, plan, as_of)``.
    valuation : ValuationComparison (trait)
        The current ``wb.compare_valuation`` of the chosen period, for the methods
        of :data:`METHOD_LABELS`.
    valuation_title : HTML
        The valuation heading, listing the methods shown (:func:`valuation_heading`).
    history_fig : FigureWidget
        Traces 0-3: stock value by inventory type (raw material, WIP, finished goods,
        MRO) over the review's period; types without receipt history are empty.
    aging_fig : FigureWidget
        Traces 0-3: stock by age bucket (x) for each inventory type, stacked; units or
        value as the toggle says.
    """

    headline = traitlets.Dict()
    review = traitlets.Any(allow_none=True)
    valuation = traitlets.Any(allow_none=True)

    def __init__(self, dataset, *, plan=None, as_of=None, max_rows: int = 15, **kwargs):
        self.max_rows = max_rows
        self._hold = False
        self.as_of = widgets.Dropdown(description="Review as of", options=[])
        self.as_of.style.description_width = "100px"
        self.as_of.add_class("stock-as-of")
        self.title = widgets.HTML()
        self.title.add_class("stock-title")
        self.cards = widgets.HTML()
        self.cards.add_class("stock-headline")
        self.more = widgets.HTML()
        self.more.add_class("stock-headline-more")
        self.notes = widgets.HTML()
        self.notes.add_class("stock-notes")
        self.exception_html = {key: widgets.HTML() for key in EXCEPTIONS}
        for key, w in self.exception_html.items():
            w.add_class(f"stock-exception-{key}")
        self.exceptions_tab = widgets.Tab(children=list(self.exception_html.values()))
        self.exceptions_tab.add_class("stock-exceptions")
        self.period = widgets.Dropdown(description="Period", options=[])
        self.period.style.description_width = "100px"
        self.period.layout.width = "460px"
        self.period.add_class("stock-period")
        self.valuation_html = widgets.HTML()
        self.valuation_html.add_class("stock-valuation")
        self.aging_measure = widgets.ToggleButtons(
            options=[("Value ($)", "value"), ("Units", "units")],
            value="value",
            description="Stock age in",
            tooltip="Show the stock's age as its value in dollars or in units",
        )
        self.aging_measure.add_class("stock-aging-measure")
        layout = dict(
            template=plotly_template(),
            height=340,
            margin=dict(l=70, r=20, t=50, b=40),
            legend=dict(orientation="h", y=-0.15),
        )
        # All traces are passed to the constructors (STACK.md pitfall 2).
        self.history_fig = figure_widget(
            data=[
                go.Scatter(
                    x=[],
                    y=[],
                    mode="lines",
                    name=TYPE_LABELS[t],
                    stackgroup="value",
                    line=dict(color=type_colors()[t]),
                )
                for t in INVENTORY_TYPES
            ],
            layout=go.Layout(
                title="Stock value by inventory type, weekly ($ at cost)",
                yaxis=dict(tickprefix="$"),
                meta="stock-history",
                **layout,
            ),
        )
        buckets = wb.age_bucket_labels(wb.DEFAULT_AGE_BUCKETS)
        self.aging_fig = figure_widget(
            data=[
                go.Bar(
                    x=buckets,
                    y=[0.0] * len(buckets),
                    name=TYPE_LABELS[t],
                    marker_color=type_colors()[t],
                )
                for t in INVENTORY_TYPES
            ],
            layout=go.Layout(
                title="Stock on hand by age (days since receipt)",
                barmode="stack",
                xaxis=dict(title="age bucket [days]"),
                meta="stock-aging",
                **layout,
            ),
        )
        self.history_note = widgets.HTML()
        self.history_note.add_class("stock-history-note")

        def h3(text: str) -> widgets.HTML:
            return widgets.HTML(f"<h3 style='margin:12px 0 2px 0'>{html.escape(text)}</h3>")

        self.valuation_title = h3(valuation_heading())
        self.valuation_title.add_class("stock-valuation-title")

        super().__init__(
            children=[
                widgets.HBox([self.as_of, self.title]),
                self.cards,
                widgets.HBox([self.more, self.notes]),
                h3("Exceptions"),
                self.exceptions_tab,
                self.valuation_title,
                self.period,
                self.valuation_html,
                h3("Stock over time and by age"),
                self.history_fig,
                self.history_note,
                self.aging_measure,
                self.aging_fig,
            ],
            **kwargs,
        )
        self.add_class("stock-panel")
        self.as_of.observe(self._on_as_of, names="value")
        self.period.observe(self._on_period, names="value")
        self.aging_measure.observe(self._on_measure, names="value")
        self._plan = plan
        self._initial_as_of = as_of
        self.set_dataset(dataset)

    # -- data
    def set_dataset(self, dataset) -> None:
        """Use a new dataset: new date and period choices, caches emptied, all redrawn.

        A plan made for other SKUs is dropped (the dashboard sends the new plan next).
        """
        self.dataset = dataset
        if self._plan is not None and not _plan_fits(self._plan, dataset):
            self._plan = None
        self._reviews: dict[str, tuple] = {}
        self._valuations: dict[tuple, tuple] = {}
        lots = dataset.lots
        if lots is not None and len(lots):
            types = dataset.items.set_axis(dataset.items["sku"].astype(str))["inventory_type"]
            self._typed_lots = lots.assign(
                inventory_type=lots["sku"].astype(str).map(types.astype(str)).to_numpy()
            )
        else:
            self._typed_lots = None
        self._period_days = int(
            min(
                365,
                (
                    pd.Timestamp(dataset.demand_period[1]) - pd.Timestamp(dataset.demand_period[0])
                ).days
                + 1,
            )
        )
        options = as_of_options(dataset, period_days=self._period_days)
        wanted = self._initial_as_of
        self._initial_as_of = None
        if wanted is not None:
            wanted = f"{pd.Timestamp(wanted):%Y-%m-%d}"
            if wanted not in options:
                options = sorted({*options, wanted}, reverse=True)
        periods = valuation_periods(dataset)
        self._periods = periods
        self._hold = True
        self.as_of.options = options
        self.as_of.value = wanted or options[0]
        labels = list(periods)
        self.period.options = labels
        self.period.value = labels[0]
        self._hold = False
        self.update()
        self.update_valuation()

    def set_plan(self, plan) -> None:
        """Review with a new plan (reorder points, order-up-to, ABC classes)."""
        if plan is not None and not _plan_fits(plan, self.dataset):
            return
        self._plan = plan
        self._reviews = {}
        self.update()

    # -- reacting
    def _on_as_of(self, _change) -> None:
        if not self._hold:
            self.update()

    def _on_period(self, _change) -> None:
        if not self._hold:
            self.update_valuation()

    def _on_measure(self, _change) -> None:
        if not self._hold and self.review is not None:
            self._draw_aging(self.compute(self.as_of.value)[1])

    # -- the review
    def compute(self, as_of: str) -> tuple:
        """The review and aging for a date (cached): ``(WeeklyReview, Aging or None)``."""
        if as_of not in self._reviews:
            review = wb.weekly_review(
                self.dataset, self._plan, as_of=as_of, period_days=self._period_days
            )
            aging = None
            if self._typed_lots is not None:
                aging = wb.stock_aging(self._typed_lots, as_of=as_of, by="inventory_type")
            if len(self._reviews) >= 16:  # keep the memory bounded
                self._reviews.pop(next(iter(self._reviews)))
            self._reviews[as_of] = (review, aging)
        return self._reviews[as_of]

    def update(self) -> None:
        """Show the review of the selected date: headline, exceptions, charts."""
        as_of = self.as_of.value
        if as_of not in self._reviews:  # a moment's work: say so while it runs
            self.title.value = (
                f"<div class='wb-note stock-busy' style='margin:4px 12px'>Computing the review "
                f"as of {html.escape(as_of)}…</div>"
            )
        review, aging = self.compute(as_of)
        head = {k: _plain(v) for k, v in review.headline.items()}
        head["stockout items"] = len(review.stockouts)
        head["as_of"] = as_of

        self.title.value = (
            "<div style='margin:4px 12px'><b>Weekly review</b> "
            f"<span class='wb-note'>flows over {review.period[0]:%Y-%m-%d} to "
            f"{review.period[1]:%Y-%m-%d}"
            f"{'' if self._plan is not None else ' · no plan: reorder points = lead-time demand'}"
            "</span></div>"
        )
        self.cards.value = self._cards_html(head)
        rows = "".join(
            f"<tr><th>{html.escape(label)}</th>"
            f"<td class='num stock-more-{i}'>{_fmt(head.get(key), kind)}</td></tr>"
            for i, (label, key, kind) in enumerate(HEADLINE_MORE)
        )
        self.more.value = f"<table class='wb-table stock-more'>{rows}</table>"
        # before the snapshot the review's notes say how the stock was rolled back and
        # that the aging and expiring lots are the lots still held (no lot history)
        notes = list(review.notes)
        self.notes.value = (
            "<div class='wb-note' style='margin-left:16px;max-width:640px'><b>How these "
            "are estimated</b><ul style='margin:2px 0;padding-left:18px'>"
            + "".join(f"<li>{html.escape(n)}</li>" for n in notes)
            + "</ul></div>"
        )
        units = sku_units(self.dataset.items)
        for key, w in self.exception_html.items():
            w.value = _exception_html(key, getattr(review, key), as_of, self.max_rows, units)
        self.exceptions_tab.titles = [
            f"{EXCEPTIONS[key][0]} ({len(getattr(review, key))})" for key in EXCEPTIONS
        ]
        self._draw_history(review)
        self._draw_aging(aging)
        self.review = review
        self.headline = head

    def _cards_html(self, head: dict) -> str:
        cards = []
        for i, (label, key, kind) in enumerate(HEADLINE_CARDS):
            extra = ""
            if key == "out of stock now":
                extra = (
                    f"<div class='wb-note'>{fmt_int(head['stockout items'])} items ran out "
                    "in the period</div>"
                )
            cards.append(
                "<div style='border:1px solid #c8c8c8;border-radius:4px;padding:6px 12px;"
                f"min-width:120px' class='stock-card stock-card-{i}'>"
                f"<div class='wb-note'>{html.escape(label)}</div>"
                f"<div style='font-size:20px;font-weight:600' class='stock-card-value'>"
                f"{_fmt(head.get(key), kind)}</div>{extra}</div>"
            )
        return (
            "<div style='display:flex;flex-wrap:wrap;gap:8px;margin:6px 0'>"
            + "".join(cards)
            + "</div>"
        )

    def _draw_history(self, review) -> None:
        history = review.stock_value_history
        with self.history_fig.batch_update():
            for trace, t in zip(self.history_fig.data, INVENTORY_TYPES, strict=True):
                if len(history) and t in history.columns:
                    trace.x = history.index.to_pydatetime()
                    trace.y = history[t].to_numpy(dtype=float)
                    trace.visible = True
                else:
                    trace.x, trace.y = [], []
                    trace.visible = False
        shown = [TYPE_LABELS[t] for t in INVENTORY_TYPES if t in history.columns]
        missing = [TYPE_LABELS[t] for t in INVENTORY_TYPES if t not in history.columns]
        if not len(history):
            note = "No stock value history: it is rolled back through purchase-order receipts."
        else:
            note = (
                f"Shown: {', '.join(shown)} (items bought on purchase orders, rolled back from "
                "the stock on hand through receipts and issues)."
            )
            if missing:
                note += f" Not shown: {', '.join(missing)} (no receipt history in the data)."
        self.history_note.value = f"<div class='wb-note'>{html.escape(note)}</div>"

    def _draw_aging(self, aging) -> None:
        measure = self.aging_measure.value
        table = None if aging is None else (aging.value if measure == "value" else aging.units)
        with self.aging_fig.batch_update():
            for trace, t in zip(self.aging_fig.data, INVENTORY_TYPES, strict=True):
                if table is not None and t in table.index:
                    trace.x = [str(c) for c in table.columns]
                    trace.y = table.loc[t].to_numpy(dtype=float)
                else:
                    trace.y = [0.0] * len(trace.x)
            self.aging_fig.layout.yaxis.title = (
                "value at cost [$]" if measure == "value" else "units"
            )
            self.aging_fig.layout.yaxis.tickprefix = "$" if measure == "value" else ""

    # -- valuation
    def compute_valuation(self, label: str) -> tuple:
        """``(ValuationComparison, Movements)`` for a period label (cached), or
        ``(None, reason)`` when the data cannot support it."""
        start, end = self._periods[label]
        key = (start, end)
        if key not in self._valuations:
            po = self.dataset.purchase_orders
            if po is None or len(po) == 0:
                self._valuations[key] = (None, "Valuation needs the purchase_orders table.")
            else:
                methods = tuple(METHOD_LABELS)
                mv = wb.period_movements(self.dataset, start=start, end=end, methods=methods)
                cmp = wb.compare_valuation(
                    mv.purchases, mv.issues, opening=mv.opening, methods=methods
                )
                self._valuations[key] = (cmp, mv)
        return self._valuations[key]

    def update_valuation(self) -> None:
        """Show the valuation of the selected period."""
        cmp, mv = self.compute_valuation(self.period.value)
        if cmp is None:
            self.valuation_html.value = f"<div class='wb-unavailable'>{html.escape(mv)}</div>"
            self.valuation = None
            return
        totals = cmp.totals
        methods = [m for m in METHOD_LABELS if m in totals.index]
        rows = (
            ("Opening stock", "opening_value"),
            ("Purchases", "purchases_value"),
            ("Cost of goods sold", "cogs"),
            ("Closing stock", "closing_value"),
        )
        head = "".join(f"<th>{METHOD_LABELS[m]}</th>" for m in methods)
        body = "".join(
            f"<tr><th>{label}</th>"
            + "".join(
                f"<td class='num stock-val-{col}-{m}'>{fmt_money(totals.loc[m, col])}</td>"
                for m in methods
            )
            + "</tr>"
            for label, col in rows
        )
        skus = mv.opening["sku"].nunique() if len(mv.opening) else 0
        valued = len(pd.Index(cmp.by_sku["sku"]).unique())
        reasons = mv.excluded["reason"].value_counts()
        left_out = "; ".join(f"{n} {reason}" for reason, n in reasons.items())
        self.valuation_html.value = (
            f"<table class='wb-table stock-valuation-table'><thead><tr><th></th>{head}"
            f"</tr></thead><tbody>{body}</tbody></table>"
            f"<div class='stock-explanation' style='max-width:820px;margin:4px 0'>"
            f"{html.escape(cmp.explanation)}</div>"
            f"<div class='wb-note'>{fmt_int(valued)} SKUs valued ({fmt_int(skus)} with opening "
            f"stock). Left out: {html.escape(left_out) if left_out else 'none'}. Every period "
            f"ends on {self._periods[self.period.value][1]:%Y-%m-%d}, the date of the stock on "
            "hand (the lots): the opening stock is rolled back from it through the receipts "
            "and issues of the period.</div>"
        )
        self.valuation = cmp


def _plan_fits(plan: pd.DataFrame, dataset) -> bool:
    """Whether a plan is for this dataset's SKUs."""
    skus = plan["sku"] if "sku" in plan.columns else plan.index
    mine = dataset.items["sku"].astype(str)
    return len(skus) == len(mine) and set(pd.Index(skus).astype(str)) == set(mine)
