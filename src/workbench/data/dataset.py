"""The Dataset: validated, typed tables of one business, and the loaders that build it.

``load_dataset(path)`` reads a folder of CSV or Parquet files, an Excel workbook with one
sheet per table, or a .zip of either; ``load_uploaded(files)`` reads what the dashboard's
file-upload widget received; ``Dataset.from_tables`` validates DataFrames made in code.
All three go through the same coercion and validation and raise :class:`DataError` listing
every problem found, each located in the user's own file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .._numeric import index_in
from ._readers import EXCEL_EXT, ZIP_EXT, Collected, collect_sources
from ._safe_export import EXCEL_MAX_ROWS, write_csv, write_excel
from ._validate import PER_CHECK_LIMIT, Located, Validator
from .errors import DataError, Problem
from .frequency import (
    FREQUENCIES,
    FREQUENCY_NAMES,
    check_frequency,
    detect_frequency,
    normalize_frequency,
    rebucket,
)
from .limits import ReadLimits
from .schema import SCHEMAS, table_for_name

__all__ = ["Dataset", "load_dataset", "load_uploaded"]


class Dataset:
    """Validated tables of one business (see ``SCHEMAS`` for the columns).

    Build one with :func:`load_dataset`, :func:`load_uploaded`, :meth:`from_tables` or
    ``sample_dataset``; the constructor itself does not validate.

    Attributes
    ----------
    items, demand : pandas.DataFrame
        Required tables, RangeIndex, every schema column present in schema order.
    lots, suppliers, purchase_orders, bom, counts, schedule, production_orders : DataFrame or None
        Optional tables (None when absent).
    tables : dict of str to DataFrame
        The tables present, in schema order.
    report : pandas.DataFrame
        Columns ``table, rows, reason``: rows excluded or merged on purpose and files
        ignored (``rows`` is <NA> when not counted). Empty when nothing was excluded.
    notes : list of str
        Other things worth knowing: ignored columns, defaults and lead times filled in.
    defaults : pandas.DataFrame
        Every value the loader filled in, one row per table and column: ``table``,
        ``column``, ``value`` (the value written; None when it was taken from another
        table), ``rows`` (how many rows got it), ``all_rows`` (True when the file had no
        such column at all) and ``source`` (``"default"`` for the schema's documented
        default, else the file it was taken from, e.g. ``"suppliers.csv"`` for lead
        times) and ``file`` (the file, and sheet, of the table filled in). Empty when
        nothing was filled.
    source : str
        Where the data came from.
    demand_frequency : {"D", "W", "M"}
        The demand bucket: each demand date is a day, a week (starting that day) or a
        month. Given to the constructor or loader (``frequency=``), else detected from
        the dates (:func:`~workbench.data.frequency.detect_frequency`). Change it with
        :meth:`with_frequency`.
    """

    def __init__(
        self,
        tables: Mapping[str, pd.DataFrame],
        *,
        report: pd.DataFrame | None = None,
        notes: list[str] | None = None,
        source: str = "",
        defaults: pd.DataFrame | None = None,
        frequency: str | None = None,
    ) -> None:
        self.tables: dict[str, pd.DataFrame] = {
            name: tables[name] for name in SCHEMAS if tables.get(name) is not None
        }
        self.report = report if report is not None else _report_frame([])
        self.notes = list(notes or [])
        self.defaults = defaults if defaults is not None else _defaults_frame([])
        self.source = source
        self._frequency = None if frequency is None else normalize_frequency(frequency)
        self._files: dict[str, str] = {}

    # ------------------------------------------------------------------ table access

    items = property(lambda self: self.tables.get("items"), doc="Item master, one row per SKU.")
    demand = property(
        lambda self: self.tables.get("demand"), doc="Daily demand: date, sku, quantity."
    )
    lots = property(lambda self: self.tables.get("lots"), doc="Lots on hand, or None.")
    suppliers = property(lambda self: self.tables.get("suppliers"), doc="Suppliers, or None.")
    purchase_orders = property(
        lambda self: self.tables.get("purchase_orders"), doc="Purchase-order lines, or None."
    )
    bom = property(lambda self: self.tables.get("bom"), doc="Bill of materials, or None.")
    counts = property(lambda self: self.tables.get("counts"), doc="Physical counts, or None.")
    schedule = property(
        lambda self: self.tables.get("schedule"), doc="Master production schedule, or None."
    )
    production_orders = property(
        lambda self: self.tables.get("production_orders"),
        doc="Production (work) orders, open and completed, or None.",
    )

    def has(self, name: str) -> bool:
        """Whether the dataset has table ``name`` (``"lots"``, ``"bom"`` ...)."""
        if name not in SCHEMAS:
            raise ValueError(f"name must be one of {', '.join(SCHEMAS)}; got {name!r}")
        return name in self.tables

    @property
    def demand_frequency(self) -> str:
        """The demand bucket, ``"D"``, ``"W"`` or ``"M"`` (detected on first use if not
        given)."""
        if self._frequency is None:
            demand = self.demand
            dates = demand["date"] if demand is not None else []
            self._frequency = detect_frequency(dates)[0]
        return self._frequency

    def with_frequency(self, frequency: str) -> Dataset:
        """A copy whose demand is read in another bucket.

        Parameters
        ----------
        frequency : {"D", "W", "M"} (or "daily", "weekly", "monthly")
            The new bucket.

        Returns
        -------
        Dataset
            A coarser bucket than the current one sums the demand table into it (weeks
            labelled by their Monday, months by their 1st); the same or a finer bucket
            keeps the table and only reads its dates differently (the user states that,
            e.g., monthly-looking dates are real days). The other tables are shared,
            not copied; ``notes`` gets a line saying what changed.

        Raises
        ------
        ValueError
            For an unknown frequency, or a bucket the dates cannot be (weekly for
            dates a day apart).

        Examples
        --------
        >>> import pandas as pd
        >>> days = pd.date_range("2025-01-01", "2025-03-31")
        >>> ds = Dataset.from_tables({
        ...     "items": pd.DataFrame({"sku": ["A"], "unit_cost": [1.0],
        ...                            "inventory_type": ["finished_good"]}),
        ...     "demand": pd.DataFrame({"date": days, "sku": "A", "quantity": 1.0})})
        >>> ds.demand_frequency
        'D'
        >>> m = ds.with_frequency("M")
        >>> m.demand_frequency, m.demand["quantity"].tolist()
        ('M', [31.0, 28.0, 31.0])
        >>> m.with_frequency("D").demand_frequency    # as stated: the 1st are real days
        'D'
        """
        freq = normalize_frequency(frequency)
        old = self.demand_frequency
        tables = dict(self.tables)
        if FREQUENCIES.index(freq) > FREQUENCIES.index(old):
            tables["demand"] = rebucket(self.demand, freq)
            what = f"demand summed from {FREQUENCY_NAMES[old]} to {FREQUENCY_NAMES[freq]} buckets"
        else:
            clash = check_frequency(self.demand["date"], freq)
            if clash is not None:
                raise ValueError(
                    f"frequency {freq!r} does not fit the demand dates: {clash[0]} are {clash[1]}"
                )
            what = f"demand read as {FREQUENCY_NAMES[freq]} buckets (as stated)"
        notes = [n for n in self.notes if not n.startswith(("demand read as ", "demand summed "))]
        ds = Dataset(
            tables,
            report=self.report,
            notes=[*notes, what],
            source=self.source,
            defaults=self.defaults,
            frequency=freq,
        )
        ds._files = dict(self._files)
        return ds

    @property
    def demand_period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last date of the demand table (NaT, NaT if it has no rows)."""
        dates = self.demand["date"]
        return (dates.min(), dates.max())

    # ------------------------------------------------------------------ building

    @classmethod
    def from_tables(
        cls,
        tables: Mapping[str, pd.DataFrame],
        *,
        source: str = "tables",
        dayfirst: bool | None = None,
        decimal: Literal[".", ","] | None = None,
        frequency: str | None = None,
    ) -> Dataset:
        """Validate and coerce DataFrames into a Dataset.

        Parameters
        ----------
        tables : mapping of str to pandas.DataFrame
            Table name (``"items"``, ``"demand"`` ...; aliases accepted) to its frame.
            Headers and values are coerced as when loading files.
        source : str
            Description kept in :attr:`source`.
        dayfirst, decimal
            How to read dates and numbers written as text, as in :func:`load_dataset`.
        frequency : {"D", "W", "M"}, optional
            The demand bucket, as in :func:`load_dataset`.

        Returns
        -------
        Dataset

        Raises
        ------
        DataError
            Listing every problem; rows are numbered 1, 2, ... by position in the frame
            and the file is named ``table 'items'``.

        Examples
        --------
        >>> import pandas as pd
        >>> items = pd.DataFrame({"SKU": ["A", "B"], "Unit Cost": [2.5, 4.0],
        ...                       "inventory_type": ["finished_good", "raw_material"]})
        >>> demand = pd.DataFrame({"date": ["2026-01-01", "2026-01-03"], "sku": ["A", "A"],
        ...                        "qty": [3, 5]})
        >>> ds = Dataset.from_tables({"items": items, "demand": demand})
        >>> ds.items["holding_cost_rate"].tolist()   # the documented default
        [0.25, 0.25]
        >>> ds.demand_period[1].date()
        datetime.date(2026, 1, 3)
        """
        collected = Collected([], [], [], [])
        from ._readers import RawTable

        for name, frame in tables.items():
            canon = table_for_name(name)
            if canon is None:
                collected.notes.append(f"ignored table '{name}' (not a table of the model)")
                collected.report.append((str(name), len(frame), "unknown table name; ignored"))
                continue
            if not isinstance(frame, pd.DataFrame):
                collected.problems.append(
                    Problem(
                        f"table '{name}'",
                        None,
                        None,
                        None,
                        type(frame).__name__,
                        "a pandas DataFrame",
                    )
                )
                continue
            frame = frame.reset_index(drop=True)
            frame.columns = [str(c) for c in frame.columns]
            collected.raws.append(
                RawTable(canon, frame, f"table '{name}'", None, np.arange(1, len(frame) + 1))
            )
        return _set_frequency(
            _build(collected, source, dayfirst=dayfirst, decimal=decimal), frequency
        )

    # ------------------------------------------------------------------ writing

    def to_folder(self, path: str | os.PathLike, format: Literal["csv", "parquet"] = "csv") -> Path:
        """Write each table to ``path/<table>.csv`` (or ``.parquet``); returns the folder.

        Loading the folder back with :func:`load_dataset` gives an equal dataset. CSV text
        that a spreadsheet would run as a formula (starting with ``= + - @``, tab or CR)
        gets a leading apostrophe, which the loader removes again; see
        :mod:`workbench.data._safe_export`. Parquet is written as it is.
        """
        if format not in ("csv", "parquet"):
            raise ValueError(f"format must be 'csv' or 'parquet'; got {format!r}")
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables.items():
            if format == "csv":
                write_csv(frame, folder / f"{name}.csv")
            else:
                frame.to_parquet(folder / f"{name}.parquet", index=False)
        return folder

    def to_excel(self, path: str | os.PathLike) -> Path:
        """Write a workbook with one sheet per table; returns its path.

        Text is written as text cells, never formulas, with control characters escaped
        as ``_xHHHH_`` (see :mod:`workbench.data._safe_export`); loading the workbook back
        with :func:`load_dataset` gives an equal dataset.

        Raises
        ------
        ValueError
            If a table has more rows than an Excel sheet holds (1,048,575 below the header)
            or a text longer than a cell holds (32,767 characters; the loader refuses
            such values).
        """
        for name, frame in self.tables.items():
            if len(frame) > EXCEL_MAX_ROWS:
                raise ValueError(
                    f"table {name} has {len(frame):,} rows; an Excel sheet holds "
                    f"at most {EXCEL_MAX_ROWS:,}: use to_folder instead"
                )
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_excel(self.tables, path)
        return path

    # ------------------------------------------------------------------ comparing

    def equals(self, other: object) -> bool:
        """True when ``other`` has the same tables with equal values and dtypes.

        Floats are compared with a relative tolerance of 1e-12 (text formats round-trip
        floats exactly; the tolerance only forgives the last bit).
        """
        if not isinstance(other, Dataset) or set(self.tables) != set(other.tables):
            return False
        for name, frame in self.tables.items():
            try:
                pd.testing.assert_frame_equal(
                    frame, other.tables[name], check_exact=False, rtol=1e-12, atol=0.0
                )
            except AssertionError:
                return False
        return True

    def __repr__(self) -> str:
        parts = ", ".join(f"{n}: {len(f):,} rows" for n, f in self.tables.items())
        return f"Dataset({parts}; source={self.source!r})"


# ---------------------------------------------------------------------- loaders


def load_dataset(
    path: str | os.PathLike,
    *,
    dayfirst: bool | None = None,
    decimal: Literal[".", ","] | None = None,
    frequency: str | None = None,
    limits: ReadLimits | None = None,
) -> Dataset:
    r"""Load a dataset from a folder, an Excel workbook or a zip archive.

    Parameters
    ----------
    path : str or path-like
        - a folder holding one file per table, named after the table: ``items.csv``,
          ``demand.parquet`` ... (``.csv``, ``.txt``, ``.tsv``, ``.parquet``, ``.pq``;
          an ``items.xlsx`` counts as the items table). Other files are ignored and
          listed in ``report`` / ``notes``.
        - an ``.xlsx`` workbook with one sheet per table, named after the table.
        - a ``.zip`` holding either of the above.
    dayfirst : bool or None
        How to read dates written with the day and month as numbers, in a column where no
        date settles the order: True for day/month/year (03/04/2026 is 3 April), False
        for month/day/year (March 4). None (the default): decide from each column's dates,
        and report a column that reads both ways. Also overrides the evidence of a column.
    decimal : {".", ","} or None
        The decimal separator of numbers written as text ("," reads ``1.234`` as 1234 and
        ``0,125`` as 0.125). None (the default): decide for each column from its cells,
        then from the file (a semicolon-separated CSV suggests ","), and report a column
        that reads both ways.
    frequency : {"D", "W", "M"}, optional
        What one demand date stands for: a day, a week (starting on that date) or a
        month. Default: detected from the dates (all on the 1st of a month, or all on a
        month's last day: months; all on one weekday: weeks; else days; see
        :func:`~workbench.data.frequency.detect_frequency`). Kept as
        ``demand_frequency`` and stated in ``notes``.
    limits : ReadLimits, optional
        How much the load may read: files per archive, each file's and the total
        uncompressed size [bytes], compression ratio, CSV line length [bytes] and columns.
        Default: :meth:`ReadLimits.from_env` (the defaults, changed by the
        ``WORKBENCH_READ_LIMITS`` environment variable). Checked before anything is
        decompressed or parsed; a file over a limit is a problem naming the limit and its
        value, and is not read.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        Listing every problem found, with file, sheet, row (as the user sees it: for a CSV
        the header is line 1, so the first data row is 2), column, value and what was
        expected. Unreadable files (a PDF renamed .csv, binary garbage, an empty file) are
        problems too; no reader exception escapes. A stated ``frequency`` the dates
        cannot be (weekly for dates a day apart, monthly for two dates in one month) is
        a problem of the demand file's ``date`` column, quoting two such dates.
    ValueError
        If ``dayfirst`` or ``decimal`` is not one of the values listed.

    Notes
    -----
    CSV files may be separated by commas, semicolons, tabs or bars. Text files are read as
    UTF-8 (with or without BOM) or UTF-16 with a BOM; a file that is not valid UTF-8 is read
    as Windows-1252 when it has no more valid multi-byte UTF-8 sequences than invalid
    bytes (a note says so), otherwise each row holding an undecodable byte is a problem.
    Title rows above the header (the first row naming every required column) are skipped
    with a note. Excel workbooks are read with python-calamine; a formula cell without a
    saved value and merged cells in a data column are problems naming the cells.

    *Numbers* may carry a currency sign or code and a percent sign ("95%" is 0.95). The
    decimal separator is decided once per column, never per cell: a cell such as
    ``12,5``, ``0,125`` or ``1.234,56`` proves a decimal comma, ``12.5``, ``0.125`` or
    ``1,234.56`` a decimal point; thousands separators are accepted in groups of three
    (``1,234,567``, ``1.234,5``). A column whose only separated cells read both ways
    (``1,234``, ``1.234``) follows the file's separator (";": decimal comma, ",": decimal
    point), or else is reported; so is a column mixing both. Cells that are numbers already
    (a typed CSV column, Excel numbers, Parquet) are taken as they are.

    *Dates* are decided once per column too. Year first (ISO ``2026-10-31``, with an
    optional time; ``2026/10/31``) and ``yyyymmdd`` (``20261031``) always read the same;
    for day and month first (``31/10/2026``, ``10-31-26``, ``31.10.2026``; two-digit years
    are 1969-2068) a first number above 12 anywhere proves day/month/year and a second
    above 12 month/day/year; a column with both is reported (one row of each), and a column
    where every day and month is 12 or less needs ``dayfirst`` (dotted dates, 03.04.2026,
    are day first by convention). Month names are understood (``3 Jan 2026``). Cells that
    are dates already (Excel, Parquet) are taken as they are; a number in a date column is
    an Excel date serial (epoch 1899-12-30) only in an Excel sheet, anywhere else an error.
    Dates before 1900-01-01 are errors in every table. In the demand table, a day that is
    more than 365 days away from the rest of the history and holds, with the days near it,
    less than 1 % of the rows (a stray 1700-01-01 or 2099-01-01 that would stretch the
    history and dilute every SKU's daily demand) is an error, never absorbed.

    A SKU that is unknown but matches a SKU of items up to leading zeros (``123`` and
    ``00123``) is still an error, with a hint: keep SKU columns as text in a spreadsheet.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "items.csv").write_text(
    ...     "SKU,Inventory Type,Unit Cost\nA1,finished_good,4.50\nB2,raw_material,0.80\n")
    >>> _ = (folder / "demand.csv").write_text(
    ...     "date,sku,qty\n2026-10-30,A1,3\n2026-10-31,A1,x\n2026-10-31,C3,1\n")
    >>> load_dataset(folder)
    Traceback (most recent call last):
    ...
    workbench.data.errors.DataError: 2 problems in the data:
      - demand.csv, row 3, column 'qty': got 'x', expected a number ≥ 0 and ≤ 1,000,000,000,000
      - demand.csv, row 4, column 'sku': got 'C3', expected a sku listed in items.csv
    >>> _ = (folder / "demand.csv").write_text("date,sku,qty\n2026-10-30,A1,3\n")
    >>> load_dataset(folder)
    Dataset(items: 2 rows, demand: 1 rows; source='...')
    """
    _check_options(dayfirst, decimal)
    p = Path(path)
    if p.is_dir():
        entries = {f.name: f for f in sorted(p.iterdir()) if f.is_file()}
    elif p.is_file() and p.suffix.lower() in EXCEL_EXT | ZIP_EXT:
        entries = {p.name: p}
    else:
        what = "does not exist" if not p.exists() else "is a single file"
        raise DataError(
            [
                Problem(
                    str(p),
                    None,
                    None,
                    None,
                    None,
                    f"a folder of table files, an Excel workbook (.xlsx) or a "
                    f".zip; this path {what}",
                )
            ]
        )
    return _set_frequency(
        _build(collect_sources(entries, limits), str(p), dayfirst=dayfirst, decimal=decimal),
        frequency,
    )


def load_uploaded(
    files: Mapping[str, bytes],
    *,
    dayfirst: bool | None = None,
    decimal: Literal[".", ","] | None = None,
    frequency: str | None = None,
    limits: ReadLimits | None = None,
) -> Dataset:
    """Load a dataset from uploaded files (file name -> content).

    Accepts several CSV/Parquet files named after their tables, one ``.xlsx`` workbook
    with a sheet per table, or one ``.zip``; this is what the dashboard's FileUpload
    widget gives. ``dayfirst``, ``decimal``, ``frequency`` and ``limits`` are as in
    :func:`load_dataset`. Raises :class:`DataError` like :func:`load_dataset`.
    """
    if not files:
        raise DataError(
            [
                Problem(
                    "(upload)",
                    None,
                    None,
                    None,
                    None,
                    "at least one file: items and demand tables are required",
                )
            ]
        )
    _check_options(dayfirst, decimal)
    entries = {str(name): bytes(content) for name, content in files.items()}
    built = _build(
        collect_sources(entries, limits),
        "upload: " + ", ".join(entries),
        dayfirst=dayfirst,
        decimal=decimal,
    )
    return _set_frequency(built, frequency)


def _set_frequency(ds: Dataset, frequency: str | None) -> Dataset:
    """Detect or check the demand bucket of a freshly built dataset, and note it."""
    dates = ds.demand["date"]
    if frequency is None:  # the distinct days are enough, if _build counted them
        freq, reason = detect_frequency(getattr(ds, "_demand_days", dates))
    else:
        try:
            freq = normalize_frequency(frequency)
        except ValueError as exc:
            raise DataError(
                [Problem("(frequency)", None, None, None, frequency, str(exc))]
            ) from None
        clash = check_frequency(dates, freq)
        if clash is not None:
            file = ds._files.get("demand", "demand")
            raise DataError(
                [
                    Problem(
                        file,
                        None,
                        None,
                        "date",
                        clash[0],
                        f"{FREQUENCY_NAMES[freq]} dates, as frequency={frequency!r} states; "
                        f"these are {clash[1]}",
                    )
                ]
            )
        reason = f"as stated; {int(dates.nunique()):,} distinct dates"
    ds._frequency = freq
    ds.notes.append(f"demand read as {FREQUENCY_NAMES[freq]} buckets ({reason})")
    return ds


# ---------------------------------------------------------------------- the pipeline


def _report_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["table", "rows", "reason"])
    frame["table"] = frame["table"].astype(str)
    frame["rows"] = frame["rows"].astype("Int64")
    frame["reason"] = frame["reason"].astype(str)
    return frame


#: Columns of :attr:`Dataset.defaults`.
DEFAULTS_COLUMNS = ("table", "column", "value", "rows", "all_rows", "source", "file")


def _defaults_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(DEFAULTS_COLUMNS))
    frame["table"] = frame["table"].astype(str)
    frame["column"] = frame["column"].astype(str)
    frame["value"] = frame["value"].astype(object)
    frame["rows"] = frame["rows"].astype(np.int64)
    frame["all_rows"] = frame["all_rows"].astype(bool)
    frame["source"] = frame["source"].astype(str)
    frame["file"] = frame["file"].astype(str)
    return frame


def _where(loc: Located) -> str:
    return loc.file + (f" [{loc.sheet}]" if loc.sheet else "")


def _check_options(dayfirst: object, decimal: object) -> None:
    if not (dayfirst is None or isinstance(dayfirst, (bool, np.bool_))):
        raise ValueError(f"dayfirst must be None, True or False; got {dayfirst!r}")
    if decimal not in (None, ".", ","):
        raise ValueError(f"decimal must be None, '.' or ','; got {decimal!r}")


def _build(
    collected: Collected,
    source: str,
    *,
    dayfirst: bool | None = None,
    decimal: Literal[".", ","] | None = None,
) -> Dataset:
    _check_options(dayfirst, decimal)
    v = Validator(dayfirst=dayfirst, decimal=decimal)
    v.problems.extend(collected.problems)
    v.report.extend(collected.report)
    v.notes.extend(collected.notes)
    locs: dict[str, Located] = {}
    filled: list[tuple] = []  # rows of Dataset.defaults
    for raw in collected.raws:
        try:
            n_problems, n_notes = len(v.problems), len(v.notes)
            v.wants_text = False
            loc = v.coerce(
                SCHEMAS[raw.table],
                raw.frame,
                raw.file,
                raw.sheet,
                raw.rows,
                delimiter=getattr(raw, "delimiter", None),
            )
            if (len(v.problems) > n_problems or v.wants_text) and raw.reread is not None:
                # the fast reader typed the columns: read the file again as text so that
                # every bad value is quoted exactly as the user wrote it, and numbers with
                # a decimal comma are not taken for decimal points
                del v.problems[n_problems:], v.notes[n_notes:]
                again = raw.reread()
                v.problems.extend(again.problems)
                loc = None
                for raw2 in again.raws:
                    loc = v.coerce(
                        SCHEMAS[raw2.table],
                        raw2.frame,
                        raw2.file,
                        raw2.sheet,
                        raw2.rows,
                        delimiter=getattr(raw2, "delimiter", None),
                    )
            if loc is not None:
                locs[raw.table] = loc
            raw.frame = None  # the typed copy is in loc: free the file's frame now
        except Exception as exc:  # a bug or an input nobody foresaw: still a DataError
            v.whole(
                raw.file,
                raw.sheet,
                None,
                f"a table the workbench can read (internal error {type(exc).__name__}: "
                f"{exc}; please report it)",
            )
    where = "a CSV/Parquet file or a sheet"
    unreadable = any(p.row is None and p.column is None for p in v.problems)
    for name in ("items", "demand"):
        if (
            name not in locs
            and not unreadable
            and not any(p.file.startswith((f"{name}.", f"table '{name}'")) for p in v.problems)
        ):
            v.whole("(dataset)", None, None, f"a table named '{name}' ({where} named {name})")
    try:
        _cross_checks(locs, v, filled)
    except Exception as exc:  # never let a traceback reach the user
        v.whole(
            "(dataset)",
            None,
            None,
            f"tables the workbench can check (internal error {type(exc).__name__}: "
            f"{exc}; please report it)",
        )
    if v.problems:
        order = {f: i for i, f in enumerate(dict.fromkeys(p.file for p in v.problems))}
        problems = sorted(v.problems, key=lambda p: (order[p.file], p.sheet or "", _row_key(p)))
        raise DataError(problems)
    tables = {name: loc.frame for name, loc in locs.items()}
    ds = Dataset(
        tables,
        report=_report_frame(v.report),
        notes=v.notes,
        source=source,
        defaults=_defaults_frame(filled),
    )
    ds._files = {name: loc.file for name, loc in locs.items()}  # for later messages
    counted = getattr(locs.get("demand"), "day_numbers", None)
    if counted is not None:  # the distinct demand days, for detect_frequency
        ds._demand_days = counted[2].astype("datetime64[D]")
    return ds


def _row_key(p: Problem) -> float:
    if p.row is not None:
        return p.row
    return np.inf if "more rows have the same problem" in p.expected else -1


def _cross_checks(locs: dict[str, Located], v: Validator, filled: list[tuple]) -> None:
    """Checks across tables, then the fills; ``filled`` gets a row of
    :data:`DEFAULTS_COLUMNS` for every column in which values were filled in."""
    items = locs.get("items")
    sku_index = pd.Index(items.frame["sku"].dropna().unique()) if items is not None else None
    # foreign keys
    for name, loc in locs.items():
        for col in SCHEMAS[name].columns:
            if not col.references:
                continue
            ref_table, ref_col = col.references.split(".")
            ref = locs.get(ref_table)
            if ref is None:
                continue
            if name == ref_table or ref_col not in ref.headers:
                continue  # a missing key column is reported once, not on every row here
            values = loc.frame[col.name]
            known = sku_index if ref_table == "items" else pd.Index(ref.frame[ref_col].dropna())
            coded = loc.codes.get(col.name)
            if coded is not None and len(coded[0]) == len(values):
                # a dictionary column: look up its distinct values, then take per row
                ucodes = index_in(coded[1], known)
                if (ucodes >= 0).all():  # every SKU known: the column's own codes will do
                    codes, missing = coded[0], None  # (the merge needs one code per SKU)
                else:
                    small = np.int16 if len(known) < 2**15 else np.int32
                    codes = np.append(ucodes, -1).astype(small)[coded[0]]
                    missing = (coded[0] >= 0) & (codes < 0)
            else:
                codes = index_in(values, known)
                missing = values.notna().to_numpy() & (codes < 0)
            if name == "demand" and ref_table == "items":
                loc.sku_codes = codes  # _merge_demand reuses them: 10 M SKUs hashed once
            if missing is None:
                continue  # nothing unknown
            where = ref.file + (f" [{ref.sheet}]" if ref.sheet else "")
            expected = f"a {ref_col} listed in {where}"
            if missing.any():
                expected = _zeros_hint(values, missing, known, expected, where)
            v.add(loc, missing, col.name, values, expected)
    _fill_lead_times(locs, v, filled)
    if "bom" in locs:
        _check_bom_cycles(locs["bom"], v)
    _check_date_order(locs.get("purchase_orders"), "order_date", "received_date", v)
    _check_date_order(locs.get("purchase_orders"), "order_date", "promised_date", v)
    _check_date_order(locs.get("lots"), "received_date", "expiry_date", v)
    _check_date_order(locs.get("production_orders"), "start_date", "due_date", v)
    _check_date_order(locs.get("production_orders"), "start_date", "received_date", v)
    _check_made_in_house(locs, v)
    if "demand" in locs:
        _check_stray_days(locs["demand"], v)
        _merge_demand(locs["demand"], v, sku_index)
    for name, loc in locs.items():
        fills = {c.name: c.default for c in SCHEMAS[name].columns if c.default is not None}
        for col, default in fills.items():
            n = int(loc.frame[col].isna().sum())
            if n:
                loc.frame[col] = loc.frame[col].fillna(default)
                absent = col not in loc.headers
                filled.append((name, col, default, n, absent, "default", _where(loc)))
                if not absent:
                    v.notes.append(f"{loc.file}: {n:,} blank '{col}' set to {default}")
                else:
                    v.notes.append(f"{loc.file}: no '{col}' column; every row set to {default}")


def _zeros_hint(
    values: pd.Series, missing: np.ndarray, known: pd.Index, expected: str, where: str
) -> str | np.ndarray:
    """``expected`` per row, with a hint where a key matches a known one up to leading
    zeros ("123" for "00123": a spreadsheet read the code as a number)."""
    unknown = pd.Index(values[missing].unique())
    strip_known = pd.Series(np.asarray(known, dtype=object)).astype(str).str.lstrip("0")
    first = pd.Series(np.asarray(known, dtype=object), index=strip_known.to_numpy())
    first = first[~first.index.duplicated()]
    match = pd.Series(np.asarray(unknown, dtype=object)).astype(str).str.lstrip("0").map(first)
    if match.isna().all():
        return expected
    hints = {
        u: f"{expected} ({where} has {k!r}: leading zeros differ; keep the SKU column as "
        "text in your spreadsheet)"
        for u, k in zip(unknown, match, strict=True)
        if isinstance(k, str)
    }
    out = np.full(len(values), expected, dtype=object)
    pos = np.flatnonzero(missing)
    out[pos] = values.iloc[pos].map(hints).fillna(expected).to_numpy(dtype=object)
    return out


#: Demand days further than this from the rest of the history are stray if few.
STRAY_GAP_DAYS = 365
#: ... and "few" is less than this share of the rows.
STRAY_SHARE = 0.01


def _check_stray_days(loc: Located, v: Validator) -> None:
    """Report demand rows dated far away from the bulk of the history.

    The distinct days, sorted, are cut into runs wherever two neighbours are more than
    :data:`STRAY_GAP_DAYS` apart; the run with the most rows is the history, and the rows
    of any other run holding less than :data:`STRAY_SHARE` of all rows are errors (a run
    with more is a real part of the history, kept).
    """
    dates = loc.frame["date"]
    values = dates.to_numpy()
    ok = ~np.isnat(values)
    n_ok = int(np.count_nonzero(ok))
    if n_ok < 2:
        return
    if n_ok == len(values):  # the usual case: days counted once, reused by _merge_demand
        day, _, days, counts = _day_numbers(loc)
    else:
        unit = np.datetime_data(values.dtype)[0]
        per_day = np.timedelta64(1, "D") // np.timedelta64(1, unit)
        day = values[ok].view(np.int64) // per_day
        days, counts = np.unique(day, return_counts=True)
    lo = int(days[0])
    if int(days[-1]) - lo + 1 <= STRAY_GAP_DAYS:
        return
    cut = np.flatnonzero(np.diff(days) > STRAY_GAP_DAYS)
    if len(cut) == 0:
        return
    run = np.zeros(len(days), dtype=np.int64)
    run[cut + 1] = 1
    run = np.cumsum(run)
    rows_per_run = np.bincount(run, weights=counts)
    main = int(np.argmax(rows_per_run))
    stray_run = rows_per_run < STRAY_SHARE * ok.sum()
    stray_run[main] = False
    if not stray_run.any():
        return
    first, last = days[run == main][[0, -1]]
    stray_days = days[stray_run[run]]
    away = np.where(stray_days < first, first - stray_days, stray_days - last)
    row_day = np.full(len(values), lo - 1, dtype=np.int64)
    row_day[ok] = day
    pos = np.searchsorted(stray_days, row_day)
    pos = np.minimum(pos, len(stray_days) - 1)
    stray = ok & (stray_days[pos] == row_day)
    history = f"{np.datetime64(int(first), 'D')} to {np.datetime64(int(last), 'D')}"
    expected = np.full(len(values), "", dtype=object)
    for p in np.flatnonzero(stray)[: PER_CHECK_LIMIT + 1]:
        years = away[pos[p]] / 365.25
        far = f"{years:.0f} years" if years >= 2 else f"{away[pos[p]]:,} days"
        expected[p] = (
            f"a date within the history ({history}); this one is {far} away from all "
            "other rows (fix or remove it: a stray date would stretch the history and "
            "lower every SKU's daily demand)"
        )
    v.add(loc, stray, "date", dates.dt.strftime("%Y-%m-%d"), expected)
    loc.frame.loc[stray, "date"] = pd.NaT  # keep later checks from using it


def _fill_lead_times(locs: dict[str, Located], v: Validator, filled: list[tuple]) -> None:
    items, sup = locs.get("items"), locs.get("suppliers")
    if items is None or sup is None:
        return
    frame = items.frame
    s = sup.frame.drop_duplicates("supplier_id").set_index("supplier_id")
    for col in ("lead_time_days", "lead_time_sd_days"):
        blank = frame[col].isna() & frame["supplier_id"].notna()
        if blank.any():
            taken = frame.loc[blank, "supplier_id"].map(s[col])
            frame.loc[blank, col] = taken.to_numpy(dtype=float)
            n = int(taken.notna().sum())
            if n:
                v.notes.append(f"{items.file}: {n:,} blank '{col}' taken from {sup.file}")
                filled.append(
                    ("items", col, None, n, col not in items.headers, sup.file, _where(items))
                )


def _check_bom_cycles(loc: Located, v: Validator) -> None:
    """Report BOM rows on a cycle, by peeling sources and sinks until none are left."""
    frame = loc.frame
    ok = frame["parent_sku"].notna().to_numpy() & frame["component_sku"].notna().to_numpy()
    codes, uniques = pd.factorize(pd.concat([frame["parent_sku"], frame["component_sku"]]))
    n = len(frame)
    parent, child = codes[:n], codes[n:]
    alive = ok.copy()
    while True:
        indeg = np.bincount(child[alive], minlength=len(uniques))
        outdeg = np.bincount(parent[alive], minlength=len(uniques))
        peel = alive & ((indeg[parent] == 0) | (outdeg[child] == 0))
        if not peel.any():
            break
        alive &= ~peel
    if alive.any():
        expected = np.array(
            [
                f"a BOM without cycles: {p} is made, directly or through other "
                f"parts, from itself (this row links {p} -> {c})"
                for p, c in zip(frame["parent_sku"], frame["component_sku"], strict=True)
            ],
            dtype=object,
        )
        v.add(loc, alive, "component_sku", frame["component_sku"], expected)


def _check_made_in_house(locs: dict[str, Located], v: Validator) -> None:
    """A production order must be for an item made in house: a ``parent_sku`` of the BOM
    when there is one; without a BOM, an item that is not a raw material or MRO supply
    (those are bought)."""
    loc, items = locs.get("production_orders"), locs.get("items")
    if loc is None or items is None or "sku" not in items.headers:
        return
    sku = loc.frame["sku"]
    known = sku.isin(items.frame["sku"].dropna()).to_numpy()  # unknown: reported already
    bom = locs.get("bom")
    if bom is not None and "parent_sku" in bom.headers:
        made = sku.isin(bom.frame["parent_sku"].dropna()).to_numpy()
        where = bom.file + (f" [{bom.sheet}]" if bom.sheet else "")
        expected = (
            f"an item made in house: a parent_sku in {where} (an item without components "
            "is bought: its open orders belong in purchase_orders)"
        )
    else:
        kind = items.frame.drop_duplicates("sku").set_index("sku")["inventory_type"]
        kinds = sku.map(kind).astype(object).to_numpy()
        made = ~np.isin(kinds, ["raw_material", "mro"])
        expected = (
            "an item made in house (a finished good or work in progress; raw materials "
            "and MRO supplies are bought: their open orders belong in purchase_orders)"
        )
    bad = known & ~made & sku.notna().to_numpy()
    v.add(loc, bad, "sku", sku, expected)


def _check_date_order(loc: Located | None, first: str, later: str, v: Validator) -> None:
    if loc is None:
        return
    a, b = loc.frame[first], loc.frame[later]
    bad = (b < a).to_numpy()
    if bad.any():
        expected = np.full(len(a), "", dtype=object)
        pos = np.flatnonzero(bad)
        expected[pos] = [
            f"a date on or after {loc.label(first)} ({d:%Y-%m-%d})" for d in a.iloc[pos]
        ]
        v.add(loc, bad, later, b.dt.strftime("%Y-%m-%d"), expected)


#: Rows per block for the blockwise passes over the demand dates (bounded temporaries).
CHUNK = 1 << 20


def _day_numbers(loc: Located) -> tuple[np.ndarray, bool, np.ndarray, np.ndarray]:
    """The demand dates (no NaT) as days since 1970, in one blockwise pass.

    Returns ``day`` (int32 per row: dates from 1900 on fit), whether every date is a whole
    day, and the distinct days (sorted, int64) with their row counts. Kept on ``loc``:
    the stray-day check, the merge of duplicate days and the frequency detection all use
    them. Blocks keep the temporaries small.
    """
    cached = getattr(loc, "day_numbers", None)
    values = loc.frame["date"].to_numpy()
    if cached is not None and len(cached[0]) == len(values):
        return cached
    per_day = np.timedelta64(1, "D") // np.timedelta64(1, np.datetime_data(values.dtype)[0])
    ticks = values.view(np.int64)
    day = np.empty(len(ticks), dtype=np.int32)
    whole = True
    lo = int(ticks.min()) // per_day
    span = int(ticks.max()) // per_day - lo + 1
    counts = np.zeros(span, dtype=np.int64) if span <= 5_000_000 else None
    for i in range(0, len(ticks), CHUNK):
        t = ticks[i : i + CHUNK]
        d = t // per_day  # (np.divmod is ten times slower)
        whole = whole and np.array_equal(d * per_day, t)
        day[i : i + CHUNK] = d
        if counts is not None:
            d -= lo
            counts += np.bincount(d, minlength=span)
    if counts is not None:
        days = np.flatnonzero(counts) + lo
        counts = counts[counts > 0]
    else:  # days spread over more than 13,000 years
        days, counts = np.unique(day, return_counts=True)
        days = days.astype(np.int64)
    loc.day_numbers = (day, whole, days, counts)
    return loc.day_numbers


def _count_duplicates(codes: np.ndarray, day: np.ndarray, *, chunk: int = CHUNK) -> int:
    """Number of rows repeating an earlier (sku, day) pair.

    ``codes`` are SKU codes (-1 for an unknown SKU, reported already) and ``day`` day
    numbers (any integers). Files are usually sorted by SKU then date or by date then SKU;
    then a comparison of neighbours answers without hashing ten million keys. Otherwise,
    when there are not many more possible keys than rows, a flag per possible key is set
    (no hashing either); else the keys are hashed. The keys are made ``chunk`` rows at a
    time, so that no temporary is as long as the table.
    """
    n = len(codes)
    if n == 0:
        return 0
    day0 = int(day.min())
    span_day, span_code = int(day.max()) - day0 + 1, int(codes.max()) + 2
    orders = ((codes, 1, day, -day0, span_day), (day, -day0, codes, 1, span_code))
    kind = np.int32 if span_code * span_day < 2**31 else np.int64  # 32 bits: half the traffic
    for first, add1, second, add2, span in orders:
        dup = 0
        for i in range(0, n, chunk):
            lo = max(i - 1, 0)  # one row of overlap: the step across blocks is compared too
            key = first[lo : i + chunk].astype(kind)
            key += add1  # keys from 0 to span_code * span_day - 1 at every step
            key *= span
            key += add2
            key += second[lo : i + chunk]
            step = np.diff(key)
            if (step < 0).any():
                break
            dup += int(np.count_nonzero(step == 0))
        else:
            return dup
    if span_code * span_day <= max(4 * n, 2**24):  # unsorted: one flag per possible key
        seen = np.zeros(span_code * span_day, dtype=bool)
        for i in range(0, n, chunk):
            key = codes[i : i + chunk].astype(np.int64)
            key += 1
            key *= span_day
            key += day[i : i + chunk]
            key -= day0
            seen[key] = True
        return n - int(np.count_nonzero(seen))
    key = (codes.astype(np.int64) + 1) * span_day + (day - day0)
    return int(pd.Series(key).duplicated().sum())


def _merge_demand(loc: Located, v: Validator, sku_index: pd.Index | None) -> None:
    """Days are whole days; several rows for one SKU and day are summed (and reported)."""
    frame = loc.frame
    dates = frame["date"]
    if len(frame) == 0 or dates.isna().any() or frame["sku"].isna().any():
        return  # already reported as problems
    values = dates.to_numpy()  # datetime64[us], no NaT here
    dayint, whole, _, _ = _day_numbers(loc)  # days since 1970
    if not whole:
        per_day = np.timedelta64(1, "D") // np.timedelta64(1, np.datetime_data(values.dtype)[0])
        floor = dayint.astype(np.int64) * per_day
        frame["date"] = pd.Series(floor.view(values.dtype), copy=False)
        v.notes.append(f"{loc.file}: times of day dropped; demand is counted per day")
    codes = getattr(loc, "sku_codes", None)  # set by the foreign-key check
    if codes is None and sku_index is not None:
        codes = index_in(frame["sku"], sku_index)
    elif codes is None:
        codes, _ = pd.factorize(frame["sku"])
    n_dup = _count_duplicates(codes, dayint)
    if n_dup:
        merged = frame.groupby(["date", "sku"], sort=False, as_index=False)["quantity"].sum()
        v.report.append(
            ("demand", n_dup, "several rows for the same SKU and day: summed into one row")
        )
        loc.frame = merged.reset_index(drop=True)
