"""The one guard every export of the workbench goes through (CSV and Excel).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read as a formula by Excel, LibreOffice and Google Sheets when a CSV is opened; in an
.xlsx written by openpyxl a text starting with ``=`` *is* a formula. A SKU or name such
as ``=HYPERLINK("http://x","a")`` or ``=cmd|' /C calc'!A0`` would then run in the
reader's spreadsheet ("CSV injection", OWASP [1]_). Every table the workbench writes for
a person to open (the dashboard's plan, stock and other downloads, ``Dataset.to_folder``
and ``Dataset.to_excel``) is written by :func:`csv_bytes` / :func:`write_csv` or
:func:`excel_bytes` / :func:`write_excel`, never by ``DataFrame.to_csv`` or
``to_excel`` directly.

The conventions
---------------
CSV
    A text cell that starts with one of ``= + - @``, tab or carriage return, after any
    number of apostrophes, gets one more apostrophe in front: ``=SUM(A1)`` is written
    ``'=SUM(A1)``, and ``'=x`` is written ``''=x``. Spreadsheets show such a cell as
    text (the apostrophe is their own mark of text). A text that is a plain number
    (``-5``, ``+1.5e3``) is not a formula and is written as is, as are number columns
    (``-5`` stays a number). Control characters are written as they are (CSV holds
    them). The workbench's loader removes the mark again (:func:`unguard_text`, used by
    the validation of every text column): one leading apostrophe is dropped from a text
    that is one or more apostrophes followed by one of the six characters, so the round
    trip gives the original values. A file typed by hand with ``'=x`` loads as ``=x``,
    as Excel itself shows it.
Excel (.xlsx)
    Text is always written as a text cell (``t="inlineStr"``), never a formula, so the
    value is stored exactly, without an apostrophe; a text starting with one of the six
    characters also gets Excel's "quote prefix" style, so editing the cell keeps it
    text. Control characters that XML 1.0 cannot carry (U+0000 to U+001F other than
    tab, line feed and carriage return) are escaped as ``_xHHHH_``, the escape of
    ECMA-376 Part 1, 22.9.2.19 [2]_ that Excel and the loader (calamine) decode back
    to the character; a literal ``_xHHHH_`` in a text is escaped as ``_x005F_xHHHH_``
    so that it too comes back unchanged. Before this guard a name holding a BEL made
    openpyxl raise ``IllegalCharacterError``. A text longer than an Excel cell holds
    (32,767 characters) is refused with a ValueError naming the table, column and row;
    the loader refuses such values already (see ``_validate``).
Not guarded
    JSON (scenario exports) and Parquet are not opened as spreadsheets: they are
    written as they are.

References
----------
.. [1] OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
.. [2] ECMA-376, Office Open XML File Formats, 5th ed., Part 1, 22.9.2.19 ST_Xstring.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "EXCEL_CELL_MAX_CHARS",
    "EXCEL_MAX_ROWS",
    "FORMULA_TRIGGERS",
    "csv_bytes",
    "excel_bytes",
    "guard_frame",
    "guard_text",
    "unguard_series",
    "unguard_text",
    "write_csv",
    "write_excel",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP [1]_).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Characters an Excel cell holds at most.
EXCEL_CELL_MAX_CHARS = 32_767

#: Data rows that fit under a header in one Excel sheet.
EXCEL_MAX_ROWS = 1_048_575

_GUARDED = r"'*[=+\-@\t\r]"  # what gets one more apostrophe on writing (RE2-compatible)
_MARKED = r"'+[=+\-@\t\r]"  # what loses one apostrophe on reading
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"  # ASCII digits, as in RE2
_GUARDED_RE = re.compile(_GUARDED)
_MARKED_RE = re.compile(_MARKED)
_NUMBER_RE = re.compile(_NUMBER)
#: XML-illegal control characters, and a "_" that starts an ``_xHHHH_`` escape.
_XML_ESCAPE_RE = re.compile(r"[\x00-\x08\x0b\x0c\r\x0e-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")


def guard_text(value: str) -> str:
    """One cell's text as written to a CSV: an apostrophe before a would-be formula.

    Examples
    --------
    >>> guard_text("=HYPERLINK(\\"http://x\\",\\"a\\")")
    '\\'=HYPERLINK("http://x","a")'
    >>> guard_text("-5"), guard_text("SKU-5"), guard_text("'@x")
    ('-5', 'SKU-5', "''@x")
    """
    if _GUARDED_RE.match(value) and not _NUMBER_RE.fullmatch(value):
        return "'" + value
    return value


def unguard_text(value: str) -> str:
    """Inverse of :func:`guard_text`: ``unguard_text(guard_text(x)) == x`` for any text.

    Examples
    --------
    >>> unguard_text("'=SUM(A1)"), unguard_text("''=x"), unguard_text("'plain")
    ('=SUM(A1)', "'=x", "'plain")
    """
    return value[1:] if _MARKED_RE.match(value) else value


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or isinstance(s.dtype, pd.StringDtype)


def _guard_series(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        if cats.dtype == object or isinstance(cats.dtype, pd.StringDtype):
            new = [guard_text(c) if isinstance(c, str) else c for c in cats]
            if new != list(cats):
                return s.cat.rename_categories(new)
        return s
    if isinstance(s.dtype, pd.StringDtype):  # vectorised (Arrow) for big tables
        need = s.str.match(_GUARDED).fillna(False) & ~s.str.fullmatch(_NUMBER).fillna(False)
        need = need.to_numpy(dtype=bool)
        return s.where(~need, "'" + s) if need.any() else s
    if s.dtype == object:
        values = s.to_numpy()
        out = [guard_text(v) if isinstance(v, str) else v for v in values]
        return pd.Series(out, index=s.index, dtype=object, name=s.name)
    return s


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell passed through :func:`guard_text` (a copy only of
    the columns that change; number, date and bool columns are untouched)."""
    out = {}
    changed = False
    for i in range(frame.shape[1]):
        s = frame.iloc[:, i]
        g = _guard_series(s) if _is_text(s) or isinstance(s.dtype, pd.CategoricalDtype) else s
        changed |= g is not s
        out[i] = g
    if not changed:
        return frame
    result = pd.concat(out, axis=1)
    result.columns = [guard_text(str(c)) for c in frame.columns]
    return result


def unguard_series(s: pd.Series) -> pd.Series:
    """A text column with the CSV guard's apostrophe removed (:func:`unguard_text` per
    value, vectorised); returns ``s`` itself when no value starts with an apostrophe."""
    chunked = getattr(s.array, "_pa_array", None)
    if chunked is not None and not any(_starts_with_quote(c) for c in chunked.chunks):
        return s  # the common case, decided from the first bytes alone (no string built)
    starts = s.str.startswith("'")
    starts = starts.fillna(False).to_numpy(dtype=bool)
    if not starts.any():
        return s
    marked = s.str.match(_MARKED).fillna(False).to_numpy(dtype=bool)
    if not marked.any():
        return s
    return s.where(~marked, s.str.slice(1))


def _starts_with_quote(chunk) -> bool:
    """Whether a value of an Arrow string chunk starts with an apostrophe, read from the
    first byte of each value through the offsets buffer."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        return bool(pc.any(pc.starts_with(chunk, "'")).as_py())
    n = len(chunk)
    _, off_buf, data_buf = chunk.buffers()
    if n == 0 or data_buf is None:
        return False
    off_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(off_buf, dtype=off_type)[chunk.offset : chunk.offset + n + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8)
    if len(data) == 0:
        return False
    # an empty value reads the next value's first byte: at worst a false alarm, which only
    # sends the column to the exact check
    starts = np.minimum(offsets[:-1], len(data) - 1)
    return bool((data[starts] == ord("'")).any())


def _has_cr(frame: pd.DataFrame) -> bool:
    for i in range(frame.shape[1]):
        s = frame.iloc[:, i]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = pd.Series(s.cat.categories)
        if _is_text(s) and s.astype(object).map(lambda v: isinstance(v, str) and "\r" in v).any():
            return True
    return False


def _to_csv(frame: pd.DataFrame, target) -> str | None:
    """Lines end in ``\n``; a text holding a carriage return is quoted (Python's csv
    module quotes only the line terminator's characters: a bare CR would end the row in
    a spreadsheet), so when there is one every text cell is quoted."""
    guarded = guard_frame(frame)
    quoting = csv.QUOTE_NONNUMERIC if _has_cr(guarded) else csv.QUOTE_MINIMAL
    return guarded.to_csv(target, index=False, lineterminator="\n", quoting=quoting)


def csv_bytes(frame: pd.DataFrame, *, encoding: str = "utf-8") -> bytes:
    """``frame`` (no index) as guarded CSV bytes, lines ending in ``\\n``."""
    return _to_csv(frame, None).encode(encoding)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``frame`` (no index) as a guarded UTF-8 CSV; returns the path."""
    path = Path(path)
    _to_csv(frame, path)
    return path


# --------------------------------------------------------------------------- Excel


def _xml_escape(text: str) -> str:
    return _XML_ESCAPE_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _check_lengths(name: str, frame: pd.DataFrame) -> None:
    """Refuse a text longer than an Excel cell holds (openpyxl would write it and Excel
    cut it), naming the table, column and row, before anything is written."""
    for i, column in enumerate(frame.columns):
        s = frame.iloc[:, i]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if not _is_text(s):
            continue
        if isinstance(s.dtype, pd.StringDtype):  # vectorised
            lengths = s.str.len().fillna(0).to_numpy(dtype=float)
        else:
            lengths = np.array([len(v) if isinstance(v, str) else 0 for v in s], dtype=float)
        long = np.flatnonzero(lengths > EXCEL_CELL_MAX_CHARS)
        if len(long):
            row = int(long[0])
            v = s.iloc[row]
            raise ValueError(
                f"table {name}, column {column}, row {row + 1}: the text has {len(v):,} "
                f"characters; an Excel cell holds at most {EXCEL_CELL_MAX_CHARS:,} "
                f"(starts {v[:24]!r}); write CSV instead"
            )


def _text_cells(values: list, ws, name: str, column: str, cell_type) -> list:
    out = []
    for v in values:
        if not isinstance(v, str):
            out.append(v)
            continue
        text = _xml_escape(v)
        if v[:1] in FORMULA_TRIGGERS:
            cell = cell_type(ws, value=text)
            cell.data_type = "s"  # text, never a formula
            cell.quotePrefix = True  # and stays text when edited in Excel
            out.append(cell)
        else:
            out.append(text)
    return out


def _column_values(s: pd.Series) -> tuple[list, bool]:
    """Python values of one column for openpyxl, and whether it may hold text."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):  # Excel has no time zones
        s = s.dt.tz_localize(None)
    if s.dtype.kind == "M":
        return [None if pd.isna(x) else x for x in s.dt.to_pydatetime()], False
    if s.dtype.kind in "fiu":
        values = s.to_numpy()
        if s.dtype.kind == "f":
            out = values.astype(object)
            out[np.isnan(values)] = None
            inf = np.isinf(values)
            if inf.any():  # Excel has no infinity: written as pandas does (inf_rep)
                out[inf] = ["inf" if x > 0 else "-inf" for x in values[inf]]
            return out.tolist(), bool(inf.any())
        return values.tolist(), False
    if s.dtype.kind == "b":
        return s.tolist(), False
    values = s.astype(object).where(s.notna(), None).tolist()
    for k, v in enumerate(values):
        if isinstance(v, pd.Timestamp | _dt.datetime):
            values[k] = v.replace(tzinfo=None)
        elif isinstance(v, float) and not math.isfinite(v):
            values[k] = None if math.isnan(v) else ("inf" if v > 0 else "-inf")
        elif v is not None and not isinstance(v, str | int | float | bool | _dt.date):
            values[k] = str(v)
    return values, True


def write_excel(frames: Mapping[str, pd.DataFrame], target: str | os.PathLike | io.BytesIO) -> None:
    """Write a workbook with one sheet per frame (no index) to a path or a binary buffer.

    Text is guarded as the module docstring says; rows are streamed (openpyxl's
    write-only mode). Sheet names are cut to Excel's 31 characters.

    Raises
    ------
    ValueError
        If a frame has more rows than a sheet holds (1,048,575 below the header), or a
        text is longer than a cell holds (32,767 characters).
    """
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    for name, frame in frames.items():
        if len(frame) > EXCEL_MAX_ROWS:
            raise ValueError(
                f"table {name} has {len(frame):,} rows; an Excel sheet holds "
                f"at most {EXCEL_MAX_ROWS:,}: write CSV instead"
            )
        _check_lengths(str(name), frame)
    book = openpyxl.Workbook(write_only=True)  # streams rows: fast and lean
    for name, frame in frames.items():
        ws = book.create_sheet(str(name)[:31])
        header = [str(c) for c in frame.columns]
        ws.append(_text_cells(header, ws, str(name), "(header)", WriteOnlyCell))
        columns = []
        for i, col in enumerate(header):
            values, text = _column_values(frame.iloc[:, i])
            if text:
                values = _text_cells(values, ws, str(name), col, WriteOnlyCell)
            columns.append(values)
        for row in zip(*columns, strict=True):
            ws.append(row)
    book.save(target)


def excel_bytes(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook (one sheet per frame) as bytes; see :func:`write_excel`."""
    buf = io.BytesIO()
    write_excel(frames, buf)
    return buf.getvalue()
