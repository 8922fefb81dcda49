"""Readers that turn user files into raw frames, keeping the user's row numbers.

Every reader returns :class:`RawTable` objects or adds :class:`Problem` objects; no
pandas, pyarrow or openpyxl exception escapes from here.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Problem
from .schema import SCHEMAS, table_for_name

__all__ = ["RawTable", "collect_sources"]

CSV_EXT = {".csv", ".txt", ".tsv"}
PARQUET_EXT = {".parquet", ".pq"}
EXCEL_EXT = {".xlsx", ".xlsm"}
ZIP_EXT = {".zip"}


@dataclass
class RawTable:
    """A table as read from a file, before coercion.

    ``rows`` holds, for each frame row, its row number as the user sees it.
    """

    table: str
    frame: pd.DataFrame
    file: str
    sheet: str | None
    rows: np.ndarray
    #: For a fast (typed) read: re-reads the file as text, to quote bad values as written.
    reread: Callable[[], Collected] | None = None
    #: The CSV separator (None for other formats): ";" hints at decimal commas.
    delimiter: str | None = None


@dataclass
class Collected:
    raws: list[RawTable]
    problems: list[Problem]
    report: list[tuple[str, int, str]]
    notes: list[str]


# --------------------------------------------------------------------------- sniffing


def _not_a_table(head: bytes) -> str | None:
    """A reason why these first bytes cannot be a text table, or None."""
    if not head.strip():
        return None
    if head.startswith(b"%PDF"):
        return "a table (CSV text with a header row), but this is a PDF document"
    if head.startswith(b"PK\x03\x04"):
        return "a table (CSV text with a header row), but this is a zip or Excel file"
    if b"\x00" in head[:4096]:
        return "a table (CSV text with a header row), but this is a binary file"
    return None


def _decode(data: bytes) -> tuple[str, str] | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return None


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


# --------------------------------------------------------------------------- CSV


def read_csv(data: bytes, file: str, table: str, out: Collected) -> None:
    """Read CSV bytes into ``out``; fast pyarrow path, exact python path as fallback."""
    reason = _not_a_table(data[:8192])
    if reason:
        out.problems.append(Problem(file, None, None, None, None, reason))
        return
    decoded = _decode(data)
    if decoded is None:
        out.problems.append(
            Problem(file, None, None, None, None, "a text file (UTF-8 or Windows encoding)")
        )
        return
    text, encoding = decoded
    if not text.strip():
        out.problems.append(Problem(file, None, None, None, None, "a table, but the file is empty"))
        return
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    sep = _delimiter(first_line)
    frame = None
    if encoding == "utf-8" and not text.startswith(("\n", "\r")):
        frame = _fast_csv(data, sep, table)
        if frame is not None:
            n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
            if len(frame) != n_lines - 1:  # blank lines or multi-line cells: numbers unsure
                frame = None
    if frame is not None:
        rows = np.arange(2, len(frame) + 2, dtype=np.int64)

        def reread() -> Collected:
            again = Collected([], [], [], [])
            _slow_csv(text, sep, file, table, again)
            return again

        out.raws.append(RawTable(table, frame, file, None, rows, reread, delimiter=sep))
        return
    _slow_csv(text, sep, file, table, out)


def _fast_csv(data: bytes, sep: str, table: str) -> pd.DataFrame | None:
    """Read with pyarrow; None when anything is unusual (then the exact reader runs)."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        header = next(
            csv.reader([data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")], delimiter=sep)
        )
        schema = SCHEMAS.get(table)
        types = {}
        for h in header:
            name = schema.match_header(h) if schema else None
            col = schema.by_name.get(name) if name else None
            if col is None or col.dtype in ("string", "category"):
                types[h] = pa.string()
        tbl = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        if len(set(tbl.column_names)) != len(tbl.column_names):
            return None
        return tbl.to_pandas(date_as_object=False)
    except Exception:  # any surprise: the exact reader will report it precisely
        return None


def _slow_csv(text: str, sep: str, file: str, table: str, out: Collected) -> None:
    """Read with the csv module, tracking each record's line number exactly."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        header: list[str] | None = None
        records: list[list[str]] = []
        lines: list[int] = []
        start = 1
        for rec in reader:
            line = start
            start = reader.line_num + 1
            if not any(cell.strip() for cell in rec):
                continue
            if header is None:
                header = rec
                continue
            if len(rec) != len(header):
                if len(rec) > len(header) and not any(c.strip() for c in rec[len(header) :]):
                    rec = rec[: len(header)]
                elif len(rec) < len(header):
                    rec = rec + [""] * (len(header) - len(rec))
                else:
                    out.problems.append(
                        Problem(
                            file,
                            None,
                            line,
                            None,
                            sep.join(rec),
                            f"{len(header)} values separated by '{sep}' "
                            f"(like the header), found {len(rec)}",
                        )
                    )
                    continue
            records.append(rec)
            lines.append(line)
    except csv.Error as exc:
        out.problems.append(Problem(file, None, None, None, None, f"a readable CSV table ({exc})"))
        return
    if header is None:
        out.problems.append(Problem(file, None, None, None, None, "a table, but the file is empty"))
        return
    frame = pd.DataFrame(records, columns=_dedupe(header), dtype=object)
    out.raws.append(
        RawTable(table, frame, file, None, np.asarray(lines, dtype=np.int64), delimiter=sep)
    )


def _dedupe(header: list) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for i, h in enumerate(header):
        h = "" if h is None else str(h)
        if not h.strip():
            h = f"(unnamed column {i + 1})"
        if h in seen:
            seen[h] += 1
            h = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
        names.append(h)
    return names


# --------------------------------------------------------------------------- Parquet


def read_parquet(source: bytes | Path, file: str, table: str, out: Collected) -> None:
    try:
        src = io.BytesIO(source) if isinstance(source, bytes) else source
        if isinstance(source, bytes) and not source:
            out.problems.append(
                Problem(file, None, None, None, None, "a table, but the file is empty")
            )
            return
        import pyarrow.parquet as pq

        tbl = pq.read_table(src)
        tbl.validate(full=True)  # e.g. invalid UTF-8 in a damaged file
        frame = tbl.to_pandas()
    except Exception as exc:
        out.problems.append(
            Problem(file, None, None, None, None, f"a readable Parquet file ({type(exc).__name__})")
        )
        return
    frame = frame.reset_index(drop=not _has_named_index(frame))
    frame.columns = _dedupe(list(frame.columns))
    out.raws.append(RawTable(table, frame, file, None, np.arange(1, len(frame) + 1)))


def _has_named_index(frame: pd.DataFrame) -> bool:
    return any(n is not None for n in frame.index.names)


# --------------------------------------------------------------------------- Excel


def read_excel(source: bytes | Path, file: str, out: Collected, only: str | None = None) -> None:
    """Read every sheet of a workbook (or the first sheet as table ``only``)."""
    try:
        import openpyxl

        src = io.BytesIO(source) if isinstance(source, bytes) else source
        wb = openpyxl.load_workbook(src, read_only=True, data_only=True)
    except Exception as exc:
        out.problems.append(
            Problem(
                file,
                None,
                None,
                None,
                None,
                f"a readable Excel workbook (.xlsx) ({type(exc).__name__})",
            )
        )
        return
    try:
        sheets = wb.worksheets[:1] if only else wb.worksheets
        for ws in sheets:
            table = only or table_for_name(ws.title)
            if table is None:
                out.notes.append(f"{file}: ignored sheet '{ws.title}' (not a table name)")
                n = max((ws.max_row or 1) - 1, 0)
                out.report.append((f"{file} [{ws.title}]", n, "sheet name is not a table; ignored"))
                continue
            _read_sheet(ws, file, table, out)
    finally:
        wb.close()


def _read_sheet(ws, file: str, table: str, out: Collected) -> None:
    header = None
    records: list[tuple] = []
    lines: list[int] = []
    for r, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if header is None:
            header = list(values)
            continue
        records.append(values)
        lines.append(r)
    if header is None:
        out.problems.append(
            Problem(file, ws.title, None, None, None, "a table, but the sheet is empty")
        )
        return
    keep = [i for i, h in enumerate(header) if h is not None and str(h).strip()]
    dropped = [i for i in range(len(header)) if i not in keep]
    if dropped and any(rec[i] is not None for rec in records for i in dropped if i < len(rec)):
        out.notes.append(f"{file} [{ws.title}]: ignored values in columns without a header")
    names = _dedupe([header[i] for i in keep])
    data = [[rec[i] if i < len(rec) else None for i in keep] for rec in records]
    frame = pd.DataFrame(data, columns=names, dtype=object)
    out.raws.append(RawTable(table, frame, file, ws.title, np.asarray(lines, dtype=np.int64)))


# --------------------------------------------------------------------------- dispatch


def _add_entry(name: str, content: bytes | Path, out: Collected, seen: dict[str, str]) -> None:
    base = os.path.basename(name.rstrip("/"))
    stem, ext = os.path.splitext(base)
    ext = ext.lower()
    if not base or base.startswith((".", "~$", "__MACOSX")) or "__MACOSX" in name:
        return
    if ext in EXCEL_EXT:
        table = table_for_name(stem)
        if table is not None:  # items.xlsx: its first sheet is the items table
            if _claim(table, base, seen, out):
                read_excel(content, base, out, only=table)
        else:
            read_excel(content, base, out)
        return
    if ext not in CSV_EXT | PARQUET_EXT:
        out.notes.append(f"ignored file {base} (not a CSV, Parquet or Excel table)")
        return
    table = table_for_name(stem)
    if table is None:
        out.notes.append(
            f"ignored file {base}: '{stem}' is not one of the tables ({', '.join(SCHEMAS)})"
        )
        out.report.append((base, None, "file name is not a table name; file ignored"))
        return
    if not _claim(table, base, seen, out):
        return
    if ext in PARQUET_EXT:
        read_parquet(content, base, table, out)
    else:
        data = content if isinstance(content, bytes) else _read_bytes(content, base, out)
        if data is None:
            return
        if not data.strip():
            out.problems.append(
                Problem(base, None, None, None, None, "a table, but the file is empty")
            )
            return
        read_csv(data, base, table, out)


def _read_bytes(path: Path, base: str, out: Collected) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        out.problems.append(Problem(base, None, None, None, None, f"a readable file ({exc})"))
        return None


def _claim(table: str, base: str, seen: dict[str, str], out: Collected) -> bool:
    if table in seen:
        out.problems.append(
            Problem(
                base,
                None,
                None,
                None,
                None,
                f"one file for table '{table}', but {seen[table]} is also that table",
            )
        )
        return False
    seen[table] = base
    return True


def _zip_entries(content: bytes | Path, base: str, out: Collected, seen: dict) -> None:
    try:
        src = io.BytesIO(content) if isinstance(content, bytes) else content
        with zipfile.ZipFile(src) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                _add_entry(info.filename, zf.read(info), out, seen)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        out.problems.append(
            Problem(base, None, None, None, None, f"a readable zip archive ({exc})")
        )


def collect_sources(entries: Mapping[str, bytes | Path]) -> Collected:
    """Read named files (name -> bytes or path); zips and workbooks are opened."""
    out = Collected([], [], [], [])
    seen: dict[str, str] = {}
    for name, content in entries.items():
        ext = os.path.splitext(name)[1].lower()
        if ext in ZIP_EXT:
            _zip_entries(content, os.path.basename(name), out, seen)
        else:
            _add_entry(name, content, out, seen)
    return out
