"""The Data tab: upload your own tables or pick the sample business; download the plan.

Uploads (CSV, Excel, zip or Parquet; several files at once) are validated with
``wb.load_uploaded``. A ``DataError`` is shown as a readable table (file, row, column,
value, what was expected) and the current data stays loaded; a valid upload replaces
the ``dataset`` trait, which the dashboard observes.
"""

from __future__ import annotations

import functools
import html

import ipywidgets as widgets
import pandas as pd
import traitlets

import workbench as wb
from workbench.data.frequency import FREQUENCY_NAMES, bucket_index

from ._common import (
    Panel,
    active_scenario_html,
    defaults_sentences,
    download_link,
    error_table_html,
    fmt_int,
    frame_to_csv_bytes,
    frame_to_excel_bytes,
    html_table,
    on_click,
    unplanned_html,
    uploaded_files,
)
from ._source import source_label

__all__ = [
    "FEATURES",
    "DataPanel",
    "load_files",
    "orientation_html",
    "plan_download_html",
    "plan_downloads",
    "tab_guide_html",
    "template_csv",
    "templates_html",
]

#: What the workbench answers, in the words of the first screen.
ANSWERS = (
    "How much to order and when, for every item, at what stock investment and what service "
    "to customers; which items matter most; and what changes when costs, targets, lead "
    "times or demand change."
)

ACCEPT = ".csv,.xlsx,.zip,.parquet"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: What the workbench can do with each optional table: (feature, tables it needs).
FEATURES: list[tuple[str, tuple[str, ...]]] = [
    ("EOQ, safety stock, ABC/XYZ, trade-offs, weekly review", ()),
    ("Demand forecasts per item, each model tested on the past, planning from the forecast", ()),
    ("Stock value, FIFO valuation, stock age and expiry risk", ("lots",)),
    (
        "FIFO, average and LIFO valuation from purchase costs; stock rolled back to a past date",
        ("purchase_orders",),
    ),
    ("Supplier master data (names, quoted lead times, minimum order values)", ("suppliers",)),
    ("Replenishment: today's order list and draft purchase orders", ("lots",)),
    (
        "Supplier scorecards: lead times achieved against quoted, on-time delivery, overdue orders",
        ("purchase_orders",),
    ),
    ("Count audit and record accuracy", ("counts",)),
    (
        "BOM explosion and MRP planned orders (the MRP tab), from the production schedule, or the "
        "demand history where there is none",
        ("bom",),
    ),
    (
        "Open production orders as MRP's scheduled receipts of made items, with expedite, "
        "defer and cancel messages",
        ("bom", "production_orders"),
    ),
]

OPTIONAL_TABLES = (
    "lots",
    "suppliers",
    "purchase_orders",
    "bom",
    "counts",
    "schedule",
    "production_orders",
)


#: The Data tab's reading options: (label, value passed to ``wb.load_uploaded``).
DATE_ORDERS = [
    ("Detect from the dates", None),
    ("Day first (31/12/2026)", True),
    ("Month first (12/31/2026)", False),
]
BUCKETS = [("day", "D"), ("week", "W"), ("month", "M")]
DECIMALS = [
    ("Detect from the numbers", None),
    ("Decimal point (1,234.50)", "."),
    ("Decimal comma (1.234,50)", ","),
]


def load_files(files: dict[str, bytes], **options):
    """Validate uploaded files (name -> bytes) into a Dataset.

    Uses ``wb.load_uploaded`` (the data layer's loader for in-memory files) with the
    reading ``options`` it takes (``dayfirst=``, ``decimal=``). Raises ``wb.DataError``
    listing every problem when the files are not valid.
    """
    return wb.load_uploaded(files, **options)


def plan_downloads(plan: pd.DataFrame) -> dict[str, tuple[bytes, str]]:
    """The plan as CSV and Excel bytes: {"csv": (bytes, mime), "xlsx": (bytes, mime)}.

    Both are guarded against formula injection (:mod:`workbench.data._safe_export`).
    """
    frame = _plan_frame(plan)
    return {
        "csv": (frame_to_csv_bytes(frame), "text/csv"),
        "xlsx": (frame_to_excel_bytes({"plan": frame}), XLSX_MIME),
    }


class DataPanel(Panel):
    """Upload data or use the sample business; see what was loaded; download the plan.

    Parameters
    ----------
    dataset : workbench.Dataset
        The data shown at first.
    plan : DataFrame, optional
        The plan offered for download (``set_plan`` replaces it).
    sample : callable, optional
        Returns the sample business for the "Use the sample business" button; default
        the dashboard's :func:`workbench.ui.app.default_dataset` without ``--data``.

    Attributes
    ----------
    dataset : traitlet
        The loaded dataset; replaced by a valid upload or the sample button.
    error : traitlet
        The last upload error (``wb.DataError`` or other exception), None after a
        successful load.
    """

    dataset = traitlets.Any(allow_none=True)
    error = traitlets.Any(allow_none=True)

    def __init__(
        self,
        dataset,
        *,
        plan: pd.DataFrame | None = None,
        sample=None,
        **kwargs,
    ):
        self._sample = sample
        self.orientation = widgets.HTML(orientation_html())
        self.orientation.add_class("wb-orientation")
        self.templates = widgets.HTML(templates_html())
        self.templates.add_class("wb-templates")
        self.intro = widgets.HTML(
            "<h3 style='margin:8px 0 4px 0'>Your data</h3>"
            "<div>Upload the tables of your business: CSV or Parquet files (one per table, "
            "named <code>items</code>, <code>demand</code>, <code>lots</code>, ...), one Excel "
            "workbook with a sheet per table, or a zip of them. Only <b>items</b> and "
            "<b>demand</b> are required.</div>"
            '<div class="wb-note">Dates, Numbers: how your files write them. Detect works for '
            "most files; when a column could be read two ways, the problem list says so and "
            "you choose here (changing a choice reads your last upload again). Demand per: "
            "what one date of the demand table stands for, detected from the dates; a week "
            "or a month sums daily demand into buckets.</div>"
        )
        self.upload = widgets.FileUpload(
            accept=ACCEPT,
            multiple=True,
            description="Choose files to upload",
            tooltip="Choose your CSV, Excel, zip or Parquet files to upload",
            button_style="primary",
            icon="",
        )  # no icon: the lab template loads FontAwesome from a CDN (STACK.md pitfall 8)
        self.upload.add_class("wb-upload")
        self.sample_button = widgets.Button(
            description="Use the sample business",
            icon="",
            tooltip="Load the shipped sample data",
            layout=widgets.Layout(width="auto"),
        )
        self.sample_button.add_class("wb-sample-button")
        self.date_order = widgets.Dropdown(
            options=DATE_ORDERS,
            value=None,
            description="Dates",
            style={"description_width": "70px"},
        )
        self.date_order.add_class("wb-date-order")
        self.decimal = widgets.Dropdown(
            options=DECIMALS, value=None, description="Numbers", style={"description_width": "70px"}
        )
        self.decimal.add_class("wb-decimal")
        self.bucket = widgets.Dropdown(
            options=BUCKETS,
            value="D",
            description="Demand per",
            style={"description_width": "80px"},
        )
        self.bucket.add_class("wb-bucket")
        self.message = widgets.HTML()
        self.message.add_class("wb-message")
        self._files: dict[str, bytes] | None = None
        self.summary = widgets.HTML()
        self.summary.add_class("wb-data-summary")
        self.defaults = widgets.HTML()
        self.defaults.add_class("wb-defaults")
        self.unplanned = widgets.HTML()
        self.unplanned.add_class("wb-data-unplanned")
        self.capabilities = widgets.HTML()
        self.capabilities.add_class("wb-capabilities")
        self.downloads = widgets.HTML()
        self.downloads.add_class("wb-downloads")
        self.excel_button = widgets.Button(description="Make the Excel file", disabled=True)
        self.excel_button.add_class("wb-excel-button")
        self.excel = widgets.HTML()
        self.excel.add_class("wb-excel")
        self._plan = None
        super().__init__(
            children=[
                self.orientation,
                # the plan download where it is seen: right under the orientation
                widgets.HTML("<h3 style='margin:8px 0 4px 0'>Download the plan</h3>"),
                self.downloads,
                widgets.HBox([self.excel_button, self.excel]),
                self.intro,
                widgets.HBox(
                    [self.upload, self.sample_button, self.date_order, self.decimal, self.bucket],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.message,
                self.templates,
                self.summary,
                self.defaults,
                self.unplanned,
                self.capabilities,
            ],
            **kwargs,
        )
        self.add_class("wb-data-panel")
        self._intro_text = self.intro.value
        self.upload.observe(self._on_upload, names="value")
        on_click(
            self.sample_button,
            self._on_sample,
            self.message,
            title="The sample could not be loaded",
        )
        on_click(
            self.excel_button, self.make_excel, self.excel, title="The Excel file could not be made"
        )
        self.date_order.observe(self._on_option, names="value")
        self.decimal.observe(self._on_option, names="value")
        self.bucket.observe(self._on_bucket, names="value")
        self.set_trait("dataset", dataset)
        self.set_dataset(dataset)
        self.set_plan(plan)
        self.observe(lambda change: self.set_dataset(change.new), names="dataset")

    # -- loading
    def load_files(self, files: dict[str, bytes]) -> bool:
        """Validate files (name -> bytes); on success replace ``dataset``, otherwise show
        the problems. Returns whether the data was replaced."""
        self._files = dict(files)
        try:
            ds = load_files(files, **self.read_options())
        except Exception as exc:  # DataError above all; anything else is shown the same way
            self.error = exc
            title = (
                f"{', '.join(files) or 'The upload'} could not be loaded; "
                "the data in use has not changed"
            )
            self.message.value = error_table_html(exc, title=title)
            return False
        self.error = None
        self.dataset = ds
        self.message.value = (
            f'<div class="wb-ok">Loaded {html.escape(", ".join(files))}: '
            f"{fmt_int(len(ds.items))} SKUs, {fmt_int(len(ds.demand))} demand rows.</div>"
        )
        return True

    def read_options(self) -> dict:
        """The reading options chosen in the tab, as ``wb.load_uploaded`` keywords."""
        return {"dayfirst": self.date_order.value, "decimal": self.decimal.value}

    def _on_option(self, _change=None) -> None:
        if self._files:  # read the last upload again with the new choice
            self.load_files(self._files)

    def _on_bucket(self, change) -> None:
        ds = self.dataset
        if ds is None or change.new == ds.demand_frequency:
            return
        try:
            self.dataset = ds.with_frequency(change.new)
        except Exception as exc:  # dates that cannot be that bucket: say so, keep the data
            self.error = exc
            self.message.value = error_table_html(
                exc, title=f"The demand cannot be read per {self.bucket.label}"
            )
            self._show_bucket(ds)
            return
        self.error = None
        self.message.value = (
            f'<div class="wb-ok">Demand now read per {html.escape(self.bucket.label)}.</div>'
        )

    def _show_bucket(self, ds) -> None:
        self.bucket.unobserve(self._on_bucket, names="value")
        self.bucket.value = ds.demand_frequency
        self.bucket.observe(self._on_bucket, names="value")

    def set_tab_guide(self, purposes: list[tuple[str, str]]) -> None:
        """Show what each tab is for under the introduction: (tab title, purpose) pairs
        (the dashboard passes its tabs' ``TabSpec.purpose``)."""
        self.orientation.value = orientation_html(purposes)

    def _on_upload(self, change) -> None:
        files = uploaded_files(change.new)
        if not files:
            return
        self.load_files(files)
        # Clear the widget so uploading the same file again fires a change.
        self.upload.unobserve(self._on_upload, names="value")
        self.upload.value = ()
        self.upload.observe(self._on_upload, names="value")

    def _on_sample(self, _button=None) -> None:
        from .app import default_dataset, sample_data_dir

        try:
            if self._sample is not None:
                ds = self._sample()
            else:
                folder = sample_data_dir()
                ds = default_dataset(folder) if folder.is_dir() else wb.sample_dataset()
        except Exception as exc:
            self.error = exc
            self.message.value = error_table_html(exc, title="The sample could not be loaded")
            return
        self.error = None
        self._files = None  # the reading options now apply to the next upload
        self.dataset = ds
        self.message.value = '<div class="wb-ok">Loaded the sample business.</div>'

    # -- showing
    def set_dataset(self, dataset) -> None:
        """Show what the dataset holds and what it can support."""
        if dataset is None:
            self.summary.value = ""
            self.defaults.value = ""
            return
        if dataset is not self.dataset:
            self.set_trait("dataset", dataset)
        self._show_bucket(dataset)
        self.summary.value = _summary_html(dataset)
        self.defaults.value = _defaults_html(dataset)
        self.capabilities.value = _capabilities_html(dataset)

    def set_plan(self, plan: pd.DataFrame | None) -> None:
        """Offer the plan as CSV and Excel download links (data URIs, no server file),
        and list the items it could not plan (with the reason)."""
        self.unplanned.value = unplanned_html(plan)
        if plan is None or len(plan) == 0:
            self._plan = None
            self.excel.value = ""
            self.excel_button.disabled = True
            self.downloads.value = (
                '<div class="wb-unavailable">No plan yet: it appears here once the data is '
                "loaded and the plan can be computed.</div>"
            )
            return
        self._plan = plan
        self.downloads.value = plan_download_html(plan)
        # Excel takes about a second per 1,000 rows with openpyxl: made on request only.
        self.excel.value = ""
        self.excel_button.disabled = False

    def make_excel(self, _button=None) -> str:
        """Write the plan as an .xlsx workbook and show its download link; return the link.

        The button runs this through :func:`~workbench.ui._common.on_click`: an error is
        shown beside the button, which is enabled again.
        """
        if self._plan is None:
            return ""
        self.excel.value = ""
        data = frame_to_excel_bytes({"plan": _plan_frame(self._plan)})
        self.excel.value = download_link(
            data, "plan.xlsx", "Plan as Excel (ready)", XLSX_MIME, css_class="wb-plan-xlsx"
        )
        return self.excel.value


#: The last plan whose download links were made and those links, (plan, html): a plan is
#: never changed once made, so the same plan object gives the same links. The fork server
#: makes them for the preloaded plan (``workbench.ui.app.preload_first_page``); each
#: page's kernel then reuses them instead of writing the plan's CSV again (0.15 s).
_PLAN_LINKS: list = []


def plan_download_html(plan: pd.DataFrame) -> str:
    """The plan's CSV download link, the active scenario's name and the plan's columns,
    as HTML (the Data tab's "Download the plan" section); made once per plan object."""
    if _PLAN_LINKS and _PLAN_LINKS[0] is plan:
        return _PLAN_LINKS[1]
    frame = _plan_frame(plan)
    csv = frame_to_csv_bytes(frame)
    out = (
        download_link(csv, "plan.csv", "Plan as CSV", "text/csv", css_class="wb-plan-csv")
        + active_scenario_html(plan).replace("wb-active-scenario", "wb-plan-scenario", 1)
        + f'<div class="wb-note">{fmt_int(len(plan))} SKUs; columns: '
        f"{html.escape(', '.join(map(str, frame.columns)))}</div>"
    )
    _PLAN_LINKS[:] = [plan, out]
    return out


def orientation_html(purposes: list[tuple[str, str]] | None = None) -> str:
    """The first screen's orientation: what the workbench answers, then what each tab is
    for (:func:`tab_guide_html` of the (title, purpose) pairs the dashboard passes)."""
    return (
        "<div class='wb-orientation-text'><b>What the workbench answers.</b> "
        f"{html.escape(ANSWERS)} Start with the sample business, or load your own files "
        "below; every tab then shows your items.</div>" + tab_guide_html(purposes or [])
    )


def template_csv(table: str) -> bytes:
    """A CSV template of one table (``workbench.data.SCHEMAS``): every column it reads,
    required ones first, and one example row (the shipped sample's first row when there
    is one). Guarded like every download.

    Raises
    ------
    KeyError
        If ``table`` is not a table of the data model.
    """
    from workbench.data import SCHEMAS

    from .app import sample_data_dir

    schema = SCHEMAS[table]
    cols = [c.name for c in schema.columns if c.required] + [
        c.name for c in schema.columns if not c.required
    ]
    example = {}
    path = sample_data_dir() / f"{table}.csv"
    if path.is_file():
        head = pd.read_csv(path, nrows=1, dtype=str, keep_default_na=False)
        if len(head):
            example = head.iloc[0].to_dict()
    row = {c: example.get(c, "") for c in cols}
    # object columns: the guard checks one row's texts in Python; Arrow string columns
    # cost a vectorised regex per column (half of this, on a cold start's critical path)
    return frame_to_csv_bytes(pd.DataFrame([row], columns=cols, dtype=object))


def templates_html() -> str:
    """Download links of a template per table, with the required columns and what each
    table is, as HTML (the Data tab's "Templates" section).

    Made once per state of the shipped sample files (their sizes and modification
    times): writing the guarded CSVs (one per table) took 0.4 s of every page's kernel."""
    from .app import _data_stamp

    return _templates_html(_data_stamp(None))


@functools.lru_cache(maxsize=2)
def _templates_html(_sample_stamp) -> str:
    from workbench.data import SCHEMAS

    rows = []
    for name, schema in SCHEMAS.items():
        link = download_link(
            template_csv(name),
            f"{name}.csv",
            f"{name}.csv",
            "text/csv",
            css_class=f"wb-template wb-template-{name}",
        )
        need = "required" if schema.required else "optional"
        rows.append(
            f"<tr><td>{link}</td><td>{need}</td>"
            f"<td>{html.escape(', '.join(schema.required_columns))}</td>"
            f"<td style='white-space:normal'>{html.escape(str(schema.meaning))}</td></tr>"
        )
    return (
        "<details class='wb-templates-box'><summary><b>Templates and required "
        "columns</b> (one CSV per table, with an example row)</summary>"
        "<table class='wb-table wb-templates-table'><thead><tr><th>template</th>"
        "<th>table</th><th>columns you must fill</th><th>what it holds</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        "<div class='wb-note'>The other columns of a template are optional: leave them "
        "blank and the workbench fills in a documented default (listed below once loaded)."
        "</div></details>"
    )


def _plan_frame(plan: pd.DataFrame) -> pd.DataFrame:
    """The plan with its SKU index as the first column."""
    if plan.index.name is not None or not isinstance(plan.index, pd.RangeIndex):
        return plan.reset_index(names=plan.index.name or "sku")
    return plan


def _summary_html(ds) -> str:
    rows = []
    for name, table in ds.tables.items():
        rows.append({"table": name, "rows": len(table), "columns": len(table.columns)})
    tables = pd.DataFrame(rows)
    start, end = ds.demand_period
    freq = ds.demand_frequency
    n_buckets = int(bucket_index(pd.Series([end]), freq, start)[0]) + 1
    unit = {"D": "day", "W": "week", "M": "month"}[freq]
    head = (
        f"<div><b>{fmt_int(len(ds.items))}</b> SKUs · demand from "
        f"<b>{pd.Timestamp(start):%Y-%m-%d}</b> to <b>{pd.Timestamp(end):%Y-%m-%d}</b> "
        f"({fmt_int(n_buckets)} {unit}{'s' if n_buckets != 1 else ''}, "
        f"{FREQUENCY_NAMES[freq]} buckets) · source: {html.escape(source_label(ds.source))}</div>"
    )
    report = ds.report
    if report is None or len(report) == 0:
        excluded = '<div class="wb-note wb-report">No rows were excluded.</div>'
    else:
        n = int(pd.to_numeric(report["rows"], errors="coerce").fillna(0).sum())
        excluded = (
            f"<div class='wb-report'>Rows excluded on purpose ({fmt_int(n)}):</div>"
            + html_table(report)
        )
    notes = ""
    if ds.notes:
        notes = (
            "<div class='wb-load-notes'>Notes from reading the files:<ul>"
            + "".join(f"<li>{html.escape(str(n))}</li>" for n in ds.notes)
            + "</ul></div>"
        )
    return (
        "<h3 style='margin:8px 0 4px 0'>What is loaded</h3>"
        + head
        + html_table(tables)
        + excluded
        + notes
    )


def _defaults_html(ds) -> str:
    """The values the loader filled in, in words (``ds.defaults``)."""
    sentences = defaults_sentences(ds)
    if not sentences:
        return '<div class="wb-note">No values were filled in: every column was given.</div>'
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return (
        "<h3 style='margin:8px 0 4px 0'>Values filled in</h3>"
        "<div class='wb-note'>Columns missing or blank in your files were given the "
        "documented default; check they fit your business.</div>"
        f"<ul class='wb-defaults-list'>{items}</ul>"
    )


def tab_guide_html(purposes: list[tuple[str, str]]) -> str:
    """What each tab is for, one line per tab (the tabs' ``purpose``), as HTML."""
    items = "".join(
        f"<li><b>{html.escape(title)}</b>: {html.escape(text)}</li>"
        for title, text in purposes
        if text
    )
    if not items:
        return ""
    return (
        "<div class='wb-tab-guide'><b>What each tab is for</b>"
        f"<ul style='margin:2px 0 6px 0'>{items}</ul></div>"
    )


def _capabilities_html(ds) -> str:
    items = []
    for feature, needs in FEATURES:
        missing = [t for t in needs if not ds.has(t)]
        if missing:
            items.append(
                f'<li class="wb-unavailable">{html.escape(feature)}: not available, needs the '
                f"{html.escape(' and '.join(missing))} table{'s' if len(missing) > 1 else ''}"
                "</li>"
            )
        else:
            items.append(f"<li>{html.escape(feature)}: available</li>")
    return (
        "<h3 style='margin:8px 0 4px 0'>What this data supports</h3><ul>" + "".join(items) + "</ul>"
    )
