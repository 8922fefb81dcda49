"""Shared helpers for the widget panels: number formatting, HTML tables, download links.

Nothing here displays anything; the helpers return strings (HTML) or widgets that a
panel places in its own layout.
"""

from __future__ import annotations

import base64
import copy
import html
import json
import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import traitlets

from ..data._safe_export import csv_bytes, excel_bytes
from .accessibility import ensure_accessibility, value_text_span, value_text_spec

__all__ = [
    "CSS",
    "PALETTES",
    "Panel",
    "active_scenario_html",
    "active_scenario_name",
    "add_chart_sentence",
    "contrast_ratio",
    "current_theme",
    "data_uri",
    "decode_data_uri",
    "defaults_sentences",
    "download_link",
    "error_html",
    "error_table_html",
    "figure_widget",
    "fmt_int",
    "fmt_money",
    "fmt_number",
    "fmt_pct",
    "frame_to_csv_bytes",
    "frame_to_excel_bytes",
    "html_table",
    "on_click",
    "palette",
    "plotly_template",
    "problems_frame",
    "share_plotly_bundle",
    "short_history_html",
    "sku_units",
    "sync_figures",
    "typed_slider_row",
    "unit_label",
    "unplanned_html",
    "unplanned_items_of",
    "unplanned_reasons",
    "uploaded_files",
]

#: Column order of the readable error table: what a store manager needs to fix a file.
PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "expected"]

#: Display names of the data model's four inventory types (``workbench.data.INVENTORY_TYPES``).
TYPE_LABELS = {
    "raw_material": "Raw material",
    "wip": "Work in progress",
    "finished_good": "Finished goods",
    "mro": "MRO supplies",
}

# Small stylesheet shipped inside the first HTML widget of the dashboard. Voila's lab
# template loads no CDN assets and we add none (STACK.md pitfall 8).
CSS = """
<style>
.wb-table { border-collapse: collapse; font-size: 13px; margin: 4px 0; }
.wb-table th, .wb-table td { border: 1px solid #c8c8c8; padding: 3px 8px; }
.wb-table th { background: rgba(127,127,127,0.15); text-align: left; }
.wb-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.wb-error { border-left: 4px solid #c0392b; padding: 4px 10px; margin: 6px 0; }
.wb-error h4 { color: #c0392b; margin: 2px 0 6px 0; }
.wb-note { color: #777; font-size: 12px; }
.wb-ok { border-left: 4px solid #27ae60; padding: 4px 10px; margin: 6px 0; }
.wb-unavailable { color: #999; }
a.wb-download { display: inline-block; margin: 4px 8px 4px 0; padding: 4px 10px;
  border: 1px solid #2a7ab0; border-radius: 3px; text-decoration: none; }
.wb-table td.wb-diff { background: rgba(230,160,0,0.22); }
.wb-table td.wb-best { font-weight: bold; }
.wb-best-mark { font-weight: normal; font-size: 11px; margin-left: 4px; }
.wb-dashboard .js-plotly-plot, .wb-dashboard .plot-container { background: transparent; }
.wb-active-scenario { margin: 2px 0 6px 0; }
.wb-templates-box summary { cursor: pointer; margin: 6px 0; }
.wb-templates-table a.wb-download { margin: 0; padding: 1px 6px; }
.wb-table td:first-child, .wb-table td.num, .wb-table th { white-space: nowrap; }
.wb-typed-box input { text-align: right; }
.wb-typed-unit { min-width: 1.5em; margin-left: 4px; }
/* FileUpload writes "(number of files)" after its label; the label alone reads better */
button.wb-upload { font-size: 0 !important; width: auto !important; min-width: 180px; }
button.wb-upload::before { content: "Choose files to upload"; font-size: 13px; }
/* tab titles whole ("Stockout trac", "Replenishme" at 1280 px): tabs as wide as their
   titles, on a second row when they do not fit */
.wb-dashboard .widget-tab.wb-tabs > .lm-TabBar .lm-TabBar-content { flex-wrap: wrap; }
.wb-dashboard .widget-tab.wb-tabs > .lm-TabBar .lm-TabBar-tab {
  flex: 0 0 auto !important; min-width: 0; max-width: none; }
.wb-dashboard .widget-tab.wb-tabs > .lm-TabBar .lm-TabBar-tabLabel {
  overflow: visible; text-overflow: clip; }
/* the keyboard's place is always seen: the focused tab, slider handle or button */
.wb-dashboard .lm-TabBar-tab:focus-visible, .wb-dashboard .noUi-handle:focus-visible,
.wb-dashboard button:focus-visible { outline: 2px solid #2a7ab0; outline-offset: -2px; }
</style>
"""


def _is_missing(x) -> bool:
    try:
        return x is None or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def fmt_number(x, digits: int = 0) -> str:
    """Format a number with thousands separators; missing values as an en dash.

    Examples
    --------
    >>> fmt_number(1234567.891, 2), fmt_number(float("nan")), fmt_number(-3)
    ('1,234,567.89', '–', '-3')
    """
    if _is_missing(x):
        return "–"
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:,.{digits}f}"


def fmt_int(x) -> str:
    """Format a count: ``fmt_int(2500) == '2,500'``."""
    return fmt_number(x, 0)


def fmt_money(x, digits: int = 0) -> str:
    """Format an amount of money in dollars.

    Examples
    --------
    >>> fmt_money(1234.6), fmt_money(-20), fmt_money(None)
    ('$1,235', '-$20', '–')
    """
    if _is_missing(x):
        return "–"
    s = fmt_number(abs(float(x)), digits)
    return f"-${s}" if float(x) < 0 else f"${s}"


def fmt_pct(x, digits: int = 1) -> str:
    """Format a fraction as a percentage: ``fmt_pct(0.953) == '95.3 %'``."""
    if _is_missing(x):
        return "–"
    return f"{100 * float(x):.{digits}f} %"


# --------------------------------------------------------------------------- units and defaults

#: Units that say no more than "units" (the schema's default unit is "each").
_PLAIN_UNITS = {"", "each", "ea", "unit", "units"}


def unit_label(unit) -> str:
    """How quantities of an item are labelled: its unit of measure, "units" if none.

    Examples
    --------
    >>> unit_label("kg"), unit_label("each"), unit_label(None)
    ('kg', 'units', 'units')
    """
    if _is_missing(unit):
        return "units"
    text = str(unit).strip()
    return "units" if text.lower() in _PLAIN_UNITS else text


def sku_units(items: pd.DataFrame | None) -> pd.Series:
    """SKU (as text) -> :func:`unit_label` of its ``unit`` column ("units" without one)."""
    if items is None:
        return pd.Series(dtype=object)
    sku = items["sku"].astype(str) if "sku" in items.columns else items.index.astype(str)
    index = pd.Index(sku, name="sku")
    if "unit" not in items.columns:
        return pd.Series("units", index=index, dtype=object)
    raw = items["unit"].astype(object).to_numpy()
    codes, uniques = pd.factorize(raw)  # a handful of distinct units: label each once
    labels = [unit_label(u) for u in uniques]
    out = [labels[c] if c >= 0 else "units" for c in codes] if len(labels) else ["units"] * len(raw)
    return pd.Series(out, index=index, dtype=object)


def _default_value(value, unit: str) -> str:
    """A filled-in value in words: 25 %, $50 per order, 0 days, 1 unit."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if unit in ("1/year", "fraction"):
        return f"{100 * value:g} %" + (" a year" if unit == "1/year" else "")
    if unit.startswith("$"):
        per = unit.partition("/")[2]
        return fmt_money(value, 0 if float(value).is_integer() else 2) + (
            f" per {per}" if per else ""
        )
    if unit == "units":
        return f"{value:g} unit{'' if value == 1 else 's'}"
    if unit == "days":
        return f"{value:g} day{'' if value == 1 else 's'}"
    return f"{value:g} {unit}".strip()


def defaults_sentences(dataset) -> list[str]:
    """What the loader filled in (``dataset.defaults``), one sentence per column, in
    words a manager reads: "holding_cost_rate: 25 % a year for all 5 items (no column
    in items.csv)", "lead_time_sd_days: 0 days for 3 of 250 items"."""
    from ..data import SCHEMAS

    frame = getattr(dataset, "defaults", None)
    if frame is None or len(frame) == 0:
        return []
    out = []
    for rec in frame.to_dict("records"):
        table = str(rec["table"])
        col = SCHEMAS[table].by_name.get(str(rec["column"])) if table in SCHEMAS else None
        unit = col.unit if col is not None else ""
        data = dataset.tables.get(table)
        total = len(data) if data is not None else int(rec["rows"])
        noun = "items" if table == "items" else f"rows of {table}"
        n = int(rec["rows"])
        where = rec.get("file") or f"{table} table"
        if rec.get("source", "default") != "default":
            what = f"taken from {rec['source']}"
        else:
            what = _default_value(rec["value"], unit)
        if rec["all_rows"]:
            scope = f"for all {n:,} {noun} (no column in {where})"
        elif n == total:
            scope = f"for all {n:,} {noun} (the column is blank)"
        else:
            scope = f"for {n:,} of {total:,} {noun}" + (
                " (blank cells)" if rec.get("source", "default") == "default" else ""
            )
        out.append(f"{rec['column']}: {what} {scope}")
    return out


def unplanned_reasons(plan: pd.DataFrame) -> str:
    """The reasons a plan left items out, counted: "5 items have no lead time"."""
    from ..scenario import unplanned_items

    counts = unplanned_items(plan)["reason"].value_counts(sort=True)
    return "; ".join(
        f"{c:,} item{'s' if c != 1 else ''} {'have' if c != 1 else 'has'} {r}"
        for r, c in counts.items()
    )


def unplanned_items_of(plan: pd.DataFrame, sku) -> str:
    """Why one SKU of a plan could not be planned ("no lead time"), "" if it was."""
    from ..scenario import unplanned_items

    row = plan.loc[[sku]]
    if not row["reorder_point"].isna().iloc[0]:
        return ""
    return str(unplanned_items(row)["reason"].iloc[0])


def unplanned_html(plan: pd.DataFrame | None, *, max_rows: int = 20) -> str:
    """The items a plan could not plan, by SKU and name with the reason, as HTML (empty
    when every item was planned)."""
    if plan is None or len(plan) == 0:
        return ""
    from ..scenario import unplanned_items

    why = unplanned_items(plan)
    if why.empty:
        return ""
    n, total = len(why), len(plan)
    reasons = unplanned_reasons(plan)
    table = why.reset_index().rename(columns={"sku": "SKU"})
    return (
        f"<div class='wb-unplanned'><b>{n:,} of {total:,} items cannot be planned:</b> "
        f"{html.escape(reasons)}. {'They have' if n != 1 else 'It has'} no order quantity, "
        "safety stock or reorder point, and the plan's totals leave "
        f"{'them' if n != 1 else 'it'} out."
        + html_table(table, max_rows=max_rows, css_class="wb-table wb-unplanned-table")
        + "</div>"
    )


def short_history_html(plan: pd.DataFrame | None, *, max_rows: int = 20) -> str:
    """The planned items whose figures rest on a short history (the plan's
    ``short_history`` and ``history_note`` columns), as HTML; empty when there are none."""
    if plan is None or len(plan) == 0 or "short_history" not in plan.columns:
        return ""
    short = plan["short_history"].fillna(False).astype(bool) & plan["reorder_point"].notna()
    if not short.any():
        return ""
    rows = plan.loc[short]
    table = pd.DataFrame(
        {
            "SKU": rows.index.astype(str),
            "name": rows["name"].to_numpy() if "name" in rows.columns else "",
            "history": rows["history_note"].to_numpy(),
        }
    )
    n = int(short.sum())
    return (
        f"<div class='wb-short-history'><b>{n:,} item{'s have' if n != 1 else ' has'} a short "
        "history:</b> the demand figures behind "
        f"{'their' if n != 1 else 'its'} order quantity and reorder point are uncertain; "
        "check them by hand or give them time."
        + html_table(table, max_rows=max_rows, css_class="wb-table wb-short-history-table")
        + "</div>"
    )


def active_scenario_name(plan: pd.DataFrame | None) -> str:
    """The name of the scenario a plan was made under (``plan.attrs["scenario"]``),
    "baseline" when the plan does not say; "" without a plan."""
    if plan is None:
        return ""
    d = plan.attrs.get("scenario") or {}
    return str(d.get("name", "baseline"))


def active_scenario_html(plan: pd.DataFrame | None) -> str:
    """The header's line naming the active scenario and what its plan invests, shown
    above every tab: "Active scenario: baseline · investment $305,364 · expected fill
    rate 99.8 %". Empty without a plan."""
    if plan is None:
        return ""
    name = active_scenario_name(plan)
    from ..scenario import plan_summary

    s = plan_summary(plan)
    figures = ""
    if int(s["skus_planned"]) > 0:
        figures = (
            f" · investment <span class='wb-active-investment'>{fmt_money(s['investment'])}"
            f"</span> · expected fill rate {fmt_pct(s['fill_rate'], 2)}"
        )
    return (
        "<div class='wb-active-scenario'>Active scenario: <b class='wb-active-name'>"
        f"{html.escape(name)}</b>{figures} <span class='wb-note'>(change it in Stockout "
        "trade-offs or Scenarios)</span></div>"
    )


def _cell(value) -> tuple[str, bool]:
    """Text of one table cell and whether it is numeric (right-aligned)."""
    if _is_missing(value):
        return "", False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and abs(float(value)) < 1e15:
            return f"{int(value):,}", True
        return f"{float(value):,.4g}" if abs(float(value)) < 1 else f"{float(value):,.2f}", True
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value), False
    return str(value), False


def html_table(
    df: pd.DataFrame,
    *,
    max_rows: int = 50,
    index: bool = False,
    css_class: str = "wb-table",
    formatters: dict | None = None,
) -> str:
    """Render a DataFrame as a small escaped HTML table (no pandas Styler, no JS).

    Parameters
    ----------
    df : DataFrame
    max_rows : int
        Rows shown; a note says how many more there are.
    index : bool
        Show the index as the first column.
    css_class : str
        Class of the ``<table>``.
    formatters : dict, optional
        Column name -> function(value) -> str, applied before escaping.

    Examples
    --------
    >>> out = html_table(pd.DataFrame({"a": [1, 2], "b": ["<x>", None]}), max_rows=1)
    >>> "<td>&lt;x&gt;</td>" in out, '<td class="num">1</td>' in out, "1 more row" in out
    (True, True, True)
    """
    formatters = formatters or {}
    frame = df.reset_index() if index else df
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for rec in frame.head(max_rows).itertuples(index=False, name=None):
        cells = []
        for col, value in zip(frame.columns, rec, strict=True):
            if col in formatters and not _is_missing(value):
                text, num = formatters[col](value), True
            else:
                text, num = _cell(value)
            cls = ' class="num"' if num else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    out = (
        f'<table class="{css_class}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    extra = len(frame) - max_rows
    if extra > 0:
        out += f'<div class="wb-note">… and {extra:,} more row{"s" if extra > 1 else ""}</div>'
    return out


def problems_frame(error) -> pd.DataFrame:
    """The problems of a DataError as a table with columns file, sheet, row, column, value,
    expected (only the columns that say something are kept by :func:`error_table_html`).

    Accepts anything with ``.to_frame()`` or a ``.problems`` list of records/namedtuples;
    any other exception becomes one row whose ``expected`` is its message.
    """
    frame = None
    if hasattr(error, "to_frame"):
        try:
            frame = pd.DataFrame(error.to_frame())
        except Exception:  # a broken to_frame must not hide the problems themselves
            frame = None
    if frame is None and getattr(error, "problems", None) is not None:
        recs = []
        for p in error.problems:
            if hasattr(p, "_asdict"):
                recs.append(p._asdict())
            elif isinstance(p, dict):
                recs.append(p)
            else:
                recs.append({k: getattr(p, k, None) for k in PROBLEM_COLUMNS})
        frame = pd.DataFrame.from_records(recs)
    if frame is None:
        frame = pd.DataFrame([{"expected": str(error) or type(error).__name__}])
    for col in PROBLEM_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    rest = [c for c in frame.columns if c not in PROBLEM_COLUMNS]
    return frame[PROBLEM_COLUMNS + rest]


def error_table_html(error, *, title: str = "The data could not be loaded", max_rows: int = 100):
    """A readable HTML report of a DataError (or any exception): title, count, table.

    The table has one row per problem with the file, row number as seen in the file,
    column, offending value and what was expected; empty columns (e.g. ``sheet`` for
    CSV files) are left out.
    """
    frame = problems_frame(error)
    keep = [
        c
        for c in frame.columns
        if c in ("file", "row", "column", "value", "expected") or frame[c].notna().any()
    ]
    frame = frame[keep]
    n = len(frame)
    # Integer row numbers print as 12, not 12.0.
    if "row" in frame:
        frame = frame.assign(
            row=[
                ("" if _is_missing(r) else str(int(r)) if _intlike(r) else str(r))
                for r in frame["row"]
            ]
        )
    if "value" in frame:
        frame = frame.assign(
            value=[
                "" if _is_missing(v) else repr(v) if isinstance(v, str) else str(v)
                for v in frame["value"]
            ]
        )
    summary = (
        f"{n} problem{'s' if n != 1 else ''} found. "
        f"Fix {'them' if n != 1 else 'it'} in the file and upload it again."
    )
    return (
        f'<div class="wb-error"><h4>{html.escape(title)}</h4>'
        f"<div>{html.escape(summary)}</div>"
        f"{html_table(frame, max_rows=max_rows, css_class='wb-table wb-error-table')}</div>"
    )


def _intlike(x) -> bool:
    try:
        return float(x).is_integer()
    except (TypeError, ValueError):
        return False


def data_uri(data: bytes, mime: str) -> str:
    """A base64 ``data:`` URI for bytes (used for downloads that need no server file).

    Examples
    --------
    >>> data_uri(b"a,b\\n1,2\\n", "text/csv")
    'data:text/csv;base64,YSxiCjEsMgo='
    """
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def decode_data_uri(uri: str) -> bytes:
    """Inverse of :func:`data_uri` (tests use it to check what a link would download)."""
    head, _, payload = uri.partition(",")
    if not head.startswith("data:") or not head.endswith(";base64"):
        raise ValueError(f"not a base64 data URI: {uri[:40]!r}")
    return base64.b64decode(payload)


def download_link(data: bytes, filename: str, label: str, mime: str, *, css_class: str = "") -> str:
    """An ``<a download>`` anchor carrying the file as a data URI.

    Works in Voila and JupyterLab without writing a file on the server: the browser
    saves the bytes under ``filename`` when the link is clicked.
    """
    cls = "wb-download" + (f" {css_class}" if css_class else "")
    return (
        f'<a class="{cls}" download="{html.escape(filename)}" '
        f'href="{data_uri(data, mime)}" target="_blank">{html.escape(label)}</a>'
    )


def on_click(
    button: widgets.Button, handler: Callable[[], object], message: widgets.HTML, *, title: str
) -> Callable[[widgets.Button], None]:
    """Run ``handler()`` when ``button`` is clicked; show any error in ``message``.

    ipywidgets catches an exception raised in a click handler and only logs it: the
    user sees nothing, and a button the handler disabled stays disabled. Here the
    button is disabled while the handler runs and left as it was before the click
    afterwards, whatever happens; an exception is shown in ``message`` as a readable
    error (``title``, then the problems or the exception's type and text). Returns the
    callback registered.
    """

    def callback(_button=None) -> None:
        was_disabled = button.disabled
        button.disabled = True
        try:
            handler()
        except Exception as exc:  # shown to the user, never swallowed
            message.value = error_html(exc, title=title)
        finally:
            button.disabled = was_disabled

    button.on_click(callback)
    return callback


def error_html(exc: BaseException, *, title: str) -> str:
    """An exception as HTML for a panel: a DataError's problems as a table (see
    :func:`error_table_html`), any other exception as its type and message."""
    if getattr(exc, "problems", None) is not None or hasattr(exc, "to_frame"):
        return error_table_html(exc, title=title)
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return (
        f'<div class="wb-error"><h4>{html.escape(title)}</h4><div>{html.escape(text)}</div></div>'
    )


def uploaded_files(value: Iterable) -> dict[str, bytes]:
    """Name -> bytes of the files in an ipywidgets 8 FileUpload value (a tuple of dicts
    with ``name`` and ``content`` as a memoryview); a plain dict name -> bytes passes
    through, so handlers can be called directly in tests."""
    if isinstance(value, dict):
        return {str(k): bytes(v) for k, v in value.items()}
    out: dict[str, bytes] = {}
    for f in value or ():
        out[str(f["name"])] = bytes(f["content"])
    return out


# --------------------------------------------------------------------------- sliders


def typed_slider_row(
    slider: widgets.FloatSlider,
    *,
    percent: bool = False,
    unit: str = "",
    box_width: str = "104px",
) -> widgets.HBox:
    """A slider with a type-in box beside it that shows its exact value, and the unit.

    The slider's own readout is turned off (it was cut off to "0." in narrow layouts);
    the box shows the value in full, as a percentage when ``percent`` (a slider of
    fractions, 0.25, shows "25" followed by "%"), and a value typed into it moves the
    slider (clamped to the slider's range; the box then shows where the slider is). The
    box's tooltip names the slider, so a screen reader reads what it sets; the slider
    keeps its description and works with the arrow keys, and a screen reader reads its
    value as the box shows it, with the unit (the unit label carries
    :func:`~workbench.ui.accessibility.value_text_span` for the page's script).

    Parameters
    ----------
    slider : ipywidgets.FloatSlider or IntSlider
        The slider; the panel keeps observing its ``value``.
    percent : bool
        Show the value times 100 with "%".
    unit : str
        Shown after the box ("$ per order", "days"); ignored when ``percent``.
    box_width : str
        CSS width of the box.

    Returns
    -------
    ipywidgets.HBox
        The row (slider, box, unit); also stored as ``slider.row``, and the box as
        ``slider.box``.

    Examples
    --------
    >>> s = widgets.FloatSlider(value=0.25, min=0.01, max=1.0, step=0.01)
    >>> row = typed_slider_row(s, percent=True)
    >>> s.box.value, row.children[2].value.split("<")[0]
    (25.0, '%')
    >>> s.box.value = 40
    >>> round(s.value, 6)
    0.4
    """
    scale = 100.0 if percent else 1.0
    slider.readout = False
    label = str(slider.description or "value")
    box = widgets.FloatText(
        value=_shown(slider.value, scale, slider.step),
        step=_shown(slider.step, scale, slider.step),
        tooltip=f"{label}: type an exact value" + (" in %" if percent else ""),
        layout=widgets.Layout(width=box_width),
    )
    box.add_class("wb-typed-box")
    for cls in getattr(slider, "_dom_classes", ()):
        box.add_class(f"{cls}-box")
    text = "%" if percent else unit
    # what a screen reader reads of the slider ("98 %", "$76.16 per order"): the page's
    # script (workbench.ui.accessibility) reads it from the span, which follows the value
    spec = value_text_spec(label, percent=percent, step=slider.step, unit=text)

    def unit_html(value) -> str:
        return html.escape(text) + value_text_span(value, spec)

    unit_label = widgets.HTML(unit_html(slider.value))
    unit_label.add_class("wb-typed-unit")
    busy = [False]

    def from_slider(change) -> None:
        if busy[0]:
            return
        busy[0] = True
        try:
            box.value = _shown(change.new, scale, slider.step)
        finally:
            busy[0] = False

    def from_box(change) -> None:
        if busy[0] or change.new is None:
            return
        busy[0] = True
        try:
            slider.value = float(change.new) / scale
        finally:
            busy[0] = False
        box.value = _shown(slider.value, scale, slider.step)  # clamped: say where it is

    def step_change(change) -> None:
        box.step = _shown(change.new, scale, change.new)

    def spoken(change) -> None:
        unit_label.value = unit_html(change.new)

    def spoken_step(change) -> None:
        spec.update(value_text_spec(label, percent=percent, step=change.new, unit=text))
        unit_label.value = unit_html(slider.value)

    slider.observe(from_slider, names="value")
    slider.observe(step_change, names="step")
    slider.observe(spoken, names="value")
    slider.observe(spoken_step, names="step")
    box.observe(from_box, names="value")
    row = widgets.HBox([slider, box, unit_label], layout=widgets.Layout(align_items="center"))
    row.add_class("wb-typed-row")
    slider.row = row
    slider.box = box
    slider.percent = percent
    return row


def _shown(value, scale: float, step: float | None = None) -> float:
    """A slider's value as the box shows it: times ``scale``, rounded to two decimals
    or the step's, whichever is finer (0.07 * 100 is 7, not 7.000000000000001; a daily
    mean of 173.041096 is 173.04 and fits the box)."""
    digits = 2
    if step:
        text = f"{float(step) * scale:.6f}".rstrip("0")
        digits = max(digits, len(text.partition(".")[2]))
    return round(float(value) * scale, digits)


# --------------------------------------------------------------------------- theme colours

#: The charts' colours per theme. Every colour a trace is drawn in has a contrast ratio
#: above 3:1 against the theme's ``background`` (WCAG 2.1's minimum for graphics, checked
#: in tests/test_ui_manager.py): plotly's own colorways have yellow-greens and light
#: oranges that vanish on white, and its dark template left black lines on near-black.
#: ``series`` is the colorway; ``classes`` the ABC classes' colours (also named in every
#: legend, never the only carrier of meaning); ``ink`` reference lines such as a reorder
#: point or a cumulative share; ``muted`` secondary lines; ``bad`` stockouts and shortages;
#: ``good`` fills and marks of what is within target.
PALETTES: dict[str, dict] = {
    "light": {
        "background": "#ffffff",
        "text": "#1f2d3d",
        "grid": "#e3e6ea",
        "ink": "#222222",
        "muted": "#5f5f5f",
        "bad": "#c0392b",
        "good": "#1e7d4f",
        "accent": "#b3005f",
        "series": [
            "#1f5fbf",
            "#b35900",
            "#1e7d4f",
            "#7b3fb5",
            "#c0392b",
            "#0f7c8c",
            "#a0306e",
            "#5f5f5f",
        ],
        "classes": {"A": "#1f5fbf", "B": "#b35900", "C": "#5f5f5f"},
    },
    "dark": {
        "background": "#111111",
        "text": "#e8e8e8",
        "grid": "#333333",
        "ink": "#f0f0f0",
        "muted": "#b8b8b8",
        "bad": "#ff7a66",
        "good": "#4cd49a",
        "accent": "#ff6fb5",
        "series": [
            "#6ea8ff",
            "#ffab40",
            "#4cd49a",
            "#c49bff",
            "#ff7a66",
            "#4dd0e1",
            "#f48fb1",
            "#bdbdbd",
        ],
        "classes": {"A": "#6ea8ff", "B": "#ffab40", "C": "#bdbdbd"},
    },
}


def current_theme() -> str:
    """ "dark" when the dashboard runs with the dark theme (``WORKBENCH_THEME``), else "light"."""
    return "dark" if os.environ.get("WORKBENCH_THEME", "light") == "dark" else "light"


def palette(theme: str | None = None) -> dict:
    """The colours of a theme (:data:`PALETTES`), default the current one."""
    return PALETTES[theme or current_theme()]


def _rgb(color: str) -> tuple[float, float, float]:
    text = color.strip().lower()
    if text.startswith("#"):
        h = text[1:]
        if len(h) == 3:
            h = "".join(ch * 2 for ch in h)
        return tuple(int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]
    if text.startswith("rgb"):
        parts = text[text.index("(") + 1 : text.index(")")].split(",")
        return tuple(float(p) / 255 for p in parts[:3])  # type: ignore[return-value]
    named = {"black": "#000000", "white": "#ffffff", "grey": "#808080", "gray": "#808080"}
    if text in named:
        return _rgb(named[text])
    raise ValueError(f"not a colour this function reads: {color!r} (use #rrggbb or rgb())")


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two colours, from 1 (the same) to 21 (black on white).

    (L1 + 0.05) / (L2 + 0.05) with L the relative luminance of the lighter (L1) and the
    darker (L2) colour (W3C, Web Content Accessibility Guidelines 2.1, "contrast ratio"
    and "relative luminance"). Non-text graphics need at least 3:1 (success criterion
    1.4.11).

    Examples
    --------
    >>> round(contrast_ratio("#000000", "#ffffff"), 1), contrast_ratio("#777", "#777")
    (21.0, 1.0)
    >>> round(contrast_ratio("#767676", "white"), 2)  # the lightest grey for text on white
    4.54
    """

    def luminance(c: str) -> float:
        r, g, b = (x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in _rgb(c))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _register_templates() -> None:
    """Add ``workbench_light`` and ``workbench_dark`` to plotly's templates: plotly_white
    and plotly_dark with the :data:`PALETTES` colorway, background, text and grid."""
    import plotly.graph_objects as go
    import plotly.io as pio

    for theme, base in (("light", "plotly_white"), ("dark", "plotly_dark")):
        name = f"workbench_{theme}"
        if name in pio.templates:
            continue
        p = PALETTES[theme]
        tpl = go.layout.Template(pio.templates[base])
        tpl.layout.colorway = p["series"]
        tpl.layout.paper_bgcolor = p["background"]
        tpl.layout.plot_bgcolor = p["background"]
        tpl.layout.font.color = p["text"]
        for axis in (tpl.layout.xaxis, tpl.layout.yaxis):
            axis.gridcolor = p["grid"]
            axis.zerolinecolor = p["grid"]
            axis.automargin = True  # tick labels never overlap the title or each other
        pio.templates[name] = tpl


def plotly_template() -> str:
    """The charts' template: ``workbench_dark`` when the dashboard runs with the dark
    theme (STACK.md pitfall 7), else ``workbench_light`` (see :data:`PALETTES`)."""
    _register_templates()
    return f"workbench_{current_theme()}"


def add_chart_sentence(
    fig,
    sentence: str,
    *,
    name: str,
    xref: str = "x domain",
    yref: str = "y domain",
    visible: bool = True,
) -> None:
    """Write a sentence in the middle of a chart's axes, in place of empty axes: what to
    do to fill them. ``name`` finds the annotation again to show or hide it."""
    fig.add_annotation(
        text=sentence, xref=xref, yref=yref, x=0.5, y=0.5, showarrow=False,
        visible=visible, font=dict(size=13), name=name,
    )  # fmt: skip


def frame_to_excel_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook (one sheet per frame, no index) as bytes, guarded: text is text,
    never a formula, control characters escaped (:mod:`workbench.data._safe_export`)."""
    return excel_bytes(frames)


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame (no index) as UTF-8 CSV bytes, guarded: a text a spreadsheet would run
    as a formula gets a leading apostrophe (:mod:`workbench.data._safe_export`)."""
    return csv_bytes(frame)


def sync_figures(widget) -> int:
    """Make every plotly FigureWidget inside ``widget`` show its current data when drawn.

    A FigureWidget sends the data it was created with; later changes travel as update
    messages that only views already on the page receive. A figure nested in a Box or
    Tab that is updated before it is first drawn (for example in its panel's
    constructor) therefore shows its creation data, often empty. plotly refreshes its
    initial state only when the figure itself is displayed, not when a container holding
    it is, so containers call this before they are displayed. Returns how many figures
    were refreshed.
    """
    figures, stack, seen = [], [widget], set()
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        if hasattr(w, "_widget_data") and hasattr(w, "_data") and hasattr(w, "_layout_obj"):
            w._widget_layout = copy.deepcopy(w._layout_obj._props)
            w._widget_data = copy.deepcopy(w._data)
            figures.append(w)
        stack.extend(reversed(getattr(w, "children", None) or ()))
    if _share_bundle_here():
        share_plotly_bundle(figures)
    return len(figures)


# --------------------------------------------------------------------------- one plotly bundle
#
# plotly 7's FigureWidget is an anywidget whose ``_esm`` trait is plotly's whole widget
# bundle (about 5 MB of JavaScript). Every figure sends its own copy with its state, and the
# browser evaluates each copy separately: a dashboard with 8 figures sends a 40 MB widget
# state and compiles plotly.js 8 times before anything is drawn. In Voila, where a page
# fetches every widget's state at once, one figure (the "owner") carries the bundle and
# publishes the loaded module on ``globalThis``; the others carry a few lines that wait for
# it. Set WORKBENCH_SHARED_PLOTLY=0 to turn this off.
#
# Under ``workbench serve`` the server also serves the bundle as a static file (its URL in
# :data:`BUNDLE_URL_ENV`, set by ``workbench.voila_app``): the owner then carries a few
# lines that import it from there instead of the bundle itself. Every page's kernel used
# to push the same 5 MB through the server's websocket as JSON (decoded and encoded again
# by the server, parsed again by the page); a static file is sent as it is, compiled by the
# browser off the page's main thread, and kept in the browser's cache for the next visit.
#
# Every figure's module (owner, loader, or a figure with its own bundle) lets its model
# start at once and plotly's widget start once the bundle is loaded (:data:`_START_LATER`):
# anywidget drops the messages of a model that has not started within 2 s.

#: The charts fill their panel's width (issue 17). plotly draws a chart 700 px wide when
#: its element has no width yet (a tab not open at the first draw, an element not yet in
#: the page), and plotly's anywidget view never hears that the tab was opened: it stayed
#: 700 px in a 1280 px window. Once per page, watch every chart's element and, when its
#: width differs from the drawn one, let plotly size it again (``Plots.resize``: width
#: from the element, the layout's height kept; a figure given a width keeps it).
_SIZER = """
;(() => {
  const g = globalThis;
  if (g.__workbenchSizer || typeof document === "undefined") return;
  if (typeof ResizeObserver === "undefined") return;
  g.__workbenchSizer = true;
  const fit = (gd) => {
    const P = g.Plotly;
    const full = gd._fullLayout;
    if (!P || !full || (gd.layout && gd.layout.width) || gd.offsetParent === null) return;
    const w = gd.clientWidth;
    if (w > 50 && Math.abs(full.width - w) >= 2) P.Plots.resize(gd).catch(() => {});
  };
  const ro = new ResizeObserver((entries) => entries.forEach((e) => fit(e.target)));
  const seen = new WeakSet();
  const scan = () => {
    for (const gd of document.querySelectorAll(".js-plotly-plot")) {
      if (!seen.has(gd)) { seen.add(gd); ro.observe(gd); }
    }
  };
  // a chart's redraw (its SVG, on every slider step) adds no chart
  const html = (r) => !(r.target instanceof SVGElement);
  new MutationObserver((records) => { if (records.some(html)) scan(); })
    .observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("plotlywidget-after-render", (e) => {
    const gd = e.detail && e.detail.element;
    if (gd) { scan(); fit(gd); }
  });
  scan();
})();
"""

#: A view tells the kernel what plotly.js filled in (its trace and layout "deltas") right
#: after each update, in the same task as the redraw: the page was painted only after those
#: two deep copies of the figure were made and sent (a third of a slider step's time in
#: the browser). This function of plotly's loaded module makes them go once the new chart
#: is painted; the kernel takes a delta only when it answers its latest edit, so a late
#: one is not applied twice.
#:
#: plotly 7.1's view sends its layout delta as ``_js2py_widget_layoutDelta``, a name the
#: Python FigureWidget does not have (it observes ``_js2py_layoutDelta``): the kernel
#: drops it unread. Making it (a deep copy of the whole drawn layout, compared with the
#: model's) cost 3 ms of the page's time and 8 kB to the kernel on every slider step, so
#: while the view still sends it under that name it is not sent at all.
_DEFER_DELTAS = """(m) => {
  const V = m && m.FigureView && m.FigureView.prototype;
  if (!V || V.__workbenchDeferred) return;
  V.__workbenchDeferred = true;
  const later = (f) => requestAnimationFrame(() => setTimeout(f, 0));
  for (const name of ["_sendTraceDeltas", "_sendLayoutDelta"]) {
    const send = V[name];
    if (typeof send !== "function") continue;
    if (name === "_sendLayoutDelta" && String(send).includes("_js2py_widget_layoutDelta")) {
      V[name] = function () {};  // unread by the kernel (see above)
      continue;
    }
    V[name] = function (...args) { later(() => send.apply(this, args)); };
  }
}"""

#: The page's promise of plotly's loaded module (``globalThis.__workbenchPlotly``), made by
#: whichever figure's module runs first and resolved by the owner's.
_PROMISE = """
const g = globalThis;
if (!g.__workbenchPlotly) {
  let resolve;
  g.__workbenchPlotly = new Promise((r) => { resolve = r; });
  g.__workbenchPlotly.resolve = resolve;
}
"""

#: The end of every figure's module: plotly's widget, started without waiting for the bundle.
#:
#: anywidget gives a model 2 s to load its module and run its ``initialize``; past that it
#: logs "[anywidget] Failed to initialize model." and drops every later message to the
#: model (``AnyModel._handle_comm_msg`` awaits the rejected ``ready``). A module that
#: waited for plotly's 5 MB bundle (a loaded machine, a chart opened while the bundle was
#: still on its way) therefore never heard the figure's updates: a chart made empty and
#: then filled (the EOQ curves) came up empty, default axes, until the page was reloaded.
#: Here ``initialize`` returns at once, so the model takes every message as it comes (the
#: kernel sends a figure's whole state after each update until a view has drawn it, see
#: :func:`_keeping_state`); plotly's own ``initialize`` and ``render`` run once the bundle
#: is loaded, and the view draws the model's state as it is then.
_START_LATER = """
export default () => {
  let started = null;
  return {
    initialize(ctx) {
      started = (__MODULE__).then(async (mod) => {
        const widget = mod.default();
        if (!(ctx.signal && ctx.signal.aborted)) await widget.initialize(ctx);
        return widget;
      });
      started.catch((e) => console.error("[workbench] plotly's widget did not start", e));
    },
    async render(ctx) {
      const widget = await started;
      if (ctx.signal && ctx.signal.aborted) return undefined;
      return widget.render(ctx);
    },
  };
};
"""

#: Lines that import a module given as source text (``source``) without compiling it now.
_IMPORT_SOURCE = """
const importSource = (source) => {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  return import(url).finally(() => URL.revokeObjectURL(url));
};
"""

_LOADER = (
    "// plotly's widget bundle, loaded once by another figure of this page (workbench.ui)\n"
    + _SIZER
    + _PROMISE
    + _START_LATER.replace("__MODULE__", "g.__workbenchPlotly")
)

#: Environment variable: the URL path (from the page's origin, the server's base URL
#: included) at which the server serves plotly's widget bundle; unset: the owner carries it.
BUNDLE_URL_ENV = "WORKBENCH_PLOTLY_BUNDLE_URL"

#: The owner's lines that publish plotly's loaded module (``mod``) to the page's figures.
_PUBLISH = "(__DEFER__)(mod);\n  g.__workbenchPlotly.resolve(mod);".replace(
    "__DEFER__", _DEFER_DELTAS
)

_FETCH = """
import(new URL(__URL__, document.baseURI).href).then((mod) => {
  __PUBLISH__
});
"""

_CARRY = """
importSource(__SOURCE__).then((mod) => {
  __PUBLISH__
});
"""


def _bundle_url() -> str | None:
    url = os.environ.get(BUNDLE_URL_ENV, "")
    return url if url.startswith("/") else None


_esm_cache: dict[tuple, str] = {}


def _owner_esm(*, deferred: bool = False) -> str:
    """The owner's ``_esm``: a module that imports the bundle from :data:`BUNDLE_URL_ENV`
    (plotly's widget bundle as this server serves it), else carries the bundle as text and
    imports that, then publishes the loaded module to the page's other figures; its own
    widget starts without waiting for it (:data:`_START_LATER`).

    ``deferred``: the URL asks the server to answer once no other page is loading (a
    bundle fetched ahead of need, by :func:`figure_widget` with ``preload=True``)."""
    url = _bundle_url()
    key = ("owner", url, deferred and url is not None)
    if key not in _esm_cache:
        if url is not None:
            if deferred:
                url += "&after=pages"
            head = "// plotly's widget bundle, imported from this server (workbench.ui)\n"
            load = _FETCH.replace("__URL__", json.dumps(url))
        else:
            head = "// plotly's widget bundle, carried for this page's figures (workbench.ui)\n"
            load = _IMPORT_SOURCE + _CARRY.replace("__SOURCE__", json.dumps(_plotly_bundle()))
        _esm_cache[key] = (
            head
            + _SIZER
            + _PROMISE
            + load.replace("__PUBLISH__", _PUBLISH)
            + _START_LATER.replace("__MODULE__", "g.__workbenchPlotly")
        )
    return _esm_cache[key]


def _own_bundle_esm() -> str:
    """A figure's ``_esm`` with plotly's bundle for itself alone (no shared bundle: a
    notebook in JupyterLab, ``WORKBENCH_SHARED_PLOTLY=0``): the bundle as text, imported
    without holding up the model (:data:`_START_LATER`)."""
    key = ("own",)
    if key not in _esm_cache:
        _esm_cache[key] = (
            "// plotly's widget bundle (workbench.ui)\n"
            + _IMPORT_SOURCE
            + f"const own = importSource({json.dumps(_plotly_bundle())});\n"
            + _START_LATER.replace("__MODULE__", "own")
        )
    return _esm_cache[key]


def _is_owner_esm(esm: str) -> bool:
    """Whether ``esm`` is an owner's module (it publishes plotly's module to the others)."""
    return isinstance(esm, str) and "g.__workbenchPlotly.resolve(mod)" in esm


_bundle_owner: list = []  # [FigureWidget] that carries the bundle in this kernel
_figure_classes: dict[str, type] = {}


def _share_bundle_here() -> bool:
    if os.environ.get("WORKBENCH_SHARED_PLOTLY", "1") == "0":
        return False
    return "VOILA_KERNEL_ID" in os.environ or "VOILA_PREHEAT" in os.environ


def _plotly_bundle() -> str:
    import plotly

    return (Path(plotly.__file__).parent / "package_data" / "widgetbundle.js").read_text(
        encoding="utf-8"
    )


#: plotly's messages that change a figure in the browser (``BaseFigureWidget._send_*``).
_SENDS = (
    "_send_addTraces_msg",
    "_send_animate_msg",
    "_send_deleteTraces_msg",
    "_send_moveTraces_msg",
    "_send_relayout_msg",
    "_send_restyle_msg",
    "_send_update_msg",
)


def _keeping_state(send):
    """``send`` (a ``FigureWidget._send_*`` method), then the figure's whole data and layout
    as its widget state.

    plotly's browser model applies an update message to its copy of the data only once its
    JavaScript has started (``initialize`` registers the listeners), and a view draws that
    copy. In a loaded page (Voila, with the shared bundle or without, or JupyterLab) a
    figure's 5 MB bundle (or the owner's, which a loader waits for) can take seconds to
    start, and an update sent meanwhile was lost: the chart
    came up empty (default -1..6 axes) until the next change. With the whole state sent
    after each update, a model that starts late reads the current figure; a model already
    running ignores the state message (plotly's ``do_data`` does nothing) after applying
    the update, so nothing is applied twice.

    Once a view has drawn the figure and reported back (its first ``_js2py_traceDeltas``,
    sent after plotly.js drew it: the model's JavaScript has run by then), updates reach
    the model and the state is no longer sent: two deep copies and two messages of the
    whole figure on every slider step, for nothing.
    """

    def sending(self, *args, **kwargs):
        result = send(self, *args, **kwargs)
        if not self._view_drawn:
            self._widget_layout = copy.deepcopy(self._layout_obj._props)
            self._widget_data = copy.deepcopy(self._data)
        return result

    sending.__name__ = send.__name__
    sending.__doc__ = send.__doc__
    return sending


def _on_view_drawn(self, change) -> None:
    """A view reported what it drew: from now on updates reach the browser's model (see
    :func:`_keeping_state`)."""
    new = change["new"]
    if isinstance(new, dict) and len(new.get("trace_deltas") or ()) == len(self._data):
        self._view_drawn = True


#: What a figure's view reports to the kernel (plotly's ``_js2py_*`` traits).
_FROM_VIEW = (
    "_js2py_traceDeltas",
    "_js2py_layoutDelta",
    "_js2py_restyle",
    "_js2py_relayout",
    "_js2py_update",
    "_js2py_pointsCallback",
)


def _unechoed_traits(base: type) -> dict:
    """plotly's ``_js2py_*`` traits of ``base``, not echoed back to the page.

    ipywidgets 8 sends every state a page sets back to the page ("echo_update", so that
    several pages on one kernel agree). plotly's view reads none of these traits: the
    echo of the trace deltas its view sends after every redraw was 7 kB of the kernel's
    15 kB answer to a slider step, made by the kernel and parsed by the page for nothing.
    """
    traits = base.class_traits()
    out = {}
    for name in _FROM_VIEW:
        if name in traits:
            meta = {**traits[name].metadata, "echo_update": False}
            out[name] = traitlets.Dict(allow_none=True).tag(**meta)
    return out


def _figure_class(role: str) -> type:
    """FigureWidget with the bundle and the publishing lines ("owner"), with the few lines
    that wait for it ("loader"), or with plotly's own bundle ("plain": no shared bundle,
    a notebook in JupyterLab) as the ``_esm`` it opens its comm with; all three send
    their whole state after every update (:func:`_keeping_state`)."""
    cls = _figure_classes.get(role)
    if cls is None:
        import plotly.graph_objects as go

        # Same name and module as plotly's class, so anywidget identifies it the same way.
        body = {"__module__": go.FigureWidget.__module__, "_view_drawn": False}
        body.update({name: _keeping_state(getattr(go.FigureWidget, name)) for name in _SENDS})
        body["_on_view_drawn"] = traitlets.observe("_js2py_traceDeltas")(_on_view_drawn)
        body.update(_unechoed_traits(go.FigureWidget))
        cls = type(go.FigureWidget)("FigureWidget", (go.FigureWidget,), body)
        # Set after the class exists: anywidget's __init_subclass__ would take a str for a path.
        if role == "loader":
            cls._esm = _LOADER
        elif role in ("owner", "preload"):
            cls._esm = _owner_esm(deferred=role == "preload")
        else:  # "plain": plotly's own bundle, started as the shared one is
            cls._esm = _own_bundle_esm()
        _figure_classes[role] = cls
    return cls


def figure_widget(*args, preload: bool = False, **kwargs):
    """``plotly.graph_objects.FigureWidget(*args, **kwargs)``; in a Voila kernel the first
    one carries plotly's bundle and the later ones the lines that wait for it (see the
    comment "one plotly bundle" above), from their first message on.

    Changing a figure's ``_esm`` after it exists (what :func:`share_plotly_bundle` does)
    sends the 5 MB bundle again: opening the first chart tab sent it twice. Elsewhere
    (``WORKBENCH_SHARED_PLOTLY=0``, a notebook in JupyterLab) each figure carries plotly's
    own bundle. Either way a figure's whole state follows every update until a view has
    drawn it (see :func:`_keeping_state`), so a figure whose JavaScript starts late draws
    its data.

    ``preload=True``: a figure made only to bring the bundle ahead of need; under
    ``workbench serve`` the server sends it once no other page is loading.
    """
    if not _share_bundle_here():
        # every figure loads plotly's bundle itself and starts as late: its state follows
        # every update too (a plain FigureWidget came up empty)
        return _figure_class("plain")(*args, **kwargs)
    owner = _bundle_owner[0] if _bundle_owner else None
    if owner is None or getattr(owner, "comm", None) is None:
        role = "preload" if preload and _bundle_url() is not None else "owner"
        fig = _figure_class(role)(*args, **kwargs)
        _bundle_owner[:] = [fig]
        return fig
    return _figure_class("loader")(*args, **kwargs)


def share_plotly_bundle(figures) -> int:
    """Let one FigureWidget carry plotly's JavaScript bundle and the others wait for it.

    Returns how many figures now load the bundle from the owner. See the comment "one plotly
    bundle" above; used automatically in Voila kernels by :func:`sync_figures`. Figures made
    with :func:`figure_widget` already are owner and loaders: nothing is sent for them.
    """
    figures = [f for f in figures if getattr(f, "comm", None) is not None]
    if not figures:
        return 0
    owner = _bundle_owner[0] if _bundle_owner else None
    if owner is None or getattr(owner, "comm", None) is None:
        owner = figures[0]
        if not _is_owner_esm(owner._esm):
            owner._esm = _owner_esm()
        _bundle_owner[:] = [owner]
    shared = 0
    for fig in figures:
        if fig is not owner and fig._esm != _LOADER:
            fig._esm = _LOADER
            shared += 1
    return shared


class Panel(widgets.VBox):
    """Base of the workbench panels: a VBox whose FigureWidgets show their current data
    when it is displayed (see :func:`sync_figures`).

    A panel takes data in its constructor, owns its controls and FigureWidgets (all
    traces passed to the constructor, STACK.md pitfall 2; updates inside
    ``fig.batch_update()``), exposes its result as a trait, may define
    ``set_dataset(ds)`` and ``set_plan(plan)`` for the dashboard to call, and never
    calls ``display()``.
    """

    def _repr_mimebundle_(self, **kwargs):
        sync_figures(self)
        ensure_accessibility(self)  # the page's sliders named and read with their units
        return super()._repr_mimebundle_(**kwargs)
